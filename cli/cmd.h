/* cmd.h: the hoc commands, and what their command lines share. Each command
 * takes the arguments after its name and returns hoc's exit status (see
 * main.c); each parses its options with one hoc_opt table (base/opt.h), the
 * same table that prints its part of `hoc help`. */
#ifndef HOC_CMD_H
#define HOC_CMD_H

#include <stdio.h>

#include "opt.h"

typedef struct Command {
    const char *name;     /* "sim" */
    const char *synopsis; /* "sim FILE.ho -n N [options]" */
    const char *summary;  /* what it does, in one line of hoc help */
    /* argv holds the arguments after the command's name; returns the exit status */
    int (*run)(int argc, char **argv);
    /* Fills t (cap entries, NULL-terminated) with the options that run parses,
     * writing into args, an object of args_size bytes: hoc help prints them. */
    void (*options)(void *args, hoc_opt *t, size_t cap);
    size_t args_size;
} Command;

/* Room for any command's option table. */
#define CMD_MAXOPTS 48

extern const Command cmd_compile, cmd_sim, cmd_check, cmd_build, cmd_verify, cmd_explore;

/* Prints "hoc: MESSAGE" and "run 'hoc help' for usage" on stderr; returns 2. */
int cmd_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Parses argv with table; the one positional argument, the .ho file, goes to
 * *file. Returns 0, or 2 after cmd_usage says what is wrong (name, the
 * command's, says who needs a file). */
int cmd_parse(const hoc_opt *table, int argc, char **argv, const char *name, const char **file);
/* Prints a command's options, one line each, as hoc help lists them (out of
 * memory: nothing). */
void cmd_print_options(FILE *f, const Command *c);

#endif
