#!/usr/bin/env python3
"""hoc-kv end to end on loopback: kv_cluster.py HOC_KV LINCHECK CASE.

Each case starts its own replicas on free ports and kills every process it
started, also on failure; replicas get --timeout so none outlives the test.
Client histories go to the history format of tests/lincheck and are checked
with hoc-lincheck (LINCHECK, or $HOC_LINCHECK; when it is not there the check
is skipped and said so)."""
import os, random, re, shutil, socket, subprocess, sys, tempfile, threading, time

import resp_client
from resp_client import Err, Resp

BIN, LINCHECK, CASE = sys.argv[1], os.environ.get("HOC_LINCHECK", sys.argv[2]), sys.argv[3]
SLOW = 3 if os.environ.get("ASAN_OPTIONS") else 1  # bounds: deadlines, timeouts
# Phases of load (clients running, a replica down) last this many times
# their normal length. The ASan replicas serve 0.4 to 0.6 times the ops a
# second of the normal ones (linear: 35,395 ops in 12 s against 32,225 in
# 4 s; crash-all: 670 writes acknowledged before the kill in 6 s against 366
# in 2 s), so SLOW's 3 gave each phase more work than the normal build does,
# and 2 gives it about as much (0.8 to 1.2 times): the same paths, thousands
# of ops each, every check as strict, 4 to 7 s sooner per case.
SLOW_LOAD = 2 if SLOW > 1 else 1
WIRE_VERSION = 7  # runtime/wire.h: the version byte of every frame
MAX_CMD = 16 << 20  # services/kv/kvcmd.h: KV_MAX_CMD, the largest command
procs, dirs = [], []


def fail(msg):
    """Ends the test at once, from any thread: a SystemExit would wait for
    the client threads, which go on until ctest's timeout (kv-kill,
    2026-12-07: 300 s after its FAIL line)."""
    print("FAIL:", msg, "(logs in %s)" % " ".join(dirs), flush=True)
    for p in procs:
        if p.poll() is None:
            p.kill()
    os._exit(1)


# The kv tests' ports: below the ephemeral range (32768..), whose ports an
# outgoing connection may take while a killed replica is down, which then
# cannot listen again (kv-kill, 2026-12-07); and below 20000, where the
# Amalgam tests' ports begin (scripts/amlocal.py), so that the two families,
# side by side under ctest -j, never choose each other's.
PORTS = (10000, 20000)


def free_ports(k, taken=()):
    """k ports free now in PORTS. Free now is not free later: another kv
    test may pick one too, which Cluster.start finds out (PortTaken)."""
    for _ in range(200):
        ports = random.sample(range(*PORTS), k)
        if set(ports) & set(taken):
            continue
        socks = []
        try:
            for p in ports:
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return ports
        except OSError:
            pass
        finally:
            for s in socks:
                s.close()
    fail("no free ports")


def spaced_ports(n, groups):
    """n base ports, each followed by groups - 1 free ones (group g: base + g)."""
    for _ in range(200):
        base = random.randrange(PORTS[0], PORTS[1] - 100 * n)
        want = [base + 100 * i + g for i in range(n) for g in range(groups)]
        try:
            socks = []
            for p in want:
                s = socket.socket()
                s.bind(("127.0.0.1", p))
                socks.append(s)
            for s in socks:
                s.close()
            return [base + 100 * i for i in range(n)]
        except OSError:
            for s in socks:
                s.close()
    fail("no free ports")


class PortTaken(Exception):
    """A port chosen free was taken before the replica listened on it."""


def answers_info(port):
    """The process_id INFO gives on port; -1 when something else answers
    there, None when nothing listens."""
    try:
        r = Resp(port, timeout=2.0 * SLOW)
    except OSError:
        return None
    try:
        m = re.search(rb"process_id:(\d+)\r\n", r.call("INFO"))
        return int(m.group(1)) if m else -1
    except (OSError, TypeError):  # closed, timed out, a bad or non-bulk reply
        return -1
    finally:
        r.close()


