/* check.h: name resolution and type checking; annotates the tree in place. */
#ifndef HOC_CHECK_H
#define HOC_CHECK_H

#include "ast.h"

/* What the back ends need to know about one checked algorithm. */
typedef struct Algo {
    Decl *decl;
    Decl **params; /* params[0] is n (declared or implicit) */
    int nparams;
    Decl **where; /* parameter constraints */
    int nwhere;
    Decl **inputs, **outputs, **vars, **oracles, **lets, **specs;
    int ninputs, noutputs, nvars, noracles, nlets, nspecs;
    Round **rounds;
    int nrounds;
    Decl **events; /* event handlers (D_EVENT), in declaration order */
    int nevents;
    Decl *replaced;  /* the replaced block, or NULL */
    bool uses_id;    /* behaviour may depend on process ids: no symmetry reduction */
    bool uses_round; /* behaviour depends on the round or phase counter */
    /* The counters are read other than as a stamp or `phase % m` with m
     * fixed by the params: hoc check cannot abstract the phase. */
    bool phase_as_int;
    Expr **phase_mods; /* the m of each `phase % m` */
    int nphase_mods;
    struct Algo *next;
} Algo;

/* Checks the whole program; errors go to the program's Diag. Returns the
 * checked algorithms (valid only when no error was reported). */
Algo *check_program(Program *p);
/* Frees what check_program returned (the tree stays in the program's arena). */
void algo_free(Algo *a);

#endif
