/* debug.c — test hooks: read the phase and an object's color, start a
 * cycle, and advance it by an exact amount of work, so tests can stop the
 * collector between steps and mutate the graph adversarially (gull.h,
 * "test hooks").  Nothing here is on a hot path.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

_Static_assert((int)GULL_PHASE_IDLE == (int)PHASE_IDLE && (int)GULL_PHASE_SWEEP == (int)PHASE_SWEEP &&
                   (int)GULL_PHASE_ROOTS == (int)PHASE_ROOTS && (int)GULL_PHASE_MARK == (int)PHASE_MARK &&
                   (int)GULL_PHASE_FINISH == (int)PHASE_FINISH &&
                   (int)GULL_PHASE_MARK_FINAL == (int)PHASE_MARK_FINAL &&
                   (int)GULL_PHASE_RECLAIM == (int)PHASE_RECLAIM &&
                   (int)GULL_PHASE_RC_DEC == (int)PHASE_RC_DEC &&
                   (int)GULL_PHASE_QUEUE == (int)PHASE_QUEUE,
               "the public phases are the internal ones");

gull_phase gull_debug_phase(gull_heap *h)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_debug_phase: heap is NULL");
        return GULL_PHASE_IDLE;
    }
    return (gull_phase)h->phase;
}

const char *gull_phase_name(gull_phase p)
{
    static const char *const names[] = {"idle",   "sweep",      "roots",   "mark",
                                        "finish", "mark-final", "reclaim", "rc-dec", "queue"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "unknown";
}

gull_color gull_debug_color(gull_heap *h, const void *obj)
{
    if (!h || !obj) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_debug_color: %s is NULL", h ? "obj" : "heap");
        return GULL_COLOR_NONE;
    }
    if (block_find_object(h, obj, false) != obj)
        return GULL_COLOR_NONE;
    if (!heap_flipped(h))
        return GULL_COLOR_BLACK;
    if ((*state_of(obj) & ST_COLOR) != h->color)
        return GULL_COLOR_WHITE;
    const vec *s = &h->major_mk.stack;
    for (size_t i = 0; i < s->len; i++)
        if (s->at[i] == obj)
            return GULL_COLOR_GRAY;
    const vec *p = &h->major_mk.pieces; /* mark.c .pieces: gray until the last piece */
    for (size_t i = 0; i < p->len; i += 2)
        if (p->at[i] == obj)
            return GULL_COLOR_GRAY;
    return GULL_COLOR_BLACK;
}

bool gull_debug_start_cycle(gull_heap *h)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_debug_start_cycle: heap is NULL");
        return false;
    }
    if ((h->cfg.mode != GULL_MODE_INC && h->cfg.mode != GULL_MODE_RC) || h->phase != PHASE_IDLE ||
        h->in_pause) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_debug_start_cycle: needs an idle heap in inc or rc mode (mode %s, phase %s)",
                   gull_mode_name(h->cfg.mode), gull_phase_name((gull_phase)h->phase));
        return false;
    }
    collect_start(h, "debug");
    return true;
}

bool gull_debug_step(gull_heap *h, size_t work)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_debug_step: heap is NULL");
        return false;
    }
    if (h->in_pause || h->in_finalizers) {
        heap_error(h, GULL_ERR_MISUSE, "gull_debug_step: called from inside a collection or a finalizer; ignored");
        return h->phase != PHASE_IDLE;
    }
    budget b = {work, 0};
    collect_step(h, b, "debug");
    return h->phase != PHASE_IDLE;
}
