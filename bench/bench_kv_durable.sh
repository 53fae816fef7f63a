#!/bin/sh
# bench/bench_kv_durable.sh BUILD: hoc-kv with its write-ahead log on disk
# (--fsync batch and always) against a 3-member etcd 3.4 cluster with its
# default fsync on (no --unsafe-no-fsync), same machine, same run, same
# 3-byte values, both on the same file system ($TMPDIR). hoc-kv is driven by
# redis-benchmark (SET, 16 and 256 clients, pipelining 1 and 16), etcd by
# bench-etcd-load (put, closed loop, one request in flight per connection).
# Then the recovery time of a replica: the batch cluster is killed with
# kill -9 and replica 0 restarts from its log (its own log line says how
# long replay took and over how many bytes), after 1 KB values have grown
# the state to about 100 MB. hoc-kv runs with --pipeline 32 (KV_PIPELINE):
# with a sync per loop iteration, more slots in flight share each one.
# BENCH_QUICK=1: fewer requests.
set -u
B=${1:-build}
KV=$B/bin/hoc-kv
LOAD=$B/bin/bench-etcd-load
cd "$(dirname "$0")/.." || exit 2
for t in redis-benchmark etcd; do
    command -v $t >/dev/null || { echo "bench_kv_durable: $t not installed (scripts/deps.sh): skipped"; exit 0; }
done
NAME=bench_kv_durable WAIT_TRIES=400
. bench/kv_lib.sh
requests() { n=$(( $1 * $2 * 200 )); [ $n -lt 3000 ] && n=3000; [ $n -gt 200000 ] && n=200000
    [ -n "$Q" ] && n=$((n / 8)); echo $n; }
rb() {
    redis-benchmark -p "$1" -t set -c "$2" -P "$3" -n "$(requests "$2" "$3")" -r 100000 --csv 2>/dev/null |
        awk -F'"' 'NR == 2 { printf "%.0f %s %s\n", $4, $10, $14 }'
}
row() { printf "%-22s %7s %5s %11s %9s %9s\n" "$@"; }

start_kv() { # MODE DATA: three replicas, client ports in kvports
    mkdir -p "$2"
    base=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
    : >"$tmp/peers"
    for i in 0 1 2; do echo "$i 127.0.0.1:$((base + 100 * i))" >>"$tmp/peers"; done
    kvports="" kvpids=""
    for i in 0 1 2; do
        p=$(free_port)
        "$KV" --id $i --peers "$tmp/peers" --port "$p" --data "$2/d$i" --fsync "$1" --pipeline "${KV_PIPELINE:-32}" ${KV_EXTRA:-} --log warn \
            >"$tmp/kv$i.log" 2>&1 &
        kvpids="$kvpids $!" kvports="$kvports $p"
    done
    pids="$pids $kvpids"
    sleep 0.3
    for q in $kvpids; do
        kill -0 "$q" 2>/dev/null || { echo "bench_kv_durable: hoc-kv does not start:"; cat "$tmp"/kv*.log; exit 1; }
    done
    for p in $kvports; do wait_port "$p"; done
    sleep 0.5
}

echo "== hoc-kv, 3 replicas, write-ahead log in $tmp, SET =="
row system clients pipe "ops/s" "p50 ms" "p99 ms"
for mode in batch always; do
    start_kv $mode "$tmp/kv-$mode"
    kvport=$(echo $kvports | cut -d' ' -f1)
    for c in 16 256; do
        for p in 1 16; do
            set -- $(rb "$kvport" $c $p)
            row "hoc-kv --fsync $mode" $c $p "$1" "$2" "$3"
            echo "kv-$mode $c $p $1" >>"$tmp/results"
        done
    done
    if [ $mode = batch ]; then # recovery: grow the state, kill -9 everyone, restart replica 0
        n=100000; [ -n "$Q" ] && n=20000
        redis-benchmark -p "$kvport" -t set -c 64 -P 16 -n $n -r 1000000000 -d 1000 -q >/dev/null 2>&1
        for q in $kvpids; do kill -9 "$q"; done
        for q in $kvpids; do wait "$q" 2>/dev/null; done
        pids=""
        bytes=$(du -sb "$tmp/kv-batch/d0" | cut -f1)
        p=$(free_port)
        "$KV" --id 0 --peers "$tmp/peers" --port "$p" --data "$tmp/kv-batch/d0" --log warn >"$tmp/rec.log" 2>&1 &
        pids="$!"
        wait_port "$p"
        secs=$(sed -n 's/.*recovered from .* in \([0-9.]*\) s.*/\1/p' "$tmp/rec.log")
        echo "recovery of replica 0: ${secs:-?} s for $bytes bytes on disk" \
            "($(echo "${secs:-0} * 1073741824 / $bytes" | bc -l | xargs printf %.1f) s per GiB)"
    fi
    stop
