// Issue 6 §1, end to end: a provider event in (a signed generic-format
// call.end through nginx and the hook) → the worker's call.ended job →
// missed-call tasks (shared and each, linking, one open task per number,
// completion, closing when the customer is reached), automatic leads, and
// nothing at all for internal numbers. Read back through the JSON API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  sendCall, jobDone, apiList, userIds, saveRules, restoreRules, setRule, makeCustomer,
  freshPhone, api, sql,
} from '../lib/automation.js';
import { Client } from '../lib/http.js';

let ids;
let saved;

before(async () => {
  ids = await userIds();
  saved = await saveRules();
  await setRule('missed_call_task', { enabled: 1, assignee_ids: JSON.stringify([ids.manager, ids.olena]),
    task_mode: 'shared', due_offset_minutes: 45 });
  await setRule('lead_on_missed', { enabled: 0 });
  await setRule('lead_on_received', { enabled: 0 });
});

after(async () => { await restoreRules(saved); });

async function missed(phone) {
  const c = await sendCall(phone, { kind: 'missed' });
  await jobDone(c.id);
  return c;
}

test('a missed call: one shared "Missed call" task for both employees, author the first, due now + offset', async () => {
  const phone = freshPhone();
  const c = await missed(phone);
  const tasks = await apiList('tasks', { call_id: c.id });
  assert.equal(tasks.length, 1);
  const t = tasks[0];
  assert.equal(t.kind, 'missed_call');
  assert.equal(t.title, 'Missed call');
  assert.equal(t.mode, 'shared');
  assert.equal(t.state, 'open');
  assert.equal(t.phone, phone);
  assert.equal(t.author_id, ids.manager);
  assert.deepEqual(t.assignees.map((a) => a.login), ['manager', 'olena']);
  assert.deepEqual(t.calls, [c.id]);
  assert.equal(t.customer_id, null);
  assert.equal(t.order_id, null);
  assert.equal(t.lead_id, null);
  const [[dueIn]] = await sql('SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), due_at) FROM tasks WHERE id = ?', [t.id]);
  assert.ok(Number(dueIn) > 44 * 60 - 30 && Number(dueIn) <= 45 * 60, `due in ${dueIn} s`);
  // The same task through the phone filter, typed in national format.
  const byPhone = await apiList('tasks', { phone: '0' + phone.slice(4) });
  assert.deepEqual(byPhone.map((x) => x.id), [t.id]);
});

test('a second missed call from the number joins the open task instead of making a new one', async () => {
  const phone = freshPhone();
  const a = await missed(phone);
  const b = await missed(phone);
  const tasks = await apiList('tasks', { phone });
  assert.equal(tasks.length, 1, 'one open missed-call task per number');
  assert.deepEqual([...tasks[0].calls].sort(), [a.id, b.id].sort());
  assert.equal(tasks[0].call_id, a.id, 'the first call stays the task\'s call');
  assert.deepEqual((await apiList('tasks', { call_id: b.id })).map((t) => t.id), [tasks[0].id]);
});

test('linking: open order AND open lead → the latest open order', async () => {
  const phone = freshPhone();
  const cust = await makeCustomer(phone, { order: true, lead: true });
  // A second, newer open order: the latest one wins.
  await sql(`INSERT INTO orders (customer_id, status_id, created_at)
             VALUES (?, (SELECT id FROM order_statuses WHERE code = 'new'), UTC_TIMESTAMP(3))`, [cust.id]);
  const [[latest]] = await sql('SELECT MAX(id) FROM orders WHERE customer_id = ?', [cust.id]);
  const c = await missed(phone);
  const [t] = await apiList('tasks', { call_id: c.id });
  assert.equal(t.customer_id, cust.id);
  assert.equal(t.order_id, Number(latest));
  assert.equal(t.lead_id, null);
  assert.match(t.body, new RegExp(cust.name));
});

test('linking: only an open lead → the latest open lead; the newest customer with the number is chosen', async () => {
  const phone = freshPhone();
  await makeCustomer(phone, { name: 'Older ' + phone, order: true });
  const newer = await makeCustomer(phone, { name: 'Newer ' + phone, lead: true });
  await sql("UPDATE customers SET created_at = UTC_TIMESTAMP(3) + INTERVAL 1 SECOND WHERE id = ?", [newer.id]);
  const c = await missed(phone);
  const [t] = await apiList('tasks', { call_id: c.id });
  assert.equal(t.customer_id, newer.id);
  assert.equal(t.order_id, null);
  assert.equal(t.lead_id, newer.leadId);
});

