/* io.c — ports and I/O primitives, exit, and GC introspection. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"

#define A (void)argc; (void)self

static val cur_out; /* current-output-port (with-output-to-string rebinds it) */

static val out_port(const char *who, int argc, val *a, int i)
{
    if (argc <= i) return cur_out;
    if (!IS(a[i], K_PORT) || !(((port *)a[i])->h.aux & PORT_OUT)) type_error(who, "output port", a[i]);
    if (((port *)a[i])->h.aux & PORT_CLOSED) lisp_error("port is closed:", 1, a[i]);
    return a[i];
}

static val in_port(const char *who, int argc, val *a, int i)
{
    if (argc <= i) return stdin_port;
    if (!IS(a[i], K_PORT) || !(((port *)a[i])->h.aux & PORT_IN)) type_error(who, "input port", a[i]);
    if (((port *)a[i])->h.aux & PORT_CLOSED) lisp_error("port is closed:", 1, a[i]);
    return a[i];
}

static val p_display(int argc, val *a, prim *self) { A; lisp_print(out_port("display", argc, a, 1), a[0], false); return UNSPEC; }
static val p_write(int argc, val *a, prim *self) { A; lisp_print(out_port("write", argc, a, 1), a[0], true); return UNSPEC; }
static val p_newline(int argc, val *a, prim *self) { A; port_putc(out_port("newline", argc, a, 0), '\n'); return UNSPEC; }
void put_char_utf8(val port, int c);
static val p_write_char(int argc, val *a, prim *self)
{
    A;
    if (!IS_CHAR(a[0])) type_error("write-char", "character", a[0]);
    put_char_utf8(out_port("write-char", argc, a, 1), CHARVAL(a[0]));
    return UNSPEC;
}
static val p_write_string(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("write-string", "string", a[0]);
    val p = out_port("write-string", argc, a, 1);
    port_write(p, STR(a[0])->body, STR(a[0])->len);
    return UNSPEC;
}
static val p_flush(int argc, val *a, prim *self)
{
    A;
    val p = out_port("flush-output-port", argc, a, 0);
    if (((port *)p)->fp) fflush(((port *)p)->fp);
    return UNSPEC;
}
static val p_current_output_port(int argc, val *a, prim *self) { A; return cur_out; }
static val p_current_input_port(int argc, val *a, prim *self) { A; return stdin_port; }
static val p_current_error_port(int argc, val *a, prim *self) { A; return stderr_port; }

static val p_read(int argc, val *a, prim *self) { A; return lisp_read(in_port("read", argc, a, 0)); }
static val p_read_char(int argc, val *a, prim *self)
{
    A;
    int c = port_getc(in_port("read-char", argc, a, 0));
    return c == EOF ? EOFV : MKCHAR(c);
}
static val p_peek_char(int argc, val *a, prim *self)
{
    A;
    int c = port_peekc(in_port("peek-char", argc, a, 0));
    return c == EOF ? EOFV : MKCHAR(c);
}
static val p_char_ready(int argc, val *a, prim *self) { A; in_port("char-ready?", argc, a, 0); return TRUE; }
static val p_read_line(int argc, val *a, prim *self)
{
    A;
    val p = in_port("read-line", argc, a, 0);
    size_t n = 0, cap = 128;
    char *b = malloc(cap);
    int c;
    while ((c = port_getc(p)) != EOF && c != '\n') {
        if (n + 1 >= cap) b = realloc(b, cap *= 2);
        b[n++] = (char)c;
    }
    if (c == EOF && n == 0) { free(b); return EOFV; }
    val s = mkstr(b, n);
    free(b);
    return s;
}
static val p_read_string(int argc, val *a, prim *self)
{
    A;
    /* R7RS: (read-string k [port]) */
    if (!IS_FIX(a[0]) || FIXVAL(a[0]) < 0) type_error("read-string", "non-negative count", a[0]);
    val p = in_port("read-string", argc, a, 1);
    size_t k = (size_t)FIXVAL(a[0]), n = 0;
    char *b = malloc(k + 1);
    int c;
    while (n < k && (c = port_getc(p)) != EOF) b[n++] = (char)c;
    if (n == 0 && k > 0) { free(b); return EOFV; }
    val s = mkstr(b, n);
    free(b);
    return s;
}
static val p_eof_object(int argc, val *a, prim *self) { A; return EOFV; }
static val p_eof_objectp(int argc, val *a, prim *self) { A; return BOOL(a[0] == EOFV); }

