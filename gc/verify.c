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
 *   - inc mode, while a cycle is marking (collect.c .young-first): every
 *     young object has the current color (black for the major), and the
 *     major marker's gray set holds no young object.
 * At an incremental cycle's finish step (GULL_VERIFY in inc mode), the
 * snapshot invariant (mark.c .snapshot) is checked in both halves:
 *   - everything the snapshot reached is marked: at the roots step the
 *     verifier records every object reachable from the initial gray set
 *     (a traversal of its own, into a hash set), and checks at the finish
 *     step that each one got the current color;
 *   - no black object points to a white one.
 * In rc mode, after each collection, the counts and the zero-count table
 * are checked too (.rc, at the end of this file).
 * Each problem is reported (GULL_ERR_VERIFY) with the holder's type, the
 * slot's offset and the target's type; reporting stops after 20.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

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
    if (h->cfg.mode != GULL_MODE_FULL && !(v->holder_st & ST_YOUNG) && (st & ST_YOUNG) &&
        (!(v->holder_st & ST_LOGGED) ||
         (gen_carded(block_of(v->holder)) && !gen_card_dirty(block_of(v->holder), slot)))) {
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

/* Check the fields of the live objects of b (and count LOGGED ones). */
static void verify_block(vctx *v, block *b)
{
    gull_heap *h = v->h;
    if (!heap_type(h, b->type)) {
        report(v, "block %p has unregistered type id %u", (void *)b->start, b->type);
        return;
    }
    size_t stride = b->cell_size / GRANULE;
    uint8_t *st = state_of(b->start);
    for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
        if (!*st || !st_live(h, *st))
            continue;
        if (*st & ST_LOGGED)
            v->logged++;
        if (h->cycle_inc && heap_flipped(h) && (*st & ST_YOUNG) && (*st & ST_COLOR) != h->color)
            report(v, "young '%s' at %p is white during an incremental cycle "
                      "(collect.c .young-first: young objects are black for the major)",
                   type_name_of(h, block_cell(b, i)), (void *)block_cell(b, i));
        if (!b->trace)
            continue;
        v->holder = block_cell(b, i);
        v->holder_st = *st;
        b->trace(v->holder, check_field, v);
    }
}

/* .generational  A full walk costs O(heap), so GULL_VERIFY with GULL_STRESS
 * would be quadratic.  Level 1 walks the whole heap at every major and at
 * every VERIFY_FULL_EVERY-th minor collection; at the other minors it
 * checks the young objects, the remembered objects and the roots (what a
 * minor reads), which catches a missing root at once and a missing barrier
 * within VERIFY_FULL_EVERY minors.  Level 2 walks the whole heap every time. */
#define VERIFY_FULL_EVERY 8

void verify_minor(gull_heap *h, const char *when)
{
    if (h->cfg.verify >= 2 || h->verify_count++ % VERIFY_FULL_EVERY == 0) {
        verify_heap(h, when);
        return;
    }
    vctx v = {.h = h, .when = when};
    for (block *b = h->young_blocks; b; b = b->ynext)
        verify_block(&v, b);
    for (block *b = h->young_large; b; b = b->ynext)
        verify_block(&v, b);
    for (size_t i = 0; i < h->remset.len; i++) {
        void *obj = h->remset.at[i];
        uint8_t s = *state_of(obj);
        if (!(s & ST_LOGGED) || !st_live(h, s)) {
            report(&v, "remembered-set entry %p is not a live LOGGED object", obj);
            continue;
        }
        block *b = block_of(obj);
        if (b->trace) {
            v.holder = obj;
            v.holder_st = s;
            b->trace(obj, check_field, &v);
        }
    }
    roots_each(h, check_root, &v);
    if (v.errors > MAX_REPORTS)
        heap_error(h, GULL_ERR_VERIFY, "verify (%s): %zu more problems not shown", when,
                   v.errors - MAX_REPORTS);
}

