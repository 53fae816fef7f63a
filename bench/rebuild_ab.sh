#!/bin/bash
# rebuild_ab.sh BUILD_A BUILD_B: the rebuild of machine 4, A then B, back to
# back under the bench lock (docs/amalgam-performance.md, "The rebuild's
# congestion, per instance"); from the lead's storm A/B script.
# LOOPS busy loops of its own beside them (0: none), STRIPES, PAIRS; the
# logs in OUT. Prints each run's rebuild lines, the load and the window.
set -u
here=$(cd "$(dirname "$0")" && pwd)
LOOPS=${LOOPS:-4} STRIPES=${STRIPES:-1280} PAIRS=${PAIRS:-1} OUT=${OUT:-/tmp/rebuild_ab}
mkdir -p "$OUT"
pids=""
for _ in $(seq 1 "$LOOPS"); do sh -c 'while :; do :; done' & pids="$pids $!"; done
trap '[ -n "$pids" ] && kill $pids 2>/dev/null' EXIT
[ "$LOOPS" -gt 0 ] && sleep 5
for pair in $(seq 1 "$PAIRS"); do
    for b in "$@"; do
        name=$(basename "$(dirname "$b")")_$(basename "$b")
        log="$OUT/${name}_s${STRIPES}_l${LOOPS}_$pair.log"
        echo "=== $b pair $pair stripes $STRIPES loops $LOOPS $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
        flock /tmp/hoc-bench.lock env BENCH_SIZES=" " BENCH_REBUILD_STRIPES="$STRIPES" \
            BENCH_REBUILD_NB=1 BENCH_REBUILD_WAIT=60 "$here/bench_amalgam.sh" "$b" --quick >"$log" 2>&1
        grep -E "rebuild of machine|per instance|rebuild window" "$log" | cut -c1-330
    done
done
