#!/usr/bin/env python3
"""hoc explore in a real browser (Debian's headless Chromium, over the
DevTools protocol): open a hoc check counterexample, read the fields and
verdicts the page shows, step back with the keyboard, branch twice with the
heard-of matrix and its shortcuts, follow a shared #/run/... address, open a
damaged trace through the file input, and read hoc check --html's page,
and the page of a counterexample with a replacement and an event (the
environment's mark in the diagram and the round's summary, the block).
Skips (exit 77) with a message when Chromium cannot run.

usage: browser_test.py HOC SOURCE_DIR"""
import json
import os
import subprocess
import sys

from cdp import Browser, Unavailable
from xserver import Checks, Server, make_trace, tmpdir

SKIP = 77


def cell(p, f):
    return "document.querySelector('#state td[data-p=\"%d\"][data-f=\"%s\"]')" % (p, f)


def shown(b, expect=None):
    """Waits until the page has shown a state (not expect when given); its id."""
    cond = "document.body.dataset.shown !== undefined"
    if expect is not None:
        cond += " && document.body.dataset.shown !== '%s'" % expect
    v = b.wait("(%s) && document.body.dataset.shown" % cond)
    return int(v) if v is not None else None


def counterexample(c, b, s):
    b.goto(s.url)
    first = shown(b)
    c.ok(first is not None, "the page shows a state")
    c.ok(b.eval("document.getElementById('algo-name').textContent") == "BrokenOTR", "algorithm name")
    c.ok(b.eval(cell(0, "decided") + ".textContent") == "true", "p0 decided")
    c.ok(b.eval(cell(0, "decided") + ".dataset.change") == "new", "p0's decided is new")
    c.ok(b.eval("document.querySelector('#state th.ghost').dataset.f") == "decision", "ghost marked")
    c.ok(b.eval("document.querySelector('#specs li[data-spec=\"inv\"]').dataset.holds") == "false",
         "inv fails")
    c.ok(b.eval("document.querySelector('#specs li[data-spec=\"inv\"] .blame').dataset.blame") == "0",
         "inv broken by p0")
    c.ok(b.eval("document.querySelector('#specs li[data-spec=\"agreement\"]').dataset.holds") == "true",
         "agreement holds")
    lost = b.eval("document.querySelectorAll('#diagram line.lost').length")
    c.ok(lost == 6, "six lost messages drawn: %s" % lost)
    return first


def branch(c, b, first):
    """Back to the trace's start, then two branches from it."""
    b.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft'}))")
    root = shown(b, first)
    c.ok(root is not None and b.eval(cell(0, "decided") + ".textContent") == "false",
         "← goes back to the start")
    b.eval("document.getElementById('majority').value = '0,1,2'")
    b.eval("document.getElementById('btn-majority').click()")
    c.ok(b.eval("document.getElementById('ho-4-3').checked") is False and
         b.eval("document.getElementById('ho-4-2').checked") is True, "the majority shortcut")
    b.eval("document.getElementById('btn-step').click()")
    one = shown(b, root)
    # the trace's inputs are 0,0,0,1,1: everyone hears three zeros and decides 0
    c.ok(one is not None and all(b.eval(cell(p, "decided") + ".textContent") == "true" for p in range(5)),
         "after a majority round of zeros everybody decides")
    c.ok(b.eval(cell(3, "x") + ".dataset.change") == "changed", "p3's x changed")
    h = b.eval("location.hash")
    c.ok(h.startswith("#/run/0,0,0,1,1/7.7.7.f.17"), "the address of the state: %s" % h)
    b.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'h'}))")
    c.ok(shown(b, one) == root, "h goes back")
    b.eval("document.getElementById('btn-crash-0').click()")
    b.eval("document.getElementById('btn-step').click()")
    two = shown(b, root)
    c.ok(two is not None and two != one, "a second branch")
    c.ok(b.eval(cell(0, "status") + ".textContent") == "crashed", "p0 crashed")
    kids = b.eval("document.querySelectorAll('#tree li[data-id=\"%d\"] > ul > li').length" % root)
    c.ok(kids == 3, "the start has three branches in the tree (trace, two steps): %s" % kids)
    return h, one


