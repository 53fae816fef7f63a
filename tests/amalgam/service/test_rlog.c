/* The replicated reconfiguration service's log (services/amalgam/amrlog.h),
 * three replicas on one event loop, memory only: one takes a term and
 * drives; its decisions and failure detector acts hold the messages back
 * (arl_unsettled) until the log confirms them; when it dies, another takes
 * a newer term and resumes the newest record of every instance and machine
 * (a later driver: the newest term's, not an older one of the same
 * instance the log still holds), and the dead driver's decisions are all
 * there. Records of 256 KiB, so each goes in parts. The lease: its
 * arithmetic; a new driver waits out the previous one's; a driver whose
 * log stops answering stops once its lease ran out. Fast enough for the
 * sanitizer half of the suite, which amalgam-reconf-replicated (processes,
 * 13 to 20 s) is not. */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amrlog.h"
#include "clock.h"
#include "hoc_check.h"
#include "hoc_rt.h"
#include "../../net/free_port.h"

#define R 3
#define NINST 10
/* a decision record as large as at 128 KiB blocks: each put goes through
 * the log in parts (services/kv/kvcmd.h), a slot carrying 65,000 bytes */
#define REC 262380

typedef struct Rep {
    arl_log *l;
    uint64_t term; /* driving under; 0: not */
    int drives, deposed, settled;
    uint64_t deposed_at; /* hoc_lease_us */
} Rep;

static Rep reps[R];
static struct event_base *base;

static int on_drive(void *ctx, uint64_t term)
{
    Rep *r = ctx;
    r->term = term;
    r->drives++;
    return 0;
}

static void on_depose(void *ctx, const char *why)
{
    Rep *r = ctx;
    (void)why;
    r->term = 0;
    r->deposed++;
    r->deposed_at = hoc_lease_us();
}

static void on_settled(void *ctx)
{
    ((Rep *)ctx)->settled++;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what, (void)arg;
    for (int i = 0; i < R; i++)
        if (reps[i].l) arl_tick(reps[i].l, hoc_now_us());
}

/* The replica driving (the only one), or -1 after max_us. */
static int driver(uint64_t max_us, int not )
{
    uint64_t t0 = hoc_now_us();
    while (hoc_now_us() - t0 < max_us) {
        event_base_loop(base, EVLOOP_ONCE);
        for (int i = 0; i < R; i++)
            if (i != not &&reps[i].l && reps[i].term) return i;
    }
    return -1;
}

/* Runs until replica d's puts are confirmed: true, or false after 5 s. */
static bool confirmed(int d)
{
    uint64_t t0 = hoc_now_us();
    arl_flush(reps[d].l);
    while (arl_unsettled(reps[d].l))
        if (hoc_now_us() - t0 > 5000000 || !reps[d].term)
            return false;
        else
            event_base_loop(base, EVLOOP_ONCE);
    return true;
}

static arl_log *open_rep(const amc_cluster *c, int i)
{
    char err[512];
    arl_opts o = {.c = c,
                  .replica = i,
                  .ninst = NINST,
                  .rec = REC,
                  .log = {HOC_LOG_ERROR, i},
                  .ctx = &reps[i],
                  .drive = on_drive,
                  .depose = on_depose,
                  .settled = on_settled};
    arl_log *l = arl_new(base, &o, err, sizeof err);
    if (!l) fprintf(stderr, "replica %d: %s\n", i, err);
    return l;
}

static void rec_of(uint8_t *out, int v)
{
    memset(out, v, REC);
}

