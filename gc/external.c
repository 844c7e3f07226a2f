/* external.c — native memory: bytes the host holds outside the heap.
 *
 *   h->external = adjusted + associated
 *     adjusted    the running sum of gull_external_adjust() deltas
 *     associated  the sum over live objects of their gull_set_native_size()
 *
 * Associated bytes sit in a hash table, object -> bytes (open addressing,
 * linear probing).  An object has an entry iff its state byte has SPECIAL.
 * Objects that got native bytes while young are also listed in
 * native_young, so a minor collection looks at those only, after its mark
 * (external_after_mark).  A stop-the-world major collection rebuilds the
 * table without the dead.  An incremental cycle does not walk the table
 * (in hash order a walk is a cache miss per entry: ~10 ms for 60,000
 * entries here, in one pause): a dead object with a finalizer gives its
 * bytes back when the cycle finds it dead (finalize.c sift), one without a
 * finalizer when the sweeper frees its cell (sweep.c, generation.c; at the
 * latest in the next cycle's sweep phase), both through
 * external_release_dead.  Pacing reads h->external (pacing.c .minor,
 * .major, .limits).
 *
 * .unreachable  The bytes of a finalizable object leave the count when the
 *          object is found unreachable, before it is resurrected: the usual
 *          finalizer frees the native buffer, and counting it until the
 *          object is finally reclaimed, a cycle later, would let native
 *          garbage double the heap's idea of its size.  A finalizer that
 *          makes its object reachable again must set its native size again.
 *          An object without a finalizer (whose native memory the host can
 *          only free by other means) gives its bytes back when swept.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

typedef struct native_entry {
    void *obj; /* NULL = empty */
    size_t bytes;
} native_entry;

struct native_table {
    native_entry *at;
    size_t cap, len; /* cap is a power of two; len <= cap / 2 */
    size_t associated;
    vec young;
};

static size_t slot_of(const struct native_table *t, const void *obj)
{
    uintptr_t x = (uintptr_t)obj >> GRANULE_SHIFT;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 17) & (t->cap - 1);
}

static native_entry *find(struct native_table *t, const void *obj)
{
    if (!t->cap)
        return NULL;
    for (size_t i = slot_of(t, obj);; i = (i + 1) & (t->cap - 1)) {
        if (t->at[i].obj == obj)
            return &t->at[i];
        if (!t->at[i].obj)
            return NULL;
    }
}

static void put_fresh(struct native_table *t, void *obj, size_t bytes)
{
    size_t i = slot_of(t, obj);
    while (t->at[i].obj)
        i = (i + 1) & (t->cap - 1);
    t->at[i] = (native_entry){obj, bytes};
    t->len++;
}

/* Rebuild into a table of cap entries, keeping entries for which keep()
 * says so (NULL keeps all). */
static bool rebuild(gull_heap *h, struct native_table *t, size_t cap,
                    bool (*keep)(gull_heap *, native_entry *))
{
    native_entry *old = t->at;
    size_t oldcap = t->cap;
    native_entry *fresh = calloc(cap, sizeof *fresh);
    if (!fresh)
        return false;
    h->metadata += cap * sizeof *fresh;
    h->metadata -= oldcap * sizeof *old;
    t->at = fresh;
    t->cap = cap;
    t->len = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].obj && (!keep || keep(h, &old[i])))
            put_fresh(t, old[i].obj, old[i].bytes);
    free(old);
    return true;
}

/* Delete by backward shift, keeping probe chains intact. */
static void delete_entry(struct native_table *t, native_entry *e)
{
    size_t i = (size_t)(e - t->at);
    size_t j = i;
    for (;;) {
        j = (j + 1) & (t->cap - 1);
        if (!t->at[j].obj)
            break;
        size_t k = slot_of(t, t->at[j].obj);
        /* Move j into the hole at i if its home k is not in (i, j]. */
        if ((i <= j) ? (k <= i || k > j) : (k <= i && k > j)) {
            t->at[i] = t->at[j];
            i = j;
        }
    }
    t->at[i].obj = NULL;
    t->len--;
}

static void release(gull_heap *h, const void *obj, size_t bytes)
{
    struct native_table *t = h->native;
    t->associated -= bytes;
    h->external -= bytes;
    type_info *ti = h->types[block_of(obj)->type];
    ASSERT(ti->live_native >= bytes); /* per-type balance never goes negative */
    ti->live_native -= bytes;
}

