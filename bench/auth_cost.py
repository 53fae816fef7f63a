#!/usr/bin/env python3
"""What authenticated frames cost (issue 18; target: under 10% of throughput
at 256 in flight), measured so that a shared, loaded machine cannot decide
the verdict:

    auth_cost.py BINDIR ALGO N [--pairs R] [--instances K] [--port P] [--cpus LIST]

Runs the cluster (ALGO-replica or ALGO in BINDIR, N replicas on loopback,
256 instances in flight, K instances) R times with sealed frames and R times
with --test-unsealed-frames, in pairs whose order alternates (sealed first,
then unsealed first), so that a trend in the machine's load falls on both
alike. Prints every pair, then:

  - the ratio of the medians of decisions/s (replica 0's summary) and the
    cost it gives, the figure the target is about;
  - the spread: the median, lowest and highest ratio within a pair (a pair
    runs back to back, so its ratio sees the least drift in load);
  - the ratio of the best runs: other jobs only ever slow a run down (runs
    on a loaded machine fall into a fast and a slow group), so the fastest
    of each kind is the one they disturbed least;
  - the CPU seconds all replicas used per 100,000 decisions (user + system,
    from getrusage of the children), which load from other jobs changes far
    less than it changes throughput: the work sealing adds.

Single runs of one configuration vary by tens of percent on a shared 2-core
machine (docs/runtime.md, "What authenticated frames cost"), hence several
pairs of long runs (default 9 pairs of 400,000 instances, about 2 s each).
--cpus 1 (or 0,1) runs every replica on those CPUs (sched_setaffinity): on
one CPU the replicas share it whatever the scheduler does elsewhere, so the
figures are steadier and nearer the CPU each decision takes."""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile


def run(args, exe, port, unsealed):
    """One cluster to the end: (decisions/s at replica 0, CPU seconds of all)."""
    d = tempfile.mkdtemp(prefix="hoc-auth-cost-")
    try:
        peers = os.path.join(d, "peers")
        with open(peers, "w") as f:
            for i in range(args.n):
                f.write("%d 127.0.0.1:%d\n" % (i, port + i))
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        ps = [subprocess.Popen([exe, "--id", str(i), "--peers", peers, "--instances",
                                str(args.instances), "--window", "256", "--linger", "2",
                                "--timeout", "120", "--summary", os.path.join(d, "s%d" % i),
                                "--log", "error"] +
                               (["--test-unsealed-frames"] if unsealed else []),
                               preexec_fn=(lambda: os.sched_setaffinity(0, args.cpus))
                               if args.cpus else None)
              for i in range(args.n)]
        codes = [p.wait() for p in ps]
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if any(codes):
            raise SystemExit("auth_cost: a replica exited with %s" % codes)
        with open(os.path.join(d, "s0")) as f:
            s = json.load(f)
        if s["decided"] != args.instances:
            raise SystemExit("auth_cost: replica 0 decided %d of %d instances"
                             % (s["decided"], args.instances))
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        return s["decisions_per_s"], cpu
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bindir")
    ap.add_argument("algo")
    ap.add_argument("n", type=int)
    ap.add_argument("--pairs", type=int, default=9)
    ap.add_argument("--instances", type=int, default=400000)
    ap.add_argument("--port", type=int, default=20000 + os.getpid() % 20000)
    ap.add_argument("--cpus", help="run the replicas on these CPUs only, e.g. 1 or 0,1")
    args = ap.parse_args()
    try:
        args.cpus = {int(c) for c in args.cpus.split(",")} if args.cpus else None
    except ValueError:
        ap.error("--cpus: a comma-separated list of CPU numbers, e.g. 1 or 0,1")
    if args.cpus and not args.cpus <= os.sched_getaffinity(0):
        ap.error("--cpus: this process may run on CPUs %s only"
                 % ",".join(map(str, sorted(os.sched_getaffinity(0)))))
    if args.pairs < 1 or args.instances < 1 or args.n < 2:
        ap.error("--pairs and --instances must be positive, n at least 2")
    exe = os.path.join(args.bindir, args.algo)
    if not os.path.exists(exe):
        exe = os.path.join(args.bindir, args.algo + "-replica")
    if not os.path.exists(exe):
        ap.error("no %s or %s-replica in %s" % (args.algo, args.algo, args.bindir))
    port = args.port
    sealed, unsealed = [], []
    for k in range(args.pairs):
        order = (False, True) if k % 2 == 0 else (True, False)
        got = {}
        for u in order:
            port += args.n + 1  # a fresh port range: no TIME_WAIT from the last run
            got[u] = run(args, exe, port, u)
        sealed.append(got[False])
        unsealed.append(got[True])
        print("  pair %d (%s first): sealed %.0f/s, %.2f CPU s; unsealed %.0f/s, %.2f CPU s; "
              "ratio %.3f" % (k + 1, "unsealed" if order[0] else "sealed", got[False][0],
                              got[False][1], got[True][0], got[True][1],
                              got[False][0] / got[True][0]), flush=True)
    ms = statistics.median(s[0] for s in sealed)
    mu = statistics.median(u[0] for u in unsealed)
    ratios = sorted(s[0] / u[0] for s, u in zip(sealed, unsealed))
    per = 100000.0 / args.instances
    cs = statistics.median(s[1] for s in sealed) * per
    cu = statistics.median(u[1] for u in unsealed) * per
    cost = 1 - ms / mu
    best = max(s[0] for s in sealed) / max(u[0] for u in unsealed)
    print("%s n=%d, 256 in flight, %d pairs of %d instances%s: medians sealed %.0f, unsealed %.0f "
          "decisions/s, ratio %.3f: authentication costs %.1f%% of throughput (target < 10%%: %s); "
          "ratio within a pair: median %.3f, range %.3f-%.3f; ratio of the best runs %.3f (%.1f%%); CPU of all replicas per 100,000 "
          "decisions: %.3f s sealed, %.3f s unsealed (%+.1f%%)"
          % (args.algo, args.n, args.pairs, args.instances,
             " on CPUs " + ",".join(map(str, sorted(args.cpus))) if args.cpus else "", ms, mu, ms / mu, 100 * cost,
             "met" if cost < 0.10 else "NOT MET", statistics.median(ratios), ratios[0],
             ratios[-1], best, 100 * (1 - best), cs, cu, 100 * (cs / cu - 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
