/* amalgam.c: the `amalgam` command (docs/deploy.md): one subcommand a
 * task of deploying Amalgam. Exit status 0 on success, 2 on a usage error
 * or bad input (a cluster file's mistake names its line). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amcluster.h"
#include "amreconf.h"
#include "amcmd.h"
#include "amvariant.h"
#include "amlayout.h"
#include "ammttdl.h"
#include "opt.h"
#include "peers.h"

#define EXIT_BAD 2
/* Wider layouts are summarised, not drawn: a table of 33+ columns helps no one. */
#define TABLE_MAX_MACHINES 32

typedef struct Cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *args, *help;
} Cmd;

static int cmd_check_cluster(int argc, char **argv);
static int cmd_mttdl(int argc, char **argv);

static const Cmd CMDS[] = {
    {"check-cluster", cmd_check_cluster, "FILE",
     "parse a cluster file; print its machines, roles and layout"},
    {"mttdl", cmd_mttdl, "[options]",
     "mean time to data loss (the thesis' Burkhard-Menon approximation)"},
    {"serve", amcmd_serve, "--cluster F --machine M --data DIR",
     "run machine M's data, parity and witness servers and its client port"},
    {"reconf", amcmd_reconf, "--cluster F --id R", "run the reconfiguration service"},
    {"cli", amcmd_cli, "--cluster F CMD ...", "read, write or verify blocks"},
};
#define NCMDS (sizeof CMDS / sizeof CMDS[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: amalgam COMMAND [options]   (amalgam COMMAND --help for its options)\n\n"
               "commands:\n");
    for (size_t i = 0; i < NCMDS; i++)
        fprintf(f, "  %-14s %-10s %s\n", CMDS[i].name, CMDS[i].args, CMDS[i].help);
    fprintf(f, "\nExit status: 0 success, 2 usage error or bad input. docs/deploy.md\n");
}

/* ---- check-cluster ---- */

static void human_bytes(double v, char *out, size_t cap)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (v >= 1024 && u < 6)
        v /= 1024, u++;
    snprintf(out, cap, u == 0 ? "%.0f %s" : "%.1f %s", v, unit[u]);
}

static void print_machines(const amc_cluster *c)
{
    const aml_geom *geo = &c->geo;
    printf("\nmachine  host             data  parity witness client metrics  data blocks  "
           "parity blocks  witnessed stripes\n");
    for (int m = 0; m < geo->machines; m++) {
        const amc_machine *x = &c->machine[m];
        char w[8] = "-", mt[8] = "-";
        if (x->witness && geo->w) snprintf(w, sizeof w, "%d", x->witness);
        if (x->metrics) snprintf(mt, sizeof mt, "%d", x->metrics);
        printf("%-8d %-16s %-5d %-6d %-7s %-6d %-7s  %-12lld %-14lld %lld\n", m, x->host, x->data,
               x->parity, w, x->client, mt, (long long)aml_load(geo, m, AML_DATA),
               (long long)aml_load(geo, m, AML_PARITY), (long long)aml_load(geo, m, AML_WITNESS));
    }
    for (int i = 0; i < c->nreconf; i++) {
        printf(strchr(c->reconf[i].host, ':') ? "reconf %d: [%s]:%d" : "reconf %d: %s:%d", i,
               c->reconf[i].host, c->reconf[i].port);
        if (c->reconf[i].metrics) printf(", metrics %d", c->reconf[i].metrics);
        if (c->nreconf > 1) printf(", log %d", c->reconf[i].port + c->geo.machines);
        printf("\n");
    }
}

/* One rotation of the layout, as the thesis' figures 3.3 and 3.4: a row a
 * stripe, a column a machine; dS data shard S, pR parity row R, wW witness. */
