/* options.c — the one table of tunables, and the one place that reads the
 * environment (DESIGN.md section 6).
 *
 * The model.  Every tunable is one row of `options[]`: its GULL_* name, its
 * kind, its default written as the user would write it, its range, one line
 * of meaning, and the gull_config field it lands in (offsetof).  Everything
 * else is derived from the row:
 *   options_defaults   parses each row's default text with the same parser
 *                      the environment goes through (.one-parser), so the
 *                      documented default and the real one cannot drift;
 *   options_apply_env  parses, checks the range, stores into the field;
 *   options_print      prints each field back as `NAME = value`;
 *   gull_print_options prints the table itself, in the markdown form that
 *                      README.md carries byte for byte (tests/test_options.c
 *                      checks this).
 *
 * .precedence  built-in defaults < the host's gull_config < the environment.
 *          A variable that cannot be used (malformed, out of range) leaves
 *          the field as it was, i.e. the host's value or the default, and
 *          says which.  It never makes heap creation fail.
 *
 * .report  Each problem is one line: through cfg->on_error(NULL,
 *          GULL_ERR_BAD_CONFIG, line, cfg->error_ctx) when the host set a
 *          handler (no "gull: " prefix, no newline, as for every handler
 *          call), else "gull: <line>\n" on stderr.  The line names the
 *          variable, the value (quoted, so stray spaces show), the accepted
 *          form, and what is kept.  There is no heap yet when this runs,
 *          hence no heap_error().
 *
 * Accepted forms (also printed under the README table):
 *   size      decimal digits, optionally followed by K, M, G or T in either
 *             case, itself optionally followed by B or iB (KB, KiB, mb, ...).
 *             The multiples are binary (K = 1024).  Overflow is an error.
 *   count     decimal digits.
 *   fraction  decimal digits with an optional fractional part (1, 1.5, .25);
 *             no exponent, no sign; not locale dependent.
 *   bool      1/0, yes/no, true/false, on/off, in any case.
 *   enum      one of the listed names, in any case.
 *   path      any non-empty string.
 *   An empty value is the same as an unset variable.
 *
 * No mutable global state: the table is static const, and the environment is
 * read by walking `environ` once per call (per heap creation).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

extern char **environ;

/* ---------------------------------------------------------------- the table */

typedef enum opt_kind { K_SIZE, K_COUNT, K_FRACTION, K_BOOL, K_ENUM, K_PATH } opt_kind;

static const char *const kind_name[] = {"size", "count", "fraction", "bool", "enum", "path"};

/* GULL_MODE's names, indexed by gull_mode. */
static const char *const mode_names[] = {"gen", "full", "inc", "rc"};
#define NMODES (sizeof mode_names / sizeof mode_names[0])
_Static_assert(GULL_MODE_GEN == 0 && GULL_MODE_FULL == 1 && GULL_MODE_INC == 2 &&
                   GULL_MODE_RC == 3,
               "mode_names[] is indexed by gull_mode");

typedef struct option {
    const char *name;     /* GULL_... */
    opt_kind kind;
    const char *dflt;     /* the default as the user would write it (.one-parser) */
    double min, max;      /* accepted range (sizes in bytes), inclusive */
    bool zero_ok;         /* 0 is accepted outside [min, max] ("0 = unlimited") */
    size_t offset;        /* offsetof(gull_config, field) */
    size_t width;         /* sizeof the field */
    const char *field;    /* its name, for the documentation */
    const char *meaning;  /* one line */
} option;

#define KiB 1024.0
#define MiB (1024.0 * KiB)
#define GiB (1024.0 * MiB)
#define TiB (1024.0 * GiB)
#define FIELD(f) offsetof(gull_config, f), sizeof(((gull_config *)0)->f), #f

/* The three limits take "0 or 1M..1T" rather than any size: a limit below
 * a megabyte is almost surely a missing suffix (GULL_HEAP_MAX=512 meaning
 * 512M), and saying so beats a heap that fails its first block. */
