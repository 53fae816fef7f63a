#!/usr/bin/env python3
"""Writes the hand-made seeds of the runtime fuzz targets (seed-* files in
corpus-wire/, corpus-handshake/, corpus-peers/): well-formed frames of every
type and handshakes that succeed (MACs are patched in by the target), so the
fuzzer starts past the first checks. Run from anywhere; it rewrites only
seed-* files."""
import os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ALGO, PARAMS = 0x0a1b2c3d, 0x11223344  # fuzz_handshake.c's cluster


def frame(t, body, version=7):
    return struct.pack("<IBBH", 4 + len(body), version, t, 0) + body


def hello(sid, algo=ALGO, n=2, params=PARAMS):
    return frame(1, struct.pack("<IIII", sid, algo, n, params) + bytes(range(16)))


def auth(cid, algo=ALGO, n=2, params=PARAMS):
    return frame(2, struct.pack("<IIII", cid, algo, n, params) + b"\0" * 32 + bytes(16))


def accept(sid, algo=ALGO):
    return frame(6, struct.pack("<II", sid, algo) + b"\0" * 32)


def msg(inst, rnd, sender, algo, payload=b"\1\0\0\0\0\0\0\0"):
    return frame(3, struct.pack("<QQII", inst, rnd, sender, algo) + payload)


def decision(inst, sender, algo, value):
    return frame(4, struct.pack("<QIIq", inst, sender, algo, value))


def done(sender, algo):
    return frame(5, struct.pack("<II", sender, algo))


def hurry(inst, rnd, sender, algo):
    return frame(9, struct.pack("<QQII", inst, rnd, sender, algo))


def where(inst, sender, algo):
    return frame(10, struct.pack("<QII", inst, sender, algo))


def round_(inst, rnd, sender, algo):
    return frame(11, struct.pack("<QQII", inst, rnd, sender, algo))


def write(folder, name, data):
    d = os.path.join(HERE, folder)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def chunks(mode, parts):
    return bytes([mode]) + b"".join(struct.pack("<H", len(p)) + p for p in parts)


def sealed(stream, per=8):
    """stream as it arrives after the handshake: its frames, per at a time,
    in SEALED frames (type 8) ending in a tag (zeros: the target lets frames
    whose tag fails go on, since a fuzzer cannot forge one); what does not
    parse as frames follows as it is."""
    frames, off = [], 0
    while off + 4 <= len(stream):
        (length,) = struct.unpack_from("<I", stream, off)
        if off + 4 + length > len(stream):
            break
        frames.append(stream[off:off + 4 + length])
        off += 4 + length
    out = b""
    for k in range(0, len(frames), per):
        body = b"".join(frames[k:k + per])
        out += struct.pack("<IBBH", 4 + len(body) + 16, 7, 8, 0) + body + bytes(16)
    return out + stream[off:]


# wire: streams of frames as they arrive on an authenticated connection
otr_rounds = b"".join(msg(i, r, s, ALGO, struct.pack("<q", (i + s) % 2))
                      for i in range(4) for r in range(2) for s in (1, 2, 3))
write("corpus-wire", "otr-rounds", sealed(otr_rounds))
write("corpus-wire", "every-type", sealed(hello(0) + auth(1) + accept(0) + msg(0, 0, 1, ALGO) +
      decision(1, 2, ALGO, 1) + done(3, ALGO) + hurry(0, 0, 2, ALGO) + hurry(0, 5, 3, ALGO) +
      where(1, 2, ALGO) + round_(0, 9, 3, ALGO) + round_(2, 1 << 21, 1, ALGO)))
write("corpus-wire", "catch-up", sealed(msg(2, 0, 1, ALGO) + msg(2, 7, 2, ALGO) + msg(2, 9, 3, ALGO)))
write("corpus-wire", "decisions", sealed(b"".join(decision(i, 1 + i % 3, ALGO, i % 2) for i in range(10))))
write("corpus-wire", "forwarded", sealed(msg(3, 0, 1, ALGO) + msg(10, 1, 2, ALGO) + msg(5, 0, 3, ALGO)))
write("corpus-wire", "many-instances", sealed(b"".join(msg(i, 0, 1, ALGO) for i in range(40))))
write("corpus-wire", "partial", sealed(msg(0, 0, 1, ALGO)[:20]))
write("corpus-wire", "bad-version", sealed(frame(3, b"\0" * 32, version=2)))
write("corpus-wire", "empty-payload", sealed(msg(0, 0, 2, ALGO, b"")))

