/* venn.c: cardinalities as sums of Venn regions: the atoms of counted
 * predicates, families of regions and their sealing (region counts, order
 * facts between bounds, ground processes tied to their regions, marginals
 * shared with the main family) and value histograms. */
#include "venn.h"

#include <string.h>

#define MAX_ATOMS 13  /* 8192 regions in one family */
#define SPLIT_ATOMS 9 /* beyond this, further counts get families of their own */
#define CROSS_ATOMS 9 /* a family takes the main family's bounds on its E(Q) up to this */
#define RANGE_ATOMS 9 /* order facts between bounds, in families up to this size */

/* ---- cardinalities and Venn regions ---- */
static int atom_index(Attempt *v, Z3_ast a)
{
    for (int i = 0; i < v->natoms; i++)
        if (Z3_is_eq_ast(v->c, v->atoms[i], a)) return i;
    GROW(v->atoms, v->natoms, v->capatoms);
    v->atoms[v->natoms] = a;
    return v->natoms++;
}

/* Collects the atomic conditions over Q of a predicate. */
static void collect_atoms(Attempt *v, Z3_ast p, int **out, int *n, int *cap)
{
    if (Z3_get_ast_kind(v->c, p) == Z3_APP_AST && is_bool(v, p)) {
        Z3_app a = Z3_to_app(v->c, p);
        Z3_decl_kind k = Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, a));
        unsigned na = Z3_get_app_num_args(v->c, a);
        bool conn = k == Z3_OP_AND || k == Z3_OP_OR || k == Z3_OP_NOT || k == Z3_OP_IMPLIES ||
                    k == Z3_OP_XOR || k == Z3_OP_TRUE || k == Z3_OP_FALSE ||
                    (k == Z3_OP_ITE && is_bool(v, Z3_get_app_arg(v->c, a, 1))) ||
                    (k == Z3_OP_EQ && na == 2 && is_bool(v, Z3_get_app_arg(v->c, a, 0)));
        if (conn) {
            for (unsigned i = 0; i < na; i++)
                collect_atoms(v, Z3_get_app_arg(v->c, a, i), out, n, cap);
            return;
        }
    }
    if (!is_bool(v, p) || !attempt_has_q(v, p)) return;
    int ai = atom_index(v, p);
    for (int i = 0; i < *n; i++)
        if ((*out)[i] == ai) return;
    GROW(*out, *n, *cap);
    (*out)[(*n)++] = ai;
}

Z3_ast venn_card(Attempt *v, Z3_ast pred)
{
    pred = Z3_simplify(v->c, pred);
    for (int i = 0; i < v->ncards; i++)
        if (v->cards[i].fam == v->cur_fam && Z3_is_eq_ast(v->c, v->cards[i].pred, pred))
            return v->cards[i].c;
    GROW(v->cards, v->ncards, v->capcards);
    Card *k = &v->cards[v->ncards++];
    k->pred = pred;
    k->c = fresh_const(v, "card", v->I);
    k->fam = v->cur_fam;
    Z3_ast c = k->c;
    /* the same set counted in another family: the same number */
    for (int i = 0; i < v->ncards - 1; i++)
        if (Z3_is_eq_ast(v->c, v->cards[i].pred, pred)) {
            attempt_assert(v, eq(v, v->cards[i].c, c));
            break;
        }
    return c;
}

/* The truth of pred in region b of the family's atoms. */
static Z3_ast region_value(Attempt *v, Family *f, Z3_ast pred, unsigned b)
{
    Z3_ast *from = malloc(sizeof *from * (size_t)(f->natoms + 1)),
           *to = malloc(sizeof *to * (size_t)(f->natoms + 1));
    if (!from || !to) abort();
    for (int i = 0; i < f->natoms; i++) {
        from[i] = v->atoms[f->atoms[i]];
        to[i] = (b >> i) & 1 ? tru(v) : fls(v);
    }
    Z3_ast r = Z3_simplify(v->c, Z3_substitute(v->c, pred, (unsigned)f->natoms, from, to));
    free(from), free(to);
    if (attempt_has_q(v, r)) { /* a condition on Q the atoms do not capture: refuse, never guess */
        reason_note(&v->why, REASON_UNSUPPORTED, NULL,
                    "internal: a set condition could not be split into regions");
        return fls(v);
    }
    return r;
}

