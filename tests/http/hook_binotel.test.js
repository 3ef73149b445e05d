// Binotel pushes through the real stack (nginx → hook → MariaDB), issue 3:
// form bodies with PHP-style nested names and JSON bodies (providers.md
// §3), delivered in order, three times, in reverse; missed calls; ring
// groups and transfers; the apiCallSettings answer; authentication. The
// tests run from 127.0.0.1, which is not a Binotel server, so they carry
// the integration's key in the URL (our hardening, §3.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';

const KEY = 'demo-binotel-key';
const HOOK = `${BASE}/hook/binotel?key=${KEY}`;
const PBX = '0322900200';              // the demo Binotel line (Lviv store)
const KNOWN = '0671234567';            // Mallory (crm-20004), manager 101
const KNOWN_E164 = '+380671234567';

// PHP http_build_query: {a: {b: [{c: 1}]}} → a[b][0][c]=1.
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}[${k}]` : k;
    if (v !== null && typeof v === 'object') flatten(v, name, out);
    else out.push([name, String(v)]);
  }
  return out;
}

async function push(payload, { url = HOOK, json = false } = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: json ? JSON.stringify(payload) : new URLSearchParams(flatten(payload)).toString(),
  });
  res.text_ = await res.text();
  return res;
}

async function deliver(events, opts) {
  for (const e of events) {
    const res = await push(e, opts);
    assert.equal(res.status, 200, `${e.requestType}: ${res.status} ${res.text_}`);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    if (e.requestType !== 'apiCallSettings') assert.equal(res.text_, '{"status":"success"}');
  }
}

async function calls(id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=binotel&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

async function oneCall(id) {
  const list = await calls(id);
  assert.equal(list.length, 1, `exactly one call for ${id}: ${JSON.stringify(list)}`);
  return list[0];
}

const newId = () => `${Date.now()}${String(randomBytes(2).readUInt16BE() % 1000).padStart(3, '0')}`;
// A caller no demo customer has: 099 + 7 random digits (UA national).
const unknownCaller = () => `099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;
const e164 = (national) => `+380${national.slice(1)}`;

function answeredCall(id, caller, startTime, { ext = '101', wait = 5, talk = 42 } = {}) {
  const common = { generalCallID: id, companyID: 7, callType: 0, externalNumber: caller, pbxNumber: PBX };
  return [
    { requestType: 'apiCallSettings', ...common },
    { requestType: 'receivedTheCall', ...common, method: 'event', internalNumber: ext },
    { requestType: 'answeredTheCall', ...common, internalNumber: ext },
    { requestType: 'hangupTheCall', generalCallID: id, callType: 0, billsec: talk,
      disposition: 'ANSWER', method: 'event' },
    { requestType: 'apiCallCompleted', callDetails: {
      companyID: 7, generalCallID: id, callID: id, startTime, callType: 0,
      internalNumber: ext, externalNumber: caller, pbxNumberData: { number: PBX, name: 'Lviv' },
      waitsec: wait, billsec: talk, disposition: 'ANSWER', isNewCall: 0, recordingStatus: 'uploaded',
      historyData: [{ waitsec: wait, billsec: talk, disposition: 'ANSWER', internalNumber: ext }],
    } },
  ];
}

const essence = (c) => ({
  direction: c.direction, state: c.state, result: c.result,
  client_number: c.client_number, extension: c.extension,
  manager: c.manager && c.manager.login, customer: c.customer && c.customer.id,
  talk_seconds: c.talk_seconds, wait_seconds: c.wait_seconds,
  started_at: c.started_at, answered_at: c.answered_at,
  recording: c.recording.state !== 'none',
});

test('answered incoming call in order: one call with result, talk, wait, extension, manager', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = Math.floor(Date.now() / 1000) - 120;
  await deliver(answeredCall(id, caller, start));
  const c = await oneCall(id);
  assert.equal(c.integration, 'binotel');
  assert.equal(c.external_id, id);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 42);
  assert.equal(c.wait_seconds, 5);
  assert.equal(c.extension, '101');
  assert.equal(c.manager && c.manager.login, 'manager');
  assert.equal(c.client_number, e164(caller));
  assert.equal(c.started_at, new Date(start * 1000).toISOString());
  assert.equal(c.answered_at, new Date((start + 5) * 1000).toISOString());
  assert.notEqual(c.ended_at, null);
  assert.notEqual(c.recording.state, 'none');
  assert.equal(c.events, 5);
});

// hangupTheCall states no time, so it can only say "ended when it
// arrived"; the completed record says exactly when (start + wait + talk).
// A late push's arrival time must not stretch the call.
test('the completed record\'s end time wins over a late hangup push\'s arrival', async () => {
  const id = newId();
  const start = Math.floor(Date.now() / 1000) - 120;
  await deliver(answeredCall(id, unknownCaller(), start));
  const c = await oneCall(id);
  assert.equal(c.ended_at, new Date((start + 47) * 1000).toISOString());
});

