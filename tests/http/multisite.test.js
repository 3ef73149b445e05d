// Several sites on one install (issue 23 §1): two sites, mt-a and mt-b, each with its own
// database, sites/<name>.conf and worker, served by the same FastCGI programs through two
// nginx server {} blocks (scripts/stack.sh site NAME PORT: ports CB_HTTP_PORT + 61 and + 62).
// Nothing of one site is honoured on the other: a session cookie, an API token, a hook slug, a
// recording, a popup channel, a cached integration. mt-a has the demo data; mt-b has only an
// admin (its own password) and what the tests create.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { sign, uid, sleep } from '../lib/generic.js';

const run = promisify(execFile);
const ROOT = process.env.CB_ROOT || path.resolve(import.meta.dirname, '../..');
const BUILD = process.env.CB_BUILD_DIR || path.join(ROOT, 'build-test');
const STATE = process.env.CB_STATE_DIR || path.join(BUILD, 'stack');
const CONF = path.join(STATE, 'callboard.conf');
const TOOL = process.env.CB_BIN_DIR ? path.join(process.env.CB_BIN_DIR, 'callboard') : path.join(BUILD, 'tools/callboard');
const HOOK = process.env.CB_LIBEXEC_DIR ? path.join(process.env.CB_LIBEXEC_DIR, 'callboard-hook') : path.join(BUILD, 'cgi/callboard-hook');
const HTTP = Number(process.env.CB_HTTP_PORT || 18080);
const A = { name: 'mt-a', port: HTTP + 61, db: 'callboard_site_mt_a' };
const B = { name: 'mt-b', port: HTTP + 62, db: 'callboard_site_mt_b' };
const nchan = process.env.CB_NCHAN !== '0' && existsSync('/usr/lib/nginx/modules/ngx_nchan_module.so');
const B_PASSWORD = 'admin-of-b';

for (const s of [A, B]) s.base = `http://127.0.0.1:${s.port}`;

// The test client of tests/lib/http.js, on a site's own address.
class SiteClient extends Client {
  constructor(site) { super(); this.base = site.base; }

