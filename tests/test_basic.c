/* test_basic.c — allocation, object queries, bad input, several heaps.
 *
 * What the host is promised (gull.h, DESIGN.md section 1): zeroed, 16-byte
 * aligned memory of at least the requested size; gull_type_of / name;
 * gull_is_object only for object starts; every bad input reported once
 * through the error handler with the documented return value, and the heap
 * usable afterwards; heaps do not share state.
 */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* Allocate sizes 1..5000 of a no-pointer type, check each, then scribble on
 * it so that a later allocation reusing the cell proves gull zeroes it. */
static void alloc_sizes_once(gull_heap *h, gull_type blob)
{
    for (size_t s = 1; s <= 5000; s++) {
        unsigned char *p = gull_alloc(h, blob, s);
        cr_assert_not_null(p, "gull_alloc(%zu) returned NULL", s);
        cr_assert_eq((uintptr_t)p & 15u, 0, "gull_alloc(%zu) = %p is not 16-byte aligned",
                     s, (void *)p);
        cr_assert(all_zero(p, s), "gull_alloc(%zu) returned non-zeroed memory", s);
        size_t os = gull_object_size(h, p);
        cr_assert_geq(os, s, "gull_object_size = %zu < requested %zu", os, s);
        cr_assert(all_zero(p, os), "gull_alloc(%zu): usable tail (%zu bytes) not zeroed", s, os);
        cr_assert(gull_is_object(h, p));
        memset(p, 0xA5, os);
    }
}

Test(basic, alloc_zeroed_aligned_small_sizes)
{
    for (int m = 0; m < 2; m++) {
        gull_heap *h = tu_heap_mode(m == 0 ? GULL_MODE_GEN : GULL_MODE_FULL);
        tu_types t = tu_register_types(h);
        for (int round = 0; round < 3; round++) {
            alloc_sizes_once(h, t.blob);
            /* The scribbled cells are garbage now: collecting and allocating
             * again must hand out zeroed memory from reused cells. */
            gull_collect(h, round == 1 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
        }
        /* Pointer-carrying types are zeroed too (a stale pointer would be fatal). */
        for (int i = 0; i < 20000; i++) {
            tu_cell *c = gull_alloc(h, t.cell, sizeof *c);
            cr_assert_not_null(c);
            cr_assert(c->car == NULL && c->cdr == NULL, "fresh cell %d not zeroed", i);
            gull_write(h, c, &c->car, TU_FIX(i));
            gull_write(h, c, &c->cdr, c);
        }
        gull_collect(h, GULL_COLLECT_MAJOR);
        for (int i = 0; i < 20000; i++) {
            tu_cell *c = gull_alloc(h, t.cell, sizeof *c);
            cr_assert(c->car == NULL && c->cdr == NULL, "reused cell %d not zeroed", i);
        }
        cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
        gull_heap_destroy(h);
    }
}

Test(basic, alloc_large_objects)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    const size_t sizes[] = {2049, 4096, 65536 + 3, (size_t)1 << 20, ((size_t)1 << 20) + 1,
                            (size_t)4 << 20, (size_t)10 << 20};
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t s = sizes[i];
            unsigned char *p = gull_alloc(h, t.blob, s);
            cr_assert_not_null(p, "gull_alloc(%zu) returned NULL", s);
            cr_assert_eq((uintptr_t)p & 15u, 0, "large object %p not aligned", (void *)p);
            cr_assert_geq(gull_object_size(h, p), s);
            cr_assert(all_zero(p, s), "large object of %zu bytes not zeroed (round %d)", s,
                      round);
            cr_assert(gull_is_object(h, p));
            cr_assert_eq(gull_type_of(h, p).id, t.blob.id);
            cr_assert(!gull_is_object(h, p + 16), "interior of a large object is an object");
            cr_assert(!gull_is_object(h, p + s / 2 - (s / 2) % 16),
                      "middle of a large object is an object");
            memset(p, 0x5A, s);
        }
        gull_collect(h, GULL_COLLECT_MAJOR);
        gull_collect(h, GULL_COLLECT_MAJOR);
    }
    /* a large object holding pointers starts zeroed too */
    tu_vec *v = gull_alloc(h, t.vec, sizeof(tu_vec) + 200000 * sizeof(void *));
    cr_assert_not_null(v);
    cr_assert(all_zero(v, sizeof(tu_vec) + 200000 * sizeof(void *)));
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(basic, type_of_and_type_name)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    char name[32];
    strcpy(name, "pair");
    gull_type_desc d = {name, tu_cell_trace, 0, NULL, NULL, NULL};
    gull_type pair = gull_register_type(h, &d);
    cr_assert_neq(pair.id, 0);
    strcpy(name, "XXXX"); /* the name must have been copied */
    gull_type bytes = tu_register(h, "bytes", NULL, GULL_TYPE_NO_POINTERS, NULL);
    cr_assert_neq(pair.id, bytes.id);

    cr_assert_str_eq(gull_type_name(h, pair), "pair");
    cr_assert_str_eq(gull_type_name(h, bytes), "bytes");

    void *p = gull_alloc(h, pair, 16);
    void *b = gull_alloc(h, bytes, 100);
    void *big = gull_alloc(h, bytes, 100000);
    cr_assert(p && b && big);
    cr_assert_eq(gull_type_of(h, p).id, pair.id);
    cr_assert_eq(gull_type_of(h, b).id, bytes.id);
    cr_assert_eq(gull_type_of(h, big).id, bytes.id);
    cr_assert_str_eq(gull_type_name(h, gull_type_of(h, p)), "pair");
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(basic, is_object)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    tu_cell *c = tu_cons(h, t.cell, NULL, NULL);
    root = c;
    unsigned char *blob = gull_alloc(h, t.blob, 64);
    gull_write(h, c, &c->car, blob);
    int local = 0;
    void *m = malloc(64);

    cr_assert(gull_is_object(h, c));
    cr_assert(gull_is_object(h, blob));
    cr_assert(!gull_is_object(h, &local), "a stack address is an object");
    cr_assert(!gull_is_object(h, m), "a malloc'd block is an object");
    cr_assert(!gull_is_object(h, NULL), "NULL is an object");
    cr_assert(!gull_is_object(h, blob + 16), "an interior pointer (+16) is an object");
    cr_assert(!gull_is_object(h, blob + 1), "an interior pointer (+1) is an object");
    cr_assert(!gull_is_object(h, (char *)c + 8), "an interior pointer (+8) is an object");
    cr_assert(!gull_is_object(h, TU_FIX(1234)), "a fixnum is an object");
    cr_assert(!gull_is_object(h, (void *)(uintptr_t)0x10), "address 0x10 is an object");
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert(gull_is_object(h, c), "a rooted object is not an object after a collection");
    cr_assert(gull_is_object(h, blob));
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    free(m);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- bad input */

