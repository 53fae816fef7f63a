/* amwatch.c: heartbeats, the failure detector and the decisions on disk in
 * an amserve process (amwatch.h). */
#include "amwatch.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "amrlog.h"
#include "amstate.h"
#include "clock.h"
#include "metrics.h"

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    return (int64_t)(hoc_now_us() / 1000);
}

static void count_degraded(ams_server *s);

/* reconf with R = 1: while it replaces nothing, the loop sleeps this long
 * after each pass, so that what arrives meanwhile (the servers' refreshes,
 * heartbeats, round timers come due) is read in one pass, not a wake-up each */
#define AMW_QUIET_US 2000

/* serve: a driver of a newer term is taken once its term is on disk (with
 * --data), so that a restart still refuses the drivers it deposed; a term
 * that cannot be written refuses it (the driver redials, and the write is
 * tried again) rather than take a driver this machine could forget */
static int newer_term(ams_server *s, uint64_t term)
{
    char err[4400];
    if (s->term_path && amst_term_store(s->term_path, s->cid, term, err, sizeof err)) {
        hoc_log(&s->log, HOC_LOG_ERROR,
                "reconfiguration term %llu refused: it cannot be kept (%s); the driver redials",
                (unsigned long long)term, err);
        return -1;
    }
    s->seen_term = term;
    return 0;
}

/* serve: a driver greeted with `term` on one class: a connection of an
 * older driver on another class closes (with what it sent and was not read
 * yet), so that what a deposed driver wrote before its lease ran out is
 * read here before anything of the new one, never after (docs/amalgam.md) */
static void fence_classes(ams_server *s, uint64_t term)
{
    for (int i = 0; i < s->ngroups; i++) {
        ams_group *g = &s->groups[i];
        if (g->role == AML_RECONF || !g->driver_term || g->driver_term >= term) continue;
        uint64_t old = g->driver_term;
        g->driver_term = 0;
        if (!hoc_net_peer_ready(hoc_svc_net(g->svc), s->n - 1)) continue;
        s->stale_closed++;
        hoc_log(&s->log, HOC_LOG_WARN,
                "class %d: closes pid %d's connection of term %llu: term %llu was shown on "
                "another class",
                g->cls, s->n - 1, (unsigned long long)old, (unsigned long long)term);
        hoc_net_close_peer(hoc_svc_net(g->svc), s->n - 1, "a deposed reconfiguration driver");
    }
}

/* reconf: a heartbeat, on class gr->cls's group from pid `from`, which must
 * be a pid of the machine it names there (else the frame is refused) */
int amw_app(void *ctx, int from, const uint8_t *p, size_t len)
{
    ams_group *gr = ctx;
    ams_server *s = gr->srv;
    int m;
    uint64_t inc, term;
    int64_t deg;
    if (gr->role != AML_RECONF && from == s->n - 1 && !amr_term_decode(p, len, &term)) {
        /* a driver of pid n-1 older than one heard: deposed, refused (its
         * connection closed before any of its round messages is read) */
        if (term < s->seen_term) {
            s->stale_refused++;
            hoc_log(&s->log, HOC_LOG_WARN,
                    "class %d: pid %d presented term %llu, older than term %llu: a deposed "
                    "reconfiguration driver, refused%s%s%s",
                    gr->cls, from, (unsigned long long)term, (unsigned long long)s->seen_term,
                    s->term_path ? " (if the service's log was started over, delete " : "",
                    s->term_path ? s->term_path : "", s->term_path ? ")" : "");
            return -1;
        }
        if (term > s->seen_term && newer_term(s, term)) return -1;
        gr->driver_term = term;
        fence_classes(s, term);
        return 0;
    }
    if (gr->role != AML_RECONF || amr_hb_decode(p, len, &m, &inc, &deg) ||
        aml_pid_machine(&s->c.geo, gr->cls, from, NULL) != m) {
        s->det.bad_heartbeats++;
        return -1;
    }
    amr_heard(&s->det, m, inc, deg, mono_ms(), wall_ms());
    return 0;
}

/* reconf with --data: a change of decision (mode, pid replaced or epoch) is
 * written before the round messages that follow it leave; true holds them
 * until the sync at the end of the iteration (amw_iteration) */
