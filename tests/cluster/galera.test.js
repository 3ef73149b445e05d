// Two "hosts" (nginx + the programs + a worker each, scripts/cluster.sh
// start-host) on two nodes of a 3-node Galera cluster (issue 23 §3). Provider
// events in the generic format (docs/generic-format.md, the shape of
// tests/vectors/generic) go to both hosts, a third of the calls' events sent
// to BOTH at once (a provider retrying through another address), while host
// B's node is killed (SIGKILL) and restarted. Afterwards: every acknowledged
// event stored once, one row per call, every recording job run once (its
// file downloaded once). Prints sent / acknowledged / stored / duplicated /
// lost. Run by tests/cluster/run.sh, which starts the cluster and the hosts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { sign, uid, sleep, answeredCallEvents, recordingServer } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const run = promisify(execFile);
const cluster = `${process.env.CB_ROOT}/scripts/cluster.sh`;
const HOST_A = process.env.CB_HOST_A;
const HOST_B = process.env.CB_HOST_B;
const CALLS = Number(process.env.CB_CLUSTER_CALLS || 60);
const CONCURRENCY = 4;
const BOTH_EVERY = 3;        // every 3rd call: each event to both hosts
const RECORDING_EVERY = 4;   // every 4th call has a recording to fetch
const RUN = uid('galera');

const rec = await recordingServer(0);
const downloads = rec.downloads;
const recBase = rec.base;
after(() => rec.close());

