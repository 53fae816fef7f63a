/* xassets.h: the explorer's page, script and style sheet, built into hoc
 * (explore/embed.cmake writes xassets.c from explore/assets at build time),
 * each NUL-terminated, with its length. */
#ifndef HOC_XASSETS_H
#define HOC_XASSETS_H

#include <stddef.h>

extern const unsigned char xassets_body_html[], xassets_app_js[], xassets_app_css[];
extern const size_t xassets_body_html_len, xassets_app_js_len, xassets_app_css_len;

#endif
