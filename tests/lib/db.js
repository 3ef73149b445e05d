// SQL against the test stack's database, for end-to-end tests that need to
// set up or read what the HTTP API does not expose (integration settings,
// jobs, recording paths).
//
// It runs the `mariadb` client of the stack started by scripts/stack.sh:
// --defaults-file=$CB_STATE_DIR/mariadb.cnf (socket and port of that
// server; it must be the first option), authenticated as the OS user
// through unix_socket (the account stack.sh's setup_db uses), database
// `callboard`. Override with CB_DB_CNF, CB_DB_USER, CB_DB_NAME.
//
//   const rows = await sql('SELECT id, slug FROM integrations WHERE kind = ?', ['twilio']);
//   // → [['1', 'twilio']]
//
// Values are bound client-side into `?` placeholders (outside quotes):
// strings travel as hex literals with a utf8mb4 introducer, so no value can
// change the statement. Rows come back as arrays of strings (--batch --raw
// --skip-column-names), with SQL NULL as null. Limits of --raw: a value
// containing a tab or newline breaks the row apart (select HEX(x) for such
// columns), and a string 'NULL' reads as null.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

function stateDir() {
  const dir = process.env.CB_STATE_DIR;
  if (!dir) throw new Error('CB_STATE_DIR is not set (run the tests through ./run test)');
  return dir;
}

// A value as an SQL literal.
export function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot bind ${v}`);
    return String(v);
  }
  if (Buffer.isBuffer(v)) return `X'${v.toString('hex')}'`;
  if (typeof v === 'string') return `_utf8mb4 X'${Buffer.from(v, 'utf8').toString('hex')}'`;
  if (v instanceof Date) return literal(v.toISOString().slice(0, 23).replace('T', ' '));
  throw new Error(`cannot bind a ${typeof v}`);
}

// Replaces each ? outside quoted strings, identifiers and comments.
export function bind(query, params = []) {
  let out = '';
  let n = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== c) j += query[j] === '\\' ? 2 : 1;
      out += query.slice(i, j + 1);
      i = j;
    } else if (c === '-' && query[i + 1] === '-') {
      const j = query.indexOf('\n', i);
      const end = j < 0 ? query.length : j;
      out += query.slice(i, end);
      i = end - 1;
    } else if (c === '?') {
      if (n >= params.length) throw new Error(`more ? than values in: ${query}`);
      out += literal(params[n++]);
    } else {
      out += c;
    }
  }
  if (n !== params.length) throw new Error(`${params.length} values for ${n} placeholders in: ${query}`);
  return out;
}

export async function sql(query, params = []) {
  const text = bind(query, params).trimEnd();
  const cnf = process.env.CB_DB_CNF || path.join(stateDir(), 'mariadb.cnf');
  const args = [
    `--defaults-file=${cnf}`,
    `--user=${process.env.CB_DB_USER || os.userInfo().username}`,
    '--batch', '--raw', '--skip-column-names',
    '--default-character-set=utf8mb4',
    process.env.CB_DB_NAME || 'callboard',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.env.CB_MARIADB || 'mariadb', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`mariadb exited ${code}: ${Buffer.concat(err).toString().trim()}\n  in: ${query}`));
        return;
      }
      const lines = Buffer.concat(out).toString('utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      resolve(lines.map((l) => l.split('\t').map((v) => (v === 'NULL' ? null : v))));
    });
    child.stdin.end(text.endsWith(';') ? `${text}\n` : `${text};\n`);
  });
}
