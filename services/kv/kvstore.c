/* kvstore.c: keys, values and clients in chained hash tables that double as
 * they fill (see kvstore.h). */
#include "kvstore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoc_rt.h"
#include "resp.h"

typedef struct Item {
    struct Item *next;
    uint64_t hash;
    size_t klen, vlen;
    uint8_t *val;  /* vlen bytes */
    uint8_t key[]; /* klen bytes */
} Item;

typedef struct Client {
    struct Client *next;
    uint64_t id, next_seq;
    uint8_t *part; /* the pieces of a command in parts, so far (kvcmd.h) */
    size_t plen, pcap;
} Client;

struct kv_store {
    Item **items;
    size_t nitems, icap; /* icap: a power of two */
    Client **clients;
    size_t nclients, nclosed, ccap; /* nclosed: tombstones (CLOSED) */
    size_t nparts;                  /* clients with pieces kept */
    kv_cmd *joined;                 /* a command joined from its parts */
};

/* next_seq of a client whose connection closed: every later command of it
 * is a duplicate. A retry of its last command may still be on its way to a
 * leader when the close takes effect; without the tombstone it would find
 * no entry, count as a new client's first command and take effect twice. */
#define CLOSED UINT64_MAX

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) abort(); /* kvstore.h: a replica that cannot apply must stop */
    return p;
}

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then a mix */
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

kv_store *kv_store_new(void)
{
    kv_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->icap = 1024, s->ccap = 256;
    s->items = calloc(s->icap, sizeof *s->items);
    s->clients = calloc(s->ccap, sizeof *s->clients);
    if (!s->items || !s->clients) {
        kv_store_free(s);
        return NULL;
    }
    return s;
}

void kv_store_free(kv_store *s)
{
    if (!s) return;
    for (size_t b = 0; s->items && b < s->icap; b++)
        for (Item *it = s->items[b], *nx; it; it = nx)
            nx = it->next, free(it->val), free(it);
    for (size_t b = 0; s->clients && b < s->ccap; b++)
        for (Client *c = s->clients[b], *nx; c; c = nx)
            nx = c->next, free(c->part), free(c);
    free(s->items), free(s->clients), free(s->joined);
    free(s);
}

/* ---- keys ---- */
static Item **find(kv_store *s, const uint8_t *k, size_t klen, uint64_t h)
{
    Item **pp = &s->items[h & (s->icap - 1)];
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->hash == h && (*pp)->klen == klen && memcmp((*pp)->key, k, klen) == 0) break;
    return pp;
}

static void grow_items(kv_store *s)
{
    size_t nc = s->icap * 2;
    Item **b = xcalloc(nc, sizeof *b);
    for (size_t i = 0; i < s->icap; i++)
        for (Item *it = s->items[i], *nx; it; it = nx) {
            nx = it->next;
            it->next = b[it->hash & (nc - 1)];
            b[it->hash & (nc - 1)] = it;
        }
    free(s->items);
    s->items = b, s->icap = nc;
}

static const Item *get(kv_store *s, const uint8_t *k, size_t klen)
{
    return *find(s, k, klen, hash_bytes(k, klen));
}

static void set(kv_store *s, const uint8_t *k, size_t klen, const uint8_t *v, size_t vlen)
{
    uint64_t h = hash_bytes(k, klen);
    Item **pp = find(s, k, klen, h), *it = *pp;
    uint8_t *val = malloc(vlen ? vlen : 1);
    if (!val) abort();
    memcpy(val, v, vlen);
    if (it) {
        free(it->val);
        it->val = val, it->vlen = vlen;
        return;
    }
    it = malloc(sizeof *it + klen);
    if (!it) abort();
    it->hash = h, it->klen = klen, it->val = val, it->vlen = vlen;
    memcpy(it->key, k, klen);
    it->next = NULL;
    *pp = it;
    if (++s->nitems > s->icap) grow_items(s);
}

static bool del(kv_store *s, const uint8_t *k, size_t klen)
{
    Item **pp = find(s, k, klen, hash_bytes(k, klen)), *it = *pp;
    if (!it) return false;
    *pp = it->next;
    free(it->val), free(it);
    s->nitems--;
    return true;
}

