/* verify.h: the `hoc verify` command. */
#ifndef HOC_VERIFY_H
#define HOC_VERIFY_H

/* hoc verify FILE.ho [--algorithm A] [--timeout S] [--smt2 DIR] [--json];
 * argv[0] is the first argument after "verify". Exit: 0 every obligation
 * proved, 1 one failed, 3 one unknown (and none failed), 2 usage or program error. */
int hoc_cmd_verify(int argc, char **argv);

#endif
