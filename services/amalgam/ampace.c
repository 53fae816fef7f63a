/* ampace.c: the pace of a machine's replacements and rebuilds (ampace.h). */
#include "ampace.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "amserve.h"
#include "clock.h"
#include "metrics.h"

/* The `fwd` rounds of a step of a replacement or rebuild hurried at most
 * (amop_rebuild_hurry): a step takes one round trip when its answers come;
 * when they cannot, the instance goes back to the idle pace. Five, not
 * three: a Stop whose first answers came late (the 320 instances of a
 * restarted machine all replaced at once) fell back to the idle pace, and
 * the step took 150 to 300 ms instead of 25 to 60 (docs/amalgam-performance.md,
 * "Rebuild rate, in step"). */
#define AMP_HURRIES 5
/* ... and of an instance an op waits for, whose client retries meanwhile:
 * it is not left at the idle pace while the client waits, but a rebuild
 * whose snapshots cannot all come (a peer down) must not spin for ever */
#define AMP_WANT_HURRIES 40
/* An op's ask keeps its instance wanted this long (its client retries a
 * TRYAGAIN 20 ms later; one that gave up leaves it to the background). */
#define AMP_WANT_MS 1000
/* An instance not whole this long after its start leaves the window: its
 * rebuild may wait for another machine (down too), and the instances
 * behind it, which need other machines, must not wait with it. */
#define AMP_STALL_MS 5000
/* The blocks a rejoining machine rebuilds at once, by default: 128
 * instances at 128 KiB (docs/amalgam-performance.md, "A block on demand",
 * has it measured). All 320 at once had each instance's snapshots (a block from
 * each peer of its stripe, on connections every instance shares) arrive
 * too late for one round more often than not, and asked again whole: 1.1
 * to 2.1 GB received for 32 MiB rebuilt. Small blocks are bound by rounds,
 * not bytes: they all start at once. */
#define AMP_WINDOW_BYTES (16ll << 20)
/* The window shrinks to no fewer blocks than this: AIMD, like TCP's
 * congestion window. An instance that asks for its snapshots again in a
 * later phase while its engine dropped messages that came after their
 * round (congestion: the snapshots of every instance of the window queue
 * on the same connections and in a busy machine's run queue, and each
 * re-ask sends whole blocks again) halves the window, at most once an
 * AMP_CUT_MS unless it started after the last cut; each instance whole
 * widens it by one. On a machine at load 13 to 17 the fixed window of 128
 * sent 1.5 GB for 32 MiB and did not finish in 60 s
 * (docs/amalgam-performance.md, "The rebuild's resend storm"). */
#define AMP_FLOOR_BYTES (512ll << 10)
#define AMP_CUT_MS 200
/* An idle instance's `fwd` timeout (amp_timeout, AMALGAM_IDLE_MS), off by
 * default: the round's 50 ms. Idle rounds are most of a large cluster's
 * CPU at rest (1,280 stripes of 128 KiB: 0.75 to 1.08 of this VM's two
 * cores with nothing to do), and 200 ms cut that to 0.48 to 0.52; but the
 * rebuilds it was for were not faster in the pairs measured
 * (docs/amalgam-performance.md, "Idle rounds"). An op hurries its idle
 * instance (hoc_svc_hurry) and a replacement's steps are not idle. */
#define AMP_IDLE_MS 0

static int clamp_int(int64_t w)
{
    return w > INT32_MAX ? INT32_MAX : w < 1 ? 1 : (int)w;
}

int amp_init(amp_machine *p, bool rejoin, int64_t inst_bytes, char *err, size_t errn)
{
    int64_t b = inst_bytes > 0 ? inst_bytes : 1;
    *p = (amp_machine){.window = !rejoin ? 0 : clamp_int(AMP_WINDOW_BYTES / b)};
    p->cap = p->window, p->floor = clamp_int(AMP_FLOOR_BYTES / b);
    const char *v = getenv("AMALGAM_REBUILD_WINDOW");
    if (v && *v) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (*end || errno || n < 0 || n > 1000000) {
            snprintf(err, errn,
                     "AMALGAM_REBUILD_WINDOW=%s: expected a count of instances, 0 for all", v);
            return -1;
        }
        if (rejoin) p->window = p->cap = n ? (int)n : INT32_MAX;
    }
    if (p->floor > p->cap) p->floor = p->cap;
    p->idle_us = AMP_IDLE_MS * 1000;
    if ((v = getenv("AMALGAM_IDLE_MS")) && *v) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (*end || errno || n < 0 || n > 60000) {
            snprintf(err, errn, "AMALGAM_IDLE_MS=%s: expected ms, 0 for the round's own", v);
            return -1;
        }
        p->idle_us = n * 1000;
    }
    return 0;
}

