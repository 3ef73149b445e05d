// Issue 6 §3, the actions that call out, end to end: a provider event in →
// the worker queues a webhook.send / email.send job → a real HTTP receiver
// on loopback (checking the HMAC signature) / a real SMTP server on
// loopback (tests/lib/smtp_sink.js). Retries with backoff when the target
// is down, failure with the error visible when the budget is spent, and a
// dead target never blocks the provider's callback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHmac } from 'node:crypto';
import {
  sendCall, jobDone, apiList, quietAutomation, restoreAutomation, insertTrigger, makeCustomer, freshPhone, sql, uid, waitUntil,
} from '../lib/automation.js';
import { startSmtpSink } from '../lib/smtp_sink.js';

let saved;
const made = [];
let sink;

before(async () => {
  saved = await quietAutomation();
  sink = await startSmtpSink();
});

after(async () => {
  await restoreAutomation(saved, made);
  await sink.close();
});

const trigger = (event, conditions, actions) => insertTrigger(made, event, conditions, actions);

async function disable(t) { await sql('UPDATE triggers SET enabled = 0 WHERE id = ?', [t.id]); }

// A webhook receiver on a free loopback port; status() decides each answer.
async function receiver(status = () => 200) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      got.push({ headers: req.headers, body, method: req.method, url: req.url });
      res.writeHead(status(got.length));
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

function verify(secret, headers, body) {
  const ts = headers['x-callboard-timestamp'];
  const want = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return headers['x-callboard-signature'] === want;
}

async function runOf(t, callId, index = 0) {
  const runs = await apiList('trigger-runs', { call_id: callId, trigger_id: t.id });
  return runs.find((r) => r.action_index === index);
}

test('webhook: POST JSON with a valid HMAC-SHA256 signature and the call in the body; the run is ok', async () => {
  const rx = await receiver();
  const secret = 'whsec-' + uid('s');
  const t = await trigger('missed_call', {}, [{ type: 'webhook', url: `http://127.0.0.1:${rx.port}/hook?x=1`, secret }]);
  try {
    const phone = freshPhone();
    const cust = await makeCustomer(phone);
    const c = await sendCall(phone, { kind: 'missed' });
    await jobDone(c.id);
    await waitUntil(async () => (await runOf(t, c.id))?.result === 'ok', 'the webhook run to be ok');
    assert.equal(rx.got.length, 1);
    const req = rx.got[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/hook?x=1');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.ok(verify(secret, req.headers, req.body), 'the signature verifies');
    assert.ok(Math.abs(Number(req.headers['x-callboard-timestamp']) - Date.now() / 1000) < 60);
    const b = JSON.parse(req.body);
    assert.equal(b.event, 'missed_call');
    assert.deepEqual(b.trigger, { id: t.id, name: t.name });
    assert.equal(b.call.id, c.id);
    assert.equal(b.call.direction, 'in');
    assert.equal(b.call.result, 'missed');
    assert.equal(b.call.client_number, phone);
    assert.deepEqual(b.call.customer, { id: cust.id, name: cust.name });
    assert.match(b.call.url, new RegExp(`/calls/${c.id}$`));
    assert.match(b.call.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // A wrong secret would not verify: the check above can fail.
    assert.ok(!verify('other-secret', req.headers, req.body));
  } finally { await disable(t); await rx.close(); }
});

test('webhook target down (refused), then up: the job retries with backoff and succeeds', async () => {
  // Take a free port, close it: connections are refused until we listen again.
  const probe = await receiver();
  const port = probe.port;
  await probe.close();
  const secret = 's-' + uid('x');
  const t = await trigger('missed_call', {}, [{ type: 'webhook', url: `http://127.0.0.1:${port}/in`, secret,
    retries: 4, retry_after_seconds: 1 }]);
  let rx;
  try {
    const t0 = Date.now();
    const c = await sendCall(freshPhone(), { kind: 'missed' });
    assert.ok(Date.now() - t0 < 5000, 'the provider callback did not wait for the webhook');
    await jobDone(c.id);
    const run = await waitUntil(async () => {
      const r = await runOf(t, c.id);
      return r && r.error ? r : null;
    }, 'the first failed attempt');
    assert.equal(run.result, 'queued', 'still retrying');
    assert.match(run.error, /127\.0\.0\.1/);
    // Up again, on the same port.
    rx = await new Promise((resolve) => {
      const got = [];
      const server = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (x) => chunks.push(x));
        req.on('end', () => { got.push({ headers: req.headers, body: Buffer.concat(chunks).toString() }); res.end('ok'); });
      });
      server.listen(port, '127.0.0.1', () => resolve({ got, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) }));
    });
    const ok = await waitUntil(async () => {
      const r = await runOf(t, c.id);
      return r && r.result === 'ok' ? r : null;
    }, 'the retry to succeed');
    assert.equal(ok.error, null);
    assert.ok(ok.attempts >= 2, `attempts ${ok.attempts}`);
    assert.equal(rx.got.length, 1);
    assert.ok(verify(secret, rx.got[0].headers, rx.got[0].body));
    const [[state, err]] = await sql('SELECT state, last_error FROM jobs WHERE id = ?', [ok.job_id]);
    assert.equal(state, 'done');
    assert.equal(err, null);
  } finally { await disable(t); if (rx) await rx.close(); }
});

