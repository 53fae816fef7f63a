#!/usr/bin/env python3
"""ctest amalgam-once: exactly-once answers across a machine's restart
(docs/deploy.md, "Exactly once across retries").

Five `amalgam serve` (g = 3, f = 2, 64-byte blocks) with --data and one
`amalgam reconf` on loopback. Machine 2 holds shard 0 of stripes 3 and 8 and shard 1 of stripes 4 and 9.
Each case starts `amalgam cli add STRIPE 0 1` (the C client, which names
itself and numbers its ops) while machine 2 kills itself at a failpoint
(AMALGAM_FAILPOINT, docs/testing.md); the test restarts it with the same
command, the client keeps sending the op, and:

  reply     killed once the ADD committed, before its reply: the retry
            must get the first reply (the old value) from the restarted
            machine's journal, and the block must show one ADD, not two;
  executed  killed right after the ADD executed, before its prepare left
            (its journal record written, not synced): the op did not run
            (the replacement's chain stops below it), so the retry runs
            it, once;
  sent      killed once the ADD's prepare was handed to the sockets, before
            any answer: whether a backup kept it is up to the kernel, and
            either way the client's answer must be the first reply and the
            block must show one ADD;
  queued    killed right after the ADD executed, its journal record still
            queued with the loop iteration's others (not written, so its
            prepare not sent either): the restarted machine knows nothing
            of it and runs the retry, once.

Then the bytes the machines hold by role (/metrics) must be the cluster's
blocks and parity rows, both stripes' parity must verify and every
process exit 0 on SIGTERM.
With FSYNC never the machines run `--fsync never` (the journal written,
not synced: a killed process loses nothing of it).

usage: run.py AMALGAM [FSYNC]
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import amlocal  # noqa: E402

AM = sys.argv[1]
FSYNC = sys.argv[2] if len(sys.argv) > 2 else "batch"
M, G, F, BLOCK, STRIPES, VICTIM = 5, 3, 2, 64, 10, 2
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL", what, flush=True)
    return ok


class Cluster:
    def __init__(self, tmp):
        self.tmp, self.base = tmp, amlocal.ports_base(120)
        self.path = os.path.join(tmp, "local.cluster")
        amlocal.write_cluster(self.path, self.base, M, G, F, BLOCK, STRIPES)
        self.procs, self.all, self.starts = [None] * M, [], [0] * M

    def port(self, m, k):
        return self.base + 20 * m + k

    def start(self, m, failpoint=None):
        env = dict(os.environ)
        env.pop("AMALGAM_FAILPOINT", None)
        if failpoint:
            env["AMALGAM_FAILPOINT"] = failpoint
        log = open(os.path.join(self.tmp, f"m{m}.{self.starts[m]}.log"), "w")
        self.starts[m] += 1
        p = subprocess.Popen([AM, "serve", "--cluster", self.path, "--machine", str(m),
                              "--data", os.path.join(self.tmp, f"data{m}"), "--fsync", FSYNC,
                              "--log", "info"],
                             stdout=subprocess.DEVNULL, stderr=log, env=env)
        self.procs[m] = p
        self.all.append(p)

    def cli(self, *args):
        p = subprocess.Popen([AM, "cli", "--cluster", self.path, "--timeout-ms", "60000"]
                             + [str(a) for a in args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.all.append(p)
        return p

    def resp(self, b, s, *cmd, timeout=30):
        """A command on block (b, s)'s machine, refusals waited out: the reply or None."""
        m = amlocal.data_machine(b, s, M)
        end = time.time() + timeout
        while time.time() < end:
            try:
                c = amlocal.Resp(self.port(m, 10), timeout=5)
                got = c.cmd(*cmd)
                c.close()
                if got[0] != "err" or not got[1].startswith("TRYAGAIN"):
                    return got
            except OSError:
                pass
            time.sleep(0.1)
        return None


def metric(m, c, name):
    try:
        return amlocal.metrics(c.port(m, 11)).get(name, 0)
    except OSError:
        return None


