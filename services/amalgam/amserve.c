/* amserve.c: one machine's Amalgam servers, or the reconfiguration service,
 * as one process (amserve.h): the cluster file becomes one hoc_svc group
 * per (server, rotation class), each running its class's long-lived
 * instances of amalgam.ho from start-up; client ops enter as events and are
 * answered from the outputs (amop.h knows which). */
#include "amserve.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amfront.h"
#include "amstate.h"
#include "mux.h"
#include "amvariant.h"
#include "amwatch.h"
#include "metrics.h"

/* Clients whose last op a machine remembers (amdedup.h): the least recently
 * used is forgotten beyond this. */
#define AMS_CLIENTS 4096

/* The port a server of role r on machine x listens at for class t. */
static int role_port(const amc_machine *x, aml_role r, int t)
{
    int p = r == AML_DATA ? x->data : r == AML_PARITY ? x->parity : x->witness;
    return p + t;
}

/* Class t's group: pid j played by the machine aml_pid_machine names, at
 * its server's port + t; pid n-1 by this reconf replica, or (in a server,
 * which never dials pid n-1: the higher id dials) by replica 0. proc: each
 * pid's process on the mux. */
static void class_peers(const ams_server *s, int t, hoc_peers *p, int *proc)
{
    memset(p, 0, sizeof *p);
    p->n = s->n;
    for (int j = 0; j < s->n; j++) {
        hoc_peer *q = &p->p[j];
        q->id = j;
        if (j == s->n - 1) {
            const amc_replica *x = &s->c.reconf[s->reconf > 0 ? s->reconf : 0];
            snprintf(q->host, sizeof q->host, "%s", x->host);
            q->port = x->port + t;
            q->line = x->line;
            proc[j] = s->c.geo.machines + (s->reconf > 0 ? s->reconf : 0);
            continue;
        }
        aml_role r;
        int m = aml_pid_machine(&s->c.geo, t, j, &r);
        snprintf(q->host, sizeof q->host, "%s", s->c.machine[m].host);
        q->port = role_port(&s->c.machine[m], r, t);
        q->line = s->c.machine[m].line;
        proc[j] = m;
    }
}

/* One connection a pair of processes for every group here (mux.h): the
 * processes are the machines, at their data port (which no group of a
 * machine listens at: its groups' connections are the mux's channels),
 * then the reconf replicas at theirs. */
static int open_mux(ams_server *s, char *err, size_t errn)
{
    int M = s->c.geo.machines, np = M + s->c.nreconf;
    hoc_mux_proc *procs = calloc((size_t)np, sizeof *procs);
    if (!procs) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    for (int i = 0; i < np; i++) {
        bool m = i < M;
        snprintf(procs[i].host, sizeof procs[i].host, "%s",
                 m ? s->c.machine[i].host : s->c.reconf[i - M].host);
        procs[i].port = m ? s->c.machine[i].data : s->c.reconf[i - M].port;
    }
    hoc_mux_opts mo = {.self = s->machine >= 0 ? s->machine : M + s->reconf,
                       .nprocs = np,
                       .procs = procs,
                       .secret = s->secret,
                       .secret_len = s->secret_len,
                       .log = s->log};
    int port = procs[mo.self].port;
    s->mux = hoc_mux_new(s->base, &mo);
    free(procs);
    if (!s->mux) {
        snprintf(err, errn, "cannot listen for its peers on port %d (or out of memory)", port);
        return -1;
    }
    return 0;
}

ams_group *ams_group_of(ams_server *s, aml_role role, int t)
{
    for (int i = 0; i < s->ngroups; i++)
        if (s->groups[i].role == role && s->groups[i].cls == t) return &s->groups[i];
    return NULL;
}

ams_group *ams_data_group(ams_server *s, int t)
{
    return ams_group_of(s, AML_DATA, t);
}

/* ---- the service layer's callbacks ---- */

/* Only the class's instances, and of those only the ones started here: a
 * message must not start one that a rejoining machine holds back (as new,
 * with zero blocks) */
static bool io_admit(void *ctx, uint64_t inst)
{
    ams_group *gr = ctx;
    return inst < (uint64_t)gr->srv->ninst &&
           aml_class(&gr->srv->c.geo, (int64_t)inst) == gr->cls && amp_started(gr, inst);
}

static void io_inputs(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes)
{
    (void)ctx, (void)inst, (void)ints, (void)bytes; /* amalgam.ho has no inputs */
}

