/* pacing.c — every decision about when and how much to collect (MPS keeps
 * these in policy.c; so do we).  Mechanism files do what this file says.
 *
 * .minor   gen mode: a minor collection when the bytes allocated since the
 *          last collection, plus the growth of native memory since then
 *          (weight 1: a native byte counts as a heap byte, when
 *          external_pacing is on), reach GULL_NURSERY_SIZE.
 * .major   A major collection instead when the old generation (plus the
 *          native bytes that survived the last collection) has reached next_major, which is set after each major to
 *          (live + native) * (1 + GULL_OLD_GROWTH), and never below
 *          GULL_HEAP_INITIAL.  full mode collects on the same rule with all
 *          live bytes counted (there is no nursery).
 * .limits  GULL_HEAP_MAX bounds committed heap bytes; GULL_MEMORY_LIMIT
 *          bounds heap + native; GULL_EXTERNAL_LIMIT bounds native.  When
 *          an allocation would cross one, alloc.c runs a major collection;
 *          only if that does not help is the out-of-memory handler called.
 *          Crossing a limit by native growth alone (gull_external_adjust)
 *          makes the next allocation collect.
 * Checked once per block refill (alloc.c), so the cost is per 16 KiB; and
 * when native memory grows past a trigger or a limit between refills,
 * pacing_external_changed() makes the next allocation poll (alloc.c .poll).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

/* Native bytes as of the last collection: the old generation's share.
 * Growth since then is young (.minor) until a collection shows it lives. */
static size_t native_weight(const gull_heap *h)
{
    return h->cfg.external_pacing ? h->external_at_gc : 0;
}

static void set_next_major(gull_heap *h)
{
    double base = (double)h->live_after_major + (double)native_weight(h);
    double next = base * (1.0 + h->cfg.old_growth);
    h->next_major = next > (double)h->cfg.heap_initial ? (size_t)next : h->cfg.heap_initial;
}

void pacing_init(gull_heap *h)
{
    set_next_major(h);
    h->poll = pacing_poll_needed(h);
}

static size_t native_growth(const gull_heap *h)
{
    if (!h->cfg.external_pacing || h->external <= h->external_at_gc)
        return 0;
    return h->external - h->external_at_gc;
}

bool pacing_over_limit(const gull_heap *h)
{
    if (h->cfg.external_limit && h->external > h->cfg.external_limit)
        return true;
    if (h->cfg.memory_limit && h->committed + h->external > h->cfg.memory_limit)
        return true;
    return false;
}

bool pacing_may_grow(gull_heap *h, size_t bytes)
{
    if (h->cfg.heap_max && h->committed + bytes > h->cfg.heap_max)
        return false;
    if (h->cfg.memory_limit && h->committed + h->external + bytes > h->cfg.memory_limit)
        return false;
    return true;
}

bool pacing_before_block(gull_heap *h, size_t bytes)
{
    if (h->in_collector)
        return false;
    size_t old = h->old_bytes + native_weight(h);
    bool major_due = h->want_major || old + bytes >= h->next_major;
    if (h->cfg.mode == GULL_MODE_FULL) {
        if (major_due ||
            heap_live_bytes(h) + native_weight(h) + native_growth(h) + bytes >= h->next_major) {
            collect_run(h, GULL_COLLECT_MAJOR, "growth");
            return true;
        }
        return false;
    }
    if (major_due) {
        collect_run(h, GULL_COLLECT_MAJOR, h->want_major ? "requested" : "old-growth");
        return true;
    }
    if (h->nursery_used + native_growth(h) + bytes >= h->cfg.nursery_size) {
        collect_run(h, GULL_COLLECT_MINOR, native_growth(h) ? "nursery+native" : "nursery");
        /* Promotion may have filled the old generation: a major now, so
         * that the next minor does not start over a full heap. */
        if (h->old_bytes + native_weight(h) >= h->next_major)
            collect_run(h, GULL_COLLECT_MAJOR, "old-growth");
        return true;
    }
    return false;
}

void pacing_after_collection(gull_heap *h, bool major)
{
    h->external_at_gc = h->external;
    if (major) {
        h->live_after_major = h->marked_bytes;
        h->old_bytes = h->marked_bytes;
        h->young_bytes = 0;
        set_next_major(h);
    }
    h->st.s.bytes_allocated += h->nursery_used;
    h->nursery_used = 0;
    h->poll = pacing_poll_needed(h);
}

bool pacing_poll_needed(const gull_heap *h)
{
    if (h->cfg.stress || h->want_major || pacing_over_limit(h))
        return true;
    size_t native = native_weight(h);
    if (h->old_bytes + native >= h->next_major)
        return true;
    if (h->cfg.mode == GULL_MODE_FULL)
        return heap_live_bytes(h) + native + native_growth(h) >= h->next_major;
    return h->nursery_used + native_growth(h) >= h->cfg.nursery_size;
}

void pacing_external_changed(gull_heap *h)
{
    if (pacing_poll_needed(h))
        h->poll = true;
}
