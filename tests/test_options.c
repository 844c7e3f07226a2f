/* test_options.c — the GULL_* environment variables and gull_config
 * (gc/options.c, DESIGN.md section 6).
 *
 * Every case goes through the public API only: set the variable, create a
 * heap with an error handler that captures messages, read the effective
 * configuration back with gull_get_config(), destroy the heap.  Criterion
 * runs each Test in its own process, so setenv() here cannot leak into
 * another test; each test still starts by clearing any GULL_* variable it
 * inherited (make check clears them too).
 */
#include <criterion/criterion.h>
#include <gull.h>

#include "gullenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* ---------------------------------------------------------------- helpers */

#define MAXMSG 16
typedef struct capture {
    int n;
    gull_error code[MAXMSG];
    char text[MAXMSG][1024];
} capture;

static void on_error(gull_heap *h, gull_error code, const char *message, void *ctx)
{
    (void)h;
    capture *c = ctx;
    if (c->n < MAXMSG) {
        c->code[c->n] = code;
        snprintf(c->text[c->n], sizeof c->text[0], "%s", message);
    }
    c->n++;
}


/* Create a heap from *host (with the capturing handler installed), read its
 * effective configuration into *out, destroy it.  pause_log is owned by the
 * heap, so it is cleared in *out; tests of GULL_PAUSE_LOG copy it first. */
static void effective(gull_config *host, capture *cap, gull_config *out)
{
    memset(cap, 0, sizeof *cap);
    host->on_error = on_error;
    host->error_ctx = cap;
    gull_heap *h = gull_heap_create(host);
    cr_assert_not_null(h, "gull_heap_create failed");
    gull_get_config(h, out);
    gull_heap_destroy(h);
    out->pause_log = NULL;
}

static void effective_default(capture *cap, gull_config *out)
{
    gull_config c;
    gull_config_init(&c);
    effective(&c, cap, out);
}

/* A field of gull_config, by variable name, as a double (exact for every
 * value the tests use). */
static double field_of(const gull_config *c, const char *var)
{
#define F(name, expr) if (strcmp(var, name) == 0) return (double)(expr)
    F("GULL_MODE", c->mode);
    F("GULL_NURSERY_SIZE", c->nursery_size);
    F("GULL_PROMOTE_AGE", c->promote_age);
    F("GULL_OLD_GROWTH", c->old_growth);
    F("GULL_HEAP_INITIAL", c->heap_initial);
    F("GULL_HEAP_MAX", c->heap_max);
    F("GULL_EXTERNAL_LIMIT", c->external_limit);
    F("GULL_MEMORY_LIMIT", c->memory_limit);
    F("GULL_EXTERNAL_PACING", c->external_pacing);
    F("GULL_CONSERVATIVE", c->conservative_stack);
    F("GULL_INTERIOR_POINTERS", c->interior_pointers);
    F("GULL_STATS", c->stats);
    F("GULL_TRACE", c->trace);
    F("GULL_VERIFY", c->verify);
    F("GULL_STRESS", c->stress);
    F("GULL_STEP_BUDGET", c->step_budget_ms);
    F("GULL_MARK_RATIO", c->mark_ratio);
    F("GULL_INC_TRIGGER", c->inc_trigger);
    F("GULL_STEP_SHARE", c->step_share);
#undef F
    cr_assert_fail("test bug: no field for %s", var);
    return 0;
}

/* Messages of cap that mention needle. */
static int mentions(const capture *cap, const char *needle)
{
    int k = 0;
    for (int i = 0; i < cap->n && i < MAXMSG; i++)
        if (strstr(cap->text[i], needle))
            k++;
    return k;
}

/* ---------------------------------------------------------------- defaults */

