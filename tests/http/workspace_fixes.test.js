// The "also fix" list of issue 18, through nginx and the programs: a new user's role defaults to
// the least privileged; a role without the call history lands on a page it may open, and its
// 403 page does not send it back to the history; nginx's own 404s are the product's page; a
// task's kind is not said twice before its title; deleting a trigger or an exception is a
// confirmation step first.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

const RUN = randomBytes(4).toString('hex');
let admin;
before(async () => { admin = new Client(); await admin.login('admin', 'admin'); });

// Logs in without a next= (the login form as a bookmark opens it), returns the client and the
// Location of the login's answer.
async function loginPlain(login, password) {
  const c = new Client();
  const page = await c.get('/login');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const res = await c.post('/login', { form: { csrf, login, password } });
  assert.equal(res.status, 303);
  return { c, location: res.headers.get('location') };
}

// The weight cgi/users.c gives a role: each permission 2 (settings 100), "all" one more.
async function weights() {
  const w = new Map();
  for (const [id, name] of await sql('SELECT id, name FROM roles')) w.set(Number(id), { name, w: 0 });
  for (const [rid, perm, scope] of await sql('SELECT role_id, permission, scope FROM role_permissions')) {
    const r = w.get(Number(rid));
    if (r) r.w += (perm === 'settings' ? 100 : 2) + (scope === 'all' ? 1 : 0);
  }
  return w;
}

test('the new-user form picks the least privileged role, never admin', async () => {
  const chosen = async () => {
    const page = await admin.get('/settings/users/new');
    assert.equal(page.status, 200);
    const selected = [...page.text_.matchAll(/<option value="(\d+)" selected[^>]*>([^<]*)</g)];
    assert.equal(selected.length, 1, 'exactly one role chosen');
    return Number(selected[0][1]);
  };
  // Whatever roles other tests made, the chosen one weighs the least of all.
  let w = await weights();
  const min = () => Math.min(...[...w.values()].map((r) => r.w));
  assert.equal(w.get(await chosen()).w, min());
  assert.notEqual(w.get(await chosen()).name, 'admin');
  // A new role lighter than every other becomes the default.
  const name = `least-${RUN}`;
  await sql('INSERT INTO roles (name, description) VALUES (?, ?)', [name, 'Nothing at all']);
  const [[rid]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  w = await weights();
  if (w.get(Number(rid)).w === min() && [...w.values()].filter((r) => r.w === min()).length === 1) {
    assert.equal(await chosen(), Number(rid));
  }
  assert.equal(w.get(await chosen()).w, min());
  await sql('DELETE FROM roles WHERE id = ?', [rid]);
});

test('a role with only order calls lands on its tasks, and its 403 page does not lead back to the history', async () => {
  const role = `orders-only-${RUN}`;
  await sql('INSERT INTO roles (name, description) VALUES (?, ?)', [role, 'Order calls only']);
  const [[rid]] = await sql('SELECT id FROM roles WHERE name = ?', [role]);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) VALUES (?, 'orders.calls', 'all')", [rid]);
  const login = `oo${RUN}`;
  await sql(`INSERT INTO users (login, password_hash, name, role_id, active)
             SELECT ?, password_hash, 'Order Only', ?, 1 FROM users WHERE login = 'manager'`, [login, rid]);
  const { c, location } = await loginPlain(login, 'manager');
  assert.equal(location, '/');
  const home = await c.get('/');
  assert.equal(home.status, 302);
  assert.equal(home.headers.get('location'), '/tasks');
  assert.equal((await c.get('/tasks')).status, 200);
  // Typed by hand: 403, and the page offers the start page and the tasks, not the history.
  const denied = await c.get('/calls');
  assert.equal(denied.status, 403);
  assert.doesNotMatch(denied.text_, /href="\/calls"/);
  assert.match(denied.text_, /href="\/tasks"/);
  assert.match(denied.text_, /href="\/">Go to your start page/);
  // The manager's start page is still the history.
  const m = await loginPlain('manager', 'manager');
  assert.equal((await m.c.get('/')).headers.get('location'), '/calls');
});

