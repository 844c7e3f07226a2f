#!/usr/bin/env python3
"""lisp_speed.py -- the Lisp's own speed (issue 4): every program of
examples/lisp/programs on gull-lisp, boehm-lisp and Guile 3's interpreter
(`guile --no-auto-compile -s`), alternating, several rounds, median wall
time, and the ratios gull-lisp/guile and gull-lisp/boehm-lisp.

A run whose output differs from NAME.out (up to the `--- timings ---` marker
for request-loop) is reported and not counted.  Guile is skipped, with a
message, when it is not installed (Debian package guile-3.0).

Usage: lisp_speed.py --builddir DIR --srcdir DIR [--rounds N] [--out DIR]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

MARKER = "--- timings ---\n"


def deterministic(text):
    i = text.find(MARKER)
    return text if i < 0 else text[: i + len(MARKER)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default="bench/results")
    a = ap.parse_args()

    progdir = os.path.join(a.srcdir, "examples/lisp/programs")
    progs = sorted(f[:-4] for f in os.listdir(progdir) if f.endswith(".scm"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GULL_", "GC_"))}
    runners = []
    for name, path in (("gull-lisp", "examples/lisp/gull-lisp"),
                       ("boehm-lisp", "examples/lisp/boehm-lisp")):
        p = os.path.abspath(os.path.join(a.builddir, path))
        if os.access(p, os.X_OK):
            runners.append((name, [p]))
        else:
            print("lisp_speed: %s is not built; skipped" % p)
    guile = shutil.which("guile") or shutil.which("guile-3.0")
    if guile:
        runners.append(("guile", [guile, "--no-auto-compile", "-s"]))
    else:
        print("lisp_speed: guile not found (apt-get install guile-3.0); skipped")
    if not runners:
        return 0

    times = {(p, r): [] for p in progs for r, _ in runners}
    for rnd in range(a.rounds):
        for p in progs:
            src = os.path.join(progdir, p + ".scm")
            want = deterministic(open(os.path.join(progdir, p + ".out")).read())
            for r, cmd in runners:
                t0 = time.monotonic()
                res = subprocess.run(cmd + [src], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=progdir)
                t = time.monotonic() - t0
                if res.returncode != 0 or deterministic(res.stdout) != want:
                    print("lisp_speed: %s on %s: wrong output or exit %d (not counted)"
                          % (p, r, res.returncode))
                    continue
                times[(p, r)].append(t)

    names = [r for r, _ in runners]
    med = {k: statistics.median(v) for k, v in times.items() if v}
    head = "%-14s" % "program" + "".join("%12s" % n for n in names)
    if "guile" in names:
        head += "%14s" % "gull/guile"
    if "boehm-lisp" in names:
        head += "%14s" % "gull/boehm"
    print("\nLisp speed: wall seconds, median of %d rounds" % a.rounds)
    print(head)
    rows = []
    for p in progs:
        cells = [med.get((p, n)) for n in names]
        line = "%-14s" % p + "".join("%12s" % ("%.2f" % c if c else "-") for c in cells)
        g = med.get((p, "gull-lisp"))
        rg = g / med[(p, "guile")] if g and med.get((p, "guile")) else None
        rb = g / med[(p, "boehm-lisp")] if g and med.get((p, "boehm-lisp")) else None
        if "guile" in names:
            line += "%14s" % ("%.2f" % rg if rg else "-")
        if "boehm-lisp" in names:
            line += "%14s" % ("%.2f" % rb if rb else "-")
        print(line)
        rows.append((p, cells, rg, rb))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "lisp-speed.md"), "w") as f:
        f.write("| program | " + " | ".join(names) + " | gull/guile | gull/boehm |\n")
        f.write("|---|" + "---|" * (len(names) + 2) + "\n")
        for p, cells, rg, rb in rows:
            f.write("| %s | %s | %s | %s |\n" % (
                p, " | ".join("%.2f" % c if c else "-" for c in cells),
                "%.2f" % rg if rg else "-", "%.2f" % rb if rb else "-"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
