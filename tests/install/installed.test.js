// The installed tree (issue 15 §1), run by tests/install/run.sh against a stack started from
// `make install DESTDIR=...`: every template, static file and SQL file of the source is
// installed; every installed program has its nginx upstream and location and its row in the
// docs' program tables; nginx serves every installed static file as it is; and in Chromium, the first
// administrator of docs/install.md step 9 reaches every page by following links, each page
// loading without an error, a failed request or a script error, and together they use every
// static file. (The popup and click-to-call run from tests/browser against the same stack.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE, launch, login } from '../lib/browser.js';
import { sql } from '../lib/db.js';

const SRC = process.env.CB_ROOT;
const DATA = process.env.CB_INSTALLED_DATA;
const ADMIN = process.env.CB_SITE_ADMIN;
const ADMIN_PASSWORD = process.env.CB_SITE_ADMIN_PASSWORD;

// Files under dir, as paths relative to it.
function walk(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]).sort();
}

const CONTENT_TYPES = { css: /^text\/css/, js: /^(application|text)\/javascript/ };

let browser;
before(async () => {
  assert.ok(SRC && DATA && ADMIN, 'run through tests/install/run.sh');
  browser = await launch();
});
after(async () => { await browser.close(); });

test('make install puts every template, static file and SQL file of the source in place', () => {
  for (const dir of ['templates', 'static', 'sql']) {
    const installed = new Set(walk(path.join(DATA, dir)));
    const missing = walk(path.join(SRC, dir)).filter((f) => !installed.has(f));
    assert.deepEqual(missing, [], `${dir}/ files the installed tree lacks (Makefile.am's install lists)`);
  }
});

test('every installed program is routed by the installed nginx files and listed in the docs', () => {
  const programs = readdirSync(process.env.CB_LIBEXEC_DIR).filter((f) => f.startsWith('callboard-')).sort();
  const httpConf = readFileSync(path.join(DATA, 'nginx', 'callboard-http.conf'), 'utf8');
  const serverConf = readFileSync(path.join(DATA, 'nginx', 'callboard.conf'), 'utf8');
  const readme = readFileSync(path.join(SRC, 'README.md'), 'utf8');
  const arch = readFileSync(path.join(SRC, 'docs', 'architecture.md'), 'utf8');
  assert.ok(programs.length >= 13, programs.join(' '));
  for (const p of [...programs, 'callboard']) {
    const row = new RegExp(`^ *\\| \`${p}\` \\|`, 'm');
    assert.match(readme, row, `README.md's program table lacks ${p}`);
    assert.match(arch, row, `docs/architecture.md's program table lacks ${p}`);
    if (p === 'callboard' || p === 'callboard-worker') continue;
    const upstream = p.replace('callboard-', 'callboard_');
    assert.match(httpConf, new RegExp(`upstream ${upstream} \\{`), `no upstream for ${p}`);
    assert.match(serverConf, new RegExp(`fastcgi_pass ${upstream};`), `no location for ${p}`);
  }
});

test('nginx serves every installed static file unchanged, with its type', async () => {
  for (const f of walk(path.join(DATA, 'static'))) {
    const res = await fetch(`${BASE}/static/${f}`);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200, `/static/${f}`);
    assert.ok(body.equals(readFileSync(path.join(DATA, 'static', f))), `/static/${f}: other bytes`);
    const type = CONTENT_TYPES[path.extname(f).slice(1)];
    if (type) assert.match(res.headers.get('content-type'), type, `/static/${f}`);
  }
});

// A page's address with its ids as ":n" and without its query: the kind of page. A kind with an
// id is visited up to 3 times (cards of different calls, integrations of different providers:
// a customer's card links to pages an unknown caller's does not), any other kind once.
const kind = (u) => u.pathname.replace(/\/[0-9]+(?=\/|$)/g, '/:n');
const visits = (k) => (k.includes(':n') ? 3 : 1);
// Links that download instead of showing a page: fetched, not opened.
// A link the page marks as a download (the `download` attribute: CSV exports, recordings, a
// provider's panel file), or one of those by its address.
const isDownload = (u, marked) => marked || /\.csv$|\/recording$/.test(u.pathname);