Test(options, defaults_are_the_documented_ones, .init = clear_gull_env)
{
    gull_config c;
    memset(&c, 0xab, sizeof c);
    gull_config_init(&c);
    cr_expect_eq(c.mode, GULL_MODE_GEN);
    cr_expect_eq(c.nursery_size, (size_t)1 << 20);
    cr_expect_eq(c.promote_age, 1u);
    cr_expect_eq(c.old_growth, 1.0);
    cr_expect_eq(c.heap_initial, (size_t)8 << 20);
    cr_expect_eq(c.step_budget_ms, 0.5);
    cr_expect_eq(c.mark_ratio, 2.0);
    cr_expect_eq(c.inc_trigger, 0.5);
    cr_expect_eq(c.step_share, 0.5);
    cr_expect_eq(c.heap_max, 0);
    cr_expect_eq(c.external_limit, 0);
    cr_expect_eq(c.memory_limit, 0);
    cr_expect(c.external_pacing);
    cr_expect(!c.conservative_stack);
    cr_expect(c.interior_pointers);
    cr_expect_null(c.stack_base);
    cr_expect(!c.finalize_on_demand);
    cr_expect_eq(c.verify, 0u);
    cr_expect_eq(c.stress, 0ul);
    cr_expect(!c.stats);
    cr_expect(!c.trace);
    cr_expect_null(c.pause_log);
    cr_expect(!c.ignore_env);
    cr_expect_null(c.on_error);
    cr_expect_null(c.error_ctx);
    cr_expect_null(c.on_oom);
    cr_expect_null(c.oom_ctx);
}

Test(options, no_environment_no_messages, .init = clear_gull_env)
{
    capture cap;
    gull_config def, out;
    gull_config_init(&def);
    effective_default(&cap, &out);
    cr_expect_eq(cap.n, 0, "unexpected message: %s", cap.n ? cap.text[0] : "");
    cr_expect_eq(out.nursery_size, def.nursery_size);
    cr_expect_eq(out.mode, def.mode);
    cr_expect_eq(out.old_growth, def.old_growth);
}

Test(options, config_init_null_does_not_crash, .init = clear_gull_env)
{
    gull_config_init(NULL);
    gull_print_options(NULL, true);
}

/* ---------------------------------------------------------------- every variable */

enum expect { GOOD, MALFORMED, RANGE };

typedef struct vcase {
    const char *var, *value;
    enum expect expect;
    double want; /* GOOD: the field's value; otherwise unused (the default stays) */
} vcase;

#define K 1024.0
#define M (1024.0 * K)
#define G (1024.0 * M)
#define T (1024.0 * G)