test('webhook that always fails: failed after max attempts, the error in trigger_runs and jobs.last_error', async () => {
  const rx = await receiver(() => 500);
  const t = await trigger('missed_call', {}, [{ type: 'webhook', url: `http://127.0.0.1:${rx.port}/x`, secret: 'k',
    retries: 2, retry_after_seconds: 1 }]);
  try {
    const c = await sendCall(freshPhone(), { kind: 'missed' });
    await jobDone(c.id);
    const run = await waitUntil(async () => {
      const r = await runOf(t, c.id);
      return r && r.result === 'failed' ? r : null;
    }, 'the webhook to fail for good', 30000);
    assert.match(run.error, /answered HTTP 500/);
    assert.equal(run.attempts, 3, 'the first attempt and 2 retries');
    assert.equal(rx.got.length, 3);
    const [[state, attempts, maxAttempts, lastError]] = await sql(
      'SELECT state, attempts, max_attempts, last_error FROM jobs WHERE id = ?', [run.job_id]);
    assert.equal(state, 'failed');
    assert.equal(attempts, '3');
    assert.equal(maxAttempts, '3');
    assert.match(lastError, /answered HTTP 500/);
    assert.ok(run.finished_at);
  } finally { await disable(t); await rx.close(); }
});

test('webhook with a bad URL fails at once, visibly', async () => {
  const t = await trigger('missed_call', {}, [{ type: 'webhook', url: 'ftp://example.com/x' }]);
  try {
    const c = await sendCall(freshPhone(), { kind: 'missed' });
    await jobDone(c.id);
    const r = await runOf(t, c.id);
    assert.equal(r.result, 'failed');
    assert.match(r.error, /http\(s\) URL/);
    assert.equal(r.job_id, null);
  } finally { await disable(t); }
});

test('e-mail: sent over SMTP to the sink with subject, recipient and a link to the call', async () => {
  const to = `${uid('m')}@crm.example`;
  const t = await trigger('missed_call', {}, [{ type: 'email', to, subject: 'Missed: call them back — ☎' }]);
  try {
    const phone = freshPhone();
    const c = await sendCall(phone, { kind: 'missed' });
    await jobDone(c.id);
    const m = await sink.waitFor((x) => x.to.includes(to));
    assert.deepEqual(m.to, [to]);
    assert.equal(m.from, 'callboard@localhost');
    assert.equal(m.headers.subject, 'Missed: call them back — ☎');
    assert.equal(m.headers.to, `<${to}>`);
    assert.match(m.headers['content-type'], /text\/plain; charset=UTF-8/);
    assert.match(m.body, new RegExp(`Missed call from \\${phone}`));
    assert.match(m.body, new RegExp(`/calls/${c.id}\\r\\n`));
    await waitUntil(async () => (await runOf(t, c.id))?.result === 'ok', 'the e-mail run to be ok');
  } finally { await disable(t); }
});

test('e-mail: a default subject; a refused recipient fails after the budget with the server\'s answer', async () => {
  const bad = `${uid('nobody')}@crm.example`;
  await sink.close();
  sink = await startSmtpSink({ rejectRcpt: (a) => a === bad });
  const to = `${uid('ok')}@crm.example`;
  const t = await trigger('missed_call', {}, [
    { type: 'email', to },
    { type: 'email', to: bad, retries: 1, retry_after_seconds: 1 },
    { type: 'email', to: 'not an address' },
  ]);
  try {
    const c = await sendCall(freshPhone(), { kind: 'missed' });
    await jobDone(c.id);
    const m = await sink.waitFor((x) => x.to.includes(to));
    assert.equal(m.headers.subject, `${t.name}: Missed call from ${m.body.match(/from (\+\d+)/)[1]}`);
    const failed = await waitUntil(async () => {
      const r = await runOf(t, c.id, 1);
      return r && r.result === 'failed' ? r : null;
    }, 'the refused e-mail to fail', 30000);
    assert.match(failed.error, /SMTP 550/);
    assert.equal(failed.attempts, 2);
    const invalid = await runOf(t, c.id, 2);
    assert.equal(invalid.result, 'failed');
    assert.match(invalid.error, /one e-mail address/);
  } finally { await disable(t); }
});

