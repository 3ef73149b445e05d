// Fault injection (issue 7 §3): while a load of provider events runs,
//   (a) MariaDB is stopped and started again,
//   (b) the hook's FastCGI processes are killed with SIGKILL and restarted,
//   (c) the worker is killed in the middle of a job and restarted,
//   (d) nginx is reloaded.
// Afterwards every event that got a 2xx answer is in the database exactly
// once, every call exactly once, and every job is done (its effect applied
// once) or visibly failed. Prints: events sent, acknowledged, stored,
// duplicates, lost.
//
// The load behaves like a provider: an event without a 2xx answer (503 while
// a program restarts, a refused connection while nginx reloads) is sent
// again, the same bytes, until it is acknowledged or the load's deadline.
//
// Loopback only; bounded (~1 minute). Run by ./run test after the other
// suites, because it stops and kills parts of the stack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sign, uid, sleep, answeredCallEvents, recordingServer } from '../lib/generic.js';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

const run = promisify(execFile);
const stack = `${process.env.CB_ROOT}/scripts/stack.sh`;
// At least this many calls; the load goes on until every fault was injected.
const MIN_CALLS = Number(process.env.CB_FAULT_CALLS || 100);
const CONCURRENCY = 6;
const PACE_MS = 60;           // per sender between calls: ~100 events/s in all
const RECORDING_EVERY = 10;   // every 10th call has a recording to fetch
const RUN = uid('fault');

const rec = await recordingServer(250);
const recBase = rec.base;
after(() => rec.close());

async function stackCmd(...args) {
  await run(stack, args, { env: process.env });
}

