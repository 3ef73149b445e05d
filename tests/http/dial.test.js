// Click-to-call (issue 5 §3, §4): POST /dial asks the provider to ring the manager's extension
// and then the customer. Each provider's API is a local stand-in (node http on loopback) that
// records the request, so the tests check method, path, parameters and signature exactly as
// providers.md gives them (Zadarma §2.4, Binotel §3.4, Twilio §1.4, our make_call_url format),
// computed here independently of the C code. Also: invalid numbers (a message, no request),
// refusals and outages in plain words, the timeout (outbound_timeout_seconds = 5 in the test
// stack), CSRF, the permission, and the JSON answer for the page's button.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash, createHmac } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { uid } from '../lib/generic.js';

let server, standIn, manager;
let hits = [];
let answer = null;          // (req, body, res) => void; null = the provider's success answer
const saved = new Map();
const SLUGS = ['twilio', 'zadarma', 'binotel', 'asterisk', 'generic'];
const TIMEOUT_S = 5;

function successFor(url) {
  if (url.startsWith('/2010-04-01/')) return [201, { sid: 'CA0123', status: 'queued' }];
  if (url.startsWith('/pbx/')) return [200, { ok: true }];
  return [200, { status: 'success' }];
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      hits.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (answer) { answer(req, body, res); return; }
      const [status, obj] = successFor(req.url);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
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
  // The stand-ins are on this machine: each integration allows loopback explicitly, as an admin
  // allows a PBX on the LAN (issue 16 item 3); without it nothing private is connected to.
  for (const slug of SLUGS) await set(slug, { allow_private_hosts: ['127.0.0.0/8'] });
  manager = new Client();
  await manager.login('manager', 'manager');
});

const madeUsers = [];
const madeRoles = [];

after(async () => {
  for (const login of madeUsers) await sql('DELETE FROM users WHERE login = ?', [login]);
  for (const role of madeRoles) await sql('DELETE FROM roles WHERE name = ?', [role]);
  for (const [slug, config] of saved) await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => { hits = []; answer = null; });

async function dial(form, { json = false, client = manager } = {}) {
  const csrf = await client.csrf();
  return client.post('/dial', { form: { csrf, ...form }, headers: json ? { accept: 'application/json' } : {} });
}

// Zadarma's signature (providers.md §2.4), written from the spec: ksort, PHP urlencode,
// method path + query + md5(query), HMAC-SHA1 as hex, base64 of the hex.
function phpEncode(s) {
  return encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}
function zadarmaAuth(key, secret, path, params) {
  const q = Object.keys(params).sort().map((k) => `${phpEncode(k)}=${phpEncode(params[k])}`).join('&');
  const md5 = createHash('md5').update(q).digest('hex');
  const hex = createHmac('sha1', secret).update(path + q + md5).digest('hex');
  return { q, header: `${key}:${Buffer.from(hex).toString('base64')}` };
}

test('the confirm page offers every integration that can dial and the tel: link', async () => {
  const res = await manager.get('/dial?number=%2B380671234567&call=1');
  assert.equal(res.status, 200);
  for (const slug of ['zadarma', 'binotel', 'twilio', 'generic']) assert.match(res.text_, new RegExp(`<option value="${slug}"`));
  assert.doesNotMatch(res.text_, /<option value="asterisk"/);   // no make_call_url
  assert.match(res.text_, /href="tel:\+380671234567"/);
  assert.match(res.text_, /extension <span>101<\/span>/);
  assert.match(res.text_, /name="csrf" value="[^"]+"/);
});

test('Zadarma: a signed GET /v1/request/callback/ from the extension to the number', async () => {
  const call = (await sql("SELECT id FROM calls ORDER BY id LIMIT 1"))[0][0];
  const res = await dial({ number: '067 123 45 67', integration: 'zadarma', call });
  assert.equal(res.status, 303, res.text_);
  assert.equal(res.headers.get('location'), `/dial?number=%2B380671234567&call=${call}&placed=zadarma`);
  assert.equal(hits.length, 1);
  const h = hits[0];
  const want = zadarmaAuth('demo-zadarma-key', 'demo-zadarma-secret', '/v1/request/callback/',
    { from: '101', to: '380671234567', sip: '101', format: 'json' });
  assert.equal(h.method, 'GET');
  assert.equal(h.url, `/v1/request/callback/?${want.q}`);
  assert.equal(h.headers.authorization, want.header);
  const page = await manager.get(res.headers.get('location'));
  assert.match(page.text_, /Zadarma is calling your extension 101\. Pick up, and you will be connected to \+380671234567\./);
});

test('Binotel: POST internal-number-to-external-number.json with key, secret and the national number', async () => {
  const res = await dial({ number: '+380 67 123 45 67', integration: 'binotel' });
  assert.equal(res.status, 303, res.text_);
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, '/api/4.0/calls/internal-number-to-external-number.json');
  assert.match(h.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(h.body), { key: 'demo-binotel-key', secret: 'demo-binotel-secret',
    internalNumber: '101', externalNumber: '0671234567' });
});

