#!/usr/bin/env python3
"""The nemesis harness: runs a system on its own network of namespaces,
injects faults on a schedule, heals them, measures how long progress takes
to resume, and checks the system's safety properties at the end.

    tests/nemesis/run.py --system otr --fault partition-majority --duration 60
    tests/nemesis/run.py --matrix short          # what make check runs
    tests/nemesis/run.py --matrix long --duration 300 --report soak.md

Exit status: 0 every run passed; 1 a safety violation or progress that did
not resume within the bound; 2 usage; 77 network namespaces cannot be made
here (not root): the runs are skipped, which ctest reports as skipped.
docs/testing.md describes the fault model, the nemeses and the report."""
import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import netns  # noqa: E402
import nemeses  # noqa: E402
import systems  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
SHORT = [("otr", "partition-one"), ("otr", "kill"), ("otr", "flaky"),
         ("lastvoting", "partition-majority"), ("lastvoting", "pause"),
         ("lastvoting", "partition-ring"), ("lastvoting", "kill"), ("otr", "lossy"),
         ("otr", "tamper"),
         ("kv", "partition-majority"), ("amalgam", "partition-one")]


class Relay:
    """relay.py in the relay namespace, between every dialer and the peer
    it dials."""

    def __init__(self, net, workdir, n):
        routes = os.path.join(workdir, "routes")
        with open(routes, "w") as f:
            for i in range(n):
                for j in range(i):
                    f.write("%d %s:%d\n" % (relay_port(i, j), netns.node_addr(j), systems.PORT))
        self.log = open(os.path.join(workdir, "relay.log"), "w")
        self.p = subprocess.Popen(["ip", "netns", "exec", net.relay_ns, sys.executable,
                                   os.path.join(HERE, "relay.py"), netns.RELAY_ADDR, routes],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                  text=True, bufsize=1)
        if self.p.stdout.readline().strip() != "ready":
            raise RuntimeError("the relay did not start (see %s)" % self.log.name)

    def command(self, c):
        self.p.stdin.write(json.dumps(c) + "\n")
        self.p.stdin.flush()

    def stats(self):
        self.command({"stats": 1})
        return json.loads(self.p.stdout.readline())

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.log.close()


def relay_port(i, j):
    return systems.RELAY_BASE + i * 64 + j


class Ctx:
    pass


def run_one(args, system_name, fault_name, seed):
    """One system under one nemesis for args.duration seconds; returns the
    report row (a dict)."""
    rng = random.Random(seed)
    fault = nemeses.BY_NAME[fault_name]()
    system = systems.make(system_name, args.nodes, data=not args.no_data)
    workdir = tempfile.mkdtemp(prefix="hoc-nemesis-%s-%s-" % (system_name, fault_name))
    row = {"system": system_name, "fault": fault_name, "n": system.n, "seed": seed,
           "duration": args.duration, "ops": 0, "faults": 0, "violations": [],
           "liveness": [], "recovery": [], "log": workdir}
    net = relay = None
    ctx = Ctx()
    try:
        net = netns.Network(system.n, relay=fault.relay,
                            clients=getattr(system, "clients", False))
        if fault.relay:
            relay = Relay(net, workdir, system.n)

        def peers_for(i, j):
            if fault.relay and j < i:  # i dials j: through the relay
                return "%s:%d" % (netns.RELAY_ADDR, relay_port(i, j))
            return "%s:%d" % (netns.node_addr(j), systems.PORT)

        system.setup(net, workdir, args.bin, peers_for)
        for i in range(system.n):
            system.start(i)
        ctx.net, ctx.system, ctx.relay, ctx.rng = net, system, relay, rng
        schedule(args, ctx, fault, row)
        if relay:
            row["relay"] = relay.stats()
        if hasattr(system, "finish"):
            system.finish()
    finally:
        died = system.stop() if ctx.__dict__ else []
        if relay:
            relay.close()
        if net:
            net.close()
    row["violations"] += died
    row["ops"], safety = system.check()
    row["violations"] += safety
    if hasattr(system, "lincheck_verdict"):
        row["lincheck"] = system.lincheck_verdict
        row["lost_writes"] = system.lost
    row["ok"] = not row["violations"] and not row["liveness"]
    if row["ok"] and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
        row["log"] = None
    return row


