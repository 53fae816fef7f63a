/* report.c: the summaries of hoc check (see report.h). */
#include "report.h"

#include <inttypes.h>

#include "json.h"

void report_skips(const Mc *m, bool stored)
{
    const hoc_algo *a = m->a;
    FILE *f = m->out;
    int k = 0, ghosts = 0;
    for (int i = 0; i < a->nspecs; i++)
        if (run_skipped(m, i)) fprintf(f, "%s%s", k++ ? ", " : "  skipped: ", a->specs[i].name);
    if (!k) return;
    for (int i = 0; i < a->nfields; i++)
        ghosts += a->fields[i].ghost;
    if (stored && m->nforget) {
        fprintf(f, "; ghost%s", m->nforget > 1 ? "s" : "");
        for (int i = 0, j = 0; i < a->nfields; i++)
            if (m->o->untracked && m->o->untracked[i] && a->fields[i].ghost)
                fprintf(f, "%s %s", j++ ? "," : "", a->fields[i].name);
        fprintf(f, " not tracked (traces still show %s)",
                m->nforget > 1 ? "their values" : "its values");
    } else if (stored && ghosts) {
        fputs("; every ghost still tracked", f);
    }
    fputc('\n', f);
}

void report_result(const Mc *m, const Path *p, int64_t depth, int status, int64_t states,
                   bool exhausted)
{
    mc_result *r = m->o->result;
    if (!r) return;
    const hoc_algo *a = m->a;
    bool *violated = r->violated, *pre = r->pre_violated;
    *r = (mc_result){.status = status,
                     .spec = -1,
                     .position = -1,
                     .cti = m->cti,
                     .exhausted = exhausted,
                     .states = states,
                     .violated = violated,
                     .pre_violated = pre};
    for (int i = 0; i < a->nspecs; i++) {
        if (violated) violated[i] = false;
        if (pre) pre[i] = false;
    }
    if (!p || !p->states || (status != 1 && !(status == 0 && m->bad >= 0))) return;
    r->spec = m->bad_spec;
    r->depth = depth;
    uint8_t *last = p->states + m->key * (size_t)depth;
    uint8_t *before = depth > 0 ? last - m->key : NULL;
    if (depth > 0) r->position = (*key_round(p->states) + depth - 1) % a->nrounds;
    for (int i = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        if (sp->kind != HOC_INVARIANT && sp->kind != HOC_PROPERTY) continue;
        if (violated) violated[i] = !run_spec(m, i, key_proc(m, last, 0), NULL);
        if (pre && before) pre[i] = !run_spec(m, i, key_proc(m, before, 0), NULL);
    }
    if (violated && m->stage >= 0) violated[m->stage] = !run_holds(m, m->stage, last);
}

void report_symmetry(const Mc *m)
{
    if (m->sym)
        fputs("  symmetry reduction applied\n", m->out);
    else
        fprintf(m->out, "  symmetry reduction not applied: %s\n", m->sym_why);
}

/* Whether the search stopped on the goal of its last segment. */
static bool at_goal(const Mc *m)
{
    return m->bad >= 0 && m->bad_spec == m->goal && m->goal >= 0;
}

/* The line that opens a trace: what was found, and in how many rounds. */
static void report_found(const Mc *m, const Search *s)
{
    bool goal = at_goal(m);
    fprintf(m->out, "%s: %s %s %s in %" PRId64 " round%s; shortest trace:\n",
            goal ? "GOAL" : "VIOLATED",
            goal ? "goal" : hoc_spec_kind_name(m->a->specs[m->bad_spec].kind),
            m->a->specs[m->bad_spec].name, goal ? "reached" : "violated", s->depth,
            s->depth == 1 ? "" : "s");
    path_print(m, &s->trace, s->trace.depth);
}

/* Bytes of the seen set per state stored (the states of the last segment). */
static double bytes_per_state(const Mc *m)
{
    return m->st.count ? (double)store_seen_bytes(&m->st) / (double)m->st.count : 0.0;
}

