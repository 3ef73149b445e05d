// "My tasks", "missed calls not yet handled" and notifications (issue 6 §2,
// pages half): GET /tasks (open / done by me), POST /tasks/<id>/done with
// the contract's shared and each semantics, GET /tasks/missed, GET
// /notifications and marking read. Tasks, calls and notifications are the
// engine's output; here they are inserted with SQL as the contract
// describes them, with fresh numbers, so the tests do not depend on the
// worker or on other tests' rows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const RUN = `${Date.now()}-${randomBytes(3).toString('hex')}`;
const phone = () => `+38063${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
let manager, admin, intern, anon;
const ids = {};

async function one(q, p = []) {
  const rows = await sql(q, p);
  return rows.length ? rows[0] : null;
}

async function makeCall({ number, result = 'missed', direction = 'in', minutesAgo = 30, managerLogin = 'manager' }) {
  const ext = `tasks-${RUN}-${randomBytes(4).toString('hex')}`;
  const [integ] = await one("SELECT id FROM integrations WHERE slug = 'generic'");
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
       client_digits_rev, manager_id, started_at, ended_at)
     VALUES (?, ?, ?, 'ended', ?, ?, REVERSE(REPLACE(?, '+', '')), ?,
       UTC_TIMESTAMP(3) - INTERVAL ? MINUTE, UTC_TIMESTAMP(3) - INTERVAL ? MINUTE)`,
    [integ, ext, direction, result, number, number, managerLogin ? ids[managerLogin] : null,
      minutesAgo, minutesAgo - 1]);
  return Number((await one('SELECT id FROM calls WHERE external_id = ?', [ext]))[0]);
}

// A task as the engine writes it: one row, its assignees, its calls.
async function makeTask({ title, mode = 'shared', assignees, phoneNo = null, calls = [], dueMinutes = 30,
  kind = 'missed_call' }) {
  await sql(
    `INSERT INTO tasks (kind, title, mode, phone, call_id, author_id, due_at)
     VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3) + INTERVAL ? MINUTE)`,
    [kind, title, mode, phoneNo, calls[0] ?? null, ids[assignees[0]], dueMinutes]);
  const id = Number((await one('SELECT id FROM tasks WHERE title = ?', [title]))[0]);
  for (const [i, login] of assignees.entries())
    await sql('INSERT INTO task_assignees (task_id, user_id, position) VALUES (?, ?, ?)', [id, ids[login], i]);
  for (const c of calls) await sql('INSERT INTO task_calls (task_id, call_id) VALUES (?, ?)', [id, c]);
  return id;
}

