#!/bin/sh
# Symmetry reduction is sound for the rounds and for the specs (issue 13,
# class 7): every class-7 program of tests/verify/unsound/ is caught by hoc
# check with its default options (exit 1, with a trace that hoc sim --replay
# reproduces), and the summary says why the reduction was not applied; the
# examples keep the reduction where it is sound; assumptions that are not
# upward closed in the heard-of sets are enforced on every heard-of set.
# usage: symmetry.sh HOC SOURCE_DIR
set -u
HOC=$1 SRC=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

n=0
for f in "$SRC"/tests/verify/unsound/*.ho; do
    grep -q '^// class: 7' "$f" || continue
    n=$((n + 1))
    name=$(basename "$f")
    args=$(sed -n 's|^// confirm: check ||p' "$f" | head -1)
    [ -n "$args" ] || { bad "$name: no confirm line"; continue; }
    # shellcheck disable=SC2086
    "$HOC" check "$f" $args --quiet --trace "$tmp/t.json" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne 1 ]; then bad "$name: hoc check $args: exit $rc, expected 1"; tail -4 "$tmp/out"; continue; fi
    grep -q "symmetry reduction not applied: " "$tmp/out" && ok || { bad "$name: no reason given"; tail -3 "$tmp/out"; }
    "$HOC" sim "$f" --replay "$tmp/t.json" >"$tmp/replay" 2>&1
    [ $? -eq 1 ] && ok || { bad "$name: replay"; cat "$tmp/replay"; }
done
[ $n -ge 6 ] && ok || bad "only $n class-7 programs"

# summary SUMMARY FILE ARGS...: hoc check's summary names the reason
summary() {
    want=$1 f=$2
    shift 2
    "$HOC" check "$SRC/$f" --quiet "$@" >"$tmp/out" 2>&1
    grep -qF "$want" "$tmp/out" && ok || { bad "$f $*: no '$want'"; tail -4 "$tmp/out"; }
}
summary "symmetry reduction applied" examples/otr.ho -n 3
summary "symmetry reduction applied" examples/floodmin.ho -n 3 --faults crash=1
summary "symmetry reduction applied" examples/benor.ho -n 3
summary "symmetry reduction not applied: the rounds tell processes apart: a variable holds process ids (lastvoting.ho:" examples/lastvoting.ho -n 3 --depth 1
summary "symmetry reduction not applied: --no-symmetry" examples/otr.ho -n 3 --no-symmetry
summary "symmetry reduction not applied: --no-symmetry" examples/otr.ho -n 3 --no-symmetry --inductive
# a skipped spec does not count: the rest may be reduced
summary "symmetry reduction applied" tests/verify/unsound/sym_spec_const_index.ho -n 3 --skip ordered
summary "the largest heard-of sets (upward closed)" examples/benor.ho -n 3

# an upper bound on |HO[p]| is not upward closed: every heard-of set is tried
f=tests/check/assume_upper.ho
"$HOC" check "$SRC/$f" -n 3 --quiet --trace "$tmp/t.json" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q "every heard-of set (one is not upward closed)" "$tmp/out"; then ok; else bad "$f"; cat "$tmp/out"; fi
"$HOC" sim "$SRC/$f" --replay "$tmp/t.json" >"$tmp/replay" 2>&1
[ $? -eq 1 ] && ok || { bad "$f: replay"; cat "$tmp/replay"; }

echo "symmetry: $pass passed, $fail failed"
[ $fail -eq 0 ]
