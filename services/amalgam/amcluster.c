/* amcluster.c: parsing and validating an Amalgam cluster file (amcluster.h,
 * docs/deploy.md). The parser reads the whole file first and checks what
 * depends on several lines (machines against g + f + witnesses, stripes
 * against machines) at the end, naming the line a user would change. */
#include "amcluster.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"

#define MAX_TOKENS 10
#define LINE_MAX_LEN 1024
#define FILE_MAX (1 << 20)

/* Lines of the settings written so far (0: not written). */
typedef struct Lines {
    int g, f, w, block, stripes, per_inst, suspect, secret;
} Lines;

typedef struct Ctx {
    const char *name;
    char *err;
    size_t errcap;
    amc_cluster *c;
    Lines at;
    bool seen_machine[AMC_MAX_MACHINES], seen_reconf[AMC_MAX_RECONF];
    int nmachines; /* machine lines so far */
} Ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
fail(Ctx *x, int line, const char *fmt, ...)
{
    int k = line > 0 ? snprintf(x->err, x->errcap, "%s:%d: ", x->name, line)
                     : snprintf(x->err, x->errcap, "%s: ", x->name);
    if (k < 0) k = 0;
    if ((size_t)k < x->errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->err + k, x->errcap - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A whole decimal in [lo, hi]. */
static int number(const char *s, long long lo, long long hi, long long *out)
{
    if (!*s || strlen(s) > 18) return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return -1;
    long long v = strtoll(s, NULL, 10);
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int amc_size(const char *s, int64_t *out)
{
    static const struct {
        const char *suffix;
        int64_t mult;
    } units[] = {
        {"", 1},
        {"B", 1},
        {"K", 1LL << 10},
        {"KiB", 1LL << 10},
        {"KB", 1000},
        {"M", 1LL << 20},
        {"MiB", 1LL << 20},
        {"MB", 1000000},
        {"G", 1LL << 30},
        {"GiB", 1LL << 30},
        {"GB", 1000000000},
        {"T", 1LL << 40},
        {"TiB", 1LL << 40},
        {"TB", 1000000000000LL},
    };
    size_t digits = 0;
    while (isdigit((unsigned char)s[digits]))
        digits++;
    if (digits == 0 || digits > 18) return -1;
    long long v = strtoll(s, NULL, 10);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s + digits, units[i].suffix) != 0) continue;
        if (v < 1 || v > ((int64_t)1 << 62) / units[i].mult) return -1;
        *out = v * units[i].mult;
        return 0;
    }
    return -1;
}

static const char *const DIRECTIVES = "g, f, witnesses, block, stripes, blocks-per-instance, "
                                      "suspect-ms, secret, machine, reconf";

/* A setting "NAME VALUE" with VALUE a whole number in [lo, hi]: value in *v. */
static int setting(Ctx *x, int line, int *at, int ntok, char **tok, long long lo, long long hi,
                   const char *what, long long *v)
{
    if (*at) return fail(x, line, "'%s' is set twice (first on line %d): keep one", tok[0], *at);
    if (ntok != 2) return fail(x, line, "expected '%s N' (%s)", tok[0], what);
    if (number(tok[1], lo, hi, v))
        return fail(x, line, "%s takes a number from %lld to %lld (%s), not '%s'", tok[0], lo, hi,
                    what, tok[1]);
    *at = line;
    return 0;
}

static int parse_block(Ctx *x, int line, int ntok, char **tok)
{
    if (x->at.block)
        return fail(x, line, "'block' is set twice (first on line %d): keep one", x->at.block);
    if (ntok != 2) return fail(x, line, "expected 'block SIZE' (bytes a block, e.g. 4K)");
    int64_t v;
    if (amc_size(tok[1], &v))
        return fail(x, line,
                    "block takes a size like 4096, 4K or 1M (binary; KB and MB are "
                    "1000s), not '%s'",
                    tok[1]);
    if (v < AMC_MIN_BLOCK || v > AMC_MAX_BLOCK)
        return fail(x, line, "block must be 64 B to 1 MiB, not %lld bytes", (long long)v);
    if (v % 64)
        return fail(x, line,
                    "block must be a multiple of 64 bytes (the erasure coder works on whole "
                    "64-byte vectors, stdlib/erasure.h), not %lld: use %lld or %lld",
                    (long long)v, (long long)(v / 64 * 64), (long long)(v / 64 * 64 + 64));
    x->c->block = v;
    x->c->block_line = x->at.block = line;
    return 0;
}

