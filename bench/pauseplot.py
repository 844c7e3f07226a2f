#!/usr/bin/env python3
"""pauseplot.py — plots of a pause log, in one command.

Reads a pause log (gull's GULL_PAUSE_LOG, or BOEHM_PAUSE_LOG of the bench
programs), old form or new form (bench/README.md, "Pause logs"), and writes
three SVG plots per run:

  NAME-hist.svg      how many pauses of each duration: log-spaced bins
                     (5 a decade), log x, log y, one line per kind
  NAME-timeline.svg  each pause's duration against its start, in seconds
                     since the run's start, one colour per kind
  NAME-mmu.svg       minimum mutator utilization against window width

A pause is the union of records that nest or touch (Boehm's stw inside its
full collection counts once), as make compare counts them; the summary and
the shaded histogram are of pauses, the per-kind lines of records.

A file that holds several runs (one header line per heap: '# gull pause
log pid=...') gets one set per run, NAME = LOG's base name plus -runN; a
log without headers is one run.  It prints a summary per run as well.

Durations are on CLOCK_MONOTONIC (wall time: preemption included), or with
--clock cpu on the thread's CPU clock where the log has a cpu_ns column.
The MMU is always on CLOCK_MONOTONIC (windows are wall time), over the run
from its header's start_ns (else its first pause) to its last pause's end:
the log does not say when the program exited.  Every kind is a pause
(minor, major, mark-*, sweep and any other); --exclude drops kinds.
Needs gnuplot (as make compare does); only the Python standard library.

Example:
  GULL_PAUSE_LOG=/tmp/pauses.log bench/gcbench-gull
  bench/pauseplot.py /tmp/pauses.log -o /tmp/pauseplots
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

WINDOWS_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
              10000, 20000, 50000, 100000]
BINS_PER_DECADE = 5
COMMON = ("set terminal svg size 820,480 dynamic enhanced font 'sans,11' background '#ffffff'\n"
          "set grid\nset key top right\n")


def durations(pauses, clock):
    """[(kind, start_ns, duration_ns)] on the chosen clock."""
    if clock == "cpu":
        return [(k, s, c) for k, s, _, c in pauses]
    return [(k, s, e - s) for k, s, e, _ in pauses]


def quoted(s):
    return "'" + s.replace("'", "") + "'"


def hist(tmp, name, union, durs, kinds, title, clock):
    """union: the pauses' durations (ns); durs: the records, per kind."""
    lo = min(max(d, 1) for _, _, d in durs + union)
    hi = max(max(d, 1) for _, _, d in durs + union)
    b0 = math.floor(math.log10(lo) * BINS_PER_DECADE)
    b1 = math.floor(math.log10(hi) * BINS_PER_DECADE) + 1
    edges = [10 ** (b / BINS_PER_DECADE) for b in range(b0, b1 + 1)]  # ns

    def counts(sel):
        c = [0] * (b1 - b0)
        for _, _, d in sel:
            i = min(len(c) - 1, max(0, math.floor(math.log10(max(d, 1)) * BINS_PER_DECADE) - b0))
            c[i] += 1
        return c

    plots = []
    fn = os.path.join(tmp, "all.hist")
    with open(fn, "w") as f:  # boxes: x y xlow xhigh ylow yhigh (ms)
        for i, n in enumerate(counts(union)):
            if n:
                a, b = edges[i] / 1e6, edges[i + 1] / 1e6
                f.write("%g %d %g %g 0.5 %d\n" % (math.sqrt(a * b), n, a, b, n))
    plots.append("%s using 1:2:3:4:5:6 with boxxyerror fs solid 0.25 noborder lc rgb '#9aa5b1' "
                 "title 'pauses (union of records)'" % quoted(fn))
    if len(kinds) > 1 or len(union) != len(durs):
        for k in kinds:
            fn = os.path.join(tmp, "%d.hist" % kinds.index(k))
            c = counts([x for x in durs if x[0] == k])
            with open(fn, "w") as f:  # steps: a level from each edge to the next
                for i, n in enumerate(c):
                    f.write("%g %g\n" % (edges[i] / 1e6, max(n, 0.5)))
                f.write("%g %g\n" % (edges[-1] / 1e6, 0.5))
            plots.append("%s using 1:2 with steps lw 2 title %s" % (quoted(fn), quoted(k)))
    svg = name + "-hist.svg"
    gp = COMMON + ("set output %s\nset title %s\nset logscale x\nset logscale y\n"
                   "set xlabel 'pause (ms, %s, log scale)'\nset ylabel 'pauses (log scale)'\n"
                   "set yrange [0.5:*]\nplot %s\n"
                   % (quoted(svg), quoted("Pause durations: " + title), clock,
                      ", ".join(plots)))
    return svg, gp


