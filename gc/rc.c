/* rc.c — reference counting of old objects with a traced nursery (rc mode,
 * part 1 of issue 10): "ulterior reference counting" (Blackburn and
 * McKinley 2003), with deferred counting of roots (Deutsch and Bobrow
 * 1976) and the stop-the-world major collection as the backup trace that
 * reclaims what the cycle collector leaves and repairs stuck counts; the
 * cycle collector is synchronous trial deletion (Bacon and Rajan 2001),
 * bounded per pause like the freeing (DESIGN.md section 4).
 *
 * What this file owns: the count table, the zero-count table (ZCT,
 * h->zct), the root flags of a pause, the freeing of dead old objects, the
 * cycle candidates and the cycle collector, and the recount after a major
 * mark.  The barrier (barrier.c), the minor
 * collection (generation.c, collect.c), the marker (mark.c, root flags)
 * and the major (collect.c) call in; the layers below rc.c (block.c,
 * mark.c, finalize.c) do so through h->rc (internal.h .hooks), so that
 * the import graph has no circle.
 *
 * .counts  A count is one byte per 16-byte granule, in a table per chunk
 *          (chunk->rc_counts, made with the chunk in rc mode; only the
 *          byte of an object's first granule is used).  That is MAP_BYTES
 *          (256 KiB, 6.25% of a 4 MiB chunk) per chunk in use; calloc
 *          gives untouched zero pages, so a chunk's table costs RAM only
 *          where objects were counted.  A huge chunk's table covers its
 *          one object's first granule only.
 * .what-counts  The count of an object is the number of slots of OLD
 *          objects that point to it.  Young objects are not counted (they
 *          are collected by the minor collection, which in rc promotes
 *          every survivor), roots are never counted (deferred RC), and
 *          references from young holders are not counted until the holder
 *          is promoted: then its fields are traced once and each target
 *          gains one (rc_promote_begin).  The barrier (barrier.c) counts
 *          the stores into old holders: the new value gains one, the
 *          overwritten one loses one; young values are counted too, so a
 *          survivor's count is right once the other survivors' references
 *          are added at its promotion.
 *          The byte's top bit is RC_BUFFERED (.cycles), so a count has
 *          seven bits.
 * .sticky  A count that reaches RC_STICKY (127) never changes again: the
 *          object can only be freed by the backup trace, whose recount
 *          sets exact counts again (capped at 127).  The cycle collector
 *          treats it as held from outside.
 * .bits    Flags in the state byte (internal.h .state), on old objects only:
 *            ST_RC_ZCT    the object is in h->zct (so it is there once)
 *            ST_RC_ROOT   a root named it during this pause's root scan
 *                         (cleared at the end of the pass)
 *            ST_RC_DYING  the pass in progress found it dead; while the
 *                         cycle collector runs (after the pass's own use),
 *                         ST_RC_GRAY: in the trial set
 *          They reuse MMARK and the AGE bits, which no old object uses in
 *          rc (promote_age is effectively 1; the major's marker rewrites
 *          every survivor's state without them).
 *
 * .roots  Roots are not counted; instead the minor's root scan (mark.c
 *          mark_root, mark_ambiguous, mark_value, with marker.rc_roots)
 *          records every object a root names, the conservative stack's
 *          words and the finalizer queues included, in h->rc_rooted, and
 *          the pass flags them ST_RC_ROOT (young ones only once they are
 *          promoted: until then that bit is the minor's MMARK).  The ready
 *          queue is flagged again when the pass begins, for the objects
 *          the minor queued after its root scan.  The flags are cleared at
 *          the end of the pass.
 * The states of an old object, outside a pause:
 *
 *                     a store into an old holder
 *      in the ZCT  ─────────────────────────────────►  counted
 *      (count 0)   ◄─────────────────────────────────  (count > 0)
 *          │          its last counted slot overwritten
 *          │          (an entry counted again stays in the table
 *          │           until the next pass drops it)
 *          │ ZCT pass, and no root names it:
 *          ├── registered for finalization ──► ready queue (a root) ──►
 *          │       finalizer ran ──► ZCT (or counted, if it stored itself)
 *          └── otherwise ──► freed: its children lose one, weak refs cleared
 *
 *      A count that reaches 255 leaves the diagram (.sticky) until the
 *      next major collection's recount (.recount).
 *
 * .invariant  Outside a pause, every live old object whose count is 0 is
 *          in the ZCT (ST_RC_ZCT), or on the finalizer ready/running queue
 *          (final_ready, final_running: it goes back to the ZCT when its
 *          finalizer has run, rc_finalized), or was dropped when memory ran
 *          out, in which case a major collection has been requested (its
 *          recount rebuilds the ZCT from scratch).  So an object that
 *          nothing in the heap points to is freed at the first pause after
 *          its roots go.  verify.c .rc checks this and the counts.
 * .pass    The rc pause is the minor collection followed by the ZCT pass
 *          (rc_zct_pass), in the same pause.  The minor promoted every
 *          survivor, so no young object exists during the pass, and its
 *          root scan flagged the old objects that roots (including the
 *          conservative stack and the finalizer queues) name.  Each ZCT
 *          entry is then dropped (count > 0: counted again), kept (root-
 *          flagged), queued for its finalizer, or freed.  Freeing traces
 *          the object's fields, and each target that drops to 0 is pushed
 *          on the same work list (never C recursion: a ten-million-cell
 *          list is a loop).  Weak references to what died are cleared once
 *          per pass, before any large object's pages are released.
 * .recount A stop-the-world major collection (gull_collect, a heap limit,
 *          marking that fell behind) is a backup trace that ends with every
 *          count recomputed from the marked objects and the ZCT rebuilt
 *          with the marked old objects whose count is 0.  Dead objects are
 *          freed by the ordinary lazy sweep.
 * .backup  The backup trace pacing starts (pacing.c .backup) is
 *          incremental: inc's snapshot-at-the-beginning cycle (collect.c),
 *          with RC and the cycle collector running in the pauses between
 *          its steps.  What that needs:
 *          - the barrier keeps the RC kind (its inline path is MARKING's)
 *            and also shades the overwritten value while marking
 *            (barrier.c), and weak reads shade (weak.c);
 *          - an object RC or the cycle collector frees while the cycle
 *            marks may be the snapshot's only path to a live object: its
 *            children are shaded as they are uncounted (dec_visit,
 *            zero_visit).  Its own entry on the mark stack is skipped
 *            (mark.c: a free cell, or a young object allocated in it
 *            since), and a large one's pages wait for the end of marking
 *            (rc_large_later), as the marker may still be scanning it;
 *          - the cycle's mark-start minor has no zero-count pass: its root
 *            flags are dropped and its roots kept for the next pass
 *            (.sources, rc_roots_forget); objects the cycle resurrects for
 *            their finalizers (final_found) are roots of every pass;
 *          - no recount (a stop-the-world walk of the heap): after marking
 *            the ZCT, the candidate buffer and the last pass's roots keep
 *            only marked objects (rc_after_inc_mark), then PHASE_RC_DEC
 *            walks the blocks in bounded steps, and each dead object gives
 *            back the counts it held on marked ones (a child reaching 0
 *            joins the ZCT, one left above 0 becomes a candidate) and has
 *            its own count cleared, as the sweep frees cells without
 *            looking at them.  Until a dead object is swept nothing can
 *            reuse its cell, and its fields still hold what they held at
 *            the snapshot (nothing could store into it since), so the walk
 *            meets only dead or marked targets; the sweep starts after it
 *            (PHASE_QUEUE).  Sticky counts stay sticky until a
 *            stop-the-world recount.
 * .budget  A pause frees and trial-deletes within pacing's budget
 *          (pacing.c .rc-budget).  When it runs out, the work list goes
 *          back into the ZCT (its entries have count 0 and no root: nothing
 *          can reach them, so the next pause frees them as well as this one
 *          would) and pacing brings the next pause sooner.  A block emptied
 *          by RC stays committed until the next major's sweep releases it
 *          (it is queued for allocation at once).
 *
 * .cycles  Garbage cycles keep their counts above 0.  Trial deletion
 *          finds them: for a set of candidate objects, subtract every
 *          count contributed by an edge inside the subgraph they reach
 *          (mark gray); what still has a count is held from outside, and so
 *          is all it reaches (scan black, adding those edges back); the
 *          rest (white) is garbage: freed without touching its children's
 *          counts again, as its edges are already subtracted.  Explicit
 *          stacks, no C recursion.  Our departures from the paper's
 *          synchronous algorithm:
 *          - held from outside also means flagged by this pause's root
 *            scan (ST_RC_ROOT: roots are not counted), sticky, or of an
 *            acyclic type (.acyclic): such an object is not entered (its
 *            incoming edge is still subtracted, and added back if the
 *            holder turns out live), so a candidate next to a global table
 *            costs little;
 *          - a batch is the candidates in buffer order until marking gray
 *            has used half of what is left of the pause (at least half of
 *            the budget: pacing.c .cycles); if that ends while
 *            marking, the objects still waiting on the stack are treated as
 *            held from outside (sound: that only keeps more), and the
 *            candidate being marked waits for the next pause with the rest
 *            unless it was the batch's first: then its subgraph alone is
 *            too big for a pause, and it is given up (rc_cycle_abandoned;
 *            the backup trace reclaims it if it is garbage);
 *          - a garbage set with a registered finalizer is not freed: its
 *            registered objects go to the ready queue (a root) and every
 *            white object gets its edges back and becomes a candidate
 *            again, so after the finalizers ran the next collection frees
 *            what is still garbage (finalizers run once, never inside the
 *            collector, weak references are cleared first).
 * .sources Candidates (RC_BUFFERED in the count byte, once in h->rc_cand)
 *          are old objects of cyclic types whose count may now be only
 *          cycle-internal:
 *          - a decrement that leaves the count above 0 (the barrier, or
 *            the freeing of a holder);
 *          - a ZCT entry found counted again (a garbage object that a
 *            young one it holds pointed back to, both promoted);
 *          - an object a root named in the last pause and none names now,
 *            with a count above 0 (roots are not counted, so their going
 *            is no decrement: a ring built while a local held it);
 *          - an object whose finalizer ran, with a count above 0.
 *          The recount of a major empties the buffer (the major freed every
 *          garbage cycle).
 * .stale   A candidate freed before its turn leaves its entry behind
 *          (rc_stale counts them): finding its position would cost a walk
 *          of the buffer, a cache miss per entry, which at every pass made
 *          a third of cache.scm's time.  A stale entry points to a free
 *          cell, or to a new object in that cell, of the same block: a
 *          reader skips an entry whose cell is free or whose count byte
 *          lacks RC_BUFFERED, and of two entries for one flagged object
 *          uses the first (it clears the flag).  The buffer is compacted
 *          (one entry per flagged object, no stale ones) when the stale
 *          entries reach a quarter of it, and before any block is released
 *          (block.c calls .releasing), so no entry ever points into memory
 *          that changed size class or left the heap.
 * .acyclic A type flagged GULL_TYPE_ACYCLIC, or without pointers, cannot
 *          be on a cycle: its objects are never candidates and never
 *          entered (block.acyclic, set with the block's type).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

static inline bool is_pointer(const void *v)
{
    return v && !((uintptr_t)v & (GRANULE - 1));
}

static inline uint8_t *count_of(const void *obj)
{
    chunk *c = chunk_of(obj);
    size_t i = ((uintptr_t)obj & CHUNK_MASK) >> GRANULE_SHIFT;
    ASSERT(c->rc_counts && i < c->rc_counts_len);
    return c->rc_counts + i;
}

uint8_t rc_count(const void *obj)
{
    return *count_of(obj) & (uint8_t)~RC_BUFFERED;
}

static bool rc_chunk_init(gull_heap *h, chunk *c)
{
    if (h->cfg.mode != GULL_MODE_RC)
        return true;
    /* .counts: a huge chunk holds one object, starting on page META_PAGES. */
    size_t len = c->huge ? ((META_PAGES * PAGE_SIZE) >> GRANULE_SHIFT) + 1 : MAP_BYTES;
    c->rc_counts = calloc(len, 1);
    if (!c->rc_counts)
        return false;
    c->rc_counts_len = len;
    h->metadata += len;
    return true;
}

