/* peers.h: the peers file of a cluster. One line per process, "ID HOST:PORT";
 * '#' starts a comment; blank lines are ignored. Ids must be 0..n-1, each
 * once (any order). HOST is a name or an IPv4 address, or [IPv6]. */
#ifndef HOC_PEERS_H
#define HOC_PEERS_H

#include <stdbool.h>
#include <stddef.h>

#define HOC_PEERS_MAX 64

typedef struct hoc_peer {
    int id;
    char host[256];
    int port;
    int line; /* where it was declared */
} hoc_peer;

typedef struct hoc_peers {
    int n;
    hoc_peer p[HOC_PEERS_MAX]; /* indexed by id */
} hoc_peers;

/* Parses text (the contents of file `name`, used in messages). Returns 0, or
 * -1 with a message "NAME:LINE: what is wrong" in err. */
int hoc_peers_parse(const char *text, const char *name, hoc_peers *out, char *err, size_t errcap);
/* Reads and parses the file at path: 0, or -1 with a message in err (the
 * file cannot be read, or as hoc_peers_parse). */
int hoc_peers_load(const char *path, hoc_peers *out, char *err, size_t errcap);
/* Reads a cluster secret file into buf (1 to cap bytes; a final newline is
 * not part of it): 0 with *len set, or -1 with a message in err (the file
 * cannot be read, is empty or longer than cap). */
int hoc_peers_read_secret(const char *path, unsigned char *buf, size_t cap, size_t *len, char *err,
                          size_t errcap);
/* Is host a loopback name or address (localhost, 127.x.y.z, ::1)? */
bool hoc_peers_is_loopback(const char *host);

#endif