static const vcase cases[] = {
    /* mode */
    {"GULL_MODE", "gen", GOOD, GULL_MODE_GEN},
    {"GULL_MODE", "full", GOOD, GULL_MODE_FULL},
    {"GULL_MODE", "FULL", GOOD, GULL_MODE_FULL},
    {"GULL_MODE", "Gen", GOOD, GULL_MODE_GEN},
    {"GULL_MODE", "fast", MALFORMED, 0},
    {"GULL_MODE", "1", MALFORMED, 0},
    {"GULL_MODE", "", GOOD, GULL_MODE_GEN}, /* empty = unset */
    /* sizes: every suffix spelling */
    {"GULL_NURSERY_SIZE", "65536", GOOD, 64 * K},
    {"GULL_NURSERY_SIZE", "64k", GOOD, 64 * K},
    {"GULL_NURSERY_SIZE", "64K", GOOD, 64 * K},
    {"GULL_NURSERY_SIZE", "512KB", GOOD, 512 * K},
    {"GULL_NURSERY_SIZE", "512KiB", GOOD, 512 * K},
    {"GULL_NURSERY_SIZE", "512kib", GOOD, 512 * K},
    {"GULL_NURSERY_SIZE", "8m", GOOD, 8 * M},
    {"GULL_NURSERY_SIZE", "8M", GOOD, 8 * M},
    {"GULL_NURSERY_SIZE", "2MB", GOOD, 2 * M},
    {"GULL_NURSERY_SIZE", "2MiB", GOOD, 2 * M},
    {"GULL_NURSERY_SIZE", "1g", GOOD, 1 * G},
    {"GULL_NURSERY_SIZE", "1G", GOOD, 1 * G},
    {"GULL_NURSERY_SIZE", "1GiB", GOOD, 1 * G},
    {"GULL_NURSERY_SIZE", "", GOOD, 1 * M}, /* empty = unset: the default */
    {"GULL_NURSERY_SIZE", "4X", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "4 M", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", " 4M", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "-1", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "0x100000", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "1.5M", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "M", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "4MiBs", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "4Mi", MALFORMED, 0},
    {"GULL_NURSERY_SIZE", "63K", RANGE, 0},
    {"GULL_NURSERY_SIZE", "0", RANGE, 0},
    {"GULL_NURSERY_SIZE", "2G", RANGE, 0},
    {"GULL_NURSERY_SIZE", "99999999999999999999", RANGE, 0},  /* overflows 64 bits */
    {"GULL_NURSERY_SIZE", "17179869184G", RANGE, 0},          /* 2^64: overflow */
    {"GULL_PROMOTE_AGE", "1", GOOD, 1},
    {"GULL_PROMOTE_AGE", "2", GOOD, 2},
    {"GULL_PROMOTE_AGE", "3", GOOD, 3},
    {"GULL_PROMOTE_AGE", "0", RANGE, 0},
    {"GULL_PROMOTE_AGE", "4", RANGE, 0},
    {"GULL_PROMOTE_AGE", "two", MALFORMED, 0},
    {"GULL_PROMOTE_AGE", "1.0", MALFORMED, 0},
    {"GULL_PROMOTE_AGE", "1K", MALFORMED, 0},
    {"GULL_OLD_GROWTH", "1.0", GOOD, 1.0},
    {"GULL_OLD_GROWTH", "0.05", GOOD, 0.05},
    {"GULL_OLD_GROWTH", ".5", GOOD, 0.5},
    {"GULL_OLD_GROWTH", "3", GOOD, 3},
    {"GULL_OLD_GROWTH", "20", GOOD, 20},
    {"GULL_OLD_GROWTH", "0.04", RANGE, 0},
    {"GULL_OLD_GROWTH", "20.5", RANGE, 0},
    {"GULL_OLD_GROWTH", "0", RANGE, 0},
    {"GULL_OLD_GROWTH", "1e3", MALFORMED, 0},
    {"GULL_OLD_GROWTH", "1,5", MALFORMED, 0},
    {"GULL_OLD_GROWTH", "-1", MALFORMED, 0},
    {"GULL_OLD_GROWTH", "nan", MALFORMED, 0},
    {"GULL_OLD_GROWTH", ".", MALFORMED, 0},
    /* the inc pacing knobs */
    {"GULL_STEP_BUDGET", "0", GOOD, 0},
    {"GULL_STEP_BUDGET", "0.25", GOOD, 0.25},
    {"GULL_STEP_BUDGET", "1001", RANGE, 0},
    {"GULL_STEP_BUDGET", "1ms", MALFORMED, 0},
    {"GULL_MARK_RATIO", "1.5", GOOD, 1.5},
    {"GULL_MARK_RATIO", "101", RANGE, 0},
    {"GULL_INC_TRIGGER", "0.3", GOOD, 0.3},
    {"GULL_INC_TRIGGER", "1.5", RANGE, 0},
    {"GULL_STEP_SHARE", "1", GOOD, 1.0},
    {"GULL_STEP_SHARE", "0.3", GOOD, 0.3},
    {"GULL_STEP_SHARE", "0.05", GOOD, 0.05},
    {"GULL_STEP_SHARE", "0.01", RANGE, 0},
    {"GULL_STEP_SHARE", "2", RANGE, 0},
    {"GULL_STEP_SHARE", "half", MALFORMED, 0},
    {"GULL_HEAP_INITIAL", "0", GOOD, 0},
    {"GULL_HEAP_INITIAL", "16M", GOOD, 16 * M},
    {"GULL_HEAP_INITIAL", "1T", GOOD, 1 * T},
    {"GULL_HEAP_INITIAL", "2T", RANGE, 0},
    {"GULL_HEAP_INITIAL", "lots", MALFORMED, 0},
    {"GULL_HEAP_MAX", "0", GOOD, 0},
    {"GULL_HEAP_MAX", "1M", GOOD, 1 * M},
    {"GULL_HEAP_MAX", "512m", GOOD, 512 * M},
    {"GULL_HEAP_MAX", "100", RANGE, 0},
    {"GULL_HEAP_MAX", "1023K", RANGE, 0},
    {"GULL_HEAP_MAX", "2T", RANGE, 0},
    {"GULL_HEAP_MAX", "unlimited", MALFORMED, 0},
    {"GULL_EXTERNAL_LIMIT", "0", GOOD, 0},
    {"GULL_EXTERNAL_LIMIT", "64M", GOOD, 64 * M},
    {"GULL_EXTERNAL_LIMIT", "1K", RANGE, 0},
    {"GULL_EXTERNAL_LIMIT", "x", MALFORMED, 0},
    {"GULL_MEMORY_LIMIT", "0", GOOD, 0},
    {"GULL_MEMORY_LIMIT", "1G", GOOD, 1 * G},
    {"GULL_MEMORY_LIMIT", "1", RANGE, 0},
    {"GULL_MEMORY_LIMIT", "1 G", MALFORMED, 0},
    /* bools: every spelling */
    {"GULL_EXTERNAL_PACING", "0", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "off", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "no", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "false", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "FALSE", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "Off", GOOD, 0},
    {"GULL_EXTERNAL_PACING", "2", MALFORMED, 0},
    {"GULL_EXTERNAL_PACING", "maybe", MALFORMED, 0},
    {"GULL_CONSERVATIVE", "1", GOOD, 1},
    {"GULL_CONSERVATIVE", "yes", GOOD, 1},
    {"GULL_CONSERVATIVE", "true", GOOD, 1},
    {"GULL_CONSERVATIVE", "on", GOOD, 1},
    {"GULL_CONSERVATIVE", "YES", GOOD, 1},
    {"GULL_CONSERVATIVE", "True", GOOD, 1},
    {"GULL_CONSERVATIVE", "enabled", MALFORMED, 0},
    {"GULL_INTERIOR_POINTERS", "0", GOOD, 0},
    {"GULL_INTERIOR_POINTERS", "1", GOOD, 1},
    {"GULL_INTERIOR_POINTERS", "nope", MALFORMED, 0},
    {"GULL_STATS", "1", GOOD, 1},
    {"GULL_STATS", "no", GOOD, 0},
    {"GULL_STATS", "10", MALFORMED, 0},
    {"GULL_TRACE", "on", GOOD, 1},
    {"GULL_TRACE", "0", GOOD, 0},
    {"GULL_TRACE", "-", MALFORMED, 0},
    {"GULL_VERIFY", "0", GOOD, 0},
    {"GULL_VERIFY", "1", GOOD, 1},
    {"GULL_VERIFY", "3", RANGE, 0},
    {"GULL_VERIFY", "yes", MALFORMED, 0},
    {"GULL_STRESS", "0", GOOD, 0},
    {"GULL_STRESS", "1000", GOOD, 1000},
    {"GULL_STRESS", "1000000000", GOOD, 1e9},
    {"GULL_STRESS", "1000000001", RANGE, 0},
    {"GULL_STRESS", "1e9", MALFORMED, 0},
    {"GULL_STRESS", "-5", MALFORMED, 0},
};

Test(options, every_variable_good_malformed_out_of_range, .init = clear_gull_env)
{
    gull_config def;
    gull_config_init(&def);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const vcase *c = &cases[i];
        capture cap;
        gull_config out;
        setenv(c->var, c->value, 1);
        effective_default(&cap, &out);
        unsetenv(c->var);

        double got = field_of(&out, c->var);
        if (c->expect == GOOD) {
            cr_expect_eq(cap.n, 0, "%s=\"%s\": unexpected message: %s", c->var, c->value,
                         cap.n ? cap.text[0] : "");
            cr_expect_eq(got, c->want, "%s=\"%s\": got %.17g, want %.17g", c->var, c->value,
                         got, c->want);
            continue;
        }
        double dflt = field_of(&def, c->var);
        cr_expect_eq(got, dflt, "%s=\"%s\": the default %.17g should be kept, got %.17g",
                     c->var, c->value, dflt, got);
        cr_expect_eq(cap.n, 1, "%s=\"%s\": want exactly one message, got %d", c->var,
                     c->value, cap.n);
        if (cap.n < 1)
            continue;
        const char *m = cap.text[0];
        char quoted[128];
        snprintf(quoted, sizeof quoted, "\"%s\"", c->value);
        cr_expect_eq(cap.code[0], GULL_ERR_BAD_CONFIG, "%s=\"%s\": code %d", c->var, c->value,
                     cap.code[0]);
        cr_expect(strstr(m, c->var) != NULL, "message does not name %s: %s", c->var, m);
        cr_expect(strstr(m, quoted) != NULL, "message does not quote the value %s: %s",
                  quoted, m);
        cr_expect(strstr(m, "expected") != NULL, "message gives no accepted form: %s", m);
        cr_expect(strstr(m, "default") != NULL, "message does not say the default is kept: %s",
                  m);
        cr_expect(strchr(m, '\n') == NULL, "message is more than one line: %s", m);
        if (c->expect == RANGE)
            cr_expect(strstr(m, "out of range") != NULL, "%s", m);
        else
            cr_expect(strstr(m, "not a valid") != NULL, "%s", m);
    }
}

