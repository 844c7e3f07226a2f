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
 *          rc mode gives MMARK and the AGE bits other meanings on old
 *          objects (ST_RC_*, below; rc.c .bits).
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
#define CARD_SHIFT 9                                  /* generation.c .cards: 512-byte cards */
#define CARD_SIZE ((size_t)1 << CARD_SHIFT)
#define CARD_OBJECT_MIN ((size_t)8 << 10)             /* objects this large get cards */
enum { CARD_DIRTY = 1, CARD_SCAN = 2, CARD_KEEP = 4 }; /* card bytes (mark.c mark_scan_cards) */
#define PIECE_SIZE ((size_t)4 << 10)                  /* mark.c .pieces: 512 slots */
#define SIZE_CLASSES 40                               /* upper bound, see block.c */

/* .state bits */
enum {
    ST_COLOR = 0x03,
    ST_YOUNG = GULL_YOUNG_BIT_, /* 0x04, pinned by the public inline barrier */
    ST_MMARK = 0x08,
    ST_AGE = 0x30,
    ST_AGE_SHIFT = 4,
    ST_LOGGED = 0x40,
    ST_SPECIAL = 0x80,
    /* rc mode reuses bits that old objects do not otherwise use there
     * (rc.c .bits): promote_age is 1 in rc, so no object keeps an AGE, and
     * MMARK is only ever set on young objects by the minor marker. */
    ST_RC_ROOT = ST_MMARK, /* old object named by a root in this pause (rc.c .roots) */
    ST_RC_ZCT = 0x10,      /* in the zero-count table (h->zct) */
    ST_RC_DYING = 0x20,    /* found dead by the ZCT pass in progress (rc.c .pass) */
    ST_RC_GRAY = ST_RC_DYING /* in the cycle collector's trial set (rc.c .cycles), only
                                while it runs, after the ZCT pass's own use of the bit */
};
_Static_assert(ST_YOUNG == 0x04, "the inline barrier in gull.h tests this bit");
_Static_assert(((ST_RC_ZCT | ST_RC_DYING) & ~ST_AGE) == 0, "rc's flags live in the AGE bits");
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
    gull_trace_range_fn trace_range; /* copy of the type's, optional */
    uint8_t kind;            /* block_kind */
    uint8_t sclass;          /* size class (small) */
    bool in_young;           /* on heap->young_blocks / young_large */
    bool queued;             /* on its sweep queue */
    bool unswept;            /* has not been swept since the last major mark */
    bool empty;              /* sweep_finish found no live cell: to release */
    bool acyclic;            /* rc: its type is GULL_TYPE_ACYCLIC or pointer-free (rc.c .acyclic) */
    bool rc_dec;             /* rc: its dead still hold counts (rc.c .backup, PHASE_RC_DEC) */
    struct chunk *chunk;
    uint8_t *cards;              /* large objects: a byte per CARD_SIZE bytes, nonzero =
                                    dirty (generation.c .cards); NULL until needed */
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
    uint8_t *rc_counts;                     /* rc mode: a count per granule (rc.c .counts) */
    size_t rc_counts_len;
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
    gull_trace_range_fn trace_range; /* optional (gull.h) */
    gull_finalize_fn finalize;
    gull_field_name_fn field_name;   /* optional (gull.h): names for diagnostics */
    unsigned flags;
    size_t live_native;      /* native bytes associated with its objects (external.c) */
    uint64_t cycle_freed, cycle_freed_bytes; /* rc: freed by the cycle collector (rc.c .cycles) */
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
    uint64_t pause_start_cpu_ns;   /* CLOCK_THREAD_CPUTIME_ID at the pause's begin */
    /* the incremental cycle in progress (trace lines) */
    uint64_t created_ns;           /* the heap's creation (trace: time since start) */
    uint64_t cycles;               /* incremental cycles started */
    uint64_t cycle_work, cycle_steps_at_start, cycle_assists_at_start, cycle_start_ns;
    uint64_t cycle_pause_ns, cycle_max_step_ns;
} stats;

/* ---------------------------------------------------------------- the heap */

