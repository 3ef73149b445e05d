// Which employees see a line's calls (issue 19 item 5; seed 004: "for an employee to see the
// incoming call card, give them access to the handset in the integration's settings"), and which
// telephony kinds a new integration may be for a store's country (item 7; seed 000).
//
// Lines: per integration, the users of each of its numbers and of "any line" (Settings ›
// Integrations › <one> › Who sees the lines). A user not on a line's list gets no popup for its
// calls (pushed through nchan or polled) and cannot call through it (403); with no lists,
// everybody with the permissions, as before. Everything here runs on integrations this file
// creates (own slug, secret and numbers), disabled at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { subscribe } from '../lib/live.js';

const nchan = process.env.CB_NCHAN !== '0' && existsSync('/usr/lib/nginx/modules/ngx_nchan_module.so');
const SECRET = 'line-access-secret-0123456789';
let admin, manager, olena;
const ids = {};
const subs = [];
const made = [];   // integration ids to disable at the end
let seq = 0;
const freshDid = () => '+38044' + String(Date.now() * 10 + (seq++ % 10)).slice(-7);
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

async function csrfOf(client, p) {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function postForm(client, p, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

// A new integration through the settings form; extra: more [name, value] fields.
async function create(kind, extra = []) {
  const slug = `t-la-${randomBytes(4).toString('hex')}`;
  const secret = kind === 'binotel' ? [['secret_key', 'bn-key-0123456789'], ['secret_secret', 'bn-secret-0123456789']]
    : [['secret_secret', SECRET]];
  const r = await postForm(admin, '/settings/integrations/new', [
    ['csrf', await csrfOf(admin, '/settings/integrations')], ['kind', kind], ['name', `Lines ${slug}`],
    ['slug', slug], ['enabled', '1'], ['country', 'UA'], ['fallback', ''], ...secret, ...extra]);
  return { r, slug };
}

async function createOk(kind, extra) {
  const { r, slug } = await create(kind, extra);
  assert.equal(r.status, 303, r.text_.slice(0, 1500));
  const id = Number(r.headers.get('location').match(/\/settings\/integrations\/(\d+)\?/)[1]);
  made.push(id);
  return { id, slug };
}

// Saves the lists: { any: [user ids], '<number>': [user ids] }.
async function saveLines(id, lists, { client = admin, csrf } = {}) {
  const fields = [['csrf', csrf ?? await csrfOf(client, '/settings/integrations')]];
  for (const [line, users] of Object.entries(lists))
    for (const u of users) fields.push([`users_${line}`, String(u)]);
  return postForm(client, `/settings/integrations/${id}/lines`, fields);
}

async function sub(client, userId) {
  const s = await subscribe(client, userId);
  subs.push(s);
  return s;
}

async function ring(slug, did, ext, number = freshNumber()) {
  const callId = uid('la');
  const res = await postGeneric({ event: 'call.start', call_id: callId, direction: 'in', from: number, did, ext },
    { slug, secret: SECRET });
  assert.equal(res.status, 200, res.text_);
  return { callId, number };
}

async function polled(client, number) {
  const res = await client.get('/live/poll', { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200);
  return JSON.parse(res.text_).calls.some((c) => c.number === number);
}

let gen;           // a generic integration with two lines
const lineA = freshDid(), lineB = freshDid();

before(async () => {
  for (const [login, id] of await sql("SELECT login, id FROM users WHERE login IN ('admin','manager','olena')")) ids[login] = Number(id);
  admin = new Client(); await admin.login('admin', 'admin');
  manager = new Client(); await manager.login('manager', 'manager');
  olena = new Client(); await olena.login('olena', 'manager');
  gen = await createOk('generic', [['number', lineA], ['store', ''], ['label', 'Front desk'],
    ['number', lineB], ['store', ''], ['label', '']]);
});

after(async () => {
  subs.forEach((s) => s.close());
  for (const id of made) {
    await sql('UPDATE integrations SET enabled = 0 WHERE id = ?', [id]);
    await sql('DELETE FROM line_access WHERE integration_id = ?', [id]);
  }
  await sql("DELETE FROM stores WHERE name LIKE 'Line test store %'");
});

// ------------------------------------------------------------------ settings form --

test('the integration page has "Who sees the lines": any line and each number, nobody ticked', async () => {
  const page = await admin.get(`/settings/integrations/${gen.id}`);
  assert.equal(page.status, 200);
  const sec = page.text_.match(/<section class="line-access"[\s\S]*?<\/section>/);
  assert.ok(sec, 'no line access section');
  assert.match(sec[0], /action="\/settings\/integrations\/\d+\/lines"/);
  assert.match(sec[0], /Any line of this integration/);
  assert.match(sec[0], new RegExp(`data-line="\\${lineA}"`));
  assert.match(sec[0], /Front desk/);
  assert.match(sec[0], new RegExp(`data-line="\\${lineB}"`));
  assert.doesNotMatch(sec[0], /checked/);
  assert.match(sec[0], new RegExp(`name="users_any" value="${ids.olena}"`));
});

test('saving the lists: CSRF required, settings permission required, then stored and shown ticked', async () => {
  let r = await postForm(admin, `/settings/integrations/${gen.id}/lines`, [[`users_${lineA}`, String(ids.olena)]]);
  assert.equal(r.status, 403, 'no CSRF token');
  r = await postForm(admin, `/settings/integrations/${gen.id}/lines`, [['csrf', 'x'.repeat(43)], [`users_${lineA}`, String(ids.olena)]]);
  assert.equal(r.status, 403, 'a wrong CSRF token');
  r = await saveLines(gen.id, { [lineA]: [ids.olena] }, { client: manager, csrf: await manager.csrf() });
  assert.equal(r.status, 403, 'a manager without settings');
  assert.deepEqual(await sql('SELECT COUNT(*) FROM line_access WHERE integration_id = ?', [gen.id]), [['0']]);

  r = await saveLines(gen.id, { [lineA]: [ids.olena, ids.olena], any: [ids.manager] });
  assert.equal(r.status, 303, r.text_.slice(0, 800));
  assert.match(r.headers.get('location'), /\?saved=lines#line-access$/);
  assert.deepEqual(await sql('SELECT line, user_id FROM line_access WHERE integration_id = ? ORDER BY line', [gen.id]),
    [['', String(ids.manager)], [lineA, String(ids.olena)]]);
  const page = await admin.get(r.headers.get('location'));
  assert.match(page.text_, /Who sees the lines is saved/);
  const a = page.text_.match(new RegExp(`<fieldset class="line" id="line-\\d+" data-line="\\${lineA}">[\\s\\S]*?</fieldset>`))[0];
  assert.match(a, new RegExp(`value="${ids.olena}" checked`));
  assert.doesNotMatch(a, new RegExp(`value="${ids.manager}" checked`));

  // Saving nothing ticked clears every list: everybody again.
  r = await saveLines(gen.id, {});
  assert.equal(r.status, 303);
  assert.deepEqual(await sql('SELECT COUNT(*) FROM line_access WHERE integration_id = ?', [gen.id]), [['0']]);
});

test('bad input: 400 with the message beside the line, nothing saved', async () => {
  await saveLines(gen.id, { any: [ids.olena] });
  let r = await saveLines(gen.id, { [lineA]: ['abc'] });
  assert.equal(r.status, 400);
  let a = r.text_.match(new RegExp(`data-line="\\${lineA}">[\\s\\S]*?</fieldset>`))[0];
  assert.match(a, /class="field-error">Choose users from the list\./);

  r = await saveLines(gen.id, { [lineB]: [99999999] });
  assert.equal(r.status, 400);
  a = r.text_.match(new RegExp(`data-line="\\${lineB}">[\\s\\S]*?</fieldset>`))[0];
  assert.match(a, /User 99999999 is not an active user/);

  r = await saveLines(gen.id, { '+380000000001': [ids.olena] });
  assert.equal(r.status, 400);
  assert.match(r.text_, /“\+380000000001” is not a number of this integration \(any more\)/);
  assert.match(r.text_, /Nothing was saved/);
  // the earlier lists are intact
  assert.deepEqual(await sql('SELECT line, user_id FROM line_access WHERE integration_id = ?', [gen.id]),
    [['', String(ids.olena)]]);

  r = await saveLines(999999999, { any: [ids.olena] });
  assert.equal(r.status, 404);
  await saveLines(gen.id, {});
});

// ------------------------------------------------------------------------- popups --

test("a user not on the line gets no popup (pushed or polled); the one on it does", async () => {
  // lineA: olena only. The call rings manager's (101) and olena's (103) extensions.
  assert.equal((await saveLines(gen.id, { [lineA]: [ids.olena] })).status, 303);
  const mine = nchan ? await sub(manager, ids.manager) : null;
  const hers = nchan ? await sub(olena, ids.olena) : null;
  await sleep(100);
  const callId = uid('la');
  const number = freshNumber();
  for (const ext of ['101', '103']) {
    const res = await postGeneric({ event: 'call.start', call_id: callId, direction: 'in', from: number, did: lineA, ext },
      { slug: gen.slug, secret: SECRET });
    assert.equal(res.status, 200, res.text_);
  }
  const [[live]] = await sql('SELECT live_users FROM calls WHERE integration_id = ? AND external_id = ?', [gen.id, callId]);
  assert.ok(String(live).split(',').map(Number).includes(ids.manager), `the call rang for manager: ${live}`);
  if (nchan) {
    assert.ok(await hers.next((d) => d.number === number, 1500), 'olena (on the line) got no popup');
    await sleep(400);
    assert.equal(mine.messages.filter((m) => m.data.number === number).length, 0, 'manager (not on the line) got a popup');
  }
  assert.equal(await polled(olena, number), true, 'olena polls it');
  assert.equal(await polled(manager, number), false, 'manager polls it');
});

test("the same call on a line without a list reaches everybody it rings for (today's behaviour)", async () => {
  assert.equal((await saveLines(gen.id, { [lineA]: [ids.olena] })).status, 303);
  const mine = nchan ? await sub(manager, ids.manager) : null;
  await sleep(100);
  const { number } = await ring(gen.slug, lineB, '101');
  if (nchan) assert.ok(await mine.next((d) => d.number === number, 1500), 'manager got no popup on the open line');
  assert.equal(await polled(manager, number), true);
});

test('"any line" applies to lines without their own list; a line\'s own list wins', async () => {
  assert.equal((await saveLines(gen.id, { any: [ids.olena], [lineA]: [ids.manager] })).status, 303);
  const mine = nchan ? await sub(manager, ids.manager) : null;
  await sleep(100);
  const onB = await ring(gen.slug, lineB, '101');     // any line: olena only
  const onA = await ring(gen.slug, lineA, '101');     // lineA: manager
  if (nchan) {
    assert.ok(await mine.next((d) => d.number === onA.number, 1500), 'manager got no popup on his line');
    await sleep(300);
    assert.equal(mine.messages.filter((m) => m.data.number === onB.number).length, 0);
  }
  assert.equal(await polled(manager, onB.number), false);
  assert.equal(await polled(manager, onA.number), true);
  // History is not restricted by the lines: the manager still finds the call (role rules).
  const [[callId]] = await sql('SELECT id FROM calls WHERE integration_id = ? AND external_id = ?', [gen.id, onB.callId]);
  assert.equal((await manager.get(`/calls/${callId}`)).status, 200);
  await saveLines(gen.id, {});
});

// ------------------------------------------------------------------ click-to-call --

test('click-to-call: an integration whose line the user is not on is not offered, and picking it is 403', async () => {
  const dialer = await createOk('generic', [['make_call_url', 'http://127.0.0.1:9/pbx/call?ext={extension}&to={number}'],
    ['make_call_method', 'POST'], ['number', freshDid()], ['store', ''], ['label', '']]);
  assert.equal((await saveLines(dialer.id, { any: [ids.olena] })).status, 303);
  let page = await manager.get('/dial?number=%2B380671234567');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.text_, new RegExp(`value="${dialer.slug}"`));
  page = await olena.get('/dial?number=%2B380671234567');
  assert.match(page.text_, new RegExp(`value="${dialer.slug}"`));

  const csrf = await manager.csrf();
  let r = await postForm(manager, '/dial', [['csrf', csrf], ['number', '+380671234567'], ['integration', dialer.slug]]);
  assert.equal(r.status, 403, r.text_.slice(0, 500));
  assert.match(r.text_, /You are not on the lines of Lines t-la-[0-9a-f]+, so you cannot call through it\. Ask an admin to add you/);
  r = await manager.request('/dial', { method: 'POST', headers: { accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ csrf, number: '+380671234567', integration: dialer.slug }).toString() });
  assert.equal(r.status, 403);
  assert.match(JSON.parse(r.text_).error.message, /not on the lines/);
  await sql('UPDATE integrations SET enabled = 0 WHERE id = ?', [dialer.id]);
});

// --------------------------------------------------------------- kinds by country --

test('a new integration for a store in Poland: only kinds that serve PL are offered, others refused (400)', async () => {
  const name = `Line test store ${randomBytes(3).toString('hex')}`;
  await sql("INSERT INTO stores (name, country) VALUES (?, 'PL')", [name]);
  const [[store]] = await sql('SELECT id FROM stores WHERE name = ?', [name]);
  let page = await admin.get(`/settings/integrations/new?kind=generic&store=${store}`);
  assert.equal(page.status, 200);
  const list = page.text_.match(/<p class="views" id="kind-list">[\s\S]*?<\/p>/)[0];
  assert.match(list, /kinds-country">PL</);
  for (const k of ['twilio', 'zadarma', 'asterisk', 'generic']) assert.match(list, new RegExp(`data-kind="${k}"`), k);
  for (const k of ['binotel', 'phonet', 'unitalk']) assert.doesNotMatch(list, new RegExp(`data-kind="${k}"`), k);
  assert.match(list, new RegExp(`kind=twilio&amp;store=${store}`));
  assert.match(page.text_, new RegExp(`<input type="hidden" name="store" value="${store}">`));
  assert.match(page.text_, /name="country"[^>]*value="PL"/, "the new form's default country is the store's");

  // Without a store: the system's country (UA), where Binotel is offered.
  page = await admin.get('/settings/integrations/new?kind=generic');
  assert.match(page.text_, /data-kind="binotel"/);

  // The server refuses it whatever the page offered.
  let { r } = await create('binotel', [['store', String(store)]]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /id="kind-error">Binotel does not serve PL \(the country of Line test store [0-9a-f]+\)\. Choose Twilio Voice, Zadarma, Asterisk, .* or Another PBX \(generic format\)\./);
  // ... and a number of a PL store on a new Binotel integration
  ({ r } = await create('binotel', [['number', freshDid()], ['store', String(store)], ['label', '']]));
  assert.equal(r.status, 400);
  assert.match(r.text_, /class="field-error">Binotel does not serve PL \(the country of Line test store/);
  // A store that is not one.
  ({ r } = await create('generic', [['store', 'abc']]));
  assert.equal(r.status, 400);
  assert.match(r.text_, /There is no such store \(any more\): choose one from the list\./);
  ({ r } = await create('generic', [['store', '99999999']]));
  assert.equal(r.status, 400);
  // Generic serves anywhere.
  ({ r } = await create('generic', [['store', String(store)]]));
  assert.equal(r.status, 303, r.text_.slice(0, 500));
  made.push(Number(r.headers.get('location').match(/(\d+)\?/)[1]));
});

test('an existing integration of a kind no longer offered for its store keeps working, with a note', async () => {
  const name = `Line test store ${randomBytes(3).toString('hex')}`;
  await sql("INSERT INTO stores (name, country) VALUES (?, 'UA')", [name]);
  const [[store]] = await sql('SELECT id FROM stores WHERE name = ?', [name]);
  const bn = await createOk('binotel', [['store', String(store)], ['number', freshDid()], ['store', String(store)], ['label', '']]);
  let page = await admin.get(`/settings/integrations/${bn.id}`);
  assert.doesNotMatch(page.text_, /id="kind-note"/);
  // The store moves to Poland: Binotel is no longer offered there.
  await sql("UPDATE stores SET country = 'PL' WHERE id = ?", [store]);
  page = await admin.get(`/settings/integrations/${bn.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /id="kind-note" role="note">Binotel is not offered for new integrations in PL \(the country of Line test store [0-9a-f]+\); this one keeps working\.</);
  const listPage = await admin.get('/settings/integrations');
  assert.match(listPage.text_, /class="hint kind-note"> <span>Binotel is not offered for new integrations in PL/);
  // Saving it still works.
  const form = [['csrf', await csrfOf(admin, `/settings/integrations/${bn.id}`)], ['kind', 'binotel'], ['name', 'Still Binotel'],
    ['enabled', '1'], ['country', 'UA'], ['fallback', '']];
  const r = await postForm(admin, `/settings/integrations/${bn.id}`, form);
  assert.equal(r.status, 303, r.text_.slice(0, 800));
  await sql('DELETE FROM store_numbers WHERE integration_id = ?', [bn.id]);
});
