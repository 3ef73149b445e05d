// The integration's status page (issue 17 §3): last event received, the
// reconciliations (when, window, result, calls recovered) with "Reconcile
// now" for a chosen window (CSRF, settings permission, run by the worker),
// and the event inspector: the newest events with their outcome — stored,
// duplicate, refused and why — never showing a credential.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { DID, notify, oneCall, newId, unknownCaller, zdTime } from '../lib/zadarma.js';
import * as standin from '../lib/history_standin.js';

const { state } = standin;
let admin, manager, zdId, bnId;

before(async () => {
  await standin.start();
  admin = new Client();
  await admin.login('admin', 'admin');
  manager = new Client();
  await manager.login('manager', 'manager');
  [[zdId]] = await sql("SELECT id FROM integrations WHERE slug = 'zadarma'");
  [[bnId]] = await sql("SELECT id FROM integrations WHERE slug = 'binotel'");
});
after(standin.stop);

const statusOf = (id) => admin.get(`/settings/integrations/${id}/status`);
const csrfOf = (page) => page.text_.match(/name="csrf" value="([^"]+)"/)[1];

// "YYYY-MM-DD HH:MM" in the admin's zone, as the form takes it.
async function adminZone() {
  const [[tz]] = await sql("SELECT time_zone FROM users WHERE login = 'admin'");
  return tz || 'UTC';
}
function local(d, tz) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

async function waitRun(runId) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const [[st, err, recovered]] = await sql('SELECT state, error, recovered FROM reconcile_runs WHERE id = ?', [runId]);
    if (st === 'ok' || st === 'failed') return { st, err, recovered: Number(recovered) };
    if (Date.now() > deadline) assert.fail(`run ${runId} still ${st}`);
    await sql("UPDATE jobs SET run_at = UTC_TIMESTAMP(3) WHERE kind = 'reconcile.run' AND state = 'queued'");
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('only admins see the status page; the integration page links to it', async () => {
  let r = await manager.get(`/settings/integrations/${zdId}/status`);
  assert.equal(r.status, 403);
  r = await admin.get(`/settings/integrations/${zdId}`);
  assert.equal(r.status, 200);
  assert.match(r.text_, new RegExp(`href="/settings/integrations/${zdId}/status"`));
  r = await statusOf(999999);
  assert.equal(r.status, 404);
  r = await admin.get('/settings/integrations/999999/status?format=json');
  assert.equal(r.status, 404);
});

test('the inspector shows stored, duplicate and refused events with why, and the last event received', async () => {
  const id = newId();
  const fields = { event: 'NOTIFY_START', call_start: zdTime(new Date(Date.now() - 5000)), pbx_call_id: id,
    caller_id: unknownCaller(), called_did: DID };
  assert.equal((await notify(fields)).status, 200);
  assert.equal((await notify(fields)).status, 200, 'a retry is answered 200');
  const forged = { ...fields, pbx_call_id: newId() };
  assert.equal((await notify(forged, { signature: 'Zm9yZ2Vk' })).status, 403);
  const r = await admin.get(`/settings/integrations/${zdId}/status?format=json`);
  assert.equal(r.status, 200);
  const m = JSON.parse(r.text_);
  assert.equal(m.last_event.source, 'hook');
  assert.equal(m.last_event.kind, 'NOTIFY_START');
  const mine = m.events.filter((e) => e.call === id || e.call === forged.pbx_call_id || (e.outcome === 'denied'));
  const outcomes = mine.map((e) => e.outcome);
  assert.ok(outcomes.includes('stored'), JSON.stringify(mine));
  assert.ok(outcomes.includes('duplicate'), JSON.stringify(mine));
  const denied = m.events.find((e) => e.outcome === 'denied');
  assert.ok(denied, JSON.stringify(m.events.slice(0, 5)));
  assert.match(denied.why, /Signature/);
  assert.match(denied.preview, new RegExp(forged.pbx_call_id));
  const html = (await statusOf(zdId)).text_;
  assert.match(html, /data-outcome="duplicate"/);
  assert.match(html, /data-outcome="denied"/);
  assert.match(html, /bad Signature/);
});

