/* collect.c — one collection, minor or major, from start to end.  Pacing
 * (pacing.c) decides when; this file decides nothing, it runs the phases:
 *
 *   retire free lists (alloc.c .retire)
 *   major: finish the sweep, flip the color (sweep.c .finish-sweep)
 *   mark roots, the finalizer ready queue, and (minor) the remembered set
 *   drain the mark stack
 *   clear weak references to unmarked objects
 *   drop the native bytes of the unreachable (external.c)
 *   resurrect unreachable finalizable objects and mark from them
 *   minor: age, promote, free the young    major: queue every block for
 *                                                 lazy sweeping, sweep large
 *
 * .reentry  h->in_collector guards against a collection starting inside
 *          another (a trace function or pause hook calling back into gull).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

static void queue_all_for_sweep(gull_heap *h)
{
    block *next;
    for (block *b = h->blocks; b; b = next) {
        next = b->next;
        if (b->kind == BK_SMALL) {
            b->unswept = true;
            b->empty = false;
            alloc_queue_block(h, b);
        } else {
            sweep_large(h, b);
        }
    }
}

void collect_run(gull_heap *h, gull_collect_kind kind, const char *why)
{
    if (h->in_collector) {
        heap_error(h, GULL_ERR_MISUSE,
                   "a collection was requested during a collection (from a trace function or pause hook); ignored");
        return;
    }
    bool major = kind == GULL_COLLECT_MAJOR || h->cfg.mode == GULL_MODE_FULL || h->want_major;
    h->in_collector = true;
    stats_pause_begin(h, major ? GULL_PAUSE_MAJOR : GULL_PAUSE_MINOR);
    ASSERT(heap_is_valid(h)); /* checking build: the structure is sound at each phase boundary */
    if (h->cfg.verify)
        verify_heap(h, "before collection");

    alloc_retire_all(h);
    if (major) {
        sweep_finish(h);
        h->color = (uint8_t)(3 - h->color); /* 1 <-> 2: everyone is white */
        h->major_marking = true;
        h->want_major = false;
    } else {
        h->minor = true;
    }
    h->marked_objects = 0;
    h->marked_bytes = 0;

    roots_mark(h);
    final_mark_ready(h);
    mark_drain(h);
    if (!major)
        gen_mark_remembered(h);
    mark_drain(h);

    weak_after_mark(h);
    external_after_mark(h); /* before resurrection: see external.c .unreachable */
    final_after_mark(h);

    if (major) {
        gen_reset(h);
        queue_all_for_sweep(h);
        h->major_marking = false;
    } else {
        gen_sweep_young(h);
        h->minor = false;
    }
    h->st.s.objects_marked += h->marked_objects;
    h->st.s.last_objects_marked = h->marked_objects;
    pacing_after_collection(h, major);
    if (major)
        block_decommit_free(h, false);
    ASSERT(heap_is_valid(h));
    ASSERT(h->mark_stack.len == 0 && !h->minor && !h->major_marking);
    if (h->cfg.verify)
        verify_heap(h, "after collection");
    h->finalizers_pending = h->final_ready.len > 0;
    stats_pause_end(h, why);
    h->in_collector = false;
}

void gull_collect(gull_heap *h, gull_collect_kind kind)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_collect: heap is NULL");
        return;
    }
    if (h->in_collector || h->in_finalizers) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_collect: called from %s; collections cannot nest there, request ignored",
                   h->in_collector ? "inside a collection (a trace function or pause hook)" : "a finalizer");
        return;
    }
    collect_run(h, kind == GULL_COLLECT_MAJOR ? GULL_COLLECT_MAJOR : GULL_COLLECT_MINOR, "explicit");
    if (kind == GULL_COLLECT_MAJOR) {
        /* An explicit full collection is a request for memory back: sweep
         * now, outside the pause, and return what is free to the OS. */
        sweep_finish(h);
        block_decommit_free(h, true);
    }
    if (!h->cfg.finalize_on_demand)
        gull_run_finalizers(h);
}
