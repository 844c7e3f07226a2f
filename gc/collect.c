/* collect.c — the collector's driver: minor collections, and the major
 * cycle as a phase machine advanced in steps (Lua's gcstate and
 * singlestep).  Pacing (pacing.c) decides when and how much; this file
 * decides nothing, it carries decisions out.
 *
 * The major cycle (h->phase, internal.h .phase):
 *
 *            start (pacing: the old generation grew; or a full collection)
 *   IDLE ─────────────────────────────────────────► SWEEP
 *    ▲                                                │ finish the last cycle's lazy
 *    │                                                │ sweep (sweep.c .finish-sweep)
 *    │                                                ▼
 *    │                                              ROOTS  ── atomic: inc runs a minor
 *    │                                                │       that promotes everyone
 *    │                                                │       (.young-first), flips the
 *    │                                                │       color, marks the roots and
 *    │                                                │       the finalizer queue gray,
 *    │                                                │       switches the barrier to
 *    │                                                ▼       MARKING
 *    │                                              MARK   ── trace gray objects
 *    │                                                │       (mark.c .snapshot)
 *    │                                                ▼
 *    │                                              FINISH ── atomic: barrier back to GEN,
 *    │                                                │       clear weak refs to white
 *    │                                                │       objects, drop their native
 *    │                                                │       bytes, resurrect the
 *    │                                                ▼       finalizable ones (gray)
 *    │                                            MARK_FINAL ─ trace from the resurrected
 *    │                                                ▼
 *    │                                             RECLAIM ── atomic: hand the finalizable
 *    │                                                │       to the ready queue, drop dead
 *    │                                                │       holders from the remembered
 *    │                                                ▼       set, tell pacing the live size
 *    │                                              RC_DEC ── rc, incremental cycle only:
 *    │                                                │       the dead give their children's
 *    │                                                ▼       counts back (rc.c .backup)
 *    └──────────────────────────────────────────  QUEUE  ── queue every block for lazy
 *                                                             sweeping, free dead large
 *                                                             objects
 *
 * .steps   collect_step advances the machine within a budget.  A step runs
 *          at most one atomic phase, and only as its first phase (so the
 *          pause's kind is known when it begins), then sweeping or tracing
 *          within the budget: a step's pause is one atomic phase plus at
 *          most one budget.  The finish step goes back to MARK if the
 *          barrier shaded objects since the gray set emptied (the barrier
 *          stays on until the finish step runs).  With an unlimited budget the whole cycle runs in one
 *          pause: that is the stop-the-world major collection (gen, full,
 *          and every explicit or fallback full collection), the same code.
 * .cycle-kinds  An incremental cycle (inc mode, h->cycle_inc) keeps the
 *          generations (mark.c .black-young); a stop-the-world cycle marks
 *          the young too and makes every survivor old, as gen always did.
 *          A full collection requested while an incremental cycle runs
 *          finishes that cycle first, then runs a stop-the-world one: the
 *          first one's snapshot is old, so garbage made since would survive.
 * .young-first  The rule for objects seen by both a minor collection and
 *          the major cycle (DESIGN.md section 3): an incremental cycle
 *          begins with a minor collection that promotes every survivor, in
 *          the same pause as the flip, so no young object exists at the
 *          snapshot; every young object during marking was allocated
 *          during it and is black for the major.  Minor collections between
 *          steps then free or promote only black objects, and the major
 *          marker never holds a young one (verify.c checks both).
 * .reentry h->in_pause guards against a collection starting inside another
 *          (a trace function or pause hook calling back into gull).
 */
#define GULL_BUILDING_LIBRARY
#include "internal.h"

#define DECOMMIT_STEP_PAGES 256 /* 1 MiB: about 0.1-0.3 ms of madvise */

static void pause_begin(gull_heap *h, gull_pause_kind kind)
{
    h->in_pause = true;
    stats_pause_begin(h, kind);
    ASSERT(heap_is_valid(h)); /* checking build: the structure is sound at each phase boundary */
}

static void pause_end(gull_heap *h, const char *why)
{
    ASSERT(heap_is_valid(h));
    h->finalizers_pending = h->final_ready.len > 0;
    stats_pause_end(h, why);
    h->in_pause = false;
}

static bool reentered(gull_heap *h)
{
    if (!h->in_pause)
        return false;
    heap_error(h, GULL_ERR_MISUSE,
               "a collection was requested during a collection (from a trace function or pause hook); ignored");
    return true;
}

/* ---------------------------------------------------------------- minor */

