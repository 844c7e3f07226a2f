/* test_rc.c — rc mode, part 1 (issue 10; DESIGN.md section 4, gc/rc.c):
 * reference counting of old objects, a traced nursery, deferred roots
 * (zero-count table), and the major collection as the backup trace.
 *   - an old object is freed at the next pause once the last heap
 *     reference to it is overwritten, without a major; a weak reference to
 *     it is cleared;
 *   - a ten-million-cell list is freed without deep recursion or a major,
 *     over many pauses that each stay within their budget;
 *   - with the cycle collector held off, a garbage cycle survives RC and is
 *     freed by the backup trace, after which the counts are exact
 *     (verifier); test_rc_cycles.c covers the cycle collector;
 *   - a root-only object (count 0) stays until its root goes; so does one
 *     that only a conservative stack word names;
 *   - a finalizer runs once for an RC-freed object; a resurrecting
 *     finalizer keeps it; native bytes are released;
 *   - the verifier reports a store into an old object that skipped the
 *     barrier.
 */
#include "testutil.h"

static gull_heap *rc_heap(void)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.verify = 1;
    return tu_heap(&c);
}

/* Old objects: a minor promotes every survivor in rc. */
static void promote(gull_heap *h)
{
    gull_collect(h, GULL_COLLECT_MINOR);
}

Test(rc, mode_and_barrier_kind)
{
    gull_heap *h = rc_heap();
    cr_assert_eq(gull_heap_mode(h), GULL_MODE_RC);
    cr_assert_eq(((gull_heap_public *)(void *)h)->barrier, (uint32_t)GULL_BARRIER_RC);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc, overwritten_last_reference_frees_promptly)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    tu_cell *victim = tu_cons(h, t.cell, TU_FIX(7), NULL);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, victim);
    promote(h); /* both old now; victim counted once */
    gull_weak *w = gull_weak_new(h, victim);
    cr_assert_not_null(w);
    gull_stats s0 = tu_stats(h);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, TU_FIX(1)); /* the last reference goes */
    victim = NULL;
    promote(h);
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.major_collections, s0.major_collections, "a major collection ran");
    cr_assert_geq(s.rc_freed_objects, s0.rc_freed_objects + 1, "the old object was not freed by RC");
    cr_assert_null(gull_weak_get(h, w), "the weak reference to the freed object was not cleared");
    cr_assert_geq(s.rc_zct_passes, 2);
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* Freeing is bounded per pause (rc.c .budget, pacing.c .rc-budget): with
 * GULL_STEP_BUDGET=0 a pause does RC_PAUSE_WORK (1 MiB) of work, so the
 * list goes over many pauses, none frees much more than its share, and no
 * major collection is needed.  A loop, never C recursion: ten million
 * levels would overflow the stack. */
Test(rc, ten_million_cell_list_freed_over_bounded_pauses_without_recursion_or_major)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.heap_max = 0;
    c.step_budget_ms = 0; /* work-only budgets: repeatable */
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    const long N = 10 * 1000 * 1000;
    void *holder = NULL, *l = NULL;
    cr_assert(gull_root_add(h, &holder));
    cr_assert(gull_root_add(h, &l));
    holder = tu_cons(h, t.cell, NULL, NULL);
    promote(h);
    for (long i = 0; i < N; i++)
        l = tu_cons(h, t.cell, TU_FIX(i), l);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, l);
    l = NULL;
    promote(h);
    gull_stats s0 = tu_stats(h);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL); /* the head's count drops to 0 */
    uint64_t most = 0, last = s0.rc_freed_bytes;
    long pauses = 0;
    while (tu_stats(h).rc_freed_objects - s0.rc_freed_objects < (uint64_t)N && pauses < 100000) {
        promote(h);
        pauses++;
        uint64_t now = tu_stats(h).rc_freed_bytes;
        if (now - last > most)
            most = now - last;
        last = now;
    }
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.major_collections, s0.major_collections, "a major collection ran");
    cr_assert_geq(s.rc_freed_objects - s0.rc_freed_objects, (uint64_t)N,
                  "only %llu of %ld cells freed by RC after %ld pauses",
                  (unsigned long long)(s.rc_freed_objects - s0.rc_freed_objects), N, pauses);
    cr_assert_gt(pauses, 100, "freed in %ld pauses: the budget did not bound them", pauses);
    cr_assert_leq(most, (uint64_t)(1 << 20) + 4096, "one pause freed %llu bytes, over its budget",
                  (unsigned long long)most);
    cr_assert_geq(s.rc_backlog_pauses - s0.rc_backlog_pauses, (uint64_t)pauses - 1);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* With no cycle collection due (a threshold out of reach), a garbage cycle
 * waits for the backup trace. */
