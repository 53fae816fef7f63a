#!/usr/bin/env python3
"""Generated C compiles warning-free whenever hoc compile accepts the program.

Builds small programs that use each construct in the ways that leave C
parameters, locals or comparisons unused or trivial (an update that reads
the mailbox only through mbox[p], never reads the messages, an unused let,
a quantifier whose variable the body ignores, x[i] == x[i], ...), and
compiles each one's C under the project's flags (and the stricter ones of
tests/compile/run.sh), with cc and, if there is one, clang. Every program
must compile: one that hoc compile refuses fails the test, since its
constructs would otherwise go untested.

usage: variants.py HOC RUNTIME_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

HOC, RT = sys.argv[1], sys.argv[2]
CCS = [os.environ.get("CC", "cc")] + (["clang"] if shutil.which("clang") else [])
FLAGS = [
    [],
    ["-O2", "-DA_MAXN=4"],
    ["-O2", "-Wpedantic", "-Wshadow", "-Wconversion", "-Wno-sign-conversion"],
]

# Pieces of an algorithm: declarations, then one round's message, send and update.
HEAD = """enum E { Ea, Eb }
def f(a: int, b: int): int = a;
def g(a: int, b: bytes[4]): int = a;
def h(a: int): int = f(a, a) + 1;
def unused(a: pid): pid = a;
extern def ext(a: pid, b: bytes[4]): pid;
algorithm A {
  output decide(int);
  output done();
  param n, k where k >= 0;
  input v: int;
  var x: int = v;
  var p: pid = 0;
  var b: bool = false;
  var e: E = Ea;
  var s: set = {};
  var ts: stamp = never;
  var a: int[3];
  var q: int[pid];
  var blk: bytes[4];
  var rows: bytes[4][2];
  ghost var gh: int = 0;
"""

ROUNDS = {
    "single": "round {name} msg int {{ send {{ {send} }} update {{ {update} }} }}",
    "record": "round {name} msg (u: int, w: pid, t: stamp, bl: bytes[4]) {{ send {{ {send} }} update {{ {update} }} }}",
    "empty": "round {name} {{ update {{ {update} }} }}",
}

SENDS = {
    "single": ["broadcast x;", "send x to p;", "send 1 to s;", "if (b) { broadcast 0; }", ""],
    "record": ["broadcast (x, p, ts, blk);", "send (1, id, phase, blk) to {id + 1};", ""],
}

UPDATES = {
    "single": [
        "x = mbox[0];",
        "x = mbox[p];",
        "b = 0 in mbox;",
        "x = |mbox|;",
        "",
        "x = mmor(mbox);",
        "x = min({ m in mbox | m > 0 });",
        "x = argmax(mbox).sender;",
        "x = argmax(mbox).value;",
        "for m in mbox { x = x + m; }",
        "for m in mbox { x = 1; }",
        "b = forall m in mbox. m > 0;",
        "b = exists m in mbox. true;",
        "s = { m in procs | m in mbox };",
        "x = mbox[id - 1] + mbox[n];",
        "s = { j | mbox[j - 1] == 1 };",  # the binder is a process, though first used as an int
    ],
    "record": [
        "x = mbox[0].u;",
        "p = mbox[p].w;",
        "x = mbox[1].sender;",
        "ts = argmax(mbox.t).t;",
        "x = argmin({ m in mbox | m.u > 1 }.u).u;",
        "blk = mbox[0].bl;",
        "x = mbox[0].bl[2];",
        "b = mbox[0].bl == blk;",
        "x = g(1, mbox[0].bl);",
        "for m in mbox { x = m.u; }",
        "for m in mbox { p = m.sender; }",
        "x = |{ m in mbox | m.t == never }|;",
        "",
    ],
    "empty": [
        "let y = 1;",
        "let y = 1; y = 2;",
        "let y = x; y = y;",
        "x = x;",
        "b = x == x;",
        "b = id == id;",
        "b = e == Ea;",
        "b = Ea == Ea;",
        "b = p < 4294967296;",
        "b = blk[0] < 256;",
        "b = blk[7] == 0;",
        "blk[9] = 1;",
        "a[3] = 1; x = a[-1];",
        "q[n] = 1; x = q[id + 1];",
        "rows[5] = blk; blk = rows[id];",
        "blk = rows[0]; x = rows[1][2] + blk[3];",
        "x = f(1, 2);",
        "x = h(x);",
        "p = ext(p, blk);",
        "decide(x); done();",
        "if (b) { decide(x); halt; } done();",
        "for i in 0..3 { }",
        "for i in 0..3 { x = 1; }",
        "for j in procs { }",
        "for j in s { x = j; }",
        "if (b) { } else { }",
        "halt;",
        "if (b) { halt; } x = 1;",
        "b = forall j. true;",
        "b = exists c: bool. true;",
        "b = forall c: E. true;",
        "s = { j | true };",
        "s = { j in s | false };",
        "s = { j | j - 1 == x };",
        "s = {id, id + 1, n, -1};",
        "x = min(s) + max(s);",
        "x = |s| + |procs|;",
        "p = x;",
        "x = p;",
        "ts = phase;",
        "b = ts == phase;",
        "x = round + phase % n;",
        "x = x / 0 + x % 0;",
        "gh = x;",
        "let y = -9223372036854775807 - 1; x = y;",
    ],
}

SPECS = [
    "invariant i1: forall i. x[i] == x[i];",
    "invariant i2: forall i. true;",
    "invariant i3: exists w. true;",
    "invariant i4: exists w. x[0] == w;",
    "invariant i5: forall t: stamp. true;",
    "invariant i6: x[n] == 0 && x[-1] == 0 && b[n + 1] == false;",
    "invariant i7: forall i. a[i][5] == 0 && q[i][n] == 0 && blk[i][4] == 0;",
    "invariant i8: |{ i | true }| == n;",
    "invariant i9: forall c: bool. c || !c;",
    "invariant i10: k == k;",
    "invariant i11: forall i. p[i] < 4294967296;",
    "invariant i12: |{ j | j - 1 == x[0] }| <= n;",
    "assume a1: forall j. HO[j] == HO[j];",
    "assume a2: exists P. true;",
    "assume a3: |HO[n]| == 0;",
    "property p1: forall i, j. x[i] == x[j] || true;",
    "goal g1: exists i. b[i];",
    "property p2: forall i. h(x[i]) > x[i] || true;",
    "assume a4: forall j. |HO[j]| >= n - k && HO[j + n] == {};",
]

# Event handlers, bytes arguments above all: a block given as a pointer or as
# the int standing for it, read in every way a block is, or never.
EVENTS = [
    "event e0() { }",
    "event e1(c: bytes[4]) { }",
    "event e2(c: bytes[4] in 0..k) { blk = c; }",
    "event e3(c: bytes[4], d: int in 1..n) { x = c[0] + c[9] + d; }",
    "event e4(c: bytes[4]) { b = c == blk; p = ext(p, c); x = g(1, c); }",
    "event e5(c: bytes[4], w: E, r: bool, t: pid) { rows[0] = c; let y = c; blk = y; }",
    "event e6(c: bytes[4], d: bytes[4]) { if (c[0] == 1) { halt; } decide(d[1]); }",
    "event e7(c: bytes[1]) { b = c[0] < 256; }",
    "event e8(w: bool) { b = w; }",
    "replaced { x = 0; }",
]


def programs():
    """(name, source) of every program: the variants of one kind side by side,
    each in a round (or a spec) of its own, so each is its own C function."""
    for kind, tmpl in ROUNDS.items():
        sends = SENDS.get(kind, [""])
        rounds = [tmpl.format(name=f"U{ui}", send=sends[ui % len(sends)], update=upd)
                  for ui, upd in enumerate(UPDATES[kind])]
        rounds += [tmpl.format(name=f"S{si}", send=send, update="")
                   for si, send in enumerate(sends)]
        yield kind, HEAD + "".join("  " + r + "\n" for r in rounds) + "}\n"
    yield "specs", HEAD + "  round R { send { broadcast x; } }\n" + "".join(
        "  " + spec + "\n" for spec in SPECS) + "}\n"
    yield "events", HEAD + "  round R { send { broadcast x; } }\n" + "".join(
        "  " + e + "\n" for e in EVENTS) + "}\n"
    yield "nothing", HEAD + "  round R { }\n}\n"  # every def unused, every parameter too
    yield "when", HEAD + (
        "  round R { send { broadcast x; } progress timeout 1ms, when true; }\n"
        "  round S { send { broadcast x; } progress wait n - k, goahead 1, when 0 in mbox; }\n}\n")


def main():
    tmp = tempfile.mkdtemp()
    bad = ran = 0
    try:
        for name, src in programs():
            path = os.path.join(tmp, name + ".ho")
            with open(path, "w") as f:
                f.write(src)
            out = os.path.join(tmp, name)
            r = subprocess.run([HOC, "compile", path, "-o", out], capture_output=True, text=True)
            # every variant is meant to be a valid program: one hoc refuses
            # (a name that hides a declaration, a construct since forbidden)
            # would leave its constructs untested, so it fails the test
            if r.returncode != 0:
                print(f"FAIL {name}: hoc compile exit {r.returncode}\n{r.stderr}")
                bad += 1
                continue
            c = os.path.join(out, "a.c")
            for cc in CCS:
                for flags in FLAGS if cc == CCS[0] else FLAGS[2:]:  # clang: once, strictly
                    ran += 1
                    cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, "-I", RT, "-c",
                           c, "-o", os.path.join(tmp, "o.o")]
                    r = subprocess.run(cmd, capture_output=True, text=True)
                    if r.returncode != 0:
                        bad += 1
                        print(f"FAIL {name} ({cc} {' '.join(flags)}):\n{src}\n{r.stderr[:1500]}")
    finally:
        shutil.rmtree(tmp)
    print(f"variants: {ran} compilations, {bad} failed")
    return 1 if bad or not ran else 0


if __name__ == "__main__":
    sys.exit(main())
