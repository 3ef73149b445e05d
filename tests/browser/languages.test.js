// Languages in Chromium (issue 18): with the browser set to each of the five languages, the
// history page, the call card and the live popup (its state, its buttons: words the script gets
// from the page) render that language's own words, at 1366 px and at 390 px, and nothing
// scrolls sideways (Ukrainian and Polish labels are the longest). Dates and times are written as
// each language writes them (its own <time> text, the datetime attribute ISO) and stay inside
// their cell, the longer forms too ("16 Dec 2026 14:05"). Screenshots land in
// <build>/shots/languages-<lang>-<width>-<page>.png for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser.close(); });

const WORDS = {
  en: { history: 'Call history', filter: 'More filters', notes: 'Notes', ringing: 'Ringing', open: 'Open the card' },
  uk: { history: 'Історія дзвінків', filter: 'Більше фільтрів', notes: 'Нотатки', ringing: 'Дзвонить', open: 'Відкрити картку' },
  ru: { history: 'История звонков', filter: 'Больше фильтров', notes: 'Заметки', ringing: 'Звонит', open: 'Открыть карточку' },
  es: { history: 'Historial de llamadas', filter: 'Más filtros', notes: 'Notas', ringing: 'Sonando', open: 'Abrir la ficha' },
  pl: { history: 'Historia połączeń', filter: 'Więcej filtrów', notes: 'Notatki', ringing: 'Dzwoni', open: 'Otwórz kartę' },
};

// A date and time as each language writes it (lib/i18n i18n_format_datetime).
const DATE = {
  en: /^\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}$/,
  uk: /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/,
  ru: /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/,
  es: /^\d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}$/,
  pl: /^\d{1,2}\.\d{2}\.\d{4} \d{2}:\d{2}$/,
};

// Every <time> of the page: its text, its datetime, and whether it leaves its parent's box
// (a date cut off or pushed out of its cell).
const times = () => [...document.querySelectorAll('main time, table time')].map((t) => {
  const r = t.getBoundingClientRect();
  const c = (t.closest('td, li, p') || t.parentElement).getBoundingClientRect();
  return { text: t.textContent.trim(), datetime: t.getAttribute('datetime'),
    out: r.width > 0 && (r.left < c.left - 1 || r.right > c.right + 1) };
});

const checkTimes = (list, code, width, where, problems) => {
  if (list.length === 0) problems.push(`${code} ${width} ${where}: no <time>`);
  for (const t of list) {
    if (!DATE[code].test(t.text)) problems.push(`${code} ${width} ${where}: time "${t.text}" is not ${code}'s form`);
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(t.datetime || '')) problems.push(`${code} ${width} ${where}: datetime "${t.datetime}"`);
    if (t.out) problems.push(`${code} ${width} ${where}: "${t.text}" leaves its cell`);
  }
};

const overflow = () => {
  const w = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > w + 1 && getComputedStyle(e).position !== 'fixed';
  }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  return { scroll: document.documentElement.scrollWidth - w, wide };
};

// The popup is position: fixed, so it is checked on its own: inside the window.
const popupFits = (sel) => {
  const e = document.querySelector(sel);
  const r = e.getBoundingClientRect();
  return r.left >= 0 && r.right <= document.documentElement.clientWidth + 1;
};

const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

for (const [width, height] of [[1366, 800], [390, 844]]) {
  test(`each language renders its own words on history, card and popup at ${width} px`, async () => {
    const [[callId]] = await sql('SELECT MAX(id) FROM calls');
    const problems = [];
    for (const [code, w] of Object.entries(WORDS)) {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height });
      await page.setExtraHTTPHeaders({ 'Accept-Language': `${code},en;q=0.1` });
      const events = watch(page);
      await login(page, 'manager', 'manager');
      const shot = (name) => page.screenshot({ path: join(SHOTS, `languages-${code}-${width}-${name}.png`) });

      await page.goto(`${BASE}/calls`);
      assert.equal(await page.getAttribute('html', 'lang'), code);
      const text = await page.locator('body').textContent();
      for (const k of ['history', 'filter'])
        if (!text.includes(w[k])) problems.push(`${code} ${width} /calls: no "${w[k]}"`);
      let o = await page.evaluate(overflow);
      if (o.scroll > 0) problems.push(`${code} ${width} /calls: ${o.scroll} px too wide (${o.wide.join(', ')})`);
      checkTimes(await page.evaluate(times), code, width, '/calls', problems);
      await shot('calls');

      // The popup: a call rings the manager's extension while the history is open.
      await page.waitForSelector('#live-popups[data-mode]', { state: 'attached', timeout: 5000 });
      const ext = uid(`lang-${code}`);
      const number = freshNumber();
      const r = await postGeneric({ event: 'call.start', call_id: ext, direction: 'in', from: number, ext: '101' });
      assert.equal(r.status, 200, r.text_);
      // The popup shows the number as people write it; data-number keeps E.164.
      const popup = page.locator(`.live-popup[data-number="${number}"]`).first();
      await popup.waitFor({ state: 'visible', timeout: 5000 });
      await popup.locator('a.live-open').waitFor({ timeout: 5000 });
      const state = await popup.locator('.live-state').textContent();
      if (state !== w.ringing) problems.push(`${code} ${width} popup state: "${state}", want "${w.ringing}"`);
      const open = await popup.locator('a.live-open').textContent();
      if (open !== w.open) problems.push(`${code} ${width} popup link: "${open}", want "${w.open}"`);
      if (!await page.evaluate(popupFits, '.live-popup')) problems.push(`${code} ${width}: the popup leaves the window`);
      await shot('popup');
      await postGeneric({ event: 'call.end', call_id: ext, direction: 'in', from: number, ext: '101', duration: 0 });

      await page.goto(`${BASE}/calls/${callId}`);
      const card = await page.locator('body').textContent();
      if (!card.includes(w.notes)) problems.push(`${code} ${width} card: no "${w.notes}"`);
      o = await page.evaluate(overflow);
      if (o.scroll > 0) problems.push(`${code} ${width} card: ${o.scroll} px too wide (${o.wide.join(', ')})`);
      checkTimes(await page.evaluate(times), code, width, 'card', problems);
      await shot('card');
      assert.deepEqual(events, { dialogs: [], errors: [] }, code);
      await page.close();
    }
    assert.deepEqual(problems, []);
  });
}