int64_t amp_timeout(const ams_group *gr, int64_t round, const void *state, hoc_set heard)
{
    const ams_server *s = gr->srv;
    if (!s->pace.idle_us || round % s->model.a->nrounds != s->model.fwd) return 0;
    return amop_idle(&s->model, gr->role, state, heard) ? s->pace.idle_us : 0;
}

/* The pacing record of instance inst at gr (an instance of gr's class). */
static amp_inst *rec(const ams_group *gr, uint64_t inst)
{
    return &gr->pace[(inst - (uint64_t)gr->cls) / (uint64_t)gr->srv->c.geo.machines];
}

/* Starts instance inst at gr: as the model's replacement when the machine
 * rejoins (it must not come back with zero blocks its stripes' parity rows
 * do not describe: it joins in its peers' round and waits to be installed),
 * else new, from round 0 (peers that start later catch up). */
static int start_one(ams_group *gr, uint64_t inst)
{
    ams_server *s = gr->srv;
    amp_inst *h = rec(gr, inst);
    if (h->started) return 0;
    h->started = true; /* io.admit is asked */
    if ((s->rejoin ? hoc_svc_start_replaced(gr->svc, inst, HOC_ENGINE_JOIN, NULL, NULL)
                   : hoc_svc_start(gr->svc, inst, 0, NULL, NULL)) != HOC_START_OK) {
        h->started = false;
        return -1;
    }
    h->started_ms = hoc_now_us() / 1000;
    h->whole = !s->rejoin;
    if (gr->role == AML_RECONF || !s->rejoin) return 0;
    s->pace.rebuilding++;
    if (s->pace.waiting > 0) s->pace.waiting--;
    return 0;
}

/* start_one for an instance started after start-up: a failure is logged */
static void start_later(ams_group *gr, uint64_t inst)
{
    if (start_one(gr, inst))
        hoc_log(&gr->srv->log, HOC_LOG_ERROR, "instance %llu does not fit (memory or live bound)",
                (unsigned long long)inst);
}

int amp_start_group(ams_group *gr, char *err, size_t errn)
{
    ams_server *s = gr->srv;
    for (int64_t i = gr->cls; i < s->ninst; i += s->c.geo.machines) {
        if (gr->role != AML_RECONF) s->pace.total++;
        if (gr->role != AML_RECONF && s->pace.window > 0) { /* amp_iteration starts it */
            s->pace.waiting++;
            continue;
        }
        if (start_one(gr, (uint64_t)i)) {
            snprintf(err, errn, "class %d: instance %lld does not fit (memory or live bound)",
                     gr->cls, (long long)i);
            return -1;
        }
    }
    return 0;
}

bool amp_started(const ams_group *gr, uint64_t inst)
{
    return rec(gr, inst)->started;
}

/* Starts background instances, lowest first, while fewer than the window
 * are rebuilding: the others' snapshots (a block from each of its stripe's
 * peers, all on the same connections) would be ahead of a wanted
 * instance's, and a snapshot round that misses one is asked again whole. */
void amp_fill(ams_server *s)
{
    amp_machine *p = &s->pace;
    for (; p->waiting > 0 && p->rebuilding < p->window && p->next < s->ninst; p->next++) {
        ams_group *gr = NULL;
        for (int i = 0; i < s->ngroups && !gr; i++)
            if (s->groups[i].cls == aml_class(&s->c.geo, p->next)) gr = &s->groups[i];
        if (gr) start_later(gr, (uint64_t)p->next);
    }
}

