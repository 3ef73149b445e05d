// Providers whose API wants a login first (issue 17: the descriptor's
// prepare step, lib/dial/prepare.c): Phonet (POST rest/security/authorize
// → a JSESSIONID session cookie, providers-2.md §1.4) and Yeastar P-Series
// (POST openapi/v1.0/get_token → a 30-minute access token, §5.1). A local
// stand-in of each API (node http on loopback) checks the exact requests
// and keeps its own sessions/tokens, so it can end them ("expired") or
// refuse the credentials. Through nginx and the real programs:
//   - click-to-call logs in, then calls with the session/token;
//   - a session the provider ended: one new login, then success;
//   - wrong credentials: a clear message on the page, one login, no loop;
//   - Yeastar recordings: the 30-minute link asked for with the token, the
//     file downloaded with it (worker);
//   - reconciliation (`callboard reconcile`): Phonet's history confirms a
//     call's result and talk time, a lost call appears once, a second run
//     changes nothing, a garbage answer leaves everything as it was and the
//     integration's status page says why; Yeastar's cdr/search likewise.
// The demo integrations' config and secrets are restored afterwards.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { BASE, Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { reconcile, counts, snapshot } from '../lib/history_standin.js';

const PH_DOMAIN = 'acme.phonet.com.ua';
const PH_KEY = 'ph-api-key-1';
const YS_ID = 'ys-client-id';
const YS_SECRET = 'ys-client-secret';
const uuid = () => crypto.randomUUID();
const now = () => Math.floor(Date.now() / 1000);

let server, standIn, manager, admin;
let hits = [];
const state = {
  phSessions: new Set(), ysTokens: new Set(),
  phonet: [],           // history records
  yeastar: [],          // CDRs
  unitalk: [],          // history calls, newest first
  mode: 'ok',           // 'garbage': history answers HTML
  audio: crypto.randomBytes(2000),
};
const saved = new Map();

function json(res, obj, status = 200, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(obj));
}