Test(rc, garbage_cycle_without_cycle_collection_needs_the_backup_trace)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.verify = 1;
    c.cycle_threshold = 100000000;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    tu_cell *a = tu_cons(h, t.cell, NULL, NULL);
    tu_cell *b = tu_cons(h, t.cell, NULL, a);
    GULL_WRITE(h, a, &a->cdr, b); /* a <-> b */
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, a);
    promote(h);
    gull_weak *wa = gull_weak_new(h, a), *wb = gull_weak_new(h, b);
    a = b = NULL;
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL);
    promote(h);
    promote(h);
    cr_assert_not_null(gull_weak_get(h, wa), "RC freed a member of a live-looking cycle");
    cr_assert_not_null(gull_weak_get(h, wb));
    gull_collect(h, GULL_COLLECT_MAJOR); /* the backup trace; the verifier checks the recount */
    cr_assert_null(gull_weak_get(h, wa), "the backup trace did not free the cycle");
    cr_assert_null(gull_weak_get(h, wb));
    promote(h);
    gull_weak_free(h, wa);
    gull_weak_free(h, wb);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc, root_only_object_lives_until_its_root_goes)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    root = tu_cons(h, t.cell, TU_FIX(3), NULL);
    promote(h); /* old, count 0: in the ZCT, kept by its root */
    gull_weak *w = gull_weak_new(h, root);
    for (int i = 0; i < 3; i++)
        promote(h);
    cr_assert_eq(gull_weak_get(h, w), root);
    cr_assert_eq(TU_UNFIX(((tu_cell *)root)->car), 3);
    gull_stats s0 = tu_stats(h);
    root = NULL;
    promote(h);
    cr_assert_null(gull_weak_get(h, w), "freed once its root went");
    cr_assert_eq(tu_stats(h).major_collections, s0.major_collections);
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

static void *resurrect_into;
static gull_heap *resurrect_heap;
static void resurrect(gull_heap *h, void *obj)
{
    (void)h;
    tu_cell *holder = resurrect_into;
    GULL_WRITE(resurrect_heap, holder, &holder->car, obj);
}

Test(rc, finalizer_runs_once_and_resurrection_keeps_the_object)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    tu_fin_reset(8);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    tu_fnode *n = tu_fnode_new(h, t.fnode, 1);
    tu_cell *child = tu_cons(h, t.cell, TU_FIX(5), NULL);
    GULL_WRITE(h, n, &n->a, child);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, n);
    promote(h);
    n = NULL;
    child = NULL;
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL);
    promote(h); /* found dead by RC: queued, finalized at the end of gull_collect */
    cr_assert_eq(tu_fin.count, 1, "finalizer ran %ld times", tu_fin.count);
    cr_assert_eq(tu_fin.bad_magic, 0);
    promote(h); /* back in the ZCT after its finalizer: freed now */
    promote(h);
    cr_assert_eq(tu_fin.count, 1, "finalized twice");

    /* Resurrection: the finalizer stores the object into a rooted holder. */
    tu_fin_reset(8);
    resurrect_into = holder;
    resurrect_heap = h;
    tu_fin_extra = resurrect;
    n = tu_fnode_new(h, t.fnode, 2);
    child = tu_cons(h, t.cell, TU_FIX(9), NULL);
    GULL_WRITE(h, n, &n->a, child);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, n);
    promote(h);
    n = NULL;
    child = NULL;
    GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, NULL);
    promote(h);
    cr_assert_eq(tu_fin.count, 1);
    tu_fin_extra = NULL;
    for (int i = 0; i < 3; i++)
        promote(h);
    tu_fnode *back = ((tu_cell *)holder)->car;
    cr_assert_not_null(back);
    cr_assert_eq(back->magic, TU_FNODE_MAGIC, "the resurrected object was freed");
    cr_assert_eq(TU_UNFIX(((tu_cell *)back->a)->car), 9, "its child was freed");
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL);
    promote(h);
    promote(h);
    cr_assert_eq(tu_fin.count, 1, "a resurrected object is finalized once");
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc, native_bytes_released)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    void *blob = gull_alloc(h, t.blob, 64);
    cr_assert_not_null(blob);
    gull_set_native_size(h, blob, 1 << 20);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, blob);
    promote(h);
    size_t before = tu_stats(h).external_bytes;
    cr_assert_geq(before, (size_t)1 << 20);
    blob = NULL;
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL);
    promote(h);
    cr_assert_eq(tu_stats(h).external_bytes, before - ((size_t)1 << 20), "native bytes not released");
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

