/* gull.h — the one public header of gull, an embeddable garbage-collected heap.
 *
 * Two audiences read this file:
 *   Part A, "what gull provides": heaps, allocation, the store barrier, roots,
 *           collection, finalizers, weak references, statistics, pauses.
 *   Part B, "what the host must supply": type descriptions (trace functions),
 *           root registration, and the rule that every store of a managed
 *           pointer into a managed object goes through gull_write().
 *
 * Conventions used by every declaration below:
 *   [collects]   the call may run a collection (and, unless the heap is set to
 *                finalize on demand, finalizers afterwards).  Any managed object
 *                the host holds only in an unregistered C local may be freed.
 *   [no-gc]      the call never collects and never runs finalizers.
 *   Bad input    (a NULL heap, an unregistered type, an absurd size...) is
 *                reported once through the heap's error handler (stderr by
 *                default, see gull_set_error_handler) and the documented
 *                return value comes back.  gull never aborts the host on an
 *                ordinary error.
 *
 * Values.  A "value" in a slot, root or frame is either NULL, a pointer to the
 * start of an object allocated from the same heap, or any word whose low four
 * bits are not all zero (hosts use these for tagged immediates: fixnums,
 * characters, booleans).  Objects are 16-byte aligned, so such words are never
 * mistaken for objects.  Objects never move.
 */
#ifndef GULL_H
#define GULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(GULL_NO_VISIBILITY)
#define GULL_API __attribute__((visibility("default")))
#else
#define GULL_API
#endif

#define GULL_VERSION_STRING "0.1.0"
#define GULL_VERSION_MAJOR 0
#define GULL_VERSION_MINOR 1

/* ======================================================================
 * Part A — what gull provides
 * ====================================================================== */

typedef struct gull_heap gull_heap;

/* Collector modes (doc/DESIGN.md).  GULL_MODE_FULL is a plain non-generational
 * mark-sweep: every collection is a full one; it exists as a baseline. */
typedef enum gull_mode {
    GULL_MODE_GEN = 0, /* generational mark-sweep (default) */
    GULL_MODE_FULL,    /* full-heap mark-sweep only */
    GULL_MODE_INC,     /* generational, the old generation marked incrementally */
    GULL_MODE_RC       /* old objects reference-counted, a traced nursery; cycles are
                          reclaimed by the major collection for now (gc/rc.c) */
} gull_mode;

/* Every error gull reports has one of these codes. */
typedef enum gull_error {
    GULL_OK = 0,
    GULL_ERR_NULL_ARG,       /* a required pointer argument was NULL */
    GULL_ERR_BAD_TYPE,       /* type not registered with this heap, or bad descriptor */
    GULL_ERR_BAD_SIZE,       /* size 0 or larger than GULL_MAX_ALLOC */
    GULL_ERR_OUT_OF_MEMORY,  /* heap limit reached, or the OS refused memory */
    GULL_ERR_FOREIGN_POINTER,/* a pointer that is not an object of this heap */
    GULL_ERR_BAD_CONFIG,     /* a malformed or out-of-range setting */
    GULL_ERR_MISUSE,         /* call in the wrong state (re-entry, unbalanced frames) */
    GULL_ERR_VERIFY,         /* the heap verifier found a broken invariant */
    GULL_ERR_IO              /* a file could not be opened or written (gull_heap_snapshot) */
} gull_error;

/* Error handler: receives the code and one line of text (no trailing newline)
 * that names the problem and the fix.  It must not call back into gull with
 * the same heap, except for gull_last_error().  h may be NULL for errors
 * about a missing heap. */
typedef void (*gull_error_fn)(gull_heap *h, gull_error code, const char *message,
                              void *ctx);

/* Called when an allocation cannot be satisfied even after a full collection
 * (heap limit or OS refusal).  After it returns, the allocation returns NULL.
 * The handler may free host resources; it must not allocate from h. */
typedef void (*gull_oom_fn)(gull_heap *h, size_t request, void *ctx);

/* The largest single allocation gull accepts (bytes). */
#define GULL_MAX_ALLOC ((size_t)1 << 40)

/* Heap configuration.  Fill with gull_config_init() first, then change what
 * you need.  Environment variables (GULL_*) override these fields unless
 * ignore_env is set; see README.md for the table of variables. */
