/* term.c — the interactive terminal: Ctrl-C, line editing, history.
 *
 * .sigint  The SIGINT handler only sets lisp_interrupt_pending.  The
 *          evaluator polls the flag at every closure call (which every
 *          loop and recursion goes through) and then unwinds to the REPL
 *          (eval.c lisp_interrupt).  Nothing is done in the handler itself:
 *          no longjmp out of it, and nothing can run inside the collector.
 *          main() blocks SIGINT before any thread exists and the
 *          interpreter thread unblocks it, so the signal always lands on
 *          the interpreter thread and interrupts its read().  Scripts and
 *          -e keep the default action (the process ends).
 *
 * .edit    When stdin is a terminal, the REPL reads through libedit
 *          (readline()): stdin_port is then a PORT_EDIT port whose buffer
 *          holds the current line, refilled one line at a time with the
 *          prompt "> " at the start of a form and "  " inside one.  When
 *          stdin is not a terminal, nothing here is used: the REPL reads
 *          plain bytes, so pipes and the test suite see no prompts from
 *          libedit and no escape sequences.
 *
 * .history Lines are kept in a history file between runs: $LISP_HISTORY_FILE
 *          if set (empty: no file), else ~/.gull_lisp_history; the last
 *          HISTORY_MAX lines.  The file is rewritten after each line, so
 *          (exit) and a killed process lose nothing.
 *
 * While readline waits, our input function (edit_getc) waits in pselect,
 * which a SIGINT always ends; readline then returns and the refill raises
 * the interrupt, which drops the partial form and shows a fresh prompt.
 * The handler has SA_RESTART, so a Ctrl-C during a plain read (no
 * terminal) only sets the flag.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/select.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "lisp.h"

#define HISTORY_MAX 1000

volatile sig_atomic_t lisp_interrupt_pending;

static void on_sigint(int sig)
{
    (void)sig;
    lisp_interrupt_pending = 1;
}

void term_block_sigint(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    pthread_sigmask(SIG_BLOCK, &s, NULL);
}

void term_unblock_sigint(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

void term_catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
}

/* ---------------------------------------------------------------- line editing */

static char *history_file; /* malloc'd, or NULL: no history file */
static const char *prompt = "> ";
static bool at_eof;

/* libedit's input function.  The flag is tested with SIGINT blocked and
 * pselect unblocks it while it waits, so a Ctrl-C that comes just before
 * the wait still ends it (EINTR) instead of being noticed only after the
 * next key.  EOF tells readline to stop; term_refill sees the flag. */
static int edit_getc(FILE *f)
{
    int fd = fileno(f);
    sigset_t block, orig;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &orig);
    int c = EOF;
    while (!lisp_interrupt_pending) {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(fd, &r);
        int k = pselect(fd + 1, &r, NULL, NULL, NULL, &orig);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        unsigned char ch;
        ssize_t n = read(fd, &ch, 1);
        if (n == 1) c = ch;
        if (n == 1 || n == 0 || errno != EINTR) break;
    }
    pthread_sigmask(SIG_SETMASK, &orig, NULL);
    return c;
}

bool term_start(void)
{
    if (!isatty(0) || !isatty(1)) return false;
    const char *env = getenv("LISP_HISTORY_FILE");
    if (env) {
        history_file = *env ? strdup(env) : NULL;
    } else if (getenv("HOME") && *getenv("HOME")) {
        const char *home = getenv("HOME");
        size_t n = strlen(home) + sizeof "/.gull_lisp_history";
        history_file = malloc(n);
        if (history_file) snprintf(history_file, n, "%s/.gull_lisp_history", home);
    }
    rl_readline_name = "gull-lisp";
    rl_catch_signals = 0; /* our handler, not libedit's */
    rl_getc_function = edit_getc;
    using_history();
    stifle_history(HISTORY_MAX);
    if (history_file) read_history(history_file);
    port *p = (port *)stdin_port;
    p->h.aux |= PORT_EDIT;
    return true;
}

void term_stop(void)
{
    free(history_file);
    history_file = NULL;
    clear_history();
}

/* The next form starts: the next line gets the primary prompt. */
void term_new_form(void) { prompt = "> "; }

/* Refill an edit port's buffer with the next line (and its newline).
 * Returns false at end of input (Ctrl-D). */
bool term_refill(port *p)
{
    if (at_eof) return false;
    char *line = readline(prompt);
    if (lisp_interrupt_pending) {
        free(line);
        fputc('\n', stdout);
        p->len = p->pos = 0;
        lisp_interrupt(); /* drops the partial form; the REPL prompts again */
    }
    if (!line) {
        at_eof = true;
        return false;
    }
    prompt = "  ";
    size_t n = strlen(line);
    if (n + 2 > p->cap) {
        char *b = realloc(p->buf, n + 2);
        if (!b) {
            free(line);
            lisp_error("out of memory for an input line", 0);
        }
        p->buf = b;
        p->cap = n + 2;
    }
    memcpy(p->buf, line, n);
    p->buf[n] = '\n';
    p->buf[n + 1] = 0;
    p->len = n + 1;
    p->pos = 0;
    if (strspn(line, " \t\r") < n) {
        add_history(line);
        if (history_file) write_history(history_file);
    }
    free(line);
    return true;
}