typedef struct weak_slot { void *target; } weak_slot;

/* .phase  The major collection's phase (collect.c draws the machine). */
typedef enum gc_phase {
    PHASE_IDLE = 0,  /* no major cycle; lazy sweeping of the last one goes on */
    PHASE_SWEEP,     /* a cycle was started: finish the previous lazy sweep */
    PHASE_ROOTS,     /* swept: the next step flips the color and marks the roots */
    PHASE_MARK,      /* tracing from the gray objects (the snapshot's) */
    PHASE_FINISH,    /* gray set empty: clear weak refs, drop natives, find finalizable */
    PHASE_MARK_FINAL,/* tracing from the objects resurrected for finalization */
    PHASE_RECLAIM,   /* atomic: the cycle's results (finalizers, remembered set, pacing) */
    PHASE_RC_DEC,    /* rc, incremental cycle: the dead give up their counts (rc.c .backup) */
    PHASE_QUEUE      /* queue every block for lazy sweeping, free dead large objects */
} gc_phase;

/* A marking in progress: the major cycle's (h->major_mk), which lives
 * across pauses in inc mode, or a minor collection's (h->minor_mk).  The
 * visit callbacks get the marker as their context. */
typedef struct marker {
    struct gull_heap *h;
    vec stack;                     /* gray objects (mark.c .invariant) */
    bool minor;                    /* marks MMARK on young objects; else the color */
    bool keep_gen;                 /* major: keep YOUNG/AGE/LOGGED (inc: mark.c .black-young) */
    bool overflow;                 /* a push failed: a rescan pass is due (mark.c .overflow) */
    bool rescan_again;             /* a push failed during the rescan pass */
    block *cursor;                 /* .overflow: the rescan's position, NULL = none running */
    uint32_t cursor_cell;
    vec pieces;                    /* .pieces: (object, offset) pairs of large objects being traced */
    void **range_from, **range_to; /* the slots the range visitor passes on */
    uint8_t *range_cards;          /* minor: the cards of the remembered object being scanned */
    uint8_t *range_start;
    uint64_t objects;              /* marked by this collection */
    size_t bytes;
    size_t work;                   /* bytes traced so far (step budgets count these) */
    bool rc_roots;                 /* rc: flag the old objects roots name (rc.c .roots) */
    /* generation.c .remember-after, minor only */
    bool holder_stays_old;
    bool holder_needs_log;
} marker;

struct gull_heap {
    gull_heap_public pub;          /* must stay first: read by GULL_WRITE */
    gull_config cfg;               /* effective configuration */
    char *pause_log_path;          /* owned copy of cfg.pause_log */
    gull_error last_error;
    bool in_pause;                 /* .reentry (collect.c): no nested collection */
    bool in_finalizers;
    gc_phase phase;                /* .phase */
    uint8_t color;                 /* .live: the current mark color, 1 or 2 */
    bool poison;                   /* os_poisoning(): mark free cells for ASan/Valgrind */
    bool valgrind;                 /* os_under_valgrind(): objects are client blocks */

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
    size_t nursery_target;         /* nursery_used that triggers a minor (pacing.c .nursery) */
    double minor_ns_per_byte;      /* inc: a minor's CPU time per nursery byte, smoothed */
    size_t external_at_gc;         /* h->external after the last collection */
    size_t next_major;             /* old_bytes that trigger a major */
    unsigned long stress_left;     /* allocations until the next stress collection */
    bool major_requested;          /* the barrier could not remember an edge (generation.c) */
    bool cycle_inc;                /* the running major cycle is incremental (collect.c .cycle-kinds) */
    bool promote_all;              /* the minor in progress promotes every survivor (collect.c .young-first) */
    size_t promoted_in_cycle;      /* bytes promoted since the cycle's flip: black, old */
    size_t cycle_start_old;        /* old bytes at the flip: the most the cycle can mark */
    uint64_t alloc_at_poll;        /* bytes allocated when pacing last charged the debt */
    double mark_debt;              /* inc: bytes of work owed by allocation (pacing.c .debt) */
    double promo_rate;             /* inc: promoted / allocated, smoothed (pacing.c .debt) */
    uint64_t step_end_ns;          /* inc: when the last step ended (pacing.c .spacing) */
    uint64_t step_ns;              /* inc: how long it took */
    block *sweep_cursor;           /* sweep_rest's position in h->blocks */
    block *queue_cursor;           /* sweep_queue_some's position (PHASE_QUEUE) */
    size_t unswept;                /* blocks with unswept set (sweep.c .unswept) */
    bool sweep_empties;            /* sweep_rest flagged empty blocks to release */
    vec final_found;               /* major: unreachable finalizable, until the cycle ends */
    struct snapshot *snapshot;     /* verify.c: what the cycle's snapshot reached */
    bool poll;                     /* gull_alloc must call alloc_poll first (alloc.c .poll) */

