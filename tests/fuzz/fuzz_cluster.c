/* fuzz_cluster.c: the Amalgam cluster file parser (services/amalgam/amcluster.c).
 *
 * The input is the text of a cluster file (a NUL ends it early, as the C
 * string amc_parse takes). Whatever it holds, the parser must answer 0 or
 * -1 without crashing, with a NUL-terminated message naming the file on -1;
 * on 0 the cluster must be what docs/deploy.md promises (ranges, a machine
 * per id, g + f + witnesses <= machines, stripes filling every instance, an
 * odd reconfiguration group, no two servers at one address), the layout of
 * its first stripes must give no machine two roles, and writing it back
 * out as a cluster file must parse to the same cluster. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amcluster.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static bool port_ok(int p, bool optional)
{
    return (optional && p == 0) || (p >= 1 && p <= 65535);
}

static void check_cluster(const amc_cluster *c)
{
    const aml_geom *geo = &c->geo;
    char err[128];
    if (aml_check(geo, err, sizeof err) != 0 || geo->machines > AMC_MAX_MACHINES) abort();
    if (c->block < AMC_MIN_BLOCK || c->block > AMC_MAX_BLOCK || c->block % 64) abort();
    if (geo->stripes % ((int64_t)geo->machines * geo->per_inst) != 0) abort();
    if (c->nreconf < 1 || c->nreconf > AMC_MAX_RECONF || c->nreconf % 2 == 0) abort();
    if (c->suspect_ms < 10 || c->suspect_ms > 600000) abort();
    for (int i = 0; i < geo->machines; i++) {
        const amc_machine *m = &c->machine[i];
        if (m->id != i || !m->host[0] || !port_ok(m->data, false) || !port_ok(m->parity, false) ||
            !port_ok(m->client, false) || !port_ok(m->witness, geo->w == 0) ||
            !port_ok(m->metrics, true))
            abort();
    }
    for (int i = 0; i < c->nreconf; i++)
        if (c->reconf[i].id != i || !c->reconf[i].host[0] || !port_ok(c->reconf[i].port, false))
            abort();
    /* one rotation: every position of a stripe on its own machine */
    int64_t rows = geo->stripes < geo->machines ? geo->stripes : geo->machines;
    for (int64_t b = 0; b < rows && b < 64; b++) {
        uint64_t seen[AMC_MAX_MACHINES / 64] = {0};
        for (int j = 0; j < aml_width(geo); j++) {
            int m = aml_machine(geo, b, j);
            if (m < 0 || (seen[m / 64] >> (m % 64)) & 1) abort();
            seen[m / 64] |= (uint64_t)1 << (m % 64);
        }
    }
}

static void host_out(char *out, size_t cap, const char *host)
{
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, cap, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
}

/* Writes c as a cluster file (machines backwards, explicit ports) and parses it again. */
static void round_trip(const amc_cluster *c)
{
    size_t cap = (size_t)(c->geo.machines + c->nreconf + 16) * 400 + 2 * AMC_PATH_MAX;
    char *text = malloc(cap), host[AMC_HOST_MAX + 2];
    if (!text) return;
    const aml_geom *geo = &c->geo;
    size_t len = (size_t)snprintf(
        text, cap,
        "g %d\nf %d\nwitnesses %d\nblock %lld\nstripes %lld\nblocks-per-instance %lld\n"
        "suspect-ms %d\n",
        geo->g, geo->f, geo->w, (long long)c->block, (long long)geo->stripes,
        (long long)geo->per_inst, c->suspect_ms);
    if (c->secret[0]) len += (size_t)snprintf(text + len, cap - len, "secret %s\n", c->secret);
    for (int i = geo->machines - 1; i >= 0; i--) {
        const amc_machine *m = &c->machine[i];
        host_out(host, sizeof host, m->host);
        len += (size_t)snprintf(text + len, cap - len, "machine %d %s data=%d parity=%d client=%d",
                                i, host, m->data, m->parity, m->client);
        if (m->witness) len += (size_t)snprintf(text + len, cap - len, " witness=%d", m->witness);
        if (m->metrics) len += (size_t)snprintf(text + len, cap - len, " metrics=%d", m->metrics);
        len += (size_t)snprintf(text + len, cap - len, " # again\n");
    }
    for (int i = 0; i < c->nreconf; i++) {
        host_out(host, sizeof host, c->reconf[i].host);
        len += (size_t)snprintf(text + len, cap - len, "reconf %d %s:%d\n", i, host,
                                c->reconf[i].port);
    }
    amc_cluster again;
    char err[512];
    if (len >= cap || amc_parse(text, "again", &again, err, sizeof err) != 0) {
        fprintf(stderr, "a parsed cluster does not parse again: %s\n%s", err, text);
        abort();
    }
    bool same = memcmp(&again.geo, &c->geo, sizeof c->geo) == 0 && again.block == c->block &&
                again.suspect_ms == c->suspect_ms && again.nreconf == c->nreconf &&
                strcmp(again.secret, c->secret) == 0;
    for (int i = 0; same && i < geo->machines; i++) {
        const amc_machine *a = &again.machine[i], *b = &c->machine[i];
        same = strcmp(a->host, b->host) == 0 && a->data == b->data && a->parity == b->parity &&
               a->witness == b->witness && a->client == b->client && a->metrics == b->metrics;
    }
    for (int i = 0; same && i < c->nreconf; i++)
        same = strcmp(again.reconf[i].host, c->reconf[i].host) == 0 &&
               again.reconf[i].port == c->reconf[i].port;
    if (!same) abort();
    amc_free(&again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    amc_cluster c;
    char err[300];
    memset(err, 'x', sizeof err);
    int rc = amc_parse(text, "fuzz", &c, err, sizeof err);
    if (rc == 0) {
        check_cluster(&c);
        round_trip(&c);
        amc_free(&c);
    } else if (rc != -1 || !memchr(err, 0, sizeof err) || strncmp(err, "fuzz", 4) != 0) {
        abort();
    }
    free(text);
    return 0;
}
