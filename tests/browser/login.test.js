// A newcomer's first minute, in a real browser: log in, see the history,
// filter it, page through it; nothing a caller controls ever runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, watch } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('the root URL leads to the login page, then to the history', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await browser.context.clearCookies();
  await page.goto(BASE + '/');
  assert.match(page.url(), /\/login\?next=/);
  assert.equal(await page.title(), 'Log in · Callboard');
  await page.fill('input[name=login]', 'manager');
  await page.fill('input[name=password]', 'manager');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(page.url(), /\/calls$/);
  assert.equal(await page.locator('h1').innerText(), 'Call history');
  assert.equal(await page.locator('table.calls tbody tr').count(), 50);
  assert.match(await page.locator('nav.top').innerText(), /Max Manager/);
  // The nav's Profile link opens the user's own settings.
  await Promise.all([page.waitForNavigation(), page.locator('nav.top a', { hasText: 'Profile' }).click()]);
  assert.match(page.url(), /\/settings\/users\/me$/);
  assert.equal(await page.locator('h1').innerText(), 'My profile');
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('a wrong password shows the error on the page', async () => {
  const page = await browser.context.newPage();
  await browser.context.clearCookies();
  await page.goto(BASE + '/login');
  await page.fill('input[name=login]', 'manager');
  await page.fill('input[name=password]', 'wrong');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.equal(await page.locator('.error').innerText(), 'Wrong login or password.');
  assert.equal(await page.inputValue('input[name=login]'), 'manager');
  await page.close();
});

test('filtering by result keeps the filter in the URL and the back button works', async () => {
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  await page.selectOption('select[name=result]', 'missed');
  await Promise.all([page.waitForNavigation(), page.click('.filters button[type=submit]')]);
  assert.match(page.url(), /result=missed/);
  const labels = await page.locator('table.calls .res').allInnerTexts();
  assert.ok(labels.length > 0);
  assert.ok(labels.every((l) => l.includes('Missed')));
  assert.equal(await page.inputValue('select[name=result]'), 'missed');
  await page.goBack();
  assert.match(page.url(), /\/calls$/);
  await page.close();
});

test('older calls link pages through the history', async () => {
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  const firstTop = await page.locator('table.calls tbody tr').first().getAttribute('data-call-id');
  await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
  const secondTop = await page.locator('table.calls tbody tr').first().getAttribute('data-call-id');
  assert.notEqual(firstTop, secondTop);
  assert.ok(await page.locator('.pager a', { hasText: 'Newest' }).count() === 1);
  await page.close();
});

test('XSS payloads from callers are shown as text and never run', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  let seen = false;
  for (let i = 0; i < 8; i++) {
    const text = await page.locator('table.calls').innerText();
    if (text.includes('<script>alert(1)</script>') || text.includes('onerror=alert(1)')) seen = true;
    const next = page.locator('a[rel=next]');
    if (await next.count() === 0) break;
    await Promise.all([page.waitForNavigation(), next.click()]);
  }
  assert.ok(seen, 'the demo data has payload rows, shown literally');
  assert.deepEqual(events.dialogs, []);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('logging out ends the session', async () => {
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  await Promise.all([page.waitForNavigation(), page.locator('nav.top button', { hasText: 'Log out' }).click()]);
  assert.match(page.url(), /\/login$/);
  await page.goto(BASE + '/calls');
  assert.match(page.url(), /\/login\?next=/);
  await page.close();
});
