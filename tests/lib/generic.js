// Signing and posting events in Callboard's generic format
// (docs/generic-format.md): X-Timestamp + X-Signature: sha256=<hex HMAC-SHA256
// of "<timestamp>.<raw body>"> keyed with the integration's secret.
import { createHmac } from 'node:crypto';
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
