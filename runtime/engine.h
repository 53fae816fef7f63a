/* engine.h: the asynchronous round engine. Pure logic, no sockets and no
 * clock of its own: the transport feeds it messages and the time (in
 * microseconds, any monotonic origin) and it calls back to send.
 *
 * Each instance runs the algorithm's rounds for this process:
 *  - a round starts by calling the round's send and handing each message to
 *    io.send (a message to itself goes straight into its own mailbox);
 *  - a message (instance, round, sender) for an earlier round is dropped;
 *    one for the current round enters the mailbox (one per sender); one for
 *    the next round is buffered (one per sender, so at most n); one for a
 *    later round makes the instance catch up at once;
 *  - the round ends when its progress condition holds: goahead messages
 *    heard, or the `when` predicate, or the timeout passed with at least wait
 *    messages heard; or when hoc_engine_settle finds buffered messages for
 *    the next round (another process has moved on: catch up);
 *  - catching up runs the skipped rounds' updates on the process's own
 *    message alone (the next round's with what was buffered for it too: a
 *    process always hears itself) and sends only in the round it lands in.
 * An update never sees a message of another round: the lockstep semantics
 * with some messages not heard.
 *
 * An instance ends when its process halts or, when decisions are forwarded,
 * when it first outputs `decide`; its memory is then freed. Decisions are
 * forwarded when the algorithm declares its decide output `agreed` (every
 * process that decides decides the same, so a late peer may adopt any
 * decision) and the embedder allows it: a message for an instance that
 * ended decided is then answered with the decision (io.send_decision with
 * HOC_DECISION_ADOPT), which the peer adopts (hoc_engine_decision).
 * Otherwise (lattice agreement: each process's decision must hold its own
 * input) a process that decides goes on taking part in the instance, since
 * its peers may need it, but *quietly*: without timers, its rounds advance
 * only when peers' messages arrive. It tells every peer that it decided (a
 * notice: io.send_decision without a value) and frees the instance once
 * every peer has said so too; beyond max_live, the oldest quiet instance is
 * freed to make room.
 *
 * Events (hoc_engine_event) are queued per instance and handed to it at its
 * next phase boundary: after the update of the phase's last round, before
 * the next phase's send, several in the order queued, as hoc sim and hoc
 * check hand them. An instance that never decides or halts (a long-lived
 * one: a service's log of client operations) is never freed, evicted or
 * made quiet: it runs its phases for as long as the engine lives.
 * hoc_engine_start_replaced starts an instance as a process that lost its
 * state (the algorithm's replace), in a given round or in the round its
 * peers are in (HOC_ENGINE_JOIN). */
#ifndef HOC_ENGINE_H
#define HOC_ENGINE_H

#include "hoc_rt.h"

/* Inputs an algorithm may have, as the engine passes them to init. */
#define HOC_ENGINE_MAX_INPUTS 64

/* What the embedder knows about an instance the engine is not running. */
typedef enum hoc_inst_status {
    HOC_INST_NEW,     /* never ran here: may be started */
    HOC_INST_DECIDED, /* ended here with a decision (*value) */
    HOC_INST_IGNORE,  /* ended without a decision, or not to be run here */
} hoc_inst_status;

/* Why the engine dropped something it received or was about to send: the
 * lockstep semantics sees each as a message not heard. */
typedef enum hoc_drop {
    HOC_DROP_LATE,        /* for a round the instance has left (stats.late) */
    HOC_DROP_DUP,         /* a second message from one sender for one round (stats.dup) */
    HOC_DROP_FULL,        /* would start an instance beyond max_live (stats.dropped_full) */
    HOC_DROP_IGNORED,     /* for an instance the embedder does not run (stats.dropped_ignored) */
    HOC_DROP_DECISION,    /* a forwarded decision of an instance already decided or ended
                             here (stats.decisions_ignored) */
    HOC_DROP_UNENCODABLE, /* the round's encoder refused the message (stats.unencodable) */
    HOC_DROP_FAR,         /* for a round more than HOC_ENGINE_MAX_JUMP ahead (stats.far) */
} hoc_drop;

