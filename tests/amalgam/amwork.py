#!/usr/bin/env python3
"""Concurrent Amalgam clients whose history hoc-lincheck checks, shared by
the fault tests (tests/amalgam/faults/run.py) and the nemesis harness
(tests/nemesis/systems.py, AmalgamSystem):

    amwork.py --machines HOST:PORT,... --g G --blocks B --block-size N
              --clients K --seed S --history FILE --progress FILE --final FILE

K client threads, each its own client id (ID CLIENT SEQ on every op, a
connection of its own to each machine), one op at a time: AM.READ, WRITE,
XOR, ADD and CAS on the first B blocks (stripe b, shard(): every
machine's data server gets some), sent to the machine that holds the
block. Every reply of a block op is the block's old value o, so an
acknowledged op is logged as what it did, `CAS b o new -> 1` with new =
v (WRITE), o ^ x (XOR), o + n (ADD: the block's first 8 bytes a
little-endian integer), v or o (CAS): the check then
also tests the value each op saw. An op without a reply within
--op-timeout (machine killed, cut off, paused, its stripe short of
parity) is pending ("?": WRITE, XOR, ADD or CAS as sent); the client
then drops that connection and goes on with its next op. A refusal
(TRYAGAIN, a refused connection) changed nothing and is not logged.
Values stay small (WRITE and CAS 0..63 in the first byte, XOR 0..15, ADD
1..3), so that CAS's expected blocks meet what the blocks hold; ADD's
carry goes on into the next bytes, as in hoc-lincheck's block model.

When stdin closes, the clients stop and one reader reads every block back
(retrying up to --final-timeout): those reads join the history, the
values go to the final file (JSON: "values": block -> hex or null) and
lost_writes() checks that each is what some write left there that no
acknowledged write followed. Acknowledged ops per machine go to the
progress file (a JSON list) every 100 ms."""
import argparse
import json
import os
import random
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
sys.path.insert(0, os.path.join(HERE, "..", "nemesis"))
sys.path.insert(0, os.path.join(HERE, "..", "kv"))
import amlocal  # noqa: E402
from kvclient import progress_loop  # noqa: E402  (the store's clients write the same file)
from resp_client import History  # noqa: E402


def shard(b, g, machines):
    """The clients' block of stripe b: shard (b / M) mod g, so that b = 0..M-1
    are on every machine's data server."""
    return (b // machines) % g


def key(b, g, machines):
    return "%d.%d" % (b, shard(b, g, machines))


def tok(v):
    return 'x"' + v.hex() + '"'


class Conn:
    """A RESP connection to host:port with a timeout on every reply."""

    def __init__(self, addr, timeout):
        host, port = addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=timeout)
        self.r = amlocal.Resp.__new__(amlocal.Resp)
        self.r.s, self.r.f = self.s, self.s.makefile("rb")

    def cmd(self, *args):
        return self.r.cmd(*args)

    def close(self):
        self.s.close()


def random_op(rng, size):
    r = rng.random()
    if r < 0.25:
        return "READ", []
    if r < 0.45:
        return "WRITE", [amlocal.block_of(rng.randrange(64), size)]
    if r < 0.60:
        return "XOR", [amlocal.block_of(rng.randrange(1, 16), size)]
    if r < 0.75:
        return "ADD", [b"%d" % rng.randrange(1, 4)]
    return "CAS", [amlocal.block_of(rng.randrange(8), size), amlocal.block_of(rng.randrange(64), size)]


def logged(op, args, old, size):
    """The history line's op, args and results for an acknowledged op that
    replied the block's old value old (see the module's comment)."""
    if op == "READ":
        return "READ", [], [tok(old)]
    if op == "WRITE":
        new = args[0]
    elif op == "XOR":
        new = bytes(p ^ q for p, q in zip(old, args[0]))
    elif op == "ADD":  # the 8 bytes at offset 0, a little-endian integer (cut to the block)
        k = min(8, size)
        v = (int.from_bytes(old[:k], "little") + int(args[0])) % (1 << (8 * k))
        new = v.to_bytes(k, "little") + old[k:]
    else:
        new = args[1] if old == args[0] else old
    return "CAS", [tok(old), tok(new)], ["1"]


def pending(op, args):
    """The history line's op and args for an op without a reply."""
    if op == "ADD":
        return "ADD", ["0", args[0].decode()]
    return op, [tok(a) for a in args]


