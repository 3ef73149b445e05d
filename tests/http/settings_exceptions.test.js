// Settings › Exceptions (issue 6 §5, pages half): numbers whose calls are
// not stored. A number typed in any format is normalised like the hook does
// (E.164 with the default country), so a provider's event from it is then
// not stored at all; a bad number is a form error next to the field.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';
import { postGeneric, callsOf, uid } from '../lib/generic.js';

let admin, manager;
let seq = 0;
const freshPhone = () => '+38067' + String(Date.now() * 10 + (seq++ % 10)).slice(-7);

async function csrfOf(client) {
  const page = await client.get('/settings/exceptions');
  assert.equal(page.status, 200);
  return page.text_.match(/name="csrf" value="([^"]+)"/)[1];
}

const add = async (form) => admin.post('/settings/exceptions', { form: { csrf: await csrfOf(admin), ...form } });

before(async () => {
  admin = new Client(); await admin.login('admin', 'admin');
  manager = new Client(); await manager.login('manager', 'manager');
});

test('the exceptions page needs the settings permission', async () => {
  const r = await manager.get('/settings/exceptions');
  assert.equal(r.status, 403);
  const r2 = await manager.post('/settings/exceptions', { form: { csrf: await manager.csrf(), phone: freshPhone() } });
  assert.equal(r2.status, 403);
});

test('a number in national format is stored as E.164 with its reversed digits, and its calls are then not stored', async () => {
  const phone = freshPhone();
  const national = `0${phone.slice(4, 6)} ${phone.slice(6, 9)}-${phone.slice(9, 11)}-${phone.slice(11)}`;
  const r = await add({ phone: national, comment: 'Courier <b>Bob</b>' });
  assert.equal(r.status, 303, r.text_.slice(0, 400));
  assert.equal(r.headers.get('location'), '/settings/exceptions?added=1');
  const rows = await sql('SELECT phone, phone_digits_rev, comment FROM phone_exceptions WHERE phone = ?', [phone]);
  assert.deepEqual(rows, [[phone, [...phone.slice(1)].reverse().join(''), 'Courier <b>Bob</b>']]);

  const page = await admin.get('/settings/exceptions?added=1');
  assert.match(page.text_, /The number is on the list/);
  assert.match(page.text_, new RegExp(`\\${phone}`));
  assert.match(page.text_, /Courier &lt;b&gt;Bob&lt;\/b&gt;/, 'the comment is escaped');

  // The hook now drops a call from that number, in yet another format.
  const id = uid('exc');
  const t = Math.floor(Date.now() / 1000);
  const ev = await postGeneric({ event: 'call.end', call_id: id, direction: 'in', from: phone.slice(1),
    did: '+380443900400', status: 'answered', start: t - 30, answer: t - 20, end: t, billsec: 20 });
  assert.equal(ev.status, 200, ev.text_);
  assert.deepEqual(await callsOf('generic', id), []);

  // The same number again, differently written: refused as a duplicate.
  const dup = await add({ phone: `+38 (0${phone.slice(4, 6)}) ${phone.slice(6)}` });
  assert.equal(dup.status, 400);
  assert.match(dup.text_, /is already on the list/);
});

test('a bad number or comment re-shows the form with the error and the typed values, and adds nothing', async () => {
  const [[before]] = await sql('SELECT COUNT(*) FROM phone_exceptions');
  let r = await add({ phone: 'call me maybe', comment: 'kept' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /id="phone-error"[^>]*>This is not a phone number/);
  assert.match(r.text_, /name="phone"[^>]*value="call me maybe"/);
  assert.match(r.text_, /name="comment"[^>]*value="kept"/);
  r = await add({ phone: '' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /Type the number/);
  r = await add({ phone: '101' });
  assert.equal(r.status, 400);
  assert.match(r.text_, /internal extension/);
  r = await add({ phone: freshPhone(), comment: 'x'.repeat(256) });
  assert.equal(r.status, 400);
  assert.match(r.text_, /id="comment-error"[^>]*>A comment is at most 255 characters/);
  const [[after]] = await sql('SELECT COUNT(*) FROM phone_exceptions');
  assert.equal(after, before);
});

test('deleting a number takes it off the list; a second delete is 404', async () => {
  const phone = freshPhone();
  assert.equal((await add({ phone })).status, 303);
  const [[id]] = await sql('SELECT id FROM phone_exceptions WHERE phone = ?', [phone]);
  const csrf = await csrfOf(admin);
  let r = await admin.post(`/settings/exceptions/${id}/delete`, { form: { csrf } });
  assert.equal(r.status, 303);
  assert.deepEqual(await sql('SELECT id FROM phone_exceptions WHERE id = ?', [id]), []);
  r = await admin.post(`/settings/exceptions/${id}/delete`, { form: { csrf } });
  assert.equal(r.status, 404);
  r = await admin.post(`/settings/exceptions/${id}/delete`, { form: {} });
  assert.equal(r.status, 403, 'no CSRF token');
});
