/* num.c — numbers: exact integers (62-bit fixnums, GMP bignums) and flonums.
 *
 * Exact integers have any size: a fixnum result that overflows becomes a
 * bignum (bignum.c), and a bignum result that fits becomes a fixnum again.
 * Fixnum operations keep their fast path here and call bignum.c only on
 * overflow or when an operand is a bignum.  An operation with a flonum
 * operand converts the exact one to the nearest flonum (contagion).
 * Exact division that does not divide yields a flonum (no rationals).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lisp.h"

#define A (void)argc; (void)self

static void not_number(const char *who, val v) __attribute__((noreturn));
static void not_number(const char *who, val v) { type_error(who, "number", v); }

double num_to_double(val n)
{
    if (IS_FIX(n)) return (double)FIXVAL(n);
    if (IS_BIG(n)) return big_to_double(n);
    return FLO(n);
}

static val check_num(const char *who, val v)
{
    if (!IS_NUM(v)) not_number(who, v);
    return v;
}

static bool is_integer(val v)
{
    if (IS_EXINT(v)) return true;
    if (IS_FLO(v)) { double d = FLO(v); return isfinite(d) && d == floor(d); }
    return false;
}

val num_add(val a, val b)
{
    intptr_t t;
    if (IS_FIX(a) && IS_FIX(b)) {
        if (!__builtin_add_overflow((intptr_t)a, (intptr_t)b - 1, &t)) return (val)t;
        return big_op2(BIG_ADD, a, b);
    }
    if (IS_EXINT(a) && IS_EXINT(b)) return big_op2(BIG_ADD, a, b);
    return mkflo(num_to_double(check_num("+", a)) + num_to_double(check_num("+", b)));
}

val num_sub(val a, val b)
{
    intptr_t t;
    if (IS_FIX(a) && IS_FIX(b)) {
        if (!__builtin_sub_overflow((intptr_t)a, (intptr_t)b - 1, &t)) return (val)t;
        return big_op2(BIG_SUB, a, b);
    }
    if (IS_EXINT(a) && IS_EXINT(b)) return big_op2(BIG_SUB, a, b);
    return mkflo(num_to_double(check_num("-", a)) - num_to_double(check_num("-", b)));
}

static val num_mul(val a, val b)
{
    if (IS_FIX(a) && IS_FIX(b)) {
        intptr_t r;
        if (!__builtin_mul_overflow(FIXVAL(a), FIXVAL(b), &r) && r >= FIXNUM_MIN && r <= FIXNUM_MAX)
            return MKFIX(r);
        return big_op2(BIG_MUL, a, b);
    }
    if (IS_EXINT(a) && IS_EXINT(b)) return big_op2(BIG_MUL, a, b);
    return mkflo(num_to_double(check_num("*", a)) * num_to_double(check_num("*", b)));
}

static val num_div(val a, val b)
{
    check_num("/", a);
    check_num("/", b);
    if (IS_FIX(a) && IS_FIX(b)) {
        if (b == MKFIX(0)) lisp_error("/: division by zero", 1, a);
        intptr_t x = FIXVAL(a), y = FIXVAL(b);
        if (x % y == 0) return mkint(x / y);
        return mkflo((double)x / (double)y);
    }
    if (IS_EXINT(a) && IS_EXINT(b)) {
        if (b == MKFIX(0)) lisp_error("/: division by zero", 1, a);
        if (big_divides(b, a)) return big_op2(BIG_QUO, a, b);
    }
    return mkflo(num_to_double(a) / num_to_double(b));
}

/* -1, 0, 1, or 2 when unordered (a NaN).  Exact against exact compares
 * exactly; exact against a flonum compares the exact value with the
 * flonum's exact value (mpz_cmp_d), so a bignum is never rounded first. */
static int cmp2(val a, val b)
{
    if (IS_FIX(a) && IS_FIX(b)) return (intptr_t)a < (intptr_t)b ? -1 : (intptr_t)a > (intptr_t)b;
    if (IS_FLO(a) && IS_FLO(b)) {
        double x = FLO(a), y = FLO(b);
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
    }
    if (IS_EXINT(a) && IS_EXINT(b)) return big_cmp(a, b);
    if (IS_FLO(b)) {
        if (isnan(FLO(b))) return 2;
        return big_cmp_double(a, FLO(b));
    }
    if (isnan(FLO(a))) return 2;
    return -big_cmp_double(b, FLO(a));
}

int num_cmp(val a, val b)
{
    int c = cmp2(a, b);
    return c == 2 ? 0 : c;
}