const void *ams_state(ams_group *gr, uint64_t inst)
{
    hoc_engine *e = hoc_svc_engine(gr->svc);
    /* a replacement that has not joined yet still has init's state, not its own */
    return hoc_engine_joining(e, inst) ? NULL : hoc_engine_state(e, inst);
}

/* The test's kill (amserve.h, fail), where it asked for it. */
static void failpoint(ams_server *s, int where, uint64_t inst)
{
    if (s->fail != where || (uint64_t)s->fail_inst != inst) return;
    hoc_log(&s->log, HOC_LOG_WARN, "AMALGAM_FAILPOINT: killed at instance %llu",
            (unsigned long long)inst);
    raise(SIGKILL);
}

/* Answers every wait of inst whose op is now committed. The list is newest
 * first, but a connection has one op waiting at most (amfront's busy), so
 * each connection's replies still come in its requests' order. */
static void answer_committed(ams_group *gr, uint64_t inst, int64_t com)
{
    for (ams_wait **pw = &gr->waits; *pw;) {
        ams_wait *w = *pw;
        if (w->inst == inst && w->opn > 0 && w->opn <= com) {
            *pw = w->next;
            gr->srv->ops_committed++;
            if (w->ded && w->bytes) amd_done(&gr->srv->dedup, w->ded - 1, w->bytes);
            if (w->ded) failpoint(gr->srv, AMS_FAIL_REPLY, inst);
            amf_reply(gr->srv, w, NULL);
        } else {
            pw = &w->next;
        }
    }
}

static void io_output(void *ctx, uint64_t inst, int64_t round, const void *outputs)
{
    ams_group *gr = ctx;
    int64_t com;
    (void)round;
    if (gr->role == AML_DATA && amop_committed(&gr->srv->model, outputs, &com))
        answer_committed(gr, inst, com);
}

static void journal_failed(ams_server *s, const char *what)
{
    hoc_log(&s->log, HOC_LOG_ERROR,
            "%s: cannot %s (%s): exactly-once answers are kept in memory only from now on",
            s->dedup.path, what, strerror(errno));
}

/* Writes the journal's queued records: one write for every op a loop
 * iteration executed, before the round messages they hold leave. */
static void journal_flush(ams_server *s)
{
    if (amd_flush(&s->dedup)) journal_failed(s, "write");
}

/* The dedup table learns that w's op executed as op w->opn of inst (its
 * record is written, and synced, before the op's prepare leaves:
 * io_sending, start_sync). The first
 * op this process executes in inst comes right after the chain its
 * replacement installed, which says which ops of an earlier process ran. */
static void journal(ams_group *gr, ams_wait *w, uint64_t inst)
{
    ams_server *s = gr->srv;
    if (s->dedup.unsure && amd_unsure(&s->dedup, (int64_t)inst))
        amd_resolve(&s->dedup, (int64_t)inst, w->opn - 1);
    if (!w->ded) return;
    amd_ran(&s->dedup, w->ded - 1, (int64_t)inst, w->opn, w->bytes);
    /* the test's kill right after the op executed: its record written,
     * not synced, its prepare not sent */
    if (s->fail == AMS_FAIL_EXECUTED && (uint64_t)s->fail_inst == inst) journal_flush(s);
    failpoint(s, AMS_FAIL_EXECUTED, inst);
    failpoint(s, AMS_FAIL_QUEUED, inst); /* the record not written yet, nor the prepare */
    if (s->fail == AMS_FAIL_SENT && (uint64_t)s->fail_inst == inst) s->fail_armed = true;
}

static void io_event_done(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                          const void *outputs)
{
    ams_group *gr = ctx;
    (void)round, (void)ev;
    ams_wait **pw = &gr->waits;
    while (*pw && (*pw)->tag != tag)
        pw = &(*pw)->next;
    ams_wait *w = *pw;
    if (!w) return;
    const uint8_t *reply;
    const void *st = ams_state(gr, inst);
    size_t bl = (size_t)gr->srv->model.block;
    if (!ran || !st || !amop_executed(&gr->srv->model, outputs, &reply) ||
        !(w->bytes = malloc(bl))) {
        /* the model refused it (window full, shard being replaced): nothing changed */
        *pw = w->next;
        gr->srv->ops_refused++;
        if (w->ded) amd_abort(&gr->srv->dedup, w->ded - 1);
        amf_reply(gr->srv, w,
                  "TRYAGAIN the shard did not take the op (its window of pending ops is full, "
                  "or it is being rebuilt): nothing changed, send it again");
        return;
    }
    amop_view v;
    amop_view_of(&gr->srv->model, st, &v);
    memcpy(w->bytes, reply, bl);
    w->opn = v.opn; /* the op just executed is the last one */
    journal(gr, w, inst);
    if (v.com >= w->opn) { /* committed as it ran: its reply leaves after its record */
        journal_flush(gr->srv);
        answer_committed(gr, inst, v.com);
    }
}

