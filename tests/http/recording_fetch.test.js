// The worker's recording.fetch job end to end (issue 3 §6; providers.md
// §1.5, §2.4, §2.5, §3.5, §4.5): local stand-ins for Twilio, Zadarma,
// Binotel and a PBX check the exact request (method, path, auth header,
// Zadarma's signature recomputed here independently, Binotel's JSON body)
// and serve a small fake MP3; the running worker must store it under
// $CB_STATE_DIR/recordings/YYYY/MM/DD/<call id>.<ext> and mark the call.
//
// Calls and jobs are inserted with SQL (tests/lib/db.js), so each provider
// path is tested on its own; one test goes through the real hook. The demo
// integrations' config is pointed at the stand-ins ("api_base",
// "recordings_base_url") and restored afterwards. A job waits 40 s by
// design (Zadarma's advice) and backs off 30 s, 60 s...: the test moves
// run_at to now while it polls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

const TWILIO_SID = 'ACdemo00000000000000000000000000000';
const TWILIO_TOKEN = 'demo-twilio-token';
const ZD_KEY = 'demo-zadarma-key';
const ZD_SECRET = 'demo-zadarma-secret';
const BN_KEY = 'demo-binotel-key';
const BN_SECRET = 'demo-binotel-secret';
const WAIT_MS = 60_000;

const uid = () => `${Date.now()}${crypto.randomInt(1e6).toString().padStart(6, '0')}`;
const recordingsDir = () => path.join(process.env.CB_STATE_DIR, 'recordings');

// A small file that starts like an MP3 (ID3v2 header, then an MPEG frame
// sync) and is unique per test.
function fakeMp3() {
  return Buffer.concat([
    Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'),
    Buffer.from([0xff, 0xfb, 0x90, 0x64]),
    crypto.randomBytes(3000),
  ]);
}

// --- Zadarma's API signature, written from providers.md §2.4 -------------

// PHP urlencode(): keeps A-Za-z0-9 - _ . ; space is '+'; the rest %XX.
function phpUrlencode(s) {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function zadarmaQuery(params) {
  return Object.keys(params).sort()
    .map((k) => `${phpUrlencode(k)}=${phpUrlencode(String(params[k]))}`).join('&');
}

function zadarmaAuth(key, secret, methodPath, params) {
  const q = zadarmaQuery(params);
  const md5 = crypto.createHash('md5').update(q).digest('hex');
  const hex = crypto.createHmac('sha1', secret).update(methodPath + q + md5).digest('hex');
  return `${key}:${Buffer.from(hex).toString('base64')}`;
}

// --- the stand-in ----------------------------------------------------------

const routes = new Map();   // "METHOD /path" → async (req, body, res) => void
const hits = [];            // every request: { method, url, headers, body }
let server;
let standIn;                // "http://127.0.0.1:<port>"
const savedConfig = new Map();

function route(method, pathname, fn) {
  routes.set(`${method} ${pathname}`, fn);
}

function hitsFor(pathname) {
  return hits.filter((h) => new URL(h.url, standIn).pathname === pathname);
}

function sendFile(res, bytes, type = 'audio/mpeg') {
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
  res.end(bytes);
}

function sendJson(res, obj, status = 200) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      hits.push({ method: req.method, url: req.url, headers: req.headers, body });
      const fn = routes.get(`${req.method} ${new URL(req.url, 'http://x').pathname}`);
      if (!fn) {
        // Jobs of other tests may reach the stand-in while it is
        // configured: they get "no such recording".
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not here');
        return;
      }
      try {
        await fn(req, body, res);
      } catch (e) {
        res.writeHead(599);
        res.end(String(e));
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn = `http://127.0.0.1:${server.address().port}`;

  for (const [slug, config] of await sql(
    "SELECT slug, config FROM integrations WHERE slug IN ('twilio','zadarma','binotel','asterisk','generic')")) {
    savedConfig.set(slug, config);
  }
  for (const slug of ['zadarma', 'binotel']) {
    await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.api_base', ?) WHERE slug = ?",
      [standIn, slug]);
  }
  for (const slug of ['asterisk', 'generic']) {
    await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.recordings_base_url', ?) WHERE slug = ?",
      [`${standIn}/pbx/`, slug]);
  }
  // The stand-ins listen on loopback, which no integration reaches unless its config allows
  // it, as an admin allows a PBX on the LAN (issue 16 item 3; tests/security/attacks_misc
  // tries the same URLs without the allowance).
  for (const slug of ['twilio', 'zadarma', 'binotel', 'asterisk', 'generic']) {
    await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = ?",
      [slug]);
  }
});

