/* test_stats.c — pauses, the pause hook, the pause log, trace lines,
 * statistics and the memory report (gc/stats.c, DESIGN.md sections 7-8).
 *
 * Behaviour, not timing: the tests check that events come in pairs, that
 * counts agree between the hook, the log, the trace and gull_get_stats(),
 * and that quantiles are ordered; never how long anything took.
 */
#include <criterion/criterion.h>
#include <gull.h>

#include "gullenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>



/* ---------------------------------------------------------------- helpers */

typedef struct capture {
    int n;
    gull_error code;
    char text[1024];
} capture;

static void on_error(gull_heap *h, gull_error code, const char *message, void *ctx)
{
    (void)h;
    capture *c = ctx;
    if (c->n++ == 0) {
        c->code = code;
        snprintf(c->text, sizeof c->text, "%s", message);
    }
}

static gull_heap *new_heap(capture *cap)
{
    gull_config c;
    gull_config_init(&c);
    if (cap) {
        memset(cap, 0, sizeof *cap);
        c.on_error = on_error;
        c.error_ctx = cap;
    }
    gull_heap *h = gull_heap_create(&c);
    cr_assert_not_null(h, "gull_heap_create failed");
    return h;
}

/* Some work for the collector: a few hundred small objects, a quarter of
 * them kept in a root range. */
static void *keep[64];
static gull_type t;
static gull_heap *registered; /* the heap t and keep belong to; forget() resets */

static void churn(gull_heap *h)
{
    static const gull_type_desc leaf = {"leaf", NULL, GULL_TYPE_NO_POINTERS, NULL, NULL, NULL};
    if (registered != h) {
        t = gull_register_type(h, &leaf);
        cr_assert_neq(t.id, 0, "gull_register_type failed");
        gull_root_range_add(h, keep, keep + 64);
        registered = h;
    }
    for (int i = 0; i < 256; i++) {
        void *p = gull_alloc(h, t, 16 + (size_t)(i % 8) * 16);
        cr_assert_not_null(p);
        if (i % 4 == 0)
            keep[(i / 4) % 64] = p;
    }
}

static void forget(gull_heap *h)
{
    if (registered == h)
        gull_root_range_remove(h, keep);
    memset(keep, 0, sizeof keep);
    registered = NULL;
}

/* A run of explicit collections: m minor, then M major, then 1 minor. */
static void collections(gull_heap *h, int m, int M)
{
    for (int i = 0; i < m; i++) {
        churn(h);
        gull_collect(h, GULL_COLLECT_MINOR);
    }
    for (int i = 0; i < M; i++) {
        churn(h);
        gull_collect(h, GULL_COLLECT_MAJOR);
    }
    churn(h);
    gull_collect(h, GULL_COLLECT_MINOR);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char *text = NULL;
    size_t cap = 0;
    FILE *mem = open_memstream(&text, &cap);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(f);
    fclose(mem);
    return text;
}

/* stderr into a file, and back. */
typedef struct redirect {
    int saved;
    char path[64];
} redirect;

static void stderr_to_file(redirect *r, const char *tag)
{
    snprintf(r->path, sizeof r->path, "/tmp/gull-test-stats-%s-%ld", tag, (long)getpid());
    fflush(stderr);
    r->saved = dup(2);
    FILE *f = fopen(r->path, "w");
    cr_assert_not_null(f);
    dup2(fileno(f), 2);
    fclose(f);
}

static char *stderr_back(redirect *r)
{
    fflush(stderr);
    dup2(r->saved, 2);
    close(r->saved);
    char *text = slurp(r->path);
    unlink(r->path);
    return text;
}

/* ---------------------------------------------------------------- the hook */

#define MAXEV 4096
typedef struct event {
    gull_pause_kind kind;
    bool begin;
    uint64_t now;
    gull_heap *h;
} event;
typedef struct events {
    int n;
    event ev[MAXEV];
} events;

static void hook(gull_heap *h, gull_pause_kind kind, bool begin, uint64_t now_ns, void *ctx)
{
    events *e = ctx;
    if (e->n < MAXEV)
        e->ev[e->n] = (event){kind, begin, now_ns, h};
    e->n++;
}

