/* backend_boehm.h — the benchmarks' view of Boehm GC (bdwgc).
 *
 * Roots: Boehm scans the C stack, registers and data segments
 * conservatively, so BE_ROOT is a no-op.  Stores are plain (no barrier in
 * the default mode; in incremental mode Boehm finds dirty pages itself).
 *
 * Pauses: GC_set_on_collection_event.  We record three kinds of interval:
 *   full     GC_EVENT_START .. GC_EVENT_END (a whole stop-the-world
 *            collection; never emitted in incremental mode),
 *   stw      GC_EVENT_PRE_STOP_WORLD .. GC_EVENT_POST_START_WORLD (each
 *            stopped-mark attempt; in incremental mode, the final phases),
 *   reclaim  GC_EVENT_RECLAIM_START .. GC_EVENT_RECLAIM_END (the start of
 *            sweeping, after the world restarts in incremental mode).
 * Pauses are the union of all three (pauses.h .union).  Each interval is
 * also timed on the thread's CPU clock (pauses.h .cpu): the hook runs on
 * the thread that allocates and collects (this program has one thread, so
 * libgc starts no parallel marker threads: all marking is on that thread's
 * clock).  The log at exit has gull's new format, cpu_ns column included.
 * What the events do not show — incremental mark steps done inside
 * GC_malloc, and lazy reclaim inside GC_malloc — is listed in
 * bench/README.md.
 */
#ifndef BENCH_BACKEND_BOEHM_H
#define BENCH_BACKEND_BOEHM_H

#include <gc/gc.h>
#include "pauses.h"

#define BE_COLLECTOR "boehm"

#define BE_ROOT(var) ((void)0)
#define BE_UNROOT(n) ((void)0)
#define BE_SET(obj, field, value) ((obj)->field = (value))
#define BE_SET_WORD(obj, field, word) ((obj)->field = (void *)(uintptr_t)((word) * 2 + 1))

static void be_event(GC_EventType e)
{
    uint64_t t = now_ns();
    switch (e) {
    case GC_EVENT_START: pauses_begin(0, t); break;
    case GC_EVENT_END: pauses_end(0, "full", t); break;
    case GC_EVENT_PRE_STOP_WORLD: pauses_begin(1, t); break;
    case GC_EVENT_POST_START_WORLD: pauses_end(1, "stw", t); break;
    case GC_EVENT_RECLAIM_START: pauses_begin(2, t); break;
    case GC_EVENT_RECLAIM_END: pauses_end(2, "reclaim", t); break;
    default: break;
    }
}

static void be_init(void)
{
    GC_INIT(); /* reads GC_ENABLE_INCREMENTAL, GC_PAUSE_TIME_TARGET, ... */
    GC_set_on_collection_event(be_event);
}

static void be_oom(void)
{
    fprintf(stderr, "bench: GC_MALLOC returned NULL\n");
    exit(3);
}
static inline void *be_alloc_node(size_t size)
{
    void *p = GC_MALLOC(size);
    if (p == NULL)
        be_oom();
    return p;
}
static inline void *be_alloc_ptr(size_t size) { return be_alloc_node(size); }
/* GC_MALLOC_ATOMIC does not zero; pointer-free objects need no zeroing for
 * these benchmarks (gull's allocation zeroes; noted in README.md). */
static inline void *be_alloc_atomic(size_t size)
{
    void *p = GC_MALLOC_ATOMIC(size);
    if (p == NULL)
        be_oom();
    return p;
}
static inline double *be_alloc_doubles(size_t n)
{
    double *p = GC_MALLOC_ATOMIC(n * sizeof(double));
    if (p == NULL)
        be_oom();
    return p;
}

static const char *be_variant(void) { return GC_is_incremental_mode() ? "boehm-inc" : "boehm"; }

__attribute__((unused)) static void be_report(FILE *f)
{
    pause_summary fu = pauses_summary("full"), sw = pauses_summary("stw");
    fprintf(f, " full=%zu stw=%zu gc_no=%lu heap_kb=%lu", fu.count, sw.count,
            (unsigned long)GC_get_gc_no(), (unsigned long)(GC_get_heap_size() / 1024));
}

static void be_finish(void) {}

#endif /* BENCH_BACKEND_BOEHM_H */
