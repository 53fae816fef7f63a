/* seal.c: per-connection frame tags (see seal.h). GMAC rather than a
 * truncated HMAC: with AES-NI and PCLMUL it costs a fraction of HMAC-SHA256
 * per small frame (bench/bench_net.sh measures the whole cost), and the key
 * is set up once per connection, only the nonce per frame. The GMAC is
 * OpenSSL's GCM128 over an AES-256 ECB context rather than the EVP GCM
 * cipher: the same tags, without EVP's per-frame parameter plumbing (a
 * 200-byte frame's tag 255 -> 92 ns; frames are most of a 64 B op's
 * crypto, docs/amalgam-performance.md "Where a 64 B write's CPU goes, and two
 * cuts"). */
#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/modes.h>

struct hoc_seal {
    EVP_CIPHER_CTX *aes; /* AES-256 ECB, keyed once: GCM's block cipher */
    GCM128_CONTEXT *gcm; /* its hash key set once; each frame sets the nonce */
    uint64_t seq;
};

/* GCM's block function: one AES block through the keyed ECB context
 * (AES-NI where the CPU has it, as the EVP GCM cipher would use). */
static void aes_block(const unsigned char in[16], unsigned char out[16], const void *key)
{
    int outl;
    if (EVP_EncryptUpdate((EVP_CIPHER_CTX *)key, out, &outl, in, 16) != 1 || outl != 16)
        memset(out, 0, 16); /* cannot happen with a keyed ECB context; no stale bytes if it does */
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

void hoc_seal_keys(const uint8_t *secret, size_t len, const uint8_t cnonce[HOC_WIRE_NONCE],
                   const uint8_t snonce[HOC_WIRE_NONCE], uint32_t client, uint32_t server,
                   const hoc_wire_cluster *cluster, uint8_t cs[HOC_SEAL_KEY],
                   uint8_t sc[HOC_SEAL_KEY])
{
    uint8_t msg[10 + 2 * HOC_WIRE_NONCE + 20], *p = msg + 10 + 2 * HOC_WIRE_NONCE;
    memcpy(msg + 10, cnonce, HOC_WIRE_NONCE);
    memcpy(msg + 10 + HOC_WIRE_NONCE, snonce, HOC_WIRE_NONCE);
    const uint32_t words[5] = {client, server, cluster->algo, cluster->n, cluster->params};
    for (int i = 0; i < 5; i++)
        put32(p + 4 * i, words[i]);
    static const uint8_t empty[1] = {0};
    unsigned int outlen = HOC_SEAL_KEY;
    memcpy(msg, "hoc-key-cs", 10);
    HMAC(EVP_sha256(), len ? secret : empty, (int)len, msg, sizeof msg, cs, &outlen);
    memcpy(msg, "hoc-key-sc", 10);
    HMAC(EVP_sha256(), len ? secret : empty, (int)len, msg, sizeof msg, sc, &outlen);
}

hoc_seal *hoc_seal_new(const uint8_t key[HOC_SEAL_KEY])
{
    hoc_seal *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->aes = EVP_CIPHER_CTX_new();
    if (!s->aes || EVP_EncryptInit_ex(s->aes, EVP_aes_256_ecb(), NULL, key, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(s->aes, 0) != 1 ||
        !(s->gcm = CRYPTO_gcm128_new(s->aes, aes_block))) {
        hoc_seal_free(s);
        return NULL;
    }
    return s;
}

void hoc_seal_free(hoc_seal *s)
{
    if (!s) return;
    if (s->gcm) CRYPTO_gcm128_release(s->gcm);
    if (s->aes) EVP_CIPHER_CTX_free(s->aes);
    free(s);
}

int hoc_seal_begin(hoc_seal *s)
{
    uint8_t iv[12] = {0}; /* 4 zero bytes, then the sequence number */
    for (int i = 0; i < 8; i++)
        iv[4 + i] = (uint8_t)(s->seq >> (8 * i));
    CRYPTO_gcm128_setiv(s->gcm, iv, sizeof iv);
    return 0;
}

int hoc_seal_add(hoc_seal *s, const uint8_t *p, size_t len)
{
    /* all of a frame is additional data: a tag, nothing encrypted */
    return len == 0 || CRYPTO_gcm128_aad(s->gcm, p, len) == 0 ? 0 : -1;
}

/* The tag of what was added since begin, without consuming the sequence number. */
static int finish(hoc_seal *s, uint8_t tag[HOC_WIRE_TAG])
{
    CRYPTO_gcm128_tag(s->gcm, tag, HOC_WIRE_TAG);
    return 0;
}

int hoc_seal_end(hoc_seal *s, uint8_t tag[HOC_WIRE_TAG])
{
    if (finish(s, tag) < 0) return -1;
    s->seq++;
    return 0;
}

int hoc_seal_tag(hoc_seal *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                 uint8_t tag[HOC_WIRE_TAG])
{
    if (hoc_seal_begin(s) < 0 || hoc_seal_add(s, a, alen) < 0 ||
        (blen && hoc_seal_add(s, b, blen) < 0))
        return -1;
    return hoc_seal_end(s, tag);
}

bool hoc_seal_check(hoc_seal *s, const uint8_t *frame, size_t len, const uint8_t tag[HOC_WIRE_TAG])
{
    uint8_t want[HOC_WIRE_TAG];
    if (hoc_seal_begin(s) < 0 || hoc_seal_add(s, frame, len) < 0 || finish(s, want) < 0 ||
        CRYPTO_memcmp(want, tag, HOC_WIRE_TAG) != 0)
        return false;
    s->seq++;
    return true;
}

uint64_t hoc_seal_seq(const hoc_seal *s)
{
    return s->seq;
}