Test(stats, hook_sees_pairs_that_match_the_counters, .init = clear_gull_env)
{
    static events e;
    gull_heap *h = new_heap(NULL);
    gull_set_pause_hook(h, hook, &e);
    collections(h, 4, 2);

    gull_stats s;
    gull_get_stats(h, &s);
    cr_assert_lt(e.n, MAXEV);
    cr_expect_eq(e.n % 2, 0, "begin/end events come in pairs: %d events", e.n);
    uint64_t minors = 0, majors = 0, sweeps = 0, total = 0, max = 0, last = 0;
    for (int i = 0; i + 1 < e.n; i += 2) {
        const event *b = &e.ev[i], *end = &e.ev[i + 1];
        cr_expect(b->begin, "event %d should be a begin", i);
        cr_expect(!end->begin, "event %d should be an end", i + 1);
        cr_expect_eq(b->kind, end->kind, "pair %d: begin and end kinds differ", i / 2);
        cr_expect(b->kind == GULL_PAUSE_MINOR || b->kind == GULL_PAUSE_MAJOR ||
                  b->kind == GULL_PAUSE_SWEEP);
        cr_expect_eq(b->h, h);
        cr_expect_geq(b->now, last, "time went backwards at event %d", i);
        cr_expect_geq(end->now, b->now, "time went backwards at event %d", i + 1);
        last = end->now;
        uint64_t d = end->now - b->now;
        total += d;
        if (d > max)
            max = d;
        if (b->kind == GULL_PAUSE_MINOR)
            minors++;
        else if (b->kind == GULL_PAUSE_MAJOR)
            majors++;
        else
            sweeps++;
    }
    cr_expect_geq(minors, 5, "4 + 1 minor collections were asked for");
    cr_expect_geq(majors, 2, "2 major collections were asked for");
    cr_expect_eq(s.minor_collections, minors);
    cr_expect_eq(s.major_collections, majors);
    cr_expect_eq(s.pause_count, minors + majors + sweeps);
    /* The hook gets the very times the histogram is fed with. */
    cr_expect_eq(s.pause_total_ns, total);
    cr_expect_eq(s.pause_max_ns, max);

    /* NULL removes the hook. */
    int before = e.n;
    gull_set_pause_hook(h, NULL, NULL);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_expect_eq(e.n, before, "the hook was called after it was removed");
    forget(h);
    gull_heap_destroy(h);
}

Test(stats, full_mode_pauses_are_major, .init = clear_gull_env)
{
    static events e;
    setenv("GULL_MODE", "full", 1);
    gull_heap *h = new_heap(NULL);
    cr_assert_eq(gull_heap_mode(h), GULL_MODE_FULL);
    gull_set_pause_hook(h, hook, &e);
    collections(h, 2, 1);
    gull_stats s;
    gull_get_stats(h, &s);
    cr_expect_eq(e.n % 2, 0);
    cr_expect_eq(s.pause_count, (uint64_t)e.n / 2);
    cr_expect_eq(s.minor_collections, 0, "full mode runs no minor collection");
    uint64_t collections = 0;
    for (int i = 0; i < e.n; i += 2)
        collections += e.ev[i].kind != GULL_PAUSE_SWEEP;
    cr_expect_eq(s.major_collections, collections);
    forget(h);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- the pause log */

/* Header lines are "# gull pause log pid=<this pid> mode=<m> start_ns=<n>
 * NAME=value..."; every other line is "<kind> <start_ns> <end_ns> <cpu_ns> <why>\n"
 * with start <= end, the CPU time no longer than the interval (plus clock
 * granularity), starts never decreasing within a run.  Counts the
 * collection lines and the headers. */
static void check_log(const char *text, uint64_t *minors, uint64_t *majors, int *headers)
{
    *minors = *majors = 0;
    *headers = 0;
    uint64_t last = 0;
    int lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "the last line of the pause log is unfinished: %s", p);
        char line[4096];
        size_t len = (size_t)(nl - p);
        cr_assert_lt(len, sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        lineno++;
        p = nl + 1;
        if (line[0] == '#') {
            long pid = 0;
            cr_expect_eq(sscanf(line, "# gull pause log pid=%ld", &pid), 1, "line %d: %s", lineno, line);
            cr_expect_eq(pid, (long)getpid(), "line %d names another process: %s", lineno, line);
            cr_expect_not_null(strstr(line, " mode="), "line %d: %s", lineno, line);
            cr_expect_not_null(strstr(line, " GULL_NURSERY_SIZE="), "the header carries the configuration: %s",
                               line);
            ++*headers;
            last = 0;
            continue;
        }
        char kind[16], why[32], extra;
        unsigned long long start, end, cpu;
        int k = sscanf(line, "%15s %llu %llu %llu %31s %c", kind, &start, &end, &cpu, why, &extra);
        cr_expect_eq(k, 5, "line %d is not \"kind start end cpu why\": %s", lineno, line);
        cr_expect(strcmp(kind, "minor") == 0 || strcmp(kind, "major") == 0 ||
                      strcmp(kind, "sweep") == 0 || strncmp(kind, "mark-", 5) == 0,
                  "line %d: %s", lineno, line);
        cr_expect_leq(start, end, "line %d: %s", lineno, line);
        cr_expect_leq(cpu, end - start + 1000000, "line %d: more CPU time than wall time: %s", lineno, line);
        cr_expect_geq(start, last, "line %d starts before the previous one: %s", lineno, line);
        last = start;
        if (strcmp(kind, "minor") == 0)
            ++*minors;
        else if (strcmp(kind, "major") == 0)
            ++*majors;
    }
}

