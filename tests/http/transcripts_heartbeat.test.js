// A long job's heartbeat (issue 22): a transcription may run far longer than
// job_stale_seconds, after which any worker's housekeeping takes a "running"
// job for a dead worker's and queues it again. The worker waiting for its
// transcription child touches the job's row (jobs.locked_at) every
// job_heartbeat_seconds(), so only a worker that is really gone loses its job.
//
// Two workers of our own (the stack's is stopped for the test and started
// again after it) with job_stale_seconds = 3 (so a beat every second and a
// housekeeping every 3 s), and a stand-in of the http engine that answers
// only after 10 s: the transcription outlives the stale threshold three
// times and still runs once. Then a worker is killed (SIGKILL) in the middle
// of a transcription as if on another host (so only the stale rule can see
// it is gone): its child goes with it, and a fresh worker requeues the job
// after job_stale_seconds and finishes it. And while a transcription runs the
// worker's other jobs go on (a paused transcription may last hours).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const ROOT = process.env.CB_ROOT || path.resolve(import.meta.dirname, '../..');
const BUILD = process.env.CB_BUILD_DIR || path.join(ROOT, 'build-test');
const STATE = process.env.CB_STATE_DIR || path.join(BUILD, 'stack');
const CONF = path.join(STATE, 'callboard.conf');
const WORKER = process.env.CB_LIBEXEC_DIR ? path.join(process.env.CB_LIBEXEC_DIR, 'callboard-worker')
  : path.join(BUILD, 'tools/callboard-worker');
const STACK = path.join(ROOT, 'scripts/stack.sh');
const PORT = Number(process.env.CB_HTTP_PORT || 18080) + 34;
const STALE = 3;
const SLOW_MS = 10_000;

const conf = Object.fromEntries(fs.readFileSync(CONF, 'utf8').split('\n')
  .map((l) => l.match(/^\s*([a-z_]+)\s*=\s*(.*?)\s*$/)).filter(Boolean).map((m) => [m[1], m[2]]));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const skip = conf.transcribe_engine ? false : 'the stack has no transcribe_engine (the card offers no button)';

let server, tmp, myConf, manager;
const seen = new Map();       // file name → requests so far
const hold = new Map();       // file name → ms to hold the answer (default SLOW_MS)
const workers = new Set();

function answer(res, name) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    task: 'transcribe', language: 'english', duration: 4,
    segments: [{ id: 0, start: 0, end: 4, text: ` The heartbeat call ${name}.` }],
  }));
}

before(async () => {
  if (skip) return;
  manager = new Client();
  await manager.login('manager', 'manager');
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const m = /filename="([^"]+)"/.exec(Buffer.concat(chunks).toString('latin1'));
      if (req.method !== 'POST' || !m) {
        res.writeHead(404);
        res.end();
        return;
      }
      const name = m[1];
      seen.set(name, (seen.get(name) || 0) + 1);
      const ms = hold.get(name) ?? SLOW_MS;
      const t = setTimeout(() => answer(res, name), ms);
      res.on('close', () => clearTimeout(t));
    });
  });
  await new Promise((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-heartbeat-'));
  myConf = path.join(tmp, 'callboard.conf');
  // Later lines win (lib/core/conf.c). The pause is off: the stand-in's
  // timing is the test's, not the machine's load.
  fs.writeFileSync(myConf, `${fs.readFileSync(CONF, 'utf8')}
transcribe_engine = http
transcribe_url = http://127.0.0.1:${PORT}
job_stale_seconds = ${STALE}
transcribe_pause_busy_percent = 0
`, { mode: 0o600 });
  execFileSync(STACK, ['crash', 'worker'], { stdio: 'ignore' });
});

