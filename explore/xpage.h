/* xpage.h: the explorer's HTML pages. The live page loads its script and
 * style from the server; the static page (hoc check --html, hoc sim --html)
 * holds them inline, with every JSON document of the tree (xview.h) in one
 * bundle, so it opens from a file, fetches nothing and is read-only. */
#ifndef HOC_XPAGE_H
#define HOC_XPAGE_H

#include "buf.h"
#include "xtree.h"

/* Appends the live page: its script talks to the server's /api. */
void xpage_live(hoc_buf *b);
/* Appends the static page of tree t, opened at node focus, with note (a
 * line of text, may be NULL) above it. */
void xpage_static(xt_tree *t, int focus, const char *note, hoc_buf *b);
/* Writes the static page to path; 0, or -1 after a message on stderr. */
int xpage_write(xt_tree *t, int focus, const char *note, const char *path);

#endif
