/* cgen_layout.c: how the generated data is laid out: C types, the state
 * and message structs and the field tables that describe them to drivers,
 * the wire format of messages, and the values spec quantifiers range over. */
#include "cgen_int.h"

#include "qdom.h"

#include <stdlib.h>

/* ---- C types ---- */
const char *cgen_ctype(Gen *g, const Type *t)
{
    switch (t->kind) {
    case TY_INT:
        return "int64_t";
    case TY_BOOL:
        return "bool";
    case TY_PID:
        return "int64_t"; /* like an int: no width differs from the verifier's (docs/language.md) */
    case TY_ENUM:
        return "int32_t";
    case TY_SET:
        return "hoc_set";
    case TY_BYTES:
        return "uint8_t";
    case TY_ARRAY:
        return cgen_ctype(g, t->elem);
    case TY_MSG:
        return "int64_t"; /* a sender, -1 for no one */
    case TY_MBOX:
        return "hoc_set"; /* the senders it holds */
    default:
        return "int64_t";
    }
}

const char *cgen_dims(Gen *g, const Type *t)
{
    if (t->kind == TY_BYTES) return cgen_fmt(g, "[%lld]", (long long)t->len);
    if (t->kind != TY_ARRAY) return "";
    const char *inner = cgen_dims(g, t->elem);
    if (t->len < 0) return cgen_fmt(g, "[%s_MAXN]%s", g->PX, inner);
    return cgen_fmt(g, "[%lld]%s", (long long)t->len, inner);
}

const char *cgen_len(Gen *g, const Type *t)
{
    return t->len < 0 ? cgen_fmt(g, "%s_MAXN", g->PX) : cgen_fmt(g, "%lld", (long long)t->len);
}

/* ---- layout ---- */
static const Type *innermost(const Type *t)
{
    while (t->kind == TY_ARRAY)
        t = t->elem;
    return t;
}

/* Total scalar elements of a type, as a C expression. */
static const char *count_expr(Gen *g, const Type *t)
{
    if (t->kind == TY_BYTES) return cgen_fmt(g, "%lld", (long long)t->len);
    if (t->kind != TY_ARRAY) return "1";
    return cgen_fmt(g, "%s * %s", cgen_len(g, t), count_expr(g, t->elem));
}

const char *cgen_kind_name(const Type *t)
{
    switch (innermost(t)->kind) {
    case TY_BOOL:
        return "HOC_K_BOOL";
    case TY_PID:
        return "HOC_K_PID";
    case TY_ENUM:
        return "HOC_K_ENUM";
    case TY_SET:
        return "HOC_K_SET";
    case TY_STAMP:
        return "HOC_K_STAMP";
    case TY_BYTES:
        return "HOC_K_BYTES";
    default:
        return "HOC_K_INT";
    }
}

/* Bytes of one scalar: its width on the wire, and its alignment in a struct. */
static int scalar_size(TypeKind k)
{
    switch (k) {
    case TY_INT:
    case TY_PID:
    case TY_SET:
    case TY_STAMP:
        return 8;
    case TY_ENUM:
        return 4;
    default:
        return 1; /* bool, and the bytes of a block */
    }
}

static int wire_size(const Type *t)
{
    if (t->kind == TY_BYTES) return (int)t->len; /* a message field: 4 + len, see cgen_wire_size */
    if (t->kind == TY_ARRAY) return (int)t->len * wire_size(t->elem);
    return scalar_size(t->kind);
}

/* Whether t's scalars are bytes: a block, or an array of them, sent as
 * its length less trailing zeros and that many bytes. */
static bool bytes_like(const Type *t)
{
    return innermost(t)->kind == TY_BYTES;
}

int cgen_wire_size(const Round *r)
{
    int wire = r->noptional ? 8 : 0; /* the presence mask */
    for (int i = 0; i < r->nfields; i++) {
        const Type *t = r->fields[i].type;
        bool block = t->kind == TY_BYTES || (r->fields[i].optional && bytes_like(t));
        wire += wire_size(t) + (block ? 4 : 0);
    }
    return wire;
}

int cgen_round_wire_max(const Round *r)
{
    return cgen_wire_size(r);
}

/* Alignment of a field: that of its scalars, so widest-first leaves no padding. */
static int scalar_align(const Type *t)
{
    return scalar_size(innermost(t)->kind);
}

