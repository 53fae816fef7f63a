/* test_lincheck.c: the checker's pieces: the text format and its errors,
 * the models' semantics, partitions, reports, and the search against a
 * brute-force search over every order, on thousands of small random
 * histories. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoc_check.h"
#include "lin_block.h"
#include "lin_html.h"
#include "lin_kv.h"
#include "lin_report.h"
#include "lin_text.h"
#include "rng.h"

/* The verdict on text for the model called name, -1 when the text or an
 * op is bad (the message in err). */
static int verdict_of(const char *name, const char *text, const lin_options *o, char *err)
{
    lin_model m;
    if (strcmp(name, "kv") == 0)
        lin_kv_model(&m);
    else
        lin_block_model(&m, 0, NULL);
    lin_history h;
    lin_history_init(&h);
    lin_options dflt = {.budget_s = 20};
    lin_result r;
    int v = -1;
    if (lin_text_read_string(text, &h, err, 256) == 0 &&
        lin_check_run(&m, &h, o ? o : &dflt, &r, err, 256) == 0) {
        v = (int)r.verdict;
        lin_check_free(&r);
    }
    lin_history_free(&h);
    m.free(m.ctx);
    return v;
}

static int kv(const char *text)
{
    char err[256] = "";
    int v = verdict_of("kv", text, NULL, err);
    if (v < 0) fprintf(stderr, "unexpected error: %s\n", err);
    return v;
}

/* Whether text gives an error containing want. */
static int error_says(const char *model, const char *text, const char *want)
{
    char err[256] = "";
    int v = verdict_of(model, text, NULL, err);
    if (v < 0 && strstr(err, want)) return 1;
    fprintf(stderr, "for %s\n  wanted an error with '%s', got %d '%s'\n", text, want, v, err);
    return 0;
}

static void test_tokens(void)
{
    lin_history h;
    lin_history_init(&h);
    char err[256];
    CHECK(lin_text_read_string("# a comment\n\n  c1 5 9 mset \"a b\" \"\\x00\\n\\\"\" k2 x\"00ff\""
                               " -> OK # the end\nc2 7 ? GET nil-ish -> ?\nc2 8 ? GET k",
                               &h, err, sizeof err) == 0);
    CHECK(h.nops == 3 && h.nclients == 2);
    lin_op *op = &h.ops[0];
    CHECK(strcmp(op->name, "MSET") == 0 && op->nargs == 4 && op->nres == 1 && op->line == 3);
    CHECK(op->args[0].n == 3 && memcmp(op->args[0].p, "a b", 3) == 0);
    CHECK(op->args[1].n == 3 && memcmp(op->args[1].p, "\0\n\"", 3) == 0);
    CHECK(op->args[3].n == 2 && op->args[3].p[0] == 0 && op->args[3].p[1] == 0xff);
    CHECK(h.ops[1].ret == LIN_PENDING && h.ops[1].nres == 0 && h.ops[1].args[0].n == 7);
    CHECK(h.ops[2].ret == LIN_PENDING && h.ops[2].client == 1);
    /* what is written reads back as the same ops */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    lin_text_write(f, &h);
    fclose(f);
    lin_history back;
    lin_history_init(&back);
    CHECK(lin_text_read_string(text, &back, err, sizeof err) == 0 && back.nops == h.nops);
    for (size_t i = 0; i < h.nops && i < back.nops; i++) {
        CHECK(back.ops[i].nargs == h.ops[i].nargs && back.ops[i].ret == h.ops[i].ret);
        for (uint32_t a = 0; a < h.ops[i].nargs; a++)
            CHECK(lin_history_val_eq(back.ops[i].args[a], h.ops[i].args[a]));
    }
    free(text);
    lin_history_free(&back);
    lin_history_free(&h);
}

