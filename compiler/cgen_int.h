/* cgen_int.h: what the parts of the C back end share; nothing outside
 * compiler/cgen*.c includes it.
 *
 * cgen.c assembles an algorithm's .h and .c from the parts: cgen_expr.c
 * turns an expression into a C expression (writing any loop it needs as
 * statements just before), cgen_stmt.c writes statements and whole
 * functions, and cgen_layout.c lays out the structs, their field tables,
 * the message codecs and the spec quantifiers' ranges. */
#ifndef HOC_CGEN_INT_H
#define HOC_CGEN_INT_H

#include "buf.h"
#include "cgen.h"

/* The kind of function being written: it decides where params come from
 * (env or an array) and whether lets may be named locals. */
typedef enum Mode { M_PROC, M_SPEC, M_PARAM, M_DEF } Mode;

typedef struct Gen {
    Program *prog;
    Algo *algo;
    Arena *a;
    const char *px; /* C prefix */
    const char *PX; /* upper-case prefix, for macros */
    hoc_buf *out;   /* where statements go */
    int indent;
    int ntemp;
    Mode mode;
    Round *round;
    /* what the function being emitted used, for its prologue */
    bool use_param[16], use_phase, use_id, use_env, use_s, use_from, use_msgs, use_ho;
    bool use_judge;   /* a spec's hoc_judge: a quantifier's range may exceed QDOM_CAP */
    bool use_let[64]; /* lets emitted as named locals in this function's prologue */
    bool use_out;     /* a send or an output: the out (and to) parameters */
    bool need_active_ints, need_active_stamps;
    bool need_qdom_range, need_qdom_held, need_qdom_subsets; /* PX_qspan, PX_qheld, PX_qsubsets */
    bool need_zero;   /* PX_zero: zero bytes an out-of-range array element reads */
    Decl **defs_used; /* the defs called so far: only they are written */
    int ndefs_used, capdefs_used;
    /* The stack the generated code may need (PX_stack_bytes): the current
     * function's large locals as " + sizeof(T)" terms, each function's sum,
     * and every def's (a def may sit under any function, once a chain:
     * defs do not recurse). */
    hoc_buf frame, frames, def_frames;
} Gen;

/* ---- cgen.c ---- */

/* Whether def d is called by what was written so far; with mark, records
 * that it is. Aborts when out of memory. */
bool cgen_def_used(Gen *g, Decl *d, bool mark);

/* ---- cgen_stmt.c: writing C ---- */

/* Moves b's text into a string that lives as long as the program's arena,
 * leaving b empty. */
