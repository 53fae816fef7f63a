/* xview.h: what hoc explore shows, as JSON: the algorithm, the event tree,
 * one state (fields, what changed, spec verdicts and who breaks them) and the
 * run that leads to it (messages per round, for the space-time diagram). The
 * live server and the static page (xpage.h) show the same documents. */
#ifndef HOC_XVIEW_H
#define HOC_XVIEW_H

#include "buf.h"
#include "xtree.h"

/* Appends s as a JSON string; <, > and & escaped, so the text may sit
 * inside an HTML <script>. */
void xv_str(hoc_buf *b, const char *s);
/* The algorithm: name, n, parameters, inputs, oracles, rounds, fields, specs. */
void xv_algo(const xt_tree *t, hoc_buf *b);
/* The event tree: every node with its parent, round, label, failing specs
 * and durable address (xaddr.h). */
void xv_tree(xt_tree *t, hoc_buf *b);
/* Node id's state: each process's fields (ghosts marked; new or changed
 * against the parent), crashed and halted processes, the specs' verdicts
 * with the processes that break a failing one, and the round that led here. */
void xv_state(xt_tree *t, int id, hoc_buf *b);
/* The run from its root to node id: per round its heard-of sets, crashes,
 * outputs, what the environment did after the updates (events handed,
 * replacements) and messages (sent, heard or lost, with their payloads). */
void xv_path(xt_tree *t, int id, hoc_buf *b);

#endif
