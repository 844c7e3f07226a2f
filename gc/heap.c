/* heap.c — creating and destroying heaps, types, and the small queries of
 * the API.
 *
 * The error path (heap_error, util.c .errors) and the vectors live in util.c.
 * .destroy Destroying a heap returns every chunk and every descriptor; in
 *          the checking build it asserts that nothing was left over.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

#define MAX_TYPES 65535u

gull_heap *gull_heap_create(const gull_config *c)
{
    gull_config cfg;
    if (c)
        cfg = *c;
    else
        options_defaults(&cfg);
    options_apply_env(&cfg);

    gull_heap *h = calloc(1, sizeof *h);
    if (!h) {
        if (cfg.on_error)
            cfg.on_error(NULL, GULL_ERR_OUT_OF_MEMORY,
                         "gull_heap_create: no memory for the heap structure", cfg.error_ctx);
        else
            fprintf(stderr, "gull: gull_heap_create: no memory for the heap structure\n");
        return NULL;
    }
    h->cfg = cfg;
    if (cfg.pause_log) {
        h->pause_log_path = strdup(cfg.pause_log);
        h->cfg.pause_log = h->pause_log_path;
    }
    switch (h->cfg.mode) {
    case GULL_MODE_FULL: h->pub.barrier = GULL_BARRIER_NONE; break;
    case GULL_MODE_GEN:
    case GULL_MODE_INC: h->pub.barrier = GULL_BARRIER_GEN; break; /* barrier.c: MARKING while marking */
    case GULL_MODE_RC: h->pub.barrier = GULL_BARRIER_RC; break;     /* barrier.c .rc */
    default: /* the environment's value was checked by options.c; the host's is here */
        heap_error(h, GULL_ERR_BAD_CONFIG,
                   "gull_heap_create: mode %s is not available (gen, inc, rc and full are built); using gen",
                   gull_mode_name(h->cfg.mode));
        h->cfg.mode = GULL_MODE_GEN;
        h->pub.barrier = GULL_BARRIER_GEN;
        break;
    }
    if (h->cfg.promote_age < 1 || h->cfg.promote_age > MAX_PROMOTE_AGE) {
        unsigned a = h->cfg.promote_age < 1 ? 1 : MAX_PROMOTE_AGE;
        heap_error(h, GULL_ERR_BAD_CONFIG, "gull_heap_create: promote_age %u is outside 1..%d; using %u",
                   h->cfg.promote_age, MAX_PROMOTE_AGE, a);
        h->cfg.promote_age = a;
    }
    if (h->cfg.nursery_size < 4096) {
        heap_error(h, GULL_ERR_BAD_CONFIG, "gull_heap_create: nursery_size %zu is below 4K; using 4K",
                   h->cfg.nursery_size);
        h->cfg.nursery_size = 4096;
    }
    if (!(h->cfg.step_budget_ms >= 0.0) || !(h->cfg.mark_ratio >= 0.0) ||
        !(h->cfg.inc_trigger >= 0.0 && h->cfg.inc_trigger <= 1.0) ||
        !(h->cfg.step_share >= 0.05 && h->cfg.step_share <= 1.0)) {
        heap_error(h, GULL_ERR_BAD_CONFIG,
                   "gull_heap_create: step_budget_ms and mark_ratio must be >= 0, inc_trigger in 0..1 "
                   "and step_share in 0.05..1; using the defaults");
        gull_config d;
        options_defaults(&d);
        h->cfg.step_budget_ms = d.step_budget_ms;
        h->cfg.mark_ratio = d.mark_ratio;
        h->cfg.inc_trigger = d.inc_trigger;
        h->cfg.step_share = d.step_share;
    }
    if (!(h->cfg.old_growth > 0.0)) {
        heap_error(h, GULL_ERR_BAD_CONFIG, "gull_heap_create: old_growth must be positive; using 1.0");
        h->cfg.old_growth = 1.0;
    }
    h->color = 1;
    h->poison = os_poisoning();
    h->valgrind = os_under_valgrind();
    h->types_cap = 16;
    h->ntypes = 1; /* id 0 is never valid */
    h->types = calloc(h->types_cap, sizeof *h->types);
    h->radix = calloc((size_t)1 << 13, sizeof *h->radix);
    if (!h->types || !h->radix) {
        free(h->types);
        free(h->radix);
        free(h->pause_log_path);
        free(h);
        fprintf(stderr, "gull: gull_heap_create: no memory for the heap tables\n");
        return NULL;
    }
    h->rc = h->cfg.mode == GULL_MODE_RC ? &rc_hooks_rc : NULL; /* internal.h .hooks */
    h->stack_base = cfg.stack_base ? cfg.stack_base : os_stack_base();
    h->stress_left = h->cfg.stress;
    pacing_init(h);
    stats_init(h);
    if (h->cfg.show_config) {
        fprintf(stderr, "gull: heap %p, effective configuration (defaults, host, environment):\n",
                (void *)h);
        options_print(stderr, &h->cfg);
    }
    return h;
}

