/* grammar.y: the .ho grammar for Lemon. Actions only build the tree; names
 * and types are the checker's business (check.c). */
%name hocParse
%token_prefix TK_
%token_type {Token}
%extra_argument {Parser *ps}
%stack_size 1000

%include {
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "lexer.h"
#include "parse.h"
}

%syntax_error { parse_syntax_error(ps, &yyminor); }
%stack_overflow { parse_overflow(ps); }

%token_class ident IDENT.

/* Lowest first. A quantifier's body reaches as far right as it can. */
%right FORALL EXISTS.
%right QUESTION COLON.
%right IMPLIES.
%left OR.
%left AND.
%nonassoc EQ NE LT LE GT GE IN.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right NOT UMINUS.
%left DOT LBRACKET.

%type decls {Decl*}
%type decl {Decl*}
%type members {Decl*}
%type member {Decl*}
%type idlist {NameList*}
%type type {Type*}
%type fields {FieldList*}
%type params {FieldList*}
%type field {Field}
%type efields {FieldList*}
%type eparams {FieldList*}
%type efield {Field}
%type expr {Expr*}
%type exprs {ExprList*}
%type args {ExprList*}
%type binders {Binder*}
%type binder {Binder*}
%type block {Stmt*}
%type stmts {Stmt*}
%type stmt {Stmt*}
%type ifstmt {Stmt*}
%type lvalue {Expr*}
%type round {Round*}
%type rhead {Round*}
%type sendpart {Stmt*}
%type updatepart {Stmt*}

program ::= decls(D). { ps->decls = D; }

decls(A) ::= . { A = NULL; }
decls(A) ::= decls(B) decl(D). { A = parse_add_decl(ps, B, D); }

decl(A) ::= IMPORT(T) IDENT(N) SEMI. { A = ast_decl(ps->arena, D_IMPORT, T.pos, N.s); }
decl(A) ::= CONST(T) IDENT(N) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_CONST, T.pos, N.s); A->init = E; A->pos = N.pos; }
decl(A) ::= ENUM IDENT(N) LBRACE idlist(L) RBRACE.
    { A = ast_decl(ps->arena, D_ENUM, N.pos, N.s); A->members = L->v; A->nmembers = L->n; }
decl(A) ::= DEF IDENT(N) LPAREN params(P) RPAREN COLON type(R) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_DEF, N.pos, N.s); A->params = P->v; A->nparams = P->n;
      A->ret = R; A->init = E; }
decl(A) ::= EXTERN DEF IDENT(N) LPAREN params(P) RPAREN COLON type(R) SEMI.
    { A = ast_decl(ps->arena, D_EXTERN, N.pos, N.s); A->params = P->v; A->nparams = P->n;
      A->ret = R; }
decl(A) ::= ALGORITHM IDENT(N) LBRACE members(M) RBRACE.
    { A = ast_decl(ps->arena, D_ALGO, N.pos, N.s); A->members_list = M; }
decl(A) ::= error SEMI. { A = NULL; }

idlist(A) ::= IDENT(N). { A = parse_names(ps, NULL, N); }
idlist(A) ::= idlist(B) COMMA IDENT(N). { A = parse_names(ps, B, N); }

params(A) ::= . { A = parse_fields(ps, NULL, NULL); }
params(A) ::= fields(F). { A = F; }
fields(A) ::= field(F). { A = parse_fields(ps, NULL, &F); }
fields(A) ::= fields(B) COMMA field(F). { A = parse_fields(ps, B, &F); }
field(A) ::= IDENT(N) COLON type(T).
    { A.name = N.s; A.pos = N.pos; A.type = T; A.lo = A.hi = NULL; A.optional = false; }
field(A) ::= IDENT(N) QUESTION COLON type(T).
    { A.name = N.s; A.pos = N.pos; A.type = T; A.lo = A.hi = NULL; A.optional = true; }

type(A) ::= TINT. { A = ast_type(ps->arena, TY_INT); }
type(A) ::= TBOOL. { A = ast_type(ps->arena, TY_BOOL); }
type(A) ::= TPID. { A = ast_type(ps->arena, TY_PID); }
type(A) ::= TSET. { A = ast_type(ps->arena, TY_SET); }
type(A) ::= TSTAMP. { A = ast_type(ps->arena, TY_STAMP); }
type(A) ::= IDENT(N). { A = parse_named_type(ps, N); }
type(A) ::= TBYTES LBRACKET expr(E) RBRACKET.
    { A = ast_type(ps->arena, TY_BYTES); A->lenx = E; }
