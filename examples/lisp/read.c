/* read.c — ports as byte streams, and the reader.
 *
 * The reader keeps everything it has built on the root stack until the
 * datum is complete, so a collection in the middle of a long list loses
 * nothing.  Errors name the port (file), line and column of the problem.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lisp.h"

val stdout_port, stdin_port, stderr_port;

#define PORT(v) ((port *)(v))

int port_getc(val pv)
{
    port *p = PORT(pv);
    int c;
    if (p->h.aux & PORT_STRING) c = p->pos < p->len ? (unsigned char)p->buf[p->pos++] : EOF;
    else if (p->h.aux & PORT_EDIT) c = p->pos < p->len || term_refill(p) ? (unsigned char)p->buf[p->pos++] : EOF;
    else if (p->nunget) c = p->unget[--p->nunget];
    else c = p->fp ? getc(p->fp) : EOF;
    if (c == '\n') { p->line++; p->col = 0; }
    else if (c != EOF) p->col++;
    return c;
}

void port_ungetc(val pv, int c)
{
    port *p = PORT(pv);
    if (c == EOF) return;
    if (c == '\n') p->line--;
    else p->col--;
    if (p->h.aux & (PORT_STRING | PORT_EDIT)) p->pos--;
    else if (p->nunget < 4) p->unget[p->nunget++] = c;
}

int port_peekc(val pv)
{
    port *p = PORT(pv);
    if (p->h.aux & PORT_STRING) return p->pos < p->len ? (unsigned char)p->buf[p->pos] : EOF;
    if (p->h.aux & PORT_EDIT) return p->pos < p->len || term_refill(p) ? (unsigned char)p->buf[p->pos] : EOF;
    if (p->nunget) return p->unget[p->nunget - 1];
    if (!p->fp) return EOF;
    int c = getc(p->fp);
    if (c != EOF) p->unget[p->nunget++] = c;
    return c;
}

void port_write(val pv, const char *s, size_t n)
{
    port *p = PORT(pv);
    if (p->h.aux & PORT_STRING) {
        if (p->len + n + 1 > p->cap) {
            size_t nc = p->cap ? p->cap : 64;
            while (nc < p->len + n + 1) nc *= 2;
            char *b = realloc(p->buf, nc);
            if (!b) lisp_error("out of memory for a string port", 0);
            p->buf = b;
            p->cap = nc;
        }
        memcpy(p->buf + p->len, s, n);
        p->len += n;
        p->buf[p->len] = 0;
    } else if (p->fp) {
        fwrite(s, 1, n, p->fp);
    }
}

void port_putc(val pv, int c)
{
    char ch = (char)c;
    port_write(pv, &ch, 1);
}

void port_puts(val pv, const char *s) { port_write(pv, s, strlen(s)); }

/* ---------------------------------------------------------------- reader */

