// Live popups (issue 5 §2): a signed provider event in, the popup message out on the right
// manager's nchan channel (/live/manager/<id>), never on another manager's; subscriptions are
// authorised by the admin program (/_auth/live); the polling fallback /live/poll lists the same
// calls from the database. Runs through real nginx + nchan; with CB_NCHAN=0 only the fallback
// tests run and the subscriber address must be 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, uid, sleep } from '../lib/generic.js';
import { subscribe, nchanAvailable } from '../lib/live.js';

// scripts/stack.sh loads nchan when the module is installed, unless CB_NCHAN=0.
const nchan = process.env.CB_NCHAN !== '0' && existsSync('/usr/lib/nginx/modules/ngx_nchan_module.so');
let manager, olena, ids = {};
const subs = [];

// A fresh Ukrainian mobile number nobody else uses.
const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

async function sub(client, userId) {
  const s = await subscribe(client, userId);
  subs.push(s);
  return s;
}

async function event(ev) {
  const res = await postGeneric(ev);
  assert.equal(res.status, 200, res.text_);
  return res;
}

before(async () => {
  for (const [login, id] of await sql("SELECT login, id FROM users WHERE login IN ('manager','olena','carlos')")) ids[login] = Number(id);
  manager = new Client();
  await manager.login('manager', 'manager');
  olena = new Client();
  await olena.login('olena', 'manager');
});

after(() => subs.forEach((s) => s.close()));

test('nchan is loaded when installed, unless the stack was started with CB_NCHAN=0', async () => {
  assert.equal(await nchanAvailable(), nchan);
});

