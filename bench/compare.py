#!/usr/bin/env python3
"""compare.py — `make compare`: the Lisp pause comparison, gull against Boehm.

Runs every pause-heavy program of examples/lisp/programs/ on gull-lisp (in
every gull mode this build has) and on boehm-lisp (default and incremental
with a 1 ms pause target), plus the C GCBench on the same configurations;
one run of each configuration per round, rounds alternating.  Prints a
short table per program and the machine's load during the run; writes the
wide tables to compare.md and compare.csv, and SVG plots, to --out.

What is measured, and how, is documented in bench/README.md.

Usage: compare.py --srcdir SRC --builddir BUILD --out DIR [--rounds N]
                  [--full] [--programs a,b] [--hyperfine PATH] [--gnuplot PATH]
"""
import argparse
import csv
import glob
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

GULL_MODES = ["gen", "full", "inc", "rc"]
BOEHM_CONFIGS = [
    ("boehm", {}),
    ("boehm-inc", {"GC_ENABLE_INCREMENTAL": "1", "GC_PAUSE_TIME_TARGET": "1"}),
]
MMU_WINDOWS_MS = [1, 10, 100]
CURVE_MS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
LISP_EXT = (".scm", ".lisp", ".lsp", ".ss")
TIMEOUT = 300
# The default run (~3 minutes on an idle 2-core machine): the pause-heavy
# programs.  --full adds every other program of examples/lisp/programs
# (binary-trees: minor collections; string-churn: native memory and RSS)
# and the big-heap programs (BIG_PROGRAMS).
DEFAULT_PROGRAMS = ["gcbench", "request-loop", "cache", "gcbench-c"]
# Run by --full, or when named in --programs ("all" leaves them out): about
# 256 MB live each.  bigheap: bench/bigheap.scm.  gcbench-c-big: the C
# GCBench with a long-lived tree of depth 22 (2^23 - 1 nodes of 32 bytes =
# 256 MiB, plus the 4 MB array; GULL_TRACE=1 shows ~260 MiB after its last
# major collection), workload depths as gcbench-c.
BIG_PROGRAMS = ["bigheap", "gcbench-c-big"]
GCBENCH_BIG_ARGS = ["18", "22", "16"]  # stretch_depth long_lived_depth max_depth


# ---------------------------------------------------------------- discovery

def gull_modes(gcbench_gull, gull_lisp, tmpdir):
    """The gull modes this build runs: a mode counts if gull keeps it (the
    heap reports it) and nobody prints 'not available'."""
    modes = []
    probe_prog = os.path.join(tmpdir, "probe.scm")
    with open(probe_prog, "w") as f:
        f.write("(define x (cons 1 2))\n")
    for m in GULL_MODES:
        ok = True
        why = ""
        if gcbench_gull:
            p = subprocess.run([gcbench_gull, "--probe"], env=clean_env({"GULL_MODE": m}),
                               capture_output=True, text=True, timeout=60)
            if "not available" in p.stderr.lower() or p.stdout.strip() != "gull-" + m:
                ok, why = False, (p.stderr.strip() or p.stdout.strip()).splitlines()[0:1]
        if ok and gull_lisp:
            p = subprocess.run([gull_lisp, probe_prog], env=clean_env({"GULL_MODE": m}),
                               capture_output=True, text=True, timeout=60)
            if "not available" in (p.stderr + p.stdout).lower():
                ok, why = False, (p.stderr.strip()).splitlines()[0:1]
        if ok:
            modes.append(m)
        else:
            print("  gull mode %-4s skipped: %s" % (m, why[0] if why else "not available"))
    return modes


def clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GULL_", "GC_", "BOEHM_"))}
    env.update(extra)
    return env


def exe(path):
    return path if path and os.access(path, os.X_OK) and os.path.isfile(path) else None


# ---------------------------------------------------------------- host view

LAT_RE = re.compile(r"\b(p50|p90|p99\.9|p999|p99|max)\b\s*[=:]?\s*([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s)?\b",
                    re.IGNORECASE)
