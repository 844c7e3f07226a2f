/* valgrind_host.c — a small host run under Valgrind by tests/valgrind-check.sh:
 * gull's objects are Valgrind client blocks (gc/os.c), so a normal run is
 * clean (no error, nothing leaked after gull_heap_destroy), and with an
 * argument the host reads a freed object, which Valgrind must report with
 * the stacks of its allocation and of its free. */
#include <gull.h>
#include <stdio.h>
typedef struct pair { void *car, *cdr; } pair;
static void tr(void *o, gull_visit_fn v, void *c) { pair *p = o; v(&p->car, c); v(&p->cdr, c); }
int main(int argc, char **argv)
{
    (void)argv;
    gull_config cfg; gull_config_init(&cfg);
    gull_heap *h = gull_heap_create(&cfg);
    gull_type_desc d = {"pair", tr, 0, NULL, NULL, NULL};
    gull_type t = gull_register_type(h, &d);
    void *keep = NULL; gull_root_add(h, &keep);
    void *dead = NULL;
    for (int i = 0; i < 200000; i++) {
        pair *p = gull_alloc(h, t, sizeof *p);
        GULL_WRITE(h, p, &p->cdr, keep);
        if (i % 100 == 0) keep = p;
        if (i == 5) dead = p;
    }
    keep = NULL;
    gull_collect(h, GULL_COLLECT_MAJOR);
    if (argc > 1) printf("%p\n", ((pair *)dead)->car); /* a use after free, on purpose */
    gull_heap_destroy(h);
    return 0;
}
