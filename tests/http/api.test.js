// The JSON API: token authentication, the routing answer, and customers
// created after their calls arrived linking those calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE } from '../lib/http.js';
import { api, postGeneric, callsOf, uid } from '../lib/generic.js';

test('the API refuses a missing or wrong token with 401 JSON', async () => {
  const none = await fetch(`${BASE}/api/v1/calls`);
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate'), /Bearer/);
  assert.equal((await none.json()).error.status, 401);
  const wrong = await fetch(`${BASE}/api/v1/calls`, { headers: { authorization: 'Bearer nope-nope-nope' } });
  assert.equal(wrong.status, 401);
});

test('the API lists calls newest first with a cursor', async () => {
  const first = await api('/api/v1/calls?limit=5');
  assert.equal(first.status, 200);
  assert.equal(first.json_.calls.length, 5);
  const ids = first.json_.calls.map((c) => c.id);
  assert.deepEqual([...ids].sort((a, b) => b - a), ids);
  const next = await api(`/api/v1/calls?limit=5&before=${first.json_.next}`);
  assert.ok(next.json_.calls.every((c) => c.id < ids[4]));
  const bad = await api('/api/v1/calls?limit=100000');
  assert.equal(bad.status, 400);
});

test('route: a known customer goes to their responsible manager', async () => {
  // The demo customer created by the test below has no manager; use a
  // fresh one with a manager and an unusual number.
  const phone = '+38050' + String(Date.now()).slice(-7);
  const made = await api('/api/v1/customers', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Routing Test', phones: [phone], manager_login: 'manager' }),
  });
  assert.equal(made.status, 201, made.text_);
  const national = '0' + phone.slice(4);
  const res = await api(`/api/v1/route?phone=${encodeURIComponent(national)}&integration=asterisk`);
  assert.equal(res.status, 200);
  assert.equal(res.json_.extension, '101');
  assert.equal(res.json_.customer.name, 'Routing Test');
  const unknown = await api('/api/v1/route?phone=%2B19999999999&integration=asterisk');
  assert.equal(unknown.json_.extension, null);
  assert.equal(unknown.json_.customer, null);
  assert.deepEqual(unknown.json_.fallback, { kind: 'queue', target: '600' });
});

test('a customer created later links the calls that came before', async () => {
  const phone = '+38067' + String(Date.now()).slice(-7);
  const callId = uid('late');
  const now = Math.floor(Date.now() / 1000);
  for (const ev of [
    { event: 'call.start', call_id: callId, direction: 'in', from: phone, did: '+380443900300', start: now - 60 },
    { event: 'call.end', call_id: callId, direction: 'in', from: phone, status: 'answered', ext: '101', start: now - 60, answer: now - 50, end: now, billsec: 50 },
  ]) {
    const r = await postGeneric(ev);
    assert.equal(r.status, 200, r.text_);
  }
  let [call] = await callsOf('generic', callId);
  assert.equal(call.customer, null);
  const made = await api('/api/v1/customers', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Late Customer', phones: ['0' + phone.slice(4)] }),
  });
  assert.equal(made.status, 201, made.text_);
  assert.ok(made.json_.linked_calls.includes(call.id));
  [call] = await callsOf('generic', callId);
  assert.equal(call.customer.name, 'Late Customer');
});

test('bad customer bodies are 400 with a reason', async () => {
  for (const body of ['{}', '{"name":""}', '{"name":"x","phones":"123"}', '{"name":"x","phones":["abc"]}', 'not json']) {
    const res = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400, body);
    assert.ok(res.json_.error.message.length > 5);
  }
});

