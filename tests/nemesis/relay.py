#!/usr/bin/env python3
"""A frame-aware TCP relay between replicas, for the link nemeses that the
kernel cannot do without netem: it drops, duplicates, delays and reorders
whole replica frames (runtime/wire.h: u32 length, then that many bytes).

    relay.py LISTEN_HOST ROUTES_FILE
ROUTES_FILE has one line per route, "PORT HOST:PORT": a connection accepted
on LISTEN_HOST:PORT is relayed to HOST:PORT. Commands arrive as JSON lines on
stdin and apply from then on to every frame in both directions:
    {"drop": 0.2, "dup": 0.1, "delay_ms": 30, "reorder": true}
    {"flip": 0.01, "inject": 0.01}  # tampering: see below
    {"delay_ms": 40, "jitter": true}  # each frame 0..40 ms, order kept
    {"drop": 0, "dup": 0, "delay_ms": 0}                # pass-through
    {"stats": 1}        # answers one JSON line of counters on stdout
EOF on stdin ends the relay. Handshake frames (HELLO, AUTH, ACCEPT) and DONE
always pass, in order, so connections come up; MSG and DECISION frames get
the faults: dropped with probability drop, sent twice with probability dup,
held delay_ms (with reorder, each frame a uniform 0..delay_ms, so frames
overtake each other). flip changes one random byte after the header of a
frame with that probability; inject sends, before a frame, a forged copy of
it (its tag bytes random). A stream that stops parsing as frames is relayed
byte for byte from there on, held delay_ms but never cut.

Since wire version 5 every frame after the handshake is sealed (a tag over
it and its sequence number, docs/runtime.md), so replicas refuse a dropped,
duplicated, reordered, flipped or injected frame as tampering and close the
connection: those settings model an attacker on the path, not a lossy link
(tests/net/run_cluster.py's `tamper` case checks that they are caught), and
only "delay_ms" without reorder stays a pure network fault."""
import heapq
import json
import os
import random
import selectors
import socket
import struct
import sys
import time

PASS_TYPES = {1, 2, 5, 6}  # HELLO, AUTH, DONE, ACCEPT (after the handshake all is SEALED, 8)
MAX_FRAME = 65536


class Config:
    drop = 0.0
    dup = 0.0
    delay = 0.0
    reorder = False
    jitter = False
    flip = 0.0
    inject = 0.0


CFG = Config()
STATS = {"conns": 0, "frames": 0, "dropped": 0, "duplicated": 0, "delayed": 0, "raw_bytes": 0,
         "flipped": 0, "injected": 0}
rng = random.Random(int(os.environ.get("RELAY_SEED", "1")))
sel = selectors.DefaultSelector()
timers = []  # (due, seq, Direction, bytes)
seq = 0


class Direction:
    """Bytes from src to dst: parsed into frames, each scheduled for dst."""

    def __init__(self, src, dst):
        self.src, self.dst = src, dst
        self.inbuf = bytearray()
        self.out = bytearray()
        self.raw = False
        self.last_due = 0.0  # without reorder, frames keep their order
        self.peer = None     # the opposite direction
        self.closed = False

    def feed(self, data):
        self.inbuf += data
        while True:
            if self.raw:
                if self.inbuf:
                    STATS["raw_bytes"] += len(self.inbuf)
                    self.schedule(bytes(self.inbuf), CFG.delay)
                    self.inbuf.clear()
                return
            if len(self.inbuf) < 6:
                return
            (length,) = struct.unpack_from("<I", self.inbuf)
            if length < 4 or length > MAX_FRAME:
                self.raw = True
                continue
            if len(self.inbuf) < 4 + length:
                return
            frame = bytes(self.inbuf[:4 + length])
            del self.inbuf[:4 + length]
            self.frame(frame)

    def frame(self, frame):
        STATS["frames"] += 1
        if frame[5] in PASS_TYPES:
            self.schedule(frame, 0)
            return
        if len(frame) > 8 and rng.random() < CFG.flip:
            STATS["flipped"] += 1
            b = bytearray(frame)
            b[rng.randrange(8, len(b))] ^= 1 << rng.randrange(8)
            frame = bytes(b)
        if len(frame) > 24 and rng.random() < CFG.inject:
            STATS["injected"] += 1
            self.schedule(frame[:-16] + os.urandom(16), 0)
        if rng.random() < CFG.drop:
            STATS["dropped"] += 1
            return
        copies = 2 if rng.random() < CFG.dup else 1
        STATS["duplicated"] += copies - 1
        for _ in range(copies):
            d = rng.uniform(0, CFG.delay) if CFG.reorder or CFG.jitter else CFG.delay
            if d > 0:
                STATS["delayed"] += 1
            self.schedule(frame, d)

    def schedule(self, data, delay):
        global seq
        due = time.monotonic() + delay
        if not CFG.reorder:
            due = max(due, self.last_due)
            self.last_due = due
        seq += 1
        if delay <= 0 and due <= time.monotonic():
            self.send(data)
        else:
            heapq.heappush(timers, (due, seq, self, data))

    def send(self, data):
        if self.closed:
            return
        self.out += data
        self.flush()

    def flush(self):
        try:
            while self.out:
                n = self.dst.send(self.out)
                del self.out[:n]
        except BlockingIOError:
            pass
        except OSError:
            close_pair(self)
            return
        watch(self.dst)


