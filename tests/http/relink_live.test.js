// Issue 19 §6 (seed 002: "if you open another card, an indicator shows
// that the call will be linked to it"): while a manager has a live call,
// the customer, order and lead pages say so and where the call is linked,
// with a one-button form (POST, CSRF) that moves the call's links there.
// The move is recorded (who, when, from where); the page then says who
// moved it; later events of the call keep the new links. Permissions go
// through lib/auth/access.c: the user must see the call and may edit the
// record. Bad requests get a status and a message a person can act on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { userIds, makeCustomer, freshPhone, sql } from '../lib/automation.js';
import { liveCall, endCall } from '../lib/livecall.js';

let ids;
let manager;
let intern;
let made = [];

before(async () => {
  ids = await userIds();
  manager = new Client(); await manager.login('manager', 'manager');
  intern = new Client(); await intern.login('intern', 'intern');
});

after(async () => {
  // Live calls left by a failed test must not show on other tests' pages.
  for (const c of made) await endCall(c).catch(() => {});
});

async function live(from) {
  const c = await liveCall(from);
  made.push(c);
  return c;
}

const linksOf = async (callId) => (await sql(
  'SELECT COALESCE(customer_id, 0), COALESCE(order_id, 0), COALESCE(lead_id, 0) FROM calls WHERE id = ?',
  [callId]))[0].map(Number);

function linkForm(html) {
  const m = html.match(/<form method="post" class="link-call" action="([^"]+)">[\s\S]*?name="csrf" value="([^"]+)"[\s\S]*?name="call" value="(\d+)"/);
  return m && { action: m[1], csrf: m[2], call: Number(m[3]) };
}

