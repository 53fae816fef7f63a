#!/bin/sh
# bench/bench_amalgam.sh BUILD [--quick]: Amalgam beside ShardedPaxos (hoc-kv
# --groups), same machine, same run, same load generator (bench-am-load,
# closed loop). For 64 B and 128 KiB blocks (kv values of the same size,
# 128 KiB ones in parts over several log slots) (and 4 KiB):
# write-only and read-modify-write throughput and p50/p99 (Amalgam AM.XOR,
# the kv CAS), storage used per logical byte (Amalgam: the bytes its
# machines' /metrics say they hold, by role, over the bytes written once
# each; both: the resident memory the servers grew by), throughput with one
# machine down (each system measured once it noticed: Amalgam once its
# reconfiguration service suspects the machine and stops waiting for its
# parity and witness servers, the kv 2 s after the kill, its groups'
# elections), and the rebuild rate of one restarted Amalgam machine, idle
# and under load. Amalgam: 5 machines, g = 3, f = 1, one witness (so a
# stripe commits without one of its backups); the kv: 3 replicas (f = 1
# too), 4 groups. docs/amalgam-performance.md (in short: docs/deploy.md,
# "Performance").
# BENCH_QUICK=1 or --quick: shorter runs. BENCH_SIZES (block sizes, default
# "64 4096 131072") and BENCH_CONNS (connections, default 128, 16 at 128 KiB)
# narrow a run, e.g. to compare two builds at 64 B. BENCH_REBUILD_STRIPES
# (default 320, 0 skips it): the last clusters, 128 KiB blocks, only to time
# the rebuild of machine 4 over a large data set (fixed part and transfer),
# once with each blocks-per-instance of BENCH_REBUILD_NB (default "1 4"),
# each rebuild waited for BENCH_REBUILD_WAIT seconds at most (default 120).
# Every timed run also gives the servers' CPU an op (user + system time of
# every server process of the system, Amalgam's reconfiguration service
# included, over the ops; the load generator's is not in it).
set -u
B=${1:-build}
[ "${2:-}" = --quick ] && BENCH_QUICK=1
AM=$B/bin/amalgam KV=$B/bin/hoc-kv LOAD=$B/bin/bench-am-load
cd "$(dirname "$0")/.." || exit 2
NAME=bench_amalgam WAIT_TRIES=400
. bench/kv_lib.sh
T=8 RB=60 && [ -n "$Q" ] && T=3 RB=20 # seconds a run; the most a rebuild is waited for
M=5 G=3 F=1

rss_kb() { # PID...: resident kB, summed
    s=0
    for p in "$@"; do s=$((s + $(awk '/^VmRSS/ { print $2 }' /proc/$p/status 2>/dev/null || echo 0))); done
    echo $s
}