test('every push delivered 3 times gives the same single call', async () => {
  const start = Math.floor(Date.now() / 1000) - 120;
  const caller = unknownCaller();
  const once = newId();
  const thrice = `${newId()}1`;
  await deliver(answeredCall(once, caller, start));
  for (const e of answeredCall(thrice, caller, start)) await deliver([e, e, e]);
  const a = await oneCall(once);
  const b = await oneCall(thrice);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.events, a.events);
});

test('pushes in reverse order give the same final call', async () => {
  const start = Math.floor(Date.now() / 1000) - 120;
  const caller = unknownCaller();
  const fwd = newId();
  const rev = `${newId()}2`;
  await deliver(answeredCall(fwd, caller, start));
  await deliver(answeredCall(rev, caller, start).reverse());
  const a = await oneCall(fwd);
  const b = await oneCall(rev);
  assert.deepEqual(essence(b), essence(a));
  assert.equal(b.result, 'answered');
  assert.equal(b.events, a.events);
});

test('the same pushes as JSON bodies give the same call', async () => {
  const start = Math.floor(Date.now() / 1000) - 120;
  const caller = unknownCaller();
  const form = newId();
  const json = `${newId()}3`;
  await deliver(answeredCall(form, caller, start));
  await deliver(answeredCall(json, caller, start), { json: true });
  assert.deepEqual(essence(await oneCall(json)), essence(await oneCall(form)));
});

test('missed incoming call: nobody picked up', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = Math.floor(Date.now() / 1000) - 60;
  const common = { generalCallID: id, companyID: 7, callType: 0, externalNumber: caller, pbxNumber: PBX };
  await deliver([
    { requestType: 'apiCallSettings', ...common },
    { requestType: 'receivedTheCall', ...common, internalNumber: '101' },
    { requestType: 'hangupTheCall', generalCallID: id, callType: 0, billsec: 0, disposition: 'NOANSWER' },
    { requestType: 'apiCallCompleted', callDetails: {
      generalCallID: id, startTime: start, callType: 0, internalNumber: '101', externalNumber: caller,
      pbxNumberData: { number: PBX }, waitsec: 20, billsec: 0, disposition: 'NOANSWER',
      recordingStatus: 'notRecorded',
      historyData: [{ waitsec: 20, billsec: 0, disposition: 'NOANSWER', internalNumber: '101' }],
    } },
  ]);
  const c = await oneCall(id);
  assert.equal(c.direction, 'in');
  assert.equal(c.state, 'ended');
  assert.equal(c.result, 'missed');
  assert.equal(c.talk_seconds, 0);
  assert.equal(c.wait_seconds, 20);
  assert.equal(c.answered_at, null);
});

test('ring group: three employees rang, 103 answered → one answered call by 103', async () => {
  const id = newId();
  const caller = unknownCaller();
  const start = Math.floor(Date.now() / 1000) - 60;
  const common = { generalCallID: id, companyID: 7, callType: 0, externalNumber: caller, pbxNumber: PBX };
  await deliver([
    { requestType: 'apiCallSettings', ...common },
    ...['101', '103', '104'].map((n) => ({ requestType: 'receivedTheCall', ...common, internalNumber: n })),
    { requestType: 'answeredTheCall', ...common, internalNumber: '103' },
    { requestType: 'hangupTheCall', generalCallID: id, callType: 0, billsec: 30, disposition: 'ANSWER' },
    { requestType: 'apiCallCompleted', callDetails: {
      generalCallID: id, startTime: start, callType: 0, internalNumber: '101', externalNumber: caller,
      pbxNumberData: { number: PBX }, waitsec: 6, billsec: 30, disposition: 'ANSWER',
      historyData: [
        { waitsec: 6, billsec: 0, disposition: 'NOANSWER', internalNumber: '101' },
        { waitsec: 6, billsec: 30, disposition: 'ANSWER', internalNumber: '103' },
        { waitsec: 6, billsec: 0, disposition: 'NOANSWER', internalNumber: '104' },
      ],
    } },
  ]);
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '103');
  assert.equal(c.manager && c.manager.login, 'olena');
  assert.equal(c.talk_seconds, 30);
  const exts = c.legs.map((l) => l.extension).filter(Boolean);
  for (const e of ['101', '103', '104']) assert.ok(exts.includes(e), `leg ${e} in ${exts}`);
  const answered = c.legs.filter((l) => l.extension && l.answered_at !== null).map((l) => l.extension);
  assert.deepEqual([...new Set(answered)], ['103']);
});

