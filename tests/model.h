/* model.h — a shadow model of a gull heap, driven by a stream of choices.
 *
 * Shared by the property test (tests/test_property.c, choices from a seeded
 * generator) and the API fuzzer (fuzz/fuzz_api.c, choices read from the
 * fuzzer's bytes).  Public API only (<gull.h>); no Criterion, so the fuzzer
 * can use it.  Everything is static: one copy per program.
 *
 * The model keeps its own copy of the object graph: for each object (by id)
 * its kind, its edges (slot -> id, NULL or an immediate), whether it was
 * finalized, and an optional weak handle; and the contents of every root.
 * Reachability is the model's own breadth-first search from the roots.
 * Because a store only ever writes a value that is reachable at that moment,
 * an object that became unreachable stays so, unless the host reads it back
 * through a weak reference (the .revive operation), which gull allows.
 *
 * Properties checked (the names are used in failure messages):
 *   .intact    every reachable object is a live object of the heap, of its
 *              type, with its id, magic word, slots and payload unchanged;
 *   .final     a finalizer runs once per object, only for an object the
 *              model says is unreachable, and sees it and everything it
 *              references intact (never freed memory);
 *   .complete  after a major collection that starts with no finalizer
 *              pending, every unreachable object with a finalizer has been
 *              finalized and every weak reference to an unreachable object
 *              reads NULL;
 *   .weak      a weak reference reads NULL or its original target, and a
 *              target it returns is intact (never dangling); it reads its
 *              target while that is reachable, NULL once it was finalized;
 *   .error     gull reports no error (the model never misuses the API).
 *
 * A failure calls the driver's fail function, which must not return.
 */
#ifndef GULL_TEST_MODEL_H
#define GULL_TEST_MODEL_H

#include <gull.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GM_STATIC static __attribute__((unused))

/* Object kinds: two traced types (one with a finalizer) and raw bytes. */
enum { GM_PLAIN = 0, GM_FIN, GM_BLOB, GM_KINDS };
enum { GM_LIVE = 1, GM_FINALIZED = 2 };
#define GM_NULL (-1)
#define GM_IMM (-2)
#define GM_NROOTS 24   /* a registered root range */
#define GM_NSLOTROOTS 8 /* root slots registered one by one */
#define GM_ROOTS (GM_NROOTS + GM_NSLOTROOTS)
#define GM_MAXSLOTS 6
#define GM_MAGIC 0x6d0de1f00dULL

/* Every traced object starts with this header; a blob too (nslots = 0). */
typedef struct gm_obj {
    uint32_t id;
    uint32_t nslots;
    uint64_t magic;     /* GM_MAGIC ^ id while the object is valid */
    void *slot[];       /* nslots managed slots (traced kinds only) */
} gm_obj;

typedef struct gm_node {
    gm_obj *ptr;
    unsigned char kind, state;
    unsigned char nslots;
    int32_t edge[GM_MAXSLOTS];
    size_t size;        /* bytes requested */
    gull_weak *weak;
} gm_node;

typedef struct gm gm;
typedef void (*gm_fail_fn)(gm *m, const char *msg);
/* Returns a choice in [0, n); sets m->exhausted when it has no more. */
typedef unsigned (*gm_choose_fn)(gm *m, unsigned n);

struct gm {
    gull_heap *h;
    gull_type type[GM_KINDS];
    gull_mode mode;
    bool on_demand;           /* config.finalize_on_demand */
    gm_node *node;
    int nobj, cap;            /* ids in use, ids available */
    int live_max;             /* keep at most about this many reachable */
    size_t large_max;         /* largest object size the driver allows */
    void *root[GM_NROOTS];
    void *slotroot[GM_NSLOTROOTS];
    int root_edge[GM_ROOTS];
    /* reachability: reach[id] == epoch when reachable */
    unsigned *reach;
    unsigned epoch;
    int *reach_list, nreach;
    bool dirty;
    /* errors gull reported */
    int errors;
    char last_error[512];
    /* the driver */
    gm_choose_fn choose;
    gm_fail_fn fail;
    void *ctx;
    bool exhausted;
    long op;                  /* operations done */
    long finalized, revived, weak_reads, fin_allocs;
    char msg[1024];
};

