/* sweep.c — lazy sweeping.
 *
 * After a major mark every small block is queued on its (type, class) list
 * with unswept set (collect.c); allocation sweeps one block at a time when
 * it needs cells (alloc.c), so the major pause does not include the sweep.
 * Sweeping reads and writes only the metadata map, never the cells.  A cell is dead iff its state is nonzero and its color
 * is not h->color (internal.h .live); freeing it means writing state 0.
 * Minor collections free dead young cells themselves (generation.c) and
 * queue the blocks they touched; allocation then finds their free cells.
 *
 * .finish-sweep  Before a major collection flips the color, every block
 *          still unswept is swept (sweep_finish), so no stale color survives
 *          into the next cycle, where it would read as marked.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

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
            *st = 0;
            poison_free_cell(h, block_cell(b, i), b->cell_size);
            freed++;
        }
    }
    b->unswept = false;
    h->st.s.bytes_freed += (uint64_t)freed * b->cell_size;
    return live;
}

/* A queued block is only ever unlinked from its queue's head, so finishing
 * the sweep walks every block and leaves the queues as they are; blocks
 * found empty are released after their queue is rebuilt without them. */
void sweep_finish(gull_heap *h)
{
    bool any_empty = false;
    for (block *b = h->blocks; b; b = b->next) {
        if (b->kind == BK_SMALL && b->unswept && sweep_block(h, b) == 0) {
            b->empty = true; /* unswept blocks are all queued: released below */
            any_empty = true;
        }
    }
    if (!any_empty)
        return;
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
}

void sweep_large(gull_heap *h, block *b)
{
    uint8_t s = *state_of(b->start);
    if (s && (s & ST_COLOR) != h->color) {
        h->st.s.bytes_freed += b->cell_size;
        block_release(h, b);
    }
}
