/* sim.h: the lockstep heard-of simulator, a driver of a compiled algorithm. */
#ifndef HOC_SIM_H
#define HOC_SIM_H

#include <stdio.h>

#include "hoc_rt.h"
#include "simenv.h"
#include "value.h" /* hoc_print_value, which the drivers share */

typedef struct hoc_sim_opts {
    int n;
    int64_t params[16]; /* params[0] == n; the rest from hoc_params_pick (params.h) */
    int64_t rounds;     /* rounds to run (fewer if every live process halts) */
    uint64_t seed;
    double drop;           /* probability that one channel drops its message */
    int crash;             /* processes that crash, each at a random round */
    double event_rate;     /* chance a live process gets a random event between two phases */
    int replace;           /* processes replaced, each at a random round (simenv.h) */
    const int64_t *inputs; /* n * algo->ninputs values, or NULL for the default */
    int64_t good_from;     /* from this round, eventual assumptions are made to hold; -1: never */
    int trace_rounds;      /* rounds of states kept for a violation trace */
    bool json;
    FILE *out;
    /* Where the algorithm looks inside a block (opaque.h's words), or NULL:
     * its blocks are stand-ins, so an "ok" says so. */
    const char *block_look;
    /* When not NULL, hears the run as it happens (hoc sim --html records it):
     * first round -1 with the inputs (ho and oracle NULL), then after every
     * round its heard-of sets, each process's oracle bits, the processes
     * crashed once it ends (inputs NULL) and what the environment did to each
     * process after its update (replacements, events). */
    void (*observe)(void *ctx, int64_t round, const int64_t *inputs, const hoc_set *ho,
                    const uint64_t *oracle, uint64_t crashed, const simenv_step *env);
    void *observe_ctx;
} hoc_sim_opts;

/* Runs the simulation and prints its report. Returns 0 when every invariant
 * and property held after every round, 1 when one was violated, 2 on error. */
int hoc_sim_run(const hoc_algo *a, const hoc_sim_opts *o);

/* Replays a trace written by hoc check --trace: the same inputs, heard-of
 * sets, crashes and oracle bits. Returns 1 if an invariant or property is
 * violated (as the trace says), 0 if none is, 2 if the trace is unusable or
 * the replay's states differ from the trace's. */
int hoc_sim_replay(const hoc_algo *a, const char *path, FILE *out);

/* The number of processes a trace of hoc check --trace was written for, or 0
 * when it cannot be read or says none (hoc_sim_replay then says why). */
int hoc_sim_trace_n(const char *path);

/* Whether a run hands algorithm a blocks, all stand-ins: bytes inputs (an integer's
 * bytes, then zeros) or, with events, events with bytes arguments. */
bool hoc_sim_hands_blocks(const hoc_algo *a, bool events);
/* Writes the note that a run handed stand-in blocks to an algorithm that
 * looks inside them at look ("FILE:LINE: indexes a block ..."). */
void hoc_sim_note_blocks(FILE *f, const char *look);

#endif
