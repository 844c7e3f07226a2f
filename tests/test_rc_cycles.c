/* test_rc_cycles.c — rc mode's cycle collector (issue 10 part 2; gc/rc.c
 * .cycles, .sources, .acyclic; pacing.c .cycles, .rc-budget): synchronous
 * trial deletion over buffered candidates, bounded per pause.
 *   - a ring whose last outside reference is overwritten is freed without
 *     a major collection, with the acyclic objects only it held;
 *   - a ring built while a root held it is freed once the root lets go
 *     (roots are not counted, so that is no decrement);
 *   - a live ring with candidates on it is kept whole;
 *   - objects of an acyclic type are never candidates;
 *   - a garbage cycle with a finalizable member: the finalizer runs once,
 *     the weak reference is cleared first, and the cycle is freed after;
 *   - a garbage cycle of a million objects: found in one pause given the
 *     time, given up (and left to the backup trace) within a pause's
 *     budget; no C recursion either way;
 *   - the threshold adapts both ways;
 *   - random graphs with cycles: counts and the candidate buffer stay
 *     exact (the verifier runs after every pause), nothing live is freed,
 *     and once everything is dropped the cycle collector alone frees it all.
 */
#include "testutil.h"

static gull_heap *cycles_heap(size_t threshold, double budget_ms)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.verify = 1;
    c.cycle_threshold = threshold;
    c.step_budget_ms = budget_ms;
    return tu_heap(&c);
}

static void pause_once(gull_heap *h)
{
    gull_collect(h, GULL_COLLECT_MINOR);
}

/* A ring of n cells: car = TU_FIX(i), cdr = the next; returns its first. */
static tu_cell *ring(gull_heap *h, gull_type cell, long n)
{
    tu_cell *first = tu_cons(h, cell, TU_FIX(0), NULL), *last = first;
    void *keep = first;
    cr_assert(gull_root_add(h, &keep));
    for (long i = 1; i < n; i++) {
        tu_cell *c = tu_cons(h, cell, TU_FIX(i), NULL);
        GULL_WRITE(h, last, &last->cdr, c);
        last = c;
    }
    GULL_WRITE(h, last, &last->cdr, first);
    gull_root_remove(h, &keep);
    return first;
}

static void check_ring(tu_cell *first, long n)
{
    tu_cell *c = first;
    for (long i = 0; i < n; i++, c = c->cdr)
        cr_assert_eq(TU_UNFIX(c->car), i, "ring cell %ld holds %ld", i, (long)TU_UNFIX(c->car));
    cr_assert_eq(c, first, "the ring does not close");
}

Test(rc_cycles, ring_dropped_from_an_old_holder_is_freed_by_trial_deletion)
{
    gull_heap *h = cycles_heap(1, 0);
    tu_types t = tu_register_types(h);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    tu_cell *r = ring(h, t.cell, 100);
    void *blob = gull_alloc(h, t.blob, 32);
    GULL_WRITE(h, r, &r->car, blob); /* an acyclic object only the ring holds */
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, r);
    pause_once(h);
    gull_weak *wr = gull_weak_new(h, r), *wm = gull_weak_new(h, ((tu_cell *)r->cdr)->cdr);
    gull_weak *wb = gull_weak_new(h, blob);
    r = NULL;
    blob = NULL;
    gull_stats s0 = tu_stats(h);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL); /* count 2 -> 1: a candidate */
    pause_once(h);
    pause_once(h); /* the blob, at 0 once the ring is gone, may take the next pass */
    gull_stats s = tu_stats(h);
    cr_assert_null(gull_weak_get(h, wr), "the ring's first cell was not freed");
    cr_assert_null(gull_weak_get(h, wm), "a ring cell was not freed");
    cr_assert_null(gull_weak_get(h, wb), "the blob only the ring held was not freed");
    cr_assert_eq(s.major_collections, s0.major_collections, "a major collection ran");
    cr_assert_geq(s.rc_cycle_freed_objects - s0.rc_cycle_freed_objects, 100);
    cr_assert_geq(s.rc_cycle_collections, s0.rc_cycle_collections + 1);
    gull_weak_free(h, wr);
    gull_weak_free(h, wm);
    gull_weak_free(h, wb);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc_cycles, ring_built_under_a_root_is_freed_after_the_root_lets_go)
{
    gull_heap *h = cycles_heap(1, 0);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    root = ring(h, t.cell, 50); /* young: its stores were not counted */
    pause_once(h);              /* promoted: each cell counted once, by its predecessor */
    gull_weak *w = gull_weak_new(h, root);
    check_ring(root, 50);
    gull_stats s0 = tu_stats(h);
    root = NULL; /* no decrement: roots are not counted */
    pause_once(h);
    pause_once(h);
    cr_assert_null(gull_weak_get(h, w), "the ring outlived its root");
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.major_collections, s0.major_collections, "a major collection ran");
    cr_assert_geq(s.rc_cycle_freed_objects - s0.rc_cycle_freed_objects, 50);
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* A live ring of n cells in holder->car (old), and a second rooted cell
 * whose stores make candidates. */