Z3_ast venn_region_of(Attempt *v, Family *f, unsigned b, Z3_ast p)
{
    Z3_ast acc = in_range(v, p);
    for (int i = 0; i < f->natoms; i++) {
        Z3_ast a = subst1(v, v->atoms[f->atoms[i]], v->Q, p);
        acc = and2(v, acc, (b >> i) & 1 ? a : not_(v, a));
    }
    return acc;
}

/* "E(Q) == a" atoms: two of them with the same E and different sides are disjoint. */
static bool eq_atom(Attempt *v, Z3_ast a, Z3_ast *lhs, Z3_ast *rhs)
{
    if (Z3_get_ast_kind(v->c, a) != Z3_APP_AST) return false;
    Z3_app ap = Z3_to_app(v->c, a);
    if (Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, ap)) != Z3_OP_EQ) return false;
    Z3_ast x = Z3_get_app_arg(v->c, ap, 0), y = Z3_get_app_arg(v->c, ap, 1);
    bool qx = attempt_has_q(v, x), qy = attempt_has_q(v, y);
    if (qx == qy) return false;
    *lhs = qx ? x : y;
    *rhs = qx ? y : x;
    return true;
}

/* An atom bounding an int E(Q): lo <= E(Q) <= hi, the bounds ground (NULL:
 * unbounded). */
static bool range_atom(Attempt *v, Z3_ast a, Z3_ast *E, Z3_ast *lo, Z3_ast *hi)
{
    if (Z3_get_ast_kind(v->c, a) != Z3_APP_AST) return false;
    Z3_app ap = Z3_to_app(v->c, a);
    Z3_decl_kind k = Z3_get_decl_kind(v->c, Z3_get_app_decl(v->c, ap));
    if (Z3_get_app_num_args(v->c, ap) != 2) return false;
    Z3_ast x = Z3_get_app_arg(v->c, ap, 0), y = Z3_get_app_arg(v->c, ap, 1);
    if (Z3_get_sort_kind(v->c, Z3_get_sort(v->c, x)) != Z3_INT_SORT) return false;
    bool qx = attempt_has_q(v, x), qy = attempt_has_q(v, y);
    if (qx == qy) return false;
    Z3_ast g = qx ? y : x, one = num(v, 1);
    *E = qx ? x : y;
    *lo = *hi = NULL;
    switch (k) {
    case Z3_OP_EQ:
        *lo = *hi = g;
        return true;
    case Z3_OP_LE: /* x <= y */
        *(qx ? hi : lo) = g;
        return true;
    case Z3_OP_GE: /* x >= y */
        *(qx ? lo : hi) = g;
        return true;
    case Z3_OP_LT: /* x < y */
        if (qx)
            *hi = sub2(v, g, one);
        else
            *lo = add2(v, g, one);
        return true;
    case Z3_OP_GT: /* x > y */
        if (qx)
            *lo = add2(v, g, one);
        else
            *hi = sub2(v, g, one);
        return true;
    default:
        return false;
    }
}

static bool mentions_fn(Attempt *v, Z3_ast t, Z3_func_decl f, IdSet *seen)
{
    if (!idset_add(seen, aid(v, t))) return false;
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return false;
    Z3_app a = Z3_to_app(v->c, t);
    if (Z3_is_eq_func_decl(v->c, Z3_get_app_decl(v->c, a), f)) return true;
    unsigned na = Z3_get_app_num_args(v->c, a);
    for (unsigned i = 0; i < na; i++)
        if (mentions_fn(v, Z3_get_app_arg(v->c, a, i), f, seen)) return true;
    return false;
}

/* A value atom: E(Q) == a with a ground and E free of heard-of sets; it has
 * a global count shared by every family that mentions it. */
static bool value_atom(Attempt *v, int atom, Z3_ast *E, Z3_ast *a)
{
    if (!eq_atom(v, v->atoms[atom], E, a)) return false;
    IdSet seen = {0};
    bool ho =
        mentions_fn(v, *E, v->ho, &seen) || (v->uniform && mentions_fn(v, *E, v->good, &seen));
    idset_free(&seen);
    return !ho && attempt_is_ground(v, *a);
}

