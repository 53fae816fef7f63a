/* mc.c: hoc check, an explicit-state model checker over the compiled code.
 *
 * A global state is (round, crashed set, every process's state) at a round
 * boundary (run.h). The states follow from each other through the
 * algorithm's own send and update functions under every choice of the
 * adversary (succ.h), are stored once in canonical form (canon.h, store.h),
 * and are searched breadth-first (bfs.h) or along random walks (walk.h); or
 * the invariants are put to a search for counterexamples to induction
 * (induct.h). */
#include "mc.h"

#include <stdlib.h>

#include "bfs.h"
#include "clock.h"
#include "induct.h"
#include "report.h"
#include "run.h"
#include "walk.h"

/* The search the options ask for, with its report; returns the exit status. */
static int search(Mc *m, Worker *ws, int threads)
{
    if (m->o->inductive) return induct_check(m, &ws[0]);
    if (bfs_initial(m, &ws[0]) != 0) {
        m->stop = true;
        m->stop_why = "memory budget";
    }
    if (m->o->walks > 0 && m->bad < 0 && !m->stop) return walk_check(m, &ws[0]);
    Search s;
    int rc = bfs_search(m, ws, threads, &s);
    if (rc == 0) rc = report_search(m, &s);
    path_free(&s.trace);
    return rc;
}

int mc_run(const hoc_algo *a, const mc_opts *o)
{
    if (o->n < 1 || o->n > a->maxn || o->n > HOC_MAXN) {
        fprintf(stderr, "hoc check: n must be between 1 and %d\n", a->maxn);
        return 2;
    }
    int threads = o->threads > 0 ? o->threads : 1;
    if (threads > 16) threads = 16;
    Mc m;
    Worker *ws = calloc((size_t)threads, sizeof *ws);
    int init = ws ? run_init(&m, a, o) : -1;
    if (init != 0) {
        free(ws);
        if (init == -1) fprintf(stderr, "hoc check: out of memory\n");
        if (o->result) o->result->status = 2;
        return 2;
    }
    int rc = 2, ready = 0;
    while (ready < threads && succ_worker_init(&ws[ready], &m) == 0)
        ready++;
    m.t0 = hoc_now_s();
    if (ready == threads) rc = search(&m, ws, threads);
    if (o->judge && atomic_load(&o->judge->failed)) rc = 3; /* whatever it found means nothing */
    for (int t = 0; t < threads; t++)
        succ_worker_free(&ws[t]);
    free(ws);
    run_free(&m);
    if (o->result) o->result->status = rc;
    return rc;
}
