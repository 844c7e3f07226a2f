/* snapshot.c — the live heap in V8's .heapsnapshot JSON format, so that
 * Chrome DevTools' Memory panel (and other viewers of that format) open a
 * gull heap.  DESIGN.md section 7a.
 *
 * The format, as V8 writes it: one JSON object with
 *   "snapshot"  meta: the names of the node fields and edge fields and
 *               the enumerations of node and edge types; node_count,
 *               edge_count
 *   "nodes"     node_count * 7 numbers: type, name (a string index), id,
 *               self_size, edge_count, trace_node_id, detachedness
 *   "edges"     edge_count * 3 numbers: type, name_or_index (a string
 *               index for "property", a number for "element"), to_node
 *               (the target's index in "nodes", that is its node number
 *               times 7); a node's edges follow those of the node before
 *   "strings"   every string, referred to by index
 * and empty "trace_function_infos", "trace_tree", "samples", "locations".
 *
 * What gull writes (the graph of heapgraph.c, renumbered):
 *   node 0        synthetic "(gull roots)"; one "element" edge per kind
 *                 of root that holds something
 *   nodes 1..K    one synthetic node per root kind ("(global slots)",
 *                 "(root callbacks)", ...), a "property" edge per root
 *                 named as gull_root_describe names it
 *   then          every live object, type "object", named after its
 *                 type, self_size = bytes + native bytes, id = address /
 *                 8 + 1 (odd, unique, and the same in the next snapshot
 *                 while the object lives: DevTools' comparison view
 *                 matches by id); each pointer field an edge, "property"
 *                 named by the type's field_name, else "element" with
 *                 the slot's word index
 * DevTools computes distances, dominators and retained sizes itself.
 *
 * .speed  The walk (heapgraph.c) costs about 0.8 of a full collection;
 *         after it, rows are formatted in place in a 1 MiB buffer, numbers
 *         two digits at a time, with one bounds check per row (not stdio
 *         per number).  The whole call is ~1.3 full collections on
 *         bigheap's heap (bench/RESULTS.md).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

#define NODE_FIELDS 7
enum { NT_OBJECT = 3, NT_SYNTHETIC = 9 };      /* indices in node_types */
enum { ET_ELEMENT = 1, ET_PROPERTY = 2 };      /* indices in edge_types */
#define ROOT_KINDS 7                          /* gull_root_kind values */

static const char *const kind_names[ROOT_KINDS] = {
    "(global slots)", "(root ranges)", "(frames)", "(root callbacks)",
    "(conservative stack)", "(registers)", "(finalizer queue)"};

/* ---------------------------------------------------------------- output */

/* .out  Rows are formatted straight into one large buffer, which goes to
 *       fwrite whole when full (stdio hands a write that large to the
 *       kernel without copying it).  room() is the one bounds check of a
 *       row: it makes space for the longest row before its digits are
 *       stored. */
#define OUT_SIZE ((size_t)1 << 20)
#define ROW_MAX 168 /* a row: at most 7 numbers of 20 digits, separators, a newline */

typedef struct out {
    FILE *f;
    char *p;    /* the next free byte of buf */
    bool failed;
    char buf[OUT_SIZE];
} out;

static void flush(out *o)
{
    size_t n = (size_t)(o->p - o->buf);
    if (n && fwrite(o->buf, 1, n, o->f) != n)
        o->failed = true;
    o->p = o->buf;
}

/* Room for n <= OUT_SIZE bytes at o->p. */
static inline char *room(out *o, size_t n)
{
    if (UNLIKELY((size_t)(o->buf + OUT_SIZE - o->p) < n))
        flush(o);
    return o->p;
}

