/* test_roots.c — every kind of root keeps objects alive, and only while it
 * is registered: slots, ranges (with tagged immediates), callbacks, frames.
 *
 * Liveness is observed two ways: the finalizer log (tu_fin: an fnode's id is
 * recorded when it is finalized) and weak handles (NULL once reclaimed).
 * Conservative scanning is off (tu_config), so results are exact.  Each test
 * runs in gen mode (minor and major collections) and in full mode.
 */
#include "testutil.h"

static const gull_mode modes[] = {GULL_MODE_GEN, GULL_MODE_FULL};
#define NMODES 2

static void collect_all_kinds(gull_heap *h)
{
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
}

/* Assert the fnode with this id (and weak handle w) is alive and intact. */
static void expect_alive(gull_heap *h, gull_weak *w, tu_fnode *n, long id, const char *what)
{
    cr_assert(!tu_finalized(id), "%s: object %ld was finalized while rooted", what, id);
    cr_assert_eq(gull_weak_get(h, w), n, "%s: weak handle of %ld lost its target", what, id);
    cr_assert(gull_is_object(h, n), "%s: object %ld no longer an object", what, id);
    cr_assert_eq(n->id, id, "%s: object %ld contents changed", what, id);
    cr_assert_eq(n->magic, TU_FNODE_MAGIC, "%s: object %ld contents changed", what, id);
}

static void expect_dead(gull_heap *h, gull_weak *w, long id, const char *what)
{
    cr_assert(tu_finalized(id), "%s: unreachable object %ld was not finalized", what, id);
    cr_assert_null(gull_weak_get(h, w), "%s: weak handle of unreachable %ld not cleared", what,
                   id);
}

/* ---------------------------------------------------------------- slots */

Test(roots, slot_roots)
{
    for (int m = 0; m < NMODES; m++) {
        tu_fin_reset(100);
        gull_heap *h = tu_heap_mode(modes[m]);
        tu_types t = tu_register_types(h);
        void *g1 = NULL, *g2 = NULL;
        cr_assert(gull_root_add(h, &g1));
        cr_assert(gull_root_add(h, &g2));
        tu_fnode *a = tu_fnode_new(h, t.fnode, 1);
        g1 = a;
        tu_fnode *b = tu_fnode_new(h, t.fnode, 2);
        g2 = b;
        /* c reachable only through a's field */
        tu_fnode *c = tu_fnode_new(h, t.fnode, 3);
        gull_write(h, a, &a->a, c);
        gull_weak *wa = gull_weak_new(h, a), *wb = gull_weak_new(h, b), *wc = gull_weak_new(h, c);
        cr_assert(wa && wb && wc);
        /* garbage next to them */
        for (int i = 10; i < 60; i++)
            (void)tu_fnode_new(h, t.fnode, i);

        collect_all_kinds(h);
        expect_alive(h, wa, a, 1, "slot");
        expect_alive(h, wb, b, 2, "slot");
        expect_alive(h, wc, c, 3, "slot (traced)");
        for (int i = 10; i < 60; i++)
            cr_assert(tu_finalized(i), "garbage %d not finalized (mode %d)", i, m);

        /* The slot is read at every collection: repoint it. */
        g2 = NULL;
        collect_all_kinds(h);
        expect_alive(h, wa, a, 1, "slot");
        expect_dead(h, wb, 2, "slot cleared");

        /* Remove the root: the variable still holds the pointer but is no
         * longer a root. */
        gull_root_remove(h, &g1);
        collect_all_kinds(h);
        expect_dead(h, wa, 1, "slot removed");
        expect_dead(h, wc, 3, "child of removed slot");
        cr_assert_eq(tu_fin.twice, 0);
        cr_assert_eq(tu_fin.bad_magic, 0, "a finalizer saw a broken object");
        cr_assert_eq(tu_fin.in_pause, 0, "a finalizer ran inside a pause");
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_weak_free(h, wa);
        gull_weak_free(h, wb);
        gull_weak_free(h, wc);
        gull_root_remove(h, &g2);
        gull_heap_destroy(h);
    }
}

Test(roots, same_slot_twice_and_remove_unknown)
{
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *g = NULL;
    cr_assert(gull_root_add(h, &g));
    g = tu_fnode_new(h, t.fnode, 1);
    void *other = NULL;
    gull_root_remove(h, &other); /* never added: must not remove g's root */
    tu_err_reset();
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(1), "removing an unregistered slot removed another root");
    gull_root_remove(h, &g);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(1));
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- ranges */

