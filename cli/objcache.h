/* objcache.h: compiled algorithms kept between runs of hoc sim and hoc
 * check, so that running the same program again skips the C compiler.
 *
 * The key is a SHA-256 of everything the compile reads: the compiler (its
 * path, size and modification time) and every flag, each source as the
 * compiler preprocesses it with those flags (so every header it includes
 * counts, the runtime's and the system's alike), the link words, the .ho
 * path the debug information names, and the runtime ABI. A stale object
 * would give a program another program's semantics, hence the preprocessed
 * text rather than file names or dates. docs/cli.md, "The compile cache". */
#ifndef HOC_OBJCACHE_H
#define HOC_OBJCACHE_H

#include <limits.h>

#include "tool.h"

typedef struct ObjCache {
    int on;             /* 0: no caching for this compile (compile as usual) */
    char dir[PATH_MAX]; /* $HOC_CACHE, else $XDG_CACHE_HOME/hoc or $HOME/.cache/hoc */
    char key[65];       /* hex SHA-256 */
} ObjCache;

/* Computes oc's directory and key for the shared object that cc (tool_cc_begin's
 * flags, nothing else yet) would build from srcs[0..nsrcs) and the link words
 * libs[0..nlibs), for the program at src, preprocessing into tmpdir. Never
 * fails: oc->on is 0 when $HOC_CACHE is "off", no directory can be made, or a
 * source does not preprocess (the compile then says why). */
void objcache_key(ObjCache *oc, const ToolCmd *cc, const char *const *srcs, int nsrcs,
                  const char *const *libs, int nlibs, const char *src, const char *tmpdir);
/* Copies the cached object to path so: 1 when it was there, else 0. */
int objcache_get(const ObjCache *oc, const char *so);
/* Stores the object at so (a temporary name, then rename: readers never see
 * half a file) and keeps the 256 most recently used; failures are ignored. */
void objcache_put(const ObjCache *oc, const char *so);
/* Forgets the entry (an object that would not load). */
void objcache_drop(const ObjCache *oc);

#endif
