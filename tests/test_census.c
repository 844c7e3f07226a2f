/* test_census.c — "why is this alive?": census by type, census diffs,
 * shortest paths from each kind of root, field names, dominators and
 * retained sizes on hand-built graphs, the V8 heap snapshot (checked by
 * tools/heapsnapshot-check.py), and the error cases (gull.h, "what is
 * alive, and why"; doc/DESIGN.md section 7a).
 */
#include "testutil.h"

#include <sys/resource.h>
#include <sys/wait.h>

/* Every mode the census must be exact in (GULLTEST_MODE=inc turns gen into inc). */
static const gull_mode modes[] = {GULL_MODE_GEN, GULL_MODE_FULL, GULL_MODE_INC};

static gull_heap *heap_verified(gull_mode m, bool conservative)
{
    gull_config c;
    tu_config(&c);
    c.mode = m == GULL_MODE_GEN ? tu_gen_mode() : m;
    c.verify = 2; /* the census must leave nothing the verifier trips over */
    c.conservative_stack = conservative;
    return tu_heap(&c);
}

static const gull_census_entry *line_of(const gull_census *c, gull_type t)
{
    cr_assert_lt(t.id, c->ntypes);
    cr_assert_eq(c->entries[t.id].type.id, t.id);
    return &c->entries[t.id];
}

/* A heap with known contents: returns the expected census line by line. */
typedef struct expect {
    size_t cells, cell_bytes, vecs, vec_bytes, blobs, blob_bytes, blob_native;
} expect;

static void *root;

static expect build(gull_heap *h, tu_types t)
{
    expect e = {0};
    root = NULL;
    cr_assert(gull_root_add(h, &root));
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + 40 * sizeof(void *));
    cr_assert_not_null(v);
    v->n = 40;
    root = v;
    e.vecs++;
    e.vec_bytes += gull_object_size(h, v);
    for (int i = 0; i < 40; i++) {
        void *x;
        if (i % 4 == 0) {
            x = gull_alloc(h, t.blob, 100 + (size_t)i);
            cr_assert_not_null(x);
            gull_set_native_size(h, x, 1000 + (size_t)i);
            e.blobs++;
            e.blob_bytes += gull_object_size(h, x);
            e.blob_native += 1000 + (size_t)i;
        } else {
            x = tu_cons(h, t.cell, TU_FIX(i), NULL);
            e.cells++;
            e.cell_bytes += gull_object_size(h, x);
        }
        GULL_WRITE(h, v, &v->items[i], x);
    }
    /* a large object (pages of its own), reachable */
    tu_vec *big = gull_alloc(h, t.vec, sizeof(tu_vec) + 3000 * sizeof(void *));
    cr_assert_not_null(big);
    big->n = 3000;
    GULL_WRITE(h, v, &v->items[1], big); /* replaces a cell: that cell is garbage now */
    e.cells--;
    e.cell_bytes -= 16;
    e.vecs++;
    e.vec_bytes += gull_object_size(h, big);
    /* garbage that must not be counted, native size included */
    for (int i = 0; i < 100; i++) {
        void *g = gull_alloc(h, t.blob, 64);
        gull_set_native_size(h, g, 5000);
        tu_cons(h, t.cell, NULL, NULL);
    }
    return e;
}

static void check_census(gull_heap *h, tu_types t, expect e, const char *when)
{
    gull_census c;
    cr_assert_eq(gull_census_take(h, 0, &c), GULL_OK, "%s", when);
    const gull_census_entry *cell = line_of(&c, t.cell), *vec = line_of(&c, t.vec),
                            *blob = line_of(&c, t.blob);
    cr_expect_eq(cell->count, e.cells, "%s: cells %zu, want %zu", when, cell->count, e.cells);
    cr_expect_eq(cell->bytes, e.cell_bytes, "%s", when);
    cr_expect_eq(cell->native_bytes, 0, "%s", when);
    cr_expect_eq(vec->count, e.vecs, "%s", when);
    cr_expect_eq(vec->bytes, e.vec_bytes, "%s: vec bytes %zu, want %zu", when, vec->bytes, e.vec_bytes);
    cr_expect_eq(blob->count, e.blobs, "%s", when);
    cr_expect_eq(blob->bytes, e.blob_bytes, "%s", when);
    cr_expect_eq(blob->native_bytes, e.blob_native, "%s: native %zu, want %zu", when, blob->native_bytes,
                 e.blob_native);
    cr_expect_str_eq(blob->name, "blob");
    cr_expect_eq(c.count, e.cells + e.vecs + e.blobs, "%s", when);
    cr_expect_eq(c.bytes, e.cell_bytes + e.vec_bytes + e.blob_bytes, "%s", when);
    cr_expect_eq(c.native_bytes, e.blob_native, "%s", when);
    gull_census_free(&c);
    cr_expect_eq(c.entries, NULL);
}