#define RANGE_N 64

Test(roots, range_roots_with_immediates)
{
    for (int m = 0; m < NMODES; m++) {
        tu_fin_reset(1000);
        gull_heap *h = tu_heap_mode(modes[m]);
        tu_types t = tu_register_types(h);
        void *range[RANGE_N];
        for (int i = 0; i < RANGE_N; i++)
            range[i] = NULL;
        cr_assert(gull_root_range_add(h, range, range + RANGE_N));
        gull_weak *w[RANGE_N] = {0};
        tu_fnode *obj[RANGE_N] = {0};
        /* Even slots: objects.  Odd slots: immediates of every shape,
         * including a pointer to an object with a tag bit set (that object
         * must NOT be kept alive by it: the word is an immediate). */
        const uintptr_t imms[] = {1, 0xF, 0x8, 0x2, (uintptr_t)-1, 0x123456789abcdef1u,
                                  0xdeadbeefu, 0x7ffffffffff9u};
        for (int i = 0; i < RANGE_N; i++) {
            if (i % 2 == 0) {
                obj[i] = tu_fnode_new(h, t.fnode, i);
                range[i] = obj[i];
                w[i] = gull_weak_new(h, obj[i]);
            } else if (i % 8 == 1) {
                obj[i] = tu_fnode_new(h, t.fnode, i);
                range[i] = (void *)((uintptr_t)obj[i] | (1u + (unsigned)(i % 15)));
                w[i] = gull_weak_new(h, obj[i]);
            } else {
                range[i] = (void *)imms[(i / 2) % (sizeof imms / sizeof imms[0])];
            }
        }
        collect_all_kinds(h);
        for (int i = 0; i < RANGE_N; i++) {
            if (i % 2 == 0)
                expect_alive(h, w[i], obj[i], i, "range");
            else if (i % 8 == 1)
                expect_dead(h, w[i], i, "tagged word in a range is an immediate");
        }
        /* The host changes the range freely: clear a few slots, write
         * immediates into others. */
        for (int i = 0; i < RANGE_N; i += 4)
            range[i] = NULL;
        for (int i = 2; i < RANGE_N; i += 8)
            range[i] = TU_FIX(i);
        collect_all_kinds(h);
        for (int i = 0; i < RANGE_N; i += 2) {
            if (i % 4 == 0 || i % 8 == 2)
                expect_dead(h, w[i], i, "range slot overwritten");
            else
                expect_alive(h, w[i], obj[i], i, "range");
        }
        gull_root_range_remove(h, range);
        collect_all_kinds(h);
        for (int i = 0; i < RANGE_N; i += 2)
            expect_dead(h, w[i], i, "range removed");
        cr_assert_eq(tu_fin.twice, 0);
        cr_assert_eq(tu_fin.bad_magic, 0);
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(roots, two_ranges_remove_one)
{
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *r1[4] = {0}, *r2[4] = {0};
    cr_assert(gull_root_range_add(h, r1, r1 + 4));
    cr_assert(gull_root_range_add(h, r2, r2 + 4));
    r1[3] = tu_fnode_new(h, t.fnode, 1); /* last word of the range is included */
    r2[0] = tu_fnode_new(h, t.fnode, 2);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(1), "last word of a range [start,end) not scanned");
    cr_assert(!tu_finalized(2));
    gull_root_range_remove(h, r1);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(1));
    cr_assert(!tu_finalized(2), "removing one range removed the other");
    gull_root_range_remove(h, r2);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(2));
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- callbacks */

typedef struct stackctx {
    void *slots[32];
    int live;      /* only slots[0..live) are roots */
    int calls;
} stackctx;

static void stack_roots(gull_heap *h, gull_visit_fn visit, void *visit_ctx, void *ctx)
{
    (void)h;
    stackctx *s = ctx;
    s->calls++;
    for (int i = 0; i < s->live; i++)
        visit(&s->slots[i], visit_ctx);
}

