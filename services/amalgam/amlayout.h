/* amlayout.h: where Amalgam's blocks live (docs/deploy.md, "Layout").
 *
 * A stripe has width k = g + f + w positions: data shards 0..g-1, parity
 * rows g..g+f-1, witnesses g+f..k-1. Stripes rotate over the M machines
 * as in the thesis' figures 3.3 and 3.4: in stripe b, position j is played
 * by machine (j - b) mod M, so each machine hosts one data, one parity and
 * one witness server, and as long as k <= M no machine plays two positions
 * of one stripe.
 *
 * Stripes with the same b mod M (a rotation class) give every machine the
 * same role, so they can share one long-lived amalgam.ho instance; a class
 * is split into instances of per_inst stripes each. Instance i belongs to
 * class i mod M and holds the class's stripes (i / M) * per_inst .. + per_inst
 * - 1 (counted inside the class). Its process ids are amalgam.ho's: position
 * j is pid j, and pid k is the reconfiguration service.
 *
 * Every function is pure and total over a geometry that aml_check accepts;
 * arguments out of range give -1 (or AML_NONE). */
#ifndef HOC_AMLAYOUT_H
#define HOC_AMLAYOUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct aml_geom {
    int g;            /* data servers (shards) per stripe, >= 1 */
    int f;            /* parity servers per stripe, >= 1 */
    int w;            /* witnesses per stripe, >= 0 */
    int machines;     /* M >= g + f + w */
    int64_t stripes;  /* blocks per shard */
    int64_t per_inst; /* stripes of one rotation class an instance holds, >= 1 */
} aml_geom;

typedef enum aml_role { AML_NONE, AML_DATA, AML_PARITY, AML_WITNESS, AML_RECONF } aml_role;

/* Is the geometry one the functions below serve (ranges as in aml_geom; no
 * divisibility needed)? 0, or -1 with the reason in err. */
int aml_check(const aml_geom *geo, char *err, size_t errcap);
/* Positions of a stripe, g + f + w: amalgam.ho's n is this plus one. */
int aml_width(const aml_geom *geo);
/* The role of position (= pid) j of a stripe or instance, and its index in
 * that role (shard s, parity row r, witness w) in *index when index is not NULL. */
aml_role aml_role_of_pid(const aml_geom *geo, int pid, int *index);
/* The position of role `role` number `index` (shard, row, witness), or -1. */
int aml_pid_of(const aml_geom *geo, aml_role role, int index);
/* The machine that plays position j of stripe b, or -1 if out of range. */
int aml_machine(const aml_geom *geo, int64_t b, int j);
/* The machine holding shard s's block of stripe b (its data server), or -1. */
int aml_data_machine(const aml_geom *geo, int64_t b, int s);
/* The machine holding parity row r of stripe b (its parity server), or -1. */
int aml_parity_machine(const aml_geom *geo, int64_t b, int r);
/* The machine whose witness server is witness w of stripe b, or -1. */
int aml_witness_machine(const aml_geom *geo, int64_t b, int w);
/* The position machine m plays in stripe b (-1: none, or out of range). */
int aml_position(const aml_geom *geo, int64_t b, int m);
/* Instances in all: M * ceil(ceil(stripes / M) / per_inst) rotation-class chunks. */
int64_t aml_instances(const aml_geom *geo);
/* The rotation class (0..M-1) of stripe b or instance i: b mod M. */
int aml_class(const aml_geom *geo, int64_t b_or_i);
/* The instance holding stripe b, with b's block index inside it in *block; -1 if out of range. */
int64_t aml_instance_of(const aml_geom *geo, int64_t b, int64_t *block);
/* The stripe at block index `block` of instance i (inverse of aml_instance_of);
 * -1 if out of range or past the last stripe. */
int64_t aml_stripe_of(const aml_geom *geo, int64_t i, int64_t block);
/* The machine that plays pid p of instance i, with its role in *role (may be
 * NULL); -1 for the reconfiguration service (pid g+f+w: no machine) or out of range. */
int aml_pid_machine(const aml_geom *geo, int64_t i, int p, aml_role *role);
/* The pid that machine m's server of role `role` (data, parity, witness) plays
 * in instance i: -1 if that server has no part in i (or out of range). */
int aml_server_pid(const aml_geom *geo, int m, aml_role role, int64_t i);
/* Blocks machine m's server of role `role` holds over all stripes (for a witness:
 * the stripes it witnesses). */
int64_t aml_load(const aml_geom *geo, int m, aml_role role);
/* A one-letter name of a role: d, p, w, r, or - for none. */
char aml_role_letter(aml_role role);

#endif
