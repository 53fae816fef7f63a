/* amstate.c: the record that a machine has served (amstate.h). */
#include "amstate.h"

#include <errno.h>
#include <fcntl.h>
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
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0700) != 0) {
            snprintf(err, errn, "--data %s: %s", dir, strerror(errno));
            return -1;
        }
        return 0;
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

int amst_record(const char *dir, uint64_t id, int m, const char *cluster, char *err, size_t errn)
{
    char p[4096], tmp[4200];
    amst_path(dir, id, m, p, sizeof p);
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        snprintf(err, errn, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    char text[4400];
    int n = snprintf(text, sizeof text,
                     "machine %d of cluster %016llx (%s) has served since %lld.\n"
                     "Its blocks live in memory: a restart joins as a replacement and rebuilds\n"
                     "them from its peers. Delete this file only to start a new, empty cluster.\n",
                     m, (unsigned long long)id, cluster, (long long)time(NULL));
    bool ok = n > 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, p) != 0) {
        snprintf(err, errn, "%s: %s", p, strerror(errno));
        unlink(tmp);
        return -1;
    }
    /* the rename itself must survive a crash */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}
