/* amfront.h: Amalgam's client front end (docs/deploy.md, "Client
 * commands"): RESP2 on a machine's client port, parsed by services/kv's
 * resp.c, so redis-cli can drive it. Requests of a connection are answered
 * in order, one at a time; a block op is answered once committed. */
#ifndef HOC_AMFRONT_H
#define HOC_AMFRONT_H

#include "amserve.h"

/* Listens on host:port for the server s: the front end, or NULL with err. */
amf_front *amf_new(ams_server *s, const char *host, int port, char *err, size_t errn);
/* Answers a wait's client (its op committed, or failed with msg non-NULL)
 * and frees w. */
void amf_reply(ams_server *s, ams_wait *w, const char *msg);
/* Closes every connection and the listener; NULL is a no-op. */
void amf_free(amf_front *f);

#endif