test("the site administrator reaches every page from the links, each without an error, and the pages use every static file", { timeout: 240000 }, async () => {
  const page = await browser.context.newPage();
  const problems = [];
  const assets = new Set();
  let at = '/login';
  page.on('pageerror', (e) => problems.push(`${at}: script error: ${e}`));
  // (a failed request is also a console error: the response handler names it better)
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(`${at}: console: ${m.text()}`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== BASE) return;
    if (u.pathname.startsWith('/static/')) assets.add(u.pathname.slice('/static/'.length));
    if (r.status() >= 400) problems.push(`${at}: ${r.status()} ${u.pathname}${u.search}`);
  });
  await login(page, ADMIN, ADMIN_PASSWORD);
  assert.match(page.url(), /\/calls$/, 'the administrator lands on the history');

  // The history, and a customer with orders and leads: the CRM's own pages (/customers/<id>,
  // /orders/<id>, /leads/<id>) are linked from the CRM, not from Callboard's other pages.
  // (The customer page lists open orders and open leads.)
  const [[customer]] = await sql(`SELECT c.id FROM customers c
    WHERE EXISTS (SELECT 1 FROM orders o JOIN order_statuses s ON s.id = o.status_id
                  WHERE o.customer_id = c.id AND s.status_group = 'open')
      AND EXISTS (SELECT 1 FROM leads l WHERE l.customer_id = c.id AND l.state = 'open')
    ORDER BY c.id LIMIT 1`);
  const queue = [new URL(`${BASE}/calls`), new URL(`${BASE}/customers/${customer}`)];
  const seen = new Map();     // kind -> pages of it visited
  const opened = new Set();   // pathnames
  const downloads = new Map();
  const wanted = (u) => (seen.get(kind(u)) || 0) < visits(kind(u)) && !opened.has(u.pathname);
  while (queue.length && opened.size < 200) {
    const u = queue.shift();
    if (!wanted(u)) continue;
    seen.set(kind(u), (seen.get(kind(u)) || 0) + 1);
    opened.add(u.pathname);
    at = u.pathname + u.search;
    const res = await page.goto(u.href);
    if (res.status() !== 200) problems.push(`${at}: page answered ${res.status()}`);
    if (new URL(page.url()).pathname === '/login') problems.push(`${at}: sent to the login page`);
    for (const [href, marked] of await page.$$eval('a[href]', (as) => as.map((a) => [a.href, a.hasAttribute('download')]))) {
      const next = new URL(href);
      if (next.origin !== BASE || next.pathname === '/logout') continue;
      if (isDownload(next, marked)) downloads.set(kind(next), next);
      else if (wanted(next)) queue.push(next);
    }
  }
  for (const [k, u] of downloads) {
    at = k;
    const res = await page.request.get(u.href);
    if (res.status() !== 200) problems.push(`${k}: download answered ${res.status()}`);
    else if (!/^(text\/csv|audio\/|application\/xml)/.test(res.headers()['content-type'])) {
      problems.push(`${k}: download of type ${res.headers()['content-type']}`);
    }
  }
  await page.close();
  assert.deepEqual(problems, []);
  // The crawl reached the pages of every program (not a vacuous pass).
  for (const k of ['/calls', '/calls/:n', '/dial', '/customers/:n', '/customers/:n/calls',
    '/orders/:n', '/orders/:n/calls', '/leads/:n', '/customers/new', '/orders/new', '/leads/new', '/tasks', '/tasks/missed', '/notifications', '/analytics', '/settings', '/settings/users', '/settings/users/me',
    '/settings/roles', '/settings/listening-log', '/settings/automation', '/settings/triggers',
    '/settings/integrations', '/settings/integrations/:n', '/settings/exceptions']) {
    assert.ok(seen.has(k), `the links never led to ${k} (reached: ${[...seen.keys()].join(' ')})`);
  }
  assert.ok(downloads.has('/calls.csv'), 'no CSV export link');
  const unused = walk(path.join(DATA, 'static')).filter((f) => !assets.has(f));
  assert.deepEqual(unused, [], 'installed static files no page loaded');
});
