/* svc.h: the service layer. A service is a C state machine around a compiled
 * algorithm: it decides which instance starts where (in which round) with
 * what input, or by replacement, hands clients' operations to live
 * (possibly long-lived) instances as events, hears every output and every
 * decision, and exchanges frames of its own with its peers. The layer owns
 * one process's round engine (engine.c), its transport (net.c) and its
 * ledger of ended instances (ledger.c) on an event loop; the service owns
 * everything else (clients, its log, its state machine). The replica main
 * of `hoc build` (replica.c) is its simplest user, hoc-kv (services/kv/) a
 * full one; several services may share one event loop (ShardedPaxos: one
 * per group). docs/services.md documents the API. */
#ifndef HOC_SVC_H
#define HOC_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "ledger.h"
#include "log.h"
#include "net.h"
#include "peers.h"

struct event_base;
struct evbuffer;

typedef struct hoc_svc hoc_svc;

typedef struct hoc_svc_opts {
    const hoc_algo *algo;
    int id;                 /* this process in peers */
    const hoc_peers *peers; /* the group; must outlive the service */
    const uint8_t *secret;  /* may be empty (loopback only: the caller's rule) */
    size_t secret_len;
    const int64_t *params; /* the algorithm's parameter values, params[0] == n */
    int max_live;          /* live instances at most */
    bool forward;          /* forward decisions if the algorithm's decide is agreed */
    uint64_t memory;       /* bytes live instances may take (0: HOC_SVC_MEMORY) */
    int max_events;        /* events queued at most (0: HOC_ENGINE_MAX_EVENTS) */
    bool zero_runs;        /* pack messages' zero runs (hoc_engine_opts); the whole group */
    double drop;           /* fault injection (net.h) */
    uint64_t delay_us;
    bool test_unsealed;      /* TEST ONLY: frames unauthenticated (net.h), for bench/ */
    const uint8_t *greeting; /* the first frame on every connection (net.h); may be NULL */
    size_t greeting_len;
    hoc_set greeters;    /* peers whose connections open with a greeting, checked by io.app
                            before a new one replaces theirs (net.h) */
    hoc_mux *mux;        /* one connection per pair of processes (net.h); may be NULL */
    const int *mux_proc; /* with mux: each peer's process */
    uint64_t seed;
    hoc_logger log;
} hoc_svc_opts;

/* Default memory budget for live instances. */
#define HOC_SVC_MEMORY (1ull << 30)

/* The service's side. Every callback but inputs is optional (NULL). */
typedef struct hoc_svc_io {
    void *ctx;
    /* May a peer's message start instance inst here? (NULL: any) */
    bool (*admit)(void *ctx, uint64_t inst);
    /* Inputs of an instance a peer's message starts here, as io.inputs in
     * engine.h (required). */
    void (*inputs)(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes);
    /* An update fired outputs (the algorithm's outputs struct): every one,
     * every time, decide included (hoc_value_encode reads a value). */
    void (*output)(void *ctx, uint64_t inst, int64_t round, const void *outputs);
    /* Instance inst decided here (from -1) or was adopted from peer from;
     * the value stays readable in the ledger until forgotten. */
    void (*decided)(void *ctx, uint64_t inst, const uint8_t *value, size_t len, int from);
    /* A live instance ended and its memory was freed. */
    void (*finished)(void *ctx, uint64_t inst, bool decided);
    /* A frame the peer sent with hoc_svc_send_app; return -1 to refuse it as
     * bad (the connection is closed). */
    int (*app)(void *ctx, int from, const uint8_t *p, size_t len);
    /* The peer sent DONE (hoc_svc_send_done). */
    void (*peer_done)(void *ctx, int from);
    /* Once per event-loop iteration with activity, after the engine has
     * settled: the place to start instances. */
    void (*iteration)(void *ctx, uint64_t now);
    /* Durability (optional). restore: a new instance's state after init,
     * before any round runs (put back what stable storage kept; NULL when
     * there is nothing to put back, which spares a replacement's reset its
     * page faults: engine.c, replace_copy). sending:
     * the instance is about to send round `round`'s messages from state;
     * return true when what they promise is written but not yet synced:
     * they (and every round message and decision after them) are then held
     * until hoc_svc_release. */
    void (*restore)(void *ctx, uint64_t inst, void *state);
    bool (*sending)(void *ctx, uint64_t inst, int64_t round, const void *state);
    /* What became of an event queued with hoc_svc_event, as io.event_done
     * in engine.h: ran at the boundary after round `round` with outputs (the
     * outputs struct; output saw it just before when something fired), or
     * dropped unrun (ran false, outputs NULL). tag is hoc_svc_event's. */
    void (*event_done)(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                       const void *outputs);
    /* Optional: may instance inst's silent round sleep, with no timer, from
     * this state (hoc_engine_io.idle)? With it, a peer whose message came
     * late is told this process's round (a ROUND frame: it catches up), and a
     * replacement started with HOC_ENGINE_JOIN asks its peers' round (WHERE)
     * every 100 ms until it joins, since sleeping peers send it nothing
     * (docs/runtime.md, "Sleeping rounds"). */
    bool (*idle)(void *ctx, uint64_t inst, int64_t round, const void *state);
} hoc_svc_io;

