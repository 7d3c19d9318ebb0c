"""Client-chosen table names must not cost metric series: a flood of unknown names through the real
binary keeps `/metrics` small and a bystander's queries answered."""
import socket
import threading

import wire
from conftest import Proxy


def start_proxy(tmp_path, sim, extra_metric=""):
    routes = tmp_path / "routes.yaml"
    routes.write_text("tables:\n  known: { cluster: cardA, meta_addrs: [%s] }\n" % ", ".join('"%s"' % m for m in sim.metas))
    config = tmp_path / "proxy.yaml"
    config.write_text("routes_file: routes.yaml\nmetric: { type: prometheus%s }\n" % extra_metric)
    return Proxy(["--config", str(config)])


def flood_unknown(addr, count, prefix):
    """Sends `count` queries, each for a different unknown table, pipelined on one connection, and
    checks every answer is ERR_OBJECT_NOT_FOUND."""
    s = socket.create_connection(addr, timeout=30)
    s.settimeout(30)
    answered = {"n": 0, "bad": []}

    def reader():
        for _ in range(count):
            err, _, seqid, body = wire.read_reply(s)
            answered["n"] += 1
            if err != "ERR_OK" or wire.parse_query_cfg(body)["err"] != "ERR_OBJECT_NOT_FOUND":
                answered["bad"].append((seqid, err))

    t = threading.Thread(target=reader)
    t.start()
    batch = b""
    for i in range(count):
        batch += wire.query_v0("%s%06d" % (prefix, i), i + 1)
        if len(batch) > 64 * 1024:
            s.sendall(batch)
            batch = b""
    s.sendall(batch)
    t.join(120)
    s.close()
    assert answered["n"] == count
    assert not answered["bad"], answered["bad"][:5]


def test_unknown_table_names_do_not_make_series(sims, tmp_path):
    a = sims("cardA", "known:4")
    p = start_proxy(tmp_path, a)
    try:
        assert wire.query(p.addr, "known")[0] == "ERR_OK"
        errors = []
        stop = threading.Event()

        def bystander():
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    err, _, _, cfg = wire.query(p.addr, "known", seqid=i)
                    if err != "ERR_OK" or cfg["err"] != "ERR_OK":
                        errors.append(err)
                except Exception as e:
                    errors.append(repr(e))

        t = threading.Thread(target=bystander)
        t.start()
        flood_unknown(("127.0.0.1", p.port), 20000, "nosuch")
        stop.set()
        t.join(30)
        assert not errors, errors[:5]
        text = p.metrics()
        assert len(text) < 200 * 1024, len(text)
        assert "nosuch" not in text
        assert 'table="_unknown"' in text
        assert 'table="known"' in text
    finally:
        p.stop()


def test_table_series_are_capped(sims, tmp_path):
    a = sims("cardA", "known:4")
    p = start_proxy(tmp_path, a, extra_metric=", max_table_series: 0")
    try:
        assert wire.query(p.addr, "known")[0] == "ERR_OK"
        text = p.metrics()
        assert 'table="known"' not in text
        assert 'table="_other"' in text
        assert "metaproxy_table_series_overflow_total" in text
    finally:
        p.stop()