const json = async (client, path) => {
  const r = await client.get(path, { headers: { accept: 'application/json' } });
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.text_.slice(0, 300)}`);
  return JSON.parse(r.text_);
};

async function csrfOf(client) {
  const page = await client.get('/tasks');
  assert.equal(page.status, 200);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

async function done(client, taskId, withCsrf = true) {
  const form = withCsrf ? { csrf: await csrfOf(client) } : {};
  return client.post(`/tasks/${taskId}/done`, { form });
}

before(async () => {
  for (const [id, login] of await sql('SELECT id, login FROM users')) ids[login] = Number(id);
  manager = new Client(); await manager.login('manager', 'manager');
  admin = new Client(); await admin.login('admin', 'admin');
  intern = new Client(); await intern.login('intern', 'intern');
  anon = new Client();
});

test('the task pages need a session: a browser is sent to the login page, JSON gets 401', async () => {
  let r = await anon.get('/tasks');
  assert.equal(r.status, 303);
  assert.match(r.headers.get('location'), /^\/login\?next=%2Ftasks/);
  r = await anon.get('/notifications', { headers: { accept: 'application/json' } });
  assert.equal(r.status, 401);
});

test('a shared missed-call task shows for each assignee with its calls, the call button and its due state', async () => {
  const num = phone();
  const c1 = await makeCall({ number: num, minutesAgo: 50 });
  const c2 = await makeCall({ number: num, minutesAgo: 20 });
  const title = `Missed call ${RUN} shared`;
  const id = await makeTask({ title, assignees: ['manager', 'admin'], phoneNo: num, calls: [c1, c2], dueMinutes: -5 });

  for (const client of [manager, admin]) {
    const m = await json(client, '/tasks');
    const t = m.tasks.find((x) => x.id === id);
    assert.ok(t, 'the task is in the open list of every assignee');
    assert.equal(t.title, title);
    assert.equal(t.phone, num);
    assert.equal(t.status, 'overdue');
    assert.equal(t.shared, true);
    assert.deepEqual(t.calls.map((c) => c.id), [c1, c2]);
    assert.deepEqual(t.calls.map((c) => c.url), [`/calls/${c1}`, `/calls/${c2}`]);
    assert.ok(m.overdue_count >= 1);
  }
  const page = await manager.get('/tasks');
  assert.equal(page.status, 200);
  assert.match(page.text_, new RegExp(`href="/calls/${c2}"`));
  assert.match(page.text_, new RegExp(`href="/dial\\?number=%2B${num.slice(1)}&amp;call=${c1}"`),
    'the call button dials the number through the dial program');
  assert.match(page.text_, new RegExp(`action="/tasks/${id}/done"`));

  const theirs = await json(intern, '/tasks');
  assert.ok(!theirs.tasks.some((x) => x.id === id), 'a user who is not an assignee does not see it');
});

test('completing a shared task: done for everybody, kept in the done list of who did it only', async () => {
  const title = `Missed call ${RUN} shared-done`;
  const id = await makeTask({ title, assignees: ['manager', 'admin'], phoneNo: phone() });

  let r = await done(manager, id, false);
  assert.equal(r.status, 403, 'no CSRF token, no change');
  assert.equal((await one('SELECT state FROM tasks WHERE id = ?', [id]))[0], 'open');

  r = await done(manager, id);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/tasks?completed=${id}`);
  const [state, doneBy, doneAt] = await one('SELECT state, done_by, done_at FROM tasks WHERE id = ?', [id]);
  assert.equal(state, 'done');
  assert.equal(Number(doneBy), ids.manager);
  assert.ok(doneAt);
  const rows = await sql('SELECT user_id, done_at IS NOT NULL FROM task_assignees WHERE task_id = ? ORDER BY position', [id]);
  assert.deepEqual(rows.map(([u, d]) => [Number(u), d]), [[ids.manager, '1'], [ids.admin, '0']]);

  assert.ok(!(await json(manager, '/tasks')).tasks.some((x) => x.id === id));
  assert.ok(!(await json(admin, '/tasks')).tasks.some((x) => x.id === id), 'gone from the other assignee too');
  assert.ok((await json(manager, '/tasks?view=done')).tasks.some((x) => x.id === id));
  assert.ok(!(await json(admin, '/tasks?view=done')).tasks.some((x) => x.id === id),
    'only the user who did it keeps it in the done list');

  const page = await manager.get(`/tasks?completed=${id}`);
  assert.match(page.text_, new RegExp(`Task ${id} is done\\.`));

  // The other assignee presses Done on a page drawn before: nothing changes.
  r = await done(admin, id);
  assert.equal(r.status, 303);
  assert.equal(Number((await one('SELECT done_by FROM tasks WHERE id = ?', [id]))[0]), ids.manager);
});

test('tasks in mode each are independent: completing mine leaves the colleague\'s open', async () => {
  const num = phone();
  const mine = await makeTask({ title: `Missed call ${RUN} each-m`, mode: 'each', assignees: ['manager'], phoneNo: num });
  const theirs = await makeTask({ title: `Missed call ${RUN} each-a`, mode: 'each', assignees: ['admin'], phoneNo: num });
  assert.equal((await done(manager, mine)).status, 303);
  assert.equal((await one('SELECT state FROM tasks WHERE id = ?', [mine]))[0], 'done');
  assert.equal((await one('SELECT state FROM tasks WHERE id = ?', [theirs]))[0], 'open');
  assert.ok((await json(admin, '/tasks')).tasks.some((x) => x.id === theirs));
});

test('a task that is not mine cannot be completed (404), and a bad id is 404', async () => {
  const id = await makeTask({ title: `Missed call ${RUN} not-intern`, assignees: ['manager'] });
  let r = await done(intern, id);
  assert.equal(r.status, 404);
  assert.match(r.text_, /no such task in your list/);
  assert.equal((await one('SELECT state FROM tasks WHERE id = ?', [id]))[0], 'open');
  r = await manager.post('/tasks/abc/done', { form: { csrf: await csrfOf(manager) } });
  assert.equal(r.status, 404);
  r = await manager.get('/tasks?view=everything');
  assert.equal(r.status, 400);
  assert.match(r.text_, /view=open/);
});

