#!/usr/bin/env python3
"""make demo: a local Amalgam cluster on loopback, a workload, a machine killed
and rebuilt, every block checked (docs/deploy.md, "The demo").

Five `amalgam serve` (g = 3 data + f = 2 parity a stripe, 64-byte blocks) and
one `amalgam reconf` on free ports in a temporary folder; a few clients run
writes, reads and read-modify-writes, recording every acknowledged value and
checking every reply against that record; one machine is killed with
SIGKILL; reads of the other machines' blocks go on while the reconfiguration
service's failure detector suspects it; the demo then restarts it as a
supervisor would (systemd's Restart=always), with the command that first
started it, so its --data record makes it join, and the service replaces its
servers by amalgam.ho's protocol by itself; they rebuild their blocks from
their peers. The timeline (suspected, replaced, rebuilt) comes from the
service's and the machine's /metrics. Then every block is read back and
compared with the record and every stripe's parity is verified (`amalgam cli
verify`). Exit 0 only if everything matched. Every
process it starts is killed on the way out, on failure and on Ctrl-C too.

usage: demo.py AMALGAM [--short]    (--short: fewer stripes, shorter phases, for ctest)
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import amlocal
from amlocal import Resp

M, G, F, BLOCK = 5, 3, 2, 64
CLIENTS = 4
procs = {}  # name -> Popen: everything this script started


def block_of(v):
    """v's block: v itself (any bytes), or an int v as its first byte."""
    return v if isinstance(v, bytes) else amlocal.block_of(v, BLOCK)


def add_at(blk, n, at):
    """AM.ADD's result: n plus the little-endian integer of the 8 bytes
    from byte at (those past the block's end cut), mod 2^64."""
    k = min(8, BLOCK - at)
    v = (int.from_bytes(blk[at:at + k], "little") + n) % (1 << (8 * k))
    return blk[:at] + v.to_bytes(k, "little") + blk[at + k:]


def data_machine(b, s):
    return amlocal.data_machine(b, s, M)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = {"write": 0, "read": 0, "add": 0, "xor": 0, "cas": 0}
        self.errors = []
        self.tryagain = 0

    def count(self, kind):
        with self.lock:
            self.ops[kind] += 1

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def total(self):
        with self.lock:
            return sum(self.ops.values())


class Client(threading.Thread):
    """Owns a disjoint set of blocks, so that the value it recorded for a block
    is the block's value: every reply (an op's old value, a read) must equal it."""

    def __init__(self, cid, ports, blocks, record, stats, stop, mode, fill):
        super().__init__(daemon=True)
        self.ports, self.blocks, self.record, self.stats = ports, blocks, record, stats
        self.stop, self.mode, self.fill = stop, mode, fill
        self.rng = random.Random(cid)
        self.conns = {}

    def conn(self, m):
        if m not in self.conns:
            self.conns[m] = Resp(self.ports[m], timeout=30)
        return self.conns[m]

    def op(self, b, s, *args):
        c = self.conn(data_machine(b, s))
        for _ in range(500):  # TRYAGAIN: the model did not take it, nothing changed
            r = c.cmd(*args)
            if r[0] != "err" or not r[1].startswith("TRYAGAIN"):
                return r
            with self.stats.lock:
                self.stats.tryagain += 1
            time.sleep(0.02)
        return r

    def one(self, b, s):
        rec = self.record
        old = block_of(rec[(b, s)])  # blocks of random bytes
        k = "read" if self.mode == "read" else self.rng.choice(["write", "write", "read", "read", "add", "xor", "cas"])
        if k == "read":
            r = self.op(b, s, "AM.READ", b, s)
            new = old
        elif k == "write":
            new = self.rng.randbytes(BLOCK)
            r = self.op(b, s, "AM.WRITE", b, s, new)
        elif k == "add":  # an 8-byte counter at a random offset (the last ones cut)
            n, at = self.rng.randrange(1 << 40), self.rng.randrange(BLOCK)
            new = add_at(old, n, at)
            r = self.op(b, s, "AM.ADD", b, s, n, at)
        elif k == "xor":
            x = self.rng.randbytes(BLOCK)
            new = bytes(p ^ q for p, q in zip(old, x))
            r = self.op(b, s, "AM.XOR", b, s, x)
        else:  # a CAS that succeeds or fails, by a coin: the record knows which
            exp = old if self.rng.random() < 0.5 else add_at(old, 1, 0)
            nv = self.rng.randbytes(BLOCK)
            new = nv if exp == old else old
            r = self.op(b, s, "AM.CAS", b, s, exp, nv)
        if r != ("bulk", old):
            self.stats.error(f"{k} {b}.{s}: reply {r[0]} {r[1][:8]!r}, the client's record says {old[:8]!r}")
            return
        rec[(b, s)] = new  # acknowledged: recorded
        self.stats.count(k)

    def run(self):
        try:
            for b, s in self.fill:
                if self.stop.is_set():
                    break
                v = self.rng.randbytes(BLOCK)
                r = self.op(b, s, "AM.WRITE", b, s, v)
                if r != ("bulk", block_of(self.record[(b, s)])):
                    self.stats.error(f"write {b}.{s}: reply {r[0]}, the client's record says {self.record[(b, s)]}")
                else:
                    self.record[(b, s)] = v
                    self.stats.count("write")
            while not self.stop.is_set() and self.blocks:
                b, s = self.rng.choice(self.blocks)
                self.one(b, s)
        except OSError as e:
            self.stats.error(f"client connection: {e}")
        finally:
            for c in self.conns.values():
                c.close()


