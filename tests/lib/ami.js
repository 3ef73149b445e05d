// Replaying AMI sessions through the real contrib/asterisk/callboard-ami-bridge
// (issue 15 §2). A fake Asterisk Manager Interface speaks the protocol the
// bridge expects from a PBX (banner, Login answered with Success, then event
// blocks of "Key: Value" lines ending in an empty line, CRLF), plays one
// recorded session and closes; the bridge posts signed events to the real
// hook through nginx. Recordings come as cacofonisk JSON (a list of event
// objects) or as raw AMI text (what `nc pbx 5038` prints, our vectors).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './http.js';

// CB_AMI_BRIDGE: another copy of the bridge to try (an installed one).
export const BRIDGE = process.env.CB_AMI_BRIDGE
  || fileURLToPath(new URL('../../contrib/asterisk/callboard-ami-bridge', import.meta.url));
export const VECTORS = fileURLToPath(new URL('../vectors/asterisk/', import.meta.url));

// The folder of recorded real payloads (never committed, see its README):
// $CB_SHARED_DIR if set (only there), else ../shared beside the checkout
// (CI), else /work/shared.
export function sharedPayloads() {
  const root = process.env.CB_ROOT || fileURLToPath(new URL('../..', import.meta.url));
  const tries = (process.env.CB_SHARED_DIR ? [process.env.CB_SHARED_DIR]
    : [path.join(root, '..', 'shared'), '/work/shared'])
    .map((d) => path.join(d, 'real-payloads', 'ami'));
  return tries.find((d) => existsSync(d)) || null;
}

// A recording as a list of blocks, each a list of [key, value] in order.
export function readRecording(file) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    return JSON.parse(text).map((e) => Object.entries(e)
      .filter(([k]) => k !== 'content').map(([k, v]) => [k, String(v)]));
  }
  const blocks = [];
  let cur = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw === '') {
      if (cur.length) blocks.push(cur);
      cur = [];
    } else if (!(raw.startsWith('#') && cur.length === 0)) {
      const i = raw.indexOf(':');
      if (i > 0) cur.push([raw.slice(0, i).trim(), raw.slice(i + 1).trim()]);
    }
  }
  if (cur.length) blocks.push(cur);
  return blocks.filter((b) => b.some(([k]) => k === 'Event'));
}

// Channel and call ids made unique to one run, so a test can run again on
// the same database: every *Uniqueid and *Linkedid value gets "-<run>".
export function withRunIds(blocks, run) {
  return blocks.map((b) => b.map(([k, v]) =>
    [k, /(Uniqueid|Linkedid)$/.test(k) && v !== '' ? `${v}-${run}` : v]));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The fake AMI: answers the bridge's Login, plays `blocks` gapMs apart on
// the first connection, then closes it (a PBX restart, as the bridge sees
// it). Later connections are logged in and left idle.
export function fakeAmi(blocks, { user = 'callboard', secret = 'ami-secret', gapMs = 3 } = {}) {
  let played = false;
  let resolveDone;
  const done = new Promise((r) => { resolveDone = r; });
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    sock.write('Asterisk Call Manager/5.0.1\r\n');
    let buf = '';
    sock.on('data', async (d) => {
      buf += d.toString('utf8');
      let end;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const action = Object.fromEntries(buf.slice(0, end).split('\r\n')
          .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]));
        buf = buf.slice(end + 4);
        if (action.Action !== 'Login') continue;
        const ok = action.Username === user && action.Secret === secret;
        sock.write(`Response: ${ok ? 'Success' : 'Error'}\r\nActionID: ${action.ActionID || ''}\r\n`
          + `Message: Authentication ${ok ? 'accepted' : 'failed'}\r\n\r\n`);
        if (!ok || played) continue;
        played = true;
        for (const b of blocks) {
          sock.write(b.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
          await sleep(gapMs);
        }
        sock.end();
        resolveDone();
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: server.address().port,
    done,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  })));
}

// Runs the real bridge against a fake AMI playing `blocks`, posting to
// /hook/<slug>. Resolves once the session was played, the bridge saw its
// end and its outbox is empty (every event answered); returns the events
// the bridge posted (from its -v log) and any it had refused.
export async function replay(blocks, { slug = 'asterisk', secret = 'demo-generic-secret',
  extRegex, trunkContexts = [], gapMs = 3, timeoutMs = 30000 } = {}) {
  const ami = await fakeAmi(blocks, { gapMs });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-ami-'));
  const queue = path.join(dir, 'outbox.jsonl');
  const args = [BRIDGE, '-v', '--url', `${BASE}/hook/${slug}`, '--secret', secret,
    '--ami-host', '127.0.0.1', '--ami-port', String(ami.port), '--ami-user', 'callboard',
    '--ami-secret', 'ami-secret', '--queue', queue];
  if (extRegex) args.push('--ext-regex', extRegex);
  for (const c of trunkContexts) args.push('--trunk-context', c);
  const child = spawn('python3', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d.toString('utf8'); });
  const exited = new Promise((r) => child.on('exit', r));
  const deadline = Date.now() + timeoutMs;
  try {
    await ami.done;
    for (;;) {
      const drained = existsSync(queue) && statSync(queue).size === 0;
      if (/AMI closed the connection/.test(log) && drained) break;
      if (child.exitCode !== null) throw new Error(`bridge exited ${child.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`bridge did not deliver in time: ${log.slice(-2000)}`);
      await sleep(50);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
    await ami.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const events = [...log.matchAll(/: DEBUG: event (\{.*\})$/gm)].map((m) => JSON.parse(m[1]));
  const refused = [...log.matchAll(/refused an event \(HTTP (\d+)\)[^\n]*/g)].map((m) => m[0]);
  return { events, refused, log };
}

// The bridge's --selftest output for recorded blocks (fed on its stdin):
// the events it would post, in order.
export function selftest(blocks, extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [BRIDGE, '--selftest', '-', ...extraArgs],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l)))
      : reject(new Error(`selftest: ${code} ${err}`))));
    child.stdin.end(blocks.map((b) => b.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n').join(''));
  });
}
