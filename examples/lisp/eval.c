/* eval.c — the evaluator: nodes in, values out.
 *
 * eval(n, env) walks the node tree.  Tail positions (if branches, the last
 * form of a body, the body of a called closure) loop inside the same C
 * invocation instead of recursing, so tail calls run in constant C stack
 * and constant root stack.  Non-tail calls recurse; the depth is bounded by
 * the interpreter thread's C stack (checked at every entry against
 * c_stack_limit, which main.c sets from the stack it created) and by the
 * root stack's size: a too deep recursion is a Lisp error, never a crash.
 *
 * Roots (lisp.h .roots): eval keeps its env in a root-stack slot (envslot)
 * and updates the slot whenever env changes; the operator and arguments of
 * a call are pushed as they are evaluated, and a primitive receives them as
 * a pointer into the root stack.
 *
 * Non-local exits (errors, raise, escaping continuations) longjmp to a C
 * frame that saved rsp, the wind list, the handler list and ev_top, and
 * restore them.
 *
 * .evframe  Each eval() invocation links a struct evframe on its C stack
 * into ev_top: the node it is evaluating (one store per step) and, if the
 * frame has entered a closure's body, that closure's code.  An error that
 * reaches the top level is reported from this chain before the longjmp
 * (capture_context): the position of the innermost node with a source
 * position, and the names of the active procedures, innermost first.  A
 * tail call replaces the frame's procedure, as it replaces the frame.  Continuations are escape-only: one captured by call/cc can be
 * invoked while its call/cc is still active (upward, one-shot use); calling
 * it later is an error.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

char *c_stack_limit;
/* .depth  eval_depth counts the active eval() calls (one per non-tail call
 * level).  Past depth_limit a call is a "recursion too deep" error: cheap
 * to check, and it stops a runaway recursion long before the C stack (1 GiB)
 * or the root stack are used up, which took a minute and more than a
 * gigabyte.  Raising the error lifts the limit by DEPTH_HEADROOM so the
 * handlers can run; every place that catches a non-local exit restores the
 * depth it saved and the normal limit (depth_restore). */
long eval_depth;
long max_depth = 250000;
static long depth_limit = 250000;
#define DEPTH_HEADROOM 10000

void depth_restore(long depth)
{
    eval_depth = depth;
    depth_limit = max_depth;
}
struct evframe {
    node *n;              /* the node this frame is evaluating */
    struct lambda *lam;   /* the closure whose body this frame entered, or NULL */
    node *site;           /* the call that first entered a closure (in the caller's body) */
    struct evframe *prev; /* the caller */
};
static struct evframe *ev_top;
val wind_list = NIL;     /* ((before . after) ...) innermost first */
val handler_list = NIL;  /* exception handlers: procedures, or fixnum guard ids */
val error_obj = FALSE;   /* the condition being raised to the top level */
static val raised_obj = FALSE; /* the condition being passed to a guard */
struct handler *cur_handler;

/* ---------------------------------------------------------------- errors */

static val error_rtd;
static val oom_error; /* made at start-up: raising it must not allocate */
static val interrupt_error; /* the same for Ctrl-C */

val make_error_object(val msg, val irritants)
{
    PUSH(msg);
    PUSH(irritants);
    record *r = alloc_obj(K_RECORD, sizeof(record) + 2 * sizeof(val));
    r->h.aux = 2;
    irritants = POP();
    msg = POP();
    SET(r, r->rtd, error_rtd);
    SET(r, r->field[0], msg);
    SET(r, r->field[1], irritants);
    return (val)r;
}

bool is_error_object(val v) { return IS(v, K_RECORD) && ((record *)v)->rtd == error_rtd; }

/* The context of the error on its way to the top level, captured where it
 * was raised (the frames are gone after the longjmp).  Static buffers:
 * capturing allocates nothing, since the error may be "out of memory". */
#define TRACE_FRAMES 8
static struct {
    bool valid;
    char where[320];               /* "file:line:col" or "" */
    char trace[TRACE_FRAMES + 2][320]; /* "  in NAME (file:line:col)" lines */
    int ntrace;
} errctx;

static void loc_text(char *buf, size_t size, const struct srcloc *l)
{
    if (l) snprintf(buf, size, "%s:%d:%d", l->file, l->line, l->col);
    else snprintf(buf, size, "?");
}

static void capture_context(void)
{
    errctx.valid = true;
    errctx.where[0] = 0;
    errctx.ntrace = 0;
    /* an error while compiling: the form being compiled */
    const struct srcloc *where = compile_loc();
    for (struct evframe *f = ev_top; f && !where; f = f->prev)
        if (f->n && f->n->loc) where = f->n->loc;
    if (where) loc_text(errctx.where, sizeof errctx.where, where);
    /* One line per procedure activation: the frames of its body's
     * subexpressions (lam == NULL) belong to the nearest entered frame
     * outside them; the line gives the innermost position among them. */
    const struct srcloc *grp = NULL;
    long more = 0;
    for (struct evframe *f = ev_top; f; f = f->prev) {
        if (!grp && f->n && f->n->loc) grp = f->n->loc;
        if (!f->lam && f->prev) continue;
        if (errctx.ntrace < TRACE_FRAMES) {
            char at[300];
            loc_text(at, sizeof at, grp);
            const char *name = !f->lam ? "top level"
                               : IS_SYM(f->lam->name) ? SYM(f->lam->name)->name : "anonymous procedure";
            snprintf(errctx.trace[errctx.ntrace++], sizeof errctx.trace[0], "  in %s (%s)", name, at);
        } else {
            more++;
        }
        /* the caller's innermost position is the call that entered f */
        grp = f->site ? f->site->loc : NULL;
    }
    if (more)
        snprintf(errctx.trace[errctx.ntrace++], sizeof errctx.trace[0], "  ... %ld more", more);
}

