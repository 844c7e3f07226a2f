/* roots.c — the roots: global slots, ranges, callbacks, scoped frames, and
 * (when the host asks for it) the thread's stack and registers.
 *
 * Precise roots (slots, ranges, frames, callbacks) hold values (gull.h): a
 * word that is not the exact start of a live object of this heap is
 * ignored, so tagged immediates and NULL need no care.  The conservative
 * scan treats every aligned word between the stack pointer and the stack
 * base as possibly a pointer, interior or not per GULL_INTERIOR_POINTERS.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <setjmp.h>
#include <stdlib.h>

/* The array arr, with room for one more element: arr itself, or a larger
 * copy; NULL (reported, naming `what`) when memory cannot be had. */
static void *room_for_one(gull_heap *h, void *arr, size_t len, size_t *cap, size_t elem,
                          const char *what)
{
    if (len < *cap)
        return arr;
    size_t n = *cap ? 2 * *cap : 8;
    void *a = realloc(arr, n * elem);
    if (!a) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "%s: no memory to register it", what);
        return NULL;
    }
    *cap = n;
    return a;
}

bool gull_root_add(gull_heap *h, void **slot)
{
    if (!h || !slot) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_add: %s is NULL", h ? "slot" : "heap");
        return false;
    }
    if (!vec_push(&h->root_slots, slot)) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_root_add: no memory to register a root slot");
        return false;
    }
    return true;
}

void gull_root_remove(gull_heap *h, void **slot)
{
    if (!h || !slot) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_remove: %s is NULL", h ? "slot" : "heap");
        return;
    }
    for (size_t i = h->root_slots.len; i-- > 0;) {
        if (h->root_slots.at[i] == (void *)slot) {
            h->root_slots.at[i] = h->root_slots.at[--h->root_slots.len];
            return;
        }
    }
    heap_error(h, GULL_ERR_MISUSE, "gull_root_remove: slot %p was not registered", (void *)slot);
}

bool gull_root_range_add(gull_heap *h, void **start, void **end)
{
    if (!h || !start || !end) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_range_add: %s is NULL", h ? "start or end" : "heap");
        return false;
    }
    if (end < start) {
        heap_error(h, GULL_ERR_MISUSE, "gull_root_range_add: end %p is below start %p", (void *)end,
                   (void *)start);
        return false;
    }
    root_range *r = room_for_one(h, h->ranges, h->nranges, &h->ranges_cap, sizeof *r,
                                 "gull_root_range_add");
    if (!r)
        return false;
    h->ranges = r;
    h->ranges[h->nranges++] = (root_range){start, end};
    return true;
}

void gull_root_range_remove(gull_heap *h, void **start)
{
    if (!h || !start) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_range_remove: %s is NULL", h ? "start" : "heap");
        return;
    }
    for (size_t i = 0; i < h->nranges; i++) {
        if (h->ranges[i].start == start) {
            h->ranges[i] = h->ranges[--h->nranges];
            return;
        }
    }
    heap_error(h, GULL_ERR_MISUSE, "gull_root_range_remove: no range starts at %p", (void *)start);
}

bool gull_root_callback_add(gull_heap *h, gull_roots_fn fn, void *ctx)
{
    if (!h || !fn) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_callback_add: %s is NULL", h ? "fn" : "heap");
        return false;
    }
    root_cb *r = room_for_one(h, h->callbacks, h->ncallbacks, &h->callbacks_cap, sizeof *r,
                              "gull_root_callback_add");
    if (!r)
        return false;
    h->callbacks = r;
    h->callbacks[h->ncallbacks++] = (root_cb){fn, ctx};
    return true;
}