/* Is inst's data server here not whole (not running yet, joining, not
 * live, or its blocks not rebuilt)? Then an op on it is refused at once,
 * which the model would do at its next phase boundary (tens of ms a try),
 * and its rebuild goes first (amp_want). */
static bool rebuilding(ams_group *gr, uint64_t inst, char *err, size_t errn)
{
    const void *st = ams_state(gr, inst);
    amop_view v = {0};
    if (st) amop_view_of(&gr->srv->model, st, &v);
    if (st && v.live && !v.lost) return false;
    amp_want(gr->srv, (int64_t)inst);
    snprintf(err, errn,
             "TRYAGAIN the block is being rebuilt here (its rebuild goes first now): nothing "
             "changed, send it again");
    return true;
}

int ams_submit_op(ams_group *gr, uint64_t inst, const int64_t *args, const uint8_t *const *bytes,
                  ams_wait *w, char *err, size_t errn)
{
    if (rebuilding(gr, inst, err, errn)) {
        gr->srv->ops_refused++;
        return -1;
    }
    w->tag = ++gr->srv->next_tag;
    w->inst = inst;
    w->opn = 0;
    char why[256] = "";
    hoc_event_result r =
        hoc_svc_event(gr->svc, inst, gr->srv->model.ev_op, args, bytes, w->tag, why, sizeof why);
    if (r != HOC_EVENT_QUEUED) {
        snprintf(err, errn, "%s %s", r == HOC_EVENT_FULL ? "TRYAGAIN" : "ERR",
                 r == HOC_EVENT_FULL ? "too many ops queued: nothing changed" : why);
        return -1;
    }
    w->next = gr->waits;
    gr->waits = w;
    /* an idle instance's backups wait out fwd's 50 ms timeout before the
     * op's window can go out: end that round now, here and at them (their
     * answers then carry the other data servers and the reconfiguration
     * service into the next round) */
    const void *st = ams_state(gr, inst);
    if (st && amop_idle_fwd(&gr->srv->model, st, hoc_engine_round(hoc_svc_engine(gr->svc), inst)))
        hoc_svc_hurry(gr->svc, inst, amop_backups(&gr->srv->model));
    return 0;
}

int ams_submit_read(ams_group *gr, uint64_t inst, int b, ams_wait *w, char *err, size_t errn)
{
    if (rebuilding(gr, inst, err, errn)) return -1;
    const void *st = ams_state(gr, inst);
    amop_view v;
    amop_view_of(&gr->srv->model, st, &v);
    size_t bl = (size_t)gr->srv->model.block;
    if (!(w->bytes = malloc(bl))) {
        snprintf(err, errn, "ERR out of memory");
        return -1;
    }
    /* the block as every op executed so far left it: answered once they commit */
    memcpy(w->bytes, amop_block(&gr->srv->model, st, b), bl);
    w->tag = ++gr->srv->next_tag;
    w->inst = inst;
    if (v.com >= v.opn) {
        amf_reply(gr->srv, w, NULL);
        return 0;
    }
    w->opn = v.opn;
    w->next = gr->waits;
    gr->waits = w;
    return 0;
}

void ams_forget_conn(ams_server *s, void *conn)
{
    for (int i = 0; i < s->ngroups; i++)
        for (ams_wait *w = s->groups[i].waits; w; w = w->next)
            if (w->conn == conn) w->conn = NULL;
}

/* A data server's round messages wait for its machine's dedup records
 * (amdedup.h): an op's prepare never leaves before the record that it ran,
 * so a restart can tell its retry the first answer. The rest is amwatch's. */
static int64_t io_timeout(void *ctx, uint64_t inst, int64_t round, const void *state, hoc_set heard)
{
    (void)inst;
    return amp_timeout(ctx, round, state, heard);
}

static bool io_sending(void *ctx, uint64_t inst, int64_t round, const void *state)
{
    ams_group *gr = ctx;
    if (gr->role == AML_DATA) return amd_dirty(&gr->srv->dedup);
    return amw_sending(ctx, inst, round, state);
}

