// "Number contains" from an index (issue 20): call_number_grams (sql/
// migrations/0021_number_grams.sql) holds every 4-digit run of each call's
// client number, written by the worker shortly after the call's commit
// (0038: the call waits in call_grams_pending, where the search finds it). These tests
// go through the real stack (hooks → ingest → MariaDB; nginx → calls):
//  - exactly once: after a mixed ingest (new calls, duplicate events,
//    reordered events, an earlier start, relinks by a new customer, a number
//    changed and a call deleted by SQL) the table equals a recomputation
//    from scratch;
//  - "contains" of 4+ digits needs no date range and gives exactly the calls
//    a LIKE finds, in keyset pages, combined with the other filters, in the
//    feeds and the CSV;
//  - shorter fragments, "+", "0", separators only, letters, "not contains".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { postGeneric, callsOf, api } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const DID = '+48223900400';                 // the demo generic line
const nowS = () => Math.floor(Date.now() / 1000);
const tag = `cc${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const enc = encodeURIComponent;
const daysAgo = (n) => new Date((nowS() - n * 86400) * 1000).toISOString().slice(0, 10);
const ids = (rows) => rows.map((r) => r.id);
// A digit run no demo number has: 7 random digits after a prefix of ours.
const stem = () => String(1000000 + Math.floor(Math.random() * 8999999));
const A = `+38093${stem()}`;                 // two calls
const B = `+38093${stem()}`;                 // one call, shares A's middle
let c;

async function json(path) {
  const res = await c.get(path + (path.includes('?') ? '&' : '?') + 'format=json');
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.text_}`);
  return JSON.parse(res.text_);
}

async function allPages(path, max = 100) {
  const rows = [];
  let url = path;
  for (let i = 0; url && i < max; i++) {
    const m = await json(url);
    rows.push(...m.calls);
    url = m.next_url;
  }
  return rows;
}

async function post(ev) {
  const res = await postGeneric(ev);
  assert.equal(res.status, 200, res.text_);
}

// The grams as 0021_number_grams.sql defines them, recomputed from calls.
const RECOMPUTE = `SELECT DISTINCT CAST(SUBSTRING(c.client_digits_rev, s.seq, 4) AS UNSIGNED) AS gram,
    c.started_at, c.id AS call_id
  FROM calls c JOIN seq_1_to_29 s ON s.seq <= CHAR_LENGTH(c.client_digits_rev) - 3
  WHERE SUBSTRING(c.client_digits_rev, s.seq, 4) REGEXP '^[0-9]{4}$'`;

// The grams once the pending calls are drained (as the worker does about
// every second, 0038); the search itself never waits for that.
async function indexDiff() {
  await sql('CALL cb_call_grams_drain(1000000)');
  const [[missing]] = await sql(`SELECT COUNT(*) FROM (${RECOMPUTE}) r
    LEFT JOIN call_number_grams g ON g.gram = r.gram AND g.started_at = r.started_at AND g.call_id = r.call_id
    WHERE g.call_id IS NULL`);
  const [[extra]] = await sql(`SELECT COUNT(*) FROM call_number_grams g
    LEFT JOIN (${RECOMPUTE}) r ON g.gram = r.gram AND g.started_at = r.started_at AND g.call_id = r.call_id
    WHERE r.call_id IS NULL`);
  const [[rows]] = await sql('SELECT COUNT(*) FROM call_number_grams');
  return { missing: Number(missing), extra: Number(extra), rows: Number(rows) };
}

// The ids a plain LIKE finds, newest first: what the index must give.
async function likeIds(digits, where = '1 = 1', params = []) {
  const rev = [...digits].reverse().join('');
  const rows = await sql(`SELECT id FROM calls c WHERE c.client_digits_rev LIKE CONCAT('%', ?, '%') AND ${where}
    ORDER BY c.started_at DESC, c.id DESC`, [rev, ...params]);
  return rows.map((r) => Number(r[0]));
}

