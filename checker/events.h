/* events.h: what hoc check's environment does besides losing messages and
 * crashing processes, each within a budget per execution:
 *
 *   - events (`event NAME(args) { ... }`): between two phases, after the
 *     update of the phase's last round, a process may be handed up to
 *     EV_MAX events, handled in order; their arguments range over the
 *     declared ranges (an int without one over 0..--values-1); a bytes
 *     argument ranges over the ints that stand for it, handed to the
 *     handler as ints (hoc_bytes_from_int makes the bytes);
 *   - replacement (`--replace K`): after any update a process may be
 *     replaced: it starts again from init with its inputs and its ghosts,
 *     then runs the algorithm's replaced block.
 *
 * Each process's choices are computed with the others (succ.h), so the
 * environment's moves cost no more than a mailbox does. The budgets used
 * so far are part of the global state (two counters after the process
 * states), which keeps the space finite; where a budget rules a move out,
 * the summary says the bound was reached, so the cut is never silent. */
#ifndef HOC_EVENTS_H
#define HOC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hoc_rt.h"

struct Mc;
struct Worker;

/* Events one process may take at one phase boundary. */
#define EV_MAX 4

/* What the environment did to one process in one round. */
typedef struct EnvStep {
    uint8_t replaced;
    uint8_t count;         /* events handled, in this order: */
    uint32_t code[EV_MAX]; /* each an event and its arguments (events_decode) */
} EnvStep;

typedef struct Events {
    const hoc_algo *a;
    int64_t ncodes;    /* every event with every argument value */
    int64_t first[17]; /* the codes of event e are first[e] .. first[e+1]-1 */
    int64_t lo[16][8], span[16][8];
    int budget_events, budget_replace;
    size_t tail; /* where the counters are in a key; 0 when there are none */
    int64_t cut; /* moves the budgets ruled out, summed by the workers */
} Events;

/* Sets up the environment's moves of algorithm a under the options' budgets
 * and parameters, for keys whose counters start at byte tail. Returns 0, or
 * -1 with a message in err (an empty or too large range). */
int events_init(Events *ev, const hoc_algo *a, const int64_t *params, int values, int budget_events,
                int budget_replace, size_t tail, char *err, size_t errn);
/* Bytes the counters add to a key: 8 when a budget is in play, else 0. */
size_t events_key_bytes(const hoc_algo *a, int budget_events, int budget_replace);
/* The event of code and its arguments (at most 8). */
void events_decode(const Events *ev, uint32_t code, int *event, int64_t *args);
/* How many events and replacements key k has used. */
void events_used(const Events *ev, const uint8_t *k, uint32_t *events, uint32_t *replaced);

/* Adds to process q's choices (w->ch[q]) the state update left in w->next
 * (reached with heard-of set ho and oracle bits), and every variant the
 * environment may make of it in round r within the budgets left in the key
 * being expanded (w->cur). Returns 0, or -1 when out of memory. */
int events_variants(struct Worker *w, int q, int64_t r, hoc_set ho, uint64_t bits);
/* Whether the chosen steps env[0..n) fit the budgets left in key k; if so
 * the counters of successor s are updated. Counts a cut otherwise. */
bool events_fit(struct Mc *m, const uint8_t *k, uint8_t *s, const EnvStep *env);

/* Prints what env did (" replaced", " op(1, 2)"), nothing for none. */
void events_print(FILE *f, const Events *ev, const EnvStep *env);
/* Writes env as JSON: [replaced, [event, args...], ...]. */
void events_json(FILE *f, const Events *ev, const EnvStep *env);

#endif
