// Issue 18: numbers as people write them, and one-click calls through the default line.
//  - The profile's Country (CSRF, a bad value is a 400 beside the field): numbers of that country
//    are shown in national form, others in international form (libphonenumber); the JSON API and
//    the CSV keep E.164.
//  - POST /dial without an integration calls through the line the user last used, else the line of
//    the call's store / the call's own line, else the only one; never a line line_acl_allows()
//    refuses the user; with several and no default it asks ("Pick …"). The providers are local
//    stand-ins (node http on loopback) as in dial.test.js.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

let server, standIn, user, userId, login;
let hits = [];
const saved = new Map();
const SLUGS = ['twilio', 'zadarma', 'binotel', 'generic'];

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method, url: req.url });
      if (req.url.startsWith('/2010-04-01/')) { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"sid":"CA1","status":"queued"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url.startsWith('/pbx/') ? '{"ok":true}' : '{"status":"success"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  standIn = `http://127.0.0.1:${server.address().port}`;
  for (const [slug, config] of await sql(`SELECT slug, config FROM integrations WHERE slug IN (${SLUGS.map(() => '?').join(',')})`, SLUGS)) {
    saved.set(slug, config === 'NULL' ? null : config);
  }
  const set = (slug, obj) => sql("UPDATE integrations SET config = JSON_MERGE_PATCH(COALESCE(config, '{}'), ?) WHERE slug = ?", [JSON.stringify(obj), slug]);
  await set('zadarma', { api_base: standIn });
  await set('binotel', { api_base: standIn });
  await set('twilio', { api_base: standIn, caller_id: '+15557654321' });
  await set('generic', { make_call_url: `${standIn}/pbx/call?ext={extension}&to={number}&crm={call_id}` });
  for (const slug of SLUGS) await set(slug, { allow_private_hosts: ['127.0.0.0/8'] });
  // A user of their own (the manager's role, an extension), so that "last used" starts empty.
  login = `n18${Date.now().toString(36)}`;
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id)
    SELECT ?, password_hash, 'Numbers Test', '177', role_id FROM users WHERE login = 'manager'`, [login]);
  [[userId]] = await sql('SELECT id FROM users WHERE login = ?', [login]);
  user = new Client();
  await user.login(login, 'manager');
});

after(async () => {
  await sql('DELETE FROM line_access WHERE user_id = (SELECT id FROM users WHERE login = ?) OR integration_id IN (SELECT id FROM integrations WHERE slug = ?)', [login, 'binotel']);
  await sql('DELETE FROM users WHERE login = ?', [login]);
  for (const [slug, config] of saved) await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => { hits = []; });

async function saveProfile(form, { csrf } = {}) {
  const token = csrf ?? await user.csrf();
  return user.post('/settings/users/me', { form: { csrf: token, time_zone: 'Europe/Kyiv', sip_domain: '', ...form } });
}

async function dial(form) {
  const csrf = await user.csrf();
  const res = await user.post('/dial', { form: { csrf, ...form }, headers: { accept: 'application/json' } });
  return { status: res.status, j: JSON.parse(res.text_) };
}

const country = async () => (await sql('SELECT COALESCE(country, \'\') FROM users WHERE id = ?', [userId]))[0][0];

test('the profile has a Country; CSRF is checked and a bad code is a 400 beside the field', async () => {
  const page = await user.get('/settings/users/me');
  assert.match(page.text_, /<input name="country" maxlength="2"/);
  const forged = await saveProfile({ country: 'PL' }, { csrf: 'x'.repeat(43) });
  assert.equal(forged.status, 403);
  assert.equal(await country(), '');
  for (const bad of ['Q1', 'XX', 'POL', '<b']) {
    const res = await saveProfile({ country: bad });
    assert.equal(res.status, 400, bad);
    assert.match(res.text_, /<p class="field-error">Enter a two-letter country code like UA, PL or US, or leave it empty for the default \(UA\)\.<\/p>/, bad);
    assert.equal(await country(), '', `${bad} is not saved`);
  }
  const ok = await saveProfile({ country: 'pl' });
  assert.equal(ok.status, 303);
  assert.equal(await country(), 'PL');
  assert.match((await user.get('/settings/users/me')).text_, /name="country"[^>]*value="PL"/);
  assert.equal((await saveProfile({ country: '' })).status, 303);
  assert.equal(await country(), '', 'empty is the default again');
});

test('history shows numbers as people of the viewer\'s country write them; JSON and CSV keep E.164', async () => {
  // A Ukrainian and a US number among the newest calls.
  const [[ua]] = await sql("SELECT id FROM calls WHERE client_number LIKE '+380%' AND client_withheld = 0 ORDER BY started_at DESC, id DESC LIMIT 1");
  const [[saveUs, saveUsRev]] = await sql('SELECT client_number, client_digits_rev FROM calls WHERE id = ?', [ua]);
  const [[other]] = await sql("SELECT id FROM calls WHERE id <> ? AND client_withheld = 0 AND client_number LIKE '+380%' ORDER BY started_at DESC, id DESC LIMIT 1", [ua]);
  const [[saveOther]] = await sql('SELECT client_number FROM calls WHERE id = ?', [other]);
  await sql("UPDATE calls SET client_number = '+380671234567', client_digits_rev = '765432176083' WHERE id = ?", [ua]);
  await sql("UPDATE calls SET client_number = '+14155552671' WHERE id = ?", [other]);
  try {
    const rows = async () => {
      const j = JSON.parse((await user.get('/calls?format=json')).text_);
      return Object.fromEntries(j.calls.map((c) => [c.id, c]));
    };
    // default country (UA): national for +380, international for +1
    let r = await rows();
    assert.equal(r[ua].number, '+380671234567', 'JSON keeps E.164');
    assert.equal(r[ua].number_shown, '067 123 4567');
    assert.equal(r[other].number_shown, '+1 415-555-2671');
    const html = (await user.get('/calls')).text_;
    assert.ok(html.includes('>067 123 4567</a>'), 'the page shows the national form');
    assert.ok(html.includes('href="/dial?number=%2B380671234567&amp;call='), 'the link keeps E.164');
    // a US viewer: the other way round
    assert.equal((await saveProfile({ country: 'US' })).status, 303);
    r = await rows();
    assert.equal(r[ua].number_shown, '+380 67 123 4567');
    assert.equal(r[other].number_shown, '(415) 555-2671');
    const csv = (await user.get('/calls.csv')).text_;
    assert.ok(csv.includes('+380671234567'), 'the CSV keeps E.164');
    assert.ok(!csv.includes('067 123 4567'));
    // searching takes any format
    const found = JSON.parse((await user.get('/calls?format=json&q=' + encodeURIComponent('067 123 45 67'))).text_);
    assert.ok(found.calls.some((c) => String(c.id) === String(ua)), 'the national form finds the call');
  } finally {
    await saveProfile({ country: '' });
    await sql('UPDATE calls SET client_number = ?, client_digits_rev = ? WHERE id = ?', [saveUs, saveUsRev, ua]);
    await sql('UPDATE calls SET client_number = ? WHERE id = ?', [saveOther, other]);
  }
});

test('the card shows the number nationally with the client\'s clock, place and zone', async () => {
  const [[id, num]] = await sql("SELECT id, client_number FROM calls WHERE client_number LIKE '+380%' AND client_withheld = 0 ORDER BY id DESC LIMIT 1");
  await sql("UPDATE calls SET client_number = '+380442345678' WHERE id = ?", [id]);
  try {
    const j = JSON.parse((await user.get(`/calls/${id}?format=json`)).text_);
    assert.equal(j.call.number, '+380442345678');
    assert.equal(j.call.number_shown, '044 234 5678');
    assert.equal(j.call.client_region, 'UA');
    assert.equal(j.call.client_place, 'Kyiv city');
    assert.equal(j.call.client_zone, 'Europe/Kyiv');
    const kyiv = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit' });
    const near = [new Date(Date.now() - 60000), new Date(), new Date(Date.now() + 60000)].map((d) => kyiv.format(d));
    assert.ok(near.includes(j.call.client_time), `${j.call.client_time} is Kyiv's time now`);
    const html = (await user.get(`/calls/${id}`)).text_;
    assert.match(html, /<span class="client-clock" data-zone="Europe\/Kyiv">\d\d:\d\d<\/span> there/);
  } finally {
    await sql('UPDATE calls SET client_number = ? WHERE id = ?', [num, id]);
  }
});