static val p_open_input_file(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("open-input-file", "string", a[0]);
    FILE *f = fopen(STR(a[0])->body, "r");
    if (!f) lisp_error("cannot open file for input:", 1, a[0]);
    return mkport(f, PORT_IN, STR(a[0])->body);
}
static val p_open_output_file(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("open-output-file", "string", a[0]);
    FILE *f = fopen(STR(a[0])->body, "w");
    if (!f) lisp_error("cannot open file for output:", 1, a[0]);
    return mkport(f, PORT_OUT, STR(a[0])->body);
}
static val p_close_port(int argc, val *a, prim *self)
{
    A;
    if (!IS(a[0], K_PORT)) type_error("close-port", "port", a[0]);
    port *p = (port *)a[0];
    if (!(p->h.aux & PORT_CLOSED)) {
        if (p->fp && !(p->h.aux & PORT_NOCLOSE)) fclose(p->fp);
        else if (p->fp) fflush(p->fp);
        if (!(p->h.aux & PORT_NOCLOSE)) p->fp = NULL;
        p->h.aux |= PORT_CLOSED;
    }
    return UNSPEC;
}
static val p_open_input_string(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("open-input-string", "string", a[0]);
    val p = mkport(NULL, PORT_IN | PORT_STRING, "string");
    port *pp = (port *)p;
    pp->buf = malloc(STR(a[0])->len + 1);
    memcpy(pp->buf, STR(a[0])->body, STR(a[0])->len + 1);
    pp->len = STR(a[0])->len;
    return p;
}
static val p_open_output_string(int argc, val *a, prim *self) { A; return mkport(NULL, PORT_OUT | PORT_STRING, "string"); }
static val p_get_output_string(int argc, val *a, prim *self)
{
    A;
    if (!IS(a[0], K_PORT) || !(((port *)a[0])->h.aux & PORT_STRING)) type_error("get-output-string", "string output port", a[0]);
    port *p = (port *)a[0];
    return mkstr(p->buf ? p->buf : "", p->len);
}
static val p_with_output_to_string(int argc, val *a, prim *self)
{
    A;
    val *base = rsp;
    PUSH(cur_out);
    PUSH(mkport(NULL, PORT_OUT | PORT_STRING, "string"));
    cur_out = base[1];
    /* an escape out of the thunk leaves cur_out rebound; the top level resets it */
    apply0(a[0]);
    cur_out = base[0];
    port *p = (port *)base[1];
    val r = mkstr(p->buf ? p->buf : "", p->len);
    rsp = base;
    return r;
}
static val p_call_with_output_string(int argc, val *a, prim *self)
{
    A;
    val *base = rsp;
    PUSH(mkport(NULL, PORT_OUT | PORT_STRING, "string"));
    apply1(a[0], base[0]);
    port *p = (port *)base[0];
    val r = mkstr(p->buf ? p->buf : "", p->len);
    rsp = base;
    return r;
}
static val p_portp(int argc, val *a, prim *self) { A; return BOOL(IS(a[0], K_PORT)); }
static val p_input_portp(int argc, val *a, prim *self) { A; return BOOL(IS(a[0], K_PORT) && (((port *)a[0])->h.aux & PORT_IN)); }
static val p_output_portp(int argc, val *a, prim *self) { A; return BOOL(IS(a[0], K_PORT) && (((port *)a[0])->h.aux & PORT_OUT)); }
static val p_file_exists(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("file-exists?", "string", a[0]);
    return BOOL(access(STR(a[0])->body, F_OK) == 0);
}
static val p_delete_file(int argc, val *a, prim *self)
{
    A;
    if (!IS_STR(a[0])) type_error("delete-file", "string", a[0]);
    if (unlink(STR(a[0])->body) != 0) lisp_error("cannot delete file:", 1, a[0]);
    return UNSPEC;
}

static val p_exit(int argc, val *a, prim *self)
{
    A;
    int code = 0;
    if (argc > 0) {
        if (IS_FIX(a[0])) code = (int)FIXVAL(a[0]);
        else if (a[0] == FALSE) code = 1;
    }
    lisp_exit(code);
}

/* ---------------------------------------------------------------- GC introspection */

static val p_gc(int argc, val *a, prim *self) { A; lgc_collect(); return UNSPEC; }

