/* test_inc.c — the incremental mode (GULL_MODE=inc): the phase machine,
 * the snapshot barrier, minor collections between steps, weak references
 * read while marking, finalizers, pacing, host steps, and the verifier's
 * snapshot check.  The tests stop the collector between steps with the test
 * hooks of gull.h (gull_debug_step, gull_debug_color) and mutate the graph
 * adversarially, as Lua's tests do with T.gcstate / T.gccolor.
 *
 * Randomized tests print their seed when they fail and take it back from
 * GULL_TEST_SEED.
 */
#include "testutil.h"

#include <time.h>

static gull_heap *inc_heap(double ratio, bool verify)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_INC;
    c.mark_ratio = ratio;
    c.verify = verify;
    c.nursery_size = 256 << 10;
    return tu_heap(&c);
}

/* Step until the phase is p (or the cycle ended); returns steps taken. */
static int step_until(gull_heap *h, gull_phase p, size_t work)
{
    int n = 0;
    while (gull_debug_phase(h) != p && gull_debug_phase(h) != GULL_PHASE_IDLE && n < 1000000) {
        gull_debug_step(h, work);
        n++;
    }
    return n;
}

static void finish_cycle(gull_heap *h)
{
    int n = 0;
    while (gull_debug_step(h, 4096) && n++ < 10000000)
        ;
    cr_assert_eq(gull_debug_phase(h), GULL_PHASE_IDLE, "the cycle did not end");
}

static void no_errors(void)
{
    if (tu_err.count)
        tu_err_dump();
    cr_assert_eq(tu_err.count, 0, "gull reported %d errors, the last: %s", tu_err.count, tu_err.last_msg);
}

/* A list of n cells hanging from *root; returns it. */
static tu_cell *make_list(gull_heap *h, gull_type cell, int n)
{
    void *list = NULL;
    GULL_FRAME(h, &list);
    for (int i = 0; i < n; i++)
        list = tu_cons(h, cell, TU_FIX(i), list);
    GULL_FRAME_END(h);
    return list;
}

/* Length of a list of fixnum cells, each checked to be a live object. */
static int list_len(gull_heap *h, tu_cell *c)
{
    int n = 0;
    for (; c; c = c->cdr) {
        cr_assert(gull_is_object(h, c), "cell %d of a live list was freed", n);
        cr_assert(TU_IS_FIX(c->car), "cell %d of a live list was overwritten", n);
        n++;
    }
    return n;
}

Test(inc, mode_is_built)
{
    gull_heap *h = inc_heap(2, false);
    cr_assert_eq(gull_heap_mode(h), GULL_MODE_INC);
    cr_assert_eq(tu_err.count, 0, "creating an inc heap reported: %s", tu_err.last_msg);
    gull_heap_destroy(h);
}

Test(inc, a_cycle_walks_every_phase_and_frees_garbage)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    void *live = NULL;
    gull_root_add(h, &live);
    live = make_list(h, t.cell, 5000);
    gull_collect(h, GULL_COLLECT_MINOR); /* the list is old now */
    void *garbage = make_list(h, t.cell, 3000);
    gull_weak *wg = gull_weak_new(h, garbage);
    gull_weak *wl = gull_weak_new(h, live);
    garbage = NULL;

    cr_assert(gull_debug_start_cycle(h));
    cr_assert_eq(gull_debug_phase(h), GULL_PHASE_ROOTS, "nothing to sweep: the cycle starts at the roots");
    bool seen[GULL_PHASE_RECLAIM + 1] = {0};
    int steps = 0;
    while (gull_debug_phase(h) != GULL_PHASE_IDLE) {
        seen[gull_debug_phase(h)] = true;
        gull_debug_step(h, 512);
        cr_assert_lt(++steps, 100000);
    }
    /* Between steps: SWEEP is skipped when nothing is unswept, and
     * MARK_FINAL is passed within a step when nothing was resurrected. */
    gull_phase expect[] = {GULL_PHASE_ROOTS, GULL_PHASE_MARK, GULL_PHASE_FINISH, GULL_PHASE_RECLAIM};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        cr_expect(seen[expect[i]], "phase %s was never seen between steps", gull_phase_name(expect[i]));
    cr_expect_gt(steps, 10, "5000 cells in 512-byte steps took only %d steps", steps);
    cr_expect_null(gull_weak_get(h, wg), "garbage survived a whole cycle");
    cr_expect_eq(gull_weak_get(h, wl), live);
    cr_expect_eq(list_len(h, live), 5000);
    gull_stats s = tu_stats(h);
    cr_expect_eq(s.major_collections, 1);
    cr_expect_geq(s.mark_steps, (uint64_t)steps);
    cr_expect_gt(gull_pause_quantile(h, GULL_PAUSE_MARK_STEP, 1.0), 0);
    cr_expect_gt(gull_pause_quantile(h, GULL_PAUSE_MARK_START, 1.0), 0);
    cr_expect_gt(gull_pause_quantile(h, GULL_PAUSE_MARK_FINISH, 1.0), 0);
    no_errors();
    gull_weak_free(h, wg);
    gull_weak_free(h, wl);
    gull_heap_destroy(h);
}

