"""Drive test/fakes/receiver.py and ship-feed from pytest (test_ship_*.py).

ship-feed is found as $VIGIL_SHIP_FEED, else next to $VIGIL_BIN
(<build>/test/ship-feed), else <repo>/build/test/ship-feed.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PRIOS = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"]
LOSS = ["dropped_queue_full", "dropped_spool_full", "dropped_too_large", "dropped_rejected",
        "dropped_write", "dropped_shutdown", "dropped_invalid", "spool_corrupt_alerts"]


def ship_feed_path():
    if os.environ.get("VIGIL_SHIP_FEED"):
        return Path(os.environ["VIGIL_SHIP_FEED"])
    if os.environ.get("VIGIL_BIN"):
        return Path(os.environ["VIGIL_BIN"]).resolve().parent / "test" / "ship-feed"
    return REPO / "build" / "test" / "ship-feed"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alert(seq, prio="Warning", pad=0):
    """One Falco-format alert line carrying its sequence number."""
    a = {"time": "2026-11-25T15:34:08.123456789Z", "rule": "Terminal shell in container",
         "priority": prio, "source": "syscall",
         "output": f"A shell was spawned (user=root pid={1000 + seq})",
         "output_fields": {"proc.pid": 1000 + seq, "vigil.seq": seq, "user.name": "root"},
         "tags": ["container", "shell"], "hostname": "ip-10-0-0-1",
         "uuid": f"00000000-0000-4000-8000-{seq:012x}"}
    if pad:
        a["pad"] = os.urandom(pad // 2).hex()
    return json.dumps(a, separators=(",", ":"))


def wait_for(cond, timeout, what, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Receiver:
    def __init__(self, tmp, port=None, key="k1", args=()):
        self.tmp = Path(tmp)
        self.port = port or free_port()
        self.key = key
        self.args = list(args)
        self.proc = None
        self.state_file = self.tmp / f"receiver-state-{self.port}.jsonl"

    def start(self):
        cmd = [sys.executable, str(HERE / "receiver.py"), "--port", str(self.port),
               "--state-file", str(self.state_file)] + self.args
        if self.key is not None:
            cmd += ["--key", self.key]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.strip() == str(self.port), f"receiver did not start: {self.proc.stderr.read()}"
        return self

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def _open(self, req):
        ctx = None
        if "--tls" in self.args:
            import ssl
            ctx = ssl._create_unverified_context()
        return urllib.request.urlopen(req, timeout=10, context=ctx)

    @property
    def scheme(self):
        return "https" if "--tls" in self.args else "http"

    def url(self, path="/"):
        host = "localhost" if "--tls" in self.args else "127.0.0.1"
        return f"{self.scheme}://{host}:{self.port}{path}"

    def control(self, **cmd):
        req = urllib.request.Request(self.url("/_control"), data=json.dumps(cmd).encode(),
                                     method="POST")
        self._open(req).read()

    def state(self):
        return json.loads(self._open(self.url("/_state")).read())


class Feed:
    """ship-feed with the given sinks and settings; alerts go in through stdin."""

    def __init__(self, tmp, outputs, settings=None, key="k1", key_file=None, extra=(), env=None):
        self.tmp = Path(tmp)
        self.stats_path = self.tmp / f"stats-{time.monotonic_ns()}.json"
        cmd = [str(ship_feed_path()), "--stats", str(self.stats_path)]
        for o in outputs:
            cmd += ["-o", o]
        s = {"health.interval_s": "0", "spool.dir": str(self.tmp / "spool")}
        s.update(settings or {})
        for k, v in s.items():
            cmd += ["--set", f"{k}={v}"]
        if key_file:
            cmd += ["--key-file", str(key_file)]
        cmd += list(extra)
        e = dict(os.environ)
        e.pop("VIGIL_API_KEY", None)
        if key is not None:
            e["VIGIL_API_KEY"] = key
        e.update(env or {})
        self.errlog = open(self.tmp / f"feed-{time.monotonic_ns()}.err", "w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=self.errlog, env=e)

    def send(self, lines):
        data = "".join(line + "\n" for line in lines).encode()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close(self, timeout=60):
        self.proc.stdin.close()
        return self.wait(timeout)

    def wait(self, timeout=60):
        rc = self.proc.wait(timeout=timeout)
        return rc

    def term(self):
        self.proc.send_signal(signal.SIGTERM)

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stats(self):
        try:
            return json.loads(self.stats_path.read_text())
        except (OSError, ValueError):
            return {}

    def stderr(self):
        self.errlog.flush()
        self.errlog.seek(0)
        return self.errlog.read()


def lost(stats):
    return sum(stats.get(k, 0) for k in LOSS)


def assert_accounted(stats, received, submitted=None):
    """Every alert submitted was received, is still spooled, or is a loss counter."""
    sub = stats["submitted"] if submitted is None else submitted
    assert received + lost(stats) + stats["spool_alerts"] == sub, (
        f"unaccounted: submitted={sub} received={received} lost={lost(stats)} "
        f"spooled={stats['spool_alerts']} stats={stats}")
