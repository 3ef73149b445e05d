// Transcripts (issue 22): the card shows a call's transcript beside the
// player with the summary; reading it is in the listening log; admins
// correct lines and the summary (kept with who and when, earlier versions
// kept); an intern, who may not hear the recording, sees no transcript text
// anywhere (card, its JSON, the history's summary column, the said search)
// and is refused every transcript action; /calls?said= finds calls by
// words said, with the other filters, through the FULLTEXT index.
//
// The transcripts are written here as the worker stores them (the engine's
// own path is tested against a stand-in in tests/unit/test_transcribe.c).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const run = promisify(execFile);
const BUILD = process.env.CB_BUILD_DIR || path.resolve('build-test');
// A word no demo data has, different per run (the index is shared).
const WORD = `zephyrine${Date.now().toString(36)}`;
let admin, manager, intern, callId, direction, version;

const lines = [
  { start_ms: 0, end_ms: 2400, side: 'customer', text: `Hello, I am calling about the ${WORD} delivery.` },
  { start_ms: 2500, end_ms: 5100, side: 'manager', text: 'It arrives on Friday morning.' },
  { start_ms: 12250, end_ms: 15000, side: '', text: 'Thank you, goodbye.' },
];

before(async () => {
  admin = new Client();
  await admin.login('admin', 'admin');
  manager = new Client();
  await manager.login('manager', 'manager');
  intern = new Client();
  await intern.login('intern', 'intern');
  // A demo call with a stored recording and no transcript yet.
  const rows = await sql(`SELECT c.id, c.direction FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id
                          WHERE c.recording_state = 'stored' AND t.call_id IS NULL ORDER BY c.id LIMIT 1`);
  assert.ok(rows.length, 'a demo call with a recording');
  [[callId, direction]] = rows;
  await sql(`INSERT INTO transcripts (call_id, status, engine, language, draft, utterances, words, summary,
             summary_head, version) VALUES (?, 'done', 'http', 'en', 1, ?, ?, ?, ?, 1)`,
  [callId, JSON.stringify(lines), lines.map((l) => l.text).join('\n'),
    `The customer asked when the ${WORD} delivery comes. It arrives on Friday.`,
    `The customer asked when the ${WORD} delivery comes.`]);
  version = 1;
});

test('the manager reads the transcript on the card: lines with their start, sides, draft mark, summary', async () => {
  const r = await manager.get(`/calls/${callId}`);
  assert.equal(r.status, 200);
  assert.match(r.text_, /<section class="transcript" id="transcript"/);
  assert.match(r.text_, /data-start="2\.500"/);
  assert.match(r.text_, /data-start="12\.250"[^>]*>\s*<button type="button" class="seek" data-start="12\.250">0:12<\/button>/);
  assert.match(r.text_, new RegExp(`the ${WORD} delivery`));
  assert.match(r.text_, /<span class="side">Customer<\/span>/);
  assert.match(r.text_, /class="draft"/);
  assert.match(r.text_, /It arrives on Friday\.<\/p>/);
  // no correction forms for a role without transcripts.edit
  assert.doesNotMatch(r.text_, /transcript\/edit/);
  const j = await manager.get(`/calls/${callId}?format=json`);
  const t = JSON.parse(j.text_).transcript;
  assert.equal(t.status, 'done');
  assert.equal(t.lines.length, 3);
  assert.equal(t.lines[1].side, 'manager');
  assert.equal(t.lines[2].start_ms, 12250);
  assert.equal(t.draft, true);
});

