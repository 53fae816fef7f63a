/* objcache.c: the compile cache (objcache.h). Every failure here costs a
 * compile, never a wrong object: anything unreadable turns caching off. */
#include "objcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hoc_rt.h"

enum { OBJCACHE_KEEP = 256 };

/* Feeds one length-prefixed item, so that no two lists of items hash alike. */
static void feed(EVP_MD_CTX *md, const void *p, size_t len)
{
    unsigned long long n = len;
    EVP_DigestUpdate(md, &n, sizeof n);
    EVP_DigestUpdate(md, p, len);
}

static void feed_str(EVP_MD_CTX *md, const char *s)
{
    feed(md, s, strlen(s));
}

/* Feeds the compiler's identity: the file PATH lookup finds, its size and
 * dates (an upgraded compiler is another compiler); -1 when there is none. */
static int feed_compiler(EVP_MD_CTX *md, const char *cc)
{
    char path[PATH_MAX];
    struct stat st;
    int found = 0;
    if (strchr(cc, '/')) {
        found = snprintf(path, sizeof path, "%s", cc) < (int)sizeof path && stat(path, &st) == 0;
    } else {
        const char *dirs = getenv("PATH");
        char buf[8192];
        snprintf(buf, sizeof buf, "%s", dirs ? dirs : "/usr/bin:/bin");
        char *save = NULL;
        for (char *d = strtok_r(buf, ":", &save); d && !found; d = strtok_r(NULL, ":", &save))
            found = snprintf(path, sizeof path, "%s/%s", d, cc) < (int)sizeof path &&
                    stat(path, &st) == 0 && S_ISREG(st.st_mode);
    }
    if (!found) return -1;
    long long id[5] = {(long long)st.st_dev, (long long)st.st_ino, (long long)st.st_size,
                       (long long)st.st_mtim.tv_sec, (long long)st.st_mtim.tv_nsec};
    feed_str(md, path);
    feed(md, id, sizeof id);
    return 0;
}

/* Feeds the whole file at path; -1 when it cannot be read. */
static int feed_file(EVP_MD_CTX *md, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char buf[65536];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        EVP_DigestUpdate(md, buf, n);
        total += n;
    }
    int bad = ferror(f);
    fclose(f);
    unsigned long long t = total; /* closes the item, as feed's prefix would */
    EVP_DigestUpdate(md, &t, sizeof t);
    return bad ? -1 : 0;
}

/* Makes dir and its missing parents (mode 0700); 0 or -1. */
static int make_dirs(char *dir)
{
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int bad = mkdir(dir, 0700) != 0 && errno != EEXIST;
        *p = '/';
        if (bad) return -1;
    }
    return mkdir(dir, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Chooses the directory; 0, or -1 when caching is off or impossible. */
static int cache_dir(ObjCache *oc)
{
    const char *env = getenv("HOC_CACHE"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (env && *env) {
        if (strcmp(env, "off") == 0) return -1;
        n = snprintf(oc->dir, sizeof oc->dir, "%s", env);
    } else if (xdg && *xdg == '/') {
        n = snprintf(oc->dir, sizeof oc->dir, "%s/hoc", xdg);
    } else if (home && *home == '/') {
        n = snprintf(oc->dir, sizeof oc->dir, "%s/.cache/hoc", home);
    } else {
        return -1;
    }
    if (n <= 0 || n >= (int)sizeof oc->dir - 80) return -1; /* room for KEY.so.tmp.PID */
    return make_dirs(oc->dir);
}

void objcache_key(ObjCache *oc, const ToolCmd *cc, const char *const *srcs, int nsrcs,
                  const char *const *libs, int nlibs, const char *src, const char *tmpdir)
{
    memset(oc, 0, sizeof *oc);
    if (cc->overflow || cc->argc == 0 || cache_dir(oc) != 0) return;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return;
    }
    int ok = 1, abi = HOC_ABI_VERSION;
    feed_str(md, "hoc-objcache-1");
    feed(md, &abi, sizeof abi);
    ok = feed_compiler(md, cc->argv[0]) == 0;
    for (int i = 0; ok && i < cc->argc; i++)
        feed_str(md, cc->argv[i]);
    char pre[PATH_MAX];
    ok = ok && snprintf(pre, sizeof pre, "%s/objcache.i", tmpdir) < (int)sizeof pre;
    for (int i = 0; ok && i < nsrcs; i++) {
        ToolCmd e = *cc; /* the same flags: the same headers and macros */
        for (int k = 0; k < e.argc; k++)
            e.argv[k] = e.store + (cc->argv[k] - cc->store);
        tool_cmd_words(&e, "-E -P -o");
        tool_cmd_add(&e, pre);
        tool_cmd_add(&e, srcs[i]);
        ok = tool_cmd_run_quiet(&e) == 0 && feed_file(md, pre) == 0;
        unlink(pre);
    }
    for (int i = 0; ok && i < nlibs; i++)
        feed_str(md, libs[i]);
    feed_str(md, src ? src : "");
    unsigned char h[32];
    unsigned int hl = 0;
    ok = ok && EVP_DigestFinal_ex(md, h, &hl) == 1 && hl == sizeof h;
    EVP_MD_CTX_free(md);
    if (!ok) return;
    for (int i = 0; i < 32; i++)
        snprintf(oc->key + 2 * i, 3, "%02x", h[i]);
    oc->on = 1;
}

/* Copies from to a new file to (mode 0755); 0 or -1 (to removed). */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (out < 0) {
        close(in);
        return -1;
    }
    char buf[65536];
    ssize_t n;
    int bad = 0;
    while (!bad && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0) {
            bad = errno != EINTR;
            continue;
        }
        for (ssize_t off = 0; !bad && off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR) continue;
            bad = w <= 0;
            off += w > 0 ? w : 0;
        }
    }
    close(in);
    if (close(out) != 0) bad = 1;
    if (bad) unlink(to);
    return bad ? -1 : 0;
}

