// Hang up from the card (issue 19 §1; seed 002: "the manager can hang up; the card stays open
// until Close"). POST /calls/<id>/hangup asks the call's provider to end it. Each provider's API
// is a local stand-in (node http on loopback) that records the request, so the tests check
// method, path, body and authentication as the providers document them (Twilio's Call resource
// Status=completed, Binotel's calls/hangup-call, the generic format's hangup_url signed like
// make_call_url), computed here independently of the C code. Also: the button only on live
// calls whose provider can hang up, the card's "Ending…" and then the end the provider reports,
// refusals and a provider that does not answer in plain words, a call that has already ended
// (409, nothing sent), CSRF, the permission, and no secret in the card program's log.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { uid } from '../lib/generic.js';
import { liveCall, endCall } from '../lib/livecall.js';

const SLUGS = ['twilio', 'binotel', 'generic', 'zadarma'];
const TW_SID = 'ACdemo00000000000000000000000000000';
const TIMEOUT_S = 5;
let server, standIn, manager;
let hits = [];
let answer = null;          // (req, body, res) => void; null = the provider's success answer
const saved = new Map();
const madeUsers = [];
const madeRoles = [];

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      hits.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (answer) { answer(req, body, res); return; }
      const twilio = req.url.startsWith('/2010-04-01/');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(twilio ? { sid: 'CA', status: 'completed' } : req.url.startsWith('/pbx/')
        ? { status: 'hanging up' } : { status: 'success' }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  standIn = `http://127.0.0.1:${server.address().port}`;
  for (const [slug, config] of await sql(`SELECT slug, config FROM integrations WHERE slug IN (${SLUGS.map(() => '?').join(',')})`, SLUGS)) {
    saved.set(slug, config === 'NULL' ? null : config);
  }
  const set = (slug, obj) => sql("UPDATE integrations SET config = JSON_MERGE_PATCH(COALESCE(config, '{}'), ?) WHERE slug = ?", [JSON.stringify(obj), slug]);
  await set('twilio', { api_base: standIn });
  await set('binotel', { api_base: standIn });
  await set('zadarma', { api_base: standIn });
  await set('generic', { hangup_url: `${standIn}/pbx/hangup?call={call_id}&by={extension}` });
  // The stand-ins are on this machine: allowed explicitly, as an admin allows a PBX on the LAN.
  for (const slug of SLUGS) await set(slug, { allow_private_hosts: ['127.0.0.0/8'] });
  manager = new Client();
  await manager.login('manager', 'manager');
});

