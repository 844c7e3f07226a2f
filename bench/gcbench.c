/* gcbench.c — a C port of the GCBench workload (Ellis, Kovac, Boehm),
 * written from the algorithm's description for gull's benchmarks.
 *
 * The workload:
 *   1. Build a temporary "stretch" tree of depth 18 and drop it (grows the
 *      heap once, as every collector gets to).
 *   2. Build a long-lived tree of depth 16 top-down and a long-lived array
 *      of 500,000 doubles; both stay live to the end.
 *   3. For depth d = 4, 6, ..., 16: build NumIters(d) trees of depth d
 *      top-down (allocate a node, then populate its children: stores into an
 *      object that may have been promoted meanwhile) and as many bottom-up
 *      (children first, then the parent: stores into a fresh object only),
 *      dropping each tree at once.  NumIters(d) = 2 * size(18) / size(d), so
 *      every depth allocates about the same number of nodes (~2.1 million).
 *   4. Check that the long-lived structures survived.
 * A node holds two pointers and two ints (24 bytes; 32 in both heaps).
 *
 * The collector comes from one backend header (BE_* macros, be_* calls):
 * backend_gull.h (precise roots, barrier on every pointer store) or
 * backend_boehm.h.  At exit the program prints one line of key=value
 * results (to $GCBENCH_RESULT if set, else stdout), and writes its pause
 * intervals to $BOEHM_PAUSE_LOG (Boehm build, in the format of gull's pause
 * log with a cpu_ns column: pauses.h; gull writes $GULL_PAUSE_LOG itself).
 * Pause figures: p50..max_us on CLOCK_MONOTONIC, cpu_p99_us and cpu_max_us
 * on the thread's CPU clock (pauses.h .cpu).
 *
 * Usage: gcbench [-v] [--probe] [stretch_depth long_lived_depth max_depth]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(BACKEND_GULL)
#include "backend_gull.h"
#elif defined(BACKEND_BOEHM)
#include "backend_boehm.h"
#else
#error "define BACKEND_GULL or BACKEND_BOEHM"
#endif

typedef struct Node Node;
struct Node {
    Node *left, *right; /* first: the backend traces the first two words */
    int i, j;
};

static int stretch_depth = 18, long_lived_depth = 16, min_depth = 4, max_depth = 16;
#ifndef GCBENCH_ARRAY_SIZE
#define GCBENCH_ARRAY_SIZE 500000 /* doubles; overridable only to debug a collector */
#endif
static const size_t array_size = GCBENCH_ARRAY_SIZE;
static bool verbose;

/* Units of work the host can time (its own view of pauses): one build of a
 * depth-4 tree, 31 allocations. */
static uint64_t *unit_ns;
static size_t unit_n;

static long tree_size(int depth) { return (1L << (depth + 1)) - 1; }
static long num_iters(int depth) { return 2 * tree_size(stretch_depth) / tree_size(depth); }

static inline Node *new_node(void) { return be_alloc_node(sizeof(Node)); }

/* Top-down: give node two fresh children, then fill each below. */
static void populate(int depth, Node *node)
{
    if (depth <= 0)
        return;
    BE_ROOT(node);
    Node *l = new_node();
    BE_SET(node, left, l);
    Node *r = new_node(); /* l is reachable from node */
    BE_SET(node, right, r);
    populate(depth - 1, node->left);
    populate(depth - 1, node->right);
    BE_UNROOT(1);
}

/* Bottom-up: children first, then the parent that holds them. */
static Node *make_tree(int depth)
{
    if (depth <= 0)
        return new_node();
    Node *l = make_tree(depth - 1);
    BE_ROOT(l);
    Node *r = make_tree(depth - 1);
    BE_ROOT(r);
    Node *n = new_node();
    BE_SET(n, left, l);
    BE_SET(n, right, r);
    BE_UNROOT(2);
    return n;
}