bool amw_sending(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    ams_group *gr = ctx;
    ams_server *s = gr->srv;
    (void)round;
    if (gr->role != AML_RECONF || (!s->durable && !s->rlog)) return false;
    if (s->store_failed) return true; /* never released: omissions */
    amr_track now = {0};
    amop_reconf_of(&s->model, state, &now.mode, &now.who, &now.epoch);
    amr_track *was = &s->saved[inst];
    bool same = now.mode == was->mode && now.who == was->who && now.epoch == was->epoch;
    if (s->rlog) { /* replicated: appended, held until the log confirmed it */
        if (!same)
            amop_reconf_save(&s->model, state, s->dec), arl_put(s->rlog, (int64_t)inst, s->dec);
        *was = now;
        return arl_unsettled(s->rlog);
    }
    if (same) return s->store.dirty;
    amop_reconf_save(&s->model, state, s->dec);
    if (ars_put(&s->store, (int64_t)inst, s->dec) != 0) {
        hoc_log(&s->log, HOC_LOG_ERROR,
                "%s: cannot write a decision (%s): the reconfiguration service goes silent rather "
                "than act on what a restart would forget",
                s->store.path, strerror(errno));
        s->store_failed = true;
        return true;
    }
    *was = now;
    return true;
}

/* reconf with --data: a restarted service resumes each instance from its
 * last decision written (amrstore.h) */
void amw_restore(void *ctx, uint64_t inst, void *state)
{
    ams_group *gr = ctx;
    ams_server *s = gr->srv;
    if (gr->role != AML_RECONF) return;
    if (s->rlog ? !arl_get(s->rlog, (int64_t)inst, s->dec)
                : !s->durable || !ars_get(&s->store, (int64_t)inst, s->dec))
        return;
    amop_reconf_load(&s->model, s->dec, state);
    amr_track *t = &s->saved[inst];
    amop_reconf_of(&s->model, state, &t->mode, &t->who, &t->epoch);
}

/* reconf with --data: syncs what this iteration wrote, then lets out the
 * round messages that waited for it */
static void commit_decisions(ams_group *gr)
{
    ams_server *s = gr->srv;
    if (!s->durable || !hoc_svc_held(gr->svc)) return;
    if (!s->store_failed && ars_sync(&s->store) != 0) {
        hoc_log(&s->log, HOC_LOG_ERROR, "%s: cannot sync (%s): the service goes silent",
                s->store.path, strerror(errno));
        s->store_failed = true;
    }
    if (s->store_failed)
        hoc_svc_discard_held(gr->svc);
    else
        hoc_svc_release(gr->svc);
}

/* reconf: each instance's reconfiguration role, as its rounds leave it */
void amw_iteration(void *ctx, uint64_t now)
{
    ams_group *gr = ctx;
    ams_server *s = gr->srv;
    /* a machine rebuilding: its count at most once a ms, not a heartbeat,
     * so that hoc_amalgam_rebuilt_at_ms says when it became whole */
    if (s->machine >= 0 && s->degraded && now / 1000 != s->counted_ms) {
        s->counted_ms = now / 1000;
        count_degraded(s);
    }
    if (gr->role != AML_RECONF) return;
    if (s->rlog)
        arl_flush(s->rlog);
    else
        commit_decisions(gr);
    int64_t wall = wall_ms();
    for (int64_t i = gr->cls; i < s->ninst; i += s->c.geo.machines) {
        const void *st = hoc_engine_state(hoc_svc_engine(gr->svc), (uint64_t)i);
        if (!st) continue;
        amop_ask mode;
        int who;
        int64_t ep;
        amop_reconf_of(&s->model, st, &mode, &who, &ep);
        amr_observe(&s->det, i, mode, who, ep, wall);
    }
}

/* serve: how many instances still have a server here that is not whole (a
 * replacement not yet installed or live, blocks or rows not yet rebuilt);
 * logs when the last one is rebuilt */
