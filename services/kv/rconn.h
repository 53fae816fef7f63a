/* rconn.h: the client connections of a RESP front end (kvfront.c,
 * amfront.c) on a libevent loop, without bufferevents. A connection reads
 * with read(2) into one flat buffer its owner parses in place, and its
 * output leaves in one write at the end of the loop iteration that made it
 * (a flush event of priority 1: the base needs two priorities), with
 * EV_WRITE asked for only while the kernel would block. A bufferevent adds
 * its write event when output appears and deletes it when drained: two
 * epoll_ctl and one more loop pass a reply, and an ioctl a read.
 *
 * A paused connection (its owner waits before it takes more requests) is
 * still read, into its buffer, until that holds max_in bytes; then it is
 * not read until resumed. */
#ifndef KV_RCONN_H
#define KV_RCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evbuffer;
typedef struct rc_front rc_front;
typedef struct rc_conn rc_conn;

typedef struct rc_handlers {
    /* A new connection: the owner's data for it, or NULL to close it. */
    void *(*open)(void *ctx, rc_conn *c);
    /* Requests wait in in[0..len): takes those it can, returns the bytes
     * they took. full: the buffer holds max_in bytes, so a request not
     * whole in it never will be (refuse it: answer, then rc_close_after).
     * Not called while paused or after rc_close_after. */
    size_t (*input)(void *data, const uint8_t *in, size_t len, bool full);
    /* The connection is closing (closed by the client, an error, after
     * rc_close_after, or rc_free: at_exit): the owner lets go of data. */
    void (*closed)(void *data, bool at_exit);
} rc_handlers;

/* Listens on host:port for clients; NULL with err when it cannot. max_in:
 * the most bytes one connection's input buffer holds; max_io: the most
 * bytes read, and written, for one connection in one callback. */
rc_front *rc_listen(struct event_base *base, const char *host, int port, const rc_handlers *h,
                    void *ctx, size_t max_in, size_t max_io, char *err, size_t errn);
/* Closes every connection (their closed handler called) and the listener;
 * NULL is a no-op. */
void rc_free(rc_front *f);
/* c's output, to append replies to; then rc_dirty. */
struct evbuffer *rc_out(rc_conn *c);
/* c's output is written at the end of this loop iteration. */
void rc_dirty(rc_conn *c);
/* Appends p[0..n) to c's output, written at the end of this iteration. */
void rc_send(rc_conn *c, const void *p, size_t n);
/* No more requests are taken from c until rc_resume. */
void rc_pause(rc_conn *c);
/* Takes requests again: those already read are handed to input later in
 * this loop iteration, not from inside this call. */
void rc_resume(rc_conn *c);
/* c reads nothing more and closes once its output is written. */
void rc_close_after(rc_conn *c);

#endif