Test(options, several_variables_at_once, .init = clear_gull_env)
{
    capture cap;
    gull_config out;
    setenv("GULL_NURSERY_SIZE", "16M", 1);
    setenv("GULL_PROMOTE_AGE", "2", 1);
    setenv("GULL_OLD_GROWTH", "0.5", 1);
    setenv("GULL_MODE", "full", 1);
    setenv("GULL_STRESS", "bad", 1);
    effective_default(&cap, &out);
    cr_expect_eq(out.nursery_size, (size_t)16 << 20);
    cr_expect_eq(out.promote_age, 2u);
    cr_expect_eq(out.old_growth, 0.5);
    cr_expect_eq(out.mode, GULL_MODE_FULL);
    cr_expect_eq(out.stress, 0ul);
    cr_expect_eq(cap.n, 1);
    cr_expect_eq(mentions(&cap, "GULL_STRESS"), 1);
}

/* ---------------------------------------------------------------- modes */

/* GULL_MODE=inc and GULL_MODE=rc are taken as they are (rc was reported
 * and replaced by gen until issue 10's part 1 built it). */
Test(options, modes_inc_and_rc_are_built, .init = clear_gull_env)
{
    static const struct { const char *name; gull_mode runs; int reports; } modes[] = {
        {"inc", GULL_MODE_INC, 0},
        {"rc", GULL_MODE_RC, 0},
    };
    for (int i = 0; i < 2; i++) {
        capture cap;
        gull_config host, out;
        gull_config_init(&host);
        setenv("GULL_MODE", modes[i].name, 1);
        memset(&cap, 0, sizeof cap);
        host.on_error = on_error;
        host.error_ctx = &cap;
        gull_heap *h = gull_heap_create(&host);
        cr_assert_not_null(h);
        gull_get_config(h, &out);
        cr_expect_eq(out.mode, modes[i].runs, "GULL_MODE=%s", modes[i].name);
        cr_expect_eq(gull_heap_mode(h), modes[i].runs, "GULL_MODE=%s", modes[i].name);
        gull_heap_destroy(h);
        cr_expect_eq(cap.n, modes[i].reports, "GULL_MODE=%s", modes[i].name);
        if (cap.n < 1)
            continue;
        char want[64];
        snprintf(want, sizeof want, "GULL_MODE=%s is not available yet", modes[i].name);
        cr_expect(strstr(cap.text[0], want) != NULL, "%s", cap.text[0]);
        cr_expect(strstr(cap.text[0], "using gen") != NULL, "%s", cap.text[0]);
        cr_expect_eq(cap.code[0], GULL_ERR_BAD_CONFIG);
    }
}

