// Issue 19 §8 (seeds 003, 004): a missed-call lead belongs to the customer
// created from that call. The missed call from an unknown number opens a
// lead; the manager creates the customer from the call card's "Create
// customer" (the form it links to, posted as a browser does); the lead is
// now that customer's and the call stays linked to it; the next missed
// call from the number joins that lead (as missed-call tasks join the
// open task), unless the rule says "create even if the customer has an
// open lead". Before: the lead stayed without a customer and the next
// missed call opened a second one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import {
  sendCall, jobDone, apiList, userIds, saveRules, restoreRules, setRule, freshPhone, sql,
} from '../lib/automation.js';

let ids;
let saved;
let manager;

before(async () => {
  ids = await userIds();
  saved = await saveRules();
  await setRule('missed_call_task', { enabled: 0 });
  await setRule('lead_on_received', { enabled: 0 });
  await setRule('lead_on_missed', { enabled: 1, lead_type: 'phone', lead_manager_id: ids.manager,
    even_if_open_order: 0, even_if_open_lead: 0, lead_origin: 'Missed calls' });
  manager = new Client();
  await manager.login('manager', 'manager');
});

after(async () => { await restoreRules(saved); });

async function missed(phone) {
  const c = await sendCall(phone, { kind: 'missed' });
  await jobDone(c.id);
  return c;
}

const linksOf = async (callId) => (await sql(
  'SELECT COALESCE(customer_id, 0), COALESCE(lead_id, 0) FROM calls WHERE id = ?', [callId]))[0].map(Number);

// The call card's "Create customer", then the form as a person fills it.
async function createCustomerFromCall(callId, name) {
  const card = await manager.get(`/calls/${callId}?format=json`);
  assert.equal(card.status, 200, card.text_.slice(0, 300));
  const url = JSON.parse(card.text_).actions.create_customer_url;
  assert.ok(url, 'the card offers "Create customer"');
  const form = await manager.get(url);
  assert.equal(form.status, 200);
  const field = (n) => (form.text_.match(new RegExp(`name="${n}"[^>]*value="([^"]*)"`)) || [])[1];
  const r = await manager.post('/customers', { form: {
    csrf: field('csrf'), call: field('call'), phone: field('phone'), name,
  } });
  assert.equal(r.status, 303, r.text_.slice(0, 500));
  return Number(r.headers.get('location').match(/\/customers\/(\d+)/)[1]);
}

test('creating the customer from the missed call attaches its lead; the next missed call joins it', async () => {
  const phone = freshPhone();
  const first = await missed(phone);
  const [lead] = await apiList('leads', { call_id: first.id });
  assert.equal(lead.name, `${phone} – Incoming call`);
  assert.equal(lead.origin, 'Missed calls');
  assert.equal(lead.customer_id, null);
  assert.deepEqual(await linksOf(first.id), [0, lead.id], 'the missed call is its lead\'s');

  const cust = await createCustomerFromCall(first.id, 'Iryna from the missed call');
  const [[leadCustomer]] = await sql('SELECT customer_id FROM leads WHERE id = ?', [lead.id]);
  assert.equal(Number(leadCustomer), cust, 'the lead now belongs to the new customer');
  assert.deepEqual(await linksOf(first.id), [cust, lead.id]);
  const page = await manager.get(`/customers/${cust}`);
  assert.match(page.text_, new RegExp(`href="/leads/${lead.id}"`), 'the customer page lists the lead');

  const second = await missed(phone);
  assert.deepEqual(await apiList('leads', { call_id: second.id }), [], 'no second lead');
  assert.deepEqual(await linksOf(second.id), [cust, lead.id], 'the second missed call joined the lead');
  const open = await sql("SELECT COUNT(*) FROM leads WHERE phone = ? AND state = 'open'", [phone]);
  assert.equal(Number(open[0][0]), 1);
});

test('an unknown number\'s next missed call joins its open lead too, before any customer exists', async () => {
  const phone = freshPhone();
  const first = await missed(phone);
  const [lead] = await apiList('leads', { call_id: first.id });
  const second = await missed(phone);
  assert.deepEqual(await apiList('leads', { call_id: second.id }), []);
  assert.deepEqual(await linksOf(second.id), [0, lead.id]);
});

test('"create even if the customer has an open lead": a further missed call opens a second lead', async () => {
  const phone = freshPhone();
  const first = await missed(phone);
  await createCustomerFromCall(first.id, 'Petro, always calling');
  await setRule('lead_on_missed', { even_if_open_lead: 1 });
  try {
    const second = await missed(phone);
    const leads = await apiList('leads', { call_id: second.id });
    assert.equal(leads.length, 1);
    assert.equal(leads[0].name, 'Petro, always calling', 'a known customer\'s lead has their name');
    assert.deepEqual((await linksOf(second.id))[1], leads[0].id);
  } finally {
    await setRule('lead_on_missed', { even_if_open_lead: 0 });
  }
});