type(A) ::= type(T) LBRACKET expr(E) RBRACKET.
    { A = ast_type(ps->arena, TY_ARRAY); A->elem = T; A->lenx = E; A = parse_nested_type(ps, A); }
type(A) ::= type(T) LBRACKET TPID RBRACKET.
    { A = ast_type(ps->arena, TY_ARRAY); A->elem = T; A->len = -1; A = parse_nested_type(ps, A); }

/* ---- algorithm members ---- */
members(A) ::= . { A = NULL; }
members(A) ::= members(B) member(M). { A = parse_add_decl(ps, B, M); }

member(A) ::= PARAM idlist(L) SEMI. { A = parse_params(ps, L, NULL); }
member(A) ::= PARAM idlist(L) WHERE expr(E) SEMI. { A = parse_params(ps, L, E); }
member(A) ::= INPUT IDENT(N) COLON type(T) SEMI.
    { A = ast_decl(ps->arena, D_INPUT, N.pos, N.s); A->type = T; }
member(A) ::= OUTPUT IDENT(N) LPAREN RPAREN SEMI.
    { A = ast_decl(ps->arena, D_OUTPUT, N.pos, N.s); }
member(A) ::= OUTPUT IDENT(N) LPAREN type(T) RPAREN SEMI.
    { A = ast_decl(ps->arena, D_OUTPUT, N.pos, N.s); A->ret = T; }
member(A) ::= OUTPUT IDENT(N) LPAREN RPAREN IDENT(Q) SEMI.
    { A = ast_decl(ps->arena, D_OUTPUT, N.pos, N.s); A->attr = Q.s; A->attr_pos = Q.pos; }
member(A) ::= OUTPUT IDENT(N) LPAREN type(T) RPAREN IDENT(Q) SEMI.
    { A = ast_decl(ps->arena, D_OUTPUT, N.pos, N.s); A->ret = T; A->attr = Q.s; A->attr_pos = Q.pos; }
member(A) ::= VAR IDENT(N) COLON type(T) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; }
member(A) ::= VAR IDENT(N) COLON type(T) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; A->init = E; }
member(A) ::= GHOST VAR IDENT(N) COLON type(T) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; A->ghost = true; }
member(A) ::= GHOST VAR IDENT(N) COLON type(T) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; A->init = E; A->ghost = true; }
member(A) ::= DURABLE VAR IDENT(N) COLON type(T) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; A->durable = true; }
member(A) ::= DURABLE VAR IDENT(N) COLON type(T) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_VAR, N.pos, N.s); A->type = T; A->init = E; A->durable = true; }
member(A) ::= ORACLE IDENT(N) COLON type(T) SEMI.
    { A = ast_decl(ps->arena, D_ORACLE, N.pos, N.s); A->type = T; }
member(A) ::= LET IDENT(N) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_LET, N.pos, N.s); A->init = E; }
member(A) ::= ROLE IDENT(N) ASSIGN expr(E) SEMI.
    { A = ast_decl(ps->arena, D_LET, N.pos, N.s); A->init = E; A->role = true; }
member(A) ::= round(R).
    { A = ast_decl(ps->arena, D_ROUND, R->pos, R->name); A->round = R; }
member(A) ::= INVARIANT IDENT(N) COLON expr(E) SEMI. { A = parse_spec(ps, N, SPEC_INVARIANT, E, 0); }
member(A) ::= PROPERTY IDENT(N) COLON expr(E) SEMI. { A = parse_spec(ps, N, SPEC_PROPERTY, E, 0); }
member(A) ::= ASSUME IDENT(N) COLON expr(E) SEMI. { A = parse_spec(ps, N, SPEC_ASSUME, E, 0); }
member(A) ::= GOAL IDENT(N) COLON expr(E) SEMI. { A = parse_spec(ps, N, SPEC_GOAL, E, 0); }
member(A) ::= PRUNE IDENT(N) COLON expr(E) SEMI. { A = parse_spec(ps, N, SPEC_PRUNE, E, 0); }
member(A) ::= ASSUME IDENT(N) COLON EVENTUALLY INT(K) ROUNDS expr(E) SEMI.
    { A = parse_spec(ps, N, SPEC_ASSUME, E, K.ival > 0 ? K.ival : 1); }