/* Finalizers get no context: the model being driven. */
static gm *gm_cur;

GM_STATIC void gm_failf(gm *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
GM_STATIC void gm_failf(gm *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(m->msg, sizeof m->msg, "op %ld: ", m->op);
    vsnprintf(m->msg + n, sizeof m->msg - (size_t)n, fmt, ap);
    va_end(ap);
    m->fail(m, m->msg);
    abort(); /* fail must not return */
}

static unsigned gm_pick(gm *m, unsigned n)
{
    return n <= 1 ? 0 : m->choose(m, n);
}

/* ---------------------------------------------------------------- values */

/* The immediate stored in slot k of any object: low four bits 0x9. */
static void *gm_imm(int k)
{
    return (void *)(((uintptr_t)(k + 1) << 4) | 9u);
}

static void *gm_value(gm *m, int e, int k)
{
    return e >= 0 ? (void *)m->node[e].ptr : e == GM_IMM ? gm_imm(k) : NULL;
}

static void **gm_root_slot(gm *m, int j)
{
    return j < GM_NROOTS ? &m->root[j] : &m->slotroot[j - GM_NROOTS];
}

static unsigned char gm_byte(uint32_t id, size_t i)
{
    return (unsigned char)(id * 131u + i * 7u + 1u);
}

/* ---------------------------------------------------------------- reachability */

static void gm_reach(gm *m)
{
    if (!m->dirty)
        return;
    if (++m->epoch == 0) { /* wrapped: clear */
        memset(m->reach, 0, (size_t)m->cap * sizeof *m->reach);
        m->epoch = 1;
    }
    int qt = 0;
    for (int j = 0; j < GM_ROOTS; j++) {
        int id = m->root_edge[j];
        if (id >= 0 && m->reach[id] != m->epoch) {
            m->reach[id] = m->epoch;
            m->reach_list[qt++] = id;
        }
    }
    for (int qh = 0; qh < qt; qh++) {
        gm_node *n = &m->node[m->reach_list[qh]];
        for (int k = 0; k < n->nslots; k++) {
            int c = n->edge[k];
            if (c >= 0 && m->reach[c] != m->epoch) {
                m->reach[c] = m->epoch;
                m->reach_list[qt++] = c;
            }
        }
    }
    m->nreach = qt;
    m->dirty = false;
}

static bool gm_reachable(gm *m, int id)
{
    gm_reach(m);
    return m->reach[id] == m->epoch;
}

/* ---------------------------------------------------------------- checks */

/* Is obj's memory what the model wrote there?  Returns a reason or NULL. */
static const char *gm_header_bad(gm *m, int id)
{
    gm_node *n = &m->node[id];
    gm_obj *o = n->ptr;
    if (o->id != (uint32_t)id || o->magic != (GM_MAGIC ^ (uint64_t)id))
        return "header overwritten (freed or reused?)";
    if (o->nslots != n->nslots)
        return "slot count overwritten";
    if (n->kind == GM_BLOB) {
        unsigned char *b = (unsigned char *)o + sizeof(gm_obj);
        size_t len = n->size - sizeof(gm_obj);
        size_t stride = len > 4096 ? 61 : 1;
        for (size_t i = 0; i < len; i += stride)
            if (b[i] != gm_byte((uint32_t)id, i))
                return "payload overwritten";
    }
    return NULL;
}

/* .intact for one object */
static void gm_check_node(gm *m, int id, const char *when)
{
    gm_node *n = &m->node[id];
    if (n->state != GM_LIVE)
        gm_failf(m, ".intact: reachable object %d was finalized (%s)", id, when);
    if (!gull_is_object(m->h, n->ptr))
        gm_failf(m, ".intact: reachable object %d (%p) is not a live object (%s)", id,
                 (void *)n->ptr, when);
    if (gull_type_of(m->h, n->ptr).id != m->type[n->kind].id)
        gm_failf(m, ".intact: reachable object %d changed type (%s)", id, when);
    if (gull_object_size(m->h, n->ptr) < n->size)
        gm_failf(m, ".intact: object %d: size %zu < %zu requested (%s)", id,
                 gull_object_size(m->h, n->ptr), n->size, when);
    const char *bad = gm_header_bad(m, id);
    if (bad)
        gm_failf(m, ".intact: reachable object %d: %s (%s)", id, bad, when);
    for (int k = 0; k < n->nslots; k++) {
        void *want = gm_value(m, n->edge[k], k);
        if (n->ptr->slot[k] != want)
            gm_failf(m, ".intact: object %d slot %d holds %p, expected %p (%s)", id, k,
                     n->ptr->slot[k], want, when);
    }
}

/* .weak for one handle: NULL or the original target, intact. */
static void gm_check_weak(gm *m, int id, const char *when)
{
    gm_node *n = &m->node[id];
    void *v = gull_weak_get(m->h, n->weak);
    m->weak_reads++;
    if (v == NULL) {
        if (gm_reachable(m, id))
            gm_failf(m, ".weak: weak reference to reachable object %d reads NULL (%s)", id, when);
        return;
    }
    if (v != n->ptr)
        gm_failf(m, ".weak: weak reference to object %d reads %p, not its target %p (%s)", id,
                 v, (void *)n->ptr, when);
    if (n->state == GM_FINALIZED)
        gm_failf(m, ".weak: weak reference to finalized object %d still reads it (%s)", id, when);
    if (!gull_is_object(m->h, v))
        gm_failf(m, ".weak: weak reference to object %d dangles: %p is no live object (%s)", id,
                 v, when);
    const char *bad = gm_header_bad(m, id);
    if (bad)
        gm_failf(m, ".weak: weak reference to object %d returns it with %s (%s)", id, bad, when);
}

static void gm_check_errors(gm *m, const char *when)
{
    if (m->errors)
        gm_failf(m, ".error: gull reported %d error(s) (%s); last: %s", m->errors, when,
                 m->last_error);
}

/* .intact for every reachable object, the roots, and the weak handles of
 * reachable objects (reading those shades nothing new). */
GM_STATIC void gm_check_all(gm *m, const char *when)
{
    gm_check_errors(m, when);
    gm_reach(m);
    for (int i = 0; i < m->nreach; i++) {
        int id = m->reach_list[i];
        gm_check_node(m, id, when);
        if (m->node[id].weak)
            gm_check_weak(m, id, when);
    }
    for (int j = 0; j < GM_ROOTS; j++)
        if (*gm_root_slot(m, j) != gm_value(m, m->root_edge[j], j))
            gm_failf(m, ".intact: root %d changed (%s)", j, when);
}

/* ---------------------------------------------------------------- gull callbacks */

static void gm_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    gm_obj *o = obj;
    for (uint32_t k = 0; k < o->nslots && k < GM_MAXSLOTS; k++)
        visit(&o->slot[k], ctx);
}

