#!/usr/bin/env python3
"""Simulation tests of the examples: runs `hoc sim --json` over a matrix of
process counts, adversaries and seeds, inside each algorithm's fault model,
and checks what happened, not just the exit status: the verdict, agreement
among the decisions read from the outputs, and that processes decided where
the algorithm promises it (after the rounds its liveness assumption names).

usage: run_sim.py HOC EXAMPLES_DIR CASE [--jobs J]
CASE: otr lastvoting floodmin kset benor twophase broken assume

One `hoc sim` run per configuration (each compiles the generated C once);
runs go J at a time (default 2). Python standard library only.
"""
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

NS = (3, 4, 5, 7)
DROPS = (0.0, 0.1, 0.3)
# HOC_SIM_SEEDS narrows the matrix (the sanitizer build runs one seed: it is
# the same code, ten times slower)
SEEDS = tuple(int(x) for x in os.environ.get("HOC_SIM_SEEDS", "1,2,3").split(","))


class Run:
    """One hoc sim configuration and what to check in its outcome."""

    def __init__(self, file, n, args, checks, expect_rc=0, normalize=None):
        self.file, self.n, self.args, self.checks, self.expect_rc = file, n, list(args), checks, expect_rc
        self.normalize = normalize  # applied to the parsed JSON before the checks

    def argv(self, hoc):
        return [hoc, "sim", self.file, "-n", str(self.n), "--json"] + self.args

    def label(self):
        return "%s -n %d %s" % (os.path.basename(self.file), self.n, " ".join(self.args))


def run_hoc(hoc, r):
    p = subprocess.run(r.argv(hoc), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    out = None
    try:
        out = json.loads(p.stdout)
    except ValueError:
        pass
    return p.returncode, out, p.stderr


def decisions(out, name="decide"):
    """{pid: (round, value)} of the first `name` output of each process."""
    got = {}
    for proc in out["processes"]:
        for o in proc["outputs"]:
            if o["name"] == name and proc["id"] not in got:
                got[proc["id"]] = (o["round"], o.get("value"))
    return got


def crashed_at(out):
    return {p["id"]: p["crashed_at"] for p in out["processes"]}


# ---- checks: each takes the parsed JSON and returns an error string or None ----

def verdict_ok(out):
    if out["verdict"] != "ok":
        return "verdict %s (%s)" % (out["verdict"], out.get("violation"))
    return None


def decide_once(out):
    for proc in out["processes"]:
        k = sum(1 for o in proc["outputs"] if o["name"] == "decide")
        if k > 1:
            return "p%d decided %d times" % (proc["id"], k)
    return None


def at_most_k_values(k):
    def check(out):
        vals = {v for (_, v) in decisions(out).values()}
        if len(vals) > k:
            return "%d different decisions %s, at most %d allowed" % (len(vals), sorted(vals, key=str), k)
        return None
    return check


agreement = at_most_k_values(1)


def decisions_among(allowed):
    def check(out):
        for p, (_, v) in decisions(out).items():
            if v not in allowed:
                return "p%d decided %r, not one of %r" % (p, v, sorted(allowed, key=str))
        return None
    return check


def all_decide_by(last_round, value=None):
    """Every process that is still alive after last_round decided by then."""
    def check(out):
        d = decisions(out)
        for p, c in crashed_at(out).items():
            if c != -1 and c <= last_round:
                continue  # crashed before it had to decide
            if p not in d:
                return "p%d did not decide (by round %d)" % (p, last_round)
            if d[p][0] > last_round:
                return "p%d decided in round %d, after round %d" % (p, d[p][0], last_round)
            if value is not None and d[p][1] != value:
                return "p%d decided %r, expected %r" % (p, d[p][1], value)
        return None
    return check


def all_decide_in(rnd):
    """Every process alive in round rnd decides exactly in that round."""
    def check(out):
        d = decisions(out)
        for p, c in crashed_at(out).items():
            if c != -1 and c <= rnd:
                if p in d:
                    return "p%d crashed at %d but decided" % (p, c)
                continue
            if p not in d or d[p][0] != rnd:
                return "p%d: expected a decision in round %d, got %r" % (p, rnd, d.get(p))
        return None
    return check


SAFE = [verdict_ok, decide_once, agreement]


def inputs(vals):
    return ["--input", ",".join(str(v) for v in vals)]


# ---- the cases ----

def case_otr(ex):
    f = os.path.join(ex, "otr.ho")
    runs = []
    for n in NS:
        ins = [(p * 5) % 3 for p in range(n)]
        for d in DROPS:
            for s in SEEDS:
                runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s)] + inputs(ins),
                                SAFE + [decisions_among(set(ins))]))
        # liveness: from round R on, two good rounds; everybody decides by R + 1
        for s, R, d in ((1, 10, 0.3), (2, 7, 0.3), (3, 12, 0.3), (4, 21, 0.7)):
            runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s), "--good-from", str(R),
                                   "--rounds", str(R + 4)] + inputs(ins),
                            SAFE + [all_decide_by(R + 1)]))
    # crashed processes are never heard: fewer than n/3 of them keep it live
    for n, k in ((4, 1), (7, 2)):
        runs.append(Run(f, n, ["--drop", "0.3", "--crash", str(k), "--seed", "4", "--good-from", "10",
                               "--rounds", "14"], SAFE + [all_decide_by(11)]))
    return runs


