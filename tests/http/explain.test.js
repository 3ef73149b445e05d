// Issue 4 "Speed": every filter of the history page is served by an index.
// tests/explain/history_sql prints the exact query db_call_list() would run
// for a filter (same C code, lib/db/call.c); this file EXPLAINs it on the
// test stack's MariaDB and asserts the index (key), no full scan (type ALL)
// and no filesort where the index gives the order.
//
// The optimizer picks plans by row counts, and the 300 demo calls of the
// shared database `callboard` make every plan look cheap. So the queries
// run against a second database, `callboard_explain`, filled once with
// 100,000 demo calls (sql/demo.sql, about 10-20 s; later runs on the same
// stack reuse it), then ANALYZEd. `callboard` itself is never written to.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';

const run = promisify(execFile);
const DB = 'callboard_explain';
const CALLS = 100000;
const BUILD = process.env.CB_BUILD_DIR || path.resolve('build-test');
const STATE = process.env.CB_STATE_DIR;

// db.js reads the database name per query; this process only uses ours.
process.env.CB_DB_NAME = DB;
const { sql } = await import('../lib/db.js');

let v = {};           // real ids and values from the explain database

async function one(q, p = []) {
  const rows = await sql(q, p);
  return rows.length ? rows[0] : null;
}

// sql/demo.sql through the mariadb client, with placeholder password hashes:
// the logins are not used here, so there is nothing to hash or encrypt.
// (`callboard demo --calls 100000` works too: the admin tool's statements
// get a long timeout, lib/db/db.h DB_IO_TIMEOUT_BULK.)
function loadDemo() {
  const script = `SET @calls = ${CALLS}, @admin_hash = 'x', @manager_hash = 'x', @intern_hash = 'x';\n` +
    fs.readFileSync(path.resolve('sql/demo.sql'), 'utf8');
  return new Promise((resolve, reject) => {
    const child = spawn('mariadb', [`--defaults-file=${path.join(STATE, 'mariadb.cnf')}`,
      `--user=${os.userInfo().username}`, '--batch', DB], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`demo.sql: ${err}`))));
    child.stdin.end(script);
  });
}

async function asAdmin(q) {
  process.env.CB_DB_NAME = 'callboard';
  try { await sql(q); } finally { process.env.CB_DB_NAME = DB; }
}

before(async () => {
  const conf = path.join(STATE, 'callboard-explain.conf');
  const text = fs.readFileSync(path.join(STATE, 'callboard.conf'), 'utf8')
    .replace(/^db_name = .*$/m, `db_name = ${DB}`);
  fs.writeFileSync(conf, text, { mode: 0o600 });
  // Reused when a previous run on this stack filled it completely.
  await asAdmin(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const [tables] = await one(
    `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${DB}' AND table_name = 'calls'`);
  const have = Number(tables) ? Number((await one('SELECT COUNT(*) FROM calls'))[0]) : 0;
  if (have < CALLS) {
    await asAdmin(`DROP DATABASE ${DB}`);
    await asAdmin(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    // the application account migrates it, with the rights it has on `callboard`
    for (const host of ['localhost', '127.0.0.1', '::1'])
      await asAdmin(`GRANT ALL PRIVILEGES ON ${DB}.* TO 'callboard'@'${host}'`);
    await run(path.join(BUILD, 'tools/callboard'), ['--config', conf, 'migrate']);
    await loadDemo();
  } else // a database filled before a newer migration (0021 fills its grams)
    await run(path.join(BUILD, 'tools/callboard'), ['--config', conf, 'migrate']);
  await sql('ANALYZE TABLE calls');
  const [n] = await one('SELECT COUNT(*) FROM calls');
  assert.ok(Number(n) >= CALLS, `${DB} has ${n} calls`);

  [v.manager] = await one("SELECT id FROM users WHERE login = 'manager'");
  [v.integration] = await one("SELECT id FROM integrations WHERE slug = 'zadarma'");
  [v.customer] = await one('SELECT customer_id FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1');
  [v.order] = await one('SELECT order_id FROM calls WHERE order_id IS NOT NULL ORDER BY id DESC LIMIT 1');
  [v.our] = await one('SELECT our_number FROM calls ORDER BY id DESC LIMIT 1');
  [v.number, v.external] = await one(
    'SELECT client_number, external_id FROM calls WHERE customer_id IS NOT NULL ORDER BY id DESC LIMIT 1');
  v.digits = v.number.replace(/\D/g, '');
  [v.weekAgo, v.now] = await one(
    "SELECT DATE_FORMAT(MAX(started_at) - INTERVAL 7 DAY, '%Y-%m-%d %H:%i:%s'), " +
    "DATE_FORMAT(MAX(started_at), '%Y-%m-%d %H:%i:%s') FROM calls");
  [v.midAt, v.midId] = await one(
    "SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:%i:%s.%f'), id FROM calls ORDER BY id LIMIT 1 OFFSET 50000");
});

// The plan of the history query for these filter arguments: the row of
// table `c` (calls), as { type, key, extra }.
async function plan(args) {
  const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), args);
  const q = JSON.parse(stdout);
  const rows = await sql(`EXPLAIN ${q.sql}`, q.params);
  // id, select_type, table, type, possible_keys, key, key_len, ref, rows, Extra
  // A deferred join (keyset page with an equality filter, lib/db/call.c)
  // reads its keys in a DERIVED select: that row is the one to judge; the
  // outer `c` is an eq_ref by primary key.
  const c = rows.find((r) => r[2] === 'c' && r[1] === 'DERIVED') || rows.find((r) => r[2] === 'c');
  assert.ok(c, `no row for calls in ${JSON.stringify(rows)}`);
  return { type: c[3], key: c[5], rows: Number(c[8]), extra: c[9] || '', sql: q.sql };
}