/* Lets out every data server's round messages that the journal now covers:
 * all of them, or those held before the sync in flight started (upto). */
static void release_data(ams_server *s, bool upto)
{
    for (int i = 0; i < s->ngroups; i++) {
        ams_group *gr = &s->groups[i];
        if (gr->role != AML_DATA || !hoc_svc_held(gr->svc)) continue;
        if (upto)
            hoc_svc_release_upto(gr->svc, gr->sync_mark);
        else
            hoc_svc_release(gr->svc);
        hoc_svc_kick(gr->svc);
    }
}

/* Writes the records queued since the last time and starts a sync of what
 * the journal holds beyond the last one, noting which held messages it
 * covers (group commit: every op of the loop iterations since); without a
 * syncer thread, syncs here; without syncs (--fsync never), lets the
 * messages out once written. */
static void start_sync(ams_server *s)
{
    if (s->syncer && amds_busy(s->syncer)) return;
    journal_flush(s);
    if (!amd_dirty(&s->dedup)) {
        release_data(s, false);
        return;
    }
    if (!s->syncer) {
        if (amd_sync(&s->dedup)) journal_failed(s, "sync");
        release_data(s, false);
        return;
    }
    for (int i = 0; i < s->ngroups; i++)
        s->groups[i].sync_mark = hoc_svc_held_mark(s->groups[i].svc);
    s->sync_upto = s->dedup.written;
    amds_start(s->syncer, amd_fd(&s->dedup));
}

static void on_synced(void *ctx, int err)
{
    ams_server *s = ctx;
    if (amd_synced(&s->dedup, s->sync_upto, err)) journal_failed(s, "sync");
    release_data(s, amd_dirty(&s->dedup));
    start_sync(s);
}

static void io_iteration(void *ctx, uint64_t now)
{
    ams_group *gr = ctx;
    ams_server *s = gr->srv;
    amw_iteration(ctx, now);
    if (gr->role == AML_DATA) start_sync(s);
    if (gr->role == AML_DATA && s->fail_armed && !amd_dirty(&s->dedup) && !hoc_svc_held(gr->svc)) {
        for (int i = 0; i < s->ngroups; i++) /* the prepare to the kernel, then die */
            hoc_svc_flush(s->groups[i].svc);
        failpoint(s, AMS_FAIL_SENT, (uint64_t)s->fail_inst);
    }
    amp_iteration(gr, now);
}

/* ---- start-up ---- */

static int group_open(ams_server *s, ams_group *gr, aml_role role, int t, int pid, char *err,
                      size_t errn)
{
    *gr = (ams_group){.srv = s, .role = role, .cls = t, .pid = pid};
    class_peers(s, t, &gr->peers, gr->mux_proc);
    int64_t per_class = (s->ninst + s->c.geo.machines - 1) / s->c.geo.machines;
    hoc_logger lg = s->log;
    lg.id = pid;
    /* a replicated service's driver presents its term first on every
     * connection: the servers refuse a deposed one (amw_app), and until its
     * term is accepted the driver's older connection stays */
    uint8_t greet[AMR_TERM_LEN];
    bool greets = s->c.nreconf > 1 && role != AML_RECONF;
    if (role == AML_RECONF && s->term) amr_term_encode(greet, s->term);
    /* the class's instances are all live from start-up (a rejoining machine's
     * a window at a time: ampace.h), each allocated at
     * its full size (state and two mailboxes of AMALGAM_MAXN messages) but
     * touched only where its blocks and the messages' present fields are:
     * the budget is what the cluster file asks for, not a fixed cap that
     * would refuse large clusters */
    uint64_t need = (uint64_t)(per_class + 1) * hoc_engine_instance_bytes(s->model.a);
    hoc_svc_opts so = {.algo = s->model.a,
                       .id = pid,
                       .peers = &gr->peers,
                       .secret = s->secret,
                       .secret_len = s->secret_len,
                       .params = s->model.params,
                       .max_live = (int)per_class + 1,
                       .memory = need > HOC_SVC_MEMORY ? need : HOC_SVC_MEMORY,
                       /* fields that do not apply are zeros: at 128 KiB blocks a
                        * `back` message is 640 KiB on the wire without this */
                       .zero_runs = true,
                       .seed = (uint64_t)(s->machine * 1000 + t * 10 + role),
                       .greeting = greet,
                       .greeting_len = role == AML_RECONF && s->term ? sizeof greet : 0,
                       .greeters = greets ? hoc_set_one(s->n - 1) : 0,
                       .mux = s->mux,
                       .mux_proc = gr->mux_proc,
                       .log = lg};
    hoc_svc_io io = {.ctx = gr,
                     .admit = io_admit,
                     .inputs = io_inputs,
                     .output = io_output,
                     .event_done = io_event_done,
                     .app = amw_app,
                     .iteration = io_iteration,
                     .sending = io_sending,
                     /* none while the idle pace is off: nothing asked a round */
                     .timeout = s->pace.idle_us ? io_timeout : NULL,
                     /* only the reconfiguration role resumes decisions */
                     .restore = role == AML_RECONF ? amw_restore : NULL};
    char why[512];
    if (!(gr->pace = calloc((size_t)per_class + 1, sizeof *gr->pace))) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    if (!(gr->svc = hoc_svc_new(s->base, &so, &io, why, sizeof why))) {
        snprintf(err, errn, "%c server of class %d (pid %d, port %d): %s", aml_role_letter(role), t,
                 pid, gr->peers.p[pid].port, why);
        return -1;
    }
    return amp_start_group(gr, err, errn);
}