static void rc_chunk_free(gull_heap *h, chunk *c)
{
    if (!c->rc_counts)
        return;
    h->metadata -= c->rc_counts_len;
    free(c->rc_counts);
    c->rc_counts = NULL;
    c->rc_counts_len = 0;
}

/* When memory for a list runs out, the backup trace repairs everything
 * (.invariant). */
static void need_backup(gull_heap *h)
{
    h->major_requested = true;
    h->poll = true;
}

static void rc_zct_add(gull_heap *h, void *obj)
{
    uint8_t *st = state_of(obj);
    if (*st & (ST_YOUNG | ST_RC_ZCT))
        return; /* young: the minor decides; already there */
    if (vec_push(&h->zct, obj))
        *st |= ST_RC_ZCT;
    else
        need_backup(h);
}

static inline void inc(void *v)
{
    uint8_t *c = count_of(v);
    if ((*c & ~RC_BUFFERED) != RC_STICKY)
        (*c)++;
}

/* Returns DEC_ZERO when the count dropped to 0, DEC_LEFT when it dropped
 * and is still above 0, DEC_NONE when it did not change: sticky, or
 * already 0, which only a store that skipped the barrier leads to (the
 * verifier reports that). */
enum { DEC_NONE, DEC_ZERO, DEC_LEFT };
static inline int dec(void *v)
{
    uint8_t *c = count_of(v);
    uint8_t n = *c & (uint8_t)~RC_BUFFERED;
    if (n == RC_STICKY || n == 0)
        return DEC_NONE;
    --*c;
    return n == 1 ? DEC_ZERO : DEC_LEFT;
}

