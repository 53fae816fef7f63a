"""Systems under test. A system is what the harness needs to know to put a
distributed program under the nemesis (docs/testing.md, "Adding a system"):

  name, n, tolerates (how many nodes may be down, paused or cut off at once
  with the fault assumptions still holding after the heal)
  setup(net, workdir, bindir, peers_for)  write configuration
  start(i) / kill(i) / pause(i) / resume(i) / stop()   node life
  progress()  a number per node that grows while the system does its work
              (decisions, acknowledged operations); recovery is measured on it
  check()     after stop(): (operations, [violations]), each violation a
              string saying what broke and where

ReplicaSystem covers the consensus replicas that `hoc build` makes (OTR,
LastVoting): the workload is an endless run of instances (every node
proposes a fixed value of its own in each), the check agreement (no two
decisions of one instance differ, across all nodes and incarnations),
validity (every decision is some node's proposal) and integrity (no node
decides an instance twice in one incarnation); an agreement violation in
a run in which some node restarted is reported as "agreement after
amnesia": the replicas keep no state across a restart, which the crash-stop
model does not cover (docs/testing.md).

KvSystem is hoc-kv (services/kv): clients on a host of their own on the
bridge (kvclient.py) record a history, which hoc-lincheck must find
linearizable, and after the last heal read every key back: each must hold
what the acknowledged writes left there (lost_writes). A system may define
finish(), which the harness calls after the last heal, before stop().

AmalgamSystem is Amalgam's machines, with clients like the store's and
its parity checked after the heal (its docstring)."""
import json
import os
import re
import signal
import subprocess
import sys
import time

PORT = 7000
RELAY_BASE = 20000


def find_bins(env, bindir, *names):
    """The paths of names in $env, or else in build/bin (bindir is the
    replicas' folder, build/examples/<algo>/bin); exits naming the first
    one missing."""
    d = os.environ.get(env) or os.path.join(bindir, "..", "..", "..", "bin")
    paths = [os.path.join(d, x) for x in names]
    for b in paths:
        if not os.path.exists(b):
            raise SystemExit("no %s: build it (make build) or set %s" % (b, env))
    return paths


class System:
    name = "?"
    n = 4
    tolerates = 1

    def __init__(self, n=None):
        if n:
            self.n = n

    def write_cluster(self, workdir, peers_for, tag):
        """The shared secret (self.secret) and one peers file a node
        (self.peers[i]: node j at peers_for(i, j)), in workdir."""
        self.secret = os.path.join(workdir, "secret")
        with open(self.secret, "w") as f:
            f.write("%s-%d\n" % (tag, os.getpid()))
        self.peers = []
        for i in range(self.n):
            path = os.path.join(workdir, "peers%d" % i)
            with open(path, "w") as f:
                for j in range(self.n):
                    f.write("%d %s\n" % (j, peers_for(i, j)))
            self.peers.append(path)