static const option options[] = {
    {"GULL_MODE", K_ENUM, "gen", 0, NMODES - 1, false, FIELD(mode),
     "collector: gen (generational), inc (generational, old generation marked "
     "incrementally), rc (old objects reference-counted, cycles found by trial deletion) "
     "or full (non-generational)"},
    {"GULL_NURSERY_SIZE", K_SIZE, "1M", 64 * KiB, 1 * GiB, false, FIELD(nursery_size),
     "bytes allocated between minor collections (larger: more throughput, longer minor pauses); "
     "inc and rc: the most, shrunk so that a minor fits half the step budget"},
    {"GULL_PROMOTE_AGE", K_COUNT, "1", 1, MAX_PROMOTE_AGE, false, FIELD(promote_age),
     "minor collections an object survives before it is promoted"},
    {"GULL_OLD_GROWTH", K_FRACTION, "1.0", 0.05, 20, false, FIELD(old_growth),
     "major collection when the old generation grew by this fraction since the last major"},
    {"GULL_STEP_BUDGET", K_FRACTION, "0.5", 0, 1000, false, FIELD(step_budget_ms),
     "inc: longest incremental step in milliseconds, also the minor collections' goal; rc: the "
     "most a pause spends freeing and finding cycles after its minor collection (0 = no clock: "
     "bounded by work alone, repeatable runs)"},
    {"GULL_MARK_RATIO", K_FRACTION, "2", 0, 100, false, FIELD(mark_ratio),
     "inc: marking paid per allocated byte, as a multiple of what finishes the cycle just at "
     "the heap target (0 = only gull_step and fallbacks)"},
    {"GULL_INC_TRIGGER", K_FRACTION, "0.5", 0, 1, false, FIELD(inc_trigger),
     "inc: a cycle starts this far (0..1) from the last live size to the next major's target"},
    {"GULL_STEP_SHARE", K_FRACTION, "0.5", 0.05, 1, false, FIELD(step_share),
     "inc: the most of the time a run of marking steps takes (lower: better utilization, the "
     "heap grows more while marking; 1 = a step whenever one is owed: least memory)"},
    {"GULL_CYCLE_THRESHOLD", K_COUNT, "10000", 1, 1e8, false, FIELD(cycle_threshold),
     "rc: cycle candidates (objects whose count dropped but not to 0) that start the cycle "
     "collector; it then adapts: doubled after a collection that found little garbage, halved "
     "after one that found much"},
    {"GULL_HEAP_INITIAL", K_SIZE, "8M", 0, 1 * TiB, false, FIELD(heap_initial),
     "no major collection before the heap reaches this"},
    {"GULL_HEAP_MAX", K_SIZE, "0", 1 * MiB, 1 * TiB, true, FIELD(heap_max),
     "heap limit, 0 = unlimited; the out-of-memory handler is called when a full "
     "collection cannot stay below it"},
    {"GULL_EXTERNAL_LIMIT", K_SIZE, "0", 1 * MiB, 1 * TiB, true, FIELD(external_limit),
     "limit on native bytes the host reported, 0 = unlimited"},
    {"GULL_MEMORY_LIMIT", K_SIZE, "0", 1 * MiB, 1 * TiB, true, FIELD(memory_limit),
     "limit on heap plus native bytes (like GOMEMLIMIT), 0 = unlimited"},
    {"GULL_EXTERNAL_PACING", K_BOOL, "1", 0, 1, false, FIELD(external_pacing),
     "native bytes count toward collection pacing"},
    {"GULL_CONSERVATIVE", K_BOOL, "0", 0, 1, false, FIELD(conservative_stack),
     "scan the creating thread's stack and registers conservatively"},
    {"GULL_INTERIOR_POINTERS", K_BOOL, "1", 0, 1, false, FIELD(interior_pointers),
     "a conservative word pointing inside an object keeps it alive"},
    {"GULL_SHOW_CONFIG", K_BOOL, "0", 0, 1, false, FIELD(show_config),
     "print the effective configuration (every tunable) on stderr when the heap is created"},
    {"GULL_STATS", K_BOOL, "0", 0, 1, false, FIELD(stats),
     "print statistics and the effective configuration when the heap is destroyed"},
    {"GULL_TRACE", K_BOOL, "0", 0, 1, false, FIELD(trace),
     "one line per collection on stderr"},
    {"GULL_PAUSE_LOG", K_PATH, "", 0, 0, false, FIELD(pause_log),
     "append one line per pause to this file"},
    {"GULL_VERIFY", K_COUNT, "0", 0, 2, false, FIELD(verify),
     "verify the heap around collections: 1 = the whole heap at majors and every 8th minor, "
     "the young, remembered and roots at the others; 2 = the whole heap every time"},
    {"GULL_STRESS", K_COUNT, "0", 0, 1e9, false, FIELD(stress),
     "collect every N allocations, 0 = off"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

/* What is stored in a field, whatever its kind. */
typedef union value {
    uint64_t u;       /* size, count, bool, enum */
    double d;         /* fraction */
    const char *s;    /* path; NULL = none */
} value;

/* ---------------------------------------------------------------- parsing */

static bool eq_nocase(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

/* A parse either works, meets a malformed value, or meets a well-formed
 * number too large for 64 bits (reported as out of range). */
typedef enum parsed { P_OK, P_MALFORMED, P_OVERFLOW } parsed;

/* Decimal digits into *out.  *end is set past the digits; *over is set when
 * they do not fit (the digits are still consumed). */
static bool parse_digits(const char *s, const char **end, uint64_t *out, bool *over)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (__builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
            *over = true;
    }
    *end = p;
    *out = v;
    return p != s;
}

static parsed parse_size(const char *s, uint64_t *out)
{
    const char *p;
    uint64_t v;
    bool over = false;
    if (!parse_digits(s, &p, &v, &over))
        return P_MALFORMED;
    unsigned shift = 0;
    switch (*p) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
    }
    if (shift) {
        p++;
        if (*p == 'i' || *p == 'I') {
            p++;
            if (*p != 'b' && *p != 'B')
                return P_MALFORMED;
        }
        if (*p == 'b' || *p == 'B')
            p++;
        if (v > (UINT64_MAX >> shift))
            over = true;
        v <<= shift;
    }
    if (*p != '\0')
        return P_MALFORMED;
    *out = v;
    return over ? P_OVERFLOW : P_OK;
}

static parsed parse_count(const char *s, uint64_t *out)
{
    const char *p;
    bool over = false;
    if (!parse_digits(s, &p, out, &over) || *p != '\0')
        return P_MALFORMED;
    return over ? P_OVERFLOW : P_OK;
}

/* digits [. digits] | . digits — by hand, so the host's locale (a decimal
 * comma) cannot change what GULL_OLD_GROWTH=1.5 means. */
/* Digits, optionally a '.' and digits; not strtod, whose decimal point
 * follows the host's locale.  The value is (all digits as an integer) /
 * 10^(digits after the point): both exact up to 15 digits, so one
 * division gives the double nearest the text ("0.3" is 0.3, not the
 * 0.30000000000000004 of adding up tenths). */
static parsed parse_fraction(const char *s, double *out)
{
    double v = 0, scale = 1;
    bool any = false;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++, any = true)
        v = v * 10 + (*p - '0');
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = true) {
            v = v * 10 + (*p - '0');
            scale *= 10;
        }
    }
    if (!any || *p != '\0')
        return P_MALFORMED;
    *out = v / scale;
    return isfinite(*out) ? P_OK : P_OVERFLOW;
}

