/* wire.c: frames of the replica protocol (see wire.h): bounds-checked decoding
 * and fixed-layout encoders. */
#include "wire.h"

#include <string.h>

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *b)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}
static uint64_t get64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* Writes length and header for a body of blen bytes; returns the frame size. */
static int head(uint8_t *out, size_t cap, hoc_frame_type t, size_t blen)
{
    size_t total = HOC_WIRE_LEN + HOC_WIRE_HDR + blen;
    if (total > cap || HOC_WIRE_HDR + blen > HOC_WIRE_MAX_FRAME) return -1;
    put32(out, (uint32_t)(HOC_WIRE_HDR + blen));
    out[4] = HOC_WIRE_VERSION;
    out[5] = (uint8_t)t;
    out[6] = out[7] = 0;
    return (int)total;
}

/* HELLO or AUTH: u32 id, the cluster, then the bytes x and y. */
static int handshake(uint8_t *out, size_t cap, hoc_frame_type t, uint32_t id,
                     const hoc_wire_cluster *cl, const uint8_t *x, size_t xlen, const uint8_t *y,
                     size_t ylen)
{
    int n = head(out, cap, t, 16 + xlen + ylen);
    if (n < 0) return -1;
    put32(out + 8, id);
    put32(out + 12, cl->algo);
    put32(out + 16, cl->n);
    put32(out + 20, cl->params);
    memcpy(out + 24, x, xlen);
    if (ylen) memcpy(out + 24 + xlen, y, ylen);
    return n;
}

int hoc_wire_hello(uint8_t *out, size_t cap, uint32_t server, const hoc_wire_cluster *cl,
                   const uint8_t nonce[HOC_WIRE_NONCE])
{
    return handshake(out, cap, HOC_F_HELLO, server, cl, nonce, HOC_WIRE_NONCE, NULL, 0);
}

int hoc_wire_auth(uint8_t *out, size_t cap, uint32_t client, const hoc_wire_cluster *cl,
                  const uint8_t mac[HOC_WIRE_MAC], const uint8_t nonce[HOC_WIRE_NONCE])
{
    return handshake(out, cap, HOC_F_AUTH, client, cl, mac, HOC_WIRE_MAC, nonce, HOC_WIRE_NONCE);
}

int hoc_wire_accept(uint8_t *out, size_t cap, uint32_t server, uint32_t algo,
                    const uint8_t mac[HOC_WIRE_MAC])
{
    int n = head(out, cap, HOC_F_ACCEPT, 8 + HOC_WIRE_MAC);
    if (n < 0) return -1;
    put32(out + 8, server);
    put32(out + 12, algo);
    memcpy(out + 16, mac, HOC_WIRE_MAC);
    return n;
}

int hoc_wire_msg_header(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                        uint32_t algo, size_t plen)
{
    if (plen > HOC_WIRE_MAX_PAYLOAD || cap < HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED)
        return -1;
    put32(out, (uint32_t)(HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED + plen));
    out[4] = HOC_WIRE_VERSION;
    out[5] = HOC_F_MSG;
    out[6] = out[7] = 0;
    put64(out + 8, instance);
    put64(out + 16, (uint64_t)round);
    put32(out + 24, sender);
    put32(out + 28, algo);
    return HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_MSG_FIXED;
}

int hoc_wire_decision(uint8_t *out, size_t cap, uint64_t instance, uint32_t sender, uint32_t algo,
                      uint32_t flags, const uint8_t *value, size_t len)
{
    if (len > HOC_WIRE_MAX_VALUE) return -1;
    int n = head(out, cap, HOC_F_DECISION, HOC_WIRE_DECISION_FIXED + len);
    if (n < 0) return -1;
    put64(out + 8, instance);
    put32(out + 16, sender);
    put32(out + 20, algo);
    put32(out + 24, flags);
    if (len) memcpy(out + 28, value, len);
    return n;
}

int hoc_wire_app_header(uint8_t *out, size_t cap, uint32_t sender, uint32_t algo, size_t plen)
{
    size_t hl = HOC_WIRE_LEN + HOC_WIRE_HDR + HOC_WIRE_APP_FIXED;
    if (plen > HOC_WIRE_MAX_APP || cap < hl) return -1;
    put32(out, (uint32_t)(HOC_WIRE_HDR + HOC_WIRE_APP_FIXED + plen));
    out[4] = HOC_WIRE_VERSION;
    out[5] = HOC_F_APP;
    out[6] = out[7] = 0;
    put32(out + 8, sender);
    put32(out + 12, algo);
    return (int)hl;
}