static __attribute__((noinline)) void *make_old_unrooted(gull_heap *h, gull_type cell, gull_weak **w,
                                                       uintptr_t *hidden)
{
    tu_cell *c = tu_cons(h, cell, TU_FIX(11), NULL);
    *w = gull_weak_new(h, c);
    *hidden = (uintptr_t)c ^ 0x5a5a5a5aUL;
    return NULL;
}

Test(rc, conservative_stack_word_keeps_a_count_zero_object)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.conservative_stack = true;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    gull_weak *w;
    uintptr_t hidden;
    make_old_unrooted(h, t.cell, &w, &hidden);
    /* Only a stack word names it now. */
    void *volatile on_stack = (void *)(hidden ^ 0x5a5a5a5aUL);
    for (int i = 0; i < 3; i++)
        promote(h);
    cr_assert_eq(gull_weak_get(h, w), on_stack, "freed while a stack word named it");
    cr_assert_eq(TU_UNFIX(((tu_cell *)on_stack)->car), 11);
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc, verifier_reports_a_store_that_skipped_the_barrier)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    void *holder = NULL, *other = NULL;
    cr_assert(gull_root_add(h, &holder));
    cr_assert(gull_root_add(h, &other));
    holder = tu_cons(h, t.cell, NULL, NULL);
    other = tu_cons(h, t.cell, NULL, NULL);
    promote(h);
    ((tu_cell *)holder)->cdr = other; /* raw store into an old object: not counted */
    promote(h);
    cr_assert(tu_err_has(GULL_ERR_VERIFY, "cell", "+8", "barrier"), "no verifier report");
    ((tu_cell *)holder)->cdr = NULL;
    gull_heap_destroy(h);
}

/* rc.c .sticky: a count that reached 127 never changes; once its holders
 * are gone only the backup trace frees the object, and its recount leaves
 * every count exact again (the verifier checks after each collection). */
Test(rc, sticky_count_waits_for_the_backup_trace)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    void *vec = NULL;
    cr_assert(gull_root_add(h, &vec));
    const size_t n = 300;
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + n * sizeof(void *));
    cr_assert_not_null(v);
    v->n = n;
    vec = v;
    void *target = NULL;
    cr_assert(gull_root_add(h, &target));
    target = tu_cons(h, t.cell, TU_FIX(1), NULL);
    promote(h); /* both old: the vector's stores are counted */
    for (size_t i = 0; i < n; i++)
        GULL_WRITE(h, v, &v->items[i], target);
    gull_weak *w = gull_weak_new(h, target);
    target = NULL; /* only the (uncounted) vector slots... */
    for (size_t i = 0; i < n; i++)
        GULL_WRITE(h, v, &v->items[i], NULL); /* ...and now nothing */
    promote(h);
    promote(h);
    cr_assert_not_null(gull_weak_get(h, w), "a sticky count changed");
    uint64_t majors = tu_stats(h).major_collections;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_null(gull_weak_get(h, w), "the backup trace did not free it");
    cr_assert_eq(tu_stats(h).major_collections, majors + 1);
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* The same objects, dropped in every order the pass can meet them: a
 * shared child, a chain through a finalizable object, a large object with
 * pointers; all counts stay exact (the verifier runs after each pause). */
