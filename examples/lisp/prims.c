/* prims.c — pairs, lists, vectors, characters, strings, symbols, equality
 * and records.  A primitive receives its arguments as a pointer into the
 * root stack (rooted); a value it creates is rooted again (PUSH) before
 * the next allocation. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

#define A (void)argc; (void)self

val defprim_flags(const char *name, prim_fn fn, int min, int max, unsigned flags)
{
    val p = mkprim(name, fn, min, max, flags);
    PUSH(p);
    val s = intern_c(name);
    SET(SYM(s), SYM(s)->value, p);
    return POP();
}

void defprim(const char *name, prim_fn fn, int min, int max) { defprim_flags(name, fn, min, max, 0); }

/* ---------------------------------------------------------------- equality */

bool eqv(val a, val b)
{
    if (a == b) return true;
    if (IS_FLO(a) && IS_FLO(b)) return FLO(a) == FLO(b);
    if (IS_BIG(a) && IS_BIG(b)) return big_eqv(a, b);
    if (IS_STR(a) && IS_STR(b)) return STR(a)->len == 0 && STR(b)->len == 0;
    return false;
}

bool equal(val a, val b)
{
    for (;;) {
        if (eqv(a, b)) return true;
        if (IS_PAIR(a) && IS_PAIR(b)) {
            if (!equal(CAR(a), CAR(b))) return false;
            a = CDR(a);
            b = CDR(b);
            continue;
        }
        if (IS_STR(a) && IS_STR(b))
            return STR(a)->len == STR(b)->len && memcmp(STR(a)->body, STR(b)->body, STR(a)->len) == 0;
        if (IS_VEC(a) && IS_VEC(b)) {
            if (VEC(a)->len != VEC(b)->len) return false;
            for (size_t i = 0; i < VEC(a)->len; i++)
                if (!equal(VEC(a)->v[i], VEC(b)->v[i])) return false;
            return true;
        }
        return false;
    }
}

static val p_eq(int argc, val *a, prim *self) { A; return BOOL(a[0] == a[1]); }
static val p_eqv(int argc, val *a, prim *self) { A; return BOOL(eqv(a[0], a[1])); }
static val p_equal(int argc, val *a, prim *self) { A; return BOOL(equal(a[0], a[1])); }
static val p_not(int argc, val *a, prim *self) { A; return BOOL(a[0] == FALSE); }
static val p_booleanp(int argc, val *a, prim *self) { A; return BOOL(a[0] == TRUE || a[0] == FALSE); }
static val p_boolean_eq(int argc, val *a, prim *self)
{
    A;
    for (int i = 0; i + 1 < argc; i++) if (a[i] != a[i + 1]) return FALSE;
    return TRUE;
}
static val p_symbolp(int argc, val *a, prim *self) { A; return BOOL(IS_SYM(a[0])); }
static val p_stringp(int argc, val *a, prim *self) { A; return BOOL(IS_STR(a[0])); }
static val p_charp(int argc, val *a, prim *self) { A; return BOOL(IS_CHAR(a[0])); }
static val p_vectorp(int argc, val *a, prim *self) { A; return BOOL(IS_VEC(a[0])); }
static val p_pairp(int argc, val *a, prim *self) { A; return BOOL(IS_PAIR(a[0])); }
static val p_nullp(int argc, val *a, prim *self) { A; return BOOL(a[0] == NIL); }
static val p_listp(int argc, val *a, prim *self) { A; return BOOL(list_length(a[0]) >= 0); }
static val p_void_fn(int argc, val *a, prim *self) { A; return UNSPEC; }

/* ---------------------------------------------------------------- pairs and lists */

static val p_cons_fn(int argc, val *a, prim *self) { A; return cons(a[0], a[1]); }
static val p_car(int argc, val *a, prim *self) { A; ARGTYPE(IS_PAIR(a[0]), "car", "pair", a[0]); return CAR(a[0]); }
static val p_cdr(int argc, val *a, prim *self) { A; ARGTYPE(IS_PAIR(a[0]), "cdr", "pair", a[0]); return CDR(a[0]); }

/* c[ad]{2,4}r: the path is in self->idx, read right to left */
static val p_cxr(int argc, val *a, prim *self)
{
    A;
    val v = a[0];
    const char *path = self->name + 1;
    size_t n = strlen(path) - 1;
    for (size_t i = n; i-- > 0;) {
        if (!IS_PAIR(v)) type_error(self->name, "pair", a[0]);
        v = path[i] == 'a' ? CAR(v) : CDR(v);
    }
    return v;
}

static val p_set_car(int argc, val *a, prim *self) { A; ARGTYPE(IS_PAIR(a[0]), "set-car!", "pair", a[0]); SET(a[0], PAIR(a[0])->car, a[1]); return UNSPEC; }
static val p_set_cdr(int argc, val *a, prim *self) { A; ARGTYPE(IS_PAIR(a[0]), "set-cdr!", "pair", a[0]); SET(a[0], PAIR(a[0])->cdr, a[1]); return UNSPEC; }
static val p_list_fn(int argc, val *a, prim *self) { A; return list_from(a, argc, NIL); }
static val p_cons_star(int argc, val *a, prim *self) { A; return list_from(a, argc - 1, a[argc - 1]); }