UNIT = {"ns": 1e-3, "us": 1.0, "µs": 1.0, "ms": 1e3, "s": 1e6}


def host_latency(stdout):
    """Latency percentiles the program printed itself (the request loop):
    lines that mention 'latency' and carry p50/p99/p99.9/max figures, with
    a unit after each figure or once on the line ('(us)'); microseconds if
    none is given.  Returns {'p50': us, ...} or {}."""
    out = {}
    for line in stdout.splitlines():
        if "latenc" not in line.lower():
            continue
        default = "us"
        m = re.search(r"\((ns|us|µs|ms|s)\)", line)
        if m:
            default = m.group(1)
        for key, num, unit in LAT_RE.findall(line):
            k = key.lower().replace("p999", "p99.9")
            out[k] = float(num) * UNIT[(unit or default).lower()]
    return out


# ---------------------------------------------------------------- checking

MARKER = "--- timings ---"


def wrong_output(expected, stdout):
    """None if the run printed what NAME.out holds (up to and including the
    '--- timings ---' marker, as examples/lisp/programs/README.md says),
    else a short description.  A collector bug must not pass for speed."""
    if expected is None:
        return None
    got = stdout
    i = got.find(MARKER + "\n")
    if i >= 0:
        got = got[:i + len(MARKER) + 1]
    if got == expected:
        return None
    for n, (a, b) in enumerate(zip(got.splitlines(), expected.splitlines())):
        if a != b:
            return "line %d: got %r, expected %r" % (n + 1, a[:60], b[:60])
    return "got %d lines, expected %d" % (len(got.splitlines()), len(expected.splitlines()))


# ---------------------------------------------------------------- one run

class Sample:
    """What one run contributes."""

    def __init__(self, r, side):
        self.wall = r.wall
        self.rss_kb = r.rss_kb
        self.t0, self.t1 = r.t0, r.t1
        kinds = {}
        for p in r.pauses:
            kinds[p[0]] = kinds.get(p[0], 0) + 1
        self.kinds = kinds
        if side == "gull":  # an incremental cycle opens with one mark-start
            self.collections = sum(kinds.get(k, 0) for k in ("minor", "major", "mark-start", "rc-cycles"))
        else:  # a Boehm collection is a 'full' bracket; incremental mode has none
            self.collections = kinds.get("full", 0) or kinds.get("stw", 0)
        # gull's "sweep" pauses (lazy sweeping of one block inside an
        # allocation, ~1 us each) are kept out of the quantiles and MMU:
        # Boehm's equivalent (reclaim inside allocation) has no event, so
        # counting one side's only would not compare like with like.  Their
        # total is reported on its own (sweep_ms).  Every other kind, known
        # or not (mark-start, mark-step, ...), is a collector pause.  See
        # bench/README.md.
        self.sweep_total = sum(p[2] - p[1] for p in r.pauses if p[0] == "sweep")
        merged = H.merge_cpu([p for p in r.pauses if p[0] != "sweep"])
        self.iv = [(s, e) for s, e, _ in merged]
        self.durs = sorted(e - s for s, e in self.iv)
        # The same pauses on the thread's CPU clock, if the log has cpu_ns
        # for every one of them (gull's new log, gcbench-boehm); else None.
        cpu = [c for _, _, c in merged]
        self.cpu_durs = sorted(cpu) if all(c is not None for c in cpu) else None
        self.minor = sorted(p[2] - p[1] for p in r.pauses if p[0] in ("minor", "rc-cycles"))
        self.total = sum(self.durs)
        self.mmu = {w: H.mmu(self.iv, self.t0, self.t1, w * 1e6) for w in MMU_WINDOWS_MS}
        # MMU with each pause as long as its CPU time (from its start): on a
        # busy machine a preempted pause would otherwise fill whole windows.
        self.mmu_cpu = None
        if self.cpu_durs is not None:
            civ = [(s, s + c) for s, _, c in merged]
            self.mmu_cpu = {w: H.mmu(civ, self.t0, self.t1, w * 1e6) for w in MMU_WINDOWS_MS}
        self.host = host_latency(r.stdout)