char *cgen_take(Gen *g, hoc_buf *b);
/* Formats into a string that lives as long as the program's arena. */
char *cgen_fmt(Gen *g, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* Writes one line of the current function at the current indentation. */
void cgen_line(Gen *g, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* A fresh name for a temporary of the current function: hoc_<stem><k>. */
char *cgen_temp(Gen *g, const char *stem);
/* Opens a loop of C variable var over the members of the hoc_set held in set. */
void cgen_set_loop(Gen *g, const char *var, const char *set);
/* Closes the innermost block opened. */
void cgen_close(Gen *g);
/* Counts a local of C type ctype (a type name: "uint8_t[64]") in the
 * current function's stack frame, for PX_stack_bytes. */
void cgen_local(Gen *g, const char *ctype);
/* Writes the statements of the list that starts at s. */
void cgen_stmts(Gen *g, Stmt *s);
/* Whether e reads the local or binder b (b NULL: a def's parameter called name). */
bool cgen_expr_reads(const Expr *e, const Binder *b, const char *name);
/* Writes dst = src for a value of type t (memcpy for arrays and blocks). */
void cgen_copy(Gen *g, const char *dst, const char *src, const Type *t);

/* Writes init's assignments of the inputs (bytes ones from `bytes` when
 * from_bytes) and of the variables' initialisers, but for the ghosts and
 * durable variables when keep (cgen.c). */
void cgen_init_fields(Gen *g, bool from_bytes, bool keep);

/* Writes the statements of a function's body. */
typedef void (*cgen_body_fn)(Gen *g, void *arg);
/* Appends to dst the function of that signature: body(g, arg) writes its
 * statements, then a prologue declares exactly the params, phase and lets
 * the body used, so no local is left unused. */
void cgen_function(Gen *g, hoc_buf *dst, const char *signature, Mode mode, cgen_body_fn body,
                   void *arg);

/* ---- cgen_expr.c: expressions ---- */

/* The C expression for e, after writing the statements of any loop it
 * needs; the checker accepted e, so this cannot fail. */
const char *cgen_expr(Gen *g, Expr *e);
/* The parameter n as a C expression, in any mode. */
const char *cgen_n(Gen *g);
/* The C lvalue of e, an element of an array or block, a process's variable
 * in a spec or a field of a message, or any other expression; conjoins to
 * *cond (NULL: none yet) the C condition under which it exists: an index
 * outside the array or the processes, or a message from no one, has none.
 * NULL when the program fixes an index outside its array: never any. */
const char *cgen_access(Gen *g, Expr *e, const char **cond);
/* Whether e is an array element whose index the program fixes outside the
 * array (a[3] of int[3], q[-1]): it never exists. */
bool cgen_no_element(const Expr *e);

/* ---- cgen_layout.c: data layout ---- */

/* The C type of one scalar of t (arrays: of their elements). */
const char *cgen_ctype(Gen *g, const Type *t);
/* The array suffix of a declaration of type t: "[OTR_MAXN][4]", or "". */
const char *cgen_dims(Gen *g, const Type *t);
/* The length of array t as a C expression. */
const char *cgen_len(Gen *g, const Type *t);
/* The HOC_K_ kind of t's scalars, as named in hoc_rt.h. */
const char *cgen_kind_name(const Type *t);
/* Bytes of round r's message on the wire. */
int cgen_wire_size(const Round *r);
/* Appends the members of a struct holding fields f then variables vars,
 * widest first so that no padding falls between them. */
void cgen_struct_fields(Gen *g, hoc_buf *b, Field *f, int nf, Decl **vars, int nv);
/* Appends the members of round r's message struct: with optional fields,
 * the presence mask and the fixed fields (the header), then the optional. */
void cgen_msg_struct(Gen *g, hoc_buf *b, const Round *r);
/* The statement marking optional field i of r present in the message m. */
const char *cgen_opt_mark(Gen *g, const Round *r, int i, const char *m);
/* The statement zeroing the padding after the last member of round r's
 * message at pointer p (r has no optional fields), or NULL when its
 * members, widest first, leave none. */
const char *cgen_msg_padding(Gen *g, const Round *r, const char *p);
/* The size of the header of r's message (r has optional fields), in C. */
const char *cgen_msg_header(Gen *g, const Round *r);
/* Whether round r's messages are moved by PREFIX_copy_R and PREFIX_clear_R:
 * they have optional fields or blocks. */
bool cgen_msg_has_moves(const Round *r);
/* Appends PREFIX_copy_R and PREFIX_clear_R (cgen_msg_has_moves): what moves
 * a message into a clear mailbox slot and zeroes the slot again at the cost
 * of what it holds. */
void cgen_msg_moves(Gen *g, hoc_buf *b, const Round *r);
/* Appends the hoc_field table tname describing the members of struct sname
 * (fields f, then vars, then the C initialisers in extra if not NULL). */
void cgen_field_table(Gen *g, hoc_buf *b, const char *tname, const char *sname, Field *f, int nf,
                      Decl **vars, int nv, const char *extra);
/* The signature of the decoder (or the encoder) of round r's message. */
const char *cgen_codec_sig(Gen *g, const Round *r, bool decode);
/* Appends the encode and decode functions of round r's message. */
void cgen_codec(Gen *g, hoc_buf *b, Round *r);
/* Appends to h the sizes and to b the functions that list the values spec
 * quantifiers over ints, stamps and sets range over, for those the specs
 * written so far needed (g->need_active_*). */
void cgen_active_helpers(Gen *g, hoc_buf *h, hoc_buf *b);

/* ---- cgen_event.c: events and replacement ---- */

/* Appends the prototypes of the event handlers and of PREFIX_replaced. */
void cgen_event_prototypes(Gen *g, hoc_buf *h);
/* Appends the handlers, their argument ranges and PREFIX_replaced. */
void cgen_event_functions(Gen *g, hoc_buf *b);
/* Appends the hoc_event table (nothing without events). */
void cgen_event_table(Gen *g, hoc_buf *t);
/* Appends the hoc_algo members for events and replacement. */
void cgen_event_descriptor(Gen *g, hoc_buf *t);

#endif
