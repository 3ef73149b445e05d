// Settings › Integrations › Refused events (issue 16 §4): provider events we
// acknowledged but the database refused are kept as dead letters (jobs of
// kind event.refused). The admin sees them in the web UI — when, which
// integration, the reason, a preview without credentials — and retries one
// with the same step as `callboard dead-letters retry ID`
// (db_job_dead_retry); the page shows the outcome: stored, or refused again
// with the reason. Produced as tests/security/refused_rows.test.js does: the
// database is stopped and the programs restarted (their integration cache
// emptied), so the hook spools requests unverified and the worker's replay
// refuses them once the database is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BASE, Client } from '../lib/http.js';
import { sign, uid, sleep, callsOf, GENERIC_SECRET } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const STATE = process.env.CB_STATE_DIR;
const stack = `${process.env.CB_ROOT}/scripts/stack.sh`;
const PAGE = '/settings/integrations/dead-letters';
const BINOTEL_KEY = 'demo-binotel-key';
let admin, manager, intern;

const spooled = () => existsSync(`${STATE}/spool/events.jsonl`) || existsSync(`${STATE}/spool/replaying.jsonl`);

function answerEvent(callId, ext) {
  const now = Math.floor(Date.now() / 1000);
  return { event: 'call.answer', call_id: callId, direction: 'in', from: '+380675550199', ext,
    start: now - 10, answer: now };
}

async function postGeneric(slug, ev) {
  const body = JSON.stringify(ev);
  const res = await fetch(`${BASE}/hook/${slug}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...sign(body) }, body });
  res.text_ = await res.text();
  return res;
}

async function postBinotel(fields) {
  const res = await fetch(`${BASE}/hook/binotel?key=${BINOTEL_KEY}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString() });
  res.text_ = await res.text();
  return res;
}

