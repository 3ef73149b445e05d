// Call analytics (issue 21): /analytics and /analytics.csv.
//
// The figures are checked against calls this file inserts for a user of its
// own (every query filtered by manager=<that user>, so the demo data and
// other tests' calls do not count), in Europe/Kyiv across the spring DST
// change (2026-03-29: 03:00 EET becomes 04:00 EEST, a 23-hour day). Every
// figure's link is followed to the history's CSV and its rows counted; the
// SVG charts are read with libxml2 (xmllint --html --xpath) and their drawn
// values compared with the database.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

const RANGE = 'from=2026-03-28&to=2026-03-30';
let admin, mgrId, ownClient, ownId, integ;
const num = () => `+38050${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const rev = (n) => n.replace(/\D/g, '').split('').reverse().join('');
const numbers = { m1: num(), m2: num(), m3: num() };

async function insertCall(c) {
  const ext = uniq('an');
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
      client_number, client_digits_rev, our_number, manager_id, started_at, answered_at,
      talk_seconds, wait_seconds)
    VALUES (?, ?, ?, 'ended', ?, ?, ?, '+380443900100', ?, ?, ?, ?, ?)`, [
    integ, ext, c.dir, c.result, c.number || '', c.number ? rev(c.number) : '', c.manager,
    c.at, c.result === 'answered' ? c.at : null, c.talk || 0, c.wait || 0]);
}

async function roleUser(adminC, scopes, tz) {
  const name = uniq('anrole');
  const form = { csrf: await adminC.csrf(), name, description: 'analytics test role' };
  for (const [p, s] of Object.entries(scopes)) form[`perm_${p}`] = s;
  const r = await adminC.post('/settings/roles', { form });
  assert.equal(r.status, 303, `create role: ${r.status} ${r.text_.slice(0, 300)}`);
  const [[roleId]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  const login = uniq('an');
  const id = await createUser(adminC, { name: `Ann <b>Alytics</b> ${login}`, login,
    role_id: Number(roleId), password: 'long enough pw', time_zone: tz });
  const c = new Client();
  await c.login(login, 'long enough pw');
  return { c, id };
}

let viewer;
before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  [[integ]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  // The viewer: analytics and history for all, in Kyiv. The calls are
  // managed by mgr (another new user), so ?manager=mgr isolates them.
  viewer = await roleUser(admin, { analytics: 'all', calls: 'all', 'calls.dial': 'all' }, 'Europe/Kyiv');
  mgrId = (await roleUser(admin, { calls: 'own' }, 'UTC')).id;
  const m = mgrId;
  const calls = [
    // Across the DST change: local days 28, 29, 29, 30.
    { dir: 'in', result: 'answered', at: '2026-03-28 21:30:00', manager: m, talk: 60, wait: 5 },
    { dir: 'in', result: 'answered', at: '2026-03-28 22:30:00', manager: m, talk: 120, wait: 10 },
    { dir: 'in', result: 'answered', at: '2026-03-29 20:30:00', manager: m, talk: 30, wait: 20 },
    { dir: 'in', result: 'answered', at: '2026-03-29 21:30:00', manager: m, talk: 600, wait: 40 },
    // Follow-up on 2026-03-30 (UTC+3): m1 called back in 10 min (within
    // 15), m2 called again 40 min later and was answered (late), m3 twice
    // and never handled.
    { dir: 'in', result: 'missed', at: '2026-03-30 06:00:00', manager: m, number: numbers.m1 },
    { dir: 'out', result: 'answered', at: '2026-03-30 06:10:00', manager: m, number: numbers.m1, talk: 45 },
    { dir: 'in', result: 'no_answer', at: '2026-03-30 07:00:00', manager: m, number: numbers.m2 },
    { dir: 'in', result: 'answered', at: '2026-03-30 07:40:00', manager: m, number: numbers.m2, talk: 90, wait: 3 },
    { dir: 'in', result: 'missed', at: '2026-03-30 08:00:00', manager: m, number: numbers.m3 },
    { dir: 'in', result: 'busy', at: '2026-03-30 09:00:00', manager: m, number: numbers.m3 },
    { dir: 'out', result: 'failed', at: '2026-03-30 10:00:00', manager: m, number: num() },
  ];
  for (const c of calls) await insertCall(c);
  // A user with scope "own": two calls of theirs in the range.
  const own = await roleUser(admin, { analytics: 'own', calls: 'own' }, 'Europe/Kyiv');
  ownClient = own.c;
  ownId = own.id;
  await insertCall({ dir: 'in', result: 'answered', at: '2026-03-30 12:00:00', manager: ownId, talk: 10, wait: 7 });
  await insertCall({ dir: 'in', result: 'missed', at: '2026-03-30 12:30:00', manager: ownId, number: num() });
});

