// Live popups on more than one machine (issue 23 §3): two "hosts", each its own nginx + nchan
// + FastCGI programs + worker (scripts/stack.sh with CB_DB_FROM: the main stack's database),
// both with callboard-live-redis.conf pointing at one Redis (scripts/redis.sh). A manager whose
// browser is connected to host A gets the popup of a call whose provider event arrived at host B,
// and the other way round. Without the Redis include each nginx keeps its channels in its own
// memory and these tests fail (the message never arrives).
//
// Ports, from CB_HTTP_PORT: host A +296, host B +297, Redis +299.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { sign, uid, sleep } from '../lib/generic.js';
import { subscribe } from '../lib/live.js';

const ROOT = process.env.CB_ROOT || process.cwd();
const HTTP = Number(process.env.CB_HTTP_PORT || 18080);
const MAIN_STATE = process.env.CB_STATE_DIR;
const DIR = join(dirname(MAIN_STATE || '/tmp/x'), 'live-redis');
const REDIS_PORT = HTTP + 299;
const hosts = {
  a: { port: HTTP + 296, state: join(DIR, 'a') },
  b: { port: HTTP + 297, state: join(DIR, 'b') },
};
const url = (h) => `http://127.0.0.1:${hosts[h].port}`;

const haveRedis = (() => {
  try { execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }); return true; } catch { return false; }
})();
const nchan = process.env.CB_NCHAN !== '0' && existsSync('/usr/lib/nginx/modules/ngx_nchan_module.so');
const skip = !nchan ? 'nchan is not installed (or CB_NCHAN=0)'
  : !haveRedis ? 'redis-server is not installed (scripts/install-deps.sh --test)'
  : !MAIN_STATE ? 'CB_STATE_DIR is not set (run through ./run test)' : false;

function stack(h, cmd) {
  return execFileSync(join(ROOT, 'scripts/stack.sh'), [cmd], {
    env: {
      ...process.env,
      CB_STATE_DIR: hosts[h].state,
      CB_HTTP_PORT: String(hosts[h].port),
      CB_DB_FROM: MAIN_STATE,
      CB_NCHAN_REDIS: `redis://127.0.0.1:${REDIS_PORT}`,
      CB_FCGI_CHILDREN: '1',
      CB_HOOK_CHILDREN: '1',
      // the main stack's e-mail sink and transcription stand-in: this host's worker may run
      // a job the other tests queued
      CB_SMTP_PORT: String(process.env.CB_SMTP_PORT || HTTP + 25),
      CB_TRANSCRIBE_URL: `http://127.0.0.1:${HTTP + 33}`,
    },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const freshNumber = () => `+38067${String(randomBytes(4).readUInt32BE() % 10000000).padStart(7, '0')}`;

async function eventAt(h, ev) {
  const body = JSON.stringify(ev);
  const res = await fetch(`${url(h)}/hook/generic`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...sign(body) }, body,
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
}

let manager, managerId;
const subs = [];

before(async () => {
  if (skip) return;
  execFileSync(join(ROOT, 'scripts/redis.sh'), ['start', String(REDIS_PORT), join(DIR, 'redis')], { stdio: 'ignore' });
  stack('a', 'start');
  stack('b', 'start');
  [[managerId]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  managerId = Number(managerId);
  // One login (on the main stack): the session lives in the shared database, so every host
  // honours its cookie, as behind a load balancer.
  manager = new Client();
  await manager.login('manager', 'manager');
});

after(() => {
  subs.forEach((s) => s.close());
  if (skip) return;
  for (const h of ['b', 'a']) {
    try { stack(h, 'stop'); } catch (e) { console.error(`stack ${h} stop: ${e.stderr || e}`); }
  }
  execFileSync(join(ROOT, 'scripts/redis.sh'), ['stop', join(DIR, 'redis')], { stdio: 'ignore' });
});

for (const [sub, pub] of [['a', 'b'], ['b', 'a']]) {
  test(`a manager connected to host ${sub.toUpperCase()} gets the popup of a call that arrived at host ${pub.toUpperCase()}`,
    { skip }, async () => {
      const s = await subscribe(manager, managerId, url(sub));
      subs.push(s);
      assert.equal(s.status, 200, 'the subscription was refused');
      await sleep(200);   // nchan registers the subscriber in Redis
      const callId = uid('redis');
      const number = freshNumber();
      const t0 = performance.now();
      await eventAt(pub, { event: 'call.start', call_id: callId, direction: 'in', from: number, ext: '101' });
      const m = await s.next((d) => d.number === number, 3000);
      assert.ok(m, `no popup on host ${sub} within 3 s`);
      const [[dbId]] = await sql('SELECT id FROM calls WHERE external_id = ?', [callId]);
      assert.equal(m.data.call_id, Number(dbId));
      assert.equal(m.data.state, 'ringing');
      console.log(`popup ${pub} -> ${sub} through Redis: ${(m.at - t0).toFixed(0)} ms after the event was sent`);
    });
}

test('the channels live in Redis, under the "callboard:" namespace', { skip }, () => {
  const keys = execFileSync('redis-cli', ['-p', String(REDIS_PORT), '--scan', '--pattern', '*'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
  assert.ok(keys.length > 0, 'Redis holds no keys: nchan did not use it');
  const foreign = keys.filter((k) => !k.startsWith('callboard:'));
  assert.deepEqual(foreign, [], 'keys outside the namespace');
  assert.ok(keys.some((k) => k.includes(`manager/${managerId}`)), `no key for manager/${managerId}: ${keys.join(' ')}`);
});
