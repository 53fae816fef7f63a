/* amserve.h: the Amalgam servers of one machine, or the reconfiguration
 * service, as one process (docs/deploy.md, "Running a cluster").
 *
 * `amalgam serve` hosts machine M's data, parity and witness servers: for
 * every rotation class t where a server has a part (aml_server_pid), one
 * hoc_svc group whose process id is that pid, listening at the server's
 * port + t, running every long-lived instance of the class from start-up
 * (a restarted machine's a window at a time, an op's first: ampace.h);
 * and the client front end (amfront.c) on the machine's client port.
 * `amalgam reconf` plays pid n-1 (the reconfiguration service) of every
 * class, at the reconf replica's port + t (with several replicas, the one
 * its log designates: amrlog.h). Both run until SIGINT/SIGTERM.
 * Heartbeats, the failure detector and the service's decisions on disk are
 * amwatch.c's, on the fields marked "(amwatch)". */
#ifndef HOC_AMSERVE_H
#define HOC_AMSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"
#include "amdedup.h"
#include "amdsync.h"
#include "amop.h"
#include "ampace.h"
#include "amreconf.h"
#include "amrstore.h"
#include "log.h"
#include "svc.h"

struct event_base;
struct event;
typedef struct amf_front amf_front;

typedef struct ams_opts {
    const char *path;   /* the cluster file */
    int machine;        /* serve: this machine; -1 for reconf */
    int reconf;         /* reconf: this replica; -1 for serve */
    bool rejoin;        /* serve: start every instance as a replacement (state lost) */
    const char *data;   /* serve: the folder of the served record (amstate.h), or NULL */
    bool nosync;        /* serve: --fsync never (the exactly-once journal is not synced) */
    uint64_t test_term; /* reconf, TEST ONLY: drive at once under this term, without the log */
    hoc_logger log;
} ams_opts;

/* An op waiting for its commit, at a data server group. */
typedef struct ams_wait {
    struct ams_wait *next;
    uint64_t tag, inst;
    int64_t opn;    /* 0 until the event ran */
    void *conn;     /* the front end's connection; NULL once it closed */
    uint8_t *bytes; /* the reply: an op's (the model's executed), a read's block */
    int ded;        /* its client's entry in srv->dedup + 1; 0: sent without an id */
} ams_wait;

/* One server's part in one rotation class. */
typedef struct ams_group {
    struct ams_server *srv;
    aml_role role;
    int cls, pid;
    hoc_peers peers;
    int mux_proc[HOC_PEERS_MAX]; /* each pid's process on the mux (class_peers) */
    hoc_svc *svc;
    ams_wait *waits;
    size_t sync_mark;     /* data: round messages held before the journal's sync in flight */
    amp_inst *pace;       /* each of its instances' pacing (ampace.h) */
    uint64_t driver_term; /* serve: the term pid n-1's connection here greeted with */
} ams_group;

