// Zadarma as real accounts send it (issue 15 §2.2, §2.3, §2.6), through
// nginx → hook → MariaDB, each call delivered in order, reversed and with
// every event three times:
//  * call_start and the other times are the account's local time: a new
//    integration takes its country's zone (shown and editable on its page),
//    a wrong zone is corrected from call_id_with_rec's unix time, and a call
//    never starts in the future or after it ends (before: UTC, so a Kyiv
//    call started 2-3 hours in the future);
//  * after a blind or an attended transfer, NOTIFY_END's last_internal
//    talked last and is the call's manager (before: `internal` won);
//  * wait_seconds is the time from the start to the answer (before: 0).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import {
  DID, deliver, notify, oneCall, newId, unknownCaller, zdTime, recId,
} from '../lib/zadarma.js';

const KYIV = 'Europe/Kyiv';
const SECRET = `zd-real-${randomBytes(6).toString('hex')}`;
let admin, slug, integId;

function postForm(client, p, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

async function csrfOf(client, p) {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  // Added the way an admin does, saying nothing about time zones.
  slug = `t-zdreal-${randomBytes(4).toString('hex')}`;
  const r = await postForm(admin, '/settings/integrations/new', [
    ['csrf', await csrfOf(admin, '/settings/integrations')], ['kind', 'zadarma'],
    ['name', `Zadarma ${slug}`], ['slug', slug], ['enabled', '1'], ['country', 'ua'],
    ['fallback', 'queue'], ['fallback_target', '500'],
    ['secret_key', 'zd-key-0123456789'], ['secret_secret', SECRET]]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  integId = Number(r.headers.get('location').match(/\/settings\/integrations\/(\d+)/)[1]);
});

after(async () => {
  if (slug) await sql('UPDATE integrations SET enabled = 0 WHERE slug = ?', [slug]);
});

// One answered incoming call: START, INTERNAL, ANSWER, END (+ the rec id).
function answered(id, caller, start, { ext = '101', talk = 42, rec } = {}) {
  const base = { call_start: start, pbx_call_id: id, caller_id: caller };
  return [
    { event: 'NOTIFY_START', ...base, called_did: DID },
    { event: 'NOTIFY_INTERNAL', ...base, called_did: DID, internal: ext },
    { event: 'NOTIFY_ANSWER', ...base, destination: ext, internal: ext },
    { event: 'NOTIFY_END', ...base, called_did: DID, internal: ext, duration: String(talk),
      disposition: 'answered', status_code: '16', is_recorded: rec ? '1' : '0',
      ...(rec ? { call_id_with_rec: rec } : {}) },
  ];
}

const orders = {
  'in order': (evs) => evs,
  reversed: (evs) => [...evs].reverse(),
  'three times': (evs) => evs.flatMap((e) => [e, e, e]),
};

// What must hold for any call, whatever the zone and the order.
function possible(c) {
  const t = (s) => (s ? Date.parse(s) : null);
  assert.ok(t(c.started_at) <= Date.now() + 1000, `starts in the future: ${c.started_at}`);
  if (c.ended_at) assert.ok(t(c.started_at) <= t(c.ended_at), `starts after its end: ${c.started_at} > ${c.ended_at}`);
  if (c.answered_at) {
    assert.ok(t(c.started_at) <= t(c.answered_at), `starts after its answer: ${c.started_at} > ${c.answered_at}`);
    assert.equal(c.wait_seconds, Math.floor((t(c.answered_at) - t(c.started_at)) / 1000),
      `wait_seconds is the start to the answer: ${JSON.stringify(c)}`);
  }
}

test('a new Zadarma integration takes its country\'s zone, shown and editable on its page', async () => {
  const page = await admin.get(`/settings/integrations/${integId}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /name="time_zone"[^>]*value="Europe\/Kyiv"/);
  assert.match(page.text_, /<textarea name="allowed_ips"[^>]*>185\.45\.152\.0\/24\n/);
  const [[config]] = await sql('SELECT config FROM integrations WHERE id = ?', [integId]);
  assert.equal(JSON.parse(config).time_zone, KYIV);
  // A zone that is not one is refused with a reason; a real one is kept.
  const form = async (tz) => postForm(admin, `/settings/integrations/${integId}`, [
    ['csrf', await csrfOf(admin, `/settings/integrations/${integId}`)], ['kind', 'zadarma'],
    ['name', `Zadarma ${slug}`], ['slug', slug], ['enabled', '1'], ['country', 'ua'],
    ['fallback', 'queue'], ['fallback_target', '500'], ['time_zone', tz],
    ['allowed_ips', '127.0.0.1\n::1']]);
  let r = await form('Mars/Olympus');
  assert.equal(r.status, 400);
  assert.match(r.text_, /time zone is a name like Europe\/Kyiv/);
  r = await form(KYIV);
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const [[saved]] = await sql('SELECT config FROM integrations WHERE id = ?', [integId]);
  assert.deepEqual(JSON.parse(saved).allowed_ips, ['127.0.0.1', '::1']);
});

for (const [how, order] of Object.entries(orders)) {
  test(`Kyiv local times on a new integration (${how}): the call starts when it did, wait from start to answer`, async () => {
    // The stack runs on loopback: let it send (the page's field, set above).
    await sql("UPDATE integrations SET config = JSON_SET(config, '$.allowed_ips', JSON_ARRAY('127.0.0.0/8', '::1')) WHERE id = ?", [integId]);
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 90000);
    const id = newId();
    await deliver(order(answered(id, unknownCaller(), zdTime(t0, KYIV))), { slug, secret: SECRET });
    const c = await oneCall(id, slug);
    assert.equal(c.started_at, t0.toISOString());
    assert.equal(c.state, 'ended');
    assert.equal(c.result, 'answered');
    assert.equal(c.talk_seconds, 42);
    assert.ok(c.wait_seconds > 0, `wait_seconds ${c.wait_seconds}`);
    possible(c);
  });

  test(`a zone set wrong is corrected from call_id_with_rec (${how})`, async () => {
    // The demo integration says UTC; this account's clock is Kyiv's.
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 120000);
    const id = newId();
    await deliver(order(answered(id, unknownCaller(), zdTime(t0, KYIV), { rec: recId(t0) })));
    const c = await oneCall(id);
    assert.equal(c.started_at, t0.toISOString());
    possible(c);
  });

  test(`blind transfer 101 → 102: the call is 102's, who talked last (${how})`, async () => {
    const id = newId();
    const start = zdTime(new Date(Date.now() - 200000));
    const base = { call_start: start, pbx_call_id: id, caller_id: unknownCaller() };
    await deliver(order([
      { event: 'NOTIFY_START', ...base, called_did: DID },
      { event: 'NOTIFY_INTERNAL', ...base, called_did: DID, internal: '101' },
      { event: 'NOTIFY_ANSWER', ...base, destination: '101', internal: '101' },
      { event: 'NOTIFY_INTERNAL', ...base, called_did: DID, internal: '102',
        transfer_from: '101', transfer_type: 'blind' },
      { event: 'NOTIFY_ANSWER', ...base, destination: '102', internal: '102',
        transfer_from: '101', transfer_type: 'blind' },
      { event: 'NOTIFY_END', ...base, called_did: DID, internal: '101', last_internal: '102',
        duration: '95', disposition: 'answered', status_code: '16', is_recorded: '0' },
    ]));
    const c = await oneCall(id);
    assert.equal(c.extension, '102');
    assert.equal(c.manager && c.manager.login, 'intern');
    assert.equal(c.result, 'answered');
    assert.equal(c.talk_seconds, 95);
    const exts = new Set(c.legs.map((l) => l.extension));
    assert.ok(exts.has('101') && exts.has('102'), JSON.stringify(c.legs));
    possible(c);
  });

  test(`attended transfer 101 → 103 after a consultation: 103 talked last (${how})`, async () => {
    const id = newId();
    const start = zdTime(new Date(Date.now() - 300000));
    const base = { call_start: start, pbx_call_id: id, caller_id: unknownCaller() };
    await deliver(order([
      { event: 'NOTIFY_START', ...base, called_did: DID },
      { event: 'NOTIFY_INTERNAL', ...base, called_did: DID, internal: '101' },
      { event: 'NOTIFY_ANSWER', ...base, destination: '101', internal: '101' },
      { event: 'NOTIFY_INTERNAL', ...base, called_did: DID, internal: '103',
        transfer_from: '101', transfer_type: 'attended' },
      { event: 'NOTIFY_ANSWER', ...base, destination: '103', internal: '103',
        transfer_from: '101', transfer_type: 'attended' },
      { event: 'NOTIFY_END', ...base, called_did: DID, internal: '101', last_internal: '103',
        duration: '180', disposition: 'answered', status_code: '16', is_recorded: '0' },
    ]));
    const c = await oneCall(id);
    assert.equal(c.extension, '103');
    assert.equal(c.manager && c.manager.login, 'olena');
    possible(c);
  });
}

test('a call_start hours ahead (a wrong zone, no unix time to check it) never starts in the future', async () => {
  const id = newId();
  const ahead = zdTime(new Date(Date.now() + 3 * 3600 * 1000));
  const base = { call_start: ahead, pbx_call_id: id, caller_id: unknownCaller() };
  await deliver([
    { event: 'NOTIFY_START', ...base, called_did: DID },
    { event: 'NOTIFY_END', ...base, called_did: DID, internal: '101', duration: '0',
      disposition: 'cancel', status_code: '16', is_recorded: '0' },
  ]);
  const c = await oneCall(id);
  assert.equal(c.result, 'missed');
  possible(c);
  assert.ok(Date.parse(c.started_at) <= Date.parse(c.ended_at));
});
