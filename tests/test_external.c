/* test_external.c — native memory accounting (issue 6; DESIGN.md section 5):
 * gull_external_adjust, gull_set_native_size (released when the object
 * dies), pacing that counts native bytes, external_limit / memory_limit
 * through the on_oom path, and the three-layer memory report.
 */
#include "testutil.h"

#define MiB ((size_t)1 << 20)

static size_t ext(gull_heap *h)
{
    return tu_stats(h).external_bytes;
}

Test(external, adjust_up_and_down)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    cr_assert_eq(ext(h), 0);
    gull_external_adjust(h, 1000);
    cr_assert_eq(ext(h), 1000);
    gull_external_adjust(h, (ptrdiff_t)(5 * MiB));
    cr_assert_eq(ext(h), 1000 + 5 * MiB);
    gull_external_adjust(h, -400);
    cr_assert_eq(ext(h), 600 + 5 * MiB);
    gull_external_adjust(h, -(ptrdiff_t)(5 * MiB) - 600);
    cr_assert_eq(ext(h), 0);
    gull_memory_report r;
    gull_external_adjust(h, 777);
    gull_memory_report_get(h, &r);
    cr_assert_eq(r.native_bytes, 777);
    cr_assert_eq(r.native_associated, 0);
    /* collections do not touch host-reported bytes */
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(ext(h), 777);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

static void native_size_released(bool with_finalizer, gull_collect_kind kind)
{
    tu_fin_reset(100);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    gull_type ty = with_finalizer ? t.fnode : t.cell;
    void *keep = NULL;
    cr_assert(gull_root_add(h, &keep));
    gull_external_adjust(h, 1000); /* host bytes, not associated */

    void *a = gull_alloc(h, ty, 32);
    void *b = gull_alloc(h, ty, 32);
    if (with_finalizer) {
        ((tu_fnode *)a)->id = 1;
        ((tu_fnode *)a)->magic = TU_FNODE_MAGIC;
        ((tu_fnode *)b)->id = 2;
        ((tu_fnode *)b)->magic = TU_FNODE_MAGIC;
    }
    keep = b;
    gull_set_native_size(h, a, MiB);
    cr_assert_eq(ext(h), 1000 + MiB);
    gull_set_native_size(h, a, 2 * MiB); /* replaces, does not add */
    cr_assert_eq(ext(h), 1000 + 2 * MiB, "gull_set_native_size added instead of replacing");
    gull_set_native_size(h, b, 3 * MiB);
    cr_assert_eq(ext(h), 1000 + 5 * MiB);
    gull_memory_report r;
    gull_memory_report_get(h, &r);
    cr_assert_eq(r.native_bytes, 1000 + 5 * MiB);
    cr_assert_eq(r.native_associated, 5 * MiB);

    a = NULL; /* a is garbage */
    for (int i = 0; i < 3; i++)
        gull_collect(h, kind);
    if (kind == GULL_COLLECT_MAJOR || !with_finalizer)
        cr_assert_eq(ext(h), 1000 + 3 * MiB,
                     "native size of a dead object not released (%zu bytes reported)", ext(h));
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(ext(h), 1000 + 3 * MiB,
                 "native size of a dead object not released (%zu bytes reported)", ext(h));
    gull_memory_report_get(h, &r);
    cr_assert_eq(r.native_associated, 3 * MiB);
    /* the live one keeps its figure; size 0 releases it by hand */
    gull_set_native_size(h, b, 0);
    cr_assert_eq(ext(h), 1000);
    gull_set_native_size(h, b, MiB);
    keep = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(ext(h), 1000);
    if (with_finalizer)
        cr_assert_eq(tu_fin.count, 2);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(external, native_size_released_on_death)
{
    native_size_released(false, GULL_COLLECT_MAJOR);
}

Test(external, native_size_released_on_death_with_finalizer)
{
    native_size_released(true, GULL_COLLECT_MAJOR);
}

Test(external, native_size_released_by_minor)
{
    native_size_released(false, GULL_COLLECT_MINOR);
}

Test(external, native_size_bad_object)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    int local;
    gull_set_native_size(h, &local, MiB);
    cr_assert_geq(tu_err.count, 1, "gull_set_native_size on a non-object not reported");
    cr_assert_eq(ext(h), 0, "native size recorded for a non-object");
    gull_heap_destroy(h);
}

/* Small objects each owning 1 MiB of native memory, unreachable at once:
 * without native-memory pacing the nursery (64 MiB) would not fill for a
 * long time and the host's memory would grow to the total. */
