/* rank.h: the phase abstraction of hoc check.
 *
 * An algorithm that reads the phase counter only as a stamp (copied,
 * compared, maxed) and as `phase % m` behaves the same after any renaming of
 * stamp values that keeps their order, keeps never, and keeps the current
 * phase modulo the lcm of the m. So a global state can be replaced by the
 * canonical member of its class: stamps ranked 0, 1, ... and the phase the
 * least value above them with the right remainder. This makes the state
 * space of timestamped algorithms (LastVoting, Ben-Or) finite. */
#ifndef HOC_RANK_H
#define HOC_RANK_H

#include "hoc_rt.h"

typedef struct RankMap {
    int64_t period; /* 0: the algorithm cannot be abstracted */
    int nrounds, n;
    size_t ssz;
    size_t *off; /* offset of every stamp within a process state, even when period is 0 */
    int count;
} RankMap;

/* Prepares the map of algorithm a at n processes and these params: the
 * stamp slots always; the period only if abstract, and it stays 0 when the
 * counters are read as numbers. Returns -1 when out of memory. */
int rank_init(RankMap *r, const hoc_algo *a, int n, const int64_t *params, bool abstract);
/* Frees what rank_init allocated; r may have failed to initialise. */
void rank_free(RankMap *r);
/* Int64s of scratch rank_apply needs. */
size_t rank_scratch(const RankMap *r);
/* Rewrites the round counter and the n process states at procs to the
 * canonical member of their class. */
void rank_apply(const RankMap *r, int64_t *round, uint8_t *procs, int64_t *scratch);

#endif
