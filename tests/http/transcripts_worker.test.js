// The transcript.make job end to end (issue 22): a recording stored by the
// worker for an integration with "transcribe_recordings": true queues its
// transcript in the same transaction; the running worker sends the file to
// the configured "http" engine — here a local stand-in of an
// OpenAI-compatible /v1/audio/transcriptions at the stack's transcribe_url
// (scripts/stack.sh: http+33) that checks the multipart request (fields,
// the file's bytes, the bearer key) — and stores the lines and a summary.
// Errors: 503 is retried (the card says so), 401 fails at once with the
// reason on the card, garbage fails after its retries; the key is in no log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const WAIT_MS = 60_000;
const conf = Object.fromEntries(fs.readFileSync(path.join(process.env.CB_STATE_DIR, 'callboard.conf'), 'utf8')
  .split('\n').map((l) => l.match(/^\s*([a-z_]+)\s*=\s*(.*?)\s*$/)).filter(Boolean).map((m) => [m[1], m[2]]));
const ENGINE_URL = conf.transcribe_engine === 'http' && /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(conf.transcribe_url || '')
  ? new URL(conf.transcribe_url) : null;
const skip = ENGINE_URL ? false : `the stack's transcribe_engine is "${conf.transcribe_engine}", not the http stand-in`;

let server, standIn, saved, manager;
const modes = new Map();     // call id → 'ok' | '503-once' | '401' | 'garbage'
const seen = new Map();      // call id → [{ fields, file, auth }]
const files = new Map();     // "/files/x.wav" → bytes

// multipart/form-data (RFC 7578) → { name: { filename, type, data } }
function multipart(body, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType || '');
  assert.ok(m, `not multipart: ${contentType}`);
  const sep = Buffer.from(`--${m[1] || m[2]}`);
  const parts = {};
  let at = body.indexOf(sep);
  while (at >= 0) {
    const start = at + sep.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(sep, start);
    const part = body.subarray(start + 2, next - 2);       // CRLF after the boundary, before the next
    const headEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headEnd).toString();
    const name = /name="([^"]*)"/.exec(head)[1];
    const filename = /filename="([^"]*)"/.exec(head);
    const type = /Content-Type: (.*)/i.exec(head);
    parts[name] = { filename: filename && filename[1], type: type && type[1].trim(), data: part.subarray(headEnd + 4) };
    at = next;
  }
  return parts;
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

before(async () => {
  if (skip) return;
  manager = new Client();
  await manager.login('manager', 'manager');
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url, 'http://x');
      if (req.method === 'GET' && files.has(url.pathname)) {
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.end(files.get(url.pathname));
        return;
      }
      if (req.method !== 'POST' || url.pathname !== '/v1/audio/transcriptions') {
        answer(res, 404, { error: { message: 'no such route' } });
        return;
      }
      const parts = multipart(body, req.headers['content-type']);
      const callId = parts.file && parts.file.filename && parts.file.filename.split('.')[0];
      if (!seen.has(callId)) seen.set(callId, []);
      seen.get(callId).push({ parts, auth: req.headers.authorization });
      const mode = modes.get(callId) || 'ok';
      if (mode === '401') return answer(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      if (mode === 'garbage') return answer(res, 200, '<html>oops</html>');
      if (mode === '503-once' && seen.get(callId).length === 1) return answer(res, 503, { detail: 'model is loading' });
      return answer(res, 200, {
        task: 'transcribe', language: 'english', duration: 6.2, text: 'Hello. Delivery on Friday.',
        segments: [
          { id: 0, start: 0.0, end: 2.1, text: ` Hello, this is about order ${callId}.` },
          { id: 1, start: 2.2, end: 6.2, text: ' The parcel comes on Friday.', speaker: 'agent' },
        ],
      });
    });
  });
  await new Promise((resolve) => server.listen(Number(ENGINE_URL.port), '127.0.0.1', resolve));
  standIn = `http://127.0.0.1:${ENGINE_URL.port}`;
  [[saved]] = await sql("SELECT config FROM integrations WHERE slug = 'generic'");
  await sql(`UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.allow_private_hosts',
             JSON_ARRAY('127.0.0.0/8'), '$.transcribe_recordings', true) WHERE slug = 'generic'`);
});

after(async () => {
  if (skip) return;
  await sql("UPDATE integrations SET config = ? WHERE slug = 'generic'", [saved]);
  await new Promise((resolve) => server.close(resolve));
});

