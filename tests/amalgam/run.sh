#!/bin/sh
# Amalgam (services/amalgam/amalgam.ho) in ctest, in small configurations:
#   - hoc check exhausts it (g = 2 data servers, f = 1, two backups over which
#     the two stripes rotate with no witness per stripe (nw = 1, sw = 0,
#     rot = 1), the reconfiguration service; one client op of any kind and one
#     replacement per execution);
#   - every seeded mutant (tests/amalgam/mutate.py) is caught, and its trace
#     replays to the same violation (commit_out_of_order needs two ops in
#     flight: --events 2; no_gap_trimming is caught on a two-block op whose
#     second delta was not collected; on single-block ops, a gap of op
#     numbers, it needs two ops and a replacement: bench/bench_check.sh);
#   - two replacements, in the thesis' fault model (--prune beyond_f: never more
#     than f blocks of a stripe degraded at once), exhausted in the smallest
#     configuration (g = 1, one backup), and the two mutants of the go-live step
#     caught with two replacements (live_at_install with one backup,
#     admit_at_once with two: it needs an op on two stripes);
#   - f = 2 with a witness per stripe (g = 1) exhausted, and the mutant whose
#     backups drop their prepares at the Install caught (held) and replayed;
#   - f = 2 with two replacements (g = 1) exhausted, the reconfiguration
#     service's replacement resuming from its last decision, and the mutant
#     whose service forgets it caught (held) and replayed;
#   - a backup suspected while alive (event suspect) exhausted with g = 1 and a witness,
#     and the mutant whose drops keep skipping a replaced backup caught (held);
#   - with REFRESH = 2 (servers answer the reconfiguration service unasked only every
#     other phase; the service runs 8) the smallest two-replacement and suspicion
#     configurations exhausted;
#   - with 2-byte blocks -1 and 0 (carries across bytes and out of the block) two ops
#     exhausted with g = 1, and the two mutants of Add's carry caught and replayed;
#   - hoc verify proves the normal-path invariant of the single-shard
#     abstraction (services/amalgam/amalgam_shard.ho), and refuses it when
#     a commit waits for f servers instead of f + 1.
# The larger configurations (two ops and a replacement; two replacements with
# g = 2 or two backups) are in
# bench/bench_check.sh and docs/amalgam.md, not here.
# usage: run.sh HOC SOURCE_DIR
set -u
HOC=$1 SRC=$2
A=$SRC/services/amalgam
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
CFG="-n 5 --param g=2 --param f=1 --param nw=1 --param sw=0 --param rot=1 --threads 2 --quiet"

# exhausts WHAT ARGS...: hoc check exhausts amalgam.ho (or $AHO) with ARGS
exhausts() {
    what=$1; shift
    "$HOC" check "${AHO:-$A/amalgam.ho}" "$@" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q "^ok: the reachable space is exhausted" "$tmp/out"; then ok; else
        bad "amalgam.ho $what: exit $rc"; tail -5 "$tmp/out"; fi
}
# caught SPEC NAME ARGS...: hoc check finds $tmp/NAME.ho violate SPEC, and the trace replays
caught() {
    spec=$1 m=$2; shift 2
    "$HOC" check "$tmp/$m.ho" "$@" --trace "$tmp/$m.json" >"$tmp/$m.out" 2>&1
    rc=$?
    if [ $rc -ne 1 ] || ! grep -q "^VIOLATED: [a-z]* $spec " "$tmp/$m.out"; then
        bad "$m: exit $rc, expected 1 on $spec"; grep -E "^VIOLATED|^ok|^bound" "$tmp/$m.out"; return; fi
    "$HOC" sim "$tmp/$m.ho" --replay "$tmp/$m.json" >"$tmp/$m.rep" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "VIOLATED: [a-z]* $spec " "$tmp/$m.rep"; then ok; else
        bad "$m: replay exit $rc"; tail -3 "$tmp/$m.rep"; fi
}
# held_caught MUTANT ARGS...: hoc check finds the mutant violate held, and the trace replays
held_caught() {
    m=$1; shift
    if ! python3 "$SRC/tests/amalgam/mutate.py" "$A/amalgam.ho" $m "$tmp/$m.ho"; then
        bad "$m: not made"; return; fi
    caught held "$m" "$@"
}

