/* mark.c — marking with an explicit mark stack, in bounded steps.
 *
 * .invariant  Tri-color, stated once.  White: not marked in this
 *          collection.  Gray: marked and on the marker's stack (its fields
 *          not yet traced).  Black: marked and traced.  What "marked" means:
 *            major  COLOR == h->color (the flip made every object white);
 *            minor  MMARK set on a YOUNG object; old objects count as black
 *                   and are never entered (internal.h .gen), except the
 *                   remembered ones, which generation.c traces as roots.
 *          A stop-the-world mark keeps "no black object points to a white
 *          one" by tracing every gray object before anything else runs.
 *          An incremental major mark (inc) keeps the snapshot invariant
 *          instead (.snapshot).
 * .snapshot  Snapshot-at-the-beginning (Yuasa).  Every object reachable
 *          when the roots were marked gets marked, because (1) the roots
 *          are marked in one pause, (2) while marking, the barrier
 *          (barrier.c) shades the value a store overwrites, so a path that
 *          existed at the snapshot is never cut without its next object
 *          turning gray, and (3) objects allocated during the cycle are
 *          born with the new color, black.  A black object may then point
 *          to a white one, but only to one that the snapshot reached
 *          (nothing else can be stored: the mutator reaches only live
 *          objects), so at the end of marking no black object points to a
 *          white one (verify.c checks both halves).
 * .black-young  In inc mode the cycle starts with a minor collection that
 *          promotes every survivor (collect.c .young-first), so every young
 *          object during marking was allocated during it: black for the
 *          major, never on its stack.  The major marker keeps the YOUNG,
 *          AGE and LOGGED bits (keep_gen) so that the minors that run
 *          between steps find their generations as they left them.  The
 *          stop-the-world major (gen) instead makes every survivor old.
 * .stack   Marking never recurses in C: a ten-million-cell list is a loop
 *          of push/pop.  Pointer-free objects are marked and never pushed.
 * .overflow If the stack cannot grow, the object is marked but not pushed
 *          and m->overflow is set.  When the stack drains, a rescan pass
 *          walks every block from a cursor, tracing marked objects again
 *          (marking is idempotent), resumable across budgeted steps; if a
 *          push fails during the pass, another pass follows.  So a failed
 *          malloc slows marking down but never loses an object.  A block
 *          released while a pass runs moves the cursor on
 *          (block.c cursors_skip).
 * .pieces  A major mark traces a large object (over PIECE_SIZE bytes) a
 *          piece at a time, so that one object does not make one step
 *          long: (object, offset) pairs wait on m->pieces and are taken
 *          when the gray stack is empty; each piece runs the type's trace
 *          function with a visitor that passes on only the slots in that
 *          piece, or the type's trace_range when it has one (gull.h).
 *          Without trace_range a piece costs a walk of the whole object's
 *          fields but marks only its own: counted in the step's work as
 *          PIECE_SIZE plus 1/64 of the object.  Pieces are small (512
 *          slots) because marking their targets is mostly cache misses on
 *          a big heap.  The object is gray until its last piece is traced.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

void mark_begin(gull_heap *h, marker *m, bool minor, bool keep_gen)
{
    ASSERT(m->stack.len == 0 && m->pieces.len == 0); /* the previous marking drained */
    m->h = h;
    m->minor = minor;
    m->keep_gen = keep_gen;
    m->overflow = m->rescan_again = false;
    m->cursor = NULL;
    m->objects = 0;
    m->bytes = 0;
    m->work = 0;
    m->holder_stays_old = m->holder_needs_log = false;
    m->rc_roots = false;
}

static inline void push(marker *m, void *obj)
{
    vec *s = &m->stack;
    if (LIKELY(s->len < s->cap)) {
        s->at[s->len++] = obj;
        return;
    }
    if (!vec_push(s, obj)) {
        if (m->cursor)
            m->rescan_again = true; /* .overflow: this pass may have passed obj */
        m->overflow = true;
    }
}

/* Mark the object starting at obj whose state byte is *st.  Returns true if
 * it was newly marked. */
