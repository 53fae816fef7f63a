"""What the explore tests share: a hoc explore server on loopback that the
test starts and kills, HTTP requests to it, and a counterexample trace made
by hoc check. Python standard library only."""
import atexit
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time


class Server:
    """hoc explore FILE --port 0 ... on 127.0.0.1; the port it announced."""

    def __init__(self, hoc, args):
        self.proc = subprocess.Popen([hoc, "explore"] + list(args) + ["--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # the URL line, or nothing if it failed
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("hoc explore did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d/" % self.port

    def request(self, method, path, body=None, headers=None):
        """(status, parsed JSON or text) of one request."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        try:
            return r.status, json.loads(text)
        except ValueError:
            return r.status, text

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Ends the server with SIGTERM (it exits 0), or kills it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                return self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode


def make_trace(hoc, ho_file, n, path):
    """hoc check's shortest counterexample of ho_file at n processes, at path."""
    r = subprocess.run([hoc, "check", ho_file, "-n", str(n), "--trace", path, "--quiet"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, "hoc check should find a violation: %d %s" % (r.returncode, r.stdout)
    return path


def tmpdir():
    """A temporary directory, removed when the test exits."""
    d = tempfile.mkdtemp(prefix="hoc-explore-test-")
    atexit.register(shutil.rmtree, d, True)
    return d


def field(state, p, name):
    """The value and change of field name of process p in a state document."""
    for f in state["procs"][p]["fields"]:
        if f["name"] == name:
            return f["value"], f["change"]
    raise KeyError(name)


def spec(state, name):
    return next(s for s in state["specs"] if s["name"] == name)


class Checks:
    """Counts assertions and says which failed, without stopping at the first."""

    def __init__(self):
        self.failed, self.count, self.t0 = [], 0, time.time()

    def ok(self, cond, what):
        self.count += 1
        if not cond:
            self.failed.append(what)
            print("FAIL:", what)

    def done(self, name):
        print("%s: %d checks, %d failed, %.1f s" % (name, self.count, len(self.failed),
                                                   time.time() - self.t0))
        return 1 if self.failed else 0


def sim_outputs(text):
    """{(p, name, value, round)} from hoc sim's text report lines."""
    out = set()
    for m in re.finditer(r"^p(\d+):(.*)$", text, re.M):
        for o in re.finditer(r"(\w+)\(([^)]*)\) in round (\d+)", m.group(2)):
            out.add((int(m.group(1)), o.group(1), o.group(2), int(o.group(3))))
    return out


def page_bundle(path):
    """The JSON documents a static page (--html) holds."""
    text = open(path).read()
    start = text.index("window.HOC_BUNDLE = ") + len("window.HOC_BUNDLE = ")
    end = text.index(";\n</script>", start)
    return json.loads(text[start:end])


