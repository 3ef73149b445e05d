// The call card (issue 5 §1): GET /calls/<id> as HTML and JSON from one
// view model, the `calls` permission with scope "own", the recording rule
// of the history, notes (POST /calls/<id>/notes) and "call back in N
// minutes" (POST /calls/<id>/callback), bad input, and escaping of the demo
// data's XSS payloads. Calls that the tests write to are made here, with
// fresh external ids, so the demo calls other tests read stay untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const tag = () => `${Date.now()}-${randomBytes(4).toString('hex')}`;
const RUN = tag();

let manager, intern, anon;
let ids = {};          // demo users by login
let s1, s3, s7;        // demo-special calls (read only)
let known;             // a fresh call from a fresh customer with orders
let unknown;           // a fresh call from an unknown number, talking now
let orphan;            // a fresh call with no manager (for scope own)
let ownRole, ownLogin, ownUser;

async function one(q, p = []) {
  const rows = await sql(q, p);
  return rows.length ? rows[0] : null;
}

// A call row as the hook would store it; returns its id.
async function makeCall({ number, customerId = null, orderId = null, managerLogin = 'manager',
  state = 'ended', result = 'answered', minutesAgo = 5, talk = 65, wait = 9 }) {
  const ext = `card-${tag()}`;
  const [integ] = await one("SELECT id FROM integrations WHERE slug = 'zadarma'");
  const sn = await one('SELECT number FROM store_numbers WHERE store_id IS NOT NULL ORDER BY id LIMIT 1');
  const mgr = managerLogin ? ids[managerLogin] : null;
  const ended = state === 'ended';
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
       client_digits_rev, our_number, manager_id, extension, customer_id, order_id,
       started_at, answered_at, ended_at, talk_seconds, wait_seconds, recording_state)
     VALUES (?, ?, 'in', ?, ?, ?, REVERSE(REPLACE(?, '+', '')), ?, ?, ?, ?, ?,
       UTC_TIMESTAMP(3) - INTERVAL ? MINUTE,
       IF(? = 'answered', UTC_TIMESTAMP(3) - INTERVAL ? MINUTE + INTERVAL ? SECOND, NULL),
       IF(?, UTC_TIMESTAMP(3) - INTERVAL ? MINUTE + INTERVAL ? SECOND, NULL), ?, ?, 'none')`,
    [integ, ext, state, result, number, number, sn[0], mgr, mgr ? '101' : null, customerId, orderId,
      minutesAgo, result, minutesAgo, wait, ended, minutesAgo, wait + talk, ended ? talk : 0, wait]);
  const [id] = await one('SELECT id FROM calls WHERE external_id = ?', [ext]);
  return Number(id);
}

const phone = () => `+38067${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

before(async () => {
  for (const [id, login] of await sql("SELECT id, login FROM users")) ids[login] = Number(id);
  manager = new Client();
  await manager.login('manager', 'manager');
  intern = new Client();
  await intern.login('intern', 'intern');
  anon = new Client();
  const special = async (t) => Number((await one('SELECT id FROM calls WHERE external_id = ?', [`demo-special-${t}`]))[0]);
  s1 = await special('S1');
  s3 = await special('S3');
  s7 = await special('S7');

  // A customer of our own with one open and one closed order and an open lead.
  const num = phone();
  await sql('INSERT INTO customers (name, manager_id, external_id) VALUES (?, ?, ?)',
    [`Card Customer ${RUN}`, ids.manager, `card-${RUN}`]);
  const [cust] = await one('SELECT id FROM customers WHERE external_id = ?', [`card-${RUN}`]);
  await sql("INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, REVERSE(REPLACE(?, '+', '')))", [cust, num, num]);
  const [open] = await one("SELECT id FROM order_statuses WHERE status_group = 'open' ORDER BY sort_order LIMIT 1");
  const [closed] = await one("SELECT id FROM order_statuses WHERE status_group <> 'open' ORDER BY sort_order LIMIT 1");
  await sql('INSERT INTO orders (number, customer_id, status_id, total) VALUES (?, ?, ?, 10), (?, ?, ?, 20)',
    [`CO-${RUN}`, cust, open, `CC-${RUN}`, cust, closed]);
  const [orderId] = await one('SELECT id FROM orders WHERE number = ?', [`CO-${RUN}`]);
  await sql("INSERT INTO leads (customer_id, name, phone, state) VALUES (?, ?, ?, 'open'), (?, ?, ?, 'closed')",
    [cust, `Open lead ${RUN}`, num, cust, `Closed lead ${RUN}`, num]);
  known = { id: await makeCall({ number: num, customerId: Number(cust), orderId: Number(orderId) }),
    customerId: Number(cust), orderId: Number(orderId), number: num, name: `Card Customer ${RUN}` };
  const unum = phone();
  unknown = { id: await makeCall({ number: unum, state: 'talking', result: 'answered', minutesAgo: 2 }), number: unum };
  orphan = await makeCall({ number: phone(), managerLogin: null, result: 'missed', talk: 0 });

  // A role whose `calls` permission has scope "own", and a user with it.
  ownRole = `card-own-${RUN}`;
  await sql('INSERT INTO roles (name) VALUES (?)', [ownRole]);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) SELECT id, 'calls', 'own' FROM roles WHERE name = ?", [ownRole]);
  ownLogin = `cardown${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id, time_zone)
             SELECT ?, u.password_hash, 'Own Scope', '199', r.id, 'UTC'
             FROM users u, roles r WHERE u.login = 'manager' AND r.name = ?`, [ownLogin, ownRole]);
  ownUser = new Client();
  await ownUser.login(ownLogin, 'manager');
});

