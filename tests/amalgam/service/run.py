#!/usr/bin/env python3
"""ctest amalgam-service: the Amalgam service end to end on loopback.

Five `amalgam serve` (g = 3, f = 2, 64-byte blocks, 10 stripes) and one
`amalgam reconf` on ports found free; distinct values written to every
block of every stripe (each machine's data server gets some), read back
through the client port and `amalgam cli`, every stripe's parity rows
checked against the ISA-L code of its data (`amalgam cli verify`);
the blocks of a killed machine rebuilt from the rest of their stripes
(`amalgam cli decode`), then the machine restarted as a user would, with
the same command and no flag: its --data record makes it join as a
replacement, and its blocks and parity rows are recovered by amalgam.ho's
replacement (a start without --data or --rejoin is refused);
malformed requests answered with errors and changing nothing; a machine
killed and the blocks whose data servers live read back; a block size the
build lacks and a port layout the class scheme cannot serve refused. Then a
7-machine cluster with two witnesses: writes, a rejoin, reads, parity. Every
process the test starts is killed at the end.

usage: run.py AMALGAM
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import amlocal  # noqa: E402
from amlocal import Resp  # noqa: E402

AM = sys.argv[1]
M, G, F, BLOCK, STRIPES = 5, 3, 2, 64, 10
procs = []
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL", what, flush=True)


def cluster_text(b, block=BLOCK):
    lines = [f"g {G}", f"f {F}", f"block {block}", f"stripes {STRIPES}", "blocks-per-instance 1"]
    for m in range(M):
        p = b + 20 * m
        lines.append(f"machine {m} 127.0.0.1 data={p} parity={p + 5} client={p + 10} metrics={p + 11}")
    lines.append(f"reconf 0 127.0.0.1:{b + 100} metrics={b + 105}")
    return "\n".join(lines) + "\n"



def start(args, log):
    p = subprocess.Popen([AM] + args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    procs.append(p)
    return p


def stop_all():
    """SIGTERM to every process still running: each must exit 0 (under ASan, no leak)."""
    amlocal.stop_all(procs, check)


def data_machine(b, s):
    return amlocal.data_machine(b, s, M)


def check_all(conns, want, path, when):
    """Every block reads back as recorded, every stripe's parity verifies."""
    for (b, s), v in sorted(want.items()):
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(v)), f"read {b}.{s} {when}: {got}")
    for b in range(STRIPES):
        r = run_cli(path, "verify", b)
        check(r.returncode == 0, f"verify {b} {when}: {r.stdout} {r.stderr}")


def run_cli(path, *args):
    return subprocess.run([AM, "cli", "--cluster", path] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=60)


def block_of(v):
    """v's block: v itself (any bytes), or an int v as its first byte."""
    return v if isinstance(v, bytes) else amlocal.block_of(v, BLOCK)