/* ---------------------------------------------------------------- unknown names */

Test(options, unknown_names_get_a_suggestion, .init = clear_gull_env)
{
    static const struct { const char *name, *suggest; } unknown[] = {
        {"GULL_NURSRY_SIZE", "GULL_NURSERY_SIZE"},
        {"GULL_NURSERY", "GULL_NURSERY_SIZE"},
        {"GULL_TRCE", "GULL_TRACE"},
        {"GULL_trace", "GULL_TRACE"},
        {"GULL_STAT", "GULL_STATS"},
        {"GULL_PAUSELOG", "GULL_PAUSE_LOG"},
        {"GULL_HEAPMAX", "GULL_HEAP_MAX"},
        {"GULL_OLD_GROWHT", "GULL_OLD_GROWTH"},
        {"GULL_XYZZY_FROBNICATE", NULL}, /* nothing close: no suggestion */
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        capture cap;
        gull_config out;
        setenv(unknown[i].name, "7", 1);
        effective_default(&cap, &out);
        unsetenv(unknown[i].name);
        cr_expect_eq(cap.n, 1, "%s: want one message, got %d", unknown[i].name, cap.n);
        if (cap.n < 1)
            continue;
        const char *m = cap.text[0];
        cr_expect_eq(cap.code[0], GULL_ERR_BAD_CONFIG);
        cr_expect(strstr(m, unknown[i].name) != NULL, "does not name %s: %s", unknown[i].name,
                  m);
        cr_expect(strstr(m, "unknown") != NULL, "%s", m);
        if (unknown[i].suggest) {
            char want[128];
            snprintf(want, sizeof want, "did you mean %s?", unknown[i].suggest);
            cr_expect(strstr(m, want) != NULL, "%s: want \"%s\" in: %s", unknown[i].name, want,
                      m);
        } else {
            cr_expect(strstr(m, "did you mean") == NULL, "%s", m);
        }
    }
}