/* Run one bad call; expect exactly one error with this code, whose message
 * mentions `needle` (case-insensitively). */
#define EXPECT_ONE_ERROR(code_, needle_)                                               \
    do {                                                                            \
        cr_assert_eq(tu_err.count, 1, "expected one error, got %d (last: %s)",      \
                     tu_err.count, tu_err.last_msg);                                \
        cr_assert_eq(tu_err.last_code, (code_), "error code %d, expected %d (%s)",  \
                     (int)tu_err.last_code, (int)(code_), tu_err.last_msg);         \
        cr_assert(tu_contains_ci(tu_err.last_msg, (needle_)),                       \
                  "message does not name the problem (%s): \"%s\"", (needle_),      \
                  tu_err.last_msg);                                                 \
        cr_assert_eq(gull_last_error(h), (code_), "gull_last_error disagrees");     \
        cr_assert_eq(gull_last_error(h), GULL_OK, "gull_last_error not cleared");   \
        tu_err_reset();                                                             \
    } while (0)

static void heap_still_usable(gull_heap *h, tu_types t)
{
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    for (int i = 0; i < 1000; i++)
        root = tu_cons(h, t.cell, TU_FIX(i), root);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    int i = 999;
    for (tu_cell *c = root; c; c = c->cdr, i--)
        cr_assert_eq(TU_UNFIX(c->car), i);
    cr_assert_eq(i, -1);
    gull_root_remove(h, &root);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
}

