"""Alert delivery, the good path: batches, limits, sinks, drain, health.

ship-feed (built from test/unit/ship/ship_feed.c) pushes alerts through the
real agent/ship module into test/fakes/receiver.py, which checks the schema,
the key, gzip and idempotency, and counts what arrived.
"""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from receiver_harness import (Feed, Receiver, alert, assert_accounted,  # noqa: E402
                              wait_for)


pytestmark = pytest.mark.usefixtures("ship_feed_built")


def test_every_alert_arrives_once_in_valid_batches(receiver, tmp_path):
    f = Feed(tmp_path, [receiver.url()])
    f.send(alert(i, ["Critical", "Warning", "Notice"][i % 3]) for i in range(5000))
    assert f.close() == 0
    st, s = receiver.state(), f.stats()
    assert st["errors"] == []
    assert st["unique_seqs"] == 5000 and st["seq_dups"] == 0
    assert st["max_batch_alerts"] <= 1000
    assert st["auth_seen"] == ["k1"]
    assert s["delivered"] == 5000
    assert st["raw_bytes"] > 5 * st["bytes_in"]  # gzip did its job
    assert_accounted(s, st["unique_seqs"])


def test_batch_limits_count_bytes_and_age(receiver, tmp_path):
    f = Feed(tmp_path, [receiver.url()], {"http.batch_max_alerts": "100"})
    f.send(alert(i) for i in range(1000))
    assert f.close() == 0
    assert receiver.state()["max_batch_alerts"] == 100
    assert receiver.state()["batches"] == 10

    receiver.control(reset_all=True)
    f = Feed(tmp_path, [receiver.url()], {"http.batch_max_bytes": "4096"})
    f.send(alert(10000 + i) for i in range(200))
    assert f.close() == 0
    st = receiver.state()
    # each alert is ~330 bytes: a 4 KiB batch holds at most 12
    assert st["unique_seqs"] == 1200 and st["batches"] - 10 >= 200 // 12

    # age: a few alerts, stdin left open; they arrive within batch_max_age_ms
    f = Feed(tmp_path, [receiver.url()], {"http.batch_max_age_ms": "300"})
    t0 = time.monotonic()
    f.send(alert(20000 + i) for i in range(3))
    wait_for(lambda: receiver.state()["unique_seqs"] == 1203, 5, "aged batch")
    assert time.monotonic() - t0 < 2.5
    assert f.close() == 0


def test_hmac_signature(tmp_path):
    receiver = Receiver(tmp_path, args=["--hmac-key", "s3cr3t"]).start()
    try:
        f = Feed(tmp_path, [receiver.url()], {"http.hmac_key_env": "VIGIL_TEST_HMAC"},
                 env={"VIGIL_TEST_HMAC": "s3cr3t"})
        f.send(alert(i) for i in range(300))
        assert f.close() == 0
        st = receiver.state()
        assert st["errors"] == [] and st["unique_seqs"] == 300
        assert "s3cr3t" not in f.stderr()
    finally:
        receiver.stop()


def test_hmac_key_env_missing_is_a_config_error(tmp_path):
    f = Feed(tmp_path, ["http://127.0.0.1:9/"], {"http.hmac_key_env": "VIGIL_NOT_SET_X"})
    assert f.close() == 2
    assert "http.hmac_key_env" in f.stderr()


def test_falcosidekick_one_post_per_alert(receiver, tmp_path):
    f = Feed(tmp_path, ["falcosidekick:" + receiver.url("/falco")])
    f.send(alert(i) for i in range(200))
    assert f.close() == 0
    st, s = receiver.state(), f.stats()
    assert st["errors"] == []
    assert st["sidekick_seqs"] == list(range(200))
    assert s["sidekick_delivered"] == 200


def test_several_sinks_at_once(receiver, tmp_path):
    out = tmp_path / "alerts.jsonl"
    f = Feed(tmp_path, ["stdout", "file:" + str(out), receiver.url()])
    f.send(alert(i) for i in range(500))
    assert f.close() == 0
    assert len(out.read_text().splitlines()) == 500
    assert receiver.state()["unique_seqs"] == 500
    assert f.stats()["written"] == 1000  # stdout + file


def test_file_sink_rotates(tmp_path):
    out = tmp_path / "alerts.jsonl"
    f = Feed(tmp_path, ["file:" + str(out)], {"file.max_bytes": "8192", "file.keep": "2"})
    f.send(alert(i) for i in range(200))
    assert f.close() == 0
    kept = [out, Path(f"{out}.1"), Path(f"{out}.2")]
    assert all(p.exists() for p in kept)
    assert not Path(f"{out}.3").exists()
    for p in kept:  # whole lines only, never over the limit
        text = p.read_text()
        assert text.endswith("\n")
        assert p.stat().st_size <= 8192
    last = [line for line in out.read_text().splitlines()]
    assert '"vigil.seq":199' in last[-1]


def test_invalid_lines_are_counted_not_sent(receiver, tmp_path):
    f = Feed(tmp_path, [receiver.url()])
    f.send([alert(1), "not json", "{\"half\":", alert(2)])
    assert f.close() == 0
    s = f.stats()
    assert s["dropped_invalid"] == 2
    assert receiver.state()["unique_seqs"] == 2
    assert_accounted(s, 2)


def test_sigterm_drains_everything(receiver, tmp_path):
    f = Feed(tmp_path, [receiver.url()], {"http.batch_max_age_ms": "60000"})
    f.send(alert(i) for i in range(2500))
    wait_for(lambda: f.stats().get("submitted") == 2500, 10, "alerts read")
    t0 = time.monotonic()
    f.term()
    assert f.wait(30) == 0
    assert time.monotonic() - t0 < 5
    assert receiver.state()["unique_seqs"] == 2500
    assert_accounted(f.stats(), 2500)


def test_health_alerts_carry_counters(receiver, tmp_path):
    f = Feed(tmp_path, [receiver.url()], {"health.interval_s": "1", "http.batch_max_age_ms": "100"})
    f.send(alert(i) for i in range(10))
    wait_for(lambda: receiver.state()["health"] >= 2, 10, "two health alerts")
    assert f.close() == 0
    st = receiver.state()
    assert st["unique_seqs"] == 10
    assert st["last_counters"]["submitted"] >= 10