/* .final */
static void gm_finalize(gull_heap *h, void *obj)
{
    gm *m = gm_cur;
    gm_obj *o = obj;
    if (o->id >= (uint32_t)m->nobj || m->node[o->id].ptr != o)
        gm_failf(m, ".final: finalizer got %p, which is no object of the model", obj);
    int id = (int)o->id;
    gm_node *n = &m->node[id];
    if (n->kind != GM_FIN)
        gm_failf(m, ".final: object %d has no finalizer but was finalized", id);
    if (n->state == GM_FINALIZED)
        gm_failf(m, ".final: object %d finalized twice", id);
    const char *bad = gm_header_bad(m, id);
    if (bad)
        gm_failf(m, ".final: finalizer of object %d sees %s", id, bad);
    if (gm_reachable(m, id))
        gm_failf(m, ".final: object %d finalized while reachable", id);
    /* Everything it references is valid during the call (maybe being
     * finalized too, never freed). */
    for (int k = 0; k < n->nslots; k++) {
        if (o->slot[k] != gm_value(m, n->edge[k], k))
            gm_failf(m, ".final: object %d slot %d changed before its finalizer", id, k);
        int c = n->edge[k];
        if (c >= 0 && (bad = gm_header_bad(m, c)) != NULL)
            gm_failf(m, ".final: finalizer of %d sees its child %d with %s", id, c, bad);
    }
    if (n->weak && gull_weak_get(h, n->weak) != NULL)
        gm_failf(m, ".weak: weak reference to object %d not cleared before its finalizer", id);
    n->state = GM_FINALIZED;
    m->finalized++;
    /* Finalizers may allocate: every third one makes a little garbage. */
    if (m->finalized % 3 == 0) {
        gm_obj *g = gull_alloc(h, m->type[GM_BLOB], sizeof(gm_obj) + 24);
        if (!g)
            gm_failf(m, "gull_alloc inside a finalizer returned NULL");
        m->fin_allocs++;
    }
}