/* The lease's arithmetic (amrlog.h), with times passed in. */
static void lease_arithmetic(void)
{
    /* the first term had no driver before it */
    CHECK(arl_takeover_wait_us(1, ARL_LEASE_US, ARL_DRIFT_PPM) == 0);
    CHECK(arl_takeover_wait_us(7, 1000, 0) == 1000);
    /* 1.5 s x 1.01 / 0.99, rounded up: the least wait that, counted on a
     * clock 1 % fast, lasts as long as a lease counted on one 1 % slow */
    uint64_t w = arl_takeover_wait_us(2, 1500000, 10000);
    CHECK(w == 1530304);
    CHECK(w * 990000 >= 1500000ull * 1010000 && (w - 1) * 990000 < 1500000ull * 1010000);
    CHECK(arl_takeover_wait_us(3, ARL_LEASE_US, ARL_DRIFT_PPM) > ARL_LEASE_US);

    arl_lease ls = {0};
    CHECK(!arl_lease_holds(&ls, 0));
    arl_lease_asked(&ls, 5, 1000);
    arl_lease_asked(&ls, 9, 2000);
    CHECK(!arl_lease_confirmed(&ls, 7, 100) && ls.until == 0); /* never asked */
    CHECK(arl_lease_confirmed(&ls, 9, 100) && ls.until == 2100);
    /* an earlier confirmation answered later shortens nothing */
    CHECK(!arl_lease_confirmed(&ls, 5, 100) && ls.until == 2100);
    CHECK(arl_lease_holds(&ls, 2099) && !arl_lease_holds(&ls, 2100));
    /* one asked ARL_ASKS confirmations ago is forgotten: it extends nothing */
    arl_lease_asked(&ls, 11, 3000);
    arl_lease_asked(&ls, 11 + ARL_ASKS, 4000);
    CHECK(!arl_lease_confirmed(&ls, 11, 100) && ls.until == 2100);
    CHECK(arl_lease_confirmed(&ls, 11 + ARL_ASKS, 100) && ls.until == 4100);
}

