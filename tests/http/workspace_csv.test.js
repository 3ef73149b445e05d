// CSV that opens right in Excel and recordings with telling names (issue 18): UTF-8 with a BOM;
// ';' or ',' by the viewer's browser language or their explicit choice (?sep=); the page's words
// (Incoming, Answered, Recorded) instead of codes; no visible apostrophe, yet no cell a
// spreadsheet would read as a formula. A downloaded recording is named by date, number and
// customer, with the UTF-8 name in filename* (RFC 5987).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid } from '../lib/generic.js';

let manager;
const tag = uid('csv18');
const number = `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
before(async () => {
  manager = new Client();
  await manager.login('manager', 'manager');
  const t = Math.floor(Date.now() / 1000) - 600;
  for (const [i, status] of [[1, 'answered'], [2, 'no-answer']]) {
    const call_id = `${tag}-${i}`;
    const base = { call_id, direction: 'in', from: number, ext: '101', start: t + i };
    assert.equal((await postGeneric({ event: 'call.start', ...base })).status, 200);
    if (status === 'answered') assert.equal((await postGeneric({ event: 'call.answer', ...base, answer: t + i + 3 })).status, 200);
    assert.equal((await postGeneric({ event: 'call.end', ...base, end: t + i + 60, status,
      ...(status === 'answered' ? { answer: t + i + 3, billsec: 57 } : {}) })).status, 200);
  }
  // A comment a spreadsheet would run, on one of them.
  await sql("UPDATE calls SET comment = '=1+2;@SUM(1)' WHERE external_id = ?", [`${tag}-1`]);
});

// The raw bytes: fetch's text() would drop the BOM.
async function csv(lang, query = '') {
  const res = await fetch(`${BASE}/calls.csv?external_id=${encodeURIComponent(tag)}&external_id_mode=begins${query}`, {
    headers: { cookie: manager.cookieHeader(), ...(lang ? { 'accept-language': lang } : {}) },
  });
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

test('UTF-8 with a BOM, human header and labels, "," for English', async () => {
  const bytes = await csv('en-GB,en;q=0.9');
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const [head, ...rows] = text.split('\r\n').filter(Boolean);
  assert.match(head, /^ID,Time \(Europe\/Kyiv\),Direction,Result,Number,Contact,Manager,/);
  assert.equal(rows.length, 2);
  assert.ok(rows.every((r) => r.split(',')[2] === 'Incoming'), rows.join('\n'));
  assert.deepEqual(rows.map((r) => r.split(',')[3]).sort(), ['Answered', 'Missed']);
  assert.ok(rows.every((r) => /,No recording,/.test(r)));
  // No visible apostrophe anywhere; the number and the comment start with an invisible U+200B.
  assert.ok(!text.includes("'"), text);
  assert.ok(rows.every((r) => r.includes(`,\u200B${number},`)));
  assert.match(text, /,\u200B=1\+2;\u200B@SUM\(1\),/);
});

test('";" for the languages whose Excel lists with it, and the viewer may choose', async () => {
  for (const lang of ['uk-UA,uk;q=0.9', 'ru', 'pl-PL', 'es-ES,es;q=0.8,en;q=0.5', 'de']) {
    const text = (await csv(lang)).subarray(3).toString('utf8');
    // The header is in the viewer's language (issue 18), ';'-separated in every one of them.
    assert.match(text, lang === 'de' ? /^ID;Time \(Europe\/Kyiv\);Direction;Result;/ : /^ID;[^,;\n]+;[^,;\n]+;[^,;\n]+;/, lang);
    // A cell holding ';' is quoted in a ';' file.
    assert.match(text, /;"\u200B=1\+2;\u200B@SUM\(1\)";/, lang);
  }
  assert.match((await csv('uk')).subarray(3).toString('utf8'), /^ID;Час \(Europe\/Kyiv\);Напрямок;Результат;/);
  for (const lang of [null, 'en-US', 'ja', 'english', '*']) {
    assert.match((await csv(lang)).subarray(3).toString('utf8'), /^ID,Time/, String(lang));
  }
  assert.match((await csv('en', '&sep=semicolon')).subarray(3).toString('utf8'), /^ID;Time/);
  assert.match((await csv('uk', '&sep=comma')).subarray(3).toString('utf8'), /^ID,Час/);
});

test('a downloaded recording is named by date, number and customer (filename* in UTF-8)', async () => {
  const [[id, customer, phone]] = await sql(`SELECT c.id, cu.name, c.client_number FROM calls c
    JOIN customers cu ON cu.id = c.customer_id
    WHERE c.recording_state = 'stored' AND c.client_withheld = 0 ORDER BY c.id DESC LIMIT 1`);
  await sql("UPDATE customers SET name = 'Олена Коваленко' WHERE id = (SELECT customer_id FROM calls WHERE id = ?)", [id]);
  try {
    const r = await manager.get(`/calls/${id}/recording?download=1`);
    assert.equal(r.status, 200);
    const cd = r.headers.get('content-disposition');
    const m = /^attachment; filename="([^"]+)"; filename\*=UTF-8''(.+)$/.exec(cd);
    assert.ok(m, cd);
    const full = decodeURIComponent(m[2]);
    assert.match(full, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d\\.\\d\\d \\${phone} Олена Коваленко\\.\\w+$`));
    assert.match(m[1], new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d\\.\\d\\d \\${phone} \\.\\w+$`), 'ASCII fallback keeps date and number');
    assert.ok(/^[A-Za-z0-9%._~-]+$/.test(m[2]), 'RFC 5987 attr-chars only');
  } finally {
    await sql('UPDATE customers SET name = ? WHERE id = (SELECT customer_id FROM calls WHERE id = ?)', [customer, id]);
  }
});
