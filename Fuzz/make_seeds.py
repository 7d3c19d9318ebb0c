#!/usr/bin/env python3
"""Writes the seed corpora and dictionaries of the fuzz targets (Fuzz/, scripts/fuzz.sh).

Usage: make_seeds.py TESTDATA_DIR OUT_DIR

TESTDATA_DIR is Tests/Fixtures/pegasus-rpc (golden frames, one hex frame per *.hex file).
Writes OUT_DIR/<target>/seed-* for the targets request, reply, rdsn, route and admin, and
OUT_DIR/<target>.dict (libFuzzer dictionaries). Seeds are derived from the golden frames:
  request  every req_*.hex frame, and two frames back to back (a pipelined stream);
  reply    every resp_*.hex frame, and its result struct behind a selector byte that makes the
           reply target's skipper read it as a STRUCT under each schema it knows;
  rdsn     each golden request and reply re-framed as an RDSN native frame (no CRCs, and with CRCs);
  route    ZooKeeper route JSON in both layouts and routes-file YAML (not in the golden set: written
           here, with the golden data set's addresses);
  admin    HTTP/1 requests to the admin port: every endpoint, hostile query strings, keep-alive
           pipelines, a body, a malformed request line (written here).
"""
import glob
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration", "tools"))
from rdsn_crc_check import crc32c  # noqa: E402  (CRC-32C, written from the protocol doc)


def read_hex(path):
    with open(path) as f:
        return bytes.fromhex("".join(f.read().split()))


def message_begin_end(data, offset):
    """Offset just after a strict Thrift message begin at `offset`, and the message name."""
    (name_length,) = struct.unpack_from(">i", data, offset + 4)
    name = data[offset + 8:offset + 8 + name_length].decode()
    return offset + 8 + name_length + 4, name


def request_parts(frame):
    """(name, args) of a THFT request frame."""
    (version,) = struct.unpack_from(">i", frame, 4)
    body_offset = 48 if version == 0 else 16 + struct.unpack_from(">i", frame, 8)[0]
    args_offset, name = message_begin_end(frame, body_offset)
    return name, frame[args_offset:]


def reply_parts(frame):
    """(error name, reply name, result struct) of a reply frame."""
    (error_length,) = struct.unpack_from(">i", frame, 4)
    error = frame[8:8 + error_length].decode()
    body_offset, name = message_begin_end(frame, 8 + error_length)
    return error, name, frame[body_offset:]


def name_field(text):
    raw = text.encode()[:47]
    return raw + b"\x00" * (48 - len(raw))


def rdsn_frame(name, body, context, error_name="", frame_id=1, with_crcs=False):
    def header(hdr_crc, body_crc):
        return (b"RDSN" + struct.pack("<IIIII", 0, 192, hdr_crc, len(body), body_crc)
                + struct.pack("<QQ", frame_id, 0x5EED) + name_field(name) + struct.pack("<II", 0, 0)
                + struct.pack("<qQQ", 0, context, 0) + struct.pack("<iiQ", 5000, 0, 0)
                + name_field(error_name) + struct.pack("<II", 0, 0))

    if not with_crcs:
        return header(0, 0) + body
    body_crc = crc32c(body)
    return header(crc32c(header(0, body_crc)), body_crc) + body


ROUTE_JSON = [
    b'{"cluster":"c1","meta-addrs":["127.0.0.1:34601","127.0.0.1:34602"]}',
    b'{"cluster_name":"c1","meta_addrs":"127.0.0.1:34601,127.0.0.1:34602"}',
    b'{"cluster":"c1","meta-addrs":["127.0.0.1:34601"],"backups":[{"cluster":"c2","meta-addrs":'
    b'["127.0.0.1:34801","meta2.example.com:34802"]},{"cluster_name":"c3","meta_addrs":"localhost:34901"}]}',
    b'{"cluster": "c1", "meta-addrs": ["127.0.0.1:34601"], "extra": {"note": [1, 2.5, true, null]}}',
]

ROUTE_YAML = [
    b"tables: {}\n",
    b"tables:\n"
    b"  t1: { cluster: c1, meta_addrs: [\"127.0.0.1:34601\", \"127.0.0.1:34602\"] }\n"
    b"  t2: { cluster: c2, meta_addrs: \"127.0.0.1:34611\", backups: [{ cluster: c1, meta_addrs: [\"127.0.0.1:34601\"] }] }\n",
    b"tables:\n"
    b"  temp:\n"
    b"    cluster: c1\n"
    b"    meta-addrs:\n"
    b"      - 127.0.0.1:34601\n"
    b"      - localhost:34602\n"
    b"    backups:\n"
    b"      - cluster_name: c2\n"
    b"        meta_addrs: 127.0.0.1:34801, 127.0.0.1:34802\n",
]