after(async () => {
  if (skip) return;
  for (const w of workers) w.proc.kill('SIGKILL');
  await sleep(300);
  execFileSync(STACK, ['start'], { stdio: 'ignore' });
  if (server) await new Promise((resolve) => server.close(resolve));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function startWorker() {
  const w = { log: '' };
  w.proc = spawn(WORKER, ['--config', myConf], { stdio: ['ignore', 'pipe', 'pipe'] });
  w.proc.stdout.on('data', (d) => { w.log += d; });
  w.proc.stderr.on('data', (d) => { w.log += d; });
  w.exited = new Promise((resolve) => w.proc.on('exit', resolve));
  workers.add(w);
  return w;
}

async function stopWorker(w, sig = 'SIGTERM') {
  w.proc.kill(sig);
  await w.exited;
  workers.delete(w);
}

// A call of the manager with a stored recording of its own file name, and
// its transcript requested with the card's button; returns { id, name }.
async function callToTranscribe() {
  const ext = `hb-${Date.now()}-${crypto.randomInt(1e6)}`;
  const name = `${ext}.wav`;
  fs.mkdirSync(path.join(conf.recordings_dir, 'hb'), { recursive: true });
  fs.writeFileSync(path.join(conf.recordings_dir, 'hb', name),
    Buffer.concat([Buffer.from('RIFF'), crypto.randomBytes(2000)]));
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, started_at, answered_at,
               ended_at, talk_seconds, manager_id, recording_state, recording_path)
             SELECT i.id, ?, 'in', 'ended', 'answered', UTC_TIMESTAMP(3) - INTERVAL 60 SECOND,
               UTC_TIMESTAMP(3) - INTERVAL 50 SECOND, UTC_TIMESTAMP(3), 50, u.id, 'stored', ?
             FROM integrations i, users u WHERE i.slug = 'generic' AND u.login = 'manager'`, [ext, `hb/${name}`]);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  const csrf = await manager.csrf();
  const r = await manager.post(`/calls/${id}/transcript`, { form: { csrf } });
  assert.equal(r.status, 303);
  return { id: String(id), name };
}

async function waitFor(what, fn, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(200);
  }
}

const job = async (id) => (await sql(
  "SELECT id, state, attempts, locked_by FROM jobs WHERE call_id = ? AND kind = 'transcript.make'", [id]))[0];
const status = async (id) => (await sql('SELECT status FROM transcripts WHERE call_id = ?', [id]))[0]?.[0];

test('a transcription three times longer than job_stale_seconds runs once, with two workers', { skip, timeout: 90_000 }, async () => {
  const w1 = startWorker();
  const w2 = startWorker();
  try {
    const { id, name } = await callToTranscribe();
    await waitFor('the transcript', async () => (await status(id)) === 'done');
    assert.equal(seen.get(name), 1, 'the engine was asked once');
    const [, state, attempts] = await job(id);
    assert.equal(state, 'done');
    assert.equal(Number(attempts), 1, `one attempt:\n${w1.log}\n${w2.log}`);
    for (const w of [w1, w2])
      assert.doesNotMatch(w.log, /left running by a stopped worker/, w.log);
  } finally {
    await stopWorker(w1);
    await stopWorker(w2);
  }
});

// Two transcriptions queued while no worker runs: the first worker's batch
// picks both, but runs one and leaves the other queued, so the second
// worker takes it at once. Held in the first worker's batch, it waited
// unstarted (its row untouched: only the job running beats) until the stale
// rule gave it to the other worker as a second attempt (CI, session 15).
test('two transcriptions queued together run at once on two workers, each once', { skip, timeout: 90_000 }, async () => {
  const a = await callToTranscribe();
  const b = await callToTranscribe();
  const w1 = startWorker();
  const asked = () => (seen.get(a.name) || 0) + (seen.get(b.name) || 0);
  try {
    await waitFor('the first transcription to start', async () => asked() >= 1);
    const w2 = startWorker();
    try {
      await waitFor('both transcripts', async () => (await status(a.id)) === 'done' && (await status(b.id)) === 'done');
      const holders = [];
      for (const t of [a, b]) {
        assert.equal(seen.get(t.name), 1, `the engine was asked once for ${t.name}`);
        const [, state, attempts, lockedBy] = await job(t.id);
        assert.equal(state, 'done');
        assert.equal(Number(attempts), 1, `one attempt for ${t.name}:\n${w1.log}\n${w2.log}`);
        holders.push(lockedBy);
      }
      assert.notEqual(holders[0], holders[1], 'each worker ran one');
    } finally {
      await stopWorker(w2);
    }
  } finally {
    await stopWorker(w1);
  }
});

test('while a transcription runs, the worker does its other jobs', { skip, timeout: 90_000 }, async () => {
  const w1 = startWorker();
  try {
    const { id, name } = await callToTranscribe();
    await waitFor('the engine to be asked', async () => seen.get(name) === 1);
    const key = `hb-other-${Date.now()}-${crypto.randomInt(1e6)}`;
    await sql(`INSERT INTO jobs (kind, payload, dedupe_key, run_at, max_attempts)
               VALUES ('no.such.kind', '{}', ?, UTC_TIMESTAMP(3), 1)`, [key]);
    const t0 = Date.now();
    const [err] = await waitFor('the other job', async () => (await sql(
      "SELECT last_error FROM jobs WHERE dedupe_key = ? AND state = 'failed'", [key]))[0], 8000);
    assert.match(err, /unknown job kind/);
    assert.equal(await status(id), 'running', `done ${Date.now() - t0} ms after it was queued, the transcription still runs`);
    await waitFor('the transcript', async () => (await status(id)) === 'done');
    assert.equal(seen.get(name), 1);
  } finally {
    await stopWorker(w1);
  }
});

test('a job whose worker was killed is still requeued after job_stale_seconds, and its child is gone', { skip, timeout: 90_000 }, async () => {
  const w1 = startWorker();
  const { id, name } = await callToTranscribe();
  await waitFor('the engine to be asked', async () => seen.get(name) === 1);
  hold.set(name, 0);     // the second time, at once
  const [jobId, , , lockedBy] = await job(id);
  const pid = Number(lockedBy.split(':').pop());
  assert.equal(pid, w1.proc.pid);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim().split(/\s+/).map(Number);
  assert.equal(children.length, 1, 'one transcription child');
  await stopWorker(w1, 'SIGKILL');
  // As if it had run on another host: only the stale rule can tell it is gone.
  await sql("UPDATE jobs SET locked_by = 'elsewhere:4242' WHERE id = ?", [jobId]);
  await waitFor('the child to die with its worker', async () => {
    try {
      const st = fs.readFileSync(`/proc/${children[0]}/stat`, 'utf8');
      return st.slice(st.lastIndexOf(')') + 2)[0] === 'Z';
    } catch {
      return true;
    }
  }, 5000);
  const w3 = startWorker();
  try {
    await waitFor('the transcript', async () => (await status(id)) === 'done', 30_000);
    assert.equal(seen.get(name), 2, 'asked again once');
    const [, state, attempts] = await job(id);
    assert.equal(state, 'done');
    assert.equal(Number(attempts), 2);
    assert.match(w3.log, /requeued 1 job\(s\) left running by a stopped worker/);
  } finally {
    await stopWorker(w3);
  }
});
