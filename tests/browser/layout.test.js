// Every page on a laptop (1366 px) and on a phone (390 px) (issue 18 "any screen"): no page
// scrolls sideways, the navigation is a menu on the phone, no script error. Screenshots of each
// page land in build-test/shots/ (or $CB_SHOTS) for a person to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, launch, login, watch } from '../lib/browser.js';
import { sql } from '../lib/db.js';

const SHOTS = process.env.CB_SHOTS || join(process.env.CB_BUILD_DIR || 'build-test', 'shots');
let browser;
before(async () => { browser = await launch(); mkdirSync(SHOTS, { recursive: true }); });
after(async () => { await browser.close(); });

async function one(q) { const [[v]] = await sql(q); return v; }

// The addresses an admin can open, one of each kind (ids from the demo data).
async function pages() {
  const call = await one("SELECT MAX(id) FROM calls WHERE customer_id IS NOT NULL AND recording_state = 'stored'") ||
    await one('SELECT MAX(id) FROM calls');
  const customer = await one('SELECT MAX(customer_id) FROM orders');
  const order = await one('SELECT MAX(id) FROM orders');
  const lead = await one('SELECT MAX(id) FROM leads');
  const user = await one("SELECT id FROM users WHERE login = 'manager'");
  const role = await one("SELECT id FROM roles WHERE name = 'manager'");
  const integration = await one('SELECT MIN(id) FROM integrations');
  const trigger = await one('SELECT MAX(trigger_id) FROM trigger_runs') || await one('SELECT MAX(id) FROM triggers');
  const list = ['/calls', `/calls/${call}`, `/customers/${customer}/calls`, `/customers/${customer}`,
    `/orders/${order}/calls`, `/orders/${order}`, '/customers/new?phone=%2B380671234567',
    '/orders/new?phone=%2B380671234567', '/leads/new?phone=%2B380671234567', '/tasks', '/tasks?view=done',
    '/tasks/missed', '/notifications', '/settings', '/settings/users', '/settings/users/new',
    `/settings/users/${user}`, '/settings/users/me', '/settings/roles', '/settings/roles/new',
    `/settings/roles/${role}`, '/settings/listening-log', '/settings/automation', '/settings/triggers',
    '/settings/triggers/new', '/settings/integrations', `/settings/integrations/${integration}`,
    '/settings/integrations/new?kind=generic', '/settings/integrations/dead-letters', '/settings/exceptions',
    '/no-such-page'];
  if (lead) list.push(`/leads/${lead}`);
  if (trigger) list.push(`/settings/triggers/${trigger}`);
  return list;
}

// How far the page reaches past the window's right edge, and which elements do it.
const overflow = () => {
  const w = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > w + 1 && getComputedStyle(e).position !== 'fixed';
  }).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
  return { scroll: document.documentElement.scrollWidth - w, wide };
};

for (const [width, height] of [[1366, 800], [390, 844]]) {
  test(`every page fits ${width} px without sideways scrolling`, async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height });
    const events = watch(page);
    await login(page, 'admin', 'admin');
    const problems = [];
    for (const path of await pages()) {
      const res = await page.goto(BASE + path);
      if (res.status() >= 500 || (res.status() >= 400 && path !== '/no-such-page')) problems.push(`${path}: HTTP ${res.status()}`);
      const o = await page.evaluate(overflow);
      if (o.scroll > 0) problems.push(`${path}: ${o.scroll} px too wide (${o.wide.join(', ')})`);
      const name = path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'root';
      await page.screenshot({ path: join(SHOTS, `${width}-${name}.png`), fullPage: false });
    }
    assert.deepEqual(problems, []);
    assert.deepEqual(events, { dialogs: [], errors: [] });
    await page.close();
  });
}

test('on a phone the navigation is a menu that opens', async () => {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, 'manager', 'manager');
  await page.goto(`${BASE}/calls`);
  const tasks = page.locator('nav.top a[href="/tasks"]');
  assert.equal(await tasks.isVisible(), false);
  await page.getByText('Menu', { exact: true }).click();
  assert.equal(await tasks.isVisible(), true);
  // The counters (open tasks, unread notifications) are filled in from /tasks/counts.
  const counts = JSON.parse(await (await page.request.get(`${BASE}/tasks/counts`)).text());
  await page.waitForFunction((n) => document.getElementById('nav-open-tasks').getAttribute('data-n') === String(n),
    counts.open_tasks, { timeout: 3000 });
  assert.equal(await page.locator('#nav-unread').getAttribute('data-n'), String(counts.unread_notifications));
  await tasks.click();
  await page.waitForURL(/\/tasks$/);
  await page.close();
});
