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
 * dropped (to the servers, omissions). */
#ifndef HOC_AMRLOG_H
#define HOC_AMRLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"
#include "log.h"

struct event_base;

typedef struct arl_log arl_log;

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
} arl_opts;

typedef struct arl_stats {
    uint64_t term;     /* the term driven under; 0: not driving */
    uint64_t appended; /* decisions appended */
    uint64_t acts;     /* failure detector acts appended */
    uint64_t takeovers, depositions;
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
