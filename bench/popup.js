// Popup latency (issue 5 "Speed"): provider event posted -> popup message received by a subscribed
// client, with BENCH_MANAGERS (50) managers subscribed to their nchan channels at once.
//
// Against a running stack (scripts/stack.sh start; nchan loaded), through its nginx:
//   node bench/popup.js       (or bench/popup.sh, which sets the environment from the stack)
// Creates the managers bench-mgr-01..NN (role manager, extensions 9001..90NN, password of the demo
// user "manager") if missing, logs each in, subscribes each to /live/manager/<id> the way a page's
// EventSource does, then posts BENCH_EVENTS (1000) signed generic call.start events, round-robin
// over the managers, BENCH_CONCURRENCY (4) at a time, each for a fresh call and number ringing one
// manager's extension. Latency = from just before the POST is sent to the moment that manager's
// stream delivers the message. Also counts messages delivered to the wrong manager (must be 0).
import { Client } from '../tests/lib/http.js';
import { sql } from '../tests/lib/db.js';
import { postGeneric } from '../tests/lib/generic.js';
import { subscribe } from '../tests/lib/live.js';

const MANAGERS = Number(process.env.BENCH_MANAGERS || 50);
const EVENTS = Number(process.env.BENCH_EVENTS || 1000);
const CONC = Number(process.env.BENCH_CONCURRENCY || 4);
const TIMEOUT_MS = 5000;

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const logins = Array.from({ length: MANAGERS }, (_, i) => `bench-mgr-${String(i + 1).padStart(2, '0')}`);
  for (const [i, login] of logins.entries()) {
    await sql(`INSERT IGNORE INTO users (login, password_hash, name, extension, role_id)
      SELECT ?, password_hash, ?, ?, role_id FROM users WHERE login = 'manager'`,
    [login, `Bench Manager ${i + 1}`, String(9001 + i)]);
  }
  const ids = new Map((await sql(`SELECT login, id FROM users WHERE login LIKE 'bench-mgr-%'`)).map(([l, id]) => [l, Number(id)]));
  const subs = [];
  for (const [i, login] of logins.entries()) {
    const c = new Client();
    await c.login(login, 'manager');
    const s = await subscribe(c, ids.get(login));
    if (s.status !== 200) throw new Error(`subscription of ${login}: HTTP ${s.status} (is nchan loaded?)`);
    subs.push({ s, ext: String(9001 + i) });
  }
  await new Promise((r) => setTimeout(r, 300));
  const run = Date.now().toString(36);
  const lat = [];
  let lost = 0, next = 0;
  const t00 = performance.now();
  async function worker() {
    for (;;) {
      const k = next++;
      if (k >= EVENTS) return;
      const { s, ext } = subs[k % subs.length];
      const number = `+38067${String((Date.now() * 7 + k) % 10000000).padStart(7, '0')}`;
      const callId = `bench-popup-${run}-${k}`;
      const t0 = performance.now();
      const res = await postGeneric({ event: 'call.start', call_id: callId, direction: 'in', from: number, ext });
      if (res.status !== 200) throw new Error(`event ${k}: HTTP ${res.status} ${res.text_}`);
      const m = await s.next((d) => d.number === number, TIMEOUT_MS);
      if (!m) { lost++; continue; }
      lat.push(m.at - t0);
      s.messages.splice(s.messages.indexOf(m), 1);
    }
  }
  await Promise.all(Array.from({ length: CONC }, worker));
  const secs = (performance.now() - t00) / 1000;
  await new Promise((r) => setTimeout(r, 300));
  const stray = subs.reduce((n, { s }) => n + s.messages.length, 0);

  // The ceiling, in the same run: the same messages published straight to nchan's publisher
  // location (what the hook does after its commit), same subscribers, same concurrency. What is
  // left between the two is the hook's work: signature, ingest transaction (fsync), recipients.
  const pub = process.env.BENCH_PUBLISH_URL;
  const clat = [];
  let clost = 0;
  if (pub) {
    let cnext = 0;
    const cevents = Math.min(EVENTS, 500);
    async function cworker() {
      for (;;) {
        const k = cnext++;
        if (k >= cevents) return;
        const i = k % subs.length;
        const { s } = subs[i];
        const number = `ceiling-${run}-${k}`;
        const t0 = performance.now();
        const res = await fetch(`${pub}${ids.get(logins[i])}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-callboard-publish-secret': process.env.BENCH_PUBLISH_SECRET || '' },
          body: JSON.stringify({ call_id: 0, state: 'ringing', number }),
        });
        await res.text();
        if (res.status < 200 || res.status > 299) throw new Error(`publish ${k}: HTTP ${res.status}`);
        const m = await s.next((d) => d.number === number, TIMEOUT_MS);
        if (!m) { clost++; continue; }
        clat.push(m.at - t0);
        s.messages.splice(s.messages.indexOf(m), 1);
      }
    }
    await Promise.all(Array.from({ length: CONC }, cworker));
    clat.sort((a, b) => a - b);
  }
  subs.forEach(({ s }) => s.close());
  lat.sort((a, b) => a - b);
  const f = (v) => v.toFixed(1);
  console.log(`popup latency, ${MANAGERS} subscribed managers, ${EVENTS} events, ${CONC} in flight, ${f(EVENTS / secs)} events/s`);
  console.log(`  received ${lat.length}, lost ${lost}, delivered to another manager ${stray}`);
  console.log(`  ms: p50 ${f(pct(lat, 50))}  p95 ${f(pct(lat, 95))}  p99 ${f(pct(lat, 99))}  max ${f(lat[lat.length - 1])}`);
  if (pub && clat.length) {
    console.log(`ceiling: the same message published straight to nchan (${clat.length} messages, lost ${clost})`);
    console.log(`  ms: p50 ${f(pct(clat, 50))}  p95 ${f(pct(clat, 95))}  p99 ${f(pct(clat, 99))}  max ${f(clat[clat.length - 1])}`);
    console.log(`  popup p50 / ceiling p50: ${f(pct(lat, 50) / pct(clat, 50))}x; popup p99 - ceiling p99: ${f(pct(lat, 99) - pct(clat, 99))} ms (the hook's share)`);
  }
  console.log(`BENCH popup managers=${MANAGERS} events=${EVENTS} p50_ms=${f(pct(lat, 50))} p99_ms=${f(pct(lat, 99))} lost=${lost} stray=${stray}` +
    (clat.length ? ` ceiling_p50_ms=${f(pct(clat, 50))} ceiling_p99_ms=${f(pct(clat, 99))}` : ''));
  if (lost || stray || clost) process.exitCode = 1;
}

main().catch((e) => { console.error(e); process.exit(1); });