typedef struct gull_config {
    gull_mode mode;
    size_t nursery_size;      /* bytes allocated between minor collections */
    unsigned promote_age;     /* minor collections survived before promotion (1..3) */
    double old_growth;        /* major collection when old gen grew by this fraction */
    size_t heap_initial;      /* no major collection before the heap reaches this */
    size_t heap_max;          /* limit on heap bytes; 0 = unlimited */
    size_t external_limit;    /* limit on native bytes; 0 = unlimited */
    size_t memory_limit;      /* limit on heap + native bytes; 0 = unlimited */
    bool external_pacing;     /* native bytes count toward collection pacing */
    bool conservative_stack;  /* scan the creating thread's stack and registers */
    bool interior_pointers;   /* conservative words pointing inside an object keep it */
    void *stack_base;         /* hot end of the stack to scan; NULL = found by gull */
    bool finalize_on_demand;  /* finalizers only run in gull_run_finalizers() */
    unsigned verify;          /* 1 = verify around collections (whole heap at majors and
                                 every 8th minor), 2 = the whole heap every time */
    unsigned long stress;     /* collect every N allocations; 0 = off */
    bool stats;               /* print statistics when the heap is destroyed */
    bool show_config;         /* print the effective configuration when the heap is created */
    bool trace;               /* print one line per collection on stderr */
    double step_budget_ms;    /* inc: longest incremental step, milliseconds; 0 = no limit */
    double mark_ratio;        /* inc: marking speed, as a multiple of just-in-time (0 = only
                                 host steps and fallbacks) */
    double inc_trigger;       /* inc: a cycle starts this far (0..1) from the last live size
                                 to the next major's target */
    double step_share;        /* inc: the most of the time a run of marking steps takes
                                 (0.05..1; 1 = a step whenever one is owed: least memory) */
    size_t cycle_threshold;   /* rc: cycle candidates that start the cycle collector (the
                                 starting point: it adapts to what collections find) */
    const char *pause_log;    /* append one line per pause to this file; NULL = off */
    bool ignore_env;          /* do not read GULL_* environment variables */
    gull_error_fn on_error;   /* NULL = print to stderr */
    void *error_ctx;
    gull_oom_fn on_oom;       /* NULL = report through on_error */
    void *oom_ctx;
} gull_config;

/* Fill *c with the built-in defaults.  [no-gc] */
GULL_API void gull_config_init(gull_config *c);

/* Create a heap.  c may be NULL for defaults (environment still applies).
 * Returns NULL (after a message on stderr, or through c->on_error) if memory
 * for the heap itself cannot be obtained.  Malformed environment variables
 * are reported and their defaults used; they never make creation fail. */
GULL_API gull_heap *gull_heap_create(const gull_config *c);

/* Destroy a heap: pending finalizers are NOT run (call gull_run_finalizers()
 * or gull_collect() first if you need them); all memory goes back to the OS.
 * With GULL_STATS=1, prints the summary first.  NULL is accepted and ignored.
 * Called from a finalizer, a trace function or a pause hook of h, it is
 * reported (GULL_ERR_MISUSE) and does nothing.  Destroying a heap twice is
 * undefined, as free() twice is: the handle is gone after the first call. */
GULL_API void gull_heap_destroy(gull_heap *h);

/* The mode the heap actually runs (after environment overrides). [no-gc] */
GULL_API gull_mode gull_heap_mode(const gull_heap *h);
GULL_API const char *gull_mode_name(gull_mode m);

/* The effective configuration (defaults, then host config, then the
 * environment).  The pause_log string stays owned by the heap. [no-gc] */
GULL_API void gull_get_config(const gull_heap *h, gull_config *out);

/* Print the table of tunables (GULL_* variables: name, type, default, range,
 * meaning); markdown = true prints the table README.md carries.  [no-gc] */
GULL_API void gull_print_options(FILE *f, bool markdown);

/* Replace the error handler (NULL restores stderr).  [no-gc] */
GULL_API void gull_set_error_handler(gull_heap *h, gull_error_fn fn, void *ctx);
/* The code of the most recent error on h (GULL_OK if none), then cleared. */
GULL_API gull_error gull_last_error(gull_heap *h);

/* ---------------------------------------------------------------- types */

/* A registered type.  id 0 is never a valid type. */
typedef struct gull_type {
    uint32_t id;
} gull_type;

/* Called by the collector for each managed field of an object (Part B).
 * slot points at the field; the collector reads *slot and never writes it. */
typedef void (*gull_visit_fn)(void **slot, void *visit_ctx);

/* The host's trace function: call visit(&field, visit_ctx) once for every
 * field of obj that may hold a managed pointer.  Fields that hold a tagged
 * immediate or NULL may be visited too; they are ignored.  It must not
 * allocate, write fields, or call gull. */
typedef void (*gull_trace_fn)(void *obj, gull_visit_fn visit, void *visit_ctx);

/* Finalizer: called once, after obj became unreachable, outside the collector
 * (see gull_run_finalizers).  obj and everything it references are still
 * valid during the call.  It may allocate and use the heap.  If it stores
 * obj somewhere reachable, obj lives on but is not finalized again. */
