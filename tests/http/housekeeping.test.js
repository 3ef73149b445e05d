// Retention (docs/schema.md "Retention"; lib/db/housekeeping.c): the tables
// that would otherwise grow forever lose their old rows, and only those.
// `callboard housekeeping` runs the routine once; the worker runs the same
// routine at start and every housekeeping_seconds (0: never), which the
// worker test checks with `callboard-worker --once` and a config of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from '../lib/db.js';
import { DID, sign, notify, deliver, calls, newId, unknownCaller, zdTime } from '../lib/zadarma.js';

const build = process.env.CB_BUILD_DIR;
const conf = path.join(process.env.CB_STATE_DIR, 'callboard.conf');

function housekeeping() {
  return execFileSync(path.join(build, 'tools/callboard'), ['--config', conf, 'housekeeping'],
    { encoding: 'utf8' });
}

// The worker once (housekeeping at start, then the queue until empty),
// with the stack's config plus `extra` lines.
function workerOnce(extra) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-hk-'));
  const f = path.join(dir, 'callboard.conf');
  fs.writeFileSync(f, `${fs.readFileSync(conf, 'utf8')}\n${extra}\n`);
  try {
    execFileSync(path.join(build, 'tools/callboard-worker'), ['--config', f, '--once'],
      { stdio: 'ignore', timeout: 60000 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// One old and one recent row of each table, told apart by a random tag.
async function plant() {
  const tag = randomBytes(6).toString('hex');
  const addr = (n) => `198.51.${n}.${parseInt(tag.slice(0, 2), 16)}-${tag}`.slice(0, 45);
  const [[uid]] = await sql("SELECT id FROM users WHERE login = 'admin'");
  const token = () => randomBytes(32);
  const s = { old: token(), live: token() };
  await sql(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
    VALUES (?, ?, ?, UTC_TIMESTAMP(3) - INTERVAL 2 DAY, UTC_TIMESTAMP(3) - INTERVAL 1 DAY),
           (?, ?, ?, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL 1 DAY)`,
  [s.old, uid, 'x'.repeat(43), s.live, uid, 'y'.repeat(43)]);
  const la = { old: addr(1), recent: addr(2), blocked: addr(3) };
  await sql(`INSERT INTO login_attempts (scope, addr, login, failures, last_at, blocked_until) VALUES
    ('addr', ?, '', 9, UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, UTC_TIMESTAMP(3) - INTERVAL 2 HOUR),
    ('addr', ?, '', 9, UTC_TIMESTAMP(3) - INTERVAL 10 MINUTE, UTC_TIMESTAMP(3) - INTERVAL 9 MINUTE),
    ('addr', ?, '', 9, UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, UTC_TIMESTAMP(3) + INTERVAL 1 HOUR)`,
  [la.old, la.recent, la.blocked]);
  const [[iid]] = await sql("SELECT id FROM integrations WHERE slug = 'zadarma'");
  const sig = { old: randomBytes(32).toString('hex'), kept: randomBytes(32).toString('hex') };
  await sql(`INSERT INTO call_signatures (integration_id, sig_key, external_id, created_at) VALUES
    (?, ?, ?, UTC_TIMESTAMP(3) - INTERVAL 8 DAY), (?, ?, ?, UTC_TIMESTAMP(3) - INTERVAL 6 DAY)`,
  [iid, sig.old, `in_old_${tag}`, iid, sig.kept, `in_kept_${tag}`]);
  return { s, la, sig };
}

async function present(p) {
  const n = async (q, v) => Number((await sql(q, v))[0][0]);
  return {
    sessionOld: await n('SELECT COUNT(*) FROM sessions WHERE token_hash = ?', [p.s.old]),
    sessionLive: await n('SELECT COUNT(*) FROM sessions WHERE token_hash = ?', [p.s.live]),
    loginOld: await n('SELECT COUNT(*) FROM login_attempts WHERE addr = ?', [p.la.old]),
    loginRecent: await n('SELECT COUNT(*) FROM login_attempts WHERE addr = ?', [p.la.recent]),
    loginBlocked: await n('SELECT COUNT(*) FROM login_attempts WHERE addr = ?', [p.la.blocked]),
    sigOld: await n('SELECT COUNT(*) FROM call_signatures WHERE sig_key = ?', [p.sig.old]),
    sigKept: await n('SELECT COUNT(*) FROM call_signatures WHERE sig_key = ?', [p.sig.kept]),
  };
}

const ALL = { sessionOld: 1, sessionLive: 1, loginOld: 1, loginRecent: 1, loginBlocked: 1, sigOld: 1, sigKept: 1 };
const CLEANED = { ...ALL, sessionOld: 0, loginOld: 0, sigOld: 0 };

test('callboard housekeeping deletes old sessions, login counts and signatures, and only those', async () => {
  const p = await plant();
  assert.deepEqual(await present(p), ALL);
  const out = housekeeping();
  assert.match(out, /deleted \d+ expired session\(s\), \d+ login count\(s\), \d+ Zadarma signature\(s\)/);
  assert.deepEqual(await present(p), CLEANED);
  // Nothing left to do: a second run deletes none of the planted rows.
  housekeeping();
  assert.deepEqual(await present(p), CLEANED);
});

test('the worker runs the same housekeeping, unless housekeeping_seconds is 0', async () => {
  const p = await plant();
  workerOnce('housekeeping_seconds = 0');
  assert.deepEqual(await present(p), ALL, 'housekeeping_seconds = 0 keeps everything');
  workerOnce('housekeeping_seconds = 300');
  assert.deepEqual(await present(p), CLEANED);
});

test('a Zadarma signature replayed for another call within the window is still refused after housekeeping', async () => {
  const id = newId();
  const base = { call_start: zdTime(new Date(Date.now() - 60000)), pbx_call_id: id, caller_id: unknownCaller() };
  const start = { event: 'NOTIFY_START', ...base, called_did: DID };
  await deliver([start]);
  // Its binding is six days old: inside the seven days kept.
  await sql(`UPDATE call_signatures SET created_at = UTC_TIMESTAMP(3) - INTERVAL 6 DAY
    WHERE external_id = ?`, [id]);
  assert.equal(Number((await sql('SELECT COUNT(*) FROM call_signatures WHERE external_id = ?', [id]))[0][0]), 1);
  housekeeping();
  assert.equal(Number((await sql('SELECT COUNT(*) FROM call_signatures WHERE external_id = ?', [id]))[0][0]), 1);
  const other = newId();
  const r = await notify({ ...start, pbx_call_id: other }, { signature: sign(start) });
  assert.equal(r.status, 403);
  assert.equal((await calls(other)).length, 0);
});

// After the window the binding is gone, so an old signature could name a
// new call again: lib/providers/zadarma.c refuses a signed call_start more
// than 6 days old (the binding is kept 7: the day between covers a wrong
// time zone and a long call).
test('a Zadarma request whose signed call_start is older than 6 days is refused as a replay', async () => {
  const at = (days) => zdTime(new Date(Date.now() - days * 86400000));
  const old = { event: 'NOTIFY_START', call_start: at(6.1), pbx_call_id: newId(), caller_id: unknownCaller(),
    called_did: DID };
  const r = await notify(old);
  assert.equal(r.status, 403);
  assert.equal((await calls(old.pbx_call_id)).length, 0);
  // Five days: still accepted (a late retry or a test replay is no attack).
  const recent = { ...old, call_start: at(5), pbx_call_id: newId() };
  assert.equal((await notify(recent)).status, 200);
  assert.equal((await calls(recent.pbx_call_id)).length, 1);
});