  async request(p, { method = 'GET', headers = {}, body, form } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (form) {
      body = new URLSearchParams(form).toString();
      h['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await fetch(this.base + p, { method, headers: h, body, redirect: 'manual' });
    this.remember(res);
    res.text_ = await res.text();
    return res;
  }
}

// SQL on one site's database (tests/lib/db.js reads CB_DB_NAME when called).
function sqlOn(site, q, params) {
  const saved = process.env.CB_DB_NAME;
  process.env.CB_DB_NAME = site.db;
  try { return sql(q, params); } finally {
    if (saved === undefined) delete process.env.CB_DB_NAME; else process.env.CB_DB_NAME = saved;
  }
}

function tool(args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(TOOL, ['--config', CONF, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input ?? '');
  });
}

async function postGenericTo(site, slug, event, secret) {
  const body = JSON.stringify(event);
  const res = await fetch(`${site.base}/hook/${slug}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...sign(body, secret) }, body,
  });
  res.text_ = await res.text();
  return res;
}

async function csrfOf(client, p) {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

// A generic integration made through the settings form of the client's site.
async function createGeneric(client, slug, secret) {
  const fields = [['csrf', await csrfOf(client, '/settings/integrations')], ['kind', 'generic'],
    ['name', `Multisite ${slug}`], ['slug', slug], ['enabled', '1'], ['country', 'UA'], ['fallback', ''],
    ['secret_secret', secret]];
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  const r = await client.request('/settings/integrations/new', { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 303, r.text_.slice(0, 800));
}

// The same program serving both sites: one callboard-hook process (no children) on a socket of
// its own, driven through a minimal FastCGI client, so the alternation is not left to which of
// the stack's hook children takes a connection.
function fcgiRequest(sock, params, body = Buffer.alloc(0)) {
  const rec = (type, content) => {
    const pad = (8 - (content.length % 8)) % 8;
    const h = Buffer.from([1, type, 0, 1, content.length >> 8, content.length & 255, pad, 0]);
    return Buffer.concat([h, content, Buffer.alloc(pad)]);
  };
  const len = (n) => (n < 128 ? Buffer.from([n]) : Buffer.from([(n >> 24) | 0x80, (n >> 16) & 255, (n >> 8) & 255, n & 255]));
  const pairs = Buffer.concat(Object.entries(params).map(([k, v]) => {
    const kb = Buffer.from(k); const vb = Buffer.from(String(v));
    return Buffer.concat([len(kb.length), len(vb.length), kb, vb]);
  }));
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const chunks = [];
    c.on('error', reject);
    c.on('data', (d) => chunks.push(d));
    c.on('close', () => {
      const all = Buffer.concat(chunks);
      let out = Buffer.alloc(0);
      for (let i = 0; i + 8 <= all.length;) {
        const type = all[i + 1]; const n = all.readUInt16BE(i + 4); const pad = all[i + 6];
        if (type === 6) out = Buffer.concat([out, all.subarray(i + 8, i + 8 + n)]);
        i += 8 + n + pad;
      }
      const text = out.toString();
      const m = text.match(/^Status: (\d+)/m);
      resolve({ status: m ? Number(m[1]) : 200, text });
    });
    c.end(Buffer.concat([rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0])), rec(4, pairs), rec(4, Buffer.alloc(0)),
      ...(body.length ? [rec(5, body)] : []), rec(5, Buffer.alloc(0))]));
  });
}

function hookParams(site, slug, body, secret) {
  const p = { REQUEST_METHOD: 'POST', DOCUMENT_URI: `/hook/${slug}`, REQUEST_URI: `/hook/${slug}`,
    SCRIPT_NAME: `/hook/${slug}`, QUERY_STRING: '', CONTENT_TYPE: 'application/json',
    CONTENT_LENGTH: body.length, REMOTE_ADDR: '127.0.0.1', SERVER_PORT: String(HTTP), HTTP_HOST: '127.0.0.1' };
  const s = sign(body.toString(), secret);
  p.HTTP_X_TIMESTAMP = s['x-timestamp'];
  p.HTTP_X_SIGNATURE = s['x-signature'];
  if (site) p.CALLBOARD_SITE = site;
  return p;
}

let aAdmin, aManager, bAdmin, managerId;
let hookProc, hookDir;
const subs = [];

before(async () => {
  for (const s of [A, B]) {
    await run(path.join(ROOT, 'scripts/stack.sh'), ['site', s.name, String(s.port)], { env: process.env });
  }
  const demo = await tool(['--site', A.name, 'demo', '--calls', '20']);
  assert.equal(demo.code, 0, demo.out);
  const user = await tool(['--site', B.name, 'user', 'admin', '--role', 'admin', '--name', 'Admin of B'], `${B_PASSWORD}\n`);
  assert.equal(user.code, 0, user.out);
  aAdmin = new SiteClient(A);
  await aAdmin.login('admin', 'admin');
  aManager = new SiteClient(A);
  await aManager.login('manager', 'manager');
  bAdmin = new SiteClient(B);
  await bAdmin.login('admin', B_PASSWORD);
  managerId = Number((await sqlOn(A, "SELECT id FROM users WHERE login = 'manager'"))[0][0]);
});

after(async () => {
  subs.forEach((s) => s.close());
  if (hookProc) {
    hookProc.kill('SIGTERM');
    await new Promise((r) => hookProc.once('exit', r));
  }
  if (hookDir) rmSync(hookDir, { recursive: true, force: true });
});

test('each site has its own database: a site\'s admin logs in only on that site', async () => {
  assert.equal((await bAdmin.get('/calls')).status, 200);
  const wrong = new SiteClient(B);
  const page = await wrong.get('/login');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const r = await wrong.post('/login', { form: { csrf, login: 'admin', password: 'admin', next: '/calls' } });
  assert.notEqual(r.status, 303, "mt-a's password logged in on mt-b");
});

test('the session cookie carries the site, and a session of mt-a is refused on mt-b and on the default site', async () => {
  const [name, token] = [...aAdmin.cookies].find(([k]) => k.startsWith('cb_session'));
  assert.equal(name, 'cb_session_mt-a');
  assert.equal((await aAdmin.get('/calls')).status, 200);
  for (const cookie of [`cb_session_mt-b=${token}`, `cb_session_mt-a=${token}`]) {
    const r = await fetch(`${B.base}/calls`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(r.status, 303, `${cookie.split('=')[0]} on mt-b`);
    assert.match(r.headers.get('location'), /^\/login/);
  }
  const r = await fetch(`${BASE}/calls`, { headers: { cookie: `cb_session=${token}` }, redirect: 'manual' });
  assert.equal(r.status, 303, 'on the default site');
});

test("mt-a's API token is refused on mt-b", async () => {
  const auth = { authorization: 'Bearer demo-api-token' };
  assert.equal((await fetch(`${A.base}/api/v1/calls`, { headers: auth })).status, 200);
  const r = await fetch(`${B.base}/api/v1/calls`, { headers: auth });
  assert.equal(r.status, 401);
});

test("mt-a's hook slug is 404 on mt-b, which has an integration of its own", async () => {
  const slugB = `mt-b-${randomBytes(3).toString('hex')}`;
  await createGeneric(bAdmin, slugB, 'secret-of-b-0123456789');
  const ev = () => ({ event: 'call.start', call_id: uid('ms'), direction: 'in', from: '+380671112233', ext: '101' });
  assert.equal((await postGenericTo(A, 'generic', ev(), 'demo-generic-secret')).status, 200);
  assert.equal((await postGenericTo(B, slugB, ev(), 'secret-of-b-0123456789')).status, 200);
  const r = await postGenericTo(B, 'generic', ev(), 'demo-generic-secret');
  assert.equal(r.status, 404, r.text_);
  assert.equal((await postGenericTo(A, slugB, ev(), 'secret-of-b-0123456789')).status, 404);
});

test("mt-a's recording is not served on mt-b, even for a call of mt-b naming the same file", async () => {
  const [[id, file]] = await sqlOn(A, "SELECT id, recording_path FROM calls WHERE recording_state = 'stored' AND recording_path IS NOT NULL ORDER BY id LIMIT 1");
  const onA = await aManager.get(`/calls/${id}/recording`);
  assert.equal(onA.status, 200, `mt-a's own recording: ${onA.status}`);
  assert.equal((await bAdmin.get(`/calls/${id}/recording`)).status, 404);
  // A call of mt-b whose row names mt-a's file: nginx looks in mt-b's recordings folder only.
  const slug = `mt-rec-${randomBytes(3).toString('hex')}`;
  await createGeneric(bAdmin, slug, 'secret-of-b-0123456789');
  const callId = uid('msrec');
  assert.equal((await postGenericTo(B, slug, { event: 'call.start', call_id: callId, direction: 'in', from: '+380671112244' }, 'secret-of-b-0123456789')).status, 200);
  await sqlOn(B, "UPDATE calls SET recording_state = 'stored', recording_path = ? WHERE external_id = ?", [file, callId]);
  const [[bId]] = await sqlOn(B, 'SELECT id FROM calls WHERE external_id = ?', [callId]);
  const r = await bAdmin.get(`/calls/${bId}/recording`);
  assert.equal(r.status, 404, `mt-b served ${file}: ${r.status}`);
});

test("a popup of mt-a reaches mt-a's subscriber and never mt-b's on the same manager id", { skip: !nchan }, async () => {
  const subscribe = async (client, site) => {
    const ac = new AbortController();
    const res = await fetch(`${site.base}/live/manager/${managerId}`, {
      headers: { accept: 'text/event-stream', cookie: client.cookieHeader() }, signal: ac.signal });
    const sub = { status: res.status, text: '', close: () => ac.abort() };
    subs.push(sub);
    if (res.status === 200) {
      (async () => { try { for await (const c of res.body) sub.text += Buffer.from(c).toString(); } catch { /* closed */ } })();
    }
    return sub;
  };
  const onA = await subscribe(aManager, A);
  const onB = await subscribe(bAdmin, B);   // an admin may listen to any manager id of its site
  assert.equal(onA.status, 200);
  assert.equal(onB.status, 200);
  await sleep(150);
  const number = `+38067${String(Date.now()).slice(-7)}`;
  const r = await postGenericTo(A, 'generic', { event: 'call.start', call_id: uid('mslive'), direction: 'in', from: number, ext: '101' }, 'demo-generic-secret');
  assert.equal(r.status, 200, r.text_);
  for (let i = 0; i < 30 && !onA.text.includes(number); i++) await sleep(50);
  assert.ok(onA.text.includes(number), "mt-a's manager got no popup");
  await sleep(500);
  assert.ok(!onB.text.includes(number), "mt-b's subscriber received mt-a's popup");
  // mt-a's manager cannot listen on mt-b (no session there).
  const cross = await fetch(`${B.base}/live/manager/${managerId}`, { headers: { accept: 'text/event-stream', cookie: aManager.cookieHeader() } });
  await cross.text().catch(() => {});
  assert.equal(cross.status, 403);
});

test("each site's worker runs that site's jobs, and only them", async () => {
  const kind = `test.noop-${randomBytes(4).toString('hex')}`;
  await sqlOn(B, "INSERT INTO jobs (kind, payload) VALUES (?, '{}')", [kind]);
  let row;
  for (let i = 0; i < 60; i++) {
    [row] = await sqlOn(B, 'SELECT state, last_error FROM jobs WHERE kind = ?', [kind]);
    if (row[0] === 'failed') break;
    await sleep(100);
  }
  assert.equal(row[0], 'failed', `mt-b's job was not taken: ${row}`);
  assert.match(row[1], /unknown job kind/);
  const logOf = (name) => readFileSync(path.join(STATE, 'log', name), 'utf8');
  assert.match(logOf(`worker-${B.name}.log`), new RegExp(`worker/${B.name} warn job \\d+ \\(${kind}\\)`));
  assert.ok(!logOf(`worker-${A.name}.log`).includes(kind), "mt-a's worker saw mt-b's job");
  assert.ok(!logOf('worker.log').includes(kind), "the default site's worker saw mt-b's job");
});

test('one program process serving both sites alternately never uses one site\'s cached integration for the other', async () => {
  const slug = `mt-shared-${randomBytes(3).toString('hex')}`;
  const secret = { a: 'secret-of-a-0123456789', b: 'secret-of-b-9876543210' };
  await createGeneric(aAdmin, slug, secret.a);
  await createGeneric(bAdmin, slug, secret.b);
  // Its own callboard.conf, sites_max = 1: every switch of site also closes the other's connection.
  hookDir = mkdtempSync(path.join(os.tmpdir(), 'cb-multisite-'));
  mkdirSync(path.join(hookDir, 'sites'));
  writeFileSync(path.join(hookDir, 'callboard.conf'), `${readFileSync(CONF, 'utf8')}\nsites_max = 1\n`);
  for (const s of [A, B]) copyFileSync(path.join(STATE, 'sites', `${s.name}.conf`), path.join(hookDir, 'sites', `${s.name}.conf`));
  const sock = path.join(hookDir, 'hook.sock');
  const log = [];
  hookProc = spawn('spawn-fcgi', ['-n', '-s', sock, '--', HOOK], {
    env: { ...process.env, CALLBOARD_CONFIG: path.join(hookDir, 'callboard.conf'), CALLBOARD_CHILDREN: '1' },
    stdio: ['ignore', 'pipe', 'pipe'] });
  hookProc.stderr.on('data', (d) => log.push(String(d)));
  hookProc.stdout.on('data', (d) => log.push(String(d)));
  for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(100);
  const send = async (site, sec) => {
    const body = Buffer.from(JSON.stringify({ event: 'call.start', call_id: uid('mscache'), direction: 'in', from: '+380671112255' }));
    return fcgiRequest(sock, hookParams(site, slug, body, sec), body);
  };
  for (let round = 0; round < 3; round++) {
    assert.equal((await send(A.name, secret.a)).status, 200, `round ${round}: mt-a, its own secret`);
    assert.equal((await send(B.name, secret.a)).status, 403, `round ${round}: mt-b took mt-a's secret (mt-a's cached integration)`);
    assert.equal((await send(B.name, secret.b)).status, 200, `round ${round}: mt-b, its own secret`);
    assert.equal((await send(A.name, secret.b)).status, 403, `round ${round}: mt-a took mt-b's secret`);
  }
  // The same process, a site without a file and a name that cannot be a site: 503 saying so,
  // and the site it holds (mt-a, served last) stays open.
  await sleep(200);
  const closes = () => (log.join('').match(/closing its database connection/g) || []).length;
  const before = closes();
  assert.ok(before >= 5, `sites_max = 1 and 12 switches, ${before} closes logged`);
  const unknown = await send('mt-nosuch', secret.a);
  assert.equal(unknown.status, 503);
  assert.match(unknown.text, /not set up on this server/);
  assert.equal((await send('../etc', secret.a)).status, 503);
  // No CALLBOARD_SITE: the default site, which has no such integration.
  assert.equal((await send(null, secret.a)).status, 404);
  assert.equal((await send(A.name, secret.a)).status, 200);
  await sleep(200);
  assert.equal(closes(), before, 'a site that cannot be served closed the open one');
  assert.match(log.join(''), /site mt-[ab]: closing its database connection/);
  assert.match(log.join(''), /mt-nosuch is not configured here: .*sites\/mt-nosuch\.conf does not exist/);
  // Stopped cleanly, with nothing left behind (a sanitizer build reports leaks at exit).
  const exited = new Promise((r) => hookProc.once('exit', (code) => r(code)));
  hookProc.kill('SIGTERM');
  const code = await exited;
  hookProc = null;
  assert.equal(code, 0, log.join('').slice(-2000));
  assert.doesNotMatch(log.join(''), /Sanitizer/);
});