static void gm_on_error(gull_heap *h, gull_error code, const char *message, void *ctx)
{
    gm *m = ctx;
    (void)h;
    m->errors++;
    snprintf(m->last_error, sizeof m->last_error, "code %d: %s", (int)code,
             message ? message : "(null)");
}

/* ---------------------------------------------------------------- setup */

/* Fill c for the model: environment ignored, exact roots, errors captured.
 * The driver sets mode, stress, verify... afterwards. */
GM_STATIC void gm_config(gm *m, gull_config *c)
{
    gull_config_init(c);
    c->ignore_env = true;
    c->conservative_stack = false;
    c->on_error = gm_on_error;
    c->error_ctx = m;
}

/* Create the heap for config c and register types and roots.  Returns
 * false (with m->msg set) when that fails. */
GM_STATIC bool gm_init(gm *m, const gull_config *c, int cap, gm_choose_fn choose,
                       gm_fail_fn fail, void *ctx)
{
    memset(m, 0, sizeof *m);
    m->choose = choose;
    m->fail = fail;
    m->ctx = ctx;
    m->cap = cap;
    m->live_max = 1500;
    m->large_max = 96 << 10;
    m->node = calloc((size_t)cap, sizeof *m->node);
    m->reach = calloc((size_t)cap, sizeof *m->reach);
    m->reach_list = calloc((size_t)cap, sizeof *m->reach_list);
    if (!m->node || !m->reach || !m->reach_list) {
        snprintf(m->msg, sizeof m->msg, "out of memory for the model");
        return false;
    }
    m->dirty = true;
    for (int j = 0; j < GM_ROOTS; j++)
        m->root_edge[j] = GM_NULL;
    gm_cur = m;
    m->h = gull_heap_create(c);
    if (!m->h) {
        snprintf(m->msg, sizeof m->msg, "gull_heap_create failed");
        return false;
    }
    m->mode = gull_heap_mode(m->h);
    m->on_demand = c->finalize_on_demand;
    gull_type_desc d[GM_KINDS] = {
        {"gm_plain", gm_trace, 0, NULL, NULL, NULL},
        {"gm_fin", gm_trace, 0, gm_finalize, NULL, NULL},
        {"gm_blob", NULL, GULL_TYPE_NO_POINTERS, NULL, NULL, NULL},
    };
    for (int k = 0; k < GM_KINDS; k++) {
        m->type[k] = gull_register_type(m->h, &d[k]);
        if (m->type[k].id == 0) {
            snprintf(m->msg, sizeof m->msg, "gull_register_type failed");
            return false;
        }
    }
    if (!gull_root_range_add(m->h, m->root, m->root + GM_NROOTS)) {
        snprintf(m->msg, sizeof m->msg, "gull_root_range_add failed");
        return false;
    }
    for (int j = 0; j < GM_NSLOTROOTS; j++)
        if (!gull_root_add(m->h, &m->slotroot[j])) {
            snprintf(m->msg, sizeof m->msg, "gull_root_add failed");
            return false;
        }
    return true;
}

