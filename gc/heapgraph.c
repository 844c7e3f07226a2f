/* heapgraph.c — the live heap as a dense graph, for the "why is this
 * alive?" diagnostics (census.c, dominators.c, snapshot.c, and the path
 * query here).  DESIGN.md section 7a.
 *
 * The model:
 *   node 0          a synthetic root; its edges are the roots (roots.c
 *                   .named), each remembered with its identity in g->roots
 *   nodes 1..n-1    the objects reachable from the roots, numbered in the
 *                   order a breadth-first search discovers them
 *   edges           optional (HG_EDGES): compressed rows, the edges of
 *                   node i are edge_to[edge_start[i] .. edge_start[i+1]),
 *                   each with the word index of its slot in the holder
 *                   (for node 0: the index of its root in g->roots)
 *   BFS tree        optional (HG_PARENTS): each node's discoverer and the
 *                   slot it was found through; following it from a node
 *                   to 0 is a shortest path from a root
 *
 * .order  Breadth-first numbering gives two properties the users lean on:
 *         nodes are traced in index order, so the edge rows are appended
 *         in one pass; and a node's BFS parent has a smaller index, so a
 *         parent chain (and any dominator chain, dominators.c) strictly
 *         decreases towards 0.
 * .side   The traversal never touches the collector's state (mark bits,
 *         phase, gray set): "visited" is the node number of a cell in
 *         g->cell_node, a uint32 per cell of every block, found from the
 *         block's first cell number (a small hash, block -> base) and the
 *         cell's index in its block.  So it can run in any phase of an
 *         incremental cycle, and the next collection finds the heap as it
 *         left it.  Reachable objects are live in every phase (the sweeper
 *         only frees unreachable cells), so no liveness test is needed
 *         beyond the roots' (block_find_object).
 * .memory Per cell 4 bytes, per node 8 (its address) plus 8 for the BFS
 *         tree, per edge 8; all freed by heapgraph_free.  Indices are
 *         uint32: a heap of more than 4 billion cells or edges is refused
 *         (out of memory), not truncated.
 * .stack  No C recursion: the BFS queue is the node array itself.
 * .guard  While the graph is built h->in_pause is set, as in a collection:
 *         a trace function that calls gull_alloc or gull_collect is
 *         refused, exactly as it would be inside a collection.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

#define NO_NODE 0u /* in cell_node: not discovered (node 0 is the root, never a cell) */

static size_t block_slot(const heapgraph *g, const block *b)
{
    return (size_t)(((uintptr_t)b >> 4) * 0x9E3779B97F4A7C15ull >> 20) & (g->bcap - 1);
}

/* Every block of h->blocks is in the map (number_cells), and nothing is
 * allocated during the walk; a block that is not (a trace function
 * reported a pointer into another heap) gets an empty slot: UINT32_MAX. */
static uint32_t block_base(const heapgraph *g, const block *b)
{
    for (size_t i = block_slot(g, b);; i = (i + 1) & (g->bcap - 1)) {
        if (g->bmap[i].b == b)
            return g->bmap[i].base;
        if (!g->bmap[i].b)
            return UINT32_MAX;
    }
}

/* The cell number of obj (an object start in a block of this heap), or
 * SIZE_MAX for a block the walk does not know. */
static inline size_t cell_of(const heapgraph *g, const void *obj)
{
    block *b = block_of(obj);
    uint32_t base = block_base(g, b);
    if (UNLIKELY(base == UINT32_MAX))
        return SIZE_MAX;
    size_t i = 0;
    if (b->kind == BK_SMALL)
        i = (size_t)(((uint64_t)((const uint8_t *)obj - b->start) * b->inv_size) >> 32);
    return (size_t)base + i;
}

uint32_t heapgraph_node_of(const heapgraph *g, const void *obj)
{
    size_t c = cell_of(g, obj);
    return c == SIZE_MAX ? NO_NODE : g->cell_node[c];
}

