// The foundation through the real stack: nginx → FastCGI programs →
// MariaDB. Every bad-input rule of issue 2 has a test here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, Client } from '../lib/http.js';

test('healthz answers 200 when the database answers', async () => {
  const res = await new Client().get('/healthz');
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text_).database, 'ok');
});

test('root leads to the login, then to the call history (issue 18: the start page of the role)', async () => {
  const res = await new Client().get('/');
  assert.ok([301, 302, 303].includes(res.status));
  assert.equal(res.headers.get('location'), '/login?next=%2F');
  const c = new Client();
  await c.login('manager', 'manager');
  const home = await c.get('/');
  assert.equal(home.status, 302);
  assert.equal(home.headers.get('location'), '/calls');
});

test('login page renders with a CSRF token and security headers', async () => {
  const res = await new Client().get('/login');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.match(res.text_, /<form method="post" action="\/login">/);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.match(res.headers.get('set-cookie'), /cb_csrf=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Lax; HttpOnly/);
});

test('history without a session redirects to login with next', async () => {
  const res = await new Client().get('/calls?direction=in');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/login?next=%2Fcalls%3Fdirection%3Din');
});

test('history as JSON without a session is 401 JSON', async () => {
  const res = await new Client().get('/calls', { headers: { accept: 'application/json' } });
  assert.equal(res.status, 401);
  assert.equal(JSON.parse(res.text_).error.status, 401);
});

test('login without the CSRF token is refused', async () => {
  const c = new Client();
  await c.get('/login');
  const res = await c.post('/login', { form: { login: 'manager', password: 'manager' } });
  assert.equal(res.status, 403);
  assert.ok(!c.cookies.has('cb_session'));
});

test('wrong password is 401 and shows a message', async () => {
  const c = new Client();
  const page = await c.get('/login');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const res = await c.post('/login', { form: { csrf, login: 'manager', password: 'nope' } });
  assert.equal(res.status, 401);
  assert.match(res.text_, /Wrong login or password/);
  assert.ok(!c.cookies.has('cb_session'));
});

test('unknown login takes about as long as a wrong password', async () => {
  const c = new Client();
  const page = await c.get('/login');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const t0 = performance.now();
  await c.post('/login', { form: { csrf, login: 'manager', password: 'nope' } });
  const known = performance.now() - t0;
  const t1 = performance.now();
  const res = await c.post('/login', { form: { csrf, login: 'nobody-here', password: 'nope' } });
  const unknown = performance.now() - t1;
  assert.equal(res.status, 401);
  // Both run one yescrypt hash; an unknown login must not answer instantly.
  assert.ok(unknown > known / 4, `known ${known} ms, unknown ${unknown} ms`);
});

test('login, history page, JSON view model, logout', async () => {
  const c = new Client();
  const res = await c.login('manager', 'manager');
  assert.equal(res.headers.get('location'), '/calls');
  assert.match(c.cookies.get('cb_session'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(res.headers.get('set-cookie'), /cb_session=.*HttpOnly/);

  const page = await c.get('/calls');
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.text_, /<table class="calls"/);
  assert.match(page.text_, /Max Manager/);

  const json = await c.get('/calls?format=json');
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type'), /application\/json/);
  const model = JSON.parse(json.text_);
  assert.equal(model.calls.length, 50);
  assert.ok(model.next_url.startsWith('/calls?before='));
  assert.equal(model.csrf, undefined, 'no CSRF token in the JSON view');

  // The next page continues strictly older than the last row.
  const next = JSON.parse((await c.get(model.next_url + '&format=json')).text_);
  const last = model.calls[49], first = next.calls[0];
  assert.ok(first.started_at_utc < last.started_at_utc ||
    (first.started_at_utc === last.started_at_utc && first.id < last.id));

  const csrf = await c.csrf();
  const noCsrf = await c.post('/logout', { form: {} });
  assert.equal(noCsrf.status, 403);
  const out = await c.post('/logout', { form: { csrf } });
  assert.equal(out.status, 303);
  const after = await c.get('/calls');
  assert.equal(after.status, 303);
});

test('a stolen session cookie stops working after logout', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const stolen = c.cookies.get('cb_session');
  await c.post('/logout', { form: { csrf: await c.csrf() } });
  const thief = new Client();
  thief.cookies.set('cb_session', stolen);
  assert.equal((await thief.get('/calls')).status, 303);
});

test('login issues a new session token each time (no fixation)', async () => {
  const c = new Client();
  c.cookies.set('cb_session', 'A'.repeat(43));
  await c.login('manager', 'manager');
  assert.notEqual(c.cookies.get('cb_session'), 'A'.repeat(43));
});

test('open redirect after login is refused', async () => {
  for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
    const c = new Client();
    const page = await c.get('/login');
    const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
    const res = await c.post('/login', { form: { csrf, login: 'manager', password: 'manager', next } });
    assert.equal(res.status, 303);
    // The start page, which sends each role where it may go (issue 18).
    assert.equal(res.headers.get('location'), '/', next);
  }
});