static void put(out *o, const char *s, size_t n)
{
    while (n) {
        size_t k = n < OUT_SIZE ? n : OUT_SIZE;
        memcpy(room(o, k), s, k);
        o->p += k;
        s += k;
        n -= k;
    }
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* .digits  Decimal by pairs of digits from a table: half the divisions of
 *          one digit at a time.  A number of more than 8 digits is split at
 *          10^8, so the halves are converted in 32 bits and the four pairs
 *          of the lower half do not wait on each other. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

static inline void pair(char *p, uint32_t v) /* v < 100, two digits */
{
    memcpy(p, digit_pairs + 2 * v, 2);
}

/* Exactly 8 digits (leading zeros) of v < 10^8. */
static inline char *digits8(char *p, uint32_t v)
{
    uint32_t hi = v / 10000, lo = v % 10000;
    pair(p, hi / 100);
    pair(p + 2, hi % 100);
    pair(p + 4, lo / 100);
    pair(p + 6, lo % 100);
    return p + 8;
}

/* The digits of v < 10^8, no leading zeros. */
static inline char *digits32(char *p, uint32_t v)
{
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    if (v < 100) {
        pair(p, v);
        return p + 2;
    }
    size_t n = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : 8;
    char *q = p + n;
    while (v >= 100) {
        q -= 2;
        pair(q, v % 100);
        v /= 100;
    }
    if (v >= 10)
        pair(q - 2, v);
    else
        q[-1] = (char)('0' + v);
    return p + n;
}

/* The digits of v, then sep; at most 21 bytes. */
static inline __attribute__((always_inline)) char *num(char *p, uint64_t v, char sep)
{
    if (v < 100000000) {
        p = digits32(p, (uint32_t)v);
    } else if (v < 10000000000000000ull) {
        p = digits32(p, (uint32_t)(v / 100000000));
        p = digits8(p, (uint32_t)(v % 100000000));
    } else {
        uint64_t hi = v / 100000000;
        p = digits32(p, (uint32_t)(hi / 100000000));
        p = digits8(p, (uint32_t)(hi % 100000000));
        p = digits8(p, (uint32_t)(v % 100000000));
    }
    *p = sep;
    return p + 1;
}

static void json_string(out *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(o, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            put(o, e, 6);
        } else {
            put(o, (const char *)&c, 1);
        }
    }
    put(o, "\"", 1);
}

/* ---------------------------------------------------------------- strings */

/* The "strings" table: interned, so a field name used a million times is
 * stored once. */
typedef struct strtab {
    char **at;       /* by index */
    size_t len, cap;
    uint32_t *hash;  /* open addressing: index + 1, 0 = empty */
    size_t hcap;
    bool oom;
} strtab;

static size_t str_hash(const char *s)
{
    size_t x = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        x = (x ^ (unsigned char)*s) * 1099511628211ull;
    return x;
}

static bool str_rehash(strtab *t, size_t hcap)
{
    uint32_t *hh = calloc(hcap, sizeof *hh);
    if (!hh)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        size_t j = str_hash(t->at[i]) & (hcap - 1);
        while (hh[j])
            j = (j + 1) & (hcap - 1);
        hh[j] = (uint32_t)i + 1;
    }
    free(t->hash);
    t->hash = hh;
    t->hcap = hcap;
    return true;
}

static uint32_t intern(strtab *t, const char *s)
{
    if (t->oom)
        return 0;
    if ((t->len + 1) * 2 > t->hcap && !str_rehash(t, t->hcap ? 2 * t->hcap : 256)) {
        t->oom = true;
        return 0;
    }
    size_t j = str_hash(s) & (t->hcap - 1);
    for (; t->hash[j]; j = (j + 1) & (t->hcap - 1))
        if (strcmp(t->at[t->hash[j] - 1], s) == 0)
            return t->hash[j] - 1;
    if (t->len == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        char **a = realloc(t->at, cap * sizeof *a);
        if (!a) {
            t->oom = true;
            return 0;
        }
        t->at = a;
        t->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) {
        t->oom = true;
        return 0;
    }
    t->at[t->len] = copy;
    t->hash[j] = (uint32_t)t->len + 1;
    return (uint32_t)t->len++;
}

/* .names  A field_name function mostly returns the same static strings
 * ("car", "value"): remember the index of the last few by address, so
 * most edges skip hashing.  Names written into the caller's buffer are
 * hashed every time. */
#define NAME_CACHE 64
typedef struct name_cache {
    const char *ptr[NAME_CACHE];
    uint32_t index[NAME_CACHE];
} name_cache;

static uint32_t intern_name(strtab *t, name_cache *c, const char *s, const char *buf)
{
    if (s == buf)
        return intern(t, s);
    size_t k = ((uintptr_t)s >> 3) & (NAME_CACHE - 1);
    if (c->ptr[k] != s) {
        c->index[k] = intern(t, s);
        c->ptr[k] = s;
    }
    return c->index[k];
}

static void strtab_free(strtab *t)
{
    for (size_t i = 0; i < t->len; i++)
        free(t->at[i]);
    free(t->at);
    free(t->hash);
}

/* ---------------------------------------------------------------- the writer */

