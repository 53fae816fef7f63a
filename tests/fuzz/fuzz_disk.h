/* fuzz_disk.h: what the targets of on-disk formats share (fuzz_amjournal.c,
 * fuzz_amrstore.c, fuzz_amterm.c, fuzz_kvwal.c, fuzz_stable.c): a private
 * folder the input's files are written into before the code under test
 * loads them the way a process does at start, and the making of seeds.
 *
 * An input is one flags byte (FZD_FIX: the target first puts right every
 * checksum of the file(s), so that the fuzzer reaches what is behind them)
 * and the file's bytes; a target of two files takes a little-endian u16
 * length of the first after the flags. */
#ifndef HOC_FUZZ_DISK_H
#define HOC_FUZZ_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FZD_FIX = 1 };

/* Each target's set-up, which fuzz_disk.c's LLVMFuzzerInitialize calls
 * (and clears the folder after): with seeding, it writes its seeds
 * (fzd_seeding). */
void fzd_init(bool seeding);
/* A writable copy of the file's bytes, data[1..size) (a spare zero byte
 * after them), their count in *n: free it. */
uint8_t *fzd_body(const uint8_t *data, size_t size, size_t *n);

/* The folder (made once, under $TMPDIR, else /dev/shm, else /tmp; removed
 * at exit). */
const char *fzd_dir(void);
/* dir/name into out[n]. */
void fzd_path(char *out, size_t n, const char *name);
/* Writes p[0..n) as dir/name (aborts when it cannot: not the code's fault). */
void fzd_write(const char *name, const uint8_t *p, size_t n);
/* Removes every file in the folder (a subfolder's files too, one level). */
void fzd_clear(void);
/* Reads dir/name whole into *out (malloc'd): its size, or -1. */
long fzd_read(const char *name, uint8_t **out);

/* The seeds folder, when the corpus is being (re)made: HOC_FUZZ_SEEDS set
 * (`HOC_FUZZ_SEEDS=tests/fuzz/corpus-NAME build/bin/fuzz-replay-NAME
 * /dev/null`), else NULL. */
const char *fzd_seeding(void);
/* Writes the input pre[0..npre) + f[0..n) as the seed NAME. */
void fzd_seed_one(const char *name, const uint8_t *pre, size_t npre, const uint8_t *f, size_t n);
/* Writes into the seeds folder the input pre[0..npre) + f[0..n) as
 * seed-NAME and, varying only f, bad-NAME-torn-K (f cut at several
 * offsets), bad-NAME-flip-K (one byte flipped at several offsets) and
 * bad-NAME-len-K (the u32 at each of lens[0..nlens) made to lie). */
void fzd_seed(const char *name, const uint8_t *pre, size_t npre, const uint8_t *f, size_t n,
              const size_t *lens, int nlens);

#endif
