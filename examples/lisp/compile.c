/* compile.c — syntax analysis: S-expressions to a tree of nodes.
 *
 * Variables are resolved here, once: a local becomes (depth, index) into
 * the chain of frames, a global becomes a pointer to its symbol (whose
 * value field is the global cell).  Each scope of the compiler is exactly
 * one runtime frame: a lambda's frame holds its parameters and then its
 * internal definitions, found by scanning the body before compiling it.
 * Derived forms (let*, do, named let, quasiquote, define-record-type,
 * case-lambda, let-values...) are rewritten into core forms or compiled
 * directly; the rewrites call primitives by object, not by name, so a
 * program that redefines `list` or `cons` does not break them.
 *
 * Nodes, lambdas, node arrays and compile-time scopes come from the code
 * arena (code_alloc): code lives as long as the program, and the arena is
 * freed in one sweep at exit (code_free_all), so a syntax error that
 * abandons a half-built tree leaks nothing either.
 * The values they hold (constants, symbols) are kept alive by the constant
 * table (obj.c const_add).  Forms under analysis are kept on the root stack.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"

typedef struct scope {
    struct scope *parent;
    int n, cap;
    val *names;
} scope;

/* Syntax is user input: every CAR and CDR in this file is checked, so a
 * malformed special form is a "bad syntax" error naming the top-level
 * form, never a crash.  (Compile time only; eval.c uses the raw macros.) */
static val compiling_form = FALSE; /* a root (compile_init) */
static val checked_car(val v);
static val checked_cdr(val v);
#undef CAR
#undef CDR
#define CAR(v) checked_car(v)
#define CDR(v) checked_cdr(v)

static node *compile(val x, scope *sc);
static node *compile_body(val forms, scope *sc);
static node *compile_lambda_node(val params, val body, scope *sc, val name);

val p_cons, p_list, p_append, p_list_to_vector, p_make_rtd, p_rtd_ctor, p_rtd_pred,
    p_rtd_acc, p_rtd_mod, p_cwv, p_make_case_lambda, p_dynamic_wind, p_make_promise,
    p_values, p_make_parameter, p_param_set, p_with_handler, p_raise_guard, p_void;

static void syntax_error(const char *msg, val form) __attribute__((noreturn));
static void syntax_error(const char *msg, val form) { lisp_error(msg, 1, form); }

static val checked_car(val v)
{
    if (!IS_PAIR(v)) syntax_error("bad syntax in", compiling_form);
    return PAIR(v)->car;
}
static val checked_cdr(val v)
{
    if (!IS_PAIR(v)) syntax_error("bad syntax in", compiling_form);
    return PAIR(v)->cdr;
}

/* ---------------------------------------------------------------- code arena */

struct code_block {
    struct code_block *next;
    max_align_t data[];
};
static struct code_block *code_blocks;

void *code_alloc(size_t size)
{
    struct code_block *b = calloc(1, sizeof *b + size);
    if (!b) { fprintf(stderr, "lisp: out of memory for compiled code\n"); exit(70); }
    b->next = code_blocks;
    code_blocks = b;
    return b->data;
}

void code_free_all(void)
{
    while (code_blocks) {
        struct code_block *b = code_blocks;
        code_blocks = b->next;
        free(b);
    }
}

/* The position of the innermost source list being compiled (srcloc.c);
 * every node made meanwhile carries it. */
static const struct srcloc *cur_loc;

static node *mknode(int op)
{
    node *n = code_alloc(sizeof(node));
    n->op = op;
    n->loc = cur_loc;
    return n;
}

static node *mkconst(val v)
{
    node *n = mknode(N_CONST);
    n->v = v;
    const_add(v);
    return n;
}

/* ---------------------------------------------------------------- list helpers (rooting) */

val list1(val a) { return cons(a, NIL); }
val list2(val a, val b)
{
    PUSH(a);
    val t = cons(b, NIL);
    a = POP();
    return cons(a, t);
}
val list3(val a, val b, val c)
{
    PUSH(a);
    PUSH(b);
    val t = cons(c, NIL);
    b = POP();
    t = cons(b, t);
    a = POP();
    return cons(a, t);
}
static val cadr(val x) { return CAR(CDR(x)); }
static val cddr(val x) { return CDR(CDR(x)); }

static int len_or_error(val x, val form)
{
    intptr_t n = list_length(x);
    if (n < 0) syntax_error("bad syntax (improper list)", form);
    return (int)n;
}

/* ---------------------------------------------------------------- scopes */

static scope *scope_new(scope *parent)
{
    scope *s = code_alloc(sizeof(scope));
    s->parent = parent;
    return s;
}

static int scope_add(scope *s, val name)
{
    for (int i = 0; i < s->n; i++)
        if (s->names[i] == name) return i;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        val *names = code_alloc((size_t)s->cap * sizeof(val)); /* the old array stays in the arena */
        if (s->n) memcpy(names, s->names, (size_t)s->n * sizeof(val));
        s->names = names;
    }
    s->names[s->n] = name;
    return s->n++;
}

static void scope_free(scope *s) { (void)s; /* arena memory: freed at exit */ }