void gull_heap_destroy(gull_heap *h)
{
    if (!h)
        return;
    if (h->in_pause || h->in_finalizers) {
        /* The caller is running on the heap's behalf (a finalizer, a trace
         * function, a pause hook): freeing it now would pull the heap out
         * from under the code that returns into it. */
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_heap_destroy: called from %s; the heap is not destroyed (call it after "
                   "gull_collect / gull_run_finalizers returns)",
                   h->in_pause ? "inside a collection (a trace function or pause hook)" : "a finalizer");
        return;
    }
    if (h->cfg.stats)
        stats_summary(h, stderr);
    if (GULL_CHECKING)
        external_balance_check(h);
    block_destroy_all(h);
    ASSERT(h->committed == 0); /* .destroy: every block was returned */
    roots_free(h);
    final_free(h);
    weak_free_all(h);
    external_free(h);
    vec_free(&h->major_mk.stack);
    vec_free(&h->major_mk.pieces);
    vec_free(&h->minor_mk.stack);
    vec_free(&h->remset);
    rc_free_all(h);
    verify_free(h);
    for (uint32_t i = 1; i < h->ntypes; i++) {
        free(h->types[i]->name);
        free(h->types[i]);
    }
    free(h->types);
    for (size_t i = 0; i < ((size_t)1 << 13); i++)
        free(h->radix[i]);
    free(h->radix);
    stats_free(h);
    free(h->pause_log_path);
    free(h);
}

gull_mode gull_heap_mode(const gull_heap *h)
{
    return h ? h->cfg.mode : GULL_MODE_GEN;
}

void gull_get_config(const gull_heap *h, gull_config *out)
{
    if (!h || !out) {
        heap_error((gull_heap *)h, GULL_ERR_NULL_ARG,
                   "gull_get_config: %s is NULL; pass a heap and a gull_config to fill",
                   h ? "out" : "heap");
        return;
    }
    *out = h->cfg;
}

void gull_set_error_handler(gull_heap *h, gull_error_fn fn, void *ctx)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_set_error_handler: heap is NULL");
        return;
    }
    h->cfg.on_error = fn;
    h->cfg.error_ctx = ctx;
}

gull_error gull_last_error(gull_heap *h)
{
    if (!h)
        return GULL_ERR_NULL_ARG;
    gull_error e = h->last_error;
    h->last_error = GULL_OK;
    return e;
}

gull_type gull_register_type(gull_heap *h, const gull_type_desc *d)
{
    gull_type none = {0};
    if (!h || !d) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_register_type: %s is NULL; pass a heap and a type description",
                   h ? "the description" : "heap");
        return none;
    }
    if (!d->name || !d->name[0]) {
        heap_error(h, GULL_ERR_BAD_TYPE, "gull_register_type: the type has no name; every type needs one for diagnostics");
        return none;
    }
    bool no_ptrs = (d->flags & GULL_TYPE_NO_POINTERS) != 0;
    if (!no_ptrs && !d->trace) {
        heap_error(h, GULL_ERR_BAD_TYPE,
                   "gull_register_type: type '%s' has no trace function; give one, or set GULL_TYPE_NO_POINTERS if it holds no managed pointers",
                   d->name);
        return none;
    }
    if (h->ntypes >= MAX_TYPES) {
        heap_error(h, GULL_ERR_BAD_TYPE, "gull_register_type: too many types (limit %u) registering '%s'",
                   MAX_TYPES, d->name);
        return none;
    }
    if (h->ntypes == h->types_cap) {
        type_info **t = realloc(h->types, 2 * h->types_cap * sizeof *t);
        if (!t) {
            heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_register_type: no memory to register '%s'", d->name);
            return none;
        }
        h->types = t;
        h->types_cap *= 2;
    }
    type_info *ti = calloc(1, sizeof *ti);
    char *name = strdup(d->name);
    if (!ti || !name) {
        free(ti);
        free(name);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_register_type: no memory to register '%s'", d->name);
        return none;
    }
    ti->name = name;
    ti->trace = no_ptrs ? NULL : d->trace;
    ti->trace_range = no_ptrs ? NULL : d->trace_range;
    ti->finalize = d->finalize;
    ti->field_name = d->field_name;
    ti->flags = d->flags;
    h->metadata += sizeof *ti;
    h->types[h->ntypes] = ti;
    gull_type t = {h->ntypes++};
    return t;
}

gull_type gull_type_of(gull_heap *h, const void *obj)
{
    gull_type none = {0};
    if (!h || !obj) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_type_of: %s is NULL", h ? "obj" : "heap");
        return none;
    }
    void *o = block_find_object(h, obj, false);
    if (!o) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER, "gull_type_of: %p is not a live object of this heap", obj);
        return none;
    }
    gull_type t = {block_of(o)->type};
    return t;
}

const char *gull_type_name(gull_heap *h, gull_type t)
{
    if (!h)
        return "(no heap)";
    type_info *ti = heap_type(h, t.id);
    return ti ? ti->name : "(unregistered type)";
}

size_t gull_object_size(gull_heap *h, const void *obj)
{
    if (!h || !obj) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_object_size: %s is NULL", h ? "obj" : "heap");
        return 0;
    }
    void *o = block_find_object(h, obj, false);
    if (!o) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER, "gull_object_size: %p is not a live object of this heap", obj);
        return 0;
    }
    return block_of(o)->cell_size;
}

bool gull_is_object(gull_heap *h, const void *p)
{
    return h && p && block_find_object(h, p, false) == p;
}