/* How far ahead of an instance's round a message may be and still make it
 * catch up. Catching up runs one update per skipped round, so without a
 * bound one frame (round 2^62, found by tests/fuzz/fuzz_wire.c) kept a
 * replica busy for ever. A correct peer gets this far ahead only by
 * timeouts (2^20 rounds of 20 ms are about 6 hours); reaching the bound
 * costs about 0.1 s of updates. */
#define HOC_ENGINE_MAX_JUMP (INT64_C(1) << 20)

typedef struct hoc_engine_io {
    void *ctx;
    /* A round message for process `to` (never this process). */
    void (*send)(void *ctx, int to, uint64_t inst, int64_t round, const uint8_t *payload,
                 size_t len);
    /* For a peer: with HOC_DECISION_ADOPT (wire.h), the decision of an
     * instance that ended here, value[0..len) as hoc_value_encode writes it;
     * without, a notice that this process decided (no value). */
    void (*send_decision)(void *ctx, int to, uint64_t inst, uint32_t flags, const uint8_t *value,
                          size_t len);
    /* The first decision of an instance at this process, its value as
     * hoc_value_encode writes it (valid during the call); from is -1 when
     * this process's own update decided, else the peer it was adopted from. */
    void (*decided)(void *ctx, uint64_t inst, const uint8_t *value, size_t len, int from);
    /* Every output an update fires (optional, may be NULL); outputs is the
     * algorithm's outputs struct. */
    void (*output)(void *ctx, uint64_t inst, int64_t round, const void *outputs);
    /* The instance ended here and its memory is freed (optional). */
    void (*finished)(void *ctx, uint64_t inst, bool decided);
    /* Status of an instance that is not live (required); for a decided one,
     * its value (valid until the embedder forgets it). */
    hoc_inst_status (*lookup)(void *ctx, uint64_t inst, const uint8_t **value, size_t *len);
    /* The inputs of this process in an instance a peer's message starts
     * (required): ints[i] for every input, and for a bytes input i,
     * bytes[i] may point to its value (else ints[i] stands for it). */
    void (*inputs)(void *ctx, uint64_t inst, int64_t *ints, const uint8_t **bytes);
    /* A message or forwarded decision the engine dropped, and why
     * (optional; each is also counted in the stats). */
    void (*dropped)(void *ctx, int from, uint64_t inst, int64_t round, hoc_drop why);
    /* Optional: a new instance's state right after init, before any round
     * runs, for an embedder that restores what it kept on stable storage
     * (hoc-kv's x and ts after a restart). Leave it NULL when there is
     * nothing to restore: the engine then knows a new state is init's and
     * resets a replacement's cheaply (engine.c, replace_copy). */
    void (*restore)(void *ctx, uint64_t inst, void *state);
    /* Optional: the instance is about to send round `round`'s messages from
     * this state (before any io.send of that round): the place to make
     * durable what those messages promise. */
    void (*begin)(void *ctx, uint64_t inst, int64_t round, const void *state);
    /* Optional: what became of an event queued with hoc_engine_event, once
     * for each, in the order queued. ran: its handler ran at the boundary
     * after round `round`'s update, outputs is what it fired (the outputs
     * struct, all zero when nothing; io.output saw it just before when
     * something fired, so a service that acts on every output acts once and
     * answers the client here, by its tag). !ran: the instance ended (halted,
     * decided and ended, or freed) before reaching a boundary, or a halt of
     * an earlier event at the same boundary stopped it; outputs is NULL. */
    void (*event_done)(void *ctx, uint64_t inst, int64_t round, uint64_t tag, int ev, bool ran,
                       const void *outputs);
    /* Optional: may instance inst sleep in round `round`, which it began
     * silent (it sent nothing to a peer and heard none, no event waits),
     * from this state? True: the round runs no timer; it ends only by its
     * progress condition, and the first thing for the instance (a peer's
     * round message of any round, a hurry, an event, hoc_engine_wake)
     * wakes it: its timeout runs from then. For an embedder whose idle
     * instances exchange nothing: their rounds then cost nothing. Timing
     * only: when rounds end, never what they compute. Say true only where
     * rounds that time out silent change nothing the embedder waits for. */
    bool (*idle)(void *ctx, uint64_t inst, int64_t round, const void *state);
    /* Optional: peer `to` sent a message of a round instance inst has left
     * here: tell it round `round`, inst's here (it may then
     * hoc_engine_nudge); at most once per peer and round of inst. */
    void (*nudge)(void *ctx, int to, uint64_t inst, int64_t round);
} hoc_engine_io;

