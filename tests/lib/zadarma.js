// Zadarma notifications as Zadarma sends them (providers.md §2.1, §2.2):
// signed forms POSTed to /hook/<slug>, and the calls read back with the
// JSON API. Shared by tests/http/zadarma_real.test.js, withheld.test.js and
// tests/security/zadarma_replay.test.js.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { BASE } from './http.js';

export const DEMO_SECRET = 'demo-zadarma-secret';     // sql/demo.sql, demo only
export const DID = '380443900100';                    // the demo Zadarma line

// Which values Zadarma signs, per event (providers.md §2.1 table).
export const SIGNED = {
  NOTIFY_START: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_INTERNAL: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_IVR: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_END: ['caller_id', 'called_did', 'call_start'],
  NOTIFY_ANSWER: ['caller_id', 'destination', 'call_start'],
  NOTIFY_OUT_START: ['internal', 'destination', 'call_start'],
  NOTIFY_OUT_END: ['internal', 'destination', 'call_start'],
  NOTIFY_RECORD: ['pbx_call_id', 'call_id_with_rec'],
};

// The documented encoding: base64 of the lowercase hex HMAC-SHA1 (§2.2).
export function sign(fields, secret = DEMO_SECRET) {
  const names = SIGNED[fields.event] || SIGNED.NOTIFY_START;
  const s = names.map((n) => fields[n] ?? '').join('');
  return Buffer.from(createHmac('sha1', secret).update(s).digest('hex')).toString('base64');
}

export async function notify(fields, { slug = 'zadarma', secret = DEMO_SECRET, signature } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const sig = signature === undefined ? sign(fields, secret) : signature;
  if (sig !== null) headers.signature = sig;
  const res = await fetch(`${BASE}/hook/${slug}`, {
    method: 'POST', headers, body: new URLSearchParams(fields).toString(),
  });
  res.text_ = await res.text();
  return res;
}

export async function deliver(events, opts = {}) {
  for (const e of events) {
    const res = await notify(e, opts);
    assert.equal(res.status, 200, `${e.event}: ${res.status} ${res.text_}`);
  }
}

export async function calls(id, slug = 'zadarma') {
  const res = await fetch(`${BASE}/api/v1/calls?integration=${slug}&external_id=${encodeURIComponent(id)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

export async function oneCall(id, slug = 'zadarma') {
  const list = await calls(id, slug);
  assert.equal(list.length, 1, `exactly one call for ${id}: ${JSON.stringify(list)}`);
  return list[0];
}

export const newId = (prefix = 'in') => `${prefix}_${Date.now().toString(16)}${randomBytes(14).toString('hex')}`;
// A caller no demo customer has: 38099 + 7 random digits.
export const unknownCaller = () => `38099${String(randomBytes(4).readUInt32BE() % 1e7).padStart(7, '0')}`;

// "YYYY-MM-DD HH:MM:SS" of d on the wall clock of zone tz (the account's
// local time Zadarma sends, §2.1).
export function zdTime(d, tz = 'UTC') {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

// call_id_with_rec as Zadarma sends it: the unix time, a dot, a counter.
export const recId = (d) => `${Math.floor(d.getTime() / 1000)}.${randomBytes(3).readUIntBE(0, 3)}`;
