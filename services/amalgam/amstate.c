/* amstate.c: the record that a machine has served (amstate.h). */
#include "amstate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t amst_hash(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

uint64_t amst_cluster_id(const amc_cluster *c, const uint8_t *secret, size_t secret_len)
{
    /* fixed-width fields, so that the hash does not depend on struct padding */
    int64_t v[] = {c->geo.g,       c->geo.f,        c->geo.w, c->geo.machines,
                   c->geo.stripes, c->geo.per_inst, c->block};
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        h = amst_hash(h, &v[i], sizeof v[i]);
    return amst_hash(h, secret, secret_len);
}

void amst_path(const char *dir, uint64_t id, int m, char *out, size_t outn)
{
    snprintf(out, outn, "%s/amalgam-%016llx-machine-%d.served", dir, (unsigned long long)id, m);
}

int amst_served(const char *dir, uint64_t id, int m, char *err, size_t errn)
{
    struct stat st;
    /* made here, or by a machine that shares the folder and started at the
     * same moment (EEXIST then): either way it is looked at again */
    if (stat(dir, &st) != 0 &&
        (errno != ENOENT || (mkdir(dir, 0700) != 0 && errno != EEXIST) || stat(dir, &st) != 0)) {
        snprintf(err, errn, "--data %s: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errn, "--data %s: not a directory", dir);
        return -1;
    }
    char p[4096];
    amst_path(dir, id, m, p, sizeof p);
    if (stat(p, &st) == 0) return 1;
    if (errno == ENOENT) return 0;
    snprintf(err, errn, "%s: %s", p, strerror(errno));
    return -1;
}

/* Replaces the file at path by text[0..n) so that a crash leaves the old or
 * the new file, never a part: written to path.tmp, fsynced, renamed over
 * path, and the folder fsynced so that the rename survives too. */
static int write_durably(const char *path, const char *text, size_t n, char *err, size_t errn)
{
    char tmp[4200], dir[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        snprintf(err, errn, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        snprintf(err, errn, "%s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    int dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int amst_record(const char *dir, uint64_t id, int m, const char *cluster, char *err, size_t errn)
{
    char p[4096], text[4400];
    amst_path(dir, id, m, p, sizeof p);
    int n = snprintf(text, sizeof text,
                     "machine %d of cluster %016llx (%s) has served since %lld.\n"
                     "Its blocks live in memory: a restart joins as a replacement and rebuilds\n"
                     "them from its peers. Delete this file only to start a new, empty cluster.\n",
                     m, (unsigned long long)id, cluster, (long long)time(NULL));
    if (n <= 0 || (size_t)n >= sizeof text) {
        snprintf(err, errn, "%s: the cluster file's path is too long", p);
        return -1;
    }
    return write_durably(p, text, (size_t)n, err, errn);
}

void amst_term_path(const char *dir, uint64_t id, int m, char *out, size_t outn)
{
    snprintf(out, outn, "%s/amalgam-%016llx-machine-%d.term", dir, (unsigned long long)id, m);
}

/* What a damaged file would not match: the term, under the cluster id. */
static uint64_t term_check(uint64_t id, uint64_t term)
{
    uint64_t v[2] = {id, term};
    return amst_hash(0xcbf29ce484222325ULL, v, sizeof v);
}

#define TERM_LINE "term %" PRIu64 " of cluster %016" PRIx64 ", check %016" PRIx64 "\n"
#define TERM_SCAN "term %" SCNu64 " of cluster %16" SCNx64 ", check %16" SCNx64

int amst_term_load(const char *path, uint64_t id, uint64_t *term, char *err, size_t errn)
{
    *term = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[160] = "";
    uint64_t t = 0, cid = 0, check = 0;
    int got = fgets(line, sizeof line, f) ? sscanf(line, TERM_SCAN, &t, &cid, &check) : 0;
    bool bad = ferror(f);
    fclose(f);
    char want[160];
    snprintf(want, sizeof want, TERM_LINE, t, cid, check);
    if (bad || got != 3 || strcmp(line, want) != 0 || cid != id || check != term_check(id, t) ||
        t == 0) {
        snprintf(err, errn,
                 "%s is damaged (its first line should read \"term T of cluster %016" PRIx64
                 ", check C\" with C matching T): it holds the newest reconfiguration term this "
                 "machine was shown. Delete it only knowing that the machine will then take a "
                 "deposed reconfiguration driver until the current one connects",
                 path, id);
        return -1;
    }
    *term = t;
    return 0;
}

int amst_term_store(const char *path, uint64_t id, uint64_t term, char *err, size_t errn)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     TERM_LINE "The newest term of the replicated reconfiguration service this "
                               "machine was shown:\nit refuses every driver of an older term, "
                               "across restarts. Do not edit.\n",
                     term, id, term_check(id, term));
    return write_durably(path, text, (size_t)n, err, errn);
}
