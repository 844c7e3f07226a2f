/* pacing.c — every decision about when and how much to collect (MPS keeps
 * these in policy.c; so do we).  This file decides and returns a decision
 * (pace_decision); alloc.c asks, collect.c carries it out.  It calls no
 * collector code.
 *
 * .minor   gen and inc: a minor collection when the bytes allocated since
 *          the last collection, plus the growth of native memory since then
 *          (weight 1: a native byte counts as a heap byte, when
 *          external_pacing is on), reach GULL_NURSERY_SIZE.
 * .nursery The nursery size is GULL_NURSERY_SIZE in gen, and at most that
 *          in inc and rc, where a minor collection must fit the pause goal
 *          (the step budget, GULL_STEP_BUDGET) like any step (in rc the
 *          zero-count pass and the cycle collector then get the budget): a minor costs
 *          about its survivors plus the young blocks' sweep, so after each
 *          one its CPU time per nursery byte is smoothed and the next
 *          nursery is the goal's worth of bytes, within [NURSERY_MIN,
 *          GULL_NURSERY_SIZE] and at most twice or half the last one (a
 *          preempted or unusual minor moves it only so far).  On the
 *          thread's CPU clock, so time the process was preempted does not
 *          shrink the nursery.  A program whose young objects die keeps the
 *          full nursery; one that builds long-lived data gets minors that
 *          stay within the goal, at the cost of more of them.
 * .major   gen: a major collection instead when the old generation (plus
 *          the native bytes that survived the last collection) has reached
 *          next_major, which is set after each major to
 *          (live + native) * (1 + GULL_OLD_GROWTH), and never below
 *          GULL_HEAP_INITIAL.  full mode collects on the same rule with all
 *          live bytes counted (there is no nursery).
 * .trigger inc (and rc: .backup): next_major is the target the old generation should not
 *          pass.  A cycle starts when it has grown GULL_INC_TRIGGER of the
 *          way from the last live size to the target, so that marking has
 *          the rest of the way to finish in.
 * .debt    inc: marking is paid by allocation (Lua's GCdebt).  Each byte
 *          allocated during a cycle adds `rate` bytes of work to a debt:
 *              rate = GULL_MARK_RATIO * work_left * p / room
 *          where work_left is the cycle's estimated work not yet done (the
 *          old generation at the flip, plus what is left to sweep before
 *          it), room is how far the old generation is below the target, and
 *          p is the share of allocated bytes that get promoted (smoothed
 *          over minor collections).  Allocation of room / p more bytes
 *          would bring the old generation to the target; by then the debt
 *          has asked for GULL_MARK_RATIO times the work left.  So with
 *          ratio >= 1 a cycle finishes before the target unless promotion
 *          runs ahead of its estimate.  A step runs when the debt reaches
 *          STEP_MIN_WORK, for the debt or GULL_STEP_BUDGET ms, whichever
 *          ends first; what a step leaves undone stays owed.
 * .assist  inc: when the old generation reaches the target while marking
 *          is still on, marking fell behind: from then on every allocation
 *          poll (each 16 KiB block refill) runs a step of the full time
 *          budget, whatever the debt, so marking takes a larger share of
 *          the time but no single pause grows (reported as "assist" in the
 *          trace and counted in gull_stats.mark_assists, as Go's mark
 *          assists make allocation pay more).  At 1.5 times the target, or
 *          at a heap limit, the cycle finishes in one pause ("behind").
 *          That is the bound: the old generation stays below
 *          1.5 * next_major plus one nursery.
 * .spacing inc: a step (for the debt or an assist) does not start until
 *          the mutator has run since the last pause (a step or a minor
 *          collection) ended for as long as that pause took, times
 *          (1 - s) / s, s = GULL_STEP_SHARE: so in any stretch of steps the
 *          mutator gets at least 1 - s of the time (minors that
 *          come due and lazy sweeping aside), where a step at every
 *          allocation poll gave windows of 10 ms with no mutator time at
 *          all (C GCBench ~260 MB live: MMU(10 ms) 0.0-0.1 before, 0.3-0.4
 *          after; a share of 0.3 measured no better, as minors and lazy
 *          sweeping then fill the worst windows).  The debt is charged
 *          either way; what is not paid stays owed, and marking that falls
 *          behind lets the old generation pass the target, up to
 *          SPACING_SLACK times it, where assists stop waiting (before the
 *          1.5 x bound of .assist would take a long pause).  The share
 *          (default 0.5) trades memory for utilization: on the small C
 *          GCBench 1 gives peak RSS 1.10x gen's and MMU(10 ms) 0.22, 0.5
 *          gives 1.2-1.4x and 0.35.
 * .floating inc: objects promoted during a cycle are black, so the cycle
 *          keeps them whether they live or not, and the next target would
 *          grow with them (more so the longer a cycle runs: spaced steps
 *          made the small C GCBench's peak RSS 1.4x gen's).  The base of
 *          the next target counts them at the survival rate the cycle
 *          measured on the old generation (marked / old at the flip): all
 *          of them while a heap is built, few in a steady state.
 * .limits  GULL_HEAP_MAX bounds committed heap bytes; GULL_MEMORY_LIMIT
 *          bounds heap + native; GULL_EXTERNAL_LIMIT bounds native.  When
 *          an allocation would cross one, alloc.c runs a major collection;
 *          only if that does not help is the out-of-memory handler called.
 *          Crossing a limit by native growth alone (gull_external_adjust)
 *          makes the next allocation collect.
 * .rc-budget rc: a pause frees what the zero-count table holds and runs
 *          the cycle collector until GULL_STEP_BUDGET ms from the start of
 *          the pause, its minor collection included (with GULL_STEP_BUDGET=0, for
 *          RC_PAUSE_WORK bytes of work: a freed object counts its size, a
 *          traversed one its size for each pass over it).  What is left
 *          stays in the table (rc_backlog), and the next pause comes after
 *          a quarter of a nursery, so freeing keeps pace with allocation in
 *          bounded pauses: dropping a list of ten million cells frees it
 *          over many pauses.
 * .cycles  rc: the cycle collector runs in a pause whose freeing left
 *          budget, when the candidate buffer holds cycle_threshold
 *          objects, or holds some and the old generation has grown a
 *          quarter of the way from the last live size to the next major's
 *          target since the last cycle collection (so garbage cycles are
 *          looked for before a major collection has to find them).  A due
 *          collection runs even when the pause's minor and freeing used its
 *          budget: marking gray gets at least RC_GRAY_SHARE of the budget
 *          (the pause then passes it by that much, plus scanning).  The threshold starts at GULL_CYCLE_THRESHOLD and
 *          adapts to what the collections find (as PHP's collector made its
 *          fixed root buffer adaptive): a collection that freed fewer
 *          objects than an eighth of the candidates it examined doubles it
 *          (up to CYCLE_THRESHOLD_GROWTH times the setting), one that freed
 *          more than half halves it (down to an eighth of the setting), so
 *          a program whose candidates are live data stops paying for trial
 *          deletion and one that makes garbage cycles gets them found
 *          sooner.
 * .backup  rc: the major cycle is a backup trace for what counting and the
 *          cycle collector left (cycles too big for a pause, sticky
 *          counts), paced as inc's cycles are (.trigger, .debt, .assist:
 *          rc.c .backup makes it incremental).  The old generation also
 *          grows with live data, and a cycle paced as in inc then finds
 *          little to free.  So a cycle that freed less than an eighth of
 *          the old generation doubles the growth allowed next
 *          (GULL_OLD_GROWTH times 1, 2, 4 ... up to RC_BACKUP_MAX), and one
 *          that found more garbage resets it: a growing heap gets fewer
 *          cycles, and garbage the counts miss still gets one.
 * Asked once per block refill (alloc.c), so the cost is per 16 KiB; and
 * when native memory grows past a trigger or a limit between refills,
 * pacing_external_changed() makes the next allocation poll (alloc.c .poll).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#define STEP_MIN_WORK ((size_t)64 << 10) /* .debt: smaller debts wait */
