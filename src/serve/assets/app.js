// The page works without this script; it only remembers the language, submits the sort
// choice at once, puts "/" on the search box, opens the print dialog from 打印, offers the
// re-tag form the list that fits its kind, and follows a record's previous and next links
// with ← and → (or k and j).
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var stored = null;
  try { stored = localStorage.getItem("archive.lang"); } catch (e) { /* private mode */ }
  if (!params.has("lang") && stored === "en" && document.documentElement.lang !== "en") {
    params.set("lang", "en");
    location.replace(location.pathname + "?" + params.toString());
    return;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("lang-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        try { localStorage.setItem("archive.lang", toggle.getAttribute("data-lang")); } catch (e) { /* ignore */ }
      });
    }
    // 打印: shown only where a script can call the print dialog (Ctrl+P prints the same).
    document.querySelectorAll("button[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
    // Re-tag: the value's suggestions follow the kind (indicators, or places).
    var kind = document.querySelector("form.retag select[name=kind]");
    if (kind) {
      var lists = kind.getAttribute("data-lists").split(" ");
      var value = kind.form.querySelector("input[name=value]");
      kind.addEventListener("change", function () {
        value.setAttribute("list", lists[kind.selectedIndex] || lists[0]);
      });
    }
    var sort = document.querySelector("form.search select[name=sort]");
    if (sort) {
      sort.addEventListener("change", function () { sort.form.submit(); });
    }
    document.addEventListener("keydown", function (e) {
      var t = document.activeElement && document.activeElement.tagName;
      if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA" || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "/") {
        var q = document.querySelector("form.search input[name=q]");
        if (q) { e.preventDefault(); q.focus(); q.select(); }
      }
      var rel = { ArrowLeft: "prev", k: "prev", ArrowRight: "next", j: "next" }[e.key];
      var link = rel && document.querySelector("nav.recnav a[rel=" + rel + "]");
      if (link) { e.preventDefault(); location.href = link.href; }
    });
  });
})();
