// db_read (docs/scaling.md): a host whose writes go to a primary and whose
// history reads (the page, its CSV, the API's call list) come from an
// asynchronous GTID replica. Proof: with replication paused, a new call is
// stored on the primary (the event acknowledged, the card shows it) but the
// history does not list it; once replication resumes, it does. Run by
// tests/cluster/run.sh (host c on node p, db_read on node r).
//
// And the replica going away: killed, the history keeps answering from the
// primary (no 5xx, the primary's rows), with one warning per program and
// retry window (CB_READ_RETRY s, host c's db_read_retry_seconds), not one a
// request; started again, reads go back to it after the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { postGeneric, api, uid, sleep } from '../lib/generic.js';
import { sql } from '../lib/db.js';
import { Client } from '../lib/http.js';

const run = promisify(execFile);
const cluster = `${process.env.CB_ROOT}/scripts/cluster.sh`;

// A CSV row of the call: its first cell is the call's id.
const csvHas = (text, callId) => new RegExp(`^\\ufeff?"?${callId}"?[,;\\t]`, 'm').test(text);

const listed = async (id) => {
  const res = await api(`/api/v1/calls?integration=generic&external_id=${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, res.text_);
  return res.json_.calls.length;
};

test('history reads come from the replica, writes go to the primary', { timeout: 120000 }, async () => {
  const id = uid('replica');
  const now = Math.floor(Date.now() / 1000);
  const ev = (n, extra) => ({ event_id: `${id}-${n}`, call_id: id, direction: 'in', from: '+380671110022',
    did: '+380441234567', start: now - 30, ...extra });

  await run(cluster, ['replica-pause'], { env: process.env });
  try {
    let res = await postGeneric(ev('s', { event: 'call.start' }));
    assert.equal(res.status, 200, res.text_);
    res = await postGeneric(ev('e', { event: 'call.end', status: 'answered', answer: now - 20, end: now, billsec: 20, ext: '101' }));
    assert.equal(res.status, 200, res.text_);
    // Stored on the primary...
    const rows = await sql('SELECT id FROM calls WHERE external_id = ?', [id]);
    assert.equal(rows.length, 1, 'the call is on the primary');
    // ...the card (a read of what was just written) works from the primary...
    const c = new Client();
    await c.login('manager', 'manager');
    const card = await c.get(`/calls/${rows[0][0]}`);
    assert.equal(card.status, 200, 'the card reads the primary');
    // ...and the history, from the paused replica, does not list it yet.
    assert.equal(await listed(id), 0, 'the API list reads the replica');
    const page = await c.get(`/calls?q=${encodeURIComponent('+380671110022')}`);
    assert.equal(page.status, 200);
    assert.ok(!page.text_.includes(`/calls/${rows[0][0]}"`), 'the history page reads the replica');
    const csv = await c.get(`/calls.csv?q=${encodeURIComponent('+380671110022')}`);
    assert.equal(csv.status, 200);
    assert.ok(!csvHas(csv.text_, rows[0][0]), 'the CSV reads the replica');
  } finally {
    await run(cluster, ['replica-resume'], { env: process.env });
  }
  let n = 0;
  for (let t = Date.now(); Date.now() - t < 20000 && n === 0; await sleep(200)) n = await listed(id);
  assert.equal(n, 1, 'listed once replication caught up');
  const c = new Client();
  await c.login('manager', 'manager');
  const csv = await c.get(`/calls.csv?q=${encodeURIComponent('+380671110022')}`);
  const [[callId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [id]);
  assert.ok(csvHas(csv.text_, callId), 'the CSV lists it then');
});


// --- the replica down ------------------------------------------------------

const RETRY = Number(process.env.CB_READ_RETRY || 30);
const LOG_DIR = join(process.env.CB_STATE_DIR || '.', 'log');
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

// The programs' logs (one file a program), as offsets now, to read what came after.
const logMark = () => Object.fromEntries(readdirSync(LOG_DIR).filter((f) => f.endsWith('.log'))
  .map((f) => [f, statSync(join(LOG_DIR, f)).size]));
