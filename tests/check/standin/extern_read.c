/* extern_read.c: the extern of extern_read.ho, a byte of a block. */
#include <stddef.h>
#include <stdint.h>

int64_t second(const uint8_t *b, size_t b_len);

int64_t second(const uint8_t *b, size_t b_len)
{
    return b_len > 1 ? b[1] : 0;
}