void print_error(FILE *f, val err)
{
    /* No allocation here: the error may be "out of memory". */
    val port = f == stderr ? stderr_port : mkport(f, PORT_OUT | PORT_NOCLOSE, "error");
    PUSH(port);
    port_puts(port, "Error: ");
    if (errctx.valid && errctx.where[0]) {
        port_puts(port, errctx.where);
        port_puts(port, ": ");
    }
    if (is_error_object(err)) {
        record *r = (record *)err;
        lisp_print(port, r->field[0], false);
        for (val l = r->field[1]; IS_PAIR(l); l = CDR(l)) {
            port_putc(port, ' ');
            lisp_print(port, CAR(l), true);
        }
    } else {
        port_puts(port, "uncaught exception: ");
        lisp_print(port, err, true);
    }
    port_putc(port, '\n');
    if (errctx.valid && errctx.ntrace > 0) {
        port_puts(port, "Backtrace (innermost first):\n");
        for (int i = 0; i < errctx.ntrace; i++) {
            port_puts(port, errctx.trace[i]);
            port_putc(port, '\n');
        }
    }
    errctx.valid = false;
    (void)POP();
    fflush(f);
}

struct guard_frame {
    struct handler h;
    intptr_t id;
    struct guard_frame *prev;
};
static struct guard_frame *guard_top;
static intptr_t guard_serial;

static void unwind_to(val target);

/* Raise obj.  Handlers installed with with-exception-handler are called
 * with the outer handlers in place; a guard's marker transfers control to
 * its C frame; with no handler, control goes to the top level. */
static val do_raise(val obj, bool continuable)
{
    PUSH(obj);
    if (handler_list == NIL) {
        error_obj = obj;
        (void)POP();
        capture_context();
        if (!cur_handler) {
            fflush(stdout);
            print_error(stderr, obj);
            lisp_exit(70);
        }
        longjmp(cur_handler->jb, 1);
    }
    val h = CAR(handler_list);
    if (IS_FIX(h)) {
        intptr_t id = FIXVAL(h);
        struct guard_frame *g = guard_top;
        while (g && g->id != id) g = g->prev;
        if (!g) { /* stale marker: drop it */
            handler_list = CDR(handler_list);
            obj = POP();
            return do_raise(obj, continuable);
        }
        raised_obj = POP();
        longjmp(g->h.jb, 1);
    }
    val saved = handler_list;
    PUSH(saved);
    handler_list = CDR(handler_list);
    val r = apply1(h, rsp[-2]);
    handler_list = POP();
    obj = POP();
    if (continuable) return r;
    /* a handler returned from a non-continuable raise: an error in the
     * outer handler context (R7RS) */
    handler_list = CDR(saved) == NIL ? NIL : CDR(saved);
    PUSH(obj);
    PUSH(list1(obj));
    val m = mkstr_c("exception handler returned");
    val e = make_error_object(m, rsp[-1]);
    rsp -= 2;
    return do_raise(e, false);
}

void lisp_error_v(const char *msg, val irritants)
{
    PUSH(irritants);
    val m = mkstr_c(msg);
    irritants = POP();
    do_raise(make_error_object(m, irritants), false);
    abort(); /* not reached */
}

void lisp_error(const char *msg, int n, ...)
{
    val *base = rsp;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) PUSH(va_arg(ap, val));
    va_end(ap);
    val l = list_from(base, n, NIL);
    rsp = base;
    lisp_error_v(msg, l);
}

void lisp_out_of_memory(size_t request)
{
    (void)request;
    do_raise(oom_error, false);
    abort(); /* not reached */
}

/* Ctrl-C (term.c .sigint): straight to the REPL's handler, past the
 * program's guards and handlers, so a program cannot swallow it. */
void lisp_interrupt(void)
{
    lisp_interrupt_pending = 0;
    error_obj = interrupt_error;
    capture_context();
    if (!cur_handler) {
        fflush(stdout);
        print_error(stderr, error_obj);
        lisp_exit(130);
    }
    longjmp(cur_handler->jb, 1);
}

void type_error(const char *who, const char *expected, val got)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s: expected %s, got", who, expected);
    lisp_error(buf, 1, got);
}

/* rs_limit sits RS_HEADROOM slots below the end of the mapping; raising the
 * error (and running handlers) may use that head room once, until
 * eval_reset() puts the limit back. */
val *rs_limit_normal;
void rs_overflow(void)
{
    if (rs_limit != rs_limit_normal) {
        fprintf(stderr, "lisp: root stack exhausted while reporting an overflow\n");
        lisp_exit(70);
    }
    rs_limit += RS_HEADROOM / 2;
    lisp_error("recursion too deep (root stack exhausted)", 0);
}

static void depth_exceeded(void) __attribute__((noinline, noreturn));
static void depth_exceeded(void)
{
    eval_depth--; /* this eval never runs */
    if (depth_limit != max_depth) {
        fprintf(stderr, "lisp: recursion too deep while reporting a recursion too deep\n");
        lisp_exit(70);
    }
    depth_limit += DEPTH_HEADROOM;
    lisp_error("recursion too deep: more nested calls than the limit (--max-depth or LISP_MAX_DEPTH):", 1,
               MKFIX(max_depth));
}

