#!/bin/sh
# hoc check over every example (n = 3 and 4, 2 input values, each under its
# fault model) and over every mutant: a mutant must be caught (exit 1) with
# a trace that hoc sim --replay reproduces (exit 1 again).
# usage: run.sh HOC SOURCE_DIR
set -u
HOC=$1 SRC=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

# expect EXIT FILE ARGS...: hoc check must exit with EXIT
expect() {
    want=$1 f=$2
    shift 2
    "$HOC" check "$SRC/$f" --quiet "$@" >"$tmp/out" 2>&1
    got=$?
    if [ $got -eq "$want" ]; then ok; else bad "$f $*: exit $got, expected $want"; tail -5 "$tmp/out"; fi
}

for n in 3 4; do
    # exhausted without violation
    expect 0 examples/otr.ho -n $n
    expect 0 examples/floodmin.ho -n $n --faults crash=1
    expect 0 examples/floodmin.ho -n $n --faults crash=2 --param f=2
    expect 0 examples/kset.ho -n $n --faults crash=1
    expect 0 examples/twophase.ho -n $n
    expect 0 examples/twophase.ho -n $n --faults crash=1
    # timestamps: exhausted through the phase abstraction (stamps ranked); at
    # n = 4 the ghost dph, read only by invariant locked, keeps old phases in
    # the state and the space no longer fits: locked is skipped and dph left out
    if [ $n -eq 3 ]; then
        expect 0 examples/lastvoting.ho -n 3 --depth 200 --json
        cp "$tmp/out" "$tmp/lv3"
    elif [ -z "${HOC_CHECK_QUICK:-}" ]; then
        # half of this script's time, five times that under the sanitizers,
        # which run the same code at n = 3 (HOC_CHECK_QUICK, CMakeLists.txt)
        expect 0 examples/lastvoting.ho -n 4 --depth 200 --skip locked
    fi
    expect 0 examples/benor.ho -n $n
    # without it the phase numbers grow without bound: only a depth is reached
    expect 3 examples/lastvoting.ho -n $n --depth 8 --no-abstraction
