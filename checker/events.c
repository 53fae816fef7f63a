/* events.c: the environment's events and replacements in hoc check (see
 * events.h). */
#include "events.h"

#include <inttypes.h>
#include <string.h>

#include "canon.h"
#include "simenv.h"
#include "succ.h"

size_t events_key_bytes(const hoc_algo *a, int budget_events, int budget_replace)
{
    return (budget_events > 0 && a->nevents > 0) || budget_replace > 0 ? 8 : 0;
}

/* The argument ranges of event e into ev; -1 with a message when one is
 * empty or the domain is too large to enumerate. */
static int event_ranges(Events *ev, int e, const int64_t *params, int values, char *err,
                        size_t errn)
{
    const hoc_event *he = &ev->a->events[e];
    int64_t count = 1;
    for (int i = 0; i < he->nargs && i < 8; i++) {
        int64_t lo, hi;
        he->range(params, i, &lo, &hi);
        hoc_kind k = he->args[i].kind; /* a bytes argument ranges over the ints standing for it */
        if (hi < lo && (k == HOC_K_INT || k == HOC_K_BYTES)) lo = 0, hi = values; /* no range */
        if (hi <= lo) {
            snprintf(err, errn, "argument %s of event %s has an empty range", he->args[i].name,
                     he->name);
            return -1;
        }
        /* hi > lo here, so the unsigned difference is exact where hi - lo
         * would overflow (-1..INT64_MAX: a negative span enumerated nothing) */
        uint64_t span = (uint64_t)hi - (uint64_t)lo;
        if (span > 1 << 16 || (uint64_t)count * span > 1 << 16) {
            snprintf(err, errn, "event %s has more than 65536 argument values to enumerate",
                     he->name);
            return -1;
        }
        ev->lo[e][i] = lo, ev->span[e][i] = (int64_t)span;
        count *= (int64_t)span;
    }
    ev->first[e + 1] = ev->first[e] + count;
    return 0;
}

int events_init(Events *ev, const hoc_algo *a, const int64_t *params, int values, int budget_events,
                int budget_replace, size_t tail, char *err, size_t errn)
{
    memset(ev, 0, sizeof *ev);
    ev->a = a;
    ev->budget_events = a->nevents ? budget_events : 0;
    ev->budget_replace = budget_replace;
    ev->tail = events_key_bytes(a, budget_events, budget_replace) ? tail : 0;
    for (int e = 0; e < a->nevents && e < 16; e++)
        if (event_ranges(ev, e, params, values, err, errn) != 0) return -1;
    ev->ncodes = ev->first[a->nevents < 16 ? a->nevents : 16];
    return 0;
}

void events_decode(const Events *ev, uint32_t code, int *event, int64_t *args)
{
    int e = 0;
    while (e + 1 < ev->a->nevents && (int64_t)code >= ev->first[e + 1])
        e++;
    int64_t rest = (int64_t)code - ev->first[e];
    for (int i = 0; i < ev->a->events[e].nargs && i < 8; i++) {
        args[i] = ev->lo[e][i] + rest % ev->span[e][i];
        rest /= ev->span[e][i];
    }
    *event = e;
}

void events_used(const Events *ev, const uint8_t *k, uint32_t *events, uint32_t *replaced)
{
    *events = *replaced = 0;
    if (!ev->tail) return;
    memcpy(events, k + ev->tail, 4);
    memcpy(replaced, k + ev->tail + 4, 4);
}

/* out becomes st after the event and arguments that code stands for. */
static void apply_code(Worker *w, const hoc_env *env, int64_t code, const uint8_t *st, uint8_t *out)
{
    Mc *m = w->m;
    int e;
    int64_t args[8];
    events_decode(&m->ev, (uint32_t)code, &e, args);
    memcpy(out, st, m->ssz);
    memset(w->outputs, 0, m->a->outputs_size);
    m->a->events[e].handle(out, env, args, NULL, w->outputs); /* bytes as their ints */
}

/* Whether one more event changes state st (the last of a sequence as long
 * as the budgets allow): then the bound cuts executions off. Events that
 * leave st as it is would leave it so however many followed. */
static bool one_more_moves(Worker *w, const hoc_env *env, const uint8_t *st, uint8_t *probe)
{
    for (int64_t code = 0; code < w->m->ev.ncodes; code++) {
        apply_code(w, env, code, st, probe);
        if (!canon_same_tracked(w->m, probe, st)) return true;
    }
    return false;
}

/* Adds every sequence of one to depth events applied to state st (already
 * the result of the steps in env) to q's choices. */
