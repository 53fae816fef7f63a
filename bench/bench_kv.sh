#!/bin/sh
# bench/bench_kv.sh BUILD: hoc-kv (3 replicas on loopback) beside its peers,
# measured in the same run on the same machine: a single Redis with
# persistence off (the ceiling) and a 3-member etcd 3.4 cluster with
# --unsafe-no-fsync (memory only, like hoc-kv), driven by bench-etcd-load.
# redis-benchmark drives hoc-kv and Redis: SET, GET, INCR with 1, 16 and 256
# clients, pipelining 1 and 16, random keys among 100000, 3-byte values
# (redis-benchmark's default; etcd gets the same). Then ShardedPaxos: SET
# with 3 x 86 clients (one redis-benchmark per replica), pipelining 16,
# against 1, 2, 4 and 8 groups. Prints ops/s, p50 and p99 (ms) and the
# ratios. BENCH_QUICK=1: fewer requests.
set -u
B=${1:-build}
KV=$B/bin/hoc-kv
LOAD=$B/bin/bench-etcd-load
cd "$(dirname "$0")/.." || exit 2
for t in redis-benchmark redis-server etcd; do
    command -v $t >/dev/null || { echo "bench_kv: $t not installed (scripts/deps.sh): skipped"; exit 0; }
done
NAME=bench_kv WAIT_TRIES=200
. bench/kv_lib.sh
# requests for redis-benchmark: enough for a few seconds at each setting
requests() { # CLIENTS PIPELINE
    n=$(( $1 * $2 * 400 )); [ $n -lt 3000 ] && n=3000; [ $n -gt 400000 ] && n=400000
    [ -n "$Q" ] && n=$((n / 8))
    echo $n
}

start_kv() { # GROUPS: three replicas; client ports in kvports (a few tries: ports may be taken)
    for try in 1 2 3; do
        base=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
        : >"$tmp/peers"
        for i in 0 1 2; do echo "$i 127.0.0.1:$((base + 100 * i))" >>"$tmp/peers"; done
        kvports="" kvpids=""
        for i in 0 1 2; do
            p=$(free_port)
            "$KV" --id $i --peers "$tmp/peers" --port "$p" --groups "$1" --pipeline 8 >"$tmp/kv$i.log" 2>&1 &
            kvpids="$kvpids $!"
            kvports="$kvports $p"
        done
        pids="$pids $kvpids"
        sleep 0.3
        up=1
        for q in $kvpids; do kill -0 "$q" 2>/dev/null || up=0; done
        if [ $up = 1 ]; then
            for p in $kvports; do wait_port "$p"; done
            sleep 0.5 # the leaders settle
            return
        fi
        stop
    done
    echo "bench_kv: hoc-kv does not start:"; cat "$tmp"/kv*.log; exit 1
}

# rb PORT TEST CLIENTS PIPELINE: "ops/s p50 p99" from redis-benchmark's CSV
rb() {
    redis-benchmark -p "$1" -t "$2" -c "$3" -P "$4" -n "$(requests "$3" "$4")" -r 100000 --csv 2>/dev/null |
        awk -F'"' 'NR == 2 { printf "%.0f %s %s\n", $4, $10, $14 }'
}

row() { printf "%-8s %-6s %7s %5s %11s %9s %9s\n" "$@"; }

echo "== hoc-kv, 3 replicas on loopback, against a single Redis (the ceiling) =="
row system test clients pipe "ops/s" "p50 ms" "p99 ms"
start_kv 1
kvport=$(echo $kvports | cut -d' ' -f1)
rport=$(free_port)
redis-server --port "$rport" --save "" --appendonly no --daemonize no >"$tmp/redis.log" 2>&1 &
pids="$pids $!"
wait_port "$rport"
for t in set get incr; do
    for c in 1 16 256; do
        for p in 1 16; do
            set -- $(rb "$kvport" $t $c $p)
            row hoc-kv "$t" $c $p "$1" "$2" "$3"
            echo "kv $t $c $p $1 $2 $3" >>"$tmp/results"
            set -- $(rb "$rport" $t $c $p)
            row redis "$t" $c $p "$1" "$2" "$3"
            echo "redis $t $c $p $1 $2 $3" >>"$tmp/results"
        done
    done
done
stop