test('a click calls through the last used line; a line the user may not use is never the default', async () => {
  // several lines can dial and none is the default yet: the user picks
  let r = await dial({ number: '+380671234567' });
  assert.equal(r.status, 400);
  assert.match(r.j.error.message, /^Pick /);
  assert.equal(hits.length, 0);
  // picked once ...
  r = await dial({ number: '+380671234567', integration: 'binotel' });
  assert.equal(r.status, 200, JSON.stringify(r.j));
  const [[binotel]] = await sql("SELECT id FROM integrations WHERE slug = 'binotel'");
  assert.deepEqual(await sql('SELECT last_dial_integration_id FROM users WHERE id = ?', [userId]), [[binotel]]);
  // ... it is the default of the next click, and the confirm page preselects it
  hits = [];
  r = await dial({ number: '+380671234567' });
  assert.equal(r.status, 200, JSON.stringify(r.j));
  assert.equal(r.j.integration, 'binotel');
  assert.equal(hits.length, 1);
  const page = JSON.parse((await user.get('/dial?number=%2B380671234567&format=json')).text_);
  assert.deepEqual(page.integrations.filter((x) => x.selected).map((x) => x.slug), ['binotel']);
  // the binotel line is given to someone else: no longer this user's default
  await sql("INSERT INTO line_access (integration_id, line, user_id) SELECT ?, '', id FROM users WHERE login = 'admin'", [binotel]);
  try {
    hits = [];
    r = await dial({ number: '+380671234567' });
    assert.equal(r.status, 400, 'several lines, none the default: the user picks');
    assert.equal(hits.length, 0);
    // from a call: the call's line (a Zadarma call)
    const [[zcall]] = await sql("SELECT c.id FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE i.slug = 'zadarma' AND c.store_id IS NULL ORDER BY c.id DESC LIMIT 1");
    r = await dial({ number: '+380671234567', call: String(zcall) });
    assert.equal(r.status, 200, JSON.stringify(r.j));
    assert.equal(r.j.integration, 'zadarma');
    const p2 = JSON.parse((await user.get('/dial?number=%2B380671234567&format=json')).text_);
    assert.ok(!p2.integrations.some((x) => x.slug === 'binotel'), 'binotel is not offered');
    // picking it anyway is refused
    r = await dial({ number: '+380671234567', integration: 'binotel' });
    assert.equal(r.status, 403);
  } finally {
    await sql("DELETE FROM line_access WHERE integration_id = ? AND line = ''", [binotel]);
  }
});
