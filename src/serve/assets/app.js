// The page works without this script; it only remembers the language, submits the sort
// choice at once, puts "/" on the search box, and opens the print dialog from 打印.
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
    var sort = document.querySelector("form.search select[name=sort]");
    if (sort) {
      sort.addEventListener("change", function () { sort.form.submit(); });
    }
    document.addEventListener("keydown", function (e) {
      var t = document.activeElement && document.activeElement.tagName;
      if (e.key === "/" && t !== "INPUT" && t !== "SELECT" && t !== "TEXTAREA") {
        var q = document.querySelector("form.search input[name=q]");
        if (q) { e.preventDefault(); q.focus(); q.select(); }
      }
    });
  });
})();
