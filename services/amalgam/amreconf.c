/* amreconf.c: the failure detector and the replacement account of the
 * reconfiguration service (amreconf.h). */
#include "amreconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoc_rt.h"
#include "metrics.h"

static const char *const MODES[AMOP_NASKS] = {"Idle", "Stop", "Install", "Go", "Consent", "Admit"};

int amr_heartbeat_ms(int suspect_ms)
{
    int h = suspect_ms / 5;
    return h < 10 ? 10 : h > 1000 ? 1000 : h;
}

void amr_hb_encode(uint8_t *out, int machine, uint64_t incarnation, int64_t degraded)
{
    memcpy(out, "AMHB", 4);
    hoc_put_u32(out + 4, (uint32_t)machine);
    hoc_put_u64(out + 8, incarnation);
    hoc_put_u64(out + 16, (uint64_t)(degraded > 0 ? degraded : 0));
}

int amr_hb_decode(const uint8_t *p, size_t len, int *machine, uint64_t *incarnation,
                  int64_t *degraded)
{
    /* a heartbeat of before the count (16 bytes) says nothing of it: a
     * reconfiguration service upgraded first still hears old machines */
    if ((len != AMR_HB_LEN && len != AMR_HB_LEN_V1) || memcmp(p, "AMHB", 4) != 0) return -1;
    uint32_t m = hoc_get_u32(p + 4);
    uint64_t d = len == AMR_HB_LEN ? hoc_get_u64(p + 16) : 0;
    if (m > INT32_MAX || d > INT64_MAX) return -1;
    *machine = (int)m;
    *incarnation = hoc_get_u64(p + 8);
    *degraded = (int64_t)d;
    return 0;
}

void amr_term_encode(uint8_t *out, uint64_t term)
{
    memcpy(out, "AMTM", 4);
    hoc_put_u64(out + 4, term);
}

int amr_term_decode(const uint8_t *p, size_t len, uint64_t *term)
{
    if (len != AMR_TERM_LEN || memcmp(p, "AMTM", 4) != 0) return -1;
    *term = hoc_get_u64(p + 4);
    return 0;
}

int amr_init(amr_detector *d, const aml_geom *geo, int suspect_ms, int64_t ninst, int64_t now_ms,
             hoc_logger log)
{
    *d = (amr_detector){
        .geo = geo, .suspect_ms = suspect_ms, .start_ms = now_ms, .ninst = ninst, .log = log};
    d->m = calloc((size_t)geo->machines, sizeof *d->m);
    d->track = calloc((size_t)ninst, sizeof *d->track);
    if (!d->m || !d->track) {
        amr_free(d);
        return -1;
    }
    for (int i = 0; i < geo->machines; i++) {
        d->m[i].heard_ms = -1;
        for (int64_t k = 0; k < ninst; k++)
            for (aml_role r = AML_DATA; r <= AML_WITNESS; r++)
                d->m[i].plays += aml_server_pid(geo, i, r, k) >= 0;
    }
    for (int64_t i = 0; i < ninst; i++)
        d->track[i] = (amr_track){.mode = AMOP_IDLE, .who = -1};
    return 0;
}

void amr_free(amr_detector *d)
{
    free(d->m);
    free(d->track);
    d->m = NULL;
    d->track = NULL;
}

void amr_heard(amr_detector *d, int m, uint64_t incarnation, int64_t degraded, int64_t now_ms,
               int64_t wall_ms)
{
    amr_machine *x = &d->m[m];
    if (x->suspected)
        /* a new incarnation lost its state and rejoins as amalgam.ho's
         * replacement; the same one was only slow (or cut off) and kept it */
        hoc_log(&d->log, HOC_LOG_WARN, "machine %d heard again %lld ms after its suspicion (%s)", m,
                (long long)(wall_ms - x->suspected_wall),
                incarnation != x->incarnation ? "restarted: its servers rejoin as replacements"
                                              : "the same process: it was only slow");
    else if (x->heard_ms >= 0 && incarnation != x->incarnation)
        hoc_log(&d->log, HOC_LOG_WARN,
                "machine %d restarted within %d ms (a new process): its servers rejoin as "
                "replacements",
                m, d->suspect_ms);
    x->suspected = false;
    x->heard_ms = now_ms;
    x->heard_wall = wall_ms;
    x->incarnation = incarnation;
    x->degraded = degraded;
}

