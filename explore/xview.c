/* xview.c: the explorer's JSON documents (see xview.h). */
#include "xview.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"
#include "xaddr.h"

void xv_str(hoc_buf *b, const char *s)
{
    hoc_buf_puts(b, "\"");
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            hoc_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            hoc_buf_puts(b, "\\n");
        else if (c < 0x20 || c == '<' || c == '>' || c == '&')
            hoc_buf_printf(b, "\\u%04x", c);
        else
            hoc_buf_put(b, (const char *)&c, 1);
    }
    hoc_buf_puts(b, "\"");
}

/* Field fd of the struct at base as drivers print it, however long: a
 * malloc'd string the caller frees. */
static char *field_str(const xt_tree *t, const hoc_field *fd, const uint8_t *base)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) abort(); /* as hoc_buf does: nothing sensible to show without memory */
    if (fd->kind == HOC_K_RECORD)
        fputs("{...}", f);
    else
        hoc_print_field(f, fd, base, t->n, t->a->maxn);
    if (fclose(f) != 0 || !out) abort();
    return out;
}

/* The compiler's own fields (hoc_halted): the views show halted apart. */
static bool internal(const hoc_field *fd)
{
    return strncmp(fd->name, "hoc_", 4) == 0;
}

void xv_algo(const xt_tree *t, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    hoc_buf_puts(b, "{\"name\": ");
    xv_str(b, a->name);
    hoc_buf_printf(b, ", \"n\": %d, \"params\": [", t->n);
    for (int i = 0; i < a->nparams; i++) {
        hoc_buf_printf(b, "%s{\"name\": ", i ? ", " : "");
        xv_str(b, a->params[i]);
        hoc_buf_printf(b, ", \"value\": %" PRId64 "}", t->params[i]);
    }
    hoc_buf_puts(b, "], \"inputs\": [");
    for (int i = 0; i < a->ninputs; i++) {
        hoc_buf_puts(b, i ? ", " : "");
        xv_str(b, a->inputs[i].name);
    }
    hoc_buf_puts(b, "], \"oracles\": [");
    for (int i = 0; i < a->noracles; i++) {
        hoc_buf_puts(b, i ? ", " : "");
        xv_str(b, a->oracles[i]);
    }
    hoc_buf_puts(b, "], \"rounds\": [");
    for (int i = 0; i < a->nrounds; i++) {
        hoc_buf_puts(b, i ? ", " : "");
        xv_str(b, a->rounds[i].name);
    }
    hoc_buf_puts(b, "], \"fields\": [");
    for (int i = 0, k = 0; i < a->nfields; i++) {
        if (internal(&a->fields[i])) continue;
        hoc_buf_puts(b, k++ ? ", {\"name\": " : "{\"name\": ");
        xv_str(b, a->fields[i].name);
        hoc_buf_printf(b, ", \"ghost\": %s}", a->fields[i].ghost ? "true" : "false");
    }
    hoc_buf_puts(b, "], \"specs\": [");
    for (int i = 0; i < a->nspecs; i++) {
        hoc_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
        xv_str(b, a->specs[i].name);
        hoc_buf_puts(b, ", \"kind\": ");
        xv_str(b, hoc_spec_kind_name(a->specs[i].kind));
        hoc_buf_puts(b, "}");
    }
    hoc_buf_puts(b, "]}");
}

/* The invariants and properties that fail in node id. */
static int failing(const xt_tree *t, int id)
{
    int k = 0;
    for (int i = 0; i < t->a->nspecs; i++)
        if (xt_judged(t, i) && !xt_holds(t, id, i)) k++;
    return k;
}