class Cell:
    """All runs of one program on one configuration."""

    def __init__(self):
        self.samples = []
        self.error = None
        self.wrong = 0  # runs whose output differed from NAME.out

    def summary(self):
        s = self.samples
        if not s:
            return None
        pooled = sorted(d for x in s for d in x.durs)
        minor = sorted(d for x in s for d in x.minor)
        d = {
            "runs": len(s),
            "wall_s": H.median([x.wall for x in s]),
            "rss_mib": H.median([x.rss_kb / 1024 if x.rss_kb else None for x in s]),
            "collections": H.median([x.collections for x in s]),
            "pauses": H.median([len(x.durs) for x in s]),
            "p50_ms": H.quantile(pooled, 0.5) / 1e6,
            "p99_ms": H.quantile(pooled, 0.99) / 1e6,
            "p999_ms": H.quantile(pooled, 0.999) / 1e6,
            "max_ms": (pooled[-1] / 1e6) if pooled else 0.0,
            "minor_p99_ms": (H.quantile(minor, 0.99) / 1e6) if minor else None,
            "total_pause_ms": H.median([x.total / 1e6 for x in s]),
            "p99_cpu_ms": None,
            "max_cpu_ms": None,
        }
        if all(x.cpu_durs is not None for x in s):
            cpu = sorted(c for x in s for c in x.cpu_durs)
            d["p99_cpu_ms"] = H.quantile(cpu, 0.99) / 1e6
            d["max_cpu_ms"] = (cpu[-1] / 1e6) if cpu else 0.0
        for w in MMU_WINDOWS_MS:
            d["mmu_%dms" % w] = H.median([x.mmu[w] for x in s])
            d["mmu_cpu_%dms" % w] = (H.median([x.mmu_cpu[w] for x in s])
                                     if all(x.mmu_cpu is not None for x in s) else None)
        for k in ("p50", "p99", "p99.9", "max"):
            d["host_%s_us" % k] = H.median([x.host.get(k) for x in s if x.host.get(k) is not None])
        return d

    def representative(self):
        """The run with the median wall time (for the MMU curve)."""
        s = sorted(self.samples, key=lambda x: x.wall)
        return s[len(s) // 2] if s else None


# ---------------------------------------------------------------- output

COLS = [("runs", "runs", 0), ("wall_s", "wall s", 2), ("rss_mib", "peak RSS MiB", 1),
        ("collections", "GCs", 0), ("pauses", "pauses", 0),
        ("p50_ms", "p50 ms", 3), ("p99_ms", "p99 ms", 3), ("p999_ms", "p99.9 ms", 3),
        ("max_ms", "max ms", 2), ("total_pause_ms", "total pause ms", 0),
        ("mmu_1ms", "MMU 1ms", 2), ("mmu_10ms", "MMU 10ms", 2), ("mmu_100ms", "MMU 100ms", 2)]
RATIO_KEYS = [("wall_s", "wall"), ("rss_mib", "RSS"), ("p99_ms", "p99"), ("max_ms", "max"),
              ("total_pause_ms", "total")]
# On the thread's CPU clock (logs with a cpu_ns column): next to p99 and max.
CPU_COLS = [("p99_cpu_ms", "p99 CPU ms", 3), ("max_cpu_ms", "max CPU ms", 2),
            ("mmu_cpu_10ms", "MMU 10ms CPU", 2)]
HOST_KEYS = [("host_p50_us", "host p50 us"), ("host_p99_us", "host p99 us"),
             ("host_p99.9_us", "host p99.9 us"), ("host_max_us", "host max us")]


def program_table(cells, labels):
    base = cells.get("boehm")
    bsum = base.summary() if base else None
    sums = [cells[l].summary() or {} for l in labels if l in cells]
    host_keys = [(k, h) for k, h in HOST_KEYS if any(x.get(k) is not None for x in sums)]
    has_host = bool(host_keys)
    cols = list(COLS)
    if any(x.get("max_cpu_ms") is not None for x in sums):
        i = [k for k, _, _ in cols].index("max_ms") + 1
        cols[i:i] = CPU_COLS
    headers = ["collector"] + [h for _, h, _ in cols] + \
              ["x Boehm: " + ", ".join(n for _, n in RATIO_KEYS)]
    if has_host:
        headers += [h for _, h in host_keys] + ["host p99 x Boehm"]
    rows = []
    for l in labels:
        c = cells.get(l)
        if c is None:
            continue
        s = c.summary()
        if s is None:
            why = c.error or ("wrong output in %d runs" % c.wrong if c.wrong else "no run")
            why = " ".join(why.split())  # the program's stderr: one table row
            rows.append([l, "failed: " + why] + [""] * (len(headers) - 2))
            continue
        row = [l] + [("%d" % s[k]) if p == 0 and s[k] is not None else H.fmt(s[k], p)
                     for k, _, p in cols]
        if bsum:
            row.append(" ".join(H.fmt(H.ratio(s[k], bsum[k]), 2) for k, _ in RATIO_KEYS))
        else:
            row.append("n/a")
        if has_host:
            row += [H.fmt(s[k], 0) for k, _ in host_keys]
            row.append(H.fmt(H.ratio(s["host_p99_us"], bsum["host_p99_us"]) if bsum else None, 2))
        rows.append(row)
    return H.table(headers, rows)


SAME = 0.03  # time ratios within 3% of 1 read "same" in the short table


def clock_pair(cpu, mono, digits):
    """'CPU (monotonic)': the CPU-clock figure first, n/a if the log had none."""
    return "%s (%s)" % (H.fmt(cpu, digits), H.fmt(mono, digits))


def short_table(name, cells, labels):
    """The terminal's view of one program: a few columns a person reads in
    ten seconds (the wide table is in compare.md)."""
    base = cells.get("boehm")
    bsum = base.summary() if base else None
    headers = [name, "time s", "max pause ms", "p99 pause ms", "MMU 10ms", "RSS MiB",
               "time x Boehm"]
    rows, vals, failed = [], [], []
    for l in labels:
        c = cells.get(l)
        if c is None:
            continue
        s = c.summary()
        if s is None:
            why = c.error or ("wrong output in %d runs" % c.wrong if c.wrong else "no run")
            failed.append("  %s failed: %s" % (l, (why.splitlines() or [""])[0][:70]))
            continue
        r = H.ratio(s["wall_s"], bsum["wall_s"]) if bsum else None
        if r is None:
            verdict = "n/a"
        elif l == "boehm":
            verdict = "1.00 baseline"
        else:
            verdict = "%.2f %s" % (r, "same" if abs(r - 1) <= SAME else
                                   "faster" if r < 1 else "slower")
        rows.append([l, H.fmt(s["wall_s"], 2),
                     clock_pair(s["max_cpu_ms"], s["max_ms"], 1),
                     clock_pair(s["p99_cpu_ms"], s["p99_ms"], 2),
                     clock_pair(s["mmu_cpu_10ms"], s["mmu_10ms"], 2), H.fmt(s["rss_mib"], 0),
                     verdict])
        vals.append((l, s))
    t = H.table(headers, rows, markdown=False)
    if failed:
        t += "\n" + "\n".join(failed)
    if len(vals) > 1:
        t += "\n  best: " + ", ".join(best_of(vals))
    return t


def best_of(vals):
    """Which configuration is best at time, max pause, MMU and RSS, as
    shown (rounded as in the table; ties named together).  Max pause on the
    CPU clock only if every configuration has it, else on the monotonic."""
    cpu = all(s["max_cpu_ms"] is not None for _, s in vals)
    out = []
    for name, key, digits, lower in (
            ("time", "wall_s", 2, True),
            ("max pause" + (" (CPU)" if cpu else ""), "max_cpu_ms" if cpu else "max_ms", 1, True),
            ("MMU 10ms" + (" (CPU)" if cpu else ""), "mmu_cpu_10ms" if cpu else "mmu_10ms", 2, False),
            ("RSS", "rss_mib", 0, True)):
        have = [(l, round(s[key], digits)) for l, s in vals if s.get(key) is not None]
        if not have:
            continue
        b = (min if lower else max)(v for _, v in have)
        who = [l for l, v in have if v == b]
        out.append("%s %s" % (name, "all equal" if len(who) == len(vals) else " = ".join(who)))
    return out


def write_csv(path, results, labels):
    keys = [k for k, _, _ in COLS] + ["minor_p99_ms"] + \
           ["host_p50_us", "host_p99_us", "host_p99.9_us", "host_max_us"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        cpu_keys = [k for k, _, _ in CPU_COLS]  # appended: older columns keep their place
        w.writerow(["program", "collector"] + keys + ["error"] +
                   ["ratio_%s_vs_boehm" % k for k, _ in RATIO_KEYS] + cpu_keys)
        for prog, cells in results.items():
            b = cells.get("boehm")
            bs = b.summary() if b else None
            for l in labels:
                c = cells.get(l)
                if c is None:
                    continue
                s = c.summary()
                if s is None:
                    w.writerow([prog, l] + [""] * len(keys) + [c.error or "no run"] +
                               [""] * (len(RATIO_KEYS) + len(cpu_keys)))
                    continue
                w.writerow([prog, l] + ["" if s.get(k) is None else round(s[k], 6) for k in keys] +
                           [""] + ["" if not bs or H.ratio(s[k], bs[k]) is None
                                   else round(H.ratio(s[k], bs[k]), 4) for k, _ in RATIO_KEYS] +
                           ["" if s.get(k) is None else round(s[k], 6) for k in cpu_keys])


def plots(gnuplot, out, prog, cells, labels):
    """Two SVGs per program: pause-time distribution (CDF of pooled pauses,
    log x) and MMU curve (median-wall run of each collector)."""
    if not gnuplot:
        return []
    ddir = os.path.join(out, "data")
    os.makedirs(ddir, exist_ok=True)
    cdf, mmu = [], []
    for l in labels:
        c = cells.get(l)
        if c is None or not c.samples:
            continue
        pooled = sorted(d for x in c.samples for d in x.durs)
        if pooled:
            fn = os.path.join(ddir, "%s.%s.cdf" % (prog, l))
            with open(fn, "w") as f:
                n = len(pooled)
                step = max(1, n // 2000)
                for i in list(range(0, n, step)) + [n - 1]:
                    f.write("%.6f %.6f\n" % (max(pooled[i], 1000) / 1e6, (i + 1) / n))
            cdf.append((fn, l))
        rep = c.representative()
        fn = os.path.join(ddir, "%s.%s.mmu" % (prog, l))
        with open(fn, "w") as f:
            span_ms = (rep.t1 - rep.t0) / 1e6
            for w in CURVE_MS:
                if w > span_ms:
                    break
                f.write("%g %.5f\n" % (w, H.mmu(rep.iv, rep.t0, rep.t1, w * 1e6)))
        mmu.append((fn, l))
    made = []
    common = ("set terminal svg size 820,480 dynamic enhanced font 'sans,11' background '#ffffff'\n"
              "set key bottom right\nset grid\nset logscale x\n")
    if cdf:
        svg = os.path.join(out, "%s-pauses.svg" % prog)
        gp = common + ("set output '%s'\nset title 'Pause-time distribution: %s (all runs pooled)'\n"
                       "set xlabel 'pause (ms, log scale)'\nset ylabel 'fraction of pauses <= x'\n"
                       "set yrange [0:1.02]\n" % (svg, prog))
        gp += "plot " + ", ".join("'%s' using 1:2 with steps lw 2 title '%s'" % (fn, l)
                                  for fn, l in cdf) + "\n"
        if run_gnuplot(gnuplot, gp):
            made.append(svg)
    if mmu:
        svg = os.path.join(out, "%s-mmu.svg" % prog)
        gp = common + ("set output '%s'\nset title 'Minimum mutator utilization: %s (median-wall run)'\n"
                       "set xlabel 'window (ms, log scale)'\nset ylabel 'MMU'\nset yrange [0:1.02]\n"
                       % (svg, prog))
        gp += "plot " + ", ".join("'%s' using 1:2 with linespoints lw 2 title '%s'" % (fn, l)
                                  for fn, l in mmu) + "\n"
        if run_gnuplot(gnuplot, gp):
            made.append(svg)
    return made


def run_gnuplot(gnuplot, script):
    p = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if p.returncode != 0:
        print("  gnuplot failed: %s" % p.stderr.strip()[:300])
        return False
    return True


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srcdir", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--programs", default=",".join(DEFAULT_PROGRAMS),
                    help="comma-separated names to run, or 'all': every program but "
                         "the big-heap ones (%s), which run by name or with --full; "
                         "default: %%(default)s" % ", ".join(BIG_PROGRAMS))
    ap.add_argument("--hyperfine", default=None)
    ap.add_argument("--gnuplot", default=None)
    ap.add_argument("--no-gcbench", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    hf = H.find_hyperfine(a.hyperfine)
    gp = shutil.which(a.gnuplot or "gnuplot")
    m = H.machine()
    b = a.builddir
    gull_lisp = exe(os.path.join(b, "examples/lisp/gull-lisp"))
    boehm_lisp = exe(os.path.join(b, "examples/lisp/boehm-lisp"))
    gcb_gull = exe(os.path.join(b, "bench/gcbench-gull"))
    gcb_boehm = exe(os.path.join(b, "bench/gcbench-boehm"))

    print("gull compare — %s" % H.machine_line(m))
    for name, p in [("gull-lisp", gull_lisp), ("boehm-lisp", boehm_lisp),
                    ("gcbench-gull", gcb_gull), ("gcbench-boehm", gcb_boehm)]:
        if not p:
            print("  %s: not built, skipped" % name)
    tmpdir = tempfile.mkdtemp(prefix="gullcmp-")
    modes = gull_modes(gcb_gull, gull_lisp, tmpdir) if (gcb_gull or gull_lisp) else []
    shutil.rmtree(tmpdir, ignore_errors=True)
    labels = ["gull-" + x for x in modes] + [l for l, _ in BOEHM_CONFIGS]
    print("  configurations: %s" % ", ".join(labels))

    # Programs: (name, {side: argv})
    programs = []
    pdir = os.path.join(a.srcdir, "examples/lisp/programs")
    files = sorted(f for f in glob.glob(os.path.join(pdir, "*")) if f.endswith(LISP_EXT))
    if not files:
        print("  no Lisp programs in %s yet: skipped" % pdir)
    big = os.path.join(a.srcdir, "bench/bigheap.scm")
    if os.path.exists(big):
        files.append(big)
    expected = {}
    for f in files:
        name = os.path.splitext(os.path.basename(f))[0]
        out = os.path.splitext(f)[0] + ".out"
        if os.path.exists(out):
            with open(out, errors="replace") as fh:
                expected[name] = fh.read()
        sides = {}
        if gull_lisp:
            sides["gull"] = [gull_lisp, f]
        if boehm_lisp:
            sides["boehm"] = [boehm_lisp, f]
        if sides:
            programs.append((name, sides))
    if not a.no_gcbench:
        sides = {}
        if gcb_gull:
            sides["gull"] = [gcb_gull]
        if gcb_boehm:
            sides["boehm"] = [gcb_boehm]
        if sides:
            programs.append(("gcbench-c", sides))
            programs.append(("gcbench-c-big", {k: v + GCBENCH_BIG_ARGS for k, v in sides.items()}))
    if a.full:
        pass
    elif a.programs == "all":
        programs = [p for p in programs if p[0] not in BIG_PROGRAMS]
    elif a.programs:
        want = set(a.programs.split(","))
        for w in sorted(want - set(p[0] for p in programs)):
            print("  program %s: not found, skipped" % w)
        programs = [p for p in programs if p[0] in want]
    if not programs:
        print("compare: nothing to run")
        return 0

    configs = []  # (label, side, env, pause_env)
    for x in modes:
        configs.append(("gull-" + x, "gull", {"GULL_MODE": x}, "GULL_PAUSE_LOG"))
    for l, env in BOEHM_CONFIGS:
        configs.append((l, "boehm", env, "BOEHM_PAUSE_LOG"))

    results = {name: {} for name, _ in programs}
    print("  %d programs x %d configurations x %d rounds (alternating); wall time: %s"
          % (len(programs), len(configs), a.rounds,
             "hyperfine -N --runs 1 per run" if hf else "harness timer (no hyperfine)"))
    started = time.monotonic()
    load = H.LoadMonitor().start()
    for rnd in range(a.rounds):
        for name, sides in programs:
            for label, side, env, penv in configs:
                if side not in sides:
                    continue
                cell = results[name].setdefault(label, Cell())
                if cell.error and not cell.samples:
                    continue  # failed in an earlier round: do not retry
                r = H.run_once(sides[side], env, hyperfine=hf, measure_rss=True,
                               pause_env=penv, timeout=TIMEOUT)
                if not r.ok:
                    cell.error = r.error
                    print("  %s on %s, round %d: %s" % (name, label, rnd + 1, r.error))
                    continue
                bad = wrong_output(expected.get(name), r.stdout)
                if bad:
                    cell.wrong += 1
                    print("  %s on %s, round %d: wrong output (%s); run not counted"
                          % (name, label, rnd + 1, bad))
                    continue
                cell.samples.append(Sample(r, side))
        el = time.monotonic() - started
        print("  round %d/%d done (%.0f s)" % (rnd + 1, a.rounds, el))
        sys.stdout.flush()

    load.stop()

    md = ["# `make compare` results", "",
          "Machine: %s  " % H.machine_line(m),
          "Command: `make compare%s` (%d rounds, configurations alternating within each round; "
          "wall time %s).  " % (" FULL=1" if a.full else "", a.rounds,
                                "by hyperfine -N --runs 1 per run, median over rounds" if hf
                                else "by the harness"),
          "Pauses: union of the collector's recorded intervals; p50/p99/p99.9/max over all "
          "runs' pauses pooled; GCs, pauses, total pause, MMU: median over runs.  Pause "
          "figures are on CLOCK_MONOTONIC; \"CPU\" columns (where the pause log has a cpu_ns "
          "column) give p99 and max on the collecting thread's CPU clock.  "
          "Ratios are gull/Boehm (Boehm = default, non-incremental), in the order "
          "wall, peak RSS, pause p99, max pause, total pause.  See bench/README.md.  ",
          load.line()[0].upper() + load.line()[1:] + ".", ""]
    if load.warning():
        md[-1:-1] = ["", "**%s**" % load.warning()]
    print("\nTime: median wall s.  Pauses in ms on the paused thread's CPU clock, the "
          "monotonic (wall)\nclock in parentheses; n/a: that log has no CPU time.  MMU 10ms: "
          "the worst mutator share\nof a 10 ms window, each pause counted for its CPU time "
          "(for its wall time in\nparentheses).  RSS: peak MiB.  boehm-inc pauses are "
          "lower bounds.  More: compare.md.")
    for name, _ in programs:
        print("\n" + short_table(name, results[name], labels))
        t = program_table(results[name], labels)
        md += ["## %s" % name, "", t, ""]
        for svg in plots(gp, a.out, name, results[name], labels):
            md.append("![%s](%s)" % (os.path.basename(svg), os.path.basename(svg)))
        md.append("")
    print("\n" + load.line())
    if load.warning():
        print(load.warning())
    with open(os.path.join(a.out, "compare.md"), "w") as f:
        f.write("\n".join(md))
    write_csv(os.path.join(a.out, "compare.csv"), results, labels)
    print("\nwritten: %s/compare.md, compare.csv, *.svg (%.0f s)"
          % (a.out, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
