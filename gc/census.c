/* census.c — the heap by type, and the difference of two censuses (the
 * leak finder).  DESIGN.md section 7a.
 *
 * A census counts what the roots reach now (heapgraph.c, without edges):
 * the same set the next full collection would keep, found without
 * collecting.  Why not count marked cells after a collection: that runs
 * the host's finalizers, and the objects finalized by it stay allocated
 * until the next cycle, unreachable; and in inc mode it would have to
 * finish the running cycle first.  The side traversal costs one full mark
 * and leaves the collector as it was.
 *
 * .cycles In rc mode each line also carries what the cycle collector has
 *         freed of the type so far (counted by rc.c as it frees), and the
 *         printed census ends with those types, largest first: which types
 *         the program's garbage cycles are made of.
 * .exact  bytes is the sum of gull_object_size() (the cell or the large
 *         object), native_bytes the sum of gull_set_native_size() of the
 *         counted objects: a test builds a heap and checks both to the
 *         byte, in every mode.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

gull_error gull_census_take(gull_heap *h, unsigned flags, gull_census *out)
{
    gull_error e = heapgraph_check_call(h, "gull_census_take");
    if (e)
        return e;
    if (!out) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_census_take: out is NULL");
        return GULL_ERR_NULL_ARG;
    }
    memset(out, 0, sizeof *out);
    if (flags & ~GULL_CENSUS_RETAINED) {
        heap_error(h, GULL_ERR_MISUSE, "gull_census_take: unknown flags 0x%x (only GULL_CENSUS_RETAINED)",
                   flags);
        return GULL_ERR_MISUSE;
    }
    size_t nt = h->ntypes; /* entry i is type id i; id 0 is never a type */
    gull_census_entry *ent = calloc(nt, sizeof *ent);
    size_t *retained = (flags & GULL_CENSUS_RETAINED) ? calloc(nt, sizeof *retained) : NULL;
    if (!ent || ((flags & GULL_CENSUS_RETAINED) && !retained)) {
        free(ent);
        free(retained);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_census_take: no memory for %zu census lines", nt);
        return GULL_ERR_OUT_OF_MEMORY;
    }
    heapgraph g;
    e = heapgraph_build(h, &g, (flags & GULL_CENSUS_RETAINED) ? HG_EDGES : 0, NULL,
                        "gull_census_take");
    if (e) {
        free(ent);
        free(retained);
        return e;
    }
    for (size_t x = 1; x < g.n; x++) {
        void *obj = g.obj[x];
        block *b = block_of(obj);
        gull_census_entry *c = &ent[b->type];
        c->count++;
        c->bytes += b->cell_size;
        c->native_bytes += external_size_of(h, obj);
    }
    if (retained && !dominators_by_type(&g, retained)) {
        heapgraph_free(&g);
        free(ent);
        free(retained);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "gull_census_take: no memory for the dominator tree (about 16 bytes per live object "
                   "and 4 per edge); take the census without GULL_CENSUS_RETAINED");
        return GULL_ERR_OUT_OF_MEMORY;
    }
    heapgraph_free(&g);
    for (size_t i = 1; i < nt; i++) {
        ent[i].type = (gull_type){(uint32_t)i};
        ent[i].name = h->types[i]->name;
        if (retained)
            ent[i].retained = retained[i];
        ent[i].cycle_freed = h->types[i]->cycle_freed; /* rc.c .cycles */
        ent[i].cycle_freed_bytes = h->types[i]->cycle_freed_bytes;
        out->count += ent[i].count;
        out->bytes += ent[i].bytes;
        out->native_bytes += ent[i].native_bytes;
    }
    free(retained);
    out->ntypes = nt;
    out->entries = ent;
    out->taken_ns = os_now_ns();
    return GULL_OK;
}

void gull_census_free(gull_census *c)
{
    if (!c)
        return;
    free(c->entries);
    memset(c, 0, sizeof *c);
}

static int by_growth(const void *pa, const void *pb)
{
    const gull_census_delta *a = pa, *b = pb;
    ptrdiff_t ga = a->bytes + a->native_bytes, gb = b->bytes + b->native_bytes;
    if (ga != gb)
        return ga > gb ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return a->type.id < b->type.id ? -1 : a->type.id > b->type.id;
}

