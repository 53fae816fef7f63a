/* load.c: compiling generated code into a shared object and dlopening it. */
#include "load.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "objcache.h"
#include "stack.h"
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

/* Compiles srcs[0..nsrcs) and the program's link words into so; 0, or 2
 * after the compiler's messages (the directory then kept). */
static int compile(Loaded *l, Front *fr, ToolCmd *cc, const char *so, const char *const *srcs,
                   int nsrcs)
{
    tool_cmd_words(cc, "-fPIC -shared -o");
    tool_cmd_add(cc, so);
    for (int i = 0; i < nsrcs; i++)
        tool_cmd_add(cc, srcs[i]);
    for (int i = 0; i < fr->prog->nlibs; i++)
        tool_cmd_add(cc, fr->prog->libs[i]);
    if (tool_cmd_run(cc) == 0) return 0;
    gen_keep(&l->gen, "the C compiler failed on the generated code");
    return 2;
}

/* The loaded algorithm's functions run on this thread (hoc sim, the
 * checker's first lane): its stack must hold their locals. 0 or 2. */
static int stack_fits(Loaded *l)
{
    char err[300];
    if (hoc_stack_fit(l->algo, err, sizeof err) == 0) return 0;
    fprintf(stderr, "hoc: %s\n", err);
    return 2;
}

int load_algo(Front *fr, Algo *a, const char *src, const char *const *externs, int nexterns,
              int maxn, Loaded *l)
{
    memset(l, 0, sizeof *l);
    int rc = gen_write(&l->gen, fr, a, src, "/tmp/hoc-XXXXXX");
    if (rc) return rc;
    /* the sources the object is made of: what the compiler and the cache's
     * key read */
    int nsrcs = 0;
    const char **srcs = malloc((size_t)(1 + nexterns + fr->prog->ncsrc) * sizeof *srcs);
    if (!srcs) {
        fprintf(stderr, "hoc: out of memory\n");
        return 2;
    }
    srcs[nsrcs++] = l->gen.c;
    for (int i = 0; i < nexterns; i++)
        srcs[nsrcs++] = externs[i];
    for (int i = 0; i < fr->prog->ncsrc; i++)
        srcs[nsrcs++] = fr->prog->csrc[i];
    char name[300];
    const char *px = l->gen.prefix, *why = "";
    ToolCmd cc;
    tool_cc_begin(&cc, px, maxn);
    ObjCache oc;
    objcache_key(&oc, &cc, srcs, nsrcs, (const char *const *)fr->prog->libs, fr->prog->nlibs, src,
                 l->gen.dir);
    /* a cached object that does not load (damaged, or from another runtime
     * behind the same headers) is forgotten and compiled afresh, under
     * another name: dlopen would hand back a handle it still holds */
    snprintf(name, sizeof name, "%s.cached.so", px);
    if (objcache_get(&oc, gen_extra(&l->gen, name))) {
        if (open_so(l, l->gen.extra, px, &why) == 0) {
            free(srcs);
            return stack_fits(l);
        }
        objcache_drop(&oc);
        unlink(l->gen.extra);
    }
    snprintf(name, sizeof name, "%s.so", px);
    const char *so = gen_extra(&l->gen, name);
    rc = compile(l, fr, &cc, so, srcs, nsrcs);
    free(srcs);
    if (rc) return rc;
    if (open_so(l, so, px, &why) != 0) {
        fprintf(stderr, "hoc: cannot load the compiled algorithm: %s\n", why);
        return 2;
    }
    objcache_put(&oc, so);
    return stack_fits(l);
}

void load_free(Loaded *l)
{
    if (l->handle) dlclose(l->handle);
    l->handle = NULL, l->algo = NULL;
    gen_remove(&l->gen);
}