void gull_root_callback_remove(gull_heap *h, gull_roots_fn fn, void *ctx)
{
    if (!h || !fn) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_root_callback_remove: %s is NULL", h ? "fn" : "heap");
        return;
    }
    for (size_t i = 0; i < h->ncallbacks; i++) {
        if (h->callbacks[i].fn == fn && h->callbacks[i].ctx == ctx) {
            memmove(&h->callbacks[i], &h->callbacks[i + 1],
                    (h->ncallbacks - i - 1) * sizeof *h->callbacks);
            h->ncallbacks--;
            return;
        }
    }
    heap_error(h, GULL_ERR_MISUSE, "gull_root_callback_remove: that callback was not registered");
}

void gull_frame_push(gull_heap *h, gull_frame *f)
{
    if (!h || !f) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_frame_push: %s is NULL", h ? "frame" : "heap");
        return;
    }
    f->prev = h->frames;
    h->frames = f;
}

void gull_frame_pop(gull_heap *h, gull_frame *f)
{
    if (!h || !f) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_frame_pop: %s is NULL", h ? "frame" : "heap");
        return;
    }
    if (h->frames == f) {
        h->frames = f->prev;
        return;
    }
    gull_frame *g = h->frames;
    while (g && g != f)
        g = g->prev;
    if (!g) {
        heap_error(h, GULL_ERR_MISUSE, "gull_frame_pop: frame %p is not on the frame stack (popped twice?)",
                   (void *)f);
        return;
    }
    heap_error(h, GULL_ERR_MISUSE,
               "gull_frame_pop: frame %p is not the innermost; a GULL_FRAME_END is missing in a callee; "
               "unwinding to below it",
               (void *)f);
    h->frames = f->prev;
}

void gull_set_stack_base(gull_heap *h, void *base)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_set_stack_base: heap is NULL");
        return;
    }
    h->stack_base = base ? base : os_stack_base();
}

/* What a conservative scan does with each word: mark it, or name it
 * (.named).  The word's value is read inside scan_words (not sanitized),
 * so the callback never touches the stack itself. */
typedef void (*stack_word_fn)(void *ctx, void *const *addr, void *value, bool reg);

/* Read the stack word by word; words may be uninitialized or in ASan's
 * redzones, which is the point of a conservative scan. */
