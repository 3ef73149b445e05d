// Issue 18 "History": a row shows what the call is linked to. A call
// linked to an order says "Order <number>" linking to /orders/<id>, one
// linked to a lead "Lead #<id>" linking to /leads/<id>, in the page and in
// ?format=json (order_id, lead_id). Only for viewers who may open that
// record (the CRM pages' rule, access_record(): the role's orders/leads
// scope and the record's manager); others see the call without them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';
import { PERMS, createUser, uniq } from '../lib/settings.js';

let admin, orderCall, leadCall, orderId, orderNumber, leadId;

// A role with these scopes ({ calls: 'all', orders: 'own', ... }; others
// none), through the roles form like a person would.
async function role(scopes) {
  const name = uniq('links');
  const form = { csrf: await admin.csrf(), name, description: 'test role' };
  for (const p of [...PERMS, 'customers', 'orders', 'leads'])
    form[`perm_${p}`] = scopes[p] || 'none';
  const r = await admin.post('/settings/roles', { form });
  assert.equal(r.status, 303, `create role: ${r.status} ${r.text_.slice(0, 300)}`);
  const [[id]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  return Number(id);
}

async function viewer(scopes) {
  const login = uniq('links');
  const id = await createUser(admin, { name: 'Link Viewer', login, role_id: await role(scopes),
    password: 'long enough pw' });
  const c = new Client();
  await c.login(login, 'long enough pw');
  c.userId = id;
  return c;
}

// A real call through the generic hook; its id in calls.
async function call() {
  const ext = uid('hl');
  const t = Math.floor(Date.now() / 1000);
  const from = '+38063' + String(Date.now()).slice(-7);
  const res = await postGeneric({ event: 'call.end', call_id: ext, direction: 'in', from,
    did: '+380443900400', ext: '101', status: 'answered', start: t - 30, answer: t - 20,
    end: t, billsec: 20 });
  assert.equal(res.status, 200, res.text_);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  return { id: Number(id), ext };
}

// The history filtered to one call: its JSON row and the page's HTML.
async function row(c, ext) {
  const q = `/calls?external_id=${encodeURIComponent(ext)}`;
  const j = await c.get(q + '&format=json');
  assert.equal(j.status, 200, j.text_.slice(0, 300));
  const calls = JSON.parse(j.text_).calls;
  assert.equal(calls.length, 1, 'the filter finds the call');
  const page = await c.get(q);
  assert.equal(page.status, 200);
  return { json: calls[0], html: page.text_ };
}

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  const [[manager]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const [[open]] = await sql("SELECT id FROM order_statuses WHERE status_group = 'open' ORDER BY id LIMIT 1");
  orderNumber = 'H18-' + uid('o').slice(-6);
  await sql('INSERT INTO orders (number, status_id, manager_id) VALUES (?, ?, ?)',
    [orderNumber, open, manager]);
  [[orderId]] = await sql('SELECT id FROM orders WHERE number = ?', [orderNumber]);
  orderId = Number(orderId);
  const leadName = uid('Lead');
  await sql('INSERT INTO leads (name, manager_id) VALUES (?, ?)', [leadName, manager]);
  [[leadId]] = await sql('SELECT id FROM leads WHERE name = ?', [leadName]);
  leadId = Number(leadId);
  orderCall = await call();
  leadCall = await call();
  // What the linking would have done (tests/http/linking.test.js covers
  // how calls get linked; this file covers how the row shows it).
  await sql('UPDATE calls SET order_id = ? WHERE id = ?', [orderId, orderCall.id]);
  await sql('UPDATE calls SET lead_id = ? WHERE id = ?', [leadId, leadCall.id]);
});

test('a call linked to an order shows "Order <number>" linking to the order page', async () => {
  const { json, html } = await row(admin, orderCall.ext);
  assert.equal(json.order_id, orderId);
  assert.equal(json.order_number, orderNumber);
  assert.equal(json.order_url, `/orders/${orderId}`);
  assert.equal(json.lead_id, null);
  assert.match(html, new RegExp(`<a href="/orders/${orderId}">Order <span>${orderNumber}</span></a>`));
  assert.doesNotMatch(html, /href="\/leads\/\d+"/);
  // The link leads somewhere real.
  const o = await admin.get(`/orders/${orderId}`);
  assert.equal(o.status, 200);
  assert.ok(o.text_.includes(orderNumber));
});

test('a call linked to a lead shows "Lead #<id>" linking to the lead page', async () => {
  const { json, html } = await row(admin, leadCall.ext);
  assert.equal(json.lead_id, leadId);
  assert.equal(json.lead_number, `#${leadId}`);
  assert.equal(json.lead_url, `/leads/${leadId}`);
  assert.equal(json.order_id, null);
  assert.match(html, new RegExp(`<a href="/leads/${leadId}">Lead <span>#${leadId}</span></a>`));
  const l = await admin.get(`/leads/${leadId}`);
  assert.equal(l.status, 200);
});

test('the words are translated with the page', async () => {
  // A user without a language of their own gets the browser's.
  const c = await viewer({ calls: 'all', orders: 'all', leads: 'all' });
  const uk = { headers: { 'accept-language': 'uk' } };
  const q = (k) => `/calls?external_id=${encodeURIComponent(k.ext)}`;
  let r = await c.get(q(orderCall), uk);
  assert.equal(r.status, 200);
  assert.match(r.text_, /<html lang="uk"/);
  assert.match(r.text_, new RegExp(`<a href="/orders/${orderId}">Замовлення <span>${orderNumber}</span></a>`));
  r = await c.get(q(leadCall), uk);
  assert.match(r.text_, new RegExp(`<a href="/leads/${leadId}">Лід <span>#${leadId}</span></a>`));
});

test('a viewer without the orders and leads rights sees the calls, not the links', async () => {
  const c = await viewer({ calls: 'all' });
  for (const k of [orderCall, leadCall]) {
    const { json, html } = await row(c, k.ext);
    assert.equal(json.order_id, null);
    assert.equal(json.order_number, null);
    assert.equal(json.order_url, null);
    assert.equal(json.lead_id, null);
    assert.equal(json.lead_url, null);
    assert.doesNotMatch(html, /href="\/(orders|leads)\/\d+"/);
    assert.ok(!html.includes(orderNumber), 'not even the order number');
  }
});

test('scope "own": only the orders and leads the viewer manages are linked', async () => {
  const c = await viewer({ calls: 'all', orders: 'own', leads: 'own' });
  for (const k of [orderCall, leadCall]) {
    const { json, html } = await row(c, k.ext);
    assert.equal(json.order_id, null);
    assert.equal(json.lead_id, null);
    assert.doesNotMatch(html, /href="\/(orders|leads)\/\d+"/);
  }
  // The same viewer as the records' manager sees them linked.
  await sql('UPDATE orders SET manager_id = ? WHERE id = ?', [c.userId, orderId]);
  await sql('UPDATE leads SET manager_id = ? WHERE id = ?', [c.userId, leadId]);
  assert.equal((await row(c, orderCall.ext)).json.order_id, orderId);
  assert.equal((await row(c, leadCall.ext)).json.lead_id, leadId);
  const all = await viewer({ calls: 'all', orders: 'all', leads: 'all' });
  assert.equal((await row(all, orderCall.ext)).json.order_id, orderId);
  assert.equal((await row(all, leadCall.ext)).json.lead_id, leadId);
});
