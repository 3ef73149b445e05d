// The analytics page (issue 21) in Chromium at a laptop's and a phone's
// width: nothing overflows sideways (wide tables scroll in their own box),
// the SVG charts are drawn and scaled, no script runs or fails, and a
// figure's link opens the history. Screenshots go to $CB_BUILD_DIR for a
// person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE, launch, login, watch } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

const day = (ago) => new Date(Date.now() - ago * 86400e3).toISOString().slice(0, 10);
const URL_ = `/analytics?from=${day(60)}&to=${day(0)}`;

for (const [width, height] of [[1366, 900], [390, 844]]) {
  test(`the report at ${width} px: charts drawn, no horizontal overflow`, async () => {
    const page = await browser.context.newPage();
    const events = watch(page);
    await page.setViewportSize({ width, height });
    await login(page, 'admin', 'admin');
    await page.goto(BASE + URL_);
    assert.equal(await page.locator('h1').innerText(), 'Call analytics');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth -
      document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
    for (const id of ['chart-in', 'chart-out', 'chart-heat', 'chart-wait']) {
      const box = await page.locator(`#${id}`).boundingBox();
      assert.ok(box && box.width > 300 && box.width <= width, `${id}: ${JSON.stringify(box)}`);
      assert.ok(box.height > 50, `${id} height ${box.height}`);
    }
    assert.ok(await page.locator('#chart-in rect').count() > 10);
    // The SVG's accessible name comes from its title.
    assert.equal(await page.locator('#chart-in').getAttribute('aria-labelledby'), 'chart-in-title chart-in-desc');
    const file = path.join(process.env.CB_BUILD_DIR || '.', `analytics-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.deepEqual(events.errors, []);
    assert.deepEqual(events.dialogs, []);
    await page.close();
  });
}

// Ukrainian and Polish words are the longest (issue 18): at a phone's width the report in each
// still fits, with its own heading and chart titles.
for (const [code, h1, chart] of [['uk', 'Аналітика дзвінків', 'Вхідні дзвінки за днями'],
  ['pl', 'Analityka połączeń', 'Połączenia przychodzące według dni']]) {
  test(`the report in ${code} at 390 px: its own words, no horizontal overflow`, async () => {
    const page = await browser.context.newPage();
    const events = watch(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.setExtraHTTPHeaders({ 'Accept-Language': `${code},en;q=0.1` });
    await login(page, 'admin', 'admin');
    await page.goto(BASE + URL_);
    assert.equal(await page.getAttribute('html', 'lang'), code);
    assert.equal(await page.locator('h1').innerText(), h1);
    assert.equal(await page.locator('figcaption').first().innerText(), chart);
    const wide = await page.evaluate(() => {
      const w = document.documentElement.clientWidth;
      return { scroll: document.documentElement.scrollWidth - w,
        out: [...document.querySelectorAll('main *')].filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && r.right > w + 1 && !e.closest('.scroll');
        }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className.baseVal ?? e.className}`) };
    });
    assert.ok(wide.scroll <= 0, `${code}: ${wide.scroll} px wider than the window (${wide.out.join(', ')})`);
    assert.deepEqual(wide.out, [], code);
    await page.screenshot({ path: path.join(process.env.CB_BUILD_DIR || '.', `analytics-${code}-390.png`), fullPage: true });
    assert.deepEqual(events.errors, []);
    await page.close();
  });
}

test('a figure opens the history with as many calls', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 900 });
  await login(page, 'admin', 'admin');
  await page.goto(BASE + `/analytics?from=${day(1)}&to=${day(0)}`);
  const want = Number(await page.locator('#cur-in-missed').innerText());
  await Promise.all([page.waitForNavigation(), page.locator('#cur-in-missed').click()]);
  assert.match(page.url(), /\/calls\?.*outcome=missed/);
  if (want < 50) assert.equal(await page.locator('table.calls tbody tr').count(), want);
  await page.close();
});
