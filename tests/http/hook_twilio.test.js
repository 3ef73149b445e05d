// Twilio Voice callbacks through the real stack (nginx → hook → MariaDB),
// issue 3: every request is signed by the real `twilio` npm package
// (providers.md §1.2), delivered in order, three times and in reverse;
// missed calls; a ring group; the TwiML routing answer; bad signatures;
// read back with the JSON API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { BASE } from '../lib/http.js';

const TOKEN = 'demo-twilio-token';                     // demo data only
const ACCOUNT = 'ACdemo00000000000000000000000000000';
const HOOK = `${BASE}/hook/twilio`;                    // what Twilio signs
const DID = '+14155550123';                            // demo Twilio line
const KNOWN = '+34911234567';        // Café Olé (crm-20002), manager carlos 104
const KNOWN_UA = '+380672900002';    // ТОВ «Сонячний Дім» (crm-20001), manager 101
const KNOWN_UA_NATIONAL = '0672900002';
const FALLBACK_EXT = '101';          // sql/demo.sql: routing_fallback manager

const sid = (prefix) => `${prefix}${randomBytes(16).toString('hex')}`;
// A caller no demo customer has: +38099 and 7 random digits.
const unknownCaller = () => `+38099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;

// RFC 2822 as Twilio's Timestamp carries it: "Tue, 04 Jun 2024 10:00:42 +0000".
function rfc2822(d) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${mons[d.getUTCMonth()]} ${d.getUTCFullYear()} `
    + `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
const iso = (d) => d.toISOString();   // the API's "…T…:…:….000Z"

// POSTs a form exactly as Twilio does, signed with the npm package.
async function post(params, { url = HOOK, token = TOKEN, signature } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const sig = signature === undefined ? twilio.getExpectedTwilioSignature(token, url, params) : signature;
  if (sig !== null) headers['x-twilio-signature'] = sig;
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  res.text_ = await res.text();
  return res;
}

async function deliver(events) {
  for (const e of events) {
    const res = await post(e);
    assert.equal(res.status, 200, `${e.CallStatus || e.DialCallStatus || e.RecordingStatus}: ${res.status} ${res.text_}`);
    assert.match(res.headers.get('content-type'), /^text\/xml/);
  }
}

async function calls(id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=twilio&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

async function oneCall(id) {
  const list = await calls(id);
  assert.equal(list.length, 1, `exactly one call for ${id}: ${JSON.stringify(list)}`);
  return list[0];
}

// ---------------------------------------------------------------- events

const common = () => ({ AccountSid: ACCOUNT, ApiVersion: '2010-04-01' });

// The voice URL: an inbound call arrives and waits for TwiML.
const voiceUrl = (call, caller) => ({
  ...common(), CallSid: call, CallStatus: 'ringing', Direction: 'inbound',
  From: caller, To: DID, Caller: caller, Called: DID,
});

// A status callback on the parent (the number's StatusCallback).
const parentStatus = (call, caller, status, seq, at, extra = {}) => ({
  ...common(), CallSid: call, CallStatus: status, Direction: 'inbound',
  From: caller, To: DID, Caller: caller, Called: DID,
  CallbackSource: 'call-progress-events', SequenceNumber: String(seq),
  Timestamp: rfc2822(at), ...extra,
});

// A status callback on a <Client> leg our TwiML dialled.
const legStatus = (call, leg, caller, ext, status, seq, at, extra = {}) => ({
  ...common(), CallSid: leg, ParentCallSid: call, CallStatus: status,
  Direction: 'outbound-dial', From: caller, To: `client:manager_${ext}`,
  Caller: caller, Called: `client:manager_${ext}`,
  CallbackSource: 'call-progress-events', SequenceNumber: String(seq),
  Timestamp: rfc2822(at), ...extra,
});

// The <Dial action> request when the dialled leg ends.
const dialAction = (call, caller, status, leg, talk) => ({
  ...common(), CallSid: call, CallStatus: status === 'completed' ? 'in-progress' : 'ringing',
  Direction: 'inbound', From: caller, To: DID, Caller: caller, Called: DID,
  DialCallStatus: status, DialCallDuration: String(talk), ...(leg ? { DialCallSid: leg, DialBridged: 'true' } : {}),
});

const recording = (call, status, talk) => {
  const re = sid('RE');
  return {
    ...common(), CallSid: call, RecordingSid: re, RecordingStatus: status,
    ...(status === 'completed'
      ? { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${re}`,
        RecordingDuration: String(talk), RecordingChannels: '2', RecordingSource: 'DialVerb' }
      : { RecordingDuration: '-1' }),
  };
};

