// The analytics fold's deletes are driven by their batch, whatever the
// statistics say (sql/migrations/0040_analytics_fold_batch_drives.sql).
//
// cb_analytics_fold deletes a batch's old summary rows with
// DELETE t FROM <table> JOIN <batch> ON ...; at 5,000,000 calls, with the
// statistics InnoDB kept after a bulk load (about 1,000 rows a number),
// MariaDB read analytics_callers and analytics_followups whole for every
// batch (2.7M and 0.75M rows, 11-18 s a batch). Here the same statistics
// are given to a small table (engine-independent statistics: every row of
// analytics_callers and analytics_followups one number, as the optimizer
// will then believe), and every DELETE of the installed procedure is
// EXPLAINed against batch tables of three rows: the batch must be read
// first, the table by its index.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '../lib/db.js';

// The tables whose statistics are made hostile, and the index each is
// deleted by.
const HOSTILE = [
  ['analytics_callers', 'ix_analytics_callers_digits'],
  ['analytics_followups', 'ix_analytics_followups_digits'],
];

after(async () => {
  for (const [table] of HOSTILE) {
    await sql(`DELETE FROM mysql.table_stats WHERE db_name = DATABASE() AND table_name = ?;
      DELETE FROM mysql.index_stats WHERE db_name = DATABASE() AND table_name = ?`, [table, table]);
  }
  await sql(`FLUSH TABLES ${HOSTILE.map(([t]) => t).join(', ')}`);
});

// The installed procedure's DELETE statements (the body read as hex: it
// has newlines, which the test client's rows do not survive).
async function foldDeletes() {
  const [[hex]] = await sql(`SELECT HEX(ROUTINE_DEFINITION) FROM information_schema.ROUTINES
    WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = 'cb_analytics_fold'`);
  const body = Buffer.from(hex, 'hex').toString('utf8');
  return body.match(/\bDELETE\s+\w+\s+FROM\s[^;]+;/g) || [];
}

test('every delete of the analytics fold reads its batch first, even when the statistics favour a scan', async () => {
  const deletes = await foldDeletes();
  // 0028's six hour tables and the hours' dirty rows, 0032/0034's three
  // number tables and the numbers' dirty rows
  assert.equal(deletes.length, 11, deletes.join('\n'));

  for (const [table, index] of HOSTILE) {
    const [[rows]] = await sql(`SELECT GREATEST(COUNT(*), 10) FROM ${table}`);
    await sql(`REPLACE INTO mysql.table_stats (db_name, table_name, cardinality)
        VALUES (DATABASE(), ?, ?);
      REPLACE INTO mysql.index_stats (db_name, table_name, index_name, prefix_arity, avg_frequency)
        VALUES (DATABASE(), ?, ?, 1, ?)`, [table, Number(rows), table, index, Number(rows)]);
  }
  await sql(`FLUSH TABLES ${HOSTILE.map(([t]) => t).join(', ')}`);

  const batches = `
    CREATE TEMPORARY TABLE cb_fold_hours (hour DATETIME NOT NULL PRIMARY KEY) ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_ids (id BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_number_ids (id BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=MEMORY;
    CREATE TEMPORARY TABLE cb_fold_numbers (digits VARCHAR(32) NOT NULL PRIMARY KEY) ENGINE=MEMORY
      DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
    INSERT INTO cb_fold_hours VALUES ('2020-01-01 00:00:00'), ('2020-01-01 01:00:00'), ('2020-01-01 02:00:00');
    INSERT INTO cb_fold_ids VALUES (1), (2), (3);
    INSERT INTO cb_fold_number_ids VALUES (1), (2), (3);
    INSERT INTO cb_fold_numbers VALUES ('1000000000'), ('2000000000'), ('3000000000');`;

  // The statistics do favour a scan: the join left to the optimizer reads
  // analytics_callers whole (so this test would see an undriven delete).
  const [undriven] = await sql(`${batches}
    EXPLAIN DELETE c FROM analytics_callers c JOIN cb_fold_numbers n ON c.client_digits_rev = n.digits`);
  assert.deepEqual([undriven[2], undriven[3]], ['c', 'ALL'], `hostile statistics in place: ${undriven}`);

  for (const del of deletes) {
    const batch = del.match(/\bcb_fold_\w+\s+(\w+)/);
    assert.ok(batch, `a delete joined to a batch table: ${del}`);
    const plan = await sql(`${batches}\nEXPLAIN ${del}`);
    // EXPLAIN's columns: id, select_type, table, type, possible_keys, key
    assert.equal(plan[0][2], batch[1], `the batch is read first:\n${del}\n${plan.map((r) => r.join(' ')).join('\n')}`);
    assert.notEqual(plan[1][3], 'ALL', `the table is read by its index:\n${del}\n${plan.map((r) => r.join(' ')).join('\n')}`);
  }
});
