#!/usr/bin/env python3
"""End-to-end replica tests on loopback: run_cluster.py BINDIR CASE.

Each case starts its own replicas on free ports, checks what they decided
(every instance once, all replicas agree, values are inputs) and kills every
process it started, also on failure. Replicas get --timeout so none outlives
the test even if this script is killed."""
import json, os, random, re, shutil, signal, socket, struct, subprocess, sys, tempfile, time, hmac, hashlib, http.client

BIN = sys.argv[1]
CASE = sys.argv[2]
SLOW = 3 if os.environ.get("ASAN_OPTIONS") else 1  # sanitized builds run slower
procs = []
dirs = []  # removed at the end if the case passed; kept for a look otherwise


def free_ports(k):
    socks, ports = [], []
    for _ in range(k):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


class Cluster:
    def __init__(self, algo, n, k, extra=(), secret=False, metrics=False):
        self.dir = tempfile.mkdtemp(prefix="hoc-net-")
        dirs.append(self.dir)
        self.bin = os.path.join(BIN, algo + "-replica")
        self.n, self.k = n, k
        ports = free_ports(n + 1)
        self.ports, self.mport = ports[:n], ports[n]
        self.peers = os.path.join(self.dir, "peers")
        with open(self.peers, "w") as f:
            f.write("# test cluster\n")
            for i in range(n):
                f.write("%d 127.0.0.1:%d\n" % (i, ports[i]))
        self.secret = None
        self.extra = list(extra)
        if secret:
            self.secret = b"test-cluster-secret-%d" % random.randrange(1 << 30)
            with open(os.path.join(self.dir, "secret"), "wb") as f:
                f.write(self.secret + b"\n")
            self.extra += ["--secret", os.path.join(self.dir, "secret")]
        self.metrics = metrics
        self.p = [None] * n

    def start(self, i, tag="", peers=None, more=(), pre=None):
        args = [self.bin, "--id", str(i), "--peers", peers or self.peers, "--instances", str(self.k),
                "--decisions", self.dec(i, tag), "--timeout", str(60 * SLOW), "--log", "info"] + self.extra
        if self.metrics and i == 0:
            args += ["--metrics", str(self.mport)]
        log = open(os.path.join(self.dir, "log%d%s" % (i, tag)), "w")
        p = subprocess.Popen(args + list(more), stdout=log, stderr=log, preexec_fn=pre)
        procs.append(p)
        self.p[i] = p
        return p

    def log(self, i, tag=""):
        with open(os.path.join(self.dir, "log%d%s" % (i, tag))) as f:
            return f.read()

    def data(self, i):
        return ["--data", os.path.join(self.dir, "data%d" % i)]

    def dec(self, i, tag=""):
        return os.path.join(self.dir, "d%d%s" % (i, tag))

    def lines(self, i, tag=""):
        try:
            with open(self.dec(i, tag)) as f:
                return f.read().count("\n")
        except FileNotFoundError:
            return 0

    def wait(self, ids, limit):
        deadline = time.time() + limit * SLOW
        for i in ids:
            left = max(0.1, deadline - time.time())
            try:
                rc = self.p[i].wait(timeout=left)
            except subprocess.TimeoutExpired:
                fail("replica %d did not finish in time" % i)
            if rc != 0:
                fail("replica %d exited %d" % (i, rc))

    def decisions(self, i, tag=""):
        d = {}
        try:
            with open(self.dec(i, tag)) as f:
                text = f.read()
        except FileNotFoundError:  # killed before it opened its file (ASan, load 14)
            return d
        # a killed replica may have written half a line last
        for ln in text[:text.rfind("\n") + 1].splitlines():
                a, b = ln.split()
                inst, val = int(a), int(b)
                if inst in d:
                    fail("replica %d%s decided instance %d twice" % (i, tag, inst))
                d[inst] = val
        return d

    def check(self, files, complete):
        """files: (replica, tag) pairs; complete: those that must have decided all."""
        ref = {}
        for (i, tag) in files:
            d = self.decisions(i, tag)
            if (i, tag) in complete and sorted(d) != list(range(self.k)):
                fail("replica %d%s decided %d of %d instances" % (i, tag, len(d), self.k))
            for inst, v in d.items():
                if v not in (0, 1):  # inputs are (instance + id) % 2
                    fail("replica %d decided %d in instance %d: not an input" % (i, v, inst))
                if ref.setdefault(inst, v) != v:
                    fail("disagreement in instance %d: %d vs %d" % (inst, ref[inst], v))
        print("ok: %d instances, %d decision files agree" % (len(ref), len(files)))


def fail(msg):
    print("FAIL:", msg, "(logs in %s)" % " ".join(dirs))
    for p in procs:
        if p.poll() is None:
            p.kill()
    raise SystemExit(1)


def wait_lines(c, i, count, limit):
    deadline = time.time() + limit * SLOW
    while c.lines(i) < count:
        if time.time() > deadline:
            fail("replica %d reached only %d decisions" % (i, c.lines(i)))
        if c.p[i].poll() is not None:
            fail("replica %d exited early (%s)" % (i, c.p[i].returncode))
        time.sleep(0.005)


