/* test_gen.c — generational behaviour (issue 3; DESIGN.md section 3
 * "Generations"):
 *   - a minor collection never traces old objects (stats.last_objects_marked);
 *   - survivors are promoted after exactly promote_age minors
 *     (stats.bytes_promoted);
 *   - an old object that received a young pointer through gull_write (or
 *     GULL_WRITE) keeps it alive through minors, and only because of the
 *     barrier: a plain store does not;
 *   - a larger nursery means fewer minor collections;
 *   - GULL_MODE_FULL turns minor requests into full collections.
 */
#include "testutil.h"

static gull_heap *gen_heap(size_t nursery, unsigned promote_age)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_GEN;
    c.nursery_size = nursery;
    if (promote_age)
        c.promote_age = promote_age;
    return tu_heap(&c);
}

static void *build_list(gull_heap *h, gull_type cell, long n)
{
    void *l = NULL;
    GULL_FRAME(h, &l);
    for (long i = 0; i < n; i++)
        l = tu_cons(h, cell, TU_FIX(i), l);
    GULL_FRAME_END(h);
    return l;
}

static void check_list(void *l, long n)
{
    long i = n - 1;
    for (tu_cell *c = l; c; c = c->cdr, i--)
        if (TU_UNFIX(c->car) != i)
            cr_assert_fail("list broken at %ld", i);
    cr_assert_eq(i, -1, "list length wrong");
}

/* ---------------------------------------------------------------- minor ignores old */

