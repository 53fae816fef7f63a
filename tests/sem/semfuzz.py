#!/usr/bin/env python3
"""semfuzz.py: the differential test of hoc verify's encoding against the
generated C (docs/verifier.md, "Differential testing").

  semfuzz.py SEMDIFF --ctest [--programs P]     the ctest sem-diff: replays
      tests/sem/regress/ against known.txt, then a fixed-seed budget of random
      programs with the open classes kept safe; fails on any other mismatch.
  semfuzz.py SEMDIFF --seconds T [--seed S]      make fuzz-sem: random programs
      with every class risky until T seconds are spent; classifies each
      mismatch, writes reproducers, prints cases/s and the findings.

A mismatch is classified by rendering the same program and case with a known
class made safe (gen.py): if the mismatch goes away, that class is a cause;
if it stays with every known class safe, it is a NEW finding, minimized
(statements and specs removed while it stays) and written to --out.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- running semdiff ----
class Outcome:
    """What semdiff said about one file: per case verdicts, or why it could not."""

    def __init__(self, status, cases=None, error=""):
        self.status = status  # ok, rejected (not a valid program), cfail (C compiler), crash
        self.cases = cases or []
        self.error = error


CASE_TIMEOUT_MS = 8000  # a case Z3 cannot settle in this is "unknown", not a finding


def run_semdiff(semdiff, text, tmpdir, timeout=300, name="prog.ho"):
    path = os.path.join(tmpdir, name)
    with open(path, "w") as f:
        f.write(text)
    try:
        p = subprocess.run([semdiff, path, "--json", "--timeout", str(CASE_TIMEOUT_MS)],
                           capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return Outcome("crash", error="semdiff timed out after %ds" % timeout)
    cases = []
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            cases.append(json.loads(line))
    if p.returncode in (0, 1):
        return Outcome("ok", cases)
    err = p.stderr.strip()
    if p.returncode == 2 and "C compiler failed" in err:
        return Outcome("cfail", cases, err)
    if p.returncode == 2:
        return Outcome("rejected", cases, err)
    return Outcome("crash", cases, "exit %d: %s" % (p.returncode, err[-2000:]))


def mismatches(out):
    return [c for c in out.cases if c["verdict"] == "mismatch"]


# ---- the known classes ----
def read_known(path):
    """known.txt: `CLASS FILE` lines; returns {file: class} (class a number or a name)."""
    known = {}
    if not os.path.exists(path):
        return known
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cls, fname = line.split(None, 1)
        known[fname.strip()] = cls
    return known


def open_classes(known):
    """The generator's class names of the classes known.txt still lists."""
    out = set()
    for cls in known.values():
        if cls.isdigit() and int(cls) in gen.CLASS_NAMES:
            out.add(gen.CLASS_NAMES[int(cls)])
        elif cls in gen.CLASSES:
            out.add(cls)
    return out


# ---- classification and minimization ----
def program_with(prog, case, safe):
    return prog.render(safe) + case.render(safe)


def still_mismatches(args, prog, case, safe, tmpdir):
    safe = frozenset(safe) | getattr(args, "safe", frozenset())  # the run's own safe classes too
    out = run_semdiff(args.semdiff, program_with(prog, case, safe), tmpdir)
    return out.status == "ok" and bool(mismatches(out)), out


def classify(args, prog, case, tmpdir):
    """The known classes that cause the mismatch of (prog, case), or {'NEW'}."""
    used = gen.classes_of(prog) | gen.classes_of(case)
    if used:
        same, _ = still_mismatches(args, prog, case, frozenset(used), tmpdir)
        if not same:
            causes = set()
            for cls in sorted(used):
                gone = not still_mismatches(args, prog, case, frozenset([cls]), tmpdir)[0]
                if gone:
                    causes.add(cls)
            return causes or {"combined:" + "+".join(sorted(used))}
    return {"NEW"}


def minimize(args, prog, case, safe, tmpdir, budget=80):
    """Removes statements and specs of prog while (prog, case) still mismatches."""
    tries = 0
    changed = True
    while changed and tries < budget:
        changed = False
        for kind, container, item in list(removable(prog)):
            if tries >= budget:
                break
            if item not in container:
                continue
            idx = container.index(item)
            container.pop(idx)
            tries += 1
            ok, _ = still_mismatches(args, prog, case, safe, tmpdir)
            if ok:
                changed = True
            else:
                container.insert(idx, item)
    return prog