Test(roots, callback_roots)
{
    for (int m = 0; m < NMODES; m++) {
        tu_fin_reset(100);
        gull_heap *h = tu_heap_mode(modes[m]);
        tu_types t = tu_register_types(h);
        stackctx s;
        memset(&s, 0, sizeof s);
        cr_assert(gull_root_callback_add(h, stack_roots, &s));
        gull_weak *w[32];
        tu_fnode *o[32];
        for (int i = 0; i < 32; i++) {
            o[i] = tu_fnode_new(h, t.fnode, i);
            s.slots[i] = o[i];
            w[i] = gull_weak_new(h, o[i]);
        }
        s.slots[31] = TU_FIX(7); /* immediates and NULL are ignored */
        s.slots[30] = NULL;
        s.live = 32;
        collect_all_kinds(h);
        cr_assert_geq(s.calls, 1, "root callback never called");
        for (int i = 0; i < 30; i++)
            expect_alive(h, w[i], o[i], i, "callback");
        expect_dead(h, w[31], 31, "callback slot holding an immediate");
        expect_dead(h, w[30], 30, "callback slot holding NULL");
        /* The interpreter's stack shrinks: the popped part is no longer a root. */
        s.live = 10;
        collect_all_kinds(h);
        for (int i = 0; i < 10; i++)
            expect_alive(h, w[i], o[i], i, "callback");
        for (int i = 10; i < 30; i++)
            expect_dead(h, w[i], i, "popped from the callback's stack");
        int calls = s.calls;
        gull_root_callback_remove(h, stack_roots, &s);
        collect_all_kinds(h);
        cr_assert_eq(s.calls, calls, "removed callback still called");
        for (int i = 0; i < 10; i++)
            expect_dead(h, w[i], i, "callback removed");
        cr_assert_eq(tu_fin.twice, 0);
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(roots, same_callback_two_contexts)
{
    tu_fin_reset(10);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    stackctx s1, s2;
    memset(&s1, 0, sizeof s1);
    memset(&s2, 0, sizeof s2);
    cr_assert(gull_root_callback_add(h, stack_roots, &s1));
    cr_assert(gull_root_callback_add(h, stack_roots, &s2));
    s1.slots[0] = tu_fnode_new(h, t.fnode, 1);
    s1.live = 1;
    s2.slots[0] = tu_fnode_new(h, t.fnode, 2);
    s2.live = 1;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(1) && !tu_finalized(2));
    gull_root_callback_remove(h, stack_roots, &s1); /* same fn, the ctx selects */
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(1));
    cr_assert(!tu_finalized(2), "removing (fn, ctx1) removed (fn, ctx2)");
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- frames */

static gull_weak *inner_w[2];

static void inner_function(gull_heap *h, tu_types t, int *ran)
{
    void *x = NULL, *y = NULL;
    GULL_FRAME(h, &x, &y);
    x = tu_fnode_new(h, t.fnode, 10);
    y = tu_fnode_new(h, t.fnode, 11);
    inner_w[0] = gull_weak_new(h, x);
    inner_w[1] = gull_weak_new(h, y);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(10) && !tu_finalized(11), "inner frame locals reclaimed");
    cr_assert_eq(((tu_fnode *)x)->id, 10);
    *ran = 1;
    GULL_FRAME_END(h);
}

