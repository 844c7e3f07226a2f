/* main.c — command line, REPL, and the interpreter thread.
 *
 * The interpreter runs on a thread with a large stack (1 GiB of address
 * space, committed only as used) so that deep non-tail recursion works;
 * eval() checks c_stack_limit so a deeper one is a Lisp error instead of a
 * crash.  The root stack is an mmap'd region with the same property.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eval.h"

#define INTERP_STACK ((size_t)1 << 30)
#define ROOT_STACK_SLOTS ((size_t)64 << 20)

static const char *prog_name = "lisp";
static int argc_g;
static char **argv_g;
static const char *expr_arg;
static const char *file_arg;

void io_reset(void);
void prelude_load(void);

#if defined(__SANITIZE_ADDRESS__)
#define EXIT_COLLECT 1
#else
#define EXIT_COLLECT 0
#endif

static void *root_stack;
static bool heap_ready;

/* Free everything the interpreter owns, so a leak checker sees nothing:
 * heap objects with native memory through their finalizers (obj.c
 * .teardown), then the heap, the compiled code, the tables, the root stack. */
void lisp_exit(int code)
{
    fflush(stdout);
    fflush(stderr);
    if (heap_ready) {
        obj_release_roots();
        /* Only a leak checker needs the finalizers to free native memory
         * at exit; elsewhere this full collection would be one more pause
         * in every program's pause log (bench/compare.py reads them). */
        if (EXIT_COLLECT)
            lgc_collect();
        lgc_shutdown();
        code_free_all();
        srcloc_free();
        obj_free_tables();
    }
    if (root_stack) munmap(root_stack, ROOT_STACK_SLOTS * sizeof(val));
    exit(code);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s [FILE [ARG...]]   run the program in FILE (stdin stays available to (read))\n"
            "       %s -e EXPR           evaluate the forms in EXPR (prints only what they display)\n"
            "       %s                   read-eval-print loop\n"
            "       %s --help | --version\n"
            "options (before FILE or -e):\n"
            "  --heap-max SIZE   limit the heap to SIZE bytes (suffix K, M or G); a program\n"
            "                    that needs more gets an \"out of memory\" error\n"
            "  --max-depth N     at most N nested (non-tail) calls, default 250000; also\n"
            "                    LISP_MAX_DEPTH=N; deeper is a \"recursion too deep\" error\n"
            "In the REPL, Ctrl-C interrupts an evaluation; on a terminal, lines are edited\n"
            "with libedit and kept in ~/.gull_lisp_history (or $LISP_HISTORY_FILE).\n"
            "A Scheme (R7RS-small subset) on the %s collector; see examples/lisp/README.md.\n",
            prog_name, prog_name, prog_name, prog_name, lgc_name());
}

/* After longjmp to handler h: drop it, unwind the root stack to `saved`,
 * reset the evaluator and ports, and print the error. */
static void recover(struct handler *h, val *saved)
{
    cur_handler = h->prev;
    rsp = saved;
    eval_reset();
    io_reset();
    fflush(stdout);
    print_error(stderr, error_obj);
    error_obj = FALSE;
}

/* Run forms from port p; returns false after the first error (printed). */
static bool run_port(val p)
{
    struct handler h;
    val *saved = rsp;
    PUSH(p);
    h.prev = cur_handler;
    h.rsp = rsp;
    cur_handler = &h;
    if (setjmp(h.jb) != 0) {
        recover(&h, saved);
        return false;
    }
    for (;;) {
        val form = lisp_read_source(saved[0]);
        if (form == EOFV) break;
        eval_toplevel(form);
    }
    cur_handler = h.prev;
    rsp = saved;
    return true;
}

static val string_port(const char *name, const char *text, size_t len)
{
    val p = mkport(NULL, PORT_IN | PORT_STRING, name);
    port *pp = (port *)p;
    pp->buf = malloc(len + 1);
    memcpy(pp->buf, text, len);
    pp->buf[len] = 0;
    pp->len = len;
    return p;
}

static int run_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s\n", prog_name, path);
        return 66;
    }
    size_t n = 0, cap = 65536;
    char *buf = malloc(cap);
    size_t k;
    while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    if (f != stdin) fclose(f);
    /* a #! line at the top is a comment */
    size_t skip = 0;
    if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
        while (skip < n && buf[skip] != '\n') skip++;
        memset(buf, ' ', skip);
    }
    val p = string_port(path, buf, n);
    free(buf);
    return run_port(p) ? 0 : 70;
}

static void repl(void)
{
    bool tty = isatty(0);
    term_catch_sigint();
    bool edit = term_start();
    volatile bool reading = false;
    for (;;) {
        struct handler h;
        val *saved = rsp;
        h.prev = cur_handler;
        h.rsp = rsp;
        cur_handler = &h;
        if (setjmp(h.jb) != 0) {
            recover(&h, saved);
            /* drop the rest of the offending line */
            port *in = (port *)stdin_port;
            if (edit) {
                in->pos = in->len;
                in->col = 0;
            } else if (reading && in->col > 0) {
                int c;
                while ((c = port_getc(stdin_port)) != EOF && c != '\n') {}
            }
            continue;
        }
        /* prompt only at the start of an input line, so that output of
         * several forms typed on one line is not interleaved with prompts */
        if (edit) {
            term_new_form(); /* readline prints the prompt */
            fflush(stdout);
        } else if (((port *)stdin_port)->col == 0) {
            fputs("> ", stdout);
            fflush(stdout);
        }
        reading = true;
        val form = lisp_read_source(stdin_port);
        reading = false;
        /* the rest of the line is blank: consume it (the next read starts a line) */
        {
            int c;
            while ((c = port_peekc(stdin_port)) == ' ' || c == '\t' || c == '\r') port_getc(stdin_port);
            if (c == '\n') port_getc(stdin_port);
        }
        if (form == EOFV) {
            cur_handler = h.prev;
            if (tty) fputc('\n', stdout);
            break;
        }
        /* a Ctrl-C at the prompt while reading plainly (SA_RESTART) only
         * set the flag: it meant the input, not this form */
        if (!edit) lisp_interrupt_pending = 0;
        val r = eval_toplevel(form);
        if (r != UNSPEC) {
            PUSH(r);
            lisp_print(stdout_port, r, true);
            port_putc(stdout_port, '\n');
            (void)POP();
        }
        cur_handler = h.prev;
        rsp = saved;
    }
    if (edit) term_stop();
}