static void print_layout(const aml_geom *geo)
{
    if (geo->machines > TABLE_MAX_MACHINES) {
        printf("\nlayout: %d machines (the table is drawn for at most %d); stripe b's position j "
               "is on machine (j - b) mod %d\n",
               geo->machines, TABLE_MAX_MACHINES, geo->machines);
        return;
    }
    int64_t rows = geo->stripes < geo->machines ? geo->stripes : geo->machines;
    printf("\nlayout (stripes 0..%lld; stripe b + %d repeats stripe b; dS: data shard S, pR: "
           "parity row R, wW: witness W):\nstripe  inst.block",
           (long long)rows - 1, geo->machines);
    for (int m = 0; m < geo->machines; m++)
        printf(m + 1 < geo->machines ? " m%-3d" : " m%d", m);
    printf("\n");
    for (int64_t b = 0; b < rows; b++) {
        int64_t blk;
        int64_t inst = aml_instance_of(geo, b, &blk);
        char row[16 * TABLE_MAX_MACHINES + 64], where[48];
        snprintf(where, sizeof where, "%lld.%lld", (long long)inst, (long long)blk);
        int k = snprintf(row, sizeof row, "%-7lld %-10s", (long long)b, where);
        for (int m = 0; m < geo->machines && k > 0 && (size_t)k < sizeof row; m++) {
            int idx, j = aml_position(geo, b, m);
            aml_role r = aml_role_of_pid(geo, j, &idx);
            if (j < 0)
                k += snprintf(row + k, sizeof row - (size_t)k, " %-4s", "-");
            else
                k += snprintf(row + k, sizeof row - (size_t)k, " %c%-3d", aml_role_letter(r), idx);
        }
        size_t len = strlen(row);
        while (len && row[len - 1] == ' ')
            row[--len] = 0; /* no trailing blanks: the table is pasted into docs */
        printf("%s\n", row);
    }
}

/* Two machines on one host are legal (a test on loopback), but outside
 * loopback they are one failure domain: a stripe may lose two roles at once. */
static void warn_shared_hosts(const amc_cluster *c)
{
    for (int m = 0; m < c->geo.machines; m++) {
        const char *h = c->machine[m].host;
        if (hoc_peers_is_loopback(h)) continue;
        for (int k = 0; k < m; k++)
            if (strcmp(c->machine[k].host, h) == 0) {
                printf("warning: machines %d and %d are both on host %s: one host failure takes "
                       "both, so a stripe may lose two roles at once (lines %d and %d)\n",
                       k, m, h, c->machine[k].line, c->machine[m].line);
                break;
            }
    }
}

static void print_cluster(const char *path, const amc_cluster *c)
{
    const aml_geom *geo = &c->geo;
    char blk[32], data[32], parity[32];
    double bytes = (double)geo->stripes * (double)c->block;
    human_bytes((double)c->block, blk, sizeof blk);
    human_bytes(bytes * geo->g, data, sizeof data);
    human_bytes(bytes * geo->f, parity, sizeof parity);
    printf("%s: ok\n", path);
    printf("stripes: g = %d data + f = %d parity + %d witnesses on %d machines; survives any %d "
           "machine failure%s\n",
           geo->g, geo->f, geo->w, geo->machines, geo->f, geo->f == 1 ? "" : "s");
    printf("blocks: %lld stripes of %s (%lld bytes): %s of data, %s of parity\n",
           (long long)geo->stripes, blk, (long long)c->block, data, parity);
    printf("storage overhead: f/g = %d/%d = %.3g\n", geo->f, geo->g, (double)geo->f / geo->g);
    printf("instances: %lld (%d rotation classes x %lld), each %lld blocks a shard%s; "
           "amalgam.ho n = %d (g + f + witnesses + reconf)\n",
           (long long)aml_instances(geo), geo->machines,
           (long long)(aml_instances(geo) / geo->machines), (long long)geo->per_inst,
           c->per_inst_default ? " (default: one instance a rotation class)" : "",
           aml_width(geo) + 1);
    printf("reconfiguration service: %d replica%s (tolerates %d failure%s)\n", c->nreconf,
           c->nreconf == 1 ? "" : "s", c->nreconf / 2, c->nreconf / 2 == 1 ? "" : "s");
    printf("failure detector: suspect after %d ms without a heartbeat (sent every %d ms)\n",
           c->suspect_ms, amr_heartbeat_ms(c->suspect_ms));
    printf("secret: %s\n", c->secret[0] ? c->secret : "none (every host is loopback)");
    warn_shared_hosts(c);
    print_machines(c);
    print_layout(geo);
}