static val p_add(int argc, val *a, prim *self)
{
    A;
    if (argc == 0) return MKFIX(0);
    val r = check_num("+", a[0]);
    for (int i = 1; i < argc; i++) r = num_add(r, a[i]);
    return r;
}

static val p_mul(int argc, val *a, prim *self)
{
    A;
    if (argc == 0) return MKFIX(1);
    val r = check_num("*", a[0]);
    for (int i = 1; i < argc; i++) r = num_mul(r, a[i]);
    return r;
}

static val p_sub(int argc, val *a, prim *self)
{
    A;
    if (argc == 1) return num_sub(MKFIX(0), check_num("-", a[0]));
    val r = check_num("-", a[0]);
    for (int i = 1; i < argc; i++) r = num_sub(r, a[i]);
    return r;
}

static val p_div(int argc, val *a, prim *self)
{
    A;
    if (argc == 1) return num_div(MKFIX(1), a[0]);
    val r = a[0];
    for (int i = 1; i < argc; i++) r = num_div(r, a[i]);
    return r;
}

#define COMPARE(fname, who, test)                                               \
    static val fname(int argc, val *a, prim *self)                              \
    {                                                                           \
        A;                                                                      \
        for (int i = 0; i < argc; i++) check_num(who, a[i]);                    \
        for (int i = 0; i + 1 < argc; i++) {                                    \
            if (!IS_FIX(a[i]) || !IS_FIX(a[i + 1])) {                           \
                int c = cmp2(a[i], a[i + 1]);                                   \
                if (c == 2 || !(c test 0)) return FALSE;                        \
            } else if (!((intptr_t)a[i] test (intptr_t)a[i + 1])) return FALSE; \
        }                                                                       \
        return TRUE;                                                            \
    }
COMPARE(p_numeq, "=", ==)
COMPARE(p_lt, "<", <)
COMPARE(p_gt, ">", >)
COMPARE(p_le, "<=", <=)
COMPARE(p_ge, ">=", >=)

/* sign of a number; a NaN counts as 0 (neither positive nor negative) */
static int sign(const char *who, val v)
{
    check_num(who, v);
    if (IS_EXINT(v)) return big_sign(v);
    return FLO(v) > 0 ? 1 : FLO(v) < 0 ? -1 : 0;
}
static val p_zerop(int argc, val *a, prim *self) { A; return BOOL(sign("zero?", a[0]) == 0 && !(IS_FLO(a[0]) && isnan(FLO(a[0])))); }
static val p_positivep(int argc, val *a, prim *self) { A; return BOOL(sign("positive?", a[0]) > 0); }
static val p_negativep(int argc, val *a, prim *self) { A; return BOOL(sign("negative?", a[0]) < 0); }

static double int_arg(const char *who, val v)
{
    if (!is_integer(v)) type_error(who, "integer", v);
    return num_to_double(v);
}

static val p_oddp(int argc, val *a, prim *self)
{
    A;
    if (IS_FIX(a[0])) return BOOL(FIXVAL(a[0]) & 1);
    if (IS_BIG(a[0])) return BOOL(big_odd(a[0]));
    return BOOL(fmod(int_arg("odd?", a[0]), 2) != 0);
}
static val p_evenp(int argc, val *a, prim *self)
{
    A;
    if (IS_FIX(a[0])) return BOOL(!(FIXVAL(a[0]) & 1));
    if (IS_BIG(a[0])) return BOOL(!big_odd(a[0]));
    return BOOL(fmod(int_arg("even?", a[0]), 2) == 0);
}

static val p_max(int argc, val *a, prim *self)
{
    A;
    val r = check_num("max", a[0]);
    bool inexact = IS_FLO(r);
    for (int i = 1; i < argc; i++) {
        check_num("max", a[i]);
        if (IS_FLO(a[i])) inexact = true;
        if (num_cmp(a[i], r) > 0) r = a[i];
    }
    return inexact && !IS_FLO(r) ? mkflo(num_to_double(r)) : r;
}
static val p_min(int argc, val *a, prim *self)
{
    A;
    val r = check_num("min", a[0]);
    bool inexact = IS_FLO(r);
    for (int i = 1; i < argc; i++) {
        check_num("min", a[i]);
        if (IS_FLO(a[i])) inexact = true;
        if (num_cmp(a[i], r) < 0) r = a[i];
    }
    return inexact && !IS_FLO(r) ? mkflo(num_to_double(r)) : r;
}