def one_case(c, stripe, shard, before, failpoint_next, name):
    """The ADD on (stripe, shard) while machine VICTIM dies at its failpoint;
    then VICTIM restarted (with failpoint_next), the client's retry answered."""
    inst = stripe  # blocks-per-instance 1
    got = c.resp(stripe, shard, "AM.WRITE", stripe, shard, amlocal.block_of(before, BLOCK))
    check(got is not None and got[0] == "bulk", f"{name}: the first write {got}")
    t0 = time.time()
    cli = c.cli("add", stripe, shard, 1)
    try:
        rc = c.procs[VICTIM].wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == -signal.SIGKILL, f"{name}: machine {VICTIM} killed at its failpoint (exit {rc})")
    check(cli.poll() is None, f"{name}: the client still waiting after the kill")
    c.start(VICTIM, failpoint_next)
    end = time.time() + 60
    while cli.poll() is None and time.time() < end:
        if not check(c.procs[VICTIM].poll() is None,
                     f"{name}: machine {VICTIM} restarted and running (exit {c.procs[VICTIM].returncode})"):
            break
        time.sleep(0.05)
    if cli.poll() is None:
        cli.kill()
    out, err = cli.communicate()
    print(f"{name}: client answered {out.strip()!r} {time.time() - t0:.1f} s after it started "
          f"(instance {inst})", flush=True)
    check(cli.returncode == 0 and out.strip() == "%02x" % before,
          f"{name}: the client's answer {out.strip()!r} (exit {cli.returncode}, {err.strip()!r}), "
          f"expected the first one, {before:02x}")
    got = c.resp(stripe, shard, "AM.READ", stripe, shard)
    check(got is not None and got[0] == "bulk" and got[1] == amlocal.block_of(before + 1, BLOCK),
          f"{name}: the block after one ADD 1: {got and got[1][:1]!r}, expected {before + 1}")


def main():
    tmp = tempfile.mkdtemp(prefix="amonce-")
    c = Cluster(tmp)
    try:
        for m in range(M):
            c.start(m, "reply:3" if m == VICTIM else None)
        c.all.append(subprocess.Popen([AM, "reconf", "--cluster", c.path, "--id", "0"],
                                      stdout=subprocess.DEVNULL,
                                      stderr=open(os.path.join(tmp, "reconf.log"), "w")))
        assert all(amlocal.data_machine(b, sh, M) == VICTIM
                   for b, sh in ((3, 0), (8, 0), (4, 1), (9, 1)))
        one_case(c, 3, 0, 5, "executed:8", "reply")
        check(metric(VICTIM, c, "hoc_amalgam_dedup_resolved_total") == 1
              and metric(VICTIM, c, "hoc_amalgam_ops_duplicate_total") == 1,
              "reply: the restarted machine answered from its journal (resolved 1, duplicate 1)")
        one_case(c, 8, 0, 9, "sent:4", "executed")
        check(metric(VICTIM, c, "hoc_amalgam_dedup_forgotten_total") == 1
              and metric(VICTIM, c, "hoc_amalgam_ops_duplicate_total") == 0,
              "executed: the restarted machine found the op lost and ran the retry (forgotten 1)")
        one_case(c, 4, 1, 20, "queued:9", "sent")
        ran = metric(VICTIM, c, "hoc_amalgam_dedup_resolved_total")
        lost = metric(VICTIM, c, "hoc_amalgam_dedup_forgotten_total")
        check(ran + lost == 1, f"sent: the op resolved once (ran {ran}, lost {lost})")
        print(f"sent: the prepare {'reached the backups: the op ran' if ran else 'was lost: the retry ran it'}",
              flush=True)
        one_case(c, 9, 1, 30, None, "queued")
        check(metric(VICTIM, c, "hoc_amalgam_dedup_forgotten_total") == 0
              and metric(VICTIM, c, "hoc_amalgam_ops_duplicate_total") == 0,
              "queued: the restarted machine had no record of the op (forgotten 0) and ran "
              "the retry")
        # what the machines hold by role (/metrics), once the restarted one is whole
        amlocal.wait_metrics(c.port(VICTIM, 11), lambda p: p["hoc_amalgam_degraded_instances"] == 0
                             and p["hoc_amalgam_rebuilt_at_ms"] > 0)
        held = {r: sum(metric(m, c, f"hoc_amalgam_held_{r}_bytes") or 0 for m in range(M))
                for r in ("data", "parity", "dedup")}
        check(held["data"] == STRIPES * G * BLOCK and held["parity"] == STRIPES * F * BLOCK,
              f"bytes held by role: {held}, expected data {STRIPES * G * BLOCK}, "
              f"parity {STRIPES * F * BLOCK}")
        check(metric(VICTIM, c, "hoc_amalgam_held_dedup_bytes") == 4,
              "the restarted machine keeps the four clients' replies, a byte each without "
              "their trailing zeros (from its journal, or from the op run again)")
        for b in (3, 8, 4, 9):
            v = subprocess.run([AM, "cli", "--cluster", c.path, "verify", str(b)],
                               capture_output=True, text=True, timeout=60)
            check(v.returncode == 0, f"stripe {b}: parity {v.stdout.strip()} {v.stderr.strip()}")
    finally:
        amlocal.stop_all(c.all, check)  # every machine still up exits 0 on SIGTERM
    if fails:
        print(f"{len(fails)} failures; logs in {tmp}")
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)
    print("ok")


if __name__ == "__main__":
    main()
