// Users and roles in the settings (issue 4 §3-5): admins add users and
// roles with scoped permissions through forms (CSRF, PRG, errors next to
// the fields); the lock-out guard; deactivation ends sessions; everyone's
// own profile; the settings index; the listening log with keyset pages.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createRole, createUser, uniq, PERMS } from '../lib/settings.js';

let admin, manager;

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  manager = new Client();
  await manager.login('manager', 'manager');
});

test('an admin adds a user who can then log in with that password', async () => {
  const login = uniq('u');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const id = await createUser(admin, { name: 'Zoe <b>Tester</b>', login, extension: '177',
    phone: '067 123 45 99', role_id: roleId, time_zone: 'Europe/Kyiv', deep_link: '1', password: 'long enough pw' });
  const [[name, phone, tz, deep, active]] = await sql(
    'SELECT name, phone, time_zone, deep_link, active FROM users WHERE id = ?', [id]);
  assert.deepEqual([name, phone, tz, deep, active], ['Zoe <b>Tester</b>', '+380671234599', 'Europe/Kyiv', '1', '1']);
  const list = await admin.get('/settings/users');
  assert.equal(list.status, 200);
  assert.match(list.text_, /Zoe &lt;b&gt;Tester&lt;\/b&gt;/);
  assert.doesNotMatch(list.text_, /<b>Tester/);
  const zoe = new Client();
  await zoe.login(login, 'long enough pw');
  const me = await zoe.get('/calls?format=json');
  assert.equal(me.status, 200);
});

