// The transcript beside the player in a real browser (issue 22): a click on
// a line moves the card's audio player to that line's start
// (static/transcript.js, no inline script), with no script error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';

let browser, callId;
before(async () => {
  browser = await launch();
  // A demo call with the demo recording (several seconds long) and a
  // transcript of ours: made fresh so the seek target is known.
  const rows = await sql(`SELECT c.id FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id
                          WHERE c.recording_path = 'demo/demo.wav' AND c.recording_state = 'stored'
                            AND t.call_id IS NULL ORDER BY c.id DESC LIMIT 1`);
  assert.ok(rows.length);
  [[callId]] = rows;
  const lines = [
    { start_ms: 0, end_ms: 1000, side: 'customer', text: 'Hello there.' },
    { start_ms: 2750, end_ms: 4000, side: 'manager', text: 'Second line here.' },
  ];
  await sql(`INSERT INTO transcripts (call_id, status, engine, utterances, words, summary, summary_head, version)
             VALUES (?, 'done', 'http', ?, ?, 'Hello there.', 'Hello there.', 1)`,
  [callId, JSON.stringify(lines), 'Hello there.\nSecond line here.']);
});
after(async () => { await browser.close(); });

test('clicking a transcript line seeks the player there', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls/${callId}`);
  const line = page.locator('#transcript li', { hasText: 'Second line here.' });
  await line.locator('button.seek').click();
  // Polled from here: waitForFunction evaluates a string, which the CSP
  // (script-src 'self') refuses.
  let at = -1;
  for (let i = 0; i < 100 && Math.abs(at - 2.75) >= 0.3; i++) {
    at = await page.evaluate(() => document.querySelector('#recording audio').currentTime);
    if (Math.abs(at - 2.75) >= 0.3) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(Math.abs(at - 2.75) < 0.3, `player at ${at}`);
  assert.ok(await line.evaluate((el) => el.classList.contains('current')));
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('"Words said" is behind More filters; a search by it opens them and shows a removable chip', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
  const events = watch(page);
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  assert.equal(await page.locator('input[name=said]').isVisible(), false, 'folded');
  await page.click('summary:has-text("More filters")');
  await page.fill('input[name=said]', 'Second line');
  await Promise.all([page.waitForNavigation(), page.click('.filters-main button[type=submit]')]);
  assert.equal(await page.locator('input[name=said]').isVisible(), true, 'open when set');
  const chips = await page.locator('ul.active-filters li').allInnerTexts();
  assert.deepEqual(chips.map((c) => c.replace(/\s*×$/, '')), ['Said: Second line']);
  assert.ok(await page.locator(`table.calls a[href="/calls/${callId}"]`).count() > 0, 'the call is found');
  await Promise.all([page.waitForNavigation(), page.click('ul.active-filters li a')]);
  assert.equal(new URL(page.url()).searchParams.get('said'), null);
  assert.deepEqual(events.errors, []);
  await page.close();
});