Test(inc, colors_follow_the_tricolor_model)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    void *root = NULL, *unreached = NULL;
    gull_root_add(h, &root);
    gull_root_add(h, &unreached);
    root = make_list(h, t.cell, 100);
    unreached = tu_cons(h, t.cell, NULL, NULL);
    gull_collect(h, GULL_COLLECT_MINOR);
    tu_cell *tail = root;
    while (tail->cdr)
        tail = tail->cdr;
    void *dead = unreached;
    unreached = NULL; /* unreachable from now on, but still allocated */

    cr_assert_eq(gull_debug_color(h, root), GULL_COLOR_BLACK, "outside a cycle every object reads black");
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    cr_assert_eq(gull_debug_phase(h), GULL_PHASE_MARK);
    cr_expect_eq(gull_debug_color(h, root), GULL_COLOR_GRAY, "a root is gray after the roots step");
    cr_expect_eq(gull_debug_color(h, tail), GULL_COLOR_WHITE, "the list's tail is not reached yet");
    cr_expect_eq(gull_debug_color(h, dead), GULL_COLOR_WHITE);
    tu_cell *fresh = gull_alloc(h, t.cell, sizeof(tu_cell));
    cr_expect_eq(gull_debug_color(h, fresh), GULL_COLOR_BLACK, "objects allocated while marking are black");
    step_until(h, GULL_PHASE_FINISH, 64);
    cr_expect_eq(gull_debug_color(h, root), GULL_COLOR_BLACK);
    cr_expect_eq(gull_debug_color(h, tail), GULL_COLOR_BLACK);
    cr_expect_eq(gull_debug_color(h, dead), GULL_COLOR_WHITE, "unreachable objects stay white");
    finish_cycle(h);
    cr_expect_eq(gull_debug_color(h, dead), GULL_COLOR_NONE, "a white object is dead after the cycle");
    no_errors();
    gull_heap_destroy(h);
}

/* Move an edge out of a gray object into a black one, then cut it: the
 * barrier must shade the moved object (Yuasa's deletion barrier). */
