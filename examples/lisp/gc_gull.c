/* gc_gull.c — the gull backend of lisp_gc.h.
 *
 * Roots are precise: the heap is created with conservative_stack = false,
 * and one root callback reports the interpreter's root stack, symbol table
 * and constant table (lisp_visit_roots); single global slots are
 * gull_root_add'ed.  One gull type per object kind, NO_POINTERS for the
 * kinds without value fields.  String bodies and bignum limbs are native
 * memory: obj.c and bignum.c report their size through
 * lgc_set_native_size and the kind's finalizer frees them.  All GULL_* variables apply (gull_heap_create reads
 * them), including GULL_PAUSE_LOG.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

gull_heap *lgc_heap;
static gull_type types[K_COUNT];
static size_t heap_max;

const char *lgc_name(void) { return "gull"; }

void lgc_early_init(void) {}

void lgc_set_heap_max(size_t bytes) { heap_max = bytes; }

/* Immediates and NULL are skipped here rather than handed to gull one by
 * one, and so is a slot equal to the one before it: eval pushes the same
 * environment at each nested call, and a deep recursion makes the root stack
 * long (every collection reads all of it). */
static void visit_range(val *start, val *end, void *ctx)
{
    struct { gull_visit_fn visit; void *ctx; } *v = ctx;
    val prev = 0;
    for (val *p = start; p < end; p++) {
        val x = *p;
        if (x == 0 || !IS_PTR(x) || x == prev) continue;
        prev = x;
        v->visit((void **)p, v->ctx);
    }
}

static void roots(gull_heap *h, gull_visit_fn visit, void *visit_ctx, void *ctx)
{
    (void)h; (void)ctx;
    struct { gull_visit_fn visit; void *ctx; } v = {visit, visit_ctx};
    lisp_visit_roots(visit_range, &v);
}

/* Silent: the interpreter reports the failed allocation as a Scheme error
 * (alloc_obj), which the program may catch. */
static void oom(gull_heap *h, size_t request, void *ctx)
{
    (void)h; (void)request; (void)ctx;
}

/* gull hands the finalizer the heap; the interpreter's finalizers are
 * kind-specific and take the object only. */
static void finalize(gull_heap *h, void *obj)
{
    (void)h;
    lisp_kinds[KIND(obj)].finalize(obj);
}

void lgc_init(void)
{
    gull_config c;
    gull_config_init(&c);
    c.conservative_stack = false; /* precise: see README.md, "Roots" */
    c.on_oom = oom;
    if (heap_max) c.heap_max = heap_max; /* GULL_HEAP_MAX still wins */
    lgc_heap = gull_heap_create(&c);
    if (!lgc_heap) {
        fprintf(stderr, "gull-lisp: cannot create the heap\n");
        exit(70);
    }
    for (int k = 1; k < K_COUNT; k++) {
        const struct lisp_kind *lk = &lisp_kinds[k];
        gull_type_desc d = {lk->name, (gull_trace_fn)lk->trace,
                            lk->no_pointers ? GULL_TYPE_NO_POINTERS : 0,
                            lk->finalize ? finalize : NULL,
                            (gull_trace_range_fn)lk->trace_range, lisp_field_name};
        types[k] = gull_register_type(lgc_heap, &d);
        if (types[k].id == 0) {
            fprintf(stderr, "gull-lisp: cannot register type %s\n", lk->name);
            exit(70);
        }
    }
    gull_root_callback_add(lgc_heap, roots, NULL);
}

void lgc_shutdown(void)
{
    gull_heap_destroy(lgc_heap); /* prints GULL_STATS, closes the pause log */
    lgc_heap = NULL;
}

void *lgc_alloc(int kind, size_t size)
{
    return gull_alloc(lgc_heap, types[kind], size);
}

void lgc_root_add(void *slot) { gull_root_add(lgc_heap, (void **)slot); }

void lgc_collect(void) { gull_collect(lgc_heap, GULL_COLLECT_MAJOR); }

void lgc_set_native_size(void *obj, size_t bytes) { gull_set_native_size(lgc_heap, obj, bytes); }

void lgc_get_stats(struct lgc_stats *out)
{
    gull_stats s;
    gull_get_stats(lgc_heap, &s);
    memset(out, 0, sizeof *out);
    out->minor = s.minor_collections;
    out->major = s.major_collections;
    out->collections = s.minor_collections + s.major_collections;
    out->pause_total_ns = s.pause_total_ns;
    out->pause_max_ns = s.pause_max_ns;
    out->heap_bytes = s.heap_committed;
    out->live_bytes = s.heap_live;
    out->native_bytes = s.external_bytes;
}

void lgc_memory_report(FILE *f) { gull_memory_report_print(lgc_heap, f); }