DICTIONARIES = {
    "request": ["THFT", "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX", "RPC_CM_LIST_APPS", "RPC_NEGOTIATION",
                "\x80\x01\x00\x01", "\x00\x00\x00\x30", "\x0c\x00\x01", "\x0f\x00\x02\x08"],
    "reply": ["ERR_OK", "ERR_FORWARD_TO_OTHERS", "ERR_OBJECT_NOT_FOUND", "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX_ACK",
              "\x80\x01\x00\x02", "\x0c\x00\x00", "\x0f\x00\x05\x0c", "\x0c\x00\x09"],
    "rdsn": ["RDSN", "\xc0\x00\x00\x00", "\x41\x04\x00\x00", "RPC_CM_QUERY_PARTITION_CONFIG_BY_INDEX", "ERR_OK",
             "\x0c\x00\x00"],
    "route": ["cluster", "cluster_name", "meta-addrs", "meta_addrs", "backups", "tables", "127.0.0.1:34601",
              "localhost:1", "\"", "[", "]", "{", "}", ": ", "- ", "&a", "*a", "!!str", "---", "\\u0000"],
    "admin": ["GET ", "HEAD ", "POST ", " HTTP/1.1\r\n", " HTTP/1.0\r\n", "\r\n\r\n", "Host: x\r\n",
              "Connection: close\r\n", "Connection: keep-alive\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
              "/metrics", "/healthz", "/readyz", "/readyz/strict", "/routes", "/failover", "?", "&", "=", "%", "%2", "+",
              "strict=1"],
}


def admin_request(target, method="GET", version="1.1", headers=("Host: x",), body=b""):
    head = "%s %s HTTP/%s\r\n%s\r\n" % (method, target, version, "".join(h + "\r\n" for h in headers))
    return head.encode() + body


ADMIN = [
    admin_request("/healthz"),
    admin_request("/readyz?strict=1"),
    admin_request("/readyz/strict", version="1.0"),
    admin_request("/metrics", headers=("Host: x", "Connection: close")),
    admin_request("/healthz?="),
    admin_request("/routes?=x&&y=%zz&%41=%ff+1??"),
    admin_request("/healthz", method="HEAD"),
    admin_request("/healthz", method="POST", headers=("Content-Length: 4",), body=b"body"),
    admin_request("/healthz", headers=("Transfer-Encoding: chunked",), body=b"4\r\nbody\r\n0\r\n\r\n"),
    admin_request("/a") + admin_request("/b?c=d") + admin_request("/e"),
    b"GET /healthz HTTP/1.1\r\nHo",
    b"\x00\x01 nonsense\r\n\r\n",
]


def dictionary_line(token):
    escaped = "".join(c if 0x20 <= ord(c) < 0x7F and c not in "\\\"" else "\\x%02x" % ord(c) for c in token)
    return '"%s"\n' % escaped


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    testdata, out = sys.argv[1], sys.argv[2]
    requests = [read_hex(p) for p in sorted(glob.glob(os.path.join(testdata, "req_*.hex")))]
    replies = [read_hex(p) for p in sorted(glob.glob(os.path.join(testdata, "resp_*.hex")))]
    if not requests or not replies:
        sys.exit("no golden frames in %s" % testdata)
    seeds = {"request": [], "reply": [], "rdsn": [], "route": ROUTE_JSON + ROUTE_YAML, "admin": ADMIN}

    seeds["request"] += requests
    seeds["request"] += [a + b for a, b in zip(requests, requests[1:] + requests[:1])]

    seeds["reply"] += replies
    seeds["reply"].append(replies[0] + replies[-1])
    for reply in replies:
        _, _, result = reply_parts(reply)
        if result:
            # Selector 8 + 12*k: the skipper's generic type STRUCT (index 8 of 12) and schema k.
            seeds["reply"] += [bytes([8 + 12 * k]) + result for k in range(6)]

    request_context = 0x441
    for index, frame in enumerate(requests):
        name, args = request_parts(frame)
        body = b"\x0c\x00\x00" + args[3:]
        seeds["rdsn"].append(rdsn_frame(name, body, request_context, frame_id=index + 1))
        seeds["rdsn"].append(rdsn_frame(name, body, request_context, frame_id=index + 1, with_crcs=True))
    for index, frame in enumerate(replies):
        error, name, result = reply_parts(frame)
        seeds["rdsn"].append(rdsn_frame(name, result, 0x40, error_name=error, frame_id=index + 1,
                                        with_crcs=index % 2 == 0))

    for target, items in seeds.items():
        directory = os.path.join(out, target)
        os.makedirs(directory, exist_ok=True)
        for index, data in enumerate(items):
            with open(os.path.join(directory, "seed-%03d" % index), "wb") as f:
                f.write(data)
        with open(os.path.join(out, target + ".dict"), "w") as f:
            f.writelines(dictionary_line(token) for token in DICTIONARIES[target])
        print("%s: %d seeds" % (target, len(items)))


if __name__ == "__main__":
    main()
