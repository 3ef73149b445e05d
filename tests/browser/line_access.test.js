// "Who sees the lines" and the kinds of a store's country (issue 19 items 5 and 7) as an admin
// uses them in Chromium, on a laptop (1366 px) and a phone (390 px): tick a user for a line and
// save; a tampered value comes back with the message beside its line; pick a store in Poland and
// the kind list drops the kinds that do not serve it. No sideways scrolling, no script error.
// Screenshots land in build-test/shots/ (or $CB_SHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { Client } from '../lib/http.js';
import { sql } from '../lib/db.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser, integration, olena, store;
const lineA = '+38044' + String(Date.now()).slice(-7);
const lineB = '+38044' + String(Date.now() + 1).slice(-7);

const overflow = () => document.documentElement.scrollWidth - document.documentElement.clientWidth;

before(async () => {
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
  const admin = new Client();
  await admin.login('admin', 'admin');
  const page = await admin.get('/settings/integrations');
  const csrf = page.text_.match(/name="csrf" value="([^"]+)"/)[1];
  const slug = `t-lab-${randomBytes(4).toString('hex')}`;
  const body = new URLSearchParams([['csrf', csrf], ['kind', 'generic'], ['name', `Browser lines ${slug}`],
    ['slug', slug], ['enabled', '1'], ['country', 'UA'], ['fallback', ''], ['secret_secret', 'browser-lines-secret-01'],
    ['number', lineA], ['store', ''], ['label', 'Reception desk with a rather long label'],
    ['number', lineB], ['store', ''], ['label', '']]);
  const r = await admin.request('/settings/integrations/new', { method: 'POST', body: body.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 303, r.text_.slice(0, 500));
  integration = Number(r.headers.get('location').match(/(\d+)\?/)[1]);
  [[olena]] = await sql("SELECT id FROM users WHERE login = 'olena'");
  const name = `Line browser store ${randomBytes(3).toString('hex')}`;
  await sql("INSERT INTO stores (name, country) VALUES (?, 'PL')", [name]);
  [[store]] = await sql('SELECT id FROM stores WHERE name = ?', [name]);
});

after(async () => {
  await sql('UPDATE integrations SET enabled = 0 WHERE id = ?', [integration]);
  await sql('DELETE FROM line_access WHERE integration_id = ?', [integration]);
  await sql('DELETE FROM stores WHERE id = ?', [store]);
  await browser.close();
});

for (const [width, height] of [[1366, 800], [390, 844]]) {
  test(`who sees the lines: tick, save, and a refused value beside its line, at ${width} px`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    const events = watch(page);
    await login(page, 'admin', 'admin');
    await page.goto(`${BASE}/settings/integrations/${integration}#line-access`);
    const a = page.locator(`fieldset.line[data-line="${lineA}"]`);
    assert.equal(await a.isVisible(), true);
    assert.equal(await page.evaluate(overflow), 0, 'the page scrolls sideways');
    await page.screenshot({ path: join(SHOTS, `${width}-line-access.png`), fullPage: true });

    // Tick Olena for line A and save.
    await a.locator(`input[value="${olena}"]`).check();
    await Promise.all([page.waitForNavigation(), page.click('#lines-form button[type=submit]')]);
    assert.match(page.url(), /\?saved=lines#line-access$/);
    assert.equal(await page.locator('p.confirmation').textContent(), 'Who sees the lines is saved.');
    assert.equal(await page.locator(`fieldset.line[data-line="${lineA}"] input[value="${olena}"]`).isChecked(), true);
    assert.deepEqual(await sql('SELECT line, user_id FROM line_access WHERE integration_id = ?', [integration]),
      [[lineA, String(olena)]]);

    // A value the list never offered: 400, the message beside line B, nothing saved.
    const b = page.locator(`fieldset.line[data-line="${lineB}"]`);
    const box = b.locator('input[type=checkbox]').first();
    await box.evaluate((e) => { e.value = 'abc'; e.checked = true; });
    await Promise.all([page.waitForNavigation(), page.click('#lines-form button[type=submit]')]);
    const err = page.locator(`fieldset.line[data-line="${lineB}"] .field-error`);
    assert.equal(await err.textContent(), 'Choose users from the list.');
    assert.equal(await err.isVisible(), true);
    assert.equal(await page.evaluate(overflow), 0, 'the page with the error scrolls sideways');
    await page.screenshot({ path: join(SHOTS, `${width}-line-access-error.png`), fullPage: true });
    assert.deepEqual(await sql('SELECT line, user_id FROM line_access WHERE integration_id = ?', [integration]),
      [[lineA, String(olena)]]);
    await sql('DELETE FROM line_access WHERE integration_id = ?', [integration]);
    assert.deepEqual(events, { dialogs: [], errors: [] });
    await page.close();
  });

  test(`a new integration: the store in Poland drops the kinds that do not serve it, at ${width} px`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    const events = watch(page);
    await login(page, 'admin', 'admin');
    await page.goto(`${BASE}/settings/integrations/new?kind=generic`);
    assert.equal(await page.locator('#kind-list a[data-kind="binotel"]').count(), 1);
    await page.selectOption('#store', String(store));
    await Promise.all([page.waitForNavigation(), page.click('#store-pick button[type=submit]')]);
    assert.equal(await page.locator('#kind-list .kinds-country').textContent(), 'PL');
    assert.equal(await page.locator('#kind-list a[data-kind="binotel"]').count(), 0);
    assert.equal(await page.locator('#kind-list a[data-kind="twilio"]').count(), 1);
    // The chosen store goes with the form.
    assert.equal(await page.locator('#integration-form input[name="store"]').inputValue(), String(store));
    assert.equal(await page.locator('#integration-form input[name="country"]').inputValue(), 'PL');
    assert.equal(await page.evaluate(overflow), 0, 'the page scrolls sideways');
    await page.screenshot({ path: join(SHOTS, `${width}-integration-kinds-pl.png`), fullPage: false });
    assert.deepEqual(events, { dialogs: [], errors: [] });
    await page.close();
  });
}
