/* stats.c — counters, the pause histogram, the pause hook, the pause log,
 * trace lines and the summary (DESIGN.md sections 7 and 8).
 *
 * The model.  The collector tells this file two things: a pause began
 * (stats_pause_begin) and it ended (stats_pause_end).  Everything observable
 * about pauses is derived here from those two calls; the collector never
 * prints.  Printing (trace, log, summary) is one consumer of the events, the
 * host's hook another.  The other counters in h->st.s (bytes allocated,
 * objects marked, ...) are bumped by the files that do the work.
 *
 * .pair    Pauses do not nest: every begin is followed by exactly one end,
 *          with the same kind, before the next begin.  The hook sees the
 *          same pairs (begin = true, then begin = false), with
 *          CLOCK_MONOTONIC times, so now_ns never decreases along the calls.
 *
 * .hist    A pause of d ns lands in one bucket of a log-scale histogram:
 *          d < HIST_SUB gets bucket d (exact); otherwise, with e = floor(log2 d),
 *          bucket (e - SUB_BITS + 1) * HIST_SUB + the SUB_BITS bits of d
 *          below its top bit.  So each power of two is cut in HIST_SUB equal
 *          buckets, and a bucket is at most 1/HIST_SUB (12.5%) wider than its
 *          lower edge.  Each kind has a histogram, and hist[GULL_PAUSE_KINDS]
 *          holds all pauses: sum of count over kinds == count of the last.
 *
 * .quantile  The q-quantile is the inclusive upper edge of the bucket that
 *          holds the ceil(q * count)-th smallest pause, clamped to the
 *          largest pause seen.  Hence p50 <= p90 <= p99 <= p99.9 <= max,
 *          and q = 1 gives the exact max.
 *
 * Formats (the README repeats them):
 *
 * Pause log (GULL_PAUSE_LOG=FILE, appended): one header line per heap,
 *     # gull pause log pid=<pid> mode=<mode> start_ns=<ns> <NAME=value ...>
 *   (the effective configuration, every tunable), then one line per pause:
 *     <kind> <start_ns> <end_ns> <cpu_ns>
 *   kind is "minor", "major", "sweep" (lazy sweeping of one block inside
 *   an allocation), "mark-start", "mark-step" or "mark-finish" (inc's
 *   steps, gull.h), or "rc-cycles" (rc: a minor whose pause also ran the
 *   cycle collector); start and end are CLOCK_MONOTONIC nanoseconds
 *   (comparable within one boot, across processes); cpu_ns is the pause's
 *   length on the thread's CPU clock (CLOCK_THREAD_CPUTIME_ID), which does
 *   not count time the process was preempted.  Decimal.  Example:
 *     minor 81234567890123 81234568301456 398112
 *   Lines starting with '#' are headers; a header starts a new run.  Lines
 *   are written with stdio buffering and flushed when the heap is
 *   destroyed; several heaps may append to one file (lines are whole).
 *
 * Trace (GULL_TRACE=1, stderr, one line per collection, after it):
 *     gull: gc <n> <kind> <ms> ms heap <before>-><after> committed <c> ext <e> marked <m> why <why>
 *   n        collections so far, this one included (minor + major)
 *   kind     minor or major
 *   ms       the pause, milliseconds with 3 decimals
 *   before   live bytes when the pause began (old + allocated since)
 *   after    live bytes after it (what survived, as the collector counts it)
 *   c        bytes of pages in blocks after it
 *   e        native bytes the host reported
 *   m        objects the collection marked
 *   why      the trigger the collector gave ("nursery", "old-growth",
 *            "explicit", "stress", ...)
 *   Byte figures are binary: B below 1 KiB, else K, M or G with one decimal.
 *   at       seconds since the heap was created
 *   gc%      share of that time spent in pauses, percent (Go's gctrace)
 *   Example:
 *     gull: gc 12 minor 0.412 ms heap 8.1M->2.3M committed 12.0M ext 0B marked 31250 why nursery at 1.204s gc 3.1%
 *   inc mode prints no line per step; instead one line when a cycle starts
 *   and one when it ends, with its steps (count, work, pause time, the
 *   longest step) and the steps taken because marking fell behind (assists,
 *   pacing.c .assist):
 *     gull: inc cycle 3 start old 96.0M target 160.0M why old-growth at 2.010s
 *     gull: inc cycle 3 end steps 812 work 91.2M pauses 141.7 ms max 0.52 ms assists 0 marked 1204410 live 98.1M at 2.950s gc 7.9%
 *   and a line for a cycle finished in one pause because the old generation
 *   reached 1.5 times its target (why behind).
 *   rc mode adds, before the pause's own line, one line per run of the
 *   cycle collector (rc.c .cycles): candidates examined (and still
 *   waiting), objects traversed, found white, freed (0 when the white set
 *   waits for a finalizer), "gave-up TYPE" when a candidate (of that type)
 *   had a subgraph too big for the pause, and the adapted threshold:
 *     gull: rc cycles 7 candidates 10240 (0 wait) traversed 40960 white 40960 freed 40960 threshold 5000 at 1.250s
 *   Its pause is logged with kind "rc-cycles".
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <unistd.h>

/* ---------------------------------------------------------------- histogram */