after(async () => {
  for (const login of madeUsers) await sql('DELETE FROM users WHERE login = ?', [login]);
  for (const role of madeRoles) await sql('DELETE FROM roles WHERE name = ?', [role]);
  for (const [slug, config] of saved) await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => { hits = []; answer = null; });

// A live call of an integration as its hook stores it (state talking, the manager's).
async function rowCall(slug, externalId, { state = 'talking' } = {}) {
  const [[integ]] = await sql('SELECT id FROM integrations WHERE slug = ?', [slug]);
  const [[mgr]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  const ended = state === 'ended';
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
      client_digits_rev, manager_id, extension, started_at, answered_at, ended_at, talk_seconds,
      recording_state)
    VALUES (?, ?, 'in', ?, 'answered', '+380671234567', '765432176083', ?, '101',
      UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE, UTC_TIMESTAMP(3) - INTERVAL 50 SECOND,
      IF(?, UTC_TIMESTAMP(3), NULL), IF(?, 50, 0), 'none')`, [integ, externalId, state, mgr, ended, ended]);
  const [[id]] = await sql('SELECT id FROM calls WHERE integration_id = ? AND external_id = ?', [integ, externalId]);
  return Number(id);
}

const callSid = () => `CA${[...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join('')}`;
const generalId = () => String(2500000000 + Math.floor(Math.random() * 1e8));

async function hangup(id, { json = false, client = manager, csrf } = {}) {
  const token = csrf === undefined ? await client.csrf() : csrf;
  const form = token === null ? {} : { csrf: token };
  return client.post(`/calls/${id}/hangup`, { form, headers: json ? { accept: 'application/json' } : {} });
}

const cardJson = async (id, client = manager) => JSON.parse((await client.get(`/calls/${id}?format=json`)).text_);

test('Twilio: POST the Call resource with Status=completed and Basic auth; the card says Ending…', async () => {
  const sid = callSid();
  const id = await rowCall('twilio', sid);
  const card = await manager.get(`/calls/${id}`);
  assert.match(card.text_, new RegExp(`<form method="post" class="hangup-form" id="hangup-form" action="/calls/${id}/hangup">`));
  assert.equal((await cardJson(id)).call.hangup_url, `/calls/${id}/hangup`);
  const res = await hangup(id);
  assert.equal(res.status, 303, res.text_.slice(0, 300));
  assert.equal(res.headers.get('location'), `/calls/${id}?hangup=requested`);
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, `/2010-04-01/Accounts/${TW_SID}/Calls/${sid}.json`);
  assert.equal(h.headers.authorization, `Basic ${Buffer.from(`${TW_SID}:demo-twilio-token`).toString('base64')}`);
  assert.match(h.headers['content-type'], /^application\/x-www-form-urlencoded/);
  assert.equal(h.body, 'Status=completed');
  // The card stays, says the call is ending, and offers no second hang-up.
  const after = await manager.get(res.headers.get('location'));
  assert.equal(after.status, 200);
  assert.match(after.text_, /id="card-state" data-state="talking">Ending…</);
  assert.match(after.text_, /Hang-up requested\. The call ends in a moment/);
  assert.doesNotMatch(after.text_, /id="hangup-form"/);
});

test('Binotel: POST calls/hangup-call.json with key, secret and the generalCallID; JSON for the button', async () => {
  const gid = generalId();
  const id = await rowCall('binotel', gid);
  const res = await hangup(id, { json: true });
  assert.equal(res.status, 200, res.text_);
  const j = JSON.parse(res.text_);
  assert.equal(j.status, 'ending');
  assert.match(j.message, /^Binotel is ending the call\./);
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, '/api/4.0/calls/hangup-call.json');
  assert.match(h.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(h.body), { key: 'demo-binotel-key', secret: 'demo-binotel-secret', generalCallID: gid });
});

test('generic PBX: hangup_url with the PBX call id, signed; the end event then ends the card', async () => {
  const c = await liveCall('+380671112233');
  const res = await hangup(c.id);
  assert.equal(res.status, 303, res.text_.slice(0, 300));
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, `/pbx/hangup?call=${encodeURIComponent(c.externalId)}&by=101`);
  assert.deepEqual(JSON.parse(h.body), { call_id: c.externalId, extension: '101' });
  const ts = h.headers['x-timestamp'];
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 30);
  assert.equal(h.headers['x-signature'],
    `sha256=${createHmac('sha256', 'demo-generic-secret').update(`${ts}.${h.body}`).digest('hex')}`);
  // The PBX ends the call and says so through its webhook: the card shows the end.
  await endCall(c);
  const m = await cardJson(c.id);
  assert.equal(m.call.state, 'ended');
  assert.equal(m.call.live, false);
  assert.equal(m.call.hangup_url, null);
  const page = await manager.get(`/calls/${c.id}?hangup=requested`);
  assert.match(page.text_, /id="card-state" data-state="ended">Ended</);
  assert.doesNotMatch(page.text_, /Hang-up requested/);
});

test('the button only where it can work: not on ended calls, not without hangup_url, not for Zadarma', async () => {
  const ended = await rowCall('twilio', callSid(), { state: 'ended' });
  assert.equal((await cardJson(ended)).call.hangup_url, null);
  assert.doesNotMatch((await manager.get(`/calls/${ended}`)).text_, /id="hangup-form"/);
  const zd = await rowCall('zadarma', `in_${uid('z').replace(/[^a-z0-9]/g, '')}`);
  assert.equal((await cardJson(zd)).call.hangup_url, null);
  const zres = await hangup(zd);
  assert.equal(zres.status, 409);
  assert.match(zres.text_, /Zadarma \(demo\) cannot hang up calls from Callboard: end the call on the phone\./);
  // Asterisk without hangup_url: its provider could, its settings cannot.
  const ast = await rowCall('asterisk', `${Date.now()}.7`);
  assert.equal((await cardJson(ast)).call.hangup_url, null);
  const ares = await hangup(ast, { json: true });
  assert.equal(ares.status, 409);
  assert.match(JSON.parse(ares.text_).error.message, /set hangup_url/);
  assert.equal(hits.length, 0, 'nothing was sent');
});

test('an integration an admin switched off: no button, 409, no request', async () => {
  const id = await rowCall('binotel', generalId());
  await sql("UPDATE integrations SET enabled = 0 WHERE slug = 'binotel'");
  try {
    assert.equal((await cardJson(id)).call.hangup_url, null);
    const res = await hangup(id, { json: true });
    assert.equal(res.status, 409);
    assert.match(JSON.parse(res.text_).error.message, /^Binotel \(demo\) is switched off \(Settings › Integrations\): end the call on the phone\.$/);
  } finally {
    await sql("UPDATE integrations SET enabled = 1 WHERE slug = 'binotel'");
  }
  assert.equal(hits.length, 0);
});

test('a call that has already ended: 409 and no request', async () => {
  const id = await rowCall('binotel', generalId(), { state: 'ended' });
  const res = await hangup(id);
  assert.equal(res.status, 409);
  assert.match(res.text_, /This call has already ended\./);
  const j = await hangup(id, { json: true });
  assert.equal(j.status, 409);
  assert.equal(JSON.parse(j.text_).error.message, 'This call has already ended.');
  assert.equal(hits.length, 0);
});

test('the provider says the call is not in progress: 409, the card keeps waiting for the end event', async () => {
  answer = (req, body, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
  };
  const id = await rowCall('twilio', callSid());
  const res = await hangup(id, { json: true });
  assert.equal(res.status, 409);
  assert.match(JSON.parse(res.text_).error.message, /^Twilio says this call is no longer in progress: it has already ended\./);
  assert.equal(hits.length, 1);
});

test("the provider's refusal is shown in plain words (502), next to the button", async () => {
  answer = (req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', message: 'Call is not found' }));
  };
  const id = await rowCall('binotel', generalId());
  const res = await hangup(id);
  assert.equal(res.status, 502);
  assert.match(res.text_, /<p class="error" id="hangup-error" role="alert">Binotel refused the request: Call is not found<\/p>/);
  assert.match(res.text_, /id="hangup-form"/, 'the button is still there to try again');
  answer = (req, body, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
  };
  const tw = await rowCall('twilio', callSid());
  const j = await hangup(tw, { json: true });
  assert.equal(j.status, 502);
  assert.equal(JSON.parse(j.text_).error.message, 'Twilio refused the request: Authenticate');
});

test('a provider that does not answer: a message within the timeout, never a hung page', async () => {
  answer = () => { /* never answers */ };
  const id = await rowCall('binotel', generalId());
  const t0 = Date.now();
  const res = await hangup(id);
  const took = (Date.now() - t0) / 1000;
  assert.equal(res.status, 502);
  assert.match(res.text_, new RegExp(`Binotel did not answer within ${TIMEOUT_S} seconds\\. Try again in a minute\\.`));
  assert.ok(took >= TIMEOUT_S - 0.5 && took < TIMEOUT_S + 3, `took ${took} s`);
});

test('hangup_url on a private address without the allowance: refused before connecting', async () => {
  await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_ARRAY()) WHERE slug = 'generic'");
  try {
    const c = await liveCall('+380671112234');
    const res = await hangup(c.id);
    assert.equal(res.status, 502);
    assert.match(res.text_, /cannot be called at this address \(.*is not a public address \(loopback\)/);
    assert.equal(hits.length, 0);
    await endCall(c);
  } finally {
    await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = 'generic'");
  }
});

test('POST /calls/<id>/hangup needs the CSRF token', async () => {
  const id = await rowCall('twilio', callSid());
  assert.equal((await hangup(id, { csrf: null })).status, 403);
  assert.equal((await hangup(id, { csrf: 'x'.repeat(43) })).status, 403);
  assert.equal(hits.length, 0);
});

test('a role without calls.dial sees no button and cannot hang up; nor can anyone on a call they do not see', async () => {
  const role = `nohang-${uid('r')}`.slice(0, 40);
  await sql('INSERT INTO roles (name) VALUES (?)', [role]);
  madeRoles.push(role);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) SELECT id, 'calls', 'all' FROM roles WHERE name = ?", [role]);
  const login = `nh${Date.now().toString(36)}`;
  madeUsers.push(login);
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id)
    SELECT ?, u.password_hash, 'No Hang-up', '198', r.id FROM users u, roles r WHERE u.login = 'intern' AND r.name = ?`, [login, role]);
  const c = new Client();
  await c.login(login, 'intern');
  const id = await rowCall('twilio', callSid());
  assert.equal((await cardJson(id, c)).call.hangup_url, null);
  assert.equal((await hangup(id, { client: c })).status, 403);
  // calls.dial, but scope "own" on calls: another manager's call is not theirs to end.
  const own = `ownhang-${uid('r')}`.slice(0, 40);
  await sql('INSERT INTO roles (name) VALUES (?)', [own]);
  madeRoles.push(own);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) SELECT id, 'calls', 'own' FROM roles WHERE name = ?", [own]);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) SELECT id, 'calls.dial', 'all' FROM roles WHERE name = ?", [own]);
  const login2 = `oh${Date.now().toString(36)}`;
  madeUsers.push(login2);
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id)
    SELECT ?, u.password_hash, 'Own Hang-up', '197', r.id FROM users u, roles r WHERE u.login = 'intern' AND r.name = ?`, [login2, own]);
  const o = new Client();
  await o.login(login2, 'intern');
  assert.equal((await hangup(id, { client: o })).status, 403);
  assert.equal(hits.length, 0);
  assert.equal((await hangup(99999999)).status, 404);
});

test("no secret in the card program's log", () => {
  const log = path.join(process.env.CB_STATE_DIR, 'log', 'card.log');
  assert.ok(existsSync(log), log);
  const text = readFileSync(log, 'utf8');
  assert.match(text, /hangup: /, 'the hang-ups were logged');
  for (const secret of ['demo-twilio-token', 'demo-binotel-secret', 'demo-binotel-key', 'demo-generic-secret']) {
    assert.ok(!text.includes(secret), `${secret} in card.log`);
  }
  assert.ok(!/sha256=[0-9a-f]{64}/.test(text), 'no signature in card.log');
});

// Asterisk: the card's hang-up reaches the PBX the way click-to-call does, through
// contrib/asterisk's bridge: its /hangup turns the signed request into AMI Hangup of the call's
// channels. Here the bridge is the real script, Asterisk's manager interface a stand-in that
// plays an incoming call answered on 101 (the bridge posts it to the real hook: a live call) and,
// when asked to hang up a channel, says so and plays the Hangup events, after which the bridge
// posts the end and the card shows it.
test('Asterisk: the bridge turns the hang-up into AMI Hangup of the call\'s channels; its end then arrives', async () => {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const { fileURLToPath } = await import('node:url');
  const { callsOf, sleep } = await import('../lib/generic.js');
  const BRIDGE = fileURLToPath(new URL('../../contrib/asterisk/callboard-ami-bridge', import.meta.url));
  const linked = `${Math.floor(Date.now() / 1000)}.${Math.floor(Math.random() * 1e6)}`;
  const agent = `${linked}1`;
  const trunk = 'PJSIP/trunk-0000a001';
  const phone = 'PJSIP/101-0000a002';
  const block = (o) => `${Object.entries(o).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  const base = { Privilege: 'call,all', Linkedid: linked };
  const callEvents = [
    { Event: 'Newchannel', ...base, Channel: trunk, CallerIDNum: '0671119911', CallerIDName: 'Caller', Context: 'from-trunk', Exten: '380441234567', Uniqueid: linked },
    { Event: 'Newchannel', ...base, Channel: phone, CallerIDNum: '101', Context: 'from-internal', Exten: 's', Uniqueid: agent },
    { Event: 'DialBegin', ...base, Channel: trunk, Uniqueid: linked, DestChannel: phone, DestUniqueid: agent, DestLinkedid: linked, DialString: '101' },
    { Event: 'DialEnd', ...base, Channel: trunk, Uniqueid: linked, DestChannel: phone, DestUniqueid: agent, DestLinkedid: linked, DialStatus: 'ANSWER' },
  ];
  const actions = [];
  let eventSock = null;
  const ami = net.createServer((sock) => {
    sock.write('Asterisk Call Manager/5.0.1\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const a = Object.fromEntries(buf.slice(0, i).split('\r\n').map((l) => {
          const k = l.indexOf(':');
          return [l.slice(0, k), l.slice(k + 1).trim()];
        }));
        buf = buf.slice(i + 4);
        actions.push(a);
        if (a.Action === 'Login') {
          sock.write(block({ Response: 'Success', ActionID: a.ActionID, Message: 'Authentication accepted' }));
          if (a.Events !== 'off') { eventSock = sock; for (const e of callEvents) sock.write(block(e)); }
        } else if (a.Action === 'Hangup') {
          sock.write(block({ Response: 'Success', ActionID: a.ActionID, Message: 'Channel Hungup' }));
          const uid = a.Channel === trunk ? linked : agent;
          eventSock?.write(block({ Event: 'Hangup', ...base, Channel: a.Channel, Uniqueid: uid, Cause: '16' }));
        } else if (a.Action === 'Logoff') sock.end(block({ Response: 'Goodbye' }));
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => ami.listen(0, '127.0.0.1', r));
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const BASE = process.env.CB_BASE_URL || 'http://127.0.0.1:18080';
  const bridge = spawn('python3', [BRIDGE, '--listen', `127.0.0.1:${port}`, '--url', `${BASE}/hook/asterisk`,
    '--secret', 'demo-generic-secret', '--ami-port', String(ami.address().port), '--ami-secret', 'amipw', '--queue', ''],
  { stdio: 'ignore' });
  const [[astConfig]] = await sql("SELECT config FROM integrations WHERE slug = 'asterisk'");
  try {
    let call;
    for (let k = 0; k < 100 && !(call && call.state === 'talking'); k++) {
      await sleep(100);
      [call] = await callsOf('asterisk', linked);
    }
    assert.ok(call, 'the bridge posted the call');
    assert.equal(call.state, 'talking');
    const id = Number(call.id);
    assert.equal((await cardJson(id)).call.hangup_url, null, 'no hangup_url yet: no button');
    await sql("UPDATE integrations SET config = JSON_MERGE_PATCH(COALESCE(config, '{}'), ?) WHERE slug = 'asterisk'",
      [JSON.stringify({ hangup_url: `http://127.0.0.1:${port}/hangup`, allow_private_hosts: ['127.0.0.0/8'] })]);
    assert.equal((await cardJson(id)).call.hangup_url, `/calls/${id}/hangup`);
    const res = await hangup(id, { json: true });
    assert.equal(res.status, 200, res.text_);
    const hangups = actions.filter((a) => a.Action === 'Hangup');
    assert.deepEqual(hangups.map((a) => a.Channel).sort(), [phone, trunk].sort());
    assert.ok(hangups.every((a) => a.Cause === '16'));
    assert.ok(actions.some((a) => a.Action === 'Login' && a.Secret === 'amipw' && a.Events === 'off'));
    let m;
    for (let k = 0; k < 100; k++) {
      m = await cardJson(id);
      if (m.call.state === 'ended') break;
      await sleep(100);
    }
    assert.equal(m.call.state, 'ended', 'the end the bridge posted');
    assert.equal(m.call.hangup_url, null);
    // Asked again: the bridge no longer knows the call; Callboard says it has ended.
    await sql("UPDATE calls SET state = 'talking' WHERE id = ?", [id]);
    const again = await hangup(id, { json: true });
    assert.equal(again.status, 409);
    assert.match(JSON.parse(again.text_).error.message, /says this call is no longer in progress/);
    await sql("UPDATE calls SET state = 'ended' WHERE id = ?", [id]);
    // A forged request to the bridge is refused and hangs nothing up.
    const n = actions.filter((a) => a.Action === 'Hangup').length;
    const forged = await fetch(`http://127.0.0.1:${port}/hangup`, { method: 'POST',
      headers: { 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ call_id: linked }) });
    assert.equal(forged.status, 403);
    assert.equal(actions.filter((a) => a.Action === 'Hangup').length, n);
  } finally {
    await sql("UPDATE integrations SET config = ? WHERE slug = 'asterisk'", [astConfig === 'NULL' ? null : astConfig]);
    bridge.kill();
    ami.close();
  }
});
