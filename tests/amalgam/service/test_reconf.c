/* The reconfiguration service's failure detector and replacement account
 * (services/amalgam/amreconf.h), with times passed in: heartbeats encoded
 * and refused, suspicion exactly at suspect-ms and not before, cleared by
 * a heartbeat, a machine never heard, and a whole replacement counted only
 * once every instance replaced the machine's server (a superseded one does
 * not count); and the decisions on disk (amrstore.h): read back after a
 * reopen, the previous one after a torn write, another cluster refused;
 * and amop refusing a build of amalgam.ho whose durable variables are not
 * the decision fields the store keeps (the model and the disk would then
 * disagree on what a restarted service resumes from). */
#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amop.h"
#include "amreconf.h"
#include "amrstore.h"
#include "amvariant.h"

static int failures;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #c);                           \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void heartbeats(void)
{
    uint8_t hb[AMR_HB_LEN];
    int m;
    uint64_t inc;
    int64_t deg;
    amr_hb_encode(hb, 1000, 0x0123456789abcdefull, 7);
    CHECK(amr_hb_decode(hb, sizeof hb, &m, &inc, &deg) == 0 && m == 1000 &&
          inc == 0x0123456789abcdefull && deg == 7);
    CHECK(amr_hb_decode(hb, sizeof hb - 1, &m, &inc, &deg) == -1); /* truncated */
    /* an old machine's heartbeat (no count): heard, its count read as 0 */
    CHECK(amr_hb_decode(hb, AMR_HB_LEN_V1, &m, &inc, &deg) == 0 && m == 1000 && deg == 0);
    CHECK(amr_hb_decode(hb, AMR_HB_LEN_V1 + 1, &m, &inc, &deg) == -1);
    hb[0] = 'X';
    CHECK(amr_hb_decode(hb, sizeof hb, &m, &inc, &deg) == -1); /* another frame */
    amr_hb_encode(hb, -1, 1, 0);                               /* a machine id past INT32_MAX */
    CHECK(amr_hb_decode(hb, sizeof hb, &m, &inc, &deg) == -1);
    CHECK(amr_heartbeat_ms(1500) == 300 && amr_heartbeat_ms(10) == 10 &&
          amr_heartbeat_ms(600000) == 1000);
}

static void suspicion(const aml_geom *geo)
{
    amr_detector d;
    hoc_logger lg = {.max = HOC_LOG_ERROR};
    CHECK(amr_init(&d, geo, 1000, 10, 0, lg) == 0);
    for (int m = 0; m < geo->machines; m++)
        amr_heard(&d, m, 7, 0, 100, 100);
    amr_tick(&d, 1099, 1099);
    CHECK(d.suspicions == 0);
    amr_heard(&d, 0, 7, 0, 1099, 1099); /* machine 0 goes on, the others are silent */
    amr_tick(&d, 1100, 1100);           /* exactly suspect-ms after their last heartbeat */
    CHECK(!d.m[0].suspected && d.m[1].suspected && d.m[4].suspected && d.suspicions == 4);
    CHECK(d.m[1].suspected_wall == 1100);
    amr_tick(&d, 1500, 1500); /* once each */
    CHECK(d.suspicions == 4 && d.m[1].suspicions == 1);
    amr_heard(&d, 1, 8, 0, 1600, 1600); /* a new incarnation: cleared */
    CHECK(!d.m[1].suspected && d.m[1].incarnation == 8 && d.m[2].suspected);
    amr_heard(&d, 0, 7, 0, 2000, 2000);
    amr_tick(&d, 2599, 2599);
    CHECK(!d.m[1].suspected);
    amr_tick(&d, 2600, 2600); /* silent again: a second suspicion */
    CHECK(d.m[1].suspected && d.m[1].suspicions == 2);
    struct evbuffer *b = evbuffer_new();
    amr_render(&d, b, 3000);
    char page[8192] = "";
    evbuffer_remove(b, page, sizeof page - 1);
    CHECK(strstr(page, "hoc_amalgam_reconf_suspected{machine=\"1\"} 1\n") &&
          strstr(page, "hoc_amalgam_reconf_suspected{machine=\"0\"} 0\n") &&
          strstr(page, "hoc_amalgam_reconf_silent_ms{machine=\"1\"} 1400\n") &&
          strstr(page, "hoc_amalgam_reconf_suspicions_total 5\n") &&
          strstr(page, "hoc_amalgam_reconf_heard_at_ms{machine=\"1\"} 1600\n") &&
          strstr(page, "hoc_amalgam_reconf_replacing 0\n"));
    evbuffer_free(b);
    amr_free(&d);
    /* a machine never heard is suspected suspect-ms after the replica started */
    CHECK(amr_init(&d, geo, 1000, 10, 5000, lg) == 0);
    amr_tick(&d, 5999, 5999);
    CHECK(d.suspicions == 0);
    amr_tick(&d, 6000, 6000);
    CHECK(d.suspicions == (uint64_t)geo->machines);
    amr_free(&d);
}

