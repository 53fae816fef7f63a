/* load.c: compiling generated code into a shared object and dlopening it. */
#include "load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "objcache.h"
#include "tool.h"

/* dlopens so and finds its descriptor; 0, or -1 with the reason in why. */
static int open_so(Loaded *l, const char *so, const char *px, const char **why)
{
    l->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!l->handle) {
        *why = dlerror();
        return -1;
    }
    char sym[300];
    snprintf(sym, sizeof sym, "%s_algo", px);
    l->algo = dlsym(l->handle, sym);
    if (!l->algo || l->algo->abi != HOC_ABI_VERSION) {
        *why = "no usable descriptor";
        l->algo = NULL;
        dlclose(l->handle);
        l->handle = NULL;
        return -1;
    }
    return 0;
}

int load_algo(Front *fr, Algo *a, const char *src, const char *const *externs, int nexterns,
              int maxn, Loaded *l)
{
    memset(l, 0, sizeof *l);
    int rc = gen_write(&l->gen, fr, a, src, "/tmp/hoc-XXXXXX");
    if (rc) return rc;
    char name[300];
    const char *px = l->gen.prefix, *why = "";
    ToolCmd cc;
    tool_cc_begin(&cc, px, maxn);
    /* the sources the object is made of, for the cache's key; more than fit
     * (64 in all) are compiled without the cache */
    const char *srcs[64];
    int nsrcs = 0, total = 1 + nexterns + fr->prog->ncsrc;
    ObjCache oc = {0};
    if (total <= (int)(sizeof srcs / sizeof *srcs)) {
        srcs[nsrcs++] = l->gen.c;
        for (int i = 0; i < nexterns; i++)
            srcs[nsrcs++] = externs[i];
        for (int i = 0; i < fr->prog->ncsrc; i++)
            srcs[nsrcs++] = fr->prog->csrc[i];
        objcache_key(&oc, &cc, srcs, nsrcs, (const char *const *)fr->prog->libs, fr->prog->nlibs,
                     src, l->gen.dir);
    }
    /* a cached object that does not load (damaged, or from another runtime
     * behind the same headers) is forgotten and compiled afresh, under
     * another name: dlopen would hand back a handle it still holds */
    snprintf(name, sizeof name, "%s.cached.so", px);
    if (objcache_get(&oc, gen_extra(&l->gen, name))) {
        if (open_so(l, l->gen.extra, px, &why) == 0) return 0;
        objcache_drop(&oc);
        unlink(l->gen.extra);
    }
    snprintf(name, sizeof name, "%s.so", px);
    const char *so = gen_extra(&l->gen, name);
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
    if (open_so(l, so, px, &why) != 0) {
        fprintf(stderr, "hoc: cannot load the compiled algorithm: %s\n", why);
        return 2;
    }
    objcache_put(&oc, so);
    return 0;
}

void load_free(Loaded *l)
{
    if (l->handle) dlclose(l->handle);
    l->handle = NULL, l->algo = NULL;
    gen_remove(&l->gen);
}
