// Settings › Automation, issue 19 §2 and §3 (seed 001): the answered-call
// lead rule is for incoming, outgoing or all calls and names the source of
// its leads; each integration says whether a call's lead follows a manual
// transfer (on by default). Server-side validation with the message next
// to the field; only the integrations the form listed change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { saveRules, restoreRules } from '../lib/automation.js';

let admin;
let saved;
let follow;

async function csrfOf(client) {
  const page = await client.get('/settings/automation');
  assert.equal(page.status, 200);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function post(client, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request('/settings/automation', {
    method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

const rule = async (kind) => (await sql(
  'SELECT call_directions, lead_origin FROM automation_rules WHERE kind = ?', [kind]))[0];
const followOf = async (slug) => Number((await sql(
  'SELECT lead_follows_transfer FROM integrations WHERE slug = ?', [slug]))[0][0]);
const idOf = async (slug) => Number((await sql('SELECT id FROM integrations WHERE slug = ?', [slug]))[0][0]);

before(async () => {
  admin = new Client(); await admin.login('admin', 'admin');
  saved = await saveRules();
  follow = await sql('SELECT id, lead_follows_transfer FROM integrations');
});

after(async () => {
  await restoreRules(saved);
  for (const [id, on] of follow) await sql('UPDATE integrations SET lead_follows_transfer = ? WHERE id = ?', [on, id]);
});

test('a new integration\'s lead follows a manual transfer by default; the page shows each with its box', async () => {
  for (const slug of ['twilio', 'zadarma', 'binotel', 'asterisk', 'generic'])
    assert.equal(await followOf(slug), 1, slug);
  const m = JSON.parse((await admin.get('/settings/automation?format=json')).text_);
  const z = m.follow.find((f) => f.name === 'Zadarma (demo)');
  assert.ok(z, JSON.stringify(m.follow));
  assert.equal(z.on, true);
  const page = await admin.get('/settings/automation');
  assert.match(page.text_, new RegExp(`name="follow" value="${z.id}" id="follow-${z.id}" checked`));
  assert.match(page.text_, new RegExp(`name="follow_ids" value="${z.id}"`));
  assert.deepEqual(m.leads.map((l) => l.heading),
    ['Automatic lead for an answered call', 'Automatic lead for a missed call']);
});

test('saving: outgoing calls, a source per rule, one integration\'s transfer setting off', async () => {
  const zd = await idOf('zadarma');
  const bn = await idOf('binotel');
  const r = await post(admin, [
    ['csrf', await csrfOf(admin)],
    ['lead_received_enabled', '1'], ['lead_received_type', 'call'], ['lead_received_calls', 'out'],
    ['lead_received_source', '  Cold calling '], ['lead_missed_type', 'missed'], ['lead_missed_source', 'Missed calls'],
    ['follow_ids', String(zd)], ['follow_ids', String(bn)], ['follow', String(bn)],
  ]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  assert.deepEqual(await rule('lead_on_received'), ['out', 'Cold calling']);
  assert.deepEqual(await rule('lead_on_missed'), ['in', 'Missed calls']);
  assert.equal(await followOf('zadarma'), 0, 'listed and not ticked: off');
  assert.equal(await followOf('binotel'), 1, 'listed and ticked: on');
  assert.equal(await followOf('twilio'), 1, 'not listed: unchanged');
  const page = await admin.get('/settings/automation');
  assert.match(page.text_, /name="lead_received_calls" value="out" checked/);
  assert.match(page.text_, /name="lead_received_source" id="lead-received-source" value="Cold calling"/);
  assert.match(page.text_, new RegExp(`name="follow" value="${zd}" id="follow-${zd}">`));

  // Back on, and all calls with no source.
  const r2 = await post(admin, [
    ['csrf', await csrfOf(admin)], ['lead_received_type', 'call'], ['lead_received_calls', 'all'],
    ['lead_received_source', ''], ['follow_ids', String(zd)], ['follow', String(zd)],
  ]);
  assert.equal(r2.status, 303);
  assert.deepEqual(await rule('lead_on_received'), ['all', null]);
  assert.equal(await followOf('zadarma'), 1);
});

test('bad input: a direction that is not one, a source over 60 characters, an unknown integration: 400, messages, nothing saved', async () => {
  const before = [await rule('lead_on_received'), await rule('lead_on_missed'), await followOf('zadarma')];
  const zd = await idOf('zadarma');
  const long = 'ß'.repeat(61);
  const r = await post(admin, [
    ['csrf', await csrfOf(admin)], ['lead_received_type', 'call'], ['lead_received_calls', 'sideways'],
    ['lead_missed_source', long], ['follow_ids', String(zd)], ['follow', '999999999'],
  ]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /Nothing was saved/);
  assert.match(r.text_, /<span class="field-error">Choose incoming, outgoing or all calls\.<\/span>/);
  assert.match(r.text_, /<span class="field-error">The lead source is too long[^<]*<\/span>|<span class="field-error">[^<]*60[^<]*<\/span>/);
  assert.match(r.text_, /One of the integrations no longer exists; reload the page and choose again\./);
  assert.match(r.text_, new RegExp(`name="lead_missed_source" id="lead-missed-source" value="${long}"`), 'the typed value stays');
  assert.match(r.text_, /name="lead_received_calls" value="in" checked/);
  assert.deepEqual([await rule('lead_on_received'), await rule('lead_on_missed'), await followOf('zadarma')], before);
});
