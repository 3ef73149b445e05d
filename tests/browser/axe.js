// axe-core in a page (tests/browser/accessibility.test.js, keyboard.test.js): the violations that
// fail a test, one line each. Serious and critical ones (form labels, contrast, names of buttons
// and links, ARIA), and the landmark rules whatever axe rates them ("moderate": a page without a
// main region is still one a screen-reader user cannot jump through).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// From tests/node_modules (package.json); createRequire also honours NODE_PATH.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const LANDMARKS = new Set(['landmark-one-main', 'region', 'landmark-unique', 'landmark-no-duplicate-main',
  'landmark-main-is-top-level', 'landmark-banner-is-top-level', 'landmark-contentinfo-is-top-level']);

// within: a CSS selector to check only a part of the page (the popups), else the whole page.
export async function violations(page, within) {
  // Evaluated through the DevTools protocol: the pages' CSP allows no inline script.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE);
  const found = await page.evaluate(async (sel) => {
    const r = await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, within || null);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical' || (!within && LANDMARKS.has(v.id)))
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.where.join(' | ')}`);
}