class ReplicaSystem(System):
    """Replicas of a consensus algorithm built by `hoc build`."""

    def __init__(self, algo, n=None, tolerates=None, extra=(), data=True):
        super().__init__(n)
        self.algo = algo
        self.data = data  # --data: a restarted replica resumes its state
        self.name = algo
        self.tolerates = tolerates(self.n) if callable(tolerates) else (tolerates or 1)
        self.extra = list(extra)
        self.procs = [None] * self.n
        self.incarnation = [0] * self.n
        self.files = [[] for _ in range(self.n)]  # decisions files, every incarnation
        self.counted = {}  # decisions file -> (bytes read, lines)
        self.all_procs = []

    def proposal(self, i):
        # distinct, non-zero proposals (three values among the nodes): a
        # decision of 0 or 1 (a zeroed message from an unheard sender, the
        # default inputs) is caught by the validity check
        return 100 + i % 3

    def setup(self, net, workdir, bindir, peers_for):
        self.net, self.dir = net, workdir
        self.bin = os.path.join(bindir, self.algo + "-replica")
        if not os.path.exists(self.bin):
            raise SystemExit("no %s: build it (make build) or pass --bin" % self.bin)
        self.write_cluster(workdir, peers_for, "nemesis")

    def start(self, i):
        k = self.incarnation[i]
        self.incarnation[i] += 1
        dec = os.path.join(self.dir, "d%d.%d" % (i, k))
        self.files[i].append(dec)
        args = self.net.exec_args(i) + [
            self.bin, "--id", str(i), "--peers", self.peers[i], "--secret", self.secret,
            "--instances", "1000000000", "--decisions", dec, "--input", str(self.proposal(i)),
            "--window", "16", "--delay", "5", "--log", os.environ.get("HOC_NEMESIS_LOG", "warn"),
            "--timeout", "86400"] + self.extra
        if self.data:  # one directory per node, kept across its incarnations
            args += ["--data", os.path.join(self.dir, "data%d" % i)]
        log = open(os.path.join(self.dir, "log%d.%d" % (i, k)), "w")
        p = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self.procs[i] = p
        self.all_procs.append(p)

    def alive(self, i):
        return self.procs[i] is not None and self.procs[i].poll() is None

    def kill(self, i):
        p = self.procs[i]
        if p and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()

    def pause(self, i):
        self.procs[i].send_signal(signal.SIGSTOP)

    def resume(self, i):
        self.procs[i].send_signal(signal.SIGCONT)

    def stop(self):
        """SIGTERM (a replica flushes its decisions and exits 1), SIGKILL
        for whatever did not exit within 5 s. Also reports replicas that
        died on their own (a crash is a finding)."""
        died = []
        for i, p in enumerate(self.procs):
            if p and p.poll() is not None and p.returncode not in (0, -9):
                died.append("node %d exited by itself with status %s (log %s)"
                            % (i, p.returncode, self.dir))
        for p in self.all_procs:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.terminate()
        deadline = time.time() + 5
        for p in self.all_procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return died

    def progress(self):
        """Decisions written by each node's current incarnation so far (the
        replica flushes its decisions file every 100 ms)."""
        out = []
        for i in range(self.n):
            if not self.files[i]:
                out.append(0)
                continue
            path = self.files[i][-1]
            done, lines = self.counted.get(path, (0, 0))
            try:
                with open(path, "rb") as f:
                    f.seek(done)
                    data = f.read()
            except FileNotFoundError:
                data = b""
            cut = data.rfind(b"\n") + 1
            lines += data[:cut].count(b"\n")
            self.counted[path] = (done + cut, lines)
            out.append(lines)
        return out

    def check(self):
        proposals = {str(self.proposal(i)) for i in range(self.n)}
        amnesia = not self.data and any(len(f) > 1 for f in self.files)
        ref, violations = {}, []
        for i in range(self.n):
            for k, path in enumerate(self.files[i]):
                seen = set()
                try:
                    text = open(path).read()
                except FileNotFoundError:
                    continue
                for ln in text[:text.rfind("\n") + 1].splitlines():
                    parts = ln.split()
                    if len(parts) != 2:
                        violations.append("%s: malformed line %r" % (path, ln))
                        continue
                    inst, val = int(parts[0]), parts[1]
                    if inst in seen:
                        violations.append("integrity: node %d decided instance %d twice (%s)"
                                          % (i, inst, os.path.basename(path)))
                    seen.add(inst)
                    if val not in proposals:
                        violations.append("validity: node %d decided %s in instance %d, "
                                          "proposed were %s" % (i, val, inst, sorted(proposals)))
                    first = ref.setdefault(inst, (val, i, k))
                    if first[0] != val:
                        # without --data a restarted replica has fresh
                        # state: outside the crash-stop model (it may take
                        # part in a quorum without what it promised before)
                        kind = "agreement after amnesia" if amnesia else "agreement"
                        violations.append("%s: instance %d decided %s at node %d (incarnation %d) "
                                          "and %s at node %d (incarnation %d)"
                                          % (kind, inst, first[0], first[1], first[2], val, i, k))
        return len(ref), violations


KV_PORT = 6379


def parse_history(path):
    """The ops of a history file written by kvclient.py: (client, call,
    ret or None, op, args, results), values as bytes (None: nil)."""
    def val(t):
        if t == "nil":
            return None
        if t.startswith('x"'):
            return bytes.fromhex(t[2:-1])
        return t.encode()
    ops = []
    with open(path) as f:
        for ln in f:
            ln = ln.strip()
            if not ln:
                continue
            left, _, right = ln.partition(" -> ")
            parts = left.split()
            ret = None if parts[2] == "?" else int(parts[2])
            res = [] if right.strip() == "?" else [val(t) for t in right.split()]
            ops.append((parts[0], int(parts[1]), ret, parts[3], [val(t) for t in parts[4:]], res))
    return ops


ANY_INT = object()  # a pending INCRBY: it may have left any integer