test('missed calls not yet handled: an answered call since, or a done task, takes a call off the list', async () => {
  const open = phone(), answered = phone(), tasked = phone(), old = phone();
  const cOpen = await makeCall({ number: open, minutesAgo: 40 });
  const cAnswered = await makeCall({ number: answered, minutesAgo: 40 });
  await makeCall({ number: answered, minutesAgo: 10, result: 'answered', direction: 'out' });
  const cTasked = await makeCall({ number: tasked, minutesAgo: 40 });
  const tid = await makeTask({ title: `Missed call ${RUN} handled`, assignees: ['manager'], calls: [cTasked] });
  const cOld = await makeCall({ number: old, minutesAgo: 60 * 24 * 3 });

  let m = await json(manager, '/tasks/missed');
  let listed = m.calls.map((c) => c.id);
  assert.ok(listed.includes(cOpen));
  assert.ok(listed.includes(cTasked), 'an open task does not count as handled');
  assert.equal(m.calls.find((c) => c.id === cTasked).open_task_id, tid);
  assert.ok(!listed.includes(cAnswered), 'reached by a later answered call');
  assert.ok(listed.includes(cOld));

  await done(manager, tid);
  m = await json(manager, '/tasks/missed?days=1');
  listed = m.calls.map((c) => c.id);
  assert.ok(!listed.includes(cTasked), 'a done task handles it');
  assert.ok(!listed.includes(cOld), 'older than the chosen days');
  assert.equal(m.days, 1);

  const page = await manager.get('/tasks/missed');
  assert.match(page.text_, new RegExp(`href="/calls/${cOpen}"`));
  const r = await manager.get('/tasks/missed?days=365');
  assert.equal(r.status, 400);
  assert.match(r.text_, /1 to 90/);
});

test('notifications: only mine, newest first, unread count, mark one and all read', async () => {
  const call = await makeCall({ number: phone() });
  await sql(
    `INSERT INTO notifications (user_id, kind, title, body, url, call_id, created_at) VALUES
       (?, 'trigger', ?, 'older <b>body</b>', ?, ?, UTC_TIMESTAMP(3) - INTERVAL 2 MINUTE),
       (?, 'missed_call', ?, NULL, ?, ?, UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE),
       (?, 'trigger', ?, NULL, NULL, NULL, UTC_TIMESTAMP(3))`,
    [ids.manager, `Older ${RUN}`, `/calls/${call}`, call,
      ids.manager, `Newer ${RUN}`, `/calls/${call}`, call,
      ids.admin, `Admin only ${RUN}`]);
  const mine = await sql('SELECT id FROM notifications WHERE title IN (?, ?) ORDER BY id', [`Older ${RUN}`, `Newer ${RUN}`]);
  const [older, newer] = mine.map(([id]) => Number(id));
  const [adminOnly] = (await one('SELECT id FROM notifications WHERE title = ?', [`Admin only ${RUN}`])).map(Number);

  let m = await json(manager, '/notifications');
  const titles = m.notifications.map((n) => n.title);
  assert.ok(titles.indexOf(`Newer ${RUN}`) < titles.indexOf(`Older ${RUN}`), 'newest first');
  assert.ok(!titles.includes(`Admin only ${RUN}`), 'another user\'s notification is not shown');
  const [unread] = await one('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL', [ids.manager]);
  assert.equal(m.unread, Number(unread));
  assert.equal(m.notifications.find((n) => n.id === older).url, `/calls/${call}`);

  const page = await manager.get('/notifications');
  assert.match(page.text_, /older &lt;b&gt;body&lt;\/b&gt;/, 'the body is escaped');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];

  let r = await manager.post(`/notifications/${older}/read`, { form: { csrf } });
  assert.equal(r.status, 303);
  assert.ok((await one('SELECT read_at FROM notifications WHERE id = ?', [older]))[0]);
  assert.equal((await one('SELECT read_at FROM notifications WHERE id = ?', [newer]))[0], null);
  m = await json(manager, '/notifications');
  assert.equal(m.unread, Number(unread) - 1);
  assert.equal(m.notifications.find((n) => n.id === older).unread, false);

  r = await manager.post(`/notifications/${adminOnly}/read`, { form: { csrf } });
  assert.equal(r.status, 404, 'another user\'s notification cannot be marked');
  assert.equal((await one('SELECT read_at FROM notifications WHERE id = ?', [adminOnly]))[0], null);

  r = await manager.post('/notifications/read', { form: { csrf } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/notifications?marked=all');
  assert.equal(Number((await one('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL', [ids.manager]))[0]), 0);
  assert.equal((await one('SELECT read_at FROM notifications WHERE id = ?', [adminOnly]))[0], null,
    'mark all read touches only mine');
  assert.equal((await json(manager, '/notifications')).unread, 0);
});
