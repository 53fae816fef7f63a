/* peers.c: parsing the peers file (format in peers.h and docs/runtime.md). */
#include "peers.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *name, int line, const char *what,
                const char *arg)
{
    if (line > 0)
        snprintf(err, cap, "%s:%d: %s%s%s", name, line, what, arg ? ": " : "", arg ? arg : "");
    else
        snprintf(err, cap, "%s: %s%s%s", name, what, arg ? ": " : "", arg ? arg : "");
    return -1;
}

/* Parses a decimal in [lo, hi] that fills the whole token. */
static int number(const char *s, long lo, long hi, long *out)
{
    if (!*s) return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p)) return -1;
    errno = 0;
    long v = strtol(s, NULL, 10);
    if (errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int parse_line(char *s, int line, const char *name, hoc_peer *pp, char *err, size_t cap)
{
    char *tok[3];
    int nt = 0;
    for (char *p = s; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p) break;
        if (nt == 3)
            return fail(err, cap, name, line, "expected 'ID HOST:PORT', found extra text", p);
        tok[nt++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (*p) *p++ = 0;
    }
    if (nt != 2) return fail(err, cap, name, line, "expected 'ID HOST:PORT'", NULL);
    long id, port;
    if (number(tok[0], 0, HOC_PEERS_MAX - 1, &id))
        return fail(err, cap, name, line, "the id must be a number from 0 to 63", tok[0]);
    char *addr = tok[1], *colon = strrchr(addr, ':');
    if (!colon) return fail(err, cap, name, line, "missing ':PORT' after the host", addr);
    *colon = 0;
    if (number(colon + 1, 1, 65535, &port))
        return fail(err, cap, name, line, "the port must be 1 to 65535", colon + 1);
    char *host = addr;
    size_t hl = strlen(host);
    if (host[0] == '[') {
        if (hl < 3 || host[hl - 1] != ']')
            return fail(err, cap, name, line, "unterminated [IPv6] address", host);
        host[hl - 1] = 0, host++, hl -= 2;
    }
    if (hl == 0) return fail(err, cap, name, line, "empty host", NULL);
    if (hl >= sizeof pp->host) return fail(err, cap, name, line, "host name too long", NULL);
    for (const char *c = host; *c; c++)
        if (!(isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == ':' || *c == '_'))
            return fail(err, cap, name, line, "bad character in the host", host);
    pp->id = (int)id, pp->port = (int)port, pp->line = line;
    memcpy(pp->host, host, hl + 1);
    return 0;
}

int hoc_peers_parse(const char *text, const char *name, hoc_peers *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    bool seen[HOC_PEERS_MAX] = {false};
    int count = 0, maxid = -1, line = 0;
    const char *p = text;
    while (*p) {
        line++;
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char buf[1024];
        if (len >= sizeof buf) return fail(err, errcap, name, line, "line too long", NULL);
        memcpy(buf, p, len);
        buf[len] = 0;
        p += len + (e ? 1 : 0);
        char *hash = strchr(buf, '#');
        if (hash) *hash = 0;
        char *q = buf;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (!*q) continue;
        hoc_peer pp = {0};
        if (parse_line(q, line, name, &pp, err, errcap)) return -1;
        if (seen[pp.id]) {
            char what[64];
            snprintf(what, sizeof what, "%d (first on line %d)", pp.id, out->p[pp.id].line);
            return fail(err, errcap, name, line, "duplicate id", what);
        }
        for (int i = 0; i < HOC_PEERS_MAX; i++)
            if (seen[i] && out->p[i].port == pp.port && strcmp(out->p[i].host, pp.host) == 0) {
                char what[64];
                snprintf(what, sizeof what, "same as id %d on line %d", i, out->p[i].line);
                return fail(err, errcap, name, line, "duplicate address", what);
            }
        seen[pp.id] = true;
        out->p[pp.id] = pp;
        count++;
        if (pp.id > maxid) maxid = pp.id;
    }
    if (count == 0) return fail(err, errcap, name, 0, "no peers", NULL);
    for (int i = 0; i <= maxid; i++)
        if (!seen[i]) {
            char what[32];
            snprintf(what, sizeof what, "%d", i);
            return fail(err, errcap, name, 0, "ids must be 0 to n-1 without gaps; missing id",
                        what);
        }
    out->n = count;
    return 0;
}

int hoc_peers_load(const char *path, hoc_peers *out, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    if (!f) return fail(err, errcap, path, 0, "cannot open", strerror(errno));
    char *text = malloc(1 << 20);
    if (!text) {
        fclose(f);
        return fail(err, errcap, path, 0, "out of memory", NULL);
    }
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    bool big = !feof(f);
    fclose(f);
    text[n] = 0;
    int rc;
    if (big)
        rc = fail(err, errcap, path, 0, "file too large", NULL);
    else if (memchr(text, 0, n))
        rc = fail(err, errcap, path, 0, "file contains a NUL byte", NULL);
    else
        rc = hoc_peers_parse(text, path, out, err, errcap);
    free(text);
    return rc;
}

bool hoc_peers_is_loopback(const char *host)
{
    if (strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0) return true;
    return strncmp(host, "127.", 4) == 0;
}

int hoc_peers_read_secret(const char *path, unsigned char *buf, size_t cap, size_t *len, char *err,
                          size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "cannot read the secret '%s': %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (more || n == 0) {
        snprintf(err, errcap, "the secret in '%s' must be 1 to %zu bytes", path, cap);
        return -1;
    }
    *len = n;
    return 0;
}