typedef void (*gull_finalize_fn)(gull_heap *h, void *obj);

/* Optional, for types whose objects can be large (arrays, hash tables):
 * visit only the managed fields whose address lies in [from, to), fields
 * outside may be visited too (they are ignored).  gull traces an object of
 * more than a few KiB in pieces, and rescans only the dirty 512-byte cards
 * of a large old object in a minor collection; with trace_range each piece
 * costs its own fields, without it each piece runs `trace` over the whole
 * object and keeps only its own fields.  Same rules as gull_trace_fn. */
typedef void (*gull_trace_range_fn)(void *obj, void **from, void **to, gull_visit_fn visit,
                                    void *visit_ctx);

#define GULL_TYPE_NO_POINTERS 1u /* the object holds no managed pointers */
/* rc mode: no object of the type can be on a cycle (it points only to
 * objects of acyclic types: a string, a number box, a record of those), so
 * the cycle collector never buffers or traverses it.  Pointer-free types
 * are acyclic without the flag.  A wrong flag can only keep a garbage
 * cycle until a major collection; it never frees a live object. */
#define GULL_TYPE_ACYCLIC 2u

/* Optional, for diagnostics (gull_path_to_root, heap snapshots): the name
 * of the field of obj at byte offset `offset` (a slot its trace function
 * reports), such as "value" or "[17]".  Write it into buf (n bytes) and
 * return buf, or return a constant string (gull may remember it by its
 * address while it writes a snapshot), or NULL when the field has no name
 * (gull then shows "+offset").  A name that starts with
 * '[' is printed after the type without a dot (`vector[17]`), others with
 * one (`pair.car`).  Same rules as gull_trace_fn: no allocation, no gull
 * calls. */
typedef const char *(*gull_field_name_fn)(const void *obj, size_t offset, char *buf, size_t n);

/* Fields were appended at the end over time (trace_range, field_name), so
 * a host that initializes the struct positionally with fewer fields gets
 * NULL for the newer ones. */
typedef struct gull_type_desc {
    const char *name;          /* used in every diagnostic; copied */
    gull_trace_fn trace;       /* required unless flags has NO_POINTERS */
    unsigned flags;            /* GULL_TYPE_* */
    gull_finalize_fn finalize; /* optional */
    gull_trace_range_fn trace_range; /* optional, see above */
    gull_field_name_fn field_name;   /* optional, see above */
} gull_type_desc;

/* Register a type.  Returns {0} on bad input (NULL name, no trace function
 * without NO_POINTERS, too many types).  [no-gc] */
GULL_API gull_type gull_register_type(gull_heap *h, const gull_type_desc *d);

/* Type of an object, and its registered name.  [no-gc] */
GULL_API gull_type gull_type_of(gull_heap *h, const void *obj);
GULL_API const char *gull_type_name(gull_heap *h, gull_type t);

/* ---------------------------------------------------------------- allocation */

/* Allocate size bytes of type t: zeroed, 16-byte aligned, young.
 * Returns NULL on bad input (message) or when memory cannot be found even
 * after a full collection (the out-of-memory handler is called first).  The
 * heap stays usable after a NULL return.  [collects] */
GULL_API void *gull_alloc(gull_heap *h, gull_type t, size_t size);

/* Usable size of an object (>= the size requested).  [no-gc] */
GULL_API size_t gull_object_size(gull_heap *h, const void *obj);

/* Is p the start of a live object of this heap?  Constant time. [no-gc] */
GULL_API bool gull_is_object(gull_heap *h, const void *p);

/* ---------------------------------------------------------------- barrier */

/* Store value into *slot, where slot is a field of the managed object obj.
 * Every store of a value into a managed object goes through here (or
 * GULL_WRITE, its inline form), the first store into a fresh object
 * included.  obj and value must be from this heap: a precondition, not
 * checked in the release build (the inline fast path is a load and a test,
 * and a lookup would double it); in the checking build (--enable-checking)
 * an obj or value from another heap, or freed, is reported
 * (GULL_ERR_FOREIGN_POINTER) and the store still happens.  [no-gc] */
GULL_API void gull_write(gull_heap *h, void *obj, void **slot, void *value);

/* ---------------------------------------------------------------- roots */

/* A global root slot: *slot is read at every collection.  Returns false on
 * NULL arguments or when out of memory (message).  [no-gc] */
GULL_API bool gull_root_add(gull_heap *h, void **slot);
GULL_API void gull_root_remove(gull_heap *h, void **slot);

/* A root range [start, end): every word in it is a value (see top).  The
 * range is read at each collection, so the host may change its contents
 * freely.  Removing takes the same start.  [no-gc] */
