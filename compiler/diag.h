/* diag.h: error reporting as FILE:LINE:COL: error: message, source line, caret. */
#ifndef HOC_DIAG_H
#define HOC_DIAG_H

#include <stdio.h>
#include "ast.h"

#define DIAG_MAX_ERRORS 25

struct Diag {
    FILE *out;
    int errors;
    struct DiagSource {
        const char *file, *text;
        size_t len;
    } sources[16];
    int nsources;
};

/* Remembers a file's text so errors in it can quote the offending line. */
void diag_source(Diag *d, const char *file, const char *text, size_t len);
/* Reports an error at p; past DIAG_MAX_ERRORS errors, further ones are counted only. */
void diag_error(Diag *d, Pos p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Reports a note attached to the previous error. */
void diag_note(Diag *d, Pos p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
