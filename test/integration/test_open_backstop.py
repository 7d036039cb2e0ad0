"""The open backstop: inotify's IN_OPEN on the files the rules name, matched
with the sensor's open events, so an open vigil did not see is an alert.

Each test runs the real vigil with the bundled rules plus a rules file of
its own naming a temporary file (never the machine's /etc/shadow, which the
bundled rules name and other processes of a test host may open: assertions
look at the test's own file only). The traced program is backstop_driver.py
(steps on its command line, waiting for marker files); the "untraced
process" is the test itself, outside vigil's tree.
"""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vigil_runner import vigil_env, vigil_run, vigil_start, wait_for_analyzer

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "rules" / "vigil_rules.yaml"
FIM_RULES = REPO / "rules" / "vigil_fim_rules.yaml"
DRIVER = Path(__file__).with_name("backstop_driver.py")
TAMPER = "Vigil tamper attempt"
TIMEOUT = 30  # seconds for any one expected line; a hang is a failure


class Scene:
    """A temporary directory: the watched file, rules naming it, vigil's outputs."""

    def __init__(self, tmp_path):
        self.dir = Path(os.path.realpath(tmp_path))
        (self.dir / "watched").mkdir()
        self.secret = self.dir / "watched" / "secret"
        self.secret.write_text("s3cret\n")
        self.rules = self.dir / "rules.yaml"
        self.alerts_file = self.dir / "alerts.jsonl"
        self.events = self.dir / "events.ndjson"
        self.err = self.dir / "vigil.stderr"
        self.name_in_rules(self.secret)

    def name_in_rules(self, *paths, dirs=()):
        rules = ""
        for i, d in enumerate(dirs):
            rules += (f"- rule: Test read in watched directory {i}\n  desc: d\n"
                      f"  condition: evt.type in (open, openat, openat2) and fd.directory = {d}\n"
                      f"  output: file opened in a watched directory (file=%fd.name)\n"
                      f"  priority: WARNING\n")
        for i, p in enumerate(paths):
            rules += (f"- rule: Test read of watched file {i}\n  desc: d\n"
                      f"  condition: evt.type in (open, openat, openat2) and evt.is_open_read = true\n"
                      f"    and fd.name = {p}\n"
                      f"  output: watched file opened (file=%fd.name process=%proc.name)\n"
                      f"  priority: WARNING\n")
        self.rules.write_text(rules)

    def args(self, *extra, fim_rules=False):
        rules = ["--rules", BUNDLED, "--rules", self.rules]
        if fim_rules:
            rules += ["--rules", FIM_RULES]
        return ["-v", *rules, "-o", f"file:{self.alerts_file}", "--events-out", self.events,
                *extra]

    def start(self, vigil_bin, *steps, extra=(), fim_rules=False, env=None):
        """vigil running the driver with steps; stderr in a file, for markers."""
        with open(self.err, "w") as err:
            return vigil_start(vigil_bin, *self.args(*extra, fim_rules=fim_rules), "--",
                               sys.executable, DRIVER, *steps, env=env or vigil_env(),
                               cwd=self.dir, stdout=subprocess.DEVNULL, stderr=err)

    def run(self, vigil_bin, *steps, extra=()):
        """vigil running the driver to its end."""
        r = vigil_run(vigil_bin, *self.args(*extra), "--", sys.executable, DRIVER, *steps,
                      cwd=self.dir, out_dir=self.dir, name="vigil")
        self.err.write_text(r.stderr)
        return r

    def stderr(self):
        return self.err.read_text(errors="replace")

    def wait_stderr(self, text, count=1):
        """Bounded poll for the count-th line of vigil's stderr containing text."""
        deadline = time.monotonic() + TIMEOUT
        while self.stderr().count(text) < count:
            assert time.monotonic() < deadline, f"no {text!r} (x{count}) on stderr:\n{self.stderr()}"
            time.sleep(0.02)

    def wait_watching(self, path=None):
        """The backstop says what it watches once its watches exist."""
        self.wait_stderr("open backstop: watching")
        line = next(l for l in self.stderr().splitlines() if "open backstop: watching" in l)
        watched = line.split("; missing")[0]
        assert str(path or self.secret) in watched, line

    def alerts(self):
        if not self.alerts_file.exists():
            return []
        return [json.loads(l) for l in self.alerts_file.read_text().splitlines() if l.startswith("{")]

    def unseen_alerts(self, path=None, kind="unseen_open"):
        return [a for a in self.alerts() if a.get("rule") == TAMPER
                and f"kind={kind} " in a["output"]
                and (kind != "unseen_open" or a["output_fields"].get("fd.name") == str(path or self.secret))]

    def wait_unseen(self, count=1, path=None, kind="unseen_open"):
        """Bounded poll for the count-th tamper alert of this kind (and file)."""
        deadline = time.monotonic() + TIMEOUT
        while len(self.unseen_alerts(path, kind)) < count:
            assert time.monotonic() < deadline, (
                f"no {kind} alert #{count}\nalerts: {self.alerts()[-5:]}\nstderr:\n{self.stderr()}")
            time.sleep(0.05)
        return self.unseen_alerts(path, kind)

    def wait_alert(self, pred, what):
        deadline = time.monotonic() + TIMEOUT
        while not [a for a in self.alerts() if pred(a)]:
            assert time.monotonic() < deadline, f"no {what}\nalerts: {self.alerts()[-5:]}\n{self.stderr()}"
            time.sleep(0.05)

    def mark(self, name):
        (self.dir / name).touch()

    def wait_file(self, name):
        deadline = time.monotonic() + TIMEOUT
        while not (self.dir / name).exists():
            assert time.monotonic() < deadline, f"the driver did not reach {name}\n{self.stderr()}"
            time.sleep(0.02)

    def events_of(self):
        return [json.loads(l) for l in self.events.read_text().splitlines()]

    def unseen_opens(self, path=None):
        """Opens of path reported unseen, summed over --events-out."""
        return sum(int(e["evt.arg.opens"]) for e in self.events_of()
                   if e.get("evt.type") == "vigil_unseen_open"
                   and e.get("fd.name") == str(path or self.secret))