static void test_format_errors(void)
{
    CHECK(error_says("kv", "c1 0 10 SET x \"abc -> OK", "line 1, column 15: the string has no"));
    CHECK(error_says("kv", "c1 x 10 GET k -> nil", "line 1, column 4: CALL must be a time"));
    CHECK(error_says("kv", "c1 -3 10 GET k -> nil", "CALL must be a time"));
    CHECK(error_says("kv", "c1 10 5 GET k -> nil", "line 1: the return time 5 is before"));
    CHECK(error_says("kv", "c1 0 ? GET k -> nil", "no result but ?"));
    CHECK(error_says("kv", "c1 0 10 GET k", "needs '-> RESULT'"));
    CHECK(error_says("kv", "c1 0 10 GET k -> ?", "needs '-> RESULT'"));
    CHECK(error_says("kv", "c1 0 10", "an op is CLIENT CALL RET OP"));
    CHECK(error_says("kv", "c1 0 10 GET \"k\\q\" -> nil", "column 15: unknown escape"));
    CHECK(error_says("kv", "c1 0 10 GET x\"0g\" -> nil", "pairs of hex digits"));
    CHECK(error_says("kv", "c1 0 10 GET k\"x -> nil", "a bare word cannot hold"));
    CHECK(error_says("kv", "c1 0 10 GET \"k\"x -> nil", "a space must follow"));
    CHECK(error_says("kv", "c1 0 10 GET ? -> nil", "cannot be an argument"));
    CHECK(error_says("kv", "c1 0 10 \"GET\" k -> nil", "OP must be a bare name"));
    CHECK(error_says("kv", "c1 0 1 SET a 1 -> OK\n\nc2 3 x GET a -> 1", "line 3, column 6: RET"));
    /* ops the model refuses, named by their line */
    CHECK(
        error_says("kv", "c1 0 1 SET a 1 -> OK\nc1 2 3 GET a b -> 1", "line 2: GET takes one key"));
    CHECK(error_says("kv", "c1 0 1 FLUSHALL -> OK", "line 1: unknown op FLUSHALL"));
    CHECK(error_says("kv", "c1 0 1 MGET a b -> 1", "MGET has 2 results, not 1"));
    CHECK(error_says("kv", "c1 0 1 INCRBY a 1.5 -> 1", "takes an integer"));
    CHECK(error_says("kv", "c1 0 1 INCRBY a 007 -> 1", "takes an integer"));
    CHECK(error_says("kv", "c1 0 1 SET a nil -> OK", "only CAS takes nil"));
    CHECK(error_says("kv", "c1 0 1 MSET a 1 b -> OK", "pairs of a key and a value"));
    CHECK(error_says("block", "c1 0 1 WRITE 0 x\"0000\" -> OK\nc1 2 3 READ 0 -> x\"000000\"",
                     "line 2: READ: the result is 3 bytes, but blocks are 2"));
    CHECK(error_says("block", "c1 0 1 WRITE 0 x\"0000\" -> OK\nc1 2 3 ADD 0 1 5 -> 5",
                     "line 2: ADD at offset 1 needs 8 bytes"));
    CHECK(error_says("block", "c1 0 1 ADD 0 8 5 -> 5\nc1 2 3 WRITE 0 x\"0000\" -> OK",
                     "line 1 needs blocks of 16 bytes, but they are 2"));
    CHECK(error_says("block", "c1 0 1 TRIM 0 -> OK", "unknown op TRIM"));
}

static void test_kv_semantics(void)
{
    /* one client, one after another: each result is the only right one */
    const char *seq = "c 0 1 GET a -> nil\n"
                      "c 2 3 SET a 5 -> OK\n"
                      "c 4 5 INCRBY a 3 -> 8\n"
                      "c 6 7 INCR b -> 1\n"
                      "c 8 9 DECRBY b 4 -> -3\n"
                      "c 10 11 MGET a b c -> 8 -3 nil\n"
                      "c 12 13 DEL a c b a -> 2\n"
                      "c 14 15 MSET a x a y b z -> OK\n"
                      "c 16 17 INCRBY a 1 -> ERR\n"
                      "c 18 19 CAS a y w -> 1\n"
                      "c 20 21 CAS a y v -> 0\n"
                      "c 22 23 CAS c nil 1 -> 1\n"
                      "c 24 25 CAS c 1 nil -> 1\n"
                      "c 26 27 MGET a b c -> w z nil\n"
                      "c 28 29 SET n 9223372036854775807 -> OK\n"
                      "c 30 31 INCR n -> ERR\n"
                      "c 32 33 DECR n -> 9223372036854775806\n"
                      "c 34 35 SET e \"\" -> OK\n"
                      "c 36 37 GET e -> \"\"\n";
    CHECK(kv(seq) == LIN_LINEARIZABLE);
    /* change any one result, and it is not */
    const char *wrong[] = {"-> nil\n", "-> 9\n",     "-> -3\n",       "-> 8 -3 \"\"\n",
                           "-> 3\n",   "-> w z 1\n", "-> \"\\x00\"\n"};
    const char *right[] = {"-> OK\n", "-> 8\n",       "-> 1\n",   "-> 8 -3 nil\n",
                           "-> 2\n",  "-> w z nil\n", "-> \"\"\n"};
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        char *s = strdup(seq), *at = strstr(s, right[i]);
        CHECK(at != NULL);
        if (!at) continue;
        size_t n = strlen(right[i]), m = strlen(wrong[i]);
        char *t = malloc(strlen(s) + m + 1);
        memcpy(t, s, (size_t)(at - s));
        strcpy(t + (at - s), wrong[i]);
        strcat(t, at + n);
        CHECK(kv(t) == LIN_VIOLATION);
        free(t), free(s);
    }
}

