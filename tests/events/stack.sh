#!/bin/sh
# The stack the generated code needs (tests/events/deep.ho: a 1 MiB block
# as an event argument, a copy of it and a message, about 2 MiB of locals
# in one function): under a 1 MiB soft limit hoc sim and hoc check (its
# worker threads too) raise the limit and run it; under a 2 MiB hard limit
# they refuse at start with the numbers and exit 2. Before, both crashed
# (SIGSEGV) at the first event.
# usage: stack.sh HOC
set -u
HOC=${1:?usage: stack.sh HOC}
DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-stack.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
D=$DIR/deep.ho

(ulimit -S -s 1024 && exec "$HOC" sim "$D" -n 3 --events 0.5 --rounds 6) >"$tmp/sim" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^ok: every invariant" "$tmp/sim"; then ok; else
    bad "sim under a 1 MiB soft limit: exit $rc"; tail -3 "$tmp/sim"; fi

(ulimit -S -s 1024 && exec "$HOC" check "$D" -n 2 --events 2 --threads 2) >"$tmp/check" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^ok: the reachable space is exhausted" "$tmp/check"; then ok; else
    bad "check under a 1 MiB soft limit: exit $rc"; tail -3 "$tmp/check"; fi

for cmd in sim check; do
    (ulimit -S -s 1024 && ulimit -H -s 2048 && exec "$HOC" $cmd "$D" -n 2) >"$tmp/hard" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -q "Deep needs [0-9]* KiB of stack .* the hard limit is 2048 KiB" "$tmp/hard"
    then ok; else bad "$cmd under a 2 MiB hard limit: exit $rc"; tail -3 "$tmp/hard"; fi
done

echo "stack: $pass passed, $fail failed"
[ $fail -eq 0 ]
