/* amcmd.h: the `amalgam` subcommands that run the service (docs/deploy.md):
 * serve, reconf and cli. Each takes the arguments after its name and
 * returns the exit status (0, 1 for a failed op or check, 2 for bad usage or input). */
#ifndef HOC_AMCMD_H
#define HOC_AMCMD_H

int amcmd_serve(int argc, char **argv);
int amcmd_reconf(int argc, char **argv);
int amcmd_cli(int argc, char **argv);

#endif