typedef struct hoc_engine_opts {
    int max_live; /* live instances at most (>= 1); messages that would start another are dropped */
    /* forward decisions (end an instance at its first decision, answer late
     * peers with it), if the algorithm's decide output is agreed */
    bool forward;
    uint64_t seed; /* for oracles (coins) */
    /* events queued and not yet run, over all instances, at most (0:
     * HOC_ENGINE_MAX_EVENTS); hoc_engine_event refuses one more (HOC_EVENT_FULL) */
    int max_events;
    /* bytes of bytes-typed event arguments queued, at most (0:
     * HOC_ENGINE_MAX_EVENT_BYTES); beyond it hoc_engine_event refuses (HOC_EVENT_FULL) */
    size_t max_event_bytes;
    /* pack round messages' zero runs on the wire (zrun.h); every process of
     * the algorithm must agree on it */
    bool zero_runs;
} hoc_engine_opts;

/* The default bounds on queued events: how many, and the bytes of their
 * bytes arguments (256 MiB). */
#define HOC_ENGINE_MAX_EVENTS 4096
#define HOC_ENGINE_MAX_EVENT_BYTES ((size_t)256 << 20)
/* hoc_engine_start_replaced's round: begin the round the first message
 * from a peer is for (round 1 for a round-0 message). */
#define HOC_ENGINE_JOIN (-1)

typedef struct hoc_engine_stats {
    uint64_t rounds, timeouts, catchups, catchup_rounds;
    uint64_t msgs_sent, msgs_in, future;
    uint64_t late, dup, dropped_full, dropped_ignored, decisions_ignored, unencodable,
        far; /* hoc_drop */
    uint64_t decided_learned;
    uint64_t quiet_evicted; /* quiet instances freed at max_live before every peer had decided */
    uint64_t events_run, events_lost; /* queued events run; dropped unrun (io.event_done) */
    uint64_t events_refused;          /* hoc_engine_event calls refused (not live, invalid, full) */
    uint64_t replaced;                /* instances started by replacement */
    uint64_t hurried;                 /* rounds hoc_engine_hurry ended before their timeout */
    uint64_t slept, woken;            /* rounds begun asleep (io.idle); woken by something */
    uint64_t nudged;                  /* hoc_engine_nudge calls that moved an instance */
} hoc_engine_stats;

/* Results of hoc_engine_event. */
typedef enum hoc_event_result {
    HOC_EVENT_QUEUED = 0,    /* it runs at the instance's next phase boundary */
    HOC_EVENT_NOT_LIVE = -1, /* the instance is not live here (never started, or ended) */
    HOC_EVENT_INVALID = -2,  /* no such event, or an argument outside its range */
    HOC_EVENT_FULL = -3,     /* max_events, or max_event_bytes, are queued: try again once
                                some have run */
} hoc_event_result;

/* Results of hoc_engine_receive. */
enum { HOC_RX_OK = 0, HOC_RX_BAD = -1 };

/* Results of hoc_engine_start. */
typedef enum hoc_start_result {
    HOC_START_FULL = -1,   /* at the live bound (or out of memory): try again later */
    HOC_START_SKIPPED = 0, /* already live, or not HOC_INST_NEW */
    HOC_START_OK = 1,      /* started */
} hoc_start_result;

typedef struct hoc_engine hoc_engine;