static parsed parse_bool(const char *s, uint64_t *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (eq_nocase(s, yes[i])) { *out = 1; return P_OK; }
        if (eq_nocase(s, no[i])) { *out = 0; return P_OK; }
    }
    return P_MALFORMED;
}

static parsed parse_enum(const char *s, uint64_t *out)
{
    for (size_t i = 0; i < NMODES; i++)
        if (eq_nocase(s, mode_names[i])) {
            *out = i;
            return P_OK;
        }
    return P_MALFORMED;
}

/* .one-parser: the defaults and the environment both come through here.
 * The range is checked separately (in_range). */
static parsed parse(const option *o, const char *s, value *v)
{
    switch (o->kind) {
    case K_SIZE: return parse_size(s, &v->u);
    case K_COUNT: return parse_count(s, &v->u);
    case K_FRACTION: return parse_fraction(s, &v->d);
    case K_BOOL: return parse_bool(s, &v->u);
    case K_ENUM: return parse_enum(s, &v->u);
    case K_PATH: v->s = *s ? s : NULL; return P_OK;
    }
    return P_MALFORMED;
}

static bool in_range(const option *o, value v)
{
    switch (o->kind) {
    case K_FRACTION: return v.d >= o->min && v.d <= o->max;
    case K_PATH: return true;
    default:
        return (o->zero_ok && v.u == 0) ||
               ((double)v.u >= o->min && (double)v.u <= o->max);
    }
}

/* ---------------------------------------------------------------- fields */