static int parse_secret(Ctx *x, int line, int ntok, char **tok)
{
    if (x->at.secret)
        return fail(x, line, "'secret' is set twice (first on line %d): keep one", x->at.secret);
    if (ntok != 2) return fail(x, line, "expected 'secret FILE' (a path without spaces)");
    if (strlen(tok[1]) >= AMC_PATH_MAX) return fail(x, line, "the secret's path is too long");
    snprintf(x->c->secret, sizeof x->c->secret, "%s", tok[1]);
    x->c->secret_line = x->at.secret = line;
    return 0;
}

/* A host name or IPv4 address, or [IPv6] (brackets removed into out). */
static int parse_host(Ctx *x, int line, const char *s, char *out)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') s++, n -= 2;
    if (n == 0) return fail(x, line, "empty host");
    if (n >= AMC_HOST_MAX) return fail(x, line, "host name too long (at most 255 characters)");
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || strchr(".-:_", s[i])))
            return fail(x, line, "bad character '%c' in the host '%s'", s[i], s);
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

/* Is (host, port) already used by a machine or a replica? Its line, or 0. */
static int port_taken(const Ctx *x, const char *host, int port)
{
    for (int i = 0; i < AMC_MAX_MACHINES; i++) {
        const amc_machine *m = &x->c->machine[i];
        if (!x->seen_machine[i] || strcmp(m->host, host) != 0) continue;
        if (port == m->data || port == m->parity || port == m->witness || port == m->client ||
            port == m->metrics)
            return m->line;
    }
    for (int i = 0; i < AMC_MAX_RECONF; i++)
        if (x->seen_reconf[i] &&
            (x->c->reconf[i].port == port || x->c->reconf[i].metrics == port) &&
            strcmp(x->c->reconf[i].host, host) == 0)
            return x->c->reconf[i].line;
    return 0;
}

static const char *const PORT_KEYS[] = {"data", "parity", "witness", "client", "metrics"};

/* The ports of a machine line: KEY=P sets one; base=P (or a bare P) is kept
 * in *base and gives the others once the machine count M is known
 * (resolve_bases): servers at port P serve rotation class t at P + t, so
 * each takes M ports. */
static int parse_ports(Ctx *x, int line, int ntok, char **tok, int ports[5], int *basep)
{
    bool set[5] = {false};
    long long base = 0;
    for (int t = 3; t < ntok; t++) {
        char *eq = strchr(tok[t], '=');
        const char *key = eq ? tok[t] : "base", *val = eq ? eq + 1 : tok[t];
        if (eq) *eq = 0;
        long long v;
        if (number(val, 1, 65535, &v))
            return fail(x, line, "%s= takes a port from 1 to 65535, not '%s'", key, val);
        if (strcmp(key, "base") == 0) {
            if (base) return fail(x, line, "two base ports on one machine line: keep one");
            base = v;
            continue;
        }
        int k = 0;
        while (k < 5 && strcmp(key, PORT_KEYS[k]) != 0)
            k++;
        if (k == 5)
            return fail(x, line,
                        "unknown port '%s=': expected base, data, parity, witness, client or "
                        "metrics",
                        key);
        if (set[k]) return fail(x, line, "%s= is given twice", key);
        set[k] = true;
        ports[k] = (int)v;
    }
    *basep = (int)base;
    if (base) return 0; /* the rest is checked once base is resolved */
    for (int k = 0; k < 5; k++)
        for (int j = 0; j < k; j++)
            if (ports[k] && ports[k] == ports[j])
                return fail(x, line, "%s= and %s= are both port %d: give each server its own",
                            PORT_KEYS[j], PORT_KEYS[k], ports[k]);
    static const int required[] = {0, 1, 3}; /* data, parity, client; witness at the end */
    for (size_t r = 0; r < 3; r++)
        if (!ports[required[r]])
            return fail(x, line, "no %s port: add base=P or %s=P", PORT_KEYS[required[r]],
                        PORT_KEYS[required[r]]);
    return 0;
}

