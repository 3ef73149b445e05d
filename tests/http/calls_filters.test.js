// The history's filters, sorts and CSV export through the real stack
// (nginx → calls → MariaDB), issue 4 §1: every filter and text mode, keyset
// pages for each sort, the CSV (RFC 4180 quoting, formula defusing, the same
// rows as the JSON listing across pages, keyset chunks past 1,000 rows),
// malformed values (400 with a message) and payloads reflected in the form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { postGeneric, callsOf } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const DID = '+48223900400';                 // the demo generic line
const nowS = () => Math.floor(Date.now() / 1000);
const tag = `cf${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const randDigits = (n) => [...randomBytes(n)].map((b) => String(b % 10)).join('');

let c;                                      // logged in as manager (Europe/Kyiv)
const made = {};                            // our calls, by name

// One answered (or missed) incoming call in one event; returns the stored call.
async function makeCall(name, { from, ext = '103', talk = 42, callerName, status = 'answered', ago = 3 * 86400 } = {}) {
  const id = `${tag}-${name}-${randomBytes(3).toString('hex')}`;
  const t0 = nowS() - ago;
  const ev = { event: 'call.end', call_id: id, direction: 'in', from, did: DID, ext, start: t0,
    end: t0 + 5 + talk, status };
  if (status === 'answered') { ev.answer = t0 + 5; ev.billsec = talk; }
  if (callerName) ev.caller_name = callerName;
  const res = await postGeneric(ev);
  assert.equal(res.status, 200, res.text_);
  const [call] = await callsOf('generic', id);
  assert.ok(call, `stored ${id}`);
  made[name] = { ...call, number: from };
  return made[name];
}

async function json(path) {
  const res = await c.get(path + (path.includes('?') ? '&' : '?') + 'format=json');
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.text_}`);
  return JSON.parse(res.text_);
}

// Every page of a listing, following next_url.
async function allPages(path, max = 60) {
  const rows = [];
  let url = path;
  for (let i = 0; url && i < max; i++) {
    const m = await json(url);
    rows.push(...m.calls);
    url = m.next_url;
  }
  return rows;
}

const ids = (rows) => rows.map((r) => r.id);
const enc = encodeURIComponent;

// A minimal RFC 4180 reader for the tests.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const OLD_YEAR = 2001;                      // 1,100 bulk calls live here
const BULK = 1100;