echo
echo "== etcd 3.4, 3 members on loopback, --unsafe-no-fsync (bench-etcd-load: closed loop, same value size) =="
row system test clients "" "ops/s" "p50 ms" "p99 ms"
cluster="" eps=""
for i in 0 1 2; do
    pp=$(free_port); cp=$(free_port)
    eval "pp$i=$pp cp$i=$cp"
    cluster="$cluster${cluster:+,}m$i=http://127.0.0.1:$pp"
    eps="$eps${eps:+,}127.0.0.1:$cp"
done
for i in 0 1 2; do
    eval "pp=\$pp$i cp=\$cp$i"
    etcd --name m$i --data-dir "$tmp/etcd$i" --listen-peer-urls "http://127.0.0.1:$pp" \
        --initial-advertise-peer-urls "http://127.0.0.1:$pp" --listen-client-urls "http://127.0.0.1:$cp" \
        --advertise-client-urls "http://127.0.0.1:$cp" --initial-cluster "$cluster" \
        --initial-cluster-state new --unsafe-no-fsync --log-level error >"$tmp/etcd$i.log" 2>&1 &
    pids="$pids $!"
done
for i in 0 1 2; do eval "wait_port \$cp$i"; done
sleep 2 # a leader is elected
secs=5; [ -n "$Q" ] && secs=2
for op in put range; do
    for c in 1 16 256; do
        set -- $("$LOAD" "$eps" $op $c $secs 3)
        p50=$(echo "$2 / 1000" | bc -l); p99=$(echo "$3 / 1000" | bc -l)
        row etcd $op $c "" "$1" "$(printf %.3f "$p50")" "$(printf %.3f "$p99")"
        echo "etcd $op $c 1 $1 $p50 $p99" >>"$tmp/results"
    done
done
stop

echo
echo "== ShardedPaxos: SET, 3 x 86 clients (one redis-benchmark per replica), pipelining 16 =="
printf "%-7s %11s\n" groups "ops/s"
for g in 1 2 4 8; do
    start_kv $g
    : >"$tmp/shard"
    for p in $kvports; do
        (rb "$p" set 86 16 >>"$tmp/shard") &
    done
    wait_bench=0
    while [ "$(wc -l <"$tmp/shard")" -lt 3 ] && [ $wait_bench -lt 1200 ]; do sleep 0.1; wait_bench=$((wait_bench + 1)); done
    total=$(awk '{ s += $1 } END { printf "%.0f", s }' "$tmp/shard")
    printf "%-7s %11s\n" $g "$total"
    echo "shard $g $total" >>"$tmp/results"
    stop
done

echo
echo "== ratios =="
get() { awk -v s="$1" -v t="$2" -v c="$3" -v p="$4" '$1 == s && $2 == t && $3 == c && $4 == p { print $5 }' "$tmp/results"; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && printf "%.2f" "$(echo "$1 / $2" | bc -l)" || echo "n/a"; }
for c in 1 16 256; do
    best=$(awk -v c=$c '$1 == "kv" && $2 == "set" && $3 == c && $5 > m { m = $5 } END { print m + 0 }' "$tmp/results")
    echo "clients $c: hoc-kv SET / etcd put: $(ratio "$(get kv set $c 1)" "$(get etcd put $c 1)")x unpipelined," \
        "$(ratio "$best" "$(get etcd put $c 1)")x at hoc-kv's best pipelining;" \
        "hoc-kv GET / etcd range: $(ratio "$(get kv get $c 1)" "$(get etcd range $c 1)")x"
done
for c in 1 16 256; do
    echo "clients $c, pipelining 16: hoc-kv SET / Redis SET: $(ratio "$(get kv set $c 16)" "$(get redis set $c 16)")"
done
kvbest=$(awk '$1 == "kv" && $2 == "set" && $5 > m { m = $5 } END { print m + 0 }' "$tmp/results")
etcdbest=$(awk '$1 == "etcd" && $2 == "put" && $5 > m { m = $5 } END { print m + 0 }' "$tmp/results")
redisbest=$(awk '$1 == "redis" && $2 == "set" && $4 == 16 && $5 > m { m = $5 } END { print m + 0 }' "$tmp/results")
echo "best SET: hoc-kv $kvbest, etcd $etcdbest, Redis (pipelined) $redisbest ops/s"
echo "verdicts: >= 20x etcd's throughput: $(ratio "$kvbest" "$etcdbest")x;" \
    "pipelined SET >= 1/3 of Redis: $(ratio "$kvbest" "$redisbest")"
echo "ShardedPaxos: $(awk '$1 == "shard" { printf "g=%s %s  ", $2, $3 }' "$tmp/results")"
