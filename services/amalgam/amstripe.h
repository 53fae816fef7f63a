/* amstripe.h: whole-stripe tools of the client (docs/deploy.md, "Client
 * commands"): check a stripe's parity rows against its data blocks, and
 * rebuild a block from the rest of its stripe, both with ISA-L over the
 * blocks the servers hold (AM.RAW), taken once every op of the stripe is
 * committed and applied. Debugging and recovery aids, not linearizable
 * reads. */
#ifndef HOC_AMSTRIPE_H
#define HOC_AMSTRIPE_H

#include <stddef.h>
#include <stdint.h>

#include "amclient.h"
#include "amcluster.h"

/* Checks stripe b's parity rows against the code of its data blocks: 0 equal,
 * 1 different, -1 error (err says which, or that ops stayed pending). */
int amst_verify(amcl *cl, const amc_cluster *c, int64_t b, char *err, size_t errn);
/* Rebuilds shard s's block of stripe b into out (block bytes) from the other
 * positions that answer, without asking the shard's own server: 0, or -1 with err. */
int amst_decode(amcl *cl, const amc_cluster *c, int64_t b, int s, uint8_t *out, char *err,
                size_t errn);

#endif
