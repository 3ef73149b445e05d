// Security tests (issue 7 §4): each attack is tried many ways against the
// real stack, and the suite prints a table: attack, attempts, blocked. Every
// attempt must be blocked.
//
// The lists grow by themselves where they can: the CSRF test reads every
// session-authenticated POST route from the programs' route tables
// (cgi/*.c), and the SQL-injection test reads every field of the history
// page's filter form, so a new form or filter is attacked without editing
// this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import { BASE, Client } from '../lib/http.js';
import { postGeneric, api, callsOf, uid, sign } from '../lib/generic.js';
import { sql } from '../lib/db.js';
import { attackTable } from '../lib/attack_table.js';
import { launch, login, watch } from '../lib/browser.js';

const ROOT = process.env.CB_ROOT;
const record = attackTable();

const SQL_ERROR = /SQL syntax|mysql|mariadb|SQLSTATE|You have an error/i;
const SQLI = [
  "' OR 'a'='a", "\" OR \"\"=\"", "') OR ('x'='x", "'; DROP TABLE calls; -- ",
  "' UNION SELECT password_hash FROM users -- ", "%' OR '%'='", "\\' OR sleep(five) -- ",
  "admin'/*", "' AND extractvalue(rand(),concat(char(seventy),version())) -- ",
];

async function session(user) {
  const c = new Client();
  await c.login(user, user);
  return c;
}

test('SQL injection in every filter of the history, the API and the login form', async () => {
  const before = (await sql('SELECT COUNT(*) FROM calls'))[0][0];
  const manager = await session('manager');
  const page = await manager.get('/calls');
  const form = page.text_.slice(page.text_.indexOf('class="filters'));
  const fields = [...new Set([...form.matchAll(/<(?:input|select)[^>]*name="([a-z_]+)"/g)].map((m) => m[1]))]
    .filter((n) => n !== 'csrf');
  assert.ok(fields.length >= 10, `the filter form has its fields: ${fields}`);
  let attempts = 0; let blocked = 0; const missed = [];
  for (const field of fields) {
    for (const p of SQLI) {
      attempts++;
      const r = await manager.get(`/calls?format=json&${field}=${encodeURIComponent(p)}`);
      let rows = 0;
      try { rows = JSON.parse(r.text_).calls.length; } catch { rows = -1; }
      // Handled as data: a 400 with a message, or a page whose rows match
      // the literal text (none does), or an ignored value with a notice.
      const ok = r.status !== 500 && !SQL_ERROR.test(r.text_) &&
        (r.status === 400 || rows === 0 || /ignored|unknown|not a/i.test(r.text_));
      if (ok) blocked++; else missed.push(`${field}=${p} → ${r.status}, ${rows} rows`);
    }
  }
  for (const param of ['external_id', 'integration', 'phone', 'limit', 'before']) {
    for (const p of SQLI) {
      attempts++;
      const r = await api(`/api/v1/calls?${param}=${encodeURIComponent(p)}`);
      const n = r.json_ && Array.isArray(r.json_.calls) ? r.json_.calls.length : 0;
      if (r.status !== 500 && !SQL_ERROR.test(r.text_) && (r.status >= 400 || n === 0)) blocked++;
      else missed.push(`api ${param}=${p} → ${r.status}, ${n} calls`);
    }
  }
  for (const p of SQLI) {
    attempts++;
    const c = new Client();
    const lp = await c.get('/login');
    const csrf = lp.text_.match(/name="csrf" value="([^"]+)"/)[1];
    const r = await c.post('/login', { form: { csrf, login: `admin${p}`, password: p } });
    if (r.status !== 303 && r.status !== 500 && !SQL_ERROR.test(r.text_)) blocked++;
    else missed.push(`login ${p} → ${r.status}`);
  }
  // A note is stored as the exact text typed, never run.
  const id = (await sql('SELECT MAX(id) FROM calls'))[0][0];
  const csrf = await manager.csrf();
  for (const p of SQLI.slice(0, 4)) {
    attempts++;
    const text = `note ${p} ${uid()}`;
    await manager.post(`/calls/${id}/notes`, { form: { csrf, note: text, body: text, text } });
    const n = await sql('SELECT COUNT(*) FROM call_notes WHERE body = ?', [text]).catch(() => [['-1']]);
    if (n[0][0] === '1') blocked++; else missed.push(`note ${p}: stored ${n[0][0]} times`);
  }
  const afterCount = (await sql('SELECT COUNT(*) FROM calls'))[0][0];
  attempts++;
  if (afterCount === before) blocked++; else missed.push(`calls ${before} → ${afterCount}`);
  record('SQL injection (filters, API, login, notes)', attempts, blocked, missed);
});

