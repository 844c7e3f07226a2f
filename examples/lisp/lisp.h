/* lisp.h — the interpreter's shared model: values, objects, the root stack.
 *
 * .value  A value is one machine word (val).  Heap objects are untagged
 *         pointers (low four bits zero: both collectors hand out 16-byte
 *         aligned memory).  Everything else is an immediate whose low four
 *         bits are never all zero, so gull (and Boehm) never take it for a
 *         pointer:
 *             ...nnnn01   fixnum (62 bits, n << 2 | 1)
 *             ...cc0010   character (code point << 4 | 2)
 *             ...kk0110   special constant (#f #t () unspecified eof ...)
 *
 * .object Every heap object starts with a struct hdr: its kind and one
 *         spare 32-bit field (a length for frames and records, flags for
 *         procedures).  The kind tells the printer and the type checks what
 *         the object is; the collector backends get a per-kind trace
 *         function from lisp_kinds[] (obj.c).
 *
 * .roots  C locals are not scanned on gull (precise roots).  A value that
 *         must survive an allocation is kept on the root stack (PUSH/POP):
 *         eval() keeps its environment and the operator and arguments of a
 *         call there, and primitives receive their arguments as a pointer
 *         into it.  Globals live in symbols, which the symbol table keeps;
 *         constants of compiled code live in the constant table.  Both
 *         tables and the root stack are reported by lisp_visit_roots().
 */
#ifndef LISP_H
#define LISP_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gmp.h>

#include "lisp_gc.h"

typedef uintptr_t val;

/* ---------------------------------------------------------------- immediates */

#define FIXNUM_MAX ((intptr_t)(((uintptr_t)1 << 61) - 1))
#define FIXNUM_MIN (-FIXNUM_MAX - 1)
#define IS_FIX(v) (((v) & 3) == 1)
#define MKFIX(n) ((val)(((uintptr_t)(intptr_t)(n) << 2) | 1))
#define FIXVAL(v) ((intptr_t)(v) >> 2)
#define IS_CHAR(v) (((v) & 15) == 2)
#define MKCHAR(c) ((val)(((uintptr_t)(c) << 4) | 2))
#define CHARVAL(v) ((int)((v) >> 4))
#define SPECIAL(k) ((val)(((k) << 4) | 6))
#define FALSE SPECIAL(0)
#define TRUE SPECIAL(1)
#define NIL SPECIAL(2)
#define UNSPEC SPECIAL(3)
#define EOFV SPECIAL(4)
#define UNBOUND SPECIAL(5)
#define DEFAULTV SPECIAL(6) /* marks a missing optional argument */
#define BOOL(c) ((c) ? TRUE : FALSE)
#define IS_PTR(v) (((v) & 15) == 0)

/* ---------------------------------------------------------------- objects */

enum kind {
    K_PAIR = 1, K_FLONUM, K_STRING, K_SYMBOL, K_VECTOR, K_CLOSURE, K_PRIM,
    K_FRAME, K_RECORD, K_RTD, K_PROMISE, K_VALUES, K_PORT, K_CONT, K_BIGNUM, K_COUNT
};

struct hdr { uint32_t kind, aux; };

typedef struct pair { struct hdr h; val car, cdr; } pair;
typedef struct flonum { struct hdr h; double d; } flonum;
/* The body is malloc'd (native memory) and freed by the finalizer. */
typedef struct string { struct hdr h; size_t len, cap; char *body; } string;
typedef struct symbol {
    struct hdr h;
    val value;  /* global binding or UNBOUND */
    val macro;  /* syntax-rules transformer (list) or FALSE */
    uint32_t hash, len;
    char name[];
} symbol;
typedef struct vector { struct hdr h; size_t len; val v[]; } vector;
struct lambda;
typedef struct closure { struct hdr h; struct lambda *code; val env; } closure;
struct prim;
typedef val (*prim_fn)(int argc, val *a, struct prim *self);
/* aux: P_* flags */
typedef struct prim {
    struct hdr h;
    prim_fn fn;
    const char *name;
    int min, max; /* max < 0: variadic */
    val data;     /* for record procedures: the rtd; else FALSE */
    intptr_t idx;
} prim;
enum { P_APPLY = 1, P_CWV = 2, P_CALLCC = 4, P_VALUES = 8, P_DYNWIND = 16 };
typedef struct frame { struct hdr h; val parent; val slot[]; } frame; /* aux = size */
typedef struct record { struct hdr h; val rtd; val field[]; } record; /* aux = n */
typedef struct rtd { struct hdr h; val name; val fields; intptr_t n; } rtd;
typedef struct promise { struct hdr h; val done; val value; } promise; /* value: thunk until done */
typedef struct values { struct hdr h; val v[]; } values; /* aux = n */
/* PORT_EDIT: stdin read through libedit, one line at a time into buf (term.c) */
enum { PORT_IN = 1, PORT_OUT = 2, PORT_STRING = 4, PORT_CLOSED = 8, PORT_NOCLOSE = 16, PORT_EDIT = 32 };
typedef struct port {
    struct hdr h;   /* aux = PORT_* */
    FILE *fp;
    char *buf;      /* string ports: malloc'd */
    size_t len, cap, pos;
    int line, col;
    char *name;     /* malloc'd */
    int nunget, unget[4]; /* file ports: pushed-back bytes */
} port;
typedef struct cont { struct hdr h; uint64_t serial; } cont;
/* An exact integer outside the fixnum range (bignum.c .norm); the limbs
 * are malloc'd by GMP and freed by the finalizer (bignum.c .limbs). */
