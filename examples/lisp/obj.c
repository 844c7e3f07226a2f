/* obj.c — object kinds, allocation helpers, the symbol and constant tables,
 * and the root report (lisp.h .roots).
 *
 * Every helper that allocates keeps its value arguments on the root stack
 * across the allocation, so callers may pass values held only in C locals
 * as long as they do not use those locals after another allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

val *rs_base, *rsp, *rs_limit;

/* ---------------------------------------------------------------- kinds */

static void trace_pair(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&PAIR(o)->car, ctx);
    visit((void **)&PAIR(o)->cdr, ctx);
}
static void trace_symbol(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&SYM(o)->value, ctx);
    visit((void **)&SYM(o)->macro, ctx);
}
static void trace_vector(void *o, lgc_visit_fn visit, void *ctx)
{
    vector *v = o;
    for (size_t i = 0; i < v->len; i++) visit((void **)&v->v[i], ctx);
}
static void trace_vector_range(void *o, void **from, void **to, lgc_visit_fn visit, void *ctx)
{
    vector *v = o;
    void **first = (void **)&v->v[0], **end = (void **)&v->v[v->len];
    if (from < first) from = first;
    if (to > end) to = end;
    for (void **p = from; p < to; p++) visit(p, ctx);
}
static void trace_closure(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&((closure *)o)->env, ctx);
}
static void trace_prim(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&((prim *)o)->data, ctx);
}
static void trace_frame(void *o, lgc_visit_fn visit, void *ctx)
{
    frame *f = o;
    visit((void **)&f->parent, ctx);
    for (uint32_t i = 0; i < f->h.aux; i++) visit((void **)&f->slot[i], ctx);
}
static void trace_record(void *o, lgc_visit_fn visit, void *ctx)
{
    record *r = o;
    visit((void **)&r->rtd, ctx);
    for (uint32_t i = 0; i < r->h.aux; i++) visit((void **)&r->field[i], ctx);
}
static void trace_rtd(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&((rtd *)o)->name, ctx);
    visit((void **)&((rtd *)o)->fields, ctx);
}
static void trace_promise(void *o, lgc_visit_fn visit, void *ctx)
{
    visit((void **)&((promise *)o)->done, ctx);
    visit((void **)&((promise *)o)->value, ctx);
}
static void trace_values(void *o, lgc_visit_fn visit, void *ctx)
{
    values *v = o;
    for (uint32_t i = 0; i < v->h.aux; i++) visit((void **)&v->v[i], ctx);
}
static void final_string(void *o)
{
    string *s = o;
    free(s->body);
    s->body = NULL;
}
static void final_port(void *o)
{
    port *p = o;
    if (p->fp && !(p->h.aux & (PORT_CLOSED | PORT_NOCLOSE))) fclose(p->fp);
    p->fp = NULL;
    free(p->buf);
    p->buf = NULL;
    free(p->name);
    p->name = NULL;
}

const struct lisp_kind lisp_kinds[K_COUNT] = {
    [K_PAIR] = {"pair", false, trace_pair, NULL},
    [K_FLONUM] = {"flonum", true, NULL, NULL},
    [K_STRING] = {"string", true, NULL, final_string},
    [K_SYMBOL] = {"symbol", false, trace_symbol, NULL},
    [K_VECTOR] = {"vector", false, trace_vector, NULL, trace_vector_range},
    [K_CLOSURE] = {"closure", false, trace_closure, NULL},
    [K_PRIM] = {"primitive", false, trace_prim, NULL},
    [K_FRAME] = {"frame", false, trace_frame, NULL},
    [K_RECORD] = {"record", false, trace_record, NULL},
    [K_RTD] = {"record-type", false, trace_rtd, NULL},
    [K_PROMISE] = {"promise", false, trace_promise, NULL},
    [K_VALUES] = {"values", false, trace_values, NULL},
    [K_PORT] = {"port", true, NULL, final_port},
    [K_CONT] = {"continuation", true, NULL, NULL},
    [K_BIGNUM] = {"bignum", true, NULL, big_finalize},
};