Test(basic, bad_alloc_input)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    cr_assert_eq(gull_last_error(h), GULL_OK);

    cr_assert_null(gull_alloc(h, (gull_type){0}, 16));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_TYPE, "type");

    cr_assert_null(gull_alloc(h, (gull_type){999}, 16));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_TYPE, "type");

    cr_assert_null(gull_alloc(h, t.cell, 0));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_SIZE, "size");

    cr_assert_null(gull_alloc(h, t.blob, GULL_MAX_ALLOC + 1));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_SIZE, "size");

    cr_assert_null(gull_alloc(h, t.blob, SIZE_MAX));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_SIZE, "size");

    cr_assert_null(gull_alloc(h, t.blob, SIZE_MAX - 8));
    EXPECT_ONE_ERROR(GULL_ERR_BAD_SIZE, "size");

    heap_still_usable(h, t);
    gull_heap_destroy(h);
}

Test(basic, bad_type_descriptors)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);

    gull_type r = gull_register_type(h, NULL);
    cr_assert_eq(r.id, 0);
    EXPECT_ONE_ERROR(GULL_ERR_NULL_ARG, "");

    gull_type_desc noname = {NULL, tu_cell_trace, 0, NULL, NULL, NULL};
    r = gull_register_type(h, &noname);
    cr_assert_eq(r.id, 0);
    cr_assert_eq(tu_err.count, 1, "NULL name: expected one error, got %d", tu_err.count);
    cr_assert(tu_err.last_code == GULL_ERR_NULL_ARG || tu_err.last_code == GULL_ERR_BAD_TYPE,
              "NULL name reported with code %d", (int)tu_err.last_code);
    cr_assert(tu_contains_ci(tu_err.last_msg, "name"), "message does not mention the name: %s",
              tu_err.last_msg);
    tu_err_reset();
    (void)gull_last_error(h);

    gull_type_desc notrace = {"notrace", NULL, 0, NULL, NULL, NULL};
    r = gull_register_type(h, &notrace);
    cr_assert_eq(r.id, 0, "a type without trace function and without NO_POINTERS registered");
    EXPECT_ONE_ERROR(GULL_ERR_BAD_TYPE, "trace");

    /* the same without a trace function but flagged NO_POINTERS is fine */
    gull_type_desc ok = {"okblob", NULL, GULL_TYPE_NO_POINTERS, NULL, NULL, NULL};
    r = gull_register_type(h, &ok);
    cr_assert_neq(r.id, 0);
    cr_assert_eq(tu_err.count, 0);

    heap_still_usable(h, t);
    gull_heap_destroy(h);
}

/* Errors about a missing heap go to stderr (gull.h: h may be NULL for errors
 * about a missing heap; there is no heap to hold a handler). */
static char *capture_stderr_of(void (*fn)(void *), void *arg)
{
    char path[] = "/tmp/gull-test-stderr-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t len = lseek(fd, 0, SEEK_END);
    char *buf = calloc((size_t)len + 1, 1);
    pread(fd, buf, (size_t)len, 0);
    close(fd);
    return buf;
}

static void *null_heap_result;
static void call_alloc_null_heap(void *arg)
{
    (void)arg;
    null_heap_result = gull_alloc(NULL, (gull_type){1}, 16);
}
static void call_misc_null_heap(void *arg)
{
    (void)arg;
    gull_collect(NULL, GULL_COLLECT_MAJOR);
    gull_heap_destroy(NULL); /* documented: accepted and ignored, no message needed */
}

Test(basic, null_heap)
{
    null_heap_result = (void *)1;
    char *out = capture_stderr_of(call_alloc_null_heap, NULL);
    cr_assert_null(null_heap_result, "gull_alloc(NULL heap) did not return NULL");
    cr_assert(tu_contains_ci(out, "heap"), "gull_alloc(NULL, ...) message does not name the "
              "heap: \"%s\"", out);
    cr_assert_eq(strchr(out, '\n') ? (int)(strchr(out, '\n') - out + 1) : -1, (int)strlen(out),
                 "expected exactly one line on stderr, got \"%s\"", out);
    free(out);
    out = capture_stderr_of(call_misc_null_heap, NULL);
    cr_assert(tu_contains_ci(out, "heap"), "gull_collect(NULL) not reported: \"%s\"", out);
    free(out);
}

