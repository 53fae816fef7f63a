/* load.h: an algorithm compiled into a shared object and loaded into hoc,
 * for the drivers that run inside it (hoc sim, hoc check). */
#ifndef HOC_LOAD_H
#define HOC_LOAD_H

#include "front.h"
#include "gen.h"
#include "hoc_rt.h"

typedef struct Loaded {
    GenDir gen; /* the generated C and the .so (gen.extra) */
    void *handle;
    const hoc_algo *algo; /* the descriptor, once loaded */
} Loaded;

/* Compiles a's generated C, the extern C files externs[0..nexterns) and the
 * program's module companions into a shared object, with arrays indexed by
 * process of capacity maxn (0: the default), and loads its descriptor into
 * l->algo. Returns 0, or 2 after a message (when the C compiler fails, its
 * directory is kept and named). load_free(l) is due either way. */
int load_algo(Front *fr, Algo *a, const char *src, const char *const *externs, int nexterns,
              int maxn, Loaded *l);
/* Unloads the object and removes its files; l may be zeroed. */
void load_free(Loaded *l);

#endif
