/* bignum.c — exact integers beyond the fixnum range, on GMP.
 *
 * .norm   An exact integer is a fixnum when it fits in 62 bits and a bignum
 *         (struct bignum, lisp.h) only when it does not.  Every result
 *         goes through big_result(), which keeps .norm; so two exact
 *         integers are equal exactly when both are the same fixnum or both
 *         are bignums with mpz_cmp == 0, and a bignum is never zero.
 *
 * .limbs  A bignum owns its limbs, which GMP malloc'd.  The kind's
 *         finalizer (obj.c, final_bignum) frees them.
 *         - gull: the object reports the limb bytes with
 *           gull_set_native_size (lgc_set_native_size), so a program that
 *           churns through large bignums drives collections by their real
 *           size, and gull drops the count when the object dies.
 *         - Boehm: lgc_alloc registers the same finalizer
 *           (GC_REGISTER_FINALIZER_NO_ORDER), as for strings.  The other
 *           choice, GC-allocated limbs through mp_set_memory_functions,
 *           would let Boehm see the limb bytes, but it switches GMP's
 *           allocator for the whole process, needs the bignum header to be
 *           scanned (not atomic: a kind layout that differs between the
 *           backends) and makes every GMP temporary a collected object.  We
 *           keep one layout and one ownership rule for both backends; the
 *           price is that Boehm does not count limb memory towards its
 *           collection trigger (only the 32-byte headers) and that each
 *           bignum costs a finalizer registration.
 *
 * .view   Operands are read through read-only views (view()): a bignum's
 *         own mpz, or for a fixnum an mpz over one limb in the caller's
 *         struct zview.  A view is valid while the operand is reachable
 *         (arguments are on the root stack) and no allocation runs: every
 *         operation reads its operands before it allocates its result.
 *
 * .tmp    Results are computed into a C-local mpz_t (malloc'd limbs,
 *         invisible to both collectors, unaffected by a collection) and
 *         moved into a new object by big_result().  Nothing between
 *         mpz_init and big_result may raise a Scheme error (the longjmp
 *         would leak the limbs): callers check their arguments first.
 */
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

_Static_assert(sizeof(mp_limb_t) >= sizeof(intptr_t), "a fixnum fits one limb");

struct zview { mpz_t z; mp_limb_t limb; };

static mpz_srcptr view(struct zview *v, val x)
{
    if (IS_BIG(x)) return BIG(x)->z;
    intptr_t n = FIXVAL(x);
    v->limb = n < 0 ? -(mp_limb_t)n : (mp_limb_t)n;
    return mpz_roinit_n(v->z, &v->limb, n < 0 ? -1 : n > 0);
}

/* Take ownership of t (initialized) and return its value, normalized
 * (.norm).  t is cleared or moved; the caller must not touch it again. */
val big_result(mpz_ptr t)
{
    if (mpz_fits_slong_p(t)) {
        long n = mpz_get_si(t);
        if (n >= FIXNUM_MIN && n <= FIXNUM_MAX) {
            mpz_clear(t);
            return MKFIX(n);
        }
    }
    bignum *b = lgc_alloc(K_BIGNUM, sizeof *b);
    if (!b) {
        mpz_clear(t);
        lisp_out_of_memory(sizeof *b);
    }
    b->h.kind = K_BIGNUM;
    *b->z = *t; /* move: the object owns the limbs from here on */
    /* _mp_alloc is the allocated limb count (gmp.h documents the fields
     * in "Integer Internals"); mpz_size would miss any slack. */
    lgc_set_native_size(b, (size_t)b->z->_mp_alloc * sizeof(mp_limb_t));
    return (val)b;
}

void big_finalize(void *obj)
{
    bignum *b = obj;
    /* an object allocated but never filled (out of memory in between)
     * holds zeros: nothing to free */
    if (b->z->_mp_d) mpz_clear(b->z);
    b->z->_mp_d = NULL;
}

val big_from_long(long n)
{
    mpz_t t;
    mpz_init_set_si(t, n);
    return big_result(t);
}

val big_from_double(double d)
{
    mpz_t t;
    mpz_init_set_d(t, d); /* d is finite and integral: exact */
    return big_result(t);
}

/* Correctly rounded (mpz_get_d truncates): below 2^53 the value is exact,
 * above it strtod rounds the decimal digits to nearest. */
double big_to_double(val x)
{
    struct zview v;
    mpz_srcptr z = view(&v, x);
    if (mpz_sizeinbase(z, 2) <= 53) return mpz_get_d(z);
    char *s = mpz_get_str(NULL, 10, z);
    double d = strtod(s, NULL);
    free(s);
    return d;
}