// Asserts the index, no full scan and (unless sorted) no filesort.
async function served(args, key, { sorts = false } = {}) {
  const p = await plan(args);
  const why = `${JSON.stringify(args)} → ${JSON.stringify(p)}`;
  assert.equal(p.key, key, why);
  assert.notEqual(p.type, 'ALL', why);
  if (!sorts)
    assert.doesNotMatch(p.extra, /filesort/, why);
  // the joined tables are eq_ref lookups by primary key, never scans
  return p;
}

test('no filter: newest first on ix_calls_started, no sort', async () => {
  await served([], 'ix_calls_started');
});

// The transcript's columns come from a LEFT JOIN forced onto its primary key
// (lib/db/call.c SQL_LIST_JOINS): with a handful of transcripts, as on a
// new installation, the optimizer would otherwise read the small table
// through a join buffer and sort the page in a temporary table.
test('a few transcripts: the transcript is an eq_ref by primary key, the page keeps its index order', async () => {
  await sql("INSERT IGNORE INTO transcripts (call_id, status, summary_head) " +
    "SELECT id, 'done', 'explain' FROM calls ORDER BY id DESC LIMIT 3");
  try {
    await sql('ANALYZE TABLE transcripts');
    for (const args of [[], [`manager=${v.manager}`]]) {
      const p = await served(args, args.length ? 'ix_calls_manager_started' : 'ix_calls_started');
      assert.doesNotMatch(p.extra, /temporary/, JSON.stringify(p));
      const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), args);
      const q = JSON.parse(stdout);
      const tr = (await sql(`EXPLAIN ${q.sql}`, q.params)).find((r) => r[2] === 'tr');
      assert.ok(tr, `no transcripts row in the plan of ${q.sql}`);
      assert.equal(tr[3], 'eq_ref', JSON.stringify(tr));
      assert.equal(tr[5], 'PRIMARY', JSON.stringify(tr));
    }
  } finally {
    await sql("DELETE FROM transcripts WHERE summary_head = 'explain'");
    await sql('ANALYZE TABLE transcripts');
  }
});