static intptr_t proper_length(const char *who, val l)
{
    intptr_t n = list_length(l);
    if (n < 0) type_error(who, "proper list", l);
    return n;
}

static val p_length(int argc, val *a, prim *self) { A; return MKFIX(proper_length("length", a[0])); }

static val p_append_fn(int argc, val *a, prim *self)
{
    A;
    if (argc == 0) return NIL;
    val *base = rsp;
    PUSH(a[argc - 1]);
    for (int i = argc - 2; i >= 0; i--) {
        intptr_t n = proper_length("append", a[i]);
        val *mark = rsp;
        for (val l = a[i]; IS_PAIR(l); l = CDR(l)) PUSH(CAR(l));
        val r = list_from(mark, (int)n, base[0]);
        rsp = mark;
        base[0] = r;
    }
    val r = base[0];
    rsp = base;
    return r;
}

static val p_reverse(int argc, val *a, prim *self)
{
    A;
    proper_length("reverse", a[0]);
    return reverse_list(a[0]);
}

static val p_list_tail(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[1]) && FIXVAL(a[1]) >= 0, "list-tail", "non-negative index", a[1]);
    val l = a[0];
    for (intptr_t k = FIXVAL(a[1]); k > 0; k--) {
        if (!IS_PAIR(l)) lisp_error("list-tail: index out of range:", 2, a[0], a[1]);
        l = CDR(l);
    }
    return l;
}

static val p_list_ref(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[1]) && FIXVAL(a[1]) >= 0, "list-ref", "non-negative index", a[1]);
    val l = a[0];
    for (intptr_t k = FIXVAL(a[1]); k > 0; k--) {
        if (!IS_PAIR(l)) lisp_error("list-ref: index out of range:", 2, a[0], a[1]);
        l = CDR(l);
    }
    if (!IS_PAIR(l)) lisp_error("list-ref: index out of range:", 2, a[0], a[1]);
    return CAR(l);
}

static val p_list_set(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[1]) && FIXVAL(a[1]) >= 0, "list-set!", "non-negative index", a[1]);
    val l = a[0];
    for (intptr_t k = FIXVAL(a[1]); k > 0 && IS_PAIR(l); k--) l = CDR(l);
    if (!IS_PAIR(l)) lisp_error("list-set!: index out of range:", 2, a[0], a[1]);
    SET(l, PAIR(l)->car, a[2]);
    return UNSPEC;
}

static val p_list_copy(int argc, val *a, prim *self)
{
    A;
    val *base = rsp;
    int n = 0;
    val l = a[0];
    for (; IS_PAIR(l); l = CDR(l), n++) PUSH(CAR(l));
    val r = list_from(base, n, l);
    rsp = base;
    return r;
}

static val p_last_pair(int argc, val *a, prim *self)
{
    A;
    val l = a[0];
    while (IS_PAIR(l) && IS_PAIR(CDR(l))) l = CDR(l);
    return l;
}

static val p_make_list(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[0]) && FIXVAL(a[0]) >= 0, "make-list", "non-negative length", a[0]);
    val *base = rsp;
    PUSH(NIL);
    val fill = argc > 1 ? a[1] : UNSPEC;
    for (intptr_t i = FIXVAL(a[0]); i > 0; i--) base[0] = cons(argc > 1 ? a[1] : fill, base[0]);
    val r = base[0];
    rsp = base;
    return r;
}

static val mem_generic(int argc, val *a, int kind, const char *who)
{
    for (val l = a[1]; IS_PAIR(l); l = CDR(l)) {
        val x = CAR(l);
        bool hit;
        if (kind == 0) hit = x == a[0];
        else if (kind == 1) hit = eqv(x, a[0]);
        else if (argc > 2) {
            PUSH(l);
            hit = apply2(a[2], a[0], x) != FALSE;
            l = POP();
        } else hit = equal(x, a[0]);
        if (hit) return l;
    }
    (void)who;
    return FALSE;
}
static val p_memq(int argc, val *a, prim *self) { A; return mem_generic(argc, a, 0, "memq"); }
static val p_memv(int argc, val *a, prim *self) { A; return mem_generic(argc, a, 1, "memv"); }
static val p_member(int argc, val *a, prim *self) { A; return mem_generic(argc, a, 2, "member"); }

static val ass_generic(int argc, val *a, int kind, const char *who)
{
    for (val l = a[1]; IS_PAIR(l); l = CDR(l)) {
        val e = CAR(l);
        if (!IS_PAIR(e)) type_error(who, "association list", a[1]);
        bool hit;
        if (kind == 0) hit = CAR(e) == a[0];
        else if (kind == 1) hit = eqv(CAR(e), a[0]);
        else if (argc > 2) {
            PUSH(l);
            hit = apply2(a[2], a[0], CAR(e)) != FALSE;
            l = POP();
            e = CAR(l);
        } else hit = equal(CAR(e), a[0]);
        if (hit) return e;
    }
    return FALSE;
}
static val p_assq(int argc, val *a, prim *self) { A; return ass_generic(argc, a, 0, "assq"); }
static val p_assv(int argc, val *a, prim *self) { A; return ass_generic(argc, a, 1, "assv"); }
static val p_assoc(int argc, val *a, prim *self) { A; return ass_generic(argc, a, 2, "assoc"); }