def basic(algo, n, k=1000, extra=()):
    c = Cluster(algo, n, k, extra)
    for i in range(n):
        c.start(i)
    c.wait(range(n), 30)
    c.check([(i, "") for i in range(n)], [(i, "") for i in range(n)])


def kill_one(algo, victim, k):
    """One of 4 replicas is killed mid-run; the others decide everything.
    For LastVoting the victim is replica 0, the coordinator of every
    instance's first phase: the survivors must move on to phase 1."""
    # --delay keeps the run long enough to kill the victim in the middle
    c = Cluster(algo, 4, k, ["--delay", "2", "--window", "64", "--linger", "1"])
    for i in range(4):
        c.start(i)
    wait_lines(c, victim, k // 10, 20)
    c.p[victim].kill()
    c.p[victim].wait()
    rest = [i for i in range(4) if i != victim]
    before = [c.lines(i) for i in rest]
    if min(before) >= k:
        fail("the victim was killed after the others had decided everything")
    c.wait(rest, 60)
    after = [c.lines(i) for i in rest]
    print("decisions of %s when replica %d was killed:" % (rest, victim), before, "at the end:", after)
    c.check([(i, "") for i in range(4)], [(i, "") for i in rest])


def restart(algo, victim, k):
    """A killed replica restarts with fresh state, catches up (old instances
    by forwarded decisions, running ones by rounds) and decides everything."""
    c = Cluster(algo, 4, k, ["--delay", "2", "--window", "64", "--linger", "20"])
    for i in range(4):
        c.start(i)
    wait_lines(c, victim, k // 10, 20)
    c.p[victim].kill()
    c.p[victim].wait()
    time.sleep(0.3)
    others = [c.lines(i) for i in range(4) if i != victim]
    if min(others) >= k:
        fail("the others had decided everything before the restart")
    c.start(victim, "b")
    c.wait(range(4), 60)
    rest = [(i, "") for i in range(4) if i != victim]
    c.check(rest + [(victim, ""), (victim, "b")], rest + [(victim, "b")])
    log = open(os.path.join(c.dir, "log%db" % victim)).read()
    exits = [ln for ln in log.splitlines() if "exit:" in ln]
    print("restarted replica:", exits)
    m = re.search(r"decided (\d+)/\d+, rounds (\d+),.* forwarded (\d+)", exits[0] if exits else "")
    if not m or int(m.group(2)) == 0 or int(m.group(1)) - int(m.group(3)) == 0:
        fail("the restarted replica decided nothing by its own rounds (only forwarded decisions)")


def resumed(c, i, tag):
    """What incarnation tag of replica i resumed from --data (0 when it was
    killed before it opened it)."""
    m = re.search(r"(\d+) instances resumed", c.log(i, tag))
    return int(m.group(1)) if m else 0


def restart_data(k, kills):
    """LastVoting on 5 with --data and --drop 0.2 (instances take several
    phases): two replicas at a time killed -9 at random moments and
    restarted, over and over; every decision of every incarnation must
    agree, the last incarnations decide everything, and restarts must have
    resumed running instances from disk (not only learned decisions).
    Without --data the same schedule disagrees within a few seconds
    (docs/testing.md)."""
    rng = random.Random(os.getpid())
    c = Cluster("lastvoting", 5, k,
                ["--delay", "2", "--window", "64", "--linger", "20", "--drop", "0.2"])
    tags = [[""] for _ in range(5)]
    for i in range(5):
        c.start(i, more=c.data(i))
    wait_lines(c, 0, k // 20, 20)
    for j in range(kills):
        vs = rng.sample(range(5), 2)  # two at once: a majority of 3 can lose two acks
        time.sleep(rng.uniform(0.05, 0.3))
        for v in vs:
            if c.p[v].poll() is not None:
                fail("replica %d exited early (%s)" % (v, c.p[v].returncode))
            c.p[v].kill()
            c.p[v].wait()
        time.sleep(rng.uniform(0, 0.1))
        for v in vs:
            tags[v].append("r%d" % j)
            c.start(v, tags[v][-1], more=c.data(v))
    if min(c.lines(i, tags[i][-1]) for i in range(5)) >= k:
        fail("everything was decided before the last restart: make k larger")
    c.wait(range(5), 60)
    files = [(i, t) for i in range(5) for t in tags[i]]
    c.check(files, [(i, tags[i][-1]) for i in range(5)])
    back = [resumed(c, i, t) for i in range(5) for t in tags[i][1:]]
    print("%d restarts; instances resumed from disk by each: %s" % (kills, back))
    if sum(back) == 0:
        fail("no restarted replica resumed a running instance from --data")


def append_record(path, body, good_crc):
    import zlib
    crc = zlib.crc32(body) if good_crc else zlib.crc32(body) ^ 1
    with open(path, "ab") as f:
        f.write(struct.pack("<II", len(body), crc) + body)


def data_corrupt():
    """Replicas killed with records torn and corrupt on their disks: each
    is cut with a log line and never loaded, and the cluster decides
    everything in agreement after the restart."""
    c = Cluster("lastvoting", 3, 3000, ["--delay", "2", "--window", "64", "--linger", "20"])
    for i in range(3):
        c.start(i, more=c.data(i))
    wait_lines(c, 0, 300, 20)
    for i in range(3):
        c.p[i].kill()
        c.p[i].wait()
    seg = lambda i: os.path.join(c.dir, "data%d" % i, sorted(
        f for f in os.listdir(os.path.join(c.dir, "data%d" % i)) if f.startswith("states."))[-1])
    # a STATE record for instance 2999 (not started yet), round 10^6, of
    # garbage: loaded, it
    # would be resumed and send nonsense in a round nobody is in
    bogus = struct.pack("<BQq", 2, 2999, 10 ** 6) + bytes(rng_bytes(120))
    with open(seg(0), "ab") as f:  # torn: the crash came in the middle of the write
        f.write(struct.pack("<II", 200, 0) + bogus[:50])
    append_record(seg(1), bogus, good_crc=False)  # corrupt: the checksum does not match
    append_record(os.path.join(c.dir, "data2", "decided"), struct.pack("<BQ", 3, 5) + b"\x07", False)
    for i in range(3):
        c.start(i, "b", more=c.data(i))
    c.wait(range(3), 60)
    for i, what in [(0, "is torn (it runs past the end of the file): the file is cut there"),
                    (1, "is corrupt (checksum mismatch): the file is cut there"),
                    (2, "is corrupt (checksum mismatch): the file is cut there")]:
        if what not in c.log(i, "b"):
            fail("replica %d's log does not say: %s" % (i, what))
    c.check([(i, t) for i in range(3) for t in ("", "b")], [(i, "b") for i in range(3)])
    print("resumed after the cut:", [resumed(c, i, "b") for i in range(3)])


def rng_bytes(n):
    return random.Random(n).randbytes(n)


def setup_error(args, expect):
    r = subprocess.run(args, capture_output=True, text=True, timeout=20)
    if r.returncode != 2 or expect not in r.stderr:
        fail("%s: expected exit 2 and %r, got %d: %s" % (args[-1], expect, r.returncode, r.stderr))
    print("refused: %s" % r.stderr.strip().splitlines()[0])


def small_disk(kib):
    """A preexec_fn: the process's writes beyond kib KiB fail with EFBIG, as
    on a full disk."""
    import resource

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (kib << 10, kib << 10))
    return limit


def wait_disk_failed(c, i, mport, deadline):
    while metric_or_none(mport, "hoc_data_failed") != 1:
        if time.time() > deadline or c.p[i].poll() is not None:
            fail("replica %d's disk did not fail (or it exited)" % i)
        time.sleep(0.01)


def data_refused():
    """--data that cannot be used is refused at start-up (exit 2, saying
    why); a disk that fails while running stops the replica's messages, and
    the others go on."""
    c = Cluster("lastvoting", 3, 3000, ["--delay", "2", "--window", "64", "--linger", "1"])
    base = [c.bin, "--id", "1", "--peers", c.peers, "--timeout", "5"]
    plain = os.path.join(c.dir, "plain")
    open(plain, "w").close()
    setup_error(base + ["--data", plain], "is not a directory")
    setup_error(base + ["--data", os.path.join(plain, "sub")], "cannot create the data directory")
    setup_error(base + ["--data", c.dir, "--fsync", "sometimes"], "--fsync takes always, batch or never")
    os.mkdir(os.path.join(c.dir, "data0"))
    r = subprocess.run([c.bin, "--id", "0", "--peers", c.peers, "--timeout", "1", "--start-wait", "0",
                        "--instances", "1", "--linger", "0"] + c.data(0), capture_output=True, timeout=20)
    setup_error(base + c.data(0), "belongs to process 0 of 3, this is process 1 of 3")
    if os.geteuid() != 0:
        ro = os.path.join(c.dir, "ro")
        os.mkdir(ro, 0o500)
        setup_error(base + ["--data", ro], "Permission denied")
    shutil.rmtree(os.path.join(c.dir, "data0"))
    mport = free_ports(1)[0]
    for i in range(3):
        c.start(i, more=c.data(i) + (["--metrics", str(mport)] if i == 2 else []),
                pre=small_disk(64) if i == 2 else None)
    wait_disk_failed(c, 2, mport, time.time() + 20 * SLOW)
    # silent from then on: peers still run rounds, it sends them nothing
    out = metric(mport, "hoc_frames_out_total")
    time.sleep(0.5)
    more = metric(mport, "hoc_frames_out_total") - out
    if more > 4 and all(c.p[i].poll() is None for i in (0, 1)):
        fail("replica 2 queued %d frames in 0.5 s after its disk failed" % more)
    c.wait([0, 1], 60)
    if c.p[2].poll() is not None:
        fail("replica 2 exited (%s) when its disk failed" % c.p[2].returncode)
    log = c.log(2)
    if "stable storage failed (cannot write" not in log or "File too large" not in log:
        fail("replica 2's log does not say that its disk failed")
    c.check([(i, "") for i in range(3)], [(0, ""), (1, "")])
    print("replica 2, disk failed: %d of 3000 decisions reported, %d frames queued in the 0.5 s "
          "after" % (c.lines(2), more))


def data_failed_forward():
    """A replica whose disk failed answers no peer with a DECISION frame:
    its ledger holds decisions reached in memory after the failure, whose
    DECIDED record never reached the disk (persist before send,
    docs/runtime.md), and a restart would not know them. Seven OTR
    replicas without 4; 2's disk fails, 0, 1, 3, 5 and 6 decide every
    instance (2 follows them in memory), then 4 starts and broadcasts its
    round messages. On main 2 answered them with adoptable DECISION frames
    (whenever no round of its own had begun in that loop turn: here none
    was live: 601 and 666 frames in two runs); now it is silent, and the
    others answer."""
    k = 600
    c = Cluster("otr", 7, k, ["--delay", "2", "--window", "64", "--linger", "3"])
    mport = free_ports(1)[0]
    for i in (0, 1, 2, 3, 5, 6):  # 4 starts once they are done
        c.start(i, more=c.data(i) + ["--start-wait", "0"] + (["--metrics", str(mport)] if i == 2 else []),
                pre=small_disk(16) if i == 2 else None)
    wait_disk_failed(c, 2, mport, time.time() + 30 * SLOW)
    for i in (0, 1, 3, 5, 6):
        wait_lines(c, i, k, 30)
    # 2 follows them in memory (not to the end: instances of its window
    # whose peers ended them stay live, it cannot ask them)
    time.sleep(0.3 * SLOW)
    if metric(mport, "hoc_ledger_instances") < 64:
        fail("replica 2 decided only %d instances in memory" % metric(mport, "hoc_ledger_instances"))
    out = metric(mport, "hoc_frames_out_total")
    c.start(4, more=c.data(4))
    c.wait([4], 30)
    more = metric(mport, "hoc_frames_out_total") - out
    if more > 8:  # the handshakes with 4 (HELLO, ACCEPT), not a frame per instance
        fail("replica 2 queued %d frames to peer 4 catching up, with a failed disk" % more)
    c.wait([0, 1, 3, 5, 6], 30)
    c.check([(i, "") for i in range(7)], [(i, "") for i in (0, 1, 3, 4, 5, 6)])
    print("replica 2, disk failed: %d of %d decisions reported, %d in its ledger; %d frames to "
          "peer 4 catching up (the handshake)" % (c.lines(2), k, metric(mport, "hoc_ledger_instances"), more))


WIRE_VERSION = 7


class Sealer:
    """One direction of an authenticated connection (runtime/seal.h): frames
    in a SEALED frame (type 8) ending in the AES-256-GCM tag of everything
    before it (length prefix included) as additional data, the sequence
    number as the nonce."""

    def __init__(self, key):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        self.gcm, self.seq = AESGCM(key), 0

    def seal(self, frames):
        rec = struct.pack("<IBBH", 4 + len(frames) + 16, WIRE_VERSION, 8, 0) + frames
        tag = self.gcm.encrypt(b"\0" * 4 + struct.pack("<Q", self.seq), b"", rec)
        self.seq += 1
        return rec + tag


def seal_keys(secret, cnonce, snonce, client, server, cluster):
    """The keys of what the client (dialer) and the server send."""
    words = cnonce + snonce + struct.pack("<IIIII", client, server, *cluster)
    return (hmac.new(secret, b"hoc-key-cs" + words, hashlib.sha256).digest(),
            hmac.new(secret, b"hoc-key-sc" + words, hashlib.sha256).digest())


def frame(ftype, body, version=WIRE_VERSION):
    return struct.pack("<IBBH", 4 + len(body), version, ftype, 0) + body


def auth_mac(secret, label, nonce, client, server, cluster):
    """cluster: (algorithm, n, params) of the side that proves itself."""
    words = struct.pack("<IIIII", client, server, *cluster)
    return hmac.new(secret, label + nonce + words, hashlib.sha256).digest()


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    return s


def read_hello(s):
    """The server's id, cluster (algorithm, n, params) and nonce, or None."""
    hello = read_exact(s, 40)
    if not hello:
        return None
    _, _, ftype, _, server, algo, n, params = struct.unpack("<IBBHIIII", hello[:24])
    if ftype != 1:
        fail("expected a HELLO, got frame type %d" % ftype)
    return server, (algo, n, params), hello[24:40]


def impersonate(c, port, who):
    """Authenticates to the replica at port as peer `who` with the cluster
    secret and checks the replica's proof (ACCEPT, a MAC over our nonce).
    The real peer redials when we replace its connection and replaces ours
    in turn, maybe before the ACCEPT is out: then we try again."""
    for _ in range(20):
        s = connect(port)
        try:
            hello = read_hello(s)
            if hello:
                server, cluster, nonce = hello
                mine = os.urandom(16)
                mac = auth_mac(c.secret, b"hoc-client", nonce, who, server, cluster)
                s.sendall(frame(2, struct.pack("<IIII", who, *cluster) + mac + mine))
                acc = read_exact(s, 48)
                if acc:
                    want = auth_mac(c.secret, b"hoc-server", mine, who, server, cluster)
                    if acc[5] != 6 or acc[16:48] != want:
                        fail("replica at port %d sent a wrong ACCEPT: %r" % (port, acc))
                    cs, _ = seal_keys(c.secret, mine, nonce, who, server, cluster)
                    return s, cluster[0], Sealer(cs)
        except OSError:
            pass
        s.close()
        time.sleep(0.005)
    fail("replica at port %d never accepted us as peer %d" % (port, who))


def attack(c):
    """Bad clients against replica 0 while the cluster runs."""
    port = c.ports[0]
    cases = 0
    for payload in [os.urandom(1000), b"\x00" * 64, b"\xff\xff\xff\xff" + os.urandom(100),
                    struct.pack("<I", 100) + b"\x07" * 20,  # truncated, then closed
                    frame(3, os.urandom(40)),  # MSG before authentication
                    frame(2, struct.pack("<IIII", 1, 0, 4, 0) + os.urandom(48)),  # AUTH, wrong algo and MAC
                    frame(2, struct.pack("<IIII", 99, 0, 4, 0) + os.urandom(48)),  # unknown id
                    frame(2, struct.pack("<II", 1, 0) + os.urandom(32)),  # AUTH of version 1's size
                    frame(2, struct.pack("<II", 1, 0) + os.urandom(48)),  # AUTH of version 2's size
                    frame(2, struct.pack("<II", 1, 0) + os.urandom(48), version=2),  # a version 2 AUTH
                    frame(6, struct.pack("<II", 1, 0) + os.urandom(32)),  # ACCEPT, from a client
                    frame(9, b"")]:  # unknown type
        s = connect(port)
        s.sendall(payload)
        s.close()
        cases += 1
    # a well-formed AUTH with the wrong secret
    s = connect(port)
    hello = read_hello(s)
    if hello:
        server, cluster, nonce = hello
        mac = auth_mac(b"wrong", b"hoc-client", nonce, 1, server, cluster)
        s.sendall(frame(2, struct.pack("<IIII", 1, *cluster) + mac + os.urandom(16)))
        s.sendall(frame(3, struct.pack("<QQII", 0, 0, 1, cluster[0]) + b"\0" * 8))
    s.close()
    cases += 1
    # authenticated as peer 2 with the real secret, then bad frames: each
    # closes the connection (the first two sealed, so that they get past the tag).
    # The real peer 2 is paused meanwhile: its redial would take the connection
    # back from the impersonator before a slow (sanitized) replica 0 read the
    # bad frame, which then went uncounted (seen once under ASan).
    c.p[2].send_signal(signal.SIGSTOP)
    try:
        cases += impersonations(c, port)
    finally:
        c.p[2].send_signal(signal.SIGCONT)
    # a client that says nothing (the handshake timeout closes it later)
    idle = connect(port)
    return cases, idle


def impersonations(c, port):
    """Peer 2's credentials, then a bad frame, on five connections."""
    cases = 0
    for bad in ["payload", "sender", "garbage", "unsealed", "altered"]:
        s, algo, tx = impersonate(c, port, 2)
        if bad == "payload":  # OTR's payload is 8 bytes
            s.sendall(tx.seal(frame(3, struct.pack("<QQII", 5, 0, 2, algo) + b"\0" * 3)))
        elif bad == "sender":
            s.sendall(tx.seal(frame(3, struct.pack("<QQII", 5, 0, 1, algo) + b"\0" * 8)))
        elif bad == "unsealed":  # a well-formed MSG without its tag
            s.sendall(frame(3, struct.pack("<QQII", 5, 0, 2, algo) + b"\0" * 24))
        elif bad == "altered":  # a sealed MSG with one payload byte changed
            fr = bytearray(tx.seal(frame(3, struct.pack("<QQII", 5, 0, 2, algo) + b"\0" * 8)))
            fr[40] ^= 1
            s.sendall(bytes(fr))
        else:
            s.sendall(os.urandom(200))
        time.sleep(0.02)
        s.close()
        cases += 1
    return cases


def http_raw(port, request):
    """Sends a raw HTTP request; returns (status, headers text, body bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, head.decode(errors="replace"), body


def check_metrics_http(port):
    """GET answers with the page, a query string is ignored, HEAD gets the
    headers alone, other paths are 404 and other methods 405."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    text = r.read().decode()
    if r.status != 200 or not r.getheader("Content-Type", "").startswith("text/plain"):
        fail("GET /metrics: %d %s" % (r.status, r.getheader("Content-Type")))
    conn.request("GET", "/metrics?x=1&y=%20")
    r = conn.getresponse()
    if r.status != 200 or "hoc_rounds_total" not in r.read().decode():
        fail("GET /metrics?x=1: %d" % r.status)
    conn.close()
    status, head, body = http_raw(port, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if status != 200 or body or "Content-Length:" not in head:
        fail("HEAD /metrics: %d, %d bytes of body, headers %r" % (status, len(body), head))
    for path in ["/", "/metricsx", "/metrics/", "/other?metrics"]:
        status, _, _ = http_raw(port, b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path.encode())
        if status != 404:
            fail("GET %s: %d, not 404" % (path, status))
    status, head, _ = http_raw(port, b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    if status != 405 or "Allow: GET, HEAD" not in head:
        fail("POST /metrics: %d, not 405 with Allow: %r" % (status, head))
    return text


def garbage():
    c = Cluster("otr", 4, 3000, ["--delay", "1", "--window", "64", "--linger", "2"], secret=True, metrics=True)
    for i in range(4):
        c.start(i)
    wait_lines(c, 0, 100, 20)
    cases, idle = attack(c)
    time.sleep(0.05)
    try:
        text = check_metrics_http(c.mport)
    except OSError as e:
        fail("no /metrics: %s" % e)
    get = lambda name: int(float([ln.split()[1] for ln in text.splitlines() if ln.startswith(name + " ")][0]))
    bad, auth = get("hoc_bad_frames_total"), get("hoc_auth_failures_total")
    tampered = get("hoc_frames_tampered_total")
    print("%d attacks: bad frames %d, authentication failures %d, tampered %d, rounds %d"
          % (cases, bad, auth, tampered, get("hoc_rounds_total")))
    if bad + auth + tampered < 12:
        fail("the attacks were not all noticed")
    if tampered < 2:  # the unsealed and the altered MSG at least (random bytes may add one)
        fail("tampered frames not counted: %d" % tampered)
    for key in ["hoc_decision_latency_seconds_bucket{le=\"+Inf\"}", "hoc_messages_in_total", "hoc_timeouts_total",
                "hoc_frames_unsent_total", "hoc_frames_overflow_total", "hoc_frames_lost_total",
                "hoc_messages_duplicate_total", "hoc_messages_ignored_total", "hoc_cluster_mismatches_total"]:
        if key not in text:
            fail("metric %s missing" % key)
        if "{" not in key and "# HELP %s " % key not in text:
            fail("metric %s has no HELP" % key)
    c.wait(range(4), 60)
    idle.close()
    c.check([(i, "") for i in range(4)], [(i, "") for i in range(4)])


def mismatch():
    """Two replicas whose peers files have different n (3 and 4 processes,
    the same addresses for ids 0 and 1) and the same secret: both logs name
    the mismatch, neither blames the secret, and neither connects."""
    c = Cluster("otr", 4, 10, ["--start-wait", "60000", "--timeout", str(20 * SLOW)], secret=True)
    small = os.path.join(c.dir, "peers3")
    with open(small, "w") as f:
        for i in range(3):
            f.write("%d 127.0.0.1:%d\n" % (i, c.ports[i]))
    c.start(0)
    c.peers = small  # replica 1 reads the 3-process file and dials 0
    c.start(1)
    deadline = time.time() + 10 * SLOW
    want = {0: "peer 1 runs with n = 3 (its peers file has 3 processes), this replica with n = 4: the peers files differ",
            1: "peer 0 runs with n = 4 (its peers file has 4 processes), this replica with n = 3: the peers files differ"}
    logs = {}
    while time.time() < deadline:
        for i in (0, 1):
            with open(os.path.join(c.dir, "log%d" % i)) as f:
                logs[i] = f.read()
        if all(want[i] in logs[i] for i in (0, 1)):
            break
        time.sleep(0.05)
    for i in (0, 1):
        if want[i] not in logs[i]:
            fail("replica %d did not name the mismatch; its log:\n%s" % (i, logs[i]))
        if "secret" in logs[i] or "connected to" in logs[i] or "accepted" in logs[i]:
            fail("replica %d blamed the secret or connected; its log:\n%s" % (i, logs[i]))
        print("replica %d:" % i, [ln for ln in logs[i].splitlines() if "differ" in ln][0])


def sets(c, i):
    """Replica i's decisions as sets: {inst: frozenset}."""
    d = {}
    with open(c.dec(i)) as f:
        for ln in f.read().splitlines():
            a, b = ln.split()
            inst = int(a)
            if inst in d:
                fail("replica %d decided instance %d twice" % (i, inst))
            inner = b.strip("{}")
            d[inst] = frozenset(int(x) for x in inner.split(",") if x)
    return d


def lattice(extra):
    """Lattice agreement (tests/net/lattice.ho) is not consensus: each
    replica's decision must hold its own proposal, and decisions must be
    comparable. With decisions forwarded, every replica would take the first
    decider's; so every replica must decide each instance by its own rounds."""
    n, k = 4, 1000
    c = Cluster("lattice", n, k, ["--window", "64"] + list(extra))
    for i in range(n):
        c.start(i)
    c.wait(range(n), 60)
    ds = [sets(c, i) for i in range(n)]
    differ = 0
    for i in range(n):
        if sorted(ds[i]) != list(range(k)):
            fail("replica %d decided %d of %d instances" % (i, len(ds[i]), k))
    for inst in range(k):
        vals = [ds[i][inst] for i in range(n)]
        for i in range(n):
            if i not in vals[i]:
                fail("instance %d: replica %d decided %s, without its own proposal" % (inst, i, sorted(vals[i])))
            for j in range(n):
                if not (vals[i] <= vals[j] or vals[j] <= vals[i]):
                    fail("instance %d: %s and %s are not comparable" % (inst, sorted(vals[i]), sorted(vals[j])))
        differ += len(set(vals)) > 1
    print("ok: %d instances on %d replicas, each decision holds its own proposal, all comparable;"
          " %d instances with different decisions" % (k, n, differ))


def too_big():
    """An algorithm whose instances do not fit in the memory allowed is
    refused at start-up with a clear error, before it takes the memory:
    tests/net/huge.ho (int[1048576][pid]: 512 MiB an instance) with the
    default budget, and LastVoting with a budget too small for --max-live."""
    for algo, extra, want in (("huge", [], "more than the 1024.0 MiB allowed"),
                              ("lastvoting", ["--memory", "1", "--max-live", "100000"],
                               "more than the 1.0 MiB allowed")):
        c = Cluster(algo, 3, 10, extra)
        p = c.start(0)
        try:
            rc = p.wait(timeout=10 * SLOW)
        except subprocess.TimeoutExpired:
            fail("%s: the replica started anyway" % algo)
        log = open(os.path.join(c.dir, "log0")).read()
        if rc != 2 or want not in log:
            fail("%s: expected exit 2 and the memory error, got %d: %s" % (algo, rc, log.strip()))
        print("ok:", log.strip().splitlines()[-1])


def values():
    """Decisions are written as hoc sim prints values: a set-valued decide
    as {0,2} (tests/net/ones.ho: the processes whose input, (instance + id)
    % 2, is 1), and every replica writes the same lines."""
    c = Cluster("ones", 3, 50)
    for i in range(3):
        c.start(i)
    c.wait(range(3), 30)
    want = ["%d %s" % (k, "{1}" if k % 2 == 0 else "{0,2}") for k in range(50)]
    for i in range(3):
        with open(c.dec(i)) as f:
            lines = sorted(f.read().splitlines(), key=lambda ln: int(ln.split()[0]))
        if lines != want:
            fail("replica %d wrote %r, not %r" % (i, lines[:4], want[:4]))
    print("ok: 50 set-valued decisions written as hoc sim prints them by 3 replicas")


def selfhear():
    """A process always hears itself, in the model hoc check explores
    (tests/net/selfhear.ho proves it, n = 3 and 4): so a replica that
    catches up over skipped rounds, or starts an instance in a later round
    (a peer's message came first), must run those rounds' updates with its
    own message. Each replica decides its own input, or 7 if it ever missed
    itself. --drop 0.3 makes replicas catch up over rounds, and stopping
    replica 2 for 0.3 s mid-run makes it catch up over many (main's engine
    ran them with empty mailboxes: dozens of 7s in every run)."""
    n, k = 3, 300
    c = Cluster("selfhear", n, k, ["--drop", "0.3", "--window", "32"])
    for i in range(n):
        c.start(i, more=["--summary", os.path.join(c.dir, "sum%d" % i), "--seed", str(i + 1)])
    wait_lines(c, 2, k // 5, 20)
    if c.p[2].poll() is None:  # not done already (a fast machine)
        os.kill(c.p[2].pid, signal.SIGSTOP)
        time.sleep(0.3)
        os.kill(c.p[2].pid, signal.SIGCONT)
    c.wait(range(n), 60)
    catchups = 0
    for i in range(n):
        d = c.decisions(i)
        if sorted(d) != list(range(k)):
            fail("replica %d decided %d of %d instances" % (i, len(d), k))
        bad = [inst for inst, v in d.items() if v != (inst + i) % 2]
        if bad:
            fail("replica %d missed its own message in %d instances (decided %d in instance %d):"
                 " a run hoc check does not have" % (i, len(bad), d[bad[0]], bad[0]))
        with open(os.path.join(c.dir, "sum%d" % i)) as f:
            catchups += json.load(f)["catchups"]
    if catchups == 0:
        fail("no replica caught up: the run tested nothing")
    print("ok: %d instances on %d replicas, each decided its own input; %d catch-ups" % (k, n, catchups))


def inputs():
    """--input is checked against its inputs' types (tests/net/inputs.ho: a
    pid, a bool, an enum of two members): a value outside one is refused
    at start-up, exit 2, naming it; inside, every replica decides what the
    inputs make (c[who] = 1, + 2 for b, + 4 for Yes)."""
    c = Cluster("inputs", 3, 10)
    base = [c.bin, "--id", "0", "--peers", c.peers, "--timeout", "5", "--input"]
    for bad, name in (("3:0:0", "input who is 3, outside 0..2"), ("-1:0:0", "input who is -1"),
                      ("0:2:0", "input b is 2, outside 0..1"),
                      ("0:0:2", "input vote is 2, outside 0..1")):
        setup_error(base + [bad], name)
    for i in range(3):
        c.start(i, more=["--input", "%d:1:1" % (2 - i)])
    c.wait(range(3), 30)
    for i in range(3):
        d = c.decisions(i)
        if d != {k: 7 for k in range(10)}:
            fail("replica %d decided %r, not 7 everywhere" % (i, d))
    print("ok: 3 replicas with pid, bool and enum inputs decided 7 in all 10 instances")


RELAY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nemesis", "relay.py")


def metric_or_none(port, name):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
    except OSError:
        return None  # not serving yet
    for ln in text.splitlines():
        if ln.startswith(name + " "):
            return int(float(ln.split()[1]))
    return None


def metric(port, name):
    v = metric_or_none(port, name)
    if v is None:
        fail("metric %s missing" % name)
    return v


def tamper():
    """Replicas 1-3 reach replica 0 through the frame relay of the nemesis
    harness, which tampers with sealed frames in both directions, one way at
    a time: each must be caught (hoc_frames_tampered_total at replica 0
    grows, its log says so), the connections come back, and the cluster
    still decides every instance, in agreement."""
    c = Cluster("otr", 4, 4000, ["--window", "16", "--delay", "1", "--linger", "2"],
                secret=True, metrics=True)
    rport = free_ports(1)[0]
    routes, relayed = os.path.join(c.dir, "routes"), os.path.join(c.dir, "peers-relayed")
    with open(routes, "w") as f:
        f.write("%d 127.0.0.1:%d\n" % (rport, c.ports[0]))
    with open(relayed, "w") as f:
        for i in range(4):
            f.write("%d 127.0.0.1:%d\n" % (i, rport if i == 0 else c.ports[i]))
    relay = subprocess.Popen([sys.executable, RELAY, "127.0.0.1", routes], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=open(os.path.join(c.dir, "relay.log"), "w"),
                             text=True)
    procs.append(relay)
    if relay.stdout.readline().strip() != "ready":
        fail("the relay did not start")
    c.start(0)
    for i in range(1, 4):
        c.start(i, peers=relayed)
    wait_lines(c, 0, 100, 20)
    def relay_stats():
        relay.stdin.write('{"stats": 1}\n')
        relay.stdin.flush()
        return json.loads(relay.stdout.readline())

    # each phase waits for its own tampering: a detection of the phase
    # before, still under way, must not end this one before the relay did
    # anything (the drop phase ended so with nothing dropped, 2 in 34 runs)
    for name, cmd, done in [("flip", {"flip": 0.05}, "flipped"),
                            ("inject", {"inject": 0.05}, "injected"),
                            ("replay", {"dup": 0.05}, "duplicated"),
                            ("reorder", {"delay_ms": 5, "reorder": True}, "delayed"),
                            ("drop", {"drop": 0.05}, "dropped")]:
        done_before = relay_stats()[done]
        before, lines = metric(c.mport, "hoc_frames_tampered_total"), c.lines(0)
        relay.stdin.write(json.dumps(cmd) + "\n")
        relay.stdin.flush()
        deadline = time.time() + 10 * SLOW
        while metric(c.mport, "hoc_frames_tampered_total") == before:
            if time.time() > deadline:
                fail("%s: no tampering detected in 10 s" % name)
            time.sleep(0.02)
        while relay_stats()[done] == done_before:
            if time.time() > deadline:
                fail("%s: the relay tampered with nothing in 10 s" % name)
            time.sleep(0.02)
        before = metric(c.mport, "hoc_frames_tampered_total")
        while metric(c.mport, "hoc_frames_tampered_total") == before:
            if time.time() > deadline:
                fail("%s: what the relay did was not detected in 10 s" % name)
            time.sleep(0.02)
        relay.stdin.write(json.dumps({"flip": 0, "inject": 0, "dup": 0, "drop": 0, "delay_ms": 0,
                                      "reorder": False}) + "\n")
        relay.stdin.flush()
        wait_lines(c, 0, lines + 50, 20)  # the connections came back and carry rounds
        print("%s: caught (tampered %d -> %d), progress resumed"
              % (name, before, metric(c.mport, "hoc_frames_tampered_total")))
    stats = relay_stats()
    print("relay: %s" % stats)
    if not (stats["flipped"] and stats["injected"] and stats["duplicated"] and stats["dropped"]):
        fail("the relay did not tamper in every way: %s" % stats)
    c.wait(range(4), 60)
    with open(os.path.join(c.dir, "log0")) as f:
        if "failed authentication" not in f.read():
            fail("replica 0's log does not name the tampered frames")
    c.check([(i, "") for i in range(4)], [(i, "") for i in range(4)])


passed = False
try:
    if CASE == "otr4":
        basic("otr", 4)
    elif CASE == "otr5":
        basic("otr", 5)
    elif CASE == "lv4":
        basic("lastvoting", 4)
    elif CASE == "lv5":
        basic("lastvoting", 5)
    elif CASE == "kill":
        kill_one("otr", 3, 3000)
    elif CASE == "restart":
        restart("otr", 3, 4000)
    elif CASE == "kill-lv":
        kill_one("lastvoting", 0, 3000)
    elif CASE == "restart-lv":
        restart("lastvoting", 0, 3000)
    elif CASE == "restart-data-lv":
        restart_data(4000, 6)
    elif CASE == "data-corrupt":
        data_corrupt()
    elif CASE == "data-refused":
        data_refused()
    elif CASE == "data-failed-forward":
        data_failed_forward()
    elif CASE == "drop-otr":
        basic("otr", 4, 1000, ["--drop", "0.2"])
    elif CASE == "drop-lv":
        basic("lastvoting", 4, 1000, ["--drop", "0.2"])
    elif CASE == "tamper":
        tamper()
    elif CASE == "garbage":
        garbage()
    elif CASE == "mismatch":
        mismatch()
    elif CASE == "values":
        values()
    elif CASE == "lattice":
        lattice([])
    elif CASE == "lattice-drop":
        lattice(["--drop", "0.2"])
    elif CASE == "no-forward":
        # consensus without forwarding: decided instances go quiet and end
        # once every peer has decided, so the window keeps moving
        basic("lastvoting", 3, 2000, ["--no-forward", "--window", "32"])
    elif CASE == "inputs":
        inputs()
    elif CASE == "selfhear":
        selfhear()
    elif CASE == "memory":
        too_big()
    elif CASE == "spin":
        # replicas that poll instead of sleeping still decide, agree and exit
        basic("otr", 4, 1000, ["--spin", "200", "--window", "4"])
    else:
        fail("unknown case " + CASE)
    passed = True
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if passed:
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