Test(options, non_gull_variables_are_not_ours, .init = clear_gull_env)
{
    capture cap;
    gull_config out;
    setenv("GULLIBLE", "1", 1);
    setenv("XGULL_TRACE", "1", 1);
    effective_default(&cap, &out);
    cr_expect_eq(cap.n, 0, "%s", cap.n ? cap.text[0] : "");
    cr_expect(!out.trace);
}

/* ---------------------------------------------------------------- precedence */

Test(options, precedence_default_host_environment, .init = clear_gull_env)
{
    capture cap;
    gull_config host, out;

    gull_config_init(&host);
    host.nursery_size = (size_t)8 << 20;
    host.old_growth = 2.5;
    effective(&host, &cap, &out);
    cr_expect_eq(out.nursery_size, (size_t)8 << 20, "host beats default");
    cr_expect_eq(out.old_growth, 2.5);
    cr_expect_eq(out.promote_age, 1u, "untouched field keeps the default");
    cr_expect_eq(cap.n, 0);

    setenv("GULL_NURSERY_SIZE", "16M", 1);
    effective(&host, &cap, &out);
    cr_expect_eq(out.nursery_size, (size_t)16 << 20, "environment beats host");
    cr_expect_eq(out.old_growth, 2.5, "host value of another field stays");
    cr_expect_eq(cap.n, 0);

    setenv("GULL_NURSERY_SIZE", "bogus", 1);
    effective(&host, &cap, &out);
    cr_expect_eq(out.nursery_size, (size_t)8 << 20, "a bad value keeps the host's");
    cr_expect_eq(cap.n, 1);
    if (cap.n >= 1) {
        cr_expect(strstr(cap.text[0], "host") != NULL,
                  "message should say the host's value is kept: %s", cap.text[0]);
        cr_expect(strstr(cap.text[0], "8M") != NULL, "message should show 8M: %s",
                  cap.text[0]);
    }
}

Test(options, null_config_still_reads_environment, .init = clear_gull_env)
{
    setenv("GULL_NURSERY_SIZE", "2M", 1);
    gull_heap *h = gull_heap_create(NULL);
    cr_assert_not_null(h);
    gull_config out;
    gull_get_config(h, &out);
    cr_expect_eq(out.nursery_size, (size_t)2 << 20);
    gull_heap_destroy(h);
}

Test(options, ignore_env_reads_nothing, .init = clear_gull_env)
{
    capture cap;
    gull_config host, out;
    gull_config_init(&host);
    host.nursery_size = (size_t)8 << 20;
    host.ignore_env = true;
    setenv("GULL_NURSERY_SIZE", "16M", 1);
    setenv("GULL_TRACE", "maybe", 1);
    setenv("GULL_NO_SUCH_THING", "1", 1);
    effective(&host, &cap, &out);
    cr_expect_eq(out.nursery_size, (size_t)8 << 20);
    cr_expect(!out.trace);
    cr_expect_eq(cap.n, 0, "%s", cap.n ? cap.text[0] : "");
}

/* ---------------------------------------------------------------- paths */

