"""harness.py — shared pieces of gull's benchmark scripts (stdlib only).

run_once()   runs one program once, the way every measurement here is taken:
             under hyperfine (-N --runs 1, so hyperfine's wall time is the
             figure) when it is installed, wrapped in GNU time for peak RSS
             when asked, with a fresh pause log per run.  The harness
             alternates configurations itself (one run of each, then the
             next round), so slow drift on a shared machine hits every
             collector alike; the reported wall time is the median over
             rounds of hyperfine's per-run time.
parse_pause_log(), read_pauses(), merge(), merge_cpu(), mmu()
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
import threading
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


class LoadMonitor:
    """How busy the machine was while the benchmark ran.

    Samples the 1-minute load average before the first run, every `every`
    seconds while running, and at the end; and measures, from /proc/stat
    and getrusage, the CPU time the whole machine spent busy minus what this
    script and its children (the benchmarks) spent: the other work's mean
    use, in cores.  `own` is the benchmark's own use in cores (one
    single-threaded program at a time: 1).  The machine counts as busy when
    the other work exceeds the cores left to it (nproc - own): a load
    sample during the run above nproc (the sample includes the benchmark's
    own ~1), or the measured mean of the other work above nproc - own.  The
    sample before the start is shown but not judged: it still carries the
    minute before (typically the build `make compare` has just done)."""

    def __init__(self, every=5.0, own=1.0):
        self.every, self.own = every, own
        self.cores = os.cpu_count() or 1
        self.before = self.after = None
        self.during = []
        self.other_cores = None
        self._stop = threading.Event()
        self._thread = None

    @staticmethod
    def _load():
        try:
            return os.getloadavg()[0]
        except OSError:
            return None

    @staticmethod
    def _busy_s():
        """Busy CPU seconds of the whole machine since boot (/proc/stat)."""
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
        busy = sum(v[:8]) - idle                     # user..steal, no guest (in user)
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_s():
        import resource
        t = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            r = resource.getrusage(who)
            t += r.ru_utime + r.ru_stime
        return t

    def start(self):
        self.before = self._load()
        self._t0, self._b0, self._o0 = time.monotonic(), self._busy_s(), self._own_s()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.wait(self.every):
            x = self._load()
            if x is not None:
                self.during.append(x)

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.after = self._load()
        b1, el = self._busy_s(), time.monotonic() - self._t0
        if b1 is not None and self._b0 is not None and el > 0:
            other = (b1 - self._b0) - (self._own_s() - self._o0)
            self.other_cores = max(0.0, other / el)
        return self

    def busy(self):
        room = self.cores - self.own
        if self.during and max(self.during) > self.cores:
            return True
        return self.other_cores is not None and self.other_cores > room

    def line(self):
        """One line: the samples and the other work's measured use."""
        f = lambda x: "n/a" if x is None else "%.2f" % x
        d = sorted(self.during)
        during = ("min %s / median %s / max %s (%d samples)"
                  % (f(d[0]), f(median(d)), f(d[-1]), len(d))) if d else "no sample"
        return ("load average (1 min): before %s, during %s, after %s; %d cores, "
                "the benchmark uses ~%g; other work used %s cores on average"
                % (f(self.before), during, f(self.after), self.cores, self.own,
                   f(self.other_cores)))

    def warning(self):
        if not self.busy():
            return None
        return ("WARNING: the machine was busy (other work above the %g core(s) the benchmark "
                "leaves free): wall times and monotonic pauses include preemption; compare "
                "the CPU-clock pauses, and rerun on a quiet machine before quoting times."
                % (self.cores - self.own))


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
        self.pauses = []        # [(kind, start_ns, end_ns, cpu_ns or None)]


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


class PauseRun:
    """The pauses of one heap: header (dict of the header line's NAME=value
    fields, plus 'title': the words before them; {} for a log without
    header) and pauses [(kind, start_ns, end_ns, cpu_ns or None)]."""

    def __init__(self, header):
        self.header = header
        self.pauses = []

    def start_ns(self):
        """The header's start_ns, else the first pause's start (or None)."""
        try:
            return int(self.header["start_ns"])
        except (KeyError, ValueError):
            return min((s for _, s, _, _ in self.pauses), default=None)

    def label(self):
        h = self.header
        parts = ["%s=%s" % (k, h[k]) for k in ("pid", "mode") if k in h]
        return " ".join(parts) or "run"


