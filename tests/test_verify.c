/* test_verify.c — the heap verifier (issue 3; DESIGN.md section 7): with
 * config.verify = 1, a host that forgot the barrier gets a GULL_ERR_VERIFY
 * message naming the holder's type, the slot and the target's type, at the
 * next collection; a correct host gets no message at all.
 */
#include "testutil.h"

/* "holder": eight pointer slots; the bad store goes into slot 5, which is
 * at byte offset 40 — a number that appears nowhere else in the test. */
typedef struct holder {
    void *slot[8];
} holder;

static void holder_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    holder *x = obj;
    for (int i = 0; i < 8; i++)
        visit(&x->slot[i], ctx);
}

typedef struct vtypes {
    gull_type holder, target, cell;
} vtypes;

static gull_heap *verify_heap(gull_mode mode, unsigned promote_age)
{
    gull_config c;
    tu_config(&c);
    c.mode = mode;
    c.verify = 1;
    c.nursery_size = 64 << 20;
    if (promote_age)
        c.promote_age = promote_age;
    return tu_heap(&c);
}

static vtypes verify_types(gull_heap *h)
{
    vtypes t;
    t.holder = tu_register(h, "holder", holder_trace, 0, NULL);
    t.target = tu_register(h, "target", NULL, GULL_TYPE_NO_POINTERS, NULL);
    t.cell = tu_register(h, "cell", tu_cell_trace, 0, NULL);
    return t;
}

static bool names_slot_40(const char *msg)
{
    return tu_contains_ci(msg, "40") || tu_contains_ci(msg, "0x28");
}

/* Any VERIFY error naming holder, target and offset 40? */
static bool verify_error_found(void)
{
    int lim = tu_err.count < TU_MAX_ERRS ? tu_err.count : TU_MAX_ERRS;
    for (int i = 0; i < lim; i++)
        if (tu_err.codes[i] == GULL_ERR_VERIFY && tu_contains_ci(tu_err.msgs[i], "holder") &&
            tu_contains_ci(tu_err.msgs[i], "target") && names_slot_40(tu_err.msgs[i]))
            return true;
    return false;
}

static void missing_barrier(gull_collect_kind next, bool target_also_rooted)
{
    gull_heap *h = verify_heap(GULL_MODE_GEN, 1);
    vtypes t = verify_types(h);
    void *root = NULL, *troot = NULL;
    cr_assert(gull_root_add(h, &root));
    cr_assert(gull_root_add(h, &troot));
    holder *hd = gull_alloc(h, t.holder, sizeof *hd);
    cr_assert_not_null(hd);
    root = hd;
    gull_collect(h, GULL_COLLECT_MAJOR); /* holder is old */
    cr_assert_eq(tu_err.count, 0, "verifier complained about a correct heap: %s",
                 tu_err.last_msg);

    void *tg = gull_alloc(h, t.target, 24);
    cr_assert_not_null(tg);
    if (target_also_rooted)
        troot = tg; /* alive anyway: only the remembered-set invariant is broken */
    hd->slot[5] = tg; /* plain C store into an old object: the host bug */
    gull_collect(h, next);
    if (!verify_error_found()) {
        tu_err_dump();
        cr_assert_fail("missing barrier not reported as GULL_ERR_VERIFY naming \"holder\", "
                       "offset 40 and \"target\" (%d errors, last: %s)",
                       tu_err.count, tu_err.last_msg);
    }
    hd->slot[5] = NULL;
    gull_heap_destroy(h);
}

Test(verify, missing_barrier_caught_at_minor_target_rooted)
{
    missing_barrier(GULL_COLLECT_MINOR, true);
}

Test(verify, missing_barrier_caught_at_minor)
{
    missing_barrier(GULL_COLLECT_MINOR, false);
}

Test(verify, missing_barrier_caught_at_major)
{
    missing_barrier(GULL_COLLECT_MAJOR, true);
}

/* The verifier speaks once per broken edge and collection, not per object
 * in the heap; and the same edge made right (through gull_write) is quiet. */
Test(verify, fixed_by_the_barrier)
{
    gull_heap *h = verify_heap(GULL_MODE_GEN, 1);
    vtypes t = verify_types(h);
    void *root = NULL, *troot = NULL;
    cr_assert(gull_root_add(h, &root));
    cr_assert(gull_root_add(h, &troot));
    holder *hd = gull_alloc(h, t.holder, sizeof *hd);
    root = hd;
    gull_collect(h, GULL_COLLECT_MAJOR);
    void *tg = gull_alloc(h, t.target, 24);
    troot = tg;
    gull_write(h, hd, &hd->slot[5], tg);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_err.count, 0, "verifier complained about a correct store: %s",
                 tu_err.last_msg);
    gull_heap_destroy(h);
}

