#!/usr/bin/env python3
"""hoc explore's JSON API over loopback HTTP: a hoc check counterexample
opened with --trace, spec verdicts and blame, steps with chosen heard-of
sets, branches kept, durable addresses, crashes, damaged and foreign traces,
random walks and hoc check runs from the page, the loopback-only rule, and
the --html pages of hoc check and hoc sim, and traces with the environment's
events and replacements (hoc check --events/--replace) opened, shown and
matched state by state.

usage: api_test.py HOC SOURCE_DIR"""
import json
import os
import re
import subprocess
import sys

from xserver import Checks, Server, field, make_trace, page_bundle, sim_outputs, spec, tmpdir


def trace_opened(c, s):
    """The trace's last state: inv broken by p0's step, agreement holding."""
    st, focus = s.get("/api/focus")
    c.ok(st == 200, "GET /api/focus")
    _, algo = s.get("/api/algo")
    c.ok(algo["name"] == "BrokenOTR" and algo["n"] == 5, "algo: %s" % algo)
    ghosts = [f["name"] for f in algo["fields"] if f["ghost"]]
    c.ok(ghosts == ["decision"], "the ghost is marked: %s" % ghosts)
    _, state = s.get("/api/state/%d" % focus["id"])
    inv = spec(state, "inv")
    c.ok(not inv["holds"] and inv["blame"] == [0], "inv fails, broken by p0: %s" % inv)
    c.ok(spec(state, "agreement")["holds"], "agreement holds")
    c.ok(field(state, 0, "decided") == ("true", "new"), "p0 decided, new")
    c.ok(field(state, 1, "decided") == ("false", ""), "p1 not decided, unchanged")
    _, path = s.get("/api/path/%d" % focus["id"])
    lost = [(m["from"], m["to"]) for m in path["rounds"][0]["msgs"] if not m["heard"]]
    c.ok((2, 1) in lost and (1, 3) in lost and len(lost) == 6, "lost messages: %s" % lost)
    return state


def steps_and_branches(c, s):
    """From the default start (inputs 0,1,0,1,0): a majority round, then a
    branch where everybody hears everybody, then the same step again."""
    _, tree = s.get("/api/tree")
    root = next(n for n in tree["nodes"] if n["label"] == "start")
    c.ok(root["addr"] == "run/0,1,0,1,0", "default inputs: %s" % root["addr"])
    maj = [[0, 1, 2]] * 5  # everyone hears 0, 1, 2 (and itself)
    st, r = s.post("/api/step", {"from": root["id"], "ho": maj})
    c.ok(st == 200, "step: %s" % r)
    _, a = s.get("/api/state/%d" % r["id"])
    # p4 hears 0,1,0,0 (three zeros > n/2): decides 0; p1 adopts 0
    c.ok(field(a, 4, "decided") == ("true", "new"), "p4 decides: %s" % (field(a, 4, "decided"),))
    c.ok(field(a, 1, "x") == ("0", "changed"), "p1 adopts 0: %s" % (field(a, 1, "x"),))
    c.ok(field(a, 3, "decided")[0] == "false", "p3 hears 0,1,0,1: no decision")
    st, b = s.post("/api/step", {"from": root["id"]})  # all hear all
    c.ok(st == 200 and b["id"] != r["id"], "a second branch")
    _, bs = s.get("/api/state/%d" % b["id"])
    c.ok(all(field(bs, p, "decided")[0] == "true" for p in range(5)), "all decide")
    _, again = s.post("/api/step", {"from": root["id"], "ho": maj})
    c.ok(again["id"] == r["id"], "the same choice is the same node")
    _, rs = s.get("/api/state/%d" % root["id"])
    c.ok(sorted(rs["children"]) == sorted([r["id"], b["id"]]), "both branches kept")
    # a durable address rebuilds the branch
    _, addr = s.get("/api/resolve?addr=" + a["addr"])
    c.ok(addr["id"] == r["id"], "address %s names the node" % a["addr"])
    _, other = s.get("/api/resolve?addr=run/1,1,1,1,1/1f.1f.1f.1f.1f")
    _, os_ = s.get("/api/state/%d" % other["id"])
    c.ok(field(os_, 2, "decision") == ("1", "changed") and field(os_, 2, "decided") == ("true", "new"),
         "a new start by address decides 1")
    return root["id"]