/* An engine for process id running algorithm a with params (params[0] == n);
 * NULL on bad arguments (another ABI, id not in 0..n-1, max_live < 1, a
 * required callback missing) or when memory runs out. */
hoc_engine *hoc_engine_new(const hoc_algo *a, int id, const int64_t *params,
                           const hoc_engine_opts *o, const hoc_engine_io *io);
/* Frees the engine and every live instance, without callbacks; NULL is a no-op. */
void hoc_engine_free(hoc_engine *e);

/* Starts an instance here with io.inputs's inputs (back-pressure: after
 * HOC_START_FULL, try again once some instance has ended). */
hoc_start_result hoc_engine_start(hoc_engine *e, uint64_t inst, uint64_t now);
/* Starts an instance here in round `round` (>= 0) with the given inputs
 * (ints[i] for every input; bytes as in io.inputs, may be NULL): to the
 * algorithm, this process heard only itself in the rounds before (they run
 * with its own message alone, sending nothing), which every algorithm must tolerate. A
 * service starts a slot in the phase its leader coordinates this way. */
hoc_start_result hoc_engine_start_at(hoc_engine *e, uint64_t inst, int64_t round,
                                     const int64_t *ints, const uint8_t *const *bytes,
                                     uint64_t now);
/* Starts instance inst here in round `round` (>= 0) from exactly `state`
 * (a->state_size bytes: the state this process had when it began that round,
 * kept on stable storage) and begins it again: no rounds before it run,
 * and its messages are those it sent then. A process that restarts with
 * what it had rejoins its instance as a process that was slow. */
hoc_start_result hoc_engine_resume(hoc_engine *e, uint64_t inst, int64_t round, const void *state,
                                   uint64_t now);
/* Starts instance inst here as a process that lost its state, through the
 * algorithm's replace (docs/language.md, "replaced"): init with the given
 * inputs (as hoc_engine_start_at), then replace (init again, ghosts kept,
 * then the `replaced` block; its outputs go to io.output). With round >= 0
 * it begins that round at once: to the algorithm, the process was replaced
 * after the update of round - 1 (round 0 is taken as 1: the model replaces
 * a process only after a round's update, never before round 0), and the rounds
 * before were not run here, since a replacement forgets them whatever they
 * were (so it costs nothing however far the peers are). With
 * HOC_ENGINE_JOIN it waits, sending nothing and with no timer, for the
 * first round message of inst from a peer, and then is replaced after the
 * round before that message's (after round 0 for a round-0 message, which
 * it then drops as late) and begins it: it follows its peers, however
 * far ahead (HOC_ENGINE_MAX_JUMP does not apply). A joining instance is
 * live (it counts against max_live, takes events, adopts decisions). */
hoc_start_result hoc_engine_start_replaced(hoc_engine *e, uint64_t inst, int64_t round,
                                           const int64_t *ints, const uint8_t *const *bytes,
                                           uint64_t now);
/* Queues event ev (an index in the algorithm's events) with its arguments
 * args[0..nargs) for live instance inst, to run at its next phase boundary;
 * tag comes back in io.event_done. Each argument must lie in the range the
 * event declares (its `range`: an int's lo..hi, a bool 0..1, a pid 0..n-1,
 * an enum's members); an event out of range is refused, never run. A
 * bytes argument i is given as bytes[i] (exactly K bytes, copied here: the
 * caller's buffer need not last), any K bytes, or, when bytes or bytes[i] is
 * NULL, as args[i] in its range (hoc_bytes_from_int's integer). Refusals
 * return their reason and, when err is not NULL, say it in err. */
hoc_event_result hoc_engine_event(hoc_engine *e, uint64_t inst, int ev, const int64_t *args,
                                  const uint8_t *const *bytes, uint64_t tag, char *err,
                                  size_t errn);
