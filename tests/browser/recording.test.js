// Journey 1's last step in a real browser: the manager plays a recording
// from the history and seeks in it; the intern's page has no player.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser.close(); });

test('the manager plays a recording and seeks in it', async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  // A demo call: its recording is the 20-second demo file.
  const [[externalId]] = await sql(
    "SELECT external_id FROM calls WHERE recording_path = 'demo/demo.wav' AND recording_state = 'stored' ORDER BY id DESC LIMIT 1");
  await page.goto(`${BASE}/calls?external_id=${encodeURIComponent(externalId)}`);
  const audio = page.locator('td.rec audio').first();
  await audio.waitFor();
  const result = await audio.evaluate(async (a) => {
    a.muted = true;
    await new Promise((resolve, reject) => {
      a.addEventListener('loadedmetadata', resolve, { once: true });
      a.addEventListener('error', () => reject(new Error('media error ' + (a.error && a.error.code))), { once: true });
      a.preload = 'auto';
      a.load();
    });
    const duration = a.duration;
    a.currentTime = 12;
    await new Promise((resolve) => a.addEventListener('seeked', resolve, { once: true }));
    await a.play();
    await new Promise((r) => setTimeout(r, 600));
    const t = a.currentTime;
    a.pause();
    return { duration, t };
  });
  assert.ok(Math.abs(result.duration - 20) < 0.5, `duration ${result.duration}`);
  assert.ok(result.t >= 12 && result.t < 15, `position after seek and play: ${result.t}`);
  assert.deepEqual(events.errors, []);
  await page.close();
});

test('the intern sees the history without any player', async () => {
  const page = await browser.context.newPage();
  await login(page, 'intern', 'intern');
  assert.ok(await page.locator('table.calls tbody tr').count() > 0);
  assert.equal(await page.locator('audio').count(), 0);
  await page.close();
});