# (HOC_CHECK_QUICK, the sanitizer build: the exhaustions run no checker or
# model code that the mutants' searches below do not, and the normal build
# runs them all; only the smallest, two replacements with g = 1, stays)
[ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "" $CFG --events 1 --replace 1

# two replacements, g = 1, f = 1, one backup (n = 3)
R2="-n 3 --param g=1 --param f=1 --param nw=0 --param sw=0 --param rot=1 --threads 2 --quiet --prune beyond_f"
exhausts "--replace 2" $R2 --events 1 --replace 2

# f = 2 with a witness per stripe (g = 1, n = 5): a backup keeps the chain's prepares at
# the Install until the new data server's first window drops them; exhausted, and the
# mutant that drops them at the Install is caught on held (7 rounds) and replays
WIT="-n 5 --param g=1 --param f=2 --param nw=1 --param sw=1 --param rot=0 --threads 2 --quiet"
# (HOC_CHECK_QUICK, the sanitizer build: the exhaustions of f = 2 are skipped,
# not their mutants)
[ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "with a witness, f = 2" $WIT --events 1 --replace 1
held_caught witness_drops_at_install $WIT --events 1 --replace 1

# f = 2, two replacements (g = 1, no witness, n = 4): the reconfiguration service's
# replacement resumes from its last decision (durable), so it loses no Install it was
# carrying out; exhausted, and the mutant whose service forgets it (the model's `gone`
# before) is caught on held (7 rounds) and replays
DUR="-n 4 --param g=1 --param f=2 --param nw=0 --param sw=0 --param rot=1 --threads 2 --quiet"
DUR="$DUR --prune beyond_f --events 1 --replace 2"
[ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "f = 2 --replace 2" $DUR
held_caught reconf_forgets_decision $DUR

# a backup down (g = 1, a parity server and a witness, n = 4): the failure detector's
# suspicion (event suspect) of a live backup, with an op, exhausted; and the mutant whose
# window keeps skipping a replaced backup after its newcomer asked for snapshots is caught
# on held (13 rounds) and replays
DOWN="-n 4 --param g=1 --param f=1 --param nw=1 --param sw=1 --param rot=0 --threads 2 --quiet"
[ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "a backup suspected" $DOWN --events 2
held_caught drop_past_newcomer $DOWN --events 1 --replace 1

# the file checks REFRESH = 1 (every server answers the reconfiguration service every
# phase, as before); the service runs 8 (answers only when asked, joining, or every 8th
# phase). Sending less is losing more, but the model should show it: REFRESH = 2 (a phase
# in two where only those asked, pinged and joining answer) exhausted in two small
# configurations above (6.8 and 5.7 times the states: the phase's parity, `rq`, the
# pings; docs/amalgam.md, "Fewer answers to the service")
sed 's/^const REFRESH = 1;/const REFRESH = 2;/' "$A/amalgam.ho" >"$tmp/refresh2.ho"
if grep -q "^const REFRESH = 2;" "$tmp/refresh2.ho"; then
    AHO=$tmp/refresh2.ho
    exhausts "REFRESH = 2 --replace 2" $R2 --events 1 --replace 2
    [ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "REFRESH = 2, a backup suspected" $DOWN --events 2
    AHO=
else
    bad "REFRESH = 1 not found in amalgam.ho"
fi

# carries: the file offers 1-byte blocks 0 and 1, where no Add carries from byte to byte
# nor past the block's end; 2-byte blocks -1 and 0 (ff ff and zeros: -1 + -1 carries
# through both bytes and out of the block, at 0 and at 1; Cas swaps the zero block for
# -1 and refuses -1 on it; Xor) exhausted with two ops (g = 1), and the two Add mutants,
# which the file's blocks cannot tell from the protocol, caught on data_blocks and replayed
# (docs/amalgam.md, "Checking it")
CARRY='s/^const EC_BLOCK = 1; /const EC_BLOCK = 2; /; s/^const VLO = 0; /const VLO = -1;/; s/^const VALS = 2; /const VALS = 1; /'
G1="-n 3 --param g=1 --param f=1 --param nw=0 --param sw=0 --param rot=1 --threads 2 --quiet --events 2 --replace 0"
sed "$CARRY" "$A/amalgam.ho" >"$tmp/carry.ho"
if [ "$(grep -c '^const EC_BLOCK = 2; \|^const VLO = -1;\|^const VALS = 1; ' "$tmp/carry.ho")" -eq 3 ]; then
    # (HOC_CHECK_QUICK, the sanitizer build: the mutants' searches run the same code)
    AHO=$tmp/carry.ho
    [ -z "${HOC_CHECK_QUICK:-}" ] && exhausts "carries (EC_BLOCK = 2, blocks -1 and 0)" $G1
    AHO=
    for m in add_carry_dropped add_wraps_at_end; do
        if ! python3 "$SRC/tests/amalgam/mutate.py" "$A/amalgam.ho" $m "$tmp/$m.src.ho"; then
            bad "$m: not made"; continue; fi
        sed "$CARRY" "$tmp/$m.src.ho" >"$tmp/$m.ho"
        caught data_blocks "$m" $G1
    done
else
    bad "EC_BLOCK = 1, VLO = 0 or VALS = 2 not found in amalgam.ho"
fi

# mutant SPEC EVENTS REPLACE: caught (exit 1) on SPEC within --events EVENTS
# --replace REPLACE, and the trace replays (exit 1, same spec)
for line in "commit_before_f held 1 1" "parity_before_commit parity_consistent 1 1" \
    "replacement_without_quorum no_lost_commit 1 1" "snapshot_without_op_numbers data_blocks 1 1" \
    "commit_out_of_order held 2 0" "no_gap_trimming held 1 1" \
    "reply_new_value replies 1 0 noreplay" "cas_inverted data_blocks 1 0 noreplay" \
    "live_at_install no_lost_commit 1 2 replay 3" "admit_at_once held 1 2 noreplay 4"; do
    set -- $line
    m=$1 spec=$2 ev=$3 rp=$4 replay=${5:-replay} small=${6:-}
    # the go-live mutants: with g = 1 and nw = small - 3 backups beyond f, in the fault model
    cfg=$CFG
    if [ -n "$small" ]; then
        cfg="-n $small --param g=1 --param f=1 --param nw=$((small - 3)) --param sw=0 --param rot=1"
        cfg="$cfg --threads 2 --quiet --prune beyond_f"
    fi
    if ! python3 "$SRC/tests/amalgam/mutate.py" "$A/amalgam.ho" "$m" "$tmp/$m.ho"; then
        bad "$m: not made"; continue; fi
    "$HOC" check "$tmp/$m.ho" $cfg --events "$ev" --replace "$rp" --trace "$tmp/$m.json" >"$tmp/$m.out" 2>&1
    rc=$?
    if [ $rc -ne 1 ] || ! grep -q "^VIOLATED: [a-z]* $spec " "$tmp/$m.out"; then
        bad "$m: exit $rc, expected 1 on $spec"; grep -E "^VIOLATED|^ok|^bound" "$tmp/$m.out"; continue; fi
    # the op-kind mutants and admit_at_once skip the replay: a compile each
    if [ "$replay" = noreplay ]; then ok; continue; fi
    "$HOC" sim "$tmp/$m.ho" --replay "$tmp/$m.json" >"$tmp/$m.rep" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "VIOLATED: [a-z]* $spec " "$tmp/$m.rep"; then ok; else
        bad "$m: replay exit $rc"; tail -3 "$tmp/$m.rep"; fi
done

# (HOC_VERIFY_CHECK_TIME, the sanitizer build: hoc check's cross-check of
# the proof, a budget of wall time, gets that many seconds, not 5)
"$HOC" verify "$A/amalgam_shard.ho" ${HOC_VERIFY_CHECK_TIME:+--check-time $HOC_VERIFY_CHECK_TIME} >"$tmp/v" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "9 of 9 proved" "$tmp/v"; then ok; else bad "amalgam_shard.ho: verify exit $rc"; tail -5 "$tmp/v"; fi
sed 's/>= f + 1 \&\&$/>= f \&\&/' "$A/amalgam_shard.ho" >"$tmp/shard_f.ho"
if grep -q ">= f &&$" "$tmp/shard_f.ho"; then
    "$HOC" verify "$tmp/shard_f.ho" --only committed_held >"$tmp/vf" 2>&1
    rc=$?
    if [ $rc -eq 1 ]; then ok; else bad "shard with f answers: verify exit $rc"; tail -5 "$tmp/vf"; fi
else
    bad "shard mutant: the commit rule was not found"
fi

echo "$pass passed, $fail failed${HOC_CHECK_QUICK:+ (quick: every exhaustion but the smallest skipped)}"
[ $fail -eq 0 ]