void cgen_struct_fields(Gen *g, hoc_buf *b, Field *f, int nf, Decl **vars, int nv)
{
    /* widest first: no padding between fields */
    for (int al = 8; al >= 1; al /= 2) {
        for (int i = 0; i < nf; i++)
            if (scalar_align(f[i].type) == al)
                hoc_buf_printf(b, "    %s %s%s;\n", cgen_ctype(g, innermost(f[i].type)), f[i].name,
                               cgen_dims(g, f[i].type));
        for (int i = 0; i < nv; i++)
            if (scalar_align(vars[i]->type) == al)
                hoc_buf_printf(b, "    %s %s%s;%s%s\n", cgen_ctype(g, innermost(vars[i]->type)),
                               vars[i]->name, cgen_dims(g, vars[i]->type),
                               vars[i]->ghost ? " /* ghost */" : "",
                               vars[i]->kind == D_INPUT ? " /* input */" : "");
    }
}

/* r's fields that are (or are not) optional, in declaration order. */
static Field *fields_opt(Gen *g, const Round *r, bool optional, int *n)
{
    Field *f = arena_alloc(g->a, sizeof *f * (size_t)(r->nfields ? r->nfields : 1));
    *n = 0;
    for (int i = 0; i < r->nfields; i++)
        if (r->fields[i].optional == optional) f[(*n)++] = r->fields[i];
    return f;
}

/* The optional field that comes first in r's struct: the widest. */
static const char *first_optional(const Round *r)
{
    for (int al = 8; al >= 1; al /= 2)
        for (int i = 0; i < r->nfields; i++)
            if (r->fields[i].optional && scalar_align(r->fields[i].type) == al)
                return r->fields[i].name;
    return NULL;
}

void cgen_msg_struct(Gen *g, hoc_buf *b, const Round *r)
{
    if (!r->noptional) {
        cgen_struct_fields(g, b, r->fields, r->nfields, NULL, 0);
        return;
    }
    int nreq, nopt;
    Field *req = fields_opt(g, r, false, &nreq), *opt = fields_opt(g, r, true, &nopt);
    hoc_buf_printf(b, "    uint64_t hoc_has; /* bit i: the i-th optional field is present */\n");
    cgen_struct_fields(g, b, req, nreq, NULL, 0);
    hoc_buf_printf(b, "    /* optional: copied, sent and cleared only when present, zero when "
                      "absent */\n");
    cgen_struct_fields(g, b, opt, nopt, NULL, 0);
}

/* The bit of optional field i of r in its presence mask. */
static int opt_bit(const Round *r, int i)
{
    int k = 0;
    for (int j = 0; j < i; j++)
        k += r->fields[j].optional;
    return k;
}

/* The C condition that optional field i of r is present in *m. */
static const char *has_bit(Gen *g, const Round *r, int i, const char *m)
{
    return cgen_fmt(g, "(%s->hoc_has & ((uint64_t)1 << %d))", m, opt_bit(r, i));
}

const char *cgen_opt_mark(Gen *g, const Round *r, int i, const char *m)
{
    return cgen_fmt(g, "%s.hoc_has |= (uint64_t)1 << %d;", m, opt_bit(r, i));
}

const char *cgen_msg_padding(Gen *g, const Round *r, const char *p)
{
    int widest = 1, narrowest = 8, last = -1;
    for (int i = 0; i < r->nfields; i++) {
        int al = scalar_align(r->fields[i].type);
        widest = al > widest ? al : widest;
        if (al <= narrowest) narrowest = al, last = i; /* the member cgen_struct_fields puts last */
    }
    if (last < 0 || narrowest == widest) return NULL; /* members of one alignment: no padding */
    const char *end = cgen_fmt(g, "offsetof(%s_msg_%s, %s) + sizeof %s->%s", g->px, r->name,
                               r->fields[last].name, p, r->fields[last].name);
    return cgen_fmt(g, "memset((uint8_t *)%s + %s, 0, sizeof *%s - (%s));", p, end, p, end);
}

const char *cgen_msg_header(Gen *g, const Round *r)
{
    return cgen_fmt(g, "offsetof(%s_msg_%s, %s)", g->px, r->name, first_optional(r));
}

static bool is_block(const Round *r, int i);