Test(gen, minor_does_not_trace_old_objects)
{
    const long N = 300000;
    gull_heap *h = gen_heap(64 << 20, 1);
    tu_types t = tu_register_types(h);
    void *old = NULL, *young[10] = {0};
    cr_assert(gull_root_add(h, &old));
    cr_assert(gull_root_range_add(h, young, young + 10));
    old = build_list(h, t.cell, N);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats s = tu_stats(h);
    cr_assert_geq(s.last_objects_marked, (uint64_t)N, "the major marked only %llu objects",
                  (unsigned long long)s.last_objects_marked);
    for (int i = 0; i < 10; i++)
        young[i] = tu_cons(h, t.cell, TU_FIX(i), NULL);
    gull_collect(h, GULL_COLLECT_MINOR);
    s = tu_stats(h);
    cr_assert_geq(s.minor_collections, 1);
    cr_assert_geq(s.last_objects_marked, 10,
                  "the minor marked %llu objects; 10 young ones are rooted",
                  (unsigned long long)s.last_objects_marked);
    cr_assert_leq(s.last_objects_marked, 1000,
                  "a minor collection marked %llu objects with %ld old ones in the heap",
                  (unsigned long long)s.last_objects_marked, N);
    /* Again, with nothing young at all. */
    gull_collect(h, GULL_COLLECT_MINOR);
    s = tu_stats(h);
    cr_assert_leq(s.last_objects_marked, 1000, "a minor marked %llu objects",
                  (unsigned long long)s.last_objects_marked);
    check_list(old, N);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(TU_UNFIX(((tu_cell *)young[i])->car), i);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* A minor collection reclaims young garbage but not old garbage. */
Test(gen, minor_reclaims_young_garbage_only)
{
    tu_fin_reset(1000);
    gull_heap *h = gen_heap(64 << 20, 1);
    tu_types t = tu_register_types(h);
    void *old = NULL;
    cr_assert(gull_root_add(h, &old));
    old = tu_fnode_new(h, t.fnode, 1);
    gull_collect(h, GULL_COLLECT_MAJOR); /* 1 is old now */
    old = NULL;                         /* old garbage */
    for (long i = 100; i < 200; i++)
        (void)tu_fnode_new(h, t.fnode, i); /* young garbage */
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert(!tu_finalized(1), "a minor collection reclaimed an old object");
    for (long i = 100; i < 200; i++)
        cr_assert(tu_finalized(i), "young garbage %ld survived a minor", i);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(1), "a major did not reclaim old garbage");
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- promotion age */

static void promotion_after(unsigned age)
{
    gull_heap *h = gen_heap(64 << 20, age);
    tu_types t = tu_register_types(h);
    gull_config eff;
    gull_get_config(h, &eff);
    cr_assert_eq(eff.promote_age, age);
    void *r = NULL;
    cr_assert(gull_root_add(h, &r));
    r = gull_alloc(h, t.blob, 1000);
    cr_assert_not_null(r);
    size_t osize = gull_object_size(h, r);
    gull_stats s0 = tu_stats(h);
    for (unsigned i = 1; i <= age; i++) {
        gull_collect(h, GULL_COLLECT_MINOR);
        gull_stats s = tu_stats(h);
        uint64_t promoted = s.bytes_promoted - s0.bytes_promoted;
        if (i < age) {
            cr_assert_eq(promoted, 0, "promote_age=%u: promoted %llu bytes after %u minors",
                         age, (unsigned long long)promoted, i);
            cr_assert_geq(s.last_objects_marked, 1,
                          "promote_age=%u: the young object was not marked by minor %u", age, i);
        } else {
            cr_assert(promoted >= 1000 && promoted <= osize,
                      "promote_age=%u: promoted %llu bytes after %u minors (object: %zu)", age,
                      (unsigned long long)promoted, i, osize);
        }
    }
    /* Old now: the next minors do not mark it, nor promote it again. */
    gull_stats s1 = tu_stats(h);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_stats s2 = tu_stats(h);
    cr_assert_eq(s2.bytes_promoted, s1.bytes_promoted, "promoted twice");
    cr_assert_eq(s2.last_objects_marked, 0, "a minor marked the promoted (old) object");
    cr_assert(gull_is_object(h, r));
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(gen, promotion_age_1) { promotion_after(1); }
Test(gen, promotion_age_2) { promotion_after(2); }
Test(gen, promotion_age_3) { promotion_after(3); }

/* ---------------------------------------------------------------- barrier */

typedef enum { VIA_FUNCTION, VIA_INLINE } via;

static void store(gull_heap *h, via v, void *obj, void **slot, void *val)
{
    if (v == VIA_FUNCTION)
        gull_write(h, obj, slot, val);
    else
        GULL_WRITE(h, obj, slot, val);
}

static void barrier_keeps_young_alive(via v, unsigned age)
{
    tu_fin_reset(1000);
    gull_heap *h = gen_heap(64 << 20, age);
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    tu_fnode *hd = tu_fnode_new(h, t.fnode, 0);
    holder = hd;
    gull_collect(h, GULL_COLLECT_MAJOR); /* holder is old */

    /* young object reachable only through the old holder */
    tu_fnode *y = tu_fnode_new(h, t.fnode, 1);
    store(h, v, hd, &hd->a, y);
    gull_weak *wy = gull_weak_new(h, y);
    y = NULL;
    for (unsigned i = 0; i < age + 3; i++) {
        gull_collect(h, GULL_COLLECT_MINOR);
        cr_assert(!tu_finalized(1), "young object stored with the barrier died in minor %u", i);
        cr_assert_not_null(gull_weak_get(h, wy));
        cr_assert_eq(((tu_fnode *)hd->a)->id, 1);
        /* allocate garbage between minors */
        for (int k = 0; k < 1000; k++)
            (void)gull_alloc(h, t.blob, 100);
    }
    /* a second young object into the same (already remembered once) holder,
     * after the minors: the holder must be logged again */
    tu_fnode *y2 = tu_fnode_new(h, t.fnode, 2);
    store(h, v, hd, &hd->b, y2);
    y2 = NULL;
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert(!tu_finalized(2), "second young object stored into the same holder died");
    cr_assert_eq(((tu_fnode *)hd->b)->id, 2);
    /* young -> young -> young chain hanging from the old holder */
    tu_cell *chain = NULL;
    GULL_FRAME(h, (void **)&chain);
    for (long i = 0; i < 1000; i++)
        chain = tu_cons(h, t.cell, TU_FIX(i), chain);
    tu_fnode *y3 = tu_fnode_new(h, t.fnode, 3);
    store(h, v, y3, &y3->a, chain); /* young into young: no remembering needed */
    store(h, v, hd, &hd->a, y3);    /* overwrite: 1 is now unreachable */
    GULL_FRAME_END(h);
    chain = NULL;
    y3 = NULL;
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert(!tu_finalized(3));
    check_list(((tu_fnode *)hd->a)->a, 1000);
    /* Clearing the edge and a major collection reclaim them */
    store(h, v, hd, &hd->a, NULL);
    store(h, v, hd, &hd->b, TU_FIX(9));
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(1) && tu_finalized(2) && tu_finalized(3));
    cr_assert_null(gull_weak_get(h, wy));
    cr_assert(!tu_finalized(0));
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(gen, barrier_keeps_young_alive_gull_write)
{
    barrier_keeps_young_alive(VIA_FUNCTION, 2);
}

Test(gen, barrier_keeps_young_alive_inline)
{
    barrier_keeps_young_alive(VIA_INLINE, 2);
}

Test(gen, barrier_keeps_young_alive_age_1)
{
    barrier_keeps_young_alive(VIA_INLINE, 1);
}

Test(gen, barrier_keeps_young_alive_age_3)
{
    barrier_keeps_young_alive(VIA_FUNCTION, 3);
}

/* The other half of "only because of the barrier": minors really do not
 * look inside old objects, so a plain C store (a host bug) loses the young
 * object at the next minor collection.  (The verifier catches this; see
 * test_verify.c.  verify is off here.) */
Test(gen, plain_store_into_old_is_not_seen_by_minor)
{
    tu_fin_reset(10);
    gull_heap *h = gen_heap(64 << 20, 1);
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    tu_fnode *hd = tu_fnode_new(h, t.fnode, 0);
    holder = hd;
    gull_collect(h, GULL_COLLECT_MAJOR);
    hd->a = tu_fnode_new(h, t.fnode, 1); /* no barrier: deliberately wrong */
    gull_collect(h, GULL_COLLECT_MINOR);
    bool lost = tu_finalized(1);
    hd->a = NULL; /* don't leave a dangling pointer for the next trace */
    cr_assert(lost, "a minor collection found a young object through an old one without the "
                    "barrier: minors trace old objects");
    gull_heap_destroy(h);
}

/* Large old objects (arrays) receiving young pointers. */
Test(gen, barrier_on_large_old_array)
{
    const long N = 50000;
    tu_fin_reset(N);
    gull_heap *h = gen_heap(256 << 10, 2);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + (size_t)N * sizeof(void *));
    cr_assert_not_null(v);
    v->n = (size_t)N;
    root = v;
    gull_collect(h, GULL_COLLECT_MAJOR);
    for (long i = 0; i < N; i++) /* nursery 256 KiB: automatic minors meanwhile */
        GULL_WRITE(h, v, &v->items[i], tu_fnode_new(h, t.fnode, i));
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert_gt(tu_stats(h).minor_collections, 5);
    cr_assert_eq(tu_fin.count, 0, "%ld objects held by an old array died", tu_fin.count);
    for (long i = 0; i < N; i++)
        if (((tu_fnode *)v->items[i])->id != i)
            cr_assert_fail("item %ld broken", i);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- nursery size */

static uint64_t minors_for(size_t nursery)
{
    gull_heap *h = gen_heap(nursery, 1);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < (64L << 20) / 64; i++) /* 64 MiB of 64-byte garbage */
        if (!gull_alloc(h, t.blob, 64))
            cr_assert_fail("alloc failed");
    uint64_t m = tu_stats(h).minor_collections;
    gull_heap_destroy(h);
    return m;
}

Test(gen, larger_nursery_fewer_minors)
{
    uint64_t small = minors_for(256 << 10);
    uint64_t large = minors_for(8 << 20);
    cr_assert_geq(large, 1, "64 MiB through an 8 MiB nursery gave no minor collection");
    cr_assert_gt(small, 4 * large, "nursery 256K: %llu minors; 8M: %llu minors",
                 (unsigned long long)small, (unsigned long long)large);
    cr_assert_geq(small, 64, "only %llu minors for 64 MiB through a 256 KiB nursery",
                  (unsigned long long)small);
    cr_assert_leq(large, 32, "%llu minors for 64 MiB through an 8 MiB nursery",
                  (unsigned long long)large);
}

/* ---------------------------------------------------------------- GULL_WRITE */

Test(gen, inline_barrier_publishes_mode)
{
    gull_heap *g = gen_heap(1 << 20, 1);
    gull_heap *f = tu_heap_mode(GULL_MODE_FULL);
    cr_assert_eq(((const gull_heap_public *)(const void *)g)->barrier, GULL_BARRIER_GEN);
    cr_assert_eq(((const gull_heap_public *)(const void *)f)->barrier, GULL_BARRIER_NONE);
    gull_heap_destroy(g);
    gull_heap_destroy(f);
}

/* Young objects are young for the inline test and old ones are not:
 * otherwise GULL_WRITE would skip the remembering an old holder needs.
 * Observed through behaviour: mixing GULL_WRITE and gull_write across many
 * holders, old and young, keeps every young target alive through minors. */
Test(gen, inline_and_function_barrier_mixed)
{
    const long N = 20000;
    tu_fin_reset(2 * N);
    gull_heap *h = gen_heap(512 << 10, 2);
    tu_types t = tu_register_types(h);
    void *holders = NULL;
    cr_assert(gull_root_add(h, &holders));
    tu_vec *hv = gull_alloc(h, t.vec, sizeof(tu_vec) + (size_t)N * sizeof(void *));
    hv->n = (size_t)N;
    holders = hv;
    for (long i = 0; i < N; i++)
        gull_write(h, hv, &hv->items[i], tu_fnode_new(h, t.fnode, i));
    gull_collect(h, GULL_COLLECT_MAJOR); /* all holders old */
    for (long i = 0; i < N; i++) {
        tu_fnode *hd = hv->items[i];
        tu_fnode *y = tu_fnode_new(h, t.fnode, N + i);
        if (i & 1)
            GULL_WRITE(h, hd, &hd->a, y);
        else
            gull_write(h, hd, &hd->a, y);
    }
    for (int k = 0; k < 4; k++)
        gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert_eq(tu_fin.count, 0, "%ld objects died", tu_fin.count);
    for (long i = 0; i < N; i++) {
        tu_fnode *hd = hv->items[i];
        tu_fnode *y = hd->a;
        if (!y || y->id != N + i || y->magic != TU_FNODE_MAGIC)
            cr_assert_fail("young object of holder %ld broken", i);
    }
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- full mode */

Test(gen, full_mode_minor_requests_are_full)
{
    const long N = 100000;
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_FULL);
    cr_assert_eq(gull_heap_mode(h), GULL_MODE_FULL);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    root = build_list(h, t.cell, N);
    void *g = NULL;
    cr_assert(gull_root_add(h, &g));
    g = tu_fnode_new(h, t.fnode, 1);
    gull_collect(h, GULL_COLLECT_MAJOR);
    g = NULL; /* garbage that would be old in gen mode */
    gull_stats s0 = tu_stats(h);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_stats s1 = tu_stats(h);
    cr_assert_eq(s1.major_collections, s0.major_collections + 1,
                 "a minor request in full mode was not a full collection");
    cr_assert_eq(s1.minor_collections, 0, "full mode counted a minor collection");
    cr_assert_geq(s1.last_objects_marked, (uint64_t)N,
                  "the full collection marked only %llu objects",
                  (unsigned long long)s1.last_objects_marked);
    cr_assert(tu_finalized(1), "the full collection did not reclaim old garbage");
    check_list(root, N);
    /* automatic collections are full too */
    for (long i = 0; i < 500000; i++)
        (void)gull_alloc(h, t.blob, 100);
    gull_stats s2 = tu_stats(h);
    cr_assert_gt(s2.major_collections, s1.major_collections);
    cr_assert_eq(s2.minor_collections, 0);
    gull_heap_destroy(h);
}

/* A huge old array (8 MiB of slots: a chunk of its own) receiving young
 * pointers through the inline barrier. */
Test(gen, barrier_on_huge_old_array)
{
    const long N = 1L << 20;
    tu_fin_reset(N);
    gull_heap *h = gen_heap(1 << 20, 1);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + (size_t)N * sizeof(void *));
    cr_assert_not_null(v);
    v->n = (size_t)N;
    root = v;
    gull_collect(h, GULL_COLLECT_MAJOR);
    for (long i = 0; i < N; i += 64)
        GULL_WRITE(h, v, &v->items[i], tu_fnode_new(h, t.fnode, i));
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert_eq(tu_fin.count, 0, "%ld objects held by a huge old array died", tu_fin.count);
    for (long i = 0; i < N; i += 64)
        if (((tu_fnode *)v->items[i])->id != i)
            cr_assert_fail("item %ld broken", i);
    root = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, N / 64);
    gull_heap_destroy(h);
}