void *alloc_obj(int kind, size_t size)
{
    struct hdr *h = lgc_alloc(kind, size);
    if (!h) lisp_out_of_memory(size);
    h->kind = (uint32_t)kind;
    return h;
}

val cons(val a, val d)
{
    PUSH(a);
    PUSH(d);
    pair *p = alloc_obj(K_PAIR, sizeof(pair));
    d = POP();
    a = POP();
    SET(p, p->car, a);
    SET(p, p->cdr, d);
    return (val)p;
}

val mkflo(double d)
{
    flonum *f = alloc_obj(K_FLONUM, sizeof(flonum));
    f->d = d;
    return (val)f;
}

val mkint(intptr_t n)
{
    if (n < FIXNUM_MIN || n > FIXNUM_MAX) return big_from_long(n);
    return MKFIX(n);
}

void str_reserve(val s, size_t cap)
{
    string *p = STR(s);
    if (cap + 1 <= p->cap) return;
    size_t nc = p->cap ? p->cap : 16;
    while (nc < cap + 1) nc *= 2;
    char *b = realloc(p->body, nc);
    if (!b) lisp_error("out of memory for a string body", 0);
    p->body = b;
    p->cap = nc;
    lgc_set_native_size(p, nc);
}

val mkstr(const char *s, size_t len)
{
    string *p = alloc_obj(K_STRING, sizeof(string));
    p->body = malloc(len + 1);
    if (!p->body) lisp_error("out of memory for a string body", 0);
    p->cap = len + 1;
    if (s) memcpy(p->body, s, len);
    else memset(p->body, ' ', len);
    p->body[len] = 0;
    p->len = len;
    lgc_set_native_size(p, len + 1);
    return (val)p;
}

val mkstr_c(const char *s) { return mkstr(s, strlen(s)); }

val mkvec(size_t n, val fill)
{
    PUSH(fill);
    vector *v = alloc_obj(K_VECTOR, sizeof(vector) + n * sizeof(val));
    fill = POP();
    v->len = n;
    for (size_t i = 0; i < n; i++) SET(v, v->v[i], fill);
    return (val)v;
}

val mkprim(const char *name, prim_fn fn, int min, int max, unsigned flags)
{
    prim *p = alloc_obj(K_PRIM, sizeof(prim));
    p->h.aux = flags;
    p->fn = fn;
    p->name = name;
    p->min = min;
    p->max = max;
    SET(p, p->data, FALSE);
    return (val)p;
}

val mkport(FILE *fp, unsigned flags, const char *name)
{
    port *p = alloc_obj(K_PORT, sizeof(port));
    p->h.aux = flags;
    p->fp = fp;
    p->line = 1;
    p->col = 0;
    p->name = strdup(name ? name : "?");
    return (val)p;
}

/* A list of items[0..n) ending in tail.  items must be on the root stack
 * (or otherwise rooted), tail too. */
val list_from(val *items, int n, val tail)
{
    val *base = rsp;
    PUSH(tail);
    for (int i = n - 1; i >= 0; i--) base[0] = cons(items[i], base[0]);
    rsp = base;
    return base[0];
}

intptr_t list_length(val l)
{
    intptr_t n = 0;
    val slow = l;
    while (IS_PAIR(l)) {
        n++;
        l = CDR(l);
        if (!IS_PAIR(l)) break;
        n++;
        l = CDR(l);
        slow = CDR(slow);
        if (l == slow) return -1;
    }
    return l == NIL ? n : -1;
}

/* ---------------------------------------------------------------- symbols */

static val *symtab;
static size_t symtab_cap, symtab_n;

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void symtab_grow(void)
{
    size_t nc = symtab_cap ? symtab_cap * 2 : 1024;
    val *n = calloc(nc, sizeof(val));
    if (!n) { fprintf(stderr, "lisp: out of memory\n"); exit(70); }
    for (size_t i = 0; i < symtab_cap; i++) {
        val s = symtab[i];
        if (!s) continue;
        size_t j = SYM(s)->hash & (nc - 1);
        while (n[j]) j = (j + 1) & (nc - 1);
        n[j] = s;
    }
    /* The old table stays valid until the swap: nothing collects here. */
    val *old = symtab;
    symtab = n;
    symtab_cap = nc;
    free(old);
}