/* Give every cell of every block a number; the map block -> first number. */
static bool number_cells(heapgraph *g)
{
    gull_heap *h = g->h;
    size_t nblocks = 0, ncells = 0;
    for (block *b = h->blocks; b; b = b->next) {
        nblocks++;
        ncells += b->ncells;
    }
    if (ncells >= UINT32_MAX - 1)
        return false;
    g->bcap = 16;
    while (g->bcap < 2 * nblocks)
        g->bcap *= 2;
    g->bmap = calloc(g->bcap, sizeof *g->bmap);
    g->cell_node = calloc(ncells ? ncells : 1, sizeof *g->cell_node);
    g->obj = malloc((ncells + 1) * sizeof *g->obj);
    if (!g->bmap || !g->cell_node || !g->obj)
        return false;
    if (g->what & HG_PARENTS) {
        g->parent = malloc((ncells + 1) * sizeof *g->parent);
        g->via = malloc((ncells + 1) * sizeof *g->via);
        if (!g->parent || !g->via)
            return false;
    }
    uint32_t base = 0;
    for (block *b = h->blocks; b; b = b->next) {
        size_t i = block_slot(g, b);
        while (g->bmap[i].b)
            i = (i + 1) & (g->bcap - 1);
        g->bmap[i].b = b;
        g->bmap[i].base = base;
        base += b->ncells;
    }
    g->ncells = ncells;
    return true;
}

static bool push_edge(heapgraph *g, uint32_t to, uint32_t slot)
{
    if (g->nedges == g->edges_cap) {
        size_t cap = g->edges_cap ? 2 * g->edges_cap : 1024;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        if (cap <= g->nedges)
            return false; /* .memory: more than 2^32 edges */
        uint32_t *t = realloc(g->edge_to, cap * sizeof *t);
        if (!t)
            return false;
        g->edge_to = t;
        uint32_t *s = realloc(g->edge_slot, cap * sizeof *s);
        if (!s)
            return false;
        g->edge_slot = s;
        g->edges_cap = cap;
    }
    g->edge_to[g->nedges] = to;
    g->edge_slot[g->nedges] = slot;
    g->nedges++;
    return true;
}

/* An edge from the node being traced (g->cur) to obj, through slot word
 * `slot` (a root index when cur is 0). */
static void reach(heapgraph *g, void *obj, uint32_t slot)
{
    size_t cell = cell_of(g, obj);
    if (UNLIKELY(cell == SIZE_MAX))
        return; /* not a block of this heap (block_base) */
    uint32_t *cn = &g->cell_node[cell];
    uint32_t to = *cn;
    if (to == NO_NODE) {
        to = (uint32_t)g->n++;
        *cn = to;
        g->obj[to] = obj;
        if (g->what & HG_PARENTS) {
            g->parent[to] = g->cur;
            g->via[to] = slot;
        }
        if (obj == g->stop_at)
            g->stopped = true;
    }
    if ((g->what & HG_EDGES) && !push_edge(g, to, slot))
        g->oom = true;
}

static void field_visit(void **slot, void *ctx)
{
    heapgraph *g = ctx;
    void *v = *slot;
    if (!v || ((uintptr_t)v & (GRANULE - 1)))
        return; /* NULL or an immediate */
    if (GULL_CHECKING && block_find_object(g->h, v, false) != v) {
        heap_error(g->h, GULL_ERR_FOREIGN_POINTER,
                   "heap graph: a trace function reported %p, which is not a live object of this heap; "
                   "check the host's trace function and barriers (GULL_VERIFY=1 finds the holder)", v);
        return;
    }
    size_t word = (size_t)((uint8_t *)slot - (uint8_t *)g->holder) / sizeof(void *);
    reach(g, v, word > UINT32_MAX ? UINT32_MAX : (uint32_t)word);
}

static void root_visit(const gull_root_info *r, void *value, bool ambiguous, void *ctx)
{
    heapgraph *g = ctx;
    if (!value || g->oom)
        return;
    if (!ambiguous && ((uintptr_t)value & (GRANULE - 1)))
        return; /* an immediate */
    void *obj = block_find_object(g->h, value, ambiguous && g->h->cfg.interior_pointers);
    if (!obj)
        return; /* not an object (or, conservatively, not a pointer at all) */
    if (g->nroots == g->roots_cap) {
        size_t cap = g->roots_cap ? 2 * g->roots_cap : 64;
        gull_root_info *t = realloc(g->roots, cap * sizeof *t);
        if (!t) {
            g->oom = true;
            return;
        }
        g->roots = t;
        g->roots_cap = cap;
    }
    g->roots[g->nroots] = *r;
    reach(g, obj, (uint32_t)g->nroots);
    g->nroots++;
}