/* (map f l1 l2 ...): results on the root stack, stops at the shortest list */
static val p_map(int argc, val *a, prim *self)
{
    A;
    val *base = rsp;
    int nl = argc - 1;
    val *lists = rsp;
    for (int i = 0; i < nl; i++) PUSH(a[1 + i]);
    val *results = rsp;
    int n = 0;
    for (;;) {
        for (int i = 0; i < nl; i++) if (!IS_PAIR(lists[i])) goto finish;
        val *args = rsp;
        for (int i = 0; i < nl; i++) { PUSH(CAR(lists[i])); lists[i] = CDR(lists[i]); }
        val r = apply_proc(a[0], nl, args);
        rsp = args;
        /* results must stay contiguous: shift the result in place */
        PUSH(r);
        n++;
    }
finish:;
    val r = list_from(results, n, NIL);
    rsp = base;
    return r;
}

static val p_for_each(int argc, val *a, prim *self)
{
    A;
    val *base = rsp;
    int nl = argc - 1;
    for (int i = 0; i < nl; i++) PUSH(a[1 + i]);
    for (;;) {
        for (int i = 0; i < nl; i++) if (!IS_PAIR(base[i])) goto finish;
        val *args = rsp;
        for (int i = 0; i < nl; i++) { PUSH(CAR(base[i])); base[i] = CDR(base[i]); }
        apply_proc(a[0], nl, args);
        rsp = args;
    }
finish:
    rsp = base;
    return UNSPEC;
}

/* ---------------------------------------------------------------- vectors */

static size_t index_arg(const char *who, val idx, size_t limit, val obj)
{
    if (!IS_FIX(idx) || FIXVAL(idx) < 0 || (size_t)FIXVAL(idx) >= limit)
        lisp_error(who, 2, obj, idx);
    return (size_t)FIXVAL(idx);
}

static val p_make_vector(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[0]) && FIXVAL(a[0]) >= 0, "make-vector", "non-negative length", a[0]);
    return mkvec((size_t)FIXVAL(a[0]), argc > 1 ? a[1] : FALSE);
}
static val p_vector(int argc, val *a, prim *self)
{
    A;
    val v = mkvec((size_t)argc, FALSE);
    for (int i = 0; i < argc; i++) SET(v, VEC(v)->v[i], a[i]);
    return v;
}
static val p_vector_ref(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-ref", "vector", a[0]);
    return VEC(a[0])->v[index_arg("vector-ref: index out of range:", a[1], VEC(a[0])->len, a[0])];
}
static val p_vector_set(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-set!", "vector", a[0]);
    size_t i = index_arg("vector-set!: index out of range:", a[1], VEC(a[0])->len, a[0]);
    SET(a[0], VEC(a[0])->v[i], a[2]);
    return UNSPEC;
}
static val p_vector_length(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-length", "vector", a[0]);
    return MKFIX(VEC(a[0])->len);
}

static void range_args(const char *who, int argc, val *a, int i, size_t len, size_t *start, size_t *end)
{
    *start = 0;
    *end = len;
    if (argc > i) {
        if (!IS_FIX(a[i]) || FIXVAL(a[i]) < 0 || (size_t)FIXVAL(a[i]) > len) lisp_error(who, 1, a[i]);
        *start = (size_t)FIXVAL(a[i]);
    }
    if (argc > i + 1) {
        if (!IS_FIX(a[i + 1]) || (size_t)FIXVAL(a[i + 1]) > len || FIXVAL(a[i + 1]) < (intptr_t)*start)
            lisp_error(who, 1, a[i + 1]);
        *end = (size_t)FIXVAL(a[i + 1]);
    }
}

