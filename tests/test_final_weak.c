/* test_final_weak.c — finalizers and weak references (gull.h: "Finalizer",
 * gull_run_finalizers, gull_weak_*).
 *
 * Contract under test:
 *   - a finalizer runs exactly once per unreachable object, outside the
 *     collector (never during a pause), at the end of gull_collect, of
 *     gull_run_finalizers, or of an allocation that triggered a collection;
 *   - the object and everything it references are valid during the call;
 *     the finalizer may allocate; gull_collect inside it is reported
 *     (GULL_ERR_MISUSE) and ignored; resurrection keeps the object alive
 *     without finalizing it again;
 *   - finalize_on_demand: finalizers run only in gull_run_finalizers;
 *   - weak handles read NULL once the target is reclaimed (cleared before
 *     its finalizer runs), keep reading the target while it lives.
 */
#include "testutil.h"

static gull_heap *the_heap;

Test(final_weak, exactly_once)
{
    for (int m = 0; m < 2; m++) {
        const long N = 20000;
        tu_fin_reset(N);
        gull_heap *h = tu_heap_mode(m ? GULL_MODE_FULL : GULL_MODE_GEN);
        tu_types t = tu_register_types(h);
        void *keep = NULL;
        cr_assert(gull_root_add(h, &keep));
        /* Half garbage, half kept on a list. */
        for (long i = 0; i < N; i++) {
            tu_fnode *n = tu_fnode_new(h, t.fnode, i);
            if (i % 2) {
                gull_write(h, n, &n->a, keep);
                keep = n;
            }
        }
        gull_collect(h, GULL_COLLECT_MAJOR);
        cr_assert_eq(tu_fin.count, N / 2, "finalized %ld, expected %ld", tu_fin.count, N / 2);
        for (long i = 0; i < N; i++)
            cr_assert_eq(tu_finalized(i), i % 2 == 0, "object %ld: finalized=%d", i,
                         tu_finalized(i));
        for (int k = 0; k < 5; k++) {
            gull_collect(h, k % 2 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
            cr_assert_eq(gull_run_finalizers(h), 0, "finalizers ran again");
        }
        cr_assert_eq(tu_fin.count, N / 2, "finalizers ran more than once (%ld)", tu_fin.count);
        keep = NULL;
        gull_collect(h, GULL_COLLECT_MAJOR);
        gull_collect(h, GULL_COLLECT_MAJOR);
        cr_assert_eq(tu_fin.count, N);
        cr_assert_eq(tu_fin.twice, 0);
        cr_assert_eq(tu_fin.bad_magic, 0, "a finalizer saw an object with broken contents");
        cr_assert_eq(tu_fin.in_pause, 0, "a finalizer ran inside a collector pause");
        gull_stats s = tu_stats(h);
        cr_assert_eq(s.finalizers_run, (uint64_t)N, "stats.finalizers_run = %llu",
                     (unsigned long long)s.finalizers_run);
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

/* A young, unreachable finalizable object is found by a minor collection. */
Test(final_weak, minor_collection_finalizes_young_garbage)
{
    tu_fin_reset(100);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < 100; i++)
        (void)tu_fnode_new(h, t.fnode, i);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert_eq(tu_fin.count, 100, "a minor collection finalized %ld of 100 young objects",
                 tu_fin.count);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- inside the finalizer */

static long fin_alloc_ok, fin_alloc_fail, fin_children_ok, fin_children_bad;
static int fin_collect_errors_before;
static gull_type g_cell;

/* A finalizer that allocates, walks what its object references, and tries
 * to collect (misuse: reported and ignored). */
static void busy_finalizer(gull_heap *h, void *obj)
{
    tu_fnode *n = obj;
    /* everything obj references is still valid */
    long k = 0;
    for (tu_cell *c = n->a; c; c = c->cdr, k++) {
        if (!gull_is_object(h, c) || TU_UNFIX(c->car) != k)
            break;
    }
    if (n->a && k == 50)
        fin_children_ok++;
    else if (n->a)
        fin_children_bad++;
    /* allocate (allowed) */
    for (int i = 0; i < 100; i++) {
        tu_cell *c = gull_alloc(h, g_cell, sizeof *c);
        if (c && c->car == NULL)
            fin_alloc_ok++;
        else
            fin_alloc_fail++;
    }
    /* collect (misuse) */
    gull_collect(h, GULL_COLLECT_MAJOR);
}

Test(final_weak, finalizer_may_allocate_and_sees_valid_children)
{
    tu_fin_reset(1000);
    tu_fin_extra = busy_finalizer;
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    g_cell = t.cell;
    for (long i = 0; i < 200; i++) {
        tu_fnode *n = tu_fnode_new(h, t.fnode, i);
        void *list = NULL;
        GULL_FRAME(h, (void **)&n, &list);
        for (long k = 49; k >= 0; k--)
            list = tu_cons(h, t.cell, TU_FIX(k), list);
        gull_write(h, n, &n->a, list);
        GULL_FRAME_END(h);
    }
    gull_stats s0 = tu_stats(h);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats s1 = tu_stats(h);
    cr_assert_eq(tu_fin.count, 200);
    cr_assert_eq(fin_children_ok, 200, "children valid in %ld of 200 finalizers (%ld broken)",
                 fin_children_ok, fin_children_bad);
    cr_assert_eq(fin_alloc_ok, 200 * 100, "allocation inside finalizers failed %ld times",
                 fin_alloc_fail);
    cr_assert_eq(tu_fin.in_pause, 0, "a finalizer ran inside a collector pause");
    /* gull_collect from a finalizer: reported as misuse, and ignored */
    cr_assert_eq(tu_err.by_code[GULL_ERR_MISUSE], 200,
                 "gull_collect inside a finalizer reported %d times (expected 200)",
                 tu_err.by_code[GULL_ERR_MISUSE]);
    cr_assert(tu_err_has(GULL_ERR_MISUSE, "finaliz", NULL, NULL) ||
                  tu_err_has(GULL_ERR_MISUSE, "collect", NULL, NULL),
              "misuse message does not say what was wrong: %s", tu_err.last_msg);
    cr_assert_eq(s1.major_collections - s0.major_collections, 1,
                 "gull_collect inside a finalizer was not ignored (%llu majors)",
                 (unsigned long long)(s1.major_collections - s0.major_collections));
    cr_assert_eq(tu_err.count, 200, "other errors: %s", tu_err.last_msg);
    (void)fin_collect_errors_before;
    tu_fin_extra = NULL;
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- resurrection */

static void *resurrect_slot;
static void resurrecting_finalizer(gull_heap *h, void *obj)
{
    (void)h;
    resurrect_slot = obj; /* a registered root: no barrier needed */
}

Test(final_weak, resurrection_is_not_finalized_again)
{
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    cr_assert(gull_root_add(h, &resurrect_slot));
    tu_fin_extra = resurrecting_finalizer;
    tu_fnode *n = tu_fnode_new(h, t.fnode, 1);
    tu_cell *child = tu_cons(h, t.cell, TU_FIX(77), NULL);
    gull_write(h, n, &n->a, child);
    gull_weak *w = gull_weak_new(h, n);
    n = NULL;
    child = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 1);
    cr_assert_not_null(resurrect_slot, "finalizer did not run");
    tu_fin_extra = NULL;
    for (int k = 0; k < 4; k++) {
        gull_collect(h, k % 2 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
        tu_fnode *r = resurrect_slot;
        cr_assert(gull_is_object(h, r), "resurrected object was reclaimed");
        cr_assert_eq(r->id, 1);
        cr_assert_eq(r->magic, TU_FNODE_MAGIC);
        tu_cell *c = r->a;
        cr_assert(gull_is_object(h, c), "child of a resurrected object was reclaimed");
        cr_assert_eq(TU_UNFIX(c->car), 77);
    }
    cr_assert_eq(tu_fin.count, 1, "resurrected object finalized again");
    resurrect_slot = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 1, "resurrected object finalized a second time");
    cr_assert_null(gull_weak_get(h, w));
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- when finalizers run */

Test(final_weak, finalize_on_demand)
{
    const long N = 5000;
    tu_fin_reset(N + 10);
    gull_config c;
    tu_config(&c);
    c.finalize_on_demand = true;
    c.nursery_size = 256 << 10;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < N; i++)
        (void)tu_fnode_new(h, t.fnode, i);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 0, "finalizers ran in gull_collect with finalize_on_demand");
    /* allocation-triggered collections don't run them either */
    for (long i = 0; i < 200000; i++)
        (void)gull_alloc(h, t.blob, 64);
    cr_assert_gt(tu_collections(h), 2);
    cr_assert_eq(tu_fin.count, 0, "finalizers ran in an allocation with finalize_on_demand");
    size_t ran = gull_run_finalizers(h);
    cr_assert_eq(ran, (size_t)N, "gull_run_finalizers returned %zu", ran);
    cr_assert_eq(tu_fin.count, N);
    cr_assert_eq(gull_run_finalizers(h), 0);
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_fin.in_pause, 0);
    gull_heap_destroy(h);
}

Test(final_weak, allocation_that_collects_runs_finalizers)
{
    tu_fin_reset(100);
    gull_config c;
    tu_config(&c);
    c.nursery_size = 256 << 10;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < 100; i++)
        (void)tu_fnode_new(h, t.fnode, i);
    uint64_t before = tu_collections(h);
    long i = 0;
    while (tu_fin.count < 100 && i < 10000000) {
        (void)gull_alloc(h, t.blob, 64);
        i++;
    }
    cr_assert_gt(tu_collections(h), before, "no collection after %ld allocations", i);
    /* No gull_collect and no gull_run_finalizers: the finalizers ran at the
     * end of allocations that triggered collections. */
    cr_assert_eq(tu_fin.count, 100, "finalizers not run by allocation-triggered collections");
    cr_assert_eq(tu_fin.in_pause, 0);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- weak references */

static gull_weak *fin_weak;
static long weak_seen_in_finalizer = -1;
static void weak_check_finalizer(gull_heap *h, void *obj)
{
    (void)obj;
    weak_seen_in_finalizer = gull_weak_get(h, fin_weak) != NULL;
}

Test(final_weak, weak_cleared_before_finalizer)
{
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    tu_fnode *n = tu_fnode_new(h, t.fnode, 1);
    fin_weak = gull_weak_new(h, n);
    cr_assert_eq(gull_weak_get(h, fin_weak), n);
    tu_fin_extra = weak_check_finalizer;
    n = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 1);
    cr_assert_eq(weak_seen_in_finalizer, 0, "weak handle still set during the finalizer");
    cr_assert_null(gull_weak_get(h, fin_weak));
    gull_weak_free(h, fin_weak);
    gull_heap_destroy(h);
}