/* .sources: obj's count may now be only cycle-internal. */
static void possible_root(gull_heap *h, void *obj)
{
    uint8_t *c = count_of(obj);
    if (*c & RC_BUFFERED || *state_of(obj) & ST_YOUNG || block_of(obj)->acyclic)
        return;
    if (vec_push(&h->rc_cand, obj))
        *c |= RC_BUFFERED;
    /* else dropped: the backup trace reclaims its cycle if it is one */
}

/* .stale: an entry of h->rc_cand names a live old object that is still
 * flagged (not a freed or reused cell, a dead object, or an object an
 * earlier entry has already taken the flag of). */
static bool candidate_entry(const gull_heap *h, const void *obj)
{
    uint8_t st = *state_of(obj);
    return st && st_live(h, st) && !(st & ST_YOUNG) && (*count_of(obj) & RC_BUFFERED);
}

bool rc_buffered(const void *obj)
{
    return (*count_of(obj) & RC_BUFFERED) != 0;
}

void rc_write(gull_heap *h, void *value, void *old)
{
    if (is_pointer(value))
        inc(value);
    if (is_pointer(old)) {
        int d = dec(old);
        if (d == DEC_ZERO)
            rc_zct_add(h, old);
        else if (d == DEC_LEFT)
            possible_root(h, old);
    }
}

/* .roots  A young object named by a root is promoted by this minor, and
 * its flag bit is the minor's MMARK: it is recorded now and flagged when
 * the pass begins (possibly twice in the list: harmless). */
static void rc_root(gull_heap *h, void *obj)
{
    uint8_t *st = state_of(obj);
    if (*st & ST_RC_ROOT && !(*st & ST_YOUNG))
        return;
    if (!vec_push(&h->rc_rooted, obj))
        h->rc_roots_incomplete = true; /* the pass frees nothing this time */
    else if (!(*st & ST_YOUNG))
        *st |= ST_RC_ROOT;
}

static void rc_finalized(gull_heap *h, void *obj)
{
    if (h->cfg.mode != GULL_MODE_RC)
        return;
    uint8_t st = *state_of(obj);
    if (!st || !st_live(h, st) || (st & ST_YOUNG))
        return;
    if (rc_count(obj) == 0)
        rc_zct_add(h, obj);
    else
        possible_root(h, obj); /* .sources */
}

/* ---------------------------------------------------------------- promotion */

static void inc_visit(void **slot, void *ctx)
{
    (void)ctx;
    void *v = *slot;
    if (is_pointer(v))
        inc(v);
}

/* .what-counts: a survivor's fields point to survivors or old objects;
 * each gains one. */
static void survivor(gull_heap *h, block *b, void *cell)
{
    if (b->trace)
        b->trace(cell, inc_visit, h);
    if (!vec_push(&h->rc_promoted, cell))
        need_backup(h); /* it could not be checked for count 0 */
}

