#!/usr/bin/env python3
"""Pre-generate signed provider callbacks for the webhook benchmark (bench/webhook.sh).

wrk's Lua has no crypto, so every request is built here, complete with its
signature, and bench/replay.lua sends them in order. Each wrk thread gets its
own file (<out>.<thread>), holding raw HTTP/1.1 requests separated by NUL
bytes (a NUL never occurs in a request we make).

The mix (per call, every call id fresh: the tag makes ids unique per round
and per run):
  * half the calls come from Zadarma: urlencoded forms signed with the
    documented base64(hex(HMAC-SHA1(secret, fields))) (providers.md 2.2),
    NOTIFY_START -> NOTIFY_ANSWER -> NOTIFY_END for answered calls,
    NOTIFY_START -> NOTIFY_END for missed ones;
  * half from the generic webhook: JSON signed with
    X-Signature: sha256=hex(HMAC-SHA256(secret, ts "." body)) (providers.md
    4.5), call.start -> call.answer -> call.end, or call.start -> call.end;
  * 70 % answered, 30 % missed (no answer / cancel / busy);
  * about 30 % of callers are demo customers (exercises the linking
    lookups), the rest unknown numbers.

Events of one call are BLOCK requests apart in a thread's stream (all the
starts of a block of calls, then their answers, then their ends), as in real
traffic where a call's events come seconds apart; with 16 connections in
flight two events of one call are practically never processed at the same
time. Nothing here knows anything secret beyond the demo secrets.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import sys
import time
import zlib
import urllib.parse

ZADARMA_SECRET = b"demo-zadarma-secret"
GENERIC_SECRET = b"demo-generic-secret"
ZADARMA_DIDS = ["380443900100", "380443900101"]      # demo numbers (sql/demo.sql)
GENERIC_DIDS = ["+48223900400", "+34910900500"]
EXTENSIONS = ["101", "103", "104", "105"]            # demo users' extensions
BLOCK = 128


def zadarma_sig(*values):
    mac = hmac.new(ZADARMA_SECRET, "".join(values).encode(), hashlib.sha1).hexdigest()
    return base64.b64encode(mac.encode()).decode()


def http(host, slug, ctype, body, headers):
    head = [
        "POST /hook/%s HTTP/1.1" % slug,
        "Host: %s" % host,
        "User-Agent: callboard-bench",
        "Content-Type: %s" % ctype,
        "Content-Length: %d" % len(body),
    ]
    head += ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# Zadarma's signature covers caller, line and start only, so the hook binds
# it to the first call it comes with (migration 0013): two calls of one
# caller to one line never start in the same second, here either. Within a
# run the set below keeps them apart; between runs (rounds) each --tag
# starts its calls in its own two-minute window of the last few days.
ZADARMA_SIGNED = set()
ZADARMA_WINDOW = [0]


def zadarma_call(host, rnd, call_id, number, now):
    """Events of one incoming Zadarma call, as [phase] -> request bytes."""
    caller = number.lstrip("+")
    did = rnd.choice(ZADARMA_DIDS)
    ext = rnd.choice(EXTENSIONS)
    ago = ZADARMA_WINDOW[0] + rnd.randint(5, 120)
    while (caller, did, ago) in ZADARMA_SIGNED:
        ago += 1
    ZADARMA_SIGNED.add((caller, did, ago))
    start = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now - ago))
    answered = rnd.random() < 0.7

    def post(fields, signed):
        body = urllib.parse.urlencode(fields).encode()
        return http(host, "zadarma", "application/x-www-form-urlencoded", body,
                    [("Signature", zadarma_sig(*signed))])

    out = {0: post([("event", "NOTIFY_START"), ("call_start", start),
                    ("pbx_call_id", call_id), ("caller_id", caller),
                    ("called_did", did)], (caller, did, start))}
    if answered:
        out[1] = post([("event", "NOTIFY_ANSWER"), ("caller_id", caller),
                       ("destination", ext), ("call_start", start),
                       ("pbx_call_id", call_id), ("internal", ext)],
                      (caller, ext, start))
        disp, dur, code = "answered", rnd.randint(5, 600), "16"
    else:
        disp, dur, code = rnd.choice([("no answer", 0, "19"), ("cancel", 0, "16"),
                                      ("busy", 0, "17")])
    out[2] = post([("event", "NOTIFY_END"), ("call_start", start),
                   ("pbx_call_id", call_id), ("caller_id", caller),
                   ("called_did", did), ("internal", ext), ("duration", str(dur)),
                   ("disposition", disp), ("status_code", code),
                   ("is_recorded", "0"), ("call_id_with_rec", "")],
                  (caller, did, start))
    return out


def generic_call(host, rnd, call_id, number, now, ts):
    """Events of one generic-webhook call (80 % incoming, 20 % outgoing)."""
    ext = rnd.choice(EXTENSIONS)
    did = rnd.choice(GENERIC_DIDS)
    start = now - rnd.randint(30, 300)
    answered = rnd.random() < 0.7
    direction = "in" if rnd.random() < 0.8 else "out"
    if direction == "in":
        parties = {"direction": "in", "from": number, "to": did, "did": did}
    else:
        parties = {"direction": "out", "from": ext, "to": number, "did": did}

    def post(obj):
        body = json.dumps(obj, separators=(",", ":")).encode()
        mac = hmac.new(GENERIC_SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        return http(host, "generic", "application/json", body,
                    [("X-Timestamp", ts), ("X-Signature", "sha256=" + mac)])

    out = {0: post(dict(event="call.start", call_id=call_id, start=start, **parties))}
    if answered:
        answer = start + rnd.randint(2, 25)
        end = answer + rnd.randint(5, 600)
        out[1] = post(dict(event="call.answer", call_id=call_id, ext=ext,
                           answer=answer, **parties))
        out[2] = post(dict(event="call.end", call_id=call_id, ext=ext, start=start,
                           answer=answer, end=end, duration=end - start,
                           billsec=end - answer, status="answered",
                           hangup_cause="16", **parties))
    else:
        end = start + rnd.randint(5, 40)
        out[2] = post(dict(event="call.end", call_id=call_id, ext=ext, start=start,
                           end=end, duration=end - start, billsec=0,
                           status=rnd.choice(["no-answer", "busy", "canceled"]),
                           hangup_cause="19", **parties))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="file prefix: <out>.<thread>")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--count", type=int, default=100000, help="requests in all")
    ap.add_argument("--host", default="127.0.0.1:28080")
    ap.add_argument("--tag", required=True, help="unique per round: part of every call id")
    ap.add_argument("--phones", help="file of known customer numbers (E.164), one a line")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    known = []
    if a.phones and os.path.exists(a.phones):
        with open(a.phones) as f:
            known = [l.strip() for l in f if l.strip().startswith("+")]
    known_ua = [p for p in known if p.startswith("+380")]
    # Windows 600 s apart, calls in their first 120 s: rounds generated
    # minutes apart (now moves) still never meet. At most 5.5 days back
    # (the hook refuses a Zadarma call_start over 6 days old).
    ZADARMA_WINDOW[0] = 600 * (zlib.crc32(a.tag.encode()) % 790)
    now = int(time.time())
    ts = str(now)        # X-Timestamp: replayed within the 300 s window
    per_thread = a.count // a.threads
    calls = 0
    for t in range(a.threads):
        rnd = random.Random("%s/%d/%d" % (a.tag, a.seed, t))
        n = 0
        with open("%s.%d" % (a.out, t), "wb") as f:
            block = 0
            while n < per_thread:
                phases = {0: [], 1: [], 2: []}
                for i in range(BLOCK):
                    k = "%s-%d-%d-%d" % (a.tag, t, block, i)
                    zadarma = rnd.random() < 0.5
                    pool = known_ua if zadarma else known
                    if pool and rnd.random() < 0.3:
                        number = rnd.choice(pool)
                    else:
                        number = "+38067%07d" % rnd.randrange(10 ** 7)
                    if zadarma:
                        cid = "in_" + hashlib.sha1(k.encode()).hexdigest()
                        evs = zadarma_call(a.host, rnd, cid, number, now)
                    else:
                        cid = "bench." + k
                        evs = generic_call(a.host, rnd, cid, number, now, ts)
                    for p, req in evs.items():
                        phases[p].append(req)
                    calls += 1
                for p in (0, 1, 2):
                    for req in phases[p]:
                        if n >= per_thread:
                            break
                        f.write(req)
                        f.write(b"\0")
                        n += 1
                block += 1
    print("generated %d requests (%d per thread, %d calls started)" %
          (per_thread * a.threads, per_thread, calls), file=sys.stderr)


if __name__ == "__main__":
    main()
