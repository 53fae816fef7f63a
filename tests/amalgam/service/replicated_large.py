#!/usr/bin/env python3
"""ctest amalgam-reconf-replicated-large: the replicated reconfiguration
service at 128 KiB blocks (docs/deploy.md, "A replicated reconfiguration
service"), where a decision record (262,380 bytes) is four times what one
slot of its log carries, so every record goes through the log in parts
(services/kv/kvcmd.h).

Five `amalgam serve` (g = 3, f = 2, 128 KiB blocks, 5 stripes) and three
`amalgam reconf` with --data on loopback ports found free (replicated.py's
cluster and helpers). Every block is written; machine 4 is restarted (its
--data record makes it rejoin), so the driver replaces its servers,
appending each decision to the log; machine 4 must become whole. Then the
driver is killed: another replica takes a term and must resume the
instances from the records it reads back from the log, and machine 4,
restarted again, must be replaced under it in every instance (a driver
that read a record wrong would Stop in a closed epoch and never finish)
and become whole. Every block reads back and every stripe verifies. Every
process the test starts is stopped at the end.

usage: replicated_large.py AMALGAM
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replicated as rep  # noqa: E402
from replicated import AM, G, M, R, amlocal, check, kill, start, wait  # noqa: E402

BLOCK, STRIPES = 128 << 10, 5
OLD_LIMIT = 64930  # the largest record the log took in one slot


def main(tmp):
    base, path = rep.cluster(tmp, BLOCK, STRIPES)
    data = [os.path.join(tmp, f"data{m}") for m in range(M)]
    rlogs = [os.path.join(tmp, f"reconf{r}.log") for r in range(R)]

    def serve(m, log):
        start(m, ["serve", "--cluster", path, "--machine", str(m), "--data", data[m]], log)

    def whole(m):
        page = amlocal.wait_metrics(base + 20 * m + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                    and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=60)
        return page["hoc_amalgam_degraded_instances"] == 0 and page["hoc_amalgam_rebuilt_at_ms"] > 0

    booted = rep.boot(tmp, base, path)
    if booted is None:
        return
    conns, first = booted
    sizes = [int(x) for x in re.findall(r"decision records of (\d+) bytes", open(rlogs[first]).read())]
    check(sizes and sizes[0] > OLD_LIMIT,
          f"decision records of {sizes} bytes: not over the old limit of {OLD_LIMIT}")

    want = {}  # (the deployed amalgam.ho writes a block as its first byte)
    for b in range(STRIPES):
        for s in range(G):
            v = amlocal.block_of(1 + b * G + s, BLOCK)
            got = conns[amlocal.data_machine(b, s, M)].cmd("AM.WRITE", b, s, v)
            check(got == ("bulk", bytes(BLOCK)), f"write {b}.{s}: {str(got)[:80]}")
            want[(b, s)] = v

    # machine 4 restarted: its servers replaced by the first driver
    dead = 4
    conns.pop(dead).close()
    t0 = time.time()
    kill(dead)
    serve(dead, os.path.join(tmp, f"m{dead}-rejoin1.log"))
    check(whole(dead), f"machine {dead} never whole under driver {first}")
    t1 = time.time() - t0
    appended = amlocal.metrics(rep.rmetrics(base, first)).get("hoc_amalgam_reconf_decisions_appended_total", 0)
    check(appended > 0 and wait(lambda: "decided in the log" in open(rlogs[first]).read(), 10),
          f"driver {first} appended {appended} decisions, confirmed none")

    # the driver killed: the next resumes every instance from the records
    nxt = rep.successor(base, first, "first")
    if nxt is None:
        return
    resumed = re.search(r"takes term \d+ \((\d+) instances resume", open(rlogs[nxt]).read())
    check(resumed and int(resumed.group(1)) == STRIPES,
          f"replica {nxt} resumed {resumed and resumed.group(1)} instances of {STRIPES}")
    t0 = time.time()
    marks = rep.log_marks(rlogs)
    kill(dead)
    serve(dead, os.path.join(tmp, f"m{dead}-rejoin2.log"))
    # every instance replaced by the service: by nxt unless its lease ran out
    # meanwhile (its log too slow: docs/amalgam.md, "Leases"), and then by
    # the driver after it
    done = wait(lambda: rep.replaced_live(marks, dead) == set(range(STRIPES)) or None, 60)
    check(done, f"machine {dead}'s second replacement, under driver {nxt} or a later one: instances "
          f"{sorted(rep.replaced_live(marks, dead))} of {STRIPES} replaced")
    check(whole(dead), f"machine {dead} never whole under driver {nxt}")
    t2 = time.time() - t0
    conns[dead] = wait(lambda: rep.try_resp(base + 20 * dead + 10), 20)
    check(conns[dead] is not None, f"machine {dead}'s client port never answered")
    if conns[dead] is None:
        return
    for (b, s), v in sorted(want.items()):
        got = conns[amlocal.data_machine(b, s, M)].cmd("AM.READ", b, s)
        check(got == ("bulk", v), f"read {b}.{s}: {str(got)[:80]}")
    for b in range(STRIPES):
        r = subprocess.run([AM, "cli", "--cluster", path, "verify", str(b)], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0, f"verify {b}: {r.stdout} {r.stderr}")
    for c in conns.values():
        c.close()
    print(f"amalgam-reconf-replicated-large: records of {sizes[0]} bytes; machine {dead} replaced "
          f"and whole in {t1:.1f} s under driver {first} ({appended} decisions appended), then in "
          f"{t2:.1f} s under driver {nxt}, which resumed {STRIPES} instances from the log")


if __name__ == "__main__":
    rep.run(main, "amalgam-reconf-replicated-large")