static void entry_path(const ObjCache *oc, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s/%s.so", oc->dir, oc->key);
}

int objcache_get(const ObjCache *oc, const char *so)
{
    if (!oc->on) return 0;
    char path[PATH_MAX + 80];
    entry_path(oc, path, sizeof path);
    if (copy_file(path, so) != 0) return 0;
    utimensat(AT_FDCWD, path, NULL, 0); /* most recently used */
    return 1;
}

void objcache_drop(const ObjCache *oc)
{
    if (!oc->on) return;
    char path[PATH_MAX + 80];
    entry_path(oc, path, sizeof path);
    unlink(path);
}

typedef struct Entry {
    struct timespec used;
    char name[80];
} Entry;

static int older_first(const void *a, const void *b)
{
    const struct timespec *x = &((const Entry *)a)->used, *y = &((const Entry *)b)->used;
    if (x->tv_sec != y->tv_sec) return x->tv_sec < y->tv_sec ? -1 : 1;
    return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

/* Removes the least recently used objects beyond OBJCACHE_KEEP, and
 * temporaries an hour old (a hoc killed while storing). */
static void evict(const ObjCache *oc)
{
    DIR *d = opendir(oc->dir);
    if (!d) return;
    Entry *e = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    char path[PATH_MAX + 80];
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        int tmp = strstr(de->d_name, ".so.tmp.") != NULL;
        if (len >= sizeof e->name || (!tmp && (len != 67 || strcmp(de->d_name + 64, ".so") != 0)))
            continue;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", oc->dir, de->d_name);
        if (stat(path, &st) != 0) continue;
        if (tmp) {
            if (now - st.st_mtim.tv_sec > 3600) unlink(path);
            continue;
        }
        if (n == cap) {
            Entry *m = realloc(e, (cap = cap ? 2 * cap : 512) * sizeof *e);
            if (!m) break;
            e = m;
        }
        e[n].used = st.st_mtim;
        memcpy(e[n++].name, de->d_name, len + 1);
    }
    closedir(d);
    if (n > OBJCACHE_KEEP) {
        qsort(e, n, sizeof *e, older_first);
        for (size_t i = 0; i < n - OBJCACHE_KEEP; i++) {
            snprintf(path, sizeof path, "%s/%s", oc->dir, e[i].name);
            unlink(path);
        }
    }
    free(e);
}

void objcache_put(const ObjCache *oc, const char *so)
{
    if (!oc->on) return;
    char path[PATH_MAX + 80], tmp[PATH_MAX + 120];
    entry_path(oc, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (copy_file(so, tmp) != 0) return;
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        return;
    }
    evict(oc);
}