bool cgen_msg_has_moves(const Round *r)
{
    for (int i = 0; i < r->nfields; i++)
        if (is_block(r, i) || r->fields[i].optional) return true;
    return false;
}

/* cgen_msg_moves of a round without optional fields: a block is copied up
 * to its last nonzero byte (a kv batch of 1 KB in a 65,000-byte block costs
 * 1 KB, not 65,000) and cleared where not zero, any other field whole. */
static void msg_moves_fixed(Gen *g, hoc_buf *b, const Round *r)
{
    const char *px = g->px, *rn = r->name;
    hoc_buf_printf(b,
                   "/* Copies *src into *dst, a clear mailbox slot (all zero): a block's bytes\n"
                   " * past its last nonzero one are zero there already. */\n"
                   "static void %s_copy_%s(%s_msg_%s *dst, const %s_msg_%s *src)\n{\n",
                   px, rn, px, rn, px, rn);
    for (int i = 0; i < r->nfields; i++) {
        const char *nm = r->fields[i].name;
        if (is_block(r, i))
            hoc_buf_printf(
                b, "    memcpy(dst->%s, src->%s, hoc_bytes_used(src->%s, sizeof src->%s));\n", nm,
                nm, nm, nm);
        else
            hoc_buf_printf(b, "    memcpy(&dst->%s, &src->%s, sizeof dst->%s);\n", nm, nm, nm);
    }
    hoc_buf_printf(b,
                   "}\n\n/* Zeroes *m: a block only in its 4 KiB pieces that are not zero already\n"
                   " * (the padding is never written: it stays zero). */\n"
                   "static void %s_clear_%s(%s_msg_%s *m)\n{\n",
                   px, rn, px, rn);
    for (int i = 0; i < r->nfields; i++) {
        const char *nm = r->fields[i].name;
        if (is_block(r, i))
            hoc_buf_printf(b, "    hoc_zero(m->%s, sizeof m->%s);\n", nm, nm);
        else
            hoc_buf_printf(b, "    memset(&m->%s, 0, sizeof m->%s);\n", nm, nm);
    }
    hoc_buf_printf(b, "}\n\n");
}

/* cgen_msg_moves of a round with optional fields. */
static void msg_moves_optional(Gen *g, hoc_buf *b, const Round *r)
{
    const char *px = g->px, *rn = r->name, *hdr = cgen_msg_header(g, r);
    hoc_buf_printf(b,
                   "/* Copies the fixed fields and the present optional ones of *src into *dst:\n"
                   " * a mailbox slot, whose absent fields are zero (cleared below). Not\n"
                   " * inlined: a sender's message leaves absent fields uninitialised, which the\n"
                   " * compiler cannot tell the mask keeps it from reading. */\n"
                   "static __attribute__((noinline)) void %s_copy_%s(%s_msg_%s *dst, const "
                   "%s_msg_%s *src)\n{\n"
                   "    memcpy(dst, src, %s);\n",
                   px, rn, px, rn, px, rn, hdr);
    for (int i = 0; i < r->nfields; i++)
        if (r->fields[i].optional)
            hoc_buf_printf(b, "    if %s memcpy(&dst->%s, &src->%s, sizeof dst->%s);\n",
                           has_bit(g, r, i, "src"), r->fields[i].name, r->fields[i].name,
                           r->fields[i].name);
    hoc_buf_printf(b,
                   "}\n\n/* Zeroes *m, reading its presence mask for what may be nonzero. */\n"
                   "static void %s_clear_%s(%s_msg_%s *m)\n{\n",
                   px, rn, px, rn);
    /* a block is written only in its 4 KiB pieces that are not zero: a
     * mailbox slot's pages its messages never filled stay unbacked */
    for (int i = 0; i < r->nfields; i++)
        if (r->fields[i].optional)
            hoc_buf_printf(b, "    if %s %s(&m->%s, %ssizeof m->%s);\n", has_bit(g, r, i, "m"),
                           is_block(r, i) ? "hoc_zero" : "memset", r->fields[i].name,
                           is_block(r, i) ? "" : "0, ", r->fields[i].name);
    hoc_buf_printf(b, "    memset(m, 0, %s);\n}\n\n", hdr);
}

