/* finalize.c — finalizers.
 *
 * An object whose type has a finalizer is registered at allocation
 * (final_young; final_old once it is old).  After marking, a registered
 * object that is unmarked is unreachable: it moves to the ready queue and
 * is marked again, with everything it references (resurrection), so its
 * finalizer sees valid memory.  Registered objects are finalized in no
 * particular order (as in Java and .NET; unlike Boehm's topological order):
 * a finalizer may meet other objects that are being finalized, never a
 * freed one.
 *
 * .when    Finalizers never run inside the collector.  They run in
 *          gull_run_finalizers(), which gull calls at the end of
 *          gull_collect() and after a collection triggered by an
 *          allocation (before that allocation takes its cell), unless the
 *          host set finalize_on_demand.  While a batch runs, its objects
 *          stay roots (final_running), so a collection triggered by a
 *          finalizer's own allocation frees none of them.
 *          A major cycle keeps the objects it found in final_found until
 *          its marking from them is over (collect.c, PHASE_MARK_FINAL):
 *          in inc mode the host runs between steps, and a finalizer must
 *          not meet an object that is still white.
 * .once    An object leaves the registry when it becomes ready, so it is
 *          finalized once even if its finalizer makes it reachable again.
 * .rc-index In rc mode the zero-count pass asks, for each dead object of a
 *          type with a finalizer, whether it is still registered.  A walk
 *          of final_old per pass cost 8% of a run that keeps 100,000
 *          finalizable strings (cache.scm), so rc keeps an index: object ->
 *          its position in final_old (open addressing, linear probing,
 *          deletion by shifting back).  Minors add the objects they promote,
 *          a major's sift rebuilds it, a take removes by swapping the last
 *          entry in.  If memory for it runs out, the index is dropped and
 *          takes walk the list as before until the next major rebuilds it.
 *          In rc every minor promotes all its survivors, so at a pass
 *          final_young is empty.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

bool final_register(gull_heap *h, void *obj)
{
    return vec_push(&h->final_young, obj);
}

/* ---------------------------------------------------------------- .rc-index */

typedef struct final_index {
    void **obj;    /* NULL = empty */
    size_t *pos;
    size_t cap;    /* a power of two, at least twice the entries */
} final_index;

static size_t ix_slot(const final_index *x, const void *obj)
{
    uintptr_t k = ((uintptr_t)obj >> GRANULE_SHIFT) * 0x9E3779B97F4A7C15ull;
    return (size_t)(k >> 17) & (x->cap - 1);
}

static void ix_drop(gull_heap *h)
{
    if (!h->final_index)
        return;
    free(h->final_index->obj);
    free(h->final_index->pos);
    free(h->final_index);
    h->final_index = NULL;
}

static void ix_put(final_index *x, void *obj, size_t pos)
{
    size_t i = ix_slot(x, obj);
    while (x->obj[i] && x->obj[i] != obj)
        i = (i + 1) & (x->cap - 1);
    x->obj[i] = obj;
    x->pos[i] = pos;
}

/* The index of final_old, from scratch; false (and no index) without memory. */
static bool ix_build(gull_heap *h)
{
    ix_drop(h);
    if (h->cfg.mode != GULL_MODE_RC)
        return true;
    size_t cap = 64;
    while (cap < 2 * h->final_old.len + 2)
        cap *= 2;
    final_index *x = calloc(1, sizeof *x);
    if (!x || !(x->obj = calloc(cap, sizeof *x->obj)) || !(x->pos = malloc(cap * sizeof *x->pos))) {
        if (x)
            free(x->obj);
        free(x);
        return false;
    }
    x->cap = cap;
    for (size_t i = 0; i < h->final_old.len; i++)
        ix_put(x, h->final_old.at[i], i);
    h->final_index = x;
    return true;
}