def parse_header(line):
    """'# gull pause log pid=1 mode=gen start_ns=5 ...' -> dict."""
    d, words = {}, []
    for tok in line.lstrip("#").split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            d[k] = v
        else:
            words.append(tok)
    d["title"] = " ".join(words)
    return d


def parse_pause_log(path):
    """A pause log (gull's GULL_PAUSE_LOG, the Boehm programs'
    BOEHM_PAUSE_LOG) as a list of PauseRun.  Both forms are read:
      <kind> <start_ns> <end_ns>             (CLOCK_MONOTONIC ns)
      <kind> <start_ns> <end_ns> <cpu_ns>    (cpu_ns: the pause's duration
                                              on CLOCK_THREAD_CPUTIME_ID)
      <kind> <start_ns> <end_ns> <cpu_ns> <why>  (gull: what asked for it)
    A line starting with '#' is a header and starts a new run (one per
    heap: '# gull pause log pid=P mode=M start_ns=T NAME=value...'); lines
    before any header form a run of their own.  Every kind is kept (unknown
    kinds are collector pauses too); malformed lines are skipped."""
    runs = []
    cur = None
    try:
        f = open(path, errors="replace")
    except OSError:
        return runs
    with f:
        for line in f:
            if line.startswith("#"):
                cur = PauseRun(parse_header(line))
                runs.append(cur)
                continue
            parts = line.split()
            if len(parts) < 3:
                continue
            try:
                s, e = int(parts[1]), int(parts[2])
                cpu = int(parts[3]) if len(parts) > 3 else None
            except ValueError:
                continue
            if e < s:
                continue
            if cur is None:
                cur = PauseRun({})
                runs.append(cur)
            cur.pauses.append((parts[0], s, e, cpu))
    return runs


def read_pauses(path):
    """All pauses of a log, whatever run: [(kind, start_ns, end_ns, cpu_ns
    or None)]."""
    return [p for r in parse_pause_log(path) for p in r.pauses]


def merge(pauses):
    """The union of the intervals, as sorted disjoint (start, end) pairs.
    pauses: (kind, start, end, ...) tuples."""
    return [(s, e) for s, e, _ in merge_cpu(pauses)]


def merge_cpu(pauses):
    """The union of the intervals, as sorted disjoint (start, end, cpu)
    triples; cpu is the sum of the cpu_ns of the outermost records of that
    pause (a record nested in another of the same pause is counted by the
    outer one, as bench/pauses.h .cpu does), None if one of them has none."""
    iv = sorted(((p[1], p[2], p[3] if len(p) > 3 else None) for p in pauses),
                key=lambda x: (x[0], -x[1]))
    out = []
    for s, e, c in iv:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:  # not nested in the pause so far: its own time
                out[-1][1] = e
                out[-1][2] = None if c is None or out[-1][2] is None else out[-1][2] + c
        else:
            out.append([s, e, c])
    return [(s, e, c) for s, e, c in out]


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


def table(headers, rows, markdown=True):
    """A markdown table whose columns line up in a terminal too; with
    markdown=False, plain columns two spaces apart (text left, figures
    right) under a rule."""
    cols = list(zip(*([headers] + rows))) if rows else [[h] for h in headers]
    width = [max(len(str(c)) for c in col) for col in cols]
    if not markdown:
        def cell(i, c, w):
            c = str(c)
            left = i == 0 or c.startswith("failed")
            return c.ljust(w) if left else c.rjust(w)

        def line(cells):
            return "  ".join(cell(i, c, w) for i, (c, w) in enumerate(zip(cells, width))).rstrip()
        out = [line(headers), "-" * len(line(headers))]
        return "\n".join(out + [line(r) for r in rows])
    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, width)) + " |"
    out = [line(headers), "|" + "|".join("-" * (w + 2) for w in width) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)
