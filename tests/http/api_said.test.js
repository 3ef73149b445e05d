// The JSON API's words-said search (issue 22): GET /api/v1/calls?said=.
// An API token acts with its user's role: the search needs that role's
// transcripts.view (and recordings.listen, as on the history page), covers
// only the calls whose transcripts it may read (scope "own": the user's own
// calls), and each result's summary follows access_transcript(). A token of
// no user, of a disabled user, or of a role without the right gets 403 with
// the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BASE } from '../lib/http.js';
import { api } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const RUN = randomBytes(4).toString('hex');
// A word no demo data has, different per run (the index is shared).
const WORD = `quillbright${Date.now().toString(36)}`;
const tokens = {
  none: `said-none-${RUN}`,
  intern: `said-intern-${RUN}`,
  own: `said-own-${RUN}`,
  off: `said-off-${RUN}`,
};
const ownRole = `said-own-${RUN}`;
const ownLogin = `saidown${RUN}`;
const offLogin = `saidoff${RUN}`;
let mineId, otherId;

async function as(token, path) {
  const res = await fetch(BASE + path, { headers: { authorization: `Bearer ${token}` } });
  res.text_ = await res.text();
  try { res.json_ = JSON.parse(res.text_); } catch { res.json_ = null; }
  return res;
}

async function transcript(callId, summary) {
  const lines = [{ start_ms: 0, end_ms: 2000, side: 'customer', text: `The ${WORD} order is late.` }];
  await sql(`INSERT INTO transcripts (call_id, status, engine, language, draft, utterances, words, summary,
             summary_head, version) VALUES (?, 'done', 'http', 'en', 1, ?, ?, ?, ?, 1)`,
  [callId, JSON.stringify(lines), lines[0].text, summary, summary]);
}

before(async () => {
  // A role that reads transcripts of its own calls only, and its user.
  await sql('INSERT INTO roles (name) VALUES (?)', [ownRole]);
  await sql(`INSERT INTO role_permissions (role_id, permission, scope)
             SELECT r.id, p.permission, p.scope FROM roles r,
             (SELECT 'calls' AS permission, 'all' AS scope UNION ALL SELECT 'recordings.listen', 'all'
              UNION ALL SELECT 'transcripts.view', 'own') p WHERE r.name = ?`, [ownRole]);
  for (const login of [ownLogin, offLogin]) {
    await sql(`INSERT INTO users (login, password_hash, name, role_id, active)
               SELECT ?, u.password_hash, 'Said Test', r.id, ? FROM users u, roles r
               WHERE u.login = 'manager' AND r.name = ?`, [login, login === offLogin ? 0 : 1, ownRole]);
  }
  const add = (name, token, login) => sql(`INSERT INTO api_tokens (name, token_hash, user_id)
      VALUES (?, SHA2(?, 256), (SELECT id FROM users WHERE login = ?))`, [name, token, login]);
  await add(`said none ${RUN}`, tokens.none, null);
  await add(`said intern ${RUN}`, tokens.intern, 'intern');
  await add(`said own ${RUN}`, tokens.own, ownLogin);
  await add(`said off ${RUN}`, tokens.off, offLogin);
  // Two calls without transcripts: one of the own-scope user, one of another manager.
  const rows = await sql(`SELECT c.id FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id
                          WHERE t.call_id IS NULL AND c.manager_id IS NOT NULL ORDER BY c.id DESC LIMIT 2`);
  assert.equal(rows.length, 2);
  [[mineId], [otherId]] = rows;
  await sql('UPDATE calls SET manager_id = (SELECT id FROM users WHERE login = ?) WHERE id = ?', [ownLogin, mineId]);
  await transcript(mineId, `Mine: the ${WORD} order.`);
  await transcript(otherId, `Other: the ${WORD} order.`);
});

after(async () => {
  await sql('DELETE FROM transcripts WHERE call_id IN (?, ?)', [mineId, otherId]);
  await sql("UPDATE calls SET manager_id = (SELECT id FROM users WHERE login = 'manager') WHERE id = ?", [mineId]);
  await sql('DELETE FROM api_tokens WHERE name LIKE ?', [`said % ${RUN}`]);
  await sql('DELETE FROM users WHERE login IN (?, ?)', [ownLogin, offLogin]);
  await sql('DELETE FROM roles WHERE name = ?', [ownRole]);
});