after(async () => {
  for (const [slug, config] of savedConfig) {
    await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  }
  await new Promise((resolve) => server.close(resolve));
});

// --- helpers ---------------------------------------------------------------

// A finished call of the demo integration `slug` with a pending recording,
// and its recording.fetch job due now (what ingest writes, minus the
// 40 s delay). Returns the call id as a string.
async function pendingCall(slug, recordingUrl) {
  const ext = `rf-${uid()}`;
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result,
       started_at, answered_at, ended_at, talk_seconds, recording_state, recording_url)
     SELECT id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
       UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, 'pending', ?
     FROM integrations WHERE slug = ?`, [ext, recordingUrl, slug]);
  const [[id]] = await sql(
    'SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = ? AND c.external_id = ?',
    [slug, ext]);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  return id;
}

async function recordingOf(callId) {
  const [[state, rpath, day]] = await sql(
    "SELECT recording_state, recording_path, DATE_FORMAT(started_at, '%Y/%m/%d') FROM calls WHERE id = ?",
    [callId]);
  return { state, path: rpath, day };
}

// Polls until the call's recording_state is one of `states`, hurrying its
// queued jobs (the 40 s first delay, the retry backoff).
async function waitRecording(callId, states) {
  const deadline = Date.now() + WAIT_MS;
  let rec;
  for (;;) {
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND kind = 'recording.fetch' AND state = 'queued'",
      [callId]);
    rec = await recordingOf(callId);
    if (states.includes(rec.state)) return rec;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const jobs = await sql("SELECT state, attempts, last_error FROM jobs WHERE call_id = ? AND kind = 'recording.fetch'", [callId]);
  assert.fail(`call ${callId}: recording_state ${rec.state} after ${WAIT_MS / 1000}s, wanted ${states.join('|')}; jobs: ${JSON.stringify(jobs)}`);
}

// The job is finished (done or failed) and none is left queued.
async function waitJobsSettled(callId) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const rows = await sql("SELECT state FROM jobs WHERE call_id = ? AND kind = 'recording.fetch'", [callId]);
    if (rows.length && rows.every(([s]) => s === 'done' || s === 'failed')) return rows.map(([s]) => s);
    if (Date.now() > deadline) assert.fail(`jobs of call ${callId} not settled: ${JSON.stringify(rows)}`);
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [callId]);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function assertStored(callId, bytes, ext) {
  const rec = await waitRecording(callId, ['stored']);
  assert.equal(rec.path, `${rec.day}/${callId}.${ext}`);
  const file = path.join(recordingsDir(), rec.path);
  assert.deepEqual(await fs.readFile(file), bytes, 'the stored file has the served bytes');
  // Never a partial file under the final name, and no temporary left.
  const left = (await fs.readdir(path.dirname(file))).filter((n) => n.startsWith(`.${callId}.`));
  assert.deepEqual(left, [], 'no temporary file left behind');
  return rec;
}

async function assertNoFile(callId) {
  const [[day]] = await sql("SELECT DATE_FORMAT(started_at, '%Y/%m/%d') FROM calls WHERE id = ?", [callId]);
  const dir = path.join(recordingsDir(), day);
  const names = await fs.readdir(dir).catch(() => []);
  assert.deepEqual(names.filter((n) => n.startsWith(`${callId}.`) || n.startsWith(`.${callId}.`)), []);
}

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// --- tests -----------------------------------------------------------------

test('the JS Zadarma signer matches the providers.md §5.2 vectors', () => {
  const key = 'a248a6a984459935b569';
  const secret = '8a8e91d214fb728889c7';
  assert.equal(zadarmaAuth(key, secret, '/v1/request/callback/',
    { from: '100', to: '442037691881', sip: '100', format: 'json' }),
  `${key}:ZTgzNTNjMjgyZTgwOGQxMDVmYTU2NGE5YmVlZjcyZGU0MTllOTdkOA==`);
  assert.equal(zadarmaQuery({ start: '2024-06-01 00:00:00', end: '2024-06-04 23:59:59', format: 'json', version: '2' }),
    'end=2024-06-04+23%3A59%3A59&format=json&start=2024-06-01+00%3A00%3A00&version=2');
  assert.equal(zadarmaAuth(key, secret, '/v1/pbx/record/request/',
    { pbx_call_id: 'in_ae6b03b3b0765d127ec0b739209346bbc4f0d52d', lifetime: '3600', format: 'json' }),
  `${key}:MzRmOWViM2EzNzQzOWNmNDVlNmQ3NTM2YmFhMWYyNTQ3MWQwYzk5Yw==`);
});

test('twilio: GET <RecordingUrl>.mp3 with Basic auth, stored as mp3', async () => {
  const re = `RE${crypto.randomBytes(16).toString('hex')}`;
  const media = `/2010-04-01/Accounts/${TWILIO_SID}/Recordings/${re}`;
  const bytes = fakeMp3();
  route('GET', `${media}.mp3`, (req, body, res) => sendFile(res, bytes));
  const id = await pendingCall('twilio', `${standIn}${media}`);
  await assertStored(id, bytes, 'mp3');
  const [h] = hitsFor(`${media}.mp3`);
  assert.equal(h.method, 'GET');
  assert.equal(h.headers.authorization, basic(TWILIO_SID, TWILIO_TOKEN));
  assert.deepEqual(await waitJobsSettled(id), ['done']);
});

test('twilio: a 404 from the provider means no recording: unavailable, no file, job done', async () => {
  const media = `/2010-04-01/Accounts/${TWILIO_SID}/Recordings/RE${crypto.randomBytes(16).toString('hex')}`;
  route('GET', `${media}.mp3`, (req, body, res) => sendJson(res, { code: 20404, message: 'not found' }, 404));
  const id = await pendingCall('twilio', `${standIn}${media}`);
  const rec = await waitRecording(id, ['unavailable']);
  assert.equal(rec.path, null);
  await assertNoFile(id);
  assert.deepEqual(await waitJobsSettled(id), ['done']);
  assert.equal(hitsFor(`${media}.mp3`).length, 1, 'asked once, never retried');
});

test('twilio: 500 twice, then 200: stored after retries', async () => {
  const media = `/2010-04-01/Accounts/${TWILIO_SID}/Recordings/RE${crypto.randomBytes(16).toString('hex')}`;
  const bytes = fakeMp3();
  let n = 0;
  route('GET', `${media}.mp3`, (req, body, res) => {
    n += 1;
    if (n <= 2) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('try later');
      return;
    }
    sendFile(res, bytes);
  });
  const id = await pendingCall('twilio', `${standIn}${media}`);
  await assertStored(id, bytes, 'mp3');
  assert.equal(n, 3);
  const [[state, attempts]] = await sql("SELECT state, attempts FROM jobs WHERE call_id = ? AND kind = 'recording.fetch'", [id]);
  assert.equal(state, 'done');
  assert.equal(attempts, '3');
});

test('zadarma: signed GET /v1/pbx/record/request/?call_id=…, then the link', async () => {
  const rec = `${Math.floor(Date.now() / 1000)}.${crypto.randomInt(1e6)}`;
  const file = `/v1/pbx/record/download/${crypto.randomBytes(8).toString('hex')}/${rec}.mp3`;
  const bytes = fakeMp3();
  route('GET', '/v1/pbx/record/request/', (req, body, res) => {
    const q = new URL(req.url, standIn).searchParams;
    if (q.get('call_id') !== rec) return sendJson(res, { status: 'error', message: 'Record not found' });
    return sendJson(res, { status: 'success', link: `${standIn}${file}`, lifetime_till: '2030-01-01 00:00:00' });
  });
  route('GET', file, (req, body, res) => sendFile(res, bytes));
  const id = await pendingCall('zadarma', `ref:${rec}`);
  await assertStored(id, bytes, 'mp3');

  const ask = hitsFor('/v1/pbx/record/request/').find((h) => h.url.includes(encodeURIComponent(rec)) || h.url.includes(rec));
  assert.ok(ask, 'the API was asked');
  assert.equal(ask.method, 'GET');
  const raw = ask.url.slice(ask.url.indexOf('?') + 1);
  // §2.4: sorted keys, PHP encoding, format=json included.
  assert.equal(raw, zadarmaQuery({ call_id: rec, format: 'json' }));
  const params = Object.fromEntries(new URL(ask.url, standIn).searchParams);
  assert.equal(ask.headers.authorization, zadarmaAuth(ZD_KEY, ZD_SECRET, '/v1/pbx/record/request/', params));
  // The pre-authorised link is fetched without our credentials.
  const [dl] = hitsFor(file);
  assert.equal(dl.headers.authorization, undefined);
});

test('zadarma: by pbx_call_id, the first of "links"', async () => {
  const pbx = `in_${crypto.randomBytes(20).toString('hex')}`;
  const file = `/v1/pbx/record/download/${pbx}/1.mp3`;
  const bytes = fakeMp3();
  route('GET', '/v1/pbx/record/request/', (req, body, res) => {
    const q = new URL(req.url, standIn).searchParams;
    if (q.get('pbx_call_id') !== pbx) return sendJson(res, { status: 'error', message: 'Record not found' });
    return sendJson(res, { status: 'success', links: [`${standIn}${file}`, `${standIn}/v1/other.mp3`] });
  });
  route('GET', file, (req, body, res) => sendFile(res, bytes));
  const id = await pendingCall('zadarma', `ref:${pbx}`);
  await assertStored(id, bytes, 'mp3');
  const ask = hitsFor('/v1/pbx/record/request/').find((h) => h.url.includes(pbx));
  assert.equal(ask.url.slice(ask.url.indexOf('?') + 1), `format=json&pbx_call_id=${pbx}`);
  assert.equal(ask.headers.authorization,
    zadarmaAuth(ZD_KEY, ZD_SECRET, '/v1/pbx/record/request/', { pbx_call_id: pbx, format: 'json' }));
});

test('zadarma: {"status":"error"} "not found" means unavailable, not a failure', async () => {
  const rec = `${Math.floor(Date.now() / 1000)}.${crypto.randomInt(1e6)}`;
  route('GET', '/v1/pbx/record/request/', (req, body, res) =>
    sendJson(res, { status: 'error', message: 'Record not found' }));
  const id = await pendingCall('zadarma', `ref:${rec}`);
  await waitRecording(id, ['unavailable']);
  await assertNoFile(id);
  assert.deepEqual(await waitJobsSettled(id), ['done']);
});

test('binotel: POST stats/call-record.json with key, secret, generalCallID; then its url', async () => {
  const general = String(crypto.randomInt(1e9, 2e9));
  const file = `/binotel-s3/${crypto.randomBytes(8).toString('hex')}.mp3`;
  const bytes = fakeMp3();
  route('POST', '/api/4.0/stats/call-record.json', (req, body, res) => {
    const j = JSON.parse(body.toString());
    if (String(j.generalCallID) !== general) return sendJson(res, { status: 'error', message: 'Call record not found' });
    return sendJson(res, { status: 'success', url: `${standIn}${file}?X-Amz-Signature=abc` });
  });
  route('GET', file, (req, body, res) => sendFile(res, bytes));
  const id = await pendingCall('binotel', `ref:${general}`);
  await assertStored(id, bytes, 'mp3');
  const ask = hitsFor('/api/4.0/stats/call-record.json')
    .find((h) => String(JSON.parse(h.body.toString()).generalCallID) === general);
  assert.equal(ask.method, 'POST');
  assert.match(ask.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(ask.body.toString()), { key: BN_KEY, secret: BN_SECRET, generalCallID: general });
});

test('asterisk: a relative recording path is fetched under recordings_base_url', async () => {
  const rel = `2024/06/04/in-${uid()} a.wav`;
  const bytes = Buffer.concat([Buffer.from('RIFF'), crypto.randomBytes(2000)]);
  const want = `/pbx/${rel.split('/').map(encodeURIComponent).join('/')}`;
  route('GET', want, (req, body, res) => sendFile(res, bytes, 'audio/x-wav'));
  const id = await pendingCall('asterisk', `ref:${rel}`);
  await assertStored(id, bytes, 'wav');
  assert.equal(hitsFor(want).length, 1);
});

test('asterisk: an absolute or ".." path is refused without asking anyone', async () => {
  const before = hits.length;
  const a = await pendingCall('asterisk', 'ref:../../etc/passwd');
  const b = await pendingCall('asterisk', 'ref:/var/spool/asterisk/monitor/x.wav');
  for (const id of [a, b]) {
    await waitRecording(id, ['failed']);
    assert.deepEqual(await waitJobsSettled(id), ['failed']);
    await assertNoFile(id);
  }
  const asked = hits.slice(before).filter((h) => /passwd|monitor/.test(h.url));
  assert.deepEqual(asked, []);
});

test('generic: an http(s) recording URL is fetched as is', async () => {
  const file = `/files/${crypto.randomBytes(8).toString('hex')}.mp3`;
  const bytes = fakeMp3();
  route('GET', file, (req, body, res) => sendFile(res, bytes, 'application/octet-stream'));
  const id = await pendingCall('generic', `${standIn}${file}`);
  await assertStored(id, bytes, 'mp3');
});

test('an HTML error page with 200 is not stored as a recording', async () => {
  const file = `/files/${crypto.randomBytes(8).toString('hex')}.mp3`;
  const bytes = fakeMp3();
  let n = 0;
  route('GET', file, (req, body, res) => {
    n += 1;
    if (n === 1) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
      return;
    }
    sendFile(res, bytes);
  });
  const id = await pendingCall('generic', `${standIn}${file}`);
  await assertStored(id, bytes, 'mp3');
  assert.equal(n, 2);
});

test('through the hook: Zadarma NOTIFY_END with is_recorded=1 ends as a stored recording', async () => {
  const pbx = `in_${crypto.randomBytes(20).toString('hex')}`;
  const rec = `${Math.floor(Date.now() / 1000)}.${crypto.randomInt(1e6)}`;
  const file = `/v1/pbx/record/download/${rec}.mp3`;
  const bytes = fakeMp3();
  route('GET', '/v1/pbx/record/request/', (req, body, res) => {
    const q = new URL(req.url, standIn).searchParams;
    const ok = q.get('call_id') === rec || q.get('pbx_call_id') === pbx;
    if (!ok) return sendJson(res, { status: 'error', message: 'Record not found' });
    return sendJson(res, { status: 'success', link: `${standIn}${file}` });
  });
  route('GET', file, (req, body, res) => sendFile(res, bytes));

  const now = new Date(Date.now() - 120_000).toISOString().slice(0, 19).replace('T', ' ');
  const form = {
    event: 'NOTIFY_END', call_start: now, pbx_call_id: pbx, caller_id: '380671234567',
    called_did: '380441234567', internal: '101', duration: '42', disposition: 'answered',
    status_code: '16', is_recorded: '1', call_id_with_rec: rec,
  };
  const hex = crypto.createHmac('sha1', ZD_SECRET)
    .update(form.caller_id + form.called_did + form.call_start).digest('hex');
  const res = await fetch(`${BASE}/hook/zadarma`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', signature: Buffer.from(hex).toString('base64') },
    body: new URLSearchParams(form).toString(),
  });
  assert.equal(res.status, 200, await res.text());
  const rows = await sql(
    "SELECT c.id, c.recording_state FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'zadarma' AND c.external_id = ?",
    [pbx]);
  assert.equal(rows.length, 1);
  const [[id, state]] = rows;
  assert.ok(['pending', 'stored'].includes(state), state);
  await assertStored(id, bytes, 'mp3');

  const api = await fetch(`${BASE}/api/v1/calls?integration=zadarma&external_id=${pbx}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(api.status, 200);
  const { calls } = await api.json();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].recording.state, 'stored');
});
