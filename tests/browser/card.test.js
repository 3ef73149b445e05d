// The call card in a real browser (issue 5 §1): the demo data's XSS
// payloads never run, the note and call-back forms work with their CSRF
// tokens, a blank note is refused next to the field, the status of a live
// call updates by itself (static/card.js, no inline script), and the intern
// gets no player.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const phone = () => `+38050${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

// A fresh call of the manager's, so the forms never touch the demo calls.
async function makeCall({ state = 'ended', minutesAgo = 4 } = {}) {
  const ext = `card-b-${Date.now()}-${randomBytes(4).toString('hex')}`;
  const ended = state === 'ended';
  await sql(
    `INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
       client_digits_rev, manager_id, extension, started_at, answered_at, ended_at,
       talk_seconds, wait_seconds)
     SELECT i.id, ?, 'in', ?, 'answered', ?, '', u.id, '101',
       UTC_TIMESTAMP(3) - INTERVAL ? MINUTE, UTC_TIMESTAMP(3) - INTERVAL ? MINUTE + INTERVAL 5 SECOND,
       IF(?, UTC_TIMESTAMP(3) - INTERVAL ? MINUTE + INTERVAL 65 SECOND, NULL), IF(?, 60, 0), 5
     FROM integrations i, users u WHERE i.slug = 'zadarma' AND u.login = 'manager'`,
    [ext, state, phone(), minutesAgo, minutesAgo, ended, minutesAgo, ended]);
  const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  return Number(id);
}

test('no demo XSS payload runs on the cards of the special calls', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  const rows = await sql("SELECT id, external_id FROM calls WHERE external_id LIKE 'demo-special-%' ORDER BY id");
  assert.ok(rows.length >= 8);
  for (const [id] of rows) {
    const res = await page.goto(`${BASE}/calls/${id}`);
    assert.equal(res.status(), 200, `call ${id}`);
    await page.waitForTimeout(100);
  }
  const s1 = rows.find((r) => r[1] === 'demo-special-S1')[0];
  await page.goto(`${BASE}/calls/${s1}`);
  assert.equal(await page.locator('.who .contact a').textContent(), 'Mallory <script>alert(1)</script>');
  assert.equal(await page.locator('.caller-name span').textContent(), '<script>alert(1)</script>');
  assert.equal(await page.locator('.legs tbody tr').count(), 3);
  assert.equal(await page.locator('img').count(), 0, 'no injected image element');
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a note typed on the card is saved, confirmed and shown as text', async () => {
  const id = await makeCall();
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${id}`);
  const evil = 'Call me <img src=x onerror=alert(7)> <script>alert(8)</script>';
  await page.fill('#note', evil);
  await Promise.all([page.waitForNavigation(), page.click('.note-form button[type=submit]')]);
  assert.match(page.url(), new RegExp(`/calls/${id}\\?note=saved#notes$`));
  assert.equal(await page.locator('.confirmation').textContent(), 'Your note is saved.');
  assert.equal(await page.locator('.note-list li .body').last().textContent(), evil);
  assert.equal(await page.locator('.note-list li .author').last().textContent(), 'Max Manager');
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a blank note: the card again with the error next to the field', async () => {
  const id = await makeCall();
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${id}`);
  await page.fill('#note', '   ');
  const [res] = await Promise.all([page.waitForNavigation(), page.click('.note-form button[type=submit]')]);
  assert.equal(res.status(), 400);
  assert.equal(await page.locator('#note-error').textContent(), 'Write a note first.');
  assert.ok(await page.locator('#note + #note-error').isVisible(), 'right after the field');
  const [[n]] = await sql('SELECT COUNT(*) FROM call_notes WHERE call_id = ?', [id]);
  assert.equal(n, '0');
  await page.close();
});

test('"In 30 minutes" creates a call-back task and the card confirms it', async () => {
  const id = await makeCall();
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${id}`);
  await Promise.all([page.waitForNavigation(), page.click('.callback-form button[value="30"]')]);
  assert.match(page.url(), new RegExp(`/calls/${id}\\?callback=\\d+#callbacks$`));
  assert.match(await page.locator('.confirmation').textContent(), /^Call-back task created, due \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d\.$/  /* English dates: 6 Dec 2026 14:05 */);
  const item = page.locator('.task-list li[data-just-created]');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), /Call back \+38050\d{7}/);
  assert.match(await item.locator('a').getAttribute('href'), /^\/dial\?number=%2B38050\d{7}&call=\d+$/, 'a call button in the task');
  assert.deepEqual(events.dialogs, []);
  await page.close();
});

test('a live call: the duration ticks, and the card shows "Ended" when the call ends', async () => {
  const id = await makeCall({ state: 'talking', minutesAgo: 1 });
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${id}`);
  assert.equal(await page.locator('#card-state').textContent(), 'Talking');
  const d0 = await page.locator('#card-duration').textContent();
  await page.waitForTimeout(2200);
  const d1 = await page.locator('#card-duration').textContent();
  assert.notEqual(d1, d0, `duration ${d0} → ${d1}`);
  await sql("UPDATE calls SET state = 'ended', ended_at = UTC_TIMESTAMP(3), talk_seconds = 60 WHERE id = ?", [id]);
  // A selector wait, not waitForFunction: the CSP forbids eval on the page.
  await page.locator('#card-state[data-state="ended"]').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('#card-state').textContent(), 'Ended');
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('the intern sees the card without any player', async () => {
  const [[s1]] = await sql("SELECT id FROM calls WHERE external_id = 'demo-special-S1'");
  const page = await browser.context.newPage();
  await login(page, 'intern', 'intern');
  const res = await page.goto(`${BASE}/calls/${s1}`);
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('audio').count(), 0);
  const mgr = await browser.context.newPage();
  await page.close();
  await login(mgr, 'manager', 'manager');
  await mgr.goto(`${BASE}/calls/${s1}`);
  assert.equal(await mgr.locator('#recording audio').getAttribute('src'), `/calls/${s1}/recording`);
  await mgr.close();
});