static void test_block_semantics(void)
{
    char err[256];
    const char *seq = "c 0 1 READ 7 -> x\"0000000000000000\"\n"
                      "c 2 3 WRITE 7 x\"0102030405060708\" -> OK\n"
                      "c 4 5 XOR 7 x\"0100000000000001\" -> OK\n"
                      "c 6 7 READ 7 -> x\"0002030405060709\"\n"
                      "c 8 9 ADD 7 0 -1 -> 650495289790235135\n"
                      "c 10 11 CAS 7 x\"0102030405060708\" x\"ffffffffffffffff\" -> 0\n"
                      "c 12 13 CAS 7 x\"ff01030405060709\" x\"ffffffffffffffff\" -> 1\n"
                      "c 14 15 ADD 7 0 1 -> 0\n"
                      "c 16 17 READ 7 -> x\"0000000000000000\"\n"
                      "c 18 19 READ 8 -> x\"0000000000000000\"\n";
    CHECK(verdict_of("block", seq, NULL, err) == LIN_LINEARIZABLE);
    /* XOR then READ of the block as it was before: the delta was lost */
    CHECK(verdict_of("block",
                     "c1 0 10 WRITE 1 x\"00ff\" -> OK\n"
                     "c1 20 30 XOR 1 x\"0101\" -> OK\n"
                     "c2 40 50 READ 1 -> x\"00ff\"\n",
                     NULL, err) == LIN_VIOLATION);
}

/* The partitions of a history and which one a violation is reported in. */
static void test_partitions(void)
{
    const char *text = "c1 0 10 SET a 1 -> OK\n"
                       "c2 0 10 MSET b 1 c 2 -> OK\n"
                       "c3 20 30 MGET c d -> 2 nil\n"
                       "c1 20 30 GET e -> nil\n"
                       "c1 40 50 GET e -> 1\n"
                       "c2 40 50 GET a -> 2\n"
                       "c3 40 50 GET a -> 1\n";
    lin_model m;
    lin_kv_model(&m);
    lin_history h;
    lin_history_init(&h);
    char err[256];
    CHECK(lin_text_read_string(text, &h, err, sizeof err) == 0);
    lin_options o = {.all = true};
    lin_result r;
    CHECK(lin_check_run(&m, &h, &o, &r, err, sizeof err) == 0);
    CHECK(r.parts.n == 3 && r.verdict == LIN_VIOLATION);
    /* {b, c, d}: 2 ops, {e}: 2 ops, {a}: 3 ops; fewest first, then earliest */
    CHECK(r.parts.v[0].nops == 2 && r.parts.v[1].nops == 2 && r.parts.v[2].nops == 3);
    CHECK(r.parts.v[0].nslots == 3 && r.parts.v[1].nslots == 1);
    CHECK(r.per[0].verdict == LIN_LINEARIZABLE && r.per[1].verdict == LIN_VIOLATION);
    CHECK(r.per[2].verdict == LIN_VIOLATION && r.failed == 1);
    lin_check_free(&r);
    /* checked whole, the verdict is the same */
    o.whole = true;
    CHECK(lin_check_run(&m, &h, &o, &r, err, sizeof err) == 0);
    CHECK(r.parts.n == 1 && r.verdict == LIN_VIOLATION);
    lin_check_free(&r);
    lin_history_free(&h);
    m.free(m.ctx);
}

static char *report_of(const char *text, const char *html)
{
    lin_model m;
    lin_kv_model(&m);
    lin_history h;
    lin_history_init(&h);
    char err[256], *out = NULL;
    size_t len = 0;
    lin_options o = {0};
    lin_result r;
    CHECK(lin_text_read_string(text, &h, err, sizeof err) == 0);
    CHECK(lin_check_run(&m, &h, &o, &r, err, sizeof err) == 0);
    FILE *f = open_memstream(&out, &len);
    lin_report_text(f, &r, 60);
    fclose(f);
    if (html) CHECK(lin_html_write(html, &r, "test <history>", 1000) == 0);
    lin_check_free(&r);
    lin_history_free(&h);
    m.free(m.ctx);
    return out;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s = calloc(1, 1 << 20);
    if (f && s) {
        size_t n = fread(s, 1, (1 << 20) - 1, f);
        s[n] = 0;
    }
    if (f) fclose(f);
    return s;
}

