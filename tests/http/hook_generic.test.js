// The generic signed webhook format through the real stack (nginx → hook →
// MariaDB), issue 3 and docs/generic-format.md: signed JSON and form events
// delivered in order, three times, in reverse; missed calls; ring groups;
// transfers; the routing answer; bad, stale and missing signatures;
// malformed bodies. Read back with the JSON API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';

const SECRET = 'demo-generic-secret';
const HOOK = `${BASE}/hook/generic`;
const DID = '+48223900400';              // the demo generic line (Warsaw)
const KNOWN = '380671234567';            // Mallory (crm-20004), manager 101
const KNOWN_NATIONAL = '0671234567';

const nowS = () => Math.floor(Date.now() / 1000);

// docs/generic-format.md §4: HMAC-SHA256 of "<timestamp>.<raw body>".
function signature(body, secret = SECRET, ts = nowS()) {
  const hex = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return { 'x-timestamp': String(ts), 'x-signature': `sha256=${hex}` };
}

async function send(body, contentType, { secret = SECRET, ts, headers } = {}) {
  const h = { 'content-type': contentType,
    ...(headers !== undefined ? headers : signature(body, secret, ts ?? nowS())) };
  const res = await fetch(HOOK, { method: 'POST', headers: h, body });
  res.text_ = await res.text();
  return res;
}

const post = (event, opts) => send(JSON.stringify(event), 'application/json', opts);
const postForm = (fields, opts) =>
  send(new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString(),
    'application/x-www-form-urlencoded', opts);

async function deliver(events) {
  for (const e of events) {
    const res = await post(e);
    assert.equal(res.status, 200, `${e.event}: ${res.status} ${res.text_}`);
    if (e.event !== 'route.request') assert.deepEqual(JSON.parse(res.text_), { status: 'ok' });
  }
}

async function calls(id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=generic&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

async function oneCall(id) {
  const list = await calls(id);
  assert.equal(list.length, 1, `exactly one call for ${id}: ${JSON.stringify(list)}`);
  return list[0];
}

const newId = () => `gx-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
// A caller no demo customer has: +38099 and 7 random digits.
const unknownCaller = () => `+38099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;
const iso = (s) => new Date(s * 1000).toISOString();

// An incoming call: 101 rings, answers after 6 s, talks 42 s (§5.1).
function answeredCall(id, caller, t0, ext = '101') {
  const leg = `${id}.1`;
  return [
    { event: 'call.start', call_id: id, uniqueid: id, direction: 'in', from: caller, did: DID,
      start: t0, caller_name: 'Олена Коваленко' },
    { event: 'call.ringing', call_id: id, uniqueid: leg, direction: 'in', from: caller, ext,
      start: t0 + 1 },
    { event: 'call.answer', call_id: id, uniqueid: leg, direction: 'in', ext, answer: t0 + 6 },
    { event: 'call.end', call_id: id, uniqueid: leg, direction: 'in', ext, status: 'answered',
      answer: t0 + 6, end: t0 + 48 },
    { event: 'call.end', call_id: id, uniqueid: id, direction: 'in', from: caller, did: DID,
      start: t0, answer: t0 + 6, end: t0 + 48, billsec: 42, status: 'answered', hangup_cause: 16 },
  ];
}

// The fields that must not depend on delivery order or repetition.
const essence = (c) => ({
  direction: c.direction, state: c.state, result: c.result,
  client_number: c.client_number, extension: c.extension,
  manager: c.manager && c.manager.login, customer: c.customer && c.customer.id,
  talk_seconds: c.talk_seconds, wait_seconds: c.wait_seconds,
  started_at: c.started_at, answered_at: c.answered_at, ended_at: c.ended_at,
  legs: c.legs.map((l) => `${l.leg_id}:${l.extension}:${l.answered_at !== null}`).sort(),
});

test('answered incoming call in order: one call with result, talk, wait, extension, manager', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  await deliver(answeredCall(id, caller, t0));
  const c = await oneCall(id);
  assert.equal(c.integration, 'generic');
  assert.equal(c.external_id, id);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.wait_seconds, 6);
  assert.equal(c.extension, '101');
  assert.equal(c.manager && c.manager.login, 'manager');
  assert.equal(c.client_number, caller);
  assert.match(c.our_number || '', /48223900400$/);
  assert.equal(c.started_at, iso(t0));
  assert.equal(c.answered_at, iso(t0 + 6));
  assert.equal(c.ended_at, iso(t0 + 48));
  assert.equal(c.events, 5);
  const leg = c.legs.find((l) => l.leg_id === `${id}.1`);
  assert.ok(leg, `leg ${id}.1 in ${JSON.stringify(c.legs)}`);
  assert.equal(leg.extension, '101');
  assert.equal(leg.answered_at, iso(t0 + 6));
});