static val p_gc_stats(int argc, val *a, prim *self)
{
    A;
    struct lgc_stats s;
    lgc_get_stats(&s);
    static const char *names[] = {"collections", "minor", "major", "pause-total-ns", "pause-max-ns",
                                  "heap-bytes", "live-bytes", "native-bytes"};
    uint64_t vals[] = {s.collections, s.minor, s.major, s.pause_total_ns, s.pause_max_ns,
                       s.heap_bytes, s.live_bytes, s.native_bytes};
    val *base = rsp;
    PUSH(NIL);
    for (int i = 7; i >= 0; i--) {
        PUSH(mkint((intptr_t)vals[i]));
        rsp[-1] = cons(intern_c(names[i]), rsp[-1]); /* symbols are rooted by the table */
        base[0] = cons(base[1], base[0]);
        rsp = base + 1;
    }
    PUSH(cons(intern_c("collector"), intern_c(lgc_name())));
    base[0] = cons(base[1], base[0]);
    val r = base[0];
    rsp = base;
    return r;
}

static val p_memory_report(int argc, val *a, prim *self)
{
    A;
    fflush(stdout);
    lgc_memory_report(stdout);
    fflush(stdout);
    return UNSPEC;
}

/* "Why is this alive?" (lisp_gc.h): errors name the backend, so a
 * program run on boehm-lisp gets a Scheme error it can catch. */
static void diag_status(const char *who, int st, val irritant)
{
    char msg[128];
    if (st == LGC_UNAVAILABLE) {
        snprintf(msg, sizeof msg, "%s: not available on %s-lisp", who, lgc_name());
        lisp_error(msg, 0);
    }
    if (st == LGC_NOT_RC) {
        snprintf(msg, sizeof msg, "%s: only with GULL_MODE=rc (the cycle collector's record)", who);
        lisp_error(msg, 0);
    }
    if (st != LGC_OK) {
        snprintf(msg, sizeof msg, "%s: failed (the collector said why on stderr)", who);
        if (irritant) lisp_error(msg, 1, irritant);
        lisp_error(msg, 0);
    }
}

/* Census lines as a list of lists: (kind count bytes) and, up to cols 5,
 * native-bytes and retained; frees l. */
static val census_list(struct lgc_census_line *l, size_t n, int cols)
{
    val *base = rsp;
    PUSH(NIL);
    for (size_t i = n; i-- > 0;) {
        PUSH(mkstr_c(l[i].name));
        PUSH(mkint((intptr_t)l[i].count));
        PUSH(mkint((intptr_t)l[i].bytes));
        if (cols > 3) PUSH(mkint((intptr_t)l[i].native));
        if (cols > 4) PUSH(mkint((intptr_t)l[i].retained));
        val line = list_from(rsp - cols, cols, NIL);
        rsp -= cols;
        PUSH(line);
        val acc = cons(rsp[-1], rsp[-2]);
        rsp -= 2;
        PUSH(acc);
    }
    free(l);
    val r = rsp[-1];
    rsp = base;
    return r;
}

/* (heap-census) => ((kind count bytes native-bytes) ...), largest first.
 * (heap-census #t) adds a fifth column, the bytes each kind retains.
 * Plain data: heap-census-diff (prelude.c) compares two of them. */
static val p_heap_census(int argc, val *a, prim *self)
{
    A;
    bool retained = argc > 0 && a[0] != FALSE;
    struct lgc_census_line *l;
    size_t n;
    diag_status("heap-census", lgc_census(&l, &n, retained), 0);
    return census_list(l, n, retained ? 5 : 4);
}

/* (heap-cycles) => ((kind count bytes) ...): what the rc cycle collector
 * has freed as garbage cycles so far, by kind, largest first. */
static val p_heap_cycles(int argc, val *a, prim *self)
{
    A;
    (void)argc;
    struct lgc_census_line *l;
    size_t n;
    diag_status("heap-cycles", lgc_cycle_census(&l, &n), 0);
    return census_list(l, n, 3);
}