test('Twilio: POST Calls.json with Basic auth, To/From and the bridging TwiML', async () => {
  const res = await dial({ number: '0671234567', integration: 'twilio' });
  assert.equal(res.status, 303, res.text_);
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, '/2010-04-01/Accounts/ACdemo00000000000000000000000000000/Calls.json');
  assert.equal(h.headers.authorization,
    `Basic ${Buffer.from('ACdemo00000000000000000000000000000:demo-twilio-token').toString('base64')}`);
  assert.match(h.headers['content-type'], /^application\/x-www-form-urlencoded/);
  const p = new URLSearchParams(h.body);
  assert.equal(p.get('To'), 'client:101');
  assert.equal(p.get('From'), '+15557654321');
  assert.equal(p.get('Twiml'), '<Response><Dial callerId="+15557654321"><Number>+380671234567</Number></Dial></Response>');
  assert.equal(p.get('StatusCallback'), `${process.env.CB_BASE_URL || 'http://127.0.0.1:18080'}/hook/twilio`);
  assert.deepEqual(p.getAll('StatusCallbackEvent'), ['initiated', 'ringing', 'answered', 'completed']);
});

test('generic PBX: make_call_url with the placeholders, a JSON body, signed with the secret', async () => {
  const res = await dial({ number: '+380671234567', integration: 'generic', call: '7' });
  assert.equal(res.status, 303, res.text_);
  assert.equal(hits.length, 1);
  const h = hits[0];
  assert.equal(h.method, 'POST');
  assert.equal(h.url, '/pbx/call?ext=101&to=%2B380671234567&crm=7');
  assert.deepEqual(JSON.parse(h.body), { extension: '101', number: '+380671234567', call_id: 7 });
  const ts = h.headers['x-timestamp'];
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 30);
  assert.equal(h.headers['x-signature'],
    `sha256=${createHmac('sha256', 'demo-generic-secret').update(`${ts}.${h.body}`).digest('hex')}`);
});

test('make_call_url on a private address without the allowance: refused before connecting, with what to set', async () => {
  const url = `${standIn}/pbx/call?ext={extension}&to={number}`;
  for (const [allow, target] of [[[], url], [['10.0.0.0/8'], url],
    // the same address spelled otherwise, or reached by name: the connected address decides
    [[], url.replace('127.0.0.1', 'localhost')], [[], url.replace('127.0.0.1', '2130706433')],
    [[], url.replace('127.0.0.1', '[::ffff:127.0.0.1]')]]) {
    await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_EXTRACT(?, '$'), '$.make_call_url', ?) WHERE slug = 'generic'",
      [JSON.stringify(allow), target]);
    const res = await dial({ number: '+380671234567', integration: 'generic' });
    assert.equal(res.status, 502, `${target}: ${res.text_.slice(0, 300)}`);
    assert.match(res.text_, /cannot be called at this address \(.*is not a public address \(loopback\); a PBX on the LAN needs its address in the integration&#39;s setting allow_private_hosts\)/, target);
  }
  assert.equal(hits.length, 0, 'nothing reached the stand-in');
  await sql("UPDATE integrations SET config = JSON_SET(config, '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8'), '$.make_call_url', ?) WHERE slug = 'generic'",
    [`${standIn}/pbx/call?ext={extension}&to={number}&crm={call_id}`]);
});

test("the page's button gets JSON", async () => {
  const res = await dial({ number: '+380671234567', integration: 'zadarma' }, { json: true });
  assert.equal(res.status, 200);
  const j = JSON.parse(res.text_);
  assert.equal(j.status, 'calling');
  assert.equal(j.number, '+380671234567');
  assert.match(j.message, /Zadarma is calling your extension 101/);
});

test('an invalid number: a clear message next to the field, and no provider request', async () => {
  for (const number of ['12', 'hello', '+380 67 123', '']) {
    const res = await dial({ number, integration: 'zadarma' });
    assert.equal(res.status, 400, `${number}: ${res.status}`);
    assert.match(res.text_, /id="dial-number-error"/);
    assert.match(res.text_, number ? /is not a phone number that can be dialled/ : /Enter the number to call/);
  }
  const j = await dial({ number: 'hello', integration: 'zadarma' }, { json: true });
  assert.equal(j.status, 400);
  assert.match(JSON.parse(j.text_).error.message, /not a phone number/);
  assert.equal(hits.length, 0);
});

