/* fuzz_msg.c: the decoder hoc generates for a message with optional fields
 * (tests/optional/optional.ho: v: int, d?: bytes[4], e?: int[2], ok?: bool),
 * as the engine uses it on a peer's frame: decode into scratch holding
 * garbage, copy into a clear mailbox slot, clear it again; or decode
 * straight into a clear slot, to the same bytes. A frame must be
 * refused or decoded within its bytes (a mask bit no field has, a length
 * past its block or past the frame, bytes left over: refused); what is
 * accepted must encode back to a frame that decodes to the same message,
 * within wire_max; and clear must leave the slot all zero. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optional.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

/* The slot a frame leaves in a clear mailbox, or false if it is refused.
 * Decoded straight into a clear slot, as the engine does, it must leave the
 * same; refused there, hoc_zero clears the slot again. */
static bool deliver(const uint8_t *buf, size_t len, optional_msg_r0 *slot)
{
    const hoc_round *rd = &optional_algo.rounds[0];
    optional_msg_r0 scratch, direct;
    memset(&scratch, 0x5A, sizeof scratch);
    memset(&direct, 0, sizeof direct);
    uint8_t *copy = malloc(len ? len : 1); /* ASan sees a read past the frame */
    if (!copy) abort();
    if (len) memcpy(copy, buf, len);
    int used = rd->decode(&scratch, copy, len);
    if (rd->decode(&direct, copy, len) != used) abort();
    free(copy);
    if (used < 0) {
        hoc_zero(&direct, sizeof direct);
        for (size_t i = 0; i < sizeof direct; i++)
            if (((const uint8_t *)&direct)[i]) abort();
        return false;
    }
    if ((size_t)used != len) abort(); /* decode takes the whole frame or refuses it */
    memset(slot, 0, sizeof *slot);
    rd->copy(slot, &scratch);
    if (memcmp(slot, &direct, sizeof direct) != 0) abort();
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const hoc_round *rd = &optional_algo.rounds[0];
    optional_msg_r0 a, b;
    if (!deliver(data, size, &a)) return 0;
    uint8_t out[256];
    int len = rd->encode(&a, out, sizeof out);
    if (len < 0 || (size_t)len > rd->wire_max) abort();
    if (!deliver(out, (size_t)len, &b) || memcmp(&a, &b, sizeof a) != 0) abort();
    rd->clear(&a);
    for (size_t i = 0; i < sizeof a; i++)
        if (((const uint8_t *)&a)[i]) abort();
    return 0;
}
