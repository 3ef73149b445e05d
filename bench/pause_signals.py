#!/usr/bin/env python3
"""The two signals the transcription pause could read (docs/transcripts.md "Pause while busy"),
sampled side by side every 200 ms, so that one can see which tells "the server is serving":

- others: the share of the machine's CPU time (all cores) used by processes other than the
  transcription (every process whose command line holds --as-worker or is a child of one,
  and callboard-worker's children), from /proc/stat and /proc/<pid>/stat: what the worker reads;
- psi: /proc/pressure/cpu "some" total, as a share of the interval (the time some runnable task
  waited for a CPU).

    bench/pause_signals.py SECONDS [OUT.tsv] [--no-scan]

--no-scan: do not look for the transcription's processes (scanning /proc costs CPU itself):
"others" is then every process's use.

Prints one line per sample: unix time, others %, psi %, transcription %.
"""
import os
import sys
import time



def machine():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy, busy + v[3] + v[4]


def psi():
    try:
        with open("/proc/pressure/cpu") as f:
            for line in f:
                if line.startswith("some"):
                    return int(line.split("total=")[1])
    except OSError:
        return None
    return None


def transcription_ticks():
    """utime + stime of the transcription processes (callboard ... --as-worker and their
    children; callboard-worker's children)."""
    parents, ticks, stats = set(), 0, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
        except OSError:
            continue
        rest = st[st.rfind(")") + 2:].split()
        stats[pid] = (int(rest[1]), int(rest[11]) + int(rest[12]))
        argv0 = cmd.split(b"\0")[0]
        if b"--as-worker" in cmd or argv0.endswith(b"callboard-worker"):
            parents.add(int(pid))
    # A child that ended between two samples takes its ticks with it: that interval reads
    # a little high for "others".
    for ppid, t in stats.values():
        if ppid in parents:
            ticks += t
    return ticks


def main():
    args = [a for a in sys.argv[1:] if a != "--no-scan"]
    scan = transcription_ticks if len(args) == len(sys.argv) - 1 else (lambda: 0)
    secs = float(args[0])
    out = open(args[1], "w") if len(args) > 1 else sys.stdout
    b0, t0 = machine()
    p0, c0, w0 = psi(), scan(), time.monotonic()
    end = w0 + secs
    while time.monotonic() < end:
        time.sleep(0.2)
        b1, t1 = machine()
        p1, c1, w1 = psi(), scan(), time.monotonic()
        dt = max(t1 - t0, 1)
        child = max(c1 - c0, 0)
        others = max(b1 - b0 - child, 0) * 100.0 / dt
        pressure = (p1 - p0) / 1e6 / (w1 - w0) * 100.0 if p0 is not None and p1 is not None else -1
        print(f"{time.time():.1f}\t{others:.1f}\t{pressure:.1f}\t{child * 100.0 / dt:.1f}", file=out, flush=True)
        b0, t0, p0, c0, w0 = b1, t1, p1, c1, w1


if __name__ == "__main__":
    main()