def wait_progress(ctx, base, limit):
    """Seconds until every node's progress passes base (its count at the
    heal; 0 for a node restarted since), or None after limit seconds."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        now = ctx.system.progress()
        if all(now[i] > base[i] for i in range(len(now))):
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def schedule(args, ctx, fault, row):
    """Quiet, fault, heal, (recovery), quiet, ... until the duration is up;
    the last heal leaves time to see progress resume."""
    end = time.monotonic() + args.duration
    lo, hi = args.fault_time
    # first: the system must make progress at all before faults start
    first = wait_progress(ctx, [0] * ctx.system.n, args.recovery_bound)
    if first is None:
        row["liveness"].append("no progress within %.0f s of the start" % args.recovery_bound)
        return
    row["startup"] = round(first, 2)
    while time.monotonic() + args.quiet + lo < end:
        time.sleep(args.quiet)
        length = rng_uniform(ctx.rng, lo, hi)
        what = fault.start(ctx)
        row["faults"] += 1
        before = ctx.system.progress()
        log(args, "%s/%s: %s for %.1f s" % (row["system"], row["fault"], what, length))
        time.sleep(length)
        during = [a - b for a, b in zip(ctx.system.progress(), before)]
        row["packets_dropped"] = row.get("packets_dropped", 0) + ctx.net.qdisc_drops()
        fault.heal(ctx)
        base = ctx.system.progress()  # a node restarted at the heal counts from its restart
        took = wait_progress(ctx, base, args.recovery_bound)
        if took is None:
            row["liveness"].append("%s: progress did not resume within %.0f s of the heal "
                                   "(decisions per node: %s)" % (what, args.recovery_bound,
                                                                  ctx.system.progress()))
            return
        row["recovery"].append(round(took, 2))
        row.setdefault("during", []).append(sum(during))
        log(args, "  healed; progress resumed after %.2f s" % took)


def rng_uniform(rng, lo, hi):
    return lo if hi <= lo else rng.uniform(lo, hi)


def log(args, msg):
    if not args.quiet_log:
        print(msg, flush=True)


def table(rows):
    out = ["| system | fault | n | time (s) | operations | faults | done during faults | "
           "lost or tampered by the network | violations | lost writes | history | "
           "recovery max / median (s) | result |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rec = r["recovery"]
        rs = "%.2f / %.2f" % (max(rec), statistics.median(rec)) if rec else "-"
        lost = []
        if r.get("packets_dropped"):
            lost.append("%d packets" % r["packets_dropped"])
        rl = r.get("relay")
        if rl and (rl["dropped"] or rl["duplicated"] or rl.get("flipped") or rl.get("injected")):
            lost.append("%d frames dropped, %d replayed, %d flipped, %d injected" % (
                rl["dropped"], rl["duplicated"], rl.get("flipped", 0), rl.get("injected", 0)))
        elif rl:
            lost.append("%d frames delayed" % rl["delayed"])
        lw = r.get("lost_writes", "-")
        out.append("| %s | %s | %d | %d | %d | %d | %d | %s | %d | %s | %s | %s | %s |" % (
            r["system"], r["fault"], r["n"], r["duration"], r["ops"], r["faults"],
            sum(r.get("during", [])), ", ".join(lost) or "-",
            len(r["violations"]) + len(r["liveness"]), "-" if lw is None else lw,
            r.get("lincheck", "-"), rs, "ok" if r["ok"] else "**FAIL**"))
    for r in rows:
        for v in r["violations"][:5] + r["liveness"]:
            out.append("- %s/%s: %s (logs: %s)" % (r["system"], r["fault"], v, r["log"]))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--system", help="otr, lastvoting, kv, several joined by commas, or all "
                    "(default: otr; with --matrix long: all)")
    ap.add_argument("--fault", help="one of %s, several joined by commas, or all (default: "
                    "partition-one; with --matrix long: all)" % ", ".join(nemeses.BY_NAME))
    ap.add_argument("--matrix", choices=["short", "long"],
                    help="short: the make check cases; long: the systems x the faults")
    ap.add_argument("--no-data", action="store_true",
                    help="run the otr and lastvoting replicas without --data (restarts forget: "
                    "outside the crash-stop model; for replicas built before --data)")
    ap.add_argument("--duration", type=float, default=30, help="seconds per run (default 30)")
    ap.add_argument("--nodes", type=int, help="nodes (default: 4 for otr, 5 for lastvoting)")
    ap.add_argument("--fault-time", default="2-8", help="seconds a fault lasts, A-B (default 2-8)")
    ap.add_argument("--quiet", type=float, default=2, help="seconds between faults (default 2)")
    ap.add_argument("--recovery-bound", type=float, default=15,
                    help="progress must resume within this many seconds of a heal (default 15)")
    ap.add_argument("--seed", type=int, help="seed of the schedules (default: from the time)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "tests", "net", "bin"),
                    help="where otr-replica and lastvoting-replica are")
    ap.add_argument("--report", help="write the markdown report here")
    ap.add_argument("--json", help="write the rows as JSON here")
    ap.add_argument("--keep", action="store_true", help="keep the logs of passing runs")
    ap.add_argument("--quiet-log", action="store_true", help="print the table only")
    args = ap.parse_args()
    lo, _, hi = args.fault_time.partition("-")
    args.fault_time = (float(lo), float(hi or lo))
    if args.matrix == "short":
        cases = SHORT
    else:
        every = args.matrix == "long"
        system = args.system or ("all" if every else "otr")
        fault = args.fault or ("all" if every else "partition-one")
        ss = systems.SYSTEMS if system == "all" else system.split(",")
        fs = [c.name for c in nemeses.ALL if c.in_matrix] if fault == "all" else fault.split(",")
        for s in ss:
            if s not in systems.SYSTEMS:
                ap.error("unknown system %r" % s)
        for f in fs:
            if f not in nemeses.BY_NAME:
                ap.error("unknown fault %r" % f)
        cases = [(s, f) for s in ss for f in fs
                 if systems.applies(systems.make(s), nemeses.BY_NAME[f])]
        if not cases:
            ap.error("the fault does not apply to the system")
    why = netns.can_create()
    if why:
        print("SKIP: the nemesis tests need network namespaces: %s" % why)
        return 77
    netns.sweep_stale()
    seed = args.seed if args.seed is not None else int(time.time())
    print("seed %d" % seed, flush=True)
    rows = []
    t0 = time.monotonic()
    for k, (s, f) in enumerate(cases):
        row = run_one(args, s, f, seed + k)
        rows.append(row)
        log(args, "%s/%s: %d decisions, %d faults, %d violations, %s" % (
            s, f, row["ops"], row["faults"], len(row["violations"]) + len(row["liveness"]),
            "ok" if row["ok"] else "FAIL"))
    text = "Nemesis report: seed %d, %d runs, %.0f s in all\n\n" % (
        seed, len(rows), time.monotonic() - t0) + table(rows)
    print(text)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return 0 if all(r["ok"] for r in rows) else 1


def on_signal(sig, frame):
    raise KeyboardInterrupt  # unwinds through every finally: processes, namespaces


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted: processes stopped and namespaces deleted")
        sys.exit(130)