GULL_API bool gull_root_range_add(gull_heap *h, void **start, void **end);
GULL_API void gull_root_range_remove(gull_heap *h, void **start);

/* A root callback: at each collection gull calls fn(h, visit, visit_ctx, ctx)
 * and fn calls visit(&slot, visit_ctx) for each root slot it owns (for
 * example, the live part of an interpreter's value stack).  [no-gc] */
typedef void (*gull_roots_fn)(gull_heap *h, gull_visit_fn visit, void *visit_ctx,
                              void *ctx);
GULL_API bool gull_root_callback_add(gull_heap *h, gull_roots_fn fn, void *ctx);
GULL_API void gull_root_callback_remove(gull_heap *h, gull_roots_fn fn, void *ctx);

/* Scoped root frames for C locals (precise).  Frames nest LIFO:
 *
 *     void *a = NULL, *b = NULL;
 *     GULL_FRAME(h, &a, &b);
 *     a = gull_alloc(h, pair, 16);   // a and b are roots until GULL_FRAME_END
 *     ...
 *     GULL_FRAME_END(h);
 *
 * Each argument is the address of a void* (cast other pointer types).
 * Popping a frame that is not the innermost is reported (GULL_ERR_MISUSE)
 * and the frame stack is unwound to below it.  [no-gc] */
typedef struct gull_frame {
    struct gull_frame *prev;
    size_t count;
    void ***slots;
} gull_frame;
GULL_API void gull_frame_push(gull_heap *h, gull_frame *f);
GULL_API void gull_frame_pop(gull_heap *h, gull_frame *f);
#define GULL_FRAME(h, ...)                                                        \
    void **gull_frame_slots_[] = {__VA_ARGS__};                                   \
    gull_frame gull_frame_ = {NULL, sizeof gull_frame_slots_ / sizeof(void **),   \
                              gull_frame_slots_};                                 \
    gull_frame_push((h), &gull_frame_)
#define GULL_FRAME_END(h) gull_frame_pop((h), &gull_frame_)

/* Conservative scanning (config.conservative_stack) reads the stack of one
 * thread: the one that created the heap, from the base found at creation.
 * A host that moves the heap to another thread calls this from that thread
 * with NULL (find the base) or the hot end of the region to scan. [no-gc] */
GULL_API void gull_set_stack_base(gull_heap *h, void *base);

/* ---------------------------------------------------------------- collection */

typedef enum gull_collect_kind {
    GULL_COLLECT_MINOR = 0, /* young generation only (full mode: a major one) */
    GULL_COLLECT_MAJOR = 1  /* whole heap */
} gull_collect_kind;

/* Collect now, then run pending finalizers (unless finalize_on_demand).
 * Calling it from a finalizer or a trace function is reported and ignored.
 * [collects] */
GULL_API void gull_collect(gull_heap *h, gull_collect_kind kind);

/* Run the finalizers of objects found unreachable so far, in the calling
 * thread; returns how many ran.  Finalizers run here, at the end of
 * gull_collect(), and at the end of an allocation that triggered a
 * collection — never inside the collector.  [collects] (a finalizer may
 * allocate) */
GULL_API size_t gull_run_finalizers(gull_heap *h);

/* Give the collector idle time (inc mode): advance the incremental
 * cycle for about budget_ns nanoseconds (one step, a pause of that kind),
 * starting one if the old generation has grown enough to make it due
 * soon.  In the other modes, and when no cycle is due, it sweeps blocks
 * left unswept instead (work that allocation would do later).  Returns
 * true while a cycle is still in progress.  Runs pending finalizers after
 * the step unless finalize_on_demand.  [collects] */
GULL_API bool gull_step(gull_heap *h, uint64_t budget_ns);

/* ---------------------------------------------------------------- weak refs */

/* A weak reference: a host-owned handle that does not keep its target alive
 * and reads NULL once the target has been reclaimed (cleared before the
 * target's finalizer, if any, runs).  Free handles with gull_weak_free; all
 * are freed with the heap.  gull_weak_new returns NULL on bad input. [no-gc] */
typedef struct gull_weak gull_weak;
GULL_API gull_weak *gull_weak_new(gull_heap *h, void *obj);
GULL_API void *gull_weak_get(gull_heap *h, const gull_weak *w);
GULL_API void gull_weak_free(gull_heap *h, gull_weak *w);

/* ---------------------------------------------------------------- native memory */

/* Memory the host holds outside the heap (DESIGN.md section 5).
 * gull_external_adjust: signed change to the host's native byte count.
 * gull_set_native_size: obj owns n native bytes (replaces the previous
 * figure); the count drops by itself when a collection finds obj
 * unreachable, before its finalizer (if any) runs — the finalizer usually
 * frees that memory.  A finalizer that makes obj reachable again must set
 * its size again.  [no-gc] */
