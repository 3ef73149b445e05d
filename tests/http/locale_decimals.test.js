// Decimals per language (issue 18): rates, shares and sums are written as each language writes
// a decimal (CLDR, as the browser's Intl does): en "66.7%", uk and pl "66,7%", ru and es
// "66,7 %" with a no-break space; sums "1,250.50" (en), "1 250,50" (uk, ru), "1250,50" (es, pl
// group from five digits). What machines read keeps the point: the JSON ("66.7" beside its
// "_shown" form) and a ',' CSV; a ';' CSV (chosen for the decimal-comma locales, whose Excel
// reads "66.7" as text) writes "66,7".
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const NBSP = '\u00a0';
const LANGS = {
  en: { pc: (d) => `${d}%`, dec: (d) => d, sum: '1,250.50', when: '10 Feb 2026 12:02',
    tip: ['Tue', 'calls', 'missed'] },
  uk: { pc: (d) => `${d.replace('.', ',')}%`, dec: (d) => d.replace('.', ','), sum: `1${NBSP}250,50`,
    when: '10.02.2026 12:02', tip: ['Вт', 'дзвінки', 'пропущено'] },
  ru: { pc: (d) => `${d.replace('.', ',')}${NBSP}%`, dec: (d) => d.replace('.', ','), sum: `1${NBSP}250,50`,
    when: '10.02.2026 12:02', tip: ['Вт', 'звонки', 'пропущено'] },
  es: { pc: (d) => `${d.replace('.', ',')}${NBSP}%`, dec: (d) => d.replace('.', ','), sum: '1250,50',
    when: '10/2/2026 12:02', tip: ['Mar', 'llamadas', 'perdidas'] },
  pl: { pc: (d) => `${d.replace('.', ',')}%`, dec: (d) => d.replace('.', ','), sum: '1250,50',
    when: '10.02.2026 12:02', tip: ['Wt.', 'połączenia', 'nieodebrane'] },
};
// 2026-02-10 (a Tuesday), 10:00 UTC = 12:00 in Kyiv: two incoming calls answered, one missed.
const DAY = '2026-02-10';
let viewer, mgrId, customerId, orderId, callId;

before(async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  const [[adminRole]] = await sql("SELECT id FROM roles WHERE name = 'admin'");
  const [[mgrRole]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const login = uniq('decv');
  await createUser(admin, { name: 'Decimal Viewer', login, role_id: adminRole, password: 'long enough pw',
    time_zone: 'Europe/Kyiv' });
  mgrId = await createUser(admin, { name: 'Decimal Manager', login: uniq('decm'), role_id: mgrRole,
    password: 'long enough pw' });
  viewer = new Client();
  await viewer.login(login, 'long enough pw');

  const name = `Decimal Buyer ${uniq('c')}`;
  await sql('INSERT INTO customers (name, manager_id) VALUES (?, ?)', [name, mgrId]);
  [[customerId]] = await sql('SELECT MAX(id) FROM customers WHERE name = ?', [name]);
  const number = uniq('D').slice(-12);
  await sql(`INSERT INTO orders (number, customer_id, status_id, total, currency)
             SELECT ?, ?, id, 1250.50, 'UAH' FROM order_statuses WHERE status_group = 'open' ORDER BY id LIMIT 1`,
  [number, customerId]);
  [[orderId]] = await sql('SELECT id FROM orders WHERE number = ?', [number]);
  const results = ['answered', 'answered', 'missed'];
  // A number of its own: the missed call is never called back.
  const client = `+38050${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const rev = client.slice(1).split('').reverse().join('');
  for (let i = 0; i < results.length; i++) {
    const ext = uniq('dec');
    const at = `${DAY} 10:0${i}:00`;
    await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
        client_digits_rev, our_number, manager_id, customer_id, started_at, answered_at, talk_seconds,
        wait_seconds)
      VALUES (?, ?, 'in', 'ended', ?, ?, ?, '+380443900100', ?, ?, ?, ?, ?, 5)`,
    [integ, ext, results[i], client, rev, mgrId, customerId, at, results[i] === 'answered' ? at : null,
      results[i] === 'answered' ? 60 : 0]);
    if (i === 0) [[callId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [ext]);
  }
});

const say = (lang) => ({ headers: { 'accept-language': lang } });
const report = `/analytics?from=${DAY}&to=${DAY}&manager=`;