void amp_want(ams_server *s, int64_t inst)
{
    ams_group *gr = ams_data_group(s, aml_class(&s->c.geo, inst));
    if (!gr || inst < 0 || inst >= s->ninst) return;
    amp_inst *h = rec(gr, (uint64_t)inst);
    uint64_t now = hoc_now_us() / 1000;
    h->asked_ms = now;
    if (h->wanted_ms) return;
    h->wanted_ms = now;
    s->pace.wanted++;
    bool waited = !h->started;
    if (waited) start_later(gr, (uint64_t)inst);
    hoc_log(&s->log, HOC_LOG_DEBUG, "instance %lld: an op waits for its rebuild%s", (long long)inst,
            waited ? " (started ahead of the window)" : "");
}

/* Instance inst at gr became whole, or gave its op up: counted and logged. */
static void settle(ams_group *gr, uint64_t inst, amp_inst *h, bool whole, uint64_t now)
{
    ams_server *s = gr->srv;
    amp_machine *p = &s->pace;
    /* one that asks again for snapshots that come late is not waiting for a
     * machine down: counted from its last late re-ask, or a storm would
     * let ever more instances in */
    uint64_t since = h->late_ms > h->started_ms ? h->late_ms : h->started_ms;
    if (!whole && !h->whole && !h->stalled && now > since + AMP_STALL_MS) {
        h->stalled = true;
        p->rebuilding--, p->stalled++;
        hoc_log(&s->log, HOC_LOG_DEBUG,
                "instance %llu not rebuilt %d s after its start: the next one starts meanwhile",
                (unsigned long long)inst, AMP_STALL_MS / 1000);
    }
    if (whole && !h->whole) {
        h->whole = true;
        p->whole++;
        if (h->stalled)
            p->stalled--;
        else
            p->rebuilding--;
        if (p->window < p->cap) p->window++;
        if (h->wanted_ms) {
            p->on_demand++;
            hoc_log(&s->log, HOC_LOG_INFO,
                    "instance %llu rebuilt on demand, %llu ms after an op asked for it (%lld "
                    "instances here not yet whole)",
                    (unsigned long long)inst,
                    (unsigned long long)(now > h->wanted_ms ? now - h->wanted_ms : 0),
                    (long long)(p->total - p->whole));
        }
        int q = p->total ? (int)(p->whole * 4 / p->total) : 4;
        if (q > p->quarter) {
            p->quarter = q;
            hoc_log(&s->log, HOC_LOG_INFO,
                    "machine %d rebuilding: %d %% of its instances whole (%lld of %lld; %lld "
                    "rebuilding, %lld waiting to start, %llu on demand)",
                    s->machine, q * 25, (long long)p->whole, (long long)p->total,
                    (long long)(p->rebuilding + p->stalled), (long long)p->waiting,
                    (unsigned long long)p->on_demand);
        }
    }
    if (h->wanted_ms && (whole || now > h->asked_ms + AMP_WANT_MS)) {
        h->wanted_ms = 0;
        p->wanted--;
    }
}

/* Instance inst at gr, asking for snapshots or not in phase ph, its engine
 * having dropped `late` messages that came after their round: the window
 * halved when it asks again with late ones among them (AMP_FLOOR_BYTES). */
static void congestion(ams_group *gr, uint64_t inst, amp_inst *h, bool asking, int64_t ph,
                       uint64_t late, uint64_t now)
{
    amp_machine *p = &gr->srv->pace;
    if (!asking) {
        h->ask_first = h->ask_last = 0;
        return;
    }
    if (!h->ask_first) {
        h->ask_first = h->ask_last = ph + 1, h->late = late;
        return;
    }
    /* the first phase seen asking may be the one it went live in, which
     * asked nothing: asked again only from two phases after it */
    if (ph + 1 < h->ask_first + 2 || ph + 1 <= h->ask_last) return;
    bool congested = late > h->late;
    h->ask_last = ph + 1, h->late = late;
    if (!congested) return;
    h->late_ms = now;
    if (p->window <= p->floor || (h->started_ms < p->cut_ms && now < p->cut_ms + AMP_CUT_MS))
        return;
    p->window = p->window / 2 > p->floor ? p->window / 2 : p->floor;
    p->cut_ms = now, p->cuts++;
    hoc_log(&gr->srv->log, HOC_LOG_DEBUG,
            "instance %llu asked again for snapshots that came late: rebuild window %d",
            (unsigned long long)inst, p->window);
}

