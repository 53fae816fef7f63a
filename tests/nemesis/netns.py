"""The test network: every node a host of its own in a Linux network
namespace, all on one bridge, and the faults that act on that network.

Layout (all of it inside namespaces this module creates; nothing is added to
the namespace the harness runs in, and no address outside 10.77.0.0/24 is
ever used):

    PREFIX-sw   the switch: bridge br0, one port p<i> per node, pr for the relay
    PREFIX-n<i> node i: eth0 = 10.77.0.<10+i>/24, lo
    PREFIX-rl   the relay host: eth0 = 10.77.0.2/24 (started only when used)
    PREFIX-cl   the clients' host: eth0 = 10.77.0.3/24 (for systems with
                clients, the key-value store), port pc on the switch

Faults on this network (see docs/testing.md):
  - a node's link down: its switch port p<i> is set down (isolation);
  - a cut between two nodes: a blackhole route to the other in each node's
    routing table (neither this kernel nor the image has iptables or nft, and
    tc's flower classifier is missing; a blackhole route drops a packet as a
    broken link would, so TCP retransmits and, after the heal, resumes);
  - a slow or lossy link: a tbf qdisc on a node's eth0 (netem is missing).
Everything is torn down by close(), also when the run fails or is interrupted
(run.py calls it from finally and from signal handlers)."""
import os
import shutil
import subprocess
import time

SUBNET = "10.77.0"
RELAY_ADDR = SUBNET + ".2"
CLIENT_ADDR = SUBNET + ".3"
PREFIX = "hocnem"


def node_addr(i):
    return "%s.%d" % (SUBNET, 10 + i)


def sh(*args, check=True):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def can_create():
    """None if network namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return "not root: network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN"
    if not shutil.which("ip") or not shutil.which("tc"):
        return "no ip or tc command (Debian package iproute2, scripts/deps.sh installs it)"
    name = "%s%d-probe" % (PREFIX, os.getpid())
    r = sh("ip", "netns", "add", name, check=False)
    if r.returncode != 0:
        return "ip netns add failed: " + r.stderr.strip()
    sh("ip", "netns", "del", name, check=False)
    return None


def sweep_stale():
    """Deletes namespaces left by a harness that was killed (its pid is gone)."""
    r = sh("ip", "netns", "list", check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX):
            continue
        digits = name[len(PREFIX):].split("-")[0]
        if digits.isdigit() and not os.path.exists("/proc/%s" % digits):
            sh("ip", "netns", "del", name, check=False)


class Network:
    def __init__(self, n, relay=False, clients=False):
        self.n = n
        self.tag = "%s%d" % (PREFIX, os.getpid())
        self.sw = self.tag + "-sw"
        self.nodes = ["%s-n%d" % (self.tag, i) for i in range(n)]
        self.relay_ns = self.tag + "-rl" if relay else None
        self.client_ns = self.tag + "-cl" if clients else None
        self.made = []
        self.cuts = set()      # (i, j) with a blackhole at i towards j
        self.down = set()      # nodes whose switch port is down
        self.shaped = set()    # nodes with a tbf qdisc
        try:
            self._build()
        except Exception:
            self.close()
            raise

    def _ns(self, name):
        sh("ip", "netns", "add", name)
        self.made.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")

    def _host(self, ns, port, addr):
        sh("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", port,
           "netns", self.sw)
        sh("ip", "-n", self.sw, "link", "set", port, "master", "br0", "up")
        sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")

    def _build(self):
        self._ns(self.sw)
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        # forward at once: no STP listening/learning delay on new ports
        sh("ip", "-n", self.sw, "link", "set", "br0", "type", "bridge", "forward_delay", "0")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")
        for i, ns in enumerate(self.nodes):
            self._ns(ns)
            self._host(ns, "p%d" % i, node_addr(i))
        if self.relay_ns:
            self._ns(self.relay_ns)
            self._host(self.relay_ns, "pr", RELAY_ADDR)
        if self.client_ns:
            self._ns(self.client_ns)
            self._host(self.client_ns, "pc", CLIENT_ADDR)

    def exec_args(self, i):
        """The command prefix that runs a program on node i."""
        return ["ip", "netns", "exec", self.nodes[i]]

    def client_args(self):
        """The command prefix that runs a program on the clients' host."""
        return ["ip", "netns", "exec", self.client_ns]

    # ---- partitions ----
    def link(self, i, up):
        sh("ip", "-n", self.sw, "link", "set", "p%d" % i, "up" if up else "down")
        (self.down.discard if up else self.down.add)(i)

    def cut(self, i, j):
        """Blackholes traffic between nodes i and j, both ways."""
        for a, b in ((i, j), (j, i)):
            if (a, b) not in self.cuts:
                sh("ip", "-n", self.nodes[a], "route", "add", "blackhole", node_addr(b) + "/32")
                self.cuts.add((a, b))

    def partition(self, groups):
        """Cuts every pair of nodes not in a common group (a node may be in
        several groups: the ring's overlapping majorities)."""
        for i in range(self.n):
            for j in range(i + 1, self.n):
                if not any(i in g and j in g for g in groups):
                    self.cut(i, j)

    def shape(self, i, rate, burst, limit):
        """A tbf qdisc on node i's eth0: rate (e.g. "200kbit"), bucket and
        queue sizes in bytes; packets beyond the queue are dropped."""
        sh("ip", "netns", "exec", self.nodes[i], "tc", "qdisc", "replace", "dev", "eth0", "root",
           "tbf", "rate", rate, "burst", str(burst), "limit", str(limit))
        self.shaped.add(i)

    def qdisc_drops(self):
        """Packets the tbf qdiscs on now have dropped (evidence that a lossy
        link lost something)."""
        total = 0
        for i in sorted(self.shaped):
            out = sh("ip", "netns", "exec", self.nodes[i], "tc", "-s", "qdisc", "show", "dev",
                     "eth0", check=False).stdout.split()
            # "... Sent B bytes P pkt (dropped D, overlimits O requeues R)"
            for k, word in enumerate(out[:-1]):
                if word.lstrip("(") == "dropped":
                    total += int(out[k + 1].rstrip(","))
        return total

    def heal(self, drain=True):
        for (a, b) in sorted(self.cuts):
            sh("ip", "-n", self.nodes[a], "route", "del", "blackhole", node_addr(b) + "/32",
               check=False)
        self.cuts.clear()
        for i in sorted(self.down):
            sh("ip", "-n", self.sw, "link", "set", "p%d" % i, "up", check=False)
        self.down.clear()
        if self.shaped and drain:
            # the link gets fast again: first let the queue drain, as a
            # router would forward what it holds, then remove the qdisc.
            # Deleting it at once drops the whole queue, and after seconds
            # of queueing TCP's RTO is tens of seconds (docs/testing.md)
            for i in sorted(self.shaped):
                sh("ip", "netns", "exec", self.nodes[i], "tc", "qdisc", "change", "dev", "eth0",
                   "root", "tbf", "rate", "10gbit", "burst", "1000000", "limit", "1000000",
                   check=False)
            time.sleep(0.2)
        for i in sorted(self.shaped):
            sh("ip", "netns", "exec", self.nodes[i], "tc", "qdisc", "del", "dev", "eth0", "root",
               check=False)
        self.shaped.clear()

    def close(self):
        """Deletes every namespace made (their veths go with them)."""
        for name in reversed(self.made):
            sh("ip", "netns", "del", name, check=False)
        self.made = []
