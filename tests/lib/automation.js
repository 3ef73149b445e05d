// Helpers for the automation tests: calls sent as signed provider events
// (the generic format), waiting for the worker's jobs, and setting the
// automation rules (restored after each file, since the demo's rules are
// what the other tests and a new user see).
import { postGeneric, api, callsOf, uid, sleep } from './generic.js';
import { sql } from './db.js';

let serial = 0;
// A fresh Ukrainian mobile number in E.164, unused by the demo data.
export function freshPhone() {
  serial += 1;
  const n = (Date.now() % 100000) * 100 + (serial % 100);
  return `+38093${String(n).padStart(7, '0').slice(-7)}`;
}

// One call in one call.end event. kind: missed | answered | busy | unknown.
// direction in: the customer is `from`; out: the customer is `to`.
export async function sendCall(number, { kind = 'missed', direction = 'in', ext = '101', slug = 'generic' } = {}) {
  const id = uid('auto');
  const now = Math.floor(Date.now() / 1000);
  const ev = { event: 'call.end', call_id: id, direction, start: now - 40, end: now, did: '380441234567' };
  if (direction === 'out') { ev.to = number; ev.from = ext; ev.ext = ext; } else ev.from = number;
  if (kind === 'answered') Object.assign(ev, { status: 'answered', answer: now - 30, billsec: 30, ext });
  else if (kind === 'missed') ev.status = 'no-answer';
  else if (kind === 'busy') ev.status = 'busy';
  const r = await postGeneric(ev, { slug });
  if (r.status !== 200) throw new Error(`hook ${r.status}: ${r.text_}`);
  const [c] = await callsOf(slug, id);
  return { id: Number(c.id), externalId: id };
}

// Waits for a job of the call (call.new / call.ended) to be done.
export async function jobDone(callId, kind = 'call.ended', timeoutMs = 15000) {
  const t0 = Date.now();
  for (;;) {
    const rows = await sql('SELECT state, last_error FROM jobs WHERE dedupe_key = ?', [`${kind}:${callId}`]);
    if (rows.length && rows[0][0] === 'done') return;
    if (rows.length && rows[0][0] === 'failed') throw new Error(`${kind} job of call ${callId} failed: ${rows[0][1]}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`${kind} job of call ${callId}: ${rows.length ? rows[0][0] : 'not queued'} after ${timeoutMs} ms`);
    await sleep(150);
  }
}

export async function waitUntil(fn, what, timeoutMs = 20000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

export async function apiList(what, query) {
  const r = await api(`/api/v1/${what}?${new URLSearchParams(query)}`);
  if (r.status !== 200) throw new Error(`api ${what} ${r.status}: ${r.text_}`);
  return r.json_[what.replace('-', '_')];
}

export async function userIds() {
  const ids = {};
  for (const [id, login] of await sql('SELECT id, login FROM users')) ids[login] = Number(id);
  return ids;
}

const RULE_COLS = ['enabled', 'assignee_ids', 'task_mode', 'due_offset_minutes', 'lead_type',
  'lead_manager_id', 'even_if_open_order', 'even_if_open_lead', 'call_directions', 'lead_origin'];

export async function saveRules() {
  return sql(`SELECT kind, ${RULE_COLS.join(', ')} FROM automation_rules`);
}

export async function restoreRules(saved) {
  for (const [kind, ...vals] of saved) {
    await sql(`UPDATE automation_rules SET ${RULE_COLS.map((c) => `${c} = ?`).join(', ')} WHERE kind = ?`,
      [...vals, kind]);
  }
}

// setRule('missed_call_task', { enabled: 1, assignee_ids: '[2,4]', task_mode: 'each' })
export async function setRule(kind, values) {
  const cols = Object.keys(values);
  await sql(`UPDATE automation_rules SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE kind = ?`,
    [...cols.map((c) => values[c]), kind]);
}

// For the trigger tests: the automation rules off and the demo's own
// "Missed incoming call" trigger disabled, so only the file's triggers run;
// quietAutomation() returns what restoreAutomation() puts back.
export async function quietAutomation() {
  const saved = await saveRules();
  await setRule('missed_call_task', { enabled: 0 });
  await setRule('lead_on_missed', { enabled: 0 });
  await sql("UPDATE triggers SET enabled = 0 WHERE name LIKE 'Missed incoming call%'");
  return saved;
}

export async function restoreAutomation(saved, madeTriggerIds = []) {
  if (madeTriggerIds.length) await sql(`DELETE FROM triggers WHERE id IN (${madeTriggerIds.map(Number).join(',')})`);
  await sql("UPDATE triggers SET enabled = 1 WHERE name LIKE 'Missed incoming call%'");
  await restoreRules(saved);
}

// An enabled trigger straight in the table; its id is pushed to made.
export async function insertTrigger(made, event, conditions, actions, prefix = 'trg') {
  const name = uid(prefix);
  await sql('INSERT INTO triggers (name, event, enabled, conditions, actions) VALUES (?, ?, 1, ?, ?)',
    [name, event, JSON.stringify(conditions), JSON.stringify(actions)]);
  const [[id]] = await sql('SELECT id FROM triggers WHERE name = ?', [name]);
  made.push(id);
  return { id: Number(id), name };
}

// A customer with the number; optional open order (status new) and open lead.
export async function makeCustomer(phone, { name = 'Auto ' + uid('c'), order = false, lead = false, managerLogin = null } = {}) {
  await sql(`INSERT INTO customers (name, manager_id, created_at)
             VALUES (?, (SELECT id FROM users WHERE login = ?), UTC_TIMESTAMP(3))`, [name, managerLogin]);
  const [[cust]] = await sql('SELECT id FROM customers WHERE name = ? ORDER BY id DESC LIMIT 1', [name]);
  await sql(`INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, REVERSE(?))`,
    [cust, phone, phone.replace(/\D/g, '')]);
  const out = { id: Number(cust), name };
  if (order) {
    await sql(`INSERT INTO orders (customer_id, status_id, created_at)
               VALUES (?, (SELECT id FROM order_statuses WHERE code = 'new'), UTC_TIMESTAMP(3) - INTERVAL 1 HOUR)`, [cust]);
    const [[o]] = await sql('SELECT MAX(id) FROM orders WHERE customer_id = ?', [cust]);
    out.orderId = Number(o);
  }
  if (lead) {
    await sql(`INSERT INTO leads (customer_id, name, phone, state, created_at)
               VALUES (?, ?, ?, 'open', UTC_TIMESTAMP(3) - INTERVAL 2 HOUR)`, [cust, name, phone]);
    const [[l]] = await sql('SELECT MAX(id) FROM leads WHERE customer_id = ?', [cust]);
    out.leadId = Number(l);
  }
  return out;
}

export { api, uid, sleep, sql };
