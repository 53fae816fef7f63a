#!/usr/bin/env python3
"""ctest amalgam-faults-SCENARIO: an Amalgam cluster on loopback (5
machines, g = 3, f = 2, 64-byte blocks, 20 stripes) under machine faults,
with concurrent clients (tests/amalgam/amwork.py) whose history must be
linearizable (hoc-lincheck --model block).

Scenarios:
  load     kill -9 a machine under load, restart it with its --data (it
           rejoins as a replacement); then another
  idle     the same with no client running (then load)
  two      f = 2 machines killed at once under load, restarted together;
           then two others, restarted one after the other (the second
           1-2 s later, while the first is being replaced)
  rebuild  a machine killed, restarted, killed again while it rebuilds
           (before its blocks are back), restarted again, under load
  garbage  corrupt and truncated chunks and frames to every process's mux
           port (a machine's data port, the reconf replica's port: where
           its groups' connections arrive) and bad requests to the client
           ports, under load; then silent strangers hold more sockets at
           every mux port than a mux keeps unnamed (64), renewed as they
           go, while a machine is killed and restarted: its dials must
           still get in and it must be rebuilt. Nothing else changes, no
           process dies
  large    idle, then load, at 128 KiB blocks with four blocks a shard per
           instance (the 131072:4 build: a state of 87 blocks, 11 MiB, which
           a replacement once copied onto the stack)
  down     6 machines, g = 3, f = 2, one witness, 24 stripes: a machine
           killed and left down; once the reconfiguration service suspects
           it, writes to the stripes where it was a parity server or witness
           go on (each block written at least DOWN_MIN times, more than a
           data server's window could take without drops), each read back
           right after it is acknowledged; then it is restarted and rebuilt

Before the faults every block of every stripe outside the clients' blocks
gets a distinct value; afterwards each must read back with those bytes,
the clients' blocks must hold what their last writes left (lost writes),
every stripe's parity must verify (`amalgam cli verify`), and every
process must exit 0 on SIGTERM. Every process the test starts is stopped.

usage: run.py AMALGAM LINCHECK SCENARIO
"""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
import amlocal  # noqa: E402
import amwork  # noqa: E402

AM, LINCHECK, SCENARIO = sys.argv[1:4]
M, G, F, W, BLOCK, STRIPES, HOT = 5, 3, 2, 0, 64, 20, 8
PER = 1  # blocks-per-instance
if SCENARIO == "down":
    M, W, STRIPES = 6, 1, 24
if SCENARIO == "large":
    BLOCK, PER = 131072, 4
DOWN_MIN = 5  # writes a block of the down machine's stripes must take (the window holds 2)
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL", what, flush=True)
    return ok


