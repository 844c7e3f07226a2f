/* pauses.h — pause recording shared by the benchmark programs.
 *
 * Each collector's own hook (gull_set_pause_hook, Boehm's
 * GC_set_on_collection_event) calls pauses_begin()/pauses_end() with a kind
 * name; intervals are kept in memory (no I/O inside a pause) and, at exit,
 * summarised the same way for both collectors:
 *
 *   .union   The recorded intervals may nest or overlap (Boehm reports a
 *            stop-the-world interval inside a collection interval).  A pause
 *            is a maximal interval of the union of all recorded intervals,
 *            whatever their kind, so nothing is counted twice.
 *   .rank    Quantiles are nearest-rank on the sorted pause durations.
 *   .cpu     Each interval also carries its duration on the calling
 *            thread's CPU clock (CLOCK_THREAD_CPUTIME_ID): the collector's
 *            own work, without the time the thread was preempted, which on
 *            a busy machine the monotonic duration includes.  The CPU time
 *            of a pause (.union) is the sum over its outermost intervals;
 *            an interval nested inside another of the same pause is
 *            already counted by the outer one.  Reading that clock is a
 *            system call (no vDSO), paid at both ends of each interval,
 *            inside the pause, by both collectors alike.
 *
 * What neither hook can see (work done inside allocation outside a recorded
 * interval) is listed in bench/README.md.
 */
#ifndef BENCH_PAUSES_H
#define BENCH_PAUSES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct pause_rec {
    const char *kind;
    uint64_t start, end; /* CLOCK_MONOTONIC ns */
    uint64_t cpu;        /* .cpu: duration on the thread's CPU clock, ns */
} pause_rec;

static pause_rec *pauses_v;
static size_t pauses_n, pauses_cap;
static uint64_t pauses_open[8];     /* start time per open nesting slot */
static uint64_t pauses_open_cpu[8]; /* the thread's CPU clock at that start */

static inline uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline uint64_t now_cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void pauses_add(const char *kind, uint64_t start, uint64_t end, uint64_t cpu)
{
    if (pauses_n == pauses_cap) {
        size_t cap = pauses_cap ? 2 * pauses_cap : 4096;
        pause_rec *v = realloc(pauses_v, cap * sizeof *v);
        if (v == NULL)
            return; /* lose the record rather than the run */
        pauses_v = v;
        pauses_cap = cap;
    }
    pauses_v[pauses_n++] = (pause_rec){kind, start, end, cpu};
}

/* t is the collector's (or our) CLOCK_MONOTONIC time of the event; the CPU
 * clock is read here, on the thread that calls the hook, i.e. the thread
 * that is paused. */
static inline void pauses_begin(int slot, uint64_t t)
{
    pauses_open[slot] = t;
    pauses_open_cpu[slot] = now_cpu_ns();
}
static inline void pauses_end(int slot, const char *kind, uint64_t t)
{
    uint64_t c = now_cpu_ns();
    if (pauses_open[slot] != 0)
        pauses_add(kind, pauses_open[slot], t, c - pauses_open_cpu[slot]);
    pauses_open[slot] = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
/* By start; at equal starts the longer first, so an outer interval comes
 * before the ones nested in it (.cpu). */
static int cmp_start(const void *a, const void *b)
{
    const pause_rec *x = a, *y = b;
    int c = cmp_u64(&x->start, &y->start);
    return c ? c : cmp_u64(&y->end, &x->end);
}

/* .rank: nearest-rank quantile of n sorted values. */
static uint64_t quantile_sorted(const uint64_t *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t k = (size_t)(q * (double)n + 0.999999999);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

typedef struct pause_summary {
    size_t count;
    uint64_t p50, p99, p999, max, total; /* monotonic */
    uint64_t cpu_p99, cpu_max;           /* .cpu */
} pause_summary;

/* Summarise the recorded intervals: kind == NULL takes all kinds, merged
 * (.union); otherwise only intervals of that kind, unmerged. */
static pause_summary pauses_summary(const char *kind)
{
    pause_summary s = {0};
    uint64_t *d = malloc((pauses_n + 1) * sizeof *d);
    uint64_t *c = malloc((pauses_n + 1) * sizeof *c);
    if (d == NULL || c == NULL) {
        free(d);
        free(c);
        return s;
    }
    size_t n = 0;
    if (kind != NULL) {
        for (size_t i = 0; i < pauses_n; i++)
            if (strcmp(pauses_v[i].kind, kind) == 0) {
                c[n] = pauses_v[i].cpu;
                d[n++] = pauses_v[i].end - pauses_v[i].start;
            }
    } else {
        qsort(pauses_v, pauses_n, sizeof *pauses_v, cmp_start);
        for (size_t i = 0; i < pauses_n;) {
            uint64_t s0 = pauses_v[i].start, e0 = pauses_v[i].end;
            uint64_t cpu = pauses_v[i].cpu;
            size_t j = i + 1;
            while (j < pauses_n && pauses_v[j].start <= e0) {
                if (pauses_v[j].end > e0) {
                    e0 = pauses_v[j].end;
                    cpu += pauses_v[j].cpu; /* not nested: its own time (.cpu) */
                }
                j++;
            }
            c[n] = cpu;
            d[n++] = e0 - s0;
            i = j;
        }
    }
    qsort(d, n, sizeof *d, cmp_u64);
    qsort(c, n, sizeof *c, cmp_u64);
    s.cpu_p99 = quantile_sorted(c, n, 0.99);
    s.cpu_max = n ? c[n - 1] : 0;
    free(c);
    s.count = n;
    for (size_t i = 0; i < n; i++)
        s.total += d[i];
    s.p50 = quantile_sorted(d, n, 0.50);
    s.p99 = quantile_sorted(d, n, 0.99);
    s.p999 = quantile_sorted(d, n, 0.999);
    s.max = n ? d[n - 1] : 0;
    free(d);
    return s;
}

/* Write the raw intervals in the pause-log format of gull's GULL_PAUSE_LOG,
 * which the harness and bench/pauseplot.py read: one header line
 * "# <collector> pause log pid=<pid> mode=<mode> start_ns=<start>", then
 * "<kind> <start_ns> <end_ns> <cpu_ns>" per interval (CLOCK_MONOTONIC
 * times; cpu_ns the duration on the thread's CPU clock, .cpu).  start: the
 * CLOCK_MONOTONIC time the collector was set up. */
__attribute__((unused)) static void pauses_write_log(const char *path, const char *collector,
                                                     const char *mode, uint64_t start)
{
    if (path == NULL || *path == '\0')
        return;
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        fprintf(stderr, "bench: cannot open pause log %s\n", path);
        return;
    }
    fprintf(f, "# %s pause log pid=%ld mode=%s start_ns=%llu\n", collector, (long)getpid(),
            mode, (unsigned long long)start);
    for (size_t i = 0; i < pauses_n; i++)
        fprintf(f, "%s %llu %llu %llu\n", pauses_v[i].kind,
                (unsigned long long)pauses_v[i].start, (unsigned long long)pauses_v[i].end,
                (unsigned long long)pauses_v[i].cpu);
    fclose(f);
}

/* Peak resident set of this process image, from /proc/self/status (VmHWM).
 * Unlike getrusage's ru_maxrss, it does not include the memory of the
 * parent that spawned us (posix_spawn/vfork makes ru_maxrss start at the
 * parent's size). */
__attribute__((unused)) static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

#endif /* BENCH_PAUSES_H */