static val p_abs(int argc, val *a, prim *self)
{
    A;
    if (IS_FIX(a[0])) return FIXVAL(a[0]) < 0 ? mkint(-FIXVAL(a[0])) : a[0];
    if (IS_BIG(a[0])) return big_sign(a[0]) < 0 ? big_neg(a[0]) : a[0];
    check_num("abs", a[0]);
    return mkflo(fabs(FLO(a[0])));
}

enum { DIV_QUO, DIV_REM, DIV_MOD };
static val intdiv(const char *who, val x, val y, int kind)
{
    if (IS_FIX(x) && IS_FIX(y)) {
        intptr_t a = FIXVAL(x), b = FIXVAL(y);
        if (b == 0) lisp_error("division by zero:", 2, intern_c(who), x);
        if (kind == DIV_QUO) return mkint(a / b);
        intptr_t r = a % b;
        if (kind == DIV_MOD && r != 0 && ((r < 0) != (b < 0))) r += b;
        return MKFIX(r);
    }
    if (IS_EXINT(x) && IS_EXINT(y)) {
        if (y == MKFIX(0)) lisp_error("division by zero:", 2, intern_c(who), x);
        return big_op2(kind == DIV_QUO ? BIG_QUO : kind == DIV_REM ? BIG_REM : BIG_MOD, x, y);
    }
    double a = int_arg(who, x), b = int_arg(who, y);
    if (b == 0) lisp_error("division by zero:", 2, intern_c(who), x);
    if (kind == DIV_QUO) return mkflo(trunc(a / b));
    double r = fmod(a, b);
    if (kind == DIV_MOD && r != 0 && ((r < 0) != (b < 0))) r += b;
    return mkflo(r);
}
static val p_quotient(int argc, val *a, prim *self) { A; return intdiv("quotient", a[0], a[1], DIV_QUO); }
static val p_remainder(int argc, val *a, prim *self) { A; return intdiv("remainder", a[0], a[1], DIV_REM); }
static val p_modulo(int argc, val *a, prim *self) { A; return intdiv("modulo", a[0], a[1], DIV_MOD); }
static val p_floor_quotient(int argc, val *a, prim *self)
{
    A;
    val m = intdiv("floor-quotient", a[0], a[1], DIV_MOD);
    PUSH(m);
    val d = num_sub(a[0], m);
    (void)POP();
    return intdiv("floor-quotient", d, a[1], DIV_QUO);
}
static val p_floor_div(int argc, val *a, prim *self)
{
    val q = p_floor_quotient(argc, a, self);
    PUSH(q);
    PUSH(intdiv("floor/", a[0], a[1], DIV_MOD));
    val r = make_values(2, rsp - 2);
    rsp -= 2;
    return r;
}
static val p_truncate_div(int argc, val *a, prim *self)
{
    A;
    PUSH(intdiv("truncate/", a[0], a[1], DIV_QUO));
    PUSH(intdiv("truncate/", a[0], a[1], DIV_REM));
    val r = make_values(2, rsp - 2);
    rsp -= 2;
    return r;
}

static intptr_t gcd2(intptr_t a, intptr_t b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) { intptr_t t = a % b; a = b; b = t; }
    return a;
}
/* The result is kept in a root-stack slot: it may be a bignum that the
 * next step's allocation must not free. */
static val p_gcd(int argc, val *a, prim *self)
{
    A;
    for (int i = 0; i < argc; i++)
        if (!IS_EXINT(a[i])) type_error("gcd", "exact integer", a[i]);
    PUSH(MKFIX(0));
    for (int i = 0; i < argc; i++) {
        val r = rsp[-1];
        if (IS_FIX(r) && IS_FIX(a[i])) rsp[-1] = mkint(gcd2(FIXVAL(r), FIXVAL(a[i])));
        else rsp[-1] = big_op2(BIG_GCD, r, a[i]);
    }
    return POP();
}
static val p_lcm(int argc, val *a, prim *self)
{
    A;
    for (int i = 0; i < argc; i++)
        if (!IS_EXINT(a[i])) type_error("lcm", "exact integer", a[i]);
    PUSH(MKFIX(1));
    for (int i = 0; i < argc; i++) rsp[-1] = big_op2(BIG_LCM, rsp[-1], a[i]);
    return POP();
}

static val round_op(val v, double (*fn)(double), const char *who)
{
    if (IS_EXINT(v)) return v;
    check_num(who, v);
    return mkflo(fn(FLO(v)));
}
static val p_floor(int argc, val *a, prim *self) { A; return round_op(a[0], floor, "floor"); }
static val p_ceiling(int argc, val *a, prim *self) { A; return round_op(a[0], ceil, "ceiling"); }
static val p_truncate(int argc, val *a, prim *self) { A; return round_op(a[0], trunc, "truncate"); }
static val p_round(int argc, val *a, prim *self) { A; return round_op(a[0], nearbyint, "round"); }

