// The call card while the call goes on (issue 5 §1: "status and duration,
// live"): the duration, talk and wait tick every second, and the card's own JSON
// (?format=json, the same view model as the page) is read every few
// seconds until the call ends. When the state changes the page is reloaded
// so the timeline, manager and recording are drawn by the server, unless
// the user is typing a note. A live popup message for this call (static/live.js, nchan) makes
// the card read its JSON at once instead of at the next poll. No inline script: CSP is
// script-src 'self'.
(function () {
  'use strict';
  var t = function (k, a) { return window.cbT ? window.cbT(k, a) : k; }; // static/nav.js
  var POLL_MS = 3000;
  var card = document.getElementById('card');
  if (!card || !card.hasAttribute('data-live')) return;
  var stateEl = document.getElementById('card-state');
  var durEl = document.getElementById('card-duration');
  var state = card.getAttribute('data-state');
  var seconds = parseInt(card.getAttribute('data-duration') || '0', 10) || 0;
  var since = Date.now();
  var timer = null;
  var callId = card.getAttribute('data-call-id');

  function clock(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return h > 0 ? h + ':' + pad(m) + ':' + pad(r) : m + ':' + pad(r);
  }

  function typing() {
    var note = document.getElementById('note');
    return note && note.value.trim() !== '';
  }

  // Talk and wait tick too (issue 18): while it rings all of it is waiting; once answered the
  // wait is fixed (the server's wait_seconds) and the rest is talk.
  var talkEl = document.getElementById('card-talk');
  var waitEl = document.getElementById('card-wait');
  var waitS = parseInt((waitEl && waitEl.getAttribute('data-seconds')) || '0', 10) || 0;

  function tickAll() {
    var total = seconds + (Date.now() - since) / 1000;
    if (durEl) durEl.textContent = clock(total);
    if (!talkEl || !waitEl) return;
    if (state === 'ringing') {
      waitEl.textContent = clock(total);
      talkEl.textContent = clock(0);
    } else if (state === 'talking') {
      waitEl.textContent = clock(waitS);
      talkEl.textContent = clock(total - waitS);
    }
  }
  var ticker = setInterval(tickAll, 1000);

  function poll() {
    fetch(window.location.pathname + '?format=json', {
      credentials: 'same-origin', headers: { Accept: 'application/json' },
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function (m) {
      var c = m && m.call;
      if (!c) return;
      seconds = c.duration_seconds || 0;
      waitS = c.wait_seconds || 0;
      since = Date.now();
      if (stateEl) {
        // After "Hang up" the call is ending until the provider's end event arrives.
        stateEl.textContent = ending && c.live ? t('Ending…') : c.state_label;
        stateEl.setAttribute('data-state', c.state);
      }
      if (c.state !== state) {
        state = c.state;
        if (!typing()) { window.location.reload(); return; }
      }
      if (!c.live) {
        clearInterval(ticker);
        clearTimeout(timer);
        timer = null;
        if (durEl) durEl.textContent = c.duration;
        if (talkEl) talkEl.textContent = c.talk;
        if (waitEl) waitEl.textContent = c.wait;
        return;
      }
      timer = setTimeout(poll, POLL_MS);
    }).catch(function () {
      // A network blip or a lost session: try again later, slower.
      timer = setTimeout(poll, POLL_MS * 3);
    });
  }
  timer = setTimeout(poll, POLL_MS);

  // "Hang up" (issue 19 §1): the form posts without leaving the card; the card then says
  // "Ending…" and reads its JSON at once, and again until the provider reports the end. Without
  // JavaScript the form posts and the server redirects back with ?hangup=requested.
  var ending = card.getAttribute('data-ending') === 'true';
  var hangForm = document.getElementById('hangup-form');
  function hangupError(text) {
    var el = document.getElementById('hangup-error');
    if (!el) {
      el = document.createElement('p');
      el.id = 'hangup-error';
      el.className = 'error';
      el.setAttribute('role', 'alert');
      hangForm.parentNode.insertBefore(el, hangForm.nextSibling);
    }
    el.textContent = text;
  }
  if (hangForm) {
    hangForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var button = hangForm.querySelector('button');
      if (button) button.disabled = true;
      fetch(hangForm.action, {
        method: 'POST', credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        body: new URLSearchParams(new FormData(hangForm)),
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, status: r.status, j: j }; },
          function () { return { ok: false, status: r.status, j: null }; });
      }).then(function (res) {
        if (!res.ok) {
          if (button) button.disabled = false;
          hangupError((res.j && res.j.error && res.j.error.message) ||
            t('Could not hang up (HTTP {status}). Try again.', { status: res.status }));
          if (res.status === 409) { clearTimeout(timer); timer = setTimeout(poll, 0); }
          return;
        }
        ending = true;
        if (stateEl) stateEl.textContent = t('Ending…');
        hangForm.parentNode.removeChild(hangForm);
        hangForm = null;
        var old = document.getElementById('hangup-error');
        if (old) old.parentNode.removeChild(old);
        clearTimeout(timer);
        timer = setTimeout(poll, 0);
      }).catch(function () {
        if (button) button.disabled = false;
        hangupError(t('Could not reach Callboard. Try again.'));
      });
    });
  }
  document.addEventListener('callboard:call', function (e) {
    if (timer === null || !e.detail || String(e.detail.call_id) !== callId) return;
    clearTimeout(timer);
    timer = setTimeout(poll, 0);
  });
}());