val big_op2(enum big_op op, val a, val b)
{
    struct zview va, vb;
    mpz_srcptr x = view(&va, a), y = view(&vb, b);
    mpz_t r;
    mpz_init(r);
    switch (op) {
    case BIG_ADD: mpz_add(r, x, y); break;
    case BIG_SUB: mpz_sub(r, x, y); break;
    case BIG_MUL: mpz_mul(r, x, y); break;
    case BIG_QUO: mpz_tdiv_q(r, x, y); break;
    case BIG_REM: mpz_tdiv_r(r, x, y); break;
    case BIG_MOD: mpz_fdiv_r(r, x, y); break;
    case BIG_GCD: mpz_gcd(r, x, y); break;
    case BIG_LCM: mpz_lcm(r, x, y); break;
    case BIG_AND: mpz_and(r, x, y); break;
    case BIG_IOR: mpz_ior(r, x, y); break;
    case BIG_XOR: mpz_xor(r, x, y); break;
    }
    return big_result(r);
}

val big_neg(val a)
{
    struct zview va;
    mpz_t r;
    mpz_init(r);
    mpz_neg(r, view(&va, a));
    return big_result(r);
}

val big_not(val a)
{
    struct zview va;
    mpz_t r;
    mpz_init(r);
    mpz_com(r, view(&va, a));
    return big_result(r);
}

/* a * 2^k for k >= 0, floor(a / 2^-k) for k < 0 (arithmetic shift) */
val big_shift(val a, long k)
{
    struct zview va;
    mpz_t r;
    mpz_init(r);
    if (k >= 0) mpz_mul_2exp(r, view(&va, a), (mp_bitcnt_t)k);
    else mpz_fdiv_q_2exp(r, view(&va, a), (mp_bitcnt_t)-k);
    return big_result(r);
}

val big_pow(val base, unsigned long e)
{
    struct zview vb;
    mpz_t r;
    mpz_init(r);
    mpz_pow_ui(r, view(&vb, base), e);
    return big_result(r);
}

/* Bits of |a|: a cheap bound for the size of a power. */
size_t big_bits(val a)
{
    struct zview va;
    return mpz_sizeinbase(view(&va, a), 2);
}

int big_cmp(val a, val b)
{
    struct zview va, vb;
    int c = mpz_cmp(view(&va, a), view(&vb, b));
    return (c > 0) - (c < 0);
}

/* Exact comparison with a flonum that is not a NaN (mpz_cmp_d takes
 * infinities). */
int big_cmp_double(val a, double d)
{
    struct zview va;
    int c = mpz_cmp_d(view(&va, a), d);
    return (c > 0) - (c < 0);
}

int big_sign(val a)
{
    struct zview va;
    return mpz_sgn(view(&va, a));
}

bool big_odd(val a)
{
    struct zview va;
    return mpz_odd_p(view(&va, a));
}

bool big_divides(val d, val n)
{
    struct zview vd, vn;
    return mpz_divisible_p(view(&vn, n), view(&vd, d));
}

/* exact-integer-sqrt of a >= 0: returns the rest and stores the root in
 * root_slot, which must be a root-stack slot (allocating the rest's object
 * may collect, and the root must survive it). */
val big_sqrtrem(val a, val *root_slot)
{
    struct zview va;
    mpz_t s, r;
    mpz_init(s);
    mpz_init(r);
    mpz_sqrtrem(s, r, view(&va, a));
    /* r is a C-local mpz (.tmp): the allocation of s's object cannot free
     * it (it leaks only if that allocation fails) */
    *root_slot = big_result(s);
    return big_result(r);
}

bool big_perfect_square(val a)
{
    struct zview va;
    return mpz_perfect_square_p(view(&va, a));
}

/* Digits in radix 2..36, malloc'd (free it). */
char *big_to_string(val a, int radix)
{
    struct zview va;
    return mpz_get_str(NULL, radix, view(&va, a));
}

/* digits: only digits valid in radix, at least one, no sign. */
val big_parse(const char *digits, int radix, bool negative)
{
    mpz_t t;
    if (mpz_init_set_str(t, digits, radix) != 0) {
        mpz_clear(t);
        return FALSE;
    }
    if (negative) mpz_neg(t, t);
    return big_result(t);
}

bool big_eqv(val a, val b) { return big_cmp(a, b) == 0; }