Test(stats, pause_log_from_the_environment, .init = clear_gull_env)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gull-test-stats-log-%ld", (long)getpid());
    unlink(path);
    setenv("GULL_PAUSE_LOG", path, 1);
    capture cap;
    gull_heap *h = new_heap(&cap);
    collections(h, 3, 2);
    gull_stats s;
    gull_get_stats(h, &s);
    forget(h);
    gull_heap_destroy(h);
    cr_expect_eq(cap.n, 0, "%s", cap.text);

    char *text = slurp(path);
    uint64_t minors, majors;
    int headers;
    check_log(text, &minors, &majors, &headers);
    cr_expect_eq(headers, 1);
    cr_expect_eq(minors, s.minor_collections);
    cr_expect_eq(majors, s.major_collections);
    free(text);

    /* A second heap appends to the same file. */
    h = new_heap(&cap);
    collections(h, 1, 0);
    gull_stats s2;
    gull_get_stats(h, &s2);
    forget(h);
    gull_heap_destroy(h);
    text = slurp(path);
    check_log(text, &minors, &majors, &headers);
    cr_expect_eq(headers, 2, "each heap writes its header");
    cr_expect_eq(minors + majors, s.pause_count + s2.pause_count, "the log was not appended to");
    free(text);
    unlink(path);
}

Test(stats, pause_log_from_the_host_config, .init = clear_gull_env)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gull-test-stats-hostlog-%ld", (long)getpid());
    unlink(path);
    gull_config c;
    gull_config_init(&c);
    c.pause_log = path;
    gull_heap *h = gull_heap_create(&c);
    cr_assert_not_null(h);
    collections(h, 2, 1);
    gull_stats s;
    gull_get_stats(h, &s);
    forget(h);
    gull_heap_destroy(h);
    char *text = slurp(path);
    uint64_t minors, majors;
    int headers;
    check_log(text, &minors, &majors, &headers);
    cr_expect_eq(headers, 1);
    cr_expect_eq(minors + majors, s.pause_count);
    free(text);
    unlink(path);
}