test('an integration that cannot dial yet is refused with what to set, and no request', async () => {
  const res = await dial({ number: '+380671234567', integration: 'asterisk' });
  assert.equal(res.status, 409);
  assert.match(res.text_, /Asterisk \(demo\) cannot place calls yet: ask an admin to set its click-to-call address/);
  const j = await dial({ number: '+380671234567', integration: 'asterisk' }, { json: true });
  assert.equal(j.status, 409);
  assert.match(JSON.parse(j.text_).error.message, /cannot place calls yet/);
  const unknown = await dial({ number: '+380671234567', integration: 'no-such-integration' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.text_, /Pick the integration to call through/);
  assert.equal(hits.length, 0);
});

test('the confirm page says which integration needs which setting, to admins only (issue 18)', async () => {
  const [[astId]] = await sql("SELECT id FROM integrations WHERE slug = 'asterisk'");
  const m = await manager.get('/dial?number=%2B380671234567&format=json');
  assert.deepEqual(JSON.parse(m.text_).unconfigured, [], 'setup warnings are not for managers');
  assert.doesNotMatch((await manager.get('/dial?number=%2B380671234567')).text_, /cannot place calls yet/);
  const admin = new Client();
  await admin.login('admin', 'admin');
  const aj = JSON.parse((await admin.get('/dial?number=%2B380671234567&format=json')).text_);
  const mine = aj.unconfigured.find((x) => x.name === 'Asterisk (demo)');
  assert.ok(mine, 'asterisk (no make_call_url) is listed');
  assert.match(mine.message, /^Asterisk \(demo\) cannot place calls yet: set its click-to-call address .* in Settings › Integrations › Asterisk \(demo\)\.$/);
  assert.ok(!aj.unconfigured.some((x) => x.name === 'Zadarma (demo)'), 'only those that cannot dial');
  const a = await admin.get('/dial?number=%2B380671234567');
  assert.match(a.text_, /Asterisk \(demo\) cannot place calls yet: set its click-to-call address/);
  assert.ok(a.text_.includes(`<a href="/settings/integrations/${astId}#click-to-call">Open its settings</a>`));
  const form = await admin.get(`/settings/integrations/${astId}`);
  assert.match(form.text_, /<fieldset id="click-to-call">/, 'the link lands on the field to fill in');
  assert.match(form.text_, /name="make_call_url"/);
});

test("the provider's refusal is shown in plain words", async () => {
  answer = (req, body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'error', message: 'wrong key' }));
  };
  const res = await dial({ number: '+380671234567', integration: 'zadarma' });
  assert.equal(res.status, 502);
  assert.match(res.text_, /Zadarma refused the request: wrong key/);
  answer = (req, body, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 21211, message: "Invalid 'To' Phone Number", status: 400 }));
  };
  const j = await dial({ number: '+380671234567', integration: 'twilio' }, { json: true });
  assert.equal(j.status, 502);
  assert.equal(JSON.parse(j.text_).error.message, "Twilio refused the request: Invalid 'To' Phone Number");
});

test('a provider that does not answer: a message within the timeout, never a hung page', async () => {
  answer = () => { /* never answers */ };
  const t0 = Date.now();
  const res = await dial({ number: '+380671234567', integration: 'binotel' });
  const took = (Date.now() - t0) / 1000;
  assert.equal(res.status, 502);
  assert.match(res.text_, new RegExp(`Binotel did not answer within ${TIMEOUT_S} seconds`));
  assert.ok(took >= TIMEOUT_S - 0.5 && took < TIMEOUT_S + 3, `took ${took} s`);
});

test('a provider that is down: a message at once', async () => {
  // a port nobody listens on
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  await sql("UPDATE integrations SET config = JSON_SET(config, '$.api_base', ?) WHERE slug = 'binotel'", [`http://127.0.0.1:${port}`]);
  try {
    const t0 = Date.now();
    const res = await dial({ number: '+380671234567', integration: 'binotel' });
    assert.equal(res.status, 502);
    assert.match(res.text_, /Could not reach Binotel \(.+\)\. Try again in a minute\./);
    assert.ok(Date.now() - t0 < 3000);
  } finally {
    await sql("UPDATE integrations SET config = JSON_SET(config, '$.api_base', ?) WHERE slug = 'binotel'", [standIn]);
  }
});

test('POST /dial needs the CSRF token', async () => {
  const res = await manager.post('/dial', { form: { number: '+380671234567', integration: 'zadarma' } });
  assert.equal(res.status, 403);
  const bad = await manager.post('/dial', { form: { csrf: 'x'.repeat(43), number: '+380671234567', integration: 'zadarma' } });
  assert.equal(bad.status, 403);
  assert.equal(hits.length, 0);
});