// The CSV export (export=1, struct call_filter export_cols) shows neither
// the transcript nor the linked order: it joins neither table, and keeps
// the page's index and order, chunk after chunk.
test('CSV export: the page\'s index and order, without the transcript\'s and the order\'s joins', async () => {
  for (const args of [['export=1', `from=${v.weekAgo}`, `to=${v.now}`],
    ['export=1', `before=${v.midAt},${v.midId}`],
    ['export=1', `manager=${v.manager}`]]) {
    const p = await served(args, args[1].startsWith('manager') ? 'ix_calls_manager_started' : 'ix_calls_started');
    const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), args);
    const q = JSON.parse(stdout);
    assert.doesNotMatch(q.sql, /transcripts|orders/, JSON.stringify(p));
    const rows = await sql(q.sql.replace(/LIMIT \?$/, 'LIMIT 1'), q.params.slice(0, -1));
    assert.equal(rows[0].length, 26, 'the columns of enum call_col, in order');
  }
});

test('manager: ix_calls_manager_started in keyset order', async () => {
  await served([`manager=${v.manager}`], 'ix_calls_manager_started');
});

test('integration: ix_calls_integration_started', async () => {
  await served([`integration=${v.integration}`], 'ix_calls_integration_started');
});

test('result: ix_calls_result_started', async () => {
  await served(['result=missed'], 'ix_calls_result_started');
});

test('direction: ix_calls_direction_started', async () => {
  await served(['direction=internal'], 'ix_calls_direction_started');
});

test('our number (exact): ix_calls_our_number_started', async () => {
  await served([`our_number=exact:${v.our}`], 'ix_calls_our_number_started');
});

test('customer feed: ix_calls_customer_started', async () => {
  await served([`customer=${v.customer}`], 'ix_calls_customer_started');
});

test('order feed: ix_calls_order_started', async () => {
  await served([`order=${v.order}`], 'ix_calls_order_started');
});

test('phone search, complete number: ix_calls_client_digits_rev, no sort', async () => {
  await served([`number=exact:${v.digits}`], 'ix_calls_client_digits_rev');
});

test('phone search, complete number with its longer-number column: the same plan, the column a range of the same index', async () => {
  const p = await served([`number=exact:${v.digits}`, 'number_longer=1'], 'ix_calls_client_digits_rev');
  const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), [`number=exact:${v.digits}`, 'number_longer=1']);
  const q = JSON.parse(stdout);
  const rows = await sql(`EXPLAIN ${q.sql}`, q.params);
  const sub = rows.find((r) => r[1] === 'SUBQUERY');
  assert.ok(sub, `no subquery in ${JSON.stringify(rows)} (${p.sql})`);
  assert.equal(sub[5], 'ix_calls_client_digits_rev', JSON.stringify(sub));
  assert.equal(sub[3], 'range', JSON.stringify(sub));
});

test('phone search, last 7 digits: a range of ix_calls_client_digits_rev, then a sort of its matches', async () => {
  const p = await served([`number=ends:${v.digits.slice(-7)}`], 'ix_calls_client_digits_rev', { sorts: true });
  assert.equal(p.type, 'range');
});

test('external id (exact): ix_calls_external', async () => {
  await served([`external_id=exact:${v.external}`], 'ix_calls_external', { sorts: true });
});

test('date range: ix_calls_started', async () => {
  await served([`from=${v.weekAgo}`, `to=${v.now}`], 'ix_calls_started');
});

test('manager + date range: ix_calls_manager_started', async () => {
  await served([`manager=${v.manager}`, `from=${v.weekAgo}`, `to=${v.now}`], 'ix_calls_manager_started');
});

test('duration range: a post-filter on the newest-first scan of ix_calls_started', async () => {
  await served(['talk_min=600', 'talk_max=900'], 'ix_calls_started');
});

test('sort by duration: ix_calls_talk in order, no sort', async () => {
  await served(['sort=talk_desc'], 'ix_calls_talk');
  await served(['sort=talk_asc'], 'ix_calls_talk');
});

test('keyset "before" page: a range of ix_calls_started', async () => {
  const p = await served([`before=${v.midAt},${v.midId}`], 'ix_calls_started');
  assert.equal(p.type, 'range');
});