function transferCall(id, caller, start) {
  const common = { generalCallID: id, companyID: 7, callType: 0, externalNumber: caller, pbxNumber: PBX };
  return [
    { requestType: 'receivedTheCall', ...common, internalNumber: '101' },
    { requestType: 'answeredTheCall', ...common, internalNumber: '101' },
    { requestType: 'transferredTheCall', generalCallID: id, companyID: 7, internalNumber: '104' },
    { requestType: 'hangupTheCall', generalCallID: id, callType: 0, billsec: 40, disposition: 'ANSWER' },
    { requestType: 'apiCallCompleted', callDetails: {
      generalCallID: id, startTime: start, callType: 0, internalNumber: '101', externalNumber: caller,
      pbxNumberData: { number: PBX }, waitsec: 4, billsec: 40, disposition: 'TRANSFER',
      historyData: [
        { waitsec: 4, billsec: 10, disposition: 'TRANSFER', internalNumber: '101' },
        { waitsec: 2, billsec: 30, disposition: 'ANSWER', internalNumber: '104' },
      ],
    } },
  ];
}

test('transfer as it happens: 101 answered, handed over to 104, who talked last', async () => {
  const id = newId();
  const live = transferCall(id, unknownCaller(), Math.floor(Date.now() / 1000)).slice(0, 4);
  await deliver(live);
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '104');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.talk_seconds, 40);
});

// The completed record names who talked last (historyData); pushes that
// arrive after it, stamped with their arrival time, must not undo that.
test('transfer delivered late and in reverse still ends with 104 as who talked last', async () => {
  const id = newId();
  await deliver(transferCall(id, unknownCaller(), Math.floor(Date.now() / 1000) - 90).reverse());
  const c = await oneCall(id);
  assert.equal(c.result, 'answered');
  assert.equal(c.extension, '104');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.talk_seconds, 40);
  assert.equal(c.wait_seconds, 4);
});

test('outgoing call nobody answered', async () => {
  const id = newId();
  const client = unknownCaller();
  await deliver([{ requestType: 'apiCallCompleted', callDetails: {
    generalCallID: id, startTime: Math.floor(Date.now() / 1000) - 30, callType: 1, internalNumber: '105',
    externalNumber: client, pbxNumberData: { number: PBX }, waitsec: 25, billsec: 0, disposition: 'CANCEL',
  } }]);
  const c = await oneCall(id);
  assert.equal(c.direction, 'out');
  assert.equal(c.result, 'no_answer');
  assert.equal(c.extension, '105');
});

test('without the key from a non-Binotel address: 403 and nothing stored', async () => {
  const id = newId();
  const [settings, , , , completed] = answeredCall(id, unknownCaller(), Math.floor(Date.now() / 1000));
  let res = await push(completed, { url: `${BASE}/hook/binotel` });
  assert.equal(res.status, 403);
  res = await push(settings, { url: `${BASE}/hook/binotel?key=demo-binotel-secret` });
  assert.equal(res.status, 403);
  res = await push(completed, { url: `${BASE}/hook/binotel?key=` });
  assert.equal(res.status, 403);
  assert.deepEqual(await calls(id), []);
});

test('malformed push is 400; unknown requestType is stored and answered success', async () => {
  let res = await push({ requestType: 'apiCallCompleted', callDetails: { startTime: 1, disposition: 'ANSWER' } });
  assert.equal(res.status, 400);
  res = await push({ requestType: 'apiCallCompleted', callDetails: { generalCallID: newId(), billsec: 'long' } });
  assert.equal(res.status, 400);
  res = await push({ externalNumber: KNOWN });
  assert.equal(res.status, 400);
  res = await push({ requestType: 'somethingNewFromBinotel', generalCallID: newId() });
  assert.equal(res.status, 200);
  assert.equal(res.text_, '{"status":"success"}');
});

test('apiCallSettings: a known customer is assigned to the responsible manager', async () => {
  const res = await push({ requestType: 'apiCallSettings', generalCallID: newId(), companyID: 7, callType: 0,
    externalNumber: KNOWN, pbxNumber: PBX });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = JSON.parse(res.text_);
  assert.equal(body.customerData.assignedToEmployeeNumber, '101');
  assert.match(body.customerData.name, /^Mallory/);
  assert.equal(body.customerData.linkToCrmTitle, 'Open in Callboard');
  assert.match(body.customerData.linkToCrmUrl, /^https?:\/\//);
});

test('apiCallSettings: an unknown caller gets an empty answer (queue fallback is Binotel\'s scenario)', async () => {
  const res = await push({ requestType: 'apiCallSettings', companyID: 7, callType: 0,
    externalNumber: unknownCaller(), pbxNumber: PBX });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text_), {});
});

test('a known customer in national format links the call to them', async () => {
  const id = newId();
  await deliver([{ requestType: 'apiCallCompleted', callDetails: {
    generalCallID: id, startTime: Math.floor(Date.now() / 1000) - 30, callType: 0, internalNumber: '101',
    externalNumber: KNOWN, pbxNumberData: { number: PBX }, waitsec: 3, billsec: 12, disposition: 'ANSWER',
    historyData: [{ billsec: 12, internalNumber: '101' }],
  } }]);
  const c = await oneCall(id);
  assert.equal(c.client_number, KNOWN_E164);
  assert.ok(c.customer, 'customer linked');
  assert.match(c.customer.name, /^Mallory/);
});