test('filters: phone in any format finds the same calls', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const all = JSON.parse((await c.get('/calls?format=json')).text_);
  const known = all.calls.find((x) => x.number && x.number.startsWith('+380'));
  assert.ok(known, 'demo data has a UA number');
  const e164 = known.number;
  const national = '0' + e164.slice(4, 6) + ' ' + e164.slice(6, 9) + ' ' + e164.slice(9, 11) + ' ' + e164.slice(11);
  const a = JSON.parse((await c.get('/calls?format=json&q=' + encodeURIComponent(e164))).text_);
  const b = JSON.parse((await c.get('/calls?format=json&q=' + encodeURIComponent(national))).text_);
  const d = JSON.parse((await c.get('/calls?format=json&q=' + encodeURIComponent('(' + e164.slice(-7, -4) + ') ' + e164.slice(-4)))).text_);
  assert.ok(a.calls.length > 0);
  assert.deepEqual(b.calls.map((x) => x.id), a.calls.map((x) => x.id));
  assert.ok(d.calls.length >= a.calls.length);
  assert.ok(a.calls.every((x) => x.number === e164));
});

test('filters: direction and result narrow the list', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const m = JSON.parse((await c.get('/calls?format=json&direction=in&result=missed')).text_);
  assert.ok(m.calls.length > 0);
  assert.ok(m.calls.every((x) => x.direction === 'in' && x.result === 'missed'));
});

test('bad filter values are 400 with a message on the page', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const bad = await c.get('/calls?from=23.11.2026');
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /must look like 2026-11-23/);
  const dir = await c.get('/calls?direction=sideways');
  assert.equal(dir.status, 400);
  const cur = await c.get('/calls?before=garbage');
  assert.equal(cur.status, 400);
});

test('unknown filters are ignored with a visible notice', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const res = await c.get('/calls?colour=red');
  assert.equal(res.status, 200);
  assert.match(res.text_, /Unknown filter &quot;colour&quot; was ignored|Unknown filter "colour" was ignored/);
});

test('unknown routes are 404 pages', async () => {
  const c = new Client();
  for (const p of ['/nope', '/customers/abc/calls', '/customers/0/calls', '/calls/']) {
    const res = await c.get(p);
    assert.equal(res.status, 404, p);
  }
});

test('wrong methods are 405 with Allow', async () => {
  const c = new Client();
  const res = await c.request('/healthz', { method: 'DELETE' });
  assert.equal(res.status, 405);
  assert.match(res.headers.get('allow'), /GET/);
  const res2 = await c.request('/logout', { method: 'GET' });
  assert.equal(res2.status, 405);
});

test('bodies over the limit are 413', async () => {
  const c = new Client();
  await c.get('/login');
  const res = await c.post('/login', { body: 'a=' + 'x'.repeat(20000), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 413);
  const huge = await c.post('/login', { body: 'a=' + 'x'.repeat(3 * 1024 * 1024), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(huge.status, 413);
});

test('malformed forms are 400 with the reason', async () => {
  const c = new Client();
  await c.get('/login');
  const res = await c.post('/login', { body: 'login=%zz', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 400);
  assert.match(res.text_, /bad %-escape/);
  const nul = await c.post('/login', { body: 'login=a%00b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(nul.status, 400);
});

test('a wrong Content-Type is 415', async () => {
  const c = new Client();
  const res = await c.post('/login', { body: '<x/>', headers: { 'content-type': 'text/xml' } });
  assert.equal(res.status, 415);
});

test('a role without the calls permission gets a 403 page', async () => {
  // intern has calls but the feed permissions are checked per route.
  const c = new Client();
  await c.login('intern', 'intern');
  assert.equal((await c.get('/calls')).status, 200);
  const feed = await c.get('/customers/1/calls');
  assert.equal(feed.status, 403);
  assert.match(feed.text_, /Your role does not allow this page/);
});

test('every provider- or customer-controlled value is escaped in HTML', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  let url = '/calls', html = '';
  for (let i = 0; i < 10 && url; i++) {
    const res = await c.get(url);
    html += res.text_;
    const m = res.text_.match(/href="(\/calls\?[^"]*before=[^"]+)"/);
    url = m && m[1].replace(/&amp;/g, '&');
  }
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(!/<img src=x onerror/i.test(html));
});

test('a dead database gives 503, never a hang, and recovers', async () => {
  const c = new Client();
  await c.login('manager', 'manager');
  const stack = `${process.env.CB_ROOT}/scripts/stack.sh`;
  execFileSync(stack, ['db-stop'], { stdio: 'inherit' });
  try {
    const t0 = performance.now();
    const page = await c.get('/calls');
    assert.equal(page.status, 503);
    assert.match(page.text_, /database/i);
    assert.ok(performance.now() - t0 < 5000);
    const health = await c.get('/healthz');
    assert.equal(health.status, 503);
  } finally {
    execFileSync(stack, ['db-start'], { stdio: 'inherit' });
  }
  const again = await c.get('/calls');
  assert.equal(again.status, 200);
  assert.equal((await c.get('/healthz')).status, 200);
});
