// UniTalk event handlers through the real stack (nginx → hook → MariaDB),
// issue 17 part 2, providers-2.md §2. The protocol cases are the vectors
// in tests/vectors/unitalk/ (answered, missed, ring group, transfer,
// outgoing): each in order, and each request twice in reverse order
// (CALL_END before CALL_ANSWER, duplicates), giving one and the same call.
// The demo integration keeps UniTalk's default zone, Europe/Kyiv, for the
// zone-less `date` (13:00 in Kyiv is 10:00Z in June). Each handler sends
// Authorization: Bearer demo-unitalk-token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from '../lib/db.js';
import { callsOf, send, vectorTests } from '../lib/vectors.js';

const AUTH = { authorization: 'Bearer demo-unitalk-token' };
const req = (body, headers = AUTH) => ({ url: '', body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers } });
const callNew = (id) => ({ event: 'CALL_NEW', call: { id, from: '0991230001', to: ['101'], direction: 'IN',
  date: '2024-06-04 13:00:00' } });
const stored = async (id) => Number((await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]))[0][0]);

vectorTests(test, 'unitalk');

test('unknown slug is 404', async () => {
  const res = await send('unitalk', req(callNew(randomUUID())), { slug: 'unitalk-nobody-has-this' });
  assert.equal(res.status, 404);
});

test('a disabled UniTalk integration is 410', async () => {
  const slug = `unitalk-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('unitalk', ?, 'UniTalk (disabled test)', 0, 'UA', '{"token":"demo-unitalk-token"}')`, [slug]);
  const res = await send('unitalk', req(callNew(randomUUID())), { slug });
  assert.equal(res.status, 410);
});

test('a wrong or missing Bearer token: 403 and nothing stored', async () => {
  const id = randomUUID();
  let res = await send('unitalk', req(callNew(id), { authorization: 'Bearer demo-unitalk-tokem' }));
  assert.equal(res.status, 403);
  assert.match(res.text_, /wrong Bearer token/);
  res = await send('unitalk', req(callNew(id), {}));
  assert.equal(res.status, 403);
  assert.match(res.text_, /Authorization: Bearer/);
  assert.equal(await stored(id), 0);
  assert.deepEqual(await callsOf('unitalk', id), []);
});

test('malformed events are 400 with the reason', async () => {
  let res = await send('unitalk', req({ event: 'CALL_NEW', call: { from: '1' } }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /call\.id/);
  res = await send('unitalk', req({ event: 'CALL_NEW', call: { id: randomUUID(), date: '4 June, 1 pm' } }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /call\.date/);
  res = await send('unitalk', { ...req('call_id=1&call_from=2'), headers: { ...AUTH,
    'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(res.status, 400);
  assert.match(res.text_, /Standard JSON/);
  res = await send('unitalk', req('{"event":'));
  assert.equal(res.status, 400);
});

test('an unknown event is stored raw and answered 200', async () => {
  const id = randomUUID();
  const res = await send('unitalk', req({ event: 'CALL_HOLD', call: { id } }));
  assert.equal(res.status, 200);
  assert.deepEqual(await sql('SELECT kind FROM call_events WHERE external_id = ?', [id]), [['CALL_HOLD']]);
  assert.deepEqual(await callsOf('unitalk', id), []);
});

test('a body over 1 MiB is 413', async () => {
  const res = await send('unitalk', req({ ...callNew(randomUUID()), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
});

// §2.5: a second CALL_END is an update (a link added later, say), not a
// retry: it is stored; the same bytes again are a retry.
test('a second, different CALL_END is stored as an update; the same one again is a retry', async () => {
  const id = randomUUID();
  const end = { event: 'CALL_END', call: { id, from: '0991230002', to: ['101'], direction: 'IN',
    date: '2024-06-04 13:00:00', secondsFullTime: 30, secondsTalk: 20, state: 'ANSWER' } };
  for (const body of [end, end]) assert.equal((await send('unitalk', req(body))).status, 200);
  assert.equal(await stored(id), 1);
  const withLink = { ...end, call: { ...end.call, link: 'https://api.unitalk.cloud:8443/tracking/rec/x.mp3' } };
  assert.equal((await send('unitalk', req(withLink))).status, 200);
  assert.equal(await stored(id), 2);
  const [c] = await callsOf('unitalk', id);
  assert.equal(c.result, 'answered');
  assert.equal(c.talk_seconds, 20);
  assert.notEqual(c.recording.state, 'none');
});
