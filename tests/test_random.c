/* test_random.c — a randomized graph against a shadow model.
 *
 * The test keeps its own copy of the object graph (the shadow: edges by id,
 * root slots by id) and drives gull with random allocations, stores (through
 * gull_write or GULL_WRITE), root changes and collections.  Every node has a
 * finalizer that records its id.  The checks:
 *   .alive  a node finalized while the shadow says it is reachable = failure;
 *   .dead   after gull_collect(MAJOR) + gull_run_finalizers, every allocated
 *           node the shadow says is unreachable has been finalized;
 *   .intact after every collection, every reachable node's id, magic word and
 *           slots equal the shadow's;
 *   .weak   weak handles read their target while it is reachable and NULL
 *           once it was finalized; .once: no node is finalized twice.
 * Reachability is computed by the test's own BFS over the shadow.
 *
 * The seed is printed on stderr ("test_random seed=NNN") and read back from
 * the environment variable RANDOM_SEED (not GULL_-prefixed: gull reports
 * unknown GULL_* variables).
 */
#include "testutil.h"

#include <time.h>
#include <unistd.h>

#define MAXOBJ 60000
#define NSLOTS 4
#define NRANGE 24
#define NCB 8
#define RN_MAGIC 0x7a7a1234L

typedef struct rnode {
    long id;
    long magic;
    void *slot[NSLOTS];
} rnode;

static void rnode_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    rnode *n = obj;
    for (int k = 0; k < NSLOTS; k++)
        visit(&n->slot[k], ctx);
}

/* ---------------------------------------------------------------- shadow */

enum { ST_UNUSED = 0, ST_ALLOCATED, ST_FINALIZED };
#define E_NULL (-1)
#define E_IMM (-2)
#define IMM_OF(k) TU_FIX(1000 + (k))

static struct {
    int edge[MAXOBJ][NSLOTS];
    rnode *ptr[MAXOBJ];
    unsigned char state[MAXOBJ];
    unsigned char reach[MAXOBJ];
    gull_weak *weak[MAXOBJ];
    int reach_list[MAXOBJ];
    int nreach;
    bool dirty;
    int nobj;
    int root_id[NRANGE + NCB]; /* E_NULL, E_IMM or an id */
    int queue[MAXOBJ];
    /* finalizer log */
    int dead[MAXOBJ];
    int ndead;
    long bad_magic, bad_ptr;
} S;

static void *range_roots[NRANGE];
static void *cb_roots[NCB];
static gull_heap *H;

static void cb_visit(gull_heap *h, gull_visit_fn visit, void *visit_ctx, void *ctx)
{
    (void)h; (void)ctx;
    for (int i = 0; i < NCB; i++)
        visit(&cb_roots[i], visit_ctx);
}

static void **root_slot(int j)
{
    return j < NRANGE ? &range_roots[j] : &cb_roots[j - NRANGE];
}

static void rnode_finalize(gull_heap *h, void *obj)
{
    (void)h;
    rnode *n = obj;
    if (n->magic != RN_MAGIC || n->id < 0 || n->id >= MAXOBJ) {
        S.bad_magic++;
        return;
    }
    if (S.ptr[n->id] != n)
        S.bad_ptr++;
    S.dead[S.ndead++] = (int)n->id;
}

static void compute_reach(void)
{
    if (!S.dirty)
        return;
    memset(S.reach, 0, sizeof S.reach);
    int qh = 0, qt = 0;
    for (int j = 0; j < NRANGE + NCB; j++) {
        int id = S.root_id[j];
        if (id >= 0 && !S.reach[id]) {
            S.reach[id] = 1;
            S.queue[qt++] = id;
        }
    }
    while (qh < qt) {
        int id = S.queue[qh++];
        for (int k = 0; k < NSLOTS; k++) {
            int c = S.edge[id][k];
            if (c >= 0 && !S.reach[c]) {
                S.reach[c] = 1;
                S.queue[qt++] = c;
            }
        }
    }
    S.nreach = qt;
    memcpy(S.reach_list, S.queue, (size_t)qt * sizeof(int));
    S.dirty = false;
}