// Issue 18: an e-mail speaks its recipient's language — the one the user with that address chose
// on the profile; nobody's address (or no choice) is English, the installation's default.
test('e-mail: in the language of the user with the address; English for anyone else', async () => {
  const { Client } = await import('../lib/http.js');
  const { createUser } = await import('../lib/settings.js');
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const person = async (language) => {
    const login = uid('mail');
    const id = await createUser(admin, { name: 'Mail ' + login, login, role_id: roleId, password: 'long enough pw' });
    const email = `${login}@crm.example`;
    await sql('UPDATE users SET email = ?, language = ? WHERE id = ?', [email, language, id]);
    return email;
  };
  const uk = await person('uk');
  const pl = await person('pl');
  const chose = await person(null);
  const stranger = `${uid('x')}@crm.example`;
  // A long name: the Ukrainian subject needs several encoded words.
  const t = await trigger('missed_call', {}, [uk, pl, chose, stranger].map((to) => ({ type: 'email', to })));
  await sql('UPDATE triggers SET name = ? WHERE id = ?', ['Нічні дзвінки відділу продажів', t.id]);
  try {
    const phone = freshPhone();
    const c = await sendCall(phone, { kind: 'missed' });
    await jobDone(c.id);
    const mail = async (to) => sink.waitFor((x) => x.to.includes(to));
    const [mUk, mPl, mChose, mStranger] = await Promise.all([uk, pl, chose, stranger].map(mail));
    assert.equal(mUk.headers.subject, `Нічні дзвінки відділу продажів: Пропущений дзвінок від ${phone}`);
    assert.match(mUk.body, new RegExp(`^Пропущений дзвінок від \\${phone}\\.\\r\\n`));
    assert.match(mUk.body, /\r\nНапрямок: Вхідний\r\n/);
    assert.match(mUk.body, /\r\nРезультат: Пропущений\r\n/);
    assert.match(mUk.body, /\r\nПочаток: \d\d\.\d\d\.\d{4} \d\d:\d\d/);
    assert.match(mUk.headers['content-type'], /charset=UTF-8/);
    // RFC 2047: every encoded word at most 75 characters, header lines folded under 78.
    const head = mUk.data.slice(0, mUk.data.indexOf('\r\n\r\n'));
    const words = head.match(/=\?UTF-8\?B\?[^?]*\?=/g);
    assert.ok(words.length > 1, 'a long subject is several encoded words');
    for (const w of words) assert.ok(w.length <= 75, w);
    for (const line of head.split('\r\n')) assert.ok(line.length <= 78, line);
    assert.match(mPl.headers.subject, new RegExp(`: Nieodebrane połączenie od \\${phone}$`));
    assert.match(mPl.body, /\r\nKierunek: Przychodzące\r\n/);
    for (const m of [mChose, mStranger]) {
      assert.match(m.headers.subject, new RegExp(`: Missed call from \\${phone}$`));
      assert.match(m.body, /\r\nDirection: Incoming\r\nResult: Missed\r\n/);
    }
  } finally { await disable(t); }
});

// Issue 18: what happened is one whole sentence per case, so a translation can decline the noun
// after its preposition: a call *to* an unknown number is "на невідомий номер" (accusative) in
// Ukrainian, where one *from* it is "від невідомого номера" (genitive).
test('e-mail: a call to an unknown number in Ukrainian and Russian', async () => {
  const { Client } = await import('../lib/http.js');
  const { createUser } = await import('../lib/settings.js');
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  const person = async (language) => {
    const login = uid('mail');
    const id = await createUser(admin, { name: 'Mail ' + login, login, role_id: roleId, password: 'long enough pw' });
    const email = `${login}@crm.example`;
    await sql('UPDATE users SET email = ?, language = ? WHERE id = ?', [email, language, id]);
    return email;
  };
  const uk = await person('uk');
  const ru = await person('ru');
  const stranger = `${uid('x')}@crm.example`;
  const t = await trigger('new_call', { direction: 'out' }, [uk, ru, stranger].map((to) => ({ type: 'email', to })));
  try {
    // The number withheld: nothing to name the other side by.
    await sendCall('anonymous', { direction: 'out', kind: 'answered' });
    const mail = async (to) => sink.waitFor((x) => x.to.includes(to));
    const [mUk, mRu, mEn] = await Promise.all([uk, ru, stranger].map(mail));
    assert.equal(mUk.headers.subject, `${t.name}: Новий дзвінок на невідомий номер`);
    assert.match(mUk.body, /^Новий дзвінок на невідомий номер\.\r\n/);
    assert.equal(mRu.headers.subject, `${t.name}: Новый звонок на неизвестный номер`);
    assert.equal(mEn.headers.subject, `${t.name}: New call to an unknown number`);
  } finally { await disable(t); }
});
