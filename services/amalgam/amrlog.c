/* amrlog.c: the reconfiguration service's replicated log (amrlog.h). */
#include "amrlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hoc_rt.h"
#include "kvgroup.h"
#include "kvstore.h"
#include "last_voting_kv.h"
#include "peers.h"

#define KEY_LEN 17 /* "d" instance term, or "m" machine term */
/* A replica started (or restarted) believes it leads the log until it
 * hears the leader's term; a term it took then would depose the driver
 * for nothing (safe: CAS fences it; costly: a takeover). */
#define TAKE_AFTER_US 1000000
/* A driver's confirmations are log slots ARL_RENEW_US apart: a follower
 * that sees none applied this long closes its connection with the log's
 * leader. A driver paused (SIGSTOP, a stalled VM) keeps its connections
 * open while its kernel answers for it, and the log suspects only a lost
 * connection: a paused leader that does not answer the redial is lost. */
#define SILENT_US 1250000
#define MAX_ASKING 4 /* confirmations unanswered at most (the log stalled) */

/* WAITING: the term is confirmed, and the previous driver's lease may not
 * have run out yet. */
typedef enum { FOLLOW, TAKING, CLAIMING, WAITING, DRIVING } arl_phase;

/* One kind of record: an instance's decision ('d') or a machine's failure
 * detector act ('m'), as resumed at the takeover. */
typedef struct arl_tab {
    char kind;
    int64_t count;
    size_t size;     /* bytes a record */
    uint8_t *recs;   /* count records */
    uint64_t *rterm; /* the term each was read at; 0: none */
} arl_tab;

struct arl_log {
    arl_opts o;
    hoc_peers peers;
    kv_group *g;
    arl_phase phase;
    uint64_t client, seq; /* this process in the store's client table; its last command */
    uint64_t incr_seq;    /* the current takeover's INCRBY */
    uint64_t confirm_seq; /* the last CAS asked */
    uint64_t ok_seq;      /* the last CAS answered 1 */
    uint64_t need_seq;    /* the CAS that covers the last put: messages wait for it */
    bool unconfirmed;     /* a put since the last CAS */
    uint64_t term;        /* while CLAIMING, WAITING or DRIVING */
    arl_tab tab[2];       /* decisions, acts */
    uint64_t started_us;
    uint64_t confirm_us; /* when the last CAS was asked (hoc_lease_us) */
    int asking;          /* CASes unanswered */
    arl_lease lease;
    uint64_t took_us;                  /* when INCRBY gave the term (hoc_lease_us) */
    uint64_t seen_applied, seen_at_us; /* the log's progress, as a follower last saw it */
    bool watching;                     /* it progressed since this replica started */
    uint64_t logged;                   /* decisions and acts appended, as last logged */
    arl_stats st;
};

static void submit(arl_log *l, kv_op op, uint32_t nargs, const uint8_t *const *args,
                   const size_t *lens)
{
    /* a record larger than a slot goes in parts, a number each */
    l->seq = kv_group_submit(l->g, l->client, l->seq + 1, op, nargs, args, lens);
}

static void term_text(uint64_t t, char *out, size_t *len)
{
    *len = (size_t)snprintf(out, 24, "%" PRIu64, t);
}

void arl_lease_asked(arl_lease *ls, uint64_t seq, uint64_t now_us)
{
    ls->seq[seq % ARL_ASKS] = seq;
    ls->sent[seq % ARL_ASKS] = now_us;
}

bool arl_lease_confirmed(arl_lease *ls, uint64_t seq, uint64_t lease_us)
{
    if (ls->seq[seq % ARL_ASKS] != seq || !seq) return false;
    uint64_t until = ls->sent[seq % ARL_ASKS] + lease_us;
    if (until <= ls->until) return false; /* a later one came first */
    ls->until = until;
    return true;
}

bool arl_lease_holds(const arl_lease *ls, uint64_t now_us)
{
    return now_us < ls->until;
}

uint64_t arl_takeover_wait_us(uint64_t term, uint64_t lease_us, uint32_t drift_ppm)
{
    if (term <= 1) return 0;
    uint64_t num = lease_us * (1000000u + drift_ppm), den = 1000000u - drift_ppm;
    return (num + den - 1) / den;
}

static void confirm(arl_log *l)
{
    char t[24];
    size_t tl;
    term_text(l->term, t, &tl);
    const uint8_t *a[3] = {(const uint8_t *)"term", (const uint8_t *)t, (const uint8_t *)t};
    /* the lease counts from before the asking: it can only end earlier */
    uint64_t now = hoc_lease_us();
    submit(l, KV_CAS, 3, a, (size_t[]){4, tl, tl});
    arl_lease_asked(&l->lease, l->seq, now);
    l->confirm_seq = l->seq;
    if (l->unconfirmed) l->need_seq = l->seq;
    l->confirm_us = now;
    l->asking++;
    l->unconfirmed = false;
}

