#!/bin/sh
# What no run can confirm, and the limits that were once silent.
# usage: limits.sh HOC DIR (DIR: tests/verify)
#   vacuous/*.ho   hoc verify reports a vacuous proof: exit 3, "vacuous" said
#   limits/*.ho    every where clause and every phase % m is kept; more
#                  inputs than drivers hold is a compile error
set -u
HOC=$1 DIR=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# expect WANT GREP ARGS...: hoc ARGS exits WANT and prints GREP (if not empty)
expect() {
    want=$1 pat=$2
    shift 2
    "$HOC" "$@" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -ne "$want" ]; then
        bad "hoc $*: exit $rc, expected $want"; tail -5 "$tmp/out"; return
    fi
    if [ -n "$pat" ] && ! grep -q "$pat" "$tmp/out"; then
        bad "hoc $*: no '$pat' in the output"; tail -5 "$tmp/out"; return
    fi
    ok
}

for f in "$DIR"/vacuous/*.ho; do
    expect 3 "vacuous" verify "$f"
done
L=$DIR/limits
expect 0 "" sim "$L/nine_wheres.ho" -n 3 --rounds 2
expect 2 "no parameters satisfy" sim "$L/nine_wheres.ho" -n 3 --rounds 2 --param p9=1
expect 0 "" verify "$L/nine_wheres.ho"
expect 1 "stamps ranked" check "$L/nine_mods.ho" -n 2 --depth 30 --quiet
expect 2 "at most 64 inputs" compile "$L/many_inputs.ho" -o "$tmp/gen"
echo "limits: $pass passed, $fail failed"
[ $fail -eq 0 ]