static val p_vector_to_list(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector->list", "vector", a[0]);
    size_t s, e;
    range_args("vector->list: index out of range:", argc, a, 1, VEC(a[0])->len, &s, &e);
    val *base = rsp;
    PUSH(NIL);
    for (size_t i = e; i-- > s;) base[0] = cons(VEC(a[0])->v[i], base[0]);
    val r = base[0];
    rsp = base;
    return r;
}
static val p_list_to_vector_fn(int argc, val *a, prim *self)
{
    A;
    intptr_t n = proper_length("list->vector", a[0]);
    val v = mkvec((size_t)n, FALSE);
    val l = a[0];
    for (intptr_t i = 0; i < n; i++, l = CDR(l)) SET(v, VEC(v)->v[i], CAR(l));
    return v;
}
static val p_vector_fill(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-fill!", "vector", a[0]);
    size_t s, e;
    range_args("vector-fill!: index out of range:", argc, a, 2, VEC(a[0])->len, &s, &e);
    for (size_t i = s; i < e; i++) SET(a[0], VEC(a[0])->v[i], a[1]);
    return UNSPEC;
}
static val p_vector_copy(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-copy", "vector", a[0]);
    size_t s, e;
    range_args("vector-copy: index out of range:", argc, a, 1, VEC(a[0])->len, &s, &e);
    val v = mkvec(e - s, FALSE);
    for (size_t i = s; i < e; i++) SET(v, VEC(v)->v[i - s], VEC(a[0])->v[i]);
    return v;
}
static val p_vector_copy_bang(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-copy!", "vector", a[0]);
    ARGTYPE(IS_VEC(a[2]), "vector-copy!", "vector", a[2]);
    size_t at = index_arg("vector-copy!: index out of range:", a[1], VEC(a[0])->len + 1, a[0]);
    size_t s, e;
    range_args("vector-copy!: index out of range:", argc, a, 3, VEC(a[2])->len, &s, &e);
    if (at + (e - s) > VEC(a[0])->len) lisp_error("vector-copy!: destination too small", 1, a[0]);
    if (at <= s) for (size_t i = s; i < e; i++) SET(a[0], VEC(a[0])->v[at + i - s], VEC(a[2])->v[i]);
    else for (size_t i = e; i-- > s;) SET(a[0], VEC(a[0])->v[at + i - s], VEC(a[2])->v[i]);
    return UNSPEC;
}
static val p_vector_append(int argc, val *a, prim *self)
{
    A;
    size_t n = 0;
    for (int i = 0; i < argc; i++) { ARGTYPE(IS_VEC(a[i]), "vector-append", "vector", a[i]); n += VEC(a[i])->len; }
    val v = mkvec(n, FALSE);
    size_t k = 0;
    for (int i = 0; i < argc; i++)
        for (size_t j = 0; j < VEC(a[i])->len; j++) SET(v, VEC(v)->v[k++], VEC(a[i])->v[j]);
    return v;
}
static val p_vector_grow(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector-grow", "vector", a[0]);
    ARGTYPE(IS_FIX(a[1]) && (size_t)FIXVAL(a[1]) >= VEC(a[0])->len, "vector-grow", "length not below the vector's", a[1]);
    val v = mkvec((size_t)FIXVAL(a[1]), FALSE);
    for (size_t i = 0; i < VEC(a[0])->len; i++) SET(v, VEC(v)->v[i], VEC(a[0])->v[i]);
    return v;
}
static val p_vector_map(int argc, val *a, prim *self)
{
    A;
    size_t n = SIZE_MAX;
    for (int i = 1; i < argc; i++) {
        ARGTYPE(IS_VEC(a[i]), "vector-map", "vector", a[i]);
        if (VEC(a[i])->len < n) n = VEC(a[i])->len;
    }
    val *base = rsp;
    PUSH(mkvec(n, FALSE));
    for (size_t j = 0; j < n; j++) {
        val *args = rsp;
        for (int i = 1; i < argc; i++) PUSH(VEC(a[i])->v[j]);
        val r = apply_proc(a[0], argc - 1, args);
        rsp = args;
        SET(base[0], VEC(base[0])->v[j], r);
    }
    val r = base[0];
    rsp = base;
    return r;
}
static val p_vector_for_each(int argc, val *a, prim *self)
{
    A;
    size_t n = SIZE_MAX;
    for (int i = 1; i < argc; i++) {
        ARGTYPE(IS_VEC(a[i]), "vector-for-each", "vector", a[i]);
        if (VEC(a[i])->len < n) n = VEC(a[i])->len;
    }
    for (size_t j = 0; j < n; j++) {
        val *args = rsp;
        for (int i = 1; i < argc; i++) PUSH(VEC(a[i])->v[j]);
        apply_proc(a[0], argc - 1, args);
        rsp = args;
    }
    return UNSPEC;
}

/* ---------------------------------------------------------------- characters */

static int char_arg(const char *who, val v)
{
    if (!IS_CHAR(v)) type_error(who, "character", v);
    return CHARVAL(v);
}

#define CHAR_CMP(fname, who, op, fold)                                               \
    static val fname(int argc, val *a, prim *self)                                   \
    {                                                                                \
        A;                                                                           \
        for (int i = 0; i < argc; i++) char_arg(who, a[i]);                          \
        for (int i = 0; i + 1 < argc; i++) {                                         \
            int x = CHARVAL(a[i]), y = CHARVAL(a[i + 1]);                            \
            if (fold) { x = x < 128 ? tolower(x) : x; y = y < 128 ? tolower(y) : y; } \
            if (!(x op y)) return FALSE;                                             \
        }                                                                            \
        return TRUE;                                                                 \
    }
CHAR_CMP(p_char_eq, "char=?", ==, 0)
CHAR_CMP(p_char_lt, "char<?", <, 0)
CHAR_CMP(p_char_gt, "char>?", >, 0)
CHAR_CMP(p_char_le, "char<=?", <=, 0)
CHAR_CMP(p_char_ge, "char>=?", >=, 0)
CHAR_CMP(p_char_ci_eq, "char-ci=?", ==, 1)
CHAR_CMP(p_char_ci_lt, "char-ci<?", <, 1)