before(async () => {
  c = new Client();
  await c.login('manager', 'manager');
  const a = '+38099' + randDigits(7);
  const b = '+38099' + randDigits(7);
  await makeCall('long', { from: a, ext: '104', talk: 777 });
  await makeCall('short', { from: a, ext: '104', talk: 3 });
  await makeCall('other', { from: b, ext: '105', talk: 120 });
  await makeCall('formula', { from: '+38099' + randDigits(7), talk: 9,
    callerName: '=HYPERLINK("http://evil.example","x"), @SUM(1)' });
  // Bulk rows for the CSV chunking test, far in the past so the newest
  // pages other tests read are untouched.
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
      client_number, client_digits_rev, our_number, started_at, talk_seconds, recording_state)
    SELECT i.id, CONCAT(?, '-bulk-', s.seq), 'in', 'ended', 'answered', '+380990000000',
      '000000099083', '+48223900400',
      TIMESTAMP('${OLD_YEAR}-03-01 00:00:00') + INTERVAL (s.seq DIV 2) MINUTE,
      s.seq MOD 300, 'none'
    FROM seq_1_to_${BULK} s JOIN integrations i ON i.slug = 'generic'`, [tag]);
});

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-bulk-%')", [tag]);
});

test('manager filter: only that manager, the select marks it', async () => {
  const m = await json(`/calls?manager=${made.long.manager.id}`);
  assert.ok(m.calls.length > 0);
  assert.ok(m.calls.every((r) => r.manager_id === made.long.manager.id));
  const opt = m.managers.find((o) => o.id === made.long.manager.id);
  assert.equal(opt.selected, true);
  assert.ok(m.managers.filter((o) => o.selected).length === 1);
  assert.ok(ids(m.calls).includes(made.long.id));
});

test('integration filter: only that integration', async () => {
  // the API gives the integration's slug: take its id from the history row
  const row = (await json(`/calls?external_id=${enc(made.long.external_id)}`)).calls[0];
  const f = await json(`/calls?integration=${row.integration_id}`);
  assert.ok(f.calls.length > 0);
  assert.ok(f.calls.every((r) => r.integration_id === row.integration_id));
  assert.ok(f.integrations.find((o) => o.id === row.integration_id).selected);
  // This run's calls (on a stack used before, newer calls of other runs
  // fill the first page): all of them, and so the one from 3 days ago.
  const mine = await json(`/calls?integration=${row.integration_id}&external_id=${enc(tag + '-')}&external_id_mode=begins`);
  assert.ok(mine.calls.every((r) => r.integration_id === row.integration_id));
  assert.ok(ids(mine.calls).includes(made.other.id));
});

test('our number: exact (any format), begins, ends, contains, not', async () => {
  const exact = await allPages(`/calls?our_number=${enc(DID)}`);
  assert.ok(exact.length > 0 && exact.every((r) => r.our_number === DID));
  const spaced = await allPages(`/calls?our_number=${enc('+48 22 390 04 00')}`);
  assert.deepEqual(ids(spaced), ids(exact));
  const begins = await allPages(`/calls?our_number=${enc('+4822')}&our_number_mode=begins`);
  assert.ok(begins.every((r) => r.our_number.startsWith('+4822')));
  assert.ok(ids(exact).every((id) => ids(begins).includes(id)));
  const ends = await allPages(`/calls?our_number=0400&our_number_mode=ends&from=2026-01-01`);
  assert.ok(ends.length > 0 && ends.every((r) => r.our_number.endsWith('0400')));
  const contains = await allPages(`/calls?our_number=3900&our_number_mode=contains&from=2026-01-01`);
  assert.ok(contains.length > 0 && contains.every((r) => r.our_number.includes('3900')));
  const not = await json(`/calls?our_number=${enc(DID)}&our_number_not=1`);
  assert.ok(not.calls.length > 0 && not.calls.every((r) => r.our_number !== DID));
});

test('direction and result', async () => {
  const m = await json('/calls?direction=out&result=answered');
  assert.ok(m.calls.length > 0);
  assert.ok(m.calls.every((r) => r.direction === 'out' && r.result === 'answered'));
  assert.equal(m.filters.is_out, true);
});

test('duration range, both bounds inclusive', async () => {
  const rows = await allPages('/calls?talk_min=700&talk_max=800');
  assert.ok(rows.every((r) => r.talk_seconds >= 700 && r.talk_seconds <= 800));
  assert.ok(ids(rows).includes(made.long.id));
  assert.ok(!ids(rows).includes(made.short.id));
  const exact = await json('/calls?talk_min=3&talk_max=3');
  assert.ok(exact.calls.every((r) => r.talk_seconds === 3));
  const onlyMin = await json('/calls?talk_min=1000');
  assert.ok(onlyMin.calls.every((r) => r.talk_seconds >= 1000));
});

test('date range in the viewer\'s time zone', async () => {
  const m = await json('/calls?sort=time_asc');
  const day = m.calls[0].time.slice(0, 10);
  const rows = await allPages(`/calls?from=${day}&to=${day}`);
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => r.time.slice(0, 10) === day), 'local dates');
});

test('number search: ends (default), exact, begins, contains, not', async () => {
  const num = made.long.number;             // +38099xxxxxxx, two calls
  const last7 = num.slice(-7);
  const ends = await allPages(`/calls?q=${last7}`);
  assert.ok(ends.length >= 2 && ends.every((r) => r.number.endsWith(last7)));
  const endsMode = await allPages(`/calls?q=${last7}&q_mode=ends`);
  assert.deepEqual(ids(endsMode), ids(ends));
  const exact = await allPages(`/calls?q=${enc('0' + num.slice(4))}&q_mode=exact`);
  assert.deepEqual(ids(exact).sort(), [made.long.id, made.short.id].sort());
  const begins = await allPages(`/calls?q=${num.slice(1, 9)}&q_mode=begins&from=2026-01-01`);
  assert.ok(begins.every((r) => r.number.replace(/\D/g, '').startsWith(num.slice(1, 9))));
  assert.ok(ids(begins).includes(made.long.id));
  const mid = num.slice(5, 10);
  const contains = await allPages(`/calls?q=${mid}&q_mode=contains&from=2026-01-01`);
  assert.ok(contains.every((r) => r.number.replace(/\D/g, '').includes(mid)));
  assert.ok(ids(contains).includes(made.short.id));
  const not = await allPages(`/calls?q=${enc(num)}&q_mode=exact&q_not=1&from=2026-01-01`);
  assert.ok(not.length > 0 && not.every((r) => r.number !== num));
  assert.ok(!ids(not).includes(made.long.id));
});

// A complete number in "ends" (the default) is served as "exact" (ordered by
// the index, no sort of all the number's calls) unless a longer stored number
// ends with the same digits; then those calls are found too (cgi/calls.c
// read_number).
test('number search: a complete number in "ends" mode, with and without a longer stored number', async () => {
  const num = made.other.number;            // one call, no longer number stored
  const whole = await allPages(`/calls?q=${enc(num)}`);
  assert.deepEqual(ids(whole), [made.other.id]);
  assert.deepEqual(ids(whole), ids(await allPages(`/calls?q=${enc(num)}&q_mode=exact`)));
  // The same digits behind an international prefix, as a PBX may send them.
  const longer = '00' + made.long.number.slice(1);
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
      client_number, client_digits_rev, our_number, started_at, talk_seconds, recording_state)
    SELECT i.id, CONCAT(?, '-longer'), 'in', 'ended', 'missed', ?, REVERSE(?), '+48223900400',
      UTC_TIMESTAMP(3) - INTERVAL 2 DAY, 0, 'none'
    FROM integrations i WHERE i.slug = 'generic'`, [tag, longer, longer]);
  const [[longId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-longer`]);
  const ends = await allPages(`/calls?q=${enc(made.long.number)}`);
  assert.deepEqual(ids(ends).sort(), [made.long.id, made.short.id, Number(longId)].sort());
  const exact = await allPages(`/calls?q=${enc(made.long.number)}&q_mode=exact`);
  assert.deepEqual(ids(exact).sort(), [made.long.id, made.short.id].sort());
  const csv = parseCsv((await c.get(`/calls.csv?q=${enc(made.long.number)}`)).text_);
  assert.equal(csv.length - 1, 3);
  // No call of the number itself, one of a longer number: "exact" finds no
  // row to carry the longer-number column, so it is asked on its own.
  const lone = `+4822391${String(Date.now() % 10000).padStart(4, '0')}`;
  const lonely = '00' + lone.slice(1);
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result,
      client_number, client_digits_rev, our_number, started_at, talk_seconds, recording_state)
    SELECT i.id, CONCAT(?, '-lonely'), 'in', 'ended', 'missed', ?, REVERSE(?), '+48223900400',
      UTC_TIMESTAMP(3) - INTERVAL 2 DAY, 0, 'none'
    FROM integrations i WHERE i.slug = 'generic'`, [tag, lonely, lonely]);
  const [[lonelyId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [`${tag}-lonely`]);
  assert.deepEqual(ids(await allPages(`/calls?q=${enc(lone)}`)), [Number(lonelyId)]);
  assert.deepEqual(ids(await allPages(`/calls?q=${enc(lone)}&q_mode=exact`)), []);
  assert.equal(parseCsv((await c.get(`/calls.csv?q=${enc(lone)}`)).text_).length - 1, 1);
});