void xv_tree(xt_tree *t, hoc_buf *b)
{
    hoc_buf_puts(b, "{\"nodes\": [");
    for (int id = 0; id < t->count; id++) {
        const xt_node *x = &t->nodes[id];
        hoc_buf_printf(b,
                       "%s\n{\"id\": %d, \"parent\": %d, \"round\": %" PRId64
                       ", \"failing\": %d, \"label\": ",
                       id ? "," : "", id, x->parent, x->round, failing(t, id));
        xv_str(b, x->label);
        hoc_buf_puts(b, ", \"addr\": ");
        hoc_buf addr = {0};
        if (xaddr_of(t, id, &addr) == 0)
            xv_str(b, hoc_buf_str(&addr));
        else
            hoc_buf_puts(b, "null");
        hoc_buf_free(&addr);
        hoc_buf_puts(b, "}");
    }
    hoc_buf_puts(b, "]}");
}

/* How field fd of process p changed from the parent: "new" when a flag,
 * stamp or set got its first value (it held false, never or {} before),
 * "changed" for any other change, "" when it did not change. */
static const char *change_of(const xt_tree *t, const hoc_field *fd, const uint8_t *before,
                             const uint8_t *st, const char *text)
{
    if (!before) return "";
    /* a block's text stops after HOC_BYTES_SHOWN bytes: its bytes decide */
    if (fd->kind == HOC_K_BYTES)
        return memcmp(before + fd->offset, st + fd->offset, fd->count) ? "changed" : "";
    char *was = field_str(t, fd, before);
    bool same = strcmp(was, text) == 0;
    bool flag = fd->kind == HOC_K_BOOL || fd->kind == HOC_K_STAMP || fd->kind == HOC_K_SET;
    uint8_t *z = flag && !same ? calloc(1, t->a->state_size) : NULL;
    char *zero = z ? field_str(t, fd, z) : NULL;
    const char *how = same ? "" : zero && strcmp(was, zero) == 0 ? "new" : "changed";
    free(was), free(z), free(zero);
    return how;
}

static void state_procs(xt_tree *t, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    const xt_node *x = &t->nodes[id];
    hoc_buf_puts(b, "\"procs\": [");
    for (int p = 0; p < t->n; p++) {
        const uint8_t *st = xt_state(t, id, p);
        const uint8_t *before = x->parent >= 0 ? xt_state(t, x->parent, p) : NULL;
        hoc_buf_printf(b, "%s\n{\"id\": %d, \"crashed\": %s, \"halted\": %s, \"fields\": [",
                       p ? "," : "", p, (x->crashed >> p) & 1 ? "true" : "false",
                       xt_halted(t, id, p) ? "true" : "false");
        for (int i = 0, k = 0; i < a->nfields; i++) {
            const hoc_field *fd = &a->fields[i];
            if (internal(fd)) continue;
            char *text = field_str(t, fd, st);
            hoc_buf_puts(b, k++ ? ", {\"name\": " : "{\"name\": ");
            xv_str(b, fd->name);
            hoc_buf_puts(b, ", \"value\": ");
            xv_str(b, text);
            hoc_buf_printf(b, ", \"ghost\": %s, \"change\": \"%s\"}", fd->ghost ? "true" : "false",
                           change_of(t, fd, before, st, text));
            free(text);
        }
        hoc_buf_puts(b, "]}");
    }
    hoc_buf_puts(b, "]");
}

static void set_list(hoc_buf *b, hoc_set s)
{
    hoc_buf_puts(b, "[");
    for (int q = hoc_set_min(s), k = 0; q >= 0; q = hoc_set_next(s, q), k++)
        hoc_buf_printf(b, "%s%d", k ? ", " : "", q);
    hoc_buf_puts(b, "]");
}

