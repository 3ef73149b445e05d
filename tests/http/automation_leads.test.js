// Issue 6 §1, automatic leads end to end: a signed provider event in → the
// worker → a lead (type, manager, name, "Missed call" comment), the rules
// "even if the customer has an open order / an open lead", and never for
// users' own numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  sendCall, jobDone, apiList, userIds, saveRules, restoreRules, setRule, makeCustomer, freshPhone, sql,
} from '../lib/automation.js';

let ids;
let saved;

before(async () => {
  ids = await userIds();
  saved = await saveRules();
  await setRule('missed_call_task', { enabled: 0 });
  await setRule('lead_on_missed', { enabled: 1, lead_type: 'phone', lead_manager_id: ids.olena,
    even_if_open_order: 0, even_if_open_lead: 0 });
  await setRule('lead_on_received', { enabled: 1, lead_type: 'inbound', lead_manager_id: ids.carlos,
    even_if_open_order: 0, even_if_open_lead: 0 });
});

after(async () => { await restoreRules(saved); });

async function call(phone, kind, direction = 'in') {
  const c = await sendCall(phone, { kind, direction });
  await jobDone(c.id);
  return { ...c, leads: await apiList('leads', { call_id: c.id }) };
}

test('a missed call from an unknown number: lead "<number> – Incoming call", comment "Missed call", type and manager from the rule', async () => {
  const phone = freshPhone();
  const { leads } = await call(phone, 'missed');
  assert.equal(leads.length, 1);
  const l = leads[0];
  assert.equal(l.name, `${phone} – Incoming call`);
  assert.equal(l.phone, phone);
  assert.equal(l.comment, 'Missed call');
  assert.equal(l.lead_type, 'phone');
  assert.equal(l.manager_id, ids.olena);
  assert.equal(l.source, 'auto_missed');
  assert.equal(l.state, 'open');
  assert.equal(l.customer_id, null);
});

test('a received (answered incoming) call: a lead with the customer\'s name and no comment', async () => {
  const phone = freshPhone();
  const cust = await makeCustomer(phone);
  const { leads } = await call(phone, 'answered');
  assert.equal(leads.length, 1);
  assert.equal(leads[0].name, cust.name);
  assert.equal(leads[0].customer_id, cust.id);
  assert.equal(leads[0].comment, null);
  assert.equal(leads[0].lead_type, 'inbound');
  assert.equal(leads[0].manager_id, ids.carlos);
  assert.equal(leads[0].source, 'auto_received');
});

test('an outgoing answered call makes no lead while the rule is for incoming calls', async () => {
  const { leads } = await call(freshPhone(), 'answered', 'out');
  assert.deepEqual(leads, []);
});

// Issue 19 §3 (seed 001): the rule is for incoming, outgoing or all calls,
// and gives the new lead its source.
test('rule for outgoing calls: "<number> – Outgoing call" with the source; incoming ones then make none', async () => {
  await setRule('lead_on_received', { call_directions: 'out', lead_origin: 'Cold calling' });
  try {
    const phone = freshPhone();
    const out = await call(phone, 'answered', 'out');
    assert.equal(out.leads.length, 1);
    const l = out.leads[0];
    assert.equal(l.name, `${phone} – Outgoing call`);
    assert.equal(l.origin, 'Cold calling');
    assert.equal(l.source, 'auto_received');
    assert.equal(l.phone, phone);
    const [[leadOfCall]] = await sql('SELECT lead_id FROM calls WHERE id = ?', [out.id]);
    assert.equal(Number(leadOfCall), l.id, 'the call is linked to its lead');
    assert.deepEqual((await call(freshPhone(), 'answered', 'in')).leads, []);
  } finally {
    await setRule('lead_on_received', { call_directions: 'in', lead_origin: null });
  }
});

test('rule for all calls: incoming and outgoing both; a known customer\'s lead keeps their name', async () => {
  await setRule('lead_on_received', { call_directions: 'all' });
  try {
    const a = freshPhone();
    const b = freshPhone();
    assert.equal((await call(a, 'answered', 'in')).leads[0].name, `${a} – Incoming call`);
    assert.equal((await call(b, 'answered', 'out')).leads[0].name, `${b} – Outgoing call`);
    const c = freshPhone();
    const cust = await makeCustomer(c);
    assert.equal((await call(c, 'answered', 'out')).leads[0].name, cust.name);
  } finally {
    await setRule('lead_on_received', { call_directions: 'in' });
  }
});

test('no lead for a call to or from a user\'s own number, whichever direction the rule covers', async () => {
  await setRule('lead_on_received', { call_directions: 'all' });
  try {
    const [[managerPhone]] = await sql("SELECT phone FROM users WHERE login = 'manager'");
    assert.deepEqual((await call(managerPhone, 'answered', 'out')).leads, []);
    assert.deepEqual((await call(managerPhone, 'answered', 'in')).leads, []);
  } finally {
    await setRule('lead_on_received', { call_directions: 'in' });
  }
});

test('open order: no lead, unless "create even if the customer has an open order"', async () => {
  const phone = freshPhone();
  await makeCustomer(phone, { order: true });
  assert.deepEqual((await call(phone, 'missed')).leads, []);
  await setRule('lead_on_missed', { even_if_open_order: 1 });
  try {
    assert.equal((await call(phone, 'missed')).leads.length, 1);
  } finally {
    await setRule('lead_on_missed', { even_if_open_order: 0 });
  }
});

test('open lead: no lead, unless "create even if … an open lead"; also for unknown callers by number', async () => {
  const phone = freshPhone();
  const first = await call(phone, 'missed');
  assert.equal(first.leads.length, 1, 'the first missed call makes a lead');
  assert.deepEqual((await call(phone, 'missed')).leads, [], 'its open lead stops the second');
  await setRule('lead_on_missed', { even_if_open_lead: 1 });
  try {
    assert.equal((await call(phone, 'missed')).leads.length, 1);
  } finally {
    await setRule('lead_on_missed', { even_if_open_lead: 0 });
  }
});

test('open order AND open lead: both "even if" rules are needed', async () => {
  const phone = freshPhone();
  await makeCustomer(phone, { order: true, lead: true });
  await setRule('lead_on_missed', { even_if_open_order: 1 });
  try {
    assert.deepEqual((await call(phone, 'missed')).leads, [], 'the open lead still stops it');
    await setRule('lead_on_missed', { even_if_open_lead: 1 });
    const { leads } = await call(phone, 'missed');
    assert.equal(leads.length, 1);
  } finally {
    await setRule('lead_on_missed', { even_if_open_order: 0, even_if_open_lead: 0 });
  }
});

test('rules off: no leads; users\' own numbers never get one', async () => {
  const [[managerPhone]] = await sql("SELECT phone FROM users WHERE login = 'manager'");
  assert.deepEqual((await call(managerPhone, 'missed')).leads, []);
  assert.deepEqual((await call(managerPhone, 'answered')).leads, []);
  await setRule('lead_on_missed', { enabled: 0 });
  await setRule('lead_on_received', { enabled: 0 });
  const phone = freshPhone();
  assert.deepEqual((await call(phone, 'missed')).leads, []);
  assert.deepEqual((await call(phone, 'answered')).leads, []);
});

test('the leads list filters by phone (any format)', async () => {
  await setRule('lead_on_missed', { enabled: 1 });
  const phone = freshPhone();
  const c = await call(phone, 'missed');
  const byPhone = await apiList('leads', { phone: phone.replace('+380', '0') });
  assert.deepEqual(byPhone.map((l) => l.id), c.leads.map((l) => l.id));
});
