#!/usr/bin/env python3
"""Tests of the `amalgam` command (docs/deploy.md).

usage: run.py AMALGAM bad DIR     every DIR/*.cluster is malformed: its first line is
                                  "# expect: LINE: TEXT"; check-cluster must exit 2 with
                                  "FILE:LINE: ...TEXT..." (LINE 0: "FILE: ...", no line)
       run.py AMALGAM good DIR    every DIR/*.cluster parses (exit 0) and its output holds
                                  each "# expect-out: TEXT" line of the file
       run.py AMALGAM mttdl DIR   the thesis' worked example (section 3.5), --cluster on
                                  DIR/../good and DIR/../bad files, and bad arguments
       run.py AMALGAM docs FILE   the cluster file shown first in FILE (docs/deploy.md) parses
       run.py AMALGAM cli DIR     --help, unknown commands, check-cluster --machine on
                                  DIR/fig34.cluster (the thesis' figure 3.4)
"""
import glob
import math
import os
import re
import subprocess
import sys

failures = []


def run(amalgam, args):
    p = subprocess.run([amalgam] + args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def bad(amalgam, folder):
    files = sorted(glob.glob(os.path.join(folder, "*.cluster")))
    check(len(files) >= 30, f"{len(files)} malformed cluster files")
    for path in files:
        with open(path, "rb") as f:
            m = re.match(rb"# expect: (\d+): (.*)\n", f.readline())
        if not m:
            check(False, f"{path}: no '# expect: LINE: TEXT' first line")
            continue
        line, text = int(m.group(1)), m.group(2).decode()
        rc, out, err = run(amalgam, ["check-cluster", path])
        where = f"{path}:{line}: " if line else f"{path}: "
        first = err.splitlines()[0] if err else ""
        ok = rc == 2 and out == "" and first.startswith("amalgam: " + where) and text in first
        if line == 0:  # a mistake of the whole file names no line
            ok = ok and not re.match(r"amalgam: " + re.escape(path) + r":\d", first)
        check(ok, f"{os.path.basename(path)}: exit {rc}, '{first}'")


def good(amalgam, folder):
    files = sorted(glob.glob(os.path.join(folder, "*.cluster")))
    check(len(files) >= 2, f"{len(files)} good cluster files")
    for path in files:
        with open(path) as f:
            want = [l[len("# expect-out: "):].rstrip("\n") for l in f if l.startswith("# expect-out: ")]
        rc, out, err = run(amalgam, ["check-cluster", path])
        check(rc == 0 and err == "", f"{os.path.basename(path)}: exit {rc} {err.strip()}")
        check(len(want) > 0, f"{os.path.basename(path)}: has expect-out lines")
        for w in want:
            check(w in out, f"{os.path.basename(path)}: output has '{w}'")


def years(out):
    m = re.search(r"^MTTDL: ([0-9.e+]+) years", out, re.M)
    return float(m.group(1)) if m else None


def round_sig(x, digits):
    """x rounded to `digits` significant figures, as the thesis writes 1,300 and 6."""
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def burkhard_menon(mttf, mttr, groups, n, f):
    """The thesis' line 606, written again here from the text as the oracle."""
    return mttf / (groups * (n - f) * math.comb(n, n - f)) * (mttf / mttr) ** f


def mttdl_cluster(amalgam, folder):
    good = os.path.join(folder, "good", "fig33.cluster")
    # fig33: g 3, f 2 on 5 machines (full width), 640 stripes of 4 KiB: a machine holds
    # 640 / 5 * (3 + 2) blocks; rebuilt at 1 MB/s, plus one hour to replace it
    mttr = 640 // 5 * 5 * 4096 / 1e6 / 3600 + 1
    want = burkhard_menon(8766, mttr, 1, 5, 2) / 8766
    rc, out, _ = run(amalgam, ["mttdl", "--cluster", good, "--mttf", "1y", "--rebuild-rate", "1",
                               "--replace-time", "1h"])
    y = years(out)
    check(rc == 0 and y is not None and abs(y - want) / want < 0.005,
          f"mttdl --cluster fig33.cluster: {y} years, {want:.1f} by the formula")
    # fig34 has two witnesses: 7 machines, so 7 windows of g + f = 5
    fig34 = os.path.join(folder, "good", "fig34.cluster")
    want = burkhard_menon(8766, 10, 7, 5, 2) / 8766
    rc, out, _ = run(amalgam, ["mttdl", "--cluster", fig34, "--mttf", "1y", "--mttr", "10h",
                               "--recovery", "parallel"])
    y = years(out)
    check(rc == 0 and y is not None and abs(y - want) / want < 0.005 and "on 7 machines (rotated" in out,
          f"mttdl --cluster fig34.cluster: {y} years, {want:.1f} by the formula (7 windows)")
    bad = os.path.join(folder, "bad", "g-zero.cluster")
    rc, out, err = run(amalgam, ["mttdl", "--cluster", bad, "--mttf", "1y", "--mttr", "10h"])
    check(rc == 2 and f"{bad}:2: g takes a number" in err, "mttdl --cluster of a bad file names its line")
    rc, out, err = run(amalgam, ["mttdl", "--cluster", good, "--g", "3", "--mttf", "1y", "--mttr", "10h"])
    check(rc == 2 and "drop them" in err, "mttdl --cluster with --g exits 2")
    rc, out, err = run(amalgam, ["mttdl", "--cluster", good, "--mttf", "1y", "--mttr", "10h",
                                 "--replace-time", "1h"])
    check(rc == 2 and "--mttr is the whole MTTR" in err, "mttdl --replace-time with --mttr exits 2")


def mttdl(amalgam, folder):
    # Thesis section 3.5: MTTF 1 year, 256 TB a server over 40 Gbps (MTTR about 14 hours).
    common = ["--mttf", "1y", "--capacity", "256TB", "--link-gbps", "40"]
    cases = [
        (["--system", "sharded", "--g", "10", "--f", "2"], 1300, 2, "ShardedPaxos 10 groups of 5"),
        (["--system", "amalgam", "--g", "10", "--f", "2"], 6, 1, "Amalgam 10 + 2, naive"),
        (["--system", "amalgam", "--g", "10", "--f", "4"], 1400, 2, "Amalgam 10 + 4, naive"),
    ]
    for args, want, sig, what in cases:
        rc, out, err = run(amalgam, ["mttdl"] + args + common)
        y = years(out)
        check(rc == 0 and y is not None and round_sig(y, sig) == want,
              f"mttdl {what}: {y} years, about {want} as the thesis says")
    rc, out, _ = run(amalgam, ["mttdl", "--system", "sharded", "--g", "10", "--f", "2"] + common)
    check(re.search(r"^MTTR: 14\.2\d hours", out, re.M) is not None, "mttdl: the thesis' MTTR of about 14 hours")
    # The same inputs given as an MTTR; a measured rebuild rate is the MTTR itself (no x g).
    rc, out, _ = run(amalgam, ["mttdl", "--system", "sharded", "--g", "10", "--f", "2", "--mttf", "8766h",
                               "--mttr", "14.2222h"])
    check(rc == 0 and round_sig(years(out), 4) == round_sig(years(run(amalgam, ["mttdl", "--system", "sharded",
          "--g", "10", "--f", "2"] + common)[1]), 4), "mttdl: --mttr 14.2222h equals 256TB over 40 Gbps")
    rc, out, _ = run(amalgam, ["mttdl", "--system", "amalgam", "--g", "10", "--f", "2", "--mttf", "1y",
                               "--capacity", "256TB", "--rebuild-rate", "5000"])
    check(rc == 0 and re.search(r"^MTTR: 14\.2\d hours", out, re.M) is not None
          and round_sig(years(out), 2) == 580, f"mttdl: --rebuild-rate 5000 MB/s is a 14.2 h MTTR ({years(out)} years)")
    # Rotated over more machines: more windows that can lose data, a lower MTTDL.
    rc, out, _ = run(amalgam, ["mttdl", "--system", "amalgam", "--g", "10", "--f", "2", "--machines", "24"] + common)
    check(rc == 0 and abs(years(out) * 24 - 5.756) < 0.01, f"mttdl: 24 machines, 24 windows ({years(out)} years)")
    bad_args = [
        (["--system", "raid", "--g", "10", "--f", "2"] + common, "--system takes sharded or amalgam"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "1", "--mttr", "14h"], "--mttf takes a duration"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "1y"], "give one of --mttr"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "1y", "--mttr", "1h", "--link-gbps", "4"],
         "give one of --mttr"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "1y", "--link-gbps", "4"], "--capacity takes a size"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "1y", "--capacity", "2XB", "--link-gbps", "4"],
         "--capacity takes a size"),
        (["--system", "sharded", "--g", "0", "--f", "2"] + common, "--g"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--recovery", "parallel"] + common, "for --system amalgam"),
        (["--system", "amalgam", "--g", "10", "--f", "2", "--recovery", "fast"] + common, "naive or parallel"),
        (["--system", "amalgam", "--g", "10", "--f", "2", "--machines", "5"] + common, "fewer than g + f"),
        (["--system", "amalgam", "--g", "10", "--f", "2", "--mttf", "1y", "--capacity", "1TB", "--rebuild-rate",
          "100", "--recovery", "naive"], "drop one"),
        (["--g", "10", "--f", "2"] + common, "are required"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--mttf", "-1y", "--mttr", "1h"], "--mttf takes a duration"),
        (["--system", "sharded", "--g", "10", "--f", "2", "--bogus"] + common, "--bogus"),
    ]
    for args, text in bad_args:
        rc, out, err = run(amalgam, ["mttdl"] + args)
        check(rc == 2 and text in err and "MTTDL" not in out, f"mttdl {' '.join(args[:8])}: exit {rc}, says '{text}'")


def cli(amalgam, folder):
    rc, out, _ = run(amalgam, ["--help"])
    check(rc == 0 and "check-cluster" in out and "mttdl" in out, "--help lists the commands")
    rc, _, err = run(amalgam, ["frobnicate"])
    check(rc == 2 and "unknown command 'frobnicate'" in err, "an unknown command exits 2")
    rc, _, err = run(amalgam, [])
    check(rc == 2 and "usage" in err, "no command exits 2 with the usage")
    rc, _, err = run(amalgam, ["check-cluster"])
    check(rc == 2 and "expected one cluster file" in err, "check-cluster without a file exits 2")
    rc, _, err = run(amalgam, ["check-cluster", "/nonexistent/x.cluster"])
    check(rc == 2 and "cannot open" in err, "check-cluster of a missing file exits 2")
    rc, out, _ = run(amalgam, ["mttdl", "--help"])
    check(rc == 0 and "--rebuild-rate" in out, "mttdl --help lists its options")
    # Figure 3.4's first column, machine 0: d1,1 d2,2 d3,3 p4,1 p5,2 w w (1-based in the thesis).
    fig34 = os.path.join(folder, "fig34.cluster")
    rc, out, err = run(amalgam, ["check-cluster", fig34, "--machine", "0"])
    for want in ["data server (port 7000): class 0 pid 0 (d0), class 1 pid 1 (d1), class 2 pid 2 (d2)\n",
                 "parity server (port 7007): class 3 pid 3 (p0), class 4 pid 4 (p1)\n",
                 "witness server (port 7014): class 5 pid 5 (w0), class 6 pid 6 (w1)\n"]:
        check(rc == 0 and want in out, f"check-cluster --machine 0: '{want.strip()}'")
    rc, out, err = run(amalgam, ["check-cluster", fig34, "--machine", "7"])
    check(rc == 2 and "has machines 0 to 6" in err, "check-cluster --machine 7 of 7 machines exits 2")


def docs(amalgam, page):
    """The example of docs/deploy.md's "The cluster file" section is a valid cluster file."""
    import tempfile
    text = open(page).read()
    section = text[text.index("## The cluster file"):]
    example = section[section.index("```\n") + 4:]
    example = example[:example.index("```")]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "example.cluster")
        with open(path, "w") as f:
            f.write(example)
        with open(os.path.join(tmp, "cluster.key"), "w") as f:
            f.write("a secret for the docs example\n")
        rc, out, err = run(amalgam, ["check-cluster", path])
    check(rc == 0 and "on 5 machines" in out and "3 replicas" in out,
          f"docs/deploy.md's example cluster file parses: exit {rc} {err.strip()}")
    # Every "$ amalgam ..." block of the page prints what the page shows (run from the
    # source root, where the page's paths are).
    root = os.path.dirname(os.path.dirname(os.path.abspath(page)))
    shown = re.findall(r"```\n\$ amalgam ([^\n]*)\n(.*?)```", text, re.S)
    check(len(shown) >= 3, f"{len(shown)} amalgam commands shown in the page")
    for cmd, want in shown:
        p = subprocess.run([os.path.abspath(amalgam)] + cmd.split(), capture_output=True, text=True,
                           timeout=60, cwd=root)
        check(p.returncode == 0 and p.stdout == want, f"the page's 'amalgam {cmd}' prints what it shows"
              + ("" if p.stdout == want else f":\n{p.stdout}"))


def main():
    amalgam, what = sys.argv[1], sys.argv[2]
    if what == "bad":
        bad(amalgam, sys.argv[3])
    elif what == "good":
        good(amalgam, sys.argv[3])
    elif what == "mttdl":
        mttdl(amalgam, sys.argv[3])
        mttdl_cluster(amalgam, sys.argv[3])
    elif what == "docs":
        docs(amalgam, sys.argv[3])
    elif what == "cli":
        cli(amalgam, sys.argv[3])
    else:
        sys.exit("unknown suite " + what)
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


main()