async function csrfOf(client, p) {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function postForm(client, p, fields) {
  return client.request(p, { method: 'POST', body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

// The dead letter whose kept body holds text, once the spool is replayed.
async function deadLetterWith(text, ms = 30000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const rows = await sql("SELECT id, state, last_error FROM jobs WHERE kind = 'event.refused' "
      + "AND FROM_BASE64(JSON_UNQUOTE(JSON_EXTRACT(payload, '$.record.body'))) LIKE ?", [`%${text}%`]);
    if (rows.length) return { id: Number(rows[0][0]), state: rows[0][1], reason: rows[0][2] };
    await sleep(250);
  }
  throw new Error(`no dead letter holds ${text} after ${ms} ms (spooled: ${spooled()})`);
}

// The row of one dead letter on the page, as HTML.
function rowOf(html, id) {
  const m = html.match(new RegExp(`<tr data-id="${id}"[\\s\\S]*?</tr>`));
  return m && m[0];
}

// Reloads the page until the retried letter's outcome is known.
async function outcome(id, ms = 15000) {
  const deadline = Date.now() + ms;
  let page;
  while (Date.now() < deadline) {
    page = await admin.get(`${PAGE}?retried=${id}`);
    assert.equal(page.status, 200);
    const m = page.text_.match(/<p class="confirmation"[^>]*id="retry-result"[^>]*data-state="([a-z]+)"[^>]*>([^<]*)</);
    if (m && m[1] !== 'retrying') return { state: m[1], text: m[2], html: page.text_ };
    await sleep(250);
  }
  throw new Error(`no outcome for ${id}: ${page && page.text_.slice(0, 400)}`);
}

const bad = uid('dl-long');
const binotelId = `${Date.now()}77`;
// A slug nobody has set up yet: its event is refused at replay ("no
// integration"), and stored once the admin adds the integration.
const lateSlug = `t-late-${randomBytes(4).toString('hex')}`;
const late = uid('dl-late');
let letters;

before(async () => {
  admin = new Client(); await admin.login('admin', 'admin');
  manager = new Client(); await manager.login('manager', 'manager');
  intern = new Client(); await intern.login('intern', 'intern');
  execFileSync(stack, ['db-stop'], { stdio: 'inherit' });
  try {
    execFileSync(stack, ['restart-programs'], { stdio: 'ignore' });
    const sent = [
      await postGeneric('generic', answerEvent(bad, '1'.repeat(20))),
      await postBinotel({ requestType: 'receivedTheCall', generalCallID: binotelId, callType: 0,
        externalNumber: '0991234567', pbxNumber: '0322900200', internalNumber: '12345678901234567890' }),
      await postGeneric(lateSlug, answerEvent(late, '101')),
    ];
    for (const r of sent) assert.equal(r.status, 200, `spooled: ${r.text_}`);
  } finally {
    execFileSync(stack, ['db-start'], { stdio: 'inherit' });
  }
  letters = {
    long: await deadLetterWith(bad),
    binotel: await deadLetterWith(binotelId),
    late: await deadLetterWith(late),
  };
});

after(async () => {
  await sql('UPDATE integrations SET enabled = 0 WHERE slug = ?', [lateSlug]);
});

test('the admin sees each refused event: when, which integration, the reason, a preview without credentials', async () => {
  const list = await admin.get('/settings/integrations');
  assert.equal(list.status, 200);
  const link = list.text_.match(/id="dead-letters-link"><a href="\/settings\/integrations\/dead-letters">Refused events<\/a>: <span class="error"><span class="count">(\d+)<\/span> acknowledged/);
  assert.ok(link, 'the integrations list links the refused events, with their count');
  assert.ok(Number(link[1]) >= 3, link[0]);
  const page = await admin.get(PAGE);
  assert.equal(page.status, 200);
  const long = rowOf(page.text_, letters.long.id);
  assert.ok(long, 'the refused generic event is listed');
  assert.match(long, /<td>generic<\/td>/);
  assert.match(long, /extension is longer than 16/);
  assert.match(long, /\d{4}-\d\d-\d\d \d\d:\d\d/);
  assert.match(long, new RegExp(`&quot;call_id&quot;:&quot;${bad}&quot;`), 'the preview shows the event, escaped');
  assert.match(long, /action="\/settings\/integrations\/dead-letters\/\d+\/retry"/);
  const bin = rowOf(page.text_, letters.binotel.id);
  assert.ok(bin, 'the refused Binotel event is listed');
  assert.match(bin, /<td>binotel<\/td>/);
  assert.match(bin, /key=\[redacted\]/);
  assert.match(bin, new RegExp(`generalCallID=${binotelId}`));
  assert.doesNotMatch(page.text_, new RegExp(BINOTEL_KEY), 'Binotel\'s key is never shown');
  assert.doesNotMatch(page.text_, new RegExp(GENERIC_SECRET));
  assert.doesNotMatch(page.text_, /sha256=[0-9a-f]{16}/, 'no signature header is shown');
  const lateRow = rowOf(page.text_, letters.late.id);
  assert.ok(lateRow);
  assert.match(lateRow, new RegExp(`no integration &#39;${lateSlug}&#39;|no integration '${lateSlug}'`));
});

test('only a role with the settings permission sees or retries them', async () => {
  for (const [who, c] of [['manager', manager], ['intern', intern]]) {
    const page = await c.get(PAGE);
    assert.equal(page.status, 403, `${who} GET: ${page.status}`);
    assert.doesNotMatch(page.text_, /extension is longer/);
    const csrf = await csrfOf(c, '/calls');
    const r = await postForm(c, `${PAGE}/${letters.long.id}/retry`, [['csrf', csrf]]);
    assert.equal(r.status, 403, `${who} POST: ${r.status}`);
  }
  const row = (await sql('SELECT state, attempts FROM jobs WHERE id = ?', [letters.long.id]))[0];
  assert.deepEqual(row, ['failed', '1'], 'nothing was retried');
});

test('a retry needs the CSRF token', async () => {
  const r = await postForm(admin, `${PAGE}/${letters.long.id}/retry`, []);
  assert.equal(r.status, 403, r.text_.slice(0, 200));
  const r2 = await postForm(admin, `${PAGE}/${letters.long.id}/retry`, [['csrf', 'x'.repeat(43)]]);
  assert.equal(r2.status, 403);
  assert.equal((await sql('SELECT state FROM jobs WHERE id = ?', [letters.long.id]))[0][0], 'failed');
});

test('retry: refused again with the reason, once (no loop), still retryable', async () => {
  const r = await postForm(admin, `${PAGE}/${letters.long.id}/retry`, [['csrf', await csrfOf(admin, PAGE)]]);
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  assert.equal(r.headers.get('location'), `${PAGE}?retried=${letters.long.id}`);
  const o = await outcome(letters.long.id);
  assert.equal(o.state, 'refused');
  assert.match(o.text, /refused again: .*extension is longer than 16/);
  const row = (await sql('SELECT state, attempts FROM jobs WHERE id = ?', [letters.long.id]))[0];
  assert.deepEqual(row, ['failed', '1']);
  assert.ok(rowOf(o.html, letters.long.id), 'still listed, with its Retry button');
  // Retrying what is not a failed dead letter is refused with a reason.
  const r2 = await postForm(admin, `${PAGE}/999999999/retry`, [['csrf', await csrfOf(admin, PAGE)]]);
  assert.equal(r2.status, 404);
  assert.match(r2.text_, /not waiting for a retry/);
});

test('retry after fixing the cause: stored, and off the list', async () => {
  // The cause: the integration did not exist. The admin adds it (with the
  // secret the event was signed with) and retries.
  const c = await postForm(admin, '/settings/integrations/new', [
    ['csrf', await csrfOf(admin, '/settings/integrations')], ['kind', 'generic'], ['name', `Late ${lateSlug}`],
    ['slug', lateSlug], ['enabled', '1'], ['country', 'ua'], ['fallback', 'queue'], ['fallback_target', '500'],
    ['secret_secret', GENERIC_SECRET]]);
  assert.equal(c.status, 303, c.text_.slice(0, 400));
  const r = await postForm(admin, `${PAGE}/${letters.late.id}/retry`, [['csrf', await csrfOf(admin, PAGE)]]);
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  const o = await outcome(letters.late.id);
  assert.equal(o.state, 'stored', o.text);
  assert.match(o.text, /is stored now/);
  assert.equal(rowOf(o.html, letters.late.id), null, 'a stored event leaves the list');
  assert.equal((await callsOf(lateSlug, late)).length, 1, 'the call is stored');
});
