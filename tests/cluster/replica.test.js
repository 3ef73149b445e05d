// db_read (docs/scaling.md): a host whose writes go to a primary and whose
// history reads (the page, its CSV, the API's call list) come from an
// asynchronous GTID replica. Proof: with replication paused, a new call is
// stored on the primary (the event acknowledged, the card shows it) but the
// history does not list it; once replication resumes, it does. Run by
// tests/cluster/run.sh (host c on node p, db_read on node r).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