typedef struct live_ring {
    void *holder, *extra;
    long n;
} live_ring;

static void live_ring_make(gull_heap *h, gull_type cell, live_ring *lr, long n)
{
    lr->n = n;
    cr_assert(gull_root_add(h, &lr->holder));
    cr_assert(gull_root_add(h, &lr->extra));
    lr->holder = tu_cons(h, cell, NULL, NULL);
    lr->extra = tu_cons(h, cell, NULL, NULL);
    tu_cell *r = ring(h, cell, n);
    GULL_WRITE(h, lr->holder, &((tu_cell *)lr->holder)->car, r);
    pause_once(h);
}

/* Make every cell a candidate: a second reference, then overwritten. */
static void live_ring_touch(gull_heap *h, live_ring *lr)
{
    tu_cell *c = ((tu_cell *)lr->holder)->car, *extra = lr->extra;
    for (long i = 0; i < lr->n; i++, c = c->cdr) {
        GULL_WRITE(h, extra, &extra->car, c);
        GULL_WRITE(h, extra, &extra->car, NULL);
    }
}

Test(rc_cycles, live_ring_with_candidates_on_it_is_kept)
{
    gull_heap *h = cycles_heap(1, 0);
    tu_types t = tu_register_types(h);
    live_ring lr = {0};
    live_ring_make(h, t.cell, &lr, 200);
    live_ring_touch(h, &lr);
    gull_stats s0 = tu_stats(h);
    for (int i = 0; i < 4; i++)
        pause_once(h);
    gull_stats s = tu_stats(h);
    cr_assert_geq(s.rc_cycle_candidates - s0.rc_cycle_candidates, 200, "the cells were not candidates");
    cr_assert_eq(s.rc_cycle_freed_objects, s0.rc_cycle_freed_objects, "a live cell was freed");
    check_ring(((tu_cell *)lr.holder)->car, 200);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

typedef struct box {
    void *value; /* only ever a blob */
} box;

static void box_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    visit(&((box *)obj)->value, ctx);
}

Test(rc_cycles, acyclic_objects_are_never_candidates)
{
    gull_heap *h = cycles_heap(1, 0);
    tu_types t = tu_register_types(h);
    gull_type bt = tu_register(h, "box", box_trace, GULL_TYPE_ACYCLIC, NULL);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    box *b = gull_alloc(h, bt, sizeof *b);
    void *blob = gull_alloc(h, t.blob, 16);
    GULL_WRITE(h, b, &b->value, blob);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, b);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, blob);
    pause_once(h);
    gull_stats s0 = tu_stats(h);
    for (int i = 0; i < 100; i++) { /* each box and blob: count 2 -> 1 */
        GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, b);
        GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, NULL);
        GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, blob);
        GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, NULL);
    }
    pause_once(h);
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.rc_cycle_candidates, s0.rc_cycle_candidates, "an acyclic object was a candidate");
    cr_assert_eq(s.rc_cycle_collections, s0.rc_cycle_collections);
    /* The cyclic holder type, for contrast, is one. */
    void *other = NULL;
    cr_assert(gull_root_add(h, &other));
    other = tu_cons(h, t.cell, NULL, NULL);
    pause_once(h);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, other);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->cdr, other); /* 1 -> 2 -> 1 */
    pause_once(h);
    cr_assert_geq(tu_stats(h).rc_cycle_candidates, s.rc_cycle_candidates + 1);
    cr_assert_eq(((box *)((tu_cell *)holder)->car)->value, blob);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

