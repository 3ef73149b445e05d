// Provider bodies whose shape our own payloads never had (issue 15 §2.1,
// §2.4), through the real stack (nginx → hook → MariaDB):
//  * a Binotel completed call of a ring-all queue carries one historyData
//    entry (7 fields) per phone that rang: with 60 phones the hook used to
//    answer 400 "too many fields", and the call never existed;
//  * Zadarma sends some notifications as multipart/form-data: they were
//    refused with 415.
// Requests are limited by bytes (nginx client_max_body_size and the hook's
// own cap, both 1 MiB), never by a count of fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

const BINOTEL = `${BASE}/hook/binotel?key=demo-binotel-key`;
const PBX = '0322900200';

// PHP http_build_query: {a: {b: [{c: 1}]}} → a[b][0][c]=1.
function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}[${k}]` : k;
    if (v !== null && typeof v === 'object') flatten(v, name, out);
    else out.push([name, String(v)]);
  }
  return out;
}

async function post(url, body, contentType) {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  res.text_ = await res.text();
  res.ms_ = performance.now() - t0;
  return res;
}

const pushForm = (payload) => post(BINOTEL, new URLSearchParams(flatten(payload)).toString(),
  'application/x-www-form-urlencoded');

async function calls(slug, id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=${slug}&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

const newId = () => `${Date.now()}${String(randomBytes(2).readUInt16BE() % 1000).padStart(3, '0')}`;
const unknownCaller = () => `099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;

// A ring-all queue of `phones` employees (internal numbers 201…, with the
// demo's 104, Carlos, at position `answerAt`); only 104 picked up. Each
// historyData entry has the 7 fields Binotel sends per phone.
function queueCall(id, caller, start, phones = 60, answerAt = 37) {
  const common = { generalCallID: id, companyID: 7, callType: 0, externalNumber: caller, pbxNumber: PBX };
  const history = [];
  for (let i = 0; i < phones; i++) {
    const ext = i === answerAt ? '104' : String(201 + i);
    history.push({ employeeName: `Employee ${ext}`, employeeID: 5000 + i, internalNumber: ext,
      waitsec: i === answerAt ? 9 : 12, billsec: i === answerAt ? 75 : 0,
      disposition: i === answerAt ? 'ANSWER' : 'NOANSWER', callID: `${id}-${i}` });
  }
  return [
    { requestType: 'receivedTheCall', ...common, internalNumber: '104' },
    { requestType: 'answeredTheCall', ...common, internalNumber: '104' },
    { requestType: 'hangupTheCall', generalCallID: id, callType: 0, billsec: 75, disposition: 'ANSWER' },
    { requestType: 'apiCallCompleted', callDetails: {
      companyID: 7, generalCallID: id, callID: id, startTime: start, callType: 0,
      internalNumber: '201', externalNumber: caller, pbxNumberData: { number: PBX, name: 'Lviv' },
      waitsec: 9, billsec: 75, disposition: 'ANSWER', isNewCall: 1, recordingStatus: 'uploaded',
      historyData: history,
    } },
  ];
}

async function deliver(events) {
  for (const e of events) {
    const res = await pushForm(e);
    assert.equal(res.status, 200, `${e.requestType}: ${res.status} ${res.text_}`);
  }
}

function assertQueueCall(list, id) {
  assert.equal(list.length, 1, `exactly one call for ${id}`);
  const c = list[0];
  assert.equal(c.result, 'answered');
  assert.equal(c.state, 'ended');
  assert.equal(c.extension, '104', 'who answered');
  assert.equal(c.manager && c.manager.login, 'carlos');
  assert.equal(c.talk_seconds, 75);
  return c;
}

test('Binotel: a queue call that rang 60 phones (420 historyData fields) is stored once', async () => {
  const id = newId();
  const events = queueCall(id, unknownCaller(), Math.floor(Date.now() / 1000) - 120);
  const completed = new URLSearchParams(flatten(events[3])).toString();
  assert.ok(flatten(events[3]).length > 420, 'more fields than the old cap of 256');
  assert.ok(completed.length < 64 * 1024, `a real body is small: ${completed.length} bytes`);
  await deliver(events);
  const c = assertQueueCall(await calls('binotel', id), id);
  assert.equal(c.events, 4);
});

test('Binotel: the 60-phone pushes duplicated and in reverse give the same single call', async () => {
  const start = Math.floor(Date.now() / 1000) - 120;
  const twice = newId();
  const rev = `${newId()}7`;
  for (const e of queueCall(twice, unknownCaller(), start)) await deliver([e, e]);
  await deliver(queueCall(rev, unknownCaller(), start).reverse());
  const a = assertQueueCall(await calls('binotel', twice), twice);
  const b = assertQueueCall(await calls('binotel', rev), rev);
  assert.equal(a.events, 4, 'a retry is not a second event');
  assert.equal(b.events, 4);
});