void cgen_msg_moves(Gen *g, hoc_buf *b, const Round *r)
{
    const char *px = g->px, *rn = r->name;
    if (r->noptional)
        msg_moves_optional(g, b, r);
    else
        msg_moves_fixed(g, b, r);
    hoc_buf_printf(b,
                   "static void %s_copy_%s_any(void *dst, const void *src)\n{\n"
                   "    %s_copy_%s(dst, src);\n}\n\n"
                   "static void %s_clear_%s_any(void *m)\n{\n    %s_clear_%s(m);\n}\n\n",
                   px, rn, px, rn, px, rn, px, rn);
}

void cgen_field_table(Gen *g, hoc_buf *b, const char *tname, const char *sname, Field *f, int nf,
                      Decl **vars, int nv, const char *extra)
{
    hoc_buf_printf(b, "static const hoc_field %s[] = {\n", tname);
    for (int i = 0; i < nf + nv; i++) {
        const char *name = i < nf ? f[i].name : vars[i - nf]->name;
        const Type *t = i < nf ? f[i].type : vars[i - nf]->type, *in = innermost(t);
        bool ghost = i >= nf && vars[i - nf]->ghost;
        bool durable = i >= nf && vars[i - nf]->durable;
        hoc_buf_printf(b, "    {\"%s\", offsetof(%s, %s), %s, %s, %s, %s, %s, %d, %s},\n", name,
                       sname, name, cgen_kind_name(t), count_expr(g, t), ghost ? "true" : "false",
                       in->kind == TY_ENUM ? cgen_fmt(g, "%s_names", in->enm->name) : "NULL",
                       t->kind == TY_ARRAY && t->len < 0 ? "true" : "false",
                       in->kind == TY_ENUM ? in->enm->nmembers : 0, durable ? "true" : "false");
    }
    hoc_buf_printf(b, "%s};\n\n", extra ? extra : "");
}

/* ---- codecs: fields in order, little-endian, no padding ---- */

/* One message field on the wire, and how C reaches its scalars: through an
 * index i when it is an array or a block (flat). */
typedef struct Slot {
    const Type *t, *in;
    int each;         /* bytes of one scalar on the wire */
    bool flat;        /* an array or a block, walked scalar by scalar */
    const char *ct;   /* the C type of one scalar */
    const char *elem; /* one scalar of the message m */
    const char *at;   /* where it lies in buf */
} Slot;

/* Field i of r, which starts at buf + off on the wire (off a C expression). */
static Slot wire_slot(Gen *g, const Round *r, int i, const char *off, const char *qual)
{
    Slot s = {.t = r->fields[i].type};
    const char *name = r->fields[i].name;
    s.in = innermost(s.t);
    s.each = s.in->kind == TY_BYTES ? 1 : wire_size(s.in);
    s.flat = s.t->kind == TY_ARRAY || s.t->kind == TY_BYTES;
    s.ct = s.in->kind == TY_BYTES ? "uint8_t" : cgen_ctype(g, s.in);
    s.elem =
        s.flat ? cgen_fmt(g, "((%s%s *)m->%s)[i]", qual, s.ct, name) : cgen_fmt(g, "m->%s", name);
    s.at = s.flat ? cgen_fmt(g, "buf + %s + %d * i", off, s.each) : cgen_fmt(g, "buf + %s", off);
    return s;
}

const char *cgen_codec_sig(Gen *g, const Round *r, bool decode)
{
    if (decode)
        return cgen_fmt(g, "int %s_decode_%s(%s_msg_%s *m, const uint8_t *buf, size_t len)", g->px,
                        r->name, g->px, r->name);
    return cgen_fmt(g, "int %s_encode_%s(const %s_msg_%s *m, uint8_t *buf, size_t cap)", g->px,
                    r->name, g->px, r->name);
}

/* The statements writing field i of r at buf + off. */
static void put_field(Gen *g, hoc_buf *b, const Round *r, int i, const char *off, const char *ind)
{
    Slot s = wire_slot(g, r, i, off, "const ");
    if (s.flat) hoc_buf_printf(b, "%sfor (int i = 0; i < %s; i++)\n    ", ind, count_expr(g, s.t));
    if (s.each == 8)
        hoc_buf_printf(b, "%shoc_put_u64(%s, (uint64_t)%s);\n", ind, s.at, s.elem);
    else if (s.each == 4)
        hoc_buf_printf(b, "%shoc_put_u32(%s, (uint32_t)%s);\n", ind, s.at, s.elem);
    else
        hoc_buf_printf(b, "%s*(%s) = (uint8_t)%s;\n", ind, s.at, s.elem);
}

