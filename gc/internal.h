/* internal.h — gull's private types, shared by the files of gc/ only.
 *
 * The model, in one place (other files cite these tags):
 *
 * .chunk   Memory comes from the OS in chunks of CHUNK_SIZE (4 MiB), aligned
 *          to CHUNK_SIZE.  The first META_PAGES pages of a chunk are its
 *          metadata: the granule map (one byte per 16-byte granule of the
 *          whole chunk, 256 KiB).  The map bytes that would describe the
 *          metadata pages themselves are never needed, so the chunk header
 *          (struct chunk: page table, free-page bitmap) lives there, at the
 *          chunk base.  A "huge" chunk is a larger mapping (still aligned)
 *          holding one large object.
 *
 * .block   Data pages are grouped in blocks.  A small block (BLOCK_PAGES
 *          pages) holds cells of one size class and one type ("big bag of
 *          pages": the type is per block, so objects carry no header).  A
 *          large block is a run of pages holding one object.  Each page
 *          points to its block descriptor (chunk->page[]), so an address is
 *          mapped to its object in constant time (block_find_object).
 *
 * .state   The metadata byte of an object is the map byte of its first
 *          granule.  Its bits:
 *              COLOR (2 bits)  0 = free cell, else the mark color it last got
 *              YOUNG           allocated since the last collection and not
 *                              promoted yet (the inline barrier reads it)
 *              MMARK           marked by the minor collection in progress
 *              AGE  (2 bits)   minor collections survived while young
 *              LOGGED          in the remembered set
 *              SPECIAL         has an entry in a side table (native size)
 *          .live  An object is live outside a collection iff COLOR ==
 *          heap->color.  A major collection flips heap->color, so every
 *          object looks unmarked; marking gives survivors the new color.
 *          Objects whose color is stale are dead, and lazy sweeping frees
 *          them (sweep.c); until then nothing may reach them: lookups
 *          refuse them (.live), so a conservative word cannot revive one.
 *          Before a flip, every block is swept (collect.c .finish-sweep), so
 *          a stale color never comes back into fashion.
 *
 * .gen     Sticky generations (generation.c): an object is old iff it is
 *          live and not YOUNG.  A minor collection marks only YOUNG objects
 *          (MMARK), from the roots and the remembered set, and never looks
 *          inside an old object other than a remembered one.
 *
 * Assertion tiers (STYLE.md): CHECK_ARG in the API (always on, reports and
 * returns), ASSERT (--enable-checking), and the verifier (GULL_VERIFY).
 */
#ifndef GULL_INTERNAL_H
#define GULL_INTERNAL_H

#ifndef GULL_BUILDING_LIBRARY
#error "gc/internal.h is private to gull; hosts include <gull.h> only"
#endif

#include "config.h"
#include "gull.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define INTERNAL __attribute__((visibility("hidden")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---------------------------------------------------------------- layout */

#define GRANULE_SHIFT GULL_GRANULE_SHIFT_
#define GRANULE ((size_t)1 << GRANULE_SHIFT)          /* 16 */
#define PAGE_SHIFT 12
#define PAGE_SIZE ((size_t)1 << PAGE_SHIFT)           /* 4 KiB */
#define CHUNK_SHIFT GULL_CHUNK_SHIFT_
#define CHUNK_SIZE ((size_t)1 << CHUNK_SHIFT)         /* 4 MiB */
#define CHUNK_MASK (CHUNK_SIZE - 1)
#define CHUNK_PAGES (CHUNK_SIZE / PAGE_SIZE)          /* 1024 */
#define MAP_BYTES (CHUNK_SIZE >> GRANULE_SHIFT)       /* 256 KiB */
#define META_PAGES (MAP_BYTES / PAGE_SIZE)            /* 64 */
#define BLOCK_PAGES 4                                 /* small blocks: 16 KiB */
#define BLOCK_SIZE (BLOCK_PAGES * PAGE_SIZE)
#define SMALL_MAX 2048                                /* larger objects get pages */
#define SIZE_CLASSES 40                               /* upper bound, see block.c */

/* .state bits */
enum {
    ST_COLOR = 0x03,
    ST_YOUNG = GULL_YOUNG_BIT_, /* 0x04, pinned by the public inline barrier */
    ST_MMARK = 0x08,
    ST_AGE = 0x30,
    ST_AGE_SHIFT = 4,
    ST_LOGGED = 0x40,
    ST_SPECIAL = 0x80
};
_Static_assert(ST_YOUNG == 0x04, "the inline barrier in gull.h tests this bit");
#define MAX_PROMOTE_AGE 3