/* ---------------------------------------------------------------- rng */

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static int rnd_below(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static uint64_t get_seed(void)
{
    const char *e = getenv("RANDOM_SEED");
    if (e && *e)
        return strtoull(e, NULL, 0);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_nsec * 2654435761u) ^ ((uint64_t)ts.tv_sec << 20) ^
           (uint64_t)getpid();
}

/* ---------------------------------------------------------------- checks */

static long steps_done;
static uint64_t seed_used;
#define FAIL(...)                                                                  \
    cr_assert_fail("seed=%llu step=%ld: %s", (unsigned long long)seed_used,       \
                   steps_done, (snprintf(failbuf, sizeof failbuf, __VA_ARGS__), failbuf))
static char failbuf[1024];

/* .alive, .once: validate the finalizations recorded since the last call.
 * The shadow has not changed since the collection that found them. */
static void process_deaths(void)
{
    if (S.bad_magic)
        FAIL("a finalizer saw a node with a broken magic/id");
    if (S.bad_ptr)
        FAIL("a finalizer got a pointer that is not the node's address");
    if (S.ndead == 0)
        return;
    compute_reach();
    for (int i = 0; i < S.ndead; i++) {
        int id = S.dead[i];
        if (S.state[id] == ST_FINALIZED)
            FAIL("node %d finalized twice", id);
        if (S.state[id] != ST_ALLOCATED)
            FAIL("node %d finalized but never allocated", id);
        if (S.reach[id])
            FAIL("node %d finalized while reachable", id);
        S.state[id] = ST_FINALIZED;
        if (S.weak[id] && gull_weak_get(H, S.weak[id]) != NULL)
            FAIL("weak handle of finalized node %d not cleared", id);
    }
    S.ndead = 0;
}

/* .intact, .weak */
static void check_reachable_intact(void)
{
    compute_reach();
    for (int i = 0; i < S.nreach; i++) {
        int id = S.reach_list[i];
        rnode *n = S.ptr[id];
        if (S.state[id] != ST_ALLOCATED)
            FAIL("reachable node %d is in state %d", id, S.state[id]);
        if (n->id != id || n->magic != RN_MAGIC)
            FAIL("reachable node %d overwritten (id %ld magic %lx)", id, n->id,
                 (unsigned long)n->magic);
        for (int k = 0; k < NSLOTS; k++) {
            int e = S.edge[id][k];
            void *want = e >= 0 ? (void *)S.ptr[e] : e == E_IMM ? IMM_OF(k) : NULL;
            if (n->slot[k] != want)
                FAIL("node %d slot %d is %p, expected %p (edge %d)", id, k, n->slot[k], want, e);
        }
        if (S.weak[id] && gull_weak_get(H, S.weak[id]) != n)
            FAIL("weak handle of reachable node %d lost its target", id);
    }
    for (int j = 0; j < NRANGE + NCB; j++) {
        int e = S.root_id[j];
        void *want = e >= 0 ? (void *)S.ptr[e] : e == E_IMM ? IMM_OF(j) : NULL;
        if (*root_slot(j) != want)
            FAIL("root %d changed", j);
    }
}

/* .dead */
static void check_all_garbage_finalized(void)
{
    compute_reach();
    for (int id = 0; id < S.nobj; id++)
        if (S.state[id] == ST_ALLOCATED && !S.reach[id])
            FAIL("unreachable node %d not finalized after a major collection", id);
}

/* ---------------------------------------------------------------- mutator */

static gull_type RN;
static size_t pick_size(void)
{
    int r = rnd_below(1000);
    if (r < 5)
        return 40000 + (size_t)rnd_below(40000); /* large */
    if (r < 40)
        return 2049 + (size_t)rnd_below(3000);    /* just past small */
    if (r < 200)
        return sizeof(rnode) + (size_t)rnd_below(500);
    return sizeof(rnode);
}

static void store(rnode *obj, int k, int e)
{
    void *v = e >= 0 ? (void *)S.ptr[e] : e == E_IMM ? IMM_OF(k) : NULL;
    if (rnd() & 1)
        gull_write(H, obj, &obj->slot[k], v);
    else
        GULL_WRITE(H, obj, &obj->slot[k], v);
    if (S.edge[obj->id][k] >= 0)
        S.dirty = true; /* an edge went away */
    S.edge[obj->id][k] = e;
}

