/* xtree.h: hoc explore's event tree. Every state the user reaches is a node,
 * kept with the choices of the round that led to it (heard-of sets, crashes,
 * oracle bits), so going back and branching never loses a run. A node's
 * states are computed by the algorithm's own send and update functions:
 * the explorer is one more driver of the pure state machine (hoc_rt.h). */
#ifndef HOC_XTREE_H
#define HOC_XTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoc_rt.h"
#include "params.h"
#include "simenv.h"

typedef struct xt_node {
    int parent;       /* -1 for a root */
    int64_t round;    /* the number of the round that runs next from here */
    uint64_t crashed; /* processes that take no further step */
    hoc_set *ho;      /* n: heard-of sets of the round that led here (roots: none) */
    uint64_t *oracle; /* n: oracle bits each process got in that round */
    uint8_t *states;  /* n process states */
    uint8_t *outputs; /* n outputs structs of that round */
    int64_t *inputs;  /* roots made from inputs: n * ninputs; else NULL */
    simenv_step *env; /* n: what the environment did after each update of that
                       * round (a trace's events and replacements); NULL: nothing */
    char label[16];   /* how it was made: start, step, trace, walk, check, sim */
} xt_node;

typedef struct xt_tree {
    const hoc_algo *a;
    int n;
    int64_t params[HOC_MAXPARAMS];
    xt_node *nodes;
    int count, cap;
    uint8_t *box, *msgs; /* scratch of one round: outboxes and one mailbox */
    hoc_set to[HOC_MAXN];
    /* where a spec that cannot be judged says so (the server turns it into
     * the request's error); a pointer, so that judging a const tree can */
    hoc_judge *judge;
} xt_tree;

/* Most nodes a tree keeps: a bound on what one session can allocate. */
#define XT_MAXNODES 100000

/* Sets up an empty tree for a at n processes with the given parameters
 * (already checked with params_ok). Returns 0, or -1 when out of memory. */
int xt_init(xt_tree *t, const hoc_algo *a, int n, const int64_t *params);
/* Frees the tree; t may be zeroed. */
void xt_free(xt_tree *t);

/* Whether inputs (n * ninputs values) are values of the inputs' types:
 * bools 0 or 1, pids 0..n-1, enums among their members; when not, which
 * is wrong goes to err. */
bool xt_inputs_ok(const xt_tree *t, const int64_t *inputs, char *err, size_t errn);
/* The root whose processes start from inputs (n * ninputs values), made
 * unless an equal one exists; its id, or -1 when out of room. */
int xt_root(xt_tree *t, const int64_t *inputs, const char *label);
/* A root holding the given n states before round `round` (a trace from an
 * arbitrary state); its id, or -1 when out of room. */
int xt_root_states(xt_tree *t, const uint8_t *states, int64_t round, const char *label);
/* The node one round after `from`: process q hears ho[q] (what its senders
 * sent it), the processes in `after` are crashed once the round ends (those
 * that were not send their messages of this round but do not update), and q
 * gets oracle bits oracle[q] (NULL: none); then, unless q crashed or halted,
 * the environment does env[q] to q (NULL: nothing), as hoc sim --replay does
 * (simenv.h). An existing child with the same choices is returned rather
 * than a copy. Its id, or -1 when out of room. */
int xt_step(xt_tree *t, int from, const hoc_set *ho, uint64_t after, const uint64_t *oracle,
            const simenv_step *env, const char *label);
/* Whether the environment did anything in the round that led to node id. */
bool xt_has_env(const xt_tree *t, int id);
/* Forgets nodes count and later (made by a search or a failed load that is
 * being undone); nodes before count never refer to them. */
void xt_truncate(xt_tree *t, int count);
/* Runs the sends of the round that leaves node `from`: t->to[p] gets p's
 * recipients and t->box (HOC_MAXN messages of the round's stride per
 * sender) the payloads. Returns the round's stride. */
size_t xt_sends(xt_tree *t, int from);

/* Process p's state in node id. */
const uint8_t *xt_state(const xt_tree *t, int id, int p);
/* Whether spec i holds in node id (heard-of sets: those of the round that
 * led there, empty at a root). */
bool xt_holds(const xt_tree *t, int id, int i);
/* For a spec that fails in node id: the smallest set of processes (up to
 * three) whose states, put back as they were before the round, make it
 * hold; those are the processes whose step broke it. 0 at a root or when
 * no such set exists. */
hoc_set xt_blame(xt_tree *t, int id, int i);
/* Whether spec i is one the explorer judges: an invariant or a property. */
bool xt_judged(const xt_tree *t, int i);
/* Whether process p has halted in node id. */
bool xt_halted(const xt_tree *t, int id, int p);

#endif