/* What machine m's servers play: for each rotation class t (the instances i
 * with i mod M = t), the pid of each of its servers that has a part there. */
static void print_machine_roles(const amc_cluster *c, int m)
{
    static const aml_role roles[] = {AML_DATA, AML_PARITY, AML_WITNESS};
    static const char *const names[] = {"data", "parity", "witness"};
    const aml_geom *geo = &c->geo;
    const amc_machine *x = &c->machine[m];
    const int ports[] = {x->data, x->parity, x->witness};
    printf("\nmachine %d (%s): class t is the instances i with i mod %d = t (%lld each)\n", m,
           x->host, geo->machines, (long long)(aml_instances(geo) / geo->machines));
    for (int k = 0; k < 3; k++) {
        if (roles[k] == AML_WITNESS && geo->w == 0) continue;
        printf("  %s server (port %d):", names[k], ports[k]);
        const char *sep = " ";
        for (int t = 0; t < geo->machines; t++) {
            int idx, p = aml_server_pid(geo, m, roles[k], t);
            if (p < 0) continue;
            aml_role_of_pid(geo, p, &idx);
            printf("%sclass %d pid %d (%c%d)", sep, t, p, aml_role_letter(roles[k]), idx);
            sep = ", ";
        }
        printf("\n");
    }
}

/* Whether `amalgam serve` can run the file (its port ranges, a build of its
 * block size): a note, not an error, since the file itself is valid. */
static void print_servable(const char *path, const amc_cluster *c)
{
    char why[1024];
    const amv_variant *v = NULL;
    if (amc_check_class_ports(c, path, why, sizeof why) == 0 &&
        (v = amv_for(c, path, why, sizeof why)))
        printf("\nserve: ok (amalgam.ho built with block %lld B, %lld a shard per instance)\n",
               (long long)v->block, (long long)v->per_inst);
    else
        printf("\nserve: amalgam serve cannot run this file: %s\n", why);
}

static int cmd_check_cluster(int argc, char **argv)
{
    bool help = false;
    long long machine = -1;
    const hoc_opt t[] = {{"--machine", HOC_OPT_INT, &machine, 0, AMC_MAX_MACHINES - 1, .arg = "M",
                          .help = "also print the pid machine M's servers play in each instance"},
                         {"--help", HOC_OPT_SET, &help, .help = "this text"},
                         {NULL}};
    const char *pos[1];
    int npos = 0;
    char err[1024] = "";
    if (hoc_opt_parse(t, argc, argv, pos, 1, &npos, err, sizeof err) == 0 && !help && npos != 1)
        snprintf(err, sizeof err, "expected one cluster file");
    if (help || err[0]) {
        if (err[0]) fprintf(stderr, "amalgam check-cluster: %s\n", err);
        fprintf(help ? stdout : stderr,
                "usage: amalgam check-cluster FILE [--machine M]\n"
                "Parses FILE (docs/deploy.md, \"The cluster file\") and prints the layout.\n");
        if (help) hoc_opt_print(stdout, t, 2);
        return help ? 0 : EXIT_BAD;
    }
    amc_cluster c;
    if (amc_load(pos[0], &c, err, sizeof err)) {
        fprintf(stderr, "amalgam: %s\n", err);
        return EXIT_BAD;
    }
    if (machine >= c.geo.machines) {
        fprintf(stderr, "amalgam check-cluster: --machine %lld: %s has machines 0 to %d\n", machine,
                pos[0], c.geo.machines - 1);
        amc_free(&c);
        return EXIT_BAD;
    }
    print_cluster(pos[0], &c);
    if (machine >= 0) print_machine_roles(&c, (int)machine);
    print_servable(pos[0], &c);
    amc_free(&c);
    return 0;
}

