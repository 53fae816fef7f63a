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
model does not cover (docs/testing.md). The key-value store and
Amalgam plug in as further subclasses of System (run clients in a client
namespace on the bridge, record histories, check them with hoc-lincheck and
read every acknowledged write back after the heal)."""
import os
import signal
import subprocess
import time

PORT = 7000
RELAY_BASE = 20000


class System:
    name = "?"
    n = 4
    tolerates = 1

    def __init__(self, n=None):
        if n:
            self.n = n


class ReplicaSystem(System):
    """Replicas of a consensus algorithm built by `hoc build`."""

    def __init__(self, algo, n=None, tolerates=None, extra=()):
        super().__init__(n)
        self.algo = algo
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
        self.secret = os.path.join(workdir, "secret")
        with open(self.secret, "w") as f:
            f.write("nemesis-%d\n" % os.getpid())
        self.peers = []
        for i in range(self.n):
            path = os.path.join(workdir, "peers%d" % i)
            with open(path, "w") as f:
                for j in range(self.n):
                    f.write("%d %s\n" % (j, peers_for(i, j)))
            self.peers.append(path)

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
        restarted = any(len(f) > 1 for f in self.files)
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
                        # a restarted replica has fresh state: outside the
                        # crash-stop model (it may take part in a quorum
                        # without what it promised before), and once every
                        # replica that knew a decision has restarted,
                        # nothing remembers it
                        kind = "agreement after amnesia" if restarted else "agreement"
                        violations.append("%s: instance %d decided %s at node %d (incarnation %d) "
                                          "and %s at node %d (incarnation %d)"
                                          % (kind, inst, first[0], first[1], first[2], val, i, k))
        return len(ref), violations


def make(name, n=None):
    if name == "otr":
        # OTR decides with more than 2n/3 of the processes: f < n/3
        return ReplicaSystem("otr", n or 4, tolerates=lambda n: (n - 1) // 3)
    if name == "lastvoting":
        # LastVoting (Paxos) needs a majority: f < n/2
        return ReplicaSystem("lastvoting", n or 5, tolerates=lambda n: (n - 1) // 2)
    raise SystemExit("unknown system %r (known: otr, lastvoting)" % name)


SYSTEMS = ["otr", "lastvoting"]