static val to_exact(val v, const char *who)
{
    if (IS_EXINT(v)) return v;
    check_num(who, v);
    double d = FLO(v);
    if (!isfinite(d)) lisp_error("exact: no exact representation of", 1, v);
    if (d != floor(d)) {
        /* no rationals: round to the nearest integer is wrong, so say so */
        lisp_error("exact: no exact representation (rationals are not supported) of", 1, v);
    }
    if (d >= -4.6e18 && d <= 4.6e18 && (intptr_t)d >= FIXNUM_MIN && (intptr_t)d <= FIXNUM_MAX)
        return MKFIX((intptr_t)d);
    return big_from_double(d);
}
static val p_exact(int argc, val *a, prim *self) { A; return to_exact(a[0], "exact"); }
static val p_inexact(int argc, val *a, prim *self)
{
    A;
    if (IS_FLO(a[0])) return a[0];
    check_num("inexact", a[0]);
    return mkflo(num_to_double(a[0]));
}

static val p_numberp(int argc, val *a, prim *self) { A; return BOOL(IS_NUM(a[0])); }
static val p_integerp(int argc, val *a, prim *self) { A; return BOOL(is_integer(a[0])); }
static val p_exact_integerp(int argc, val *a, prim *self) { A; return BOOL(IS_EXINT(a[0])); }
static val p_exactp(int argc, val *a, prim *self) { A; check_num("exact?", a[0]); return BOOL(IS_EXINT(a[0])); }
static val p_inexactp(int argc, val *a, prim *self) { A; check_num("inexact?", a[0]); return BOOL(IS_FLO(a[0])); }
static val p_rationalp(int argc, val *a, prim *self) { A; return BOOL(IS_EXINT(a[0]) || (IS_FLO(a[0]) && isfinite(FLO(a[0])))); }
static val p_nanp(int argc, val *a, prim *self) { A; check_num("nan?", a[0]); return BOOL(IS_FLO(a[0]) && isnan(FLO(a[0]))); }
static val p_infinitep(int argc, val *a, prim *self) { A; check_num("infinite?", a[0]); return BOOL(IS_FLO(a[0]) && isinf(FLO(a[0]))); }
static val p_finitep(int argc, val *a, prim *self) { A; check_num("finite?", a[0]); return BOOL(IS_EXINT(a[0]) || isfinite(FLO(a[0]))); }

#define EXPT_MAX_BITS 1e9 /* 125 MB of limbs */
static val p_expt(int argc, val *a, prim *self)
{
    A;
    val b = check_num("expt", a[0]), e = check_num("expt", a[1]);
    if (IS_FIX(b) && IS_FIX(e) && FIXVAL(e) >= 0) {
        intptr_t base = FIXVAL(b), n = FIXVAL(e), r = 1;
        bool overflow = false;
        while (n > 0 && !overflow) {
            if (n & 1) overflow |= __builtin_mul_overflow(r, base, &r);
            n >>= 1;
            if (n) overflow |= __builtin_mul_overflow(base, base, &base);
        }
        if (!overflow && r >= FIXNUM_MIN && r <= FIXNUM_MAX) return MKFIX(r);
    }
    if (IS_EXINT(b) && IS_FIX(e) && FIXVAL(e) >= 0) {
        /* |b|^e has about bits(b) * e bits; refuse what cannot fit in
         * memory rather than let GMP abort */
        size_t bits = big_bits(b);
        if (bits > 1 && (double)(bits - 1) * (double)FIXVAL(e) > EXPT_MAX_BITS)
            lisp_error("expt: result too large:", 2, b, e);
        return big_pow(b, (unsigned long)FIXVAL(e));
    }
    if (IS_EXINT(b) && IS_EXINT(e) && big_sign(e) > 0) {
        /* a bignum exponent: only 0, 1 and -1 have a representable power */
        if (b == MKFIX(0) || b == MKFIX(1)) return b;
        if (b == MKFIX(-1)) return big_odd(e) ? b : MKFIX(1);
        lisp_error("expt: result too large:", 2, b, e);
    }
    if (IS_EXINT(b) && IS_EXINT(e) && b != MKFIX(0)) return mkflo(pow(num_to_double(b), num_to_double(e)));
    if (IS_FIX(e) && FIXVAL(e) == 0) return MKFIX(1);
    return mkflo(pow(num_to_double(b), num_to_double(e)));
}