# frame limits (runtime/wire.h): a MSG or DECISION up to 64 MiB, SEALED up to
# one such frame and its header and tag, APP up to 64 KiB. A length just over
# a limit is refused before anything waits for it; one just under waits (the
# seeds end there). A payload of 70,000 bytes: past the 64 KiB of before.
MAX_FRAME = 64 << 20
MAX_SEALED = 4 + 4 + MAX_FRAME + 16


def header(length, t):
    return struct.pack("<IBBH", length, 7, t, 0)


write("corpus-wire", "limit-sealed-under", header(MAX_SEALED, 8) + bytes(64))
write("corpus-wire", "limit-sealed-over", header(MAX_SEALED + 1, 8) + bytes(64))
inner_over = header(MAX_FRAME + 1, 3) + bytes(24)
write("corpus-wire", "limit-msg-over", header(4 + len(inner_over) + 16, 8) + inner_over + bytes(16))
inner_under = header(MAX_FRAME, 3) + bytes(24)
write("corpus-wire", "limit-msg-under", header(4 + len(inner_under) + 16, 8) + inner_under + bytes(16))
app_over = header(65536 + 1, 7) + bytes(8)
write("corpus-wire", "limit-app-over", header(4 + len(app_over) + 16, 8) + app_over + bytes(16))
write("corpus-wire", "large-msg", sealed(msg(0, 0, 1, ALGO, bytes(range(256)) * 273 + b"\1" * 112) +
                                        msg(1, 0, 2, ALGO)))

# handshake: we dial (mode bit 0 clear) or the replica dials us; bit 1 fixes MACs
for secret in (0, 4):
    for n4 in (0, 8):
        n = 4 if n4 else 2
        mode = 2 | secret | n4 | (0 << 4)  # we dial as process 1
        write("corpus-handshake", "dial-%d-%d" % (secret, n),
              chunks(mode, [auth(1, n=n), msg(0, 0, 1, ALGO), decision(3, 1, ALGO, 1), done(1, ALGO)]))
        mode = 3 | secret | n4  # the replica (process 1) dials us (process 0)
        write("corpus-handshake", "accept-%d-%d" % (secret, n),
              chunks(mode, [hello(0, n=n), accept(0), msg(0, 0, 0, ALGO), done(0, ALGO)]))
write("corpus-handshake", "dial-split", chunks(2, [auth(1)[:10], auth(1)[10:], msg(0, 0, 1, ALGO)[:7],
                                                  msg(0, 0, 1, ALGO)[7:]]))
write("corpus-handshake", "dial-eof", chunks(2, [auth(1), b""]))
write("corpus-handshake", "wrong-cluster", chunks(2, [auth(1, n=3)]))
write("corpus-handshake", "accept-wrong-hello", chunks(3, [hello(0, algo=1), accept(0)]))
write("corpus-handshake", "bad-sender", chunks(2, [auth(1), msg(0, 0, 0, ALGO)]))
write("corpus-handshake", "bad-payload", chunks(2, [auth(1), msg(0, 0, 1, ALGO, b"\0")]))
write("corpus-handshake", "garbage", chunks(0, [b"\xff" * 64]))

# peers files
write("corpus-peers", "four", "# id host:port\n0 127.0.0.1:7000\n1 127.0.0.1:7001\n"
      "2 127.0.0.1:7002\n3 127.0.0.1:7003\n")
write("corpus-peers", "names", "1 node-b.example:9000 # b\n0 node-a:9000\n\n\t2  10.77.0.3:1\r\n")
write("corpus-peers", "ipv6", "0 [::1]:7000\n1 [fe80::1]:7000\n")
write("corpus-peers", "dup-id", "0 a:1\n0 b:2\n")
write("corpus-peers", "dup-addr", "0 a:1\n1 a:1\n")
write("corpus-peers", "gap", "0 a:1\n2 a:2\n")
write("corpus-peers", "bad-port", "0 a:99999\n")
write("corpus-peers", "extra", "0 a:1 b\n")
write("corpus-peers", "long", "0 " + "h" * 300 + ":1\n")
write("corpus-peers", "many", "".join("%d 10.0.0.%d:%d\n" % (i, i, 7000 + i) for i in range(64)))

