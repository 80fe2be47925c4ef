// The slideshow (放映) of a collection or a search result: one photo or video at a time, full
// screen, with a caption band. Keys: ←/→ and space move, Home/End go to the ends, F toggles
// full screen, Esc leaves. The slides are a JSON block in the page (#slides); the same script
// runs on the server's /present page and inlined in a package's slideshow.html opened from
// disk, so it fetches nothing but the pictures. The next photos are loaded ahead.
(function () {
  "use strict";
  var root = document.getElementById("slideshow");
  var data = document.getElementById("slides");
  if (!root || !data) return;
  var slides = JSON.parse(data.textContent || "[]");
  var texts = {};
  try { texts = JSON.parse(root.getAttribute("data-texts") || "{}"); } catch (e) { texts = {}; }
  var AHEAD = 3;
  var cur = -1;
  var stats = { firstShown: null, times: [] };
  var cache = {};

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  var stage = el("div", "stage");
  var band = el("div", "band");
  var counter = el("div", "counter");
  var help = el("div", "keys", texts.keys || "");
  root.textContent = "";
  root.appendChild(stage);
  root.appendChild(band);
  root.appendChild(counter);
  root.appendChild(help);
  root.hidden = false;
  document.documentElement.classList.add("presenting");

  function picture(i) {
    var s = slides[i];
    if (!s || s.kind !== "photo") return null;
    if (!cache[i]) {
      var img = new Image();
      img.decoding = "async";
      img.alt = s.title || "";
      img.src = s.src;
      cache[i] = img;
    }
    return cache[i];
  }
  function preload(i) {
    for (var k = 1; k <= AHEAD; k++) picture(i + k);
    // Keep memory bounded on long shows: forget pictures far behind.
    Object.keys(cache).forEach(function (j) {
      if (Number(j) < i - AHEAD) delete cache[j];
    });
  }
  function bandFor(s) {
    band.textContent = "";
    if (s.kind === "title") { band.hidden = true; return; }
    band.hidden = false;
    band.appendChild(el("strong", "title", s.title));
    [s.time, s.place, s.indicator].forEach(function (t) {
      if (t) band.appendChild(el("span", "fact", t));
    });
    (s.flags || []).forEach(function (f) { band.appendChild(el("span", "flag", f)); });
    if (s.note) band.appendChild(el("p", "note", s.note));
  }
  function show(i) {
    if (!slides.length) { stage.textContent = texts.empty || ""; return; }
    i = Math.max(0, Math.min(slides.length - 1, i));
    var t0 = performance.now();
    var old = stage.querySelector("video");
    if (old) old.pause();
    cur = i;
    var s = slides[i];
    stage.textContent = "";
    root.setAttribute("data-index", String(i));
    root.setAttribute("data-kind", s.kind);
    var shown;
    if (s.kind === "title") {
      var t = el("div", "title-slide");
      t.appendChild(el("h1", null, s.title));
      if (s.note) t.appendChild(el("p", null, s.note));
      stage.appendChild(t);
      shown = Promise.resolve();
    } else if (s.kind === "video") {
      var v = el("video");
      v.src = s.src;
      v.controls = true;
      v.setAttribute("playsinline", "");
      v.preload = "auto";
      stage.appendChild(v);
      var p = v.play();
      if (p && p.catch) p.catch(function () { /* no sound allowed yet: the controls stay */ });
      shown = Promise.resolve();
    } else {
      var img = picture(i);
      stage.appendChild(img);
      shown = img.decode ? img.decode().catch(function () {}) : Promise.resolve();
    }
    bandFor(s);
    counter.textContent = (i + 1) + " " + (texts.of || "/") + " " + slides.length;
    shown.then(function () {
      var dt = performance.now() - t0;
      if (stats.firstShown === null) stats.firstShown = performance.now();
      else stats.times.push(dt);
      if (i === cur) root.setAttribute("data-shown", String(i));
    });
    preload(i);
  }
  function go(i) { if (i !== cur) show(i); }
  function fullscreen() {
    if (document.fullscreenElement) { document.exitFullscreen(); return; }
    if (root.requestFullscreen) root.requestFullscreen().catch(function () {});
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (k === "ArrowRight" || k === " " || k === "PageDown") go(cur + 1);
    else if (k === "ArrowLeft" || k === "PageUp") go(cur - 1);
    else if (k === "Home") go(0);
    else if (k === "End") go(slides.length - 1);
    else if (k === "f" || k === "F") fullscreen();
    else if (k === "Escape") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else {
        var back = root.getAttribute("data-back");
        if (back) location.href = back;
      }
    } else return;
    e.preventDefault();
  });
  stage.addEventListener("click", function (e) {
    if (e.target.tagName === "VIDEO") return;
    go(cur + 1);
  });
  window.slideshow = {
    count: slides.length,
    stats: stats,
    get index() { return cur; }
  };
  show(0);
})();