test('said= with a token of a role that reads every transcript finds both calls, with summaries', async () => {
  const r = await api(`/api/v1/calls?said=${WORD}`);
  assert.equal(r.status, 200, r.text_);
  const ids = r.json_.calls.map((c) => String(c.id));
  assert.deepEqual(ids.sort(), [String(mineId), String(otherId)].sort());
  for (const c of r.json_.calls)
    assert.match(c.summary, new RegExp(`the ${WORD} order`));
  // every word must be said; unknown words find nothing
  const none = await api(`/api/v1/calls?said=${WORD}+spaceship`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.json_.calls, []);
  // combines with the other filters
  const [[slug]] = await sql('SELECT i.slug FROM calls c JOIN integrations i ON i.id = c.integration_id WHERE c.id = ?', [mineId]);
  const one = await api(`/api/v1/calls?said=${WORD}&integration=${slug}&limit=1`);
  assert.equal(one.status, 200);
  assert.ok(one.json_.calls.length === 1 && one.json_.calls.every((c) => c.integration === slug));
});

test('said= combines with contains (a LIKE over the matches)', async () => {
  const [[digits]] = await sql('SELECT client_digits_rev FROM calls WHERE id = ?', [mineId]);
  const frag = digits.slice(0, 6).split('').reverse().join('');
  const r = await api(`/api/v1/calls?said=${WORD}&contains=${frag}`);
  assert.equal(r.status, 200, r.text_);
  assert.ok(r.json_.calls.some((c) => String(c.id) === String(mineId)));
  assert.ok(r.json_.calls.every((c) => c.client_number.replace(/\D/g, '').includes(frag)));
});

test('said= with a token of no user is 403 with the reason', async () => {
  const r = await as(tokens.none, `/api/v1/calls?said=${WORD}`);
  assert.equal(r.status, 403, r.text_);
  assert.match(r.json_.error.message, /belongs to no user/);
  assert.doesNotMatch(r.text_, new RegExp(`${WORD} order`));
  // the rest of the API still works for it
  assert.equal((await as(tokens.none, '/api/v1/calls?limit=1')).status, 200);
});

test("said= with a token whose user's role may not read transcripts (intern) is 403 naming it", async () => {
  const r = await as(tokens.intern, `/api/v1/calls?said=${WORD}`);
  assert.equal(r.status, 403, r.text_);
  assert.match(r.json_.error.message, /\(intern\) does not allow reading transcripts.*transcripts\.view/);
  assert.doesNotMatch(r.text_, new RegExp(`${WORD} order`));
});

test("said= with a disabled user's token is 403", async () => {
  const r = await as(tokens.off, `/api/v1/calls?said=${WORD}`);
  assert.equal(r.status, 403, r.text_);
  assert.match(r.json_.error.message, /disabled/);
});

test("said= with an own-scope role covers the user's own calls only, and says so", async () => {
  const r = await as(tokens.own, `/api/v1/calls?said=${WORD}`);
  assert.equal(r.status, 200, r.text_);
  assert.deepEqual(r.json_.calls.map((c) => String(c.id)), [String(mineId)]);
  assert.match(r.json_.calls[0].summary, /^Mine:/);
  assert.ok(r.json_.notices.some((n) => /own calls only/.test(n)));
});

test('said= bad input: blanks ignored, nothing searchable 400, too long 400', async () => {
  let r = await api('/api/v1/calls?said=%20%20&limit=1');
  assert.equal(r.status, 200);
  assert.ok(r.json_.notices.some((n) => /said was empty/.test(n)));
  assert.equal(r.json_.calls[0].summary, undefined);
  r = await api('/api/v1/calls?said=to+be+ok');
  assert.equal(r.status, 400);
  assert.match(r.json_.error.message, /nothing to search for/);
  r = await api(`/api/v1/calls?said=${'a'.repeat(300)}`);
  assert.equal(r.status, 400);
  assert.match(r.json_.error.message, /at most 256/);
  r = await api(`/api/v1/calls?said=ok+${WORD}`);
  assert.equal(r.status, 200);
  assert.ok(r.json_.notices.some((n) => /shorter than 3 letters.*ok/.test(n)));
});