# resp: mode 0, a client's stream (RESP arrays, inline commands); mode 1, a
# log slot's batch of commands (services/kv/kvcmd.h)
def resp(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def kvcmd(client, seq, op, args):
    body = struct.pack("<QQBI", client, seq, op, len(args)) + b"".join(
        struct.pack("<I", len(a)) + a for a in args)
    return struct.pack("<I", len(body)) + body


write("corpus-resp", "set-get", b"\0" + resp(b"SET", b"k", b"v") + resp(b"GET", b"k"))
write("corpus-resp", "pipeline", b"\0" + b"".join(resp(b"INCR", b"c%d" % i) for i in range(20)))
write("corpus-resp", "inline", b"\0PING\r\nSET a b\r\nGET a\r\n\r\n")
write("corpus-resp", "mset-mget", b"\0" + resp(b"MSET", b"a", b"1", b"b", b"2") + resp(b"MGET", b"a", b"b"))
write("corpus-resp", "binary", b"\0" + resp(b"SET", b"\0\r\n", bytes(range(256))))
write("corpus-resp", "partial", b"\0" + resp(b"SET", b"key", b"value")[:17])
write("corpus-resp", "bad-length", b"\0*2\r\n$-5\r\nab\r\n")
write("corpus-resp", "huge-count", b"\0*99999999\r\n")
write("corpus-resp", "nil-bulk", b"\0*1\r\n$-1\r\n")
write("corpus-resp", "cas", b"\0" + resp(b"CAS", b"k", b"old", b"new"))
write("corpus-resp", "batch", b"\1" + struct.pack("<IIQI", 0x31766b68, 1, 3, 3) +
      kvcmd(1, 1, 2, [b"k", b"v"]) + kvcmd(1, 2, 1, [b"k"]) + kvcmd(2, 1, 7, [b"k", b"v", b"w"]))
write("corpus-resp", "batch-empty", b"\1" + bytes(20))
write("corpus-resp", "batch-short", b"\1" + struct.pack("<IIQI", 0x31766b68, 1, 3, 5) +
      kvcmd(1, 1, 2, [b"k", b"v"])[:-1])

# amreq: 4 bytes choosing the cluster (g, f, w, machines, stripes, block,
# blocks an instance: fuzz_amreq.c), then a client's stream of AM.* requests.
def block64(v):
    return bytes([v]) + bytes(63)
AMGEO = bytes([0x16, 0, 19, 0])  # g 3, f 2, w 1, 6 machines, 20 stripes, 64 B, 1 block
write("corpus-amreq", "ops", AMGEO + resp(b"AM.WRITE", b"4", b"1", block64(7)) + resp(b"AM.XOR", b"4", b"1", block64(3))
      + resp(b"AM.ADD", b"4", b"1", b"5") + resp(b"AM.CAS", b"4", b"1", block64(1), block64(2)) + resp(b"AM.READ", b"4", b"1"))
write("corpus-amreq", "ids", AMGEO + b"".join(resp(b"AM.WRITE", b"%d" % s, b"0", block64(s), b"ID", b"c%d" % (s % 3), b"%d" % (s // 3 + 1))
                                             for s in range(12)) + resp(b"AM.WRITE", b"1", b"0", block64(1), b"ID", b"c1", b"1"))
write("corpus-amreq", "misc", AMGEO + resp(b"PING") + resp(b"PING", b"x") + resp(b"COMMAND") + resp(b"CONFIG", b"GET", b"save")
      + resp(b"AM.RAW", b"3", b"5") + resp(b"AM.INFO") + b"AM.READ 0 0\r\n\r\n" + resp(b"QUIT"))
write("corpus-amreq", "bad-args", AMGEO + resp(b"AM.READ", b"20", b"0") + resp(b"AM.READ", b"0", b"3") + resp(b"AM.WRITE", b"0", b"0", b"short")
      + resp(b"AM.WRITE", b"0", b"0", block64(1)[:-1] + b"\1") + resp(b"AM.ADD", b"0", b"0", b"256") + resp(b"AM.ADD", b"0", b"0", b"-1")
      + resp(b"AM.WRITE", b"0", b"0", block64(1), b"ID", b"", b"1") + resp(b"AM.WRITE", b"0", b"0", block64(1), b"ID", b"c", b"0")
      + resp(b"AM.WRITE", b"0", b"0", block64(1), b"XX", b"c", b"1") + resp(b"AM.NOPE") + resp(b"AM.READ", b"99999999999999999999", b"0"))
write("corpus-amreq", "big-block", bytes([0x05, 4, 3, 1]) + resp(b"AM.WRITE", b"0", b"1", bytes([9]) + bytes(4095)))
write("corpus-amreq", "bad-frame", AMGEO + b"*3\r\n$7\r\nAM.READ\r\n$-1\r\n")
# a client's next op while its last still runs (stripe 0 and 3: left
# running), the first commits (READ), then the second is sent again
write("corpus-amreq", "next-while-running", AMGEO + resp(b"AM.WRITE", b"0", b"0", block64(1), b"ID", b"c", b"1")
      + resp(b"AM.WRITE", b"3", b"0", block64(2), b"ID", b"c", b"2") + resp(b"AM.READ", b"0", b"0")
      + resp(b"AM.WRITE", b"3", b"0", block64(2), b"ID", b"c", b"2"))