static inline bool mark_state(marker *m, void *obj, uint8_t *st)
{
    gull_heap *h = m->h;
    uint8_t s = *st;
    if (m->minor) {
        if (!(s & ST_YOUNG) || (s & ST_MMARK))
            return false; /* old (black by definition) or already marked */
        *st = (uint8_t)(s | ST_MMARK);
    } else {
        if ((s & ST_COLOR) == h->color)
            return false;
        if (m->keep_gen) {
            ASSERT(!(s & ST_YOUNG)); /* .black-young: no young object is white */
            *st = (uint8_t)((s & ~ST_COLOR) | h->color);
        } else {
            /* A stop-the-world major makes every survivor old: drop YOUNG,
             * AGE, MMARK and LOGGED (the remembered set is rebuilt). */
            *st = (uint8_t)((s & ST_SPECIAL) | h->color);
        }
    }
    block *b = block_of(obj);
    m->objects++;
    m->bytes += b->cell_size;
    if (b->trace)
        push(m, obj);
    return true;
}

static inline void mark_precise(marker *m, void *v)
{
    if (GULL_CHECKING && block_find_object(m->h, v, false) != v) {
        heap_error(m->h, GULL_ERR_FOREIGN_POINTER,
                   "a trace function reported %p, which is not a live object of this heap "
                   "(freed, foreign, or an interior pointer); check the host's trace function and barriers",
                   v);
        return;
    }
    mark_state(m, v, state_of(v));
}

void mark_value(marker *m, void *v)
{
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return; /* NULL or an immediate */
    mark_precise(m, v);
    if (UNLIKELY(m->rc_roots))
        m->h->rc->root(m->h, v); /* the finalizer queues are roots (rc.c .roots) */
}

void mark_visit(void **slot, void *ctx)
{
    marker *m = ctx;
    void *v = *slot;
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return;
    mark_precise(m, v);
    /* generation.c .remember-after: a holder that stays old and now points
     * to an object that stays young must be remembered. */
    if (UNLIKELY(m->holder_stays_old) && gen_stays_young(m->h, *state_of(v)))
        m->holder_needs_log = true;
}

/* A precise root word: the start of a live object, or ignored. */
static void mark_root(marker *m, void *v)
{
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return;
    void *obj = block_find_object(m->h, v, false);
    if (obj) {
        mark_state(m, obj, state_of(obj));
        if (UNLIKELY(m->rc_roots))
            m->h->rc->root(m->h, obj); /* rc.c .roots */
    } else if (GULL_CHECKING && block_chunk_lookup(m->h, v)) {
        heap_error(m->h, GULL_ERR_FOREIGN_POINTER,
                   "a root holds %p, inside this heap but not the start of a live object "
                   "(a dangling or interior pointer in a precise root)",
                   v);
    }
}

void mark_root_visit(void **slot, void *ctx)
{
    mark_root(ctx, *slot);
}

void mark_ambiguous(marker *m, void *v)
{
    if (!v)
        return;
    void *obj = block_find_object(m->h, v, m->h->cfg.interior_pointers);
    if (obj) {
        mark_state(m, obj, state_of(obj));
        if (UNLIKELY(m->rc_roots))
            m->h->rc->root(m->h, obj); /* rc.c .roots: a conservative word keeps obj too */
    }
}

void mark_shade(gull_heap *h, void *v)
{
    uint8_t *st = state_of(v);
    if (*st && (*st & ST_COLOR) != h->color) /* a free cell stays free (rc.c .backup) */
        mark_state(&h->major_mk, v, st);
}

/* .pieces: the visitor of one piece. */
static void range_visit(void **slot, void *ctx)
{
    marker *m = ctx;
    if (slot >= m->range_from && slot < m->range_to)
        mark_visit(slot, ctx);
}

static void trace_piece(marker *m)
{
    vec *p = &m->pieces;
    uint8_t *obj = p->at[p->len - 2];
    size_t off = (size_t)(uintptr_t)p->at[p->len - 1];
    block *b = block_of(obj);
    size_t end = off + PIECE_SIZE < b->cell_size ? off + PIECE_SIZE : b->cell_size;
    if (end == b->cell_size)
        p->len -= 2;
    else
        p->at[p->len - 1] = (void *)(uintptr_t)end;
    m->range_from = (void **)(obj + off);
    m->range_to = (void **)(obj + end);
    if (b->trace_range) {
        b->trace_range(obj, m->range_from, m->range_to, range_visit, m);
        m->work += end - off;
    } else {
        b->trace(obj, range_visit, m);
        m->work += (end - off) + b->cell_size / 64;
    }
}

