// Asterisk through the real stack (nginx → hook → MariaDB), issue 3 and
// providers.md §4: what contrib/asterisk/extensions_callboard.conf posts
// (form bodies with a Bearer token, sometimes without Content-Type, the
// routing question as a GET answered in plain text) and what
// contrib/asterisk/callboard-ami-bridge posts (signed JSON; its own
// --selftest output on sample-ami.txt is replayed here). In order, three
// times, in reverse; missed calls; ring groups; bad tokens and signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BASE } from '../lib/http.js';

const SECRET = 'demo-generic-secret';
const HOOK = `${BASE}/hook/asterisk`;
const DID = '380443900300';                 // the demo Asterisk line (Kyiv store)
const KNOWN = '380672900002';               // ТОВ «Сонячний Дім» (crm-20001), manager 101
const KNOWN_NATIONAL = '0672900002';
const BRIDGE = fileURLToPath(new URL('../../contrib/asterisk/callboard-ami-bridge', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../contrib/asterisk/sample-ami.txt', import.meta.url));

const nowS = () => Math.floor(Date.now() / 1000);
const bearer = (token = SECRET) => ({ authorization: `Bearer ${token}` });

function signature(body, secret = SECRET, ts = nowS()) {
  const hex = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return { 'x-timestamp': String(ts), 'x-signature': `sha256=${hex}` };
}

const formOf = (fields) =>
  new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, String(v)])).toString();

// What dialplan CURL() sends: a form and the Bearer token. With
// bareForm, the body goes without Content-Type, as CURL() does when the
// admin set only the Authorization header (a Buffer body makes fetch add
// no Content-Type either).
async function dialplan(fields, { token = SECRET, bareForm = false } = {}) {
  const body = formOf(fields);
  const headers = { ...(token === null ? {} : bearer(token)) };
  if (!bareForm) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(HOOK, { method: 'POST', headers, body: bareForm ? Buffer.from(body) : body });
  res.text_ = await res.text();
  return res;
}

// The routing question as dialplan CURL() asks it: a GET, fields in the URL.
async function route(fields, token = SECRET) {
  const res = await fetch(`${HOOK}?${formOf({ event: 'route.request', ...fields })}`,
    { headers: token === null ? {} : bearer(token) });
  res.text_ = await res.text();
  return res;
}

// What the AMI bridge sends: signed JSON.
async function bridge(event, { secret = SECRET, ts = nowS(), body = JSON.stringify(event) } = {}) {
  const res = await fetch(HOOK, { method: 'POST',
    headers: { 'content-type': 'application/json', ...signature(body, secret, ts) }, body });
  res.text_ = await res.text();
  return res;
}

async function deliver(fieldsList, opts) {
  for (const f of fieldsList) {
    const res = await dialplan(f, opts);
    assert.equal(res.status, 200, `${f.event}: ${res.status} ${res.text_}`);
    assert.equal(res.text_, 'OK');
    assert.match(res.headers.get('content-type'), /^text\/plain/);
  }
}