static void count_degraded(ams_server *s)
{
    int64_t n = 0;
    for (int i = 0; i < s->ngroups; i++) {
        ams_group *gr = &s->groups[i];
        for (int64_t k = gr->cls; k < s->ninst; k += s->c.geo.machines) {
            const void *st = ams_state(gr, (uint64_t)k);
            amop_view v;
            if (st) amop_view_of(&s->model, st, &v);
            if (!st || (gr->role == AML_DATA ? !v.live || v.lost : !v.inb || v.plost)) n++;
        }
    }
    int64_t wall = wall_ms();
    if (n && !s->degraded) s->degraded_since = wall;
    if (!n && s->degraded) {
        s->rebuilt_wall = wall;
        hoc_log(&s->log, HOC_LOG_WARN,
                "machine %d: every server whole again (installed, live, blocks and parity rows "
                "rebuilt), %lld ms after the first was seen degraded",
                s->machine, (long long)(wall - s->degraded_since));
    }
    s->degraded = n;
}

/* reconf with R > 1: each suspicion and each clearing goes into the log,
 * so the next driver's detector starts from this one's view */
static void log_acts(ams_server *s)
{
    uint8_t act[ARL_ACT_LEN];
    bool any = false;
    for (int i = 0; i < s->c.geo.machines; i++) {
        const amr_machine *x = &s->det.m[i];
        if (x->suspected == s->acted[i]) continue;
        hoc_put_u64(act, x->suspected);
        hoc_put_u64(act + 8, (uint64_t)x->suspected_wall);
        arl_put_act(s->rlog, i, act);
        s->acted[i] = x->suspected;
        any = true;
    }
    if (any) arl_flush(s->rlog);
}

/* reconf: starts replacing the parity servers and witnesses of a machine
 * that was heard and went silent, in every idle instance (amalgam.ho's
 * event suspect): their data servers stop waiting for them, so writes go on
 * while it is down, and it comes back through the Admit (docs/deploy.md,
 * "A machine down"). A machine never heard is left to its first start. */
static void replace_suspected(ams_server *s)
{
    const aml_geom *geo = &s->c.geo;
    for (int k = 0; k < s->ngroups; k++) {
        ams_group *gr = &s->groups[k];
        if (gr->role != AML_RECONF) continue;
        for (int64_t i = gr->cls; i < s->ninst; i += geo->machines) {
            const void *st = hoc_engine_state(hoc_svc_engine(gr->svc), (uint64_t)i);
            amop_ask mode;
            int who;
            int64_t ep;
            if (!st) continue;
            amop_reconf_of(&s->model, st, &mode, &who, &ep);
            for (int p = geo->g; mode == AMOP_IDLE && p < s->n - 1; p++) {
                int m = aml_pid_machine(geo, i, p, NULL);
                const amr_machine *x = m >= 0 ? &s->det.m[m] : NULL;
                /* not once a replacement started here since the suspicion: the
                 * machine may have restarted and been replaced before its first
                 * heartbeat, and a suspect now would replace the newcomer again */
                if (!x || !x->suspected || x->heard_ms < 0 ||
                    s->det.track[i].since_wall >= x->suspected_wall || amr_hold(&s->det, i, m))
                    continue;
                int64_t arg = p;
                /* refused for a full queue (the next tick tries again); run twice, the
                 * second finds the instance no longer idle and does nothing */
                hoc_svc_event(gr->svc, (uint64_t)i, s->model.ev_suspect, &arg, NULL, 0, NULL, 0);
                break;
            }
        }
    }
}

/* serve: a heartbeat on every group to the reconfiguration service;
 * reconf: suspect the machines that went silent */
static void on_beat(evutil_socket_t fd, short what, void *arg)
{
    ams_server *s = arg;
    (void)fd, (void)what;
    if (s->machine < 0) {
        if (s->driving) amr_tick(&s->det, mono_ms(), wall_ms());
        if (s->driving && s->rlog) log_acts(s);
        if (s->driving) replace_suspected(s);
        return;
    }
    uint8_t hb[AMR_HB_LEN];
    count_degraded(s); /* the reconfiguration service holds suspicions while it is not 0 */
    amr_hb_encode(hb, s->machine, s->incarnation, s->degraded);
    for (int i = 0; i < s->ngroups; i++)
        hoc_svc_send_app(s->groups[i].svc, s->n - 1, hb, sizeof hb);
}