Test(options, pause_log_path, .init = clear_gull_env)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gull-test-options-%ld.log", (long)getpid());
    setenv("GULL_PAUSE_LOG", path, 1);
    capture cap;
    memset(&cap, 0, sizeof cap);
    gull_config host, out;
    gull_config_init(&host);
    host.on_error = on_error;
    host.error_ctx = &cap;
    gull_heap *h = gull_heap_create(&host);
    cr_assert_not_null(h);
    gull_get_config(h, &out);
    cr_assert_not_null(out.pause_log);
    cr_expect_str_eq(out.pause_log, path);
    gull_heap_destroy(h);
    cr_expect_eq(cap.n, 0, "%s", cap.n ? cap.text[0] : "");
    unlink(path);

    /* empty = unset: the host's value stays */
    setenv("GULL_PAUSE_LOG", "", 1);
    host.pause_log = NULL;
    h = gull_heap_create(&host);
    cr_assert_not_null(h);
    gull_get_config(h, &out);
    cr_expect_null(out.pause_log);
    gull_heap_destroy(h);
}

/* ---------------------------------------------------------------- stderr */

/* Without a handler, a problem is one line on stderr starting "gull: ". */
Test(options, without_handler_one_line_on_stderr, .init = clear_gull_env)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gull-test-options-err-%ld", (long)getpid());
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = fopen(path, "w+");
    cr_assert_not_null(tmp);
    dup2(fileno(tmp), 2);

    setenv("GULL_NURSERY_SIZE", "4X", 1);
    gull_heap *h = gull_heap_create(NULL);
    gull_heap_destroy(h);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char buf[4096] = {0};
    rewind(tmp);
    size_t n = fread(buf, 1, sizeof buf - 1, tmp);
    fclose(tmp);
    unlink(path);
    buf[n] = '\0';
    cr_assert_not_null(h);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 1, "want one line on stderr, got:\n%s", buf);
    cr_expect(strncmp(buf, "gull: ", 6) == 0, "%s", buf);
    cr_expect(strstr(buf, "GULL_NURSERY_SIZE") != NULL, "%s", buf);
    cr_expect(strstr(buf, "\"4X\"") != NULL, "%s", buf);
}

/* ---------------------------------------------------------------- the table */

static char *print_options(bool markdown)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    gull_print_options(f, markdown);
    fclose(f);
    return text;
}

Test(options, table_lists_every_variable, .init = clear_gull_env)
{
    static const char *const names[] = {
        "GULL_MODE", "GULL_NURSERY_SIZE", "GULL_PROMOTE_AGE", "GULL_OLD_GROWTH",
        "GULL_HEAP_INITIAL", "GULL_HEAP_MAX", "GULL_EXTERNAL_LIMIT", "GULL_MEMORY_LIMIT",
        "GULL_EXTERNAL_PACING", "GULL_CONSERVATIVE", "GULL_INTERIOR_POINTERS", "GULL_STATS",
        "GULL_TRACE", "GULL_PAUSE_LOG", "GULL_VERIFY", "GULL_STRESS"};
    char *md = print_options(true), *txt = print_options(false);
    cr_expect(strncmp(md, "| Variable | Type | Default | Range | Meaning |\n", 47) == 0, "%s",
              md);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char cell[64];
        snprintf(cell, sizeof cell, "| `%s` |", names[i]);
        cr_expect(strstr(md, cell) != NULL, "markdown table lacks %s", names[i]);
        cr_expect(strstr(txt, names[i]) != NULL, "plain table lacks %s", names[i]);
    }
    free(md);
    free(txt);
}

/* README.md carries gull_print_options(markdown) byte for byte between
 * <!-- options:begin --> and <!-- options:end -->.  To refresh it, replace
 * the lines between the markers with the output this test prints. */
Test(options, readme_table_is_generated, .init = clear_gull_env)
{
    const char *top = getenv("top_srcdir");
    char path[4096];
    snprintf(path, sizeof path, "%s/README.md", top ? top : ".");
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s (make check sets top_srcdir)", path);
    char *readme = NULL;
    size_t cap = 0;
    FILE *mem = open_memstream(&readme, &cap);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(f);
    fclose(mem);

    static const char begin[] = "<!-- options:begin -->\n", end[] = "<!-- options:end -->";
    char *b = strstr(readme, begin);
    cr_assert_not_null(b, "README.md lacks the line %s", begin);
    b += strlen(begin);
    char *e = strstr(b, end);
    cr_assert_not_null(e, "README.md lacks the line %s", end);
    *e = '\0';

    char *want = print_options(true);
    if (strcmp(b, want) != 0)
        cr_log_error("README.md's options table is stale; put this between the markers:\n%s",
                     want);
    cr_expect_str_eq(b, want);
    free(want);
    free(readme);
}