/* (why-alive obj) prints a shortest path from a root to obj. */
static val p_why_alive(int argc, val *a, prim *self)
{
    A;
    val obj = a[0];
    if (!IS_PTR(obj)) lisp_error("why-alive: not a heap object (an immediate is never alive or dead)", 1, obj);
    static char buf[4096];
    /* The argument itself sits on the root stack; hide it for the query
     * (which never collects), or every path would be one step long. */
    a[0] = FALSE;
    int st = lgc_why_alive((void *)obj, buf, sizeof buf);
    a[0] = obj;
    diag_status("why-alive", st, obj);
    val port = out_port("why-alive", 0, a, 1);
    lisp_print(port, mkstr_c(buf), false);
    lisp_print(port, MKCHAR('\n'), false);
    return UNSPEC;
}

/* (heap-snapshot "file.heapsnapshot") writes the heap for Chrome DevTools. */
static val p_heap_snapshot(int argc, val *a, prim *self)
{
    A;
    if (!IS(a[0], K_STRING)) type_error("heap-snapshot", "string", a[0]);
    string *s = (string *)a[0];
    char *path = malloc(s->len + 1);
    if (!path) lisp_error("heap-snapshot: out of memory", 0);
    memcpy(path, s->body, s->len);
    path[s->len] = '\0';
    int st = lgc_heap_snapshot(path);
    free(path);
    diag_status("heap-snapshot", st, a[0]);
    return UNSPEC;
}

void io_reset(void) { cur_out = stdout_port; }

void prims_io_init(void)
{
    stdout_port = mkport(stdout, PORT_OUT | PORT_NOCLOSE, "stdout");
    root_global(&stdout_port);
    stdin_port = mkport(stdin, PORT_IN | PORT_NOCLOSE, "stdin");
    root_global(&stdin_port);
    stderr_port = mkport(stderr, PORT_OUT | PORT_NOCLOSE, "stderr");
    root_global(&stderr_port);
    cur_out = stdout_port;
    root_global(&cur_out);
    defprim("display", p_display, 1, 2);
    defprim("write", p_write, 1, 2);
    defprim("write-shared", p_write, 1, 2);
    defprim("write-simple", p_write, 1, 2);
    defprim("newline", p_newline, 0, 1);
    defprim("write-char", p_write_char, 1, 2);
    defprim("write-string", p_write_string, 1, 2);
    defprim("flush-output-port", p_flush, 0, 1);
    defprim("flush-output", p_flush, 0, 1);
    defprim("current-output-port", p_current_output_port, 0, 0);
    defprim("current-input-port", p_current_input_port, 0, 0);
    defprim("current-error-port", p_current_error_port, 0, 0);
    defprim("read", p_read, 0, 1);
    defprim("read-char", p_read_char, 0, 1);
    defprim("peek-char", p_peek_char, 0, 1);
    defprim("char-ready?", p_char_ready, 0, 1);
    defprim("read-line", p_read_line, 0, 1);
    defprim("read-string", p_read_string, 1, 2);
    defprim("eof-object", p_eof_object, 0, 0);
    defprim("eof-object?", p_eof_objectp, 1, 1);
    defprim("open-input-file", p_open_input_file, 1, 1);
    defprim("open-output-file", p_open_output_file, 1, 1);
    defprim("close-port", p_close_port, 1, 1);
    defprim("close-input-port", p_close_port, 1, 1);
    defprim("close-output-port", p_close_port, 1, 1);
    defprim("open-input-string", p_open_input_string, 1, 1);
    defprim("open-output-string", p_open_output_string, 0, 0);
    defprim("get-output-string", p_get_output_string, 1, 1);
    defprim("with-output-to-string", p_with_output_to_string, 1, 1);
    defprim("call-with-output-string", p_call_with_output_string, 1, 1);
    defprim("port?", p_portp, 1, 1);
    defprim("input-port?", p_input_portp, 1, 1);
    defprim("output-port?", p_output_portp, 1, 1);
    defprim("textual-port?", p_portp, 1, 1);
    defprim("file-exists?", p_file_exists, 1, 1);
    defprim("delete-file", p_delete_file, 1, 1);
    defprim("exit", p_exit, 0, 1);
    defprim("emergency-exit", p_exit, 0, 1);
    defprim("gc", p_gc, 0, 0);
    defprim("gc-stats", p_gc_stats, 0, 0);
    defprim("memory-report", p_memory_report, 0, 0);
    defprim("heap-census", p_heap_census, 0, 1);
    defprim("heap-cycles", p_heap_cycles, 0, 0);
    defprim("why-alive", p_why_alive, 1, 1);
    defprim("heap-snapshot", p_heap_snapshot, 1, 1);
}