def case_lastvoting(ex):
    f = os.path.join(ex, "lastvoting.ho")
    runs = []
    for n in NS:
        ins = [(p * 7) % 5 for p in range(n)]
        for d in DROPS:
            for s in SEEDS:
                for c in (0, (n - 1) // 2):
                    runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s), "--crash", str(c),
                                           "--rounds", "40"] + inputs(ins),
                                    SAFE + [decisions_among(set(ins))]))
        # liveness: the first whole phase starting at or after R is good;
        # everybody decides in its last round at the latest
        # (drop 0.7: few decide before the good phase, most in its last round)
        for s, R, d in ((1, 10, 0.3), (2, 13, 0.3), (3, 5, 0.3), (4, 21, 0.7)):
            start = (R + 3) // 4 * 4
            runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s), "--good-from", str(R),
                                   "--rounds", str(start + 8)] + inputs(ins),
                            SAFE + [all_decide_by(start + 3)]))
    return runs


def case_floodmin(ex):
    # crash faults only (the algorithm does not tolerate message loss)
    f = os.path.join(ex, "floodmin.ho")
    runs = []
    for n in NS:
        ins = [(p * 7 + 3) % 10 for p in range(n)]
        for fv in sorted({1, n - 1}):
            for c in sorted({0, 1, (fv + 1) // 2, fv}):
                for s in SEEDS:
                    runs.append(Run(f, n, ["--param", "f=%d" % fv, "--crash", str(c), "--seed", str(s),
                                           "--rounds", str(fv + 2)] + inputs(ins),
                                    SAFE + [decisions_among(set(ins)), all_decide_in(fv)]))
        # no crash: everybody decides the global minimum
        runs.append(Run(f, n, inputs(ins), SAFE + [all_decide_in(n - 1), all_decide_by(n - 1, min(ins))]))
    return runs


def case_kset(ex):
    f = os.path.join(ex, "kset.ho")
    runs = []
    for n in NS:
        ins = [(p * 7 + 3) % 10 for p in range(n)]
        fv = n - 1
        for k in sorted({1, 2, 3} & set(range(1, n + 1))):
            last = fv // k
            for c in sorted({0, 1, fv}):
                for s in SEEDS[:2]:
                    runs.append(Run(f, n, ["--param", "f=%d" % fv, "--param", "k=%d" % k, "--crash", str(c),
                                           "--seed", str(s), "--rounds", str(last + 2)] + inputs(ins),
                                    [verdict_ok, decide_once, at_most_k_values(k), decisions_among(set(ins)),
                                     all_decide_in(last)]))
    return runs


def case_benor(ex):
    # safe under any loss (a process that hears fewer than n - f stops);
    # with at most f crashes and no loss it decides (with probability 1:
    # here, for these seeds, within 60 rounds)
    f = os.path.join(ex, "benor.ho")
    runs = []
    for n in NS:
        fv = (n - 1) // 2
        for d in DROPS:
            for s in SEEDS:
                for c in (0, fv):
                    for ins in ([p % 2 for p in range(n)], [1] * n)[:1 if s > 1 else 2]:
                        # validity: only inputs are decided (so unanimous inputs are)
                        checks = SAFE + [decisions_among({bool(v) for v in ins})]
                        if d == 0.0:
                            checks.append(all_decide_by(59))
                        runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s), "--crash", str(c),
                                               "--rounds", "60"] + inputs(ins), checks))
    return runs


