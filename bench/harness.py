"""harness.py — shared pieces of gull's benchmark scripts (stdlib only).

run_once()   runs one program once, the way every measurement here is taken:
             under hyperfine (-N --runs 1, so hyperfine's wall time is the
             figure) when it is installed, wrapped in GNU time for peak RSS
             when asked, with a fresh pause log per run.  The harness
             alternates configurations itself (one run of each, then the
             next round), so slow drift on a shared machine hits every
             collector alike; the reported wall time is the median over
             rounds of hyperfine's per-run time.
read_pauses(), merge(), summary(), mmu()
             the pause analysis; see bench/README.md for the definitions.
"""
import bisect
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def machine():
    """nproc, CPU model, kernel, date: the header of every results file."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = "%.0f GiB RAM" % (kb / 1048576)
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    try:
        load = "load %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "mem": mem,
        "load": load,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(m):
    return "%s; nproc %s; %s; Linux %s; %s (at start); %s" % (
        m["cpu"], m["nproc"], m["mem"], m["kernel"], m["load"], m["date"])


def find_hyperfine(explicit=None):
    if explicit:
        return shutil.which(explicit) or (explicit if os.path.exists(explicit) else None)
    return shutil.which("hyperfine")


class RunResult:
    def __init__(self):
        self.ok = False
        self.error = ""
        self.wall = None        # seconds
        self.rss_kb = None      # peak RSS from GNU time, if measured
        self.t0 = self.t1 = None  # CLOCK_MONOTONIC ns around the run
        self.stdout = ""
        self.pauses = []        # [(kind, start_ns, end_ns)]


def run_once(argv, env_extra, hyperfine=None, measure_rss=False, pause_env=None,
             timeout=600, workdir=None):
    """Run argv once.  env_extra: variables to set.  pause_env: name of the
    variable that receives a fresh pause-log path (or None)."""
    r = RunResult()
    tmp = tempfile.mkdtemp(prefix="gullbench-", dir=workdir)
    try:
        # Inherited collector settings would silently change a configuration:
        # every GULL_*, GC_* and BOEHM_* variable comes from env_extra only.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GULL_", "GC_", "BOEHM_"))}
        env.update(env_extra)
        log = os.path.join(tmp, "pauses.log")
        if pause_env:
            env[pause_env] = log
        cmd = list(argv)
        rssf = os.path.join(tmp, "rss")
        if measure_rss and os.path.exists(GNU_TIME):
            cmd = [GNU_TIME, "-f", "%M", "-o", rssf] + cmd
        outf = os.path.join(tmp, "stdout")
        js = os.path.join(tmp, "hf.json")
        if hyperfine:
            full = [hyperfine, "-N", "--runs", "1", "--style", "none",
                    "--export-json", js, "--output", outf, shlex.join(cmd)]
            errf = subprocess.DEVNULL
            out = subprocess.DEVNULL
        else:
            full = cmd
            out = open(outf, "w")
            errf = subprocess.PIPE
        t0 = time.monotonic_ns()  # CLOCK_MONOTONIC on Linux, as the pause logs
        try:
            p = subprocess.run(full, env=env, stdout=out, stderr=errf, timeout=timeout)
        except subprocess.TimeoutExpired:
            r.error = "timeout after %ds" % timeout
            return r
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        t1 = time.monotonic_ns()
        r.t0, r.t1 = t0, t1
        if p.returncode != 0:
            err = p.stderr if not hyperfine else None
            code = p.returncode
            if hyperfine:
                # hyperfine hides the program's stderr and status: run it
                # once more, directly, to say what went wrong.
                try:
                    q = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, timeout=timeout)
                    code, err = q.returncode, q.stderr
                except subprocess.TimeoutExpired:
                    err = b"timeout"
            r.error = ("killed by signal %d" % -code) if code < 0 else ("exit status %d" % code)
            if err:
                r.error += ": " + err.decode(errors="replace").strip()[-300:]
            return r
        if hyperfine:
            with open(js) as f:
                r.wall = json.load(f)["results"][0]["times"][0]
        else:
            r.wall = (t1 - t0) / 1e9
        if os.path.exists(outf):
            with open(outf, errors="replace") as f:
                r.stdout = f.read()
        if measure_rss and os.path.exists(rssf):
            with open(rssf) as f:
                for line in f:
                    line = line.strip()
                    if line.isdigit():
                        r.rss_kb = int(line)
        if pause_env:
            r.pauses = read_pauses(log)
        r.ok = True
        return r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_pauses(path):
    """Lines '<kind> <start_ns> <end_ns> [<cpu_ns>]'; headers ('#') and
    malformed lines are skipped."""
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) not in (3, 4) or parts[0].startswith("#"):
                    continue
                try:
                    s, e = int(parts[1]), int(parts[2])
                except ValueError:
                    continue
                if e >= s:
                    out.append((parts[0], s, e))
    except OSError:
        pass
    return out


def merge(pauses):
    """The union of the intervals, as sorted disjoint (start, end) pairs."""
    iv = sorted((s, e) for _, s, e in pauses)
    out = []
    for s, e in iv:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def quantile(sorted_vals, q):
    """Nearest-rank quantile."""
    n = len(sorted_vals)
    if n == 0:
        return 0
    k = max(1, min(n, math.ceil(q * n - 1e-9)))
    return sorted_vals[k - 1]


def mmu(intervals, t0, t1, w):
    """Minimum mutator utilization for window width w (ns) over [t0, t1]:
    min over windows [t, t+w] inside the run of (w - paused time in it) / w.
    The paused time is piecewise linear in t, so its maximum is reached where
    a window starts at a pause start or ends at a pause end (or at an edge
    of the run).  intervals: merged, sorted (start, end)."""
    span = t1 - t0
    if span <= 0:
        return None
    iv = [(max(s, t0), min(e, t1)) for s, e in intervals if e > t0 and s < t1]
    if w >= span:
        return max(0.0, 1.0 - sum(e - s for s, e in iv) / span)
    starts = [s for s, _ in iv]
    cum = [0]
    for s, e in iv:
        cum.append(cum[-1] + (e - s))

    def covered(x):  # paused time in [t0, x]
        i = bisect.bisect_right(starts, x) - 1
        if i < 0:
            return 0
        s, e = iv[i]
        return cum[i] + (min(x, e) - s)

    worst = 0
    cands = [t0, t1 - w]
    for s, e in iv:
        cands.append(s)
        cands.append(e - w)
    for t in cands:
        if t < t0:
            t = t0
        elif t > t1 - w:
            t = t1 - w
        p = covered(t + w) - covered(t)
        if p > worst:
            worst = p
    return max(0.0, 1.0 - worst / w)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def parse_kv(line):
    """'name k=v k=v ...' -> dict (numbers converted)."""
    d = {}
    for tok in line.split()[1:]:
        if "=" in tok:
            k, v = tok.split("=", 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def fmt(x, digits=1, unit=""):
    if x is None:
        return "n/a"
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return "n/a"
    return ("%." + str(digits) + "f%s") % (x, unit)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def table(headers, rows):
    """A markdown table whose columns line up in a terminal too."""
    cols = list(zip(*([headers] + rows))) if rows else [[h] for h in headers]
    width = [max(len(str(c)) for c in col) for col in cols]
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, width)) + " |"
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in width) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)