int ams_reconf_open(ams_server *s, char *err, size_t errn)
{
    for (int t = 0; t < s->c.geo.machines; t++) {
        if (group_open(s, &s->groups[s->ngroups], AML_RECONF, t, s->n - 1, err, errn)) {
            ams_reconf_close(s);
            return -1;
        }
        s->svcs[s->ngroups] = s->groups[s->ngroups].svc;
        s->ngroups++;
    }
    return 0;
}

void ams_reconf_close(ams_server *s)
{
    for (int i = 0; i < s->ngroups; i++)
        hoc_svc_free(s->groups[i].svc), free(s->groups[i].pace);
    if (s->ngroups < s->c.geo.machines) { /* one group_open left half made */
        hoc_svc_free(s->groups[s->ngroups].svc);
        free(s->groups[s->ngroups].pace);
    }
    memset(s->groups, 0, (size_t)s->c.geo.machines * sizeof *s->groups);
    s->ngroups = 0;
}

static int open_groups(ams_server *s, char *err, size_t errn)
{
    int M = s->c.geo.machines;
    s->groups = calloc((size_t)M * 3, sizeof *s->groups);
    s->svcs = calloc((size_t)M * 3, sizeof *s->svcs);
    if (!s->groups || !s->svcs) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    /* the reconfiguration service plays pid n-1 of every class; replicated,
     * only once its log made it the driver (amwatch.c) */
    if (s->machine < 0) return s->c.nreconf > 1 && !s->term ? 0 : ams_reconf_open(s, err, errn);
    static const aml_role roles[] = {AML_DATA, AML_PARITY, AML_WITNESS};
    for (int t = 0; t < M; t++) {
        for (int r = 0; r < 3; r++) {
            int pid = aml_server_pid(&s->c.geo, s->machine, roles[r], t);
            if (pid < 0) continue;
            if (group_open(s, &s->groups[s->ngroups], roles[r], t, pid, err, errn)) return -1;
            s->svcs[s->ngroups] = s->groups[s->ngroups].svc;
            s->ngroups++;
        }
    }
    return 0;
}

/* One sample each: name, type, help. */
typedef struct family {
    const char *name, *type, *help;
} family;

static const family FAMILIES[] = {
    {"amalgam_ops_committed_total", "counter", "Client ops answered after their commit."},
    {"amalgam_ops_refused_total", "counter",
     "Client ops refused with TRYAGAIN: the model did not take them (window full), or their "
     "block is not rebuilt here yet."},
    {"amalgam_ops_duplicate_total", "counter",
     "Client ops sent again and answered from the first execution."},
    {"amalgam_dedup_unsure", "gauge",
     "Clients whose last op ran before a restart, not yet known to have committed."},
    {"amalgam_dedup_resolved_total", "counter",
     "Such ops found committed (their first reply kept)."},
    {"amalgam_dedup_forgotten_total", "counter",
     "Such ops found lost with the restart (they may run again)."},
    {"amalgam_dedup_syncs_total", "counter",
     "Syncs of the exactly-once journal (each before prepares leave)."},
    {"amalgam_dedup_journal_bytes", "gauge", "Bytes of the exactly-once journal under --data."},
    {"amalgam_dedup_journaled", "gauge",
     "1 while the exactly-once table is journaled (--data, no write failed)."},
    /* what the machine holds (held_bytes), summed by bench_amalgam.sh over
     * the cluster for the storage used per logical byte */
    {"amalgam_held_data_bytes", "gauge", "Data blocks of whole data servers here."},
    {"amalgam_held_parity_bytes", "gauge", "Parity rows of whole parity servers here."},
    {"amalgam_held_window_bytes", "gauge",
     "Deltas in the data servers' windows (ops not yet dropped)."},
    {"amalgam_held_prepare_bytes", "gauge", "Deltas of the prepares the backups here hold."},
    {"amalgam_held_dedup_bytes", "gauge", "Replies kept in the exactly-once table."}};