static bool lookup(scope *sc, val name, int *depth, int *idx)
{
    int d = 0;
    for (; sc; sc = sc->parent, d++) {
        for (int i = sc->n - 1; i >= 0; i--)
            if (sc->names[i] == name) {
                *depth = d;
                *idx = i;
                return true;
            }
    }
    return false;
}

static bool is_bound_locally(scope *sc, val name)
{
    int d, i;
    return lookup(sc, name, &d, &i);
}

/* the head symbol of form x if it names syntax (not shadowed locally) */
static val syntax_head(val x, scope *sc)
{
    if (!IS_PAIR(x) || !IS_SYM(CAR(x))) return FALSE;
    if (is_bound_locally(sc, CAR(x))) return FALSE;
    return CAR(x);
}

/* ---------------------------------------------------------------- quasiquote */

static bool qq_has_unquote(val x, int d)
{
    if (IS_PAIR(x)) {
        val h = CAR(x);
        if ((h == S_unquote || h == S_unquote_splicing) && d == 1) return true;
        if (h == S_unquote || h == S_unquote_splicing) return qq_has_unquote(CDR(x), d - 1);
        if (h == S_quasiquote) return qq_has_unquote(CDR(x), d + 1);
        return qq_has_unquote(CAR(x), d) || qq_has_unquote(CDR(x), d);
    }
    if (IS_VEC(x)) {
        for (size_t i = 0; i < VEC(x)->len; i++)
            if (qq_has_unquote(VEC(x)->v[i], d)) return true;
    }
    return false;
}

/* returns an expression building x; the result is not rooted */
static val qq(val x, int d)
{
    if (!qq_has_unquote(x, d)) return list2(S_quote, x);
    val *base = rsp;
    PUSH(x);
    val r;
    if (IS_VEC(x)) {
        val l = NIL;
        for (size_t i = VEC(x)->len; i-- > 0;) l = cons(VEC(base[0])->v[i], l);
        PUSH(qq(l, d));
        r = list2(p_list_to_vector, base[1]);
    } else {
        val h = CAR(x);
        if (h == S_unquote && IS_PAIR(CDR(x))) {
            if (d == 1) { rsp = base; return cadr(x); }
            PUSH(qq(cadr(x), d - 1));
            PUSH(list2(S_quote, S_unquote));
            r = list3(p_list, base[2], base[1]);
        } else if (h == S_quasiquote && IS_PAIR(CDR(x))) {
            PUSH(qq(cadr(x), d + 1));
            PUSH(list2(S_quote, S_quasiquote));
            r = list3(p_list, base[2], base[1]);
        } else if (IS_PAIR(h) && CAR(h) == S_unquote_splicing && d == 1) {
            PUSH(qq(CDR(x), d));
            r = list3(p_append, cadr(CAR(base[0])), base[1]);
        } else if (IS_PAIR(h) && CAR(h) == S_unquote_splicing) {
            PUSH(qq(cadr(h), d - 1));
            PUSH(list2(S_quote, S_unquote_splicing));
            PUSH(list3(p_list, base[2], base[1]));
            PUSH(qq(CDR(base[0]), d));
            r = list3(p_cons, base[3], base[4]);
        } else {
            PUSH(qq(CAR(x), d));
            PUSH(qq(CDR(base[0]), d));
            r = list3(p_cons, base[1], base[2]);
        }
    }
    rsp = base;
    return r;
}

/* ---------------------------------------------------------------- rewrites */

static val sym_do_loop, sym_tmp;

/* (do ((v init step)...) (test res...) body...) =>
 * (let <loop> ((v init)...) (if test (begin #!unspec res...) (begin body... (<loop> step...)))) */
static val expand_do(val x)
{
    if (list_length(x) < 3 || list_length(cadr(x)) < 0 || !IS_PAIR(CAR(cddr(x))))
        syntax_error("bad do syntax", x);
    val *base = rsp;
    PUSH(x);
    PUSH(NIL); /* 1: bindings */
    PUSH(NIL); /* 2: steps */
    for (val specs = cadr(x); IS_PAIR(specs); specs = CDR(specs)) {
        val s = CAR(specs);
        if (!IS_PAIR(s) || !IS_SYM(CAR(s)) || !IS_PAIR(CDR(s))) syntax_error("bad do binding", s);
        PUSH(s);
        base[1] = cons(list2(CAR(s), cadr(s)), base[1]);
        s = base[3];
        base[2] = cons(IS_PAIR(cddr(s)) ? CAR(cddr(s)) : CAR(s), base[2]);
        rsp = base + 3;
    }
    base[1] = reverse_list(base[1]);
    base[2] = reverse_list(base[2]);
    PUSH(cons(sym_do_loop, base[2]));                      /* 3: loop call */
    PUSH(list1(base[3]));                                   /* 4 */
    PUSH(append2(CDR(cddr(base[0])), base[4]));            /* 5: body... (loop ...) */
    PUSH(cons(S_begin, base[5]));                           /* 6 */
    val test_clause = CAR(cddr(base[0]));
    PUSH(cons(S_begin, cons(UNSPEC, CDR(test_clause))));   /* 7 */
    PUSH(list3(S_if, CAR(CAR(cddr(base[0]))), base[7]));    /* 8: (if test res) */
    base[8] = append2(base[8], list1(base[6]));
    PUSH(list1(base[8]));                                   /* 9 */
    PUSH(cons(base[1], base[9]));                           /* 10 */
    PUSH(cons(sym_do_loop, base[10]));
    val r = cons(S_let, base[11]);
    rsp = base;
    return r;
}