typedef struct ams_server {
    amc_cluster c;
    const char *path;
    amop_model model;
    int n, machine, reconf;
    bool rejoin;
    int64_t ninst;
    struct event_base *base;
    /* every group's connections: one a pair of processes (mux.h); machine m
     * is process m at its data port, reconf replica r process M + r */
    hoc_mux *mux;
    struct event *sigint, *sigterm;
    /* (amwatch) */
    struct event *beat;     /* serve: the heartbeat; reconf: the detector's tick */
    uint64_t incarnation;   /* serve: this process, in its heartbeats */
    amr_detector det;       /* reconf: the failure detector */
    ars_store store;        /* reconf with --data: its decisions on disk */
    struct arl_log *rlog;   /* reconf with R > 1: the replicated log */
    struct event *logtick;  /* reconf with R > 1: its timer */
    bool driving;           /* reconf: plays pid n-1 (always with R = 1) */
    bool *acted;            /* reconf with R > 1: suspected, as last logged */
    uint64_t term;          /* reconf: the log term it drives under (0: R = 1) */
    uint64_t seen_term;     /* serve: the newest term pid n-1 presented */
    char *term_path;        /* serve with R > 1 and --data: seen_term's file */
    uint64_t cid;           /* serve: the cluster's id (amst_cluster_id) */
    uint64_t stale_refused; /* serve: connections of a deposed driver refused */
    uint64_t stale_closed;  /* serve: a deposed driver's connections closed at a newer term */
    /* reconf with R > 1, its lease (hoc_lease_us): until when it may send,
     * its first and last write to a server in its last term, the bytes
     * the end of a lease dropped */
    uint64_t lease_until, sent_first, sent_last, lease_dropped;
    bool durable, store_failed;           /* reconf: --data given; a write failed */
    amr_track *saved;                     /* reconf: each instance's decision as last written */
    uint8_t *dec;                         /* reconf: one decision record's bytes */
    int64_t degraded;                     /* serve: instances where a server here is not whole */
    int64_t degraded_since, rebuilt_wall; /* serve: unix ms; 0: never */
    uint64_t counted_ms;                  /* serve: when degraded was last counted (mono) */
    amp_machine pace;                     /* serve: the rebuild's window and progress (ampace.h) */
    ams_group *groups;
    int ngroups;
    hoc_svc **svcs; /* for the metrics */
    amf_front *front;
    uint64_t next_tag;
    uint64_t ops_committed, ops_refused;
    amd_table dedup;    /* exactly-once answers across clients' retries */
    amds *syncer;       /* syncs its journal off the loop */
    uint64_t sync_upto; /* the records the sync in flight covers */
    /* TEST ONLY (AMALGAM_FAILPOINT, docs/testing.md): die by SIGKILL at the
     * first op with an id of instance fail_inst, right after it executed
     * (AMS_FAIL_EXECUTED, its record written), right after it executed
     * with its record still queued (AMS_FAIL_QUEUED), once it committed,
     * before its reply (AMS_FAIL_REPLY), or once its prepare was handed to
     * the sockets (AMS_FAIL_SENT: fail_armed from its execution until then) */
    int fail;
    int64_t fail_inst;
    bool fail_armed;
    uint8_t secret[256];
    size_t secret_len;
    hoc_logger log;
} ams_server;

enum { AMS_FAIL_NONE, AMS_FAIL_EXECUTED, AMS_FAIL_QUEUED, AMS_FAIL_REPLY, AMS_FAIL_SENT };

/* Runs the process o describes until a signal: 0, or -1 with err (a bad
 * cluster file naming its line, a port in use, a build without its block size). */
int ams_run(const ams_opts *o, char *err, size_t errn);
/* This machine's data server group of rotation class t, or NULL. */
ams_group *ams_data_group(ams_server *s, int t);
/* The group of role `role` in class t here, or NULL. */
ams_group *ams_group_of(ams_server *s, aml_role role, int t);
/* Instance inst's state at this server, or NULL when it is not running here
 * or is a replacement still waiting to join its peers. */
const void *ams_state(ams_group *gr, uint64_t inst);
/* Queues an op (the op event's arguments, amop_args) for instance inst; the
 * wait w (allocated, conn set) is answered by amf_reply once committed:
 * 0, or -1 with the client's error reply in err (w freed by the caller). */
int ams_submit_op(ams_group *gr, uint64_t inst, const int64_t *args, const uint8_t *const *bytes,
                  ams_wait *w, char *err, size_t errn);
/* Reads block b of instance inst at a data server: answered once every op
 * executed before it is committed. 0, or -1 with err. */
int ams_submit_read(ams_group *gr, uint64_t inst, int b, ams_wait *w, char *err, size_t errn);
/* reconf: opens pid n-1's group of every class (their instances resumed
 * through io.restore): 0, or -1 with err and none open. */
int ams_reconf_open(ams_server *s, char *err, size_t errn);
/* reconf: closes them, dropping the round messages they held. */
void ams_reconf_close(ams_server *s);
/* Forgets conn in every wait (its connection closed). */
void ams_forget_conn(ams_server *s, void *conn);

#endif
