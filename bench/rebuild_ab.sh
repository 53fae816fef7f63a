#!/bin/bash
# rebuild_ab.sh BUILD...: the rebuild of machine 4 with each build in turn,
# back to back, PAIRS times (docs/amalgam-performance.md, "The rebuild
# window's signal, per instance"); from the lead's storm A/B script.
# LOOPS busy loops of its own beside them (0: none), STRIPES; the logs in
# OUT. The bench lock is held for each round of builds, and the loops run
# only while it is, so they load no one else's measurement. Prints each
# run's rebuild lines (rate, counters, machine 4's window and cuts).
set -u
here=$(cd "$(dirname "$0")" && pwd)
LOOPS=${LOOPS:-4} STRIPES=${STRIPES:-1280} PAIRS=${PAIRS:-1} OUT=${OUT:-/tmp/rebuild_ab}
mkdir -p "$OUT"
if [ -z "${REBUILD_AB_LOCKED:-}" ]; then
    for pair in $(seq 1 "$PAIRS"); do
        REBUILD_AB_LOCKED=$pair flock /tmp/hoc-bench.lock "$0" "$@"
    done
    exit
fi
pids=""
for _ in $(seq 1 "$LOOPS"); do sh -c 'while :; do :; done' & pids="$pids $!"; done
trap '[ -n "$pids" ] && kill $pids 2>/dev/null' EXIT
[ "$LOOPS" -gt 0 ] && sleep 5
pair=$REBUILD_AB_LOCKED
for b in "$@"; do
    name=$(basename "$(dirname "$b")")_$(basename "$b")
    log="$OUT/${name}_s${STRIPES}_l${LOOPS}_$pair.log"
    echo "=== $b pair $pair stripes $STRIPES loops $LOOPS $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    env BENCH_SIZES=" " BENCH_REBUILD_STRIPES="$STRIPES" BENCH_REBUILD_NB=1 BENCH_REBUILD_WAIT=60 \
        "$here/bench_amalgam.sh" "$b" --quick >"$log" 2>&1
    grep -E "rebuild of machine|per instance|rebuild window" "$log" | cut -c1-330
done
