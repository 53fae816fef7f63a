/* xaddr.c: durable addresses of explorer states (see xaddr.h). */
#include "xaddr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends one round's choices: the round that led to node id. */
static void round_token(const xt_tree *t, const xt_node *x, hoc_buf *b)
{
    for (int q = 0; q < t->n; q++)
        hoc_buf_printf(b, "%s%" PRIx64, q ? "." : "", x->ho[q]);
    if (x->crashed) hoc_buf_printf(b, "~c%" PRIx64, x->crashed);
    bool bits = false;
    for (int q = 0; q < t->n; q++)
        bits |= x->oracle[q] != 0;
    for (int q = 0; bits && q < t->n; q++)
        hoc_buf_printf(b, "%s%" PRIx64, q ? "." : "~o", x->oracle[q]);
}

int xaddr_of(const xt_tree *t, int id, hoc_buf *b)
{
    int root = id, depth = 0;
    while (t->nodes[root].parent >= 0)
        root = t->nodes[root].parent, depth++;
    const xt_node *r = &t->nodes[root];
    if (!r->inputs) return -1;
    /* an address holds heard-of sets, crashes and oracle bits, not the
     * environment's events: a run with events is addressed by node id */
    for (int c = id; c != root; c = t->nodes[c].parent)
        if (xt_has_env(t, c)) return -1;
    hoc_buf_puts(b, "run/");
    int nin = t->a->ninputs;
    if (nin == 0) hoc_buf_puts(b, "-");
    for (int p = 0; p < t->n; p++)
        for (int i = 0; i < nin; i++)
            hoc_buf_printf(b, "%s%" PRId64, i ? ":" : p ? "," : "", r->inputs[p * nin + i]);
    /* the rounds from the root down: walk up once per depth (runs are short) */
    int *chain = malloc(sizeof *chain * (size_t)(depth + 1));
    if (!chain) abort(); /* as hoc_buf does */
    for (int c = id, k = depth; c != root; c = t->nodes[c].parent)
        chain[--k] = c;
    for (int k = 0; k < depth; k++) {
        hoc_buf_puts(b, "/");
        round_token(t, &t->nodes[chain[k]], b);
    }
    free(chain);
    return 0;
}

/* Reads up to max hex words separated by '.' from *s into out, stopping at
 * '~', '/' or the end; the count read, or -1 when malformed. */
static int hex_list(const char **s, uint64_t *out, int max)
{
    int k = 0;
    for (;;) {
        char *end;
        errno = 0;
        if (k == max || !((**s >= '0' && **s <= '9') || (**s >= 'a' && **s <= 'f'))) return -1;
        unsigned long long v = strtoull(*s, &end, 16);
        if (errno) return -1;
        out[k++] = v;
        *s = end;
        if (**s != '.') return k;
        (*s)++;
    }
}

/* Reads the inputs part into in (n * ninputs); 0, or -1. */
static int read_inputs(const xt_tree *t, const char **s, int64_t *in)
{
    int want = t->n * t->a->ninputs;
    if (want == 0) {
        if (**s != '-') return -1;
        (*s)++;
        return 0;
    }
    for (int k = 0; k < want; k++) {
        char *end;
        errno = 0;
        long long v = strtoll(*s, &end, 10);
        if (errno || end == *s) return -1;
        in[k] = v;
        *s = end;
        if (k + 1 < want && **s != ',' && **s != ':') return -1;
        if (k + 1 < want) (*s)++;
    }
    return 0;
}

/* Reads one round's choices at *s and steps from node `from`; the new
 * node, or -1 with err filled. */
static int read_round(xt_tree *t, int from, const char **s, char *err, size_t errn)
{
    uint64_t ho[HOC_MAXN], oracle[HOC_MAXN] = {0}, crashed = 0;
    if (hex_list(s, ho, t->n) != t->n) {
        snprintf(err, errn, "a round needs %d heard-of sets in hex, separated by '.'", t->n);
        return -1;
    }
    if (strncmp(*s, "~c", 2) == 0) {
        *s += 2;
        if (hex_list(s, &crashed, 1) != 1) {
            snprintf(err, errn, "~c needs the crashed set in hex");
            return -1;
        }
    }
    if (strncmp(*s, "~o", 2) == 0) {
        *s += 2;
        if (hex_list(s, oracle, t->n) != t->n) {
            snprintf(err, errn, "~o needs %d oracle words in hex", t->n);
            return -1;
        }
    }
    if (**s && **s != '/') {
        snprintf(err, errn, "unexpected '%c' in a round", **s);
        return -1;
    }
    for (int q = 0; q < t->n; q++)
        if (ho[q] & ~hoc_set_all(t->n)) {
            snprintf(err, errn, "a heard-of set names a process beyond p%d", t->n - 1);
            return -1;
        }
    uint64_t mask = t->a->noracles >= 64 ? ~0ull : (1ull << t->a->noracles) - 1;
    for (int q = 0; q < t->n; q++)
        if (oracle[q] & ~mask) {
            snprintf(err, errn, "oracle bits beyond %s's %d oracle(s)", t->a->name, t->a->noracles);
            return -1;
        }
    if (crashed & ~hoc_set_all(t->n)) {
        snprintf(err, errn, "a crashed process beyond p%d", t->n - 1);
        return -1;
    }
    int id = xt_step(t, from, ho, crashed, oracle, NULL, "step");
    if (id < 0) snprintf(err, errn, "the explorer holds too many states");
    return id;
}

int xaddr_resolve(xt_tree *t, const char *addr, char *err, size_t errn)
{
    const char *s = addr;
    if (strncmp(s, "run/", 4) != 0) {
        snprintf(err, errn, "an address starts with run/");
        return -1;
    }
    s += 4;
    int64_t *in = calloc((size_t)t->n * (size_t)(t->a->ninputs + 1), sizeof *in);
    if (!in) {
        snprintf(err, errn, "out of memory");
        return -1;
    }
    int id = -1, count = t->count; /* a bad address leaves nothing behind */
    if (read_inputs(t, &s, in) != 0 || (*s && *s != '/'))
        snprintf(err, errn, "the inputs should be %d value(s) per process, as in --input",
                 t->a->ninputs);
    else if (!xt_inputs_ok(t, in, err, errn))
        id = -1;
    else if ((id = xt_root(t, in, "start")) < 0)
        snprintf(err, errn, "the explorer holds too many states");
    free(in);
    while (id >= 0 && *s == '/') {
        s++;
        if (!*s) break; /* a trailing slash */
        id = read_round(t, id, &s, err, errn);
    }
    if (id < 0) xt_truncate(t, count);
    return id;
}
