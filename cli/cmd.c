/* cmd.c: what the commands' command lines share (see cmd.h). */
#include "cmd.h"

#include <stdarg.h>
#include <stdlib.h>

int cmd_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hoc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nrun 'hoc help' for usage\n", stderr);
    va_end(ap);
    return 2;
}

int cmd_parse(const hoc_opt *table, int argc, char **argv, const char *name, const char **file)
{
    char err[512];
    int npos;
    if (hoc_opt_parse(table, argc, argv, file, 1, &npos, err, sizeof err) != 0)
        return cmd_usage("%s", err);
    if (npos == 0) return cmd_usage("%s needs a .ho file", name);
    return 0;
}

void cmd_print_options(FILE *f, const Command *c)
{
    hoc_opt t[CMD_MAXOPTS];
    void *args = calloc(1, c->args_size);
    if (!args) return;
    c->options(args, t, CMD_MAXOPTS);
    hoc_opt_print(f, t, 6);
    free(args);
}
