/* block.c — chunks, pages, blocks, size classes, and the map from an
 * address to its object (internal.h .chunk, .block).
 *
 * .radix   Which chunks belong to this heap: a two-level table indexed by
 *          the chunk number (address >> CHUNK_SHIFT) of a 48-bit address:
 *          13 bits select a leaf of 8192 chunk pointers.  Lookup is two
 *          loads; leaves are allocated when a chunk first lands in them.
 *          The table is per heap, so a pointer from another heap is not found.
 * .pages   Within a chunk, a bitmap says which data pages are free and a
 *          second which free pages still hold RAM ("dirty").  Small blocks
 *          take BLOCK_PAGES pages aligned to BLOCK_PAGES; large objects take
 *          any run.  Freed pages stay dirty until block_decommit_free()
 *          returns them to the OS (called after each major collection).
 * .idle    It returns only pages that stayed free since its previous call,
 *          and unmaps a chunk only if it was already empty then: memory
 *          freed by one collection and reused before the next is not given
 *          back and faulted in again.  An explicit gull_collect(MAJOR)
 *          returns everything free at once.
 * .budget  madvise costs time in proportion to the pages it drops, plus a
 *          fixed cost per call (measured here: 1-2 ms for one pass over a
 *          few MB of scattered free blocks), so inc mode passes a budget in
 *          page units (a call counts as SYSCALL_COST pages): what is left
 *          over stays dirty and idle for the next pass.
 * .classes Size classes are multiples of the granule: 16..128 by 16, then
 *          four steps per power of two up to SMALL_MAX.  A cell index is
 *          computed with a multiply by ceil(2^32/size) and a shift, exact
 *          for offsets below 2^16 (BLOCK_SIZE is 16 KiB).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

#define class_sizes block_class_sizes
#define NCLASSES (sizeof class_sizes / sizeof class_sizes[0])
_Static_assert(NCLASSES <= SIZE_CLASSES, "alloc lists have room for every class");
_Static_assert(BLOCK_SIZE <= 65536, ".classes: the reciprocal is exact below 2^16");

unsigned block_nclasses(void) { return NCLASSES; }

/* ---------------------------------------------------------------- radix */

#define RADIX_BITS 13
#define RADIX_MASK (((uintptr_t)1 << RADIX_BITS) - 1)

chunk *block_chunk_lookup(gull_heap *h, const void *p)
{
    uintptr_t n = (uintptr_t)p >> CHUNK_SHIFT;
    if (n >> (2 * RADIX_BITS))
        return NULL; /* beyond 48 bits: never ours */
    void **leaf = h->radix[n >> RADIX_BITS];
    return leaf ? (chunk *)leaf[n & RADIX_MASK] : NULL;
}

static bool radix_set(gull_heap *h, uintptr_t base, size_t size, chunk *c)
{
    for (uintptr_t a = base; a < base + size; a += CHUNK_SIZE) {
        uintptr_t n = a >> CHUNK_SHIFT;
        if (n >> (2 * RADIX_BITS))
            return false;
        void ***leafp = (void ***)&h->radix[n >> RADIX_BITS];
        if (!*leafp) {
            if (!c)
                continue;
            *leafp = calloc((size_t)1 << RADIX_BITS, sizeof(void *));
            if (!*leafp)
                return false;
            h->metadata += ((size_t)1 << RADIX_BITS) * sizeof(void *);
        }
        (*leafp)[n & RADIX_MASK] = c;
    }
    return true;
}

/* ---------------------------------------------------------------- chunks */