static void pacing_loop(gull_mode mode)
{
    gull_config c;
    tu_config(&c);
    c.mode = mode;
    c.nursery_size = 64 << 20;
    c.external_pacing = true;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    const long N = 20000; /* 20 GiB of reported native memory in total */
    size_t peak = 0;
    for (long i = 0; i < N; i++) {
        void *o = gull_alloc(h, t.cell, sizeof(tu_cell));
        cr_assert_not_null(o);
        gull_set_native_size(h, o, MiB);
        size_t e = ext(h);
        if (e > peak)
            peak = e;
    }
    gull_stats s = tu_stats(h);
    cr_assert_geq(s.minor_collections + s.major_collections, 5,
                  "native growth alone triggered only %llu collections",
                  (unsigned long long)(s.minor_collections + s.major_collections));
    cr_assert_leq(peak, (size_t)512 << 20,
                  "external bytes grew to %zu MiB (of %ld MiB allocated): not bounded",
                  peak / MiB, N);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(ext(h), 0, "%zu native bytes of dead objects still counted", ext(h));
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(external, native_growth_triggers_collections_gen)
{
    pacing_loop(GULL_MODE_GEN);
}

Test(external, native_growth_triggers_collections_full)
{
    pacing_loop(GULL_MODE_FULL);
}

/* ---------------------------------------------------------------- limits */

typedef struct oom_log {
    long calls;
    size_t last_request;
} oom_log;

static void on_oom(gull_heap *h, size_t request, void *ctx)
{
    (void)h;
    oom_log *o = ctx;
    o->calls++;
    o->last_request = request;
}

Test(external, memory_limit_takes_oom_path)
{
    oom_log o = {0};
    gull_config c;
    tu_config(&c);
    c.memory_limit = 16 * MiB;
    c.on_oom = on_oom;
    c.oom_ctx = &o;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *list = NULL;
    cr_assert(gull_root_add(h, &list));
    long made = 0;
    for (long i = 0; i < 100; i++) {
        tu_cell *x = gull_alloc(h, t.cell, sizeof *x);
        if (!x)
            break;
        gull_write(h, x, &x->cdr, list);
        list = x;
        gull_set_native_size(h, x, MiB); /* rooted: cannot be reclaimed */
        made++;
    }
    cr_assert_geq(o.calls, 1, "memory_limit 16 MiB exceeded without on_oom (%ld MiB held)",
                  made);
    cr_assert_eq(o.last_request, sizeof(tu_cell));
    cr_assert_leq(made, 17, "%ld objects of 1 MiB native each under a 16 MiB memory_limit",
                  made);
    cr_assert_geq(made, 8, "memory_limit 16 MiB failed after only %ld MiB", made);
    /* Recover: drop the objects; their native bytes go with them. */
    list = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(ext(h), 0);
    cr_assert_not_null(gull_alloc(h, t.cell, sizeof(tu_cell)),
                       "allocation still fails after the native memory was released");
    gull_heap_destroy(h);
}

Test(external, external_limit_takes_oom_path)
{
    oom_log o = {0};
    gull_config c;
    tu_config(&c);
    c.external_limit = 8 * MiB;
    c.on_oom = on_oom;
    c.oom_ctx = &o;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    cr_assert_not_null(gull_alloc(h, t.cell, 16));
    gull_external_adjust(h, (ptrdiff_t)(16 * MiB)); /* host-held: no collection frees it */
    void *p = gull_alloc(h, t.cell, 16);
    cr_assert_null(p, "allocation succeeded with external bytes over external_limit");
    cr_assert_eq(o.calls, 1);
    cr_assert_eq(o.last_request, 16);
    gull_external_adjust(h, -(ptrdiff_t)(16 * MiB));
    cr_assert_not_null(gull_alloc(h, t.cell, 16), "allocation fails after native bytes dropped");
    cr_assert_eq(o.calls, 1);
    gull_heap_destroy(h);
}

/* Dead objects' native bytes are what a collection can free: an over-limit
 * heap whose native bytes belong to garbage collects and succeeds. */
Test(external, limit_met_by_collecting_garbage)
{
    oom_log o = {0};
    gull_config c;
    tu_config(&c);
    c.memory_limit = 32 * MiB;
    c.on_oom = on_oom;
    c.oom_ctx = &o;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    for (long i = 0; i < 1000; i++) {
        void *x = gull_alloc(h, t.cell, sizeof(tu_cell));
        cr_assert_not_null(x, "allocation %ld failed although all native bytes are garbage", i);
        gull_set_native_size(h, x, MiB);
    }
    cr_assert_eq(o.calls, 0, "on_oom called although a collection could meet the limit");
    cr_assert_leq(ext(h), 33 * MiB);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- report */

Test(external, memory_report_plausible)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *roots[1000] = {0};
    cr_assert(gull_root_range_add(h, roots, roots + 1000));
    for (int i = 0; i < 1000; i++) {
        roots[i] = gull_alloc(h, t.blob, (size_t)(16 + (i * 37) % 3000));
        (void)gull_alloc(h, t.blob, 200); /* garbage */
    }
    gull_set_native_size(h, roots[3], 12345);
    gull_external_adjust(h, 1000);
    for (int i = 0; i < 1000; i += 2)
        roots[i] = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_memory_report r;
    memset(&r, 0xff, sizeof r);
    gull_memory_report_get(h, &r);
    cr_assert_gt(r.os_rss, 0);
    cr_assert_gt(r.heap_live, 0);
    cr_assert_geq(r.heap_committed, r.heap_live, "committed %zu < live %zu", r.heap_committed,
                  r.heap_live);
    cr_assert_leq(r.heap_free_in_blocks, r.heap_committed);
    cr_assert(r.fragmentation >= 0.0 && r.fragmentation <= 1.0, "fragmentation %g",
              r.fragmentation);
    if (r.heap_committed)
        cr_assert_float_eq(r.fragmentation,
                           (double)r.heap_free_in_blocks / (double)r.heap_committed, 0.02,
                           "fragmentation %g != free/committed", r.fragmentation);
    cr_assert_gt(r.heap_metadata, 0);
    cr_assert_eq(r.native_bytes, 12345 + 1000);
    cr_assert_eq(r.native_associated, 12345);
    cr_assert_geq(r.os_rss, r.heap_live, "RSS %zu below the heap's live bytes %zu", r.os_rss,
                  r.heap_live);
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.heap_live, r.heap_live, "stats and report disagree on heap_live");
    cr_assert_eq(s.external_bytes, r.native_bytes);
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    gull_memory_report_print(h, f);
    long len = ftell(f);
    cr_assert_gt(len, 20, "memory report printed %ld bytes", len);
    fclose(f);
    gull_heap_destroy(h);
}
