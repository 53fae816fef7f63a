/* spill.c: the anonymous spill file (see spill.h). */
#include "spill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void spill_init(Spill *s)
{
    s->fd = -1;
    s->size = s->peak = 0;
}

void spill_close(Spill *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    s->size = 0;
}

/* Creates the unlinked file; -1 when it cannot. */
static int spill_create(Spill *s)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/hoc-check-XXXXXX", dir && *dir ? dir : "/tmp");
    s->fd = mkstemp(path);
    if (s->fd < 0) return -1;
    unlink(path);
    return 0;
}

int64_t spill_append(Spill *s, const void *data, size_t len)
{
    if (s->fd < 0 && spill_create(s) != 0) return -1;
    int64_t off = s->size;
    for (size_t done = 0; done < len;) {
        ssize_t w =
            pwrite(s->fd, (const char *)data + done, len - done, (off_t)(off + (int64_t)done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        done += (size_t)w;
    }
    s->size += (int64_t)len;
    if (s->size > s->peak) s->peak = s->size;
    return off;
}

int spill_read(const Spill *s, int64_t off, void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t r = pread(s->fd, (char *)buf + done, len - done, (off_t)(off + (int64_t)done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    return 0;
}

void spill_clear(Spill *s)
{
    if (s->fd >= 0 && s->size > 0 && ftruncate(s->fd, 0) != 0) {
        /* the space stays taken until the file is closed; nothing is lost */
    }
    s->size = 0;
}