async function calls(id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=asterisk&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

async function oneCall(id) {
  const list = await calls(id);
  assert.equal(list.length, 1, `exactly one call for ${id}: ${JSON.stringify(list)}`);
  return list[0];
}

// Linkedid-like ids: "<unix seconds>.<sequence>", unique per test run.
let seq = 0;
const newId = () => `${nowS()}.${randomBytes(3).readUIntBE(0, 3)}${String(seq++).padStart(3, '0')}`;
const unknownCaller = () => `099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;
const iso = (s) => new Date(s * 1000).toISOString();

// The dialplan's events for an incoming call 101 answers (extensions_callboard.conf):
// callboard-in, callboard-ringing (b()), callboard-answered (U()),
// callboard-leg-hangup and callboard-hangup-in. ext is the channel name.
function dialplanCall(id, caller, t0, { ext = '101', talk = 42 } = {}) {
  const leg = `${id}1`;
  const chan = `PJSIP/${ext}-0000001a`;
  return [
    { event: 'call.start', direction: 'in', uniqueid: id, from: caller, did: DID,
      caller_name: 'Petrenko, Ivan', start: t0, call_id: id },
    { event: 'call.ringing', direction: 'in', uniqueid: leg, ext: chan, from: caller, start: t0 + 1, call_id: id },
    { event: 'call.answer', direction: 'in', uniqueid: leg, ext: chan, answer: t0 + 5, call_id: id },
    { event: 'call.end', direction: 'in', uniqueid: leg, ext: chan, answer: t0 + 5, end: t0 + 5 + talk,
      status: 'answered', call_id: id },
    { event: 'call.end', direction: 'in', uniqueid: id, from: caller, did: DID, start: t0, answer: t0 + 5,
      end: t0 + 5 + talk, status: 'ANSWER', hangup_cause: 16, recording: '', call_id: id },
  ];
}

const essence = (c) => ({
  direction: c.direction, state: c.state, result: c.result,
  client_number: c.client_number, extension: c.extension,
  manager: c.manager && c.manager.login, customer: c.customer && c.customer.id,
  talk_seconds: c.talk_seconds, wait_seconds: c.wait_seconds,
  started_at: c.started_at, answered_at: c.answered_at, ended_at: c.ended_at,
  legs: c.legs.map((l) => `${l.extension}:${l.answered_at !== null}`).sort(),
});

test('dialplan call in order: one answered call with talk, wait, extension, manager', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  await deliver(dialplanCall(id, caller, t0));
  const c = await oneCall(id);
  assert.equal(c.integration, 'asterisk');
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.wait_seconds, 5);
  assert.equal(c.extension, '101');
  assert.equal(c.manager && c.manager.login, 'manager');
  assert.equal(c.client_number, `+380${caller.slice(1)}`);
  assert.match(c.our_number || '', /380443900300$/);
  assert.equal(c.started_at, iso(t0));
  assert.equal(c.answered_at, iso(t0 + 5));
  assert.equal(c.ended_at, iso(t0 + 47));
  assert.equal(c.events, 5);
  assert.deepEqual(c.legs.map((l) => l.extension), ['101']);
});

test('dialplan forms without Content-Type (CURL() quirk) are read the same', async () => {
  const id = newId();
  const t0 = nowS() - 120;
  await deliver(dialplanCall(id, unknownCaller(), t0), { bareForm: true });
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '101');
  assert.equal(c.events, 5);
});

test('every event delivered 3 times gives the same single call', async () => {
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  const once = newId();
  const thrice = newId();
  await deliver(dialplanCall(once, caller, t0));
  for (const f of dialplanCall(thrice, caller, t0)) await deliver([f, f, f]);
  const a = await oneCall(once);
  const b = await oneCall(thrice);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.events, a.events);
  assert.equal(b.events, 5);
});

test('events in reverse order give the same final call', async () => {
  const caller = unknownCaller();
  const t0 = nowS() - 120;
  const fwd = newId();
  const rev = newId();
  await deliver(dialplanCall(fwd, caller, t0));
  await deliver(dialplanCall(rev, caller, t0).reverse());
  const a = await oneCall(fwd);
  const b = await oneCall(rev);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.events, a.events);
});

test('missed call from the dialplan: 101 rang, the caller hung up (DIALSTATUS CANCEL)', async () => {
  const id = newId();
  const caller = unknownCaller();
  const t0 = nowS() - 60;
  const leg = `${id}1`;
  await deliver([
    { event: 'call.start', direction: 'in', uniqueid: id, from: caller, did: DID, start: t0, call_id: id },
    { event: 'call.ringing', direction: 'in', uniqueid: leg, ext: 'PJSIP/101-00000031', start: t0, call_id: id },
    { event: 'call.end', direction: 'in', uniqueid: leg, ext: 'PJSIP/101-00000031', end: t0 + 18,
      status: 'canceled', answer: '', call_id: id },
    { event: 'call.end', direction: 'in', uniqueid: id, from: caller, did: DID, start: t0, answer: '',
      end: t0 + 18, status: 'CANCEL', hangup_cause: 16, call_id: id },
  ]);
  const c = await oneCall(id);
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'missed');
  assert.equal(c.talk_seconds, 0);
  assert.equal(c.wait_seconds, 18);
  assert.equal(c.answered_at, null);
});

// The AMI bridge's own output for sample-ami.txt, with the sample's
// Linkedids and Uniqueids made unique to this run.
function bridgeEvents() {
  const out = execFileSync('python3', [BRIDGE, '--selftest', SAMPLE], { encoding: 'utf8' });
  const run = randomBytes(4).toString('hex');
  return out.trim().split('\n').map((line) => {
    const e = JSON.parse(line);
    e.call_id = `${e.call_id}-${run}`;
    if (e.uniqueid) e.uniqueid = `${e.uniqueid}-${run}`;
    return e;
  });
}

test('AMI bridge: ring group, missed and outgoing calls from a recorded transcript', async () => {
  const events = bridgeEvents();
  for (const e of events) {
    const res = await bridge(e);
    assert.equal(res.status, 200, `${e.event}: ${res.status} ${res.text_}`);
    assert.equal(res.text_, 'OK');
  }
  const ids = [...new Set(events.map((e) => e.call_id))];
  assert.equal(ids.length, 3);

  // Call 1: 101 and 103 rang, 103 answered, 42 s of talk.
  let c = await oneCall(ids[0]);
  assert.equal(c.direction, 'in');
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '103');
  assert.equal(c.manager && c.manager.login, 'olena');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.started_at, '2024-06-04T10:00:00.100Z');
  assert.deepEqual(c.legs.map((l) => l.extension).sort(), ['101', '103']);
  assert.deepEqual(c.legs.filter((l) => l.answered_at !== null).map((l) => l.extension), ['103']);
  assert.notEqual(c.recording.state, 'none');

  // Call 2: 101 rang, the caller gave up.
  c = await oneCall(ids[1]);
  assert.equal(c.direction, 'in');
  assert.equal(c.result, 'missed');
  assert.equal(c.client_number, '+380911234500');

  // Call 3: 104 called out, answered, 65 s.
  c = await oneCall(ids[2]);
  assert.equal(c.direction, 'out');
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '104');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.talk_seconds, 65);
  assert.equal(c.client_number, '+380911234599');
});

test('AMI bridge events delivered twice and in reverse give the same calls', async () => {
  const events = bridgeEvents();
  for (const e of [...events].reverse()) assert.equal((await bridge(e)).status, 200);
  for (const e of events) assert.equal((await bridge(e)).status, 200);
  const ids = [...new Set(events.map((e) => e.call_id))];
  const c = await oneCall(ids[0]);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '103');
  assert.equal(c.events, events.filter((e) => e.call_id === ids[0]).length);
  assert.equal((await oneCall(ids[1])).result, 'missed');
  assert.equal((await oneCall(ids[2])).talk_seconds, 65);
});

test('wrong or missing token or signature is 403 and nothing is stored', async () => {
  const id = newId();
  const start = { event: 'call.start', direction: 'in', uniqueid: id, from: unknownCaller(), did: DID,
    start: nowS(), call_id: id };
  let res = await dialplan(start, { token: 'not-the-secret' });
  assert.equal(res.status, 403);
  res = await dialplan(start, { token: null });
  assert.equal(res.status, 403);
  res = await fetch(HOOK, { method: 'POST', body: formOf(start), headers: {
    'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}` } });
  assert.equal(res.status, 403);
  res = await bridge(start, { secret: 'not-the-secret' });
  assert.equal(res.status, 403);
  res = await bridge(start, { ts: nowS() - 400 });
  assert.equal(res.status, 403);
  res = await route({ from: unknownCaller(), call_id: id }, 'wrong');
  assert.equal(res.status, 403);
  assert.deepEqual(await calls(id), []);
});

