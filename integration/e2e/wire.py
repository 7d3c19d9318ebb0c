"""A small, independent Pegasus wire codec for the end-to-end tests (written from
docs/pegasus-reference.md §3-§4, not from the proxy's code): builds THFT v0/v1 requests and reads
rDSN reply frames, enough to check envelope, name, seqid and the query_cfg_response fields."""
import socket
import struct

QUERY = "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX"


def _str(s):
    b = s.encode()
    return struct.pack(">i", len(b)) + b


def query_body(table, seqid, name=QUERY):
    msg = struct.pack(">I", 0x80010001) + _str(name) + struct.pack(">i", seqid)
    args = b"\x0c\x00\x01" + b"\x0b\x00\x01" + _str(table) + b"\x0f\x00\x02\x08" + struct.pack(">i", 0) + b"\x00" + b"\x00"
    return msg + args


def frame_v0(body, timeout=0):
    return b"THFT" + struct.pack(">iiiiiiiiiq", 0, 48, 0, len(body), 0, 0, 0, timeout, 0, 0) + body


def frame_v1(body, timeout=5000):
    meta = (b"\x08\x00\x01" + struct.pack(">i", -1) + b"\x08\x00\x02" + struct.pack(">i", -1)
            + b"\x08\x00\x03" + struct.pack(">i", timeout) + b"\x0a\x00\x04" + struct.pack(">q", 0)
            + b"\x02\x00\x05\x00" + b"\x00")
    return b"THFT" + struct.pack(">iii", 1, len(meta), len(body)) + meta + body


def query_v0(table, seqid, timeout=0):
    return frame_v0(query_body(table, seqid), timeout)


def query_v1(table, seqid, timeout=5000):
    return frame_v1(query_body(table, seqid), timeout)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_reply(sock):
    """Returns (error_name, reply_name, seqid, body_bytes)."""
    total = struct.unpack(">i", recv_exact(sock, 4))[0]
    rest = recv_exact(sock, total - 4)
    off = 0
    n = struct.unpack_from(">i", rest, off)[0]; off += 4
    err = rest[off:off + n].decode(); off += n
    ver = struct.unpack_from(">I", rest, off)[0]; off += 4
    assert ver == 0x80010002, hex(ver)
    n = struct.unpack_from(">i", rest, off)[0]; off += 4
    name = rest[off:off + n].decode(); off += n
    seqid = struct.unpack_from(">i", rest, off)[0]; off += 4
    return err, name, seqid, rest[off:]


class _R:
    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.o)
        self.o += struct.calcsize(fmt)
        return v[0]

    def string(self):
        n = self.take(">i")
        s = self.b[self.o:self.o + n]
        self.o += n
        return s.decode()

    def skip(self, t):
        if t == 2 or t == 3: self.o += 1
        elif t == 6: self.o += 2
        elif t == 8: self.o += 4
        elif t in (4, 10): self.o += 8
        elif t == 11: self.string()
        elif t == 12:
            while True:
                ft = self.take(">b")
                if ft == 0: return
                self.take(">h"); self.skip(ft)
        elif t in (14, 15):
            et = self.take(">b"); n = self.take(">i")
            for _ in range(n): self.skip(et)
        elif t == 13:
            kt = self.take(">b"); vt = self.take(">b"); n = self.take(">i")
            for _ in range(n): self.skip(kt); self.skip(vt)
        else:
            raise ValueError("type %d" % t)


def _addr(v):
    if v == 0:
        return None
    ip = (v >> 32) & 0xffffffff
    port = (v >> 16) & 0xffff
    return "%d.%d.%d.%d:%d" % (ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, port)


def parse_query_cfg(body):
    """query_cfg_response from a reply body (result struct) -> dict."""
    r = _R(body)
    assert r.take(">b") == 12 and r.take(">h") == 0
    out = {"partitions": []}
    while True:
        t = r.take(">b")
        if t == 0: break
        fid = r.take(">h")
        if fid == 1: out["err"] = r.string()
        elif fid == 2: out["app_id"] = r.take(">i")
        elif fid == 3: out["partition_count"] = r.take(">i")
        elif fid == 4: out["is_stateful"] = r.take(">b") == 1
        elif fid == 5:
            r.take(">b"); n = r.take(">i")
            for _ in range(n):
                p = {"secondaries": []}
                while True:
                    pt = r.take(">b")
                    if pt == 0: break
                    pid = r.take(">h")
                    if pid == 1:
                        g = r.take(">q"); p["app_id"] = g & 0xffffffff; p["pidx"] = (g >> 32) & 0xffffffff
                    elif pid == 2: p["ballot"] = r.take(">q")
                    elif pid == 4: p["primary"] = _addr(r.take(">q"))
                    elif pid == 5:
                        r.take(">b"); k = r.take(">i")
                        p["secondaries"] = [_addr(r.take(">q")) for _ in range(k)]
                    elif pid == 6:
                        r.take(">b"); k = r.take(">i"); r.o += 8 * k
                    elif pid == 9:
                        p["hp_primary"] = "%s:%d" % (r.string(), r.take(">h") & 0xffff); r.take(">b")
                    elif pid in (10, 11):
                        r.take(">b"); k = r.take(">i")
                        for _ in range(k): r.string(); r.take(">h"); r.take(">b")
                    else: r.skip(pt)
                out["partitions"].append(p)
        else:
            r.skip(t)
    return out


def query(addr, table, seqid=1, version=0, timeout=5.0):
    host, port = addr.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(query_v0(table, seqid) if version == 0 else query_v1(table, seqid))
        err, name, sid, body = read_reply(s)
        return err, name, sid, (parse_query_cfg(body) if body else None)
