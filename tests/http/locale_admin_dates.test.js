// The admin pages write dates as the history does (issue 18): the exceptions list, refused
// events, an integration's status (its reconciliation runs and their windows), a trigger's runs
// and the triggers list, and the listening log show the viewer's language's form inside
// <time datetime="ISO local">; the JSON keeps the ISO local time with "_shown" beside it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { createUser, uniq } from '../lib/settings.js';

// 12:05 UTC on 6 Dec is 14:05 in Kyiv; the reconciliation window starts two days before.
const AT = '2026-12-06 12:05:00';
const FROM = '2026-12-04 12:05:00';
const LOCAL = { at: '2026-12-06 14:05', from: '2026-12-04 14:05' };
const SHOWN = {
  uk: { at: '06.12.2026 14:05', from: '04.12.2026 14:05' },
  pl: { at: '6.12.2026 14:05', from: '4.12.2026 14:05' },
};
let viewer, viewerId, zadarma, runId, jobId, exceptionPhone, triggerId, listenId;

before(async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'admin'");
  const login = uniq('admd');
  viewerId = await createUser(admin, { name: 'Admin Dates', login, role_id: roleId, password: 'long enough pw',
    time_zone: 'Europe/Kyiv' });
  viewer = new Client();
  await viewer.login(login, 'long enough pw');

  exceptionPhone = `+38093${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  await sql(`INSERT INTO phone_exceptions (phone, phone_digits_rev, comment, created_by, created_at)
    VALUES (?, REVERSE(REPLACE(?, '+', '')), 'dates test', ?, ?)`, [exceptionPhone, exceptionPhone, viewerId, AT]);
  await sql(`INSERT INTO jobs (kind, payload, state, attempts, max_attempts, last_error, created_at, finished_at)
    VALUES ('event.refused', JSON_OBJECT('slug', 'asterisk', 'record', JSON_OBJECT('method', 'POST',
      'query', '', 'content_type', 'application/json', 'body', TO_BASE64('{}'))), 'failed', 1, 1,
      'dates test', ?, ?)`, [AT, AT]);
  [[jobId]] = await sql("SELECT MAX(id) FROM jobs WHERE kind = 'event.refused' AND last_error = 'dates test'");
  [[zadarma]] = await sql("SELECT id FROM integrations WHERE slug = 'zadarma'");
  await sql(`INSERT INTO reconcile_runs (integration_id, trigger_kind, window_from, window_to, state, created_at,
    finished_at) VALUES (?, 'admin', ?, ?, 'ok', ?, ?)`, [zadarma, FROM, AT, AT, AT]);
  [[runId]] = await sql('SELECT MAX(id) FROM reconcile_runs WHERE integration_id = ?', [zadarma]);
  // Disabled: it never runs for other tests' calls.
  await sql(`INSERT INTO triggers (name, event, enabled, conditions, actions)
    VALUES (?, 'missed_call', 0, '{}', '[{"type": "notify"}]')`, [uniq('Dates ')]);
  [[triggerId]] = await sql('SELECT MAX(id) FROM triggers');
  await sql("INSERT INTO trigger_runs (trigger_id, action, result, created_at) VALUES (?, 'notify', 'ok', ?)",
    [triggerId, AT]);
  const [[call]] = await sql('SELECT MAX(id) FROM calls');
  await sql("INSERT INTO listening_log (user_id, call_id, action, context, created_at) VALUES (?, ?, 'play', 'calls', ?)",
    [viewerId, call, AT]);
  [[listenId]] = await sql('SELECT MAX(id) FROM listening_log WHERE user_id = ?', [viewerId]);
});

after(async () => {
  await sql('DELETE FROM phone_exceptions WHERE phone = ?', [exceptionPhone]);
  await sql('DELETE FROM jobs WHERE id = ?', [jobId]);
  await sql('DELETE FROM reconcile_runs WHERE id = ?', [runId]);
  await sql('DELETE FROM triggers WHERE id = ?', [triggerId]);
  // The listening log is an audit log (no cascades): this row names a test user only.
  await sql('DELETE FROM listening_log WHERE id = ?', [listenId]);
});

const get = (path, lang) => viewer.get(path, { headers: { 'accept-language': lang } });
// The end of a <time> tag (a class may come before datetime).
const timeTag = (iso, shown) => `datetime="${iso}">${shown}</time>`;

for (const [lang, shown] of Object.entries(SHOWN)) {
  test(`${lang}: the admin pages write dates as ${lang} does; datetime stays ISO`, async () => {
    const pages = {
      '/settings/exceptions': [timeTag(LOCAL.at, shown.at)],
      '/settings/integrations/dead-letters': [timeTag(LOCAL.at, shown.at)],
      [`/settings/integrations/${zadarma}/status`]: [
        `${timeTag(LOCAL.from, shown.from)} – <time ${timeTag(LOCAL.at, shown.at)}`],
      [`/settings/triggers/${triggerId}`]: [timeTag(LOCAL.at, shown.at)],
      '/settings/triggers': [timeTag(LOCAL.at, shown.at)],
      [`/settings/listening-log?user=${viewerId}`]: [timeTag(LOCAL.at, shown.at)],
    };
    for (const [path, wants] of Object.entries(pages)) {
      const r = await get(path, lang);
      assert.equal(r.status, 200, `${path}: ${r.status}`);
      assert.match(r.text_, new RegExp(`<html lang="${lang}"`));
      for (const w of wants) assert.ok(r.text_.includes(w), `${lang} ${path}: ${w}`);
      assert.ok(!r.text_.includes(`>${LOCAL.at}<`), `${lang} ${path}: no ISO text`);
    }
  });
}

test('JSON keeps the ISO local time and says the shown form beside it', async () => {
  const status = JSON.parse((await get(`/settings/integrations/${zadarma}/status?format=json`, 'pl')).text_);
  const run = status.runs.find((x) => x.id === Number(runId));
  assert.equal(run.created, LOCAL.at);
  assert.equal(run.created_shown, SHOWN.pl.at);
  assert.equal(run.window_from_shown, SHOWN.pl.from);
  const log = JSON.parse((await get(`/settings/listening-log?user=${viewerId}&format=json`, 'uk')).text_);
  assert.equal(log.rows[0].time, LOCAL.at);
  assert.equal(log.rows[0].time_shown, SHOWN.uk.at);
});