static gull_weak *fin_weak;
static bool fin_weak_was_clear;
static void check_weak_cleared(gull_heap *h, void *obj)
{
    (void)obj;
    fin_weak_was_clear = gull_weak_get(h, fin_weak) == NULL;
}

Test(rc_cycles, finalizer_in_a_garbage_cycle_runs_once_then_the_cycle_is_freed)
{
    gull_heap *h = cycles_heap(1, 0);
    tu_types t = tu_register_types(h);
    tu_fin_reset(8);
    void *holder = NULL;
    cr_assert(gull_root_add(h, &holder));
    holder = tu_cons(h, t.cell, NULL, NULL);
    /* cell -> fnode -> cell -> cell -> (the first) */
    tu_cell *a = tu_cons(h, t.cell, TU_FIX(1), NULL);
    tu_fnode *f = tu_fnode_new(h, t.fnode, 3);
    tu_cell *b = tu_cons(h, t.cell, TU_FIX(2), NULL);
    tu_cell *c = tu_cons(h, t.cell, TU_FIX(3), a);
    GULL_WRITE(h, a, &a->cdr, f);
    GULL_WRITE(h, f, &f->a, b);
    GULL_WRITE(h, b, &b->cdr, c);
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, a);
    pause_once(h);
    gull_weak *wa = gull_weak_new(h, a);
    fin_weak = gull_weak_new(h, f);
    tu_fin_extra = check_weak_cleared;
    a = b = c = NULL;
    f = NULL;
    GULL_WRITE(h, holder, &((tu_cell *)holder)->car, NULL);
    pause_once(h); /* white set with a registered finalizer: queued, finalized after the pause */
    cr_assert_eq(tu_fin.count, 1, "the finalizer ran %ld times", tu_fin.count);
    cr_assert(fin_weak_was_clear, "the weak reference was not cleared before the finalizer ran");
    cr_assert_eq(tu_fin.bad_magic, 0);
    cr_assert_not_null(gull_weak_get(h, wa), "the cycle was freed before its finalizer ran");
    for (int i = 0; i < 3; i++)
        pause_once(h);
    cr_assert_null(gull_weak_get(h, wa), "the cycle was not freed after its finalizer ran");
    cr_assert_eq(tu_fin.count, 1, "finalized twice");
    cr_assert_eq(tu_stats(h).major_collections, 0, "a major collection ran");
    tu_fin_extra = NULL;
    gull_weak_free(h, wa);
    gull_weak_free(h, fin_weak);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* A million cells in one cycle.  Made young in one go (a big nursery) and
 * promoted while a root holds it, then dropped. */
static gull_weak *million_ring(gull_heap *h, gull_type cell, long n)
{
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    root = ring(h, cell, n);
    pause_once(h);
    gull_weak *w = gull_weak_new(h, ((tu_cell *)root)->cdr);
    root = NULL;
    gull_root_remove(h, &root);
    return w;
}