static val p_sqrt(int argc, val *a, prim *self)
{
    A;
    check_num("sqrt", a[0]);
    if (IS_FIX(a[0]) && FIXVAL(a[0]) >= 0) {
        intptr_t n = FIXVAL(a[0]);
        intptr_t r = (intptr_t)sqrt((double)n);
        while (r * r > n) r--;
        while ((r + 1) * (r + 1) <= n) r++;
        if (r * r == n) return MKFIX(r);
    }
    if (IS_BIG(a[0]) && big_sign(a[0]) > 0 && big_perfect_square(a[0])) {
        PUSH(FALSE);
        (void)big_sqrtrem(a[0], &rsp[-1]);
        return POP();
    }
    return mkflo(sqrt(num_to_double(a[0])));
}

static val p_exact_integer_sqrt(int argc, val *a, prim *self)
{
    A;
    if (!IS_EXINT(a[0]) || big_sign(a[0]) < 0) type_error("exact-integer-sqrt", "non-negative exact integer", a[0]);
    if (IS_BIG(a[0])) {
        PUSH(FALSE);
        PUSH(FALSE);
        rsp[-1] = big_sqrtrem(a[0], &rsp[-2]);
        val v = make_values(2, rsp - 2);
        rsp -= 2;
        return v;
    }
    intptr_t n = FIXVAL(a[0]);
    intptr_t r = (intptr_t)sqrt((double)n);
    while (r * r > n) r--;
    while ((r + 1) * (r + 1) <= n) r++;
    PUSH(MKFIX(r));
    PUSH(MKFIX(n - r * r));
    val v = make_values(2, rsp - 2);
    rsp -= 2;
    return v;
}

static val p_square(int argc, val *a, prim *self) { A; return num_mul(check_num("square", a[0]), a[0]); }

#define MATH1(fname, fn, who) \
    static val fname(int argc, val *a, prim *self) { A; check_num(who, a[0]); return mkflo(fn(num_to_double(a[0]))); }
MATH1(p_exp, exp, "exp")
MATH1(p_sin, sin, "sin")
MATH1(p_cos, cos, "cos")
MATH1(p_tan, tan, "tan")
MATH1(p_asin, asin, "asin")
MATH1(p_acos, acos, "acos")

static val p_log(int argc, val *a, prim *self)
{
    A;
    check_num("log", a[0]);
    if (argc == 2) return mkflo(log(num_to_double(a[0])) / log(num_to_double(check_num("log", a[1]))));
    if (a[0] == MKFIX(1)) return MKFIX(0);
    return mkflo(log(num_to_double(a[0])));
}
static val p_atan(int argc, val *a, prim *self)
{
    A;
    check_num("atan", a[0]);
    if (argc == 2) return mkflo(atan2(num_to_double(a[0]), num_to_double(check_num("atan", a[1]))));
    return mkflo(atan(num_to_double(a[0])));
}

static val p_numerator(int argc, val *a, prim *self) { A; return check_num("numerator", a[0]); }
static val p_denominator(int argc, val *a, prim *self) { A; check_num("denominator", a[0]); return IS_EXINT(a[0]) ? MKFIX(1) : mkflo(1.0); }

static val p_add1(int argc, val *a, prim *self) { A; return num_add(check_num("1+", a[0]), MKFIX(1)); }
static val p_sub1(int argc, val *a, prim *self) { A; return num_sub(check_num("-1+", a[0]), MKFIX(1)); }

static int radix_arg(int argc, val *a, int i, const char *who)
{
    if (argc <= i) return 10;
    if (!IS_FIX(a[i]) || (FIXVAL(a[i]) != 2 && FIXVAL(a[i]) != 8 && FIXVAL(a[i]) != 10 && FIXVAL(a[i]) != 16))
        type_error(who, "radix 2, 8, 10 or 16", a[i]);
    return (int)FIXVAL(a[i]);
}

static val p_number_to_string(int argc, val *a, prim *self)
{
    A;
    check_num("number->string", a[0]);
    int radix = radix_arg(argc, a, 1, "number->string");
    if (IS_BIG(a[0])) {
        char *s = big_to_string(a[0], radix);
        val r = mkstr_c(s); /* out of memory here leaks s: see bignum.c .tmp */
        free(s);
        return r;
    }
    char buf[128];
    return mkstr_c(num_to_string(a[0], radix, buf, sizeof buf));
}

/* Parse a number; FALSE if s is not one.  Accepts #x #b #o #d #e #i
 * prefixes, decimal fractions and exponents, +inf.0 -inf.0 +nan.0, and
 * n/d (which becomes an integer if it divides, else a flonum). */
static val parse_in(char *p, int radix);