member(A) ::= ASSUME IDENT(N) COLON EVENTUALLY PHASE expr(E) SEMI.
    { A = parse_spec(ps, N, SPEC_ASSUME, E, -1); }
member(A) ::= PROGRESS IDENT(N) AFTER INT(K) ROUNDS COLON expr(E) SEMI.
    { A = parse_stage(ps, N, K, E); }
member(A) ::= PROGRESS IDENT(N) AFTER INT(K) ROUND COLON expr(E) SEMI.
    { A = parse_stage(ps, N, K, E); }
member(A) ::= EVENT IDENT(N) LPAREN eparams(P) RPAREN block(B).
    { A = ast_decl(ps->arena, D_EVENT, N.pos, N.s); A->params = P->v; A->nparams = P->n; A->body = B; }
member(A) ::= REPLACED(T) block(B).
    { A = ast_decl(ps->arena, D_REPLACED, T.pos, "replaced"); A->body = B; }
member(A) ::= error SEMI. { A = NULL; }
member(A) ::= error RBRACE. { A = NULL; }

/* ---- event arguments: an int may say its range, which drivers enumerate or draw ---- */
eparams(A) ::= . { A = parse_fields(ps, NULL, NULL); }
eparams(A) ::= efields(F). { A = F; }
efields(A) ::= efield(F). { A = parse_fields(ps, NULL, &F); }
efields(A) ::= efields(B) COMMA efield(F). { A = parse_fields(ps, B, &F); }
efield(A) ::= field(F). { A = F; }
efield(A) ::= IDENT(N) COLON type(T) IN expr(L) DOTDOT expr(H).
    { A.name = N.s; A.pos = N.pos; A.type = T; A.lo = L; A.hi = H; A.optional = false; }

/* ---- rounds ---- */
round(A) ::= rhead(R) LBRACE sendpart(S) updatepart(U) progress RBRACE.
    { A = R; A->send = S; A->update = U; }
rhead(A) ::= ROUND(T). { A = parse_round(ps, T.pos, NULL); }
rhead(A) ::= ROUND(T) IDENT(N). { A = parse_round(ps, T.pos, N.s); }
rhead(A) ::= ROUND(T) MSG type(M). { A = parse_round(ps, T.pos, NULL); parse_round_single(ps, A, M); }
rhead(A) ::= ROUND(T) IDENT(N) MSG type(M).
    { A = parse_round(ps, T.pos, N.s); parse_round_single(ps, A, M); }
rhead(A) ::= ROUND(T) MSG LPAREN fields(F) RPAREN.
    { A = parse_round(ps, T.pos, NULL); A->fields = F->v; A->nfields = F->n; A->inferred = false; }
rhead(A) ::= ROUND(T) IDENT(N) MSG LPAREN fields(F) RPAREN.
    { A = parse_round(ps, T.pos, N.s); A->fields = F->v; A->nfields = F->n; A->inferred = false; }

sendpart(A) ::= . { A = NULL; }
sendpart(A) ::= SEND block(B). { A = B; }
updatepart(A) ::= . { A = NULL; }
updatepart(A) ::= UPDATE block(B). { A = B; }

progress ::= .
progress ::= PROGRESS pclauses SEMI.
pclauses ::= pclause.
pclauses ::= pclauses COMMA pclause.
pclause ::= TIMEOUT DURATION(D). { parse_progress(ps, 0, D.pos, NULL, D.ival); }
pclause ::= TIMEOUT(T) INT(V). { parse_progress(ps, -1, T.pos, NULL, V.ival); }
pclause ::= WAIT(T) expr(E). { parse_progress(ps, 1, T.pos, E, 0); }
pclause ::= GOAHEAD(T) expr(E). { parse_progress(ps, 2, T.pos, E, 0); }
pclause ::= WHEN(T) expr(E). { parse_progress(ps, 3, T.pos, E, 0); }

/* ---- statements ---- */
block(A) ::= LBRACE(T) stmts(S) RBRACE. { A = ast_stmt(ps->arena, S_BLOCK, T.pos); A->body = S; }
stmts(A) ::= . { A = NULL; }
stmts(A) ::= stmts(B) stmt(S). { A = parse_add_stmt(ps, B, S); }

stmt(A) ::= block(B). { A = B; }
stmt(A) ::= lvalue(L) ASSIGN(T) expr(R) SEMI.
    { A = ast_stmt(ps->arena, S_ASSIGN, T.pos); A->lhs = L; A->rhs = R; }
