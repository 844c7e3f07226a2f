/* fuzz_api.c — libFuzzer harness: random sequences of gull API calls.
 *
 * The input bytes are the choices of the shadow model in tests/model.h
 * (the same model and properties as tests/test_property.c): the first
 * bytes pick the heap's mode, stress setting and finalizer policy, the
 * rest pick operations (allocate, store through either barrier, set
 * roots, weak references, collections, gull_step, hand-driven inc steps)
 * and their arguments.  When the bytes run out, the run ends with the
 * model's final checks (every object dies once the roots are dropped).
 * A broken property aborts with a message that names it; AddressSanitizer
 * and UBSan catch the rest.  The library is compiled into the harness
 * with internal assertions on (fuzz/fuzz.am).
 *
 *   make fuzz FUZZ_SECONDS=60          all harnesses, a bounded time each
 *   fuzz/fuzz_api CORPUS_DIR           libFuzzer's own options apply
 */
#include "model.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_input {
    const uint8_t *data;
    size_t len, pos;
} fuzz_input;

/* One byte per choice below 256, two above; 0 once the input is used up. */
static unsigned fuzz_choose(gm *m, unsigned n)
{
    fuzz_input *in = m->ctx;
    unsigned v = 0;
    int bytes = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
    for (int i = 0; i < bytes; i++) {
        if (in->pos >= in->len) {
            m->exhausted = true;
            return 0;
        }
        v = (v << 8) | in->data[in->pos++];
    }
    return v % n;
}

static void fuzz_fail(gm *m, const char *msg)
{
    (void)m;
    fprintf(stderr, "fuzz_api: property broken: %s\n", msg);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gm m;
    static const gull_mode modes[] = {GULL_MODE_GEN, GULL_MODE_FULL, GULL_MODE_INC};
    static const unsigned long stress[] = {0, 1, 3, 7};
    fuzz_input in = {data, size, 0};
    if (size < 3)
        return 0;

    gull_config c;
    gm_config(&m, &c);
    c.mode = modes[data[0] % 3];
    c.stress = stress[data[1] % 4];
    c.finalize_on_demand = (data[1] & 4) != 0;
    c.verify = 1;
    c.nursery_size = 16 << 10;
    c.heap_initial = 64 << 10;
    if (c.mode == GULL_MODE_INC) {
        c.step_budget_ms = 0.02;
        c.mark_ratio = 1.0 + (data[2] % 4);
    }
    in.pos = 3;
    if (!gm_init(&m, &c, 1024, fuzz_choose, fuzz_fail, &in)) {
        fprintf(stderr, "fuzz_api: %s\n", m.msg);
        abort();
    }
    m.live_max = 300;
    m.large_max = 24 << 10;
    while (m.op < 4000 && gm_random_op(&m))
        ;
    m.exhausted = false;
    gm_finish(&m);
    gm_destroy(&m);
    return 0;
}