def lost_writes(ops, final):
    """Keys whose value after the heal (final: key -> bytes or None) is not
    what some write left there that no acknowledged write followed (in real
    time), or nil when no write is acknowledged: an acknowledged write lost,
    or an old value back. Returns [(key, value, [candidate values])]."""
    writes = {}  # key -> [(call, ret or inf, value)]
    inf = float("inf")
    for (_, call, ret, op, args, res) in ops:
        r = inf if ret is None else ret
        if op == "SET":
            writes.setdefault(args[0], []).append((call, r, args[1]))
        elif op == "MSET":
            for k in range(0, len(args) - 1, 2):
                writes.setdefault(args[k], []).append((call, r, args[k + 1]))
        elif op == "DEL":
            for k in args:
                writes.setdefault(k, []).append((call, r, None))
        elif op == "INCRBY":
            if ret is None:
                writes.setdefault(args[0], []).append((call, r, ANY_INT))
            elif res and isinstance(res[0], bytes) and re.fullmatch(rb"-?[0-9]+", res[0]):
                writes.setdefault(args[0], []).append((call, r, res[0]))
        elif op == "CAS" and (ret is None or res == [b"1"]):
            writes.setdefault(args[0], []).append((call, r, args[2]))
    bad = []
    for key, value in final.items():
        k = key.encode()
        ws = writes.get(k, [])
        acked = [w for w in ws if w[1] != inf]
        cands = [w[2] for w in ws if not any(a[0] > w[1] for a in acked)]
        if not acked:
            cands.append(None)
        ok = value in cands or (ANY_INT in cands and value is not None and
                                re.fullmatch(rb"-?[0-9]+", value) is not None)
        if not ok:
            bad.append((key, value, [c for c in cands if c is not ANY_INT][:6]))
    return bad


