/* flush.c: the once-a-loop-pass write of a libevent owner (flush.h). */
#include "flush.h"

#include <event2/event.h>
#include <string.h>

int hoc_flush_init(hoc_flush *f, struct event_base *base, void (*cb)(int, short, void *), void *arg)
{
    memset(f, 0, sizeof *f);
    f->base = base;
    f->now = event_new(base, -1, 0, cb, arg);
    f->later = event_new(base, -1, 0, cb, arg);
    if (!f->now || !f->later) {
        hoc_flush_free(f);
        return -1;
    }
    event_priority_set(f->now, 0);
    event_priority_set(f->later, event_base_get_npriorities(base) - 1);
    return 0;
}

void hoc_flush_free(hoc_flush *f)
{
    if (f->now) event_free(f->now);
    if (f->later) event_free(f->later);
    memset(f, 0, sizeof *f);
}

void hoc_flush_ask(hoc_flush *f)
{
    if (f->asked) return;
    f->asked = true;
    /* libevent caches the time once a pass, after its epoll_wait: the same
     * cached time is the same pass (two passes in one microsecond look
     * like one, and then the run waits for a pass of its own) */
    struct timeval t;
    event_base_gettimeofday_cached(f->base, &t);
    bool full =
        t.tv_sec == f->ran.tv_sec && t.tv_usec == f->ran.tv_usec && f->runs >= HOC_FLUSH_RUNS;
    event_active(full ? f->later : f->now, 0, 0);
}

void hoc_flush_began(hoc_flush *f)
{
    f->asked = false;
    struct timeval t;
    event_base_gettimeofday_cached(f->base, &t);
    bool same = t.tv_sec == f->ran.tv_sec && t.tv_usec == f->ran.tv_usec;
    f->runs = same ? f->runs + 1 : 1;
    f->ran = t;
}