def removable(prog):
    out = [("spec", prog.specs, s) for s in prog.specs]
    for r in prog.rounds:
        for blk in (r.update, r.send):
            pairs = list(blk.walk())
            for b, s in reversed(pairs):
                out.append(("stmt", b.stmts, s))
    return out


# ---- the two modes ----
class Stats:
    def __init__(self):
        self.programs = self.cases = self.rejected = 0
        self.verdicts = {}
        self.t0 = time.time()

    def add(self, out):
        self.programs += 1
        if out.status == "rejected":
            self.rejected += 1
        for c in out.cases:
            self.cases += 1
            self.verdicts[c["verdict"]] = self.verdicts.get(c["verdict"], 0) + 1

    def line(self):
        dt = time.time() - self.t0
        v = ", ".join("%s %d" % kv for kv in sorted(self.verdicts.items()))
        return "%d programs (%d rejected), %d cases in %.1fs: %.1f cases/s; %s" % (
            self.programs, self.rejected, self.cases, dt, self.cases / dt if dt else 0, v)


def new_program(seed, ncases, reach_share=0.3):
    rng = random.Random(seed)
    prog = gen.Gen(rng).program()
    cases = [c for c in (gen.make_case(rng, prog, rng.random() < reach_share)
                         for _ in range(ncases)) if c]
    return prog, cases


def write_repro(path, prog, case, safe, header):
    with open(path, "w") as f:
        f.write("".join("// " + l + "\n" for l in header.splitlines()))
        f.write(program_with(prog, case, safe))


def replay_regressions(args, known, tmpdir):
    """Every file of regress/: mismatches exactly when known.txt lists it."""
    failures = []
    rdir = os.path.join(HERE, "regress")
    files = sorted(f for f in os.listdir(rdir) if f.endswith(".ho")) if os.path.isdir(rdir) else []
    for fname in files:
        text = open(os.path.join(rdir, fname)).read()
        out = run_semdiff(args.semdiff, text, tmpdir, name=fname)
        bad = mismatches(out) or out.status == "cfail"  # generated C that does not compile
        cls = known.get(fname)
        if out.status not in ("ok", "cfail"):
            failures.append("%s: semdiff could not run it (%s): %s" % (fname, out.status, out.error))
        elif cls and bad:
            print("known (class %s): %s" % (cls, fname))
        elif cls:
            failures.append("%s now agrees: class %s fixed? delete its line from tests/sem/known.txt"
                            % (fname, cls))
        elif bad:
            failures.append("%s mismatches (or its C does not compile) and is not in known.txt:\n%s"
                            % (fname, out.error if out.status == "cfail" else bad[0]["report"]))
    for fname in known:
        if fname not in files:
            failures.append("known.txt lists %s, which regress/ does not have" % fname)
    print("regressions: %d files, %d known mismatches" % (len(files), len(known)))
    return failures


def ctest(args):
    known = read_known(args.known)
    safe = frozenset(open_classes(known))
    failures = []
    with tempfile.TemporaryDirectory(prefix="semfuzz-") as tmpdir:
        failures += replay_regressions(args, known, tmpdir)
        stats = Stats()
        for i in range(args.programs):
            prog, cases = new_program(args.seed * 1000003 + i, args.cases)
            text = prog.render(safe) + "".join(c.render(safe) for c in cases)
            out = run_semdiff(args.semdiff, text, tmpdir)
            stats.add(out)
            if out.status in ("crash", "cfail"):
                failures.append("program %d: %s: %s" % (i, out.status, out.error[-1500:]))
            if args.verbose and out.status == "rejected":
                print("program %d rejected: %s" % (i, out.error[:400]))
            for k, c in enumerate(out.cases):
                if c["verdict"] != "mismatch":
                    continue
                path = os.path.join(args.out, "sem-ctest-%d-%d.ho" % (i, k))
                write_repro(path, prog, cases[k], safe, "semfuzz --ctest: seed %d, program %d, case %d\n%s"
                            % (args.seed, i, k, c["report"]))
                failures.append("NEW mismatch (%s):\n%s" % (path, c["report"]))
        print("random budget (safe: %s): %s" % (",".join(sorted(safe)) or "none", stats.line()))
        # A run where (nearly) every case is unsupported or rejected compares
        # nothing, and would pass: demand that most cases were judged.
        agreed = stats.verdicts.get("agree", 0)
        if agreed * 2 < stats.cases or not stats.cases:
            failures.append("only %d of %d cases were compared and agree: the generator or the "
                            "verifier lost coverage (a test that judges nothing cannot fail)"
                            % (agreed, stats.cases))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