static void state_specs(xt_tree *t, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    hoc_buf_puts(b, "\"specs\": [");
    for (int i = 0, k = 0; i < a->nspecs; i++) {
        const hoc_spec *sp = &a->specs[i];
        /* an eventual assumption speaks of several rounds: no verdict per state */
        if (sp->kind == HOC_ASSUME && sp->rounds != 0) continue;
        bool root = t->nodes[id].parent < 0;
        if (sp->kind == HOC_ASSUME && root) continue; /* no round to judge */
        bool holds = xt_holds(t, id, i), judged = xt_judged(t, i) || sp->kind == HOC_ASSUME;
        hoc_buf_puts(b, k++ ? ",\n{\"name\": " : "\n{\"name\": ");
        xv_str(b, sp->name);
        hoc_buf_puts(b, ", \"kind\": ");
        xv_str(b, hoc_spec_kind_name(sp->kind));
        hoc_buf_printf(b, ", \"holds\": %s, \"judged\": %s, \"blame\": ", holds ? "true" : "false",
                       judged ? "true" : "false");
        set_list(b, holds || !xt_judged(t, i) ? 0 : xt_blame(t, id, i));
        hoc_buf_puts(b, "}");
    }
    hoc_buf_puts(b, "]");
}

void xv_state(xt_tree *t, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    const xt_node *x = &t->nodes[id];
    hoc_buf_printf(b, "{\"id\": %d, \"parent\": %d, \"round\": %" PRId64 ", \"next_round\": ", id,
                   x->parent, x->round);
    xv_str(b, a->rounds[x->round % a->nrounds].name);
    hoc_buf_puts(b, ", \"label\": ");
    xv_str(b, x->label);
    hoc_buf_puts(b, ", \"crashed\": ");
    set_list(b, x->crashed);
    hoc_buf_puts(b, ", \"children\": [");
    for (int c = id + 1, k = 0; c < t->count; c++)
        if (t->nodes[c].parent == id) hoc_buf_printf(b, "%s%d", k++ ? ", " : "", c);
    hoc_buf_puts(b, "], \"addr\": ");
    hoc_buf addr = {0};
    if (xaddr_of(t, id, &addr) == 0)
        xv_str(b, hoc_buf_str(&addr));
    else
        hoc_buf_puts(b, "null");
    hoc_buf_free(&addr);
    hoc_buf_puts(b, ",\n");
    state_procs(t, id, b);
    hoc_buf_puts(b, ",\n");
    state_specs(t, id, b);
    hoc_buf_puts(b, "}");
}

/* The outputs process q produced in the round that led to node id. */
static void round_outputs(const xt_tree *t, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    const xt_node *x = &t->nodes[id];
    hoc_buf_puts(b, "\"outputs\": [");
    int k = 0;
    for (int q = 0; q < t->n; q++) {
        const uint8_t *out = x->outputs + (size_t)q * a->outputs_size;
        for (int i = 0; i < a->noutputs; i++) {
            const hoc_output *o = &a->outputs[i];
            if (!out[o->fired_offset]) continue;
            char *val = NULL;
            if (o->has_value) {
                hoc_field fd = {.name = o->name,
                                .kind = o->kind,
                                .count = o->kind == HOC_K_BYTES ? o->count : 1,
                                .offset = o->value_offset,
                                .enum_names = o->enum_names,
                                .enum_count = o->enum_count};
                val = field_str(t, &fd, out);
            }
            hoc_buf_printf(b, "%s{\"p\": %d, \"name\": ", k++ ? ", " : "", q);
            xv_str(b, o->name);
            hoc_buf_puts(b, ", \"value\": ");
            xv_str(b, val);
            hoc_buf_puts(b, "}");
            free(val);
        }
    }
    hoc_buf_puts(b, "]");
}

/* What the environment did after the updates of the round that led to node
 * id: per process it touched, whether it was replaced and the events it was
 * handed, each as hoc check's traces print it ("write(2)"). */
static void round_env(const xt_tree *t, int id, hoc_buf *b)
{
    const xt_node *x = &t->nodes[id];
    hoc_buf_puts(b, "\"env\": [");
    for (int q = 0, k = 0; x->env && q < t->n; q++) {
        const simenv_step *s = &x->env[q];
        if (!s->replaced && !s->count) continue;
        hoc_buf_printf(b, "%s{\"p\": %d, \"replaced\": %s, \"events\": [", k++ ? ", " : "", q,
                       s->replaced ? "true" : "false");
        for (int e = 0; e < s->count; e++) {
            simenv_step one = {.count = 1, .event = {s->event[e]}};
            memcpy(one.args[0], s->args[e], sizeof one.args[0]);
            char *text = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&text, &len);
            if (!f) abort(); /* as hoc_buf does */
            simenv_print(f, t->a, &one);
            if (fclose(f) != 0 || !text) abort();
            hoc_buf_puts(b, e ? ", " : "");
            xv_str(b, text + 1); /* simenv_print starts with a space */
            free(text);
        }
        hoc_buf_puts(b, "]}");
    }
    hoc_buf_puts(b, "]");
}