#define BEHIND_FACTOR 1.5                 /* .assist: finish in one pause */
#define SPACING_SLACK 1.25                /* .spacing: not past 1.25 x the target */
#define ASSIST_WORK ((size_t)1 << 20)    /* .work-only: an assist step's work */
#define NURSERY_MIN ((size_t)128 << 10)   /* .nursery: smaller nurseries cost more than they save */
#define RC_PAUSE_WORK ((size_t)1 << 20)   /* .rc-budget: a pause's work without a clock */
#define CYCLE_THRESHOLD_GROWTH 64         /* .cycles: the threshold's ceiling, times the setting */
#define RC_BACKUP_MAX 16                  /* .backup: GULL_OLD_GROWTH times this at most */
#define RC_GRAY_SHARE 0.5                 /* .cycles: trial deletion's least share of a pause */

static const pace_decision NONE = {PACE_NONE, NULL, {0, 0}};

/* Native bytes as of the last collection: the old generation's share.
 * Growth since then is young (.minor) until a collection shows it lives. */
static size_t native_weight(const gull_heap *h)
{
    return h->cfg.external_pacing ? h->external_at_gc : 0;
}

static size_t native_growth(const gull_heap *h)
{
    if (!h->cfg.external_pacing || h->external <= h->external_at_gc)
        return 0;
    return h->external - h->external_at_gc;
}

