/* fuzz_read.c — libFuzzer harness: the Lisp reader (examples/lisp/read.c)
 * on gull, under collection stress.
 *
 * The interpreter's sources are compiled into the harness unchanged
 * (fuzz/fuzz.am lists them: everything but main.c, whose setup this file
 * repeats); nothing in examples/lisp/ is modified.  As in main.c, the
 * interpreter runs on a thread with a 1 GiB stack, so a deeply nested
 * datum is a reader error ("nested too deeply") and not a stack overflow
 * of libFuzzer's main thread: each input is handed to that thread.
 *
 * Per input: read data from a string port holding the bytes until the end
 * or the first reader error (a Lisp error, caught like the REPL does).
 * Each datum read is written back (write, not display), the text read
 * again and written again: the two texts must be equal (.roundtrip; a
 * datum that the printer cannot write readably, such as an unreadable
 * #<...> object, is not produced by the reader).
 *
 * .bar  Symbols written as |...| escape '|' and backslash (this harness found
 * that they did not, so that (write (string->symbol "a|b")) read back as
 * two symbols).
 *
 * GULL_STRESS makes the collector run every few allocations, so a reader
 * value not kept on the root stack across an allocation is freed and caught
 * by AddressSanitizer (gull poisons freed memory in a sanitizer build).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "eval.h"

void io_reset(void);

#define ROOT_STACK_SLOTS ((size_t)1 << 22)
#define INTERP_STACK ((size_t)1 << 30)
#define MAX_DATA 64 /* data read per input */

/* main.c's lisp_exit: the reader only gets here on an internal failure. */
void lisp_exit(int code)
{
    fprintf(stderr, "fuzz_read: lisp_exit(%d) called\n", code);
    abort();
}

static val string_in(const char *name, const uint8_t *text, size_t len)
{
    val p = mkport(NULL, PORT_IN | PORT_STRING, name);
    port *pp = (port *)p;
    pp->buf = malloc(len + 1);
    if (!pp->buf)
        abort();
    memcpy(pp->buf, text, len);
    pp->buf[len] = 0;
    pp->len = len;
    return p;
}

/* Write d to a fresh string port; returns the port (its buf holds the text). */
static val write_to_string(val d)
{
    PUSH(d);
    val out = mkport(NULL, PORT_OUT | PORT_STRING, "roundtrip");
    d = POP();
    PUSH(out);
    lisp_print(out, d, true);
    return POP();
}

/* Set while reading back what the printer wrote: an error there is a
 * .roundtrip failure, not an ordinary reader error. */
static volatile int reading_back;
static val volatile written;

static void one_input(const uint8_t *data, size_t size)
{
    struct handler h;
    val *saved = rsp;
    PUSH(string_in("fuzz", data, size));
    h.prev = cur_handler;
    h.rsp = rsp;
    cur_handler = &h;
    reading_back = 0;
    if (setjmp(h.jb) != 0) {
        if (reading_back) {
            port *p1 = (port *)written;
            fprintf(stderr, "fuzz_read: .roundtrip: the reader rejects what the printer wrote: \"%.*s\"\n",
                    (int)p1->len, p1->buf ? p1->buf : "");
            print_error(stderr, error_obj);
            abort();
        }
        /* a reader error: as main.c's recover(), without the printing */
        cur_handler = h.prev;
        rsp = saved;
        eval_reset();
        io_reset();
        error_obj = FALSE;
        return;
    }
    for (int i = 0; i < MAX_DATA; i++) {
        val d = lisp_read(saved[0]);
        if (d == EOFV)
            break;
        PUSH(d);
        val w1 = write_to_string(rsp[-1]);
        PUSH(w1);
        port *p1 = (port *)w1;
        val in2 = string_in("roundtrip", (const uint8_t *)(p1->buf ? p1->buf : ""), p1->len);
        PUSH(in2);
        written = w1;
        reading_back = 1;
        val d2 = lisp_read(in2);
        reading_back = 0;
        PUSH(d2);
        val w2 = write_to_string(d2);
        p1 = (port *)rsp[-3];
        port *p2 = (port *)w2;
        if (p1->len != p2->len || (p1->len && memcmp(p1->buf, p2->buf, p1->len) != 0)) {
            fprintf(stderr, "fuzz_read: .roundtrip: wrote \"%.*s\", read that back and wrote \"%.*s\"\n",
                    (int)p1->len, p1->buf ? p1->buf : "", (int)p2->len, p2->buf ? p2->buf : "");
            abort();
        }
        rsp -= 4;
    }
    cur_handler = h.prev;
    rsp = saved;
}

/* ---------------------------------------------------------------- the interpreter thread */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static const uint8_t *job_data;
static size_t job_size;
static int job_state; /* 0 idle, 1 posted, 2 done */

static void *interp_thread(void *arg)
{
    (void)arg;
    char here;
    c_stack_limit = (char *)((uintptr_t)&here - INTERP_STACK + (4u << 20));
    void *rs = mmap(NULL, ROOT_STACK_SLOTS * sizeof(val), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (rs == MAP_FAILED)
        abort();
    rs_base = rsp = rs;
    rs_limit = rs_limit_normal = rs_base + ROOT_STACK_SLOTS - RS_HEADROOM;
    lgc_init();
    depth_restore(0);
    obj_init();
    compile_init();
    prims_init();
    prims_num_init();
    prims_io_init();
    eval_init();
    pthread_mutex_lock(&mu);
    for (;;) {
        while (job_state != 1)
            pthread_cond_wait(&cv, &mu);
        pthread_mutex_unlock(&mu);
        one_input(job_data, job_size);
        pthread_mutex_lock(&mu);
        job_state = 2;
        pthread_cond_broadcast(&cv);
    }
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    /* Collect often; an explicit setting in the environment wins. */
    setenv("GULL_STRESS", "5", 0);
    lgc_early_init();
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, INTERP_STACK);
    if (pthread_create(&t, &a, interp_thread, NULL) != 0) {
        fprintf(stderr, "fuzz_read: cannot create the interpreter thread\n");
        abort();
    }
    pthread_attr_destroy(&a);
    pthread_detach(t);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pthread_mutex_lock(&mu);
    job_data = data;
    job_size = size;
    job_state = 1;
    pthread_cond_broadcast(&cv);
    while (job_state != 2)
        pthread_cond_wait(&cv, &mu);
    job_state = 0;
    pthread_mutex_unlock(&mu);
    return 0;
}
