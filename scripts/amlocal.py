"""A local Amalgam cluster's client side, shared by make demo (scripts/demo.py)
and the service test (tests/amalgam/service/run.py): free loopback ports,
where a block lives, and a RESP2 connection with typed replies."""
import collections
import random
import signal
import socket
import subprocess
import time


def free(port):
    """Can port be bound on 127.0.0.1 now?"""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def ports_base(count, tries=100):
    """A base B with B .. B + count - 1 all free on 127.0.0.1, below the
    ephemeral range (32768..), whose ports the servers' own outgoing
    connections may take, and from 20000, above the kv tests' ports
    (tests/kv/kv_cluster.py, PORTS)."""
    for _ in range(tries):
        b = random.randrange(20000, 32000, 2)
        if all(free(b + i) for i in range(count)):
            return b
    raise SystemExit("no free range of %d ports on 127.0.0.1" % count)


def write_cluster(path, base, machines, g, f, block, stripes):
    """A loopback cluster file at path: machine m's ports from base + 20 m
    (data, parity + 5, client + 10, metrics + 11), the reconf replica at
    base + 100; one block an instance."""
    lines = [f"g {g}", f"f {f}", f"block {block}", f"stripes {stripes}", "blocks-per-instance 1"]
    for m in range(machines):
        p = base + 20 * m
        lines.append(f"machine {m} 127.0.0.1 data={p} parity={p + 5} client={p + 10} metrics={p + 11}")
    lines.append(f"reconf 0 127.0.0.1:{base + 100}")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def data_machine(b, s, machines):
    """The machine holding shard s's block of stripe b: (s - b) mod M
    (docs/deploy.md, "Layout")."""
    return (s - b) % machines


def block_of(v, size):
    """A block of size bytes whose first byte is v."""
    return bytes([v]) + bytes(size - 1)


class Resp:
    """A RESP2 connection on 127.0.0.1: send a command (args as bytes or
    str), read one reply as (kind, value): ("ok", str), ("err", str),
    ("int", int), ("bulk", bytes or None), ("array", [replies]), ("bad",
    line), or from reply() alone ("closed", None)."""

    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.s.makefile("rb")

    def raw(self, data):
        self.s.sendall(data)

    def cmd(self, *args):
        """One command, its reply; ConnectionError if the server closed."""
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        r = self.reply()
        if r[0] == "closed":
            raise ConnectionError("connection closed")
        return r

    def reply(self):
        line = self.f.readline()
        if not line:
            return ("closed", None)
        t, rest = line[:1], line[1:-2]
        if t == b"+":
            return ("ok", rest.decode())
        if t == b"-":
            return ("err", rest.decode())
        if t == b":":
            return ("int", int(rest))
        if t == b"$":
            n = int(rest)
            return ("bulk", None if n < 0 else self.f.read(n + 2)[:-2])
        if t == b"*":
            return ("array", [self.reply() for _ in range(int(rest))])
        return ("bad", line)

    def close(self):
        self.s.close()


def metrics(port):
    """The /metrics page on 127.0.0.1:port as {"name{labels}": value}."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
        page = b""
        while chunk := s.recv(65536):
            page += chunk
    out = {}
    for line in page.decode().split("\r\n\r\n", 1)[-1].splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = int(v)
    return out


def wait_metrics(port, ok, timeout=30):
    """Polls /metrics at port until ok(page) holds: that page, or the last
    one seen when timeout seconds passed first (a name missing reads 0)."""
    end = time.time() + timeout
    while True:
        try:
            page = metrics(port)
        except OSError:  # not listening yet (a process starting): a page where all is 0
            page = {}
        page = collections.defaultdict(int, page)
        if ok(page) or time.time() > end:
            return page
        time.sleep(0.05)


def stop_all(procs, check):
    """SIGTERM to every process of procs still running, then wait for all
    (SIGKILL after 10 s); check(ok, what) that each asked exited 0 (under
    ASan: no leak)."""
    asked = [p for p in procs if p.poll() is None]
    for p in asked:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    for p in asked:
        check(p.returncode == 0, f"{' '.join(p.args[1:])}: exit {p.returncode} on SIGTERM")
