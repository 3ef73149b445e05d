// 3CX click-to-call through V20's Call Control API (issue 17 §2,
// lib/providers/threecx/dial.c, docs/providers.md "3CX"). A local
// stand-in of the PBX (node http on loopback) checks the exact requests
// and keeps its own tokens, so it can end one ("expired") or refuse the
// credentials. Through nginx and the real programs:
//   - click-to-call gets an OAuth2 token (POST /connect/token, client
//     credentials, form-encoded), then POST /callcontrol/101/makecall
//     {"destination"} with the ~1 KB JWT as a Bearer;
//   - a token 3CX no longer takes (401): one new token, then success;
//   - a wrong API key: a clear message on the page, one login, no call;
//   - 3CX's own refusal (finalstatus Failed): its reason on the page.
// The demo integration's config and secrets are restored afterwards.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const CLIENT_ID = '900';
const API_KEY = 'tx-api-key&=1';
let server, standIn, manager, saved;
let hits = [];
const state = { tokens: new Set(), expireNext: false, refuse: false };

// A JWT's shape and size (RS256: a 342-character signature).
const jwt = () => ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', crypto.randomBytes(400).toString('base64url'),
  crypto.randomBytes(256).toString('base64url')].join('.');

function json(res, obj, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

function answer(req, body, res) {
  const url = new URL(req.url, 'http://x');
  hits.push({ method: req.method, path: url.pathname, headers: req.headers, body });
  if (url.pathname === '/connect/token' && req.method === 'POST') {
    const f = new URLSearchParams(body);
    if (f.get('grant_type') !== 'client_credentials') return json(res, { error: 'unsupported_grant_type' }, 400);
    if (f.get('client_id') !== CLIENT_ID || f.get('client_secret') !== API_KEY) {
      return json(res, { error: 'invalid_client' }, 400);
    }
    const t = jwt();
    state.tokens.add(t);
    return json(res, { token_type: 'Bearer', expires_in: 3600, access_token: t });
  }
  const m = url.pathname.match(/^\/callcontrol\/(\d+)\/makecall$/);
  if (m && req.method === 'POST') {
    const token = (req.headers.authorization || '').replace(/^Bearer /, '');
    if (state.expireNext) {              // the token dies under the caller
      state.expireNext = false;
      state.tokens.delete(token);
    }
    if (!state.tokens.has(token)) {
      res.writeHead(401);
      return res.end();
    }
    if (state.refuse) {
      return json(res, { finalstatus: 'Failed', reason: 'InvalidDestination', reasontext: 'No outbound rule' });
    }
    return json(res, { finalstatus: 'Success', reason: 'NotSpecified', reasontext: '',
      result: { id: 7, status: 'Dialing', dn: m[1], callid: 42, legid: 1 } });
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not here');
}

async function setIntegration(config, secrets) {
  await sql("UPDATE integrations SET config = ?, secrets = ? WHERE slug = '3cx'",
    [JSON.stringify(config), JSON.stringify(secrets)]);
}
const txConfig = () => ({ api_base: standIn, allow_private_hosts: ['127.0.0.0/8'] });
const txSecrets = (secret = API_KEY) => ({ key: 'demo-3cx-key', client_id: CLIENT_ID, client_secret: secret });

before(async () => {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  standIn = `http://127.0.0.1:${server.address().port}`;
  [saved] = await sql("SELECT config, secrets FROM integrations WHERE slug = '3cx'");
  await setIntegration(txConfig(), txSecrets());
  manager = new Client();
  await manager.login('manager', 'manager');
});

after(async () => {
  if (saved) await sql("UPDATE integrations SET config = ?, secrets = ? WHERE slug = '3cx'", saved);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

beforeEach(() => { hits = []; state.expireNext = false; state.refuse = false; });

async function dial(number = '+380671234567') {
  const csrf = await manager.csrf();
  return manager.post('/dial', { form: { csrf, number, integration: '3cx' } });
}
const paths = () => hits.map((h) => h.path);

test('3CX: click-to-call gets a token (client credentials), then makecall on the extension with it', async () => {
  state.tokens.clear();
  const res = await dial();
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  assert.deepEqual(paths(), ['/connect/token', '/callcontrol/101/makecall']);
  const [login, call] = hits;
  assert.equal(login.method, 'POST');
  assert.match(login.headers['content-type'], /^application\/x-www-form-urlencoded/);
  assert.deepEqual(Object.fromEntries(new URLSearchParams(login.body)),
    { grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: API_KEY });
  assert.equal(call.method, 'POST');
  assert.match(call.headers['content-type'], /^application\/json/);
  assert.deepEqual(JSON.parse(call.body), { destination: '+380671234567' });
  const token = call.headers.authorization.replace(/^Bearer /, '');
  assert.ok(token.length > 900, `the whole JWT (${token.length} characters)`);
  assert.ok(state.tokens.has(token), 'the token it was given');
});

test('3CX: a token the PBX no longer takes (401): one new token, then the call succeeds', async () => {
  state.expireNext = true;
  const res = await dial();
  assert.equal(res.status, 303, res.text_.slice(0, 500));
  const p = paths();
  const refused = p.indexOf('/callcontrol/101/makecall');
  assert.deepEqual(p.slice(refused), ['/callcontrol/101/makecall', '/connect/token', '/callcontrol/101/makecall'],
    `one new token after the refusal: ${p}`);
  assert.ok(state.tokens.has(hits.at(-1).headers.authorization.replace(/^Bearer /, '')));
});

test('3CX: a wrong API key: a clear message on the page, one login, no call and no loop', async () => {
  await setIntegration(txConfig(), txSecrets('wrong-api-key'));
  try {
    const res = await dial();
    assert.equal(res.status, 502, res.text_.slice(0, 500));
    assert.match(res.text_, /3CX refused the login: HTTP 400 invalid_client\. Check the integration&#39;s API credentials/);
    assert.doesNotMatch(res.text_, /wrong-api-key/, 'never the key itself');
    assert.deepEqual(paths(), ['/connect/token']);
  } finally {
    await setIntegration(txConfig(), txSecrets());
  }
});

test('3CX: the PBX refuses the call (finalstatus Failed): its reason on the page', async () => {
  state.refuse = true;
  const res = await dial();
  assert.equal(res.status, 502, res.text_.slice(0, 500));
  assert.match(res.text_, /3CX refused the request: No outbound rule/);
  assert.equal(paths().at(-1), '/callcontrol/101/makecall');
});
