"""Shared fixtures for vigil's integration tests (pytest).

Keep this file small: every integration suite imports it.

Environment:
  VIGIL_BIN         path of the vigil binary      (default <repo>/build/vigil)
  VIGIL_TEST_PROGS  directory of test programs    (default <repo>/build/test/progs)

Missing paths are test failures, never skips: a suite that silently skips
because nothing was built proves nothing.
"""
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _path_from_env(var, default, want_exec):
    path = Path(os.environ.get(var) or default)
    if want_exec:
        ok = path.is_file() and os.access(path, os.X_OK)
    else:
        ok = path.is_dir()
    if not ok:
        what = "an executable file" if want_exec else "a directory"
        pytest.fail(f"{var}: {path} is not {what}; build it "
                    f"(cmake -S {REPO} -B {REPO}/build && cmake --build "
                    f"{REPO}/build) or set {var}", pytrace=False)
    return path


@pytest.fixture(scope="session")
def repo_root():
    return REPO


@pytest.fixture(scope="session")
def vigil_bin():
    """Absolute path of the vigil binary under test."""
    return _path_from_env("VIGIL_BIN", REPO / "build" / "vigil", True).resolve()


@pytest.fixture(scope="session")
def progs_dir():
    """Directory holding the compiled test programs (test/progs)."""
    return _path_from_env("VIGIL_TEST_PROGS", REPO / "build" / "test" / "progs",
                          False).resolve()


@pytest.fixture(scope="session")
def sensor(vigil_bin):
    """The sensor vigil picks here (VIGIL_SENSOR, or auto for this kernel):
    "ptrace" or "notify". Tests whose events differ by sensor by design ask."""
    import re
    import subprocess
    p = subprocess.run([str(vigil_bin), "-v", "--no-rules", "--", "true"], capture_output=True,
                       text=True, timeout=60)
    m = re.search(r"sensor: (\w+)", p.stderr)
    if not m:
        pytest.fail(f"vigil -v did not say its sensor:\n{p.stderr}", pytrace=False)
    return m.group(1)


def _fakes(name):
    """A module of test/fakes (the fakes of remote services and their harnesses)."""
    import importlib
    import sys
    fakes = str(REPO / "test" / "fakes")
    if fakes not in sys.path:
        sys.path.insert(0, fakes)
    return importlib.import_module(name)


# The ship suites (test_ship_*.py): the ship-feed driver and a live receiver.
@pytest.fixture(scope="module")
def ship_feed_built():
    """Fails a ship suite at once when ship-feed is not built (mark the module
    with pytest.mark.usefixtures("ship_feed_built"))."""
    p = _fakes("receiver_harness").ship_feed_path()
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"{p}: ship-feed is not built (cmake --build build)", pytrace=False)


@pytest.fixture
def receiver(tmp_path):
    """A fake SaaS receiver over http, already listening, accepting the key k1."""
    r = _fakes("receiver_harness").Receiver(tmp_path).start()
    yield r
    r.stop()


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """ca.pem, and server.pem/server.key for localhost and 127.0.0.1 signed by
    it; other-ca.pem, an unrelated CA. Made with the openssl command."""
    import shutil
    import subprocess
    if not shutil.which("openssl"):
        pytest.fail("the openssl command is needed (packaging/setup-debian.sh)", pytrace=False)

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    d = tmp_path_factory.mktemp("pki")
    for name in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", f"/CN=vigil test {name}", "-keyout", f"{name}.key", "-out", f"{name}.pem")
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return d


# The AWS suites (test_aws_*.py): a credential store and the strict fake SSM.
@pytest.fixture
def static_keys():
    """A credential store that knows the static test key pair (STATIC_AKID)."""
    return _fakes("aws_harness").static_store()


@pytest.fixture
def ssm_static_keys(static_keys):
    """The fake SSM in us-east-1 holding PARAM = KEY, accepting the static test
    keys; any request that breaks the protocol (SigV4 included) fails the test."""
    yield from _fakes("aws_harness").strict_ssm(static_keys)