/* A suspicion's replacements wait while f other machines of the instance
 * are silent or rebuild (their heartbeats say so): a live machine
 * suspected then would leave a stripe more than f short. */
static void holds(const aml_geom *geo)
{
    amr_detector d;
    hoc_logger lg = {.max = HOC_LOG_ERROR};
    CHECK(amr_init(&d, geo, 1000, 10, 0, lg) == 0);
    amr_tick(&d, 1000, 1000); /* none heard: all suspected */
    for (int m = 0; m < geo->machines; m++)
        if (m != 1) amr_heard(&d, m, 7, m == 4 ? 12 : 0, 1000, 1000);
    /* f = 2: machine 1 suspected, one other machine rebuilding (4): not held */
    CHECK(d.m[1].suspected && !amr_hold(&d, 0, 1) && d.held == 0);
    amr_heard(&d, 3, 7, 1, 1300, 1300);
    CHECK(amr_hold(&d, 0, 1) && amr_hold(&d, 1, 1) && d.held == 1); /* logged once */
    amr_heard(&d, 4, 7, 0, 1400, 1400);                             /* 4 whole again */
    CHECK(!amr_hold(&d, 0, 1));
    amr_free(&d);
    aml_geom one = *geo;
    one.f = 1, one.w = 1;
    CHECK(amr_init(&d, &one, 1000, 10, 0, lg) == 0);
    amr_tick(&d, 1000, 1000);
    for (int m = 0; m < one.machines; m++)
        if (m != 0) amr_heard(&d, m, 7, m == 4 ? 12 : 0, 1000, 1000);
    CHECK(amr_hold(&d, 0, 0) && d.held == 1); /* f = 1: machine 4 rebuilding */
    amr_heard(&d, 4, 7, 0, 1100, 1100);
    CHECK(!amr_hold(&d, 0, 0));
    for (int m = 1; m < 4; m++)
        amr_heard(&d, m, 7, 0, 2150, 2150);
    amr_tick(&d, 2200, 2200); /* 4 silent: suspected, and so a restart may be on its way */
    CHECK(d.m[4].suspected && amr_hold(&d, 0, 0));
    amr_free(&d);
}

/* One replacement of pid `who` of instance i through Stop, Install and Go to Idle. */
static void replace(amr_detector *d, int64_t i, int who, int64_t ep, int64_t t)
{
    amr_observe(d, i, AMOP_STOP, who, ep, t);
    amr_observe(d, i, AMOP_INSTALL, who, ep, t + 1);
    amr_observe(d, i, AMOP_GO, who, ep, t + 2);
    amr_observe(d, i, AMOP_IDLE, -1, 0, t + 3);
}

static void replacements(const aml_geom *geo)
{
    amr_detector d;
    hoc_logger lg = {.max = HOC_LOG_ERROR};
    int64_t ninst = aml_instances(geo);
    CHECK(amr_init(&d, geo, 1000, ninst, 0, lg) == 0);
    int m = 2;
    CHECK(d.m[m].plays == ninst); /* k = M: a machine plays a pid in every instance */
    for (int64_t i = 0; i + 1 < ninst; i++)
        replace(&d, i,
                aml_server_pid(geo, m, AML_DATA, i) >= 0 ? aml_server_pid(geo, m, AML_DATA, i)
                                                         : aml_server_pid(geo, m, AML_PARITY, i),
                1, 100 + 10 * i);
    CHECK(d.replacements == (uint64_t)ninst - 1 && d.m[m].replaced_wall == 0);
    /* the last instance: a replacement superseded by a newer epoch counts once */
    int64_t last = ninst - 1;
    int who = aml_server_pid(geo, m, AML_DATA, last) >= 0
                  ? aml_server_pid(geo, m, AML_DATA, last)
                  : aml_server_pid(geo, m, AML_PARITY, last);
    amr_observe(&d, last, AMOP_STOP, who, 1, 500);
    CHECK(d.m[m].replacing == 1);
    amr_observe(&d, last, AMOP_STOP, who, 2, 510);
    CHECK(d.m[m].replacing == 1 && d.replacements == (uint64_t)ninst - 1);
    amr_observe(&d, last, AMOP_INSTALL, who, 2, 520);
    amr_observe(&d, last, AMOP_GO, who, 2, 530);
    amr_observe(&d, last, AMOP_IDLE, -1, 0, 540);
    CHECK(d.replacements == (uint64_t)ninst && d.m[m].replacements == (uint64_t)ninst);
    CHECK(d.m[m].replaced_wall == 540 && d.m[m].replacing == 0);
    /* the next whole replacement starts counting again */
    replace(&d, 0,
            aml_server_pid(geo, m, AML_DATA, 0) >= 0 ? aml_server_pid(geo, m, AML_DATA, 0)
                                                     : aml_server_pid(geo, m, AML_PARITY, 0),
            2, 1000);
    CHECK(d.m[m].round_done == 1 && d.m[m].replaced_wall == 540);
    /* another machine's replacement is not this one's */
    CHECK(d.m[0].replacements == 0);
    amr_free(&d);
}