static int add_sequences(Worker *w, int q, const hoc_env *env, const uint8_t *st, EnvStep *step,
                         int depth, hoc_set ho, uint64_t bits)
{
    Mc *m = w->m;
    uint8_t *next = w->evbuf + (size_t)(step->count + 1) * m->ssz;
    for (int64_t code = 0; code < m->ev.ncodes; code++) {
        apply_code(w, env, code, st, next);
        step->code[step->count++] = (uint32_t)code;
        int rc = succ_choice_add(w, &w->ch[q], next, ho, bits, step);
        if (rc == 0 && step->count < depth)
            rc = add_sequences(w, q, env, next, step, depth, ho, bits);
        else if (rc == 0 && one_more_moves(w, env, next, next + m->ssz))
            __atomic_add_fetch(&m->ev.cut, 1, __ATOMIC_RELAXED); /* EV_MAX or the budget */
        step->count--;
        if (rc < 0) return -1;
    }
    return 0;
}

int events_variants(Worker *w, int q, int64_t r, hoc_set ho, uint64_t bits)
{
    Mc *m = w->m;
    Events *ev = &m->ev;
    EnvStep step = {0};
    if (succ_choice_add(w, &w->ch[q], w->next, ho, bits, &step) < 0) return -1;
    /* a process that halted takes no further steps, from the environment either */
    if (!ev->tail || w->next[m->a->halted_offset]) return 0;
    uint32_t used_e, used_r;
    events_used(ev, w->cur, &used_e, &used_r);
    int left_e = ev->budget_events - (int)used_e, left_r = ev->budget_replace - (int)used_r;
    bool boundary = r % m->a->nrounds == m->a->nrounds - 1 && ev->ncodes > 0;
    int depth = left_e < EV_MAX ? left_e : EV_MAX;
    if ((boundary && left_e <= 0) || (ev->budget_replace && left_r <= 0))
        __atomic_add_fetch(&ev->cut, 1, __ATOMIC_RELAXED);
    hoc_env env = {q, m->n, r, m->o->params, bits};
    uint8_t *base = w->evbuf;
    memcpy(base, w->next, m->ssz);
    for (int rep = 0; rep <= (left_r > 0 ? 1 : 0); rep++) {
        if (rep) {
            int64_t in[HOC_MAXINPUTS];
            simenv_inputs(m->a, base, in);
            memset(w->outputs, 0, m->a->outputs_size);
            m->a->replace(base, &env, in, w->outputs);
            step.replaced = 1;
            if (succ_choice_add(w, &w->ch[q], base, ho, bits, &step) < 0) return -1;
        }
        if (boundary && depth > 0 && add_sequences(w, q, &env, base, &step, depth, ho, bits) < 0)
            return -1;
    }
    return 0;
}

bool events_fit(Mc *m, const uint8_t *k, uint8_t *s, const EnvStep *env)
{
    Events *ev = &m->ev;
    uint32_t used_e, used_r, more_e = 0, more_r = 0;
    events_used(ev, k, &used_e, &used_r);
    for (int p = 0; p < m->n; p++)
        more_e += env[p].count, more_r += env[p].replaced;
    if (used_e + more_e > (uint32_t)ev->budget_events ||
        used_r + more_r > (uint32_t)ev->budget_replace) {
        __atomic_add_fetch(&ev->cut, 1, __ATOMIC_RELAXED);
        return false;
    }
    used_e += more_e, used_r += more_r;
    memcpy(s + ev->tail, &used_e, 4);
    memcpy(s + ev->tail + 4, &used_r, 4);
    return true;
}

void events_print(FILE *f, const Events *ev, const EnvStep *env)
{
    /* printed by the code that prints what hoc sim and hoc explore replay,
     * so the three show an environment's move the same way */
    simenv_step s = {.replaced = env->replaced != 0};
    for (int i = 0; i < env->count && i < EV_MAX && i < SIMENV_MAX; i++)
        events_decode(ev, env->code[i], &s.event[s.count++], s.args[i]);
    simenv_print(f, ev->a, &s);
}

void events_json(FILE *f, const Events *ev, const EnvStep *env)
{
    fprintf(f, "[%d", env->replaced ? 1 : 0);
    for (int i = 0; i < env->count; i++) {
        int e;
        int64_t args[8];
        events_decode(ev, env->code[i], &e, args);
        fprintf(f, ", [%d", e);
        for (int j = 0; j < ev->a->events[e].nargs; j++)
            fprintf(f, ", %" PRId64, args[j]);
        fputc(']', f);
    }
    fputc(']', f);
}
