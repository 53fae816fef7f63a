#!/usr/bin/env python3
"""Blocks (bytes state) and the environment in hoc check's traces and
hoc sim --replay (tests/sim/env_block.ho):

  - the text trace shows a block's bytes (hex up to its last nonzero byte),
    cut after 32 bytes with a marker saying how many were left out;
  - the JSON states carry the whole block, and the replay compares it: a
    trace with one byte of a block changed (in the bytes the text shows, and
    past them) is refused as diverging, naming the byte; a value that is no
    block is refused; a trace without blocks (written before they were
    carried) still replays;
  - a replacement and an event in one step (env [1, [event, arg]]) replay;
  - hoc sim's trace of a violation shows the events it drew.

usage: replay_blocks.py HOC SOURCE_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

K = 40  # bytes of env_block.ho's block
failed = []


def ok(cond, what):
    if not cond:
        failed.append(what)
        print("FAIL:", what)


def run(argv):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout + r.stderr


def replay(hoc, ho, trace, tmp, name, edit=None):
    """hoc sim --replay of trace, after edit(trace JSON) when given."""
    path = trace
    if edit:
        t = json.load(open(trace))
        edit(t)
        path = os.path.join(tmp, name + ".json")
        json.dump(t, open(path, "w"))
    return run([hoc, "sim", ho, "--replay", path])


def set_block(t, rnd, p, value):
    t["rounds"][rnd]["states"][p]["blk"] = value


def main():
    hoc, src = sys.argv[1], sys.argv[2]
    ho = os.path.join(src, "tests/sim/env_block.ho")
    tmp = tempfile.mkdtemp(prefix="hoc-replay-blocks-")
    try:
        # a replacement, then write(1), in one step: fresh broken
        t1 = os.path.join(tmp, "fresh.json")
        rc, out = run([hoc, "check", ho, "-n", "2", "--events", "1", "--replace", "1",
                       "--skip", "unfilled", "--trace", t1, "--quiet"])
        ok(rc == 1 and "VIOLATED: invariant fresh" in out, "fresh: check exit %d\n%s" % (rc, out))
        m = re.search(r"^  p0 HO=\S+ replaced write\((\d)\) blk=(\S+) ", out, re.M)
        ok(m is not None, "fresh: p0 replaced and written in round 0:\n%s" % out)
        if m is None:
            return 1
        arg = int(m.group(1))
        # the block standing for the int arg: its bytes little-endian, then zeros
        ok(m.group(2) == "0x%02x" % arg, "fresh: the text shows the block: %s" % m.group(2))
        ok(re.search(r"^  p1 HO=\S+ blk=0x00 ver=0", out, re.M) is not None,
           "fresh: an all-zero block shows as 0x00")
        t = json.load(open(t1))
        ok(t["rounds"][0]["env"][0] == [1, [0, arg]], "fresh: env %s" % t["rounds"][0]["env"])
        ok(t["rounds"][0]["states"][0].get("blk") == "0x%02x" % arg,
           "fresh: the JSON state holds the block: %s" % t["rounds"][0]["states"][0])
        rc, out = replay(hoc, ho, t1, tmp, "same")
        ok(rc == 1 and "VIOLATED: invariant fresh after round 0 (as in the trace)" in out,
           "fresh: replay exit %d\n%s" % (rc, out))
        other = 3 - arg  # the other value write takes: same state otherwise
        rc, out = replay(hoc, ho, t1, tmp, "byte0", lambda t: set_block(t, 0, 0, "0x%02x" % other))
        ok(rc == 2 and ("DIVERGED: round 0, p0, blk[0]: the trace says 0x%02x, the replay has 0x%02x"
                        % (other, arg)) in out, "fresh: one byte changed: exit %d\n%s" % (rc, out))
        rc, out = replay(hoc, ho, t1, tmp, "p1", lambda t: set_block(t, 0, 1, "0x0000ff"))
        ok(rc == 2 and "DIVERGED: round 0, p1, blk[2]: the trace says 0xff, the replay has 0x00" in out,
           "fresh: a byte set in a zero block: exit %d\n%s" % (rc, out))
        rc, out = replay(hoc, ho, t1, tmp, "zeros", lambda t: set_block(t, 0, 0, "0x%02x0000" % arg))
        ok(rc == 1, "fresh: trailing zeros written out are the same block: exit %d\n%s" % (rc, out))
        for bad in ["0xzz", "01", "0x" + "00" * (K + 1), "0x1"]:
            rc, out = replay(hoc, ho, t1, tmp, "bad", lambda t: set_block(t, 0, 0, bad))
            ok(rc == 2 and "blk: the trace's value is not a block of %d bytes" % K in out,
               "fresh: %r is no block: exit %d\n%s" % (bad, rc, out))
        def drop_blocks(t):
            for r in t["rounds"]:
                for s in r["states"]:
                    del s["blk"]
        rc, out = replay(hoc, ho, t1, tmp, "old", drop_blocks)
        ok(rc == 1, "fresh: a trace without blocks still replays: exit %d\n%s" % (rc, out))

        # fill(b): a block of K equal bytes, longer than the text shows
        t2 = os.path.join(tmp, "unfilled.json")
        rc, out = run([hoc, "check", ho, "-n", "1", "--events", "1", "--skip", "fresh",
                       "--trace", t2, "--quiet"])
        m = re.search(r"^  p0 HO=\S+ fill\((\d)\) blk=(.*?) ver=", out, re.M)
        ok(rc == 1 and m is not None, "unfilled: check exit %d\n%s" % (rc, out))
        if m is None:
            return 1
        b = "%02x" % int(m.group(1))
        ok(m.group(2) == "0x" + b * 32 + "\u2026(+%d bytes)" % (K - 32),
           "unfilled: 32 bytes shown and the rest counted: %s" % m.group(2))
        t = json.load(open(t2))
        ok(t["rounds"][0]["states"][0].get("blk") == "0x" + b * K,
           "unfilled: the JSON holds the whole block: %s" % t["rounds"][0]["states"][0].get("blk"))
        rc, out = replay(hoc, ho, t2, tmp, "u")
        ok(rc == 1 and "VIOLATED: invariant unfilled" in out, "unfilled: replay exit %d\n%s" % (rc, out))
        rc, out = replay(hoc, ho, t2, tmp, "last", lambda t: set_block(t, 0, 0, "0x" + b * (K - 1) + "07"))
        ok(rc == 2 and "DIVERGED: round 0, p0, blk[%d]: the trace says 0x07, the replay has 0x%s"
           % (K - 1, b) in out, "unfilled: the last byte changed, past the text: exit %d\n%s" % (rc, out))

        # hoc sim's own trace of a violation shows the events it drew and the block
        seen = 0
        for seed in range(1, 21):
            rc, out = run([hoc, "sim", ho, "-n", "3", "--events", "0.3", "--replace", "1",
                           "--rounds", "10", "--seed", str(seed)])
            if rc != 1 or "VIOLATED: invariant unfilled" not in out:
                continue
            seen += 1
            ok(re.search(r"^  p\d HO=\S+( replaced)? fill\(\d\) blk=0x(\w\w){32}\u2026\(\+8 bytes\) ",
                         out, re.M) is not None, "sim --seed %d: the fill and the block:\n%s" % (seed, out))
        ok(seen > 0, "hoc sim found unfilled broken with some seed of 1..20")
    finally:
        shutil.rmtree(tmp, True)
    print("sim-replay-blocks: %d failed" % len(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