/* The statements reading field i of r from buf + off. Bytes no encoder
 * writes (a bool past 1, an enum past its members) are refused: a peer's
 * message cannot put a value outside its type in a state. */
static void get_field(Gen *g, hoc_buf *b, const Round *r, int i, const char *off, const char *in0)
{
    Slot s = wire_slot(g, r, i, off, "");
    const char *ind = s.flat ? cgen_fmt(g, "%s    ", in0) : in0;
    if (s.flat) hoc_buf_printf(b, "%sfor (int i = 0; i < %s; i++) {\n", in0, count_expr(g, s.t));
    if (s.each == 8) {
        hoc_buf_printf(b, "%s%s = (%s)hoc_get_u64(%s);\n", ind, s.elem, s.ct, s.at);
    } else if (s.each == 4) {
        hoc_buf_printf(b, "%suint32_t v%d = hoc_get_u32(%s);\n", ind, i, s.at);
        if (s.in->kind == TY_ENUM)
            hoc_buf_printf(b, "%sif (v%d >= %d) return -1;\n", ind, i, s.in->enm->nmembers);
        hoc_buf_printf(b, "%s%s = (int32_t)v%d;\n", ind, s.elem, i);
    } else if (s.in->kind == TY_BOOL) {
        hoc_buf_printf(b, "%sif (*(%s) > 1) return -1;\n%s%s = *(%s) != 0;\n", ind, s.at, ind,
                       s.elem, s.at);
    } else {
        hoc_buf_printf(b, "%s%s = *(%s);\n", ind, s.elem, s.at);
    }
    if (s.flat) hoc_buf_printf(b, "%s}\n", in0);
}

/* The fixed-width fields of r (in f) at their offsets, writing or reading. */
static void emit_fixed(Gen *g, hoc_buf *b, const Round *f, bool decode)
{
    for (int i = 0, off = 0; i < f->nfields; off += wire_size(f->fields[i++].type)) {
        const char *at = cgen_fmt(g, "%d", off);
        if (decode)
            get_field(g, b, f, i, at, "    ");
        else
            put_field(g, b, f, i, at, "    ");
    }
}

/* ---- messages with bytes fields: the fixed-width fields first, then each
 * bytes field as u32 L and its first L bytes, L its length less trailing
 * zeros: a batch in a large block costs what it holds, not the block. A
 * message with optional fields has its presence mask (u64) after the fixed
 * fields, then its bytes fields, then each present optional field: a
 * block, or an array of blocks, as a bytes field is, any other as fixed.
 * An absent field costs nothing, and its decoder leaves it as it was ---- */

/* Whether field i of r is written as a length and bytes. */
static bool is_block(const Round *r, int i)
{
    return r->fields[i].type->kind == TY_BYTES ||
           (r->fields[i].optional && bytes_like(r->fields[i].type));
}

static bool has_block(const Round *r)
{
    for (int i = 0; i < r->nfields; i++)
        if (is_block(r, i) || r->fields[i].optional) return true;
    return false;
}

/* r without its bytes and optional fields: the fixed part of its message. */
static Round fixed_part(Gen *g, const Round *r)
{
    Round f = *r;
    f.fields = arena_alloc(g->a, sizeof *f.fields * (size_t)(r->nfields ? r->nfields : 1));
    f.nfields = 0;
    f.noptional = 0;
    for (int i = 0; i < r->nfields; i++)
        if (!is_block(r, i) && !r->fields[i].optional) f.fields[f.nfields++] = r->fields[i];
    return f;
}

/* Writes (or reads) field i of r, a block, at offset o, and moves o past it,
 * in a C block that begins with open ("{", or "if (...) {"). */
