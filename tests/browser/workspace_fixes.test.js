// The "also fix" items of issue 18 that only a browser shows: a trigger's "ok" runs are green and
// its failed ones red; deleting a trigger or an exception asks first, with a dialog when scripts
// run and with a confirmation step when they do not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, launch, login } from '../lib/browser.js';
import { sql } from '../lib/db.js';

const RUN = randomBytes(4).toString('hex');
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// A trigger made for the test (a copy of the first one, no actions needed to be listed).
async function trigger(name) {
  await sql(`INSERT INTO triggers (name, event, enabled, conditions, actions)
             SELECT ?, event, 0, conditions, actions FROM triggers ORDER BY id LIMIT 1`, [name]);
  const [[id]] = await sql('SELECT id FROM triggers WHERE name = ?', [name]);
  return Number(id);
}

test('trigger runs: "ok" is green, "failed" is red', async () => {
  const id = await trigger(`Colours ${RUN}`);
  await sql(`INSERT INTO trigger_runs (trigger_id, action_index, action, result, error) VALUES
    (?, 0, 'notify', 'ok', NULL), (?, 1, 'webhook', 'failed', 'HTTP 500')`, [id, id]);
  const page = await browser.context.newPage();
  await login(page, 'admin', 'admin');
  await page.goto(`${BASE}/settings/triggers/${id}`);
  const colour = (r) => page.locator(`#runs tr[data-result="${r}"] .run-res`).evaluate((e) => getComputedStyle(e).color);
  assert.equal(await colour('ok'), 'rgb(26, 127, 55)');
  assert.equal(await colour('failed'), 'rgb(198, 40, 40)');
  await page.close();
});

test('deleting a trigger asks in a dialog: Cancel keeps it, OK deletes it', async () => {
  const name = `Dialog ${RUN}`;
  const id = await trigger(name);
  const page = await browser.context.newPage();
  await login(page, 'admin', 'admin');
  await page.goto(`${BASE}/settings/triggers`);
  const row = page.locator(`#triggers tr[data-id="${id}"]`);
  let asked = '';
  page.once('dialog', async (d) => { asked = d.message(); await d.dismiss(); });
  await row.locator('summary', { hasText: 'Delete' }).click();
  assert.match(asked, new RegExp(`Delete the trigger “${name}”\\?`));
  await page.waitForTimeout(300);
  assert.equal((await sql('SELECT COUNT(*) FROM triggers WHERE id = ?', [id]))[0][0], '1');
  page.once('dialog', (d) => d.accept());
  await Promise.all([page.waitForNavigation(), row.locator('summary', { hasText: 'Delete' }).click()]);
  assert.equal((await sql('SELECT COUNT(*) FROM triggers WHERE id = ?', [id]))[0][0], '0');
  await page.close();
});

test('without JavaScript, Delete opens a confirmation step; only "Yes, delete" deletes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-nojs-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, javaScriptEnabled: false,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const page = await ctx.newPage();
    await login(page, 'admin', 'admin');
    const phone = `+38044${String(randomBytes(3).readUIntBE(0, 3) % 10000000).padStart(7, '0')}`;
    await sql('INSERT INTO phone_exceptions (phone, phone_digits_rev, comment) VALUES (?, ?, ?)',
      [phone, phone.slice(1).split('').reverse().join(''), `nojs ${RUN}`]);
    const [[eid]] = await sql('SELECT id FROM phone_exceptions WHERE phone = ?', [phone]);
    await page.goto(`${BASE}/settings/exceptions`);
    const row = page.locator(`#exceptions tr[data-id="${eid}"]`);
    const yes = row.getByRole('button', { name: 'Yes, delete' });
    assert.equal(await yes.isVisible(), false);
    await row.locator('summary', { hasText: 'Delete' }).click();
    assert.equal(await yes.isVisible(), true);
    assert.match(await row.locator('.confirm-question').textContent(), new RegExp(`Take \\${phone} off the list\\?`));
    assert.equal((await sql('SELECT COUNT(*) FROM phone_exceptions WHERE id = ?', [eid]))[0][0], '1');
    await Promise.all([page.waitForNavigation(), yes.click()]);
    assert.equal((await sql('SELECT COUNT(*) FROM phone_exceptions WHERE id = ?', [eid]))[0][0], '0');
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
