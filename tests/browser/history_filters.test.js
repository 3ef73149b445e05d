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

// On a phone (390 px) the filter block starts folded behind one "Filters (N active)" button, so
// the first call is on the first screen; the chips stay visible; the button opens the filters.
// At 1366 px there is no button and the filters show as before (the first test).
test('390 px: the filters fold behind one button, the first call on the first screen', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls?result=answered`);
  const summary = page.locator('details.filters-fold > summary');
  assert.equal(await summary.innerText(), 'Filters (1 active)');
  assert.equal(await page.locator('input[name=q]').isVisible(), false, 'folded');
  assert.equal(await page.locator('ul.active-filters li').isVisible(), true, 'the chip shows');
  const first = await page.locator('table.calls tbody tr').first().boundingBox();
  assert.ok(first && first.y + first.height <= 844, `the first row is on the first screen (y ${first && first.y}, height ${first && first.height})`);
  await page.screenshot({ path: join(SHOTS, 'history-390-folded.png') });
  await summary.click();
  assert.equal(await page.locator('input[name=q]').isVisible(), true, 'opened');
  assert.equal(await page.locator('select[name=result]').inputValue(), 'answered');
  await page.screenshot({ path: join(SHOTS, 'history-390-open.png') });
  // The filters work from there: another result, then no filter at all.
  await page.selectOption('select[name=result]', 'missed');
  await Promise.all([page.waitForNavigation(), page.click('.filters-main button[type=submit]')]);
  assert.equal(new URL(page.url()).searchParams.get('result'), 'missed');
  await page.goto(`${BASE}/calls`);
  assert.equal(await summary.innerText(), 'Filters');
  // Wide again: no button, the filters shown.
  await page.setViewportSize({ width: 1366, height: 800 });
  assert.equal(await summary.isVisible(), false);
  assert.equal(await page.locator('input[name=q]').isVisible(), true);
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});

test('390 px in Ukrainian: the button says how many filters are on', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.setExtraHTTPHeaders({ 'Accept-Language': 'uk,en;q=0.1' });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls?result=answered&direction=in`);
  assert.equal(await page.locator('details.filters-fold > summary').innerText(), 'Фільтри (2 активні)');
  await page.screenshot({ path: join(SHOTS, 'uk-390-history-folded.png') });
  await page.close();
});
