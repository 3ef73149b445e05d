// Live popups from a test's point of view: subscribe to a manager's nchan channel the way a
// page's EventSource does (GET /live/manager/<id>, Accept: text/event-stream) and collect the
// messages, parsed from the event stream as they arrive.
import { BASE } from './http.js';

// base: another host's address (tests/http/live_redis.test.js); the session is the same.
export async function subscribe(client, userId, base = BASE) {
  const ac = new AbortController();
  const headers = { accept: 'text/event-stream' };
  if (client && client.cookies.size) headers.cookie = client.cookieHeader();
  const res = await fetch(`${base}/live/manager/${userId}`, { headers, signal: ac.signal });
  const sub = { status: res.status, messages: [], waiters: [], close: () => ac.abort() };
  if (res.status !== 200) {
    await res.text().catch(() => {});
    return sub;
  }
  (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, '')).join('\n');
          if (!data) continue;
          const msg = { at: performance.now(), data: JSON.parse(data) };
          sub.messages.push(msg);
          sub.waiters.splice(0).forEach((w) => w());
        }
      }
    } catch { /* aborted */ }
  })();
  // The first message matching pred (already received or arriving within ms), else null.
  sub.next = async (pred, ms = 2000) => {
    const deadline = performance.now() + ms;
    for (;;) {
      const hit = sub.messages.find((m) => pred(m.data));
      if (hit) return hit;
      const left = deadline - performance.now();
      if (left <= 0) return null;
      await new Promise((r) => {
        const t = setTimeout(r, left);
        sub.waiters.push(() => { clearTimeout(t); r(); });
      });
    }
  };
  return sub;
}

// true when nginx serves the nchan locations (the stack loads nchan unless CB_NCHAN=0).
export async function nchanAvailable() {
  const res = await fetch(`${BASE}/live/manager/1`, { headers: { accept: 'text/event-stream' } });
  await res.text().catch(() => {});
  return res.status !== 404;
}
