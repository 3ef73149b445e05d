// Every page on a laptop (1366 px) and on a phone (390 px) (issue 18 "any screen"): no page
// scrolls sideways, the navigation is a menu on the phone, no script error. Screenshots of each
// page land in build-test/shots/ (or $CB_SHOTS) for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { pages } from './pages.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser.close(); });

// How far the page reaches past the window's right edge, and which elements do it.
const overflow = () => {
  const w = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > w + 1 && getComputedStyle(e).position !== 'fixed';
  }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  return { scroll: document.documentElement.scrollWidth - w, wide };
};

// English at both widths; Ukrainian and Polish (the longest words) on the phone.
for (const [lang, width, height] of [['en', 1366, 800], ['en', 390, 844], ['uk', 390, 844], ['pl', 390, 844]]) {
  test(`every page fits ${width} px without sideways scrolling (${lang})`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    await page.setExtraHTTPHeaders({ 'Accept-Language': `${lang},en;q=0.1` });
    const events = watch(page);
    await login(page, 'admin', 'admin');
    const problems = [];
    for (const path of await pages()) {
      const res = await page.goto(BASE + path);
      if (res.status() >= 500 || (res.status() >= 400 && path !== '/no-such-page')) problems.push(`${path}: HTTP ${res.status()}`);
      const o = await page.evaluate(overflow);
      if (o.scroll > 0) problems.push(`${path}: ${o.scroll} px too wide (${o.wide.join(', ')})`);
      const name = path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root';
      await page.screenshot({ path: join(SHOTS, `${lang === 'en' ? '' : `${lang}-`}${width}-${name}.png`), fullPage: false });
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(events, { dialogs: [], errors: [] });
    await page.close();
  });
}

test('on a phone the navigation is a menu that opens', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const tasks = page.locator('nav.top a[href="/tasks"]');
  assert.equal(await tasks.isVisible(), false);
  await page.getByText('Menu', { exact: true }).click();
  assert.equal(await tasks.isVisible(), true);
  // The counters (open tasks, unread notifications) are filled in from /tasks/counts.
  const counts = JSON.parse(await (await page.request.get(`${BASE}/tasks/counts`)).text());
  await page.waitForFunction((n) => document.getElementById('nav-open-tasks').getAttribute('data-n') === String(n),
    counts.open_tasks, { timeout: 3000 });
  assert.equal(await page.locator('#nav-unread').getAttribute('data-n'), String(counts.unread_notifications));
  await tasks.click();
  await page.waitForURL(/\/tasks$/);
  await page.close();
});

// The row player is one to seek with (issue 18 history): at 86 px Chromium showed a play button
// and no timeline. At least 180 px on a laptop, and the card's width on a phone.
test('the history row player is wide enough to seek, at 1366 and 390 px', async () => {
  const page = await browser.context.newPage();
  await login(page, 'manager', 'manager');
  for (const [width, min] of [[1366, 180], [390, 250]]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${BASE}/calls?recording=yes`);
    const widths = await page.locator('td.rec audio').evaluateAll((as) => as.map((a) => a.getBoundingClientRect().width));
    assert.ok(widths.length > 0, 'recorded calls listed');
    assert.ok(Math.min(...widths) >= min, `${width} px: players ${Math.round(Math.min(...widths))} px wide, want ${min}`);
  }
  await page.close();
});