GM_STATIC void gm_destroy(gm *m)
{
    if (m->h) {
        for (int id = 0; id < m->nobj; id++)
            if (m->node[id].weak)
                gull_weak_free(m->h, m->node[id].weak);
        gull_heap_destroy(m->h);
    }
    free(m->node);
    free(m->reach);
    free(m->reach_list);
    if (gm_cur == m)
        gm_cur = NULL;
    m->h = NULL;
    m->node = NULL;
    m->reach = NULL;
    m->reach_list = NULL;
}

/* ---------------------------------------------------------------- operations */

static void gm_store(gm *m, int id, int k, int e)
{
    gm_node *n = &m->node[id];
    void *v = gm_value(m, e, k);
    if (gm_pick(m, 2))
        gull_write(m->h, n->ptr, &n->ptr->slot[k], v);
    else
        GULL_WRITE(m->h, n->ptr, &n->ptr->slot[k], v);
    if (n->edge[k] >= 0)
        m->dirty = true; /* an edge went away */
    n->edge[k] = e;
}

static void gm_set_root(gm *m, int j, int e)
{
    if (m->root_edge[j] >= 0)
        m->dirty = true;
    *gm_root_slot(m, j) = gm_value(m, e, j);
    m->root_edge[j] = e;
    if (e >= 0)
        m->dirty = true; /* cheaper than extending the list by hand */
}

static int gm_random_reachable(gm *m)
{
    gm_reach(m);
    return m->nreach ? m->reach_list[gm_pick(m, (unsigned)m->nreach)] : -1;
}

/* A value to store: mostly a reachable object, sometimes NULL or an immediate. */
static int gm_random_value(gm *m)
{
    unsigned r = gm_pick(m, 10);
    if (r < 7) {
        int id = gm_random_reachable(m);
        return id >= 0 ? id : GM_NULL;
    }
    return r < 9 ? GM_NULL : GM_IMM;
}

/* A traced object with a random number of slots, or a blob; sizes from the
 * smallest class to large objects. */
