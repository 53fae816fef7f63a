/* log.h: the leveled log of long-running processes (replicas, services), on
 * stderr, one line per event: "SECONDS.MILLIS hoc[ID] LEVEL message". */
#ifndef HOC_LOG_H
#define HOC_LOG_H

#include <stddef.h>

typedef enum hoc_log_level {
    HOC_LOG_ERROR,
    HOC_LOG_WARN,
    HOC_LOG_INFO,
    HOC_LOG_DEBUG
} hoc_log_level;

/* Who logs (the process id in each line) and how much; each owner keeps its own. */
typedef struct hoc_logger {
    hoc_log_level max;
    int id;
} hoc_logger;

/* Parses "error", "warn", "info" or "debug"; -1 otherwise. */
int hoc_log_parse(const char *s);
/* The --log LEVEL option's parser (an HOC_OPT_CALL for base/opt.h): stores
 * the level in *(hoc_log_level *)dst; 0, or -1 with a message in err. */
int hoc_log_option(void *dst, const char *v, char *err, size_t errn);
/* Writes one line to stderr if lv <= lg->max. A message longer than 4 KiB is
 * cut and ends in "[...]", so a cut never passes unseen. */
void hoc_log(const hoc_logger *lg, hoc_log_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