test('every event delivered 3 times gives the same single call', async () => {
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  const once = newId();
  const thrice = newId();
  await deliver(answeredCall(once, caller, t0));
  for (const e of answeredCall(thrice, caller, t0)) await deliver([e, e, e]);
  const a = await oneCall(once);
  const b = await oneCall(thrice);
  assert.deepEqual(essence(b), { ...essence(a), legs: essence(a).legs.map((l) => l.replace(once, thrice)) });
  assert.equal(b.events, a.events);
  assert.equal(b.events, 5);
});

test('a retry signed again later is still a duplicate', async () => {
  // The bridge re-signs a queued event with a fresh timestamp; the body,
  // which is what Callboard deduplicates on, stays the same.
  const id = newId();
  const e = answeredCall(id, unknownCaller(), nowS() - 60)[0];
  assert.equal((await post(e, { ts: nowS() - 200 })).status, 200);
  assert.equal((await post(e, { ts: nowS() })).status, 200);
  assert.equal((await oneCall(id)).events, 1);
});

test('events in reverse order give the same final call', async () => {
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  const fwd = newId();
  const rev = newId();
  await deliver(answeredCall(fwd, caller, t0));
  await deliver(answeredCall(rev, caller, t0).reverse());
  const a = await oneCall(fwd);
  const b = await oneCall(rev);
  assert.deepEqual(essence(b), { ...essence(a), legs: essence(a).legs.map((l) => l.replace(fwd, rev)) });
  assert.equal(b.result, 'answered');
  assert.equal(b.state, 'ended');
  assert.equal(b.extension, '101');
  assert.equal(b.events, a.events);
});

test('missed incoming call: 101 rang, the caller gave up', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 60;
  await deliver([
    { event: 'call.start', call_id: id, direction: 'in', from: caller, did: DID, start: t0 },
    { event: 'call.ringing', call_id: id, uniqueid: `${id}.1`, direction: 'in', ext: '101', start: t0 },
    { event: 'call.end', call_id: id, uniqueid: `${id}.1`, direction: 'in', ext: '101',
      status: 'canceled', end: t0 + 18 },
    { event: 'call.end', call_id: id, direction: 'in', from: caller, did: DID, start: t0,
      end: t0 + 18, status: 'canceled', hangup_cause: '16' },
  ]);
  const c = await oneCall(id);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'missed');
  assert.equal(c.talk_seconds, 0);
  assert.equal(c.wait_seconds, 18);
  assert.equal(c.answered_at, null);
  assert.equal(c.extension, '101');      // the only one who rang
});

test('outgoing call nobody answered: no_answer, not missed', async () => {
  const id = newId();
  const client = unknownCaller();
  const t0 = nowS() - 60;
  await deliver([
    { event: 'call.start', call_id: id, direction: 'out', from: '104', to: client, ext: '104', start: t0 },
    { event: 'call.end', call_id: id, direction: 'out', from: '104', to: client, ext: '104',
      start: t0, end: t0 + 30, status: 'no-answer' },
  ]);
  const c = await oneCall(id);
  assert.equal(c.direction, 'out');
  assert.equal(c.result, 'no_answer');
  assert.equal(c.extension, '104');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.client_number, client);
});