static void set_next_major(gull_heap *h)
{
    double base = (double)h->live_after_major + (double)native_weight(h);
    double next = base * (1.0 + h->cfg.old_growth * (double)h->rc_backup_factor);
    h->next_major = next > (double)h->cfg.heap_initial ? (size_t)next : h->cfg.heap_initial;
}

/* .trigger */
static size_t inc_trigger(const gull_heap *h)
{
    double base = (double)h->live_after_major + (double)native_weight(h);
    if (base > (double)h->next_major)
        base = (double)h->next_major;
    return (size_t)(base + ((double)h->next_major - base) * h->cfg.inc_trigger);
}

static uint64_t allocated_total(const gull_heap *h)
{
    return h->st.s.bytes_allocated + h->nursery_used;
}

void pacing_init(gull_heap *h)
{
    h->nursery_target = h->cfg.nursery_size;
    set_next_major(h);
    h->promo_rate = 1.0;
    h->rc_backup_factor = 1;
    h->rc_filter = SIZE_MAX;
    h->cycle_threshold = h->cfg.cycle_threshold ? h->cfg.cycle_threshold : 1;
    h->poll = pacing_poll_needed(h);
}

bool pacing_over_limit(const gull_heap *h)
{
    if (h->cfg.external_limit && h->external > h->cfg.external_limit)
        return true;
    if (h->cfg.memory_limit && h->committed + h->external > h->cfg.memory_limit)
        return true;
    return false;
}

bool pacing_may_grow(gull_heap *h, size_t bytes)
{
    if (h->cfg.heap_max && h->committed + bytes > h->cfg.heap_max)
        return false;
    if (h->cfg.memory_limit && h->committed + h->external + bytes > h->cfg.memory_limit)
        return false;
    return true;
}

static bool nursery_due(const gull_heap *h, size_t bytes)
{
    return h->nursery_used + native_growth(h) + bytes >= h->nursery_target;
}

static pace_decision decide(pace_action act, const char *why, budget b)
{
    pace_decision d = {act, why, b};
    return d;
}

/* .debt, .assist: the incremental cycle's part of the decision.
 * .work-only  GULL_STEP_BUDGET=0: no clock anywhere in the decisions
 * (steps bounded by work alone, an assist by ASSIST_WORK; no .spacing, no
 * .nursery adaptation), so that a run with a given seed repeats itself:
 * the tests use it. */
static budget step_budget(const gull_heap *h, size_t work)
{
    budget b = {work, 0};
    uint64_t ns = (uint64_t)(h->cfg.step_budget_ms * 1e6);
    if (ns)
        b.deadline_ns = os_now_ns() + ns;
    else if (work > ASSIST_WORK)
        b.work = ASSIST_WORK;
    return b;
}

