// 3CX through the real stack (nginx → hook → MariaDB), issue 17 part 2,
// providers-2.md §6. 3CX sends what our CRM template makes it send (the
// template is downloaded from the integration's page: tested below): the
// contact lookup and the call journal. The journal has no call id: the
// call's key is derived from the start, the direction and the number
// (lib/providers/threecx/threecx.c), recomputed here independently. The
// vectors in tests/vectors/3cx/ run in order, and each entry twice in
// reverse order: one and the same call. The same entry again, or again
// with another duration and a recording link, is stored once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { callsOf, checkCall, deliver, freshRequests, loadVectors, oneCall, send } from '../lib/vectors.js';

const KEY = 'demo-3cx-key';
const req = (body, url = `?key=${KEY}`) => ({ url, body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json' }, expect: {} });
const number = () => `+38067${randomInt(1e7).toString().padStart(7, '0')}`;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

// The key as docs/providers.md states it: YYYYMMDDTHHMMSSZ-in|out-digits.
function callKey(startIso, out, num) {
  const digits = num.replace(/\D/g, '').replace(/^0+/, '');
  return `${startIso.replace(/[-:]/g, '').slice(0, 15)}Z-${out ? 'out' : 'in'}-${digits || 'withheld'}`;
}

function entry(num, startMs, over = {}) {
  return { event: 'journal', call_type: 'Inbound', number: num, agent: '101', agent_email: '', queue: '',
    duration: '00:00:30', start_utc: iso(startMs), answer_utc: iso(startMs + 5000),
    end_utc: iso(startMs + 35000), entity_id: '', recording_url: '', ...over };
}

for (const vec of loadVectors('3cx')) {
  if (vec.http === false || !vec.call) continue;
  const journal = (r) => JSON.parse(r.body).event === 'journal';
  const keyOf = (requests) => {
    const e = JSON.parse(requests.find(journal).body);
    return callKey(e.start_utc, ['Outbound', 'Notanswered'].includes(e.call_type), e.number);
  };
  test(`${vec.file}: in order: ${vec.about}`, async () => {
    const { requests } = freshRequests(vec);
    await deliver('3cx', requests.map((r) => ({ ...r, expect: {} })));
    const c = await oneCall('3cx', keyOf(requests));
    checkCall(c, vec.call, vec.file);
    assert.equal(c.events, requests.filter(journal).length);
  });
  test(`${vec.file}: every request twice, in reverse order: the same call`, async () => {
    const { requests } = freshRequests(vec);
    await deliver('3cx', [...requests].reverse().map((r) => ({ ...r, expect: {} })), { times: 2 });
    const c = await oneCall('3cx', keyOf(requests));
    checkCall(c, vec.call, `${vec.file} reversed`);
    assert.equal(c.events, requests.filter(journal).length);
  });
}

test('the same journal entry twice, and again with another duration, end and a recording: one call, one event', async () => {
  const num = number();
  const t = (Math.floor(Date.now() / 1000) - 600) * 1000;
  const e = entry(num, t);
  for (const body of [e, e, { ...e, duration: '00:00:31', end_utc: iso(t + 36000),
    recording_url: 'https://pbx.example.com/rec/1.wav' }]) {
    const res = await send('3cx', req(body));
    assert.equal(res.status, 200, res.text_);
  }
  const key = callKey(iso(t), false, num);
  const c = await oneCall('3cx', key);
  assert.equal(c.events, 1);
  assert.equal(c.talk_seconds, 30, 'the first entry stored stands');
  assert.equal(c.started_at, new Date(t).toISOString());
  // The number written another way by 3CX is the same call.
  const res = await send('3cx', req({ ...e, number: `00${num.slice(1)}` }));
  assert.equal(res.status, 200);
  assert.equal((await oneCall('3cx', key)).events, 1);
});

test('the contact lookup answers a known customer for 3CX\'s screen pop, and an unknown caller with no contact', async () => {
  const [[name, phone]] = await sql(`SELECT MAX(c.name), p.phone FROM customer_phones p
    JOIN customers c ON c.id = p.customer_id WHERE p.phone LIKE '+380%'
    GROUP BY p.phone HAVING COUNT(*) = 1 LIMIT 1`);
  let res = await send('3cx', req({ event: 'lookup', number: phone }));
  assert.equal(res.status, 200, res.text_);
  const { contact } = JSON.parse(res.text_);
  assert.equal(contact.first_name, name);
  assert.match(contact.url, /\/customers\/\d+/);
  assert.equal(contact.id, contact.url);
  res = await send('3cx', req({ event: 'lookup', number: '+380440000001' }));
  assert.equal(res.status, 200);
  assert.equal(res.text_, '{"contact":null}');
});

test('bad input: unknown slug 404, wrong key 403 (nothing stored), malformed 400, unknown call type 200, 413', async () => {
  const num = number();
  const t = (Math.floor(Date.now() / 1000) - 300) * 1000;
  let res = await send('3cx', req(entry(num, t)), { slug: '3cx-nobody-has-this' });
  assert.equal(res.status, 404);
  res = await send('3cx', req(entry(num, t), '?key=demo-3cx-kez'));
  assert.equal(res.status, 403);
  res = await send('3cx', req(entry(num, t), ''));
  assert.equal(res.status, 403);
  assert.deepEqual(await callsOf('3cx', callKey(iso(t), false, num)), []);
  res = await send('3cx', req({ ...entry(num, t), start_utc: '' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /start_utc/);
  res = await send('3cx', req({ ...entry(num, t), duration: 'long' }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /duration/);
  res = await send('3cx', req({ number: num }));
  assert.equal(res.status, 400);
  assert.match(res.text_, /CRM template/);
  res = await send('3cx', req({ ...entry(num, t), call_type: 'Internal' }));
  assert.equal(res.status, 200);
  assert.deepEqual(await callsOf('3cx', callKey(iso(t), false, num)), []);
  res = await send('3cx', req({ ...entry(num, t), pad: 'a'.repeat(1024 * 1024) }));
  assert.equal(res.status, 413);
  const slug = `pbx-off-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets)
             VALUES ('3cx', ?, '3CX (disabled test)', 0, 'UA', '{"key":"k"}')`, [slug]);
  res = await send('3cx', req(entry(num, t), '?key=k'), { slug });
  assert.equal(res.status, 410);
});

test('the CRM template: a download on the integration\'s page for admins only, well-formed, with this URL and key', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[id]] = await sql("SELECT id FROM integrations WHERE slug = '3cx'");
  const page = await admin.get(`/settings/integrations/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, new RegExp(`href="/settings/integrations/${id}/panel-file"`));
  const r = await admin.get(`/settings/integrations/${id}/panel-file`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/xml/);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="callboard-3cx.xml"/);
  assert.match(r.headers.get('cache-control'), /no-store/);
  const dir = mkdtempSync(path.join(tmpdir(), 'cb3cx-'));
  const file = path.join(dir, 't.xml');
  writeFileSync(file, r.text_);
  const xpath = (x) => execFileSync('xmllint', ['--xpath', x, file]).toString().trim();
  const url = xpath("string(/Crm/Parameters/Parameter[@Name='CallbackUrl']/@Default)");
  assert.match(url, /\/hook\/3cx\?key=demo-3cx-key$/);
  assert.equal(xpath("string(/Crm/Scenarios/Scenario[@Id='ReportCall']/Request/PostValues/Value[@Key='event'])"),
    'journal');
  // What 3CX would send from it, to the URL it holds, is accepted.
  const num = number();
  const t = (Math.floor(Date.now() / 1000) - 200) * 1000;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(entry(num, t)) });
  assert.equal(res.status, 200);
  assert.equal((await callsOf('3cx', callKey(iso(t), false, num))).length, 1);

  const manager = new Client();
  await manager.login('manager', 'manager');
  assert.equal((await manager.get(`/settings/integrations/${id}/panel-file`)).status, 403);
  const [[zd]] = await sql("SELECT id FROM integrations WHERE slug = 'zadarma'");
  assert.equal((await admin.get(`/settings/integrations/${zd}/panel-file`)).status, 404);
  assert.doesNotMatch((await admin.get(`/settings/integrations/${zd}`)).text_, /panel-file/);
});