/* .dead-young  A young cell that dies keeps count 0: only an old holder
 * counts it, and an old holder pointing to a young object is remembered,
 * so the minor reaches that object.  The one exception is an edge the
 * barrier could not remember (no memory): it requests a major collection,
 * whose recount clears every count, so a reused cell's stale count can
 * only keep an object until then.  So dead young cells are not visited
 * here, and the map is read eight bytes at a time, as generation.c
 * sweep_words does.  A dead large object's count is cleared anyway: its
 * pages go back to the chunk. */
void rc_promote_begin(gull_heap *h)
{
    ASSERT(h->promote_all);
    const uint64_t ones = 0x0101010101010101ull;
    for (block *b = h->young_blocks; b; b = b->ynext) {
        uint8_t *map = state_of(b->start);
        size_t stride = b->cell_size / GRANULE;
        size_t end = (size_t)b->ncells * stride;
        for (size_t off = 0; off < end; off += 8) {
            uint64_t w;
            memcpy(&w, map + off, 8);
            /* bytes with YOUNG and MMARK: survivors (non-start bytes are 0) */
            uint64_t surv = (w >> 2) & (w >> 3) & ones;
            for (unsigned k = 0; surv; k++, surv >>= 8)
                if ((surv & 1) && off + k < end)
                    survivor(h, b, b->start + (off + k) * GRANULE);
        }
    }
    for (block *b = h->young_large; b; b = b->ynext) {
        uint8_t s = *state_of(b->start);
        if (!(s & ST_YOUNG))
            continue;
        if (s & ST_MMARK)
            survivor(h, b, b->start);
        else
            *count_of(b->start) = 0;
    }
}
_Static_assert(ST_YOUNG == 1 << 2 && ST_MMARK == 1 << 3, "rc_promote_begin reads these bits");

void rc_promote_end(gull_heap *h)
{
    for (size_t i = 0; i < h->rc_promoted.len; i++)
        if (rc_count(h->rc_promoted.at[i]) == 0)
            rc_zct_add(h, h->rc_promoted.at[i]);
    h->rc_promoted.len = 0;
}

/* ---------------------------------------------------------------- the pass */

typedef struct pass {
    gull_heap *h;
    vec work;      /* ZCT entries still to look at (ST_RC_ZCT set) */
    vec finals;    /* dead, with a finalizer: registered or not? (ST_RC_DYING) */
    vec large;     /* dead large objects, released after the weak references */
    size_t ready_from; /* final_ready entries from here on were queued by this pass */
    uint64_t freed, freed_bytes;
    budget b;      /* .budget */
    size_t done;   /* work done, in the budget's units */
    bool spent;    /* the budget ran out */
} pass;

#define CHECK_EVERY 64 /* objects between looks at the clock */

static bool spent(pass *p, size_t *count)
{
    if (!p->spent && ++*count % CHECK_EVERY == 0 && budget_spent(&p->b, p->done))
        p->spent = true;
    return p->spent;
}

static void work_push(pass *p, void *obj)
{
    uint8_t *st = state_of(obj);
    if (*st & ST_RC_ZCT)
        return; /* already waiting */
    if (vec_push(&p->work, obj))
        *st |= ST_RC_ZCT;
    else
        need_backup(p->h);
}

static void dec_visit(void **slot, void *ctx)
{
    pass *p = ctx;
    void *v = *slot;
    if (!is_pointer(v))
        return;
    if (inc_marking(p->h))
        mark_shade(p->h, v); /* .backup: the freed object may be the snapshot's path to v */
    int d = dec(v);
    if (d == DEC_ZERO)
        work_push(p, v);
    else if (d == DEC_LEFT)
        possible_root(p->h, v); /* .sources */
}

/* obj is dead: its children lose one (unless the cycle collector already
 * took its edges away), then its cell is freed (a large object's pages
 * wait for the weak references to be cleared). */
static void free_object(pass *p, void *obj, bool edges_gone)
{
    gull_heap *h = p->h;
    block *b = block_of(obj);
    uint8_t *st = state_of(obj);
    ASSERT(!(*st & (ST_YOUNG | ST_RC_ROOT | ST_RC_ZCT)) && st_live(h, *st));
    if (b->trace && !edges_gone)
        b->trace(obj, dec_visit, p);
    if (*st & ST_SPECIAL)
        external_release_dead(h, obj); /* what the sweep does for a dead cell */
    uint8_t *c = count_of(obj);
    if (*c & RC_BUFFERED)
        h->rc_stale++; /* .stale: its entry stays behind */
    *c = 0;
    p->freed++;
    p->freed_bytes += b->cell_size;
    p->done += b->cell_size;
    if (b->kind == BK_SMALL) {
        *st = 0;
        poison_free_cell(h, obj, b->cell_size);
        sweep_queue_block(h, b); /* once: it checks b->queued */
    } else if (vec_push(&p->large, obj)) {
        *st |= ST_RC_DYING;
    } else {
        /* Cannot remember to release it: leave the pages to the next major's
         * sweep, which finds it unmarked (its children are already uncounted,
         * and the recount sees it dead). */
        *st &= (uint8_t)~ST_RC_DYING;
        p->freed--;
        p->freed_bytes -= b->cell_size;
        need_backup(h);
    }
}

