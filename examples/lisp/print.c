/* print.c — display and write.  Printing never allocates heap objects. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

/* Shortest digits that read back as d, laid out as Guile 3 does:
 * positional for 1e-3 <= |d| < 1e7 (or when all digits are significant),
 * scientific ("1.5e10", "1.0e-4") otherwise. */
static void fmt_double(double d, char *buf, size_t size)
{
    if (isnan(d)) { snprintf(buf, size, "+nan.0"); return; }
    if (isinf(d)) { snprintf(buf, size, d > 0 ? "+inf.0" : "-inf.0"); return; }
    char tmp[64];
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec, d);
        if (strtod(tmp, NULL) == d) break;
    }
    /* tmp: [-]d[.ddd]e[+-]XX */
    char digits[40];
    int nd = 0, i = 0;
    bool neg = tmp[0] == '-';
    if (neg) i++;
    for (; tmp[i] && tmp[i] != 'e'; i++)
        if (tmp[i] >= '0' && tmp[i] <= '9') digits[nd++] = tmp[i];
    int e = atoi(tmp + i + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = 0;
    int pos = e + 1; /* digits before the point */
    char *o = buf;
    size_t left = size;
#define PUT(...) do { int w = snprintf(o, left, __VA_ARGS__); if (w < 0 || (size_t)w >= left) return; o += w; left -= (size_t)w; } while (0)
    if (neg) PUT("-");
    if (d == 0) { PUT("0.0"); return; }
    if ((pos > 7 && pos > nd) || pos < -2) {
        PUT("%c.", digits[0]);
        PUT("%s", nd > 1 ? digits + 1 : "0");
        PUT("e%d", e);
    } else if (pos <= 0) {
        PUT("0.");
        for (int k = 0; k < -pos; k++) PUT("0");
        PUT("%s", digits);
    } else if (pos >= nd) {
        PUT("%s", digits);
        for (int k = 0; k < pos - nd; k++) PUT("0");
        PUT(".0");
    } else {
        PUT("%.*s.%s", pos, digits, digits + pos);
    }
#undef PUT
}