enum { NFAMILIES = sizeof FAMILIES / sizeof FAMILIES[0], HELD = NFAMILIES - 5 };

/* Bytes this machine's servers hold now into held[0..5): whole data
 * blocks, whole parity rows, deltas in data servers' windows, backups'
 * prepares, the exactly-once table's replies. */
static void held_bytes(ams_server *s, uint64_t *held)
{
    uint64_t bl = (uint64_t)s->model.block, nb = (uint64_t)s->model.per_inst;
    for (int i = 0; i < s->ngroups; i++) {
        ams_group *gr = &s->groups[i];
        for (int64_t in = gr->cls; in < s->ninst; in += s->c.geo.machines) {
            const void *st = ams_state(gr, (uint64_t)in);
            if (!st) continue;
            amop_view v;
            amop_view_of(&s->model, st, &v);
            bool data = gr->role == AML_DATA;
            if (data && v.live && !v.lost) held[0] += nb * bl;
            if (gr->role == AML_PARITY && v.inb && !v.plost) held[1] += nb * bl;
            held[data ? 2 : 3] += (uint64_t)amop_deltas(&s->model, st, data) * bl;
        }
    }
    held[4] = amd_held(&s->dedup);
}

static void render(void *ctx, struct evbuffer *b)
{
    ams_server *s = ctx;
    hoc_svc_render_metrics(b, s->svcs, s->ngroups);
    amw_render(s, b);
    if (s->machine < 0) return;
    const amd_table *t = &s->dedup;
    uint64_t v[NFAMILIES] = {s->ops_committed, s->ops_refused, t->dups,  (uint64_t)t->unsure,
                             t->resolved,      t->forgotten,   t->syncs, t->bytes,
                             t->journal};
    held_bytes(s, v + HELD);
    for (int k = 0; k < NFAMILIES; k++)
        hoc_metrics_family(b, FAMILIES[k].name, FAMILIES[k].type, FAMILIES[k].help, v + k, 1, NULL);
    amp_render(&s->pace, b);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    ams_server *s = arg;
    (void)what;
    hoc_log(&s->log, HOC_LOG_INFO, "signal %d: stopping", (int)sig);
    event_base_loopbreak(s->base);
}

static int load(ams_server *s, const ams_opts *o, char *err, size_t errn)
{
    if (amc_load(o->path, &s->c, err, errn)) return -1;
    if (amc_check_class_ports(&s->c, o->path, err, errn)) return -1;
    const amv_variant *v = amv_for(&s->c, o->path, err, errn);
    if (!v || amop_model_init(&s->model, v->algo, v->block, v->per_inst, &s->c.geo, err, errn))
        return -1;
    s->n = aml_width(&s->c.geo) + 1;
    s->ninst = aml_instances(&s->c.geo);
    if (s->n > v->algo->maxn) {
        snprintf(err, errn,
                 "%s: an instance has g + f + witnesses + 1 = %d processes; this build runs at "
                 "most %d (AMALGAM_MAXN in services/amalgam/CMakeLists.txt)",
                 o->path, s->n, v->algo->maxn);
        return -1;
    }
    if (o->machine >= s->c.geo.machines || o->reconf >= s->c.nreconf) {
        snprintf(err, errn, "%s has machines 0..%d and reconf replicas 0..%d", o->path,
                 s->c.geo.machines - 1, s->c.nreconf - 1);
        return -1;
    }
    if (s->c.secret[0]) {
        char sp[AMC_PATH_MAX * 2];
        const char *slash = strrchr(o->path, '/');
        if (s->c.secret[0] == '/' || !slash)
            snprintf(sp, sizeof sp, "%s", s->c.secret);
        else
            snprintf(sp, sizeof sp, "%.*s/%s", (int)(slash - o->path), o->path, s->c.secret);
        if (hoc_peers_read_secret(sp, s->secret, sizeof s->secret, &s->secret_len, err, errn))
            return -1;
    }
    return 0;
}