static int start_beat(ams_server *s, char *err, size_t errn)
{
    /* the detector looks twice a heartbeat: a suspicion comes at most half
     * a heartbeat interval after suspect-ms of silence */
    int ms = amr_heartbeat_ms(s->c.suspect_ms);
    if (s->machine < 0) ms = ms / 2 > 5 ? ms / 2 : 5;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    s->beat = event_new(s->base, -1, EV_PERSIST, on_beat, s);
    /* at the sockets' priority: libevent runs one priority a pass, and a
     * timer below them waits for a pass without input, which a busy
     * server or service may not have for a long time */
    if (s->beat) event_priority_set(s->beat, 0);
    if (!s->beat || event_add(s->beat, &tv)) {
        snprintf(err, errn, "cannot start the %s timer", s->machine < 0 ? "detector" : "heartbeat");
        return -1;
    }
    return 0;
}

/* reconf: each instance's decision as last written (all Idle) and one
 * record's buffer: the record's size, or 0 with err */
static size_t alloc_decisions(ams_server *s, char *err, size_t errn)
{
    size_t rec = amop_reconf_size(&s->model);
    s->saved = calloc((size_t)s->ninst, sizeof *s->saved);
    s->dec = malloc(rec);
    if (!s->saved || !s->dec) {
        snprintf(err, errn, "out of memory");
        return 0;
    }
    for (int64_t i = 0; i < s->ninst; i++)
        s->saved[i] = (amr_track){.mode = AMOP_IDLE, .who = -1};
    return rec;
}

static void on_lease(void *ctx, uint64_t until);

/* reconf with R > 1: the log made this replica the driver of pid n-1 */
static int on_drive(void *ctx, uint64_t term)
{
    ams_server *s = ctx;
    char err[512];
    s->term = term;
    amr_free(&s->det); /* heartbeats went to the previous driver */
    if (amr_init(&s->det, &s->c.geo, s->c.suspect_ms, s->ninst, mono_ms(), s->log)) {
        hoc_log(&s->log, HOC_LOG_ERROR, "reconf %d: out of memory", s->reconf);
        return -1;
    }
    for (int64_t i = 0; i < s->ninst; i++)
        s->saved[i] = (amr_track){.mode = AMOP_IDLE, .who = -1};
    /* the previous driver's suspicions stand until a heartbeat clears them */
    uint8_t act[ARL_ACT_LEN];
    for (int i = 0; i < s->c.geo.machines; i++) {
        s->acted[i] = arl_get_act(s->rlog, i, act) && hoc_get_u64(act);
        s->det.m[i].suspected = s->acted[i];
        if (s->acted[i]) s->det.m[i].suspected_wall = (int64_t)hoc_get_u64(act + 8);
    }
    if (ams_reconf_open(s, err, sizeof err)) {
        hoc_log(&s->log, HOC_LOG_ERROR, "reconf %d: cannot drive term %llu: %s", s->reconf,
                (unsigned long long)term, err);
        return -1;
    }
    /* before the loop runs again: no byte of this term leaves unleased */
    s->sent_first = s->sent_last = 0;
    on_lease(s, arl_get_stats(s->rlog)->lease_until);
    s->driving = true;
    return 0;
}

/* What pid n-1's transports wrote under the lease (hoc_net_stats): the
 * first and last write of the term, and the bytes a lease's end dropped
 * (added to s->lease_dropped when `keep`: the transports are closing). */
static uint64_t driver_writes(ams_server *s, bool keep)
{
    uint64_t dropped = 0;
    for (int i = 0; i < s->ngroups; i++) {
        const hoc_net_stats *st = hoc_net_get_stats(hoc_svc_net(s->groups[i].svc));
        if (st->first_write_us && (!s->sent_first || st->first_write_us < s->sent_first))
            s->sent_first = st->first_write_us;
        if (st->last_write_us > s->sent_last) s->sent_last = st->last_write_us;
        dropped += st->dropped_lease_bytes;
    }
    if (keep) s->lease_dropped += dropped;
    return dropped;
}