class Cluster:
    """M `amalgam serve` and one `amalgam reconf` on loopback."""

    def __init__(self, tmp):
        step = 3 * M + 2  # data, parity, witness ranges of M ports, client, metrics
        self.tmp, self.base = tmp, amlocal.ports_base(step * M + M + 1)
        self.path = os.path.join(tmp, "local.cluster")
        lines = [f"g {G}", f"f {F}", f"witnesses {W}", f"block {BLOCK}", f"stripes {STRIPES}",
                 f"blocks-per-instance {PER}"] + (["suspect-ms 500"] if SCENARIO == "down" else [])
        for m in range(M):
            lines.append(f"machine {m} 127.0.0.1 base={self.base + step * m}")
        self.reconf_metrics = self.base + step * M + M
        lines.append(f"reconf 0 127.0.0.1:{self.base + step * M} metrics={self.reconf_metrics}")
        with open(self.path, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        self.client = [self.base + step * m + 3 * M for m in range(M)]
        # where each process listens for its peers: a machine's data port
        # (its mux: the other class ports only name channels), the reconf's
        self.mux = [self.base + step * m for m in range(M)] + [self.base + step * M]
        self.procs, self.all, self.starts = [None] * M, [], [0] * M

    def start(self, m):
        log = open(os.path.join(self.tmp, f"m{m}.{self.starts[m]}.log"), "w")
        self.starts[m] += 1
        p = subprocess.Popen([AM, "serve", "--cluster", self.path, "--machine", str(m),
                              "--data", os.path.join(self.tmp, f"data{m}"),
                              "--log", os.environ.get("AMFAULT_LOG", "warn")],
                             stdout=subprocess.DEVNULL, stderr=log)
        self.procs[m] = p
        self.all.append(p)

    def start_all(self):
        for m in range(M):
            self.start(m)
        self.all.append(subprocess.Popen([AM, "reconf", "--cluster", self.path, "--id", "0"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=open(os.path.join(self.tmp, "reconf.log"), "w")))

    def kill(self, m):
        self.procs[m].kill()
        self.procs[m].wait()

    def read(self, b, s, timeout=20):
        """Block (b, s) through its machine, waiting out refusals; None on timeout."""
        m = amlocal.data_machine(b, s, M)
        end = time.time() + timeout
        while time.time() < end:
            try:
                c = amlocal.Resp(self.client[m], timeout=5)
                got = c.cmd("AM.READ", b, s)
                c.close()
                if got[0] == "bulk":
                    return got[1]
            except OSError:
                pass
            time.sleep(0.1)
        return None

    def write(self, b, s, v, timeout=20):
        m = amlocal.data_machine(b, s, M)
        end = time.time() + timeout
        while time.time() < end:
            try:
                c = amlocal.Resp(self.client[m], timeout=5)
                got = c.cmd("AM.WRITE", b, s, amlocal.block_of(v, BLOCK))
                c.close()
                if got[0] == "bulk":
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def verify(self, b):
        try:
            r = subprocess.run([AM, "cli", "--cluster", self.path, "verify", str(b)],
                               capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            return False, "no answer in 20 s"
        return r.returncode == 0 and "parity ok" in r.stdout, (r.stdout + r.stderr).strip()

    def stop(self):
        """SIGTERM to every process still running; each must exit 0."""
        amlocal.stop_all(self.all, check)


class Work:
    """amwork.py's clients against the cluster."""

    def __init__(self, cl, seed):
        self.tmp = cl.tmp
        self.history = os.path.join(cl.tmp, "history.txt")
        self.final = os.path.join(cl.tmp, "final.json")
        self.progress = os.path.join(cl.tmp, "progress.json")
        self.p = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "..", "amwork.py"),
             "--machines", ",".join(f"127.0.0.1:{p}" for p in cl.client), "--g", str(G),
             "--blocks", str(HOT), "--block-size", str(BLOCK), "--clients", "4",
             "--seed", str(seed), "--history", self.history, "--progress", self.progress,
             "--final", self.final, "--op-timeout", "3"],
            stdin=subprocess.PIPE, stderr=open(os.path.join(cl.tmp, "clients.log"), "w"))

    def acked(self):
        try:
            with open(self.progress) as f:
                return sum(json.load(f))
        except (OSError, ValueError):
            return 0

    def wait_acked(self, more, limit=20):
        """Until `more` ops beyond now are acknowledged: seconds, or None."""
        t0, base = time.time(), self.acked()
        while time.time() - t0 < limit:
            if self.acked() >= base + more:
                return time.time() - t0
            time.sleep(0.05)
        return None

    def finish(self):
        """Stops the clients and checks what they saw: ops in the history."""
        self.p.stdin.close()
        try:
            self.p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        check(self.p.returncode == 0, f"the clients' final reads failed (exit {self.p.returncode})")
        ops = amwork.parse_history(self.history)
        acked = sum(1 for o in ops if o[2] is not None and o[0] != "final")
        pend = sum(1 for o in ops if o[2] is None)
        try:
            with open(self.final) as f:
                final = json.load(f)["values"]
        except (OSError, ValueError):
            final = None
        if check(final is not None, "no final values"):
            final = {k: bytes.fromhex(v) for k, v in final.items()}
            for k, v, cands in amwork.lost_writes(ops, final, BLOCK):
                check(False, f"lost write: block {k} reads {v[:1].hex()} after the faults, "
                             f"the last writes left one of {[c[:1].hex() for c in cands]}")
        r = subprocess.run([LINCHECK, "--model", "block", "--block-size", str(BLOCK), "--budget", "60",
                            "--html", self.history + ".html", self.history],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0, f"hoc-lincheck {self.history}: exit {r.returncode}: "
                                 f"{' '.join(r.stdout.strip().splitlines()[-4:])}")
        check(acked >= 50, f"only {acked} ops acknowledged")
        verdict = {0: "linearizable", 1: "NOT linearizable", 3: "unknown"}.get(r.returncode, "error")
        return acked, pend, verdict


