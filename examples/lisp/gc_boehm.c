/* gc_boehm.c — the Boehm-Demers-Weiser backend of lisp_gc.h.
 *
 * Boehm scans the C stacks and registers conservatively, so the root stack
 * pushes of the evaluator are only cheap stores here.  The interpreter's
 * own root tables (the root stack, the symbol and constant tables) live in
 * malloc'd memory Boehm does not scan; they are pushed from the
 * push-other-roots hook.  Pointer-free kinds (flonums, string headers whose
 * body is malloc'd, ports) use GC_MALLOC_ATOMIC.  There is no store barrier.
 *
 * Pause log: with BOEHM_PAUSE_LOG=FILE, one line "<kind> <start_ns>
 * <end_ns>" (CLOCK_MONOTONIC) per collection (GC_EVENT_START..END, kind
 * "full") and per stop-the-world outside such a bracket (PRE_STOP_WORLD..
 * POST_START_WORLD, kind "stw"), buffered in memory and written at exit.
 */
#define GC_THREADS 1
#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lisp.h"

struct pause { const char *kind; uint64_t start, end; };
static struct pause *plog;
static size_t plog_n, plog_cap;
static const char *plog_file;
static uint64_t coll_start, stw_start;
static bool in_collection;
static uint64_t pause_total, pause_max, pause_count;
static GC_push_other_roots_proc prev_push;

const char *lgc_name(void) { return "boehm"; }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void log_pause(const char *kind, uint64_t s, uint64_t e)
{
    pause_count++;
    pause_total += e - s;
    if (e - s > pause_max) pause_max = e - s;
    if (!plog_file) return;
    if (plog_n == plog_cap) {
        /* the callback runs with the allocation lock held; malloc is
         * independent of Boehm here, so growing the buffer is safe */
        size_t cap = plog_cap ? plog_cap * 2 : 4096;
        struct pause *p = realloc(plog, cap * sizeof *p);
        if (!p) return;
        plog = p;
        plog_cap = cap;
    }
    plog[plog_n++] = (struct pause){kind, s, e};
}

static void GC_CALLBACK on_event(GC_EventType e)
{
    switch (e) {
    case GC_EVENT_START:
        in_collection = true;
        coll_start = now_ns();
        break;
    case GC_EVENT_END:
        if (in_collection) log_pause("full", coll_start, now_ns());
        in_collection = false;
        break;
    case GC_EVENT_PRE_STOP_WORLD:
        stw_start = now_ns();
        break;
    case GC_EVENT_POST_START_WORLD:
        if (!in_collection && stw_start) log_pause("stw", stw_start, now_ns());
        stw_start = 0;
        break;
    default:
        break;
    }
}

static void push_range(val *start, val *end, void *ctx)
{
    (void)ctx;
    if (end > start) GC_push_all(start, end);
}

static void GC_CALLBACK push_roots(void)
{
    lisp_visit_roots(push_range, NULL);
    if (prev_push) prev_push();
}

/* .exit-registry  In a sanitizer build (LeakSanitizer checks every run),
 * the objects that have a finalizer are also listed here, so that
 * lgc_shutdown can finalize the ones Boehm still keeps at exit (its
 * conservative scan may find a stale word for one through the last
 * collection) and the interpreter frees all it owns.  The table is
 * malloc'd, which Boehm does not scan, so it keeps nothing alive; deleted
 * entries become tombstones.  Other builds skip it: benchmarks time Boehm
 * as it is. */
#if defined(__SANITIZE_ADDRESS__)
#define EXIT_REGISTRY 1
#else
#define EXIT_REGISTRY 0
#endif
#define TOMB ((void *)1)
static void **freg;
static size_t freg_cap, freg_used; /* used: entries and tombstones */

static size_t freg_slot(const void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 20) & (freg_cap - 1);
}

static void freg_put(void **tab, size_t cap, void *p)
{
    size_t i = (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 20) & (cap - 1);
    while (tab[i] && tab[i] != TOMB)
        i = (i + 1) & (cap - 1);
    tab[i] = p;
}

static void freg_add(void *p)
{
    if ((freg_used + 1) * 2 > freg_cap) {
        size_t cap = freg_cap ? freg_cap * 2 : 1024;
        void **tab = calloc(cap, sizeof *tab);
        if (!tab) return; /* not listed: at worst reported as a leak */
        freg_used = 0;
        for (size_t i = 0; i < freg_cap; i++)
            if (freg[i] && freg[i] != TOMB) {
                freg_put(tab, cap, freg[i]);
                freg_used++;
            }
        free(freg);
        freg = tab;
        freg_cap = cap;
    }
    freg_put(freg, freg_cap, p);
    freg_used++;
}

static void freg_remove(void *p)
{
    if (!freg_cap) return;
    for (size_t i = freg_slot(p); freg[i]; i = (i + 1) & (freg_cap - 1))
        if (freg[i] == p) {
            freg[i] = TOMB;
            return;
        }
}

static void GC_CALLBACK finalize(void *obj, void *cd)
{
    (void)cd;
    if (EXIT_REGISTRY) freg_remove(obj);
    lisp_kinds[KIND(obj)].finalize(obj);
}