Test(stats, pause_log_that_cannot_be_opened, .init = clear_gull_env)
{
    setenv("GULL_PAUSE_LOG", "/nonexistent-dir-for-gull/pauses.log", 1);
    capture cap;
    gull_heap *h = new_heap(&cap);
    cr_expect_eq(cap.n, 1, "want one message about the log");
    cr_expect_eq(cap.code, GULL_ERR_BAD_CONFIG);
    cr_expect(strstr(cap.text, "/nonexistent-dir-for-gull/pauses.log") != NULL, "%s", cap.text);
    collections(h, 1, 1); /* the heap works without the log */
    gull_stats s;
    gull_get_stats(h, &s);
    cr_expect_geq(s.pause_count, 3);
    forget(h);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- quantiles */

Test(stats, quantiles_are_ordered, .init = clear_gull_env)
{
    gull_heap *h = new_heap(NULL);
    gull_stats s;
    gull_get_stats(h, &s);
    cr_expect_eq(s.pause_count, 0);
    cr_expect_eq(s.pause_max_ns, 0);
    cr_expect_eq(s.pause_p50_ns, 0);
    cr_expect_eq(gull_pause_quantile(h, GULL_PAUSE_KINDS, 0.5), 0, "no pauses yet");

    collections(h, 40, 6);
    gull_get_stats(h, &s);
    cr_expect_geq(s.pause_count, 47);
    cr_expect_gt(s.pause_max_ns, 0);
    cr_expect_leq(s.pause_p50_ns, s.pause_p90_ns);
    cr_expect_leq(s.pause_p90_ns, s.pause_p99_ns);
    cr_expect_leq(s.pause_p99_ns, s.pause_p999_ns);
    cr_expect_leq(s.pause_p999_ns, s.pause_max_ns);
    cr_expect_geq(s.pause_total_ns, s.pause_max_ns);
    cr_expect_eq(gull_pause_quantile(h, GULL_PAUSE_KINDS, 1.0), s.pause_max_ns);
    cr_expect_eq(gull_pause_quantile(h, GULL_PAUSE_KINDS, 0.5), s.pause_p50_ns);

    for (int k = GULL_PAUSE_MINOR; k <= GULL_PAUSE_MAJOR; k++) {
        uint64_t q[] = {gull_pause_quantile(h, k, 0), gull_pause_quantile(h, k, 0.5),
                        gull_pause_quantile(h, k, 0.9), gull_pause_quantile(h, k, 0.99),
                        gull_pause_quantile(h, k, 0.999), gull_pause_quantile(h, k, 1)};
        for (int i = 0; i + 1 < 6; i++)
            cr_expect_leq(q[i], q[i + 1], "kind %d: quantile %d > quantile %d", k, i, i + 1);
        cr_expect_leq(q[5], s.pause_max_ns);
        cr_expect_gt(q[5], 0, "kind %d had pauses", k);
    }
    forget(h);
    gull_heap_destroy(h);
}

Test(stats, bad_arguments_are_reported, .init = clear_gull_env)
{
    capture cap;
    gull_heap *h = new_heap(&cap);

    gull_get_stats(h, NULL);
    cr_expect_eq(cap.n, 1);
    cr_expect_eq(cap.code, GULL_ERR_NULL_ARG);
    cr_expect(strstr(cap.text, "gull_get_stats") != NULL, "%s", cap.text);

    cap.n = 0;
    cr_expect_eq(gull_pause_quantile(h, (gull_pause_kind)(GULL_PAUSE_KINDS + 1), 0.5), 0);
    cr_expect_eq(cap.n, 1);
    cap.n = 0;
    cr_expect_eq(gull_pause_quantile(h, GULL_PAUSE_KINDS, 1.5), 0);
    cr_expect_eq(cap.n, 1);
    cap.n = 0;
    gull_memory_report_get(h, NULL);
    cr_expect_eq(cap.n, 1);
    cr_expect_eq(cap.code, GULL_ERR_NULL_ARG);
    cap.n = 0;
    gull_memory_report_print(h, NULL);
    cr_expect_eq(cap.n, 1);
    gull_heap_destroy(h);

    /* A NULL heap goes to stderr and nothing crashes. */
    redirect r;
    stderr_to_file(&r, "null");
    gull_stats s;
    gull_get_stats(NULL, &s);
    gull_set_pause_hook(NULL, NULL, NULL);
    cr_expect_eq(gull_pause_quantile(NULL, GULL_PAUSE_KINDS, 0.5), 0);
    char *text = stderr_back(&r);
    cr_expect(strstr(text, "gull_get_stats") != NULL, "%s", text);
    free(text);
}

/* ---------------------------------------------------------------- trace */

Test(stats, trace_prints_one_line_per_collection, .init = clear_gull_env)
{
    setenv("GULL_TRACE", "1", 1);
    redirect r;
    stderr_to_file(&r, "trace");
    gull_heap *h = new_heap(NULL);
    collections(h, 5, 2);
    gull_stats s;
    gull_get_stats(h, &s);
    forget(h);
    gull_heap_destroy(h);
    char *text = stderr_back(&r);

    uint64_t lines = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "gull: gc ", 9) != 0)
            continue;
        lines++;
        unsigned long long n;
        unsigned long long marked;
        char kind[8], before[16], after[16], committed[16], ext[16], why[64];
        double ms;
        int k = sscanf(line,
                       "gull: gc %llu %7s %lf ms heap %15[^-]->%15s committed %15s ext %15s marked %llu why %63s",
                       &n, kind, &ms, before, after, committed, ext, &marked, why);
        cr_expect_eq(k, 9, "malformed trace line: %s", line);
        cr_expect_eq(n, lines, "collections are numbered from 1: %s", line);
        cr_expect(strcmp(kind, "minor") == 0 || strcmp(kind, "major") == 0, "%s", line);
        cr_expect_geq(ms, 0.0, "%s", line);
    }
    cr_expect_eq(lines, s.minor_collections + s.major_collections, "trace:\n%s", text);
    cr_expect_geq(lines, 8);
    free(text);
}

