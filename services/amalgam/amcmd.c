/* amcmd.c: `amalgam serve`, `amalgam reconf` and `amalgam cli` (amcmd.h). */
#include "amcmd.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amclient.h"
#include "amserve.h"
#include "amstripe.h"
#include "opt.h"

#define EXIT_FAIL 1
#define EXIT_BAD 2

static int run_server(int argc, char **argv, bool reconf)
{
    bool help = false, rejoin = false;
    const char *path = NULL;
    long long id = -1;
    hoc_log_level lv = HOC_LOG_WARN;
    /* serve's table has --rejoin (the last entry before --log); reconf's ends before it */
    hoc_opt t[] = {{"--cluster", HOC_OPT_STR, &path, .arg = "FILE", .help = "the cluster file"},
                   {reconf ? "--id" : "--machine", HOC_OPT_INT, &id, 0, AMC_MAX_MACHINES - 1,
                    .arg = reconf ? "R" : "M",
                    .help = reconf ? "this reconf replica" : "this machine"},
                   {"--log", HOC_OPT_CALL, &lv, .arg = "LEVEL",
                    .help = "error, warn (default), info, debug", .call = hoc_log_option},
                   {"--help", HOC_OPT_SET, &help, .help = "this text"},
                   {"--rejoin", HOC_OPT_SET, &rejoin,
                    .help = "this machine lost its state (a restart): join as a replacement"},
                   {NULL}};
    if (reconf) t[4] = (hoc_opt){NULL};
    const char *pos[1];
    int npos = 0;
    char err[2048] = "";
    if (hoc_opt_parse(t, argc, argv, pos, 1, &npos, err, sizeof err) == 0 && !help &&
        (npos || !path || id < 0))
        snprintf(err, sizeof err, "expected --cluster FILE and %s",
                 reconf ? "--id R" : "--machine M");
    if (help || err[0]) {
        if (err[0]) fprintf(stderr, "amalgam %s: %s\n", reconf ? "reconf" : "serve", err);
        fprintf(help ? stdout : stderr,
                reconf
                    ? "usage: amalgam reconf --cluster FILE --id R\n"
                      "Runs the reconfiguration service (pid n-1 of every instance).\n"
                    : "usage: amalgam serve --cluster FILE --machine M [--rejoin]\n"
                      "Runs machine M's data, parity and witness servers and its client port.\n");
        if (help) hoc_opt_print(stdout, t, 2);
        return help ? 0 : EXIT_BAD;
    }
    ams_opts o = {.path = path,
                  .machine = reconf ? -1 : (int)id,
                  .reconf = reconf ? (int)id : -1,
                  .rejoin = rejoin,
                  .log = {.max = lv, .id = (int)id}};
    if (ams_run(&o, err, sizeof err)) {
        fprintf(stderr, "amalgam: %s\n", err);
        return EXIT_BAD;
    }
    return 0;
}

int amcmd_serve(int argc, char **argv)
{
    return run_server(argc, argv, false);
}

int amcmd_reconf(int argc, char **argv)
{
    return run_server(argc, argv, true);
}

/* ---- cli ---- */

static void print_block(const uint8_t *b, size_t n)
{
    size_t end = n;
    while (end > 0 && b[end - 1] == 0)
        end--;
    for (size_t i = 0; i < end; i++)
        printf("%02x", b[i]);
    printf(end ? "\n" : "(zeros)\n");
}

int amcmd_cli(int argc, char **argv)
{
    bool help = false;
    const char *path = NULL;
    long long timeout = 10000;
    const hoc_opt t[] = {
        {"--cluster", HOC_OPT_STR, &path, .arg = "FILE", .help = "the cluster file"},
        {"--timeout-ms", HOC_OPT_INT, &timeout, 1, 3600000, .arg = "MS",
         .help = "wait at most this long for a reply (default 10000)"},
        {"--help", HOC_OPT_SET, &help, .help = "this text"},
        {NULL}};
    const char *pos[4];
    int npos = 0;
    char err[2048] = "";
    if (hoc_opt_parse(t, argc, argv, pos, 4, &npos, err, sizeof err) == 0 && !help) {
        bool ok = path && npos >= 1 &&
                  ((strcmp(pos[0], "read") == 0 && npos == 3) ||
                   (strcmp(pos[0], "write") == 0 && npos == 4) ||
                   (strcmp(pos[0], "decode") == 0 && npos == 3) ||
                   (strcmp(pos[0], "verify") == 0 && npos == 2));
        if (!ok) snprintf(err, sizeof err, "expected --cluster FILE and one command");
    }
    if (help || err[0]) {
        if (err[0]) fprintf(stderr, "amalgam cli: %s\n", err);
        fprintf(help ? stdout : stderr,
                "usage: amalgam cli --cluster FILE read STRIPE SHARD\n"
                "       amalgam cli --cluster FILE write STRIPE SHARD TEXT\n"
                "       amalgam cli --cluster FILE verify STRIPE\n"
                "       amalgam cli --cluster FILE decode STRIPE SHARD\n"
                "read prints the block in hex (trailing zeros left out); write stores TEXT\n"
                "followed by zeros and prints the reply; verify checks the stripe's parity\n"
                "rows against its data blocks (exit 1 if they differ); decode rebuilds the\n"
                "block from the rest of its stripe (ISA-L), without its data server.\n");
        if (help) hoc_opt_print(stdout, t, 2);
        return help ? 0 : EXIT_BAD;
    }
    amc_cluster c;
    if (amc_load(path, &c, err, sizeof err)) {
        fprintf(stderr, "amalgam: %s\n", err);
        return EXIT_BAD;
    }
    char *end;
    long long b = strtoll(pos[1], &end, 10), s = npos > 2 ? strtoll(pos[2], &end, 10) : 0;
    size_t bl = (size_t)c.block;
    uint8_t *blk = calloc(1, bl);
    amcl *cl = amcl_new(&c, (int)timeout);
    int rc = EXIT_FAIL;
    if (!blk || !cl) {
        fprintf(stderr, "amalgam cli: out of memory\n");
    } else if (b < 0 || b >= c.geo.stripes || s < 0 || s >= c.geo.g) {
        fprintf(stderr, "amalgam cli: expected STRIPE in 0..%lld and SHARD in 0..%d\n",
                (long long)c.geo.stripes - 1, c.geo.g - 1);
        rc = EXIT_BAD;
    } else if (strcmp(pos[0], "read") == 0) {
        if (amcl_read(cl, b, (int)s, blk, err, sizeof err) == 0) print_block(blk, bl), rc = 0;
    } else if (strcmp(pos[0], "write") == 0) {
        int64_t reply;
        size_t n = strlen(pos[3]);
        if (n > bl) {
            snprintf(err, sizeof err, "TEXT has %zu bytes, a block %zu", n, bl);
        } else {
            memcpy(blk, pos[3], n);
            if (amcl_write(cl, b, (int)s, blk, bl, &reply, err, sizeof err) == 0)
                printf("%lld\n", (long long)reply), rc = 0;
        }
    } else if (strcmp(pos[0], "decode") == 0) {
        if (amst_decode(cl, &c, b, (int)s, blk, err, sizeof err) == 0) print_block(blk, bl), rc = 0;
    } else {
        int v = amst_verify(cl, &c, b, err, sizeof err);
        if (v == 0) printf("stripe %lld: parity ok\n", b), rc = 0;
    }
    if (rc && err[0]) fprintf(stderr, "amalgam cli: %s\n", err);
    amcl_free(cl);
    free(blk);
    amc_free(&c);
    return rc;
}