def crashes(c, s, root):
    """p4 crashes cleanly in round 0: it takes no step and sends nothing after."""
    nobody = [[q for q in range(5) if q != 4] for _ in range(5)]
    _, r = s.post("/api/step", {"from": root, "ho": nobody, "crash": [4]})
    _, st = s.get("/api/state/%d" % r["id"])
    c.ok(st["crashed"] == [4] and st["procs"][4]["crashed"], "p4 crashed")
    c.ok(field(st, 4, "decided")[0] == "false", "a crashed process does not update")
    _, r2 = s.post("/api/step", {"from": r["id"]})
    _, path = s.get("/api/path/%d" % r2["id"])
    senders = {m["from"] for m in path["rounds"][1]["msgs"]}
    c.ok(4 not in senders and len(path["rounds"]) == 2, "no message from p4 after its crash")


def bad_traces(c, s, trace_path):
    """Damaged and foreign traces are refused with what does not match, and
    leave the tree as it was."""
    text = open(trace_path).read()
    _, before = s.get("/api/tree")
    t = json.loads(text)
    cases = [("{", "not JSON"), ('{"format": "x"}', "format is 'x'"),
             (json.dumps(dict(t, algorithm="OTR")), "algorithm OTR, and this explorer runs BrokenOTR"),
             (json.dumps(dict(t, n=4)), "n=4"),
             (json.dumps(dict(t, params=[6])), "parameter n")]
    t2 = json.loads(text)
    t2["rounds"][0]["states"][0]["decided"] = False
    cases.append((json.dumps(t2), "round 0, p0, decided: the trace says false, the replay has true"))
    t3 = json.loads(text)
    t3["rounds"][0]["states"][2]["bogus"] = 1
    cases.append((json.dumps(t3), "field 'bogus'"))
    t4 = json.loads(text)
    t4["inputs"] = [0, 0]
    cases.append((json.dumps(t4), "inputs"))
    for body, want in cases:
        st, r = s.post("/api/trace", body)
        c.ok(st == 400 and want in r.get("error", ""), "trace refused naming %r: %s" % (want, r))
    _, after = s.get("/api/tree")
    c.ok(len(after["nodes"]) == len(before["nodes"]), "refused traces leave no nodes")
    st, r = s.post("/api/trace", text)
    c.ok(st == 200, "the good trace loads again: %s" % r)


def searches(c, s, root):
    st, w = s.post("/api/walk", {"from": root, "walks": 300, "depth": 6, "seed": 3})
    c.ok(st == 200 and w["id"] >= 0 and "found a violation" in w["message"], "walks: %s" % w)
    if w.get("id", -1) >= 0:
        _, ws = s.get("/api/state/%d" % w["id"])
        c.ok(any(not x["holds"] for x in ws["specs"] if x["judged"]), "the walk's end fails a spec")
    st, k = s.post("/api/check", {"depth": 5, "seconds": 20})
    c.ok(st == 200 and k["id"] >= 0 and "VIOLATED: invariant inv" in k["message"], "check: %s" % k)
    # from one state: the counterexample is a branch of that very node
    st, k = s.post("/api/check", {"from": root, "depth": 5, "seconds": 20})
    c.ok(st == 200 and k["id"] >= 0 and "no symmetry" not in k["message"], "check from here: %s" % k)
    if k.get("id", -1) >= 0:
        _, path = s.get("/api/path/%d" % k["id"])
        c.ok(path["root"] == root and len(path["rounds"]) == 1, "found from the node: %s" % path["root"])
        _, ks = s.get("/api/state/%d" % k["id"])
        c.ok(not spec(ks, "inv")["holds"], "it ends where inv fails")
    _, z = s.post("/api/root", {"inputs": [0, 0, 0, 0, 0]})
    st, k = s.post("/api/check", {"from": z["id"], "depth": 4, "seconds": 20})
    c.ok(st == 200 and k["id"] == -1 and "exhausted" in k["message"], "all zeros is safe: %s" % k)