/* What the states took: memory per state, peaks, disk, and the odds that
 * hash compaction hid a state. */
static void report_memory(const Mc *m, const Search *s)
{
    double mb = 1048576.0;
    fprintf(m->out,
            "  seen set %.1f MB (64-bit fingerprints: %.1f bytes per state), peak memory %.1f MB, "
            "%.1f MB on disk; odds of a fingerprint collision %.1g\n",
            (double)store_seen_bytes(&m->st) / mb, bytes_per_state(m), (double)m->st.mem_peak / mb,
            (double)store_disk_peak(&m->st) / mb, fpset_collision_odds(s->states));
}

/* The environment's budgets, and whether they cut anything: a bound that
 * was reached is said, never passed over. */
static void report_bounds(const Mc *m)
{
    const Events *ev = &m->ev;
    if (!ev->tail) return;
    fprintf(m->out, "  environment: ");
    if (ev->budget_events)
        fprintf(m->out, "at most %d event%s per execution (%d per process between two phases)%s",
                ev->budget_events, ev->budget_events == 1 ? "" : "s", EV_MAX,
                ev->budget_replace ? ", " : "");
    if (ev->budget_replace)
        fprintf(m->out, "at most %d replacement%s per execution", ev->budget_replace,
                ev->budget_replace == 1 ? "" : "s");
    if (ev->cut)
        fprintf(m->out, "; bound reached: %" PRId64 " moves beyond it were not explored\n",
                ev->cut);
    else
        fputs("; never reached\n", m->out);
}

/* One kind of block hoc check hands the algorithm: a bytes input, or a
 * bytes argument of an event, as the integers lo..lo+span-1 standing for
 * K-byte blocks. */
typedef struct StandIn {
    const char *event, *name; /* event NULL: an input */
    int64_t lo, span;
    uint32_t k;
} StandIn;

/* The stand-ins of this search into s[0..cap); how many there are. */
static int standins(const Mc *m, StandIn *s, int cap)
{
    const hoc_algo *a = m->a;
    int k = 0;
    for (int i = 0; i < a->ninputs && k < cap; i++)
        if (a->inputs[i].kind == HOC_K_BYTES)
            s[k++] = (StandIn){NULL, a->inputs[i].name, 0, m->o->values, a->inputs[i].count};
    for (int e = 0; m->ev.budget_events > 0 && e < a->nevents && e < 16; e++)
        for (int i = 0; i < a->events[e].nargs && i < 8 && k < cap; i++)
            if (a->events[e].args[i].kind == HOC_K_BYTES)
                s[k++] = (StandIn){a->events[e].name, a->events[e].args[i].name, m->ev.lo[e][i],
                                   m->ev.span[e][i], a->events[e].args[i].count};
    return k;
}

/* How many distinct blocks s stands for (a block of K < 8 bytes keeps the
 * integer's low K bytes, so 256 and 0 are one 1-byte block), and whether the
 * zero block, every block's initial value, is among them. */
static uint64_t standin_blocks(const StandIn *s, bool *zero)
{
    uint64_t mask = s->k >= 8 ? ~0ull : (1ull << (8 * s->k)) - 1;
    uint64_t first = (uint64_t)s->lo & mask, span = (uint64_t)s->span;
    *zero = first == 0 || span > mask - first + 1;
    return span > mask ? mask + 1 : span;
}

/* The summary line of the blocks offered: which, and that they are all an
 * execution is checked with. */
void report_blocks(const Mc *m)
{
    StandIn s[64];
    int k = standins(m, s, 64);
    if (!k) return;
    fputs("  blocks: stand-ins (an integer's bytes, then zeros):", m->out);
    for (int i = 0; i < k; i++) {
        bool zero;
        uint64_t count = standin_blocks(&s[i], &zero);
        fprintf(m->out, "%s %s%s%s %" PRId64 "..%" PRId64 " (%" PRIu64 " block%s, %s)",
                i ? "," : "", s[i].event ? s[i].event : "input", s[i].event ? "." : " ", s[i].name,
                s[i].lo, hoc_add(s[i].lo, s[i].span), count, count == 1 ? "" : "s",
                zero ? "the zero block among them" : "not the zero block");
    }
    fputs("; executions handed other blocks are not checked\n", m->out);
}

