// wait_seconds on answered calls whose provider states no wait (issue 15
// §2.6): Twilio gives the ringing leg's and the answer's times, so the wait
// is the call's answer minus its start, recomputed as the call's times
// merge, whatever order the callbacks come in (before: always 0). Zadarma's
// side is in zadarma_real.test.js; Binotel's waitsec is stated and wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { BASE } from '../lib/http.js';

const TOKEN = 'demo-twilio-token';
const ACCOUNT = 'ACdemo00000000000000000000000000000';
const HOOK = `${BASE}/hook/twilio`;
const DID = '+14155550123';
const sid = (p) => `${p}${randomBytes(16).toString('hex')}`;
const caller = () => `+38099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;
const rfc2822 = (d) => d.toUTCString().replace('GMT', '+0000');

async function post(params) {
  const sig = twilio.getExpectedTwilioSignature(TOKEN, HOOK, params);
  const res = await fetch(HOOK, { method: 'POST', body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig } });
  assert.equal(res.status, 200, await res.text());
}

// Rings 101 from t0+1 s, answered at t0+9 s, 40 s of talk.
function answered(call, from, t0) {
  const leg = sid('CA');
  const c = { AccountSid: ACCOUNT, ApiVersion: '2010-04-01' };
  const at = (s) => rfc2822(new Date(t0.getTime() + s * 1000));
  const legSt = (status, seq, s, extra = {}) => ({ ...c, CallSid: leg, ParentCallSid: call,
    CallStatus: status, Direction: 'outbound-dial', From: from, To: 'client:manager_101',
    CallbackSource: 'call-progress-events', SequenceNumber: String(seq), Timestamp: at(s), ...extra });
  return [
    { ...c, CallSid: call, CallStatus: 'ringing', Direction: 'inbound', From: from, To: DID },
    legSt('initiated', 0, 1),
    legSt('ringing', 1, 1),
    legSt('in-progress', 2, 9),
    legSt('completed', 3, 49, { CallDuration: '40' }),
    { ...c, CallSid: call, CallStatus: 'in-progress', Direction: 'inbound', From: from, To: DID,
      DialCallStatus: 'completed', DialCallDuration: '40', DialCallSid: leg, DialBridged: 'true' },
    { ...c, CallSid: call, CallStatus: 'completed', Direction: 'inbound', From: from, To: DID,
      CallbackSource: 'call-progress-events', SequenceNumber: '1', Timestamp: at(50), CallDuration: '50' },
  ];
}

async function oneCall(id) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=twilio&external_id=${id}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  const list = (await res.json()).calls;
  assert.equal(list.length, 1, JSON.stringify(list));
  return list[0];
}

const results = [];
for (const [how, order] of Object.entries({
  'in order': (e) => e, reversed: (e) => [...e].reverse(), 'three times': (e) => e.flatMap((x) => [x, x, x]),
})) {
  test(`twilio: an answered call waits from its start to the answer (${how})`, async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 120000);
    const call = sid('CA');
    for (const e of order(answered(call, caller(), t0))) await post(e);
    const c = await oneCall(call);
    assert.equal(c.result, 'answered');
    assert.equal(c.answered_at, new Date(t0.getTime() + 9000).toISOString());
    const wait = (Date.parse(c.answered_at) - Date.parse(c.started_at)) / 1000;
    assert.ok(wait > 0, `answered ${c.answered_at} after start ${c.started_at}`);
    assert.equal(c.wait_seconds, Math.floor(wait));
    assert.ok(Date.parse(c.started_at) <= Date.parse(c.ended_at));
    results.push(c.wait_seconds);
  });
}

test('the wait is the same whatever the order', () => {
  assert.equal(results.length, 3);
  assert.equal(new Set(results).size, 1, JSON.stringify(results));
});