def command_line(c, hoc, src, trace, tmp):
    """Foreign traces and addresses other than loopback stop the command (exit 2)."""
    r = subprocess.run([hoc, "explore", os.path.join(src, "examples/otr.ho"), "--trace", trace,
                        "--port", "0"], capture_output=True, text=True, timeout=60)
    c.ok(r.returncode == 2 and "the trace is of algorithm BrokenOTR, and this explorer runs OTR"
         in r.stderr, "foreign trace: %d %s" % (r.returncode, r.stderr))
    r = subprocess.run([hoc, "explore", os.path.join(src, "tests/sim/broken_otr.ho"), "-n", "3",
                        "--bind", "0.0.0.0", "--port", "0"], capture_output=True, text=True,
                       timeout=60)
    c.ok(r.returncode == 2 and "not a loopback address" in r.stderr, "0.0.0.0 refused: %s" % r.stderr)


def standin_note(c, hoc, src):
    """An algorithm that indexes a block it is handed as a stand-in gets hoc
    sim's and hoc check's note after the URL (docs/checker.md, "Blocks as
    stand-ins")."""
    s = Server(hoc, [os.path.join(src, "tests/check/standin/byte_read.ho"), "-n", "2"])
    s.stop()
    out = s.proc.stdout.read()
    c.ok("note: " in out and "byte_read.ho:9: indexes a block" in out and
         "the blocks were stand-ins (an integer's bytes, then zeros), so this run says nothing "
         "of other blocks" in out, "stand-in note: %r" % out)


def html_pages(c, hoc, src, tmp):
    """hoc check --html and hoc sim --html: the run, with the same documents."""
    page = os.path.join(tmp, "check.html")
    r = subprocess.run([hoc, "check", os.path.join(src, "tests/sim/broken_otr.ho"), "-n", "5",
                        "--html", page, "--quiet"], capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 1, "check --html keeps the verdict's exit status")
    b = page_bundle(page)
    st = b["docs"]["/api/state/%d" % b["focus"]]
    c.ok(not spec(st, "inv")["holds"], "the check page ends where inv fails")
    c.ok("http" not in open(page).read().replace("http://www.w3.org/2000/svg", ""),
         "the page fetches nothing")
    # OTR with losses; Ben-Or with crashes and its coin (an oracle)
    for ex, args in [("otr", ["-n", "4", "--drop", "0.4", "--seed", "7", "--rounds", "8"]),
                     ("benor", ["-n", "5", "--crash", "2", "--drop", "0.3", "--seed", "3"])]:
        page = os.path.join(tmp, ex + ".html")
        r = subprocess.run([hoc, "sim", os.path.join(src, "examples", ex + ".ho")] + args +
                           ["--html", page], capture_output=True, text=True, timeout=120)
        c.ok(r.returncode == 0, "sim --html: %s" % r.stderr)
        b = page_bundle(page)
        path = b["docs"]["/api/path/%d" % b["focus"]]
        seen = {(o["p"], o["name"], o["value"], rd["round"]) for rd in path["rounds"]
                for o in rd["outputs"]}
        want = sim_outputs(r.stdout)
        c.ok(want and seen == want, "%s: the page's outputs are the simulator's: %s vs %s" %
             (ex, seen, want))
        crashed = {int(p) for p in re.findall(r"^p(\d+): \(crashed", r.stdout, re.M)}
        c.ok(set(path["rounds"][-1]["crashed"]) == crashed, "%s: the same crashes" % ex)


