/* verify.c — the heap verifier (GULL_VERIFY=1), run before and after every
 * collection.  It walks every live object and checks, for each field its
 * trace function reports:
 *   - the value is NULL, an immediate, or a live object of this heap
 *     (a freed or foreign target means a missing root or barrier, or a
 *     trace function that reports a non-pointer);
 *   - gen mode (.remset in generation.c): if the holder is old and the
 *     target young, the holder is LOGGED — otherwise a store bypassed
 *     gull_write, and the next minor collection would free the target;
 * and for the heap as a whole:
 *   - every object has a registered type;
 *   - every LOGGED object is in the remembered set, and the set holds
 *     nothing else;
 *   - every root value inside the heap is a live object.
 * Each problem is reported (GULL_ERR_VERIFY) with the holder's type, the
 * slot's offset and the target's type; reporting stops after 20.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

typedef struct vctx {
    gull_heap *h;
    const char *when;
    void *holder;
    uint8_t holder_st;
    size_t errors;
    size_t logged;
} vctx;

#define MAX_REPORTS 20

static const char *type_name_of(gull_heap *h, const void *obj)
{
    block *b = block_of(obj);
    type_info *ti = heap_type(h, b->type);
    return ti ? ti->name : "(unregistered type)";
}

static void report(vctx *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(vctx *v, const char *fmt, ...)
{
    if (++v->errors > MAX_REPORTS)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    heap_error(v->h, GULL_ERR_VERIFY, "verify (%s): %s", v->when, msg);
}

static void check_field(void **slot, void *ctx)
{
    vctx *v = ctx;
    gull_heap *h = v->h;
    void *val = *slot;
    if (!val || ((uintptr_t)val & (GRANULE - 1)))
        return;
    size_t off = (size_t)((uint8_t *)slot - (uint8_t *)v->holder);
    void *obj = block_find_object(h, val, false);
    if (obj != val) {
        report(v, "a '%s' at %p, slot +%zu, points to %p, which is not a live object of this heap "
                  "(freed: a missing root or barrier; or the trace function reports a non-pointer)",
               type_name_of(h, v->holder), v->holder, off, val);
        return;
    }
    uint8_t st = *state_of(val);
    if (h->cfg.mode == GULL_MODE_GEN && !(v->holder_st & ST_YOUNG) && (st & ST_YOUNG) &&
        !(v->holder_st & ST_LOGGED)) {
        report(v, "missing barrier: old '%s' at %p, slot +%zu, points to young '%s' at %p but is not in "
                  "the remembered set; store into '%s' through gull_write/GULL_WRITE",
               type_name_of(h, v->holder), v->holder, off, type_name_of(h, val), val,
               type_name_of(h, v->holder));
    }
}

static void check_root(void **slot, void *ctx)
{
    vctx *v = ctx;
    void *val = *slot;
    if (!val || ((uintptr_t)val & (GRANULE - 1)))
        return;
    if (block_chunk_lookup(v->h, val) && block_find_object(v->h, val, false) != val)
        report(v, "root slot %p holds %p, inside the heap but not a live object (dangling root)",
               (void *)slot, val);
}

void verify_heap(gull_heap *h, const char *when)
{
    vctx v = {.h = h, .when = when};
    for (block *b = h->blocks; b; b = b->next) {
        if (!heap_type(h, b->type)) {
            report(&v, "block %p has unregistered type id %u", (void *)b->start, b->type);
            continue;
        }
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
            if (!*st || !st_live(h, *st))
                continue;
            if (*st & ST_LOGGED)
                v.logged++;
            if (!b->trace)
                continue;
            v.holder = block_cell(b, i);
            v.holder_st = *st;
            b->trace(v.holder, check_field, &v);
        }
    }
    if (h->cfg.mode == GULL_MODE_GEN && v.logged != h->remset.len)
        report(&v, "%zu objects are LOGGED but the remembered set holds %zu", v.logged, h->remset.len);
    for (size_t i = 0; i < h->remset.len; i++) {
        uint8_t s = *state_of(h->remset.at[i]);
        if (!(s & ST_LOGGED) || !st_live(h, s))
            report(&v, "remembered-set entry %p is not a live LOGGED object", h->remset.at[i]);
    }
    roots_each(h, check_root, &v);
    if (v.errors > MAX_REPORTS)
        heap_error(h, GULL_ERR_VERIFY, "verify (%s): %zu more problems not shown", when,
                   v.errors - MAX_REPORTS);
}
