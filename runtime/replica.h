/* replica.h: a native replica of a compiled algorithm (hoc build). The
 * generated executable's main is `return hoc_replica_main(&X_algo, argc, argv);`.
 *
 *   BIN --id I --peers FILE [--instances K] [--decisions OUT] [--secret FILE]
 *       [--metrics PORT] [--drop P] [--delay MS] [options]
 *
 * Runs instances 0..K-1 of the algorithm as process I of the cluster in the
 * peers file, at most --window of them in flight, writes "INSTANCE VALUE" to
 * OUT for each first decision and exits 0 once all K are decided and every
 * peer has said it is done too, or --linger seconds after that. The flags are
 * listed by --help and in docs/runtime.md. */
#ifndef HOC_REPLICA_H
#define HOC_REPLICA_H

#include "hoc_rt.h"

/* Exit status: 0 all instances decided, 1 stopped before (signal or
 * --timeout), 2 usage or start-up error. */
int hoc_replica_main(const hoc_algo *a, int argc, char **argv);

#endif