test('a ringing event reaches the manager whose extension rings, within a second', { skip: !nchan }, async () => {
  const s = await sub(manager, ids.manager);
  assert.equal(s.status, 200);
  await sleep(100);
  const callId = uid('live');
  const number = freshNumber();
  const t0 = performance.now();
  await event({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' });
  const m = await s.next((d) => d.number === number, 1000);
  assert.ok(m, 'no popup message within 1 s');
  assert.ok(m.at - t0 < 1000);
  const [[dbId]] = await sql("SELECT c.id FROM calls c WHERE c.external_id = ?", [callId]);
  assert.deepEqual(
    { ...m.data, started_at: undefined, duration: undefined },
    { call_id: Number(dbId), state: 'ringing', direction: 'in', number, name: null,
      url: `/calls/${dbId}`, started_at: undefined, answered_at: null, duration: undefined });

  // answered, then ended: the state follows the call
  await event({ event: 'call.answer', call_id: callId, direction: 'in', from: number, ext: '101' });
  assert.ok(await s.next((d) => d.number === number && d.state === 'talking', 1000), 'no talking message');
  await event({ event: 'call.end', call_id: callId, direction: 'in', from: number, ext: '101',
    status: 'answered', duration: 20, billsec: 12 });
  const end = await s.next((d) => d.number === number && d.state === 'ended', 1000);
  assert.ok(end, 'no ended message');
  assert.equal(typeof end.data.duration, 'number');
});

test('another manager never receives the popup', { skip: !nchan }, async () => {
  const mine = await sub(manager, ids.manager);
  const hers = await sub(olena, ids.olena);
  assert.equal(hers.status, 200);
  await sleep(100);
  const number = freshNumber();
  await event({ event: 'call.start', call_id: uid('live'), direction: 'in', from: number, ext: '101' });
  assert.ok(await mine.next((d) => d.number === number, 1000), 'manager got nothing');
  await sleep(300);
  assert.equal(hers.messages.filter((m) => m.data.number === number).length, 0);
  // and the other way round: olena's extension
  const n2 = freshNumber();
  await event({ event: 'call.start', call_id: uid('live'), direction: 'in', from: n2, ext: '103' });
  assert.ok(await hers.next((d) => d.number === n2, 1000), 'olena got nothing');
  await sleep(300);
  assert.equal(mine.messages.filter((m) => m.data.number === n2).length, 0);
});

test("a subscription to another manager's channel is refused (403), and without a session", { skip: !nchan }, async () => {
  const s = await sub(olena, ids.manager);
  assert.equal(s.status, 403);
  const anon = await sub(null, ids.manager);
  assert.equal(anon.status, 403);
  const forged = new Client();
  forged.cookies.set('cb_session', 'x'.repeat(43));
  assert.equal((await sub(forged, ids.manager)).status, 403);
});

test("an admin may listen to any manager's channel", { skip: !nchan }, async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const s = await sub(admin, ids.manager);
  assert.equal(s.status, 200);
});

test("with no extension ringing, the customer's responsible manager gets the popup", { skip: !nchan }, async () => {
  const number = freshNumber();
  const name = `Live Customer ${uid('c')}`;
  await sql('INSERT INTO customers (name, manager_id) VALUES (?, ?)', [name, ids.carlos]);
  const [[cid]] = await sql('SELECT id FROM customers WHERE name = ?', [name]);
  await sql('INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, ?)',
    [cid, number, number.slice(1).split('').reverse().join('')]);
  const carlos = new Client();
  await carlos.login('carlos', 'manager');
  const his = await sub(carlos, ids.carlos);
  const mine = await sub(manager, ids.manager);
  await sleep(100);
  await event({ event: 'call.start', call_id: uid('live'), direction: 'in', from: number });
  const m = await his.next((d) => d.number === number, 1000);
  assert.ok(m, 'the responsible manager got nothing');
  assert.equal(m.data.name, name);
  await sleep(200);
  assert.equal(mine.messages.filter((x) => x.data.number === number).length, 0);
});

test('a ring group: every extension that rang gets the popup and its updates, the responsible manager does not', { skip: !nchan }, async () => {
  const number = freshNumber();
  await sql('INSERT INTO customers (name, manager_id) VALUES (?, ?)', [`Ring Group ${uid('c')}`, ids.carlos]);
  const [[cid]] = await sql('SELECT MAX(id) FROM customers');
  await sql('INSERT INTO customer_phones (customer_id, phone, phone_digits_rev) VALUES (?, ?, ?)',
    [cid, number, number.slice(1).split('').reverse().join('')]);
  const carlos = new Client();
  await carlos.login('carlos', 'manager');
  const mine = await sub(manager, ids.manager);
  const hers = await sub(olena, ids.olena);
  const his = await sub(carlos, ids.carlos);
  await sleep(100);
  const callId = uid('live');
  await event({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' });
  await event({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '103' });
  assert.ok(await mine.next((d) => d.number === number && d.state === 'ringing', 1000), 'manager (101) got nothing');
  assert.ok(await hers.next((d) => d.number === number && d.state === 'ringing', 1000), 'olena (103) got nothing');
  // 103 answers: both who rang learn it (101's popup must not keep ringing)
  await event({ event: 'call.answer', call_id: callId, direction: 'in', from: number, ext: '103' });
  assert.ok(await mine.next((d) => d.number === number && d.state === 'talking', 1000), 'manager got no update');
  assert.ok(await hers.next((d) => d.number === number && d.state === 'talking', 1000), 'olena got no update');
  // the same extension ringing again lists nobody twice
  await event({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' });
  const [[list]] = await sql('SELECT live_users FROM calls WHERE external_id = ?', [callId]);
  const listed = String(list).split(',').map(Number);
  assert.ok(listed.includes(ids.manager) && listed.includes(ids.olena), list);
  assert.equal(new Set(listed).size, listed.length, list);
  await sleep(200);
  assert.equal(his.messages.filter((x) => x.data.number === number).length, 0, 'the responsible manager was told although extensions rang');
});

// The ingest procedure builds the list from the smallest and largest id and a count, and asks
// for the whole list only when three or more people share the extension (migration 0011): each
// size is checked, with an inactive user on the extension who must never be listed.
test('an extension several people share: every active one is listed once, in id order, at most 16', async () => {
  for (const people of [1, 2, 3, 17]) {
    const ext = `8${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;
    const made = [];
    for (let i = 0; i <= people; i++) {
      const login = `shared${randomBytes(5).toString('hex')}`;
      await sql(`INSERT INTO users (login, password_hash, name, extension, role_id, active)
                 SELECT ?, password_hash, 'Shared Extension', ?, role_id, ? FROM users WHERE login = 'manager'`,
        [login, ext, i === 1 ? 0 : 1]);
      const [[id]] = await sql('SELECT id FROM users WHERE login = ?', [login]);
      if (i !== 1) made.push(Number(id));
    }
    // rings twice: the second event must not list anyone again
    const callId = uid('shared');
    const from = freshNumber();
    await event({ event: 'call.start', call_id: callId, direction: 'in', from, ext, event_id: uid('e') });
    await event({ event: 'call.start', call_id: callId, direction: 'in', from, ext, event_id: uid('e') });
    const [[list, managerId]] = await sql('SELECT live_users, manager_id FROM calls WHERE external_id = ?', [callId]);
    const want = made.sort((a, b) => a - b).slice(0, 16);
    assert.equal(String(list), want.join(','), `${people} people on extension ${ext}`);
    assert.equal(Number(managerId), want[0], 'the leg belongs to the first of them');
    await sql('UPDATE users SET active = 0 WHERE extension = ?', [ext]);
  }
});

test('internal calls and duplicate events publish nothing', { skip: !nchan }, async () => {
  const s = await sub(manager, ids.manager);
  await sleep(100);
  await event({ event: 'call.start', call_id: uid('live'), direction: 'internal', from: '105', to: '101', ext: '101' });
  const number = freshNumber();
  const ev = { event: 'call.start', call_id: uid('live'), direction: 'in', from: number, ext: '101', event_id: uid('e') };
  await event(ev);
  assert.ok(await s.next((d) => d.number === number, 1000));
  await event(ev); // the provider's retry
  await sleep(400);
  assert.equal(s.messages.filter((m) => m.data.number === number).length, 1);
  assert.equal(s.messages.filter((m) => m.data.direction === 'internal').length, 0);
});

test('the polling fallback lists the ringing call for its manager only', async () => {
  const number = freshNumber();
  const callId = uid('poll');
  await event({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' });
  const res = await manager.get('/live/poll', { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /application\/json/);
  const body = JSON.parse(res.text_);
  const c = body.calls.find((x) => x.number === number);
  assert.ok(c, 'ringing call missing from /live/poll');
  assert.equal(c.state, 'ringing');
  assert.match(c.url, /^\/calls\/\d+$/);
  assert.ok(body.interval_ms > 0);
  const other = JSON.parse((await olena.get('/live/poll', { headers: { accept: 'application/json' } })).text_);
  assert.equal(other.calls.filter((x) => x.number === number).length, 0);
  // ended calls leave the list
  await event({ event: 'call.end', call_id: callId, direction: 'in', from: number, ext: '101', status: 'no-answer' });
  const after = JSON.parse((await manager.get('/live/poll', { headers: { accept: 'application/json' } })).text_);
  assert.equal(after.calls.filter((x) => x.number === number).length, 0);
});

test('the polling fallback needs a session', async () => {
  const res = await new Client().get('/live/poll', { headers: { accept: 'application/json' } });
  assert.equal(res.status, 401);
});