def main():
    tmp = tempfile.mkdtemp(prefix="amalgam-service-")
    base = amlocal.ports_base(120)  # machine m: B + 20 m .. + 11; reconf B + 100 .. + 104
    path = os.path.join(tmp, "local.cluster")
    with open(path, "w") as fh:
        fh.write(cluster_text(base))
    client = [base + 20 * m + 10 for m in range(M)]

    # ---- refusals before anything runs ----
    bad = os.path.join(tmp, "odd-block.cluster")
    with open(bad, "w") as fh:
        fh.write(cluster_text(base, block=192))
    r = subprocess.run([AM, "serve", "--cluster", bad, "--machine", "0"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "odd-block.cluster:3:" in r.stderr and "AMALGAM_VARIANTS" in r.stderr
          and "64 B x 1" in r.stderr, f"block without a build: exit {r.returncode} {r.stderr.strip()}")
    clash = os.path.join(tmp, "base.cluster")
    with open(clash, "w") as fh:
        fh.write(cluster_text(base).replace(f"data={base} parity={base + 5}",
                                            f"data={base} parity={base + 1}"))
    r = subprocess.run([AM, "serve", "--cluster", clash, "--machine", "0"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "base.cluster:6:" in r.stderr and "one port per rotation class" in r.stderr,
          f"class ports that meet: exit {r.returncode} {r.stderr.strip()}")
    high = os.path.join(tmp, "high.cluster")
    with open(high, "w") as fh:
        fh.write(cluster_text(base).replace(f"data={base + 20} ", "data=65533 "))
    r = subprocess.run([AM, "serve", "--cluster", high, "--machine", "0"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "high.cluster:7:" in r.stderr and "65533..65537" in r.stderr,
          f"class ports past 65535: exit {r.returncode} {r.stderr.strip()}")
    r = subprocess.run([AM, "check-cluster", path], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "serve: ok (amalgam.ho built with block 64 B, 1 a shard per instance)" in r.stdout,
          f"check-cluster {path}: {r.returncode} {r.stdout[-300:]}")
    # check-cluster refuses what serve cannot bind, with serve's message
    r = subprocess.run([AM, "check-cluster", clash], capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "base.cluster:6:" in r.stderr and "one port per rotation class" in r.stderr,
          f"check-cluster {clash}: {r.returncode} {r.stderr.strip()}")
    # base=P lays the ports out as serve needs them: a file of bases alone passes serve's check
    based = os.path.join(tmp, "based.cluster")
    with open(based, "w") as fh:
        fh.write("\n".join(l if not l.startswith("machine ") else " ".join(l.split()[:3]) + f" base={base + 20 * int(l.split()[1])}"
                           for l in cluster_text(base).splitlines()) + "\n")
    r = subprocess.run([AM, "check-cluster", based], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "serve: ok" in r.stdout, f"check-cluster {based}: {r.returncode} {r.stdout[-300:]} {r.stderr}")
    r = subprocess.run([AM, "reconf", "--cluster", path, "--id", "1"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 2, f"reconf --id 1 of a 1-replica cluster: exit {r.returncode}")
    # nothing would tell a first start from a restart: refused, saying what to pass
    r = subprocess.run([AM, "serve", "--cluster", path, "--machine", "0"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "pass --data DIR" in r.stderr and "--rejoin" in r.stderr,
          f"serve without --data: exit {r.returncode} {r.stderr.strip()}")
    r = subprocess.run([AM, "serve", "--cluster", path, "--machine", "0", "--data", path],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "not a directory" in r.stderr,
          f"serve --data FILE: exit {r.returncode} {r.stderr.strip()}")
    data = [os.path.join(tmp, f"data{m}") for m in range(M)]

    # ---- the cluster ----
    for m in range(M):
        start(["serve", "--cluster", path, "--machine", str(m), "--data", data[m]],
              os.path.join(tmp, f"m{m}.log"))
    rdata = os.path.join(tmp, "reconfdata")
    rcmd = ["reconf", "--cluster", path, "--id", "0", "--data", rdata]
    start(rcmd, os.path.join(tmp, "reconf.log"))
    conns = {}
    deadline = time.time() + 20
    for m in range(M):
        while m not in conns:
            try:
                c = Resp(client[m])
                if c.cmd("PING") == ("ok", "PONG"):
                    conns[m] = c
            except OSError:
                check(time.time() < deadline, f"machine {m}'s client port never answered")
                if time.time() >= deadline:
                    return tmp
                time.sleep(0.1)

    # every block of every stripe gets a distinct value, through its data server's machine
    want = {}
    t0 = time.time()
    for b in range(STRIPES):
        for s in range(G):
            v = 1 + b * G + s
            got = conns[data_machine(b, s)].cmd("AM.WRITE", b, s, block_of(v))
            check(got == ("bulk", bytes(BLOCK)), f"write {b}.{s}: {got}")
            want[(b, s)] = v
    per_write = (time.time() - t0) / len(want) * 1000
    # a second write to some blocks replies the value it replaced (executed's reply)
    for b, s in [(0, 0), (3, 2), (7, 1)]:
        v = 200 + b
        got = conns[data_machine(b, s)].cmd("AM.WRITE", b, s, block_of(v))
        check(got == ("bulk", block_of(want[(b, s)])), f"rewrite {b}.{s}: {got}, expected {want[(b, s)]}")
        want[(b, s)] = v
    for (b, s), v in sorted(want.items()):
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(v)), f"read {b}.{s}: {got}")
    ops = len(want) + 3
    # read-modify-writes at the data server: each replies the block's old value
    b, s = 2, 1
    for args, reply, after in [(("AM.XOR", b, s, block_of(0x0f)), 8, 8 ^ 0x0f),
                               (("AM.ADD", b, s, 5), 7, 12),
                               (("AM.CAS", b, s, block_of(99), block_of(1)), 12, 12),  # not 99: unchanged
                               (("AM.CAS", b, s, block_of(12), block_of(200)), 12, 200),
                               # 200 + 250 = 0x1c2: the carry goes on into the next byte
                               (("AM.ADD", b, s, 250), 200, (200 + 250).to_bytes(2, "little") + bytes(BLOCK - 2))]:
        got = conns[data_machine(b, s)].cmd(*args)
        check(got == ("bulk", block_of(reply)), f"{args[0]} {b}.{s}: {got}, expected {reply}")
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(after)), f"read after {args[0]}: {got}, expected {after}")
        ops += 1
    want[(b, s)] = (200 + 250).to_bytes(2, "little") + bytes(BLOCK - 2)
    # a block is any bytes: a whole block of random bytes; ADD of a little-endian integer
    # at an offset, its carry kept within 8 bytes and the block; CAS of whole blocks
    b, s = 5, 1
    c = conns[data_machine(b, s)]
    rnd = bytearray(random.Random(7).randrange(256) for _ in range(BLOCK))
    rnd[8:16] = b"\xff" * 8
    rnd = bytes(rnd)
    got = c.cmd("AM.WRITE", b, s, rnd)
    check(got == ("bulk", block_of(want[(b, s)])), f"write of random bytes {b}.{s}: {got}")
    check(c.cmd("AM.READ", b, s) == ("bulk", rnd), "a block of random bytes reads back")
    after = bytearray(rnd)
    after[8:16] = bytes(8)  # 2^64 - 1 + 1: the carry out of byte 15 is dropped
    check(c.cmd("AM.ADD", b, s, 1, 8) == ("bulk", rnd), "ADD at offset 8 replies the old block")
    after[BLOCK - 1] = (after[BLOCK - 1] + 2) % 256  # 0x0102 at the last byte: its 0x01 is cut
    check(c.cmd("AM.ADD", b, s, 0x0102, BLOCK - 1)[0] == "bulk", "ADD at the last byte")
    after = bytes(after)
    check(c.cmd("AM.READ", b, s) == ("bulk", after), f"after the ADDs: {c.cmd('AM.READ', b, s)}")
    new = bytes(random.Random(8).randrange(256) for _ in range(BLOCK))
    check(c.cmd("AM.CAS", b, s, rnd, new) == ("bulk", after), "CAS with a stale block replies the block")
    check(c.cmd("AM.CAS", b, s, after, new) == ("bulk", after), "CAS with the block replies it")
    check(c.cmd("AM.XOR", b, s, new) == ("bulk", new), "XOR with itself replies the block")
    check(c.cmd("AM.READ", b, s) == ("bulk", bytes(BLOCK)), "XOR with itself: zeros")
    check(c.cmd("AM.WRITE", b, s, new)[0] == "bulk", "a random block again")
    want[(b, s)] = new
    ops += 7
    # exactly once: an op sent again with its ID CLIENT SEQ gets its first reply and runs once
    b, s = 6, 2
    c = conns[data_machine(b, s)]
    first = c.cmd("AM.WRITE", b, s, block_of(31), "ID", "client-a", 1)
    check(first == ("bulk", block_of(want[(b, s)])), f"write with an id: {first}")
    again = c.cmd("AM.WRITE", b, s, block_of(32), "ID", "client-a", 1)
    check(again == first, f"the same op again: {again}, expected the first reply")
    check(c.cmd("AM.READ", b, s) == ("bulk", block_of(31)), "an op sent twice ran once")
    nxt = c.cmd("AM.ADD", b, s, 1, "ID", "client-a", 2)
    check(nxt == ("bulk", block_of(31)), f"the client's next op: {nxt}")
    stale = c.cmd("AM.WRITE", b, s, block_of(33), "ID", "client-a", 1)
    check(stale[0] == "err" and "later op" in stale[1], f"an older op of the client: {stale}")
    bad = c.cmd("AM.WRITE", b, s, block_of(33), "XX", "client-a", 3)
    check(bad[0] == "err" and "ID CLIENT SEQ" in bad[1], f"a malformed id: {bad}")
    check(c.cmd("AM.READ", b, s) == ("bulk", block_of(32)), "refused ops changed nothing")
    want[(b, s)] = 32
    ops += 2
    # the C client and amalgam cli: it finds the machine itself
    r = run_cli(path, "write", 4, 1, "Z")
    check(r.returncode == 0 and r.stdout.strip() == "%02x" % want[(4, 1)], f"cli write: {r.returncode} {r.stdout} {r.stderr}")
    want[(4, 1)] = ord("Z")
    for op, args, after in [("xor", ["\x01"], ord("Z") ^ 1), ("add", ["3"], (ord("Z") ^ 1) + 3),
                            ("cas", [chr((ord("Z") ^ 1) + 3), "q"], ord("q"))]:
        r = run_cli(path, op, 4, 1, *args)
        check(r.returncode == 0 and r.stdout.strip() == "%02x" % want[(4, 1)], f"cli {op}: {r.returncode} {r.stdout} {r.stderr}")
        want[(4, 1)] = after
    ops += 4
    for b, s in [(4, 1), (9, 2), (2, 0)]:
        r = run_cli(path, "read", b, s)
        check(r.returncode == 0 and r.stdout.strip() == "%02x" % want[(b, s)],
              f"cli read {b}.{s}: {r.returncode} {r.stdout} {r.stderr}")
    # numbers with trailing junk are refused, not read as their leading digits
    for args in [("write", "4x", 1, "Y"), ("write", 4, "1x", "Y"), ("verify", "", 2), ("verify", 2, "3x")]:
        r = run_cli(path, *args)
        check(r.returncode == 2 and "expected numbers" in r.stderr, f"cli {args}: {r.returncode} {r.stderr}")
    r = run_cli(path, "verify", 0, STRIPES - 1)
    check(r.returncode == 0 and r.stdout.count("parity ok") == STRIPES, f"verify 0 {STRIPES - 1}: {r.returncode} {r.stderr}")
    # a machine that does not hold the block redirects and changes nothing
    wrong = (data_machine(5, 0) + 1) % M
    got = conns[wrong].cmd("AM.WRITE", 5, 0, block_of(99))
    check(got[0] == "err" and got[1].startswith(f"MOVED {data_machine(5, 0)} 127.0.0.1:{client[data_machine(5, 0)]}"),
          f"write at the wrong machine: {got}")
    # every stripe's parity rows are the code of its data blocks
    for b in range(STRIPES):
        r = run_cli(path, "verify", b)
        check(r.returncode == 0 and "parity ok" in r.stdout, f"verify {b}: {r.returncode} {r.stdout} {r.stderr}")

    # ---- malformed requests: errors, nothing changed, processes alive ----
    c0 = conns[data_machine(1, 1)]
    for args, what in [(("AM.WRITE", 1, 1, b"x"), "a block is 64 bytes"),
                       (("AM.CAS", 1, 1, block_of(4), b"\x07"), "a block is 64 bytes"),
                       (("AM.ADD", 1, 1, "1" + "0" * 18), "ADD takes a whole number in 0.."),
                       (("AM.ADD", 1, 1, "1", "64"), "OFFSET is a byte of the block: 0..63"),
                       (("AM.ADD", 1, 1, "1", "x"), "OFFSET is a byte of the block"),
                       (("AM.ADD", 1, 1, "x"), "ADD takes a whole number"),
                       (("AM.CAS", 1, 1, block_of(4)), "wrong number of arguments"),
                       (("AM.WRITE", STRIPES, 1, block_of(9)), "expected STRIPE"),
                       (("AM.WRITE", 1, G, block_of(9)), "expected STRIPE"),
                       (("AM.WRITE", "-1", 1, block_of(9)), "expected STRIPE"),
                       (("AM.WRITE", "1x", 1, block_of(9)), "expected STRIPE"),
                       (("AM.READ", 1), "wrong number of arguments"),
                       (("AM.FROB", 1, 1), "unknown command"),
                       (("AM.RAW", 1, 7), "expected STRIPE")]:
        got = c0.cmd(*args)
        check(got[0] == "err" and what in got[1], f"{args[:3]}: {got}")
    check(c0.cmd("PING", "still") == ("bulk", b"still"), "the connection goes on after errors")
    check(c0.cmd("CONFIG", "GET", "save") == ("array", []), "CONFIG GET: an empty list")
    # 6 MB pipelined in one go (past the 4 MiB a connection buffers): every request answered, in order
    pipe = Resp(client[1])
    arg = b"x" * 200
    pipe.raw(b"".join(b"*2\r\n$4\r\nPING\r\n$%d\r\n%s%05d\r\n" % (len(arg) + 5, arg, i) for i in range(30000)))
    ok = all(pipe.reply() == ("bulk", arg + b"%05d" % i) for i in range(30000))
    check(ok, "30000 pipelined requests answered in order")
    pipe.close()
    bad_conn = Resp(client[0])
    bad_conn.raw(b"*2\r\n$abc\r\nxx\r\n")
    got = bad_conn.reply()
    check(got[0] == "err" and "Protocol error" in got[1], f"malformed RESP: {got}")
    check(bad_conn.reply()[0] == "closed", "a malformed stream is closed")
    bad_conn.close()
    # a request that cannot fit in the 4 MiB a connection buffers (all of it
    # sent, so that the close is not a reset): refused, then closed
    big = Resp(client[0])
    head = b"*2\r\n$4\r\nPING\r\n$5000000\r\n"
    big.raw(head + b"y" * ((4 << 20) - len(head)))
    got = big.reply()
    check(got[0] == "err" and "request too large" in got[1], f"a request past 4 MiB: {got}")
    check(big.reply()[0] == "closed", "a request past 4 MiB closes its connection")
    big.close()
    check_all(conns, want, path, "after bad requests")
    check(all(p.poll() is None for p in procs), "every process alive after bad input")
    # /metrics counts the committed ops of each machine's data server
    total = dups = 0
    for m in range(M):
        page = amlocal.metrics(base + 20 * m + 11)
        total += page["hoc_amalgam_ops_committed_total"]
        dups += page["hoc_amalgam_ops_duplicate_total"]
    check(total == ops, f"ops committed in /metrics: {total}, expected {ops}")
    check(dups == 1, f"duplicates answered in /metrics: {dups}, expected 1")
    # an op at an idle instance ends its fwd round there and, by HURRY frames, at
    # its backups (docs/amalgam.md, "Pacing"; net-svc tests the frames); the
    # reconfiguration service is never hurried, its rounds follow the others'
    hurried = sum(v for m in range(M) for k, v in amlocal.metrics(base + 20 * m + 11).items()
                  if k.startswith("hoc_hurried_total"))
    rhurried = sum(v for k, v in amlocal.metrics(base + 105).items()
                   if k.startswith("hoc_hurried_total"))
    check(hurried > 0 and rhurried == 0,
          f"rounds hurried: {hurried} on the machines, {rhurried} at the reconfiguration service")

    # ---- the failure detector: a machine paused past suspect-ms is suspected, and
    # cleared when it resumes; the same process kept its state, so nothing is replaced ----
    rmet = base + 105
    # a machine slow to start under load may have been suspected (and its parity
    # servers replaced) before this point: start from a settled view and count
    # only what the pause and the kill add
    page = amlocal.wait_metrics(rmet, lambda p: p["hoc_amalgam_reconf_replacing"] == 0 and all(
        p[f'hoc_amalgam_reconf_suspected{{machine="{m}"}}'] == 0 for m in range(M)))
    check(page["hoc_amalgam_reconf_replacing"] == 0, f"replacements still running before the pause: {page}")
    r0 = page["hoc_amalgam_reconf_replacements_total"]
    m0 = page['hoc_amalgam_reconf_machine_replacements_total{machine="4"}']
    paused = 1
    procs[paused].send_signal(signal.SIGSTOP)
    page = amlocal.wait_metrics(rmet, lambda p: p[f'hoc_amalgam_reconf_suspected{{machine="{paused}"}}'] == 1)
    check(page[f'hoc_amalgam_reconf_suspected{{machine="{paused}"}}'] == 1
          and page[f'hoc_amalgam_reconf_silent_ms{{machine="{paused}"}}'] >= 1500
          and page[f'hoc_amalgam_reconf_suspected_at_ms{{machine="{paused}"}}'] > 0,
          f"machine {paused} paused: not suspected after 30 s: {page}")
    procs[paused].send_signal(signal.SIGCONT)
    page = amlocal.wait_metrics(rmet, lambda p: p[f'hoc_amalgam_reconf_suspected{{machine="{paused}"}}'] == 0)
    check(page[f'hoc_amalgam_reconf_suspected{{machine="{paused}"}}'] == 0,
          f"machine {paused} resumed: still suspected after 30 s")
    # the suspicion started replacing its parity servers (docs/deploy.md, "A machine
    # down"); resumed, each takes its Admit as its own replacement and rebuilds its rows,
    # and its data servers, never replaced, keep their blocks
    nbk = STRIPES * F // M  # instances where it plays a parity server
    page = amlocal.wait_metrics(rmet, lambda p: p["hoc_amalgam_reconf_replacements_total"] == r0 + nbk
                                and p["hoc_amalgam_reconf_replacing"] == 0)
    check(page["hoc_amalgam_reconf_replacements_total"] == r0 + nbk and page["hoc_amalgam_reconf_replacing"] == 0,
          f"a paused machine that resumed: not its {nbk} parity servers replaced: {page}")
    for (b, s), v in sorted(want.items()):
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(v)), f"read {b}.{s} after machine {paused} resumed: {got}")
    rlog = open(os.path.join(tmp, "reconf.log")).read()
    check(f"machine {paused} suspected: silent for" in rlog and "the same process: it was only slow" in rlog,
          f"the reconf log of the pause: {rlog[-400:]}")

    # ---- a machine lost: blocks whose data server lives still read back ----
    dead = 4
    procs[dead].kill()
    procs[dead].wait()
    t_kill = time.time()
    conns.pop(dead).close()
    n = 0
    for (b, s), v in sorted(want.items()):
        if data_machine(b, s) == dead:
            continue
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(v)), f"read {b}.{s} with machine {dead} down: {got}")
        n += 1
    check(n == STRIPES * G * (M - 1) // M, f"{n} blocks read with a machine down")
    # ... and every block the dead machine held is rebuilt from the rest of its stripe (ISA-L)
    rebuilt = 0
    for (b, s), v in sorted(want.items()):
        if data_machine(b, s) != dead:
            continue
        r = run_cli(path, "decode", b, s)
        check(r.returncode == 0 and r.stdout.strip() == (block_of(v).rstrip(b"\0").hex() or "(zeros)"),
              f"decode {b}.{s} with machine {dead} down: {r.returncode} {r.stdout} {r.stderr}")
        rebuilt += r.returncode == 0
    check(rebuilt == STRIPES * G // M, f"{rebuilt} blocks rebuilt")
    # the reconfiguration service suspects it by itself
    page = amlocal.wait_metrics(rmet, lambda p: p[f'hoc_amalgam_reconf_suspected{{machine="{dead}"}}'] == 1)
    check(page[f'hoc_amalgam_reconf_suspected{{machine="{dead}"}}'] == 1,
          f"machine {dead} killed: not suspected after 30 s")
    suspected_at = page[f'hoc_amalgam_reconf_suspected_at_ms{{machine="{dead}"}}']
    # a write to a stripe whose parity row the dead machine held cannot commit
    # (f = 2 acknowledgements needed, one parity server left): no reply yet
    pb, ps = 4, 0  # stripe 4: machine 4 plays position (4 + 4) mod 5 = 3, parity row 0
    pend = socket.create_connection(("127.0.0.1", client[data_machine(pb, ps)]), timeout=1.5)
    v = block_of(77)
    pend.sendall(b"*4\r\n$8\r\nAM.WRITE\r\n$1\r\n%d\r\n$1\r\n%d\r\n$%d\r\n%s\r\n" % (pb, ps, len(v), v))
    try:
        early = pend.recv(64)
    except socket.timeout:
        early = None
    check(early is None, f"a write that cannot commit was answered: {early}")
    # the machine comes back without its state, started exactly as the first time:
    # its --data record says it served, so it joins as amalgam.ho's replacement, is
    # installed, and its blocks and parity rows are rebuilt from the others' snapshots
    # (before, a restart without --rejoin came back with zero blocks: silent corruption)
    t0 = time.time()
    procs[dead] = start(["serve", "--cluster", path, "--machine", str(dead), "--data", data[dead]],
                        os.path.join(tmp, f"m{dead}-rejoin.log"))
    procs.pop()  # it is procs[dead] now
    recovered = {}
    while len(recovered) < STRIPES * G // M and time.time() < t0 + 30:
        try:
            if dead not in conns:
                conns[dead] = Resp(client[dead])
            for (b, s), v in sorted(want.items()):
                if data_machine(b, s) == dead and (b, s) not in recovered:
                    got = conns[dead].cmd("AM.READ", b, s)
                    if got[0] == "bulk":
                        recovered[(b, s)] = got[1]
        except OSError:
            conns.pop(dead, None)
        time.sleep(0.1)
    recovery = time.time() - t0
    log = open(os.path.join(tmp, f"m{dead}-rejoin.log")).read()
    check("served before" in log and "joining as a replacement" in log,
          f"the restarted machine did not say it rejoins: {log[-300:]}")
    # ... and the pending write commits once the parity server is back: its reply comes
    pend.settimeout(30)
    late = b""
    try:
        while len(late) < BLOCK + 7:
            late += pend.recv(256)
    except socket.timeout:
        pass
    pend.close()
    check(late == b"$%d\r\n%s\r\n" % (BLOCK, block_of(want[(pb, ps)])), f"the pending write's reply after the rejoin: {late}")
    want[(pb, ps)] = 77
    for (b, s), got in sorted(recovered.items()):
        check(got == block_of(want[(b, s)]), f"recovered {b}.{s}: {got[:4]}, expected {want[(b, s)]}")
    check(len(recovered) == STRIPES * G // M, f"{len(recovered)} blocks recovered in {recovery:.1f} s")
    # the service replaced each of its servers (it plays a pid in every instance: k = M)
    # and counted it; the machine says when it was whole again
    page = amlocal.wait_metrics(rmet, lambda p: p[f'hoc_amalgam_reconf_machine_replacements_total{{machine="{dead}"}}'] == m0 + STRIPES)
    replaced_at = page[f'hoc_amalgam_reconf_replaced_at_ms{{machine="{dead}"}}']
    check(page[f'hoc_amalgam_reconf_machine_replacements_total{{machine="{dead}"}}'] == m0 + STRIPES
          and page["hoc_amalgam_reconf_replacements_total"] == r0 + STRIPES + nbk
          and page[f'hoc_amalgam_reconf_suspected{{machine="{dead}"}}'] == 0
          and page[f'hoc_amalgam_reconf_replaced_at_ms{{machine="{dead}"}}'] > suspected_at,
          f"replacements of machine {dead}: {page}")
    mpage = amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                and p["hoc_amalgam_rebuilt_at_ms"] > 0)
    check(mpage["hoc_amalgam_degraded_instances"] == 0 and mpage["hoc_amalgam_rebuilt_at_ms"] > suspected_at,
          f"machine {dead} not whole again: {mpage}")
    rlog = open(os.path.join(tmp, "reconf.log")).read()
    check(f"machine {dead}: all {STRIPES} of its servers replaced" in rlog,
          f"the reconf log of the replacement: {rlog[-400:]}")
    for b in range(STRIPES):
        r = run_cli(path, "verify", b)
        check(r.returncode == 0, f"verify {b} after the rejoin: {r.stdout} {r.stderr}")
    # and it serves writes again, its parity rows too
    for b, s in [(1, 0), (2, 0), (9, 2)]:  # data on machine 4, 3 and 2 (m = (s - b) mod 5)
        v = 150 + b
        got = conns[data_machine(b, s)].cmd("AM.WRITE", b, s, block_of(v))
        check(got == ("bulk", block_of(want[(b, s)])), f"write {b}.{s} after the rejoin: {got}")
        want[(b, s)] = v
        r = run_cli(path, "verify", b)
        check(r.returncode == 0, f"verify {b} after a write after the rejoin: {r.stdout} {r.stderr}")
    for (b, s), v in sorted(want.items()):
        got = conns[data_machine(b, s)].cmd("AM.READ", b, s)
        check(got == ("bulk", block_of(v)), f"read {b}.{s} at the end: {got}")
    # ---- the reconfiguration service killed in the middle of a replacement: restarted
    # with its --data, it resumes each instance from its last decision written, so the
    # replacement ends with new epochs (without them, a restarted service used epoch 1
    # again, which the backups had closed: the replacement never ended) ----
    procs[dead].kill()
    procs[dead].wait()
    conns.pop(dead).close()
    procs[dead] = start(["serve", "--cluster", path, "--machine", str(dead), "--data", data[dead]],
                        os.path.join(tmp, f"m{dead}-rejoin2.log"))
    procs.pop()
    page = amlocal.wait_metrics(rmet, lambda p: p["hoc_amalgam_reconf_replacing"] > 0, timeout=20)
    check(page["hoc_amalgam_reconf_replacing"] > 0, f"no replacement under way after machine {dead} restarted: {page}")
    procs[M].kill()
    procs[M].wait()
    procs[M] = start(rcmd, os.path.join(tmp, "reconf2.log"))
    procs.pop()
    # (the new service counts only what it saw end: the machine's own page says it is whole)
    mpage = amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                and p["hoc_amalgam_rebuilt_at_ms"] > 0)
    page = amlocal.wait_metrics(rmet, lambda p: p["hoc_amalgam_reconf_silent_ms{machine=\"0\"}"] > 0
                                and p["hoc_amalgam_reconf_replacing"] == 0)
    rlog = open(os.path.join(tmp, "reconf2.log")).read()
    check(mpage["hoc_amalgam_degraded_instances"] == 0 and mpage["hoc_amalgam_rebuilt_at_ms"] > 0
          and page["hoc_amalgam_reconf_replacing"] == 0
          and "instances resume from a decision written before" in rlog,
          f"replacement across a reconf restart: {dict(page)} {dict(mpage)} {rlog[-600:]}")
    conns[dead] = Resp(client[dead])
    check_all(conns, want, path, "after the reconf restart")
    # with three machines down a stripe has fewer than g positions: decode says so
    dead = 4
    procs[dead].kill()
    procs[dead].wait()
    conns.pop(dead).close()
    for m in (2, 3):
        procs[m].kill()
        procs[m].wait()
        conns.pop(m).close()
    b, s = next((b, s) for (b, s) in sorted(want) if data_machine(b, s) == dead)
    r = run_cli(path, "decode", b, s)
    check(r.returncode == 1 and "are needed" in r.stderr, f"decode with 3 machines down: {r.returncode} {r.stderr}")
    print(f"amalgam-service: machine 4 suspected {suspected_at / 1000 - t_kill:.1f} s after its kill; "
          f"restarted at {t0 - t_kill:.1f} s, its {STRIPES} servers replaced at {replaced_at / 1000 - t_kill:.1f} s")
    print(f"amalgam-service: {len(want)} blocks on {M} machines; {per_write:.1f} ms a committed write "
          f"(sequential, one client); {n} blocks read back and {rebuilt} rebuilt with machine {dead} down; "
          f"its blocks recovered {recovery:.1f} s after it rejoined")
    for c in conns.values():
        c.close()
    return tmp


def witnesses(tmp):
    """g = 3, f = 2 and two witnesses on 7 machines (figure 3.4): writes commit with
    witnesses among the backups, and a machine rejoins (it plays a witness too)."""
    m7, base = 7, amlocal.ports_base(300)
    path = os.path.join(tmp, "fig34.cluster")
    lines = [f"g {G}", f"f {F}", "witnesses 2", f"block {BLOCK}", "stripes 14", "blocks-per-instance 1"]
    for m in range(m7):
        p = base + 40 * m
        lines.append(f"machine {m} 127.0.0.1 data={p} parity={p + 7} witness={p + 14} client={p + 21}")
    lines.append(f"reconf 0 127.0.0.1:{base + 290}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    first = len(procs)
    for m in range(m7):
        start(["serve", "--cluster", path, "--machine", str(m), "--data", os.path.join(tmp, "wdata")],
              os.path.join(tmp, f"w{m}.log"))
    start(["reconf", "--cluster", path, "--id", "0"], os.path.join(tmp, "wreconf.log"))
    time.sleep(1)
    # one block a machine's data server: stripe b, shard s is on machine (s - b) mod 7
    blocks = {(b, 0): chr(ord("a") + b) for b in range(m7)}
    for (b, s), v in blocks.items():
        r = run_cli(path, "write", b, s, v)
        check(r.returncode == 0 and r.stdout.strip() == "(zeros)", f"fig34 write {b}.{s}: {r.stdout} {r.stderr}")
    dead = 1  # in stripe 0 machine 1 plays d1, in stripe 4 w0, in stripe 5 p1 ...
    procs[first + dead].kill()
    procs[first + dead].wait()
    start(["serve", "--cluster", path, "--machine", str(dead), "--rejoin"], os.path.join(tmp, "w-rejoin.log"))
    for (b, s), v in blocks.items():
        r = run_cli(path, "read", b, s)
        check(r.returncode == 0 and r.stdout.strip() == "%02x" % ord(v), f"fig34 read {b}.{s}: {r.stdout} {r.stderr}")
    for b in range(m7):
        r = run_cli(path, "verify", b)
        check(r.returncode == 0, f"fig34 verify {b}: {r.stdout} {r.stderr}")
    # without the reconfiguration service, ops go on (only replacements need it)
    rp = procs[first + m7]
    rp.kill()
    rp.wait()
    r = run_cli(path, "write", 3, 0, "R")
    check(r.returncode == 0 and r.stdout.strip() == "%02x" % ord(blocks[(3, 0)]), f"write with reconf down: {r.stdout} {r.stderr}")
    r = run_cli(path, "read", 3, 0)
    check(r.returncode == 0 and r.stdout.strip() == "%02x" % ord("R"), f"read with reconf down: {r.stdout} {r.stderr}")
    print(f"amalgam-service: with witnesses, {len(blocks)} blocks written, machine {dead} rejoined, all read back; "
          "ops go on with the reconfiguration service down")


if __name__ == "__main__":
    tmp = None
    try:
        tmp = main()
        if tmp and not fails:
            stop_all()
            witnesses(tmp)
    finally:
        stop_all()
    alive = [p.pid for p in procs if p.poll() is None]
    check(not alive, f"processes left: {alive}")
    for name in sorted(os.listdir(tmp)) if tmp else []:
        text = open(os.path.join(tmp, name)).read() if name.endswith(".log") else ""
        check("Sanitizer" not in text and "runtime error" not in text, f"{name}: sanitizer report")
    if fails and tmp:
        for name in sorted(os.listdir(tmp)):
            if name.endswith(".log"):
                print(f"--- {name}")
                print(open(os.path.join(tmp, name)).read()[-2000:])
    if tmp and not fails:
        shutil.rmtree(tmp, ignore_errors=True)
    elif tmp:
        print(f"logs kept in {tmp}")
    print(f"{len(fails)} failures")
    sys.exit(1 if fails else 0)