test('customer page: the indicator, one click moves the call here, the move is recorded and shown', async () => {
  const caller = await makeCustomer(freshPhone(), { managerLogin: 'manager' });
  const other = await makeCustomer(freshPhone(), { managerLogin: 'manager' });
  const call = await live((await sql('SELECT phone FROM customer_phones WHERE customer_id = ?', [caller.id]))[0][0]);
  assert.deepEqual(await linksOf(call.id), [caller.id, 0, 0], 'linked to the caller by number');

  const own = await manager.get(`/customers/${caller.id}`);
  assert.match(own.text_, /On a call now/);
  assert.match(own.text_, /The call is linked here/);
  assert.equal(linkForm(own.text_), null, 'no button where the call already is');

  const page = await manager.get(`/customers/${other.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /class="live-indicator"/);
  assert.match(page.text_, new RegExp(`The call is linked <a href="/customers/${caller.id}">to another card</a>`));
  const f = linkForm(page.text_);
  assert.deepEqual([f.action, f.call], [`/customers/${other.id}/link-call`, call.id]);

  const r = await manager.post(f.action, { form: { csrf: f.csrf, call: String(f.call) } });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  assert.equal(r.headers.get('location'), `/customers/${other.id}?linked=${call.id}`);
  assert.deepEqual(await linksOf(call.id), [other.id, 0, 0]);
  const [[by, fromCust, toCust, at]] = await sql(
    'SELECT user_id, from_customer_id, to_customer_id, created_at FROM call_relinks WHERE call_id = ?', [call.id]);
  assert.deepEqual([Number(by), Number(fromCust), Number(toCust)], [ids.manager, caller.id, other.id]);
  assert.ok(Date.now() - Date.parse(`${at.replace(' ', 'T')}Z`) < 120000, `recorded now: ${at}`);

  const after = await manager.get(`/customers/${other.id}?linked=${call.id}`);
  assert.match(after.text_, /The call is linked here now\./);
  // When: the ISO local time for machines, the language's form for people (issue 18).
  assert.match(after.text_, /moved here by <span>Max Manager<\/span> at <time datetime="\d{4}-\d\d-\d\d \d\d:\d\d">\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d<\/time>/);
  // The card (and so the history) shows the customer it is linked to now.
  const card = JSON.parse((await manager.get(`/calls/${call.id}?format=json`)).text_);
  assert.equal(card.customer && card.customer.id, other.id, JSON.stringify(card.customer));

  // The call's later events do not move it back to the caller's number.
  await endCall(call);
  assert.deepEqual(await linksOf(call.id), [other.id, 0, 0]);
  const ended = await manager.get(`/customers/${other.id}`);
  assert.doesNotMatch(ended.text_, new RegExp(`name="call" value="${call.id}"`), 'no indicator once the call ended');
});

test('order page and lead page: the call moves to the order (and its customer), then to a lead without a customer', async () => {
  const caller = await makeCustomer(freshPhone(), { managerLogin: 'manager' });
  const buyer = await makeCustomer(freshPhone(), { managerLogin: 'manager', order: true });
  await sql('UPDATE orders SET manager_id = ? WHERE id = ?', [ids.manager, buyer.orderId]);
  await sql("INSERT INTO leads (name, phone, state, manager_id, created_at) VALUES ('Walk-in', NULL, 'open', ?, UTC_TIMESTAMP(3))", [ids.manager]);
  const [[leadId]] = await sql('SELECT MAX(id) FROM leads WHERE name = ?', ['Walk-in']);
  const call = await live((await sql('SELECT phone FROM customer_phones WHERE customer_id = ?', [caller.id]))[0][0]);

  const op = await manager.get(`/orders/${buyer.orderId}`);
  const f = linkForm(op.text_);
  assert.ok(f, op.text_.slice(0, 2000));
  assert.equal((await manager.post(f.action, { form: { csrf: f.csrf, call: String(call.id) } })).status, 303);
  assert.deepEqual(await linksOf(call.id), [buyer.id, buyer.orderId, 0]);
  assert.match((await manager.get(`/orders/${buyer.orderId}`)).text_, /The call is linked here/);

  const lp = await manager.get(`/leads/${leadId}`);
  assert.match(lp.text_, new RegExp(`The call is linked <a href="/orders/${buyer.orderId}">`));
  const g = linkForm(lp.text_);
  assert.equal((await manager.post(g.action, { form: { csrf: g.csrf, call: String(call.id) } })).status, 303);
  assert.deepEqual(await linksOf(call.id), [0, 0, Number(leadId)]);
  await endCall(call);
  assert.deepEqual(await linksOf(call.id), [0, 0, Number(leadId)], 'the ingest did not re-link it by number');
  const moves = await sql('SELECT to_order_id, to_lead_id FROM call_relinks WHERE call_id = ? ORDER BY id', [call.id]);
  assert.deepEqual(moves.map((m) => m.map((v) => (v === null ? null : Number(v)))),
    [[buyer.orderId, null], [null, Number(leadId)]]);
});

test('refused: no CSRF 403, a malformed call 400, no such record 404, an ended call 409, a role without edit 403; nothing moves', async () => {
  const caller = await makeCustomer(freshPhone(), { managerLogin: 'manager' });
  const target = await makeCustomer(freshPhone(), { managerLogin: 'manager' });
  const notMine = await makeCustomer(freshPhone(), { managerLogin: 'olena' });
  const call = await live((await sql('SELECT phone FROM customer_phones WHERE customer_id = ?', [caller.id]))[0][0]);
  const csrf = linkForm((await manager.get(`/customers/${target.id}`)).text_).csrf;
  const url = `/customers/${target.id}/link-call`;

  assert.equal((await manager.post(url, { form: { call: String(call.id) } })).status, 403);
  let r = await manager.post(url, { form: { csrf, call: 'abc' } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Say which call to link/);
  r = await manager.post('/customers/999999999/link-call', { form: { csrf, call: String(call.id) } });
  assert.equal(r.status, 404);
  assert.match(r.text_, /There is no such customer\./);
  r = await manager.post(`/customers/${notMine.id}/link-call`, { form: { csrf, call: String(call.id) } });
  assert.equal(r.status, 403, 'scope own: a customer someone else manages');
  const np = await manager.get(`/customers/${notMine.id}`);
  assert.equal(np.status, 200, 'the manager sees every customer');
  assert.match(np.text_, /Your role does not allow linking this call here\./);
  assert.equal(linkForm(np.text_), null, 'and gets no button there');
  const icsrf = await intern.csrf();
  r = await intern.post(url, { form: { csrf: icsrf, call: String(call.id) } });
  assert.equal(r.status, 403, 'intern may not edit customers');
  assert.deepEqual(await linksOf(call.id), [caller.id, 0, 0]);

  await endCall(call);
  r = await manager.post(url, { form: { csrf, call: String(call.id) } });
  assert.equal(r.status, 409);
  assert.match(r.text_, /This call is no longer live/);
  assert.deepEqual(await linksOf(call.id), [caller.id, 0, 0]);
  const [[n]] = await sql('SELECT COUNT(*) FROM call_relinks WHERE call_id = ?', [call.id]);
  assert.equal(Number(n), 0);
});
