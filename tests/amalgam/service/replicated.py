#!/usr/bin/env python3
"""ctest amalgam-reconf-replicated: the reconfiguration service on three
replicas (docs/deploy.md, "A replicated reconfiguration service").

Five `amalgam serve` (g = 3, f = 2, 64-byte blocks, 10 stripes) and three
`amalgam reconf` with --data on loopback ports found free. Every block is
written; machine 4 is killed and restarted (its --data record makes it
rejoin), so the driving replica replaces its servers; the test kills that
replica (SIGKILL) on the log line of a Stop, before the Install of that
instance, and checks that another replica takes a term and resumes every
instance from the log: the instance cut in its Stop goes on in the same
epoch (its next step is that epoch's Install or Go, never a new epoch), no
(instance, epoch) starts twice with different servers, machine 4 becomes
whole, and every block reads back right and every stripe verifies. The
killed replica is then restarted and must follow (term 0) while the
driver goes on. A deposed driver (`--test-term`, a term older than the
servers saw) must be refused by every server on its first frame while
writes go on, without ever displacing the current driver's connections;
machine 4, restarted while it lives, must read the newest term back from
its --data and refuse it from the start, and a copy of that --data with
the term file damaged must stop `amalgam serve` at start, saying so, the
file untouched. Then the second driver is killed, and machine 4's next
replacement, under the third, must use epochs never used before (a driver
that forgot them would Stop in a closed epoch and never finish). Last,
machine 3 is killed for good; once the third driver suspects it, that
driver is killed, and the fourth must show the suspicion from the same
instant (the failure detector's acts are in the log too). Every
process the test starts is stopped at the end.

usage: replicated.py AMALGAM
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import amlocal  # noqa: E402
from amlocal import Resp  # noqa: E402

AM = sys.argv[1]
M, G, F, BLOCK, STRIPES, R = 5, 3, 2, 64, 10, 3
procs = {}
fails = []


def check(ok, what):
    if not ok:
        fails.append(what)
        print("FAIL", what, flush=True)


def start(key, args, log):
    procs[key] = subprocess.Popen([AM] + args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def kill(key):
    procs[key].kill()
    procs[key].wait()


def term_of(base, r):
    try:
        return amlocal.metrics(rmetrics(base, r)).get("hoc_amalgam_reconf_term", 0)
    except OSError:
        return 0


def try_resp(port):
    """A connection to a client port that answers PING, or None."""
    try:
        c = Resp(port)
        if c.cmd("PING") == ("ok", "PONG"):
            return c
        c.close()
    except OSError:
        pass
    return None


def rmetrics(base, r):
    return base + 100 + 10 * r + 8


def wait(pred, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


STEP = re.compile(r"instance (\d+): (?:replacing pid (\d+) .*?in epoch (\d+): (\w+)|pid (\d+) epoch (\d+): (\w+))")


def steps(text):
    """[(instance, pid, epoch, mode)] in the order the log shows them."""
    out = []
    for m in STEP.finditer(text):
        if m.group(2):
            out.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
        else:
            out.append((int(m.group(1)), int(m.group(5)), int(m.group(6)), m.group(7)))
    return out


def log_marks(paths):
    """{path: its size now} for the replicas' logs (absent: 0)."""
    return {p: os.path.getsize(p) if os.path.exists(p) else 0 for p in paths}


def logged_since(marks):
    """What each log of marks gained since: [text]."""
    out = []
    for p, at in marks.items():
        if os.path.exists(p):
            with open(p, errors="replace") as fh:
                fh.seek(at)
                out.append(fh.read())
    return out


def replaced_live(marks, machine):
    """The instances whose server of machine a replica logged live since marks."""
    live = re.compile(rf"instance (\d+): pid \d+ \(\w, machine {machine}\) epoch \d+ replaced: live")
    return {int(m.group(1)) for t in logged_since(marks) for m in live.finditer(t)}