static Z3_ast value_count(Attempt *v, int atom)
{
    for (int i = 0; i < v->nvatom; i++)
        if (v->vatom[i] == atom) return v->vcount[i];
    GROW(v->vatom, v->nvatom, v->capvatom);
    GROW(v->vcount, v->nvatom, v->capvatom2);
    v->vatom[v->nvatom] = atom;
    Z3_ast c = fresh_const(v, "vcount", v->I);
    v->vcount[v->nvatom++] = c;
    attempt_assert(v, and2(v, le(v, num(v, 0), c), le(v, c, v->n)));
    return c;
}

/* Counts of E(Q) == a for distinct a add up to at most n; equal values have equal counts. */
static void value_histograms(Attempt *v)
{
    for (int i = 0; i < v->nvatom; i++) {
        Z3_ast Ei, ai;
        if (!eq_atom(v, v->atoms[v->vatom[i]], &Ei, &ai)) continue;
        Z3_ast sum = num(v, 0);
        bool first = true;
        for (int j = 0; j < v->nvatom; j++) {
            Z3_ast Ej, aj;
            if (!eq_atom(v, v->atoms[v->vatom[j]], &Ej, &aj) || !Z3_is_eq_ast(v->c, Ei, Ej))
                continue;
            if (j < i) first = false;
            if (j > i) attempt_assert(v, imp(v, eq(v, ai, aj), eq(v, v->vcount[i], v->vcount[j])));
            Z3_ast dup = fls(v);
            for (int k = 0; k < j; k++) {
                Z3_ast Ek, ak;
                if (eq_atom(v, v->atoms[v->vatom[k]], &Ek, &ak) && Z3_is_eq_ast(v->c, Ei, Ek))
                    dup = or2(v, dup, eq(v, ak, aj));
            }
            sum = add2(v, sum, ite(v, dup, num(v, 0), v->vcount[j]));
        }
        if (first) attempt_assert(v, le(v, sum, v->n));
    }
}

/* Gathers the atoms of the counts in family fi; a count whose conditions
 * would overflow the family goes to a family of its own, linked by
 * marginals: fewer joint facts, still sound. */
static void gather_atoms(Attempt *v, int fi)
{
    Family *f = &v->fams[fi];
    for (int i = 0; i < v->ncards; i++) {
        if (v->cards[i].fam != fi) continue;
        int *tmp = NULL, nt = 0, ct = 0;
        for (int k = 0; k < f->natoms; k++) {
            GROW(tmp, nt, ct);
            tmp[nt++] = f->atoms[k];
        }
        collect_atoms(v, v->cards[i].pred, &tmp, &nt, &ct);
        if (nt > SPLIT_ATOMS && f->natoms > 0) {
            free(tmp);
            int nf = venn_new_family(v);
            f = &v->fams[fi]; /* venn_new_family may move the array */
            v->cards[i].fam = nf;
            continue;
        }
        free(f->atoms);
        f->atoms = tmp;
        f->natoms = nt;
        f->capatoms = ct;
    }
}

static bool has_atom(const Family *f, int atom)
{
    for (int m = 0; m < f->natoms; m++)
        if (f->atoms[m] == atom) return true;
    return false;
}

/* Whether atom is the stopped flag read at Q, which every mailbox has: in
 * the main family, a non-empty region of senders (not stopped) with some
 * value gets a witness that is not stopped, at which the facts of live
 * processes hold (settled values: Ben-Or's senders in a report round all
 * completed the last propose round, so a lock on their x applies). Only
 * where there are settled values: elsewhere the split only doubles the
 * regions (OTR's consecution: 0.5 s to 2.6 s). */
static bool stopped_atom(Attempt *v, int atom)
{
    Z3_ast t = v->atoms[atom];
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return false;
    Z3_app a = Z3_to_app(v->c, t);
    if (Z3_get_app_num_args(v->c, a) != 1 || !Z3_is_eq_ast(v->c, Z3_get_app_arg(v->c, a, 0), v->Q))
        return false;
    return Z3_is_eq_func_decl(v->c, v->slot[v->s_halted].pre, Z3_get_app_decl(v->c, a));
}

/* Whether atom is a bool variable of the program read at Q (x(Q), not
 * the stopped flag, which every mailbox has): a condition the families of
 * mailboxes of boolean messages share. */