val reverse_list(val l)
{
    val *base = rsp;
    PUSH(l);
    PUSH(NIL);
    while (IS_PAIR(base[0])) {
        base[1] = cons(CAR(base[0]), base[1]);
        base[0] = CDR(base[0]);
    }
    val r = base[1];
    rsp = base;
    return r;
}

val append2(val a, val b)
{
    val *base = rsp;
    PUSH(b);
    PUSH(a);
    base[1] = reverse_list(a);
    val t = base[0];
    base[0] = base[1];
    base[1] = t;
    while (IS_PAIR(base[0])) {
        base[1] = cons(CAR(base[0]), base[1]);
        base[0] = CDR(base[0]);
    }
    val r = base[1];
    rsp = base;
    return r;
}

/* (define-record-type name (ctor field...) pred (field acc [mod])...) */
static val expand_record(val x)
{
    if (list_length(x) < 3) syntax_error("bad define-record-type", x);
    val *base = rsp;
    PUSH(x);
    PUSH(NIL); /* 1: result forms, reversed */
    val tname = cadr(x);
    if (IS_PAIR(tname)) tname = CAR(tname);
    PUSH(tname); /* 2 */
    PUSH(NIL);   /* 3: field names */
    for (val fs = cddr(cddr(x)); IS_PAIR(fs); fs = CDR(fs)) {
        val f = CAR(fs);
        base[3] = cons(IS_PAIR(f) ? CAR(f) : f, base[3]);
    }
    base[3] = reverse_list(base[3]);
    /* (define name (%make-rtd 'name 'fields)) */
    PUSH(list2(S_quote, base[2]));
    PUSH(list2(S_quote, base[3]));
    PUSH(list3(p_make_rtd, base[4], base[5]));
    base[1] = cons(list3(S_define, base[2], base[6]), base[1]);
    rsp = base + 4;
    val ctor = CAR(cddr(base[0]));
    if (IS_PAIR(ctor)) {
        PUSH(list2(S_quote, CDR(ctor)));
        PUSH(list3(p_rtd_ctor, base[2], base[4]));
        base[1] = cons(list3(S_define, CAR(CAR(cddr(base[0]))), base[5]), base[1]);
    } else if (IS_SYM(ctor)) {
        PUSH(list2(S_quote, base[3]));
        PUSH(list3(p_rtd_ctor, base[2], base[4]));
        base[1] = cons(list3(S_define, CAR(cddr(base[0])), base[5]), base[1]);
    }
    rsp = base + 4;
    val pred = CAR(CDR(cddr(base[0])));
    if (IS_SYM(pred)) {
        PUSH(list2(p_rtd_pred, base[2]));
        base[1] = cons(list3(S_define, CAR(CDR(cddr(base[0]))), base[4]), base[1]);
        rsp = base + 4;
    }
    for (val fs = cddr(cddr(base[0])); IS_PAIR(fs); fs = CDR(fs)) {
        PUSH(fs);
        val f = CAR(fs);
        if (IS_PAIR(f) && IS_PAIR(CDR(f))) {
            PUSH(list2(S_quote, CAR(f)));
            PUSH(list3(p_rtd_acc, base[2], base[5]));
            base[1] = cons(list3(S_define, cadr(CAR(base[4])), base[6]), base[1]);
            f = CAR(base[4]);
            if (IS_PAIR(cddr(f))) {
                PUSH(list3(p_rtd_mod, base[2], base[5]));
                base[1] = cons(list3(S_define, CAR(cddr(CAR(base[4]))), base[7]), base[1]);
            }
        }
        fs = base[4];
        rsp = base + 4;
    }
    val r = cons(S_begin, reverse_list(base[1]));
    rsp = base;
    return r;
}

/* (let-values (((formals) expr) ...) body...) => nested call-with-values */
static val expand_let_values(val bindings, val body)
{
    if (bindings == NIL) return cons(S_let, cons(NIL, body));
    if (!IS_PAIR(bindings) || !IS_PAIR(CAR(bindings)) || !IS_PAIR(CDR(CAR(bindings))))
        syntax_error("bad let-values binding", bindings);
    val *base = rsp;
    PUSH(bindings);
    PUSH(body);
    PUSH(expand_let_values(CDR(bindings), body)); /* 2 */
    PUSH(list3(S_lambda, CAR(CAR(base[0])), base[2])); /* 3: consumer */
    PUSH(list3(S_lambda, NIL, cadr(CAR(base[0]))));    /* 4: producer */
    val r = list3(p_cwv, base[4], base[3]);
    rsp = base;
    return r;
}

/* (parameterize ((p v) ...) body...) => (%parameterize (list p ...) (list v ...) (lambda () body...)) */
static val expand_parameterize(val x)
{
    val *base = rsp;
    PUSH(x);
    PUSH(cons(p_list, NIL)); /* params */
    PUSH(cons(p_list, NIL)); /* values */
    for (val b = cadr(x); IS_PAIR(b); b = CDR(b)) {
        PUSH(b);
        base[1] = append2(base[1], list1(CAR(CAR(b))));
        base[2] = append2(base[2], list1(cadr(CAR(base[3]))));
        b = POP();
    }
    PUSH(cons(S_lambda, cons(NIL, cddr(base[0]))));
    PUSH(list3(p_param_set, base[1], base[2]));
    base[4] = append2(base[4], list1(base[3]));
    val r = base[4];
    rsp = base;
    return r;
}

