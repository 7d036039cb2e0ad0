"""Alert delivery under faults: the endpoint fails in every way the issue lists.

Each test counts alerts sent against alerts received after idempotency
de-duplication: nothing is lost within capacity, and every loss beyond it is
a counter (assert_accounted).
"""
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from receiver_harness import (Feed, Receiver, alert, assert_accounted,  # noqa: E402
                              wait_for)

FAST_RETRY = {"http.retry_initial_ms": "50", "http.retry_max_ms": "400"}


pytestmark = pytest.mark.usefixtures("ship_feed_built")


def run(tmp_path, receiver, n, settings=None, first=0, **kw):
    f = Feed(tmp_path, [receiver.url()], {**FAST_RETRY, **(settings or {})}, **kw)
    f.send(alert(first + i, ["Critical", "Warning", "Informational"][i % 3]) for i in range(n))
    assert f.close(120) == 0
    return f


def test_500s_are_retried(receiver, tmp_path):
    receiver.control(status=500, times=4)
    f = run(tmp_path, receiver, 3000)
    st, s = receiver.state(), f.stats()
    assert st["statuses"]["500"] == 4
    assert st["unique_seqs"] == 3000 and st["errors"] == []
    assert s["retries"] >= 4 and s["delivered"] == 3000
    assert_accounted(s, 3000)


def test_429_waits_for_retry_after(receiver, tmp_path):
    receiver.control(status=429, retry_after="2", times=1)
    f = run(tmp_path, receiver, 500, {"http.retry_initial_ms": "10", "http.retry_max_ms": "20"})
    st = receiver.state()
    assert st["unique_seqs"] == 500
    times = [t for t, _ in st["times"]]
    assert times[1] - times[0] >= 1.9, "the retry came before Retry-After"
    assert_accounted(f.stats(), 500)


def test_429_with_http_date(receiver, tmp_path):
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3))
    receiver.control(status=503, retry_after=when, times=1)
    run(tmp_path, receiver, 100, {"http.retry_initial_ms": "10", "http.retry_max_ms": "20"})
    times = [t for t, _ in receiver.state()["times"]]
    assert times[1] - times[0] >= 1.5
    assert receiver.state()["unique_seqs"] == 100


def test_permanent_4xx_is_counted_exactly(receiver, tmp_path):
    receiver.control(status=422, times=1)
    f = run(tmp_path, receiver, 2500)
    s, st = f.stats(), receiver.state()
    assert s["dropped_rejected"] == 1000  # the first batch, exactly
    assert st["unique_seqs"] == 1500
    assert "refused" in f.stderr()
    assert_accounted(s, st["unique_seqs"])


def test_413_splits_batches_and_drops_only_what_cannot_fit(receiver, tmp_path):
    receiver.control(max_body=3000)
    f = Feed(tmp_path, [receiver.url()], FAST_RETRY)
    lines = [alert(i) for i in range(2000)]
    lines.insert(700, alert(99999, pad=20000))  # random bytes: no gzip can get it under 3000
    f.send(lines)
    assert f.close(120) == 0
    st, s = receiver.state(), f.stats()
    assert st["statuses"]["413"] >= 1
    assert st["max_body_seen"] > 3000  # the endpoint did refuse something
    assert st["unique_seqs"] == 2000 and 99999 not in st["seqs"]
    assert s["dropped_too_large"] == 1
    assert_accounted(s, 2000)


def test_body_never_exceeds_max_body_bytes(receiver, tmp_path):
    f = run(tmp_path, receiver, 3000, {"http.max_body_bytes": "4096"})
    st = receiver.state()
    assert st["unique_seqs"] == 3000
    assert st["max_body_seen"] <= 4096
    assert_accounted(f.stats(), 3000)


def test_timeouts_are_retried_and_deduplicated(receiver, tmp_path):
    # processed, then answered too late: the retry carries the same Idempotency-Key
    receiver.control(delay=2.5, times=2)
    f = run(tmp_path, receiver, 3000, {"http.timeout_ms": "1000"})
    st, s = receiver.state(), f.stats()
    assert st["duplicates"] >= 1
    assert st["unique_seqs"] == 3000 and st["seq_dups"] == 0
    assert s["retries"] >= 2
    assert_accounted(s, 3000)


