// Every program keeps the roles' permissions per process (lib/db/roleperms.c)
// behind list_versions.version, which the session query returns; triggers on
// roles and role_permissions (sql/migrations/0010_role_versions.sql) bump it
// in the same transaction as the change. These tests change a role straight
// in the database, as a trigger must see it, after many requests at once
// (so that every process holds the role's permissions), and then require
// the very next requests, many at once again, to follow the change in every
// process: a dropped trigger fails them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createRole, createUser, uniq, PERMS } from '../lib/settings.js';

// Far more than the processes of a program (stack.sh: 2; systemd: 2), so
// every process serves several of them.
const PAGES = 24;

let admin, user, roleId, userId, otherCall, ownCall, ownWas;

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  roleId = await createRole(admin, uniq('cached'), { calls: 'all', 'calls.dial': 'all' });
  const login = uniq('pc');
  await createUser(admin, { name: 'Perm Cache', login, role_id: roleId, password: 'long enough pw' });
  [[userId]] = await sql('SELECT id FROM users WHERE login = ?', [login]);
  user = new Client();
  await user.login(login, 'long enough pw');
  // A call of someone else, and one made this user's (for the scope test).
  [[otherCall]] = await sql('SELECT id FROM calls WHERE manager_id IS NOT NULL ORDER BY id LIMIT 1');
  [[ownCall, ownWas]] = await sql('SELECT id, manager_id FROM calls WHERE manager_id IS NOT NULL ORDER BY id DESC LIMIT 1');
  await sql('UPDATE calls SET manager_id = ? WHERE id = ?', [userId, ownCall]);
});

after(async () => {
  if (ownCall) await sql('UPDATE calls SET manager_id = ? WHERE id = ?', [ownWas, ownCall]);
});

// PAGES requests at once, spread over the history (callboard-calls) and the
// call card (callboard-card): the status of each.
async function statuses(paths) {
  const all = await Promise.all(Array.from({ length: PAGES },
    (_, i) => user.get(paths[i % paths.length])));
  return all.map((r) => r.status);
}

const PATHS = () => ['/calls?format=json', `/calls/${otherCall}?format=json`];

test('a revoked permission is refused at once by every process; granted again, served at once', async () => {
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200), 'served before');
  await sql("DELETE FROM role_permissions WHERE role_id = ? AND permission = 'calls'", [roleId]);
  try {
    assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(403), 'refused right after the revoke');
  } finally {
    await sql("INSERT INTO role_permissions (role_id, permission, scope) VALUES (?, 'calls', 'all')", [roleId]);
  }
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200), 'served right after the grant');
});

test('a scope narrowed to own calls applies at once in every process; widened again, too', async () => {
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200));
  await sql("UPDATE role_permissions SET scope = 'own' WHERE role_id = ? AND permission = 'calls'", [roleId]);
  try {
    // The history shows only the user's calls, another's card is refused.
    const pages = await Promise.all(Array.from({ length: PAGES }, () => user.get('/calls?format=json')));
    for (const r of pages) {
      assert.equal(r.status, 200);
      const calls = JSON.parse(r.text_).calls;
      assert.ok(calls.length > 0 && calls.every((c) => Number(c.manager_id) === Number(userId)),
        'only own calls');
    }
    assert.deepEqual(await statuses([`/calls/${otherCall}?format=json`]), Array(PAGES).fill(403));
  } finally {
    await sql("UPDATE role_permissions SET scope = 'all' WHERE role_id = ? AND permission = 'calls'", [roleId]);
  }
  assert.deepEqual(await statuses([`/calls/${otherCall}?format=json`]), Array(PAGES).fill(200));
});

test('an admin revoking through the roles form is obeyed on the next request of every process', async () => {
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200));
  const [[name]] = await sql('SELECT name FROM roles WHERE id = ?', [roleId]);
  const save = async (calls) => {
    const form = { csrf: await admin.csrf(), name, description: 'test role' };
    for (const p of PERMS) form[`perm_${p}`] = 'none';
    form['perm_calls.dial'] = 'all';
    form.perm_calls = calls;
    const r = await admin.post(`/settings/roles/${roleId}`, { form });
    assert.equal(r.status, 303, r.text_.slice(0, 500));
  };
  await save('none');
  try {
    assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(403), 'refused right after the save');
  } finally {
    await save('all');
  }
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200), 'served right after the save');
});

test('without the version row nothing is kept: a revoke still applies at once', async () => {
  const [[v]] = await sql('SELECT version FROM list_versions WHERE id = 1');
  assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200));
  await sql('DELETE FROM list_versions WHERE id = 1');
  try {
    // No trigger can bump a missing row: only reading every time is right.
    await sql("DELETE FROM role_permissions WHERE role_id = ? AND permission = 'calls'", [roleId]);
    assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(403));
    await sql("INSERT INTO role_permissions (role_id, permission, scope) VALUES (?, 'calls', 'all')", [roleId]);
    assert.deepEqual(await statuses(PATHS()), Array(PAGES).fill(200));
  } finally {
    await sql('INSERT INTO list_versions (id, version) VALUES (1, ?)', [BigInt(v) + 1000n]);
  }
});