/* ---- clients ---- */
static Client **find_client(kv_store *s, uint64_t id)
{
    Client **pp = &s->clients[(id * 0x9e3779b97f4a7c15u >> 20) & (s->ccap - 1)];
    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id) break;
    return pp;
}

static void grow_clients(kv_store *s)
{
    size_t nc = s->ccap * 2;
    Client **b = xcalloc(nc, sizeof *b);
    for (size_t i = 0; i < s->ccap; i++)
        for (Client *c = s->clients[i], *nx; c; c = nx) {
            nx = c->next;
            size_t k = (c->id * 0x9e3779b97f4a7c15u >> 20) & (nc - 1);
            c->next = b[k];
            b[k] = c;
        }
    free(s->clients);
    s->clients = b, s->ccap = nc;
}

/* The number the client's next command must carry (1 for a new client). */
static uint64_t expected(kv_store *s, uint64_t id)
{
    Client *c = *find_client(s, id);
    return c ? c->next_seq : 1;
}

static void advance(kv_store *s, uint64_t id, uint64_t seq)
{
    Client **pp = find_client(s, id);
    if (*pp) {
        (*pp)->next_seq = seq + 1;
        return;
    }
    Client *c = xcalloc(1, sizeof *c);
    c->id = id, c->next_seq = seq + 1;
    *pp = c;
    if (c->next_seq == CLOSED) /* from a snapshot */
        s->nclosed++;
    else
        s->nclients++;
    if (s->nclients + s->nclosed > s->ccap) grow_clients(s); /* pp is stale after this */
}

/* Forgets the pieces kept for c. */
static void drop_part(kv_store *s, Client *c)
{
    if (c->plen) s->nparts--;
    free(c->part);
    c->part = NULL, c->plen = c->pcap = 0;
}

/* Adds a piece to c's; false (and none kept) past KV_MAX_CMD. */
static bool add_part(kv_store *s, Client *c, const uint8_t *p, size_t len)
{
    if (len > KV_MAX_CMD - c->plen) {
        drop_part(s, c);
        return false;
    }
    if (c->plen + len > c->pcap) {
        size_t cap = c->pcap ? c->pcap : 65536;
        while (cap < c->plen + len)
            cap *= 2;
        uint8_t *np = realloc(c->part, cap);
        if (!np) abort(); /* kvstore.h: a replica that cannot apply must stop */
        c->part = np, c->pcap = cap;
    }
    if (!c->plen && len) s->nparts++;
    memcpy(c->part + c->plen, p, len);
    c->plen += len;
    return true;
}

/* Leaves a tombstone (CLOSED) where the client was; a client that never
 * had a command take effect has nothing in flight and leaves none. */
static void close_client(kv_store *s, uint64_t id)
{
    Client *c = *find_client(s, id);
    if (!c) return;
    drop_part(s, c);
    c->next_seq = CLOSED;
    s->nclients--, s->nclosed++;
}

/* ---- commands ---- */
/* The integer value of a key (0 when absent); false if it is not one. */
static bool int_of(const Item *it, long long *v)
{
    if (!it) {
        *v = 0;
        return true;
    }
    if (it->vlen == 0 || it->vlen > 20) return false;
    char tmp[24], *end;
    memcpy(tmp, it->val, it->vlen);
    tmp[it->vlen] = 0;
    errno = 0;
    *v = strtoll(tmp, &end, 10);
    return !*end && errno == 0 && (tmp[0] == '-' || (tmp[0] >= '0' && tmp[0] <= '9'));
}

static void incrby(kv_store *s, const kv_cmd *c, hoc_buf *r)
{
    long long cur, d;
    char tmp[24], *end;
    size_t dl = c->lens[1] < 23 ? c->lens[1] : 23;
    memcpy(tmp, c->args[1], dl);
    tmp[dl] = 0;
    errno = 0;
    d = strtoll(tmp, &end, 10);
    if (dl == 0 || *end || errno || !int_of(get(s, c->args[0], c->lens[0]), &cur)) {
        resp_error(r, "ERR value is not an integer or out of range");
        return;
    }
    if ((d > 0 && cur > INT64_MAX - d) || (d < 0 && cur < INT64_MIN - d)) {
        resp_error(r, "ERR increment or decrement would overflow");
        return;
    }
    int len = snprintf(tmp, sizeof tmp, "%lld", cur + d);
    set(s, c->args[0], c->lens[0], (const uint8_t *)tmp, (size_t)len);
    resp_int(r, cur + d);
}