__attribute__((no_sanitize_address, noinline)) static void scan_words(stack_word_fn fn, void *ctx,
                                                                       void *lo, void *hi, bool reg)
{
    uintptr_t a = ((uintptr_t)lo + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
    for (; a + sizeof(void *) <= (uintptr_t)hi; a += sizeof(void *))
        fn(ctx, (void *const *)a, *(void *const *)a, reg);
}

/* Spill callee-saved registers into a jmp_buf on this frame, then scan from
 * here to the base: the registers are then part of the scanned range. */
__attribute__((noinline)) static void scan_stack(gull_heap *h, stack_word_fn fn, void *ctx)
{
    jmp_buf regs;
    setjmp(regs);
    void *volatile here = &regs;
    void *lo = here, *hi = h->stack_base;
    if (lo > hi) {
        void *t = lo;
        lo = hi;
        hi = t;
    }
    scan_words(fn, ctx, lo, hi, false);
    scan_words(fn, ctx, &regs, (uint8_t *)&regs + sizeof regs, true);
}

static void mark_word(void *ctx, void *const *addr, void *value, bool reg)
{
    (void)addr;
    (void)reg;
    mark_ambiguous(ctx, value);
}

static void visit_all(gull_heap *h, gull_visit_fn fn, void *ctx)
{
    for (size_t i = 0; i < h->root_slots.len; i++)
        fn((void **)h->root_slots.at[i], ctx);
    for (size_t i = 0; i < h->nranges; i++)
        for (void **p = h->ranges[i].start; p < h->ranges[i].end; p++)
            fn(p, ctx);
    for (gull_frame *f = h->frames; f; f = f->prev)
        for (size_t i = 0; i < f->count; i++)
            fn(f->slots[i], ctx);
    for (size_t i = 0; i < h->ncallbacks; i++)
        h->callbacks[i].fn(h, fn, ctx, h->callbacks[i].ctx);
}

void roots_mark(marker *m)
{
    gull_heap *h = m->h;
    visit_all(h, mark_root_visit, m);
    if (h->cfg.conservative_stack)
        scan_stack(h, mark_word, m);
}

void roots_each(gull_heap *h, gull_visit_fn fn, void *ctx)
{
    visit_all(h, fn, ctx);
}

/* .named  The same roots, each with its identity (gull_root_info), for the
 * diagnostics of heapgraph.c: which kind, which registration, which word.
 * Callbacks are told apart by wrapping the visitor: the wrapper knows
 * which callback runs and counts the slots it reports.  Objects waiting
 * for their finalizer are roots too (the collector marks them:
 * finalize.c final_mark_ready, and a cycle's final_found). */
typedef struct named_ctx {
    roots_named_fn fn;
    void *ctx;
    gull_root_info info;
    gull_heap *h;
} named_ctx;

static void named_callback_visit(void **slot, void *ctx)
{
    named_ctx *n = ctx;
    n->info.slot = slot;
    n->fn(&n->info, *slot, false, n->ctx);
    n->info.offset++;
}

static void named_word(void *ctx, void *const *addr, void *value, bool reg)
{
    named_ctx *n = ctx;
    uintptr_t base = (uintptr_t)n->h->stack_base, a = (uintptr_t)addr;
    n->info.kind = reg ? GULL_ROOT_REGISTERS : GULL_ROOT_STACK;
    n->info.offset = reg ? 0 : (size_t)(base > a ? base - a : a - base);
    n->info.slot = (void **)(uintptr_t)addr;
    n->fn(&n->info, value, true, n->ctx);
}

static void named_queue(named_ctx *n, const vec *v, size_t *index)
{
    for (size_t i = 0; i < v->len; i++) {
        n->info = (gull_root_info){GULL_ROOT_FINALIZER, (*index)++, 0, NULL};
        n->fn(&n->info, v->at[i], false, n->ctx);
    }
}

void roots_each_named(gull_heap *h, roots_named_fn fn, void *ctx)
{
    named_ctx n = {.fn = fn, .ctx = ctx, .h = h};
    for (size_t i = 0; i < h->root_slots.len; i++) {
        void **slot = (void **)h->root_slots.at[i];
        n.info = (gull_root_info){GULL_ROOT_SLOT, i, 0, slot};
        fn(&n.info, *slot, false, ctx);
    }
    for (size_t i = 0; i < h->nranges; i++)
        for (void **p = h->ranges[i].start; p < h->ranges[i].end; p++) {
            n.info = (gull_root_info){GULL_ROOT_RANGE, i, (size_t)(p - h->ranges[i].start), p};
            fn(&n.info, *p, false, ctx);
        }
    size_t depth = 0;
    for (gull_frame *f = h->frames; f; f = f->prev, depth++)
        for (size_t i = 0; i < f->count; i++) {
            n.info = (gull_root_info){GULL_ROOT_FRAME, depth, i, f->slots[i]};
            fn(&n.info, *f->slots[i], false, ctx);
        }
    for (size_t i = 0; i < h->ncallbacks; i++) {
        n.info = (gull_root_info){GULL_ROOT_CALLBACK, i, 0, NULL};
        h->callbacks[i].fn(h, named_callback_visit, &n, h->callbacks[i].ctx);
    }
    size_t q = 0;
    named_queue(&n, &h->final_ready, &q);
    named_queue(&n, &h->final_running, &q);
    named_queue(&n, &h->final_found, &q);
    if (h->cfg.conservative_stack) {
        n.info = (gull_root_info){GULL_ROOT_STACK, 0, 0, NULL};
        scan_stack(h, named_word, &n);
    }
}

void roots_free(gull_heap *h)
{
    vec_free(&h->root_slots);
    free(h->ranges);
    free(h->callbacks);
    h->ranges = NULL;
    h->callbacks = NULL;
    h->nranges = h->ncallbacks = 0;
}