static void store(void)
{
    char dir[] = "/tmp/amalgam-reconf-XXXXXX", err[512];
    CHECK(mkdtemp(dir) != NULL);
    ars_store st;
    uint8_t a[100], b[100], got[100];
    memset(a, 0xa1, sizeof a), memset(b, 0xb2, sizeof b);
    CHECK(ars_open(&st, dir, 42, 0, 3, sizeof a, err, sizeof err) == 0);
    CHECK(!ars_get(&st, 1, got));
    CHECK(ars_put(&st, 1, a) == 0 && ars_sync(&st) == 0);
    CHECK(ars_put(&st, 1, b) == 0 && ars_sync(&st) == 0);
    CHECK(ars_get(&st, 1, got) && memcmp(got, b, sizeof b) == 0);
    char path[sizeof st.path];
    memcpy(path, st.path, sizeof path);
    ars_close(&st);
    CHECK(ars_open(&st, dir, 42, 0, 3, sizeof a, err, sizeof err) == 0);
    CHECK(ars_get(&st, 1, got) && memcmp(got, b, sizeof b) == 0 && !ars_get(&st, 0, got));
    ars_close(&st);
    /* the newest record torn (its slot is 2 % 2 = 0 of instance 1): the one before */
    int fd = open(path, O_WRONLY);
    off_t slot0 = 32 + 2 * (16 + (off_t)sizeof a);
    CHECK(fd >= 0 && pwrite(fd, "torn", 4, slot0 + 16 + 50) == 4);
    close(fd);
    CHECK(ars_open(&st, dir, 42, 0, 3, sizeof a, err, sizeof err) == 0);
    CHECK(ars_get(&st, 1, got) && memcmp(got, a, sizeof a) == 0);
    ars_close(&st);
    /* another build (record size) or instance count in the same file: refused, naming it */
    CHECK(ars_open(&st, dir, 42, 0, 3, 99, err, sizeof err) == -1 && strstr(err, path) &&
          strstr(err, "another cluster"));
    CHECK(ars_open(&st, dir, 42, 0, 4, sizeof a, err, sizeof err) == -1);
    /* another cluster has a file of its own: no decisions */
    CHECK(ars_open(&st, dir, 43, 0, 3, sizeof a, err, sizeof err) == 0 && !ars_get(&st, 1, got));
    unlink(st.path);
    ars_close(&st);
    unlink(path);
    rmdir(dir);
}

/* The build with field `name`'s durable flag set to `durable`: 0 or -1 from amop. */
static int model_with(const amv_variant *v, const aml_geom *geo, const char *name, bool durable,
                      char *err, size_t errn)
{
    const hoc_algo *a = v->algo;
    hoc_field *fields = malloc((size_t)a->nfields * sizeof *fields);
    memcpy(fields, a->fields, (size_t)a->nfields * sizeof *fields);
    for (int i = 0; i < a->nfields; i++)
        if (strcmp(fields[i].name, name) == 0) fields[i].durable = durable;
    hoc_algo b = *a;
    b.fields = fields;
    amop_model m;
    int rc = amop_model_init(&m, &b, v->block, v->per_inst, geo, err, errn);
    free(fields);
    return rc;
}

static void durable_decisions(void)
{
    const amv_variant *v = &amv_table[0];
    aml_geom geo = {.g = 2, .f = 1, .w = 1, .machines = 4, .stripes = 4, .per_inst = v->per_inst};
    char err[1024] = "";
    amop_model m;
    CHECK(amop_model_init(&m, v->algo, v->block, v->per_inst, &geo, err, sizeof err) == 0);
    CHECK(model_with(v, &geo, "top", true, err, sizeof err) == 0); /* as built */
    CHECK(model_with(v, &geo, "top", false, err, sizeof err) == -1 &&
          strstr(err, "durable exactly"));
    err[0] = 0;
    CHECK(model_with(v, &geo, "resp", true, err, sizeof err) == -1 &&
          strstr(err, "durable exactly"));
}

int main(void)
{
    aml_geom geo = {.g = 3, .f = 2, .w = 0, .machines = 5, .stripes = 10, .per_inst = 1};
    heartbeats();
    suspicion(&geo);
    holds(&geo);
    replacements(&geo);
    store();
    durable_decisions();
    if (failures) return 1;
    printf("amalgam-reconf: ok\n");
    return 0;
}