/* ---- mttdl ---- */

typedef struct MttdlArgs {
    const char *system, *mttf, *mttr, *capacity, *recovery, *cluster, *replace;
    long long g, f, machines;
    int64_t cluster_bytes; /* what one machine of --cluster holds: its data and parity blocks */
    double link_gbps, rebuild_mbs;
    bool help;
} MttdlArgs;

static const char MTTDL_USAGE[] =
    "usage: amalgam mttdl --system sharded|amalgam --g G --f F --mttf DURATION\n"
    "                     (--mttr DURATION | --capacity SIZE (--link-gbps G | --rebuild-rate "
    "MB/s))\n"
    "                     [--recovery naive|parallel] [--machines M]\n"
    "       amalgam mttdl --cluster FILE --mttf DURATION (MTTR as above; --capacity optional)\n"
    "Durations take a unit: 90s, 30m, 14h, 2d, 1y (365.25 days). Sizes: 256TB (decimal),\n"
    "256TiB or 256T (binary). docs/deploy.md, \"amalgam mttdl\".\n";

/* The MTTR in hours and how it was found (for the report), or -1 with err. */
static double mttdl_mttr(const MttdlArgs *a, bool amalgam, char *how, size_t howcap, char *err,
                         size_t errcap)
{
    int sources = (a->mttr != NULL) + (a->link_gbps > 0) + (a->rebuild_mbs > 0);
    if (sources != 1) {
        snprintf(err, errcap,
                 "give one of --mttr, --capacity with --link-gbps, or --capacity "
                 "with --rebuild-rate");
        return -1;
    }
    if (a->mttr) {
        double h;
        if (a->capacity || amm_duration(a->mttr, &h)) {
            snprintf(err, errcap,
                     a->capacity ? "--capacity goes with --link-gbps or --rebuild-rate, not --mttr"
                                 : "--mttr takes a duration with a unit (14h, 2d), not '%s'",
                     a->mttr);
            return -1;
        }
        snprintf(how, howcap, "--mttr %s", a->mttr);
        return h;
    }
    int64_t cap = a->cluster_bytes;
    char what[128];
    if (a->capacity || !a->cluster) {
        if (!a->capacity || amc_size(a->capacity, &cap)) {
            snprintf(err, errcap, "--capacity takes a size (256TB, 4TiB), not '%s'",
                     a->capacity ? a->capacity : "(missing)");
            return -1;
        }
        snprintf(what, sizeof what, "%s", a->capacity);
    } else {
        snprintf(what, sizeof what, "%lld bytes (a machine's blocks in %s)", (long long)cap,
                 a->cluster);
    }
    if (a->rebuild_mbs > 0) {
        if (amalgam && a->recovery) {
            snprintf(err, errcap,
                     "--recovery models a rebuild over --link-gbps; a measured "
                     "--rebuild-rate already is the rebuild's speed: drop one");
            return -1;
        }
        double h = (double)cap / (a->rebuild_mbs * 1e6) / 3600;
        snprintf(how, howcap, "%s rebuilt at a measured %g MB/s", what, a->rebuild_mbs);
        return h;
    }
    double h = (double)cap * 8 / (a->link_gbps * 1e9) / 3600;
    snprintf(how, howcap, "%s copied at %g Gbit/s", what, a->link_gbps);
    return h;
}

/* Takes g, f, machines and one machine's bytes from the cluster file. */
static int mttdl_cluster(MttdlArgs *a, char *err, size_t errcap)
{
    if (a->system || a->g || a->f || a->machines) {
        snprintf(err, errcap,
                 "--cluster gives --system amalgam, --g, --f and --machines: drop them");
        return -1;
    }
    amc_cluster c;
    if (amc_load(a->cluster, &c, err, errcap)) return -1;
    a->system = "amalgam";
    a->g = c.geo.g, a->f = c.geo.f, a->machines = c.geo.machines;
    /* every machine holds as many blocks (stripes is a multiple of M) */
    a->cluster_bytes = (aml_load(&c.geo, 0, AML_DATA) + aml_load(&c.geo, 0, AML_PARITY)) * c.block;
    amc_free(&c);
    return 0;
}