bool amr_hold(amr_detector *d, int64_t inst, int q)
{
    /* a false suspicion (a machine slow under load) is a failure the stripe
     * cannot afford then: with f = 1 the suspected parity server forgets its
     * rows at the Admit while a restarted data server still needs them, and
     * both wait for each other for ever (docs/amalgam-performance.md, "The
     * demand test's flake"). So is one while another machine is silent (a
     * restart on its way). A backup that really died is replaced once the
     * others are back and whole; its stripes' writes wait meanwhile, as
     * before suspicions. */
    int busy = 0; /* a stripe's positions are on distinct machines (M >= its width) */
    for (int p = 0; p < aml_width(d->geo); p++) {
        int m = aml_pid_machine(d->geo, inst, p, NULL);
        busy += m >= 0 && m != q && (d->m[m].degraded > 0 || d->m[m].suspected);
    }
    amr_machine *x = &d->m[q];
    if (busy < d->geo->f) return false;
    if (x->held_wall != x->suspected_wall) {
        x->held_wall = x->suspected_wall;
        d->held++;
        hoc_log(&d->log, HOC_LOG_WARN,
                "machine %d: its replacement in instance %lld (and others) waits: %d other "
                "machines of it are silent or rebuilding, and f = %d",
                q, (long long)inst, busy, d->geo->f);
    }
    return true;
}

void amr_tick(amr_detector *d, int64_t now_ms, int64_t wall_ms)
{
    for (int i = 0; i < d->geo->machines; i++) {
        amr_machine *x = &d->m[i];
        int64_t since = x->heard_ms >= 0 ? x->heard_ms : d->start_ms;
        if (x->suspected || now_ms - since < d->suspect_ms) continue;
        x->suspected = true;
        x->suspected_wall = wall_ms;
        x->suspicions++;
        d->suspicions++;
        if (x->heard_ms >= 0)
            hoc_log(&d->log, HOC_LOG_WARN,
                    "machine %d suspected: silent for %lld ms (suspect-ms %d), last heard at "
                    "%lld.%03lld",
                    i, (long long)(now_ms - x->heard_ms), d->suspect_ms,
                    (long long)(x->heard_wall / 1000), (long long)(x->heard_wall % 1000));
        else
            hoc_log(&d->log, HOC_LOG_WARN,
                    "machine %d suspected: not heard since this replica started %lld ms ago "
                    "(suspect-ms %d)",
                    i, (long long)(now_ms - d->start_ms), d->suspect_ms);
    }
}

/* The machine (and role) that plays pid who of instance inst, for the log. */
static int who_machine(const amr_detector *d, int64_t inst, int who, char *role)
{
    aml_role r = AML_NONE;
    int m = who >= 0 ? aml_pid_machine(d->geo, inst, who, &r) : -1;
    *role = aml_role_letter(r);
    return m;
}

void amr_observe(amr_detector *d, int64_t inst, amop_ask mode, int who, int64_t epoch,
                 int64_t wall_ms)
{
    amr_track *t = &d->track[inst];
    if (mode == t->mode && who == t->who && epoch == t->epoch) return;
    char r;
    /* the replacement that was running ended (Idle) or gave way to a newer one */
    if (t->mode != AMOP_IDLE && (mode == AMOP_IDLE || who != t->who || epoch != t->epoch)) {
        int m = who_machine(d, inst, t->who, &r);
        bool done = mode == AMOP_IDLE && t->mode == AMOP_GO;
        amr_machine *x = m >= 0 ? &d->m[m] : NULL;
        if (x) x->replacing--;
        if (done) d->replacements++;
        if (done && x) x->replacements++, x->round_done++;
        hoc_log(&d->log, HOC_LOG_INFO,
                "instance %lld: pid %d (%c, machine %d) epoch %lld %s after %lld ms",
                (long long)inst, t->who, r, m, (long long)t->epoch,
                done ? "replaced: live" : "superseded", (long long)(wall_ms - t->since_wall));
        if (done && x && x->round_done == x->plays) {
            x->replaced_wall = wall_ms;
            char since[64] = "never suspected";
            if (x->suspected_wall)
                snprintf(since, sizeof since, "%lld ms after its last suspicion",
                         (long long)(wall_ms - x->suspected_wall));
            hoc_log(&d->log, HOC_LOG_WARN,
                    "machine %d: all %lld of its servers replaced (one an instance), %s; they "
                    "rebuild what they lost from their stripes",
                    m, (long long)x->plays, since);
        }
    }
    if (mode != AMOP_IDLE && (t->mode == AMOP_IDLE || who != t->who || epoch != t->epoch)) {
        int m = who_machine(d, inst, who, &r);
        /* a replacement after a whole one starts the next whole one */
        if (m >= 0 && d->m[m].round_done >= d->m[m].plays) d->m[m].round_done = 0;
        if (m >= 0 && d->m[m].replacing++ == 0 && d->m[m].round_done == 0)
            hoc_log(&d->log, HOC_LOG_WARN,
                    "machine %d: replacing its servers (first: instance %lld, pid %d, epoch %lld, "
                    "%s)",
                    m, (long long)inst, who, (long long)epoch, MODES[mode]);
        t->since_wall = wall_ms;
        hoc_log(&d->log, HOC_LOG_INFO,
                "instance %lld: replacing pid %d (%c, machine %d) in epoch %lld: %s",
                (long long)inst, who, r, m, (long long)epoch, MODES[mode]);
    } else if (mode != AMOP_IDLE && mode != t->mode) {
        hoc_log(&d->log, HOC_LOG_INFO, "instance %lld: pid %d epoch %lld: %s", (long long)inst, who,
                (long long)epoch, MODES[mode]);
    }
    *t = (amr_track){.mode = mode, .who = who, .epoch = epoch, .since_wall = t->since_wall};
}