def shared_address(c, b, s, h):
    b.goto("about:blank")
    b.goto(s.url + h)
    got = shown(b)
    c.ok(got is not None and b.eval("location.hash") == h and
         b.eval(cell(4, "decided") + ".textContent") == "true", "a shared address opens its state")


def damaged_trace(c, b, trace, tmp):
    t = json.load(open(trace))
    t["rounds"][0]["states"][1]["x"] = 1
    bad = os.path.join(tmp, "damaged.json")
    json.dump(t, open(bad, "w"))
    b.set_file("#trace-file", bad)
    err = b.wait("document.getElementById('error').textContent")
    c.ok(err and "round 0, p1, x: the trace says 1, the replay has 0" in err, "damaged: %s" % err)


def static_page(c, b, hoc, src, tmp):
    page = os.path.join(tmp, "check.html")
    subprocess.run([hoc, "check", os.path.join(src, "tests/sim/broken_otr.ho"), "-n", "5",
                    "--html", page, "--quiet"], capture_output=True, timeout=120)
    b.goto("file://" + page)
    c.ok(shown(b) is not None, "the --html page shows a state")
    c.ok(b.eval("document.body.classList.contains('readonly')"), "read-only")
    c.ok(b.eval("document.querySelector('#specs li[data-spec=\"inv\"]').dataset.holds") == "false",
         "the page shows inv failing")
    b.eval("document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowLeft'}))")
    c.ok(b.wait("document.querySelector('#specs li[data-spec=\"inv\"]').dataset.holds === 'true'"),
         "stepping back works offline")


def events_page(c, b, hoc, src, tmp):
    """hoc check --html of a trace where p0 is replaced and written in round 0
    (tests/sim/env_block.ho): the page shows what the environment did."""
    page = os.path.join(tmp, "env.html")
    r = subprocess.run([hoc, "check", os.path.join(src, "tests/sim/env_block.ho"), "-n", "2",
                        "--events", "1", "--replace", "1", "--skip", "unfilled", "--html", page,
                        "--quiet"], capture_output=True, text=True, timeout=120)
    c.ok(r.returncode == 1, "env: check --html exit %d: %s" % (r.returncode, r.stderr))
    b.goto("file://" + page)
    c.ok(shown(b) is not None, "env: the page shows a state")
    c.ok(b.eval("document.querySelector('#specs li[data-spec=\"fresh\"]').dataset.holds") == "false",
         "env: fresh fails")
    mark = b.eval("(document.querySelector('#diagram .env[data-p=\"0\"][data-round=\"0\"]') || {}).textContent")
    c.ok(mark and "replaced, write(" in mark, "env: the diagram marks p0's replacement and write: %s" % mark)
    c.ok(b.eval("document.querySelectorAll('#diagram .env').length") == 1, "env: one mark, p0's")
    summary = b.eval("document.getElementById('outputs').textContent")
    c.ok(summary and "environment: p0 replaced, write(" in summary, "env: the round's summary: %s" % summary)
    blk = b.eval(cell(0, "blk") + ".textContent")
    c.ok(blk in ("0x01", "0x02"), "env: p0's block is shown: %s" % blk)


def main():
    hoc, src = sys.argv[1], sys.argv[2]
    c, tmp = Checks(), tmpdir()
    try:
        b = Browser()
    except Unavailable as e:
        print("SKIP: the browser test needs a headless Chromium that runs: %s" % e)
        return SKIP
    trace = make_trace(hoc, os.path.join(src, "tests/sim/broken_otr.ho"), 5,
                       os.path.join(tmp, "bad.json"))
    s = Server(hoc, [os.path.join(src, "tests/sim/broken_otr.ho"), "--trace", trace])
    try:
        b.call("Page.enable")
        first = counterexample(c, b, s)
        h, _ = branch(c, b, first)
        shared_address(c, b, s, h)
        damaged_trace(c, b, trace, tmp)
        static_page(c, b, hoc, src, tmp)
        events_page(c, b, hoc, src, tmp)
    finally:
        b.close()
        s.stop()
    return c.done("explore-browser")


if __name__ == "__main__":
    sys.exit(main())