for (const [lang, f] of Object.entries(LANGS)) {
  test(`${lang}: the analytics page writes rates and shares as ${lang} does`, async () => {
    const r = await viewer.get(report + mgrId, say(lang));
    assert.equal(r.status, 200, r.text_.slice(0, 300));
    const t = r.text_;
    assert.ok(t.includes(`id="answer-rate"><span>${f.pc('66.7')}</span>`), `${lang}: answer rate`);
    assert.ok(t.includes(`<span>${f.dec('+66.7')}</span>`), `${lang}: the change in points`);
    assert.ok(t.includes(`id="missed-rate"><span>${f.pc('33.3')}</span>`), `${lang}: missed rate`);
    // The daily table (its header says "%"): decimals.
    assert.ok(t.includes(`<td>${f.dec('66.7')}</td>`) && t.includes(`<td>${f.dec('33.3')}</td>`), `${lang}: daily`);
    // Waiting: both answered calls waited 5 s.
    assert.ok(t.includes(`<td>${f.dec('100.0')}</td>`), `${lang}: wait share`);
    // The follow-up shares and the heatmap's missed share.
    assert.ok(t.includes(`(<span>${f.pc('100.0')}</span>)`), `${lang}: never handled`);
    // (its weekday and words in the language too: "Вт 12:00-12:59: дзвінки: 3, пропущено: 33,3%")
    const [tue, calls, missed] = f.tip;
    assert.ok(t.includes(`${tue} 12:00-12:59: ${calls}: 3, ${missed}: ${f.pc('33.3')}`), `${lang}: heatmap tip`);
    // The never-handled number's last missed call: a date in the language too.
    assert.ok(t.includes(`<time datetime="${DAY} 12:02">${f.when}</time>`), `${lang}: last missed`);
    if (lang !== 'en') assert.ok(!/\b(66\.7|33\.3)\b/.test(t.replace(/<[^>]*>/g, ' ')), `${lang}: no point`);
  });
}

test('JSON keeps the point and says the shown form beside it', async () => {
  for (const [lang, f] of Object.entries(LANGS)) {
    const m = JSON.parse((await viewer.get(`${report}${mgrId}&format=json`, say(lang))).text_);
    assert.equal(m.current.answer_rate, '66.7', lang);
    assert.equal(m.current.answer_rate_shown, f.pc('66.7'), lang);
    assert.equal(m.days[0].missed_rate, '33.3', lang);
    assert.equal(m.days[0].missed_rate_shown, f.dec('33.3'), lang);
    assert.equal(m.answer_change, '+66.7', lang);
  }
});

test('CSV: a decimal comma in a ";" CSV, a point in a "," one', async () => {
  const csv = async (table, lang, sep) => {
    const r = await viewer.get(`/analytics.csv?from=${DAY}&to=${DAY}&manager=${mgrId}&table=${table}${sep ? `&sep=${sep}` : ''}`,
      say(lang));
    assert.equal(r.status, 200, r.text_.slice(0, 300));
    return r.text_;
  };
  // day, in answered, in missed, in other, in total, out ×4, answer rate, missed rate
  assert.match(await csv('daily', 'uk'), new RegExp(`^${DAY};2;1;0;3;0;0;0;0;66,7;33,3\r$`, 'm'));
  assert.match(await csv('daily', 'es'), new RegExp(`^${DAY};2;1;0;3;0;0;0;0;66,7;33,3\r$`, 'm'));
  assert.match(await csv('daily', 'en'), new RegExp(`^${DAY},2,1,0,3,0,0,0,0,66.7,33.3\r$`, 'm'));
  assert.match(await csv('daily', 'uk', 'comma'), new RegExp(`^${DAY},2,1,0,3,0,0,0,0,66.7,33.3\r$`, 'm'));
  assert.match(await csv('daily', 'en', 'semicolon'), new RegExp(`^${DAY};2;1;0;3;0;0;0;0;66,7;33,3\r$`, 'm'));
  assert.match(await csv('wait', 'pl'), /^0-9 s;2;100,0\r$/m);
  assert.match(await csv('wait', 'en'), /^0-9 s,2,100.0\r$/m);
  // The weekday in the viewer's language (the JSON's day stays English).
  assert.match(await csv('heatmap', 'ru'), /^Вторник;12;3;1;33,3\r$/m);
  assert.match(await csv('heatmap', 'en'), /^Tuesday,12,3,1,33.3\r$/m);
});

for (const [lang, f] of Object.entries(LANGS)) {
  test(`${lang}: an order's sum on the card, the customer and the order pages`, async () => {
    for (const path of [`/calls/${callId}`, `/customers/${customerId}`, `/orders/${orderId}`]) {
      const r = await viewer.get(path, say(lang));
      assert.equal(r.status, 200, `${path}: ${r.status}`);
      assert.ok(r.text_.includes(`<span>${f.sum}</span> <span>UAH</span>`), `${lang} ${path}: ${f.sum} UAH`);
      if (lang !== 'en') assert.ok(!r.text_.includes('1250.50'), `${lang} ${path}: no point`);
    }
  });
}

test('JSON: the sum as stored, its shown form beside it', async () => {
  const card = JSON.parse((await viewer.get(`/calls/${callId}?format=json`, say('uk'))).text_);
  const o = card.orders.find((x) => x.id === Number(orderId));
  assert.equal(o.total, '1250.50');
  assert.equal(o.total_shown, LANGS.uk.sum);
  const order = JSON.parse((await viewer.get(`/orders/${orderId}?format=json`, say('pl'))).text_);
  assert.equal(order.total, '1250.50');
  assert.equal(order.currency, 'UAH');
  assert.equal(order.total_shown, LANGS.pl.sum);
});
