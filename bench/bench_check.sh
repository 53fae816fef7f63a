#!/bin/sh
# The long exhaustive runs that do not belong in ctest (docs/amalgam.md,
# docs/checker.md): Amalgam with two ops and one replacement, and LastVoting
# at n = 4 with every spec. Figures, not pass/fail; each line is hoc check's
# JSON summary (states, seconds, bytes_per_state, mem_peak_mb, ...).
# usage: bench/bench_check.sh [BUILD_DIR] [THREADS]
set -u
B=${1:-build}
T=${2:-2}
HOC=$B/bin/hoc
cd "$(dirname "$0")/.." || exit 2
echo "== Amalgam g=2 f=1 nw=1, --events 2 --replace 1 =="
"$HOC" check services/amalgam/amalgam.ho -n 5 --param g=2 --param f=1 --param nw=1 \
    --events 2 --replace 1 --threads "$T" --quiet --json | tail -1
echo "== LastVoting n=4, every spec (locked and its ghost dph included) =="
"$HOC" check examples/lastvoting.ho -n 4 --depth 200 --threads "$T" --quiet --json | tail -1