void verify_heap(gull_heap *h, const char *when)
{
    vctx v = {.h = h, .when = when};
    for (block *b = h->blocks; b; b = b->next) {
        verify_block(&v, b);
    }
    for (size_t i = 0; i < h->major_mk.stack.len && h->cfg.mode != GULL_MODE_RC; i++)
        /* rc: a gray object RC freed leaves its entry, which may name a
         * young object in its cell since; the marker skips it (rc.c .backup) */
        if (*state_of(h->major_mk.stack.at[i]) & ST_YOUNG)
            report(&v, "the major mark stack holds young '%s' at %p (collect.c .young-first)",
                   type_name_of(h, h->major_mk.stack.at[i]), h->major_mk.stack.at[i]);
    if (h->cfg.mode != GULL_MODE_FULL && v.logged != h->remset.len)
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

/* ---------------------------------------------------------------- the snapshot */

/* An open-addressing set of object addresses, and a work list. */
struct snapshot {
    void **at;
    size_t cap, len;
    vec pending;
    bool failed; /* out of memory: the check is skipped, and says so */
};

static size_t snap_slot(const struct snapshot *s, const void *p)
{
    return (size_t)(((uintptr_t)p >> GRANULE_SHIFT) * 0x9E3779B97F4A7C15ull >> 17) & (s->cap - 1);
}

/* Add p; true if it was new. */
static bool snap_add(struct snapshot *s, void *p)
{
    if ((s->len + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        void **old = s->at;
        size_t oldcap = s->cap;
        s->at = calloc(cap, sizeof *s->at);
        if (!s->at) {
            s->at = old;
            s->failed = true;
            return false;
        }
        s->cap = cap;
        for (size_t i = 0; i < oldcap; i++) {
            if (old[i]) {
                size_t j = snap_slot(s, old[i]);
                while (s->at[j])
                    j = (j + 1) & (s->cap - 1);
                s->at[j] = old[i];
            }
        }
        free(old);
    }
    size_t i = snap_slot(s, p);
    while (s->at[i]) {
        if (s->at[i] == p)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->at[i] = p;
    s->len++;
    return true;
}

static void snap_visit(void **slot, void *ctx)
{
    struct snapshot *s = ctx;
    void *v = *slot;
    if (!v || ((uintptr_t)v & (GRANULE - 1)) || s->failed)
        return;
    if (snap_add(s, v) && block_of(v)->trace && !vec_push(&s->pending, v))
        s->failed = true;
}

void verify_snapshot_take(gull_heap *h)
{
    verify_free(h);
    struct snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return;
    h->snapshot = s;
    /* The snapshot is what the gray set (the roots, just marked) reaches,
     * and the roots that were marked black at once (no pointers). */
    const vec *gray = &h->major_mk.stack;
    for (size_t i = 0; i < gray->len && !s->failed; i++)
        if (snap_add(s, gray->at[i]) && !vec_push(&s->pending, gray->at[i]))
            s->failed = true;
    while (s->pending.len && !s->failed) {
        void *obj = s->pending.at[--s->pending.len];
        block_of(obj)->trace(obj, snap_visit, s);
    }
    vec_free(&s->pending);
}

typedef struct bw_ctx {
    vctx v;
    void *holder;
} bw_ctx;

static void check_black_white(void **slot, void *ctx)
{
    bw_ctx *c = ctx;
    gull_heap *h = c->v.h;
    void *val = *slot;
    if (!val || ((uintptr_t)val & (GRANULE - 1)))
        return;
    if ((*state_of(val) & ST_COLOR) != h->color)
        report(&c->v, "black '%s' at %p, slot +%zu, points to white '%s' at %p when marking ended "
                      "(a store skipped the barrier while marking: store through gull_write/GULL_WRITE)",
               type_name_of(h, c->holder), c->holder, (size_t)((uint8_t *)slot - (uint8_t *)c->holder),
               type_name_of(h, val), val);
}

void verify_snapshot_check(gull_heap *h)
{
    bw_ctx c = {.v = {.h = h, .when = "end of incremental marking"}};
    struct snapshot *s = h->snapshot;
    if (s && s->failed)
        heap_error(h, GULL_ERR_VERIFY, "verify: no memory to record the snapshot; its check is skipped");
    else if (s)
        for (size_t i = 0; i < s->cap; i++)
            if (s->at[i] && (*state_of(s->at[i]) & ST_COLOR) != h->color &&
                !(h->cfg.mode == GULL_MODE_RC && !*state_of(s->at[i]))) /* rc: freed by counting */
                report(&c.v, "'%s' at %p was reachable when the cycle began but is not marked "
                             "(a store skipped the barrier while marking)",
                       type_name_of(h, s->at[i]), s->at[i]);
    for (block *b = h->blocks; b; b = b->next) {
        if (!b->trace)
            continue;
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
            if (!*st || (*st & ST_COLOR) != h->color)
                continue;
            c.holder = block_cell(b, i);
            b->trace(c.holder, check_black_white, &c);
        }
    }
    if (c.v.errors > MAX_REPORTS)
        heap_error(h, GULL_ERR_VERIFY, "verify (%s): %zu more problems not shown", c.v.when,
                   c.v.errors - MAX_REPORTS);
    verify_free(h);
}

void verify_free(gull_heap *h)
{
    if (!h->snapshot)
        return;
    free(h->snapshot->at);
    vec_free(&h->snapshot->pending);
    free(h->snapshot);
    h->snapshot = NULL;
}

/* ---------------------------------------------------------------- rc counts */

/* .rc  In rc mode, after each collection (no young object exists then):
 * every live old object's count equals the number of slots of live old
 * objects that point to it, capped at RC_STICKY (a sticky count is
 * accepted whatever it is: only the next recount fixes it); every live
 * object with count 0 is in the ZCT or waits for its finalizer (rc.c
 * .invariant); every ZCT entry is a live object flagged ST_RC_ZCT.  A
 * count lower than its holders is a store that skipped the barrier: the
 * holder's type and slot are reported. */
typedef struct rcv {
    vctx v;
    chunk **chunks;
    uint8_t **expect;
    size_t n;
    void *target;      /* pass 3: the holders of this object are reported */
    bool found;
    vec under;         /* undercounted objects, whose holders pass 3 reports */
    size_t buffered;   /* objects flagged RC_BUFFERED */
} rcv;

static uint8_t *expect_of(rcv *r, const void *obj)
{
    chunk *c = chunk_of(obj);
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (r->chunks[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->n || r->chunks[lo] != c || !r->expect[lo])
        return NULL;
    size_t i = ((uintptr_t)obj & CHUNK_MASK) >> GRANULE_SHIFT;
    return i < c->rc_counts_len ? r->expect[lo] + i : NULL;
}

static bool counted_target(gull_heap *h, void *val)
{
    if (!val || ((uintptr_t)val & (GRANULE - 1)))
        return false;
    if (block_find_object(h, val, false) != val)
        return false; /* check_field reports it */
    return !(*state_of(val) & ST_YOUNG);
}

static void expect_visit(void **slot, void *ctx)
{
    rcv *r = ctx;
    if (!counted_target(r->v.h, *slot))
        return;
    uint8_t *e = expect_of(r, *slot);
    if (e && *e != RC_STICKY)
        (*e)++;
}

static void holder_visit(void **slot, void *ctx)
{
    rcv *r = ctx;
    if (r->found || *slot != r->target)
        return;
    r->found = true;
    gull_heap *h = r->v.h;
    report(&r->v, "'%s' at %p has count %u but more old objects point to it; one is a '%s' at %p, "
                  "slot +%zu: a host store that skipped the barrier (use gull_write/GULL_WRITE)",
           type_name_of(h, r->target), r->target, rc_count(r->target), type_name_of(h, r->v.holder),
           r->v.holder, (size_t)((uint8_t *)slot - (uint8_t *)r->v.holder));
}

/* fn on every live old object; with holders, also on the dead ones whose
 * counts PHASE_RC_DEC has not given back yet (their edges are still
 * counted: rc.c .backup). */
static void each_old(gull_heap *h, void (*fn)(rcv *, block *, void *), rcv *r, bool holders)
{
    for (block *b = h->blocks; b; b = b->next) {
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        bool dead_too = holders && b->rc_dec;
        for (uint32_t i = 0; i < b->ncells; i++, st += stride)
            if (*st && (dead_too || st_live(h, *st)) && !(*st & ST_YOUNG))
                fn(r, b, block_cell(b, i));
    }
}

static void count_holder(rcv *r, block *b, void *obj)
{
    if (b->trace)
        b->trace(obj, expect_visit, r);
}

static void find_holder(rcv *r, block *b, void *obj)
{
    if (b->trace && !r->found) {
        r->v.holder = obj;
        b->trace(obj, holder_visit, r);
    }
}

static void check_count(rcv *r, block *b, void *obj)
{
    (void)b;
    gull_heap *h = r->v.h;
    uint8_t st = *state_of(obj);
    unsigned have = rc_count(obj);
    uint8_t *e = expect_of(r, obj);
    unsigned want = e ? *e : 0;
    if (st & ST_RC_ROOT)
        report(&r->v, "'%s' at %p keeps a root flag outside a pause (rc.c .bits)", type_name_of(h, obj), obj);
    if (have == RC_STICKY)
        return; /* .sticky */
    if (have < want) {
        if (!vec_push(&r->under, obj))
            report(&r->v, "'%s' at %p has count %u, %u old objects point to it", type_name_of(h, obj), obj,
                   have, want);
    } else if (have > want) {
        report(&r->v, "'%s' at %p has count %u but only %u old objects point to it (a leak until the "
                      "next major collection; a store into an old object that skipped the barrier?)",
               type_name_of(h, obj), obj, have, want);
    }
    if (have == 0 && !(st & (ST_RC_ZCT | ST_RC_DYING)))
        report(&r->v, "'%s' at %p has count 0 but is neither in the zero-count table nor waiting for "
                      "its finalizer (rc.c .invariant)",
               type_name_of(h, obj), obj);
}

/* rc.c .sources, .stale: each object flagged RC_BUFFERED is a live old
 * object of a cyclic type with an entry in the buffer; the buffer has one
 * entry per flagged object plus at most rc_stale entries left behind by
 * freed candidates, and an entry without the flag (or a second one for an
 * object) only if there are such. */
static void count_buffered(rcv *r, block *b, void *obj)
{
    if (!rc_buffered(obj))
        return;
    r->buffered++;
    if (b->acyclic)
        report(&r->v, "'%s' at %p is flagged a cycle candidate but its type is acyclic",
               type_name_of(r->v.h, obj), obj);
}

static void check_candidates(rcv *r)
{
    gull_heap *h = r->v.h;
    if (h->rc_filter != SIZE_MAX)
        return; /* PHASE_RC_DEC is dropping the dead entries (rc.c .backup) */
    size_t flagged_entries = 0;
    for (size_t i = 0; i < h->rc_cand.len; i++) {
        void *obj = h->rc_cand.at[i];
        if (block_find_object(h, obj, false) == obj && rc_buffered(obj))
            flagged_entries++;
    }
    r->buffered = 0;
    each_old(h, count_buffered, r, false);
    size_t e = h->rc_cand.len, f = r->buffered;
    if (f > flagged_entries || e > f + h->rc_stale)
        report(&r->v, "the cycle candidate buffer has %zu entries (%zu for flagged objects, at most "
                      "%zu left by freed candidates) but %zu objects are flagged RC_BUFFERED",
               e, flagged_entries, h->rc_stale, f);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

static void flag_queue(vec *q, bool on)
{
    for (size_t i = 0; i < q->len; i++) {
        uint8_t *st = state_of(q->at[i]);
        *st = on ? (uint8_t)(*st | ST_RC_DYING) : (uint8_t)(*st & ~ST_RC_DYING);
    }
}

void verify_rc(gull_heap *h, const char *when)
{
    if (h->young_blocks || h->young_large)
        return; /* counts of young objects are partial until promotion */
    rcv r = {.v = {.h = h, .when = when}};
    for (chunk *c = h->chunks; c; c = c->next)
        r.n++;
    r.chunks = calloc(r.n ? r.n : 1, sizeof *r.chunks);
    r.expect = calloc(r.n ? r.n : 1, sizeof *r.expect);
    bool ok = r.chunks && r.expect;
    size_t k = 0;
    for (chunk *c = h->chunks; ok && c; c = c->next)
        r.chunks[k++] = c;
    if (ok)
        qsort(r.chunks, r.n, sizeof *r.chunks, cmp_ptr);
    for (size_t i = 0; ok && i < r.n; i++)
        if (r.chunks[i]->rc_counts_len && !(r.expect[i] = calloc(r.chunks[i]->rc_counts_len, 1)))
            ok = false;
    if (!ok) {
        heap_error(h, GULL_ERR_VERIFY, "verify (%s): no memory to check the reference counts", when);
    } else {
        each_old(h, count_holder, &r, true);
        /* Objects waiting for their finalizer may have count 0 outside the ZCT. */
        flag_queue(&h->final_ready, true);
        flag_queue(&h->final_running, true);
        each_old(h, check_count, &r, false);
        flag_queue(&h->final_ready, false);
        flag_queue(&h->final_running, false);
        for (size_t i = 0; i < r.under.len && i < MAX_REPORTS; i++) {
            r.target = r.under.at[i];
            r.found = false;
            each_old(h, find_holder, &r, true);
        }
        for (size_t i = 0; i < h->zct.len; i++) {
            uint8_t st = *state_of(h->zct.at[i]);
            if (!st || !st_live(h, st) || !(st & ST_RC_ZCT))
                report(&r.v, "zero-count-table entry %p is not a live object flagged ST_RC_ZCT", h->zct.at[i]);
        }
        check_candidates(&r);
        const char *fi = final_index_problem(h);
        if (fi)
            report(&r.v, "%s (finalize.c .rc-index)", fi);
    }
    vec_free(&r.under);
    for (size_t i = 0; r.expect && i < r.n; i++)
        free(r.expect[i]);
    free(r.expect);
    free(r.chunks);
    if (r.v.errors > MAX_REPORTS)
        heap_error(h, GULL_ERR_VERIFY, "verify (%s): %zu more problems not shown", when,
                   r.v.errors - MAX_REPORTS);
}