Test(inc, edge_moved_from_gray_to_black_survives)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_cell *a = NULL, *b = NULL;
    gull_root_add(h, (void **)&a);
    gull_root_add(h, (void **)&b);
    void *victim = make_list(h, t.cell, 50);
    b = tu_cons(h, t.cell, victim, NULL);  /* b -> victim list */
    victim = NULL;
    a = tu_cons(h, t.cell, NULL, NULL);    /* a has no pointers yet */
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    /* Trace until a is black while b is still gray; the roots are pushed
     * in registration order, so b is traced first: re-gray b by moving
     * the order: trace one object at a time and stop when a is black. */
    int guard = 0;
    while (!(gull_debug_color(h, a) == GULL_COLOR_BLACK && gull_debug_color(h, b) == GULL_COLOR_GRAY) &&
           gull_debug_phase(h) == GULL_PHASE_MARK && guard++ < 100)
        gull_debug_step(h, 1);
    void *v = b->car;
    if (gull_debug_color(h, v) == GULL_COLOR_WHITE) {
        /* The adversarial case: black a gets the only other edge to white v. */
        GULL_WRITE(h, a, &a->car, v);
        GULL_WRITE(h, b, &b->car, NULL);
        cr_expect_neq(gull_debug_color(h, v), GULL_COLOR_WHITE, "the overwritten value was not shaded");
    } else {
        GULL_WRITE(h, a, &a->car, v);
        GULL_WRITE(h, b, &b->car, NULL);
    }
    v = NULL;
    finish_cycle(h);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_expect_eq(list_len(h, a->car), 50, "the moved list lost cells");
    no_errors();
    gull_heap_destroy(h);
}

/* Cut the last edge to an unmarked subgraph, keeping it only in a C local
 * and then in an object allocated during the cycle (black). */
Test(inc, last_edge_to_white_subgraph_cut_while_marking)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_cell *holder = NULL;
    gull_root_add(h, (void **)&holder);
    void *sub = make_list(h, t.cell, 200);
    holder = tu_cons(h, t.cell, NULL, sub);
    holder = tu_cons(h, t.cell, NULL, holder); /* the subgraph is two hops from the root */
    sub = NULL;
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    tu_cell *mid = holder->cdr;
    cr_assert_eq(gull_debug_color(h, mid), GULL_COLOR_WHITE);
    void *head = mid->cdr; /* white, reachable only through mid */
    cr_assert_eq(gull_debug_color(h, head), GULL_COLOR_WHITE);
    GULL_WRITE(h, mid, &mid->cdr, NULL); /* the last edge: the barrier shades head */
    cr_expect_eq(gull_debug_color(h, head), GULL_COLOR_GRAY);
    tu_cell *keeper = gull_alloc(h, t.cell, sizeof(tu_cell)); /* black */
    GULL_WRITE(h, keeper, &keeper->cdr, head);
    GULL_WRITE(h, holder, &holder->car, keeper);
    head = NULL;
    finish_cycle(h);
    gull_collect(h, GULL_COLLECT_MINOR);
    cr_expect_eq(list_len(h, keeper->cdr), 200);
    no_errors();
    gull_heap_destroy(h);
}

/* The verifier catches a store that skipped the barrier while marking. */
Test(inc, verify_reports_a_store_without_barrier)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_cell *holder = NULL;
    gull_root_add(h, (void **)&holder);
    void *sub = make_list(h, t.cell, 20);
    holder = tu_cons(h, t.cell, NULL, tu_cons(h, t.cell, NULL, sub));
    sub = NULL;
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    gull_debug_step(h, 1); /* holder black, its cdr gray or white */
    tu_cell *mid = holder->cdr;
    void *head = mid->cdr;
    mid->cdr = NULL;     /* no barrier: the host's bug */
    holder->car = head;  /* ... and again */
    finish_cycle(h);
    cr_expect(tu_err_has(GULL_ERR_VERIFY, "not marked", NULL, NULL) ||
                  tu_err_has(GULL_ERR_VERIFY, "points to white", NULL, NULL),
              "the verifier did not notice the missing barrier (%d errors)", tu_err.count);
    holder->car = NULL;
    gull_heap_destroy(h);
}

/* Minor collections between steps: young objects linked into gray, white
 * and black old objects, promoted or freed while the major marks. */