Test(basic, null_args_elsewhere)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    cr_assert(!gull_root_add(h, NULL));
    EXPECT_ONE_ERROR(GULL_ERR_NULL_ARG, "");
    cr_assert(!gull_root_range_add(h, NULL, NULL));
    EXPECT_ONE_ERROR(GULL_ERR_NULL_ARG, "");
    cr_assert(!gull_root_callback_add(h, NULL, NULL));
    EXPECT_ONE_ERROR(GULL_ERR_NULL_ARG, "");
    heap_still_usable(h, t);
    gull_heap_destroy(h);
}

Test(basic, error_handler_replaced)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    tu_errors mine;
    memset(&mine, 0, sizeof mine);
    gull_set_error_handler(h, tu_on_error, &mine);
    cr_assert_null(gull_alloc(h, t.cell, 0));
    cr_assert_eq(mine.count, 1);
    cr_assert_eq(mine.last_code, GULL_ERR_BAD_SIZE);
    cr_assert_eq(mine.last_heap, h);
    cr_assert_eq(tu_err.count, 0, "the old handler still received the error");
    cr_assert_null(strchr(mine.last_msg, '\n'), "message has a newline: \"%s\"", mine.last_msg);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- two heaps */

static long h1_fin, h2_fin;
static gull_heap *heap1, *heap2;
static void count_by_heap(gull_heap *h, void *obj)
{
    (void)obj;
    if (h == heap1)
        h1_fin++;
    else if (h == heap2)
        h2_fin++;
}

Test(basic, two_heaps_do_not_interfere)
{
    heap1 = tu_heap_mode(GULL_MODE_GEN);
    heap2 = tu_heap_mode(GULL_MODE_FULL);
    /* register in a different order so type ids differ between heaps */
    gull_type f1 = tu_register(heap1, "fin1", tu_fnode_trace, 0, count_by_heap);
    tu_types t1 = tu_register_types(heap1);
    tu_types t2 = tu_register_types(heap2);
    gull_type f2 = tu_register(heap2, "fin2", tu_fnode_trace, 0, count_by_heap);

    void *r1 = NULL, *r2 = NULL;
    cr_assert(gull_root_add(heap1, &r1));
    cr_assert(gull_root_add(heap2, &r2));
    for (int i = 0; i < 50000; i++) {
        r1 = tu_cons(heap1, t1.cell, TU_FIX(i), r1);
        r2 = tu_cons(heap2, t2.cell, TU_FIX(-i & 0xffff), r2);
        if (i % 10 == 0) {
            (void)gull_alloc(heap1, f1, sizeof(tu_fnode)); /* garbage with finalizers */
            (void)gull_alloc(heap2, f2, sizeof(tu_fnode));
            (void)gull_alloc(heap2, f2, sizeof(tu_fnode));
        }
    }
    cr_assert(!gull_is_object(heap2, r1), "heap2 claims an object of heap1");
    cr_assert(!gull_is_object(heap1, r2), "heap1 claims an object of heap2");
    cr_assert(gull_is_object(heap1, r1) && gull_is_object(heap2, r2));
    cr_assert_str_eq(gull_type_name(heap1, gull_type_of(heap1, r1)), "cell");

    gull_collect(heap1, GULL_COLLECT_MAJOR);
    gull_collect(heap1, GULL_COLLECT_MAJOR);
    cr_assert_eq(h1_fin, 5000, "heap1 finalized %ld of 5000", h1_fin);
    long h2_before = h2_fin;
    gull_stats s2 = tu_stats(heap2);
    cr_assert_eq(s2.major_collections + s2.minor_collections, 0,
                 "collecting heap1 made heap2 collect");

    /* heap2's list is intact and heap1's too */
    int i = 49999;
    for (tu_cell *c = r2; c; c = c->cdr, i--)
        cr_assert_eq(TU_UNFIX(c->car), -i & 0xffff);
    cr_assert_eq(i, -1);
    gull_collect(heap2, GULL_COLLECT_MAJOR);
    cr_assert_eq(h2_fin - h2_before, 10000, "heap2 finalized %ld of 10000", h2_fin - h2_before);
    cr_assert_eq(h1_fin, 5000);

    gull_heap_destroy(heap1);
    heap1 = NULL;
    gull_collect(heap2, GULL_COLLECT_MAJOR);
    i = 49999;
    for (tu_cell *c = r2; c; c = c->cdr, i--)
        cr_assert_eq(TU_UNFIX(c->car), -i & 0xffff);
    cr_assert_eq(i, -1);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(heap2);
}

