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


def system_with(files):
    """A 3-node OTR system whose nodes wrote `files` ({node: [text, ...]},
    one text per incarnation)."""
    s = systems.make("otr", 3)
    d = tempfile.mkdtemp(prefix="hoc-nemesis-checks-")
    atexit.register(shutil.rmtree, d, True)
    for i, texts in files.items():
        for k, text in enumerate(texts):
            path = os.path.join(d, "d%d.%d" % (i, k))
            with open(path, "w") as f:
                f.write(text)
            s.files[i].append(path)
    return s


def expect(name, files, want):
    ops, violations = system_with(files).check()
    got = [v.split(":")[0] for v in violations]
    if sorted(got) != sorted(want):
        print("FAIL %s: wanted %s, got %s" % (name, want, violations))
        sys.exit(1)
    print("ok %s: %d instances, %s" % (name, ops, violations or "no violations"))


# proposals of nodes 0, 1, 2 are 100, 101, 102
expect("clean", {0: ["0 100\n1 101\n"], 1: ["1 101\n0 100\n"], 2: ["0 100\n", "1 101\n0 100\n"]}, [])
expect("agreement", {0: ["0 100\n"], 1: ["0 101\n"]}, ["agreement"])
expect("agreement after amnesia", {0: ["5 100\n", "5 102\n"]}, ["agreement after amnesia"])
expect("agreement with a restarted node", {0: ["5 100\n"], 1: ["", "5 101\n"]},
       ["agreement after amnesia"])
expect("agreement of two nodes that never restarted, after a restart", {0: ["5 100\n"],
       1: ["5 101\n"], 2: ["", ""]}, ["agreement after amnesia"])
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