Test(inc, minor_collections_between_steps)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_vec *roots = NULL;
    gull_root_add(h, (void **)&roots);
    enum { N = 64 };
    roots = gull_alloc(h, t.vec, sizeof(tu_vec) + N * sizeof(void *));
    roots->n = N;
    for (int i = 0; i < N; i++)
        GULL_WRITE(h, roots, &roots->items[i], make_list(h, t.cell, 30));
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_debug_start_cycle(h);
    int round = 0;
    while (gull_debug_step(h, 256)) {
        int i = round % N;
        /* Prepend young cells to list i (the head may be white, gray or black). */
        tu_cell *c = tu_cons(h, t.cell, TU_FIX(-1), roots->items[i]);
        GULL_WRITE(h, roots, &roots->items[i], c);
        /* Drop the old head of another list: the rest must stay. */
        int j = (round * 7 + 3) % N;
        tu_cell *l = roots->items[j];
        if (l && l->cdr && TU_UNFIX(l->car) != -1)
            GULL_WRITE(h, roots, &roots->items[j], l->cdr);
        if (round % 3 == 0)
            gull_collect(h, GULL_COLLECT_MINOR);
        round++;
        cr_assert_lt(round, 100000);
    }
    gull_collect(h, GULL_COLLECT_MAJOR);
    for (int i = 0; i < N; i++) {
        int n = 0;
        for (tu_cell *c = roots->items[i]; c; c = c->cdr, n++)
            cr_assert(TU_IS_FIX(c->car), "list %d cell %d was freed or overwritten", i, n);
    }
    no_errors();
    gull_heap_destroy(h);
}

/* A weak reference read while marking hands the host an object the
 * snapshot may not reach: the read must keep it. */
Test(inc, weak_reference_read_while_marking_keeps_the_target)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    void *target = NULL;
    gull_root_add(h, &target);
    target = make_list(h, t.cell, 10);
    gull_weak *w = gull_weak_new(h, target);
    gull_collect(h, GULL_COLLECT_MINOR); /* target is old */
    target = NULL;                       /* ... and reachable only weakly now */
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    void *got = gull_weak_get(h, w);
    cr_assert_not_null(got, "not cleared before the cycle ends");
    void *kept = NULL;
    gull_root_add(h, &kept);
    kept = got; /* a root now: must survive */
    finish_cycle(h);
    cr_expect_eq(gull_weak_get(h, w), kept);
    cr_expect_eq(list_len(h, kept), 10);
    no_errors();
    gull_weak_free(h, w);
    gull_heap_destroy(h);
}

Test(inc, finalizers_run_after_the_cycle_once)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_fin_reset(100);
    void *keep = NULL;
    gull_root_add(h, &keep);
    for (int i = 0; i < 100; i++) {
        tu_fnode *n = tu_fnode_new(h, t.fnode, i);
        if (i % 2 == 0) {
            GULL_WRITE(h, n, &n->a, keep);
            keep = n;
        }
    }
    gull_collect(h, GULL_COLLECT_MINOR); /* odd ones die young */
    long young_dead = tu_fin.count;
    cr_expect_eq(young_dead, 50);
    keep = NULL; /* the even ones die old */
    gull_debug_start_cycle(h);
    while (gull_debug_phase(h) != GULL_PHASE_IDLE) {
        cr_expect_eq(tu_fin.count, young_dead, "a finalizer ran before its cycle ended");
        gull_debug_step(h, 256);
    }
    gull_run_finalizers(h);
    cr_expect_eq(tu_fin.count, 100);
    cr_expect_eq(tu_fin.twice, 0);
    cr_expect_eq(tu_fin.bad_magic, 0);
    cr_expect_eq(tu_fin.in_pause, 0);
    no_errors();
    gull_heap_destroy(h);
}

/* Allocation pays for marking: a loop that keeps a large structure and
 * makes garbage finishes its cycles on its own, and the heap stays within
 * the bound pacing.c states (.assist). */
/* A paced workload: ~3 MB of live cells, 40 rounds of young garbage and a
 * slice of the live list replaced (old garbage for the majors).  Returns
 * the heap (the caller checks and destroys it) and the peak committed. */
