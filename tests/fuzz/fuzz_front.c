/* fuzz_front.c: libFuzzer harness for the hoc front end and C back end.
 * Every input goes through parse_text -> check_program -> cgen_algo (into
 * /dev/null); no input may crash, hang, leak or hit undefined behaviour.
 * Built with -fsanitize=fuzzer it is the fuzz target; linked with
 * fuzz_main.c instead it is `fuzz-replay DIR...`, which runs every file of
 * the given directories (or single files) through the same function. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgen.h"
#include "check.h"
#include "diag.h"
#include "parse.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    if (!devnull) {
        perror("fuzz: /dev/null");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Diag diag;
    memset(&diag, 0, sizeof diag);
    diag.out = devnull;
    Program *prog = parse_text("fuzz.ho", (const char *)data, size, &diag);
    if (!prog) return 0;
    if (diag.errors == 0) {
        Algo *algos = check_program(prog);
        if (diag.errors == 0)
            for (Algo *a = algos; a; a = a->next)
                cgen_algo(prog, a, "fuzz.ho", devnull, devnull);
        algo_free(algos);
    }
    program_free(prog);
    return 0;
}
