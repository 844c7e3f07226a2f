/* testutil.h — helpers shared by gull's Criterion tests (tests/test_*.c).
 *
 * Tests are small embedders: they use <gull.h> only, never gc/internal.h.
 * Everything here is static, so each test binary gets its own copy.
 *
 * What the helpers provide:
 *   - tu_config(): a config with the environment ignored, conservative stack
 *     scanning off (so liveness is exact) and errors captured into tu_err;
 *   - tu_types(): the types most tests use:
 *       cell   {car, cdr}                 16 bytes, no finalizer
 *       fnode  {a, b, id, magic}          32 bytes, finalizer records its id
 *       blob   raw bytes                  GULL_TYPE_NO_POINTERS
 *       vec    {n, items[n]}              n pointer slots (large when n is big)
 *   - a finalizer log (tu_fin_*): which ids were finalized, how many times,
 *     and whether any finalizer ran inside a pause (tracked by a pause hook);
 *   - error capture (tu_err): every error code and the last message;
 *   - tagged immediates (TU_FIX): words with low four bits nonzero.
 *
 * Finalizers get no context argument (gull_finalize_fn), so the finalizer log
 * is process-global; Criterion runs every test in its own process, and the
 * thread test keeps its own per-thread counts.
 */
#ifndef GULL_TESTUTIL_H
#define GULL_TESTUTIL_H

#include <criterion/criterion.h>
#include <gull.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Helpers are static and not all used by every test binary. */
#define TU_STATIC static __attribute__((unused))

/* ---------------------------------------------------------------- immediates */

/* A tagged fixnum: low four bits 0x1, so gull treats it as an immediate. */
#define TU_FIX(n) ((void *)(((uintptr_t)(n) << 4) | 1u))
#define TU_UNFIX(v) ((long)((uintptr_t)(v) >> 4))
#define TU_IS_FIX(v) ((((uintptr_t)(v)) & 15u) == 1u)

/* ---------------------------------------------------------------- error capture */

#define TU_MAX_ERRS 256
typedef struct tu_errors {
    int count;                      /* errors reported so far */
    int by_code[GULL_ERR_IO + 1];
    gull_error last_code;
    char last_msg[2048];
    gull_heap *last_heap;
    char msgs[TU_MAX_ERRS][512];    /* the first TU_MAX_ERRS messages */
    gull_error codes[TU_MAX_ERRS];
} tu_errors;
static tu_errors tu_err __attribute__((unused));

TU_STATIC void tu_on_error(gull_heap *h, gull_error code, const char *message, void *ctx)
{
    tu_errors *e = ctx ? (tu_errors *)ctx : &tu_err;
    if (e->count < TU_MAX_ERRS) {
        snprintf(e->msgs[e->count], sizeof e->msgs[0], "%s", message ? message : "(null)");
        e->codes[e->count] = code;
    }
    e->count++;
    if ((int)code >= 0 && code <= GULL_ERR_IO)
        e->by_code[code]++;
    e->last_code = code;
    e->last_heap = h;
    snprintf(e->last_msg, sizeof e->last_msg, "%s", message ? message : "(null)");
}

TU_STATIC void tu_err_reset(void)
{
    memset(&tu_err, 0, sizeof tu_err);
}

/* Case-insensitive substring search. */
TU_STATIC bool tu_contains_ci(const char *hay, const char *needle)
{
    if (!hay || !needle)
        return false;
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] &&
               tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* Does any captured message with this code contain every needle (NULL-ended)? */
TU_STATIC bool tu_err_has(gull_error code, const char *n1, const char *n2, const char *n3)
{
    int lim = tu_err.count < TU_MAX_ERRS ? tu_err.count : TU_MAX_ERRS;
    for (int i = 0; i < lim; i++) {
        if (tu_err.codes[i] != code)
            continue;
        if ((!n1 || tu_contains_ci(tu_err.msgs[i], n1)) &&
            (!n2 || tu_contains_ci(tu_err.msgs[i], n2)) &&
            (!n3 || tu_contains_ci(tu_err.msgs[i], n3)))
            return true;
    }
    return false;
}

