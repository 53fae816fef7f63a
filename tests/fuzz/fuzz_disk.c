/* fuzz_disk.c: the folder and seeds of the on-disk format targets (fuzz_disk.h). */
#include "fuzz_disk.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fzd_init(fzd_seeding() != NULL);
    fzd_clear();
    return 0;
}

uint8_t *fzd_body(const uint8_t *data, size_t size, size_t *n)
{
    *n = size - 1;
    uint8_t *b = calloc(*n + 1, 1);
    if (!b) abort();
    if (*n) memcpy(b, data + 1, *n);
    return b;
}

static void rm_tree(const char *path, int depth)
{
    DIR *d = opendir(path);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (unlink(p) != 0 && depth > 0) {
            rm_tree(p, depth - 1);
            rmdir(p);
        }
    }
    closedir(d);
}

static void remove_dir(void)
{
    rm_tree(dir, 1);
    rmdir(dir);
}

const char *fzd_dir(void)
{
    if (!dir[0]) {
        /* memory when there is some: the code under test syncs its files, and
         * a disk's syncs would make a few dozen runs a second */
        const char *t = getenv("TMPDIR");
        if (!t || !*t) t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/hoc-fuzzdisk-XXXXXX", t);
        if (!mkdtemp(dir)) abort();
        atexit(remove_dir);
    }
    return dir;
}

void fzd_path(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", fzd_dir(), name);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) abort();
}

void fzd_write(const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    fzd_path(path, sizeof path, name);
    write_file(path, p, n);
}

void fzd_clear(void)
{
    rm_tree(fzd_dir(), 1);
}

long fzd_read(const char *name, uint8_t **out)
{
    char path[512];
    fzd_path(path, sizeof path, name);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    for (size_t got; b && (got = fread(b + n, 1, cap - n, f)) > 0;)
        if ((n += got) == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    fclose(f);
    if (!b) abort();
    *out = b;
    return (long)n;
}

const char *fzd_seeding(void)
{
    const char *s = getenv("HOC_FUZZ_SEEDS");
    return s && *s ? s : NULL;
}

void fzd_seed_one(const char *name, const uint8_t *pre, size_t npre, const uint8_t *f, size_t n)
{
    uint8_t *b = malloc(npre + n + 1);
    if (!b) abort();
    memcpy(b, pre, npre);
    if (n) memcpy(b + npre, f, n);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", fzd_seeding(), name);
    write_file(path, b, npre + n);
    free(b);
}

void fzd_seed(const char *name, const uint8_t *pre, size_t npre, const uint8_t *f, size_t n,
              const size_t *lens, int nlens)
{
    char nm[256];
    snprintf(nm, sizeof nm, "seed-%s", name);
    fzd_seed_one(nm, pre, npre, f, n);
    uint8_t *v = malloc(n + 1);
    if (!v) abort();
    /* cuts and flips at the start, inside the first records and near the end */
    size_t at[] = {1, 5, 9, 13, 21, 40, n / 2, n - n / 4, n - 3, n - 1};
    for (int k = 0; k < (int)(sizeof at / sizeof at[0]); k++) {
        if (at[k] >= n) continue;
        snprintf(nm, sizeof nm, "bad-%s-torn-%zu", name, at[k]);
        fzd_seed_one(nm, pre, npre, f, at[k]);
        memcpy(v, f, n);
        v[at[k]] ^= 0x20;
        snprintf(nm, sizeof nm, "bad-%s-flip-%zu", name, at[k]);
        fzd_seed_one(nm, pre, npre, v, n);
    }
    for (int k = 0; k < nlens; k++) {
        if (lens[k] + 4 > n) continue;
        memcpy(v, f, n);
        uint32_t x = (uint32_t)v[lens[k]] | (uint32_t)v[lens[k] + 1] << 8;
        x += k % 2 ? 1 : 0x10000; /* one more, or far past the end */
        v[lens[k]] = (uint8_t)x, v[lens[k] + 1] = (uint8_t)(x >> 8),
        v[lens[k] + 2] += (uint8_t)(x >> 16);
        snprintf(nm, sizeof nm, "bad-%s-len-%zu", name, lens[k]);
        fzd_seed_one(nm, pre, npre, v, n);
    }
    free(v);
}