before(async () => {
  c = new Client();
  await c.login('manager', 'manager');
  const t0 = nowS() - 2 * 86400;
  // A: start, answer, end in order, then the end again (a duplicate).
  const a1 = `${tag}-a1`;
  await post({ event: 'call.start', call_id: a1, direction: 'in', from: A, did: DID, start: t0 });
  await post({ event: 'call.answer', call_id: a1, ext: '103', answer: t0 + 4 });
  const endA1 = { event: 'call.end', call_id: a1, direction: 'in', from: A, did: DID, ext: '103',
    start: t0, answer: t0 + 4, end: t0 + 60, billsec: 56, status: 'answered' };
  await post(endA1);
  await post(endA1);
  // A again, reordered: the end first, then a start that is earlier than
  // the end stated (the call's started_at moves: its grams must move too).
  const a2 = `${tag}-a2`;
  await post({ event: 'call.end', call_id: a2, direction: 'in', from: A, did: DID, ext: '104',
    end: t0 + 3700, status: 'missed' });
  await post({ event: 'call.start', call_id: a2, direction: 'in', from: A, did: DID, start: t0 + 3600 });
  await post({ event: 'call.start', call_id: a2, direction: 'in', from: A, did: DID, start: t0 + 3590 });
  // B: one event, then a customer created through the API with B's number
  // relinks it (an UPDATE of calls that leaves the number alone).
  const b1 = `${tag}-b1`;
  await post({ event: 'call.end', call_id: b1, direction: 'in', from: B, did: DID, ext: '105',
    start: t0 + 7200, answer: t0 + 7205, end: t0 + 7300, billsec: 95, status: 'answered' });
  const res = await api('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `Contains ${tag}`, phones: [B] }) });
  assert.equal(res.status, 201, res.text_);
  // A number changed and a call deleted by SQL: the triggers, not C, keep it.
  const [x] = await callsOf('generic', b1);
  assert.ok(x && x.customer && x.customer.id, 'B was relinked to the new customer');
  await post({ event: 'call.end', call_id: `${tag}-gone`, direction: 'in', from: A, did: DID,
    start: t0 + 100, end: t0 + 110, status: 'missed' });
  await sql("UPDATE calls SET client_digits_rev = REVERSE('380930000000') WHERE external_id = ?", [`${tag}-gone`]);
  await sql("UPDATE calls SET client_digits_rev = REVERSE(REPLACE(client_number, '+', '')) WHERE external_id = ?",
    [`${tag}-gone`]);
  await sql('DELETE FROM calls WHERE external_id = ?', [`${tag}-gone`]);
});

after(async () => {
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
});

test('exactly once: after a mixed ingest the index equals a recomputation from scratch', async () => {
  const d = await indexDiff();
  assert.equal(d.missing, 0, JSON.stringify(d));
  assert.equal(d.extra, 0, JSON.stringify(d));
  assert.ok(d.rows > 0);
  // the reordered call's grams sit at its final (earliest) start
  const [[n]] = await sql(`SELECT COUNT(*) FROM call_number_grams g JOIN calls c ON c.id = g.call_id
    WHERE c.external_id = ? AND g.started_at <> c.started_at`, [`${tag}-a2`]);
  assert.equal(Number(n), 0);
});

test('contains 4 and 6 digits: no date range needed, exactly the calls a LIKE finds, newest first', async () => {
  for (const frag of [A.slice(-4), A.slice(6, 12), A.slice(3, 11), '3809']) {
    const rows = await allPages(`/calls?q=${frag}&q_mode=contains`, frag === '3809' ? 2 : 100);
    if (frag !== '3809')
      assert.deepEqual(ids(rows), await likeIds(frag), frag);
    assert.ok(rows.length > 0 && rows.every((r) => r.number.replace(/\D/g, '').includes(frag)), frag);
  }
  const mine = await allPages(`/calls?q=${A.slice(-6)}&q_mode=contains`);
  assert.ok(ids(mine).includes((await callsOf('generic', `${tag}-a1`))[0].id));
  assert.ok(ids(mine).includes((await callsOf('generic', `${tag}-a2`))[0].id));
});

test('contains: keyset pages of a common fragment have no gap and no repeat', async () => {
  // the most common gram of the database: more than one page of calls
  const [[gram]] = await sql('SELECT gram FROM call_number_grams GROUP BY gram ORDER BY COUNT(*) DESC LIMIT 1');
  const frag = [...String(gram).padStart(4, '0')].reverse().join('');
  // every page of it (a long-lived stack gathers thousands of test calls)
  const want = await likeIds(frag);
  const pages = Math.ceil(want.length / 50) + 1;
  const rows = await allPages(`/calls?q=${frag}&q_mode=contains`, pages);
  assert.ok(rows.length > 50, `${rows.length} rows: more than one page`);
  assert.deepEqual(ids(rows), want);
  const asc = await allPages(`/calls?q=${frag}&q_mode=contains&sort=time_asc`, pages);
  assert.deepEqual(ids(asc), ids(rows).reverse());
});

test('contains combined with the other filters, sorts, the feed and the CSV', async () => {
  const frag = A.slice(-6);
  const [a1] = await callsOf('generic', `${tag}-a1`);
  const [b1] = await callsOf('generic', `${tag}-b1`);
  assert.deepEqual(ids(await allPages(`/calls?q=${frag}&q_mode=contains&result=missed`)),
    await likeIds(frag, "c.result = 'missed'"));
  assert.deepEqual(ids(await allPages(`/calls?q=${frag}&q_mode=contains&manager=${a1.manager.id}`)),
    await likeIds(frag, 'c.manager_id = ?', [a1.manager.id]));
  const ranged = await allPages(`/calls?q=${frag}&q_mode=contains&from=${daysAgo(3)}&to=${daysAgo(0)}&talk_min=10`);
  assert.ok(ids(ranged).includes(a1.id));
  assert.ok(ranged.every((r) => r.talk_seconds >= 10));
  const talk = await allPages(`/calls?q=${frag}&q_mode=contains&sort=talk_desc`);
  assert.deepEqual(ids(talk).sort(), (await likeIds(frag)).sort());
  // the customer's feed: B's digits, the shared "3809" prefix as well
  const feed = await allPages(`/customers/${b1.customer.id}/calls?q=${B.slice(-5)}&q_mode=contains`);
  assert.deepEqual(ids(feed), [b1.id]);
  const csv = await c.get(`/calls.csv?q=${A.slice(-6)}&q_mode=contains`);
  assert.equal(csv.status, 200);
  const lines = csv.text_.trim().split('\r\n');
  assert.equal(lines.length - 1, (await likeIds(frag)).length, csv.text_);
});

test('fragments with letters and separators are read as their digits', async () => {
  const frag = A.slice(-6);
  const spaced = `${frag.slice(0, 2)} (${frag.slice(2, 4)})-x${frag.slice(4)}`;
  const m = await json(`/calls?q=${enc(spaced)}&q_mode=contains`);
  assert.deepEqual(ids(m.calls), await likeIds(frag));
});

test('fewer than 4 digits: refused alone, a notice with another bound', async () => {
  const alone = await c.get('/calls?q=093&q_mode=contains');
  assert.equal(alone.status, 400);
  assert.match(alone.text_, /fewer than 4 digits/);
  assert.match(alone.text_, /date range/);
  const m = await json('/calls?q=093&q_mode=contains&from=2026-01-01');
  assert.ok(m.notices.some((n) => /Fewer than 4 digits are not indexed/.test(n)), JSON.stringify(m.notices));
  assert.ok(m.calls.every((r) => r.number.replace(/\D/g, '').includes('093')));
  // the page shows it where the other notices go
  const page = await c.get('/calls?q=093&q_mode=contains&from=2026-01-01');
  assert.equal(page.status, 200);
  assert.match(page.text_, /<li[^>]*>Fewer than 4 digits are not indexed/);
});

test('"+" and "0" alone are a 400 with the reason; separators only are ignored with a notice', async () => {
  for (const q of ['+', '0', '000', '+0', '+ 0 0']) {
    const res = await c.get(`/calls?q=${enc(q)}&q_mode=contains`);
    assert.equal(res.status, 400, q);
    assert.match(res.text_, /matches (nearly )?every/, q);
  }
  const m = await json(`/calls?q=${enc(' - ')}&q_mode=contains`);
  assert.ok(m.notices.some((n) => /no digits; it was ignored/.test(n)), JSON.stringify(m.notices));
});

test('not contains: the calls without the fragment, within the date range it rides on', async () => {
  const frag = A.slice(-6);
  const rows = await allPages(`/calls?q=${frag}&q_mode=contains&q_not=1&from=${daysAgo(3)}&to=${daysAgo(1)}`);
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => !r.number.replace(/\D/g, '').includes(frag)));
  const [a1] = await callsOf('generic', `${tag}-a1`);
  assert.ok(!ids(rows).includes(a1.id));
});