int hoc_wire_done(uint8_t *out, size_t cap, uint32_t sender, uint32_t algo)
{
    int n = head(out, cap, HOC_F_DONE, 8);
    if (n < 0) return -1;
    put32(out + 8, sender);
    put32(out + 12, algo);
    return n;
}

/* HURRY and ROUND: an instance and a round. */
static int inst_round(uint8_t *out, size_t cap, hoc_frame_type type, uint64_t instance,
                      int64_t round, uint32_t sender, uint32_t algo)
{
    int n = round < 0 ? -1 : head(out, cap, type, HOC_WIRE_MSG_FIXED);
    if (n < 0) return -1;
    put64(out + 8, instance);
    put64(out + 16, (uint64_t)round);
    put32(out + 24, sender);
    put32(out + 28, algo);
    return n;
}

int hoc_wire_hurry(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                   uint32_t algo)
{
    return inst_round(out, cap, HOC_F_HURRY, instance, round, sender, algo);
}

int hoc_wire_round(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                   uint32_t algo)
{
    return inst_round(out, cap, HOC_F_ROUND, instance, round, sender, algo);
}

int hoc_wire_where(uint8_t *out, size_t cap, uint64_t instance, uint32_t sender, uint32_t algo)
{
    int n = head(out, cap, HOC_F_WHERE, 16);
    if (n < 0) return -1;
    put64(out + 8, instance);
    put32(out + 16, sender);
    put32(out + 20, algo);
    return n;
}

int hoc_wire_sealed_header(uint8_t *out, size_t cap, size_t flen)
{
    size_t l = HOC_WIRE_HDR + flen + HOC_WIRE_TAG;
    if (l > HOC_WIRE_MAX_SEALED || cap < HOC_WIRE_LEN + HOC_WIRE_HDR) return -1;
    put32(out, (uint32_t)l);
    out[4] = HOC_WIRE_VERSION;
    out[5] = HOC_F_SEALED;
    out[6] = out[7] = 0;
    return HOC_WIRE_LEN + HOC_WIRE_HDR;
}