static val p_char_to_integer(int argc, val *a, prim *self) { A; return MKFIX(char_arg("char->integer", a[0])); }
static val p_integer_to_char(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[0]) && FIXVAL(a[0]) >= 0 && FIXVAL(a[0]) <= 0x10FFFF, "integer->char", "code point", a[0]);
    return MKCHAR(FIXVAL(a[0]));
}
static val p_char_alphabetic(int argc, val *a, prim *self) { A; int c = char_arg("char-alphabetic?", a[0]); return BOOL(c < 128 && isalpha(c)); }
static val p_char_numeric(int argc, val *a, prim *self) { A; int c = char_arg("char-numeric?", a[0]); return BOOL(c < 128 && isdigit(c)); }
static val p_char_whitespace(int argc, val *a, prim *self) { A; int c = char_arg("char-whitespace?", a[0]); return BOOL(c < 128 && isspace(c)); }
static val p_char_upper(int argc, val *a, prim *self) { A; int c = char_arg("char-upper-case?", a[0]); return BOOL(c < 128 && isupper(c)); }
static val p_char_lower(int argc, val *a, prim *self) { A; int c = char_arg("char-lower-case?", a[0]); return BOOL(c < 128 && islower(c)); }
static val p_char_upcase(int argc, val *a, prim *self) { A; int c = char_arg("char-upcase", a[0]); return MKCHAR(c < 128 ? toupper(c) : c); }
static val p_char_downcase(int argc, val *a, prim *self) { A; int c = char_arg("char-downcase", a[0]); return MKCHAR(c < 128 ? tolower(c) : c); }
static val p_digit_value(int argc, val *a, prim *self) { A; int c = char_arg("digit-value", a[0]); return c < 128 && isdigit(c) ? MKFIX(c - '0') : FALSE; }

/* ---------------------------------------------------------------- strings */

static string *str_arg(const char *who, val v)
{
    if (!IS_STR(v)) type_error(who, "string", v);
    return STR(v);
}

static val p_string_length(int argc, val *a, prim *self) { A; return MKFIX(str_arg("string-length", a[0])->len); }
static val p_string_ref(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-ref", a[0]);
    return MKCHAR((unsigned char)s->body[index_arg("string-ref: index out of range:", a[1], s->len, a[0])]);
}
static val p_string_set(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-set!", a[0]);
    size_t i = index_arg("string-set!: index out of range:", a[1], s->len, a[0]);
    s->body[i] = (char)char_arg("string-set!", a[2]);
    return UNSPEC;
}
static val p_substring(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("substring", a[0]);
    size_t st, e;
    range_args("substring: index out of range:", argc, a, 1, s->len, &st, &e);
    return mkstr(s->body + st, e - st);
}
static val p_string_append(int argc, val *a, prim *self)
{
    A;
    size_t n = 0;
    for (int i = 0; i < argc; i++) n += str_arg("string-append", a[i])->len;
    val r = mkstr(NULL, n);
    size_t k = 0;
    for (int i = 0; i < argc; i++) {
        memcpy(STR(r)->body + k, STR(a[i])->body, STR(a[i])->len);
        k += STR(a[i])->len;
    }
    return r;
}

static int str_cmp(val x, val y, bool fold)
{
    string *a = STR(x), *b = STR(y);
    size_t n = a->len < b->len ? a->len : b->len;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)a->body[i], d = (unsigned char)b->body[i];
        if (fold) { c = tolower(c); d = tolower(d); }
        if (c != d) return c < d ? -1 : 1;
    }
    return a->len < b->len ? -1 : a->len > b->len;
}

#define STR_CMP(fname, who, op, fold)                                         \
    static val fname(int argc, val *a, prim *self)                            \
    {                                                                         \
        A;                                                                    \
        for (int i = 0; i < argc; i++) str_arg(who, a[i]);                    \
        for (int i = 0; i + 1 < argc; i++)                                    \
            if (!(str_cmp(a[i], a[i + 1], fold) op 0)) return FALSE;          \
        return TRUE;                                                          \
    }
STR_CMP(p_string_eq, "string=?", ==, 0)
STR_CMP(p_string_lt, "string<?", <, 0)
STR_CMP(p_string_gt, "string>?", >, 0)
STR_CMP(p_string_le, "string<=?", <=, 0)
STR_CMP(p_string_ge, "string>=?", >=, 0)
STR_CMP(p_string_ci_eq, "string-ci=?", ==, 1)

