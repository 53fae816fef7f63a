/* log.c: the leveled log (see log.h). One fprintf per line, so lines from
 * processes sharing a terminal do not interleave mid-line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int hoc_log_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0) return i;
    return -1;
}

int hoc_log_option(void *dst, const char *v, char *err, size_t errn)
{
    int level = hoc_log_parse(v);
    if (level < 0) {
        snprintf(err, errn, "--log takes error, warn, info or debug, not '%s'", v);
        return -1;
    }
    *(hoc_log_level *)dst = (hoc_log_level)level;
    return 0;
}

void hoc_log(const hoc_logger *lg, hoc_log_level lv, const char *fmt, ...)
{
    if (lv > lg->max) return;
    static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (k >= (int)sizeof msg) memcpy(msg + sizeof msg - 6, "[...]", 6);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts); /* wall time, to line up with other logs */
    fprintf(stderr, "%lld.%03ld hoc[%d] %s %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
            lg->id, tags[lv], msg);
}
