/* tool.h: what the hoc command needs from its surroundings: settings from
 * the environment, and running the C compiler without a shell. */
#ifndef HOC_TOOL_H
#define HOC_TOOL_H

#include <stddef.h>

/* The value of environment variable var, or dflt when it is unset or empty. */
const char *tool_env_or(const char *var, const char *dflt);

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
/* Runs argv[0] (looked up in PATH) with argv, without a shell; returns its
 * exit status, or -1 (with a message) when it cannot run or was killed. */
int tool_run(char *const *argv);

/* A command line being built; its strings live in the struct itself. */
typedef struct ToolCmd {
    char *argv[160];
    int argc;
    char store[8192];
    size_t used;
    int overflow; /* set when an argument did not fit: tool_run refuses the command */
} ToolCmd;

/* Appends one argument (copied). */
void tool_cmd_add(ToolCmd *c, const char *arg);
/* Appends every word of a space-separated list. */
void tool_cmd_words(ToolCmd *c, const char *words);
/* Starts the C compiler command for generated code: $HOC_CC in C11 with the
 * project's warnings as errors, the sanitizer flags hoc itself was built
 * with, the runtime's headers, and -D<PREFIX>_MAXN=maxn when maxn > 0. */
void tool_cc_begin(ToolCmd *c, const char *prefix, int maxn);
/* Runs a built command; -1 with a message if it overflowed. */
int tool_cmd_run(ToolCmd *c);

#endif