def open_outside(path, n=1):
    """Open path from this process: one vigil does not trace."""
    for _ in range(n):
        os.close(os.open(path, os.O_RDONLY))


def finish(scene, p):
    scene.mark("go")
    assert p.wait(timeout=60) == 0, scene.stderr()


@pytest.fixture
def scene(tmp_path):
    return Scene(tmp_path)


def test_open_by_an_untraced_process_is_a_critical_alert(vigil_bin, scene):
    p = vigil_start_waiting(vigil_bin, scene)
    open_outside(scene.secret)
    a = scene.wait_unseen()[0]
    assert a["priority"] == "Critical"
    assert f"file={scene.secret} " in a["output"]
    assert "opener=unknown: a process vigil does not trace" in a["output"]
    assert "opens=1 " in a["output"] and "process=<NA>" in a["output"]
    finish(scene, p)
    ev = [e for e in scene.events_of() if e.get("evt.type") == "vigil_unseen_open"
          and e.get("fd.name") == str(scene.secret)]
    assert len(ev) == 1, ev
    assert ev[0]["evt.source"] == "vigil" and ev[0]["vigil.tamper"] == "unseen_open"
    assert ev[0]["evt.num"] == 0 and "proc.pid" not in ev[0]
    # vigil replay reads it back and the same rule fires
    rr = vigil_run(vigil_bin, "replay", "--rules", BUNDLED, scene.events)
    assert rr.returncode == 0, rr.stderr
    replayed = [json.loads(l) for l in rr.stdout.splitlines() if l.startswith("{")]
    assert [r for r in replayed if r["rule"] == TAMPER
            and r["output_fields"].get("fd.name") == str(scene.secret)], rr.stdout[-2000:]