static void stack_overflow(void) __attribute__((noinline, noreturn));
static void stack_overflow(void)
{
    /* c_stack_limit sits well above the real end of the stack, so raising
     * the error (and running handlers) still has room */
    lisp_error("recursion too deep (C stack exhausted)", 0);
}

/* ---------------------------------------------------------------- continuations */

struct ccframe {
    jmp_buf jb;
    uint64_t serial;
    struct ccframe *prev;
    val *rsp;
    val winds, handlers;
    struct handler *handler;
    struct guard_frame *guard;
};
static struct ccframe *cc_top;
static uint64_t cc_serial;
static val cc_result = FALSE;

static void unwind_to(val target)
{
    while (wind_list != target && IS_PAIR(wind_list)) {
        val entry = CAR(wind_list);
        wind_list = CDR(wind_list);
        apply0(CDR(entry));
    }
}

static val callcc(val f)
{
    struct ccframe cf;
    cf.serial = ++cc_serial;
    cf.prev = cc_top;
    cf.rsp = rsp;
    cf.winds = wind_list;
    cf.handlers = handler_list;
    cf.handler = cur_handler;
    cf.guard = guard_top;
    long depth = eval_depth;
    struct evframe *ev = ev_top;
    PUSH(f);
    cont *k = alloc_obj(K_CONT, sizeof(cont));
    k->serial = cf.serial;
    cc_top = &cf;
    val r;
    if (setjmp(cf.jb) == 0) {
        r = apply1(rsp[-1], (val)k);
    } else {
        r = cc_result;
        cc_result = FALSE;
        cur_handler = cf.handler;
        guard_top = cf.guard;
        handler_list = cf.handlers;
        depth_restore(depth);
        ev_top = ev;
    }
    cc_top = cf.prev;
    rsp = cf.rsp;
    return r;
}

static void throw_cont(val k, int argc, val *args) __attribute__((noreturn));
static void throw_cont(val k, int argc, val *args)
{
    uint64_t serial = ((cont *)k)->serial;
    struct ccframe *cf = cc_top;
    while (cf && cf->serial != serial) cf = cf->prev;
    if (!cf)
        lisp_error("continuation called outside its extent (only escaping continuations are supported)", 0);
    val v = argc == 1 ? args[0] : make_values(argc, args);
    PUSH(v);
    unwind_to(cf->winds);
    cc_result = POP();
    longjmp(cf->jb, 1);
}

/* ---------------------------------------------------------------- frames and closures */

static val make_closure(struct lambda *lam, val env)
{
    PUSH(env);
    closure *c = alloc_obj(K_CLOSURE, sizeof(closure));
    env = POP();
    c->code = lam;
    SET(c, c->env, env);
    return (val)c;
}

static void arity_error(val f, int argc) __attribute__((noreturn));
static void arity_error(val f, int argc)
{
    lisp_error("wrong number of arguments:", 2, f, MKFIX(argc));
}

/* A frame for calling closure f (at args[-1], rooted) with args. */
static inline val make_frame(val f, int argc, val *args)
{
    struct lambda *lam = ((closure *)f)->code;
    int size = lam->frame_size;
    frame *fr;
    if (!lam->rest) {
        if (argc != lam->nreq) arity_error(f, argc);
        fr = alloc_obj(K_FRAME, sizeof(frame) + (size_t)size * sizeof(val));
        fr->h.aux = (uint32_t)size;
        f = args[-1];
        SET(fr, fr->parent, ((closure *)f)->env);
        int i = 0;
        for (; i < argc; i++) SET(fr, fr->slot[i], args[i]);
        for (; i < size; i++) fr->slot[i] = UNBOUND;
    } else {
        if (argc < lam->nreq) arity_error(f, argc);
        val rest = list_from(args + lam->nreq, argc - lam->nreq, NIL);
        PUSH(rest);
        fr = alloc_obj(K_FRAME, sizeof(frame) + (size_t)size * sizeof(val));
        rest = POP();
        fr->h.aux = (uint32_t)size;
        f = args[-1];
        SET(fr, fr->parent, ((closure *)f)->env);
        int i = 0;
        for (; i < lam->nreq; i++) SET(fr, fr->slot[i], args[i]);
        SET(fr, fr->slot[i], rest);
        for (i++; i < size; i++) fr->slot[i] = UNBOUND;
    }
    return (val)fr;
}

static val frame_up(val env, int depth)
{
    while (depth--) env = ((frame *)env)->parent;
    return env;
}

static void unassigned(node *n) __attribute__((noreturn));
static void unassigned(node *n)
{
    lisp_error("variable used before its definition:", 1, n->v);
}

static void unbound(val sym) __attribute__((noreturn));
static void unbound(val sym) { lisp_error("unbound variable:", 1, sym); }

/* ---------------------------------------------------------------- promises */

static val force(val p)
{
    if (!IS(p, K_PROMISE)) return p;
    PUSH(p);
    while (((promise *)rsp[-1])->done == FALSE) {
        promise *pr = (promise *)rsp[-1];
        val v = apply0(pr->value);
        pr = (promise *)rsp[-1];
        if (pr->done != FALSE) break;
        if (pr->h.aux && IS(v, K_PROMISE)) {
            /* delay-force: take over the inner promise's state */
            promise *in = (promise *)v;
            SET(pr, pr->done, in->done);
            SET(pr, pr->value, in->value);
            if (in->done == FALSE) pr->h.aux = in->h.aux;
        } else {
            SET(pr, pr->done, TRUE);
            SET(pr, pr->value, v);
        }
    }
    val r = ((promise *)POP())->value;
    return r;
}