static val p_string_to_list(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string->list", a[0]);
    size_t st, e;
    range_args("string->list: index out of range:", argc, a, 1, s->len, &st, &e);
    val *base = rsp;
    PUSH(NIL);
    for (size_t i = e; i-- > st;) base[0] = cons(MKCHAR((unsigned char)STR(a[0])->body[i]), base[0]);
    val r = base[0];
    rsp = base;
    return r;
}
static val p_list_to_string(int argc, val *a, prim *self)
{
    A;
    intptr_t n = proper_length("list->string", a[0]);
    val r = mkstr(NULL, (size_t)n);
    val l = a[0];
    for (intptr_t i = 0; i < n; i++, l = CDR(l)) STR(r)->body[i] = (char)char_arg("list->string", CAR(l));
    return r;
}
static val p_string(int argc, val *a, prim *self)
{
    A;
    val r = mkstr(NULL, (size_t)argc);
    for (int i = 0; i < argc; i++) STR(r)->body[i] = (char)char_arg("string", a[i]);
    return r;
}
static val p_make_string(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_FIX(a[0]) && FIXVAL(a[0]) >= 0, "make-string", "non-negative length", a[0]);
    val r = mkstr(NULL, (size_t)FIXVAL(a[0]));
    if (argc > 1) memset(STR(r)->body, char_arg("make-string", a[1]), STR(r)->len);
    return r;
}
static val p_string_copy(int argc, val *a, prim *self) { return p_substring(argc, a, self); }
static val p_string_copy_bang(int argc, val *a, prim *self)
{
    A;
    string *d = str_arg("string-copy!", a[0]);
    size_t at = index_arg("string-copy!: index out of range:", a[1], d->len + 1, a[0]);
    string *s = str_arg("string-copy!", a[2]);
    size_t st, e;
    range_args("string-copy!: index out of range:", argc, a, 3, s->len, &st, &e);
    if (at + (e - st) > d->len) lisp_error("string-copy!: destination too small", 1, a[0]);
    memmove(d->body + at, s->body + st, e - st);
    return UNSPEC;
}
static val p_string_fill(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-fill!", a[0]);
    int c = char_arg("string-fill!", a[1]);
    size_t st, e;
    range_args("string-fill!: index out of range:", argc, a, 2, s->len, &st, &e);
    memset(s->body + st, c, e - st);
    return UNSPEC;
}
static val p_string_upcase(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-upcase", a[0]);
    val r = mkstr(s->body, s->len);
    for (size_t i = 0; i < STR(r)->len; i++) STR(r)->body[i] = (char)toupper((unsigned char)STR(r)->body[i]);
    return r;
}
static val p_string_downcase(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-downcase", a[0]);
    val r = mkstr(s->body, s->len);
    for (size_t i = 0; i < STR(r)->len; i++) STR(r)->body[i] = (char)tolower((unsigned char)STR(r)->body[i]);
    return r;
}
static val p_string_for_each(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string-for-each", a[1]);
    for (size_t i = 0; i < STR(a[1])->len; i++) {
        (void)s;
        apply1(a[0], MKCHAR((unsigned char)STR(a[1])->body[i]));
    }
    return UNSPEC;
}
static val p_string_map(int argc, val *a, prim *self)
{
    A;
    size_t n = str_arg("string-map", a[1])->len;
    val *base = rsp;
    PUSH(mkstr(NULL, n));
    for (size_t i = 0; i < n && i < STR(a[1])->len; i++) {
        val c = apply1(a[0], MKCHAR((unsigned char)STR(a[1])->body[i]));
        STR(base[0])->body[i] = (char)char_arg("string-map", c);
    }
    val r = base[0];
    rsp = base;
    return r;
}
static val p_string_to_symbol(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string->symbol", a[0]);
    return intern(s->body, s->len);
}
static val p_symbol_to_string(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_SYM(a[0]), "symbol->string", "symbol", a[0]);
    return mkstr(SYM(a[0])->name, SYM(a[0])->len);
}
static val p_string_to_vector(int argc, val *a, prim *self)
{
    A;
    string *s = str_arg("string->vector", a[0]);
    val v = mkvec(s->len, FALSE);
    for (size_t i = 0; i < VEC(v)->len; i++) VEC(v)->v[i] = MKCHAR((unsigned char)STR(a[0])->body[i]);
    return v;
}
static val p_vector_to_string(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS_VEC(a[0]), "vector->string", "vector", a[0]);
    val r = mkstr(NULL, VEC(a[0])->len);
    for (size_t i = 0; i < STR(r)->len; i++) STR(r)->body[i] = (char)char_arg("vector->string", VEC(a[0])->v[i]);
    return r;
}
static int gensym_counter;
static val p_gensym(int argc, val *a, prim *self)
{
    A;
    char buf[64];
    snprintf(buf, sizeof buf, " g%d", ++gensym_counter);
    return intern_c(buf);
}
static val p_symbol_eq(int argc, val *a, prim *self)
{
    A;
    for (int i = 0; i < argc; i++) ARGTYPE(IS_SYM(a[i]), "symbol=?", "symbol", a[i]);
    for (int i = 0; i + 1 < argc; i++) if (a[i] != a[i + 1]) return FALSE;
    return TRUE;
}

/* ---------------------------------------------------------------- records */

static val p_make_rtd_fn(int argc, val *a, prim *self)
{
    A;
    rtd *t = alloc_obj(K_RTD, sizeof(rtd));
    SET(t, t->name, a[0]);
    SET(t, t->fields, a[1]);
    t->n = list_length(a[1]);
    return (val)t;
}

static intptr_t field_index(val t, val name)
{
    intptr_t i = 0;
    for (val l = ((rtd *)t)->fields; IS_PAIR(l); l = CDR(l), i++)
        if (CAR(l) == name) return i;
    lisp_error("define-record-type: no such field:", 1, name);
}

