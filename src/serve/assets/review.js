// The collection page's review flow: keys to go through the grid and decide, multi-select,
// and the review forms sent without reloading the page (a reload per decision took the
// curator back to the top, 9 reloads for 9 items). The page works without this script: the
// same forms post and come back to the item. Requests carry the page's CSRF token in the form
// body exactly as the forms do, and ask for JSON (Accept), which the server answers with
// every item's state.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("review");
    var bulk = document.getElementById("bulk");
    if (!main || !bulk) return; // not a curator, or nothing to review
    var csrf = bulk.querySelector("input[name=csrf]").value;
    var base = main.getAttribute("data-base");
    var lq = main.getAttribute("data-lq") || "";
    var items = Array.prototype.slice.call(main.querySelectorAll("ol.grid > li.item"));
    var status = document.getElementById("review-status");
    var panel = document.getElementById("reject-panel");
    var rejectForm = document.getElementById("reject-form");
    var reasonInput = rejectForm.querySelector("input[name=reason]");
    var reasonsBox = panel.querySelector(".reasons");
    var datalist = document.getElementById("recent-reasons");
    var pendingForm = document.getElementById("accept-pending");
    var cur = -1;
    var lastPicked = -1;
    var rejectIds = [];
    document.getElementById("review-keys").hidden = false;

    function say(text) { status.textContent = text || ""; }

    function post(action, fields) {
      var body = new URLSearchParams();
      body.append("csrf", csrf);
      fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
      return fetch(base + "/" + action + lq, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        body: body
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) { throw new Error(j.error || String(r.status)); }
          return j;
        });
      });
    }

    function apply(j) {
      (j.items || []).forEach(function (s) {
        var li = document.getElementById("item-" + s.id);
        if (!li) return;
        li.classList.remove("review-pending", "review-accepted", "review-rejected");
        li.classList.add("review-" + s.state);
        li.querySelector(".state").textContent = s.text;
      });
      if (j.counts) document.getElementById("counts").textContent = j.counts;
      var b = pendingForm.querySelector("button");
      if (j.accept_pending) b.textContent = j.accept_pending;
      b.disabled = !j.pending;
      say(j.message);
    }

    function review(ids, state, reason) {
      if (!ids.length) return Promise.resolve();
      var fields = [["state", state]];
      if (reason) fields.push(["reason", reason]);
      ids.forEach(function (id) { fields.push(["file", id]); });
      return post("review", fields).then(apply, function (e) { say(e.message); throw e; });
    }

    function idOf(li) { return li.getAttribute("data-id"); }
    function box(li) { return li.querySelector(".pick input"); }
    function selected() {
      return items.filter(function (li) { var c = box(li); return c && c.checked; }).map(idOf);
    }
    // The selection when there is one, else the current item.
    function targets() {
      var s = selected();
      if (s.length) return s;
      return cur >= 0 ? [idOf(items[cur])] : [];
    }
    function clearSelection() {
      items.forEach(function (li) { var c = box(li); if (c) c.checked = false; });
    }

    function go(i) {
      if (!items.length) return;
      i = Math.max(0, Math.min(items.length - 1, i));
      if (cur >= 0) items[cur].classList.remove("current");
      cur = i;
      items[cur].classList.add("current");
      items[cur].focus({ preventScroll: true });
      items[cur].scrollIntoView({ block: "nearest" });
    }
    // Items per row of the grid, for ↑ and ↓.
    function columns() {
      if (!items.length) return 1;
      var top = items[0].offsetTop, n = 0;
      while (n < items.length && items[n].offsetTop === top) n++;
      return Math.max(1, n);
    }
    function decided(ids) {
      // One item decided: on to the next, as one goes through a pile.
      if (ids.length === 1 && cur >= 0 && idOf(items[cur]) === ids[0]) go(cur + 1);
      else clearSelection();
    }

    function openReject(ids) {
      if (!ids.length) return;
      rejectIds = ids;
      panel.hidden = false;
      reasonInput.value = "";
      reasonInput.focus();
    }
    function closeReject() {
      panel.hidden = true;
      if (cur >= 0) items[cur].focus({ preventScroll: true });
    }
    function remember(reason) {
      var known = Array.prototype.some.call(datalist.options, function (o) { return o.value === reason; });
      if (known) return;
      var o = document.createElement("option");
      o.value = reason;
      datalist.insertBefore(o, datalist.firstChild);
      var b = document.createElement("button");
      b.type = "button";
      b.className = "reason";
      b.setAttribute("data-reason", reason);
      b.textContent = reason;
      reasonsBox.insertBefore(b, reasonsBox.firstChild);
      renumber();
    }
    function renumber() {
      Array.prototype.forEach.call(reasonsBox.querySelectorAll("button.reason"), function (b, i) {
        var k = b.querySelector("kbd");
        if (i < 9) {
          if (!k) { k = document.createElement("kbd"); b.insertBefore(k, b.firstChild); b.insertBefore(document.createTextNode(" "), k.nextSibling); }
          k.textContent = String(i + 1);
        } else if (k) {
          k.remove();
        }
      });
    }
    function reject(reason) {
      reason = (reason || "").trim();
      if (!reason) { reasonInput.focus(); return; }
      var ids = rejectIds;
      closeReject();
      review(ids, "rejected", reason).then(function () { remember(reason); decided(ids); }, function () {});
    }

    rejectForm.addEventListener("submit", function (e) { e.preventDefault(); reject(reasonInput.value); });
    panel.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      if (b.hasAttribute("data-cancel")) closeReject();
      else if (b.hasAttribute("data-reason")) reject(b.getAttribute("data-reason"));
    });
    reasonInput.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); closeReject(); return; }
      if (reasonInput.value === "" && /^[1-9]$/.test(e.key)) {
        var b = reasonsBox.querySelectorAll("button.reason")[Number(e.key) - 1];
        if (b) { e.preventDefault(); reject(b.getAttribute("data-reason")); }
      }
    });

    // The toolbar: accept or reject the selection.
    bulk.addEventListener("submit", function (e) {
      // The caption button posts the form as it is (a reload), not a review.
      if (e.submitter && e.submitter.hasAttribute("formaction")) return;
      e.preventDefault();
      var state = e.submitter ? e.submitter.value : "accepted";
      var ids = selected();
      if (!ids.length) { say(""); return; }
      var reason = bulk.querySelector("input[name=reason]").value.trim();
      if (state === "rejected" && !reason) { openReject(ids); return; }
      review(ids, state, reason).then(function () {
        if (reason) remember(reason);
        clearSelection();
      }, function () {});
    });
    pendingForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var ids = items.filter(function (li) { return li.classList.contains("review-pending"); }).map(idOf);
      if (!ids.length) return;
      var ask = (pendingForm.getAttribute("data-confirm") || "").replace("{n}", String(ids.length));
      if (ask && !window.confirm(ask)) return;
      var fields = ids.map(function (id) { return ["file", id]; });
      post("accept_pending", fields).then(apply, function (err) { say(err.message); });
    });
    // An item's own review forms (move and remove still reload: they change the order).
    items.forEach(function (li, i) {
      Array.prototype.forEach.call(li.querySelectorAll("details.actions form"), function (f) {
        if (!/\/review(\?|$)/.test(f.getAttribute("action"))) return;
        f.addEventListener("submit", function (e) {
          e.preventDefault();
          var state = f.querySelector("input[name=state]").value;
          var r = f.querySelector("input[name=reason]");
          go(i);
          review([idOf(li)], state, r ? r.value.trim() : "").then(function () {
            if (r && r.value.trim()) remember(r.value.trim());
            li.querySelector("details.actions").open = false;
          }, function () {});
        });
      });
      // Clicking a card makes it the current one; Shift+click on a checkbox selects a range.
      li.addEventListener("click", function (e) {
        var c = box(li);
        if (c && e.target === c) {
          if (e.shiftKey && lastPicked >= 0) {
            var a = Math.min(lastPicked, i), b = Math.max(lastPicked, i);
            for (var k = a; k <= b; k++) { var ck = box(items[k]); if (ck) ck.checked = c.checked; }
          }
          lastPicked = i;
        }
        if (!e.target.closest("a, details, input, button, label")) go(i);
        else if (cur !== i && e.target === c) go(i);
      });
    });

    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      var typing = t && ((t.tagName === "INPUT" && t.type !== "checkbox") || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      if (typing || !panel.hidden) return;
      var k = e.key;
      var control = t && (t.tagName === "BUTTON" || t.tagName === "A" || t.tagName === "SUMMARY");
      if (control && (k === "Enter" || k === " ")) return;
      var handled = true;
      if (k === "j" || k === "ArrowRight") go(cur + 1);
      else if (k === "k" || k === "ArrowLeft") go(cur < 0 ? 0 : cur - 1);
      else if (k === "ArrowDown") go(cur < 0 ? 0 : cur + columns());
      else if (k === "ArrowUp") go(cur < 0 ? 0 : cur - columns());
      else if (k === "a" || k === "u") {
        var ids = targets();
        review(ids, k === "a" ? "accepted" : "pending").then(function () { decided(ids); }, function () {});
      } else if (k === "r") openReject(targets());
      else if ((k === "x" || k === " ") && cur >= 0) {
        var c = box(items[cur]);
        if (c) { c.checked = !c.checked; lastPicked = cur; }
      } else if ((k === "Enter" || k === "o") && cur >= 0) {
        var a = items[cur].querySelector("a.name");
        if (a) location.href = a.href;
      } else handled = false;
      if (handled) e.preventDefault();
    });
    // Back from a record page (…#item-12): that item is the current one.
    var m = /^#item-(\d+)$/.exec(location.hash);
    var at = m ? items.findIndex(function (li) { return idOf(li) === m[1]; }) : -1;
    if (at >= 0) go(at);
  });
})();