/* base=P gives, with M machines (= rotation classes): data P, parity P + M,
 * witness P + 2M (each P.. + M - 1, one port a class), client P + 3M,
 * metrics P + 3M + 1; a port given as KEY=P on the line overrides its share. */
static int resolve_bases(Ctx *x)
{
    int M = x->c->geo.machines;
    for (int i = 0; i < M; i++) {
        amc_machine *m = &x->c->machine[i];
        if (!m->base) continue;
        long long top = (long long)m->base + 3LL * M + 1;
        if (top > 65535)
            return fail(x, m->line,
                        "base=%d needs ports %d..%lld (data, parity and witness servers take %d "
                        "each, one per rotation class, then client and metrics): use at most %d",
                        m->base, m->base, top, M, 65535 - 3 * M - 1);
        int *p[5] = {&m->data, &m->parity, &m->witness, &m->client, &m->metrics};
        int off[5] = {0, M, 2 * M, 3 * M, 3 * M + 1};
        for (int k = 0; k < 5; k++)
            if (!*p[k]) *p[k] = m->base + off[k];
    }
    return 0;
}

static int parse_machine(Ctx *x, int line, int ntok, char **tok)
{
    if (ntok < 4)
        return fail(x, line,
                    "expected 'machine ID HOST base=P' or 'machine ID HOST data=P parity=P "
                    "witness=P client=P [metrics=P]'");
    long long id;
    if (number(tok[1], 0, AMC_MAX_MACHINES - 1, &id))
        return fail(x, line, "a machine id is a number from 0 to %d, not '%s'",
                    AMC_MAX_MACHINES - 1, tok[1]);
    if (x->seen_machine[id])
        return fail(x, line, "machine %lld is declared twice (first on line %d)", id,
                    x->c->machine[id].line);
    amc_machine m = {.id = (int)id, .line = line};
    if (parse_host(x, line, tok[2], m.host)) return -1;
    int ports[5] = {0};
    if (parse_ports(x, line, ntok, tok, ports, &m.base)) return -1;
    m.data = ports[0], m.parity = ports[1], m.witness = ports[2], m.client = ports[3];
    m.metrics = ports[4];
    for (int k = 0; k < 5; k++) {
        int other = ports[k] ? port_taken(x, m.host, ports[k]) : 0;
        if (other)
            return fail(x, line, "%s:%d (%s=) is already used on line %d", m.host, ports[k],
                        PORT_KEYS[k], other);
    }
    x->c->machine[id] = m;
    x->seen_machine[id] = true;
    x->nmachines++;
    return 0;
}

static int parse_reconf(Ctx *x, int line, int ntok, char **tok)
{
    if (ntok != 3 && ntok != 4) return fail(x, line, "expected 'reconf ID HOST:PORT [metrics=P]'");
    long long id, port, metrics = 0;
    if (number(tok[1], 0, AMC_MAX_RECONF - 1, &id))
        return fail(x, line,
                    "a reconf id is a number from 0 to %d (the service has 1, 3, 5 or 7 "
                    "replicas), not '%s'",
                    AMC_MAX_RECONF - 1, tok[1]);
    if (x->seen_reconf[id])
        return fail(x, line, "reconf replica %lld is declared twice (first on line %d)", id,
                    x->c->reconf[id].line);
    char *colon = strrchr(tok[2], ':');
    if (!colon) return fail(x, line, "missing ':PORT' after the host in '%s'", tok[2]);
    *colon = 0;
    if (number(colon + 1, 1, 65535, &port))
        return fail(x, line, "the port must be 1 to 65535, not '%s'", colon + 1);
    if (ntok == 4 &&
        (strncmp(tok[3], "metrics=", 8) != 0 || number(tok[3] + 8, 1, 65535, &metrics)))
        return fail(x, line,
                    "expected metrics=P (a port from 1 to 65535) after HOST:PORT, not '%s'",
                    tok[3]);
    amc_replica r = {.id = (int)id, .port = (int)port, .metrics = (int)metrics, .line = line};
    if (parse_host(x, line, tok[2], r.host)) return -1;
    if (r.metrics == r.port)
        return fail(x, line, "metrics= is the replica's own port %d: give it another", r.port);
    for (int k = 0; k < 2; k++) {
        int p = k ? r.metrics : r.port, other = p ? port_taken(x, r.host, p) : 0;
        if (other) return fail(x, line, "%s:%d is already used on line %d", r.host, p, other);
    }
    x->c->reconf[id] = r;
    x->seen_reconf[id] = true;
    x->c->nreconf++;
    return 0;
}

