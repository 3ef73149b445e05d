// Keyboard and screen-reader basics (issue 18 "any screen"): axe-core checks every page kind an
// admin opens (tests/browser/pages.js), the login page and the live popup, and the test fails on a
// serious or critical violation (form labels, contrast, names of buttons and links, ARIA) and on
// any landmark rule (axe rates those "moderate": a page without a main region is still one a
// screen-reader user cannot jump through).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE, launch, login } from '../lib/browser.js';
import { pages } from './pages.js';

// axe-core from tests/node_modules (package.json); createRequire also honours NODE_PATH.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LANDMARKS = new Set(['landmark-one-main', 'region', 'landmark-unique', 'landmark-no-duplicate-main',
  'landmark-main-is-top-level', 'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level']);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

// The page's violations that fail the test, one line each: rule, what it is, where.
export async function violations(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE); // CDP evaluates it: the pages' CSP allows no inline script
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical' || LANDMARKS.has(v.id))
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.where.join(' | ')}`);
}

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
