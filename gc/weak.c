/* weak.c — weak references: host-owned handles that read NULL once their
 * target is reclaimed.
 *
 * Each handle remembers its index in h->weaks so freeing is O(1).  After
 * marking and before finalizable objects are resurrected (collect.c), a
 * handle whose target is unmarked is cleared; so a weak reference to an
 * object with a finalizer reads NULL before the finalizer runs (Java's
 * WeakReference, not its PhantomReference).  A minor collection can only
 * clear handles to young objects; old targets die at majors.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

struct gull_weak {
    void *target;
    size_t index;
};

gull_weak *gull_weak_new(gull_heap *h, void *obj)
{
    if (!h || !obj) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_weak_new: %s is NULL", h ? "obj" : "heap");
        return NULL;
    }
    if (block_find_object(h, obj, false) != obj) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER, "gull_weak_new: %p is not a live object of this heap", obj);
        return NULL;
    }
    gull_weak *w = malloc(sizeof *w);
    if (!w || !vec_push(&h->weaks, w)) {
        free(w);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_weak_new: no memory for a weak reference");
        return NULL;
    }
    w->target = obj;
    w->index = h->weaks.len - 1;
    return w;
}

void *gull_weak_get(gull_heap *h, const gull_weak *w)
{
    if (!h || !w) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_weak_get: %s is NULL", h ? "the weak reference" : "heap");
        return NULL;
    }
    if (w->index >= h->weaks.len || h->weaks.at[w->index] != w) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "gull_weak_get: %p is not a weak reference of this heap (another heap's, or freed)",
                   (const void *)w);
        return NULL;
    }
    /* .read-barrier  While an incremental cycle marks, the target may be
     * white and reachable from nowhere but this handle; handing it to the
     * host makes it reachable again, which the snapshot did not see: shade
     * it (as SATB collectors do for weak reads).  rc's backup trace keeps
     * the RC barrier kind published while it marks (rc.c .backup). */
    if (w->target && (h->pub.barrier == GULL_BARRIER_MARKING || (h->rc && inc_marking(h))))
        mark_shade(h, w->target);
    return w->target;
}

void gull_weak_free(gull_heap *h, gull_weak *w)
{
    if (!h || !w) {
        if (!h)
            heap_error(NULL, GULL_ERR_NULL_ARG, "gull_weak_free: heap is NULL");
        return;
    }
    if (w->index >= h->weaks.len || h->weaks.at[w->index] != w) {
        heap_error(h, GULL_ERR_MISUSE, "gull_weak_free: %p is not a weak reference of this heap (freed twice?)",
                   (void *)w);
        return;
    }
    gull_weak *last = h->weaks.at[--h->weaks.len];
    h->weaks.at[w->index] = last;
    last->index = w->index;
    free(w);
}

void weak_after_mark(marker *m)
{
    gull_heap *h = m->h;
    for (size_t i = 0; i < h->weaks.len; i++) {
        gull_weak *w = h->weaks.at[i];
        if (w->target && mark_found_dead(m, w->target)) {
            w->target = NULL;
            h->st.s.weak_cleared++;
        }
    }
}

void weak_clear_rc(gull_heap *h)
{
    for (size_t i = 0; i < h->weaks.len; i++) {
        gull_weak *w = h->weaks.at[i];
        if (!w->target)
            continue;
        uint8_t st = *state_of(w->target);
        if (st == 0 || (st & ST_RC_DYING)) {
            w->target = NULL;
            h->st.s.weak_cleared++;
        }
    }
}

void weak_free_all(gull_heap *h)
{
    for (size_t i = 0; i < h->weaks.len; i++)
        free(h->weaks.at[i]);
    vec_free(&h->weaks);
}
