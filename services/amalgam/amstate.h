/* amstate.h: the record that machine M of a cluster has served, kept in
 * `amalgam serve --data DIR` (docs/deploy.md, "Restarting a machine"), and
 * the newest term of the replicated reconfiguration service it was shown.
 *
 * A server's blocks live in memory, so a restarted machine has lost them.
 * Starting it again as new would present zero blocks that its stripes'
 * parity rows do not describe: silent corruption. The record tells a first
 * start (fresh, empty blocks are the truth) from a restart (join as the
 * model's replacement and rebuild from the peers). */
#ifndef HOC_AMSTATE_H
#define HOC_AMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amcluster.h"

/* The cluster's id: a hash of what decides where data lives and how much
 * there is (g, f, witnesses, machines, block, stripes, blocks-per-instance)
 * and of the secret's bytes (secret, secret_len; may be 0). Ports, hosts
 * and comments are left out on purpose: editing them must not make a
 * restarted machine look like a new one. */
uint64_t amst_cluster_id(const amc_cluster *c, const uint8_t *secret, size_t secret_len);
/* FNV-1a 64 of p[0..n) continuing from h (0xcbf29ce484222325 to start). */
uint64_t amst_hash(uint64_t h, const void *p, size_t n);
/* The record's path for machine m in dir, into out. */
void amst_path(const char *dir, uint64_t id, int m, char *out, size_t outn);
/* Has machine m served in dir? 1 yes, 0 no, -1 with err (dir unreadable, or
 * not a directory). Creates dir (one level) when it is missing. */
int amst_served(const char *dir, uint64_t id, int m, char *err, size_t errn);
/* Records durably (written, fsynced, renamed, folder fsynced) that machine m
 * of the cluster in file `cluster` serves: 0, or -1 with err. */
int amst_record(const char *dir, uint64_t id, int m, const char *cluster, char *err, size_t errn);

/* The newest reconfiguration term machine m was shown survives its
 * restarts, so that a restarted server still refuses a driver the log
 * deposed before (docs/amalgam.md, "The replicated reconfiguration
 * service"). The file's path for machine m in dir, into out. */
void amst_term_path(const char *dir, uint64_t id, int m, char *out, size_t outn);
/* Reads the term at path (cluster id) into *term: 0 (*term = 0 when there
 * is no file), or -1 with err when it cannot be read or is damaged. */
int amst_term_load(const char *path, uint64_t id, uint64_t *term, char *err, size_t errn);
/* Replaces the term at path durably (written, fsynced, renamed, folder
 * fsynced) before it returns 0; -1 with err, the old file intact. */
int amst_term_store(const char *path, uint64_t id, uint64_t term, char *err, size_t errn);

#endif