_Static_assert((HIST_SUB & (HIST_SUB - 1)) == 0 && HIST_SUB >= 2,
               "HIST_SUB is a power of two");
#define SUB_BITS ((unsigned)__builtin_ctz(HIST_SUB))
_Static_assert(HIST_BUCKETS >= (64 - SUB_BITS) * HIST_SUB, "every uint64_t has a bucket");

static unsigned bucket_of(uint64_t d)
{
    if (d < HIST_SUB)
        return (unsigned)d;
    unsigned e = 63u - (unsigned)__builtin_clzll(d);          /* e >= SUB_BITS */
    unsigned sub = (unsigned)(d >> (e - SUB_BITS)) & (HIST_SUB - 1);
    return (e - SUB_BITS + 1) * HIST_SUB + sub;
}

/* The largest d with bucket_of(d) == i. */
static uint64_t bucket_upper(unsigned i)
{
    if (i < HIST_SUB)
        return i;
    unsigned e = i / HIST_SUB + SUB_BITS - 1, sub = i % HIST_SUB;
    uint64_t lower = (uint64_t)(HIST_SUB + sub) << (e - SUB_BITS);
    return lower + (((uint64_t)1 << (e - SUB_BITS)) - 1);
}

static void hist_add(pause_hist *hist, uint64_t d)
{
    hist->count++;
    hist->total_ns += d;
    if (d > hist->max_ns)
        hist->max_ns = d;
    hist->bucket[bucket_of(d)]++;
}

uint64_t stats_quantile(const pause_hist *hist, double q)
{
    if (hist->count == 0)
        return 0;
    if (!(q > 0))
        q = 0;               /* also NaN */
    if (q > 1)
        q = 1;
    uint64_t rank = (uint64_t)ceil(q * (double)hist->count);
    if (rank < 1)
        rank = 1;
    if (rank > hist->count)
        rank = hist->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += hist->bucket[i];
        if (seen >= rank) {
            uint64_t up = bucket_upper(i);
            return up < hist->max_ns ? up : hist->max_ns;
        }
    }
    return hist->max_ns; /* not reached while count == sum of buckets */
}

/* ---------------------------------------------------------------- formatting */

