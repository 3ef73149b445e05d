// SMS as a trigger action (issue 19 §4), end to end: an admin adds a gateway
// account on Settings › SMS gateways (CSRF, secrets sealed and never shown
// back), a missed call fires a trigger with a "sms" action, the worker sends
// through lib/net/httpc.c to a local stand-in for the gateway (a node http
// server on loopback, reached through the account's "Private addresses
// allowed", the same mechanism as integrations' allow_private_hosts), and
// the stand-in checks the exact request each gateway documents
// (platform-notes §a.1). Then the outbox's promises (§a.3): a refusal fails
// at once with the reason on the runs page, a 500 is retried with backoff, a
// timeout after the request went out is "unknown" and never resent, a
// worker killed mid-send does not send twice, and an event delivered twice
// makes one SMS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import {
  sendCall, jobDone, apiList, quietAutomation, restoreAutomation, insertTrigger, makeCustomer, freshPhone, sql, uid, waitUntil, sleep,
} from '../lib/automation.js';
import { postGeneric } from '../lib/generic.js';
import { Client } from '../lib/http.js';

const ROOT = process.env.CB_ROOT;
let saved;
const made = [];
const gateways = [];
let admin;
let gw;   // the stand-in

// The stand-in: records every request; answer(req) decides the reply
// ({ status, body } or { hang: true } to never answer).
async function standIn() {
  const got = [];
  let answer = () => ({ status: 200, body: '{}' });
  const held = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const r = { method: req.method, url: req.url, headers: req.headers, body };
      got.push(r);
      const a = answer(r, got.length);
      if (a.hang) { held.push(res); return; }
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    got,
    port: server.address().port,
    set answer(fn) { answer = fn; },
    reset() { got.length = 0; answer = () => ({ status: 200, body: '{}' }); },
    close: () => new Promise((r) => { for (const h of held) h.destroy(); server.closeAllConnections(); server.close(r); }),
  };
}

before(async () => {
  saved = await quietAutomation();
  gw = await standIn();
  admin = new Client();
  await admin.login('admin', 'admin');
});

after(async () => {
  await restoreAutomation(saved, made);
  if (gateways.length) await sql(`DELETE FROM sms_gateways WHERE id IN (${gateways.map(Number).join(',')})`);
  await gw.close();
});

async function csrfOf(pathname) {
  const page = await admin.get(pathname);
  assert.equal(page.status, 200, `${pathname}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

// Adds an account through the settings page; returns its id.
async function addGateway(kind, fields) {
  const csrf = await csrfOf(`/settings/sms/new?kind=${kind}`);
  const res = await admin.post('/settings/sms/new', {
    form: {
      csrf, kind, name: uid(`sms-${kind}`), s_api_base: `http://127.0.0.1:${gw.port}`,
      s_allow_private_hosts: '127.0.0.1', ...fields,
    },
  });
  assert.equal(res.status, 303, `add ${kind}: ${res.status} ${res.text_.slice(0, 400)}`);
  const id = Number(res.headers.get('location').match(/\/settings\/sms\/(\d+)/)[1]);
  gateways.push(id);
  return id;
}

// A new enabled SMS trigger; the earlier ones of this file are disabled so
// that each call fires exactly one.
async function smsTrigger(gatewayId, text, extra = {}) {
  if (made.length) await sql(`UPDATE triggers SET enabled = 0 WHERE id IN (${made.map(Number).join(',')})`);
  return insertTrigger(made, 'missed_call', {}, [{ type: 'sms', gateway_id: gatewayId, text, ...extra }], 'sms');
}

async function runOf(t, callId) {
  const runs = await apiList('trigger-runs', { call_id: callId, trigger_id: t.id });
  return runs.find((r) => r.action_index === 0);
}

async function messagesOf(t) {
  return sql('SELECT state, message_id, error, attempts, recipient, text FROM sms_messages WHERE trigger_id = ?', [t.id]);
}

const form = (body) => Object.fromEntries(new URLSearchParams(body));

