// Attacks of issue 16 (items 3, 5, 6, 8, 11, 12, 13), each tried several ways against the real
// stack; the suite prints attack / attempts / blocked like security.test.js, and every attempt
// must be blocked:
//   - SSRF with read-back through recording downloads (loopback by every spelling, a redirect
//     from an allowed host to a forbidden one);
//   - password guessing (one login, many logins from one address, a concurrent flood while
//     /healthz is timed), without locking the real user out;
//   - open redirect through /login?next=;
//   - Binotel's ?key= in nginx's access log;
//   - a stolen session that outlives the password change;
//   - API mistakes answered 503, and names cut at a NUL;
//   - fake popups published by any local program.
// Login attacks come from their own loopback addresses (127.0.0.6x), so the other tests'
// logins from 127.0.0.1 are never throttled by them; their counts are deleted afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BASE, Client } from '../lib/http.js';
import { api, uid } from '../lib/generic.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const STATE = process.env.CB_STATE_DIR;
const base = new URL(BASE);
const table = [];
function record(attack, attempts, blocked, missed = []) {
  table.push({ attack, attempts, blocked });
  assert.equal(blocked, attempts, `${attack}: not blocked: ${missed.slice(0, 5).join(' | ')}`);
}
after(() => {
  const w = Math.max(...table.map((r) => r.attack.length), 6);
  console.log(`\n| ${'attack'.padEnd(w)} | attempts | blocked |`);
  console.log(`|${'-'.repeat(w + 2)}|----------|---------|`);
  for (const r of table) console.log(`| ${r.attack.padEnd(w)} | ${String(r.attempts).padStart(8)} | ${String(r.blocked).padStart(7)} |`);
});

