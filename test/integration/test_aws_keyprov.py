"""The background key provider, through `vigil aws check --watch`: periodic
re-fetch and key rotation, re-fetch on demand (what a 401 from the endpoint
triggers) with its rate limit, credentials refreshed before they expire,
recovery from a permanent error, and the key kept out of dumpable memory."""
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_ecs_creds import FakeContainerCreds  # noqa: E402
from aws_harness import (KEY, PARAM, STATIC_SECRET, assert_no_secrets, cred_secrets,  # noqa: E402
                         fingerprint, ssm_env)
from vigil_runner import vigil_start  # noqa: E402

KEY2 = "vk_live_ROTATED_9s8d7f6g5h4j3k2l1z0x"



class Watch:
    """`vigil aws check --watch SECONDS`, its stdout read line by line."""

    def __init__(self, vigil_bin, env, seconds):
        self.p = vigil_start(vigil_bin, "aws", "check", "--watch", seconds, env=env,
                             stdout=subprocess.PIPE, text=False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.p.stdout, selectors.EVENT_READ)
        self.lines, self.partial, self.eof = [], b"", False

    def _read_some(self, timeout):
        """Unbuffered: select() must see every byte not yet consumed."""
        if self.eof or not self.sel.select(timeout=timeout):
            return []
        chunk = os.read(self.p.stdout.fileno(), 65536)
        self.eof = not chunk
        *done, self.partial = (self.partial + chunk).split(b"\n")
        new = [d.decode() + "\n" for d in done]
        self.lines += new
        return new

    def wait_for(self, pattern, timeout=10):
        """Lines until one matches pattern (a regex); fails on timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline and not self.eof:
            for line in self._read_some(0.2):
                if re.search(pattern, line):
                    return line
        pytest.fail(f"no line matching {pattern!r} in {self.lines!r}")

    def finish(self, secrets=()):
        while not self.eof:
            self._read_some(1)
        err = self.p.stderr.read().decode()
        self.p.wait(timeout=60)
        self.stdout, self.stderr = "".join(self.lines) + self.partial.decode(), err
        assert_no_secrets(self.stdout + self.stderr, [KEY, KEY2, STATIC_SECRET, *secrets])
        return self.p.returncode


def fingerprints(text):
    return re.findall(r"sha256 ([0-9a-f]{16})\.\.\.", text)


def test_periodic_refetch_picks_up_rotation(vigil_bin, ssm_static_keys):
    w = Watch(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_REFRESH=1), 6)
    w.wait_for(r"^key: .*fetched")
    ssm_static_keys.params[PARAM] = KEY2
    w.wait_for(fingerprint(KEY2))
    assert w.finish() == 0, w.stderr
    assert fingerprints(w.stdout) == [fingerprint(KEY), fingerprint(KEY2)]  # one line per change, not per fetch
    assert len(ssm_static_keys.requests) >= 3


def test_invalidate_refetches_at_once_but_rate_limited(vigil_bin, ssm_static_keys):
    w = Watch(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_REFRESH=900, VIGIL_API_KEY_MIN_REFETCH=3), 7)
    w.wait_for(r"^key: .*fetched")
    ssm_static_keys.params[PARAM] = KEY2
    w.p.send_signal(signal.SIGUSR1)
    w.p.send_signal(signal.SIGUSR1)  # a burst of 401s is one re-fetch
    w.wait_for(fingerprint(KEY2))
    assert w.finish() == 0, w.stderr
    assert len(ssm_static_keys.requests) == 2
    gap = ssm_static_keys.requests[1]["time"] - ssm_static_keys.requests[0]["time"]
    assert 2.5 <= gap <= 5, gap


def test_invalidate_without_limit_is_immediate(vigil_bin, ssm_static_keys):
    w = Watch(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_MIN_REFETCH=0), 5)
    w.wait_for(r"^key: .*fetched")
    t0 = time.time()
    w.p.send_signal(signal.SIGUSR1)
    w.wait_for(r"^invalidate:")
    while len(ssm_static_keys.requests) < 2 and time.time() - t0 < 3:
        time.sleep(0.05)
    assert len(ssm_static_keys.requests) == 2 and ssm_static_keys.requests[1]["time"] - t0 < 1.5
    assert w.finish() == 0


def test_credentials_refreshed_before_expiry(vigil_bin, static_keys, ssm_static_keys):
    with FakeContainerCreds(static_keys, "/creds", lifetime_s=4) as c:
        env = ssm_env(ssm_static_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds", VIGIL_API_KEY_REFRESH=1)
        del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        w = Watch(vigil_bin, env, 9)
        rc = w.finish()
        assert_no_secrets(w.stdout + w.stderr, cred_secrets(c.issued))
    assert rc == 0, w.stderr
    assert len(c.issued) >= 3
    # each new set was fetched while the previous one was still valid
    for prev, req in zip(c.issued, c.requests[1:]):
        assert req["time"] < prev["exp"]
    # no SSM call ever went out with expired credentials
    assert all(r["status"] == 200 for r in ssm_static_keys.requests), [r.get("answer") for r in ssm_static_keys.requests]
    assert len({r["auth"]["akid"] for r in ssm_static_keys.requests}) >= 2


def test_permanent_error_then_recovery(vigil_bin, ssm_static_keys):
    ssm_static_keys.script = ["access_denied"]
    w = Watch(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_REFRESH=1), 5)
    w.wait_for(r"^error: .*ssm:GetParameter")
    w.wait_for(r"^key: .*fetched")  # the policy was fixed: the next try works
    assert w.finish() == 0


def test_permanent_error_exit_code(vigil_bin, ssm_static_keys):
    w = Watch(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_SSM="/prod/vigil/nope"), 2)
    assert w.finish() == 1
    assert "/prod/vigil/nope" in w.stderr and "not found" in w.stderr


def readable_regions(pid):
    """(start, end, dontdump) of every readable mapping."""
    regions, cur = [], None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        if m:
            cur = [int(m.group(1), 16), int(m.group(2), 16), m.group(3).startswith("r"), False]
            regions.append(cur)
        elif line.startswith("VmFlags:") and cur:
            cur[3] = " dd" in line + " "
    return [(s, e, dd) for s, e, r, dd in regions if r]


def test_key_only_in_dontdump_memory(vigil_bin, static_keys, ssm_static_keys):
    """What a core dump would hold: every readable mapping not marked
    MADV_DONTDUMP must be free of the key and the AWS secret key."""
    with FakeContainerCreds(static_keys, "/creds") as c:
        env = ssm_env(ssm_static_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds")
        del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        w = Watch(vigil_bin, env, 8)
        w.wait_for(r"^key: .*fetched")
        time.sleep(0.3)
        pid = w.p.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            regions = readable_regions(pid)
            needles = [KEY.encode(), c.issued[0]["SecretAccessKey"].encode(), c.issued[0]["Token"][:64].encode()]
            found = []
            with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
                for start, end, dd in regions:
                    if dd or end - start > 256 << 20:
                        continue
                    try:
                        mem.seek(start)
                        data = mem.read(end - start)
                    except OSError:
                        continue
                    found += [(hex(start), i) for i, n in enumerate(needles) if n in data]
        finally:
            os.kill(pid, signal.SIGCONT)
        w.p.send_signal(signal.SIGTERM)
        w.finish(cred_secrets(c.issued))
    assert any(dd for _, _, dd in regions), "no MADV_DONTDUMP mapping"
    assert found == [], f"secret bytes in dumpable memory: {found}"
