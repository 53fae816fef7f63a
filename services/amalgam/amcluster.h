/* amcluster.h: an Amalgam cluster file (docs/deploy.md, "The cluster file").
 *
 * One setting or machine a line, '#' starts a comment:
 *
 *   g 3                     data servers (shards) per stripe
 *   f 2                     parity servers per stripe
 *   witnesses 0             witnesses per stripe (default 0)
 *   block 4K                bytes a block: 64 B .. 1 MiB, a multiple of 64
 *   stripes 1280            blocks a shard: a multiple of machines * blocks-per-instance
 *   blocks-per-instance 64  stripes of a rotation class one instance holds
 *   suspect-ms 1500         failure detector's suspicion timeout (default 1500)
 *   secret cluster.key      the cluster secret (relative to the file's folder)
 *   machine 0 10.0.0.1 base=7000        or data=P parity=P witness=P client=P metrics=P
 *   reconf 0 10.0.0.1:7500 metrics=7600   a reconf replica (1, 3, 5 or 7), its /metrics
 *
 * Every mistake is an error "FILE:LINE: what is wrong: what to do"; a
 * mistake of the whole file (a missing setting) is "FILE: ...". */
#ifndef HOC_AMCLUSTER_H
#define HOC_AMCLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amlayout.h"

#define AMC_MAX_MACHINES 1024
#define AMC_MAX_RECONF 7
#define AMC_HOST_MAX 256
#define AMC_PATH_MAX 1024
#define AMC_MIN_BLOCK 64
#define AMC_MAX_BLOCK (1 << 20)

/* Ports of a machine's servers (0: none). */
typedef struct amc_machine {
    int id;
    char host[AMC_HOST_MAX];
    int data, parity, witness, client, metrics;
    int base; /* base=P as written, 0 if none (the ports above are resolved from it) */
    int line; /* where it was declared */
} amc_machine;

typedef struct amc_replica {
    int id;
    char host[AMC_HOST_MAX];
    int port;
    int metrics; /* its /metrics port, 0 if none */
    int line;
} amc_replica;

typedef struct amc_cluster {
    aml_geom geo;              /* g, f, w, machines, stripes, per_inst */
    int64_t block;             /* bytes a block */
    int suspect_ms;            /* failure detector's suspicion timeout */
    char secret[AMC_PATH_MAX]; /* the secret's path as written ("" if none) */
    int secret_line;
    int block_line;       /* where `block` was set */
    amc_machine *machine; /* geo.machines entries, indexed by id */
    int nreconf;
    amc_replica reconf[AMC_MAX_RECONF]; /* indexed by id */
    bool per_inst_default;              /* blocks-per-instance was not written */
} amc_cluster;

/* Parses text (the contents of file `name`, used in messages) into out;
 * 0, or -1 with "NAME:LINE: ..." in err and out left empty (nothing to free). */
int amc_parse(const char *text, const char *name, amc_cluster *out, char *err, size_t errcap);
/* Reads and parses the file at path, then checks that the secret it names
 * (relative to the file's folder) can be read: 0, or -1 with a message in err. */
int amc_load(const char *path, amc_cluster *out, char *err, size_t errcap);
/* Can the cluster be served? (amc_parse already checks this: a file that
 * passes parses is servable as far as ports go.) A server at port P hosts rotation class t's
 * group at P + t (every class: M ports), as does a reconf replica (and,
 * with several, its log at P + M); checks
 * that no two of these ranges, client or metrics ports meet on one host and
 * that all stay below 65536: 0, or -1 with "FILE:LINE: ..." in err. */
int amc_check_class_ports(const amc_cluster *c, const char *path, char *err, size_t errcap);
/* Frees what amc_parse or amc_load allocated; an empty cluster is a no-op. */
void amc_free(amc_cluster *c);
/* Parses a byte size "4096", "4K", "4KiB", "1M" (binary), "4KB" (decimal
 * 1000s) whole and in [1, 2^62]: 0, or -1. */
int amc_size(const char *s, int64_t *out);

#endif
