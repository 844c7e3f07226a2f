/* test_property.c — random object graphs against a shadow model, in every
 * tracing mode, under stress collection and the heap verifier.
 *
 * The model and its properties (.intact, .final, .complete, .weak, .error)
 * are in tests/model.h, which the API fuzzer (fuzz/fuzz_api.c) shares; here
 * its choices come from a seeded generator.  Each case runs one mode
 * (gen, full, inc) with config.stress = 1, 3 or 7 (a collection every N
 * allocations) and config.verify = 1 (the verifier walks the heap around
 * every collection), plus cases without stress where collections come from
 * pacing with a small nursery.  The operations mix allocation of objects
 * of all sizes, stores through both barriers, root changes, weak
 * references (read, revived, freed), explicit minor and major collections,
 * gull_step with budgets from 1 us to 1 ms and, in inc mode, cycles driven
 * by hand with gull_debug_step.
 *
 * The seed is printed on stderr when a case starts and in every failure;
 * GULLTEST_SEED=N runs every case with seed N (not a GULL_ name: make check
 * unsets those).  GULLTEST_OPS=N changes the number of operations per case.
 */
#include "testutil.h"
#include "model.h"

#include <time.h>

/* ---------------------------------------------------------------- choices */

typedef struct prop_run {
    uint64_t rng;
    uint64_t seed;
    const char *name;
} prop_run;

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned prop_choose(gm *m, unsigned n)
{
    prop_run *r = m->ctx;
    return (unsigned)(splitmix(&r->rng) % n);
}

static void prop_fail(gm *m, const char *msg)
{
    prop_run *r = m->ctx;
    cr_assert_fail("case %s, seed %llu (GULLTEST_SEED=%llu repeats it): %s", r->name,
                   (unsigned long long)r->seed, (unsigned long long)r->seed, msg);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
    const char *e = getenv(name);
    return e && *e ? strtoull(e, NULL, 0) : dflt;
}

static uint64_t fresh_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
    return splitmix(&s) % 1000000000ull;
}

/* ---------------------------------------------------------------- cases */

typedef struct pcase {
    const char *name;
    gull_mode mode;
    unsigned long stress;
    long ops;
} pcase;

static void run_case(const pcase *pc)
{
    prop_run r = {0, 0, pc->name};
    r.seed = env_u64("GULLTEST_SEED", fresh_seed());
    r.rng = r.seed;
    long ops = (long)env_u64("GULLTEST_OPS", (uint64_t)pc->ops);
    fprintf(stderr, "test_property: case %s seed %llu (GULLTEST_SEED=%llu repeats it)\n",
            pc->name, (unsigned long long)r.seed, (unsigned long long)r.seed);
    alarm(TU_HANG_SECONDS);

    static gm m; /* large: not on the stack */
    gull_config c;
    gm_config(&m, &c);
    c.mode = pc->mode;
    c.stress = pc->stress;
    c.verify = 1;
    c.nursery_size = 64 << 10;
    c.heap_initial = 256 << 10;
    if (pc->mode == GULL_MODE_INC) {
        c.step_budget_ms = 0; /* pacing.c .work-only: a seed repeats its run */
        c.mark_ratio = 1.5;
    }
    /* The generator picks whether finalizers run on demand: both ways. */
    uint64_t s = r.seed;
    c.finalize_on_demand = (splitmix(&s) & 1) != 0;
    cr_assert(gm_init(&m, &c, (int)(ops / 2 + 64), prop_choose, prop_fail, &r), "%s", m.msg);
    cr_assert_eq(gull_heap_mode(m.h), pc->mode);
    m.live_max = 600;
    m.large_max = 40 << 10;

    for (long i = 0; i < ops; i++)
        gm_random_op(&m);
    gm_finish(&m);

    gull_stats st;
    gull_get_stats(m.h, &st);
    /* The run exercised what it claims to. */
    cr_assert_gt(st.minor_collections + st.major_collections, 20, "seed %llu",
                 (unsigned long long)r.seed);
    cr_assert_gt(m.finalized, 0, "seed %llu: no finalizer ran", (unsigned long long)r.seed);
    cr_assert_gt(st.weak_cleared, 0, "seed %llu: no weak reference was cleared",
                 (unsigned long long)r.seed);
    if (pc->mode == GULL_MODE_INC)
        cr_assert_gt(st.mark_steps, 0, "seed %llu: no incremental step", (unsigned long long)r.seed);
    fprintf(stderr,
            "test_property: case %s: %ld ops, %d objects, %ld finalized, %ld revived, "
            "%llu minor + %llu major collections\n",
            pc->name, m.op, m.nobj, m.finalized, m.revived,
            (unsigned long long)st.minor_collections, (unsigned long long)st.major_collections);
    gm_destroy(&m);
}

#define PROPERTY_CASE(label, mode, stress, ops)                                \
    Test(property, label)                                                      \
    {                                                                          \
        pcase pc = {#label, mode, stress, ops};                                \
        run_case(&pc);                                                         \
    }

PROPERTY_CASE(gen_stress1, GULL_MODE_GEN, 1, 8000)
PROPERTY_CASE(gen_stress3, GULL_MODE_GEN, 3, 12000)
PROPERTY_CASE(gen_stress7, GULL_MODE_GEN, 7, 15000)
PROPERTY_CASE(gen_paced, GULL_MODE_GEN, 0, 20000)
PROPERTY_CASE(full_stress1, GULL_MODE_FULL, 1, 8000)
PROPERTY_CASE(full_stress3, GULL_MODE_FULL, 3, 12000)
PROPERTY_CASE(full_stress7, GULL_MODE_FULL, 7, 15000)
PROPERTY_CASE(full_paced, GULL_MODE_FULL, 0, 20000)
PROPERTY_CASE(inc_stress1, GULL_MODE_INC, 1, 8000)
PROPERTY_CASE(inc_stress3, GULL_MODE_INC, 3, 12000)
PROPERTY_CASE(inc_stress7, GULL_MODE_INC, 7, 15000)
PROPERTY_CASE(inc_paced, GULL_MODE_INC, 0, 20000)