/* .spacing */
static bool too_soon(const gull_heap *h)
{
    double share = h->cfg.step_share;
    if (!h->step_ns || h->cfg.step_budget_ms <= 0 || share >= 1.0)
        return false; /* .work-only, or no spacing asked for */
    uint64_t gap = (uint64_t)((double)h->step_ns * (1.0 - share) / share);
    return os_now_ns() - h->step_end_ns < gap;
}

static pace_decision inc_decide(gull_heap *h, size_t old)
{
    if (h->phase == PHASE_IDLE)
        return old >= inc_trigger(h) ? decide(PACE_START, "old-growth", step_budget(h, STEP_MIN_WORK))
                                     : NONE;

    uint64_t total = allocated_total(h);
    uint64_t delta = total - h->alloc_at_poll;
    h->alloc_at_poll = total;
    size_t target = h->next_major;
    if (old >= target * BEHIND_FACTOR || !pacing_may_grow(h, 0))
        return decide(PACE_STEP, "behind", BUDGET_UNLIMITED);
    double est = (double)h->cycle_start_old + (double)h->unswept * (BLOCK_SIZE / GRANULE);
    double left = est - (double)h->st.cycle_work;
    if (left < (double)STEP_MIN_WORK)
        left = (double)STEP_MIN_WORK;
    if (old < target) {
        double room = (double)(target - old);
        double p = h->promo_rate < 0.01 ? 0.01 : h->promo_rate;
        h->mark_debt += (double)delta * h->cfg.mark_ratio * left * p / room;
    }
    if (too_soon(h) && (double)old < (double)target * SPACING_SLACK)
        return NONE; /* .spacing: the debt stays owed */
    if (old >= target) /* .assist */
        return decide(PACE_STEP, "assist", step_budget(h, SIZE_MAX));
    if (h->mark_debt < (double)STEP_MIN_WORK)
        return NONE;
    return decide(PACE_STEP, "debt", step_budget(h, (size_t)h->mark_debt));
}

pace_decision pacing_decide(gull_heap *h, size_t bytes)
{
    if (h->in_pause)
        return NONE;
    size_t old = h->old_bytes + native_weight(h);
    if (h->major_requested)
        return decide(PACE_MAJOR, "requested", BUDGET_UNLIMITED);
    bool major_due = old + bytes >= h->next_major;
    switch (h->cfg.mode) {
    case GULL_MODE_FULL:
        if (major_due ||
            heap_live_bytes(h) + native_weight(h) + native_growth(h) + bytes >= h->next_major)
            return decide(PACE_MAJOR, "growth", BUDGET_UNLIMITED);
        return NONE;
    case GULL_MODE_INC:
    case GULL_MODE_RC: {
        /* .minor-first  A due minor goes before a step: a step is due at
         * nearly every poll while marking runs behind its debt, and
         * deciding it first let the nursery grow to several times its
         * size, so minors paused several ms.  pace() asks again after the
         * minor and gets the step. */
        if (nursery_due(h, bytes))
            break;
        pace_decision d = inc_decide(h, old + bytes);
        if (d.act != PACE_NONE)
            return d;
        /* .rc-budget: freeing left over from the last pause */
        if (h->rc_backlog && h->nursery_used + bytes >= h->nursery_target / 4)
            return decide(PACE_MINOR, "rc-backlog", BUDGET_UNLIMITED);
        break;
    }
    default:
        if (major_due)
            return decide(PACE_MAJOR, "old-growth", BUDGET_UNLIMITED);
        break;
    }
    if (nursery_due(h, bytes))
        return decide(PACE_MINOR, native_growth(h) ? "nursery+native" : "nursery", BUDGET_UNLIMITED);
    return NONE;
}

void pacing_cycle_started(gull_heap *h)
{
    h->alloc_at_poll = allocated_total(h);
    h->mark_debt = 0;
}

void pacing_step_done(gull_heap *h, size_t work, uint64_t start_ns, uint64_t end_ns)
{
    h->step_end_ns = end_ns;
    h->step_ns = end_ns - start_ns;
    h->mark_debt -= (double)work;
    if (h->mark_debt < 0)
        h->mark_debt = 0;
}

