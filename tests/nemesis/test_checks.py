#!/usr/bin/env python3
"""The nemesis harness's own checks, on decisions files written by hand (no
namespaces, no root): each broken property must be reported, a clean run
must pass, and progress() must count only whole lines, across incarnations."""
import atexit
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import systems  # noqa: E402


def system_with(files, data=True):
    """A 3-node OTR system whose nodes wrote `files` ({node: [text, ...]},
    one text per incarnation); data: its replicas ran with --data."""
    s = systems.make("otr", 3, data=data)
    d = tempfile.mkdtemp(prefix="hoc-nemesis-checks-")
    atexit.register(shutil.rmtree, d, True)
    for i, texts in files.items():
        for k, text in enumerate(texts):
            path = os.path.join(d, "d%d.%d" % (i, k))
            with open(path, "w") as f:
                f.write(text)
            s.files[i].append(path)
    return s


def expect(name, files, want, data=True):
    ops, violations = system_with(files, data).check()
    got = [v.split(":")[0] for v in violations]
    if sorted(got) != sorted(want):
        print("FAIL %s: wanted %s, got %s" % (name, want, violations))
        sys.exit(1)
    print("ok %s: %d instances, %s" % (name, ops, violations or "no violations"))


# proposals of nodes 0, 1, 2 are 100, 101, 102
expect("clean", {0: ["0 100\n1 101\n"], 1: ["1 101\n0 100\n"], 2: ["0 100\n", "1 101\n0 100\n"]}, [])
expect("agreement", {0: ["0 100\n"], 1: ["0 101\n"]}, ["agreement"])
# with --data a restart is inside the model: a disagreement is plain agreement
expect("agreement across incarnations", {0: ["5 100\n", "5 102\n"]}, ["agreement"])
expect("agreement after amnesia", {0: ["5 100\n", "5 102\n"]}, ["agreement after amnesia"],
       data=False)
expect("agreement with a restarted node", {0: ["5 100\n"], 1: ["", "5 101\n"]},
       ["agreement after amnesia"], data=False)
expect("agreement of two nodes that never restarted, after a restart", {0: ["5 100\n"],
       1: ["5 101\n"], 2: ["", ""]}, ["agreement after amnesia"], data=False)
expect("validity", {0: ["0 1\n"], 1: ["0 1\n"]}, ["validity", "validity"])
expect("integrity", {2: ["3 102\n3 102\n"]}, ["integrity"])
expect("half a line at a kill is not a decision", {0: ["0 100\n1 10"]}, [])

s = system_with({0: ["0 100\n1 1", "7 100\n"], 1: ["0 100\n1 101\n"], 2: []})
if s.progress() != [1, 2, 0]:
    print("FAIL progress: %s" % s.progress())
    sys.exit(1)
with open(s.files[0][-1], "a") as f:
    f.write("8 100\n9 1")
if s.progress() != [2, 2, 0]:
    print("FAIL progress after appending: %s" % s.progress())
    sys.exit(1)
print("ok progress counts whole lines of the current incarnation")


# hoc-kv: every acknowledged write still there after the heal
def lost(history, final):
    d = tempfile.mkdtemp(prefix="hoc-nemesis-checks-")
    atexit.register(shutil.rmtree, d, True)
    path = os.path.join(d, "history.txt")
    with open(path, "w") as f:
        f.write(history)
    return [k for k, _, _ in systems.lost_writes(systems.parse_history(path), final)]


def expect_lost(name, history, final, want):
    got = lost(history, final)
    if sorted(got) != sorted(want):
        print("FAIL %s: wanted lost writes %s, got %s" % (name, want, got))
        sys.exit(1)
    print("ok %s: lost writes %s" % (name, got or "none"))


H = ('c0 10 20 SET k0 x"61" -> OK\n'        # k0 = a, acknowledged
     'c1 30 40 SET k0 x"62" -> OK\n'        # then b: the last acknowledged write
     'c2 35 ? SET k0 x"63" -> ?\n'          # c, pending: may have won
     'c0 50 60 MSET k2 x"31" k3 x"32" -> OK\n'
     'c1 70 80 INCRBY k4 3 -> 3\n'
     'c2 90 ? INCRBY k4 1 -> ?\n'
     'c0 100 110 DEL k2 -> 1\n')
expect_lost("kv clean", H, {"k0": b"b", "k2": None, "k3": b"2", "k4": b"4", "k5": None}, [])
expect_lost("kv pending write won", H, {"k0": b"c", "k2": None, "k3": b"2", "k4": b"3"}, [])
expect_lost("kv acknowledged write lost", H, {"k0": b"a", "k2": None, "k3": None, "k4": b"3"},
            ["k0", "k3"])
expect_lost("kv deleted key back", H, {"k2": b"1"}, ["k2"])
expect_lost("kv a key never written has a value", H, {"k5": b"zz"}, ["k5"])
