/* macro.c — syntax-rules, non-hygienic.
 *
 * A macro is its (syntax-rules ...) form, stored in the symbol's macro
 * field.  Expansion matches the form against each pattern in turn; pattern
 * variables are bound in an association list of entries (var depth . value),
 * where a variable under n ellipses has depth n and its value is a list of
 * depth n-1 values.  The template is then instantiated from the bindings.
 * Symbols the template introduces are inserted as they are (no renaming):
 * a template that binds a temporary can capture a user variable of the same
 * name.  Everything built is kept on the root stack while more is built.
 */
#include <string.h>

#include "eval.h"

static val ellipsis_sym;

static bool is_literal(val s, val literals)
{
    for (val l = literals; IS_PAIR(l); l = CDR(l))
        if (CAR(l) == s) return true;
    return false;
}

static val assq_entry(val var, val binds)
{
    for (val l = binds; IS_PAIR(l); l = CDR(l))
        if (CAR(CAR(l)) == var) return CAR(l);
    return FALSE;
}

/* pattern variables of p, consed onto acc (acc is at *slot) */
static void pattern_vars(val p, val literals, val *slot)
{
    if (IS_SYM(p)) {
        if (p != ellipsis_sym && p != S_underscore && !is_literal(p, literals)) *slot = cons(p, *slot);
    } else if (IS_PAIR(p)) {
        pattern_vars(CAR(p), literals, slot);
        pattern_vars(CDR(p), literals, slot);
    } else if (IS_VEC(p)) {
        for (size_t i = 0; i < VEC(p)->len; i++) pattern_vars(VEC(p)->v[i], literals, slot);
    }
}

static val vec_to_list(val v)
{
    val *base = rsp;
    PUSH(v);
    PUSH(NIL);
    for (size_t i = VEC(v)->len; i-- > 0;) base[1] = cons(VEC(base[0])->v[i], base[1]);
    val r = base[1];
    rsp = base;
    return r;
}

/* match pattern p against form f, adding bindings to *binds (a root slot) */
static bool match(val p, val f, val literals, val *binds)
{
    if (IS_SYM(p)) {
        if (p == S_underscore) return true;
        if (is_literal(p, literals)) return f == p;
        val *base = rsp;
        PUSH(cons(MKFIX(0), f));
        base[0] = cons(p, base[0]);
        *binds = cons(base[0], *binds);
        rsp = base;
        return true;
    }
    if (IS_PAIR(p)) {
        if (IS_PAIR(CDR(p)) && CAR(CDR(p)) == ellipsis_sym) {
            val tail = CDR(CDR(p));
            intptr_t min_after = 0;
            for (val t = tail; IS_PAIR(t); t = CDR(t)) min_after++;
            intptr_t avail = 0;
            for (val t = f; IS_PAIR(t); t = CDR(t)) avail++;
            intptr_t n = avail - min_after;
            if (n < 0) return false;
            val *base = rsp;
            PUSH(p);
            PUSH(f);
            PUSH(NIL); /* 2: per-iteration binding lists, reversed */
            PUSH(NIL); /* 3: scratch */
            val item = f;
            for (intptr_t i = 0; i < n; i++, item = CDR(item)) {
                PUSH(item);
                base[3] = NIL;
                if (!match(CAR(base[0]), CAR(item), literals, &base[3])) { rsp = base; return false; }
                base[2] = cons(base[3], base[2]);
                item = POP();
            }
            /* 4: vars of the sub-pattern */
            PUSH(NIL);
            pattern_vars(CAR(base[0]), literals, &base[4]);
            for (val vs = base[4]; IS_PAIR(vs); vs = CDR(vs)) {
                val *vb = rsp;
                PUSH(vs);
                PUSH(NIL); /* values: the iterations are reversed, consing restores the order */
                intptr_t depth = 0;
                for (val it = base[2]; IS_PAIR(it); it = CDR(it)) {
                    val e = assq_entry(CAR(vb[0]), CAR(it));
                    if (e == FALSE) continue;
                    depth = FIXVAL(CAR(CDR(e)));
                    PUSH(it);
                    vb[1] = cons(CDR(CDR(e)), vb[1]);
                    it = POP();
                }
                vb[1] = cons(MKFIX(depth + 1), vb[1]);
                vb[1] = cons(CAR(vb[0]), vb[1]);
                *binds = cons(vb[1], *binds);
                vs = vb[0];
                rsp = vb;
            }
            val rest = base[1];
            for (intptr_t i = 0; i < n; i++) rest = CDR(rest);
            bool ok = match(CDR(CDR(base[0])), rest, literals, binds);
            rsp = base;
            return ok;
        }
        if (!IS_PAIR(f)) return false;
        val *base = rsp;
        PUSH(p);
        PUSH(f);
        bool ok = match(CAR(p), CAR(f), literals, binds) && match(CDR(base[0]), CDR(base[1]), literals, binds);
        rsp = base;
        return ok;
    }
    if (p == NIL) return f == NIL;
    if (IS_VEC(p)) {
        if (!IS_VEC(f)) return false;
        val *base = rsp;
        PUSH(vec_to_list(p));
        PUSH(vec_to_list(f));
        bool ok = match(base[0], base[1], literals, binds);
        rsp = base;
        return ok;
    }
    return equal(p, f);
}

/* template variables of t that are bound at depth >= 1 */
static void ellipsis_vars(val t, val binds, val *slot)
{
    if (IS_SYM(t)) {
        val e = assq_entry(t, binds);
        if (e != FALSE && FIXVAL(CAR(CDR(e))) >= 1) *slot = cons(t, *slot);
    } else if (IS_PAIR(t)) {
        ellipsis_vars(CAR(t), binds, slot);
        ellipsis_vars(CDR(t), binds, slot);
    } else if (IS_VEC(t)) {
        for (size_t i = 0; i < VEC(t)->len; i++) ellipsis_vars(VEC(t)->v[i], binds, slot);
    }
}

