/* static_host.c — a host linked statically against libgull.a that defines
 * functions named like gull's internal ones (vec_push, heap_error,
 * assert_fail, mark_value).  Before tools/localize-static.sh those names
 * were global in the archive, and this program failed to link with
 * "multiple definition of `vec_push'".
 *
 * It checks, at run time, that each side calls its own function: the
 * host's counters move only when the host calls them, and gull, which
 * uses its own vec_push for root slots and heap_error for bad input, keeps
 * working (roots keep objects alive, the error handler sees the error).
 * Plain C, no Criterion: exit status 0 = pass; one synthesis line.
 */
#include <gull.h>

#include <stdio.h>
#include <stdlib.h>

/* The host's own functions with gull's internal names, and different
 * signatures, as an unrelated host would have them. */
static int host_vec_calls, host_error_calls, host_assert_calls, host_mark_calls;

int vec_push(int *v, int x)
{
    host_vec_calls++;
    *v += x;
    return *v;
}

void heap_error(const char *what)
{
    host_error_calls++;
    (void)what;
}

void assert_fail(void)
{
    host_assert_calls++;
}

long mark_value(long x)
{
    host_mark_calls++;
    return x * 2;
}

static int failures;
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "static_host: %s:%d: check failed: %s\n",      \
                    __FILE__, __LINE__, #cond);                            \
            failures++;                                                    \
        }                                                                  \
    } while (0)

typedef struct cell {
    void *car, *cdr;
} cell;

static void cell_trace(void *obj, gull_visit_fn visit, void *ctx)
{
    cell *c = obj;
    visit(&c->car, ctx);
    visit(&c->cdr, ctx);
}

static int gull_errors;
static void on_error(gull_heap *h, gull_error code, const char *msg, void *ctx)
{
    (void)h; (void)msg; (void)ctx;
    if (code == GULL_ERR_BAD_TYPE || code == GULL_ERR_BAD_SIZE)
        gull_errors++;
}

int main(void)
{
    int acc = 0;
    CHECK(vec_push(&acc, 5) == 5);
    heap_error("host");
    assert_fail();
    CHECK(mark_value(21) == 42);

    gull_config c;
    gull_config_init(&c);
    c.ignore_env = true;
    c.on_error = on_error;
    gull_heap *h = gull_heap_create(&c);
    CHECK(h != NULL);
    if (!h)
        return 1;
    /* A host written against the first gull_type_desc (four fields) still
     * compiles and gets NULL for the fields added since (trace_range,
     * field_name): the positional initializer is kept on purpose. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
    gull_type_desc d = {"cell", cell_trace, 0, NULL};
#pragma GCC diagnostic pop
    gull_type t = gull_register_type(h, &d);
    CHECK(t.id != 0);

    /* Many root slots: gull grows its root vector with its own vec_push. */
    enum { NROOTS = 100 };
    static void *roots[NROOTS];
    for (int i = 0; i < NROOTS; i++) {
        CHECK(gull_root_add(h, &roots[i]));
        cell *x = gull_alloc(h, t, sizeof *x);
        CHECK(x != NULL);
        if (x)
            gull_write(h, x, &x->car, (void *)(((uintptr_t)i << 4) | 1u));
        roots[i] = x;
        for (int j = 0; j < 50; j++) /* garbage */
            (void)gull_alloc(h, t, sizeof(cell));
    }
    gull_collect(h, GULL_COLLECT_MAJOR);
    gull_collect(h, GULL_COLLECT_MINOR);
    for (int i = 0; i < NROOTS; i++) {
        cell *x = roots[i];
        CHECK(gull_is_object(h, x));
        CHECK(x && x->car == (void *)(((uintptr_t)i << 4) | 1u));
    }

    /* Bad input goes through gull's own heap_error to our handler. */
    gull_type bad = {0};
    CHECK(gull_alloc(h, bad, 16) == NULL);
    CHECK(gull_errors == 1);

    gull_heap_destroy(h);

    /* gull never called the host's functions. */
    CHECK(host_vec_calls == 1);
    CHECK(host_error_calls == 1);
    CHECK(host_assert_calls == 1);
    CHECK(host_mark_calls == 1);

    printf("[====] Synthesis: Tested: 1 | Passing: %d | Failing: %d | Crashing: 0 \n",
           failures == 0, failures != 0);
    return failures == 0 ? 0 : 1;
}