/* ---------------------------------------------------------------- eval */

static val eval(node *n, val env);

static inline val eval_fast(node *n, val env)
{
    val r;
    switch (n->op) {
    case N_CONST: return n->v;
    case N_LREF0:
        r = ((frame *)env)->slot[n->idx];
        if (r == UNBOUND) unassigned(n);
        return r;
    case N_LREF1:
        r = ((frame *)((frame *)env)->parent)->slot[n->idx];
        if (r == UNBOUND) unassigned(n);
        return r;
    case N_GREF:
        r = SYM(n->v)->value;
        if (r == UNBOUND) unbound(n->v);
        return r;
    default: return eval(n, env);
    }
}

enum { OP_CAR = 1, OP_CDR, OP_NULLP, OP_PAIRP, OP_NOT, OP_ZEROP, OP_CADR, OP_CDDR,
       OP_VLEN, OP_ADD, OP_SUB, OP_LT, OP_GT, OP_LE, OP_GE, OP_NUMEQ, OP_EQ, OP_CONS,
       OP_VREF, OP_ADD1, OP_SUB1 };

static const struct { const char *name; int arity, op; } inline_ops[] = {
    {"car", 1, OP_CAR}, {"cdr", 1, OP_CDR}, {"null?", 1, OP_NULLP}, {"pair?", 1, OP_PAIRP},
    {"not", 1, OP_NOT}, {"zero?", 1, OP_ZEROP}, {"cadr", 1, OP_CADR}, {"cddr", 1, OP_CDDR},
    {"vector-length", 1, OP_VLEN}, {"+", 2, OP_ADD}, {"-", 2, OP_SUB}, {"<", 2, OP_LT},
    {">", 2, OP_GT}, {"<=", 2, OP_LE}, {">=", 2, OP_GE}, {"=", 2, OP_NUMEQ},
    {"eq?", 2, OP_EQ}, {"cons", 2, OP_CONS}, {"vector-ref", 2, OP_VREF},
    {NULL, 0, 0}};

node *optimize_call(node *call)
{
    if (call->a->op != N_GREF || (call->n != 1 && call->n != 2)) return call;
    val v = SYM(call->a->v)->value;
    if (!IS(v, K_PRIM)) return call;
    const char *name = ((prim *)v)->name;
    for (int i = 0; inline_ops[i].name; i++) {
        if (inline_ops[i].arity == call->n && strcmp(inline_ops[i].name, name) == 0 &&
            SYM(intern_c(name))->value == v) {
            node *r = code_alloc(sizeof(node));
            r->op = call->n == 1 ? N_PRIM1 : N_PRIM2;
            r->pop = inline_ops[i].op;
            r->v = call->a->v;
            r->prim = v;
            const_add(v);
            r->a = call->xs[0];
            r->b = call->n == 2 ? call->xs[1] : NULL;
            r->c = call; /* the generic call, if the global changes */
            r->loc = call->loc;
            return r;
        }
    }
    return call;
}

val apply_special(int flags, val *base, int *argc);

