/* test_deep.c — structures too deep for a recursive marker (DESIGN.md
 * section 3: marking uses an explicit mark stack, never C recursion).
 *
 * Each test body runs on a thread whose stack is exactly 8 MiB (the default
 * on Linux), so a recursive marker overflows it whatever the ulimit of the
 * machine running the tests.
 */
#include "testutil.h"

#include <pthread.h>

static void run_on_8mib_stack(void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    pthread_t th;
    cr_assert_eq(pthread_attr_init(&a), 0);
    cr_assert_eq(pthread_attr_setstacksize(&a, (size_t)8 << 20), 0);
    cr_assert_eq(pthread_create(&th, &a, fn, arg), 0);
    void *ret = NULL;
    cr_assert_eq(pthread_join(th, &ret), 0);
    pthread_attr_destroy(&a);
}

static void check_list(void *head, long n, const char *when)
{
    long i = n - 1;
    for (tu_cell *c = head; c; c = c->cdr, i--) {
        if (TU_UNFIX(c->car) != i || !TU_IS_FIX(c->car))
            cr_assert_fail("list corrupted %s at element %ld (car=%p)", when, i, c->car);
    }
    cr_assert_eq(i, -1, "list has the wrong length %s (%ld cells missing)", when, i + 1);
}

/* ---------------------------------------------------------------- 10M list */

#define LIST_N 10000000L

static void *long_list(void *arg)
{
    gull_mode mode = *(gull_mode *)arg;
    gull_heap *h = tu_heap_mode(mode);
    tu_types t = tu_register_types(h);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    for (long i = 0; i < LIST_N; i++) {
        tu_cell *c = gull_alloc(h, t.cell, sizeof *c);
        if (!c)
            cr_assert_fail("alloc failed at %ld", i);
        gull_write(h, c, &c->car, TU_FIX(i));
        gull_write(h, c, &c->cdr, root);
        root = c;
    }
    check_list(root, LIST_N, "after building");
    /* The first collection sees ten million young cells in a chain. */
    gull_collect(h, GULL_COLLECT_MINOR);
    check_list(root, LIST_N, "after the first minor");
    gull_collect(h, GULL_COLLECT_MAJOR);
    check_list(root, LIST_N, "after a major");
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    check_list(root, LIST_N, "after several collections");

    gull_stats before = tu_stats(h);
    cr_assert_geq(before.heap_live, (size_t)LIST_N * 16,
                  "heap_live %zu below the live list's %ld bytes", before.heap_live,
                  LIST_N * 16);
    cr_assert_geq(before.last_objects_marked, (uint64_t)(mode == GULL_MODE_FULL ? LIST_N : 0));
    root = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats mid = tu_stats(h);
    cr_assert_lt(mid.heap_live, (size_t)1 << 20,
                 "heap_live still %zu after the list was dropped", mid.heap_live);
    gull_collect(h, GULL_COLLECT_MAJOR); /* every block swept by now */
    gull_stats after = tu_stats(h);
    cr_assert_geq(after.bytes_freed - before.bytes_freed, (uint64_t)LIST_N * 16,
                  "bytes_freed grew by only %llu after dropping %ld bytes",
                  (unsigned long long)(after.bytes_freed - before.bytes_freed), LIST_N * 16);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_root_remove(h, &root);
    gull_heap_destroy(h);
    return NULL;
}

Test(deep, list_of_ten_million_gen)
{
    gull_mode m = GULL_MODE_GEN;
    run_on_8mib_stack(long_list, &m);
}

Test(deep, list_of_ten_million_full)
{
    gull_mode m = GULL_MODE_FULL;
    run_on_8mib_stack(long_list, &m);
}

/* ---------------------------------------------------------------- deep tree */

#define TREE_DEPTH 1000000L

/* node: {child, leaf} where leaf is a small finalizable object; the child
 * chain is a million deep and every level also has a sibling, so a marker
 * that pushes both children needs a mark stack a million entries deep. */
typedef struct tnode {
    void *leaf;
    void *child;
} tnode;

static void tnode_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    tnode *n = obj;
    visit(&n->leaf, ctx);
    visit(&n->child, ctx);
}

/* The same shape traced child-first, so the depth-first order differs. */
static void tnode_trace_rev(void *obj, gull_visit_fn visit, void *ctx)
{
    tnode *n = obj;
    visit(&n->child, ctx);
    visit(&n->leaf, ctx);
}

static void check_tree(void *root, const char *when)
{
    long d = 0;
    for (tnode *n = root; n; n = n->child, d++) {
        tu_fnode *leaf = n->leaf;
        if (!leaf || leaf->id != d || leaf->magic != TU_FNODE_MAGIC)
            cr_assert_fail("tree broken %s at depth %ld", when, d);
    }
    cr_assert_eq(d, TREE_DEPTH, "tree depth %ld %s", d, when);
}

