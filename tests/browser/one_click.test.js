// One-click calls and numbers as people write them, in Chromium (issue 18): a click on a phone in
// the history, the card, the popup and the missed-calls task list places the call through the
// default line without leaving the page (static/dial.js); the first time, with several lines
// and no default, a menu of the lines opens and the pick becomes the default. The provider is a
// loopback stand-in of Zadarma's API, as in dial.test.js. Numbers are shown in the national form
// for the UA viewer. Screenshots at 1366 and 390 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser, server, saved;
let hits = [];

before(async () => {
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
  server = http.createServer((req, res) => {
    if (req.url.startsWith('/v1/request/callback/')) hits.push(req.url);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'success' }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  [[saved]] = await sql("SELECT config FROM integrations WHERE slug = 'zadarma'");
  await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.api_base', ?, '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = 'zadarma'",
    [`http://127.0.0.1:${server.address().port}`]);
  await sql("UPDATE users SET last_dial_integration_id = NULL, country = NULL WHERE login = 'manager'");
});

after(async () => {
  await sql("UPDATE integrations SET config = ? WHERE slug = 'zadarma'", [saved === 'NULL' ? null : saved]);
  await sql("UPDATE users SET last_dial_integration_id = NULL WHERE login = 'manager'");
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await browser.close();
});

async function until(fn, ms) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
const shown = (n) => `0${n.slice(4, 6)} ${n.slice(6, 9)} ${n.slice(9)}`;

test('one click calls from the history (a menu the first time), the card, the missed-calls list and the popup', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await page.setViewportSize({ width: 1366, height: 800 });
  await login(page, 'manager', 'manager');
  const number = freshNumber();
  const callId = uid('oc');
  assert.equal((await postGeneric({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' })).status, 200);
  assert.equal((await postGeneric({ event: 'call.end', call_id: callId, direction: 'in', from: number, ext: '101', status: 'no-answer' })).status, 200);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);

  // History: the number in the national form; the first click opens the menu of lines.
  await page.goto(`${BASE}/calls`);
  const link = page.locator(`tr a[href^="/dial?number=${encodeURIComponent(number)}"]`).first();
  assert.equal(await link.textContent(), shown(number));
  const url = page.url();
  await link.click();
  const menu = page.locator('#dial-menu');
  await menu.waitFor({ timeout: 8000 });
  await page.screenshot({ path: join(SHOTS, 'one-click-1366-menu.png') });
  assert.equal(hits.length, 0, 'nothing dialled before the pick');
  await menu.locator('button', { hasText: 'Zadarma' }).click();
  await page.locator('#dial-status', { hasText: 'is calling your extension 101' }).waitFor({ timeout: 8000 });
  assert.equal(page.url(), url, 'no navigation');
  assert.equal(hits.length, 1);
  assert.match(hits[0], new RegExp(`to=${number.slice(1)}`));

  // Now Zadarma is the default: one click, no menu.
  await link.click();
  await until(async () => hits.length === 2, 8000);
  assert.equal(await page.locator('#dial-menu').count(), 0);
  await page.screenshot({ path: join(SHOTS, 'one-click-1366-history.png') });

  // The card.
  await page.goto(`${BASE}/calls/${id}`);
  const cardLink = page.locator('#card a[href^="/dial?number="]').first();
  assert.equal(await cardLink.textContent(), shown(number));
  await cardLink.click();
  await until(async () => hits.length === 3, 8000);
  await page.locator('#dial-status', { hasText: 'is calling your extension 101' }).waitFor({ timeout: 8000 });
  assert.match(page.url(), new RegExp(`/calls/${id}$`));

  // The missed-calls task list.
  await page.goto(`${BASE}/tasks/missed`);
  const row = page.locator('td.number', { hasText: shown(number) }).first();
  await row.waitFor({ timeout: 5000 });
  await row.locator('a.dial').click();
  await until(async () => hits.length === 4, 8000);
  assert.match(page.url(), /\/tasks\/missed/);

  // The popup's "Call back now".
  await page.goto(`${BASE}/calls`);
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const live = uid('oc');
  const again = freshNumber();
  assert.equal((await postGeneric({ event: 'call.start', call_id: live, direction: 'in', from: again, ext: '101' })).status, 200);
  const popup = page.locator(`.live-popup[data-number="${again}"]`);
  await popup.waitFor({ state: 'visible', timeout: 5000 });
  await popup.locator('.live-number', { hasText: shown(again) }).waitFor({ timeout: 5000 });
  await popup.locator('a.live-dial').click();
  await until(async () => hits.length === 5, 8000);
  assert.match(hits[4], new RegExp(`to=${again.slice(1)}`));
  await page.screenshot({ path: join(SHOTS, 'one-click-1366-popup.png') });
  await postGeneric({ event: 'call.end', call_id: live, direction: 'in', from: again, ext: '101', status: 'no-answer' });
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});

test('at 390 px the history and the card show the national number, the clock beside it, and no page scroll', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'manager', 'manager');
  const [[id]] = await sql("SELECT id FROM calls WHERE client_number LIKE '+380%' AND client_withheld = 0 ORDER BY id DESC LIMIT 1");
  await page.goto(`${BASE}/calls`);
  await page.screenshot({ path: join(SHOTS, 'one-click-390-history.png') });
  await page.goto(`${BASE}/calls/${id}`);
  const where = page.locator('#card details.client-where');
  await where.locator('summary').click();
  assert.match(await where.textContent(), /\d\d:\d\d there.*UA · time zone Europe\/Kyiv/s);
  await page.screenshot({ path: join(SHOTS, 'one-click-390-card.png') });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll (${overflow} px)`);
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});