    /* marking (mark.c) */
    marker major_mk, minor_mk;
    bool finalizers_pending;       /* final_ready is not empty */
    unsigned long stress_count;    /* stress collections so far */
    unsigned long verify_count;    /* minor collections verified (verify.c .generational) */

    /* generations */
    vec remset;                    /* old objects with LOGGED set */

    /* reference counting (rc.c) */
    vec zct;                       /* old objects with count 0 (ST_RC_ZCT) */
    vec rc_rooted;                 /* old objects flagged ST_RC_ROOT in this pause */
    const struct rc_hooks *rc;     /* rc mode: rc.c's entry points for lower layers (.hooks) */
    bool rc_roots_incomplete;      /* a root flag could not be recorded: free nothing */
    vec rc_promoted;               /* the minor's survivors, until their counts are in */
    vec rc_prev_rooted;            /* rc_rooted of the last pause (rc.c .sources) */
    vec rc_cand;                   /* cycle candidates, RC_BUFFERED in their count (.cycles) */
    size_t rc_stale;               /* entries of rc_cand whose object was freed since (.stale) */
    vec rc_large_later;            /* large objects RC freed while marking (.backup) */
    block *rc_dec_cursor;          /* PHASE_RC_DEC's position in h->blocks */
    size_t rc_filter, rc_filter_keep; /* PHASE_RC_DEC: rc_cand's read and write positions
                                         while it drops the dead (SIZE_MAX: not filtering) */
    size_t cycle_threshold;        /* candidates that start the cycle collector (pacing.c .cycles) */
    size_t old_at_cycles;          /* old_bytes after the last cycle collection or major */
    unsigned rc_backup_factor;     /* rc: times GULL_OLD_GROWTH before the next major (.backup) */
    bool rc_backlog;               /* the last pause left freeing to do (pacing.c .rc-budget) */

    /* roots */
    vec root_slots;                /* void ** */
    root_range *ranges; size_t nranges, ranges_cap;
    root_cb *callbacks; size_t ncallbacks, callbacks_cap;
    gull_frame *frames;
    void *stack_base;

    /* finalization and weak references */
    vec final_young, final_old;    /* objects whose type has a finalizer */
    struct final_index *final_index; /* rc: final_old's object -> position (finalize.c .rc-index) */
    vec final_ready;               /* unreachable, waiting for their finalizer */
    vec final_running;             /* the batch being finalized now (finalize.c .when) */
    vec weaks;                     /* weak_slot * */

    /* native memory */
    size_t external;               /* gull_external_adjust + associated */
    struct native_table *native;   /* obj -> associated bytes (external.c) */

    stats st;
};

/* ---------------------------------------------------------------- util.c */