typedef struct bignum { struct hdr h; mpz_t z; } bignum;

#define HDR(v) ((struct hdr *)(v))
#define KIND(v) (HDR(v)->kind)
#define IS(v, k) (IS_PTR(v) && KIND(v) == (k))
#define PAIR(v) ((pair *)(v))
#define CAR(v) (PAIR(v)->car)
#define CDR(v) (PAIR(v)->cdr)
#define IS_PAIR(v) IS(v, K_PAIR)
#define IS_FLO(v) IS(v, K_FLONUM)
#define FLO(v) (((flonum *)(v))->d)
#define IS_STR(v) IS(v, K_STRING)
#define STR(v) ((string *)(v))
#define IS_SYM(v) IS(v, K_SYMBOL)
#define SYM(v) ((symbol *)(v))
#define IS_VEC(v) IS(v, K_VECTOR)
#define VEC(v) ((vector *)(v))
#define IS_BIG(v) IS(v, K_BIGNUM)
#define BIG(v) ((bignum *)(v))
#define IS_EXINT(v) (IS_FIX(v) || IS_BIG(v)) /* exact integer */
#define IS_NUM(v) (IS_FIX(v) || IS_FLO(v) || IS_BIG(v))
#define IS_PROC(v) (IS_PTR(v) && (KIND(v) == K_CLOSURE || KIND(v) == K_PRIM || KIND(v) == K_CONT))

/* store barrier: every store of a value into a heap object goes here */
#define SET(obj, field, v) LGC_WRITE((obj), &(field), (v))

/* ---------------------------------------------------------------- root stack */

extern val *rs_base, *rsp, *rs_limit, *rs_limit_normal;
#define RS_HEADROOM 8192 /* slots kept free above rs_limit for error handling */
void rs_overflow(void) __attribute__((noreturn));
/* v is evaluated before rsp moves: in `*rsp++ = (v)` the compiler may bump
 * rsp first, and if v allocates, the collector would then scan a slot that
 * still holds whatever was there before (a dangling root). */
#define PUSH(v) do { val push_v_ = (v); if (rsp >= rs_limit) rs_overflow(); *rsp++ = push_v_; } while (0)
#define POP() (*--rsp)

/* ---------------------------------------------------------------- obj.c */

extern const struct lisp_kind lisp_kinds[K_COUNT];
void *alloc_obj(int kind, size_t size);
val cons(val a, val d);
val mkflo(double d);
val mkint(intptr_t n); /* fixnum, or bignum when out of range */
val mkstr(const char *s, size_t len);
val mkstr_c(const char *s);
void str_reserve(val s, size_t cap);
val intern(const char *s, size_t len);
val intern_c(const char *s);
val mkvec(size_t n, val fill);
val mkprim(const char *name, prim_fn fn, int min, int max, unsigned flags);
val mkport(FILE *fp, unsigned flags, const char *name);
val list_from(val *items, int n, val tail);
intptr_t list_length(val l); /* -1 if improper or circular */
void lisp_visit_roots(void (*range)(val *start, val *end, void *ctx), void *ctx);
/* For the collector's diagnostics: a value field's name, a root word's name
 * (NULL when unknown). */
const char *lisp_field_name(const void *obj, size_t offset, char *buf, size_t n);
const char *lisp_root_name(const void *slot, char *buf, size_t n);
void obj_init(void);
size_t const_add(val v); /* keep v alive forever (compiled constants) */
void root_global(val *slot); /* a global value slot: a root until exit */
void obj_release_roots(void); /* at exit: drop every root, so a collection frees all */
void obj_free_tables(void);   /* at exit, after the heap is gone */

/* well-known symbols */
extern val S_quote, S_quasiquote, S_unquote, S_unquote_splicing, S_lambda, S_define,
    S_if, S_set, S_begin, S_let, S_letstar, S_letrec, S_letrecstar, S_cond, S_case,
    S_and, S_or, S_when, S_unless, S_do, S_else, S_arrow, S_delay, S_delay_force,
    S_make_promise, S_define_record_type, S_define_syntax, S_let_syntax,
    S_letrec_syntax, S_syntax_rules, S_ellipsis, S_underscore, S_import,
    S_let_values, S_letstar_values, S_define_values, S_case_lambda, S_receive,
    S_parameterize, S_guard, S_assert, S_cons_stream, S_include, S_unbound_name;

/* ---------------------------------------------------------------- errors */