static bool bool_state_atom(Attempt *v, int atom)
{
    Z3_ast t = v->atoms[atom];
    if (Z3_get_ast_kind(v->c, t) != Z3_APP_AST) return false;
    Z3_app a = Z3_to_app(v->c, t);
    if (Z3_get_app_num_args(v->c, a) != 1 || !Z3_is_eq_ast(v->c, Z3_get_app_arg(v->c, a, 0), v->Q))
        return false;
    Z3_func_decl d = Z3_get_app_decl(v->c, a);
    for (int i = 0; i < v->nslot; i++)
        if (v->slot[i].kind == SLOT_BOOL && v->slot[i].d &&
            Z3_is_eq_func_decl(v->c, v->slot[i].pre, d))
            return true;
    return false;
}

/* The main family also splits on the value atoms of the families of the
 * query's own processes (the pool's core), and on their bool variables
 * while it is small: through the marginals, two mailboxes' counts of x and
 * of !x then add up to at most the processes (Ben-Or's two majorities of
 * reports cannot disagree). */
static void add_core_value_atoms(Attempt *v, Family *f)
{
    int stopped = -1;
    for (int g = 1; g < v->nfams && f->natoms < MAX_ATOMS; g++) {
        bool core = false;
        for (int t = 0; t < v->nfamterm; t++)
            if (v->fam_of_term[t] == g)
                for (int k = 0; k < v->pool_core; k++)
                    core |= aid(v, v->pool[k]) == v->fam_term[t];
        if (!core) continue;
        int hn = 0, hcap = 0;
        int *ha = NULL;
        for (int i = 0; i < v->ncards; i++)
            if (v->cards[i].fam == g) collect_atoms(v, v->cards[i].pred, &ha, &hn, &hcap);
        for (int k = 0; k < hn && f->natoms < MAX_ATOMS; k++) {
            Z3_ast E, a;
            if (stopped < 0 && stopped_atom(v, ha[k])) stopped = ha[k];
            if (!has_atom(f, ha[k]) && (value_atom(v, ha[k], &E, &a) ||
                                        (f->natoms < SPLIT_ATOMS && bool_state_atom(v, ha[k])))) {
                GROW(f->atoms, f->natoms, f->capatoms);
                f->atoms[f->natoms++] = ha[k];
            }
        }
        free(ha);
    }
    /* last, and only into a family still small: it doubles the regions
     * (LastVoting-KV's ready_locks at collect, 12 atoms, grew too large) */
    if (stopped >= 0 && v->nsettled > 0 && f->natoms < SPLIT_ATOMS - 2 && !has_atom(f, stopped)) {
        GROW(f->atoms, f->natoms, f->capatoms);
        f->atoms[f->natoms++] = stopped;
    }
}

/* A family takes the main family's bounds on the E(Q) its atoms bound. */
static void add_main_bounds(Attempt *v, Family *f)
{
    Family *g = &v->fams[0];
    for (int m = 0; m < g->natoms && f->natoms < CROSS_ATOMS; m++) {
        Z3_ast E, lo, hi, E2, lo2, hi2;
        bool have = false, match = false;
        for (int i = 0; i < f->natoms; i++) {
            have |= f->atoms[i] == g->atoms[m];
            match |= !have && range_atom(v, v->atoms[f->atoms[i]], &E2, &lo2, &hi2) &&
                     range_atom(v, v->atoms[g->atoms[m]], &E, &lo, &hi) &&
                     Z3_is_eq_ast(v->c, E, E2);
        }
        if (have || !match) continue;
        GROW(f->atoms, f->natoms, f->capatoms);
        f->atoms[f->natoms++] = g->atoms[m];
    }
}

static void debug_family(Attempt *v, int fi, const Family *f)
{
    fprintf(stderr, "family %d: %d atoms, pool %d\n", fi, f->natoms, v->npool);
    if (fi == 0 && v->debug > 2)
        for (int i = 0; i < v->npool; i++)
            fprintf(stderr, "  pool %s\n", Z3_ast_to_string(v->c, v->pool[i]));
    for (int i = 0; i < f->natoms; i++)
        fprintf(stderr, "  atom %s\n", Z3_ast_to_string(v->c, v->atoms[f->atoms[i]]));
}

/* The family's regions: non-negative, summing to n; each count of the
 * family is the sum of the regions where its predicate holds. sum is
 * scratch room for 2^natoms terms. */
