// Settings › Telephony › Automation (issue 6 §1, pages half): the three
// automation_rules rows as one form; `settings` permission; CSRF; bad input
// re-shows the form with the errors next to the fields and the typed
// values, and saves nothing. The rules drive the engine's behaviour in
// other tests, so they are put back as they were afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const COLS = 'kind, enabled, assignee_ids, task_mode, due_offset_minutes, lead_type, lead_manager_id, even_if_open_order, even_if_open_lead';
let admin, manager, intern;
const ids = {};
let saved;

const rules = async () => Object.fromEntries(
  (await sql(`SELECT ${COLS} FROM automation_rules ORDER BY kind`)).map((r) => [r[0], r]));

async function csrfOf(client) {
  const page = await client.get('/settings/automation');
  assert.equal(page.status, 200);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

// The form as a browser posts it: repeated keys for the checkboxes.
function post(client, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request('/settings/automation', {
    method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

before(async () => {
  for (const [id, login] of await sql('SELECT id, login FROM users')) ids[login] = Number(id);
  saved = await sql(`SELECT ${COLS} FROM automation_rules`);
  admin = new Client(); await admin.login('admin', 'admin');
  manager = new Client(); await manager.login('manager', 'manager');
  intern = new Client(); await intern.login('intern', 'intern');
});

after(async () => {
  await sql('DELETE FROM automation_rules');
  for (const r of saved)
    await sql(`INSERT INTO automation_rules (${COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r);
});

test('the automation page needs the settings permission', async () => {
  for (const c of [manager, intern]) {
    const r = await c.get('/settings/automation');
    assert.equal(r.status, 403);
    assert.match(r.text_, /Your role does not allow this page/);
  }
  const anon = new Client();
  const r = await anon.get('/settings/automation');
  assert.equal(r.status, 303);
});

test('the page shows the stored rules, as HTML and as JSON', async () => {
  const r = await admin.get('/settings/automation?format=json');
  assert.equal(r.status, 200);
  const m = JSON.parse(r.text_);
  const stored = (await rules()).missed_call_task;
  assert.deepEqual(m.task.assignee_ids, stored ? JSON.parse(stored[2]) : []);
  assert.equal(m.leads.length, 2);
  assert.deepEqual(m.leads.map((l) => l.key), ['received', 'missed']);
  const page = await admin.get('/settings/automation');
  assert.match(page.text_, /name="task_enabled"/);
  assert.match(page.text_, /name="lead_missed_type"/);
});

test('saving: employees in order with the author first, one task each, due offset, both lead rules', async () => {
  const csrf = await csrfOf(admin);
  const r = await post(admin, [
    ['csrf', csrf], ['task_enabled', '1'],
    ['assignee', String(ids.manager)], ['assignee', String(ids.admin)], ['author', String(ids.admin)],
    ['task_mode', 'each'], ['due_days', '1'], ['due_hours', '2'], ['due_minutes', '3'],
    ['lead_received_enabled', '1'], ['lead_received_type', ' callback '],
    ['lead_received_manager', String(ids.manager)], ['lead_received_even_order', '1'],
    ['lead_missed_type', 'missed'], ['lead_missed_manager', ''], ['lead_missed_even_lead', '1'],
  ]);
  assert.equal(r.status, 303, r.text_.slice(0, 500));
  assert.equal(r.headers.get('location'), '/settings/automation?saved=1');
  const now = await rules();
  assert.deepEqual(now.missed_call_task.slice(1, 5),
    ['1', JSON.stringify([ids.admin, ids.manager]), 'each', String(24 * 60 + 2 * 60 + 3)]);
  assert.deepEqual(now.lead_on_received.slice(1, 2).concat(now.lead_on_received.slice(5)),
    ['1', 'callback', String(ids.manager), '1', '0']);
  assert.deepEqual(now.lead_on_missed.slice(1, 2).concat(now.lead_on_missed.slice(5)),
    ['0', 'missed', null, '0', '1']);

  const page = await admin.get('/settings/automation?saved=1');
  assert.match(page.text_, /The automation settings are saved\./);
  assert.match(page.text_, new RegExp(`<option value="${ids.admin}" selected>`));
  assert.match(page.text_, /name="due_hours"[^>]*value="2"/);
  assert.match(page.text_, /value="each" checked/);
});

test('bad input: 400, errors next to the fields, typed values kept, nothing saved', async () => {
  const before = await rules();
  const csrf = await csrfOf(admin);
  const long = 'x'.repeat(41);
  const r = await post(admin, [
    ['csrf', csrf], ['task_enabled', '1'], ['task_mode', 'shared'],
    ['due_days', '0'], ['due_hours', '25'], ['due_minutes', 'soon'],
    ['lead_received_enabled', '1'], ['lead_received_type', long],
    ['lead_missed_enabled', '1'], ['lead_missed_type', ''], ['lead_missed_manager', '999999999'],
  ]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /Nothing was saved/);
  assert.match(r.text_, /Choose at least one employee for the missed-call tasks\./);
  assert.match(r.text_, /Due in: days 0–365, hours 0–23, minutes 0–59/);
  assert.match(r.text_, /A lead type is at most 40 characters\./);
  assert.match(r.text_, /Give the type of the leads to create/);
  assert.match(r.text_, /Choose a manager from the list\./);
  assert.match(r.text_, /name="due_hours"[^>]*value="25"/, 'the typed value stays in the field');
  assert.match(r.text_, /name="due_minutes"[^>]*value="soon"/);
  assert.match(r.text_, new RegExp(`value="${long}"`));
  assert.deepEqual(await rules(), before, 'no rule changed');

  const r2 = await post(admin, [['csrf', csrf], ['task_enabled', '1'], ['assignee', String(ids.manager)],
    ['author', String(ids.intern)]]);
  assert.equal(r2.status, 400);
  assert.match(r2.text_, /The author must be one of the chosen employees\./);
  assert.deepEqual(await rules(), before);
});

test('without the CSRF token nothing is saved (403)', async () => {
  const before = await rules();
  const r = await post(admin, [['task_enabled', '0']]);
  assert.equal(r.status, 403);
  assert.deepEqual(await rules(), before);
});
