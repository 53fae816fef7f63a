/* opaque.h: where an algorithm looks inside a block.
 *
 * hoc check hands a bytes event argument or input as a stand-in: an
 * integer's bytes, then zeros. Those few values cover every real block only
 * while blocks stay opaque: copied, compared whole with == and !=, sent,
 * output, and handed to the stdlib's bytewise ec_* functions. A byte read
 * or written (b[i], through a let, a def or a spec), or a block given to
 * any other extern (C the compiler cannot see), makes the verdict depend
 * on bytes the stand-ins fix; hoc check then says so with its verdict. */
#ifndef HOC_OPAQUE_H
#define HOC_OPAQUE_H

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

/* Writes the first place where al looks inside a block, as
 * "FILE:LINE: what" (the def it is in, if any), into buf; false, with buf
 * empty, when al never does. stdlib is the folder the program's imports of
 * the standard library were read from (its ec module is trusted), or NULL. */
bool opaque_first_look(const Algo *al, const char *stdlib, char *buf, size_t cap);

#endif