// The worst body the byte limit lets through: ~1 MiB of the shortest
// distinct fields (~120,000 of them) in front of a real push. Lookups are
// indexed (lib/http/request.c kv_get), so it is read in linear-logarithmic
// time; the adapter then refuses it for its content, not its shape.
test('a 1 MiB body of tiny fields is read quickly and refused for its content, not its shape', async () => {
  const parts = ['requestType=apiCallCompleted'];
  let n = 0;
  let len = parts[0].length;
  while (len < 1024 * 1024 - 64) {
    const f = `&${(n++).toString(36)}=`;
    parts.push(f);
    len += f.length;
  }
  const body = parts.join('');
  const res = await post(BINOTEL, body, 'application/x-www-form-urlencoded');
  assert.equal(res.status, 400, res.text_);
  assert.match(res.text_, /generalCallID/);
  assert.doesNotMatch(res.text_, /too many fields/);
  // Generous for a sanitizer build on a loaded 2-core machine; a scan per
  // lookup (or a quadratic parser) took seconds here.
  assert.ok(res.ms_ < 5000, `took ${Math.round(res.ms_)} ms for ${n} fields`);
  console.log(`# worst-case form: ${n} fields, ${body.length} bytes, ${Math.round(res.ms_)} ms`);
});

test('bodies over the byte limit are 413 (nginx and the hook agree on 1 MiB)', async () => {
  const body = `requestType=x&pad=${'a'.repeat(1024 * 1024)}`;
  const res = await post(BINOTEL, body, 'application/x-www-form-urlencoded');
  assert.equal(res.status, 413);
});

// --- multipart/form-data (issue 15 §2.4) ---------------------------------

const ZADARMA = `${BASE}/hook/zadarma`;
const ZD_SECRET = 'demo-zadarma-secret';
const DID = '380443900100';
const ZD_SIGNED = {
  NOTIFY_START: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_END: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_ANSWER: ['caller_id', 'destination', 'call_start'],
};
const zdSign = (f) => Buffer.from(createHmac('sha1', ZD_SECRET)
  .update((ZD_SIGNED[f.event] || ZD_SIGNED.NOTIFY_START).map((n) => f[n] ?? '').join(''))
  .digest('hex')).toString('base64');
const zdTime = (d) => d.toISOString().slice(0, 19).replace('T', ' ');

// What PHP's curl sends for CURLOPT_POSTFIELDS given an array: one part
// per field, CRLF line ends, a boundary of dashes and hex.
function multipart(fields, boundary = `------------------------${randomBytes(8).toString('hex')}`) {
  let body = '';
  for (const [k, v] of Object.entries(fields)) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

async function zdMultipart(fields) {
  const { body, type } = multipart(fields);
  const res = await fetch(ZADARMA, { method: 'POST', headers: { 'content-type': type, signature: zdSign(fields) }, body });
  res.text_ = await res.text();
  return res;
}

test('Zadarma: multipart/form-data notifications are read like urlencoded ones', async () => {
  const id = `in_${Date.now().toString(16)}${randomBytes(10).toString('hex')}`;
  const caller = `38099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;
  const base = { call_start: zdTime(new Date(Date.now() - 60000)), pbx_call_id: id, caller_id: caller };
  const events = [
    { event: 'NOTIFY_START', ...base, called_did: DID },
    { event: 'NOTIFY_ANSWER', ...base, destination: '104', internal: '104' },
    { event: 'NOTIFY_END', ...base, called_did: DID, internal: '104', duration: '33',
      disposition: 'answered', status_code: '16', is_recorded: '0' },
  ];
  for (const e of [...events, ...events.slice().reverse()]) {
    const res = await zdMultipart(e);
    assert.equal(res.status, 200, `${e.event}: ${res.status} ${res.text_}`);
  }
  const list = await calls('zadarma', id);
  assert.equal(list.length, 1);
  assert.equal(list[0].result, 'answered');
  assert.equal(list[0].extension, '104');
  assert.equal(list[0].talk_seconds, 33);
  assert.equal(list[0].events, 3, 'the repeated notifications were retries');
});

test('Zadarma: a multipart notification of an unknown type is stored raw and answered 200', async () => {
  const marker = randomBytes(8).toString('hex');
  const fields = { event: 'NOTIFY_SOMETHING_NEW', call_start: zdTime(new Date()), caller_id: '380991234567',
    called_did: DID, marker };
  const res = await zdMultipart(fields);
  assert.equal(res.status, 200, res.text_);
  const rows = await sql("SELECT kind FROM call_events WHERE payload LIKE CONCAT('%', ?, '%')", [marker]);
  assert.equal(rows.length, 1, 'stored raw, once');
  assert.equal(rows[0][0], 'NOTIFY_SOMETHING_NEW');
});

test('multipart: a wrong signature is still 403, a broken body 400 with the reason', async () => {
  const fields = { event: 'NOTIFY_START', call_start: zdTime(new Date()), pbx_call_id: `in_${randomBytes(8).toString('hex')}`,
    caller_id: '380991234567', called_did: DID };
  const { body, type } = multipart(fields);
  let res = await fetch(ZADARMA, { method: 'POST', headers: { 'content-type': type, signature: zdSign({ ...fields, caller_id: '1' }) }, body });
  assert.equal(res.status, 403);
  res = await fetch(ZADARMA, { method: 'POST', headers: { 'content-type': 'multipart/form-data', signature: zdSign(fields) }, body });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /boundary/);
  res = await fetch(ZADARMA, { method: 'POST', headers: { 'content-type': type, signature: zdSign(fields) },
    body: body.slice(0, body.lastIndexOf('--') - 10) });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /closing boundary/);
});
