// Issue 19 §6 in a real browser: the manager is on a call (a live generic
// call answered on 101) and opens another customer's page; the indicator
// says where the call is linked, the "Link this call here" button moves it,
// and the page then says it is linked here and who moved it. No script
// errors, no dialogs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { makeCustomer, freshPhone, sql } from '../lib/automation.js';
import { liveCall, endCall } from '../lib/livecall.js';

let browser;
let call;
before(async () => { browser = await launch(); });
after(async () => {
  if (call) await endCall(call).catch(() => {});
  await browser.close();
});

test('on a call, the manager opens another customer and links the call there with one click', async () => {
  const callerPhone = freshPhone();
  const caller = await makeCustomer(callerPhone, { managerLogin: 'manager', name: `Caller ${Date.now()}` });
  const other = await makeCustomer(freshPhone(), { managerLogin: 'manager', name: `Other ${Date.now()}` });
  call = await liveCall(callerPhone);

  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/customers/${other.id}`);
  const indicator = page.locator('.live-call .live-indicator');
  assert.match(await indicator.textContent(), /On a call now with/);
  assert.match(await indicator.textContent(), new RegExp(callerPhone.replace('+', '\\+')));
  assert.equal(await page.locator('.live-call .elsewhere a').getAttribute('href'), `/customers/${caller.id}`);

  await Promise.all([
    page.waitForURL(new RegExp(`/customers/${other.id}\\?linked=${call.id}$`)),
    page.getByRole('button', { name: 'Link this call here' }).click(),
  ]);
  assert.match(await page.locator('.confirmation').textContent(), /The call is linked here now\./);
  assert.match(await page.locator('.live-call .here').textContent(), /moved here by Max Manager at/);
  assert.equal(await page.getByRole('button', { name: 'Link this call here' }).count(), 0);
  const [[cust]] = await sql('SELECT customer_id FROM calls WHERE id = ?', [call.id]);
  assert.equal(Number(cust), other.id);

  // The call card, where the history's row leads, names the new customer.
  await page.goto(`${BASE}/calls/${call.id}`);
  assert.match(await page.locator('main').textContent(), new RegExp(other.name));
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});
