// The history page's lists are kept per process (lib/db/calllists.c) behind
// list_versions.version (sql/migrations/0008_list_versions.sql), which the
// session query returns. These tests change a list and check that the very
// next page shows it from every callboard-calls process: first many pages
// at once, so that every process holds a copy read before the change, then
// many pages at once again, each of which must show the change.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { uniq } from '../lib/settings.js';

// Far more than the processes of a program (stack.sh: 2; systemd: 2), so
// every process serves several of them.
const PAGES = 24;

let m;

before(async () => {
  m = new Client();
  await m.login('manager', 'manager');
});

// PAGES pages of path at once, as JSON models.
async function pages(client, path) {
  const all = await Promise.all(Array.from({ length: PAGES }, () => client.get(path)));
  return all.map((r) => {
    assert.equal(r.status, 200, r.text_);
    return JSON.parse(r.text_);
  });
}

test('a renamed user shows on the next page of every process, in the select and in the rows', async () => {
  const [[id, name]] = await sql(
    'SELECT u.id, u.name FROM users u WHERE EXISTS (SELECT 1 FROM calls c WHERE c.manager_id = u.id) ORDER BY u.id LIMIT 1');
  const path = `/calls?manager=${id}&format=json`;
  for (const p of await pages(m, path)) {
    assert.ok(p.calls.length > 0);
    assert.ok(p.calls.every((c) => c.manager === name));
  }
  const fresh = uniq('Renamed ');
  await sql('UPDATE users SET name = ? WHERE id = ?', [fresh, id]);
  try {
    for (const p of await pages(m, path)) {
      assert.ok(p.calls.every((c) => c.manager === fresh), 'rows show the new name');
      const option = p.managers.find((o) => Number(o.id) === Number(id));
      assert.ok(option.label.startsWith(fresh), `select shows the new name: ${option.label}`);
      assert.equal(option.selected, true);
    }
  } finally {
    await sql('UPDATE users SET name = ? WHERE id = ?', [name, id]);
  }
  for (const p of await pages(m, path))
    assert.ok(p.calls.every((c) => c.manager === name), 'and the old name again');
});

test('a new integration is in the select of the next page of every process, a deleted one is gone', async () => {
  await pages(m, '/calls?format=json');
  const slug = uniq('lc-').toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const label = uniq('Cache test ');
  await sql("INSERT INTO integrations (kind, slug, name, enabled) VALUES ('generic', ?, ?, 0)", [slug, label]);
  try {
    for (const p of await pages(m, '/calls?format=json'))
      assert.ok(p.integrations.some((o) => o.label === label), 'listed');
  } finally {
    await sql('DELETE FROM integrations WHERE slug = ?', [slug]);
  }
  for (const p of await pages(m, '/calls?format=json'))
    assert.ok(!p.integrations.some((o) => o.label === label), 'gone');
});

test('a saved filter shows on the next page of every process, and goes when deleted', async () => {
  await pages(m, '/calls?format=json');
  const name = uniq('Cached ');
  const r = await m.post('/calls/filters', { form: { csrf: await m.csrf(), name, query: 'result=missed' } });
  assert.equal(r.status, 303);
  let del;
  for (const p of await pages(m, '/calls?format=json')) {
    const f = p.saved_filters.find((x) => x.name === name);
    assert.ok(f, 'listed');
    assert.equal(f.url, '/calls?result=missed');
    del = f.delete_url;
  }
  // Another user's copy of the lists never holds it.
  const admin = new Client();
  await admin.login('admin', 'admin');
  for (const p of await pages(admin, '/calls?format=json'))
    assert.ok(!p.saved_filters.some((x) => x.name === name));
  assert.equal((await m.post(del, { form: { csrf: await m.csrf() } })).status, 303);
  for (const p of await pages(m, '/calls?format=json'))
    assert.ok(!p.saved_filters.some((x) => x.name === name), 'gone');
});

test('the lists are read again when the version row is missing (every page, no cache)', async () => {
  const [[v]] = await sql('SELECT version FROM list_versions WHERE id = 1');
  await sql('DELETE FROM list_versions WHERE id = 1');
  try {
    const [[id, name]] = await sql('SELECT id, name FROM users ORDER BY id LIMIT 1');
    const fresh = uniq('Unversioned ');
    // No trigger can bump a missing row: only reading every time is right.
    await sql('UPDATE users SET name = ? WHERE id = ?', [fresh, id]);
    try {
      for (const p of await pages(m, '/calls?format=json'))
        assert.ok(p.managers.some((o) => o.label.startsWith(fresh)));
    } finally {
      await sql('UPDATE users SET name = ? WHERE id = ?', [name, id]);
    }
    for (const p of await pages(m, '/calls?format=json'))
      assert.ok(!p.managers.some((o) => o.label.startsWith(fresh)));
  } finally {
    await sql('INSERT INTO list_versions (id, version) VALUES (1, ?)', [BigInt(v) + 1000n]);
  }
});