def client(cid, a, hist, stop, acked, lock):
    rng = random.Random(a.seed * 1000 + cid)
    name, seq, conns = "c%d" % cid, 0, {}
    while not stop.is_set():
        b = rng.randrange(a.blocks)
        s = shard(b, a.g, len(a.machines))
        m = amlocal.data_machine(b, s, len(a.machines))
        op, args = random_op(rng, a.block_size)
        if m not in conns:
            try:
                conns[m] = Conn(a.machines[m], a.op_timeout)
            except OSError:
                time.sleep(0.1)  # down or cut off: nothing sent
                continue
        cmd = ["AM." + op, b, s] + args
        if op != "READ":
            seq += 1
            cmd += ["ID", name, seq]
        k = key(b, a.g, len(a.machines))
        call = hist.now()
        try:
            got = conns[m].cmd(*cmd)
        except (OSError, ConnectionError, ValueError):
            got = None
        if got is None or got[0] not in ("bulk", "err"):
            if op != "READ":
                pop, pargs = pending(op, args)
                hist.add(name, call, None, pop, [k] + pargs, [])
            conns.pop(m).close()
            continue
        if got[0] == "err":
            if not got[1].startswith("TRYAGAIN"):
                print("%s: %s %s.%d: %s" % (name, op, b, s, got[1]), file=sys.stderr, flush=True)
            time.sleep(0.05)  # refused: nothing changed
            continue
        lop, largs, res = logged(op, args, got[1], a.block_size)
        hist.add(name, call, hist.now(), lop, [k] + largs, res)
        with lock:
            acked[m] += 1
        time.sleep(a.think)
    for c in conns.values():
        c.close()


def final_reads(a, hist):
    """Every block read back from its machine; None if one never answered."""
    deadline = time.monotonic() + a.final_timeout
    values = {}
    for b in range(a.blocks):
        s = shard(b, a.g, len(a.machines))
        m = amlocal.data_machine(b, s, len(a.machines))
        k = key(b, a.g, len(a.machines))
        while k not in values:
            if time.monotonic() > deadline:
                return None
            call = hist.now()
            try:
                c = Conn(a.machines[m], 5)
                got = c.cmd("AM.READ", b, s)
                c.close()
            except (OSError, ConnectionError, ValueError):
                got = None
            if got and got[0] == "bulk":
                hist.add("final", call, hist.now(), "READ", [k], [tok(got[1])])
                values[k] = got[1].hex()
            else:
                time.sleep(0.2)
    return values


def parse_history(path):
    """(client, call, ret or None, op, args, results) a line, values as bytes."""
    def val(t):
        return bytes.fromhex(t[2:-1]) if t.startswith('x"') else t.encode()
    ops = []
    with open(path) as f:
        for ln in f:
            left, _, right = ln.strip().partition(" -> ")
            p = left.split()
            if not p:
                continue
            ret = None if p[2] == "?" else int(p[2])
            res = [] if right.strip() == "?" else [val(t) for t in right.split()]
            ops.append((p[0], int(p[1]), ret, p[3], p[4], [val(t) for t in p[5:]], res))
    return ops


ANY = object()  # a pending XOR or ADD: it may have left any value


def lost_writes(ops, final, size):
    """Blocks whose final value (block -> bytes) is not what some op left
    there that no acknowledged op followed (in real time), nor zeros when
    no op is acknowledged: an acknowledged write lost, or an old value back.
    [(block, value, [candidates])]."""
    inf = float("inf")
    writes = {}  # block -> [(call, ret or inf, value left)]
    for (_, call, ret, op, k, args, res) in ops:
        if op == "READ":
            continue
        r = inf if ret is None else ret
        if op == "CAS" and ret is not None:
            left = args[1] if res == [b"1"] else None
            if left is not None:
                writes.setdefault(k, []).append((call, r, left))
        elif op in ("WRITE", "CAS"):
            writes.setdefault(k, []).append((call, r, args[-1]))
        else:
            writes.setdefault(k, []).append((call, r, ANY))
    bad = []
    for k, value in final.items():
        ws = writes.get(k, [])
        acked = [w for w in ws if w[1] != inf]
        cands = [w[2] for w in ws if not any(x[0] > w[1] for x in acked)]
        if not acked:
            cands.append(bytes(size))
        if value not in cands and ANY not in cands:
            bad.append((k, value, [c for c in cands if c is not ANY][:6]))
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--machines", required=True, help="client address of each machine, in order")
    ap.add_argument("--g", type=int, required=True)
    ap.add_argument("--blocks", type=int, default=8)
    ap.add_argument("--block-size", type=int, default=64)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--history", required=True)
    ap.add_argument("--progress", required=True)
    ap.add_argument("--final", required=True)
    ap.add_argument("--op-timeout", type=float, default=3.0)
    ap.add_argument("--think", type=float, default=0.005, help="seconds between a client's ops")
    ap.add_argument("--final-timeout", type=float, default=30.0)
    a = ap.parse_args()
    a.machines = a.machines.split(",")
    hist = History(a.history, fmt=str)  # args are tokens already
    stop, lock = threading.Event(), threading.Lock()
    acked = [0] * len(a.machines)
    ts = [threading.Thread(target=client, args=(c, a, hist, stop, acked, lock))
          for c in range(a.clients)]
    pt = threading.Thread(target=progress_loop, args=(a.progress, acked, lock, stop))
    for t in ts + [pt]:
        t.start()
    sys.stdin.read()  # until the harness closes it
    stop.set()
    for t in ts + [pt]:
        t.join()
    values = final_reads(a, hist)
    hist.close()
    with open(a.final, "w") as f:
        json.dump({"values": values, "acked": acked}, f)
    return 0 if values is not None else 1


if __name__ == "__main__":
    sys.exit(main())
