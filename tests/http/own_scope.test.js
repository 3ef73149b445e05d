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