int main(void)
{
    lease_arithmetic();
    base = event_base_new();
    CHECK(base && event_base_priority_init(base, 2) == 0);
    /* the cluster: five machines (never started) and three reconf lines,
     * whose logs listen at P + M (M = 5) on free ports */
    char text[2048];
    int n = snprintf(text, sizeof text, "g 3\nf 2\nblock 64\nstripes 10\n");
    for (int m = 0; m < 5; m++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "machine %d 127.0.0.1 data=%d parity=%d client=%d\n", m, 20000 + 20 * m,
                      20005 + 20 * m, 20010 + 20 * m);
    for (int i = 0; i < R; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, "reconf %d 127.0.0.1:%d\n", i,
                      free_port() - 5);
    amc_cluster c;
    char err[512];
    CHECK(amc_parse(text, "rlog.cluster", &c, err, sizeof err) == 0);
    for (int i = 0; i < R; i++) {
        reps[i].l = open_rep(&c, i);
        CHECK(reps[i].l != NULL);
    }
    struct timeval tv = {0, 5000};
    struct event *tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
    event_add(tick, &tv);

    int d = driver(10000000, -1);
    CHECK(d >= 0);
    if (d < 0) return 1;
    uint64_t t1 = reps[d].term;
    CHECK(t1 > 1 || arl_get_stats(reps[d].l)->waited_us < ARL_LEASE_US); /* nobody drove before */
    CHECK(t1 >= 1 && !arl_unsettled(reps[d].l));
    /* two decisions of instance 3 (the second wins), one of 5, an act */
    static uint8_t rec[REC], got[REC];
    uint8_t act[ARL_ACT_LEN] = {1, 0, 0, 0, 0, 0, 0, 0, 42};
    rec_of(rec, 0xa1);
    arl_put(reps[d].l, 3, rec);
    CHECK(arl_unsettled(reps[d].l)); /* round messages wait */
    CHECK(confirmed(d));
    rec_of(rec, 0xb2);
    arl_put(reps[d].l, 3, rec);
    rec_of(rec, 0xc3);
    arl_put(reps[d].l, 5, rec);
    arl_put_act(reps[d].l, 1, act);
    CHECK(confirmed(d));
    CHECK(reps[d].settled >= 2 && arl_get_stats(reps[d].l)->appended == 3 &&
          arl_get_stats(reps[d].l)->acts == 1);

    /* the driver dies: another takes a newer term and resumes */
    uint64_t t0 = hoc_now_us();
    arl_free(reps[d].l);
    reps[d] = (Rep){0};
    int e = driver(10000000, d);
    CHECK(e >= 0 && e != d);
    if (e < 0) return 1;
    printf("replica %d drove term %llu; replica %d took term %llu %.2f s after its death\n", d,
           (unsigned long long)t1, e, (unsigned long long)reps[e].term,
           (double)(hoc_now_us() - t0) / 1e6);
    CHECK(reps[e].term > t1);
    /* it drove only once the dead driver's lease had run out, counted from
     * when it took its term; its own lease runs */
    const arl_stats *es = arl_get_stats(reps[e].l);
    uint64_t wait = arl_takeover_wait_us(reps[e].term, ARL_LEASE_US, ARL_DRIFT_PPM);
    CHECK(wait > ARL_LEASE_US && es->waited_us >= wait && hoc_now_us() - t0 >= wait);
    CHECK(es->lease_until > hoc_lease_us());
    rec_of(rec, 0xb2);
    CHECK(arl_get(reps[e].l, 3, got) && memcmp(got, rec, REC) == 0);
    rec_of(rec, 0xc3);
    CHECK(arl_get(reps[e].l, 5, got) && memcmp(got, rec, REC) == 0);
    CHECK(!arl_get(reps[e].l, 0, got));
    uint8_t a2[ARL_ACT_LEN];
    CHECK(arl_get_act(reps[e].l, 1, a2) && memcmp(a2, act, sizeof act) == 0);
    CHECK(!arl_get_act(reps[e].l, 0, a2));
    /* its own decisions confirm under its term */
    rec_of(rec, 0xd4);
    arl_put(reps[e].l, 3, rec);
    CHECK(confirmed(e));
    for (int i = 0; i < R; i++)
        CHECK(i == e || !reps[i].term);

    /* the first comes back (memory only: a fresh replica that catches up)
     * and the second dies: the third driver resumes the second's record of
     * instance 3, not the first's, older, which the log still holds */
    reps[d].l = open_rep(&c, d);
    CHECK(reps[d].l != NULL);
    for (uint64_t t = hoc_now_us(); hoc_now_us() - t < 1500000;)
        event_base_loop(base, EVLOOP_ONCE);
    CHECK(!reps[d].term); /* it follows */
    arl_free(reps[e].l);
    reps[e] = (Rep){0};
    int f = driver(10000000, e);
    CHECK(f >= 0 && f != e);
    if (f < 0) return 1;
    CHECK(arl_get(reps[f].l, 3, got) && memcmp(got, rec, REC) == 0);
    rec_of(rec, 0xc3);
    CHECK(arl_get(reps[f].l, 5, got) && memcmp(got, rec, REC) == 0);

    /* the log stops answering (its other replicas gone): the driver stops
     * once its lease ran out, not before, and soon after (a tick is 5 ms) */
    for (int i = 0; i < R; i++)
        if (i != f && reps[i].l) arl_free(reps[i].l), reps[i] = (Rep){0};
    for (uint64_t t = hoc_now_us(); reps[f].term && hoc_now_us() - t < 5000000;)
        event_base_loop(base, EVLOOP_ONCE);
    uint64_t until = arl_get_stats(reps[f].l)->lease_until;
    printf("the log silent: replica %d stopped driving %.1f ms after its lease ran out\n", f,
           ((double)reps[f].deposed_at - (double)until) / 1000.0);
    CHECK(!reps[f].term && reps[f].deposed >= 1);
    CHECK(reps[f].deposed_at >= until && reps[f].deposed_at < until + 200000);

    event_free(tick);
    for (int i = 0; i < R; i++)
        arl_free(reps[i].l);
    amc_free(&c);
    event_base_free(base);
    return check_summary("amalgam-rlog");
}