static int random_reachable(void)
{
    compute_reach();
    if (S.nreach == 0)
        return -1;
    return S.reach_list[rnd_below(S.nreach)];
}

/* A value for a store: a reachable node, NULL or an immediate. */
static int random_value(void)
{
    int r = rnd_below(10);
    if (r < 7) {
        int id = random_reachable();
        return id >= 0 ? id : E_NULL;
    }
    return r < 9 ? E_NULL : E_IMM;
}

static void set_root(int j, int e)
{
    void *v = e >= 0 ? (void *)S.ptr[e] : e == E_IMM ? IMM_OF(j) : NULL;
    if (S.root_id[j] >= 0)
        S.dirty = true;
    *root_slot(j) = v;
    S.root_id[j] = e;
}

static void op_alloc(void)
{
    if (S.nobj >= MAXOBJ)
        return;
    size_t size = pick_size();
    rnode *n = gull_alloc(H, RN, size);
    if (!n)
        FAIL("gull_alloc(%zu) returned NULL", size);
    process_deaths(); /* the allocation may have collected */
    int id = S.nobj++;
    if ((uintptr_t)n & 15u)
        FAIL("node %d misaligned", id);
    for (int k = 0; k < NSLOTS; k++)
        if (n->slot[k])
            FAIL("fresh node %d slot %d not zeroed", id, k);
    n->id = id;
    n->magic = RN_MAGIC;
    S.ptr[id] = n;
    S.state[id] = ST_ALLOCATED;
    for (int k = 0; k < NSLOTS; k++)
        S.edge[id][k] = E_NULL;
    if (id % 4 == 0)
        S.weak[id] = gull_weak_new(H, n);
    /* children: existing reachable nodes (no allocation in between) */
    for (int k = 0; k < NSLOTS; k++)
        if (rnd_below(3) == 0)
            store(n, k, random_value());
    /* attach: to a root, into a reachable node, or nowhere (garbage) */
    int r = rnd_below(10);
    compute_reach();
    if (r < 4) {
        set_root(rnd_below(NRANGE + NCB), id);
    } else if (r < 9 && S.nreach > 0) {
        int p = random_reachable();
        store(S.ptr[p], rnd_below(NSLOTS), id);
    } else {
        return; /* garbage: reach stays as computed, id unreachable */
    }
    if (!S.dirty) { /* attached to a reachable place: extend the reach list */
        S.reach[id] = 1;
        S.reach_list[S.nreach++] = id; /* its children were reachable already */
    }
}

static void op_store(void)
{
    int a = random_reachable();
    if (a < 0)
        return;
    store(S.ptr[a], rnd_below(NSLOTS), random_value());
}

static void op_root(void)
{
    int j = rnd_below(NRANGE + NCB);
    int r = rnd_below(10);
    set_root(j, r < 5 ? random_value() : r < 9 ? E_NULL : E_IMM);
}

static void op_collect(gull_collect_kind kind, bool on_demand)
{
    if (kind == GULL_COLLECT_MAJOR && on_demand) {
        /* Objects waiting for their finalizer keep what they reference
         * alive (it must stay valid during the finalizer), so .dead holds
         * only for a major that starts with no finalizer pending. */
        gull_run_finalizers(H);
        process_deaths();
    }
    gull_collect(H, kind);
    process_deaths();
    check_reachable_intact();
    if (kind == GULL_COLLECT_MAJOR) {
        gull_run_finalizers(H);
        process_deaths();
        check_all_garbage_finalized();
    }
}

/* ---------------------------------------------------------------- driver */

typedef struct rcase {
    const char *name;
    gull_mode mode;
    size_t nursery;
    unsigned promote_age;
    unsigned long stress;
    unsigned verify;
    bool on_demand;
    long steps;
} rcase;

