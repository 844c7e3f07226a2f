/* alloc.c — allocation micro-benchmark: small objects that die at once.
 *
 * For each case (16 and 32 bytes; pointer-holding and pointer-free) the
 * program allocates N objects in a loop, writes one word into each (so the
 * allocation cannot be optimised away and the cell is touched, as a real
 * host would), and drops it.  Each repetition times the whole loop with
 * CLOCK_MONOTONIC; the figure is the median over repetitions of
 * (loop time / N), collections included: that is the cost a host pays per
 * allocation.  The first repetition warms the heap up and is not counted.
 *
 * gull: gull_alloc of a traced type / a GULL_TYPE_NO_POINTERS type (both
 * zeroed), word written with GULL_WRITE.  Boehm: GC_MALLOC (zeroed) /
 * GC_MALLOC_ATOMIC (not zeroed), plain store.
 *
 * Output, one line per case:  alloc collector=.. case=ptr16 ns=..
 * Usage: alloc [objects_per_rep [reps]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(BACKEND_GULL)
#include "backend_gull.h"
#elif defined(BACKEND_BOEHM)
#include "backend_boehm.h"
#else
#error "define BACKEND_GULL or BACKEND_BOEHM"
#endif

struct two {
    void *a, *b;
};

void *volatile alloc_sink; /* the last object, so the loop has an effect */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 4000000;
    int reps = argc > 2 ? atoi(argv[2]) : 9;
    if (n < 1000 || reps < 1 || reps > 1000) {
        fprintf(stderr, "usage: alloc [objects_per_rep >= 1000 [reps]]\n");
        return 2;
    }
    be_init();
    static const struct {
        const char *name;
        size_t size;
        int atomic;
    } cases[] = {{"ptr16", 16, 0}, {"ptr32", 32, 0}, {"atomic16", 16, 1}, {"atomic32", 32, 1}};
    double *ns = malloc((size_t)reps * sizeof *ns);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int r = -1; r < reps; r++) {
            uint64_t t0 = now_ns();
            if (cases[c].atomic) {
                for (long i = 0; i < n; i++) {
                    uintptr_t *p = be_alloc_atomic(cases[c].size);
                    p[0] = (uintptr_t)i;
                    alloc_sink = p;
                }
            } else {
                for (long i = 0; i < n; i++) {
                    struct two *p = be_alloc_ptr(cases[c].size);
                    BE_SET_WORD(p, a, i);
                    alloc_sink = p;
                }
            }
            uint64_t t1 = now_ns();
            if (r >= 0)
                ns[r] = (double)(t1 - t0) / (double)n;
        }
        qsort(ns, (size_t)reps, sizeof *ns, cmp_d);
        printf("alloc collector=%s case=%s ns=%.2f min_ns=%.2f max_ns=%.2f\n", be_variant(),
               cases[c].name, ns[reps / 2], ns[0], ns[reps - 1]);
        fflush(stdout);
    }
    free(ns);
    alloc_sink = NULL;
    be_finish();
    return 0;
}