static gull_heap *paced_workload(gull_config *c, size_t *peak)
{
    gull_heap *h = tu_heap(c);
    tu_types t = tu_register_types(h);
    static void *live;
    live = NULL;
    gull_root_add(h, &live);
    live = make_list(h, t.cell, 200000); /* ~3 MB of cells (16 bytes each) */
    *peak = 0;
    for (int round = 0; round < 40; round++) {
        (void)make_list(h, t.cell, 100000);
        tu_cell *p = live;
        for (int i = 0; i < round * 1000 && p->cdr; i++)
            p = p->cdr;
        GULL_WRITE(h, p, &p->cdr, make_list(h, t.cell, 1000));
        gull_memory_report r;
        gull_memory_report_get(h, &r);
        if (r.heap_committed > *peak)
            *peak = r.heap_committed;
    }
    gull_root_remove(h, &live);
    return h;
}

Test(inc, allocation_paced_cycles_keep_the_heap_bounded)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_INC;
    c.heap_initial = 4 << 20;
    size_t peak;
    gull_heap *h = paced_workload(&c, &peak);
    gull_stats s = tu_stats(h);
    cr_expect_gt(s.major_collections, 0, "no incremental cycle finished");
    cr_expect_gt(s.mark_steps, s.major_collections, "cycles ran in one step each");
    cr_expect_lt(peak, (size_t)64 << 20, "committed %zu bytes for ~3.5 MB live", peak);
    no_errors();
    gull_heap_destroy(h);
}

/* GULL_STEP_SHARE (pacing.c .spacing): out of range from the host is
 * reported and replaced by the default; at both ends of its range, paced
 * cycles still finish and the heap stays bounded (the smallest share lets
 * marking fall behind, and the assists past 1.25x the target catch up). */
Test(inc, step_share_bounds_and_both_ends_finish_cycles)
{
    gull_config c;
    tu_config(&c);
    c.mode = GULL_MODE_INC;
    c.step_share = 5;
    gull_heap *h = tu_heap(&c);
    cr_expect(tu_err_has(GULL_ERR_BAD_CONFIG, "step_share", NULL, NULL), "no message: %s", tu_err.last_msg);
    gull_config got;
    gull_get_config(h, &got);
    cr_expect_eq(got.step_share, 0.5);
    gull_heap_destroy(h);
    tu_err_reset();

    const double shares[] = {1.0, 0.05};
    for (int k = 0; k < 2; k++) {
        tu_config(&c);
        c.mode = GULL_MODE_INC;
        c.heap_initial = 4 << 20;
        c.step_share = shares[k];
        size_t peak;
        h = paced_workload(&c, &peak);
        gull_stats s = tu_stats(h);
        cr_expect_gt(s.major_collections, 0, "share %g: no incremental cycle finished", shares[k]);
        cr_expect_lt(peak, (size_t)64 << 20, "share %g: committed %zu bytes for ~3.5 MB live",
                     shares[k], peak);
        no_errors();
        gull_heap_destroy(h);
    }
}

Test(inc, host_steps_finish_cycles)
{
    gull_heap *h = inc_heap(0, false);
    tu_types t = tu_register_types(h);
    void *live = NULL;
    gull_root_add(h, &live);
    live = make_list(h, t.cell, 300000); /* past the trigger: a host step starts a cycle */
    gull_collect(h, GULL_COLLECT_MINOR);
    int n = 0;
    bool running = gull_step(h, 200000);
    cr_expect(running || tu_stats(h).major_collections > 0, "a host step did not start a cycle");
    while (running && n++ < 100000)
        running = gull_step(h, 200000);
    cr_expect_eq(tu_stats(h).major_collections, 1);
    cr_expect_eq(list_len(h, live), 300000);
    no_errors();
    gull_heap_destroy(h);
}

Test(inc, explicit_major_during_a_cycle_collects_everything)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    void *live = NULL;
    gull_root_add(h, &live);
    live = make_list(h, t.cell, 1000);
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK, 0);
    /* Garbage made after the snapshot: a cycle in progress would keep it. */
    void *g = live;
    live = make_list(h, t.cell, 10);
    gull_weak *w = gull_weak_new(h, g);
    g = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_expect_eq(gull_debug_phase(h), GULL_PHASE_IDLE);
    cr_expect_null(gull_weak_get(h, w), "an explicit major left garbage of the running cycle's snapshot");
    cr_expect_eq(list_len(h, live), 10);
    no_errors();
    gull_weak_free(h, w);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- random schedules */