// An inbound call answered by `ext` after ringing, talking `talk` seconds.
function answeredCall(call, caller, t0, ext = '101', talk = 42) {
  const leg = sid('CA');
  const at = (s) => new Date(t0.getTime() + s * 1000);
  return [
    voiceUrl(call, caller),
    legStatus(call, leg, caller, ext, 'initiated', 0, at(1)),
    legStatus(call, leg, caller, ext, 'ringing', 1, at(1)),
    legStatus(call, leg, caller, ext, 'in-progress', 2, at(5)),
    legStatus(call, leg, caller, ext, 'completed', 3, at(5 + talk), { CallDuration: String(talk) }),
    dialAction(call, caller, 'completed', leg, talk),
    parentStatus(call, caller, 'completed', 1, at(6 + talk), { CallDuration: String(6 + talk) }),
    recording(call, 'completed', talk),
  ];
}

// The fields that must not depend on delivery order or repetition.
const essence = (c) => ({
  direction: c.direction, state: c.state, result: c.result,
  client_number: c.client_number, our_number: c.our_number, extension: c.extension,
  manager: c.manager && c.manager.login, customer: c.customer && c.customer.id,
  talk_seconds: c.talk_seconds, started_at: c.started_at, answered_at: c.answered_at,
  recording: c.recording.state !== 'none',
});

// Events carry Timestamps well in the past, so the stored times come from
// them, not from when the test happened to deliver them.
const past = () => new Date(Math.floor((Date.now() - 10 * 60000) / 1000) * 1000);

// ------------------------------------------------------------------ tests

test('answered incoming call in order: one call with result, talk, extension, manager', async () => {
  const call = sid('CA');
  const caller = unknownCaller();
  const t0 = past();
  await deliver(answeredCall(call, caller, t0));
  const c = await oneCall(call);
  assert.equal(c.integration, 'twilio');
  assert.equal(c.external_id, call);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.extension, '101');
  assert.equal(c.manager && c.manager.login, 'manager');
  assert.equal(c.client_number, caller);
  assert.equal(c.our_number, DID);
  assert.equal(c.customer, null);
  assert.equal(c.started_at, iso(new Date(t0.getTime() + 1000)));
  assert.equal(c.answered_at, iso(new Date(t0.getTime() + 5000)));
  assert.notEqual(c.ended_at, null);
  assert.notEqual(c.recording.state, 'none');
  // The leg folded into the call: one leg, 101's, answered.
  const legs = c.legs.filter((l) => l.extension === '101');
  assert.equal(legs.length, 1, JSON.stringify(c.legs));
  assert.notEqual(legs[0].answered_at, null);
  assert.equal(c.events, 8);
});

test('every event delivered 3 times gives the same single call', async () => {
  const caller = unknownCaller();
  const t0 = past();
  const once = sid('CA');
  const thrice = sid('CA');
  await deliver(answeredCall(once, caller, t0));
  for (const e of answeredCall(thrice, caller, t0)) await deliver([e, e, e]);
  const a = await oneCall(once);
  const b = await oneCall(thrice);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.events, a.events);
  assert.equal(b.events, 8);
});

test('events in reverse order give the same final call', async () => {
  const caller = unknownCaller();
  const t0 = past();
  const fwd = sid('CA');
  const rev = sid('CA');
  await deliver(answeredCall(fwd, caller, t0));
  await deliver(answeredCall(rev, caller, t0).reverse());
  const a = await oneCall(fwd);
  const b = await oneCall(rev);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.result, 'answered');
  assert.equal(b.state, 'ended');
  assert.equal(b.extension, '101');
  assert.equal(b.talk_seconds, 42);
  assert.equal(b.events, a.events);
});

test('missed incoming call: 101 did not answer, the <Dial action> says no-answer', async () => {
  const call = sid('CA');
  const leg = sid('CA');
  const caller = unknownCaller();
  const t0 = past();
  const at = (s) => new Date(t0.getTime() + s * 1000);
  await deliver([
    voiceUrl(call, caller),
    legStatus(call, leg, caller, '101', 'ringing', 1, at(1)),
    legStatus(call, leg, caller, '101', 'no-answer', 2, at(21)),
    dialAction(call, caller, 'no-answer', null, 0),
    parentStatus(call, caller, 'completed', 1, at(22), { CallDuration: '22' }),
    recording(call, 'absent', 0),
  ]);
  const c = await oneCall(call);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'missed');
  assert.equal(c.talk_seconds, 0);
  assert.equal(c.answered_at, null);
  assert.ok(['none', 'unavailable'].includes(c.recording.state), c.recording.state);
  assert.equal(c.events, 6);
});