void report_standins(const Mc *m)
{
    StandIn s[64];
    int k = standins(m, s, 64);
    for (int i = 0; i < k; i++) {
        bool zero;
        standin_blocks(&s[i], &zero);
        if (zero) continue;
        fprintf(m->out,
                "note: the zero block, every block's initial value, is not among the stand-ins "
                "of %s%s%s: an execution where it is handed there is not checked\n",
                s[i].event ? s[i].event : "input", s[i].event ? "." : " ", s[i].name);
    }
    if (!k || !m->o->block_look) return;
    fprintf(m->out,
            "note: %s; the blocks were stand-ins (an integer's bytes, then zeros), so this "
            "verdict covers those blocks only, not every block a service may be handed\n",
            m->o->block_look);
}

/* What was searched, how much, and which reductions applied. */
static void report_summary(const Mc *m, const Search *s)
{
    const hoc_algo *a = m->a;
    const mc_opts *o = m->o;
    FILE *f = m->out;
    fprintf(f, "%s: n=%d", a->name, o->n);
    for (int i = 1; i < a->nparams; i++)
        fprintf(f, " %s=%" PRId64, a->params[i], o->params[i]);
    fprintf(f, ", %s faults",
            o->faults == MC_BENIGN  ? "benign (any message loss)"
            : o->faults == MC_CRASH ? "crash"
                                    : "no");
    if (o->faults == MC_CRASH) fprintf(f, " (up to %d)", o->crash);
    fprintf(f, ", inputs from %d values\n", o->values);
    fprintf(f,
            "  states %" PRId64 " (%" PRId64 " initial), transitions %" PRId64 ", depth %" PRId64
            ", %.3f s, %.0f states/s\n",
            s->states, s->initial, m->transitions, s->depth, s->secs,
            s->secs > 0 ? (double)s->states / s->secs : 0.0);
    report_memory(m, s);
    fprintf(f, "  round counter %s\n",
            m->fold_round        ? "folded into the phase position"
            : m->rank.period > 0 ? "abstracted (stamps ranked, phase kept modulo its period)"
            : !o->abstraction    ? "kept (--no-abstraction)"
                                 : "kept (the algorithm reads it as a number)");
    report_symmetry(m);
    if (m->nassume)
        fprintf(f, "  %d per-round assumption%s enforced on %s\n", m->nassume,
                m->nassume == 1 ? "" : "s",
                m->every_ho ? "every heard-of set (one is not upward closed)"
                            : "the largest heard-of sets (upward closed)");
    report_bounds(m);
    report_blocks(m);
    report_skips(m, true);
}

/* What a prune kept out of an exhausted space, for the verdict line: what
 * lies beyond the states it held in was not searched. */
static void print_pruned(const Mc *m)
{
    if (m->pruned > 0)
        fprintf(m->out, " up to the %" PRId64 " state%s where prune %s holds (not expanded)",
                m->pruned, m->pruned == 1 ? "" : "s", m->a->specs[m->o->prune].name);
}