/* Fresh or replacement? A machine that served before (its record in --data)
 * has lost its blocks with its process, so it must join as the model's
 * replacement; starting as new would present zero blocks that its stripes'
 * parity rows do not describe. Without --data nothing tells a first start
 * from a restart, and guessing "first" is that silent corruption: refused. */
static int decide_start(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    if (!o->data) {
        if (s->rejoin) return 0;
        snprintf(err, errn,
                 "machine %d: pass --data DIR, a folder where this machine records that it has "
                 "served (a restart then rebuilds its blocks from its peers instead of starting "
                 "with empty ones), or --rejoin if it served before and lost its state",
                 o->machine);
        return -1;
    }
    int seen = amst_served(o->data, cid, o->machine, err, errn);
    if (seen < 0) return -1;
    char p[4096];
    amst_path(o->data, cid, o->machine, p, sizeof p);
    if (seen) {
        s->rejoin = true;
        hoc_log(&s->log, HOC_LOG_WARN,
                "machine %d served before (%s): joining as a replacement, its blocks rebuilt "
                "from its peers",
                o->machine, p);
    } else if (s->rejoin) {
        hoc_log(&s->log, HOC_LOG_WARN,
                "machine %d: --rejoin: joining as a replacement, its blocks rebuilt from its "
                "peers (no %s yet)",
                o->machine, p);
    } else {
        hoc_log(&s->log, HOC_LOG_INFO, "machine %d: first start in this cluster (no %s)",
                o->machine, p);
    }
    return 0;
}

/* With --data the table of clients' last ops is journaled beside the
 * served record; a replacement takes it back (amdedup.h). */
static int open_dedup(ams_server *s, const ams_opts *o, uint64_t cid, char *err, size_t errn)
{
    if (!o->data) return 0;
    char p[4200];
    snprintf(p, sizeof p, "%s/amalgam-%016llx-machine-%d.dedup", o->data, (unsigned long long)cid,
             o->machine);
    if (amd_open(&s->dedup, p, s->rejoin, !o->nosync, err, errn)) return -1;
    if (err[0]) hoc_log(&s->log, HOC_LOG_WARN, "%s", err);
    if (o->nosync) return 0;
    if (!(s->syncer = amds_new(s->base, on_synced, s))) {
        snprintf(err, errn, "cannot start the syncer of %s: %s", p, strerror(errno));
        return -1;
    }
    if (s->dedup.unsure)
        hoc_log(&s->log, HOC_LOG_INFO,
                "%s: %d clients' last ops ran before the restart: answered once their shards are "
                "installed again",
                p, s->dedup.unsure);
    return 0;
}

/* AMALGAM_FAILPOINT=executed:INST, queued:INST, sent:INST or reply:INST
 * (amserve.h, fail). */
static int read_failpoint(ams_server *s, char *err, size_t errn)
{
    const char *v = getenv("AMALGAM_FAILPOINT");
    if (!v || !*v) return 0;
    char *end = NULL;
    const char *colon = strchr(v, ':');
    s->fail = !colon                            ? AMS_FAIL_NONE
              : strncmp(v, "executed:", 9) == 0 ? AMS_FAIL_EXECUTED
              : strncmp(v, "queued:", 7) == 0   ? AMS_FAIL_QUEUED
              : strncmp(v, "reply:", 6) == 0    ? AMS_FAIL_REPLY
              : strncmp(v, "sent:", 5) == 0     ? AMS_FAIL_SENT
                                                : AMS_FAIL_NONE;
    s->fail_inst = colon ? strtoll(colon + 1, &end, 10) : -1;
    if (s->fail == AMS_FAIL_NONE || *end || s->fail_inst < 0) {
        snprintf(err, errn,
                 "AMALGAM_FAILPOINT=%s: expected executed:INST, queued:INST, sent:INST or "
                 "reply:INST",
                 v);
        return -1;
    }
    hoc_log(&s->log, HOC_LOG_WARN, "AMALGAM_FAILPOINT=%s: this process kills itself (tests only)",
            v);
    return 0;
}