static void look_at(pass *p, void *obj)
{
    gull_heap *h = p->h;
    uint8_t *st = state_of(obj);
    *st &= (uint8_t)~ST_RC_ZCT;
    p->done += GRANULE;
    if (*st & ST_RC_DYING) {
        /* Back from final_take_rc: not registered (its finalizer ran). */
        *st &= (uint8_t)~ST_RC_DYING;
        free_object(p, obj, false);
        return;
    }
    if (rc_count(obj) > 0) {
        possible_root(h, obj); /* counted again since it entered the ZCT (.sources) */
        return;
    }
    if (*st & ST_RC_ROOT) {
        rc_zct_add(h, obj); /* a root holds it: look again at the next pause */
        return;
    }
    if (h->types[block_of(obj)->type]->finalize) {
        if (vec_push(&p->finals, obj))
            *st |= ST_RC_DYING;
        else
            rc_zct_add(h, obj); /* try again at the next pause */
        return;
    }
    free_object(p, obj, false);
}

/* Free what the work list holds, and what that frees, within the budget;
 * the dead with finalizers go to final_take_rc. */
static void drain(pass *p)
{
    gull_heap *h = p->h;
    size_t n = 0;
    while (p->work.len || p->finals.len) {
        while (p->work.len && !spent(p, &n))
            look_at(p, p->work.at[--p->work.len]);
        if (p->finals.len) {
            /* Registered ones go to the ready queue (finalize.c), with their
             * children kept; the others have been finalized: free them. */
            final_take_rc(h, p->finals.at, p->finals.len);
            for (size_t i = 0; i < p->finals.len; i++) {
                void *obj = p->finals.at[i];
                uint8_t *st = state_of(obj);
                if (!(*st & ST_RC_DYING))
                    continue; /* queued for its finalizer (count 0, not in the ZCT:
                                 .invariant), or back in the ZCT if it could not be */
                if (vec_push(&p->work, obj)) {
                    *st |= ST_RC_ZCT;
                } else {
                    *st &= (uint8_t)~ST_RC_DYING;
                    rc_zct_add(h, obj);
                }
            }
            p->finals.len = 0;
        }
        if (p->spent)
            break;
    }
}

/* ---------------------------------------------------------------- cycles */

typedef struct cycles {
    pass *p;
    vec stack;     /* gray, waiting to have their edges subtracted; then black ones to visit */
    vec members;   /* the trial set: gray objects whose edges are subtracted */
    bool full;     /* a push failed: treat the object as held from outside */
} cycles;

static inline bool gray(const void *obj)
{
    return (*state_of(obj) & ST_RC_GRAY) != 0;
}

static void push_gray(cycles *cy, void *obj)
{
    if (vec_push(&cy->stack, obj))
        *state_of(obj) |= ST_RC_GRAY;
    else
        cy->full = true; /* not entered: held from outside, as far as we know */
}

/* Mark gray: subtract the edge; enter the target unless it is held from
 * outside (.cycles) or already in. */
static void gray_visit(void **slot, void *ctx)
{
    cycles *cy = ctx;
    void *v = *slot;
    if (!is_pointer(v))
        return;
    uint8_t *c = count_of(v);
    uint8_t n = *c & (uint8_t)~RC_BUFFERED;
    if (n == RC_STICKY)
        return; /* adds nothing back either (inc) */
    if (n)
        --*c; /* 0 here is a skipped barrier: adding back later overcounts, which is safe */
    if (*state_of(v) & (ST_RC_ROOT | ST_RC_GRAY) || block_of(v)->acyclic)
        return;
    push_gray(cy, v);
}

/* Scan black: the edge comes back; a gray target is held, so is all it reaches. */
static void black_visit(void **slot, void *ctx)
{
    cycles *cy = ctx;
    void *v = *slot;
    if (!is_pointer(v))
        return;
    inc(v);
    uint8_t *st = state_of(v);
    if (*st & ST_RC_GRAY) {
        *st &= (uint8_t)~ST_RC_GRAY;
        if (!vec_push(&cy->stack, v))
            cy->full = true;
    }
}

static void scan_black(cycles *cy, void *obj)
{
    *state_of(obj) &= (uint8_t)~ST_RC_GRAY;
    cy->stack.len = 0;
    if (!vec_push(&cy->stack, obj)) {
        cy->full = true;
        return;
    }
    while (cy->stack.len) {
        void *o = cy->stack.at[--cy->stack.len];
        block *b = block_of(o);
        b->trace(o, black_visit, cy); /* members have trace functions (.acyclic) */
        cy->p->done += b->cell_size;
    }
}

/* After the white set is freed: an object outside it whose last count an
 * edge from a white one held is now at 0 and goes to the work list. */
static void zero_visit(void **slot, void *ctx)
{
    pass *p = ctx;
    void *v = *slot;
    if (!is_pointer(v) || gray(v))
        return;
    if (inc_marking(p->h))
        mark_shade(p->h, v); /* .backup, as dec_visit */
    if (rc_count(v) == 0)
        work_push(p, v);
}

static void restore_visit(void **slot, void *ctx)
{
    (void)ctx;
    void *v = *slot;
    if (is_pointer(v))
        inc(v);
}

/* The white objects: free them, or, when one is registered for
 * finalization, queue the registered ones and give every white one its
 * edges back (.cycles). */
