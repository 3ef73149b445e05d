// Yeastar P-Series webhooks through the real stack (nginx → hook →
// MariaDB), issue 17 part 2, providers-2.md §5. The protocol cases are the
// vectors in tests/vectors/yeastar/ (answered, missed, ring group,
// transfer, outbound, the official New CDR example): each in order, and
// each request twice in reverse order (the CDR before the live states,
// duplicates), giving one and the same call. msg is a JSON string inside
// the JSON. The URL carries the integration's key (demo-yeastar-key); the
// demo keeps the country's zone (Europe/Kyiv) for the PBX's local times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { sql } from '../lib/db.js';
import { callsOf, send, vectorTests } from '../lib/vectors.js';

const KEY = 'demo-yeastar-key';
const cid = () => `${1700000000 + randomInt(1e8)}.${randomInt(1e4)}`;
const req = (body, url = `?key=${KEY}`) => ({ url, body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' } });
const env = (type, msg) => ({ type, sn: '3631A2124XXX', msg: typeof msg === 'string' ? msg : JSON.stringify(msg) });
const ringing = (id) => env(30011, { call_id: id, members: [
  { inbound: { from: '0991230003', to: '380442000200', member_status: 'ALERT' } },
  { extension: { number: '101', channel_id: 'PJSIP/101-1', member_status: 'RING' } }] });
const stored = async (id) => Number((await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]))[0][0]);

vectorTests(test, 'yeastar');

test('unknown slug is 404', async () => {
  const res = await send('yeastar', req(ringing(cid())), { slug: 'yeastar-nobody-has-this' });
  assert.equal(res.status, 404);
});

test('a disabled Yeastar integration is 410', async () => {
  const slug = `yeastar-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('yeastar', ?, 'Yeastar (disabled test)', 0, 'UA', '{"key":"k"}')`, [slug]);
  const res = await send('yeastar', req(ringing(cid()), '?key=k'), { slug });
  assert.equal(res.status, 410);
});

test('a wrong or missing URL key: 403 and nothing stored', async () => {
  const id = cid();
  let res = await send('yeastar', req(ringing(id), '?key=demo-yeastar-kez'));
  assert.equal(res.status, 403);
  res = await send('yeastar', req(ringing(id), ''));
  assert.equal(res.status, 403);
  assert.match(res.text_, /key/);
  assert.equal(await stored(id), 0);
  assert.deepEqual(await callsOf('yeastar', id), []);
});

test('an address not in the configured allow-list (the PBX\'s): 403 and nothing stored', async () => {
  const slug = `yeastar-ips-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets, config)
             VALUES ('yeastar', ?, 'Yeastar (address test)', 1, 'UA', '{"key":"k"}',
                     '{"allowed_ips":["192.0.2.10"]}')`, [slug]);
  try {
    const id = cid();
    const res = await send('yeastar', req(ringing(id), '?key=k'), { slug });
    assert.equal(res.status, 403);
    assert.match(res.text_, /allowed_ips/);
    assert.equal(await stored(id), 0);
  } finally {
    await sql('UPDATE integrations SET enabled = 0 WHERE slug = ?', [slug]);
  }
});

test('malformed events are 400 with the reason', async () => {
  let res = await send('yeastar', req({ type: 30011, sn: 'x', msg: '{"call_id":' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /msg/);
  res = await send('yeastar', req(env(30011, { members: [] })));
  assert.equal(res.status, 400);
  assert.match(res.text_, /call_id/);
  res = await send('yeastar', req(env(30012, { call_id: cid(), time_start: '27/04/2022 19:04' })));
  assert.equal(res.status, 400);
  assert.match(res.text_, /time_start/);
  res = await send('yeastar', req({ action: 'NewCdr', callid: '1.2' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /type/);
});

test('an unknown event type is stored raw and answered 200', async () => {
  const id = cid();
  const res = await send('yeastar', req(env(39999, { call_id: id })));
  assert.equal(res.status, 200);
  assert.deepEqual(await sql('SELECT kind FROM call_events WHERE external_id = ?', [id]), [['39999']]);
  assert.deepEqual(await callsOf('yeastar', id), []);
});

test('a body over 1 MiB is 413', async () => {
  const res = await send('yeastar', req({ ...ringing(cid()), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
});