/* The delta of type i (before may have fewer types: registered since). */
static gull_census_delta delta_of(const gull_census *before, const gull_census *after, size_t i)
{
    const gull_census_entry *a = &after->entries[i];
    gull_census_entry none = {0};
    const gull_census_entry *b = i < before->ntypes ? &before->entries[i] : &none;
    return (gull_census_delta){a->type, a->name, (ptrdiff_t)(a->count - b->count),
                               (ptrdiff_t)(a->bytes - b->bytes),
                               (ptrdiff_t)(a->native_bytes - b->native_bytes)};
}

static bool grew(const gull_census_delta *d)
{
    return d->count > 0 || d->bytes > 0 || d->native_bytes > 0;
}

size_t gull_census_diff(const gull_census *before, const gull_census *after, gull_census_delta *out,
                        size_t max)
{
    if (!before || !after)
        return 0;
    /* Selection of the largest max by repeated passes would be quadratic
     * in the types; types are few, so sort a full copy. */
    gull_census_delta *all = malloc((after->ntypes ? after->ntypes : 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 1; i < after->ntypes; i++) {
        gull_census_delta d = delta_of(before, after, i);
        if (!grew(&d))
            continue;
        if (all)
            all[n] = d;
        n++;
    }
    if (!all)
        return 0; /* no memory: nothing to report, and nothing written */
    qsort(all, n, sizeof *all, by_growth);
    if (out)
        memcpy(out, all, (n < max ? n : max) * sizeof *out);
    free(all);
    return n;
}

static int entry_by_size(const void *pa, const void *pb)
{
    const gull_census_entry *a = pa, *b = pb;
    size_t ga = a->bytes + a->native_bytes, gb = b->bytes + b->native_bytes;
    if (ga != gb)
        return ga > gb ? -1 : 1;
    return a->type.id < b->type.id ? -1 : a->type.id > b->type.id;
}

static int entry_by_cycle_bytes(const void *pa, const void *pb)
{
    const gull_census_entry *a = pa, *b = pb;
    if (a->cycle_freed_bytes != b->cycle_freed_bytes)
        return a->cycle_freed_bytes < b->cycle_freed_bytes ? 1 : -1;
    return a->type.id < b->type.id ? -1 : a->type.id > b->type.id;
}

void gull_census_print(const gull_census *before, const gull_census *after, FILE *f)
{
    if (!after || !f)
        return;
    if (before) {
        size_t n = gull_census_diff(before, after, NULL, 0);
        gull_census_delta *d = malloc((n ? n : 1) * sizeof *d);
        if (!d)
            return;
        gull_census_diff(before, after, d, n);
        fprintf(f, "%-24s %12s %14s %14s\n", "grew: type", "+count", "+bytes", "+native");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%-24s %12td %14td %14td\n", d[i].name, d[i].count, d[i].bytes,
                    d[i].native_bytes);
        if (n == 0)
            fprintf(f, "(no type grew)\n");
        free(d);
        return;
    }
    gull_census_entry *e = malloc((after->ntypes ? after->ntypes : 1) * sizeof *e);
    if (!e)
        return;
    size_t n = 0;
    for (size_t i = 1; i < after->ntypes; i++)
        if (after->entries[i].count)
            e[n++] = after->entries[i];
    qsort(e, n, sizeof *e, entry_by_size);
    bool ret = false;
    for (size_t i = 0; i < n; i++)
        ret |= e[i].retained != 0;
    fprintf(f, "%-24s %12s %14s %14s", "type", "count", "bytes", "native");
    if (ret)
        fprintf(f, " %14s", "retained");
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%-24s %12zu %14zu %14zu", e[i].name, e[i].count, e[i].bytes, e[i].native_bytes);
        if (ret)
            fprintf(f, " %14zu", e[i].retained);
        fputc('\n', f);
    }
    fprintf(f, "%-24s %12zu %14zu %14zu\n", "total", after->count, after->bytes, after->native_bytes);
    /* rc mode: the garbage cycles the cycle collector freed, by type
     * (also of types with no live object now) */
    n = 0;
    for (size_t i = 1; i < after->ntypes; i++)
        if (after->entries[i].cycle_freed)
            e[n++] = after->entries[i];
    qsort(e, n, sizeof *e, entry_by_cycle_bytes);
    if (n) {
        fprintf(f, "%-24s %12s %14s\n", "freed in garbage cycles", "count", "bytes");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%-24s %12llu %14llu\n", e[i].name, (unsigned long long)e[i].cycle_freed,
                    (unsigned long long)e[i].cycle_freed_bytes);
    }
    free(e);
}