static void apply_op(kv_store *s, const kv_cmd *c, hoc_buf *r)
{
    const Item *it;
    switch (c->op) {
    case KV_GET:
        it = get(s, c->args[0], c->lens[0]);
        if (it)
            resp_bulk(r, it->val, it->vlen);
        else
            resp_nil(r);
        break;
    case KV_SET:
        set(s, c->args[0], c->lens[0], c->args[1], c->lens[1]);
        resp_simple(r, "OK");
        break;
    case KV_DEL: {
        int64_t k = 0;
        for (uint32_t i = 0; i < c->nargs; i++)
            k += del(s, c->args[i], c->lens[i]);
        resp_int(r, k);
        break;
    }
    case KV_INCRBY:
        incrby(s, c, r);
        break;
    case KV_MGET:
        resp_array(r, c->nargs);
        for (uint32_t i = 0; i < c->nargs; i++) {
            it = get(s, c->args[i], c->lens[i]);
            if (it)
                resp_bulk(r, it->val, it->vlen);
            else
                resp_nil(r);
        }
        break;
    case KV_MSET: /* one command, one slot: atomic */
        for (uint32_t i = 0; i + 1 < c->nargs; i += 2)
            set(s, c->args[i], c->lens[i], c->args[i + 1], c->lens[i + 1]);
        resp_simple(r, "OK");
        break;
    case KV_CAS:
        it = get(s, c->args[0], c->lens[0]);
        if (it && it->vlen == c->lens[1] && memcmp(it->val, c->args[1], it->vlen) == 0) {
            set(s, c->args[0], c->lens[0], c->args[2], c->lens[2]);
            resp_int(r, 1);
        } else {
            resp_int(r, 0);
        }
        break;
    default:
        resp_simple(r, "OK");
    }
}

/* Does c have the arguments its op needs? (The front end checked; a batch
 * from elsewhere is checked again, so a bad one cannot index past args.) */
static bool well_formed(const kv_cmd *c)
{
    switch (c->op) {
    case KV_GET:
        return c->nargs == 1;
    case KV_SET:
    case KV_INCRBY:
        return c->nargs == 2;
    case KV_DEL:
    case KV_MGET:
        return c->nargs >= 1;
    case KV_MSET:
        return c->nargs >= 2 && c->nargs % 2 == 0;
    case KV_CAS:
        return c->nargs == 3;
    case KV_CLOSE:
        return c->nargs == 0;
    case KV_PART:
    case KV_JOIN:
        return c->nargs == 1;
    default:
        return false;
    }
}

/* A part of a larger command (kvcmd.h): kept; at the JOIN the command
 * joined takes effect, if it is one whole command of this client numbered
 * as the JOIN (anything else, which only a faulty peer sends, is answered
 * with an error: every replica applies the same). */
static void apply_part(kv_store *s, const kv_cmd *c, hoc_buf *r)
{
    Client *cl = *find_client(s, c->client);
    bool kept = add_part(s, cl, c->args[0], c->lens[0]);
    if (c->op == KV_PART) return; /* no reply: the JOIN's is the command's */
    if (!kept) {
        resp_error(r, "ERR request too large");
        return;
    }
    if (!s->joined) s->joined = xcalloc(1, sizeof *s->joined);
    kv_cmd *w = s->joined;
    size_t used = kv_cmd_decode(cl->part, cl->plen, w);
    if (used != cl->plen || w->client != c->client || w->seq != c->seq || w->op >= KV_CLOSE)
        resp_error(r, "ERR malformed command in parts");
    else if (!well_formed(w))
        resp_error(r, "ERR wrong number of arguments");
    else
        apply_op(s, w, r);
    drop_part(s, cl);
}

