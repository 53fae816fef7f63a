/* build.h: hoc build FILE.ho -o BIN: a native replica executable. */
#ifndef HOC_BUILD_H
#define HOC_BUILD_H

/* argv holds the arguments after "build". Exit status as the hoc command:
 * 0 built, 1 errors in the program, 2 usage or tool failure. */
int hoc_cmd_build(int argc, char **argv);

#endif