after(async () => {
  await sql('DELETE FROM users WHERE login = ?', [ownLogin]);
  await sql('DELETE FROM roles WHERE name = ?', [ownRole]);
});

async function csrfOf(client, id) {
  const page = await client.get(`/calls/${id}`);
  assert.equal(page.status, 200);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

const json = async (client, path) => {
  const r = await client.get(path, { headers: { accept: 'application/json' } });
  r.json_ = r.text_ ? JSON.parse(r.text_) : null;
  return r;
};

// ---------------------------------------------------------------- reading --

test('the card of a known customer: type, number, customer, open orders and leads, store, manager', async () => {
  const r = await json(manager, `/calls/${known.id}?format=json`);
  assert.equal(r.status, 200);
  const m = r.json_;
  assert.equal(m.call.id, known.id);
  assert.equal(m.call.direction, 'in');
  assert.equal(m.call.result, 'answered');
  assert.equal(m.call.state, 'ended');
  assert.equal(m.call.state_label, 'Ended');
  assert.equal(m.call.number, known.number);
  assert.equal(m.call.number_url, `/dial?number=${encodeURIComponent(known.number)}&call=${known.id}`, 'the click-to-call button');
  assert.equal(m.call.talk_seconds, 65);
  assert.equal(m.call.wait_seconds, 9);
  assert.equal(m.call.duration_seconds, 74);
  assert.equal(m.call.talk, '1:05');
  assert.deepEqual(m.customer, { id: known.customerId, name: known.name, url: `/customers/${known.customerId}/calls` });
  assert.equal(m.unknown, false);
  assert.equal(m.manager.login, 'manager');
  assert.equal(m.manager.extension, '101');
  assert.ok(m.store && m.store.name, 'the store of the number called');
  assert.deepEqual(m.orders.map((o) => o.number), [`CO-${RUN}`], 'only the open order');
  assert.equal(m.orders[0].url, `/orders/${known.orderId}/calls`);
  assert.equal(m.orders[0].this_call, true);
  assert.deepEqual(m.leads.map((l) => l.name), [`Open lead ${RUN}`], 'only the open lead');
  // The lead's own page (issue 18), with its number and status for the popup.
  assert.equal(m.leads[0].url, `/leads/${m.leads[0].id}`);
  assert.equal(m.leads[0].number, `#${m.leads[0].id}`);
  assert.equal(m.leads[0].status, 'Open');
  assert.equal(m.actions.create_customer_url, undefined, 'a known customer is not created again');
  assert.equal(m.actions.add_order_url,
    `/orders/new?customer=${known.customerId}&store=${m.store.id}&phone=${encodeURIComponent(known.number)}&call=${known.id}`);
  assert.match(m.call.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('the HTML card shows the same model: call button, customer, order and feed links', async () => {
  const r = await manager.get(`/calls/${known.id}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  const h = r.text_;
  assert.ok(h.includes(`href="/dial?number=${encodeURIComponent(known.number)}&amp;call=${known.id}"`));
  assert.ok(h.includes(`href="/customers/${known.customerId}/calls">${known.name}</a>`));
  assert.ok(h.includes(`href="/orders/${known.orderId}/calls">CO-${RUN}</a>`));
  assert.ok(!h.includes(`CC-${RUN}`), 'the closed order is not shown');
  assert.ok(h.includes('>Add order</a>') && h.includes('>Add lead</a>'));
  assert.ok(!h.includes('>Create customer</a>'));
  assert.ok(h.includes('<script src="/static/card.js"'), 'live status script, not inline');
  assert.ok(!/<script>(?!<\/script>)/.test(h), 'no inline script');
});

test('an unknown number: "Unknown caller" and a "Create customer" link with the phone', async () => {
  const r = await json(manager, `/calls/${unknown.id}?format=json`);
  assert.equal(r.status, 200);
  assert.equal(r.json_.customer, null);
  assert.equal(r.json_.unknown, true);
  assert.equal(r.json_.contact, 'Unknown caller');
  assert.equal(r.json_.actions.create_customer_url,
    `/customers/new?phone=${encodeURIComponent(unknown.number)}&call=${unknown.id}`);
  const h = (await manager.get(`/calls/${unknown.id}`)).text_;
  assert.ok(h.includes('Unknown caller'));
  assert.ok(h.includes(`href="/customers/new?phone=${encodeURIComponent(unknown.number)}&amp;call=${unknown.id}">Create customer</a>`));
});

test('a call in progress: status talking, duration running to now, marked live', async () => {
  const m = (await json(manager, `/calls/${unknown.id}?format=json`)).json_;
  assert.equal(m.call.state, 'talking');
  assert.equal(m.call.state_label, 'Talking');
  assert.equal(m.call.live, true);
  assert.ok(m.call.duration_seconds >= 115 && m.call.duration_seconds < 600, `duration ${m.call.duration_seconds}`);
  assert.equal(m.call.ended_at, null);
  const h = (await manager.get(`/calls/${unknown.id}`)).text_;
  assert.match(h, /<main class="card" id="card"[^>]* data-live="true"/);
});

test('the leg timeline of the ring group call (demo S1) in order, who answered last', async () => {
  const m = (await json(manager, `/calls/${s1}?format=json`)).json_;
  assert.deepEqual(m.legs.map((l) => [l.extension, l.result]),
    [['101', 'no_answer'], ['103', 'no_answer'], ['104', 'answered']]);
  assert.equal(m.legs[2].offset_seconds, 12);
  assert.equal(m.legs[2].user, 'Carlos Ruiz');
  assert.equal(m.manager.extension, '104');
});

test('open leads for an unknown number (demo S7) are listed by phone', async () => {
  const m = (await json(manager, `/calls/${s7}?format=json`)).json_;
  assert.equal(m.customer, null);
  assert.ok(m.leads.some((l) => l.name === 'Unknown client'));
});

test('times are in the viewer\'s zone (manager: Europe/Kyiv, admin: UTC)', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[utc, iso]] = await sql("SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:%i'), DATE_FORMAT(started_at, '%Y-%m-%dT%H:%i:%s.000Z') FROM calls WHERE id = ?", [known.id]);
  // sv-SE writes "YYYY-MM-DD HH:MM", the card's format.
  const kyiv = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  assert.equal((await json(admin, `/calls/${known.id}?format=json`)).json_.call.started, utc);
  const mine = (await json(manager, `/calls/${known.id}?format=json`)).json_.call.started;
  assert.equal(mine, kyiv, `manager sees ${mine}, UTC is ${utc}`);
  assert.notEqual(mine, utc);
});

// ------------------------------------------------------------ permissions --

test('the recording player follows the history rule: manager yes, intern no', async () => {
  const m = (await json(manager, `/calls/${s1}?format=json`)).json_;
  assert.equal(m.call.recording_state, 'stored');
  assert.equal(m.call.recording_url, `/calls/${s1}/recording`);
  assert.match((await manager.get(`/calls/${s1}`)).text_, new RegExp(`<audio controls preload="none" src="/calls/${s1}/recording">`));
  const i = await json(intern, `/calls/${s1}?format=json`);
  assert.equal(i.status, 200, 'the intern has `calls` and sees the card');
  assert.equal(i.json_.call.recording_url, undefined);
  assert.equal(i.json_.call.download_url, undefined);
  const ih = (await intern.get(`/calls/${s1}`)).text_;
  assert.ok(!ih.includes('<audio'), 'no player for the intern');
  assert.ok(!ih.includes('/recording'), 'no recording address at all');
});

test('scope "own": the user\'s own calls only; others\' are 403 for GET and both POSTs', async () => {
  // The fresh call of `known` belongs to manager, not to the own-scope user.
  let r = await ownUser.get(`/calls/${known.id}`);
  assert.equal(r.status, 403);
  assert.match(r.text_, /only your own calls/);
  assert.equal((await json(ownUser, `/calls/${orphan}?format=json`)).status, 403, 'a call with no manager is nobody\'s own');
  // Their own call.
  const mine = await makeCall({ number: phone(), managerLogin: null });
  await sql('UPDATE calls SET manager_id = (SELECT id FROM users WHERE login = ?) WHERE id = ?', [ownLogin, mine]);
  r = await ownUser.get(`/calls/${mine}`);
  assert.equal(r.status, 200);
  const csrf = r.text_.match(/name="csrf" value="([^"]+)"/)[1];
  r = await ownUser.post(`/calls/${known.id}/notes`, { form: { csrf, note: 'not mine' } });
  assert.equal(r.status, 403);
  r = await ownUser.post(`/calls/${known.id}/callback`, { form: { csrf, minutes: '10' } });
  assert.equal(r.status, 403);
  const [[n]] = await sql("SELECT COUNT(*) FROM call_notes WHERE call_id = ? AND body = 'not mine'", [known.id]);
  assert.equal(n, '0');
  const [[t]] = await sql('SELECT COUNT(*) FROM task_calls WHERE call_id = ? AND task_id IN (SELECT id FROM tasks WHERE author_id = (SELECT id FROM users WHERE login = ?))', [known.id, ownLogin]);
  assert.equal(t, '0');
});

test('not logged in: the HTML card redirects to the login, JSON gets 401, POSTs 401', async () => {
  let r = await anon.get(`/calls/${known.id}`);
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/login\?next=/);
  r = await anon.get(`/calls/${known.id}?format=json`);
  assert.equal(r.status, 401);
  r = await anon.post(`/calls/${known.id}/notes`, { form: { note: 'x' } });
  assert.equal(r.status, 401);
});

test('a missing call is a 404 page, and 404 JSON', async () => {
  let r = await manager.get('/calls/999999999');
  assert.equal(r.status, 404);
  assert.match(r.text_, /There is no such call/);
  r = await json(manager, '/calls/999999999?format=json');
  assert.equal(r.status, 404);
  assert.equal(r.json_.error.status, 404);
  const csrf = await csrfOf(manager, known.id);
  r = await manager.post('/calls/999999999/notes', { form: { csrf, note: 'x' } });
  assert.equal(r.status, 404);
  r = await manager.post('/calls/999999999/callback', { form: { csrf, minutes: '10' } });
  assert.equal(r.status, 404);
});

test('methods: GET on the POST addresses is 405, POST on the card is 405', async () => {
  assert.equal((await manager.get(`/calls/${known.id}/notes`)).status, 405);
  assert.equal((await manager.get(`/calls/${known.id}/callback`)).status, 405);
  const csrf = await csrfOf(manager, known.id);
  assert.equal((await manager.post(`/calls/${known.id}`, { form: { csrf } })).status, 405);
});

// ------------------------------------------------------------------ notes --

test('a note is saved with its author, shown on the card and in the history', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  const body = `Wants delivery on Friday ${RUN}`;
  let r = await manager.post(`/calls/${id}/notes`, { form: { csrf, note: `  ${body}\n` } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/calls/${id}?note=saved#notes`);
  const [[uid, saved]] = await sql('SELECT user_id, body FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(Number(uid), ids.manager);
  assert.equal(saved, body, 'trimmed');
  const [[comment]] = await sql('SELECT comment FROM calls WHERE id = ?', [id]);
  assert.equal(comment, body);
  r = await json(manager, `/calls/${id}?format=json&note=saved`);
  assert.equal(r.json_.confirmation, 'Your note is saved.');
  assert.equal(r.json_.notes.length, 1);
  assert.equal(r.json_.notes[0].author, 'Max Manager');
  assert.equal(r.json_.notes[0].body, body);
  assert.match(r.json_.notes[0].time, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  // A second note becomes the comment the history shows.
  await manager.post(`/calls/${id}/notes`, { form: { csrf, note: 'Second note' } });
  const [[ext]] = await sql('SELECT external_id FROM calls WHERE id = ?', [id]);
  const hist = await manager.get(`/calls?external_id=${encodeURIComponent(ext)}&format=json`);
  assert.equal(JSON.parse(hist.text_).calls[0].comment, 'Second note');
  const h = (await manager.get(`/calls/${id}?note=saved`)).text_;
  assert.ok(h.includes('Your note is saved.'));
  assert.ok(h.includes(body) && h.includes('Second note'));
});

test('an XSS note is stored as written and drawn as text', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  const evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
  assert.equal((await manager.post(`/calls/${id}/notes`, { form: { csrf, note: evil } })).status, 303);
  const h = (await manager.get(`/calls/${id}`)).text_;
  assert.ok(h.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;'));
  assert.ok(!h.includes('<img src=x'));
  assert.ok(!h.includes('<script>alert'));
});

test('an empty or blank note: the card again, 400, the error next to the field, nothing saved', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  for (const note of ['', '   \n\t ', undefined]) {
    const form = note === undefined ? { csrf } : { csrf, note };
    const r = await manager.post(`/calls/${id}/notes`, { form });
    assert.equal(r.status, 400, JSON.stringify(note));
    assert.match(r.text_, /<textarea id="note" name="note"[^>]*><\/textarea>\s*<p class="error" id="note-error">Write a note first\.<\/p>/);
    assert.match(r.text_, /<main class="card"/, 'the card itself, not the error page');
  }
  const [[n]] = await sql('SELECT COUNT(*) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '0');
});

test('a note of 4001 characters is refused with the text kept; 4000 characters (multi-byte) are saved', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  const long = 'ї'.repeat(4001);
  let r = await manager.post(`/calls/${id}/notes`, { form: { csrf, note: long } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /A note is at most 4000 characters; this one has 4001\./);
  assert.ok(r.text_.includes(`>${long}</textarea>`), 'the draft is kept in the field');
  r = await manager.post(`/calls/${id}/notes?format=json`, { form: { csrf, note: long } });
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.text_).note_error, 'A note is at most 4000 characters; this one has 4001.');
  let [[n]] = await sql('SELECT COUNT(*) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '0');
  r = await manager.post(`/calls/${id}/notes`, { form: { csrf, note: '😀'.repeat(4000) } });
  assert.equal(r.status, 303, 'exactly 4000 characters, 16000 bytes');
  [[n]] = await sql('SELECT CHAR_LENGTH(body) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '4000');
});

test('a note that is not UTF-8 is a 400 with a message, nothing saved', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  const r = await manager.post(`/calls/${id}/notes`, {
    body: `csrf=${encodeURIComponent(csrf)}&note=%C3%28abc`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(r.status, 400);
  assert.match(r.text_, /not UTF-8/);
  const [[n]] = await sql('SELECT COUNT(*) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '0');
});

test('a note without the CSRF token, or with another session\'s, is 403 and not saved', async () => {
  const id = await makeCall({ number: phone() });
  let r = await manager.post(`/calls/${id}/notes`, { form: { note: 'no token' } });
  assert.equal(r.status, 403);
  const otherCsrf = await csrfOf(intern, id);
  r = await manager.post(`/calls/${id}/notes`, { form: { csrf: otherCsrf, note: 'wrong token' } });
  assert.equal(r.status, 403);
  const [[n]] = await sql('SELECT COUNT(*) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '0');
});

// -------------------------------------------------------------- call back --

test('"call back in 30 minutes" creates a linked task for me and confirms it on the card', async () => {
  const csrf = await csrfOf(manager, known.id);
  const r = await manager.post(`/calls/${known.id}/callback`, { form: { csrf, minutes: '30' } });
  assert.equal(r.status, 303);
  const m = r.headers.get('location').match(new RegExp(`^/calls/${known.id}\\?callback=(\\d+)#callbacks$`));
  assert.ok(m, r.headers.get('location'));
  const taskId = m[1];
  const [[kind, title, state, ph, cust, ord, callId, author, dueIn]] = await sql(
    `SELECT kind, title, state, phone, customer_id, order_id, call_id, author_id,
            TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), due_at) FROM tasks WHERE id = ?`, [taskId]);
  assert.equal(kind, 'call_back');
  assert.equal(title, `Call back ${known.name}`);
  assert.equal(state, 'open');
  assert.equal(ph, known.number);
  assert.equal(Number(cust), known.customerId);
  assert.equal(Number(ord), known.orderId);
  assert.equal(Number(callId), known.id);
  assert.equal(Number(author), ids.manager);
  assert.ok(Number(dueIn) > 29 * 60 - 30 && Number(dueIn) <= 30 * 60, `due in ${dueIn} s`);
  assert.deepEqual(await sql('SELECT user_id FROM task_assignees WHERE task_id = ?', [taskId]), [[String(ids.manager)]]);
  assert.deepEqual(await sql('SELECT call_id FROM task_calls WHERE task_id = ?', [taskId]), [[String(known.id)]]);
  const page = await json(manager, `/calls/${known.id}?format=json&callback=${taskId}`);
  const t = page.json_.callbacks.find((x) => String(x.id) === taskId);
  assert.ok(t, 'listed on the card');
  assert.equal(t.just_created, true);
  assert.equal(t.just_joined, false);
  assert.equal(page.json_.confirmation, `Call-back task created, due ${t.due_shown}.`);
  const h = (await manager.get(`/calls/${known.id}?callback=${taskId}`)).text_;
  assert.ok(h.includes(`Call-back task created, due ${t.due_shown}.`));
  assert.ok(h.includes(`data-task-id="${taskId}"`));
});

test('call-back tasks for the number show on every card of that number', async () => {
  const other = await makeCall({ number: known.number, customerId: known.customerId });
  const csrf = await csrfOf(manager, known.id);
  const r = await manager.post(`/calls/${known.id}/callback`, { form: { csrf, minutes: '10' } });
  const taskId = r.headers.get('location').match(/callback=(\d+)/)[1];
  const m = (await json(manager, `/calls/${other}?format=json`)).json_;
  assert.ok(m.callbacks.some((t) => String(t.id) === taskId));
  // Due times are sorted, soonest first.
  const dues = m.callbacks.map((t) => t.due_at);
  assert.deepEqual([...dues].sort(), dues);
});

test('a second "call back" for the number joins the open task and the card says so, not "created"', async () => {
  const number = phone();
  const first = await makeCall({ number });
  const second = await makeCall({ number });
  let csrf = await csrfOf(manager, first);
  let r = await manager.post(`/calls/${first}/callback`, { form: { csrf, minutes: '60' } });
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), new RegExp(`^/calls/${first}\\?callback=\\d+#callbacks$`), 'created: no joined flag');
  const taskId = r.headers.get('location').match(/callback=(\d+)/)[1];
  csrf = await csrfOf(manager, second);
  r = await manager.post(`/calls/${second}/callback`, { form: { csrf, minutes: '10' } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/calls/${second}?callback=${taskId}&joined=1#callbacks`);
  const [[n]] = await sql("SELECT COUNT(*) FROM tasks WHERE phone = ? AND kind = 'call_back' AND state = 'open'", [number]);
  assert.equal(n, '1', 'no second task');
  const page = await json(manager, `/calls/${second}?format=json&callback=${taskId}&joined=1`);
  const t = page.json_.callbacks.find((x) => String(x.id) === taskId);
  assert.ok(t, 'listed on the card of the second call');
  assert.equal(t.just_joined, true);
  assert.equal(t.just_created, false);
  assert.ok(Number(new Date(t.due_at)) - Date.now() <= 10 * 60 * 1000, 'the sooner due time');
  assert.equal(page.json_.confirmation, `Added to the open call-back task #${taskId}, due ${t.due_shown}.`);
  const h = (await manager.get(`/calls/${second}?callback=${taskId}&joined=1`)).text_;
  assert.ok(h.includes(`Added to the open call-back task #${taskId}, due ${t.due_shown}.`));
  assert.ok(!h.includes('Call-back task created'));
  assert.match(h, new RegExp(`data-task-id="${taskId}"[^>]*data-just-joined`));
});

test('call back an unknown number: the title names the number; 60 minutes', async () => {
  const csrf = await csrfOf(manager, unknown.id);
  const r = await manager.post(`/calls/${unknown.id}/callback`, { form: { csrf, minutes: '60' } });
  assert.equal(r.status, 303);
  const taskId = r.headers.get('location').match(/callback=(\d+)/)[1];
  const [[title, dueIn, cust]] = await sql('SELECT title, TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(3), due_at), customer_id FROM tasks WHERE id = ?', [taskId]);
  assert.equal(title, `Call back ${unknown.number}`);
  assert.ok(Number(dueIn) >= 59 && Number(dueIn) <= 60);
  assert.equal(cust, null);
});

test('bad minutes are a 400 with a message and create no task', async () => {
  const id = await makeCall({ number: phone() });
  const csrf = await csrfOf(manager, id);
  for (const minutes of ['15', '0', '-10', '10.0', 'abc', '1e1', '', undefined]) {
    const form = minutes === undefined ? { csrf } : { csrf, minutes };
    const r = await manager.post(`/calls/${id}/callback`, { form });
    assert.equal(r.status, 400, String(minutes));
    assert.match(r.text_, /Choose when to call back: in 10, 30 or 60 minutes\./);
  }
  const r = await manager.post(`/calls/${id}/callback?format=json`, { form: { csrf, minutes: '5' } });
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.text_).error.status, 400);
  const [[n]] = await sql('SELECT COUNT(*) FROM task_calls WHERE call_id = ?', [id]);
  assert.equal(n, '0');
});

// --------------------------------------------------------------- escaping --

test('the demo XSS payloads are escaped on the card (S1 name, caller id, comment; S3 unknown caller)', async () => {
  for (const id of [s1, s3]) {
    const h = (await manager.get(`/calls/${id}`)).text_;
    const main = h.slice(h.indexOf('<main'));
    assert.ok(!main.includes('<script>alert'), `call ${id}: raw <script>`);
    assert.ok(!/<img[^>]*onerror/i.test(main), `call ${id}: raw <img onerror>`);
    // Escaped text holds no '<', so every '<x ...>' left is a real tag.
    for (const t of main.match(/<[a-z][^>]*>/gi)) assert.ok(!/\son\w+\s*=/i.test(t), `call ${id}: handler in ${t}`);
  }
  const h1 = (await manager.get(`/calls/${s1}`)).text_;
  assert.ok(h1.includes('Mallory &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(h1.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt; asked about the order'));
  const m3 = (await json(manager, `/calls/${s3}?format=json`)).json_;
  assert.equal(m3.contact, 'Unknown caller');
  assert.equal(m3.call.caller_name, '"><img src=x onerror=alert(1)>', 'JSON carries the value as it is');
});

test('security headers on the card: CSP without inline script, no-store', async () => {
  const r = await manager.get(`/calls/${known.id}`);
  assert.match(r.headers.get('content-security-policy') || '', /script-src 'self'/);
  assert.match(r.headers.get('cache-control') || '', /no-store/);
});

test('the card script is served', async () => {
  const r = await fetch(`${BASE}/static/card.js`);
  assert.equal(r.status, 200);
  assert.match(await r.text(), /format=json/);
});