static int mttdl_args(MttdlArgs *a, int argc, char **argv, char *err, size_t errcap)
{
    const hoc_opt t[] = {
        {"--system", HOC_OPT_STR, &a->system, .arg = "S",
         .help = "sharded (G groups of 2F+1 replicas) or amalgam (G data + F parity a stripe)"},
        {"--g", HOC_OPT_INT, &a->g, 1, 100000, .arg = "G",
         .help = "sharded: Paxos groups; amalgam: data servers a stripe"},
        {"--f", HOC_OPT_INT, &a->f, 1, 1000, .arg = "F", .help = "failures a group tolerates"},
        {"--mttf", HOC_OPT_STR, &a->mttf, .arg = "DURATION",
         .help = "mean time to failure of one server (e.g. 1y)"},
        {"--mttr", HOC_OPT_STR, &a->mttr, .arg = "DURATION",
         .help = "mean time to replace and recover one server's data by copying it"},
        {"--capacity", HOC_OPT_STR, &a->capacity, .arg = "SIZE",
         .help = "data one server holds (with --link-gbps or --rebuild-rate)"},
        {"--link-gbps", HOC_OPT_REAL, &a->link_gbps, .lo = 1e-9, .hi = 1e9, .arg = "G",
         .help = "MTTR = capacity / G Gbit/s (the thesis' model)"},
        {"--rebuild-rate", HOC_OPT_REAL, &a->rebuild_mbs, .lo = 1e-9, .hi = 1e12, .arg = "MB/s",
         .help = "MTTR = capacity / a measured rebuild rate (10^6 bytes/s)"},
        {"--recovery", HOC_OPT_STR, &a->recovery, .arg = "R",
         .help = "amalgam: naive (default; reads g servers' data, g x the MTTR) or parallel"},
        {"--machines", HOC_OPT_INT, &a->machines, 1, AMC_MAX_MACHINES, .arg = "M",
         .help = "amalgam: machines the stripes rotate over (default G + F: full width)"},
        {"--replace-time", HOC_OPT_STR, &a->replace, .arg = "DURATION",
         .help = "added to an MTTR from --link-gbps or --rebuild-rate: detection and replacement"},
        {"--cluster", HOC_OPT_STR, &a->cluster, .arg = "FILE",
         .help = "amalgam with g, f and machines of a cluster file; capacity: a machine's blocks"},
        {"--help", HOC_OPT_SET, &a->help, .help = "this text"},
        {NULL},
    };
    int npos;
    if (hoc_opt_parse(t, argc, argv, NULL, 0, &npos, err, errcap)) return -1;
    if (a->help) {
        printf("%s\noptions:\n", MTTDL_USAGE);
        hoc_opt_print(stdout, t, 2);
        return 0;
    }
    if (a->cluster && mttdl_cluster(a, err, errcap)) return -1;
    if (a->replace && a->mttr) {
        snprintf(err, errcap, "--replace-time adds to a rebuild's time; --mttr is the whole MTTR");
        return -1;
    }
    if (!a->system || !a->g || !a->f || !a->mttf) {
        snprintf(err, errcap, "--system, --g, --f and --mttf are required");
        return -1;
    }
    return 0;
}

/* The years of 10^l hours, printed the way the thesis rounds (about 1,300). */
static void print_years(double l)
{
    double years = l - log10(AMM_HOURS_PER_YEAR);
    if (years > 15)
        printf("MTTDL: 10^%.2f years\n", years);
    else if (pow(10, years) >= 1000)
        printf("MTTDL: %.0f years (%.3g hours)\n", pow(10, years), pow(10, l));
    else
        printf("MTTDL: %.3g years (%.3g hours)\n", pow(10, years), pow(10, l));
}