Test(basic, config_and_mode_queries)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_FULL;
    c.nursery_size = 1 << 20;
    gull_heap *h = tu_heap(&c);
    cr_assert_eq(gull_heap_mode(h), GULL_MODE_FULL);
    gull_config e;
    gull_get_config(h, &e);
    cr_assert_eq(e.mode, GULL_MODE_FULL);
    cr_assert_eq(e.conservative_stack, false);
    cr_assert_not_null(gull_mode_name(GULL_MODE_GEN));
    cr_assert_str_eq(gull_mode_name(GULL_MODE_GEN), "gen");
    gull_heap_destroy(h);
}

/* gull_collect and gull_alloc from a trace function: reported as misuse and
 * ignored (gull.h: gull_collect; the collector does not re-enter). */
static gull_heap *trace_heap;
static gull_type trace_cell;
static int trace_calls;
static void *trace_alloc_result = (void *)1;
static void misbehaving_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    tu_cell *c = obj;
    if (trace_calls++ == 0) {
        gull_collect(trace_heap, GULL_COLLECT_MAJOR);
        trace_alloc_result = gull_alloc(trace_heap, trace_cell, 16);
    }
    visit(&c->car, ctx);
    visit(&c->cdr, ctx);
}

Test(basic, collect_and_alloc_from_trace_function_are_misuse)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    trace_heap = h;
    tu_types t = tu_register_types(h);
    trace_cell = t.cell;
    gull_type bad = tu_register(h, "badtrace", misbehaving_trace, 0, NULL);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    tu_cell *c = gull_alloc(h, bad, sizeof *c);
    root = c;
    gull_write(h, c, &c->cdr, tu_cons(h, t.cell, TU_FIX(3), NULL));
    gull_stats s0 = tu_stats(h);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats s1 = tu_stats(h);
    cr_assert_geq(trace_calls, 1);
    cr_assert_eq(s1.major_collections - s0.major_collections, 1,
                 "gull_collect inside a trace function was not ignored");
    cr_assert_null(trace_alloc_result, "gull_alloc inside a trace function returned memory");
    cr_assert_eq(tu_err.by_code[GULL_ERR_MISUSE], 2, "%d misuse reports (expected 2): %s",
                 tu_err.by_code[GULL_ERR_MISUSE], tu_err.last_msg);
    cr_assert_eq(tu_err.count, 2);
    cr_assert_eq(TU_UNFIX(((tu_cell *)c->cdr)->car), 3, "heap damaged by the misuse");
    gull_heap_destroy(h);
}

Test(basic, allocation_statistics)
{
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    gull_stats s0 = tu_stats(h);
    size_t total = 0;
    for (int i = 1; i <= 1000; i++) {
        void *p = gull_alloc(h, t.blob, (size_t)i);
        total += gull_object_size(h, p);
    }
    void *big = gull_alloc(h, t.blob, (size_t)1 << 20);
    total += gull_object_size(h, big);
    gull_stats s1 = tu_stats(h);
    cr_assert_eq(s1.objects_allocated - s0.objects_allocated, 1001);
    cr_assert_geq(s1.bytes_allocated - s0.bytes_allocated, 1000 * 1001 / 2 + ((size_t)1 << 20));
    cr_assert_leq(s1.bytes_allocated - s0.bytes_allocated, total);
    cr_assert_geq(s1.heap_live, ((size_t)1 << 20), "heap_live %zu with 1 MiB just allocated",
                  s1.heap_live);
    cr_assert_geq(s1.heap_committed, s1.heap_live);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats s2 = tu_stats(h);
    cr_assert_eq(s2.major_collections, s1.major_collections + 1);
    cr_assert_lt(s2.heap_live, 4096, "heap_live %zu after everything died", s2.heap_live);
    cr_assert_eq(s2.last_objects_marked, 0);
    cr_assert_geq(s2.pause_count, 1);
    cr_assert_gt(s2.pause_total_ns, 0);
    gull_heap_destroy(h);
}
