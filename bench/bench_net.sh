#!/bin/sh
# bench_net.sh [BUILD]: native replicas on loopback. Decided instances per
# second and median/p99 decision latency (at replica 0, from starting an
# instance to deciding it) for OTR (n = 4) and LastVoting (n = 3) with 1, 16
# and 256 instances in flight, beside a plain TCP ping-pong round trip
# measured in the same run.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOC=$BUILD/bin/hoc
CC=${CC:-cc}
TMP=$(mktemp -d /tmp/hoc-bench-net-XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

"$HOC" build "$ROOT/examples/otr.ho" -o "$TMP/otr"
"$HOC" build "$ROOT/examples/lastvoting.ho" -o "$TMP/lastvoting"
$CC -O2 -o "$TMP/pingpong" "$ROOT/bench/net_pingpong.c"

set -- $("$TMP/pingpong" 20000)
RTT=$1
echo "TCP ping-pong on loopback: median round trip ${RTT} us (p99 $2 us)"
printf '%-11s %3s %8s %9s %14s %10s %10s %12s\n' algorithm n inflight instances decisions/s p50_us p99_us p50/RTT
BASE=$(( 20000 + ($$ % 20000) ))

run() { # algo n window instances
    algo=$1 n=$2 w=$3 k=$4
    BASE=$((BASE + n + 1))
    : > "$TMP/peers"
    i=0
    while [ $i -lt "$n" ]; do echo "$i 127.0.0.1:$((BASE + i))" >> "$TMP/peers"; i=$((i + 1)); done
    PIDS=""
    i=0
    while [ $i -lt "$n" ]; do
        "$TMP/$algo" --id $i --peers "$TMP/peers" --instances "$k" --window "$w" --linger 2 --timeout 120 \
            --summary "$TMP/s$i" &
        PIDS="$PIDS $!"
        i=$((i + 1))
    done
    for p in $PIDS; do wait "$p" || echo "replica exited $?"; done
    PIDS=""
    python3 - "$TMP/s0" "$algo" "$n" "$w" "$k" "$RTT" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
rtt = float(sys.argv[6])
print("%-11s %3s %8s %9s %14.0f %10d %10d %12.1f" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
      s["decisions_per_s"], s["p50_us"], s["p99_us"], s["p50_us"] / rtt))
PY
}

for w in 1 16 256; do
    case $w in 1) k=2000 ;; 16) k=20000 ;; *) k=100000 ;; esac
    run otr 4 $w $k
done
for w in 1 16 256; do
    case $w in 1) k=2000 ;; 16) k=20000 ;; *) k=100000 ;; esac
    run lastvoting 3 $w $k
done
echo "OTR decides in 2 rounds here (inputs (instance + id) % 2), LastVoting in 4 (one phase)."