/* ---------------------------------------------------------------- why is this alive */

static int by_size(const void *pa, const void *pb)
{
    const struct lgc_census_line *a = pa, *b = pb;
    size_t x = a->bytes + a->native, y = b->bytes + b->native;
    return x > y ? -1 : x < y ? 1 : strcmp(a->name, b->name);
}

/* A census as lines, largest first: the live objects by kind, or (cycles)
 * what the rc cycle collector freed by kind. */
static int census_lines(struct lgc_census_line **lines, size_t *n, unsigned flags, bool cycles)
{
    gull_census c;
    *lines = NULL;
    *n = 0;
    if (gull_census_take(lgc_heap, flags, &c) != GULL_OK) return LGC_FAILED;
    struct lgc_census_line *l = malloc((c.ntypes ? c.ntypes : 1) * sizeof *l);
    if (!l) {
        gull_census_free(&c);
        return LGC_FAILED;
    }
    size_t k = 0;
    for (size_t i = 0; i < c.ntypes; i++) {
        const gull_census_entry *e = &c.entries[i];
        if (cycles && e->cycle_freed)
            l[k++] = (struct lgc_census_line){e->name, (size_t)e->cycle_freed,
                                              (size_t)e->cycle_freed_bytes, 0, 0};
        else if (!cycles && e->count)
            l[k++] = (struct lgc_census_line){e->name, e->count, e->bytes, e->native_bytes,
                                              e->retained};
    }
    gull_census_free(&c); /* the names stay: the heap owns them */
    qsort(l, k, sizeof *l, by_size);
    *lines = l;
    *n = k;
    return LGC_OK;
}

int lgc_cycle_census(struct lgc_census_line **lines, size_t *n)
{
    *lines = NULL;
    *n = 0;
    if (gull_heap_mode(lgc_heap) != GULL_MODE_RC) return LGC_NOT_RC;
    return census_lines(lines, n, 0, true);
}

int lgc_census(struct lgc_census_line **lines, size_t *n, bool retained)
{
    return census_lines(lines, n, retained ? GULL_CENSUS_RETAINED : 0, false);
}

/* Append to buf like snprintf, keeping *len the would-be length. */
static void add(char *buf, size_t n, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*len < n ? buf + *len : NULL, *len < n ? n - *len : 0, fmt, ap);
    va_end(ap);
    if (k > 0) *len += (size_t)k;
}

/* The path in the interpreter's terms: a global (symbol table -> symbol
 * -> its value) is named by the variable; other roots by lisp_root_name. */
int lgc_why_alive(void *obj, char *buf, size_t n)
{
    gull_path p;
    size_t len = 0;
    buf[0] = '\0';
    if (gull_path_to_root(lgc_heap, obj, &p) != GULL_OK) return LGC_FAILED;
    if (p.len == 0) {
        add(buf, n, &len, "unreachable (garbage the next collection frees)");
        return LGC_OK;
    }
    char name[128];
    size_t first = 0;
    const gull_path_step *s0 = &p.steps[0];
    if (p.len > 1 && KIND(s0->obj) == K_SYMBOL && s0->offset == offsetof(symbol, value)) {
        add(buf, n, &len, "global variable %s", SYM(s0->obj)->name);
        first = 1;
    } else if ((p.root.kind == GULL_ROOT_CALLBACK || p.root.kind == GULL_ROOT_SLOT) &&
               lisp_root_name(p.root.slot, name, sizeof name)) {
        add(buf, n, &len, "%s", name);
    } else {
        gull_root_describe(&p.root, name, sizeof name);
        add(buf, n, &len, "%s", name);
    }
    for (size_t i = first; i < p.len; i++) {
        const gull_path_step *s = &p.steps[i];
        add(buf, n, &len, " -> %s", gull_type_name(lgc_heap, s->type));
        if (KIND(s->obj) == K_SYMBOL) add(buf, n, &len, " %s", SYM(s->obj)->name);
        if (i + 1 < p.len) {
            const char *f = lisp_field_name(s->obj, s->offset, name, sizeof name);
            if (f) add(buf, n, &len, "%s%s", f[0] == '[' ? "" : ".", f);
            else add(buf, n, &len, "+%zu", s->offset);
        }
    }
    gull_path_free(&p);
    return LGC_OK;
}

int lgc_heap_snapshot(const char *path)
{
    return gull_heap_snapshot(lgc_heap, path) == GULL_OK ? LGC_OK : LGC_FAILED;
}

int lgc_run_thread(void *(*fn)(void *), void *arg, size_t stack_size)
{
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, stack_size);
    int r = pthread_create(&t, &a, fn, arg);
    pthread_attr_destroy(&a);
    if (r != 0) return r;
    pthread_join(t, NULL);
    return 0;
}
