/* hoc_rt.h: what generated algorithm code may use, and the descriptor it exports.
 *
 * Generated code is a pure state machine: it includes only this header and
 * <string.h>, never allocates, never does I/O and has no globals other than
 * its constant descriptor. Drivers (simulator, model checker, TCP runtime)
 * see an algorithm only through the hoc_algo descriptor below. */
#ifndef HOC_RT_H
#define HOC_RT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest number of processes: a set of processes is one 64-bit word. */
#define HOC_MAXN 64
/* Most inputs of an algorithm: drivers hold a process's inputs in this many. */
#define HOC_MAXINPUTS 64
/* 3: hoc_in, 64-bit pids; 4: init_bytes, hoc_output.count and .agreed;
 * 5: events and replacement (hoc_algo.events, .replace);
 * 6: bytes event arguments (hoc_event.handle takes them as bytes);
 * 7: hoc_spec.judge;
 * 8: hoc_round.copy and .clear (optional message fields) */
#define HOC_ABI_VERSION 8

typedef uint64_t hoc_set;

/* Everything a round function may know besides its own state. */
typedef struct hoc_env {
    int32_t id;            /* this process, 0 <= id < n */
    int32_t n;             /* number of processes */
    int64_t round;         /* global round number, from 0 */
    const int64_t *params; /* values of the algorithm's params, n first */
    uint64_t oracle;       /* bit i: the value the driver chose for oracle i */
} hoc_env;

/* Types of values a driver can print: fields of states, messages, outputs. */
typedef enum hoc_kind {
    HOC_K_INT,   /* int64_t */
    HOC_K_BOOL,  /* bool */
    HOC_K_PID,   /* int64_t, like an int */
    HOC_K_ENUM,  /* int32_t, names in the field's enum_names */
    HOC_K_SET,   /* hoc_set */
    HOC_K_STAMP, /* int64_t: HOC_NEVER, or a phase p stored as p + 1 */
    HOC_K_BYTES, /* uint8_t[count] */
    HOC_K_RECORD /* a message record; see the round's fields */
} hoc_kind;

/* Bytes of one value of kind k (HOC_K_BYTES: one byte of the block). */
static inline size_t hoc_kind_size(hoc_kind k)
{
    return k == HOC_K_INT || k == HOC_K_SET || k == HOC_K_STAMP || k == HOC_K_PID ? 8
           : k == HOC_K_ENUM                                                      ? 4
                                                                                  : 1;
}

/* One field of a struct, for printing and hashing by drivers. */
typedef struct hoc_field {
    const char *name;
    size_t offset;
    hoc_kind kind;
    uint32_t count; /* array length (HOC_K_BYTES: byte count); 1 for scalars */
    bool ghost;     /* ghost state: never sent, never needed at run time */
    const char *const *enum_names;
    bool per_process;    /* an array indexed by process: only the first n matter */
    uint32_t enum_count; /* HOC_K_ENUM: the number of members */
    bool durable;        /* kept across a replacement (docs/language.md, "durable var") */
} hoc_field;

/* Goals and prunes guide hoc check's searches; drivers never check them. */
typedef enum hoc_spec_kind {
    HOC_INVARIANT,
    HOC_PROPERTY,
    HOC_ASSUME,
    HOC_GOAL,
    HOC_PRUNE,
    HOC_PROGRESS /* what the good rounds of an eventually assumption achieve, after `rounds` of them
                  */
} hoc_spec_kind;

/* Where a spec that cannot be judged says so: a quantifier whose range is
 * beyond what the drivers enumerate (compiler/qdom.h, QDOM_CAP). The first
 * such reason is kept; several threads may judge with one hoc_judge. */
typedef struct hoc_judge {
    atomic_int failed;
    char why[512];
} hoc_judge;

/* Reports that a spec cannot be judged: into j (the verdict in progress is
 * then meaningless: the caller reads j->failed), or, with j NULL, on stderr,
 * ending the process with exit 3 (unknown), never a verdict. */
