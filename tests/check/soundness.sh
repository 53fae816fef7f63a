#!/bin/sh
# hoc check keeps its promises (issue 13):
# - symmetry reduction is sound for the rounds and for the specs (class 7):
#   every class-7 program of tests/verify/unsound/ is caught with the
#   default options (exit 1, with a trace that hoc sim --replay reproduces),
#   the summary says why the reduction was not applied, and the examples
#   keep it where it is sound;
# - assumptions that are not upward closed in the heard-of sets are enforced
#   on every heard-of set;
# - traces show arrays element by element, in the text and the JSON, and
#   hoc sim --replay compares them (and still reads traces without them);
# - --time is kept inside one huge expansion, --inductive and walks; a long
#   run prints a status line (--status S), --quiet none;
# - an event range or oracle bits too many to enumerate are refused, never
#   cut silently; a cut of the events' bounds is reported;
# - a trace lists every guide of its search (8 goals and a prune); a prune
#   that held states in qualifies the verdict.
# usage: soundness.sh HOC SOURCE_DIR
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

# arrays in traces: printed, in the JSON, compared on replay; old traces replay
f=tests/check/arrays.ho
"$HOC" check "$SRC/$f" -n 3 --quiet --trace "$tmp/a.json" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q "got=\[true, true, true\] small=\[3, 1\]" "$tmp/out" &&
    grep -q '"got": \[true, true, true\], "small": \[3, 1\]' "$tmp/a.json"; then ok; else bad "$f: arrays"; cat "$tmp/out"; fi
"$HOC" sim "$SRC/$f" --replay "$tmp/a.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && ok || { bad "$f: replay"; cat "$tmp/out"; }
sed 's/"got": \[true, true, true\]/"got": [true, false, true]/' "$tmp/a.json" >"$tmp/a_bad.json"
"$HOC" sim "$SRC/$f" --replay "$tmp/a_bad.json" >"$tmp/out" 2>&1
if [ $? -eq 2 ] && grep -q "^DIVERGED: round 0, p[0-9], got\[1\]: the trace says false, the replay has true" "$tmp/out"; then ok; else bad "$f: a changed array replays"; cat "$tmp/out"; fi
sed 's/, "got": \[[a-z, ]*\], "small": \[[0-9, ]*\]//g' "$tmp/a.json" >"$tmp/a_old.json"
grep -q '"got"' "$tmp/a_old.json" && bad "$f: old trace still has arrays"
"$HOC" sim "$SRC/$f" --replay "$tmp/a_old.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && ok || { bad "$f: a trace without arrays"; cat "$tmp/out"; }

# expect RC PATTERN WHAT CMD...: CMD exits RC and, PATTERN given, says it
expect() {
    want=$1 pat=$2 what=$3
    shift 3
    "$@" >"$tmp/out" 2>&1
    rc=$?
    if [ $rc -eq "$want" ] && { [ -z "$pat" ] || grep -q -- "$pat" "$tmp/out"; }; then ok; else
        bad "$what: exit $rc, expected $want${pat:+ saying $pat}"
        cat "$tmp/out"
    fi
}

# an event range wider than 2^63 values: refused, never "ok" with no event
# explored (hi - lo overflowed), while hoc sim's first event breaks the spec
f=tests/check/event_range_wrap.ho
expect 2 "more than 65536 argument values" "$f: check" "$HOC" check "$SRC/$f" -n 2 --quiet
expect 1 "" "$f: sim pokes" "$HOC" sim "$SRC/$f" -n 2 --events 1 --rounds 2 --seed 1

# a declared range that is empty: refused by check and sim alike, never read
# as "no range" (check offered --values, sim 0..1, a service any value)
f=tests/check/event_empty.ho
empty="argument k of event none has an empty range"
expect 2 "$empty" "$f: check" "$HOC" check "$SRC/$f" -n 2 --quiet
expect 2 "$empty" "$f: sim" "$HOC" sim "$SRC/$f" -n 2 --events 1 --rounds 2 --seed 1
sed 's/in n\.\.2/in 0..2/' "$SRC/$f" >"$tmp/e1.ho"
expect 2 "argument p of event other has an empty range at these parameters (0..0" "$f: sim at n = 1" \
    "$HOC" sim "$tmp/e1.ho" -n 1 --events 1 --rounds 2 --seed 1
expect 1 "" "$f: sim with ranges that are not empty" "$HOC" sim "$tmp/e1.ho" -n 2 --events 1 --rounds 2 --seed 1

