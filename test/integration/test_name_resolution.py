"""Host names for the HTTPS sink in any image (issue 12). The bundle's
binaries are static musl ones (packaging/static/): musl resolves names
itself, from /etc/hosts and then the servers of /etc/resolv.conf, with no
NSS modules to load (a static glibc cannot do that, which is why the static
build is musl). These tests prove it with the binary under test: vigil runs
in a private mount namespace whose /etc holds only what the test puts there
(no passwd, no nsswitch.conf, no CA bundle), alerts go by HTTP/2 over TLS to
a collector known only by a name in that /etc/hosts, and with
/etc/resolv.conf missing a name no file knows fails as a transport error:
spooled, said once, no hang."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path.insert(0, str(FAKES))
from receiver_harness import Receiver  # noqa: E402
from vigil_runner import vigil_env, vigil_run  # noqa: E402

NAME = "collector.vigil.test"
KEEP = ("VIGIL_RULES_DIR", "VIGIL_ANALYZER")  # where the build is, not settings under test


@pytest.fixture(scope="module")
def name_pki(tmp_path_factory):
    """ca.pem, and server.pem/server.key for NAME only (not localhost, not
    127.0.0.1): the connection verifies only if NAME was used."""
    if not shutil.which("openssl"):
        pytest.fail("the openssl command is needed (packaging/setup-debian.sh)", pytrace=False)
    d = tmp_path_factory.mktemp("name-pki")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=vigil test name ca", "-keyout", "ca.key", "-out", "ca.pem")
    (d / "ext.cnf").write_text(f"subjectAltName=DNS:{NAME}\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={NAME}",
            "-keyout", "server.key", "-out", "server.csr")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return d


@pytest.fixture(scope="module")
def own_etc_works():
    """unshare -m and a bind mount over /etc (root, as the sensor suites)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is needed")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    if p.returncode != 0:
        pytest.skip(f"no private mount namespace here: {p.stderr.decode(errors='replace')}")


def etc_dir(tmp_path, resolv_conf):
    """A bare /etc: hosts naming NAME, resolv.conf only when asked."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "hosts").write_text(f"127.0.0.1 localhost\n127.0.0.1 {NAME}\n")
    if resolv_conf:
        # a server nobody answers on: only /etc/hosts may resolve NAME
        (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    return etc


def run_with_etc(vigil_bin, etc, args, env):
    """vigil ARGS with ETC mounted on /etc, in a mount namespace of its own."""
    wrapper = ("unshare", "-m", "--propagation", "private", "sh", "-c",
               'mount --bind "$0" /etc && exec "$@"', str(etc))
    return vigil_run(vigil_bin, *args, env=env, timeout=120, wrapper=wrapper)


def base_env(tmp_path, **settings):
    return vigil_env(drop=lambda k: k.startswith(("VIGIL_", "AWS_")) and k not in KEEP,
                     VIGIL_SPOOL_DIR=tmp_path / "spool", **settings)


@pytest.mark.parametrize("resolv_conf", [True, False], ids=["resolv.conf", "no-resolv.conf"])
def test_https_sink_by_a_name_from_etc_hosts(vigil_bin, tmp_path, name_pki, own_etc_works,
                                             resolv_conf):
    r = Receiver(tmp_path, args=["--tls", str(name_pki / "server.pem"),
                                 str(name_pki / "server.key"), "--h2"]).start()
    try:
        etc = etc_dir(tmp_path, resolv_conf)
        env = base_env(tmp_path, VIGIL_API_KEY="k1")
        p = run_with_etc(vigil_bin, etc, ["-o", f"https://{NAME}:{r.port}/",
                                          "--ca-file", name_pki / "ca.pem", "--", "true"], env)
        assert p.returncode == 0, p.stderr
        st = r.state()
        assert st["errors"] == [], st["errors"]
        assert st["batches"] >= 1 and st["health"] >= 1, (st, p.stderr)  # the closing counters
        assert st["h2_streams"] >= 1, st                                   # nghttp2 linked in
        assert "left in the spool" not in p.stderr, p.stderr
    finally:
        r.stop()


@pytest.mark.parametrize("drain_ms", ["12000", "3000"])
def test_an_unknown_name_without_resolv_conf_spools_and_does_not_hang(vigil_bin, tmp_path,
                                                                      name_pki, own_etc_works,
                                                                      drain_ms):
    """No resolv.conf: musl then asks 127.0.0.1:53 and, with nobody there,
    gives up after its 5 s timeout (glibc at once, on the ICMP error). The
    program's exit status and the stop deadline hold either way, and the
    alerts wait in the spool (the deadline is longer than musl's timeout, so
    the first attempt has failed and spooled by then). With a deadline
    shorter than musl's timeout the lookup is still waiting when the drain
    ends: the transfer is given up without joining the lookup
    (CURLOPT_QUICK_EXIT), so the analyzer still spools before its deadline
    (it was stopped with nothing spooled before: alerts lost)."""
    etc = etc_dir(tmp_path, resolv_conf=False)
    env = base_env(tmp_path, VIGIL_API_KEY="k1", VIGIL_HTTP_RETRY_INITIAL_MS="50",
                   VIGIL_HTTP_RETRY_MAX_MS="200")
    # A hang past the drain deadline would hit run_with_etc's timeout: a failure.
    p = run_with_etc(vigil_bin, etc, ["-o", "https://collector.invalid/", "--drain-timeout", drain_ms,
                                      "--ca-file", name_pki / "ca.pem", "--", "sh", "-c", "exit 3"],
                     env)
    assert p.returncode == 3, p.stderr
    spooled = [f for f in (tmp_path / "spool").rglob("*") if f.is_file() and f.stat().st_size]
    assert spooled, p.stderr