static size_t collect_white(cycles *cy, size_t *nwhite)
{
    pass *p = cy->p;
    gull_heap *h = p->h;
    size_t keep = 0;
    bool finalizable = false;
    for (size_t i = 0; i < cy->members.len; i++) {
        void *obj = cy->members.at[i];
        if (!gray(obj))
            continue;
        cy->members.at[keep++] = obj;
        if (h->types[block_of(obj)->type]->finalize)
            finalizable = true;
    }
    cy->members.len = keep;
    *nwhite = keep;
    if (!keep)
        return 0;
    bool queued = false;
    if (finalizable) {
        /* ST_RC_GRAY is ST_RC_DYING: take_rc queues the registered ones and
         * clears their flag. */
        size_t before = h->final_ready.len;
        final_take_rc(h, cy->members.at, keep);
        queued = h->final_ready.len != before;
        for (size_t i = 0; i < keep && !queued; i++)
            if (!gray(cy->members.at[i]))
                queued = true; /* taken, but the queue was full: back in the ZCT */
    }
    if (queued) {
        for (size_t i = 0; i < keep; i++) {
            void *obj = cy->members.at[i];
            *state_of(obj) &= (uint8_t)~ST_RC_GRAY;
            block_of(obj)->trace(obj, restore_visit, NULL);
        }
        for (size_t i = 0; i < keep; i++)
            if (rc_count(cy->members.at[i]) > 0)
                possible_root(h, cy->members.at[i]);
        return 0;
    }
    for (size_t i = 0; i < keep; i++) {
        void *obj = cy->members.at[i];
        block_of(obj)->trace(obj, zero_visit, p);
    }
    uint64_t bytes = p->freed_bytes;
    for (size_t i = 0; i < keep; i++) {
        void *obj = cy->members.at[i];
        block *b = block_of(obj);
        type_info *t = h->types[b->type];
        t->cycle_freed++;
        t->cycle_freed_bytes += b->cell_size;
        /* free_object wants no ST_RC_GRAY on a small cell (it clears the
         * state) and ST_RC_DYING on a large one (the same bit): as is. */
        free_object(p, obj, true);
    }
    h->st.s.rc_cycle_freed_objects += keep;
    h->st.s.rc_cycle_freed_bytes += p->freed_bytes - bytes;
    return keep;
}

/* Trial deletion over the buffered candidates, as many as the budget
 * allows (.cycles). */
static void collect_cycles(pass *p)
{
    gull_heap *h = p->h;
    cycles cy = {.p = p};
    size_t i = 0, n = 0;
    bool stopped = false, marked_one = false;
    const char *gave_up = NULL;
    /* Marking gray gets half of what is left of the pause, and at least a
     * share of its own (pacing.c .cycles): scanning black and freeing cost
     * about as much again (.budget). */
    budget gb = pacing_rc_gray_budget(h, p->b, p->done);
    for (; i < h->rc_cand.len && !stopped; i++) {
        void *s = h->rc_cand.at[i];
        if (!candidate_entry(h, s))
            continue; /* .stale: freed, dead, or another entry for it came first */
        uint8_t *c = count_of(s);
        *c &= (uint8_t)~RC_BUFFERED;
        uint8_t count = *c;
        /* count 0: the ZCT has it; rooted: it will be a candidate again when
         * its root lets go (.sources); gray: reached from an earlier one */
        if (count == 0 || count == RC_STICKY || *state_of(s) & (ST_RC_ROOT | ST_RC_GRAY))
            continue;
        push_gray(&cy, s);
        while (cy.stack.len) {
            if (++n % CHECK_EVERY == 0 && budget_spent(&gb, p->done)) {
                /* Those waiting are held from outside.  s alone filled a
                 * pause: given up (.cycles); else it waits for the next. */
                while (cy.stack.len)
                    *state_of(cy.stack.at[--cy.stack.len]) &= (uint8_t)~ST_RC_GRAY;
                stopped = true;
                if (!marked_one) {
                    gave_up = h->types[block_of(s)->type]->name;
                } else {
                    *c |= RC_BUFFERED;
                    i--; /* the loop's i++ leaves it in the buffer */
                }
                break;
            }
            void *o = cy.stack.at[--cy.stack.len];
            if (!vec_push(&cy.members, o)) {
                *state_of(o) &= (uint8_t)~ST_RC_GRAY; /* held from outside */
                cy.full = true;
                continue;
            }
            block *b = block_of(o);
            b->trace(o, gray_visit, &cy);
            p->done += b->cell_size;
        }
        marked_one = true;
    }
    size_t examined = i;
    /* Scan: what still has a count is held from outside. */
    for (size_t k = 0; k < cy.members.len; k++) {
        void *o = cy.members.at[k];
        if (gray(o) && rc_count(o) > 0)
            scan_black(&cy, o);
    }
    if (cy.full) {
        /* A push failed while scanning black: the remaining gray ones
         * might be held.  Give every one its edges back. */
        for (size_t k = 0; k < cy.members.len; k++) {
            void *o = cy.members.at[k];
            if (gray(o)) {
                *state_of(o) &= (uint8_t)~ST_RC_GRAY;
                block_of(o)->trace(o, restore_visit, NULL);
            }
        }
        need_backup(h);
    }
    size_t scanned = cy.members.len, white = 0;
    size_t freed = cy.full ? 0 : collect_white(&cy, &white);
    /* The examined candidates left the buffer; the rest wait. */
    if (examined) {
        memmove(h->rc_cand.at, h->rc_cand.at + examined, (h->rc_cand.len - examined) * sizeof(void *));
        h->rc_cand.len -= examined;
    }
    h->st.s.rc_cycle_collections++;
    h->st.s.rc_cycle_candidates += examined;
    h->st.s.rc_cycle_scanned += scanned;
    if (gave_up)
        h->st.s.rc_cycle_abandoned++;
    pacing_after_cycles(h, examined, freed);
    stats_rc_cycles(h, examined, scanned, white, freed, gave_up);
    vec_free(&cy.stack);
    vec_free(&cy.members);
}

static bool filter_some(gull_heap *h, size_t max);

/* .stale: keep one entry per flagged object (a reused cell can have its
 * own entry and a stale one), drop the rest. */
