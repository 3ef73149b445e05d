// Acknowledged events that can never be stored (issue 16 §4). An extension
// longer than its column (calls.extension, call_legs.extension are
// VARCHAR(16)) made MariaDB refuse the row; the hook took that for "database
// down", answered 200, spooled it, and the worker retried it every 0.5 s
// forever: the event was lost despite the acknowledgement, and every such
// event slowed all jobs. Now:
//  * the provider's data is validated where it enters (lib/calls/event.c
//    ev_validate, in the one receive path): a value its column cannot hold
//    is a 400 with the reason, nothing acknowledged, nothing spooled;
//  * a refusal after the acknowledgement (spooled unverified while the
//    database was down, validated at replay; or a data error the database
//    raises) is a dead letter an admin sees and retries
//    (`callboard dead-letters`), never in a loop; "database down" (connection
//    errors) still spools and retries.
// Prints the attack / attempts / blocked table (tests/lib/attack_table.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { BASE } from '../lib/http.js';
import { sign, uid, sleep, callsOf } from '../lib/generic.js';
import { sql } from '../lib/db.js';
import { attackTable } from '../lib/attack_table.js';

const record = attackTable();
const ROOT = process.env.CB_ROOT;
const STATE = process.env.CB_STATE_DIR;
const stack = `${ROOT}/scripts/stack.sh`;
const SPOOL = `${STATE}/spool`;
const callboard = (...args) => execFileSync(`${process.env.CB_BUILD_DIR}/tools/callboard`,
  ['--config', `${STATE}/callboard.conf`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const spooled = () => existsSync(`${SPOOL}/events.jsonl`) || existsSync(`${SPOOL}/replaying.jsonl`);

async function spoolEmpty(ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!spooled()) return true;
    await sleep(250);
  }
  return false;
}

function genericEvent(callId, ext) {
  const now = Math.floor(Date.now() / 1000);
  return { event: 'call.answer', call_id: callId, direction: 'in', from: '+380675550199', ext,
    start: now - 10, answer: now };
}

async function postGeneric(ev) {
  const body = JSON.stringify(ev);
  const res = await fetch(`${BASE}/hook/generic`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...sign(body) }, body,
  });
  res.text_ = await res.text();
  return res;
}

async function postBinotel(fields) {
  const res = await fetch(`${BASE}/hook/binotel?key=demo-binotel-key`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  });
  res.text_ = await res.text();
  return res;
}

async function postZadarma(fields) {
  const s = ['caller_id', 'called_did', 'call_start'].map((n) => fields[n] ?? '').join('');
  const signature = Buffer.from(createHmac('sha1', 'demo-zadarma-secret').update(s).digest('hex')).toString('base64');
  const res = await fetch(`${BASE}/hook/zadarma`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', signature },
    body: new URLSearchParams(fields).toString(),
  });
  res.text_ = await res.text();
  return res;
}

const calls = async (slug, id) => (await sql(
  'SELECT COUNT(*) FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = ? AND c.external_id = ?',
  [slug, id]))[0][0];

test('values longer than their columns are refused where they enter: 400, not acknowledged, not spooled', async () => {
  const zdTime = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const attempts = [
    ['generic: 17-character extension', 'generic', uid('long'), (id) => postGeneric(genericEvent(id, '1'.repeat(17)))],
    ['generic: 32-character extension', 'generic', uid('long'), (id) => postGeneric(genericEvent(id, 'x'.repeat(32)))],
    ['binotel: 20-character internalNumber', 'binotel', `${Date.now()}01`, (id) => postBinotel({
      requestType: 'receivedTheCall', generalCallID: id, callType: 0, externalNumber: '0991234567',
      pbxNumber: '0322900200', internalNumber: '12345678901234567890' })],
    ['binotel: internalNumber not UTF-8', 'binotel', `${Date.now()}02`, (id) => postBinotel(
      `requestType=receivedTheCall&generalCallID=${id}&callType=0&externalNumber=0991234567&internalNumber=%FF%FE1`)],
    ['zadarma: 20-character internal', 'zadarma', `in_${uid('z')}`, (id) => postZadarma({
      event: 'NOTIFY_INTERNAL', call_start: zdTime, pbx_call_id: id, caller_id: '380991234567',
      called_did: '380443900100', internal: 'abcdefghijabcdefghij' })],
  ];
  let blocked = 0;
  const missed = [];
  for (const [name, slug, id, send] of attempts) {
    const res = await send(id);
    const stored = await calls(slug, id);
    if (res.status === 400 && /Malformed callback/.test(res.text_) && stored === '0' && !spooled()) blocked++;
    else missed.push(`${name}: ${res.status} ${res.text_.slice(0, 80)} stored=${stored} spooled=${spooled()}`);
  }
  record('values longer than their column, or not UTF-8 (live)', attempts.length, blocked, missed);
});