def fuzz(args):
    seed = args.seed if args.seed is not None else int(time.time())
    print("semfuzz: seed %d, %ds%s" % (seed, args.seconds,
                                        ", safe: " + ",".join(sorted(args.safe)) if args.safe else ""))
    os.makedirs(args.out, exist_ok=True)
    stats, found = Stats(), {}
    deadline = time.time() + args.seconds
    with tempfile.TemporaryDirectory(prefix="semfuzz-") as tmpdir:
        i = 0
        while time.time() < deadline:
            prog, cases = new_program(seed * 1000003 + i, args.cases)
            i += 1
            text = prog.render(args.safe) + "".join(c.render(args.safe) for c in cases)
            out = run_semdiff(args.semdiff, text, tmpdir)
            stats.add(out)
            if out.status in ("crash", "cfail"):
                kind = out.status
                if kind == "cfail" and run_semdiff(args.semdiff, prog.render({"intbinder"}),
                                                   tmpdir).status != "cfail":
                    kind = "class intbinder"  # the known one: an int-typed binder in code
                path = os.path.join(args.out, "%s-%d-%d.ho" % (kind.replace(" ", "-"), seed, i))
                with open(path, "w") as f:
                    f.write("".join("// " + l + "\n" for l in out.error.splitlines()[-20:]) + text)
                found.setdefault(kind, []).append(path)
                print("%s: %s" % (kind.upper(), path))
            for k, c in enumerate(out.cases):
                if c["verdict"] == "mismatch" and time.time() < deadline:
                    report_mismatch(args, prog, cases[k], c, seed, i, k, tmpdir, found)
            if i % 10 == 0:
                print("  " + stats.line(), flush=True)
    print(stats.line())
    for cls, paths in sorted(found.items()):
        print("%s%s: %d, e.g. %s" % ("*** " if cls in ("NEW", "crash", "cfail") else "", cls,
                                     len(paths), paths[0]))
    return 1 if any(k in found for k in ("NEW", "crash", "cfail")) else 0


def report_mismatch(args, prog, case, c, seed, i, k, tmpdir, found):
    causes = {"NEW"} if args.safe >= set(gen.CLASSES) else classify(args, prog, case, tmpdir)
    label = "+".join(sorted(str(gen.CLASSES.get(x, x)) for x in causes))
    if "NEW" in causes:
        minimize(args, prog, case, frozenset(gen.CLASSES), tmpdir)
        safe = frozenset(gen.CLASSES)
    else:
        safe = frozenset()
    path = os.path.join(args.out, "class-%s-%d-%d-%d.ho" % (label, seed, i, k))
    _, out = still_mismatches(args, prog, case, safe, tmpdir)
    rep = mismatches(out)[0]["report"] if mismatches(out) else c["report"]
    write_repro(path, prog, case, safe | args.safe, "semfuzz: seed %d, program %d, case %d; class %s\n%s"
                % (seed, i, k, label, rep))
    found.setdefault("NEW" if "NEW" in causes else "class " + label, []).append(path)
    print("%smismatch, class %s: %s" % ("*** NEW " if "NEW" in causes else "", label, path), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("semdiff", help="the semdiff executable")
    ap.add_argument("--ctest", action="store_true", help="the ctest: regressions, then a fixed budget")
    ap.add_argument("--seconds", type=int, default=600, help="fuzz: how long (default 600)")
    ap.add_argument("--seed", type=int, help="default: 1 for --ctest, the clock for fuzzing")
    ap.add_argument("--programs", type=int, default=40, help="ctest: random programs (default 40)")
    ap.add_argument("--cases", type=int, default=8, help="cases per program (default 8)")
    ap.add_argument("--known", default=os.path.join(HERE, "known.txt"), help="the known mismatches")
    ap.add_argument("--out", default=os.getcwd(), help="where reproducers go (default: here)")
    ap.add_argument("--safe", default="",
                    help="fuzz: classes to keep safe, comma-separated, or `all` (then every mismatch is new)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.safe = frozenset(gen.CLASSES if args.safe == "all" else filter(None, args.safe.split(",")))
    if args.ctest:
        args.seed = 1 if args.seed is None else args.seed
        return ctest(args)
    return fuzz(args)


if __name__ == "__main__":
    sys.exit(main())