def trace_values(t, rnd, p):
    """A trace's state of p after round rnd as the page shows values."""
    out = {}
    for k, v in t["rounds"][rnd]["states"][p].items():
        out[k] = "true" if v is True else "false" if v is False else str(v)
    return out


def page_matches_trace(c, what, b, t):
    """Every round of the page's run holds the trace's states, field by field."""
    path = b["docs"]["/api/path/%d" % b["focus"]]
    c.ok(len(path["rounds"]) == len(t["rounds"]), "%s: %d rounds" % (what, len(path["rounds"])))
    for rnd, pr in enumerate(path["rounds"]):
        st = b["docs"]["/api/state/%d" % pr["id"]]
        for p in range(t["n"]):
            want = trace_values(t, rnd, p)
            got = {f["name"]: f["value"] for f in st["procs"][p]["fields"]}
            c.ok(all(got.get(k) == v for k, v in want.items() if k != "hoc_halted"),
                 "%s: round %d, p%d: page %s, trace %s" % (what, rnd, p, got, want))
    return path


def env_pages(c, hoc, src, tmp):
    """Traces where the environment acts: hoc check --html of them (it used
    to refuse its own trace: the replay ignored the events), hoc explore
    --trace, and hoc sim --html with random events."""
    ho = os.path.join(src, "tests/sim/env_block.ho")
    trace, page = os.path.join(tmp, "env.json"), os.path.join(tmp, "env.html")
    r = subprocess.run([hoc, "check", ho, "-n", "2", "--events", "1", "--replace", "1", "--skip",
                        "unfilled", "--trace", trace, "--html", page, "--quiet"],
                       capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 1, "env: check --html exit %d: %s" % (r.returncode, r.stderr))
    t = json.load(open(trace))
    ev = t["rounds"][0]["env"]
    c.ok(ev[0][0] == 1 and ev[0][1][0] == 0 and ev[1] == [0], "env: the trace's env %s" % ev)
    b = page_bundle(page)
    path = page_matches_trace(c, "env", b, t)
    c.ok(path["rounds"][0]["env"] == [{"p": 0, "replaced": True, "events": ["write(%d)" % ev[0][1][1]]}],
         "env: the page says p0 was replaced and written: %s" % path["rounds"][0]["env"])
    st = b["docs"]["/api/state/%d" % b["focus"]]
    c.ok(not spec(st, "fresh")["holds"] and spec(st, "fresh")["blame"] == [0], "env: fresh broken by p0")
    c.ok(field(st, 0, "blk") == ("0x%02x" % ev[0][1][1], "changed"), "env: p0's block %s" %
         (field(st, 0, "blk"),))
    c.ok(st["addr"] is None, "env: a run with events has no run/ address: %s" % st["addr"])
    s = Server(hoc, [ho, "--trace", trace])
    try:
        _, f = s.get("/api/focus")
        _, p = s.get("/api/path/%d" % f["id"])
        c.ok(p["rounds"][0]["env"] == path["rounds"][0]["env"], "env: hoc explore --trace replays it")
        bad = dict(t)
        bad["rounds"] = [dict(t["rounds"][0], env=[[0, [0, 9]], [0]])]
        st_, r = s.post("/api/trace", json.dumps(bad))
        c.ok(st_ == 400 and "round 0, p0: the trace's env does not fit EnvBlock's events" in
             r.get("error", ""), "env: an event outside its range is refused: %s %s" % (st_, r))
        bad["rounds"] = [dict(t["rounds"][0], states=[dict(t["rounds"][0]["states"][0],
                                                            blk=t["rounds"][0]["states"][0]["blk"] + "00000009"),
                                                       t["rounds"][0]["states"][1]])]
        st_, r = s.post("/api/trace", json.dumps(bad))
        c.ok(st_ == 400 and "round 0, p0, blk[4]: the trace says 0x09, the replay has 0x00" in
             r.get("error", ""), "env: a block that differs is refused: %s %s" % (st_, r))
    finally:
        s.stop()

    # the seeded bug of tests/events/run.sh: write(2) keeps the version
    src_ho = open(os.path.join(src, "tests/events/breg.ho")).read()
    reuse = os.path.join(tmp, "reuse.ho")
    open(reuse, "w").write(src_ho.replace("      ver = ver + 1;",
                                          "      if (v[0] != 2) { ver = ver + 1; }"))
    trace, page = os.path.join(tmp, "reuse.json"), os.path.join(tmp, "reuse.html")
    r = subprocess.run([hoc, "check", reuse, "-n", "3", "--events", "2", "--trace", trace,
                        "--html", page, "--quiet"], capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 1, "breg: check --html exit %d: %s" % (r.returncode, r.stderr))
    if r.returncode == 1:
        path = page_matches_trace(c, "breg", page_bundle(page), json.load(open(trace)))
        c.ok({"p": 0, "replaced": False, "events": ["write(2)"]} in path["rounds"][-1]["env"],
             "breg: write(2) shown: %s" % path["rounds"][-1]["env"])

    # hoc sim --html with random events: wrote() is output by the event's
    # handler, so the page has the simulator's outputs only if it replays them
    page = os.path.join(tmp, "bregsim.html")
    r = subprocess.run([hoc, "sim", os.path.join(src, "tests/events/breg.ho"), "-n", "3", "--events",
                        "0.5", "--rounds", "20", "--seed", "2", "--html", page],
                       capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 0, "breg: sim --html: %s" % r.stderr)
    b = page_bundle(page)
    path = b["docs"]["/api/path/%d" % b["focus"]]
    seen = {(o["p"], o["name"], rd["round"]) for rd in path["rounds"] for o in rd["outputs"]}
    want = {(p, name, rnd) for p, name, _, rnd in sim_outputs(r.stdout)}
    c.ok(want and seen == want, "breg: the page's outputs are the simulator's: %s vs %s" % (seen, want))


