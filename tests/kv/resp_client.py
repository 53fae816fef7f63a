"""A small RESP2 client and the history tokens of tests/lincheck, shared by
the hoc-kv cluster tests (tests/kv/kv_cluster.py) and the nemesis harness's
clients (tests/nemesis/kvclient.py), and the history writer the Amalgam
workload (tests/amalgam/amwork.py) shares with them."""
import socket
import threading
import time


class Err(str):
    """An error reply."""


class Resp:
    """One connection; addr is a port on 127.0.0.1 or "HOST:PORT"."""

    def __init__(self, addr, timeout=5.0):
        host, port = ("127.0.0.1", addr) if isinstance(addr, int) else addr.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout)
        self.s.settimeout(timeout)
        self.buf = b""

    def close(self):
        self.s.close()

    def send_raw(self, data):
        self.s.sendall(data)

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def _fill(self):
        d = self.s.recv(65536)
        if not d:
            raise ConnectionError("closed")
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, k):
        while len(self.buf) < k + 2:
            self._fill()
        v, self.buf = self.buf[:k], self.buf[k + 2:]
        return v

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return Err(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            k = int(rest)
            return None if k < 0 else self._exact(k)
        if t == b"*":
            return [self.read() for _ in range(int(rest))]
        raise ConnectionError("bad reply %r" % line)

    def call(self, *args):
        self.send(*args)
        return self.read()


def tok(v):
    """A reply as a value token of the history format."""
    if v is None:
        return "nil"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Err):
        return "ERR"
    if isinstance(v, str):
        v = v.encode()
    return 'x"' + v.hex() + '"'


class History:
    """A concurrent history in hoc-lincheck's format: one line per op, from
    any client thread, written to path (flushed per line, so a killed run
    keeps its ops) or kept in self.lines when path is None. fmt turns each
    argument and result into a token (tok for raw replies, str for tokens
    the caller made)."""

    def __init__(self, path=None, fmt=tok):
        self.f = open(path, "w") if path else None
        self.lines, self.fmt = [], fmt
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def now(self):
        """Microseconds since the history began: the format's timestamps."""
        return int((time.monotonic() - self.t0) * 1e6)

    def add(self, client, call, ret, op, args, results):
        """One op; ret None marks it pending (no reply: results ignored)."""
        line = "%s %d %s %s %s -> %s" % (
            client, call, "?" if ret is None else ret, op, " ".join(self.fmt(a) for a in args),
            "?" if ret is None else " ".join(self.fmt(r) for r in results))
        with self.lock:
            if self.f:
                self.f.write(line + "\n")
                self.f.flush()
            else:
                self.lines.append(line)

    def close(self):
        if self.f:
            self.f.close()