def vigil_start_waiting(vigil_bin, scene, *steps, **kw):
    """vigil with the driver doing steps then waiting for "go"; watches in place."""
    p = scene.start(vigil_bin, *steps, f"wait:{scene.dir / 'go'}", **kw)
    scene.wait_watching()
    return p


def test_traced_opens_and_execs_are_accounted_for(vigil_bin, scene):
    """50 reads, O_PATH opens and two execs of a watched script (absolute and
    relative) by the traced program: no unseen open. The test's own open,
    made first (the backstop is live), is the only one reported."""
    script = scene.dir / "watched" / "tool.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    scene.name_in_rules(scene.secret, script)
    p = scene.start(vigil_bin, f"wait:{scene.dir / 'go'}", f"read:{scene.secret}:50",
                    f"opath:{scene.secret}:5", f"exec:{script}", "exec:watched/tool.sh")
    scene.wait_watching()
    open_outside(scene.secret)
    scene.wait_unseen()
    finish(scene, p)
    assert scene.unseen_opens() == 1, scene.stderr()
    assert scene.unseen_opens(script) == 0, scene.stderr()
    reads = [a for a in scene.alerts() if a["rule"] == "Test read of watched file 0"]
    assert len(reads) == 50


def test_directory_entries_are_watched(vigil_bin, scene):
    """fd.directory = D: opens of D's entries (files and subdirectories)
    count, D's own opens (a listing) do not; the traced program's are seen,
    the test's is reported by the entry's name."""
    keys = scene.dir / "keys"
    (keys / "sub").mkdir(parents=True)
    for name in ("id_a", "id_b"):
        (keys / name).write_text("k\n")
    scene.name_in_rules(dirs=[keys])
    p = scene.start(vigil_bin, f"wait:{scene.dir / 'go'}", f"read:{keys / 'id_a'}:3",
                    f"list:{keys}", f"list:{keys / 'sub'}")
    scene.wait_watching(f"{keys}/*")
    open_outside(keys / "id_b")
    scene.wait_unseen(path=keys / "id_b")
    os.listdir(keys)  # the directory itself: not an entry's open
    finish(scene, p)
    assert scene.unseen_opens(keys / "id_b") == 1, scene.stderr()
    assert scene.unseen_opens(keys / "id_a") == 0 and scene.unseen_opens(keys / "sub") == 0
    assert scene.unseen_opens(keys) == 0, scene.stderr()


def test_hard_link_opened_by_the_traced_program_is_alerted(vigil_bin, scene):
    """The rules see the link's name only; the kernel opened the watched file."""
    alias = scene.dir / "elsewhere"
    r = scene.run(vigil_bin, f"link:{scene.secret}:{alias}", f"read:{alias}:1")
    assert r.returncode == 0, r.stderr
    a = scene.unseen_alerts()
    assert len(a) == 1 and "opens=1 " in a[0]["output"], (scene.alerts(), r.stderr)
    assert not [x for x in scene.alerts() if x["rule"].startswith("Test read")]
    assert scene.unseen_opens() == 1


def test_fim_reads_of_the_watched_file_are_not_unseen_opens(vigil_bin, scene):
    """FIM hashes the watched file at its baseline and again after a change
    (vigil's own opens, on its scan thread and in its loop): only the test's
    own open is reported."""
    env = vigil_env(VIGIL_FIM_DB=scene.dir / "fim.db")
    p = scene.start(vigil_bin, f"wait:{scene.dir / 'go'}", f"append:{scene.secret}",
                    f"wait:{scene.dir / 'end'}", extra=["--fim", scene.secret.parent],
                    fim_rules=True, env=env)
    scene.wait_watching()
    scene.wait_stderr("fim: baseline of")
    open_outside(scene.secret)
    scene.wait_unseen()
    scene.mark("go")
    scene.wait_alert(lambda a: a.get("source") == "fim"
                     and a["output_fields"].get("fim.path") == str(scene.secret)
                     and a["output_fields"].get("fim.action") == "modified", "FIM alert for the change")
    scene.mark("end")
    assert p.wait(timeout=60) == 0, scene.stderr()
    assert scene.unseen_opens() == 1, scene.stderr()


