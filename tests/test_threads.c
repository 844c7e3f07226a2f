/* test_threads.c — no global mutable state (DESIGN.md section 1): heaps used
 * from different threads at the same time do not interfere.
 *
 * Each worker owns one heap: it builds lists, drops some, collects minor and
 * major, and checks the lists and its own finalizer count (finalizers run in
 * the thread that calls gull, so a thread-local counter is exact).
 */
#include "testutil.h"

#include <pthread.h>

static _Thread_local long my_finalized;
static _Thread_local gull_heap *my_heap;
static long foreign_finalizations; /* finalizer ran for another thread's heap */

static void thread_finalizer(gull_heap *h, void *obj)
{
    (void)obj;
    if (h != my_heap)
        __atomic_add_fetch(&foreign_finalizations, 1, __ATOMIC_RELAXED);
    my_finalized++;
}

typedef struct worker {
    int index;
    gull_mode mode;
    int rounds;
    /* results, checked by the main thread */
    long lists_ok, lists_bad;
    long finalized, expected_finalized;
    uint64_t collections;
    int errors;
    char msg[256];
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    tu_errors errs;
    memset(&errs, 0, sizeof errs);
    gull_config c;
    tu_config(&c);
    c.mode = w->mode;
    c.error_ctx = &errs;
    c.nursery_size = (size_t)(256 + 256 * w->index) << 10;
    gull_heap *h = gull_heap_create(&c);
    if (!h) {
        snprintf(w->msg, sizeof w->msg, "heap creation failed");
        return NULL;
    }
    my_heap = h;
    gull_type_desc cd = {"cell", tu_cell_trace, 0, NULL, NULL, NULL};
    gull_type_desc fd = {"fnode", tu_fnode_trace, 0, thread_finalizer, NULL, NULL};
    gull_type cell = gull_register_type(h, &cd);
    gull_type fnode = gull_register_type(h, &fd);
    void *lists[8] = {0};
    gull_root_range_add(h, lists, lists + 8);
    long expected = 0;
    for (int r = 0; r < w->rounds; r++) {
        int k = r % 8;
        lists[k] = NULL; /* the old list k is garbage now, its fnodes too */
        for (long i = 0; i < 20000; i++) {
            tu_cell *x = gull_alloc(h, cell, sizeof *x);
            if (!x) {
                snprintf(w->msg, sizeof w->msg, "alloc failed");
                return NULL;
            }
            gull_write(h, x, &x->car, TU_FIX(i * (w->index + 1) + r));
            gull_write(h, x, &x->cdr, lists[k]);
            lists[k] = x;
            if (i % 100 == 0)
                (void)gull_alloc(h, fnode, sizeof(tu_fnode)); /* garbage */
        }
        expected += 200;
        gull_collect(h, r % 3 == 0 ? GULL_COLLECT_MAJOR : GULL_COLLECT_MINOR);
        /* check every live list */
        for (int j = 0; j < 8; j++) {
            if (!lists[j])
                continue;
            int rr = r - ((r - j) % 8 + 8) % 8; /* the round that built list j */
            long i = 19999;
            tu_cell *x;
            for (x = lists[j]; x; x = x->cdr, i--)
                if (TU_UNFIX(x->car) != i * (w->index + 1) + rr)
                    break;
            if (x || i != -1)
                w->lists_bad++;
            else
                w->lists_ok++;
        }
    }
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    w->finalized = my_finalized;
    w->expected_finalized = expected;
    w->collections = tu_collections(h);
    w->errors = errs.count;
    if (errs.count)
        snprintf(w->msg, sizeof w->msg, "%.200s", errs.last_msg);
    gull_heap_destroy(h);
    return NULL;
}

static void run_workers(int n, const gull_mode *modes)
{
    pthread_t th[8];
    worker w[8];
    memset(w, 0, sizeof w);
    for (int i = 0; i < n; i++) {
        w[i].index = i;
        w[i].mode = modes[i];
        w[i].rounds = 40;
        cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < n; i++) {
        cr_assert_eq(w[i].msg[0], 0, "worker %d: %s", i, w[i].msg);
        cr_assert_eq(w[i].lists_bad, 0, "worker %d: %ld corrupted lists", i, w[i].lists_bad);
        cr_assert_gt(w[i].lists_ok, 100, "worker %d checked only %ld lists", i, w[i].lists_ok);
        cr_assert_eq(w[i].finalized, w[i].expected_finalized,
                     "worker %d: %ld finalizers ran, expected %ld", i, w[i].finalized,
                     w[i].expected_finalized);
        cr_assert_gt(w[i].collections, 40, "worker %d: only %llu collections", i,
                     (unsigned long long)w[i].collections);
        cr_assert_eq(w[i].errors, 0, "worker %d: errors reported", i);
    }
    cr_assert_eq(foreign_finalizations, 0, "a finalizer ran for another thread's heap");
}

Test(threads, two_heaps_two_threads)
{
    const gull_mode modes[] = {GULL_MODE_GEN, GULL_MODE_GEN};
    run_workers(2, modes);
}

Test(threads, four_heaps_mixed_modes)
{
    const gull_mode modes[] = {GULL_MODE_GEN, GULL_MODE_FULL, GULL_MODE_GEN, GULL_MODE_FULL};
    run_workers(4, modes);
}

/* A heap created on one thread and then used (only) by another: the
 * handoff is the host's business; with conservative scanning off, gull keeps
 * no state bound to the creating thread. */
typedef struct handoff {
    gull_heap *h;
    gull_type cell;
    void **root;
    long ok;
} handoff;

static void *handoff_work(void *arg)
{
    handoff *x = arg;
    for (long i = 0; i < 100000; i++)
        *x->root = tu_cons(x->h, x->cell, TU_FIX(i), *x->root);
    gull_collect(x->h, GULL_COLLECT_MINOR);
    gull_collect(x->h, GULL_COLLECT_MAJOR);
    long i = 99999;
    for (tu_cell *c = *x->root; c; c = c->cdr, i--)
        if (TU_UNFIX(c->car) != i)
            return NULL;
    x->ok = (i == -1);
    return NULL;
}

Test(threads, heap_handed_to_another_thread)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    handoff x = {h, t.cell, &root, 0};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, handoff_work, &x), 0);
    pthread_join(th, NULL);
    cr_assert(x.ok, "list built on the other thread is broken");
    gull_collect(h, GULL_COLLECT_MAJOR);
    long i = 99999;
    for (tu_cell *c = root; c; c = c->cdr, i--)
        cr_assert_eq(TU_UNFIX(c->car), i);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}