/* Binary units, one decimal: "512B", "4.0K", "8.1M", "1.5G". */
static const char *fmt_bytes(char *buf, size_t n, uint64_t v)
{
    if (v < 1024)
        snprintf(buf, n, "%lluB", (unsigned long long)v);
    else if (v < ((uint64_t)1 << 20))
        snprintf(buf, n, "%.1fK", (double)v / 1024);
    else if (v < ((uint64_t)1 << 30))
        snprintf(buf, n, "%.1fM", (double)v / (1024 * 1024));
    else
        snprintf(buf, n, "%.1fG", (double)v / (1024.0 * 1024 * 1024));
    return buf;
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

static const char *kind_name(gull_pause_kind k)
{
    static const char *const names[] = {"minor", "major", "sweep", "mark-start", "mark-step",
                                        "mark-finish", "rc-cycles", "all"};
    _Static_assert(sizeof names / sizeof names[0] == GULL_PAUSE_KINDS + 1, "a name per pause kind");
    return (unsigned)k <= GULL_PAUSE_KINDS ? names[k] : "all";
}

static double since_start_s(const gull_heap *h, uint64_t now)
{
    return (double)(now - h->st.created_ns) / 1e9;
}

static double gc_share(const gull_heap *h, uint64_t now)
{
    uint64_t life = now - h->st.created_ns;
    return life ? 100.0 * (double)h->st.hist[GULL_PAUSE_KINDS].total_ns / (double)life : 0;
}

/* ---------------------------------------------------------------- lifecycle */

void stats_init(gull_heap *h)
{
    memset(&h->st, 0, sizeof h->st);
    h->st.created_ns = os_now_ns();
    const char *path = h->cfg.pause_log;
    if (path && *path) {
        /* "e": close-on-exec, so a host's child processes do not inherit it. */
        h->st.pause_log = fopen(path, "ae");
        if (!h->st.pause_log)
            heap_error(h, GULL_ERR_BAD_CONFIG,
                       "pause log: cannot open \"%s\" for appending: %s; continuing "
                       "without a pause log",
                       path, strerror(errno));
    if (h->st.pause_log) {
        fprintf(h->st.pause_log, "# gull pause log pid=%ld mode=%s start_ns=%llu ", (long)getpid(),
                gull_mode_name(h->cfg.mode), (unsigned long long)h->st.created_ns);
        options_print_line(h->st.pause_log, &h->cfg);
        fputc('\n', h->st.pause_log);
    }
    }
}

void stats_free(gull_heap *h)
{
    if (h->st.pause_log) {
        if (fclose(h->st.pause_log) != 0)
            heap_error(h, GULL_ERR_BAD_CONFIG, "pause log: writing \"%s\" failed: %s",
                       h->cfg.pause_log ? h->cfg.pause_log : "?", strerror(errno));
        h->st.pause_log = NULL;
    }
}

/* ---------------------------------------------------------------- pauses */

void stats_pause_begin(gull_heap *h, gull_pause_kind kind)
{
    ASSERT(kind < GULL_PAUSE_KINDS);
    uint64_t now = os_now_ns();
    h->st.pause_start_ns = now;
    /* The thread's CPU clock is a system call (no vDSO), ~1 us: read only
     * for the pause log, its one consumer. */
    if (h->st.pause_log)
        h->st.pause_start_cpu_ns = os_thread_cpu_ns();
    h->st.pause_kind = kind;
    h->st.heap_before = heap_live_bytes(h);
    if (h->st.hook)
        h->st.hook(h, kind, true, now, h->st.hook_ctx);
}

void stats_pause_end(gull_heap *h, const char *why)
{
    stats *st = &h->st;
    gull_pause_kind kind = st->pause_kind;
    uint64_t start = st->pause_start_ns, now = os_now_ns();
    uint64_t d = now >= start ? now - start : 0; /* monotonic: never negative */
    uint64_t cpu_end = st->pause_log ? os_thread_cpu_ns() : 0;
    uint64_t cpu = cpu_end >= st->pause_start_cpu_ns ? cpu_end - st->pause_start_cpu_ns : 0;
    bool step = kind >= GULL_PAUSE_MARK_START && kind <= GULL_PAUSE_MARK_FINISH;
    if (step) {
        st->cycle_pause_ns += d;
        if (d > st->cycle_max_step_ns)
            st->cycle_max_step_ns = d;
    }

    hist_add(&st->hist[kind], d);
    hist_add(&st->hist[GULL_PAUSE_KINDS], d);
    if (st->hook)
        st->hook(h, kind, false, now, st->hook_ctx);

    /* After the end time: writing the log and the trace is not part of the
     * pause the histogram records (the mutator still waits for it, but only
     * when the host asked for output). */
    if (st->pause_log)
        fprintf(st->pause_log, "%s %llu %llu %llu %s\n", kind_name(kind), (unsigned long long)start,
                (unsigned long long)now, (unsigned long long)cpu, why && *why ? why : "-");
    bool behind = step && why && !strcmp(why, "behind");
    if (h->cfg.trace && kind != GULL_PAUSE_SWEEP && (!step || behind)) {
        char b[16], a[16], c[16], e[16];
        fprintf(stderr, "gull: gc %llu %s %.3f ms heap %s->%s committed %s ext %s marked %llu why %s "
                        "at %.3fs gc %.1f%%\n",
                (unsigned long long)(st->s.minor_collections + st->s.major_collections),
                kind_name(kind), ms(d), fmt_bytes(b, sizeof b, st->heap_before),
                fmt_bytes(a, sizeof a, heap_live_bytes(h)), fmt_bytes(c, sizeof c, h->committed),
                fmt_bytes(e, sizeof e, h->external), (unsigned long long)st->s.last_objects_marked,
                why ? why : "-", since_start_s(h, now), gc_share(h, now));
    }
}

/* ---------------------------------------------------------------- rc */

void stats_rc_cycles(gull_heap *h, size_t examined, size_t scanned, size_t white, size_t freed,
                     const char *gave_up)
{
    if (!h->cfg.trace)
        return;
    fprintf(stderr, "gull: rc cycles %llu candidates %zu (%zu wait) traversed %zu white %zu freed %zu%s%s "
                    "threshold %zu at %.3fs\n",
            (unsigned long long)h->st.s.rc_cycle_collections, examined, h->rc_cand.len, scanned, white,
            freed, gave_up ? " gave-up " : "", gave_up ? gave_up : "", h->cycle_threshold,
            since_start_s(h, os_now_ns()));
}

/* ---------------------------------------------------------------- cycles */

void stats_cycle_event(gull_heap *h, const char *what, const char *why)
{
    stats *st = &h->st;
    uint64_t now = os_now_ns();
    if (!strcmp(what, "start")) {
        st->cycles++;
        st->cycle_work = 0;
        st->cycle_pause_ns = 0;
        st->cycle_max_step_ns = 0;
        st->cycle_steps_at_start = st->s.mark_steps;
        st->cycle_assists_at_start = st->s.mark_assists;
        st->cycle_start_ns = now;
    }
    if (!h->cfg.trace)
        return;
    char a[16], b[16], c[16];
    if (!strcmp(what, "start")) {
        fprintf(stderr, "gull: inc cycle %llu start old %s target %s why %s at %.3fs\n",
                (unsigned long long)st->cycles, fmt_bytes(a, sizeof a, h->old_bytes),
                fmt_bytes(b, sizeof b, h->next_major), why ? why : "-", since_start_s(h, now));
    } else {
        fprintf(stderr, "gull: inc cycle %llu end steps %llu work %s pauses %.3f ms max %.3f ms assists %llu "
                        "marked %llu live %s nursery %s took %.3fs at %.3fs gc %.1f%%\n",
                (unsigned long long)st->cycles,
                (unsigned long long)(st->s.mark_steps - st->cycle_steps_at_start),
                fmt_bytes(a, sizeof a, st->cycle_work), ms(st->cycle_pause_ns),
                ms(st->cycle_max_step_ns),
                (unsigned long long)(st->s.mark_assists - st->cycle_assists_at_start),
                (unsigned long long)h->major_mk.objects, fmt_bytes(b, sizeof b, h->live_after_major),
                fmt_bytes(c, sizeof c, h->nursery_target), (double)(now - st->cycle_start_ns) / 1e9, since_start_s(h, now), gc_share(h, now));
    }
}

/* ---------------------------------------------------------------- summary */

static void print_hist_row(FILE *f, const char *label, const pause_hist *hist)
{
    fprintf(f, "  %-6s %8llu %11.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", label,
            (unsigned long long)hist->count, ms(hist->total_ns), ms(stats_quantile(hist, 0.5)),
            ms(stats_quantile(hist, 0.9)), ms(stats_quantile(hist, 0.99)),
            ms(stats_quantile(hist, 0.999)), ms(hist->max_ns));
}

void stats_summary(gull_heap *h, FILE *f)
{
    const gull_stats *s = &h->st.s;
    fprintf(f, "gull: statistics of heap %p (mode %s)\n", (void *)h, gull_mode_name(h->cfg.mode));
    fputs("configuration:\n", f);
    options_print(f, &h->cfg);
    fprintf(f, "collections: %llu minor, %llu major\n",
            (unsigned long long)s->minor_collections, (unsigned long long)s->major_collections);
    fprintf(f, "allocated: %llu bytes in %llu objects; freed %llu bytes; promoted %llu bytes\n",
            (unsigned long long)(s->bytes_allocated + h->nursery_used),
            (unsigned long long)s->objects_allocated,
            (unsigned long long)s->bytes_freed, (unsigned long long)s->bytes_promoted);
    fprintf(f, "marked: %llu objects (%llu by the last collection)\n",
            (unsigned long long)s->objects_marked, (unsigned long long)s->last_objects_marked);
    fprintf(f, "finalizers run: %llu; weak references cleared: %llu\n",
            (unsigned long long)s->finalizers_run, (unsigned long long)s->weak_cleared);
    if (h->cfg.mode == GULL_MODE_RC) {
        fprintf(f, "reference counting: freed %llu objects (%llu bytes) in %llu zero-count-table passes "
                   "(%llu left freeing to the next); %zu objects in the table\n",
                (unsigned long long)s->rc_freed_objects, (unsigned long long)s->rc_freed_bytes,
                (unsigned long long)s->rc_zct_passes, (unsigned long long)s->rc_backlog_pauses,
                h->zct.len);
        fprintf(f, "cycle collector: %llu collections, %llu candidates examined, %llu objects "
                   "traversed, %llu objects (%llu bytes) freed in garbage cycles, %llu candidates "
                   "given up (too big for a pause); %zu candidates wait, threshold %zu\n",
                (unsigned long long)s->rc_cycle_collections, (unsigned long long)s->rc_cycle_candidates,
                (unsigned long long)s->rc_cycle_scanned, (unsigned long long)s->rc_cycle_freed_objects,
                (unsigned long long)s->rc_cycle_freed_bytes, (unsigned long long)s->rc_cycle_abandoned,
                h->rc_cand.len, h->cycle_threshold);
    }
    fprintf(f, "pauses (ms): %6s %8s %11s %9s %9s %9s %9s %9s\n", "", "count", "total", "p50",
            "p90", "p99", "p99.9", "max");
    print_hist_row(f, "minor", &h->st.hist[GULL_PAUSE_MINOR]);
    print_hist_row(f, "major", &h->st.hist[GULL_PAUSE_MAJOR]);
    print_hist_row(f, "sweep", &h->st.hist[GULL_PAUSE_SWEEP]);
    if (h->cfg.mode == GULL_MODE_RC)
        print_hist_row(f, "cycles", &h->st.hist[GULL_PAUSE_RC_CYCLES]);
    if (h->cfg.mode == GULL_MODE_INC || h->cfg.mode == GULL_MODE_RC) {
        print_hist_row(f, "mstart", &h->st.hist[GULL_PAUSE_MARK_START]);
        print_hist_row(f, "mstep", &h->st.hist[GULL_PAUSE_MARK_STEP]);
        print_hist_row(f, "mfinish", &h->st.hist[GULL_PAUSE_MARK_FINISH]);
        fprintf(f, "incremental steps: %llu, of which %llu enlarged because marking fell behind\n",
                (unsigned long long)s->mark_steps, (unsigned long long)s->mark_assists);
    }
    print_hist_row(f, "all", &h->st.hist[GULL_PAUSE_KINDS]);
    gull_memory_report_print(h, f);
}

/* ---------------------------------------------------------------- public */

void gull_get_stats(gull_heap *h, gull_stats *out)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_get_stats: h is NULL; pass the heap from gull_heap_create");
        return;
    }
    if (!out) {
        heap_error(h, GULL_ERR_NULL_ARG,
                   "gull_get_stats: out is NULL; pass a gull_stats to fill");
        return;
    }
    const pause_hist *all = &h->st.hist[GULL_PAUSE_KINDS];
    *out = h->st.s;
    out->heap_live = heap_live_bytes(h);
    out->bytes_allocated += h->nursery_used; /* pacing.c folds it in at each collection */
    out->heap_committed = h->committed;
    out->heap_metadata = h->metadata;
    out->external_bytes = h->external;
    out->pause_total_ns = all->total_ns;
    out->pause_count = all->count;
    out->pause_max_ns = all->max_ns;
    out->pause_p50_ns = stats_quantile(all, 0.5);
    out->pause_p90_ns = stats_quantile(all, 0.9);
    out->pause_p99_ns = stats_quantile(all, 0.99);
    out->pause_p999_ns = stats_quantile(all, 0.999);
    out->rc_cycle_threshold = h->cfg.mode == GULL_MODE_RC ? h->cycle_threshold : 0;
}

