#!/bin/sh
# The long exhaustive runs that do not belong in ctest (docs/amalgam.md,
# docs/checker.md): Amalgam in larger configurations than ctest's (a
# witness per stripe, rotating or not (rot = 0: the deployment's layout);
# two parity rows per stripe, with and without a witness; two ops without a replacement), its single-block no_gap_trimming mutant (two ops and a
# replacement: a gap of op numbers), two ops and a replacement bounded by
# time (not exhaustible in minutes), two replacements in the thesis' fault
# model (--prune beyond_f: g = 1 with two backups; g = 2; g = 2 and f = 2,
# where two replacements never leave it, every spec held), Amalgam with 2-byte blocks
# that carry (two ops; two ops and a replacement), LastVoting at n = 4 with every spec,
# and LastVoting at n = 5 with locked stated without its history ghost
# (tests/check/spec/locked_now.ho): 20 minutes, or to the end with
# BENCH_N5_FULL=1 (1.26 * 10^9 states, about an hour and 10 GB; with dph
# some 10^11; docs/checker.md, "LastVoting at n = 5").
# Figures, not pass/fail; each line is hoc check's JSON summary (states,
# seconds, bytes_per_state, mem_peak_mb, ...).
# usage: bench/bench_check.sh [BUILD_DIR] [THREADS]
set -u
B=${1:-build}
T=${2:-2}
HOC=$B/bin/hoc
cd "$(dirname "$0")/.." || exit 2
A=services/amalgam/amalgam.ho
amalgam() {
    G=${7:-2}
    echo "== Amalgam g=$G f=$2 nw=$3 sw=$4 rot=$5 $6 ($1)"
    "$HOC" check "$1" -n $((G + $2 + $3 + 1)) --param "g=$G" --param "f=$2" --param "nw=$3" \
        --param "sw=$4" --param "rot=$5" --threads "$T" --quiet --json $6 | tail -1
}
amalgam $A 1 1 1 1 "--events 1 --replace 1"
amalgam $A 1 1 1 0 "--events 1 --replace 1"
amalgam $A 2 0 0 1 "--events 1 --replace 1"
amalgam $A 1 1 0 1 "--events 2"
# f = 2 with a witness per stripe, the deployment's layout (about a minute, 1.3 GB;
# docs/amalgam.md, "f = 2 with a witness")
amalgam $A 2 1 1 0 "--events 1 --replace 1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/amalgam/mutate.py $A no_gap_trimming_1block "$tmp/ngt.ho" &&
    amalgam "$tmp/ngt.ho" 1 1 0 1 "--events 2 --replace 1"
amalgam $A 1 1 0 1 "--events 2 --replace 1 --time 600"
amalgam $A 1 1 0 1 "--events 1 --replace 2 --prune beyond_f" 1
amalgam $A 1 1 0 1 "--events 1 --replace 2 --prune beyond_f --time 600"
# f = 2, every spec: the reconfiguration service's replacement resumes from its
# decisions (docs/amalgam.md, "Two replacements"; about 2 minutes, 1 GB)
amalgam $A 2 0 0 1 "--events 1 --replace 2 --prune beyond_f --time 600"
# carries: 2-byte blocks -1 and 0 (tests/amalgam/run.sh runs g = 1, two ops): two ops
# with g = 2, and two ops and a replacement with g = 1 (docs/amalgam.md, "Checking it")
sed 's/^const EC_BLOCK = 1; /const EC_BLOCK = 2; /; s/^const VLO = 0; /const VLO = -1;/; s/^const VALS = 2; /const VALS = 1; /' \
    $A >"$tmp/carry.ho"
amalgam "$tmp/carry.ho" 1 1 0 1 "--events 2"
amalgam "$tmp/carry.ho" 1 0 0 1 "--events 2 --replace 1" 1
echo "== LastVoting n=4, every spec (locked and its ghost dph included) =="
"$HOC" check examples/lastvoting.ho -n 4 --depth 200 --threads "$T" --quiet --json | tail -1
if [ -n "${BENCH_N5_FULL:-}" ]; then n5time="" n5what="to the end"; else
    n5time="--time 1200" n5what="20 minutes (a bound, not exhausted; BENCH_N5_FULL=1 for all of it)"; fi
echo "== LastVoting n=5, locked_now in place of locked (no ghost dph), $n5what =="
# shellcheck disable=SC2086
python3 scripts/splice_spec.py examples/lastvoting.ho tests/check/spec/locked_now.ho "$tmp/lvnow.ho" &&
    "$HOC" check "$tmp/lvnow.ho" -n 5 --depth 1000 --threads "$T" $n5time --mem 15500 --skip locked \
        --quiet --json | tail -1
