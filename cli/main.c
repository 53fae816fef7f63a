/* main.c: the hoc command line, a dispatcher over the commands of cmd.h
 * (one file each: cmd_compile.c, cmd_sim.c, cmd_check.c, cmd_verify.c,
 * cmd_build.c, cmd_explore.c), whose option tables also make `hoc help`.
 *
 * One exit-status rule for every command:
 *   0  success;
 *   1  a verdict against the program: a spec violated (sim, check), a goal
 *      unreachable (check), an obligation failed (verify);
 *   2  hoc could not do its job: a usage error, an unreadable file, a program
 *      that does not compile (syntax or type errors), a tool that failed;
 *   3  a bound reached (check) or a proof unknown (verify).
 * So a test that expects 1 can only pass on a program that compiles. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

#define HOC_VERSION "0.1.0"

static const Command *const commands[] = {&cmd_compile, &cmd_sim,    &cmd_check,
                                          &cmd_build,   &cmd_verify, &cmd_explore};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static const char exit_text[] =
    "exit status:\n"
    "  0  success\n"
    "  1  a verdict against the program: a spec violated, an obligation failed\n"
    "  2  hoc could not do its job: usage error, unreadable file, a program that\n"
    "     does not compile, a tool that failed\n"
    "  3  (check, verify) a bound reached or a proof unknown\n";

static void usage(FILE *f)
{
    fputs("usage: hoc COMMAND [ARGS]\n\ncommands:\n", f);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        fprintf(f, "  %-34s %s\n", commands[i]->synopsis, commands[i]->summary);
        cmd_print_options(f, commands[i]);
    }
    fprintf(f, "  %-34s %s\n", "help", "this text");
    fprintf(f, "  %-34s %s\n\n", "version", "the version");
    fputs(exit_text, f);
}

/* Whether a command's arguments ask for its help instead. */
static bool asks_help(int argc, char **argv)
{
    for (int k = 2; k < argc; k++)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) return true;
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, commands[i]->name) != 0) continue;
        if (asks_help(argc, argv)) {
            /* one command's part of hoc help */
            printf("usage: hoc %s\n%s\n", commands[i]->synopsis, commands[i]->summary);
            cmd_print_options(stdout, commands[i]);
            return 0;
        }
        return commands[i]->run(argc - 2, argv + 2);
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("hoc %s\n", HOC_VERSION);
        return 0;
    }
    return cmd_usage("unknown command '%s'", name);
}
