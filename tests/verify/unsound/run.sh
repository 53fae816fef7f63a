#!/bin/sh
# Programs whose spec is false, each once "proved" by hoc verify or run
# differently by the generated C (docs/verifier.md, "Testing the verifier").
# usage: run.sh HOC DIR
#
# Each FILE.ho starts with comments:
#   // class: N (what)
#   // why: why the spec is false and what went wrong before
#   // confirm: ARGS            hoc ARGS FILE must exit 1: the violation is real
#   // confirm-exit: 3          (optional) it must exit 3 instead: the assumption
#                               excludes every run, so the proof said nothing
#   // expect: rejected         (optional) hoc verify FILE must exit 2 (a compile error)
# and the runner asserts that hoc verify FILE exits 1 or 3, never 0.
set -u
HOC=$1 DIR=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

for f in "$DIR"/*.ho; do
    name=$(basename "$f")
    class=$(sed -n 's#^// class: *##p' "$f" | head -1)
    why=$(sed -n 's#^// why: *##p' "$f" | head -1)
    confirm=$(sed -n 's#^// confirm: *##p' "$f" | head -1)
    if [ -z "$class" ] || [ -z "$why" ] || [ -z "$confirm" ]; then
        bad "$name: the class, why and confirm lines are required"
        continue
    fi
    want="1 3"
    grep -q '^// expect: rejected' "$f" && want="2"
    "$HOC" verify "$f" --timeout 30 >"$tmp/verify" 2>&1
    rc=$?
    case " $want " in
    *" $rc "*) ;;
    *)
        bad "$name (class $class): hoc verify exit $rc, expected one of: $want"
        cat "$tmp/verify"
        continue
        ;;
    esac
    # shellcheck disable=SC2086
    "$HOC" $confirm "$f" >"$tmp/confirm" 2>&1
    rc=$?
    want=$(sed -n 's#^// confirm-exit: *##p' "$f" | head -1)
    if [ $rc -ne "${want:-1}" ]; then
        bad "$name (class $class): hoc $confirm exit $rc, expected ${want:-1}"
        tail -5 "$tmp/confirm"
        continue
    fi
    pass=$((pass + 1))
done
echo "unsound: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
