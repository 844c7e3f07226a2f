/* barrier.c — the store barrier's slow path, gull_write, for every mode.
 *
 * The host routes every store of a value into a managed object through
 * GULL_WRITE (gull.h), whose inline fast path does the store alone when
 * the heap's published barrier kind allows it:
 *
 *   kind      published while            inline path stores alone when
 *   NONE      full mode                  always
 *   GEN       gen and inc, not marking   value is NULL or an immediate, or
 *                                        the holder is young
 *   MARKING   inc, during PHASE_MARK     the holder is young
 *   RC        rc                         the holder is young
 *   ALL       (none yet)                 never
 *
 * The slow path reads the old value before the store, then dispatches:
 *   .snapshot  while marking (mark.c .snapshot), an old holder's
 *          overwritten value is shaded: made gray if it is white.  Young
 *          holders are skipped: during marking every young object was
 *          allocated during the cycle (mark.c .black-young), so the slots
 *          it had at the snapshot do not exist.
 *   .remset  an old holder that receives a young value is remembered
 *          (generation.c .remset).
 *   .rc    in rc mode, a store into an old holder counts: the new value
 *          gains one and the overwritten one loses one (rc.c .what-counts);
 *          stores into young holders are counted when the holder is
 *          promoted.  While rc's backup trace marks incrementally (rc.c
 *          .backup), the RC kind stays published (its inline path is
 *          MARKING's) and this path also shades the overwritten value.  A host compiled before the RC kind existed calls
 *          gull_write for every store it does not know how to skip: still
 *          correct.
 * Barrier kinds change only inside a pause (collect.c), never while the
 * host is in the middle of a store.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

static inline bool is_pointer(const void *v)
{
    return v && !((uintptr_t)v & (GRANULE - 1));
}

/* The checking build's diagnostics; false when the store must be done
 * without a barrier. */
static bool write_checked(gull_heap *h, void *obj, void **slot, void *value)
{
    if (block_find_object(h, obj, false) != obj) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "gull_write: holder %p is not a live object of this heap (another heap's object, freed, or interior)",
                   obj);
        return false;
    }
    block *b = block_of(obj);
    if ((uint8_t *)slot < (uint8_t *)obj || (uint8_t *)slot >= (uint8_t *)obj + b->cell_size)
        heap_error(h, GULL_ERR_MISUSE, "gull_write: slot %p is outside its holder, a '%s' at %p",
                   (void *)slot, h->types[b->type]->name, obj);
    if (is_pointer(value) && block_find_object(h, value, false) != value) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "gull_write: value %p stored into a '%s' is not a live object of this heap",
                   value, h->types[b->type]->name);
        return false;
    }
    void *old = *slot;
    if ((h->pub.barrier == GULL_BARRIER_MARKING ||
         (h->pub.barrier == GULL_BARRIER_RC && !(*state_of(obj) & ST_YOUNG))) &&
        is_pointer(old) &&
        block_find_object(h, old, false) != old) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "gull_write: slot +%zu of a '%s' at %p held %p, not a live object of this heap "
                   "(an earlier store skipped the barrier, or the object was not zeroed)",
                   (size_t)((uint8_t *)slot - (uint8_t *)obj), h->types[b->type]->name, obj, old);
        return false;
    }
    return true;
}

void gull_write(gull_heap *h, void *obj, void **slot, void *value)
{
    if (UNLIKELY(!slot)) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_write: slot is NULL; pass the address of the field to store into");
        return;
    }
    if (UNLIKELY(!h || !obj)) {
        heap_error(h, GULL_ERR_NULL_ARG,
                   "gull_write: %s is NULL; the store was done without a barrier", h ? "obj" : "heap");
        *slot = value;
        return;
    }
    if (GULL_CHECKING && !write_checked(h, obj, slot, value)) {
        *slot = value;
        return;
    }
    uint32_t kind = h->pub.barrier;
    if (kind == GULL_BARRIER_NONE) {
        *slot = value;
        return;
    }
    bool old_holder = !(*state_of(obj) & ST_YOUNG);
    if (kind == GULL_BARRIER_RC) {
        if (!old_holder) {
            *slot = value; /* .rc: a young holder is counted when promoted */
            return;
        }
        void *old = *slot;
        if (inc_marking(h) && is_pointer(old))
            mark_shade(h, old); /* .snapshot: rc's backup trace is incremental */
        *slot = value;
        rc_write(h, value, old); /* .rc */
        if (is_pointer(value) && (*state_of(value) & ST_YOUNG))
            gen_remember(h, obj, slot); /* .remset: the minor still needs the edge */
        return;
    }
    if (kind == GULL_BARRIER_MARKING && old_holder) {
        void *old = *slot; /* .snapshot: read before the store */
        if (is_pointer(old))
            mark_shade(h, old);
    }
    *slot = value;
    if (old_holder && is_pointer(value) && (*state_of(value) & ST_YOUNG))
        gen_remember(h, obj, slot); /* .remset */
}