static chunk *chunk_new(gull_heap *h, size_t size, bool huge)
{
    uint8_t *base = os_map_aligned(size, CHUNK_SIZE);
    if (!base)
        return NULL;
    chunk *c = (chunk *)base; /* .chunk: the header sits in the unused map bytes */
    memset(c, 0, sizeof *c);
    c->magic = CHUNK_MAGIC;
    c->heap = h;
    c->size = size;
    c->huge = huge;
    if (!huge) {
        for (size_t pg = META_PAGES; pg < CHUNK_PAGES; pg++)
            c->free_bits[pg / 64] |= (uint64_t)1 << (pg % 64);
        c->free_pages = CHUNK_PAGES - META_PAGES;
    }
    if (h->rc && !h->rc->chunk_init(h, c)) {
        os_unmap(base, size);
        return NULL;
    }
    if (!radix_set(h, (uintptr_t)base, size, c)) {
        radix_set(h, (uintptr_t)base, size, NULL);
        if (h->rc)
            h->rc->chunk_free(h, c);
        os_unmap(base, size);
        return NULL;
    }
    c->next = h->chunks;
    h->chunks = c;
    h->metadata += MAP_BYTES;
    return c;
}

static void chunk_free(gull_heap *h, chunk *c)
{
    chunk **pp = &h->chunks;
    while (*pp != c)
        pp = &(*pp)->next;
    *pp = c->next;
    radix_set(h, (uintptr_t)c, c->size, NULL);
    h->metadata -= MAP_BYTES;
    if (h->rc)
        h->rc->chunk_free(h, c);
    os_unmap(c, c->size);
}

static inline bool page_free(const chunk *c, size_t pg)
{
    return (c->free_bits[pg / 64] >> (pg % 64)) & 1;
}

/* First run of n free pages starting at a multiple of align, or 0. */
static size_t find_run(const chunk *c, size_t n, size_t align)
{
    size_t pg = META_PAGES;
    while (pg + n <= CHUNK_PAGES) {
        if (c->free_bits[pg / 64] == 0 && pg % 64 == 0) {
            pg += 64;
            continue;
        }
        size_t k = 0;
        while (k < n && page_free(c, pg + k))
            k++;
        if (k == n)
            return pg;
        pg = (pg + k + align) / align * align;
    }
    return 0;
}

/* Take pages [pg, pg+n) for b.  Returns true if they all read as zero
 * (never used, or decommitted since). */
static bool take_pages(gull_heap *h, chunk *c, size_t pg, size_t n, block *b)
{
    bool clean = true;
    for (size_t i = pg; i < pg + n; i++) {
        uint64_t bit = (uint64_t)1 << (i % 64);
        if (c->dirty_bits[i / 64] & bit)
            clean = false;
        c->free_bits[i / 64] &= ~bit;
        c->dirty_bits[i / 64] &= ~bit;
        c->idle_bits[i / 64] &= ~bit;
        c->page[i] = b;
    }
    c->free_pages -= (uint32_t)n;
    h->committed += n * PAGE_SIZE;
    return clean;
}

static block *block_alloc_pages(gull_heap *h, size_t n, size_t align, bool *clean)
{
    block *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    chunk *c;
    size_t pg = 0;
    for (c = h->chunks; c; c = c->next) {
        if (!c->huge && c->free_pages >= n && (pg = find_run(c, n, align)) != 0)
            break;
    }
    if (!c) {
        c = chunk_new(h, CHUNK_SIZE, false);
        if (!c) {
            free(b);
            return NULL;
        }
        pg = META_PAGES;
    }
    *clean = take_pages(h, c, pg, n, b);
    b->chunk = c;
    b->start = (uint8_t *)c + pg * PAGE_SIZE;
    b->npages = (uint32_t)n;
    /* Cells of a new block have no state yet (the map may hold stale bytes
     * of a block that lived here before). */
    memset(state_of(b->start), 0, n * PAGE_SIZE / GRANULE);
    if (h->poison)
        os_unpoison(b->start, n * PAGE_SIZE);
    h->metadata += sizeof *b;
    return b;
}