def run_phase(name, seconds, ports, owned, record, stats, mode, tty, fill=None, until=None):
    """Runs CLIENTS clients for `seconds` (or until until() is true) with a progress line."""
    stop = threading.Event()
    cl = [Client(i, ports, owned[i], record, stats, stop, mode, (fill or {}).get(i, []))
          for i in range(CLIENTS)]
    for c in cl:
        c.start()
    t0 = time.time()
    n0 = stats.total()
    last = 0
    while True:
        time.sleep(0.25)
        el = time.time() - t0
        done = (until() if until else False) or el >= seconds
        n = stats.total()
        line = (f"  {name:<26} {el:5.1f} s  {n - n0:6d} ops  {(n - n0) / max(el, 1e-9):7.0f} ops/s  "
                f"{len(stats.errors)} mismatches")
        if tty:
            print("\r" + line, end="", flush=True)
        elif el - last >= 2:
            print(line, flush=True)
            last = el
        if done or stats.errors or el > 60:
            break
    stop.set()
    for c in cl:
        c.join(timeout=40)
    el = time.time() - t0
    n = stats.total()
    line = f"  {name:<26} {el:5.1f} s  {n - n0:6d} ops  {(n - n0) / max(el, 1e-9):7.0f} ops/s  {len(stats.errors)} mismatches"
    print(("\r" if tty else "") + line, flush=True)
    return n - n0, el


def start(name, args, log):
    procs[name] = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def cleanup(*_):
    for p in procs.values():
        if p.poll() is None:
            p.kill()
    for p in procs.values():
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


def on_signal(sig, frame):
    cleanup()
    print("\ndemo: interrupted; every process it started is stopped", flush=True)
    os._exit(130)