void lgc_init(void)
{
    /* GC_INIT ran in main(); here we only hook ourselves in */
    prev_push = GC_get_push_other_roots();
    GC_set_push_other_roots(push_roots);
    plog_file = getenv("BOEHM_PAUSE_LOG");
    if (plog_file && !*plog_file) plog_file = NULL;
    GC_set_on_collection_event(on_event);
}

static void write_log(void)
{
    if (!plog_file) return;
    FILE *f = fopen(plog_file, "a");
    if (!f) {
        fprintf(stderr, "boehm-lisp: cannot open BOEHM_PAUSE_LOG file %s\n", plog_file);
        return;
    }
    for (size_t i = 0; i < plog_n; i++)
        fprintf(f, "%s %llu %llu\n", plog[i].kind, (unsigned long long)plog[i].start,
                (unsigned long long)plog[i].end);
    fclose(f);
    plog_n = 0;
}

void lgc_shutdown(void)
{
    write_log();
    /* .exit-registry: finalize what Boehm still keeps, then drop the table. */
    for (size_t i = 0; i < freg_cap; i++)
        if (freg[i] && freg[i] != TOMB) {
            void *obj = freg[i];
            freg[i] = TOMB;
            lisp_kinds[KIND(obj)].finalize(obj);
        }
    free(freg);
    freg = NULL;
    freg_cap = freg_used = 0;
}

void *lgc_alloc(int kind, size_t size)
{
    const struct lisp_kind *k = &lisp_kinds[kind];
    void *p = k->no_pointers ? GC_MALLOC_ATOMIC(size) : GC_MALLOC(size);
    if (!p) return NULL; /* Boehm's default oom_fn returns NULL */
    if (k->no_pointers) memset(p, 0, size); /* atomic memory is not cleared */
    if (k->finalize) {
        GC_REGISTER_FINALIZER_NO_ORDER(p, finalize, NULL, NULL, NULL);
        if (EXIT_REGISTRY) freg_add(p);
    }
    return p;
}

void lgc_root_add(void *slot) { GC_add_roots(slot, (char *)slot + sizeof(void *)); }

void lgc_collect(void)
{
    GC_gcollect();
    GC_invoke_finalizers();
}

void lgc_set_native_size(void *obj, size_t bytes) { (void)obj; (void)bytes; }

void lgc_get_stats(struct lgc_stats *out)
{
    memset(out, 0, sizeof *out);
    out->collections = GC_get_gc_no();
    out->major = out->collections;
    out->pause_total_ns = pause_total;
    out->pause_max_ns = pause_max;
    out->heap_bytes = GC_get_heap_size();
    out->live_bytes = GC_get_heap_size() - GC_get_free_bytes();
}

static size_t rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(f);
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

void lgc_memory_report(FILE *f)
{
    fprintf(f, "memory (boehm):\n");
    fprintf(f, "  os resident set       %zu bytes (whole process)\n", rss_bytes());
    fprintf(f, "  heap size             %zu bytes\n", GC_get_heap_size());
    fprintf(f, "  heap free             %zu bytes\n", GC_get_free_bytes());
    fprintf(f, "  heap unmapped         %zu bytes\n", GC_get_unmapped_bytes());
    fprintf(f, "  allocated since gc    %zu bytes\n", GC_get_bytes_since_gc());
    fprintf(f, "  allocated in total    %zu bytes\n", GC_get_total_bytes());
    fprintf(f, "  collections           %lu\n", (unsigned long)GC_get_gc_no());
}

int lgc_run_thread(void *(*fn)(void *), void *arg, size_t stack_size)
{
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, stack_size);
    int r = pthread_create(&t, &a, fn, arg); /* GC_pthread_create (GC_THREADS) */
    pthread_attr_destroy(&a);
    if (r != 0) return r;
    pthread_join(t, NULL);
    return 0;
}

void lgc_early_init(void) { GC_INIT(); GC_allow_register_threads(); }

/* GC_MAXIMUM_HEAP_SIZE, read by GC_INIT, is the environment's equivalent. */
void lgc_set_heap_max(size_t bytes)
{
    if (!bytes) return;
    GC_set_max_heap_size(bytes);
    /* With the default (0 retries) Boehm gives up as soon as the heap cannot
     * grow, even when a full collection would free enough. */
    GC_set_max_retries(3);
}

/* "Why is this alive?" needs the collector to walk its own heap with type
 * information, which Boehm's conservative heap does not have: the
 * primitives report "not available on boehm-lisp" (io.c). */
int lgc_census(struct lgc_census_line **lines, size_t *n, bool retained)
{
    (void)retained;
    *lines = NULL;
    *n = 0;
    return LGC_UNAVAILABLE;
}
int lgc_cycle_census(struct lgc_census_line **lines, size_t *n)
{
    *lines = NULL;
    *n = 0;
    return LGC_UNAVAILABLE;
}
int lgc_why_alive(void *obj, char *buf, size_t n)
{
    (void)obj;
    if (n) buf[0] = '\0';
    return LGC_UNAVAILABLE;
}
int lgc_heap_snapshot(const char *path)
{
    (void)path;
    return LGC_UNAVAILABLE;
}