/* Report an error through the heap's handler (or stderr when h is NULL). */
INTERNAL void heap_error(gull_heap *h, gull_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- os.c */

INTERNAL void *os_map_aligned(size_t size, size_t align); /* NULL on failure */
INTERNAL void os_unmap(void *p, size_t size);
INTERNAL void os_decommit(void *p, size_t size);          /* keep the range, drop the RAM */
INTERNAL void *os_stack_base(void);                        /* hot end of this thread's stack */
INTERNAL uint64_t os_now_ns(void);                         /* CLOCK_MONOTONIC */
INTERNAL uint64_t os_thread_cpu_ns(void);                  /* CLOCK_THREAD_CPUTIME_ID */
INTERNAL size_t os_rss_bytes(void);                        /* resident set of the process */
INTERNAL bool os_poisoning(void);     /* ASan build, or running under Valgrind */
INTERNAL void os_poison(void *p, size_t n);                /* free: no access */
INTERNAL void os_unpoison(void *p, size_t n);              /* allocated */
INTERNAL bool os_under_valgrind(void);
INTERNAL void os_object_alloc(void *p, size_t n);          /* Valgrind client block */
INTERNAL void os_object_free(void *p);
static inline void poison_free_cell(gull_heap *h, void *cell, size_t size);

/* ---------------------------------------------------------------- budgets */

/* How much a step may do: bytes of work (traced object bytes; a swept
 * block counts as its map bytes) and a deadline on the monotonic clock
 * (0 = none).  Work loops check the deadline every few objects (as V8's
 * cppgc checks its deadline) and return whether they finished. */
typedef struct budget {
    size_t work;
    uint64_t deadline_ns;
} budget;
#define BUDGET_UNLIMITED ((budget){SIZE_MAX, 0})
static inline bool budget_spent(const budget *b, size_t done)
{
    return done >= b->work || (b->deadline_ns && os_now_ns() >= b->deadline_ns);
}

/* ---------------------------------------------------------------- block.c */

/* .classes (block.c): multiples of 16 to 128, then four per power of two. */
static const uint16_t block_class_sizes[] = {
    16,  32,  48,  64,  80,  96,  112,  128,  160,  192,  224,  256,
    320, 384, 448, 512, 640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};
static inline size_t block_class_size(unsigned c)
{
    return block_class_sizes[c];
}
/* 128 < size <= SMALL_MAX: the first class that holds size. */
static inline unsigned block_class_of_big(size_t size)
{
    unsigned c = 8;
    while (block_class_sizes[c] < size)
        c++;
    return c;
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
/* The card bytes of a large block (generation.c .cards), made on first
 * use; NULL when memory cannot be had. */
INTERNAL uint8_t *block_cards(gull_heap *h, block *b);
INTERNAL chunk *block_chunk_lookup(gull_heap *h, const void *p); /* .radix */
/* The live object containing p (or starting at p when !interior), else NULL. */
INTERNAL void *block_find_object(gull_heap *h, const void *p, bool interior);
/* Return idle pages to the OS (.idle), at most max_pages of them (the rest
 * wait for the next call); all = every free page, no limit. */
INTERNAL void block_decommit_free(gull_heap *h, bool all, size_t max_pages);
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

/* ---------------------------------------------------------------- sweep.c */

INTERNAL void sweep_queue_block(gull_heap *h, block *b); /* put b on its allocation queue */
INTERNAL void sweep_retire_all(gull_heap *h);   /* drop every current hole (.retire) */
/* Free the dead cells of b (stale color).  Returns live cells. */
INTERNAL uint32_t sweep_block(gull_heap *h, block *b);
/* .finish-sweep: sweep what the last major left unswept, within b, adding
 * the work done to *work; true when nothing is left. */
INTERNAL bool sweep_rest(gull_heap *h, budget b, size_t *work);
/* After a major mark: every small block unswept and queued, dead large
 * objects freed, from h->queue_cursor on (set it to h->blocks first)
 * within b, adding the work to *work; true when the walk is done. */
INTERNAL bool sweep_queue_some(gull_heap *h, budget b, size_t *work);
INTERNAL bool sweep_pending(const gull_heap *h);  /* unswept blocks remain */

/* ---------------------------------------------------------------- mark.c */

INTERNAL void mark_begin(gull_heap *h, marker *m, bool minor, bool keep_gen);
INTERNAL void mark_visit(void **slot, void *ctx);         /* gull_visit_fn, ctx = marker */
INTERNAL void mark_root_visit(void **slot, void *ctx);    /* for root callbacks, ctx = marker */
INTERNAL void mark_value(marker *m, void *v);             /* precise value */
INTERNAL void mark_ambiguous(marker *m, void *v);         /* conservative word */
/* Trace gray objects within b; true when the gray set is empty. */
INTERNAL bool mark_drain(marker *m, budget b);
INTERNAL void mark_scan_object(marker *m, void *obj);     /* trace obj's fields now */
/* Minor: trace the slots in obj's dirty cards (generation.c .cards). */
INTERNAL void mark_scan_cards(marker *m, void *obj);
/* Did marking by m find obj unreachable?  (after m's drain) */
INTERNAL bool mark_found_dead(const marker *m, const void *obj);
/* The barrier's shade: make v gray in the major mark if it is white. */
INTERNAL void mark_shade(gull_heap *h, void *v);

/* ---------------------------------------------------------------- generation.c */

INTERNAL void gen_remember(gull_heap *h, void *holder, void **slot); /* barrier slow path */
/* .cards: does an object in block b keep cards? */
static inline bool gen_carded(const block *b)
{
    return b->kind == BK_LARGE && b->cell_size >= CARD_OBJECT_MIN && b->trace;
}
INTERNAL bool gen_card_dirty(const block *b, const void *slot);
INTERNAL void gen_mark_remembered(marker *m);             /* minor: scan the remset */
INTERNAL void gen_sweep_young(gull_heap *h);               /* minor: age, promote, free */
INTERNAL void gen_reset(gull_heap *h);                    /* gen major: everyone old */
INTERNAL void gen_drop_dead_remembered(gull_heap *h);     /* inc major: holders that died */

/* ---------------------------------------------------------------- rc.c */

INTERNAL void rc_write(gull_heap *h, void *value, void *old); /* barrier: old holder's store */
INTERNAL void rc_promote_begin(gull_heap *h);  /* minor, before the young are swept */
INTERNAL void rc_promote_end(gull_heap *h);    /* minor, after: count-0 survivors to the ZCT */
INTERNAL void rc_zct_pass(gull_heap *h, bool cycles); /* free what the ZCT holds and roots do
                                                         not; then trial deletion if asked */
INTERNAL void rc_recount(gull_heap *h);        /* major, after marking: counts from scratch */
INTERNAL void rc_after_inc_mark(gull_heap *h); /* incremental major, after marking (.backup) */
INTERNAL void rc_roots_forget(gull_heap *h);   /* a minor without a pass: drop its root flags */
INTERNAL bool rc_dec_some(gull_heap *h, budget b, size_t *work); /* PHASE_RC_DEC; true: done */
/* .hooks  What lower layers (block.c, mark.c, finalize.c) call in rc.c
 * goes through h->rc, which heap.c points at rc_hooks in rc mode (NULL
 * otherwise): they do not import rc.c, which imports them. */
typedef struct rc_hooks {
    bool (*chunk_init)(gull_heap *h, chunk *c);  /* the chunk's count table */
    void (*chunk_free)(gull_heap *h, chunk *c);
    void (*root)(gull_heap *h, void *obj);       /* .roots: a root names obj */
    void (*finalized)(gull_heap *h, void *obj);  /* its finalizer ran: back to the ZCT */
    void (*zct_add)(gull_heap *h, void *obj);    /* count 0: into the ZCT, once */
    void (*releasing)(gull_heap *h);             /* a block is about to go (.stale) */
} rc_hooks;
INTERNAL extern const rc_hooks rc_hooks_rc;
INTERNAL uint8_t rc_count(const void *obj);    /* without the RC_BUFFERED flag */
INTERNAL bool rc_buffered(const void *obj);    /* a cycle candidate (rc.c .sources) */
#define RC_STICKY 127u                          /* .sticky: never changes again */
#define RC_BUFFERED 0x80u                       /* .cycles: in h->rc_cand (the count byte's top bit) */
INTERNAL void rc_free_all(gull_heap *h);

/* ---------------------------------------------------------------- pacing.c */

/* What pacing tells the allocator (alloc.c) to do; collect.c does it. */
typedef enum pace_action {
    PACE_NONE = 0,
    PACE_MINOR,      /* a minor collection */
    PACE_MAJOR,      /* a whole major collection in one pause */
    PACE_START,      /* start an incremental cycle (inc) */
    PACE_STEP,       /* an incremental step with the given budget */
} pace_action;
typedef struct pace_decision {
    pace_action act;
    const char *why;
    budget b;
} pace_decision;

INTERNAL void pacing_init(gull_heap *h);
/* Asked when an allocation needs a new block, or polls (.poll), with the
 * bytes it is about to take; the answer is carried out by collect.c. */
INTERNAL pace_decision pacing_decide(gull_heap *h, size_t bytes);
INTERNAL void pacing_after_minor(gull_heap *h, size_t promoted, uint64_t cpu_ns, uint64_t start_ns,
                                 uint64_t end_ns);
INTERNAL void pacing_after_major(gull_heap *h, size_t live, size_t marked, bool nursery_collected);
INTERNAL void pacing_cycle_started(gull_heap *h);
INTERNAL void pacing_step_done(gull_heap *h, size_t work, uint64_t start_ns, uint64_t end_ns);
/* Should gull_alloc poll pacing before its next object? (.poll) */
INTERNAL bool pacing_poll_needed(const gull_heap *h);
INTERNAL bool pacing_may_grow(gull_heap *h, size_t bytes);  /* heap and memory limits */
INTERNAL void pacing_external_changed(gull_heap *h);
/* Is the heap over its external or memory limit? (alloc.c) */
INTERNAL bool pacing_over_limit(const gull_heap *h);
/* gull_step: a step of budget_ns for the running cycle, or the start of
 * one that will soon be due (inc), or sweeping. */
INTERNAL pace_decision pacing_idle(gull_heap *h, uint64_t budget_ns);
/* rc: how much one pause may free and trial-delete (.rc-budget); whether
 * the cycle collector is due, and what it found (.cycles). */
INTERNAL budget pacing_rc_budget(const gull_heap *h);
INTERNAL bool pacing_cycles_due(const gull_heap *h);
INTERNAL budget pacing_rc_gray_budget(const gull_heap *h, budget pass, size_t done);
INTERNAL void pacing_after_cycles(gull_heap *h, size_t candidates, size_t freed);
/* GULL_STRESS: what the Nth allocation's collection is. */
INTERNAL pace_decision pacing_stress(gull_heap *h);

/* ---------------------------------------------------------------- collect.c */

INTERNAL void collect_minor(gull_heap *h, const char *why);
INTERNAL void collect_major(gull_heap *h, const char *why);   /* whole cycle, one pause */
INTERNAL void collect_start(gull_heap *h, const char *why);   /* begin a cycle (inc) */
INTERNAL void collect_step(gull_heap *h, budget b, const char *why); /* one bounded step */
INTERNAL void collect_act(gull_heap *h, pace_decision d);     /* carry out pacing's decision */

/* ---------------------------------------------------------------- roots.c */

INTERNAL void roots_mark(marker *m);          /* every kind of root */
INTERNAL void roots_free(gull_heap *h);
/* Visit every precise root slot (verify.c) */
INTERNAL void roots_each(gull_heap *h, gull_visit_fn fn, void *ctx);
/* .named: every root, finalizer queues and conservative words included,
 * with its identity; ambiguous is true for a conservative word (value may
 * be an interior pointer or no pointer at all). */
typedef void (*roots_named_fn)(const gull_root_info *r, void *value, bool ambiguous, void *ctx);
INTERNAL void roots_each_named(gull_heap *h, roots_named_fn fn, void *ctx);

/* ---------------------------------------------------------------- heapgraph.c */

/* The live heap as a dense graph (heapgraph.c draws the model). */
enum { HG_EDGES = 1, HG_PARENTS = 2 };
typedef struct heapgraph {
    gull_heap *h;
    unsigned what;                 /* HG_* */
    size_t n;                      /* nodes: 0 the synthetic root, 1.. objects in BFS order */
    void **obj;                    /* [n] the objects (obj[0] = NULL) */
    uint32_t *parent, *via;        /* HG_PARENTS: BFS tree; via = slot word, or root index */
    uint32_t *edge_start;          /* HG_EDGES: [n + 1] rows */
    uint32_t *edge_to, *edge_slot; /* HG_EDGES: [nedges]; slot = word index, or root index */
    size_t nedges, edges_cap;
    gull_root_info *roots;         /* node 0's edges' identities */
    size_t nroots, roots_cap;
    struct { block *b; uint32_t base; } *bmap; /* block -> number of its first cell */
    size_t bcap;
    uint32_t *cell_node;           /* [ncells] node of a cell, 0 = not reached */
    size_t ncells;
    const void *stop_at;           /* stop the search when this object is reached */
    bool stopped, oom;
    uint32_t cur;                  /* the node being traced */
    void *holder;
} heapgraph;
/* Argument checks shared by the public calls: heap, not from a finalizer
 * or inside a collection (reported). */
INTERNAL gull_error heapgraph_check_call(gull_heap *h, const char *fn);
/* heapgraph_check_call, then obj and out not NULL and obj a live object. */
INTERNAL gull_error heapgraph_check_object_call(gull_heap *h, const void *obj, const void *out,
                                                const char *fn);
/* Build the graph (what: HG_* parts to keep).  On failure (reported as
 * coming from fn) nothing is left to free. */
INTERNAL gull_error heapgraph_build(gull_heap *h, heapgraph *g, unsigned what, const void *stop_at,
                                    const char *fn);
INTERNAL void heapgraph_free(heapgraph *g);
INTERNAL uint32_t heapgraph_node_of(const heapgraph *g, const void *obj); /* 0 = not reached */
INTERNAL size_t heapgraph_self_size(gull_heap *h, const void *obj);     /* bytes + native */
/* The type's name for the field at offset, or "+offset" (in buf). */
INTERNAL const char *heapgraph_field_name(gull_heap *h, const void *obj, size_t offset, char *buf,
                                          size_t n);

/* ---------------------------------------------------------------- dominators.c */

/* The immediate dominator of every node of g (built with HG_EDGES) into
 * *idom ([g->n], idom[0] = 0; malloc'd, the caller frees).  false when
 * out of memory. */
INTERNAL bool dominators_compute(const heapgraph *g, uint32_t **idom);
/* Retained bytes (self + native) of every node, given idom ([g->n],
 * malloc'd into *out); false when out of memory. */
INTERNAL bool dominators_retained(const heapgraph *g, const uint32_t *idom, uint64_t **out);
/* Retained bytes per type id (by_type[h->ntypes], added to): dominators.c .by-type. */
INTERNAL bool dominators_by_type(const heapgraph *g, size_t *by_type);

/* ---------------------------------------------------------------- finalize.c, weak.c */

INTERNAL bool final_register(gull_heap *h, void *obj);
INTERNAL void final_mark_ready(marker *m);          /* ready queue is a root */
/* After m's mark: queue the unreachable registered objects and make them
 * gray again (resurrection); the caller drains m.  A minor queues them for
 * their finalizers at once; a major keeps them in final_found until
 * final_release_found (after its resurrection marking). */
INTERNAL void final_after_mark(marker *m);
INTERNAL void final_release_found(gull_heap *h);
INTERNAL void final_free(gull_heap *h);
INTERNAL void weak_after_mark(marker *m);
INTERNAL void weak_free_all(gull_heap *h);
/* rc: clear the handles whose target was freed (state 0) or is dying
 * (ST_RC_DYING) in the ZCT pass in progress. */
INTERNAL void weak_clear_rc(gull_heap *h);
/* rc: move the registered objects flagged ST_RC_DYING to the ready queue
 * (clearing the flag; into the ZCT instead when the queue cannot grow);
 * the flag stays on the unregistered ones. */
INTERNAL void final_take_rc(gull_heap *h, void **objs, size_t n);
INTERNAL const char *final_index_problem(gull_heap *h); /* verify.c: NULL when it is right */

/* ---------------------------------------------------------------- external.c */

INTERNAL void external_after_mark(marker *m);      /* minor: drop the natives of the dead young */
/* obj (state byte SPECIAL) is dead: its native bytes leave the count and
 * its entry the table (external.c .unreachable). */
INTERNAL void external_release_dead(gull_heap *h, void *obj);
INTERNAL void external_free(gull_heap *h);
INTERNAL void external_balance_check(gull_heap *h); /* at destroy, checking build */
INTERNAL size_t external_associated(const gull_heap *h);
/* The native bytes associated with obj (0 if none). */
INTERNAL size_t external_size_of(gull_heap *h, const void *obj);

/* ---------------------------------------------------------------- options.c */

/* Apply GULL_* environment variables over *cfg (unless cfg->ignore_env),
 * reporting malformed, out-of-range and unknown variables on stderr. */
INTERNAL void options_apply_env(gull_config *cfg);
INTERNAL void options_defaults(gull_config *cfg);
INTERNAL void options_print(FILE *f, const gull_config *cfg); /* effective config */
INTERNAL void options_print_line(FILE *f, const gull_config *cfg); /* NAME=value ... on one line */

/* ---------------------------------------------------------------- stats.c */

INTERNAL void stats_init(gull_heap *h);
INTERNAL void stats_pause_begin(gull_heap *h, gull_pause_kind kind);
INTERNAL void stats_pause_end(gull_heap *h, const char *why);
INTERNAL void stats_summary(gull_heap *h, FILE *f);
INTERNAL void stats_free(gull_heap *h);
INTERNAL uint64_t stats_quantile(const pause_hist *hist, double q);
/* Trace lines for the incremental cycle (GULL_TRACE). */
INTERNAL void stats_cycle_event(gull_heap *h, const char *what, const char *why);
INTERNAL void stats_rc_cycles(gull_heap *h, size_t examined, size_t scanned, size_t white,
                              size_t freed, const char *gave_up); /* trace line (rc.c .cycles) */

/* ---------------------------------------------------------------- verify.c */

INTERNAL void verify_heap(gull_heap *h, const char *when);
INTERNAL void verify_minor(gull_heap *h, const char *when); /* verify.c .generational */
/* inc: remember what the snapshot reaches (at the roots step), then check
 * at the finish step that all of it is marked and no black object points
 * to a white one. */
INTERNAL void verify_snapshot_take(gull_heap *h);
INTERNAL void verify_snapshot_check(gull_heap *h);
INTERNAL void verify_free(gull_heap *h);
INTERNAL void verify_rc(gull_heap *h, const char *when); /* rc: counts and the ZCT (verify.c .rc) */

static inline void poison_free_cell(gull_heap *h, void *cell, size_t size)
{
    if (UNLIKELY(h->poison)) {
        if (h->valgrind)
            os_object_free(cell); /* also makes it inaccessible */
        else
            os_poison(cell, size);
    }
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
    return (st & ST_YOUNG) && !h->promote_all &&
           ((unsigned)((st & ST_AGE) >> ST_AGE_SHIFT) + 1 < h->cfg.promote_age);
}

/* Live bytes as far as the collector knows: what the last collection kept,
 * plus everything allocated since. */
static inline size_t heap_live_bytes(const gull_heap *h)
{
    return h->old_bytes + h->young_bytes + h->nursery_used;
}

/* Between the flip (the roots step) and the reclaim step of a major
 * cycle, every allocated cell may be live: the sweep finished before the
 * flip, so a nonzero state is an object, marked yet or not. */
static inline bool heap_flipped(const gull_heap *h)
{
    return h->phase >= PHASE_MARK && h->phase <= PHASE_RECLAIM;
}

/* An incremental cycle is tracing: what the mutator or RC drops must be
 * shaded (barrier.c .snapshot, rc.c .backup). */
static inline bool inc_marking(const gull_heap *h)
{
    return h->cycle_inc && h->phase >= PHASE_MARK && h->phase <= PHASE_MARK_FINAL;
}

/* Object is live (.live) — for a byte read from the map. */
static inline bool st_live(const gull_heap *h, uint8_t st)
{
    return heap_flipped(h) ? (st & ST_COLOR) != 0 : (st & ST_COLOR) == h->color;
}

#endif /* GULL_INTERNAL_H */