// One event, sent until acknowledged (2xx) or the deadline passes.
async function deliver(ev, deadline, stats) {
  const body = JSON.stringify(ev);
  stats.sent++;
  for (;;) {
    try {
      const res = await fetch(`${BASE}/hook/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body) },
        body,
        signal: AbortSignal.timeout(10000),
      });
      await res.arrayBuffer();
      if (res.status >= 200 && res.status < 300) return true;
      stats.refusals++;
    } catch {
      stats.refusals++;
    }
    if (Date.now() > deadline) return false;
    stats.retries++;
    await sleep(150);
  }
}

function eventsOf(i) {
  const callId = `${RUN}-${i}`;
  const from = `+38067${String(3000000 + i).padStart(7, '0')}`;
  return answeredCallEvents(callId, from, i % RECORDING_EVERY === 0 ? `${recBase}/rec/${callId}.wav` : null);
}

test('events, calls and jobs survive database restarts, crashes and reloads', { timeout: 240000 }, async () => {
  const stats = { sent: 0, acked: 0, refusals: 0, retries: 0 };
  const acked = new Set();
  const faults = [];
  const loadDeadline = Date.now() + 90000;
  let next = 0;
  let chaosDone = false;

  const worker = async () => {
    for (;;) {
      if (chaosDone && next >= MIN_CALLS) return;
      const i = next++;
      for (const ev of eventsOf(i)) {
        if (await deliver(ev, loadDeadline, stats)) {
          stats.acked++;
          acked.add(ev.event_id);
        }
      }
      await sleep(PACE_MS);
    }
  };

  const chaos = async () => {
    const step = async (label, fn) => {
      const t0 = Date.now();
      await fn();
      faults.push(`${label} (${Date.now() - t0} ms)`);
    };
    await sleep(800);
    await step('(a) MariaDB stopped', () => stackCmd('db-stop'));
    await sleep(2000);
    await step('(a) MariaDB started', () => stackCmd('db-start'));
    await sleep(1000);
    await step('(b) hook killed (SIGKILL)', () => stackCmd('crash', 'hook'));
    await sleep(500);
    await step('(b) hook restarted', () => stackCmd('start'));
    await sleep(800);
    await step('(d) nginx reloaded', () => stackCmd('reload-nginx'));
    await sleep(800);
    await step('(b) card and calls killed', async () => {
      await stackCmd('crash', 'card');
      await stackCmd('crash', 'calls');
    });
    await step('(b) programs restarted', () => stackCmd('start'));
    chaosDone = true;
  };

  await Promise.all([...Array.from({ length: CONCURRENCY }, worker), chaos()]);
  const CALLS = next;
  const WITH_RECORDING = Math.ceil(CALLS / RECORDING_EVERY);

  // (c) The recording jobs of these calls wait ~40 s by design (providers
  // publish files late): make them due now, then kill the worker while one
  // of them is running.
  await sql("UPDATE jobs j JOIN calls c ON c.id = j.call_id SET j.run_at = UTC_TIMESTAMP(3) "
    + "WHERE j.state = 'queued' AND c.external_id LIKE ?", [`${RUN}-%`]);
  let killedMidJob = false;
  for (let t = Date.now(); Date.now() - t < 20000;) {
    const running = await sql("SELECT COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
      + "WHERE j.state = 'running' AND c.external_id LIKE ?", [`${RUN}-%`]);
    if (Number(running[0][0]) > 0) {
      await stackCmd('crash', 'worker');
      killedMidJob = true;
      faults.push('(c) worker killed during a job');
      await sleep(300);
      await stackCmd('start');
      faults.push('(c) worker restarted');
      break;
    }
    await sleep(50);
  }
  assert.ok(killedMidJob, 'the worker was killed while one of the jobs was running');

  // Let the spool drain and the jobs finish.
  const settle = Date.now() + 90000;
  let open = -1;
  while (Date.now() < settle) {
    const r = await sql("SELECT COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
      + "WHERE j.state IN ('queued','running') AND c.external_id LIKE ?", [`${RUN}-%`]);
    const stored = await sql('SELECT COUNT(*) FROM call_events WHERE external_id LIKE ?', [`${RUN}-%`]);
    open = Number(r[0][0]);
    if (open === 0 && Number(stored[0][0]) >= acked.size) break;
    await sleep(500);
  }

  const events = await sql('SELECT external_id, payload FROM call_events WHERE external_id LIKE ?', [`${RUN}-%`]);
  const seen = new Map();
  for (const [, payload] of events) {
    const id = JSON.parse(payload).event_id;
    seen.set(id, (seen.get(id) || 0) + 1);
  }
  const duplicates = [...seen.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);
  const lost = [...acked].filter((id) => !seen.has(id));
  const calls = await sql('SELECT external_id, COUNT(*) FROM calls WHERE external_id LIKE ? GROUP BY external_id', [`${RUN}-%`]);
  const doubleCalls = calls.filter(([, n]) => Number(n) > 1);
  const jobs = await sql("SELECT j.state, COUNT(*), SUM(j.attempts > 1), "
    + "SUM(j.state = 'failed' AND (j.last_error IS NULL OR j.last_error = '')), "
    + "SUM(j.kind = 'recording.fetch' AND j.state = 'done') "
    + "FROM jobs j JOIN calls c ON c.id = j.call_id WHERE c.external_id LIKE ? GROUP BY j.state", [`${RUN}-%`]);
  const byState = Object.fromEntries(jobs.map(([s, n]) => [s, Number(n)]));
  const recordingJobsDone = jobs.reduce((n, r) => n + Number(r[4] || 0), 0);
  // Jobs of one kind queued twice for the same call (the hook's outbox must
  // queue each once, whatever the retries and the spool replays).
  const twice = await sql("SELECT j.kind, j.call_id, COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
    + "WHERE c.external_id LIKE ? GROUP BY j.kind, j.call_id HAVING COUNT(*) > 1", [`${RUN}-%`]);
  const rerun = jobs.reduce((n, r) => n + Number(r[2] || 0), 0);
  const silentFailures = jobs.reduce((n, r) => n + Number(r[3] || 0), 0);
  const recs = await sql("SELECT recording_state, COUNT(*) FROM calls WHERE external_id LIKE ? GROUP BY recording_state", [`${RUN}-%`]);

  console.log(`\nfault injection: ${faults.join('; ')}`);
  console.log('| events sent | acknowledged | stored | duplicates | lost | provider retries |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| ${stats.sent} | ${stats.acked} | ${seen.size} | ${duplicates} | ${lost.length} | ${stats.retries} |`);
  console.log(`calls: ${calls.length} (${doubleCalls.length} duplicated); jobs: ${JSON.stringify(byState)}, `
    + `${rerun} run again after a crash, ${silentFailures} failed without an error; `
    + `recordings: ${JSON.stringify(Object.fromEntries(recs.map(([s, n]) => [s, Number(n)])))}`);

  assert.equal(stats.acked, stats.sent, 'every event was acknowledged in the end (providers retry)');
  assert.equal(lost.length, 0, `acknowledged but not stored: ${lost.slice(0, 5).join(', ')}`);
  assert.equal(duplicates, 0, 'no event stored twice');
  assert.equal(doubleCalls.length, 0, 'no call stored twice');
  assert.equal(calls.length, CALLS, 'one call per physical call');
  assert.equal(open, 0, 'no job left queued or running');
  assert.equal(silentFailures, 0, 'every failed job says why');
  assert.equal(recordingJobsDone, WITH_RECORDING, 'every recording job done');
  assert.deepEqual(twice, [], 'no job queued twice for one call');
  // The effect of a job run twice is applied once: each call has its file.
  const stored = recs.find(([s]) => s === 'stored');
  assert.equal(Number(stored ? stored[1] : 0), WITH_RECORDING, 'every recording stored');
});