static void server_free(ams_server *s)
{
    amf_free(s->front);
    for (int i = 0; i < s->ngroups; i++) {
        while (s->groups[i].waits) {
            ams_wait *w = s->groups[i].waits;
            s->groups[i].waits = w->next;
            free(w->bytes);
            free(w);
        }
        hoc_svc_free(s->groups[i].svc);
        free(s->groups[i].pace);
    }
    if (s->groups && s->ngroups < 3 * s->c.geo.machines) /* one group_open left half made */
        hoc_svc_free(s->groups[s->ngroups].svc), free(s->groups[s->ngroups].pace);
    free(s->groups);
    free(s->svcs);
    hoc_mux_free(s->mux); /* after the groups, whose channels it carries */
    if (s->sigint) event_free(s->sigint);
    if (s->sigterm) event_free(s->sigterm);
    amds_free(s->syncer); /* its event is on the base */
    if (s->base) event_base_free(s->base);
    amd_free(&s->dedup);
    amw_free(s);
    amc_free(&s->c);
}

int ams_run(const ams_opts *o, char *err, size_t errn)
{
    ams_server s = {.path = o->path,
                    .machine = o->machine,
                    .reconf = o->reconf,
                    .rejoin = o->rejoin,
                    .log = o->log};
    hoc_metrics *met = NULL;
    int rc = -1;
    signal(SIGPIPE, SIG_IGN);
    if (load(&s, o, err, errn)) goto out;
    if (!(s.base = event_base_new()) || event_base_priority_init(s.base, 2)) {
        snprintf(err, errn, "cannot make an event loop");
        goto out;
    }
    /* caught from here, before any port is bound: a supervisor that sees
     * a port open may stop the process at once, and must get a clean exit
     * (the signal is handled once the loop runs) */
    s.sigint = evsignal_new(s.base, SIGINT, on_signal, &s);
    s.sigterm = evsignal_new(s.base, SIGTERM, on_signal, &s);
    if (!s.sigint || !s.sigterm || event_add(s.sigint, NULL) || event_add(s.sigterm, NULL)) {
        snprintf(err, errn, "cannot catch signals");
        goto out;
    }
    if (amd_init(&s.dedup, AMS_CLIENTS, (size_t)s.c.block)) {
        snprintf(err, errn, "out of memory");
        goto out;
    }
    uint64_t cid = amst_cluster_id(&s.c, s.secret, s.secret_len);
    if (o->machine >= 0 && decide_start(&s, o, cid, err, errn)) goto out;
    if (o->machine >= 0 && (open_dedup(&s, o, cid, err, errn) || read_failpoint(&s, err, errn)))
        goto out;
    if (amw_open(&s, o, cid, err, errn)) goto out;
    if (amp_init(&s.pace, s.rejoin, s.model.block * s.model.per_inst, err, errn) ||
        open_mux(&s, err, errn) || open_groups(&s, err, errn))
        goto out;
    amp_fill(&s);
    /* recorded once its ports are bound, before it answers anyone: from now
     * on a client may have written here, so a restart must rebuild */
    if (o->machine >= 0 && o->data && amst_record(o->data, cid, o->machine, o->path, err, errn))
        goto out;
    if (o->machine >= 0) {
        const amc_machine *x = &s.c.machine[o->machine];
        if (!(s.front = amf_new(&s, x->host, x->client, err, errn))) goto out;
        if (x->metrics && !(met = hoc_metrics_new(s.base, x->host, x->metrics, render, &s))) {
            snprintf(err, errn, "cannot serve /metrics on %s:%d", x->host, x->metrics);
            goto out;
        }
    } else {
        const amc_replica *x = &s.c.reconf[o->reconf];
        if (x->metrics && !(met = hoc_metrics_new(s.base, x->host, x->metrics, render, &s))) {
            snprintf(err, errn, "cannot serve /metrics on %s:%d", x->host, x->metrics);
            goto out;
        }
    }
    if (amw_start(&s, err, errn)) goto out;
    hoc_log(&s.log, HOC_LOG_INFO, "%s %d: %d groups, %lld instances in the cluster, block %lld B",
            o->machine >= 0 ? "machine" : "reconf", o->machine >= 0 ? o->machine : o->reconf,
            s.ngroups, (long long)s.ninst, (long long)s.c.block);
    amw_run(&s);
    for (int i = 0; i < s.ngroups; i++)
        hoc_svc_flush(s.groups[i].svc);
    rc = 0;
out:
    hoc_metrics_free(met);
    server_free(&s);
    return rc;
}