def main():
    am = os.path.abspath(sys.argv[1])
    short = "--short" in sys.argv[2:]
    stripes = 20 if short else 100  # blocks: stripes x g
    t_work, t_down, t_after = (3, 1.5, 2) if short else (10, 4, 5)
    tty = sys.stdout.isatty()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    tmp = tempfile.mkdtemp(prefix="amalgam-demo-")
    # machine m takes B + 20 m .. + 16 (base=P: 3 ranges of M, client, metrics); reconf B + 100..
    base = amlocal.ports_base(110)
    path = os.path.join(tmp, "demo.cluster")
    with open(path, "w") as fh:
        fh.write(f"# make demo: five machines on loopback (docs/deploy.md, The demo)\n"
                 f"g {G}\nf {F}\nblock {BLOCK}\nstripes {stripes}\nblocks-per-instance 1\n")
        for m in range(M):
            fh.write(f"machine {m} 127.0.0.1 base={base + 20 * m}\n")
        fh.write(f"reconf 0 127.0.0.1:{base + 100} metrics={base + 105}\n")
    ports = [base + 20 * m + 3 * M for m in range(M)]  # client = base + 3M
    rmet = base + 105  # the reconfiguration service's /metrics
    mmet = [base + 20 * m + 3 * M + 1 for m in range(M)]  # metrics = base + 3M + 1
    ok = False
    t_start = time.time()
    try:
        print(f"Amalgam on loopback: {M} machines, stripes of g = {G} data + f = {F} parity blocks "
              f"of {BLOCK} B, {stripes} stripes ({stripes * G} blocks); cluster file {path}", flush=True)
        serve = lambda m: [am, "serve", "--cluster", path, "--machine", str(m),
                           "--data", os.path.join(tmp, f"data{m}")]
        for m in range(M):
            start(f"m{m}", serve(m), os.path.join(tmp, f"m{m}.log"))
        start("reconf", [am, "reconf", "--cluster", path, "--id", "0", "--log", "info",
                         "--data", os.path.join(tmp, "reconf")], os.path.join(tmp, "reconf.log"))
        deadline = time.time() + 20
        for m in range(M):
            while True:
                try:
                    c = Resp(ports[m], timeout=30)
                    up = c.cmd("PING") == ("ok", "PONG")
                    c.close()
                    if up:
                        break
                except OSError:
                    pass
                for n, p in procs.items():
                    if p.poll() is not None:
                        raise SystemExit(f"demo: {n} exited ({p.returncode}): see {tmp}/{n}.log")
                if time.time() > deadline:
                    raise SystemExit(f"demo: machine {m}'s client port {ports[m]} never answered")
                time.sleep(0.1)
        print(f"started: 5 x amalgam serve, amalgam reconf ({time.time() - t_start:.1f} s)", flush=True)

        blocks = [(b, s) for b in range(stripes) for s in range(G)]
        record = {k: 0 for k in blocks}  # every block starts as zeros
        owned = {i: [k for j, k in enumerate(blocks) if j % CLIENTS == i] for i in range(CLIENTS)}
        stats = Stats()
        print(f"workload: {CLIENTS} clients, each owning a quarter of the blocks: random-byte writes, reads, ADD at offsets, XOR, CAS; "
              f"every reply checked against the client's record", flush=True)
        n1, e1 = run_phase("all machines up", t_work, ports, owned, record, stats, "mixed", tty, fill=owned)
        if stats.errors:
            raise SystemExit("demo: " + stats.errors[0])

        dead = 2
        procs[f"m{dead}"].kill()
        procs[f"m{dead}"].wait()
        t_kill = time.time()
        mine = [k for k in blocks if data_machine(*k) == dead]
        print(f"killed machine {dead} (SIGKILL): it held {len(mine)} data blocks and parity of every stripe. "
              f"With every machine in every stripe, writes now wait for its parity acknowledgement; "
              f"reads of the other machines' blocks go on while the reconfiguration service notices "
              f"its silence (suspect-ms 1500):", flush=True)
        live = {i: [k for k in owned[i] if data_machine(*k) != dead] for i in range(CLIENTS)}
        n2, e2 = run_phase(f"machine {dead} down (reads)", t_down, ports, live, record, stats, "read", tty)
        if stats.errors:
            raise SystemExit("demo: " + stats.errors[0])

        sus = f'hoc_amalgam_reconf_suspected_at_ms{{machine="{dead}"}}'
        page = amlocal.wait_metrics(rmet, lambda p: p[sus] > 0)
        if not page[sus]:
            raise SystemExit(f"demo: the reconfiguration service did not suspect machine {dead} in 30 s")
        t_suspect = page[sus] / 1000
        print(f"  suspected: the reconfiguration service suspected machine {dead} "
              f"{t_suspect - t_kill:.1f} s after the kill", flush=True)
        print(f"restarting machine {dead} with the same command, as its supervisor would (no spare "
              f"machine: moving its servers to one is designed, not built): its --data record says "
              f"it served, so it joins, and the service replaces each of its servers by itself",
              flush=True)
        t_restart = time.time()
        start(f"m{dead}", serve(dead), os.path.join(tmp, f"m{dead}-restart.log"))
        rebuilt = {}
        conn = None
        while len(rebuilt) < len(mine) and time.time() < t_restart + 30:
            try:
                conn = conn or Resp(ports[dead], timeout=30)
                for k in mine:
                    if k not in rebuilt:
                        r = conn.cmd("AM.READ", *k)
                        if r[0] == "bulk":
                            rebuilt[k] = r[1]
            except OSError:
                conn = None
            time.sleep(0.05)
        t_rebuild = time.time() - t_restart
        if conn:
            conn.close()
        # one server of machine dead in every instance (k = M machines): a replacement each
        rep = f'hoc_amalgam_reconf_machine_replacements_total{{machine="{dead}"}}'
        page = amlocal.wait_metrics(rmet, lambda p: p[rep] >= stripes)
        t_replaced = page[f'hoc_amalgam_reconf_replaced_at_ms{{machine="{dead}"}}'] / 1000
        mpage = amlocal.wait_metrics(mmet[dead], lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                and p["hoc_amalgam_rebuilt_at_ms"] > 0)
        t_whole = mpage["hoc_amalgam_rebuilt_at_ms"] / 1000
        if page[rep] < stripes or mpage["hoc_amalgam_degraded_instances"]:
            raise SystemExit(f"demo: machine {dead}: {page[rep]} of {stripes} servers replaced, "
                             f"{mpage['hoc_amalgam_degraded_instances']} instances still degraded after 30 s")
        print(f"  replaced: all {page[rep]} of machine {dead}'s servers (one per instance) "
              f"{t_replaced - t_restart:.1f} s after the restart; whole again (blocks and parity rows "
              f"rebuilt) {t_whole - t_restart:.1f} s after it", flush=True)
        bad = [k for k in mine if rebuilt.get(k) != block_of(record[k])]
        print(f"  rebuilt: {len(rebuilt)} of {len(mine)} blocks of machine {dead} readable "
              f"{t_rebuild:.1f} s after the restart, {len(bad)} differing from the record", flush=True)
        if bad:
            raise SystemExit(f"demo: {len(bad)} rebuilt blocks differ from the record, e.g. {bad[0]}")

        n3, e3 = run_phase("after the rebuild", t_after, ports, owned, record, stats, "mixed", tty)
        if stats.errors:
            raise SystemExit("demo: " + stats.errors[0])

        print(f"checking every block against the client's record, and every stripe's parity ...", flush=True)
        wrong = []
        conns = {}
        for k in blocks:
            m = data_machine(*k)
            conns[m] = conns.get(m) or Resp(ports[m], timeout=30)
            r = conns[m].cmd("AM.READ", *k)
            if r != ("bulk", block_of(record[k])):
                wrong.append(k)
        for c in conns.values():
            c.close()
        parity_bad = []
        for b in range(stripes):
            r = subprocess.run([am, "cli", "--cluster", path, "verify", str(b)], capture_output=True,
                               text=True, timeout=60)
            if r.returncode != 0:
                parity_bad.append((b, (r.stdout + r.stderr).strip()))
        total = stats.total()
        ok = not wrong and not parity_bad and not stats.errors
        print(f"\nsummary:\n"
              f"  ops acknowledged   {total} ({', '.join(f'{v} {k}' for k, v in stats.ops.items())}); "
              f"{stats.tryagain} TRYAGAIN retried\n"
              f"  throughput         {n1 / e1:.0f} ops/s with all machines up, {n3 / e3:.0f} ops/s after "
              f"the rebuild; {n2 / e2:.0f} reads/s with machine {dead} down\n"
              f"  kill               machine {dead} (SIGKILL), at 0.0 s\n"
              f"  suspected at       {t_suspect - t_kill:.1f} s (by the reconfiguration service, suspect-ms 1500)\n"
              f"  restarted at       {t_restart - t_kill:.1f} s (by the demo, as a supervisor)\n"
              f"  replaced at        {t_replaced - t_kill:.1f} s (its {page[rep]} servers, by amalgam.ho's "
              f"replacement)\n"
              f"  rebuilt at         {t_whole - t_kill:.1f} s (every server whole again, by its own /metrics)\n"
              f"  rebuild            machine {dead}'s {len(mine)} data blocks read back right {t_rebuild:.1f} s "
              f"after its restart (its parity rows: the parity line below)\n"
              f"  blocks checked     {len(blocks)}: {len(blocks) - len(wrong)} match the record, "
              f"{len(wrong)} differ\n"
              f"  parity             {stripes - len(parity_bad)} of {stripes} stripes verify\n"
              f"  result             {'OK' if ok else 'FAILED'} in {time.time() - t_start:.1f} s", flush=True)
        for k in wrong[:5]:
            print(f"  block {k[0]}.{k[1]} differs from the record ({block_of(record[k])[:8]!r}...)")
        for b, why in parity_bad[:5]:
            print(f"  stripe {b}: {why}")
    except SystemExit as e:
        print(f"\n{e}", flush=True)
    finally:
        cleanup()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"demo: FAILED; logs kept in {tmp}", flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