static void *deep_tree(void *arg)
{
    int variant = *(int *)arg;
    tu_fin_reset(TREE_DEPTH);
    gull_heap *h = tu_heap_mode(GULL_MODE_GEN);
    tu_types t = tu_register_types(h);
    gull_type tn = tu_register(h, "tnode", variant ? tnode_trace_rev : tnode_trace, 0, NULL);
    void *root = NULL;
    cr_assert(gull_root_add(h, &root));
    /* Build top-down so the root is the oldest node and the deepest the youngest. */
    tnode *last = NULL;
    for (long d = 0; d < TREE_DEPTH; d++) {
        tnode *n = gull_alloc(h, tn, sizeof *n);
        if (!n)
            cr_assert_fail("alloc failed at depth %ld", d);
        if (last)
            gull_write(h, last, &last->child, n);
        else
            root = n;
        tu_fnode *leaf = tu_fnode_new(h, t.fnode, d);
        gull_write(h, n, &n->leaf, leaf);
        last = n;
        if (d % 100000 == 0) /* collections while building: some of it is old */
            gull_collect(h, d % 200000 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
    }
    gull_collect(h, GULL_COLLECT_MINOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    check_tree(root, "after collections");
    cr_assert_eq(tu_fin.count, 0, "%ld leaves of a rooted tree were finalized", tu_fin.count);

    gull_stats before = tu_stats(h);
    root = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, TREE_DEPTH, "only %ld of %ld leaves finalized", tu_fin.count,
                 TREE_DEPTH);
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_fin.bad_magic, 0);
    gull_collect(h, GULL_COLLECT_MAJOR); /* finalized leaves are reclaimed now */
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_stats after = tu_stats(h);
    cr_assert_lt(after.heap_live, (size_t)1 << 20, "heap_live %zu after dropping the tree",
                 after.heap_live);
    cr_assert_geq(after.bytes_freed - before.bytes_freed, (uint64_t)TREE_DEPTH * 48);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
    return NULL;
}

Test(deep, tree_a_million_deep)
{
    int v = 0;
    run_on_8mib_stack(deep_tree, &v);
}

Test(deep, tree_a_million_deep_child_first)
{
    int v = 1;
    run_on_8mib_stack(deep_tree, &v);
}

/* ---------------------------------------------------------------- large arrays */

#define ARR_N 100000L

static void *large_arrays(void *arg)
{
    (void)arg;
    tu_fin_reset(4 * ARR_N);
    gull_config c;
    tu_config(&c);
    c.nursery_size = 1 << 20; /* many automatic minors while filling */
    gull_heap *h = tu_heap(&c);
    tu_types t = tu_register_types(h);
    void *roots[3] = {NULL, NULL, NULL};
    cr_assert(gull_root_range_add(h, roots, roots + 3));
    tu_vec *v[3];
    for (int k = 0; k < 3; k++) {
        v[k] = gull_alloc(h, t.vec, sizeof(tu_vec) + ARR_N * sizeof(void *));
        cr_assert_not_null(v[k]);
        v[k]->n = ARR_N;
        roots[k] = v[k];
    }
    /* Array 0 is filled while young, array 1 after being made old by a
     * major collection (so every store is an old-to-young one), array 2 is
     * filled in one pass with objects that are themselves arrays' items. */
    for (long i = 0; i < ARR_N; i++)
        gull_write(h, v[0], &v[0]->items[i], tu_fnode_new(h, t.fnode, i));
    gull_collect(h, GULL_COLLECT_MAJOR);
    for (long i = 0; i < ARR_N; i++)
        gull_write(h, v[1], &v[1]->items[i], tu_fnode_new(h, t.fnode, ARR_N + i));
    for (long i = 0; i < ARR_N; i++)
        gull_write(h, v[2], &v[2]->items[i], v[(i & 1)]->items[i]);
    for (int r = 0; r < 3; r++) {
        gull_collect(h, GULL_COLLECT_MINOR);
        gull_collect(h, GULL_COLLECT_MINOR);
        gull_collect(h, GULL_COLLECT_MAJOR);
    }
    cr_assert_gt(tu_collections(h), 10);
    cr_assert_eq(tu_fin.count, 0, "%ld items of rooted arrays were finalized", tu_fin.count);
    for (int k = 0; k < 2; k++)
        for (long i = 0; i < ARR_N; i++) {
            tu_fnode *n = v[k]->items[i];
            if (!n || n->id != k * ARR_N + i || n->magic != TU_FNODE_MAGIC)
                cr_assert_fail("array %d item %ld broken", k, i);
        }
    /* Drop array 1: its odd items live on through array 2. */
    roots[1] = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, ARR_N / 2, "finalized %ld, expected %ld", tu_fin.count,
                 ARR_N / 2);
    for (long i = 0; i < ARR_N; i++) {
        bool dead = tu_finalized(ARR_N + i);
        if (dead != ((i & 1) == 0))
            cr_assert_fail("item %ld of dropped array 1: finalized=%d", i, dead);
    }
    roots[0] = roots[2] = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    cr_assert_eq(tu_fin.count, 2 * ARR_N, "finalized %ld, expected %ld", tu_fin.count,
                 2 * ARR_N);
    cr_assert_eq(tu_fin.twice, 0);
    cr_assert_eq(tu_err.count, 0, "unexpected error: %s", tu_err.last_msg);
    gull_heap_destroy(h);
    return NULL;
}

Test(deep, large_arrays_keep_small_objects)
{
    run_on_8mib_stack(large_arrays, NULL);
}
