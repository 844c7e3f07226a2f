/* lisp_gc.h — the interpreter's whole view of its collector.
 *
 * One backend file implements it: gc_gull.c (precise roots, store barrier,
 * native-memory accounting) or gc_boehm.c (conservative, no barrier).  The
 * evaluator calls nothing else.  The only compile-time switch is the inline
 * store barrier below: the barrier runs on every store into an object, so
 * it must be inlined, and only the backend knows what it is.
 *
 * Contract with the interpreter:
 *   - lisp_kinds[k] (obj.c) describes kind k: name, whether it holds values,
 *     a trace function reporting each value field, an optional finalizer.
 *   - lisp_visit_roots() (obj.c) reports every root range: the root stack's
 *     live part, the symbol table, the constant table, global slots.
 *   - lgc_alloc returns zeroed memory, 16-byte aligned, or NULL when the
 *     heap is full even after a collection; the heap stays usable, and
 *     alloc_obj (obj.c) turns NULL into a Scheme error (lisp_out_of_memory).
 */
#ifndef LISP_GC_H
#define LISP_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef void (*lgc_visit_fn)(void **slot, void *ctx);
struct lisp_kind {
    const char *name;
    bool no_pointers;
    void (*trace)(void *obj, lgc_visit_fn visit, void *ctx);
    void (*finalize)(void *obj);
    /* optional: visit the value fields in [from, to) only (large vectors) */
    void (*trace_range)(void *obj, void **from, void **to, lgc_visit_fn visit, void *ctx);
};

struct lgc_stats {
    uint64_t collections, minor, major;
    uint64_t pause_total_ns, pause_max_ns;
    uint64_t heap_bytes, live_bytes;
    uint64_t native_bytes; /* memory objects own outside the heap (gull only; 0 on Boehm) */
};

const char *lgc_name(void);
void lgc_early_init(void);    /* from main(), before any thread */
void lgc_set_heap_max(size_t bytes); /* before lgc_init; 0 = no limit */
void lgc_init(void);          /* from the thread that runs the interpreter */
void lgc_shutdown(void);      /* flush logs, print stats */
void *lgc_alloc(int kind, size_t size);
void lgc_root_add(void *slot); /* one global value slot */
void lgc_collect(void);       /* full collection, then finalizers */
void lgc_set_native_size(void *obj, size_t bytes);
void lgc_get_stats(struct lgc_stats *out);
void lgc_memory_report(FILE *f);
/* "Why is this alive?" (gull only; issue 12).  Each returns LGC_OK, or
 * LGC_UNAVAILABLE on a backend without it (boehm), or LGC_FAILED after the
 * collector printed why.
 * lgc_census: one line per kind with live objects, largest first, into a
 *   malloc'd array the caller frees; with retained, also the bytes each
 *   kind retains (a dominator tree: costs more).
 * lgc_why_alive: a shortest path from a root to obj, as one line of text
 *   ("global variable cache -> pair.car -> vector"), into buf.
 * lgc_heap_snapshot: the heap in V8's .heapsnapshot format (DevTools). */
enum { LGC_OK = 0, LGC_UNAVAILABLE, LGC_FAILED, LGC_NOT_RC };
struct lgc_census_line { const char *name; size_t count, bytes, native, retained; };
int lgc_census(struct lgc_census_line **lines, size_t *n, bool retained);
int lgc_why_alive(void *obj, char *buf, size_t n);
/* What the rc cycle collector has freed, by kind (count, bytes; largest
 * first): LGC_NOT_RC outside GULL_MODE=rc. */
int lgc_cycle_census(struct lgc_census_line **lines, size_t *n);
int lgc_heap_snapshot(const char *path);
/* Run fn(arg) on a thread whose stack has stack_size bytes (the collector
 * must know about the thread); returns when fn returns. */
int lgc_run_thread(void *(*fn)(void *), void *arg, size_t stack_size);

#if LISP_GC_GULL
#include <gull.h>
extern gull_heap *lgc_heap;
#define LGC_WRITE(obj, slot, v) GULL_WRITE(lgc_heap, (obj), (slot), (v))
#else
#define LGC_WRITE(obj, slot, v) ((void)(obj), *(slot) = (v))
#endif

#endif
