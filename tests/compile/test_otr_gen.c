/* Drives the C that hoc generates for examples/otr.ho directly, as every
 * driver does: the state machine must be deterministic, its states must
 * compare with memcmp, and its messages must survive the wire. */
#include <stdio.h>
#include <string.h>

#include "otr.h"

#include "hoc_check.h"

static const int64_t params4[] = {4};

static void init_all(otr_state *s, const int64_t *inputs, int n)
{
    for (int p = 0; p < n; p++) {
        memset(&s[p], 0xAB, sizeof s[p]); /* garbage, which init must wipe, padding included */
        hoc_env env = {p, n, 0, params4, 0};
        otr_init(&s[p], &env, &inputs[p]);
    }
}

/* One lockstep round in which everybody hears `heard[q]`. */
static void round_all(otr_state *s, int n, const hoc_set *heard, otr_outputs *outs)
{
    static otr_msg_r0 box[4][HOC_MAXN];
    hoc_set to[4];
    for (int p = 0; p < n; p++) {
        hoc_env env = {p, n, 0, params4, 0};
        memset(box[p], 0, sizeof box[p]);
        otr_send_r0(&s[p], &env, &to[p], box[p]);
    }
    for (int q = 0; q < n; q++) {
        otr_msg_r0 mb[HOC_MAXN];
        memset(mb, 0, sizeof mb);
        hoc_set from = 0;
        for (int p = 0; p < n; p++)
            if (hoc_set_has(heard[q], p) && hoc_set_has(to[p], q)) {
                from |= hoc_set_one(p);
                mb[p] = box[p][q];
            }
        hoc_env env = {q, n, 0, params4, 0};
        memset(&outs[q], 0, sizeof outs[q]);
        otr_update_r0(&s[q], &env, from, mb, &outs[q]);
    }
}

int main(void)
{
    const int64_t inputs[] = {1, 0, 1, 1};
    otr_state a[4], b[4];
    init_all(a, inputs, 4);
    init_all(b, inputs, 4);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(a[1].x == 0 && a[2].x == 1);

    /* a broadcast goes to every process */
    hoc_set to = 0;
    otr_msg_r0 out[HOC_MAXN];
    hoc_env env = {0, 4, 0, params4, 0};
    otr_send_r0(&a[0], &env, &to, out);
    CHECK(to == hoc_set_all(4));
    CHECK(out[3].value == 1);

    /* hearing 3 of 4 (> 2n/3) with values 1,1,0: adopt 1 but do not decide (2 of 3 agree) */
    hoc_set only3[4] = {0x7, 0x7, 0x7, 0x7};
    otr_outputs o[4];
    round_all(a, 4, only3, o);
    CHECK(a[1].x == 1);
    CHECK(!o[1].decide_fired);
    /* now everybody holds 1 and hears everybody: all decide 1 */
    hoc_set all[4] = {0xF, 0xF, 0xF, 0xF};
    round_all(a, 4, all, o);
    for (int p = 0; p < 4; p++)
        CHECK(o[p].decide_fired && o[p].decide == 1);
    CHECK(otr_algo.specs[0].holds(a, params4, all));

    /* same inputs, same heard-of sets: the same states, byte for byte */
    round_all(b, 4, only3, o);
    round_all(b, 4, all, o);
    CHECK(memcmp(a, b, sizeof a) == 0);

    /* hearing too few (2 of 4) changes nothing */
    otr_state c[4];
    init_all(c, inputs, 4);
    hoc_set two[4] = {0x3, 0x3, 0x3, 0x3};
    round_all(c, 4, two, o);
    CHECK(c[1].x == 0 && !o[0].decide_fired);

    /* the wire: round trip, short buffers and wrong lengths are refused */
    otr_msg_r0 m = {.value = -1234567890123LL}, m2;
    uint8_t buf[64];
    int len = otr_encode_r0(&m, buf, sizeof buf);
    CHECK(len == 8);
    CHECK(otr_decode_r0(&m2, buf, (size_t)len) == len && m2.value == m.value);
    CHECK(otr_encode_r0(&m, buf, 7) == -1);
    CHECK(otr_decode_r0(&m2, buf, 7) == -1);
    CHECK(otr_decode_r0(&m2, buf, 9) == -1);

    /* the descriptor describes the code */
    CHECK(otr_algo.abi == HOC_ABI_VERSION && otr_algo.nrounds == 1 &&
          otr_algo.state_size == sizeof(otr_state));
    CHECK(otr_algo.rounds[0].wire_max == 8 && otr_algo.ninputs == 1 && otr_algo.noutputs == 1);
    CHECK(otr_algo.params_ok(params4));
    const int64_t bad[] = {0};
    CHECK(!otr_algo.params_ok(bad));

    return check_summary("generated-otr");
}