char *num_to_string(val n, int radix, char *buf, size_t size)
{
    if (IS_FIX(n)) {
        intptr_t v = FIXVAL(n);
        if (radix == 10) { snprintf(buf, size, "%ld", (long)v); return buf; }
        char tmp[80];
        int i = 79;
        tmp[i] = 0;
        uintptr_t u = v < 0 ? (uintptr_t)(-v) : (uintptr_t)v;
        do { tmp[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[u % (unsigned)radix]; u /= (unsigned)radix; } while (u);
        if (v < 0) tmp[--i] = '-';
        snprintf(buf, size, "%s", tmp + i);
        return buf;
    }
    fmt_double(FLO(n), buf, size);
    return buf;
}

static void write_char(val port, int c)
{
    const char *name = NULL;
    switch (c) {
    case ' ': name = "space"; break;
    case '\n': name = "newline"; break;
    case '\t': name = "tab"; break;
    case '\r': name = "return"; break;
    case 0: name = "null"; break;
    case 7: name = "alarm"; break;
    case 8: name = "backspace"; break;
    case 127: name = "delete"; break;
    case 27: name = "escape"; break;
    }
    port_puts(port, "#\\");
    if (name) { port_puts(port, name); return; }
    char buf[16];
    if (c < 32) { snprintf(buf, sizeof buf, "x%x", c); port_puts(port, buf); return; }
    if (c < 128) { port_putc(port, c); return; }
    /* UTF-8 */
    if (c < 0x800) { buf[0] = (char)(0xC0 | (c >> 6)); buf[1] = (char)(0x80 | (c & 63)); buf[2] = 0; }
    else if (c < 0x10000) { buf[0] = (char)(0xE0 | (c >> 12)); buf[1] = (char)(0x80 | ((c >> 6) & 63)); buf[2] = (char)(0x80 | (c & 63)); buf[3] = 0; }
    else { buf[0] = (char)(0xF0 | (c >> 18)); buf[1] = (char)(0x80 | ((c >> 12) & 63)); buf[2] = (char)(0x80 | ((c >> 6) & 63)); buf[3] = (char)(0x80 | (c & 63)); buf[4] = 0; }
    port_puts(port, buf);
}

void put_char_utf8(val port, int c)
{
    char buf[8];
    if (c < 0x80) { port_putc(port, c); return; }
    if (c < 0x800) { buf[0] = (char)(0xC0 | (c >> 6)); buf[1] = (char)(0x80 | (c & 63)); buf[2] = 0; }
    else if (c < 0x10000) { buf[0] = (char)(0xE0 | (c >> 12)); buf[1] = (char)(0x80 | ((c >> 6) & 63)); buf[2] = (char)(0x80 | (c & 63)); buf[3] = 0; }
    else { buf[0] = (char)(0xF0 | (c >> 18)); buf[1] = (char)(0x80 | ((c >> 12) & 63)); buf[2] = (char)(0x80 | ((c >> 6) & 63)); buf[3] = (char)(0x80 | (c & 63)); buf[4] = 0; }
    port_puts(port, buf);
}

static void write_string(val port, val s)
{
    string *p = STR(s);
    port_putc(port, '"');
    for (size_t i = 0; i < p->len; i++) {
        unsigned char c = (unsigned char)p->body[i];
        switch (c) {
        case '"': port_puts(port, "\\\""); break;
        case '\\': port_puts(port, "\\\\"); break;
        case '\n': port_puts(port, "\\n"); break;
        case '\t': port_puts(port, "\\t"); break;
        case '\r': port_puts(port, "\\r"); break;
        default:
            if (c < 32 || c == 127) {
                char b[16];
                snprintf(b, sizeof b, "\\x%x;", c);
                port_puts(port, b);
            } else port_putc(port, c);
        }
    }
    port_putc(port, '"');
}

static bool symbol_needs_bars(symbol *y)
{
    if (y->len == 0) return true;
    for (uint32_t i = 0; i < y->len; i++) {
        unsigned char c = (unsigned char)y->name[i];
        if (c <= ' ' || c == '(' || c == ')' || c == '"' || c == ';' || c == '\'' || c == '|' || c == '`' || c == ',')
            return true;
    }
    if (parse_number(y->name, y->len, 10) != FALSE) return true;
    if (y->len == 1 && y->name[0] == '.') return true;
    if (y->name[0] == '#') return true;
    return false;
}

/* |name| with '|' and '\\' escaped and control characters as \xHH;, which
 * read.c reads back as the same symbol. */
static void write_barred(val port, symbol *y)
{
    port_putc(port, '|');
    for (uint32_t i = 0; i < y->len; i++) {
        unsigned char c = (unsigned char)y->name[i];
        if (c == '|' || c == '\\') {
            port_putc(port, '\\');
            port_putc(port, (char)c);
        } else if (c < ' ' || c == 127) {
            char e[8];
            snprintf(e, sizeof e, "\\x%X;", c);
            port_puts(port, e);
        } else
            port_putc(port, (char)c);
    }
    port_putc(port, '|');
}

/* ---------------------------------------------------------------- cycles
 *
 * write and display label the pairs and vectors that are part of a cycle,
 * as R7RS asks ("#0=(1 2 . #0#)", Guile's layout): a first pass finds the
 * objects reached again while they are still being scanned; the printer
 * gives each a number when it first prints it.  Printing never allocates
 * heap objects, so the table (malloc'd, keyed by address) stays valid.
 */
enum { ST_ACTIVE = 1, ST_DONE = 2 };
struct cyc_entry { val key; int state; int label; }; /* label: -1 none, -2 wanted, >= 0 */
static struct cyc_entry *cyc;
static size_t cyc_cap, cyc_n;
static int cyc_next_label;
static bool cyc_any;

static struct cyc_entry *cyc_find(val k, bool insert)
{
    if (insert && (cyc_n + 1) * 2 > cyc_cap) {
        size_t nc = cyc_cap ? cyc_cap * 2 : 256;
        struct cyc_entry *n = calloc(nc, sizeof *n);
        if (!n) return NULL;
        for (size_t i = 0; i < cyc_cap; i++) {
            if (!cyc[i].key) continue;
            size_t j = (cyc[i].key >> 4) * 0x9E3779B97F4A7C15ull >> 20 & (nc - 1);
            while (n[j].key) j = (j + 1) & (nc - 1);
            n[j] = cyc[i];
        }
        free(cyc);
        cyc = n;
        cyc_cap = nc;
    }
    if (!cyc_cap) return NULL;
    size_t j = (k >> 4) * 0x9E3779B97F4A7C15ull >> 20 & (cyc_cap - 1);
    while (cyc[j].key) {
        if (cyc[j].key == k) return &cyc[j];
        j = (j + 1) & (cyc_cap - 1);
    }
    if (!insert) return NULL;
    cyc[j].key = k;
    cyc[j].state = 0;
    cyc[j].label = -1;
    cyc_n++;
    return &cyc[j];
}

static void cyc_scan(val v)
{
    size_t mark = 0, cap = 0;
    val *chain = NULL;
    while (IS_PAIR(v) || IS_VEC(v)) {
        struct cyc_entry *e = cyc_find(v, false);
        if (e) {
            if (e->state == ST_ACTIVE) { e->label = -2; cyc_any = true; }
            break;
        }
        e = cyc_find(v, true);
        if (!e) break;
        e->state = ST_ACTIVE;
        if (mark == cap) {
            cap = cap ? cap * 2 : 16;
            val *c = realloc(chain, cap * sizeof(val));
            if (!c) break;
            chain = c;
        }
        chain[mark++] = v;
        if (IS_VEC(v)) {
            for (size_t i = 0; i < VEC(v)->len; i++) cyc_scan(VEC(v)->v[i]);
            break;
        }
        cyc_scan(CAR(v));
        v = CDR(v);
    }
    for (size_t i = 0; i < mark; i++) cyc_find(chain[i], false)->state = ST_DONE;
    free(chain);
}

static bool has_label(val v)
{
    if (!cyc_any) return false;
    struct cyc_entry *e = cyc_find(v, false);
    return e && e->label != -1;
}

/* Print "#n=" before a labelled object's first appearance; print "#n#" and
 * return true for a later one. */
static bool label_prefix(val port, val v)
{
    if (!cyc_any) return false;
    struct cyc_entry *e = cyc_find(v, false);
    if (!e || e->label == -1) return false;
    char buf[32];
    if (e->label >= 0) {
        snprintf(buf, sizeof buf, "#%d#", e->label);
        port_puts(port, buf);
        return true;
    }
    e->label = cyc_next_label++;
    snprintf(buf, sizeof buf, "#%d=", e->label);
    port_puts(port, buf);
    return false;
}

static void print_obj(val port, val v, bool write);

void lisp_print(val port, val v, bool write)
{
    if (!IS_PAIR(v) && !IS_VEC(v)) {
        print_obj(port, v, write);
        return;
    }
    /* not reentrant: print_obj never calls back into Lisp */
    cyc_n = 0;
    cyc_next_label = 0;
    cyc_any = false;
    if (cyc_cap) memset(cyc, 0, cyc_cap * sizeof *cyc);
    cyc_scan(v);
    print_obj(port, v, write);
    if (cyc_cap > 65536) {
        free(cyc);
        cyc = NULL;
        cyc_cap = 0;
    }
    cyc_any = false;
}

static void print_obj(val port, val v, bool write)
{
    char buf[128];
    if (IS_FIX(v)) { port_puts(port, num_to_string(v, 10, buf, sizeof buf)); return; }
    if (IS_CHAR(v)) {
        if (write) write_char(port, CHARVAL(v));
        else put_char_utf8(port, CHARVAL(v));
        return;
    }
    if (!IS_PTR(v)) {
        const char *s = "#<special>";
        if (v == FALSE) s = "#f";
        else if (v == TRUE) s = "#t";
        else if (v == NIL) s = "()";
        else if (v == UNSPEC) s = "";
        else if (v == EOFV) s = "#<eof>";
        else if (v == UNBOUND) s = "#<unbound>";
        else if (v == DEFAULTV) s = "#<default>";
        port_puts(port, s);
        return;
    }
    if (v == 0) { port_puts(port, "#<null>"); return; }
    switch (KIND(v)) {
    case K_FLONUM: port_puts(port, num_to_string(v, 10, buf, sizeof buf)); return;
    case K_BIGNUM: {
        char *s = big_to_string(v, 10);
        port_puts(port, s);
        free(s);
        return;
    }
    case K_STRING:
        if (write) write_string(port, v);
        else port_write(port, STR(v)->body, STR(v)->len);
        return;
    case K_SYMBOL:
        if (write && symbol_needs_bars(SYM(v))) write_barred(port, SYM(v));
        else port_write(port, SYM(v)->name, SYM(v)->len);
        return;
    case K_PAIR: {
        /* (quote x) is printed as a list, as Guile and Chibi do */
        if (label_prefix(port, v)) return;
        port_putc(port, '(');
        print_obj(port, CAR(v), write);
        v = CDR(v);
        while (IS_PAIR(v) && !has_label(v)) {
            port_putc(port, ' ');
            print_obj(port, CAR(v), write);
            v = CDR(v);
        }
        if (v != NIL) {
            port_puts(port, " . ");
            print_obj(port, v, write);
        }
        port_putc(port, ')');
        return;
    }
    case K_VECTOR: {
        if (label_prefix(port, v)) return;
        vector *vec = VEC(v);
        port_puts(port, "#(");
        for (size_t i = 0; i < vec->len; i++) {
            if (i) port_putc(port, ' ');
            print_obj(port, vec->v[i], write);
        }
        port_putc(port, ')');
        return;
    }
    case K_CLOSURE: {
        val name = ((closure *)v)->code->name;
        port_puts(port, "#<procedure");
        if (IS_SYM(name)) { port_putc(port, ' '); port_write(port, SYM(name)->name, SYM(name)->len); }
        port_putc(port, '>');
        return;
    }
    case K_PRIM:
        port_puts(port, "#<procedure ");
        port_puts(port, ((prim *)v)->name);
        port_putc(port, '>');
        return;
    case K_CONT: port_puts(port, "#<continuation>"); return;
    case K_RECORD: {
        record *r = (record *)v;
        rtd *t = (rtd *)r->rtd;
        port_puts(port, "#<");
        print_obj(port, t->name, false);
        val f = t->fields;
        for (uint32_t i = 0; i < r->h.aux && IS_PAIR(f); i++, f = CDR(f)) {
            port_putc(port, ' ');
            print_obj(port, CAR(f), false);
            port_putc(port, '=');
            print_obj(port, r->field[i], true);
        }
        port_putc(port, '>');
        return;
    }
    case K_RTD:
        port_puts(port, "#<record-type ");
        print_obj(port, ((rtd *)v)->name, false);
        port_putc(port, '>');
        return;
    case K_PROMISE: port_puts(port, "#<promise>"); return;
    case K_VALUES: {
        values *vs = (values *)v;
        for (uint32_t i = 0; i < vs->h.aux; i++) {
            if (i) port_putc(port, ' ');
            print_obj(port, vs->v[i], write);
        }
        return;
    }
    case K_PORT: port_puts(port, "#<port>"); return;
    case K_FRAME: port_puts(port, "#<frame>"); return;
    }
    port_puts(port, "#<unknown>");
}