// One missed call from a known customer through trigger t; resolves when the
// run reaches one of want.
async function fire(t, want = ['ok'], name = 'Olena Test') {
  const phone = freshPhone();
  await makeCustomer(phone, { name });
  const c = await sendCall(phone, { kind: 'missed' });
  await jobDone(c.id);
  const run = await waitUntil(async () => {
    const r = await runOf(t, c.id);
    return r && want.includes(r.result) ? r : null;
  }, `the sms run to be ${want.join('/')}`, 30000);
  return { phone, call: c, run };
}

test('Twilio: POST …/Accounts/{sid}/Messages.json, Basic sid:token, To in E.164, From, Body from the template; the run is ok with the SID', async () => {
  gw.reset();
  gw.answer = () => ({ status: 201, body: '{"sid":"SM0123456789abcdef","status":"queued"}' });
  const id = await addGateway('twilio', { s_account_sid: 'AC0001', s_from: '+15005550006', k_auth_token: 'tw-token-123456' });
  const t = await smsTrigger(id, 'Hi {name}, sorry we missed your call from {number}.');
  const { phone, run } = await fire(t);
  assert.equal(run.result, 'ok');
  assert.equal(gw.got.length, 1);
  const r = gw.got[0];
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/2010-04-01/Accounts/AC0001/Messages.json');
  assert.equal(r.headers.authorization, 'Basic ' + Buffer.from('AC0001:tw-token-123456').toString('base64'));
  assert.equal(r.headers['content-type'], 'application/x-www-form-urlencoded');
  assert.deepEqual(form(r.body), { To: phone, From: '+15005550006', Body: `Hi Olena Test, sorry we missed your call from ${phone}.` });
  const [[state, mid]] = await messagesOf(t);
  assert.equal(state, 'sent');
  assert.equal(mid, 'SM0123456789abcdef');
});

test('Zadarma: POST /v1/sms/send/ with number without +, the signed Authorization key:signature over the sorted body', async () => {
  gw.reset();
  gw.answer = () => ({ status: 200, body: '{"status":"success","messages":1,"cost":0.03}' });
  const key = 'zkey' + uid('k');
  const secret = 'zsecret-0123456789';
  const id = await addGateway('zadarma', { s_key: key, k_secret: secret, s_caller_id: 'Shop' });
  const t = await smsTrigger(id, 'Дякуємо, {name}!');
  const { phone } = await fire(t, ['ok'], 'Олена');
  const r = gw.got[0];
  assert.equal(gw.got.length, 1);
  assert.equal(r.url, '/v1/sms/send/');
  assert.deepEqual(form(r.body), { caller_id: 'Shop', format: 'json', message: 'Дякуємо, Олена!', number: phone.slice(1) });
  // providers.md §2.4: base64(hex(HMAC-SHA1(secret, path + q + md5(q)))), q the sorted query as sent.
  const md5 = createHash('md5').update(r.body).digest('hex');
  const sig = Buffer.from(createHmac('sha1', secret).update('/v1/sms/send/' + r.body + md5).digest('hex')).toString('base64');
  assert.equal(r.headers.authorization, `${key}:${sig}`);
  assert.equal(r.body.split('&').map((p) => p.split('=')[0]).join(','), 'caller_id,format,message,number', 'sorted by key');
});