static void read_error(val pv, const char *fmt, ...) __attribute__((noreturn));
static void read_error(val pv, const char *fmt, ...)
{
    port *p = PORT(pv);
    char msg[512], full[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s:%d:%d: read error: %s", p->name, p->line, p->col, msg);
    lisp_error(full, 0);
}

static bool is_delim(int c)
{
    return c == EOF || isspace(c) || c == '(' || c == ')' || c == '[' || c == ']' ||
           c == '"' || c == ';' || c == '\'' || c == '`' || c == ',';
}

static val read_datum(val p, int depth);
static val CLOSE_MARK = SPECIAL(100), DOT_MARK = SPECIAL(101);

static void skip_ws(val p)
{
    for (;;) {
        int c = port_peekc(p);
        if (c == EOF) return;
        if (isspace(c)) { port_getc(p); continue; }
        if (c == ';') {
            while ((c = port_getc(p)) != EOF && c != '\n') {}
            continue;
        }
        if (c == '#') {
            port_getc(p);
            int c2 = port_peekc(p);
            if (c2 != '|' && c2 != ';' && c2 != '!') {
                port_ungetc(p, '#');
                return;
            }
            if (c2 == '|') {
                port_getc(p);
                int level = 1, prev = 0;
                while (level > 0) {
                    c = port_getc(p);
                    if (c == EOF) read_error(p, "end of file inside a #| comment");
                    if (prev == '|' && c == '#') { level--; c = 0; }
                    else if (prev == '#' && c == '|') { level++; c = 0; }
                    prev = c;
                }
            } else if (c2 == ';') {
                port_getc(p);
                PUSH(FALSE);
                val d = read_datum(p, 1);
                (void)POP();
                if (d == EOFV) read_error(p, "end of file after #;");
            } else { /* #!fold-case, #!eof ... : skip the directive */
                while (!is_delim(port_peekc(p))) port_getc(p);
            }
            continue;
        }
        return;
    }
}

static const struct { const char *name; int code; } char_names[] = {
    {"space", ' '}, {"newline", '\n'}, {"tab", '\t'}, {"nul", 0}, {"null", 0},
    {"return", '\r'}, {"linefeed", '\n'}, {"alarm", 7}, {"backspace", 8},
    {"delete", 127}, {"rubout", 127}, {"escape", 27}, {"altmode", 27}, {"page", 12},
    {NULL, 0}};

static size_t read_token(val p, char *buf, size_t size)
{
    size_t n = 0;
    while (!is_delim(port_peekc(p))) {
        int c = port_getc(p);
        if (n + 1 < size) buf[n++] = (char)c;
        else read_error(p, "token too long");
    }
    buf[n] = 0;
    return n;
}

static int utf8_encode(int c, char *out)
{
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xC0 | (c >> 6)); out[1] = (char)(0x80 | (c & 63)); return 2; }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12)); out[1] = (char)(0x80 | ((c >> 6) & 63));
        out[2] = (char)(0x80 | (c & 63)); return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18)); out[1] = (char)(0x80 | ((c >> 12) & 63));
    out[2] = (char)(0x80 | ((c >> 6) & 63)); out[3] = (char)(0x80 | (c & 63)); return 4;
}

static val read_char_lit(val p)
{
    char buf[64];
    int c = port_getc(p);
    if (c == EOF) read_error(p, "end of file after #\\");
    buf[0] = (char)c;
    size_t n = 1;
    /* a multi-byte UTF-8 character */
    if ((c & 0xE0) == 0xC0 || (c & 0xF0) == 0xE0 || (c & 0xF8) == 0xF0) {
        int extra = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : 3;
        int code = c & (0x3F >> extra);
        for (int i = 0; i < extra; i++) code = (code << 6) | (port_getc(p) & 63);
        return MKCHAR(code);
    }
    while (!is_delim(port_peekc(p)) && n + 1 < sizeof buf) buf[n++] = (char)port_getc(p);
    buf[n] = 0;
    if (n == 1) return MKCHAR((unsigned char)buf[0]);
    if ((buf[0] == 'x' || buf[0] == 'U' || buf[0] == 'u') && n > 1) {
        char *end;
        long code = strtol(buf + 1, &end, 16);
        if (*end == 0 && code >= 0 && code <= 0x10FFFF) return MKCHAR(code);
    }
    for (int i = 0; char_names[i].name; i++)
        if (strcasecmp(buf, char_names[i].name) == 0) return MKCHAR(char_names[i].code);
    read_error(p, "unknown character name #\\%s", buf);
}

