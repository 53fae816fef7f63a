/* fuzz_amterm.c: the newest reconfiguration term a machine was shown, as
 * `amalgam serve --data` reads it at start (services/amalgam/amstate.c,
 * amst_term_load).
 *
 * The input is a flags byte (fuzz_disk.h; the file has no checksum to
 * fix, only the check of its line) and the file. Whatever it holds,
 * amst_term_load must answer 0 with a term, or -1 with a message naming
 * the file, without a crash or UB; a term it takes must be the one
 * amst_term_store writes for it (its line, check and all). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amstate.h"
#include "fuzz_disk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CID 0x0123456789abcdefULL

void fzd_init(bool seeding)
{
    if (!seeding) return;
    char path[512], err[512];
    fzd_path(path, sizeof path, "term");
    const uint64_t terms[] = {1, 42, 18446744073709551615ULL};
    const uint8_t pre[1] = {0};
    for (int k = 0; k < 3; k++) {
        if (amst_term_store(path, CID, terms[k], err, sizeof err)) abort();
        uint8_t *f = NULL;
        long n = fzd_read("term", &f);
        if (n < 0) abort();
        char name[32];
        snprintf(name, sizeof name, "term-%d", k);
        fzd_seed(name, pre, 1, f, (size_t)n, NULL, 0);
        free(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char path[512], again[512], err[768] = "";
    fzd_path(path, sizeof path, "term");
    fzd_path(again, sizeof again, "term.again");
    fzd_write("term", data + 1, size - 1);
    uint64_t t = 7;
    if (amst_term_load(path, CID, &t, err, sizeof err) != 0) {
        if (t != 0 || !strstr(err, path)) abort();
    } else {
        uint64_t u = 0;
        if (t == 0 || amst_term_store(again, CID, t, err, sizeof err) ||
            amst_term_load(again, CID, &u, err, sizeof err) || u != t)
            abort();
        /* the line taken is the line written */
        uint8_t *f = NULL;
        long n = fzd_read("term.again", &f);
        const char *nl = n > 0 ? memchr(f, '\n', (size_t)n) : NULL;
        if (!nl || size - 1 < (size_t)(nl - (char *)f) + 1 ||
            memcmp(data + 1, f, (size_t)(nl - (char *)f) + 1))
            abort();
        free(f);
    }
    fzd_clear();
    return 0;
}