/* A host that forgot a root: the object died, and its stale address was
 * stored into a live holder.  The verifier names the holder and the slot
 * (the target is no longer an object, so its type cannot be named). */
Test(verify, missing_root_caught)
{
    gull_heap *h = verify_heap(GULL_MODE_GEN, 1);
    vtypes t = verify_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    holder *hd = gull_alloc(h, t.holder, sizeof *hd);
    root = hd;
    gull_collect(h, GULL_COLLECT_MAJOR);
    void *tg = gull_alloc(h, t.target, 24); /* not rooted: the host bug */
    gull_collect(h, GULL_COLLECT_MINOR);    /* tg dies here */
    cr_assert(!gull_is_object(h, tg), "an unreachable young object survived a minor");
    gull_write(h, hd, &hd->slot[5], tg);
    tu_err_reset();
    /* GULL_VERIFY=1 walks the whole heap at every 8th minor collection
     * (verify.c .generational): the old holder is found within 8. */
    bool found = false;
    for (int n = 0; n < 8 && !found; n++) {
        gull_collect(h, GULL_COLLECT_MINOR);
        int lim = tu_err.count < TU_MAX_ERRS ? tu_err.count : TU_MAX_ERRS;
        for (int i = 0; i < lim; i++)
            if (tu_err.codes[i] == GULL_ERR_VERIFY && tu_contains_ci(tu_err.msgs[i], "holder") &&
                names_slot_40(tu_err.msgs[i]))
                found = true;
    }
    if (!found)
        tu_err_dump();
    cr_assert(found, "dangling pointer in a live holder not reported by the verifier");
    hd->slot[5] = NULL;
    gull_heap_destroy(h);
}

/* A correct program under the verifier: lists, trees, arrays, frames,
 * inline and out-of-line barriers, automatic and explicit collections,
 * in gen and full modes.  Not a single verifier message. */
static void correct_program(gull_mode mode, unsigned age)
{
    gull_config c;
    tu_config(&c);
    c.mode = mode;
    c.verify = 1;
    c.nursery_size = 256 << 10;
    c.promote_age = age;
    gull_heap *h = tu_heap(&c);
    vtypes t = verify_types(h);
    tu_types u = tu_register_types(h);
    void *roots[4] = {0};
    cr_assert(gull_root_range_add(h, roots, roots + 4));
    holder *top = gull_alloc(h, t.holder, sizeof *top);
    roots[0] = top;
    tu_vec *arr = gull_alloc(h, u.vec, sizeof(tu_vec) + 5000 * sizeof(void *));
    arr->n = 5000;
    roots[1] = arr;
    uint64_t x = 12345;
    for (long i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(x >> 33);
        tu_cell *cell = gull_alloc(h, t.cell, sizeof *cell);
        void *prev = top->slot[r % 8];
        if (r & 1) {
            GULL_WRITE(h, cell, &cell->car, TU_FIX(i));
            GULL_WRITE(h, cell, &cell->cdr, (r & 2) ? prev : NULL);
            GULL_WRITE(h, top, &top->slot[r % 8], cell);
        } else {
            gull_write(h, cell, &cell->car, TU_FIX(i));
            gull_write(h, cell, &cell->cdr, (r & 2) ? prev : NULL);
            gull_write(h, top, &top->slot[r % 8], cell);
        }
        if (i % 7 == 0)
            gull_write(h, arr, &arr->items[(r >> 8) % 5000], cell);
        if (i % 5000 == 0) {
            void *tmp = gull_alloc(h, t.target, 100);
            GULL_FRAME(h, &tmp);
            holder *hh = gull_alloc(h, t.holder, sizeof *hh);
            gull_write(h, hh, &hh->slot[5], tmp);
            gull_write(h, arr, &arr->items[0], hh);
            GULL_FRAME_END(h);
        }
        (void)gull_alloc(h, t.target, 32); /* garbage: drives automatic minors */
        if (i % 90000 == 0)
            gull_collect(h, GULL_COLLECT_MAJOR);
        if (i % 60000 == 0)
            gull_collect(h, GULL_COLLECT_MINOR);
    }
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats st = tu_stats(h);
    cr_assert_gt(st.minor_collections + st.major_collections,
                 mode == GULL_MODE_FULL ? 5u : 20u,
                 "only %llu minor and %llu major collections",
                 (unsigned long long)st.minor_collections,
                 (unsigned long long)st.major_collections);
    if (tu_err.count)
        tu_err_dump();
    cr_assert_eq(tu_err.count, 0, "verifier complained about a correct program: %s",
                 tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(verify, correct_program_gen_age_1)
{
    correct_program(GULL_MODE_GEN, 1);
}

Test(verify, correct_program_gen_age_3)
{
    correct_program(GULL_MODE_GEN, 3);
}

Test(verify, correct_program_full)
{
    correct_program(GULL_MODE_FULL, 1);
}
