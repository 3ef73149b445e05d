// Reconciliation end to end (issue 17 §3): calls whose webhooks never
// arrived are read from a local stand-in of each provider's history API
// (tests/lib/history_standin.js) by `callboard reconcile` and stored once
// through the receive pipeline (source 'reconcile'); a second run changes
// nothing; a call half-stored from webhooks is completed, not duplicated;
// an API that fails, times out or answers garbage leaves every stored row
// untouched and the run says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { sql } from '../lib/db.js';
import { DID, deliver, oneCall, calls, newId, unknownCaller, zdTime, recId } from '../lib/zadarma.js';
import * as standin from '../lib/history_standin.js';

const { state, reconcile, counts, snapshot, TWILIO_SID } = standin;
const now = () => Math.floor(Date.now() / 1000);
const uid = () => `${Date.now()}${crypto.randomInt(1e6)}`;

before(standin.start);
after(standin.stop);

async function eventsOf(slug, externalId) {
  return sql(`SELECT e.source, e.kind FROM call_events e JOIN integrations i ON i.id = e.integration_id
    WHERE i.slug = ? AND e.external_id = ? ORDER BY e.id`, [slug, externalId]);
}

async function lastRun(slug) {
  const [row] = await sql(`SELECT r.state, r.trigger_kind, r.records, r.recovered, r.completed, r.unchanged,
      r.refused, r.error FROM reconcile_runs r JOIN integrations i ON i.id = r.integration_id
    WHERE i.slug = ? ORDER BY r.id DESC LIMIT 1`, [slug]);
  return row;
}

// A Zadarma statistics row (OpenAPI v2) of an incoming call answered by 101.
function zdRow(pbx, caller, start, { disposition = 'answered', seconds = 60, dest = 101, rec = null } = {}) {
  return { call_id: rec ? Number(rec) : 1717495200.5, sip: String(dest), callstart: zdTime(start),
    clid: caller, destination: dest, disposition, seconds, is_recorded: Boolean(rec), pbx_call_id: pbx };
}

test('Zadarma: a call whose webhooks were all lost appears once with its facts; a second run changes nothing', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = new Date(Date.now() - 20 * 60000);
  state.mode = 'ok';
  state.zadarma = [
    zdRow(id, caller, start, { disposition: 'no answer', seconds: 0, dest: 102 }),
    zdRow(id, caller, start, { seconds: 75, dest: 101 }),
  ];
  assert.equal((await calls(id)).length, 0, 'the call is not there before');
  let r = await reconcile('zadarma', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  const n = counts(r.stdout);
  assert.equal(n.recovered, 1, r.stdout);
  const c = await oneCall(id);
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 75);
  assert.equal(c.extension, '101', 'the answered row speaks for the call');
  assert.equal(c.started_at, new Date(Math.floor(start.getTime() / 1000) * 1000).toISOString());
  assert.deepEqual(await eventsOf('zadarma', id), [['reconcile', 'NOTIFY_END']]);
  const hit = state.hits.find((h) => h.path === '/v1/statistics/pbx/');
  assert.ok(hit, 'the statistics API was asked');
  assert.match(hit.query, /version=2/);

  const before = await snapshot('zadarma');
  r = await reconcile('zadarma', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  const again = counts(r.stdout);
  assert.equal(again.recovered, 0);
  assert.equal(again.completed, 0);
  assert.ok(again.unchanged >= 1, r.stdout);
  assert.deepEqual(await snapshot('zadarma'), before, 'a second run changes nothing');
  assert.equal((await calls(id)).length, 1);
  const run = await lastRun('zadarma');
  assert.equal(run[0], 'ok');
  assert.equal(run[1], 'cli');
});