Test(roots, frames_nested)
{
    for (int m = 0; m < NMODES; m++) {
        tu_fin_reset(100);
        gull_heap *h = tu_heap_mode(modes[m]);
        tu_types t = tu_register_types(h);
        void *a = NULL, *b = NULL;
        tu_fnode *c = NULL;
        GULL_FRAME(h, &a, &b, (void **)&c);
        a = tu_fnode_new(h, t.fnode, 1);
        /* b is assigned after the push: frames are read at collection time */
        b = tu_fnode_new(h, t.fnode, 2);
        c = tu_fnode_new(h, t.fnode, 3);
        gull_weak *wa = gull_weak_new(h, a), *wb = gull_weak_new(h, b), *wc = gull_weak_new(h, c);
        int ran = 0;
        inner_function(h, t, &ran);
        cr_assert(ran);
        collect_all_kinds(h);
        expect_alive(h, wa, a, 1, "outer frame");
        expect_alive(h, wb, b, 2, "outer frame");
        expect_alive(h, wc, c, 3, "outer frame");
        expect_dead(h, inner_w[0], 10, "inner frame popped");
        expect_dead(h, inner_w[1], 11, "inner frame popped");
        b = NULL;
        collect_all_kinds(h);
        expect_dead(h, wb, 2, "frame slot cleared");
        expect_alive(h, wa, a, 1, "outer frame");
        GULL_FRAME_END(h);
        collect_all_kinds(h);
        expect_dead(h, wa, 1, "outer frame popped");
        expect_dead(h, wc, 3, "outer frame popped");
        cr_assert_eq(tu_fin.twice, 0);
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(roots, frame_popped_out_of_order)
{
    tu_fin_reset(100);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *x0 = NULL, *x1 = NULL, *x2 = NULL;
    void **s0[] = {&x0}, **s1[] = {&x1}, **s2[] = {&x2};
    gull_frame f0 = {NULL, 1, s0}, f1 = {NULL, 1, s1}, f2 = {NULL, 1, s2};
    gull_frame_push(h, &f0);
    gull_frame_push(h, &f1);
    gull_frame_push(h, &f2);
    x0 = tu_fnode_new(h, t.fnode, 0);
    x1 = tu_fnode_new(h, t.fnode, 1);
    x2 = tu_fnode_new(h, t.fnode, 2);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(0) && !tu_finalized(1) && !tu_finalized(2));
    cr_assert_eq(tu_err.count, 0);

    /* Pop f1 while f2 is innermost: reported, and the stack is unwound to
     * below f1 (f1 and f2 are gone, f0 stays). */
    gull_frame_pop(h, &f1);
    cr_assert_eq(tu_err.count, 1, "out-of-order pop: expected one error, got %d", tu_err.count);
    cr_assert_eq(tu_err.last_code, GULL_ERR_MISUSE, "out-of-order pop reported with code %d",
                 (int)tu_err.last_code);
    cr_assert(tu_contains_ci(tu_err.last_msg, "frame"), "message does not mention frames: %s",
              tu_err.last_msg);
    tu_err_reset();
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(0), "frame below the bad pop was unwound too");
    cr_assert(tu_finalized(1), "the popped frame is still a root");
    cr_assert(tu_finalized(2), "the frame above the popped one is still a root");
    gull_frame_pop(h, &f0); /* now the innermost: fine */
    cr_assert_eq(tu_err.count, 0, "in-order pop reported: %s", tu_err.last_msg);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(tu_finalized(0));

    /* Popping with no frame pushed at all is misuse too, and harmless. */
    gull_frame_pop(h, &f0);
    cr_assert_eq(tu_err.count, 1, "pop of an empty frame stack not reported");
    cr_assert_eq(tu_err.last_code, GULL_ERR_MISUSE);
    tu_err_reset();
    void *g = NULL;
    cr_assert(gull_root_add(h, &g));
    g = tu_fnode_new(h, t.fnode, 5);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(!tu_finalized(5), "heap broken after frame misuse");
    gull_heap_destroy(h);
}

/* All root kinds at once hold a deep structure through many minor and major
 * collections driven by allocation (small nursery). */
Test(roots, all_kinds_under_allocation_pressure)
{
    tu_fin_reset(10);
    gull_config c;
    tu_config(&c);
    c.nursery_size = 256 << 10;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *slot = NULL;
    void *range[2] = {NULL, NULL};
    stackctx s;
    memset(&s, 0, sizeof s);
    void *fr = NULL;
    cr_assert(gull_root_add(h, &slot));
    cr_assert(gull_root_range_add(h, range, range + 2));
    cr_assert(gull_root_callback_add(h, stack_roots, &s));
    s.live = 1;
    GULL_FRAME(h, &fr);
    for (int i = 0; i < 200000; i++) {
        slot = tu_cons(h, t.cell, TU_FIX(i), slot);
        range[1] = tu_cons(h, t.cell, TU_FIX(i), range[1]);
        s.slots[0] = tu_cons(h, t.cell, TU_FIX(i), s.slots[0]);
        fr = tu_cons(h, t.cell, TU_FIX(i), fr);
        (void)gull_alloc(h, t.blob, 100); /* garbage */
    }
    cr_assert_gt(tu_collections(h), 10, "allocation did not trigger collections");
    void *heads[4] = {slot, range[1], s.slots[0], fr};
    for (int k = 0; k < 4; k++) {
        int i = 199999;
        for (tu_cell *p = heads[k]; p; p = p->cdr, i--)
            cr_assert_eq(TU_UNFIX(p->car), i, "list %d corrupted at %d", k, i);
        cr_assert_eq(i, -1, "list %d has the wrong length", k);
    }
    GULL_FRAME_END(h);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}
