#!/bin/sh
# hoc verify: time per obligation and per example. usage: bench/bench_verify.sh BUILD_DIR
set -u
B=${1:-build}
HOC=$B/bin/hoc
cd "$(dirname "$0")/.." || exit 2
for f in tests/verify/otr_inputs.ho examples/otr.ho examples/lastvoting.ho examples/floodmin.ho; do
    echo "== $f"
    "$HOC" verify "$f" --timeout 10 | grep -E '^  (proved|failed|unknown)|proved in'
done
