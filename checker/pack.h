/* pack.h: how the frontier packs its blocks, in memory and on disk.
 * Global states of one block are mostly siblings (successors of the same
 * parent, in the order they were found), and mostly zero bytes (small
 * numbers in wide fields): each record is XORed with the one before it,
 * and runs of zero bytes are counted instead of written: LastVoting's
 * frontier (n = 3) takes a fourteenth of its size this way, Amalgam's
 * (g = 2, f = 1) a hundredth. */
#ifndef HOC_PACK_H
#define HOC_PACK_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes pack_records can write for len bytes of records. */
size_t pack_bound(size_t len);
/* Packs count records of rec bytes at in into out (pack_bound(count * rec)
 * bytes); returns the bytes written. */
size_t pack_records(const uint8_t *in, size_t rec, int count, uint8_t *out);
/* Unpacks n bytes at in into count records of rec bytes at out; 0, or -1
 * when they do not unpack to exactly that (a damaged file). */
int pack_unpack(const uint8_t *in, size_t n, size_t rec, int count, uint8_t *out);

#endif
