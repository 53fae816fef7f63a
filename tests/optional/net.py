#!/usr/bin/env python3
"""optional-net: optional fields through the replica runtime (hoc build, TCP on
loopback). In optional_net.ho every process checks each message it reads
against the round it was sent in (a block present exactly when the round
says, an absent one zero, a flag likewise) and decides -1 if one failed,
otherwise how many blocks it read. hoc sim must decide a positive count;
three replicas run 30 instances with --no-forward (each decides what it
computed, never a peer's value), and every decision must be positive: a
stale field left in a reused mailbox slot, or an absent field read as
anything but zero, decides -1.
usage: net.py HOC"""
import json, os, shutil, socket, subprocess, sys, tempfile

HOC = sys.argv[1]
HO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optional_net.ho")
N, K = 3, 30
tmp = tempfile.mkdtemp(prefix="hoc-optional-net-")
procs = []
try:
    sim = json.loads(subprocess.run([HOC, "sim", HO, "-n", str(N), "--rounds", "7", "--json"],
                                    check=True, capture_output=True, text=True).stdout)
    got = [o["value"] for p in sim["processes"] for o in p["outputs"] if o["name"] == "decide"]
    assert len(got) == N and min(got) > 0, "hoc sim decided %s" % got
    rep = os.path.join(tmp, "replica")
    subprocess.run([HOC, "build", HO, "-o", rep], check=True, capture_output=True)
    socks = [socket.socket() for _ in range(N)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    with open(os.path.join(tmp, "peers"), "w") as f:
        for i, port in enumerate(ports):
            f.write("%d 127.0.0.1:%d\n" % (i, port))
    for i in range(N):
        log = open(os.path.join(tmp, "log%d" % i), "w")
        procs.append(subprocess.Popen([rep, "--id", str(i), "--peers", os.path.join(tmp, "peers"),
                                       "--instances", str(K), "--no-forward", "--linger", "1",
                                       "--decisions", os.path.join(tmp, "d%d" % i),
                                       "--timeout", "60"], stdout=log, stderr=log))
    bad = []
    for i, p in enumerate(procs):
        if p.wait(timeout=90) != 0:
            bad.append("replica %d exited %d" % (i, p.returncode))
    for i in range(N):
        lines = open(os.path.join(tmp, "d%d" % i)).read().split()
        got = dict(zip(lines[0::2], lines[1::2]))
        if len(got) != K or any(int(v) <= 0 for v in got.values()):
            bad.append("replica %d decided %s in %d of %d instances: a message failed its check"
                       % (i, sorted(set(got.values())), len(got), K))
    if bad:
        for i in range(N):
            sys.stdout.write(open(os.path.join(tmp, "log%d" % i)).read()[-2000:])
        sys.exit("FAIL: " + "; ".join(bad))
    print("optional-net: %d replicas x %d instances, every message as its round says" % (N, K))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