#define RN 1500
typedef struct model {
    tu_fnode *obj[RN];     /* NULL: not allocated yet, or given up as garbage */
    int edge[RN][2];       /* -1 = NULL */
    int nroots;
    int root[32];
    bool reach[RN];
} model;

static void model_reach(model *m)
{
    int stack[RN], sp = 0;
    memset(m->reach, 0, sizeof m->reach);
    for (int k = 0; k < m->nroots; k++)
        if (m->root[k] >= 0 && !m->reach[m->root[k]]) {
            m->reach[m->root[k]] = true;
            stack[sp++] = m->root[k];
        }
    while (sp) {
        int i = stack[--sp];
        for (int s = 0; s < 2; s++) {
            int j = m->edge[i][s];
            if (j >= 0 && !m->reach[j]) {
                m->reach[j] = true;
                stack[sp++] = j;
            }
        }
    }
    for (int i = 0; i < RN; i++)
        if (!m->reach[i])
            m->obj[i] = NULL; /* garbage: never touched again */
}

static int pick_reachable(model *m, unsigned *seed)
{
    for (int tries = 0; tries < 50; tries++) {
        int i = rand_r(seed) % RN;
        if (m->obj[i] && m->reach[i])
            return i;
    }
    return -1;
}

static void random_schedule(unsigned seed, double ratio)
{
    unsigned s = seed;
    gull_heap *h = inc_heap(ratio, true);
    tu_types t = tu_register_types(h);
    tu_fin_reset(RN);
    static model m;
    memset(&m, 0, sizeof m);
    memset(m.edge, -1, sizeof m.edge);
    m.nroots = 32;
    tu_vec *rv = NULL;
    gull_root_add(h, (void **)&rv);
    rv = gull_alloc(h, t.vec, sizeof(tu_vec) + 32 * sizeof(void *));
    rv->n = 32;
    for (int k = 0; k < 32; k++)
        m.root[k] = -1;
    int next = 0;
    for (int op = 0; op < 6000; op++) {
        int r = rand_r(&s) % 100;
        if (r < 25 && next < RN) {            /* allocate, hang it somewhere */
            tu_fnode *n = tu_fnode_new(h, t.fnode, next);
            m.obj[next] = n;
            m.reach[next] = true;
            int k = rand_r(&s) % 32;
            if (rand_r(&s) % 2 || m.root[k] < 0) {
                GULL_WRITE(h, rv, &rv->items[k], n);
                m.root[k] = next;
            } else {
                int i = pick_reachable(&m, &s);
                if (i >= 0) {
                    int sl = rand_r(&s) % 2;
                    GULL_WRITE(h, m.obj[i], sl ? &m.obj[i]->b : &m.obj[i]->a, n);
                    m.edge[i][sl] = next;
                }
            }
            next++;
        } else if (r < 60) {                  /* move an edge */
            int i = pick_reachable(&m, &s), j = pick_reachable(&m, &s);
            if (i >= 0) {
                int sl = rand_r(&s) % 2;
                void *v = j >= 0 && rand_r(&s) % 4 ? m.obj[j] : NULL;
                GULL_WRITE(h, m.obj[i], sl ? &m.obj[i]->b : &m.obj[i]->a, v);
                m.edge[i][sl] = v ? j : -1;
            }
        } else if (r < 75) {                  /* change a root */
            int k = rand_r(&s) % 32, j = pick_reachable(&m, &s);
            void *v = j >= 0 && rand_r(&s) % 3 ? m.obj[j] : NULL;
            GULL_WRITE(h, rv, &rv->items[k], v);
            m.root[k] = v ? j : -1;
        } else if (r < 92) {                  /* a step */
            if (gull_debug_phase(h) == GULL_PHASE_IDLE && rand_r(&s) % 4 == 0)
                gull_debug_start_cycle(h);
            else
                gull_debug_step(h, (size_t)(rand_r(&s) % 2048));
        } else if (r < 97) {
            gull_collect(h, GULL_COLLECT_MINOR);
        } else {
            gull_run_finalizers(h);
        }
        model_reach(&m);
        if (op % 200 == 0 || op == 5999) {
            for (int i = 0; i < RN; i++) {
                if (!m.obj[i])
                    continue;
                cr_assert(gull_is_object(h, m.obj[i]), "seed %u op %d: live node %d was freed", seed, op, i);
                cr_assert_eq(m.obj[i]->magic, TU_FNODE_MAGIC, "seed %u op %d: node %d overwritten", seed, op, i);
                cr_assert_eq(m.obj[i]->id, i);
                cr_assert(!tu_finalized(i), "seed %u op %d: reachable node %d was finalized", seed, op, i);
            }
        }
    }
    while (gull_debug_step(h, 1 << 20))
        ;
    /* Objects still waiting for their finalizers are roots of the next
     * collection (finalize.c): run them first, so that one full
     * collection finds every garbage node. */
    gull_run_finalizers(h);
    gull_collect(h, GULL_COLLECT_MAJOR);
    model_reach(&m);
    for (int i = 0; i < next; i++) {
        if (m.obj[i])
            cr_assert(!tu_finalized(i), "seed %u: reachable node %d was finalized", seed, i);
        else
            cr_assert(tu_finalized(i), "seed %u: garbage node %d was never finalized", seed, i);
    }
    cr_assert_eq(tu_fin.twice, 0, "seed %u", seed);
    cr_assert_eq(tu_fin.bad_magic, 0, "seed %u", seed);
    if (tu_err.count)
        tu_err_dump();
    cr_assert_eq(tu_err.count, 0, "seed %u: %s", seed, tu_err.last_msg);
    gull_heap_destroy(h);
}