/* .rc-budget */
budget pacing_rc_budget(const gull_heap *h)
{
    budget b = {RC_PAUSE_WORK, 0};
    uint64_t ns = (uint64_t)(h->cfg.step_budget_ms * 1e6);
    if (ns) {
        /* from the pause's start: the minor collection before the pass
         * spends the same budget (the pass still frees a few objects, as
         * work loops look at the clock every few objects) */
        b.work = SIZE_MAX;
        b.deadline_ns = h->st.pause_start_ns + ns;
    }
    return b;
}

/* .cycles */
bool pacing_cycles_due(const gull_heap *h)
{
    if (h->rc_filter != SIZE_MAX)
        return false; /* rc.c .backup: the buffer is being filtered */
    if (h->rc_cand.len >= h->cycle_threshold)
        return true;
    size_t room = h->next_major > h->live_after_major ? h->next_major - h->live_after_major : 0;
    return h->rc_cand.len && h->old_bytes >= h->old_at_cycles + room / 4;
}

/* .cycles: marking gray gets half of what the pause has left, but at least
 * RC_GRAY_SHARE of the pause budget, so a collection that is due runs even
 * when the minor and the freeing used the budget up (it was starved, and
 * garbage cycles went to backup cycles instead). */
budget pacing_rc_gray_budget(const gull_heap *h, budget pass, size_t done)
{
    budget b = pass;
    if (b.deadline_ns) {
        uint64_t now = os_now_ns();
        uint64_t half = now < b.deadline_ns ? (b.deadline_ns - now) / 2 : 0;
        uint64_t floor = (uint64_t)(h->cfg.step_budget_ms * 1e6 * RC_GRAY_SHARE);
        b.deadline_ns = now + (half > floor ? half : floor);
    } else {
        size_t half = b.work > done ? (b.work - done) / 2 : 0;
        size_t floor = (size_t)((double)RC_PAUSE_WORK * RC_GRAY_SHARE);
        b.work = done + (half > floor ? half : floor);
    }
    return b;
}

void pacing_after_cycles(gull_heap *h, size_t candidates, size_t freed)
{
    size_t set = h->cfg.cycle_threshold ? h->cfg.cycle_threshold : 1;
    size_t t = h->cycle_threshold;
    if (freed < candidates / 8) {
        size_t max = set * CYCLE_THRESHOLD_GROWTH;
        t = t > max / 2 ? max : 2 * t;
    } else if (freed > candidates / 2) {
        size_t min = set / 8 ? set / 8 : 1;
        t = t / 2 < min ? min : t / 2;
    }
    h->cycle_threshold = t;
    h->old_at_cycles = h->old_bytes;
}

/* .idle  A host's idle time (gull_step) advances a running cycle, or
 * starts one once the old generation is halfway to the trigger, so that
 * marking is done in the host's idle time rather than by its allocation. */
pace_decision pacing_idle(gull_heap *h, uint64_t budget_ns)
{
    budget b = {SIZE_MAX, os_now_ns() + (budget_ns ? budget_ns : 1)};
    if ((h->cfg.mode == GULL_MODE_INC || h->cfg.mode == GULL_MODE_RC) && h->phase == PHASE_IDLE) {
        size_t old = h->old_bytes + native_weight(h);
        size_t live = h->live_after_major + native_weight(h);
        size_t trig = inc_trigger(h);
        if (old >= live + (trig > live ? (trig - live) / 2 : 0))
            return decide(PACE_START, "idle", b);
    }
    return decide(h->phase == PHASE_IDLE ? PACE_NONE : PACE_STEP, "idle", b);
}

/* .stress  GULL_STRESS=N: every Nth allocation collects.  gen: every
 * fourth is a major collection, the others minor.  inc: every fourth
 * starts a cycle or advances it by a small step (about 4 KiB of tracing),
 * so that minor collections, barrier stores and allocation interleave with
 * every phase. */
pace_decision pacing_stress(gull_heap *h)
{
    bool major = ++h->stress_count % 4 == 0;
    if (!major)
        return decide(PACE_MINOR, "stress", BUDGET_UNLIMITED);
    if (h->cfg.mode != GULL_MODE_INC && h->cfg.mode != GULL_MODE_RC)
        return decide(PACE_MAJOR, "stress", BUDGET_UNLIMITED);
    budget b = {4096, 0};
    return decide(h->phase == PHASE_IDLE ? PACE_START : PACE_STEP, "stress", b);
}