TU_STATIC void tu_err_dump(void)
{
    int lim = tu_err.count < TU_MAX_ERRS ? tu_err.count : TU_MAX_ERRS;
    for (int i = 0; i < lim; i++)
        fprintf(stderr, "  captured error %d: code %d: %s\n", i, (int)tu_err.codes[i],
                tu_err.msgs[i]);
}

/* ---------------------------------------------------------------- finalizer log */

#define TU_FNODE_MAGIC 0x5eedf00dL
typedef struct tu_fnode {
    void *a, *b;   /* managed slots */
    long id;       /* plain data: not visited */
    long magic;    /* TU_FNODE_MAGIC while the object is valid */
} tu_fnode;

typedef struct tu_finlog {
    long count;            /* finalizer calls */
    long bad_magic;        /* finalizer saw an object whose contents were broken */
    long twice;            /* an id finalized more than once */
    long in_pause;         /* a finalizer ran while a pause was in progress */
    long out_of_range;     /* an id outside [0, cap) */
    long cap;
    unsigned char *seen;   /* seen[id]: times finalized (saturating) */
} tu_finlog;
static tu_finlog tu_fin;
static volatile int tu_pause_depth; /* > 0 while gull is inside a pause */
static void (*tu_fin_extra)(gull_heap *h, void *obj); /* per-test hook, optional */

TU_STATIC void tu_fin_reset(long cap)
{
    free(tu_fin.seen);
    memset(&tu_fin, 0, sizeof tu_fin);
    tu_fin.cap = cap;
    tu_fin.seen = calloc((size_t)(cap > 0 ? cap : 1), 1);
    cr_assert_not_null(tu_fin.seen);
    tu_fin_extra = NULL;
}

TU_STATIC void tu_fnode_finalize(gull_heap *h, void *obj)
{
    tu_fnode *n = obj;
    tu_fin.count++;
    if (tu_pause_depth > 0)
        tu_fin.in_pause++;
    if (n->magic != TU_FNODE_MAGIC)
        tu_fin.bad_magic++;
    if (n->id < 0 || n->id >= tu_fin.cap) {
        tu_fin.out_of_range++;
    } else {
        if (tu_fin.seen[n->id])
            tu_fin.twice++;
        if (tu_fin.seen[n->id] < 255)
            tu_fin.seen[n->id]++;
    }
    if (tu_fin_extra)
        tu_fin_extra(h, obj);
}

TU_STATIC bool tu_finalized(long id)
{
    return id >= 0 && id < tu_fin.cap && tu_fin.seen[id] > 0;
}

TU_STATIC void tu_pause_hook(gull_heap *h, gull_pause_kind kind, bool begin, uint64_t now_ns,
                          void *ctx)
{
    (void)h; (void)kind; (void)now_ns; (void)ctx;
    tu_pause_depth += begin ? 1 : -1;
}

/* ---------------------------------------------------------------- types */

typedef struct tu_cell {
    void *car, *cdr;
} tu_cell;

TU_STATIC void tu_cell_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    tu_cell *c = obj;
    visit(&c->car, ctx);
    visit(&c->cdr, ctx);
}

TU_STATIC void tu_fnode_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    tu_fnode *n = obj;
    visit(&n->a, ctx);
    visit(&n->b, ctx);
}

typedef struct tu_vec {
    size_t n;
    void *items[];
} tu_vec;

TU_STATIC void tu_vec_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    tu_vec *v = obj;
    for (size_t i = 0; i < v->n; i++)
        visit(&v->items[i], ctx);
}

typedef struct tu_types {
    gull_type cell, fnode, blob, vec;
} tu_types;

TU_STATIC gull_type tu_register(gull_heap *h, const char *name, gull_trace_fn trace,
                             unsigned flags, gull_finalize_fn fin)
{
    gull_type_desc d = {name, trace, flags, fin, NULL, NULL};
    gull_type t = gull_register_type(h, &d);
    cr_assert_neq(t.id, 0, "gull_register_type(\"%s\") failed", name);
    return t;
}

/* The vec type with a trace_range function (gull.h), for large arrays. */
TU_STATIC void tu_vec_trace_range(void *obj, void **from, void **to, gull_visit_fn visit, void *ctx)
{
    tu_vec *v = obj;
    void **first = &v->items[0], **end = &v->items[v->n];
    for (void **p = from < first ? first : from; p < to && p < end; p++)
        visit(p, ctx);
}

