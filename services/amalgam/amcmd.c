/* amcmd.c: `amalgam serve`, `amalgam reconf` and `amalgam cli` (amcmd.h). */
#include "amcmd.h"

#include <errno.h>
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
    const char *path = NULL, *data = NULL, *fsync = "batch";
    long long id = -1, test_term = 0;
    hoc_log_level lv = HOC_LOG_WARN;
    /* serve's table ends with --rejoin, --data and --fsync; reconf's with --data and
     * --test-term */
    hoc_opt t[] = {{"--cluster", HOC_OPT_STR, &path, .arg = "FILE", .help = "the cluster file"},
                   {reconf ? "--id" : "--machine", HOC_OPT_INT, &id, 0, AMC_MAX_MACHINES - 1,
                    .arg = reconf ? "R" : "M",
                    .help = reconf ? "this reconf replica" : "this machine"},
                   {"--log", HOC_OPT_CALL, &lv, .arg = "LEVEL",
                    .help = "error, warn (default), info, debug", .call = hoc_log_option},
                   {"--help", HOC_OPT_SET, &help, .help = "this text"},
                   {"--rejoin", HOC_OPT_SET, &rejoin,
                    .help = "this machine lost its state (a restart): join as a replacement"},
                   {"--data", HOC_OPT_STR, &data, .arg = "DIR",
                    .help = "where this machine records that it served: a restart then joins as a "
                            "replacement by itself (required unless --rejoin)"},
                   {"--fsync", HOC_OPT_STR, &fsync, .arg = "MODE",
                    .help = "batch (default): an op's exactly-once record is synced before its "
                            "prepare leaves; never: written, not synced (survives a killed "
                            "process, not a host that loses power)"},
                   {NULL}};
    if (reconf) { /* --data, not --rejoin */
        t[4] = t[5];
        t[4].help = "where the service keeps its decisions (with several reconf lines, this "
                    "replica's share of their log): a restart resumes them (without it, a "
                    "restarted service uses epochs again)";
        t[5] = (hoc_opt){"--test-term",
                         HOC_OPT_INT,
                         &test_term,
                         1,
                         INT64_MAX,
                         .arg = "T",
                         .help = "TEST ONLY: drive pid n-1 at once under term T, outside the "
                                 "log (a deposed driver, for the fencing test)"};
        t[6] = (hoc_opt){NULL}; /* not --fsync */
    }
    const char *pos[1];
    int npos = 0;
    char err[2048] = "";
    if (hoc_opt_parse(t, argc, argv, pos, 1, &npos, err, sizeof err) == 0 && !help &&
        (npos || !path || id < 0))
        snprintf(err, sizeof err, "expected --cluster FILE and %s",
                 reconf ? "--id R" : "--machine M");
    if (!err[0] && strcmp(fsync, "batch") != 0 && strcmp(fsync, "never") != 0)
        snprintf(err, sizeof err, "--fsync %s: expected batch or never", fsync);
    if (help || err[0]) {
        if (err[0]) fprintf(stderr, "amalgam %s: %s\n", reconf ? "reconf" : "serve", err);
        fprintf(help ? stdout : stderr,
                reconf
                    ? "usage: amalgam reconf --cluster FILE --id R [--data DIR]\n"
                      "Runs replica R of the reconfiguration service (pid n-1 of every "
                      "instance;\nwith several reconf lines, the replica their log designates "
                      "plays it).\n"
                    : "usage: amalgam serve --cluster FILE --machine M --data DIR [--rejoin] "
                      "[--fsync batch|never]\n"
                      "Runs machine M's data, parity and witness servers and its client port.\n");
        if (help) hoc_opt_print(stdout, t, 2);
        return help ? 0 : EXIT_BAD;
    }
    ams_opts o = {.path = path,
                  .machine = reconf ? -1 : (int)id,
                  .reconf = reconf ? (int)id : -1,
                  .rejoin = rejoin,
                  .data = data,
                  .nosync = strcmp(fsync, "never") == 0,
                  .test_term = (uint64_t)test_term,
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

/* The cli's commands: name, operands after STRIPE SHARD (-1: none, STRIPE [LAST] only), AM
 * command. */
static const struct {
    const char *name;
    int nops;
    const char *cmd;
} CLI[] = {{"read", 0, "AM.READ"}, {"write", 1, "AM.WRITE"}, {"xor", 1, "AM.XOR"},
           {"add", 1, "AM.ADD"},   {"cas", 2, "AM.CAS"},     {"decode", 0, NULL},
           {"verify", -1, NULL}};

/* A file's bytes ("-": standard input) into out[0..bl), zeros after: 0, or
 * -1 with err (unreadable, or longer than a block). */
static int read_operand(const char *path, size_t bl, uint8_t *out, char *err, size_t errn)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        snprintf(err, errn, "%s: %s", path, strerror(errno));
        return -1;
    }
    memset(out, 0, bl);
    (void)fread(out, 1, bl, f);
    int more = fgetc(f), bad = ferror(f);
    if (f != stdin) fclose(f);
    if (bad) {
        snprintf(err, errn, "%s: cannot read it", path);
        return -1;
    }
    if (more != EOF) {
        snprintf(err, errn, "%s: more than a block (%zu bytes)", path, bl);
        return -1;
    }
    return 0;
}