done
# counterexamples to induction: none for invariants hoc verify proves
expect 0 examples/otr.ho -n 4 --inductive
expect 0 examples/kset.ho -n 3 --inductive
# a counterexample to induction replays from its start; a damaged start is refused
m="$SRC/tests/verify/mutants/otr_weak_inv.ho"
"$HOC" check "$m" -n 5 --inductive --quiet --trace "$tmp/cti.json" >/dev/null 2>&1
sed 's/"states": "\([0-9a-f]*\)"/"states": "\1z"/' "$tmp/cti.json" >"$tmp/cti_bad.json"
"$HOC" sim "$m" --replay "$tmp/cti_bad.json" >"$tmp/out" 2>&1
if [ $? -eq 2 ] && grep -q "start is not n states" "$tmp/out"; then ok; else bad "damaged start replayed"; cat "$tmp/out"; fi
# the counters read as numbers: no abstraction, the summary says so
"$HOC" check "$SRC/tests/check/phase_int.ho" -n 3 --depth 6 --quiet >"$tmp/out" 2>&1
if [ $? -eq 3 ] && grep -q "round counter kept (the algorithm reads it as a number)" "$tmp/out"; then ok; else bad "phase_int.ho"; cat "$tmp/out"; fi
# blocks as stand-ins (docs/checker.md, "The environment"): an ok on a program that
# looks inside a block carries a note naming where, however the read is hidden
# (a def, a copy, a spec, an extern); one that keeps blocks opaque has none, and
# a range without the zero block is named; the summary says which blocks were offered
# standin FILE WANT [ARGS]: hoc check exits 0 and its notes match WANT ("" for none)
standin() {
    f=$1 want=$2; shift 2
    "$HOC" check "$SRC/tests/check/standin/$f" -n 2 --quiet "$@" >"$tmp/out" 2>&1
    rc=$? notes=$(grep "^note:" "$tmp/out")
    if [ -z "$want" ]; then [ -z "$notes" ]; else echo "$notes" | grep -q "$want"; fi
    if [ $? -eq 0 ] && [ $rc -eq 0 ]; then ok; else bad "standin $f $*: exit $rc, notes '$notes', expected '$want'"; fi
}
standin byte_read.ho "^note: .*byte_read.ho:9: indexes a block .* covers those blocks only"
standin def_read.ho "^note: .*def_read.ho:9: through def is_seven, def second (line 3) indexes a block"
standin let_read.ho "^note: .*let_read.ho:12: indexes a block"
standin spec_read.ho "^note: .*spec_read.ho:8: indexes a block"
standin extern_read.ho "^note: .*extern_read.ho:9: hands a block to extern second" --extern "$SRC/tests/check/standin/extern_read.c"
standin blocks_only.ho ""
grep -q "^  blocks: stand-ins .*: put.b 0..3 (3 blocks, the zero block among them)" "$tmp/out" && ok || { bad "blocks_only.ho: no blocks line"; cat "$tmp/out"; }
standin zero_block.ho "^note: the zero block, every block's initial value, is not among the stand-ins of put.b"
# without events no block is a stand-in: nothing to say
standin byte_read.ho "" --events 0
"$HOC" check "$SRC/tests/check/standin/byte_read.ho" -n 2 --quiet --json >"$tmp/out" 2>&1
grep -q '"stand_ins": ".*byte_read.ho:9: indexes a block' "$tmp/out" && ok || { bad "byte_read.ho --json: no stand_ins"; cat "$tmp/out"; }
# random walks list the blocks too; hoc sim notes the look when its events hand blocks
"$HOC" check "$SRC/tests/check/standin/byte_read.ho" -n 2 --walks 3 --depth 4 --quiet >"$tmp/out" 2>&1
grep -q "^  blocks: stand-ins .*: put.b 1..3" "$tmp/out" && grep -q "^note: .*byte_read.ho:9: indexes a block" "$tmp/out" && ok || { bad "byte_read.ho --walks: no blocks line or note"; cat "$tmp/out"; }
"$HOC" sim "$SRC/tests/check/standin/byte_read.ho" -n 2 --events 0.5 >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q "^note: .*byte_read.ho:9: indexes a block .* says nothing of other blocks" "$tmp/out" && ok || { bad "sim byte_read.ho: no note"; cat "$tmp/out"; }
"$HOC" sim "$SRC/tests/check/standin/byte_read.ho" -n 2 --events 0.5 --json >"$tmp/out" 2>&1
grep -q '"stand_ins": ".*byte_read.ho:9' "$tmp/out" && ok || { bad "sim byte_read.ho --json: no stand_ins"; cat "$tmp/out"; }
for a in "byte_read.ho" "blocks_only.ho --events 0.5"; do
    "$HOC" sim "$SRC/tests/check/standin/"$a -n 2 >"$tmp/out" 2>&1
    grep -q "^note:" "$tmp/out" && { bad "sim $a: a note without a look at handed blocks"; cat "$tmp/out"; } || ok
done
# the abstraction finds the same shortest counterexample as the concrete search
for ab in "" --no-abstraction; do
    "$HOC" check "$SRC/tests/check/mutants/lv_argmin_agreement.ho" -n 3 --depth 24 --quiet $ab >"$tmp/out$ab" 2>&1
done
a=$(grep "^VIOLATED" "$tmp/out"); b=$(grep "^VIOLATED" "$tmp/out--no-abstraction")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "abstraction changed the counterexample: '$a' vs '$b'"; fi
# locked without its history ghost (tests/check/spec/locked_now.ho, added to
# a copy by scripts/splice_spec.py): it holds wherever locked does, costs no
# state (the space is --skip locked's), and is not vacuous: it catches the
# mutant whose coordinator votes the smallest timestamp, agreement left out
splice() { python3 "$SRC/scripts/splice_spec.py" "$SRC/$1" "$SRC/tests/check/spec/locked_now.ho" "$tmp/$2"; }
splice examples/lastvoting.ho lvnow.ho && splice tests/check/mutants/lv_argmin_agreement.ho lvnow_bad.ho || bad "splice_spec.py"
# (with locked too: the history ghost's whole space again, skipped under the
# sanitizers, HOC_CHECK_QUICK, which run the same code in lv3 above)
if [ -z "${HOC_CHECK_QUICK:-}" ]; then
    "$HOC" check "$tmp/lvnow.ho" -n 3 --depth 200 >"$tmp/now_all" 2>&1 && ok || bad "locked_now with locked: exit $?"