def cold_blocks():
    return [(b, s) for b in range(STRIPES) for s in range(G)
            if not (b < HOT and s == amwork.shard(b, G, M))]


def chunk(kind, port, chan, length, body=b""):
    """A mux chunk (docs/runtime.md, "The mux's chunks")."""
    return bytes([kind, 0]) + port.to_bytes(2, "little") + chan.to_bytes(4, "little") + \
        length.to_bytes(4, "little") + body


NONCE = chunk(5, 0, 0, 16)  # what a mux says first, then 16 random bytes


def garbage(cl, rng):
    """Bad chunks and frames to every mux port, bad client requests."""
    frames = [chunk(1, 1, 1, 32, bytes(rng.randrange(256) for _ in range(32))),  # a HELLO, wrong MAC
              chunk(1, 1, 0, 32, bytes(32)),  # naming the process itself
              chunk(1, 2, 1, 32, bytes(32)),  # another mux version
              chunk(1, 1, 1, 1000),  # a HELLO longer than 64
              chunk(1, 1, 1, 32, bytes(8)),  # one cut short
              chunk(2, 0, 2, 0), chunk(3, 0, 2, 0xffffffff, b"x"),  # OPEN, 4 GiB DATA before a HELLO
              chunk(5, 0, 0, 16, bytes(16)),  # a NONCE to the acceptor
              chunk(2, 0, 2, 0)[:7], bytes([1, 7]) + bytes(10),  # a header cut short, a reserved byte
              b"\x00" * 64, bytes(rng.randrange(256) for _ in range(300)),
              b"\xff\xff\xff\x7f\x06\x01\x00\x00",  # a hoc frame claiming 2 GiB
              b"\x18\x00\x00\x00\x06\x01\x00\x00" + bytes(8),  # a hoc HELLO cut short
              b"GET / HTTP/1.0\r\n\r\n"]
    sent = 0
    for port in cl.mux:
        for fr in frames:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    got = b""
                    while len(got) < 28:  # a mux: its NONCE first
                        r = s.recv(28 - len(got))
                        if not r:
                            break
                        got += r
                    check(got[:12] == NONCE, f"mux port {port} said {got[:16]!r}, not a NONCE")
                    s.sendall(fr)
                    s.shutdown(socket.SHUT_WR)
                    while s.recv(4096):  # nothing more: it closes
                        pass
                    sent += 1
            except ConnectionResetError:
                sent += 1
            except OSError as e:
                check(False, f"mux port {port} with {fr[:16]!r}: {e}")
    bad = [b"*3\r\n$7\r\nAM.READ\r\n$-1\r\n", b"*1\r\n$99999999999\r\n", b"*-5\r\n",
           b"*4\r\n$8\r\nAM.WRITE\r\n$1\r\n0\r\n$1\r\n0\r\n$64\r\nshort",
           b"AM.WRITE 0 0 " + b"x" * 63 + b"\r\n", b"*2\r\n$4\r\nAM.X\r\n$0\r\n\r\n",
           b"*6\r\n$6\r\nAM.ADD\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n1\r\n$2\r\nID\r\n$0\r\n\r\n"]
    for m in range(M):
        for req in bad:
            try:
                with socket.create_connection(("127.0.0.1", cl.client[m]), timeout=5) as s:
                    s.sendall(req)
                    s.shutdown(socket.SHUT_WR)
                    got = s.recv(4096)
                    check(got.startswith(b"-ERR") or got == b"", f"client port of {m}: {req[:20]!r} got {got[:60]!r}")
                    sent += 1
            except OSError as e:
                check(False, f"client port of {m} with {req[:20]!r}: {e}")
    return sent


class Strangers:
    """Silent sockets held at each of ports, PER of them (more than the 64
    a mux keeps without a HELLO), renewed every 50 ms as the muxes close
    them (5 s without a HELLO, or evicted by a newer one) and while a port
    is down: anyone who reaches a port can do this, no secret needed."""

    PER = 70

    def __init__(self, ports):
        self.socks = {p: [] for p in ports}
        self.opened = 0
        self.done = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.done.is_set():
            for p, held in self.socks.items():
                alive = []
                for s in held:
                    try:
                        if s.recv(4096):  # its NONCE
                            alive.append(s)
                            continue
                    except BlockingIOError:
                        alive.append(s)
                        continue
                    except OSError:
                        pass
                    s.close()  # closed by the mux
                while len(alive) < self.PER:
                    try:
                        s = socket.create_connection(("127.0.0.1", p), timeout=1)
                    except OSError:
                        break  # down: the next round
                    s.setblocking(False)
                    alive.append(s)
                    self.opened += 1
                self.socks[p] = alive
            self.done.wait(0.05)

    def close(self):
        self.done.set()
        self.t.join()
        for held in self.socks.values():
            for s in held:
                s.close()