static val eval(node *n, val env)
{
    val *envslot = rsp;
    char probe;
    if (++eval_depth > depth_limit) depth_exceeded();
    if (&probe < c_stack_limit) {
        eval_depth--;
        stack_overflow();
    }
    PUSH(env);
    struct evframe evf = {n, NULL, NULL, ev_top};
    ev_top = &evf;
    val r, f;
    val *base;
    int argc;
    for (;;) {
        evf.n = n;
        switch (n->op) {
        case N_CONST:
        case N_LREF0:
        case N_LREF1:
        case N_GREF:
            r = eval_fast(n, env);
            goto done;
        case N_LREF:
            r = ((frame *)frame_up(env, n->depth))->slot[n->idx];
            if (r == UNBOUND) unassigned(n);
            goto done;
        case N_LSET: {
            r = eval_fast(n->a, env);
            frame *fr = (frame *)frame_up(env, n->depth);
            SET(fr, fr->slot[n->idx], r);
            r = UNSPEC;
            goto done;
        }
        case N_GSET:
            r = eval_fast(n->a, env);
            if (SYM(n->v)->value == UNBOUND) unbound(n->v);
            SET(SYM(n->v), SYM(n->v)->value, r);
            r = UNSPEC;
            goto done;
        case N_GDEF:
            r = eval_fast(n->a, env);
            SET(SYM(n->v), SYM(n->v)->value, r);
            r = UNSPEC;
            goto done;
        case N_IF:
            n = eval_fast(n->a, env) != FALSE ? n->b : n->c;
            continue;
        case N_SEQ:
            for (int i = 0; i < n->n - 1; i++) eval_fast(n->xs[i], env);
            n = n->xs[n->n - 1];
            continue;
        case N_AND:
            for (int i = 0; i < n->n - 1; i++)
                if (eval_fast(n->xs[i], env) == FALSE) { r = FALSE; goto done; }
            n = n->xs[n->n - 1];
            continue;
        case N_OR:
            for (int i = 0; i < n->n - 1; i++)
                if ((r = eval_fast(n->xs[i], env)) != FALSE) goto done;
            n = n->xs[n->n - 1];
            continue;
        case N_LAMBDA:
            r = make_closure(n->lam, env);
            goto done;
        case N_LET: {
            base = rsp;
            for (int i = 0; i < n->n; i++) {
                r = eval_fast(n->xs[i], env);
                PUSH(r);
            }
            int size = n->idx;
            frame *fr = alloc_obj(K_FRAME, sizeof(frame) + (size_t)size * sizeof(val));
            fr->h.aux = (uint32_t)size;
            SET(fr, fr->parent, env);
            int i = 0;
            for (; i < n->n; i++) SET(fr, fr->slot[i], base[i]);
            for (; i < size; i++) fr->slot[i] = UNBOUND;
            rsp = base;
            env = (val)fr;
            *envslot = env;
            n = n->a;
            continue;
        }
        case N_LETREC: {
            int size = n->idx;
            frame *fr = alloc_obj(K_FRAME, sizeof(frame) + (size_t)size * sizeof(val));
            fr->h.aux = (uint32_t)size;
            SET(fr, fr->parent, env);
            for (int i = 0; i < size; i++) fr->slot[i] = UNBOUND;
            env = (val)fr;
            *envslot = env;
            for (int i = 0; i < n->n; i++) {
                r = eval_fast(n->xs[i], env);
                SET(fr, fr->slot[i], r);
            }
            n = n->a;
            continue;
        }
        case N_NAMEDLET: {
            base = rsp;
            PUSH(FALSE);
            for (int i = 0; i < n->n; i++) {
                r = eval_fast(n->xs[i], env);
                PUSH(r);
            }
            frame *fr = alloc_obj(K_FRAME, sizeof(frame) + sizeof(val));
            fr->h.aux = 1;
            SET(fr, fr->parent, env);
            fr->slot[0] = UNBOUND;
            base[0] = (val)fr;
            r = make_closure(n->lam, (val)fr);
            fr = (frame *)base[0];
            SET(fr, fr->slot[0], r);
            base[0] = r;
            f = r;
            argc = n->n;
            goto apply;
        }
        case N_CALL:
            base = rsp;
            r = eval_fast(n->a, env);
            PUSH(r);
            for (int i = 0; i < n->n; i++) {
                r = eval_fast(n->xs[i], env);
                PUSH(r);
            }
            f = base[0];
            argc = n->n;
            goto apply;
        case N_PRIM1: {
            if (SYM(n->v)->value != n->prim) { n = n->c; continue; }
            val x = eval_fast(n->a, env);
            switch (n->pop) {
            case OP_CAR: if (IS_PAIR(x)) { r = CAR(x); goto done; } break;
            case OP_CDR: if (IS_PAIR(x)) { r = CDR(x); goto done; } break;
            case OP_CADR: if (IS_PAIR(x) && IS_PAIR(CDR(x))) { r = CAR(CDR(x)); goto done; } break;
            case OP_CDDR: if (IS_PAIR(x) && IS_PAIR(CDR(x))) { r = CDR(CDR(x)); goto done; } break;
            case OP_NULLP: r = BOOL(x == NIL); goto done;
            case OP_PAIRP: r = BOOL(IS_PAIR(x)); goto done;
            case OP_NOT: r = BOOL(x == FALSE); goto done;
            case OP_ZEROP: if (IS_FIX(x)) { r = BOOL(x == MKFIX(0)); goto done; } break;
            case OP_VLEN: if (IS_VEC(x)) { r = MKFIX(VEC(x)->len); goto done; } break;
            }
            base = rsp;
            PUSH(x);
            r = ((prim *)n->prim)->fn(1, base, (prim *)n->prim);
            rsp = base;
            goto done;
        }
        case N_PRIM2: {
            if (SYM(n->v)->value != n->prim) { n = n->c; continue; }
            base = rsp;
            r = eval_fast(n->a, env);
            PUSH(r);
            r = eval_fast(n->b, env);
            PUSH(r);
            val x = base[0], y = base[1];
            intptr_t t;
            switch (n->pop) {
            case OP_ADD:
                if (IS_FIX(x) && IS_FIX(y) && !__builtin_add_overflow((intptr_t)x, (intptr_t)y - 1, &t)) {
                    r = (val)t;
                    rsp = base;
                    goto done;
                }
                break;
            case OP_SUB:
                if (IS_FIX(x) && IS_FIX(y) && !__builtin_sub_overflow((intptr_t)x, (intptr_t)y - 1, &t)) {
                    r = (val)t;
                    rsp = base;
                    goto done;
                }
                break;
#define CMP(OPC, OPR) case OPC: if (IS_FIX(x) && IS_FIX(y)) { r = BOOL((intptr_t)x OPR (intptr_t)y); rsp = base; goto done; } break;
            CMP(OP_LT, <) CMP(OP_GT, >) CMP(OP_LE, <=) CMP(OP_GE, >=) CMP(OP_NUMEQ, ==)
#undef CMP
            case OP_EQ: r = BOOL(x == y); rsp = base; goto done;
            case OP_CONS: r = cons(x, y); rsp = base; goto done;
            case OP_VREF:
                if (IS_VEC(x) && IS_FIX(y) && (uintptr_t)FIXVAL(y) < VEC(x)->len) {
                    r = VEC(x)->v[FIXVAL(y)];
                    rsp = base;
                    goto done;
                }
                break;
            }
            r = ((prim *)n->prim)->fn(2, base, (prim *)n->prim);
            rsp = base;
            goto done;
        }
        case N_CONDARROW:
            r = eval_fast(n->a, env);
            if (r == FALSE) { n = n->c; continue; }
            base = rsp;
            PUSH(FALSE);
            PUSH(r);
            r = eval_fast(n->b, env);
            base[0] = f = r;
            argc = 1;
            goto apply;
        case N_CASE: {
            val key = eval_fast(n->a, env);
            vector *dat = VEC(n->v);
            for (int i = 0; i < n->n; i++) {
                val d = dat->v[i];
                bool hit = d == TRUE;
                for (; !hit && IS_PAIR(d); d = CDR(d)) hit = eqv(CAR(d), key);
                if (!hit) continue;
                node *body = n->xs[i];
                if (body->op == N_ARROW) {
                    base = rsp;
                    PUSH(FALSE);
                    PUSH(key);
                    r = eval_fast(body->a, env);
                    base[0] = f = r;
                    argc = 1;
                    goto apply;
                }
                n = body;
                goto next;
            }
            r = UNSPEC;
            goto done;
        }
        case N_DELAY: {
            r = make_closure(n->lam, env);
            PUSH(r);
            promise *p = alloc_obj(K_PROMISE, sizeof(promise));
            p->h.aux = (uint32_t)n->idx;
            SET(p, p->done, FALSE);
            SET(p, p->value, POP());
            r = (val)p;
            goto done;
        }
        default:
            lisp_error("internal error: bad node", 1, MKFIX(n->op));
        }
    apply:
        /* f == base[0], arguments base[1..argc] */
        if (IS_PTR(f)) {
            switch (KIND(f)) {
            case K_CLOSURE: {
                val fr = make_frame(f, argc, base + 1);
                rsp = base;
                env = fr;
                *envslot = env;
                if (__builtin_expect(lisp_interrupt_pending, 0)) lisp_interrupt();
                if (!evf.lam) evf.site = n;
                evf.lam = ((closure *)f)->code;
                n = ((closure *)f)->code->body;
                continue;
            }
            case K_PRIM: {
                prim *p = (prim *)f;
                if (argc < p->min || (p->max >= 0 && argc > p->max)) arity_error(f, argc);
                if (p->h.aux & (P_APPLY | P_CWV)) {
                    f = apply_special((int)p->h.aux, base, &argc);
                    goto apply;
                }
                r = p->fn(argc, base + 1, p);
                rsp = base;
                goto done;
            }
            case K_CONT:
                throw_cont(f, argc, base + 1);
            }
        }
        lisp_error("not a procedure:", 1, f);
    next:;
    }
done:
    ev_top = evf.prev;
    rsp = envslot;
    eval_depth--;
    return r;
}