/* final_old gained its last entry. */
static void ix_added(gull_heap *h)
{
    final_index *x = h->final_index;
    if (h->cfg.mode != GULL_MODE_RC)
        return;
    if (!x || 2 * h->final_old.len > x->cap) {
        ix_build(h); /* grows it; without memory, takes walk the list */
        return;
    }
    ix_put(x, h->final_old.at[h->final_old.len - 1], h->final_old.len - 1);
}

static size_t *ix_find(final_index *x, const void *obj)
{
    for (size_t i = ix_slot(x, obj); x->obj[i]; i = (i + 1) & (x->cap - 1))
        if (x->obj[i] == obj)
            return &x->pos[i];
    return NULL;
}

static void ix_delete(final_index *x, const void *obj)
{
    size_t i = ix_slot(x, obj);
    while (x->obj[i] != obj)
        i = (i + 1) & (x->cap - 1);
    x->obj[i] = NULL;
    /* shift back the entries of the run after i that may now be unreachable */
    for (size_t j = (i + 1) & (x->cap - 1); x->obj[j]; j = (j + 1) & (x->cap - 1)) {
        size_t home = ix_slot(x, x->obj[j]);
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (between)
            continue; /* still reachable from its home */
        x->obj[i] = x->obj[j];
        x->pos[i] = x->pos[j];
        x->obj[j] = NULL;
        i = j;
    }
}

void final_mark_ready(marker *m)
{
    gull_heap *h = m->h;
    for (size_t i = 0; i < h->final_ready.len; i++)
        mark_value(m, h->final_ready.at[i]);
    for (size_t i = 0; i < h->final_running.len; i++)
        mark_value(m, h->final_running.at[i]);
    /* rc: what an incremental cycle found unreachable and resurrected waits
     * here for its finalizer; RC must not free it meanwhile (rc.c .backup) */
    for (size_t i = 0; i < h->final_found.len; i++)
        mark_value(m, h->final_found.at[i]);
}

/* Move the dead of list v to `into` and make them gray again
 * (resurrection); keep the living, moving those that are old (or promoted
 * now) from the young list to final_old. */
static void sift(marker *m, vec *v, bool young_list, vec *into)
{
    gull_heap *h = m->h;
    size_t keep = 0;
    for (size_t i = 0; i < v->len; i++) {
        void *obj = v->at[i];
        if (mark_found_dead(m, obj)) {
            if (*state_of(obj) & ST_SPECIAL)
                external_release_dead(h, obj); /* external.c .unreachable */
            if (!vec_push(into, obj)) {
                /* Cannot queue it: keep it registered and alive one more cycle. */
                v->at[keep++] = obj;
            }
            mark_value(m, obj);
            continue;
        }
        uint8_t st = *state_of(obj);
        bool stays_young = m->minor ? gen_stays_young(h, st) : (st & ST_YOUNG) != 0;
        if (young_list && !stays_young) {
            if (vec_push(&h->final_old, obj)) {
                ix_added(h);
                continue;
            }
        }
        v->at[keep++] = obj;
    }
    v->len = keep;
}

void final_after_mark(marker *m)
{
    gull_heap *h = m->h;
    vec *into = m->minor ? &h->final_ready : &h->final_found; /* .when */
    sift(m, &h->final_young, true, into);
    if (!m->minor) {
        sift(m, &h->final_old, false, into);
        ix_build(h); /* .rc-index: positions moved */
    }
}

/* rc.c .pass: of objs[0..n), those flagged ST_RC_DYING (found dead) that
 * are registered are queued for their finalizers, as sift does for a
 * mark's unreachable ones (their children stay alive because the dead
 * object keeps its counts on them), and lose the flag; the others keep it
 * (not registered: their finalizer ran). */
