// Provider vectors that are sequences (tests/vectors/<kind>/NNN-case.json
// with "requests", docs/providers.md "Test vectors") through the real
// stack: each step's request is sent to /hook/<kind> (the demo
// integration, slug = kind) with fresh ids, and the stored call is
// compared with the vector's "call". The same files are run through the
// descriptor alone by tests/unit/test_vectors.c.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BASE } from './http.js';

export function loadVectors(kind) {
  const dir = fileURLToPath(new URL(`../vectors/${kind}/`, import.meta.url));
  return readdirSync(dir).filter((f) => /^[0-9].*\.json$/.test(f)).sort()
    .map((f) => ({ file: f, ...JSON.parse(readFileSync(dir + f, 'utf8')) }));
}

// A new id shaped like the old one (digits stay digits, hex stays hex,
// punctuation stays), so the adapter reads it the same way.
function freshLike(id) {
  const hex = /^[0-9a-f-]+$/.test(id) && /[a-f]/.test(id);
  return [...id].map((ch) => {
    if (/[0-9]/.test(ch) || (hex && /[a-f]/.test(ch))) {
      return hex ? '0123456789abcdef'[randomInt(16)] : String(randomInt(10));
    }
    return ch;
  }).join('');
}

// The vector's requests as the hook gets them, with every id replaced.
export function freshRequests(vec) {
  const map = new Map((vec.ids || []).map((id) => [id, freshLike(id)]));
  const swap = (s) => {
    for (const [from, to] of map) s = s.split(from).join(to);
    return s;
  };
  const requests = vec.requests.map((step) => {
    const r = { ...vec.request, ...(step.request || {}) };
    const q = r.url.indexOf('?');
    return {
      body: swap(r.body ?? ''),
      url: q >= 0 ? r.url.slice(q) : '',
      headers: { 'content-type': r.content_type ?? 'application/json', ...(r.headers || {}) },
      expect: step.expect || {},
    };
  });
  return { requests, callId: map.get((vec.ids || [])[0]) };
}

export async function send(kind, req, { slug = kind } = {}) {
  const res = await fetch(`${BASE}/hook/${slug}${req.url}`, {
    method: 'POST', headers: req.headers, body: req.body,
  });
  res.text_ = await res.text();
  return res;
}

// Sends requests in the given order, each `times` times; every one 200.
export async function deliver(kind, requests, { times = 1 } = {}) {
  for (const r of requests) {
    for (let i = 0; i < times; i++) {
      const res = await send(kind, r);
      assert.equal(res.status, 200, `${r.body.slice(0, 80)}: ${res.status} ${res.text_}`);
      if (r.expect.answer !== undefined) assert.equal(res.text_, r.expect.answer);
    }
  }
}

export async function callsOf(kind, externalId) {
  const res = await fetch(`${BASE}/api/v1/calls?integration=${kind}&external_id=${encodeURIComponent(externalId)}`,
    { headers: { authorization: 'Bearer demo-api-token' } });
  assert.equal(res.status, 200);
  return (await res.json()).calls;
}

export async function oneCall(kind, externalId) {
  const list = await callsOf(kind, externalId);
  assert.equal(list.length, 1, `exactly one call for ${externalId}: ${JSON.stringify(list)}`);
  return list[0];
}

const uniq = (a) => [...new Set(a)].sort();

// The call against the vector's "call": API fields by name, "manager" as
// the login, "legs" / "answered_legs" as sets of extensions.
export function checkCall(c, want, what) {
  for (const [k, v] of Object.entries(want)) {
    if (k === 'manager') assert.equal(c.manager && c.manager.login, v, `${what}: manager`);
    else if (k === 'legs') {
      assert.deepEqual(uniq(c.legs.map((l) => l.extension).filter(Boolean)), uniq(v), `${what}: legs`);
    } else if (k === 'answered_legs') {
      assert.deepEqual(uniq(c.legs.filter((l) => l.extension && l.answered_at !== null).map((l) => l.extension)),
        uniq(v), `${what}: answered legs`);
    } else assert.deepEqual(c[k], v, `${what}: ${k}`);
  }
}

// For each stack-run vector with a call: in order once; each request
// twice in reverse order (hang-up before answer, duplicates). Both give
// the same call, holding one event per distinct request.
export function vectorTests(test, kind) {
  for (const vec of loadVectors(kind)) {
    if (vec.http === false || !vec.call) continue;
    test(`${vec.file}: in order: ${vec.about}`, async () => {
      const { requests, callId } = freshRequests(vec);
      await deliver(kind, requests);
      const c = await oneCall(kind, callId);
      checkCall(c, vec.call, vec.file);
      assert.equal(c.events, requests.length);
    });
    test(`${vec.file}: every request twice, in reverse order: the same call`, async () => {
      const { requests, callId } = freshRequests(vec);
      await deliver(kind, [...requests].reverse(), { times: 2 });
      const c = await oneCall(kind, callId);
      checkCall(c, vec.call, `${vec.file} reversed`);
      assert.equal(c.events, requests.length);
    });
  }
}
