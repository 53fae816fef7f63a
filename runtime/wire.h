/* wire.h: the replica wire format, version 7 (documented in docs/runtime.md).
 *
 * Every frame is a 4-byte little-endian length L (the bytes that follow, at
 * least 4 and at most HOC_WIRE_MAX_FRAME, HOC_WIRE_MAX_SEALED for SEALED,
 * HOC_WIRE_MAX_APP_FRAME for APP, HOC_WIRE_MAX_FIXED for the fixed-size
 * HELLO, AUTH, ACCEPT, DONE, HURRY, WHERE and ROUND),
 * then a 4-byte header: version (7), type, two reserved zero bytes, then the
 * body of that type:
 *
 *   HELLO    server -> client  u32 server id, cluster (u32 algorithm, u32 n,
 *                              u32 params), 16-byte nonce
 *   AUTH     client -> server  u32 client id, cluster, 32-byte HMAC-SHA256 of
 *                              "hoc-client" | HELLO's nonce | client id |
 *                              server id | cluster (the client's), 16-byte
 *                              nonce of the client's own
 *   ACCEPT   server -> client  u32 server id, u32 algorithm, 32-byte HMAC-SHA256
 *                              of "hoc-server" | AUTH's nonce | client id |
 *                              server id | cluster (the server's)
 *   MSG      u64 instance, u64 round, u32 sender, u32 algorithm, payload
 *   DECISION u64 instance, u32 sender, u32 algorithm, u32 flags, value: the
 *            sender decided the instance; with HOC_DECISION_ADOPT the value
 *            (as hoc_value_encode writes it) follows and may be adopted,
 *            without it the frame is a notice and carries no value
 *   DONE     u32 sender, u32 algorithm (the sender has decided everything it runs)
 *   APP      u32 sender, u32 algorithm, payload: a service's own traffic
 *   HURRY    u64 instance, u64 round, u32 sender, u32 algorithm: end that
 *            round of the instance now, as if its timeout passed
 *   WHERE    u64 instance, u32 sender, u32 algorithm: which round is the
 *            instance in at you? (a joining replacement whose peers sleep)
 *   ROUND    u64 instance, u64 round, u32 sender, u32 algorithm: the
 *            instance is in that round here (hoc_engine_nudge)
 *   SEALED   whole frames (MSG, DECISION, DONE, APP, HURRY, WHERE, ROUND), then a HOC_WIRE_TAG-byte
 *            tag over everything before it, L included (seal.h). After the
 *            handshake a connection carries SEALED frames only: one per
 *            flush and peer, so the tag is paid per batch, not per frame.
 *
 * The cluster in the handshake lets two replicas whose configurations differ
 * (another algorithm, peers files of different n, other parameter values)
 * say so instead of failing as strangers. All integers little-endian.
 * Decoding never reads past the given length. Version 5 added SEALED,
 * version 6 HURRY, version 7 WHERE and ROUND. */
#ifndef HOC_WIRE_H
#define HOC_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define HOC_WIRE_VERSION 7
#define HOC_WIRE_LEN 4 /* the length prefix */
#define HOC_WIRE_HDR 4 /* version, type, reserved */
/* Largest L accepted: 64 MiB, for round messages and decisions of large
 * blocks (Amalgam's at 128 KiB blocks are several MiB). A receiver holds a
 * frame whole before it decodes it, so this bounds what one authenticated
 * connection may make it buffer; L is judged before anything is allocated. */
#define HOC_WIRE_MAX_FRAME (64 * 1024 * 1024)
/* APP frames keep the 64 KiB bound of wire version 5's first release:
 * services size buffers by HOC_WIRE_MAX_APP (hoc-kv's on the stack). */
#define HOC_WIRE_MAX_APP_FRAME 65536
/* HELLO, AUTH, ACCEPT and DONE have fixed sizes below this. */
#define HOC_WIRE_MAX_FIXED 256
#define HOC_WIRE_NONCE 16
#define HOC_WIRE_MAC 32
#define HOC_WIRE_TAG 16 /* the tag ending a SEALED frame */
/* A SEALED frame's frames take this many bytes at most, unless it holds a
 * single frame (one larger than this is sealed alone); so its L is at most
 * HOC_WIRE_MAX_SEALED. */
#define HOC_WIRE_SEAL_BATCH 65536
#define HOC_WIRE_MAX_SEALED (HOC_WIRE_HDR + HOC_WIRE_LEN + HOC_WIRE_MAX_FRAME + HOC_WIRE_TAG)
#define HOC_WIRE_MSG_FIXED 24 /* MSG body before the payload */
#define HOC_WIRE_MAX_PAYLOAD (HOC_WIRE_MAX_FRAME - HOC_WIRE_HDR - HOC_WIRE_MSG_FIXED)
#define HOC_WIRE_DECISION_FIXED 20 /* DECISION body before the value */
#define HOC_WIRE_MAX_VALUE (HOC_WIRE_MAX_FRAME - HOC_WIRE_HDR - HOC_WIRE_DECISION_FIXED)
#define HOC_WIRE_APP_FIXED 8 /* APP body before the payload */
#define HOC_WIRE_MAX_APP (HOC_WIRE_MAX_APP_FRAME - HOC_WIRE_HDR - HOC_WIRE_APP_FIXED)
#define HOC_DECISION_ADOPT 1u /* DECISION flags: the value follows and may be adopted */