cluster() { # BLOCK STRIPES FILE [NB]: 5 machines on free ports
    base=$(python3 -c 'import random, socket
for _ in range(200):
    b = random.randrange(10000, 31000, 2); ok = True
    for p in range(b, b + 620):
        s = socket.socket()
        try: s.bind(("127.0.0.1", p))
        except OSError: ok = False; break
        finally: s.close()
    if ok: print(b); break')
    { echo "g $G"; echo "f $F"; echo "witnesses 1"; echo "block $1"; echo "stripes $2"
      echo "blocks-per-instance ${4:-1}"
      for m in 0 1 2 3 4; do echo "machine $m 127.0.0.1 base=$((base + 100 * m))"; done
      echo "reconf 0 127.0.0.1:$((base + 600)) metrics=$((base + 610))"; } >"$3"
}

# The kv runs without --data (memory only, no log to sync), so Amalgam's
# exactly-once journal is written but not synced by default here
# (BENCH_AM_FSYNC=batch: synced before each prepare, as `serve` defaults to;
# docs/deploy.md, "Exactly once across retries", has both measured).
AM_FSYNC=${BENCH_AM_FSYNC:-never}
serve() { # MACHINE: start it (again: its --data record makes it a replacement)
    "$AM" serve --cluster "$tmp/am.cluster" --machine "$1" --data "$tmp/d$1" --fsync "$AM_FSYNC" \
        >>"$tmp/am$1.log" 2>&1 &
    eval "am$1=$!"
    pids="$pids $!"
}

start_am() { # BLOCK STRIPES [NB]
    rm -rf "$tmp"/d?
    cluster "$1" "$2" "$tmp/am.cluster" "${3:-1}"
    for m in 0 1 2 3 4; do serve $m; done
    "$AM" reconf --cluster "$tmp/am.cluster" --id 0 >"$tmp/reconf.log" 2>&1 &
    amr=$!
    pids="$pids $!"
    for m in 0 1 2 3 4; do wait_port $((base + 100 * m + 3 * M)); done
    sleep 1
}

start_kv() { # three replicas, 4 groups; client addresses in kvaddr
    kvbase=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 10000 ))
    : >"$tmp/peers"
    for i in 0 1 2; do echo "$i 127.0.0.1:$((kvbase + 100 * i))" >>"$tmp/peers"; done
    kvaddr="" kvpids=""
    for i in 0 1 2; do
        p=$(free_port)
        "$KV" --id $i --peers "$tmp/peers" --port "$p" --groups 4 --pipeline 8 >"$tmp/kv$i.log" 2>&1 &
        kvpids="$kvpids $!"
        eval "kv$i=$!"
        kvaddr="$kvaddr${kvaddr:+,}127.0.0.1:$p"
        pids="$pids $!"
        wait_port "$p"
    done
    sleep 1 # the leaders settle
}

cpu_ticks() { # PID...: user + system clock ticks, summed (fields 14 and 15 of /proc/PID/stat)
    for p in "$@"; do sed 's/.*) //' /proc/$p/stat 2>/dev/null; done | awk '{ s += $12 + $13 } END { print s + 0 }'
}
row() { printf "%-8s %-9s %-22s %10s %9s %9s %7s %8s %8s\n" "$@"; }
res() { echo "$*" >>"$tmp/results"; } # SYSTEM SIZE TEST ops/s p50 p99 errors
load() { /usr/bin/time -o "$tmp/ltime" -f "%U %S" "$LOAD" "$@" 2>>"$tmp/load.err" || { echo "bench-am-load $* failed" >>"$tmp/load.err"; echo "0 0 0 -1 0"; }; }
TCK=$(getconf CLK_TCK)
run() { # SYSTEM SIZE KEY TEST LOAD-ARGS...: one run, a row and a result line under KEY
    # (with the CPU the servers in $srv used an op over it, in µs: every
    # process of the system, Amalgam's reconfiguration service included)
    r_sys=$1 r_size=$2 r_key=$3 r_test=$4
    shift 4
    r_t0=$(cpu_ticks $srv)
    set -- $(load "$@")
    r_cpu=$(awk -v t=$(( $(cpu_ticks $srv) - r_t0 )) -v n="${5:-0}" -v h="$TCK" \
        'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / h / n; else printf "n/a" }')
    # and the load generator's own CPU an op (it shares the cores)
    r_lcpu=$(awk -v n="${5:-0}" '{ if (n > 0) printf "%.0f", ($1 + $2) * 1e6 / n; else printf "n/a" }' \
        "$tmp/ltime" 2>/dev/null || echo n/a)
    row "$r_sys" "$r_size" "$r_test" "$1" "$2" "$3" "$4" "$r_cpu" "$r_lcpu"
    res "$r_sys" "$r_size" "$r_key" "$1" "$2" "$3" "$4" "$r_cpu" "$r_lcpu"
}

suspected() { # machine 4 suspected by the reconfiguration service (its /metrics)?
    python3 -c 'import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
sys.exit(0 if "hoc_amalgam_reconf_suspected{machine=\"4\"} 1" in t else 1)' $((base + 610)) 2>/dev/null
}