// One request from a chosen loopback source address (nginx sees it as REMOTE_ADDR).
function raw(pathname, { method = 'GET', body, headers = {}, from = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: base.hostname, port: base.port, path: pathname, method, headers,
      localAddress: from, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}

// A login form (double-submit cookie) fetched from `from`; returns a function that posts it.
async function loginForm(from) {
  const page = await raw('/login', { from });
  const cookie = page.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
  return (login, password) => raw('/login', { method: 'POST', from,
    body: new URLSearchParams({ csrf, login, password }).toString(),
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
}

after(async () => {
  await sql("DELETE FROM login_attempts WHERE addr LIKE '127.0.0.6%'");
});

// --- item 3: SSRF through recording downloads ---------------------------------------------

let secretServer, redirector;
const secretHits = [];
let redirectHits = 0;
const savedConfig = new Map();

before(async () => {
  // "Internal" service on loopback: must never be reached for an event's URL.
  secretServer = http.createServer((req, res) => {
    secretHits.push(req.url);
    res.writeHead(200, { 'content-type': 'audio/mpeg' });
    res.end(Buffer.from('ID3 internal secret bytes'));
  });
  await new Promise((r) => secretServer.listen(0, '127.0.0.1', r));
  // A host this integration is allowed to reach (127.0.0.2 only), redirecting elsewhere.
  redirector = http.createServer((req, res) => {
    redirectHits++;
    res.writeHead(302, { location: `http://127.0.0.1:${secretServer.address().port}/after-redirect` });
    res.end();
  });
  await new Promise((r) => redirector.listen(0, '127.0.0.2', r));
  for (const [slug, config] of await sql("SELECT slug, config FROM integrations WHERE slug IN ('twilio', 'generic')")) {
    savedConfig.set(slug, config === 'NULL' ? null : config);
  }
  await sql("UPDATE integrations SET config = JSON_REMOVE(COALESCE(config, '{}'), '$.allow_private_hosts') WHERE slug = 'twilio'");
  await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.allow_private_hosts', JSON_ARRAY('127.0.0.2/32')) WHERE slug = 'generic'");
});

after(async () => {
  for (const [slug, config] of savedConfig) await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  secretServer.closeAllConnections();
  await new Promise((r) => secretServer.close(r));
  await new Promise((r) => redirector.close(r));
});

async function pendingCall(slug, recordingUrl) {
  const ext = `ssrf-${uid()}`;
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result,
       started_at, answered_at, ended_at, talk_seconds, recording_state, recording_url)
     SELECT id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
       UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, 'pending', ?
     FROM integrations WHERE slug = ?`, [ext, recordingUrl, slug]);
  const [[id]] = await sql(
    'SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = ? AND c.external_id = ?', [slug, ext]);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  return id;
}

// Waits until the call's jobs are done or failed (moving retries forward); returns the
// recording state and the last error.
async function settle(id) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await sql("SELECT state, last_error FROM jobs WHERE call_id = ? AND kind = 'recording.fetch'", [id]);
    if (rows.length && rows.every(([s]) => s === 'done' || s === 'failed')) {
      const [[state]] = await sql('SELECT recording_state FROM calls WHERE id = ?', [id]);
      return { state, error: rows.map((r) => r[1]).join(' ') };
    }
    if (Date.now() > deadline) assert.fail(`jobs of call ${id} not settled: ${JSON.stringify(rows)}`);
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [id]);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('SSRF: recording URLs naming loopback in any spelling, or redirecting there, are never fetched', { timeout: 180_000 }, async () => {
  const port = secretServer.address().port;
  const urls = [
    `http://127.0.0.1:${port}/rec`, `http://2130706433:${port}/rec`, `http://0x7f000001:${port}/rec`,
    `http://0177.0.0.1:${port}/rec`, `http://127.1:${port}/rec`, `http://localhost:${port}/rec`,
    `http://[::ffff:127.0.0.1]:${port}/rec`, `http://[::1]:${port}/rec`, `http://LocalHost.:${port}/rec`,
  ];
  const manager = new Client();
  await manager.login('manager', 'manager');
  let attempts = 0; let blocked = 0; const missed = [];
  const attack = async (slug, url) => {
    attempts++;
    const before = secretHits.length;
    const id = await pendingCall(slug, url);
    const { state, error } = await settle(id);
    const served = await manager.get(`/calls/${id}/recording`);
    const leaked = served.status === 200 && served.text_.includes('internal secret');
    if (secretHits.length === before && state !== 'stored' && !leaked && /not a public address|resolve/.test(error)) blocked++;
    else missed.push(`${slug} ${url}: ${state}, internal hits ${secretHits.length - before}, ${error}`);
  };
  for (const url of urls) await attack('twilio', url);
  // Allowed first hop (the integration's allow_private_hosts is 127.0.0.2/32), forbidden second.
  const hopsBefore = redirectHits;
  await attack('generic', `http://127.0.0.2:${redirector.address().port}/rec.mp3`);
  assert.ok(redirectHits > hopsBefore, 'the allowed host was reached: the allowance works');
  record('SSRF: recording URL to loopback / via redirect', attempts, blocked, missed);
});

// --- item 5: password guessing ----------------------------------------------------------

// Sends tries from one address and counts those made while a block announced by the server
// (Retry-After) was still running for sure: each of them must be refused with 429.
async function tryWhileBlocked(post, next, want) {
  let until = 0; let attempts = 0; let blocked = 0; let checked = 0; const missed = [];
  for (let i = 0; attempts < want && i < 200; i++) {
    const sentAt = Date.now();
    const r = await post(...next(i));
    if (r.status === 401) checked++;
    if (sentAt < until) {
      attempts++;
      if (r.status === 429 && /Too many wrong passwords from your address\. Try again in \d+ (second|minute)/.test(r.text)) blocked++;
      else missed.push(`try ${i} → ${r.status}`);
    }
    const ra = Number(r.headers['retry-after'] || 0);
    assert.ok(ra <= 900, `Retry-After ${ra} is at most 15 minutes: nobody is locked out for long`);
    // Whole seconds, rounded up: the block surely lasts (ra - 1) s after the answer.
    if (ra > 1) until = Math.max(until, Date.now() + (ra - 1) * 1000);
    else if (ra === 1 && until < sentAt) await new Promise((res) => setTimeout(res, 1000));
  }
  // No block announced at all is a failure too, not an empty table row.
  assert.equal(attempts, want, `only ${attempts} tries fell inside a block the server announced (${checked} checked)`);
  return { attempts, blocked, checked, missed };
}