/* A minor collection, inside a pause: mark the young from the roots and
 * the remembered set, then age, promote or free them (generation.c). */
static void minor_body(gull_heap *h, bool promote_all)
{
    marker *m = &h->minor_mk;
    uint64_t cpu0 = h->cfg.mode == GULL_MODE_INC || h->cfg.mode == GULL_MODE_RC
                        ? os_thread_cpu_ns()
                        : 0; /* pacing.c .nursery */
    uint64_t t0 = os_now_ns();
    sweep_retire_all(h);
    h->promote_all = promote_all;
    mark_begin(h, m, true, false);
    m->rc_roots = h->cfg.mode == GULL_MODE_RC; /* rc.c .roots */
    roots_mark(m);
    final_mark_ready(m);
    m->rc_roots = false;
    mark_drain(m, BUDGET_UNLIMITED);
    gen_mark_remembered(m);
    mark_drain(m, BUDGET_UNLIMITED);
    weak_after_mark(m);
    external_after_mark(m); /* before resurrection: see external.c .unreachable */
    final_after_mark(m);
    mark_drain(m, BUDGET_UNLIMITED);
    uint64_t promoted = h->st.s.bytes_promoted;
    gen_sweep_young(h);
    h->promote_all = false;
    h->st.s.minor_collections++;
    h->st.s.objects_marked += m->objects;
    h->st.s.last_objects_marked = m->objects;
    pacing_after_minor(h, (size_t)(h->st.s.bytes_promoted - promoted),
                       cpu0 ? os_thread_cpu_ns() - cpu0 : 0, t0, os_now_ns());
}

void collect_minor(gull_heap *h, const char *why)
{
    if (reentered(h))
        return;
    bool rc = h->cfg.mode == GULL_MODE_RC;
    bool cycles = rc && pacing_cycles_due(h); /* pacing.c .cycles */
    pause_begin(h, cycles ? GULL_PAUSE_RC_CYCLES : GULL_PAUSE_MINOR);
    if (h->cfg.verify)
        verify_minor(h, "before collection");
    minor_body(h, rc); /* rc promotes every survivor (rc.c .what-counts) */
    if (rc)
        rc_zct_pass(h, cycles); /* rc.c .pass: the same pause */
    ASSERT(h->minor_mk.stack.len == 0);
    if (h->cfg.verify) {
        verify_minor(h, "after collection");
        if (rc)
            verify_rc(h, "after collection");
    }
    pause_end(h, why);
}

/* ---------------------------------------------------------------- the phases */

static void roots_phase(gull_heap *h)
{
    marker *m = &h->major_mk;
    bool rc = h->cfg.mode == GULL_MODE_RC;
    if (h->cycle_inc) {
        minor_body(h, true); /* .young-first */
        if (rc)
            rc_roots_forget(h); /* no zero-count pass in this pause */
    }
    sweep_retire_all(h);
    h->color = (uint8_t)(3 - h->color); /* 1 <-> 2: everyone is white */
    h->phase = PHASE_MARK;               /* flipped (heap_flipped) */
    mark_begin(h, m, false, h->cycle_inc);
    h->promoted_in_cycle = 0;
    h->cycle_start_old = h->old_bytes;
    roots_mark(m);
    final_mark_ready(m);
    if (h->cycle_inc) {
        if (!rc)
            h->pub.barrier = GULL_BARRIER_MARKING; /* barrier.c .snapshot (rc: barrier.c .rc) */
        if (h->cfg.verify)
            verify_snapshot_take(h);
    }
}

static void finish_phase(gull_heap *h)
{
    marker *m = &h->major_mk;
    if (h->cycle_inc) {
        if (h->cfg.mode != GULL_MODE_RC)
            h->pub.barrier = GULL_BARRIER_GEN; /* the snapshot is marked */
        if (h->cfg.verify)
            verify_snapshot_check(h);
    }
    weak_after_mark(m);
    external_after_mark(m); /* before resurrection: see external.c .unreachable */
    final_after_mark(m);
    h->phase = PHASE_MARK_FINAL;
}