Test(census, exact_in_every_mode)
{
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        tu_err_reset();
        gull_heap *h = heap_verified(modes[m], false);
        tu_types t = tu_register_types(h);
        expect e = build(h, t);
        uint64_t before = tu_collections(h);
        check_census(h, t, e, "before any collection");
        cr_expect_eq(tu_collections(h), before, "a census does not collect");
        gull_collect(h, GULL_COLLECT_MINOR);
        check_census(h, t, e, "after a minor");
        gull_collect(h, GULL_COLLECT_MAJOR);
        check_census(h, t, e, "after a major");
        cr_expect_eq(tu_err.count, 0, "errors (mode %s): %s", gull_mode_name(modes[m]), tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

/* inc: a census between the steps of a cycle, in every phase, leaves the
 * cycle to finish correctly (the verifier at level 2 checks it). */
Test(census, between_incremental_steps)
{
    tu_err_reset();
    gull_heap *h = heap_verified(GULL_MODE_INC, false);
    tu_types t = tu_register_types(h);
    expect e = build(h, t);
    gull_collect(h, GULL_COLLECT_MAJOR);
    /* more old garbage for the cycle to find */
    for (int i = 0; i < 200; i++)
        tu_cons(h, t.cell, NULL, NULL);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_assert(gull_debug_start_cycle(h));
    int steps = 0;
    do {
        char when[64];
        snprintf(when, sizeof when, "phase %s", gull_phase_name(gull_debug_phase(h)));
        check_census(h, t, e, when);
        steps++;
    } while (gull_debug_step(h, 256) && steps < 10000);
    cr_expect_eq(gull_debug_phase(h), GULL_PHASE_IDLE);
    gull_collect(h, GULL_COLLECT_MAJOR);
    check_census(h, t, e, "after the cycle");
    cr_expect_eq(tu_err.count, 0, "errors: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(census, diff_orders_by_growth)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *list = NULL, *blobs = NULL, *fnodes = NULL;
    GULL_FRAME(h, &list, &blobs, &fnodes);
    for (int i = 0; i < 50; i++)
        fnodes = tu_cons(h, t.cell, tu_fnode_new(h, t.fnode, i), fnodes);
    gull_census a;
    cr_assert_eq(gull_census_take(h, 0, &a), GULL_OK);
    /* cells: +100 (1600 bytes); blobs: +10 of 512 bytes + 100 native each;
     * fnodes: -50 (dropped) */
    for (int i = 0; i < 100; i++)
        list = tu_cons(h, t.cell, NULL, list);
    for (int i = 0; i < 10; i++) {
        void *b = gull_alloc(h, t.blob, 512);
        gull_set_native_size(h, b, 100);
        blobs = tu_cons(h, t.cell, b, blobs);
    }
    fnodes = NULL;
    gull_census b;
    cr_assert_eq(gull_census_take(h, 0, &b), GULL_OK);
    gull_census_delta d[8];
    size_t n = gull_census_diff(&a, &b, d, 8);
    /* cells grew by 100 + 10 - 50 = 60 (960 bytes), blobs by 5120 + 1000 */
    cr_assert_eq(n, 2, "%zu types grew", n);
    cr_expect_eq(d[0].type.id, t.blob.id, "largest growth first: %s", d[0].name);
    cr_expect_eq(d[0].count, 10);
    cr_expect_eq(d[0].bytes, 5120);
    cr_expect_eq(d[0].native_bytes, 1000);
    cr_expect_eq(d[1].type.id, t.cell.id);
    cr_expect_eq(d[1].count, 60);
    cr_expect_eq(d[1].bytes, 960);
    cr_expect_eq(gull_census_diff(&a, &b, NULL, 0), 2, "counting only");
    cr_expect_eq(gull_census_diff(&b, &b, d, 8), 0, "nothing grew");
    FILE *f = tmpfile();
    gull_census_print(&a, &b, f);
    gull_census_print(NULL, &b, f);
    rewind(f);
    char text[4096] = {0};
    cr_assert(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    cr_expect(strstr(text, "blob"), "%s", text);
    cr_expect(strstr(text, "total"), "%s", text);
    gull_census_free(&a);
    gull_census_free(&b);
    GULL_FRAME_END(h);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- paths */

static void path_of(gull_heap *h, void *obj, gull_path *p, size_t want_len)
{
    cr_assert_eq(gull_path_to_root(h, obj, p), GULL_OK, "%s", tu_err.last_msg);
    cr_assert_eq(p->len, want_len, "path length %zu, want %zu", p->len, want_len);
    cr_assert_eq(p->steps[p->len - 1].obj, obj);
}

static void *cb_slots[3];
static void cb_roots(gull_heap *h, gull_visit_fn visit, void *vctx, void *ctx)
{
    (void)h;
    (void)ctx;
    for (int i = 0; i < 3; i++)
        visit(&cb_slots[i], vctx);
}

Test(path, every_root_kind)
{
    tu_err_reset();
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        gull_heap *h = heap_verified(modes[m], false);
        tu_types t = tu_register_types(h);
        char buf[512];
        gull_path p;
        /* global slots: the second registered */
        static void *g0, *g1;
        g0 = g1 = NULL;
        gull_root_add(h, &g0);
        gull_root_add(h, &g1);
        g1 = tu_cons(h, t.cell, NULL, NULL);
        path_of(h, g1, &p, 1);
        cr_expect_eq(p.root.kind, GULL_ROOT_SLOT);
        cr_expect_eq(p.root.index, 1);
        cr_expect_eq(p.root.slot, &g1);
        gull_path_format(h, &p, buf, sizeof buf);
        cr_expect(strstr(buf, "global slot #1"), "%s", buf);
        gull_path_free(&p);
        /* a range, word 5 */
        static void *range[8];
        memset(range, 0, sizeof range);
        gull_root_range_add(h, &range[0], &range[8]);
        range[5] = tu_cons(h, t.cell, NULL, NULL);
        path_of(h, range[5], &p, 1);
        cr_expect_eq(p.root.kind, GULL_ROOT_RANGE);
        cr_expect_eq(p.root.index, 0);
        cr_expect_eq(p.root.offset, 5);
        gull_path_free(&p);
        /* a callback's third slot */
        memset(cb_slots, 0, sizeof cb_slots);
        gull_root_callback_add(h, cb_roots, NULL);
        cb_slots[2] = tu_cons(h, t.cell, NULL, NULL);
        path_of(h, cb_slots[2], &p, 1);
        cr_expect_eq(p.root.kind, GULL_ROOT_CALLBACK);
        cr_expect_eq(p.root.index, 0);
        cr_expect_eq(p.root.offset, 2);
        cr_expect_eq(p.root.slot, &cb_slots[2]);
        gull_path_free(&p);
        /* frames: the outer frame's second argument, through a cell */
        void *a = NULL, *b = NULL;
        GULL_FRAME(h, &a, &b);
        b = tu_cons(h, t.cell, NULL, NULL);
        void *target = tu_cons(h, t.cell, NULL, NULL);
        GULL_WRITE(h, b, &((tu_cell *)b)->cdr, target);
        {
            void *c = NULL;
            void **slots2[] = {&c};
            gull_frame inner = {NULL, 1, slots2};
            gull_frame_push(h, &inner);
            path_of(h, target, &p, 2);
            cr_expect_eq(p.root.kind, GULL_ROOT_FRAME);
            cr_expect_eq(p.root.index, 1, "depth: the outer frame");
            cr_expect_eq(p.root.offset, 1, "its second argument");
            cr_expect_eq(p.steps[0].obj, b);
            cr_expect_eq(p.steps[0].offset, 8, "cdr");
            cr_expect_eq(p.steps[0].type.id, t.cell.id);
            gull_path_format(h, &p, buf, sizeof buf);
            cr_expect(strstr(buf, "frame 1 arg 1 -> cell+8 -> cell"), "%s", buf);
            gull_path_free(&p);
            gull_frame_pop(h, &inner);
        }
        GULL_FRAME_END(h);
        gull_root_callback_remove(h, cb_roots, NULL);
        gull_root_range_remove(h, &range[0]);
        gull_root_remove(h, &g0);
        gull_root_remove(h, &g1);
        cr_expect_eq(tu_err.count, 0, "%s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

static gull_heap *fin_heap;
static int fin_calls, fin_err;
static void fin_census(gull_heap *h, void *obj)
{
    (void)obj;
    gull_census c;
    fin_calls++;
    if (gull_census_take(h, 0, &c) == GULL_ERR_MISUSE)
        fin_err++;
}

Test(path, finalizer_queue_and_unreachable)
{
    tu_err_reset();
    gull_config c;
    tu_config(&c);
    c.finalize_on_demand = true;
    gull_heap *h = tu_heap(&c);
    fin_heap = h;
    tu_types t = tu_register_types(h);
    gull_type ft = tu_register(h, "fin", tu_cell_trace, 0, fin_census);
    tu_cell *f = gull_alloc(h, ft, sizeof(tu_cell));
    void *kept = tu_cons(h, t.cell, NULL, NULL);
    GULL_WRITE(h, f, &f->car, kept);
    void *garbage = tu_cons(h, t.cell, NULL, NULL);
    gull_path p;
    cr_assert_eq(gull_path_to_root(h, garbage, &p), GULL_OK);
    cr_expect_eq(p.len, 0, "unreachable: an empty path");
    gull_path_free(&p);
    char buf[128];
    gull_path_format(h, &p, buf, sizeof buf);
    cr_expect(strstr(buf, "unreachable"), "%s", buf);
    gull_collect(h, GULL_COLLECT_MAJOR); /* f is now waiting for its finalizer */
    cr_assert_eq(gull_path_to_root(h, kept, &p), GULL_OK);
    cr_assert_eq(p.len, 2);
    cr_expect_eq(p.root.kind, GULL_ROOT_FINALIZER);
    cr_expect_eq(p.steps[0].obj, f);
    gull_path_free(&p);
    /* the census from inside a finalizer is refused */
    cr_expect_eq(gull_run_finalizers(h), 1);
    cr_expect_eq(fin_calls, 1);
    cr_expect_eq(fin_err, 1);
    cr_expect(tu_err_has(GULL_ERR_MISUSE, "gull_census_take", "finalizer", NULL));
    gull_heap_destroy(h);
}

__attribute__((noinline)) static void conservative_case(gull_heap *h, tu_types t)
{
    void *volatile local = tu_cons(h, t.cell, NULL, NULL);
    gull_path p;
    cr_assert_eq(gull_path_to_root(h, local, &p), GULL_OK);
    cr_assert_eq(p.len, 1);
    cr_expect(p.root.kind == GULL_ROOT_STACK || p.root.kind == GULL_ROOT_REGISTERS, "kind %d",
              (int)p.root.kind);
    char buf[256];
    gull_path_format(h, &p, buf, sizeof buf);
    cr_expect(strstr(buf, "stack word at offset") || strstr(buf, "register"), "%s", buf);
    gull_path_free(&p);
}

Test(path, conservative_stack_word)
{
    tu_err_reset();
    gull_heap *h = heap_verified(GULL_MODE_GEN, true);
    tu_types t = tu_register_types(h);
    conservative_case(h, t);
    gull_heap_destroy(h);
}

Test(path, shortest_of_two)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *long_way = NULL, *short_way = NULL;
    GULL_FRAME(h, &long_way, &short_way);
    void *target = tu_cons(h, t.cell, NULL, NULL);
    /* long: 6 cells then target; registered first, so found first by a DFS */
    void *x = target;
    for (int i = 0; i < 6; i++)
        x = tu_cons(h, t.cell, NULL, x);
    long_way = x;
    short_way = tu_cons(h, t.cell, target, NULL);
    gull_path p;
    path_of(h, target, &p, 2);
    cr_expect_eq(p.root.offset, 1, "through short_way");
    cr_expect_eq(p.steps[0].offset, 0, "car");
    gull_path_free(&p);
    short_way = NULL;
    path_of(h, target, &p, 7);
    gull_path_free(&p);
    GULL_FRAME_END(h);
    gull_heap_destroy(h);
}

/* field names: cache.table[17].value */
typedef struct cache { void *table; } cache;
typedef struct entry { void *key, *value; } entry;
static void trace_cache(void *o, gull_visit_fn v, void *c) { v(&((cache *)o)->table, c); }
static const char *name_cache(const void *o, size_t off, char *buf, size_t n)
{
    (void)o; (void)buf; (void)n;
    return off == 0 ? "table" : NULL;
}
static const char *name_vec(const void *o, size_t off, char *buf, size_t n)
{
    (void)o;
    snprintf(buf, n, "[%zu]", (off - offsetof(tu_vec, items)) / sizeof(void *));
    return buf;
}
static const char *name_entry(const void *o, size_t off, char *buf, size_t n)
{
    (void)o; (void)buf; (void)n;
    return off == 0 ? "key" : "value";
}

Test(path, field_names)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    gull_type tc = gull_register_type(h, &(gull_type_desc){"cache", trace_cache, 0, NULL, NULL, name_cache});
    gull_type tv = gull_register_type(h, &(gull_type_desc){"table", tu_vec_trace, 0, NULL, NULL, name_vec});
    gull_type te = gull_register_type(h, &(gull_type_desc){"entry", tu_cell_trace, 0, NULL, NULL, name_entry});
    gull_type tb = tu_register(h, "blob", NULL, GULL_TYPE_NO_POINTERS, NULL);
    static void *g;
    gull_root_add(h, &g);
    cache *c = gull_alloc(h, tc, sizeof *c);
    g = c;
    tu_vec *v = gull_alloc(h, tv, sizeof(tu_vec) + 32 * sizeof(void *));
    v->n = 32;
    GULL_WRITE(h, c, &c->table, v);
    entry *e = gull_alloc(h, te, sizeof *e);
    GULL_WRITE(h, v, &v->items[17], e);
    void *val = gull_alloc(h, tb, 32);
    GULL_WRITE(h, e, &e->value, val);
    gull_path p;
    path_of(h, val, &p, 4);
    char buf[512];
    gull_path_format(h, &p, buf, sizeof buf);
    cr_expect(strstr(buf, "-> cache.table -> table[17] -> entry.value -> blob"), "%s", buf);
    /* a short buffer is cut, and the full length returned */
    char small[10];
    int len = gull_path_format(h, &p, small, sizeof small);
    cr_expect_eq((size_t)len, strlen(buf));
    cr_expect_eq(strlen(small), 9);
    gull_path_free(&p);
    gull_heap_destroy(h);
}

/* A list of a million cells: no recursion anywhere, and a path that long. */
Test(path, long_list)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    static void *head;
    head = NULL;
    gull_root_add(h, &head);
    void *last = tu_cons(h, t.cell, NULL, NULL);
    head = last;
    const size_t n = 1000000;
    for (size_t i = 1; i < n; i++)
        head = tu_cons(h, t.cell, NULL, head);
    gull_path p;
    path_of(h, last, &p, n);
    gull_path_free(&p);
    gull_census c;
    cr_assert_eq(gull_census_take(h, GULL_CENSUS_RETAINED, &c), GULL_OK);
    cr_expect_eq(line_of(&c, t.cell)->count, n);
    cr_expect_eq(line_of(&c, t.cell)->retained, n * 16);
    gull_census_free(&c);
    size_t r;
    cr_assert_eq(gull_retained_size(h, head, &r), GULL_OK);
    cr_expect_eq(r, n * 16);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- dominators */

static size_t retained(gull_heap *h, void *obj)
{
    size_t r = 0;
    cr_assert_eq(gull_retained_size(h, obj, &r), GULL_OK, "%s", tu_err.last_msg);
    return r;
}

Test(dominators, diamond_chain_cycle)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *r1 = NULL, *r2 = NULL, *r3 = NULL;
    GULL_FRAME(h, &r1, &r2, &r3);
    /* diamond: a -> b, c; b -> d; c -> d; d owns 100 native bytes */
    tu_cell *d = tu_cons(h, t.cell, NULL, NULL);
    gull_set_native_size(h, d, 100);
    tu_cell *b = tu_cons(h, t.cell, d, NULL), *c = tu_cons(h, t.cell, d, NULL);
    tu_cell *a = tu_cons(h, t.cell, b, c);
    r1 = a;
    cr_expect_eq(retained(h, a), 4 * 16 + 100);
    cr_expect_eq(retained(h, b), 16, "b does not dominate d");
    cr_expect_eq(retained(h, d), 16 + 100);
    /* chain: x1 -> x2 -> x3 */
    tu_cell *x3 = tu_cons(h, t.cell, NULL, NULL);
    tu_cell *x2 = tu_cons(h, t.cell, x3, NULL);
    tu_cell *x1 = tu_cons(h, t.cell, x2, NULL);
    r2 = x1;
    cr_expect_eq(retained(h, x1), 48);
    cr_expect_eq(retained(h, x2), 32);
    cr_expect_eq(retained(h, x3), 16);
    /* cycle: y1 -> y2 -> y3 -> y1, y2 -> big blob */
    tu_cell *y3 = tu_cons(h, t.cell, NULL, NULL);
    void *blob = gull_alloc(h, t.blob, 1000);
    tu_cell *y2 = tu_cons(h, t.cell, y3, blob);
    tu_cell *y1 = tu_cons(h, t.cell, y2, NULL);
    GULL_WRITE(h, y3, &y3->car, y1);
    r3 = y1;
    size_t bs = gull_object_size(h, blob);
    cr_expect_eq(retained(h, y1), 48 + bs);
    cr_expect_eq(retained(h, y2), 32 + bs);
    cr_expect_eq(retained(h, y3), 16);
    /* a second root to y2 cuts y1's share */
    r2 = y2;
    cr_expect_eq(retained(h, y1), 16);
    cr_expect_eq(retained(h, y2), 32 + bs);
    /* unreachable: itself */
    cr_expect_eq(retained(h, x1), 16);
    /* per type: cells retain everything but nothing is topmost twice;
     * the blob is inside y2 */
    gull_census cs;
    cr_assert_eq(gull_census_take(h, GULL_CENSUS_RETAINED, &cs), GULL_OK);
    cr_expect_eq(line_of(&cs, t.cell)->retained, cs.bytes + cs.native_bytes);
    cr_expect_eq(line_of(&cs, t.blob)->retained, bs);
    cr_expect_eq(line_of(&cs, t.blob)->count, 1);
    gull_census_free(&cs);
    GULL_FRAME_END(h);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- snapshot */

static bool have_python(void)
{
    return system("python3 -c 'import json' >/dev/null 2>&1") == 0;
}

static void check_file(const char *file, size_t objects, size_t edges, const char *names)
{
    if (!have_python()) {
        cr_log_warn("python3 not found: the snapshot's structure is not checked");
        return;
    }
    const char *top = getenv("top_srcdir");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 %s/tools/heapsnapshot-check.py %s --nodes %zu --edges %zu %s",
             top ? top : "..", file, objects, edges, names);
    int rc = system(cmd);
    cr_expect(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "%s failed", cmd);
}

Test(snapshot, counts_match_the_heap)
{
    tu_err_reset();
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        gull_heap *h = heap_verified(modes[m], false);
        tu_types t = tu_register_types(h);
        expect e = build(h, t);
        /* edges: the vec's 40 slots (one replaced by the big vec) hold an
         * object each; the big vec holds none; root side: one root-kind
         * edge, one root edge. */
        size_t edges = 40 + 1 + 1;
        char file[] = "/tmp/gull-census-XXXXXX";
        int fd = mkstemp(file);
        cr_assert(fd >= 0);
        close(fd);
        cr_assert_eq(gull_heap_snapshot(h, file), GULL_OK, "%s", tu_err.last_msg);
        char names[128];
        snprintf(names, sizeof names, "--name cell=%zu --name blob=%zu --name vec=%zu", e.cells, e.blobs,
                 e.vecs);
        check_file(file, e.cells + e.blobs + e.vecs, edges, names);
        /* the file starts as V8's do */
        FILE *f = fopen(file, "r");
        char head[64] = {0};
        cr_assert(fread(head, 1, sizeof head - 1, f) > 0);
        fclose(f);
        cr_expect(strncmp(head, "{\"snapshot\":{\"meta\":{\"node_fields\":", 34) == 0, "%s", head);
        unlink(file);
        gull_collect(h, GULL_COLLECT_MAJOR);
        cr_expect_eq(tu_err.count, 0, "%s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(snapshot, field_names_and_root_kinds)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    gull_type te = gull_register_type(h, &(gull_type_desc){"entry", tu_cell_trace, 0, NULL, NULL, name_entry});
    static void *g, *range[4];
    gull_root_add(h, &g);
    gull_root_range_add(h, &range[0], &range[4]);
    entry *e = gull_alloc(h, te, sizeof *e);
    g = e;
    GULL_WRITE(h, e, &e->value, gull_alloc(h, te, sizeof *e));
    range[2] = e->value;
    range[3] = e;
    char file[] = "/tmp/gull-census-XXXXXX";
    int fd = mkstemp(file);
    close(fd);
    cr_assert_eq(gull_heap_snapshot(h, file), GULL_OK);
    /* 2 objects; edges: 2 root kinds + 3 roots + 1 field */
    check_file(file, 2, 6, "--name entry=2");
    FILE *f = fopen(file, "r");
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    cr_expect(strstr(text, "\"value\""), "the field name is a string");
    cr_expect(strstr(text, "\"(global slots)\""));
    cr_expect(strstr(text, "\"range #0 [2]\""));
    unlink(file);
    gull_heap_destroy(h);
}

/* The text of a file (malloc'd, NUL-terminated; *len its length). */
static char *slurp(const char *file, size_t *len)
{
    FILE *f = fopen(file, "r");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    cr_assert_geq(n, 0);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    cr_assert_not_null(text);
    cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return text;
}

/* The writer's buffer (snapshot.c .out) is 1 MiB: a heap whose snapshot
 * is several MiB has rows that straddle its flushes.  The same heap
 * written to a file and to a stream that is not a file gives the same
 * bytes, and a well-formed file. */
Test(snapshot, large_file_and_stream_agree)
{
    tu_err_reset();
    gull_heap *h = heap_verified(GULL_MODE_GEN, false);
    tu_types t = tu_register_types(h);
    static void *head;
    head = NULL;
    gull_root_add(h, &head);
    size_t cells = 100000, vecs = 2000;
    for (size_t i = 0; i < cells; i++)
        head = tu_cons(h, t.cell, TU_FIX(i), head);
    /* vecs hanging off the list's first cells: "element" edges with word indexes */
    tu_cell *c = head;
    for (size_t i = 0; i < vecs; i++, c = c->cdr) {
        tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + 3 * sizeof(void *));
        cr_assert_not_null(v);
        v->n = 3;
        GULL_WRITE(h, v, &v->items[2], c->cdr);
        GULL_WRITE(h, c, &c->car, v);
    }
    char file[] = "/tmp/gull-census-XXXXXX";
    int fd = mkstemp(file);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(gull_heap_snapshot(h, file), GULL_OK, "%s", tu_err.last_msg);
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    cr_assert_not_null(f);
    cr_assert_eq(gull_heap_snapshot_write(h, f), GULL_OK, "%s", tu_err.last_msg);
    fclose(f);
    size_t len;
    char *text = slurp(file, &len);
    cr_expect_gt(len, (size_t)3 << 20, "%zu bytes: more than three buffers", len);
    cr_expect_eq(memlen, len);
    cr_expect(memlen == len && memcmp(mem, text, len) == 0, "the file and the stream differ");
    /* edges: the list's cdrs, each vec's item, the cars holding vecs, one root */
    char names[128];
    snprintf(names, sizeof names, "--name cell=%zu --name vec=%zu", cells, vecs);
    check_file(file, cells + vecs, (cells - 1) + vecs + vecs + 2, names);
    free(mem);
    free(text);
    unlink(file);
    cr_expect_eq(tu_err.count, 0, "%s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* Numbers of every length from 1 to 13 digits, and ids of addresses
 * (snapshot.c .digits): self sizes set through native sizes, read back
 * from the nodes with the id of their object's address. */
Test(snapshot, numbers_of_every_length)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    enum { N = 40 };
    static void *objs[N];
    gull_root_range_add(h, &objs[0], &objs[N]);
    uint64_t want[N];
    size_t n = 0;
    size_t cell = 0;
    for (uint64_t p = 100; p <= 1000000000000ull; p *= 10) { /* GULL_MAX_ALLOC is 2^40 */
        uint64_t sizes[3] = {p - 1, p, p + 1};
        for (int k = 0; k < 3 && n < N; k++, n++) {
            objs[n] = gull_alloc(h, t.blob, 32);
            cr_assert_not_null(objs[n]);
            cell = gull_object_size(h, objs[n]);
            want[n] = sizes[k] < cell ? cell : sizes[k];
            gull_set_native_size(h, objs[n], (size_t)(want[n] - cell));
        }
    }
    cr_assert_eq(tu_err.count, 0, "%s", tu_err.last_msg);
    char file[] = "/tmp/gull-census-XXXXXX";
    int fd = mkstemp(file);
    cr_assert(fd >= 0);
    close(fd);
    cr_assert_eq(gull_heap_snapshot(h, file), GULL_OK, "%s", tu_err.last_msg);
    check_file(file, n, n + 1, "");
    size_t len;
    char *text = slurp(file, &len);
    char *p = strstr(text, "\"nodes\":[");
    cr_assert_not_null(p);
    p += strlen("\"nodes\":[");
    bool found[N] = {false};
    while (*p != ']') { /* rows of 7 numbers: ",3,1,7,96,2,0,0\n" */
        uint64_t row[7];
        p += *p == ',';
        for (int i = 0; i < 7; i++) {
            char *end;
            row[i] = strtoull(p, &end, 10);
            cr_assert(end > p && (*end == ',' || *end == '\n'), "a number at %.20s", p);
            p = end + 1;
        }
        for (size_t i = 0; i < n; i++)
            if (row[2] == ((uintptr_t)objs[i] >> 3) + 1) {
                cr_expect_eq(row[3], want[i], "object %zu: self_size %llu, want %llu", i,
                             (unsigned long long)row[3], (unsigned long long)want[i]);
                found[i] = true;
            }
    }
    for (size_t i = 0; i < n; i++)
        cr_expect(found[i], "object %zu (%p) has no node", i, objs[i]);
    free(text);
    unlink(file);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- errors */

static gull_heap *trace_heap;
static int trace_refusals;
static void trace_calling_gull(void *obj, gull_visit_fn visit, void *ctx)
{
    gull_path p;
    if (gull_path_to_root(trace_heap, obj, &p) == GULL_ERR_MISUSE)
        trace_refusals++;
    tu_cell_trace(obj, visit, ctx);
}

Test(errors, bad_calls)
{
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    gull_census c;
    gull_path p;
    size_t r;
    cr_expect_eq(gull_census_take(NULL, 0, &c), GULL_ERR_NULL_ARG);
    cr_expect_eq(gull_census_take(h, 0, NULL), GULL_ERR_NULL_ARG);
    cr_expect_eq(gull_census_take(h, 0x80, &c), GULL_ERR_MISUSE);
    cr_expect_eq(gull_path_to_root(h, NULL, &p), GULL_ERR_NULL_ARG);
    int local;
    cr_expect_eq(gull_path_to_root(h, &local, &p), GULL_ERR_FOREIGN_POINTER);
    cr_expect(tu_err_has(GULL_ERR_FOREIGN_POINTER, "gull_path_to_root", "not a live object", NULL));
    void *x = tu_cons(h, t.cell, NULL, NULL);
    cr_expect_eq(gull_path_to_root(h, (char *)x + 16, &p), GULL_ERR_FOREIGN_POINTER, "interior");
    cr_expect_eq(gull_retained_size(h, &local, &r), GULL_ERR_FOREIGN_POINTER);
    cr_expect_eq(gull_retained_size(h, x, NULL), GULL_ERR_NULL_ARG);
    cr_expect_eq(gull_heap_snapshot(h, NULL), GULL_ERR_NULL_ARG);
    cr_expect_eq(gull_heap_snapshot(h, "/nonexistent-dir/x.heapsnapshot"), GULL_ERR_IO);
    cr_expect(tu_err_has(GULL_ERR_IO, "cannot open", "nonexistent", NULL));
    cr_expect_eq(gull_heap_snapshot_write(h, NULL), GULL_ERR_NULL_ARG);
    cr_expect_eq(gull_census_diff(NULL, NULL, NULL, 0), 0);
    gull_census_free(NULL);
    gull_path_free(NULL);
    /* from a trace function (inside a collection): refused, the collection goes on */
    trace_heap = h;
    gull_type tt = tu_register(h, "tracer", trace_calling_gull, 0, NULL);
    static void *g;
    gull_root_add(h, &g);
    g = gull_alloc(h, tt, sizeof(tu_cell));
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_expect_gt(trace_refusals, 0);
    cr_expect(tu_err_has(GULL_ERR_MISUSE, "gull_path_to_root", "trace function", NULL));
    /* and the graph walk itself runs trace functions with the guard on */
    trace_refusals = 0;
    cr_expect_eq(gull_census_take(h, 0, &c), GULL_OK);
    cr_expect_gt(trace_refusals, 0);
    gull_census_free(&c);
    gull_heap_destroy(h);
}

/* Out of memory for the side tables: reported, the heap unchanged and
 * usable.  Address-space limits and AddressSanitizer's shadow memory do not
 * mix, so the sanitizer build skips it. */
#if defined(__SANITIZE_ADDRESS__)
#define TU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TU_ASAN 1
#endif
#endif

static size_t vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

Test(errors, out_of_memory_for_the_graph)
{
#ifdef TU_ASAN
    cr_skip_test("address-space limits do not work under AddressSanitizer");
#else
    tu_err_reset();
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    static void *head;
    head = NULL;
    gull_root_add(h, &head);
    for (int i = 0; i < 1000000; i++)
        head = tu_cons(h, t.cell, NULL, head);
    size_t vm = vm_bytes();
    if (!vm)
        cr_skip_test("no /proc/self/statm");
    struct rlimit old, low;
    cr_assert_eq(getrlimit(RLIMIT_AS, &old), 0);
    low = old;
    low.rlim_cur = vm + (1 << 20); /* the side tables need ~16 MB */
    cr_assert_eq(setrlimit(RLIMIT_AS, &low), 0);
    gull_census c;
    gull_error e = gull_census_take(h, 0, &c);
    gull_path p;
    gull_error e2 = gull_path_to_root(h, head, &p);
    setrlimit(RLIMIT_AS, &old);
    cr_expect_eq(e, GULL_ERR_OUT_OF_MEMORY);
    cr_expect_eq(e2, GULL_ERR_OUT_OF_MEMORY);
    cr_expect(tu_err_has(GULL_ERR_OUT_OF_MEMORY, "gull_census_take", "side tables", NULL), "%s", tu_err.last_msg);
    cr_expect_eq(c.entries, NULL);
    /* unchanged and usable */
    cr_assert_eq(gull_census_take(h, 0, &c), GULL_OK);
    cr_expect_eq(line_of(&c, t.cell)->count, 1000000);
    gull_census_free(&c);
    gull_collect(h, GULL_COLLECT_MAJOR);
    head = tu_cons(h, t.cell, NULL, head);
    gull_heap_destroy(h);
#endif
}
