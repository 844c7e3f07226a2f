#!/usr/bin/env python3
"""native.py -- native-memory accounting, measured (issue 6).

Runs examples/lisp/programs/string-churn.scm (large strings whose bodies are
malloc'd by the interpreter and reported to gull with gull_set_native_size)
in one run, alternating, on:

  gull        gull-lisp with the hook on (the default)
  gull-off    gull-lisp with GULL_EXTERNAL_PACING=0: the native bytes are
              still counted, but no longer bring collections forward
  boehm       boehm-lisp (Boehm GC is not told about malloc'd bodies)

For each: peak RSS (ru_maxrss of the child, median over the rounds) and the
run's wall time.  "Live data" is measured, not assumed: on gull-lisp with
GULL_TRACE=1, after every major collection the collector knows the bytes of
live objects and the native bytes still associated with live objects; the
largest sum over the run is the peak live data the program held at a
collection.  The ratio peak RSS / peak live data is the figure the issue
asks about (target: within 2x with the hook).

Usage: native.py --builddir DIR --srcdir DIR [--rounds N]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

UNITS = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
TRACE = re.compile(r"gull: gc \d+ (minor|major) [\d.]+ ms heap \S+->(\S+) committed \S+ "
                   r"ext (\S+) ")


def parse_size(s):
    return float(s[:-1]) * UNITS[s[-1]] if s[-1] in UNITS else float(s)


def run(cmd, env, stdout_path):
    """Run cmd; return (peak_rss_bytes, seconds, stderr_text, returncode)."""
    start = time.monotonic()
    with open(stdout_path, "w") as out:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.PIPE, text=True)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
    secs = time.monotonic() - start
    return ru.ru_maxrss * 1024, secs, err, os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="bench/results")
    a = ap.parse_args()

    prog = os.path.join(a.srcdir, "examples/lisp/programs/string-churn.scm")
    expected = open(os.path.join(a.srcdir, "examples/lisp/programs/string-churn.out")).read()
    gull = os.path.join(a.builddir, "examples/lisp/gull-lisp")
    boehm = os.path.join(a.builddir, "examples/lisp/boehm-lisp")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GULL_", "GC_"))}
    configs = [
        ("gull", [gull, prog], dict(base)),
        ("gull-off", [gull, prog], dict(base, GULL_EXTERNAL_PACING="0")),
        ("boehm", [boehm, prog], dict(base)),
    ]
    configs = [c for c in configs if os.access(c[1][0], os.X_OK)]
    if not configs:
        print("native: the Lisp binaries are not built; skipped")
        return 0
    os.makedirs(a.out, exist_ok=True)
    outfile = os.path.join(a.out, "native-stdout.txt")

    rss = {name: [] for name, _, _ in configs}
    secs = {name: [] for name, _, _ in configs}
    for r in range(a.rounds):
        for name, cmd, env in configs:
            peak, t, err, rc = run(cmd, env, outfile)
            if rc != 0 or open(outfile).read() != expected:
                print("native: %s round %d: wrong output or exit %d (not counted)\n%s"
                      % (name, r, rc, err[-500:]))
                continue
            rss[name].append(peak)
            secs[name].append(t)

    # Peak live data, measured by gull at its major collections (one traced run).
    live = 0
    if os.access(gull, os.X_OK):
        _, _, err, _ = run([gull, prog], dict(base, GULL_TRACE="1"), outfile)
        for m in TRACE.finditer(err):
            if m.group(1) == "major":
                live = max(live, parse_size(m.group(2)) + parse_size(m.group(3)))

    mib = lambda b: "%.1f" % (b / (1 << 20))
    rows = []
    print("\nnative memory: string-churn.scm (%d rounds, medians)" % a.rounds)
    print("%-10s %12s %10s %14s %12s" % ("collector", "peak RSS MiB", "time s", "RSS/live data",
                                          "RSS/boehm"))
    boehm_rss = statistics.median(rss["boehm"]) if rss.get("boehm") else None
    for name, _, _ in configs:
        if not rss[name]:
            continue
        r = statistics.median(rss[name])
        t = statistics.median(secs[name])
        ratio_live = r / live if live else float("nan")
        ratio_b = r / boehm_rss if boehm_rss else float("nan")
        rows.append((name, r, t, ratio_live, ratio_b))
        print("%-10s %12s %10.2f %14.2f %12.2f" % (name, mib(r), t, ratio_live, ratio_b))
    print("peak live data measured at gull's major collections: %s MiB" % mib(live))
    with open(os.path.join(a.out, "native.md"), "w") as f:
        f.write("| collector | peak RSS (MiB) | time (s) | RSS / live data | RSS / Boehm |\n")
        f.write("|---|---|---|---|---|\n")
        for name, r, t, rl, rb in rows:
            f.write("| %s | %s | %.2f | %.2f | %.2f |\n" % (name, mib(r), t, rl, rb))
        f.write("\nPeak live data (live heap + live native bytes at gull's majors): %s MiB\n"
                % mib(live))
    return 0


if __name__ == "__main__":
    sys.exit(main())