done

echo
echo "== state transfer: replica 2 wiped, copies a peer's snapshot (1 KB values, snapshots every 1000 slots) =="
KV_EXTRA="--snapshot-every 1000" start_kv batch "$tmp/kv-xfer"
kvport=$(echo $kvports | cut -d' ' -f1)
n=60000; [ -n "$Q" ] && n=15000
redis-benchmark -p "$kvport" -t set -c 64 -P 16 -n $n -r 1000000000 -d 1000 -q >/dev/null 2>&1
sleep 3 # the last snapshot is written
k2=$(echo $kvpids | cut -d' ' -f3)
kill -9 "$k2"; wait "$k2" 2>/dev/null
rm -rf "$tmp/kv-xfer/d2"
p2=$(free_port)
"$KV" --id 2 --peers "$tmp/peers" --port "$p2" --data "$tmp/kv-xfer/d2" --snapshot-every 1000 --log warn >"$tmp/xfer.log" 2>&1 &
pids="$pids $!"
wait_port "$p2"
redis-benchmark -p "$kvport" -t set -c 4 -n 2000 -q >/dev/null 2>&1 # slots the wiped replica sees decided
i=0
while ! grep -q "installed replica" "$tmp/xfer.log" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
sed -n 's/.*\(installed replica.*\)/\1/p' "$tmp/xfer.log"
python3 - <<'PY'
import socket, threading, time
# loopback TCP, the same run: 256 MiB through one connection in 64 KiB writes
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
N, buf = 256 << 20, b"x" * 65536
def sink():
    c, _ = srv.accept(); got = 0
    while got < N:
        d = c.recv(1 << 20)
        if not d: break
        got += len(d)
    c.close()
t = threading.Thread(target=sink); t.start()
s = socket.create_connection(srv.getsockname()); t0 = time.time()
for _ in range(N // 65536): s.sendall(buf)
s.close(); t.join()
print("loopback TCP (python, one connection): %.1f MB/s" % (N / (time.time() - t0) / 1e6))
PY
stop

echo
echo "== etcd 3.4, 3 members, default fsync, put (bench-etcd-load) =="
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
        --initial-cluster-state new --log-level error >"$tmp/etcd$i.log" 2>&1 &
    pids="$pids $!"
done
for i in 0 1 2; do eval "wait_port \$cp$i"; done
sleep 2
secs=5; [ -n "$Q" ] && secs=2
for c in 16 256; do
    set -- $("$LOAD" "$eps" put $c $secs 3)
    row "etcd (fsync on)" $c "" "$1" "$(printf %.3f "$(echo "$2 / 1000" | bc -l)")" \
        "$(printf %.3f "$(echo "$3 / 1000" | bc -l)")"
    echo "etcd $c 1 $1" >>"$tmp/results"
done
stop

echo
echo "== ratios (equal durability: every acknowledged write synced on a majority) =="
ratio() { [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ] && printf "%.1f" "$(echo "$1 / $2" | bc -l)" || echo "n/a"; }
etcdbest=$(awk '$1 == "etcd" && $4 > m { m = $4 } END { print m + 0 }' "$tmp/results")
for mode in batch always; do
    best=$(awk -v s=kv-$mode '$1 == s && $4 > m { m = $4 } END { print m + 0 }' "$tmp/results")
    echo "hoc-kv --fsync $mode best $best ops/s, etcd best put $etcdbest ops/s: $(ratio "$best" "$etcdbest")x (target 20x)"
done
