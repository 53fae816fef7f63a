/* fuzz_peers.c: the peers file parser (runtime/peers.c).
 *
 * The input is the text of a peers file (a NUL ends it early, as the C
 * string hoc_peers_parse takes). Whatever it holds, the parser must answer
 * 0 or -1 without crashing, with a NUL-terminated message naming the file
 * on -1; on 0 the cluster must be what peers.h promises (1 to
 * HOC_PEERS_MAX processes, ids 0..n-1 each once, a non-empty host without
 * blanks, a port in 1..65535, no two processes at one address), and
 * writing it back out as a peers file must parse to the same cluster. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peers.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void check_cluster(const hoc_peers *p)
{
    if (p->n < 1 || p->n > HOC_PEERS_MAX) abort();
    for (int i = 0; i < p->n; i++) {
        const hoc_peer *q = &p->p[i];
        size_t hl = strnlen(q->host, sizeof q->host);
        if (q->id != i || q->port < 1 || q->port > 65535 || hl == 0 || hl == sizeof q->host ||
            strpbrk(q->host, " \t\r\n#[]"))
            abort();
        for (int j = 0; j < i; j++)
            if (p->p[j].port == q->port && strcmp(p->p[j].host, q->host) == 0) abort();
    }
}

/* Writes p as a peers file (IPv6 hosts in brackets) and parses it again. */
static void round_trip(const hoc_peers *p)
{
    static char text[HOC_PEERS_MAX * 300];
    size_t len = 0;
    for (int i = p->n - 1; i >= 0; i--) { /* any order is fine: write it backwards */
        const hoc_peer *q = &p->p[i];
        bool v6 = strchr(q->host, ':') != NULL;
        len += (size_t)snprintf(text + len, sizeof text - len, "%d %s%s%s:%d # again\n", q->id,
                                v6 ? "[" : "", q->host, v6 ? "]" : "", q->port);
    }
    static hoc_peers again;
    char err[256];
    if (hoc_peers_parse(text, "again", &again, err, sizeof err) != 0) {
        fprintf(stderr, "a parsed cluster does not parse again: %s\n%s", err, text);
        abort();
    }
    if (again.n != p->n) abort();
    for (int i = 0; i < p->n; i++)
        if (again.p[i].port != p->p[i].port || strcmp(again.p[i].host, p->p[i].host) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    static hoc_peers p; /* 17 KB: keep it off the stack */
    char err[200];
    memset(err, 'x', sizeof err);
    int rc = hoc_peers_parse(text, "fuzz", &p, err, sizeof err);
    if (rc == 0) {
        check_cluster(&p);
        round_trip(&p);
    } else if (rc != -1 || !memchr(err, 0, sizeof err) || strncmp(err, "fuzz", 4) != 0) {
        abort();
    }
    free(text);
    return 0;
}