static void run_case(const rcase *rc)
{
    seed_used = get_seed();
    fprintf(stderr, "test_random seed=%llu (case %s; rerun with RANDOM_SEED=%llu)\n",
            (unsigned long long)seed_used, rc->name, (unsigned long long)seed_used);
    rng_state = seed_used;
    memset(&S, 0, sizeof S);
    memset(range_roots, 0, sizeof range_roots);
    memset(cb_roots, 0, sizeof cb_roots);
    for (int j = 0; j < NRANGE + NCB; j++)
        S.root_id[j] = E_NULL;
    S.dirty = true;

    gull_config c;
    tu_config(&c);
    c.mode = rc->mode;
    if (rc->nursery)
        c.nursery_size = rc->nursery;
    if (rc->promote_age)
        c.promote_age = rc->promote_age;
    c.stress = rc->stress;
    c.verify = rc->verify;
    c.finalize_on_demand = rc->on_demand;
    H = tu_heap(&c);
    gull_type_desc d = {"rnode", rnode_trace, 0, rnode_finalize, NULL, NULL};
    RN = gull_register_type(H, &d);
    cr_assert_neq(RN.id, 0);
    cr_assert(gull_root_range_add(H, range_roots, range_roots + NRANGE));
    cr_assert(gull_root_callback_add(H, cb_visit, NULL));

    for (steps_done = 0; steps_done < rc->steps; steps_done++) {
        int r = rnd_below(100);
        compute_reach();
        bool crowded = S.nreach > 4000; /* keep the live graph bounded */
        if (r < 45) {
            if (crowded)
                set_root(rnd_below(NRANGE + NCB), E_NULL);
            else
                op_alloc();
        } else if (r < 75) {
            op_store();
        } else if (r < 88) {
            op_root();
        } else if (r < 94) {
            op_collect(GULL_COLLECT_MINOR, rc->on_demand);
        } else if (r < 95) {
            op_collect(GULL_COLLECT_MAJOR, rc->on_demand);
        } else if (r < 96) {
            gull_run_finalizers(H);
            process_deaths();
        } else {
            op_alloc();
        }
        if (tu_err.count)
            FAIL("gull reported an error: %.300s", tu_err.last_msg);
        if (S.nobj >= MAXOBJ)
            break;
    }
    op_collect(GULL_COLLECT_MAJOR, rc->on_demand);
    /* Drop everything: every node must die. */
    for (int j = 0; j < NRANGE + NCB; j++)
        set_root(j, E_NULL);
    op_collect(GULL_COLLECT_MAJOR, rc->on_demand);
    for (int id = 0; id < S.nobj; id++)
        if (S.state[id] != ST_FINALIZED)
            FAIL("node %d never finalized after all roots were dropped", id);
    gull_stats s = tu_stats(H);
    cr_assert_gt(s.minor_collections + s.major_collections, 10);
    cr_assert_eq(tu_err.count, 0, "gull reported an error: %s", tu_err.last_msg);
    for (int id = 0; id < S.nobj; id++)
        if (S.weak[id])
            gull_weak_free(H, S.weak[id]);
    gull_heap_destroy(H);
    H = NULL;
}

Test(random, gen_small_nursery)
{
    rcase rc = {"gen_small_nursery", GULL_MODE_GEN, 64 << 10, 0, 0, 0, false, 40000};
    run_case(&rc);
}

Test(random, gen_promote_age_1)
{
    rcase rc = {"gen_promote_age_1", GULL_MODE_GEN, 128 << 10, 1, 0, 0, false, 40000};
    run_case(&rc);
}

Test(random, gen_promote_age_3)
{
    rcase rc = {"gen_promote_age_3", GULL_MODE_GEN, 128 << 10, 3, 0, 0, false, 40000};
    run_case(&rc);
}

Test(random, full_mode)
{
    rcase rc = {"full_mode", GULL_MODE_FULL, 128 << 10, 0, 0, 0, false, 40000};
    run_case(&rc);
}

Test(random, gen_stress)
{
    rcase rc = {"gen_stress", GULL_MODE_GEN, 0, 2, 7, 0, false, 20000};
    run_case(&rc);
}

Test(random, gen_verify)
{
    rcase rc = {"gen_verify", GULL_MODE_GEN, 64 << 10, 2, 0, 1, false, 20000};
    run_case(&rc);
}

Test(random, gen_finalize_on_demand)
{
    rcase rc = {"gen_finalize_on_demand", GULL_MODE_GEN, 64 << 10, 0, 0, 0, true, 40000};
    run_case(&rc);
}