static void gm_op_alloc(gm *m)
{
    gm_reach(m);
    if (m->nobj >= m->cap || m->nreach >= m->live_max) {
        gm_set_root(m, (int)gm_pick(m, GM_ROOTS), GM_NULL); /* shrink instead */
        return;
    }
    unsigned kind = gm_pick(m, 10);
    kind = kind < 5 ? GM_PLAIN : kind < 8 ? GM_FIN : GM_BLOB;
    unsigned nslots = kind == GM_BLOB ? 0 : gm_pick(m, GM_MAXSLOTS + 1);
    size_t size = sizeof(gm_obj) + nslots * sizeof(void *);
    unsigned s = gm_pick(m, 100);
    if (s < 2 && m->large_max > 4096)
        size += 4096 + gm_pick(m, (unsigned)(m->large_max - 4096));  /* large */
    else if (s < 10)
        size += 1024 + gm_pick(m, 2048);                              /* medium */
    else if (s < 40)
        size += gm_pick(m, 200);
    int id = m->nobj;
    gm_obj *o = gull_alloc(m->h, m->type[kind], size);
    gm_check_errors(m, "gull_alloc");
    if (!o)
        gm_failf(m, "gull_alloc(%zu) returned NULL", size);
    if ((uintptr_t)o & 15u)
        gm_failf(m, "gull_alloc returned %p, not 16-byte aligned", (void *)o);
    for (size_t i = 0; i < size; i += 8)
        if (((unsigned char *)o)[i] != 0)
            gm_failf(m, "gull_alloc returned memory not zeroed at byte %zu", i);
    o->id = (uint32_t)id; /* plain data: no barrier */
    o->nslots = nslots;
    o->magic = GM_MAGIC ^ (uint64_t)id;
    if (kind == GM_BLOB) {
        unsigned char *b = (unsigned char *)o + sizeof(gm_obj);
        for (size_t i = 0; i < size - sizeof(gm_obj); i++)
            b[i] = gm_byte((uint32_t)id, i);
    }
    gm_node *n = &m->node[id];
    memset(n, 0, sizeof *n);
    n->ptr = o;
    n->kind = (unsigned char)kind;
    n->state = GM_LIVE;
    n->nslots = (unsigned char)nslots;
    n->size = size;
    for (int k = 0; k < GM_MAXSLOTS; k++)
        n->edge[k] = GM_NULL;
    m->nobj++;
    /* No gull call that can collect from here to the attachment. */
    for (unsigned k = 0; k < nslots; k++)
        if (gm_pick(m, 2))
            gm_store(m, id, (int)k, gm_random_value(m));
    if (gm_pick(m, 4) == 0) {
        n->weak = gull_weak_new(m->h, o);
        if (!n->weak)
            gm_failf(m, "gull_weak_new returned NULL");
    }
    unsigned r = gm_pick(m, 10);
    if (r < 4) {
        gm_set_root(m, (int)gm_pick(m, GM_ROOTS), id);
    } else if (r < 9) {
        /* into a reachable object with slots, if there is one */
        for (int tries = 0; tries < 4; tries++) {
            int p = gm_random_reachable(m);
            if (p >= 0 && p != id && m->node[p].nslots > 0) {
                gm_store(m, p, (int)gm_pick(m, m->node[p].nslots), id);
                m->dirty = true;
                break;
            }
        }
    } /* else: garbage from birth */
}

static void gm_op_store(gm *m)
{
    int a = gm_random_reachable(m);
    if (a < 0 || m->node[a].nslots == 0)
        return;
    gm_store(m, a, (int)gm_pick(m, m->node[a].nslots), gm_random_value(m));
}

static void gm_op_root(gm *m)
{
    int j = (int)gm_pick(m, GM_ROOTS);
    unsigned r = gm_pick(m, 10);
    gm_set_root(m, j, r < 5 ? gm_random_value(m) : r < 9 ? GM_NULL : GM_IMM);
}

/* Read a weak handle of any object; for an unreachable one that still reads
 * its target, sometimes put it back in a root (.revive): the host may. */
static void gm_op_weak(gm *m)
{
    if (m->nobj == 0)
        return;
    for (int tries = 0; tries < 8; tries++) {
        int id = (int)gm_pick(m, (unsigned)m->nobj);
        gm_node *n = &m->node[id];
        if (!n->weak)
            continue;
        unsigned r = gm_pick(m, 8);
        if (r == 0 && gm_reachable(m, id)) {
            gull_weak_free(m->h, n->weak); /* drop a handle */
            n->weak = NULL;
            return;
        }
        gm_check_weak(m, id, "weak read");
        if (r >= 5 && !gm_reachable(m, id) && n->state == GM_LIVE &&
            gull_weak_get(m->h, n->weak) != NULL) {
            gm_set_root(m, (int)gm_pick(m, GM_ROOTS), id);
            m->revived++;
            /* the revived object and all it references must be intact */
            gm_check_all(m, "after a revive");
        }
        return;
    }
}

/* A weak handle for a reachable object that has none. */
static void gm_op_weak_new(gm *m)
{
    int id = gm_random_reachable(m);
    if (id < 0 || m->node[id].weak)
        return;
    m->node[id].weak = gull_weak_new(m->h, m->node[id].ptr);
    if (!m->node[id].weak)
        gm_failf(m, "gull_weak_new returned NULL");
}