/* An op's operand: TEXT padded with zeros to a block, @FILE the file's
 * bytes padded so, or ADD's numbers (N, OFFSET) as they are. */
static int operand(const char *cmd, const char *text, size_t bl, uint8_t *out, size_t *len,
                   char *err, size_t errn)
{
    size_t n = strlen(text);
    if (strcmp(cmd, "AM.ADD") == 0) {
        memcpy(out, text, n < bl ? n : bl);
        *len = n < bl ? n : bl;
        return 0;
    }
    *len = bl;
    if (text[0] == '@') return read_operand(text + 1, bl, out, err, errn);
    if (n > bl) {
        snprintf(err, errn, "TEXT has %zu bytes, a block %zu", n, bl);
        return -1;
    }
    memset(out, 0, bl);
    memcpy(out, text, n);
    return 0;
}

static int cli_usage(bool help, const hoc_opt *t, const char *err)
{
    if (err[0]) fprintf(stderr, "amalgam cli: %s\n", err);
    fprintf(help ? stdout : stderr,
            "usage: amalgam cli --cluster FILE read STRIPE SHARD\n"
            "       amalgam cli --cluster FILE write|xor STRIPE SHARD TEXT|@FILE\n"
            "       amalgam cli --cluster FILE add STRIPE SHARD N [OFFSET]\n"
            "       amalgam cli --cluster FILE cas STRIPE SHARD EXPECTED NEW\n"
            "       amalgam cli --cluster FILE decode STRIPE SHARD\n"
            "       amalgam cli --cluster FILE verify STRIPE [LAST]\n"
            "Blocks print in hex, trailing zeros left out; TEXT is a block's bytes, zeros\n"
            "after, @FILE a file's (@- standard input). add adds N to the 8-byte\n"
            "little-endian integer at byte OFFSET (default 0). write, xor, add and cas\n"
            "print the block's old value once committed.\n"
            "verify checks the stripe's parity rows against its data blocks (exit 1 if\n"
            "they differ), or each stripe's from STRIPE to LAST; decode rebuilds the\n"
            "block from the rest of its stripe (ISA-L), without its data server.\n");
    if (help) hoc_opt_print(stdout, t, 2);
    return help ? 0 : EXIT_BAD;
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
    const char *pos[6];
    int npos = 0, k = -1;
    char err[2048] = "";
    if (hoc_opt_parse(t, argc, argv, pos, 6, &npos, err, sizeof err) == 0 && !help) {
        for (int i = 0; path && npos >= 1 && i < (int)(sizeof CLI / sizeof CLI[0]); i++)
            if (strcmp(pos[0], CLI[i].name) == 0 &&
                (npos == 3 + CLI[i].nops || (!strcmp(pos[0], "add") && npos == 5) ||
                 (CLI[i].nops < 0 && npos == 3)))
                k = i;
        if (k < 0) snprintf(err, sizeof err, "expected --cluster FILE and one command");
    }
    if (help || err[0]) return cli_usage(help, t, err);
    char *end, *end2 = "";
    long long b = strtoll(pos[1], &end, 10), s = npos > 2 ? strtoll(pos[2], &end2, 10) : 0;
    if (*end || *end2 || end == pos[1] || (npos > 2 && end2 == pos[2])) {
        fprintf(stderr, "amalgam: expected numbers: %s%s%s\n", pos[1], npos > 2 ? " " : "",
                npos > 2 ? pos[2] : "");
        return EXIT_BAD;
    }
    amc_cluster c;
    if (amc_load(path, &c, err, sizeof err)) {
        fprintf(stderr, "amalgam: %s\n", err);
        return EXIT_BAD;
    }
    long long last = b;
    if (CLI[k].nops < 0) last = npos > 2 ? s : b, s = 0; /* verify's LAST */
    size_t bl = (size_t)c.block;
    uint8_t *blk = calloc(3, bl);
    amcl *cl = amcl_new(&c, (int)timeout);
    int rc = EXIT_FAIL;
    if (!blk || !cl) {
        snprintf(err, sizeof err, "out of memory");
    } else if (b < 0 || b >= c.geo.stripes || s < 0 || s >= c.geo.g) {
        snprintf(err, sizeof err, "expected STRIPE in 0..%lld and SHARD in 0..%d",
                 (long long)c.geo.stripes - 1, c.geo.g - 1);
        rc = EXIT_BAD;
    } else if (last < b || last >= c.geo.stripes) {
        snprintf(err, sizeof err, "expected LAST in %lld..%lld", b, (long long)c.geo.stripes - 1);
        rc = EXIT_BAD;
    } else if (k == 0) {
        if (amcl_read(cl, b, (int)s, blk, err, sizeof err) == 0) print_block(blk, bl), rc = 0;
    } else if (CLI[k].cmd) {
        const uint8_t *v[2] = {blk + bl, blk + 2 * bl};
        size_t vl[2] = {0, 0};
        int bad = 0;
        int nops = npos - 3; /* add's OFFSET is optional */
        for (int i = 0; i < nops && !bad; i++)
            bad = operand(CLI[k].cmd, pos[3 + i], bl, blk + bl * (size_t)(1 + i), &vl[i], err,
                          sizeof err);
        if (!bad && amcl_op(cl, CLI[k].cmd, b, (int)s, nops, v, vl, blk, err, sizeof err) == 0)
            print_block(blk, bl), rc = 0;
    } else if (strcmp(CLI[k].name, "decode") == 0) {
        if (amst_decode(cl, &c, b, (int)s, blk, err, sizeof err) == 0) print_block(blk, bl), rc = 0;
    } else { /* a range in one process: a test's 200 stripes as 200 processes took 200 s under
              * ASan at load 20 (docs/amalgam-performance.md, "The demand test's flake") */
        rc = 0;
        for (long long x = b; x <= last; x++) {
            if (amst_verify(cl, &c, x, err, sizeof err) == 0) {
                printf("stripe %lld: parity ok\n", x);
                continue;
            }
            if (last > b) fprintf(stderr, "amalgam cli: stripe %lld: %s\n", x, err), err[0] = 0;
            rc = EXIT_FAIL;
        }
    }
    if (rc && err[0]) fprintf(stderr, "amalgam cli: %s\n", err);
    amcl_free(cl);
    free(blk);
    amc_free(&c);
    return rc;
}