test('the inspector never shows a credential: Binotel\'s ?key= is redacted', async () => {
  const gid = `7${Date.now()}`;
  const body = new URLSearchParams({ requestType: 'hangupTheCall', generalCallID: gid, billsec: '0',
    disposition: 'CANCEL' }).toString();
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${BASE}/hook/binotel?key=demo-binotel-key`, { method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    assert.equal(res.status, 200);
  }
  const r = await statusOf(bnId);
  assert.equal(r.status, 200);
  assert.match(r.text_, new RegExp(`data-outcome="duplicate"[\\s\\S]*?${gid}`));
  assert.doesNotMatch(r.text_, /demo-binotel-key|demo-binotel-secret/);
  assert.match(r.text_, /\[redacted\]/);
});

test('"Reconcile now": CSRF and the window are checked; the worker runs it and the page shows the result', async () => {
  const page = await statusOf(zdId);
  assert.equal(page.status, 200);
  assert.match(page.text_, /id="reconcile-form"/);
  const tz = await adminZone();
  const from = local(new Date(Date.now() - 3600e3), tz);
  const to = local(new Date(Date.now() + 60e3), tz);
  let r = await admin.post(`/settings/integrations/${zdId}/reconcile`, { form: { from, to } });
  assert.equal(r.status, 403, 'no CSRF token');
  r = await admin.post(`/settings/integrations/${zdId}/reconcile`,
    { form: { csrf: csrfOf(page), from: to, to: from } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /must end after it starts/);
  r = await admin.post(`/settings/integrations/${zdId}/reconcile`,
    { form: { csrf: csrfOf(page), from: 'yesterday', to } });
  assert.equal(r.status, 400);
  assert.match(r.text_, /YYYY-MM-DD HH:MM/);
  r = await manager.post(`/settings/integrations/${zdId}/reconcile`,
    { form: { csrf: csrfOf(await manager.get('/calls')), from, to } });
  assert.equal(r.status, 403, 'a manager may not');

  const id = newId();
  const start = new Date(Date.now() - 10 * 60000);
  state.mode = 'ok';
  state.zadarma = [{ call_id: 1717495200.5, sip: '101', callstart: zdTime(start), clid: unknownCaller(),
    destination: 101, disposition: 'answered', seconds: 12, is_recorded: false, pbx_call_id: id }];
  r = await admin.post(`/settings/integrations/${zdId}/reconcile`, { form: { csrf: csrfOf(page), from, to } });
  assert.equal(r.status, 303, r.text_.slice(0, 300));
  const runId = Number(r.headers.get('location').match(/\/status\?queued=(\d+)$/)[1]);
  const run = await waitRun(runId);
  assert.equal(run.st, 'ok', run.err);
  assert.equal(run.recovered, 1);
  const c = await oneCall(id);
  assert.equal(c.talk_seconds, 12);
  const m = JSON.parse((await admin.get(`/settings/integrations/${zdId}/status?format=json`)).text_);
  assert.equal(m.last_run.id, runId);
  assert.equal(m.last_run.state, 'ok');
  assert.equal(m.last_run.trigger, 'from this page');
  assert.equal(m.last_run.recovered, 1);
  assert.ok(m.events.some((e) => e.call === id && e.source === 'reconcile' && e.outcome === 'stored'));
});

test('a failing history API: the page says why, nothing stored', async () => {
  const page = await statusOf(zdId);
  const tz = await adminZone();
  state.mode = '500';
  try {
    const r = await admin.post(`/settings/integrations/${zdId}/reconcile`, { form: { csrf: csrfOf(page),
      from: local(new Date(Date.now() - 3600e3), tz), to: local(new Date(), tz) } });
    assert.equal(r.status, 303);
    const runId = Number(r.headers.get('location').match(/queued=(\d+)/)[1]);
    const run = await waitRun(runId);
    assert.equal(run.st, 'failed');
  } finally {
    state.mode = 'ok';
  }
  const html = (await statusOf(zdId)).text_;
  assert.match(html, /id="last-run" data-state="failed"/);
  assert.match(html, /answered HTTP 500/);
  assert.doesNotMatch(html, /demo-zadarma-(key|secret)/);
});

test('a provider without a history API says so', async () => {
  const [[gid]] = await sql("SELECT id FROM integrations WHERE slug = 'generic'");
  const page = await statusOf(gid);
  assert.equal(page.status, 200);
  assert.match(page.text_, /no call history to reconcile from/);
  const r = await admin.post(`/settings/integrations/${gid}/reconcile`,
    { form: { csrf: csrfOf(page), from: '2026-01-01 00:00', to: '2026-01-02 00:00' } });
  assert.equal(r.status, 400);
});
