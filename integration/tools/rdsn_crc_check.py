#!/usr/bin/env python3
"""Independent check of the CRCs in rDSN native ("RDSN") frames.

Written from docs/protocol.md ("RDSN native frames"), not from the Swift code: CRC-32C
(Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), the same
algorithm as apache/incubator-pegasus src/utils/crc.cpp. zlib.crc32 is CRC-32 (IEEE), a
different polynomial, so the table is built here from the polynomial.

Usage:
  rdsn_crc_check.py FILE...        each FILE holds one frame as hex (whitespace ignored; '-' = stdin)
  rdsn_crc_check.py --compute FILE print the CRCs rDSN would write for the frame (body CRC, then
                                   header CRC over the header with that body CRC filled in)
  rdsn_crc_check.py --self-test    known CRC-32C check values only

For each frame: magic "RDSN", hdr_version 0, hdr_length 192, body_length == bytes after the
header; hdr_crc32 (little-endian u32 at offset 12), when non-zero, must equal CRC-32C of the
192 header bytes with those 4 bytes zeroed; body_crc32 (offset 20), when non-zero, must equal
CRC-32C of the body. Prints "OK ..." per frame and exits 0, or "FAIL ..." and exits 1.
"""

import struct
import sys

POLY = 0x82F63B78
HEADER_SIZE = 192


def make_table():
    table = []
    for index in range(256):
        value = index
        for _ in range(8):
            value = (value >> 1) ^ POLY if value & 1 else value >> 1
        table.append(value)
    return table


TABLE = make_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def self_test():
    vectors = [
        (b"123456789", 0xE3069283),  # the CRC-32C check value
        (bytes(32), 0x8A9136AA),  # RFC 3720 B.4: 32 bytes of zero
        (b"\xff" * 32, 0x62A8AB43),  # RFC 3720 B.4: 32 bytes of 0xff
        (bytes(range(32)), 0x46DD794E),  # RFC 3720 B.4: 0x00..0x1f
    ]
    for data, expected in vectors:
        got = crc32c(data)
        if got != expected:
            return "CRC-32C self-test failed for %r: 0x%08x != 0x%08x" % (data[:9], got, expected)
    chained = crc32c(b"6789", crc32c(b"12345"))
    if chained != 0xE3069283:
        return "CRC-32C chaining self-test failed: 0x%08x" % chained
    return None


def read_frame(name):
    text = sys.stdin.read() if name == "-" else open(name, encoding="ascii").read()
    return bytes.fromhex("".join(text.split()))


def header_crc(header):
    return crc32c(header[:12] + b"\0\0\0\0" + header[16:HEADER_SIZE])


def check(name, frame):
    if len(frame) < HEADER_SIZE:
        return "FAIL %s: %d bytes, shorter than the %d-byte header" % (name, len(frame), HEADER_SIZE)
    if frame[:4] != b"RDSN":
        return "FAIL %s: magic %r, expected b'RDSN'" % (name, frame[:4])
    version, hdr_length, hdr_crc, body_length, body_crc = struct.unpack_from("<IIIII", frame, 4)
    if version != 0 or hdr_length != HEADER_SIZE:
        return "FAIL %s: hdr_version %d, hdr_length %d" % (name, version, hdr_length)
    body = frame[HEADER_SIZE:]
    if body_length != len(body):
        return "FAIL %s: body_length %d but %d body bytes" % (name, body_length, len(body))
    parts = []
    for field, stored, computed in (
        ("hdr_crc32", hdr_crc, lambda: header_crc(frame)),
        ("body_crc32", body_crc, lambda: crc32c(body)),
    ):
        if stored == 0:
            parts.append("%s absent" % field)
            continue
        value = computed()
        if value != stored:
            return "FAIL %s: %s 0x%08x, computed 0x%08x" % (name, field, stored, value)
        parts.append("%s=0x%08x checked" % (field, stored))
    return "OK %s: %d bytes, %s" % (name, len(frame), ", ".join(parts))


def compute(name, frame):
    body_crc = crc32c(frame[HEADER_SIZE:])
    header = bytearray(frame[:HEADER_SIZE])
    struct.pack_into("<I", header, 20, body_crc)
    return "%s: body_crc32=0x%08x hdr_crc32=0x%08x" % (name, body_crc, header_crc(bytes(header)))


def main(argv):
    failure = self_test()
    if failure:
        print("FAIL " + failure)
        return 1
    if argv == ["--self-test"]:
        print("OK CRC-32C self-test")
        return 0
    if argv[:1] == ["--compute"]:
        for name in argv[1:]:
            print(compute(name, read_frame(name)))
        return 0
    if not argv:
        print(__doc__.strip())
        return 2
    status = 0
    for name in argv:
        line = check(name, read_frame(name))
        print(line)
        if not line.startswith("OK"):
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