static val read_string(val p)
{
    int line0 = PORT(p)->line, col0 = PORT(p)->col;
    size_t n = 0, cap = 64;
    char *b = malloc(cap);
    for (;;) {
        int c = port_getc(p);
        if (c == EOF) { free(b); read_error(p, "end of file inside a string opened at %d:%d", line0, col0); }
        if (c == '"') break;
        if (c == '\\') {
            c = port_getc(p);
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'a': c = 7; break;
            case 'b': c = 8; break;
            case '0': c = 0; break;
            case '\\': case '"': case '|': break;
            case 'x': case 'X': {
                char hex[16];
                int k = 0, d;
                while ((d = port_getc(p)) != ';' && d != EOF && k < 15) hex[k++] = (char)d;
                hex[k] = 0;
                long code = strtol(hex, NULL, 16);
                char u[4];
                int m = utf8_encode((int)code, u);
                for (int i = 0; i < m - 1; i++) {
                    if (n + 2 > cap) b = realloc(b, cap *= 2);
                    b[n++] = u[i];
                }
                c = (unsigned char)u[m - 1];
                break;
            }
            case ' ': case '\t': case '\n': {
                /* \ <spaces> newline <spaces>: a line continuation */
                while (c == ' ' || c == '\t') c = port_getc(p);
                if (c != '\n') { free(b); read_error(p, "bad line continuation in a string"); }
                while (port_peekc(p) == ' ' || port_peekc(p) == '\t') port_getc(p);
                continue;
            }
            case EOF: free(b); read_error(p, "end of file inside a string");
            default: break; /* unknown escape: the character itself */
            }
        }
        if (n + 2 > cap) b = realloc(b, cap *= 2);
        b[n++] = (char)c;
    }
    val s = mkstr(b, n);
    free(b);
    return s;
}

static val read_list(val p, int close, int depth)
{
    int line0 = PORT(p)->line, col0 = PORT(p)->col;
    val *base = rsp;
    val tail = NIL;
    int n = 0;
    for (;;) {
        skip_ws(p);
        int c = port_peekc(p);
        if (c == EOF) read_error(p, "end of file inside a list opened at %d:%d", line0, col0);
        if (c == ')' || c == ']') {
            port_getc(p);
            if (c != close) read_error(p, "mismatched '%c'", c);
            break;
        }
        val d = read_datum(p, depth + 1);
        if (d == DOT_MARK) {
            if (n == 0) read_error(p, "'.' at the start of a list");
            tail = read_datum(p, depth + 1);
            if (tail == DOT_MARK || tail == CLOSE_MARK || tail == EOFV)
                read_error(p, "bad dotted list");
            PUSH(tail);
            skip_ws(p);
            c = port_getc(p);
            if (c != ')' && c != ']') read_error(p, "expected ')' after the dotted tail");
            tail = POP();
            break;
        }
        PUSH(d);
        n++;
    }
    val l = list_from(base, n, tail);
    rsp = base;
    if (srcloc_recording && IS_PAIR(l)) srcloc_note(l, PORT(p)->name, line0, col0);
    return l;
}

