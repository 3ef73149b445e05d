// The popup as the manager's workspace (issue 18), in Chromium with real provider events: what it
// shows (the customer's open orders and leads, the line and store called; "Unknown caller" and
// the PBX's caller-ID name apart), what it does (a call-back task in N minutes, create order in a
// new tab with the number filled in while what was typed stays), the live states of a ring group
// ("Ringing", "Answered by <colleague>" that folds away, "Ended · Answered" that clears itself),
// one popup per call that survives a reload, and the notification control.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let a, b;
before(async () => { a = await launch(); b = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await a.close(); await b.close(); });

// +38067XXXXXXX as a UA viewer reads it (issue 18).
const shown = (n) => `0${n.slice(4, 6)} ${n.slice(6, 9)} ${n.slice(9)}`;
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
const rev = (n) => n.slice(1).split('').reverse().join('');

async function ev(e) {
  const res = await postGeneric({ direction: 'in', ...e });
  assert.equal(res.status, 200, res.text_);
}

async function openPage(browser, user, password, { width = 1366, height = 800, setup } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const events = watch(page);
  if (setup) await setup(page);
  await login(page, user, password);
  await page.goto(`${BASE}/calls`);
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  return { page, events };
}

// A customer of the manager with an open order and an open lead; a line of the generic
// integration that belongs to a store.
async function customerWithOrders() {
  const number = freshNumber();
  const name = `Popup Buyer ${uid('n')}`;
  await sql("INSERT INTO customers (name, manager_id) SELECT ?, id FROM users WHERE login = 'manager'", [name]);
  const [[cid]] = await sql('SELECT MAX(id) FROM customers WHERE name = ?', [name]);
  await sql('INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, ?)', [cid, number, rev(number)]);
  const orderNo = `P-${randomBytes(3).toString('hex')}`;
  await sql(`INSERT INTO orders (number, customer_id, status_id, total, currency)
             SELECT ?, ?, id, 1234.50, 'UAH' FROM order_statuses WHERE status_group = 'open' ORDER BY id LIMIT 1`, [orderNo, cid]);
  await sql("INSERT INTO leads (customer_id, name, phone) VALUES (?, 'Wants a sofa', ?)", [cid, number]);
  const [[gid]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  const [[sid, store]] = await sql('SELECT id, name FROM stores ORDER BY id LIMIT 1');
  const line = `+38044${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
  await sql('INSERT INTO store_numbers (number, store_id, integration_id, label) VALUES (?, ?, ?, ?)', [line, sid, gid, 'popup test']);
  return { number, name, orderNo, line, store };
}

test('the popup shows the open orders and leads, the line and store, and acts: a call-back task, create order in a new tab', async () => {
  const { page, events } = await openPage(a, 'manager', 'manager');
  // Something typed on the page must survive the popup's actions.
  await page.fill('input[name="contact"]', 'half-typed search');
  const c = await customerWithOrders();
  const callId = uid('pa');
  await ev({ event: 'call.start', call_id: callId, from: c.number, to: c.line, ext: '101' });
  const popup = page.locator('.live-popup').filter({ hasText: c.name });
  await popup.waitFor({ state: 'visible', timeout: 3000 });
  assert.equal(await popup.locator('.live-state').textContent(), 'Ringing');
  await popup.locator('.live-orders li', { hasText: c.orderNo }).waitFor({ timeout: 3000 });
  assert.match(await popup.locator('.live-orders').textContent(), new RegExp(`Order ${c.orderNo} · .+ · 1,234.50 UAH`));
  assert.match(await popup.locator('.live-leads').textContent(), /Lead #\d+ · Open · Wants a sofa/);
  assert.equal(await popup.locator('.live-called').textContent(), `Line ${c.line}, store ${c.store}`);
  assert.equal(await popup.locator('.live-cid').isVisible(), false);
  await page.screenshot({ path: join(SHOTS, 'popup-1366-customer.png') });

  // Call back in 30 minutes: a task for this manager, linked to the call, due in ~30 min.
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);
  await popup.locator('.live-later button[data-minutes="30"]').click();
  await popup.locator('.live-note', { hasText: 'Call-back task created' }).waitFor({ timeout: 3000 });
  const [[due]] = await sql(`SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(3), t.due_at) FROM tasks t
    JOIN task_assignees ta ON ta.task_id = t.id JOIN users u ON u.id = ta.user_id
    WHERE t.call_id = ? AND t.kind = 'call_back' AND u.login = 'manager'`, [id]);
  assert.ok(Number(due) >= 28 && Number(due) <= 30, `due in ${due} min`);

  // Create lead and create order: new tabs with the number and the customer filled in; this
  // page keeps what was typed.
  const lead = popup.locator('a.live-create-lead');
  assert.equal(await lead.getAttribute('target'), '_blank');
  const [tab] = await Promise.all([page.context().waitForEvent('page'), lead.click()]);
  await tab.waitForLoadState();
  assert.match(tab.url(), /\/leads\/new\?/);
  assert.equal(await tab.inputValue('input[name="phone"]'), c.number);
  assert.equal(await tab.inputValue('input[name="call"]'), String(id));
  await tab.close();
  const [otab] = await Promise.all([page.context().waitForEvent('page'), popup.locator('a.live-create-order').click()]);
  await otab.waitForLoadState();
  assert.match(otab.url(), /\/orders\/new\?/);
  assert.equal(await otab.locator('p.customer strong').textContent(), c.name);
  await otab.close();
  assert.equal(await page.inputValue('input[name="contact"]'), 'half-typed search');
  assert.equal(page.url(), `${BASE}/calls`);
  // The card, too, opens in a new tab.
  assert.equal(await popup.locator('a.live-open').getAttribute('target'), '_blank');
  assert.equal(await popup.locator('a.live-open').getAttribute('href'), `/calls/${id}`);
  assert.equal(await popup.locator('a.live-dial').count(), 1, 'call back now');
  await ev({ event: 'call.end', call_id: callId, from: c.number, ext: '101', status: 'no-answer' });
  await popup.locator('.live-state', { hasText: 'Ended · Missed' }).waitFor({ timeout: 3000 });
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});

test('an unknown caller is "Unknown caller"; the PBX caller-ID name is shown apart, as such', async () => {
  const { page } = await openPage(a, 'manager', 'manager', { width: 390, height: 844 });
  const number = freshNumber();
  const callId = uid('pu');
  await ev({ event: 'call.start', call_id: callId, from: number, ext: '101', caller_name: 'PBX Pavlo' });
  const popup = page.locator(`.live-popup[data-number="${number}"]`);
  await popup.locator('.live-cid', { hasText: 'Caller ID: PBX Pavlo' }).waitFor({ timeout: 3000 });
  assert.equal(await popup.locator('.live-name').textContent(), 'Unknown caller');
  assert.equal(await popup.locator('.live-number').textContent(), shown(number), 'the national form (issue 18)');
  assert.equal(await popup.locator('.live-state').textContent(), 'Ringing');
  assert.equal(await popup.locator('a.live-create-customer').count(), 1);
  assert.match(await popup.locator('a.live-create-customer').getAttribute('href'), new RegExp(`phone=${encodeURIComponent(number).replace('+', '\\+')}`));
  // It fits the phone's width.
  const box = await popup.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  await page.screenshot({ path: join(SHOTS, 'popup-390-unknown.png') });
  await ev({ event: 'call.end', call_id: callId, from: number, ext: '101', status: 'no-answer' });
  await page.close();
});

test('a ring group: both ring, a colleague answers, the other popup says who and folds away; the end clears itself', async () => {
  const m = await openPage(a, 'manager', 'manager');
  const o = await openPage(b, 'olena', 'manager', { setup: (p) => p.clock.install() });
  const number = freshNumber();
  const callId = uid('rg');
  await ev({ event: 'call.start', call_id: callId, from: number, ext: '101' });
  await ev({ event: 'call.start', call_id: callId, from: number, ext: '103' });
  const mine = m.page.locator(`.live-popup[data-number="${number}"]`);
  const hers = o.page.locator(`.live-popup[data-number="${number}"]`);
  await mine.locator('.live-state', { hasText: 'Ringing' }).waitFor({ timeout: 3000 });
  await hers.locator('.live-state', { hasText: 'Ringing' }).waitFor({ timeout: 3000 });
  // Ringing is never "Unknown", in red or otherwise.
  assert.doesNotMatch(await mine.textContent(), /Unknown number|Unknown$/);
  await ev({ event: 'call.answer', call_id: callId, from: number, ext: '103' });
  await mine.locator('.live-bar', { hasText: 'Answered by Olena Kovalenko' }).waitFor({ timeout: 3000 });
  assert.equal(await mine.evaluate((e) => e.classList.contains('compact')), true, 'folded');
  await hers.locator('.live-state', { hasText: 'Talking' }).waitFor({ timeout: 3000 });
  await m.page.screenshot({ path: join(SHOTS, 'popup-answered-by.png') });
  // The colleague's popup goes away by itself.
  await mine.waitFor({ state: 'detached', timeout: 12000 });
  assert.equal(await m.page.locator(`.live-popup[data-number="${number}"]`).count(), 0);
  // One popup per call on olena's page, whatever the number of events.
  assert.equal(await o.page.locator(`.live-popup[data-number="${number}"]`).count(), 1);
  await ev({ event: 'call.end', call_id: callId, from: number, ext: '103', status: 'answered' });
  await hers.locator('.live-state', { hasText: 'Ended · Answered' }).waitFor({ timeout: 3000 });
  await o.page.clock.fastForward(31000);
  await hers.waitFor({ state: 'detached', timeout: 3000 });
  assert.deepEqual(m.events, { dialogs: [], errors: [] });
  assert.deepEqual(o.events, { dialogs: [], errors: [] });
  await m.page.close();
  await o.page.close();
});

test('the popup survives a reload while the call lasts; one closed stays closed', async () => {
  const { page } = await openPage(a, 'manager', 'manager');
  const number = freshNumber();
  const callId = uid('rl');
  await ev({ event: 'call.start', call_id: callId, from: number, ext: '101' });
  const popup = page.locator(`.live-popup[data-number="${number}"]`);
  await popup.waitFor({ state: 'visible', timeout: 3000 });
  await page.reload();
  await popup.locator('.live-state', { hasText: 'Ringing' }).waitFor({ timeout: 3000 });
  assert.equal(await page.locator(`.live-popup[data-number="${number}"]`).count(), 1, 'one popup per call');
  await popup.locator('.live-close').click();
  await page.reload();
  await page.waitForSelector('#live-popups[data-restored]', { state: 'attached', timeout: 3000 });
  assert.equal(await page.locator(`.live-popup[data-number="${number}"]`).count(), 0);
  await ev({ event: 'call.end', call_id: callId, from: number, ext: '101', status: 'no-answer' });
  await page.close();
});

test('"Enable call notifications" says its state and asks the browser', async () => {
  const page = await a.context.newPage();
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const button = page.locator('#notify-toggle');
  await button.waitFor({ state: 'visible', timeout: 3000 });
  const before = await page.evaluate(() => Notification.permission);
  if (before === 'default') assert.equal(await button.textContent(), 'Enable call notifications');
  await a.context.grantPermissions(['notifications'], { origin: BASE });
  await page.reload();
  await button.waitFor({ state: 'visible', timeout: 3000 });
  assert.equal(await button.textContent(), 'Call notifications: on');
  assert.equal(await button.getAttribute('aria-pressed'), 'true');
  await a.context.clearPermissions();
  await page.close();
});
