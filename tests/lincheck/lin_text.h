/* lin_text.h: the text format of histories, one op a line, so that tests in
 * any language can write them (tests/lincheck/README.md has the details):
 *
 *   CLIENT CALL RET OP ARGS... -> RESULTS...
 *   c1 100 250 SET x "hello\n" -> OK
 *   c2 130 ? INCRBY n 5                      # no reply: pending
 *
 * Tokens are bare, "C-escaped" or x"hex"; bare nil is the nil value; # starts
 * a comment. */
#ifndef LIN_TEXT_H
#define LIN_TEXT_H

#include <stdio.h>

#include "lin_history.h"

/* Appends the op on one line (len bytes, lineno for the op) to h; blank and
 * comment lines add nothing. Returns 0, or -1 with "line N: message" in err. */
int lin_text_line(lin_history *h, const char *line, size_t len, uint32_t lineno, char *err,
                  size_t errn);
/* Appends every op of the text in f to h. Returns 0, or -1 with
 * "line N: message" in err (h then holds the ops before line N). */
int lin_text_read(FILE *f, lin_history *h, char *err, size_t errn);
/* Appends every op of the NUL-terminated text to h, as lin_text_read. */
int lin_text_read_string(const char *text, lin_history *h, char *err, size_t errn);
/* Writes h in the text format, so that lin_text_read reads it back. */
void lin_text_write(FILE *f, const lin_history *h);

#endif
