"""The nemeses: each fault has start(ctx) -> what it did, and heal(ctx).
ctx has .net (netns.Network), .system (systems.System), .relay (Relay or
None) and .rng. After heal() the fault assumptions hold again: every node
runs, hears every other and the links are clean. See docs/testing.md."""


class Nemesis:
    name = "?"
    relay = False  # needs the relay in every connection's path
    in_matrix = True  # run by --fault all and the long matrix

    def heal(self, ctx):
        ctx.net.heal()


class PartitionOne(Nemesis):
    """One node's link down (its switch port): it hears nobody."""
    name = "partition-one"

    def start(self, ctx):
        i = ctx.rng.randrange(ctx.net.n)
        ctx.net.link(i, False)
        return "isolated node %d (link down)" % i


class PartitionMajority(Nemesis):
    """A majority and a minority that cannot hear each other."""
    name = "partition-majority"

    def start(self, ctx):
        nodes = list(range(ctx.net.n))
        ctx.rng.shuffle(nodes)
        k = ctx.net.n // 2 + 1
        major, minor = sorted(nodes[:k]), sorted(nodes[k:])
        ctx.net.partition([set(major), set(minor)])
        return "split %s | %s (blackhole routes)" % (major, minor)


class PartitionRing(Nemesis):
    """Each node hears only its two neighbours on a ring (in a random
    order): every node sees a majority of 5 (or 3 of 4), each a different
    one."""
    name = "partition-ring"

    def start(self, ctx):
        n = ctx.net.n
        order = list(range(n))
        ctx.rng.shuffle(order)
        ctx.net.partition([{order[k], order[(k + 1) % n]} for k in range(n)])
        return "ring %s (blackhole routes)" % order


class Victims(Nemesis):
    """Acts on as many random nodes as the system tolerates (at least one)."""
    verb = "?"

    def start(self, ctx):
        self.victims = ctx.rng.sample(range(ctx.net.n), max(1, ctx.system.tolerates))
        for i in self.victims:
            self.act(ctx.system, i)
        return "%s %s" % (self.verb, self.victims)

    def heal(self, ctx):
        for i in self.victims:
            self.undo(ctx.system, i)


class Kill(Victims):
    """kill -9, restarted at the heal with what it kept: otr and lastvoting
    replicas their --data directory (run.py --no-data: fresh state); kv
    replicas start empty and rebuild from their peers."""
    name, verb = "kill", "killed"

    def act(self, system, i):
        system.kill(i)

    def undo(self, system, i):
        system.start(i)


class Pause(Victims):
    """SIGSTOP, SIGCONT at the heal."""
    name, verb = "pause", "paused"

    def act(self, system, i):
        system.pause(i)

    def undo(self, system, i):
        system.resume(i)


class Slow(Nemesis):
    """Every node's link limited to 256 kbit/s by tbf (a deep queue: rounds
    time out while frames wait)."""
    name = "slow"

    def start(self, ctx):
        for i in range(ctx.net.n):
            ctx.net.shape(i, "256kbit", 4096, 256 * 1024)
        return "tbf 256kbit on every link"


class SlowFlush(Slow):
    """As slow, but the heal deletes the qdisc with its queue (a router that
    reboots): TCP then waits out an RTO grown from seconds of queueing.
    Not in the matrices: the replicas stall for that RTO (26 s seen), an
    open finding (docs/testing.md)."""
    name = "slow-flush"
    in_matrix = False

    def heal(self, ctx):
        ctx.net.heal(drain=False)


class Lossy(Nemesis):
    """Every node's link limited to 512 kbit/s by tbf with a queue of 3 KB: bursts beyond
    it are dropped as a congested link drops them (TCP retransmits)."""
    name = "lossy"

    def start(self, ctx):
        for i in range(ctx.net.n):
            ctx.net.shape(i, "512kbit", 3000, 3000)
        return "tbf 512kbit, 3 KB queue on every link"


class Flaky(Nemesis):
    """The relay delays every frame 0-40 ms, order kept: a jittery link.
    Since frames are sealed (wire version 5), dropping, duplicating or
    reordering frames above TCP is tampering, which `tamper` does."""
    name = "flaky"
    relay = True

    def start(self, ctx):
        ctx.relay.command({"delay_ms": 40, "jitter": True})
        return "relay: delay 0-40 ms, order kept"

    def heal(self, ctx):
        ctx.relay.command({"delay_ms": 0, "jitter": False})


class Tamper(Nemesis):
    """An attacker on the path: the relay flips a byte in, injects a forged
    copy of, replays or drops a sealed frame now and then. Each one must be
    caught (the connection closes and is redialed); safety holds, and
    progress resumes after the heal."""
    name = "tamper"
    relay = True

    def start(self, ctx):
        ctx.relay.command({"flip": 0.003, "inject": 0.003, "dup": 0.003, "drop": 0.003})
        return "relay: flip, inject, replay, drop 0.3% of frames each"

    def heal(self, ctx):
        ctx.relay.command({"flip": 0, "inject": 0, "dup": 0, "drop": 0})


class Mixed(Nemesis):
    """Each time one of the others (all but flaky, which needs the relay in
    the path from the start)."""
    name = "mixed"

    def start(self, ctx):
        cls = ctx.rng.choice([PartitionOne, PartitionMajority, PartitionRing, Kill, Pause, Slow,
                              Lossy])
        self.cur = cls()
        return self.cur.name + ": " + self.cur.start(ctx)

    def heal(self, ctx):
        self.cur.heal(ctx)
        ctx.net.heal()


ALL = [PartitionOne, PartitionMajority, PartitionRing, Kill, Pause, Slow, Lossy, Flaky, Tamper,
       Mixed, SlowFlush]
BY_NAME = {c.name: c for c in ALL}