val parse_number(const char *s, size_t len, int radix)
{
    char small[256];
    if (len == 0) return FALSE;
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) return FALSE;
    memcpy(buf, s, len);
    buf[len] = 0;
    val r = parse_in(buf, radix);
    if (buf != small) free(buf);
    return r;
}

/* p: a NUL-terminated, writable copy */
static val parse_in(char *p, int radix)
{
    int exactness = 0; /* 'e' or 'i' */
    while (p[0] == '#') {
        char c = (char)tolower((unsigned char)p[1]);
        if (c == 'x') radix = 16;
        else if (c == 'b') radix = 2;
        else if (c == 'o') radix = 8;
        else if (c == 'd') radix = 10;
        else if (c == 'e' || c == 'i') exactness = c;
        else return FALSE;
        p += 2;
    }
    if (!*p) return FALSE;
    if (!strcmp(p, "+inf.0")) return mkflo(INFINITY);
    if (!strcmp(p, "-inf.0")) return mkflo(-INFINITY);
    if (!strcmp(p, "+nan.0") || !strcmp(p, "-nan.0")) return mkflo(NAN);
    val r = FALSE;
    char *slash = strchr(p, '/');
    if (slash) {
        *slash = 0;
        if (slash[1] == '-' || slash[1] == '+') return FALSE;
        val n = parse_number(p, strlen(p), radix);
        if (!IS_EXINT(n)) return FALSE;
        PUSH(n);
        val d = parse_number(slash + 1, strlen(slash + 1), radix);
        n = POP();
        if (!IS_EXINT(d) || d == MKFIX(0)) return FALSE;
        r = num_div(n, d);
    } else {
        /* integer? */
        const char *q = p;
        if (*q == '+' || *q == '-') q++;
        if (!*q) return FALSE;
        bool digits = true;
        for (const char *t = q; *t; t++) {
            int dv = isdigit((unsigned char)*t) ? *t - '0' : isalpha((unsigned char)*t) ? tolower((unsigned char)*t) - 'a' + 10 : 99;
            if (dv >= radix) { digits = false; break; }
        }
        if (digits) {
            errno = 0;
            char *end;
            long long v = strtoll(p, &end, radix);
            if (*end == 0 && errno == 0 && v >= FIXNUM_MIN && v <= FIXNUM_MAX) r = MKFIX(v);
            else if (*end == 0) r = big_parse(q, radix, *p == '-'); /* too large: a bignum */
        } else if (radix == 10) {
            /* decimal: digits, one '.', exponent */
            bool seen_digit = false;
            const char *t = q;
            while (isdigit((unsigned char)*t)) { t++; seen_digit = true; }
            if (*t == '.') { t++; while (isdigit((unsigned char)*t)) { t++; seen_digit = true; } }
            if (!seen_digit) return FALSE;
            if (*t == 'e' || *t == 'E') {
                t++;
                if (*t == '+' || *t == '-') t++;
                if (!isdigit((unsigned char)*t)) return FALSE;
                while (isdigit((unsigned char)*t)) t++;
            }
            if (*t) return FALSE;
            r = mkflo(strtod(p, NULL));
        }
    }
    if (r == FALSE) return FALSE;
    if (exactness == 'i' && IS_EXINT(r)) return mkflo(num_to_double(r));
    if (exactness == 'e' && IS_FLO(r)) {
        double d = FLO(r);
        if (!isfinite(d) || d != floor(d)) return FALSE;
        return to_exact(r, "string->number");
    }
    return r;
}

static val p_string_to_number(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("string->number", "string", a[0]);
    int radix = radix_arg(argc, a, 1, "string->number");
    return parse_number(STR(a[0])->body, STR(a[0])->len, radix);
}