static void store(const option *o, gull_config *cfg, value v)
{
    char *f = (char *)cfg + o->offset;
    switch (o->kind) {
    case K_FRACTION: ASSERT(o->width == sizeof(double)); memcpy(f, &v.d, sizeof v.d); return;
    case K_PATH: ASSERT(o->width == sizeof(char *)); memcpy(f, &v.s, sizeof v.s); return;
    case K_BOOL: { ASSERT(o->width == sizeof(bool)); bool b = v.u != 0; memcpy(f, &b, sizeof b); return; }
    case K_ENUM: { ASSERT(o->width == sizeof(gull_mode)); gull_mode m = (gull_mode)v.u; memcpy(f, &m, sizeof m); return; }
    case K_SIZE:
    case K_COUNT:
        /* Unsigned integer fields of any width: range checks keep v.u small
         * enough for the narrowest (promote_age, verify: unsigned). */
        switch (o->width) {
        case 1: { uint8_t x = (uint8_t)v.u; memcpy(f, &x, 1); return; }
        case 2: { uint16_t x = (uint16_t)v.u; memcpy(f, &x, 2); return; }
        case 4: { uint32_t x = (uint32_t)v.u; memcpy(f, &x, 4); return; }
        case 8: memcpy(f, &v.u, 8); return;
        }
    }
    ASSERT(!"option field of an unexpected width");
}

static value load(const option *o, const gull_config *cfg)
{
    const char *f = (const char *)cfg + o->offset;
    value v = {0};
    switch (o->kind) {
    case K_FRACTION: memcpy(&v.d, f, sizeof v.d); break;
    case K_PATH: memcpy(&v.s, f, sizeof v.s); break;
    case K_BOOL: { bool b; memcpy(&b, f, sizeof b); v.u = b; break; }
    case K_ENUM: { gull_mode m; memcpy(&m, f, sizeof m); v.u = (uint64_t)m; break; }
    case K_SIZE:
    case K_COUNT:
        switch (o->width) {
        case 1: { uint8_t x; memcpy(&x, f, 1); v.u = x; break; }
        case 2: { uint16_t x; memcpy(&x, f, 2); v.u = x; break; }
        case 4: { uint32_t x; memcpy(&x, f, 4); v.u = x; break; }
        default: memcpy(&v.u, f, 8); break;
        }
        break;
    }
    return v;
}

static bool value_eq(const option *o, value a, value b)
{
    switch (o->kind) {
    case K_FRACTION: return a.d == b.d;
    case K_PATH: return (a.s == NULL && b.s == NULL) || (a.s && b.s && strcmp(a.s, b.s) == 0);
    default: return a.u == b.u;
    }
}

/* ---------------------------------------------------------------- formatting */

/* A size the way a user writes it: the largest binary unit that divides it
 * exactly (4M, 64K, 1536K), so what we print parses back to the same value. */
static void fmt_size(char *buf, size_t n, uint64_t v)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && v != 0 && (v & 1023) == 0) {
        v >>= 10;
        u++;
    }
    if (u < 0)
        snprintf(buf, n, "%llu", (unsigned long long)v);
    else
        snprintf(buf, n, "%llu%c", (unsigned long long)v, units[u]);
}

static void fmt_value(char *buf, size_t n, const option *o, value v)
{
    switch (o->kind) {
    case K_SIZE: fmt_size(buf, n, v.u); break;
    case K_COUNT: snprintf(buf, n, "%llu", (unsigned long long)v.u); break;
    case K_FRACTION: snprintf(buf, n, "%g", v.d); break;
    case K_BOOL: snprintf(buf, n, "%d", v.u ? 1 : 0); break;
    case K_ENUM:
        snprintf(buf, n, "%s", v.u < NMODES ? mode_names[v.u] : "(invalid)");
        break;
    case K_PATH: snprintf(buf, n, "%s", v.s ? v.s : "(none)"); break;
    }
}

static void fmt_default(char *buf, size_t n, const option *o)
{
    snprintf(buf, n, "%s", o->kind == K_PATH && !*o->dflt ? "none" : o->dflt);
}