// With the whole row in the SELECT, MariaDB 10.11 picks `ref` (manager_id
// only) here: the index order is kept, but the cursor becomes a post-filter
// and a deep page read every newer row of the manager (ANALYZE at 100k:
// 19,715 rows for 51). A keyset page with an equality filter therefore reads
// its keys in a derived select of the index's own columns (a deferred join,
// lib/db/call.c), which gets the two-part range. docs/schema.md.
test('manager + keyset page: a range of ix_calls_manager_started (deferred join), not ref', async () => {
  const p = await served([`manager=${v.manager}`, `before=${v.midAt},${v.midId}`], 'ix_calls_manager_started');
  assert.equal(p.type, 'range', p.sql);
  assert.match(p.sql, /\) k JOIN calls c ON c\.id = k\.id /);
});

test('customer feed + keyset page: a range of ix_calls_customer_started', async () => {
  const p = await served([`customer=${v.customer}`, `before=${v.midAt},${v.midId}`], 'ix_calls_customer_started');
  assert.equal(p.type, 'range', p.sql);
});

test('first pages and unfiltered keyset pages stay one plain select (no derived table)', async () => {
  assert.doesNotMatch((await plan([`manager=${v.manager}`])).sql, / k JOIN /);
  assert.doesNotMatch((await plan([`before=${v.midAt},${v.midId}`])).sql, / k JOIN /);
});

test('the program prints what db_call_list binds: one value per placeholder', async () => {
  const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'),
    [`manager=${v.manager}`, 'customers=1,2,3', `from=${v.weekAgo}`, 'external_id=begins:a_b']);
  const q = JSON.parse(stdout);
  assert.equal((q.sql.match(/\?/g) || []).length, q.params.length);
  // 3 ids round up to 4 IN slots, the last one repeated; LIKE's _ escaped
  assert.deepEqual(q.params.slice(1, 6), ['a!_b', 1, 2, 3, 3]);
});

// Issue 20: client number "contains" of 4+ digits reads call_number_grams
// (0021_number_grams.sql) in page order, then calls by primary key, plus
// (when a pending call contains the fragment: pending=1, the tool's
// default) the calls whose grams the worker has not written yet
// (call_grams_pending, 0038), one UNION ALL of the two as a derived table of
// keys (lib/db/call.c db_call_contains_from). The grams' branch is judged:
// `g` drives it with a range (or ref) of its primary key, never a sort; `c`
// (and, past 4 digits, `g2`) are eq_ref lookups. The pending branch reads
// the small table's primary key and each call by its own. With nothing
// pending (pending=0) and a time sort, the page's query is the grams'
// branch itself: no derived table, no temporary table, no sort at all.
function contains(rows, why, pending = true) {
  const by = (t) => rows.find((r) => r[2] === t);
  const g = by('g');
  assert.ok(g, why);
  assert.equal(g[5], 'PRIMARY', why);
  assert.ok(['range', 'ref'].includes(g[3]), why);
  const branch = rows.filter((r) => r[0] === g[0]);
  const before = branch.slice(0, branch.indexOf(g));
  assert.ok(before.every((r) => ['const', 'system'].includes(r[3])), `the grams drive their branch: ${why}`);
  for (const r of rows.filter((x) => x[2] === 'c' || x[2] === 'g2')) {
    assert.equal(r[3], 'eq_ref', why);
    assert.equal(r[5], 'PRIMARY', why);
  }
  const p = by('p');
  if (!pending) {
    assert.ok(!p, `nothing pending: the pending calls are not read: ${why}`);
    return { g, before, extra: g[9] || '' };
  }
  assert.ok(p, `the pending calls are read too: ${why}`);
  assert.equal(p[5], 'PRIMARY', why);
  assert.ok(rows.filter((r) => r[0] === p[0]).every((r) => r[2] === 'p' || r[5] === 'PRIMARY' || ['const', 'system'].includes(r[3])), why);
  return { g, before, extra: g[9] || '' };
}