static int parse_directive(Ctx *x, int line, int ntok, char **tok)
{
    amc_cluster *c = x->c;
    const char *d = tok[0];
    long long v = 0; /* stays 0 when setting() fails, and the parse stops */
    int rc;
    if (strcmp(d, "g") == 0) {
        rc = setting(x, line, &x->at.g, ntok, tok, 1, 254, "data servers per stripe", &v);
        c->geo.g = (int)v;
    } else if (strcmp(d, "f") == 0) {
        rc = setting(x, line, &x->at.f, ntok, tok, 1, 254, "parity servers per stripe", &v);
        c->geo.f = (int)v;
    } else if (strcmp(d, "witnesses") == 0) {
        rc = setting(x, line, &x->at.w, ntok, tok, 0, 254, "witnesses per stripe", &v);
        c->geo.w = (int)v;
    } else if (strcmp(d, "stripes") == 0) {
        rc = setting(x, line, &x->at.stripes, ntok, tok, 1, 1LL << 40, "blocks a shard", &v);
        c->geo.stripes = v;
    } else if (strcmp(d, "blocks-per-instance") == 0) {
        rc = setting(x, line, &x->at.per_inst, ntok, tok, 1, 1LL << 40,
                     "stripes of a rotation class one instance holds", &v);
        c->geo.per_inst = v;
    } else if (strcmp(d, "suspect-ms") == 0) {
        rc = setting(x, line, &x->at.suspect, ntok, tok, 10, 600000,
                     "milliseconds of silence before a server is suspected", &v);
        c->suspect_ms = (int)v;
    } else if (strcmp(d, "block") == 0) {
        return parse_block(x, line, ntok, tok);
    } else if (strcmp(d, "secret") == 0) {
        return parse_secret(x, line, ntok, tok);
    } else if (strcmp(d, "machine") == 0) {
        return parse_machine(x, line, ntok, tok);
    } else if (strcmp(d, "reconf") == 0) {
        return parse_reconf(x, line, ntok, tok);
    } else {
        return fail(x, line, "unknown directive '%s': expected one of %s", d, DIRECTIVES);
    }
    return rc;
}

/* Splits one line (comment removed) into tokens; 0 tokens for a blank line. */
static int tokenize(Ctx *x, int line, char *s, char **tok, int *ntok)
{
    *ntok = 0;
    for (char *p = s; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p) break;
        if (*ntok == MAX_TOKENS) return fail(x, line, "too many words on one line");
        tok[(*ntok)++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p) *p++ = 0;
    }
    for (int i = 0; i < *ntok; i++)
        for (const char *p = tok[i]; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
                return fail(x, line, "control character 0x%02x in the line", (unsigned char)*p);
    return 0;
}

/* The last line among g, f and witnesses: where a mistake of their sum is named. */
static int width_line(const Ctx *x)
{
    int l = x->at.g > x->at.f ? x->at.g : x->at.f;
    return x->at.w > l ? x->at.w : l;
}

