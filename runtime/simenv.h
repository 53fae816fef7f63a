/* simenv.h: the environment's events and replacements in the lockstep
 * simulator: drawn at random in a run (hoc sim --events, --replace), or
 * taken from a trace of hoc check (hoc sim --replay). Either way they come
 * after a process's update, replacement first, events only after the
 * update of a phase's last round, as in hoc check (checker/events.h). */
#ifndef HOC_SIMENV_H
#define HOC_SIMENV_H

#include <stdint.h>

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
/* Applies what a trace's env entry j ([replaced, [event, args...], ...]) says
 * the environment did to the process of state st; 0, or -1 when the entry
 * does not fit the algorithm. */
int simenv_replay(const hoc_algo *a, const json *j, uint8_t *st, const hoc_env *env, void *outputs);

#endif
