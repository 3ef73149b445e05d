// Keyboard and screen-reader basics (issue 18 "any screen"): axe-core checks every page kind an
// admin opens (tests/browser/pages.js) and the login page; the test fails on a serious or critical
// violation and on any landmark rule (tests/browser/axe.js). The live popup: keyboard.test.js.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login } from '../lib/browser.js';
import { pages } from './pages.js';
import { violations } from './axe.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

for (const [width, height] of [[1366, 800], [390, 844]]) {
  test(`every page passes axe at ${width} px (no serious or critical violation, landmarks)`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    const problems = [];
    await page.context().clearCookies();
    await page.goto(`${BASE}/login`);
    for (const v of await violations(page)) problems.push(`/login: ${v}`);
    await login(page, 'admin', 'admin');
    for (const path of await pages()) {
      await page.goto(BASE + path);
      for (const v of await violations(page)) problems.push(`${path}: ${v}`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
}