static void time_construction(int depth)
{
    long iters = num_iters(depth);
    uint64_t t0 = now_ns();
    for (long k = 0; k < iters; k++) {
        uint64_t u0 = unit_ns ? now_ns() : 0;
        Node *t = new_node();
        BE_ROOT(t);
        populate(depth, t);
        BE_UNROOT(1);
        if (unit_ns && depth == min_depth)
            unit_ns[unit_n++] = now_ns() - u0;
    }
    uint64_t t1 = now_ns();
    for (long k = 0; k < iters; k++) {
        uint64_t u0 = unit_ns ? now_ns() : 0;
        Node *t = make_tree(depth);
        (void)t;
        if (unit_ns && depth == min_depth)
            unit_ns[unit_n++] = now_ns() - u0;
    }
    uint64_t t2 = now_ns();
    if (verbose)
        fprintf(stderr, "depth %2d: %ld trees, top-down %.1f ms, bottom-up %.1f ms\n", depth,
                iters, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
}

static int cmp_ns(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    bool probe = false;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--probe") == 0)
            probe = true;
        else if (pos == 0)
            stretch_depth = atoi(argv[i]), pos++;
        else if (pos == 1)
            long_lived_depth = atoi(argv[i]), pos++;
        else if (pos == 2)
            max_depth = atoi(argv[i]), pos++;
    }
    if (stretch_depth < 4 || stretch_depth > 24 || long_lived_depth < 1 ||
        long_lived_depth > 24 || max_depth < min_depth || max_depth > 24) {
        fprintf(stderr, "usage: gcbench [-v] [--probe] [stretch long_lived max_depth]\n");
        return 2;
    }

    uint64_t t_init = now_ns(); /* start_ns of the pause log's header */
    be_init();
    if (probe) {
        printf("%s\n", be_variant());
        be_finish();
        return 0;
    }
    unit_ns = malloc(2 * num_iters(min_depth) * sizeof *unit_ns);

    uint64_t start = now_ns();
    Node *long_lived = NULL, *temp = NULL;
    double *array = NULL;
    BE_ROOT(long_lived);
    BE_ROOT(array);

    temp = make_tree(stretch_depth); /* stretch the heap, then drop it */
    temp = NULL;
    (void)temp;

    long_lived = new_node();
    populate(long_lived_depth, long_lived);

    array = be_alloc_doubles(array_size);
    for (size_t i = 0; i < array_size / 2; i++)
        array[i] = 1.0 / (double)i;

    for (int d = min_depth; d <= max_depth; d += 2)
        time_construction(d);

    if (long_lived == NULL || array[1000] != 1.0 / 1000) {
        fprintf(stderr, "gcbench: long-lived data lost\n");
        return 1;
    }
    /* Walk the long-lived tree: a lost subtree would crash or miscount. */
    long count = 0;
    {
        Node *stack[64];
        int sp = 0;
        stack[sp++] = long_lived;
        while (sp > 0) {
            Node *n = stack[--sp];
            count++;
            if (n->left)
                stack[sp++] = n->left;
            if (n->right)
                stack[sp++] = n->right;
        }
    }
    if (count != tree_size(long_lived_depth)) {
        fprintf(stderr, "gcbench: long-lived tree has %ld nodes, expected %ld\n", count,
                tree_size(long_lived_depth));
        return 1;
    }
    uint64_t end = now_ns();
    BE_UNROOT(2);

    /* Results. */
    FILE *out = stdout;
    const char *rf = getenv("GCBENCH_RESULT");
    if (rf && *rf && (out = fopen(rf, "a")) == NULL)
        out = stdout;
    qsort(unit_ns, unit_n, sizeof *unit_ns, cmp_ns);
    char variant[32];
    snprintf(variant, sizeof variant, "%s", be_variant());
    /* Collector-specific fields first: pauses_summary(NULL) reorders. */
    char extra[512] = "";
    {
        FILE *m = fmemopen(extra, sizeof extra, "w");
        if (m) {
            be_report(m);
            fclose(m);
        }
    }
    pause_summary all = pauses_summary(NULL);
    fprintf(out,
            "gcbench collector=%s time_ms=%.1f peak_rss_kb=%ld pauses=%zu p50_us=%.1f"
            " p99_us=%.1f p999_us=%.1f max_us=%.1f total_pause_ms=%.2f"
            " cpu_p99_us=%.1f cpu_max_us=%.1f"
            " unit_p50_us=%.2f unit_p99_us=%.1f unit_max_us=%.1f%s\n",
            variant, (end - start) / 1e6, peak_rss_kb(), all.count, all.p50 / 1e3,
            all.p99 / 1e3, all.p999 / 1e3, all.max / 1e3, all.total / 1e6,
            all.cpu_p99 / 1e3, all.cpu_max / 1e3,
            quantile_sorted(unit_ns, unit_n, 0.5) / 1e3,
            quantile_sorted(unit_ns, unit_n, 0.99) / 1e3,
            unit_n ? unit_ns[unit_n - 1] / 1e3 : 0.0, extra);
    if (out != stdout)
        fclose(out);
    pauses_write_log(getenv("BOEHM_PAUSE_LOG") && strcmp(BE_COLLECTOR, "boehm") == 0
                         ? getenv("BOEHM_PAUSE_LOG")
                         : NULL,
                     BE_COLLECTOR, variant, t_init);
    be_finish();
    free(unit_ns);
    return 0;
}