static void emit_block(hoc_buf *b, const Round *r, int i, bool decode, const char *open)
{
    const char *nm = r->fields[i].name;
    hoc_buf_printf(b, "    %s\n", open);
    if (decode) { /* a length past the block, or past the frame, is refused */
        hoc_buf_printf(b, "        if (len - o < 4) return -1;\n");
        hoc_buf_printf(b, "        size_t l = hoc_get_u32(buf + o);\n");
        hoc_buf_printf(b, "        if (l > sizeof m->%s || len - o - 4 < l) return -1;\n", nm);
        hoc_buf_printf(b, "        memcpy(m->%s, buf + o + 4, l);\n", nm);
        if (r->fields[i].optional) /* not zeroed beforehand: only the header is */
            hoc_buf_printf(b, "        hoc_zero((uint8_t *)m->%s + l, sizeof m->%s - l);\n", nm,
                           nm);
    } else {
        hoc_buf_printf(b,
                       "        size_t l = hoc_bytes_used((const uint8_t *)m->%s, sizeof m->%s);\n",
                       nm, nm);
        hoc_buf_printf(b, "        hoc_put_u32(buf + o, (uint32_t)l);\n");
        hoc_buf_printf(b, "        memcpy(buf + o + 4, m->%s, l);\n", nm);
    }
    hoc_buf_printf(b, "        o += 4 + l;\n    }\n");
}

/* Writes (or reads) the present optional field i of r at offset o. */
static void emit_optional(Gen *g, hoc_buf *b, const Round *r, int i, bool decode)
{
    const char *open = cgen_fmt(g, "if %s {", has_bit(g, r, i, "m"));
    if (is_block(r, i)) {
        emit_block(b, r, i, decode, open);
        return;
    }
    int size = wire_size(r->fields[i].type);
    hoc_buf_printf(b, "    %s\n", open);
    if (decode) {
        hoc_buf_printf(b, "        if (len - o < %d) return -1;\n", size);
        get_field(g, b, r, i, "o", "        ");
    } else {
        put_field(g, b, r, i, "o", "        ");
    }
    hoc_buf_printf(b, "        o += %d;\n    }\n", size);
}

/* The statements after the fixed part: the mask, the blocks, the optional fields. */
static void emit_rest(Gen *g, hoc_buf *b, const Round *r, int fixed, bool decode)
{
    hoc_buf_printf(b, "    size_t o = %d;\n", fixed);
    if (r->noptional) {
        if (decode) {
            hoc_buf_printf(b, "    m->hoc_has = hoc_get_u64(buf + o);\n");
            if (r->noptional < 64) /* a bit no field has: not a message of ours */
                hoc_buf_printf(b, "    if (m->hoc_has >> %d) return -1;\n", r->noptional);
        } else {
            hoc_buf_printf(b, "    hoc_put_u64(buf + o, m->hoc_has);\n");
        }
        hoc_buf_printf(b, "    o += 8;\n");
    }
    for (int i = 0; i < r->nfields; i++)
        if (is_block(r, i) && !r->fields[i].optional) emit_block(b, r, i, decode, "{");
    for (int i = 0; i < r->nfields; i++)
        if (r->fields[i].optional) emit_optional(g, b, r, i, decode);
}

void cgen_codec(Gen *g, hoc_buf *b, Round *r)
{
    int wire = cgen_wire_size(r);
    bool blocks = has_block(r);
    Round f = blocks ? fixed_part(g, r) : *r;
    int fixed = cgen_wire_size(&f), least = fixed + (r->noptional ? 8 : 0);
    hoc_buf_printf(b, "%s\n{\n", cgen_codec_sig(g, r, false));
    hoc_buf_printf(b, "    if (cap < %d) return -1;\n", wire);
    emit_fixed(g, b, &f, false);
    if (blocks) {
        emit_rest(g, b, r, fixed, false);
        hoc_buf_printf(b, "    return (int)o;\n}\n\n");
    } else {
        hoc_buf_printf(b, "    return %d;\n}\n\n", wire);
    }
    hoc_buf_printf(b, "%s\n{\n", cgen_codec_sig(g, r, true));
    if (!blocks || least > 0) /* (len < 0 cannot be) */
        hoc_buf_printf(b, "    if (len %s %d) return -1;\n", blocks ? "<" : "!=", least);
    /* blocks are zeroed only where not zero already (hoc_zero): the engine
     * decodes into a clear mailbox slot, whose pages a short block leaves
     * untouched */
    if (r->noptional) /* the optional fields are written only when present */
        hoc_buf_printf(b, "    memset(m, 0, %s);\n", cgen_msg_header(g, r));
    else
        hoc_buf_printf(b, "    %s;\n",
                       blocks ? "hoc_zero(m, sizeof *m)" : "memset(m, 0, sizeof *m)");
    emit_fixed(g, b, &f, true);
    if (blocks) {
        emit_rest(g, b, r, fixed, true);
        hoc_buf_printf(b, "    return o == len ? (int)o : -1;\n}\n\n");
    } else {
        hoc_buf_printf(b, "    return %d;\n}\n\n", wire);
    }
}