gull_error heapgraph_check_call(gull_heap *h, const char *fn)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "%s: heap is NULL", fn);
        return GULL_ERR_NULL_ARG;
    }
    if (h->in_pause || h->in_finalizers) {
        heap_error(h, GULL_ERR_MISUSE,
                   "%s: called from %s; the heap cannot be walked there: call it from the host's own code",
                   fn, h->in_pause ? "inside a collection (a trace function or pause hook)" : "a finalizer");
        return GULL_ERR_MISUSE;
    }
    return GULL_OK;
}

gull_error heapgraph_build(gull_heap *h, heapgraph *g, unsigned what, const void *stop_at,
                           const char *fn)
{
    memset(g, 0, sizeof *g);
    g->h = h;
    g->what = what;
    g->stop_at = stop_at;
    if (!number_cells(g))
        goto oom;
    if ((what & HG_EDGES) && !(g->edge_start = malloc((g->ncells + 2) * sizeof *g->edge_start)))
        goto oom;
    /* .guard */
    h->in_pause = true;
    g->n = 1;
    g->obj[0] = NULL;
    if (what & HG_PARENTS)
        g->parent[0] = g->via[0] = 0;
    g->cur = 0;
    if (what & HG_EDGES)
        g->edge_start[0] = 0;
    roots_each_named(h, root_visit, g);
    for (size_t q = 1; q < g->n && !g->oom && !g->stopped; q++) {
        if (what & HG_EDGES)
            g->edge_start[q] = (uint32_t)g->nedges;
        void *obj = g->obj[q];
        block *b = block_of(obj);
        if (!b->trace)
            continue;
        g->cur = (uint32_t)q;
        g->holder = obj;
        b->trace(obj, field_visit, g);
    }
    h->in_pause = false;
    if (g->oom)
        goto oom;
    if (what & HG_EDGES)
        g->edge_start[g->n] = (uint32_t)g->nedges;
    return GULL_OK;
oom:
    heapgraph_free(g);
    heap_error(h, GULL_ERR_OUT_OF_MEMORY,
               "%s: no memory for the heap graph's side tables (about 8 bytes per cell and 16 per "
               "live object, 8 per edge); the heap is unchanged, retry with more memory free",
               fn);
    return GULL_ERR_OUT_OF_MEMORY;
}

void heapgraph_free(heapgraph *g)
{
    free(g->bmap);
    free(g->cell_node);
    free(g->obj);
    free(g->parent);
    free(g->via);
    free(g->edge_start);
    free(g->edge_to);
    free(g->edge_slot);
    free(g->roots);
    memset(g, 0, sizeof *g);
}

size_t heapgraph_self_size(gull_heap *h, const void *obj)
{
    /* no native size ever set: skip the object's state byte, a cache miss */
    return block_of(obj)->cell_size + (h->native ? external_size_of(h, obj) : 0);
}

/* ---------------------------------------------------------------- paths */

gull_error heapgraph_check_object_call(gull_heap *h, const void *obj, const void *out,
                                       const char *fn)
{
    gull_error e = heapgraph_check_call(h, fn);
    if (e)
        return e;
    if (!obj || !out) {
        heap_error(h, GULL_ERR_NULL_ARG, "%s: %s is NULL", fn, obj ? "out" : "obj");
        return GULL_ERR_NULL_ARG;
    }
    if (block_find_object(h, obj, false) != obj) {
        heap_error(h, GULL_ERR_FOREIGN_POINTER,
                   "%s: %p is not a live object of this heap (pass the start of an "
                   "object gull_alloc returned, which no collection has freed)", fn, obj);
        return GULL_ERR_FOREIGN_POINTER;
    }
    return GULL_OK;
}

