// Live incoming-call popups (issue 5 §2, issue 18), on every page (templates/partials/nav.html).
//
// The page listens to its manager's nchan channel /live/manager/<id> with EventSource; each
// message is one call's state (lib/calls/live.h). When the channel is missing (nginx without
// nchan: 404, the EventSource closes) or keeps failing, the page polls /live/poll instead.
// At load the page asks /live/poll once either way, so a popup survives a reload while its call
// lasts (the × a manager pressed is remembered for the tab in sessionStorage).
//
// One popup per call, bottom-right (the full width of a phone). It is where the manager acts:
// call back now, a call-back task in 10/30/60 min, create customer/order/lead with the number
// filled in and the card, each in a new tab (what they were typing here is never lost). What it
// says about the caller comes from the card's JSON (/calls/<id>?format=json): the customer and
// their open orders and leads, or "Unknown caller" and, apart, the caller-ID name the PBX sent;
// the line and store called; who answered. Its state tells the truth: "Ringing", "Talking",
// "Answered by <colleague>" (then it folds to a bar and goes), "Ended · Missed" (then it clears
// itself). After 20 s a popup folds to a compact bar; a click opens it again.
//
// Browser notifications only after the manager pressed "Enable call notifications" (the
// button in the navigation says the state). No inline script or style: the CSP is script-src
// 'self'. Text goes in with textContent only.
(function () {
  'use strict';
  var COMPACT_MS = 20000;     // a popup folds to a bar after this
  var ENDED_MS = 30000;       // an ended popup clears itself after this
  var TAKEN_MS = 8000;        // "Answered by <colleague>" stays this long, folded
  var POLL_MS = 3000;
  var MAX_SHOWN = 3;          // popups on the screen at once, the newest
  var root = document.getElementById('live-popups');
  if (!root || !root.getAttribute('data-user')) return;
  var user = root.getAttribute('data-user');
  var popups = {};          // call id -> popup state
  var polling = false;
  var CLOSED_KEY = 'callboard.closed-popups';

  function closedIds() {
    try { return JSON.parse(sessionStorage.getItem(CLOSED_KEY) || '[]'); } catch (e) { return []; }
  }
  function remember(id) {
    try {
      var ids = closedIds().filter(function (x) { return x !== id; });
      ids.push(id);
      sessionStorage.setItem(CLOSED_KEY, JSON.stringify(ids.slice(-50)));
    } catch (e) { /* private mode: the popup comes back after a reload, no harm */ }
  }

  function clock(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return h > 0 ? h + ':' + pad(m) + ':' + pad(r) : m + ':' + pad(r);
  }

  // Words come from the page (window.cbT, static/nav.js; templates/partials/i18n.html).
  var t = function (k, a) { return window.cbT ? window.cbT(k, a) : k; };
  var LABELS = { ringing: t('Ringing'), talking: t('Talking'), ended: t('Ended') };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function link(cls, text, href, newTab) {
    var a = el('a', cls, text);
    a.href = href;
    if (newTab) { a.target = '_blank'; a.rel = 'noopener'; }
    return a;
  }

  function csrf() {
    var i = document.querySelector('form[action="/logout"] input[name="csrf"]');
    return i ? i.value : '';
  }

  // The headline: the CRM customer's name once the card says there is one; until then (and for
  // an unknown caller) the number or "Unknown caller". The PBX's caller-ID name never goes here.
  function headline(p) {
    var m = p.card;
    if (m && m.customer && m.customer.name) return m.customer.name;
    if (m) return t('Unknown caller');
    return p.msg.withheld ? t('Number withheld') : p.msg.number || t('Unknown caller');
  }

  function stateText(p) {
    var msg = p.msg, m = p.card;
    if (msg.state === 'ended') {
      var r = m && m.call && m.call.result_label;
      return r && r !== t('Unknown') ? t('Ended · {result}', { result: r }) : t('Ended');
    }
    if (msg.state === 'talking' && m && m.answered_by && !m.answered_by.me)
      return t('Answered by {name}', { name: m.answered_by.name });
    return LABELS[msg.state] || t('Ringing');
  }

  function notify(msg) {
    if (!document.hidden || !('Notification' in window) ||
        Notification.permission !== 'granted') return;
    try {
      var n = new Notification(msg.state === 'ringing' ? t('Incoming call') : t('Call'),
        { body: msg.name || msg.number || t('Unknown caller'), tag: 'callboard-call-' + msg.call_id });
      n.onclick = function () { window.focus(); window.location.href = msg.url; };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  // A sum as the page's language writes it ("1 250,00" in uk, "1,250.00" in en); the server
  // sends "1250.00". Anything that is not a plain number is shown as sent.
  var money = new Intl.NumberFormat(document.documentElement.lang || 'en',
    { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  function sum(v) {
    return /^-?\d+(\.\d+)?$/.test(String(v)) ? money.format(Number(v)) : String(v);
  }

  function items(ul, list, kind) {
    ul.textContent = '';
    (list || []).slice(0, 3).forEach(function (o) {
      var li = el('li');
      var text = t(kind) + ' ' + (o.number || '') + (o.status ? ' · ' + o.status : '') +
        (o.total ? ' · ' + sum(o.total) + (o.currency ? ' ' + o.currency : '') : '') +
        (kind === 'Lead' && o.name ? ' · ' + o.name : '');
      li.appendChild(o.url ? link(null, text, o.url, true) : el('span', null, text));
      ul.appendChild(li);
    });
    ul.hidden = !ul.firstChild;
  }

  function draw(p) {
    var msg = p.msg, m = p.card;
    var taken = msg.state === 'talking' && m && m.answered_by && !m.answered_by.me;
    p.el.setAttribute('data-state', taken ? 'taken' : msg.state);
    p.el.classList.toggle('unknown', !!m && !m.customer);
    p.name.textContent = headline(p);
    p.number.textContent = m ? (m.call.number_shown || m.call.number || '') : '';
    p.number.hidden = !p.number.textContent;
    var cid = m && m.call && m.call.caller_name;
    p.cid.textContent = cid && !(m.customer && m.customer.name === cid) ? t('Caller ID: {name}', { name: cid }) : '';
    p.cid.hidden = !p.cid.textContent;
    p.state.textContent = stateText(p);
    p.bar.textContent = headline(p) + ' · ' + stateText(p);
    if (m) {
      var line = [];
      if (m.call.our_number) line.push(t('Line {line}', { line: m.call.our_number }));
      else if (m.call.integration) line.push(t('Line {line}', { line: m.call.integration }));
      if (m.store && m.store.name) line.push(t('store {name}', { name: m.store.name }));
      p.called.textContent = line.join(', ');
      p.called.hidden = !line.length;
      items(p.orders, m.orders, 'Order');
      items(p.leads, m.leads, 'Lead');
      actions(p);
    }
    tick(p);
    if (taken && !p.takenTimer) {
      compact(p, true);
      p.takenTimer = setTimeout(function () { remove(p); }, TAKEN_MS);
    }
    if (msg.state === 'ended' && !p.endTimer)
      p.endTimer = setTimeout(function () { remove(p); }, ENDED_MS);
  }

  // The action row, drawn once the card's JSON is in (it knows the links and rights).
  function actions(p) {
    var m = p.card, box = p.actions;
    if (box.getAttribute('data-drawn')) return;
    box.setAttribute('data-drawn', '1');
    var a = m.actions || {};
    if (m.call.number_url) box.appendChild(link('button dial live-dial', t('Call back now'), m.call.number_url));
    if (m.call.hangup_url) box.appendChild(hangupButton(p));
    if (a.callback_url) {
      var later = el('div', 'live-later');
      later.appendChild(el('span', null, t('Call back in')));
      [10, 30, 60].forEach(function (min) {
        var b = el('button', 'secondary', t('{n} min', { n: min }));
        b.type = 'button';
        b.setAttribute('data-minutes', String(min));
        b.addEventListener('click', function (e) { e.stopPropagation(); callback(p, min, b); });
        later.appendChild(b);
      });
      box.appendChild(later);
    }
    var create = el('div', 'live-create');
    if (a.create_customer_url) create.appendChild(link('live-create-customer', t('Create customer'), a.create_customer_url, true));
    if (a.add_order_url) create.appendChild(link('live-create-order', t('Create order'), a.add_order_url, true));
    if (a.add_lead_url) create.appendChild(link('live-create-lead', t('Create lead'), a.add_lead_url, true));
    create.appendChild(link('live-open', t('Open the card'), p.msg.url, true));
    box.appendChild(create);
  }

  function callback(p, minutes, button) {
    var body = new URLSearchParams();
    body.set('csrf', csrf());
    body.set('minutes', String(minutes));
    button.disabled = true;
    fetch(p.card.actions.callback_url, { method: 'POST', credentials: 'same-origin', body: body })
      .then(function (r) {
        // The card answers 303 to itself with ?callback=<task id>[&joined=1].
        var u = r.url || '';
        if (!r.ok || u.indexOf('callback=') < 0) throw new Error('HTTP ' + r.status);
        p.note.textContent = u.indexOf('joined=1') >= 0 ?
          t('Added to the open call-back task.') : t('Call-back task created: in {n} min.', { n: minutes });
        p.note.removeAttribute('data-error');
      })
      .catch(function () {
        p.note.textContent = t('The task could not be saved. Try again, or use the card.');
        p.note.setAttribute('data-error', '1');
      })
      .then(function () { button.disabled = false; });
  }

  // "Hang up" (issue 19 §1), where the card offers it: the card's own POST; the popup then says
  // the call is ending until the live channel reports its end.
  function hangupButton(p) {
    var b = el('button', 'danger live-hangup', t('Hang up'));
    b.type = 'button';
    b.addEventListener('click', function (e) {
      e.stopPropagation();
      var body = new URLSearchParams();
      body.set('csrf', csrf());
      b.disabled = true;
      fetch(p.card.call.hangup_url, { method: 'POST', credentials: 'same-origin',
        headers: { Accept: 'application/json' }, body: body })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
        .then(function (res) {
          if (!res.ok) throw new Error((res.j && res.j.error && res.j.error.message) || 'refused');
          if (b.parentNode) b.parentNode.removeChild(b);
          p.note.textContent = t('Ending…');
          p.note.removeAttribute('data-error');
        })
        .catch(function (err) {
          b.disabled = false;
          p.note.textContent = err && err.message ? err.message : t('Could not hang up. Try the card.');
          p.note.setAttribute('data-error', '1');
        });
    });
    return b;
  }

  function tick(p) {
    var s = p.msg.duration + (p.msg.state === 'ended' ? 0 : (Date.now() - p.since) / 1000);
    p.dur.textContent = clock(s);
  }

  function compact(p, yes) {
    clearTimeout(p.timer);
    p.el.classList.toggle('compact', yes);
    p.bar.setAttribute('aria-expanded', yes ? 'false' : 'true');
    if (!yes) p.timer = setTimeout(function () {
      // Not from under a keyboard user's focus: the focused action would vanish with it.
      if (p.el.contains(document.activeElement)) compact(p, false); else compact(p, true);
    }, COMPACT_MS);
  }

  function remove(p) {
    clearTimeout(p.timer);
    clearTimeout(p.endTimer);
    clearTimeout(p.takenTimer);
    p.gone = true;
    if (p.el.parentNode) p.el.parentNode.removeChild(p.el);
  }

  // The card's view model of this call: at the start and at each change of state.
  function load(p) {
    var state = p.msg.state;
    fetch(p.msg.url + '?format=json', { credentials: 'same-origin',
      headers: { Accept: 'application/json' } }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (m) {
      if (!m || !m.call || p.gone) return;
      p.card = m;
      // A message that came while loading wins over the card's older state.
      if (p.msg.state === state && m.call.state === 'ended' && state !== 'ended')
        p.msg = Object.assign({}, p.msg, { state: 'ended', duration: m.call.duration_seconds });
      draw(p);
    }).catch(function () { /* the popup works without it */ });
  }

  function build(msg) {
    var p = { msg: msg, since: Date.now() };
    p.el = el('section', 'live-popup');
    p.el.setAttribute('data-call', String(msg.call_id));
    // The number as stored (E.164); people read the card's number_shown (issue 18).
    if (msg.number) p.el.setAttribute('data-number', msg.number);
    p.el.setAttribute('role', 'status');
    p.el.setAttribute('aria-label', t('Call'));
    var close = el('button', 'live-close', '\u00d7');
    close.type = 'button';
    close.title = t('Close');
    close.setAttribute('aria-label', t('Close'));
    close.addEventListener('click', function (e) {
      e.stopPropagation();
      p.closed = true;
      remember(String(msg.call_id));
      remove(p);
    });
    // The folded popup's bar is a button: Tab reaches it, Enter opens the popup.
    p.bar = el('button', 'live-bar');
    p.bar.type = 'button';
    p.el.tabIndex = -1;
    var full = el('div', 'live-full');
    p.name = el('strong', 'live-name');
    p.number = el('div', 'live-number');
    p.cid = el('div', 'live-cid');
    var line = el('div', 'live-line');
    p.state = el('span', 'live-state');
    p.dur = el('span', 'live-duration');
    line.appendChild(p.state);
    line.appendChild(document.createTextNode(' '));
    line.appendChild(p.dur);
    p.called = el('div', 'live-called');
    p.orders = el('ul', 'live-orders');
    p.leads = el('ul', 'live-leads');
    p.actions = el('div', 'live-actions');
    p.note = el('p', 'live-note');
    p.note.setAttribute('role', 'status');
    [p.name, p.number, p.cid, line, p.called, p.orders, p.leads, p.actions, p.note]
      .forEach(function (x) { full.appendChild(x); });
    p.el.appendChild(close);
    p.el.appendChild(p.bar);
    p.el.appendChild(full);
    p.el.addEventListener('click', function (e) {
      if (!p.el.classList.contains('compact')) return;
      e.preventDefault();
      var fromBar = e.target === p.bar;
      compact(p, false);
      // The bar is gone: the focus goes to the popup, whose actions are the next Tabs.
      if (fromBar) p.el.focus();
    });
    return p;
  }

  function show(msg) {
    if (!msg || !msg.call_id || !/^\/calls\/[0-9]+$/.test(msg.url || '')) return;
    // The call card of this call, if open, refreshes at once (static/card.js).
    document.dispatchEvent(new CustomEvent('callboard:call', { detail: msg }));
    var id = String(msg.call_id);
    var p = popups[id];
    if (p && (p.closed || p.gone)) { p.msg = msg; return; }
    if (!p) {
      if (msg.state === 'ended') return;   // nothing to announce
      if (closedIds().indexOf(id) >= 0) { popups[id] = { msg: msg, closed: true }; return; }
      p = popups[id] = build(msg);
      // The newest call is the open one: the others fold to bars (no stack of full cards).
      Object.keys(popups).forEach(function (k) {
        var q = popups[k];
        if (q !== p && q.el && !q.gone && !q.closed) compact(q, true);
      });
      root.appendChild(p.el);
      // At most MAX_SHOWN at once: the oldest go (a provider that never sent "ended" must not
      // leave a wall of bars for hours).
      var shown = root.querySelectorAll('.live-popup');
      for (var i = 0; i < shown.length - MAX_SHOWN; i++) {
        var old = popups[shown[i].getAttribute('data-call')];
        if (old) remove(old);
      }
      compact(p, false);
      draw(p);
      load(p);
      notify(msg);
      return;
    }
    var changed = p.msg.state !== msg.state;
    p.msg = msg;
    p.since = Date.now();
    draw(p);
    if (changed) load(p);
  }

  setInterval(function () {
    Object.keys(popups).forEach(function (id) {
      var p = popups[id];
      if (!p.closed && !p.gone) tick(p);
    });
  }, 1000);

  // ---- the notification control in the navigation ------------------------------------------
  function notifyControl() {
    var b = document.getElementById('notify-toggle');
    if (!b || !('Notification' in window)) return;
    function paint() {
      var s = Notification.permission;
      b.hidden = false;
      b.setAttribute('data-permission', s);
      b.setAttribute('aria-pressed', s === 'granted' ? 'true' : 'false');
      b.textContent = s === 'granted' ? t('Call notifications: on') :
        s === 'denied' ? t('Call notifications: blocked in the browser') : t('Enable call notifications');
      b.disabled = s !== 'default';
    }
    b.addEventListener('click', function () {
      try {
        var r = Notification.requestPermission(paint);
        if (r && r.then) r.then(paint);
      } catch (e) { paint(); }
    });
    paint();
  }

  // ---- polling fallback --------------------------------------------------------------------
  function sync(m) {
    var seen = {};
    (m.calls || []).forEach(function (c) { seen[c.call_id] = true; show(c); });
    // A call that left the active list has ended.
    Object.keys(popups).forEach(function (id) {
      var p = popups[id];
      if (!seen[id] && p.msg.state !== 'ended') {
        show(Object.assign({}, p.msg, { state: 'ended',
          duration: p.msg.duration + (Date.now() - (p.since || Date.now())) / 1000 }));
      }
    });
  }

  function fetchActive() {
    return fetch('/live/poll', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }

  function poll() {
    fetchActive().then(function (m) {
      sync(m);
      setTimeout(poll, m.interval_ms || POLL_MS);
    }).catch(function () { setTimeout(poll, POLL_MS * 3); });
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

  notifyControl();
  // The calls already ringing or going on (after a reload), then the live channel.
  fetchActive().then(function (m) {
    // Newest first in the answer: shown oldest first, so the newest stays open.
    (m.calls || []).slice().reverse().forEach(show);
    root.setAttribute('data-restored', String((m.calls || []).length));
  }).catch(function () { root.setAttribute('data-restored', '0'); });
  subscribe();
}());