OUTCOME = ("Commit", "Abort")  # enum Outcome in twophase.ho, in order


def outcome_names(out):
    """Enum outputs as member names. hoc sim prints an enum output's value as
    its number (quoted) when the output table carries no member names; accept
    both spellings."""
    for proc in out["processes"]:
        for o in proc["outputs"]:
            v = o.get("value")
            if isinstance(v, str) and v.isdigit() and int(v) < len(OUTCOME):
                o["value"] = OUTCOME[int(v)]
    return out


def case_twophase(ex):
    f = os.path.join(ex, "twophase.ho")
    runs = []
    for n in NS:
        all_yes = [1] * n
        mixed = [1] * n
        mixed[n - 1] = 0
        for d in DROPS:
            for s in SEEDS[:2]:
                for c in (0, 1):
                    for ins in (all_yes, mixed):
                        checks = SAFE[:]
                        if ins is mixed:
                            checks.append(decisions_among({"Abort"}))
                        if c == 0:
                            # no crash: the coordinator re-broadcasts until everybody heard it
                            want = None if (ins is all_yes and d > 0) else ("Commit" if ins is all_yes else "Abort")
                            checks.append(all_decide_by(29, want))
                        runs.append(Run(f, n, ["--drop", str(d), "--seed", str(s), "--crash", str(c)]
                                        + inputs(ins), checks, normalize=outcome_names))
        # nothing lost: everybody commits in the first phase
        runs.append(Run(f, n, inputs(all_yes), SAFE + [all_decide_by(1, "Commit")], normalize=outcome_names))
    return runs


def search_violation(hoc, file, n, args, spec=None, seeds=range(1, 201)):
    """The first seed for which hoc sim reports a violation (of `spec`, if given)."""
    for s in seeds:
        r = Run(file, n, args + ["--seed", str(s)], [])
        rc, out, err = run_hoc(hoc, r)
        if rc == 1 and out and out["verdict"] == "violated" and (spec is None or out["violation"]["spec"] == spec):
            return s, out
        if rc not in (0, 1) or out is None:
            return None, "seed %d: exit %d, %s" % (s, rc, err.strip()[:300])
    return None, "no violation in seeds %d..%d" % (seeds[0], seeds[-1])


def case_broken(hoc, here):
    """Deliberately broken variants must be caught, for some seed."""
    failures = 0
    probes = [
        ("broken_otr.ho", 5, ["--drop", "0.3"] + inputs([p % 2 for p in range(5)]), None),
        ("broken_lastvoting.ho", 3, ["--drop", "0.5", "--rounds", "40"] + inputs([0, 1, 2]), "agreement"),
    ]
    for name, n, args, spec in probes:
        seed, out = search_violation(hoc, os.path.join(here, name), n, args, spec)
        if seed is None:
            print("FAIL %s: not caught: %s" % (name, out))
            failures += 1
        else:
            print("ok   %s: caught with seed %d: %s violated after round %d" % (
                name, seed, out["violation"]["spec"], out["violation"]["round"]))
    return failures