def run_lincheck(system, ops, model, violations):
    """hoc-lincheck on system.history (budget: 60 s or a second per 50 ops,
    whichever is more): its verdict in system.lincheck_verdict, and a
    violation unless linearizable or unknown."""
    budget = max(60, int(len(ops) / 50))
    r = subprocess.run([system.lincheck] + model + ["--budget", str(budget), "--html",
                                                    system.history + ".html", system.history],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    system.lincheck_verdict = {0: "linearizable", 1: "NOT linearizable", 3: "unknown"}.get(
        r.returncode, "error %d" % r.returncode)
    if r.returncode in (1, 2):
        violations.append("hoc-lincheck: history %s (%d ops) %s: %s" % (
            system.history, len(ops), system.lincheck_verdict,
            " ".join(r.stdout.strip().splitlines()[-3:])))


class KvSystem(System):
    """hoc-kv replicas, and clients on the clients' host."""
    name = "kv"
    clients = True

    def __init__(self, n=None):
        super().__init__(n or 3)
        self.tolerates = (self.n - 1) // 2  # LastVoting: a majority
        self.procs = [None] * self.n
        self.incarnation = [0] * self.n
        self.all_procs = []
        self.client = None
        self.final = None

    def setup(self, net, workdir, bindir, peers_for):
        self.net, self.dir = net, workdir
        self.bin, self.lincheck = find_bins("HOC_KV_BIN", bindir, "hoc-kv", "hoc-lincheck")
        self.write_cluster(workdir, peers_for, "nemesis-kv")
        self.history = os.path.join(workdir, "history.txt")
        self.progress_file = os.path.join(workdir, "progress.json")
        self.final_file = os.path.join(workdir, "final.json")

    def start(self, i):
        k = self.incarnation[i]
        self.incarnation[i] += 1
        from netns import node_addr
        args = self.net.exec_args(i) + [
            self.bin, "--id", str(i), "--peers", self.peers[i], "--secret", self.secret,
            "--port", str(KV_PORT), "--log", os.environ.get("HOC_NEMESIS_LOG", "warn"),
            "--timeout", "86400"]
        log = open(os.path.join(self.dir, "log%d.%d" % (i, k)), "w")
        p = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        self.procs[i] = p
        self.all_procs.append(p)
        if self.client is None and i == self.n - 1:  # every node started: the clients too
            nodes = ",".join("%s:%d" % (node_addr(j), KV_PORT) for j in range(self.n))
            here = os.path.dirname(os.path.abspath(__file__))
            self.client_log = open(os.path.join(self.dir, "clients.log"), "w")
            self.client = subprocess.Popen(
                self.net.client_args() + [
                    "python3", os.path.join(here, "kvclient.py"), "--nodes", nodes,
                    "--clients", str(2 * self.n), "--seed", str(os.getpid()),
                    "--history", self.history, "--progress", self.progress_file,
                    "--final", self.final_file],
                stdin=subprocess.PIPE, stdout=self.client_log, stderr=self.client_log)

    kill = ReplicaSystem.kill
    pause = ReplicaSystem.pause
    resume = ReplicaSystem.resume

    def finish(self):
        """After the last heal: the clients stop and read every key back."""
        if self.client and self.client.poll() is None:
            self.client.stdin.close()
            try:
                self.client.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.client.kill()
                self.client.wait()

    def stop(self):
        self.finish()
        died = []
        for i, p in enumerate(self.procs):
            if p and p.poll() is not None and p.returncode not in (0, -9):
                died.append("node %d exited by itself with status %s (log %s)"
                            % (i, p.returncode, self.dir))
        for p in self.all_procs:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.terminate()
        for p in self.all_procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        return died

    def progress(self):
        """Operations acknowledged to the clients homed at each node."""
        try:
            with open(self.progress_file) as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return [0] * self.n

    def check(self):
        violations = []
        try:
            ops = parse_history(self.history)
        except FileNotFoundError:
            return 0, ["no history written (clients.log in %s)" % self.dir]
        done = sum(1 for o in ops if o[2] is not None and o[0] != "final")
        try:
            with open(self.final_file) as f:
                final = json.load(f)["values"]
        except (FileNotFoundError, ValueError):
            final = None
        if final is None:
            violations.append("no node answered the final reads after the heal")
            self.lost = None
        else:
            final = {k: (None if v is None else bytes.fromhex(v)) for k, v in final.items()}
            lost = lost_writes(ops, final)
            self.lost = len(lost)
            for key, value, cands in lost:
                violations.append("lost write: %s reads %r after the heal; the last writes "
                                  "left one of %r" % (key, value, cands))
        run_lincheck(self, ops, [], violations)
        return done, violations


class AmalgamSystem(System):
    """Amalgam (services/amalgam): one `amalgam serve` a node (g = 3, f = 2
    on 5 machines, 64-byte blocks), `amalgam reconf` and the clients
    (tests/amalgam/amwork.py) on the clients' host. A killed machine comes
    back with its --data folder, so it rejoins as amalgam.ho's replacement.
    After the last heal: the history must be linearizable (hoc-lincheck
    --model block), every block must hold what its last acknowledged
    writes left (amwork.lost_writes), and every stripe's parity must verify
    (`amalgam cli verify`). The relay faults do not apply: its routes are
    the peers files' ports, and a machine has one port a rotation class."""
    name = "amalgam"
    clients = True
    relay = False
    G, F, STRIPES, BLOCK = 3, 2, 10, 64

    def __init__(self, n=None):
        super().__init__(n or self.G + self.F)
        self.tolerates = self.F  # machines down at once
        self.procs = [None] * self.n
        self.incarnation = [0] * self.n
        self.all_procs = []
        self.client = None
        self.verify_failed = []

    def setup(self, net, workdir, bindir, peers_for):
        from netns import CLIENT_ADDR, node_addr
        self.net, self.dir = net, workdir
        self.bin, self.lincheck = find_bins("HOC_AMALGAM_BIN", bindir, "amalgam", "hoc-lincheck")
        self.cluster = os.path.join(workdir, "nemesis.cluster")
        secret = os.path.join(workdir, "secret")
        with open(secret, "w") as f:
            f.write("nemesis-amalgam-%d\n" % os.getpid())
        lines = ["g %d" % self.G, "f %d" % self.F, "block %d" % self.BLOCK,
                 "stripes %d" % self.STRIPES, "blocks-per-instance 1", "secret " + secret]
        for i in range(self.n):
            lines.append("machine %d %s data=%d parity=%d client=%d metrics=%d" % (
                i, node_addr(i), PORT, PORT + 10, AM_CLIENT, AM_CLIENT + 1))
        lines.append("reconf 0 %s:%d" % (CLIENT_ADDR, PORT + 100))
        with open(self.cluster, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.history = os.path.join(workdir, "history.txt")
        self.progress_file = os.path.join(workdir, "progress.json")
        self.final_file = os.path.join(workdir, "final.json")

    def spawn(self, prefix, args, log):
        out = open(os.path.join(self.dir, log), "w")
        p = subprocess.Popen(prefix + args, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
        out.close()
        self.all_procs.append(p)
        return p

    def start(self, i):
        from netns import node_addr
        if not self.all_procs:  # the reconfiguration service first
            self.spawn(self.net.client_args(), [self.bin, "reconf", "--cluster", self.cluster,
                                                "--id", "0"], "reconf.log")
        k = self.incarnation[i]
        self.incarnation[i] += 1
        self.procs[i] = self.spawn(self.net.exec_args(i), [
            self.bin, "serve", "--cluster", self.cluster, "--machine", str(i),
            "--data", os.path.join(self.dir, "data%d" % i),
            "--log", os.environ.get("HOC_NEMESIS_LOG", "warn")], "log%d.%d" % (i, k))
        if self.client is None and i == self.n - 1:
            here = os.path.dirname(os.path.abspath(__file__))
            self.client_log = open(os.path.join(self.dir, "clients.log"), "w")
            self.client = subprocess.Popen(
                self.net.client_args() + [
                    "python3", os.path.join(here, "..", "amalgam", "amwork.py"),
                    "--machines", ",".join("%s:%d" % (node_addr(j), AM_CLIENT) for j in range(self.n)),
                    "--g", str(self.G), "--blocks", "8", "--block-size", str(self.BLOCK),
                    "--clients", "6", "--seed", str(os.getpid()), "--op-timeout", "1",
                    "--history", self.history, "--progress", self.progress_file,
                    "--final", self.final_file, "--final-timeout", "30"],
                stdin=subprocess.PIPE, stdout=self.client_log, stderr=self.client_log)

    kill = ReplicaSystem.kill
    pause = ReplicaSystem.pause
    resume = ReplicaSystem.resume
    stop = KvSystem.stop
    progress = KvSystem.progress

    def finish(self):
        """After the last heal: the clients stop and read every block back,
        then every stripe's parity is verified from the clients' host
        (once: stop() calls it again)."""
        if getattr(self, "finished", False):
            return
        self.finished = True
        KvSystem.finish(self)
        deadline = time.monotonic() + 30  # a machine restarted at the heal may still rebuild
        for b in range(self.STRIPES):
            while True:
                r = subprocess.run(self.net.client_args() + [
                    self.bin, "cli", "--cluster", self.cluster, "verify", str(b)],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                ok = r.returncode == 0 and "parity ok" in r.stdout
                if ok or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            if not ok:
                self.verify_failed.append("stripe %d's parity does not verify after the heal: %s"
                                          % (b, r.stdout.strip()[-200:]))

    def check(self):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "amalgam"))
        import amwork
        violations = list(self.verify_failed)
        try:
            ops = amwork.parse_history(self.history)
        except FileNotFoundError:
            return 0, ["no history written (clients.log in %s)" % self.dir]
        done = sum(1 for o in ops if o[2] is not None and o[0] != "final")
        try:
            with open(self.final_file) as f:
                final = json.load(f)["values"]
        except (FileNotFoundError, ValueError):
            final = None
        self.lost = None
        if final is None:
            violations.append("a block did not answer the final reads after the heal")
        else:
            final = {k: bytes.fromhex(v) for k, v in final.items()}
            lost = amwork.lost_writes(ops, final, self.BLOCK)
            self.lost = len(lost)
            for k, v, cands in lost:
                violations.append("lost write: block %s reads %s after the heal; the last writes "
                                  "left one of %s" % (k, v[:1].hex(), [c[:1].hex() for c in cands]))
        run_lincheck(self, ops, ["--model", "block", "--block-size", str(self.BLOCK)], violations)
        return done, violations


AM_CLIENT = 7030  # a machine's client port (its metrics port is the next one)


def applies(system, fault):
    """Can this fault act on this system? The relay's need peers files."""
    return not fault.relay or getattr(system, "relay", True)


def make(name, n=None, data=True):
    """data: the otr and lastvoting replicas run with --data (False: without,
    as replicas without stable storage, whose restarts forget)."""
    if name == "otr":
        # OTR decides with more than 2n/3 of the processes: f < n/3
        return ReplicaSystem("otr", n or 4, tolerates=lambda n: (n - 1) // 3, data=data)
    if name == "lastvoting":
        # LastVoting (Paxos) needs a majority: f < n/2
        return ReplicaSystem("lastvoting", n or 5, tolerates=lambda n: (n - 1) // 2, data=data)
    if name == "kv":
        return KvSystem(n)
    if name == "amalgam":
        return AmalgamSystem(n)
    raise SystemExit("unknown system %r (known: otr, lastvoting, kv, amalgam)" % name)


SYSTEMS = ["otr", "lastvoting", "kv", "amalgam"]
