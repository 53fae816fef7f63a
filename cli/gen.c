/* gen.c: the generated C's temporary directory (see gen.h). */
#include "gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgen.h"

int gen_write(GenDir *g, Front *fr, Algo *a, const char *src, const char *pattern)
{
    memset(g, 0, sizeof *g);
    snprintf(g->dir, sizeof g->dir, "%s", pattern);
    if (!mkdtemp(g->dir)) {
        fprintf(stderr, "hoc: cannot create a temporary directory: %s\n", strerror(errno));
        g->dir[0] = 0;
        return 2;
    }
    cgen_prefix(a->decl->name, g->prefix, sizeof g->prefix);
    snprintf(g->h, sizeof g->h, "%s/%s.h", g->dir, g->prefix);
    return front_write(fr, a, src, g->dir, g->c, sizeof g->c);
}

const char *gen_extra(GenDir *g, const char *name)
{
    snprintf(g->extra, sizeof g->extra, "%s/%s", g->dir, name);
    return g->extra;
}

void gen_keep(GenDir *g, const char *why)
{
    fprintf(stderr, "hoc: %s (kept in %s)\n", why, g->dir);
    g->dir[0] = 0;
}

void gen_remove(GenDir *g)
{
    if (!g->dir[0]) return;
    const char *files[] = {g->c, g->h, g->extra};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        if (files[i][0]) unlink(files[i]);
    rmdir(g->dir);
    g->dir[0] = 0;
}
