// Keyboard basics (issue 18 "any screen"): the focus is visible everywhere, the dark navigation
// included; the live popup is worked with Tab and Enter alone, a folded one too (its bar is a
// button); the menu of lines closes with Escape and gives the focus back to the number.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';
import { violations } from './axe.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => {
  await sql("UPDATE users SET last_dial_integration_id = NULL WHERE login = 'manager'");
  await browser.close();
});

const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

// The focused element: its outline and the contrast of the outline against what is behind it.
const focusRing = () => {
  const e = document.activeElement;
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = e.parentElement;
  while (bg && (getComputedStyle(bg).backgroundColor === 'rgba(0, 0, 0, 0)' || getComputedStyle(bg).backgroundColor === 'transparent')) bg = bg.parentElement;
  const s = getComputedStyle(e);
  const a = lum(rgb(s.outlineColor)), b = lum(rgb(bg ? getComputedStyle(bg).backgroundColor : 'rgb(255,255,255)'));
  return { what: `${e.tagName.toLowerCase()} ${(e.textContent || e.name || '').trim().slice(0, 30)}`,
    style: s.outlineStyle, width: parseFloat(s.outlineWidth),
    contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
};

test('Tab shows where the focus is, on the navigation and on the page (outline, contrast at least 3:1)', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const weak = [];
  for (let i = 0; i < 14; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focusRing);
    if (f.style === 'none' || f.width < 2 || f.contrast < 3) weak.push(`${f.what}: ${f.style} ${f.width}px, contrast ${f.contrast.toFixed(2)}`);
  }
  assert.deepEqual(weak, []);
  await page.close();
});

test('the popup by keyboard: a folded popup opens with Enter, its actions are reached with Tab and work', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await page.setViewportSize({ width: 1366, height: 800 });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  await page.waitForSelector('#live-popups[data-mode="live"]', { state: 'attached', timeout: 5000 });
  const first = { id: uid('kb'), number: freshNumber() };
  const second = { id: uid('kb'), number: freshNumber() };
  try {
    for (const c of [first, second]) {
      assert.equal((await postGeneric({ event: 'call.start', call_id: c.id, direction: 'in', from: c.number, ext: '101' })).status, 200);
      await page.locator(`.live-popup[data-number="${c.number}"] .live-actions[data-drawn]`).waitFor({ state: 'attached', timeout: 5000 });
    }
    // The newer call is open, the older one folded to a bar.
    const folded = page.locator(`.live-popup[data-number="${first.number}"]`);
    assert.equal(await folded.evaluate((e) => e.classList.contains('compact')), true);
    assert.deepEqual(await violations(page, '#live-popups'), []);

    // Tab from the top of the page reaches the bar; Enter opens the popup.
    const reach = async (selector, max = 80) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return true;
      }
      return false;
    };
    await page.locator('a.brand').focus();
    assert.ok(await reach(`.live-popup[data-number="${first.number}"] .live-bar`), 'the folded popup\'s bar takes the focus');
    await page.keyboard.press('Enter');
    assert.equal(await folded.evaluate((e) => e.classList.contains('compact')), false, 'Enter opens it');
    // Its "Call back in 10 min" is a Tab away, and Enter makes the task.
    assert.ok(await reach(`.live-popup[data-number="${first.number}"] button[data-minutes="10"]`, 15), 'Tab reaches "10 min"');
    await page.keyboard.press('Enter');
    await folded.locator('.live-note', { hasText: /task/ }).waitFor({ timeout: 8000 });
    assert.equal(await folded.locator('.live-note').getAttribute('data-error'), null);
  } finally {
    for (const c of [first, second])
      await postGeneric({ event: 'call.end', call_id: c.id, direction: 'in', from: c.number, ext: '101', status: 'no-answer' });
  }
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});

test('the menu of lines closes with Escape and the focus goes back to the number', async () => {
  await sql("UPDATE users SET last_dial_integration_id = NULL WHERE login = 'manager'");
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const link = page.locator('tr td.number a[href^="/dial?number="]').first();
  await link.focus();
  await page.keyboard.press('Enter');
  const menu = page.locator('#dial-menu');
  await menu.waitFor({ timeout: 8000 });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'menuitem', 'the menu takes the focus');
  await page.keyboard.press('Escape');
  assert.equal(await menu.count(), 0, 'Escape closes it');
  assert.equal(await link.evaluate((a) => a === document.activeElement), true, 'the focus is back on the number');
  await page.close();
});