def kill_restart(cl, victims, work, rng, stagger=0.0):
    """kill -9 of the victims at once, restarted together after a moment
    (or stagger seconds apart); with work, progress must resume, and every
    data block of the victims must read back (rebuilt) and every stripe
    verify within 30 s of the last restart: what happened."""
    for m in victims:
        cl.kill(m)
    time.sleep(rng.uniform(0.5, 1.5))
    for i, m in enumerate(victims):
        if i:
            time.sleep(stagger)
        cl.start(m)
    t0 = time.time()
    if work:
        check(work.wait_acked(30) is not None, f"machines {victims}: no progress within 30 s of their restart")
    took = rebuilt(cl, victims, t0 + 30)
    check(took is not None, f"machines {victims}: not rebuilt within 30 s of their restart")
    apart = f", restarted {stagger:.1f} s apart" if stagger else ""
    return f"killed {victims}{apart}, rebuilt in {took or -1:.1f} s"


def rebuilt(cl, victims, deadline):
    """Seconds until every data block of the victims reads back and every
    stripe's parity verifies (their parity rows rebuilt too), or None."""
    t0 = time.time()
    mine = [(b, s) for b in range(STRIPES) for s in range(G) if amlocal.data_machine(b, s, M) in victims]
    for (b, s) in mine:
        if cl.read(b, s, timeout=max(1, deadline - time.time())) is None:
            return None
    for b in range(STRIPES):
        while not cl.verify(b)[0]:
            if time.time() > deadline:
                return None
            time.sleep(0.1)
    return time.time() - t0


def down(cl, work, rng, want):
    """A machine killed and left down: once suspected, its parity and
    witness servers are being replaced and their stripes take writes (each
    read back at once); then it is restarted and rebuilt: what happened."""
    v = rng.randrange(M)
    mine = [(b, s) for (b, s) in sorted(want) if G <= (v + b) % M < G + F + W]
    blocks = rng.sample(mine, min(6, len(mine)))
    cl.kill(v)
    t0 = time.time()
    key = f'hoc_amalgam_reconf_suspected{{machine="{v}"}}'
    page = amlocal.wait_metrics(cl.reconf_metrics, lambda p: p[key] == 1, timeout=20)
    check(page[key] == 1, f"machine {v} not suspected within 20 s of its kill")
    suspected = time.time() - t0
    acked0, took, n = work.acked(), [], 0
    for (b, s) in blocks:
        t1 = time.time()
        for i in range(DOWN_MIN):
            val = 1 + (7 * n + i) % 200
            if not check(cl.write(b, s, val, timeout=15),
                         f"machine {v} down: write {i + 1} of block {b}.{s} not acknowledged in 15 s"):
                want.pop((b, s), None)  # it may still run: what the block holds is unknown
                break
            want[(b, s)] = val
            got = cl.read(b, s, timeout=15)
            check(got == amlocal.block_of(val, BLOCK),
                  f"machine {v} down: block {b}.{s} reads {got and got[:1].hex()} after writing {val:02x}")
        n += 1
        took.append(time.time() - t1)
    others = work.acked() - acked0
    check(others > 0, f"machine {v} down: the clients got no op acknowledged")
    cl.start(v)
    t2 = time.time()
    back = rebuilt(cl, [v], t2 + 30)
    check(back is not None, f"machine {v}: not rebuilt within 30 s of its restart")
    return (f"machine {v} killed, suspected after {suspected:.1f} s; {len(blocks)} blocks of its "
            f"{len({b for b, _ in mine})} parity and witness stripes written {DOWN_MIN} times each "
            f"({max(took or [0]):.1f} s at most a block), the clients {others} ops meanwhile; "
            f"restarted, rebuilt in {back or -1:.1f} s")


def dump_info(cl):
    """AM.INFO of every machine into the log folder: where instances stand."""
    with open(os.path.join(cl.tmp, "info.txt"), "w") as f:
        for m in range(M):
            try:
                c = amlocal.Resp(cl.client[m], timeout=5)
                got = c.cmd("AM.INFO")
                c.close()
                f.write(got[1].decode().replace("\r\n", "\n") if got[0] == "bulk" else f"{m}: {got}\n")
            except OSError as e:
                f.write(f"machine {m}: {e}\n")