/* (guard (var clause...) body...) =>
 * (%guard (lambda () body...) (lambda (var) (cond clause... (else (%reraise var))))) */
static val expand_guard(val x)
{
    if (list_length(x) < 2 || !IS_PAIR(cadr(x)) || !IS_SYM(CAR(cadr(x)))) syntax_error("bad guard", x);
    val *base = rsp;
    PUSH(x);
    PUSH(cons(S_lambda, cons(NIL, cddr(x)))); /* 1: thunk */
    val clauses = CDR(cadr(base[0]));
    bool has_else = false;
    for (val c = clauses; IS_PAIR(c); c = CDR(c))
        if (IS_PAIR(CAR(c)) && CAR(CAR(c)) == S_else) has_else = true;
    PUSH(cons(S_cond, clauses)); /* 2 */
    if (!has_else) {
        PUSH(list2(p_raise_guard, CAR(cadr(base[0]))));
        PUSH(list2(S_else, base[3]));
        base[2] = append2(base[2], list1(base[4]));
        rsp = base + 3;
    }
    PUSH(list1(CAR(cadr(base[0]))));
    PUSH(list3(S_lambda, base[3], base[2])); /* 4: handler */
    val r = list3(p_with_handler, base[4], base[1]);
    rsp = base;
    return r;
}

/* ---------------------------------------------------------------- macros */

/* Expand x if its head is a macro or a derived form handled by rewriting.
 * Returns x unchanged otherwise. */
static val expand_once(val x, scope *sc, bool *changed)
{
    *changed = false;
    val h = syntax_head(x, sc);
    if (h == FALSE) return x;
    if (SYM(h)->macro != FALSE) {
        *changed = true;
        return macro_expand(SYM(h)->macro, x);
    }
    if (h == S_define_record_type) { *changed = true; return expand_record(x); }
    if (h == S_define_values) {
        /* (define-values (a b) e) => (begin (define a #f) (define b #f)
           (call-with-values (lambda () e) (lambda (t1 t2) (set! a t1) (set! b t2)))) */
        *changed = true;
        val *base = rsp;
        PUSH(x);
        PUSH(NIL); /* defines */
        PUSH(NIL); /* sets */
        PUSH(NIL); /* temp formals */
        val formals = cadr(x);
        for (val f = formals; IS_PAIR(f); f = CDR(f)) {
            PUSH(f);
            char nm[300];
            snprintf(nm, sizeof nm, " dv-%s", SYM(CAR(f))->name);
            PUSH(intern_c(nm));
            base[1] = cons(list3(S_define, CAR(base[4]), FALSE), base[1]);
            base[2] = cons(list3(S_set, CAR(base[4]), base[5]), base[2]);
            base[3] = cons(base[5], base[3]);
            rsp = base + 4;
        }
        base[3] = reverse_list(base[3]);
        PUSH(cons(S_lambda, cons(base[3], base[2])));
        PUSH(list3(S_lambda, NIL, CAR(cddr(base[0]))));
        PUSH(list3(p_cwv, base[5], base[4]));
        base[1] = reverse_list(base[1]); /* one allocating call per statement: */
        base[6] = list1(base[6]);          /* neither result waits in a C temporary */
        base[1] = append2(base[1], base[6]);
        val r = cons(S_begin, base[1]);
        rsp = base;
        return r;
    }
    return x;
}

static val expand(val x, scope *sc)
{
    bool changed;
    int guard = 0;
    do {
        x = expand_once(x, sc, &changed);
        if (++guard > 100000) syntax_error("macro expansion does not terminate", x);
    } while (changed);
    return x;
}

static void define_macro(val x)
{
    /* (define-syntax name (syntax-rules (lit...) rules...)) or (er-macro...) */
    if (list_length(x) != 3 || !IS_SYM(cadr(x))) syntax_error("bad define-syntax", x);
    val spec = CAR(cddr(x));
    if (!IS_PAIR(spec) || CAR(spec) != S_syntax_rules || !IS_PAIR(CDR(spec)))
        syntax_error("only syntax-rules macros are supported", x);
    val name = cadr(x);
    SET(SYM(name), SYM(name)->macro, spec);
}

/* ---------------------------------------------------------------- bodies */

/* Splice begins, expand macros, collect the definitions of a body into sc.
 * Returns the list of forms (expanded), rooted by the caller via PUSH. */
static val scan_body(val forms, scope *sc)
{
    val *base = rsp;
    PUSH(forms);
    PUSH(NIL); /* result, reversed */
    PUSH(NIL); /* work list */
    base[2] = forms;
    while (IS_PAIR(base[2])) {
        val f = expand(CAR(base[2]), sc);
        PUSH(f);
        val h = syntax_head(f, sc);
        if (h == S_begin) {
            base[2] = append2(CDR(f), CDR(base[2]));
            rsp = base + 3;
            continue;
        }
        if (h == S_define_syntax) {
            define_macro(f);
            base[2] = CDR(base[2]);
            rsp = base + 3;
            continue;
        }
        if (h == S_define) {
            if (!IS_PAIR(CDR(f))) syntax_error("bad define", f);
            val target = cadr(f);
            while (IS_PAIR(target)) target = CAR(target); /* curried define */
            if (!IS_SYM(target)) syntax_error("bad define", f);
            scope_add(sc, target);
        }
        base[1] = cons(f, base[1]);
        base[2] = CDR(base[2]);
        rsp = base + 3;
    }
    val r = reverse_list(base[1]);
    rsp = base;
    return r;
}

