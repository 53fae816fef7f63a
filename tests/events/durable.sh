#!/bin/sh
# durable var under the drivers (tests/events/durable.ho): hoc check exhausts
# it with bump events and a replacement (the durable variable is kept and the
# replaced block reads it; the others start again from init); the same file
# with `durable` dropped is caught on `kept` in a trace that shows the
# replacement, and hoc sim --replay reproduces it.
# usage: durable.sh HOC
set -u
HOC=${1:?usage: durable.sh HOC}
DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-durable.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
D=$DIR/durable.ho

"$HOC" check "$D" -n 2 --events 3 --replace 2 >"$tmp/ok" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^ok: the reachable space is exhausted" "$tmp/ok"; then ok; else
    bad "durable.ho: check exit $rc"; tail -5 "$tmp/ok"; fi

sed 's/^  durable var epoch/  var epoch/' "$D" >"$tmp/forget.ho"
if cmp -s "$D" "$tmp/forget.ho"; then bad "the durable declaration was not found"; else
    "$HOC" check "$tmp/forget.ho" -n 2 --events 3 --replace 2 --trace "$tmp/f.json" >"$tmp/f" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^VIOLATED: invariant kept " "$tmp/f" && grep -q " replaced " "$tmp/f"; then
        ok; else bad "without durable: check exit $rc"; head -12 "$tmp/f"; fi
    "$HOC" sim "$tmp/forget.ho" --replay "$tmp/f.json" >"$tmp/r" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "VIOLATED: invariant kept .*(as in the trace)" "$tmp/r"; then ok; else
        bad "without durable: replay exit $rc"; cat "$tmp/r"; fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -eq 3 ]
