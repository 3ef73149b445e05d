// A local stand-in of the providers' call-history APIs (issue 17 §3):
// Zadarma's GET /v1/statistics/pbx/ (its signature recomputed here from
// providers.md §2.4, independently of the C code), Binotel's POST
// stats/{incoming,outgoing}-calls-for-period.json and Twilio's GET
// Accounts/{sid}/Calls.json with next_page_uri paging, Ringostat's GET
// calls/list (Auth-key; the rows of state.ringostat whose calldate, in the
// account's zone, is inside from..to). It listens on
// loopback on a port of ours below 32768 (CB_HTTP_PORT + 11); the demo
// integrations are pointed at it with config api_base and allowed to reach
// loopback with allow_private_hosts (as recording_fetch.test.js does), and
// restored afterwards. `mode` makes it fail: '500', 'garbage', 'timeout'.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { sql } from './db.js';

export const PORT = Number(process.env.CB_HTTP_PORT || 18080) + 11;
export const BASE_URL = `http://127.0.0.1:${PORT}`;
export const TWILIO_SID = 'ACdemo00000000000000000000000000000';

const ZD_KEY = 'demo-zadarma-key';
const ZD_SECRET = 'demo-zadarma-secret';

export const state = {
  mode: 'ok',
  zadarma: [],          // stats rows
  binotelIn: {},        // callDetails by generalCallID
  binotelOut: {},
  twilio: [[]],         // pages of call resources
  ringostat: [],        // calls/list rows
  hits: [],
};

function phpUrlencode(s) {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

// §2.4: the signature of the sorted query as Zadarma checks it.
function zadarmaAuthOk(methodPath, query, header) {
  const params = Object.fromEntries(new URLSearchParams(query));
  const q = Object.keys(params).sort()
    .map((k) => `${phpUrlencode(k)}=${phpUrlencode(params[k])}`).join('&');
  const md5 = crypto.createHash('md5').update(q).digest('hex');
  const hex = crypto.createHmac('sha1', ZD_SECRET).update(methodPath + q + md5).digest('hex');
  return header === `${ZD_KEY}:${Buffer.from(hex).toString('base64')}`;
}

function json(res, obj, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

async function answer(req, body, res) {
  const url = new URL(req.url, BASE_URL);
  state.hits.push({ method: req.method, path: url.pathname, query: url.search, headers: req.headers, body });
  if (state.mode === 'timeout') {
    await new Promise((r) => setTimeout(r, 9000));
    if (!res.destroyed) json(res, { status: 'success', stats: [] });
    return;
  }
  if (state.mode === '500') {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error');
    return;
  }
  if (state.mode === 'garbage') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Service temporarily unavailable</body></html>');
    return;
  }
  if (req.method === 'GET' && url.pathname === '/v1/statistics/pbx/') {
    if (!zadarmaAuthOk('/v1/statistics/pbx/', url.search.slice(1), req.headers.authorization)) {
      json(res, { status: 'error', message: 'Wrong signature' }, 401);
      return;
    }
    json(res, { status: 'success', start: url.searchParams.get('start'), end: url.searchParams.get('end'),
      version: 2, stats: state.zadarma });
    return;
  }
  if (req.method === 'POST' && url.pathname.startsWith('/api/4.0/stats/')) {
    const b = JSON.parse(body.toString());
    if (b.key !== 'demo-binotel-key' || b.secret !== 'demo-binotel-secret') {
      json(res, { status: 'error', code: 120, message: 'Wrong key or secret' });
      return;
    }
    const list = url.pathname.endsWith('/incoming-calls-for-period.json') ? state.binotelIn : state.binotelOut;
    json(res, { status: 'success', callDetails: list });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/calls/list') {
    if (req.headers['auth-key'] !== 'demo-ringostat-auth-key') {
      json(res, { error: 'Invalid Auth-key' }, 401);
      return;
    }
    // "YYYY-MM-DD HH:MM:SS" strings of one zone compare as text.
    const from = url.searchParams.get('from');
    const to = url.searchParams.get('to');
    // (Rows with no such date are garbage a test sends on purpose.)
    json(res, state.ringostat.filter((r) => !/^\d{4}-/.test(r.calldate) ||
      (r.calldate >= from && r.calldate <= to)));
    return;
  }
  const tw = `/2010-04-01/Accounts/${TWILIO_SID}/Calls.json`;
  if (req.method === 'GET' && url.pathname === tw) {
    const auth = Buffer.from(`${TWILIO_SID}:demo-twilio-token`).toString('base64');
    if (req.headers.authorization !== `Basic ${auth}`) {
      json(res, { code: 20003, message: 'Authenticate', status: 401 }, 401);
      return;
    }
    const page = Number(url.searchParams.get('Page') || 0);
    const calls = state.twilio[page] || [];
    json(res, { calls, page, page_size: 200,
      next_page_uri: page + 1 < state.twilio.length ? `${tw}?Page=${page + 1}&PageSize=200&PageToken=PA${page + 1}` : null });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not here');
}

let server;
const saved = new Map();

export async function start() {
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks), res).catch((e) => {
      res.writeHead(599);
      res.end(String(e));
    }));
  });
  await new Promise((resolve) => server.listen(PORT, '127.0.0.1', resolve));
  for (const [slug, config] of await sql(
    "SELECT slug, config FROM integrations WHERE slug IN ('twilio','zadarma','binotel','ringostat')")) {
    saved.set(slug, config);
    await sql(`UPDATE integrations SET config = JSON_SET(COALESCE(config, '{}'), '$.api_base', ?,
      '$.allow_private_hosts', JSON_ARRAY('127.0.0.0/8')) WHERE slug = ?`, [BASE_URL, slug]);
  }
}

