// Phonet "user events" through the real stack (nginx → hook → MariaDB),
// issue 17 part 2, providers-2.md §1. The protocol cases are the vectors
// in tests/vectors/phonet/ (answered, missed, ring group, transfer,
// outgoing form): each in order, and each request twice in reverse order
// (hang-up before answer, duplicates), giving one and the same call. Then
// bad input and the caller lookup. Phonet authenticates by source address:
// the demo integration allows loopback only (a real one allows Phonet's
// six servers), and it has a URL key (demo-phonet-key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { callsOf, send, vectorTests } from '../lib/vectors.js';

const KEY = 'demo-phonet-key';
const KNOWN = '+380671234567';          // Mallory (crm-20004), manager 101
const uuid = () => randomBytes(16).toString('hex');
const json = (body, url = `?key=${KEY}`) => ({ url, body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' } });
const dial = (id) => ({ event: 'call.dial', uuid: id, parentUuid: null, dialAt: Math.floor(Date.now() / 1000),
  bridgeAt: null, lgDirection: 4, leg: { id: 1, ext: '101' }, leg2: null,
  otherLegs: [{ num: '+380991230000' }], trunkNum: '+380442246595' });

vectorTests(test, 'phonet');

test('unknown slug is 404', async () => {
  const res = await send('phonet', json(dial(uuid())), { slug: 'phonet-nobody-has-this' });
  assert.equal(res.status, 404);
});

test('a disabled Phonet integration is 410', async () => {
  const slug = `phonet-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets, config)
             VALUES ('phonet', ?, 'Phonet (disabled test)', 0, 'UA', '{}', '{"allowed_ips":["127.0.0.1"]}')`, [slug]);
  const res = await send('phonet', json(dial(uuid()), ''), { slug });
  assert.equal(res.status, 410);
});

test('wrong or missing URL key: 403 and nothing stored', async () => {
  const id = uuid();
  let res = await send('phonet', json(dial(id), '?key=wrong'));
  assert.equal(res.status, 403);
  assert.match(res.text_, /key/);
  res = await send('phonet', json(dial(id), ''));
  assert.equal(res.status, 403);
  assert.deepEqual(await callsOf('phonet', id), []);
  const [[n]] = await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]);
  assert.equal(n, '0');
});

test('an address not in the allow-list (Phonet\'s servers by default): 403 and nothing stored', async () => {
  const slug = `phonet-ips-${randomBytes(4).toString('hex')}`;
  // No allowed_ips: the adapter's default, Phonet's six servers; the
  // test runs from 127.0.0.1.
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('phonet', ?, 'Phonet (address test)', 1, 'UA', '{}')`, [slug]);
  try {
    const id = uuid();
    const res = await send('phonet', json(dial(id), ''), { slug });
    assert.equal(res.status, 403);
    assert.match(res.text_, /Phonet's servers/);
    const [[n]] = await sql('SELECT COUNT(*) FROM call_events WHERE external_id = ?', [id]);
    assert.equal(n, '0');
  } finally {
    await sql('UPDATE integrations SET enabled = 0 WHERE slug = ?', [slug]);
  }
});

test('malformed events are 400 with the reason', async () => {
  let res = await send('phonet', json({ event: 'call.dial', dialAt: 1 }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /uuid/);
  res = await send('phonet', json({ ...dial(uuid()), dialAt: 'yesterday' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /dialAt/);
  res = await send('phonet', json({ uuid: uuid() }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /no event field/);
  res = await send('phonet', { url: `?key=${KEY}`, body: '{"event":', headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 400);
});

test('an unknown event is stored raw and answered 200', async () => {
  const id = uuid();
  const res = await send('phonet', json({ event: 'call.somethingNew', uuid: id }));
  assert.equal(res.status, 200);
  assert.equal(res.text_, '{}');
  const rows = await sql('SELECT kind FROM call_events WHERE external_id = ?', [id]);
  assert.deepEqual(rows, [['call.somethingNew']]);
  assert.deepEqual(await callsOf('phonet', id), []);
});

test('a body over 1 MiB is 413', async () => {
  const res = await send('phonet', json({ ...dial(uuid()), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
});

test('caller lookup: a known customer goes to the responsible manager', async () => {
  const res = await send('phonet', json({ otherLegNum: KNOWN, trunkNum: '+380442246595' }));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  const body = JSON.parse(res.text_);
  assert.equal(body.responsibleEmployeeExt, '101');
  assert.match(body.name, /^Mallory/);
  assert.match(body.url, /^https?:\/\//);
  assert.equal(body.newEntity, false);
});

test('caller lookup: an unknown caller gets empty values, never an error', async () => {
  const res = await send('phonet', { ...json({ otherLegNum: '+380991234500' }), headers: {
    'content-type': 'application/x-www-form-urlencoded' }, body: 'otherLegNum=%2B380991234500&trunkNum=%2B380442246595' });
  assert.equal(res.status, 200);
  const body = JSON.parse(res.text_);
  assert.equal(body.responsibleEmployeeExt, '');
  assert.equal(body.name, '');
});