GULL_API void gull_external_adjust(gull_heap *h, ptrdiff_t delta);
GULL_API void gull_set_native_size(gull_heap *h, void *obj, size_t n);

/* The three layers of memory that usually disagree (DESIGN.md section 7). */
typedef struct gull_memory_report {
    size_t os_rss;             /* resident set of the whole process (OS view) */
    size_t heap_live;          /* bytes in live objects, as of the last collection
                                  plus allocations since (heap view) */
    size_t heap_committed;     /* bytes of pages holding blocks */
    size_t heap_free_in_blocks;/* committed bytes not holding objects */
    double fragmentation;      /* heap_free_in_blocks / heap_committed, 0..1 */
    size_t heap_metadata;      /* gull's own bookkeeping */
    size_t native_bytes;       /* host-reported native memory (host view) */
    size_t native_associated;  /* ... of which associated with objects */
} gull_memory_report;
GULL_API void gull_memory_report_get(gull_heap *h, gull_memory_report *out);
/* Print the report as a few labelled lines.  [no-gc] */
GULL_API void gull_memory_report_print(gull_heap *h, FILE *f);

/* ---------------------------------------------------------------- statistics */

/* What counts as a pause (DESIGN.md section 8): a collection, an
 * incremental step, and also the lazy sweeping of one block done inside an
 * allocation (a few microseconds; no collection is counted for it).
 * major_collections counts whole cycles, incremental or not. */
typedef enum gull_pause_kind {
    GULL_PAUSE_MINOR = 0,   /* a minor collection */
    GULL_PAUSE_MAJOR,       /* a whole major collection in one pause */
    GULL_PAUSE_SWEEP,       /* lazy sweeping of one block inside an allocation */
    GULL_PAUSE_MARK_START,  /* inc: the cycle's first pause (a minor, the flip, the roots) */
    GULL_PAUSE_MARK_STEP,   /* inc: a bounded step of sweeping or marking */
    GULL_PAUSE_MARK_FINISH, /* inc: weak refs, finalizers, queueing blocks for sweeping */
    GULL_PAUSE_RC_CYCLES,   /* rc: a minor collection and zero-count pass that also runs
                               the cycle collector (within the pause's budget) */
    GULL_PAUSE_KINDS
} gull_pause_kind;

typedef struct gull_stats {
    uint64_t minor_collections, major_collections;
    uint64_t bytes_allocated, objects_allocated;  /* since creation */
    uint64_t bytes_freed, bytes_promoted;         /* since creation */
    uint64_t objects_marked;                      /* by all collections */
    uint64_t last_objects_marked;                 /* by the last collection */
    uint64_t finalizers_run, weak_cleared;
    uint64_t mark_steps;        /* inc: incremental steps taken */
    uint64_t mark_assists;      /* inc: ... of which were taken because marking had fallen
                                   behind (gc/pacing.c .assist) */
    size_t heap_live;       /* bytes in objects marked by the last collection + allocated since */
    size_t heap_committed;  /* bytes of blocks in use (excl. metadata) */
    size_t heap_metadata;   /* bytes of gull's own bookkeeping */
    size_t external_bytes;  /* native bytes the host reported */
    uint64_t pause_total_ns, pause_count;
    uint64_t pause_max_ns;
    uint64_t pause_p50_ns, pause_p90_ns, pause_p99_ns, pause_p999_ns; /* all kinds */
    /* rc mode (gc/rc.c): objects and bytes freed by reference counting (not
     * by a collection's sweep), and zero-count-table passes (one per minor). */
    uint64_t rc_freed_objects, rc_freed_bytes;
    uint64_t rc_zct_passes;
    /* rc mode, the cycle collector (trial deletion): collections, candidates
     * examined, objects traversed, objects and bytes freed as garbage cycles
     * (also counted in rc_freed_*), candidates given up because their
     * subgraph did not fit a pause (left to the next major collection), and
     * pauses that left freeing to the next one (a backlog). */
    uint64_t rc_cycle_collections, rc_cycle_candidates, rc_cycle_scanned;
    uint64_t rc_cycle_freed_objects, rc_cycle_freed_bytes;
    uint64_t rc_cycle_abandoned, rc_backlog_pauses;
    size_t rc_cycle_threshold;  /* the candidates that start the next cycle collection, as
                                   adapted (pacing.c .cycles) */
} gull_stats;

/* Fill *out.  [no-gc] */
GULL_API void gull_get_stats(gull_heap *h, gull_stats *out);

