# Sourced by bench_kv.sh and bench_kv_durable.sh after they set NAME (their
# name in messages) and WAIT_TRIES (50 ms tries for a port to open): the
# servers they start (pids), their removal at exit, and loopback ports.
tmp=$(mktemp -d)
pids=""
stop() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    pids=""
}
trap 'stop; rm -rf "$tmp"' EXIT
Q=${BENCH_QUICK:+1}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { # PORT: until it accepts; the servers' logs if it never does
    i=0
    while ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt "$WAIT_TRIES" ]; then
            echo "$NAME: port $1 never opened"
            cat "$tmp"/*.log 2>/dev/null
            exit 1
        fi
        sleep 0.05
    done
}