static void fmt_range(char *buf, size_t n, const option *o)
{
    char lo[24], hi[24];
    switch (o->kind) {
    case K_SIZE:
        fmt_size(lo, sizeof lo, (uint64_t)o->min);
        fmt_size(hi, sizeof hi, (uint64_t)o->max);
        snprintf(buf, n, "%s%s..%s", o->zero_ok ? "0 or " : "", lo, hi);
        break;
    case K_COUNT:
        snprintf(buf, n, "%s%.0f..%.0f", o->zero_ok ? "0 or " : "", o->min, o->max);
        break;
    case K_FRACTION: snprintf(buf, n, "%g..%g", o->min, o->max); break;
    case K_BOOL: snprintf(buf, n, "0 or 1"); break;
    case K_ENUM: {
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < NMODES && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", mode_names[i]);
        break;
    }
    case K_PATH: snprintf(buf, n, "a file name"); break;
    }
}

/* The accepted form, for messages. */
static const char *form_of(const option *o)
{
    switch (o->kind) {
    case K_SIZE: return "a decimal integer with an optional K, M, G or T suffix, e.g. 512K or 4M";
    case K_COUNT: return "a decimal integer";
    case K_FRACTION: return "a decimal number such as 0.5 or 1.5";
    case K_BOOL: return "1/0, yes/no, true/false or on/off";
    case K_ENUM: return "gen, full, inc or rc";
    case K_PATH: return "a file name";
    }
    return "?";
}

/* ---------------------------------------------------------------- reporting */

static void report(const gull_config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(const gull_config *cfg, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (cfg->on_error)
        cfg->on_error(NULL, GULL_ERR_BAD_CONFIG, line, cfg->error_ctx);
    else
        fprintf(stderr, "gull: %s\n", line);
}

/* A value as quoted in a message: at most 80 bytes, then "...", so that the
 * line stays one readable line.  Expands to the "%.*s%s" arguments. */
#define SHOWN(s) (int)(strlen(s) > 80 ? 80 : strlen(s)), (s), (strlen(s) > 80 ? "..." : "")

/* "keeping the default 4M" or "keeping the host's value 8M". */
static void what_is_kept(char *buf, size_t n, const option *o, const gull_config *cfg)
{
    value cur = load(o, cfg), def;
    char shown[64];
    bool ok = parse(o, o->dflt, &def) == P_OK;
    ASSERT(ok); /* every default parses: test_options checks gull_config_init */
    (void)ok;
    fmt_value(shown, sizeof shown, o, cur);
    snprintf(buf, n, "keeping %s %s", value_eq(o, cur, def) ? "the default" : "the host's value",
             shown);
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions), case-insensitive; names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAXN = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAXN || lb >= MAXN)
        return (size_t)-1;
    size_t d[MAXN][MAXN];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = toupper((unsigned char)a[i - 1]), cb = toupper((unsigned char)b[j - 1]);
            size_t cost = ca != cb;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == toupper((unsigned char)b[j - 2]) &&
                toupper((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static void report_unknown(const gull_config *cfg, const char *name, const char *val)
{
    const option *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < NOPTIONS; i++) {
        size_t d = edit_distance(name, options[i].name);
        if (d < best_d) {
            best_d = d;
            best = &options[i];
        }
    }
    /* A suggestion is worth making when it explains the name: a typo per
     * three letters after GULL_ (at least one), or a cut-off name. */
    size_t tail = strlen(name) - 5;
    if (!(best_d <= 1 || best_d * 3 <= tail)) {
        best = NULL;
        for (size_t i = 0; i < NOPTIONS && !best; i++)
            if (tail > 1 && strncasecmp(options[i].name, name, strlen(name)) == 0)
                best = &options[i];
    }
    if (best)
        report(cfg, "unknown variable %s=\"%.*s%s\" ignored; did you mean %s?", name,
               SHOWN(val), best->name);
    else
        report(cfg,
               "unknown variable %s=\"%.*s%s\" ignored; gull_print_options() and README.md "
               "list the GULL_* variables",
               name, SHOWN(val));
}

/* ---------------------------------------------------------------- applying */

static void apply_one(gull_config *cfg, const option *o, const char *name, const char *s)
{
    char kept[128], range[96];
    value v;
    if (!*s)
        return; /* empty = unset */
    parsed p = parse(o, s, &v);
    if (p == P_MALFORMED) {
        what_is_kept(kept, sizeof kept, o, cfg);
        report(cfg, "%s=\"%.*s%s\" is not a valid %s (expected %s); %s", name, SHOWN(s),
               o->kind == K_ENUM ? "value" : kind_name[o->kind], form_of(o), kept);
        return;
    }
    if (p == P_OVERFLOW || !in_range(o, v)) {
        what_is_kept(kept, sizeof kept, o, cfg);
        fmt_range(range, sizeof range, o);
        report(cfg, "%s=\"%.*s%s\" is out of range (expected %s); %s", name, SHOWN(s), range,
               kept);
        return;
    }
    store(o, cfg, v);
}

void options_apply_env(gull_config *cfg)
{
    if (cfg->ignore_env || !environ)
        return;
    for (char **e = environ; *e; e++) {
        const char *entry = *e;
        if (strncmp(entry, "GULL_", 5) != 0)
            continue;
        const char *eq = strchr(entry, '=');
        if (!eq)
            continue;
        char name[128];
        size_t len = (size_t)(eq - entry);
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, entry, len);
        name[len] = '\0';
        const option *o = NULL;
        for (size_t i = 0; i < NOPTIONS; i++)
            if (strcmp(name, options[i].name) == 0)
                o = &options[i];
        if (o)
            apply_one(cfg, o, name, eq + 1); /* K_PATH keeps a pointer into environ */
        else
            report_unknown(cfg, name, eq + 1);
    }
}