/* Pause-time quantile q (0..1) from the heap's log-scale histogram, for one
 * kind or, with GULL_PAUSE_KINDS, all kinds.  Accurate to ~9%.  [no-gc] */
GULL_API uint64_t gull_pause_quantile(gull_heap *h, gull_pause_kind kind, double q);

/* Called at the start (begin = true) and end of every pause, with the
 * CLOCK_MONOTONIC time in ns.  It must not call gull. [no-gc] */
typedef void (*gull_pause_fn)(gull_heap *h, gull_pause_kind kind, bool begin,
                              uint64_t now_ns, void *ctx);
GULL_API void gull_set_pause_hook(gull_heap *h, gull_pause_fn fn, void *ctx);

/* ---------------------------------------------------------------- what is alive, and why */

/* "Why is this alive?" (doc/DESIGN.md section 7a).  Each call below walks
 * the heap from the roots on the side, as a full mark would, with its own
 * visited set: it never collects, never runs finalizers, never changes a
 * mark bit or the collector's phase, and works in any phase of an
 * incremental cycle.  "Alive" means reachable from the roots now (root
 * slots, ranges, callbacks, frames, the conservative stack when it is on,
 * and objects waiting for their finalizer), which is what the next full
 * collection would keep.  Cost: one traversal of the live heap (about one
 * major collection's mark) plus a few words per object of side memory,
 * freed before the call returns; gull_path_to_root also; retained sizes
 * add a dominator computation; the snapshot adds writing the file.
 * Errors: a NULL argument, an object that is not a live object of this
 * heap, a call from a finalizer, trace function or pause hook
 * (GULL_ERR_MISUSE), no memory for the side tables: the call returns the
 * code, reports it (gull_last_error), and the heap is unchanged.
 * All are [no-gc]. */

/* One type's line of a census. */
typedef struct gull_census_entry {
    gull_type type;
    const char *name;      /* the registered name (owned by the heap) */
    size_t count;          /* live objects of the type */
    size_t bytes;          /* their gull_object_size() sum */
    size_t native_bytes;   /* their gull_set_native_size() sum */
    size_t retained;       /* with GULL_CENSUS_RETAINED: bytes (heap + native) that
                              would be freed if every object of the type died */
    uint64_t cycle_freed, cycle_freed_bytes; /* rc mode: objects (and bytes) of the type the
                              cycle collector has freed as garbage cycles since the heap
                              was created (0 in other modes) */
} gull_census_entry;

typedef struct gull_census {
    size_t ntypes;               /* entries[0..ntypes): one per registered type, by id
                                    (entries[0] is empty: id 0 is never a type) */
    gull_census_entry *entries;  /* owned by the census: gull_census_free */
    size_t count, bytes, native_bytes; /* totals */
    uint64_t taken_ns;           /* CLOCK_MONOTONIC when it was taken */
} gull_census;

#define GULL_CENSUS_RETAINED 1u  /* also compute retained sizes (a dominator tree) */

/* Count the live objects by type into *out (zeroed first).  Free with
 * gull_census_free.  Cost: one traversal (above); with
 * GULL_CENSUS_RETAINED also the dominator tree (Cooper, Harvey, Kennedy).
 * Returns GULL_OK or an error code (out is then empty).  [no-gc] */
GULL_API gull_error gull_census_take(gull_heap *h, unsigned flags, gull_census *out);
GULL_API void gull_census_free(gull_census *c);   /* NULL accepted */

/* One line of a census diff: how a type changed from `before` to `after`. */
typedef struct gull_census_delta {
    gull_type type;
    const char *name;
    ptrdiff_t count, bytes, native_bytes;  /* after - before */
} gull_census_delta;

/* The leak finder: the types that grew from before to after (count, bytes
 * or native bytes went up), largest growth first (bytes + native bytes,
 * then count).  Writes at most max lines into out (out may be NULL with
 * max 0) and returns how many types grew.  Both censuses must come from
 * the same heap (types are matched by id).  Pure computation.  [no-gc] */
GULL_API size_t gull_census_diff(const gull_census *before, const gull_census *after,
                                 gull_census_delta *out, size_t max);

/* Print a census (or, with before != NULL, the diff before -> after) as a
 * table, largest first.  [no-gc] */
GULL_API void gull_census_print(const gull_census *before, const gull_census *after, FILE *f);

/* Where a path starts: the root that holds its first object. */
typedef enum gull_root_kind {
    GULL_ROOT_SLOT = 0,   /* gull_root_add: index = registration order (0 = first still registered) */
    GULL_ROOT_RANGE,      /* gull_root_range_add: index = the range's, offset = word index in it */
    GULL_ROOT_FRAME,      /* GULL_FRAME: index = depth (0 = innermost), offset = argument index */
    GULL_ROOT_CALLBACK,   /* gull_root_callback_add: index = the callback's, offset = the
                             slot's position among those it visited */
    GULL_ROOT_STACK,      /* conservative scan: offset = bytes from the stack base */
    GULL_ROOT_REGISTERS,  /* conservative scan: a callee-saved register */
    GULL_ROOT_FINALIZER   /* waiting for its finalizer: index = position in the queue */
} gull_root_kind;