/* apply and call-with-values: rearrange the stack for a tail call */
val apply_special(int flags, val *base, int *argc)
{
    if (flags & P_APPLY) {
        int n = *argc;
        val lst = base[n];
        intptr_t len = list_length(lst);
        if (len < 0) lisp_error("apply: last argument is not a list:", 1, lst);
        for (int i = 0; i < n - 1; i++) base[i] = base[i + 1];
        rsp = base + n - 1;
        for (val l = lst; IS_PAIR(l); l = CDR(l)) PUSH(CAR(l));
        *argc = n - 2 + (int)len;
        return base[0];
    }
    /* call-with-values producer consumer */
    val v = apply_proc(base[1], 0, NULL);
    base[0] = base[2];
    rsp = base + 1;
    if (IS(v, K_VALUES)) {
        values *vs = (values *)v;
        uint32_t k = vs->h.aux;
        if (rsp + k >= rs_limit) rs_overflow();
        /* no allocation while copying: vs stays valid */
        for (uint32_t i = 0; i < k; i++) base[1 + i] = vs->v[i];
        rsp = base + 1 + k;
        *argc = (int)k;
    } else {
        PUSH(v);
        *argc = 1;
    }
    return base[0];
}

val apply_proc(val f, int argc, val *args)
{
    /* A synthetic call node on the C stack whose operator and operands are
     * constants holding the values (rooted by the pushes below), so the
     * call goes through eval's own apply path, tail loop included. */
    val *base = rsp;
    PUSH(f);
    for (int i = 0; i < argc; i++) PUSH(args[i]);
    node cn = {.op = N_CALL};
    node consts[8];
    node *xs_small[8];
    node **xs = argc <= 8 ? xs_small : malloc((size_t)argc * sizeof(node *));
    node *cs = argc <= 8 ? consts : malloc((size_t)argc * sizeof(node));
    node fn = {.op = N_CONST, .v = f};
    for (int i = 0; i < argc; i++) {
        cs[i] = (node){.op = N_CONST, .v = base[1 + i]};
        xs[i] = &cs[i];
    }
    cn.a = &fn;
    cn.n = argc;
    cn.xs = xs;
    /* the constants are rooted by base[0..argc] until eval returns */
    val r = eval(&cn, FALSE);
    if (xs != xs_small) free(xs);
    if (cs != consts) free(cs);
    rsp = base;
    return r;
}

val apply0(val f) { return apply_proc(f, 0, NULL); }
val apply1(val f, val a)
{
    val args[1] = {a};
    return apply_proc(f, 1, args);
}
val apply2(val f, val a, val b)
{
    val args[2] = {a, b};
    return apply_proc(f, 2, args);
}

/* ---------------------------------------------------------------- top level */