/* ---- the values a spec quantifier over ints or stamps ranges over ---- */

/* One such range: a helper PX_active_<what> listing the values of kind k1
 * or k2 every process holds, after those `first` seeds out[] with. */
typedef struct Active {
    TypeKind k1, k2;
    const char *what, *WHAT;
    const char *args; /* the helper's parameters after S and n */
    const char *first;
    const char *why;
} Active;

/* Appends to fill the statements copying every element of process i's
 * variable d into out[]: of an array indexed by process, only the first n
 * (the others do not exist). */
static void active_elements(Gen *g, hoc_buf *fill, const Decl *d)
{
    hoc_buf el = {0};
    int depth = 0;
    hoc_buf_printf(&el, "S[i].%s", d->name);
    hoc_buf_puts(fill, "        ");
    for (const Type *t = d->type; t->kind == TY_ARRAY; t = t->elem, depth++) {
        hoc_buf_printf(fill, "for (int64_t j%d = 0; j%d < %s; j%d++) ", depth, depth,
                       t->len < 0 ? "n" : cgen_fmt(g, "%lld", (long long)t->len), depth);
        hoc_buf_printf(&el, "[j%d]", depth);
    }
    hoc_buf_printf(fill, "out[k++] = %s;\n", hoc_buf_str(&el));
    hoc_buf_free(&el);
}

/* For every input and variable whose scalars are of kind k1 or k2, appends
 * " + its count" to sizes and the statements copying it into out[] to fill;
 * returns how many there are. */
static int active_slots(Gen *g, const Active *ac, hoc_buf *sizes, hoc_buf *fill)
{
    Algo *al = g->algo;
    int slots = 0;
    for (int pass = 0; pass < 2; pass++) {
        Decl **vs = pass ? al->vars : al->inputs;
        int nv = pass ? al->nvars : al->ninputs;
        for (int i = 0; i < nv; i++) {
            const Type *in = innermost(vs[i]->type);
            if (in->kind != ac->k1 && in->kind != ac->k2) continue;
            hoc_buf_printf(sizes, " + %s", count_expr(g, vs[i]->type));
            active_elements(g, fill, vs[i]);
            slots++;
        }
    }
    return slots;
}

static void emit_active(Gen *g, hoc_buf *h, hoc_buf *b, const Active *ac)
{
    hoc_buf sizes = {0}, fill = {0};
    int slots = active_slots(g, ac, &sizes, &fill);
    hoc_buf_printf(h, "#define %s_ACTIVE_%s (%s_MAXN * (1%s))\n", g->PX, ac->WHAT, g->PX,
                   hoc_buf_str(&sizes));
    hoc_buf_printf(b, "/* %s */\n", ac->why);
    hoc_buf_printf(b, "static int %s_active_%s(const %s_state *S, int64_t n, %s)\n{\n", g->px,
                   ac->what, g->px, ac->args);
    hoc_buf_printf(b, "    int k = 0;\n    for (int64_t i = 0; i < n; i++) {\n%s", ac->first);
    hoc_buf_puts(b, slots ? hoc_buf_str(&fill) : "        (void)S;\n");
    // Each value once: a spec nesting quantifiers (forall k: int, b: int) visits the
    // product of the domain with itself, and a state holds the same few values in many
    // slots (Amalgam: ~90 ints a process, ~10 distinct).
    hoc_buf_puts(b, "    }\n"
                    "    int d = 0; /* each value once */\n"
                    "    for (int a = 0; a < k; a++) {\n"
                    "        int c = 0;\n"
                    "        while (c < d && out[c] != out[a]) c++;\n"
                    "        if (c == d) out[d++] = out[a];\n"
                    "    }\n"
                    "    return d;\n}\n\n");
    hoc_buf_free(&sizes);
    hoc_buf_free(&fill);
}