static int check_required(Ctx *x)
{
    static const char *const what[] = {
        "'g N' (data servers per stripe)", "'f N' (parity servers per stripe)",
        "'block SIZE' (bytes a block, 64 B to 1 MiB)", "'stripes N' (blocks a shard)"};
    const int lines[] = {x->at.g, x->at.f, x->at.block, x->at.stripes};
    for (int i = 0; i < 4; i++)
        if (!lines[i]) return fail(x, 0, "missing %s", what[i]);
    if (x->nmachines == 0) return fail(x, 0, "no 'machine' lines");
    for (int i = 0; i < x->nmachines; i++)
        if (!x->seen_machine[i])
            return fail(x, 0, "machine ids must be 0 to %d without gaps: machine %d is missing",
                        x->nmachines - 1, i);
    if (x->c->nreconf == 0)
        return fail(x, 0,
                    "no 'reconf ID HOST:PORT' lines: the reconfiguration service needs "
                    "1, 3, 5 or 7 replicas");
    for (int i = 0; i < x->c->nreconf; i++)
        if (!x->seen_reconf[i])
            return fail(x, 0, "reconf ids must be 0 to %d without gaps: replica %d is missing",
                        x->c->nreconf - 1, i);
    if (x->c->nreconf % 2 == 0)
        return fail(x, x->c->reconf[x->c->nreconf - 1].line,
                    "the reconfiguration service has %d replicas: it needs an odd number (2r+1 "
                    "tolerates r failures); add or remove one",
                    x->c->nreconf);
    return 0;
}

static int check_width(Ctx *x)
{
    aml_geom *geo = &x->c->geo;
    int k = geo->g + geo->f + geo->w;
    if (k + 1 > 64)
        return fail(x, width_line(x),
                    "g + f + witnesses = %d, but an instance of amalgam.ho has g + f + witnesses "
                    "+ 1 processes and hoc runs at most 64: lower them to a sum of at most 63",
                    k);
    if (geo->machines < k)
        return fail(x, width_line(x),
                    "g %d + f %d + witnesses %d = %d roles per stripe need at least %d machines "
                    "(no machine plays two roles in a stripe), but there are %d machine lines: "
                    "add machines or lower g, f or witnesses",
                    geo->g, geo->f, geo->w, k, k, geo->machines);
    return 0;
}

static int check_stripes(Ctx *x)
{
    aml_geom *geo = &x->c->geo;
    long long M = geo->machines;
    if (!x->at.per_inst) {
        if (geo->stripes % M)
            return fail(x, x->at.stripes,
                        "stripes %lld is not a multiple of the %lld machines (every rotation "
                        "class holds as many stripes): use %lld or %lld",
                        (long long)geo->stripes, M, geo->stripes / M * M, geo->stripes / M * M + M);
        geo->per_inst = geo->stripes / M;
        x->c->per_inst_default = true;
        return 0;
    }
    if (geo->per_inst > geo->stripes / M)
        return fail(x, x->at.per_inst,
                    "blocks-per-instance %lld is more than the %lld stripes of a rotation class "
                    "(stripes %lld / %lld machines): lower it or add stripes",
                    (long long)geo->per_inst, (long long)(geo->stripes / M),
                    (long long)geo->stripes, M);
    long long unit = M * geo->per_inst;
    if (geo->stripes % unit)
        return fail(x, x->at.stripes,
                    "stripes %lld is not a multiple of machines %lld x blocks-per-instance %lld "
                    "= %lld (every instance is full): use %lld or %lld",
                    (long long)geo->stripes, M, (long long)geo->per_inst, unit,
                    geo->stripes / unit * unit, geo->stripes / unit * unit + unit);
    return 0;
}

