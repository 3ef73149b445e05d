// Live incoming-call popups (issue 5 §2), on every page (templates/partials/nav.html).
//
// The page listens to its manager's nchan channel /live/manager/<id> with EventSource; each
// message is one call's state (lib/calls/live.h). When the channel is missing (nginx without
// nchan: 404, the EventSource closes) or keeps failing, the page polls /live/poll instead.
// A popup shows in the bottom-right corner, shrinks to a compact bar after 20 seconds (answered
// or not), grows again on a click, and goes away with its ×. Its status and duration follow the
// call. With the tab in the background, a browser notification names the customer (or the
// number); permission is asked on the user's first click, as browsers require a gesture.
// No inline script or style: the CSP is script-src 'self'. Text goes in with textContent only.
(function () {
  'use strict';
  var COMPACT_MS = 20000;
  var POLL_MS = 3000;
  var root = document.getElementById('live-popups');
  if (!root || !root.getAttribute('data-user')) return;
  var user = root.getAttribute('data-user');
  var popups = {};          // call id -> { el, msg, since, closed, timer }
  var polling = false;

  function clock(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return h > 0 ? h + ':' + pad(m) + ':' + pad(r) : m + ':' + pad(r);
  }

  var LABELS = { ringing: 'Ringing', talking: 'Talking', ended: 'Ended' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function who(msg) {
    return msg.name || msg.number || (msg.withheld ? 'Number withheld' : 'Unknown number');
  }

  function notify(msg) {
    if (!document.hidden || !('Notification' in window) ||
        Notification.permission !== 'granted') return;
    try {
      var n = new Notification(msg.state === 'ringing' ? 'Incoming call' : 'Call',
        { body: who(msg), tag: 'callboard-call-' + msg.call_id });
      n.onclick = function () { window.focus(); window.location.href = msg.url; };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  function draw(p) {
    var msg = p.msg;
    p.el.setAttribute('data-state', msg.state);
    p.name.textContent = who(msg);
    p.number.textContent = msg.name && msg.number ? msg.number :
      msg.name && msg.withheld ? 'Number withheld' : '';
    p.state.textContent = LABELS[msg.state] || msg.state;
    p.bar.textContent = who(msg) + ' · ' + (LABELS[msg.state] || msg.state);
    tick(p);
  }

  function tick(p) {
    var s = p.msg.duration + (p.msg.state === 'ended' ? 0 : (Date.now() - p.since) / 1000);
    p.dur.textContent = clock(s);
  }

  function compact(p, yes) {
    clearTimeout(p.timer);
    p.el.classList.toggle('compact', yes);
    if (!yes) p.timer = setTimeout(function () { compact(p, true); }, COMPACT_MS);
  }

  function loadOrders(p) {
    fetch(p.msg.url + '?format=json', { credentials: 'same-origin',
      headers: { Accept: 'application/json' } }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (m) {
      if (!m || !m.orders || !m.orders.length) return;
      p.orders.textContent = '';
      m.orders.slice(0, 3).forEach(function (o) {
        var li = el('li');
        var a = el('a', null, 'Order ' + o.number + (o.status ? ' · ' + o.status : ''));
        a.href = o.url;
        li.appendChild(a);
        p.orders.appendChild(li);
      });
    }).catch(function () { /* the popup works without the orders */ });
  }

  function show(msg) {
    if (!msg || !msg.call_id || !/^\/calls\/[0-9]+$/.test(msg.url || '')) return;
    // The call card of this call, if open, refreshes at once (static/card.js).
    document.dispatchEvent(new CustomEvent('callboard:call', { detail: msg }));
    var p = popups[msg.call_id];
    if (p && p.closed) { p.msg = msg; p.since = Date.now(); return; }
    if (!p) {
      if (msg.state === 'ended') return;   // nothing to announce
      p = popups[msg.call_id] = { msg: msg, since: Date.now() };
      p.el = el('section', 'live-popup');
      p.el.setAttribute('data-call', String(msg.call_id));
      p.el.setAttribute('role', 'status');
      var close = el('button', 'live-close', '\u00d7');
      close.type = 'button';
      close.title = 'Close';
      close.setAttribute('aria-label', 'Close');
      close.addEventListener('click', function (e) {
        e.stopPropagation();
        p.closed = true;
        clearTimeout(p.timer);
        p.el.remove();
      });
      p.bar = el('div', 'live-bar');
      var full = el('div', 'live-full');
      p.name = el('strong', 'live-name');
      p.number = el('div', 'live-number');
      var line = el('div', 'live-line');
      p.state = el('span', 'live-state');
      p.dur = el('span', 'live-duration');
      line.appendChild(p.state);
      line.appendChild(document.createTextNode(' '));
      line.appendChild(p.dur);
      p.orders = el('ul', 'live-orders');
      var open = el('a', 'live-open', 'Open the call card');
      open.href = msg.url;
      full.appendChild(p.name);
      full.appendChild(p.number);
      full.appendChild(line);
      full.appendChild(p.orders);
      full.appendChild(open);
      p.el.appendChild(close);
      p.el.appendChild(p.bar);
      p.el.appendChild(full);
      p.el.addEventListener('click', function (e) {
        if (p.el.classList.contains('compact')) { e.preventDefault(); compact(p, false); }
      });
      root.appendChild(p.el);
      compact(p, false);
      loadOrders(p);
      notify(msg);
    } else {
      p.msg = msg;
      p.since = Date.now();
    }
    draw(p);
  }

  setInterval(function () {
    Object.keys(popups).forEach(function (id) { if (!popups[id].closed) tick(popups[id]); });
  }, 1000);

  // ---- polling fallback --------------------------------------------------------------------
  function poll() {
    fetch('/live/poll', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (m) {
        var seen = {};
        (m.calls || []).forEach(function (c) { seen[c.call_id] = true; show(c); });
        // A call that left the active list has ended.
        Object.keys(popups).forEach(function (id) {
          var p = popups[id];
          if (!seen[id] && p.msg.state !== 'ended') {
            var ended = Object.assign({}, p.msg, { state: 'ended',
              duration: p.msg.duration + (Date.now() - p.since) / 1000 });
            show(ended);
          }
        });
        setTimeout(poll, m.interval_ms || POLL_MS);
      })
      .catch(function () { setTimeout(poll, POLL_MS * 3); });
  }

  function fallback() {
    if (polling) return;
    polling = true;
    root.setAttribute('data-mode', 'poll');
    poll();
  }

  function subscribe() {
    if (!('EventSource' in window)) { fallback(); return; }
    var es = new EventSource('/live/manager/' + encodeURIComponent(user));
    var failures = 0;
    es.onopen = function () { failures = 0; root.setAttribute('data-mode', 'live'); };
    es.onmessage = function (e) {
      try { show(JSON.parse(e.data)); } catch (err) { /* not ours */ }
    };
    es.onerror = function () {
      // CLOSED: the server refused (404 without nchan, 403); otherwise the browser retries,
      // but a channel that keeps failing is as good as missing.
      if (es.readyState === EventSource.CLOSED || ++failures >= 3) {
        es.close();
        fallback();
      }
    };
  }

  document.addEventListener('click', function () {
    if ('Notification' in window && Notification.permission === 'default') {
      try { Notification.requestPermission(); } catch (e) { /* old API */ }
    }
  }, { once: true });

  subscribe();
}());