val intern(const char *s, size_t len)
{
    uint32_t h = hash_bytes(s, len);
    if (symtab_n * 2 >= symtab_cap) symtab_grow();
    size_t j = h & (symtab_cap - 1);
    while (symtab[j]) {
        symbol *y = SYM(symtab[j]);
        if (y->hash == h && y->len == len && memcmp(y->name, s, len) == 0) return symtab[j];
        j = (j + 1) & (symtab_cap - 1);
    }
    char tmp[256];
    char *copy = len < sizeof tmp ? tmp : malloc(len);
    memcpy(copy, s, len); /* s may live in a string body a finalizer frees */
    symbol *y = alloc_obj(K_SYMBOL, sizeof(symbol) + len + 1);
    y->hash = h;
    y->len = (uint32_t)len;
    memcpy(y->name, copy, len);
    y->name[len] = 0;
    if (copy != tmp) free(copy);
    SET(y, y->value, UNBOUND);
    SET(y, y->macro, FALSE);
    /* the allocation may have collected but never touches symtab's shape */
    j = h & (symtab_cap - 1);
    while (symtab[j]) j = (j + 1) & (symtab_cap - 1);
    symtab[j] = (val)y;
    symtab_n++;
    return (val)y;
}

val intern_c(const char *s) { return intern(s, strlen(s)); }

/* ---------------------------------------------------------------- constants */

static val *consts;
static size_t consts_n, consts_cap;

size_t const_add(val v)
{
    if (!IS_PTR(v)) return 0;
    if (consts_n == consts_cap) {
        size_t nc = consts_cap ? consts_cap * 2 : 1024;
        val *n = realloc(consts, nc * sizeof(val));
        if (!n) { fprintf(stderr, "lisp: out of memory\n"); exit(70); }
        consts = n;
        consts_cap = nc;
    }
    consts[consts_n] = v;
    return consts_n++;
}

#define MAX_GLOBALS 32
static val *globals[MAX_GLOBALS];
static int nglobals;

void root_global(val *slot)
{
    if (nglobals == MAX_GLOBALS) { fprintf(stderr, "lisp: too many global roots\n"); exit(70); }
    globals[nglobals++] = slot;
    lgc_root_add(slot);
}

/* Exit (.teardown): with no root left, one full collection finds every
 * object dead and runs the finalizers that free string bodies and port
 * buffers; then the tables themselves go. */
void obj_release_roots(void)
{
    rsp = rs_base;
    for (int i = 0; i < nglobals; i++) *globals[i] = FALSE;
    if (symtab) memset(symtab, 0, symtab_cap * sizeof(val));
    symtab_n = 0;
    consts_n = 0;
}

void obj_free_tables(void)
{
    free(symtab);
    symtab = NULL;
    symtab_cap = 0;
    free(consts);
    consts = NULL;
    consts_cap = 0;
}

/* Field names for the collector's diagnostics (why-alive, heap snapshots):
 * the name of the value field at byte offset `offset` of obj. */
const char *lisp_field_name(const void *obj, size_t offset, char *buf, size_t n)
{
    size_t word = offset / sizeof(val);
    switch (KIND(obj)) {
    case K_PAIR: return offset == offsetof(pair, car) ? "car" : "cdr";
    case K_SYMBOL: return offset == offsetof(symbol, value) ? "value" : "macro";
    case K_CLOSURE: return "env";
    case K_PRIM: return "data";
    case K_RTD: return offset == offsetof(rtd, name) ? "name" : "fields";
    case K_PROMISE: return offset == offsetof(promise, done) ? "done" : "value";
    case K_VECTOR: snprintf(buf, n, "[%zu]", word - offsetof(vector, v) / sizeof(val)); return buf;
    case K_VALUES: snprintf(buf, n, "[%zu]", word - offsetof(values, v) / sizeof(val)); return buf;
    case K_FRAME:
        if (offset == offsetof(frame, parent)) return "parent";
        snprintf(buf, n, "[%zu]", word - offsetof(frame, slot) / sizeof(val));
        return buf;
    case K_RECORD:
        if (offset == offsetof(record, rtd)) return "rtd";
        snprintf(buf, n, "[%zu]", word - offsetof(record, field) / sizeof(val));
        return buf;
    default: return NULL;
    }
}

