#!/usr/bin/env python3
"""bench.py — `make bench`: allocation micro-benchmark, GCBench gull vs Boehm,
and the nursery-size table.  See bench/README.md for what each figure means.

Usage: bench.py --bindir BUILD/bench --out BUILD/bench/results
                [--hyperfine PATH] [--rounds N] [--quick]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as H  # noqa: E402

NURSERY = ["256K", "1M", "4M", "16M", "64M"]


def prog(bindir, name):
    p = os.path.join(bindir, name)
    return p if os.access(p, os.X_OK) else None


def alloc_bench(bindir, rounds, args):
    """Alternate gull and Boehm; per case, the median over rounds of each
    run's median-over-repetitions ns/allocation."""
    progs = [("gull", prog(bindir, "alloc-gull")), ("boehm", prog(bindir, "alloc-boehm"))]
    res = {}  # (collector, case) -> [ns]
    for rnd in range(rounds):
        for name, p in progs:
            if p is None:
                continue
            r = H.run_once([p] + args, {"GULL_MODE": "gen"}, hyperfine=None)
            if not r.ok:
                print("  alloc-%s: %s" % (name, r.error))
                continue
            for line in r.stdout.splitlines():
                if line.startswith("alloc "):
                    d = H.parse_kv(line)
                    res.setdefault((name, d["case"]), []).append(d["ns"])
    rows = []
    for case in ["ptr16", "ptr32", "atomic16", "atomic32"]:
        g = H.median(res.get(("gull", case), []))
        b = H.median(res.get(("boehm", case), []))
        rt = H.ratio(g, b)
        rows.append([case, H.fmt(g, 2), H.fmt(b, 2), H.fmt(rt, 2),
                     "" if rt is None else ("yes" if rt <= 1.0 else "no")])
    return H.table(["case", "gull ns/alloc", "Boehm ns/alloc", "gull/Boehm",
                    "target <= 1.0 met"], rows)


def gcbench_runs(configs, rounds, hyperfine, gargs):
    """configs: [(label, program, env)] -> label -> list of result dicts."""
    out = {label: [] for label, _, _ in configs}
    failed = set()
    for rnd in range(rounds):
        for label, p, env in configs:
            if p is None or label in failed:
                continue
            r = H.run_once([p] + gargs, env, hyperfine=hyperfine)
            if not r.ok:
                print("  %s round %d: %s (not retried)" % (label, rnd + 1, r.error))
                failed.add(label)
                continue
            for line in r.stdout.splitlines():
                if line.startswith("gcbench "):
                    d = H.parse_kv(line)
                    d["wall_ms"] = r.wall * 1e3
                    out[label].append(d)
        sys.stdout.write(".")
        sys.stdout.flush()
    print()
    return out


def med(runs, key):
    return H.median([d.get(key) for d in runs])


def worst(runs, key):
    xs = [d.get(key) for d in runs if d.get(key) is not None]
    return max(xs) if xs else None


def gcbench_table(res, base="boehm"):
    b = res.get(base) or []
    rows = []
    for label, runs in res.items():
        if not runs:
            rows.append([label, "failed"] + [""] * 13)
            continue
        rows.append([
            label, str(len(runs)),
            H.fmt(med(runs, "wall_ms"), 0), H.fmt(H.ratio(med(runs, "wall_ms"), med(b, "wall_ms")), 2),
            H.fmt(med(runs, "peak_rss_kb") / 1024, 1), H.fmt(H.ratio(med(runs, "peak_rss_kb"), med(b, "peak_rss_kb")), 2),
            H.fmt(med(runs, "minor_p50_us") if med(runs, "minor") else None, 0),
            H.fmt(med(runs, "minor_p99_us") if med(runs, "minor") else None, 0),
            H.fmt(med(runs, "p99_us"), 0), H.fmt(H.ratio(med(runs, "p99_us"), med(b, "p99_us")), 2),
            H.fmt(med(runs, "max_us"), 0), H.fmt(H.ratio(med(runs, "max_us"), med(b, "max_us")), 2),
            "%d" % med(runs, "pauses"),
            H.fmt(med(runs, "total_pause_ms"), 1),
            H.fmt(med(runs, "unit_max_us"), 0),
        ])
    return H.table(["collector", "runs", "wall ms", "x Boehm", "peak RSS MiB", "x Boehm",
                    "minor p50 us", "minor p99 us", "pause p99 us", "x Boehm", "max pause us", "x Boehm",
                    "pauses", "total pause ms", "host: worst depth-4 tree us"], rows)