static void take_one(gull_heap *h, void *obj, vec *v, size_t i)
{
    uint8_t *st = state_of(obj);
    *st &= (uint8_t)~ST_RC_DYING;
    /* swap the last entry in; the index follows it */
    void *last = v->at[--v->len];
    if (i < v->len) {
        v->at[i] = last;
        if (h->final_index && v == &h->final_old)
            *ix_find(h->final_index, last) = i;
    }
    if (h->final_index && v == &h->final_old)
        ix_delete(h->final_index, obj);
    if (!vec_push(&h->final_ready, obj)) {
        /* no room: registered again (a push after a pop cannot fail), and
         * into the ZCT to look again at the next pause */
        v->at[v->len++] = obj;
        if (v == &h->final_old)
            ix_added(h);
        h->rc->zct_add(h, obj);
        return;
    }
    if (*st & ST_SPECIAL)
        external_release_dead(h, obj); /* external.c .unreachable */
}

static void take_walk(gull_heap *h, vec *v)
{
    for (size_t i = 0; i < v->len;) {
        void *obj = v->at[i];
        if (*state_of(obj) & ST_RC_DYING)
            take_one(h, obj, v, i); /* the swapped-in entry is at i now */
        else
            i++;
    }
}

void final_take_rc(gull_heap *h, void **objs, size_t n)
{
    take_walk(h, &h->final_young); /* empty at a pass (.rc-index) */
    if (!h->final_index) {
        take_walk(h, &h->final_old);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        void *obj = objs[k];
        if (!(*state_of(obj) & ST_RC_DYING))
            continue;
        size_t *pos = ix_find(h->final_index, obj);
        if (pos)
            take_one(h, obj, &h->final_old, *pos);
    }
}

/* verify.c: the index matches final_old (NULL), or what is wrong. */
const char *final_index_problem(gull_heap *h)
{
    final_index *x = h->final_index;
    if (!x)
        return NULL;
    size_t entries = 0;
    for (size_t i = 0; i < x->cap; i++)
        entries += x->obj[i] != NULL;
    if (entries != h->final_old.len)
        return "the finalization index and final_old differ in length";
    for (size_t i = 0; i < h->final_old.len; i++) {
        size_t *pos = ix_find(x, h->final_old.at[i]);
        if (!pos || *pos != i)
            return "a registered object's position in the finalization index is wrong";
    }
    return NULL;
}

void final_release_found(gull_heap *h)
{
    for (size_t i = 0; i < h->final_found.len; i++) {
        if (!vec_push(&h->final_ready, h->final_found.at[i])) {
            /* Keep the rest for the next cycle's release. */
            memmove(h->final_found.at, h->final_found.at + i, (h->final_found.len - i) * sizeof(void *));
            h->final_found.len -= i;
            heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                       "no memory to queue finalizers; %zu objects wait for the next collection",
                       h->final_found.len);
            return;
        }
    }
    h->final_found.len = 0;
}

size_t gull_run_finalizers(gull_heap *h)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_run_finalizers: heap is NULL");
        return 0;
    }
    if (h->in_pause || h->in_finalizers)
        return 0; /* .when: never nested, never inside the collector */
    h->in_finalizers = true;
    size_t ran = 0;
    while (h->final_ready.len) {
        /* Take the whole batch; new arrivals wait for the next round. */
        vec batch = h->final_ready;
        h->final_ready = h->final_running;
        h->final_ready.len = 0;
        h->final_running = batch;
        for (size_t i = 0; i < batch.len; i++) {
            void *obj = h->final_running.at[i];
            type_info *ti = h->types[block_of(obj)->type];
            ti->finalize(h, obj);
            if (h->rc)
                h->rc->finalized(h, obj); /* rc.c .invariant: back to the ZCT if uncounted */
            ran++;
        }
        h->final_running.len = 0;
    }
    h->finalizers_pending = false;
    h->in_finalizers = false;
    h->st.s.finalizers_run += ran;
    return ran;
}

void final_free(gull_heap *h)
{
    vec_free(&h->final_young);
    vec_free(&h->final_old);
    vec_free(&h->final_ready);
    vec_free(&h->final_running);
    vec_free(&h->final_found);
    ix_drop(h);
}