val eval_toplevel(val form)
{
    val *base = rsp;
    PUSH(form);
    form = toplevel_expand(form);
    base[0] = form;
    val r = UNSPEC;
    if (IS_PAIR(form) && CAR(form) == S_begin) {
        for (val l = CDR(form); IS_PAIR(l); l = CDR(l)) {
            PUSH(l);
            r = eval_toplevel(CAR(l));
            l = POP();
        }
    } else {
        node *n = compile_toplevel(form);
        r = eval(n, FALSE);
    }
    rsp = base;
    return r;
}

void eval_reset(void)
{
    depth_restore(0);
    ev_top = NULL;
    compile_reset_loc();
    srcloc_recording = false;
    rs_limit = rs_limit_normal;
    cc_top = NULL;
    guard_top = NULL;
    wind_list = NIL;
    handler_list = NIL;
}

/* ---------------------------------------------------------------- primitives needing the evaluator */

static val p_apply_fn(int argc, val *a, prim *self) { (void)argc; (void)a; (void)self; return UNSPEC; }

static val p_callcc(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    if (!IS_PROC(a[0])) type_error("call/cc", "procedure", a[0]);
    return callcc(a[0]);
}

val make_values(int n, val *v)
{
    if (n == 1) return v[0];
    values *vs = alloc_obj(K_VALUES, sizeof(values) + (size_t)n * sizeof(val));
    vs->h.aux = (uint32_t)n;
    for (int i = 0; i < n; i++) SET(vs, vs->v[i], v[i]);
    return (val)vs;
}

static val p_values_fn(int argc, val *a, prim *self) { (void)self; return make_values(argc, a); }

static val p_dynwind(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    apply0(a[0]);
    PUSH(cons(a[0], a[2]));
    wind_list = cons(rsp[-1], wind_list);
    (void)POP();
    val r = apply0(a[1]);
    PUSH(r);
    wind_list = CDR(wind_list);
    apply0(a[2]);
    return POP();
}

static val p_force(int argc, val *a, prim *self) { (void)argc; (void)self; return force(a[0]); }

static val p_make_promise_fn(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    if (IS(a[0], K_PROMISE)) return a[0];
    promise *p = alloc_obj(K_PROMISE, sizeof(promise));
    SET(p, p->done, TRUE);
    SET(p, p->value, a[0]);
    return (val)p;
}

static val p_promisep(int argc, val *a, prim *self) { (void)argc; (void)self; return BOOL(IS(a[0], K_PROMISE)); }

static val p_with_exception_handler(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    if (!IS_PROC(a[0])) type_error("with-exception-handler", "procedure", a[0]);
    val saved = handler_list;
    PUSH(saved);
    handler_list = cons(a[0], handler_list);
    val r = apply0(a[1]);
    handler_list = POP();
    return r;
}

static val p_raise(int argc, val *a, prim *self) { (void)argc; (void)self; return do_raise(a[0], false); }
static val p_raise_continuable(int argc, val *a, prim *self) { (void)argc; (void)self; return do_raise(a[0], true); }

/* (%guard handler thunk): the core of guard */
static val p_guard(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    struct guard_frame g;
    g.id = ++guard_serial;
    g.prev = guard_top;
    g.h.rsp = rsp;
    g.h.prev = cur_handler;
    val *saved_rsp = rsp;
    val saved_winds = wind_list;
    val saved_handlers = handler_list;
    struct ccframe *saved_cc = cc_top;
    long depth = eval_depth;
    struct evframe *ev = ev_top;
    PUSH(saved_winds);
    PUSH(saved_handlers);
    handler_list = cons(MKFIX(g.id), handler_list);
    guard_top = &g;
    val r;
    if (setjmp(g.h.jb) == 0) {
        r = apply0(a[1]);
        guard_top = g.prev;
        handler_list = saved_handlers;
        rsp = saved_rsp;
        return r;
    }
    guard_top = g.prev;
    cur_handler = g.h.prev;
    cc_top = saved_cc;
    depth_restore(depth);
    ev_top = ev;
    rsp = saved_rsp + 2;
    handler_list = saved_rsp[1];
    PUSH(raised_obj);
    raised_obj = FALSE;
    unwind_to(saved_rsp[0]);
    r = apply1(a[0], rsp[-1]);
    rsp = saved_rsp;
    return r;
}

static val p_error(int argc, val *a, prim *self)
{
    (void)self;
    val irritants = list_from(a + 1, argc - 1, NIL);
    PUSH(irritants);
    val msg = a[0];
    if (IS_SYM(msg)) {
        /* (error 'who "message" ...) style: keep both */
        msg = a[0];
    }
    val e = make_error_object(msg, POP());
    return do_raise(e, false);
}

static val p_error_objectp(int argc, val *a, prim *self) { (void)argc; (void)self; return BOOL(is_error_object(a[0])); }
static val p_error_message(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    if (!is_error_object(a[0])) type_error("error-object-message", "error object", a[0]);
    return ((record *)a[0])->field[0];
}
static val p_error_irritants(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    if (!is_error_object(a[0])) type_error("error-object-irritants", "error object", a[0]);
    return ((record *)a[0])->field[1];
}

/* case-lambda: a primitive whose data is the list of closures */
static val p_case_lambda_dispatch(int argc, val *a, prim *self)
{
    for (val l = self->data; IS_PAIR(l); l = CDR(l)) {
        struct lambda *lam = ((closure *)CAR(l))->code;
        if (argc == lam->nreq || (lam->rest && argc >= lam->nreq)) return apply_proc(CAR(l), argc, a);
    }
    lisp_error("case-lambda: no clause accepts this many arguments:", 1, MKFIX(argc));
}

