/* mark.c — marking with an explicit mark stack.
 *
 * .invariant  Tri-color, stated once.  White: not marked in this
 *          collection.  Gray: marked and on the mark stack (its fields not
 *          yet traced).  Black: marked and traced.  Stop-the-world marking
 *          keeps "no black object points to a white one" by tracing every
 *          gray object before the mark phase ends.  What "marked" means:
 *            major  COLOR == h->color (the flip made every object white);
 *            minor  MMARK set on a YOUNG object; old objects count as black
 *                   and are never entered (internal.h .gen), except the
 *                   remembered ones, which generation.c traces as roots.
 * .stack   Marking never recurses in C: a ten-million-cell list is a loop
 *          of push/pop.  Pointer-free objects are marked and never pushed.
 * .overflow If the mark stack cannot grow, the object is marked but not
 *          pushed and h->mark_overflow is set.  When the stack drains, every
 *          marked object is traced again (cheap to repeat: marking is
 *          idempotent) until a pass completes without overflow.  So a
 *          failed malloc slows marking down but never loses an object.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

static inline void push(gull_heap *h, void *obj)
{
    vec *s = &h->mark_stack;
    if (LIKELY(s->len < s->cap)) {
        s->at[s->len++] = obj;
        return;
    }
    if (!vec_push(s, obj))
        h->mark_overflow = true; /* .overflow */
}

/* Mark the object starting at obj whose state byte is *st.  Returns true if
 * it was newly marked. */
static inline bool mark_state(gull_heap *h, void *obj, uint8_t *st)
{
    uint8_t s = *st;
    if (h->minor) {
        if (!(s & ST_YOUNG) || (s & ST_MMARK))
            return false; /* old (black by definition) or already marked */
        *st = (uint8_t)(s | ST_MMARK);
    } else {
        if ((s & ST_COLOR) == h->color)
            return false;
        /* A major makes every survivor old: drop YOUNG, AGE, MMARK and
         * LOGGED (the remembered set is rebuilt from scratch). */
        *st = (uint8_t)((s & ST_SPECIAL) | h->color);
    }
    block *b = block_of(obj);
    h->marked_objects++;
    h->marked_bytes += b->cell_size;
    if (b->trace)
        push(h, obj);
    return true;
}

static inline void mark_precise(gull_heap *h, void *v)
{
    if (GULL_CHECKING && block_find_object(h, v, false) != v) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "a trace function reported %p, which is not a live object of this heap "
                   "(freed, foreign, or an interior pointer); check the host's trace function and barriers",
                   v);
        return;
    }
    mark_state(h, v, state_of(v));
}

void mark_value(gull_heap *h, void *v)
{
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return; /* NULL or an immediate */
    mark_precise(h, v);
}

void mark_visit(void **slot, void *ctx)
{
    gull_heap *h = ctx;
    void *v = *slot;
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return;
    mark_precise(h, v);
    /* generation.c .remember-after: a holder that stays old and now points
     * to an object that stays young must be remembered. */
    if (UNLIKELY(h->holder_stays_old) && gen_stays_young(h, *state_of(v)))
        h->holder_needs_log = true;
}

/* A precise root word: the start of a live object, or ignored. */
static void mark_root(gull_heap *h, void *v)
{
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return;
    void *obj = block_find_object(h, v, false);
    if (obj) {
        mark_state(h, obj, state_of(obj));
    } else if (GULL_CHECKING && block_chunk_lookup(h, v)) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "a root holds %p, inside this heap but not the start of a live object "
                   "(a dangling or interior pointer in a precise root)",
                   v);
    }
}

void mark_root_visit(void **slot, void *ctx)
{
    mark_root(ctx, *slot);
}

void mark_ambiguous(gull_heap *h, void *v)
{
    if (!v)
        return;
    void *obj = block_find_object(h, v, h->cfg.interior_pointers);
    if (obj)
        mark_state(h, obj, state_of(obj));
}

void mark_scan_object(gull_heap *h, void *obj)
{
    block *b = block_of(obj);
    if (!b->trace)
        return;
    if (h->minor) {
        uint8_t st = *state_of(obj);
        /* With promote_age 1 nothing stays young: no edge to remember. */
        h->holder_stays_old = h->cfg.promote_age > 1 && (!(st & ST_YOUNG) || !gen_stays_young(h, st));
        h->holder_needs_log = false;
        b->trace(obj, mark_visit, h);
        if (h->holder_needs_log && !(*state_of(obj) & ST_LOGGED)) {
            if (vec_push(&h->remset, obj))
                *state_of(obj) |= ST_LOGGED;
            else
                heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                           "no memory to grow the remembered set; the next minor collection will be a major one");
        }
        h->holder_stays_old = false;
    } else {
        b->trace(obj, mark_visit, h);
    }
}

static bool is_marked(const gull_heap *h, uint8_t st)
{
    if (h->minor)
        return (st & ST_YOUNG) && (st & ST_MMARK);
    return st && (st & ST_COLOR) == h->color;
}

static void drain_stack(gull_heap *h);

/* .overflow: trace every marked object again. */
static void rescan(gull_heap *h)
{
    for (block *b = h->blocks; b; b = b->next) {
        if (!b->trace || (h->minor && !b->in_young))
            continue;
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
            if (is_marked(h, *st)) {
                mark_scan_object(h, block_cell(b, i));
                drain_stack(h);
            }
        }
    }
}

/* .prefetch  Marking is bound by cache misses on the objects it traces.
 * Popped objects wait in a small ring while the cache fetches them, and
 * are traced PREFETCH_DEPTH pops later (Boehm's collector and Cher et al.,
 * "Software prefetching for mark-sweep garbage collection", 2004).  The
 * order of tracing changes, not what gets marked. */
#define PREFETCH_DEPTH 8

static void drain_stack(gull_heap *h)
{
    void *ring[PREFETCH_DEPTH];
    unsigned n = 0, head = 0;
    for (;;) {
        while (n < PREFETCH_DEPTH && h->mark_stack.len) {
            void *obj = h->mark_stack.at[--h->mark_stack.len];
            __builtin_prefetch(obj);
            ring[(head + n++) % PREFETCH_DEPTH] = obj;
        }
        if (!n)
            return;
        void *obj = ring[head];
        head = (head + 1) % PREFETCH_DEPTH;
        n--;
        mark_scan_object(h, obj);
    }
}

void mark_drain(gull_heap *h)
{
    for (;;) {
        drain_stack(h);
        if (!h->mark_overflow)
            return;
        h->mark_overflow = false;
        rescan(h);
    }
}