test('"contains" and unindexed "ends" need a date range or an indexed filter', async () => {
  for (const q of ['q=12&q_mode=contains', 'external_id=x&external_id_mode=ends',
    'our_number=00&our_number_mode=contains', 'q=38&q_mode=begins']) {
    const res = await c.get(`/calls?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(res.text_, /date range/);
  }
  assert.equal((await c.get('/calls?q=12&q_mode=contains&manager=2')).status, 200);
  assert.equal((await c.get('/customers/1/calls?q=12&q_mode=contains')).status, 200);
});

test('provider call id: exact, begins, ends, contains, not', async () => {
  const id = made.other.external_id;
  const exact = await json(`/calls?external_id=${enc(id)}`);
  assert.deepEqual(ids(exact.calls), [made.other.id]);
  const exact2 = await json(`/calls?external_id=${enc(id)}&external_id_mode=exact`);
  assert.deepEqual(ids(exact2.calls), [made.other.id]);
  const begins = await allPages(`/calls?external_id=${enc(tag + '-')}&external_id_mode=begins`);
  assert.ok(begins.length >= 4);
  assert.ok(begins.every((r) => r.external_id.startsWith(tag + '-')));
  const suffix = id.slice(-6);
  const ends = await json(`/calls?external_id=${suffix}&external_id_mode=ends&from=2026-01-01`);
  assert.deepEqual(ids(ends.calls), [made.other.id]);
  const contains = await allPages(`/calls?external_id=${enc(tag + '-oth')}&external_id_mode=contains&from=2026-01-01`);
  assert.deepEqual(ids(contains), [made.other.id]);
  const not = await allPages(`/calls?external_id=${enc(tag + '-')}&external_id_mode=begins&external_id_not=1&from=2026-01-01`);
  assert.ok(not.length > 0 && not.every((r) => !r.external_id.startsWith(tag + '-')));
  // LIKE wildcards in the value are literal characters.
  const wild = await json(`/calls?external_id=${enc('%')}&external_id_mode=contains&from=2026-01-01`);
  assert.equal(wild.calls.length, 0);
  const under = await json(`/calls?external_id=${enc(tag + '_')}&external_id_mode=begins`);
  assert.equal(under.calls.length, 0);
});

// A word of the name (issue 18; tests/http/contact_surname.test.js).
test('contact name search: a name word\'s prefix, case-insensitive', async () => {
  const m = await json('/calls?contact=mall');
  assert.ok(m.calls.length > 0);
  assert.ok(m.calls.every((r) => /(^|[\s'\u2019-])mall/i.test(r.contact)));
  const none = await json('/calls?contact=zzzz-nobody-has-this-name');
  assert.equal(none.calls.length, 0);
  assert.equal(none.empty, true);
  // an apostrophe and LIKE characters are plain text
  const quote = await json(`/calls?contact=${enc("O'B")}`);
  assert.ok(quote.calls.every((r) => /(^|\s)O'B/i.test(r.contact)));
  assert.equal((await json(`/calls?contact=${enc('%')}`)).calls.length, 0);
});

test('recording filter: has recording / none', async () => {
  const yes = await json('/calls?recording=yes');
  assert.ok(yes.calls.length > 0 && yes.calls.every((r) => r.recording_state === 'stored'));
  const no = await json('/calls?recording=no');
  assert.ok(no.calls.length > 0 && no.calls.every((r) => r.recording_state !== 'stored'));
  assert.equal(yes.filters.recording_yes, true);
});

// Checks order and that pages neither repeat nor skip rows.
async function checkSort(sort, key, dir, filter = '') {
  const rows = await allPages(`/calls?sort=${sort}${filter}`, 4);
  assert.ok(rows.length > 100, `${sort}: several pages`);
  assert.equal(new Set(ids(rows)).size, rows.length, `${sort}: no repeats`);
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1], b = rows[i];
    const ka = a[key], kb = b[key];
    const ok = dir < 0 ? (ka > kb || (ka === kb && a.id > b.id)) : (ka < kb || (ka === kb && a.id < b.id));
    assert.ok(ok, `${sort} at ${i}: ${ka}/${a.id} then ${kb}/${b.id}`);
  }
}

test('sort by time, newest and oldest first, with keyset pages', async () => {
  await checkSort('time_desc', 'started_at_utc', -1);
  await checkSort('time_asc', 'started_at_utc', 1);
});

test('sort by duration, longest and shortest first, with keyset pages', async () => {
  await checkSort('talk_desc', 'talk_seconds', -1);
  await checkSort('talk_asc', 'talk_seconds', 1);
  const m = await json('/calls?sort=talk_desc');
  assert.match(m.next_url, /sort=talk_desc&before=\d+%2C\d+&back=-$/);
  // with a filter too
  await checkSort('talk_asc', 'talk_seconds', 1, `&from=${OLD_YEAR}-01-01&to=${OLD_YEAR}-12-31`);
});

test('the feeds share the filters', async () => {
  const row = (await json(`/calls?contact=mall`)).calls[0];
  const feed = await json(`/customers/${row.customer_id}/calls?talk_min=0&sort=talk_asc`);
  assert.ok(feed.calls.length > 0 && feed.calls.every((r) => r.customer_id === row.customer_id));
  assert.ok(feed.csv_url.startsWith(`/customers/${row.customer_id}/calls.csv?`));
});

test('malformed filter values are 400 with a message', async () => {
  const cases = {
    'q_mode=fuzzy&q=1': /exact, begins, ends or contains/,
    'manager=abc': /Pick the manager/,
    'manager=-1': /Pick the manager/,
    'integration=1x': /Pick the integration/,
    'talk_min=ten': /minutes and seconds \(1:30\)/,
    'talk_max=99999999': /at most ten days/,
    'talk_min=10&talk_max=5': /longer than/,
    'recording=maybe': /yes or no/,
    'sort=random': /Sort by/,
    'sort=talk_desc&before=2026-11-23%2012%3A00%3A00.000%2C5': /page link is broken/,
    'before=500%2C5': /page link is broken/,
    'to=2026-13-45': /must look like/,
    [`external_id=${'x'.repeat(129)}`]: /at most 128/,
  };
  for (const [q, re] of Object.entries(cases)) {
    const res = await c.get(`/calls?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(res.text_, re, q);
  }
});

test('unknown filters still get the visible notice', async () => {
  const res = await c.get('/calls?manager_name=x&talk_min=1');
  assert.equal(res.status, 200);
  assert.match(res.text_, /Unknown filter (&quot;|")manager_name(&quot;|") was ignored/);
});

test('payloads in filter values come back escaped in the form', async () => {
  const xss = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
  for (const name of ['contact', 'external_id', 'our_number']) {
    const res = await c.get(`/calls?${name}=${enc(xss)}&from=2026-01-01&${enc(xss)}=1`);
    assert.equal(res.status, 200, name);
    assert.ok(!res.text_.includes('<img src=x'), name);
    assert.ok(!res.text_.includes('<script>alert(2)'), name);
    assert.match(res.text_, new RegExp(`name="${name}"[^>]*value="&quot;&gt;&lt;img src=x onerror=alert\\(1\\)&gt;`));
  }
});

test('CSV: header, attachment, RFC 4180 quoting, formulas defused', async () => {
  const res = await c.get(`/calls.csv?external_id=${enc(tag + '-')}&external_id_mode=begins`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="calls\.csv"/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const rows = parseCsv(res.text_);
  assert.equal(rows[0][0], 'ID');
  assert.match(rows[0][1], /^Time \(Europe\/Kyiv\)$/);
  assert.ok(rows.every((r) => r.length === rows[0].length), 'same width');
  const f = rows.find((r) => r[0] === String(made.formula.id));
  assert.ok(f, 'the formula row');
  // Defused with an invisible U+200B in front (issue 18: no visible apostrophe).
  const contact = f[rows[0].indexOf('Contact')];
  assert.equal(contact, `\u200B=HYPERLINK("http://evil.example","x"), @SUM(1)`);
  assert.match(res.text_, /"\u200B=HYPERLINK\(""http:\/\/evil\.example"",""x""\), @SUM\(1\)"/);
  const number = f[rows[0].indexOf('Number')];
  assert.equal(number, `\u200B${made.formula.number}`);
  // no cell of the file starts a formula
  assert.ok(rows.flat().every((cell) => !/^[=+\-@]/.test(cell)));
});

test('CSV: the demo payload rows (quotes, commas, newlines) round-trip', async () => {
  const res = await c.get('/calls.csv?result=missed');
  const rows = parseCsv(res.text_);
  const head = rows[0];
  const json_ = await allPages('/calls?result=missed');
  assert.equal(rows.length - 1, json_.length);
  for (let i = 0; i < json_.length; i++) {
    assert.equal(rows[i + 1][0], String(json_[i].id));
    assert.equal(rows[i + 1][head.indexOf('Comment')].replace(/\u200B/g, ''), json_[i].comment ?? '');
    assert.equal(rows[i + 1][head.indexOf('Contact')].replace(/\u200B/g, ''), json_[i].contact ?? '');
  }
});

test('CSV row count equals the JSON listing across pages, past one keyset chunk', async () => {
  const filter = `from=${OLD_YEAR}-01-01&to=${OLD_YEAR}-12-31&external_id=${tag}-bulk-&external_id_mode=begins`;
  const res = await c.get(`/calls.csv?${filter}`);
  assert.equal(res.status, 200);
  const rows = parseCsv(res.text_).slice(1);
  const listed = await allPages(`/calls?${filter}`, 40);
  assert.equal(listed.length, BULK);
  assert.equal(rows.length, BULK);
  assert.deepEqual(rows.map((r) => Number(r[0])), ids(listed));
  // the same with the duration sort (a second chunking key)
  const byTalk = parseCsv((await c.get(`/calls.csv?${filter}&sort=talk_desc`)).text_).slice(1);
  assert.equal(byTalk.length, BULK);
  assert.equal(new Set(byTalk.map((r) => r[0])).size, BULK);
  // times are local (Europe/Kyiv is UTC+2 in March 2001)
  const first = parseCsv((await c.get(`/calls.csv?${filter}&sort=time_asc`)).text_)[1];
  assert.equal(first[1], `${OLD_YEAR}-03-01 02:00`);
});

test('CSV of the feeds, and a filter that matches nothing', async () => {
  const row = (await json(`/calls?contact=mall`)).calls[0];
  const res = await c.get(`/customers/${row.customer_id}/calls.csv`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition'), new RegExp(`customer-${row.customer_id}-calls\\.csv`));
  const feed = await allPages(`/customers/${row.customer_id}/calls`);
  assert.equal(parseCsv(res.text_).length - 1, feed.length);
  const empty = await c.get('/calls.csv?contact=zzzz-nobody');
  assert.equal(parseCsv(empty.text_).length, 1, 'header only');
  const order = await c.get('/orders/1/calls.csv');
  assert.equal(order.status, 200);
  const bad = await c.get('/calls.csv?talk_min=x');
  assert.equal(bad.status, 400);
  const anon = await new Client().get('/calls.csv');
  assert.equal(anon.status, 303);
  const intern = new Client();
  await intern.login('intern', 'intern');
  assert.equal((await intern.get('/customers/1/calls.csv')).status, 403);
});
