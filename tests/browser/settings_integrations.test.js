// Settings in a real browser (issue 6): an admin adds an integration
// through the form, copies its callback URL and presses "send a test
// event" (DESIGN §8 journey 6); a manager completes a missed-call task
// from "My tasks". No dialogs, no page errors (the CSP forbids inline
// script, so the pages work without any).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';

let browser;
// 044 (Kyiv) and seven digits no other run, test or demo number uses: a 7,
// then the clock's last six digits (the demo's and the other tests' 044
// numbers all start 044 1, 2, 3 or 5).
const freshNumber = () => `044 7${String(Date.now()).slice(-6)}`;
before(async () => { browser = await launch(); });
after(async () => {
  await sql("UPDATE integrations SET enabled = 0 WHERE slug LIKE 'b-%'");
  await browser.close();
});

test('an admin adds a generic integration, sees its callback URL and sends a test event that works', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'admin', 'admin');
  await page.goto(`${BASE}/settings/integrations`);
  await page.getByRole('link', { name: 'Another PBX (generic format)' }).click();
  const slug = `b-${randomBytes(4).toString('hex')}`;
  await page.fill('input[name="name"]', 'Browser PBX');
  await page.fill('input[name="slug"]', slug);
  await page.fill('input[name="secret_secret"]', 'browser-secret-0123456789');
  // A number of its own each run: an external number belongs to one
  // integration, so a fixed one would be "taken" on a stack used before.
  await page.fill('input[name="number"] >> nth=0', freshNumber());
  await page.click('#integration-form button[type="submit"]');
  await page.waitForURL(/\/settings\/integrations\/\d+\?saved=new$/);
  assert.equal(await page.locator('#callback-url').textContent(), `${BASE}/hook/${slug}`);
  assert.equal(await page.locator('.masked').textContent(), '•••• 6789');
  assert.equal(await page.inputValue('input[name="secret_secret"]'), '', 'the secret is not put back in the field');

  await page.click('#test-form button');
  await page.waitForSelector('#test-result');
  assert.equal(await page.getAttribute('#test-result', 'data-ok'), 'true');
  assert.match(await page.locator('#test-result').textContent(), /It works: the hook accepted the signed test event and stored it as call \d+/);
  await page.click('a.test-call');
  await page.waitForURL(/\/calls\/\d+$/);
  assert.match(await page.locator('.number').textContent(), /044 111 0000/, 'the national form (issue 18)');
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a bad number in the exception form is shown next to the field, with what was typed', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'admin', 'admin');
  await page.goto(`${BASE}/settings/exceptions`);
  await page.fill('#exception-phone', 'hello');
  await page.fill('#exception-comment', 'typed comment');
  await page.click('#exception-form button');
  assert.match(await page.locator('#phone-error').textContent(), /This is not a phone number/);
  assert.equal(await page.inputValue('#exception-phone'), 'hello');
  assert.equal(await page.inputValue('#exception-comment'), 'typed comment');
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a manager completes a task from My tasks; it moves to the done list', async () => {
  const title = `Browser task ${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO tasks (kind, title, mode, phone, author_id, due_at)
             SELECT 'missed_call', ?, 'shared', '+380441112299', id, UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE
             FROM users WHERE login = 'manager'`, [title]);
  await sql(`INSERT INTO task_assignees (task_id, user_id) SELECT t.id, u.id FROM tasks t, users u
             WHERE t.title = ? AND u.login IN ('manager', 'admin')`, [title]);
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/tasks`);
  const item = page.locator('li.task', { hasText: title });
  assert.equal(await item.getAttribute('data-status'), 'overdue');
  await item.getByRole('button', { name: 'Done' }).click();
  await page.waitForURL(/\/tasks\?completed=\d+$/);
  assert.equal(await page.locator('li.task', { hasText: title }).count(), 0);
  assert.match(await page.locator('.confirmation').textContent(), /is done\./);
  await page.click('a.view-done');
  assert.equal(await page.locator('li.task', { hasText: title }).count(), 1);
  assert.deepEqual(events.errors, []);
  await page.close();
});
