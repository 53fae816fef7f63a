#!/bin/sh
# make bench: figures, not pass/fail. usage: bench/run.sh BUILD_DIR
set -u
B=${1:-build}
HOC=$B/bin/hoc
cd "$(dirname "$0")/.." || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }

echo "== hoc compile: time per example (parse, check, generate C; best of 5) =="
printf "%-22s %10s %12s\n" example "hoc (ms)" "+ cc -O2 (ms)"
for f in examples/*.ho; do
    best=999999 bestcc=999999
    for i in 1 2 3 4 5; do
        t0=$(now); "$HOC" compile "$f" -o "$tmp/c" >"$tmp/list" || exit 1; t1=$(now)
        for c in $(cat "$tmp/list"); do cc -std=c11 -O2 -Iruntime -c "$c" -o "$tmp/o.o" 2>/dev/null; done; t2=$(now)
        ms=$(echo "($t1 - $t0) * 1000" | bc -l); mscc=$(echo "($t2 - $t0) * 1000" | bc -l)
        best=$(echo "if ($ms < $best) $ms else $best" | bc -l); bestcc=$(echo "if ($mscc < $bestcc) $mscc else $bestcc" | bc -l)
    done
    printf "%-22s %10.1f %12.1f\n" "$(basename "$f")" "$best" "$bestcc"
done

echo
echo "== hoc sim: lockstep rounds per second (OTR, spec checked every round) =="
printf "%-6s %10s %10s %14s\n" n rounds seconds "rounds/s"
for cfg in "4 200000" "64 5000"; do
    set -- $cfg
    out=$("$HOC" sim examples/otr.ho -n "$1" --rounds "$2" --drop 0.1 --json) || { echo "sim failed"; exit 1; }
    secs=$(echo "$out" | sed 's/.*"seconds": \([0-9.]*\).*/\1/')
    printf "%-6s %10s %10.3f %14.0f\n" "$1" "$2" "$secs" "$(echo "$2 / $secs" | bc -l)"
done

echo
echo "== hoc check: exhaustive exploration (both cores; benign faults) =="
printf "%-12s %-3s %-7s %-10s %12s %14s %10s %9s\n" example n values verdict states transitions seconds states/s
check() {
    f=$1 n=$2 v=$3
    shift 3
    out=$("$HOC" check "examples/$f.ho" -n "$n" --values "$v" --quiet --json "$@" | tail -1)
    get() { echo "$out" | sed "s/.*\"$1\": \([^,}]*\).*/\1/"; }
    secs=$(get seconds)
    printf "%-12s %-3s %-7s %-10s %12s %14s %10.3f %9.0f\n" "$f" "$n" "$v" "$(get verdict | tr -d '"')" "$(get states)" \
        "$(get transitions)" "$secs" "$(echo "$(get states) / ($secs + 0.000001)" | bc -l)"
}
for n in 4 5 6; do for v in 2 3; do check otr $n $v; done; done
check otr 6 3 --no-symmetry
check lastvoting 3 2
# at n = 4 the ghost dph (the decision's phase, read only by invariant locked)
# makes the space too large to store: locked is skipped and dph left out
check lastvoting 4 2 --skip locked
echo "(lastvoting n=4: --skip locked, so ghost dph is not tracked; every other spec is checked)"
check benor 3 2
check benor 4 2

echo
echo "== replica transport: read and write paths on loopback (bench-net-readpath) =="
"$B/bin/bench-net-readpath" ${BENCH_QUICK:+32} || exit 1

echo
echo "== native replicas on loopback (hoc build) =="
./bench/bench_net.sh "$B"

echo
echo "== hoc-kv: the replicated store against etcd and Redis (bench/bench_kv.sh) =="
./bench/bench_kv.sh "$B"
echo
echo "== hoc-kv durable (write-ahead log) against etcd with fsync (bench/bench_kv_durable.sh) =="
./bench/bench_kv_durable.sh "$B"

echo
echo "== Amalgam beside ShardedPaxos (bench/bench_amalgam.sh) =="
./bench/bench_amalgam.sh "$B"

echo
echo "== hoc verify: time per obligation =="
./bench/bench_verify.sh "$B"

echo
echo "== Amalgam's rebuild, bytes alone: the ceiling without the protocol (bench-rebuild-ceiling) =="
"$B/bin/bench-rebuild-ceiling" ${BENCH_QUICK:+--quick} || exit 1

if [ -x "$B/bin/bench-ec" ]; then
    echo
    echo "== erasure coding (bench-ec) =="
    "$B/bin/bench-ec" ${BENCH_QUICK:+--quick}
fi