/* (define (f . args) body...) => name f, value (lambda args body...) */
static node *compile_define_value(val x, scope *sc, val *name_out)
{
    val target = cadr(x);
    if (IS_PAIR(target)) {
        /* curried: (define ((f a) b) ...) => (define (f a) (lambda (b) ...)) */
        val *base = rsp;
        PUSH(x);
        while (IS_PAIR(CAR(target))) {
            PUSH(cons(S_lambda, cons(CDR(target), cddr(base[0]))));
            base[0] = list3(S_define, CAR(target), base[1]);
            rsp = base + 1;
            target = CAR(target);
            x = base[0];
            target = cadr(x);
        }
        *name_out = CAR(target);
        node *n = compile_lambda_node(CDR(target), cddr(x), sc, CAR(target));
        rsp = base;
        return n;
    }
    if (!IS_SYM(target)) syntax_error("bad define", x);
    *name_out = target;
    if (cddr(x) == NIL) return mkconst(UNSPEC);
    val e = CAR(cddr(x));
    if (IS_PAIR(e) && CAR(e) == S_lambda && !is_bound_locally(sc, S_lambda) && IS_PAIR(CDR(e)))
        return compile_lambda_node(cadr(e), cddr(e), sc, target);
    return compile(e, sc);
}

static node *seq_node(node **xs, int n)
{
    if (n == 0) return mkconst(UNSPEC);
    if (n == 1) return xs[0];
    node *s = mknode(N_SEQ);
    s->n = n;
    s->xs = code_alloc((size_t)n * sizeof(node *));
    memcpy(s->xs, xs, (size_t)n * sizeof(node *));
    return s;
}

static node *compile_seq(val forms, scope *sc)
{
    val *base = rsp;
    PUSH(forms);
    int n = len_or_error(forms, forms);
    node **xs = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    int i = 0;
    for (val f = forms; IS_PAIR(f); f = CDR(f)) xs[i++] = compile(CAR(f), sc);
    node *r = seq_node(xs, n);
    rsp = base;
    return r;
}

static node *compile_body(val forms, scope *sc)
{
    val *base = rsp;
    PUSH(forms);
    PUSH(scan_body(forms, sc));
    int n = (int)list_length(base[1]);
    node **xs = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    int i = 0;
    for (val f = base[1]; IS_PAIR(f); f = CDR(f)) {
        val x = CAR(f);
        if (syntax_head(x, sc) == S_define) {
            val name;
            node *v = compile_define_value(x, sc, &name);
            int d = 0, idx = 0;
            lookup(sc, name, &d, &idx);
            node *s = mknode(N_LSET);
            s->depth = d;
            s->idx = idx;
            s->a = v;
            xs[i++] = s;
        } else {
            xs[i++] = compile(x, sc);
        }
    }
    node *r = seq_node(xs, n);
    rsp = base;
    return r;
}

static struct lambda *compile_lambda(val params, val body, scope *sc, val name)
{
    val *base = rsp;
    PUSH(params);
    PUSH(body);
    scope *s = scope_new(sc);
    struct lambda *lam = code_alloc(sizeof *lam);
    val p = params;
    for (; IS_PAIR(p); p = CDR(p)) {
        if (!IS_SYM(CAR(p))) syntax_error("bad parameter list", params);
        scope_add(s, CAR(p));
        lam->nreq++;
    }
    if (p != NIL) {
        if (!IS_SYM(p)) syntax_error("bad parameter list", params);
        scope_add(s, p);
        lam->rest = true;
    }
    if (s->n != lam->nreq + (lam->rest ? 1 : 0)) syntax_error("duplicate parameter", params);
    lam->name = name;
    const_add(name);
    lam->body = compile_body(body, s);
    lam->frame_size = s->n;
    scope_free(s);
    rsp = base;
    return lam;
}

static node *compile_lambda_node(val params, val body, scope *sc, val name)
{
    node *n = mknode(N_LAMBDA);
    n->lam = compile_lambda(params, body, sc, name);
    return n;
}

/* ---------------------------------------------------------------- forms */

static node *compile_ref(val sym, scope *sc)
{
    int d, i;
    if (lookup(sc, sym, &d, &i)) {
        node *n = mknode(d == 0 ? N_LREF0 : d == 1 ? N_LREF1 : N_LREF);
        n->depth = d;
        n->idx = i;
        n->v = sym;
        return n;
    }
    node *n = mknode(N_GREF);
    n->v = sym;
    return n;
}

