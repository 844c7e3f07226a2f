/* test_misuse.c — calls a host should not make, each answered with an error
 * that names the problem, and the heap still usable afterwards (the
 * "Hardening" issue's list). */
#include "testutil.h"

#include <limits.h>

static gull_heap *fin_heap;
static gull_heap *fin_destroy_target;

static void destroying_finalizer(gull_heap *h, void *obj)
{
    (void)obj;
    gull_heap_destroy(fin_destroy_target ? fin_destroy_target : h);
}

Test(misuse, heap_destroy_from_a_finalizer_is_refused)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    gull_type t = tu_register(h, "dies", tu_cell_trace, 0, destroying_finalizer);
    fin_heap = h;
    fin_destroy_target = NULL;
    for (int i = 0; i < 10; i++)
        cr_assert_not_null(gull_alloc(h, t, 16));
    gull_collect(h, GULL_COLLECT_MAJOR); /* the finalizers try to destroy h */
    cr_expect(tu_err_has(GULL_ERR_MISUSE, "gull_heap_destroy", "finalizer", NULL));
    /* The heap is still usable. */
    tu_types ty = tu_register_types(h);
    void *keep = NULL;
    gull_root_add(h, &keep);
    keep = tu_cons(h, ty.cell, TU_FIX(1), NULL);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_expect(gull_is_object(h, keep));
    gull_heap_destroy(h);
}

Test(misuse, external_adjust_extremes)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    gull_external_adjust(h, PTRDIFF_MIN); /* nothing reported: a release of too much */
    cr_expect(tu_err_has(GULL_ERR_MISUSE, "releasing", NULL, NULL));
    cr_expect_eq(tu_stats(h).external_bytes, 0);
    gull_external_adjust(h, PTRDIFF_MAX);
    cr_expect(tu_err_has(GULL_ERR_BAD_SIZE, "gull_external_adjust", NULL, NULL));
    cr_expect_eq(tu_stats(h).external_bytes, 0);
    gull_external_adjust(h, 1000);
    cr_expect_eq(tu_stats(h).external_bytes, 1000);
    gull_external_adjust(h, -1000);
    cr_expect_eq(tu_stats(h).external_bytes, 0);
    gull_heap_destroy(h);
}

Test(misuse, native_size_too_large_is_refused)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *o = NULL;
    gull_root_add(h, &o);
    o = tu_cons(h, t.cell, NULL, NULL);
    gull_set_native_size(h, o, SIZE_MAX);
    cr_expect(tu_err_has(GULL_ERR_BAD_SIZE, "gull_set_native_size", NULL, NULL));
    cr_expect_eq(tu_stats(h).external_bytes, 0);
    gull_set_native_size(h, o, 4096);
    cr_expect_eq(tu_stats(h).external_bytes, 4096);
    gull_heap_destroy(h);
}

Test(misuse, collect_with_an_unknown_kind_is_refused)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    uint64_t before = tu_collections(h);
    gull_collect(h, (gull_collect_kind)7);
    cr_expect(tu_err_has(GULL_ERR_MISUSE, "gull_collect", "kind 7", NULL));
    cr_expect_eq(tu_collections(h), before, "an unknown kind still collected");
    gull_heap_destroy(h);
}

Test(misuse, weak_reference_of_another_heap)
{
    gull_heap *a = tu_heap_mode(GULL_MODE_GEN), *b = tu_heap_mode(GULL_MODE_GEN);
    tu_types ta = tu_register_types(a);
    void *o = NULL;
    gull_root_add(a, &o);
    o = tu_cons(a, ta.cell, NULL, NULL);
    gull_weak *w = gull_weak_new(a, o);
    cr_assert_not_null(w);
    cr_expect_null(gull_weak_get(b, w));
    cr_expect(tu_err_has(GULL_ERR_FOREIGN_POINTER, "gull_weak_get", NULL, NULL));
    cr_expect_eq(gull_weak_get(a, w), o);
    gull_weak_free(a, w);
    gull_heap_destroy(a);
    gull_heap_destroy(b);
}

/* Huge objects get chunks of their own; after they are freed a new chunk
 * may be mapped at the same address (the ASan build aborted here when the
 * unmapped range kept its free-cell poison). */
Test(misuse, memory_mapped_again_after_huge_objects_is_usable)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    for (int round = 0; round < 6; round++) {
        void *big = gull_alloc(h, t.blob, (size_t)8 << 20);
        cr_assert_not_null(big);
        memset(big, 0xab, (size_t)8 << 20);
        big = NULL;
        gull_collect(h, GULL_COLLECT_MAJOR); /* unmaps it */
        for (int i = 0; i < 20000; i++)
            cr_assert_not_null(gull_alloc(h, t.cell, 16));
    }
    gull_heap_destroy(h);
}
