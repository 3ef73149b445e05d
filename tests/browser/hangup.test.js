// Issue 19 §1 in a real browser: the manager has the card of a live call open and presses
// "Hang up". The call's PBX (a generic-format integration whose hangup_url is a local stand-in
// of the PBX's HTTP side) gets the signed request and, a moment later, reports the end through
// its webhook, as a real PBX does. The card never leaves the page: it says "Ending…" at once,
// then "Ended" when the end event has arrived, and the button is gone. No script errors, no
// dialogs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { liveCall, endCall } from '../lib/livecall.js';

let browser, server, saved;
const hits = [];
let onHangup = () => {};

before(async () => {
  browser = await launch();
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ url: req.url, body, signature: req.headers['x-signature'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"hanging up"}');
      onHangup(JSON.parse(body));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  [[saved]] = await sql("SELECT config FROM integrations WHERE slug = 'generic'");
  await sql("UPDATE integrations SET config = JSON_MERGE_PATCH(COALESCE(config, '{}'), ?) WHERE slug = 'generic'",
    [JSON.stringify({ hangup_url: `http://127.0.0.1:${server.address().port}/hangup`, allow_private_hosts: ['127.0.0.0/8'] })]);
});

after(async () => {
  await sql("UPDATE integrations SET config = ? WHERE slug = 'generic'", [saved === 'NULL' ? null : saved]);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await browser.close();
});

test('the manager hangs up from the card: Ending…, then the end the PBX reports; the card stays', async () => {
  const call = await liveCall('+380671112299');
  // The PBX ends the call two seconds after it is asked, and then posts call.end.
  onHangup = (req) => {
    if (req.call_id === call.externalId) setTimeout(() => { endCall(call).catch(() => {}); }, 2000);
  };
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${call.id}`);
  const state = page.locator('#card-state');
  assert.equal(await state.textContent(), 'Talking');
  const button = page.locator('#card').getByRole('button', { name: 'Hang up' });
  assert.equal(await button.count(), 1);
  await button.click();
  // (page.waitForFunction would need eval, which the CSP refuses: locators poll instead)
  await page.locator('#card-state', { hasText: /^Ending…$/ }).waitFor();
  assert.equal(await page.locator('#card').getByRole('button', { name: 'Hang up' }).count(), 0);
  assert.equal(new URL(page.url()).search, '', 'card.js posted in place: no navigation');
  assert.equal(hits.length, 1);
  assert.deepEqual(JSON.parse(hits[0].body), { call_id: call.externalId, extension: '101' });
  assert.match(hits[0].signature, /^sha256=[0-9a-f]{64}$/);
  // The end event arrives; the card (still this page) shows the ended call.
  await page.locator('#card-state', { hasText: /^Ended$/ }).waitFor({ timeout: 15000 });
  assert.equal(new URL(page.url()).pathname, `/calls/${call.id}`);
  assert.equal(await page.locator('#card').getByRole('button', { name: 'Hang up' }).count(), 0);
  assert.match(await page.locator('.res').first().textContent(), /Answered/);
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a refusal is shown next to the button, which stays to try again', async () => {
  const call = await liveCall('+380671112298');
  await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_ARRAY()) WHERE slug = 'generic'");
  try {
    const page = await browser.context.newPage();
    const events = watch(page);
    await login(page, 'manager', 'manager');
    await page.goto(`${BASE}/calls/${call.id}`);
    await page.locator('#card').getByRole('button', { name: 'Hang up' }).click();
    const err = page.locator('#hangup-error');
    await err.waitFor();
    assert.match(await err.textContent(), /cannot be called at this address/);
    assert.equal(await page.locator('#card').getByRole('button', { name: 'Hang up' }).isEnabled(), true);
    assert.equal(await page.locator('#card-state').textContent(), 'Talking');
    assert.deepEqual(events.errors, []);
    await page.close();
  } finally {
    await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = 'generic'");
    await endCall(call);
  }
});

test('the live popup offers Hang up too, and says Ending… until the end arrives', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const number = '+380671112297';
  const call = await liveCall(number);
  onHangup = (req) => {
    if (req.call_id === call.externalId) setTimeout(() => { endCall(call).catch(() => {}); }, 1500);
  };
  const popup = page.locator(`.live-popup[data-call="${call.id}"]`);
  await popup.waitFor({ state: 'visible', timeout: 5000 });
  const button = popup.getByRole('button', { name: 'Hang up' });
  await button.waitFor({ timeout: 5000 });
  const before = hits.length;
  await button.click();
  await popup.locator('.live-note', { hasText: /^Ending…$/ }).waitFor({ timeout: 5000 });
  assert.equal(hits.length, before + 1);
  assert.deepEqual(JSON.parse(hits[hits.length - 1].body), { call_id: call.externalId, extension: '101' });
  assert.equal(await popup.getByRole('button', { name: 'Hang up' }).count(), 0);
  await popup.locator('.live-state', { hasText: /Ended/ }).waitFor({ timeout: 10000 });
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});
