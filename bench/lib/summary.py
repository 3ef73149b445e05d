#!/usr/bin/env python3
"""The summary `./run bench` prints after every benchmark ran: each headline
figure beside the ceilings measured in the same run, as ratios (issue 7 §5).

    bench/lib/summary.py BUILD_DIR [POPUP_OUTPUT]

Reads what the scripts left in BUILD_DIR: bench-run/results.txt (webhook.sh:
one BENCH line per wrk run, tagged with its path), history-results.md
(history.sh's table) and the popup run's output (its "BENCH popup" line).
A benchmark that did not run is reported as such; nothing is invented.
"""
import os
import re
import sys


def webhook(build):
    """Mean req/s and p99 per path of webhook.sh's rounds (warm-up excluded)."""
    path = os.path.join(build, "bench-run", "results.txt")
    runs = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3 or parts[2] != "BENCH" or parts[1] == "warm":
                    continue
                kv = dict(p.split("=", 1) for p in parts[3:] if "=" in p)
                runs.setdefault(parts[0], []).append(kv)
    except OSError:
        return {}
    out = {}
    for name, rows in runs.items():
        rps = sum(float(r["rps"]) for r in rows) / len(rows)
        p99 = sum(float(r["p99_ms"]) for r in rows) / len(rows)
        out[name] = (rps, p99)
    return out


def history(build):
    """(number of calls, scenario -> (req/s, p99)) from history.sh's table."""
    out, calls = {}, "?"
    try:
        with open(os.path.join(build, "history-results.md")) as f:
            for line in f:
                m = re.match(r"history at (\d+) calls", line)
                if m:
                    calls = f"{int(m.group(1)):,}"
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) >= 4 and re.fullmatch(r"[a-z]+", cells[0] or "-") \
                        and re.fullmatch(r"[\d.]+", cells[1]):
                    out[cells[0]] = (float(cells[1]), float(cells[3]))
    except OSError:
        pass
    return calls, out


def popup(text):
    m = re.search(r"^BENCH popup (.*)$", text, re.M)
    if not m:
        return None
    return dict(p.split("=", 1) for p in m.group(1).split() if "=" in p)


def main():
    build = sys.argv[1]
    popup_text = ""
    if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
        with open(sys.argv[2]) as f:
            popup_text = f.read()
    w, (ncalls, h), p = webhook(build), history(build), popup(popup_text)
    print("| benchmark | figure | ceiling (same run) | ratio |")
    print("|---|---|---|---|")
    if "real" in w and "insert" in w:
        r, i = w["real"], w["insert"]
        print(f"| webhook ingest (bench/webhook.sh) | {r[0]:.0f} req/s, p99 {r[1]:.1f} ms "
              f"| one-INSERT responder {i[0]:.0f} req/s | {r[0] / i[0]:.2f} (target 0.60) |")
    else:
        print("| webhook ingest (bench/webhook.sh) | did not run | | |")
    noop = w.get("noop")
    for name, (rps, p99) in h.items():
        ceiling = f"no-op FastCGI {noop[0]:.0f} req/s" if noop else "no-op FastCGI: not measured"
        ratio = f"{rps / noop[0]:.2f}" if noop else ""
        print(f"| history {name} at {ncalls} calls (bench/history.sh) | {rps:.0f} req/s, p99 {p99:.1f} ms "
              f"| {ceiling} | {ratio} (target 2,000 req/s, p99 < 30 ms) |")
    if not h:
        print("| history page (bench/history.sh) | did not run | | |")
    if p:
        c = p.get("ceiling_p99_ms")
        print(f"| popup latency, {p.get('managers')} managers (bench/popup.sh) | p50 {p.get('p50_ms')} ms, "
              f"p99 {p.get('p99_ms')} ms, lost {p.get('lost')} | nchan publish p99 {c} ms "
              f"| +{float(p['p99_ms']) - float(c):.1f} ms (target p99 < 200 ms) |" if c else
              f"| popup latency (bench/popup.sh) | p99 {p.get('p99_ms')} ms | not measured | |")
    else:
        print("| popup latency (bench/popup.sh) | did not run | | |")


if __name__ == "__main__":
    main()
