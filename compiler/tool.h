/* tool.h: what the hoc command needs from its surroundings: settings from
 * the environment, and running the C compiler without a shell. */
#ifndef HOC_TOOL_H
#define HOC_TOOL_H

/* The value of environment variable var, or dflt when it is unset or empty. */
const char *tool_env_or(const char *var, const char *dflt);
/* Runs argv[0] (looked up in PATH) with argv, without a shell; returns its
 * exit status, or -1 (with a message) when it cannot run or was killed. */
int tool_run(char *const *argv);

#endif