static int check_hosts(Ctx *x)
{
    amc_cluster *c = x->c;
    if (c->geo.w > 0)
        for (int i = 0; i < c->geo.machines; i++)
            if (!c->machine[i].witness && !c->machine[i].base)
                return fail(x, c->machine[i].line,
                            "witnesses %d needs a witness server on every machine: add base=P "
                            "or witness=P",
                            c->geo.w);
    if (c->secret[0]) return 0;
    for (int i = 0; i < c->geo.machines; i++)
        if (!hoc_peers_is_loopback(c->machine[i].host))
            return fail(x, c->machine[i].line,
                        "host %s is not loopback: a cluster across hosts needs 'secret FILE' "
                        "(the cluster secret that authenticates its connections)",
                        c->machine[i].host);
    for (int i = 0; i < c->nreconf; i++)
        if (!hoc_peers_is_loopback(c->reconf[i].host))
            return fail(x, c->reconf[i].line,
                        "host %s is not loopback: a cluster across hosts needs 'secret FILE' "
                        "(the cluster secret that authenticates its connections)",
                        c->reconf[i].host);
    return 0;
}

/* Reads one line at *p into buf (comment cut); -1 if too long. */
static int next_line(const char **p, char *buf)
{
    const char *e = strchr(*p, '\n');
    size_t len = e ? (size_t)(e - *p) : strlen(*p);
    if (len >= LINE_MAX_LEN) {
        *p += len + (e ? 1 : 0);
        return -1;
    }
    memcpy(buf, *p, len);
    buf[len] = 0;
    *p += len + (e ? 1 : 0);
    char *hash = strchr(buf, '#');
    if (hash) *hash = 0;
    return 0;
}

static int parse_all(Ctx *x, const char *text)
{
    int line = 0;
    for (const char *p = text; *p;) {
        line++;
        char buf[LINE_MAX_LEN], *tok[MAX_TOKENS];
        int ntok;
        if (next_line(&p, buf))
            return fail(x, line, "line too long (at most %d characters)", LINE_MAX_LEN - 1);
        if (tokenize(x, line, buf, tok, &ntok)) return -1;
        if (ntok && parse_directive(x, line, ntok, tok)) return -1;
    }
    x->c->geo.machines = x->nmachines;
    if (check_required(x) || check_width(x) || check_stripes(x) || check_hosts(x) ||
        resolve_bases(x))
        return -1;
    /* what serve needs (one port per rotation class): checked here, so that a
     * file check-cluster accepts is one serve can run */
    if (amc_check_class_ports(x->c, x->name, x->err, x->errcap)) return -1;
    char why[128];
    if (aml_check(&x->c->geo, why, sizeof why)) return fail(x, 0, "%s", why); /* a bug above */
    return 0;
}

int amc_parse(const char *text, const char *name, amc_cluster *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    Ctx *x = calloc(1, sizeof *x);
    amc_machine *machines = calloc(AMC_MAX_MACHINES, sizeof *machines);
    if (!x || !machines) {
        free(x);
        free(machines);
        snprintf(err, errcap, "%s: out of memory", name);
        return -1;
    }
    *x = (Ctx){.name = name, .err = err, .errcap = errcap, .c = out};
    out->machine = machines;
    out->suspect_ms = 1500;
    int rc = parse_all(x, text);
    free(x);
    if (rc) {
        free(machines);
        memset(out, 0, sizeof *out);
        return -1;
    }
    /* keep only the machines declared */
    amc_machine *fit = realloc(machines, (size_t)out->geo.machines * sizeof *machines);
    if (fit) out->machine = fit;
    return 0;
}

/* The secret's path: as written if absolute, else beside the cluster file. */
static void secret_path(const char *cluster, const char *secret, char *out, size_t cap)
{
    const char *slash = strrchr(cluster, '/');
    if (secret[0] == '/' || !slash)
        snprintf(out, cap, "%s", secret);
    else
        snprintf(out, cap, "%.*s/%s", (int)(slash - cluster), cluster, secret);
}