const readerWarnings = (mark) => {
  const out = {};
  for (const f of readdirSync(LOG_DIR).filter((n) => n.endsWith('.log'))) {
    const text = readFileSync(join(LOG_DIR, f)).subarray(mark[f] || 0).toString('utf8');
    const n = text.split('\n').filter((l) => l.includes('db_read ') && l.includes('reading from the primary')).length;
    if (n) out[f] = n;
  }
  return out;
};

async function storeCall(id, from) {
  const now = Math.floor(Date.now() / 1000);
  const ev = (n, extra) => ({ event_id: `${id}-${n}`, call_id: id, direction: 'in', from,
    did: '+380441234567', start: now - 30, ...extra });
  let res = await postGeneric(ev('s', { event: 'call.start' }));
  assert.equal(res.status, 200, res.text_);
  res = await postGeneric(ev('e', { event: 'call.end', status: 'answered', answer: now - 20, end: now, billsec: 20, ext: '101' }));
  assert.equal(res.status, 200, res.text_);
  const [[callId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [id]);
  return callId;
}

// Every history read of the call: the API list, the page, the CSV. Each must answer 200; returns
// what each shows.
async function historyShows(c, id, callId, from) {
  const res = await api(`/api/v1/calls?integration=generic&external_id=${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, `API list: ${res.status} ${res.text_}`);
  const page = await c.get(`/calls?q=${encodeURIComponent(from)}`);
  assert.equal(page.status, 200, `history page: ${page.status} ${page.text_.slice(0, 300)}`);
  const csv = await c.get(`/calls.csv?q=${encodeURIComponent(from)}`);
  assert.equal(csv.status, 200, `CSV: ${csv.status} ${csv.text_.slice(0, 300)}`);
  return { api: res.json_.calls.length, page: page.text_.includes(`/calls/${callId}"`), csv: csvHas(csv.text_, callId) };
}

test('the replica killed: history from the primary, one warning per retry window; back to the replica after it',
  { timeout: 180000 }, async () => {
    const c = new Client();
    await c.login('manager', 'manager');
    const mark = logMark();
    await run(cluster, ['kill-node', 'r'], { env: process.env });
    try {
      // A call stored while the replica is down: only the primary has it.
      const id = uid('replica-down');
      const from = freshNumber();
      const callId = await storeCall(id, from);
      // Two retry windows and a bit of reads: every one answered, from the primary.
      let requests = 0;
      const t0 = Date.now();
      while (Date.now() - t0 < (2 * RETRY + 1) * 1000) {
        const seen = await historyShows(c, id, callId, from);
        requests += 3;
        assert.deepEqual(seen, { api: 1, page: true, csv: true }, 'the primary answers the history while the replica is down');
        await sleep(100);
      }
      const secs = (Date.now() - t0) / 1000;
      const warned = readerWarnings(mark);
      console.log(`replica down: ${requests} history reads in ${secs.toFixed(1)} s, all 200; warnings per program log: ${JSON.stringify(warned)}`);
      // Each program process warns once when it first finds the replica gone and once more per
      // window it tries again: not once per request.
      const programs = Object.keys(warned);
      assert.ok(programs.length >= 1, 'the fallback is logged');
      const children = Number(process.env.CB_FCGI_CHILDREN || 1);
      for (const f of programs) {
        assert.ok(warned[f] <= children * (Math.floor(secs / RETRY) + 2),
          `${f}: ${warned[f]} warnings in ${secs.toFixed(1)} s with a ${RETRY} s window`);
      }
    } finally {
      await run(cluster, ['restart-node', 'r'], { env: process.env });
    }
    // Back: with replication paused, a new call is on the primary only; once the window is over
    // the programs read the replica again, which does not list it.
    await run(cluster, ['replica-pause'], { env: process.env });
    try {
      const id = uid('replica-back');
      const from = freshNumber();
      const callId = await storeCall(id, from);
      const t0 = Date.now();
      let seen;
      do {
        await sleep(250);
        seen = await historyShows(c, id, callId, from);
      } while ((seen.api || seen.page || seen.csv) && Date.now() - t0 < (RETRY + 10) * 1000);
      assert.deepEqual(seen, { api: 0, page: false, csv: false }, 'history reads went back to the replica');
      console.log(`replica back: history reads it again ${((Date.now() - t0) / 1000).toFixed(1)} s after restart-node returned (window ${RETRY} s)`);
    } finally {
      await run(cluster, ['replica-resume'], { env: process.env });
    }
  });