test('refused after the acknowledgement (spooled while the database was down): a dead letter, no hot loop, retry visible', async () => {
  const good = uid('okspool');
  const bad = [uid('dead'), uid('dead')];
  const before = callboard('dead-letters');
  // Restarting the programs empties the hook's integration cache, so with
  // the database down it spools the requests unverified and unparsed: it
  // acknowledges them without being able to validate them.
  execFileSync(stack, ['db-stop'], { stdio: 'inherit' });
  try {
    execFileSync(stack, ['restart-programs'], { stdio: 'ignore' });
    for (const [id, ext] of [[bad[0], '1'.repeat(20)], [good, '101'], [bad[1], 'e'.repeat(24)]]) {
      const res = await postGeneric(genericEvent(id, ext));
      assert.equal(res.status, 200, `spooled: ${res.text_}`);
    }
  } finally {
    execFileSync(stack, ['db-start'], { stdio: 'inherit' });
  }
  const attempts = 3;
  let blocked = 0;
  const missed = [];
  if (await spoolEmpty(30000)) blocked++; else missed.push('the spool still holds records after 30 s');
  if ((await callsOf('generic', good)).length === 1) blocked++; else missed.push('the valid event was not stored');
  // Both refused events are dead letters with their reason, once each.
  const rows = await sql("SELECT id, state, attempts, last_error FROM jobs WHERE kind = 'event.refused' "
    + 'AND (JSON_EXTRACT(payload, \'$.record.body\') IS NOT NULL) AND id > ? ORDER BY id',
    [Number((before.match(/^(\d+)\t/m) || [0, 0])[1])]);
  const mine = [];
  for (const r of rows) {
    const p = await sql('SELECT payload FROM jobs WHERE id = ?', [r[0]]);
    const rec = JSON.parse(p[0][0]).record;
    const body = Buffer.from(rec.body, 'base64').toString();
    if (bad.some((id) => body.includes(id))) mine.push(r);
  }
  if (mine.length === 2 && mine.every((r) => r[1] === 'failed' && /extension is longer than 16/.test(r[3]))) blocked++;
  else missed.push(`dead letters: ${JSON.stringify(mine)}`);
  record('refused rows acknowledged while the database was down', attempts, blocked, missed);

  // The admin sees them, and a retry is one attempt that fails again with
  // the reason (the column is still 16 characters): never a loop.
  const list = callboard('dead-letters');
  for (const r of mine) assert.match(list, new RegExp(`^${r[0]}\\t.*\\tgeneric\\t.*extension is longer than 16`, 'm'));
  const out = callboard('dead-letters', 'retry', mine[0][0]);
  assert.match(out, /queued/);
  const deadline = Date.now() + 15000;
  let state;
  while (Date.now() < deadline) {
    state = (await sql('SELECT state, attempts, last_error FROM jobs WHERE id = ?', [mine[0][0]]))[0];
    if (state[0] === 'failed' && state[1] === '1') break;
    await sleep(250);
  }
  const log0 = readFileSync(`${STATE}/log/worker.log`, 'utf8').length;
  await sleep(2000);
  const replays = (readFileSync(`${STATE}/log/worker.log`, 'utf8').slice(log0).match(/spool: replayed/g) || []).length;
  let b2 = 0;
  const m2 = [];
  if (state[0] === 'failed' && state[1] === '1' && /extension is longer than 16/.test(state[2])) b2++;
  else m2.push(`after retry: ${JSON.stringify(state)}`);
  if (replays === 0 && !spooled()) b2++; else m2.push(`worker still replaying: ${replays}`);
  assert.throws(() => callboard('dead-letters', 'retry', '999999999'), /not a failed dead letter/);
  record('dead letter retried: fails again visibly, no loop', 2, b2, m2);
});
