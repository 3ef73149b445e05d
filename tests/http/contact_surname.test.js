// Issue 18: the history's contact filter finds any word of a customer's name
// (a surname, either half of a hyphenated one), not only the name's
// beginning, through the real stack (nginx → calls → MariaDB). The words
// live in customer_name_words (migration 0036), kept by triggers on
// customers; a search of several words stays a prefix of the whole name.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { postGeneric, callsOf } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const DID = '+48223900400';                 // the demo generic line
const enc = encodeURIComponent;
// Letters only, so the tagged words stay words (and unique to this run).
const tag = [...randomBytes(6)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
const first = `Jarek${tag}`;
const surname = `Dudek${tag}`;
const accented = `Zieliński${tag}`;

let c;
const cust = {};                            // customer id by key
const callId = {};                          // our stored call id by key

async function customer(key, name) {
  const phone = `+4851${String(Date.now() % 1e7).padStart(7, '0')}${Object.keys(cust).length}`;
  await sql('INSERT INTO customers (name) VALUES (?)', [name]);
  const [[id]] = await sql('SELECT MAX(id) FROM customers WHERE name = ?', [name]);
  await sql('INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, ?)',
    [id, phone, [...phone.slice(1)].reverse().join('')]);
  cust[key] = String(id);
  const ext = `${tag}-${key}`;
  const t0 = Math.floor(Date.now() / 1000) - 3600;
  const res = await postGeneric({ event: 'call.end', call_id: ext, direction: 'in', from: phone,
    did: DID, ext: '103', start: t0, answer: t0 + 5, end: t0 + 60, billsec: 55, status: 'answered' });
  assert.equal(res.status, 200, res.text_);
  const [call] = await callsOf('generic', ext);
  assert.equal(String(call.customer?.id), cust[key], 'the call belongs to the new customer');
  callId[key] = String(call.id);
}

async function contact(q) {
  const res = await c.get(`/calls?format=json&contact=${enc(q)}`);
  assert.equal(res.status, 200, `${q}: ${res.status} ${res.text_}`);
  return JSON.parse(res.text_).calls.map((r) => String(r.id));
}

before(async () => {
  c = new Client();
  await c.login('manager', 'manager');
  await customer('plain', `${first} ${surname}`);
  await customer('hyphen', `Anna Kowalska${tag}-Nowak${tag}`);
  await customer('accent', `Seán ${accented}`);
});

test('a surname finds the customer\'s calls, in any case', async () => {
  for (const q of [surname, surname.toLowerCase(), surname.toUpperCase(), surname.slice(0, 8)])
    assert.deepEqual(await contact(q), [callId.plain], q);
});

test('either half of a hyphenated surname, and the whole of it', async () => {
  for (const q of [`Nowak${tag}`, `nowak${tag}`, `Kowalska${tag}`, `Kowalska${tag}-No`])
    assert.deepEqual(await contact(q), [callId.hyphen], q);
});

test('accents are ignored like in customers.name', async () => {
  for (const q of [`zielinski${tag}`, `ZIELIŃSKI${tag}`])
    assert.deepEqual(await contact(q), [callId.accent], q);
  assert.ok((await contact('sean')).includes(callId.accent), 'Seán by "sean"');
});

test('a first name and the full name\'s beginning still work', async () => {
  assert.deepEqual(await contact(first), [callId.plain]);
  assert.deepEqual(await contact(`${first} Dud`), [callId.plain]);
  assert.deepEqual(await contact(`${first} Nowak`), [], 'several words: the name as typed');
});

test('a renamed customer: the new surname matches, the old one no longer does', async () => {
  await sql('UPDATE customers SET name = ? WHERE id = ?', [`${first} Lis${tag}`, cust.plain]);
  assert.deepEqual(await contact(surname), []);
  assert.deepEqual(await contact(`lis${tag}`), [callId.plain]);
  assert.deepEqual(await contact(first), [callId.plain]);
});

test('a deleted customer takes its words along', async () => {
  await sql('DELETE FROM customers WHERE id = ?', [cust.hyphen]);
  assert.deepEqual(await contact(`Nowak${tag}`), []);
  const [[n]] = await sql('SELECT COUNT(*) FROM customer_name_words WHERE customer_id = ?', [cust.hyphen]);
  assert.equal(Number(n), 0);
});

// The triggers' rule restated: the words between spaces, and the parts of
// those with hyphens or apostrophes. Compared folded (the collation treats
// "Dudek" and "dudek" as one key).
test('the words table equals a recomputation from customers', async () => {
  const fold = (w) => w.toLowerCase();
  const want = new Set();
  for (const [id, name] of await sql('SELECT id, name FROM customers')) {
    const words = name.split(/\s+/).filter(Boolean);
    for (const w of [...words, ...words.flatMap((x) => x.split(/[-'\u2019]+/))])
      if (w) want.add(`${id} ${fold(w)}`);
  }
  const got = new Set((await sql('SELECT customer_id, word FROM customer_name_words'))
    .map(([id, w]) => `${id} ${fold(w)}`));
  assert.ok(want.size > 10, 'the demo has customers');
  assert.deepEqual([...want].filter((x) => !got.has(x)), [], 'missing words');
  assert.deepEqual([...got].filter((x) => !want.has(x)), [], 'extra words');
});

// One word is a range of the words table's primary key, never a scan.
test('EXPLAIN: a one-word search is a range of customer_name_words\' primary key', async () => {
  const rows = await sql('EXPLAIN SELECT DISTINCT customer_id FROM customer_name_words '
    + "WHERE word LIKE CONCAT(?, '%') ESCAPE '!' LIMIT 101", [surname]);
  assert.equal(rows.length, 1, JSON.stringify(rows));
  assert.equal(rows[0][3], 'range', JSON.stringify(rows));
  assert.equal(rows[0][5], 'PRIMARY', JSON.stringify(rows));
});
