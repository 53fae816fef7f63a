/* lin_html.h: a check's result as one self-contained HTML page (no script,
 * no external assets): per partition shown, one row per client, a bar per
 * op over a compressed time axis, numbered in linearization order; for a
 * violation, the ops that could go next in red and a line where the longest
 * linearizable prefix gets stuck. */
#ifndef LIN_HTML_H
#define LIN_HTML_H

#include "lin_check.h"

/* Writes the page for r to path: the failing partition for a violation,
 * the one cut short for unknown, else partitions up to max_ops ops in all.
 * Returns 0, or -1 (errno set) when the file cannot be written. */
int lin_html_write(const char *path, lin_result *r, const char *title, size_t max_ops);

#endif
