/* tool.c: finding what generated code needs, and running the toolchain.
 * posix_spawn rather than system(): no shell ever sees a file name. */
#include "tool.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The value of environment variable var, or dflt when it is unset or empty. */
static const char *env_or(const char *var, const char *dflt)
{
    const char *v = getenv(var);
    return v && *v ? v : dflt;
}

/* The installation prefix hoc runs from, into buf: the parent of the
 * executable's directory, if that holds an installed runtime; 0, or -1. */
static int installed_prefix(char *buf, size_t cap)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return -1;
    exe[len] = 0;
    char *slash = strrchr(exe, '/'); /* .../bin/hoc -> .../bin */
    if (!slash) return -1;
    *slash = 0;
    slash = strrchr(exe, '/'); /* .../bin -> ... */
    if (!slash) return -1;
    *slash = 0;
    char probe[4200];
    struct stat st;
    snprintf(probe, sizeof probe, "%s/" HOC_INSTALL_SHARE "/runtime/hoc_rt.h", exe);
    if (stat(probe, &st) != 0) return -1;
    snprintf(buf, cap, "%s", exe);
    return 0;
}

const char *tool_path(ToolPath which, char *buf, size_t cap)
{
    static const struct {
        const char *env, *installed, *built;
    } where[] = {
        [TOOL_RUNTIME] = {"HOC_RUNTIME", HOC_INSTALL_SHARE "/runtime", HOC_RUNTIME_DIR},
        [TOOL_STDLIB] = {"HOC_STDLIB", HOC_INSTALL_SHARE "/stdlib", HOC_STDLIB_DIR},
        [TOOL_NET_LIB] = {"HOC_NET_LIB", HOC_INSTALL_LIB "/libhocnet.a", HOC_NET_LIB},
        [TOOL_BASE_LIB] = {"HOC_BASE_LIB", HOC_INSTALL_LIB "/libhocbase.a", HOC_BASE_LIB},
    };
    const char *env = env_or(where[which].env, NULL);
    char prefix[4096];
    if (env)
        snprintf(buf, cap, "%s", env);
    else if (installed_prefix(prefix, sizeof prefix) == 0)
        snprintf(buf, cap, "%s/%s", prefix, where[which].installed);
    else
        snprintf(buf, cap, "%s", where[which].built);
    return buf;
}

/* Runs argv[0] (looked up in PATH) with argv, its stderr on /dev/null when
 * quiet; its exit status, or -1 (with a message unless quiet) when it cannot
 * run or was killed. */
static int run(char *const *argv, int quiet)
{
    pid_t pid;
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0) return -1;
    if (quiet) posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        if (!quiet) fprintf(stderr, "hoc: cannot run '%s': %s\n", argv[0], strerror(rc));
        return -1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void tool_cmd_add(ToolCmd *c, const char *arg)
{
    size_t len = strlen(arg) + 1;
    if (c->argc + 1 >= (int)(sizeof c->argv / sizeof *c->argv) || c->used + len > sizeof c->store) {
        c->overflow = 1;
        return;
    }
    memcpy(c->store + c->used, arg, len);
    c->argv[c->argc++] = c->store + c->used;
    c->argv[c->argc] = NULL;
    c->used += len;
}

void tool_cmd_words(ToolCmd *c, const char *words)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", words) >= (int)sizeof buf) {
        c->overflow = 1;
        return;
    }
    char *save = NULL;
    for (char *t = strtok_r(buf, " ;", &save); t; t = strtok_r(NULL, " ;", &save))
        tool_cmd_add(c, t);
}

void tool_cc_begin(ToolCmd *c, const char *prefix, int maxn)
{
    memset(c, 0, sizeof *c);
    tool_cmd_add(c, env_or("HOC_CC", HOC_CC));
    tool_cmd_words(c, "-std=c11 -O2 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L");
    tool_cmd_words(c, HOC_GEN_FLAGS);
    char dir[4096], buf[4200];
    snprintf(buf, sizeof buf, "-I%s", tool_path(TOOL_RUNTIME, dir, sizeof dir));
    tool_cmd_add(c, buf);
    if (maxn > 0) { /* smaller arrays indexed by process: smaller states */
        size_t n = (size_t)snprintf(buf, sizeof buf, "-D%s", prefix);
        for (size_t i = 2; i < n && i < sizeof buf; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        snprintf(buf + n, sizeof buf - n, "_MAXN=%d", maxn);
        tool_cmd_add(c, buf);
    }
}

int tool_cmd_run(ToolCmd *c)
{
    if (c->overflow || c->argc == 0) {
        fprintf(stderr, "hoc: the compiler command is too long\n");
        return -1;
    }
    return run(c->argv, 0);
}

int tool_cmd_run_quiet(ToolCmd *c)
{
    if (c->overflow || c->argc == 0) return -1;
    return run(c->argv, 1);
}