fi
"$HOC" check "$tmp/lvnow.ho" -n 3 --depth 200 --skip locked >"$tmp/now" 2>&1 && ok || bad "locked_now: exit $?"
"$HOC" check "$SRC/examples/lastvoting.ho" -n 3 --depth 200 --skip locked --json >"$tmp/skip" 2>&1
# (a digit at least: a run past 10 s also prints hoc check's status line,
# "... N states (no --time limit)", whose "states " matched with none)
a=$(grep -o "states [0-9][0-9]*" "$tmp/now"); b=$(grep -o "states [0-9][0-9]*" "$tmp/skip")
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "locked_now changed the space: '$a' vs '$b'"
"$HOC" check "$tmp/lvnow_bad.ho" -n 3 --depth 24 --skip agreement >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "locked_now violated" "$tmp/out" && ok || { bad "locked_now missed the argmin mutant"; tail -3 "$tmp/out"; }
# symmetry reduction changes the count, not the verdict
expect 0 examples/otr.ho -n 4 --no-symmetry
expect 0 examples/otr.ho -n 5 --values 3

# mutants: caught, and the trace replays to the same violation
for m in "$SRC"/tests/verify/mutants/*.ho "$SRC"/tests/check/mutants/*.ho; do
    [ -f "$m" ] || continue
    name=$(basename "$m")
    args=$(sed -n 's|^// check: ||p' "$m" | head -1)
    [ -n "$args" ] || args=$(sed -n "s|^$(basename "$m" .ho) ||p" "$SRC/tests/check/mutant_args" | head -1)
    [ -n "$args" ] || args="-n 4 --depth 12"
    case $args in skip:*) continue ;; esac
    # shellcheck disable=SC2086
    "$HOC" check "$m" --quiet $args --time 60 --trace "$tmp/trace.json" >"$tmp/out" 2>&1
    got=$?
    if [ $got -ne 1 ]; then bad "mutant $name ($args): exit $got, expected 1"; tail -3 "$tmp/out"; continue; fi
    if ! grep -q "^round 0" "$tmp/out" && ! grep -q "^initial states" "$tmp/out"; then bad "mutant $name: no trace printed"; continue; fi
    "$HOC" sim "$m" --replay "$tmp/trace.json" >"$tmp/replay" 2>&1
    got=$?
    if [ $got -eq 1 ] && grep -q "VIOLATED" "$tmp/replay"; then ok; else bad "mutant $name: replay exit $got"; cat "$tmp/replay"; fi
done

# --skip: the spec is not checked, and the ghosts that only it needs are not
# stored; fewer states, the same verdict on the rest
# (the run of "$tmp/skip" above)
all=$(sed -n 's/.*"states": \([0-9]*\).*/\1/p' "$tmp/lv3") some=$(sed -n 's/.*"states": \([0-9]*\).*/\1/p' "$tmp/skip")
if [ -n "$all" ] && [ -n "$some" ] && [ "$some" -lt "$all" ] && grep -q "skipped: locked; ghost dph not tracked" "$tmp/skip"; then ok; else bad "--skip locked: $some states, $all without"; cat "$tmp/skip"; fi
# a mutant whose only broken spec is skipped passes
expect 1 tests/check/mutants/otr_heard_all.ho -n 4
expect 0 tests/check/mutants/otr_heard_all.ho -n 4 --skip heard_all
# a ghost a checked spec reads through another is kept: g2_small breaks only
# through g1; g3 is left out, yet the trace shows its values and replays
g="$SRC/tests/check/ghosts.ho"
"$HOC" check "$g" -n 3 --quiet --skip g1_small --skip g3_small --trace "$tmp/gh.json" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q "^VIOLATED: invariant g2_small" "$tmp/out" && grep -q "ghost g3 not tracked" "$tmp/out" &&
    grep -q "p0 v=0 x=0 g1=0 g2=1 g3=3" "$tmp/out"; then ok; else bad "--skip keeps g1 and shows g3"; cat "$tmp/out"; fi