static val instantiate(val t, val binds, bool escape);

static val instantiate(val t, val binds, bool escape)
{
    if (IS_SYM(t)) {
        val e = assq_entry(t, binds);
        if (e == FALSE) return t;
        if (FIXVAL(CAR(CDR(e))) != 0) lisp_error("syntax-rules: pattern variable used without ellipsis:", 1, t);
        return CDR(CDR(e));
    }
    if (IS_VEC(t)) {
        val *base = rsp;
        PUSH(vec_to_list(t));
        PUSH(instantiate(base[0], binds, escape));
        intptr_t n = list_length(base[1]);
        val v = mkvec((size_t)n, FALSE);
        val l = base[1];
        for (intptr_t i = 0; i < n; i++, l = CDR(l)) SET(v, VEC(v)->v[i], CAR(l));
        rsp = base;
        return v;
    }
    if (!IS_PAIR(t)) return t;
    if (!escape && CAR(t) == ellipsis_sym && IS_PAIR(CDR(t))) return instantiate(CAR(CDR(t)), binds, true);
    val *base = rsp;
    PUSH(t);
    PUSH(binds);
    if (!escape && IS_PAIR(CDR(t)) && CAR(CDR(t)) == ellipsis_sym) {
        /* sub ... [...]: count extra ellipses */
        val after = CDR(CDR(t));
        int extra = 0;
        while (IS_PAIR(after) && CAR(after) == ellipsis_sym) { extra++; after = CDR(after); }
        PUSH(NIL); /* 2: vars */
        ellipsis_vars(CAR(t), binds, &base[2]);
        if (base[2] == NIL) lisp_error("syntax-rules: no pattern variable before ellipsis in template", 1, t);
        PUSH(NIL); /* 3: results, reversed */
        /* iteration count: the shortest list among the vars */
        intptr_t n = -1;
        for (val vs = base[2]; IS_PAIR(vs); vs = CDR(vs)) {
            intptr_t k = list_length(CDR(CDR(assq_entry(CAR(vs), binds))));
            if (n < 0 || k < n) n = k;
        }
        for (intptr_t i = 0; i < n; i++) {
            val *it = rsp;
            PUSH(base[1]); /* binds for this iteration */
            for (val vs = base[2]; IS_PAIR(vs); vs = CDR(vs)) {
                PUSH(vs);
                val e = assq_entry(CAR(vs), base[1]);
                val l = CDR(CDR(e));
                for (intptr_t j = 0; j < i; j++) l = CDR(l);
                val ne = cons(MKFIX(FIXVAL(CAR(CDR(e))) - 1), CAR(l));
                ne = cons(CAR(rsp[-1]), ne);
                it[0] = cons(ne, it[0]);
                vs = POP();
            }
            val r;
            if (extra > 0) {
                /* sub ... ...: each iteration instantiates (sub ...) and is spliced */
                PUSH(NIL);
                for (int k = 0; k < extra; k++) rsp[-1] = cons(ellipsis_sym, rsp[-1]);
                rsp[-1] = cons(CAR(base[0]), rsp[-1]);
                r = instantiate(rsp[-1], it[0], false);
            } else {
                r = instantiate(CAR(base[0]), it[0], false);
            }
            if (extra > 0) {
                /* x ... ...: splice one more level */
                PUSH(r);
                for (val l = r; IS_PAIR(l); l = CDR(l)) {
                    PUSH(l);
                    base[3] = cons(CAR(l), base[3]);
                    l = POP();
                }
            } else {
                base[3] = cons(r, base[3]);
            }
            rsp = it;
        }
        val after2 = CDR(CDR(base[0]));
        for (int k = 0; k < extra; k++) after2 = CDR(after2);
        PUSH(instantiate(after2, base[1], false));
        val r = rsp[-1];
        for (val l = base[3]; IS_PAIR(l); l = CDR(l)) {
            PUSH(l);
            r = cons(CAR(l), rsp[-2]);
            rsp[-2] = r;
            l = POP();
        }
        rsp = base;
        return r;
    }
    PUSH(instantiate(CAR(t), binds, escape));
    val d = instantiate(CDR(base[0]), base[1], escape);
    val r = cons(base[2], d);
    rsp = base;
    return r;
}

val macro_expand(val spec, val form)
{
    /* spec = (syntax-rules [ellipsis] (literals...) (pattern template)...) */
    val *base = rsp;
    PUSH(spec);
    PUSH(form);
    PUSH(NIL); /* 2: bindings */
    val saved_ellipsis = ellipsis_sym;
    ellipsis_sym = S_ellipsis;
    val rest = CDR(spec);
    if (IS_SYM(CAR(rest))) { ellipsis_sym = CAR(rest); rest = CDR(rest); }
    val literals = CAR(rest);
    for (val rules = CDR(rest); IS_PAIR(rules); rules = CDR(rules)) {
        val rule = CAR(rules);
        if (!IS_PAIR(rule) || !IS_PAIR(CDR(rule))) lisp_error("syntax-rules: bad rule", 1, rule);
        base[2] = NIL;
        /* the macro keyword position is ignored */
        if (IS_PAIR(CAR(rule)) && match(CDR(CAR(rule)), CDR(base[1]), literals, &base[2])) {
            val r = instantiate(CAR(CDR(rule)), base[2], false);
            ellipsis_sym = saved_ellipsis;
            rsp = base;
            return r;
        }
    }
    ellipsis_sym = saved_ellipsis;
    lisp_error("no syntax-rules pattern matches:", 1, base[1]);
}
