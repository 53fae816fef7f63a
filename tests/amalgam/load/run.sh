#!/bin/sh
# ctest amalgam-load: LOAD AMALGAM HOC_KV (tests/amalgam/load/CMakeLists.txt).
set -u
LOAD=$1 AM=$2 KV=$3
tmp=$(mktemp -d)
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for f in "$tmp"/*.log; do echo "--- $f"; tail -5 "$f"; done
    exit 1
}
free_base() { # a free range of $1 ports on 127.0.0.1, below the ephemeral range, above the kv tests' (scripts/amlocal.py)
    python3 -c 'import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    b = random.randrange(20000, 31000, 2); ok = True
    for p in range(b, b + n):
        s = socket.socket()
        try: s.bind(("127.0.0.1", p))
        except OSError: ok = False; break
        finally: s.close()
    if ok: print(b); sys.exit(0)
sys.exit(1)' "$1"
}
wait_port() {
    i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 200 ] && fail "port $1 never opened"
        sleep 0.05
    done
}
check() { # NAME "ops/s p50 p99 errors ops": some ops, no error
    set -- "$1" $2
    echo "$1: $2 ops/s, p50 $3 ms, p99 $4 ms, $5 errors, $6 ops"
    [ "$5" = 0 ] || fail "$1: $5 errors"
    [ "$6" -gt 0 ] || fail "$1: no op done"
}

# g = 3, f = 1, a witness, 5 machines, 64-byte blocks, 20 stripes
base=$(free_base 620) || fail "no free ports"
C=$tmp/am.cluster
{ echo "g 3"; echo "f 1"; echo "witnesses 1"; echo "block 64"; echo "stripes 20"
  echo "blocks-per-instance 1"
  for m in 0 1 2 3 4; do echo "machine $m 127.0.0.1 base=$((base + 100 * m))"; done
  echo "reconf 0 127.0.0.1:$((base + 600))"; } >"$C"
serve() {
    "$AM" serve --cluster "$C" --machine "$1" --data "$tmp/d$1" >>"$tmp/am$1.log" 2>&1 &
    pids="$pids $!"
    eval "am$1=$!"
}
for m in 0 1 2 3 4; do serve $m; done
"$AM" reconf --cluster "$C" --id 0 >"$tmp/reconf.log" 2>&1 &
pids="$pids $!"
for m in 0 1 2 3 4; do wait_port $((base + 100 * m + 15)); done

check "write" "$("$LOAD" --cluster "$C" --conns 8 --seconds 2)"
check "xor" "$("$LOAD" --cluster "$C" --conns 8 --seconds 2 --mix xor)"
check "add" "$("$LOAD" --cluster "$C" --conns 8 --seconds 2 --mix add)"
check "fill" "$("$LOAD" --cluster "$C" --conns 4 --fill 1)"
# every stripe's parity is the code of its data blocks after all that
for b in $(seq 0 19); do
    "$AM" cli --cluster "$C" verify "$b" >/dev/null || fail "stripe $b: parity does not verify"
done
echo "parity of 20 stripes: ok"

# machine 4 holds a data block or parity row in each stripe but those it
# is the witness of: 16 of 20 (position 4 is the witness, stripes b with
# (4 + b) mod 5 == 4)
kill -9 "$am4"
wait "$am4" 2>/dev/null
serve 4
set -- $("$LOAD" --cluster "$C" --rebuilt 4 --seconds 60) || fail "machine 4 not rebuilt"
echo "rebuilt: $1 bytes in $2 s ($3 MB/s); first block after $4 s, then $5 MB/s"
[ "$1" = $((16 * 64)) ] || fail "rebuilt $1 bytes, want $((16 * 64))"
# the fixed part (to the first position that answered) is within the whole
awk -v f="$4" -v t="$2" 'BEGIN { exit !(f >= 0 && f <= t) }' ||
    fail "first block after $4 s, outside the rebuild's $2 s"
check "write after the rebuild" "$("$LOAD" --cluster "$C" --conns 8 --seconds 1)"

# bad arguments: exit 2
"$LOAD" --cluster "$C" --mix cas >/dev/null 2>&1; [ $? = 2 ] || fail "--mix cas on Amalgam accepted"
"$LOAD" --cluster "$C" --rebuilt 9 >/dev/null 2>&1; [ $? = 2 ] || fail "--rebuilt 9 accepted"
"$LOAD" --kv 127.0.0.1:1 >/dev/null 2>&1; [ $? = 2 ] || fail "--kv without --size accepted"

# hoc-kv, 3 replicas, 2 groups: SET and CAS (every CAS must succeed)
kb=$(free_base 400) || fail "no free ports"
for i in 0 1 2; do echo "$i 127.0.0.1:$((kb + 100 * i))" >>"$tmp/peers"; done
addr=""
for i in 0 1 2; do
    "$KV" --id $i --peers "$tmp/peers" --port $((kb + 300 + i)) --groups 2 >"$tmp/kv$i.log" 2>&1 &
    pids="$pids $!"
    addr="$addr${addr:+,}127.0.0.1:$((kb + 300 + i))"
done
for i in 0 1 2; do wait_port $((kb + 300 + i)); done
sleep 0.5
check "kv set" "$("$LOAD" --kv "$addr" --size 64 --conns 8 --seconds 2 --blocks 200)"
check "kv cas" "$("$LOAD" --kv "$addr" --size 64 --conns 8 --seconds 2 --blocks 200 --mix cas)"
# every server exits 0 on SIGTERM (under the sanitizers: no report)
for p in $pids; do
    kill "$p" 2>/dev/null || continue
    wait "$p"
    rc=$?
    [ $rc = 0 ] || fail "server $p exited $rc on SIGTERM"
done
pids=""
echo "amalgam-load: ok"
