// The security suite's table (issue 16: "the suite prints attack /
// attempts / blocked"). Each test file makes one table; every record()
// asserts that all attempts were blocked and adds a row, and the table is
// printed after the file's tests:
//
//   const record = attackTable();
//   record('CSRF (12 POST routes)', attempts, blocked, missed);
import assert from 'node:assert/strict';
import { after } from 'node:test';

export function attackTable() {
  const table = [];
  after(() => {
    const w = Math.max(...table.map((r) => r.attack.length), 6);
    console.log(`\n| ${'attack'.padEnd(w)} | attempts | blocked |`);
    console.log(`|${'-'.repeat(w + 2)}|----------|---------|`);
    for (const r of table) console.log(`| ${r.attack.padEnd(w)} | ${String(r.attempts).padStart(8)} | ${String(r.blocked).padStart(7)} |`);
  });
  return function record(attack, attempts, blocked, missed = []) {
    table.push({ attack, attempts, blocked });
    assert.equal(blocked, attempts, `${attack}: not blocked: ${missed.slice(0, 5).join(' | ')}`);
  };
}