static val p_current_jiffy(int argc, val *a, prim *self)
{
    A;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return mkint((intptr_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}
static val p_jiffies_per_second(int argc, val *a, prim *self) { A; return MKFIX(1000000); }
static val p_current_second(int argc, val *a, prim *self)
{
    A;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return mkflo((double)ts.tv_sec + ts.tv_nsec / 1e9);
}
static val p_runtime(int argc, val *a, prim *self)
{
    A;
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return mkint((intptr_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static intptr_t fix_arg(const char *who, val v)
{
    if (!IS_FIX(v)) type_error(who, "exact integer", v);
    return FIXVAL(v);
}
/* Bitwise operations on exact integers of any size (two's complement, as
 * GMP's mpz_and and friends define them); fixnums stay on the fast path. */
static val bit_fold(int argc, val *a, const char *who, enum big_op op, intptr_t unit)
{
    for (int i = 0; i < argc; i++)
        if (!IS_EXINT(a[i])) type_error(who, "exact integer", a[i]);
    PUSH(MKFIX(unit));
    for (int i = 0; i < argc; i++) {
        val r = rsp[-1];
        if (IS_FIX(r) && IS_FIX(a[i])) {
            intptr_t x = FIXVAL(r), y = FIXVAL(a[i]);
            rsp[-1] = MKFIX(op == BIG_AND ? x & y : op == BIG_IOR ? x | y : x ^ y);
        } else {
            rsp[-1] = big_op2(op, r, a[i]);
        }
    }
    return POP();
}
static val p_bit_and(int argc, val *a, prim *self) { (void)self; return bit_fold(argc, a, "bitwise-and", BIG_AND, -1); }
static val p_bit_or(int argc, val *a, prim *self) { (void)self; return bit_fold(argc, a, "bitwise-or", BIG_IOR, 0); }
static val p_bit_xor(int argc, val *a, prim *self) { (void)self; return bit_fold(argc, a, "bitwise-xor", BIG_XOR, 0); }
static val p_bit_not(int argc, val *a, prim *self)
{
    A;
    if (IS_BIG(a[0])) return big_not(a[0]);
    return MKFIX(~fix_arg("bitwise-not", a[0]));
}
#define ASH_MAX_BITS 1000000000L
static val p_ash(int argc, val *a, prim *self)
{
    A;
    if (!IS_EXINT(a[0])) type_error("arithmetic-shift", "exact integer", a[0]);
    intptr_t k = fix_arg("arithmetic-shift", a[1]);
    if (IS_FIX(a[0])) {
        intptr_t n = FIXVAL(a[0]);
        if (k <= -63) return MKFIX(n < 0 ? -1 : 0);
        if (k < 0) return MKFIX(n >> -k);
        if (n == 0) return MKFIX(0);
        if (k < 62) {
            intptr_t r = (intptr_t)((uintptr_t)n << k);
            if ((r >> k) == n && r <= FIXNUM_MAX && r >= FIXNUM_MIN) return MKFIX(r);
        }
    }
    if (k > ASH_MAX_BITS) lisp_error("arithmetic-shift: result too large:", 2, a[0], a[1]);
    if (k < -ASH_MAX_BITS) return MKFIX(big_sign(a[0]) < 0 ? -1 : 0);
    return big_shift(a[0], (long)k);
}
static val p_bit_count(int argc, val *a, prim *self)
{
    A;
    intptr_t n = fix_arg("bit-count", a[0]);
    return MKFIX(__builtin_popcountll((unsigned long long)(n < 0 ? ~n : n)));
}
static val p_char_to_digit(int argc, val *a, prim *self)
{
    A;
    if (!IS_CHAR(a[0])) type_error("char->digit", "character", a[0]);
    int radix = argc > 1 ? (int)fix_arg("char->digit", a[1]) : 10;
    int c = CHARVAL(a[0]);
    int d = isdigit(c) ? c - '0' : isalpha(c) ? tolower(c) - 'a' + 10 : 99;
    return d < radix ? MKFIX(d) : FALSE;
}
static val p_digit_to_char(int argc, val *a, prim *self)
{
    A;
    intptr_t d = fix_arg("digit->char", a[0]);
    int radix = argc > 1 ? (int)fix_arg("digit->char", a[1]) : 10;
    if (d < 0 || d >= radix) return FALSE;
    return MKCHAR("0123456789abcdefghijklmnopqrstuvwxyz"[d]);
}
static val p_round_exact(int argc, val *a, prim *self) { return p_exact(1, (val[]){p_round(argc, a, self)}, self); }
static val p_floor_exact(int argc, val *a, prim *self) { return p_exact(1, (val[]){p_floor(argc, a, self)}, self); }
static val p_ceiling_exact(int argc, val *a, prim *self) { return p_exact(1, (val[]){p_ceiling(argc, a, self)}, self); }
static val p_truncate_exact(int argc, val *a, prim *self) { return p_exact(1, (val[]){p_truncate(argc, a, self)}, self); }

void prims_num_init(void)
{
    defprim("+", p_add, 0, -1);
    defprim("*", p_mul, 0, -1);
    defprim("-", p_sub, 1, -1);
    defprim("/", p_div, 1, -1);
    defprim("=", p_numeq, 1, -1);
    defprim("<", p_lt, 1, -1);
    defprim(">", p_gt, 1, -1);
    defprim("<=", p_le, 1, -1);
    defprim(">=", p_ge, 1, -1);
    defprim("zero?", p_zerop, 1, 1);
    defprim("positive?", p_positivep, 1, 1);
    defprim("negative?", p_negativep, 1, 1);
    defprim("odd?", p_oddp, 1, 1);
    defprim("even?", p_evenp, 1, 1);
    defprim("max", p_max, 1, -1);
    defprim("min", p_min, 1, -1);
    defprim("abs", p_abs, 1, 1);
    defprim("magnitude", p_abs, 1, 1);
    defprim("quotient", p_quotient, 2, 2);
    defprim("remainder", p_remainder, 2, 2);
    defprim("modulo", p_modulo, 2, 2);
    defprim("truncate-quotient", p_quotient, 2, 2);
    defprim("truncate-remainder", p_remainder, 2, 2);
    defprim("floor-remainder", p_modulo, 2, 2);
    defprim("floor-quotient", p_floor_quotient, 2, 2);
    defprim("floor/", p_floor_div, 2, 2);
    defprim("truncate/", p_truncate_div, 2, 2);
    defprim("gcd", p_gcd, 0, -1);
    defprim("lcm", p_lcm, 0, -1);
    defprim("floor", p_floor, 1, 1);
    defprim("ceiling", p_ceiling, 1, 1);
    defprim("truncate", p_truncate, 1, 1);
    defprim("round", p_round, 1, 1);
    defprim("exact", p_exact, 1, 1);
    defprim("inexact", p_inexact, 1, 1);
    defprim("inexact->exact", p_exact, 1, 1);
    defprim("exact->inexact", p_inexact, 1, 1);
    defprim("number?", p_numberp, 1, 1);
    defprim("complex?", p_numberp, 1, 1);
    defprim("real?", p_numberp, 1, 1);
    defprim("rational?", p_rationalp, 1, 1);
    defprim("integer?", p_integerp, 1, 1);
    defprim("exact-integer?", p_exact_integerp, 1, 1);
    defprim("exact-rational?", p_exact_integerp, 1, 1);
    defprim("exact?", p_exactp, 1, 1);
    defprim("inexact?", p_inexactp, 1, 1);
    defprim("nan?", p_nanp, 1, 1);
    defprim("infinite?", p_infinitep, 1, 1);
    defprim("finite?", p_finitep, 1, 1);
    defprim("expt", p_expt, 2, 2);
    defprim("sqrt", p_sqrt, 1, 1);
    defprim("exact-integer-sqrt", p_exact_integer_sqrt, 1, 1);
    defprim("square", p_square, 1, 1);
    defprim("exp", p_exp, 1, 1);
    defprim("log", p_log, 1, 2);
    defprim("sin", p_sin, 1, 1);
    defprim("cos", p_cos, 1, 1);
    defprim("tan", p_tan, 1, 1);
    defprim("asin", p_asin, 1, 1);
    defprim("acos", p_acos, 1, 1);
    defprim("atan", p_atan, 1, 2);
    defprim("numerator", p_numerator, 1, 1);
    defprim("denominator", p_denominator, 1, 1);
    defprim("1+", p_add1, 1, 1);
    defprim("-1+", p_sub1, 1, 1);
    defprim("number->string", p_number_to_string, 1, 2);
    defprim("string->number", p_string_to_number, 1, 2);
    defprim("current-jiffy", p_current_jiffy, 0, 0);
    defprim("jiffies-per-second", p_jiffies_per_second, 0, 0);
    defprim("current-second", p_current_second, 0, 0);
    defprim("runtime", p_runtime, 0, 0);
    defprim("real-time", p_runtime, 0, 0);
    defprim("bitwise-and", p_bit_and, 0, -1);
    defprim("bitwise-or", p_bit_or, 0, -1);
    defprim("bitwise-xor", p_bit_xor, 0, -1);
    defprim("bitwise-not", p_bit_not, 1, 1);
    defprim("arithmetic-shift", p_ash, 2, 2);
    defprim("logand", p_bit_and, 0, -1);
    defprim("logior", p_bit_or, 0, -1);
    defprim("logxor", p_bit_xor, 0, -1);
    defprim("lognot", p_bit_not, 1, 1);
    defprim("ash", p_ash, 2, 2);
    defprim("bit-count", p_bit_count, 1, 1);
    defprim("char->digit", p_char_to_digit, 1, 2);
    defprim("digit->char", p_digit_to_char, 1, 2);
    defprim("round->exact", p_round_exact, 1, 1);
    defprim("floor->exact", p_floor_exact, 1, 1);
    defprim("ceiling->exact", p_ceiling_exact, 1, 1);
    defprim("truncate->exact", p_truncate_exact, 1, 1);
}