static node *compile_let(val x, scope *sc)
{
    /* (let ((v e)...) body...) or (let name ((v e)...) body...) */
    if (!IS_PAIR(CDR(x))) syntax_error("bad let", x);
    val *base = rsp;
    PUSH(x);
    bool named = IS_SYM(cadr(x));
    val bindings = named ? CAR(cddr(x)) : cadr(x);
    int n = len_or_error(bindings, x);
    node **inits = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    PUSH(NIL); /* 1: vars */
    int i = 0;
    for (val b = bindings; IS_PAIR(b); b = CDR(b), i++) {
        val bd = CAR(b);
        if (IS_SYM(bd)) { inits[i] = mkconst(UNSPEC); base[1] = cons(bd, base[1]); continue; }
        if (!IS_PAIR(bd) || !IS_SYM(CAR(bd))) syntax_error("bad let binding", bd);
        inits[i] = IS_PAIR(CDR(bd)) ? compile(cadr(bd), sc) : mkconst(UNSPEC);
        base[1] = cons(CAR(bd), base[1]);
    }
    base[1] = reverse_list(base[1]);
    node *r;
    if (named) {
        scope *s1 = scope_new(sc);
        scope_add(s1, cadr(base[0]));
        r = mknode(N_NAMEDLET);
        r->lam = compile_lambda(base[1], named ? CDR(cddr(base[0])) : NIL, s1, cadr(base[0]));
        scope_free(s1);
    } else {
        scope *s = scope_new(sc);
        for (val v = base[1]; IS_PAIR(v); v = CDR(v)) {
            int before = s->n;
            scope_add(s, CAR(v));
            if (s->n == before) syntax_error("duplicate variable in let", base[0]);
        }
        r = mknode(N_LET);
        r->a = compile_body(cddr(base[0]), s);
        r->idx = s->n; /* frame size */
        scope_free(s);
    }
    r->n = n;
    r->xs = inits;
    rsp = base;
    return r;
}

static node *compile_letrec(val x, scope *sc)
{
    if (!IS_PAIR(CDR(x))) syntax_error("bad letrec", x);
    val *base = rsp;
    PUSH(x);
    val bindings = cadr(x);
    int n = len_or_error(bindings, x);
    scope *s = scope_new(sc);
    for (val b = bindings; IS_PAIR(b); b = CDR(b)) {
        if (!IS_PAIR(CAR(b)) || !IS_SYM(CAR(CAR(b)))) syntax_error("bad letrec binding", CAR(b));
        scope_add(s, CAR(CAR(b)));
    }
    node **inits = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    int i = 0;
    for (val b = cadr(base[0]); IS_PAIR(b); b = CDR(b), i++) {
        val bd = CAR(b);
        val e = IS_PAIR(CDR(bd)) ? cadr(bd) : UNSPEC;
        if (IS_PAIR(e) && CAR(e) == S_lambda && IS_PAIR(CDR(e)) && !is_bound_locally(s, S_lambda))
            inits[i] = compile_lambda_node(cadr(e), cddr(e), s, CAR(bd));
        else
            inits[i] = compile(e, s);
    }
    node *r = mknode(N_LETREC);
    r->a = compile_body(cddr(base[0]), s);
    r->idx = s->n;
    r->n = n;
    r->xs = inits;
    scope_free(s);
    rsp = base;
    return r;
}

static node *compile_cond(val clauses, scope *sc, val form)
{
    if (clauses == NIL) return mkconst(UNSPEC);
    if (!IS_PAIR(clauses) || !IS_PAIR(CAR(clauses))) syntax_error("bad cond clause", form);
    val *base = rsp;
    PUSH(clauses);
    val c = CAR(clauses);
    node *r;
    if (CAR(c) == S_else && !is_bound_locally(sc, S_else)) {
        r = compile_seq(CDR(c), sc);
    } else if (CDR(c) == NIL) {
        r = mknode(N_OR);
        r->n = 2;
        r->xs = code_alloc(2 * sizeof(node *));
        r->xs[0] = compile(CAR(c), sc);
        r->xs[1] = compile_cond(CDR(base[0]), sc, form);
    } else if (IS_PAIR(CDR(c)) && cadr(c) == S_arrow && IS_PAIR(cddr(c))) {
        r = mknode(N_CONDARROW);
        r->a = compile(CAR(c), sc);
        r->b = compile(CAR(cddr(c)), sc);
        r->c = compile_cond(CDR(base[0]), sc, form);
    } else {
        r = mknode(N_IF);
        r->a = compile(CAR(c), sc);
        r->b = compile_seq(CDR(c), sc);
        r->c = compile_cond(CDR(base[0]), sc, form);
    }
    rsp = base;
    return r;
}

static node *compile_case(val x, scope *sc)
{
    if (!IS_PAIR(CDR(x))) syntax_error("bad case", x);
    val *base = rsp;
    PUSH(x);
    node *r = mknode(N_CASE);
    r->a = compile(cadr(x), sc);
    int n = len_or_error(cddr(x), x);
    r->n = n;
    r->xs = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    PUSH(mkvec((size_t)n, FALSE));
    int i = 0;
    for (val cl = cddr(base[0]); IS_PAIR(cl); cl = CDR(cl), i++) {
        val c = CAR(cl);
        if (!IS_PAIR(c)) syntax_error("bad case clause", c);
        if (CAR(c) == S_else) SET(base[1], VEC(base[1])->v[i], TRUE);
        else if (list_length(CAR(c)) >= 0) SET(base[1], VEC(base[1])->v[i], CAR(c));
        else syntax_error("bad case clause", c);
        if (IS_PAIR(CDR(c)) && cadr(c) == S_arrow && IS_PAIR(cddr(c))) {
            node *ar = mknode(N_ARROW);
            ar->a = compile(CAR(cddr(c)), sc);
            r->xs[i] = ar;
        } else {
            r->xs[i] = compile_seq(CDR(c), sc);
        }
    }
    r->v = base[1];
    const_add(r->v);
    rsp = base;
    return r;
}