static void put_key(arl_log *l, const arl_tab *t, int64_t i, const uint8_t *rec)
{
    uint8_t k[KEY_LEN];
    k[0] = (uint8_t)t->kind;
    hoc_put_u64(k + 1, (uint64_t)i);
    hoc_put_u64(k + 9, l->term);
    submit(l, KV_SET, 2, (const uint8_t *const[]){k, rec}, (size_t[]){KEY_LEN, t->size});
}

static void depose(arl_log *l, const char *why)
{
    bool was = l->phase == DRIVING;
    if (l->phase == FOLLOW) return;
    hoc_log(&l->o.log, HOC_LOG_WARN, "reconf %d: %s term %" PRIu64 ": %s", l->o.replica,
            was ? "stops driving pid n-1 in" : "gives up taking", l->term, why);
    /* the log may not have shown this replica the new leader yet: a term
     * taken now would depose the driver for nothing */
    l->started_us = hoc_now_us();
    l->phase = FOLLOW;
    l->term = 0;
    l->st.term = 0;
    l->unconfirmed = false;
    if (was) {
        l->st.depositions++;
        l->o.depose(l->o.ctx, why);
    }
}

/* the newest record of each kind and index below the new term */
static void scan_one(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    arl_log *l = ctx;
    arl_tab *tb = klen == KEY_LEN && k[0] == 'd' ? &l->tab[0] : &l->tab[1];
    if (klen != KEY_LEN || k[0] != tb->kind || vlen != tb->size) return;
    uint64_t i = hoc_get_u64(k + 1), t = hoc_get_u64(k + 9);
    if (i >= (uint64_t)tb->count || t >= l->term || t <= tb->rterm[i]) return;
    tb->rterm[i] = t;
    memcpy(tb->recs + i * tb->size, v, vlen);
}

/* INCRBY answered: term t is ours to claim */
static void claim(arl_log *l, uint64_t t)
{
    l->term = t;
    l->took_us = hoc_lease_us();
    l->lease = (arl_lease){0};
    for (int k = 0; k < 2; k++)
        memset(l->tab[k].rterm, 0, (size_t)l->tab[k].count * sizeof *l->tab[k].rterm);
    kv_store_each(kv_group_store(l->g), scan_one, l);
    int64_t had = 0;
    for (int k = 0; k < 2; k++)
        for (int64_t i = 0; i < l->tab[k].count; i++)
            if (l->tab[k].rterm[i]) {
                put_key(l, &l->tab[k], i, l->tab[k].recs + i * l->tab[k].size);
                had += k == 0;
            }
    confirm(l);
    l->phase = CLAIMING;
    hoc_log(&l->o.log, HOC_LOG_WARN,
            "reconf %d: leads the log; takes term %" PRIu64 " (%lld instances resume from a "
            "decision)",
            l->o.replica, t, (long long)had);
}

/* WAITING: drives once the previous driver's lease has run out, holding
 * a lease of its own */
static void try_drive(arl_log *l)
{
    uint64_t now = hoc_lease_us(),
             wait = arl_takeover_wait_us(l->term, ARL_LEASE_US, ARL_DRIFT_PPM);
    if (l->phase != WAITING || now < l->took_us + wait || !arl_lease_holds(&l->lease, now)) return;
    l->phase = DRIVING;
    l->st.term = l->term;
    l->st.takeovers++;
    l->st.lease_until = l->lease.until;
    l->st.waited_us = now - l->took_us;
    hoc_log(&l->o.log, HOC_LOG_WARN,
            "reconf %d: drives pid n-1 in term %" PRIu64 " (%.1f ms after taking it)", l->o.replica,
            l->term, (double)l->st.waited_us / 1000.0);
    if (l->o.drive(l->o.ctx, l->term)) {
        depose(l, "it cannot play pid n-1 here"); /* TAKE_AFTER_US before it tries again */
    }
}