/* ---------------------------------------------------------------- assertions */

#if GULL_CHECKING
#define ASSERT(cond)                                                              \
    do {                                                                          \
        if (UNLIKELY(!(cond)))                                                    \
            assert_fail(#cond, __FILE__, __LINE__);                               \
    } while (0)
#else
#define ASSERT(cond) ((void)0)
#endif
INTERNAL _Noreturn void assert_fail(const char *cond, const char *file, int line);

/* ---------------------------------------------------------------- vectors */

/* A growable array of pointers (remembered set, finalizer lists, ...).
 * vec_push returns false when memory cannot be had; callers handle it. */
typedef struct vec {
    void **at;
    size_t len, cap;
} vec;
INTERNAL bool vec_push(vec *v, void *p);
INTERNAL void vec_free(vec *v);

/* ---------------------------------------------------------------- blocks */

typedef enum block_kind { BK_SMALL = 1, BK_LARGE } block_kind;

typedef struct block {
    uint8_t *start;          /* first cell / the large object */
    size_t cell_size;        /* small: class size; large: bytes of the object */
    uint32_t ncells;         /* small: cells in block; large: 1 */
    uint32_t inv_size;       /* ceil(2^32 / cell_size), for offset -> cell index */
    uint32_t npages;
    uint32_t type;           /* type id (.block: one type per block) */
    gull_trace_fn trace;     /* copy of the type's, NULL if pointer-free */
    uint8_t kind;            /* block_kind */
    uint8_t sclass;          /* size class (small) */
    bool in_young;           /* on heap->young_blocks / young_large */
    bool queued;             /* on its sweep queue */
    bool unswept;            /* has not been swept since the last major mark */
    bool empty;              /* sweep_finish found no live cell: to release */
    struct chunk *chunk;
    struct block *next, *prev;   /* heap->blocks (all blocks), doubly linked */
    struct block *qnext;         /* sweep queue */
    struct block *ynext;         /* young list */
} block;

typedef struct chunk {
    uint64_t magic;
    struct gull_heap *heap;
    size_t size;                 /* bytes mapped (CHUNK_SIZE, or more if huge) */
    uint32_t free_pages;         /* data pages not in a block */
    bool huge;
    struct chunk *next;
    uint64_t free_bits[CHUNK_PAGES / 64];   /* 1 = page free (data pages only) */
    uint64_t dirty_bits[CHUNK_PAGES / 64];  /* 1 = free page still backed by RAM */
    uint64_t idle_bits[CHUNK_PAGES / 64];   /* 1 = dirty since the last decommit pass (block.c .idle) */
    bool was_empty;                         /* no block at the last decommit pass */
    block *page[CHUNK_PAGES];               /* page -> block, NULL if free */
    block *huge_block;                      /* the one block of a huge chunk */
} chunk;
/* The map bytes describing the metadata pages are unused: the header lives there. */
_Static_assert(sizeof(chunk) <= MAP_BYTES / GRANULE, "chunk header fits in the unused map bytes");
#define CHUNK_MAGIC 0x67756c6c6368756bULL /* "gullchuk" */

static inline chunk *chunk_of(const void *p)
{
    return (chunk *)((uintptr_t)p & ~(uintptr_t)CHUNK_MASK);
}
static inline uint8_t *state_of(const void *obj)
{
    uintptr_t a = (uintptr_t)obj;
    return (uint8_t *)(a & ~(uintptr_t)CHUNK_MASK) + ((a & CHUNK_MASK) >> GRANULE_SHIFT);
}
/* The block of an object start in a chunk of this heap (precise pointers). */
static inline block *block_of(const void *obj)
{
    chunk *c = chunk_of(obj);
    return c->page[((uintptr_t)obj - (uintptr_t)c) >> PAGE_SHIFT];
}

/* ---------------------------------------------------------------- types */

typedef struct type_info {
    char *name;
    gull_trace_fn trace;     /* NULL for no-pointer types */
    gull_finalize_fn finalize;
    unsigned flags;
    size_t live_native;      /* native bytes associated with its objects (external.c) */
    /* per size class allocation state */
    struct alloc_list {
        uint8_t *next;       /* the current hole: free cells [next, limit) of cur */
        uint8_t *limit;
        block *cur;          /* block being allocated from (alloc.c .holes) */
        block *queue;        /* blocks waiting to be allocated from */
    } lists[SIZE_CLASSES];
} type_info;

/* ---------------------------------------------------------------- roots */

typedef struct root_range { void **start, **end; } root_range;
typedef struct root_cb { gull_roots_fn fn; void *ctx; } root_cb;

/* ---------------------------------------------------------------- statistics */

#define HIST_SUB 8       /* buckets per power of two: ~9% resolution */
#define HIST_BUCKETS (64 * HIST_SUB)
typedef struct pause_hist {
    uint64_t count, total_ns, max_ns;
    uint64_t bucket[HIST_BUCKETS];
} pause_hist;

typedef struct stats {
    gull_stats s;                  /* the counters the API reports */
    pause_hist hist[GULL_PAUSE_KINDS + 1]; /* per kind, and all kinds last */
    uint64_t pause_start_ns;
    gull_pause_kind pause_kind;
    size_t heap_before;            /* heap_live when the pause began */
    FILE *pause_log;
    gull_pause_fn hook;
    void *hook_ctx;
} stats;

/* ---------------------------------------------------------------- the heap */

typedef struct weak_slot { void *target; } weak_slot;

struct gull_heap {
    gull_heap_public pub;          /* must stay first: read by GULL_WRITE */
    gull_config cfg;               /* effective configuration */
    char *pause_log_path;          /* owned copy of cfg.pause_log */
    gull_error last_error;
    bool in_collector;             /* .reentry: no nested collection */
    bool in_finalizers;
    uint8_t color;                 /* .live: the current mark color, 1 or 2 */
    bool poison;                   /* os_poisoning(): mark free cells for ASan/Valgrind */

    /* types: index 0 unused */
    type_info **types;
    uint32_t ntypes, types_cap;

    /* memory */
    chunk *chunks;                 /* all chunks */
    void ***radix;                 /* .radix: address -> chunk, see block.c */
    block *blocks;                 /* all blocks, doubly linked */
    block *young_blocks;           /* small blocks allocated from since the last collection */
    block *young_large;            /* large objects allocated since the last collection */
    size_t committed;              /* bytes of pages in blocks */
    size_t metadata;               /* bytes of our own bookkeeping (chunk maps, descriptors) */

    /* pacing (pacing.c) */
    size_t live_after_major;       /* bytes marked by the last major */
    size_t old_bytes;              /* bytes of old objects: live_after_major + promoted since */
    size_t young_bytes;            /* young survivors of the last minor collection */
    size_t nursery_used;           /* bytes allocated since the last collection:
                                      the only counter the allocation fast path bumps */
    size_t external_at_gc;         /* h->external after the last collection */
    size_t next_major;             /* old_bytes that trigger a major */
    unsigned long stress_left;     /* allocations until the next stress collection */
    bool want_major;               /* the next collection must be a major one */
    bool poll;                     /* gull_alloc must call alloc_poll first (alloc.c .poll) */

    /* marking (mark.c) */
    vec mark_stack;
    bool mark_overflow;            /* a push failed: rescan needed (mark.c .overflow) */
    bool minor;                    /* the collection in progress is minor */
    bool major_marking;            /* .live: during a major mark any color is allocated */
    bool finalizers_pending;       /* final_ready is not empty */
    unsigned long stress_count;    /* stress collections so far */
    uint64_t marked_objects;       /* this collection */
    size_t marked_bytes;
    void *scan_holder;             /* generation.c .remember-after */
    bool holder_stays_old;
    bool holder_needs_log;

    /* generations */
    vec remset;                    /* old objects with LOGGED set */

    /* roots */
    vec root_slots;                /* void ** */
    root_range *ranges; size_t nranges, ranges_cap;
    root_cb *callbacks; size_t ncallbacks, callbacks_cap;
    gull_frame *frames;
    void *stack_base;

    /* finalization and weak references */
    vec final_young, final_old;    /* objects whose type has a finalizer */
    vec final_ready;               /* unreachable, waiting for their finalizer */
    vec final_running;             /* the batch being finalized now (finalize.c .when) */
    vec weaks;                     /* weak_slot * */

    /* native memory */
    size_t external;               /* gull_external_adjust + associated */
    struct native_table *native;   /* obj -> associated bytes (external.c) */

    stats st;
};

/* ---------------------------------------------------------------- heap.c */

/* Report an error through the heap's handler (or stderr when h is NULL). */
INTERNAL void heap_error(gull_heap *h, gull_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- os.c */

INTERNAL void *os_map_aligned(size_t size, size_t align); /* NULL on failure */
INTERNAL void os_unmap(void *p, size_t size);
INTERNAL void os_decommit(void *p, size_t size);          /* keep the range, drop the RAM */
INTERNAL void *os_stack_base(void);                        /* hot end of this thread's stack */
INTERNAL uint64_t os_now_ns(void);                         /* CLOCK_MONOTONIC */
INTERNAL size_t os_rss_bytes(void);                        /* resident set of the process */
INTERNAL bool os_poisoning(void);     /* ASan build, or running under Valgrind */
INTERNAL void os_poison(void *p, size_t n);                /* free: no access */
INTERNAL void os_unpoison(void *p, size_t n);              /* allocated */
static inline void poison_free_cell(gull_heap *h, void *cell, size_t size);

/* ---------------------------------------------------------------- block.c */

INTERNAL unsigned block_class_of_big(size_t size); /* 128 < size <= SMALL_MAX */
/* .classes (block.c): multiples of 16 to 128, then four per power of two. */
static const uint16_t block_class_sizes[] = {
    16,  32,  48,  64,  80,  96,  112,  128,  160,  192,  224,  256,
    320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};
static inline size_t block_class_size(unsigned c)
{
    return block_class_sizes[c];
}
/* .classes: the classes up to 128 bytes are the multiples of 16. */
static inline unsigned block_class_of(size_t size)
{
    return size <= 128 ? (unsigned)((size + 15) >> 4) - (size != 0) : block_class_of_big(size);
}
INTERNAL unsigned block_nclasses(void);
INTERNAL block *block_new_small(gull_heap *h, uint32_t type, unsigned sclass);
INTERNAL block *block_new_large(gull_heap *h, uint32_t type, size_t size);
INTERNAL void block_release(gull_heap *h, block *b);       /* back to the free pages */
INTERNAL chunk *block_chunk_lookup(gull_heap *h, const void *p); /* .radix */
/* The live object containing p (or starting at p when !interior), else NULL. */
INTERNAL void *block_find_object(gull_heap *h, const void *p, bool interior);
INTERNAL void block_decommit_free(gull_heap *h, bool all); /* return idle pages to the OS */
INTERNAL void block_destroy_all(gull_heap *h);
INTERNAL bool block_is_valid(const gull_heap *h, const block *b);
INTERNAL bool chunk_is_valid(const gull_heap *h, const chunk *c);
/* Whole-heap structure (not contents): every chunk and block valid, the
 * committed count equal to the blocks' pages.  O(blocks); checking build. */
INTERNAL bool heap_is_valid(const gull_heap *h);
static inline uint8_t *block_cell(const block *b, uint32_t i)
{
    return b->start + (size_t)i * b->cell_size;
}

/* ---------------------------------------------------------------- alloc.c */

INTERNAL void alloc_retire_all(gull_heap *h);  /* drop current free lists (collect.c) */
INTERNAL void alloc_queue_block(gull_heap *h, block *b); /* put b on its sweep queue */

/* ---------------------------------------------------------------- mark.c */

INTERNAL void mark_visit(void **slot, void *ctx);         /* gull_visit_fn for tracing */
INTERNAL void mark_value(gull_heap *h, void *v);          /* precise value */
INTERNAL void mark_ambiguous(gull_heap *h, void *v);      /* conservative word */
INTERNAL void mark_drain(gull_heap *h);
INTERNAL void mark_scan_object(gull_heap *h, void *obj);  /* trace obj's fields now */
INTERNAL void mark_root_visit(void **slot, void *ctx);    /* gull_visit_fn for root callbacks */

/* ---------------------------------------------------------------- sweep.c */

/* Free the dead cells of b (state 0).  Returns live cells. */
INTERNAL uint32_t sweep_block(gull_heap *h, block *b);
INTERNAL void sweep_finish(gull_heap *h);                 /* .finish-sweep */
INTERNAL void sweep_large(gull_heap *h, block *b);        /* frees if dead */

/* ---------------------------------------------------------------- generation.c */

INTERNAL void gen_mark_remembered(gull_heap *h);          /* minor: scan the remset */
INTERNAL void gen_sweep_young(gull_heap *h);              /* minor: age, promote, free */
INTERNAL void gen_reset(gull_heap *h);                    /* major: everyone old */

/* ---------------------------------------------------------------- collect.c */

INTERNAL void collect_run(gull_heap *h, gull_collect_kind kind, const char *why);

/* ---------------------------------------------------------------- pacing.c */

INTERNAL void pacing_init(gull_heap *h);
INTERNAL void pacing_after_collection(gull_heap *h, bool major);
/* Called when an allocation needs a new block, or polls; may collect.
 * Returns true when a collection ran. */
INTERNAL bool pacing_before_block(gull_heap *h, size_t bytes);
/* Should gull_alloc poll pacing before its next object? (.poll) */
INTERNAL bool pacing_poll_needed(const gull_heap *h);
INTERNAL bool pacing_may_grow(gull_heap *h, size_t bytes);  /* heap and memory limits */
INTERNAL void pacing_external_changed(gull_heap *h);
/* Is the heap over its external or memory limit? (alloc.c) */
INTERNAL bool pacing_over_limit(const gull_heap *h);

/* ---------------------------------------------------------------- roots.c */

INTERNAL void roots_mark(gull_heap *h);       /* every kind of root */
INTERNAL void roots_free(gull_heap *h);
/* Visit every precise root slot (verify.c) */
INTERNAL void roots_each(gull_heap *h, gull_visit_fn fn, void *ctx);

/* ---------------------------------------------------------------- finalize.c, weak.c */

INTERNAL bool final_register(gull_heap *h, void *obj);
INTERNAL void final_mark_ready(gull_heap *h);       /* ready queue is a root */
INTERNAL void final_after_mark(gull_heap *h);       /* resurrect the unreachable */
INTERNAL bool final_is_dead(const gull_heap *h, const void *obj); /* after mark */
INTERNAL void final_free(gull_heap *h);
INTERNAL void weak_after_mark(gull_heap *h);
INTERNAL void weak_free_all(gull_heap *h);

/* ---------------------------------------------------------------- external.c */

INTERNAL void external_after_mark(gull_heap *h);   /* drop the natives of the dead */
INTERNAL void external_free(gull_heap *h);
INTERNAL void external_balance_check(gull_heap *h); /* at destroy, checking build */
INTERNAL size_t external_associated(const gull_heap *h);

/* ---------------------------------------------------------------- options.c */

/* Apply GULL_* environment variables over *cfg (unless cfg->ignore_env),
 * reporting malformed, out-of-range and unknown variables on stderr. */
INTERNAL void options_apply_env(gull_config *cfg);
INTERNAL void options_defaults(gull_config *cfg);
INTERNAL void options_print(FILE *f, const gull_config *cfg); /* effective config */

/* ---------------------------------------------------------------- stats.c */

INTERNAL void stats_init(gull_heap *h);
INTERNAL void stats_pause_begin(gull_heap *h, gull_pause_kind kind);
INTERNAL void stats_pause_end(gull_heap *h, const char *why);
INTERNAL void stats_summary(gull_heap *h, FILE *f);
INTERNAL void stats_free(gull_heap *h);
INTERNAL uint64_t stats_quantile(const pause_hist *hist, double q);

/* ---------------------------------------------------------------- verify.c */

INTERNAL void verify_heap(gull_heap *h, const char *when);

static inline void poison_free_cell(gull_heap *h, void *cell, size_t size)
{
    if (UNLIKELY(h->poison))
        os_poison(cell, size);
}

/* NULL if id is not a registered type of h. */
static inline type_info *heap_type(gull_heap *h, uint32_t id)
{
    return (id == 0 || id >= h->ntypes) ? NULL : h->types[id];
}

/* Will an object in state st still be young after the minor collection in
 * progress? (generation.c .remember-after) */
static inline bool gen_stays_young(const gull_heap *h, uint8_t st)
{
    return (st & ST_YOUNG) &&
           ((unsigned)((st & ST_AGE) >> ST_AGE_SHIFT) + 1 < h->cfg.promote_age);
}

/* Live bytes as far as the collector knows: what the last collection kept,
 * plus everything allocated since. */
static inline size_t heap_live_bytes(const gull_heap *h)
{
    return h->old_bytes + h->young_bytes + h->nursery_used;
}

/* Object is live (.live) — for a byte read from the map. */
static inline bool st_live(const gull_heap *h, uint8_t st)
{
    return (st & ST_COLOR) == h->color;
}

#endif /* GULL_INTERNAL_H */