whole_at() { # machine 4's hoc_amalgam_rebuilt_at_ms (unix ms it became whole; 0: not yet)
    python3 -c 'import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
print(next((l.split()[1] for l in t.splitlines() if l.startswith("hoc_amalgam_rebuilt_at_ms")), 0))' \
        $((base + 400 + 3 * M + 1)) 2>/dev/null || echo 0
}

rb_window() { # machine 4's rebuild window now and its cuts so far (/metrics)
    python3 -c 'import sys, urllib.request
t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode()
v = lambda n: next((l.split()[1] for l in t.splitlines() if l.startswith("hoc_amalgam_rebuild_window_" + n + " ")), "n/a")
print("machine 4: rebuild window %s instances, %s cuts since its start" % (v("instances"), v("cuts_total")))' \
        $((base + 400 + 3 * M + 1)) 2>/dev/null || echo "machine 4: rebuild window n/a"
}

held() { # the bytes every machine holds by its /metrics: total data parity window prepare dedup
    python3 -c 'import sys, urllib.request
names = ["data", "parity", "window", "prepare", "dedup"]
tot = [0] * 5
for port in sys.argv[1:]:
    t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5).read().decode()
    for l in t.splitlines():
        for i, n in enumerate(names):
            if l.startswith("hoc_amalgam_held_%s_bytes " % n):
                tot[i] += int(l.split()[1])
print(sum(tot), *tot)' $(for m in 0 1 2 3 4; do echo $((base + 100 * m + 3 * M + 1)); done) 2>/dev/null ||
        echo "n/a 0 0 0 0 0"
}

counters() { # OUT: the engine counters of every process (/metrics), summed per process
    python3 -c 'import sys, urllib.request
names = ["rounds", "timeouts", "hurried", "messages_in", "messages_out", "messages_late", "bytes_in", "bytes_out"]
with open(sys.argv[1], "w") as out:
    for port in sys.argv[2:]:
        try: t = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5).read().decode()
        except Exception: t = ""
        v = [0] * len(names)
        for l in t.splitlines():
            for i, n in enumerate(names):
                if l.startswith("hoc_%s_total{" % n) or l.startswith("hoc_%s_total " % n):
                    v[i] += int(float(l.split()[-1]))
        print(port, *v, file=out)' "$1" $(for m in 0 1 2 3 4; do echo $((base + 100 * m + 3 * M + 1)); done) \
        $((base + 610)) 2>/dev/null
}

rb_counts() { # BEFORE AFTER: machine 4's rounds and messages per instance, the others' in all
    python3 -c 'import sys
b = {l.split()[0]: list(map(int, l.split()[1:])) for l in open(sys.argv[1])}
a = {l.split()[0]: list(map(int, l.split()[1:])) for l in open(sys.argv[2])}
ninst = int(sys.argv[3]); ports = list(a)
d = lambda p: [x - y for x, y in zip(a[p], b.get(p, [0] * len(a[p])))]
m4 = a[ports[4]]  # a new process: its counters started at 0
o = [sum(d(p)[i] for p in ports[:4]) for i in range(8)]
r = d(ports[5])
print("machine 4 per instance: %.1f rounds (%.1f timed out, %.1f hurried), %.1f messages in, %.1f out,"
      " %.0f kB in, %.1f late; machines 0-3 in all: %d rounds, %d messages out, %.1f MB out, %d late;"
      " reconf: %d rounds, %d messages out, %d late"
      % (m4[0] / ninst, m4[1] / ninst, m4[2] / ninst, m4[3] / ninst, m4[4] / ninst, m4[6] / ninst / 1e3,
         m4[5] / ninst, o[0], o[4], o[7] / 1e6, o[5], r[0], r[4], r[5]))' "$1" "$2" "$3" 2>/dev/null
}

