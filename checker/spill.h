/* spill.h: an anonymous file where hoc check puts what does not fit in
 * memory (the frontier's blocks, the trace log): created on first use in
 * $TMPDIR (or /tmp) and unlinked at once, so nothing is left behind even
 * when the process is killed. Not thread-safe: callers hold their lock. */
#ifndef HOC_SPILL_H
#define HOC_SPILL_H

#include <stddef.h>
#include <stdint.h>

typedef struct Spill {
    int fd;       /* -1 until the first write */
    int64_t size; /* bytes written */
    int64_t peak; /* the largest size reached, for the summary */
} Spill;

/* An empty spill with no file yet. */
void spill_init(Spill *s);
/* Closes the file, if any. */
void spill_close(Spill *s);
/* Appends len bytes; their offset, or -1 (errno set) when the file cannot
 * be made or written. */
int64_t spill_append(Spill *s, const void *data, size_t len);
/* Reads len bytes at off (within what was written); 0, or -1 on error. */
int spill_read(const Spill *s, int64_t off, void *buf, size_t len);
/* Forgets everything written; the file is kept, and shrunk, for reuse. */
void spill_clear(Spill *s);

#endif
