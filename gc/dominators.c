/* dominators.c — the dominator tree of the live heap, and retained sizes.
 *
 * An object d dominates x when every path from the synthetic root
 * (heapgraph.c node 0) to x passes through d; x's retained size is its
 * own bytes (heap + native) plus those of everything it dominates: what
 * would be freed if x died.  The immediate dominators come from the
 * iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
 * Dominance Algorithm", 2001): each node's idom is the intersection of
 * its predecessors' dominator chains, repeated until nothing changes.
 *
 * .numbering  The paper numbers nodes in reverse postorder; the walk up
 *          two chains ("intersect") only needs every chain to decrease
 *          towards the root, so that the finger with the larger number is
 *          never an ancestor of the other.  heapgraph's breadth-first
 *          numbering (.order there) gives that: a node's BFS parent has a
 *          smaller number, and each new idom is taken on the chain of a
 *          predecessor with a smaller number (the first such one, seeded
 *          from the BFS parent on the first pass), so idom[x] < x always.
 *          The fixed point is the same in any order; breadth-first order
 *          may need a pass or two more than reverse postorder.  Cost:
 *          O(passes * edges), with a predecessor table of 4 bytes per edge.
 * .retained  Since idom[x] < x, one pass from the last node down adds each
 *          node's retained size to its idom's: no tree is built.
 * .by-type  The retained size of a type is that of the set of all its
 *          objects: the sum over its "topmost" objects, those with no
 *          dominator of the same type (the others are inside them).  A
 *          depth-first walk of the dominator tree (explicit stack) keeps a
 *          count of the types on the current branch.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

#define UNDEF UINT32_MAX

static uint32_t intersect(const uint32_t *idom, uint32_t a, uint32_t b)
{
    while (a != b) {
        while (a > b)
            a = idom[a];
        while (b > a)
            b = idom[b];
    }
    return a;
}

bool dominators_compute(const heapgraph *g, uint32_t **out)
{
    size_t n = g->n, e = g->nedges;
    *out = NULL;
    uint32_t *pstart = calloc(n + 1, sizeof *pstart);
    uint32_t *pred = malloc((e ? e : 1) * sizeof *pred);
    uint32_t *idom = malloc(n * sizeof *idom);
    if (!pstart || !pred || !idom) {
        free(pstart);
        free(pred);
        free(idom);
        return false;
    }
    /* The predecessor rows: count, prefix sums, fill (transposing the edges). */
    for (size_t i = 0; i < e; i++)
        pstart[g->edge_to[i] + 1]++;
    for (size_t i = 0; i < n; i++)
        pstart[i + 1] += pstart[i];
    uint32_t *fill = idom; /* borrowed as the fill cursors, reset below */
    memcpy(fill, pstart, n * sizeof *fill);
    for (size_t x = 0; x < n; x++)
        for (uint32_t k = g->edge_start[x]; k < g->edge_start[x + 1]; k++)
            pred[fill[g->edge_to[k]]++] = (uint32_t)x;
    for (size_t i = 0; i < n; i++)
        idom[i] = UNDEF;
    idom[0] = 0;
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t x = 1; x < n; x++) {
            uint32_t nd = UNDEF;
            /* .numbering: start from a processed predecessor numbered below x. */
            for (uint32_t k = pstart[x]; k < pstart[x + 1]; k++)
                if (pred[k] < x && idom[pred[k]] != UNDEF) {
                    nd = pred[k];
                    break;
                }
            ASSERT(nd != UNDEF); /* the BFS parent is such a predecessor */
            for (uint32_t k = pstart[x]; k < pstart[x + 1]; k++) {
                uint32_t p = pred[k];
                if (p != nd && idom[p] != UNDEF)
                    nd = intersect(idom, p, nd);
            }
            if (idom[x] != nd) {
                idom[x] = nd;
                changed = true;
            }
        }
    }
    free(pstart);
    free(pred);
    *out = idom;
    return true;
}

bool dominators_retained(const heapgraph *g, const uint32_t *idom, uint64_t **out)
{
    uint64_t *r = malloc(g->n * sizeof *r);
    *out = r;
    if (!r)
        return false;
    r[0] = 0;
    for (size_t x = 1; x < g->n; x++)
        r[x] = heapgraph_self_size(g->h, g->obj[x]);
    for (size_t x = g->n; x-- > 1;)
        r[idom[x]] += r[x]; /* .retained */
    return true;
}

/* .by-type: add each topmost object's retained size to its type's. */
static bool retained_by_type(const heapgraph *g, const uint32_t *idom, const uint64_t *ret,
                             size_t *by_type)
{
    size_t n = g->n;
    uint32_t *cstart = calloc(n + 1, sizeof *cstart); /* children rows of the tree */
    uint32_t *child = malloc(n * sizeof *child);
    uint32_t *it = malloc(n * sizeof *it);             /* each node's next child */
    uint32_t *stk = malloc(n * sizeof *stk);
    uint32_t *active = calloc(g->h->ntypes, sizeof *active); /* per type: on the branch */
    bool ok = cstart && child && it && stk && active;
    if (ok) {
        for (size_t x = 1; x < n; x++)
            cstart[idom[x] + 1]++;
        for (size_t i = 0; i < n; i++)
            cstart[i + 1] += cstart[i];
        memcpy(it, cstart, n * sizeof *it); /* fill cursors first */
        for (size_t x = 1; x < n; x++)
            child[it[idom[x]]++] = (uint32_t)x;
        memcpy(it, cstart, n * sizeof *it);
        size_t sp = 0;
        stk[sp++] = 0;
        while (sp) {
            uint32_t x = stk[sp - 1];
            if (it[x] < cstart[x + 1]) {
                uint32_t c = child[it[x]++];
                uint32_t t = block_of(g->obj[c])->type;
                if (active[t]++ == 0)
                    by_type[t] += (size_t)ret[c];
                stk[sp++] = c;
            } else {
                sp--;
                if (x != 0)
                    active[block_of(g->obj[x])->type]--;
            }
        }
    }
    free(cstart);
    free(child);
    free(it);
    free(stk);
    free(active);
    return ok;
}

bool dominators_by_type(const heapgraph *g, size_t *by_type)
{
    uint32_t *idom;
    uint64_t *ret = NULL;
    bool ok = dominators_compute(g, &idom) && dominators_retained(g, idom, &ret) &&
              retained_by_type(g, idom, ret, by_type);
    free(idom);
    free(ret);
    return ok;
}

gull_error gull_retained_size(gull_heap *h, const void *obj, size_t *out)
{
    if (out)
        *out = 0;
    gull_error e = heapgraph_check_object_call(h, obj, out, "gull_retained_size");
    if (e)
        return e;
    heapgraph g;
    e = heapgraph_build(h, &g, HG_EDGES, NULL, "gull_retained_size");
    if (e)
        return e;
    uint32_t node = heapgraph_node_of(&g, obj);
    if (node == 0) {
        /* Unreachable: its death frees at least itself. */
        *out = heapgraph_self_size(h, obj);
        heapgraph_free(&g);
        return GULL_OK;
    }
    uint32_t *idom = NULL;
    uint64_t *ret = NULL;
    bool ok = dominators_compute(&g, &idom) && dominators_retained(&g, idom, &ret);
    if (ok)
        *out = (size_t)ret[node];
    free(idom);
    free(ret);
    heapgraph_free(&g);
    if (!ok) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "gull_retained_size: no memory for the dominator tree (about 16 bytes per live "
                   "object and 4 per edge); the heap is unchanged");
        return GULL_ERR_OUT_OF_MEMORY;
    }
    return GULL_OK;
}
