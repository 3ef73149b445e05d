// Saved filters and row actions on the call history (issue 4 §1): a
// manager saves the current query under a name, sees it above the filters
// as a link that reproduces the page, and deletes it; each row offers
// "create customer" (unknown number) or "create order" (known customer).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { uniq } from '../lib/settings.js';

let m;
before(async () => {
  m = new Client();
  await m.login('manager', 'manager');
});

const savedOf = async (c) => JSON.parse((await c.get('/calls?format=json')).text_).saved_filters;

test('save the current filter, follow it, delete it', async () => {
  const page = await m.get('/calls?result=missed&direction=in');
  const query = page.text_.match(/name="query" value="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.equal(query, 'result=missed&direction=in');
  const name = uniq('Missed <in> ');
  const r = await m.post('/calls/filters', { form: { csrf: await m.csrf(), name, query } });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/calls?result=missed&direction=in');
  const saved = (await savedOf(m)).find((f) => f.name === name);
  assert.ok(saved, 'listed');
  assert.equal(saved.url, '/calls?result=missed&direction=in');
  const html = await m.get('/calls');
  assert.ok(html.text_.includes(name.replace('<', '&lt;').replace('>', '&gt;')), 'name escaped in the page');
  const followed = JSON.parse((await m.get(saved.url + '&format=json')).text_);
  assert.ok(followed.calls.length > 0);
  assert.ok(followed.calls.every((c) => c.result === 'missed' && c.direction === 'in'));
  // Saving under the same name replaces the query.
  await m.post('/calls/filters', { form: { csrf: await m.csrf(), name, query: 'result=answered' } });
  const again = (await savedOf(m)).filter((f) => f.name === name);
  assert.equal(again.length, 1);
  assert.equal(again[0].url, '/calls?result=answered');
  // Another user neither sees nor deletes it.
  const admin = new Client();
  await admin.login('admin', 'admin');
  assert.ok(!(await savedOf(admin)).some((f) => f.name === name));
  const foreign = await admin.post(again[0].delete_url, { form: { csrf: await admin.csrf() } });
  assert.equal(foreign.status, 404);
  const del = await m.post(again[0].delete_url, { form: { csrf: await m.csrf() } });
  assert.equal(del.status, 303);
  assert.ok(!(await savedOf(m)).some((f) => f.name === name));
});

test('a saved filter needs a name and a query from the page', async () => {
  const noName = await m.post('/calls/filters', { form: { csrf: await m.csrf(), name: '', query: 'result=missed' } });
  assert.equal(noName.status, 400);
  assert.match(noName.text_, /Give the filter a name/);
  const evil = await m.post('/calls/filters', { form: { csrf: await m.csrf(), name: 'x', query: '"><script>' } });
  assert.equal(evil.status, 400);
  const noCsrf = await m.post('/calls/filters', { form: { name: 'x', query: 'result=missed' } });
  assert.equal(noCsrf.status, 403);
});

test('rows offer "create customer" for unknown numbers and "create order" for customers', async () => {
  const calls = JSON.parse((await m.get('/calls?format=json')).text_).calls;
  const [[unknownId]] = await sql("SELECT id FROM calls WHERE customer_id IS NULL AND direction <> 'internal' AND client_number <> '' ORDER BY started_at DESC, id DESC LIMIT 1");
  const all = [...calls];
  let next = JSON.parse((await m.get('/calls?format=json')).text_).next_url;
  while (!all.some((c) => c.id === Number(unknownId)) && next) {
    const p = JSON.parse((await m.get(next + '&format=json')).text_);
    all.push(...p.calls);
    next = p.next_url;
  }
  const unknown = all.find((c) => c.id === Number(unknownId));
  assert.ok(unknown.create_customer_url.startsWith('/customers/new?phone='));
  assert.ok(unknown.create_customer_url.endsWith(`&call=${unknown.id}`));
  assert.equal(unknown.create_order_url, undefined);
  const known = calls.find((c) => c.customer_id && c.direction !== 'internal');
  assert.equal(known.create_order_url.split('?')[0], '/orders/new');
  assert.ok(known.create_order_url.includes(`customer=${known.customer_id}`));
  const form = await m.get(unknown.create_customer_url);
  assert.equal(form.status, 200);
  assert.ok(form.text_.includes(`name="call" value="${unknown.id}"`));
});