test('API: ?contains= gives the calls a LIKE finds, newest first by start, in keyset pages', async () => {
  const frag = A.slice(-6);
  const want = await likeIds(frag);
  const got = [];
  let next = '';
  for (let i = 0; i < 20; i++) {
    const res = await api(`/api/v1/calls?contains=${frag}&limit=1${next ? `&before=${next}` : ''}`);
    assert.equal(res.status, 200, res.text_);
    got.push(...res.json_.calls.map((x) => x.id));
    if (!res.json_.next) break;
    next = res.json_.next;
  }
  assert.ok(want.length >= 2);
  assert.deepEqual(got, want);
  // with another filter, 4 digits (one gram, no LIKE)
  const four = await api(`/api/v1/calls?contains=${A.slice(-4)}&integration=generic`);
  assert.deepEqual(four.json_.calls.map((x) => x.id).slice(0, 50),
    (await likeIds(A.slice(-4), "c.integration_id = (SELECT id FROM integrations WHERE slug = 'generic')")).slice(0, 50));
});

test('API: contains bad input is a 400 with the reason; separators only are ignored with a notice', async () => {
  for (const [q, why] of [['+', /nearly every number/], ['00', /nearly every number/], ['093', /at least 4 digits/],
    ['abc', /some digits/]]) {
    const res = await api(`/api/v1/calls?contains=${enc(q)}`);
    assert.equal(res.status, 400, q);
    assert.match(res.json_.error.message, why, q);
  }
  const res = await api(`/api/v1/calls?contains=${enc(' - ')}&limit=1`);
  assert.equal(res.status, 200);
  assert.match(res.json_.notices[0], /no digits; it was ignored/);
});