// The flat query's last column, which asks whether a pending call contains
// the fragment (lib/db/call.c sql_pending_probe).
const PROBE = /, EXISTS \(SELECT 1 FROM call_grams_pending gp .*? AS pending /;

// Each contains plan, with a pending call to add (the UNION ALL of keys)
// and as a page first asks (pending=0: for time sorts the flat query with
// the probe; a duration sort reads the pending calls anyway).
async function gramsPlan(args, pending = true) {
  args = [...args, `pending=${pending ? 1 : 0}`];
  const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), args);
  const q = JSON.parse(stdout);
  const rows = await sql(`EXPLAIN ${q.sql}`, q.params);
  const why = `${JSON.stringify(args)} → ${JSON.stringify(rows)} ${q.sql}`;
  const timeSort = !args.some((a) => a.startsWith('sort=talk'));
  const flat = !pending && timeSort;
  const { g, extra } = contains(rows.filter((r) => !['gp', 'gc'].includes(r[2])), why, !flat);
  if (flat) {
    assert.doesNotMatch(q.sql, /UNION|\) k /, `flat: ${why}`);
    assert.match(q.sql, PROBE, `flat: the probe column: ${why}`);
    assert.equal(rows[0][2], 'g', `the grams drive the page's query: ${why}`);
    for (const r of rows)
      assert.doesNotMatch(r[9] || '', /filesort|temporary/, `no sort, no temporary table: ${why}`);
    // run once per execution, by primary key
    const probe = rows.filter((r) => ['gp', 'gc'].includes(r[2]));
    assert.deepEqual(probe.map((r) => r[1]), ['SUBQUERY', 'SUBQUERY'], `the probe is not correlated: ${why}`);
    assert.equal(probe[1][5], 'PRIMARY', why);
  } else
    assert.doesNotMatch(q.sql, PROBE, why);
  return { g, extra, rows, why, sql: q.sql.replace(PROBE, ' ') };
}

// Both shapes of every contains plan below.
const bothShapes = (name, fn) => {
  test(`${name} (a pending call matches)`, () => fn(true));
  test(`${name} (nothing pending)`, () => fn(false));
};

bothShapes('contains 4 digits: a range of call_number_grams in page order, no sort, no LIKE', async (pending) => {
  const p = await gramsPlan([`number=contains:${v.digits.slice(-4)}`], pending);
  assert.doesNotMatch(p.extra, /filesort/, p.why);
  // the grams' branch: no LIKE (the pending calls' branch has one)
  assert.doesNotMatch(p.sql.split('UNION ALL')[0], /LIKE/);
  assert.doesNotMatch(p.sql, / g2 /);
});

bothShapes('contains 6 digits: the first gram drives, the last one an eq_ref, then the LIKE', async (pending) => {
  const p = await gramsPlan([`number=contains:${v.digits.slice(-8, -2)}`], pending);
  assert.doesNotMatch(p.extra, /filesort/, p.why);
  assert.match(p.sql, / g2 /);
  assert.match(p.sql.split('UNION ALL')[0], /client_digits_rev LIKE/);
});

// Issue 20 item 2: the rarest gram drives (db_call_contains_plan chose the
// offset; gram_at=N here), the first gram is then the one on g2.
bothShapes('contains 6 digits driven by its third gram: the same plan, the first gram on g2', async (pending) => {
  const frag = v.digits.slice(-8, -2);
  const rev = [...frag].reverse().join('');
  for (const args of [[`number=contains:${frag}`, 'gram_at=2'], [`number=contains:${frag}`, 'gram_at=2',
    `from=${v.weekAgo}`, `to=${v.now}`], ['api=1', `contains=${frag}`, 'gram_at=2']]) {
    const p = await gramsPlan(args, pending);
    assert.doesNotMatch(p.extra, /filesort/, p.why);
    const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), [...args, `pending=${pending ? 1 : 0}`]);
    const params = JSON.parse(stdout).params.map(String);
    assert.ok(params.includes(String(Number(rev.slice(2, 6)))), `drives by the third gram: ${stdout}`);
    assert.ok(params.includes(String(Number(rev.slice(0, 4)))), `checks the first on g2: ${stdout}`);
    assert.ok(!params.includes(String(Number(rev.slice(1, 5)))) || rev.slice(1, 5) === rev.slice(0, 4) ||
      rev.slice(1, 5) === rev.slice(2, 6), stdout);
  }
});