static void block_link(gull_heap *h, block *b, uint32_t type)
{
    b->type = type;
    b->trace = h->types[type]->trace;
    b->trace_range = h->types[type]->trace_range;
    b->acyclic = !b->trace || (h->types[type]->flags & GULL_TYPE_ACYCLIC); /* rc.c .acyclic */
    b->next = h->blocks;
    if (h->blocks)
        h->blocks->prev = b;
    h->blocks = b;
}

block *block_new_small(gull_heap *h, uint32_t type, unsigned sclass)
{
    bool clean;
    block *b = block_alloc_pages(h, BLOCK_PAGES, BLOCK_PAGES, &clean);
    if (!b)
        return NULL;
    b->kind = BK_SMALL;
    b->sclass = (uint8_t)sclass;
    b->cell_size = class_sizes[sclass];
    b->ncells = (uint32_t)(BLOCK_SIZE / b->cell_size);
    b->inv_size = (uint32_t)(((uint64_t)1 << 32) / b->cell_size + 1);
    block_link(h, b, type);
    return b;
}

block *block_new_large(gull_heap *h, uint32_t type, size_t size)
{
    size_t bytes = (size + GRANULE - 1) & ~(GRANULE - 1);
    size_t npages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    block *b;
    bool clean = true;
    if (npages > CHUNK_PAGES - META_PAGES) {
        /* A huge object gets a chunk of its own (.chunk). */
        size_t map = (META_PAGES + npages) * PAGE_SIZE;
        map = (map + CHUNK_SIZE - 1) & ~CHUNK_MASK;
        b = calloc(1, sizeof *b);
        if (!b)
            return NULL;
        chunk *c = chunk_new(h, map, true);
        if (!c) {
            free(b);
            return NULL;
        }
        c->huge_block = b;
        /* block_of() reads the page of an object's start: the object starts
         * on page META_PAGES.  (Interior lookups use huge_block.) */
        c->page[META_PAGES] = b;
        b->chunk = c;
        b->start = (uint8_t *)c + META_PAGES * PAGE_SIZE;
        b->npages = (uint32_t)npages;
        h->committed += npages * PAGE_SIZE;
        h->metadata += sizeof *b;
    } else {
        b = block_alloc_pages(h, npages, 1, &clean);
        if (!b)
            return NULL;
        if (!clean)
            memset(b->start, 0, bytes);
    }
    b->kind = BK_LARGE;
    b->cell_size = bytes;
    b->ncells = 1;
    block_link(h, b, type);
    return b;
}

/* Cursors that walk h->blocks across steps (mark.c .overflow, sweep.c
 * .finish-sweep) move past a block that leaves the list. */
static void cursors_skip(gull_heap *h, block *b)
{
    marker *ms[2] = {&h->major_mk, &h->minor_mk};
    for (int i = 0; i < 2; i++) {
        if (ms[i]->cursor == b) {
            ms[i]->cursor = b->next;
            ms[i]->cursor_cell = 0;
        }
    }
    if (h->sweep_cursor == b)
        h->sweep_cursor = b->next;
    if (h->queue_cursor == b)
        h->queue_cursor = b->next;
    if (h->rc_dec_cursor == b)
        h->rc_dec_cursor = b->next;
}

uint8_t *block_cards(gull_heap *h, block *b)
{
    if (!b->cards) {
        size_t n = (b->cell_size + CARD_SIZE - 1) >> CARD_SHIFT;
        b->cards = calloc(n, 1);
        if (b->cards)
            h->metadata += n;
    }
    return b->cards;
}

