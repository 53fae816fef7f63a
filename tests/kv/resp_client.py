"""A small RESP2 client and the history tokens of tests/lincheck, shared by
the hoc-kv cluster tests (tests/kv/kv_cluster.py) and the nemesis harness's
clients (tests/nemesis/kvclient.py)."""
import socket


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
