// Signing and posting events in Callboard's generic format
// (docs/generic-format.md): X-Timestamp + X-Signature: sha256=<hex HMAC-SHA256
// of "<timestamp>.<raw body>"> keyed with the integration's secret.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { BASE } from './http.js';

export const GENERIC_SECRET = 'demo-generic-secret';
export const API_TOKEN = 'demo-api-token';

export function sign(body, secret = GENERIC_SECRET, ts = Math.floor(Date.now() / 1000)) {
  const sig = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
  return { 'x-timestamp': String(ts), 'x-signature': `sha256=${sig}` };
}

export async function postGeneric(event, { slug = 'generic', secret, ts, headers = {} } = {}) {
  const body = JSON.stringify(event);
  const res = await fetch(`${BASE}/hook/${slug}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sign(body, secret, ts), ...headers },
    body,
  });
  res.text_ = await res.text();
  return res;
}

export async function api(path, opts = {}) {
  const res = await fetch(BASE + path, {
    ...opts,
    headers: { authorization: `Bearer ${API_TOKEN}`, ...(opts.headers || {}) },
  });
  res.text_ = await res.text();
  try { res.json_ = JSON.parse(res.text_); } catch { res.json_ = null; }
  return res;
}

export async function callsOf(slug, externalId) {
  const res = await api(`/api/v1/calls?integration=${slug}&external_id=${encodeURIComponent(externalId)}`);
  if (res.status !== 200) throw new Error(`api ${res.status}: ${res.text_}`);
  return res.json_.calls;
}

export function uid(prefix = 't') {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The two events of one answered incoming call (call.start, call.end), as the fault and cluster
// load tests send them; a recording link when recordingUrl is given.
export function answeredCallEvents(callId, from, recordingUrl = null) {
  const now = Math.floor(Date.now() / 1000);
  return [
    { event: 'call.start', event_id: `${callId}-s`, call_id: callId, direction: 'in', from, did: '+380441234567', start: now - 60 },
    { event: 'call.end', event_id: `${callId}-e`, call_id: callId, direction: 'in', from, ext: '101', status: 'answered',
      start: now - 60, answer: now - 50, end: now, billsec: 50,
      ...(recordingUrl ? { recording_url: recordingUrl } : {}) },
  ];
}

// A provider's recording host on a free loopback port: every path answers a small WAV after
// delayMs, and downloads counts the requests per path. close() it after the tests.
export async function recordingServer(delayMs = 0) {
  const downloads = new Map();
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);
  const server = http.createServer((req, res) => {
    downloads.set(req.url, (downloads.get(req.url) || 0) + 1);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
      res.end(wav);
    }, delayMs);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}`, downloads, close: () => server.close() };
}
