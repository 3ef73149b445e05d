// The history's filter block (issue 18): the main filters in one row, the rest behind "More
// filters" (open when one of them is set); active filters as chips that remove themselves; talk
// time written as 1:30; "previous page" beside "next page", both named after the sort.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { BASE, launch, login, watch } from '../lib/browser.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser.close(); });

const secs = (t) => t.split(':').reduce((a, x) => a * 60 + Number(x), 0);

test('main filters in one row, the rest folded; chips for what is active, each removable', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  // One row: number, contact, direction, result, dates and the button share a top line.
  const tops = await page.locator('.filters-main > *').evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().bottom)));
  assert.ok(Math.max(...tops) - Math.min(...tops) < 30, `one row: ${tops}`);
  assert.equal(await page.locator('select[name=manager]').isVisible(), false, 'folded');
  assert.equal(await page.locator('ul.active-filters').count(), 0);

  await page.selectOption('select[name=result]', 'answered');
  await page.click('summary:has-text("More filters")');
  await page.fill('input[name=talk_min]', '1:30');
  await Promise.all([page.waitForNavigation(), page.click('.filters-main button[type=submit]')]);
  assert.equal(new URL(page.url()).searchParams.get('talk_min'), '1:30');
  // A "more" filter is set: the block is open; the chips say what is active.
  assert.equal(await page.locator('select[name=manager]').isVisible(), true);
  const chips = await page.locator('ul.active-filters li').allInnerTexts();
  assert.deepEqual(chips.map((c) => c.replace(/\s*×$/, '')), ['Answered', 'Talk at least 1:30']);
  const talks = await page.locator('table.calls td.talk').allInnerTexts();
  assert.ok(talks.length > 0 && talks.every((t) => secs(t) >= 90), talks.join('|'));
  await page.screenshot({ path: join(SHOTS, 'history-1366-chips.png') });
  // Removing the talk chip keeps the result filter.
  await Promise.all([page.waitForNavigation(), page.locator('ul.active-filters li[data-key="talk_min"] a').click()]);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('talk_min'), null);
  assert.equal(url.searchParams.get('result'), 'answered');
  assert.equal(await page.locator('select[name=manager]').isVisible(), false, 'folded again');
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});

test('next and previous pages, named after the sort', async () => {
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const first = await page.locator('table.calls tbody tr').first().getAttribute('data-call-id');
  assert.equal(await page.locator('a[rel=prev]').count(), 0, 'no previous on the first page');
  assert.equal(await page.locator('a[rel=next]').innerText(), 'Older calls →');
  await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
  const second = await page.locator('table.calls tbody tr').first().getAttribute('data-call-id');
  await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
  assert.equal(await page.locator('a[rel=prev]').innerText(), '← Newer calls');
  await Promise.all([page.waitForNavigation(), page.click('a[rel=prev]')]);
  assert.equal(await page.locator('table.calls tbody tr').first().getAttribute('data-call-id'), second);
  await Promise.all([page.waitForNavigation(), page.click('a[rel=prev]')]);
  assert.equal(await page.locator('table.calls tbody tr').first().getAttribute('data-call-id'), first);
  assert.equal(new URL(page.url()).searchParams.get('before'), null, 'back on the first page');
  // Sorted by talk time the words follow.
  await page.goto(`${BASE}/calls?sort=talk_desc`);
  assert.equal(await page.locator('a[rel=next]').innerText(), 'Shorter calls →');
  await page.close();
});