test('Zadarma: a call half-stored from webhooks (it rang, its END was lost) is completed, not duplicated', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = new Date(Date.now() - 15 * 60000);
  await deliver([{ event: 'NOTIFY_START', call_start: zdTime(start), pbx_call_id: id, caller_id: caller, called_did: DID }]);
  let c = await oneCall(id);
  assert.equal(c.state, 'ringing');
  const rec = recId(start);
  state.zadarma = [zdRow(id, caller, start, { seconds: 42, rec })];
  const r = await reconcile('zadarma', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.ok(counts(r.stdout).completed >= 1, r.stdout);
  c = await oneCall(id);
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 42);
  assert.ok(c.ended_at, 'the end is filled');
  assert.deepEqual(await eventsOf('zadarma', id), [['hook', 'NOTIFY_START'], ['reconcile', 'NOTIFY_END']]);
  const [[recState, recUrl]] = await sql(`SELECT c.recording_state, c.recording_url FROM calls c
    JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'zadarma' AND c.external_id = ?`, [id]);
  assert.ok(['pending', 'stored', 'failed'].includes(recState), recState);
  // The API gives call_id as a JSON number (OpenAPI v2): its text.
  assert.equal(recUrl, `ref:${Number(rec)}`, 'the recording is asked for as the webhook would have');
});

test('Zadarma: a call stored whole from webhooks is a duplicate: no event, no change', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = new Date(Date.now() - 10 * 60000);
  const fields = { call_start: zdTime(start), pbx_call_id: id, caller_id: caller, called_did: DID };
  await deliver([{ event: 'NOTIFY_START', ...fields },
    { event: 'NOTIFY_END', ...fields, internal: '101', duration: '30', disposition: 'answered', status_code: '16',
      is_recorded: '0' }]);
  state.zadarma = [zdRow(id, caller, start, { seconds: 30 })];
  const before = await snapshot('zadarma');
  const r = await reconcile('zadarma', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await snapshot('zadarma'), before);
  assert.deepEqual((await eventsOf('zadarma', id)).map(([s]) => s), ['hook', 'hook']);
});

for (const [mode, why] of [['500', /HTTP 500/], ['garbage', /not JSON/], ['timeout', /did not answer/]]) {
  test(`Zadarma: a history API that ${mode === 'timeout' ? 'times out' : `answers ${mode}`} leaves stored data untouched and says why`, async () => {
    state.zadarma = [zdRow(newId(), unknownCaller(), new Date(Date.now() - 60000))];
    state.mode = mode;
    try {
      const before = await snapshot('zadarma');
      const r = await reconcile('zadarma', now() - 3600, now());
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, why);
      assert.doesNotMatch(r.stderr, /demo-zadarma-(key|secret)|Authorization/, 'no credential in the error');
      assert.deepEqual(await snapshot('zadarma'), before, 'nothing stored');
      const run = await lastRun('zadarma');
      assert.equal(run[0], 'failed');
      assert.match(run[7], why);
    } finally {
      state.mode = 'ok';
    }
  });
}

test('Zadarma: one garbage row spoils the page: nothing of it is stored', async () => {
  const good = newId();
  state.zadarma = [zdRow(good, unknownCaller(), new Date(Date.now() - 60000)),
    { pbx_call_id: newId(), callstart: 'yesterday', disposition: 'answered', seconds: 3 }];
  const before = await snapshot('zadarma');
  const r = await reconcile('zadarma', now() - 3600, now());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /malformed callstart \(row 2\)/);
  assert.deepEqual(await snapshot('zadarma'), before);
  assert.equal((await calls(good)).length, 0);
});

