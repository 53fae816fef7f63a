#!/bin/sh
# Spec quantifiers over ints are judged exactly by the drivers
# (compiler/qdom.c, docs/language.md "Quantifiers and comprehensions"):
# every program here has a spec whose verdict depends on ints no process
# holds, which the old active-domain evaluation got wrong (hoc check said ok
# for the false ones and reported violations of the true ones). Each FILE.ho
# starts with comments:
#   // check: ARGS      hoc check FILE ARGS and hoc sim FILE ARGS
#   // expect: N        must both exit N (0 ok, 1 violated, 3 cannot judge)
#   // stderr: TEXT     (optional) hoc check's output must contain TEXT
# usage: run.sh HOC DIR
set -u
HOC=$1 DIR=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

for f in "$DIR"/*.ho; do
    name=$(basename "$f")
    args=$(sed -n 's#^// check: *##p' "$f" | head -1)
    want=$(sed -n 's#^// expect: *##p' "$f" | head -1)
    text=$(sed -n 's#^// stderr: *##p' "$f" | head -1)
    if [ -z "$args" ] || [ -z "$want" ]; then
        bad "$name: the check and expect lines are required"
        continue
    fi
    ok=1
    for cmd in check sim; do
        # shellcheck disable=SC2086
        timeout 120 "$HOC" $cmd "$f" $args >"$tmp/out" 2>&1
        rc=$?
        if [ "$rc" -ne "$want" ]; then
            bad "$name: hoc $cmd $args exit $rc, expected $want"
            tail -5 "$tmp/out"
            ok=0
        elif [ -n "$text" ] && ! grep -qF "$text" "$tmp/out"; then
            bad "$name: hoc $cmd does not say: $text"
            tail -5 "$tmp/out"
            ok=0
        fi
    done
    [ $ok -eq 1 ] && pass=$((pass + 1))
done
echo "qdom: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
