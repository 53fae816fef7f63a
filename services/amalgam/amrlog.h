/* amrlog.h: the reconfiguration service's replicated log, when the cluster
 * file has R > 1 `reconf` lines (docs/deploy.md, "A replicated
 * reconfiguration service").
 *
 * The R replicas run hoc-kv's replicated log (kvgroup.h: LastVoting slots on
 * the service layer, a sticky leader, a write-ahead log with --data) at
 * each replica's port P + M. Its store holds:
 *
 *   "term"             a counter; a replica that becomes the log's leader
 *                      takes the next value (INCRBY) as its term
 *   "d" inst term      (u64 each, little-endian) instance inst's decision
 *                      record (amop_reconf_save) as of term `term`
 *   "m" machine term   the failure detector's last act on the machine
 *                      (ARL_ACT_LEN bytes: suspected or cleared, when)
 *
 * Only a replica holding a confirmed term drives pid n-1. To take over it
 * takes a term t, resumes every instance from its record of the highest
 * term below t, writes those records again under t (so a later leader never
 * resumes from an older term's record written after this scan), and checks
 * with CAS("term", t, t) that nobody took a newer term meanwhile. Each
 * decision it then makes is appended as "d" inst t and followed by the same
 * CAS; the round messages after the decision are held until that CAS is
 * answered 1 here. Commands of one replica apply in order, so a CAS
 * answered 1 means every decision before it was applied before any newer
 * term was taken: a newer leader resumes from it. A CAS answered 0 means
 * this replica was deposed: it stops driving and its held messages are
 * dropped (to the servers, omissions).
 *
 * Leases keep two drivers from sending at once (docs/amalgam.md, "The
 * replicated reconfiguration service"). A CAS asked at time T (the lease
 * clock, hoc_lease_us) and answered 1 lets the driver send until T +
 * ARL_LEASE_US; it asks one every ARL_RENEW_US, and past its lease it
 * sends nothing (the transport checks at every write: hoc_net_set_lease)
 * and stops driving. Every CAS answered 1 was applied before the next
 * term's INCRBY, so was asked before the next driver took its term; that
 * one sends nothing until arl_takeover_wait_us after, by its own clock. */
#ifndef HOC_AMRLOG_H
#define HOC_AMRLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"
#include "log.h"

struct event_base;

typedef struct arl_log arl_log;

/* A driver's lease, from the asking of a confirmation it holds. */
#define ARL_LEASE_US 1500000
/* How often a driver asks for one: a confirmation may take up to
 * ARL_LEASE_US - ARL_RENEW_US before the lease runs out. */
#define ARL_RENEW_US 250000
/* How far a replica's clock may run fast or slow of true time (parts
 * per million): the assumption leases rest on, with a wide margin (NTP
 * slews at most 500 ppm; crystals drift some tens). */
#define ARL_DRIFT_PPM 10000
#define ARL_ASKS 16 /* confirmations remembered while unanswered */

/* The confirmations a driver asked (by the command's number), and the
 * lease those answered 1 gave it. */
typedef struct arl_lease {
    uint64_t seq[ARL_ASKS], sent[ARL_ASKS]; /* at seq % ARL_ASKS */
    uint64_t until;                         /* 0: none */
} arl_lease;

/* Confirmation seq was asked at now_us (taken before it was sent). */
void arl_lease_asked(arl_lease *ls, uint64_t seq, uint64_t now_us);
/* Confirmation seq was answered 1: true when that extends the lease to
 * its asking + lease_us (one not remembered extends nothing). */
bool arl_lease_confirmed(arl_lease *ls, uint64_t seq, uint64_t lease_us);
/* May the holder still send at now_us? */
bool arl_lease_holds(const arl_lease *ls, uint64_t now_us);
/* How long a driver that took `term` waits before it sends: 0 for the
 * first term (nobody drove before), else the previous driver's longest
 * lease, lease_us on its clock, measured on this one, each clock running
 * up to drift_ppm fast or slow: lease_us (1 + d) / (1 - d), rounded up. */
uint64_t arl_takeover_wait_us(uint64_t term, uint64_t lease_us, uint32_t drift_ppm);

/* A failure detector's act: u64 1 (suspected) or 0 (heard again), u64 the
 * unix ms of the suspicion. */
#define ARL_ACT_LEN 16

typedef struct arl_opts {
    const amc_cluster *c;
    int replica;
    const uint8_t *secret;
    size_t secret_len;
    const char *dir; /* the log's write-ahead log folder, or NULL (memory only) */
    int64_t ninst;
    size_t rec; /* bytes of a decision record */
    hoc_logger log;
    void *ctx;
    /* This replica now drives pid n-1 under term; arl_get has each
     * instance's resumed decision. -1: it cannot (its ports): the term is
     * given up, and taken again a second later if it still leads. */
    int (*drive)(void *ctx, uint64_t term);
    /* It no longer does (deposed, or the log's leader moved): stop. */
    void (*depose)(void *ctx, const char *why);
    /* Every decision appended so far is decided under a term still ours:
     * the messages held for them may leave. */
    void (*settled)(void *ctx);
    /* While driving: the lease now runs until until_us (hoc_lease_us); no
     * byte may reach a server after it. Optional. */
    void (*lease)(void *ctx, uint64_t until_us);
} arl_opts;

typedef struct arl_stats {
    uint64_t term;     /* the term driven under; 0: not driving */
    uint64_t appended; /* decisions appended */
    uint64_t acts;     /* failure detector acts appended */
    uint64_t takeovers, depositions;
    uint64_t lease_until;   /* the lease (hoc_lease_us) while driving, or as it was at the end */
    uint64_t waited_us;     /* at the last takeover, from taking the term to driving */
    uint64_t closed_silent; /* connections with a silent log leader closed (a follower) */
} arl_stats;

/* Replica o->replica's log on base, listening at its reconf port + M: NULL
 * with err (a record bigger than a log command carries, a port in use, a log unreadable). */
arl_log *arl_new(struct event_base *base, const arl_opts *o, char *err, size_t errn);
/* Frees l; NULL is a no-op. */
void arl_free(arl_log *l);
/* Failure detection and takeover: call every few milliseconds. */
void arl_tick(arl_log *l, uint64_t now_us);
/* Appends instance inst's decision rec (driving only). */
void arl_put(arl_log *l, int64_t inst, const uint8_t *rec);
/* Appends the failure detector's act on machine (driving only). */
void arl_put_act(arl_log *l, int machine, const uint8_t *act);
/* After the puts of one event-loop iteration: asks the log to confirm them. */
void arl_flush(arl_log *l);
/* True when a put is not yet confirmed (the messages after it are held). */
bool arl_unsettled(const arl_log *l);
/* Instance inst's decision as resumed at the takeover: false when none. */
bool arl_get(const arl_log *l, int64_t inst, uint8_t *out);
/* The machine's last act as resumed at the takeover: false when none. */
bool arl_get_act(const arl_log *l, int machine, uint8_t *out);
/* Counters; the log's leader (a replica id). */
const arl_stats *arl_get_stats(const arl_log *l);
int arl_leader(const arl_log *l);

#endif
