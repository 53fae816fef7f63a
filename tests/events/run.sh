#!/bin/sh
# Bytes event arguments under the drivers (tests/events/breg.ho: a register
# whose write event carries the block, bytes[4] in 1..3):
#   - hoc check exhausts the correct register and catches a seeded bug that
#     only the block [2,0,0,0] triggers (a write that keeps the version when
#     its first byte is 2), with write(2) in the trace;
#   - hoc sim --replay of that trace reproduces the violation; the same trace
#     with the value changed diverges, and with a value outside the range is
#     refused: the value in the trace is what the replay hands the handler;
#   - hoc sim --events draws writes: clean on the register, caught on the bug;
#   - without a range a bytes argument ranges over --values like an int;
#   - hoc sim prints a bytes output whole, in its text and its JSON;
#   - hoc verify still reports an algorithm with events as unsupported;
#   - durable var (tests/events/durable.ho): hoc check exhausts it with bump
#     events and replacements (the durable variable is kept, the replaced block
#     reads it, the others start again from init); without `durable` it is
#     caught on `kept` in a trace that shows the replacement, which replays.
# usage: run.sh HOC
set -u
HOC=${1:?usage: run.sh HOC}
DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-events.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
B=$DIR/breg.ho

# mutate FROM TO IN OUT: sed s|FROM|TO| that must change something
mutate() {
    sed "s|$1|$2|" "$3" >"$4"
    if cmp -s "$3" "$4"; then bad "mutant $4: '$1' not found"; return 1; fi
}

"$HOC" check "$B" -n 3 --events 2 >"$tmp/ok" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^ok: the reachable space is exhausted" "$tmp/ok"; then ok; else
    bad "breg.ho: check exit $rc"; tail -5 "$tmp/ok"; fi

M=$tmp/reuse.ho
if mutate "      ver = ver + 1;" "      if (v[0] != 2) { ver = ver + 1; }" "$B" "$M"; then
    "$HOC" check "$M" -n 3 --events 2 --trace "$tmp/reuse.json" >"$tmp/m" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^VIOLATED: invariant one_block " "$tmp/m" &&
        grep -q " write(2)" "$tmp/m" && grep -q '"env": \[\[0, \[0, 2\]\]' "$tmp/reuse.json"; then
        ok
    else
        bad "reuse: check exit $rc"; head -12 "$tmp/m"
    fi
    "$HOC" sim "$M" --replay "$tmp/reuse.json" >"$tmp/r" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "VIOLATED: invariant one_block .*(as in the trace)" "$tmp/r"; then ok; else
        bad "reuse: replay exit $rc"; cat "$tmp/r"; fi
    sed 's/\[0, 2\]/[0, 1]/' "$tmp/reuse.json" >"$tmp/one.json"
    "$HOC" sim "$M" --replay "$tmp/one.json" >"$tmp/r1" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -q "DIVERGED: round 0, p0" "$tmp/r1"; then ok; else
        bad "reuse: replay of write(1) exit $rc"; cat "$tmp/r1"; fi
    sed 's/\[0, 2\]/[0, 3]/' "$tmp/reuse.json" >"$tmp/out.json"
    "$HOC" sim "$M" --replay "$tmp/out.json" >"$tmp/r3" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -q "does not fit the algorithm's events" "$tmp/r3"; then ok; else
        bad "reuse: replay of write(3), outside 1..3, exit $rc"; cat "$tmp/r3"; fi
    "$HOC" sim "$M" -n 3 --events 0.5 --rounds 50 >"$tmp/s" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^VIOLATED: invariant one_block" "$tmp/s"; then ok; else
        bad "reuse: sim exit $rc"; tail -3 "$tmp/s"; fi
fi

"$HOC" sim "$B" -n 3 --events 0.5 --rounds 50 >"$tmp/s0" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^p0: wrote(0x0[12]) in round" "$tmp/s0"; then ok; else
    bad "breg.ho: sim exit $rc"; cat "$tmp/s0"; fi

# no range: 0..--values-1, like an int; the bug needs the value 2
U=$tmp/norange.ho
if mutate "v: bytes\[K\] in 1..3" "v: bytes[K]" "$M" "$U"; then
    "$HOC" check "$U" -n 2 --events 2 >"$tmp/u2" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then ok; else bad "no range, --values 2: exit $rc"; tail -3 "$tmp/u2"; fi
    "$HOC" check "$U" -n 2 --events 2 --values 3 >"$tmp/u3" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q " write(2)" "$tmp/u3"; then ok; else
        bad "no range, --values 3: exit $rc"; tail -3 "$tmp/u3"; fi
fi

# a bytes output is printed whole (it printed its first byte and ".."),
# in the text and as a JSON string
cat >"$tmp/bout.ho" <<'EOF'
const K = 4;
algorithm BOut {
  output got(bytes[K]);
  var b: bytes[K];
  var done: int = 0;
  round msg (v: int) {
    send { broadcast (1); }
    update {
      if (done == 0) { b[0] = 1; b[1] = 2; b[2] = 3; got(b); done = 1; }
    }
  }
}
EOF
"$HOC" sim "$tmp/bout.ho" -n 2 --rounds 2 >"$tmp/bo" 2>&1 &&
    "$HOC" sim "$tmp/bout.ho" -n 2 --rounds 2 --json >"$tmp/bo.json" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^p1: got(0x010203) in round 0$" "$tmp/bo" &&
    python3 -c 'import json,sys; o=json.load(open(sys.argv[1]))["processes"][1]["outputs"]; sys.exit(o[0]["value"] != "0x010203")' "$tmp/bo.json"; then
    ok; else bad "bytes output: exit $rc"; cat "$tmp/bo" "$tmp/bo.json"; fi

"$HOC" verify "$B" >"$tmp/v" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "events and replaced blocks are not supported by the verifier" "$tmp/v" &&
    ! grep -q "  proved " "$tmp/v"; then ok; else
    bad "verify: exit $rc"; head -5 "$tmp/v"; fi

D=$DIR/durable.ho
"$HOC" check "$D" -n 2 --events 3 --replace 2 >"$tmp/dok" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "^ok: the reachable space is exhausted" "$tmp/dok"; then ok; else
    bad "durable.ho: check exit $rc"; tail -5 "$tmp/dok"; fi
if mutate "^  durable var epoch" "  var epoch" "$D" "$tmp/forget.ho"; then
    "$HOC" check "$tmp/forget.ho" -n 2 --events 3 --replace 2 --trace "$tmp/f.json" >"$tmp/f" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "^VIOLATED: invariant kept " "$tmp/f" && grep -q " replaced " "$tmp/f"; then
        ok; else bad "without durable: check exit $rc"; head -12 "$tmp/f"; fi
    "$HOC" sim "$tmp/forget.ho" --replay "$tmp/f.json" >"$tmp/fr" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -q "VIOLATED: invariant kept .*(as in the trace)" "$tmp/fr"; then ok; else
        bad "without durable: replay exit $rc"; cat "$tmp/fr"; fi
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -eq 14 ]