/* Minor: the card visitor (generation.c .cards).  Only slots in cards
 * being scanned count; a card whose slot points to an object that stays
 * young is kept dirty. */
static void card_visit(void **slot, void *ctx)
{
    marker *m = ctx;
    uint8_t *card = &m->range_cards[(size_t)((uint8_t *)slot - m->range_start) >> CARD_SHIFT];
    if (!(*card & CARD_SCAN))
        return;
    void *v = *slot;
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return;
    mark_precise(m, v);
    if (gen_stays_young(m->h, *state_of(v)))
        *card |= CARD_KEEP;
}

void mark_scan_cards(marker *m, void *obj)
{
    gull_heap *h = m->h;
    block *b = block_of(obj);
    size_t n = (b->cell_size + CARD_SIZE - 1) >> CARD_SHIFT, dirty = 0;
    for (size_t i = 0; i < n; i++) {
        if (b->cards[i] & CARD_DIRTY) {
            b->cards[i] = CARD_SCAN;
            dirty++;
        }
    }
    if (!dirty)
        return;
    m->range_cards = b->cards;
    m->range_start = b->start;
    if (b->trace_range) {
        for (size_t i = 0; i < n; i++) { /* each run of cards being scanned */
            if (!(b->cards[i] & CARD_SCAN))
                continue;
            size_t j = i;
            while (j < n && (b->cards[j] & CARD_SCAN))
                j++;
            size_t to = j << CARD_SHIFT < b->cell_size ? j << CARD_SHIFT : b->cell_size;
            b->trace_range(obj, (void **)(b->start + (i << CARD_SHIFT)), (void **)(b->start + to),
                           card_visit, m);
            i = j;
        }
        m->work += dirty * CARD_SIZE;
    } else {
        b->trace(obj, card_visit, m);
        m->work += dirty * CARD_SIZE + b->cell_size / 64;
    }
    bool keep = false;
    for (size_t i = 0; i < n; i++) {
        b->cards[i] = (b->cards[i] & CARD_KEEP) ? CARD_DIRTY : 0;
        keep |= b->cards[i] != 0;
    }
    if (keep && !(*state_of(obj) & ST_LOGGED)) {
        if (vec_push(&h->remset, obj))
            *state_of(obj) |= ST_LOGGED;
        else
            heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                       "no memory to grow the remembered set; the next minor collection will be a major one");
    }
}

void mark_scan_object(marker *m, void *obj)
{
    gull_heap *h = m->h;
    block *b = block_of(obj);
    if (!b->trace)
        return;
    if (UNLIKELY(h->rc != NULL) && !m->minor) {
        /* rc.c .backup: RC may free a gray object before it is scanned; its
         * cell is free, or holds an object allocated since (black). */
        uint8_t st = *state_of(obj);
        if (!st || (st & ST_YOUNG))
            return;
    }
    if (!m->minor && b->kind == BK_LARGE && b->cell_size > PIECE_SIZE) {
        if (vec_push(&m->pieces, obj)) { /* .pieces */
            if (vec_push(&m->pieces, (void *)0))
                return;
            m->pieces.len--;
        }
    }
    m->work += b->cell_size;
    if (m->minor) {
        uint8_t st = *state_of(obj);
        /* With promote_age 1 nothing stays young: no edge to remember. */
        m->holder_stays_old = h->cfg.promote_age > 1 && !h->promote_all &&
                              (!(st & ST_YOUNG) || !gen_stays_young(h, st));
        m->holder_needs_log = false;
        b->trace(obj, mark_visit, m);
        if (m->holder_needs_log && !(*state_of(obj) & ST_LOGGED)) {
            uint8_t *cards = gen_carded(b) ? block_cards(h, b) : NULL;
            if (cards) /* generation.c .cards: logged by the collector, every card */
                memset(cards, CARD_DIRTY, (b->cell_size + CARD_SIZE - 1) >> CARD_SHIFT);
            if (gen_carded(b) && !cards) {
                h->major_requested = true; /* no memory for the cards */
                h->poll = true;
            } else if (vec_push(&h->remset, obj))
                *state_of(obj) |= ST_LOGGED;
            else
                heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                           "no memory to grow the remembered set; the next minor collection will be a major one");
        }
        m->holder_stays_old = false;
    } else {
        b->trace(obj, mark_visit, m);
    }
}