def block_tail(c, hoc, tmp):
    """A block whose last byte changes past the 32 bytes a cell shows: the
    text stays the same, the cell says it changed all the same."""
    ho = os.path.join(tmp, "tail.ho")
    open(ho, "w").write("const K = 40;\nalgorithm Tail {\n  var blk: bytes[K];\n"
                        "  round { update { blk[K - 1] = blk[K - 1] + 1; } }\n}\n")
    page = os.path.join(tmp, "tail.html")
    r = subprocess.run([hoc, "sim", ho, "-n", "1", "--rounds", "2", "--html", page],
                       capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 0, "tail: sim --html: %s" % r.stderr)
    b = page_bundle(page)
    st = b["docs"]["/api/state/%d" % b["focus"]]
    before = b["docs"]["/api/state/%d" % st["parent"]]
    c.ok(field(before, 0, "blk")[0] == field(st, 0, "blk")[0] == "0x" + "00" * 32 + "\u2026(+8 bytes)",
         "tail: the same text: %s" % (field(st, 0, "blk"),))
    c.ok(field(st, 0, "blk")[1] == "changed", "tail: the block changed: %s" % (field(st, 0, "blk"),))


def tutorial_story(c, hoc, src, tmp):
    """What docs/tutorial.md tells a new user the page shows for Majority."""
    ho = os.path.join(src, "tests/docs/majority.ho")
    trace = os.path.join(tmp, "majority.json")
    subprocess.run([hoc, "check", ho, "-n", "5", "--threads", "1", "--trace", trace],
                   capture_output=True, timeout=120)
    s = Server(hoc, [ho, "--trace", trace])
    try:
        _, f = s.get("/api/focus")
        _, last = s.get("/api/state/%d" % f["id"])
        c.ok(spec(last, "agreement")["blame"] == [0], "tutorial: agreement broken by p0's step")
        c.ok(field(last, 0, "decided")[1] == "new" and field(last, 0, "decision") == ("1", "changed"),
             "tutorial: p0's decided new, decision changed to 1")
        before = last["parent"]
        _, b = s.get("/api/state/%d" % before)
        c.ok([field(b, p, "x")[0] for p in range(5)] == ["1", "0", "0", "1", "1"] and
             field(b, 1, "decided")[0] == "true", "tutorial: after round 0, p1 decided 0, x = 1,0,0,1,1")
        _, r = s.post("/api/step", {"from": before, "ho": [[1, 2, 3]] * 5})
        _, br = s.get("/api/state/%d" % r["id"])
        c.ok(spec(br, "agreement")["holds"] and all(field(br, p, "x")[0] == "0" for p in range(5)),
             "tutorial: hearing 1,2,3 everybody adopts 0")
        _, k = s.post("/api/check", {"from": before, "depth": 30, "seconds": 10})
        _, ks = s.get("/api/state/%d" % k["id"])
        _, kids = s.get("/api/state/%d" % before)
        c.ok(not spec(ks, "agreement")["holds"] and len(kids["children"]) == 3,
             "tutorial: hoc check from here adds a third branch breaking agreement")
    finally:
        s.stop()