kv_applied kv_store_apply(kv_store *s, const kv_cmd *c, hoc_buf *reply)
{
    uint64_t want = expected(s, c->client);
    if (c->seq < want) return KV_DUPLICATE;
    if (c->seq > want) return KV_EARLY;
    if (c->op == KV_CLOSE) {
        close_client(s, c->client);
        return KV_APPLIED;
    }
    advance(s, c->client, c->seq);
    if (!well_formed(c))
        resp_error(reply, "ERR wrong number of arguments");
    else if (c->op == KV_PART || c->op == KV_JOIN)
        apply_part(s, c, reply);
    else
        apply_op(s, c, reply);
    return KV_APPLIED;
}

size_t kv_store_keys(const kv_store *s)
{
    return s->nitems;
}

size_t kv_store_clients(const kv_store *s)
{
    return s->nclients;
}

size_t kv_store_parts(const kv_store *s)
{
    return s->nparts;
}

void kv_store_each(const kv_store *s,
                   void (*f)(void *ctx, const uint8_t *k, size_t klen, const uint8_t *v,
                             size_t vlen),
                   void *ctx)
{
    for (size_t b = 0; b < s->icap; b++)
        for (const Item *it = s->items[b]; it; it = it->next)
            f(ctx, it->key, it->klen, it->val, it->vlen);
}

/* ---- snapshots ---- */
void kv_store_save(const kv_store *s, hoc_buf *out)
{
    uint8_t h[16];
    hoc_put_u64(h, s->nitems);
    hoc_buf_put(out, (const char *)h, 8);
    for (size_t b = 0; b < s->icap; b++)
        for (const Item *it = s->items[b]; it; it = it->next) {
            hoc_put_u32(h, (uint32_t)it->klen);
            hoc_put_u32(h + 4, (uint32_t)it->vlen);
            hoc_buf_put(out, (const char *)h, 8);
            hoc_buf_put(out, (const char *)it->key, it->klen);
            hoc_buf_put(out, (const char *)it->val, it->vlen);
        }
    hoc_put_u64(h, s->nclients + s->nclosed);
    hoc_buf_put(out, (const char *)h, 8);
    for (size_t b = 0; b < s->ccap; b++)
        for (const Client *c = s->clients[b]; c; c = c->next) {
            hoc_put_u64(h, c->id);
            hoc_put_u64(h + 8, c->next_seq);
            hoc_buf_put(out, (const char *)h, 16);
        }
    /* the pieces kept of commands in parts; none: the format of versions
     * before parts, which they can read */
    if (!s->nparts) return;
    hoc_put_u64(h, s->nparts);
    hoc_buf_put(out, (const char *)h, 8);
    for (size_t b = 0; b < s->ccap; b++)
        for (const Client *c = s->clients[b]; c; c = c->next)
            if (c->plen) {
                hoc_put_u64(h, c->id);
                hoc_put_u32(h + 8, (uint32_t)c->plen);
                hoc_buf_put(out, (const char *)h, 12);
                hoc_buf_put(out, (const char *)c->part, c->plen);
            }
}

int kv_store_load(kv_store *s, const uint8_t *p, size_t len)
{
    size_t off = 0;
    if (len < 8) return -1;
    uint64_t n = hoc_get_u64(p);
    off = 8;
    for (uint64_t i = 0; i < n; i++) {
        if (len - off < 8) return -1;
        size_t kl = hoc_get_u32(p + off), vl = hoc_get_u32(p + off + 4);
        off += 8;
        if (kl > len - off || vl > len - off - kl) return -1;
        set(s, p + off, kl, p + off + kl, vl);
        off += kl + vl;
    }
    if (len - off < 8) return -1;
    n = hoc_get_u64(p + off);
    off += 8;
    if (n > (len - off) / 16) return -1;
    for (uint64_t i = 0; i < n; i++, off += 16)
        advance(s, hoc_get_u64(p + off), hoc_get_u64(p + off + 8) - 1);
    if (off == len) return 0; /* no pieces kept (kv_store_save) */
    if (len - off < 8) return -1;
    n = hoc_get_u64(p + off);
    off += 8;
    for (uint64_t i = 0; i < n; i++) {
        if (len - off < 12) return -1;
        Client *c = *find_client(s, hoc_get_u64(p + off));
        size_t pl = hoc_get_u32(p + off + 8);
        off += 12;
        if (!c || c->plen || pl == 0 || pl > len - off || !add_part(s, c, p + off, pl)) return -1;
        off += pl;
    }
    return off == len ? 0 : -1;
}
