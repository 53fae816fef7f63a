/* test_term.c: the newest reconfiguration term a machine was shown, on disk
 * (services/amalgam/amstate.h): missing is term 0, a stored term reads back
 * and a newer one replaces it, every kind of damage is refused with a
 * message naming the file and leaves it as it was, and a store that cannot
 * be written fails and keeps the old term. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amstate.h"
#include "hoc_check.h"

#define CID 0x0123456789abcdefULL

static char dir[] = "/tmp/amalgam-term-XXXXXX";

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    static char buf[1024];
    FILE *f = fopen(path, "r");
    buf[0] = 0;
    if (!f) return buf;
    buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
    fclose(f);
    return buf;
}

int main(void)
{
    CHECK(mkdtemp(dir) != NULL);
    char p[4096], err[8192];
    amst_term_path(dir, CID, 3, p, sizeof p);
    CHECK(strstr(p, "amalgam-0123456789abcdef-machine-3.term") != NULL);
    uint64_t t = 99;
    CHECK(amst_term_load(p, CID, &t, err, sizeof err) == 0 && t == 0); /* none yet */
    CHECK(amst_term_store(p, CID, 7, err, sizeof err) == 0);
    CHECK(amst_term_load(p, CID, &t, err, sizeof err) == 0 && t == 7);
    CHECK(amst_term_store(p, CID, 12, err, sizeof err) == 0);
    CHECK(amst_term_load(p, CID, &t, err, sizeof err) == 0 && t == 12);
    char good[1024];
    snprintf(good, sizeof good, "%s", slurp(p));
    CHECK(strncmp(good, "term 12 of cluster 0123456789abcdef, check ", 43) == 0);
    /* another cluster's id, a term edited by hand, a cut line, nothing, junk */
    CHECK(amst_term_load(p, CID + 1, &t, err, sizeof err) == -1 && t == 0);
    CHECK(strstr(err, p) && strstr(err, "is damaged"));
    char bad[5][1024];
    snprintf(bad[0], sizeof bad[0], "term 13%s", good + 7);
    snprintf(bad[1], sizeof bad[1], "%.40s", good);
    snprintf(bad[2], sizeof bad[2], "%s", "");
    snprintf(bad[3], sizeof bad[3], "%s", "\x01\x02garbage\n");
    snprintf(bad[4], sizeof bad[4], "%s", "term 0 of cluster 0123456789abcdef, check 0\n");
    for (int k = 0; k < 5; k++) {
        put(p, bad[k]);
        err[0] = 0, t = 5;
        CHECK(amst_term_load(p, CID, &t, err, sizeof err) == -1 && t == 0);
        CHECK(strstr(err, "is damaged") != NULL && strstr(err, p) != NULL);
        CHECK(strcmp(slurp(p), bad[k]) == 0); /* left as it was */
    }
    put(p, good);
    /* a store that cannot be written: the folder is gone for its .tmp */
    char q[4096];
    snprintf(q, sizeof q, "%s/nowhere/x.term", dir);
    CHECK(amst_term_store(q, CID, 13, err, sizeof err) == -1 && strstr(err, "nowhere") != NULL);
    CHECK(amst_term_load(p, CID, &t, err, sizeof err) == 0 && t == 12);
    /* unreadable: a folder where the file should be */
    snprintf(q, sizeof q, "%s/dir.term", dir);
    CHECK(mkdir(q, 0700) == 0);
    CHECK(amst_term_load(q, CID, &t, err, sizeof err) == -1);
    rmdir(q);
    unlink(p);
    rmdir(dir);
    return check_summary("amalgam-term");
}
