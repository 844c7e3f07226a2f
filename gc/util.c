/* util.c — the small utilities every file of gc/ uses: growable vectors,
 * the one error path, and the assertion failure.  It calls nothing else of
 * gull, so it sits at the bottom of the import graph with os.c.
 *
 * .errors  Every error goes through heap_error(): it records the code (read
 *          back by gull_last_error) and hands one line to the host's handler,
 *          or prints "gull: <line>" on stderr.  Public functions check their
 *          arguments first (tier 1 of STYLE.md) and return the documented
 *          value; nothing aborts the host.
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <stdlib.h>

void assert_fail(const char *cond, const char *file, int line)
{
    fprintf(stderr, "gull: internal assertion failed: %s (%s:%d)\n", cond, file, line);
    abort();
}

bool vec_push(vec *v, void *p)
{
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        void **at = realloc(v->at, cap * sizeof *at);
        if (!at)
            return false;
        v->at = at;
        v->cap = cap;
    }
    v->at[v->len++] = p;
    return true;
}

void vec_free(vec *v)
{
    free(v->at);
    v->at = NULL;
    v->len = v->cap = 0;
}

void heap_error(gull_heap *h, gull_error code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (h) {
        h->last_error = code;
        if (h->cfg.on_error) {
            h->cfg.on_error(h, code, msg, h->cfg.error_ctx);
            return;
        }
    }
    fprintf(stderr, "gull: %s\n", msg);
}