def test_replaced_file_is_watched_again(vigil_bin, scene):
    """A file replaced by rename, or deleted and made again, is a new inode:
    watched again (the debug line says when), and its opens are seen."""
    p = vigil_start_waiting(vigil_bin, scene, extra=["-v"])
    new = scene.secret.with_name("secret.new")
    new.write_text("replaced\n")
    os.replace(new, scene.secret)
    scene.wait_stderr(f"watching {scene.secret} again", 1)
    open_outside(scene.secret)
    scene.wait_unseen(1)
    scene.secret.unlink()
    scene.secret.write_text("made again\n")
    scene.wait_stderr(f"watching {scene.secret} again", 2)
    open_outside(scene.secret)
    scene.wait_unseen(2)
    finish(scene, p)
    assert scene.unseen_opens() == 2


def test_queue_overflow_is_reported(vigil_bin, scene):
    """More open events than inotify queues while the analyzer is stopped
    (two files in turn: the kernel merges an event into an identical one
    before it): the backstop says it lost track, and still reports what it
    kept."""
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    other = scene.secret.with_name("other")
    other.write_text("o\n")
    scene.name_in_rules(scene.secret, other)
    p = vigil_start_waiting(vigil_bin, scene)
    analyzer = wait_for_analyzer(p.pid)
    os.kill(analyzer, signal.SIGSTOP)
    try:
        for _ in range(limit // 2 + 100):
            open_outside(scene.secret)
            open_outside(other)
    finally:
        os.kill(analyzer, signal.SIGCONT)
    a = scene.wait_unseen(kind="open_watch_lost")
    assert a[0]["priority"] == "Critical" and "details=lost=" in a[0]["output"]
    assert "lost track" in scene.stderr()
    scene.wait_unseen()
    finish(scene, p)


def test_raced_path_is_accounted_for(vigil_bin, progs_dir, scene):
    """A thread rewrites the path while the open waits in the tracer: every
    open that reached the watched file is either an open event of its name
    or an unseen open (none is lost)."""
    decoy = scene.secret.with_name("decoy_")
    decoy.write_text("d\n")
    r = vigil_run(vigil_bin, *scene.args(), "--", progs_dir / "open_race", scene.secret, decoy, 300,
                  out_dir=scene.dir, name="race")
    assert r.returncode == 0, r.stderr
    report = json.loads(next(l for l in r.stdout.splitlines() if l.startswith("VIGILTEST "))[10:])
    reached = report["secret"]
    if reached == 0:
        pytest.skip("no open reached the watched file (the flip never landed)")
    named = [e for e in scene.events_of() if e.get("evt.type") in ("open", "openat", "openat2")
             and e.get("fd.name") == str(scene.secret) and e.get("evt.res", 0) >= 0]
    unseen = scene.unseen_opens()
    assert unseen + len(named) >= reached, (
        f"{reached} opens reached {scene.secret}: {len(named)} seen by name, {unseen} reported unseen")


@pytest.mark.parametrize("flags,on", [([], True), (["--no-trace"], False),
                                      (["--syscalls", "execve"], False), (["--host"], False)])
def test_backstop_only_where_opens_are_traced(vigil_bin, scene, flags, on):
    """Without traced opens (or on a host, where the files are every process's)
    every open would be unseen: no backstop, and no alert."""
    r = scene.run(vigil_bin, f"read:{scene.secret}:1", extra=flags)
    assert r.returncode == 0, r.stderr
    assert ("open backstop: watching" in r.stderr) == on, r.stderr
    assert not scene.unseen_alerts()