/* Constructor data: a vector #(rtd idx0 idx1 ...) mapping args to fields. */
static val rec_ctor(int argc, val *a, prim *self)
{
    vector *m = VEC(self->data);
    val t = m->v[0];
    intptr_t n = ((rtd *)t)->n;
    if ((size_t)argc != m->len - 1) lisp_error("wrong number of arguments:", 2, (val)self, MKFIX(argc));
    record *r = alloc_obj(K_RECORD, sizeof(record) + (size_t)n * sizeof(val));
    r->h.aux = (uint32_t)n;
    m = VEC(self->data);
    SET(r, r->rtd, m->v[0]);
    for (intptr_t i = 0; i < n; i++) r->field[i] = FALSE;
    for (int i = 0; i < argc; i++) SET(r, r->field[FIXVAL(m->v[i + 1])], a[i]);
    return (val)r;
}
static val rec_pred(int argc, val *a, prim *self)
{
    A;
    return BOOL(IS(a[0], K_RECORD) && ((record *)a[0])->rtd == self->data);
}
static val rec_get(int argc, val *a, prim *self)
{
    A;
    if (!IS(a[0], K_RECORD) || ((record *)a[0])->rtd != self->data) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s: expected a record of type %s, got", self->name,
                 SYM(((rtd *)self->data)->name)->name);
        lisp_error(buf, 1, a[0]);
    }
    return ((record *)a[0])->field[self->idx];
}
static val rec_set(int argc, val *a, prim *self)
{
    A;
    if (!IS(a[0], K_RECORD) || ((record *)a[0])->rtd != self->data) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s: expected a record of type %s, got", self->name,
                 SYM(((rtd *)self->data)->name)->name);
        lisp_error(buf, 1, a[0]);
    }
    SET(a[0], ((record *)a[0])->field[self->idx], a[1]);
    return UNSPEC;
}

static val p_rtd_ctor_fn(int argc, val *a, prim *self)
{
    A;
    ARGTYPE(IS(a[0], K_RTD), "record constructor", "record type", a[0]);
    intptr_t n = list_length(a[1]);
    val m = mkvec((size_t)n + 1, FALSE);
    SET(m, VEC(m)->v[0], a[0]);
    intptr_t i = 1;
    for (val l = a[1]; IS_PAIR(l); l = CDR(l), i++) VEC(m)->v[i] = MKFIX(field_index(a[0], CAR(l)));
    PUSH(m);
    val p = mkprim("record-constructor", rec_ctor, 0, -1, 0);
    SET(p, ((prim *)p)->data, POP());
    return p;
}
static val p_rtd_pred_fn(int argc, val *a, prim *self)
{
    A;
    val p = mkprim("record-predicate", rec_pred, 1, 1, 0);
    SET(p, ((prim *)p)->data, a[0]);
    return p;
}
static val p_rtd_acc_fn(int argc, val *a, prim *self)
{
    A;
    intptr_t i = field_index(a[0], a[1]);
    val p = mkprim(SYM(a[1])->name, rec_get, 1, 1, 0);
    SET(p, ((prim *)p)->data, a[0]);
    ((prim *)p)->idx = i;
    return p;
}
static val p_rtd_mod_fn(int argc, val *a, prim *self)
{
    A;
    intptr_t i = field_index(a[0], a[1]);
    val p = mkprim(SYM(a[1])->name, rec_set, 2, 2, 0);
    SET(p, ((prim *)p)->data, a[0]);
    ((prim *)p)->idx = i;
    return p;
}