test('ring group: 101, 103 and 104 rang, 103 answered → one answered call by 103', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 90;
  const events = [{ event: 'call.start', call_id: id, direction: 'in', from: caller, did: DID, start: t0 }];
  ['101', '103', '104'].forEach((ext, i) => events.push(
    { event: 'call.ringing', call_id: id, uniqueid: `${id}.${i}`, direction: 'in', ext, start: t0 + 1 }));
  events.push({ event: 'call.answer', call_id: id, uniqueid: `${id}.1`, direction: 'in', ext: '103', answer: t0 + 7 });
  events.push({ event: 'call.end', call_id: id, uniqueid: `${id}.0`, direction: 'in', ext: '101', status: 'canceled', end: t0 + 7 });
  events.push({ event: 'call.end', call_id: id, uniqueid: `${id}.2`, direction: 'in', ext: '104', status: 'NOANSWER', end: t0 + 7 });
  events.push({ event: 'call.end', call_id: id, direction: 'in', from: caller, start: t0, answer: t0 + 7,
    end: t0 + 60, status: 'answered' });
  await deliver(events);
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '103');
  assert.equal(c.manager && c.manager.login, 'olena');
  assert.equal(c.talk_seconds, 53);
  const exts = c.legs.map((l) => l.extension).filter(Boolean).sort();
  assert.deepEqual(exts, ['101', '103', '104']);
  const answered = c.legs.filter((l) => l.answered_at !== null).map((l) => l.extension);
  assert.deepEqual(answered, ['103']);
});

test('transfer: 101 answered, handed over to 105 → the call is 105\'s', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 300;
  await deliver([
    { event: 'call.start', call_id: id, direction: 'in', from: caller, start: t0 },
    { event: 'call.answer', call_id: id, uniqueid: `${id}.1`, ext: '101', answer: t0 + 6 },
    { event: 'call.answer', call_id: id, uniqueid: `${id}.2`, ext: '105', answer: t0 + 60 },
    { event: 'call.end', call_id: id, uniqueid: `${id}.1`, ext: '101', status: 'answered', answer: t0 + 6, end: t0 + 60 },
    { event: 'call.end', call_id: id, uniqueid: `${id}.2`, ext: '105', status: 'answered', answer: t0 + 60, end: t0 + 200 },
    { event: 'call.end', call_id: id, direction: 'in', from: caller, start: t0, answer: t0 + 6, end: t0 + 200, status: 'answered' },
  ].reverse());   // even in reverse, the later answer wins
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '105');
  assert.equal(c.manager && c.manager.login, 'anna');
  assert.equal(c.talk_seconds, 194);
});

test('a call.end without status stays unknown: never guessed', async () => {
  const id = newId();
  const t0 = nowS() - 60;
  await deliver([{ event: 'call.end', call_id: id, from: unknownCaller(), start: t0, end: t0 + 40, billsec: 30 }]);
  const c = await oneCall(id);
  assert.equal(c.result, 'unknown');
  assert.equal(c.talk_seconds, 30);
});

test('form-encoded events work like JSON', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 100;
  for (const e of answeredCall(id, caller, t0)) {
    const res = await postForm(e);
    assert.equal(res.status, 200, `${e.event}: ${res.text_}`);
  }
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '101');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.events, 5);
});

test('recording reference: the call has a recording to fetch', async () => {
  const id = newId();
  const t0 = nowS() - 100;
  await deliver([...answeredCall(id, unknownCaller(), t0),
    { event: 'recording.ready', call_id: id, recording_url: `https://pbx.example.com/rec/${id}.mp3` }]);
  const c = await oneCall(id);
  assert.notEqual(c.recording.state, 'none');
  assert.equal(c.events, 6);
});

