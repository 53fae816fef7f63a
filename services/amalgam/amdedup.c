/* amdedup.c: the table of clients' last ops (amdedup.h). */
#include "amdedup.h"

#include <stdlib.h>
#include <string.h>

enum { IDLE, PENDING, DONE };

int amd_init(amd_table *t, int cap, size_t block)
{
    *t = (amd_table){.cap = cap, .block = block};
    t->e = calloc((size_t)cap, sizeof *t->e);
    return t->e ? 0 : -1;
}

void amd_free(amd_table *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->e[i].reply);
    free(t->e);
    memset(t, 0, sizeof *t);
}

/* The entry of client, or -1. Linear: a machine's clients are few (cap). */
static int find(const amd_table *t, const char *client)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->e[i].client, client) == 0) return i;
    return -1;
}

/* A free entry, or the least recently used one not pending; -1 if none. */
static int take(amd_table *t)
{
    if (t->n < t->cap) return t->n++;
    int best = -1;
    for (int i = 0; i < t->n; i++)
        if (t->e[i].st != PENDING && (best < 0 || t->e[i].used < t->e[best].used)) best = i;
    if (best >= 0) {
        free(t->e[best].reply);
        memset(&t->e[best], 0, sizeof t->e[best]);
    }
    return best;
}

amd_verdict amd_begin(amd_table *t, const uint8_t *client, size_t len, uint64_t seq, int *idx,
                      const uint8_t **reply)
{
    char name[AMD_CLIENT_MAX + 1];
    if (len == 0 || len > AMD_CLIENT_MAX || memchr(client, 0, len)) return AMD_BAD;
    memcpy(name, client, len);
    name[len] = 0;
    int i = find(t, name);
    if (i >= 0) {
        amd_entry *e = &t->e[i];
        e->used = ++t->tick;
        if (seq < e->seq) return AMD_STALE;
        /* a later op too: the running one's commit would record its reply
         * under the later op's number, the answer to that op's retries */
        if (e->st == PENDING) return AMD_BUSY;
        if (seq == e->seq && e->st == DONE) {
            *reply = e->reply;
            t->dups++;
            return AMD_DUP;
        }
    } else if ((i = take(t)) < 0) {
        return AMD_FULL;
    } else {
        memcpy(t->e[i].client, name, len + 1);
    }
    amd_entry *e = &t->e[i];
    e->used = ++t->tick;
    e->seq = seq;
    e->st = PENDING;
    *idx = i;
    return AMD_NEW;
}

void amd_done(amd_table *t, int idx, const uint8_t *reply)
{
    amd_entry *e = &t->e[idx];
    if (!e->reply) e->reply = malloc(t->block);
    if (e->reply) {
        memcpy(e->reply, reply, t->block);
        e->st = DONE;
    } else {
        e->st = IDLE; /* no room to keep it: a retry runs again, as without an id */
    }
}

void amd_abort(amd_table *t, int idx)
{
    t->e[idx].st = IDLE;
}