/* .ahead  The loops over the nodes read each node's block descriptor,
 *         found through its chunk's page table, and (field_name) the
 *         object: dependent loads from all over the heap.  At node x,
 *         start those of the nodes AHEAD and 2 * AHEAD places further (the
 *         page table entry first, so the descriptor's address is at hand
 *         when it is wanted).  The walk gains nothing measurable from the
 *         same: its time goes into reading every slot of every object. */
#define AHEAD 8
static inline void ahead(const heapgraph *g, size_t x, bool object)
{
    if (x + 2 * AHEAD < g->n) {
        const void *far = g->obj[x + 2 * AHEAD];
        chunk *c = chunk_of(far);
        __builtin_prefetch(&c->page[((uintptr_t)far - (uintptr_t)c) >> PAGE_SHIFT]);
    }
    if (x + AHEAD < g->n) {
        const void *near = g->obj[x + AHEAD];
        __builtin_prefetch(block_of(near));
        if (object)
            __builtin_prefetch(near);
    }
}

static void write_meta(out *o, size_t nodes, size_t edges)
{
    puts_(o, "{\"snapshot\":{\"meta\":{"
             "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\","
             "\"detachedness\"],"
             "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\","
             "\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\","
             "\"bigint\",\"object shape\"],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],"
             "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
             "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\","
             "\"weak\"],\"string_or_number\",\"node\"],"
             "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\","
             "\"line\",\"column\"],"
             "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
             "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
             "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},"
             "\"node_count\":");
    o->p = num(room(o, ROW_MAX), nodes, ',');
    puts_(o, "\"edge_count\":");
    o->p = num(room(o, ROW_MAX), edges, ',');
    puts_(o, "\"trace_function_count\":0},\n");
}

/* A row of "nodes" (a comma before every row but the first). */
static inline void node(out *o, unsigned type, uint32_t name, uint64_t id, uint64_t size, uint64_t edges,
                        bool first)
{
    char *p = room(o, ROW_MAX);
    if (!first)
        *p++ = ',';
    p = num(p, type, ',');
    p = num(p, name, ',');
    p = num(p, id, ',');
    p = num(p, size, ',');
    p = num(p, edges, ',');
    memcpy(p, "0,0\n", 4);
    o->p = p + 4;
}

/* A row of "edges". */
static inline void edge(out *o, unsigned type, uint64_t name, uint64_t to, bool first)
{
    char *p = room(o, ROW_MAX);
    if (!first)
        *p++ = ',';
    p = num(p, type, ',');
    p = num(p, name, ',');
    o->p = num(p, to, '\n');
}

