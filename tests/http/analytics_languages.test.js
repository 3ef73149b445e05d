// The analytics page in the viewer's language (issue 18): its own words (headings, chart titles,
// the heatmap's weekdays, a 400 reason), numbers as each language writes them (a count of
// thousands grouped, a rate with its decimal comma), days as each writes them, and the CSV's
// headers. The machine-read parts stay as they were: the SVG's data-key, data-series and
// data-value, the JSON's keys and values, the CSV's numbers and ISO days.
//
// 12,000 incoming calls (10,000 answered, 2,000 missed: 83.3 %) of a manager of this file's own
// within 20 minutes of one day far from the other tests' ranges; every request filters by that manager.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const DAY = '2025-06-11';
const RANGE = `from=${DAY}&to=${DAY}`;
const NBSP = '\u00a0';
const say = (lang) => ({ 'accept-language': lang });
let admin, viewer, mgrId;

async function roleUser(scopes) {
  const name = uniq('anlang');
  const form = { csrf: await admin.csrf(), name, description: 'analytics languages test role' };
  for (const [p, s] of Object.entries(scopes)) form[`perm_${p}`] = s;
  const r = await admin.post('/settings/roles', { form });
  assert.equal(r.status, 303, `create role: ${r.status}`);
  const [[roleId]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  const login = uniq('anl');
  const id = await createUser(admin, { name: `Lang ${login}`, login, role_id: Number(roleId),
    password: 'long enough pw', time_zone: 'UTC' });
  const c = new Client();
  await c.login(login, 'long enough pw');
  return { c, id };
}

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  const [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  viewer = await roleUser({ analytics: 'all', calls: 'all', settings: 'all' });
  mgrId = (await roleUser({ calls: 'own' })).id;
  const prefix = uniq('anlang-');
  // One statement: seq_0_to_11999 is MariaDB's sequence engine.
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
      client_digits_rev, our_number, manager_id, started_at, answered_at, talk_seconds, wait_seconds)
    SELECT ?, CONCAT(?, seq), 'in', 'ended', IF(seq < 10000, 'answered', 'missed'), '', '',
      '+380443900100', ?, ? + INTERVAL (seq DIV 10) SECOND, IF(seq < 10000, ? + INTERVAL (seq DIV 10) SECOND, NULL),
      IF(seq < 10000, 30, 0), IF(seq < 10000, 5, 0)
    FROM seq_0_to_11999`, [integ, prefix, mgrId, `${DAY} 08:00:00`, `${DAY} 08:00:00`]);
});

after(async () => {
  await sql('DELETE FROM calls WHERE manager_id = ?', [mgrId]);
});

const page = (lang, q = `${RANGE}&manager=${mgrId}`) => viewer.c.get(`/analytics?${q}`, { headers: say(lang) });

// Each language's words and forms (po/<lang>.po; lib/i18n for numbers and days).
const WANT = {
  uk: { lang: 'uk', title: 'Аналітика дзвінків', chart: 'Вхідні дзвінки за днями', monday: 'Понеділок', mon: 'Пн',
    heat: 'Вхідні дзвінки за днем тижня та годиною', total: `12${NBSP}000`, rate: '83,3%', day: '11.06.2025',
    axis: '11.06', inverted: 'Діапазон навпаки: дата "from" пізніша за "to".', answered: 'прийнято' },
  pl: { lang: 'pl', title: 'Analityka połączeń', chart: 'Połączenia przychodzące według dni', monday: 'Poniedziałek',
    mon: 'Pon.', heat: 'Połączenia przychodzące według dnia tygodnia i godziny', total: `12${NBSP}000`, rate: '83,3%',
    day: '11.06.2025', axis: '11.06', inverted: 'Zakres jest odwrócony: data "from" jest późniejsza niż "to".',
    answered: 'odebrane' },
  en: { lang: 'en', title: 'Call analytics', chart: 'Incoming calls per day', monday: 'Monday', mon: 'Mon',
    heat: 'Incoming calls by day of week and hour', total: '12,000', rate: '83.3%', day: '11 Jun 2025',
    axis: '11 Jun', inverted: 'The range is inverted: "from" is after "to".', answered: 'answered' },
};
const unquote = (s) => s.replace(/&quot;|&#34;/g, '"');

// The page as libxml2 reads it (xmllint is libxml2's own command), as tests/http/analytics.test.js.
function xpath(html, expr) {
  return execFileSync('xmllint', ['--html', '--xpath', expr, '-'], { input: html, stdio: ['pipe', 'pipe', 'ignore'] })
    .toString().trim();
}

for (const [code, w] of Object.entries(WANT)) {
  test(`the page in ${code}: its words, weekdays, chart titles, numbers and days`, async () => {
    const r = await page(code);
    assert.equal(r.status, 200);
    const html = r.text_;
    const x = (e) => xpath(html, `string(${e})`);
    assert.equal(x('/html/@lang'), w.lang);
    assert.equal(x('//h1'), w.title);
    // Chart titles (the SVG's <title>, its accessible name), the heatmap's.
    assert.equal(x('//svg[@id="chart-in"]/title'), w.chart);
    assert.equal(x('//svg[@id="chart-heat"]/title'), w.heat);
    // The weekdays: the table's whole names, the chart's abbreviations; Monday first.
    assert.equal(x('//table[@class="heatmap"]/tbody/tr[1]/th'), w.monday);
    assert.equal(x('//svg[@id="chart-heat"]//g[@class="rows"]/text[1]'), w.mon);
    // Numbers: a count of thousands grouped, a rate with the language's decimal sign.
    assert.equal(x('//a[@id="cur-in-total"]'), w.total, `${code}: incoming`);
    assert.equal(x('//a[@id="cur-in-answered"]'), code === 'en' ? '10,000' : `10${NBSP}000`);
    assert.equal(x('//td[@id="answer-rate"]/span[1]'), w.rate);
    // Days: the daily table's <time> (datetime ISO), the axis label; data-day stays ISO.
    assert.equal(x(`//table[@id="daily"]//tr[@data-day="${DAY}"]/th/time`), w.day);
    assert.equal(x(`//table[@id="daily"]//tr[@data-day="${DAY}"]/th/time/@datetime`), DAY);
    assert.equal(x('//svg[@id="chart-in"]//g[@class="labels"]/text[1]'), w.axis);
    assert.ok(x('//p[@class="range"]').startsWith(`${w.day} – ${w.day} (1 `), x('//p[@class="range"]'));
    // The legend and the hover text name the outcome in the language; data-series stays English
    // and data-value the plain number, for machines.
    assert.equal(x('//section[@class="days"]//ul[@class="legend"]/li[1]'), w.answered);
    const bar = `//svg[@id="chart-in"]//rect[@data-key="${DAY}" and @data-series="answered"]`;
    assert.equal(x(`${bar}/@data-value`), '10000');
    assert.equal(x(`${bar}/title`), `${w.day}, ${w.answered}: ${code === 'en' ? '10,000' : `10${NBSP}000`}`);
    // A 400 reason in the language.
    const bad = await page(code, 'from=2026-03-30&to=2026-03-28');
    assert.equal(bad.status, 400);
    assert.ok(unquote(bad.text_).includes(w.inverted), `${code}: ${w.inverted}`);
  });
}

