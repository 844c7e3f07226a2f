/* sweep.c — lazy sweeping, and the queues of blocks that allocation takes
 * cells from.
 *
 * Each (type, size class) has a queue of blocks that may hold free cells
 * (type_info.lists[c].queue); allocation (alloc.c) pops a block from its
 * queue, sweeps it first if it is unswept, and bumps through its holes.
 *
 * After a major mark every small block is queued with unswept set
 * (sweep_queue_some, in bounded steps after an incremental cycle, PHASE_QUEUE),
 * so the major pause does not include the sweep.
 * Sweeping reads and writes only the metadata map, never the cells.  A cell
 * is dead iff its state is nonzero and its color is not h->color
 * (internal.h .live); freeing it means writing state 0.  Minor collections
 * free dead young cells themselves (generation.c) and queue the blocks they
 * touched.  Dead large objects are freed by the same walk (munmap of a
 * huge object costs time in proportion to its resident pages, so the walk
 * counts them in its budget).
 *
 * .finish-sweep  Before a major collection flips the color, every block
 *          still unswept is swept (sweep_rest), so no stale color survives
 *          into the next cycle, where it would read as marked.  sweep_rest
 *          walks h->blocks from a cursor (h->sweep_cursor), a budget at a
 *          time; blocks created meanwhile are linked at the head, behind
 *          the cursor, and are never unswept.  The cursor is dropped when
 *          the last unswept block is swept (by it or by allocation) and
 *          when a cycle starts queueing blocks again, so a pass never
 *          resumes from a position older than the blocks it must sweep.
 * .retire  A collection first drops every current hole (sweep_retire_all)
 *          and queues the blocks they came from; their free cells have
 *          state 0 and are found again.  So a hole never spans a collection.
 * .unswept h->unswept counts the blocks with unswept set.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

void sweep_queue_block(gull_heap *h, block *b)
{
    if (b->queued || b->kind != BK_SMALL)
        return;
    struct alloc_list *al = &h->types[b->type]->lists[b->sclass];
    b->queued = true;
    b->qnext = al->queue;
    al->queue = b;
}

void sweep_retire_all(gull_heap *h)
{
    unsigned n = block_nclasses();
    for (uint32_t t = 1; t < h->ntypes; t++) {
        type_info *ti = h->types[t];
        for (unsigned c = 0; c < n; c++) {
            struct alloc_list *al = &ti->lists[c];
            al->next = al->limit = NULL;
            if (al->cur)
                sweep_queue_block(h, al->cur);
            al->cur = NULL;
        }
    }
}

/* .unswept: b is swept; with the last one, drop the sweep cursor
 * (.finish-sweep: no stale position survives). */
static void now_swept(gull_heap *h, block *b)
{
    if (b->unswept) {
        b->unswept = false;
        if (--h->unswept == 0)
            h->sweep_cursor = NULL;
    }
}

/* Free the dead cells of b; return the number of live cells. */
uint32_t sweep_block(gull_heap *h, block *b)
{
    size_t stride = b->cell_size / GRANULE;
    uint8_t *st = state_of(b->start);
    uint32_t live = 0, freed = 0;
    for (uint32_t i = 0; i < b->ncells; i++, st += stride) {
        uint8_t s = *st;
        if (!s)
            continue;
        if ((s & ST_COLOR) == h->color) {
            live++;
        } else {
            if (UNLIKELY(s & ST_SPECIAL))
                external_release_dead(h, block_cell(b, i)); /* external.c */
            *st = 0;
            poison_free_cell(h, block_cell(b, i), b->cell_size);
            freed++;
        }
    }
    now_swept(h, b);
    h->st.s.bytes_freed += (uint64_t)freed * b->cell_size;
    return live;
}

/* Release a large object if it is dead; true if it was.  (npages is
 * read by the caller before: b is freed.) */
static bool sweep_large(gull_heap *h, block *b)
{
    now_swept(h, b);
    uint8_t s = *state_of(b->start);
    if (s && (s & ST_COLOR) != h->color) {
        if (s & ST_SPECIAL)
            external_release_dead(h, b->start); /* external.c */
        if (h->valgrind)
            os_object_free(b->start);
        h->st.s.bytes_freed += b->cell_size;
        block_release(h, b);
        return true;
    }
    return false;
}

/* A queued block is only ever unlinked from its queue's head, so blocks
 * that sweep_rest found empty are released after their queue is rebuilt
 * without them. */
static void release_empties(gull_heap *h)
{
    unsigned n = block_nclasses();
    for (uint32_t t = 1; t < h->ntypes; t++) {
        for (unsigned c = 0; c < n; c++) {
            struct alloc_list *al = &h->types[t]->lists[c];
            block **pp = &al->queue;
            while (*pp) {
                block *b = *pp;
                if (b->empty) {
                    *pp = b->qnext;
                    block_release(h, b);
                } else {
                    pp = &b->qnext;
                }
            }
        }
    }
    h->sweep_empties = false;
}

bool sweep_rest(gull_heap *h, budget bud, size_t *work)
{
    size_t done = 0;
    if (h->unswept && !h->sweep_cursor)
        h->sweep_cursor = h->blocks;
    while (h->unswept && h->sweep_cursor) {
        if (budget_spent(&bud, done)) {
            *work += done;
            return false;
        }
        block *b = h->sweep_cursor;
        h->sweep_cursor = b->next; /* before a release */
        if (!b->unswept)
            continue;
        if (b->kind == BK_SMALL) {
            done += BLOCK_SIZE / GRANULE;
            if (sweep_block(h, b) == 0) {
                b->empty = true; /* unswept blocks are all queued: released below */
                h->sweep_empties = true;
            }
        } else {
            done += b->npages * (PAGE_SIZE / GRANULE);
            sweep_large(h, b);
        }
    }
    ASSERT(h->unswept == 0); /* .unswept: every unswept block is on h->blocks */
    *work += done;
    h->sweep_cursor = NULL;
    if (h->sweep_empties)
        release_empties(h);
    return true;
}

bool sweep_pending(const gull_heap *h)
{
    return h->unswept != 0;
}

bool sweep_queue_some(gull_heap *h, budget bud, size_t *work)
{
    size_t done = 0;
    block *b;
    while ((b = h->queue_cursor) != NULL) {
        if (budget_spent(&bud, done))
            break;
        h->queue_cursor = b->next; /* before a release */
        if (b->kind == BK_SMALL) {
            if (!b->unswept) {
                b->unswept = true;
                h->unswept++;
            }
            b->empty = false;
            sweep_queue_block(h, b);
            done += 64;
        } else {
            size_t pages = b->npages; /* b may be freed */
            done += 64 + (sweep_large(h, b) ? pages : 0);
        }
    }
    *work += done;
    return h->queue_cursor == NULL;
}
