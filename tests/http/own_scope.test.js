// Scope "own" (issue 4 §3, DESIGN §3): a role whose permissions are
// limited to the user's own calls (calls.manager_id = the user) sees only
// those on the history page, in the customer and order feeds, in the CSV
// export and in recordings, whatever the URL asks for.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createRole, createUser, uniq } from '../lib/settings.js';

let own, ownId, mine, theirs, customerId, orderId;

before(async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const roleId = await createRole(admin, uniq('own'), {
    calls: 'own', 'customers.calls': 'own', 'orders.calls': 'own',
    'recordings.listen': 'all', 'recordings.download': 'all',
  });
  const login = uniq('own');
  ownId = await createUser(admin, { name: 'Owen Own', login, role_id: roleId, password: 'long enough pw' });
  // Give the new user two recorded calls of one customer that has an order
  // with calls of other managers too.
  const [[cust, ord]] = await sql(`SELECT customer_id, order_id FROM calls
    WHERE order_id IS NOT NULL AND recording_state = 'stored'
    GROUP BY customer_id, order_id HAVING COUNT(*) >= 3 ORDER BY customer_id LIMIT 1`);
  customerId = Number(cust);
  orderId = Number(ord);
  const rows = await sql(`SELECT id FROM calls WHERE order_id = ? AND recording_state = 'stored' ORDER BY id`, [orderId]);
  mine = rows.slice(0, 2).map((r) => Number(r[0]));
  theirs = rows.slice(2).map((r) => Number(r[0]));
  await sql('UPDATE calls SET manager_id = ? WHERE id IN (?, ?)', [ownId, mine[0], mine[1]]);
  own = new Client();
  await own.login(login, 'long enough pw');
});

const json = async (c, path) => {
  const r = await c.get(path + (path.includes('?') ? '&' : '?') + 'format=json');
  assert.equal(r.status, 200, `${path}: ${r.status}`);
  return JSON.parse(r.text_);
};

test('the history shows only the user\'s own calls', async () => {
  const m = await json(own, '/calls');
  const ids = m.calls.map((c) => c.id).sort((a, b) => a - b);
  assert.deepEqual(ids, mine);
  assert.ok(m.calls.every((c) => c.manager_id === ownId));
});

test('asking for another manager does not widen the scope', async () => {
  const [[other]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const m = await json(own, `/calls?manager=${other}`);
  assert.equal(m.calls.length, 0);
  const q = await json(own, `/calls?manager=${ownId}`);
  assert.equal(q.calls.length, 2);
});

test('the customer and order feeds are limited too', async () => {
  const c = await json(own, `/customers/${customerId}/calls`);
  assert.deepEqual(c.calls.map((x) => x.id).sort((a, b) => a - b), mine);
  const o = await json(own, `/orders/${orderId}/calls`);
  assert.deepEqual(o.calls.map((x) => x.id).sort((a, b) => a - b), mine);
  // An admin (scope all) sees the others in the same feed.
  const admin = new Client();
  await admin.login('admin', 'admin');
  const all = await json(admin, `/orders/${orderId}/calls`);
  assert.ok(theirs.every((id) => all.calls.some((x) => x.id === id)));
});

test('the CSV export holds only the user\'s own calls', async () => {
  const r = await own.get('/calls.csv');
  assert.equal(r.status, 200);
  const lines = r.text_.trim().split('\r\n').slice(1);
  assert.deepEqual(lines.map((l) => Number(l.split(',')[0])).sort((a, b) => a - b), mine);
  const f = await own.get(`/orders/${orderId}/calls.csv`);
  assert.equal(f.text_.trim().split('\r\n').length, 3);
});

test('recordings: own calls play, other managers\' calls are refused', async () => {
  const ok = await own.get(`/calls/${mine[0]}/recording`);
  assert.equal(ok.status, 200);
  for (const id of theirs) {
    for (const from of ['', `?from=order:${orderId}`, `?from=customer:${customerId}`]) {
      const r = await own.get(`/calls/${id}/recording${from}`);
      assert.equal(r.status, 403, `call ${id} ${from}`);
    }
  }
});

test('the call card of another manager\'s call is refused', async () => {
  const r = await own.get(`/calls/${theirs[0]}`);
  assert.ok(r.status === 403 || r.status === 404, `status ${r.status}`);
  assert.equal((await own.get(`/calls/${mine[0]}`)).status, 200);
});

// Issue 16 §2-3: the CRM pages have scopes too, and every page asks one
// rule (lib/auth/access.c) which calls a user sees.
async function roleWith(admin, scopes) {
  const name = uniq('crm');
  const form = { csrf: await admin.csrf(), name, description: 'test role' };
  for (const [p, s] of Object.entries(scopes)) form[`perm_${p}`] = s;
  const r = await admin.post('/settings/roles', { form });
  assert.equal(r.status, 303, `create role: ${r.status} ${r.text_.slice(0, 300)}`);
  const [[id]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  const login = uniq('crm');
  const userId = await createUser(admin, { name: 'Cora Crm', login, role_id: Number(id), password: 'long enough pw' });
  const c = new Client();
  await c.login(login, 'long enough pw');
  return { c, userId };
}

test('scope "own" on customers, orders and leads: the user\'s own open, others\' are refused', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const { c, userId } = await roleWith(admin, { calls: 'own', customers: 'own', orders: 'own', leads: 'own' });
  const [[cust]] = await sql('SELECT id FROM customers WHERE manager_id IS NOT NULL ORDER BY id LIMIT 1');
  const [[order]] = await sql('SELECT id FROM orders WHERE manager_id IS NOT NULL ORDER BY id LIMIT 1');
  for (const path of [`/customers/${cust}`, `/orders/${order}`]) {
    const r = await c.get(path);
    assert.equal(r.status, 403, `${path}: ${r.status}`);
    assert.match(r.text_, /not yours/);
  }
  await sql('UPDATE customers SET manager_id = ? WHERE id = ?', [userId, cust]);
  await sql('UPDATE orders SET manager_id = ? WHERE id = ?', [userId, order]);
  assert.equal((await c.get(`/customers/${cust}`)).status, 200);
  assert.equal((await c.get(`/orders/${order}`)).status, 200);
  // Without the edit permissions: no create links, and the forms are 403.
  const page = JSON.parse((await c.get(`/customers/${cust}?format=json`)).text_);
  assert.equal(page.add_order_url, undefined);
  assert.equal(page.add_lead_url, undefined);
  assert.equal((await c.get('/customers/new')).status, 403);
});

test('a feed\'s scope is widened by `calls` the same way for the list and for its recordings', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  // customers.calls "own" but the whole history: every call of the feed
  // is in the user's history, and plays from the feed, so the feed lists
  // them all (it used to list only the user's own).
  const { c } = await roleWith(admin, { calls: 'all', 'customers.calls': 'own', 'recordings.listen': 'all' });
  const feed = JSON.parse((await c.get(`/customers/${customerId}/calls?format=json`)).text_);
  const all = JSON.parse((await admin.get(`/customers/${customerId}/calls?format=json`)).text_);
  assert.deepEqual(feed.calls.map((x) => x.id), all.calls.map((x) => x.id));
  const r = await c.get(`/calls/${theirs[0]}/recording?from=customer:${customerId}`);
  assert.equal(r.status, 200);
});