/* .nursery */
static void adapt_nursery(gull_heap *h, uint64_t cpu_ns)
{
    double goal = h->cfg.step_budget_ms * 1e6 * 0.5;
    size_t max = h->cfg.nursery_size;
    if ((h->cfg.mode != GULL_MODE_INC && h->cfg.mode != GULL_MODE_RC) || goal <= 0 ||
        max <= NURSERY_MIN || !cpu_ns || h->nursery_used < h->nursery_target / 2)
        return; /* gen or full, no goal, or a minor asked for before the nursery filled */
    double per_byte = (double)cpu_ns / (double)h->nursery_used;
    h->minor_ns_per_byte =
        h->minor_ns_per_byte > 0 ? 0.5 * h->minor_ns_per_byte + 0.5 * per_byte : per_byte;
    double next = goal / h->minor_ns_per_byte;
    double lo = (double)h->nursery_target / 2, hi = (double)h->nursery_target * 2;
    next = next < lo ? lo : next > hi ? hi : next;
    if (next < (double)NURSERY_MIN)
        next = (double)NURSERY_MIN;
    if (next > (double)max)
        next = (double)max;
    h->nursery_target = (size_t)next;
}

void pacing_after_minor(gull_heap *h, size_t promoted, uint64_t cpu_ns, uint64_t start_ns,
                        uint64_t end_ns)
{
    h->external_at_gc = h->external;
    if (h->nursery_used) {
        double p = (double)promoted / (double)h->nursery_used;
        h->promo_rate = 0.5 * h->promo_rate + 0.5 * (p > 1 ? 1 : p);
    }
    adapt_nursery(h, cpu_ns);
    h->step_end_ns = end_ns; /* .spacing: a minor's time counts as a step's */
    h->step_ns = end_ns - start_ns;
    h->st.s.bytes_allocated += h->nursery_used;
    h->nursery_used = 0;
    h->poll = pacing_poll_needed(h);
}

void pacing_after_major(gull_heap *h, size_t live, size_t marked, bool nursery_collected)
{
    h->external_at_gc = h->external;
    if (h->cfg.mode == GULL_MODE_RC) { /* .backup */
        size_t before = h->old_bytes;
        bool fruitless = before <= live || before - live < before / 8;
        h->rc_backup_factor = fruitless ? (h->rc_backup_factor >= RC_BACKUP_MAX / 2 ? RC_BACKUP_MAX
                                                                                    : 2 * h->rc_backup_factor)
                                        : 1;
    }
    h->live_after_major = live;
    h->old_at_cycles = live; /* .cycles: the major found every garbage cycle */
    if (marked < live && h->cycle_start_old) { /* .floating */
        double survived = (double)marked / (double)h->cycle_start_old;
        if (survived > 1)
            survived = 1;
        h->live_after_major = marked + (size_t)((double)(live - marked) * survived);
    }
    h->old_bytes = live;
    if (nursery_collected) {
        h->young_bytes = 0;
        h->st.s.bytes_allocated += h->nursery_used;
        h->nursery_used = 0;
    }
    set_next_major(h);
    h->poll = pacing_poll_needed(h);
}

bool pacing_poll_needed(const gull_heap *h)
{
    if (h->cfg.stress || h->major_requested || pacing_over_limit(h))
        return true;
    size_t native = native_weight(h);
    size_t old = h->old_bytes + native;
    if (old >= h->next_major)
        return true;
    if (h->cfg.mode == GULL_MODE_FULL)
        return heap_live_bytes(h) + native + native_growth(h) >= h->next_major;
    if ((h->cfg.mode == GULL_MODE_INC || h->cfg.mode == GULL_MODE_RC) && h->phase == PHASE_IDLE &&
        old >= inc_trigger(h))
        return true;
    return h->nursery_used + native_growth(h) >= h->nursery_target;
}

void pacing_external_changed(gull_heap *h)
{
    if (pacing_poll_needed(h))
        h->poll = true;
}
