// Trigger webhooks and non-public addresses (SSRF): with
// webhook_allow_private = no (the production default) the worker refuses to
// connect to loopback, private and link-local addresses, also when a name
// resolves to one, and the trigger's run fails at once with an error that
// says why and which setting decides; nothing reaches the receiver. With
// yes (what scripts/stack.sh writes for the local stack) the same webhook
// is delivered. The "no" half runs the worker with a copy of the stack's
// callboard.conf: the stack's own worker is stopped for it and started
// again afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, execFile } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  sendCall, jobDone, apiList, quietAutomation, restoreAutomation, insertTrigger, freshPhone, sql, waitUntil, sleep,
} from '../lib/automation.js';

const STATE = process.env.CB_STATE_DIR;
const BUILD = process.env.CB_BUILD_DIR;
const ROOT = process.env.CB_ROOT;
let saved;
const made = [];

before(async () => { saved = await quietAutomation(); });
after(async () => { await restoreAutomation(saved, made); });

const trigger = (actions) => insertTrigger(made, 'missed_call', {}, actions, 'ssrf');

async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => { got.push(req.url); req.resume(); req.on('end', () => res.end('ok')); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { got, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function stopPid(pid) {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  assert.ok(!alive(pid), `worker ${pid} stopped`);
}

// Runs fn with a worker whose callboard.conf says webhook_allow_private = no
// instead of the stack's worker, which is back when this returns.
async function withStrictWorker(fn) {
  const conf = path.join(STATE, 'callboard.conf');
  const strict = path.join(STATE, 'callboard-strict.conf');
  const text = readFileSync(conf, 'utf8');
  assert.match(text, /^webhook_allow_private = yes$/m, 'the stack allows private webhooks');
  writeFileSync(strict, text.replace(/^webhook_allow_private = yes$/m, 'webhook_allow_private = no'), { mode: 0o600 });
  const stackPid = Number(readFileSync(path.join(STATE, 'run', 'worker.pid'), 'utf8'));
  await stopPid(stackPid);
  const log = openSync(path.join(STATE, 'log', 'worker-strict.log'), 'a');
  const w = spawn(path.join(BUILD, 'tools', 'callboard-worker'), ['--config', strict],
    { stdio: ['ignore', log, log], env: { ...process.env, CALLBOARD_CONFIG: strict } });
  closeSync(log);
  try {
    await sleep(300);
    assert.ok(alive(w.pid), 'the strict worker runs');
    await fn();
  } finally {
    await stopPid(w.pid);
    unlinkSync(strict);
    await promisify(execFile)(path.join(ROOT, 'scripts', 'stack.sh'), ['start'], { env: process.env });
  }
}

async function runsOf(t, callId) {
  return (await apiList('trigger-runs', { call_id: callId, trigger_id: t.id })).sort((a, b) => a.action_index - b.action_index);
}

test('webhook_allow_private = no: webhooks to 127.0.0.1, localhost and 169.254.169.254 fail at once with "blocked", nothing is sent', async () => {
  const rx = await receiver();
  const t = await trigger([
    { type: 'webhook', url: `http://127.0.0.1:${rx.port}/a`, secret: 's', retries: 5, retry_after_seconds: 1 },
    { type: 'webhook', url: `http://localhost:${rx.port}/b`, secret: 's' },
    { type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/', secret: 's' },
  ]);
  try {
    await withStrictWorker(async () => {
      const c = await sendCall(freshPhone(), { kind: 'missed' });
      await jobDone(c.id);
      const runs = await waitUntil(async () => {
        const r = await runsOf(t, c.id);
        return r.length === 3 && r.every((x) => x.result === 'failed') ? r : null;
      }, 'the three webhook runs to fail');
      assert.match(runs[0].error, new RegExp(`^http://127\\.0\\.0\\.1:${rx.port}: blocked: 127\\.0\\.0\\.1 is not a public address \\(loopback\\); webhooks to private, loopback and link-local addresses are off \\(webhook_allow_private in callboard\\.conf\\)$`));
      assert.match(runs[1].error, /^http:\/\/localhost:\d+: blocked: (127\.0\.0\.1|::1) is not a public address \(loopback\)/);
      assert.match(runs[2].error, /blocked: 169\.254\.169\.254 is not a public address \(link-local \(cloud metadata\)\)/);
      // Failed for good at the first attempt, although retries were allowed.
      const [[attempts, state]] = await sql(
        "SELECT attempts, state FROM jobs WHERE kind = 'webhook.send' AND JSON_VALUE(payload, '$.run_id') = ?", [runs[0].id]);
      assert.deepEqual([Number(attempts), state], [1, 'failed']);
    });
    assert.deepEqual(rx.got, [], 'the receiver got nothing');
  } finally {
    await sql('UPDATE triggers SET enabled = 0 WHERE id = ?', [t.id]);
    await rx.close();
  }
});

test('webhook_allow_private = yes (the local stack): the same webhook to 127.0.0.1 is delivered', async () => {
  const rx = await receiver();
  const t = await trigger([{ type: 'webhook', url: `http://127.0.0.1:${rx.port}/a`, secret: 's' }]);
  try {
    const c = await sendCall(freshPhone(), { kind: 'missed' });
    await jobDone(c.id);
    const [run] = await waitUntil(async () => {
      const r = await runsOf(t, c.id);
      return r.length === 1 && r[0].result === 'ok' ? r : null;
    }, 'the webhook run to be ok');
    assert.equal(run.error, null);
    assert.deepEqual(rx.got, ['/a']);
  } finally {
    await sql('UPDATE triggers SET enabled = 0 WHERE id = ?', [t.id]);
    await rx.close();
  }
});