void amr_render(const amr_detector *d, struct evbuffer *b, int64_t now_ms)
{
    int M = d->geo->machines;
    uint64_t *v = calloc((size_t)M * 6, sizeof *v);
    if (!v) return;
    /* the six per-machine families, in fam's order below */
    uint64_t *sus = v, *quiet = v + M, *sat = v + 2 * M, *rat = v + 3 * M, *rep = v + 4 * M;
    uint64_t *heard = v + 5 * M;
    for (int i = 0; i < M; i++) {
        const amr_machine *x = &d->m[i];
        sus[i] = x->suspected;
        quiet[i] = (uint64_t)(now_ms - (x->heard_ms >= 0 ? x->heard_ms : d->start_ms));
        sat[i] = (uint64_t)x->suspected_wall;
        rat[i] = (uint64_t)x->replaced_wall;
        rep[i] = x->replacements;
        heard[i] = (uint64_t)x->heard_wall;
    }
    uint64_t tot[5] = {d->suspicions, d->replacements, d->bad_heartbeats, 0, d->held};
    for (int i = 0; i < M; i++)
        tot[3] += (uint64_t)(d->m[i].replacing > 0 ? d->m[i].replacing : 0);
    /* the first six per machine (label machine="i"), the others one sample */
    static const struct {
        const char *name, *type, *help;
    } fam[] = {
        {"amalgam_reconf_suspected", "gauge",
         "1 while the machine is suspected (silent for suspect-ms)."},
        {"amalgam_reconf_silent_ms", "gauge",
         "Milliseconds since the machine's last heartbeat (since this replica started if never "
         "heard)."},
        {"amalgam_reconf_suspected_at_ms", "gauge",
         "Unix time (ms) of the machine's last suspicion; 0: never."},
        {"amalgam_reconf_replaced_at_ms", "gauge",
         "Unix time (ms) the last replacement of all the machine's servers completed; 0: never."},
        {"amalgam_reconf_machine_replacements_total", "counter",
         "Server replacements (an instance's pid) of the machine completed."},
        {"amalgam_reconf_heard_at_ms", "gauge",
         "Unix time (ms) of the machine's last heartbeat; 0: never heard."},
        {"amalgam_reconf_suspicions_total", "counter",
         "Machines suspected (each silence counted once)."},
        {"amalgam_reconf_replacements_total", "counter",
         "Server replacements (Stop/Install/Go or Consent/Admit/Go) completed."},
        {"amalgam_reconf_bad_heartbeats_total", "counter",
         "Heartbeat frames refused (malformed, or from a pid the sender does not play)."},
        {"amalgam_reconf_replacing", "gauge", "Server replacements in progress."},
        {"amalgam_reconf_held_suspicions_total", "counter",
         "Suspicions whose replacements waited: f other machines of the instance were "
         "rebuilding (a live machine's false suspicion would have lost a stripe's block)."},
    };
    for (int k = 0; k < 11; k++)
        hoc_metrics_family(b, fam[k].name, fam[k].type, fam[k].help,
                           k < 6 ? v + k * M : tot + k - 6, k < 6 ? M : 1,
                           k < 6 ? "machine" : NULL);
    free(v);
}