# 64 oracles: refused, never "ok" with only the all-false bits explored
# (1 << 64 wrapped), while hoc sim breaks the spec in its first round
f=tests/check/oracles64.ho
expect 2 "64 oracles: the 2^64 combinations" "$f: check" "$HOC" check "$SRC/$f" -n 1 --quiet
expect 1 "" "$f: sim breaks it" "$HOC" sim "$SRC/$f" -n 1 --rounds 8 --seed 1

# events: a sequence as long as the bounds allow that one more event would
# move is a cut ("bound reached"), even where no later boundary finds the
# budget spent; the five events that break it replay. One that would not
# move the state (an idempotent event) is no cut: "never reached"
f=tests/check/event_burst.ho
"$HOC" check "$SRC/$f" -n 1 --events 8 --quiet >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q "; bound reached: " "$tmp/out" &&
    grep -q "^ok: the reachable space is exhausted within the environment's bounds" "$tmp/out"; then ok; else
    bad "$f: the cut is not reported"; cat "$tmp/out"; fi
"$HOC" sim "$SRC/$f" --replay "$SRC/tests/check/event_burst.json" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "VIOLATED: invariant no_hit" "$tmp/out" && ok || { bad "$f: replay"; cat "$tmp/out"; }
f=tests/check/event_idem.ho
"$HOC" check "$SRC/$f" -n 1 --events 8 --quiet >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q "; never reached" "$tmp/out" &&
    grep -q "^ok: the reachable space is exhausted; every" "$tmp/out"; then ok; else
    bad "$f: a cut reported"; cat "$tmp/out"; fi

# eight goals and a prune: the trace lists all nine guides, so the replay
# checks none of them (the prune, an invariant, is false everywhere)
f=tests/check/guides9.ho
"$HOC" check "$SRC/$f" -n 1 --quiet --goal g1 --goal g2 --goal g3 --goal g4 --goal g5 --goal g6 \
    --goal g7 --goal g8 --prune low --trace "$tmp/g.json" >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q '"g8", "low"\]' "$tmp/g.json" && ok || { bad "$f: guides"; cat "$tmp/out"; }
"$HOC" sim "$SRC/$f" --replay "$tmp/g.json" >"$tmp/out" 2>&1
[ $? -eq 0 ] && ok || { bad "$f: replay"; cat "$tmp/out"; }

# a prune that held states in says so in the verdict, ok or not found; the
# violation and the goal beyond it are real (the search without it)
f=tests/check/prune_cut.ho
"$HOC" check "$SRC/$f" -n 1 --quiet --prune two --json >"$tmp/out" 2>&1
if [ $? -eq 0 ] && grep -q "^ok: the reachable space is exhausted up to the 1 state where prune two holds (not expanded); every" "$tmp/out" &&
    grep -q '"pruned": 1}' "$tmp/out"; then ok; else bad "$f: ok"; cat "$tmp/out"; fi
"$HOC" check "$SRC/$f" -n 1 --quiet --prune two --goal five --json >"$tmp/out" 2>&1
# (the JSON verdict of a goal not found said "ok" while the exit said 1)
if [ $? -eq 1 ] && grep -q "^not found: the reachable space is exhausted up to the 1 state where prune two holds (not expanded) without" "$tmp/out" &&
    grep -q '"verdict": "not_found"' "$tmp/out"; then ok; else
    bad "$f: not found"; cat "$tmp/out"; fi
"$HOC" check "$SRC/$f" -n 1 --quiet >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "^VIOLATED: invariant below" "$tmp/out" && ok || { bad "$f: no violation"; cat "$tmp/out"; }

# bounds: --time stops inside a 12^12-successor expansion, --inductive and
# walks; a status line every --status seconds, none with --quiet
f=tests/check/fanout.ho
for mode in "" --inductive "--walks 1000 --depth 5"; do
    start=$(date +%s)
    # shellcheck disable=SC2086
    timeout 60 "$HOC" check "$SRC/$f" -n 12 --time 2 --status 1 --threads 1 $mode >"$tmp/out" 2>"$tmp/err"
    rc=$? took=$(($(date +%s) - start))
    if [ $rc -eq 3 ] && [ $took -le 20 ] && grep -q "time limit" "$tmp/out" && grep -q "^hoc check: 1 s, " "$tmp/err"; then ok; else
        bad "$f $mode: exit $rc after $took s"; cat "$tmp/out" "$tmp/err"; fi
done
"$HOC" check "$SRC/$f" -n 12 --time 2 --status 1 --threads 1 --quiet >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] && [ ! -s "$tmp/err" ] && ok || { bad "$f --quiet: stderr not empty"; cat "$tmp/err"; }

echo "soundness: $pass passed, $fail failed"
[ $fail -eq 0 ]
