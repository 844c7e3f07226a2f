/* generation.c — sticky-mark-bit generations: ages, promotion and the
 * remembered set.
 *
 * The model (internal.h .gen): an object is old iff it is live and not
 * YOUNG.  Objects are born YOUNG with AGE 0.  A minor collection marks
 * young objects only (MMARK), starting from the roots and from the
 * remembered set, then sweeps the young blocks (gen_sweep_young):
 *
 *      YOUNG, unmarked ............................ freed (state 0)
 *      YOUNG, marked, AGE+1 <  promote_age ........ stays young, AGE+1
 *      YOUNG, marked, AGE+1 >= promote_age ........ promoted: YOUNG cleared
 *      old ........................................ untouched
 *
 * A major collection makes every survivor old (mark.c drops YOUNG), and
 * the remembered set starts empty (gen_reset).
 *
 * .remset  The remembered set holds every old object that may point to a
 *          young one.  The barrier (barrier.c) adds an old holder, once
 *          (LOGGED), when it receives a pointer to a young object.
 * .remember-after  A minor collection rebuilds the set: while tracing an
 *          object that will be old after this collection (old already, or
 *          promoted now), if one of its fields points to an object that
 *          stays young, the object is logged again (mark.c mark_visit).
 *          With promote_age 1 nothing stays young and the set empties.
 * .cards  A large object (CARD_OBJECT_MIN bytes or more, with pointers)
 *          also keeps a byte per CARD_SIZE bytes: the barrier dirties the
 *          card of the slot it stores into, and a minor collection scans
 *          only the slots in dirty cards of a remembered large object
 *          (mark.c mark_scan_cards), so a big old array that receives a
 *          few young pointers is not rescanned whole at every minor.  A
 *          card stays dirty after the scan only if one of its slots still
 *          points to an object that stays young.  When the collector logs
 *          a large object itself (.remember-after), every card is dirtied.
 *          Cards a major collection leaves behind are stale but harmless:
 *          scanning a clean slot finds nothing young.
 * The verifier (verify.c) checks .remset after every collection: every
 * edge from an old object to a young one has its holder LOGGED (and, for
 * a large object, the slot's card dirty).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

bool gen_card_dirty(const block *b, const void *slot)
{
    return b->cards && (b->cards[(size_t)((const uint8_t *)slot - b->start) >> CARD_SHIFT] & CARD_DIRTY);
}

/* The barrier's generational part (barrier.c): holder is old and value a
 * young object; log the holder once, and (.cards) dirty the slot's card. */
void gen_remember(gull_heap *h, void *holder, void **slot)
{
    uint8_t *hs = state_of(holder);
    block *b = block_of(holder);
    if (gen_carded(b)) {
        uint8_t *cards = block_cards(h, b);
        if (!cards) {
            h->major_requested = true; /* as when the remembered set cannot grow */
            h->poll = true;
            return;
        }
        cards[(size_t)((uint8_t *)slot - b->start) >> CARD_SHIFT] = CARD_DIRTY;
    }
    if (*hs & ST_LOGGED)
        return;
    if (vec_push(&h->remset, holder)) {
        *hs |= ST_LOGGED;
    } else {
        /* Without room to remember the edge, the next collection must be
         * a major one, which needs no remembered set. */
        h->major_requested = true;
        h->poll = true;
    }
}

void gen_mark_remembered(marker *m)
{
    gull_heap *h = m->h;
    vec old = h->remset;
    h->remset = (vec){0};
    for (size_t i = 0; i < old.len; i++) {
        void *obj = old.at[i];
        uint8_t *st = state_of(obj);
        *st &= (uint8_t)~ST_LOGGED;
        if (!st_live(h, *st))
            continue; /* died at a major collection since it was logged */
        block *b = block_of(obj);
        if (gen_carded(b) && b->cards)
            mark_scan_cards(m, obj); /* .cards: the dirty ones only */
        else
            mark_scan_object(m, obj); /* re-logs it if it still needs to be */
        mark_drain(m, BUDGET_UNLIMITED);
    }
    vec_free(&old);
}

/* Age, promote or free one young cell; returns its bytes if it survived
 * young, adds to *promoted / *freed otherwise. */
static inline bool age_cell(gull_heap *h, uint8_t *st, void *cell, size_t size,
                            size_t *promoted, size_t *freed)
{
    uint8_t s = *st;
    if (!(s & ST_YOUNG))
        return false;
    if (!(s & ST_MMARK)) {
        if (UNLIKELY(s & ST_SPECIAL))
            external_release_dead(h, cell); /* external.c (normally done after the mark) */
        *st = 0;
        poison_free_cell(h, cell, size);
        *freed += size;
        return false;
    }
    unsigned age = ((s & ST_AGE) >> ST_AGE_SHIFT) + 1;
    if (age >= h->cfg.promote_age || h->promote_all) {
        *st = (uint8_t)(s & ~(ST_YOUNG | ST_MMARK | ST_AGE));
        *promoted += size;
        return false;
    }
    *st = (uint8_t)((s & ~(ST_MMARK | ST_AGE)) | (age << ST_AGE_SHIFT));
    return true;
}