ticks_each() { # PID...: each process's user + system clock ticks, in order
    for p in "$@"; do sed 's/.*) //' /proc/$p/stat 2>/dev/null | awk '{ printf "%d ", $12 + $13 }' || printf "0 "; done
}
cpu_each() { # T0 MS PID...: each process's CPU since ticks T0 ("a b c"), as % of a core over MS ms
    t0=$1 ms=$2
    shift 2
    awk -v a="$t0" -v b="$(ticks_each "$@")" -v ms="$ms" -v h="$TCK" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); split("m0 m1 m2 m3 reconf m4", nm, " ")
        for (i = 1; i <= n; i++) { s += y[i] - x[i]; printf "%s %.0f%%, ", nm[i], (y[i] - x[i]) * 1e5 / h / ms }
        printf "all %.2f s of CPU in %.2f s", s / h, ms / 1e3 }'
}

rebuilt() { # KEY WHAT: restart machine 4 and wait until it rebuilt all it holds
    rb_key=$1 rb_what=$2
    counters "$tmp/c0"
    rb_t0=$(ticks_each $am0 $am1 $am2 $am3 $amr)
    # BENCH_PERF=DIR: every process's profile during the rebuild (perf record -a -g)
    [ -n "${BENCH_PERF:-}" ] && { perf record -a ${BENCH_PERF_ARGS:--g -F 499} -o "$BENCH_PERF/perf.$label.$rb_key.data" \
        >"$BENCH_PERF/perf.$label.$rb_key.log" 2>&1 & perfpid=$!; sleep 0.3; }
    rb_start=$(date +%s%3N)
    serve 4
    out=$("$LOAD" --cluster "$tmp/am.cluster" --rebuilt 4 --seconds $RB 2>>"$tmp/load.err")
    rb_ok=$?
    [ -n "${BENCH_PERF:-}" ] && for f in "$tmp"/am?.log "$tmp"/reconf.log; do
        cp "$f" "$BENCH_PERF/$label.$rb_key.${f##*/}"; done
    if [ $rb_ok -eq 0 ]; then
        [ -n "${BENCH_PERF:-}" ] && { kill -INT $perfpid; wait $perfpid; }
        counters "$tmp/c1"
        set -- $out
        # the server's own figure: when its /metrics says it became whole
        # (its witness may become whole a moment after every position answers)
        rb_at=$(whole_at)
        for _ in $(seq 50); do [ "$rb_at" -gt 0 ] 2>/dev/null && break; sleep 0.1; rb_at=$(whole_at); done
        rb_ms=$([ "$rb_at" -gt "$rb_start" ] 2>/dev/null && echo $((rb_at - rb_start)) || echo n/a)
        echo "amalgam  $label   rebuild of machine 4, $rb_what: $1 bytes in $2 s: $3 MB/s;" \
            "first block after $4 s (the fixed part), then $5 MB/s (its /metrics: whole $rb_ms ms" \
            "after the restart; load average $(cut -d' ' -f1 /proc/loadavg))"
        res amalgam $label "$rb_key" "$3" "$1" "$2" "$rb_ms" "$4" "$5"
        echo "amalgam  $label   $(rb_counts "$tmp/c0" "$tmp/c1" $((stripes / nb)))"
        echo "amalgam  $label   $(rb_window)"
        # where the other cores went: machines 0 to 3 and the service over the rebuild
        echo "amalgam  $label   CPU over the rebuild: $(cpu_each "$rb_t0" $(($(date +%s%3N) - rb_start)) $am0 $am1 $am2 $am3 $amr)"
        # the restarted process's CPU and minor faults so far (its start-up included)
        awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "amalgam  %s   machine 4: %.2f s CPU (user %.2f, system %.2f), %d minor faults, since its start\n", L, ($12 + $13) / hz, $12 / hz, $13 / hz, $8 }' \
            L="$label" "/proc/$am4/stat" 2>/dev/null
    else
        [ -n "${BENCH_PERF:-}" ] && { kill -INT $perfpid; wait $perfpid; }
        counters "$tmp/c1"
        echo "amalgam  $label   rebuild of machine 4, $rb_what: not done within $RB s"
        echo "amalgam  $label   $(rb_counts "$tmp/c0" "$tmp/c1" $((stripes / nb)))"
        echo "amalgam  $label   $(rb_window)"
        res amalgam $label "$rb_key" not-done 0 $RB n/a n/a n/a
    fi
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start;" \
    "amalgam serve --fsync $AM_FSYNC"