class Cluster:
    def __init__(self, n=3, groups=1, extra=(), data=False):
        self.dir = tempfile.mkdtemp(prefix="hoc-kv-")
        dirs.append(self.dir)
        self.n, self.groups, self.extra, self.data = n, groups, list(extra), data
        self.peers = os.path.join(self.dir, "peers")
        self.choose_ports()
        self.p = [None] * n
        self.starts = [0] * n

    def choose_ports(self):
        self.peer_ports = spaced_ports(self.n, self.groups)
        taken = [b + g for b in self.peer_ports for g in range(self.groups)]
        self.ports = free_ports(self.n, taken)
        with open(self.peers, "w") as f:
            for i in range(self.n):
                f.write("%d 127.0.0.1:%d\n" % (i, self.peer_ports[i]))

    def datadir(self, i):
        return os.path.join(self.dir, "d%d" % i)

    def logfile(self, i):
        return os.path.join(self.dir, "log%d.%d" % (i, self.starts[i]))

    def start(self, i, extra=(), wrap=(), retry=False):
        """Starts replica i and waits until it serves clients. A port taken
        by another process raises PortTaken with retry (start_all chooses
        new ones), else fails: a restarted replica keeps its ports."""
        try:
            self._start(i, extra, wrap)
        except PortTaken:
            if retry:
                raise
            fail("a port of replica %d was taken by another process (its peers file keeps them)" % i)

    def _start(self, i, extra, wrap):
        self.starts[i] += 1
        log = open(self.logfile(i), "w")
        args = [BIN, "--id", str(i), "--peers", self.peers, "--port", str(self.ports[i]),
                "--groups", str(self.groups), "--timeout", str(120 * SLOW), "--log", "info"]
        if self.data:
            args += ["--data", self.datadir(i)]
        p = subprocess.Popen(list(wrap) + args + self.extra + list(extra), stdout=log, stderr=log)
        procs.append(p)
        self.p[i] = p
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline:  # until it accepts clients: it, not another test's process
            pid = answers_info(self.ports[i])
            if pid == p.pid:
                return
            if p.poll() is not None:
                with open(self.logfile(i)) as f:
                    if "Address already in use" in f.read():
                        raise PortTaken()
                fail("replica %d exited %d at start" % (i, p.returncode))
            if pid is not None:  # another process listens on our client port
                p.kill()
                p.wait()
                raise PortTaken()
            time.sleep(0.02)
        fail("replica %d does not accept clients" % i)

    def start_all(self):
        """Starts every replica; when another test took one of the ports
        between their choice and the listen, all again on new ones."""
        for attempt in range(5):
            try:
                for i in range(self.n):
                    self.start(i, retry=True)
                return
            except PortTaken:
                print("a port was taken by another process: the cluster again on new ports")
                self.stop_all()
                self.choose_ports()
        fail("ports taken 5 times in a row")

    def kill(self, i):
        self.p[i].kill()
        self.p[i].wait()

    def stop_all(self):
        for p in self.p:
            if p and p.poll() is None:
                p.terminate()
        for p in self.p:
            if p:
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    p.kill()