static void reclaim_phase(gull_heap *h)
{
    marker *m = &h->major_mk;
    ASSERT(m->stack.len == 0);
    sweep_retire_all(h);
    final_release_found(h);
    if (h->cycle_inc)
        gen_drop_dead_remembered(h);
    else
        gen_reset(h);
    bool rc_dec = false;
    if (h->cfg.mode == GULL_MODE_RC) {
        if (h->cycle_inc) {
            rc_after_inc_mark(h); /* rc.c .backup: counts repaired by PHASE_RC_DEC */
            rc_dec = true;
        } else {
            rc_recount(h); /* rc.c .recount: the backup trace */
        }
    }
    size_t live = m->bytes + (h->cycle_inc ? h->promoted_in_cycle : 0);
    h->st.s.objects_marked += m->objects;
    h->st.s.last_objects_marked = m->objects;
    pacing_after_major(h, live, m->bytes, !h->cycle_inc);
    ASSERT(h->unswept == 0); /* sweep.c .finish-sweep ran before the flip */
    h->queue_cursor = h->blocks;
    h->sweep_cursor = NULL; /* sweep.c .finish-sweep: the next pass starts at the head */
    h->phase = rc_dec ? PHASE_RC_DEC : PHASE_QUEUE; /* not flipped any more: stale colors are dead */
}

/* The walk of PHASE_QUEUE is over: the cycle ends. */
static void cycle_end(gull_heap *h)
{
    h->phase = PHASE_IDLE;
    h->st.s.major_collections++;
    /* block.c .budget: an incremental cycle's steps are bounded pauses. */
    block_decommit_free(h, false, h->cycle_inc ? DECOMMIT_STEP_PAGES : SIZE_MAX);
    if (h->cycle_inc)
        stats_cycle_event(h, "end", NULL);
}

static bool is_atomic(gc_phase p)
{
    return p == PHASE_ROOTS || p == PHASE_FINISH || p == PHASE_RECLAIM;
}

/* A bounded phase's work within rest, added to *done; true when the phase
 * is over. */
static bool run_bounded(gull_heap *h, bool (*work)(gull_heap *, budget, size_t *), budget rest,
                        size_t *done)
{
    size_t w = 0;
    bool all = work(h, rest, &w);
    *done += w;
    return all;
}

/* .steps: advance within b; returns the work done. */
static size_t advance(gull_heap *h, budget b)
{
    size_t done = 0;
    bool unlimited = b.work == SIZE_MAX && b.deadline_ns == 0;
    bool first = true;
    while (h->phase != PHASE_IDLE) {
        gc_phase p = h->phase;
        if (is_atomic(p) && !unlimited) {
            if (!first)
                break; /* .steps: an atomic phase only as a step's first phase */
        }
        first = false;
        budget rest = {b.work > done ? b.work - done : 0, b.deadline_ns};
        switch (p) {
        case PHASE_SWEEP:
            if (!run_bounded(h, sweep_rest, rest, &done))
                return done;
            h->phase = PHASE_ROOTS;
            break;
        case PHASE_ROOTS:
            roots_phase(h);
            break;
        case PHASE_MARK:
        case PHASE_MARK_FINAL: {
            size_t before = h->major_mk.work;
            bool empty = mark_drain(&h->major_mk, rest);
            done += h->major_mk.work - before;
            if (!empty)
                return done;
            h->phase = p == PHASE_MARK ? PHASE_FINISH : PHASE_RECLAIM;
            break;
        }
        case PHASE_FINISH:
            if (h->major_mk.stack.len || h->major_mk.pieces.len || h->major_mk.cursor ||
                h->major_mk.overflow) {
                /* The barrier shaded objects between the steps (it stays on
                 * until the finish step): trace them first. */
                h->phase = PHASE_MARK;
                break;
            }
            finish_phase(h);
            break;
        case PHASE_RECLAIM:
            reclaim_phase(h);
            break;
        case PHASE_RC_DEC:
            if (!run_bounded(h, rc_dec_some, rest, &done))
                return done;
            h->phase = PHASE_QUEUE;
            break;
        case PHASE_QUEUE:
            if (!run_bounded(h, sweep_queue_some, rest, &done))
                return done;
            cycle_end(h);
            break;
        case PHASE_IDLE:
            break;
        }
        if (!unlimited && budget_spent(&b, done))
            break;
    }
    return done;
}

static gull_pause_kind step_kind(const gull_heap *h)
{
    switch (h->phase) {
    case PHASE_ROOTS: return GULL_PAUSE_MARK_START;
    case PHASE_FINISH:
    case PHASE_RECLAIM:
    case PHASE_QUEUE: return GULL_PAUSE_MARK_FINISH;
    default: return GULL_PAUSE_MARK_STEP;
    }
}

void collect_start(gull_heap *h, const char *why)
{
    if (reentered(h) || h->phase != PHASE_IDLE)
        return;
    h->cycle_inc = true;
    h->phase = sweep_pending(h) ? PHASE_SWEEP : PHASE_ROOTS;
    pacing_cycle_started(h);
    stats_cycle_event(h, "start", why);
}