static inline void hoc_judge_fail(hoc_judge *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void hoc_judge_fail(hoc_judge *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (!j) {
        fputs("hoc: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        fflush(NULL); /* _Exit: several of hoc check's threads may get here */
        _Exit(3);
    }
    if (atomic_exchange(&j->failed, 1) == 0) vsnprintf(j->why, sizeof j->why, fmt, ap);
    va_end(ap);
}

/* A spec formula compiled to C: over all n states (and, for assumptions,
 * the heard-of sets of the round just run: ho[p] is the set p heard). */
typedef struct hoc_spec {
    const char *name;
    hoc_spec_kind kind;
    bool (*holds)(const void *states, const int64_t *params, const hoc_set *ho);
    int32_t rounds;     /* assumptions: how many consecutive rounds they name */
    bool phase_aligned; /* assumptions: the rounds start a phase */
    /* What hoc check's reductions need (compiler/symmetry.c, monotone.c); a
     * descriptor that leaves them zero gets no reduction. */
    bool symmetric;       /* the same verdict on every permutation of the processes */
    bool ho_monotone;     /* assumptions: only ever easier as heard-of sets grow */
    const char *asym_why; /* when not symmetric: what names or orders processes, and where */
    /* holds, reporting a spec it cannot judge into j (hoc_judge_fail) rather
     * than ending the process; NULL in descriptors written by hand */
    bool (*judge)(const void *states, const int64_t *params, const hoc_set *ho, hoc_judge *j);
} hoc_spec;

/* Spec sp on states; when it cannot be judged, j->failed is set (see
 * hoc_judge_fail) and the result means nothing. */
static inline bool hoc_spec_judge(const hoc_spec *sp, const void *states, const int64_t *params,
                                  const hoc_set *ho, hoc_judge *j)
{
    return sp->judge ? sp->judge(states, params, ho, j) : sp->holds(states, params, ho);
}

/* The kind of a spec, as a word for messages. */
static inline const char *hoc_spec_kind_name(hoc_spec_kind k)
{
    static const char *const names[] = {"invariant", "property", "assumption",
                                        "goal",      "prune",    "progress stage"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "spec";
}

typedef struct hoc_output {
    const char *name;
    hoc_kind kind; /* kind of the value; HOC_K_BOOL with has_value false for none */
    bool has_value;
    size_t fired_offset, value_offset; /* in the outputs struct */
    const char *const *enum_names;     /* HOC_K_ENUM values: member names */
    uint32_t enum_count;
    uint32_t count; /* HOC_K_BYTES: bytes of the value; 1 otherwise */
    /* declared `agreed`: every process that produces it produces the same
     * value, so a process may adopt the one a peer produced (decide in
     * consensus; not in lattice agreement) */
    bool agreed;
} hoc_output;

typedef struct hoc_round {
    const char *name;
    size_t msg_size;         /* stride of out_msgs and msgs for this round */
    const hoc_field *fields; /* the message's fields */
    int nfields;
    /* The sender's messages: out_to gets the set of recipients and
     * out_msgs[p] (stride msg_size) the payload for recipient p. With
     * optional fields it writes only the fixed and present fields of
     * out_msgs[p]: a driver that copies whole messages zeroes out_msgs
     * before each send (sim and check do), the engine moves them with copy. */
    void (*send)(const void *state, const hoc_env *env, hoc_set *out_to, void *out_msgs);
    /* The transition: from holds the senders heard, msgs[p] their payloads;
     * msgs[p] is all zero bytes for a sender p not in from. */
    void (*update)(void *state, const hoc_env *env, hoc_set from, const void *msgs, void *outputs);
    /* Progress: the round may end once this many messages are in ... */
    int32_t (*goahead)(const int64_t *params);
    /* ... and must not end on timeout before this many are in. */
    int32_t (*wait)(const int64_t *params);
    int64_t timeout_us;
    /* Optional predicate over the mailbox that ends the round early; may be NULL. */
    bool (*when)(const void *state, const hoc_env *env, hoc_set from, const void *msgs);
    /* Wire format of one message: bounds-checked; return bytes used, or -1. */
    int (*encode)(const void *msg, uint8_t *buf, size_t cap);
    int (*decode)(void *msg, const uint8_t *buf, size_t len);
    size_t wire_max; /* largest encoding */
    /* A message with optional fields or blocks (docs/language.md) is moved
     * at the cost of what it holds: copy puts it into a clear slot (all zero
     * bytes: a cleared mailbox slot), writing its fixed fields, its present
     * optional fields and a block up to its last nonzero byte; clear zeroes
     * a slot copy or decode filled. With optional fields, decode leaves
     * absent fields as they were, so a driver decodes into scratch and
     * copies. NULL: memcpy and memset of msg_size bytes, and decode writes
     * the whole message. */
    void (*copy)(void *dst, const void *src);
    void (*clear)(void *msg);
} hoc_round;

/* An event: a request from outside (a client's operation) that a driver
 * hands to one process between two phases, after the update of the phase's
 * last round: hoc check enumerates them, hoc sim draws them, services feed
 * them from their clients. */
typedef struct hoc_event {
    const char *name;
    /* Names and kinds; a bytes argument is HOC_K_BYTES with count its size K. */
    const hoc_field *args;
    int nargs;
    /* The values argument i may take, [*lo, *hi); *hi < *lo for an int or
     * bytes argument declared without a range (the driver picks one, as for
     * inputs), *hi == *lo for a declared range empty at these params (no
     * value: the drivers refuse the event). A bytes argument's values are
     * the ints that stand for it. */
    void (*range)(const int64_t *params, int i, int64_t *lo, int64_t *hi);
    /* Runs the event on a process. Argument i is args[i]; a bytes argument i
     * is bytes[i] when bytes and bytes[i] are not NULL (exactly K bytes,
     * which handle only reads), otherwise args[i] as hoc_bytes_from_int
     * writes it (the contract of init_bytes). Drivers that deal in numbers
     * pass bytes NULL. */
    void (*handle)(void *state, const hoc_env *env, const int64_t *args,
                   const uint8_t *const *bytes, void *outputs);
} hoc_event;

typedef struct hoc_algo {
    int abi;
    const char *name;
    size_t state_size, msg_size, outputs_size;
    int maxn;                  /* capacity of arrays indexed by process in this build */
    const char *const *params; /* names; params[0] is "n" */
    int nparams;
    bool (*params_ok)(const int64_t *params);
    const hoc_field *inputs; /* input i is inputs[i]; values passed as int64 */
    int ninputs;
    const char *const *oracles; /* boolean choices the driver makes per update */
    int noracles;
    void (*init)(void *state, const hoc_env *env, const int64_t *inputs);
    /* init with bytes inputs given as bytes: for a bytes input i, bytes[i]
     * (when bytes and it are not NULL) points to its value, as many bytes as
     * the input holds; otherwise, and in init, the input is inputs[i] as
     * hoc_bytes_from_int writes it. */
    void (*init_bytes)(void *state, const hoc_env *env, const int64_t *inputs,
                       const uint8_t *const *bytes);
    const hoc_field *fields; /* of the state */
    int nfields;
    const hoc_round *rounds; /* one phase; round r runs rounds[r % nrounds] */
    int nrounds;
    const hoc_output *outputs;
    int noutputs;
    const hoc_spec *specs;
    int nspecs;
    size_t halted_offset; /* bool in the state: the process has terminated */
    /* bool in the state: the process has crashed (set by the drivers, read
     * by specs as crashed[i]; a crashed process is frozen like a halted one) */
    size_t crashed_offset;
    uint32_t uses_id;    /* nonzero: behaviour may depend on process ids */
    uint32_t uses_round; /* nonzero: behaviour depends on the round counter */
    /* The counters are read only as stamps and as `phase % m`: the lcm of the
     * m, which hoc check keeps of the phase when it ranks stamps; 0 when the
     * counters are read as numbers. */
    int64_t (*phase_period)(const int64_t *params);
    const hoc_event *events; /* what the environment may hand a process between phases */
    int nevents;
    /* A replacement: the process starts again from init with its inputs,
     * its ghosts kept (they record history, not memory) and its durable
     * variables (its storage; at init values in a new process), then runs the
     * algorithm's replaced block if it has one (has_replaced). */
    void (*replace)(void *state, const hoc_env *env, const int64_t *inputs, void *outputs);
    bool has_replaced;
    /* When uses_id: what in the rounds tells processes apart, and where. */
    const char *asym_why;
    /* The stack the algorithm's functions may need (their large locals);
     * NULL: small. Drivers check it with hoc_stack_fit. */
    size_t (*stack_bytes)(void);
} hoc_algo;

/* ---- Arithmetic with defined overflow: ints are 64-bit two's complement,
 * wrapping; x / 0 == 0 and x % 0 == x (documented in docs/language.md). */
static inline int64_t hoc_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}
static inline int64_t hoc_sub(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a - (uint64_t)b);
}
static inline int64_t hoc_mul(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a * (uint64_t)b);
}
static inline int64_t hoc_neg(int64_t a)
{
    return (int64_t)(0u - (uint64_t)a);
}
static inline int64_t hoc_div(int64_t a, int64_t b)
{
    if (b == 0) return 0;
    if (b == -1) return hoc_neg(a);
    return a / b;
}
static inline int64_t hoc_mod(int64_t a, int64_t b)
{
    if (b == 0) return a;
    if (b == -1) return 0;
    return a % b;
}
/* Mathematical modulo, always in [0, |b|): what coordinator rotation wants. */
static inline int64_t hoc_emod(int64_t a, int64_t b)
{
    int64_t r = hoc_mod(a, b);
    if (r < 0) r = b < 0 ? hoc_sub(r, b) : hoc_add(r, b);
    return r;
}

