// The minimal CRM pages (issue 4 §2, issue 5 §1): customer and order pages
// with call buttons and "Call history" links that appear only when there
// are calls; the create forms behind the call card's buttons link the
// call, and a new customer gets the earlier calls from their number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { postGeneric, callsOf, uid } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const now = () => Math.floor(Date.now() / 1000);
let seq = 0;
const freshPhone = () => '+38063' + String(Date.now() * 10 + (seq++ % 10)).slice(-7);

// An incoming call from `from` through the generic integration; its id.
async function call(from, did = '+380443900400') {
  const ext = uid('crm');
  const t = now();
  const res = await postGeneric({ event: 'call.end', call_id: ext, direction: 'in', from, did,
    ext: '101', status: 'answered', start: t - 30, answer: t - 20, end: t, billsec: 20 });
  assert.equal(res.status, 200, res.text_);
  return (await callsOf('generic', ext))[0].id;
}

async function manager() {
  const c = new Client();
  await c.login('manager', 'manager');
  return c;
}

const national = (e164) => '0' + e164.slice(4, 6) + ' ' + e164.slice(6, 9) + ' ' + e164.slice(9);

test('creating a customer from a call links that call and earlier calls from the number', async () => {
  const m = await manager();
  const phone = freshPhone();
  const earlier = await call(phone);
  const current = await call(phone);
  const form = await m.get(`/customers/new?phone=${encodeURIComponent(phone)}&call=${current}`);
  assert.equal(form.status, 200);
  assert.ok(form.text_.includes(`value="${phone}"`), 'phone pre-filled');
  const r = await m.post('/customers', { form: { csrf: await m.csrf(), name: 'Created <From> Card', phone: national(phone), call: String(current) } });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const id = Number(r.headers.get('location').match(/^\/customers\/(\d+)\?created=1$/)[1]);
  const linked = await sql('SELECT id, customer_id FROM calls WHERE id IN (?, ?) ORDER BY id', [earlier, current]);
  assert.deepEqual(linked, [[String(earlier), String(id)], [String(current), String(id)]]);
  const [[stored]] = await sql('SELECT phone FROM customer_phones WHERE customer_id = ?', [id]);
  assert.equal(stored, phone, 'the national form is stored as E.164');
  const page = await m.get(r.headers.get('location'));
  assert.equal(page.status, 200);
  assert.match(page.text_, /Created &lt;From&gt; Card/);
  assert.match(page.text_, /The customer is saved/);
  assert.ok(page.text_.includes(`href="/calls?q_mode=exact&amp;q=${encodeURIComponent(phone)}"`), 'history link for the phone');
  assert.ok(page.text_.includes(`href="/customers/${id}/calls"`), 'link to the feed');
  assert.match(page.text_, /class="button call" href="(\/dial\?|tel:)/);
});

test('a phone without calls gets a call button but no "Call history" link', async () => {
  const m = await manager();
  const phone = freshPhone();
  const r = await m.post('/customers', { form: { csrf: await m.csrf(), name: 'Quiet Customer', phone } });
  assert.equal(r.status, 303);
  const page = await m.get(r.headers.get('location'));
  assert.match(page.text_, /class="button call"/);
  assert.doesNotMatch(page.text_, /Call history<\/a>\s*<\/li>/);
  assert.ok(!page.text_.includes('/calls?q_mode=exact'));
  assert.ok(!/href="\/customers\/\d+\/calls"/.test(page.text_));
  const json = JSON.parse((await m.get(r.headers.get('location').replace('?created=1', '?format=json'))).text_);
  assert.equal(json.phones[0].history_url, undefined);
  assert.equal(json.calls_url, undefined);
});

test('the customer form refuses bad input with messages next to the fields', async () => {
  const m = await manager();
  const r = await m.post('/customers', { form: { csrf: await m.csrf(), name: '  ', phone: 'not a phone', email: 'nope' } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Enter the name/);
  assert.match(r.text_, /This is not a phone number/);
  assert.match(r.text_, /has an @/);
  assert.ok(r.text_.includes('value="not a phone"'), 'what was typed is kept');
});

test('adding an order from a call to a store\'s number: store pre-selected, the call linked', async () => {
  const m = await manager();
  const [[did, storeId]] = await sql('SELECT number, store_id FROM store_numbers WHERE store_id IS NOT NULL ORDER BY id LIMIT 1');
  const phone = freshPhone();
  const c = await m.post('/customers', { form: { csrf: await m.csrf(), name: 'Order Person', phone } });
  const cust = Number(c.headers.get('location').match(/\/customers\/(\d+)/)[1]);
  const callId = await call(phone, did);
  // The card's "Add order" button carries customer, store and call.
  const card = JSON.parse((await m.get(`/calls/${callId}?format=json`)).text_);
  const addOrder = card.actions.add_order_url;
  assert.ok(addOrder.startsWith('/orders/new?'));
  const form = await m.get(addOrder);
  assert.equal(form.status, 200);
  assert.match(form.text_, new RegExp(`<option value="${storeId}" selected>`));
  assert.match(form.text_, /Order Person/);
  const [[status]] = await sql("SELECT id FROM order_statuses WHERE status_group = 'open' ORDER BY sort_order, id LIMIT 1");
  const number = uid('ORD').slice(-20);
  const r = await m.post('/orders', { form: { csrf: await m.csrf(), customer: String(cust), store: String(storeId),
    status, number, total: '1250.50', call: String(callId) } });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const orderId = Number(r.headers.get('location').match(/^\/orders\/(\d+)\?created=1$/)[1]);
  const [[o, cu]] = await sql('SELECT order_id, customer_id FROM calls WHERE id = ?', [callId]);
  assert.equal(Number(o), orderId);
  assert.equal(Number(cu), cust);
  const page = await m.get(`/orders/${orderId}`);
  assert.equal(page.status, 200);
  assert.ok(page.text_.includes(number));
  assert.match(page.text_, /<span>1,250\.50<\/span> <span>UAH<\/span>/);
  assert.ok(page.text_.includes(`href="/orders/${orderId}/calls"`));
  assert.ok(page.text_.includes(`href="/customers/${cust}"`));
  assert.match(page.text_, /class="button call"/);
  // The same number again is a form error.
  const dup = await m.post('/orders', { form: { csrf: await m.csrf(), customer: String(cust), status, number, total: '1' } });
  assert.equal(dup.status, 400);
  assert.match(dup.text_, /An order with this number exists/);
  const bad = await m.post('/orders', { form: { csrf: await m.csrf(), status, total: 'lots' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /An order needs a customer/);
  assert.match(bad.text_, /The total is a number/);
});

test('adding a lead for an unknown caller links the call to the lead', async () => {
  const m = await manager();
  const phone = freshPhone();
  const callId = await call(phone);
  const card = JSON.parse((await m.get(`/calls/${callId}?format=json`)).text_);
  const form = await m.get(card.actions.add_lead_url);
  assert.equal(form.status, 200);
  assert.match(form.text_, /value="Unknown client"/);
  const r = await m.post('/leads', { form: { csrf: await m.csrf(), name: 'Caller <x>', phone, comment: 'wants a quote', call: String(callId) } });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const leadId = Number(r.headers.get('location').match(/^\/leads\/(\d+)/)[1]);
  const [[lid]] = await sql('SELECT lead_id FROM calls WHERE id = ?', [callId]);
  assert.equal(Number(lid), leadId);
  const [[name, lphone, lcall, source]] = await sql('SELECT name, phone, call_id, source FROM leads WHERE id = ?', [leadId]);
  assert.deepEqual([name, lphone, Number(lcall), source], ['Caller <x>', phone, callId, 'manual']);
  const page = await m.get(`/leads/${leadId}`);
  assert.match(page.text_, /Caller &lt;x&gt;/);
  assert.ok(page.text_.includes(`href="/calls/${callId}"`));
});

test('a form cannot link a call the user may not see', async () => {
  const m = await manager();
  const r = await m.get('/customers/new?call=999999999');
  assert.equal(r.status, 404);
  const bad = await m.get('/customers/new?call=abc');
  assert.equal(bad.status, 400);
  // The intern's role creates no customers at all (issue 16 §1).
  const intern = new Client();
  await intern.login('intern', 'intern');
  assert.equal((await intern.get('/customers/new')).status, 403);
});

// Issue 16 §1: linking and routing follow the newest customer with a
// number, so a form must not hand another manager's caller to whoever
// types their number. The number is kept on the new customer, flagged, and
// the customer that had it keeps the calls and the routing.
async function customerOf(manager_login) {
  const phone = freshPhone();
  const made = await (await import('../lib/generic.js')).api('/api/v1/customers', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Held by ${manager_login}`, phones: [phone], manager_login }),
  });
  assert.equal(made.status, 201, made.text_);
  const [[id]] = await sql('SELECT customer_id FROM customer_phones WHERE phone = ?', [phone]);
  return { phone, id: Number(id) };
}

async function routeOf(phone) {
  const { api } = await import('../lib/generic.js');
  const r = await api(`/api/v1/route?phone=${encodeURIComponent(phone)}&integration=generic`);
  assert.equal(r.status, 200, r.text_);
  return r.json_;
}

test('a number another manager\'s customer has is kept flagged: calls and routing stay with them', async () => {
  const held = await customerOf('olena');
  assert.equal((await routeOf(held.phone)).extension, '103');
  const m = await manager();
  const r = await m.post('/customers', { form: { csrf: await m.csrf(), name: 'Same Number', phone: national(held.phone) } });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  assert.match(r.headers.get('location'), /^\/customers\/\d+\?created=1&shared=1$/);
  const id = Number(r.headers.get('location').match(/\/customers\/(\d+)/)[1]);
  assert.deepEqual(await sql('SELECT COUNT(*) FROM customer_phones WHERE customer_id = ?', [id]), [['0']]);
  assert.deepEqual(await sql('SELECT phone, held_by FROM customer_phones_shared WHERE customer_id = ?', [id]),
    [[held.phone, String(held.id)]]);
  const route = await routeOf(held.phone);
  assert.equal(route.extension, '103', 'routing stays with the responsible manager');
  assert.equal(route.customer.name, 'Held by olena');
  const later = await call(held.phone);
  const [[linked]] = await sql('SELECT customer_id FROM calls WHERE id = ?', [later]);
  assert.equal(Number(linked), held.id, 'a new call links to the customer that had the number');
  const page = await m.get(r.headers.get('location'));
  assert.match(page.text_, /already belongs to another customer/);
  assert.match(page.text_, /class="shared flag"/);
  const json = JSON.parse((await m.get(`/customers/${id}?format=json`)).text_);
  assert.equal(json.phones[0].phone, held.phone);
  assert.match(json.phones[0].shared, /calls and routing stay with them/);
});

test('a role that may edit the customer holding a number may move it, and the page says so', async () => {
  const held = await customerOf('olena');
  const admin = new Client();
  await admin.login('admin', 'admin');
  const r = await admin.post('/customers', { form: { csrf: await admin.csrf(), name: 'Moved Here', phone: held.phone } });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  assert.match(r.headers.get('location'), /&moved=1$/);
  const route = await routeOf(held.phone);
  assert.equal(route.customer.name, 'Moved Here');
  assert.equal(route.extension, '100', 'the new customer\'s manager (the admin) takes the calls');
  const page = await admin.get(r.headers.get('location'));
  assert.match(page.text_, /its calls and routing now go to this one/);
});