def case_assume(hoc, here):
    """Assumptions that hold in every round restrict hoc sim's adversary:
    UniformVoting is safe under nosplit, which lossy draws break; the
    simulator must draw only heard-of sets nosplit allows (never report a
    violation from a run it excludes), and stop, saying which assumption,
    when no draw meets one."""
    import tempfile
    failures = 0
    uv = os.path.join(here, "uniform_voting.ho")
    for n in (3, 4, 5):
        for drop in ("0.5", "0.8"):
            for s in range(1, 11):
                r = Run(uv, n, ["--drop", drop, "--seed", str(s)] + inputs([p % 2 for p in range(n)]), [])
                rc, out, err = run_hoc(hoc, r)
                if rc != 0 or not out or out["verdict"] != "ok":
                    print("FAIL %s: exit %d, %s" % (r.label(), rc, out.get("violation") if out else err[:300]))
                    failures += 1
    with tempfile.TemporaryDirectory() as tmp:
        text = open(uv).read()
        # without nosplit the same runs break agreement: the test has teeth
        loose = os.path.join(tmp, "uv_loose.ho")
        with open(loose, "w") as f:
            f.write(text.replace("assume nosplit:", "// assume nosplit:"))
        seed, out = search_violation(hoc, loose, 4, ["--drop", "0.8"] + inputs([0, 1, 0, 1]), "agreement")
        if seed is None:
            print("FAIL uniform_voting without nosplit: %s" % out)
            failures += 1
        # an assumption nothing satisfies stops the run: exit 3, named
        toomany = os.path.join(tmp, "uv_too_many.ho")
        with open(toomany, "w") as f:
            f.write(text.replace("assume nosplit:", "assume too_many: forall p. |HO[p]| > n;\n  assume nosplit:"))
        rc, out, err = run_hoc(hoc, Run(toomany, 3, ["--drop", "0.3"], []))
        if rc != 3 or not out or out["verdict"] != "stopped" or out["stopped"]["assumption"] != "too_many":
            print("FAIL an unsatisfiable assumption: exit %d, %s" % (rc, out or err[:300]))
            failures += 1
    print("%s   uniform_voting: no violation under nosplit; violations without it; "
          "an unsatisfiable assumption stops the run" % ("ok" if not failures else "FAIL"))
    return failures


def main():
    argv = sys.argv[1:]
    jobs = 2
    if "--jobs" in argv:
        i = argv.index("--jobs")
        jobs = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    hoc, ex, case = argv
    here = os.path.dirname(os.path.abspath(__file__))
    t0 = time.time()
    if case in ("broken", "assume"):
        bad = (case_broken if case == "broken" else case_assume)(hoc, here)
        print("sim-%s: %s in %.1f s" % (case, "ok" if not bad else "%d failed" % bad, time.time() - t0))
        return 1 if bad else 0
    cases = {"otr": case_otr, "lastvoting": case_lastvoting, "floodmin": case_floodmin, "kset": case_kset,
             "benor": case_benor, "twophase": case_twophase}
    if case not in cases:
        print("unknown case %s" % case, file=sys.stderr)
        return 2
    runs = cases[case](ex)

    def one(r):
        rc, out, err = run_hoc(hoc, r)
        if out is None:
            return "exit %d, no JSON: %s" % (rc, err.strip()[:400])
        if rc != r.expect_rc:
            return "exit %d (expected %d), verdict %s %s" % (rc, r.expect_rc, out.get("verdict"), out.get("violation", ""))
        if r.normalize:
            out = r.normalize(out)
        for c in r.checks:
            msg = c(out)
            if msg:
                return msg
        return None

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(one, runs))
    failed = [(r, m) for r, m in zip(runs, results) if m]
    for r, m in failed:
        print("FAIL %s: %s" % (r.label(), m))
    print("sim-%s: %d configurations, %d passed, %d failed, %.1f s" % (
        case, len(runs), len(runs) - len(failed), len(failed), time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