void collect_step(gull_heap *h, budget b, const char *why)
{
    if (reentered(h) || h->phase == PHASE_IDLE)
        return;
    pause_begin(h, step_kind(h));
    h->st.s.mark_steps++;
    uint64_t t0 = os_now_ns();
    size_t work = advance(h, b);
    h->st.cycle_work += work;
    if (why && (!strcmp(why, "assist") || !strcmp(why, "behind"))) /* pacing.c .assist */
        h->st.s.mark_assists++;
    pacing_step_done(h, work, t0, os_now_ns());
    pause_end(h, why);
}

void collect_major(gull_heap *h, const char *why)
{
    if (reentered(h))
        return;
    pause_begin(h, GULL_PAUSE_MAJOR);
    if (h->cfg.verify)
        verify_heap(h, "before collection");
    if (h->phase != PHASE_IDLE)
        advance(h, BUDGET_UNLIMITED); /* .cycle-kinds: finish the running cycle */
    h->major_requested = false;
    h->cycle_inc = false;
    h->phase = PHASE_SWEEP;
    advance(h, BUDGET_UNLIMITED);
    ASSERT(h->phase == PHASE_IDLE && h->major_mk.stack.len == 0);
    if (h->cfg.verify) {
        verify_heap(h, "after collection");
        if (h->cfg.mode == GULL_MODE_RC)
            verify_rc(h, "after collection");
    }
    pause_end(h, why);
}

void collect_act(gull_heap *h, pace_decision d)
{
    switch (d.act) {
    case PACE_NONE:
        break;
    case PACE_MINOR:
        if (h->cfg.mode == GULL_MODE_FULL)
            collect_major(h, d.why);
        else
            collect_minor(h, d.why);
        break;
    case PACE_MAJOR:
        collect_major(h, d.why);
        break;
    case PACE_START:
        collect_start(h, d.why);
        collect_step(h, d.b, d.why);
        break;
    case PACE_STEP:
        collect_step(h, d.b, d.why);
        break;
    }
}

/* ---------------------------------------------------------------- public */

void gull_collect(gull_heap *h, gull_collect_kind kind)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_collect: heap is NULL");
        return;
    }
    if (h->in_pause || h->in_finalizers) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_collect: called from %s; collections cannot nest there, request ignored",
                   h->in_pause ? "inside a collection (a trace function or pause hook)" : "a finalizer");
        return;
    }
    if (kind != GULL_COLLECT_MINOR && kind != GULL_COLLECT_MAJOR) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_collect: kind %d is not GULL_COLLECT_MINOR or GULL_COLLECT_MAJOR; ignored", (int)kind);
        return;
    }
    if (kind == GULL_COLLECT_MAJOR || h->cfg.mode == GULL_MODE_FULL || h->major_requested)
        collect_major(h, "explicit");
    else
        collect_minor(h, "explicit");
    if (kind == GULL_COLLECT_MAJOR) {
        /* An explicit full collection is a request for memory back: sweep
         * now, outside the pause, and return what is free to the OS. */
        size_t swept = 0;
        sweep_rest(h, BUDGET_UNLIMITED, &swept);
        block_decommit_free(h, true, SIZE_MAX);
    }
    if (!h->cfg.finalize_on_demand)
        gull_run_finalizers(h);
}

bool gull_step(gull_heap *h, uint64_t budget_ns)
{
    if (!h) {
        heap_error(NULL, GULL_ERR_NULL_ARG, "gull_step: heap is NULL");
        return false;
    }
    if (h->in_pause || h->in_finalizers) {
        heap_error(h, GULL_ERR_MISUSE,
                   "gull_step: called from %s; ignored",
                   h->in_pause ? "inside a collection (a trace function or pause hook)" : "a finalizer");
        return h->phase != PHASE_IDLE;
    }
    pace_decision d = pacing_idle(h, budget_ns);
    if (d.act == PACE_START)
        collect_start(h, d.why);
    if (h->phase != PHASE_IDLE) {
        collect_step(h, d.b, d.why);
    } else if (sweep_pending(h)) {
        size_t swept = 0;
        stats_pause_begin(h, GULL_PAUSE_SWEEP);
        sweep_rest(h, d.b, &swept);
        stats_pause_end(h, "host-sweep");
    }
    if (!h->cfg.finalize_on_demand && h->finalizers_pending)
        gull_run_finalizers(h);
    return h->phase != PHASE_IDLE;
}
