/* alloc.c — allocation: free lists per (type, size class), refilled by
 * lazy sweeping, new blocks, and large objects.
 *
 * Fast path (gull_alloc): argument checks, pop the list's head, zero the
 * cell, write its state byte (young, current color) — about twenty
 * instructions plus the memset.  Slow path (refill): sweep the next queued
 * block of the same type and class (sweep.c), else ask pacing whether to
 * collect and take a new block; only a refill can collect, so pacing is
 * checked once per block, not per object.
 *
 * .poll    One flag, h->poll, sends gull_alloc to alloc_poll() before it
 *          takes a cell: in stress mode, when native memory grew past a
 *          pacing trigger or a limit (pacing.c), or when a major collection
 *          was requested.  Otherwise the fast path never looks at pacing.
 *
 * .retire  A collection first drops every current free list
 *          (alloc_retire_all) and queues the blocks they came from; their
 *          free cells have state 0 and are found again by the next sweep.
 *          So a free list never spans a collection.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

void alloc_queue_block(gull_heap *h, block *b)
{
    if (b->queued || b->kind != BK_SMALL)
        return;
    struct alloc_list *al = &h->types[b->type]->lists[b->sclass];
    b->queued = true;
    b->qnext = al->queue;
    al->queue = b;
}

void alloc_retire_all(gull_heap *h)
{
    unsigned n = block_nclasses();
    for (uint32_t t = 1; t < h->ntypes; t++) {
        type_info *ti = h->types[t];
        for (unsigned c = 0; c < n; c++) {
            struct alloc_list *al = &ti->lists[c];
            al->free = NULL;
            if (al->cur)
                alloc_queue_block(h, al->cur);
            al->cur = NULL;
        }
    }
}

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

/* Before taking new memory: pacing may collect; limits may force a full
 * collection; if that does not help, the out-of-memory path.  Returns false
 * when the allocation must fail. */
static bool make_room(gull_heap *h, size_t bytes)
{
    uint64_t majors = h->st.s.major_collections;
    if (pacing_before_block(h, bytes))
        after_auto_collection(h);
    if (pacing_may_grow(h, bytes) && !pacing_over_limit(h))
        return true;
    if (h->st.s.major_collections == majors) { /* no full collection yet */
        collect_run(h, GULL_COLLECT_MAJOR, "limit");
        after_auto_collection(h);
    }
    return pacing_may_grow(h, bytes) && !pacing_over_limit(h);
}

static void *take_queued(gull_heap *h, struct alloc_list *al)
{
    while (al->queue) {
        block *b = al->queue;
        al->queue = b->qnext;
        b->queued = false;
        void *list = sweep_build_free_list(h, b);
        if (list) {
            al->cur = b;
            make_young(h, b);
            return list;
        }
    }
    return NULL;
}

/* The free list of (type, c) is empty.  Returns a new free list, or NULL
 * with al->free set (a finalizer allocated meanwhile), or NULL after the
 * out-of-memory path. */
static void *refill(gull_heap *h, uint32_t type, unsigned c, size_t request)
{
    struct alloc_list *al = &h->types[type]->lists[c];
    void *list = take_queued(h, al);
    if (list)
        return list;
    bool room = make_room(h, BLOCK_SIZE); /* may collect and run finalizers */
    if (al->free)
        return NULL;
    if ((list = take_queued(h, al)) != NULL)
        return list;
    if (!room) {
        oom(h, request, "heap or memory limit reached");
        return NULL;
    }
    block *b = block_new_small(h, type, c);
    if (!b) {
        oom(h, request, "the OS refused memory");
        return NULL;
    }
    al->cur = b;
    make_young(h, b);
    /* A new block's cells are all free: thread them in address order. */
    void *head = NULL;
    for (uint32_t i = b->ncells; i-- > 0;) {
        void **cell = (void **)block_cell(b, i);
        poison_free_cell(h, cell, b->cell_size);
        *cell = head;
        head = cell;
    }
    return head;
}

static void *alloc_large(gull_heap *h, uint32_t type, size_t size)
{
    if (!make_room(h, size)) {
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
        /* GULL_STRESS: every fourth stress collection is a major one. */
        collect_run(h, (++h->stress_count % 4) ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR, "stress");
        after_auto_collection(h);
    }
    if (pacing_before_block(h, 0))
        after_auto_collection(h);
    if (pacing_over_limit(h)) {
        if (h->st.s.major_collections == majors) {
            collect_run(h, GULL_COLLECT_MAJOR, "limit");
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
    if (UNLIKELY(h->in_collector)) {
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
        p = al->free;
        if (UNLIKELY(!p)) {
            p = refill(h, t.id, c, size);
            if (!p && !(p = al->free))
                return NULL;
        }
        al->free = *(void **)p;
        cs = block_class_size(c);
        if (UNLIKELY(h->poison))
            os_unpoison(p, cs);
        ((uint64_t *)p)[0] = 0; /* the free-list link */
        ((uint64_t *)p)[1] = 0;
        if (cs > 16)
            memset(p + 16, 0, cs - 16);
    } else {
        p = alloc_large(h, t.id, size);
        if (!p)
            return NULL;
        cs = block_of(p)->cell_size;
    }
    ASSERT(((uintptr_t)p & (GRANULE - 1)) == 0);
    ASSERT(*state_of(p) == 0); /* a free cell */
    *state_of(p) = (uint8_t)(h->color | ST_YOUNG);
    h->nursery_used += cs;
    h->young_bytes += cs;
    h->live_bytes += cs;
    h->st.s.bytes_allocated += cs;
    h->st.s.objects_allocated++;
    if (UNLIKELY(ti->finalize != NULL) && !final_register(h, p)) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "gull_alloc: no memory to register the finalizer of a '%s'; the object will not be finalized",
                   ti->name);
    }
    return p;
}
