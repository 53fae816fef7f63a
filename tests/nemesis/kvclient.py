#!/usr/bin/env python3
"""Clients of hoc-kv for the nemesis harness (systems.KvSystem), run on the
clients' host of the test network:

    kvclient.py --nodes ADDR:PORT,... --clients K --seed S --history FILE
                --progress FILE --final FILE

K client threads, client c homed at node c % n, each doing one operation at
a time (a random mix of GET, SET, INCRBY, DEL, MGET, MSET and CAS over a few
keys) and logging it in the history format of tests/lincheck/README.md. An
operation without a reply within --op-timeout seconds (the node is cut off,
paused, killed) is pending ("?"): it may or may not have taken effect; the
client then reconnects to its home node, so every node keeps serving its
clients after a heal. Every 100 ms the acknowledged operations per home
node go to the progress file (a JSON list), which the harness measures
recovery on.

When stdin closes (the harness's last heal is done), the clients stop, and
one reader GETs every key from the first node that answers (retrying up to
--final-timeout seconds): those reads join the history, and the values go
to the final file (JSON: key -> hex value or null), where the harness
checks that every acknowledged write is still there."""
import argparse
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kv"))
from resp_client import Err, History, Resp  # noqa: E402

KEYS = ["k%d" % i for i in range(8)]


def partner(k):
    """Multi-key ops pair k0 with k1, k2 with k3, ...: keys linked by them
    form small independent objects for hoc-lincheck (linearizability is
    local), where one big object would exhaust its search."""
    i = int(k[1:])
    return "k%d" % (i ^ 1)


def random_op(rng, cid, n):
    k = rng.choice(KEYS)
    r = rng.random()
    val = "%s.%d" % (cid, n)  # every written value is unique
    if r < 0.25:
        return "GET", [k]
    if r < 0.45:
        return "SET", [k, val]
    if r < 0.60:
        return "INCRBY", [k, str(rng.randrange(1, 5))]
    if r < 0.67:
        return "DEL", [k]
    if r < 0.77:
        return "MGET", [k, partner(k)]
    if r < 0.87:
        return "MSET", [k, val, partner(k), val + "b"]
    return "CAS", [k, rng.choice([str(n - 1), "%s.%d" % (cid, n - 1), "0"]), val]


def results(op, res):
    if op == "MGET" and isinstance(res, list):
        return res
    return [res]


def client(cid, nodes, hist, stop, args, acked, lock):
    rng = random.Random(args.seed * 1000 + cid)
    home = cid % len(nodes)
    name = "c%d" % cid
    conn, n = None, 0
    while not stop.is_set():
        if conn is None:
            try:
                conn = Resp(nodes[home], args.op_timeout)
            except OSError:
                time.sleep(0.1)
                continue
        n += 1
        op, a = random_op(rng, name, n)
        call = hist.now()
        try:
            res = conn.call(op, *a)
        except (OSError, ConnectionError, ValueError):
            hist.add(name, call, None, op, a, [])
            conn.close()
            conn = None
            continue
        if isinstance(res, Err) and not res.startswith(("ERR value", "ERR increment")):
            # refused before the log ("not ready", "no leader"): whether it
            # took effect is not known to us, so it stays pending
            hist.add(name, call, None, op, a, [])
            time.sleep(0.05)
            continue
        hist.add(name, call, hist.now(), op, a, results(op, res))
        with lock:
            acked[home] += 1
        time.sleep(args.think)  # a history hoc-lincheck can search
    if conn:
        conn.close()


def progress_loop(path, acked, lock, stop):
    while not stop.is_set():
        with lock:
            text = json.dumps(acked)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
        stop.wait(0.1)


def final_reads(nodes, hist, args):
    """GET every key after the heal; None if no node answered in time."""
    deadline = time.monotonic() + args.final_timeout
    values = {}
    for k in KEYS:
        while k not in values:
            if time.monotonic() > deadline:
                return None
            for addr in nodes:
                call = hist.now()
                try:
                    conn = Resp(addr, 2.0)
                    res = conn.call("GET", k)
                    conn.close()
                except (OSError, ConnectionError, ValueError):
                    hist.add("final", call, None, "GET", [k], [])
                    continue
                if isinstance(res, Err):
                    hist.add("final", call, None, "GET", [k], [])
                    continue
                hist.add("final", call, hist.now(), "GET", [k], [res])
                values[k] = None if res is None else res.hex()
                break
            else:
                time.sleep(0.2)
    return values


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", required=True)
    ap.add_argument("--clients", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--history", required=True)
    ap.add_argument("--progress", required=True)
    ap.add_argument("--final", required=True)
    ap.add_argument("--op-timeout", type=float, default=1.0)
    ap.add_argument("--think", type=float, default=0.01, help="seconds between a client's ops")
    ap.add_argument("--final-timeout", type=float, default=30.0)
    args = ap.parse_args()
    nodes = args.nodes.split(",")
    hist = History(args.history)
    stop, lock = threading.Event(), threading.Lock()
    acked = [0] * len(nodes)
    ts = [threading.Thread(target=client, args=(c, nodes, hist, stop, args, acked, lock))
          for c in range(args.clients)]
    pt = threading.Thread(target=progress_loop, args=(args.progress, acked, lock, stop))
    for t in ts + [pt]:
        t.start()
    sys.stdin.read()  # until the harness closes it
    stop.set()
    for t in ts + [pt]:
        t.join()
    values = final_reads(nodes, hist, args)
    hist.close()
    with open(args.final, "w") as f:
        json.dump({"values": values, "acked": acked}, f)


if __name__ == "__main__":
    main()