Test(rc_cycles, million_object_cycle_found_in_one_pause_given_the_time)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.cycle_threshold = 1;
    c.step_budget_ms = 60000; /* a minute: this pause may be long */
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    const long N = 1000 * 1000;
    gull_weak *w = million_ring(h, t.cell, N);
    gull_stats s0 = tu_stats(h);
    pause_once(h);
    pause_once(h);
    gull_stats s = tu_stats(h);
    cr_assert_null(gull_weak_get(h, w), "the cycle was not freed");
    cr_assert_geq(s.rc_cycle_freed_objects - s0.rc_cycle_freed_objects, (uint64_t)N);
    cr_assert_eq(s.rc_cycle_abandoned, 0);
    cr_assert_eq(s.major_collections, s0.major_collections, "a major collection ran");
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc_cycles, million_object_cycle_over_a_pause_budget_is_left_to_the_backup_trace)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_RC;
    c.cycle_threshold = 1;
    c.step_budget_ms = 0; /* 1 MiB of work per pause: 16 MB of cells do not fit */
    c.verify = 1;
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    const long N = 1000 * 1000;
    gull_weak *w = million_ring(h, t.cell, N);
    gull_stats s0 = tu_stats(h);
    pause_once(h);
    pause_once(h);
    gull_stats s = tu_stats(h);
    cr_assert_geq(s.rc_cycle_abandoned, s0.rc_cycle_abandoned + 1, "the candidate was not given up");
    cr_assert_not_null(gull_weak_get(h, w), "freed although its subgraph did not fit");
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_null(gull_weak_get(h, w), "the backup trace did not free the cycle");
    gull_weak_free(h, w);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc_cycles, threshold_adapts_both_ways)
{
    gull_heap *h = cycles_heap(64, 0);
    tu_types t = tu_register_types(h);
    live_ring lr = {0};
    live_ring_make(h, t.cell, &lr, 1000);
    void *extra = lr.extra;
    cr_assert_eq(tu_stats(h).rc_cycle_threshold, 64);
    /* Live candidates only: each collection finds nothing. */
    for (int round = 0; round < 3; round++) {
        live_ring_touch(h, &lr);
        pause_once(h);
    }
    size_t grown = tu_stats(h).rc_cycle_threshold;
    cr_assert_geq(grown, 4 * 64, "threshold %zu after three fruitless collections", grown);
    /* Garbage rings only: each collection frees all it examines. */
    for (int round = 0; round < 20; round++) {
        for (int k = 0; k < 40; k++) {
            tu_cell *g = ring(h, t.cell, 10);
            GULL_WRITE(h, extra, &((tu_cell *)extra)->cdr, g);
            pause_once(h); /* promoted, counted */
            GULL_WRITE(h, extra, &((tu_cell *)extra)->cdr, NULL); /* a candidate */
        }
        pause_once(h);
    }
    size_t shrunk = tu_stats(h).rc_cycle_threshold;
    cr_assert_lt(shrunk, grown, "threshold %zu did not come down from %zu", shrunk, grown);
    check_ring(((tu_cell *)lr.holder)->car, 1000);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

/* Random graphs: NSLOTS rooted slots, nodes whose two fields point
 * anywhere among the nodes made so far (cycles everywhere), random
 * overwrites and drops, pauses in between, with the verifier checking
 * every count and the candidate buffer after each pause.  Every node
 * reachable from the slots must be intact (its magic, its id, and its weak
 * reference still set); once the slots are cleared, pauses and at most
 * one incremental backup cycle must free every node. */
#define NSLOTS 32
#define NNODES 4000
#define NODE_MAGIC 0x6e6f6465L

typedef struct node {
    void *a, *b;
    long id, magic;
} node;

static void node_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    visit(&((node *)obj)->a, ctx);
    visit(&((node *)obj)->b, ctx);
}

static unsigned long rng_state;
static unsigned long rnd(void)
{
    rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
    return rng_state >> 33;
}

static void check_reachable(gull_heap *h, void **slots, gull_weak **weak, long made, unsigned long seed)
{
    char *seen = calloc((size_t)made + 1, 1);
    node **stack = calloc((size_t)made + NSLOTS + 1, sizeof *stack);
    cr_assert(seen && stack);
    size_t sp = 0;
    for (int k = 0; k < NSLOTS; k++)
        if (slots[k])
            stack[sp++] = slots[k];
    while (sp) {
        node *n = stack[--sp];
        cr_assert_eq(n->magic, NODE_MAGIC, "seed %lu: a reachable node was freed (magic %lx)", seed,
                     (unsigned long)n->magic);
        cr_assert(n->id >= 0 && n->id < made, "seed %lu: a reachable node has id %ld", seed, n->id);
        cr_assert_eq(gull_weak_get(h, weak[n->id]), n,
                     "seed %lu: reachable node %ld's weak reference was cleared", seed, n->id);
        if (seen[n->id])
            continue;
        seen[n->id] = 1;
        if (n->a)
            stack[sp++] = n->a;
        if (n->b)
            stack[sp++] = n->b;
    }
    free(seen);
    free(stack);
}