stmt(A) ::= IDENT(F) LPAREN args(L) RPAREN SEMI. { A = parse_output_stmt(ps, F, L); }
stmt(A) ::= ifstmt(S). { A = S; }
stmt(A) ::= FOR(T) IDENT(N) IN expr(E) block(B). { A = parse_for(ps, T.pos, N, E, NULL, B); }
stmt(A) ::= FOR(T) IDENT(N) IN expr(E) DOTDOT expr(H) block(B). { A = parse_for(ps, T.pos, N, E, H, B); }
stmt(A) ::= LET(T) IDENT(N) ASSIGN expr(E) SEMI. { A = parse_let(ps, T.pos, N, NULL, E); }
stmt(A) ::= LET(T) IDENT(N) COLON type(Y) ASSIGN expr(E) SEMI. { A = parse_let(ps, T.pos, N, Y, E); }
stmt(A) ::= BROADCAST(T) expr(E) SEMI. { A = ast_stmt(ps->arena, S_SEND, T.pos); A->rhs = E; }
stmt(A) ::= SEND(T) expr(E) TO expr(D) SEMI.
    { A = ast_stmt(ps->arena, S_SEND, T.pos); A->rhs = E; A->lhs = D; }
stmt(A) ::= HALT(T) SEMI. { A = ast_stmt(ps->arena, S_HALT, T.pos); }
stmt(A) ::= error SEMI(T). { A = ast_stmt(ps->arena, S_ERROR, T.pos); }

ifstmt(A) ::= IF(T) LPAREN expr(C) RPAREN block(B).
    { A = ast_stmt(ps->arena, S_IF, T.pos); A->cond = C; A->body = B; }
ifstmt(A) ::= IF(T) LPAREN expr(C) RPAREN block(B) ELSE block(E).
    { A = ast_stmt(ps->arena, S_IF, T.pos); A->cond = C; A->body = B; A->els = E; }
ifstmt(A) ::= IF(T) LPAREN expr(C) RPAREN block(B) ELSE ifstmt(E).
    { A = ast_stmt(ps->arena, S_IF, T.pos); A->cond = C; A->body = B; A->els = E; }

lvalue(A) ::= IDENT(T). { A = ast_expr(ps->arena, E_NAME, T.pos); A->name = T.s; }
lvalue(A) ::= lvalue(B) LBRACKET(T) expr(I) RBRACKET.
    { A = ast_expr(ps->arena, E_INDEX, T.pos); A->a = B; A->b = I; A = parse_nested(ps, A); }
lvalue(A) ::= lvalue(B) DOT(T) IDENT(F).
    { A = ast_expr(ps->arena, E_FIELD, T.pos); A->a = B; A->name = F.s; A = parse_nested(ps, A); }

/* ---- expressions ---- */
expr(A) ::= INT(T). { A = ast_expr(ps->arena, E_INT, T.pos); A->ival = T.ival; }
expr(A) ::= TRUE(T). { A = ast_expr(ps->arena, E_BOOL, T.pos); A->ival = 1; }
expr(A) ::= FALSE(T). { A = ast_expr(ps->arena, E_BOOL, T.pos); A->ival = 0; }
expr(A) ::= NEVER(T). { A = ast_expr(ps->arena, E_NEVER, T.pos); }
expr(A) ::= UNDERSCORE(T). { A = ast_expr(ps->arena, E_ABSENT, T.pos); }
expr(A) ::= IDENT(T). { A = ast_expr(ps->arena, E_NAME, T.pos); A->name = T.s; }
expr(A) ::= ROUND(T). { A = ast_expr(ps->arena, E_ROUND, T.pos); }
expr(A) ::= PHASE(T). { A = ast_expr(ps->arena, E_PHASE, T.pos); }
expr(A) ::= LPAREN expr(E) RPAREN. { A = E; }
expr(A) ::= LPAREN(T) expr(E) COMMA exprs(L) RPAREN. { A = parse_tuple(ps, T.pos, E, L); }
expr(A) ::= IDENT(F) LPAREN args(L) RPAREN. { A = parse_call(ps, F, L); }
expr(A) ::= expr(B) LBRACKET(T) expr(I) RBRACKET.
    { A = ast_expr(ps->arena, E_INDEX, T.pos); A->a = B; A->b = I; A = parse_nested(ps, A); }
