/* vc.h: verification conditions for one checked algorithm, discharged in Z3.
 *
 * An obligation is one of: initiation of an invariant, its consecution over
 * one round of the phase, a property implied by the invariants, or a
 * liveness obligation: a progress stage established by one good round from
 * the stage before (an eventual assumption without stages is reported
 * unknown). See docs/verifier.md for the encoding. */
#ifndef HOC_VC_H
#define HOC_VC_H

#include <stdint.h>
#include <stdio.h>

#include "check.h"

typedef enum VcKind { VC_INIT, VC_CONSEC, VC_PROP, VC_LIVE } VcKind;
typedef enum VcStatus { VC_PROVED, VC_FAILED, VC_UNKNOWN } VcStatus;

typedef struct VcObligation {
    VcKind kind;
    Decl *spec; /* the invariant, property, progress stage or eventual assumption */
    int round;  /* VC_CONSEC, VC_LIVE with a stage: index of the round */
    char name[160];
} VcObligation;

typedef struct VcOpts {
    unsigned timeout_ms;  /* per obligation, wall-clock; 0: none */
    uint64_t rlimit;      /* Z3 resource units per obligation; 0: none (docs/verifier.md) */
    const char *smt2_dir; /* write each query there, or NULL */
} VcOpts;

/* A failed obligation's model as concrete values, for running it in the
 * generated C (cli/modelrun.h): n processes, slots as prover/concrete.h
 * numbers them (inputs, then vars; ints and pids as they are, bools 0/1,
 * enums their index, stamps as the C stores them, sets as a mask). */
typedef struct VcModel {
    int n, nslots;
    int64_t params[16];
    int64_t round;    /* the global round of a consecution */
    int64_t *vals;    /* n * nslots: the state (initiation: its inputs) */
    bool *halted;     /* per process: stopped, and not by a crash */
    bool *crashed;    /* per process: crashed in an earlier round */
    bool *crash_now;  /* per process: crashes in this round */
    uint64_t *ho;     /* per process: whom it hears */
    uint64_t *oracle; /* per process: bit i, oracle i */
} VcModel;

typedef struct VcResult {
    VcStatus status;
    double secs;
    uint64_t units;   /* Z3 resource units its checks used */
    char reason[512]; /* unknown: why; failed: a one-line summary */
    char *cex;        /* failed: a readable counterexample (malloc'd) or NULL */
    VcModel *model;   /* failed: the model as values (vc_model_free), or NULL when the
                         state holds what it cannot give (arrays, bytes) */
    char smt2_path[512];
    int witnesses, families, atoms; /* statistics of the encoding */
} VcResult;

/* The obligations of al, in a stable order (invariants, properties,
 * liveness); *out is malloc'd (NULL when there are none). Aborts when out
 * of memory. */
int vc_obligations(Algo *al, VcObligation **out);
/* Generates and discharges one obligation into *res. Never fails: what it
 * cannot decide is VC_UNKNOWN with the reason; res->cex is the caller's to
 * free. */
void vc_discharge(Algo *al, const VcObligation *ob, const VcOpts *o, VcResult *res);
/* Frees res->cex and res->model (and forgets them). */
void vc_result_free(VcResult *res);
/* Frees m (NULL is fine). */
void vc_model_free(VcModel *m);

#endif