/* "16M" -> 16777216; 0 on a malformed size. */
static size_t parse_size(const char *s)
{
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s) return 0;
    switch (*end) {
    case 'k': case 'K': n <<= 10; end++; break;
    case 'm': case 'M': n <<= 20; end++; break;
    case 'g': case 'G': n <<= 30; end++; break;
    }
    return *end ? 0 : (size_t)n;
}

/* A positive count below 10^9 (the C stack bounds the depth anyway), or 0. */
static long parse_depth(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    return *end || end == s || n <= 0 || n > 1000000000L ? 0 : n;
}

static void *interp_main(void *arg)
{
    (void)arg;
    char here;
    term_unblock_sigint(); /* term.c .sigint: SIGINT lands on this thread */
    c_stack_limit = (char *)((uintptr_t)&here - INTERP_STACK + (4u << 20));
    void *rs = mmap(NULL, ROOT_STACK_SLOTS * sizeof(val), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (rs == MAP_FAILED) {
        fprintf(stderr, "%s: cannot map the root stack\n", prog_name);
        exit(70);
    }
    root_stack = rs;
    rs_base = rsp = rs;
    rs_limit = rs_limit_normal = rs_base + ROOT_STACK_SLOTS - RS_HEADROOM;
    lgc_init();
    heap_ready = true;
    depth_restore(0); /* max_depth may have been set from the command line */
    obj_init();
    compile_init();
    prims_init();
    prims_num_init();
    prims_io_init();
    eval_init();
    val keep[] = {p_cons, p_list, p_append, p_list_to_vector, p_make_rtd, p_rtd_ctor, p_rtd_pred,
                  p_rtd_acc, p_rtd_mod, p_cwv, p_make_case_lambda, p_dynamic_wind,
                  p_make_promise, p_values, p_make_parameter, p_param_set, p_with_handler,
                  p_raise_guard, p_void};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) const_add(keep[i]);
    prelude_load();
    /* (command-line) */
    {
        val *base = rsp;
        for (int i = 0; i < argc_g; i++) PUSH(mkstr_c(argv_g[i]));
        val l = list_from(base, argc_g, NIL);
        rsp = base;
        val s = intern_c("%command-line");
        SET(SYM(s), SYM(s)->value, l);
    }
    int code = 0;
    if (expr_arg) {
        PUSH(string_port("-e", expr_arg, strlen(expr_arg)));
        code = run_port(rsp[-1]) ? 0 : 70;
    } else if (file_arg) {
        code = run_file(file_arg);
    } else {
        repl();
    }
    lisp_exit(code);
    return NULL;
}

int main(int argc, char **argv)
{
    prog_name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    term_block_sigint(); /* before any thread exists (term.c .sigint) */
    lgc_early_init();
    const char *env_depth = getenv("LISP_MAX_DEPTH");
    if (env_depth && *env_depth) {
        long d = parse_depth(env_depth);
        if (d <= 0) {
            fprintf(stderr, "%s: LISP_MAX_DEPTH must be a positive number\n", prog_name);
            return 64;
        }
        max_depth = d;
    }
    int i = 1;
    for (; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("%s 0.1.0 (collector: %s)\n", prog_name, lgc_name());
            return 0;
        }
        if (!strcmp(argv[i], "-e")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: -e needs an expression\n", prog_name);
                return 64;
            }
            expr_arg = argv[++i];
            i++;
            break;
        }
        if (!strcmp(argv[i], "--heap-max")) {
            size_t n = i + 1 < argc ? parse_size(argv[i + 1]) : 0;
            if (n == 0) {
                fprintf(stderr, "%s: --heap-max needs a size such as 64M\n", prog_name);
                return 64;
            }
            lgc_set_heap_max(n);
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--max-depth")) {
            long d = i + 1 < argc ? parse_depth(argv[i + 1]) : 0;
            if (d <= 0) {
                fprintf(stderr, "%s: --max-depth needs a positive number\n", prog_name);
                return 64;
            }
            max_depth = d;
            i++;
            continue;
        }
        if (!strcmp(argv[i], "--")) { i++; if (i < argc) { file_arg = argv[i]; i++; } break; }
        if (argv[i][0] == '-' && argv[i][1] != 0) {
            fprintf(stderr, "%s: unknown option %s\n", prog_name, argv[i]);
            usage(stderr);
            return 64;
        }
        file_arg = argv[i];
        i++;
        break;
    }
    argc_g = argc - (i - 1);
    argv_g = argv + (i - 1);
    argv_g[0] = file_arg ? (char *)file_arg : argv[0];
    int r = lgc_run_thread(interp_main, NULL, INTERP_STACK);
    if (r != 0) {
        /* no big thread: run here with the stack we have */
        fprintf(stderr, "%s: cannot create the interpreter thread; using the main stack\n", prog_name);
        return 70;
    }
    return 0;
}