test('Binotel: incoming and outgoing history; lost calls recovered once, a second run changes nothing', async () => {
  const inId = `9${uid()}`.slice(0, 15);
  const outId = `8${uid()}`.slice(0, 15);
  const t = now() - 1800;
  state.binotelIn = { [inId]: { companyID: '1', generalCallID: inId, startTime: t, callType: '0',
    internalNumber: '901', externalNumber: `09${crypto.randomInt(1e8).toString().padStart(8, '0')}`,
    waitsec: '7', billsec: '33', disposition: 'ANSWER', recordingStatus: 'notRecorded',
    pbxNumberData: { number: '0443900200' } } };
  state.binotelOut = { [outId]: { companyID: '1', generalCallID: outId, startTime: t + 60, callType: '1',
    internalNumber: '902', externalNumber: `09${crypto.randomInt(1e8).toString().padStart(8, '0')}`,
    waitsec: '20', billsec: '0', disposition: 'NOANSWER' } };
  let r = await reconcile('binotel', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(counts(r.stdout).recovered, 2, r.stdout);
  const cin = await oneCall(inId, 'binotel');
  assert.equal(cin.direction, 'in');
  assert.equal(cin.result, 'answered');
  assert.equal(cin.talk_seconds, 33);
  assert.equal(cin.wait_seconds, 7);
  assert.equal(cin.ended_at, new Date((t + 40) * 1000).toISOString());
  const cout = await oneCall(outId, 'binotel');
  assert.equal(cout.direction, 'out');
  assert.equal(cout.result, 'no_answer');
  assert.deepEqual(await eventsOf('binotel', inId), [['reconcile', 'apiCallCompleted']]);
  const paths = state.hits.filter((h) => h.path.startsWith('/api/4.0/stats/')).map((h) => h.path);
  assert.ok(paths.includes('/api/4.0/stats/incoming-calls-for-period.json'));
  assert.ok(paths.includes('/api/4.0/stats/outgoing-calls-for-period.json'));

  const before = await snapshot('binotel');
  r = await reconcile('binotel', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  assert.equal(counts(r.stdout).unchanged, 2);
  assert.deepEqual(await snapshot('binotel'), before);
});

test('Twilio: two pages of the Calls list (a call and its manager leg) recovered once; live legs left alone', async () => {
  const hex = () => crypto.randomBytes(16).toString('hex');
  const parent = `CA${hex()}`;
  const child = `CA${hex()}`;
  const live = `CA${hex()}`;
  const caller = `+38099${crypto.randomInt(1e7).toString().padStart(7, '0')}`;
  const t0 = new Date(Date.now() - 30 * 60000);
  const rfc = (d) => d.toUTCString().replace('GMT', '+0000');
  state.twilio = [
    [{ sid: parent, parent_call_sid: null, from: caller, to: '+380443900300', status: 'completed',
      direction: 'inbound', start_time: rfc(t0), end_time: rfc(new Date(t0.getTime() + 95000)), duration: '95' },
    { sid: live, parent_call_sid: null, from: caller, to: '+380443900300', status: 'in-progress',
      direction: 'inbound', start_time: rfc(t0), end_time: null, duration: null }],
    [{ sid: child, parent_call_sid: parent, from: '+380443900300', to: 'client:manager_101', status: 'completed',
      direction: 'outbound-dial', start_time: rfc(new Date(t0.getTime() + 5000)),
      end_time: rfc(new Date(t0.getTime() + 95000)), duration: '90' }],
  ];
  let r = await reconcile('twilio', now() - 3600, now());
  assert.equal(r.code, 0, r.stderr);
  let n = counts(r.stdout);
  // The call, its manager leg and the <Dial action> the answered leg means.
  assert.equal(n.records, 3, r.stdout);
  assert.equal(n.recovered, 1);
  assert.equal(n.completed, 2);
  const c = await oneCall(parent, 'twilio');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 90);
  assert.equal(c.extension, '101');
  assert.equal(c.ended_at, new Date(t0.getTime() + 95000).toISOString().replace(/\.\d+Z$/, '.000Z'));
  assert.equal((await calls(live, 'twilio')).length, 0, 'a live call waits for its webhooks');
  const pages = state.hits.filter((h) => h.path.endsWith('/Calls.json'));
  assert.ok(pages.some((h) => /PageToken=PA1/.test(h.query)), 'the next page was asked for');
  assert.match(pages[0].query, /StartTime%3E%3D=/);

  const before = await snapshot('twilio');
  r = await reconcile('twilio', now() - 3600, now());
  n = counts(r.stdout);
  assert.equal(n.unchanged, 3);
  assert.deepEqual(await snapshot('twilio'), before);
});

test('callboard reconcile refuses what it cannot do, with a reason', async () => {
  let r = await reconcile('generic', now() - 3600, now());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no call history/);
  r = await reconcile('no-such-slug', now() - 3600, now());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no integration/);
  r = await reconcile('zadarma', now(), now() - 3600);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /after --from/);
});