typedef struct gull_root_info {
    gull_root_kind kind;
    size_t index, offset;  /* see gull_root_kind */
    void **slot;           /* the root word's address (NULL for FINALIZER) */
} gull_root_info;

/* One object on a path, and the field of it that the path follows. */
typedef struct gull_path_step {
    void *obj;
    gull_type type;
    size_t offset;   /* byte offset of the slot leading to the next step (0 on the last) */
} gull_path_step;

typedef struct gull_path {
    gull_root_info root;     /* holds steps[0].obj */
    size_t len;              /* steps[len - 1].obj is the object asked about */
    gull_path_step *steps;   /* owned: gull_path_free */
} gull_path;

/* A shortest path (fewest edges; breadth-first from all roots at once)
 * from a root to obj, into *out.  Free with gull_path_free.  Cost: a
 * traversal of the live heap up to obj's distance.  Returns GULL_OK with
 * out->len > 0; GULL_OK with out->len == 0 when obj is allocated but no
 * root reaches it (garbage the next full collection frees);
 * GULL_ERR_FOREIGN_POINTER when obj is not a live object of this heap.
 * [no-gc] */
GULL_API gull_error gull_path_to_root(gull_heap *h, const void *obj, gull_path *out);
GULL_API void gull_path_free(gull_path *p);   /* NULL accepted */

/* Describe a root ("global slot #2", "range #0 [17]", "frame 1 arg 0",
 * "callback #0 slot 3", "stack word at offset 184", ...) into buf; returns
 * the length snprintf would have.  [no-gc] */
GULL_API int gull_root_describe(const gull_root_info *r, char *buf, size_t n);

/* Format a path as "ROOT -> type.field -> type[17] -> type" (field names
 * from the types' field_name, else "+offset"); returns the length snprintf
 * would have.  [no-gc] */
GULL_API int gull_path_format(gull_heap *h, const gull_path *p, char *buf, size_t n);

/* The retained size of obj: its bytes and native bytes plus those of
 * every object it dominates (every path from a root to them passes
 * through obj), i.e. what its death would free.  Cost: a traversal and
 * the dominator tree of the whole live heap (Cooper, Harvey, Kennedy).
 * [no-gc] */
GULL_API gull_error gull_retained_size(gull_heap *h, const void *obj, size_t *out);

/* Write the live heap to `path` in V8's .heapsnapshot JSON format, which
 * Chrome DevTools' Memory panel (Load profile) and other viewers open:
 * node 0 is a synthetic root, whose children are one synthetic node per
 * root kind, whose edges are the roots; every live object is a node named
 * after its type, self_size = bytes + native bytes, id derived from its
 * address (stable across snapshots while the object lives); each pointer
 * field is an edge ("property" named by field_name, else "element" with
 * the word index).  Cost: a traversal plus writing ~40 bytes per object
 * and ~15 per edge.  [no-gc] */
GULL_API gull_error gull_heap_snapshot(gull_heap *h, const char *path);
GULL_API gull_error gull_heap_snapshot_write(gull_heap *h, FILE *f); /* the same, to an open file */

/* ---------------------------------------------------------------- test hooks */

/* For tests and tools that drive the collector into an exact state and
 * look at it, as Lua's test library does with T.gcstate and T.gccolor.
 * Hosts do not need them.  The phases are those of the major cycle
 * (gc/collect.c draws the machine). */
typedef enum gull_phase {
    GULL_PHASE_IDLE = 0,   /* no major cycle in progress */
    GULL_PHASE_SWEEP,      /* finishing the previous cycle's lazy sweep */
    GULL_PHASE_ROOTS,      /* the next step marks the roots */
    GULL_PHASE_MARK,       /* marking (inc: the barrier shades overwritten values) */
    GULL_PHASE_FINISH,     /* marked: the next step clears weak refs, finds finalizable */
    GULL_PHASE_MARK_FINAL, /* marking from objects kept for their finalizers */
    GULL_PHASE_RECLAIM,    /* the next step hands over the cycle's results */
    GULL_PHASE_RC_DEC,     /* rc: the dead give back their children's counts (bounded steps) */
    GULL_PHASE_QUEUE       /* queueing blocks for lazy sweeping (bounded steps) */
} gull_phase;
typedef enum gull_color {
    GULL_COLOR_NONE = 0,   /* not a live object of this heap */
    GULL_COLOR_WHITE,      /* not (yet) marked by the cycle in progress */
    GULL_COLOR_GRAY,       /* marked, fields not traced yet */
    GULL_COLOR_BLACK       /* marked and traced, allocated during the cycle, or
                              any live object when no cycle is marking */
} gull_color;
GULL_API gull_phase gull_debug_phase(gull_heap *h);               /* [no-gc] */
GULL_API const char *gull_phase_name(gull_phase p);               /* [no-gc] */
GULL_API gull_color gull_debug_color(gull_heap *h, const void *obj); /* [no-gc]; gray: O(gray set) */
/* inc mode: start a cycle now without doing any of its work (phase SWEEP);
 * false (reported) in other modes or when a cycle is running.  [no-gc] */
