// Settings › Integrations › <integration>: two settings that were keys typed
// into the config JSON get fields of the form (issue 19 §1, issue 22):
// the generic format's and Asterisk's hang-up request (hangup_url and
// hangup_method, checked by the same rule as make_call_url, the message
// beside the field, empty removes) and "Transcribe recordings automatically"
// (config transcribe_recordings, every provider with recordings, with the
// engine this server uses). A form without a field keeps what is stored, and
// a save keeps the config keys the form does not edit. CSRF and the settings
// permission as every form; the card of a live call then has "Hang up".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, callsOf, uid } from '../lib/generic.js';

let admin;
const SECRET = 'form-fields-secret-0123456789';
const slugOf = (k) => `t-${k}-${randomBytes(4).toString('hex')}`;

async function csrfOf(client, p) {
  const page = await client.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function postForm(client, p, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return client.request(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

const configOf = async (id) => JSON.parse((await sql('SELECT config FROM integrations WHERE id = ?', [id]))[0][0]);

// A new integration of kind through the form; its id.
async function create(kind, fields) {
  const slug = slugOf(kind);
  const r = await postForm(admin, '/settings/integrations/new', [['csrf', await csrfOf(admin, '/settings/integrations')],
    ['kind', kind], ['name', `Test ${slug}`], ['slug', slug], ['enabled', '1'], ['country', 'ua'], ['fallback', ''],
    ...fields]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  return { id: Number(r.headers.get('location').match(/integrations\/(\d+)/)[1]), slug };
}

// An edit of integration id: the always-present fields plus extra.
async function edit(id, extra, { client = admin, csrf } = {}) {
  const token = csrf === undefined ? await csrfOf(admin, `/settings/integrations/${id}`) : csrf;
  const f = token === null ? [] : [['csrf', token]];
  return postForm(client, `/settings/integrations/${id}`, [...f, ['name', 'Test edit'], ['enabled', '1'],
    ['country', 'ua'], ['fallback', ''], ...extra]);
}

before(async () => { admin = new Client(); await admin.login('admin', 'admin'); });
after(async () => { await sql("UPDATE integrations SET enabled = 0 WHERE slug LIKE 't-%'"); });

test('hang-up request: saved, read back, checked like make_call_url, empty removes, other keys kept', async () => {
  const { id } = await create('generic', [['secret_secret', SECRET],
    ['make_call_url', 'https://pbx.example.com/call?ext={extension}&to={number}'], ['make_call_method', 'GET']]);
  const page = await admin.get(`/settings/integrations/${id}`);
  assert.match(page.text_, /name="hangup_url" maxlength="2000" placeholder="[^"]*">/, "no hang-up yet");
  assert.match(page.text_, /<select name="hangup_method">/);
  // Keys the form does not edit (set by SQL or the admin tool).
  await sql("UPDATE integrations SET config = JSON_MERGE_PATCH(config, ?) WHERE id = ?",
    [JSON.stringify({ recordings_base_url: 'https://pbx.example.com/rec/', allow_private_hosts: ['10.0.0.0/8'] }), id]);

  const url = 'https://pbx.example.com/callboard/hangup?call={call_id}&by={extension}';
  let r = await edit(id, [['make_call_url', 'https://pbx.example.com/call?ext={extension}&to={number}'],
    ['make_call_method', 'GET'], ['hangup_url', ` ${url} `], ['hangup_method', 'GET']]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  let c = await configOf(id);
  assert.equal(c.hangup_url, url);
  assert.equal(c.hangup_method, 'GET');
  assert.equal(c.make_call_url, 'https://pbx.example.com/call?ext={extension}&to={number}');
  assert.equal(c.recordings_base_url, 'https://pbx.example.com/rec/');
  assert.deepEqual(c.allow_private_hosts, ['10.0.0.0/8']);
  const back = await admin.get(`/settings/integrations/${id}`);
  assert.match(back.text_, /name="hangup_url" maxlength="2000" placeholder="[^"]*" value="https:\/\/pbx\.example\.com\/callboard\/hangup\?call=\{call_id\}&amp;by=\{extension\}">/);
  assert.match(back.text_, /<select name="hangup_method"><option value="POST">[^<]*<\/option><option value="GET" selected>GET/);

  // Not an http(s) URL: 400, the message beside the field, the typed value kept, nothing saved.
  r = await edit(id, [['make_call_url', 'https://pbx.example.com/call'], ['hangup_url', 'ftp://pbx.example.com/x"><b>'],
    ['hangup_method', 'POST']]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /value="ftp:\/\/pbx\.example\.com\/x&quot;&gt;&lt;b&gt;">/);
  assert.match(r.text_, /Empty: no Hang up button\.<\/span>\s*<span class="field-error">The hang-up address is an http:\/\/ or https:\/\/ URL/);
  assert.deepEqual(await configOf(id), c, 'nothing saved');
  r = await edit(id, [['hangup_url', url], ['hangup_method', 'PUT']]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /<span class="field-error">Send the request as POST or GET\.<\/span>\s*<\/fieldset>/);
  assert.deepEqual(await configOf(id), c, 'nothing saved');

  // A form without the fields (a script's POST) keeps both requests.
  r = await edit(id, []);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  assert.deepEqual(await configOf(id), c);

  // Empty removes the hang-up (and only it).
  r = await edit(id, [['make_call_url', c.make_call_url], ['make_call_method', 'GET'], ['hangup_url', ''],
    ['hangup_method', 'POST']]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  const { hangup_url: _u, hangup_method: _m, ...rest } = c;
  c = await configOf(id);
  assert.deepEqual(c, rest);
});

test('Asterisk has the hang-up fields; a kind without URL click-to-call has none', async () => {
  const ast = await admin.get('/settings/integrations/new?kind=asterisk');
  assert.equal(ast.status, 200);
  assert.match(ast.text_, /name="hangup_url"/);
  const tw = await admin.get('/settings/integrations/new?kind=twilio');
  assert.equal(tw.status, 200);
  assert.doesNotMatch(tw.text_, /name="hangup_url"/);
});

test('hang-up: without the form token 403, a manager without settings 403, nothing saved', async () => {
  const { id } = await create('generic', [['secret_secret', SECRET]]);
  const before = await configOf(id);
  let r = await edit(id, [['hangup_url', 'https://pbx.example.com/h?c={call_id}']], { csrf: null });
  assert.equal(r.status, 403);
  r = await edit(id, [['hangup_url', 'https://pbx.example.com/h?c={call_id}']], { csrf: 'forged' });
  assert.equal(r.status, 403);
  const manager = new Client();
  await manager.login('manager', 'manager');
  r = await postForm(manager, `/settings/integrations/${id}`, [['csrf', await manager.csrf()], ['name', 'x'],
    ['enabled', '1'], ['country', 'ua'], ['fallback', ''], ['hangup_url', 'https://pbx.example.com/h?c={call_id}'],
    ['transcribe_recordings_shown', '1'], ['transcribe_recordings', '1']]);
  assert.equal(r.status, 403);
  assert.deepEqual(await configOf(id), before);
});

test('after hangup_url is set in the form, the card of a live generic call has Hang up', async () => {
  const { id, slug } = await create('generic', [['secret_secret', SECRET]]);
  const callId = uid('formhang');
  const t0 = Math.floor(Date.now() / 1000);
  for (const e of [
    { event: 'call.start', call_id: callId, direction: 'in', from: '+380671112299', start: t0 },
    { event: 'call.answer', call_id: callId, uniqueid: `${callId}.1`, ext: '101', answer: t0 },
  ]) {
    const r = await postGeneric(e, { slug, secret: SECRET });
    assert.equal(r.status, 200, r.text_);
  }
  const [call] = await callsOf(slug, callId);
  const cardUrl = `/calls/${call.id}`;
  let card = await admin.get(cardUrl);
  assert.equal(card.status, 200);
  assert.doesNotMatch(card.text_, /id="hangup-form"/, 'no hangup_url: no button');
  const r = await edit(id, [['hangup_url', 'https://pbx.example.com/callboard/hangup?call={call_id}'],
    ['hangup_method', 'POST']]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  card = await admin.get(cardUrl);
  assert.match(card.text_, new RegExp(`<form method="post" class="hangup-form" id="hangup-form" action="/calls/${call.id}/hangup">`));
});

test('transcribe recordings automatically: a box for providers with recordings, saved, unticked removes', async () => {
  const { id } = await create('zadarma', [['secret_key', 'zd-key-0123456789'], ['secret_secret', 'zd-secret-0123456789'],
    ['allowed_ips', '185.45.152.0/24\n127.0.0.1'], ['time_zone', 'Europe/Warsaw']]);
  const page = await admin.get(`/settings/integrations/${id}`);
  assert.match(page.text_, /<fieldset id="transcription">/);
  assert.match(page.text_, /<input type="checkbox" name="transcribe_recordings" value="1"> Transcribe recordings automatically/);
  // The engine this server is set to (the test stack: an HTTP stand-in), or that it is off.
  const engine = process.env.CB_TRANSCRIBE_ENGINE ?? 'http';
  if (engine) assert.match(page.text_, new RegExp(`<code class="transcribe-engine">${engine}</code>`));
  else assert.match(page.text_, /Transcription is off on this server/);
  await sql("UPDATE integrations SET config = JSON_MERGE_PATCH(config, ?) WHERE id = ?",
    [JSON.stringify({ api_base: 'https://api.example.com' }), id]);
  const before = await configOf(id);
  assert.deepEqual(before.allowed_ips, ['185.45.152.0/24', '127.0.0.1']);
  assert.equal(before.time_zone, 'Europe/Warsaw');

  let r = await edit(id, [['transcribe_recordings_shown', '1'], ['transcribe_recordings', '1'],
    ['allowed_ips', '185.45.152.0/24\n127.0.0.1'], ['time_zone', 'Europe/Warsaw']]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  assert.deepEqual(await configOf(id), { ...before, transcribe_recordings: true });
  const back = await admin.get(`/settings/integrations/${id}`);
  assert.match(back.text_, /name="transcribe_recordings" value="1" checked> Transcribe/);

  // A form without the box (a script's POST, no allowed_ips, no time zone) keeps everything.
  r = await edit(id, []);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  assert.deepEqual(await configOf(id), { ...before, transcribe_recordings: true });

  // Unticked (the form showed the box): the key goes, the rest stays.
  r = await edit(id, [['transcribe_recordings_shown', '1'], ['allowed_ips', '185.45.152.0/24\n127.0.0.1'],
    ['time_zone', 'Europe/Warsaw']]);
  assert.equal(r.status, 303, r.text_.slice(0, 600));
  assert.deepEqual(await configOf(id), before);

  // The generic format has recordings too; a refused save keeps the box as ticked.
  const g = await create('generic', [['secret_secret', SECRET], ['transcribe_recordings_shown', '1'],
    ['transcribe_recordings', '1']]);
  assert.equal((await configOf(g.id)).transcribe_recordings, true);
  r = await edit(g.id, [['transcribe_recordings_shown', '1'], ['transcribe_recordings', '1'], ['hangup_url', 'nope']]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /name="transcribe_recordings" value="1" checked>/);
});

// The form re-saves the config: settings whose fields a posted form leaves
// out (a script's POST, an older page) are kept, and so is every other key.
test('a form without the click-to-call, zone and address fields keeps them and the other keys', async () => {
  const g = await create('generic', [['secret_secret', SECRET],
    ['make_call_url', 'https://pbx.example.com/call?to={number}'], ['make_call_method', 'GET']]);
  const z = await create('zadarma', [['secret_key', 'zd-key-0123456789'], ['secret_secret', 'zd-secret-0123456789'],
    ['allowed_ips', '185.45.152.0/24\n127.0.0.1'], ['time_zone', 'Europe/Warsaw']]);
  for (const { id } of [z, g]) {
    await sql("UPDATE integrations SET config = JSON_MERGE_PATCH(config, ?) WHERE id = ?",
      [JSON.stringify({ api_base: 'https://api.example.com', recordings_auth: 'basic' }), id]);
    const before = await configOf(id);
    const r = await edit(id, []);
    assert.equal(r.status, 303, r.text_.slice(0, 600));
    assert.deepEqual(await configOf(id), before);
  }
  assert.equal((await configOf(g.id)).make_call_url, 'https://pbx.example.com/call?to={number}');
  assert.equal((await configOf(z.id)).time_zone, 'Europe/Warsaw');
  assert.deepEqual((await configOf(z.id)).allowed_ips, ['185.45.152.0/24', '127.0.0.1']);
});
