/* alloc.c — allocation: bump allocation through the holes of blocks per
 * (type, size class), refilled by lazy sweeping, new blocks, and large
 * objects.
 *
 * .holes   A hole is a run of free cells (state 0) in the current block.
 *          The fast path (gull_alloc) bumps a pointer through it: argument
 *          checks, compare, add, zero the cell, write its state byte (young,
 *          current color) — about twenty instructions plus the zeroing.
 *          Free cells are never written until they are allocated (no free
 *          list to build, as in Immix and Whippet).  The slow path
 *          (next_hole) scans the block's map for the next hole, then takes
 *          the next queued block of the same type and class (sweeping it
 *          first if a major collection left it unswept), else asks pacing
 *          whether to collect and takes a new block; so pacing is checked
 *          once per block, not per object.
 *
 * .poll    One flag, h->poll, sends gull_alloc to alloc_poll() before it
 *          takes a cell: in stress mode, when native memory grew past a
 *          pacing trigger or a limit (pacing.c), or when a major collection
 *          was requested.  Otherwise the fast path never looks at pacing.
 * .ask     The slow paths ask pacing what to do (pacing_decide) and have
 *          collect.c do it (collect_act); a minor collection can make a
 *          major one due, so pacing is asked again after it.
 * A collection drops every current hole first (sweep.c .retire).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

static void make_young(gull_heap *h, block *b)
{
    if (b->in_young)
        return;
    b->in_young = true;
    if (b->kind == BK_SMALL) {
        b->ynext = h->young_blocks;
        h->young_blocks = b;
    } else {
        b->ynext = h->young_large;
        h->young_large = b;
    }
}

static void oom(gull_heap *h, size_t size, const char *what)
{
    if (h->cfg.on_oom) {
        h->last_error = GULL_ERR_OUT_OF_MEMORY;
        h->cfg.on_oom(h, size, h->cfg.oom_ctx);
    } else {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "out of memory allocating %zu bytes (%s; heap %zu bytes committed, native %zu bytes); "
                   "raise GULL_HEAP_MAX / GULL_MEMORY_LIMIT or drop references",
                   size, what, h->committed, h->external);
    }
}

/* Run finalizers after an automatic collection, before any new object
 * exists that the host could not have rooted yet. */
static void after_auto_collection(gull_heap *h)
{
    if (h->finalizers_pending && !h->cfg.finalize_on_demand && !h->in_finalizers)
        gull_run_finalizers(h);
}

/* Before new memory is taken: if a limit would be crossed, a full
 * collection (unless one ran since `majors` was read); false if that did
 * not help. */
static bool within_limits(gull_heap *h, size_t bytes, uint64_t majors)
{
    if (pacing_may_grow(h, bytes) && !pacing_over_limit(h))
        return true;
    if (h->st.s.major_collections == majors) {
        collect_major(h, "limit");
        after_auto_collection(h);
    }
    return pacing_may_grow(h, bytes) && !pacing_over_limit(h);
}

/* .ask: at most two decisions (a minor, then the major it made due). */
static void pace(gull_heap *h, size_t bytes)
{
    bool ran = false;
    for (int i = 0; i < 2; i++) {
        pace_decision d = pacing_decide(h, i ? 0 : bytes);
        if (d.act == PACE_NONE)
            break;
        collect_act(h, d);
        ran = true;
        if (d.act != PACE_MINOR)
            break;
    }
    if (ran)
        after_auto_collection(h);
}

/* Find the next hole at or after cell i of b; false if none. */
static bool hole_in(struct alloc_list *al, block *b, uint32_t i)
{
    size_t stride = b->cell_size / GRANULE;
    const uint8_t *st = state_of(b->start);
    while (i < b->ncells && st[(size_t)i * stride])
        i++;
    if (i == b->ncells)
        return false;
    uint32_t j = i + 1;
    while (j < b->ncells && !st[(size_t)j * stride])
        j++;
    al->next = block_cell(b, i);
    al->limit = block_cell(b, j);
    return true;
}

static bool take_queued(gull_heap *h, struct alloc_list *al)
{
    while (al->queue) {
        block *b = al->queue;
        al->queue = b->qnext;
        b->queued = false;
        b->empty = false; /* in use again: sweep_rest must not release it */
        if (b->unswept) {
            /* Lazy sweeping inside an allocation is a pause too (DESIGN.md 8). */
            stats_pause_begin(h, GULL_PAUSE_SWEEP);
            sweep_block(h, b);
            stats_pause_end(h, "lazy-sweep");
        }
        if (hole_in(al, b, 0)) {
            al->cur = b;
            make_young(h, b);
            return true;
        }
    }
    return false;
}

/* The hole of (type, c) is used up.  Returns true with a new hole, or
 * false after the out-of-memory path. */