bothShapes('contains with a date range and a keyset page: both bound the grams\' range', async (pending) => {
  for (const args of [
    [`number=contains:${v.digits.slice(-4)}`, `from=${v.weekAgo}`, `to=${v.now}`],
    [`number=contains:${v.digits.slice(-6)}`, `from=${v.weekAgo}`, `to=${v.now}`],
    [`number=contains:${v.digits.slice(-4)}`, `before=${v.midAt},${v.midId}`],
    [`number=contains:${v.digits.slice(-6)}`, 'sort=time_asc', `before=${v.midAt},${v.midId}`],
  ]) {
    const p = await gramsPlan(args, pending);
    assert.equal(p.g[3], 'range', p.why);
    assert.doesNotMatch(p.extra, /filesort/, p.why);
  }
});

bothShapes('contains with every other filter: still driven by the grams, the rest post-filters on calls', async (pending) => {
  const p = await gramsPlan([`number=contains:${v.digits.slice(-6)}`, `manager=${v.manager}`,
    `integration=${v.integration}`, 'direction=in', 'result=answered', 'talk_min=1', 'recording=yes',
    `our_number=exact:${v.our}`, 'external_id=begins:a', `before=${v.midAt},${v.midId}`], pending);
  assert.doesNotMatch(p.extra, /filesort/, p.why);
  assert.doesNotMatch(p.sql, / k JOIN /);
});

// A customer's or an order's calls are few, and a common gram is a range of
// a fifth of all calls: the feed keeps its own index and the LIKE.
test('contains in a customer or order feed, or with a contact search: their own index, no grams', async () => {
  for (const [args, key] of [[[`customer=${v.customer}`], 'ix_calls_customer_started'],
    [[`order=${v.order}`], 'ix_calls_order_started'], [['customers=1,2,3'], 'ix_calls_customer_started']]) {
    const p = await served([`number=contains:${v.digits.slice(-6)}`, ...args], key, { sorts: args[0].startsWith('customers') });
    assert.doesNotMatch(p.sql, /call_number_grams/);
  }
});

bothShapes('contains sorted by duration: the gram\'s range, then a sort of its matches', async (pending) => {
  const p = await gramsPlan([`number=contains:${v.digits.slice(-6)}`, 'sort=talk_desc'], pending);
  // the sort is of the keys' subquery (id, duration), not of joined rows
  assert.match(p.sql, /\) k STRAIGHT_JOIN calls c/, p.why);
});

test('contains of 3 digits and "not contains" keep the LIKE on another index (no grams)', async () => {
  for (const args of [[`number=contains:${v.digits.slice(-3)}`, `from=${v.weekAgo}`, `to=${v.now}`],
    [`number=not-contains:${v.digits.slice(-6)}`, `from=${v.weekAgo}`, `to=${v.now}`]]) {
    const p = await served(args, 'ix_calls_started');
    assert.doesNotMatch(p.sql, /call_number_grams/);
  }
});

// The JSON API's ?contains= (lib/db/apicall.c db_api_calls_query): the same
// routine; ?before=<id> reads that call by primary key (a const row, before
// g in its branch) and bounds the range with its start.
bothShapes('API contains (4 and 6 digits, with integration and before): a range of call_number_grams, no sort', async (pending) => {
  for (const args of [[`contains=${v.digits.slice(-4)}`], [`contains=${v.digits.slice(-6)}`, 'integration=zadarma'],
    [`contains=${v.digits.slice(-6)}`, `before=${v.midId}`]]) {
    const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), ['api=1', ...args, `pending=${pending ? 1 : 0}`]);
    const q = JSON.parse(stdout);
    const rows = await sql(`EXPLAIN ${q.sql}`, q.params);
    const why = `${JSON.stringify(args)} → ${JSON.stringify(rows)}`;
    const { g } = contains(rows, why, pending);
    assert.doesNotMatch(g[9] || '', /filesort/, why);
    if (args[0].length > 13)
      assert.ok(rows.find((r) => r[2] === 'g2'), why);
  }
});