hoc_wire_status hoc_wire_decode(const uint8_t *buf, size_t len, hoc_frame *f, size_t *used,
                                const char **why)
{
    *why = NULL;
    if (len < HOC_WIRE_LEN) return HOC_WIRE_MORE;
    uint32_t l = get32(buf);
    if (l < HOC_WIRE_HDR || l > HOC_WIRE_MAX_SEALED) {
        *why = l < HOC_WIRE_HDR ? "frame too short" : "frame too long";
        return HOC_WIRE_BAD;
    }
    /* the header can be judged before the whole frame is in */
    if (len >= HOC_WIRE_LEN + 2) {
        if (buf[4] != HOC_WIRE_VERSION) {
            *why = "unknown wire version";
            return HOC_WIRE_BAD;
        }
        if (buf[5] < HOC_F_HELLO || buf[5] > HOC_F_ROUND) {
            *why = "unknown frame type";
            return HOC_WIRE_BAD;
        }
        /* each type's own bound, before any of its bytes are waited for */
        uint32_t max = buf[5] == HOC_F_SEALED                            ? HOC_WIRE_MAX_SEALED
                       : buf[5] == HOC_F_APP                             ? HOC_WIRE_MAX_APP_FRAME
                       : buf[5] == HOC_F_MSG || buf[5] == HOC_F_DECISION ? HOC_WIRE_MAX_FRAME
                                                                         : HOC_WIRE_MAX_FIXED;
        if (l > max) {
            *why = "frame too long";
            return HOC_WIRE_BAD;
        }
    }
    if (len < HOC_WIRE_LEN + (size_t)l) return HOC_WIRE_MORE;
    if (buf[6] || buf[7]) {
        *why = "reserved header bytes not zero";
        return HOC_WIRE_BAD;
    }
    const uint8_t *b = buf + 8;
    size_t blen = l - HOC_WIRE_HDR;
    memset(f, 0, sizeof *f);
    f->type = (hoc_frame_type)buf[5];
    switch (f->type) {
    case HOC_F_HELLO:
        if (blen != 16 + HOC_WIRE_NONCE) goto size;
        f->id = get32(b), f->algo = get32(b + 4), f->n = get32(b + 8), f->params = get32(b + 12);
        f->nonce = b + 16;
        break;
    case HOC_F_AUTH:
        if (blen != 16 + HOC_WIRE_MAC + HOC_WIRE_NONCE) goto size;
        f->id = get32(b), f->algo = get32(b + 4), f->n = get32(b + 8), f->params = get32(b + 12);
        f->mac = b + 16, f->nonce = b + 16 + HOC_WIRE_MAC;
        break;
    case HOC_F_ACCEPT:
        if (blen != 8 + HOC_WIRE_MAC) goto size;
        f->id = get32(b), f->algo = get32(b + 4), f->mac = b + 8;
        break;
    case HOC_F_MSG:
        if (blen < HOC_WIRE_MSG_FIXED) goto size;
        f->instance = get64(b), f->round = (int64_t)get64(b + 8);
        f->id = get32(b + 16), f->algo = get32(b + 20);
        f->payload = b + HOC_WIRE_MSG_FIXED, f->payload_len = blen - HOC_WIRE_MSG_FIXED;
        if (f->round < 0) {
            *why = "negative round";
            return HOC_WIRE_BAD;
        }
        break;
    case HOC_F_DECISION:
        if (blen < HOC_WIRE_DECISION_FIXED) goto size;
        f->instance = get64(b), f->id = get32(b + 8), f->algo = get32(b + 12);
        f->flags = get32(b + 16);
        f->payload = b + HOC_WIRE_DECISION_FIXED, f->payload_len = blen - HOC_WIRE_DECISION_FIXED;
        if ((f->flags & ~HOC_DECISION_ADOPT) ||
            (!(f->flags & HOC_DECISION_ADOPT) && f->payload_len)) {
            *why = "bad decision flags";
            return HOC_WIRE_BAD;
        }
        break;
    case HOC_F_APP:
        if (blen < HOC_WIRE_APP_FIXED) goto size;
        f->id = get32(b), f->algo = get32(b + 4);
        f->payload = b + HOC_WIRE_APP_FIXED, f->payload_len = blen - HOC_WIRE_APP_FIXED;
        break;
    case HOC_F_WHERE:
        if (blen != 16) goto size;
        f->instance = get64(b), f->id = get32(b + 8), f->algo = get32(b + 12);
        break;
    case HOC_F_HURRY:
    case HOC_F_ROUND:
        if (blen != HOC_WIRE_MSG_FIXED) goto size;
        f->instance = get64(b), f->round = (int64_t)get64(b + 8);
        f->id = get32(b + 16), f->algo = get32(b + 20);
        if (f->round < 0) {
            *why = "negative round";
            return HOC_WIRE_BAD;
        }
        break;
    case HOC_F_DONE:
        if (blen != 8) goto size;
        f->id = get32(b), f->algo = get32(b + 4);
        break;
    case HOC_F_SEALED:
        if (blen < HOC_WIRE_TAG) goto size;
        f->payload = b, f->payload_len = blen - HOC_WIRE_TAG;
        f->tag = b + f->payload_len;
        break;
    }
    *used = HOC_WIRE_LEN + l;
    return HOC_WIRE_OK;
size:
    *why = "wrong body size for the frame type";
    return HOC_WIRE_BAD;
}

#define FNV_BASIS 2166136261u
static uint32_t fnv(uint32_t h, uint8_t byte)
{
    return (h ^ byte) * 16777619u;
}

uint32_t hoc_wire_algo_tag(const char *name, int abi)
{
    uint32_t h = FNV_BASIS;
    for (const char *p = name; *p; p++)
        h = fnv(h, (uint8_t)*p);
    return (h ^ (uint32_t)abi) * 16777619u; /* the whole version in one step */
}

uint32_t hoc_wire_params_tag(const int64_t *params, int nparams)
{
    uint32_t h = FNV_BASIS;
    uint8_t b[8];
    for (int i = 0; i < nparams; i++) {
        put64(b, (uint64_t)params[i]);
        for (int k = 0; k < 8; k++)
            h = fnv(h, b[k]);
    }
    return h;
}
