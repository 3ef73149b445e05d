// A provider's non-secret settings in Settings › Integrations (issue 17):
// fields of the descriptor with secret = false (Phonet's domain, Yeastar's
// PBX API address) are shown in clear, kept in integrations.config under
// their names (not in the encrypted secrets), checked on the server by the
// provider (a message beside the field, nothing saved), emptied to remove,
// and left as they are by a form without them; CSRF as every form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

let admin;
const slugOf = (k) => `t-${k}-${randomBytes(4).toString('hex')}`;

async function csrfOf(p) {
  const page = await admin.get(p);
  assert.equal(page.status, 200, `${p}: ${page.status}`);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

function postForm(p, fields) {
  const body = new URLSearchParams();
  for (const [k, v] of fields) body.append(k, v);
  return admin.request(p, { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

const base = (kind, slug, csrf) => [['csrf', csrf], ['kind', kind], ['name', `Test ${slug}`], ['slug', slug],
  ['enabled', '1'], ['country', 'ua'], ['fallback', '']];
const configOf = async (id) => JSON.parse((await sql('SELECT config FROM integrations WHERE id = ?', [id]))[0][0]);

before(async () => { admin = new Client(); await admin.login('admin', 'admin'); });
after(async () => { await sql("UPDATE integrations SET enabled = 0 WHERE slug LIKE 't-%'"); });

test('Phonet: the domain is shown in clear, stored in config, checked, and emptied to remove', async () => {
  const form = await admin.get('/settings/integrations/new?kind=phonet');
  assert.equal(form.status, 200);
  assert.match(form.text_, /<fieldset id="config-fields">/);
  assert.match(form.text_, /Phonet domain<\/span>\s*<input type="text" maxlength="200" name="config_domain" value="">/);

  // A bad value: the message beside the field, nothing saved, the typed value kept.
  const slug = slugOf('phonet');
  let r = await postForm('/settings/integrations/new', [...base('phonet', slug, await csrfOf('/settings/integrations')),
    ['secret_key', 'ph-key-0123456789'], ['config_domain', 'evil/host"><b>x']]);
  assert.equal(r.status, 400, r.text_.slice(0, 400));
  assert.match(r.text_, /value="evil\/host&quot;&gt;&lt;b&gt;x">\s*<\/label>\s*<span class="hint">[^<]*<\/span>\s*<span class="field-error">A host name such as mycompany\.phonet\.com\.ua/);
  assert.deepEqual(await sql('SELECT id FROM integrations WHERE slug = ?', [slug]), []);

  // Without the form's token: refused, nothing saved.
  r = await postForm('/settings/integrations/new', [...base('phonet', slug, 'forged'),
    ['config_domain', 'acme.phonet.com.ua']]);
  assert.equal(r.status, 403);
  assert.deepEqual(await sql('SELECT id FROM integrations WHERE slug = ?', [slug]), []);

  r = await postForm('/settings/integrations/new', [...base('phonet', slug, await csrfOf('/settings/integrations')),
    ['secret_key', 'ph-key-0123456789'], ['config_domain', ' acme.phonet.com.ua '], ['allowed_ips', '127.0.0.1']]);
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const id = Number(r.headers.get('location').match(/integrations\/(\d+)/)[1]);
  const c = await configOf(id);
  assert.equal(c.domain, 'acme.phonet.com.ua');
  const [[secrets]] = await sql('SELECT secrets FROM integrations WHERE id = ?', [id]);
  assert.match(secrets, /^v1:/, 'secrets stay encrypted');
  const page = await admin.get(`/settings/integrations/${id}`);
  assert.match(page.text_, /name="config_domain" value="acme\.phonet\.com\.ua"/, 'shown in clear');

  // An edit without the field keeps it; an empty field removes it; other config stays.
  const edit = (extra) => postForm(`/settings/integrations/${id}`, [['csrf', extra.csrf], ['name', `Test ${slug}`],
    ['enabled', '1'], ['country', 'ua'], ['fallback', ''], ...extra.fields]);
  r = await edit({ csrf: await csrfOf(`/settings/integrations/${id}`), fields: [] });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  assert.equal((await configOf(id)).domain, 'acme.phonet.com.ua');
  r = await edit({ csrf: await csrfOf(`/settings/integrations/${id}`), fields: [['config_domain', '']] });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const after = await configOf(id);
  assert.equal(after.domain, undefined);
  assert.deepEqual(after.allowed_ips, ['127.0.0.1'], 'the other settings are kept');
});

test('Yeastar: the PBX API address must be https (http only on this machine)', async () => {
  const slug = slugOf('yeastar');
  let r = await postForm('/settings/integrations/new', [...base('yeastar', slug, await csrfOf('/settings/integrations')),
    ['secret_key', 'ys-key-0123456789'], ['config_api_base', 'http://pbx.example.com:8088']]);
  assert.equal(r.status, 400);
  assert.match(r.text_, /An https address such as https:\/\/pbx\.example\.com:8088/);
  r = await postForm('/settings/integrations/new', [...base('yeastar', slug, await csrfOf('/settings/integrations')),
    ['secret_key', 'ys-key-0123456789'], ['config_api_base', 'https://pbx.example.com:8088']]);
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  const id = Number(r.headers.get('location').match(/integrations\/(\d+)/)[1]);
  assert.equal((await configOf(id)).api_base, 'https://pbx.example.com:8088');
  // A kind with no such field shows no such section.
  const zd = await admin.get('/settings/integrations/new?kind=zadarma');
  assert.doesNotMatch(zd.text_, /id="config-fields"/);
});
