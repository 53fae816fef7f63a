/* front.h: what every command that reads a .ho file does first: parse it
 * with its imports, check it, pick one algorithm, write that algorithm's C. */
#ifndef HOC_FRONT_H
#define HOC_FRONT_H

#include <stddef.h>

#include "check.h"
#include "diag.h"

typedef struct Front {
    Program *prog;
    Algo *algos; /* the checked algorithms, in the file's order */
    Diag diag;
} Front;

/* Parses path (imports are looked up beside the importing file, then in the
 * stdlib) and checks it. Returns 0; or 2 after the diagnostics and an error
 * count on stderr when the file cannot be read or the program has errors.
 * front_free(fr) is due either way. */
int front_load(const char *path, Front *fr);
/* front_load with constants overridden before checking: each of consts[0..n)
 * is NAME=VALUE, VALUE a whole number, NAME a top-level const of the program
 * (so a service can be checked with tiny blocks and built with real ones).
 * Returns as front_load; 2 after a message for a malformed override or an
 * unknown NAME. */
int front_load_consts(const char *path, Front *fr, const char *const *consts, int n);
/* Frees what front_load made; fr may be zeroed or half-loaded. */
void front_free(Front *fr);
/* The algorithm named name, or with name NULL the file's only algorithm;
 * NULL after a message on stderr when there is no such algorithm, or when
 * the file has several and name is NULL. */
Algo *front_pick(Front *fr, const char *name);
/* Writes dir/PREFIX.h and dir/PREFIX.c for a (PREFIX from cgen_prefix,
 * src the .ho path the code cites) and the .c path into cpath. Returns 0, or
 * 2 after a message when the files cannot be written. */
int front_write(Front *fr, Algo *a, const char *src, const char *dir, char *cpath, size_t cap);

#endif