/* What a root word the collector names is, in the interpreter's terms
 * (lisp_visit_roots): "root stack[12]", "symbol table", "constant 3". */
const char *lisp_root_name(const void *slot, char *buf, size_t n)
{
    const val *p = slot;
    if (p >= rs_base && p < rsp) snprintf(buf, n, "root stack[%td]", p - rs_base);
    else if (symtab && p >= symtab && p < symtab + symtab_cap) snprintf(buf, n, "symbol table");
    else if (consts && p >= consts && p < consts + consts_n) snprintf(buf, n, "constant %td", p - consts);
    else return NULL;
    return buf;
}

void lisp_visit_roots(void (*range)(val *start, val *end, void *ctx), void *ctx)
{
    range(rs_base, rsp, ctx);
    range(symtab, symtab + symtab_cap, ctx);
    if (consts) /* NULL + 0 is undefined behaviour (UBSan) before the first constant */
        range(consts, consts + consts_n, ctx);
}

/* ---------------------------------------------------------------- init */

val S_quote, S_quasiquote, S_unquote, S_unquote_splicing, S_lambda, S_define, S_if,
    S_set, S_begin, S_let, S_letstar, S_letrec, S_letrecstar, S_cond, S_case, S_and,
    S_or, S_when, S_unless, S_do, S_else, S_arrow, S_delay, S_delay_force,
    S_make_promise, S_define_record_type, S_define_syntax, S_let_syntax,
    S_letrec_syntax, S_syntax_rules, S_ellipsis, S_underscore, S_import,
    S_let_values, S_letstar_values, S_define_values, S_case_lambda, S_receive,
    S_parameterize, S_guard, S_assert, S_cons_stream, S_include, S_unbound_name;

void obj_init(void)
{
    symtab_grow();
#define SY(var, name) var = intern_c(name)
    SY(S_quote, "quote"); SY(S_quasiquote, "quasiquote"); SY(S_unquote, "unquote");
    SY(S_unquote_splicing, "unquote-splicing"); SY(S_lambda, "lambda");
    SY(S_define, "define"); SY(S_if, "if"); SY(S_set, "set!"); SY(S_begin, "begin");
    SY(S_let, "let"); SY(S_letstar, "let*"); SY(S_letrec, "letrec");
    SY(S_letrecstar, "letrec*"); SY(S_cond, "cond"); SY(S_case, "case");
    SY(S_and, "and"); SY(S_or, "or"); SY(S_when, "when"); SY(S_unless, "unless");
    SY(S_do, "do"); SY(S_else, "else"); SY(S_arrow, "=>"); SY(S_delay, "delay");
    SY(S_delay_force, "delay-force"); SY(S_make_promise, "make-promise");
    SY(S_define_record_type, "define-record-type"); SY(S_define_syntax, "define-syntax");
    SY(S_let_syntax, "let-syntax"); SY(S_letrec_syntax, "letrec-syntax");
    SY(S_syntax_rules, "syntax-rules"); SY(S_ellipsis, "..."); SY(S_underscore, "_");
    SY(S_import, "import"); SY(S_let_values, "let-values");
    SY(S_letstar_values, "let*-values"); SY(S_define_values, "define-values");
    SY(S_case_lambda, "case-lambda"); SY(S_receive, "receive");
    SY(S_parameterize, "parameterize"); SY(S_guard, "guard"); SY(S_assert, "assert");
    SY(S_cons_stream, "cons-stream"); SY(S_include, "include");
    SY(S_unbound_name, "unbound");
#undef SY
}
