// Kept FastCGI connections (issue 4 "Speed"): nginx keeps the history's
// connections open (etc/nginx/callboard-http.conf, upstream callboard_calls
// "keepalive"; "fastcgi_keep_conn on" in its GET locations), and
// lib/http/fcgi_keep.c makes a process give up an idle kept connection as
// soon as another one waits. Without that rule a process blocked on an idle
// connection cached by one nginx worker cannot take the connection another
// worker opens: the request stalls until keepalive_timeout (30 s). With only
// two processes per program (stack.sh) and two nginx workers, bursts larger
// than the processes, sequential requests on fresh client connections (which
// land on either worker) and requests to the other programs, each with a
// deadline far below that timeout, cannot all pass on a stall.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Client, BASE } from '../lib/http.js';
import { sql } from '../lib/db.js';

// Far above a page under load here (sanitizer build, 2 cores shared with
// other programs: well under a second), far below a stall (30 s).
const DEADLINE_MS = 6000;

let cookie;
let csrf;
let customerId;

before(async () => {
  const m = new Client();
  await m.login('manager', 'manager');
  cookie = m.cookieHeader();
  csrf = await m.csrf();
  [[customerId]] = await sql('SELECT customer_id FROM calls WHERE customer_id IS NOT NULL LIMIT 1');
});

// One request on its own client connection (so nginx's two workers both
// get some), failing when it has not finished within DEADLINE_MS.
function once(path, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const headers = { cookie };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = http.request(BASE + path, { method, agent: false, headers }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => resolve({ status: res.statusCode, bytes: n, ms: Date.now() - t0 }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error(
      `${method} ${path}: no answer within ${DEADLINE_MS} ms (a stalled FastCGI connection?)`)), DEADLINE_MS);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

async function ok(path, opts) {
  const r = await once(path, opts);
  assert.ok(r.status === 200 || r.status === 303, `${path}: ${r.status}`);
  assert.ok(r.bytes > 0 || r.status === 303, `${path}: empty`);
  return r;
}

const pages = () => [
  '/calls', '/calls?format=json', `/customers/${customerId}/calls`, '/calls?result=missed',
];

test('bursts above the processes, then single requests on fresh connections, never wait for a kept one', async () => {
  let n = 0;
  for (let round = 0; round < 6; round++) {
    const burst = [];
    for (let i = 0; i < 24 + 8 * round; i++) burst.push(ok(pages()[i % 4]));
    await Promise.all(burst);
    n += burst.length;
    // Both workers now cache idle connections: one request at a time, each
    // on a new client connection, must still be answered at once.
    for (let i = 0; i < 12; i++) {
      await ok(pages()[i % 4]);
      n++;
    }
    // A pause long enough for every process to sit on its kept connection.
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(n > 300);
});

test('the other programs and the POST routes of the history are served alongside', async () => {
  const mixed = [];
  for (let i = 0; i < 40; i++) {
    mixed.push(ok(pages()[i % 4]));
    if (i % 5 === 0) mixed.push(ok('/settings/users/me'));
    if (i % 5 === 1) mixed.push(ok('/tasks'));
    // POSTs among kept GETs: one handed a kept connection the program was
    // closing failed with a broken pipe (503 in CI, session 15), so the
    // POST routes have an upstream without kept connections.
    if (i % 5 === 2) {
      mixed.push(ok('/calls/filters', {
        method: 'POST',
        body: new URLSearchParams({ csrf, name: `keepalive ${i}`, query: 'result=missed' }).toString(),
      }));
    }
  }
  await Promise.all(mixed);
  for (let i = 0; i < 20; i++) await ok(i % 2 ? '/calls' : '/tasks');
  await sql("DELETE FROM saved_filters WHERE name LIKE 'keepalive %'");
});