/* ---- Stamps: phase numbers that are only copied and compared. Zero bytes
 * are never, so an unheard message or an empty mailbox yields never. */
#define HOC_NEVER ((int64_t)0)
static inline int64_t hoc_stamp(int64_t phase)
{
    return hoc_add(phase, 1);
}
/* Least common multiple of |a| and |b|; 0 if either is 0 or it passes 2^32. */
static inline int64_t hoc_lcm(int64_t a, int64_t b)
{
    if (a < 0) a = hoc_neg(a);
    if (b < 0) b = hoc_neg(b);
    if (a <= 0 || b <= 0) return 0;
    int64_t x = a, y = b;
    while (y) {
        int64_t t = x % y;
        x = y, y = t;
    }
    int64_t l = a / x;
    return l > ((int64_t)1 << 32) / b ? 0 : l * b;
}

/* ---- Sets of processes. Out-of-range members (p < 0 or p >= HOC_MAXN)
 * are never in a set: hoc_set_has is false and hoc_set_one empty. */
static inline bool hoc_set_has(hoc_set s, int64_t p)
{
    return p >= 0 && p < HOC_MAXN && ((s >> p) & 1u);
}
static inline hoc_set hoc_set_one(int64_t p)
{
    return (p >= 0 && p < HOC_MAXN) ? (hoc_set)1 << p : 0;
}
/* {p} if p is a process (0 <= p < n), else {}: a set holds only processes,
 * so a set literal drops what is not one (docs/language.md). */
