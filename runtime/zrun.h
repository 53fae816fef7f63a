/* zrun.h: zero-run framing of round messages, an opt-in of the engine
 * (hoc_engine_opts.zero_runs, docs/runtime.md "Zero runs"). Generated
 * encoders write fixed-size messages, so a field that does not apply this
 * round (a block array of zeros) still takes its full size on the wire:
 * Amalgam's 128 KiB build sends 640 KiB `back` messages that are mostly
 * zeros. Packed, a message is a sequence of tokens, each a LEB128 varint L,
 * L literal bytes, and a varint Z of zero bytes that follow them. */
#ifndef HOC_ZRUN_H
#define HOC_ZRUN_H

#include <stddef.h>
#include <stdint.h>

/* The most hoc_zrun_pack adds to a message it cannot shorten. */
#define HOC_ZRUN_SLACK 10

/* Packs in[0..n) (n < 2^32) into out, which has room for n + HOC_ZRUN_SLACK
 * bytes: the packed length. */
size_t hoc_zrun_pack(const uint8_t *in, size_t n, uint8_t *out);
/* Unpacks in[0..n) into out (at most cap bytes): the unpacked length, or -1
 * if in is malformed or unpacks to more than cap. */
long hoc_zrun_unpack(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

#endif
