/* test_oom.c — out of memory is an ordinary condition (DESIGN.md section 1):
 * when heap_max is reached and a full collection cannot free enough, gull
 * calls on_oom with the request size, the allocation returns NULL, and the
 * heap stays usable.
 */
#include "testutil.h"

typedef struct oom_log {
    long calls;
    size_t last_request;
    gull_heap *last_heap;
} oom_log;

static void on_oom(gull_heap *h, size_t request, void *ctx)
{
    oom_log *o = ctx;
    o->calls++;
    o->last_request = request;
    o->last_heap = h;
}

static gull_heap *limited_heap(size_t heap_max, oom_log *o, gull_mode mode)
{
    gull_config c;
    tu_config(&c);
    c.mode = mode;
    c.heap_max = heap_max;
    c.on_oom = on_oom;
    c.oom_ctx = o;
    return tu_heap(&c);
}

/* Fill the heap with rooted objects (a list of cells each holding a blob of
 * blob_size bytes) until an allocation fails.  Returns bytes held. */
static size_t fill_until_null(gull_heap *h, tu_types t, void **root, size_t blob_size,
                              size_t *failed_request, long *allocs)
{
    size_t held = 0;
    *failed_request = 0;
    for (long i = 0; i < 10000000; i++) {
        void *b = gull_alloc(h, t.blob, blob_size);
        if (!b) {
            *failed_request = blob_size;
            break;
        }
        /* b is held only in a C local across the next allocation: protect it */
        GULL_FRAME(h, &b);
        tu_cell *c = gull_alloc(h, t.cell, sizeof *c);
        GULL_FRAME_END(h);
        if (!c) {
            *failed_request = sizeof *c;
            break;
        }
        gull_write(h, c, &c->car, b);
        gull_write(h, c, &c->cdr, *root);
        *root = c;
        held += blob_size + sizeof *c;
        (*allocs)++;
    }
    return held;
}

static void oom_then_recover(gull_mode mode, size_t blob_size)
{
    const size_t max = (size_t)8 << 20;
    oom_log o = {0};
    gull_heap *h = limited_heap(max, &o, mode);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    size_t failed = 0;
    long allocs = 0;
    size_t held = fill_until_null(h, t, &root, blob_size, &failed, &allocs);
    cr_assert_neq(failed, 0, "never ran out of memory with heap_max = 8 MiB (held %zu)", held);
    cr_assert_geq(o.calls, 1, "on_oom was not called before NULL was returned");
    cr_assert_eq(o.last_request, failed, "on_oom got request %zu, the failing alloc asked %zu",
                 o.last_request, failed);
    cr_assert_eq(o.last_heap, h);
    cr_assert_geq(held, max / 2, "only %zu bytes held when an 8 MiB heap ran out", held);
    cr_assert_leq(held, max, "held %zu bytes in a heap limited to %zu", held, max);
    gull_stats s = tu_stats(h);
    cr_assert_leq(s.heap_committed, max, "heap_committed %zu > heap_max %zu", s.heap_committed,
                  max);
    cr_assert_geq(s.major_collections, 1, "NULL returned without a full collection first");

    /* The rooted data is intact. */
    long n = 0;
    for (tu_cell *c = root; c; c = c->cdr, n++)
        cr_assert(gull_is_object(h, c->car), "blob %ld of the list lost", n);
    cr_assert_eq(n, allocs);

    /* Still out of memory: the next attempt fails too, and says so. */
    long calls = o.calls;
    void *again = gull_alloc(h, t.blob, max / 2);
    cr_assert_null(again);
    cr_assert_eq(o.calls, calls + 1);

    /* Drop the roots, collect: allocation works again. */
    root = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    void *r2 = NULL;
    cr_assert(gull_root_add(h, &r2));
    for (long i = 0; i < allocs / 2; i++) {
        void *b = gull_alloc(h, t.blob, blob_size);
        cr_assert_not_null(b, "allocation %ld failed after the heap was emptied", i);
        GULL_FRAME(h, &b);
        tu_cell *c = gull_alloc(h, t.cell, sizeof *c);
        GULL_FRAME_END(h);
        cr_assert_not_null(c, "allocation %ld failed after the heap was emptied", i);
        gull_write(h, c, &c->car, b);
        gull_write(h, c, &c->cdr, r2);
        r2 = c;
    }
    cr_assert_eq(o.calls, calls + 1, "on_oom called again after recovery");
    /* on_oom replaces the error report for OOM */
    cr_assert_eq(tu_err.by_code[GULL_ERR_BAD_SIZE] + tu_err.by_code[GULL_ERR_BAD_TYPE] +
                     tu_err.by_code[GULL_ERR_MISUSE] + tu_err.by_code[GULL_ERR_VERIFY],
                 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(oom, small_objects_gen)
{
    oom_then_recover(GULL_MODE_GEN, 1000);
}

Test(oom, small_objects_full)
{
    oom_then_recover(GULL_MODE_FULL, 1000);
}

Test(oom, large_objects)
{
    oom_then_recover(GULL_MODE_GEN, 100000);
}

Test(oom, single_allocation_larger_than_heap_max)
{
    oom_log o = {0};
    gull_heap *h = limited_heap((size_t)8 << 20, &o, GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *p = gull_alloc(h, t.blob, (size_t)16 << 20);
    cr_assert_null(p, "a 16 MiB object in an 8 MiB heap");
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.last_request, (size_t)16 << 20);
    /* usable afterwards */
    void *q = gull_alloc(h, t.blob, (size_t)1 << 20);
    cr_assert_not_null(q);
    cr_assert_not_null(tu_cons(h, t.cell, NULL, NULL));
    cr_assert_eq(o.calls, 1);
    gull_heap_destroy(h);
}

Test(oom, without_handler_reports_error)
{
    gull_config c;
    tu_config(&c);
    c.heap_max = (size_t)4 << 20;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *p = gull_alloc(h, t.blob, (size_t)8 << 20);
    cr_assert_null(p);
    cr_assert_eq(tu_err.count, 1, "%d errors reported", tu_err.count);
    cr_assert_eq(tu_err.last_code, GULL_ERR_OUT_OF_MEMORY);
    cr_assert(tu_contains_ci(tu_err.last_msg, "memory") || tu_contains_ci(tu_err.last_msg, "heap"),
              "OOM message does not name the problem: %s", tu_err.last_msg);
    cr_assert_eq(gull_last_error(h), GULL_ERR_OUT_OF_MEMORY);
    void *q = gull_alloc(h, t.blob, 1000);
    cr_assert_not_null(q);
    gull_heap_destroy(h);
}

/* Garbage does not count: a heap at its limit with garbage collects rather
 * than failing. */
Test(oom, garbage_is_collected_before_failing)
{
    oom_log o = {0};
    gull_heap *h = limited_heap((size_t)8 << 20, &o, GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < 200000; i++) /* 200 MB of garbage through an 8 MiB heap */
        cr_assert_not_null(gull_alloc(h, t.blob, 1000), "alloc %ld failed with only garbage", i);
    for (long i = 0; i < 200; i++)
        cr_assert_not_null(gull_alloc(h, t.blob, 1 << 20), "large alloc %ld failed", i);
    cr_assert_eq(o.calls, 0, "on_oom called although everything was garbage");
    gull_heap_destroy(h);
}