static void compact_candidates(gull_heap *h)
{
    if (h->rc_filter != SIZE_MAX)
        filter_some(h, SIZE_MAX); /* .backup: finish dropping the dead first */
    size_t keep = 0;
    for (size_t i = 0; i < h->rc_cand.len; i++) {
        void *obj = h->rc_cand.at[i];
        if (!candidate_entry(h, obj))
            continue;
        *count_of(obj) &= (uint8_t)~RC_BUFFERED; /* a second entry for it is dropped */
        h->rc_cand.at[keep++] = obj;
    }
    h->rc_cand.len = keep;
    for (size_t i = 0; i < keep; i++)
        *count_of(h->rc_cand.at[i]) |= RC_BUFFERED;
    h->rc_stale = 0;
}

static void release_large(gull_heap *h, void *obj)
{
    block *b = block_of(obj);
    if (h->valgrind)
        os_object_free(b->start);
    *count_of(b->start) = 0;
    block_release(h, b);
}

/* ---------------------------------------------------------------- the pause */

void rc_zct_pass(gull_heap *h, bool cycles)
{
    ASSERT(!h->young_blocks && !h->young_large); /* .pass: the minor promoted everyone */
    /* .roots: the minor queued its dead finalizable objects after the root
     * scan (finalize.c sift); the ready queue is a root for them too. */
    for (size_t i = 0; i < h->final_ready.len; i++)
        rc_root(h, h->final_ready.at[i]);
    for (size_t i = 0; i < h->rc_rooted.len; i++)
        *state_of(h->rc_rooted.at[i]) |= ST_RC_ROOT; /* .roots: the promoted ones too */
    /* .sources: what the last pause's roots named and this one's do not */
    for (size_t i = 0; i < h->rc_prev_rooted.len; i++) {
        void *obj = h->rc_prev_rooted.at[i];
        if (!(*state_of(obj) & ST_RC_ROOT) && rc_count(obj) > 0)
            possible_root(h, obj);
    }
    h->rc_prev_rooted.len = 0;
    pass p = {.h = h, .work = h->zct, .ready_from = h->final_ready.len, .b = pacing_rc_budget(h)};
    h->zct = (vec){0};
    if (h->rc_roots_incomplete) {
        h->zct = p.work; /* a root may not be flagged: free nothing now */
        p.work = (vec){0};
    }
    drain(&p);
    if (cycles && !h->rc_roots_incomplete) {
        collect_cycles(&p); /* runs when due, even if freeing used the budget (pacing.c .cycles) */
        drain(&p);          /* what the garbage cycles held alone, if budget is left */
    }
    if (p.work.len) {
        /* .budget: the rest waits in the ZCT (flagged already) */
        for (size_t i = 0; i < p.work.len; i++)
            if (!vec_push(&h->zct, p.work.at[i])) {
                *state_of(p.work.at[i]) &= (uint8_t)~ST_RC_ZCT;
                need_backup(h);
            }
        h->st.s.rc_backlog_pauses++;
    }
    h->rc_backlog = p.work.len > 0;
    if (h->rc_stale > h->rc_cand.len / 4)
        compact_candidates(h); /* .stale: amortized over a quarter of the buffer's frees */
    /* Weak references read NULL once their target is found dead, before its
     * finalizer runs (weak.c): flag the newly queued ones for the walk. */
    bool queued = h->final_ready.len > p.ready_from;
    if (p.freed || queued) {
        for (size_t i = p.ready_from; i < h->final_ready.len; i++)
            *state_of(h->final_ready.at[i]) |= ST_RC_DYING;
        weak_clear_rc(h);
        for (size_t i = p.ready_from; i < h->final_ready.len; i++)
            *state_of(h->final_ready.at[i]) &= (uint8_t)~ST_RC_DYING;
    }
    for (size_t i = 0; i < p.large.len; i++) {
        if (inc_marking(h)) {
            /* .backup: the marker may still scan it; released after marking */
            if (vec_push(&h->rc_large_later, p.large.at[i]))
                continue;
            need_backup(h); /* a stop-the-world major: the pages wait for its sweep */
            *state_of(p.large.at[i]) &= (uint8_t)~ST_RC_DYING;
            continue;
        }
        release_large(h, p.large.at[i]);
    }
    for (size_t i = 0; i < h->rc_rooted.len; i++)
        *state_of(h->rc_rooted.at[i]) &= (uint8_t)~ST_RC_ROOT;
    /* .sources: this pause's rooted objects, for the next pause */
    vec t = h->rc_prev_rooted;
    h->rc_prev_rooted = h->rc_rooted;
    h->rc_rooted = t;
    h->rc_rooted.len = 0;
    h->rc_roots_incomplete = false;
    vec_free(&p.work);
    vec_free(&p.finals);
    vec_free(&p.large);
    h->st.s.rc_zct_passes++;
    h->st.s.rc_freed_objects += p.freed;
    h->st.s.rc_freed_bytes += p.freed_bytes;
    h->st.s.bytes_freed += p.freed_bytes;
    h->old_bytes = h->old_bytes > p.freed_bytes ? h->old_bytes - p.freed_bytes : 0;
}

/* ---------------------------------------------------------------- backup */

void rc_roots_forget(gull_heap *h)
{
    for (size_t i = 0; i < h->rc_rooted.len; i++) {
        *state_of(h->rc_rooted.at[i]) &= (uint8_t)~ST_RC_ROOT;
        /* .sources: looked at by the next pass, as the last pass's are */
        if (!vec_push(&h->rc_prev_rooted, h->rc_rooted.at[i]))
            need_backup(h);
    }
    h->rc_rooted.len = 0;
    h->rc_roots_incomplete = false;
}

static inline bool marked(const gull_heap *h, const void *obj)
{
    uint8_t st = *state_of(obj);
    return st && (st & ST_COLOR) == h->color;
}

