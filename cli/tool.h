/* tool.h: what the hoc command needs from its surroundings: where the
 * runtime, stdlib and libraries are, and running the C compiler without a
 * shell. */
#ifndef HOC_TOOL_H
#define HOC_TOOL_H

#include <stddef.h>

/* What generated code needs at hoc's run time. */
typedef enum ToolPath {
    TOOL_RUNTIME, /* the directory of hoc_rt.h and replica.h ($HOC_RUNTIME) */
    TOOL_STDLIB,  /* the directory of the standard .ho modules ($HOC_STDLIB) */
    TOOL_NET_LIB, /* libhocnet.a, the replica runtime ($HOC_NET_LIB) */
    TOOL_BASE_LIB /* libhocbase.a, what the replica runtime builds on ($HOC_BASE_LIB) */
} ToolPath;

/* Where to find `which`: its environment variable when set; else, when hoc
 * runs from an installed prefix (PREFIX/bin/hoc beside
 * PREFIX/share/hoc/runtime/hoc_rt.h), the installed copy; else the source
 * or build tree hoc was built in. Returns buf (cap bytes); never fails, but
 * the path may not exist (whoever opens it then says so). */
const char *tool_path(ToolPath which, char *buf, size_t cap);

/* A command line being built; its strings live in the struct itself. */
typedef struct ToolCmd {
    char *argv[160];
    int argc;
    char store[8192];
    size_t used;
    int overflow; /* set when an argument did not fit: tool_cmd_run refuses the command */
} ToolCmd;

/* Appends one argument (copied); when it does not fit, marks the command
 * overflowed instead, so that tool_cmd_run refuses it. */
void tool_cmd_add(ToolCmd *c, const char *arg);
/* Appends every word of a list separated by spaces or ';'; overflow as
 * tool_cmd_add (a list of 1024 characters or more overflows too). */
void tool_cmd_words(ToolCmd *c, const char *words);
/* Starts the C compiler command for generated code (c is reset): $HOC_CC
 * in C11 with the project's warnings as errors, the sanitizer flags hoc
 * itself was built with, the runtime's headers (tool_path), and
 * -D<PREFIX>_MAXN=maxn when maxn > 0. Cannot fail; overflow as tool_cmd_add. */
void tool_cc_begin(ToolCmd *c, const char *prefix, int maxn);
/* Runs a built command, argv[0] looked up in PATH, without a shell. Returns
 * its exit status (0: success), or -1 with a message on stderr when it
 * overflowed, could not be started or was killed. */
int tool_cmd_run(ToolCmd *c);
/* tool_cmd_run with the command's stderr on /dev/null and no message: for a
 * run whose failure the caller handles by doing the real thing anyway. */
int tool_cmd_run_quiet(ToolCmd *c);

#endif
