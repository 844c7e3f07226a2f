/* test_conservative.c — config.conservative_stack: C locals on the creating
 * thread's stack (and in registers) keep objects alive without frames; with
 * interior_pointers, a pointer into an object keeps it too.
 *
 * Conservative scanning may keep extra objects alive (stale stack words),
 * so "dead" checks here are statistical (most of many objects die) and
 * "alive" checks are exact.
 */
#include "testutil.h"

static gull_heap *cons_heap(bool interior)
{
    gull_config c;
    tu_config(&c);
    c.conservative_stack = true;
    c.interior_pointers = interior;
    return tu_heap(&c);
}

/* Overwrite a stretch of dead stack below the caller, so stale copies of
 * pointers left by earlier calls do not keep objects alive. */
static __attribute__((noinline)) void clear_stack(void)
{
    volatile char buf[64 << 10];
    memset((char *)buf, 0, sizeof buf);
    __asm__ volatile("" ::"r"(buf) : "memory");
}

static __attribute__((noinline)) void make_garbage(gull_heap *h, gull_type fnode, long from,
                                                   long n)
{
    for (long i = from; i < from + n; i++)
        (void)tu_fnode_new(h, fnode, i);
}

Test(conservative, volatile_local_keeps_object)
{
    tu_fin_reset(100);
    gull_heap *h = cons_heap(false);
    tu_types t = tu_register_types(h);
    tu_fnode *volatile local = tu_fnode_new(h, t.fnode, 1);
    gull_weak *w = gull_weak_new(h, local);
    for (int k = 0; k < 4; k++)
        gull_collect(h, k % 2 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(1), "object referenced from a C local was reclaimed");
    cr_assert_eq(gull_weak_get(h, w), local);
    cr_assert_eq(local->id, 1);
    cr_assert_eq(local->magic, TU_FNODE_MAGIC);
    /* and what it references */
    tu_cell *c = tu_cons(h, t.cell, TU_FIX(5), NULL);
    gull_write(h, local, &local->a, c);
    c = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(TU_UNFIX(((tu_cell *)local->a)->car), 5);
    cr_assert(gull_is_object(h, local->a));
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(conservative, stack_array_keeps_objects)
{
    tu_fin_reset(1000);
    gull_heap *h = cons_heap(false);
    tu_types t = tu_register_types(h);
    void *volatile arr[64];
    for (int i = 0; i < 64; i++)
        arr[i] = tu_fnode_new(h, t.fnode, i);
    make_garbage(h, t.fnode, 100, 500);
    clear_stack();
    for (int k = 0; k < 4; k++)
        gull_collect(h, k % 2 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
    for (int i = 0; i < 64; i++) {
        cr_assert(!tu_finalized(i), "object %d held in a stack array was reclaimed", i);
        cr_assert_eq(((tu_fnode *)arr[i])->id, i);
    }
    /* Conservative scanning does not keep everything: the garbage dies. */
    long dead = 0;
    for (long i = 100; i < 600; i++)
        dead += tu_finalized(i);
    cr_assert_geq(dead, 450, "only %ld of 500 garbage objects reclaimed", dead);
    /* Tagged words and junk on the stack are harmless. */
    volatile uintptr_t junk[256];
    for (int i = 0; i < 256; i++)
        junk[i] = (uintptr_t)0x9e3779b97f4a7c15ull * (uintptr_t)(i + 1);
    junk[0] = (uintptr_t)arr[0] + 8; /* interior, interior_pointers off */
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(junk[1], (uintptr_t)0x9e3779b97f4a7c15ull * 2);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* Allocate n objects and keep only interior pointers (obj + 8) to them. */
static __attribute__((noinline)) void make_interior(gull_heap *h, gull_type fnode,
                                                    uintptr_t *out, long n)
{
    for (long i = 0; i < n; i++) {
        tu_fnode *o = tu_fnode_new(h, fnode, i);
        out[i] = (uintptr_t)o + 8 + (uintptr_t)(i % 3) * 8; /* +8, +16, +24 */
    }
}

static void interior(bool on)
{
    enum { N = 200 };
    tu_fin_reset(N);
    gull_heap *h = cons_heap(on);
    tu_types t = tu_register_types(h);
    volatile uintptr_t ptrs[N];
    make_interior(h, t.fnode, (uintptr_t *)ptrs, N);
    clear_stack();
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    long dead = 0;
    for (long i = 0; i < N; i++)
        dead += tu_finalized(i);
    if (on) {
        cr_assert_eq(dead, 0, "%ld of %d objects held by interior pointers reclaimed", dead, N);
        for (long i = 0; i < N; i++) {
            tu_fnode *o = (tu_fnode *)((ptrs[i] - 8 - (uintptr_t)(i % 3) * 8));
            cr_assert_eq(o->id, i);
        }
    } else {
        cr_assert_geq(dead, N * 9 / 10,
                      "interior pointers kept %ld of %d objects with interior_pointers off",
                      N - dead, N);
    }
    cr_assert_eq(ptrs[0] & 7, 0);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(conservative, interior_pointer_keeps_object_when_enabled)
{
    interior(true);
}

Test(conservative, interior_pointer_ignored_when_disabled)
{
    interior(false);
}

/* Large objects found through interior pointers (page-granular lookup). */
Test(conservative, interior_pointer_into_large_object)
{
    gull_heap *h = cons_heap(true);
    tu_types t = tu_register_types(h);
    unsigned char *volatile big = gull_alloc(h, t.blob, 300000);
    cr_assert_not_null(big);
    gull_weak *w = gull_weak_new(h, (void *)big);
    big[299999] = 7;
    big += 250000; /* only an interior pointer remains */
    clear_stack();
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_not_null(gull_weak_get(h, w), "large object held by an interior pointer died");
    cr_assert_eq(big[49999], 7);
    gull_heap_destroy(h);
}

/* Conservative roots and precise roots together; allocation-triggered
 * collections (small nursery) while the only reference is a local. */
Test(conservative, locals_survive_allocation_triggered_collections)
{
    gull_config c;
    tu_config(&c);
    c.conservative_stack = true;
    c.nursery_size = 256 << 10;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    tu_cell *volatile list = NULL;
    for (long i = 0; i < 200000; i++) {
        list = tu_cons(h, t.cell, TU_FIX(i), list);
        (void)gull_alloc(h, t.blob, 50);
    }
    cr_assert_gt(tu_collections(h), 5);
    long i = 199999;
    for (tu_cell *p = list; p; p = p->cdr, i--)
        cr_assert_eq(TU_UNFIX(p->car), i, "list held by a C local broken at %ld", i);
    cr_assert_eq(i, -1);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}
