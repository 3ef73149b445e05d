// Click-to-call without leaving the page (issue 5 §3): a form on /dial is sent with fetch and
// Accept: application/json, and the answer (or the provider's error in plain words) is shown
// in place. Without JavaScript the form posts normally and the server redirects (PRG).
(function () {
  'use strict';
  var t = function (k, a) { return window.cbT ? window.cbT(k, a) : k; }; // static/nav.js
  var form = document.getElementById('dial-form');
  if (!form || !window.fetch) return;
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
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var button = form.querySelector('button[type=submit]:not([disabled])');
    if (button) button.disabled = true;
    var old = document.getElementById('dial-failure');
    if (old) old.remove();
    var fe = document.getElementById('dial-number-error');
    if (fe) fe.remove();
    say('dial-placed', 'confirmation', t('Calling…'));
    fetch('/dial', {
      method: 'POST', credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString(),
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (x) {
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
}());