int amc_load(const char *path, amc_cluster *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(FILE_MAX);
    if (!text) {
        fclose(f);
        snprintf(err, errcap, "%s: out of memory", path);
        return -1;
    }
    size_t n = fread(text, 1, FILE_MAX - 1, f);
    bool big = !feof(f), bad = ferror(f);
    fclose(f);
    text[n] = 0;
    int rc = -1;
    if (bad)
        snprintf(err, errcap, "%s: cannot read", path);
    else if (big)
        snprintf(err, errcap, "%s: file too large (at most 1 MiB)", path);
    else if (memchr(text, 0, n))
        snprintf(err, errcap, "%s: the file contains a NUL byte: it is not a cluster file", path);
    else
        rc = amc_parse(text, path, out, err, errcap);
    free(text);
    if (rc || !out->secret[0]) return rc;
    char sp[2 * AMC_PATH_MAX + 2], why[512];
    unsigned char secret[256];
    size_t len;
    secret_path(path, out->secret, sp, sizeof sp);
    if (hoc_peers_read_secret(sp, secret, sizeof secret, &len, why, sizeof why)) {
        snprintf(err, errcap, "%s:%d: %s", path, out->secret_line, why);
        amc_free(out);
        return -1;
    }
    memset(secret, 0, sizeof secret); /* only its readability is checked here */
    return 0;
}

void amc_free(amc_cluster *c)
{
    free(c->machine);
    memset(c, 0, sizeof *c);
}

/* One port range a server takes: [lo, lo + len) on host, declared at line. */
typedef struct port_range {
    const char *host, *what;
    int id, lo, len, line;
} port_range;

int amc_check_class_ports(const amc_cluster *c, const char *path, char *err, size_t errcap)
{
    int M = c->geo.machines;
    size_t cap = (size_t)M * 5 + 2 * AMC_MAX_RECONF, n = 0;
    port_range *r = calloc(cap, sizeof *r);
    if (!r) {
        snprintf(err, errcap, "%s: out of memory", path);
        return -1;
    }
    for (int m = 0; m < M; m++) {
        const amc_machine *x = &c->machine[m];
        const struct {
            const char *what;
            int port, len;
        } s[] = {{"data", x->data, M},
                 {"parity", x->parity, M},
                 {"witness", c->geo.w ? x->witness : 0, M},
                 {"client", x->client, 1},
                 {"metrics", x->metrics, 1}};
        for (size_t k = 0; k < sizeof s / sizeof s[0]; k++)
            if (s[k].port)
                r[n++] = (port_range){x->host, s[k].what, m, s[k].port, s[k].len, x->line};
    }
    for (int i = 0; i < c->nreconf; i++) {
        const amc_replica *q = &c->reconf[i];
        /* replicated, the service's log takes P + M too (amrlog.h) */
        r[n++] = (port_range){q->host, "reconf", i, q->port, M + (c->nreconf > 1), q->line};
        if (q->metrics) r[n++] = (port_range){q->host, "reconf metrics", i, q->metrics, 1, q->line};
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (r[i].lo + r[i].len - 1 > 65535) {
            snprintf(err, errcap,
                     "%s:%d: %s server %d's ports %d..%d (one per rotation class) pass 65535: "
                     "give it a lower port",
                     path, r[i].line, r[i].what, r[i].id, r[i].lo, r[i].lo + r[i].len - 1);
            rc = -1;
        }
        for (size_t j = i + 1; j < n && rc == 0; j++) {
            if (strcmp(r[i].host, r[j].host) != 0 || r[i].lo + r[i].len <= r[j].lo ||
                r[j].lo + r[j].len <= r[i].lo)
                continue;
            snprintf(err, errcap,
                     "%s:%d: %s %d's ports %d..%d meet %s %d's ports %d..%d (line %d) on host "
                     "%s: a data, parity, witness or reconf server at port P takes P..P+%d, one "
                     "port per rotation class; space the ports by at least %d (base=P does, and a "
                     "machine's base takes %d ports)%s",
                     path, r[j].line, r[j].what, r[j].id, r[j].lo, r[j].lo + r[j].len - 1,
                     r[i].what, r[i].id, r[i].lo, r[i].lo + r[i].len - 1, r[i].line, r[i].host,
                     M - 1, M, 3 * M + 2,
                     c->nreconf > 1 ? "; with several reconf lines a replica also takes P + M, "
                                      "its log's port"
                                    : "");
            rc = -1;
        }
    }
    free(r);
    return rc;
}
