#!/usr/bin/env python3
"""ctest amalgam-units: the systemd unit templates shipped in
services/amalgam/systemd/ are what docs/deploy.md tells users to install,
so their command lines must be ones `amalgam` accepts and runs.

For each template, its paths are pointed at this build and a temporary
cluster on loopback ports found free (%i = 0); `systemd-analyze verify`
(when the machine has it) must pass without a warning; then the unit's
ExecStart runs as systemd would run it: it must bind its ports (a serve
writes its restart record under the unit's state folder) and stop with
exit 0 on the unit's KillSignal within its TimeoutStopSec; the serve unit
again with AMALGAM_ARGS=--rejoin in its environment file (a machine moved
to a new disk) must join as a replacement.

usage: run.py AMALGAM UNITDIR
"""
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
import amlocal  # noqa: E402

AM, UNITDIR = os.path.abspath(sys.argv[1]), sys.argv[2]
fails = []


def check(ok, what):
    print(("ok  " if ok else "FAIL") + " " + what, flush=True)
    if not ok:
        fails.append(what)


def service_keys(path):
    keys, section = {}, None
    for line in open(path):
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            keys[k] = v
    return keys


def bound(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def localize(text, tmp, cluster):
    return (text.replace("/usr/local/bin/amalgam", AM)
            .replace("/etc/amalgam/cluster", cluster)
            .replace("/etc/amalgam/", tmp + "/")
            .replace("/var/lib/amalgam", os.path.join(tmp, "state")))


def expand(argv, envfile):
    """ExecStart's unbraced $NAME words as systemd expands them: the value
    from EnvironmentFile= split at blanks, nothing when unset."""
    env = {}
    if envfile and os.path.exists(envfile):
        for line in open(envfile):
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.strip().split("=", 1)
                env[k] = v
    out = []
    for w in argv:
        out += env.get(w[1:], "").split() if w.startswith("$") else [w]
    return out


def run_unit(name, tmp, cluster, port):
    src = os.path.join(UNITDIR, name)
    keys = service_keys(src)
    check("ExecStart" in keys and keys.get("KillSignal") == "SIGTERM", f"{name}: ExecStart and KillSignal=SIGTERM")
    local = os.path.join(tmp, name)
    with open(local, "w") as f:
        f.write(localize(open(src).read(), tmp, cluster))
    analyze = shutil.which("systemd-analyze")
    if analyze:
        r = subprocess.run([analyze, "verify", local], capture_output=True, text=True, timeout=60)
        out = (r.stdout + r.stderr).strip()
        check(r.returncode == 0 and not out, f"{name}: systemd-analyze verify {out!r}")
    else:
        print(f"skip {name}: no systemd-analyze here")
    envfile = localize(keys.get("EnvironmentFile", "").lstrip("-"), tmp, cluster).replace("%i", "0")
    argv = expand(shlex.split(localize(keys["ExecStart"], tmp, cluster).replace("%i", "0")), envfile)
    os.makedirs(os.path.join(tmp, "state"), exist_ok=True)  # StateDirectory=
    log = open(os.path.join(tmp, name + ".log"), "w")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and p.poll() is None and not bound(port):
            time.sleep(0.1)
        check(p.poll() is None and bound(port), f"{name}: runs and binds port {port}")
        t = time.time()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=float(keys.get("TimeoutStopSec", "10")))
        except subprocess.TimeoutExpired:
            rc = None
        check(rc == 0, f"{name}: exit {rc} {time.time() - t:.2f} s after SIGTERM")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return open(os.path.join(tmp, name + ".log")).read()


with tempfile.TemporaryDirectory() as tmp:
    base = amlocal.ports_base(120)
    lines = ["g 3", "f 2", "block 64", "stripes 10", "blocks-per-instance 1"]
    lines += [f"machine {m} 127.0.0.1 base={base + 20 * m}" for m in range(5)]
    lines.append(f"reconf 0 127.0.0.1:{base + 100}")
    cluster = os.path.join(tmp, "cluster")
    with open(cluster, "w") as f:
        f.write("\n".join(lines) + "\n")
    # machine 0: data at base, client at base + 3M.
    log = run_unit("amalgam-serve@.service", tmp, cluster, base + 15)
    recs = [f for f in os.listdir(os.path.join(tmp, "state", "machine-0"))] \
        if os.path.isdir(os.path.join(tmp, "state", "machine-0")) else []
    check(any(r.endswith(".served") for r in recs), f"serve wrote its restart record under the state folder: {recs}")
    check("first start" in log, "serve logged its first start")
    # A machine on a new disk: the env file's --rejoin reaches the command.
    shutil.rmtree(os.path.join(tmp, "state"))
    with open(os.path.join(tmp, "serve-0.env"), "w") as f:
        f.write("AMALGAM_ARGS=--rejoin\n")
    log = run_unit("amalgam-serve@.service", tmp, cluster, base + 15)
    check("--rejoin: joining as a replacement" in log, "serve-0.env's AMALGAM_ARGS=--rejoin reached serve")
    log = run_unit("amalgam-reconf@.service", tmp, cluster, base + 100)
    check("--data" not in log and os.path.isdir(os.path.join(tmp, "state", "reconf-0")),
          f"reconf keeps its decisions under the state folder (log: {log.strip()[-200:]!r})")

print("amalgam-units:", "FAILED " + "; ".join(fails) if fails else "ok")
sys.exit(1 if fails else 0)