void gull_set_native_size(gull_heap *h, void *obj, size_t n)
{
    if (!h || !obj) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_set_native_size: %s is NULL", h ? "obj" : "heap");
        return;
    }
    if (block_find_object(h, obj, false) != obj) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "gull_set_native_size: %p is not a live object of this heap", obj);
        return;
    }
    if (n > GULL_MAX_ALLOC) {
        heap_error(h, GULL_ERR_BAD_SIZE,
                   "gull_set_native_size: %zu bytes for one object is more than GULL_MAX_ALLOC (2^40); "
                   "ignored (a negative size converted to unsigned?)", n);
        return;
    }
    if (!h->native && !(h->native = calloc(1, sizeof *h->native))) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_set_native_size: no memory for the native table");
        return;
    }
    struct native_table *t = h->native;
    type_info *ti = h->types[block_of(obj)->type];
    native_entry *e = find(t, obj);
    if (e) {
        release(h, obj, e->bytes);
        if (n == 0) {
            delete_entry(t, e);
            *state_of(obj) &= (uint8_t)~ST_SPECIAL;
        } else {
            e->bytes = n;
        }
    } else if (n) {
        if ((t->len + 1) * 2 > t->cap && !rebuild(h, t, t->cap ? 2 * t->cap : 64, NULL)) {
            heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_set_native_size: no memory to grow the native table");
            return;
        }
        if ((*state_of(obj) & ST_YOUNG) && !vec_push(&t->young, obj)) {
            heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_set_native_size: no memory to track a young object");
            return;
        }
        put_fresh(t, obj, n);
        *state_of(obj) |= ST_SPECIAL;
    }
    if (n) {
        t->associated += n;
        h->external += n;
        ti->live_native += n;
    }
    pacing_external_changed(h);
}

void gull_external_adjust(gull_heap *h, ptrdiff_t delta)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_external_adjust: heap is NULL");
        return;
    }
    size_t associated = h->native ? h->native->associated : 0;
    /* The magnitude without negating delta (PTRDIFF_MIN has no positive). */
    size_t mag = delta < 0 ? (size_t)0 - (size_t)delta : (size_t)delta;
    if (delta < 0 && mag > h->external - associated) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_external_adjust: releasing %zu bytes, but only %zu were reported with "
                   "gull_external_adjust; the count stays at zero (a release without a matching report?)",
                   mag, h->external - associated);
        h->external = associated;
        return;
    }
    if (delta > 0 && mag > GULL_MAX_ALLOC * 1024 - h->external) {
        heap_error(h, GULL_ERR_BAD_SIZE,
                   "gull_external_adjust: adding %zu bytes would pass 2^50 native bytes; ignored "
                   "(a negative size converted to unsigned?)", mag);
        return;
    }
    h->external = delta < 0 ? h->external - mag : h->external + mag;
    pacing_external_changed(h);
}

static bool keep_live(gull_heap *h, native_entry *e)
{
    if (!mark_found_dead(&h->major_mk, e->obj))
        return true;
    release(h, e->obj, e->bytes);
    *state_of(e->obj) &= (uint8_t)~ST_SPECIAL;
    return false;
}

void external_release_dead(gull_heap *h, void *obj)
{
    struct native_table *t = h->native;
    native_entry *e = t ? find(t, obj) : NULL;
    *state_of(obj) &= (uint8_t)~ST_SPECIAL;
    if (!e)
        return;
    release(h, obj, e->bytes);
    delete_entry(t, e);
}

void external_after_mark(marker *m)
{
    gull_heap *h = m->h;
    struct native_table *t = h->native;
    if (!t)
        return;
    if (!m->minor) {
        if (h->cycle_inc)
            return; /* the dead give their bytes back later (see the top) */
        t->young.len = 0; /* a stop-the-world major made everyone old */
        if (t->len)
            rebuild(h, t, t->cap, keep_live); /* on failure the dead wait a cycle */
        return;
    }
    size_t keep = 0;
    for (size_t i = 0; i < t->young.len; i++) {
        void *obj = t->young.at[i];
        native_entry *e = find(t, obj);
        if (!e)
            continue; /* its size was set to 0 since */
        if (mark_found_dead(m, obj)) {
            release(h, obj, e->bytes);
            delete_entry(t, e);
            *state_of(obj) &= (uint8_t)~ST_SPECIAL;
        } else if (gen_stays_young(h, *state_of(obj))) {
            t->young.at[keep++] = obj;
        }
    }
    t->young.len = keep;
}

size_t external_size_of(gull_heap *h, const void *obj)
{
    if (!(*state_of(obj) & ST_SPECIAL) || !h->native)
        return 0;
    native_entry *e = find(h->native, obj);
    return e ? e->bytes : 0;
}

size_t external_associated(const gull_heap *h)
{
    return h->native ? h->native->associated : 0;
}

void external_balance_check(gull_heap *h)
{
    size_t assoc = external_associated(h);
    if (h->external != assoc)
        heap_error(h, GULL_ERR_MISUSE,
                   "heap destroyed with %zu native bytes reported by gull_external_adjust and never released",
                   h->external - assoc);
    for (uint32_t i = 1; i < h->ntypes; i++)
        ASSERT(h->types[i]->live_native <= assoc);
}

void external_free(gull_heap *h)
{
    if (!h->native)
        return;
    free(h->native->at);
    vec_free(&h->native->young);
    free(h->native);
    h->native = NULL;
}
