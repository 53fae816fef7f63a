/* xpage.c: the explorer's live and static pages (see xpage.h). */
#include "xpage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xassets.h"
#include "xview.h"

static const char head[] = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                           "<meta name=\"viewport\" content=\"width=device-width\">\n"
                           "<title>hoc explore</title>\n";

void xpage_live(hoc_buf *b)
{
    hoc_buf_puts(b, head);
    hoc_buf_puts(b, "<link rel=\"stylesheet\" href=\"/app.css\"></head>\n<body>\n");
    hoc_buf_put(b, (const char *)xassets_body_html, xassets_body_html_len);
    hoc_buf_puts(b, "<script src=\"/app.js\"></script>\n</body></html>\n");
}

/* Appends one document of the bundle: "key": JSON. */
static void doc(hoc_buf *b, const char *key, int id)
{
    hoc_buf_printf(b, ",\n\"%s", key);
    if (id >= 0) hoc_buf_printf(b, "%d", id);
    hoc_buf_puts(b, "\": ");
}

void xpage_static(xt_tree *t, int focus, const char *note, hoc_buf *b)
{
    hoc_buf_puts(b, head);
    hoc_buf_puts(b, "<style>\n");
    hoc_buf_put(b, (const char *)xassets_app_css, xassets_app_css_len);
    hoc_buf_puts(b, "</style></head>\n<body>\n");
    hoc_buf_put(b, (const char *)xassets_body_html, xassets_body_html_len);
    /* the documents the live page would fetch, keyed by their paths;
     * xv_str escapes '<', so no string can close the script early */
    hoc_buf_printf(b, "<script>\nwindow.HOC_BUNDLE = {\"focus\": %d, \"note\": ", focus);
    xv_str(b, note ? note : "");
    hoc_buf_puts(b, ", \"docs\": {\"/api/tree\": ");
    xv_tree(t, b);
    doc(b, "/api/algo", -1);
    xv_algo(t, b);
    for (int id = 0; id < t->count; id++) {
        doc(b, "/api/state/", id);
        xv_state(t, id, b);
        doc(b, "/api/path/", id);
        xv_path(t, id, b);
    }
    hoc_buf_puts(b, "}};\n</script>\n<script>\n");
    hoc_buf_put(b, (const char *)xassets_app_js, xassets_app_js_len);
    hoc_buf_puts(b, "</script>\n</body></html>\n");
}

int xpage_write(xt_tree *t, int focus, const char *note, const char *path)
{
    hoc_buf b = {0};
    xpage_static(t, focus, note, &b);
    FILE *f = fopen(path, "w");
    bool ok = f && fwrite(hoc_buf_str(&b), 1, b.n, f) == b.n;
    if (f && fclose(f) != 0) ok = false;
    if (!ok) fprintf(stderr, "hoc: cannot write %s: %s\n", path, strerror(errno));
    hoc_buf_free(&b);
    return ok ? 0 : -1;
}