def test_resets_mid_body(receiver, tmp_path):
    receiver.control(reset=True, times=3)
    f = run(tmp_path, receiver, 3000)
    st, s = receiver.state(), f.stats()
    assert st["unique_seqs"] == 3000
    assert s["retries"] >= 3
    assert_accounted(s, 3000)


def test_slow_responses(receiver, tmp_path):
    receiver.control(delay=0.3)  # every answer
    f = run(tmp_path, receiver, 4000, {"http.max_inflight": "4"})
    st = receiver.state()
    assert st["unique_seqs"] == 4000 and st["duplicates"] == 0
    assert_accounted(f.stats(), 4000)


def test_endpoint_down_then_back(tmp_path):
    receiver = Receiver(tmp_path)  # its port, nobody listening yet: connections are refused
    f = Feed(tmp_path, [receiver.url()], {**FAST_RETRY, "http.batch_max_age_ms": "200"})
    f.send(alert(i) for i in range(1500))
    wait_for(lambda: f.stats().get("spool_alerts") == 1500, 20, "everything spooled")
    f.send(alert(1500 + i) for i in range(500))
    time.sleep(1)
    receiver.start()
    try:
        wait_for(lambda: receiver.state()["unique_seqs"] == 2000, 30, "backlog delivered")
        assert f.close() == 0
        s = f.stats()
        assert s["spool_alerts"] == 0 and s["spooled_batches"] >= 2
        assert receiver.state()["seq_dups"] == 0
        assert_accounted(s, 2000)
    finally:
        receiver.stop()


def test_rotated_key_after_401(tmp_path):
    receiver = Receiver(tmp_path, key="new-key").start()
    keyfile = tmp_path / "key"
    keyfile.write_text("old-key\n")
    try:
        f = Feed(tmp_path, [receiver.url()], FAST_RETRY, key=None, key_file=keyfile)
        f.send(alert(i) for i in range(1200))
        wait_for(lambda: receiver.state()["statuses"].get("401"), 10, "a 401")
        # kept while the key is wrong (the last 200 spool once their batch ages out)
        wait_for(lambda: f.stats()["spool_alerts"] == 1200, 15, "all 1200 spooled")
        assert receiver.state()["unique_seqs"] == 0
        keyfile.write_text("new-key\n")  # rotation
        wait_for(lambda: receiver.state()["unique_seqs"] == 1200, 15, "delivery with the new key")
        assert f.close() == 0
        assert receiver.state()["auth_seen"] == ["old-key", "new-key"]
        assert "old-key" not in f.stderr() and "new-key" not in f.stderr()
        assert_accounted(f.stats(), 1200)
    finally:
        receiver.stop()


def test_key_not_known_yet_buffers(receiver, tmp_path):
    keyfile = tmp_path / "key-later"
    f = Feed(tmp_path, [receiver.url()], FAST_RETRY, key=None, key_file=keyfile)
    f.send(alert(i) for i in range(800))
    time.sleep(2)
    assert receiver.state()["unique_seqs"] == 0
    keyfile.write_text("k1")
    wait_for(lambda: receiver.state()["unique_seqs"] == 800, 15, "delivery once the key is known")
    assert f.close() == 0
    assert_accounted(f.stats(), 800)


def test_drain_deadline_leaves_the_rest_in_the_spool(receiver, tmp_path):
    receiver.control(delay=30)  # never answers in time
    f = Feed(tmp_path, [receiver.url()], {**FAST_RETRY, "drain.timeout_ms": "1500",
                                      "http.timeout_ms": "60000"})
    f.send(alert(i) for i in range(3000))
    wait_for(lambda: f.stats().get("requests", 0) >= 1, 10, "a request in flight")
    t0 = time.monotonic()
    f.term()
    assert f.wait(20) == 0
    assert time.monotonic() - t0 < 4
    s = f.stats()
    assert s["spool_alerts"] + s["delivered"] == 3000
    assert s["dropped_shutdown"] == 0
    # the receiver may have processed an aborted batch: it is also spooled, and
    # its Idempotency-Key makes the resend a duplicate, not a second copy
    assert_accounted(s, s["delivered"])