/* A service of process o->id on the event loop base (with two priorities,
 * event_base_priority_init): binds its port and starts connecting. NULL with
 * a message in err when the algorithm cannot run here: a message or a
 * decision longer than a frame carries, instances that would not fit in
 * o->memory at max_live, another ABI, a port that cannot be bound. */
hoc_svc *hoc_svc_new(struct event_base *base, const hoc_svc_opts *o, const hoc_svc_io *io,
                     char *err, size_t errn);
/* Closes the connections and frees everything; NULL is a no-op. */
void hoc_svc_free(hoc_svc *s);

/* Starts instance inst here in round `round` with these inputs (ints NULL:
 * io.inputs's), as hoc_engine_start_at. */
hoc_start_result hoc_svc_start(hoc_svc *s, uint64_t inst, int64_t round, const int64_t *ints,
                               const uint8_t *const *bytes);
/* Starts instance inst again in round `round` from the state it had when
 * it began that round (kept on stable storage): hoc_engine_resume. */
hoc_start_result hoc_svc_resume(hoc_svc *s, uint64_t inst, int64_t round, const void *state);
/* Starts instance inst here as a process that lost its state (the
 * algorithm's replace), in round `round` or, with HOC_ENGINE_JOIN, in the
 * round of the first message a peer sends for it: hoc_engine_start_replaced.
 * How a server that lost its disk rejoins a long-lived instance. */
hoc_start_result hoc_svc_start_replaced(hoc_svc *s, uint64_t inst, int64_t round,
                                        const int64_t *ints, const uint8_t *const *bytes);
/* Queues event ev of the algorithm with its arguments for live instance
 * inst, to run at its next phase boundary; io.event_done gets tag back with
 * the outputs it fired. Refused (the reason in err, when not NULL) for an
 * instance not live here, an event or argument the algorithm does not take
 * (outside its range), or a full queue: hoc_engine_event. */
hoc_event_result hoc_svc_event(hoc_svc *s, uint64_t inst, int ev, const int64_t *args,
                               const uint8_t *const *bytes, uint64_t tag, char *err, size_t errn);
/* Ends the current round of live instance inst here and, by a HURRY
 * frame, at the peers in `peers` that are still in it (or, one round
 * behind, as soon as they begin it), as if its timeout passed: for an
 * event that should not wait out a round whose processes wait only for
 * their timeout (an idle Amalgam instance). The others are left to catch
 * up when the next round's messages reach them, as usual; naming only the
 * processes whose timeout holds the round saves frames. The rounds'
 * progress conditions and what the algorithm computes are unchanged: to
 * it, a heard-of set like any other. Returns the round ended, or -1 when
 * inst is not live here. */
int64_t hoc_svc_hurry(hoc_svc *s, uint64_t inst, hoc_set peers);
/* Sends the service frame p[0..len) (at most HOC_WIRE_MAX_APP bytes) to peer
 * `to`, or to every peer with to == -1; dropped and counted when the peer is
 * not connected (net.h). */
void hoc_svc_send_app(hoc_svc *s, int to, const uint8_t *p, size_t len);
/* Tells every peer this process is done (DONE). */
void hoc_svc_send_done(hoc_svc *s);
/* Asks for an iteration callback (and a flush) at the end of this loop
 * iteration. */
void hoc_svc_kick(hoc_svc *s);
/* Sends the round messages held for io.sending, in order: the service's
 * stable storage now covers them. Never fails (as hoc_net_send_msg). */
void hoc_svc_release(hoc_svc *s);
/* Where the held messages end now, and: sends those held before that mark
 * (a sync that started then covers them), keeping the later ones. */
size_t hoc_svc_held_mark(const hoc_svc *s);
void hoc_svc_release_upto(hoc_svc *s, size_t mark);
/* Drops the held round messages (the storage that had to cover them
 * failed), and from then on every round message and decision frame the
 * engine sends: to the peers, omissions. Before, frames sent between two
 * holds left, among them DECISION frames answering late peers from the
 * ledger, which holds decisions reached in memory that the failed storage
 * never got (a restart would not know them). Never fails. */
void hoc_svc_discard_held(hoc_svc *s);
/* Holds every round message and decision sent from now on until
 * hoc_svc_release (a decision reached here, not yet on stable storage). */
void hoc_svc_hold(hoc_svc *s);
/* Round messages and decisions held now. */
uint64_t hoc_svc_held(const hoc_svc *s);
/* Writes what is queued to peers now (before exiting). */
void hoc_svc_flush(hoc_svc *s);

hoc_engine *hoc_svc_engine(const hoc_svc *s);
/* ROUND frames sent so far (io.idle: to a peer behind, or that asked). */
uint64_t hoc_svc_told(const hoc_svc *s);
hoc_net *hoc_svc_net(const hoc_svc *s);
hoc_ledger *hoc_svc_ledger(const hoc_svc *s);
int hoc_svc_id(const hoc_svc *s);
int hoc_svc_n(const hoc_svc *s);

/* Appends the Prometheus exposition of the services' counters (engine,
 * transport, ledger) to b: one sample per service, labelled group="i" when
 * there are several. Never fails. */
void hoc_svc_render_metrics(struct evbuffer *b, hoc_svc *const *svcs, int nsvcs);

#endif