static inline hoc_set hoc_set_of(int64_t p, int64_t n)
{
    return (p >= 0 && p < n && p < HOC_MAXN) ? (hoc_set)1 << p : 0;
}
/* {0, ..., n-1}; every process for n >= HOC_MAXN. */
static inline hoc_set hoc_set_all(int32_t n)
{
    return n >= HOC_MAXN ? ~(hoc_set)0 : ((hoc_set)1 << n) - 1;
}
/* The number of members. */
static inline int64_t hoc_set_size(hoc_set s)
{
    return __builtin_popcountll(s);
}
/* Lowest member, or -1 for the empty set. */
static inline int32_t hoc_set_min(hoc_set s)
{
    return s ? __builtin_ctzll(s) : -1;
}
/* Highest member, or -1 for the empty set. */
static inline int32_t hoc_set_max(hoc_set s)
{
    return s ? 63 - __builtin_clzll(s) : -1;
}
/* The next member after p, or -1: for (p = hoc_set_min(s); p >= 0; p = hoc_set_next(s, p)). */
static inline int32_t hoc_set_next(hoc_set s, int64_t p)
{
    return p >= 63 ? -1 : hoc_set_min(s & ~(((hoc_set)2 << p) - 1));
}
/* The smaller and the larger of a and b. */
static inline int64_t hoc_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}
static inline int64_t hoc_max(int64_t a, int64_t b)
{
    return a > b ? a : b;
}
/* The value the driver chose for oracle i in this update. */
static inline bool hoc_oracle(const hoc_env *env, int i)
{
    return (env->oracle >> i) & 1u;
}