void cgen_active_helpers(Gen *g, hoc_buf *h, hoc_buf *b)
{
    static const Active ints = {
        TY_INT,
        TY_PID,
        "ints",
        "INTS",
        "int64_t *out",
        "        out[k++] = i;\n",
        "Every int a process holds: what a quantifier over int ranges over in a spec."};
    static const Active stamps = {TY_STAMP,
                                  TY_STAMP,
                                  "stamps",
                                  "STAMPS",
                                  "int64_t *out",
                                  "        if (i == 0) out[k++] = HOC_NEVER;\n",
                                  "Every stamp a process holds, and never: the range of a "
                                  "quantifier over stamps in a spec."};
    if (g->need_qdom_range)
        hoc_buf_printf(
            b,
            "/* How many ints lo..hi holds (0 when none is true), the range of a spec's int\n"
            " * binder bounded by its guard. More than %d cannot be enumerated: the\n"
            " * spec cannot be judged (unknown), never a verdict on the values tried. */\n"
            "static uint64_t %s_qspan(int64_t lo, int64_t hi, bool none, const char *where,\n"
            "                         hoc_judge *judge)\n{\n"
            "    if (none || lo > hi) return 0;\n"
            "    uint64_t span = (uint64_t)hi - (uint64_t)lo;\n"
            "    if (span >= %d) {\n"
            "        hoc_judge_fail(judge, \"%%s ranges over %%lld..%%lld, more than %d ints: \"\n"
            "                              \"the spec cannot be judged (bound it more tightly)\",\n"
            "                       where, (long long)lo, (long long)hi);\n"
            "        return 0;\n"
            "    }\n"
            "    return span + 1;\n}\n\n",
            QDOM_CAP, g->px, QDOM_CAP, QDOM_CAP);
    if (g->need_qdom_subsets)
        hoc_buf_printf(
            b,
            "/* How many subsets of the n processes there are, the range of a spec's set\n"
            " * binder that its guard does not pin. More than %d cannot be enumerated:\n"
            " * the spec cannot be judged (unknown), never a verdict on the sets tried. */\n"
            "static uint64_t %s_qsubsets(int64_t n, const char *where, hoc_judge *judge)\n{\n"
            "    if (n < 0 || n >= 63 || ((uint64_t)1 << n) > %d) {\n"
            "        hoc_judge_fail(judge, \"%%s ranges over the 2^%%lld subsets of the processes, "
            "\"\n"
            "                              \"more than %d sets: the spec cannot be judged (pin it "
            "\"\n"
            "                              \"in its guard: P == e, or forall q. e(q) == P)\",\n"
            "                       where, (long long)n);\n"
            "        return 0;\n"
            "    }\n"
            "    return (uint64_t)1 << n;\n}\n\n",
            QDOM_CAP, g->px, QDOM_CAP, QDOM_CAP);
    if (g->need_qdom_held)
        hoc_buf_printf(
            b,
            "/* Adds to vals[0..k) the nc constants c not there yet, then nfresh ints\n"
            " * held nowhere: what a spec's int binder compared only with == and != ranges\n"
            " * over (one fresh value stands for every int outside the others). */\n"
            "static int %s_qheld(int64_t *vals, int k, const int64_t *c, int nc, int nfresh)\n{\n"
            "    for (int i = 0; i < nc; i++) {\n"
            "        int j = 0;\n"
            "        while (j < k && vals[j] != c[i]) j++;\n"
            "        if (j == k) vals[k++] = c[i];\n"
            "    }\n"
            "    int64_t top = k ? vals[0] : 0;\n"
            "    for (int j = 1; j < k; j++)\n"
            "        if (vals[j] > top) top = vals[j];\n"
            "    for (int f = 0; f < nfresh; f++) {\n"
            "        int64_t v = top < INT64_MAX ? top + 1 : INT64_MIN;\n"
            "        for (int j = 0; j < k; j++) /* past INT64_MAX: the first gap from below */\n"
            "            if (vals[j] == v) v++, j = -1;\n"
            "        vals[k++] = v;\n"
            "        if (v > top) top = v;\n"
            "    }\n"
            "    return k;\n}\n\n",
            g->px);
    if (g->need_active_ints) emit_active(g, h, b, &ints);
    if (g->need_active_stamps) emit_active(g, h, b, &stamps);
}
