/* seal.h: authenticated frames (wire version 5, docs/runtime.md "Wire
 * format"). After the handshake every frame travels inside a SEALED frame
 * (wire.h), which ends in a 16-byte tag: the AES-256-GCM tag over the SEALED
 * frame (length prefix included) as additional data, with no plaintext
 * (GMAC: frames are authenticated, not encrypted), under a key of the
 * connection and direction, with the SEALED frame's sequence number on that
 * connection and direction as the GCM nonce. The sequence number is not
 * sent: a SEALED frame dropped, replayed, reordered, injected or altered on
 * the path fails the next tag check. */
#ifndef HOC_SEAL_H
#define HOC_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define HOC_SEAL_KEY 32

/* One direction of one connection: its key and next sequence number. */
typedef struct hoc_seal hoc_seal;

/* Derives the two keys of a connection from the cluster secret (len 0: the
 * empty key) and both nonces of its handshake: HMAC-SHA256(secret, label |
 * client nonce | server nonce | u32 client | u32 server | cluster), label
 * "hoc-key-cs" for what the client (dialer) sends, "hoc-key-sc" for what
 * the server sends. Never fails. */
void hoc_seal_keys(const uint8_t *secret, size_t len, const uint8_t cnonce[HOC_WIRE_NONCE],
                   const uint8_t snonce[HOC_WIRE_NONCE], uint32_t client, uint32_t server,
                   const hoc_wire_cluster *cluster, uint8_t cs[HOC_SEAL_KEY],
                   uint8_t sc[HOC_SEAL_KEY]);
/* A direction keyed with key, at sequence number 0; NULL when OpenSSL
 * cannot make the cipher context (out of memory). */
hoc_seal *hoc_seal_new(const uint8_t key[HOC_SEAL_KEY]);
/* NULL is a no-op. */
void hoc_seal_free(hoc_seal *s);
/* Tagging in pieces: begin, add the bytes in order, end writes the tag
 * under the next sequence number and consumes it. Each returns -1 if
 * OpenSSL fails (the sequence number is then not consumed). */
int hoc_seal_begin(hoc_seal *s);
int hoc_seal_add(hoc_seal *s, const uint8_t *p, size_t len);
int hoc_seal_end(hoc_seal *s, uint8_t tag[HOC_WIRE_TAG]);
/* begin, add a[0..alen) and b[0..blen) (b may be NULL), end. */
int hoc_seal_tag(hoc_seal *s, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                 uint8_t tag[HOC_WIRE_TAG]);
/* Is tag the tag of frame[0..len) under the next sequence number? Consumes
 * it only if so (a failed check closes the connection anyway). */
bool hoc_seal_check(hoc_seal *s, const uint8_t *frame, size_t len, const uint8_t tag[HOC_WIRE_TAG]);
/* The next sequence number (frames tagged or checked so far). */
uint64_t hoc_seal_seq(const hoc_seal *s);

#endif
