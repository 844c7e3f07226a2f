/* backend_gull.h — the benchmarks' view of gull.
 *
 * Precise roots: a root stack of addresses of C locals, visited by one root
 * callback (what an interpreter with a value stack does; cheaper than a
 * gull_frame per call because push and pop are inline).  Every pointer store
 * into a managed object goes through GULL_WRITE, the first store into a
 * fresh object included (DESIGN.md section 1, rule 3).
 */
#ifndef BENCH_BACKEND_GULL_H
#define BENCH_BACKEND_GULL_H

#include <gull.h>
#include "pauses.h"

#define BE_COLLECTOR "gull"

static gull_heap *be_heap;
static gull_type be_t_node, be_t_leaf, be_t_doubles, be_t_words;

/* ---- roots */
#define BE_ROOTSTACK_MAX 4096
static void **be_rs[BE_ROOTSTACK_MAX];
static size_t be_rs_top;

static void be_roots(gull_heap *h, gull_visit_fn visit, void *vctx, void *ctx)
{
    for (size_t i = 0; i < be_rs_top; i++)
        visit(be_rs[i], vctx);
}
#define BE_ROOT(var) (be_rs[be_rs_top++] = (void **)(void *)&(var))
#define BE_UNROOT(n) (be_rs_top -= (n))

/* ---- stores */
#define BE_SET(obj, field, value) GULL_WRITE(be_heap, (obj), &(obj)->field, (value))

/* ---- types: a two-pointer node (GCBench), and pointer-free objects */
struct be_two { void *a, *b; };
static void be_trace_two(void *obj, gull_visit_fn visit, void *vctx)
{
    struct be_two *t = obj;
    visit(&t->a, vctx);
    visit(&t->b, vctx);
}

static uint64_t be_sweep_ns, be_sweeps;

static void be_pause_hook(gull_heap *h, gull_pause_kind kind, bool begin, uint64_t t,
                          void *ctx)
{
    /* Lazy sweeping inside allocation (GULL_PAUSE_SWEEP, ~1 us a block) is
     * summed apart from the collection pauses: Boehm's reclaim inside
     * allocation has no event to compare it with (bench/README.md). */
    static uint64_t sweep_start;
    if (kind == GULL_PAUSE_SWEEP) {
        if (begin) {
            sweep_start = t;
        } else {
            be_sweep_ns += t - sweep_start;
            be_sweeps++;
        }
        return;
    }
    if (begin)
        pauses_begin(0, t);
    else
        pauses_end(0, kind == GULL_PAUSE_MINOR ? "minor" : kind == GULL_PAUSE_MAJOR ? "major" : "step", t);
}

static void be_init(void)
{
    be_heap = gull_heap_create(NULL);
    if (be_heap == NULL) {
        fprintf(stderr, "bench: gull_heap_create failed\n");
        exit(2);
    }
    be_t_node = gull_register_type(be_heap, &(gull_type_desc){"node", be_trace_two, 0, NULL, NULL, NULL});
    be_t_leaf = gull_register_type(be_heap, &(gull_type_desc){"words", be_trace_two, 0, NULL, NULL, NULL});
    be_t_doubles = gull_register_type(
        be_heap, &(gull_type_desc){"doubles", NULL, GULL_TYPE_NO_POINTERS, NULL, NULL, NULL});
    be_t_words = gull_register_type(
        be_heap, &(gull_type_desc){"raw", NULL, GULL_TYPE_NO_POINTERS, NULL, NULL, NULL});
    if (!gull_root_callback_add(be_heap, be_roots, NULL)) {
        fprintf(stderr, "bench: gull_root_callback_add failed\n");
        exit(2);
    }
    gull_set_pause_hook(be_heap, be_pause_hook, NULL);
}

static void be_oom(void)
{
    fprintf(stderr, "bench: gull_alloc returned NULL\n");
    exit(3);
}

/* A GCBench node (two pointer fields and two ints, zeroed). */
static inline void *be_alloc_node(size_t size)
{
    void *p = gull_alloc(be_heap, be_t_node, size);
    if (p == NULL)
        be_oom();
    return p;
}
/* A small object whose first two words may hold pointers. */
static inline void *be_alloc_ptr(size_t size)
{
    void *p = gull_alloc(be_heap, be_t_leaf, size);
    if (p == NULL)
        be_oom();
    return p;
}
/* A pointer-free object (gull zeroes it). */
static inline void *be_alloc_atomic(size_t size)
{
    void *p = gull_alloc(be_heap, be_t_words, size);
    if (p == NULL)
        be_oom();
    return p;
}
static inline double *be_alloc_doubles(size_t n)
{
    double *p = gull_alloc(be_heap, be_t_doubles, n * sizeof(double));
    if (p == NULL)
        be_oom();
    return p;
}

/* Store a non-pointer word into a pointer-holding object: a tagged
 * immediate, still through the barrier (it is a store into a field). */
#define BE_SET_WORD(obj, field, word) \
    GULL_WRITE(be_heap, (obj), &(obj)->field, (void *)(uintptr_t)((word) * 2 + 1))

static const char *be_variant(void)
{
    static char name[32];
    snprintf(name, sizeof name, "gull-%s", gull_mode_name(gull_heap_mode(be_heap)));
    return name;
}

/* Collector-specific fields of the result line. */
__attribute__((unused)) static void be_report(FILE *f)
{
    gull_stats st;
    gull_get_stats(be_heap, &st);
    pause_summary mi = pauses_summary("minor"), ma = pauses_summary("major");
    pause_summary sp = pauses_summary("step"); /* inc: mark-start, mark-step, mark-finish */
    fprintf(f, " minor=%zu major=%zu steps=%zu step_p99_us=%.1f step_max_us=%.1f cycles=%llu"
               " minor_p50_us=%.1f minor_p99_us=%.1f minor_max_us=%.1f"
               " major_max_us=%.1f"
               " gull_minor_p99_us=%.1f gull_max_us=%.1f gull_pause_count=%llu"
               " lazy_sweeps=%llu lazy_sweep_ms=%.2f",
            mi.count, ma.count, sp.count, sp.p99 / 1e3, sp.max / 1e3,
            (unsigned long long)st.major_collections, mi.p50 / 1e3, mi.p99 / 1e3, mi.max / 1e3, ma.max / 1e3,
            gull_pause_quantile(be_heap, GULL_PAUSE_MINOR, 0.99) / 1e3, st.pause_max_ns / 1e3,
            (unsigned long long)st.pause_count, (unsigned long long)be_sweeps, be_sweep_ns / 1e6);
}

static void be_finish(void) { gull_heap_destroy(be_heap); }

#endif /* BENCH_BACKEND_GULL_H */