static node *compile_call(val x, scope *sc)
{
    val *base = rsp;
    PUSH(x);
    int n = len_or_error(CDR(x), x);
    node *r = mknode(N_CALL);
    r->a = compile(CAR(x), sc);
    r->n = n;
    r->xs = code_alloc((size_t)(n ? n : 1) * sizeof(node *));
    int i = 0;
    for (val a = CDR(base[0]); IS_PAIR(a); a = CDR(a)) r->xs[i++] = compile(CAR(a), sc);
    rsp = base;
    return optimize_call(r);
}

static node *compile_andor(int op, val args, scope *sc)
{
    val *base = rsp;
    PUSH(args);
    int n = len_or_error(args, args);
    if (n == 0) { rsp = base; return mkconst(op == N_AND ? TRUE : FALSE); }
    node *r = mknode(op);
    r->n = n;
    r->xs = code_alloc((size_t)n * sizeof(node *));
    int i = 0;
    for (val a = base[0]; IS_PAIR(a); a = CDR(a)) r->xs[i++] = compile(CAR(a), sc);
    rsp = base;
    if (n == 1) return r->xs[0];
    return r;
}

static node *compile_form(val x, scope *sc);

static node *compile(val x, scope *sc)
{
    const struct srcloc *outer = cur_loc, *l = srcloc_of(x);
    if (l) cur_loc = l;
    node *n = compile_form(x, sc);
    cur_loc = outer;
    return n;
}