static void on_reply(void *ctx, uint64_t client, uint64_t seq, const uint8_t *r, size_t len)
{
    arl_log *l = ctx;
    if (client != l->client || l->phase == FOLLOW || seq < l->incr_seq || len < 2 || r[0] != ':')
        return; /* SETs' +OK, and what an earlier attempt asked */
    char num[24];
    size_t nl = len - 1 < sizeof num - 1 ? len - 1 : sizeof num - 1;
    memcpy(num, r + 1, nl);
    num[nl] = 0;
    uint64_t v = strtoull(num, NULL, 10);
    if (seq == l->incr_seq) {
        claim(l, v);
        return;
    }
    l->asking--;
    if (v != 1) {
        depose(l, "a newer term was taken in the log");
        return;
    }
    l->ok_seq = seq;
    bool longer = arl_lease_confirmed(&l->lease, seq, ARL_LEASE_US);
    if (longer && l->phase == DRIVING) {
        l->st.lease_until = l->lease.until;
        if (l->o.lease) l->o.lease(l->o.ctx, l->lease.until);
    }
    if (l->phase == CLAIMING && seq == l->confirm_seq) {
        l->phase = WAITING;
        uint64_t w = arl_takeover_wait_us(l->term, ARL_LEASE_US, ARL_DRIFT_PPM);
        if (w)
            hoc_log(&l->o.log, HOC_LOG_WARN,
                    "reconf %d: term %" PRIu64 " confirmed; waits %.1f ms before it drives (the "
                    "previous driver's lease of %d ms, clocks %.1f%% fast or slow at most)",
                    l->o.replica, l->term, (double)w / 1000.0, ARL_LEASE_US / 1000,
                    ARL_DRIFT_PPM / 10000.0);
        try_drive(l);
    } else if (l->phase == DRIVING && !l->unconfirmed && seq >= l->need_seq) {
        if (l->st.appended + l->st.acts > l->logged)
            hoc_log(&l->o.log, HOC_LOG_INFO,
                    "reconf %d: decided in the log, term %" PRIu64 " (%" PRIu64
                    " decisions and %" PRIu64 " failure detector acts appended)",
                    l->o.replica, l->term, l->st.appended, l->st.acts);
        l->logged = l->st.appended + l->st.acts;
        l->o.settled(l->o.ctx);
    }
}

arl_log *arl_new(struct event_base *base, const arl_opts *o, char *err, size_t errn)
{
    arl_log *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->o = *o;
    l->started_us = hoc_now_us();
    l->tab[0] = (arl_tab){.kind = 'd', .count = o->ninst, .size = o->rec};
    l->tab[1] = (arl_tab){.kind = 'm', .count = o->c->geo.machines, .size = ARL_ACT_LEN};
    bool mem = true;
    for (int k = 0; k < 2; k++) {
        l->tab[k].recs = calloc((size_t)l->tab[k].count, l->tab[k].size);
        l->tab[k].rterm = calloc((size_t)l->tab[k].count, sizeof *l->tab[k].rterm);
        mem = mem && l->tab[k].recs && l->tab[k].rterm;
    }
    const amc_cluster *c = o->c;
    l->peers.n = c->nreconf;
    for (int i = 0; i < c->nreconf; i++) {
        hoc_peer *q = &l->peers.p[i];
        q->id = i;
        snprintf(q->host, sizeof q->host, "%s", c->reconf[i].host);
        q->port = c->reconf[i].port + c->geo.machines;
        q->line = c->reconf[i].line;
    }
    /* a new client each process (the store's table would take a restarted
     * replica's commands, numbered from 1 again, for retries), whose top
     * byte is the replica: kvgroup.c answers only its own replica's clients */
    uint64_t stamp = (hoc_now_us() * 1000003u) ^ ((uint64_t)getpid() << 20);
    l->client = (uint64_t)o->replica << 56 | (stamp & ((1ull << 56) - 1));
    hoc_logger lg = o->log;
    lg.id = o->replica;
    kv_group_opts go = {.algo = &last_voting_kv_algo,
                        .id = o->replica,
                        .peers = &l->peers,
                        .secret = o->secret,
                        .secret_len = o->secret_len,
                        .pipeline = 4,
                        .keep = 1024,
                        .dir = o->dir,
                        /* synced by the log's thread, a sync for all an
                         * iteration appended (what depends on it held until
                         * then, as with always): `always` synced each record
                         * in the loop, up to half its time under a busy
                         * disk, and a driver's confirmations then came late
                         * enough to lose its lease (amalgam-reconf-replicated
                         * under ASan and load) */
                        .fsync = KV_FSYNC_BATCH,
                        .snap_every = o->dir ? 1000 : 0,
                        .seed = (uint64_t)o->replica,
                        .log = lg};
    kv_group_cb cb = {l, on_reply};
    char why[512];
    if (!mem || !(l->g = kv_group_new(base, &go, &cb, why, sizeof why))) {
        snprintf(err, errn, "reconf %d's log (port %d): %s", o->replica,
                 l->peers.p[o->replica].port, mem ? why : "out of memory");
        arl_free(l);
        return NULL;
    }
    size_t most = kv_group_max_cmd(l->g) - kv_cmd_size(2, (size_t[]){KEY_LEN, 0});
    if (o->rec > most) {
        snprintf(err, errn,
                 "a decision of this build is %zu bytes, and a replicated reconfiguration "
                 "service's log carries %zu at most (a smaller block, or one reconf line)",
                 o->rec, most);
        arl_free(l);
        return NULL;
    }
    hoc_log(&lg, HOC_LOG_INFO, "reconf %d: decision records of %zu bytes (the log takes %zu)",
            o->replica, o->rec, most);
    return l;
}