Test(stats, no_trace_by_default, .init = clear_gull_env)
{
    redirect r;
    stderr_to_file(&r, "notrace");
    gull_heap *h = new_heap(NULL);
    collections(h, 2, 1);
    forget(h);
    gull_heap_destroy(h);
    char *text = stderr_back(&r);
    cr_expect_eq(strstr(text, "gull: gc "), NULL, "%s", text);
    free(text);
}

/* ---------------------------------------------------------------- summary, report */

Test(stats, stats_summary_at_destroy, .init = clear_gull_env)
{
    setenv("GULL_STATS", "1", 1);
    redirect r;
    stderr_to_file(&r, "summary");
    gull_heap *h = new_heap(NULL);
    collections(h, 2, 1);
    forget(h);
    gull_heap_destroy(h);
    char *text = stderr_back(&r);
    cr_expect(strstr(text, "GULL_MODE = gen") != NULL, "no configuration in:\n%s", text);
    cr_expect(strstr(text, "GULL_STATS = 1") != NULL, "%s", text);
    cr_expect(strstr(text, "collections:") != NULL, "%s", text);
    cr_expect(strstr(text, "p99.9") != NULL, "%s", text);
    cr_expect(strstr(text, "heap committed") != NULL, "%s", text);
    free(text);
}

Test(stats, memory_report_is_consistent, .init = clear_gull_env)
{
    gull_heap *h = new_heap(NULL);
    collections(h, 1, 1);
    churn(h);
    gull_external_adjust(h, 1 << 20);
    gull_memory_report r;
    gull_memory_report_get(h, &r);
    gull_stats s;
    gull_get_stats(h, &s);
    cr_expect_gt(r.os_rss, 0);
    cr_expect_gt(r.heap_committed, 0);
    cr_expect_gt(r.heap_live, 0);
    cr_expect_leq(r.heap_free_in_blocks, r.heap_committed);
    cr_expect_geq(r.fragmentation, 0.0);
    cr_expect_leq(r.fragmentation, 1.0);
    cr_expect_eq(r.native_bytes, (size_t)1 << 20);
    cr_expect_eq(r.heap_live, s.heap_live);
    cr_expect_eq(r.heap_committed, s.heap_committed);
    cr_expect_eq(r.heap_metadata, s.heap_metadata);
    cr_expect_eq(r.native_bytes, s.external_bytes);
    cr_expect_gt(s.bytes_allocated, 0);
    cr_expect_gt(s.objects_allocated, 0);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    gull_memory_report_print(h, f);
    fclose(f);
    cr_expect(strstr(text, "os resident set") != NULL, "%s", text);
    cr_expect(strstr(text, "heap live") != NULL, "%s", text);
    cr_expect(strstr(text, "native") != NULL, "%s", text);
    free(text);
    gull_external_adjust(h, -(1 << 20));
    forget(h);
    gull_heap_destroy(h);
}