void amp_iteration(ams_group *gr, uint64_t now_us)
{
    ams_server *s = gr->srv;
    amp_machine *p = &s->pace;
    if (gr->role != AML_RECONF && !s->degraded && !p->rebuilding && !p->stalled && !p->waiting &&
        !p->wanted)
        return;
    /* not while its round messages are held (the journal): a HURRY that
     * overtook its requests would end the round without them */
    bool held = hoc_svc_held(gr->svc) != 0;
    uint64_t now = now_us / 1000;
    hoc_engine *e = hoc_svc_engine(gr->svc);
    uint64_t late = hoc_engine_get_stats(e)->late;
    for (int64_t i = gr->cls; i < s->ninst; i += s->c.geo.machines) {
        amp_inst *h = rec(gr, (uint64_t)i);
        if (!h->started) continue;
        const void *st = ams_state(gr, (uint64_t)i);
        int64_t r = hoc_engine_round(e, (uint64_t)i), step = 0;
        if (gr->role != AML_RECONF) {
            amop_view v = {0};
            if (st) amop_view_of(&s->model, st, &v);
            bool data = gr->role == AML_DATA;
            settle(gr, (uint64_t)i, h, st && (data ? v.live && !v.lost : v.inb && !v.plost), now);
            bool asking = st && (data ? v.live && v.lost : v.inb && v.plost);
            int nr = s->model.a->nrounds;
            if (p->window && !h->whole) congestion(gr, (uint64_t)i, h, asking, r / nr, late, now);
        }
        /* each `fwd` of an instance this server replaces a server of (the
         * reconfiguration role) or rebuilds in, once a round: every step
         * would otherwise wait out an idle round's timeout */
        if (held) continue;
        hoc_set to = st ? amop_rebuild_hurry(&s->model, gr->role, gr->pid, st, &step) : 0;
        if (step != h->step || !to) h->step = to ? step : 0, h->n = 0;
        if (!to || r % s->model.a->nrounds != s->model.fwd || r <= h->round ||
            h->n >= (h->wanted_ms ? AMP_WANT_HURRIES : AMP_HURRIES))
            continue;
        h->round = r, h->n++;
        hoc_svc_hurry(gr->svc, (uint64_t)i, to);
    }
    if (p->waiting > 0) amp_fill(s);
}

void amp_render(const amp_machine *p, struct evbuffer *b)
{
    static const struct {
        const char *name, *type, *help;
    } fam[] = {
        {"amalgam_rebuilds_on_demand_total", "counter",
         "Instances rebuilt here while a client's op was waiting for them (each started and "
         "hurried ahead of the rest)."},
        {"amalgam_rebuild_running_instances", "gauge",
         "Instances this restarted machine is rebuilding now (started, not yet whole)."},
        {"amalgam_rebuild_waiting_instances", "gauge",
         "Instances whose rebuild waits for room in the rebuild window."},
        {"amalgam_rebuild_wanted_instances", "gauge",
         "Instances not yet whole that a client's op is waiting for."},
        {"amalgam_rebuild_window_instances", "gauge",
         "Instances this restarted machine rebuilds at once at most now (halved when snapshots "
         "come late, widened by one an instance whole)."},
        {"amalgam_rebuild_window_cuts_total", "counter",
         "Times the rebuild window was halved: an instance asked again for snapshots that came "
         "after their round."},
    };
    uint64_t v[6] = {p->on_demand,         (uint64_t)(p->rebuilding + p->stalled),
                     (uint64_t)p->waiting, (uint64_t)p->wanted,
                     (uint64_t)p->window,  p->cuts};
    for (size_t i = 0; i < sizeof fam / sizeof fam[0]; i++)
        hoc_metrics_family(b, fam[i].name, fam[i].type, fam[i].help, v + i, 1, NULL);
}
