/* value.h: values of a compiled algorithm as every driver shows and carries
 * them. hoc sim, hoc check's traces and the replicas' decisions files print
 * a value the same way ({0,1} for a set, an enum's member name, true or
 * false), and the replica runtime carries a scalar output as one int64. */
#ifndef HOC_VALUE_H
#define HOC_VALUE_H

#include <stdbool.h>
#include <stdio.h>

#include "hoc_rt.h"

/* Prints the value of kind k stored at p (hoc_kind_size(k) bytes), as
 * drivers show it: an enum by its member name when names has it (else its
 * number), a set as {0,2}, a stamp as its phase or "never", bytes as their
 * first byte ("0x2a.."); never fails. */
void hoc_print_value(FILE *f, hoc_kind k, const void *p, const char *const *enum_names,
                     uint32_t nnames);

/* Prints field fd of the struct at base: a scalar as hoc_print_value does,
 * an array as [a, b, ...] (one indexed by process shows its first n of maxn
 * elements), a byte block as hoc_print_bytes does with HOC_BYTES_SHOWN;
 * never fails. */
void hoc_print_field(FILE *f, const hoc_field *fd, const uint8_t *base, int n, int maxn);

/* The most bytes of a block a state shows in text (a trace, hoc sim's
 * report, the explorer's cells): a 1 MiB block must stay readable. */
#define HOC_BYTES_SHOWN 32

/* Prints the k-byte block b as 0x and two hex digits per byte, up to its
 * last nonzero byte (at least one byte, so an all-zero block is 0x00): the
 * block is b's bytes then zeros, as a service carries it. When more than
 * cap bytes (cap > 0) would be printed, the first cap are, then
 * "…(+N bytes)" saying how many were left out: never cut silently. cap 0
 * prints all of them (traces' JSON, which replay compares byte by byte). */
void hoc_print_bytes(FILE *f, const uint8_t *b, size_t k, size_t cap);
/* Compares the k-byte block b with hex, a block as hoc_print_bytes prints it
 * without a cap (bytes past its end are zeros). -1 when they are equal; the
 * index of the first byte that differs, with the two bytes in *mine and
 * *theirs; -2 when hex is not 0x and an even number of hex digits holding
 * at most k bytes. */
int64_t hoc_bytes_compare(const uint8_t *b, size_t k, const char *hex, uint8_t *mine,
                          uint8_t *theirs);

/* Prints the state st of a process of a as drivers show it: " name=value"
 * per input and variable, " halted" when it has halted; never fails. */
void hoc_print_state(FILE *f, const hoc_algo *a, const uint8_t *st, int n);

/* How many elements of field fd a driver shows for n processes: 1 for a
 * scalar, the first n of an array indexed by process, all of any other. */
uint32_t hoc_field_shown(const hoc_field *fd, int n, int maxn);

/* The scalar of kind k stored at p, widened to int64 (bool 0 or 1, a set's
 * bits, a stamp's stored form); 0 for bytes and records, which have none. */
int64_t hoc_value_get(hoc_kind k, const void *p);

/* The values input fd may take among n processes, lo..hi (both included):
 * what hoc check ranges it over, so what a driver's --input may give it
 * (a bool 0..1, a pid 0..n-1, an enum its members; an int any, and a bytes
 * input any integer from 0 standing for its block). */
void hoc_input_range(const hoc_field *fd, int n, int64_t *lo, int64_t *hi);

/* Stores v as a value of kind k at p (hoc_kind_size(k) bytes; narrowed for
 * enum, bool is v != 0); the inverse of hoc_value_get. Bytes and
 * records get one zero byte. */
void hoc_value_put(hoc_kind k, int64_t v, void *p);

/* ---- values as the runtime carries them (decisions forwarded to peers,
 * the services' outputs): ints, pids, sets and stamps as 8 bytes, enums
 * as 4, little-endian, a bool as 1 byte, bytes without their trailing
 * zeros, nothing for an output without a value. */

/* The most bytes hoc_value_encode writes for output o. */
size_t hoc_value_max(const hoc_output *o);
/* Writes the value of output o, taken from the outputs struct, to buf
 * (hoc_value_max(o) bytes); returns its length. Never fails. */
size_t hoc_value_encode(const hoc_output *o, const void *outputs, uint8_t *buf);
/* Is v[0..len) a value of output o as hoc_value_encode writes it? */
bool hoc_value_valid(const hoc_output *o, const uint8_t *v, size_t len);
/* The carried value v of a scalar output, widened as hoc_value_get does; 0
 * for bytes and for no value. */
int64_t hoc_value_scalar(const hoc_output *o, const uint8_t *v, size_t len);
/* Prints a carried value of output o as hoc_print_value does, bytes as 0x
 * and their hex digits; prints nothing when o carries no value. */
void hoc_value_print_carried(FILE *f, const hoc_output *o, const uint8_t *v, size_t len);

#endif
