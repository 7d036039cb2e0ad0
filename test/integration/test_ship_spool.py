"""The disk spool end to end: kill -9 during an outage, restart and replay;
the cap (least severe alerts go first, each counted); a corrupt record.

A first ship-feed runs while nothing listens on the endpoint's port, so its
batches land in the spool; a second one, with the receiver up, replays them.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from receiver_harness import (PRIOS, Feed, Receiver, alert, assert_accounted,  # noqa: E402
                              wait_for)

SETTINGS = {"http.retry_initial_ms": "50", "http.retry_max_ms": "200",
            "http.batch_max_age_ms": "200", "drain.timeout_ms": "500"}


pytestmark = pytest.mark.usefixtures("ship_feed_built")


def records(tmp_path):
    return sorted((tmp_path / "spool").glob("*/*.rec"))


def replay(tmp_path, rx, settings=None):
    """A fresh ship-feed over the same spool, no new alerts: sends the backlog."""
    f = Feed(tmp_path, [rx.url()], {**SETTINGS, "drain.timeout_ms": "20000", **(settings or {})})
    assert f.close(60) == 0
    return f


def test_kill9_during_outage_then_restart_replays_everything(tmp_path):
    rx = Receiver(tmp_path)  # not started: connection refused
    f = Feed(tmp_path, [rx.url()], SETTINGS)
    f.send(alert(i) for i in range(4000))
    wait_for(lambda: f.stats().get("spool_alerts") == 4000, 20, "everything spooled")
    f.kill9()
    assert len(records(tmp_path)) >= 4
    rx.start()
    try:
        g = replay(tmp_path, rx)
        st, s = rx.state(), g.stats()
        assert st["unique_seqs"] == 4000 and st["seq_dups"] == 0 and st["errors"] == []
        assert s["delivered"] == 4000 and s["spool_alerts"] == 0
        assert records(tmp_path) == []
    finally:
        rx.stop()


def test_kill9_mid_replay_loses_nothing(tmp_path):
    rx = Receiver(tmp_path)
    f = Feed(tmp_path, [rx.url()], SETTINGS)
    f.send(alert(i) for i in range(6000))
    wait_for(lambda: f.stats().get("spool_alerts") == 6000, 20, "everything spooled")
    f.kill9()
    rx.start()
    try:
        rx.control(delay=0.2)  # slow, so the kill lands mid-replay
        g = Feed(tmp_path, [rx.url()], SETTINGS)
        wait_for(lambda: rx.state()["batches"] >= 2, 20, "replay started")
        g.kill9()
        rx.control(reset_all=True)
        replay(tmp_path, rx)
        st = rx.state()
        # batches sent before the kill come again with their key: duplicates, not copies
        assert st["unique_seqs"] == 6000 and st["seq_dups"] == 0
    finally:
        rx.stop()


def test_spool_cap_drops_least_severe_first_and_counts_it(tmp_path):
    rx = Receiver(tmp_path)
    small = {**SETTINGS, "http.batch_max_bytes": "16384", "spool.max_bytes": "40000",
             "queue.max_bytes": "131072"}
    f = Feed(tmp_path, [rx.url()], small)
    n = 6000
    # random padding defeats compression so the cap is reached for real
    f.send(alert(i, PRIOS[2] if i % 4 == 0 else PRIOS[6], pad=120) for i in range(n))
    assert f.close(60) == 0
    s1 = f.stats()
    assert s1["dropped_spool_full"] > 0
    assert s1["spool_bytes"] <= 40000
    assert s1["queue_bytes"] == 0
    rx.start()
    try:
        g = replay(tmp_path, rx, small)
        st, s2 = rx.state(), g.stats()
        received = st["unique_seqs"]
        assert received + s1["dropped_spool_full"] == n, (s1, s2, st["statuses"], st["errors"])
        assert s2["spool_alerts"] == 0 and s2["dropped_spool_full"] == 0
        crit = [q for q in st["seqs"] if q % 4 == 0]
        # Critical alerts are only dropped once no Informational ones are left to drop
        if len(crit) < n // 4:
            assert len(crit) == received
        assert_accounted(s1, 0)  # first run: spooled or counted
        assert received == s1["spool_alerts"]  # what was spooled all arrived
    finally:
        rx.stop()


def test_memory_stays_bounded_without_a_spool(tmp_path):
    rx = Receiver(tmp_path)  # down for the whole run
    f = Feed(tmp_path, [rx.url()], {**SETTINGS, "spool.max_bytes": "0",
                                     "queue.max_bytes": "262144",
                                     "http.batch_max_bytes": "32768"})
    f.send(alert(i, PRIOS[i % 8]) for i in range(5000))
    wait_for(lambda: f.stats().get("submitted") == 5000, 20, "alerts read")
    s = f.stats()
    assert s["queue_bytes"] <= 262144
    assert s["dropped_queue_full"] > 0
    assert f.close(30) == 0
    s = f.stats()
    # at exit what memory held is counted too: nothing unaccounted
    assert s["dropped_shutdown"] > 0
    assert_accounted(s, 0)


def test_corrupt_record_is_skipped_and_counted(tmp_path):
    rx = Receiver(tmp_path)
    f = Feed(tmp_path, [rx.url()], {**SETTINGS, "http.batch_max_alerts": "100"})
    f.send(alert(i) for i in range(1000))
    assert f.close(30) == 0
    recs = records(tmp_path)
    assert len(recs) == 10
    data = bytearray(recs[3].read_bytes())
    data[-5] ^= 0xFF  # inside the deflated payload: the CRC catches it
    recs[3].write_bytes(bytes(data))
    recs[6].write_bytes(b"garbage")  # not even a header
    rx.start()
    try:
        g = replay(tmp_path, rx)
        st, s = rx.state(), g.stats()
        assert s["spool_corrupt"] == 2
        assert s["spool_corrupt_alerts"] == 100  # the header of the garbage one is gone
        assert st["unique_seqs"] == 800
        assert records(tmp_path) == []
        assert "corrupt" in g.stderr()
    finally:
        rx.stop()


def test_spool_directory_is_private(tmp_path):
    rx = Receiver(tmp_path)
    f = Feed(tmp_path, [rx.url()], SETTINGS)
    f.send(alert(i) for i in range(10))
    assert f.close(30) == 0
    for d in [tmp_path / "spool"] + [p for p in (tmp_path / "spool").iterdir()]:
        assert d.stat().st_mode & 0o777 == 0o700
    for r in records(tmp_path):
        assert r.stat().st_mode & 0o777 == 0o600
        assert b"k1" not in r.read_bytes()  # the key is never spooled
    # a spool.dir others could write to is refused, loudly
    bad = tmp_path / "shared"
    bad.mkdir(mode=0o777)
    os.chmod(bad, 0o777)
    g = Feed(tmp_path, [rx.url()], {**SETTINGS, "spool.dir": str(bad)})
    assert g.close(30) == 2
    assert "spool.dir" in g.stderr()


def test_outage_memory_and_drain_time(tmp_path):
    """A short outage at 1,000 alerts/s: memory stays within queue.max_bytes."""
    rx = Receiver(tmp_path)
    f = Feed(tmp_path, [rx.url()], {**SETTINGS, "queue.max_bytes": "6291456",
                                     "drain.timeout_ms": "20000"},
             extra=["--generate", "4000", "--rate", "1000"])
    peak = 0
    end = time.monotonic() + 3
    while time.monotonic() < end:
        peak = max(peak, f.stats().get("queue_bytes", 0))
        time.sleep(0.05)
    rx.start()
    try:
        assert f.wait(60) == 0
        assert peak <= 6291456
        wait_for(lambda: rx.state()["unique_seqs"] == 4000, 30, "all delivered")
    finally:
        rx.stop()


@pytest.fixture
def tiny_fs(tmp_path):
    """A 96 KiB tmpfs: a spool disk that fills up for real (ENOSPC)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k,mode=0700", "vigil-test", str(mnt)],
                   check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_spool_disk_keeps_alerts_in_memory_and_loses_none_silently(tmp_path, tiny_fs):
    rx = Receiver(tmp_path)  # down: everything heads for the spool
    settings = {**SETTINGS, "spool.dir": str(tiny_fs / "spool"), "spool.max_bytes": "10000000",
                "http.batch_max_bytes": "16384", "queue.max_bytes": "262144"}
    f = Feed(tmp_path, [rx.url()], settings)
    n = 3000
    f.send(alert(i, PRIOS[i % 8], pad=120) for i in range(n))  # padding defeats gzip
    wait_for(lambda: f.stats().get("submitted") == n, 20, "alerts read")
    time.sleep(1)  # several retry rounds against the full disk
    assert f.close(60) == 0
    s1 = f.stats()
    err = f.stderr()
    assert 0 < s1["spool_alerts"] < n, s1  # some fitted, not all
    assert s1["dropped_shutdown"] > 0, s1  # the rest was held in memory, counted at exit
    assert_accounted(s1, 0)
    assert "No space left on device" in err
    assert err.count("No space left on device") <= 2, f"ENOSPC logged on every retry:\n{err}"
    rx.start()
    try:
        g = replay(tmp_path, rx, settings)
        st, s2 = rx.state(), g.stats()
        assert st["unique_seqs"] == s1["spool_alerts"] and st["seq_dups"] == 0, (st, s2)
        assert s2["spool_alerts"] == 0
    finally:
        rx.stop()