uint64_t gull_pause_quantile(gull_heap *h, gull_pause_kind kind, double q)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_pause_quantile: h is NULL; pass the heap from gull_heap_create");
        return 0;
    }
    if ((unsigned)kind > GULL_PAUSE_KINDS) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_pause_quantile: kind %d is not a gull_pause_kind; pass "
                   "GULL_PAUSE_MINOR, _MAJOR, _SWEEP, _MARK_START, _MARK_STEP, _MARK_FINISH "
                   "or GULL_PAUSE_KINDS (all)",
                   (int)kind);
        return 0;
    }
    if (!(q >= 0 && q <= 1)) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_pause_quantile: q = %g is not in 0..1; pass e.g. 0.99 for p99", q);
        return 0;
    }
    return stats_quantile(&h->st.hist[kind], q);
}

void gull_set_pause_hook(gull_heap *h, gull_pause_fn fn, void *ctx)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_set_pause_hook: h is NULL; pass the heap from gull_heap_create");
        return;
    }
    h->st.hook = fn; /* NULL removes the hook */
    h->st.hook_ctx = fn ? ctx : NULL;
}

void gull_memory_report_get(gull_heap *h, gull_memory_report *out)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_memory_report_get: h is NULL; pass the heap from gull_heap_create");
        return;
    }
    if (!out) {
        heap_error(h, GULL_ERR_NULL_ARG,
                   "gull_memory_report_get: out is NULL; pass a gull_memory_report to fill");
        return;
    }
    memset(out, 0, sizeof *out);
    size_t live = heap_live_bytes(h), committed = h->committed;
    out->os_rss = os_rss_bytes();
    out->heap_live = live;
    out->heap_committed = committed;
    /* live counts objects allocated since the last collection by their
     * size, committed counts pages; when a large object's rounding makes
     * live exceed committed, there is no free space rather than negative. */
    out->heap_free_in_blocks = committed - (live < committed ? live : committed);
    out->fragmentation = committed ? (double)out->heap_free_in_blocks / (double)committed : 0.0;
    out->heap_metadata = h->metadata;
    out->native_bytes = h->external;
    out->native_associated = external_associated(h);
}