static void on_depose(void *ctx, const char *why)
{
    ams_server *s = ctx;
    (void)why;
    driver_writes(s, true);
    if (s->sent_last)
        /* after its lease: the transport's check failed, and two drivers
         * may have acted at once (never expected) */
        hoc_log(&s->log, s->sent_last < s->lease_until ? HOC_LOG_INFO : HOC_LOG_ERROR,
                "reconf %d: its last byte to a server in term %llu left %.1f ms %s its lease ran "
                "out",
                s->reconf, (unsigned long long)s->term,
                (double)(s->sent_last < s->lease_until ? s->lease_until - s->sent_last
                                                       : s->sent_last - s->lease_until) /
                    1000.0,
                s->sent_last < s->lease_until ? "before" : "AFTER");
    s->driving = false;
    s->term = 0;
    ams_reconf_close(s);
}

/* the log extended the lease: every transport of pid n-1 may write until then */
static void on_lease(void *ctx, uint64_t until)
{
    ams_server *s = ctx;
    s->lease_until = until;
    for (int i = 0; i < s->ngroups; i++)
        hoc_net_set_lease(hoc_svc_net(s->groups[i].svc), until);
}

/* every decision so far is in the log under our term: out go the messages */
static void on_settled(void *ctx)
{
    ams_server *s = ctx;
    for (int i = 0; i < s->ngroups; i++)
        hoc_svc_release(s->groups[i].svc);
}

static void on_logtick(evutil_socket_t fd, short what, void *arg)
{
    ams_server *s = arg;
    (void)fd, (void)what;
    arl_tick(s->rlog, hoc_now_us());
}

/* reconf with R > 1: the replicated log (amrlog.h), in DIR/amalgam-CID-reconf-R.log
 * with --data; the groups open once it makes this replica the driver */
static int open_log(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    char dir[4096];
    if (o->data) {
        if (mkdir(o->data, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errn, "%s: cannot create it: %s", o->data, strerror(errno));
            return -1;
        }
        snprintf(dir, sizeof dir, "%s/amalgam-%016llx-reconf-%d.log", o->data,
                 (unsigned long long)cid, o->reconf);
    } else {
        hoc_log(&s->log, HOC_LOG_WARN,
                "reconf %d: no --data DIR: its log lives in memory, and this replica restarted "
                "could break the log's agreement (LastVoting's promises are lost with it)",
                o->reconf);
    }
    size_t rec = alloc_decisions(s, err, errn);
    if (!rec) return -1;
    if (!(s->acted = calloc((size_t)s->c.geo.machines, sizeof *s->acted))) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    arl_opts lo = {.c = &s->c,
                   .replica = o->reconf,
                   .secret = s->secret,
                   .secret_len = s->secret_len,
                   .dir = o->data ? dir : NULL,
                   .ninst = s->ninst,
                   .rec = rec,
                   .log = s->log,
                   .ctx = s,
                   .drive = on_drive,
                   .depose = on_depose,
                   .settled = on_settled,
                   .lease = on_lease};
    if (!(s->rlog = arl_new(s->base, &lo, err, errn))) return -1;
    struct timeval tv = {0, 5000};
    s->logtick = event_new(s->base, -1, EV_PERSIST, on_logtick, s);
    /* the lease's renewals: never behind the sockets (start_beat says why) */
    if (s->logtick) event_priority_set(s->logtick, 0);
    if (!s->logtick || event_add(s->logtick, &tv)) {
        snprintf(err, errn, "cannot start the log's timer");
        return -1;
    }
    return 0;
}

/* reconf: its decisions on disk with --data (a restart resumes them);
 * without, a warning: a restarted service would use epochs again */
static int open_decisions(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    s->driving = true;
    if (o->test_term) { /* a deposed driver, for the fencing test: no log, no disk */
        s->term = o->test_term;
        hoc_log(&s->log, HOC_LOG_WARN, "reconf %d: TEST: drives under term %llu without the log",
                o->reconf, (unsigned long long)o->test_term);
        return 0;
    }
    if (s->c.nreconf > 1) {
        s->driving = false;
        return open_log(s, o, cid, err, errn);
    }
    if (!o->data) {
        hoc_log(&s->log, HOC_LOG_WARN,
                "reconf %d: no --data DIR: its decisions (epochs, replacements under way) live in "
                "memory, and a restarted service would use epochs again and stall replacements",
                o->reconf);
        return 0;
    }
    size_t rec = alloc_decisions(s, err, errn);
    if (!rec) return -1;
    if (ars_open(&s->store, o->data, cid, o->reconf, s->ninst, rec, err, errn)) return -1;
    s->durable = true;
    int64_t had = 0;
    for (int64_t i = 0; i < s->ninst; i++)
        had += s->store.seq[i] > 0;
    hoc_log(&s->log, had ? HOC_LOG_WARN : HOC_LOG_INFO,
            "reconf %d: decisions in %s (%lld instances resume from a decision written before)",
            o->reconf, s->store.path, (long long)had);
    return 0;
}