test('wrong, missing, stale or replayed signatures are 403 and nothing is stored', async () => {
  const id = newId();
  const e = { event: 'call.start', call_id: id, direction: 'in', from: unknownCaller(), did: DID, start: nowS() };
  const body = JSON.stringify(e);
  let res = await post(e, { secret: 'not-the-secret' });
  assert.equal(res.status, 403);
  res = await post(e, { headers: {} });
  assert.equal(res.status, 403);
  res = await post(e, { headers: { 'x-timestamp': String(nowS()) } });
  assert.equal(res.status, 403);
  res = await post(e, { ts: nowS() - 301 });
  assert.equal(res.status, 403);
  res = await post(e, { ts: nowS() + 400 });
  assert.equal(res.status, 403);
  res = await post(e, { ts: nowS() * 1000 });
  assert.equal(res.status, 403);
  // Tampered: the signature of one body on another.
  res = await send(JSON.stringify({ ...e, from: KNOWN }), 'application/json', { headers: signature(body) });
  assert.equal(res.status, 403);
  // Fields in the URL are not signed, so they are never read.
  res = await fetch(`${HOOK}?call_id=${id}&event=call.start`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...signature('{}') }, body: '{}' });
  assert.equal(res.status, 400);
  assert.deepEqual(await calls(id), []);
});

test('malformed events are 400 with a reason; unknown events are stored and 200', async () => {
  let res = await post({ event: 'call.end', from: unknownCaller() });
  assert.equal(res.status, 400);
  assert.match(res.text_, /call_id/);
  res = await post({ event: 'call.end', call_id: newId(), start: 'yesterday' });
  assert.equal(res.status, 400);
  assert.match(res.text_, /start/);
  res = await post({ event: 'recording.ready', call_id: newId(), recording: '../../etc/passwd' });
  assert.equal(res.status, 400);
  res = await post({ call_id: newId() });
  assert.equal(res.status, 400);
  res = await send('[1,2,3]', 'application/json');
  assert.equal(res.status, 400);
  res = await send('{"event":', 'application/json');
  assert.equal(res.status, 400);
  const id = newId();
  res = await post({ event: 'call.hold', call_id: id });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text_), { status: 'ok' });
});

test('unknown slug is 404', async () => {
  const body = JSON.stringify({ event: 'call.start', call_id: newId() });
  const res = await fetch(`${BASE}/hook/no-such-integration-${randomBytes(3).toString('hex')}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...signature(body) }, body });
  assert.equal(res.status, 404);
});

test('routing: a known customer goes to the responsible manager, others get the fallback', async () => {
  let res = await post({ event: 'route.request', call_id: newId(), from: `+${KNOWN}`, did: DID });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  let body = JSON.parse(res.text_);
  assert.equal(body.extension, '101');
  assert.match(body.customer.name, /^Mallory/);
  assert.deepEqual(body.fallback, { kind: 'voicemail', target: null });

  res = await post({ event: 'route.request', call_id: newId(), from: unknownCaller(), did: DID });
  assert.equal(res.status, 200);
  body = JSON.parse(res.text_);
  assert.deepEqual(body, { extension: null, customer: null, fallback: { kind: 'voicemail', target: null } });
});

test('a known customer calling in national format is linked and routed', async () => {
  const id = newId();
  const res = await post({ event: 'route.request', call_id: id, from: KNOWN_NATIONAL, did: DID });
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text_).extension, '101');
  const t0 = nowS() - 30;
  await deliver([{ event: 'call.start', call_id: id, direction: 'in', from: KNOWN_NATIONAL, did: DID, start: t0 }]);
  const c = await oneCall(id);
  assert.equal(c.client_number, `+${KNOWN}`);
  assert.ok(c.customer, 'customer linked');
  assert.match(c.customer.name, /^Mallory/);
  assert.equal(c.events, 2);
});