def timeline(tmp, name, durs, kinds, t0, title, clock):
    plots = []
    n = {k: sum(1 for x in durs if x[0] == k) for k in kinds}
    for k in sorted(kinds, key=lambda k: -n[k]):  # the rarest kinds drawn last, on top
        fn = os.path.join(tmp, "%d.tl" % kinds.index(k))
        with open(fn, "w") as f:
            for kk, s, d in durs:
                if kk == k:
                    f.write("%.9f %g\n" % ((s - t0) / 1e9, max(d, 1) / 1e6))
        plots.append("%s using 1:2 with points pt 7 ps 0.5 title %s" % (quoted(fn), quoted(k)))
    svg = name + "-timeline.svg"
    gp = COMMON + ("set output %s\nset title %s\nset logscale y\nset key outside right top\n"
                   "set xrange [0:*]\nset offsets 0, graph 0.02, graph 0.05, graph 0.05\n"
                   "set xlabel 'time since start (s)'\nset ylabel 'pause (ms, %s, log scale)'\n"
                   "plot %s\n" % (quoted(svg), quoted("Pauses over time: " + title), clock,
                                  ", ".join(plots)))
    return svg, gp


def mmu_curve(tmp, name, iv, t0, t1, title):
    fn = os.path.join(tmp, "mmu")
    span_ms = (t1 - t0) / 1e6
    pts = []
    for w in WINDOWS_MS:
        if w > span_ms:
            break
        pts.append((w, H.mmu(iv, t0, t1, w * 1e6)))
    pts.append((span_ms, H.mmu(iv, t0, t1, span_ms * 1e6)))
    with open(fn, "w") as f:
        for w, u in pts:
            f.write("%g %.5f\n" % (w, u))
    svg = name + "-mmu.svg"
    gp = COMMON + ("set output %s\nset title %s\nset logscale x\nset key bottom right\n"
                   "set xlabel 'window (ms, log scale)'\nset ylabel 'MMU'\nset yrange [0:1.02]\n"
                   "plot %s using 1:2 with linespoints lw 2 pt 7 title 'MMU (monotonic)'\n"
                   % (quoted(svg), quoted("Minimum mutator utilization: " + title), quoted(fn)))
    return svg, gp, pts


def ms(x):
    return "n/a" if x is None else "%.4g" % (x / 1e6)


