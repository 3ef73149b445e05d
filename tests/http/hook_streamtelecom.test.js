// Stream Telecom call events through the real stack (nginx → hook →
// MariaDB), issue 17 part 2, providers-2.md §4. The protocol cases are the
// vectors in tests/vectors/streamtelecom/ (the documented fixture, queue /
// ring group, missed, transfer, IVR abandon, outgoing): each in order, and
// each request twice in reverse order (Hangup before Answer, duplicates),
// giving one and the same call. Nothing is signed: the URL carries the
// integration's key (demo-streamtelecom-key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { sql } from '../lib/db.js';
import { callsOf, send, vectorTests } from '../lib/vectors.js';

const KEY = 'demo-streamtelecom-key';
const sid = () => `${1700000000 + randomInt(1e8)}.${randomInt(1e7)}`;
const req = (body, url = `?key=${KEY}`) => ({ url, body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' } });
const start = (id) => ({ event: 'Start', type: 'in', from: '380631230000', to: '380441112233',
  via: '380441112233', sessionid: id, event_time: String(Date.now()) });
const stored = async (id) => Number((await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]))[0][0]);

vectorTests(test, 'streamtelecom');

test('unknown slug is 404', async () => {
  const res = await send('streamtelecom', req(start(sid())), { slug: 'streamtelecom-nobody-has-this' });
  assert.equal(res.status, 404);
});

test('a disabled Stream Telecom integration is 410', async () => {
  const slug = `stream-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('streamtelecom', ?, 'Stream (disabled test)', 0, 'UA', '{"key":"k"}')`, [slug]);
  const res = await send('streamtelecom', req(start(sid()), '?key=k'), { slug });
  assert.equal(res.status, 410);
});

test('a wrong or missing URL key: 403 and nothing stored', async () => {
  const id = sid();
  let res = await send('streamtelecom', req(start(id), '?key=demo-streamtelecom-kez'));
  assert.equal(res.status, 403);
  res = await send('streamtelecom', req(start(id), ''));
  assert.equal(res.status, 403);
  assert.match(res.text_, /key/);
  assert.equal(await stored(id), 0);
  assert.deepEqual(await callsOf('streamtelecom', id), []);
});

test('malformed events are 400 with the reason', async () => {
  let res = await send('streamtelecom', req({ event: 'Start', type: 'in' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /sessionid/);
  res = await send('streamtelecom', req({ ...start(sid()), event_time: 'now' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /event_time/);
  res = await send('streamtelecom', req({ event: 'Answer', sessionid: sid() }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /call_id/);
  res = await send('streamtelecom', req('[1,2'));
  assert.equal(res.status, 400);
});

test('an unknown event is stored raw and answered 200', async () => {
  const id = sid();
  const res = await send('streamtelecom', req({ event: 'Transfer', sessionid: id }));
  assert.equal(res.status, 200);
  assert.deepEqual(await sql('SELECT kind FROM call_events WHERE external_id = ?', [id]), [['Transfer']]);
  assert.deepEqual(await callsOf('streamtelecom', id), []);
});

test('a body over 1 MiB is 413', async () => {
  const res = await send('streamtelecom', req({ ...start(sid()), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
});