test('password guessing: one login from one address is slowed down, the real user elsewhere is not', { timeout: 120_000 }, async () => {
  const post = await loginForm('127.0.0.61');
  const first = [];
  for (let i = 0; i < 4; i++) first.push((await post('manager', `typo-${i}`)).status);
  assert.deepEqual(first, [401, 401, 401, 401], 'the first few mistakes are ordinary');
  const fifth = await post('manager', 'typo-4');
  assert.equal(fifth.status, 401);
  assert.equal(fifth.headers['retry-after'], '1', 'the fifth mistake starts a 1 s wait, and says so');
  assert.match(fifth.text, /wait 1 second before the next try/);
  const r = await tryWhileBlocked(post, (i) => ['manager', `guess-${i}`], 12);
  // Blocks double with every checked guess: a handful were checked in all that time.
  assert.ok(r.checked <= 6, `${r.checked} guesses were checked`);
  // Even the right password waits while this address is blocked for this login...
  const right = await post('manager', 'manager');
  r.attempts++;
  if (right.status === 429) r.blocked++; else r.missed.push(`right password while blocked → ${right.status}`);
  record('password guessing: one login from one address', r.attempts, r.blocked, r.missed);
  // ...but the real user, from their own address, logs in at once: no lock-out.
  const real = await (await loginForm('127.0.0.62'))('manager', 'manager');
  assert.equal(real.status, 303, 'the account is not locked for everyone');
  // The block runs out by itself.
  await sql("UPDATE login_attempts SET blocked_until = UTC_TIMESTAMP(3) WHERE addr = '127.0.0.61'");
  assert.equal((await post('manager', 'manager')).status, 303);
});

test('password spraying: many logins from one address are slowed down too', { timeout: 120_000 }, async () => {
  const post = await loginForm('127.0.0.63');
  for (let i = 0; i < 39; i++) {
    assert.equal((await post(`spray${i}`, 'Winter2026!')).status, 401, `spray ${i}`);
    // nginx's own limit (20 a second per address, bursts of 40) is not what this tests.
    if (i % 4 === 3) await new Promise((res) => setTimeout(res, 1000));
  }
  const r = await tryWhileBlocked(post, (i) => [`spray-b${i}`, 'Winter2026!'], 10);
  record('password spraying from one address', r.attempts, r.blocked, r.missed);
});

test('a login flood: few passwords checked, /healthz stays fast', { timeout: 120_000 }, async () => {
  const timeHealthz = async (ms) => {
    const lat = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      assert.equal((await raw('/healthz')).status, 200);
      lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 20));
    }
    return lat.sort((a, b) => a - b);
  };
  const pct = (lat, f) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))];
  const idle = await timeHealthz(1000);
  const post = await loginForm('127.0.0.64');
  const counts = {};
  let sent = 0;
  const N = 300;
  const flood = async () => {
    while (sent < N) {
      sent++;
      const r = await post('manager', `flood-${sent}`);
      counts[r.status] = (counts[r.status] || 0) + 1;
    }
  };
  let busy = [];
  const probing = (async () => { while (sent < N) busy = busy.concat(await timeHealthz(200)); })();
  await Promise.all(Array.from({ length: 8 }, flood));
  await probing;
  busy.sort((a, b) => a - b);
  console.log(`login flood: ${N} attempts from one address, answers ${JSON.stringify(counts)}; /healthz ms idle p50 ${pct(idle, 0.5).toFixed(1)} p90 ${pct(idle, 0.9).toFixed(1)}, during the flood p50 ${pct(busy, 0.5).toFixed(1)} p90 ${pct(busy, 0.9).toFixed(1)} max ${busy[busy.length - 1].toFixed(1)} (${busy.length} probes)`);
  // Every attempt beyond the free ones and a few in flight is refused before any hashing. (Before
  // the fix: all 300 checked, ~7 a second in the sanitizer build, /healthz p50 ~1 s meanwhile.)
  const checked = counts[401] || 0;
  const attempts = N; const blocked = N - Math.max(0, checked - 10);
  record('login flood: passwords checked beyond the first 10', attempts, blocked,
    [`${checked} passwords checked: ${JSON.stringify(counts)}`]);
  assert.ok((counts[429] || 0) + (counts[503] || 0) + checked === N, JSON.stringify(counts));
  assert.ok(pct(busy, 0.5) < Math.max(400, 4 * pct(idle, 0.5)), `/healthz p50 ${pct(busy, 0.5)} ms during the flood`);
});