def unjudgeable(c, hoc, tmp):
    """A spec whose int quantifier's range passes the drivers' cap (2^20)
    after one round: the requests that judge it there are answered with an
    error, never a verdict, and the server serves on (docs/explore.md)."""
    ho = os.path.join(tmp, "wide.ho")
    open(ho, "w").write("algorithm Wide {\n  var big: int = 0;\n"
                        "  round { update { big = 4194304; } }\n"
                        "  invariant wide: forall k: int. 0 <= k && k < big[0] ==> k != -1;\n}\n")
    s = Server(hoc, [ho, "-n", "2"])
    try:
        _, f = s.get("/api/focus")
        st, root = s.get("/api/state/%d" % f["id"])
        c.ok(st == 200 and spec(root, "wide")["holds"], "wide: judged at the start: %s" % st)
        st, r = s.post("/api/step", {"from": f["id"]})
        c.ok(st == 200, "wide: step: %s" % r)
        st, e = s.get("/api/state/%d" % r["id"])
        c.ok(st == 422 and "more than 1048576 ints: the spec cannot be judged" in e.get("error", ""),
             "wide: after the round, an error: %s %s" % (st, e))
        st, k = s.post("/api/check", {"from": f["id"], "depth": 3, "seconds": 10})
        c.ok(st == 422 and "cannot be judged" in k.get("error", ""), "wide: check: %s %s" % (st, k))
        st, again = s.get("/api/state/%d" % f["id"])
        c.ok(st == 200 and s.alive(), "wide: the server serves on: %s" % st)
    finally:
        s.stop()


def main():
    hoc, src = sys.argv[1], sys.argv[2]
    c, tmp = Checks(), tmpdir()
    trace = make_trace(hoc, os.path.join(src, "tests/sim/broken_otr.ho"), 5,
                       os.path.join(tmp, "bad.json"))
    s = Server(hoc, [os.path.join(src, "tests/sim/broken_otr.ho"), "--trace", trace])
    try:
        trace_opened(c, s)
        root = steps_and_branches(c, s)
        crashes(c, s, root)
        bad_traces(c, s, trace)
        searches(c, s, root)
    finally:
        rc = s.stop()
    c.ok(rc == 0, "SIGTERM ends the server with exit 0 (%s)" % rc)
    c.ok("note:" not in s.proc.stdout.read(), "no stand-in note without blocks")
    standin_note(c, hoc, src)
    command_line(c, hoc, src, trace, tmp)
    html_pages(c, hoc, src, tmp)
    env_pages(c, hoc, src, tmp)
    block_tail(c, hoc, tmp)
    tutorial_story(c, hoc, src, tmp)
    unjudgeable(c, hoc, tmp)
    return c.done("explore-api")


if __name__ == "__main__":
    sys.exit(main())