test('malformed dialplan posts are 400; unknown events 200', async () => {
  let res = await dialplan({ event: 'call.end', status: 'ANSWER' });
  assert.equal(res.status, 400);
  assert.match(res.text_, /call_id/);
  res = await dialplan({ event: 'call.end', call_id: newId(), start: '2024-06-04 10:00:00' });
  assert.equal(res.status, 400);
  res = await dialplan({ event: 'recording.ready', call_id: newId(), recording: '/etc/passwd' });
  assert.equal(res.status, 400);
  res = await dialplan({ event: 'call.transfer', call_id: newId() });
  assert.equal(res.status, 200);
  assert.equal(res.text_, 'OK');
});

test('routing answer is plain text: the manager\'s extension, or empty for the fallback', async () => {
  let res = await route({ from: `+${KNOWN}`, did: DID, call_id: newId() });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain/);
  assert.equal(res.text_, '101');

  // The demo fallback is a queue: the dialplan's own branch, so empty.
  res = await route({ from: unknownCaller(), did: DID, call_id: newId() });
  assert.equal(res.status, 200);
  assert.equal(res.text_, '');

  // The same as a POST from the dialplan.
  res = await dialplan({ event: 'route.request', from: `+${KNOWN}`, did: DID, call_id: newId() });
  assert.equal(res.status, 200);
  assert.equal(res.text_, '101');
});

test('a known customer calling in national format is linked and routed', async () => {
  const id = newId();
  const res = await route({ from: KNOWN_NATIONAL, did: DID, call_id: id });
  assert.equal(res.status, 200);
  assert.equal(res.text_, '101');
  await deliver([{ event: 'call.start', direction: 'in', uniqueid: id, from: KNOWN_NATIONAL, did: DID,
    start: nowS() - 5, call_id: id }]);
  const c = await oneCall(id);
  assert.equal(c.client_number, `+${KNOWN}`);
  assert.ok(c.customer, 'customer linked');
  assert.equal(c.customer.name, 'ТОВ «Сонячний Дім»');
  assert.equal(c.events, 2);
});