void block_release(gull_heap *h, block *b)
{
    if (h->rc)
        h->rc->releasing(h); /* rc.c .stale: no candidate entry may point into it */
    cursors_skip(h, b);
    if (b->cards) {
        h->metadata -= (b->cell_size + CARD_SIZE - 1) >> CARD_SHIFT;
        free(b->cards);
        b->cards = NULL;
    }
    if (b->prev)
        b->prev->next = b->next;
    else
        h->blocks = b->next;
    if (b->next)
        b->next->prev = b->prev;
    chunk *c = b->chunk;
    h->metadata -= sizeof *b;
    if (c->huge) {
        h->committed -= (size_t)b->npages * PAGE_SIZE;
        free(b);
        chunk_free(h, c);
        return;
    }
    size_t pg = (size_t)(b->start - (uint8_t *)c) / PAGE_SIZE;
    for (size_t i = pg; i < pg + b->npages; i++) {
        uint64_t bit = (uint64_t)1 << (i % 64);
        c->free_bits[i / 64] |= bit;
        c->dirty_bits[i / 64] |= bit;
        c->page[i] = NULL;
    }
    c->free_pages += b->npages;
    h->committed -= (size_t)b->npages * PAGE_SIZE;
    if (h->poison)
        os_poison(b->start, (size_t)b->npages * PAGE_SIZE);
    /* A large run goes back to the OS at once; small blocks are reused
     * soon and wait for block_decommit_free (.pages). */
    if (b->npages >= 16) {
        os_decommit(b->start, (size_t)b->npages * PAGE_SIZE);
        for (size_t i = pg; i < pg + b->npages; i++)
            c->dirty_bits[i / 64] &= ~((uint64_t)1 << (i % 64));
    }
    free(b);
}

static inline bool bit(const uint64_t *bits, size_t i)
{
    return (bits[i / 64] >> (i % 64)) & 1;
}

#define SYSCALL_COST 16 /* .budget: one madvise costs about as much as 16 pages */

static size_t popcount_bits(const uint64_t *w, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (size_t)__builtin_popcountll(w[i]);
    return c;
}

void block_decommit_free(gull_heap *h, bool all, size_t max_pages)
{
    size_t left = all ? SIZE_MAX : max_pages;
    chunk *next;
    for (chunk *c = h->chunks; c && left; c = next) {
        next = c->next;
        if (c->huge)
            continue;
        bool empty = c->free_pages == CHUNK_PAGES - META_PAGES;
        /* .budget: a chunk's map pages are resident too */
        size_t cost = popcount_bits(c->dirty_bits, CHUNK_PAGES / 64) + META_PAGES + SYSCALL_COST;
        if (empty && h->chunks != c && (all || c->was_empty) && cost <= left) {
            left -= all ? 0 : cost;
            chunk_free(h, c); /* keep the newest chunk for the next blocks */
            continue;
        }
        c->was_empty = empty;
        /* .idle: a free page goes back to the OS once it stayed free from
         * one pass to the next (or at once when `all`).  .budget: at most
         * `left` pages; the others stay idle for the next pass. */
        uint64_t go[CHUNK_PAGES / 64];
        for (size_t w = 0; w < CHUNK_PAGES / 64; w++)
            go[w] = all ? c->dirty_bits[w] : (c->dirty_bits[w] & c->idle_bits[w]);
        for (size_t pg = META_PAGES; pg < CHUNK_PAGES;) {
            if (!bit(go, pg)) {
                pg++;
                continue;
            }
            size_t end = pg;
            while (end < CHUNK_PAGES && bit(go, end))
                end++;
            size_t cost_run = (end - pg) + SYSCALL_COST;
            if (!all && cost_run > left) { /* the rest of this chunk waits */
                for (size_t i = pg; i < CHUNK_PAGES; i++)
                    go[i / 64] &= ~((uint64_t)1 << (i % 64));
                left = 0;
                break;
            }
            if (!all)
                left -= cost_run;
            os_decommit((uint8_t *)c + pg * PAGE_SIZE, (end - pg) * PAGE_SIZE);
            pg = end;
        }
        for (size_t w = 0; w < CHUNK_PAGES / 64; w++) {
            c->dirty_bits[w] &= ~go[w];
            c->idle_bits[w] = c->dirty_bits[w]; /* left over by the budget: idle already */
        }
    }
}