static void define_regions(Attempt *v, int fi, Family *f, Z3_ast *sum)
{
    unsigned nr = 1u << f->natoms;
    f->r = calloc(nr, sizeof *f->r);
    f->wit = calloc(nr, sizeof *f->wit);
    if (!f->r || !f->wit) abort();
    for (unsigned b = 0; b < nr; b++) {
        f->r[b] = fresh_const(v, fi ? "rt" : "r", v->I);
        attempt_assert(v, le(v, num(v, 0), f->r[b]));
        sum[b] = f->r[b];
    }
    attempt_assert(v, eq(v, Z3_mk_add(v->c, nr, sum), v->n));
    for (int i = 0; i < v->ncards; i++) {
        if (v->cards[i].fam != fi) continue;
        unsigned k = 0;
        for (unsigned b = 0; b < nr; b++) {
            Z3_ast val = region_value(v, f, v->cards[i].pred, b);
            if (Z3_is_eq_ast(v->c, val, fls(v))) continue;
            sum[k++] = Z3_is_eq_ast(v->c, val, tru(v)) ? f->r[b] : ite(v, val, f->r[b], num(v, 0));
        }
        attempt_assert(v, eq(v, v->cards[i].c, k ? Z3_mk_add(v->c, k, sum) : num(v, 0)));
    }
}

/* Atoms bounding the same E(Q) (E(Q) == a, t <= E(Q), ...): intervals that
 * are disjoint share no process; one inside another, no process is in the
 * first only. Facts of integer order, so exact; without them only
 * witnesses would rule those regions out, one model at a time. */
static void order_facts(Attempt *v, Family *f, Z3_ast *sum)
{
    unsigned nr = 1u << f->natoms;
    for (int i = 0; i < f->natoms && f->natoms <= RANGE_ATOMS; i++)
        for (int j = 0; j < f->natoms; j++) {
            Z3_ast E1, lo1, hi1, E2, lo2, hi2;
            if (i == j || !range_atom(v, v->atoms[f->atoms[i]], &E1, &lo1, &hi1) ||
                !range_atom(v, v->atoms[f->atoms[j]], &E2, &lo2, &hi2) ||
                !Z3_is_eq_ast(v->c, E1, E2))
                continue;
            unsigned k = 0, k2 = 0;
            Z3_ast *sum2 = malloc(sizeof *sum2 * nr);
            if (!sum2) abort();
            for (unsigned b = 0; b < nr; b++) {
                if (i < j && ((b >> i) & 1) && ((b >> j) & 1)) sum[k++] = f->r[b];
                if (((b >> i) & 1) && !((b >> j) & 1)) sum2[k2++] = f->r[b];
            }
            if (i < j) { /* disjoint */
                Z3_ast apart = fls(v);
                if (lo1 && hi2) apart = or2(v, apart, lt(v, hi2, lo1));
                if (lo2 && hi1) apart = or2(v, apart, lt(v, hi1, lo2));
                if (!Z3_is_eq_ast(v->c, apart, fls(v)))
                    attempt_assert(v, imp(v, apart, eq(v, Z3_mk_add(v->c, k, sum), num(v, 0))));
            }
            if ((!lo2 || lo1) && (!hi2 || hi1)) { /* interval i inside interval j */
                Z3_ast inside = tru(v);
                if (lo2) inside = and2(v, inside, le(v, lo2, lo1));
                if (hi2) inside = and2(v, inside, le(v, hi1, hi2));
                attempt_assert(v, imp(v, inside, eq(v, Z3_mk_add(v->c, k2, sum2), num(v, 0))));
            }
            free(sum2);
        }
}

/* Ground processes make their region non-empty (one small implication per
 * region); value atoms have one count in every family. */
static void tie_and_count(Attempt *v, Family *f, Z3_ast *tie, int ntie, Z3_ast *sum)
{
    unsigned nr = 1u << f->natoms;
    for (int t = 0; t < ntie && !attempt_over_time(v); t++)
        for (unsigned b = 0; b < nr; b++)
            attempt_assert(v, imp(v, venn_region_of(v, f, b, tie[t]), le(v, num(v, 1), f->r[b])));
    for (int i = 0; i < f->natoms; i++) {
        Z3_ast E, a;
        if (!value_atom(v, f->atoms[i], &E, &a)) continue;
        unsigned k = 0;
        for (unsigned b = 0; b < nr; b++)
            if ((b >> i) & 1) sum[k++] = f->r[b];
        attempt_assert(v, eq(v, Z3_mk_add(v->c, k, sum), value_count(v, f->atoms[i])));
    }
}