typedef enum hoc_frame_type {
    HOC_F_HELLO = 1,
    HOC_F_AUTH = 2,
    HOC_F_MSG = 3,
    HOC_F_DECISION = 4,
    HOC_F_DONE = 5,
    HOC_F_ACCEPT = 6,
    HOC_F_APP = 7,
    HOC_F_SEALED = 8,
    HOC_F_HURRY = 9,
    HOC_F_WHERE = 10,
    HOC_F_ROUND = 11,
} hoc_frame_type;

/* What both ends of a connection must agree on; exchanged in the handshake. */
typedef struct hoc_wire_cluster {
    uint32_t algo;   /* hoc_wire_algo_tag */
    uint32_t n;      /* processes in the peers file */
    uint32_t params; /* hoc_wire_params_tag of the algorithm's parameter values */
} hoc_wire_cluster;

/* One decoded frame; payload points into the caller's buffer. */
typedef struct hoc_frame {
    hoc_frame_type type;
    uint32_t id; /* HELLO, ACCEPT: server; AUTH: client; MSG/DECISION/DONE: sender */
    uint32_t algo;
    uint32_t n, params;                   /* HELLO, AUTH: the sender's cluster (algo too) */
    uint64_t instance;                    /* MSG, DECISION, HURRY, WHERE, ROUND */
    int64_t round;                        /* MSG, HURRY, ROUND */
    uint32_t flags;                       /* DECISION */
    const uint8_t *nonce, *mac, *payload; /* HELLO and AUTH, AUTH and ACCEPT; MSG, DECISION
                                             (the value), APP, SEALED (its frames) */
    const uint8_t *tag; /* SEALED: the tag, over the *used - HOC_WIRE_TAG bytes before it */
    size_t payload_len;
} hoc_frame;

/* Result of looking at the front of a byte stream. */
typedef enum hoc_wire_status {
    HOC_WIRE_OK = 0,   /* a whole frame; *used bytes were consumed */
    HOC_WIRE_MORE = 1, /* not enough bytes yet */
    HOC_WIRE_BAD = -1, /* garbage: close the connection */
} hoc_wire_status;

/* Decodes the frame at the front of buf[0..len); on HOC_WIRE_BAD, *why says
 * what was wrong (a static string). */
hoc_wire_status hoc_wire_decode(const uint8_t *buf, size_t len, hoc_frame *f, size_t *used,
                                const char **why);

/* Encoders: write one whole frame into out (cap bytes); return its size, or
 * -1 (nothing written) if it does not fit. */
int hoc_wire_hello(uint8_t *out, size_t cap, uint32_t server, const hoc_wire_cluster *cl,
                   const uint8_t nonce[HOC_WIRE_NONCE]);
int hoc_wire_auth(uint8_t *out, size_t cap, uint32_t client, const hoc_wire_cluster *cl,
                  const uint8_t mac[HOC_WIRE_MAC], const uint8_t nonce[HOC_WIRE_NONCE]);
int hoc_wire_accept(uint8_t *out, size_t cap, uint32_t server, uint32_t algo,
                    const uint8_t mac[HOC_WIRE_MAC]);
/* MSG: writes the 32 header bytes (length included) for a payload of plen
 * bytes that the caller places right after them; -1 if plen exceeds
 * HOC_WIRE_MAX_PAYLOAD or the header does not fit. */
int hoc_wire_msg_header(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                        uint32_t algo, size_t plen);
/* DECISION: the whole frame, value included; -1 if it does not fit. */
int hoc_wire_decision(uint8_t *out, size_t cap, uint64_t instance, uint32_t sender, uint32_t algo,
                      uint32_t flags, const uint8_t *value, size_t len);
/* APP: the 16 header bytes (length included) for a payload of plen bytes the
 * caller places after them; -1 if plen exceeds HOC_WIRE_MAX_APP. */
int hoc_wire_app_header(uint8_t *out, size_t cap, uint32_t sender, uint32_t algo, size_t plen);
int hoc_wire_done(uint8_t *out, size_t cap, uint32_t sender, uint32_t algo);
/* WHERE: the whole frame; -1 if it does not fit. */
int hoc_wire_where(uint8_t *out, size_t cap, uint64_t instance, uint32_t sender, uint32_t algo);
/* ROUND: the whole frame; -1 if it does not fit or round is negative. */
int hoc_wire_round(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                   uint32_t algo);
/* HURRY: the whole frame; -1 if it does not fit or round is negative. */
int hoc_wire_hurry(uint8_t *out, size_t cap, uint64_t instance, int64_t round, uint32_t sender,
                   uint32_t algo);
/* SEALED: the 8 header bytes (length included) for flen bytes of frames the
 * caller places after them, followed by the tag; -1 if the frame would be
 * longer than HOC_WIRE_MAX_SEALED or the header does not fit. */
int hoc_wire_sealed_header(uint8_t *out, size_t cap, size_t flen);

/* The algorithm tag carried by frames: FNV-1a of the name and the ABI
 * version; never fails. */
uint32_t hoc_wire_algo_tag(const char *name, int abi);
/* The parameter tag of the handshake: FNV-1a of params[0..nparams); never fails. */
uint32_t hoc_wire_params_tag(const int64_t *params, int nparams);

#endif