static node *compile_form(val x, scope *sc)
{
    if (IS_SYM(x)) return compile_ref(x, sc);
    if (!IS_PAIR(x)) {
        if (x == NIL) syntax_error("empty combination ()", x);
        return mkconst(x);
    }
    val *base = rsp;
    PUSH(x);
    x = expand(x, sc);
    base[0] = x;
    if (!IS_PAIR(x)) { /* a macro expanded to an atom */
        node *a = compile(x, sc);
        rsp = base;
        return a;
    }
    val h = syntax_head(x, sc);
    node *r = NULL;
    if (h == FALSE) {
        r = compile_call(x, sc);
    } else if (h == S_quote) {
        if (!IS_PAIR(CDR(x))) syntax_error("bad quote", x);
        r = mkconst(cadr(x));
    } else if (h == S_if) {
        int n = len_or_error(x, x);
        if (n < 3 || n > 4) syntax_error("bad if", x);
        r = mknode(N_IF);
        r->a = compile(cadr(x), sc);
        r->b = compile(CAR(cddr(base[0])), sc);
        r->c = n == 4 ? compile(cadr(cddr(base[0])), sc) : mkconst(UNSPEC);
    } else if (h == S_define) {
        if (sc) syntax_error("define in an expression context", x);
        if (!IS_PAIR(CDR(x))) syntax_error("bad define", x);
        val name;
        node *v = compile_define_value(x, sc, &name);
        r = mknode(N_GDEF);
        r->v = name;
        r->a = v;
    } else if (h == S_set) {
        if (len_or_error(x, x) != 3 || !IS_SYM(cadr(x))) syntax_error("bad set!", x);
        int d, i;
        node *v = compile(CAR(cddr(x)), sc);
        if (lookup(sc, cadr(base[0]), &d, &i)) {
            r = mknode(N_LSET);
            r->depth = d;
            r->idx = i;
        } else {
            r = mknode(N_GSET);
            r->v = cadr(base[0]);
        }
        r->a = v;
    } else if (h == S_lambda) {
        if (!IS_PAIR(CDR(x))) syntax_error("bad lambda", x);
        r = compile_lambda_node(cadr(x), cddr(x), sc, FALSE);
    } else if (h == S_begin) {
        if (!sc) {
            /* a top-level begin may hold definitions */
            len_or_error(x, x);
            node **xs = code_alloc((size_t)(list_length(x) + 1) * sizeof(node *));
            int i = 0;
            for (val f = CDR(x); IS_PAIR(f); f = CDR(f)) xs[i++] = compile(CAR(f), sc);
            r = seq_node(xs, i);
        } else {
            r = compile_seq(CDR(x), sc);
        }
    } else if (h == S_let) {
        r = compile_let(x, sc);
    } else if (h == S_letstar) {
        if (!IS_PAIR(CDR(x)) || list_length(cadr(x)) < 0) syntax_error("bad let*", x);
        val b = cadr(x);
        if (b == NIL || CDR(b) == NIL) {
            r = compile_let(cons(S_let, CDR(x)), sc);
        } else {
            /* (let* (b1 b2...) body) => (let (b1) (let* (b2...) body)) */
            PUSH(cons(S_letstar, cons(CDR(b), cddr(x))));
            PUSH(list1(base[1]));
            PUSH(list1(CAR(cadr(base[0]))));
            r = compile_let(cons(S_let, cons(base[3], base[2])), sc);
        }
    } else if (h == S_letrec || h == S_letrecstar) {
        r = compile_letrec(x, sc);
    } else if (h == S_cond) {
        r = compile_cond(CDR(x), sc, x);
    } else if (h == S_case) {
        r = compile_case(x, sc);
    } else if (h == S_and) {
        r = compile_andor(N_AND, CDR(x), sc);
    } else if (h == S_or) {
        r = compile_andor(N_OR, CDR(x), sc);
    } else if (h == S_when || h == S_unless) {
        if (!IS_PAIR(CDR(x))) syntax_error("bad when/unless", x);
        r = mknode(N_IF);
        r->a = compile(cadr(x), sc);
        node *body = compile_seq(cddr(base[0]), sc);
        if (h == S_when) { r->b = body; r->c = mkconst(UNSPEC); }
        else { r->b = mkconst(UNSPEC); r->c = body; }
    } else if (h == S_do) {
        r = compile(expand_do(x), sc);
    } else if (h == S_quasiquote) {
        if (!IS_PAIR(CDR(x))) syntax_error("bad quasiquote", x);
        PUSH(qq(cadr(x), 1));
        r = compile(base[1], sc);
    } else if (h == S_delay || h == S_delay_force || (h == S_cons_stream && SYM(h)->value == UNBOUND)) {
        if (h == S_cons_stream) {
            if (len_or_error(x, x) != 3) syntax_error("bad cons-stream", x);
            PUSH(list2(S_delay, CAR(cddr(x))));
            PUSH(list3(p_cons, cadr(base[0]), base[1]));
            r = compile(base[2], sc);
        } else {
            if (len_or_error(x, x) != 2) syntax_error("bad delay", x);
            r = mknode(N_DELAY);
            r->idx = h == S_delay_force;
            r->lam = compile_lambda(NIL, CDR(x), sc, FALSE);
        }
    } else if (h == S_define_syntax) {
        define_macro(x);
        r = mkconst(UNSPEC);
    } else if (h == S_let_syntax || h == S_letrec_syntax) {
        /* non-hygienic: the macros become global */
        for (val b = cadr(x); IS_PAIR(b); b = CDR(b)) {
            PUSH(b);
            define_macro(cons(S_define_syntax, CAR(b)));
            b = POP();
        }
        r = compile(cons(S_let, cons(NIL, cddr(base[0]))), sc);
    } else if (h == S_import) {
        r = mkconst(UNSPEC);
    } else if (h == S_let_values || h == S_letstar_values) {
        if (!IS_PAIR(CDR(x))) syntax_error("bad let-values", x);
        r = compile(expand_let_values(cadr(x), cddr(x)), sc);
    } else if (h == S_receive && SYM(S_receive)->value == UNBOUND) {
        if (len_or_error(x, x) < 3) syntax_error("bad receive", x);
        PUSH(cons(S_lambda, cons(cadr(x), cddr(cddr(x)) == NIL && 0 ? NIL : CDR(cddr(x)))));
        PUSH(list3(S_lambda, NIL, CAR(cddr(base[0]))));
        r = compile(list3(p_cwv, base[2], base[1]), sc);
    } else if (h == S_case_lambda) {
        PUSH(NIL);
        for (val c = CDR(x); IS_PAIR(c); c = CDR(c)) {
            PUSH(c);
            base[1] = cons(cons(S_lambda, CAR(c)), base[1]);
            c = POP();
        }
        base[1] = cons(p_make_case_lambda, reverse_list(base[1]));
        r = compile(base[1], sc);
    } else if (h == S_parameterize) {
        r = compile(expand_parameterize(x), sc);
    } else if (h == S_guard) {
        r = compile(expand_guard(x), sc);
    } else if (h == S_assert && SYM(S_assert)->value == UNBOUND && list_length(x) == 2) {
        /* (assert e) => (if e #!unspec (error "assertion failed" 'e)) */
        if (len_or_error(x, x) != 2) syntax_error("bad assert", x);
        PUSH(list2(S_quote, cadr(x)));
        PUSH(list3(intern_c("error"), mkstr_c("assertion failed"), base[1]));
        PUSH(list1(base[2]));
        PUSH(cons(UNSPEC, base[3]));
        PUSH(cons(cadr(base[0]), base[4]));
        r = compile(cons(S_if, base[5]), sc);
    } else {
        r = compile_call(x, sc);
    }
    rsp = base;
    return r;
}

node *compile_toplevel(val form)
{
    val *base = rsp;
    PUSH(form);
    val saved = compiling_form;
    PUSH(saved);
    compiling_form = form;
    node *n = compile(form, NULL);
    compiling_form = base[1];
    rsp = base;
    return n;
}

const struct srcloc *compile_loc(void) { return cur_loc; }
void compile_reset_loc(void) { cur_loc = NULL; }

/* Is form (after expansion) a top-level begin?  Then eval.c runs its parts
 * one by one, so a macro defined early in it is seen by later parts. */
val toplevel_expand(val form)
{
    compiling_form = form;
    return expand(form, NULL);
}

void compile_init(void)
{
    root_global(&compiling_form);
    sym_do_loop = intern_c(" do-loop");
    sym_tmp = intern_c(" tmp");
}