static val p_make_case_lambda_fn(int argc, val *a, prim *self)
{
    (void)self;
    val l = list_from(a, argc, NIL);
    PUSH(l);
    val p = mkprim("case-lambda", p_case_lambda_dispatch, 0, -1, 0);
    SET(p, ((prim *)p)->data, POP());
    return p;
}

/* parameters: a primitive whose data is (value . converter) */
static val p_param_call(int argc, val *a, prim *self)
{
    if (argc == 0) return CAR(self->data);
    SET(self->data, CAR(self->data), a[0]);
    return UNSPEC;
}

static val p_make_parameter_fn(int argc, val *a, prim *self)
{
    (void)self;
    val v = a[0];
    if (argc > 1) v = apply1(a[1], a[0]);
    PUSH(cons(v, argc > 1 ? a[1] : FALSE));
    val p = mkprim("parameter", p_param_call, 0, 1, 0);
    SET(p, ((prim *)p)->data, POP());
    return p;
}

/* (%parameterize params values thunk) */
static val p_parameterize(int argc, val *a, prim *self)
{
    (void)argc; (void)self;
    val *base = rsp;
    PUSH(NIL); /* old values */
    for (val p = a[0], v = a[1]; IS_PAIR(p) && IS_PAIR(v); p = CDR(p), v = CDR(v)) {
        val pp = CAR(p);
        if (!IS(pp, K_PRIM) || ((prim *)pp)->fn != p_param_call) type_error("parameterize", "parameter", pp);
        val nv = CAR(v);
        if (CDR(((prim *)pp)->data) != FALSE) {
            PUSH(p); PUSH(v);
            nv = apply1(CDR(((prim *)pp)->data), nv);
            v = POP(); p = POP();
            pp = CAR(p);
        }
        PUSH(p); PUSH(v); PUSH(nv);
        base[0] = cons(CAR(((prim *)pp)->data), base[0]);
        nv = POP(); v = POP(); p = POP();
        SET(((prim *)CAR(p))->data, CAR(((prim *)CAR(p))->data), nv);
    }
    base[0] = reverse_list(base[0]);
    /* restore on exit, also through an escape: a wind entry */
    struct hdr *dummy = NULL;
    (void)dummy;
    val r = apply0(a[2]);
    PUSH(r);
    for (val p = a[0], o = base[0]; IS_PAIR(p) && IS_PAIR(o); p = CDR(p), o = CDR(o))
        SET(((prim *)CAR(p))->data, CAR(((prim *)CAR(p))->data), CAR(o));
    r = POP();
    rsp = base;
    return r;
}

static val p_reraise(int argc, val *a, prim *self) { (void)argc; (void)self; return do_raise(a[0], false); }

static val p_procedurep(int argc, val *a, prim *self) { (void)argc; (void)self; return BOOL(IS_PROC(a[0])); }

void eval_init(void)
{
    root_global(&wind_list);
    root_global(&handler_list);
    root_global(&error_obj);
    root_global(&raised_obj);
    root_global(&cc_result);
    /* The record type is rooted (constant table) before anything else
     * allocates; the field names are interned first, so each is held by the
     * symbol table before the next allocation. */
    rtd *t = alloc_obj(K_RTD, sizeof(rtd));
    t->n = 2;
    SET(t, t->name, FALSE);
    SET(t, t->fields, FALSE);
    error_rtd = (val)t;
    const_add(error_rtd);
    val name = intern_c("error-object");
    SET(t, t->name, name);
    val message = intern_c("message");
    val irritants = intern_c("irritants");
    SET(t, t->fields, list2(message, irritants));
    oom_error = make_error_object(mkstr_c("out of memory"), NIL);
    const_add(oom_error);
    interrupt_error = make_error_object(mkstr_c("interrupted"), NIL);
    const_add(interrupt_error);

    defprim_flags("apply", p_apply_fn, 1, -1, P_APPLY);
    p_cwv = defprim_flags("call-with-values", p_apply_fn, 2, 2, P_CWV);
    defprim("call-with-current-continuation", p_callcc, 1, 1);
    defprim("call/cc", p_callcc, 1, 1);
    p_values = defprim_flags("values", p_values_fn, 0, -1, 0);
    p_dynamic_wind = defprim_flags("dynamic-wind", p_dynwind, 3, 3, 0);
    defprim("force", p_force, 1, 1);
    p_make_promise = defprim_flags("make-promise", p_make_promise_fn, 1, 1, 0);
    defprim("promise?", p_promisep, 1, 1);
    defprim("with-exception-handler", p_with_exception_handler, 2, 2);
    defprim("raise", p_raise, 1, 1);
    defprim("raise-continuable", p_raise_continuable, 1, 1);
    p_with_handler = defprim_flags("%guard", p_guard, 2, 2, 0);
    p_raise_guard = defprim_flags("%reraise", p_reraise, 1, 1, 0);
    defprim("error", p_error, 1, -1);
    defprim("error-object?", p_error_objectp, 1, 1);
    defprim("error-object-message", p_error_message, 1, 1);
    defprim("error-object-irritants", p_error_irritants, 1, 1);
    p_make_case_lambda = defprim_flags("%case-lambda", p_make_case_lambda_fn, 0, -1, 0);
    p_make_parameter = defprim_flags("make-parameter", p_make_parameter_fn, 1, 2, 0);
    p_param_set = defprim_flags("%parameterize", p_parameterize, 3, 3, 0);
    defprim("procedure?", p_procedurep, 1, 1);
    const_add(p_cwv);
}