test('shared task: done by one → gone from everybody\'s open list, kept in the done list of who did it', async () => {
  const phone = freshPhone();
  const c = await missed(phone);
  const [t] = await apiList('tasks', { call_id: c.id });
  const r = await api(`/api/v1/tasks/${t.id}/done`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: ids.olena }),
  });
  assert.equal(r.status, 200, r.text_);
  assert.equal(r.json_.already_done, false);
  const [done] = await apiList('tasks', { call_id: c.id });
  assert.equal(done.state, 'done');
  assert.equal(done.done_by, ids.olena);
  assert.ok(done.done_at);
  assert.ok(done.assignees.find((a) => a.login === 'olena').done_at);
  assert.equal(done.assignees.find((a) => a.login === 'manager').done_at, null);
  const open = (u) => apiList('tasks', { user_id: u, state: 'open', phone });
  assert.deepEqual(await open(ids.manager), []);
  assert.deepEqual(await open(ids.olena), []);
  const olenaDone = await apiList('tasks', { user_id: ids.olena, state: 'done', phone });
  assert.deepEqual(olenaDone.map((x) => x.id), [t.id]);
  assert.equal(olenaDone[0].done_by, ids.olena);
  // Done twice: nothing changes; a non-assignee is refused; no such task is a 404.
  const again = await api(`/api/v1/tasks/${t.id}/done`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: ids.manager }),
  });
  assert.equal(again.status, 200);
  assert.equal(again.json_.already_done, true);
  assert.equal((await apiList('tasks', { call_id: c.id }))[0].done_by, ids.olena);
  const stranger = await api(`/api/v1/tasks/${t.id}/done`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: ids.carlos }),
  });
  assert.equal(stranger.status, 403);
  const none = await api('/api/v1/tasks/999999999/done', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  assert.equal(none.status, 404);
  // After it is done, a new missed call from the number opens a new task.
  const c2 = await missed(phone);
  const [t2] = await apiList('tasks', { call_id: c2.id });
  assert.notEqual(t2.id, t.id);
  assert.equal(t2.state, 'open');
});

test('"one task each": one task per employee, each completed on its own', async () => {
  await setRule('missed_call_task', { task_mode: 'each' });
  try {
    const phone = freshPhone();
    const c = await missed(phone);
    const tasks = await apiList('tasks', { call_id: c.id });
    assert.equal(tasks.length, 2);
    for (const t of tasks) {
      assert.equal(t.mode, 'each');
      assert.equal(t.assignees.length, 1);
      assert.equal(t.author_id, ids.manager);
    }
    const mine = tasks.find((t) => t.assignees[0].login === 'manager');
    const hers = tasks.find((t) => t.assignees[0].login === 'olena');
    const r = await api(`/api/v1/tasks/${mine.id}/done`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: ids.manager }),
    });
    assert.equal(r.status, 200);
    assert.deepEqual((await apiList('tasks', { user_id: ids.olena, state: 'open', phone })).map((t) => t.id), [hers.id]);
    // A second missed call joins both open tasks.
    const c2 = await missed(phone);
    const joined = await apiList('tasks', { call_id: c2.id });
    assert.deepEqual(joined.map((t) => t.id), [hers.id]);
  } finally {
    await setRule('missed_call_task', { task_mode: 'shared' });
  }
});

test('reaching the customer closes the task: an answered outgoing call, noting which call', async () => {
  const phone = freshPhone();
  const c = await missed(phone);
  const [t] = await apiList('tasks', { call_id: c.id });
  // An unanswered call back does not close it.
  const noAnswer = await sendCall(phone, { kind: 'busy', direction: 'out' });
  await jobDone(noAnswer.id);
  assert.equal((await apiList('tasks', { call_id: c.id }))[0].state, 'open');
  const back = await sendCall(phone, { kind: 'answered', direction: 'out' });
  await jobDone(back.id);
  const [closed] = await apiList('tasks', { call_id: c.id });
  assert.equal(closed.id, t.id);
  assert.equal(closed.state, 'done');
  assert.equal(closed.closed_by_call_id, back.id);
  assert.equal(closed.done_by, null);
});

test('reaching the customer: an answered incoming call from the number closes it too', async () => {
  const phone = freshPhone();
  const c = await missed(phone);
  const inbound = await sendCall(phone, { kind: 'answered' });
  await jobDone(inbound.id);
  const [t] = await apiList('tasks', { call_id: c.id });
  assert.equal(t.state, 'done');
  assert.equal(t.closed_by_call_id, inbound.id);
});