def targets(res):
    g, b = res.get("gull-gen") or [], res.get("boehm") or []
    if not g or not b:
        return "targets: not evaluated (gull-gen or boehm missing)"
    t = H.ratio(med(g, "wall_ms"), med(b, "wall_ms"))
    m = H.ratio(med(g, "peak_rss_kb"), med(b, "peak_rss_kb"))
    p = med(g, "minor_p99_us")
    lines = [
        "GCBench minor pause p99 <= 1 ms: %s us -> %s" % (H.fmt(p, 0), "met" if p is not None and p <= 1000 else "missed"),
        "GCBench total time <= 0.8x Boehm: %sx -> %s" % (H.fmt(t, 2), "met" if t is not None and t <= 0.8 else "missed"),
        "GCBench peak RSS <= Boehm: %sx -> %s" % (H.fmt(m, 2), "met" if m is not None and m <= 1.0 else "missed"),
    ]
    return "\n".join("- " + s for s in lines)


def nursery_table(res):
    rows = []
    for size in NURSERY:
        runs = res.get(size) or []
        if not runs:
            rows.append([size, "failed"] + [""] * 7)
            continue
        rows.append([size, H.fmt(med(runs, "wall_ms"), 0), H.fmt(med(runs, "minor_p50_us"), 0),
                     H.fmt(med(runs, "minor_p99_us"), 0),
                     H.fmt(med(runs, "max_us"), 0), "%d" % med(runs, "minor"),
                     "%d" % med(runs, "major"), H.fmt(med(runs, "total_pause_ms"), 1),
                     H.fmt(med(runs, "peak_rss_kb") / 1024, 1)])
    return H.table(["GULL_NURSERY_SIZE", "wall ms", "minor p50 us", "minor p99 us", "max pause us",
                    "minor GCs", "major GCs", "total pause ms", "peak RSS MiB"], rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--hyperfine", default=None)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="small sizes, for testing the harness")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    hf = H.find_hyperfine(a.hyperfine)
    m = H.machine()
    gargs = ["14", "12", "12"] if a.quick else []
    aargs = ["200000", "3"] if a.quick else ["2000000", "7"]
    rounds = 2 if a.quick else a.rounds

    print("gull benchmarks — %s" % H.machine_line(m))
    for name in ["alloc-gull", "alloc-boehm", "gcbench-gull", "gcbench-boehm"]:
        if prog(a.bindir, name) is None:
            print("  %s: not built, skipped" % name)
    print("wall time: %s" % ("hyperfine -N --runs 1 per run, median over alternated rounds"
                             if hf else "hyperfine not found: timed by the harness"))

    a_rounds = 2 if a.quick else 3
    print("\n[1/3] allocation micro-benchmark (%d rounds, alternating; args %s)"
          % (a_rounds, " ".join(aargs)))
    t_alloc = alloc_bench(a.bindir, a_rounds, aargs)
    print(t_alloc)

    g, b = prog(a.bindir, "gcbench-gull"), prog(a.bindir, "gcbench-boehm")
    configs = [("gull-gen", g, {"GULL_MODE": "gen"}), ("gull-full", g, {"GULL_MODE": "full"}),
               ("boehm", b, {})]
    print("\n[2/3] GCBench, %d rounds alternating gull-gen / gull-full / boehm" % rounds)
    res = gcbench_runs(configs, rounds, hf, gargs)
    t_gc = gcbench_table(res)
    print(t_gc)
    t_targets = targets(res)
    print(t_targets)

    n_rounds = 2 if a.quick else 3
    print("\n[3/3] GCBench nursery table (gull gen, %d rounds alternating)" % n_rounds)
    ncfg = [(s, g, {"GULL_MODE": "gen", "GULL_NURSERY_SIZE": s}) for s in NURSERY]
    nres = gcbench_runs(ncfg, n_rounds, hf, gargs)
    t_n = nursery_table(nres)
    print(t_n)

    cmd = "make bench" + (" (quick)" if a.quick else "")
    md = ["# `make bench` results", "",
          "Machine: %s  " % H.machine_line(m),
          "Command: `%s`; wall time: %s.  " % (cmd, "hyperfine -N --runs 1 per run, median over "
                                                  "%d alternated rounds" % rounds if hf else "harness timer"),
          "", "## Allocation (ns per allocation, median; lower is better)", "", t_alloc,
          "", "## GCBench (medians over rounds; ratios are gull/Boehm)", "", t_gc, "", t_targets,
          "", "## GCBench nursery sizes (gull gen)", "", t_n, ""]
    try:
        md.insert(4, "Load average at the end: %.2f %.2f %.2f (2 cores: above 2, runs share "
                     "the CPUs with other work, and pauses include preemption).  " % os.getloadavg())
    except OSError:
        pass
    with open(os.path.join(a.out, "bench.md"), "w") as f:
        f.write("\n".join(md))
    print("\nwritten: %s" % os.path.join(a.out, "bench.md"))


if __name__ == "__main__":
    main()