// --- item 6: open redirect after login --------------------------------------------------

test('open redirect: next= never leaves the site, whatever the browser strips', async () => {
  const nexts = ['/%09/evil.example', '/%0a/evil.example', '/%0d%0a/evil.example', '/%09%09/evil.example',
    '//evil.example', '/%5Cevil.example', '/%09%5Cevil.example', '/%5C%5Cevil.example', 'https://evil.example',
    '%2F%2Fevil.example', 'https:evil.example', '/%2509/evil.example%0a', '/%E2%80%8B/evil.example',
    '/\t/evil.example', '/%20/evil.example', '/%00/evil.example', '/%7F/evil.example'];
  // What a browser does with a Location: drop tabs and newlines, then resolve it.
  const lands = (loc) => new URL(loc.replace(/[\t\n\r]/g, ''), BASE).origin;
  const logged = new Client();
  await logged.login('manager', 'manager');
  let attempts = 0; let blocked = 0; const missed = [];
  for (const n of nexts) {
    attempts++;
    const q = n.startsWith('/\t') ? encodeURIComponent(n) : n;
    const r = await logged.get(`/login?next=${q}`);
    const loc = r.headers.get('location') || '';
    // 303 to a path of this site, or 400 (the request layer refuses a NUL outright).
    if ((r.status === 303 && lands(loc) === base.origin && !/[\x00-\x20\x7f\\]/.test(loc)) ||
        (r.status === 400 && !loc)) blocked++;
    else missed.push(`logged in, next=${n} → ${r.status} ${JSON.stringify(loc)}`);
  }
  // The login form's own next field, on the way in.
  for (const n of ['/\t/evil.example', '/\n/evil.example', '/\\evil.example', '//evil.example']) {
    attempts++;
    const page = await raw('/login');
    const cookie = page.headers['set-cookie'].map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
    const r = await raw('/login', { method: 'POST', body: new URLSearchParams({ csrf, login: 'manager', password: 'manager', next: n }).toString(),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    const loc = r.headers.location || '';
    if (r.status === 303 && lands(loc) === base.origin && !/[\x00-\x20\x7f\\]/.test(loc)) blocked++;
    else missed.push(`login form next=${JSON.stringify(n)} → ${r.status} ${JSON.stringify(loc)}`);
  }
  record('open redirect through next=', attempts, blocked, missed);
  // A same-site path still works, query included.
  const ok = await logged.get(`/login?next=${encodeURIComponent('/calls?phone=067')}`);
  assert.equal(ok.headers.get('location'), '/calls?phone=067');
});

// --- item 8: Binotel's key in nginx's access log ----------------------------------------

test("Binotel's ?key= never reaches nginx's access log", async () => {
  const log = path.join(STATE, 'log', 'nginx-access.log');
  const keys = [];
  for (const [method, q] of [['POST', 'key=K'], ['POST', 'a=1&key=K'], ['GET', 'key=K'], ['POST', 'key=K&x=%0a']]) {
    const key = `leak${crypto.randomBytes(8).toString('hex')}`;
    keys.push(key);
    await raw(`/hook/binotel?${q.replace('K', key)}`, { method, body: method === 'POST' ? 'requestType=apiCallSettings' : undefined,
      headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {} });
  }
  await new Promise((r) => setTimeout(r, 300));   // nginx writes the line after the response
  const text = await fs.readFile(log, 'utf8');
  let blocked = 0; const missed = [];
  for (const k of keys) if (!text.includes(k)) blocked++; else missed.push(`${k} logged`);
  assert.match(text, /"(POST|GET) \/hook\/binotel HTTP\/1\.1"/, 'the hook requests are still logged, by path');
  record("Binotel ?key= in nginx's access log", keys.length, blocked, missed);
});

// --- item 11: sessions after a password change ------------------------------------------

test('changing your own password ends your other sessions and keeps this one', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'admin'");
  const login = uniq('pwchange');
  const id = await createUser(admin, { name: 'Pw Changer', login, role_id: roleId, password: 'first long pw' });
  const here = new Client(); const stolen = new Client(); const phone = new Client();
  await here.login(login, 'first long pw');
  await stolen.login(login, 'first long pw');
  await phone.login(login, 'first long pw');
  const r = await here.post(`/settings/users/${id}`, { form: { csrf: await here.csrf(), name: 'Pw Changer', login,
    role_id: roleId, time_zone: 'UTC', active: '1', password: 'second long pw' } });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  let blocked = 0; const missed = [];
  for (const [name, c] of [['stolen', stolen], ['phone', phone]]) {
    const p = await c.get('/calls');
    if (p.status === 303 && /^\/login/.test(p.headers.get('location'))) blocked++; else missed.push(`${name} session → ${p.status}`);
  }
  record('old sessions after a password change', 2, blocked, missed);
  assert.equal((await here.get('/calls')).status, 200, 'the session that changed it goes on');
  await sql('UPDATE users SET active = 0 WHERE id = ?', [id]);
});

// --- item 12: the JSON API's answers to mistakes ----------------------------------------

test('API: client mistakes are 400, never 503, and a NUL is refused, never cut at', async () => {
  const name = `Cut${uid()}`;
  const bodies = [
    { name: `${name}\u0000tail` }, { name: 'x', email: `a\u0000@example.com` }, { name: 'x', external_id: 'e'.repeat(200) },
    { name: 'x', email: 'e'.repeat(300) }, { name: 'n'.repeat(300) }, { name: 'x', phones: ['067\u00001234567'] },
    { name: 'x', email: ['a'] }, { name: 'x', manager_login: 'l'.repeat(100) },
  ];
  let blocked = 0; const missed = [];
  for (const b of bodies) {
    const r = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    if (r.status === 400 && r.json_ && /"[a-z_]+"(\[\d+\])? /.test(r.json_.error.message)) blocked++;
    else missed.push(`${JSON.stringify(b).slice(0, 60)} → ${r.status} ${r.text_.slice(0, 120)}`);
  }
  const [[cut]] = await sql('SELECT COUNT(*) FROM customers WHERE name = ?', [name]);
  assert.equal(Number(cut), 0, 'no customer stored with the name cut at the NUL');
  record('API: 503 for client mistakes, NUL truncation', bodies.length, blocked, missed);
});

// --- item 13: the popup publisher -------------------------------------------------------

test('popups: a local program without the secret cannot publish or disconnect subscribers', async () => {
  const [[uidManager]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const where = `/_pub/manager/${uidManager}`;
  const fake = JSON.stringify({ call_id: 1, state: 'ringing', name: 'Fake popup', url: 'https://evil.example/' });
  const tries = [
    ['POST', {}], ['POST', { 'x-callboard-publish-secret': '' }], ['POST', { 'x-callboard-publish-secret': 'guess' }],
    ['POST', { 'x-callboard-publish-secret': 'LIVE_PUBLISH_SECRET' }], ['DELETE', {}], ['DELETE', { 'x-callboard-publish-secret': '0' }],
    ['GET', {}], ['PUT', {}],
  ];
  let blocked = 0; const missed = [];
  for (const [method, headers] of tries) {
    const r = await raw(where, { method, headers: { 'content-type': 'application/json', ...headers }, body: method === 'POST' || method === 'PUT' ? fake : undefined });
    if (r.status === 403) blocked++; else missed.push(`${method} ${JSON.stringify(headers)} → ${r.status}`);
  }
  record('fake popups / disconnects via /_pub/', tries.length, blocked, missed);
  // The hook's own publishes still go through (the secret from the stack's config).
  const secret = (await fs.readFile(path.join(STATE, 'publish-secret'), 'utf8')).trim();
  const ok = await raw(where, { method: 'POST', headers: { 'content-type': 'application/json', 'x-callboard-publish-secret': secret },
    body: JSON.stringify({ call_id: 0, state: 'test' }) });
  assert.ok(ok.status >= 200 && ok.status < 300, `publish with the secret: ${ok.status}`);
});