// Every session POST route of every program, from the route tables.
function sessionPostRoutes() {
  const routes = [];
  for (const f of readdirSync(`${ROOT}/cgi`).filter((n) => n.endsWith('.c'))) {
    const src = readFileSync(`${ROOT}/cgi/${f}`, 'utf8');
    for (const m of src.matchAll(/\{\s*"(\/[^"]*)",\s*([^,]*HTTP_POST[^,]*),\s*AUTH_SESSION/g)) {
      routes.push(m[1].replace(/#/g, '1').replace(/\*/g, 'x'));
    }
  }
  return [...new Set(routes)];
}

test('CSRF: every state-changing route refuses a request without the session token', async () => {
  const routes = sessionPostRoutes();
  assert.ok(routes.includes('/logout') && routes.includes('/calls/1/notes'), routes.join(' '));
  const admin = await session('admin');
  let attempts = 0; let blocked = 0; const missed = [];
  const tries = [
    ['no token', {}],
    ['wrong token', { csrf: 'A'.repeat(43) }],
    ['empty token', { csrf: '' }],
  ];
  for (const route of routes) {
    for (const [label, extra] of tries) {
      attempts++;
      const r = await admin.post(route, { form: { ...extra, note: 'csrf', name: 'csrf' },
        headers: { origin: 'https://evil.example', referer: 'https://evil.example/' } });
      if (r.status === 403) blocked++; else missed.push(`${route} (${label}) → ${r.status}`);
    }
  }
  // The login form: a double-submit cookie; a form posted from elsewhere
  // (no cookie) is refused.
  attempts++;
  const r = await fetch(`${BASE}/login`, { method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=abc&login=admin&password=admin' });
  if (r.status === 403) blocked++; else missed.push(`/login without cookie → ${r.status}`);
  // Still logged in: none of the attempts logged the admin out.
  attempts++;
  if ((await admin.get('/calls')).status === 200) blocked++; else missed.push('the forged /logout worked');
  record(`CSRF (${routes.length} POST routes)`, attempts, blocked, missed);
});

test('session fixation and stale sessions', async () => {
  let attempts = 0; let blocked = 0; const missed = [];
  const fixed = 'f'.repeat(43);
  const victim = new Client();
  victim.cookies.set('cb_session', fixed);
  await victim.login('manager', 'manager');
  attempts++;
  if (victim.cookies.get('cb_session') !== fixed) blocked++; else missed.push('session id kept after login');
  const attacker = new Client();
  attacker.cookies.set('cb_session', fixed);
  attempts++;
  const r = await attacker.get('/calls');
  if (r.status !== 200) blocked++; else missed.push('the fixed id opens the history');
  // After logout the old cookie is dead.
  const stolen = victim.cookies.get('cb_session');
  const csrf = await victim.csrf();
  await victim.post('/logout', { form: { csrf } });
  const thief = new Client();
  thief.cookies.set('cb_session', stolen);
  attempts++;
  if ((await thief.get('/calls')).status !== 200) blocked++; else missed.push('a logged-out session still works');
  // Random and truncated ids.
  for (const v of ['', 'x', stolen.slice(0, 20), `${stolen}x`, '../../etc/passwd', "' OR 1=1 -- "]) {
    attempts++;
    const c = new Client();
    c.cookies.set('cb_session', encodeURIComponent(v));
    if ((await c.get('/calls')).status !== 200) blocked++; else missed.push(`cookie ${v}`);
  }
  record('session fixation / stolen or forged session ids', attempts, blocked, missed);
});

test('recordings without permission: direct, guessed ids, Range, HEAD, path tricks', async () => {
  const ids = (await sql("SELECT id FROM calls WHERE recording_state = 'stored' ORDER BY id LIMIT 5")).map((r) => r[0]);
  assert.ok(ids.length > 0, 'demo calls with recordings');
  const path = (await sql('SELECT recording_path FROM calls WHERE id = ?', [ids[0]]))[0][0];
  const intern = await session('intern');
  const anon = new Client();
  const attempts0 = [];
  for (const id of ids) {
    for (const who of [intern, anon]) {
      attempts0.push([who, 'GET', `/calls/${id}/recording`, {}]);
      attempts0.push([who, 'GET', `/calls/${id}/recording?download=1`, {}]);
      attempts0.push([who, 'GET', `/calls/${id}/recording`, { range: 'bytes=0-15' }]);
      attempts0.push([who, 'HEAD', `/calls/${id}/recording`, {}]);
    }
  }
  for (const who of [intern, anon]) {
    for (const p of [`/_recordings/${path}`, `/_recordings/../recordings/${path}`,
      `/calls/${ids[0]}/recording/../../_recordings/${path}`, `/calls/${ids[0]}/%2e%2e/recording`,
      `/calls/${ids[0]}/recording?path=../../${path}`, `/static/../recordings/${path}`,
      `/static/..%2f..%2frecordings/${path}`, `/calls/${ids[0]}%2frecording`,
      `/calls/0${ids[0]}/recording`, `/calls/${ids[0]}/recording/`]) {
      attempts0.push([who, 'GET', p, {}]);
    }
  }
  let blocked = 0; const missed = [];
  for (const [who, method, p, headers] of attempts0) {
    const h = { ...headers };
    if (who.cookies.size) h.cookie = who.cookieHeader();
    const r = await fetch(BASE + p, { method, headers: h, redirect: 'manual' });
    const body = Buffer.from(await r.arrayBuffer());
    const gave = (r.status === 200 || r.status === 206) && (method === 'HEAD' ||
      body.subarray(0, 4).toString() === 'RIFF' || r.headers.get('content-type')?.startsWith('audio/'));
    if (!gave) blocked++; else missed.push(`${method} ${p} → ${r.status}`);
  }
  record('recording bytes without permission', attempts0.length, blocked, missed);
});

test('forged and replayed provider signatures store nothing', async () => {
  let attempts = 0; let blocked = 0; const missed = [];
  const now = Math.floor(Date.now() / 1000);
  const check = async (label, res, slug, externalId) => {
    attempts++;
    const stored = await callsOf(slug, externalId);
    if (res.status === 403 && stored.length === 0) blocked++;
    else missed.push(`${label} → ${res.status}, ${stored.length} stored`);
  };
  const gen = (id) => ({ event: 'call.start', call_id: id, direction: 'in', from: '+380671112233', start: now });
  let id = uid('forge');
  await check('generic: wrong secret', await postGeneric(gen(id), { secret: 'not-the-secret' }), 'generic', id);
  id = uid('forge');
  await check('generic: stale timestamp', await postGeneric(gen(id), { ts: now - 3600 }), 'generic', id);
  id = uid('forge');
  await check('generic: future timestamp', await postGeneric(gen(id), { ts: now + 3600 }), 'generic', id);
  id = uid('forge');
  await check('generic: no signature', await fetch(`${BASE}/hook/generic`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(gen(id)) }), 'generic', id);
  id = uid('forge');
  {
    // A valid signature of another body.
    const h = sign(JSON.stringify(gen('other')));
    await check('generic: signature of another body', await fetch(`${BASE}/hook/generic`, { method: 'POST',
      headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify(gen(id)) }), 'generic', id);
  }
  id = uid('forge');
  await check('asterisk: wrong secret', await postGeneric(gen(id), { slug: 'asterisk', secret: 'nope' }), 'asterisk', id);
  // Twilio: signed by the real library with a wrong token, and a valid
  // signature replayed on other parameters.
  for (const [label, token, tamper] of [['twilio: wrong token', 'wrong-token', false],
    ['twilio: parameters changed after signing', 'demo-twilio-token', true]]) {
    id = `CA${uid('f').replace(/[^a-z0-9]/gi, '')}`;
    const params = { CallSid: id, AccountSid: 'ACdemo', From: '+380671112233', To: '+14155550123',
      CallStatus: 'ringing', Direction: 'inbound' };
    const sig = twilio.getExpectedTwilioSignature(token, `${BASE}/hook/twilio`, params);
    const sent = tamper ? { ...params, From: '+380679998877' } : params;
    const res = await fetch(`${BASE}/hook/twilio`, { method: 'POST', body: new URLSearchParams(sent).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig } });
    await check(label, res, 'twilio', id);
  }
  // Zadarma: a wrong signature.
  id = `${now}.${Math.floor(Math.random() * 1e6)}`;
  {
    const f = { event: 'NOTIFY_START', call_start: '2026-11-23 10:00:00', pbx_call_id: id,
      caller_id: '+380671112233', called_did: '+380441234567' };
    const bad = Buffer.from(createHmac('sha1', 'wrong').update(`${f.caller_id}${f.called_did}${f.call_start}`).digest('hex')).toString('base64');
    const res = await fetch(`${BASE}/hook/zadarma`, { method: 'POST', body: new URLSearchParams(f).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', signature: bad } });
    await check('zadarma: wrong signature', res, 'zadarma', id);
  }
  // Binotel: a wrong key.
  id = String(Math.floor(Math.random() * 1e9));
  {
    const body = new URLSearchParams({ requestType: 'receivedTheCall', 'callDetails[generalCallID]': id,
      'callDetails[externalNumber]': '0671112233', 'callDetails[callType]': '0', 'callDetails[startTime]': String(now) });
    const res = await fetch(`${BASE}/hook/binotel?key=not-the-key`, { method: 'POST', body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await check('binotel: wrong key', res, 'binotel', id);
  }
  // A valid generic event replayed 5 times: stored once.
  id = uid('replay');
  const ev = { ...gen(id), event_id: `${id}-1` };
  const first = await postGeneric(ev);
  assert.equal(first.status, 200, first.text_);
  for (let i = 0; i < 5; i++) await postGeneric(ev);
  attempts++;
  const rows = await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]);
  if (rows[0][0] === '1' && (await callsOf('generic', id)).length === 1) blocked++;
  else missed.push(`replayed event stored ${rows[0][0]} times`);
  record('forged / replayed provider signatures', attempts, blocked, missed);
});

// Raw HTTP on a socket: the answer's status line, or 'closed' when the
// server hangs up without one.
function rawRequest(chunks, { pauseMs = 0, waitMs = 20000 } = {}) {
  return new Promise((resolve) => {
    const u = new URL(BASE);
    const s = net.connect(Number(u.port), u.hostname);
    let data = '';
    const t0 = Date.now();
    const timer = setTimeout(() => { s.destroy(); resolve({ status: 'timeout', ms: Date.now() - t0 }); }, waitMs);
    s.on('data', (d) => { data += d; });
    s.on('close', () => {
      clearTimeout(timer);
      const m = data.match(/^HTTP\/1\.[01] (\d{3})/);
      resolve({ status: m ? Number(m[1]) : 'closed', ms: Date.now() - t0 });
    });
    s.on('error', () => {});
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

test('oversized and slow requests', { timeout: 60000 }, async () => {
  let attempts = 0; let blocked = 0; const missed = [];
  const expect = (label, ok, got) => { attempts++; if (ok) blocked++; else missed.push(`${label} → ${got}`); };
  const big = 'x'.repeat(2 * 1024 * 1024);
  let r = await fetch(`${BASE}/hook/generic`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
  expect('2 MB provider event', r.status === 413, r.status);
  r = await fetch(`${BASE}/login`, { method: 'POST', body: `login=${big}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect('2 MB login form', r.status === 413, r.status);
  r = await fetch(`${BASE}/api/v1/customers`, { method: 'POST', body: big,
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-api-token' } });
  expect('2 MB API body', r.status === 413, r.status);
  r = await fetch(`${BASE}/calls?q=${'1'.repeat(100000)}`);
  expect('100 KB URL', r.status === 414 || r.status === 400, r.status);
  r = await fetch(`${BASE}/calls`, { headers: { cookie: `cb_session=${'a'.repeat(64 * 1024)}` } });
  expect('64 KB cookie', r.status === 400 || r.status === 431, r.status);
  for (const depth of [5000, 200000]) {
    const raw = '{"event":"call.start","call_id":"' + uid('deep') + '","x":' + '['.repeat(depth) + ']'.repeat(depth) + '}';
    r = await fetch(`${BASE}/hook/generic`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...sign(raw) } });
    expect(`JSON nested ${depth} deep`, r.status === 400, r.status);
  }
  // Slow clients: headers that never end, a body that never comes. nginx
  // hangs up (client_header_timeout / client_body_timeout in callboard.conf)
  // and meanwhile serves everybody else.
  const slowHeaders = rawRequest(['GET /calls HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n'], { pauseMs: 100 });
  const slowBody = rawRequest(['POST /hook/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"a":']);
  const t0 = Date.now();
  const ok = await fetch(`${BASE}/healthz`);
  expect('served during slow clients', ok.status === 200 && Date.now() - t0 < 2000, `${ok.status} in ${Date.now() - t0} ms`);
  const [sh, sb] = await Promise.all([slowHeaders, slowBody]);
  expect('headers that never end', sh.status !== 'timeout', `${sh.status} after ${sh.ms} ms`);
  expect('a body that never comes', sb.status !== 'timeout' && sb.status !== 200, `${sb.status} after ${sb.ms} ms`);
  record('oversized and slow requests', attempts, blocked, missed);
});

test('stored XSS in every field a caller or customer controls (chromium)', { timeout: 90000 }, async () => {
  const payloads = ['"><img src=x onerror=alert(1)>', "<script>alert('x')</script>", "javascript:alert(3)",
    "'><svg onload=alert(4)>"];
  const browser = await launch();
  let attempts = 0; let blocked = 0; const missed = [];
  try {
    const pages = [];
    for (const [i, p] of payloads.entries()) {
      const number = `+38067${String(4400000 + i + Math.floor(Math.random() * 90000)).padStart(7, '0')}`;
      const cust = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Cust ${p}`, phones: [number], email: 'x@example.com' }) });
      assert.ok(cust.status === 201 || cust.status === 200, cust.text_);
      const callId = uid('xss');
      const now = Math.floor(Date.now() / 1000);
      const res = await postGeneric({ event: 'call.end', call_id: callId, direction: 'in', from: number,
        caller_name: `Caller ${p}`, did: '+380441234567', ext: '101', status: 'answered', start: now - 30,
        answer: now - 20, end: now, billsec: 20, hangup_cause: p.slice(0, 60) });
      assert.equal(res.status, 200, res.text_);
      const [c] = await callsOf('generic', callId);
      const id = c.id;
      const customerId = cust.json_.id || cust.json_.customer?.id;
      pages.push(`/calls/${id}`, `/calls?q=${encodeURIComponent(number)}`, `/customers/${customerId}/calls`);
      const m = new Client();
      await m.login('manager', 'manager');
      const csrf = await m.csrf();
      await m.post(`/calls/${id}/notes`, { form: { csrf, note: `Note ${p}`, body: `Note ${p}`, text: `Note ${p}` } });
    }
    const page = await browser.context.newPage();
    const events = watch(page);
    await login(page, 'manager', 'manager');
    for (const p of pages) {
      attempts++;
      await page.goto(BASE + p);
      const injected = await page.evaluate(() => document.querySelectorAll('img[src="x"], svg[onload], script:not([src])').length);
      if (events.dialogs.length === 0 && injected === 0) blocked++;
      else missed.push(`${p}: ${events.dialogs.join(',')} ${injected} injected elements`);
    }
    attempts++;
    if (events.errors.length === 0) blocked++; else missed.push(events.errors.join(' | '));
    await page.close();
  } finally {
    await browser.close();
  }
  record('stored XSS (caller name, customer name, notes, hangup cause)', attempts, blocked, missed);
});
