/* resp.h: the Redis protocol, version 2 (RESP2), as hoc-kv speaks it: an
 * incremental parser of client requests (arrays of bulk strings, and inline
 * commands for people typing at a terminal) and writers of replies. Pure
 * functions over byte buffers: no sockets. */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Limits of one request; beyond them the request is refused. */
#define RESP_MAX_ARGS 65536       /* elements of one array */
#define RESP_MAX_BULK (16u << 20) /* bytes of one bulk string: hoc-kv's KV_MAX_CMD */
#define RESP_MAX_INLINE 65536     /* bytes of one inline command line */

/* One parsed request: args point into the parsed buffer. */
typedef struct resp_req {
    int argc;
    const uint8_t **argv;
    size_t *lens;
    int cap; /* of argv and lens */
} resp_req;

typedef enum resp_status {
    RESP_OK = 0,   /* a whole request; *used bytes consumed */
    RESP_MORE = 1, /* not enough bytes yet */
    RESP_BAD = -1, /* malformed or beyond the limits: *why says what; the
                      connection cannot be resynchronised */
} resp_status;

/* Parses the request at the front of buf[0..len) into r (whose arrays grow
 * as needed). An empty inline line is a request with argc 0. On RESP_BAD,
 * *why is a static message for the client ("Protocol error: ..."). */
resp_status resp_parse(const uint8_t *buf, size_t len, resp_req *r, size_t *used, const char **why);
/* Frees r's arrays. */
void resp_req_free(resp_req *r);

/* Reply writers: append one RESP2 value to b; never fail (b grows; out of
 * memory aborts, as buf.h does). */
void resp_simple(hoc_buf *b, const char *s);  /* +s */
void resp_error(hoc_buf *b, const char *msg); /* -msg (msg starts with ERR or a code) */
void resp_int(hoc_buf *b, int64_t v);         /* :v */
void resp_bulk(hoc_buf *b, const uint8_t *p, size_t len);
void resp_nil(hoc_buf *b);             /* $-1 */
void resp_array(hoc_buf *b, size_t n); /* *n, then n values */
/* $len: a bulk's head alone, its len bytes and CRLF to follow. */
void resp_bulk_head(hoc_buf *b, size_t len);
/* v in decimal at out, no NUL (RESP's lengths and counts, without printf
 * on a 64 B op's path): how many bytes. */
size_t resp_dec(char out[20], uint64_t v);

/* Is arg[0..len) equal to the command name cmd, ignoring case? */
bool resp_is(const uint8_t *arg, size_t len, const char *cmd);

#endif
