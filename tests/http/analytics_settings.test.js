// Settings › Analytics (issue 21): the missed-call follow-up's target in
// minutes. A form with CSRF, checked on the server (a whole number 1-1440,
// else 400 with the reason beside the field), for `settings` only; the
// report's within/late split follows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

let admin, manager;
before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  manager = new Client();
  await manager.login('manager', 'manager');
});
after(async () => {
  await sql("DELETE FROM settings WHERE name = 'analytics.callback_target_minutes'");
});

const stored = async () => {
  const rows = await sql("SELECT value FROM settings WHERE name = 'analytics.callback_target_minutes'");
  return rows.length ? rows[0][0] : null;
};

test('the form shows the target (15 when unset) and saves a new one', async () => {
  await sql("DELETE FROM settings WHERE name = 'analytics.callback_target_minutes'");
  let r = await admin.get('/settings/analytics');
  assert.equal(r.status, 200);
  assert.match(r.text_, /name="target_minutes"[^>]*value="15"/);
  assert.match(r.text_, /name="csrf" value="[^"]+"/);
  const csrf = await admin.csrf();
  r = await admin.post('/settings/analytics', { form: { csrf, target_minutes: '45' } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/settings/analytics?saved=1');
  assert.equal(await stored(), '45');
  r = await admin.get('/settings/analytics?saved=1');
  assert.match(r.text_, /The target is saved/);
  assert.match(r.text_, /value="45"/);
  const m = JSON.parse((await admin.get('/analytics?format=json')).text_);
  assert.equal(m.followup.target_minutes, 45);
  const index = await admin.get('/settings');
  assert.match(index.text_, /href="\/settings\/analytics"/);
});

test('a bad target is refused with the reason, and nothing is saved', async () => {
  const csrf = await admin.csrf();
  await admin.post('/settings/analytics', { form: { csrf, target_minutes: '30' } });
  for (const v of ['0', '1441', 'abc', '', '15.5', '-3', '99999999999999999999']) {
    const r = await admin.post('/settings/analytics', { form: { csrf, target_minutes: v } });
    assert.equal(r.status, 400, `"${v}": ${r.status}`);
    assert.match(r.text_, /whole number of minutes from 1 to 1440/, v);
    assert.equal(await stored(), '30', v);
  }
});

test('without a CSRF token, or without `settings`, nothing is saved', async () => {
  let r = await admin.post('/settings/analytics', { form: { target_minutes: '20' } });
  assert.equal(r.status, 403);
  r = await manager.get('/settings/analytics');
  assert.equal(r.status, 403);
  r = await manager.post('/settings/analytics', { form: { csrf: await manager.csrf(), target_minutes: '20' } });
  assert.equal(r.status, 403);
  assert.notEqual(await stored(), '20');
});