test('the JSON keeps its English keys and plain numbers in every language', async () => {
  const r = await viewer.c.get(`/analytics?${RANGE}&manager=${mgrId}&format=json`,
    { headers: { ...say('pl'), accept: 'application/json' } });
  assert.equal(r.status, 200);
  const m = JSON.parse(r.text_);
  assert.equal(m.current.in.total.value, 12000);
  assert.equal(m.current.in.total.shown, `12${NBSP}000`);
  assert.equal(m.current.answer_rate, '83.3');
  assert.equal(m.heatmap[0].day, 'Monday');
  assert.equal(m.heatmap[0].day_shown, 'Poniedziałek');
  assert.equal(m.days[0].day, DAY);
  assert.equal(m.wait.buckets[0].bucket, '0-9 s');
});

test('the CSV\'s headers in Spanish; its numbers and days stay as machines read them', async () => {
  const r = await viewer.c.get(`/analytics.csv?${RANGE}&manager=${mgrId}&table=daily`, { headers: say('es') });
  assert.equal(r.status, 200);
  const lines = r.text_.replace(/^\uFEFF/, '').trim().split('\r\n');
  // Spanish Excel lists with ';' (a decimal comma): csv_separator_for().
  assert.equal(lines[0], 'día;entrantes atendidas;entrantes perdidas;entrantes otras;entrantes total;' +
    'salientes atendidas;salientes perdidas;salientes otras;salientes total;tasa de respuesta %;' +
    'tasa de llamadas perdidas %');
  assert.equal(lines[1], `${DAY};10000;2000;0;12000;0;0;0;0;83,3;16,7`);
  const heat = await viewer.c.get(`/analytics.csv?${RANGE}&manager=${mgrId}&table=heatmap`, { headers: say('es') });
  const hl = heat.text_.replace(/^\uFEFF/, '').trim().split('\r\n');
  assert.equal(hl[0], 'día de la semana;hora;entrantes;perdidas;perdidas %');
  assert.ok(hl.some((l) => l.startsWith('Miércoles;08;12000;2000;')), hl.slice(0, 3).join(' / '));
});

test('Settings › Analytics: its error in Ukrainian', async () => {
  const csrf = await viewer.c.csrf();
  const r = await viewer.c.post('/settings/analytics', { headers: say('uk'), form: { csrf, target_minutes: '0' } });
  assert.equal(r.status, 400);
  // The bounds as they are typed into the number field, not grouped.
  assert.ok(r.text_.includes('Ціль — ціле число хвилин від 1 до 1440 (доба).'), r.text_.slice(0, 200));
  assert.match(r.text_, /<title>[^<]*Аналітика · Налаштування/);
});
