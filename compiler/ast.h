/* ast.h: the syntax tree of a .ho program, and its types.
 * Nodes live in an arena owned by the Program; nothing is freed one by one. */
#ifndef HOC_AST_H
#define HOC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Arena Arena;
typedef struct Diag Diag;

typedef struct Pos {
    const char *file;
    int line, col;
} Pos;

typedef enum TypeKind {
    TY_ERROR,   /* already reported; silences follow-on errors */
    TY_UNKNOWN, /* binder whose type the checker infers from its first use */
    TY_INT,
    TY_BOOL,
    TY_PID,
    TY_ENUM,
    TY_SET,   /* a set of processes */
    TY_STAMP, /* a phase number or never: copied, compared, never computed with */
    TY_BYTES, /* fixed-size byte block */
    TY_ARRAY, /* fixed-size array, or indexed by process when len < 0 */
    TY_MSG,   /* one received message: a sender index into a mailbox */
    TY_MBOX,  /* a mailbox or a filtered one; proj >= 0 names a field */
    TY_VOID
} TypeKind;

typedef struct Decl Decl;
typedef struct Round Round;

typedef struct Type {
    TypeKind kind;
    int64_t len;       /* TY_BYTES, TY_ARRAY (-1: one per process) */
    struct Type *elem; /* TY_ARRAY */
    Decl *enm;         /* TY_ENUM */
    Round *round;      /* TY_MSG, TY_MBOX */
    int proj;          /* TY_MBOX: projected field, or -1 */
    struct Expr *lenx; /* as written, before the checker folds it */
} Type;

typedef enum ExprKind {
    E_INT,
    E_BOOL,
    E_NAME,
    E_UNARY,
    E_BINARY,
    E_COND,   /* c ? a : b */
    E_INDEX,  /* a[i] */
    E_FIELD,  /* a.f */
    E_CALL,   /* f(args): def, extern, output or builtin aggregate */
    E_CARD,   /* |e| */
    E_COMPR,  /* { x in dom | cond } */
    E_SETLIT, /* {}, {a, b} */
    E_TUPLE,  /* (a, b): a message being sent */
    E_QUANT,  /* forall/exists binders. body */
    E_ROUND,  /* the round counter */
    E_PHASE,  /* the phase counter */
    E_NEVER,  /* the stamp below every phase */
    E_ABSENT  /* `_`: an optional message field left out of a sent tuple */
} ExprKind;

typedef enum Op {
    OP_NEG,
    OP_NOT,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_AND,
    OP_OR,
    OP_IMPLIES,
    OP_IN
} Op;

/* What a name turned out to mean, filled in by the checker. */
typedef enum NameKind {
    N_UNRESOLVED,
    N_STATE, /* Decl D_VAR or D_INPUT of the algorithm */
    N_PARAM, /* index in Name.index */
    N_CONST,
    N_ENUMVAL,
    N_LET,    /* algorithm-level let/role, expanded where used */
    N_LOCAL,  /* block-local let or loop variable */
    N_BINDER, /* quantifier/comprehension variable */
    N_MSGVAR, /* a variable ranging over a mailbox (a sender index) */
    N_ID,     /* this process */
    N_PROCS,  /* the set of all processes */
    N_MBOX,   /* the round's mailbox */
    N_HO,     /* heard-of sets, specs only */
    N_CRASHED /* crashed[i]: whether process i has crashed, specs only */
} NameKind;

/* One bound a spec's int binder takes from its guard (compiler/qdom.c):
 * k >= e, k > e, k <= e, k < e or k == e, e not mentioning k. */
typedef enum QBoundKind { QB_GE, QB_GT, QB_LE, QB_LT, QB_EQ } QBoundKind;
typedef struct QBound {
    QBoundKind kind;
    struct Expr *e;
} QBound;

typedef struct Binder {
    const char *name;
    Pos pos;
    Type *type;        /* declared, or inferred */
    const char *dom;   /* "in NAME", or NULL */
    struct Expr *domx; /* dom, resolved by the checker */
    struct Binder *next;
    int id;         /* unique number, for C names */
    bool event_arg; /* an event's argument: read-only like a loop variable */
    /* A spec's quantifier over ints or stamps (compiler/qdom.c): what the
     * drivers enumerate. With nbounds > 0, the interval its guard gives;
     * otherwise the active domain, the nconsts constants compared with the
     * spec's such binders, and nfresh values held nowhere. */
    QBound *bounds;
    int nbounds;
    struct Expr **consts;
    int nconsts, nfresh;
    /* A spec's quantifier over sets: pinned by its guard to pin (evaluated
     * for every process pin_over when that is not NULL), or, without a pin,
     * every subset of the processes. */
    struct Expr *pin;
    struct Binder *pin_over;
} Binder;

typedef struct Expr Expr;
struct Expr {
    ExprKind kind;
    Pos pos;
    Type *type; /* set by the checker */
    Op op;
    int64_t ival;
    const char *name; /* E_NAME, E_FIELD field, E_CALL callee */
    Expr *a, *b, *c;  /* operands */
    Expr **args;      /* E_CALL, E_SETLIT, E_TUPLE */
    int nargs;
    bool is_forall;  /* E_QUANT */
    Binder *binders; /* E_QUANT, E_COMPR (one) */
    /* resolution */
    NameKind nk;
    Decl *decl;
    Binder *binder;
    int index; /* param index, field index, enum value */
    int depth; /* nesting depth, bounded by the parser (parse_nested) */
};

typedef enum StmtKind {
    S_BLOCK,
    S_ASSIGN,
    S_IF,
    S_FOR,
    S_LET,
    S_SEND,   /* send e to target; broadcast e when target is NULL */
    S_OUTPUT, /* decide(e) */
    S_HALT,
    S_ERROR /* a statement the parser recovered from */
} StmtKind;

