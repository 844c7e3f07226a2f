/* eval.h — the node tree shared by the compiler and the evaluator. */
#ifndef LISP_EVAL_H
#define LISP_EVAL_H

#include "lisp.h"

enum op {
    N_CONST, N_LREF0, N_LREF1, N_LREF, N_GREF, N_LSET, N_GSET, N_GDEF, N_IF,
    N_LAMBDA, N_SEQ, N_CALL, N_AND, N_OR, N_LET, N_LETREC, N_NAMEDLET,
    N_CONDARROW, N_CASE, N_ARROW, N_DELAY,
    /* inlined primitive calls (optimize_call): a guard re-checks at run time
     * that the global still holds the original primitive */
    N_PRIM1, N_PRIM2
};

typedef struct node {
    int op;
    int n;          /* number of xs */
    int depth, idx;
    val v;          /* constant, symbol, case datums */
    struct node *a, *b, *c;
    struct node **xs;
    struct lambda *lam;
    val prim;       /* N_PRIM*: the primitive the guard expects */
    int pop;        /* N_PRIM*: which inline operation */
    const struct srcloc *loc; /* the innermost source list this node came from, or NULL */
} node;

node *optimize_call(node *call);
void *code_alloc(size_t size); /* zeroed, lives until code_free_all() at exit */
void code_free_all(void);
val macro_expand(val spec, val form);
val reverse_list(val l);
val append2(val a, val b);
val list1(val a);
val list2(val a, val b);
val list3(val a, val b, val c);
val toplevel_expand(val form);
void compile_init(void);
const struct srcloc *compile_loc(void); /* while compiling: the current form's position */
void compile_reset_loc(void);           /* after an error */

extern val p_cons, p_list, p_append, p_list_to_vector, p_make_rtd, p_rtd_ctor, p_rtd_pred,
    p_rtd_acc, p_rtd_mod, p_cwv, p_make_case_lambda, p_dynamic_wind, p_make_promise,
    p_values, p_make_parameter, p_param_set, p_with_handler, p_raise_guard, p_void;

#endif
