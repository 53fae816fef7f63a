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
    # timestamps: exhausted through the phase abstraction (stamps ranked)
    expect 0 examples/lastvoting.ho -n $n --depth 200
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
# the abstraction finds the same shortest counterexample as the concrete search
for ab in "" --no-abstraction; do
    "$HOC" check "$SRC/tests/check/mutants/lv_argmin_agreement.ho" -n 3 --depth 24 --quiet $ab >"$tmp/out$ab" 2>&1
done
a=$(grep "^VIOLATED" "$tmp/out"); b=$(grep "^VIOLATED" "$tmp/out--no-abstraction")
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "abstraction changed the counterexample: '$a' vs '$b'"; fi
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