GULL_API bool gull_debug_start_cycle(gull_heap *h);
/* inc mode: one step of at most `work` bytes of sweeping or tracing (an
 * atomic phase counts as one step whatever its size); returns true while
 * the cycle is in progress.  No finalizers run.  [collects] */
GULL_API bool gull_debug_step(gull_heap *h, size_t work);

/* ======================================================================
 * Part B — what the host must supply, and the inline barrier
 * ====================================================================== */

/* The host supplies: a gull_type_desc per object type (above), its roots
 * (slots, ranges, callbacks, frames or conservative scanning), and a store
 * through gull_write / GULL_WRITE for every managed field.
 *
 * GULL_WRITE is gull_write's inline fast path.  What it may skip depends on
 * the mode, which the heap publishes in its first word:
 *   GULL_BARRIER_NONE  (full mode)      a plain store, always;
 *   GULL_BARRIER_GEN   (gen mode; inc     a plain store when value is NULL or an
 *                      while not marking) immediate, or when obj is young: a test of
 *                      value, one load of obj's metadata byte, a test and the store;
 *   GULL_BARRIER_MARKING (inc while      a plain store when obj is young (it was
 *                      marking)           allocated during the marking, gc/barrier.c);
 *                                         else gull_write, which reads the old value;
 *   GULL_BARRIER_RC    (rc mode)          a plain store when obj is young (it is
 *                                         counted when promoted); else gull_write,
 *                                         which counts the new and the old value;
 *   GULL_BARRIER_ALL   (modes that must see every store) a call to gull_write.
 * An unknown kind (a host compiled against an older gull.h) calls gull_write:
 * always correct.
 * The slow path is gull_write.  The metadata byte of an object lives in the
 * granule map at the start of its 4 MiB-aligned chunk (see gc/internal.h);
 * the constants below pin that layout for the inline test. */
enum {
    GULL_BARRIER_NONE = 0,
    GULL_BARRIER_GEN = 1,
    GULL_BARRIER_MARKING = 2,
    GULL_BARRIER_ALL = 3,
    GULL_BARRIER_RC = 4
};
typedef struct gull_heap_public {
    uint32_t barrier; /* GULL_BARRIER_*; read by GULL_WRITE, written by gull */
} gull_heap_public;
#define GULL_CHUNK_SHIFT_ 22  /* chunks are 4 MiB, 4 MiB-aligned */
#define GULL_GRANULE_SHIFT_ 4 /* one metadata byte per 16-byte granule */
#define GULL_YOUNG_BIT_ 0x04u /* metadata bit: object is young */

static inline int gull_is_young_(const void *obj)
{
    uintptr_t a = (uintptr_t)obj;
    uintptr_t mask = ((uintptr_t)1 << GULL_CHUNK_SHIFT_) - 1;
    const unsigned char *map = (const unsigned char *)(a & ~mask);
    return (map[(a & mask) >> GULL_GRANULE_SHIFT_] & GULL_YOUNG_BIT_) != 0;
}

static inline void gull_write_inline(gull_heap *h, void *obj, void **slot, void *value)
{
    uint32_t b = ((const gull_heap_public *)(const void *)h)->barrier;
    if (b == GULL_BARRIER_GEN) {
        if ((((uintptr_t)value & 15u) != 0) || value == NULL || gull_is_young_(obj)) {
            *slot = value;
            return;
        }
    } else if (b == GULL_BARRIER_NONE ||
               ((b == GULL_BARRIER_MARKING || b == GULL_BARRIER_RC) && gull_is_young_(obj))) {
        *slot = value;
        return;
    }
    gull_write(h, obj, slot, value);
}

#define GULL_WRITE(h, obj, slot, value)                                           \
    gull_write_inline((h), (void *)(obj), (void **)(slot), (void *)(value))

#ifdef __cplusplus
}
#endif
#endif /* GULL_H */