static int mttdl_run(const MttdlArgs *a, char *err, size_t errcap)
{
    bool amalgam = strcmp(a->system, "amalgam") == 0;
    if (!amalgam && strcmp(a->system, "sharded") != 0) {
        snprintf(err, errcap, "--system takes sharded or amalgam, not '%s'", a->system);
        return -1;
    }
    if (!amalgam && (a->recovery || a->machines)) {
        snprintf(err, errcap, "--recovery and --machines are for --system amalgam");
        return -1;
    }
    bool naive = !a->recovery || strcmp(a->recovery, "naive") == 0;
    if (a->recovery && !naive && strcmp(a->recovery, "parallel") != 0) {
        snprintf(err, errcap, "--recovery takes naive or parallel, not '%s'", a->recovery);
        return -1;
    }
    double mttf;
    if (amm_duration(a->mttf, &mttf)) {
        snprintf(err, errcap, "--mttf takes a duration with a unit (1y, 8766h), not '%s'", a->mttf);
        return -1;
    }
    char how[256];
    double mttr = mttdl_mttr(a, amalgam, how, sizeof how, err, errcap), replace = 0;
    if (mttr < 0) return -1;
    if (a->replace && amm_duration(a->replace, &replace)) {
        snprintf(err, errcap, "--replace-time takes a duration with a unit (30m, 4h), not '%s'",
                 a->replace);
        return -1;
    }
    int f = (int)a->f, n = amalgam ? (int)a->g + f : 2 * f + 1;
    long long M = a->machines ? a->machines : n;
    if (amalgam && M < n) {
        snprintf(err, errcap, "--machines %lld is fewer than g + f = %d", M, n);
        return -1;
    }
    /* Amalgam at full width is one group (thesis line 596); rotated over more
     * machines, its M overlapping windows of g + f are counted as separate
     * groups (a union bound: the MTTDL printed is a lower bound). */
    double groups = !amalgam ? (double)a->g : M == n ? 1 : (double)M;
    bool scaled = amalgam && naive && a->rebuild_mbs <= 0; /* a measured rate is the rebuild */
    if (scaled) mttr *= (double)a->g; /* line 610: a naive rebuild reads g times the data */
    mttr += replace;
    if (amalgam)
        printf("Amalgam: g = %lld data + f = %d parity a stripe on %lld machines (%s); "
               "storage overhead f/g = %.3g\n",
               a->g, f, M, M == n ? "full width: 1 group" : "rotated: M windows of g + f",
               (double)f / (double)a->g);
    else
        printf("ShardedPaxos: %lld groups of 2f + 1 = %d replicas; storage overhead %d (f + 1 "
               "replicas hold the data)\n",
               a->g, n, f);
    printf("MTTR: %.4g hours (%s%s%s%s)\n", mttr, how,
           scaled ? "; naive recovery reads g servers' data: x g" : "",
           a->replace ? "; + replacement " : "", a->replace ? a->replace : "");
    printf("MTTF: %.6g hours (%s)\n", mttf, a->mttf);
    double l = amm_mttdl_log10(mttf, mttr, groups, n, f);
    if (isnan(l)) {
        snprintf(err, errcap, "the inputs are outside the formula (need f < n)");
        return -1;
    }
    print_years(l);
    if (l - log10(mttr) < 2)
        printf("note: the approximation needs MTTDL >> MTTR (thesis section 3.5); here "
               "MTTDL/MTTR = %.3g, so the figure is not reliable\n",
               pow(10, l - log10(mttr)));
    return 0;
}

static int cmd_mttdl(int argc, char **argv)
{
    MttdlArgs a = {0};
    char err[512] = "";
    if (mttdl_args(&a, argc, argv, err, sizeof err) == 0 && a.help) return 0;
    if (err[0] || mttdl_run(&a, err, sizeof err)) {
        fprintf(stderr, "amalgam mttdl: %s\n%s", err, MTTDL_USAGE);
        return EXIT_BAD;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_BAD;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < NCMDS; i++)
        if (strcmp(argv[1], CMDS[i].name) == 0) return CMDS[i].run(argc - 2, argv + 2);
    fprintf(stderr, "amalgam: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_BAD;
}
