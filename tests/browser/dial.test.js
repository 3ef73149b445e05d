// Click-to-call in Chromium (issue 5 §3): the confirm page (/dial, where a phone's link leads
// without JavaScript); its Call button asks the provider (a loopback stand-in of Zadarma's API) through static/dial.js
// without leaving the page, and a refusal is shown in plain words in place. A user whose profile
// has a SIP domain gets a sip: link to their softphone instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';
import { Client } from '../lib/http.js';
import { createUser, uniq } from '../lib/settings.js';

let browser, server, saved;
let hits = [];
let refuse = false;

before(async () => {
  browser = await launch();
  server = http.createServer((req, res) => {
    // Only click-to-call requests: the worker may ask the same API for a
    // recording or a history page of another test's call meanwhile.
    if (req.url.startsWith('/v1/request/callback/')) hits.push(req.url);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(refuse ? { status: 'error', message: 'not enough money' } : { status: 'success' }));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  [[saved]] = await sql("SELECT config FROM integrations WHERE slug = 'zadarma'");
  await sql("UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.api_base', ?, '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = 'zadarma'",
    [`http://127.0.0.1:${server.address().port}`]);
});

after(async () => {
  await sql("UPDATE integrations SET config = ? WHERE slug = 'zadarma'", [saved === 'NULL' ? null : saved]);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await browser.close();
});

test("the confirm page's Call places the call in place, and a refusal is shown in plain words", async () => {
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, 'manager', 'manager');
  const [[id]] = await sql("SELECT id FROM calls WHERE client_number LIKE '+380%' AND direction = 'in' ORDER BY id LIMIT 1");
  // The card's phone places the call in one click (tests/browser/one_click.test.js); without
  // JavaScript, or with Ctrl, its link is this confirm page.
  const href = await page.goto(`${BASE}/calls/${id}`).then(() => page.locator('#card a[href^="/dial?number="]').first().getAttribute('href'));
  await page.goto(`${BASE}${href}`);
  const number = await page.inputValue('#dial-number');
  await page.selectOption('#dial-integration', 'zadarma');
  const url = page.url();
  await page.click('#dial-form button[type=submit]');
  await page.locator('#dial-placed', { hasText: 'Zadarma is calling your extension 101' }).waitFor({ timeout: 8000 });
  assert.equal(page.url(), url);        // no navigation: the JSON answer was shown in place
  assert.equal(hits.length, 1);
  assert.match(hits[0], new RegExp(`to=${number.replace(/\D/g, '')}`));

  refuse = true;
  await page.click('#dial-form button[type=submit]');
  await page.locator('#dial-failure', { hasText: 'Zadarma refused the request: not enough money' }).waitFor({ timeout: 8000 });
  assert.equal(await page.locator('#dial-placed').count(), 0);
  assert.deepEqual(events, { dialogs: [], errors: [] });
  refuse = false;
  await page.close();
});

test('with a SIP domain on the profile, the card\'s call button is a sip: link to the softphone', async () => {
  const admin = new Client();
  await admin.login('admin', 'admin');
  const who = uniq('sipb');
  const [[roleId]] = await sql("SELECT id FROM roles WHERE name = 'manager'");
  await createUser(admin, { name: 'Sip Browser', login: who, role_id: roleId, password: 'long enough pw' });
  const page = await browser.context.newPage();
  const events = watch(page);
  await login(page, who, 'long enough pw');
  await page.goto(`${BASE}/settings/users/me`);
  await page.check('input[name="deep_link"]');
  await page.fill('input[name="sip_domain"]', 'pbx.example.com');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  assert.match(page.url(), /\/settings\/users\/me\?saved=1$/);
  const [[id, number]] = await sql("SELECT id, client_number FROM calls WHERE client_number LIKE '+380%' AND direction = 'in' ORDER BY id LIMIT 1");
  await page.goto(`${BASE}/calls/${id}`);
  const link = page.locator(`a[href^="sip:"]`).first();
  assert.equal(await link.getAttribute('href'), `sip:${number}@pbx.example.com`);
  assert.equal(await page.locator('a[href^="/dial?"]').count(), 0, 'no provider button');
  assert.deepEqual(events, { dialogs: [], errors: [] });
  await page.close();
});
