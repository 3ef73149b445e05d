// The call card as a compact two-column screen (issue 18): who and what they have on the left,
// the call's facts, recording, call-back and notes on the right (one column on a phone); while
// the call goes on, wait ticks as it rings and talk ticks once answered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser.close(); });

const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
// Polls fn from here (the page's CSP forbids the evaluated predicates of waitForFunction).
async function until(fn, ms) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
const secs = (t) => t.split(':').reduce((a, x) => a * 60 + Number(x), 0);

test('two columns at 1366 px, one at 390 px; wait ticks while ringing, talk once answered', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  const number = freshNumber();
  const callId = uid('cl');
  const ev = (e) => postGeneric({ call_id: callId, direction: 'in', from: number, ext: '101', ...e });
  assert.equal((await ev({ event: 'call.start' })).status, 200);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.goto(`${BASE}/calls/${id}`);
  const left = await page.locator('.card-left').boundingBox();
  const right = await page.locator('.card-right').boundingBox();
  assert.ok(left.x + left.width <= right.x, `side by side: ${JSON.stringify({ left, right })}`);
  assert.ok(Math.abs(left.y - right.y) < 2, 'same top');
  assert.equal(await page.locator('.card-left .who .contact').count(), 1);
  assert.equal(await page.locator('.card-right #card-state').count(), 1);
  assert.equal(await page.locator('.card-right #recording').count(), 1);
  assert.equal(await page.locator('.card-right #notes').count(), 1);
  // Ringing: no red "Unknown" result, and the wait runs.
  assert.equal(await page.locator('.who .res').count(), 0);
  const w0 = secs(await page.locator('#card-wait').textContent());
  await until(async () => secs(await page.locator('#card-wait').textContent()) >= w0 + 2, 5000);
  assert.equal(await page.locator('#card-talk').textContent(), '0:00');
  // Answered: the page reloads itself with the state; then talk runs and wait stays.
  assert.equal((await ev({ event: 'call.answer' })).status, 200);
  await page.waitForSelector('#card-state[data-state="talking"]', { state: 'attached', timeout: 8000 });
  await page.waitForLoadState();
  const wait = await page.locator('#card-wait').textContent();
  await until(async () => secs(await page.locator('#card-talk').textContent()) >= 2, 6000);
  assert.equal(await page.locator('#card-wait').textContent(), wait);
  await page.screenshot({ path: join(SHOTS, 'card-1366-live.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  const l2 = await page.locator('.card-left').boundingBox();
  const r2 = await page.locator('.card-right').boundingBox();
  assert.ok(r2.y >= l2.y + l2.height - 1, 'stacked on a phone');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
  assert.equal((await ev({ event: 'call.end', status: 'answered' })).status, 200);
  assert.deepEqual(events.errors, []);
  await page.close();
});
