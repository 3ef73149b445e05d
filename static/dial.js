// Click-to-call (issue 5 §3, issue 18). Loaded on every page (partials/nav.html).
//  - One click: a phone's link (/dial?number=…[&call=…]) is posted with fetch as the user clicks,
//    without an integration: the server calls through the default line (the last used, else the
//    store's, else the only one). Only when several lines can dial and none is the default does a
//    menu of them open beside the number. The answer, or the provider's error in plain words, is
//    shown in a status line. Ctrl/Meta/Shift-click and pages without JavaScript follow the link to
//    the confirm page instead.
//  - The confirm page's form is sent the same way; without JavaScript it posts normally (PRG).
//  - The client's clock beside a phone (.client-clock[data-zone]) keeps ticking.
(function () {
  'use strict';
  var t = function (k, a) { return window.cbT ? window.cbT(k, a) : k; }; // static/nav.js
  if (!window.fetch || !window.URLSearchParams) return;

  function csrf() {
    var i = document.querySelector('input[name=csrf]');
    return i ? i.value : '';
  }
  function post(fields) {
    fields.csrf = csrf();
    return fetch('/dial', {
      method: 'POST', credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, status: r.status, j: j }; });
    });
  }

  // --- the confirm page's form
  var form = document.getElementById('dial-form');
  function say(id, cls, text) {
    var p = document.getElementById(id);
    if (!p) {
      p = document.createElement('p');
      p.id = id;
      p.className = 'notices ' + cls;
      p.setAttribute('role', cls === 'error' ? 'alert' : 'status');
      form.parentNode.insertBefore(p, form);
    }
    p.textContent = text;
  }
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    var button = form.querySelector('button[type=submit]:not([disabled])');
    if (button) button.disabled = true;
    var old = document.getElementById('dial-failure');
    if (old) old.remove();
    var fe = document.getElementById('dial-number-error');
    if (fe) fe.remove();
    say('dial-placed', 'confirmation', t('Calling…'));
    var fields = {};
    new FormData(form).forEach(function (v, k) { fields[k] = v; });
    post(fields).then(function (x) {
      if (button) button.disabled = false;
      if (x.ok) { say('dial-placed', 'confirmation', x.j.message); return; }
      document.getElementById('dial-placed').remove();
      say('dial-failure', 'error', (x.j.error && x.j.error.message) || t('The call could not be placed.'));
    }).catch(function () {
      document.getElementById('dial-placed').remove();
      say('dial-failure', 'error', t('Callboard did not answer. Check your connection and try again.'));
      if (button) button.disabled = false;
    });
  });

  // --- one click on any phone
  var status;
  function tell(cls, text) {
    if (!status) {
      status = document.createElement('p');
      status.id = 'dial-status';
      document.body.appendChild(status);
    }
    status.className = 'dial-status notices ' + cls;
    status.setAttribute('role', cls === 'error' ? 'alert' : 'status');
    status.textContent = text;
    status.hidden = false;
    clearTimeout(tell.t);
    tell.t = setTimeout(function () { status.hidden = true; }, cls === 'error' ? 15000 : 8000);
  }
  var menuFrom = null; // the number the menu opened from: Escape gives it the focus back
  function closeMenu(refocus) {
    var m = document.getElementById('dial-menu');
    if (m) m.remove();
    if (m && refocus && menuFrom && document.contains(menuFrom)) menuFrom.focus();
    if (m) menuFrom = null;
  }
  // The lines this user can call through, from the confirm page's JSON.
  function menu(a, fields) {
    closeMenu();
    fetch(a.getAttribute('href') + '&format=json', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var m = document.createElement('div');
        m.id = 'dial-menu';
        m.className = 'dial-menu';
        m.setAttribute('role', 'menu');
        m.setAttribute('aria-label', t('Call through'));
        (j.integrations || []).forEach(function (it) {
          var b = document.createElement('button');
          b.type = 'button';
          b.setAttribute('role', 'menuitem');
          b.textContent = it.name;
          b.addEventListener('click', function () {
            closeMenu();
            fields.integration = it.slug;
            place(a, fields);
          });
          m.appendChild(b);
        });
        a.insertAdjacentElement('afterend', m);
        menuFrom = a;
        var first = m.querySelector('button');
        if (first) first.focus();
      }).catch(function () { window.location.href = a.href; });
  }
  function place(a, fields) {
    tell('confirmation', t('Calling…'));
    post(fields).then(function (x) {
      if (x.ok) { tell('confirmation', x.j.message); return; }
      // several lines and no default: the user picks
      if (x.status === 400 && !fields.integration && x.j.error && /^Pick /.test(x.j.error.message)) {
        status.hidden = true;
        menu(a, fields);
        return;
      }
      tell('error', (x.j.error && x.j.error.message) || t('The call could not be placed.'));
    }).catch(function () {
      tell('error', t('Callboard did not answer. Check your connection and try again.'));
    });
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="/dial?"]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) {
      if (!(e.target.closest && e.target.closest('#dial-menu'))) closeMenu();
      return;
    }
    var q = new URLSearchParams(a.getAttribute('href').slice(6));
    if (!q.get('number')) return;
    e.preventDefault();
    var fields = { number: q.get('number') };
    if (q.get('call')) fields.call = q.get('call');
    if (q.get('store')) fields.store = q.get('store');
    place(a, fields);
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeMenu(true); });

  // --- the client's clock, as the page's language writes a time (CLDR's short time: es "4:05",
  // the others "04:05"; English as en-GB, 24 hours, like the server's i18n_format_datetime)
  var clockLang = document.documentElement.lang || 'en';
  if (clockLang === 'en') clockLang = 'en-GB';
  function tick() {
    document.querySelectorAll('.client-clock[data-zone]').forEach(function (c) {
      try {
        c.textContent = new Intl.DateTimeFormat(clockLang, { timeZone: c.getAttribute('data-zone'), timeStyle: 'short' })
          .format(new Date());
      } catch (err) { /* a zone this browser does not know: keep the server's */ }
    });
  }
  setInterval(tick, 20000);
}());