export async function stop() {
  for (const [slug, config] of saved) await sql('UPDATE integrations SET config = ? WHERE slug = ?', [config, slug]);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

// `callboard reconcile SLUG --from F --to T` (unix seconds): its exit code,
// standard output and error.
export function reconcile(slug, from, to) {
  const tool = path.join(process.env.CB_BUILD_DIR, 'tools', 'callboard');
  const conf = path.join(process.env.CB_STATE_DIR, 'callboard.conf');
  return new Promise((resolve) => {
    execFile(tool, ['--config', conf, 'reconcile', slug, '--from', String(from), '--to', String(to)],
      { timeout: 60000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr });
      });
  });
}

// "run N: R record(s) read, A call(s) recovered, B completed, C already stored, D refused"
export function counts(stdout) {
  const m = stdout.match(/(\d+) record\(s\) read, (\d+) call\(s\) recovered, (\d+) completed, (\d+) already stored, (\d+) refused/);
  assert.ok(m, `callboard reconcile said: ${stdout}`);
  const [records, recovered, completed, unchanged, refused] = m.slice(1).map(Number);
  return { records, recovered, completed, unchanged, refused };
}

// The stored state of an integration's calls and events, to prove a run
// changed nothing: how many of each, and a checksum of every call's facts
// that reconciliation could change. (Not updated_at: the worker's
// automation and recording jobs for calls recovered a moment ago touch
// other columns of those rows while a test runs.)
export async function snapshot(slug) {
  return sql(`SELECT (SELECT COUNT(*) FROM calls c WHERE c.integration_id = i.id),
      (SELECT COUNT(*) FROM call_events e WHERE e.integration_id = i.id),
      (SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', c.external_id, c.direction, c.state, c.result,
          c.talk_seconds, c.wait_seconds, c.started_at, c.answered_at, c.ended_at, c.client_number,
          c.our_number, c.extension, c.hangup_cause, c.recording_url))), 0)
        FROM calls c WHERE c.integration_id = i.id)
    FROM integrations i WHERE i.slug = ?`, [slug]);
}
