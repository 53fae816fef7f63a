/* opt.h: the one command-line parser of hoc. Each command describes its
 * options in a table; the parser checks values and bounds, and the same
 * table prints the command's help, so the two never disagree.
 *
 * Options are "--name VALUE" or "-n VALUE" (and "--name" for flags); an
 * argument not starting with '-' is positional. Errors are messages, never
 * exits: the caller decides how to fail. */
#ifndef HOC_OPT_H
#define HOC_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum hoc_opt_kind {
    HOC_OPT_SET,   /* a flag: *(bool *)dst = true */
    HOC_OPT_CLEAR, /* a flag: *(bool *)dst = false */
    HOC_OPT_INT,   /* *(long long *)dst, within [min, max] */
    HOC_OPT_REAL,  /* *(double *)dst, within [lo, hi] */
    HOC_OPT_STR,   /* *(const char **)dst (the argv string itself) */
    HOC_OPT_LIST,  /* appended to the hoc_opt_list at dst (repeatable) */
    HOC_OPT_CALL   /* call(dst, value, err, errn) parses it: 0, or -1 with err filled */
} hoc_opt_kind;

/* Values of a repeatable option. The capacity is an error when exceeded. */
#define HOC_OPT_LIST_MAX 64
typedef struct hoc_opt_list {
    const char *v[HOC_OPT_LIST_MAX];
    int n;
} hoc_opt_list;

typedef struct hoc_opt {
    const char *name; /* "--rounds", "-n"; NULL ends a table */
    hoc_opt_kind kind;
    void *dst;
    long long min, max; /* HOC_OPT_INT bounds */
    double lo, hi;      /* HOC_OPT_REAL bounds */
    const char *arg;    /* the value's name in help ("R"); NULL for flags */
    const char *help;   /* one line; NULL hides the option from help */
    int (*call)(void *dst, const char *value, char *err, size_t errn);
    int limit; /* HOC_OPT_LIST: at most this many (0: HOC_OPT_LIST_MAX) */
} hoc_opt;

/* Parses argv[0..argc) against the NULL-terminated table. Positional
 * arguments go to pos[0..maxpos) in order, counted in *npos. Returns 0, or -1
 * with a one-line message in err ("unknown option '--x'", "--rounds takes a
 * number from 0 to 100000000, not 'x'", ...). */
int hoc_opt_parse(const hoc_opt *table, int argc, char **argv, const char **pos, int maxpos,
                  int *npos, char *err, size_t errn);

/* Prints one line per option of the table that has help, indented by indent;
 * a help text with newlines continues on lines aligned under its first. */
void hoc_opt_print(FILE *f, const hoc_opt *table, int indent);

/* Copies table a, then table b (either may be NULL), into dst as one
 * NULL-terminated table, so commands can share a fragment of options.
 * Returns 0, or -1 (dst left empty) when cap entries cannot hold them. */
int hoc_opt_join(hoc_opt *dst, size_t cap, const hoc_opt *a, const hoc_opt *b);

/* Parses a whole decimal integer in [min, max]; 0, or -1 when s is not one. */
int hoc_opt_int(const char *s, long long min, long long max, long long *out);

#endif