/* The common case, promote_age 1 without poisoning: eight map bytes at a
 * time.  Map bytes that do not start a cell are 0, so they never look
 * young.  In each byte: YOUNG without MMARK -> 0 (dead); YOUNG with MMARK
 * -> promoted (YOUNG, MMARK and AGE cleared). */
static void sweep_words(gull_heap *h, uint8_t *map, uint8_t *start, size_t cell_size,
                        size_t *promoted, size_t *freed)
{
    const uint64_t ones = 0x0101010101010101ull;
    for (size_t off = 0; off < BLOCK_SIZE / GRANULE; off += 8) {
        uint64_t w;
        memcpy(&w, map + off, 8);
        uint64_t young = (w >> 2) & ones; /* ST_YOUNG is bit 2 */
        if (!young)
            continue;
        uint64_t marked = (w >> 3) & ones; /* ST_MMARK is bit 3 */
        uint64_t dead = young & ~marked, surv = young & marked;
        uint64_t special = dead & (w >> 7) & ones; /* ST_SPECIAL is bit 7 */
        for (unsigned j = 0; special; j++, special >>= 8)
            if (special & 1) /* a dead cell with native bytes (external.c) */
                external_release_dead(h, start + (off + j) * GRANULE);
        w &= ~(dead * 0xff);
        w &= ~(surv * (ST_YOUNG | ST_MMARK | ST_AGE));
        memcpy(map + off, &w, 8);
        /* Each byte of dead/surv is 0 or 1: a multiply sums them in the top byte. */
        *freed += (size_t)((dead * ones) >> 56) * cell_size;
        *promoted += (size_t)((surv * ones) >> 56) * cell_size;
    }
}
_Static_assert(ST_YOUNG == 1 << 2 && ST_MMARK == 1 << 3 && ST_SPECIAL == 1 << 7,
               "sweep_words reads these bits");
_Static_assert((ST_YOUNG | ST_MMARK | ST_AGE) == 0x3c, "sweep_words clears these bits");

void gen_sweep_young(gull_heap *h)
{
    bool promote_all = h->promote_all; /* collect.c .young-first; always in rc */
    size_t promoted = 0, freed = 0, survivors = 0;
    if (h->cfg.mode == GULL_MODE_RC)
        rc_promote_begin(h); /* rc.c .what-counts: survivors' fields are counted */
    block *still = NULL;
    block *b = h->young_blocks;
    while (b) {
        block *next = b->ynext;
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        size_t freed_before = freed;
        uint32_t young = 0;
        if ((h->cfg.promote_age == 1 || promote_all) && !h->poison)
            sweep_words(h, st, b->start, b->cell_size, &promoted, &freed);
        else
            for (uint32_t i = 0; i < b->ncells; i++, st += stride)
                young += age_cell(h, st, block_cell(b, i), b->cell_size, &promoted, &freed);
        survivors += (size_t)young * b->cell_size;
        if (young) {
            b->ynext = still;
            still = b;
        } else {
            b->in_young = false;
        }
        if (freed != freed_before)
            sweep_queue_block(h, b);
        b = next;
    }
    h->young_blocks = still;

    block *still_large = NULL;
    b = h->young_large;
    while (b) {
        block *next = b->ynext;
        uint8_t *st = state_of(b->start);
        size_t freed_before = freed;
        if (age_cell(h, st, b->start, b->cell_size, &promoted, &freed)) {
            survivors += b->cell_size;
            b->ynext = still_large;
            still_large = b;
        } else if (freed != freed_before) {
            block_release(h, b);
        } else {
            b->in_young = false;
        }
        b = next;
    }
    h->young_large = still_large;
    if (h->cfg.mode == GULL_MODE_RC)
        rc_promote_end(h);

    h->st.s.bytes_freed += freed;
    h->st.s.bytes_promoted += promoted;
    h->old_bytes += promoted;
    h->young_bytes = survivors;
    if (heap_flipped(h))
        h->promoted_in_cycle += promoted; /* black: allocated during the cycle */
    ASSERT(!promote_all || (!h->young_blocks && !h->young_large && survivors == 0));
}

void gen_reset(gull_heap *h)
{
    for (block *b = h->young_blocks; b; b = b->ynext)
        b->in_young = false;
    for (block *b = h->young_large; b; b = b->ynext)
        b->in_young = false;
    h->young_blocks = h->young_large = NULL;
    h->remset.len = 0; /* marking cleared every survivor's LOGGED bit */
    h->young_bytes = 0;
}

/* inc: the cycle kept the generations (mark.c .black-young); holders that
 * it found dead leave the remembered set before lazy sweeping frees them. */
void gen_drop_dead_remembered(gull_heap *h)
{
    size_t keep = 0;
    for (size_t i = 0; i < h->remset.len; i++) {
        void *obj = h->remset.at[i];
        if ((*state_of(obj) & ST_COLOR) == h->color)
            h->remset.at[keep++] = obj;
        else
            *state_of(obj) &= (uint8_t)~ST_LOGGED;
    }
    h->remset.len = keep;
}
