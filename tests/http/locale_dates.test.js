// Dates and times per language (issue 18): each language writes a call's time its own way
// (CLDR: uk/ru 06.12.2026, pl 6.12.2026, es 6/12/2026 with the hour's zero dropped, en as
// en-GB's "6 Dec 2026"), in the viewer's time zone; what machines read stays ISO: the
// <time datetime> attribute, the JSON and the CSV (Excel reads "2026-12-06 14:05" as a date
// whatever the viewer's regional settings; "06.12.2026" only where they match).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const BASE = process.env.CB_BASE_URL;
const tag = uniq('loc18');
// Two calls: 12:05 UTC (14:05 in Kyiv, winter) and 22:30 UTC on 31 Dec (00:30 on 1 Jan in
// Kyiv: the local date, not the UTC one, and midnight's hour "0" in Spanish).
const CALLS = [
  { ext: `${tag}-a`, at: '2026-12-06 12:05:00', local: '2026-12-06 14:05' },
  { ext: `${tag}-b`, at: '2026-12-31 22:30:00', local: '2027-01-01 00:30' },
];
const SHOWN = {
  en: ['6 Dec 2026 14:05', '1 Jan 2027 00:30'],
  uk: ['06.12.2026 14:05', '01.01.2027 00:30'],
  ru: ['06.12.2026 14:05', '01.01.2027 00:30'],
  pl: ['6.12.2026 14:05', '1.01.2027 00:30'],
  es: ['6/12/2026 14:05', '1/1/2027 0:30'],
};
const ids = [];
let viewer;

before(async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  for (const c of CALLS) {
    await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
        client_number, client_digits_rev, our_number, started_at, answered_at, ended_at,
        talk_seconds, wait_seconds)
      VALUES (?, ?, 'in', 'ended', 'answered', '+380501234567', '765432105083', '+380443900100',
        ?, ?, ?, 61, 4)`, [integ, c.ext, c.at, c.at, c.at]);
    const [[id]] = await sql('SELECT id FROM calls WHERE external_id = ?', [c.ext]);
    ids.push(Number(id));
  }
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'admin'");
  const login = uniq('locv');
  await createUser(admin, { name: 'Kyiv Viewer', login, role_id: roleId, password: 'long enough pw',
    time_zone: 'Europe/Kyiv' });
  viewer = new Client();
  await viewer.login(login, 'long enough pw');
});

const history = `/calls?external_id=${encodeURIComponent(tag)}&external_id_mode=begins`;
const get = (path, lang) => viewer.get(path, { headers: { 'accept-language': lang } });
const timeTag = (iso, shown) => `<time datetime="${iso}">${shown}</time>`;

for (const [lang, shown] of Object.entries(SHOWN)) {
  test(`${lang}: the history and the card write the time as ${lang} does; datetime stays ISO`, async () => {
    const page = await get(history, lang);
    assert.equal(page.status, 200);
    assert.match(page.text_, new RegExp(`<html lang="${lang}"`));
    for (let i = 0; i < CALLS.length; i++)
      assert.ok(page.text_.includes(timeTag(CALLS[i].local, shown[i])),
        `${lang}: history row ${CALLS[i].local} as ${shown[i]}`);
    for (let i = 0; i < CALLS.length; i++) {
      const card = await get(`/calls/${ids[i]}`, lang);
      assert.equal(card.status, 200);
      // Started, answered and ended: the same minute here.
      const n = card.text_.split(timeTag(CALLS[i].local, shown[i])).length - 1;
      assert.ok(n >= 3, `${lang}: card ${ids[i]} shows ${shown[i]} for started/answered/ended (${n})`);
    }
  });
}

test('JSON keeps the ISO local time and says the shown form beside it', async () => {
  for (const [lang, shown] of Object.entries(SHOWN)) {
    const r = await get(`${history}&format=json`, lang);
    assert.equal(r.status, 200);
    const rows = JSON.parse(r.text_).calls;
    for (let i = 0; i < CALLS.length; i++) {
      const row = rows.find((x) => x.id === ids[i]);
      assert.equal(row.time, CALLS[i].local, lang);
      assert.equal(row.time_shown, shown[i], lang);
    }
    const card = JSON.parse((await get(`/calls/${ids[0]}?format=json`, lang)).text_);
    assert.equal(card.call.started, CALLS[0].local, lang);
    assert.equal(card.call.started_shown, shown[0], lang);
  }
});

test('CSV: the same ISO local time in every language (Excel reads it as a date)', async () => {
  for (const lang of Object.keys(SHOWN)) {
    const res = await fetch(`${BASE}/calls.csv?external_id=${encodeURIComponent(tag)}&external_id_mode=begins`, {
      headers: { cookie: viewer.cookieHeader(), 'accept-language': lang } });
    assert.equal(res.status, 200);
    const text = Buffer.from(await res.arrayBuffer()).subarray(3).toString('utf8');
    for (let i = 0; i < CALLS.length; i++)
      assert.match(text, new RegExp(`^${ids[i]}[;,]${CALLS[i].local}(:00)?[;,]`, 'm'), `${lang} csv`);
    for (const s of SHOWN[lang]) if (!s.startsWith('20')) assert.ok(!text.includes(s), `${lang}: no ${s} in CSV`);
  }
});
