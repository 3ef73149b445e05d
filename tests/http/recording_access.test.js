// Recordings behind role permissions (issue 4 §4, DESIGN §8 journey 5):
// the manager plays, seeks (Range) and downloads; the intern can use the
// history but never gets a recording's bytes by any URL, method or header;
// every play and download is in the listening log.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, Client } from '../lib/http.js';
import { api } from '../lib/generic.js';
import { sql } from '../lib/db.js';

let manager, intern, stored, storedWithOrder, noRecording;

before(async () => {
  manager = new Client();
  await manager.login('manager', 'manager');
  intern = new Client();
  await intern.login('intern', 'intern');
  // Demo calls: their recordings are the demo file (other tests add calls
  // with recordings of their own). Chosen in the database, not among the
  // newest calls: on a stack the tests ran on before, those are all the
  // tests' own.
  stored = await apiCall("c.recording_path = 'demo/demo.wav' AND c.recording_state = 'stored'");
  storedWithOrder = await apiCall("c.recording_path = 'demo/demo.wav' AND c.recording_state = 'stored' AND c.order_id IS NOT NULL");
  noRecording = await apiCall("c.recording_state IN ('unavailable', 'none')");
  assert.ok(stored && storedWithOrder && noRecording, 'demo data has calls of each kind');
});

// The oldest call matching where (SQL on calls c), as the API shows it.
async function apiCall(where) {
  const rows = await sql(`SELECT i.slug, c.external_id FROM calls c JOIN integrations i ON i.id = c.integration_id
                          WHERE ${where} ORDER BY c.id LIMIT 1`);
  if (!rows.length) return null;
  const [[slug, ext]] = rows;
  const r = await api(`/api/v1/calls?integration=${encodeURIComponent(slug)}&external_id=${encodeURIComponent(ext)}`);
  assert.equal(r.status, 200, r.text_);
  return r.json_.calls[0];
}

