// The navigation's counters (issue 18): open tasks and unread notifications, from
// /tasks/counts (two indexed COUNTs, cgi/tasks.c) when the page loads and every minute while it
// is open. A zero shows nothing; the count is also in the link's accessible name.
// The page's words for the scripts (issue 18): window.cbT('Ringing') is the translation the
// server compiled into templates/partials/i18n.html (a span per English key); t('Answered by
// {name}', { name: n }) fills the braces. A key missing there comes back as it is.
(function () {
  'use strict';
  var map = null;
  window.cbT = function (key, args) {
    if (!map) {
      map = {};
      var spans = document.querySelectorAll('#cb-i18n [data-k]');
      for (var i = 0; i < spans.length; i++) map[spans[i].getAttribute('data-k')] = spans[i].textContent;
    }
    var s = Object.prototype.hasOwnProperty.call(map, key) ? map[key] : key;
    return args ? s.replace(/\{(\w+)\}/g, function (m, k) { return k in args ? String(args[k]) : m; }) : s;
  };
}());

(function () {
  'use strict';
  var t = window.cbT;
  var tasks = document.getElementById('nav-open-tasks');
  var unread = document.getElementById('nav-unread');
  if (!tasks || !unread) return;

  // "Open tasks: 3": a count after a colon needs no plural form in any of our languages.
  function paint(el, n, label) {
    el.setAttribute('data-n', String(n));
    el.textContent = n > 0 ? String(n) : '';
    el.setAttribute('aria-label', n > 0 ? label.replace('{n}', n) : '');
    el.title = el.getAttribute('aria-label');
  }

  function load() {
    fetch('/tasks/counts', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) return;
        paint(tasks, m.open_tasks || 0, t('Open tasks: {n}'));
        paint(unread, m.unread_notifications || 0, t('Unread: {n}'));
      })
      .catch(function () { /* counters are a convenience: the links still work */ });
  }

  load();
  setInterval(load, 60000);
  // A call that ended may have made a task (missed call): look again soon after.
  document.addEventListener('callboard:call', function (e) {
    if (e.detail && e.detail.state === 'ended') setTimeout(load, 2000);
  });
}());

// The history's filter block folds behind one button on a phone only (static/callboard.css);
// a browser without ::details-content would keep it folded on a wide screen too: open it there.
(function () {
  'use strict';
  var fold = document.querySelector('details.filters-fold');
  if (!fold || !window.CSS || !CSS.supports || CSS.supports('selector(::details-content)')) return;
  if (window.matchMedia('(min-width: 761px)').matches) fold.open = true;
}());
