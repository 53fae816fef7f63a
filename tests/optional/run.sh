#!/bin/sh
# optional-semantics: a left-out optional field means what sending its zero
# means, to every tool (docs/language.md, "Optional fields"). optional.ho
# and optional_zero.ho (the same program sending zeros) must give the same
# runs under hoc sim (outputs of every process, drops and a crash, several
# seeds) and the same states and transitions under hoc check; hoc verify
# must prove verify.ho, whose invariant holds only because a left-out field
# reads as zero, and refute it once the field is sent as 7.
# usage: run.sh HOC
set -u
HOC=${1:?usage: run.sh HOC}
DIR=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hoc-optional.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail=0
for seed in 1 2 3 4 5; do
    for f in optional optional_zero; do
        "$HOC" sim "$DIR/$f.ho" -n 5 --rounds 40 --drop 0.3 --crash 1 --seed $seed --json \
            >"$tmp/$f.json" || { echo "FAIL: hoc sim $f seed $seed"; fail=1; }
    done
    python3 - "$tmp/optional.json" "$tmp/optional_zero.json" <<'PY' || fail=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
outs = sum(len(p["outputs"]) for p in a["processes"])
if a["verdict"] != "ok" or a["processes"] != b["processes"] or outs < 100:
    sys.exit("FAIL: hoc sim runs differ (or too few outputs: %d)" % outs)
PY
done
for f in optional optional_zero; do
    "$HOC" check "$DIR/$f.ho" -n 3 --depth 3 --threads 1 --json --quiet >"$tmp/$f.check" ||
        [ $? -eq 3 ] || { echo "FAIL: hoc check $f"; fail=1; }
    grep "^{" "$tmp/$f.check" | sed -e 's/.*"states": \([0-9]*\), "transitions": \([0-9]*\).*/\1 \2/' >"$tmp/$f.counts"
done
[ -s "$tmp/optional.counts" ] && cmp -s "$tmp/optional.counts" "$tmp/optional_zero.counts" ||
    { echo "FAIL: hoc check: $(cat "$tmp/optional.counts") against $(cat "$tmp/optional_zero.counts")"; fail=1; }
"$HOC" verify "$DIR/verify.ho" >"$tmp/v1" 2>&1 && grep -q "2 of 2 proved" "$tmp/v1" ||
    { echo "FAIL: hoc verify verify.ho"; cat "$tmp/v1"; fail=1; }
sed -e 's/x == 1 ? 7 : _/7/' "$DIR/verify.ho" >"$tmp/sent.ho"
if "$HOC" verify "$tmp/sent.ho" >"$tmp/v2" 2>&1 || ! grep -q "1 of 2 proved" "$tmp/v2"; then
    echo "FAIL: hoc verify proved verify.ho with w sent as 7"; cat "$tmp/v2"; fail=1
fi
[ $fail -eq 0 ] && echo "optional-semantics: ok ($(cat "$tmp/optional.counts") states and transitions)"
exit $fail