async function report(c, q) {
  const r = await c.get(`/analytics?${q}&format=json`);
  assert.equal(r.status, 200, `${q}: ${r.status} ${r.text_.slice(0, 300)}`);
  return JSON.parse(r.text_);
}

// The history's rows for a figure's link (its CSV export: every row).
async function historyCount(c, url) {
  assert.ok(url && url.startsWith('/calls?'), `a history link: ${url}`);
  const r = await c.get(url.replace('/calls?', '/calls.csv?'));
  assert.equal(r.status, 200, `${url}: ${r.status}`);
  return r.text_.trim().split('\r\n').length - 1;
}

test('calls per day are the viewer\'s local days across a DST change', async () => {
  const m = await report(viewer.c, `${RANGE}&manager=${mgrId}`);
  const byDay = Object.fromEntries(m.days.map((d) => [d.day, d]));
  assert.deepEqual(m.days.map((d) => d.day), ['2026-03-28', '2026-03-29', '2026-03-30']);
  assert.equal(byDay['2026-03-28'].in.answered.value, 1);
  assert.equal(byDay['2026-03-29'].in.answered.value, 2);
  // 21:30Z on the 29th is 00:30 EEST on the 30th (a fixed +2 would say the 29th).
  assert.equal(byDay['2026-03-30'].in.answered.value, 2);
  assert.equal(byDay['2026-03-30'].in.missed.value, 4);
  assert.equal(byDay['2026-03-30'].out.answered.value, 1);
  assert.equal(byDay['2026-03-30'].out.other.value, 1);
  assert.equal(m.current.in.total.value, 9);
  assert.equal(m.current.answer_rate, '55.6');
  assert.equal(m.current.missed_rate, '44.4');
  assert.equal(m.previous.in.total.value, 0);
  assert.equal(m.previous.from, '2026-03-25');
});

test('every figure links to the history with exactly those calls', async () => {
  const m = await report(viewer.c, `${RANGE}&manager=${mgrId}`);
  const figs = [m.current.in.total, m.current.in.answered, m.current.in.missed, m.current.out.total,
    m.current.out.other];
  for (const d of m.days) figs.push(d.in.answered, d.in.missed, d.out.answered);
  const row = m.managers.find((x) => x.id === mgrId);
  figs.push(row.taken, row.missed);
  for (const f of figs) {
    assert.equal(await historyCount(viewer.c, f.url), f.value, f.url);
  }
  const never = m.followup.never_list;
  assert.equal(never.length, 1);
  assert.equal(await historyCount(viewer.c, never[0].url), never[0].count);
  // The same for the whole demo range without a manager (some hundreds).
  const all = await report(admin, 'from=2026-01-01&to=2026-12-31');
  for (const f of [all.current.in.total, all.current.in.missed, all.current.out.answered]) {
    assert.equal(await historyCount(admin, f.url), f.value, f.url);
  }
  for (const l of all.lines.filter((x) => x.calls.url)) {
    assert.equal(await historyCount(admin, l.calls.url), l.calls.value, l.calls.url);
  }
});