expr(A) ::= expr(B) DOT(T) IDENT(F).
    { A = ast_expr(ps->arena, E_FIELD, T.pos); A->a = B; A->name = F.s; A = parse_nested(ps, A); }
expr(A) ::= BAR(T) expr(E) BAR. { A = ast_expr(ps->arena, E_CARD, T.pos); A->a = E; A = parse_nested(ps, A); }
expr(A) ::= LBRACE(T) RBRACE. { A = parse_setlit(ps, T.pos, NULL); }
expr(A) ::= LBRACE(T) exprs(L) RBRACE. { A = parse_setlit(ps, T.pos, L); }
expr(A) ::= LBRACE(T) expr(V) BAR expr(C) RBRACE. { A = parse_compr(ps, T.pos, V, C); }
expr(A) ::= MINUS(T) expr(E). [UMINUS] { A = parse_unary(ps, OP_NEG, T.pos, E); }
expr(A) ::= NOT(T) expr(E). { A = parse_unary(ps, OP_NOT, T.pos, E); }
expr(A) ::= expr(B) PLUS(T) expr(C). { A = parse_binary(ps, OP_ADD, T.pos, B, C); }
expr(A) ::= expr(B) MINUS(T) expr(C). { A = parse_binary(ps, OP_SUB, T.pos, B, C); }
expr(A) ::= expr(B) STAR(T) expr(C). { A = parse_binary(ps, OP_MUL, T.pos, B, C); }
expr(A) ::= expr(B) SLASH(T) expr(C). { A = parse_binary(ps, OP_DIV, T.pos, B, C); }
expr(A) ::= expr(B) PERCENT(T) expr(C). { A = parse_binary(ps, OP_MOD, T.pos, B, C); }
expr(A) ::= expr(B) EQ(T) expr(C). { A = parse_binary(ps, OP_EQ, T.pos, B, C); }
expr(A) ::= expr(B) NE(T) expr(C). { A = parse_binary(ps, OP_NE, T.pos, B, C); }
expr(A) ::= expr(B) LT(T) expr(C). { A = parse_binary(ps, OP_LT, T.pos, B, C); }
expr(A) ::= expr(B) LE(T) expr(C). { A = parse_binary(ps, OP_LE, T.pos, B, C); }
expr(A) ::= expr(B) GT(T) expr(C). { A = parse_binary(ps, OP_GT, T.pos, B, C); }
expr(A) ::= expr(B) GE(T) expr(C). { A = parse_binary(ps, OP_GE, T.pos, B, C); }
expr(A) ::= expr(B) IN(T) expr(C). { A = parse_binary(ps, OP_IN, T.pos, B, C); }
expr(A) ::= expr(B) AND(T) expr(C). { A = parse_binary(ps, OP_AND, T.pos, B, C); }
expr(A) ::= expr(B) OR(T) expr(C). { A = parse_binary(ps, OP_OR, T.pos, B, C); }
expr(A) ::= expr(B) IMPLIES(T) expr(C). { A = parse_binary(ps, OP_IMPLIES, T.pos, B, C); }
expr(A) ::= expr(B) QUESTION(T) expr(C) COLON expr(D).
    { A = ast_expr(ps->arena, E_COND, T.pos); A->a = B; A->b = C; A->c = D; A = parse_nested(ps, A); }
expr(A) ::= FORALL(T) binders(B) DOT expr(E). [FORALL] { A = parse_quant(ps, T.pos, true, B, E); }
expr(A) ::= EXISTS(T) binders(B) DOT expr(E). [FORALL] { A = parse_quant(ps, T.pos, false, B, E); }

binders(A) ::= binder(B). { A = B; }
binders(A) ::= binders(L) COMMA binder(B). { A = parse_add_binder(ps, L, B); }
binder(A) ::= IDENT(N). { A = parse_binder(ps, N, NULL, NULL); }
binder(A) ::= IDENT(N) COLON type(T). { A = parse_binder(ps, N, T, NULL); }
binder(A) ::= IDENT(N) IN IDENT(D). { A = parse_binder(ps, N, NULL, D.s); }

exprs(A) ::= expr(E). { A = parse_exprs(ps, NULL, E); }
exprs(A) ::= exprs(L) COMMA expr(E). { A = parse_exprs(ps, L, E); }
args(A) ::= . { A = parse_exprs(ps, NULL, NULL); }
args(A) ::= exprs(L). { A = L; }
