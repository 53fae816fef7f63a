/* fuzz_sock.h: what the fuzz targets that play one end of a loopback
 * socket share (fuzz_handshake.c, fuzz_mux.c). */
#ifndef FUZZ_SOCK_H
#define FUZZ_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;

/* As root: a network namespace of our own with its loopback up, so that a
 * target binds nothing on the machine's loopback. */
void fzs_own_netns(void);
/* A few non-blocking passes of base's loop. */
void fzs_pump(struct event_base *base);
/* Pumps until fd has bytes to read (at most about 10 ms). */
void fzs_await_reply(struct event_base *base, int fd);
/* What arrived on fd so far, appended to in[0..*len) (at most cap; more
 * is read and dropped). */
void fzs_drain(int fd, uint8_t *in, size_t *len, size_t cap);
/* The input's next chunk, from data[*off] (*off < size): a little-endian
 * u16 length and that many bytes, the last chunk taking what is left. Its
 * length, its bytes at data[*off] (the caller moves *off past them);
 * *eof when the length said is 0: shut our side's writing down. */
size_t fzs_next_chunk(const uint8_t *data, size_t size, size_t *off, bool *eof);
/* The k-th input's loopback address 127.100.x.y: connections of earlier
 * inputs in TIME_WAIT never collide with its own. */
void fzs_addr(char *buf, size_t cap, unsigned k);

#endif