test('missed-call follow-up: within target, late, never; median and p90; callbacks', async () => {
  const m = await report(viewer.c, `${RANGE}&manager=${mgrId}`);
  const f = m.followup;
  assert.equal(f.target_minutes, 15);
  assert.deepEqual([f.missed, f.within, f.late, f.never], [4, 1, 1, 2]);
  assert.equal(f.median_seconds, 600);
  assert.equal(f.p90_seconds, 2400);
  assert.equal(f.never_list[0].number, numbers.m3);
  assert.equal(f.never_list[0].count, 2);
  assert.match(f.never_list[0].dial_url, /^\/dial\?number=/);
  const row = m.managers.find((x) => x.id === mgrId);
  assert.equal(row.taken.value, 5);
  assert.equal(row.missed.value, 4);
  assert.equal(row.callbacks, 1);
  assert.equal(row.talk_longest_seconds, 600);
  assert.equal(row.talk_avg_seconds, Math.round((60 + 120 + 30 + 600 + 90) / 5));
  // The target is a setting.
  await sql("REPLACE INTO settings (name, value) VALUES ('analytics.callback_target_minutes', '60')");
  try {
    const m2 = await report(viewer.c, `${RANGE}&manager=${mgrId}`);
    assert.deepEqual([m2.followup.within, m2.followup.late, m2.followup.never], [2, 0, 2]);
  } finally {
    await sql("DELETE FROM settings WHERE name = 'analytics.callback_target_minutes'");
  }
});

test('heatmap, waiting time, callers', async () => {
  const m = await report(viewer.c, `${RANGE}&manager=${mgrId}`);
  // 2026-03-29 20:30Z = Sunday 23:30 EEST.
  assert.equal(m.heatmap[6].hours[23].calls, 1);
  const cells = m.heatmap.flatMap((r) => r.hours);
  assert.equal(cells.reduce((a, c) => a + c.calls, 0), 9);
  assert.equal(cells.reduce((a, c) => a + c.missed, 0), 4);
  assert.equal(m.wait.answered, 5);
  assert.equal(m.wait.median_seconds, 10);
  assert.equal(m.wait.p90_seconds, 40);
  assert.equal(m.callers.numbers, 3);
  // m1-m3 never called before the range: all new.
  assert.equal(m.callers.new, 3);
  assert.equal(m.callers.returning, 0);
});

// The SVG as libxml2 reads it (xmllint is libxml2's own command).
function xpath(html, expr) {
  return execFileSync('xmllint', ['--html', '--xpath', expr, '-'], { input: html, stdio: ['pipe', 'pipe', 'ignore'] })
    .toString().trim();
}

test('the charts draw the database\'s numbers, with a title, a description and a table', async () => {
  const r = await viewer.c.get(`/analytics?${RANGE}&manager=${mgrId}`);
  assert.equal(r.status, 200);
  const html = r.text_;
  for (const id of ['chart-in', 'chart-out', 'chart-heat', 'chart-wait']) {
    assert.equal(xpath(html, `count(//svg[@id="${id}"]/title)`), '1', id);
    assert.equal(xpath(html, `count(//svg[@id="${id}"]/desc)`), '1', id);
    assert.equal(xpath(html, `string(//svg[@id="${id}"]/@role)`), 'img');
  }
  // Each bar's value per day and series, against SQL with the local days'
  // UTC bounds worked out by hand.
  const bounds = { '2026-03-28': ['2026-03-27 22:00', '2026-03-28 22:00'],
    '2026-03-29': ['2026-03-28 22:00', '2026-03-29 21:00'],
    '2026-03-30': ['2026-03-29 21:00', '2026-03-30 21:00'] };
  for (const [day, [a, b]] of Object.entries(bounds)) {
    const [[ans, mis]] = await sql(`SELECT SUM(result = 'answered'), SUM(result IN ('missed','no_answer','busy'))
      FROM calls WHERE manager_id = ? AND direction = 'in' AND started_at >= ? AND started_at < ?`, [mgrId, a, b]);
    for (const [series, want] of [['answered', Number(ans)], ['missed', Number(mis)]]) {
      const drawn = xpath(html, `sum(//svg[@id="chart-in"]//rect[@data-key="${day}" and @data-series="${series}"]/@data-value)`);
      assert.equal(Number(drawn), want, `${day} ${series}`);
    }
  }
  // Heights are proportional to the values (one scale per chart).
  const vals = xpath(html, '//svg[@id="chart-in"]//rect/@data-value').match(/\d+/g).map(Number);
  const hs = xpath(html, '//svg[@id="chart-in"]//rect/@height').match(/[\d.]+/g).map(Number);
  const k = hs[0] / vals[0];
  hs.forEach((h, i) => assert.ok(Math.abs(h - vals[i] * k) < 0.2, `bar ${i}: ${h} vs ${vals[i]}`));
  // Heatmap cells: their sum is the incoming calls.
  assert.equal(Number(xpath(html, 'sum(//svg[@id="chart-heat"]//rect/@data-value)')), 9);
  // Labels are escaped text: a manager named with markup stays text.
  assert.ok(!/<b>Alytics<\/b>/.test(html));
  // The table fallback holds the same numbers.
  assert.equal(xpath(html, 'string(//table[@id="daily"]//tr[@data-day="2026-03-29"]//a[@class="in-answered"])'), '2');
});