row system block test "ops/s" "p50 ms" "p99 ms" errors "CPU µs/op" "load µs"
# the rebuild over a large data set (after the loop): 128 KiB blocks, NB
# stripes an instance for each NB of BENCH_REBUILD_NB, BENCH_REBUILD_STRIPES
# stripes (0: skipped). An instance's state takes about 21 NB + 3 blocks at
# every server (its windows, constants, ghosts: docs/deploy.md, "Memory"),
# touched as they are used, so 320 stripes (machine 4 holds 256 blocks, 32
# MiB) are about 1 GB a process
RBS=${BENCH_REBUILD_STRIPES:-320}
RBNB=${BENCH_REBUILD_NB:-1 4}
for size in ${BENCH_SIZES:-64 4096 131072} $(for k in $RBNB; do echo ${RBS}x$k; done); do
    nb=1
    case $size in
    0x*) continue ;;
    *x*) nb=${size#*x} stripes=$RBS conns=16 label=128KiBx${RBS}nb$nb size=131072 RB=${BENCH_REBUILD_WAIT:-120} ;;
    64) stripes=100 conns=128 label=64B ;;
    4096) stripes=100 conns=128 label=4KiB ;;
    *) stripes=10 conns=16 label=128KiB ;;
    esac
    large=$(case $label in *x*) echo 1 ;; esac)
    conns=${BENCH_CONNS:-$conns}
    blocks=$((stripes * G))

    # ---- Amalgam ----
    start_am $size $stripes $nb
    all="$am0 $am1 $am2 $am3 $am4"
    srv="$all $amr"
    r0=$(rss_kb $all)
    run amalgam $label fill "fill (each block once)" --cluster "$tmp/am.cluster" --conns 16 --fill 1
    r1=$(rss_kb $all)
    res amalgam $label storage $(( (r1 - r0) * 1024 )) $((blocks * size))
    res amalgam $label held $(held) $((blocks * size))
    if [ -z "$large" ]; then
        run amalgam $label write write --cluster "$tmp/am.cluster" --conns $conns --seconds $T
        run amalgam $label rmw "rmw (xor)" --cluster "$tmp/am.cluster" --conns $conns --seconds $T --mix xor
    fi
    if [ -n "$large" ]; then # what the cluster's idle rounds cost before any rebuild
        i_t0=$(ticks_each $am0 $am1 $am2 $am3 $amr $am4) i0=$(date +%s%3N)
        sleep 1
        echo "amalgam  $label   CPU idle, all five machines up: $(cpu_each "$i_t0" $(($(date +%s%3N) - i0)) $am0 $am1 $am2 $am3 $amr $am4)"
    fi
    kill -9 "$am4"
    wait "$am4" 2>/dev/null
    if [ -z "$large" ]; then
        k0=$(date +%s%3N)
        i=0
        while ! suspected && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        echo "amalgam  $label   machine 4 killed: suspected after $(( $(date +%s%3N) - k0 )) ms"
        run amalgam $label down "write, machine 4 down" --cluster "$tmp/am.cluster" --conns $conns \
            --seconds $T --skip-machine 4
    fi
    rebuilt rebuild_idle idle
    kill -9 "$am4"
    wait "$am4" 2>/dev/null
    sleep 1
    "$LOAD" --cluster "$tmp/am.cluster" --conns $conns --seconds $((T + 30)) --skip-machine 4 \
        >"$tmp/bg" 2>>"$tmp/load.err" &
    bg=$!
    sleep 1
    rebuilt rebuild_load "under load"
    kill "$bg" 2>/dev/null
    wait "$bg" 2>/dev/null
    stop
    [ -n "$large" ] && continue

    # ---- ShardedPaxos (hoc-kv --groups 4), values of the same size ----
    start_kv
    all="$kv0 $kv1 $kv2"
    srv=$all
    r0=$(rss_kb $all)
    run sharded $label fill "fill (each key once)" --kv "$kvaddr" --size $size --conns 16 --blocks $blocks --fill 1
    r1=$(rss_kb $all)
    res sharded $label storage $(( (r1 - r0) * 1024 )) $((blocks * size))
    run sharded $label write write --kv "$kvaddr" --size $size --conns $conns --seconds $T --blocks $blocks
    run sharded $label rmw "rmw (cas)" --kv "$kvaddr" --size $size --conns $conns --seconds $T --blocks $blocks --mix cas
    kill -9 "$kv2"
    wait "$kv2" 2>/dev/null
    sleep 2 # groups led by replica 2 elect another leader
    run sharded $label down "write, machine 2 down" --kv "$(echo "$kvaddr" | cut -d, -f1,2)" --size $size \
        --conns $conns --seconds $T --blocks $blocks
    stop
