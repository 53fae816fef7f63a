/* front.c: the compiler's front end as the commands use it (see front.h). */
#include "front.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgen.h"
#include "parse.h"
#include "tool.h"

/* Prints the error count; 2, as a program that does not compile is
 * something hoc could not do its job on (main.c). */
static int count_errors(const Diag *d)
{
    fprintf(stderr, "%d error%s\n", d->errors, d->errors == 1 ? "" : "s");
    return 2;
}

/* Replaces the value of the const that o (NAME=VALUE) names; 0, or 2 after
 * a message. */
static int override_const(Program *prog, const char *o)
{
    const char *eq = strchr(o, '=');
    char *end = NULL;
    errno = 0;
    long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
    if (!eq || eq == o || end == eq + 1 || *end || errno) {
        fprintf(stderr, "hoc: --const takes NAME=VALUE with a whole number, not '%s'\n", o);
        return 2;
    }
    for (Decl *d = prog->decls; d; d = d->next) {
        if (d->kind != D_CONST || strlen(d->name) != (size_t)(eq - o) ||
            strncmp(d->name, o, (size_t)(eq - o)) != 0)
            continue;
        Expr *e = ast_expr(prog->arena, E_INT, d->init ? d->init->pos : d->pos);
        e->ival = v;
        d->init = e;
        return 0;
    }
    fprintf(stderr, "hoc: --const %s: the program has no const named '%.*s'\n", o, (int)(eq - o),
            o);
    return 2;
}

int front_load(const char *path, Front *fr)
{
    return front_load_consts(path, fr, NULL, 0);
}

int front_load_consts(const char *path, Front *fr, const char *const *consts, int n)
{
    char stdlib[4096];
    memset(fr, 0, sizeof *fr);
    fr->diag.out = stderr;
    fr->prog = parse_program(path, tool_path(TOOL_STDLIB, stdlib, sizeof stdlib), &fr->diag);
    if (!fr->prog) return 2; /* parse_program has said why */
    /* after syntax errors the tree is partial, so it is not checked */
    if (fr->diag.errors) return count_errors(&fr->diag);
    for (int i = 0; i < n; i++)
        if (override_const(fr->prog, consts[i])) return 2;
    fr->algos = check_program(fr->prog);
    if (fr->diag.errors) return count_errors(&fr->diag);
    return 0;
}

void front_free(Front *fr)
{
    algo_free(fr->algos);
    program_free(fr->prog);
    fr->algos = NULL, fr->prog = NULL;
}

Algo *front_pick(Front *fr, const char *name)
{
    if (!name) {
        if (fr->algos && fr->algos->next) {
            fprintf(stderr,
                    "hoc: the file defines several algorithms; choose one with --algorithm:");
            for (Algo *a = fr->algos; a; a = a->next)
                fprintf(stderr, " %s", a->decl->name);
            fputc('\n', stderr);
            return NULL;
        }
        return fr->algos;
    }
    for (Algo *a = fr->algos; a; a = a->next)
        if (strcmp(a->decl->name, name) == 0) return a;
    fprintf(stderr, "hoc: no algorithm named '%s'\n", name);
    return NULL;
}

int front_write(Front *fr, Algo *a, const char *src, const char *dir, char *cpath, size_t cap)
{
    char px[256], hpath[PATH_MAX];
    cgen_prefix(a->decl->name, px, sizeof px);
    snprintf(cpath, cap, "%s/%s.c", dir, px);
    snprintf(hpath, sizeof hpath, "%s/%s.h", dir, px);
    FILE *h = fopen(hpath, "w"), *c = fopen(cpath, "w");
    if (!h || !c) {
        fprintf(stderr, "hoc: cannot write in '%s': %s\n", dir, strerror(errno));
        if (h) fclose(h);
        if (c) fclose(c);
        return 2;
    }
    int rc = cgen_algo(fr->prog, a, src, h, c);
    if (fclose(h) != 0) rc = -1;
    if (fclose(c) != 0) rc = -1;
    if (rc) {
        fprintf(stderr, "hoc: write error in '%s'\n", dir);
        return 2;
    }
    return 0;
}
