// Issue 18's sweep for English left in a translated page: crawls every page a user can reach
// from the history (same-origin GET links, analytics and logout aside) plus the error pages and
// the forms' refusals, in one language, and prints each piece of text with Latin words that are
// words of the English catalog (po/callboard.pot) and not translated there. A reader's list to
// check by eye (names and data are Latin too), not a test: run it against a demo stack:
//   CB_BASE_URL=http://127.0.0.1:18080 node tests/i18n_sweep.mjs uk [login password]
import { readFileSync } from 'node:fs';
import { Client, BASE } from './lib/http.js';

const lang = process.argv[2] || 'uk';
const [login, password] = [process.argv[3] || 'admin', process.argv[4] || 'admin'];
const say = { headers: { 'accept-language': lang } };

// The English words of the catalog: a Latin word on a translated page that is one of these is
// worth a look; a name (Olena, Zadarma) mostly is not.
const pot = readFileSync(new URL('../po/callboard.pot', import.meta.url), 'utf8');
const vocab = new Set();
for (const m of pot.matchAll(/^msgid(?:_plural)? "(.*)"$/gm))
  for (const w of m[1].matchAll(/[A-Za-z]{3,}/g)) vocab.add(w[0].toLowerCase());
const ignore = new Set(['callboard', 'csv', 'json', 'url', 'api', 'http', 'https', 'sms', 'pbx',
  'sip', 'ami', 'utc', 'e164', 'www', 'example', 'com', 'token']);

const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&#39;/g, "'").replace(/&#x27;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');

function texts(html) {
  const out = [];
  const body = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<span data-k="[^"]*">/g, '<span>');   // the script catalog's keys are English
  for (const m of body.matchAll(/\s(?:title|placeholder|aria-label|alt|label)="([^"]*)"/g)) out.push(m[1]);
  for (const t of body.replace(/<[^>]*>/g, '\n').split('\n')) if (t.trim()) out.push(t.trim());
  return out.map(decode);
}

function english(t) {
  // Placeholders the scripts fill ({name}) and codes in URLs are not words.
  const words = [...t.replace(/\{[a-z_]+\}/g, '').replace(/\S*[/=]\S*/g, '')
    .matchAll(/[A-Za-z]{3,}/g)].map((m) => m[0].toLowerCase())
    .filter((w) => vocab.has(w) && !ignore.has(w));
  return words.length > 0;
}

const c = new Client();
await c.login(login, password);
const seen = new Set();
const queue = ['/calls', '/tasks', '/tasks?view=done', '/tasks/missed', '/notifications', '/settings',
  '/customers/new', '/orders/new', '/leads/new', '/dial', '/settings/users/me'];
// Error pages and refusals a person meets.
const extra = ['/no-such-page', '/calls?direction=sideways', '/calls?talk_min=abc', '/calls?q=%2B',
  '/calls?zzz=1', '/calls/999999999', '/customers/999999999', '/orders/999999999', '/leads/999999999',
  '/tasks?view=later', '/tasks/missed?days=500', '/calls?before=broken', '/calls?sort=random',
  '/settings/integrations/999999999', '/settings/triggers/999999999', '/settings/users/999999999',
  '/settings/roles/999999999', '/settings/sms/999999999', '/calls/999999999/recording',
  '/calls?q=12&q_mode=contains', '/calls?said=a', '/calls?contact=' + 'x'.repeat(200)];
const found = new Map();
const said = new Set();   // each text once, on the first page it shows on
async function visit(path) {
  const r = await c.get(path, say);
  const type = r.headers.get('content-type') || '';
  if (type.startsWith('text/csv')) {
    const head = r.text_.split('\n').slice(0, 3).join('\n');
    if (english(head)) found.set(`${path} [csv]`, [head]);
    return;
  }
  if (!type.startsWith('text/html')) return;
  const bad = [...new Set(texts(r.text_).filter(english))].filter((t) => !said.has(t));
  for (const t of bad) said.add(t);
  if (bad.length) found.set(`${path} [${r.status}]`, bad);
  for (const m of r.text_.matchAll(/href="(\/[^"#]*)"/g)) {
    const u = decode(m[1]);
    if (/^\/(static|logout|analytics|settings\/analytics|api|hook|live)/.test(u)) continue;
    if (/\/recording/.test(u)) continue;
    // One page of each kind: /calls/123 and /calls/124 say the same words.
    const kind = u.replace(/\d+/g, '#').replace(/\?.*/, '?');
    if (seen.has(kind)) continue;
    seen.add(kind);
    queue.push(u);
  }
}
for (const p of queue) seen.add(p.replace(/\d+/g, '#').replace(/\?.*/, '?'));
while (queue.length) await visit(queue.shift());
for (const p of extra) await visit(p);
for (const [page, bad] of found) {
  console.log(`== ${page}`);
  for (const t of bad) console.log(`   ${t.slice(0, 200)}`);
}
console.log(`${seen.size} kinds of page in ${lang} at ${BASE}; ${found.size} with English words`);
