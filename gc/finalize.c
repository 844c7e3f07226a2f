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
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

bool final_register(gull_heap *h, void *obj)
{
    return vec_push(&h->final_young, obj);
}

void final_mark_ready(marker *m)
{
    gull_heap *h = m->h;
    for (size_t i = 0; i < h->final_ready.len; i++)
        mark_value(m, h->final_ready.at[i]);
    for (size_t i = 0; i < h->final_running.len; i++)
        mark_value(m, h->final_running.at[i]);
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
            if (vec_push(&h->final_old, obj))
                continue;
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
    if (!m->minor)
        sift(m, &h->final_old, false, into);
}

/* rc.c .pass: the registered objects the ZCT pass found dead (flagged
 * ST_RC_DYING) are queued for their finalizers, as sift does for a mark's
 * unreachable ones; their children stay alive because the dead object
 * keeps its counts on them. */
static void take_rc(gull_heap *h, vec *v)
{
    size_t keep = 0;
    for (size_t i = 0; i < v->len; i++) {
        void *obj = v->at[i];
        uint8_t *st = state_of(obj);
        if (*st & ST_RC_DYING) {
            *st &= (uint8_t)~ST_RC_DYING;
            if (!vec_push(&h->final_ready, obj)) {
                h->rc->zct_add(h, obj); /* no room: still registered, look again next pause */
                v->at[keep++] = obj;
                continue;
            }
            if (*st & ST_SPECIAL)
                external_release_dead(h, obj); /* external.c .unreachable */
            continue;
        }
        v->at[keep++] = obj;
    }
    v->len = keep;
}

void final_take_rc(gull_heap *h)
{
    take_rc(h, &h->final_young);
    take_rc(h, &h->final_old);
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
}