/* The sum of f's regions whose bits at pos[0..ns) are those of a. */
static unsigned regions_matching(const Family *f, const int *pos, int ns, unsigned a, Z3_ast *sum)
{
    unsigned k = 0;
    for (unsigned b = 0; b < (1u << f->natoms); b++) {
        bool ok = true;
        for (int s = 0; s < ns && ok; s++)
            ok = ((b >> pos[s]) & 1) == ((a >> s) & 1);
        if (ok) sum[k++] = f->r[b];
    }
    return k;
}

/* Marginals shared with the main family: over the atoms both have, the
 * same processes. Value atoms are already tied by their counts; a joint
 * marginal is only worth it when other conditions are shared. */
static void shared_marginals(Attempt *v, Family *f, Z3_ast *sum)
{
    Family *g = &v->fams[0];
    int gi[MAX_ATOMS], fj[MAX_ATOMS], ns = 0;
    for (int i = 0; i < f->natoms; i++)
        for (int j = 0; j < g->natoms; j++)
            if (f->atoms[i] == g->atoms[j] && ns < MAX_ATOMS) {
                fj[ns] = i, gi[ns++] = j;
            }
    bool only_values = true;
    for (int s = 0; s < ns; s++) {
        Z3_ast E, a;
        if (!value_atom(v, f->atoms[fj[s]], &E, &a)) only_values = false;
    }
    if (ns == 0 || ns > 6 || only_values) return;
    Z3_ast *sg = malloc(sizeof *sg * (1u << g->natoms));
    if (!sg) abort();
    for (unsigned a = 0; a < (1u << ns); a++) {
        unsigned k1 = regions_matching(f, fj, ns, a, sum);
        unsigned k2 = regions_matching(g, gi, ns, a, sg);
        attempt_assert(v, eq(v, Z3_mk_add(v->c, k1, sum), Z3_mk_add(v->c, k2, sg)));
    }
    free(sg);
}

/* Seals family fi: its atoms, regions, counts and the facts that relate
 * them to the other families. False, with the reason recorded (a family too
 * large as kind too_many), when it cannot. */
static bool seal_family(Attempt *v, int fi, Z3_ast *tie, int ntie, ReasonKind too_many)
{
    if (attempt_stop_if_late(v)) return false;
    gather_atoms(v, fi);
    Family *f = &v->fams[fi];
    if (f->natoms > MAX_ATOMS) {
        for (int i = 0; i < f->natoms && v->debug; i++)
            fprintf(stderr, "  too many: %s\n", Z3_ast_to_string(v->c, v->atoms[f->atoms[i]]));
        reason_note(&v->why, too_many, NULL,
                    "%d distinct set conditions in one Venn family (at most %d)", f->natoms,
                    MAX_ATOMS);
        return false;
    }
    if (fi == 0) add_core_value_atoms(v, f);
    if (fi > 0 && v->fams[0].sealed) add_main_bounds(v, f);
    if (v->debug) debug_family(v, fi, f);
    Z3_ast *sum = malloc(sizeof *sum * (1u << f->natoms));
    if (!sum) abort();
    define_regions(v, fi, f, sum);
    order_facts(v, f, sum);
    tie_and_count(v, f, tie, ntie, sum);
    if (fi > 0 && v->fams[0].sealed) shared_marginals(v, f, sum);
    free(sum);
    f->sealed = true;
    return true;
}

bool venn_seal_all(Attempt *v, Z3_ast *tie, int ntie, ReasonKind too_many)
{
    for (int i = 0; i < v->nfams; i++)
        if (!v->fams[i].sealed && !seal_family(v, i, tie, ntie, too_many)) return false;
    value_histograms(v);
    return true;
}

int venn_new_family(Attempt *v)
{
    GROW(v->fams, v->nfams, v->capfams);
    memset(&v->fams[v->nfams], 0, sizeof v->fams[0]);
    return v->nfams++;
}