test('"call back in N minutes" tasks: one open per number, joined by a second request, closed when reached', async () => {
  const phone = freshPhone();
  const a = await sendCall(phone, { kind: 'answered' });
  const b = await sendCall(phone, { kind: 'answered' });
  await jobDone(b.id);
  const manager = new Client();
  await manager.login('manager', 'manager');
  const post = async (callId, minutes) => {
    const page = await manager.get(`/calls/${callId}`);
    const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
    const r = await manager.post(`/calls/${callId}/callback`, { form: { csrf, minutes } });
    assert.equal(r.status, 303, r.text_);
    return Number(r.headers.get('location').match(/callback=(\d+)/)[1]);
  };
  const first = await post(a.id, '60');
  const second = await post(b.id, '10');
  assert.equal(second, first, 'the second request joins the open call-back task');
  const [t] = (await apiList('tasks', { phone })).filter((x) => x.kind === 'call_back');
  assert.deepEqual([...t.calls].sort(), [a.id, b.id].sort());
  const [[dueIn]] = await sql('SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(3), due_at) FROM tasks WHERE id = ?', [t.id]);
  assert.ok(Number(dueIn) <= 10 * 60, 'the sooner due time wins');
  const back = await sendCall(phone, { kind: 'answered', direction: 'out' });
  await jobDone(back.id);
  const [closed] = (await apiList('tasks', { phone })).filter((x) => x.kind === 'call_back');
  assert.equal(closed.state, 'done');
  assert.equal(closed.closed_by_call_id, back.id);
});

test('internal numbers: a missed call from a user\'s phone or an internal call makes no task, lead or trigger run', async () => {
  await setRule('lead_on_missed', { enabled: 1, lead_manager_id: ids.manager });
  try {
    const [[olenaPhone]] = await sql("SELECT phone FROM users WHERE login = 'olena'");
    const own = await sendCall(olenaPhone, { kind: 'missed' });
    const internal = await sendCall('105', { kind: 'missed', direction: 'internal' });
    for (const c of [own, internal]) {
      await jobDone(c.id);
      assert.deepEqual(await apiList('tasks', { call_id: c.id }), [], `call ${c.id}: no task`);
      assert.deepEqual(await apiList('leads', { call_id: c.id }), [], `call ${c.id}: no lead`);
      assert.deepEqual(await apiList('trigger-runs', { call_id: c.id }), [], `call ${c.id}: no trigger run`);
    }
  } finally {
    await setRule('lead_on_missed', { enabled: 0 });
  }
});

test('not missed: unknown result, busy outgoing, answered calls make no missed-call task', async () => {
  const phone = freshPhone();
  for (const [kind, direction] of [['unknown', 'in'], ['busy', 'out'], ['answered', 'in']]) {
    const c = await sendCall(phone, { kind, direction });
    await jobDone(c.id);
    assert.deepEqual(await apiList('tasks', { call_id: c.id }), [], `${kind} ${direction}`);
  }
  // busy incoming IS missed.
  const busy = await sendCall(phone, { kind: 'busy' });
  await jobDone(busy.id);
  assert.equal((await apiList('tasks', { call_id: busy.id })).length, 1);
});

test('rule off: no task', async () => {
  await setRule('missed_call_task', { enabled: 0 });
  try {
    const c = await missed(freshPhone());
    assert.deepEqual(await apiList('tasks', { call_id: c.id }), []);
  } finally {
    await setRule('missed_call_task', { enabled: 1 });
  }
});

test('exactly once: the same end event twice and a second end event queue one call.ended job', async () => {
  const phone = freshPhone();
  const c = await sendCall(phone, { kind: 'missed' });
  const { postGeneric } = await import('../lib/generic.js');
  const now = Math.floor(Date.now() / 1000);
  const r = await postGeneric({ event: 'call.end', call_id: c.externalId, direction: 'in', from: phone,
    start: now - 41, end: now, status: 'no-answer', hangup_cause: '19' });
  assert.equal(r.status, 200);
  await jobDone(c.id);
  const [[n]] = await sql("SELECT COUNT(*) FROM jobs WHERE call_id = ? AND kind = 'call.ended'", [c.id]);
  assert.equal(n, '1');
  assert.equal((await apiList('tasks', { call_id: c.id })).length, 1);
});

test('API: bad filters are a 400 with a reason; no token is a 401', async () => {
  let r = await api('/api/v1/tasks?call_id=abc');
  assert.equal(r.status, 400);
  assert.match(r.json_.error.message, /call_id/);
  r = await api('/api/v1/leads?phone=abc');
  assert.equal(r.status, 400);
  r = await api('/api/v1/tasks?state=later');
  assert.equal(r.status, 400);
  const { BASE } = await import('../lib/http.js');
  r = await fetch(`${BASE}/api/v1/trigger-runs`);
  assert.equal(r.status, 401);
});