static gull_error write_graph(gull_heap *h, const heapgraph *g, FILE *f)
{
    out *o = malloc(sizeof *o);
    strtab st = {0};
    uint32_t *type_name = calloc(h->ntypes, sizeof *type_name);
    if (!o || !type_name) {
        free(o);
        free(type_name);
        heap_error(h, GULL_ERR_OUT_OF_MEMORY, "gull_heap_snapshot: no memory for the writer");
        return GULL_ERR_OUT_OF_MEMORY;
    }
    o->f = f;
    o->p = o->buf;
    o->failed = false;
    intern(&st, "");
    for (uint32_t i = 1; i < h->ntypes; i++)
        type_name[i] = intern(&st, h->types[i]->name);

    /* The root kinds present, and their node numbers (1..K). */
    size_t per_kind[ROOT_KINDS] = {0};
    uint32_t kind_node[ROOT_KINDS] = {0};
    size_t nkinds = 0;
    for (size_t r = 0; r < g->nroots; r++)
        per_kind[g->roots[r].kind]++;
    for (unsigned k = 0; k < ROOT_KINDS; k++)
        if (per_kind[k])
            kind_node[k] = (uint32_t)++nkinds;
    size_t base = nkinds; /* heap node x is written as node base + x (x >= 1) */
    size_t nnodes = 1 + nkinds + (g->n - 1);
    size_t nedges = nkinds + g->nedges;
    write_meta(o, nnodes, nedges);

    puts_(o, "\"nodes\":[");
    node(o, NT_SYNTHETIC, intern(&st, "(gull roots)"), 1, 0, nkinds, true);
    for (unsigned k = 0; k < ROOT_KINDS; k++)
        if (per_kind[k])
            node(o, NT_SYNTHETIC, intern(&st, kind_names[k]), 2 * k + 3, 0, per_kind[k], false);
    for (size_t x = 1; x < g->n; x++) {
        ahead(g, x, false);
        void *obj = g->obj[x];
        uint32_t t = block_of(obj)->type;
        node(o, NT_OBJECT, type_name[t], ((uintptr_t)obj >> 3) + 1, heapgraph_self_size(h, obj),
             g->edge_start[x + 1] - g->edge_start[x], false);
    }
    puts_(o, "],\n\"edges\":[");
    bool first = true;
    for (unsigned k = 0; k < ROOT_KINDS; k++)
        if (per_kind[k]) {
            edge(o, ET_ELEMENT, kind_node[k], (uint64_t)kind_node[k] * NODE_FIELDS, first);
            first = false;
        }
    char name[200];
    name_cache names;
    memset(&names, 0, sizeof names);
    for (unsigned k = 0; k < ROOT_KINDS; k++) {
        if (!per_kind[k])
            continue;
        for (uint32_t e = g->edge_start[0]; e < g->edge_start[1]; e++) {
            const gull_root_info *r = &g->roots[g->edge_slot[e]];
            if (r->kind != k)
                continue;
            gull_root_describe(r, name, sizeof name);
            edge(o, ET_PROPERTY, intern(&st, name), (base + g->edge_to[e]) * NODE_FIELDS, first);
            first = false;
        }
    }
    for (size_t x = 1; x < g->n; x++) {
        ahead(g, x, true);
        uint32_t b = g->edge_start[x], end = g->edge_start[x + 1];
        if (b == end)
            continue;
        void *obj = g->obj[x];
        type_info *ti = h->types[block_of(obj)->type];
        for (uint32_t e = b; e < end; e++) {
            uint64_t to = (base + g->edge_to[e]) * NODE_FIELDS;
            const char *fname = ti->field_name
                                    ? ti->field_name(obj, (size_t)g->edge_slot[e] * sizeof(void *), name,
                                                     sizeof name)
                                    : NULL;
            if (fname)
                edge(o, ET_PROPERTY, intern_name(&st, &names, fname, name), to, first);
            else
                edge(o, ET_ELEMENT, g->edge_slot[e], to, first);
            first = false;
        }
    }
    puts_(o, "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[],\n"
             "\"strings\":[");
    for (size_t i = 0; i < st.len; i++) {
        if (i)
            put(o, ",\n", 2);
        json_string(o, st.at[i]);
    }
    puts_(o, "]}\n");
    flush(o);
    bool failed = o->failed || fflush(f) != 0 || ferror(f);
    bool oom = st.oom;
    strtab_free(&st);
    free(type_name);
    free(o);
    if (oom) {
        heap_error(h, GULL_ERR_OUT_OF_MEMORY,
                   "gull_heap_snapshot: no memory for the strings table; the file is incomplete");
        return GULL_ERR_OUT_OF_MEMORY;
    }
    if (failed) {
        heap_error(h, GULL_ERR_IO, "gull_heap_snapshot: writing the snapshot failed (%s); the file is "
                                       "incomplete (disk full?)", strerror(errno));
        return GULL_ERR_IO;
    }
    return GULL_OK;
}

gull_error gull_heap_snapshot_write(gull_heap *h, FILE *f)
{
    gull_error e = heapgraph_check_call(h, "gull_heap_snapshot");
    if (e)
        return e;
    if (!f) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_heap_snapshot_write: the file is NULL");
        return GULL_ERR_NULL_ARG;
    }
    heapgraph g;
    e = heapgraph_build(h, &g, HG_EDGES, NULL, "gull_heap_snapshot");
    if (e)
        return e;
    e = write_graph(h, &g, f);
    heapgraph_free(&g);
    return e;
}

gull_error gull_heap_snapshot(gull_heap *h, const char *path)
{
    gull_error e = heapgraph_check_call(h, "gull_heap_snapshot");
    if (e)
        return e;
    if (!path) {
        heap_error(h, GULL_ERR_NULL_ARG, "gull_heap_snapshot: path is NULL");
        return GULL_ERR_NULL_ARG;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        heap_error(h, GULL_ERR_IO, "gull_heap_snapshot: cannot open '%s' for writing (%s)", path,
                   strerror(errno));
        return GULL_ERR_IO;
    }
    e = gull_heap_snapshot_write(h, f);
    if (fclose(f) != 0 && e == GULL_OK) {
        heap_error(h, GULL_ERR_IO, "gull_heap_snapshot: closing '%s' failed (%s)", path, strerror(errno));
        e = GULL_ERR_IO;
    }
    return e;
}