conns = {}  # socket -> list of Directions reading from it (1) and writing to it


def watch(s):
    """Reads always; writes while some direction has bytes queued for s."""
    if s.fileno() < 0:
        return
    ev = selectors.EVENT_READ
    if any(d.out for d in conns.get(s, {}).get("to", [])):
        ev |= selectors.EVENT_WRITE
    try:
        sel.modify(s, ev, ("conn", s))
    except (KeyError, ValueError):
        pass


def close_pair(d):
    for x in (d, d.peer):
        if x and not x.closed:
            x.closed = True
    for s in (d.src, d.dst):
        if s.fileno() >= 0:
            try:
                sel.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()
        conns.pop(s, None)


def accept(lsock, target):
    try:
        a, _ = lsock.accept()
    except OSError:
        return
    b = socket.socket()
    b.setblocking(False)
    try:
        b.connect(target)
    except BlockingIOError:
        pass
    except OSError:
        a.close()
        b.close()
        return
    for s in (a, b):
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ab, ba = Direction(a, b), Direction(b, a)
    ab.peer, ba.peer = ba, ab
    conns[a] = {"from": ab, "to": [ba]}
    conns[b] = {"from": ba, "to": [ab]}
    sel.register(a, selectors.EVENT_READ, ("conn", a))
    sel.register(b, selectors.EVENT_READ | selectors.EVENT_WRITE, ("conn", b))
    STATS["conns"] += 1


def command(line):
    try:
        c = json.loads(line)
    except ValueError:
        return
    if "stats" in c:
        sys.stdout.write(json.dumps(STATS) + "\n")
        sys.stdout.flush()
        return
    CFG.drop = float(c.get("drop", CFG.drop))
    CFG.dup = float(c.get("dup", CFG.dup))
    CFG.delay = float(c.get("delay_ms", CFG.delay * 1000)) / 1000
    CFG.reorder = bool(c.get("reorder", CFG.reorder))
    CFG.jitter = bool(c.get("jitter", CFG.jitter))
    CFG.flip = float(c.get("flip", CFG.flip))
    CFG.inject = float(c.get("inject", CFG.inject))


def main():
    host, routes = sys.argv[1], sys.argv[2]
    for line in open(routes):
        if not line.strip():
            continue
        port, target = line.split()
        thost, tport = target.rsplit(":", 1)
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, int(port)))
        ls.listen(64)
        ls.setblocking(False)
        sel.register(ls, selectors.EVENT_READ, ("listen", ls, (thost, int(tport))))
    os.set_blocking(0, False)
    sel.register(0, selectors.EVENT_READ, ("stdin",))
    pending = ""
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        timeout = max(0.0, timers[0][0] - time.monotonic()) if timers else 1.0
        for key, ev in sel.select(timeout):
            kind = key.data[0]
            if kind == "listen":
                accept(key.data[1], key.data[2])
            elif kind == "stdin":
                try:
                    chunk = os.read(0, 65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    return
                pending += chunk.decode(errors="replace")
                while "\n" in pending:
                    line, pending = pending.split("\n", 1)
                    command(line)
            else:
                s = key.data[1]
                c = conns.get(s)
                if not c:
                    continue
                if ev & selectors.EVENT_WRITE:
                    for d in c["to"]:
                        d.flush()
                if ev & selectors.EVENT_READ and s in conns:
                    try:
                        data = s.recv(262144)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    if not data:
                        close_pair(c["from"])
                    else:
                        c["from"].feed(data)
                if s in conns:
                    watch(s)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, d, data = heapq.heappop(timers)
            d.send(data)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