test('a login that is taken is a form error, not a 500', async () => {
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'intern'");
  const r = await admin.post('/settings/users', { form: { csrf: await admin.csrf(), name: 'Another',
    login: 'manager', role_id: roleId, time_zone: 'UTC', active: '1', password: 'long enough pw' } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /This login is taken/);
  assert.match(r.text_, /value="Another"/, 'what was typed is kept');
});

test('bad fields come back with a message next to each', async () => {
  const r = await admin.post('/settings/users', { form: { csrf: await admin.csrf(), name: '',
    login: 'has space', role_id: '999999', time_zone: 'Mars/Olympus', phone: 'call me', extension: '12a', password: 'short' } });
  assert.equal(r.status, 400);
  for (const msg of [/Enter the name/, /A login is up to 64/, /Pick a role/, /Pick a time zone/,
    /not a phone number/, /An extension is up to 16 digits/, /8 to 256 characters/])
    assert.match(r.text_, msg);
});

test('a form without the CSRF token is refused', async () => {
  const r = await admin.post('/settings/users', { form: { name: 'X', login: uniq('x'), time_zone: 'UTC', password: 'long enough pw' } });
  assert.equal(r.status, 403);
});

test('a role without `calls`: no history page (403 page) and no nav link', async () => {
  const roleName = uniq('nocalls');
  const roleId = await createRole(admin, roleName, { 'customers.calls': 'all', 'calls.dial': 'all' });
  const login = uniq('nc');
  await createUser(admin, { name: 'No Calls', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  const r = await u.get('/calls');
  assert.equal(r.status, 403);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.text_, /does not allow/);
  assert.doesNotMatch(r.text_, /href="\/calls">Call history/);
  const csv = await u.get('/calls.csv');
  assert.equal(csv.status, 403);
  const settings = await u.get('/settings/users');
  assert.equal(settings.status, 403);
  // Their own profile is in the nav all the same, and opens.
  assert.match(r.text_, /<a class="profile" href="\/settings\/users\/me">Profile<\/a>/);
  assert.equal((await u.get('/settings/users/me')).status, 200);
  // The role list shows what was granted.
  const roles = await admin.get('/settings/roles');
  assert.match(roles.text_, new RegExp(`${roleName}[\\s\\S]*customers\\.calls \\(all\\)`));
});

test('roles save each permission with its scope', async () => {
  const name = uniq('scoped');
  const id = await createRole(admin, name, { calls: 'own', 'recordings.listen': 'all' });
  const rows = await sql('SELECT permission, scope FROM role_permissions WHERE role_id = ? ORDER BY permission', [id]);
  assert.deepEqual(rows, [['calls', 'own'], ['recordings.listen', 'all']]);
  const form = await admin.get(`/settings/roles/${id}`);
  assert.match(form.text_, /value="own"[^>]*name="perm_calls"[^>]*checked/);
  const dup = await admin.post('/settings/roles', { form: { csrf: await admin.csrf(), name, perm_calls: 'all' } });
  assert.equal(dup.status, 400);
  assert.match(dup.text_, /A role with this name exists/);
  const bad = await admin.post(`/settings/roles/${id}`, { form: { csrf: await admin.csrf(), name, perm_calls: 'everything' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /none, own calls or all/);
});

test('an admin cannot lock themselves out', async () => {
  const [[adminId, roleId]] = await sql("SELECT id, role_id FROM users WHERE login = 'admin'");
  const [[internRole]] = await sql("SELECT id FROM roles WHERE name = 'intern'");
  const off = await admin.post(`/settings/users/${adminId}`, { form: { csrf: await admin.csrf(), name: 'Alice Admin',
    login: 'admin', role_id: roleId, time_zone: 'UTC' } });
  assert.equal(off.status, 400);
  assert.match(off.text_, /cannot deactivate yourself/);
  const demote = await admin.post(`/settings/users/${adminId}`, { form: { csrf: await admin.csrf(), name: 'Alice Admin',
    login: 'admin', role_id: internRole, time_zone: 'UTC', active: '1' } });
  assert.equal(demote.status, 400);
  assert.match(demote.text_, /lock yourself out/);
  const form = { csrf: await admin.csrf(), name: 'admin' };
  for (const p of PERMS) form[`perm_${p}`] = p === 'settings' ? 'none' : 'all';
  const role = await admin.post(`/settings/roles/${roleId}`, { form });
  assert.equal(role.status, 400);
  assert.match(role.text_, /lock yourself out/);
  const [[still]] = await sql("SELECT COUNT(*) FROM role_permissions WHERE role_id = ? AND permission = 'settings'", [roleId]);
  assert.equal(still, '1');
  const [[active]] = await sql('SELECT active FROM users WHERE id = ?', [adminId]);
  assert.equal(active, '1');
});

test('a deactivated user is logged out and cannot log in again', async () => {
  const login = uniq('gone');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const id = await createUser(admin, { name: 'Soon Gone', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  assert.equal((await u.get('/calls')).status, 200);
  const r = await admin.post(`/settings/users/${id}`, { form: { csrf: await admin.csrf(), name: 'Soon Gone',
    login, role_id: roleId, time_zone: 'UTC' } });
  assert.equal(r.status, 303);
  const after = await u.get('/calls');
  assert.equal(after.status, 303);
  assert.match(after.headers.get('location'), /^\/login/);
  const page = await new Client().get('/login');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const again = new Client();
  again.cookies = new Map(page.headers.getSetCookie().map((l) => l.split(';')[0].split('=')));
  const login2 = await again.post('/login', { form: { csrf, login, password: 'long enough pw' } });
  assert.equal(login2.status, 401);
});

test('every user edits their own time zone and deep-link preference', async () => {
  const login = uniq('tz');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'intern'");
  await createUser(admin, { name: 'Tz Person', login, role_id: roleId, password: 'long enough pw', time_zone: 'UTC' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  const page = await u.get('/settings/users/me');
  assert.equal(page.status, 200);
  const bad = await u.post('/settings/users/me', { form: { csrf: await u.csrf(), time_zone: '../../etc/passwd' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /Pick a time zone/);
  const ok = await u.post('/settings/users/me', { form: { csrf: await u.csrf(), time_zone: 'Asia/Tokyo', deep_link: '1' } });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/settings/users/me?saved=1');
  // Times on the history follow the new zone: UTC+9 (no DST in Tokyo).
  const calls = JSON.parse((await u.get('/calls?format=json')).text_).calls;
  const c = calls[0];
  const utc = new Date(c.started_at_utc.replace(' ', 'T') + 'Z');
  const tokyo = new Date(utc.getTime() + 9 * 3600e3).toISOString().slice(0, 16).replace('T', ' ');
  assert.equal(c.time.slice(0, 16), tokyo);
  // and the call buttons become tel: links.
  assert.match(c.number_url, /^tel:/);
});

test('a SIP domain on my profile turns call buttons into sip:<E.164>@domain links; cleared, tel: again', async () => {
  const login = uniq('sip');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const uid = await createUser(admin, { name: 'Sip Person', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  const save = async (form) => u.post('/settings/users/me', { form: { csrf: await u.csrf(), time_zone: 'UTC', ...form } });
  let r = await save({ deep_link: '1', sip_domain: ' PBX.Example.com:5060 ' });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  const [[dom]] = await sql('SELECT sip_domain FROM users WHERE id = ?', [uid]);
  assert.equal(dom, 'pbx.example.com:5060', 'stored in its canonical form');
  const page = await u.get('/settings/users/me');
  assert.match(page.text_, /name="sip_domain"[^>]*value="pbx\.example\.com:5060"/);
  const calls = JSON.parse((await u.get('/calls?format=json')).text_).calls;
  const c = calls.find((x) => x.number && /^\+\d+$/.test(x.number));
  assert.ok(c, 'a call with an E.164 number');
  assert.equal(c.number_url, `sip:${c.number}@pbx.example.com:5060`);
  const card = await u.get(`/calls/${c.id}`);
  assert.ok(card.text_.includes(`href="sip:${c.number}@pbx.example.com:5060"`), 'the card links the softphone');
  assert.ok(!card.text_.includes('href="/dial?number='), 'no provider button beside it');
  // The domain without the preference does nothing: the provider's button.
  r = await save({ sip_domain: 'pbx.example.com' });
  assert.equal(r.status, 303);
  assert.match(JSON.parse((await u.get('/calls?format=json')).text_).calls.find((x) => x.id === c.id).number_url, /^\/dial\?number=/);
  // Cleared: tel:.
  r = await save({ deep_link: '1', sip_domain: '' });
  assert.equal(r.status, 303);
  const [[none]] = await sql('SELECT sip_domain FROM users WHERE id = ?', [uid]);
  assert.equal(none, null);
  assert.equal(JSON.parse((await u.get('/calls?format=json')).text_).calls.find((x) => x.id === c.id).number_url, `tel:${c.number}`);
});

test('a bad SIP domain is refused next to the field, escaped, and nothing changes', async () => {
  const login = uniq('sipbad');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const uid = await createUser(admin, { name: 'Sip Bad', login, role_id: roleId, password: 'long enough pw' });
  const u = new Client();
  await u.login(login, 'long enough pw');
  for (const d of ['sip:pbx.example.com', 'me@pbx.example.com', 'pbx.example.com:99999', 'pbx..example.com',
    'pbx example.com', '"><img src=x onerror=alert(1)>']) {
    const r = await u.post('/settings/users/me', { form: { csrf: await u.csrf(), time_zone: 'UTC', deep_link: '1', sip_domain: d } });
    assert.equal(r.status, 400, d);
    assert.match(r.text_, /A SIP domain is the host of your SIP account/);
    assert.ok(!r.text_.includes('<img src=x'), 'the typed value is escaped');
  }
  const bad = await u.post('/settings/users/me', { form: { csrf: await u.csrf(), time_zone: 'UTC', deep_link: '1', sip_domain: '"><img src=x onerror=alert(1)>' } });
  assert.ok(bad.text_.includes('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"'), 'kept in the field, escaped');
  const [[deep, dom]] = await sql('SELECT deep_link, sip_domain FROM users WHERE id = ?', [uid]);
  assert.deepEqual([deep, dom], ['0', null]);
  // The admin's form checks it the same way and shows the domain on the list.
  const form = { csrf: await admin.csrf(), name: 'Sip Bad', login, role_id: roleId, time_zone: 'UTC', active: '1' };
  let r = await admin.post(`/settings/users/${uid}`, { form: { ...form, deep_link: '1', sip_domain: 'user@host' } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /A SIP domain is the host of your SIP account/);
  r = await admin.post(`/settings/users/${uid}`, { form: { ...form, csrf: await admin.csrf(), deep_link: '1', sip_domain: 'Sip.Office.example' } });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  const [[dom2]] = await sql('SELECT sip_domain FROM users WHERE id = ?', [uid]);
  assert.equal(dom2, 'sip.office.example');
  const list = await admin.get('/settings/users');
  const row = list.text_.split('<tr').find((x) => x.startsWith(` data-user-id="${uid}"`));
  assert.ok(row, 'listed');
  assert.match(row, /softphone <span>\(sip: at <span class="sip-domain">sip\.office\.example<\/span>\)/);
  const edit = await admin.get(`/settings/users/${uid}`);
  assert.match(edit.text_, /name="sip_domain"[^>]*value="sip\.office\.example"/);
});

test('every logged-in user has a Profile link in the nav; a logged-out page has none', async () => {
  for (const [login, pw, page] of [['admin', 'admin', '/settings'], ['manager', 'manager', '/calls'],
    ['intern', 'intern', '/tasks'], ['manager', 'manager', '/notifications']]) {
    const c = new Client();
    await c.login(login, pw);
    const r = await c.get(page);
    assert.equal(r.status, 200, `${login} ${page}`);
    const nav = r.text_.slice(r.text_.indexOf('<nav class="top">'), r.text_.indexOf('</nav>'));
    assert.match(nav, /<a class="profile" href="\/settings\/users\/me">Profile<\/a>/, `${login} ${page}`);
  }
  const anon = new Client();
  const login = await anon.get('/login');
  assert.equal(login.status, 200);
  assert.ok(!login.text_.includes('class="profile"'));
});

test('the settings index lists what the user may open', async () => {
  const a = await admin.get('/settings');
  assert.equal(a.status, 200);
  for (const href of ['/settings/users', '/settings/roles', '/settings/listening-log', '/settings/automation',
    '/settings/triggers', '/settings/integrations', '/settings/exceptions', '/settings/users/me'])
    assert.ok(a.text_.includes(`href="${href}"`), href);
  const m = await manager.get('/settings');
  assert.equal(m.status, 200);
  assert.ok(m.text_.includes('href="/settings/users/me"'));
  assert.ok(!m.text_.includes('href="/settings/users"'));
  assert.equal((await manager.get('/settings/listening-log')).status, 403);
});

test('the listening log: filters by user, call and dates; keyset pages', async () => {
  const login = uniq('ear');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const uid = await createUser(admin, { name: 'Log Listener', login, role_id: roleId, password: 'long enough pw' });
  const [[callA], [callB]] = await sql("SELECT id FROM calls ORDER BY id LIMIT 2");
  // 55 rows on one day, 5 on another, 1 for another call.
  const values = [];
  for (let i = 0; i < 55; i++) values.push(`(${uid}, ${callA}, 'play', 'calls', '2026-01-10 10:00:00.000')`);
  for (let i = 0; i < 5; i++) values.push(`(${uid}, ${callA}, 'download', 'customer', '2026-01-11 10:00:00.000')`);
  values.push(`(${uid}, ${callB}, 'play', 'calls', '2026-01-11 11:00:00.000')`);
  await sql(`INSERT INTO listening_log (user_id, call_id, action, context, created_at) VALUES ${values.join(',')}`);
  const p1 = JSON.parse((await admin.get(`/settings/listening-log?user=${uid}&call=${callA}&format=json`)).text_);
  assert.equal(p1.rows.length, 50);
  assert.ok(p1.rows.every((r) => r.user === 'Log Listener' && r.call_id === Number(callA)));
  assert.equal(p1.rows[0].action, 'download');
  assert.ok(p1.next_url);
  const p2 = JSON.parse((await admin.get(p1.next_url + '&format=json')).text_);
  assert.equal(p2.rows.length, 10);
  assert.equal(p2.next_url, undefined);
  const ids = new Set([...p1.rows, ...p2.rows].map((r) => r.id));
  assert.equal(ids.size, 60, 'no row twice, none skipped');
  const day = JSON.parse((await admin.get(`/settings/listening-log?user=${uid}&from=2026-01-11&to=2026-01-11&format=json`)).text_);
  assert.equal(day.rows.length, 6);
  const html = await admin.get(`/settings/listening-log?user=${uid}&call=${callB}`);
  assert.equal(html.status, 200);
  assert.match(html.text_, new RegExp(`href="/calls/${callB}"`));
  const bad = await admin.get('/settings/listening-log?from=yesterday');
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /must look like 2026-11-23/);
});

test('a real play lands in the listening log the admin reads', async () => {
  const [[callId]] = await sql("SELECT id FROM calls WHERE recording_state = 'stored' ORDER BY id DESC LIMIT 1");
  const r = await manager.get(`/calls/${callId}/recording`);
  assert.equal(r.status, 200);
  const [[mid]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const log = JSON.parse((await admin.get(`/settings/listening-log?user=${mid}&call=${callId}&format=json`)).text_);
  assert.ok(log.rows.length >= 1);
  assert.equal(log.rows[0].action, 'play');
  assert.equal(log.rows[0].user, 'Max Manager');
});
