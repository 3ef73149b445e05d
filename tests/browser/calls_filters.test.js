// The history's filter form in a real browser: filter by manager and a
// duration range, the URL carries the filter, the rows match, the back
// button returns; payloads in filter values are shown as text and never run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, watch } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const seconds = (clock) => clock.split(':').reduce((a, p) => a * 60 + Number(p), 0);

test('filter by manager and a duration range: URL and rows', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  // Manager and talk time live behind "More filters" (issue 18).
  await page.click('summary:has-text("More filters")');
  const olena = await page.locator('select[name=manager] option', { hasText: '(103)' }).getAttribute('value');
  assert.match(olena, /^\d+$/);
  await page.selectOption('select[name=manager]', olena);
  await page.fill('input[name=talk_min]', '30');
  await page.fill('input[name=talk_max]', '400');
  await Promise.all([page.waitForNavigation(), page.click('.filters button[type=submit]')]);
  const url = new URL(page.url());
  assert.equal(url.pathname, '/calls');
  assert.equal(url.searchParams.get('manager'), olena);
  assert.equal(url.searchParams.get('talk_min'), '30');
  assert.equal(url.searchParams.get('talk_max'), '400');
  const rows = page.locator('table.calls tbody tr');
  assert.ok(await rows.count() > 0, 'some calls match');
  const managers = await page.locator('table.calls td.manager').allInnerTexts();
  assert.ok(managers.every((m) => m.includes('(103)')), managers.join('|'));
  const talks = await page.locator('table.calls td.talk').allInnerTexts();
  assert.ok(talks.every((t) => seconds(t) >= 30 && seconds(t) <= 400), talks.join('|'));
  // the form shows the filter it was drawn for
  assert.equal(await page.inputValue('select[name=manager]'), olena);
  assert.equal(await page.inputValue('input[name=talk_min]'), '30');
  // the CSV link carries the same filter
  const csv = new URL(await page.locator('a.csv').getAttribute('href'), BASE);
  assert.equal(csv.pathname, '/calls.csv');
  assert.equal(csv.searchParams.get('manager'), olena);
  // longest first, then back
  await page.selectOption('select[name=sort]', 'talk_desc');
  await Promise.all([page.waitForNavigation(), page.click('.filters button[type=submit]')]);
  const sorted = (await page.locator('table.calls td.talk').allInnerTexts()).map(seconds);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
  await page.goBack();
  assert.equal(new URL(page.url()).searchParams.get('sort'), 'time_desc');
  await page.goBack();
  assert.match(page.url(), /\/calls$/);
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('payloads in filter values are shown as text and never run', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  const xss = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
  const q = new URLSearchParams({ contact: xss, external_id: xss, our_number: xss,
    from: '2026-01-01', [xss]: '1' });
  await page.goto(`${BASE}/calls?${q}`);
  assert.equal(await page.inputValue('input[name=contact]'), xss);
  assert.equal(await page.inputValue('input[name=external_id]'), xss);
  assert.equal(await page.inputValue('input[name=our_number]'), xss);
  assert.match(await page.locator('.notices').innerText(), /onerror=alert\(1\)/);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  // a bad value is a 400 page with the message, also escaped
  await page.goto(`${BASE}/calls?talk_min=${encodeURIComponent(xss)}`);
  assert.match(await page.locator('body').innerText(), /minutes and seconds \(1:30\)/);
  await page.waitForTimeout(300);
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});
