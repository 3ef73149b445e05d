// A fold batch too big for the fold's in-memory table of ids (issue 21,
// lib/analytics/fold.c): the worker folds a week of dirty hours a batch, and
// cb_analytics_fold keeps their calls' ids in a MEMORY table, bounded by
// max_heap_table_size (16 MB by default, about 500,000 ids). A backlog of
// 5,000,000 calls loaded at once (bench/history.sh at 5M) is 583,000 ids a
// week: the batch failed with "The table 'cb_fold_ids' is full" and the
// worker retried the same batch for ever. It now halves its hours per batch
// each time that happens.
//
// Here the same at a small scale: the server's max_heap_table_size is set
// to its least (16 KB: under 1,000 ids) for a worker of our own (the
// stack's is stopped meanwhile), 1,200 calls are made dirty over 24 hours,
// and the worker must fold them all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from '../lib/db.js';
import { noneDirty } from '../lib/analytics.js';

const ROOT = process.env.CB_ROOT || path.resolve(import.meta.dirname, '../..');
const BUILD = process.env.CB_BUILD_DIR || path.join(ROOT, 'build-test');
const STATE = process.env.CB_STATE_DIR || path.join(BUILD, 'stack');
const WORKER = process.env.CB_LIBEXEC_DIR ? path.join(process.env.CB_LIBEXEC_DIR, 'callboard-worker')
  : path.join(BUILD, 'tools/callboard-worker');
const STACK = path.join(ROOT, 'scripts/stack.sh');
const tag = `fb${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let heap, worker, log = '';

before(async () => {
  [[heap]] = await sql('SELECT @@GLOBAL.max_heap_table_size');
  execFileSync(STACK, ['crash', 'worker'], { stdio: 'ignore' });
});

after(async () => {
  if (worker) {
    worker.kill('SIGKILL');
    await new Promise((r) => worker.on('exit', r));
  }
  await sql(`SET GLOBAL max_heap_table_size = ${Number(heap)}`);
  execFileSync(STACK, ['start'], { stdio: 'ignore' });
  await sql("DELETE FROM calls WHERE external_id LIKE CONCAT(?, '-%')", [tag]);
  // The stack's worker folds what the deletion made dirty (800 numbers):
  // left behind, it is the next test's backlog.
  await noneDirty(30_000);
});

test('a backlog whose week of hours does not fit the fold\'s memory table is folded in smaller batches', { timeout: 60_000 }, async () => {
  // 50 calls in each of 24 hours, two weeks ago (hours no other test writes):
  // 1,200 ids, more than 16 KB holds. Numbers of 3 digits: no grams to
  // drain (the drain's own table would be as small).
  await sql(`INSERT INTO calls (integration_id, external_id, direction, state, result, client_number,
      client_digits_rev, started_at, ended_at, talk_seconds)
    SELECT i.id, CONCAT(?, '-', s.seq), 'in', 'ended', IF(s.seq % 3 = 0, 'missed', 'answered'),
      CONCAT('+', 100 + s.seq % 800), REVERSE(100 + s.seq % 800),
      UTC_TIMESTAMP(3) - INTERVAL 14 DAY - INTERVAL (s.seq % 24) HOUR - INTERVAL (s.seq % 50) MINUTE,
      UTC_TIMESTAMP(3) - INTERVAL 14 DAY - INTERVAL (s.seq % 24) HOUR - INTERVAL (s.seq % 50) MINUTE
        + INTERVAL 30 SECOND, IF(s.seq % 3 = 0, 0, 30)
    FROM seq_1_to_1200 s JOIN integrations i ON i.slug = 'generic'`, [tag]);
  // one dirty row per call written (0028's trigger), by its hour
  const dirty = async () => Number((await sql(`SELECT COUNT(*) FROM analytics_dirty
    WHERE hour >= UTC_TIMESTAMP() - INTERVAL 14 DAY - INTERVAL 25 HOUR AND hour < UTC_TIMESTAMP() - INTERVAL 13 DAY`))[0][0]);
  assert.ok(await dirty() >= 1200, 'the calls wait to be folded');

  // The worker's own connection takes the global value when it connects.
  await sql('SET GLOBAL max_heap_table_size = 16384');
  worker = spawn(WORKER, ['--config', path.join(STATE, 'callboard.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout.on('data', (d) => { log += d; });
  worker.stderr.on('data', (d) => { log += d; });
  const until = Date.now() + 40_000;
  let left = -1;
  while (Date.now() < until && (left = await dirty()) > 0) await sleep(500);
  assert.equal(left, 0, `the worker folded every hour: ${log}`);
  assert.match(log, /hour\(s\) a batch now/, log);

  // and the summaries are the calls' own counts (answered / missed per hour)
  const [[want, missed]] = await sql(`SELECT COUNT(*), SUM(result = 'missed') FROM calls
    WHERE external_id LIKE CONCAT(?, '-%')`, [tag]);
  const [[got, gotMissed]] = await sql(`SELECT COALESCE(SUM(a.answered + a.missed + a.other), 0), COALESCE(SUM(a.missed), 0)
    FROM analytics_hours a JOIN integrations i ON i.id = a.integration_id AND i.slug = 'generic'
    WHERE a.hour >= UTC_TIMESTAMP() - INTERVAL 14 DAY - INTERVAL 25 HOUR AND a.hour < UTC_TIMESTAMP() - INTERVAL 13 DAY`);
  assert.ok(Number(got) >= Number(want), `the hours count ${got} calls, ${want} of them ours`);
  assert.ok(Number(gotMissed) >= Number(missed), `${gotMissed} missed counted, ${missed} of them ours`);
});