static bool next_hole(gull_heap *h, uint32_t type, unsigned c, size_t request)
{
    struct alloc_list *al = &h->types[type]->lists[c];
    if (al->cur && hole_in(al, al->cur, (uint32_t)((al->limit - al->cur->start) / al->cur->cell_size)))
        return true;
    al->cur = NULL;
    /* Pacing is checked once per block, whether the block comes from the
     * sweep queue or from the OS. */
    uint64_t majors = h->st.s.major_collections;
    pace(h, 0);
    if (al->next < al->limit)
        return true; /* a finalizer allocated meanwhile and found a hole */
    if (take_queued(h, al))
        return true;
    bool room = within_limits(h, BLOCK_SIZE, majors);
    if (al->next < al->limit)
        return true;
    if (take_queued(h, al))
        return true;
    if (!room) {
        oom(h, request, "heap or memory limit reached");
        return false;
    }
    block *b = block_new_small(h, type, c);
    if (!b) {
        oom(h, request, "the OS refused memory");
        return false;
    }
    al->cur = b;
    make_young(h, b);
    al->next = b->start; /* a new block is one hole */
    al->limit = block_cell(b, b->ncells);
    return true;
}

static void *alloc_large(gull_heap *h, uint32_t type, size_t size)
{
    uint64_t majors = h->st.s.major_collections;
    pace(h, size);
    if (!within_limits(h, size, majors)) {
        oom(h, size, "heap or memory limit reached");
        return NULL;
    }
    block *b = block_new_large(h, type, size);
    if (!b) {
        oom(h, size, "the OS refused memory");
        return NULL;
    }
    make_young(h, b);
    return b->start;
}

/* .poll: stress collections, collections that native growth made due, and
 * the limits.  Returns false when the allocation must fail. */
static bool alloc_poll(gull_heap *h, size_t size)
{
    uint64_t majors = h->st.s.major_collections;
    if (h->cfg.stress && --h->stress_left == 0) {
        h->stress_left = h->cfg.stress;
        collect_act(h, pacing_stress(h)); /* pacing.c .stress */
        after_auto_collection(h);
    }
    pace(h, 0);
    if (pacing_over_limit(h)) {
        if (h->st.s.major_collections == majors) {
            collect_major(h, "limit");
            after_auto_collection(h);
        }
        if (pacing_over_limit(h)) {
            oom(h, size, "native memory over GULL_EXTERNAL_LIMIT or GULL_MEMORY_LIMIT");
            h->poll = true; /* still over: the next allocation tries again */
            return false;
        }
    }
    h->poll = pacing_poll_needed(h);
    return true;
}

void *gull_alloc(gull_heap *h, gull_type t, size_t size)
{
    if (UNLIKELY(!h)) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_alloc: heap is NULL; create one with gull_heap_create");
        return NULL;
    }
    type_info *ti = heap_type(h, t.id);
    if (UNLIKELY(!ti)) {
        heap_error(h, GULL_ERR_BAD_TYPE,
                   "gull_alloc: type id %u is not registered with this heap; register it with gull_register_type",
                   t.id);
        return NULL;
    }
    if (UNLIKELY(size == 0 || size > GULL_MAX_ALLOC)) {
        heap_error(h, GULL_ERR_BAD_SIZE,
                   "gull_alloc: size %zu for type '%s' is %s; sizes run from 1 to GULL_MAX_ALLOC (2^40)",
                   size, ti->name, size ? "too large" : "zero");
        return NULL;
    }
    if (UNLIKELY(h->in_pause)) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_alloc: called during a collection (from a trace function?); trace functions must not allocate");
        return NULL;
    }
    if (UNLIKELY(h->poll) && !alloc_poll(h, size))
        return NULL;

    uint8_t *p;
    size_t cs;
    if (LIKELY(size <= SMALL_MAX)) {
        unsigned c = block_class_of(size);
        struct alloc_list *al = &ti->lists[c];
        cs = block_class_size(c);
        p = al->next;
        if (UNLIKELY(p >= al->limit)) {
            if (!next_hole(h, t.id, c, size))
                return NULL;
            p = al->next;
        }
        al->next = p + cs;
        if (UNLIKELY(h->poison))
            os_unpoison(p, cs);
        if (cs <= 32) { /* the most common cells: two or four stores, no call */
            uint64_t *q = (uint64_t *)p;
            q[0] = q[1] = 0;
            if (cs == 32)
                q[2] = q[3] = 0;
        } else {
            memset(p, 0, cs);
        }
    } else {
        p = alloc_large(h, t.id, size);
        if (!p)
            return NULL;
        cs = block_of(p)->cell_size;
    }
    ASSERT(((uintptr_t)p & (GRANULE - 1)) == 0);
    ASSERT(*state_of(p) == 0); /* a free cell */
    if (UNLIKELY(h->poison) && h->valgrind)
        os_object_alloc(p, cs); /* os.c: a Valgrind client block */
    *state_of(p) = (uint8_t)(h->color | ST_YOUNG);
    h->nursery_used += cs;
    h->st.s.objects_allocated++;
    if (UNLIKELY(ti->finalize != NULL) && !final_register(h, p)) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "gull_alloc: no memory to register the finalizer of a '%s'; the object will not be finalized",
                   ti->name);
    }
    return p;
}