Test(rc, mixed_graph_frees_and_keeps_counts_exact)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    tu_fin_reset(64);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    root = tu_cons(h, t.cell, NULL, NULL);
    for (int round = 0; round < 20; round++) {
        tu_cell *shared = tu_cons(h, t.cell, TU_FIX(round), NULL);
        tu_vec *big = gull_alloc(h, t.vec, sizeof(tu_vec) + 2000 * sizeof(void *));
        cr_assert_not_null(big);
        big->n = 2000;
        for (int i = 0; i < 2000; i += 100) /* 20 references: not sticky */
            GULL_WRITE(h, big, &big->items[i], shared);
        tu_fnode *f = tu_fnode_new(h, t.fnode, round);
        GULL_WRITE(h, f, &f->a, big);
        tu_cell *a = tu_cons(h, t.cell, shared, f);
        GULL_WRITE(h, root, &((tu_cell *)root)->car, a);
        promote(h);
        if (round % 3 == 0)
            gull_collect(h, GULL_COLLECT_MAJOR);
        GULL_WRITE(h, root, &((tu_cell *)root)->car, NULL);
        promote(h);
    }
    promote(h);
    promote(h);
    cr_assert_eq(tu_fin.count, 20, "finalizers ran %ld times", tu_fin.count);
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_fin.bad_magic, 0);
    gull_stats s = tu_stats(h);
    /* a, f, big and shared of each round, freed by counting */
    cr_assert_geq(s.rc_freed_objects, 20 * 4, "%llu freed", (unsigned long long)s.rc_freed_objects);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* Thousands of registered objects dying by count in random order, over
 * many pauses: each finalized once, then freed; the verifier checks the
 * finalization index (finalize.c .rc-index) after every pause. */
Test(rc, many_finalizable_objects_die_by_count_in_any_order)
{
    gull_heap *h = rc_heap();
    tu_types t = tu_register_types(h);
    const long N = 3000;
    tu_fin_reset(N);
    void *vec = NULL;
    cr_assert(gull_root_add(h, &vec));
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + (size_t)N * sizeof(void *));
    cr_assert_not_null(v);
    v->n = (size_t)N;
    vec = v;
    for (long i = 0; i < N; i++)
        GULL_WRITE(h, v, &v->items[i], tu_fnode_new(h, t.fnode, i));
    promote(h);
    unsigned long x = 12345;
    for (long left = N; left > 0;) {
        for (int k = 0; k < 97 && left > 0; k++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            long i = (long)((x >> 33) % (unsigned long)N);
            if (v->items[i]) {
                GULL_WRITE(h, v, &v->items[i], NULL);
                left--;
            }
        }
        promote(h);
    }
    promote(h);
    promote(h);
    cr_assert_eq(tu_fin.count, N, "finalizers ran %ld times for %ld objects", tu_fin.count, N);
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_fin.bad_magic, 0);
    cr_assert_geq(tu_stats(h).rc_freed_objects, (uint64_t)N, "the finalized objects were not freed");
    cr_assert_eq(tu_stats(h).major_collections, 0);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* A young finalizable object that dies in a minor is queued after the
 * root scan; the ZCT pass of the same pause must count the ready queue as
 * a root, or it frees the object before its finalizer runs (found by ASan).
 * With finalizers on demand, allocation in between would reuse the cell. */
Test(rc, young_finalizable_garbage_is_kept_until_finalized)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.verify = 1;
    c.finalize_on_demand = true;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    tu_fin_reset(100);
    for (long i = 0; i < 100; i++)
        tu_fnode_new(h, t.fnode, i);
    promote(h); /* all dead young: queued, promoted, kept by the queue */
    for (long i = 0; i < 1000; i++)
        tu_fnode_new(h, t.fnode, 99)->magic = 0; /* a reused cell would show this */
    cr_assert_eq(gull_run_finalizers(h), 100);
    cr_assert_eq(tu_fin.bad_magic, 0, "a finalizer met a freed (reused) object");
    cr_assert_eq(tu_fin.count, 100);
    promote(h);
    promote(h);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}
