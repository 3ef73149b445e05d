// An integration whose stored kind this build does not know (a database
// written by a newer version, then the programs rolled back): the hook
// answers 503 with a reason an admin can act on, stores nothing, and the
// provider's retry is what keeps the call — never a bare 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

test('a hook of an unknown stored kind is 503 with the reason, nothing stored', async () => {
  const slug = `future-${randomBytes(4).toString('hex')}`;
  await sql(`INSERT INTO integrations (kind, slug, name, enabled, default_country, secrets, config)
             VALUES ('fromthefuture', ?, 'From a newer version', 1, 'UA', '{}', '{}')`, [slug]);
  const [[id]] = await sql('SELECT id FROM integrations WHERE slug = ?', [slug]);
  const res = await fetch(`${BASE}/hook/${slug}`, {
    method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ event: 'call.start', call_id: 'x1' }),
  });
  const text = await res.text();
  assert.equal(res.status, 503, text);
  assert.match(text, /does not know the integration's kind; update the programs/);
  const [[n]] = await sql('SELECT COUNT(*) AS n FROM call_events WHERE integration_id = ?', [id]);
  assert.equal(Number(n), 0);
});