/* serve with R > 1: the newest term it was shown, from --data (a server
 * restarted while a deposed driver lives must still refuse it) */
static int open_term(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    s->cid = cid;
    if (s->c.nreconf < 2) return 0;
    if (!o->data) {
        hoc_log(&s->log, HOC_LOG_WARN,
                "machine %d: no --data DIR: the newest reconfiguration term it is shown lives in "
                "memory, and after a restart it takes a deposed driver until the current one "
                "connects",
                o->machine);
        return 0;
    }
    char p[4096];
    amst_term_path(o->data, cid, o->machine, p, sizeof p);
    if (!(s->term_path = strdup(p))) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    if (amst_term_load(p, cid, &s->seen_term, err, errn)) return -1;
    hoc_log(&s->log, s->seen_term ? HOC_LOG_WARN : HOC_LOG_INFO,
            "machine %d: refuses reconfiguration drivers older than term %llu (%s)", o->machine,
            (unsigned long long)s->seen_term, s->seen_term ? p : "none kept yet");
    return 0;
}

int amw_open(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    /* the process's stamp: a restart (a new stamp) tells the detector the
     * machine lost its state, a heartbeat after a pause (the same) that not */
    s->incarnation = (uint64_t)wall_ms() * 1000003u ^ (uint64_t)getpid();
    if (o->machine >= 0) return open_term(s, o, cid, err, errn);
    if (amr_init(&s->det, &s->c.geo, s->c.suspect_ms, s->ninst, mono_ms(), s->log)) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    return open_decisions(s, o, cid, err, errn);
}

int amw_start(ams_server *s, char *err, size_t errn)
{
    if (s->machine >= 0) count_degraded(s); /* /metrics never shows a joining machine whole */
    return start_beat(s, err, errn);
}

/* reconf: no replacement under way at any machine (the normal path, in
 * which pid n-1 decides nothing and sends no round message), and no
 * replicated log in this loop: with one, amalgam-reconf-replicated failed
 * once under ASan and load (its driver's lease not confirmed in the 1.5 s
 * after its replacements ended; not seen in six runs since), so R > 1 keeps
 * the loop as it was until the log's rounds are measured asleep */
static bool quiet(const ams_server *s)
{
    if (s->rlog) return false;
    for (int i = 0; i < s->c.geo.machines; i++)
        if (s->det.m[i].replacing) return false;
    return true;
}

void amw_run(ams_server *s)
{
    if (s->machine >= 0) {
        event_base_dispatch(s->base);
        return;
    }
    while (event_base_loop(s->base, EVLOOP_ONCE) == 0 && !event_base_got_break(s->base) &&
           !event_base_got_exit(s->base)) {
        if (!quiet(s)) continue;
        struct timespec ts = {0, AMW_QUIET_US * 1000};
        nanosleep(&ts, NULL);
    }
}