// Sends a request with the client's cookies and returns status, headers
// and the raw bytes.
async function raw(client, path, { method = 'GET', headers = {} } = {}) {
  const res = await fetch(BASE + path, { method, headers: { cookie: client ? client.cookieHeader() : '', ...headers }, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

const isAudio = (r) => /^audio\//.test(r.headers.get('content-type') || '') || r.body.subarray(0, 4).toString() === 'RIFF';

test('the manager plays a recording: audio bytes, logged', async () => {
  const [[before]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'play'", [stored.id]);
  const r = await raw(manager, `/calls/${stored.id}/recording`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'audio/wav');
  assert.equal(r.body.subarray(0, 4).toString(), 'RIFF');
  assert.ok(r.body.length > 100000);
  const [[after]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'play'", [stored.id]);
  assert.equal(Number(after), Number(before) + 1);
});

test('the manager seeks with Range and gets 206 with exactly those bytes', async () => {
  const full = await raw(manager, `/calls/${stored.id}/recording`);
  const r = await raw(manager, `/calls/${stored.id}/recording`, { headers: { range: 'bytes=1000-1099' } });
  assert.equal(r.status, 206);
  assert.equal(r.body.length, 100);
  assert.deepEqual(r.body, full.body.subarray(1000, 1100));
  assert.match(r.headers.get('content-range'), /^bytes 1000-1099\//);
});

test('HEAD tells the size without bytes', async () => {
  const r = await raw(manager, `/calls/${stored.id}/recording`, { method: 'HEAD' });
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  assert.ok(Number(r.headers.get('content-length')) > 100000);
});

test('the manager downloads: attachment, logged as a download', async () => {
  const r = await raw(manager, `/calls/${stored.id}/recording?download=1`);
  assert.equal(r.status, 200);
  // A telling name (issue 18): local date and time, number, customer; RFC 5987 filename* for UTF-8.
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="\d{4}-\d\d-\d\d \d\d\.\d\d [^"]*\.wav"; filename\*=UTF-8''\d{4}-\d\d-\d\d%20\d\d\.\d\d%20[A-Za-z0-9%._~-]*\.wav$/);
  const [[n]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'download'", [stored.id]);
  assert.ok(Number(n) >= 1);
});

test('the intern uses the history but its page has no player', async () => {
  const url = '/calls?external_id=' + encodeURIComponent(stored.external_id);
  const page = await intern.get(url);
  assert.equal(page.status, 200);
  assert.match(page.text_, /recorded/);
  assert.ok(!page.text_.includes('<audio'));
  const mpage = await manager.get(url);
  assert.ok(mpage.text_.includes(`<audio controls preload="none" src="/calls/${stored.id}/recording">`));
});

test('the intern never gets recording bytes: GET, Range, HEAD, download, feeds', async () => {
  const attempts = [
    [`/calls/${stored.id}/recording`, {}],
    [`/calls/${stored.id}/recording`, { headers: { range: 'bytes=0-99' } }],
    [`/calls/${stored.id}/recording`, { method: 'HEAD' }],
    [`/calls/${stored.id}/recording?download=1`, {}],
    [`/calls/${storedWithOrder.id}/recording?from=order:${storedWithOrder.order_id}`, {}],
    [`/calls/${stored.id}/recording?from=customer:${stored.customer ? stored.customer.id : 1}`, {}],
  ];
  for (const [path, opts] of attempts) {
    const r = await raw(intern, path, opts);
    assert.equal(r.status, 403, `${opts.method || 'GET'} ${path} ${JSON.stringify(opts.headers || {})}`);
    assert.ok(!isAudio(r), `no audio for ${path}`);
  }
});

test('guessed ids, missing ids and calls without recordings give no bytes', async () => {
  for (const client of [intern, manager]) {
    const none = await raw(client, `/calls/${noRecording.id}/recording`);
    assert.ok([403, 404].includes(none.status));
    assert.ok(!isAudio(none));
    const missing = await raw(client, '/calls/999999999/recording');
    assert.equal(missing.status, 404);
  }
  const r = await raw(manager, `/calls/${noRecording.id}/recording`);
  assert.equal(r.status, 404);
  assert.match(r.body.toString(), /no recording/);
});

test('a feed context must be the call\'s own feed', async () => {
  const wrong = await raw(manager, `/calls/${storedWithOrder.id}/recording?from=order:${Number(storedWithOrder.order_id) + 1}`);
  assert.equal(wrong.status, 403);
  const right = await raw(manager, `/calls/${storedWithOrder.id}/recording?from=order:${storedWithOrder.order_id}`);
  assert.equal(right.status, 200);
  const bad = await raw(manager, `/calls/${stored.id}/recording?from=../etc`);
  assert.equal(bad.status, 400);
});

test('no session, direct file URLs and path tricks never give bytes', async () => {
  const anon = await raw(null, `/calls/${stored.id}/recording`);
  assert.equal(anon.status, 303);
  assert.ok(!isAudio(anon));
  for (const path of ['/_recordings/demo/demo.wav', '/_recordings/../stack/callboard.conf',
    `/calls/${stored.id}/recording/../../_recordings/demo/demo.wav`,
    '/calls/1/../_recordings/demo/demo.wav', '/static/../recordings/demo/demo.wav',
    '/%5frecordings/demo/demo.wav', `/calls/${stored.id}/recording%2f..%2f..%2f_recordings%2fdemo%2fdemo.wav`]) {
    for (const client of [intern, manager]) {
      const r = await raw(client, path);
      assert.ok(!isAudio(r), `${path} gave audio`);
      assert.ok(r.status >= 300, `${path}: ${r.status}`);
    }
  }
});

test("the demo's speech calls (issue 22) play their dialogues as Ogg Vorbis", async () => {
  for (const [ext, file] of [['demo-special-S1', 'order_call'], ['demo-special-S8', 'delivery_call'],
    ['demo-special-S2', 'cancel_call']]) {
    const c = await apiCall(`c.external_id = '${ext}'`);
    assert.ok(c, ext);
    const [[path]] = await sql('SELECT recording_path FROM calls WHERE id = ?', [c.id]);
    assert.equal(path, `demo/speech-${file}.ogg`);
    const r = await raw(manager, `/calls/${c.id}/recording`);
    assert.equal(r.status, 200, ext);
    assert.equal(r.headers.get('content-type'), 'audio/ogg');
    assert.equal(r.body.subarray(0, 4).toString(), 'OggS');
    assert.ok(r.body.length > 100000);
  }
});