void prims_init(void)
{
    defprim("eq?", p_eq, 2, 2);
    defprim("eqv?", p_eqv, 2, 2);
    defprim("equal?", p_equal, 2, 2);
    defprim("not", p_not, 1, 1);
    defprim("boolean?", p_booleanp, 1, 1);
    defprim("boolean=?", p_boolean_eq, 2, -1);
    defprim("symbol?", p_symbolp, 1, 1);
    defprim("string?", p_stringp, 1, 1);
    defprim("char?", p_charp, 1, 1);
    defprim("vector?", p_vectorp, 1, 1);
    defprim("pair?", p_pairp, 1, 1);
    defprim("null?", p_nullp, 1, 1);
    defprim("list?", p_listp, 1, 1);
    p_void = defprim_flags("void", p_void_fn, 0, -1, 0);
    p_cons = defprim_flags("cons", p_cons_fn, 2, 2, 0);
    defprim("car", p_car, 1, 1);
    defprim("cdr", p_cdr, 1, 1);
    static const char *cxr[] = {"caar", "cadr", "cdar", "cddr", "caaar", "caadr", "cadar", "caddr",
        "cdaar", "cdadr", "cddar", "cdddr", "caaaar", "caaadr", "caadar", "caaddr", "cadaar",
        "cadadr", "caddar", "cadddr", "cdaaar", "cdaadr", "cdadar", "cdaddr", "cddaar", "cddadr",
        "cdddar", "cddddr", NULL};
    for (int i = 0; cxr[i]; i++) defprim(cxr[i], p_cxr, 1, 1);
    defprim("set-car!", p_set_car, 2, 2);
    defprim("set-cdr!", p_set_cdr, 2, 2);
    p_list = defprim_flags("list", p_list_fn, 0, -1, 0);
    defprim("cons*", p_cons_star, 1, -1);
    defprim("list*", p_cons_star, 1, -1);
    defprim("length", p_length, 1, 1);
    p_append = defprim_flags("append", p_append_fn, 0, -1, 0);
    defprim("append!", p_append_fn, 0, -1);
    defprim("reverse", p_reverse, 1, 1);
    defprim("reverse!", p_reverse, 1, 1);
    defprim("list-tail", p_list_tail, 2, 2);
    defprim("list-ref", p_list_ref, 2, 2);
    defprim("list-set!", p_list_set, 3, 3);
    defprim("list-copy", p_list_copy, 1, 1);
    defprim("last-pair", p_last_pair, 1, 1);
    defprim("make-list", p_make_list, 1, 2);
    defprim("memq", p_memq, 2, 2);
    defprim("memv", p_memv, 2, 2);
    defprim("member", p_member, 2, 3);
    defprim("assq", p_assq, 2, 2);
    defprim("assv", p_assv, 2, 2);
    defprim("assoc", p_assoc, 2, 3);
    defprim("map", p_map, 2, -1);
    defprim("for-each", p_for_each, 2, -1);
    defprim("make-vector", p_make_vector, 1, 2);
    defprim("vector", p_vector, 0, -1);
    defprim("vector-ref", p_vector_ref, 2, 2);
    defprim("vector-set!", p_vector_set, 3, 3);
    defprim("vector-length", p_vector_length, 1, 1);
    defprim("vector->list", p_vector_to_list, 1, 3);
    p_list_to_vector = defprim_flags("list->vector", p_list_to_vector_fn, 1, 1, 0);
    defprim("vector-fill!", p_vector_fill, 2, 4);
    defprim("vector-copy", p_vector_copy, 1, 3);
    defprim("vector-copy!", p_vector_copy_bang, 3, 5);
    defprim("vector-append", p_vector_append, 0, -1);
    defprim("vector-map", p_vector_map, 2, -1);
    defprim("vector-grow", p_vector_grow, 2, 2);
    defprim("vector-for-each", p_vector_for_each, 2, -1);
    defprim("char=?", p_char_eq, 1, -1);
    defprim("char<?", p_char_lt, 1, -1);
    defprim("char>?", p_char_gt, 1, -1);
    defprim("char<=?", p_char_le, 1, -1);
    defprim("char>=?", p_char_ge, 1, -1);
    defprim("char-ci=?", p_char_ci_eq, 1, -1);
    defprim("char-ci<?", p_char_ci_lt, 1, -1);
    defprim("char->integer", p_char_to_integer, 1, 1);
    defprim("integer->char", p_integer_to_char, 1, 1);
    defprim("char-alphabetic?", p_char_alphabetic, 1, 1);
    defprim("char-numeric?", p_char_numeric, 1, 1);
    defprim("char-whitespace?", p_char_whitespace, 1, 1);
    defprim("char-upper-case?", p_char_upper, 1, 1);
    defprim("char-lower-case?", p_char_lower, 1, 1);
    defprim("char-upcase", p_char_upcase, 1, 1);
    defprim("char-downcase", p_char_downcase, 1, 1);
    defprim("char-foldcase", p_char_downcase, 1, 1);
    defprim("digit-value", p_digit_value, 1, 1);
    defprim("string-length", p_string_length, 1, 1);
    defprim("string-ref", p_string_ref, 2, 2);
    defprim("string-set!", p_string_set, 3, 3);
    defprim("substring", p_substring, 2, 3);
    defprim("string-append", p_string_append, 0, -1);
    defprim("string=?", p_string_eq, 1, -1);
    defprim("string<?", p_string_lt, 1, -1);
    defprim("string>?", p_string_gt, 1, -1);
    defprim("string<=?", p_string_le, 1, -1);
    defprim("string>=?", p_string_ge, 1, -1);
    defprim("string-ci=?", p_string_ci_eq, 1, -1);
    defprim("string->list", p_string_to_list, 1, 3);
    defprim("list->string", p_list_to_string, 1, 1);
    defprim("string", p_string, 0, -1);
    defprim("make-string", p_make_string, 1, 2);
    defprim("string-copy", p_string_copy, 1, 3);
    defprim("string-copy!", p_string_copy_bang, 3, 5);
    defprim("string-fill!", p_string_fill, 2, 4);
    defprim("string-upcase", p_string_upcase, 1, 1);
    defprim("string-downcase", p_string_downcase, 1, 1);
    defprim("string-foldcase", p_string_downcase, 1, 1);
    defprim("string-for-each", p_string_for_each, 2, 2);
    defprim("string-map", p_string_map, 2, 2);
    defprim("string->symbol", p_string_to_symbol, 1, 1);
    defprim("string->uninterned-symbol", p_string_to_symbol, 1, 1);
    defprim("symbol->string", p_symbol_to_string, 1, 1);
    defprim("string->vector", p_string_to_vector, 1, 1);
    defprim("vector->string", p_vector_to_string, 1, 1);
    defprim("gensym", p_gensym, 0, 1);
    defprim("symbol=?", p_symbol_eq, 1, -1);
    p_make_rtd = defprim_flags("%make-record-type", p_make_rtd_fn, 2, 2, 0);
    p_rtd_ctor = defprim_flags("%record-constructor", p_rtd_ctor_fn, 2, 2, 0);
    p_rtd_pred = defprim_flags("%record-predicate", p_rtd_pred_fn, 1, 1, 0);
    p_rtd_acc = defprim_flags("%record-accessor", p_rtd_acc_fn, 2, 2, 0);
    p_rtd_mod = defprim_flags("%record-modifier", p_rtd_mod_fn, 2, 2, 0);
}
