#!/usr/bin/env python3
"""ctest amalgam-reconf-paused: a driver paused, not killed, sends nothing
once its lease ran out (docs/amalgam.md, "The replicated reconfiguration
service", leases).

The cluster of amalgam-reconf-replicated (five machines, three replicas
with --data). Every block is written; machine 4 restarts without its
state, and the driving replica is stopped with SIGSTOP as soon as it logs
a step of that replacement (its connections stay open: its kernel answers
for it). The log's
followers find it silent and replace it; the next replica must wait out
the paused one's lease before it drives. Then the paused one is resumed
with SIGCONT, and the test checks, on the replicas' /metrics (times on
CLOCK_BOOTTIME, one clock for every process of the machine):
- the paused driver's last write to a server came before its lease ran
  out, and its log says so, never "AFTER";
- the new driver's first write came after that lease ran out, and it
  waited at least the lease (1.5 s, plus the clock drift margin) from
  taking its term;
- the servers closed the paused driver's connections on the other
  classes once the new driver's term greeted on one;
- the resumed replica stops driving, machine 4 becomes whole under the
  new driver, every block reads back and a write goes on.

usage: paused.py AMALGAM
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replicated as rp  # noqa: E402
from replicated import amlocal, check, rmetrics, term_of, wait  # noqa: E402

LEASE_MS = 1500


def main(tmp):
    base, path = rp.cluster(tmp, rp.BLOCK, rp.STRIPES)
    booted = rp.boot(tmp, base, path)
    if booted is None:
        return
    conns, old = booted
    want = {}
    for b in range(rp.STRIPES):
        for s in range(rp.G):
            v = 1 + b * rp.G + s
            got = conns[amlocal.data_machine(b, s, rp.M)].cmd("AM.WRITE", b, s, amlocal.block_of(v, rp.BLOCK))
            check(got == ("bulk", bytes(rp.BLOCK)), f"write {b}.{s}: {got}")
            want[(b, s)] = v
    before = amlocal.metrics(rmetrics(base, old))
    check(before.get("hoc_amalgam_reconf_sent_last_us", 0) > 0 and
          before.get("hoc_amalgam_reconf_lease_until_us", 0) > 0,
          f"the driver shows no lease or no write: {dict(before)}")

    # machine 4 restarted without its state: the driver replaces its servers,
    # and is paused as soon as it logs a replacement step (its rounds under way)
    dead = 4
    conns.pop(dead).close()
    rp.kill(dead)
    time.sleep(0.3)
    olog = os.path.join(tmp, f"reconf{old}.log")
    mark = len(open(olog).read())
    rp.start(dead, ["serve", "--cluster", path, "--machine", str(dead), "--data",
                    os.path.join(tmp, f"data{dead}")], os.path.join(tmp, f"m{dead}-rejoin.log"))
    busy = wait(lambda: "replacing pid" in open(olog).read()[mark:], 20, step=0.002)
    rp.procs[("r", old)].send_signal(signal.SIGSTOP)
    t_stop = time.time()
    check(busy is not None, f"the driver never started replacing machine {dead}")
    nxt = wait(lambda: [r for r in range(rp.R) if r != old and term_of(base, r) > 0][:1], 30)
    check(nxt is not None, "no replica drove while the driver was paused")
    if nxt is None:
        rp.procs[("r", old)].send_signal(signal.SIGCONT)
        return
    nxt = nxt[0]
    t_take = time.time() - t_stop
    time.sleep(0.5)  # the new driver writes meanwhile
    rp.procs[("r", old)].send_signal(signal.SIGCONT)
    t_paused = time.time() - t_stop
    stopped = wait(lambda: re.search(r"stops driving pid n-1 in term \d+: (.*)", open(olog).read()), 10)
    check(stopped is not None, f"the resumed driver never stopped driving: {open(olog).read()[-800:]}")
    page = amlocal.metrics(rmetrics(base, old))
    new = amlocal.metrics(rmetrics(base, nxt))
    until, last = page["hoc_amalgam_reconf_lease_until_us"], page["hoc_amalgam_reconf_sent_last_us"]
    first, waited = new["hoc_amalgam_reconf_sent_first_us"], new["hoc_amalgam_reconf_takeover_wait_ms"]
    check(0 < last < until, f"the paused driver wrote at {last} us, its lease ran out at {until} us")
    text = open(olog).read()
    check("left" in text and "AFTER its lease" not in text and "before its lease ran out" in text,
          f"the paused driver's account of its last write: {text[-800:]}")
    check(first > until, f"the new driver's first write at {first} us, the old lease ran out at {until} us")
    check(waited >= LEASE_MS, f"the new driver waited {waited} ms from taking its term (lease {LEASE_MS} ms)")
    check(new.get("hoc_amalgam_reconf_silent_leader_closes_total", 0) > 0 or
          any(amlocal.metrics(rmetrics(base, r)).get("hoc_amalgam_reconf_silent_leader_closes_total", 0) > 0
              for r in range(rp.R) if r not in (old, nxt)),
          "no follower closed the paused leader's connection")

    # the servers closed the paused driver's connections on every class once
    # the new one's term greeted on one (what it had written and they had not
    # read went with them)
    closed = [amlocal.metrics(base + 20 * m + 11).get("hoc_amalgam_deposed_closed_total", 0) for m in range(rp.M)]
    check(sum(closed) > 0, f"no server closed the paused driver's connections: {closed}")

    # the service goes on under the new driver: every block reads back, a write commits
    check(wait(lambda: term_of(base, old) == 0, 10) is not None and term_of(base, nxt) > 0,
          f"after the resume: terms {[term_of(base, r) for r in range(rp.R)]}")
    mpage = amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                 and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=40)
    check(mpage["hoc_amalgam_rebuilt_at_ms"] > 0, f"machine {dead} never whole under the new driver: {dict(mpage)}")
    conns[dead] = wait(lambda: rp.try_resp(base + 20 * dead + 10), 10)
    for (b, s), v in sorted(want.items()):
        got = conns[amlocal.data_machine(b, s, rp.M)].cmd("AM.READ", b, s)
        check(got == ("bulk", amlocal.block_of(v, rp.BLOCK)), f"read {b}.{s}: {got}")
    got = conns[amlocal.data_machine(0, 0, rp.M)].cmd("AM.WRITE", 0, 0, amlocal.block_of(99, rp.BLOCK))
    check(got == ("bulk", amlocal.block_of(want[(0, 0)], rp.BLOCK)), f"write after the resume: {got}")
    for c in conns.values():
        c.close()
    print(f"amalgam-reconf-paused: driver {old} paused {t_paused:.1f} s; replica {nxt} drove "
          f"{t_take:.1f} s after the pause, having waited {waited} ms from taking its term; the paused "
          f"one's last write {(until - last) / 1000:.1f} ms before its lease ran out, the new one's first "
          f"{(first - until) / 1000:.1f} ms after; {page.get('hoc_amalgam_reconf_lease_dropped_bytes_total', 0)} "
          f"bytes the lease dropped; servers closed its connections {closed}; it stopped: {stopped.group(1)}")


if __name__ == "__main__":
    rp.run(main, "amalgam-reconf-paused")