TU_STATIC gull_type tu_register_range(gull_heap *h)
{
    gull_type_desc d = {"rvec", tu_vec_trace, 0, NULL, tu_vec_trace_range, NULL};
    gull_type t = gull_register_type(h, &d);
    cr_assert_neq(t.id, 0, "gull_register_type(\"rvec\") failed");
    return t;
}

TU_STATIC tu_types tu_register_types(gull_heap *h)
{
    tu_types t;
    t.cell = tu_register(h, "cell", tu_cell_trace, 0, NULL);
    t.fnode = tu_register(h, "fnode", tu_fnode_trace, 0, tu_fnode_finalize);
    t.blob = tu_register(h, "blob", NULL, GULL_TYPE_NO_POINTERS, NULL);
    t.vec = tu_register(h, "vec", tu_vec_trace, 0, NULL);
    return t;
}

/* ---------------------------------------------------------------- heaps */

/* GULLTEST_MODE=inc (or rc) runs the whole suite with the incremental
 * collector (or reference counting): heaps the tests ask for in gen mode
 * are made in that mode (tests that check the mode itself compare with
 * tu_gen_mode()).  Not a GULL_ name: the test environment unsets those. */
TU_STATIC gull_mode tu_gen_mode(void)
{
    const char *m = getenv("GULLTEST_MODE");
    if (m && strcmp(m, "inc") == 0)
        return GULL_MODE_INC;
    if (m && strcmp(m, "rc") == 0)
        return GULL_MODE_RC;
    return GULL_MODE_GEN;
}

/* Defaults, environment ignored, exact (precise) roots, errors captured. */
TU_STATIC void tu_config(gull_config *c)
{
    gull_config_init(c);
    c->mode = tu_gen_mode();
    c->ignore_env = true;
    c->conservative_stack = false;
    c->on_error = tu_on_error;
    c->error_ctx = &tu_err;
}

/* Hang protection: a test stuck for ten minutes is killed (reported as a
 * crash).  Not Criterion's .timeout: with parallel jobs Criterion 2.4.1
 * leaks its timeout bookkeeping, which fails the sanitizer build. */
#define TU_HANG_SECONDS 600

TU_STATIC gull_heap *tu_heap(const gull_config *c)
{
    alarm(TU_HANG_SECONDS);
    gull_heap *h = gull_heap_create(c);
    cr_assert_not_null(h, "gull_heap_create failed");
    gull_set_pause_hook(h, tu_pause_hook, NULL);
    return h;
}

/* A heap in the given mode with the standard test config. */
TU_STATIC gull_heap *tu_heap_mode(gull_mode m)
{
    gull_config c;
    tu_config(&c);
    c.mode = m == GULL_MODE_GEN ? tu_gen_mode() : m;
    return tu_heap(&c);
}

/* ---------------------------------------------------------------- allocation helpers */

TU_STATIC tu_cell *tu_cons(gull_heap *h, gull_type cell, void *car, void *cdr)
{
    tu_cell *c = gull_alloc(h, cell, sizeof *c);
    cr_assert_not_null(c, "gull_alloc(cell) returned NULL");
    gull_write(h, c, &c->car, car);
    gull_write(h, c, &c->cdr, cdr);
    return c;
}

TU_STATIC tu_fnode *tu_fnode_new(gull_heap *h, gull_type fnode, long id)
{
    tu_fnode *n = gull_alloc(h, fnode, sizeof *n);
    cr_assert_not_null(n, "gull_alloc(fnode) returned NULL");
    n->id = id;          /* plain data: no barrier needed */
    n->magic = TU_FNODE_MAGIC;
    return n;
}

TU_STATIC uint64_t tu_collections(gull_heap *h)
{
    gull_stats s;
    gull_get_stats(h, &s);
    return s.minor_collections + s.major_collections;
}

TU_STATIC gull_stats tu_stats(gull_heap *h)
{
    gull_stats s;
    gull_get_stats(h, &s);
    return s;
}

#endif /* GULL_TESTUTIL_H */