static bool is_marked(const marker *m, uint8_t st)
{
    if (m->minor)
        return (st & ST_YOUNG) && (st & ST_MMARK);
    return st && (st & ST_COLOR) == m->h->color;
}

bool mark_found_dead(const marker *m, const void *obj)
{
    uint8_t st = *state_of(obj);
    if (m->minor)
        return (st & ST_YOUNG) && !(st & ST_MMARK);
    return (st & ST_COLOR) != m->h->color;
}

/* .prefetch  Marking is bound by cache misses on the objects it traces.
 * Popped objects wait in a small ring while the cache fetches them, and
 * are traced PREFETCH_DEPTH pops later (Boehm's collector and Cher et al.,
 * "Software prefetching for mark-sweep garbage collection", 2004).  The
 * order of tracing changes, not what gets marked.  The ring is flushed
 * before a step returns, so nothing gray hides in it between steps.
 * The budget is checked every CHECK_EVERY objects. */
#define PREFETCH_DEPTH 8
#define CHECK_EVERY 64

static bool drain_stack(marker *m, const budget *b, size_t start_work)
{
    void *ring[PREFETCH_DEPTH];
    unsigned n = 0, head = 0, count = 0;
    bool stop = false; /* once set, the ring is flushed and the step ends */
    for (;;) {
        stop = stop || m->work - start_work >= b->work ||
               (++count % CHECK_EVERY == 0 && budget_spent(b, m->work - start_work));
        while (!stop && n < PREFETCH_DEPTH && m->stack.len) {
            void *obj = m->stack.at[--m->stack.len];
            __builtin_prefetch(obj);
            ring[(head + n++) % PREFETCH_DEPTH] = obj;
        }
        if (!n) {
            if (stop || !m->pieces.len)
                return m->stack.len == 0 && m->pieces.len == 0;
            trace_piece(m); /* .pieces: only when the stack is empty */
            continue;
        }
        void *obj = ring[head];
        head = (head + 1) % PREFETCH_DEPTH;
        n--;
        mark_scan_object(m, obj);
    }
}

/* One resumable rescan pass (.overflow); true when it reached the end. */
static bool rescan(marker *m, const budget *b, size_t start_work)
{
    for (block *blk = m->cursor; blk; blk = m->cursor) {
        if (blk->trace && !(m->minor && !blk->in_young)) {
            size_t stride = blk->cell_size / GRANULE;
            uint8_t *st = state_of(blk->start) + (size_t)m->cursor_cell * stride;
            for (uint32_t i = m->cursor_cell; i < blk->ncells; i++, st += stride) {
                if (is_marked(m, *st)) {
                    mark_scan_object(m, block_cell(blk, i));
                    if (!drain_stack(m, b, start_work) || budget_spent(b, m->work - start_work)) {
                        m->cursor_cell = i + 1;
                        return false;
                    }
                }
            }
        }
        m->cursor = blk->next;
        m->cursor_cell = 0;
    }
    return true;
}

bool mark_drain(marker *m, budget b)
{
    size_t start_work = m->work;
    for (;;) {
        if (!drain_stack(m, &b, start_work))
            return false;
        if (m->cursor) {
            if (!rescan(m, &b, start_work))
                return false;
            m->cursor = NULL;
            if (!m->rescan_again && !m->overflow)
                return true;
        }
        if (!m->overflow && !m->rescan_again)
            return true;
        /* Start a pass over the whole heap. */
        m->overflow = m->rescan_again = false;
        m->cursor = m->h->blocks;
        m->cursor_cell = 0;
        if (!m->cursor)
            return true;
    }
}
