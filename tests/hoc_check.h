/* hoc_check.h: the assertion the C tests share. A failed check is reported
 * with its place (the first 20) and the test goes on; the summary line is
 * the "N passed, M failed" that test runners read. */
#ifndef HOC_CHECK_H
#define HOC_CHECK_H

#include <stdio.h>

static int checks, failures;

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(c) && failures++ < 20)                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                  \
    } while (0)

/* Prints "name: N passed, M failed"; the test's exit status. */
static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, checks - failures, failures);
    return failures != 0;
}

#endif