def cluster(tmp, block, stripes):
    """The cluster file, on loopback ports found free: (base, path). Machine
    m's ports from base + 20 m (data, parity + 5, client + 10, metrics + 11),
    replica r's from base + 100 + 10 r."""
    base = amlocal.ports_base(140)
    path = os.path.join(tmp, "rep.cluster")
    lines = [f"g {G}", f"f {F}", f"block {block}", f"stripes {stripes}", "blocks-per-instance 1",
             "suspect-ms 1000"]
    for m in range(M):
        p = base + 20 * m
        lines.append(f"machine {m} 127.0.0.1 data={p} parity={p + 5} client={p + 10} metrics={p + 11}")
    for r in range(R):  # replica r: classes at P .. P + 4, its log at P + 5
        lines.append(f"reconf {r} 127.0.0.1:{base + 100 + 10 * r} metrics={rmetrics(base, r)}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return base, path


def rcmd(tmp, path, r):
    """Replica r's command line: its log in tmp/rdR."""
    return ["reconf", "--cluster", path, "--id", str(r), "--data", os.path.join(tmp, f"rd{r}"),
            "--log", "info"]


def boot(tmp, base, path):
    """Starts the M machines (--data tmp/dataM, logs tmp/mM.log) and the R
    replicas (logs tmp/reconfR.log): (a connection to each machine's client
    port, the replica that drives), or None after a failed check."""
    for m in range(M):
        start(m, ["serve", "--cluster", path, "--machine", str(m), "--data",
                  os.path.join(tmp, f"data{m}")], os.path.join(tmp, f"m{m}.log"))
    for r in range(R):
        start(("r", r), rcmd(tmp, path, r), os.path.join(tmp, f"reconf{r}.log"))
    conns = {}
    for m in range(M):
        conns[m] = wait(lambda: try_resp(base + 20 * m + 10), 20)
        check(conns[m] is not None, f"machine {m}'s client port never answered")
        if conns[m] is None:
            return None
    # (wait wants a true value: replica r as [r])
    leader = wait(lambda: [r for r in range(R) if term_of(base, r) > 0][:1], 20)
    check(leader is not None, "no replica took a term")
    if leader is None:
        return None
    drivers = [r for r in range(R) if term_of(base, r) > 0]
    check(drivers == leader, f"replicas driving: {drivers}")
    return conns, leader[0]


def successor(base, gone, what):
    """Kills replica gone and waits for another to drive: its id, or None
    after a failed check."""
    kill(("r", gone))
    nxt = wait(lambda: [r for r in range(R) if r != gone and term_of(base, r) > 0][:1], 20)
    check(nxt is not None, f"no replica drove after the {what} driver was killed")
    return nxt[0] if nxt else None


def run(body, name):
    """Runs body(tmp) in a fresh folder, stops every process started, and
    exits 1 with the failures (the logs kept) or 0 (the folder removed)."""
    tmp = tempfile.mkdtemp(prefix=name + "-")
    try:
        body(tmp)
    finally:
        amlocal.stop_all(list(procs.values()), check)
    if fails:
        # a driver the test neither killed nor paused that lost its lease:
        # its log confirmed nothing in 1.25 s (docs/amalgam.md, "Leases"),
        # and the checks that follow a named driver then fail with it
        for f in sorted(os.listdir(tmp)):
            if f.startswith("reconf"):
                for line in open(os.path.join(tmp, f), errors="replace"):
                    if "its lease ran out" in line:
                        print(f"{f}: {line.strip()}")
        print(f"{name}: {len(fails)} failures; logs in {tmp}")
        sys.exit(1)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{name}: ok")


def main(tmp):
    base, path = cluster(tmp, BLOCK, STRIPES)
    data = [os.path.join(tmp, f"data{m}") for m in range(M)]
    rlogs = [os.path.join(tmp, f"reconf{r}.log") for r in range(R)]
    booted = boot(tmp, base, path)
    if booted is None:
        return
    conns, leader = booted

    want = {}
    for b in range(STRIPES):
        for s in range(G):
            v = 1 + b * G + s
            got = conns[amlocal.data_machine(b, s, M)].cmd("AM.WRITE", b, s, amlocal.block_of(v, BLOCK))
            check(got == ("bulk", bytes(BLOCK)), f"write {b}.{s}: {got}")
            want[(b, s)] = v

    # machine 4 restarted without its state: the driver replaces its servers;
    # the driver is killed on its first Stop, before that instance's Install
    dead = 4
    conns.pop(dead).close()

    def stopped(mark):
        """An instance whose Stop (logged after mark) the log has confirmed,
        so its messages left, and whose Install is not logged yet; or None."""
        text = open(rlogs[leader]).read()[mark:]
        confirmed = text.rfind("decided in the log")
        if confirmed < 0:
            return None
        done = steps(text[:confirmed])
        later = steps(text)
        for x in done:
            if x[3] == "Stop" and not any(y[0] == x[0] and y[2] >= x[2] and y[3] in ("Install", "Go")
                                          for y in later):
                return x
        return None

    # a loaded machine may run a whole replacement before the test reads the
    # log: then the next restart of machine 4 (a new epoch) is tried
    for attempt in range(3):
        kill(dead)
        time.sleep(0.3)
        mark = len(open(rlogs[leader]).read())
        start(dead, ["serve", "--cluster", path, "--machine", str(dead), "--data", data[dead]],
              os.path.join(tmp, f"m{dead}-rejoin{attempt}.log"))
        cut = wait(lambda: stopped(mark), 20, step=0.002)
        if cut:
            break
        amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                             and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=40)
    kill(("r", leader))
    check(cut is not None, f"the driver logged no Stop before an Install in 3 replacements: "
          f"{open(rlogs[leader]).read()[-800:]}")
    if cut is None:
        return
    before = steps(open(rlogs[leader]).read())
    t_kill = time.time()
    nxt = wait(lambda: [r for r in range(R) if r != leader and term_of(base, r) > 0][:1], 20)
    check(nxt is not None, "no other replica took a term after the driver was killed")
    if nxt is None:
        return
    nxt = nxt[0]
    t_take = time.time() - t_kill
    mpage = amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                 and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=40)
    check(mpage["hoc_amalgam_degraded_instances"] == 0 and mpage["hoc_amalgam_rebuilt_at_ms"] > 0,
          f"machine {dead} never whole after the driver's death: {dict(mpage)}")
    t_whole = time.time() - t_kill
    ntext = open(rlogs[nxt]).read()
    check(re.search(r"takes term \d+ \(([1-9]\d*) instances resume", ntext) is not None,
          f"the new driver resumed no instance: {ntext[-800:]}")
    after = steps(ntext)
    # the instance cut in its Stop: the new driver goes on in that epoch
    inst, pid, ep, _ = cut
    mine = [x for x in after if x[0] == inst]
    check(mine and mine[0][2] == ep and mine[0][1] == pid and mine[0][3] in ("Stop", "Install", "Go"),
          f"instance {inst} cut in Stop of epoch {ep}: the new driver's steps {mine}")
    check(any(x[3] == "Go" and x[2] == ep for x in mine) or
          re.search(rf"instance {inst}: pid {pid} .* epoch {ep} replaced: live", ntext) is not None,
          f"instance {inst}'s epoch {ep} never finished at the new driver: {mine}")
    # no (instance, epoch) given to two different servers, nor started anew
    seen = {}
    for x in before + after:
        seen.setdefault((x[0], x[2]), set()).add(x[1])
    twice = {k: v for k, v in seen.items() if len(v) > 1}
    check(not twice, f"epochs used for two servers: {twice}")
    conns[dead] = wait(lambda: try_resp(base + 20 * dead + 10), 10)
    for (b, s), v in sorted(want.items()):
        got = conns[amlocal.data_machine(b, s, M)].cmd("AM.READ", b, s)
        check(got == ("bulk", amlocal.block_of(v, BLOCK)), f"read {b}.{s}: {got}")
    for b in range(STRIPES):
        r = subprocess.run([AM, "cli", "--cluster", path, "verify", str(b)], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode == 0, f"verify {b}: {r.stdout} {r.stderr}")

    # a deposed driver that does not know it (a term older than the servers
    # saw, outside the log, at the dead replica's ports): every server refuses
    # it on its first frame, and the driver's writes go on
    # the newest term: nxt's, or a later driver's if its lease ran out since
    # (its log too slow: docs/amalgam.md, "Leases"); the servers must hold
    # it or a newer one from here on
    nterm = wait(lambda: max(term_of(base, r) for r in range(R) if r != leader) or None, 20) or 0

    def replaced():
        return [open(os.path.join(tmp, f"m{m}.log")).read().count("replaced by a new connection")
                for m in range(dead)]

    replaced0 = replaced()
    start("rogue", ["reconf", "--cluster", path, "--id", str(leader), "--test-term", str(nterm - 1),
                    "--log", "info"], os.path.join(tmp, "rogue.log"))
    refused = wait(lambda: all(amlocal.metrics(base + 20 * m + 11).get("hoc_amalgam_deposed_refused_total", 0) > 0
                               for m in range(M)) and True, 20)
    pages = [amlocal.metrics(base + 20 * m + 11) for m in range(M)]
    check(refused and all((p.get("hoc_amalgam_reconf_term_seen") or 0) >= nterm > 0 for p in pages),
          f"the deposed driver's connections: refused "
          f"{[p.get('hoc_amalgam_deposed_refused_total') for p in pages]}, terms seen "
          f"{[p.get('hoc_amalgam_reconf_term_seen') for p in pages]} (driver's {nterm})")
    # the rogue's dials never displaced the driver's connections (a server
    # takes a new connection of pid n-1 only once its term is accepted)
    check(replaced() == replaced0,
          f"a deposed driver's dial replaced the current driver's connection at a server: "
          f"{replaced0} -> {replaced()} connections replaced")
    # a server restarted while the deposed driver lives refuses it from the
    # start: the newest term it was shown is in its --data
    kill(dead)
    conns.pop(dead).close()
    mlog = os.path.join(tmp, f"m{dead}-rogue.log")
    start(dead, ["serve", "--cluster", path, "--machine", str(dead), "--data", data[dead]], mlog)
    mport = base + 20 * dead + 11
    seen_terms = set()

    def refused_here():
        try:
            p = amlocal.metrics(mport)
        except OSError:
            return False
        seen_terms.add(p.get("hoc_amalgam_reconf_term_seen"))
        return p.get("hoc_amalgam_deposed_refused_total", 0) > 0

    check(wait(refused_here, 20) is not None, f"restarted machine {dead} never refused the deposed driver")
    check(all((t or 0) >= nterm for t in seen_terms),
          f"restarted machine {dead} showed terms {seen_terms} (driver's {nterm})")
    back = re.search(r"refuses reconfiguration drivers older than term (\d+) \(", open(mlog).read())
    check(back is not None and int(back.group(1)) >= nterm,
          f"restarted machine {dead} did not read term {nterm} back: {open(mlog).read()[-600:]}")
    # a damaged term file stops a machine at start, saying so, untouched
    # (a copy of its --data: the live machine keeps its own)
    bad = os.path.join(tmp, "damaged")
    shutil.copytree(data[dead], bad)
    tfile = [f for f in os.listdir(bad) if f.endswith(".term")]
    check(len(tfile) == 1, f"--data of machine {dead} holds {os.listdir(bad)}")
    if tfile:
        tfile = os.path.join(bad, tfile[0])
        with open(tfile, "r+") as fh:
            text = fh.read()
            kept = re.search(r"term (\d+) ", text)
            kept = int(kept.group(1)) if kept else nterm
            text = text.replace(f"term {kept} ", f"term {kept + 1} ", 1)
            fh.seek(0)
            fh.write(text)
        r = subprocess.run([AM, "serve", "--cluster", path, "--machine", str(dead), "--data", bad],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and "is damaged" in r.stderr and tfile in r.stderr
              and open(tfile).read() == text, f"a damaged term file: exit {r.returncode}, {r.stderr[-400:]}")
    mpage = amlocal.wait_metrics(mport, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                 and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=40)
    check(mpage["hoc_amalgam_rebuilt_at_ms"] > 0, f"machine {dead} never whole with the rogue alive: {dict(mpage)}")
    conns[dead] = wait(lambda: try_resp(base + 20 * dead + 10), 10)
    kill("rogue")
    nref = sum(p.get("hoc_amalgam_deposed_refused_total", 0) for p in pages)
    got = conns[amlocal.data_machine(1, 0, M)].cmd("AM.WRITE", 1, 0, amlocal.block_of(98, BLOCK))
    check(got == ("bulk", amlocal.block_of(want[(1, 0)], BLOCK)), f"write after the deposed driver: {got}")
    want[(1, 0)] = 98

    # the killed replica comes back with its --data: it follows, the driver goes on
    start(("r", leader), rcmd(tmp, path, leader), rlogs[leader] + ".2")
    time.sleep(2)
    # (the driver: nxt, or a later one if its lease ran out meanwhile)
    terms = [term_of(base, r) for r in range(R)]
    check(terms[leader] == 0 and sum(t > 0 for t in terms) == 1,
          f"after the old driver's restart: terms {terms}")
    got = conns[amlocal.data_machine(0, 0, M)].cmd("AM.WRITE", 0, 0, amlocal.block_of(99, BLOCK))
    check(got == ("bulk", amlocal.block_of(want[(0, 0)], BLOCK)), f"write after the restart: {got}")
    want[(0, 0)] = 99

    # the second driver killed too, with every replacement done: the third
    # resumes the epochs, so machine 4's next replacement uses new ones (a
    # driver starting afresh would Stop in epoch 1 again, which the backups
    # closed: that replacement would never end)
    third = successor(base, nxt, "second")
    if third is None:
        return
    tlog = rlogs[third] + (".2" if third == leader else "")
    # the replicas' logs as they are now (the one killed last included: it
    # may have written steps since the first kill's `after` was read)
    alllogs = rlogs + [x + ".2" for x in rlogs]
    earlier = [x for t in logged_since({p: 0 for p in alllogs}) for x in steps(t)]
    marks = log_marks(alllogs)
    kill(dead)
    conns.pop(dead).close()
    time.sleep(0.3)
    start(dead, ["serve", "--cluster", path, "--machine", str(dead), "--data", data[dead]],
          os.path.join(tmp, f"m{dead}-rejoin2.log"))
    # by the third driver, or by the one after it if its lease ran out
    # meanwhile (its log too slow: docs/amalgam.md, "Leases")
    done = wait(lambda: replaced_live(marks, dead) == set(range(STRIPES)) or None, 40)
    check(done, f"machine {dead}'s second replacement under driver {third} or a later one: instances "
          f"{sorted(replaced_live(marks, dead))} replaced")
    first_ep = {}
    for x in earlier:
        first_ep[(x[0], x[1])] = max(first_ep.get((x[0], x[1]), 0), x[2])
    again = [x for t in logged_since(marks) for x in steps(t)]
    old = [x for x in again if x[2] <= first_ep.get((x[0], x[1]), 0)]
    check(len({x[0] for x in again}) == STRIPES and not old,
          f"second replacement: {len(again)} steps, epochs used before: {old}")
    mpage = amlocal.wait_metrics(base + 20 * dead + 11, lambda p: p["hoc_amalgam_degraded_instances"] == 0
                                 and p["hoc_amalgam_rebuilt_at_ms"] > 0, timeout=40)
    check(mpage["hoc_amalgam_rebuilt_at_ms"] > 0, f"machine {dead} never whole again: {dict(mpage)}")
    conns[dead] = wait(lambda: try_resp(base + 20 * dead + 10), 10)
    for (b, s), v in sorted(want.items()):
        got = conns[amlocal.data_machine(b, s, M)].cmd("AM.READ", b, s)
        check(got == ("bulk", amlocal.block_of(v, BLOCK)), f"read {b}.{s} at the end: {got}")

    # the failure detector's acts go through the log too: machine 3 killed for
    # good and suspected by the third driver stays suspected, from the same
    # instant, under the next one
    start(("r", nxt), rcmd(tmp, path, nxt), rlogs[nxt] + ".2")
    time.sleep(0.5)
    gone = 3
    kill(gone)
    conns.pop(gone).close()
    key = f'hoc_amalgam_reconf_suspected{{machine="{gone}"}}'
    page = amlocal.wait_metrics(rmetrics(base, third), lambda p: p[key] == 1)
    check(page[key] == 1, f"machine {gone} not suspected by driver {third}: {dict(page)}")
    at = page[f'hoc_amalgam_reconf_suspected_at_ms{{machine="{gone}"}}']

    def act_confirmed():
        """The log confirmed the third driver's suspicion of machine 3."""
        text = open(tlog).read()
        at = text.find(f"machine {gone} suspected")
        return at >= 0 and text.find("decided in the log", at) >= 0

    check(wait(act_confirmed, 20) is not None, f"the suspicion of machine {gone} never confirmed")
    fourth = successor(base, third, "third")
    if fourth is not None:
        page = amlocal.metrics(rmetrics(base, fourth))
        since = page.get(f'hoc_amalgam_reconf_suspected_at_ms{{machine="{gone}"}}')
        check(page.get(key) == 1 and since == at,
              f"driver {fourth}'s view of machine {gone}: {page.get(key)}, suspected at {since} (was {at})")
    for c in conns.values():
        c.close()
    print(f"amalgam-reconf-replicated: driver {leader} killed at instance {inst}'s Stop (epoch {ep}); "
          f"replica {nxt} drove {t_take:.1f} s later, machine {dead} whole {t_whole:.1f} s after the kill; "
          f"replica {third} drove after it, machine {dead} replaced again in new epochs; "
          f"a deposed driver's connections refused {nref} times")


if __name__ == "__main__":
    run(main, "amalgam-reconf-replicated")