function answer(req, body, res) {
  const url = new URL(req.url, 'http://x');
  hits.push({ method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
  const cookie = (req.headers.cookie || '').replace(/^JSESSIONID=/, '');
  const token = url.searchParams.get('access_token');
  // --- Phonet (§1.4, §1.7, §1.8)
  if (url.pathname === '/rest/security/authorize' && req.method === 'POST') {
    const b = JSON.parse(body);
    if (b.domain !== PH_DOMAIN || b.apiKey !== PH_KEY) return json(res, { error: 'Forbidden' }, 403);
    const s = crypto.randomBytes(8).toString('hex');
    state.phSessions.add(s);
    return json(res, {}, 200, { 'set-cookie': `JSESSIONID=${s}; Path=/; HttpOnly` });
  }
  if (url.pathname.startsWith('/rest/')) {
    if (!state.phSessions.has(cookie)) return json(res, { error: 'Forbidden' }, 403);
    if (url.pathname === '/rest/user/makeCall' && req.method === 'POST') {
      if (state.expireNext) {             // the session dies under the caller
        state.expireNext = false;
        state.phSessions.delete(cookie);
        return json(res, { error: 'Forbidden' }, 403);
      }
      return json(res, { uuid: uuid() });
    }
    if (url.pathname === '/rest/calls/company.api' && req.method === 'GET') {
      if (state.mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>maintenance</html>');
      }
      const b = JSON.parse(body);
      return json(res, state.phonet.slice(b.offset, b.offset + b.limit));
    }
  }
  // --- UniTalk recordings (§2.6): the file appears a while after the call
  if (url.pathname.startsWith('/tracking/rec/')) {
    state.utAsked = (state.utAsked || 0) + 1;
    if (req.headers.authorization !== 'ut-key-1' || state.utAsked < 2) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no such record');
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg' });
    return res.end(state.audio);
  }
  // --- UniTalk's history (§2.8): POST {limit, offset}, newest first
  if (url.pathname === '/tracking/api/calls/history' && req.method === 'POST') {
    if (req.headers.authorization !== 'ut-key-1') return json(res, { status: 'Error', message: 'Authorization invalid' });
    const b = JSON.parse(body);
    return json(res, { count: state.unitalk.length, calls: state.unitalk.slice(b.offset, b.offset + b.limit), warning: null });
  }
  // --- Yeastar (§5.1, §5.7, §5.8, §5.9): errcode, not the HTTP status
  if (url.pathname.startsWith('/openapi/') || url.pathname.startsWith('/api/download/')) {
    if (req.headers['user-agent'] !== 'OpenAPI') return json(res, { errcode: 40002, errmsg: 'NO USER AGENT' });
    if (url.pathname === '/openapi/v1.0/get_token') {
      const b = JSON.parse(body);
      if (b.username !== YS_ID || b.password !== YS_SECRET) {
        return json(res, { errcode: 20004, errmsg: 'INVALID USERNAME OR PASSWORD' });
      }
      const t = crypto.randomBytes(12).toString('hex');
      state.ysTokens.add(t);
      return json(res, { errcode: 0, errmsg: 'SUCCESS', access_token_expire_time: 1800, access_token: t,
        refresh_token_expire_time: 86400, refresh_token: 'r' });
    }
    if (state.expireNext && (url.pathname === '/openapi/v1.0/call/dial' || url.pathname === '/openapi/v1.0/cdr/search')) {
      state.expireNext = false;
      state.ysTokens.delete(token);
    }
    if (!state.ysTokens.has(token)) return json(res, { errcode: 10004, errmsg: 'TOKEN EXPIRED' });
    if (url.pathname === '/openapi/v1.0/call/dial') return json(res, { errcode: 0, errmsg: 'SUCCESS', call_id: '1.2' });
    if (url.pathname === '/openapi/v1.0/call/hangup') return json(res, { errcode: 0, errmsg: 'SUCCESS' });
    if (url.pathname === '/openapi/v1.0/recording/download') {
      return json(res, { errcode: 0, errmsg: 'SUCCESS', file: url.searchParams.get('file'),
        download_resource_url: `/api/download/Recording-${url.searchParams.get('file')}` });
    }
    if (url.pathname.startsWith('/api/download/')) {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      return res.end(state.audio);
    }
    if (url.pathname === '/openapi/v1.0/cdr/search') {
      if (state.mode === 'garbage') return json(res, { oops: true });
      return json(res, { errcode: 0, errmsg: 'SUCCESS', total_number: state.yeastar.length, data: state.yeastar });
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not here');
}

async function setIntegration(slug, config, secrets) {
  await sql('UPDATE integrations SET config = ?, secrets = ? WHERE slug = ?',
    [JSON.stringify(config), JSON.stringify(secrets), slug]);
}

const phConfig = () => ({ allowed_ips: ['127.0.0.1', '::1'], domain: PH_DOMAIN, api_base: standIn,
  allow_private_hosts: ['127.0.0.0/8'] });
const ysConfig = () => ({ api_base: standIn, allow_private_hosts: ['127.0.0.0/8'], time_zone: 'UTC' });

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  standIn = `http://127.0.0.1:${server.address().port}`;
  for (const [slug, config, secrets] of await sql("SELECT slug, config, secrets FROM integrations WHERE slug IN ('phonet','yeastar','unitalk')")) {
    saved.set(slug, [config, secrets]);
  }
  await setIntegration('phonet', phConfig(), { key: 'demo-phonet-key', api_key: PH_KEY });
  await setIntegration('yeastar', ysConfig(), { key: 'demo-yeastar-key', client_id: YS_ID, client_secret: YS_SECRET });
  await setIntegration('unitalk', { api_base: `${standIn}/tracking/api`, allow_private_hosts: ['127.0.0.0/8'],
    history_path: '/calls/history', time_zone: 'UTC' },
    { token: 'demo-unitalk-token', api_key: 'ut-key-1' });
  manager = new Client();
  await manager.login('manager', 'manager');
  admin = new Client();
  await admin.login('admin', 'admin');
});

after(async () => {
  for (const [slug, [config, secrets]] of saved) {
    await sql('UPDATE integrations SET config = ?, secrets = ? WHERE slug = ?', [config, secrets, slug]);
  }
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => { hits = []; state.mode = 'ok'; state.expireNext = false; });

async function dial(integration, number = '+380671234567') {
  const csrf = await manager.csrf();
  return manager.post('/dial', { form: { csrf, number, integration } });
}
const paths = () => hits.map((h) => h.path);

// --- click-to-call --------------------------------------------------------

test('Phonet: click-to-call logs in (authorize → JSESSIONID), then makeCall with the session', async () => {
  state.phSessions.clear();
  const res = await dial('phonet');
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  assert.deepEqual(paths(), ['/rest/security/authorize', '/rest/user/makeCall']);
  const [login, call] = hits;
  assert.equal(login.method, 'POST');
  assert.match(login.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(login.body), { domain: PH_DOMAIN, apiKey: PH_KEY });
  assert.equal(call.method, 'POST');
  assert.deepEqual(JSON.parse(call.body), { legExt: '101', otherLegNum: '+380671234567' });
  assert.ok(state.phSessions.has(call.headers.cookie.replace('JSESSIONID=', '')), 'the session it was given');
});

test('Phonet: a session the provider ended (403): one new login, then the call succeeds', async () => {
  state.expireNext = true;           // the next makeCall's session is refused
  const res = await dial('phonet');
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  const p = paths();
  const refused = p.indexOf('/rest/user/makeCall');
  assert.deepEqual(p.slice(refused), ['/rest/user/makeCall', '/rest/security/authorize', '/rest/user/makeCall'],
    `one new login after the refusal: ${p}`);
  assert.ok(state.phSessions.has(hits.at(-1).headers.cookie.replace('JSESSIONID=', '')));
});

test('Phonet: a wrong API key: a clear message on the page, one login, no call and no loop', async () => {
  await setIntegration('phonet', phConfig(), { key: 'demo-phonet-key', api_key: 'wrong-key' });
  try {
    const res = await dial('phonet');
    assert.equal(res.status, 502, res.text_.slice(0, 500));
    assert.match(res.text_, /Phonet refused the login: wrong API key or domain \(HTTP 403\)\. Check the integration&#39;s API credentials/);
    assert.doesNotMatch(res.text_, /wrong-key/, 'never the key itself');
    assert.deepEqual(paths(), ['/rest/security/authorize']);
  } finally {
    await setIntegration('phonet', phConfig(), { key: 'demo-phonet-key', api_key: PH_KEY });
  }
});

test('Yeastar: click-to-call gets a token (User-Agent: OpenAPI), then call/dial with ?access_token=', async () => {
  state.ysTokens.clear();
  const res = await dial('yeastar');
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  assert.deepEqual(paths(), ['/openapi/v1.0/get_token', '/openapi/v1.0/call/dial']);
  assert.deepEqual(JSON.parse(hits[0].body), { username: YS_ID, password: YS_SECRET });
  assert.deepEqual(JSON.parse(hits[1].body), { caller: '101', callee: '+380671234567', auto_answer: 'no' });
  assert.ok(state.ysTokens.has(hits[1].query.get('access_token')));
  assert.equal(hits[1].headers.authorization, undefined, 'the token goes in the query only (§5.1)');
});

test('Yeastar: an expired token (errcode 10004): one new token, then the call succeeds', async () => {
  state.expireNext = true;           // the next call/dial's token has expired
  const res = await dial('yeastar');
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  const p = paths();
  const refused = p.indexOf('/openapi/v1.0/call/dial');
  assert.deepEqual(p.slice(refused), ['/openapi/v1.0/call/dial', '/openapi/v1.0/get_token', '/openapi/v1.0/call/dial'],
    `one new token after the refusal: ${p}`);
});

test('Yeastar: wrong client ID/secret: the PBX\'s words on the page, one login, no call', async () => {
  await setIntegration('yeastar', ysConfig(), { key: 'demo-yeastar-key', client_id: YS_ID, client_secret: 'nope' });
  try {
    const res = await dial('yeastar');
    assert.equal(res.status, 502, res.text_.slice(0, 500));
    assert.match(res.text_, /Yeastar refused the login: errcode 20004 INVALID USERNAME OR PASSWORD/);
    assert.deepEqual(paths(), ['/openapi/v1.0/get_token']);
  } finally {
    await setIntegration('yeastar', ysConfig(), { key: 'demo-yeastar-key', client_id: YS_ID, client_secret: YS_SECRET });
  }
});

// --- Yeastar recordings (§5.7) ---------------------------------------------

test('Yeastar: the recording is asked for with the token and downloaded from the 30-minute link', async () => {
  state.ysTokens.clear();
  const file = `20260101120000-${now()}.1-2005-2002-Internal.wav`;
  const ext = `ys-${Date.now()}`;
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, started_at, answered_at,
      ended_at, talk_seconds, recording_state, recording_url)
    SELECT id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
      UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, 'pending', ? FROM integrations WHERE slug = 'yeastar'`,
  [ext, `ref:${file}`]);
  const [[id]] = await sql("SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'yeastar' AND c.external_id = ?", [ext]);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  const deadline = Date.now() + 60000;
  let st, rpath;
  for (;;) {
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [id]);
    [[st, rpath]] = await sql('SELECT recording_state, recording_path FROM calls WHERE id = ?', [id]);
    if (st !== 'pending' || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const jobs = await sql("SELECT state, last_error FROM jobs WHERE call_id = ?", [id]);
  assert.equal(st, 'stored', JSON.stringify(jobs));
  assert.deepEqual(await fs.readFile(path.join(process.env.CB_STATE_DIR, 'recordings', rpath)), state.audio);
  assert.match(rpath, new RegExp(`/${id}\\.wav$`));
  // (The worker may meanwhile fetch other providers' recordings: Yeastar's requests only.)
  const ys = hits.filter((h) => !h.path.startsWith('/rest/'));
  assert.deepEqual(ys.map((h) => h.path), ['/openapi/v1.0/get_token', '/openapi/v1.0/recording/download',
    `/api/download/Recording-${file}`]);
  const token = ys[1].query.get('access_token');
  assert.ok(state.ysTokens.has(token));
  assert.equal(ys[1].query.get('file'), file);
  assert.equal(ys[2].query.get('access_token'), token, 'the file is fetched with the token too');
  assert.equal(ys[2].headers['user-agent'], 'OpenAPI');
});

test('UniTalk: the recording is fetched with the API key, and a 404 soon after the call is retried, not "none"', async () => {
  state.utAsked = 0;
  const ext = `ut-${Date.now()}`;
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, started_at, answered_at,
      ended_at, talk_seconds, recording_state, recording_url)
    SELECT id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
      UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, 'pending', ? FROM integrations WHERE slug = 'unitalk'`,
  [ext, `${standIn}/tracking/rec/${ext}.mp3`]);
  const [[id]] = await sql("SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'unitalk' AND c.external_id = ?", [ext]);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  const deadline = Date.now() + 60000;
  const seen = new Set();
  let st;
  for (;;) {
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [id]);
    [[st]] = await sql('SELECT recording_state FROM calls WHERE id = ?', [id]);
    seen.add(st);
    if (st === 'stored' || st === 'unavailable' || st === 'failed' || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const jobs = await sql('SELECT state, attempts, last_error FROM jobs WHERE call_id = ?', [id]);
  assert.equal(st, 'stored', JSON.stringify(jobs));
  assert.ok(!seen.has('unavailable'), 'never taken as "no recording"');
  const rec = hits.filter((h) => h.path === `/tracking/rec/${ext}.mp3`);
  assert.equal(rec.length, 2, 'the 404, then the file');
  assert.ok(rec.every((h) => h.headers.authorization === 'ut-key-1'), 'the API key goes along');
  assert.equal(Number(jobs[0][1]), 2, 'stored by the retry');
});

// --- reconciliation ---------------------------------------------------------

async function phonetHook(body) {
  const res = await fetch(`${BASE}/hook/phonet?key=demo-phonet-key`, { method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

async function callOf(slug, externalId) {
  return sql(`SELECT c.result, c.talk_seconds, c.wait_seconds, c.extension, c.client_number, c.direction
    FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = ? AND c.external_id = ?`, [slug, externalId]);
}

async function lastRun(slug) {
  const [row] = await sql(`SELECT r.state, r.error FROM reconcile_runs r JOIN integrations i ON i.id = r.integration_id
    WHERE i.slug = ? ORDER BY r.id DESC LIMIT 1`, [slug]);
  return row;
}

function phRecord(id, endS, { disposition = 0, billSecs = 42, duration = 50, ext = '101', num = '+380501234567' } = {}) {
  return { uuid: id, endAt: endS * 1000, lgDirection: 4, otherLegNum: num, otherLegName: num,
    leg: { id: 1, type: 1, displayName: 'M', ext }, leg2: null, billSecs, duration, disposition,
    transferHistory: '', audioRecUrl: `https://${PH_DOMAIN}/rest/public/calls/${id}/audio `, trunk: 'o=380442249895;' };
}

test('Phonet: reconciliation recovers a lost call once and completes one whose hang-up was lost; a second run changes nothing', async () => {
  const lost = uuid();
  const kept = uuid();
  const end = now() - 600;
  // `kept` arrived by webhooks up to its bridge; its call.hangup was lost.
  const base = { uuid: kept, parentUuid: null, dialAt: end - 60, lgDirection: 4, leg: { id: 1, ext: '101' },
    leg2: null, otherLegs: [{ num: '+380501112233' }], trunkNum: '+380442246595' };
  await phonetHook({ ...base, event: 'call.dial', bridgeAt: null, serverTime: (end - 60) * 1000 });
  await phonetHook({ ...base, event: 'call.bridge', bridgeAt: end - 45, serverTime: (end - 45) * 1000 });
  state.phonet = [phRecord(lost, end, { billSecs: 30, duration: 41 }),
    phRecord(kept, end, { billSecs: 44, duration: 60, num: '+380501112233' })];
  assert.equal((await callOf('phonet', lost)).length, 0);
  const [[keptState]] = await sql("SELECT c.state FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'phonet' AND c.external_id = ?", [kept]);
  assert.notEqual(keptState, 'ended');

  let r = await reconcile('phonet', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const n = counts(r.stdout);
  assert.equal(n.records, 2);
  assert.equal(n.recovered, 1, r.stdout);
  assert.equal(n.completed, 1, r.stdout);
  assert.deepEqual(await callOf('phonet', lost), [['answered', '30', '11', '101', '+380501234567', 'in']]);
  assert.deepEqual(await callOf('phonet', kept), [['answered', '44', '16', '101', '+380501112233', 'in']],
    "Phonet's disposition, billSecs and duration");
  const hist = hits.find((h) => h.path === '/rest/calls/company.api');
  assert.equal(hist.method, 'GET');
  const q = JSON.parse(hist.body);
  assert.deepEqual(Object.keys(q), ['timeFrom', 'timeTo', 'limit', 'offset']);
  assert.equal(q.limit, 50);
  assert.equal(q.offset, 0);

  const before = await snapshot('phonet');
  r = await reconcile('phonet', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  const again = counts(r.stdout);
  assert.equal(again.recovered + again.completed, 0, r.stdout);
  assert.equal(again.unchanged, 2);
  assert.deepEqual(await snapshot('phonet'), before, 'a second run changes nothing');
});

test('Phonet: a garbage history answer leaves everything as it was; the status page says why', async () => {
  state.phonet = [phRecord(uuid(), now() - 300)];
  state.mode = 'garbage';
  const before = await snapshot('phonet');
  const r = await reconcile('phonet', now() - 3600, now());
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /not JSON/);
  assert.doesNotMatch(r.stderr + r.stdout, /JSESSIONID|ph-api-key/);
  assert.deepEqual(await snapshot('phonet'), before, 'nothing stored');
  const [st, err] = await lastRun('phonet');
  assert.equal(st, 'failed');
  assert.match(err, /not JSON/);
  const [[id]] = await sql("SELECT id FROM integrations WHERE slug = 'phonet'");
  const page = await admin.get(`/settings/integrations/${id}/status`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /the history API \(http:\/\/127\.0\.0\.1:\d+\): the answer is not JSON/);
});

test('Phonet: reconciliation with a wrong API key fails with that reason after one login', async () => {
  // The recordings of the calls recovered above are the worker's business
  // (it logs in too): out of the way, so only this run's login is counted.
  await sql(`UPDATE jobs j JOIN calls c ON c.id = j.call_id JOIN integrations i ON i.id = c.integration_id
    SET j.state = 'done' WHERE i.slug = 'phonet' AND j.kind = 'recording.fetch' AND j.state = 'queued'`);
  await new Promise((r) => setTimeout(r, 500));
  await setIntegration('phonet', phConfig(), { key: 'demo-phonet-key', api_key: 'wrong-key' });
  hits = [];
  try {
    const r = await reconcile('phonet', now() - 3600, now());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Phonet refused the login/);
    assert.deepEqual(paths(), ['/rest/security/authorize']);
  } finally {
    await setIntegration('phonet', phConfig(), { key: 'demo-phonet-key', api_key: PH_KEY });
  }
});

test('Yeastar: cdr/search recovers a lost call once (as its 30012); a second run changes nothing', async () => {
  state.expireNext = true;         // the first page's token has expired: one new token
  const id = `${now()}.${crypto.randomInt(1e6)}`;
  const ts = now() - 900;
  state.yeastar = [{ id: 1, time: 'x', uid: id, timestamp: ts, call_from: 'Client<+380671112233>', call_to: '2002',
    duration: 40, ring_duration: 5, talk_duration: 35, disposition: 'ANSWERED', call_type: 'Inbound',
    did_number: '', record_file: '' }];
  const t = now();
  let r = await reconcile('yeastar', t - 3600, t);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(counts(r.stdout).recovered, 1, r.stdout);
  const rows = await callOf('yeastar', id);
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].slice(0, 4), ['answered', '35', '5', '2002']);
  const search = hits.filter((h) => h.path === '/openapi/v1.0/cdr/search').at(-1);
  assert.equal(search.query.get('start_time'), String(t - 3600));
  assert.equal(search.query.get('end_time'), String(t - 1));
  assert.ok(state.ysTokens.has(search.query.get('access_token')));
  const ys = paths().filter((p) => p.startsWith('/openapi/'));
  assert.deepEqual(ys, ['/openapi/v1.0/get_token', '/openapi/v1.0/cdr/search', '/openapi/v1.0/get_token',
    '/openapi/v1.0/cdr/search'], 'the refused page is asked again after one new login');

  const before = await snapshot('yeastar');
  r = await reconcile('yeastar', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(counts(r.stdout).recovered, 0);
  assert.deepEqual(await snapshot('yeastar'), before);
});

// "YYYY-MM-DD HH:MM:SS" in UTC (the integration's zone here).
const utDate = (s) => new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');

test('UniTalk: the history (POST, newest first) recovers a lost call once and completes one whose CALL_END was lost', async () => {
  const lost = `ut${crypto.randomInt(1e9)}`;
  const kept = `ut${crypto.randomInt(1e9)}`;
  const start = now() - 1200;
  const call = (id, from) => ({ id, dbid: crypto.randomInt(1e6), from, to: ['101'], direction: 'IN',
    date: utDate(start), secondsFullTime: 50, secondsTalk: 38, state: 'ANSWER', lastGroupName: null,
    outerNumber: '+380441112233' });
  const res = await fetch(`${BASE}/hook/unitalk`, { method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-unitalk-token' },
    body: JSON.stringify({ event: 'CALL_NEW', call: { ...call(kept, '+380673334455'), secondsFullTime: null,
      secondsTalk: null, state: null } }) });
  assert.equal(res.status, 200, await res.text());
  state.unitalk = [call(lost, '+380671112299'), call(kept, '+380673334455'),
    { ...call('older', '+380670000000'), date: utDate(now() - 7200) }];
  let r = await reconcile('unitalk', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const n = counts(r.stdout);
  assert.equal(n.records, 2, 'the call before the window ends the reading');
  assert.equal(n.recovered, 1, r.stdout);
  assert.equal(n.completed, 1, r.stdout);
  for (const id of [lost, kept]) {
    const rows = await callOf('unitalk', id);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0].slice(0, 4), ['answered', '38', '12', '101']);
  }
  const h = hits.find((x) => x.path === '/tracking/api/calls/history');
  assert.equal(h.method, 'POST');
  assert.deepEqual(JSON.parse(h.body), { limit: 100, offset: 0 });
  const before = await snapshot('unitalk');
  r = await reconcile('unitalk', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(counts(r.stdout).recovered + counts(r.stdout).completed, 0);
  assert.deepEqual(await snapshot('unitalk'), before);
});

// --- Yeastar hang-up (§5.8): the channel from the call's stored 30011 --------

async function yeastarLive(members) {
  const id = `${1700000000 + Math.floor(Math.random() * 1e8)}.${Math.floor(Math.random() * 1e4)}`;
  const body = JSON.stringify({ type: 30011, sn: '3631A2124XXX', msg: JSON.stringify({ call_id: id, members }) });
  const r = await fetch(`${BASE}/hook/yeastar?key=demo-yeastar-key`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(r.status, 200, await r.text());
  const [[callId]] = await sql("SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'yeastar' AND c.external_id = ?", [id]);
  return callId;
}
const cardOf = async (id) => JSON.parse((await manager.get(`/calls/${id}?format=json`)).text_);

test('Yeastar: hang-up sends call/hangup with the live channel of the call\'s latest 30011 (the outside party\'s)', async () => {
  const id = await yeastarLive([
    { inbound: { from: '0991230003', to: '380442000200', channel_id: 'PJSIP/trunk-41-000000b5', member_status: 'ANSWERED' } },
    { extension: { number: '101', channel_id: 'PJSIP/101-00000023', member_status: 'ANSWER' } }]);
  assert.equal((await cardOf(id)).call.hangup_url, `/calls/${id}/hangup`);
  const csrf = await manager.csrf();
  const res = await manager.post(`/calls/${id}/hangup`, { form: { csrf } });
  assert.equal(res.status, 303, `${paths()} ${res.text_.replace(/[\s\S]*?(<[^>]*hangup-error[^<]*)[\s\S]*/, '$1')}`);
  const h = hits.find((x) => x.path === '/openapi/v1.0/call/hangup');
  assert.ok(h, `call/hangup sent: ${paths()}`);
  assert.deepEqual(JSON.parse(h.body), { channel_id: 'PJSIP/trunk-41-000000b5' });
  assert.ok(state.ysTokens.has(h.query.get('access_token')));
  assert.equal(h.headers['user-agent'], 'OpenAPI');
});

test('Yeastar: no hang-up button while no stored event names a live channel; refused with words', async () => {
  const id = await yeastarLive([
    { inbound: { from: '0991230004', to: '380442000200', member_status: 'ALERT' } },
    { extension: { number: '101', member_status: 'RING' } }]);
  assert.equal((await cardOf(id)).call.hangup_url, null);
  const csrf = await manager.csrf();
  const res = await manager.post(`/calls/${id}/hangup`, { form: { csrf } });
  assert.equal(res.status, 409, res.text_.slice(0, 500));
  assert.ok(!hits.some((x) => x.path === '/openapi/v1.0/call/hangup'), 'nothing sent');
});