static void random_graph_round(unsigned long seed, size_t threshold, bool inc)
{
    gull_heap *h = cycles_heap(threshold, 0);
    gull_type nt = tu_register(h, "node", node_trace, 0, NULL);
    rng_state = seed;
    void *slots[NSLOTS] = {0};
    cr_assert(gull_root_range_add(h, slots, slots + NSLOTS));
    gull_weak **weak = calloc(NNODES, sizeof *weak);
    cr_assert(weak);
    long made = 0;
    for (long step = 0; step < 40000; step++) {
        unsigned long r = rnd() % 100;
        if (r < 10 && made < NNODES) {
            node *n = gull_alloc(h, nt, sizeof *n);
            cr_assert_not_null(n);
            n->id = made;
            n->magic = NODE_MAGIC;
            weak[made++] = gull_weak_new(h, n);
            slots[rnd() % NSLOTS] = n;
        } else if (made) {
            node *a = gull_weak_get(h, weak[rnd() % (unsigned long)made]);
            node *b = gull_weak_get(h, weak[rnd() % (unsigned long)made]);
            if (!a)
                continue;
            if (r < 55)
                GULL_WRITE(h, a, r & 1 ? &a->a : &a->b, b);
            else if (r < 80)
                GULL_WRITE(h, a, r & 1 ? &a->a : &a->b, NULL);
            else if (r < 95)
                slots[rnd() % NSLOTS] = r & 1 ? (void *)a : NULL;
            else if (r < 98 || !inc)
                pause_once(h);
            else if (gull_debug_phase(h) == GULL_PHASE_IDLE)
                gull_debug_start_cycle(h); /* rc.c .backup: an incremental backup trace */
            else
                gull_debug_step(h, 2048);
        }
        if (step % 5000 == 4999)
            check_reachable(h, slots, weak, made, seed);
    }
    pause_once(h);
    check_reachable(h, slots, weak, made, seed);
    while (gull_debug_phase(h) != GULL_PHASE_IDLE)
        gull_debug_step(h, 1 << 20);
    for (int k = 0; k < NSLOTS; k++)
        slots[k] = NULL;
    uint64_t majors = tu_stats(h).major_collections;
    for (int k = 0; k < 20; k++)
        pause_once(h);
    long left = 0;
    for (long i = 0; i < made; i++)
        if (gull_weak_get(h, weak[i]))
            left++;
    gull_stats s = tu_stats(h);
    cr_assert_eq(s.major_collections, majors, "seed %lu: a major collection ran", seed);
    /* Candidates fewer than the (adapted) threshold may wait for more
     * (pacing.c .cycles) and keep their garbage meanwhile; an incremental
     * backup cycle then frees whatever is left. */
    if (left) {
        cr_assert(gull_debug_start_cycle(h));
        while (gull_debug_phase(h) != GULL_PHASE_IDLE)
            gull_debug_step(h, 4096);
        pause_once(h);
        left = 0;
        for (long i = 0; i < made; i++)
            if (gull_weak_get(h, weak[i]))
                left++;
    }
    cr_assert_eq(left, 0, "seed %lu: %ld of %ld nodes left after their roots went and a backup cycle",
                 seed, left, made);
    for (long i = 0; i < made; i++)
        gull_weak_free(h, weak[i]);
    free(weak);
    gull_root_range_remove(h, slots);
    cr_assert_eq(tu_err.count, 0, "seed %lu: unexpected error: %s", seed, tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(rc_cycles, random_graphs_keep_counts_exact_and_free_everything)
{
    for (unsigned long seed = 1; seed <= 200; seed++)
        random_graph_round(seed, seed % 2 ? 1 : 50, false);
}

/* The same with incremental backup cycles started and stepped among the
 * mutations (rc.c .backup): RC frees and trial deletion run while the
 * backup trace marks, the dead give back their counts in PHASE_RC_DEC. */
Test(rc_cycles, random_graphs_with_incremental_backup_cycles)
{
    for (unsigned long seed = 11; seed <= 200; seed++)
        random_graph_round(seed, seed % 2 ? 1 : 50, true);
}