def main():
    tmp = tempfile.mkdtemp(prefix=f"amalgam-faults-{SCENARIO}-")
    seed = int(os.environ.get("AMFAULT_SEED", time.time()))
    rng = random.Random(seed)
    print(f"amalgam-faults-{SCENARIO}: seed {seed}, logs in {tmp}", flush=True)
    cl = Cluster(tmp)
    work = None
    try:
        cl.start_all()
        want = {}
        for (b, s) in cold_blocks():
            v = 100 + (b * G + s) % 150
            if check(cl.write(b, s, v), f"first write of {b}.{s}"):
                want[(b, s)] = v
        what = []
        if SCENARIO in ("idle", "large"):
            what.append(kill_restart(cl, [rng.randrange(M)], None, rng) + " with no load")
        work = Work(cl, seed)
        check(work.wait_acked(30) is not None, "no ops acknowledged at the start")
        if SCENARIO == "large":
            what.append(kill_restart(cl, [rng.randrange(M)], work, rng) + " under load")
        elif SCENARIO == "load":
            first, second = rng.sample(range(M), 2)
            what.append(kill_restart(cl, [first], work, rng) + " under load")
            what.append(kill_restart(cl, [second], work, rng) + " under load")
        elif SCENARIO == "two":
            first = rng.sample(range(M), F)
            what.append(kill_restart(cl, first, work, rng) + " under load")
            # the first restarted is replaced while the other is still down
            second = rng.sample([m for m in range(M) if m not in first] + first[:1], F)
            what.append(kill_restart(cl, second, work, rng, rng.uniform(1, 2)) + " under load")
        elif SCENARIO == "rebuild":
            m = rng.randrange(M)
            cl.kill(m)
            time.sleep(0.5)
            cl.start(m)
            time.sleep(rng.uniform(0.05, 0.3))  # its instances are still joining
            cl.kill(m)
            time.sleep(0.5)
            t0 = time.time()
            cl.start(m)
            check(work.wait_acked(30) is not None, f"no progress after machine {m} came back")
            took = rebuilt(cl, [m], t0 + 30)
            check(took is not None, f"machine {m} not rebuilt within 30 s of its restart")
            what.append(f"machine {m} killed during its rebuild, rebuilt in {took or -1:.1f} s")
        elif SCENARIO == "down":
            what.append(down(cl, work, rng, want))
        elif SCENARIO == "garbage":
            n = garbage(cl, rng)
            check(work.wait_acked(30) is not None, "no progress after the garbage")
            check(all(p.poll() is None for p in cl.procs), "a machine died of bad input")
            what.append(f"{n} corrupt chunks, frames and bad requests")
            strangers = Strangers(cl.mux)
            try:
                time.sleep(1)
                what.append(kill_restart(cl, [rng.randrange(M)], work, rng) +
                            f" with {Strangers.PER} silent strangers at every mux port")
            finally:
                strangers.close()
            what[-1] += f" ({strangers.opened} opened)"
        time.sleep(1)
        acked, pend, work_verdict = work.finish()
        work = None
        for (b, s), v in sorted(want.items()):
            got = cl.read(b, s)
            if not check(got == amlocal.block_of(v, BLOCK), f"block {b}.{s}: {got and got[:1].hex()}, wrote {v:02x}") \
                    and got is None:
                break  # the cluster does not answer: the rest would wait as long
        for b in range(STRIPES):
            ok, out = cl.verify(b)
            if not check(ok, f"verify {b}: {out}") and len(fails) > 3:
                break
        print(f"amalgam-faults-{SCENARIO}: {'; '.join(what)}; {acked} ops acknowledged, {pend} pending, history "
              f"{work_verdict}; {len(want)} other blocks read back, {STRIPES} stripes verified",
              flush=True)
    finally:
        if fails:
            dump_info(cl)
        if work:
            work.p.kill()
            work.p.wait()
        cl.stop()
    if fails:
        print(f"{len(fails)} failures (logs in {tmp})")
        return 1
    shutil.rmtree(tmp, ignore_errors=True)  # logs are kept only for a failure
    return 0


if __name__ == "__main__":
    sys.exit(main())
