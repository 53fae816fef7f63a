/* amdsync.c: the syncer thread (amdsync.h). */
#include "amdsync.h"

#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct amds {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int efd, fd; /* fd: the one to sync, -1 none asked */
    bool stop, busy, done;
    int err;
    struct event *ev;
    amds_done_fn cb;
    void *ctx;
};

static void *syncer(void *arg)
{
    amds *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->stop && s->fd < 0)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->stop) break;
        int fd = s->fd;
        pthread_mutex_unlock(&s->mu);
        int e = fdatasync(fd) != 0 ? errno : 0;
        pthread_mutex_lock(&s->mu);
        s->fd = -1, s->err = e, s->done = true;
        pthread_cond_broadcast(&s->cv);
        uint64_t one = 1;
        if (write(s->efd, &one, sizeof one) < 0) { /* the counter cannot overflow here */
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    amds *s = arg;
    uint64_t v;
    (void)fd, (void)what;
    if (read(s->efd, &v, sizeof v) < 0 && errno != EAGAIN) return;
    pthread_mutex_lock(&s->mu);
    bool done = s->done;
    int e = s->err;
    s->done = false;
    pthread_mutex_unlock(&s->mu);
    if (!done) return;
    s->busy = false;
    s->cb(s->ctx, e);
}

amds *amds_new(struct event_base *base, amds_done_fn done, void *ctx)
{
    amds *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->fd = -1, s->cb = done, s->ctx = ctx;
    s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->efd < 0) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->ev = event_new(base, s->efd, EV_READ | EV_PERSIST, on_done, s);
    /* the sockets' priority: the messages a sync releases leave in the same
     * loop pass (runtime/flush.h), not behind every pass that reads */
    if (s->ev) event_priority_set(s->ev, 0);
    if (!s->ev || event_add(s->ev, NULL) || pthread_create(&s->th, NULL, syncer, s) != 0) {
        if (s->ev) event_free(s->ev);
        close(s->efd);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
        errno = EAGAIN;
        return NULL;
    }
    return s;
}

void amds_free(amds *s)
{
    if (!s) return;
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    event_free(s->ev);
    close(s->efd);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

bool amds_start(amds *s, int fd)
{
    if (s->busy) return false;
    pthread_mutex_lock(&s->mu);
    s->fd = fd, s->busy = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return true;
}

bool amds_busy(const amds *s)
{
    return s->busy;
}
