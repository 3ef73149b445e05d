// Recordings on S3-compatible storage (issue 23 §3): the stack's programs and worker restarted
// with recordings_store = s3 against s3rver (npm) on loopback, the signatures verified here; the
// worker's recording.fetch stores the file in the bucket (listed there, gone from disk), playback
// is a redirect to a presigned URL after the usual permission check and listening-log entry,
// a user without the permission gets 403 and s3rver sees no request, and with the store down
// the job is retried with the reason in its last_error. A recording in the bucket is transcribed
// (issue 22): the worker copies the object into a private temporary file under spool_dir, sends
// it to the stack's "http" transcription engine (a stand-in here, as in
// transcripts_worker.test.js) and removes the copy; with the store down the transcript job is
// retried with the reason on the card. Afterwards the stack is restarted with local recordings
// again.
//
// Ports: s3rver on CB_HTTP_PORT + 298; the engine stand-in on the stack's transcribe_url.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { BASE, Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const ROOT = process.env.CB_ROOT || process.cwd();
const HTTP = Number(process.env.CB_HTTP_PORT || 18080);
const S3_PORT = HTTP + 298;
const BUCKET = 'callboard-rec';
const WAIT_MS = 60_000;

let s3, s3dir, standIn, standInUrl, savedConfig, admin, intern, conf, engine;
const s3hits = [];          // every request s3rver received: "METHOD /path"
const s3puts = [];          // the PUTs: { url, headers }
const SECRET = 'S3RVER';