static unsigned base_seed(void)
{
    const char *e = getenv("GULL_TEST_SEED");
    return e && *e ? (unsigned)strtoul(e, NULL, 10) : (unsigned)time(NULL);
}

Test(inc, random_schedules_lose_nothing)
{
    unsigned seed = base_seed();
    for (unsigned i = 0; i < 12; i++) {
        cr_log_info("seed %u (GULL_TEST_SEED=%u repeats it)", seed + i, seed + i);
        random_schedule(seed + i, i % 3 == 0 ? 2.0 : 0.0);
    }
}

/* external.c .unreachable in an incremental cycle: a finalizable object's
 * native bytes leave the count when the cycle finds it dead; one without a
 * finalizer gives them back when its cell is swept. */
Test(inc, native_bytes_of_dead_old_objects_are_released)
{
    gull_heap *h = inc_heap(0, true);
    tu_types t = tu_register_types(h);
    tu_fin_reset(10);
    void *fin = NULL, *plain = NULL;
    gull_root_add(h, &fin);
    gull_root_add(h, &plain);
    fin = tu_fnode_new(h, t.fnode, 1);
    plain = tu_cons(h, t.cell, NULL, NULL);
    gull_set_native_size(h, fin, 1000);
    gull_set_native_size(h, plain, 200);
    gull_collect(h, GULL_COLLECT_MINOR); /* both old */
    cr_assert_eq(tu_stats(h).external_bytes, 1200);
    fin = plain = NULL;
    gull_debug_start_cycle(h);
    step_until(h, GULL_PHASE_MARK_FINAL, 1 << 20);
    cr_expect_eq(tu_stats(h).external_bytes, 200, "the finalizable object's bytes were not released when found dead");
    finish_cycle(h);
    gull_run_finalizers(h);
    cr_expect_eq(tu_fin.count, 1);
    /* The plain object's cell is swept at the latest by the next cycle. */
    gull_debug_start_cycle(h);
    finish_cycle(h);
    cr_expect_eq(tu_stats(h).external_bytes, 0, "a dead object's native bytes were never released");
    no_errors();
    gull_heap_destroy(h);
}