// One event to one host, sent again (the same bytes) until acknowledged.
async function deliver(base, ev, deadline, stats) {
  const body = JSON.stringify(ev);
  stats.sent++;
  for (;;) {
    try {
      const res = await fetch(`${base}/hook/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body) },
        body,
        signal: AbortSignal.timeout(15000),
      });
      await res.arrayBuffer();
      if (res.status >= 200 && res.status < 300) { stats.acked++; return true; }
    } catch { /* refused or timed out: a provider retries */ }
    if (Date.now() > deadline) return false;
    stats.retries++;
    await sleep(200);
  }
}

function eventsOf(i) {
  const callId = `${RUN}-${i}`;
  const from = `+38067${String(4000000 + i).padStart(7, '0')}`;
  return answeredCallEvents(callId, from, i % RECORDING_EVERY === 0 ? `${recBase}/rec/${callId}.wav` : null);
}

const count = async (q, p) => Number((await sql(q, p))[0][0]);

test('two hosts on two Galera nodes: events, calls and jobs once while a node dies', { timeout: 300000 }, async () => {
  const stats = { sent: 0, acked: 0, retries: 0 };
  const acked = new Set();
  const deadline = Date.now() + 150000;
  const faults = [];
  let next = 0;

  const sender = async () => {
    while (next < CALLS) {
      const i = next++;
      for (const ev of eventsOf(i)) {
        const hosts = i % BOTH_EVERY === 0 ? [HOST_A, HOST_B] : [i % 2 ? HOST_B : HOST_A];
        const ok = await Promise.all(hosts.map((h) => deliver(h, ev, deadline, stats)));
        if (ok.some(Boolean)) acked.add(ev.event_id);
      }
      await sleep(80);
    }
  };
  const chaos = async () => {
    await sleep(1500);
    let t0 = Date.now();
    await run(cluster, ['kill-node', '2'], { env: process.env });
    faults.push(`node 2 killed (${Date.now() - t0} ms)`);
    await sleep(4000);
    t0 = Date.now();
    await run(cluster, ['restart-node', '2'], { env: process.env, timeout: 180000 });
    faults.push(`node 2 restarted and synced (${Date.now() - t0} ms)`);
  };
  await Promise.all([...Array.from({ length: CONCURRENCY }, sender), chaos()]);

  // The recording jobs wait ~40 s by design: due now, for either worker.
  await sql("UPDATE jobs j JOIN calls c ON c.id = j.call_id SET j.run_at = UTC_TIMESTAMP(3) "
    + "WHERE j.state = 'queued' AND c.external_id LIKE ?", [`${RUN}-%`]);
  const settle = Date.now() + 90000;
  let open = -1;
  while (Date.now() < settle) {
    open = await count("SELECT COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
      + "WHERE j.state IN ('queued','running') AND c.external_id LIKE ?", [`${RUN}-%`]);
    const stored = await count('SELECT COUNT(*) FROM call_events WHERE external_id LIKE ?', [`${RUN}-%`]);
    if (open === 0 && stored >= acked.size) break;
    await sleep(500);
  }

  const events = await sql('SELECT payload FROM call_events WHERE external_id LIKE ?', [`${RUN}-%`]);
  const seen = new Map();
  for (const [payload] of events) {
    const id = JSON.parse(payload).event_id;
    seen.set(id, (seen.get(id) || 0) + 1);
  }
  const duplicates = [...seen.values()].reduce((n, c) => n + (c > 1 ? c - 1 : 0), 0);
  const lost = [...acked].filter((id) => !seen.has(id));
  const calls = await sql('SELECT external_id, COUNT(*) FROM calls WHERE external_id LIKE ? GROUP BY external_id', [`${RUN}-%`]);
  const doubleCalls = calls.filter(([, n]) => Number(n) > 1);
  const twice = await sql("SELECT j.kind, j.call_id, COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
    + "WHERE c.external_id LIKE ? GROUP BY j.kind, j.call_id HAVING COUNT(*) > 1", [`${RUN}-%`]);
  const jobStates = await sql("SELECT j.state, COUNT(*) FROM jobs j JOIN calls c ON c.id = j.call_id "
    + "WHERE c.external_id LIKE ? GROUP BY j.state", [`${RUN}-%`]);
  const withRec = Math.ceil(CALLS / RECORDING_EVERY);
  const storedRecs = await count("SELECT COUNT(*) FROM calls WHERE external_id LIKE ? AND recording_state = 'stored'", [`${RUN}-%`]);
  const runTwice = [...downloads.entries()].filter(([, n]) => n > 1);
  // Which node each call's row came in through is not recorded; the hosts'
  // share is what was sent to each.
  console.log(`\ngalera: ${faults.join('; ')}`);
  console.log('| events sent | acknowledged | stored | duplicated | lost | provider retries |');
  console.log('|---|---|---|---|---|---|');
  console.log(`| ${stats.sent} | ${stats.acked} | ${seen.size} | ${duplicates} | ${lost.length} | ${stats.retries} |`);
  console.log(`distinct events ${eventsOf(0).length * CALLS} (acknowledged ${acked.size}); calls: ${calls.length} `
    + `(${doubleCalls.length} duplicated); jobs: ${JSON.stringify(Object.fromEntries(jobStates))}; `
    + `recordings: ${storedRecs}/${withRec} stored, ${downloads.size} fetched, ${runTwice.length} fetched twice`);

  assert.equal(acked.size, eventsOf(0).length * CALLS, 'every event was acknowledged in the end');
  assert.equal(lost.length, 0, `acknowledged but not stored: ${lost.slice(0, 5).join(', ')}`);
  assert.equal(duplicates, 0, 'no event stored twice');
  assert.equal(doubleCalls.length, 0, 'no call stored twice');
  assert.equal(calls.length, CALLS, 'one row per call');
  assert.equal(open, 0, 'no job left queued or running');
  assert.deepEqual(twice, [], 'no job queued twice for one call');
  assert.equal(storedRecs, withRec, 'every recording stored');
  assert.equal(downloads.size, withRec, 'every recording fetched');
  assert.deepEqual(runTwice, [], 'each recording job ran once');
});

test('the migration lease: two hosts migrating at once on two nodes both succeed', { timeout: 120000 }, async () => {
  // The hosts were started at once by run.sh (each runs migrate); here two
  // more migrators race on an empty database of their own.
  const db = `cb_lease_${Date.now().toString(36)}`;
  await sql(`CREATE DATABASE ${db}`);
  try {
    const conf = async (h) => {
      const { stdout } = await run('sed', ['-e', `s/^db_name = .*/db_name = ${db}/`,
        `${process.env.CB_CLUSTER_DIR}/host-${h}/callboard.conf`]);
      const path = `${process.env.CB_CLUSTER_DIR}/host-${h}/lease-test.conf`;
      await writeFile(path, stdout, { mode: 0o600 });
      return path;
    };
    await sql(`GRANT ALL ON ${db}.* TO 'callboard'@'127.0.0.1'`);
    const [ca, cb] = await Promise.all([conf('a'), conf('b')]);
    const tool = `${process.env.CB_BUILD_DIR}/tools/callboard`;
    const res = await Promise.allSettled([ca, cb].map((c) => run(tool, ['--config', c, 'migrate'])));
    for (const r of res) assert.equal(r.status, 'fulfilled', r.reason && String(r.reason.stderr || r.reason));
    const applied = res.map((r) => Number(/(\d+) applied/.exec(r.value.stdout)?.[1]));
    assert.equal(Math.min(...applied), 0, `one migrator applied everything, the other nothing: ${applied}`);
    const lease = await count(`SELECT COUNT(*) FROM ${db}.schema_migrate_lease`);
    assert.equal(lease, 0, 'the lease was given back');
  } finally {
    await sql(`DROP DATABASE ${db}`);
  }
});
