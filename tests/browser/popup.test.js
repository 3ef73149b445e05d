// The live popup in Chromium (issue 5 §2, §4): a signed provider event in, the popup visible on
// the ringing manager's page within a second and absent on another manager's page; it shrinks
// to a bar after 20 s, a click opens it again, its × closes it; its status follows the call; a
// background tab gets a notification; the customer's name is text, never markup; and without
// nchan (the subscriber address answering 404) the page falls back to polling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

let a, b;   // two browsers: two separate sessions (manager, olena)
before(async () => { a = await launch(); b = await launch(); });
after(async () => { await a.close(); await b.close(); });

// +38067XXXXXXX as a UA viewer reads it (issue 18).
const shown = (n) => `0${n.slice(4, 6)} ${n.slice(6, 9)} ${n.slice(9)}`;
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

async function customer(name, managerLogin = 'manager') {
  const number = freshNumber();
  await sql('INSERT INTO customers (name, manager_id) SELECT ?, id FROM users WHERE login = ?', [name, managerLogin]);
  const [[cid]] = await sql('SELECT id FROM customers WHERE name = ? ORDER BY id DESC LIMIT 1', [name]);
  await sql('INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, ?)',
    [cid, number, number.slice(1).split('').reverse().join('')]);
  return number;
}

async function ring(ext, number, callId = uid('popup')) {
  const res = await postGeneric({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext });
  assert.equal(res.status, 200, res.text_);
  return callId;
}

async function openPage(browser, user, password, setup) {
  const page = await browser.context.newPage();
  const events = watch(page);
  if (setup) await setup(page);
  await login(page, user, password);
  await page.goto(`${BASE}/calls`);
  return { page, events };
}

test("the popup shows on the ringing manager's page only, and its × closes it", async () => {
  const { page: mp, events } = await openPage(a, 'manager', 'manager');
  const { page: op } = await openPage(b, 'olena', 'manager');
  await mp.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  await op.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const name = `Popup <b>Customer</b> ${uid('n')}`;
  const number = await customer(name);
  const t0 = Date.now();
  const callId = await ring('101', number);
  const popup = mp.locator('.live-popup').filter({ hasText: name });
  await popup.waitFor({ state: 'visible', timeout: 1000 });
  assert.ok(Date.now() - t0 < 1500);
  assert.equal(await popup.locator('.live-name').textContent(), name);
  assert.equal(await popup.locator('.live-number').textContent(), shown(number), 'the national form (issue 18)');
  assert.equal(await popup.locator('.live-state').textContent(), 'Ringing');
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);
  assert.equal(await popup.locator('a.live-open').getAttribute('href'), `/calls/${id}`);
  // bottom-right corner of the window
  const box = await popup.boundingBox();
  const vp = mp.viewportSize();
  assert.ok(box.x + box.width > vp.width - 40 && box.y + box.height > vp.height - 40, JSON.stringify(box));
  // not on olena's page
  await op.waitForTimeout(500);
  // (other calls of hers still going on are restored at load: only this one matters)
  assert.equal(await op.locator('.live-popup').filter({ hasText: name }).count(), 0);

  // the status follows the call
  await postGeneric({ event: 'call.answer', call_id: callId, direction: 'in', from: number, ext: '101' });
  await popup.locator('.live-state', { hasText: 'Talking' }).waitFor({ timeout: 2000 });
  await popup.locator('.live-close').click();
  assert.equal(await mp.locator('.live-popup').filter({ hasText: name }).count(), 0);
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await mp.close();
  await op.close();
});

test('after 20 seconds the popup becomes a compact bar; a click opens it again', async () => {
  const { page } = await openPage(a, 'manager', 'manager', (p) => p.clock.install());
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const name = `Compact ${uid('n')}`;
  await ring('101', await customer(name));
  const popup = page.locator('.live-popup').filter({ hasText: name });
  await popup.waitFor({ state: 'visible', timeout: 1000 });
  assert.equal(await popup.locator('.live-full').isVisible(), true);
  await page.clock.fastForward(19000);
  assert.equal(await popup.evaluate((e) => e.classList.contains('compact')), false);
  await page.clock.fastForward(2000);
  await page.waitForFunction((n) => [...document.querySelectorAll('.live-popup.compact')]
    .some((e) => e.textContent.includes(n)), name, { timeout: 2000 });
  assert.equal(await popup.locator('.live-full').isVisible(), false);
  assert.match(await popup.locator('.live-bar').textContent(), new RegExp(`${name} · Ringing`));
  await popup.locator('.live-bar').click();
  assert.equal(await popup.locator('.live-full').isVisible(), true);
  await page.close();
});

test('a background tab gets a browser notification with the customer name', async () => {
  // Headless Chromium has no notification centre to look at: the test watches the page's calls
  // to the Notification API while the tab reports itself hidden.
  const { page } = await openPage(a, 'manager', 'manager', (p) => p.addInitScript(() => {
    Object.defineProperty(document, 'hidden', { get: () => true });
    window.__notes = [];
    window.Notification = function (title, opts) { window.__notes.push({ title, body: opts.body }); };
    window.Notification.permission = 'granted';
  }));
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const name = `Notify ${uid('n')}`;
  await ring('101', await customer(name));
  await page.waitForFunction((n) => window.__notes.some((x) => x.body === n), name, { timeout: 2000 });
  const notes = await page.evaluate(() => window.__notes);
  assert.deepEqual(notes.find((x) => x.body === name), { title: 'Incoming call', body: name });
  await page.close();
});

test('without nchan the page falls back to polling and still shows the popup', async () => {
  const { page } = await openPage(a, 'manager', 'manager', (p) => p.route('**/live/manager/**',
    (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'no nchan' })));
  await page.waitForSelector('#live-popups[data-mode="poll"]', { state: 'attached', timeout: 5000 });
  const name = `Poll ${uid('n')}`;
  const number = await customer(name);
  const callId = await ring('101', number);
  const popup = page.locator('.live-popup').filter({ hasText: name });
  await popup.waitFor({ state: 'visible', timeout: 5000 });
  assert.equal(await popup.locator('.live-state').textContent(), 'Ringing');
  await postGeneric({ event: 'call.end', call_id: callId, direction: 'in', from: number, ext: '101', status: 'no-answer' });
  await popup.locator('.live-state', { hasText: 'Ended' }).waitFor({ timeout: 8000 });
  await page.close();
});

test("an open call card takes the live message: its status changes without waiting for the card's poll", async () => {
  const { page } = await openPage(a, 'manager', 'manager');
  const number = freshNumber();
  const callId = await ring('101', number);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);
  await page.goto(`${BASE}/calls/${id}`);
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  assert.equal(await page.getAttribute('#card-state', 'data-state'), 'ringing');
  // card.js polls every 3 s: answer right after one of its polls, so the next is 3 s away and
  // only the live message can make the card look sooner
  await page.waitForResponse((r) => r.url().endsWith(`/calls/${id}?format=json`), { timeout: 5000 });
  const t0 = Date.now();
  await postGeneric({ event: 'call.answer', call_id: callId, direction: 'in', from: number, ext: '101' });
  await page.waitForSelector('#card-state[data-state="talking"]', { state: 'attached', timeout: 2000 });
  assert.ok(Date.now() - t0 < 2000);
  await page.close();
});
