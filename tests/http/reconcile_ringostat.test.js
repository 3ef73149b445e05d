// Ringostat never resends a webhook that failed (providers-2.md §3.5), so
// its calls come back from its call log (GET calls/list, §3.8): a local
// stand-in of it (tests/lib/history_standin.js) answers `callboard
// reconcile ringostat`. A call whose webhooks were all lost appears once;
// a call that was only taken is completed; a second run changes nothing;
// an answer that is garbage or an error leaves every stored row untouched
// and the integration's status page says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { callsOf, oneCall, send } from '../lib/vectors.js';
import * as standin from '../lib/history_standin.js';

const { state, reconcile, counts, snapshot } = standin;
const now = () => Math.floor(Date.now() / 1000);
const cid = () => `ua-${1700000000 + randomInt(1e8)}.${randomInt(1e6)}`;
const caller = () => `38067${randomInt(1e7).toString().padStart(7, '0')}`;
let admin, rsId;

before(async () => {
  await standin.start();
  admin = new Client();
  await admin.login('admin', 'admin');
  [[rsId]] = await sql("SELECT id FROM integrations WHERE slug = 'ringostat'");
});
after(standin.stop);

// "YYYY-MM-DD HH:MM:SS" in Kyiv (the demo integration keeps Ringostat's
// default zone): what the call log writes.
function kyiv(d) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const row = (id, num, start, over = {}) => ({ uniqueid: id, calldate: kyiv(start), caller: num,
  dst: '380442223344', disposition: 'ANSWERED', billsec: '40', duration: '46', waittime: '6',
  call_type: 'incoming', employee_number: '101', has_recording: '0', ...over });

async function eventsOf(id) {
  return sql(`SELECT e.source, e.kind FROM call_events e JOIN integrations i ON i.id = e.integration_id
    WHERE i.slug = 'ringostat' AND e.external_id = ? ORDER BY e.id`, [id]);
}

test('Ringostat: a call whose webhooks were all lost appears once from the call log; a second run changes nothing', async () => {
  const id = cid();
  const start = new Date(Math.floor(Date.now() / 1000 - 25 * 60) * 1000);
  state.mode = 'ok';
  state.ringostat = [row(id, caller(), start)];
  assert.equal((await callsOf('ringostat', id)).length, 0);
  let r = await reconcile('ringostat', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(counts(r.stdout).recovered, 1, r.stdout);
  const c = await oneCall('ringostat', id);
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 40);
  assert.equal(c.wait_seconds, 6);
  assert.equal(c.extension, '101');
  assert.equal(c.started_at, start.toISOString(), 'the log\'s local calldate read in the account\'s zone');
  assert.deepEqual(await eventsOf(id), [['reconcile', 'after']]);
  const hit = state.hits.find((h) => h.path === '/calls/list');
  assert.ok(hit, 'the call log was asked');
  assert.match(hit.query, /export_type=json/);
  assert.equal(hit.headers['auth-key'], 'demo-ringostat-auth-key');

  const before = await snapshot('ringostat');
  r = await reconcile('ringostat', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  const again = counts(r.stdout);
  assert.equal(again.recovered, 0);
  assert.equal(again.completed, 0);
  assert.ok(again.unchanged >= 1, r.stdout);
  assert.deepEqual(await snapshot('ringostat'), before, 'a second run changes nothing');
  assert.equal((await callsOf('ringostat', id)).length, 1);
});

test('Ringostat: a call whose after-call webhook was lost (it was taken) is completed, not duplicated; one stored whole is a duplicate', async () => {
  const taken = cid();
  const whole = cid();
  const start = new Date(Math.floor(Date.now() / 1000 - 15 * 60) * 1000);
  const micros = `${start.getTime()}000`;
  const n1 = caller();
  const n2 = caller();
  const hook = (body, q = '') => send('ringostat', { url: `?key=demo-ringostat-key${q}`, body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' } });
  assert.equal((await hook({ call_id: taken, caller: n1, calldate_timestamp_micros: micros, waiting: 6,
    extension: '101' })).status, 200);
  assert.equal((await hook({ call_id: whole, caller: n2, status: 'ANSWERED', calldate_timestamp_micros: micros,
    call_duration: 46, waiting: 6, dialog: 40, extension: '101' })).status, 200);
  let c = await oneCall('ringostat', taken);
  assert.notEqual(c.state, 'ended', 'taken, its end lost');
  state.ringostat = [row(taken, n1, start), row(whole, n2, start)];
  const r = await reconcile('ringostat', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  const n = counts(r.stdout);
  assert.equal(n.completed, 1, r.stdout);
  assert.ok(n.unchanged >= 1, r.stdout);
  c = await oneCall('ringostat', taken);
  assert.equal(c.state, 'ended');
  assert.equal(c.talk_seconds, 40);
  assert.deepEqual(await eventsOf(taken), [['hook', 'answer'], ['reconcile', 'after']]);
  assert.deepEqual(await eventsOf(whole), [['hook', 'after']], 'the webhook\'s event id: a duplicate');
});

for (const [mode, why] of [['garbage', /not JSON/], ['500', /HTTP 500/]]) {
  test(`Ringostat: a call log that answers ${mode} leaves stored data untouched; the status page says why`, async () => {
    state.ringostat = [row(cid(), caller(), new Date(Date.now() - 60000))];
    state.mode = mode;
    try {
      const before = await snapshot('ringostat');
      const r = await reconcile('ringostat', now() - 3600, now());
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr, /demo-ringostat-auth-key|Auth-key:/, 'no credential in the error');
      assert.deepEqual(await snapshot('ringostat'), before, 'nothing stored');
      const page = await admin.get(`/settings/integrations/${rsId}/status?format=json`);
      assert.equal(page.status, 200);
      const [run] = JSON.parse(page.text_).runs;
      assert.equal(run.failed, true);
      assert.match(run.error, why);
      const html = await admin.get(`/settings/integrations/${rsId}/status`);
      assert.match(html.text_, why);
    } finally {
      state.mode = 'ok';
    }
  });
}

test('Ringostat: one bad row spoils the answer: nothing of it is stored', async () => {
  const good = cid();
  state.ringostat = [row(good, caller(), new Date(Date.now() - 60000)), { uniqueid: cid(), calldate: 'yesterday' }];
  const before = await snapshot('ringostat');
  const r = await reconcile('ringostat', now() - 3600, now());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /malformed calldate \(row 2\)/);
  assert.deepEqual(await snapshot('ringostat'), before);
  assert.equal((await callsOf('ringostat', good)).length, 0);
});