test('missed incoming call: the caller hung up while 101 rang (no <Dial action>)', async () => {
  const call = sid('CA');
  const leg = sid('CA');
  const caller = unknownCaller();
  const t0 = past();
  const at = (s) => new Date(t0.getTime() + s * 1000);
  await deliver([
    voiceUrl(call, caller),
    legStatus(call, leg, caller, '101', 'ringing', 1, at(1)),
    legStatus(call, leg, caller, '101', 'canceled', 2, at(8)),
    parentStatus(call, caller, 'canceled', 1, at(8)),
  ]);
  const c = await oneCall(call);
  assert.equal(c.result, 'missed');
  assert.equal(c.state, 'ended');
  assert.equal(c.answered_at, null);
});

test('ring group: 103, 104 and 105 rang, 104 answered → one answered call by 104', async () => {
  const call = sid('CA');
  const caller = unknownCaller();
  const t0 = past();
  const at = (s) => new Date(t0.getTime() + s * 1000);
  const legs = { 103: sid('CA'), 104: sid('CA'), 105: sid('CA') };
  await deliver([
    voiceUrl(call, caller),
    ...['103', '104', '105'].map((e) => legStatus(call, legs[e], caller, e, 'ringing', 1, at(1))),
    legStatus(call, legs[104], caller, '104', 'in-progress', 2, at(6)),
    legStatus(call, legs[103], caller, '103', 'canceled', 2, at(6)),
    legStatus(call, legs[105], caller, '105', 'canceled', 2, at(6)),
    legStatus(call, legs[104], caller, '104', 'completed', 3, at(36), { CallDuration: '30' }),
    dialAction(call, caller, 'completed', legs[104], 30),
    parentStatus(call, caller, 'completed', 1, at(37), { CallDuration: '37' }),
  ]);
  const c = await oneCall(call);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '104');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.talk_seconds, 30);
  assert.equal(c.answered_at, iso(at(6)));
  const exts = c.legs.map((l) => l.extension).filter(Boolean).sort();
  assert.deepEqual(exts, ['103', '104', '105']);
  const answered = c.legs.filter((l) => l.answered_at !== null).map((l) => l.extension);
  assert.deepEqual(answered, ['104']);
});

test('click-to-call to a customer (outbound-api) that was not answered', async () => {
  const call = sid('CA');
  const client = unknownCaller();
  const t0 = past();
  const base = { ...common(), CallSid: call, Direction: 'outbound-api', From: DID, To: client,
    CallbackSource: 'call-progress-events' };
  await deliver([
    { ...base, CallStatus: 'initiated', SequenceNumber: '0', Timestamp: rfc2822(t0) },
    { ...base, CallStatus: 'ringing', SequenceNumber: '1', Timestamp: rfc2822(new Date(t0.getTime() + 1000)) },
    { ...base, CallStatus: 'no-answer', SequenceNumber: '2', Timestamp: rfc2822(new Date(t0.getTime() + 31000)),
      CallDuration: '0' },
  ]);
  const c = await oneCall(call);
  assert.equal(c.direction, 'out');
  assert.equal(c.result, 'no_answer');
  assert.equal(c.client_number, client);
  assert.equal(c.state, 'ended');
});