/* The verdict line, and the exit status it stands for. */
static int report_verdict(const Mc *m, const Search *s)
{
    FILE *f = m->out;
    if (m->bad >= 0) return at_goal(m) ? 0 : 1;
    if (s->exhausted && m->o->ngoals) {
        fputs("not found: the reachable space is exhausted", f);
        print_pruned(m);
        fprintf(f, " without reaching goal %s\n", m->a->specs[m->goal].name);
        return 1;
    }
    if (s->exhausted) {
        fputs("ok: the reachable space is exhausted", f);
        print_pruned(m);
        fprintf(f, "%s; every invariant and property %s",
                m->ev.tail && m->ev.cut ? " within the environment's bounds" : "",
                m->o->skip ? "not skipped holds" : "holds");
        if (m->stage >= 0)
            fprintf(f, ", and no good round of %s misses progress stage %s",
                    m->a->specs[m->stage_assume].name, m->a->specs[m->stage].name);
        fputc('\n', f);
        return 0;
    }
    fprintf(f, "bound: stopped by the %s with no violation found (not exhausted)\n",
            m->stop_why ? m->stop_why : "bound");
    return 3;
}

static void report_json(const Mc *m, const Search *s)
{
    const hoc_algo *a = m->a;
    FILE *f = m->out;
    /* as the verdict line and its exit status: a goal not reached in an
     * exhausted space is "not_found" (exit 1), not "ok" */
    const char *verdict = at_goal(m)                     ? "goal"
                          : m->bad >= 0                  ? "violated"
                          : s->exhausted && m->o->ngoals ? "not_found"
                          : s->exhausted                 ? "ok"
                                                         : "bound";
    fprintf(f,
            "{\"verdict\": \"%s\", \"states\": %" PRId64 ", \"transitions\": %" PRId64
            ", \"depth\": %" PRId64 ", \"seconds\": %.6f, \"exhausted\": %s, \"symmetry\": %s, "
            "\"abstraction\": %s, "
            "\"bytes_per_state\": %.1f, \"mem_peak_mb\": %.1f, \"disk_peak_mb\": %.1f, "
            "\"collision_odds\": %.3g%s%s%s",
            verdict, s->states, m->transitions, s->depth, s->secs, s->exhausted ? "true" : "false",
            m->sym ? "true" : "false", m->rank.period > 0 ? "true" : "false", bytes_per_state(m),
            (double)m->st.mem_peak / 1048576.0, (double)store_disk_peak(&m->st) / 1048576.0,
            fpset_collision_odds(s->states), m->bad >= 0 ? ", \"spec\": \"" : "",
            m->bad >= 0 ? a->specs[m->bad_spec].name : "", m->bad >= 0 ? "\"" : "");
    if (!m->sym) fputs(", \"symmetry_why\": ", f), json_write_str(f, m->sym_why);
    if (m->o->prune >= 0) fprintf(f, ", \"pruned\": %" PRId64, m->pruned);
    StandIn si[1];
    if (m->bad < 0 && m->o->block_look && standins(m, si, 1))
        fputs(", \"stand_ins\": ", f), json_write_str(f, m->o->block_look);
    if (m->ev.tail)
        fprintf(f, ", \"events\": %d, \"replace\": %d, \"bound_cut\": %" PRId64,
                m->ev.budget_events, m->ev.budget_replace, m->ev.cut);
    if (m->o->skip) {
        fputs(", \"skipped\": [", f);
        for (int i = 0, k = 0; i < a->nspecs; i++)
            if (run_skipped(m, i)) fprintf(f, "%s\"%s\"", k++ ? ", " : "", a->specs[i].name);
        fputs("], \"untracked\": [", f);
        for (int i = 0, k = 0; m->o->untracked && i < a->nfields; i++)
            if (m->o->untracked[i] && a->fields[i].ghost)
                fprintf(f, "%s\"%s\"", k++ ? ", " : "", a->fields[i].name);
        fputc(']', f);
    }
    fputs("}\n", f);
}

int report_search(const Mc *m, const Search *s)
{
    if (m->bad >= 0) report_found(m, s);
    report_summary(m, s);
    int rc = report_verdict(m, s);
    if (m->bad < 0) report_standins(m); /* a trace found is found on real blocks */
    if (m->o->json) report_json(m, s);
    report_result(m, m->bad >= 0 ? &s->trace : NULL, s->trace.depth, rc, s->states, s->exhausted);
    return rc;
}