/* Events queued now (all instances). */
int hoc_engine_events_queued(const hoc_engine *e);
/* Index of a's event named name, or -1. */
int hoc_engine_event_index(const hoc_algo *a, const char *name);
/* Is live instance inst waiting to join its peers (HOC_ENGINE_JOIN)? */
bool hoc_engine_joining(const hoc_engine *e, uint64_t inst);
/* A round message from peer `from`: HOC_RX_BAD if the payload does not
 * decode for that round or the sender is not a peer (close that connection);
 * HOC_RX_OK otherwise, also when it is dropped (io.dropped says why). A
 * late or duplicate message is dropped undecoded: HOC_RX_OK, whatever its
 * payload. */
int hoc_engine_receive(hoc_engine *e, int from, uint64_t inst, int64_t round,
                       const uint8_t *payload, size_t len, uint64_t now);
/* A DECISION frame from peer `from`. With HOC_DECISION_ADOPT: adopted unless
 * the instance is decided or ended here already (HOC_DROP_DECISION);
 * HOC_RX_BAD if the algorithm's decide is not agreed or the value is not one
 * of its values. Without: peer `from` decided (a notice). */
int hoc_engine_decision(hoc_engine *e, int from, uint64_t inst, uint32_t flags,
                        const uint8_t *value, size_t len);
/* Ends round `round` of live instance inst now, as if its timeout passed
 * (it still needs its `wait` heard), if the instance is in that round and
 * runs timers here; if it is in the round before, that round ends as soon
 * as it begins; otherwise does nothing. The driver only chooses when a
 * round ends: to the algorithm, a heard-of set like any other. True if
 * the instance was in that round. (hoc_svc_hurry: an op need not wait out
 * an idle round's timeout.) */
bool hoc_engine_hurry(hoc_engine *e, uint64_t inst, int64_t round, uint64_t now);
/* Wakes live instance inst if it sleeps (io.idle): its round's timer runs
 * from now. True if it slept. */
bool hoc_engine_wake(hoc_engine *e, uint64_t inst, uint64_t now);
/* Does live instance inst sleep in its round (io.idle)? */
bool hoc_engine_asleep(const hoc_engine *e, uint64_t inst);
/* A peer is in round `round` of instance inst (it said so, with no
 * message): a joining instance joins there (as a peer's message of that
 * round would make it); one in an earlier round, by at most
 * HOC_ENGINE_MAX_JUMP, catches up to it now, as a message of that round
 * would, its rounds between heard with its own message and what was
 * buffered. Timing only: a heard-of set like any other. True if it moved. */
bool hoc_engine_nudge(hoc_engine *e, uint64_t inst, int64_t round, uint64_t now);
/* Ends rounds whose timeout passed by now; never fails. */
void hoc_engine_tick(hoc_engine *e, uint64_t now);
/* Catches up instances that have buffered messages for their next round;
 * call once per batch of received messages (once per event-loop iteration). */
void hoc_engine_settle(hoc_engine *e, uint64_t now);
/* The earliest pending timeout, or UINT64_MAX when none is. */
uint64_t hoc_engine_next_deadline(const hoc_engine *e);
/* Instances live now (started and not ended). */
int hoc_engine_live(const hoc_engine *e);
/* Live instances not yet decided here: those a window counts. */
int hoc_engine_active(const hoc_engine *e);
/* Does the engine forward decisions (the embedder allows it and the
 * algorithm's decide is agreed)? */
bool hoc_engine_forwards(const hoc_engine *e);
/* Bytes one live instance of a takes (state and two mailboxes of a->maxn
 * messages), for sizing memory before starting; never fails. */
size_t hoc_engine_instance_bytes(const hoc_algo *a);
/* The current round of a live instance, or -1 when it is not live. */
int64_t hoc_engine_round(const hoc_engine *e, uint64_t inst);
/* The state of a live instance (for tests), or NULL when it is not live. */
const void *hoc_engine_state(const hoc_engine *e, uint64_t inst);
/* The counters so far; valid as long as the engine. */
const hoc_engine_stats *hoc_engine_get_stats(const hoc_engine *e);
/* Index of a's output named "decide", or -1 when it has none. */
int hoc_engine_decide_output(const hoc_algo *a);

#endif