void arl_free(arl_log *l)
{
    if (!l) return;
    kv_group_free(l->g);
    for (int k = 0; k < 2; k++)
        free(l->tab[k].recs), free(l->tab[k].rterm);
    free(l);
}

/* A follower: the log applies a driver's confirmation every ARL_RENEW_US;
 * after SILENT_US without any, this replica closes its connection with the
 * log's leader (why: SILENT_US) */
static void watch_leader(arl_log *l, uint64_t now_us, bool leads)
{
    uint64_t a = kv_group_applied(l->g);
    if (leads || a != l->seen_applied || !l->seen_at_us) {
        /* not before a first term: a cluster starting has no driver yet */
        l->watching = l->watching || (l->seen_at_us && a != l->seen_applied);
        l->seen_applied = a;
        l->seen_at_us = now_us;
        return;
    }
    if (!l->watching || now_us < l->seen_at_us + SILENT_US) return;
    l->seen_at_us = now_us;
    int who = kv_group_leader(l->g);
    hoc_net *net = hoc_svc_net(kv_group_svc(l->g));
    if (!hoc_net_peer_ready(net, who)) return;
    l->st.closed_silent++;
    hoc_log(&l->o.log, HOC_LOG_WARN,
            "reconf %d: the log applied nothing for %d ms (a driver confirms its term every %d "
            "ms): closes its connection with the log's leader, replica %d, which the log "
            "replaces unless it answers the redial",
            l->o.replica, SILENT_US / 1000, ARL_RENEW_US / 1000, who);
    hoc_net_close_peer(net, who, "the log's leader is silent");
}

void arl_tick(arl_log *l, uint64_t now_us)
{
    kv_group_tick(l->g, now_us);
    bool leads = kv_group_leading(l->g) && !kv_group_fault(l->g);
    if (l->phase != FOLLOW && !leads) {
        char why[96];
        snprintf(why, sizeof why, "the log's leader is now replica %d", kv_group_leader(l->g));
        depose(l, why);
    } else if (l->phase == DRIVING && !arl_lease_holds(&l->lease, hoc_lease_us())) {
        char why[128];
        snprintf(why, sizeof why,
                 "its lease ran out %.1f ms ago (no confirmation asked in the %d ms before was "
                 "answered)",
                 (double)(hoc_lease_us() - l->lease.until) / 1000.0, ARL_LEASE_US / 1000);
        depose(l, why);
    } else if ((l->phase == WAITING || l->phase == DRIVING) && l->asking < MAX_ASKING &&
               hoc_lease_us() >= l->confirm_us + ARL_RENEW_US) {
        confirm(l);
    } else if (l->phase == FOLLOW && leads && now_us >= l->started_us + TAKE_AFTER_US) {
        const uint8_t *a[2] = {(const uint8_t *)"term", (const uint8_t *)"1"};
        submit(l, KV_INCRBY, 2, a, (size_t[]){4, 1});
        l->incr_seq = l->seq;
        l->asking = 0;
        l->phase = TAKING;
    }
    try_drive(l);
    watch_leader(l, now_us, leads);
}

void arl_put(arl_log *l, int64_t inst, const uint8_t *rec)
{
    if (l->phase != DRIVING) return;
    put_key(l, &l->tab[0], inst, rec);
    l->unconfirmed = true;
    l->st.appended++;
}

void arl_put_act(arl_log *l, int machine, const uint8_t *act)
{
    if (l->phase != DRIVING) return;
    put_key(l, &l->tab[1], machine, act);
    l->unconfirmed = true;
    l->st.acts++;
}

void arl_flush(arl_log *l)
{
    if (l->phase == DRIVING && l->unconfirmed) confirm(l);
}

bool arl_unsettled(const arl_log *l)
{
    /* a lease's CAS (no put before it) holds nothing back */
    return l->phase != DRIVING || l->unconfirmed || l->ok_seq < l->need_seq;
}

static bool get_rec(const arl_tab *t, int64_t i, uint8_t *out)
{
    if (!t->rterm[i]) return false;
    memcpy(out, t->recs + i * t->size, t->size);
    return true;
}

bool arl_get(const arl_log *l, int64_t inst, uint8_t *out)
{
    return get_rec(&l->tab[0], inst, out);
}

bool arl_get_act(const arl_log *l, int machine, uint8_t *out)
{
    return get_rec(&l->tab[1], machine, out);
}

const arl_stats *arl_get_stats(const arl_log *l)
{
    return &l->st;
}

int arl_leader(const arl_log *l)
{
    return kv_group_leader(l->g);
}
