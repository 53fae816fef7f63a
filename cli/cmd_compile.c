/* cmd_compile.c: `hoc compile FILE.ho -o DIR`: the C of each algorithm. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "front.h"

typedef struct CompileArgs {
    const char *dir, *name;
    hoc_opt_list consts;
} CompileArgs;

/* The options of hoc compile, writing into *args, a CompileArgs. */
static void compile_options(void *args, hoc_opt *t, size_t cap)
{
    CompileArgs *c = args;
    const hoc_opt own[] = {
        {"-o", HOC_OPT_STR, &c->dir, .arg = "DIR",
         .help = "the directory to write into (created if needed)"},
        {"--algorithm", HOC_OPT_STR, &c->name, .arg = "A", .help = "only algorithm A"},
        {"--const", HOC_OPT_LIST, &c->consts, .arg = "NAME=V",
         .help = "give the program's const NAME the value V (repeatable)"},
        {NULL},
    };
    hoc_opt_join(t, cap, own, NULL);
}

/* Writes the C of the chosen algorithms into c->dir, and lists what was
 * written and what it needs. */
static int write_all(Front *fr, const char *file, const CompileArgs *c)
{
    if (c->name && !front_pick(fr, c->name)) return 2;
    char cpath[PATH_MAX];
    for (Algo *a = fr->algos; a; a = a->next) {
        if (c->name && strcmp(a->decl->name, c->name) != 0) continue;
        if (front_write(fr, a, file, c->dir, cpath, sizeof cpath) != 0) return 2;
        printf("%s\n", cpath);
    }
    /* what imported modules need: compile and link these with the code */
    for (int i = 0; i < fr->prog->ncsrc; i++)
        printf("%s\n", fr->prog->csrc[i]);
    for (int i = 0; i < fr->prog->nlibs; i++)
        fprintf(stderr, "hoc: link with %s\n", fr->prog->libs[i]);
    return 0;
}

static int compile_run(int argc, char **argv)
{
    CompileArgs c = {NULL, NULL, {{0}, 0}};
    hoc_opt t[CMD_MAXOPTS];
    const char *file;
    compile_options(&c, t, CMD_MAXOPTS);
    if (cmd_parse(t, argc, argv, "compile", &file) != 0) return 2;
    if (!c.dir) return cmd_usage("compile needs -o DIR");
    if (mkdir(c.dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "hoc: cannot create '%s': %s\n", c.dir, strerror(errno));
        return 2;
    }
    Front fr;
    int rc = front_load_consts(file, &fr, c.consts.v, c.consts.n);
    if (rc == 0) rc = write_all(&fr, file, &c);
    front_free(&fr);
    return rc;
}

const Command cmd_compile = {"compile",
                             "compile FILE.ho -o DIR [options]",
                             "write one .c/.h pair per algorithm",
                             compile_run,
                             compile_options,
                             sizeof(CompileArgs)};