static void test_reports(void)
{
    const char *stale = "w1 0 100 SET x 1 -> OK\n"
                        "w1 110 200 SET x 2 -> OK\n"
                        "r1 150 300 GET x -> 2\n"
                        "r2 210 300 GET x -> 1\n"
                        "r3 0 10 SET y 5 -> OK\n";
    char html[] = "/tmp/lincheck-report-XXXXXX";
    int fd = mkstemp(html);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
    char *out = report_of(stale, html);
    CHECK(strstr(out, "not linearizable: 5 ops, 2 partitions") != NULL);
    CHECK(strstr(out, "the partition of key x (4 ops") != NULL);
    CHECK(strstr(out, "Longest linearizable prefix found: 3 of 4 ops") != NULL);
    CHECK(strstr(out, "r2 GET x -> 1 (line 4) has returned by 300") != NULL);
    CHECK(strstr(out, "GET x -> 1 (line 4): here it would return 2") != NULL);
    CHECK(strstr(out, "!! r2") != NULL);
    free(out);
    char *page = slurp(html);
    CHECK(strstr(page, "<!DOCTYPE html>") && strstr(page, "</html>"));
    CHECK(strstr(page, "test &lt;history&gt;") != NULL);
    CHECK(strstr(page, "class=\"op cand\"") && strstr(page, "class=\"fail\""));
    CHECK(!strstr(page, "<script") && !strstr(page, "http") && !strstr(page, "src="));
    free(page);
    out = report_of("c 0 1 SET x 1 -> OK\nc 2 3 GET x -> 1\n", html);
    CHECK(strncmp(out, "linearizable: 2 ops, 1 partition", 32) == 0);
    free(out);
    page = slurp(html);
    CHECK(strstr(page, "A linearization (2 ops)") && strstr(page, "#2 GET x"));
    free(page);
    remove(html);
}

/* Brute force: every order the real-time order allows, no memo, no
 * partitions, pending ops placed anywhere or left out. */
static int brute(lin_machine *mc, const lin_part *p, const uint8_t *state, size_t size, bool *done)
{
    const lin_history *h = mc->h;
    int64_t first_ret = INT64_MAX;
    for (size_t k = 0; k < p->nops; k++) {
        const lin_op *o = &h->ops[p->ops[k]];
        if (!done[k] && o->ret != LIN_PENDING && o->ret < first_ret) first_ret = o->ret;
    }
    if (first_ret == INT64_MAX) return 1;
    uint8_t *next = malloc(size + 1);
    int found = 0;
    for (size_t k = 0; k < p->nops && !found; k++) {
        if (done[k] || h->ops[p->ops[k]].call > first_ret) continue;
        memcpy(next, state, size);
        if (!lin_machine_apply(mc, p->ops[k], next)) continue;
        done[k] = true;
        found = brute(mc, p, next, size, done);
        done[k] = false;
    }
    free(next);
    return found;
}

static lin_val random_val(uint64_t *rng)
{
    static const char *vals[] = {"1", "2", "3", "nil"};
    const char *v = vals[hoc_rng_below(rng, 4)];
    return strcmp(v, "nil") == 0 ? lin_history_nil() : lin_history_str(v);
}

/* A small random history of GET SET INCRBY CAS MGET MSET DEL on keys a, b
 * with random results, so that about half are linearizable. */