test("an address nginx does not know gets the product's 404 page, not nginx's", async () => {
  for (const path of [`/no-such-page-${RUN}`, `/static/missing-${RUN}.css`]) {
    const res = await fetch(BASE + path, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 404, path);
    const body = await res.text();
    assert.match(body, /class="error-page"/, path);
    assert.match(body, /There is no page at this address/, path);
    assert.doesNotMatch(body, /<center>nginx<\/center>/, path);
  }
  // Logged in, the page has the navigation.
  const res = await admin.get(`/no-such-page-${RUN}`);
  assert.equal(res.status, 404);
  assert.match(res.text_, /class="error-page"/);
});

test('a missed-call task shows its title once, not "Missed call Missed call from ..."', async () => {
  const phone = `+38067${String(randomBytes(3).readUIntBE(0, 3) % 10000000).padStart(7, '0')}`;
  const title = `Missed call from ${phone}`;
  await sql(`INSERT INTO tasks (kind, title, phone, due_at) VALUES ('missed_call', ?, ?, UTC_TIMESTAMP(3))`, [title, phone]);
  const [[tid]] = await sql('SELECT MAX(id) FROM tasks WHERE title = ?', [title]);
  await sql("INSERT INTO task_assignees (task_id, user_id) SELECT ?, id FROM users WHERE login = 'manager'", [tid]);
  const manual = `Ring ${phone} about the invoice`;
  await sql(`INSERT INTO tasks (kind, title, phone, due_at) VALUES ('call_back', ?, ?, UTC_TIMESTAMP(3))`, [manual, phone]);
  const [[mid]] = await sql('SELECT MAX(id) FROM tasks WHERE title = ?', [manual]);
  await sql("INSERT INTO task_assignees (task_id, user_id) SELECT ?, id FROM users WHERE login = 'manager'", [mid]);
  const m = new Client();
  await m.login('manager', 'manager');
  const page = await m.get('/tasks');
  const item = (id) => page.text_.slice(page.text_.indexOf(`id="task-${id}"`), page.text_.indexOf('</li>', page.text_.indexOf(`id="task-${id}"`)));
  const head = item(tid).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  assert.doesNotMatch(head, /Missed call Missed call/);
  assert.match(head, new RegExp(`Missed call from \\${phone}`));
  // A title that does not begin with its kind keeps the kind in front.
  assert.match(item(mid).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '), /Call back Ring/);
  await sql('DELETE FROM tasks WHERE id IN (?, ?)', [tid, mid]);
});

test('deleting a trigger or an exception is a confirmation step: the button that posts says "Yes, delete"', async () => {
  // One of each to delete, whatever the stack holds.
  const phone = `+38044${String(randomBytes(3).readUIntBE(0, 3) % 10000000).padStart(7, '0')}`;
  await sql('INSERT INTO phone_exceptions (phone, phone_digits_rev, comment) VALUES (?, ?, ?)',
    [phone, phone.slice(1).split('').reverse().join(''), `confirm ${RUN}`]);
  const [[tcount]] = await sql('SELECT COUNT(*) FROM triggers');
  assert.ok(Number(tcount) > 0, 'the demo has triggers');
  for (const path of ['/settings/triggers', '/settings/exceptions']) {
    const page = await admin.get(path);
    assert.equal(page.status, 200);
    const forms = [...page.text_.matchAll(/<form method="post"[^>]*action="([^"]*\/delete)"[^>]*>([\s\S]*?)<\/form>/g)];
    assert.ok(forms.length > 0, `${path} has something to delete`);
    for (const [, , inner] of forms) {
      assert.match(inner, /Yes, delete/);
      assert.match(inner, /class="confirm-question"/);
    }
    // Each such form sits inside a <details class="confirm"> whose summary only opens it.
    assert.equal((page.text_.match(/<details class="confirm">/g) || []).length, forms.length, path);
  }
  await sql('DELETE FROM phone_exceptions WHERE phone = ?', [phone]);
});
