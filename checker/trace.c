/* trace.c: counterexamples, printed for people and written as JSON. */
#include "trace.h"

#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "sim.h"

static const uint8_t *proc_of(const TraceInfo *t, const uint8_t *states, int64_t d, int p)
{
    return states + t->key * (size_t)d + TRACE_PROCS + (size_t)p * t->a->state_size;
}

/* One element of a field in the JSON: a number or true/false, quoted when
 * it prints as something else (an enum's member, a set, never). */
static void json_element(FILE *f, const hoc_field *fd, const uint8_t *p)
{
    int64_t stamp = 1;
    if (fd->kind == HOC_K_STAMP) memcpy(&stamp, p, 8);
    bool quote = fd->kind == HOC_K_ENUM || fd->kind == HOC_K_SET || stamp == HOC_NEVER;
    if (quote) fputc('"', f);
    hoc_print_value(f, fd->kind, p, fd->enum_names, fd->enum_count);
    if (quote) fputc('"', f);
}

/* A process's fields as a JSON object: scalars as values, arrays as lists
 * (one indexed by process, its first n elements), byte blocks as strings of
 * hex digits, every byte up to the last nonzero one (hoc_print_bytes without
 * a cap), so that a replay compares the whole block. */
static void json_proc(FILE *f, const hoc_algo *a, const uint8_t *st, int n)
{
    fputc('{', f);
    int k = 0;
    for (int i = 0; i < a->nfields; i++) {
        const hoc_field *fd = &a->fields[i];
        fprintf(f, "%s\"%s\": ", k++ ? ", " : "", fd->name);
        if (fd->kind == HOC_K_BYTES) {
            fputc('"', f);
            hoc_print_bytes(f, st + fd->offset, fd->count, 0);
            fputc('"', f);
            continue;
        }
        if (fd->count == 1) {
            json_element(f, fd, st + fd->offset);
            continue;
        }
        uint32_t shown = hoc_field_shown(fd, n, a->maxn);
        fputc('[', f);
        for (uint32_t j = 0; j < shown; j++) {
            if (j) fputs(", ", f);
            json_element(f, fd, st + fd->offset + j * hoc_kind_size(fd->kind));
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void trace_print(FILE *f, const TraceInfo *t, const uint8_t *states, const hoc_set *hos,
                 const uint64_t *bits, int64_t depth)
{
    const hoc_algo *a = t->a;
    int64_t base = trace_round_of(states); /* 0, or where a counterexample to induction starts */
    if (t->cti)
        fprintf(f,
                "a state satisfying every invariant (before round %" PRId64
                ", not necessarily reachable):\n",
                base);
    else
        fprintf(f, "initial states:\n");
    for (int p = 0; p < t->n; p++) {
        fprintf(f, "  p%d", p);
        hoc_print_state(f, a, proc_of(t, states, 0, p), t->n);
        fputc('\n', f);
    }
    for (int64_t d = 1; d <= depth; d++) {
        uint64_t crashed = trace_crashed_of(states + t->key * (size_t)d);
        fprintf(f, "round %" PRId64 " (%s):\n", base + d - 1,
                a->rounds[(base + d - 1) % a->nrounds].name);
        for (int p = 0; p < t->n; p++) {
            fprintf(f, "  p%d HO=", p);
            hoc_print_value(f, HOC_K_SET, &hos[HOC_MAXN * (size_t)d + (size_t)p], NULL, 0);
            if ((crashed >> p) & 1) fputs(" crashed", f);
            for (int i = 0; i < a->noracles; i++)
                fprintf(f, " %s:%s", a->oracles[i],
                        (bits[HOC_MAXN * (size_t)d + (size_t)p] >> i) & 1 ? "true" : "false");
            if (t->envs) events_print(f, t->ev, &t->envs[HOC_MAXN * (size_t)d + (size_t)p]);
            hoc_print_state(f, a, proc_of(t, states, d, p), t->n);
            fputc('\n', f);
        }
    }
}

int trace_write(const char *path, const TraceInfo *ti, const uint8_t *states, const hoc_set *hos,
                const uint64_t *bits, int64_t depth)
{
    const hoc_algo *a = ti->a;
    FILE *t = fopen(path, "w");
    if (!t) {
        fprintf(stderr, "hoc check: cannot write %s\n", path);
        return -1;
    }
    int64_t base = trace_round_of(states);
    fprintf(t, "{\"format\": \"hoc-trace-1\", \"algorithm\": ");
    json_write_str(t, a->name);
    fprintf(t, ", \"source\": ");
    json_write_str(t, ti->source);
    fprintf(t, ", \"n\": %d,\n", ti->n);
    fprintf(t, " \"params\": [");
    for (int i = 0; i < a->nparams; i++)
        fprintf(t, "%s%" PRId64, i ? ", " : "", ti->params[i]);
    fprintf(t, "],\n \"inputs\": [");
    /* the inputs, read back from the initial states */
    for (int p = 0; p < ti->n; p++)
        for (int i = 0; i < a->ninputs; i++) {
            const hoc_field *fd = &a->inputs[i];
            const uint8_t *src = proc_of(ti, states, 0, p) + fd->offset;
            int64_t v = hoc_value_get(fd->kind, src);
            fprintf(t, "%s%" PRId64, p || i ? ", " : "", v);
        }
    fprintf(t, "],\n");
    if (ti->cti) { /* replay starts from these bytes, not from the inputs */
        fprintf(t, " \"start\": {\"round\": %" PRId64 ", \"states\": \"", base);
        const uint8_t *s0 = proc_of(ti, states, 0, 0);
        for (size_t i = 0; i < (size_t)ti->n * a->state_size; i++)
            fprintf(t, "%02x", s0[i]);
        fprintf(t, "\"},\n");
    }
    if (ti->stage) fprintf(t, " \"stage\": \"%s\",\n", ti->stage);
    fprintf(t, " \"guides\": [");
    for (int i = 0; i < TRACE_GUIDES && ti->guides[i]; i++)
        fprintf(t, "%s\"%s\"", i ? ", " : "", ti->guides[i]);
    fprintf(t, "],\n \"skipped\": [");
    for (int i = 0, k = 0; ti->skipped && i < a->nspecs; i++)
        if (ti->skipped[i]) fprintf(t, "%s\"%s\"", k++ ? ", " : "", a->specs[i].name);
    fprintf(t, "],\n \"violation\": \"%s\",\n \"rounds\": [", ti->violation ? ti->violation : "");
    for (int64_t d = 1; d <= depth; d++) {
        fprintf(t, "%s\n  {\"round\": %" PRId64 ", \"crashed\": %" PRIu64 ", \"ho\": [",
                d > 1 ? "," : "", base + d - 1, trace_crashed_of(states + ti->key * (size_t)d));
        for (int p = 0; p < ti->n; p++)
            fprintf(t, "%s%" PRIu64, p ? ", " : "", hos[HOC_MAXN * (size_t)d + (size_t)p]);
        fprintf(t, "], \"oracle\": [");
        for (int p = 0; p < ti->n; p++)
            fprintf(t, "%s%" PRIu64, p ? ", " : "", bits[HOC_MAXN * (size_t)d + (size_t)p]);
        if (ti->envs && ti->ev &&
            ti->ev->tail) { /* what the environment did after each update, for the replay */
            fprintf(t, "], \"env\": [");
            for (int p = 0; p < ti->n; p++) {
                if (p) fputs(", ", t);
                events_json(t, ti->ev, &ti->envs[HOC_MAXN * (size_t)d + (size_t)p]);
            }
        }
        fprintf(t, "], \"states\": [");
        for (int p = 0; p < ti->n; p++) {
            if (p) fputs(", ", t);
            json_proc(t, a, proc_of(ti, states, d, p), ti->n);
        }
        fprintf(t, "]}");
    }
    fprintf(t, "]}\n");
    fclose(t);
    return 0;
}