/* ---- Wire encoding: little-endian, fixed width; the caller provides 8 or
 * 4 bytes at b. On a little-endian host a field is one load or store: gcc
 * -O2 left the byte loops below as loops (a `back` message's 40 integers
 * were 7 % of the reconfiguration service's samples at 64 B). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOC_WIRE_HOST_ORDER 1
#else
#define HOC_WIRE_HOST_ORDER 0
#endif
static inline void hoc_put_u64(uint8_t *b, uint64_t v)
{
    if (HOC_WIRE_HOST_ORDER) {
        memcpy(b, &v, 8);
        return;
    }
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t hoc_get_u64(const uint8_t *b)
{
    uint64_t v = 0;
    if (HOC_WIRE_HOST_ORDER) {
        memcpy(&v, b, 8);
        return v;
    }
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}
static inline void hoc_put_u32(uint8_t *b, uint32_t v)
{
    if (HOC_WIRE_HOST_ORDER) {
        memcpy(b, &v, 4);
        return;
    }
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t hoc_get_u32(const uint8_t *b)
{
    uint32_t v = 0;
    if (HOC_WIRE_HOST_ORDER) {
        memcpy(&v, b, 4);
        return v;
    }
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

/* Whether p[0..k) is all zeros, k at most 4096. libc's memcmp against a
 * zero page is vectorised: about 3.4 times a word-at-a-time loop's speed on
 * 128 KiB (these scans were 6 % of an Amalgam server's samples at 128 KiB). */
static inline bool hoc_zero_piece(const void *p, size_t k)
{
    static const uint8_t zeros[4096];
    return memcmp(p, zeros, k) == 0;
}

/* Zeroes p[0..n), writing only the 4 KiB pieces that are not zero already:
 * a generated init on memory the engine allocated zeroed then writes
 * nothing, so pages the process never uses stay unbacked (a 128 KiB
 * Amalgam instance's state is megabytes, nearly all of them zeros). Any
 * memory ends all zero, zeroed or not before. */
static inline void hoc_zero(void *p, size_t n)
{
    uint8_t *q = p;
    for (size_t at = 0; at < n; at += 4096) {
        size_t k = n - at < 4096 ? n - at : 4096;
        if (!hoc_zero_piece(q + at, k)) memset(q + at, 0, k);
    }
}

/* A bytes value standing for the integer v, as drivers that deal in numbers
 * (hoc sim, hoc check, the replica's --input) give a bytes input: v's k
 * lowest bytes, little-endian, then zeros. Distinct small v give distinct
 * values, which is all an algorithm that only compares bytes can tell. */
static inline void hoc_bytes_from_int(uint8_t *dst, size_t k, int64_t v)
{
    memset(dst, 0, k);
    for (size_t i = 0; i < k && i < 8; i++)
        dst[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

/* Bytes of the k-byte value b that carry information: k less its trailing
 * zeros (how bytes values travel on the wire). */
static inline size_t hoc_bytes_used(const uint8_t *b, size_t k)
{
    while (k >= 4096 && hoc_zero_piece(b + k - 4096, 4096)) /* a large block mostly empty */
        k -= 4096;
    while (k >= 8) {
        uint64_t w;
        memcpy(&w, b + k - 8, 8);
        if (w) break;
        k -= 8;
    }
    while (k > 0 && b[k - 1] == 0)
        k--;
    return k;
}

/* Whether i indexes an array of len elements (for an array indexed by
 * process, len is n): an index outside reads the zero value and a write
 * through it does nothing (docs/language.md), so generated code never
 * touches memory outside its state. */
static inline bool hoc_in(int64_t i, int64_t len)
{
    return i >= 0 && i < len;
}
/* The sender p as a message of the mailbox `from`, or -1 ("no one") when p
 * was not heard or is not a process: its fields are then all zero. */
static inline int64_t hoc_sender(hoc_set from, int64_t p)
{
    return hoc_set_has(from, p) ? p : -1;
}
/* Byte b as an int (a call, so compilers do not call b < 256 always true). */
static inline int64_t hoc_byte(uint8_t b)
{
    return b;
}

/* ---- mmor: the smallest among the most often received values (0 when
 * k == 0). The caller fills vals[0..k) from a mailbox; they get sorted. */
static inline int64_t hoc_mmor(int64_t *vals, int k)
{
    for (int i = 1; i < k; i++) { /* insertion sort: k <= HOC_MAXN */
        int64_t v = vals[i];
        int j = i;
        for (; j > 0 && vals[j - 1] > v; j--)
            vals[j] = vals[j - 1];
        vals[j] = v;
    }
    int64_t best = 0;
    int best_run = 0;
    for (int i = 0; i < k;) {
        int j = i;
        while (j < k && vals[j] == vals[i])
            j++;
        if (j - i > best_run) best_run = j - i, best = vals[i];
        i = j;
    }
    return best;
}

#endif