def one_run(run, name, label, clock, exclude, gnuplot):
    """Plot one run; returns the SVGs written."""
    pauses = [p for p in run.pauses if p[0] not in exclude]
    if not pauses:
        print("%s: no pauses%s, nothing to plot" % (label, " left" if run.pauses else ""))
        return []
    has_cpu = all(p[3] is not None for p in pauses)
    use = clock
    if clock == "cpu" and not has_cpu:
        print("%s: the log has no cpu_ns column: durations on the monotonic clock" % label)
        use = "mono"
    durs = durations(pauses, use)
    kinds = []
    for k, _, _, _ in pauses:
        if k not in kinds:
            kinds.append(k)
    t0 = run.start_ns()
    t0 = min(t0, min(p[1] for p in pauses))
    t1 = max(p[2] for p in pauses)
    merged = H.merge_cpu(pauses)  # a pause: the union of nested or touching records
    iv = [(s, e) for s, e, _ in merged]
    union = [("all", s, (c if use == "cpu" else e - s)) for s, e, c in merged]
    title = "%s (%s)" % (os.path.basename(name), label)
    clockname = "CPU clock" if use == "cpu" else "monotonic"

    # Summary, on both clocks where the log has both.
    mono = sorted(e - s for s, e, _ in merged)
    cpu = sorted(c for _, _, c in merged) if has_cpu else None
    print("%s: %d pauses over %.3f s (records: %s)" % (
        label, len(merged), (t1 - t0) / 1e9,
        ", ".join("%s %d" % (k, sum(1 for p in pauses if p[0] == k)) for k in kinds)))
    for cname, v in (("monotonic", mono), ("CPU clock", cpu)):
        if v:
            print("  %-9s ms: p50 %s  p99 %s  max %s  total %s" % (
                cname, ms(H.quantile(v, 0.5)), ms(H.quantile(v, 0.99)), ms(v[-1]),
                ms(sum(v))))
    if not has_cpu:
        print("  CPU clock: n/a (no cpu_ns column)")

    made = []
    with tempfile.TemporaryDirectory(prefix="pauseplot-") as tmp:
        svg, gp = hist(tmp, name, union, durs, kinds, title, clockname)
        made += run_gnuplot(gnuplot, gp, svg)
        svg, gp = timeline(tmp, name, durs, kinds, t0, title, clockname)
        made += run_gnuplot(gnuplot, gp, svg)
        svg, gp, pts = mmu_curve(tmp, name, iv, t0, t1, title)
        made += run_gnuplot(gnuplot, gp, svg)
    print("  MMU: " + "  ".join("%gms %.2f" % (w, u) for w, u in pts if w in (1, 10, 100)))
    for m in made:
        print("  wrote %s" % m)
    return made


def run_gnuplot(gnuplot, script, svg):
    p = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if p.returncode != 0:
        print("  gnuplot failed on %s: %s" % (svg, p.stderr.strip()[:300]))
        return []
    return [svg]


def main():
    ap = argparse.ArgumentParser(
        description="SVG plots of a gull (or bench Boehm) pause log: histogram, timeline "
                    "and MMU curve, one set per run.",
        epilog="example: GULL_PAUSE_LOG=/tmp/pauses.log bench/gcbench-gull && "
               "bench/pauseplot.py /tmp/pauses.log -o /tmp/pauseplots",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log", help="the pause log (GULL_PAUSE_LOG file)")
    ap.add_argument("-o", "--out", default=".", help="output directory (default: .)")
    ap.add_argument("--clock", choices=["mono", "cpu"], default="mono",
                    help="durations of the histogram and timeline: CLOCK_MONOTONIC (default) "
                         "or the thread's CPU clock (needs the cpu_ns column)")
    ap.add_argument("--exclude", action="append", default=[], metavar="KIND",
                    help="leave out pauses of this kind (repeatable), e.g. sweep")
    ap.add_argument("--gnuplot", default="gnuplot")
    a = ap.parse_args()
    gnuplot = shutil.which(a.gnuplot)
    if not gnuplot:
        print("pauseplot: gnuplot not found (install it, or pass --gnuplot PATH)",
              file=sys.stderr)
        return 2
    if not os.path.isfile(a.log):
        print("pauseplot: no such file: %s" % a.log, file=sys.stderr)
        return 2
    runs = [r for r in H.parse_pause_log(a.log) if r.pauses or r.header]
    if not runs:
        print("pauseplot: %s holds no pause" % a.log, file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.splitext(os.path.basename(a.log))[0]
    made = []
    for i, r in enumerate(runs, 1):
        name = os.path.join(a.out, stem if len(runs) == 1 else "%s-run%d" % (stem, i))
        label = ("run %d of %d: " % (i, len(runs)) if len(runs) > 1 else "") + r.label()
        made += one_run(r, name, label, a.clock, set(a.exclude), gnuplot)
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())