test('TurboSMS, SMSC, SMS.ru, SMSAPI: each request as documented (path, auth, fields, number format)', async () => {
  const cases = [
    {
      kind: 'turbosms', fields: { s_sender: 'Shop', k_token: 'turbo-token-1' },
      answer: '{"response_code":0,"response_status":"OK","result":[{"phone":"x","message_id":"tm-1"}]}',
      check: (r, phone) => {
        assert.equal(r.method, 'POST');
        assert.equal(r.url, '/message/send.json');
        assert.equal(r.headers.authorization, 'Bearer turbo-token-1');
        assert.deepEqual(JSON.parse(r.body), { recipients: [phone.slice(1)], sms: { sender: 'Shop', text: 'Call from ' + phone } });
      },
      id: 'tm-1',
    },
    {
      kind: 'smsc', fields: { s_login: 'shop', k_psw: 'smsc-pass', s_sender: 'Shop' },
      answer: '{"id":77,"cnt":1}',
      check: (r, phone) => {
        assert.equal(r.url, '/sys/send.php');
        assert.deepEqual(form(r.body), { login: 'shop', psw: 'smsc-pass', phones: phone.slice(1), mes: 'Call from ' + phone, sender: 'Shop', charset: 'utf-8', fmt: '3' });
      },
      id: '77',
    },
    {
      kind: 'smsru', fields: { k_api_id: 'SMSRU-KEY' },
      answer: (phone) => JSON.stringify({ status: 'OK', status_code: 100, sms: { [phone.slice(1)]: { status: 'OK', status_code: 100, sms_id: '000-1' } } }),
      check: (r, phone) => {
        assert.equal(r.method, 'GET');
        const u = new URL(r.url, 'http://x');
        assert.equal(u.pathname, '/sms/send');
        assert.deepEqual(Object.fromEntries(u.searchParams), { api_id: 'SMSRU-KEY', to: phone.slice(1), msg: 'Call from ' + phone, json: '1' });
      },
      id: '000-1',
    },
    {
      kind: 'smsapi', fields: { k_token: 'oauth-token-1', s_from: 'Shop' },
      answer: '{"count":1,"list":[{"id":"5F0C","points":0.16,"status":"QUEUE"}]}',
      check: (r, phone) => {
        assert.equal(r.url, '/sms.do');
        assert.equal(r.headers.authorization, 'Bearer oauth-token-1');
        assert.deepEqual(form(r.body), { to: phone.slice(1), message: 'Call from ' + phone, from: 'Shop', format: 'json', encoding: 'utf-8' });
      },
      id: '5F0C',
    },
  ];
  for (const k of cases) {
    gw.reset();
    let phoneNow = '';
    gw.answer = () => ({ status: 200, body: typeof k.answer === 'function' ? k.answer(phoneNow) : k.answer });
    const id = await addGateway(k.kind, k.fields);
    const t = await smsTrigger(id, 'Call from {number}');
    const phone = freshPhone();
    phoneNow = phone;
    await makeCustomer(phone);
    const c = await sendCall(phone, { kind: 'missed' });
    await jobDone(c.id);
    await waitUntil(async () => (await runOf(t, c.id))?.result === 'ok', `${k.kind}: the run to be ok`, 20000);
    assert.equal(gw.got.length, 1, k.kind);
    k.check(gw.got[0], phone);
    const [[state, mid]] = await messagesOf(t);
    assert.equal(state, 'sent', k.kind);
    assert.equal(mid, k.id, k.kind);
  }
});