// s3rver 3.7.1 does NOT check SigV4 signatures (only the access key, the headers' presence and
// the expiry: "Signature version 4 calculation is unimplemented" in its
// lib/middleware/authentication.js). So the test checks them itself, with this independent
// SigV4 (AWS's "Signature Version 4 signing process"): the canonical request of what arrived.
const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
const sha256hex = (d) => crypto.createHash('sha256').update(d).digest('hex');
function sigv4(canonical, amzDate, region = 'us-east-1') {
  const day = amzDate.slice(0, 8);
  const sts = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/s3/aws4_request`, sha256hex(canonical)].join('\n');
  let k = hmac(`AWS4${SECRET}`, day);
  for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
  return hmac(k, sts).toString('hex');
}
const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function presignedSignatureOk(u) {
  const url = new URL(u);
  const q = [...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  const canonical = ['GET', url.pathname, q, `host:${url.host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  return sigv4(canonical, url.searchParams.get('X-Amz-Date')) === url.searchParams.get('X-Amz-Signature');
}
function putSignatureOk({ url, headers }) {
  const m = /Credential=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(headers.authorization || '');
  if (!m) return false;
  const names = m[2].split(';');
  const canonical = ['PUT', url.split('?')[0], '',
    ...names.map((n) => `${n}:${String(headers[n]).trim()}`), '', m[2], headers['x-amz-content-sha256']].join('\n');
  return m[1].startsWith('S3RVER/') && sigv4(canonical, headers['x-amz-date']) === m[3];
}
const files = new Map();    // stand-in provider: path -> bytes

function restartPrograms(extra) {
  execFileSync(path.join(ROOT, 'scripts/stack.sh'), ['restart-programs'], {
    env: { ...process.env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function startS3() {
  s3 = new S3rver({
    address: '127.0.0.1', port: S3_PORT, silent: true, directory: s3dir,
    configureBuckets: [{ name: BUCKET }],
  });
  await s3.run();
  s3.httpServer.on('request', (req) => {
    s3hits.push(`${req.method} ${req.url.split('?')[0]}`);
    if (req.method === 'PUT') s3puts.push({ url: req.url, headers: { ...req.headers } });
  });
}

before(async () => {
  s3dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-s3-'));
  await startS3();
  // The provider: a stand-in on loopback serving the call's recording.
  standIn = http.createServer((req, res) => {
    const bytes = files.get(req.url);
    if (!bytes) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise((r) => standIn.listen(0, '127.0.0.1', r));
  standInUrl = `http://127.0.0.1:${standIn.address().port}`;
  [[savedConfig]] = await sql("SELECT config FROM integrations WHERE slug = 'generic'");
  await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = 'generic'");
  restartPrograms({
    CB_RECORDINGS_STORE: 's3', CB_S3_ENDPOINT: `http://127.0.0.1:${S3_PORT}`, CB_S3_BUCKET: BUCKET,
    CB_S3_ACCESS_KEY: 'S3RVER', CB_S3_SECRET_KEY: 'S3RVER',
  });
  admin = new Client();
  await admin.login('admin', 'admin');
  conf = Object.fromEntries(fs.readFileSync(path.join(process.env.CB_STATE_DIR, 'callboard.conf'), 'utf8')
    .split('\n').map((l) => l.match(/^\s*([a-z_]+)\s*=\s*(.*?)\s*$/)).filter(Boolean).map((m) => [m[1], m[2]]));
  intern = new Client();
  await intern.login('intern', 'intern');
});

after(async () => {
  if (engine?.listening) await new Promise((r) => engine.close(r));
  restartPrograms({ CB_RECORDINGS_STORE: 'local' });
  if (savedConfig !== undefined) await sql("UPDATE integrations SET config = ? WHERE slug = 'generic'", [savedConfig]);
  if (s3?.httpServer?.listening) await s3.close();
  await new Promise((r) => standIn.close(r));
  fs.rmSync(s3dir, { recursive: true, force: true });
});

// size: over 1 MiB, libcurl asks "Expect: 100-continue" before the body.
const fakeMp3 = (size = 5000) => Buffer.concat([Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00', 'latin1'),
  Buffer.from([0xff, 0xfb, 0x90, 0x64]), crypto.randomBytes(size)]);

// An ended call of the generic integration with a pending recording at the stand-in, and its
// recording.fetch job due now (what ingest writes, minus the 40 s delay).
async function pendingCall(bytes) {
  const ext = `s3-${Date.now()}-${crypto.randomInt(1e6)}`;
  const file = `/rec/${ext}.mp3`;
  files.set(file, bytes);
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result,
       started_at, answered_at, ended_at, talk_seconds, recording_state, recording_url)
     SELECT id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
       UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, 'pending', ?
     FROM integrations WHERE slug = 'generic'`, [ext, standInUrl + file]);
  const [[id]] = await sql(
    "SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'generic' AND c.external_id = ?", [ext]);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  return Number(id);
}

async function waitFor(callId, pred, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND kind = 'recording.fetch' AND state = 'queued'", [callId]);
    const [[state, rpath]] = await sql('SELECT recording_state, recording_path FROM calls WHERE id = ?', [callId]);
    const jobs = await sql("SELECT state, attempts, last_error FROM jobs WHERE call_id = ? AND kind = 'recording.fetch'", [callId]);
    const r = { state, path: rpath, jobs };
    if (pred(r)) return r;
    if (Date.now() > deadline) assert.fail(`call ${callId}: ${what} not reached: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

async function get(client, p, headers = {}) {
  return fetch(BASE + p, { headers: { cookie: client.cookieHeader(), ...headers }, redirect: 'manual' });
}

let storedCall, storedBytes;

test('the worker stores a fetched recording in the bucket, not on disk', async () => {
  storedBytes = fakeMp3(1536 * 1024);
  storedCall = await pendingCall(storedBytes);
  const r = await waitFor(storedCall, (x) => x.state !== 'pending', 'stored');
  assert.equal(r.state, 'stored', JSON.stringify(r));
  assert.match(r.path, /^s3:\d{4}\/\d{2}\/\d{2}\/\d+\.mp3$/);
  const key = r.path.slice(3);
  // The bucket's listing (a signed ListObjects through s3rver) names it.
  const listed = await new Promise((resolve, reject) => {
    http.get(`http://127.0.0.1:${S3_PORT}/${BUCKET}?prefix=${encodeURIComponent(key)}`, (res) => {
      let b = ''; res.on('data', (c) => { b += c; }); res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  // s3rver refuses anonymous listing unless signed; then check its data folder instead.
  const onDisk = fs.existsSync(path.join(s3dir, BUCKET, key + '._S3rver_object'));
  assert.ok(listed.includes(`<Key>${key}</Key>`) || onDisk, `not in the bucket: ${listed.slice(0, 300)}`);
  const put = s3puts.find((p) => p.url === `/${BUCKET}/${key}`);
  assert.ok(put, s3hits.join('\n'));
  assert.ok(putSignatureOk(put), `the PUT's SigV4 signature does not verify: ${JSON.stringify(put.headers)}`);
  assert.equal(put.headers['content-type'], 'audio/mpeg');
  assert.equal(put.headers['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
  assert.equal(put.headers['content-length'], String(storedBytes.length));
  assert.equal(fs.existsSync(path.join(process.env.CB_STATE_DIR, 'recordings', key)), false,
    'the local copy was left behind');
});

test('play: a redirect to a presigned URL after the log entry; the bytes are the same', async () => {
  assert.ok(storedCall, 'needs the stored recording of the test before');
  const [[n0]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'play'", [storedCall]);
  const res = await get(admin, `/calls/${storedCall}/recording`);
  assert.equal(res.status, 302, await res.text());
  assert.match(res.headers.get('cache-control') || '', /no-store/);
  const loc = new URL(res.headers.get('location'));
  assert.equal(loc.origin, `http://127.0.0.1:${S3_PORT}`);
  assert.equal(loc.searchParams.get('X-Amz-Expires'), '60');
  const [[n1]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'play'", [storedCall]);
  assert.equal(Number(n1), Number(n0) + 1, 'no listening-log entry');
  const audio = await fetch(loc);
  assert.equal(audio.status, 200);
  assert.ok(Buffer.from(await audio.arrayBuffer()).equals(storedBytes), 'different bytes');
  // Seeking: S3 answers Range itself.
  const part = await fetch(loc, { headers: { range: 'bytes=0-3' } });
  assert.equal(part.status, 206);
  assert.equal(Buffer.from(await part.arrayBuffer()).toString('latin1'), 'ID3\x03');
  // The signature verifies (s3rver does not check it), and a changed life would not.
  assert.ok(presignedSignatureOk(loc.href), loc.href);
  const longer = new URL(loc);
  longer.searchParams.set('X-Amz-Expires', '3600');
  assert.equal(presignedSignatureOk(longer.href), false);
});

test('download: the presigned URL makes S3 send the file name', async () => {
  const res = await get(admin, `/calls/${storedCall}/recording?download=1`);
  assert.equal(res.status, 302);
  const audio = await fetch(res.headers.get('location'));
  assert.ok(presignedSignatureOk(res.headers.get('location')));
  assert.equal(audio.status, 200);
  assert.match(audio.headers.get('content-disposition') || '', /^attachment; filename="/);
  const [[n]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'download'", [storedCall]);
  assert.ok(Number(n) >= 1);
});

test('a user without the permission gets 403, no log entry, and S3 sees no request', async () => {
  const before = s3hits.length;
  const [[n0]] = await sql('SELECT COUNT(*) FROM listening_log WHERE call_id = ?', [storedCall]);
  const res = await get(intern, `/calls/${storedCall}/recording`);
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('location'), null);
  assert.doesNotMatch(await res.text(), /X-Amz-Signature/);
  const [[n1]] = await sql('SELECT COUNT(*) FROM listening_log WHERE call_id = ?', [storedCall]);
  assert.equal(Number(n1), Number(n0));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(s3hits.length, before, s3hits.slice(before).join('\n'));
});

test('the store down: the job is retried and says why; stored once it is back', async () => {
  await s3.close();
  const bytes = fakeMp3();
  const id = await pendingCall(bytes);
  const r = await waitFor(id, (x) => x.jobs.some(([state, attempts, err]) => state === 'queued' && attempts >= 1 && err), 'a retry');
  const [, , err] = r.jobs.find(([state]) => state === 'queued');
  assert.match(err, new RegExp(`^S3 http://127\\.0\\.0\\.1:${S3_PORT}: `), err);
  assert.doesNotMatch(err, /S3RVER/, 'the secret or key is in the error');
  assert.equal(r.state, 'pending');
  // The card says why.
  const card = await admin.get(`/calls/${id}?format=json`, { headers: { accept: 'application/json' } });
  assert.equal(card.status, 200);
  const note = JSON.parse(card.text_).call.recording_note;
  assert.match(note, new RegExp(`^recording is being fetched; the last try said: S3 http://127\\.0\\.0\\.1:${S3_PORT}: `), note);
  await startS3();
  const done = await waitFor(id, (x) => x.state !== 'pending', 'stored after the store came back');
  assert.equal(done.state, 'stored');
  const res = await get(admin, `/calls/${id}/recording`);
  assert.equal(res.status, 302);
  assert.ok(Buffer.from(await (await fetch(res.headers.get('location'))).arrayBuffer()).equals(bytes));
});

// The transcription engine: a stand-in of the OpenAI-compatible endpoint at the stack's
// transcribe_url, keeping each request's file part (name, type, bytes) by call id.
const engineSeen = new Map();   // call id -> [{ filename, type, data }]
async function startEngine() {
  if (engine) return;
  assert.equal(conf.transcribe_engine, 'http', 'the stack transcribes with the http stand-in');
  const port = Number(new URL(conf.transcribe_url).port);
  engine = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] || '');
      const sep = Buffer.from(`--${m[1] || m[2]}`);
      let file = null;
      for (let at = body.indexOf(sep); at >= 0;) {
        const start = at + sep.length;
        const next = body.indexOf(sep, start);
        if (next < 0) break;
        const part = body.subarray(start + 2, next - 2);
        const headEnd = part.indexOf('\r\n\r\n');
        const head = part.subarray(0, headEnd).toString();
        if (/name="file"/.test(head))
          file = { filename: /filename="([^"]*)"/.exec(head)[1], type: (/Content-Type: (.*)/i.exec(head) || [])[1], data: part.subarray(headEnd + 4) };
        at = next;
      }
      const id = file ? file.filename.split('.')[0] : '';
      if (!engineSeen.has(id)) engineSeen.set(id, []);
      engineSeen.get(id).push(file);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ language: 'english', text: 'From the bucket.',
        segments: [{ id: 0, start: 0, end: 1.5, text: ` From the bucket, call ${id}.` }] }));
    });
  });
  await new Promise((r) => engine.listen(port, '127.0.0.1', r));
}

// The transcript's status, hurrying the call's queued jobs past their backoff.
async function waitTranscript(callId, pred, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [callId]);
    const [row] = await sql('SELECT status, failure FROM transcripts WHERE call_id = ?', [callId]);
    if (row && pred(row)) return row;
    if (Date.now() > deadline) {
      const jobs = await sql('SELECT kind, state, attempts, last_error FROM jobs WHERE call_id = ?', [callId]);
      assert.fail(`call ${callId}: ${what} not reached: ${JSON.stringify(row)} ${JSON.stringify(jobs)}`);
    }
    await new Promise((res) => setTimeout(res, 300));
  }
}

// No copy of a recording is left in spool_dir (s3_fetch's private directories).
function leftovers() {
  return fs.readdirSync(conf.spool_dir).filter((n) => n.startsWith('transcribe-'));
}

test('a recording in the bucket is transcribed: the engine gets the object\'s bytes, no copy is left', async () => {
  await startEngine();
  await sql("UPDATE integrations SET config = JSON_SET(config, '$.transcribe_recordings', true) WHERE slug = 'generic'");
  let id, bytes, key;
  try {
    bytes = fakeMp3(300 * 1024);
    id = await pendingCall(bytes);
    const r = await waitFor(id, (x) => x.state !== 'pending', 'stored');
    assert.match(r.path, /^s3:/);
    key = r.path.slice(3);
  } finally {
    await sql("UPDATE integrations SET config = JSON_REMOVE(config, '$.transcribe_recordings') WHERE slug = 'generic'");
  }
  const [status, failure] = await waitTranscript(id, ([st]) => st === 'done' || st === 'failed', 'a transcript');
  assert.equal(status, 'done', failure);
  const sent = engineSeen.get(String(id));
  assert.equal(sent.length, 1);
  assert.ok(sent[0].data.equals(bytes), 'the engine got other bytes than the object\'s');
  assert.equal(sent[0].filename, `${id}.mp3`);
  assert.equal(sent[0].type, 'audio/mpeg');
  assert.ok(s3hits.includes(`GET /${BUCKET}/${key}`), s3hits.slice(-5).join('\n'));
  const t = JSON.parse((await admin.get(`/calls/${id}?format=json`, { headers: { accept: 'application/json' } })).text_).transcript;
  assert.equal(t.lines[0].text, `From the bucket, call ${id}.`);
  assert.deepEqual(leftovers(), []);
});

test('the store down: the transcript job fails with the reason on the card, then succeeds once it is back', async () => {
  await startEngine();
  const bytes = fakeMp3();
  const id = await pendingCall(bytes);
  const r = await waitFor(id, (x) => x.state !== 'pending', 'stored');
  assert.match(r.path, /^s3:/);
  await s3.close();
  try {
    const csrf = await admin.csrf();
    const q = await admin.post(`/calls/${id}/transcript`, { form: { csrf } });
    assert.equal(q.status, 303, q.text_);
    const [, failure] = await waitTranscript(id, ([, f]) => !!f, 'a failure');
    assert.match(failure, new RegExp(`^S3 http://127\\.0\\.0\\.1:${S3_PORT}: `), failure);
    assert.doesNotMatch(failure, /S3RVER|X-Amz-Signature/, 'the key or a signature is in the reason');
    const card = JSON.parse((await admin.get(`/calls/${id}?format=json`, { headers: { accept: 'application/json' } })).text_).transcript;
    assert.match(card.retrying || card.failure, new RegExp(`(the last attempt failed \\(|transcript failed: )S3 http://127`), JSON.stringify(card));
    assert.equal(engineSeen.get(String(id)), undefined, 'the engine was asked without the recording');
    assert.deepEqual(leftovers(), []);
  } finally {
    if (!s3.httpServer?.listening) await startS3();
  }
  const [status, failure] = await waitTranscript(id, ([st]) => st === 'done' || st === 'failed', 'a transcript');
  assert.equal(status, 'done', failure);
  assert.ok(engineSeen.get(String(id))[0].data.equals(bytes));
  assert.deepEqual(leftovers(), []);
});