"$HOC" sim "$g" --replay "$tmp/gh.json" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q "VIOLATED: invariant g2_small" "$tmp/out"; then ok; else bad "--skip trace replay"; cat "$tmp/out"; fi
expect 0 tests/check/ghosts.ho -n 3 --skip g1_small --skip g2_small --skip g3_small
# the same after a goal, where the search starts again from a state reached
"$HOC" check "$g" -n 3 --quiet --skip g1_small --skip g2_small --skip g3_small --goal heard_once --goal heard_twice --trace "$tmp/gh.json" >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q "^GOAL: goal heard_twice" "$tmp/out" && grep -q "ghosts g2, g3 not tracked" "$tmp/out"; then ok; else bad "--skip with goals"; cat "$tmp/out"; fi
"$HOC" sim "$g" --replay "$tmp/gh.json" >"$tmp/out" 2>&1; [ $? -eq 0 ] && ok || { bad "--skip goal trace replay"; cat "$tmp/out"; }
# nor are skipped invariants assumed or checked by --inductive
expect 0 tests/verify/mutants/otr_weak_inv.ho -n 5 --inductive --skip inv
# only invariants and properties can be skipped, and only existing ones
"$HOC" check "$SRC/examples/otr.ho" -n 4 --skip nosuchspec >"$tmp/out" 2>&1
if [ $? -eq 2 ] && grep -q "no .*named 'nosuchspec'" "$tmp/out"; then ok; else bad "--skip nosuchspec"; cat "$tmp/out"; fi
"$HOC" check "$SRC/examples/otr.ho" -n 4 --skip liveness >"$tmp/out" 2>&1
if [ $? -eq 2 ] && grep -q "is an assumption" "$tmp/out"; then ok; else bad "--skip liveness"; cat "$tmp/out"; fi

# search control: punctuated goals, each reached in turn, and the trace replays
g="$SRC/tests/check/goals.ho"
"$HOC" check "$g" -n 4 --quiet --goal mixed --goal one_decided --goal all_decided --trace "$tmp/g.json" >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q "^GOAL: goal all_decided reached in 2 rounds" "$tmp/out" && grep -q "goal one_decided reached after 1 rounds" "$tmp/out"; then ok; else bad "punctuated goals"; cat "$tmp/out"; fi
"$HOC" sim "$g" --replay "$tmp/g.json" >"$tmp/out" 2>&1; [ $? -eq 0 ] && ok || { bad "goal trace replay"; cat "$tmp/out"; }
# a prune that holds everywhere expands nothing: the goal is unreachable (exit 1, not found)
"$HOC" check "$g" -n 4 --quiet --goal all_decided --prune everywhere >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q "^not found" "$tmp/out"; then ok; else bad "prune"; cat "$tmp/out"; fi
# random walks: the mutant is found again with a seed; the correct OTR ends on the bound (exit 3)
"$HOC" check "$SRC/tests/check/mutants/otr_half.ho" -n 5 --walks 200 --depth 20 --seed 7 --trace "$tmp/w.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && ok || { bad "random walk on a mutant"; tail -3 "$tmp/out"; }
"$HOC" sim "$SRC/tests/check/mutants/otr_half.ho" --replay "$tmp/w.json" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "walk trace replay"
"$HOC" check "$SRC/examples/otr.ho" -n 7 --walks 50 --depth 20 >/dev/null 2>&1; [ $? -eq 3 ] && ok || bad "random walk on OTR"

# bad options are usage errors
"$HOC" check "$SRC/examples/otr.ho" -n 4 --faults sometimes >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--faults sometimes"
"$HOC" check "$SRC/examples/otr.ho" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "no -n"
"$HOC" check "$SRC/examples/otr.ho" -n 4 --goal nothing >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--goal nothing"
# unsatisfiable parameters are reported at once, by sim and check alike
for cmd in sim check; do
    timeout 30 "$HOC" $cmd "$SRC/tests/check/unsat_params.ho" -n 40 >"$tmp/out" 2>&1
    if [ $? -eq 2 ] && grep -q "no parameters satisfy" "$tmp/out"; then ok; else bad "unsatisfiable params ($cmd)"; fi
done
# a corrupt trace is refused, not trusted
printf '{"format": "hoc-trace-1", "n": 4, "params": [4], "inputs": [0,1' >"$tmp/bad.json"
"$HOC" sim "$SRC/examples/otr.ho" --replay "$tmp/bad.json" >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "truncated trace"

echo "check: $pass passed, $fail failed"
[ $fail -eq 0 ]
