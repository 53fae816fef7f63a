/* simenv.h: the environment's events and replacements in the lockstep
 * simulator: drawn at random in a run (hoc sim --events, --replace), or
 * taken from a trace of hoc check (hoc sim --replay, and hoc explore, which
 * replays traces with the same code). Either way they come after a
 * process's update, replacement first, events only after the update of a
 * phase's last round, as in hoc check (checker/events.h). */
#ifndef HOC_SIMENV_H
#define HOC_SIMENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hoc_rt.h"
#include "json.h"

/* The inputs process state st was made from, as init takes them (at most
 * HOC_MAXINPUTS; an array or bytes input as 0). */
void simenv_inputs(const hoc_algo *a, const uint8_t *st, int64_t *in);
/* Draws the arguments of a random event of a into *event and args: an int
 * or bytes without a declared range from 0..1, as hoc check's default
 * --values; a bytes argument is drawn as the int standing for it. */
void simenv_draw(const hoc_algo *a, const int64_t *params, uint64_t *rng, int *event,
                 int64_t *args);
/* Replaces the process whose state is st (env says which), keeping its inputs. */
void simenv_replace(const hoc_algo *a, uint8_t *st, const hoc_env *env, void *outputs);
/* What the environment did to one process after one update, as a trace's
 * env entry says it: a replacement, then up to SIMENV_MAX events in order,
 * each an event of the algorithm and its arguments (a bytes argument as the
 * int standing for it, as hoc check hands it). */
#define SIMENV_MAX 8
typedef struct simenv_step {
    bool replaced;
    int count;
    int event[SIMENV_MAX];
    int64_t args[SIMENV_MAX][8];
} simenv_step;

/* Reads a trace's env entry j ([replaced, [event, args...], ...]) for
 * algorithm a with parameters params into *out; 0, or -1 with what does not
 * fit in why: not such an array, an event a does not have, the wrong number
 * of arguments, an argument outside its declared range, more than
 * SIMENV_MAX events. */
int simenv_parse(const hoc_algo *a, const int64_t *params, const json *j, simenv_step *out,
                 char *why, size_t whyn);
/* Does to the process of state st what s says, replacement first, with its
 * outputs in outputs. A driver calls it after the process's update, unless
 * the process crashed or the update halted it (as hoc check does). */
void simenv_apply(const hoc_algo *a, const simenv_step *s, uint8_t *st, const hoc_env *env,
                  void *outputs);
/* Prints s as hoc check's traces show it (" replaced", " write(2)"); nothing
 * for a step where the environment did nothing. */
void simenv_print(FILE *f, const hoc_algo *a, const simenv_step *s);

#endif