// Issue 20 "Bad input" in the CSV export and the API as in the page: the
// export reads its filter as the page does (cgi/calls.c read_number), the API
// in cgi/api.c read_contains.
test('CSV: letters and separators read as their digits; "+" and "0" alone a 400; separators only ignored', async () => {
  const frag = A.slice(-6);
  const plain = await c.get(`/calls.csv?q=${frag}&q_mode=contains`);
  assert.equal(plain.status, 200);
  const spaced = `${frag.slice(0, 2)} (${frag.slice(2, 4)})-x${frag.slice(4)}`;
  const messy = await c.get(`/calls.csv?q=${enc(spaced)}&q_mode=contains`);
  assert.equal(messy.status, 200, messy.text_);
  const rowIds = (t) => t.trim().split('\r\n').slice(1).map((l) => l.replace(/^\uFEFF/, '').split(/[,;\t]/)[0]);
  assert.deepEqual(rowIds(messy.text_), rowIds(plain.text_));
  assert.deepEqual(rowIds(plain.text_).map(Number), await likeIds(frag));
  for (const q of ['+', '0', '+00']) {
    const res = await c.get(`/calls.csv?q=${enc(q)}&q_mode=contains`);
    assert.equal(res.status, 400, q);
    assert.match(res.text_, /matches (nearly )?every/, q);
  }
  // only separators: no number filter, the export of the rest (a day here)
  const day = `from=${daysAgo(2)}&to=${daysAgo(2)}`;
  const sep = await c.get(`/calls.csv?q=${enc(' - ')}&q_mode=contains&${day}`);
  const none = await c.get(`/calls.csv?${day}`);
  assert.equal(sep.status, 200);
  assert.ok(rowIds(none.text_).length > 0);
  assert.deepEqual(rowIds(sep.text_), rowIds(none.text_));
});

test('API: contains with letters and separators is read as its digits', async () => {
  const frag = A.slice(-6);
  const spaced = `${frag.slice(0, 3)}-x (${frag.slice(3)})`;
  const res = await api(`/api/v1/calls?contains=${enc(spaced)}`);
  assert.equal(res.status, 200, res.text_);
  assert.deepEqual(res.json_.calls.map((x) => x.id), await likeIds(frag));
  const empty = await api('/api/v1/calls?contains=&limit=1');
  assert.equal(empty.status, 200, empty.text_);
});