test('a JSON status callback signed through bodySHA256 is accepted', async () => {
  const call = sid('CA');
  const client = unknownCaller();
  const body = JSON.stringify({ AccountSid: ACCOUNT, CallSid: call, CallStatus: 'completed',
    Direction: 'outbound-api', From: DID, To: client, CallDuration: '17',
    CallbackSource: 'call-progress-events', SequenceNumber: '3', Timestamp: rfc2822(past()) });
  const url = `${HOOK}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
  const sig = twilio.getExpectedTwilioSignature(TOKEN, url, null);
  assert.ok(twilio.validateRequestWithBody(TOKEN, sig, url, body));
  // The same signature over another body is refused first.
  let res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': sig },
    body: body.replace('"17"', '"18"') });
  assert.equal(res.status, 403);
  assert.deepEqual(await calls(call), []);
  res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': sig }, body });
  assert.equal(res.status, 200, await res.text());
  const c = await oneCall(call);
  assert.equal(c.direction, 'out');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 17);
  assert.equal(c.client_number, client);
});

test('wrong or missing signature is 403 and nothing is stored', async () => {
  const call = sid('CA');
  const e = voiceUrl(call, unknownCaller());
  let res = await post(e, { token: 'not-the-token' });
  assert.equal(res.status, 403);
  res = await post(e, { signature: null });
  assert.equal(res.status, 403);
  res = await post(e, { signature: '' });
  assert.equal(res.status, 403);
  // Signed, then tampered with.
  res = await post({ ...e, From: KNOWN }, { signature: twilio.getExpectedTwilioSignature(TOKEN, HOOK, e) });
  assert.equal(res.status, 403);
  // Signed for another URL (Twilio signs the exact URL it requests).
  res = await post(e, { signature: twilio.getExpectedTwilioSignature(TOKEN, `${HOOK}?x=1`, e) });
  assert.equal(res.status, 403);
  assert.deepEqual(await calls(call), []);
});

test('malformed callback is 400; unknown status is stored and 200; unknown slug 404', async () => {
  let res = await post({ ...parentStatus(sid('CA'), unknownCaller(), 'completed', 1, past()), CallDuration: 'abc' });
  assert.equal(res.status, 400);
  res = await post({ ...parentStatus(sid('CA'), unknownCaller(), 'completed', 1, past()), Timestamp: 'yesterday' });
  assert.equal(res.status, 400);
  res = await post({ Hello: 'world' });
  assert.equal(res.status, 400);
  const odd = sid('CA');
  res = await post(parentStatus(odd, unknownCaller(), 'teleported', 1, past()));
  assert.equal(res.status, 200);
  res = await post(voiceUrl(sid('CA'), unknownCaller()), { url: `${BASE}/hook/no-such-integration` });
  assert.equal(res.status, 404);
});

// The <Dial> of the routing answer: the callbacks must come back to this
// hook (a relative action resolves against the URL Twilio requested).
function assertDialsClient(body, ext) {
  assert.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?>/);
  const dial = body.match(/<Dial ([^>]*)>/);
  assert.ok(dial, body);
  const attr = (s, name) => (s.match(new RegExp(`\\b${name}="([^"]*)"`)) || [])[1];
  assert.equal(new URL(attr(dial[1], 'action').replace(/&amp;/g, '&'), HOOK).href, HOOK);
  assert.equal(attr(dial[1], 'answerOnBridge'), 'true');
  assert.equal(attr(dial[1], 'record'), 'record-from-answer-dual');
  assert.equal(new URL(attr(dial[1], 'recordingStatusCallback').replace(/&amp;/g, '&'), HOOK).href, HOOK);
  const client = body.match(/<Client ([^>]*)>([^<]*)<\/Client>/);
  assert.ok(client, body);
  assert.equal(client[2], `manager_${ext}`);
  assert.equal(attr(client[1], 'statusCallbackEvent'), 'initiated ringing answered completed');
  assert.equal(new URL(attr(client[1], 'statusCallback').replace(/&amp;/g, '&'), HOOK).href, HOOK);
}

test('routing: a known customer goes to the responsible manager, others to the fallback', async () => {
  let res = await post(voiceUrl(sid('CA'), KNOWN));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/xml/);
  assertDialsClient(res.text_, '104');
  // The customer's name is not sent to Twilio.
  assert.doesNotMatch(res.text_, /Caf/);

  res = await post(voiceUrl(sid('CA'), unknownCaller()));
  assert.equal(res.status, 200);
  assertDialsClient(res.text_, FALLBACK_EXT);

  // Callbacks that are not routing questions get an empty TwiML document.
  res = await post(parentStatus(sid('CA'), unknownCaller(), 'ringing', 0, past()));
  assert.equal(res.status, 200);
  assert.match(res.text_, /<Response\/>/);
});

test('a softphone calling out through the voice URL dials the number', async () => {
  const call = sid('CA');
  const client = unknownCaller();
  const res = await post({ ...common(), CallSid: call, CallStatus: 'ringing', Direction: 'inbound',
    From: 'client:manager_104', To: client });
  assert.equal(res.status, 200);
  const num = res.text_.match(/<Number [^>]*>([^<]*)<\/Number>/);
  assert.ok(num, res.text_);
  assert.equal(num[1], client);
  const c = await oneCall(call);
  assert.equal(c.direction, 'out');
  assert.equal(c.client_number, client);
  assert.equal(c.extension, '104');
});

test('a known customer calling in national format is linked and routed', async () => {
  const call = sid('CA');
  const res = await post(voiceUrl(call, KNOWN_UA_NATIONAL));
  assert.equal(res.status, 200);
  assertDialsClient(res.text_, '101');
  const c = await oneCall(call);
  assert.equal(c.client_number, KNOWN_UA);
  assert.ok(c.customer, 'customer linked');
  assert.equal(c.customer.name, 'ТОВ «Сонячний Дім»');
});