static val read_datum(val p, int depth)
{
    if (depth > 100000) read_error(p, "datum nested too deeply");
    skip_ws(p);
    int c = port_getc(p);
    char buf[1024];
    switch (c) {
    case EOF: return EOFV;
    case '(': return read_list(p, ')', depth);
    case '[': return read_list(p, ']', depth);
    case ')': case ']':
        if (depth == 0) read_error(p, "unexpected '%c'", c);
        read_error(p, "unexpected '%c'", c);
    case '\'': case '`': case ',': {
        int line0 = PORT(p)->line, col0 = PORT(p)->col;
        val s = c == '\'' ? S_quote : c == '`' ? S_quasiquote : S_unquote;
        if (c == ',' && port_peekc(p) == '@') { port_getc(p); s = S_unquote_splicing; }
        val d = read_datum(p, depth + 1);
        if (d == EOFV) read_error(p, "end of file after a quote");
        if (d == DOT_MARK) read_error(p, "unexpected '.'");
        d = cons(d, NIL);
        d = cons(s, d);
        if (srcloc_recording) srcloc_note(d, PORT(p)->name, line0, col0);
        return d;
    }
    case '"': return read_string(p);
    case '|': {
        /* R7RS |...| symbols: \| \\ \xHH; and the string escapes, so that
         * write (print.c write_barred) reads back as the same symbol. */
        size_t n = 0;
        while ((c = port_getc(p)) != '|') {
            if (c == EOF) read_error(p, "end of file inside |symbol|");
            char u[4];
            int m = 1;
            u[0] = (char)c;
            if (c == '\\') {
                c = port_getc(p);
                switch (c) {
                case EOF: read_error(p, "end of file inside |symbol|");
                case 'n': u[0] = '\n'; break;
                case 't': u[0] = '\t'; break;
                case 'r': u[0] = '\r'; break;
                case 'a': u[0] = 7; break;
                case 'b': u[0] = 8; break;
                case 'x': case 'X': {
                    char hex[16];
                    int k = 0, d;
                    while ((d = port_getc(p)) != ';' && d != EOF && k < 15) hex[k++] = (char)d;
                    hex[k] = 0;
                    char *end;
                    long code = strtol(hex, &end, 16);
                    if (d != ';' || !k || *end || code < 0 || code > 0x10FFFF)
                        read_error(p, "bad \\x escape in |symbol|: write \\x<hex>; as in |a\\x7C;b|");
                    m = utf8_encode((int)code, u);
                    break;
                }
                default: u[0] = (char)c; break; /* \| \\ and any other: the character */
                }
            }
            if (n + (size_t)m >= sizeof buf)
                read_error(p, "|symbol| longer than %zu bytes", sizeof buf - 1);
            memcpy(buf + n, u, (size_t)m);
            n += (size_t)m;
        }
        return intern(buf, n);
    }
    case '#': {
        int c2 = port_peekc(p);
        if (c2 == '(') {
            port_getc(p);
            val l = read_list(p, ')', depth);
            PUSH(l);
            intptr_t n = list_length(l);
            if (n < 0) read_error(p, "a dotted vector literal");
            val v = mkvec((size_t)n, FALSE);
            l = POP();
            for (intptr_t i = 0; i < n; i++, l = CDR(l)) SET(v, VEC(v)->v[i], CAR(l));
            return v;
        }
        if (c2 == '\\') { port_getc(p); return read_char_lit(p); }
        size_t n = read_token(p, buf, sizeof buf);
        if (!strcmp(buf, "t") || !strcmp(buf, "true")) return TRUE;
        if (!strcmp(buf, "f") || !strcmp(buf, "false")) return FALSE;
        if (!strcmp(buf, "eof")) return EOFV;
        if (n > 0 && strchr("xXbBoOdDeEiI", buf[0])) {
            char full[1100];
            snprintf(full, sizeof full, "#%s", buf);
            val num = parse_number(full, strlen(full), 10);
            if (num != FALSE) return num;
        }
        if (n > 1 && (buf[0] == 'u' || buf[0] == 'U') && buf[1] == '8' && port_peekc(p) == '(') {
            /* bytevectors are read as vectors of fixnums */
            port_getc(p);
            val l = read_list(p, ')', depth);
            PUSH(l);
            intptr_t k = list_length(l);
            if (k < 0) read_error(p, "a dotted bytevector literal");
            val v = mkvec((size_t)k, FALSE);
            l = POP();
            for (intptr_t i = 0; i < k; i++, l = CDR(l)) SET(v, VEC(v)->v[i], CAR(l));
            return v;
        }
        read_error(p, "unknown syntax #%s", buf);
    }
    default: {
        buf[0] = (char)c;
        size_t n = 1 + read_token(p, buf + 1, sizeof buf - 1);
        if (n == 1 && c == '.') return DOT_MARK;
        val num = parse_number(buf, n, 10);
        if (num != FALSE) return num;
        return intern(buf, n);
    }
    }
}

val lisp_read(val p)
{
    PUSH(p);
    val d = read_datum(p, 0);
    (void)POP();
    if (d == DOT_MARK) read_error(p, "unexpected '.'");
    return d;
}