gull_error gull_path_to_root(gull_heap *h, const void *obj, gull_path *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    gull_error e = heapgraph_check_object_call(h, obj, out, "gull_path_to_root");
    if (e)
        return e;
    heapgraph g;
    e = heapgraph_build(h, &g, HG_PARENTS, obj, "gull_path_to_root");
    if (e)
        return e;
    uint32_t node = heapgraph_node_of(&g, obj);
    if (node == NO_NODE) {
        heapgraph_free(&g);
        return GULL_OK; /* allocated, unreachable: len 0 */
    }
    size_t len = 0;
    for (uint32_t x = node; x != 0; x = g.parent[x])
        len++;
    out->steps = calloc(len, sizeof *out->steps);
    if (!out->steps) {
        heapgraph_free(&g);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_path_to_root: no memory for a path of %zu steps", len);
        return GULL_ERR_OUT_OF_MEMORY;
    }
    out->len = len;
    size_t i = len;
    uint32_t x = node, next_via = 0;
    for (; x != 0; x = g.parent[x]) {
        i--;
        out->steps[i].obj = g.obj[x];
        out->steps[i].type = (gull_type){block_of(g.obj[x])->type};
        out->steps[i].offset = i + 1 < len ? (size_t)next_via * sizeof(void *) : 0;
        next_via = g.via[x];
        if (g.parent[x] == 0)
            out->root = g.roots[g.via[x]];
    }
    heapgraph_free(&g);
    return GULL_OK;
}

void gull_path_free(gull_path *p)
{
    if (!p)
        return;
    free(p->steps);
    memset(p, 0, sizeof *p);
}

int gull_root_describe(const gull_root_info *r, char *buf, size_t n)
{
    if (!r)
        return snprintf(buf, n, "(no root)");
    switch (r->kind) {
    case GULL_ROOT_SLOT:
        return snprintf(buf, n, "global slot #%zu (%p)", r->index, (void *)r->slot);
    case GULL_ROOT_RANGE:
        return snprintf(buf, n, "range #%zu [%zu]", r->index, r->offset);
    case GULL_ROOT_FRAME:
        return snprintf(buf, n, "frame %zu arg %zu", r->index, r->offset);
    case GULL_ROOT_CALLBACK:
        return snprintf(buf, n, "callback #%zu slot %zu (%p)", r->index, r->offset, (void *)r->slot);
    case GULL_ROOT_STACK:
        return snprintf(buf, n, "stack word at offset %zu", r->offset);
    case GULL_ROOT_REGISTERS:
        return snprintf(buf, n, "a register");
    case GULL_ROOT_FINALIZER:
        return snprintf(buf, n, "finalizer queue [%zu]", r->index);
    }
    return snprintf(buf, n, "root of unknown kind %d", (int)r->kind);
}

const char *heapgraph_field_name(gull_heap *h, const void *obj, size_t offset, char *buf, size_t n)
{
    type_info *ti = heap_type(h, block_of(obj)->type);
    const char *name = ti && ti->field_name ? ti->field_name(obj, offset, buf, n) : NULL;
    if (!name)
        snprintf(buf, n, "+%zu", offset);
    return name ? name : buf;
}

/* Append to buf[*len..n) like snprintf, keeping the would-be length. */
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t n, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(*len < n ? buf + *len : NULL, *len < n ? n - *len : 0, fmt, ap);
    va_end(ap);
    if (k > 0)
        *len += (size_t)k;
}

int gull_path_format(gull_heap *h, const gull_path *p, char *buf, size_t n)
{
    size_t len = 0;
    if (n)
        buf[0] = '\0';
    if (!h || !p) {
        append(buf, n, &len, "(no path)");
        return (int)len;
    }
    if (p->len == 0) {
        append(buf, n, &len, "(unreachable: no root reaches it)");
        return (int)len;
    }
    char tmp[160];
    gull_root_describe(&p->root, tmp, sizeof tmp);
    append(buf, n, &len, "%s", tmp);
    for (size_t i = 0; i < p->len; i++) {
        const gull_path_step *s = &p->steps[i];
        const char *tname = gull_type_name(h, s->type);
        append(buf, n, &len, " -> %s", tname ? tname : "?");
        if (i + 1 < p->len) {
            const char *f = heapgraph_field_name(h, s->obj, s->offset, tmp, sizeof tmp);
            append(buf, n, &len, "%s%s", f[0] == '[' || f[0] == '+' ? "" : ".", f);
        }
    }
    return (int)len;
}