// A finished generic call whose recording the worker fetches from the
// stand-in now; returns its id.
async function callWithRecording(mode) {
  const ext = `tw-${Date.now()}-${crypto.randomInt(1e6)}`;
  const file = `/files/${crypto.randomBytes(6).toString('hex')}.wav`;
  files.set(file, Buffer.concat([Buffer.from('RIFF'), crypto.randomBytes(4000)]));
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, started_at, answered_at,
               ended_at, talk_seconds, manager_id, recording_state, recording_url)
             SELECT i.id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
               UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, u.id, 'pending', ?
             FROM integrations i, users u WHERE i.slug = 'generic' AND u.login = 'manager'`, [ext, `${standIn}${file}`]);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  modes.set(String(id), mode);
  await sql("INSERT INTO jobs (kind, payload, call_id, run_at) VALUES ('recording.fetch', ?, ?, UTC_TIMESTAMP(3))",
    [JSON.stringify({ call_id: Number(id) }), id]);
  return { id: String(id), bytes: files.get(file) };
}

// Polls the transcript's status until it is one of states, hurrying the
// call's queued jobs past their backoff.
async function waitStatus(id, states, { hurry = true, failed = false } = {}) {
  const deadline = Date.now() + WAIT_MS;
  let row;
  for (;;) {
    if (hurry)
      await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE call_id = ? AND state = 'queued'", [id]);
    [row] = await sql('SELECT status, failure FROM transcripts WHERE call_id = ?', [id]);
    if (row && states.includes(row[0]) && (!failed || row[1])) return row;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const jobs = await sql('SELECT kind, state, attempts, last_error FROM jobs WHERE call_id = ?', [id]);
  assert.fail(`call ${id}: transcript ${JSON.stringify(row)}, wanted ${states}; jobs ${JSON.stringify(jobs)}`);
}

test('a stored recording of an integration that transcribes is transcribed: the multipart request, then lines and a summary', { skip }, async () => {
  const { id, bytes } = await callWithRecording('ok');
  await waitStatus(id, ['done']);
  const req = seen.get(id)[0];
  assert.equal(req.auth, `Bearer ${conf.transcribe_key}`);
  assert.deepEqual(req.parts.file.data, bytes, 'the recording\'s bytes are sent as they are stored');
  assert.equal(req.parts.file.type, 'audio/wav');
  assert.equal(req.parts.response_format.data.toString(), 'verbose_json');
  assert.equal(req.parts['timestamp_granularities[]'].data.toString(), 'segment');
  assert.ok(req.parts.model.data.length > 0);
  const t = JSON.parse((await manager.get(`/calls/${id}?format=json`)).text_).transcript;
  assert.equal(t.lines.length, 2);
  assert.equal(t.lines[0].text, `Hello, this is about order ${id}.`);
  assert.equal(t.lines[1].start_ms, 2200);
  assert.equal(t.lines[1].side, 'manager');
  assert.equal(t.engine, 'http');
  assert.equal(t.language, 'english');
  assert.ok(t.summary && t.summary.length > 0, JSON.stringify(t));
  // searchable at once
  const r = JSON.parse((await manager.get(`/calls?said=parcel+Friday&from=2020-01-01&format=json`)).text_);
  assert.ok(r.calls.some((c) => String(c.id) === id));
});

test('503 from the engine is retried: the card says it is trying again, then the transcript', { skip }, async () => {
  const { id } = await callWithRecording('503-once');
  // Not hurried: after the first attempt the job waits out its 30 s
  // backoff, so the card shows the retry.
  const [, failure] = await waitStatus(id, ['queued'], { hurry: false, failed: true });
  assert.match(failure, /HTTP 503 \(model is loading\)/);
  const card = await manager.get(`/calls/${id}`);
  assert.match(card.text_, /the last attempt failed \(.*HTTP 503/);
  await waitStatus(id, ['done']);
  assert.equal(seen.get(id).length, 2);
});

test('a refused key fails at once, with the reason on the card and the key in no log', { skip }, async () => {
  const { id } = await callWithRecording('401');
  const [, failure] = await waitStatus(id, ['failed']);
  assert.match(failure, /HTTP 401 \(Incorrect API key provided\)/);
  assert.equal(seen.get(id).length, 1, 'no retry of a refused key');
  const card = await manager.get(`/calls/${id}`);
  assert.match(card.text_, /transcript failed: .*HTTP 401 \(Incorrect API key provided\)/);
  const [[lastError]] = await sql("SELECT last_error FROM jobs WHERE call_id = ? AND kind = 'transcript.make'", [id]);
  assert.doesNotMatch(lastError, new RegExp(conf.transcribe_key));
  const logs = path.join(process.env.CB_STATE_DIR, 'log');
  for (const f of fs.readdirSync(logs))
    assert.doesNotMatch(fs.readFileSync(path.join(logs, f), 'utf8'), new RegExp(conf.transcribe_key), f);
});

test('an answer that is not JSON fails after its retries, saying so', { skip }, async () => {
  const { id } = await callWithRecording('garbage');
  const [, failure] = await waitStatus(id, ['failed']);
  assert.match(failure, /not a JSON object/);
  assert.equal(seen.get(id).length, 6);
});

test('an integration without the setting stores the recording and queues no transcript', { skip }, async () => {
  await sql("UPDATE integrations SET config = JSON_REMOVE(config, '$.transcribe_recordings') WHERE slug = 'generic'");
  try {
    const { id } = await callWithRecording('ok');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const [[state]] = await sql('SELECT recording_state FROM calls WHERE id = ?', [id]);
      if (state === 'stored') break;
      assert.ok(Date.now() < deadline, `recording ${state}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const [[jobs]] = await sql("SELECT COUNT(*) FROM jobs WHERE call_id = ? AND kind = 'transcript.make'", [id]);
    assert.equal(Number(jobs), 0);
    // ...and the card offers the button instead
    const card = await manager.get(`/calls/${id}`);
    assert.match(card.text_, /class="tr-request"/);
    const csrf = await manager.csrf();
    const r = await manager.post(`/calls/${id}/transcript`, { form: { csrf } });
    assert.equal(r.status, 303);
    assert.match(r.headers.get('location'), /transcript=queued/);
    await waitStatus(id, ['done']);
    const [[by]] = await sql('SELECT u.login FROM transcripts t JOIN users u ON u.id = t.requested_by WHERE t.call_id = ?', [id]);
    assert.equal(by, 'manager');
  } finally {
    await sql(`UPDATE integrations SET config = JSON_SET(config, '$.transcribe_recordings', true) WHERE slug = 'generic'`);
  }
});
