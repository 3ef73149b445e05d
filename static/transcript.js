// The transcript beside the player (issue 22): a click on a line's time
// (or its text) moves the card's audio player there and plays. The lines
// carry their start in seconds (data-start); the page works without this
// script, only without the seeking. No inline script: CSP script-src 'self'.
(function () {
  'use strict';
  var box = document.getElementById('transcript');
  if (!box) return;
  function player() {
    return document.querySelector('#recording audio');
  }
  box.addEventListener('click', function (e) {
    var t = e.target;
    if (!t || t.closest('form')) return;   // the correction forms are for typing
    var li = t.closest('li[data-start]');
    if (!li) return;
    var a = player();
    var s = parseFloat(li.getAttribute('data-start'));
    if (!a || !isFinite(s)) return;
    var go = function () {
      a.currentTime = s;
      var p = a.play();
      if (p && p.catch) p.catch(function () {});
    };
    // preload="none": the position can be set once metadata is known.
    if (a.readyState >= 1) go();
    else {
      a.addEventListener('loadedmetadata', go, { once: true });
      a.preload = 'metadata';
      a.load();
    }
    var cur = box.querySelector('li.current');
    if (cur) cur.classList.remove('current');
    li.classList.add('current');
  });
}());