Test(final_weak, weak_kept_while_alive_cleared_when_dead)
{
    for (int m = 0; m < 2; m++) {
        const int N = 1000;
        gull_heap *h = tu_heap_mode(m ? GULL_MODE_FULL : GULL_MODE_GEN);
        tu_types t = tu_register_types(h);
        void *keep[1000];
        gull_weak *w[1000];
        memset(keep, 0, sizeof keep);
        cr_assert(gull_root_range_add(h, keep, keep + N));
        for (int i = 0; i < N; i++) {
            /* mix of types and sizes, small and large */
            void *o = (i % 10 == 9) ? gull_alloc(h, t.blob, 5000)
                                    : (void *)tu_cons(h, t.cell, TU_FIX(i), NULL);
            cr_assert_not_null(o);
            keep[i] = o;
            w[i] = gull_weak_new(h, o);
            cr_assert_not_null(w[i]);
        }
        gull_stats s0 = tu_stats(h);
        for (int k = 0; k < 4; k++) {
            gull_collect(h, k % 2 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
            for (int i = 0; i < N; i++)
                cr_assert_eq(gull_weak_get(h, w[i]), keep[i], "weak %d lost a live target", i);
        }
        /* drop every third object */
        for (int i = 0; i < N; i += 3)
            keep[i] = NULL;
        gull_collect(h, GULL_COLLECT_MAJOR);
        int cleared = 0;
        for (int i = 0; i < N; i++) {
            void *got = gull_weak_get(h, w[i]);
            if (i % 3 == 0) {
                cr_assert_null(got, "weak %d not cleared after its target died", i);
                cleared++;
            } else {
                cr_assert_eq(got, keep[i], "weak %d lost a live target", i);
            }
        }
        gull_stats s1 = tu_stats(h);
        cr_assert_eq(s1.weak_cleared - s0.weak_cleared, (uint64_t)cleared,
                     "stats.weak_cleared grew by %llu, %d cleared",
                     (unsigned long long)(s1.weak_cleared - s0.weak_cleared), cleared);
        /* several handles to one object, freed in any order */
        gull_weak *extra[8];
        for (int k = 0; k < 8; k++)
            extra[k] = gull_weak_new(h, keep[1]);
        for (int k = 0; k < 8; k += 2)
            gull_weak_free(h, extra[k]);
        keep[1] = NULL;
        gull_collect(h, GULL_COLLECT_MAJOR);
        for (int k = 1; k < 8; k += 2) {
            cr_assert_null(gull_weak_get(h, extra[k]));
            gull_weak_free(h, extra[k]);
        }
        for (int i = 0; i < N; i += 2)
            gull_weak_free(h, w[i]); /* the odd ones are freed with the heap */
        gull_collect(h, GULL_COLLECT_MAJOR);
        for (int i = 1; i < N; i += 2)
            cr_assert_eq(gull_weak_get(h, w[i]), keep[i]);
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(final_weak, weak_to_young_cleared_by_minor)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *keep = tu_cons(h, t.cell, NULL, NULL);
    cr_assert(gull_root_add(h, &keep));
    gull_weak *wk = gull_weak_new(h, keep);
    gull_weak *wd = gull_weak_new(h, tu_cons(h, t.cell, NULL, NULL));
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert_eq(gull_weak_get(h, wk), keep);
    cr_assert_null(gull_weak_get(h, wd), "weak to young garbage survived a minor collection");
    gull_heap_destroy(h);
}

Test(final_weak, weak_bad_input)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    int local;
    void *m = malloc(32);
    cr_assert_null(gull_weak_new(h, NULL));
    cr_assert_null(gull_weak_new(h, &local), "weak handle to a stack address");
    cr_assert_null(gull_weak_new(h, m), "weak handle to a malloc'd block");
    cr_assert_geq(tu_err.count, 2, "weak handle to a non-object not reported (%d errors)",
                  tu_err.count);
    tu_err_reset();
    gull_weak_free(h, NULL); /* freeing NULL: harmless */
    void *o = tu_cons(h, t.cell, NULL, NULL);
    gull_weak *w = gull_weak_new(h, o);
    cr_assert_not_null(w);
    cr_assert_eq(gull_weak_get(h, w), o);
    gull_weak_free(h, w);
    free(m);
    gull_heap_destroy(h);
}

/* Finalizers see the heap in a usable state: they may build structures that
 * outlive them (stored into a root), and those survive. */
static void *saved_by_finalizers;
static void saving_finalizer(gull_heap *h, void *obj)
{
    tu_fnode *n = obj;
    tu_cell *c = gull_alloc(h, g_cell, sizeof *c);
    if (!c)
        return;
    gull_write(h, c, &c->car, TU_FIX(n->id));
    gull_write(h, c, &c->cdr, saved_by_finalizers);
    saved_by_finalizers = c;
}

Test(final_weak, finalizer_allocations_survive)
{
    tu_fin_reset(1000);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    the_heap = h;
    tu_types t = tu_register_types(h);
    g_cell = t.cell;
    cr_assert(gull_root_add(h, &saved_by_finalizers));
    tu_fin_extra = saving_finalizer;
    for (long i = 0; i < 1000; i++)
        (void)tu_fnode_new(h, t.fnode, i);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 1000);
    tu_fin_extra = NULL;
    for (int k = 0; k < 3; k++)
        gull_collect(h, k == 1 ? GULL_COLLECT_MAJOR : GULL_COLLECT_MINOR);
    long n = 0, sum = 0;
    for (tu_cell *c = saved_by_finalizers; c; c = c->cdr, n++)
        sum += TU_UNFIX(c->car);
    cr_assert_eq(n, 1000, "%ld cells allocated by finalizers survived", n);
    cr_assert_eq(sum, 999L * 1000 / 2);
    gull_heap_destroy(h);
}

/* gull_heap_destroy does not run pending finalizers (gull.h). */
Test(final_weak, destroy_does_not_run_pending_finalizers)
{
    tu_fin_reset(100);
    gull_config c;
    tu_config(&c);
    c.finalize_on_demand = true;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *keep = NULL;
    cr_assert(gull_root_add(h, &keep));
    keep = tu_fnode_new(h, t.fnode, 1); /* live at destruction */
    for (long i = 10; i < 60; i++)
        (void)tu_fnode_new(h, t.fnode, i); /* pending at destruction */
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 0);
    gull_heap_destroy(h);
    cr_assert_eq(tu_fin.count, 0, "gull_heap_destroy ran %ld finalizers", tu_fin.count);
}
