/* gen.h: one algorithm's generated C in a fresh temporary directory, where
 * hoc sim, hoc check and hoc build compile it, and removing it afterwards. */
#ifndef HOC_GEN_H
#define HOC_GEN_H

#include <limits.h>

#include "front.h"

typedef struct GenDir {
    char dir[64];                  /* empty: no directory (or it is to be kept) */
    char prefix[256];              /* the algorithm's C prefix (cgen_prefix) */
    char c[PATH_MAX], h[PATH_MAX]; /* the generated pair */
    char extra[PATH_MAX];          /* one more file the caller made there, or empty */
} GenDir;

/* Creates a fresh directory from pattern (mkdtemp's, e.g.
 * "/tmp/hoc-XXXXXX") and writes a's C into it (src: the .ho path the code
 * cites). Returns 0, or 2 after a message; gen_remove(g) is due either way. */
int gen_write(GenDir *g, Front *fr, Algo *a, const char *src, const char *pattern);
/* Sets g->extra to dir/name (cut to PATH_MAX) and returns it, for a file
 * the caller writes there. */
const char *gen_extra(GenDir *g, const char *name);
/* Keeps the directory for inspection: says so on stderr after why. */
void gen_keep(GenDir *g, const char *why);
/* Removes the files and the directory, unless gen_keep kept them. */
void gen_remove(GenDir *g);

#endif
