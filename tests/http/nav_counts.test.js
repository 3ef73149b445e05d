// The navigation's counters (issue 18): /tasks/counts gives the user's open tasks and unread
// notifications, the same numbers as the tasks and notifications pages; both COUNTs are served by
// an index (EXPLAIN: a ref on the user's index, no full scan), since every page asks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

let manager, uid;
before(async () => {
  manager = new Client();
  await manager.login('manager', 'manager');
  [[uid]] = await sql("SELECT id FROM users WHERE login = 'manager'");
});

async function counts(c = manager) {
  const r = await c.get('/tasks/counts');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  return JSON.parse(r.text_);
}

test('the counts are the pages\' numbers and follow a new notification and a done task', async () => {
  const before = await counts();
  const tasks = JSON.parse((await manager.get('/tasks?format=json')).text_);
  assert.equal(before.open_tasks, tasks.count);
  const [[unread]] = await sql('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL', [uid]);
  assert.equal(before.unread_notifications, Number(unread));
  await sql("INSERT INTO notifications (user_id, kind, title) VALUES (?, 'missed_call', 'Counter test')", [uid]);
  await sql("INSERT INTO tasks (kind, title) VALUES ('manual', 'Counter test task')");
  const [[tid]] = await sql("SELECT MAX(id) FROM tasks WHERE title = 'Counter test task'");
  await sql('INSERT INTO task_assignees (task_id, user_id) VALUES (?, ?)', [tid, uid]);
  const after = await counts();
  assert.equal(after.unread_notifications, before.unread_notifications + 1);
  assert.equal(after.open_tasks, before.open_tasks + 1);
  await sql('DELETE FROM tasks WHERE id = ?', [tid]);
  await sql("DELETE FROM notifications WHERE user_id = ? AND title = 'Counter test'", [uid]);
  assert.equal((await counts()).open_tasks, before.open_tasks);
});

test('without a session: no numbers', async () => {
  const r = await new Client().get('/tasks/counts');
  assert.notEqual(r.status, 200);
});

test('EXPLAIN: both counts use the user\'s index, no full scan', async () => {
  const explain = async (q) => (await sql(`EXPLAIN ${q}`, [uid])).map(([, , table, type, , key]) => ({ table, type, key }));
  const n = await explain('SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL');
  assert.deepEqual(n, [{ table: 'notifications', type: 'ref', key: 'ix_notifications_unread' }]);
  const t = await explain(`SELECT COUNT(*) FROM task_assignees a JOIN tasks t ON t.id = a.task_id
    WHERE a.user_id = ? AND a.done_at IS NULL AND t.state = 'open'`);
  // Either order is indexed: the user's assignments then tasks by id, or (few tasks, as on the
  // test stack) the open tasks by ix_tasks_state_due then the assignment by its primary key.
  assert.equal(t.length, 2);
  for (const row of t) {
    assert.notEqual(row.type, 'ALL', JSON.stringify(t));
    assert.ok(row.key, JSON.stringify(t));
  }
});
