/* load.c: compiling generated code into a shared object and dlopening it. */
#include "load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

int load_algo(Front *fr, Algo *a, const char *src, const char *const *externs, int nexterns,
              int maxn, Loaded *l)
{
    memset(l, 0, sizeof *l);
    int rc = gen_write(&l->gen, fr, a, src, "/tmp/hoc-XXXXXX");
    if (rc) return rc;
    char name[300];
    const char *px = l->gen.prefix;
    snprintf(name, sizeof name, "%s.so", px);
    const char *so = gen_extra(&l->gen, name);
    ToolCmd cc;
    tool_cc_begin(&cc, px, maxn);
    tool_cmd_words(&cc, "-fPIC -shared -o");
    tool_cmd_add(&cc, so);
    tool_cmd_add(&cc, l->gen.c);
    for (int i = 0; i < nexterns; i++)
        tool_cmd_add(&cc, externs[i]);
    for (int i = 0; i < fr->prog->ncsrc; i++)
        tool_cmd_add(&cc, fr->prog->csrc[i]);
    for (int i = 0; i < fr->prog->nlibs; i++)
        tool_cmd_add(&cc, fr->prog->libs[i]);
    if (tool_cmd_run(&cc) != 0) {
        gen_keep(&l->gen, "the C compiler failed on the generated code");
        return 2;
    }
    l->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!l->handle) {
        fprintf(stderr, "hoc: cannot load the compiled algorithm: %s\n", dlerror());
        return 2;
    }
    char sym[300];
    snprintf(sym, sizeof sym, "%s_algo", px);
    l->algo = dlsym(l->handle, sym);
    if (!l->algo || l->algo->abi != HOC_ABI_VERSION) {
        fprintf(stderr, "hoc: the compiled algorithm has no usable descriptor\n");
        l->algo = NULL;
        return 2;
    }
    return 0;
}

void load_free(Loaded *l)
{
    if (l->handle) dlclose(l->handle);
    l->handle = NULL, l->algo = NULL;
    gen_remove(&l->gen);
}