test('a refusal (HTTP 400 with the gateway\'s reason) fails the run at once with the reason on the runs page; nothing is resent', async () => {
  gw.reset();
  gw.answer = () => ({ status: 400, body: '{"code":21211,"message":"The To number is not a valid phone number.","status":400}' });
  const id = await addGateway('twilio', { s_account_sid: 'AC0002', s_from: '+15005550006', k_auth_token: 'tw-token-2' });
  const t = await smsTrigger(id, 'x', { retries: 3, retry_after_seconds: 1 });
  const { run } = await fire(t, ['failed']);
  assert.match(run.error, /HTTP 400: 21211 The To number is not a valid phone number/);
  await sleep(2500);
  assert.equal(gw.got.length, 1, 'not retried');
  const page = await admin.get(`/settings/triggers/${t.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text_, /data-result="failed"/);
  assert.match(page.text_, /21211 The To number is not a valid phone number/);
  assert.doesNotMatch(page.text_, /tw-token-2/);
});

test('HTTP 500 is retried with backoff until the gateway accepts: one SMS, the run ok after the retry', async () => {
  gw.reset();
  gw.answer = (r, n) => (n === 1 ? { status: 500, body: 'oops' } : { status: 201, body: '{"sid":"SM500ok","status":"queued"}' });
  const id = await addGateway('twilio', { s_account_sid: 'AC0003', s_from: '+15005550006', k_auth_token: 'tw-token-3' });
  const t = await smsTrigger(id, 'x', { retries: 3, retry_after_seconds: 1 });
  const { run } = await fire(t, ['ok']);
  assert.equal(run.result, 'ok');
  assert.equal(gw.got.length, 2);
  const [[state, mid, , attempts]] = await messagesOf(t);
  assert.equal(state, 'sent');
  assert.equal(mid, 'SM500ok');
  assert.equal(Number(attempts), 2);
});

test('HTTP 500 every time: retried until the budget is spent, then failed with the last reason', async () => {
  gw.reset();
  gw.answer = () => ({ status: 503, body: '{"message":"down for maintenance"}' });
  const id = await addGateway('twilio', { s_account_sid: 'AC0004', s_from: '+15005550006', k_auth_token: 'tw-token-4' });
  const t = await smsTrigger(id, 'x', { retries: 1, retry_after_seconds: 1 });
  const { run } = await fire(t, ['failed']);
  assert.match(run.error, /HTTP 503/);
  assert.equal(gw.got.length, 2, 'the first try and one retry');
});

test('a timeout after the request went out is "unknown": never resent, the reason on the runs page', async () => {
  gw.reset();
  gw.answer = () => ({ hang: true });
  const id = await addGateway('smsapi', { k_token: 'oauth-t' });
  const t = await smsTrigger(id, 'x', { retries: 3, retry_after_seconds: 1 });
  const { run } = await fire(t, ['unknown']);
  assert.match(run.error, /may have the message; not resent/);
  await sleep(3000);
  assert.equal(gw.got.length, 1, 'not resent');
  const [[state]] = await messagesOf(t);
  assert.equal(state, 'unknown');
  const page = await admin.get(`/settings/triggers/${t.id}`);
  assert.match(page.text_, /data-result="unknown"/);
});

test('no gateway listening (connection refused, never sent) is retried, then failed', async () => {
  const id = await addGateway('smsapi', { k_token: 'oauth-t2' });
  await sql("UPDATE sms_gateways SET settings = JSON_SET(settings, '$.api_base', 'http://127.0.0.1:1') WHERE id = ?", [id]);
  const t = await smsTrigger(id, 'x', { retries: 1, retry_after_seconds: 1 });
  const { run } = await fire(t, ['failed']);
  assert.match(run.error, /\(not sent\)/);
  const [[, , , attempts]] = await messagesOf(t);
  assert.equal(Number(attempts), 2);
});

test('the worker killed mid-send and restarted: the SMS is not sent twice, the run says its outcome is unknown', async () => {
  gw.reset();
  gw.answer = () => ({ hang: true });
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: 'turbo-kill' });
  const t = await smsTrigger(id, 'x', { retries: 3, retry_after_seconds: 1 });
  const phone = freshPhone();
  const c = await sendCall(phone, { kind: 'missed' });
  await waitUntil(async () => gw.got.length === 1, 'the request to reach the gateway', 20000);
  const env = { ...process.env };
  await promisify(execFile)(path.join(ROOT, 'scripts', 'stack.sh'), ['crash', 'worker'], { env });
  gw.answer = () => ({ status: 200, body: '{"response_code":0,"result":[{"message_id":"again"}]}' });
  await promisify(execFile)(path.join(ROOT, 'scripts', 'stack.sh'), ['start'], { env });
  const run = await waitUntil(async () => {
    const r = await runOf(t, c.id);
    return r && r.result === 'unknown' ? r : null;
  }, 'the run to be unknown', 30000);
  assert.match(run.error, /worker stopped while sending/);
  await sleep(2500);
  assert.equal(gw.got.length, 1, 'exactly one request reached the gateway');
  const [[state]] = await messagesOf(t);
  assert.equal(state, 'unknown');
});

test('the same call event delivered twice: one SMS', async () => {
  gw.reset();
  gw.answer = () => ({ status: 200, body: '{"response_code":0,"result":[{"message_id":"once"}]}' });
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: 'turbo-twice' });
  const t = await smsTrigger(id, 'x');
  const phone = freshPhone();
  const now = Math.floor(Date.now() / 1000);
  const ev = { event: 'call.end', call_id: uid('twice'), direction: 'in', from: phone, start: now - 40, end: now, did: '380441234567', status: 'no-answer' };
  assert.equal((await postGeneric(ev)).status, 200);
  assert.equal((await postGeneric(ev)).status, 200);
  await waitUntil(async () => (await messagesOf(t)).length === 1 && (await messagesOf(t))[0][0] === 'sent', 'the SMS to be sent', 20000);
  // A rerun of the call's trigger job (what a worker restart does) makes none either.
  await sql("UPDATE jobs SET state = 'queued', run_at = UTC_TIMESTAMP(3) WHERE dedupe_key LIKE 'call.ended:%' AND call_id = (SELECT call_id FROM sms_messages WHERE trigger_id = ?)", [t.id]);
  await sleep(2500);
  assert.equal(gw.got.length, 1);
  assert.equal((await messagesOf(t)).length, 1);
});

test('a withheld number is skipped with the reason; no request', async () => {
  gw.reset();
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: 'turbo-w' });
  const t = await smsTrigger(id, 'x');
  const now = Math.floor(Date.now() / 1000);
  const ev = { event: 'call.end', call_id: uid('anon'), direction: 'in', from: 'anonymous', start: now - 40, end: now, did: '380441234567', status: 'no-answer' };
  assert.equal((await postGeneric(ev)).status, 200);
  await waitUntil(async () => {
    const [row] = await sql('SELECT result, error FROM trigger_runs WHERE trigger_id = ?', [t.id]);
    return row && row[0] === 'skipped' && /withheld/.test(row[1]);
  }, 'the run to be skipped', 20000);
  assert.equal(gw.got.length, 0);
});

test('settings page: CSRF required, required fields named next to the field, secrets stored sealed and shown only masked', async () => {
  const noCsrf = await admin.post('/settings/sms/new', { form: { kind: 'turbosms', name: 'x', s_sender: 'S', k_token: 't' } });
  assert.equal(noCsrf.status, 403);
  let csrf = await csrfOf('/settings/sms/new?kind=turbosms');
  const bad = await admin.post('/settings/sms/new', { form: { csrf, kind: 'turbosms', name: '', s_sender: '', k_token: '', s_api_base: 'ftp://x' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /Enter the Sender name\./);
  assert.match(bad.text_, /Enter the API token\./);
  assert.match(bad.text_, /Give an https:\/\/ address/);
  const unknown = await admin.get('/settings/sms/new?kind=nope');
  assert.equal(unknown.status, 400);

  const token = 'very-secret-token-ABCDEFGH';
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: token });
  const [[sealed, settings]] = await sql('SELECT secrets, settings FROM sms_gateways WHERE id = ?', [id]);
  assert.match(sealed, /^v1:/);
  assert.ok(!sealed.includes(token) && !settings.includes(token));
  const page = await admin.get(`/settings/sms/${id}`);
  assert.ok(!page.text_.includes(token), 'the token is not shown back');
  assert.match(page.text_, /•••• EFGH/);
  // Saving with the secret left empty keeps it.
  csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const res = await admin.post(`/settings/sms/${id}`, { form: { csrf, kind: 'turbosms', name: 'Renamed', s_sender: 'Shop2', k_token: '' } });
  assert.equal(res.status, 303);
  const again = await admin.get(`/settings/sms/${id}`);
  assert.match(again.text_, /•••• EFGH/);
  assert.match(again.text_, /value="Shop2"/);
  const list = await admin.get('/settings/sms');
  assert.match(list.text_, /Renamed/);
  const manager = new Client();
  await manager.login('manager', 'manager');
  assert.equal((await manager.get('/settings/sms')).status, 403);
});

test('trigger form: "Send an SMS" saves the gateway and text, shows the length, and refuses a missing gateway next to the row', async () => {
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: 'turbo-form' });
  let csrf = await csrfOf('/settings/triggers/new');
  const name = uid('smsform');
  const bad = await admin.post('/settings/triggers/new', { form: { csrf, name, event: 'missed_call', a_type: 'sms', a_gateway: '', a_text: 'hi' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text_, /Choose the SMS gateway/);
  csrf = await csrfOf('/settings/triggers/new');
  const badZone = await admin.post('/settings/triggers/new', { form: { csrf, name, event: 'missed_call', a_type: 'sms', a_gateway: String(id), a_text: 'hi', a_sms_zone: 'Mars/Base' } });
  assert.equal(badZone.status, 400);
  assert.match(badZone.text_, /Unknown time zone for \{time\}/);
  csrf = await csrfOf('/settings/triggers/new');
  const ok = await admin.post('/settings/triggers/new', { form: { csrf, name, event: 'missed_call', enabled: '1', a_type: 'sms', a_gateway: String(id), a_text: 'Привіт {name}', a_sms_zone: 'Europe/Kyiv' } });
  assert.equal(ok.status, 303, ok.text_.slice(0, 300));
  const tid = Number(ok.headers.get('location').match(/triggers\/(\d+)/)[1]);
  made.push(tid);
  await sql('UPDATE triggers SET enabled = 0 WHERE id = ?', [tid]);
  const [[actions]] = await sql('SELECT actions FROM triggers WHERE id = ?', [tid]);
  assert.deepEqual(JSON.parse(actions), [{ type: 'sms', gateway_id: id, text: 'Привіт {name}', time_zone: 'Europe/Kyiv' }]);
  const page = await admin.get(`/settings/triggers/${tid}`);
  assert.match(page.text_, /<textarea[^>]*name="a_text"[^>]*>Привіт \{name\}<\/textarea>/);
  assert.match(page.text_, /name="a_sms_zone"[^>]*value="Europe\/Kyiv"|value="Europe\/Kyiv"[^>]*name="a_sms_zone"/);
  assert.match(page.text_, new RegExp(`<option[^>]*value="${id}"[^>]*selected|<option[^>]*selected[^>]*value="${id}"`));
  assert.match(page.text_, /13 characters, 1 SMS \(Unicode: 70 per SMS, 67 per part\) before the placeholders are filled in/);
});

test('the demo has "SMS auto-reply to a missed call", disabled, with an sms action', async () => {
  const [[enabled, actions]] = await sql("SELECT enabled, actions FROM triggers WHERE name = 'SMS auto-reply to a missed call'");
  assert.equal(Number(enabled), 0);
  assert.equal(JSON.parse(actions)[0].type, 'sms');
});

test('the address guard: an account without "Private addresses allowed" cannot reach loopback; failed at once, nothing sent', async () => {
  gw.reset();
  const id = await addGateway('turbosms', { s_sender: 'Shop', k_token: 'turbo-guard' });
  await sql("UPDATE sms_gateways SET settings = JSON_REMOVE(settings, '$.allow_private_hosts') WHERE id = ?", [id]);
  const t = await smsTrigger(id, 'x', { retries: 3, retry_after_seconds: 1 });
  const { run } = await fire(t, ['failed']);
  assert.match(run.error, /blocked: 127\.0\.0\.1 is not a public address \(loopback\)/);
  assert.equal(gw.got.length, 0);
});

test('no secret of any gateway account reaches the logs', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = path.join(process.env.CB_STATE_DIR, 'log');
  for (const f of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, f), 'latin1');
    for (const s of ['tw-token-', 'turbo-token-1', 'SMSRU-KEY', 'oauth-token-1', 'smsc-pass', 'zsecret-0123456789', 'very-secret-token']) {
      assert.ok(!text.includes(s), `${f} holds ${s}`);
    }
  }
});