/* Keep the entries of v whose object the cycle marked (and, for the ZCT,
 * that still carry their flag). */
static void keep_marked(gull_heap *h, vec *v)
{
    size_t keep = 0;
    for (size_t i = 0; i < v->len; i++)
        if (marked(h, v->at[i]))
            v->at[keep++] = v->at[i];
    v->len = keep;
}

void rc_after_inc_mark(gull_heap *h)
{
    ASSERT(h->rc_rooted.len == 0 && h->rc_promoted.len == 0);
    for (size_t i = 0; i < h->rc_large_later.len; i++)
        release_large(h, h->rc_large_later.at[i]);
    h->rc_large_later.len = 0;
    keep_marked(h, &h->zct);
    keep_marked(h, &h->rc_prev_rooted);
    /* The candidate buffer can hold a hundred thousand entries, a cache miss
     * each: PHASE_RC_DEC drops its dead in bounded steps (filter_some), and
     * no cycle collection runs meanwhile (pacing.c .cycles). */
    h->rc_filter = h->rc_filter_keep = 0;
    for (block *b = h->blocks; b; b = b->next)
        b->rc_dec = true;
    h->rc_dec_cursor = h->blocks;
}

/* A dead holder's edge to a marked object goes (.backup). */
static void dead_visit(void **slot, void *ctx)
{
    gull_heap *h = ctx;
    void *v = *slot;
    if (!is_pointer(v) || !marked(h, v))
        return;
    int d = dec(v);
    if (d == DEC_ZERO)
        rc_zct_add(h, v);
    else if (d == DEC_LEFT)
        possible_root(h, v);
}

/* .backup: drop the candidate entries whose object died (a dead object's
 * count is cleared by the walk below; a free or young cell's entry is
 * stale); up to max entries; true when the whole buffer is done.  Entries
 * pushed meanwhile are appended behind the read position. */
static bool filter_some(gull_heap *h, size_t max)
{
    vec *v = &h->rc_cand;
    size_t n = 0;
    while (h->rc_filter < v->len) {
        if (n++ >= max)
            return false;
        void *obj = v->at[h->rc_filter++];
        if (candidate_entry(h, obj))
            v->at[h->rc_filter_keep++] = obj;
    }
    v->len = h->rc_filter_keep;
    h->rc_filter = SIZE_MAX;
    return true;
}

bool rc_dec_some(gull_heap *h, budget bud, size_t *work)
{
    size_t done = 0;
    while (h->rc_filter != SIZE_MAX) {
        if (budget_spent(&bud, done)) {
            *work += done;
            return false;
        }
        filter_some(h, 256);
        done += 256 * 16; /* a cache miss or two per entry */
    }
    while (h->rc_dec_cursor) {
        if (budget_spent(&bud, done)) {
            *work += done;
            return false;
        }
        block *b = h->rc_dec_cursor;
        h->rc_dec_cursor = b->next;
        if (!b->rc_dec)
            continue;
        b->rc_dec = false;
        done += b->ncells;
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
            if (!*st || (*st & ST_COLOR) == h->color)
                continue; /* free, or marked */
            void *obj = block_cell(b, i);
            if (b->trace) {
                b->trace(obj, dead_visit, h);
                done += b->cell_size;
            }
            /* the sweep frees the cell without looking at its count: a new
             * object in it must start from 0 (rc_recount clears them all) */
            *count_of(obj) = 0;
        }
    }
    *work += done;
    return true;
}

/* ---------------------------------------------------------------- recount */

static void recount_block(gull_heap *h, block *b, bool zct)
{
    size_t stride = b->cell_size / GRANULE;
    uint8_t *st = state_of(b->start);
    for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
        if ((*st & ST_COLOR) != h->color || !*st)
            continue; /* free, or unmarked: the sweep frees it */
        void *obj = block_cell(b, i);
        if (zct) {
            if (rc_count(obj) == 0)
                rc_zct_add(h, obj);
        } else if (b->trace) {
            b->trace(obj, inc_visit, h);
        }
    }
}

void rc_recount(gull_heap *h)
{
    ASSERT(h->rc_rooted.len == 0 && h->rc_promoted.len == 0);
    for (chunk *c = h->chunks; c; c = c->next)
        if (c->rc_counts)
            memset(c->rc_counts, 0, c->rc_counts_len);
    /* The marker rewrote every survivor's state without ST_RC_ZCT; the dead
     * are freed by the sweep: the old table is void. */
    h->zct.len = 0;
    h->rc_cand.len = 0;        /* .sources: the flags went with the counts */
    h->rc_stale = 0;
    h->rc_filter = SIZE_MAX;
    h->rc_prev_rooted.len = 0; /* the sweep may free some */
    h->rc_backlog = false;
    for (block *b = h->blocks; b; b = b->next)
        recount_block(h, b, false);
    for (block *b = h->blocks; b; b = b->next)
        recount_block(h, b, true);
}

void rc_free_all(gull_heap *h)
{
    vec_free(&h->zct);
    vec_free(&h->rc_rooted);
    vec_free(&h->rc_promoted);
    vec_free(&h->rc_prev_rooted);
    vec_free(&h->rc_cand);
    vec_free(&h->rc_large_later);
}

/* .hooks (internal.h): installed by heap.c in rc mode. */
/* .stale */
static void rc_releasing(gull_heap *h)
{
    if (h->rc_stale)
        compact_candidates(h);
}

const rc_hooks rc_hooks_rc = {rc_chunk_init, rc_chunk_free, rc_root, rc_finalized, rc_zct_add,
                              rc_releasing};
