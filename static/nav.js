// The navigation's counters (issue 18): open tasks and unread notifications, from
// /tasks/counts (two indexed COUNTs, cgi/tasks.c) when the page loads and every minute while it
// is open. A zero shows nothing; the count is also in the link's accessible name.
(function () {
  'use strict';
  var tasks = document.getElementById('nav-open-tasks');
  var unread = document.getElementById('nav-unread');
  if (!tasks || !unread) return;

  function paint(el, n, one, many) {
    el.setAttribute('data-n', String(n));
    el.textContent = n > 0 ? String(n) : '';
    el.setAttribute('aria-label', n > 0 ? n + ' ' + (n === 1 ? one : many) : '');
    el.title = el.getAttribute('aria-label');
  }

  function load() {
    fetch('/tasks/counts', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (m) {
        if (!m) return;
        paint(tasks, m.open_tasks || 0, 'open task', 'open tasks');
        paint(unread, m.unread_notifications || 0, 'unread', 'unread');
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
