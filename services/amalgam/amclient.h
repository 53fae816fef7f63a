/* amclient.h: a C client of an Amalgam cluster (docs/deploy.md, "Client
 * commands"). It reads the cluster file, sends each block op to the client
 * port of the machine whose data server holds the block (following a MOVED
 * redirect), speaks RESP2 over blocking sockets, and sends again an op the
 * server refused with TRYAGAIN (which changed nothing). Ops carry the
 * client's name and number (ID CLIENT SEQ), so one sent again after a lost
 * connection is answered from its first execution; an op is sent again
 * until the timeout, across a restart of its machine (whose journal
 * answers it: docs/deploy.md, "Exactly once across retries"). One
 * connection a machine, opened when first needed. Not thread-safe. */
#ifndef HOC_AMCLIENT_H
#define HOC_AMCLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"

typedef struct amcl amcl;

/* A client of cluster c (which must outlive it), waiting at most timeout_ms
 * for a reply: NULL when out of memory. */
amcl *amcl_new(const amc_cluster *c, int timeout_ms);
/* Closes the connections and frees cl; NULL is a no-op. */
void amcl_free(amcl *cl);
/* Runs op cmd (AM.WRITE, AM.XOR, AM.ADD, AM.CAS) on shard's block of stripe
 * with its nv operands v[i][0..vlen[i]) (blocks, or ADD's number as text):
 * 0 with the block's old value in old (block bytes) once committed, or -1
 * with err (old may then hold a reply's bytes: the reply is read into it). */
int amcl_op(amcl *cl, const char *cmd, int64_t stripe, int shard, int nv, const uint8_t *const *v,
            const size_t *vlen, uint8_t *old, char *err, size_t errn);
/* Reads shard's block of stripe into out (block bytes): 0, or -1 with err
 * (out may then hold a reply's bytes). */
int amcl_read(amcl *cl, int64_t stripe, int shard, uint8_t *out, char *err, size_t errn);
/* Debugging (AM.RAW): position pos's block of stripe (data block or parity
 * row) into out and its op counters into ctr (up to *nctr; *nctr set to how
 * many): 0, or -1 with err. */
int amcl_raw(amcl *cl, int64_t stripe, int pos, uint8_t *out, int64_t *ctr, int *nctr, char *err,
             size_t errn);

#endif