/* The messages of the round from node `from` to node id: who sent what to
 * whom, and whether it was heard. */
static void round_msgs(xt_tree *t, int from, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    const xt_node *x = &t->nodes[id];
    size_t rsz = xt_sends(t, from);
    const hoc_round *rd = &a->rounds[t->nodes[from].round % a->nrounds];
    hoc_buf_puts(b, "\"msgs\": [");
    int k = 0;
    for (int p = 0; p < t->n; p++)
        for (int q = hoc_set_min(t->to[p]); q >= 0 && q < t->n; q = hoc_set_next(t->to[p], q)) {
            const uint8_t *m = t->box + ((size_t)p * HOC_MAXN + (size_t)q) * rsz;
            hoc_buf text = {0};
            for (int i = 0; i < rd->nfields; i++) {
                char *v = field_str(t, &rd->fields[i], m);
                hoc_buf_printf(&text, "%s%s=%s", i ? " " : "", rd->fields[i].name, v);
                free(v);
            }
            bool heard = hoc_set_has(x->ho[q], p) && !((x->crashed >> q) & 1);
            hoc_buf_printf(b, "%s{\"from\": %d, \"to\": %d, \"heard\": %s, \"payload\": ",
                           k++ ? ", " : "", p, q, heard ? "true" : "false");
            xv_str(b, hoc_buf_str(&text));
            hoc_buf_puts(b, "}");
            hoc_buf_free(&text);
        }
    hoc_buf_puts(b, "]");
}

void xv_path(xt_tree *t, int id, hoc_buf *b)
{
    const hoc_algo *a = t->a;
    int len = 0, root = id;
    for (int c = id; c >= 0; c = t->nodes[c].parent)
        len++, root = c;
    int *chain = malloc(sizeof *chain * (size_t)len);
    if (!chain) abort(); /* as hoc_buf does: nothing sensible to show without memory */
    len = 0;
    for (int c = id; c >= 0; c = t->nodes[c].parent)
        chain[len++] = c;
    hoc_buf_printf(b, "{\"id\": %d, \"root\": %d, \"rounds\": [", id, root);
    for (int k = len - 2; k >= 0; k--) {
        int c = chain[k], from = chain[k + 1];
        const xt_node *x = &t->nodes[c];
        hoc_buf_printf(b, "%s\n{\"id\": %d, \"round\": %" PRId64 ", \"name\": ",
                       k == len - 2 ? "" : ",", c, t->nodes[from].round);
        xv_str(b, a->rounds[t->nodes[from].round % a->nrounds].name);
        hoc_buf_puts(b, ", \"crashed\": ");
        set_list(b, x->crashed);
        hoc_buf_puts(b, ", \"ho\": [");
        for (int q = 0; q < t->n; q++) {
            hoc_buf_puts(b, q ? ", " : "");
            set_list(b, x->ho[q]);
        }
        hoc_buf_puts(b, "], \"oracle\": [");
        for (int q = 0; q < t->n; q++)
            hoc_buf_printf(b, "%s%" PRIu64, q ? ", " : "", x->oracle[q]);
        hoc_buf_puts(b, "], ");
        round_outputs(t, c, b);
        hoc_buf_puts(b, ", ");
        round_env(t, c, b);
        hoc_buf_puts(b, ", ");
        round_msgs(t, from, c, b);
        hoc_buf_puts(b, "}");
    }
    hoc_buf_puts(b, "]}");
    free(chain);
}