void amw_render(ams_server *s, struct evbuffer *b)
{
    if (s->machine < 0) {
        amr_render(&s->det, b, mono_ms());
        if (s->rlog) {
            const arl_stats *st = arl_get_stats(s->rlog);
            uint64_t dropped = s->lease_dropped + (s->driving ? driver_writes(s, false) : 0);
            uint64_t v[6] = {st->term,        (uint64_t)arl_leader(s->rlog),
                             st->appended,    st->takeovers,
                             st->depositions, st->acts};
            uint64_t w[6] = {s->lease_until, s->sent_first,        s->sent_last,
                             dropped,        st->waited_us / 1000, st->closed_silent};
            hoc_metrics_family(b, "amalgam_reconf_term", "gauge",
                               "The log term this replica drives pid n-1 under; 0: it does not.", v,
                               1, NULL);
            hoc_metrics_family(b, "amalgam_reconf_log_leader", "gauge",
                               "The reconf replica this one takes for the log's leader.", v + 1, 1,
                               NULL);
            hoc_metrics_family(b, "amalgam_reconf_decisions_appended_total", "counter",
                               "Decisions this replica appended to the log while driving.", v + 2,
                               1, NULL);
            hoc_metrics_family(b, "amalgam_reconf_takeovers_total", "counter",
                               "Terms this replica took and confirmed.", v + 3, 1, NULL);
            hoc_metrics_family(b, "amalgam_reconf_depositions_total", "counter",
                               "Terms this replica lost while driving.", v + 4, 1, NULL);
            hoc_metrics_family(b, "amalgam_reconf_acts_appended_total", "counter",
                               "Failure detector acts (suspicions, clearings) this replica "
                               "appended to the log while driving.",
                               v + 5, 1, NULL);
            static const struct {
                const char *name, *type, *help;
            } LEASE[6] = {
                {"amalgam_reconf_lease_until_us", "gauge",
                 "CLOCK_BOOTTIME (us) when this replica's lease as driver runs out, or ran out in "
                 "its last term; 0: it never drove."},
                {"amalgam_reconf_sent_first_us", "gauge",
                 "CLOCK_BOOTTIME (us) of its first write to a server in its current or last term; "
                 "0: none."},
                {"amalgam_reconf_sent_last_us", "gauge",
                 "CLOCK_BOOTTIME (us) of its last write to a server in its current or last term; "
                 "0: none."},
                {"amalgam_reconf_lease_dropped_bytes_total", "counter",
                 "Bytes for servers never written because its lease ran out."},
                {"amalgam_reconf_takeover_wait_ms", "gauge",
                 "At its last takeover, milliseconds from taking the term to driving (the "
                 "previous driver's lease waited out)."},
                {"amalgam_reconf_silent_leader_closes_total", "counter",
                 "Connections with the log's leader closed because the log applied nothing "
                 "for 1.25 s."}};
            for (int k = 0; k < 6; k++)
                hoc_metrics_family(b, LEASE[k].name, LEASE[k].type, LEASE[k].help, w + k, 1, NULL);
        }
        return;
    }
    uint64_t deg[5] = {(uint64_t)s->degraded, (uint64_t)s->rebuilt_wall, s->seen_term,
                       s->stale_refused, s->stale_closed};
    hoc_metrics_family(b, "amalgam_degraded_instances", "gauge",
                       "Instances where a server of this machine is not whole (a replacement not "
                       "yet live, or blocks or parity rows not yet rebuilt).",
                       deg, 1, NULL);
    hoc_metrics_family(b, "amalgam_rebuilt_at_ms", "gauge",
                       "Unix time (ms) the last degraded server here became whole; 0: never.",
                       deg + 1, 1, NULL);
    hoc_metrics_family(b, "amalgam_reconf_term_seen", "gauge",
                       "The newest term a replicated reconfiguration service's driver presented "
                       "here; 0: none (one replica).",
                       deg + 2, 1, NULL);
    hoc_metrics_family(b, "amalgam_deposed_refused_total", "counter",
                       "Connections of a reconfiguration driver older than the newest term, "
                       "refused.",
                       deg + 3, 1, NULL);
    hoc_metrics_family(b, "amalgam_deposed_closed_total", "counter",
                       "Connections of a reconfiguration driver closed because a newer term was "
                       "shown on another class.",
                       deg + 4, 1, NULL);
}

void amw_free(ams_server *s)
{
    if (s->beat) event_free(s->beat);
    if (s->logtick) event_free(s->logtick);
    s->beat = NULL, s->logtick = NULL;
    arl_free(s->rlog);
    s->rlog = NULL;
    amr_free(&s->det);
    ars_close(&s->store);
    free(s->saved);
    free(s->dec);
    free(s->acted);
    s->acted = NULL;
    free(s->term_path);
    s->term_path = NULL;
    s->saved = NULL, s->dec = NULL;
}