test('a role without calls.dial cannot dial', async () => {
  const role = `nodial-${uid('r')}`.slice(0, 40);
  await sql('INSERT INTO roles (name) VALUES (?)', [role]);
  madeRoles.push(role);
  await sql("INSERT INTO role_permissions (role_id, permission, scope) SELECT id, 'calls', 'all' FROM roles WHERE name = ?", [role]);
  const login = `nd${Date.now().toString(36)}`;
  madeUsers.push(login);
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id)
    SELECT ?, u.password_hash, 'No Dial', '199', r.id FROM users u, roles r WHERE u.login = 'intern' AND r.name = ?`, [login, role]);
  const c = new Client();
  await c.login(login, 'intern');
  assert.equal((await c.get('/dial?number=%2B380671234567')).status, 403);
  const res = await dial({ number: '+380671234567', integration: 'zadarma' }, { client: c });
  assert.equal(res.status, 403);
  assert.equal(hits.length, 0);
});

test('a user without an extension is told so, and nothing is dialled', async () => {
  const login = `noext${Date.now().toString(36)}`;
  madeUsers.push(login);
  await sql(`INSERT INTO users (login, password_hash, name, extension, role_id)
    SELECT ?, password_hash, 'No Extension', NULL, role_id FROM users WHERE login = 'manager'`, [login]);
  const c = new Client();
  await c.login(login, 'manager');
  const page = await c.get('/dial?number=%2B380671234567');
  assert.match(page.text_, /Your user has no extension/);
  assert.match(page.text_, /<button type="submit" disabled>/);
  const res = await dial({ number: '+380671234567', integration: 'zadarma' }, { client: c });
  assert.equal(res.status, 409);
  assert.equal(hits.length, 0);
});

test('Asterisk: contrib/asterisk\'s bridge turns the signed make-call request into an AMI Originate', async () => {
  const { spawn } = await import('node:child_process');
  const path = await import('node:path');
  const url = await import('node:url');
  const BRIDGE = path.join(path.dirname(url.fileURLToPath(import.meta.url)), '../../contrib/asterisk/callboard-ami-bridge');
  // A stand-in for Asterisk's manager interface: accepts the login, records the actions.
  const actions = [];
  const ami = net.createServer((sock) => {
    sock.write('Asterisk Call Manager/5.0.1\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
        const block = Object.fromEntries(buf.slice(0, i).split('\r\n').map((l) => {
          const k = l.indexOf(':');
          return [l.slice(0, k), l.slice(k + 1).trim()];
        }));
        buf = buf.slice(i + 4);
        actions.push(block);
        if (block.Action === 'Login') sock.write(`Response: Success\r\nActionID: ${block.ActionID}\r\nMessage: Authentication accepted\r\n\r\n`);
        else if (block.Action === 'Originate') sock.write(`Response: Success\r\nActionID: ${block.ActionID}\r\nMessage: Originate successfully queued\r\n\r\n`);
        else if (block.Action === 'Logoff') sock.end('Response: Goodbye\r\n\r\n');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => ami.listen(0, '127.0.0.1', r));
  const probe = net.createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const bridge = spawn('python3', [BRIDGE, '--listen', `127.0.0.1:${port}`, '--url', 'http://127.0.0.1:9/hook/asterisk',
    '--secret', 'demo-generic-secret', '--ami-port', String(ami.address().port), '--ami-secret', 'amipw', '--queue', ''],
  { stdio: 'ignore' });
  try {
    for (let k = 0; k < 50; k++) {   // until it listens
      const up = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.end(); r(true); }); s.on('error', () => r(false)); });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.make_call_url', ?) WHERE slug = 'asterisk'",
      [`http://127.0.0.1:${port}/call`]);
    const res = await dial({ number: '067 123 45 67', integration: 'asterisk', call: '42' });
    assert.equal(res.status, 303, res.text_);
    const o = actions.find((a) => a.Action === 'Originate');
    assert.ok(o, 'no Originate reached AMI');
    assert.deepEqual({ ...o, ActionID: undefined }, {
      Action: 'Originate', ActionID: undefined, Channel: 'PJSIP/101', Context: 'from-internal',
      Exten: '380671234567', Priority: '1', CallerID: '"Callboard" <380671234567>', Timeout: '30000',
      Async: 'true', Variable: 'CALLBOARD_CALL_ID=42' });
    assert.ok(actions.some((a) => a.Action === 'Login' && a.Secret === 'amipw'));
    // a forged request is refused by the bridge, and nothing is originated
    const n = actions.filter((a) => a.Action === 'Originate').length;
    const forged = await fetch(`http://127.0.0.1:${port}/call`, { method: 'POST',
      headers: { 'x-timestamp': String(Math.floor(Date.now() / 1000)), 'x-signature': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ extension: '101', number: '+380671234567' }) });
    assert.equal(forged.status, 403);
    assert.equal(actions.filter((a) => a.Action === 'Originate').length, n);
  } finally {
    bridge.kill();
    ami.close();
  }
});