# ---- histories ----
class History(resp_client.History):
    """The history kept in memory, written and checked by check()."""

    def check(self, name):
        path = os.path.join(dirs[0], name + ".hist")
        with open(path, "w") as f:
            f.write("\n".join(self.lines) + "\n")
        done = sum(1 for ln in self.lines if " ? " not in ln.split("->")[0][:40])
        if LINCHECK == "-" or not os.path.exists(LINCHECK):
            print("history %s: %d ops (%d answered); hoc-lincheck not built: not checked" %
                  (name, len(self.lines), done))
            return
        r = subprocess.run([LINCHECK, "--budget", str(60 * SLOW), "--html", path + ".html", path],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        verdict = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        print("history %s: %d ops: %s" % (name, len(self.lines), verdict))
        if r.returncode == 1 or r.returncode == 2:
            print(r.stdout)
            fail("history %s is not linearizable (see %s.html)" % (name, path))
        if r.returncode == 3:
            print("(unknown within the budget: not a failure)")


KEYS = ["k%d" % i for i in range(6)]


def random_op(rng, cid, n):
    k = rng.choice(KEYS)
    r = rng.random()
    if r < 0.25:
        return "GET", [k]
    if r < 0.45:
        return "SET", [k, "%s.%d" % (cid, n)]
    if r < 0.65:
        return "INCRBY", [k, str(rng.randrange(1, 5))]
    if r < 0.72:
        return "DEL", [k]
    if r < 0.80:
        k2 = rng.choice(KEYS)
        return "MGET", [k, k2]
    if r < 0.88:
        k2 = rng.choice(KEYS)
        return "MSET", [k, "%s.%d" % (cid, n), k2, str(n)]
    return "CAS", [k, rng.choice([str(n - 1), "%s.%d" % (cid, n - 1), "0"]), "%s.%d" % (cid, n)]


def result_list(op, res):
    if op == "MGET" and isinstance(res, list):
        return res
    if op in ("SET", "MSET") and res == "OK":
        return ["OK"]
    return [res]


def client_loop(c, cid, ports, hist, stop, seed, stats):
    """One client: one op at a time, on one replica; a lost connection makes
    the op pending and the client moves to another replica."""
    rng = random.Random(seed)
    conn, n, pi = None, 0, cid % len(ports)
    while not stop.is_set():
        if conn is None:
            try:
                conn = Resp(ports[pi], timeout=3.0 * SLOW)
            except OSError:
                pi = (pi + 1) % len(ports)
                time.sleep(0.05)
                continue
        n += 1
        op, args = random_op(rng, "c%d" % cid, n)
        call = hist.now()
        try:
            res = conn.call(op, *args)
        except (OSError, ConnectionError):
            hist.add("c%d" % cid, call, None, op, args, [])
            stats["pending"] += 1
            conn.close()
            conn, pi = None, (pi + 1) % len(ports)
            continue
        if isinstance(res, Err) and res.startswith("CROSSSLOT"):
            continue  # refused before the log: it had no effect, it is no op
        hist.add("c%d" % cid, call, hist.now(), op, args, result_list(op, res))
        stats["done"] += 1
    if conn:
        conn.close()


def run_clients(c, seconds, nclients=8, during=None):
    hist, stop, stats = History(), threading.Event(), {"done": 0, "pending": 0}
    ts = [threading.Thread(target=client_loop, args=(c, i, c.ports, hist, stop, 1000 + i, stats))
          for i in range(nclients)]
    for t in ts:
        t.start()
    if during:
        during()
    time.sleep(seconds)
    stop.set()
    for t in ts:
        t.join(30 * SLOW)
    print("clients: %d ops answered, %d pending" % (stats["done"], stats["pending"]))
    if stats["done"] < 50:
        fail("only %d ops answered" % stats["done"])
    return hist


# ---- cases ----
def cli(port, *args):
    r = subprocess.run(["redis-cli", "-p", str(port)] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=10 * SLOW)
    return r.stdout.strip()


def roundtrip():
    """redis-cli against every replica: each command's reply, as Redis gives it."""
    c = Cluster()
    c.start_all()
    p = c.ports
    want = [
        (p[0], ["PING"], "PONG"), (p[1], ["SET", "foo", "bar"], "OK"), (p[2], ["GET", "foo"], "bar"),
        (p[0], ["GET", "nope"], ""), (p[1], ["INCR", "n"], "1"), (p[2], ["INCRBY", "n", "41"], "42"),
        (p[0], ["DECRBY", "n", "2"], "40"), (p[0], ["DECR", "n"], "39"),
        (p[1], ["MSET", "a", "1", "b", "2"], "OK"), (p[2], ["MGET", "a", "b", "zz"], "1\n2"),
        (p[0], ["CAS", "a", "1", "10"], "1"), (p[0], ["CAS", "a", "1", "11"], "0"),
        (p[1], ["GET", "a"], "10"), (p[2], ["DEL", "a", "b", "zz"], "2"),
        (p[0], ["INCR", "foo"], "ERR value is not an integer or out of range"),
        (p[1], ["ECHO", "hi"], "hi"), (p[2], ["SET", "x"], "ERR wrong number of arguments for 'SET' command"),
        (p[0], ["NOSUCH", "x"], "ERR unknown command 'NOSUCH', with args beginning with:"),
    ]
    for port, args, exp in want:
        got = cli(port, *args)
        if got != exp:
            fail("redis-cli -p %d %s: got %r, want %r" % (port, " ".join(args), got, exp))
    info = cli(p[1], "INFO")
    if "group0:leader=0" not in info or "keys=" not in info:
        fail("INFO says %r" % info)
    print("ok: %d redis-cli round trips, INFO: %s" % (len(want), info.splitlines()[-1]))
    c.stop_all()


def linear(extra=(), seconds=4, groups=1):
    """Concurrent clients on every replica; the history is linearizable."""
    c = Cluster(groups=groups, extra=extra)
    c.start_all()
    h = run_clients(c, seconds * SLOW_LOAD)
    h.check("linear")
    c.stop_all()


def early(seconds=8):
    """One client sends an INCR every millisecond without waiting for the
    replies, so its commands ride in several slots at once, while the
    replicas drop messages: a slot is lost and its commands proposed again,
    and a later slot that won can carry the client's next commands first.
    The store skips those (early); they must go again at once, not after
    the 5 s retry (docs/services.md): before, the client's stream stopped
    behind them, thousands of INCRs unanswered 8 s after the last was sent.
    Every INCR is answered and takes effect once."""
    c = Cluster(extra=["--drop", "0.2"])
    c.start_all()
    r = Resp(c.ports[0], timeout=30.0 * SLOW)
    sent, stop = [], threading.Event()

    def writer():
        while not stop.is_set():
            sent.append(time.time())
            r.send_raw(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
            time.sleep(0.001)

    w = threading.Thread(target=writer)
    w.start()
    worst, done, t_end = 0.0, 0, time.time() + seconds * SLOW_LOAD
    while time.time() < t_end or done < len(sent):
        if time.time() >= t_end:
            stop.set()
        if time.time() > t_end + 8.0 * SLOW:
            fail("%d INCRs unanswered %.0f s after the last was sent: commands the store skipped "
                 "as early waited for the retry" % (len(sent) - done, 8.0 * SLOW))
        res = r.read()
        if isinstance(res, Err):
            stop.set()
            fail("INCR: %s" % res)
        worst = max(worst, time.time() - sent[done])
        done += 1
    w.join()
    got = int(r.call("GET", "n"))
    if got != done:
        fail("%d INCRs acknowledged, the counter reads %d" % (done, got))
    # (a single wait of 5 s, the retry, was seen once under ASan: another
    # path than the early skips; main's left thousands waiting, as below)
    print("ok: %d INCRs, the slowest answered in %.2f s" % (done, worst))
    c.stop_all()


def kill_and_restart():
    """A replica is killed under load (the leader: clients elsewhere go on),
    then restarts, catches up from its peers, and serves reads that see the
    writes made while it was down; the whole history is linearizable."""
    c = Cluster()
    c.start_all()
    def faults():
        time.sleep(1.5 * SLOW_LOAD)
        c.kill(0)
        print("killed replica 0 (the leader)")
        time.sleep(2 * SLOW_LOAD)
        c.start(0)
        print("restarted replica 0")
    h = run_clients(c, 3 * SLOW_LOAD, during=faults)
    # the restarted replica catches up: a write through another replica is
    # read back through it
    r1 = Resp(c.ports[1])
    if r1.call("SET", "after", "restart") != "OK":
        fail("SET after the restart failed")
    deadline, seen = time.time() + 20 * SLOW, None
    while time.time() < deadline:
        try:
            seen = Resp(c.ports[0]).call("GET", "after")
        except (OSError, ConnectionError):
            seen = None
        if seen == b"restart":
            break
        time.sleep(0.1)
    if seen != b"restart":
        fail("the restarted replica reads %r" % seen)
    info = [cli(port, "INFO").splitlines()[-1] for port in c.ports]
    print("ok: the restarted replica caught up:", info[0])
    h.check("kill-restart")
    c.stop_all()


def garbage():
    """Malformed RESP, an oversized request and unknown commands get an error
    reply; only the offending connection closes; the replica goes on."""
    c = Cluster()
    c.start_all()
    port = c.ports[0]
    bystander = Resp(port)
    if bystander.call("SET", "k", "v") != "OK":
        fail("set")
    cases = [
        (b"*2\r\n$3\r\nGET\r\n$x\r\n", "Protocol error: invalid bulk length"),
        (b"*abc\r\n", "Protocol error: invalid multibulk length"),
        (b"*1\r\n+PING\r\n", "Protocol error: expected '$'"),
        (b"*1\r\n$4\r\nPINGxx", "Protocol error: bulk string not followed by"),
        (b"*1\r\n$99999999\r\n", "Protocol error: invalid bulk length"),
        (b"GET a\nb\r\n", "Protocol error: expected"),
    ]
    for data, want in cases:
        r = Resp(port)
        r.send_raw(data)
        try:
            got = r.read()
        except (OSError, ConnectionError) as e:
            fail("%r: no error reply (%s)" % (data, e))
        if not isinstance(got, Err) or want not in got:
            fail("%r: got %r, want an error with %r" % (data, got, want))
        try:  # and the connection is closed
            r.s.settimeout(2)
            if r.s.recv(1) != b"":
                fail("%r: the connection stays open" % data)
        except OSError:
            pass
    r = Resp(port, timeout=10.0 * SLOW)
    big = b"x" * MAX_CMD  # within the protocol's limits, larger than a command
    res = r.call("SET", "big", big)
    if not isinstance(res, Err) or "at most %d" % MAX_CMD not in res or r.call("PING") != "PONG":
        fail("an oversized SET must get an error with the limit, and the connection go on: %r" %
             (res[:200],))
    if not isinstance(r.call("FLUSHALL"), Err) or r.call("GET", "k") != b"v":
        fail("an unknown command must get an error, and the connection go on")
    r.send_raw(b"*1\r\n$%d\r\n" % (MAX_CMD + 1))  # a bulk beyond the protocol's limit
    if "invalid bulk length" not in r.read():
        fail("a bulk over 16 MiB must be refused")
    if bystander.call("GET", "k") != b"v" or c.p[0].poll() is not None:
        fail("the other connection or the replica suffered")
    print("ok: %d malformed requests refused one connection each; oversized and unknown "
          "commands answered with errors; the bystander and the replica went on" % len(cases))
    c.stop_all()


def large():
    """Values larger than a log slot (65,000 bytes) go in parts over several
    slots: a 1 MiB SET through a follower with redis-cli (forwarded to the
    leader part by part), read back byte for byte on every replica; an MSET
    of 3 MiB, atomic; then writers of 65 KB to 800 KB values on every
    replica, small ones between, while the leader is killed and restarted
    (parts lost with its slots are sent again, in order): every acknowledged
    value reads back exactly, on every replica, the restarted one too (its
    log replayed); the store keeps no pieces but those of the killed
    replica's client."""
    c = Cluster(data=True)
    c.start_all()
    rng = random.Random(17)
    mib = bytes(rng.getrandbits(8) for _ in range(256)) * 4096
    path = os.path.join(c.dir, "value")
    with open(path, "wb") as f:
        f.write(mib)
    with open(path, "rb") as f:  # replica 0 leads group 0: replica 1 forwards
        out = subprocess.run(["redis-cli", "-p", str(c.ports[1]), "-x", "SET", "big"], stdin=f,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30 * SLOW)
    if out.stdout.strip() != b"OK":
        fail("redis-cli -x SET of 1 MiB through a follower: %r" % out.stdout[:200])
    got = subprocess.run(["redis-cli", "-p", str(c.ports[2]), "GET", "big"], stdout=subprocess.PIPE,
                         timeout=10 * SLOW)
    if got.stdout != mib + b"\n":
        fail("redis-cli GET of the 1 MiB value through replica 2: %d bytes" % len(got.stdout))
    for i in range(c.n):
        v = Resp(c.ports[i], timeout=10.0 * SLOW).call("GET", "big")
        if v != mib:
            fail("replica %d reads %r bytes for the 1 MiB value" % (i, None if v is None else len(v)))
    print("ok: a 1 MiB SET through a follower (redis-cli -x) reads back on every replica")
    r = Resp(c.ports[2], timeout=10.0 * SLOW)
    vals = [mib[k:] + mib[:k] for k in (1, 2, 3)]
    if r.call("MSET", "m1", vals[0], "m2", vals[1], "m3", vals[2]) != "OK":
        fail("an MSET of 3 MiB")
    if Resp(c.ports[1], timeout=10.0 * SLOW).call("MGET", "m1", "m2", "m3") != vals:
        fail("the 3 MiB MSET does not read back")
    print("ok: an MSET of 3 MiB through a follower reads back")

    stop, acked, lock = threading.Event(), {}, threading.Lock()
    def writer(w):
        wrng, conn, n = random.Random(w), None, 0
        while not stop.is_set():
            if conn is None:
                try:
                    conn = Resp(c.ports[w % c.n], timeout=10.0 * SLOW)
                except OSError:
                    time.sleep(0.1)
                    continue
            n += 1
            size = wrng.choice([5, wrng.randrange(65001, 800000)])
            key, val = "w%d.%d" % (w, n), ((b"%d." % n) * (size // 2 + 1))[:size]
            try:
                if conn.call("SET", key, val) == "OK":
                    with lock:
                        acked[key] = val
            except (OSError, ConnectionError):
                conn.close()
                conn = None
        if conn:
            conn.close()
    ts = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
    for t in ts:
        t.start()
    time.sleep(1)  # (not longer under the sanitizers: what is written is read back 3 times)
    c.kill(0)
    print("killed replica 0 (the leader) with %d writes acknowledged" % len(acked))
    time.sleep(1)
    c.start(0)
    time.sleep(1)
    stop.set()
    for t in ts:
        t.join(60 * SLOW)
    big = sum(1 for v in acked.values() if len(v) > 65000)
    if big < 8:
        fail("only %d large values acknowledged" % big)
    for i in range(c.n):
        deadline, r = time.time() + 20 * SLOW, None
        while time.time() < deadline:  # the restarted replica catches up
            try:
                r = Resp(c.ports[i], timeout=10.0 * SLOW)
                if r.call("SET", "sync%d" % i, "1") == "OK":
                    break
            except (OSError, ConnectionError):
                time.sleep(0.2)
        for k, v in acked.items():
            got = r.call("GET", k)
            if got != v:
                fail("replica %d: %s (%d bytes acknowledged) reads %s" %
                     (i, k, len(v), None if got is None else "%d bytes" % len(got)))
        # a client of the killed replica may have left pieces of a command
        # in parts (docs/services.md); no other
        parts = int(re.search(r"parts=(\d+)", r.call("INFO").decode()).group(1))
        if parts > 1:
            fail("replica %d keeps pieces for %d clients" % (i, parts))
    if not log_says(c, 0, "recovered from"):
        fail("replica 0 did not replay its log")
    for name in sorted(os.listdir(c.dir)):
        if name.startswith("log") and " ERROR " in open(os.path.join(c.dir, name)).read():
            fail("%s logged an error" % name)
    print("ok: %d acknowledged writes (%d over a slot, up to %d bytes) read back on every "
          "replica after the leader's kill and restart" %
          (len(acked), big, max(len(v) for v in acked.values())))
    c.stop_all()


def separate():
    """Peers and clients are separate (docs/runtime.md, "Authenticated
    frames"): replica frames sent to the client port are not commands that
    act (an error, or the connection closes), a RESP request sent to the
    peer port gets at most the replica's HELLO, then the connection closes;
    the store goes on."""
    import struct
    c = Cluster()
    c.start_all()
    bystander = Resp(c.ports[0])
    if bystander.call("SET", "k", "v") != "OK":
        fail("set")
    hello = struct.pack("<IBBHIIII", 36, WIRE_VERSION, 1, 0, 0, 1, 3, 2) + bytes(16)
    auth = struct.pack("<IBBHIIII", 68, WIRE_VERSION, 2, 0, 1, 1, 3, 2) + bytes(48)
    for frame in (hello, auth):
        # no newline in either frame, so the parser waits for the rest of an
        # inline command: no reply ever comes, and the wait ends at the
        # timeout. A reply would come as fast as the bystander's (ms): 1 s
        # (3 under ASan) waits as well as the 5 s default did, 8 s sooner.
        r = Resp(c.ports[0], timeout=1.0 * SLOW)
        r.send_raw(frame)
        try:
            got = r.read()
            if not isinstance(got, Err):
                fail("a wire frame on the client port was answered %r" % got)
        except (OSError, ConnectionError):
            pass  # closed without a reply: refused too
        r.close()
    s = socket.create_connection(("127.0.0.1", c.peer_ports[0]), 5)
    s.settimeout(8)
    s.sendall(b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nx\r\n")
    data = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            data += d
    except socket.timeout:
        fail("the peer port keeps a RESP client connected")
    except OSError:
        pass  # reset: closed with our bytes unread
    s.close()
    # the HELLO goes out at the end of the loop iteration that accepted us;
    # when our bytes arrive in the same one, the connection closes before it
    if data and (len(data) != 40 or data[4:6] != bytes([WIRE_VERSION, 1])):
        fail("the peer port answered RESP with %r, not a HELLO alone" % data[:64])
    if bystander.call("GET", "k") != b"v" or c.p[0].poll() is not None:
        fail("the store suffered")
    print("ok: wire frames on the client port refused, RESP on the peer port got %d bytes "
          "(at most a HELLO) and was closed; the store goes on" % len(data))
    c.stop_all()


def sharded():
    """ShardedPaxos: 4 groups on 3 replicas, leaders spread; keys hash to
    groups; multi-key commands within a group work, across groups are
    refused; concurrent clients stay linearizable."""
    c = Cluster(groups=4)
    c.start_all()
    # the first command waits for its group's first slot: once (1 run of 8
    # under ASan beside the suite, 2026-12-07) that took more than 5 s
    r = Resp(c.ports[2], timeout=30.0)
    if r.call("MSET", "{u}a", "1", "{u}b", "2") != "OK" or r.call("MGET", "{u}a", "{u}b") != [b"1", b"2"]:
        fail("MSET/MGET within a group")
    cross = [("a%d" % i, "b%d" % j) for i in range(20) for j in range(20)]
    for a, b in cross:
        res = r.call("MSET", a, "1", b, "2")
        if isinstance(res, Err):
            if "CROSSSLOT" not in res:
                fail("cross-group MSET: %r" % res)
            break
    else:
        fail("no cross-group MSET was refused")
    time.sleep(0.5)
    info = cli(c.ports[0], "INFO")
    leaders = sorted(set(re.findall(r"leader=(\d+)", info)))
    if len(leaders) < 3:
        fail("leaders not spread: %s" % info)
    print("ok: 4 groups, leaders on replicas %s" % ",".join(leaders))
    h = run_clients(c, 3 * SLOW_LOAD)
    h.check("sharded")
    c.stop_all()


# ---- durability (issue 15): every replica with --data ----
def writer_loop(ports, stop, acked, prefix):
    """Unique keys, one at a time, moving on when a replica goes away; the
    keys whose SET was answered OK are acknowledged writes."""
    conn, n, pi = None, 0, 0
    while not stop.is_set():
        if conn is None:
            try:
                conn = Resp(ports[pi], timeout=3.0 * SLOW)
            except OSError:
                pi = (pi + 1) % len(ports)
                time.sleep(0.05)
                continue
        n += 1
        try:
            if conn.call("SET", "%s%d" % (prefix, n), str(n)) == "OK":
                acked.append(n)
        except (OSError, ConnectionError):
            conn.close()
            conn, pi = None, (pi + 1) % len(ports)
    if conn:
        conn.close()


def wait_writes(acked, n, seconds):
    """Sleeps for a phase of `seconds`, then on until the writer has n
    writes acknowledged (within 20 * SLOW s): what the case needs done
    before its next step, however slow a loaded machine makes the writes."""
    time.sleep(seconds)
    deadline = time.time() + 20 * SLOW
    while len(acked) < n and time.time() < deadline:
        time.sleep(0.05)


def check_acked(c, acked, prefix, via):
    """Every acknowledged write reads back through replica `via`."""
    deadline = time.time() + 20 * SLOW
    r = None
    while time.time() < deadline:
        try:
            r = Resp(c.ports[via], timeout=5.0 * SLOW)
            r.call("GET", "warm-up")
            break
        except (OSError, ConnectionError):
            time.sleep(0.1)
    for n in acked:
        v = r.call("GET", "%s%d" % (prefix, n))
        if v != str(n).encode():
            fail("acknowledged write %s%d = %d reads %r through replica %d" % (prefix, n, n, v, via))
    print("ok: %d acknowledged writes read back through replica %d" % (len(acked), via))


def log_says(c, i, text):
    with open(c.logfile(i)) as f:
        return text in f.read()


def crash_all(fsync):
    """kill -9 of every replica at once under load (clients and a writer of
    unique keys), restart: every acknowledged write is there and the whole
    history is linearizable. Snapshots every 100 slots, so recovery goes
    through snapshot, truncated log and replay."""
    c = Cluster(data=True, extra=["--fsync", fsync, "--snapshot-every", "100"])
    c.start_all()
    stop, acked = threading.Event(), []
    w = threading.Thread(target=writer_loop, args=(c.ports, stop, acked, "w"))
    w.start()
    def faults():
        time.sleep(2 * SLOW_LOAD)
        for i in range(c.n):
            c.p[i].kill()
        for i in range(c.n):
            c.p[i].wait()
        print("killed every replica (kill -9) with %d writes acknowledged" % len(acked))
        for i in range(c.n):
            c.start(i)
        print("restarted every replica")
    h = run_clients(c, 3 * SLOW_LOAD, during=faults)
    stop.set()
    w.join(30 * SLOW)
    for i in range(c.n):
        if not log_says(c, i, "recovered from"):
            fail("replica %d did not say it recovered" % i)
        if log_says(c, i, " ERROR "):
            fail("replica %d logged an error" % i)
    snaps = [os.path.exists(os.path.join(c.datadir(i), "g0", "snap")) for i in range(c.n)]
    if not any(snaps):
        fail("no replica wrote a snapshot")
    segs = [len([f for f in os.listdir(os.path.join(c.datadir(i), "g0")) if f.startswith("wal.")])
            for i in range(c.n)]
    if max(segs) > 3:
        fail("the log is not truncated behind snapshots: %s segments" % segs)
    print("ok: snapshots %s, log segments per replica %s" % (snaps, segs))
    check_acked(c, acked, "w", 1)
    h.check("crash-all")
    c.stop_all()


def wipe(transfer=False):
    """A replica whose disk is wiped while it is down catches up from its
    peers when it comes back, and serves what was written before and after:
    from their logs, or (transfer: snapshots every 50 slots, so the peers
    have forgotten the first slots) by copying a peer's snapshot in chunks."""
    c = Cluster(data=True, extra=["--snapshot-every", "50"] if transfer else [])
    c.start_all()
    stop, acked = threading.Event(), []
    w = threading.Thread(target=writer_loop, args=(c.ports[:2], stop, acked, "w"))
    w.start()
    time.sleep(1 * SLOW_LOAD)
    c.kill(2)
    shutil.rmtree(c.datadir(2))
    print("replica 2 killed and its data directory removed, %d writes so far" % len(acked))
    # transfer: 150 writes (three snapshots' worth were each in a slot of
    # its own) before it returns, so that the peers have snapshotted and cut
    # their logs by then, whatever the load
    wait_writes(acked, 150 if transfer else 0, 1 * SLOW_LOAD)
    c.start(2)
    time.sleep(1 * SLOW_LOAD)
    stop.set()
    w.join(30 * SLOW)
    check_acked(c, acked, "w", 2)
    if transfer and not log_says(c, 2, "installed replica"):
        fail("replica 2 did not install a peer's snapshot")
    if transfer:
        with open(c.logfile(2)) as f:
            print("ok:", [ln.strip() for ln in f if "installed replica" in ln][0])
    c.stop_all()


def damaged(how):
    """A replica's log cut inside its last record (torn) or with a byte
    flipped near its end (corrupt) is cut at the last good record with a log
    line, never replayed; the replica rejoins and reads every acknowledged
    write (the rest comes from its peers)."""
    c = Cluster(data=True)
    c.start_all()
    stop, acked = threading.Event(), []
    w = threading.Thread(target=writer_loop, args=(c.ports, stop, acked, "w"))
    w.start()
    time.sleep(1.5 * SLOW_LOAD)
    c.kill(1)
    seg = sorted(f for f in os.listdir(os.path.join(c.datadir(1), "g0")) if f.startswith("wal."))[-1]
    path = os.path.join(c.datadir(1), "g0", seg)
    size = os.path.getsize(path)
    if size < 1000:
        fail("the log is too short to damage (%d bytes)" % size)
    if how == "torn":
        os.truncate(path, size - 7)
    else:
        with open(path, "r+b") as f:
            f.seek(size - 300)
            b = f.read(1)
            f.seek(size - 300)
            f.write(bytes([b[0] ^ 0x40]))
    print("replica 1 killed, its log %s (%d bytes)" % ("cut by 7 bytes" if how == "torn" else "with a flipped byte", size))
    time.sleep(0.5 * SLOW_LOAD)
    c.start(1)
    time.sleep(1 * SLOW_LOAD)
    stop.set()
    w.join(30 * SLOW)
    want = "is torn" if how == "torn" else "is corrupt"
    if not log_says(c, 1, want) or not log_says(c, 1, "the log is cut there"):
        fail("replica 1's log does not say its log %s was cut" % want)
    check_acked(c, acked, "w", 1)
    c.stop_all()


def full_disk():
    """Replica 0's data directory is a 2 MiB tmpfs (a mount namespace of its
    own): once it is full, replica 0 refuses writes with a clear error and
    the others go on."""
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if probe.returncode != 0:
        print("SKIP: cannot mount a small tmpfs here (unshare -rm: %s)" % probe.stdout.decode().strip())
        sys.exit(77)
    c = Cluster(data=True)
    d0 = c.datadir(0)
    os.makedirs(d0)
    wrap = ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', d0]
    c.start(0, wrap=wrap)
    c.start(1)
    c.start(2)
    r0, r1 = Resp(c.ports[0], timeout=5.0 * SLOW), Resp(c.ports[1], timeout=5.0 * SLOW)
    big, err = "v" * 40000, None
    for n in range(200):
        try:
            res = r0.call("SET", "big%d" % (n % 10), big)
        except socket.timeout:
            res = None  # taken before the disk filled, never acknowledged
            r0 = Resp(c.ports[0], timeout=5.0 * SLOW)
        if isinstance(res, Err):
            err = res
            break
    if not err or "cannot write its log" not in err or "No space left on device" not in err:
        fail("a full disk did not refuse writes clearly: %r" % err)
    print("ok: replica 0 refuses writes: %s" % err)
    if r1.call("SET", "elsewhere", "1") != "OK" or r1.call("GET", "elsewhere") != b"1":
        fail("the other replicas stopped")
    if not log_says(c, 0, "stops acknowledging writes"):
        fail("replica 0's log does not say why it refuses writes")
    print("ok: the others go on")
    c.stop_all()


try:
    passed = False
    if CASE == "roundtrip":
        roundtrip()
    elif CASE == "linear":
        linear()
    elif CASE == "drop":
        linear(["--drop", "0.2"])
    elif CASE == "early":
        early()
    elif CASE == "delay":
        linear(["--delay", "5"])
    elif CASE == "kill":
        kill_and_restart()
    elif CASE == "garbage":
        garbage()
    elif CASE == "large":
        large()
    elif CASE == "separate":
        separate()
    elif CASE == "sharded":
        sharded()
    elif CASE == "crash-all":
        crash_all("batch")
    elif CASE == "crash-always":
        crash_all("always")
    elif CASE == "wipe":
        wipe()
    elif CASE == "transfer":
        wipe(transfer=True)
    elif CASE == "torn":
        damaged("torn")
    elif CASE == "corrupt":
        damaged("corrupt")
    elif CASE == "full":
        full_disk()
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
