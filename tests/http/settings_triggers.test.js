// Settings › Triggers (issue 6 §3, pages half): list, create, edit,
// enable/disable, delete; the contract's conditions and actions as form
// fields, validated; the trigger's runs (trigger_runs) newest first. The
// triggers made here stay disabled while they exist, so the engine never
// runs them against other tests' calls; runs are inserted with SQL.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

let admin, manager;
const ids = {};
let integ, status;
const RUN = randomBytes(4).toString('hex');

async function csrfOf(client, p = '/settings/triggers') {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function postForm(client, p, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

// One action row as the form posts it: every field, in order.
function row(a = {}) {
  return [['a_type', a.type ?? ''], ['a_notify', a.notify ?? 'manager'], ['a_user', a.user ?? ''],
    ['a_url', a.url ?? ''], ['a_secret', a.secret ?? ''], ['a_email', a.email ?? ''],
    ['a_subject', a.subject ?? ''], ['a_title', a.title ?? ''], ['a_assignee', a.assignee ?? 'manager'],
    ['a_due', a.due ?? ''], ['a_status', a.status ?? '']];
}

const allActions = () => [
  ...row({ type: 'notify' }),
  ...row({ type: 'notify', notify: 'user', user: String(ids.admin) }),
  ...row({ type: 'webhook', url: 'https://hooks.example.com/callboard?x=1', secret: 'whsec-0123456789abcdef' }),
  ...row({ type: 'email', email: 'sales@example.com', subject: 'Missed call' }),
  ...row({ type: 'task', title: 'Call back <soon>', assignee: String(ids.manager), due: '45' }),
  ...row({ type: 'create_customer' }),
  ...row({ type: 'create_order', status }),
  ...row(),
];

async function create(name, extra = allActions()) {
  const r = await postForm(admin, '/settings/triggers/new', [['csrf', await csrfOf(admin)], ['name', name],
    ['event', 'missed_call'], ['direction', 'in'], ['integration_id', String(integ)], ['customer', 'known'],
    ['order_status', status], ['time_from', '22:00'], ['time_to', '06:00'], ['time_zone', 'Europe/Kyiv'],
    ...extra]);
  assert.equal(r.status, 303, r.text_.slice(0, 1500));
  const m = r.headers.get('location').match(/^\/settings\/triggers\/(\d+)\?saved=new$/);
  assert.ok(m);
  return Number(m[1]);
}

before(async () => {
  for (const [id, login] of await sql('SELECT id, login FROM users')) ids[login] = Number(id);
  [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'zadarma'");
  integ = Number(integ);
  [[status]] = await sql('SELECT code FROM order_statuses ORDER BY sort_order, id LIMIT 1');
  admin = new Client(); await admin.login('admin', 'admin');
  manager = new Client(); await manager.login('manager', 'manager');
});

test('the trigger pages need the settings permission', async () => {
  for (const p of ['/settings/triggers', '/settings/triggers/new']) assert.equal((await manager.get(p)).status, 403, p);
  const r = await postForm(manager, '/settings/triggers/new', [['csrf', await manager.csrf()], ['name', 'x']]);
  assert.equal(r.status, 403);
});

test('creating a trigger stores the contract\'s conditions object and actions array', async () => {
  const id = await create(`All actions ${RUN}`);
  const [[name, event, enabled, conds, acts]] = await sql(
    'SELECT name, event, enabled, conditions, actions FROM triggers WHERE id = ?', [id]);
  assert.deepEqual([name, event, enabled], [`All actions ${RUN}`, 'missed_call', '0']);
  assert.deepEqual(JSON.parse(conds), { direction: 'in', integration_id: integ, customer: 'known',
    order_status: status, time_from: '22:00', time_to: '06:00', time_zone: 'Europe/Kyiv' });
  assert.deepEqual(JSON.parse(acts), [
    { type: 'notify', to: 'manager' },
    { type: 'notify', user_id: ids.admin },
    { type: 'webhook', url: 'https://hooks.example.com/callboard?x=1', secret: 'whsec-0123456789abcdef' },
    { type: 'email', to: 'sales@example.com', subject: 'Missed call' },
    { type: 'task', title: 'Call back <soon>', assignee: ids.manager, due_minutes: 45 },
    { type: 'create_customer' },
    { type: 'create_order', status },
  ]);
  const page = await admin.get(`/settings/triggers/${id}?saved=new`);
  assert.match(page.text_, /The trigger is created\./);
  assert.ok(!page.text_.includes('whsec-0123456789abcdef'), 'the webhook secret is not shown back');
  assert.match(page.text_, /•••• cdef/);
  assert.match(page.text_, /value="Call back &lt;soon&gt;"/);
  assert.match(page.text_, /name="time_zone"[^>]*value="Europe\/Kyiv"/);
  const list = await admin.get('/settings/triggers');
  assert.match(list.text_, new RegExp(`href="/settings/triggers/${id}">All actions ${RUN}</a>`));
});

test('editing keeps a webhook secret left empty, and drops conditions set back to any', async () => {
  const id = await create(`Edit ${RUN}`, [...row({ type: 'webhook', url: 'http://10.0.0.1/x', secret: 'keep-me-0123456789' }), ...row()]);
  const csrf = await csrfOf(admin, `/settings/triggers/${id}`);
  const r = await postForm(admin, `/settings/triggers/${id}`, [['csrf', csrf], ['name', `Edited ${RUN}`],
    ['event', 'new_call'], ['direction', ''], ['integration_id', ''], ['customer', ''], ['order_status', ''],
    ['time_from', ''], ['time_to', ''], ['time_zone', ''],
    ...row({ type: 'webhook', url: 'https://new.example.com/h' }), ...row({ type: 'create_customer' })]);
  assert.equal(r.status, 303, r.text_.slice(0, 1500));
  assert.equal(r.headers.get('location'), `/settings/triggers/${id}?saved=1`);
  const [[name, event, conds, acts]] = await sql('SELECT name, event, conditions, actions FROM triggers WHERE id = ?', [id]);
  assert.deepEqual([name, event], [`Edited ${RUN}`, 'new_call']);
  assert.deepEqual(JSON.parse(conds), {});
  assert.deepEqual(JSON.parse(acts), [
    { type: 'webhook', url: 'https://new.example.com/h', secret: 'keep-me-0123456789' },
    { type: 'create_customer' }]);
});

test('bad input: 400, every error next to its field, typed values kept, nothing saved', async () => {
  const [[count]] = await sql('SELECT COUNT(*) FROM triggers');
  const r = await postForm(admin, '/settings/triggers/new', [['csrf', await csrfOf(admin)], ['name', ''],
    ['event', 'sometimes'], ['direction', 'sideways'], ['integration_id', '999999999'], ['customer', 'vip'],
    ['order_status', 'no-such-status'], ['time_from', '25:00'], ['time_to', '6'], ['time_zone', 'Mars/Olympus'],
    ...row({ type: 'webhook', url: 'ftp://files.example.com/', secret: 's' }),
    ...row({ type: 'email', email: 'not-an-address' }),
    ...row({ type: 'task', title: '', due: '5' }),
    ...row({ type: 'notify', notify: 'user', user: '999999999' }),
    ...row({ type: 'create_order', status: 'nope' })]);
  assert.equal(r.status, 400);
  for (const msg of [/Nothing was saved/, /Give the trigger a name/, /Choose when the trigger runs/,
    /Choose incoming, outgoing or any/, /Choose an integration from the list/, /Choose known, unknown or any caller/,
    /Choose an order status from the list/, /Give both times as HH:MM/, /Unknown time zone/,
    /The webhook URL must start with http:\/\/ or https:\/\//, /Give an e-mail address like name@example.com/,
    /Give the task a title/, /Choose the user to notify/, /Choose the new order&#39;s status/])
    assert.match(r.text_, msg);
  assert.match(r.text_, /name="time_from"[^>]*value="25:00"/);
  assert.match(r.text_, /name="a_url"[^>]*value="ftp:\/\/files.example.com\/"/);
  assert.match(r.text_, /name="a_email"[^>]*value="not-an-address"/);
  assert.equal((await sql('SELECT COUNT(*) FROM triggers'))[0][0], count);

  const none = await postForm(admin, '/settings/triggers/new', [['csrf', await csrfOf(admin)], ['name', 'No actions'],
    ['event', 'new_call'], ...row()]);
  assert.equal(none.status, 400);
  assert.match(none.text_, /Add at least one action\./);
  const noSecret = await postForm(admin, '/settings/triggers/new', [['csrf', await csrfOf(admin)], ['name', 'x'],
    ['event', 'new_call'], ...row({ type: 'webhook', url: 'https://a.example.com/' })]);
  assert.equal(noSecret.status, 400);
  assert.match(noSecret.text_, /Give the webhook a secret/);
});

test('the trigger page shows its runs newest first, with the call link, result and error', async () => {
  const id = await create(`Runs ${RUN}`);
  const [[call]] = await sql('SELECT id, client_number FROM calls ORDER BY id DESC LIMIT 1');
  await sql(`INSERT INTO trigger_runs (trigger_id, call_id, action_index, action, result, error, created_at) VALUES
    (?, ?, 0, 'notify', 'ok', NULL, UTC_TIMESTAMP(3) - INTERVAL 2 MINUTE),
    (?, ?, 2, 'webhook', 'failed', 'HTTP 500 <html>', UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE)`, [id, call, id, call]);
  const page = await admin.get(`/settings/triggers/${id}`);
  assert.equal(page.status, 200);
  const runs = page.text_.slice(page.text_.indexOf('id="runs"'));
  assert.ok(runs.indexOf('webhook') < runs.indexOf('notify'), 'newest first');
  assert.match(runs, new RegExp(`href="/calls/${call}">call ${call}`));
  assert.match(runs, /data-result="failed"/);
  assert.match(runs, /HTTP 500 &lt;html&gt;/, 'the error text is escaped');
  const list = await admin.get('/settings/triggers?format=json');
  const t = JSON.parse(list.text_).triggers.find((x) => x.id === id);
  assert.equal(t.runs, 2);
  assert.equal(t.actions, 7);
});

test('enable, disable and delete, each a CSRF-checked POST', async () => {
  const id = await create(`Toggle ${RUN}`);
  const csrf = await csrfOf(admin);
  let r = await postForm(admin, `/settings/triggers/${id}/enabled`, [['enabled', '1']]);
  assert.equal(r.status, 403, 'no CSRF token');
  r = await postForm(admin, `/settings/triggers/${id}/enabled`, [['csrf', csrf], ['enabled', '1']]);
  assert.equal(r.status, 303);
  assert.equal((await sql('SELECT enabled FROM triggers WHERE id = ?', [id]))[0][0], '1');
  r = await postForm(admin, `/settings/triggers/${id}/enabled`, [['csrf', csrf], ['enabled', '0']]);
  assert.equal(r.status, 303);
  assert.equal((await sql('SELECT enabled FROM triggers WHERE id = ?', [id]))[0][0], '0');
  r = await postForm(admin, `/settings/triggers/${id}/enabled`, [['csrf', csrf], ['enabled', 'yes']]);
  assert.equal(r.status, 400);
  r = await postForm(admin, `/settings/triggers/${id}/delete`, [['csrf', csrf]]);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/settings/triggers?deleted=1');
  assert.deepEqual(await sql('SELECT id FROM triggers WHERE id = ?', [id]), []);
  assert.equal((await admin.get(`/settings/triggers/${id}`)).status, 404);
  r = await postForm(admin, `/settings/triggers/${id}/delete`, [['csrf', csrf]]);
  assert.equal(r.status, 404);
});
