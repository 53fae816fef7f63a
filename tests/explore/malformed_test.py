#!/usr/bin/env python3
"""Bad requests to hoc explore get an error (status 4xx/5xx, a JSON error
under /api), never a crash: raw garbage, oversized headers, bad ids, bad
JSON bodies, deep nesting, wrong methods, foreign Host headers, cut-off
requests. After each, the server still answers.

usage: malformed_test.py HOC SOURCE_DIR"""
import os
import socket
import sys

from xserver import Checks, Server


def raw(port, data, read=True):
    """Sends bytes as they are; the status line of the answer, or ''."""
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    s.sendall(data)
    out = b""
    if read:
        try:
            s.shutdown(socket.SHUT_WR)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError:
            pass
    s.close()
    return out.split(b"\r\n", 1)[0].decode(errors="replace")


BODIES = [
    ("/api/step", "not json"), ("/api/step", "[1, 2]"), ("/api/step", "{}"),
    ("/api/step", '{"from": 99999}'), ("/api/step", '{"from": -1}'),
    ("/api/step", '{"from": 0, "ho": "x"}'), ("/api/step", '{"from": 0, "ho": [[99]]}'),
    ("/api/step", '{"from": 0, "ho": [[0], [1]]}'), ("/api/step", '{"from": 0, "crash": [7]}'),
    ("/api/step", '{"from": 0, "oracle": [1, 1, 1]}'), ("/api/step", '{"from": 1e5}'),
    ("/api/step", '{"from": 99999999999999999999999}'), ("/api/step", "[" * 100000),
    ("/api/step", '{"from": "0"}'), ("/api/root", '{"inputs": [0, 1]}'),
    ("/api/root", '{"inputs": "x"}'), ("/api/walk", '{"walks": -1}'),
    ("/api/walk", '{"depth": 100000000}'), ("/api/check", '{"seconds": 1000}'),
    ("/api/trace", ""), ("/api/trace", "\x00\x01\x02"), ("/api/trace", '{"format": "hoc-trace-1"}'),
    ("/api/nothing", "{}"), ("/api/step", '{"from": 0, "ho": [[0],[1],[2]], "x": "\\u0041"}'),
]
GETS = ["/api/state/abc", "/api/state/-1", "/api/state/", "/api/state/1x",
        "/api/state/99999999999999999999", "/api/path/77777", "/api/nothing",
        "/api/resolve", "/api/resolve?addr=zz", "/api/resolve?addr=run/9,9",
        "/api/resolve?addr=run/0,1,0/7.7", "/api/resolve?addr=run/0,1,0/7.7.7~cffff",
        "/api/resolve?addr=run/0,1,0/7.7.7~o1.1.1", "/api/resolve?addr=run/0,1,0/ff.7.7", "/api/resolve?addr=run/0,1,0/" + "7.7.7/" * 3 + "q",
        "/../../etc/passwd", "/app.js/x", "/%00", "/index.html?<script>"]


def main():
    hoc, src = sys.argv[1], sys.argv[2]
    c = Checks()
    s = Server(hoc, [os.path.join(src, "tests/sim/broken_otr.ho"), "-n", "3"])
    try:
        for path, body in BODIES:
            st, r = s.post(path, body)
            c.ok(400 <= st < 500 and isinstance(r, dict) and r.get("error"),
                 "POST %s %r: %s %s" % (path, body[:40], st, str(r)[:80]))
        for path in GETS:
            st, r = s.get(path)
            c.ok(400 <= st < 500 and (not path.startswith("/api/") or r.get("error")),
                 "GET %s: %s %s" % (path, st, str(r)[:80]))
            c.ok("<script>" not in str(r), "the error page does not echo markup")
        st, r = s.request("GET", "/api/tree", headers={"Host": "attacker.example"})
        c.ok(st == 400, "a foreign Host is refused: %s" % st)
        st, _ = s.request("PUT", "/api/tree", "{}")
        c.ok(400 <= st < 600 and st != 200, "PUT refused: %s" % st)
        st, _ = s.request("DELETE", "/")
        c.ok(400 <= st < 600, "DELETE refused: %s" % st)
        for data in [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
                     b"GET /api/tree HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 100000 + b"\r\n\r\n",
                     b"POST /api/step HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"fr",
                     b"POST /api/step HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                     b"GET /api/tree HTTP/9.9\r\n\r\n"]:
            line = raw(s.port, data)
            c.ok(not line.startswith("HTTP/1.1 200") or b"9.9" in data, "raw %r: %r" % (data[:30], line))
            st, _ = s.get("/api/tree")
            c.ok(st == 200 and s.alive(), "still answering after %r" % data[:30])
        st, tree = s.get("/api/tree")
        c.ok(st == 200 and len(tree["nodes"]) == 1, "bad requests made no states: %s" % tree)
    finally:
        c.ok(s.alive(), "the server is alive at the end")
        rc = s.stop()
    c.ok(rc == 0, "SIGTERM ends it with exit 0 (a sanitizer report would not): %s" % rc)
    return c.done("explore-malformed")


if __name__ == "__main__":
    sys.exit(main())