static void random_small(lin_history *h, uint64_t *rng)
{
    static const char *names[] = {"GET", "SET", "INCRBY", "CAS", "MGET", "MSET", "DEL"};
    size_t n = 2 + hoc_rng_below(rng, 6);
    char err[256], client[32];
    for (size_t i = 0; i < n; i++) {
        const char *name = names[hoc_rng_below(rng, 7)];
        lin_val args[4], res[2];
        size_t nargs = 0, nres = 1;
        args[nargs++] = lin_history_str(hoc_rng_below(rng, 2) ? "a" : "b");
        if (strcmp(name, "SET") == 0 || strcmp(name, "INCRBY") == 0 || strcmp(name, "CAS") == 0)
            args[nargs++] = lin_history_str(hoc_rng_below(rng, 2) ? "1" : "2");
        if (strcmp(name, "CAS") == 0) args[nargs++] = random_val(rng);
        if (strcmp(name, "MGET") == 0 || strcmp(name, "DEL") == 0)
            args[nargs++] = lin_history_str(args[0].p[0] == 'a' ? "b" : "a");
        if (strcmp(name, "MSET") == 0) {
            args[nargs++] = lin_history_str("3");
            args[nargs++] = lin_history_str(args[0].p[0] == 'a' ? "b" : "a");
            args[nargs++] = lin_history_str("1");
        }
        nres = strcmp(name, "MGET") == 0 ? 2 : 1;
        for (size_t k = 0; k < nres; k++)
            res[k] = random_val(rng);
        if (strcmp(name, "SET") == 0 || strcmp(name, "MSET") == 0) res[0] = lin_history_str("OK");
        if (strcmp(name, "CAS") == 0 || strcmp(name, "DEL") == 0)
            res[0] = lin_history_str(hoc_rng_below(rng, 2) ? "1" : "0");
        int64_t call = (int64_t)hoc_rng_below(rng, 20),
                ret = call + (int64_t)hoc_rng_below(rng, 12);
        if (hoc_rng_below(rng, 6) == 0) ret = LIN_PENDING, nres = 0;
        snprintf(client, sizeof client, "c%zu", i);
        lin_history_add(h, lin_history_client(h, client), call, ret, name, args, nargs, res, nres,
                        0, err, sizeof err);
    }
}

static void test_against_brute_force(void)
{
    uint64_t rng = 42;
    int agree = 0, yes = 0, runs = 3000;
    for (int t = 0; t < runs; t++) {
        lin_model m;
        lin_kv_model(&m);
        lin_history h;
        lin_history_init(&h);
        random_small(&h, &rng);
        lin_options o = {0};
        lin_result r, w;
        char err[256];
        if (lin_check_run(&m, &h, &o, &r, err, sizeof err) != 0) {
            CHECK(!"a random history is refused");
            fprintf(stderr, "%s\n", err);
            break;
        }
        o.whole = true;
        CHECK(lin_check_run(&m, &h, &o, &w, err, sizeof err) == 0);
        size_t size = lin_machine_size(&w.mc, &w.parts.v[0]);
        uint8_t *start = malloc(size + 1);
        bool *done = calloc(h.nops, sizeof *done);
        lin_machine_start(&w.mc, &w.parts.v[0], start);
        int ok = brute(&w.mc, &w.parts.v[0], start, size, done);
        int same = (r.verdict == LIN_LINEARIZABLE) == ok && (w.verdict == LIN_LINEARIZABLE) == ok;
        if (!same && agree == t) {
            fprintf(stderr, "disagrees with brute force (%d), run %d:\n", ok, t);
            lin_text_write(stderr, &h);
        }
        agree += same;
        yes += ok;
        free(start), free(done);
        lin_check_free(&r), lin_check_free(&w);
        lin_history_free(&h);
        m.free(m.ctx);
    }
    printf("brute force: %d of %d agree (%d linearizable)\n", agree, runs, yes);
    CHECK(agree == runs);
    CHECK(yes > runs / 10 && yes < runs * 9 / 10);
}

/* Histories with random bytes changed: each is an error naming a line, or
 * gets a verdict; none crashes (the sanitizer build watches). */
static void test_garbage(void)
{
    const char *good = "c1 0 100 MSET a 1 b \"x\\ty\" -> OK\n"
                       "c2 10 ? INCRBY n 5\n"
                       "c3 20 120 MGET a b -> 1 nil\n"
                       "c4 30 40 CAS a 1 x\"00ff\" -> 0 # note\n"
                       "c1 130 140 DEL a b n -> 2\n";
    static const char alphabet[] = " \t\n\"\\#?x0-9>nil\x01\xff";
    uint64_t rng = 7;
    int errors = 0, verdicts = 0;
    size_t len = strlen(good);
    char *buf = malloc(len + 1);
    for (int t = 0; t < 3000; t++) {
        memcpy(buf, good, len + 1);
        for (int k = 1 + (int)hoc_rng_below(&rng, 4); k > 0; k--)
            buf[hoc_rng_below(&rng, len)] = alphabet[hoc_rng_below(&rng, sizeof alphabet - 1)];
        char err[256] = "";
        int v = verdict_of("kv", buf, NULL, err);
        if (v < 0) {
            errors++;
            CHECK(strncmp(err, "line ", 5) == 0);
        } else {
            verdicts++;
        }
    }
    free(buf);
    printf("garbage: %d errors, %d verdicts\n", errors, verdicts);
}

int main(void)
{
    test_tokens();
    test_format_errors();
    test_kv_semantics();
    test_block_semantics();
    test_partitions();
    test_reports();
    test_against_brute_force();
    test_garbage();
    return check_summary("lincheck-unit");
}
