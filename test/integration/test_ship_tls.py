"""TLS to the endpoint: a CA and a server certificate made at test time with
the openssl command-line tool. Verification is always on; a failure is an
error and the alerts wait in the spool, never go out unverified.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from receiver_harness import Feed, Receiver, alert, assert_accounted  # noqa: E402


pytestmark = pytest.mark.usefixtures("ship_feed_built")


@pytest.fixture
def tls_receiver(tmp_path, pki):
    """A fake SaaS receiver over https with a certificate from the test CA."""
    r = Receiver(tmp_path, args=["--tls", str(pki / "server.pem"), str(pki / "server.key")]).start()
    yield r
    r.stop()


def test_https_with_the_right_ca(tls_receiver, tmp_path, pki):
    f = Feed(tmp_path, [tls_receiver.url()], {"http.ca_file": str(pki / "ca.pem")})
    f.send(alert(i) for i in range(2000))
    assert f.close() == 0
    st = tls_receiver.state()
    assert st["unique_seqs"] == 2000 and st["errors"] == []
    assert_accounted(f.stats(), 2000)


def test_verification_failure_is_an_error_and_nothing_is_sent(tls_receiver, tmp_path, pki):
    f = Feed(tmp_path, [tls_receiver.url()], {"http.ca_file": str(pki / "other-ca.pem"),
                                     "http.retry_initial_ms": "50", "http.retry_max_ms": "100",
                                     "drain.timeout_ms": "1000"})
    f.send(alert(i) for i in range(500))
    assert f.close() == 0
    assert tls_receiver.state()["batches"] == 0
    err = f.stderr()
    assert "TLS certificate verification failed" in err
    assert err.count("TLS certificate verification failed") == 1  # said once, not per retry
    s = f.stats()
    assert s["spool_alerts"] == 500  # kept for later, not sent unverified, not dropped
    assert_accounted(s, 0)
    # with the right CA the same spool goes out
    g = Feed(tmp_path, [tls_receiver.url()], {"http.ca_file": str(pki / "ca.pem")})
    assert g.close() == 0
    assert tls_receiver.state()["unique_seqs"] == 500


def test_a_missing_ca_file_is_a_config_error(tmp_path):
    f = Feed(tmp_path, ["https://localhost:9/"], {"http.ca_file": str(tmp_path / "nope.pem")})
    assert f.close() == 2
    assert "http.ca_file" in f.stderr()


def test_plain_http_to_a_remote_host_warns(tmp_path):
    f = Feed(tmp_path, ["http://192.0.2.1:9/"], {"drain.timeout_ms": "200",
                                                 "http.timeout_ms": "200"})
    assert f.close() == 0
    assert "unencrypted" in f.stderr()
    g = Feed(tmp_path, ["http://127.0.0.1:9/"], {"drain.timeout_ms": "200"})
    assert g.close() == 0
    assert "unencrypted" not in g.stderr()


def test_http2_when_the_endpoint_offers_it(tmp_path, pki):
    """The endpoint offers h2 by ALPN: batches go over HTTP/2, several
    streams per connection, and arrive exactly as over HTTP/1.1."""
    r = Receiver(tmp_path, args=["--tls", str(pki / "server.pem"), str(pki / "server.key"),
                                 "--h2"]).start()
    try:
        f = Feed(tmp_path, [r.url()], {"http.ca_file": str(pki / "ca.pem"),
                                        "http.batch_max_alerts": "100"})
        f.send(alert(i) for i in range(3000))
        assert f.close() == 0
        st = r.state()
        assert st["errors"] == [] and st["unique_seqs"] == 3000 and st["seq_dups"] == 0
        assert st["h2_connections"] >= 1, "vigil did not take HTTP/2"
        assert st["h2_streams"] >= st["batches"] >= 30  # every batch went over h2
        assert st["h2_connections"] == 1  # one connection, the batches multiplexed on it
        assert_accounted(f.stats(), 3000)
    finally:
        r.stop()