void options_defaults(gull_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NOPTIONS; i++) {
        value v;
        bool ok = parse(&options[i], options[i].dflt, &v) == P_OK;
        ASSERT(ok && in_range(&options[i], v));
        if (ok)
            store(&options[i], cfg, v);
    }
    /* Fields that are not tunables keep zero: no stack base (found by gull),
     * finalizers after collections, environment read, default handlers. */
}

void options_print(FILE *f, const gull_config *cfg)
{
    char buf[512];
    for (size_t i = 0; i < NOPTIONS; i++) {
        fmt_value(buf, sizeof buf, &options[i], load(&options[i], cfg));
        fprintf(f, "%s = %s\n", options[i].name, buf);
    }
}

/* One line, NAME=value separated by spaces (the pause log's header);
 * values with spaces are printed as they are. */
void options_print_line(FILE *f, const gull_config *cfg)
{
    char buf[512];
    for (size_t i = 0; i < NOPTIONS; i++) {
        fmt_value(buf, sizeof buf, &options[i], load(&options[i], cfg));
        fprintf(f, "%s%s=%s", i ? " " : "", options[i].name, buf);
    }
}

/* ---------------------------------------------------------------- public */

const char *gull_mode_name(gull_mode m)
{
    return (unsigned)m < NMODES ? mode_names[m] : "unknown";
}

void gull_config_init(gull_config *c)
{
    if (!c) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_config_init: c is NULL; pass a gull_config to fill");
        return;
    }
    options_defaults(c);
}

void gull_print_options(FILE *f, bool markdown)
{
    char dflt[32], range[96];
    if (!f) {
        heap_error(NULL, GULL_ERR_NULL_ARG,
                   "gull_print_options: f is NULL; pass a FILE such as stdout");
        return;
    }
    if (markdown) {
        fputs("| Variable | Type | Default | Range | Meaning |\n", f);
        fputs("|---|---|---|---|---|\n", f);
    } else {
        fprintf(f, "%-24s %-9s %-8s %-18s %s\n", "variable", "type", "default", "range",
                "meaning");
    }
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option *o = &options[i];
        fmt_default(dflt, sizeof dflt, o);
        fmt_range(range, sizeof range, o);
        if (markdown)
            fprintf(f, "| `%s` | %s | %s | %s | %s (`%s`) |\n", o->name, kind_name[o->kind],
                    dflt, range, o->meaning, o->field);
        else
            fprintf(f, "%-24s %-9s %-8s %-18s %s (gull_config.%s)\n", o->name,
                    kind_name[o->kind], dflt, range, o->meaning, o->field);
    }
    if (markdown)
        fputs("\n"
              "Sizes are decimal integers with an optional `K`, `M`, `G` or `T` suffix in\n"
              "either case (also `KB`, `KiB`, ...); the multiples are binary (`K` = 1024).\n"
              "Bools accept `1`/`0`, `yes`/`no`, `true`/`false`, `on`/`off` in any case. An\n"
              "empty value is the same as an unset variable. The name in parentheses is the\n"
              "`gull_config` field.\n",
              f);
    else
        fputs("sizes: decimal integer with an optional K, M, G or T suffix (either case, also\n"
              "KB, KiB, ...), binary multiples; bools: 1/0, yes/no, true/false, on/off; an\n"
              "empty value is the same as an unset variable.\n",
              f);
}
