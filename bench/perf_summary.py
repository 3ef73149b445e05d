#!/usr/bin/env python3
"""Summarise `perf script -F pid,ip,sym,dso` output of the hook processes (bench/webhook.sh
with BENCH_PERF=1, recorded with --call-graph dwarf) into where the on-CPU time goes.

Each sample is charged to
  * its phase: the frame just below hook() (verify, parse, ingest_event, route_lookup, ...) or,
    outside hook(), the request plumbing around it (reading the request, sending the answer,
    FastCGI accept);
  * its operation: the innermost frame of the program itself that is not a generic helper
    (db_exec, db_stmt, arena_alloc, ...), e.g. db_call_upsert, phone_normalize, zd_verify;
  * its library: the file of the leaf frame (kernel, libc, libmariadb, libphonenumber, ICU, ...).
Usage: perf script -i perf.data -F pid,ip,sym,dso | perf_summary.py [binary-name]
"""
import collections
import re
import sys

BINARY = sys.argv[1] if len(sys.argv) > 1 else "callboard-hook"
HELPERS = re.compile(r"^(db_exec|db_stmt|db_stmt_text|db_query|db_fetch|db_bind_\w+|db_col\w*|"
                     r"db_affected|db_insert_id|db_stmt_done|stmt_\w+|lookup_id|bind_\w+|"
                     r"db_connect|arena_\w+|buf_\w+|set_error|conn_lost|main|_start|"
                     r"dispatch|handle|app_main)$")
HEADER = re.compile(r"^\s*\d+\s*$")
FRAME = re.compile(r"^\s+[0-9a-f]+ (.+?) \((.+)\)$")


def lib_of(dso):
    base = dso.rsplit("/", 1)[-1]
    for key, name in (("kernel", "kernel"), ("libc.so", "libc"), ("libmariadb", "libmariadb"),
                      ("libphonenumber", "libphonenumber"), ("libicu", "ICU (libphonenumber)"),
                      ("libabsl", "abseil (libphonenumber)"), ("libprotobuf", "protobuf (libphonenumber)"),
                      ("libstdc++", "libstdc++"), ("libcrypto", "libcrypto"), ("libjson-c", "json-c"),
                      ("libfcgi", "libfcgi"), ("libxml2", "libxml2"), (BINARY, BINARY)):
        if key in base:
            return name
    return base


def main():
    samples = []
    cur = None
    for line in sys.stdin:
        if not line.strip():
            if cur:
                samples.append(cur)
            cur = None
            continue
        if HEADER.match(line):      # " 6480 ": a new sample (pid, right-aligned)
            if cur:
                samples.append(cur)
            cur = []
            continue
        m = FRAME.match(line.rstrip("\n"))
        if m and cur is not None:
            cur.append((m.group(1), m.group(2)))
    if cur:
        samples.append(cur)
    n = len(samples)
    if n == 0:
        print("no samples")
        return
    phase = collections.Counter()
    op = collections.Counter()
    lib = collections.Counter()
    for frames in samples:
        leaf = next((d for f, d in frames if d != "inlined"), "?")
        lib[lib_of(leaf)] += 1
        names = [f for f, d in frames if BINARY in d]
        # phase: the frame just below hook() ("hook" itself when the leaf is in hook)
        ph = None
        if "hook" in names:
            i = names.index("hook")
            ph = "hook > " + (names[i - 1] if i > 0 else "(hook itself)")
        else:
            ph = "outside hook(): " + next((x for x in names if not HELPERS.match(x)),
                                            names[0] if names else "?")
        phase[ph] += 1
        op[next((x for x in names if not HELPERS.match(x)), "(no frame of %s)" % BINARY)] += 1

    def show(title, c, k=25):
        print("%s (%d samples)" % (title, n))
        for name, v in c.most_common(k):
            print("  %5.1f%%  %s" % (100.0 * v / n, name))
        print()
    show("By phase", phase)
    show("By operation (innermost own frame that is not a helper)", op)
    show("By library of the leaf frame", lib, 15)


if __name__ == "__main__":
    main()