void lisp_error(const char *msg, int nirritants, ...) __attribute__((noreturn));
void lisp_error_v(const char *msg, val irritants) __attribute__((noreturn));
/* Raise the preallocated "out of memory" condition: raising it allocates
 * nothing, and once the stack unwinds the heap is usable again. */
void lisp_out_of_memory(size_t request) __attribute__((noreturn));
void type_error(const char *who, const char *expected, val got) __attribute__((noreturn));
struct handler {
    jmp_buf jb;
    struct handler *prev;
    val *rsp;
};
extern struct handler *cur_handler;
extern val error_obj; /* the last error: (message . irritants) */
void print_error(FILE *f, val err);

/* ---------------------------------------------------------------- term.c: Ctrl-C, line editing */

#include <signal.h>
extern volatile sig_atomic_t lisp_interrupt_pending; /* set by SIGINT (term.c .sigint) */
void lisp_interrupt(void) __attribute__((noreturn)); /* eval.c: unwind to the REPL */
void term_block_sigint(void);   /* main(), before any thread */
void term_unblock_sigint(void); /* the interpreter thread */
void term_catch_sigint(void);   /* the REPL: SIGINT sets the flag */
bool term_start(void);          /* the REPL: libedit if stdin is a terminal */
void term_stop(void);
void term_new_form(void);
bool term_refill(port *p);

/* ---------------------------------------------------------------- read.c / print.c */

val lisp_read(val port); /* EOFV at end; reader errors name file:line:col */
/* srcloc.c: a top-level read that notes where each list starts */
struct srcloc { const char *file; int line, col; }; /* 1-based */
val lisp_read_source(val port);
extern bool srcloc_recording;
void srcloc_note(val pair, const char *file, int line, int col);
const struct srcloc *srcloc_of(val pair); /* NULL if not noted */
void srcloc_clear(void);
void srcloc_free(void); /* at exit */
void port_putc(val port, int c);
void port_puts(val port, const char *s);
void port_write(val port, const char *s, size_t n);
void lisp_print(val port, val v, bool write);
int port_getc(val port);
int port_peekc(val port);
void port_ungetc(val port, int c);
extern val stdout_port, stdin_port, stderr_port;
char *num_to_string(val n, int radix, char *buf, size_t size);
val parse_number(const char *s, size_t len, int radix);

/* ---------------------------------------------------------------- eval.c */

struct node;
struct lambda {
    int nreq;
    bool rest;
    int frame_size; /* params + internal definitions */
    struct node *body;
    val name;       /* symbol or FALSE (kept in the constant table) */
};
struct node *compile_toplevel(val form);
val eval_toplevel(val form);
val apply_proc(val f, int argc, val *args);
val apply0(val f);
val apply1(val f, val a);
val apply2(val f, val a, val b);
void eval_init(void);
void eval_reset(void); /* after an error: drop continuation and wind state */
extern char *c_stack_limit;
extern long eval_depth, max_depth; /* eval.c .depth */
void depth_restore(long depth);
extern val wind_list;

/* ---------------------------------------------------------------- prims */

void prims_init(void);
void prims_num_init(void);
void prims_str_init(void);
void prims_io_init(void);
void defprim(const char *name, prim_fn fn, int min, int max);
val defprim_flags(const char *name, prim_fn fn, int min, int max, unsigned flags);
bool eqv(val a, val b);
bool equal(val a, val b);
double num_to_double(val n);
val num_add(val a, val b);
val num_sub(val a, val b);
int num_cmp(val a, val b); /* -1 0 1 */

/* ---------------------------------------------------------------- bignum.c */

/* Exact-integer arguments are fixnums or bignums; results are normalized
 * (a fixnum whenever the value fits).  Callers check types and division
 * by zero first (bignum.c .tmp). */
enum big_op { BIG_ADD, BIG_SUB, BIG_MUL, BIG_QUO, BIG_REM, BIG_MOD, BIG_GCD, BIG_LCM,
              BIG_AND, BIG_IOR, BIG_XOR };
val big_op2(enum big_op op, val a, val b);
val big_result(mpz_ptr t);
void big_finalize(void *obj);
val big_from_long(long n);
val big_from_double(double d); /* d finite and integral */
double big_to_double(val a);   /* correctly rounded */
val big_neg(val a);
val big_not(val a);
val big_shift(val a, long k);
val big_pow(val base, unsigned long e);
size_t big_bits(val a);
int big_cmp(val a, val b);
int big_cmp_double(val a, double d); /* d not a NaN */
int big_sign(val a);
bool big_odd(val a);
bool big_divides(val d, val n);
bool big_perfect_square(val a);
val big_sqrtrem(val a, val *root_slot);
char *big_to_string(val a, int radix); /* malloc'd */
val big_parse(const char *digits, int radix, bool negative);
bool big_eqv(val a, val b);
void lisp_exit(int code) __attribute__((noreturn));
val make_values(int n, val *v);

#define ARGTYPE(cond, who, expected, v) do { if (!(cond)) type_error(who, expected, v); } while (0)

#endif