typedef struct Stmt Stmt;
struct Stmt {
    StmtKind kind;
    Pos pos;
    Stmt *body, *els; /* S_IF then/else, S_FOR body; S_BLOCK list via next */
    Stmt *next;
    Expr *lhs, *rhs; /* assign; S_LET rhs; S_SEND payload + lhs=target */
    Expr *cond;      /* S_IF; S_FOR range low */
    Expr *hi;        /* S_FOR range high (for i in lo..hi) */
    Binder *var;     /* S_FOR variable, S_LET name */
    Decl *out;       /* S_OUTPUT */
};

typedef enum DeclKind {
    D_IMPORT,
    D_CONST,
    D_ENUM,
    D_DEF,    /* pure function defined in .ho */
    D_EXTERN, /* pure function implemented in C */
    D_ALGO,
    /* algorithm members */
    D_PARAM,
    D_INPUT,
    D_OUTPUT,
    D_VAR,
    D_ORACLE,
    D_LET, /* let NAME = e; role NAME = e; */
    D_ROUND,
    D_SPEC,
    D_EVENT,   /* event NAME(args) { ... }: a request the environment delivers */
    D_REPLACED /* replaced { ... }: what a replaced process starts with */
} DeclKind;

/* What a D_SPEC declares. The order is runtime/hoc_rt.h's hoc_spec_kind,
 * which the generated spec tables name. */
typedef enum SpecKind {
    SPEC_INVARIANT,
    SPEC_PROPERTY,
    SPEC_ASSUME, /* always, or `eventually` (ev_rounds != 0) */
    SPEC_GOAL,
    SPEC_PRUNE,
    SPEC_PROGRESS /* what the good rounds of an eventual assumption achieve */
} SpecKind;

typedef struct Field {
    const char *name;
    Pos pos;
    Type *type;
    Expr *lo, *hi;         /* an event argument's range lo..hi (hi excluded), or NULL */
    struct Binder *binder; /* an event argument: the local its body reads */
    bool optional;         /* a message field declared `name?: T`: may be left out (`_`) */
} Field;

struct Round {
    const char *name;
    Pos pos;
    int index;
    Field *fields; /* message record; a single unnamed value is field "value" */
    int nfields;
    bool single;   /* declared as `msg T`: m denotes the value itself */
    bool inferred; /* no msg clause: the type comes from the sends */
    int noptional; /* fields declared optional, at most 64 (set by the checker) */
    Stmt *send;
    Stmt *update;
    Expr *timeout_us, *wait, *goahead, *when;
};

struct Decl {
    DeclKind kind;
    Pos pos;
    const char *name;
    Decl *next;
    /* D_CONST value; D_VAR/D_INPUT/D_ORACLE type */
    Type *type;
    Expr *init;    /* D_VAR initializer, D_CONST/D_LET/D_DEF body, D_PARAM where */
    int64_t value; /* D_CONST folded */
    bool ghost;    /* D_VAR */
    bool durable;  /* D_VAR kept across a replacement (stable storage) */
    bool role;     /* D_LET declared with `role` */
    bool used;
    /* D_ENUM */
    const char **members;
    int nmembers;
    /* D_OUTPUT: an attribute after it, as written (`agreed`), or NULL; the
     * checker sets agreed from it */
    const char *attr;
    Pos attr_pos;
    bool agreed;
    /* D_DEF, D_EXTERN, D_OUTPUT: parameters and result */
    Field *params;
    int nparams;
    Type *ret;
    /* D_PARAM */
    int index;
    /* D_ROUND */
    Round *round;
    /* D_SPEC */
    SpecKind spec_kind;
    int64_t ev_rounds;  /* assume: eventually K rounds (or a phase when -1); progress: K */
    const char *target; /* progress: the assumption's name, as written */
    Decl *assumption;   /* progress: that assumption, resolved by the checker */
    /* D_ALGO */
    Decl *members_list;
    /* D_EVENT (its arguments are params), D_REPLACED: the handler */
    Stmt *body;
};

typedef struct Program {
    Arena *arena;
    Diag *diag;
    Decl *decls; /* top-level, imports already spliced in */
    /* What imported modules need linked: NAME.c and the flags in NAME.libs */
    const char *csrc[16];
    int ncsrc;
    const char *libs[16];
    int nlibs;
} Program;

/* ---- arena ---- */
/* A new, empty arena. When memory runs out, it and its allocations exit the process (status 2). */
Arena *arena_new(void);
/* Frees the arena and everything allocated in it; NULL is a no-op. */
void arena_free(Arena *a);
/* Zeroed memory that lives as long as the arena. */
void *arena_alloc(Arena *a, size_t n);
/* A copy of s[0..n) with a terminating NUL, in the arena. */
char *arena_strndup(Arena *a, const char *s, size_t n);

/* ---- constructors used by the parser ---- */
/* A zeroed node of kind k at position p, in the arena (the parser fills the rest). */
Expr *ast_expr(Arena *a, ExprKind k, Pos p);
/* A zeroed statement of kind k at position p, in the arena. */
Stmt *ast_stmt(Arena *a, StmtKind k, Pos p);
/* A zeroed declaration of kind k named name (copied into the arena) at position p. */
Decl *ast_decl(Arena *a, DeclKind k, Pos p, const char *name);
/* A zeroed type of kind k, in the arena. */
Type *ast_type(Arena *a, TypeKind k);
/* How a type reads in diagnostics ("int[pid]", "set"), in the arena. */
const char *type_name(Arena *a, const Type *t);
/* Whether e is built by operators and ?: from leaves that leaf accepts. */
bool ast_only(const Expr *e, bool (*leaf)(const Expr *));

#endif