void gull_memory_report_print(gull_heap *h, FILE *f)
{
    gull_memory_report r;
    char b[16];
    if (!h || !f) {
        heap_error(h, GULL_ERR_NULL_ARG,
                   "gull_memory_report_print: %s is NULL; pass %s", h ? "f" : "h",
                   h ? "a FILE such as stderr" : "the heap from gull_heap_create");
        return;
    }
    gull_memory_report_get(h, &r);
    fputs("memory:\n", f);
    fprintf(f, "  os resident set       %8s  (%zu bytes, whole process)\n",
            fmt_bytes(b, sizeof b, r.os_rss), r.os_rss);
    fprintf(f, "  heap live             %8s  (%zu bytes)\n", fmt_bytes(b, sizeof b, r.heap_live),
            r.heap_live);
    fprintf(f, "  heap committed        %8s  (%zu bytes)\n",
            fmt_bytes(b, sizeof b, r.heap_committed), r.heap_committed);
    fprintf(f, "  heap free in blocks   %8s  (%zu bytes, fragmentation %.1f%%)\n",
            fmt_bytes(b, sizeof b, r.heap_free_in_blocks), r.heap_free_in_blocks,
            100.0 * r.fragmentation);
    fprintf(f, "  heap metadata         %8s  (%zu bytes)\n",
            fmt_bytes(b, sizeof b, r.heap_metadata), r.heap_metadata);
    fprintf(f, "  native (host)         %8s  (%zu bytes, %zu associated with objects)\n",
            fmt_bytes(b, sizeof b, r.native_bytes), r.native_bytes, r.native_associated);
}