test('CSV export of the tables', async () => {
  const r = await viewer.c.get(`/analytics.csv?${RANGE}&manager=${mgrId}&table=daily`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const lines = r.text_.trim().split('\r\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0], /^day,in answered,in missed/);
  assert.match(lines[3], /^2026-03-30,2,4,0,6,1,0,1,2,/);
  for (const t of ['followup', 'managers', 'heatmap', 'wait', 'lines']) {
    const x = await viewer.c.get(`/analytics.csv?${RANGE}&manager=${mgrId}&table=${t}`);
    assert.equal(x.status, 200, t);
  }
  const m = await viewer.c.get(`/analytics.csv?${RANGE}&manager=${mgrId}&table=managers`);
  assert.match(m.text_, /,5,3:00,10:00,4,1\r\n/);
  assert.equal((await viewer.c.get(`/analytics.csv?${RANGE}&table=nope`)).status, 400);
});

test('bad input is a 400 with the reason on the page', async () => {
  const cases = [
    ['from=2026-03-30&to=2026-03-28', /inverted/],
    ['from=2024-01-01&to=2026-03-28', /longer than 2 years/],
    ['from=2026-02-30&to=2026-03-28', /from.{1,8} date must look like/],
    [`${RANGE}&colour=red`, /Unknown filter .{1,8}colour/],
    [`${RANGE}&direction=sideways`, /Direction must be/],
    [`${RANGE}&manager=abc`, /manager.{1,8} filter is an id/],
    [`${RANGE}&line=hello`, /line must be a phone number/],
  ];
  for (const [q, re] of cases) {
    const r = await viewer.c.get(`/analytics?${q}`);
    assert.equal(r.status, 400, q);
    assert.match(r.text_, re, q);
  }
  // Exactly two years (731 days) is allowed.
  assert.equal((await viewer.c.get('/analytics?from=2024-03-29&to=2026-03-29')).status, 200);
});

test('a role without analytics gets 403; the nav link shows only with it', async () => {
  const intern = new Client();
  await intern.login('intern', 'intern');
  assert.equal((await intern.get('/analytics')).status, 403);
  assert.equal((await intern.get('/analytics.csv?table=daily')).status, 403);
  const page = await intern.get('/calls');
  assert.ok(!page.text_.includes('href="/analytics"'));
  const v = await viewer.c.get('/calls');
  assert.ok(v.text_.includes('href="/analytics"'));
});

test('scope "own" sees only the user\'s own calls in every figure', async () => {
  const m = await report(ownClient, RANGE);
  assert.equal(m.own_scope, true);
  assert.equal(m.current.in.total.value, 2);
  assert.equal(m.current.out.total.value, 0);
  assert.equal(m.days.reduce((a, d) => a + d.in.total.value + d.out.total.value, 0), 2);
  assert.deepEqual(m.managers.map((x) => x.id), [ownId]);
  assert.equal(m.followup.missed, 1);
  assert.equal(m.heatmap.flatMap((r) => r.hours).reduce((a, c) => a + c.calls, 0), 2);
  assert.equal(m.wait.answered, 1);
  assert.equal(m.callers.numbers, 1);
  assert.equal(m.lines.reduce((a, l) => a + l.calls.value, 0), 2);
  // Asking for another manager does not widen it.
  const other = await report(ownClient, `${RANGE}&manager=${mgrId}`);
  assert.equal(other.current.in.total.value + other.current.out.total.value, 0);
  assert.equal(other.followup.missed, 0);
  // The history agrees with the own figures.
  assert.equal(await historyCount(ownClient, m.current.in.total.url), 2);
});