done

echo
echo "== Amalgam / ShardedPaxos =="
get() { awk -v s="$1" -v z="$2" -v k="$3" -v c="$4" '$1 == s && $2 == z && $3 == k { print $c; exit }' "$tmp/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else printf "n/a" }'; }
line() { printf "%-7s %-22s %12s %12s %7s   %s\n" "$@"; }
line block measure amalgam sharded ratio target
for label in 64B 4KiB 128KiB $(for k in $RBNB; do echo 128KiBx${RBS}nb$k; done); do
    grep -q "^amalgam $label " "$tmp/results" || continue # not run (BENCH_SIZES)
    case $label in *x*) ks="" ;; *) ks=1 ;; esac
    for k in "write 4 ops/s" "write 5 p50_ms" "write 6 p99_ms" "write 8 cpu_us/op" "write 9 load_us/op" \
             "rmw 4 ops/s" "rmw 5 p50_ms" "rmw 6 p99_ms" "rmw 8 cpu_us/op" "rmw 9 load_us/op" "down 4 ops/s"; do
        [ -z "$ks" ] && break
        set -- $k
        a=$(get amalgam $label $1 $2) s=$(get sharded $label $1 $2)
        case "$1 $2" in "write 4") tgt=">= 1.0" ;; "rmw 4") tgt=">= 0.9" ;; *) tgt="" ;; esac
        line $label "$1 $3" "$a" "$s" "$(ratio "$a" "$s")" "$tgt"
    done
    [ -n "$ks" ] && {
    sa=$(ratio "$(get amalgam $label storage 4)" "$(get amalgam $label storage 5)")
    ss=$(ratio "$(get sharded $label storage 4)" "$(get sharded $label storage 5)")
    line $label "memory per logical B" "$sa" "$ss" "$(ratio "$sa" "$ss")" \
        "RSS growth; computed (g+f)/g = $(ratio $((G + F)) $G), 2f+1 = 3"
    set -- $(awk -v z=$label '$1 == "amalgam" && $2 == z && $3 == "held" { print $4, $5, $6, $7, $8, $9, $10 }' "$tmp/results")
    [ $# -eq 7 ] && line $label "held per logical B" "$(ratio "$1" "$7")" - "" \
        "/metrics: data $(ratio "$2" "$7"), parity $(ratio "$3" "$7"), windows $(ratio "$4" "$7"), prepares $(ratio "$5" "$7"), dedup $(ratio "$6" "$7"); (g+f)/g = $(ratio $((G + F)) $G)"; }
    for k in idle load; do
        line $label "rebuild $k MB/s" "$(get amalgam $label rebuild_$k 4)" - "" \
            ">= 1000 ($(get amalgam $label rebuild_$k 5) B, whole after $(get amalgam $label rebuild_$k 7) ms by /metrics;" \
            "fixed $(get amalgam $label rebuild_$k 8) s, then $(get amalgam $label rebuild_$k 9) MB/s)"
    done
done
[ -s "$tmp/load.err" ] && { echo; echo "load generator messages (most frequent first):"; sort "$tmp/load.err" | uniq -c | sort -rn | head -10; }
exit 0