/* generation.c .cards: a large old array that receives young pointers is
 * remembered by card; with promote_age 2 a card must stay dirty while its
 * slot still points to an object that stays young.  The verifier checks
 * every old-to-young edge's card after each collection. */
static void large_array_cards(unsigned promote_age, bool with_range)
{
    gull_config c;
    tu_config(&c);
    c.promote_age = promote_age;
    c.verify = 1;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    gull_type vt = t.vec;
    if (with_range)
        vt = tu_register_range(h);
    enum { N = 20000 }; /* 160 KB: 313 cards */
    tu_vec *v = NULL;
    gull_root_add(h, (void **)&v);
    v = gull_alloc(h, vt, sizeof(tu_vec) + N * sizeof(void *));
    cr_assert_not_null(v);
    v->n = N;
    gull_collect(h, GULL_COLLECT_MAJOR); /* v is old */
    for (int round = 0; round < 30; round++) {
        for (int k = 0; k < 40; k++) {
            size_t i = ((size_t)round * 7919 + (size_t)k * 104729) % N;
            tu_cell *cell = tu_cons(h, t.cell, TU_FIX((long)i), NULL);
            GULL_WRITE(h, v, &v->items[i], cell);
        }
        gull_collect(h, GULL_COLLECT_MINOR);
    }
    gull_collect(h, GULL_COLLECT_MAJOR);
    size_t found = 0;
    for (size_t i = 0; i < N; i++) {
        tu_cell *cell = v->items[i];
        if (!cell)
            continue;
        cr_assert(gull_is_object(h, cell), "slot %zu holds a freed cell", i);
        cr_assert_eq(TU_UNFIX(cell->car), (long)i, "slot %zu holds a cell for %ld", i, TU_UNFIX(cell->car));
        found++;
    }
    cr_expect_gt(found, 500);
    if (tu_err.count)
        tu_err_dump();
    cr_expect_eq(tu_err.count, 0, "%s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(gen, large_array_remembered_by_card)
{
    large_array_cards(1, false);
}

Test(gen, large_array_cards_kept_while_targets_stay_young)
{
    large_array_cards(2, false);
}

Test(gen, large_array_cards_with_trace_range)
{
    large_array_cards(3, true);
}