void block_destroy_all(gull_heap *h)
{
    /* Under Valgrind the objects still allocated are client blocks: free
     * them, or they would be reported as leaked with the heap. */
    for (block *b = h->valgrind ? h->blocks : NULL; b; b = b->next) {
        size_t stride = b->cell_size / GRANULE;
        uint8_t *st = state_of(b->start);
        for (uint32_t i = 0; i < b->ncells; i++, st += stride)
            if (*st)
                os_object_free(block_cell(b, i));
    }
    while (h->blocks)
        block_release(h, h->blocks);
    while (h->chunks)
        chunk_free(h, h->chunks);
}

/* ---------------------------------------------------------------- lookup */

void *block_find_object(gull_heap *h, const void *p, bool interior)
{
    chunk *c = block_chunk_lookup(h, p);
    if (!c)
        return NULL;
    block *b;
    if (c->huge) {
        b = c->huge_block;
    } else {
        size_t pg = ((uintptr_t)p - (uintptr_t)c) >> PAGE_SHIFT;
        b = c->page[pg];
    }
    if (!b)
        return NULL;
    size_t off = (size_t)((const uint8_t *)p - b->start);
    if ((const uint8_t *)p < b->start)
        return NULL;
    uint8_t *obj;
    if (b->kind == BK_SMALL) {
        if (off >= (size_t)b->ncells * b->cell_size)
            return NULL; /* the tail of a block that no cell covers */
        size_t i = (size_t)(((uint64_t)off * b->inv_size) >> 32);
        obj = block_cell(b, (uint32_t)i);
    } else {
        if (off >= b->cell_size)
            return NULL;
        obj = b->start;
    }
    if (!interior && obj != p)
        return NULL;
    uint8_t st = *state_of(obj);
    return st_live(h, st) ? obj : NULL; /* .live */
}

/* ---------------------------------------------------------------- validity */

bool chunk_is_valid(const gull_heap *h, const chunk *c)
{
    if (c->magic != CHUNK_MAGIC || c->heap != h || ((uintptr_t)c & CHUNK_MASK))
        return false;
    if (c->huge)
        return c->huge_block != NULL;
    uint32_t free = 0;
    for (size_t i = 0; i < CHUNK_PAGES / 64; i++)
        free += (uint32_t)__builtin_popcountll(c->free_bits[i]);
    return free == c->free_pages; /* .pages: the bitmap and the count agree */
}

bool block_is_valid(const gull_heap *h, const block *b)
{
    const chunk *c = b->chunk;
    if (!c || chunk_of(b->start) != c || b->type == 0 || b->type >= h->ntypes)
        return false;
    if (b->cell_size < GRANULE || b->cell_size % GRANULE)
        return false;
    if (b->kind == BK_SMALL) {
        /* a small block is BLOCK_PAGES pages of one class, and owns them */
        if (b->npages != BLOCK_PAGES || b->cell_size != block_class_size(b->sclass) ||
            b->ncells != BLOCK_SIZE / b->cell_size)
            return false;
        size_t pg = (size_t)(b->start - (const uint8_t *)c) / PAGE_SIZE;
        for (size_t i = pg; i < pg + b->npages; i++)
            if (c->page[i] != b)
                return false;
        return true;
    }
    return b->kind == BK_LARGE && b->ncells == 1 &&
           (size_t)b->npages * PAGE_SIZE >= b->cell_size;
}

bool heap_is_valid(const gull_heap *h)
{
    if (h->color != 1 && h->color != 2)
        return false;
    for (const chunk *c = h->chunks; c; c = c->next)
        if (!chunk_is_valid(h, c))
            return false;
    size_t pages = 0;
    for (const block *b = h->blocks; b; b = b->next) {
        if (!block_is_valid(h, b) || (b->next && b->next->prev != b))
            return false;
        pages += b->npages;
    }
    return pages * PAGE_SIZE == h->committed;
}
