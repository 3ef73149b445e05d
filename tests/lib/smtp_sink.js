// A small real SMTP server on loopback for the e-mail tests (RFC 5321:
// EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT). It
// keeps every message it accepts; the worker's libcurl client talks to it
// exactly as to a real relay. The stack writes
// smtp_url = smtp://127.0.0.1:$CB_SMTP_PORT into the programs' config.
//
//   const sink = await startSmtpSink();            // CB_SMTP_PORT
//   const m = await sink.waitFor((m) => m.to.includes('a@b.example'));
//   m.headers.subject, m.body
//   await sink.close();
import net from 'node:net';

export const SMTP_PORT = Number(process.env.CB_SMTP_PORT ||
  (Number(process.env.CB_HTTP_PORT || 18080) + 25));

// "Subject: =?UTF-8?B?...?=" back to text; the space between two encoded
// words is not part of the text (RFC 2047 §6.2).
function decodeWords(v) {
  return v.replace(/(\?=)\s+(?==\?)/g, '$1').replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi,
    (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

function parseMessage(data) {
  const sep = data.indexOf('\r\n\r\n');
  const head = sep < 0 ? data : data.slice(0, sep);
  const body = sep < 0 ? '' : data.slice(sep + 4);
  const headers = {};
  // A folded header continues on lines that start with a space (RFC 5322 §2.2.3).
  for (const line of head.split(/\r\n(?![ \t])/).map((l) => l.replace(/\r\n[ \t]/g, ' '))) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return { headers, body };
}

export async function startSmtpSink({ port = SMTP_PORT, rejectRcpt = null } = {}) {
  const messages = [];
  const waiters = [];
  const sockets = new Set();

  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = '';
    let inData = false;
    let env = { from: null, to: [] };
    const say = (s) => sock.write(`${s}\r\n`);
    say('220 callboard-test-sink ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          const atStart = buf.startsWith('.\r\n');
          if (end < 0 && !atStart) return;
          const raw = atStart ? '' : buf.slice(0, end);
          buf = atStart ? buf.slice(3) : buf.slice(end + 5);
          inData = false;
          // Dot-unstuffing (RFC 5321 §4.5.2).
          const data = raw.split('\r\n').map((l) => (l.startsWith('..') ? l.slice(1) : l)).join('\r\n');
          const m = { from: env.from, to: env.to, data, ...parseMessage(data) };
          messages.push(m);
          env = { from: null, to: [] };
          say('250 2.0.0 queued');
          for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { sock.write('250-callboard-test-sink\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n'); }
        else if (verb === 'HELO') say('250 callboard-test-sink');
        else if (verb === 'MAIL') { env.from = (line.match(/<([^>]*)>/) || [])[1] ?? null; say('250 2.1.0 ok'); }
        else if (verb === 'RCPT') {
          const to = (line.match(/<([^>]*)>/) || [])[1];
          if (rejectRcpt && rejectRcpt(to)) say('550 5.1.1 no such user');
          else { env.to.push(to); say('250 2.1.5 ok'); }
        }
        else if (verb === 'DATA') { inData = true; say('354 end with <CRLF>.<CRLF>'); }
        else if (verb === 'RSET') { env = { from: null, to: [] }; say('250 ok'); }
        else if (verb === 'NOOP') say('250 ok');
        else if (verb === 'QUIT') { say('221 bye'); sock.end(); return; }
        else say('502 5.5.2 not implemented');
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    port,
    messages,
    waitFor(match, timeoutMs = 15000) {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { match, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) { waiters.splice(i, 1); reject(new Error('no matching e-mail arrived')); }
        }, timeoutMs).unref();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
