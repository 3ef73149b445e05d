// Ringostat webhooks through the real stack (nginx → hook → MariaDB), issue
// 17 part 2, providers-2.md §3. The protocol cases are the vectors in
// tests/vectors/ringostat/ (answered, ring group, transfer, missed,
// outgoing): each in order, and each request twice in reverse order
// (after-call before "call taken", the same webhook configured twice),
// giving one and the same call. Nothing is signed: the URL carries the
// integration's key (demo-ringostat-key). Reconciliation from its call
// log: tests/http/reconcile_ringostat.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { sql } from '../lib/db.js';
import { callsOf, oneCall, send, vectorTests } from '../lib/vectors.js';

const KEY = 'demo-ringostat-key';
const cid = () => `ua-${1700000000 + randomInt(1e8)}.${randomInt(1e6)}`;
const req = (body, url = `?key=${KEY}`, ct = 'application/json') => ({ url,
  body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': ct } });
const before = (id) => ({ call_id: id, caller: '380671230000', callee: '380442223344',
  calldate_timestamp_micros: `${Date.now() - 60000}000` });
const stored = async (id) => Number((await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]))[0][0]);

vectorTests(test, 'ringostat');

test('a form body and a GET with everything in the query are read alike (the admin chooses)', async () => {
  const id = cid();
  const t = Math.floor(Date.now() / 1000) - 120;
  let res = await send('ringostat', req(`call_id=${id}&caller=380671239999&callee=380442223344` +
    `&calldate_timestamp_micros=${t}000000&waiting=3&extension=101`, `?key=${KEY}&event=answer`,
  'application/x-www-form-urlencoded'));
  assert.equal(res.status, 200, res.text_);
  res = await fetch(`${(await import('../lib/http.js')).BASE}/hook/ringostat?key=${KEY}&event=after&call_id=${id}` +
    `&caller=380671239999&status=ANSWERED&calldate_timestamp_micros=${t}000000&call_duration=33&waiting=3&dialog=30&extension=101`);
  assert.equal(res.status, 200, await res.text());
  const c = await oneCall('ringostat', id);
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 30);
  assert.equal(c.extension, '101');
  assert.equal(c.started_at, new Date(t * 1000).toISOString());
});

test('unknown slug is 404', async () => {
  const res = await send('ringostat', req(before(cid())), { slug: 'ringostat-nobody-has-this' });
  assert.equal(res.status, 404);
});

test('a disabled Ringostat integration is 410', async () => {
  const slug = `ringostat-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('ringostat', ?, 'Ringostat (disabled test)', 0, 'UA', '{"key":"k"}')`, [slug]);
  const res = await send('ringostat', req(before(cid()), '?key=k'), { slug });
  assert.equal(res.status, 410);
});

test('a wrong or missing URL key: 403 and nothing stored', async () => {
  const id = cid();
  let res = await send('ringostat', req(before(id), '?key=demo-ringostat-kez'));
  assert.equal(res.status, 403);
  res = await send('ringostat', req(before(id), ''));
  assert.equal(res.status, 403);
  assert.match(res.text_, /key/);
  assert.equal(await stored(id), 0);
  assert.deepEqual(await callsOf('ringostat', id), []);
});

test('malformed webhooks are 400 with the reason (a body without call_id names what to tick)', async () => {
  let res = await send('ringostat', req({ caller: '380671234567', status: 'ANSWERED' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /call_id/);
  res = await send('ringostat', req({ ...before(cid()), calldate_timestamp_micros: 'now' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /calldate_timestamp_micros/);
  res = await send('ringostat', req({ ...before(cid()), calldate_timestamp_micros: '', date: '04.06.2024 13:00' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /YYYY-MM-DD HH:MM:SS/);
  res = await send('ringostat', req({ ...before(cid()), extension: '12345678901234567' }));
  assert.equal(res.status, 400);
  res = await send('ringostat', req('[1,2'));
  assert.equal(res.status, 400);
});

test('an unknown moment is stored raw and answered 200', async () => {
  const id = cid();
  const res = await send('ringostat', req(before(id), `?key=${KEY}&event=rating`));
  assert.equal(res.status, 200);
  assert.deepEqual(await sql('SELECT kind FROM call_events WHERE external_id = ?', [id]), [['rating']]);
  assert.deepEqual(await callsOf('ringostat', id), []);
});

test('a body over 1 MiB is 413', async () => {
  const res = await send('ringostat', req({ ...before(cid()), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
});