// Issue 16 item 12: a client's mistake is a 400 that says what is wrong, never a 503
// ("database unavailable") from a row the database refused, and a NUL inside a text is refused,
// never stored cut short at it.
test('client mistakes in customer and task bodies are 400 with the reason; a NUL in text is refused', async () => {
  const long = (n) => 'a'.repeat(n);
  const cases = [
    [{ name: 'x', email: long(256) }, /"email" is too long \(at most 255 characters\)/],
    [{ name: 'x', external_id: long(129) }, /"external_id" is too long \(at most 128 characters\)/],
    [{ name: long(256) }, /"name" is too long/],
    [{ name: 'x', email: 5 }, /"email" must be a string/],
    [{ name: 'Nul\u0000Cut' }, /"name" contains a NUL character/],
    [{ name: 'x', email: 'a\u0000@example.com' }, /"email" contains a NUL/],
    [{ name: 'x', phones: ['+38067\u00001234567'] }, /"phones"\[0\] contains a NUL/],
    [{ name: 'x', manager_login: 'manager\u0000' }, /"manager_login" contains a NUL/],
  ];
  for (const [body, reason] of cases) {
    const res = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.text_}`);
    assert.match(res.json_.error.message, reason);
  }
  let res = await api('/api/v1/customers/1/phones', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '067\u00001234567' }) });
  assert.equal(res.status, 400, res.text_);
  assert.match(res.json_.error.message, /"phone" contains a NUL/);
  res = await api('/api/v1/tasks/1/done', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'manager\u0000x' }) });
  assert.equal(res.status, 400, res.text_);
  assert.match(res.json_.error.message, /"login" contains a NUL/);
  // null means "not given", as before.
  res = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Null email ${uid()}`, email: null }) });
  assert.equal(res.status, 201, res.text_);
});

test('an unknown query parameter is a 400 that names it and what the endpoint takes', async () => {
  for (const [url, name, takes] of [
    ['/api/v1/calls?phone_number=%2B380671234567', 'phone_number', 'integration, external_id, phone, contains, said, limit, before'],
    ['/api/v1/calls?limit=5&limt=5', 'limt', 'integration, external_id, phone, contains, said, limit, before'],
    ['/api/v1/route?phone=0671234567&slug=asterisk', 'slug', 'phone, integration'],
    ['/api/v1/tasks?state=open&status=open', 'status', 'call_id, phone, user_id, state, limit'],
    ['/api/v1/tasks?trigger_id=1', 'trigger_id', 'call_id, phone, user_id, state, limit'],
    ['/api/v1/leads?format=json', 'format', 'call_id, phone, limit'],
    ['/api/v1/leads?state=open', 'state', 'call_id, phone, limit'],
    ['/api/v1/notifications?user=1', 'user', 'call_id, phone, user_id, limit'],
    ['/api/v1/trigger-runs?run_id=1', 'run_id', 'call_id, phone, trigger_id, limit'],
    ['/api/v1/trigger-runs?user_id=1', 'user_id', 'call_id, phone, trigger_id, limit'],
  ]) {
    const r = await api(url);
    assert.equal(r.status, 400, url);
    assert.match(r.headers.get('content-type'), /application\/json/);
    const path = url.slice(0, url.indexOf('?'));
    assert.equal(r.json_.error.message, `Unknown query parameter "${name}": ${path} takes ${takes}.`, url);
  }
});

test('a parameter given twice is a 400 too; an odd name is shown printable', async () => {
  const twice = await api('/api/v1/calls?limit=5&limit=500');
  assert.equal(twice.status, 400);
  assert.equal(twice.json_.error.message, 'The query parameter "limit" is given twice.');
  const odd = await api('/api/v1/calls?%3Cscript%3E%0A=1');
  assert.equal(odd.status, 400);
  assert.equal(odd.json_.error.message, 'Unknown query parameter "<script>?": /api/v1/calls takes integration, external_id, phone, contains, said, limit, before.');
  assert.match(odd.headers.get('content-type'), /^application\/json/, 'served as JSON (with nosniff), never as a page');
});

test('POST endpoints take no query parameters; known ones still work', async () => {
  const r = await api('/api/v1/customers?dry_run=1', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Query Test', phones: [] }),
  });
  assert.equal(r.status, 400);
  assert.equal(r.json_.error.message, 'Unknown query parameter "dry_run": /api/v1/customers takes none.');
  const ok = await api('/api/v1/calls?integration=zadarma&limit=1');
  assert.equal(ok.status, 200);
  assert.ok(ok.json_.calls.length <= 1);
  const route = await api('/api/v1/route?phone=0671234567&integration=asterisk');
  assert.equal(route.status, 200);
});