test('reading a transcript is in the listening log', async () => {
  const [[before]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'transcript'", [callId]);
  await manager.get(`/calls/${callId}`);
  const rows = await sql(`SELECT u.login, g.context FROM listening_log g JOIN users u ON u.id = g.user_id
                          WHERE g.call_id = ? AND g.action = 'transcript' ORDER BY g.id DESC LIMIT 1`, [callId]);
  const [[after]] = await sql("SELECT COUNT(*) FROM listening_log WHERE call_id = ? AND action = 'transcript'", [callId]);
  assert.equal(Number(after), Number(before) + 1);
  assert.deepEqual(rows[0], ['manager', 'card']);
});

test('the intern sees no transcript text anywhere and is refused every transcript action', async () => {
  const card = await intern.get(`/calls/${callId}`);
  assert.equal(card.status, 200);
  assert.doesNotMatch(card.text_, new RegExp(WORD));
  assert.doesNotMatch(card.text_, /id="transcript"/);
  const j = await intern.get(`/calls/${callId}?format=json`);
  assert.equal(JSON.parse(j.text_).transcript, null);
  assert.doesNotMatch(j.text_, new RegExp(WORD));
  const list = await intern.get('/calls?format=json');
  assert.doesNotMatch(list.text_, new RegExp(WORD));
  assert.ok(JSON.parse(list.text_).calls.every((c) => c.summary === undefined));
  const said = await intern.get(`/calls?said=${WORD}`);
  assert.equal(said.status, 403);
  assert.doesNotMatch(said.text_, new RegExp(`${WORD} delivery`));
  const csrf = await intern.csrf();
  const edit = await intern.post(`/calls/${callId}/transcript/edit`, { form: { csrf, version: '1', summary: 'x' } });
  assert.equal(edit.status, 403);
  const req = await intern.post(`/calls/${callId}/transcript`, { form: { csrf } });
  assert.equal(req.status, 403);
  const [[n]] = await sql("SELECT COUNT(*) FROM listening_log g JOIN users u ON u.id = g.user_id WHERE u.login = 'intern' AND g.action = 'transcript'");
  assert.equal(Number(n), 0);
});

test('a manager may read but not correct; CSRF is required', async () => {
  const csrf = await manager.csrf();
  const r = await manager.post(`/calls/${callId}/transcript/edit`, { form: { csrf, version: '1', summary: 'mine' } });
  assert.equal(r.status, 403);
  const noCsrf = await admin.post(`/calls/${callId}/transcript/edit`, { form: { version: '1', summary: 'x' } });
  assert.equal(noCsrf.status, 403);
});

test('an admin corrects a line and the summary: kept with who and when, the earlier version kept', async () => {
  const csrf = await admin.csrf();
  const card = await admin.get(`/calls/${callId}`);
  assert.match(card.text_, /class="tr-line-edit"/);
  let r = await admin.post(`/calls/${callId}/transcript/edit`,
    { form: { csrf, version: String(version), line: '1', text: 'It arrives on Friday at nine.' } });
  assert.equal(r.status, 303, r.text_);
  assert.match(r.headers.get('location'), /transcript=saved#transcript$/);
  version++;
  r = await admin.post(`/calls/${callId}/transcript/edit`,
    { form: { csrf, version: String(version), summary: `Asked about the ${WORD} delivery. Friday at nine.` } });
  assert.equal(r.status, 303, r.text_);
  version++;
  const j = JSON.parse((await admin.get(`/calls/${callId}?format=json`)).text_).transcript;
  assert.equal(j.lines[1].text, 'It arrives on Friday at nine.');
  assert.equal(j.lines[1].side, 'manager');
  assert.equal(j.lines[0].text, lines[0].text);
  assert.equal(j.summary, `Asked about the ${WORD} delivery. Friday at nine.`);
  assert.ok(j.edited && j.edited.by && j.edited.at, JSON.stringify(j));
  const [[head, editor]] = await sql(`SELECT t.summary_head, u.login FROM transcripts t JOIN users u ON u.id = t.edited_by
                                      WHERE t.call_id = ?`, [callId]);
  assert.equal(head, `Asked about the ${WORD} delivery.`);
  assert.equal(editor, 'admin');
  const kept = await sql('SELECT version, made_by, replaced_by FROM transcript_versions WHERE call_id = ? ORDER BY version', [callId]);
  assert.equal(kept.length, 2);
  assert.equal(kept[0][0], '1');
  assert.equal(kept[0][1], null);     // the engine's own text
  // a stale form (the version someone else replaced) changes nothing
  r = await admin.post(`/calls/${callId}/transcript/edit`, { form: { csrf, version: '1', summary: 'stale' } });
  assert.equal(r.status, 409);
  assert.match(r.text_, /changed this transcript/);
});

test('bad corrections: 400 with what to do', async () => {
  const csrf = await admin.csrf();
  const cases = [
    [{ version: String(version), line: '99', text: 'x' }, /no such line/],
    [{ version: String(version), line: '0', text: '   ' }, /cannot be empty/],
    [{ version: 'abc', summary: 'x' }, /version/],
    [{ version: String(version) }, /line number with its corrected text, or a corrected summary/],
    [{ version: String(version), line: '0', text: 'x'.repeat(2001) }, /at most 2000/],
  ];
  for (const [form, why] of cases) {
    const r = await admin.post(`/calls/${callId}/transcript/edit`, { form: { csrf, ...form } });
    assert.equal(r.status, 400, JSON.stringify(form));
    assert.match(r.text_, why);
  }
});

test('said= finds the call by a word said, combines with other filters, and shows the summary column', async () => {
  let r = await manager.get(`/calls?said=${WORD}&format=json`);
  assert.equal(r.status, 200, r.text_);
  let m = JSON.parse(r.text_);
  assert.deepEqual(m.calls.map((c) => String(c.id)), [String(callId)]);
  assert.equal(m.calls[0].summary, `Asked about the ${WORD} delivery.`);
  assert.equal(m.filters.said, WORD);
  // with the call's own direction: still there; with another: gone
  r = await manager.get(`/calls?said=${WORD}+Friday&direction=${direction}&format=json`);
  assert.equal(JSON.parse(r.text_).calls.length, 1);
  const other = direction === 'in' ? 'out' : 'in';
  r = await manager.get(`/calls?said=${WORD}&direction=${other}&format=json`);
  assert.equal(JSON.parse(r.text_).calls.length, 0);
  // every word must be said
  r = await manager.get(`/calls?said=${WORD}+spaceship&format=json`);
  assert.equal(JSON.parse(r.text_).calls.length, 0);
  // the page: the box keeps the words, the row its summary
  r = await manager.get(`/calls?said=${WORD}`);
  assert.match(r.text_, new RegExp(`name="said" type="search" placeholder="delivery Friday" value="${WORD}"`));
  assert.match(r.text_, new RegExp(`<td class="summary"><a href="/calls/${callId}">Asked about the ${WORD} delivery.</a>`));
});

test('said= bad input: blanks ignored with a notice, short and common words explained', async () => {
  let r = await manager.get('/calls?said=%20%20&format=json');
  assert.equal(r.status, 200);
  assert.ok(JSON.parse(r.text_).notices.some((n) => /words said.*empty/.test(n)));
  r = await manager.get('/calls?said=to+be+ok');
  assert.equal(r.status, 400);
  assert.match(r.text_, /shorter than 3 letters/);
  r = await manager.get(`/calls?said=ok+${WORD}&format=json`);
  assert.equal(r.status, 200);
  assert.ok(JSON.parse(r.text_).notices.some((n) => /shorter than 3 letters are not searched: ok/.test(n)));
  r = await manager.get(`/calls?said=${'x'.repeat(300)}`);
  assert.equal(r.status, 400);
  // operators are text, never a syntax error
  r = await manager.get(`/calls?said=${encodeURIComponent(`"${WORD}" +(-~<>@`)}&format=json`);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.text_).calls.length, 1);
});

test('said= is served by the FULLTEXT index, the calls by primary key', async () => {
  const { stdout } = await run(path.join(BUILD, 'tests/explain/history_sql'), [`said=+${WORD}`, 'direction=in', 'from=2020-01-01 00:00:00']);
  const q = JSON.parse(stdout);
  const rows = await sql(`EXPLAIN ${q.sql}`, q.params);
  const tr = rows.find((r) => r[2] === 't');
  const c = rows.find((r) => r[2] === 'c');
  assert.equal(tr[3], 'fulltext', JSON.stringify(rows));
  assert.equal(tr[5], 'ft_transcripts_said');
  assert.equal(c[3], 'eq_ref', JSON.stringify(rows));
  assert.equal(c[5], 'PRIMARY');
  assert.ok(rows.every((r) => r[3] !== 'ALL'), JSON.stringify(rows));
});

test('with transcription off on this server the card offers no button and the request says why', async () => {
  const [[other]] = await sql(`SELECT c.id FROM calls c LEFT JOIN transcripts t ON t.call_id = c.id
                               WHERE c.recording_state = 'stored' AND t.call_id IS NULL ORDER BY c.id LIMIT 1`);
  const conf = await sql('SELECT 1');
  assert.ok(conf.length);
  const card = await manager.get(`/calls/${other}`);
  const engineOn = /class="tr-request"/.test(card.text_);
  const csrf = await manager.csrf();
  const r = await manager.post(`/calls/${other}/transcript`, { form: { csrf } });
  if (engineOn) {
    assert.equal(r.status, 303);
    const [[st]] = await sql('SELECT status FROM transcripts WHERE call_id = ?', [other]);
    assert.ok(['queued', 'running', 'done', 'failed'].includes(st));
    const [[jobs]] = await sql("SELECT COUNT(*) FROM jobs WHERE kind = 'transcript.make' AND call_id = ?", [other]);
    assert.ok(Number(jobs) >= 1);
  } else {
    assert.equal(r.status, 400);
    assert.match(r.text_, /Transcription is off on this server/);
  }
});