/* .complete: a major collection with no finalizer pending at its start.
 * Two of them: the first finishes a cycle in progress, whose finalizable
 * objects keep what they reference alive through the full cycle that
 * follows it in the same call; once their finalizers have run, the second
 * major starts with nothing pending. */
GM_STATIC void gm_op_full_check(gm *m)
{
    for (int i = 0; i < 2; i++) {
        gull_run_finalizers(m->h);
        gull_collect(m->h, GULL_COLLECT_MAJOR);
        gull_run_finalizers(m->h);
    }
    gm_check_all(m, "after a major collection");
    gm_reach(m);
    for (int id = 0; id < m->nobj; id++) {
        gm_node *n = &m->node[id];
        if (m->reach[id] == m->epoch)
            continue;
        if (n->kind == GM_FIN && n->state != GM_FINALIZED)
            gm_failf(m, ".complete: unreachable object %d not finalized after a major collection", id);
        if (n->weak && gull_weak_get(m->h, n->weak) != NULL)
            gm_failf(m, ".complete: weak reference to unreachable object %d not cleared by a major collection", id);
    }
}

static void gm_op_collect(gm *m)
{
    unsigned r = gm_pick(m, 8);
    if (r == 0) {
        gm_op_full_check(m);
        return;
    }
    gull_collect(m->h, r < 6 ? GULL_COLLECT_MINOR : GULL_COLLECT_MAJOR);
    gm_check_all(m, r < 6 ? "after a minor collection" : "after a major collection");
}

static const uint64_t gm_budgets_ns[] = {1000, 10000, 50000, 200000, 1000000};

static void gm_op_step(gm *m)
{
    unsigned r = gm_pick(m, 4);
    if (r == 0 && m->mode == GULL_MODE_INC) {
        /* Drive the cycle by hand, in small units of work. */
        if (gull_debug_phase(m->h) == GULL_PHASE_IDLE && gm_pick(m, 2))
            gull_debug_start_cycle(m->h);
        static const size_t work[] = {64, 512, 4096, 65536};
        int n = 1 + (int)gm_pick(m, 8);
        for (int i = 0; i < n && gull_debug_step(m->h, work[gm_pick(m, 4)]); i++)
            gm_check_errors(m, "gull_debug_step");
        gm_check_all(m, "between debug steps");
        return;
    }
    int n = 1 + (int)gm_pick(m, 3);
    for (int i = 0; i < n; i++)
        gull_step(m->h, gm_budgets_ns[gm_pick(m, 5)]);
    gm_check_all(m, "after gull_step");
}

/* One random operation.  Returns false once the choices are exhausted. */
GM_STATIC bool gm_random_op(gm *m)
{
    unsigned r = gm_pick(m, 100);
    if (m->exhausted)
        return false;
    m->op++;
    if (r < 42)
        gm_op_alloc(m);
    else if (r < 64)
        gm_op_store(m);
    else if (r < 76)
        gm_op_root(m);
    else if (r < 81)
        gm_op_weak(m);
    else if (r < 83)
        gm_op_weak_new(m);
    else if (r < 89)
        gm_op_collect(m);
    else if (r < 96)
        gm_op_step(m);
    else if (r < 98) {
        gull_run_finalizers(m->h);
        gm_check_all(m, "after gull_run_finalizers");
    } else {
        gm_check_all(m, "check");
    }
    gm_check_errors(m, "operation");
    return !m->exhausted;
}

/* The end of a run: check, drop every root, and everything must die. */
GM_STATIC void gm_finish(gm *m)
{
    gm_op_full_check(m);
    for (int j = 0; j < GM_ROOTS; j++)
        gm_set_root(m, j, GM_NULL);
    gm_op_full_check(m);
    for (int id = 0; id < m->nobj; id++)
        if (m->node[id].kind == GM_FIN && m->node[id].state != GM_FINALIZED)
            gm_failf(m, ".complete: object %d never finalized after all roots were dropped", id);
    gm_check_errors(m, "the end");
}

#endif /* GULL_TEST_MODEL_H */
