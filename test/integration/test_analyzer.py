"""The supervisor -> analyzer channel: crashes, back-pressure, and counting.

Each test runs the real vigil on a real workload and checks the event
stream's own bookkeeping: evt.num is assigned to every event the supervisor
queued, so any gap is a loss, and every loss must be reported by the
vigil_health counters (events_dropped, events_lost), never silent.
"""
import json
from pathlib import Path
import os
import signal
import subprocess
import sys
import threading
import time

from vigil_runner import analyzer_pids, vigil_env, vigil_run, vigil_start, wait_for_analyzer

WORKLOAD = [sys.executable, "-c",
            "import time\n"
            "for i in range(int(__import__('sys').argv[1])):\n"
            "    open('/etc/hostname').close()\n"
            "    if i % 2000 == 0: time.sleep(0.05)\n"]


def read_events(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def last_health(events):
    health = [e for e in events if e["evt.type"] == "vigil_health"]
    assert health, "no vigil_health event in the stream"
    return health[-1]


def gaps(events):
    # evt.num 0: events the analyzer made itself (FIM, its own health reports)
    nums = sorted(e["evt.num"] for e in events if e["evt.num"])
    assert len(nums) == len(set(nums)), "duplicate evt.num"
    return sum(b - a - 1 for a, b in zip(nums, nums[1:]))


def test_analyzer_killed_is_restarted_and_losses_counted(vigil_bin, tmp_path):
    out = tmp_path / "ev.ndjson"
    proc = vigil_start(vigil_bin, "--events-out", out, "--", *WORKLOAD, "20000", text=False)
    killed = 0
    deadline = time.time() + 20
    while killed < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.3)
        for pid in analyzer_pids(proc.pid):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert killed >= 1, "workload finished before the analyzer could be killed"
    events = read_events(out)
    health = last_health(events)
    assert health["vigil.analyzer_restarts"] >= 1
    assert b"analyzer killed by signal 9" in err
    # Whatever the crash lost is exactly what the successor reported.
    assert gaps(events) == health["vigil.events_lost"] + 0
    opens = [e for e in events if e["evt.type"] == "openat"
             and e.get("fd.name") == "/etc/hostname"]
    # Not analysed is counted: lost with a killed analyzer, or dropped when the
    # supervisor's queue filled while no analyzer read it (a slow restart: ASan).
    assert len(opens) + health["vigil.events_lost"] + health["vigil.events_dropped"] >= 20000


def test_stalled_analyzer_drops_are_counted_and_app_runs_on(vigil_bin, tmp_path):
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    lines = []

    def late_reader():  # nobody reads for a while: the analyzer blocks
        time.sleep(3)
        with open(fifo, encoding="utf-8") as f:
            lines.extend(f)

    reader = threading.Thread(target=late_reader)
    reader.start()
    start = time.time()
    proc = vigil_run(vigil_bin, "--events-out", fifo, "--queue-size", "131072", "--drain-timeout",
                     "20000", "--", *WORKLOAD, "30000", text=False, timeout=120)
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in lines if line.strip()]
    health = last_health(events)
    assert health["vigil.events_dropped"] > 0, "a stalled analyzer must cause counted drops"
    # The drops become alerts: every one reported, none twice.
    alerts = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith(b"{")]
    reports = [a for a in alerts if a["rule"] == "Vigil events dropped or lost"]
    assert reports, "drops raised no alert"
    assert all(a["priority"] == "Warning" for a in reports)
    assert sum(a["output_fields"]["vigil.events_dropped_new"] for a in reports) == \
        health["vigil.events_dropped"]
    # Dropped events never got a number: the numbered stream has no holes.
    assert gaps(events) == 0
    assert health["vigil.events_lost"] == 0
    assert time.time() - start < 100


def test_program_runs_when_analyzer_is_missing(vigil_bin, tmp_path):
    proc = vigil_run(vigil_bin, "--", "sh", "-c", "echo hi; exit 4", text=False, timeout=30,
                     env=vigil_env(VIGIL_ANALYZER=tmp_path / "no-such-analyzer"))
    assert proc.returncode == 4
    assert proc.stdout == b"hi\n"
    assert b"analyzer program not found" in proc.stderr


def test_analyzer_killed_before_it_answers_does_not_stop_the_program(vigil_bin, tmp_path):
    """The first analyzer is killed before it has said which syscalls the
    rules need (a stand-in that hangs there, so the kill cannot come late;
    the real one follows it). That silence is no verdict on the rules: the
    program starts, traced with the full set, and the restarted analyzer
    alerts on what it does."""
    real = Path(vigil_bin).with_name("vigil-analyzer")
    first_done, never = tmp_path / "first-started", tmp_path / "never-written"
    os.mkfifo(never)
    stand_in = tmp_path / "vigil-analyzer"
    # The wait is the shell's own (open of a FIFO nobody writes): no child
    # that would outlive the kill and hold vigil's pipes.
    stand_in.write_text(f"""#!/bin/sh
if [ ! -e {first_done} ]; then touch {first_done}; read x < {never}; exit 1; fi
exec {real} "$@"
""")
    stand_in.chmod(0o755)
    rules = tmp_path / "rules.yaml"
    rules.write_text("- rule: hostname read\n  desc: d\n  condition: evt.type in (open, openat, openat2) "
                     "and fd.name = /etc/hostname\n  output: read %fd.name\n  priority: WARNING\n")
    proc = vigil_start(vigil_bin, "--rules", rules, "--", "sh", "-c",
                       "sleep 0.5; cat /etc/hostname > /dev/null; sleep 0.5",
                       env=vigil_env(VIGIL_ANALYZER=stand_in), stdout=subprocess.PIPE)
    try:
        os.kill(wait_for_analyzer(proc.pid), signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "ended before it said which syscalls" in err
    assert '"rule":"hostname read"' in out, err


def test_events_out_errors_before_the_program_starts(vigil_bin, tmp_path):
    marker = tmp_path / "ran"
    proc = vigil_run(vigil_bin, "--events-out", tmp_path / "no/such/dir/x", "--", "touch", marker,
                     text=False, timeout=30)
    assert proc.returncode == 2
    assert b"--events-out" in proc.stderr
    assert not marker.exists()


def test_bad_option_is_a_usage_error(vigil_bin):
    for argv in (["--syscalls", "openat,nosuch", "--", "true"], ["--bogus", "--", "true"],
                 ["--queue-size", "12x", "--", "true"], []):
        proc = vigil_run(vigil_bin, *argv, text=False, timeout=30)
        assert proc.returncode == 2, argv
        assert proc.stderr, argv
    proc = vigil_run(vigil_bin, "--syscalls", "openat,nosuch", "--", "true", text=False, timeout=30)
    assert b"nosuch" in proc.stderr


def test_version_and_help(vigil_bin):
    v = vigil_run(vigil_bin, "version", text=False, timeout=10)
    assert v.returncode == 0 and v.stdout.startswith(b"vigil ")
    h = vigil_run(vigil_bin, "--help", text=False, timeout=10)
    assert h.returncode == 0 and b"--events-out" in h.stdout


def setuid_programs():
    found = []
    for d in ("/usr/bin", "/usr/sbin"):
        for name in os.listdir(d):
            path = os.path.join(d, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if os.path.isfile(path) and not os.path.islink(path) and st.st_mode & 0o4000:
                found.append(path)
    return found


# capsh runs vigil (its "$0") without CAP_SYS_ADMIN, as on Fargate.
WITHOUT_CAP_SYS_ADMIN = ("capsh", "--drop=cap_sys_admin", "--", "-c", 'exec "$0" "$@"')


def test_no_new_privs_names_weakened_setuid_programs(vigil_bin):
    progs = setuid_programs()
    assert progs, "this machine has no setuid program to check against"
    # Without CAP_SYS_ADMIN (as on Fargate) vigil must set no_new_privs and say what it costs.
    proc = vigil_run(vigil_bin, "--", "true", wrapper=WITHOUT_CAP_SYS_ADMIN, text=False, timeout=30)
    assert proc.returncode == 0, proc.stderr
    err = proc.stderr.decode()
    assert "no_new_privs is set" in err
    assert any(p in err for p in progs), err
    # The program really runs with no_new_privs.
    quiet = ("-o", "file:/dev/null")  # stdout is the program's alone (no coverage alert)
    proc = vigil_run(vigil_bin, "-q", *quiet, "--", "grep", "NoNewPrivs", "/proc/self/status",
                     wrapper=WITHOUT_CAP_SYS_ADMIN, text=False, timeout=30)
    assert proc.stdout.split() == [b"NoNewPrivs:", b"1"], proc.stdout
    # With CAP_SYS_ADMIN there is nothing to warn about, and no_new_privs stays off.
    proc = vigil_run(vigil_bin, *quiet, "--", "grep", "NoNewPrivs", "/proc/self/status", text=False,
                     timeout=30)
    assert b"no_new_privs is set" not in proc.stderr
    assert proc.stdout.split() == [b"NoNewPrivs:", b"0"], proc.stdout


def test_analyzer_crash_loop_at_shutdown_is_bounded_and_reported(vigil_bin, tmp_path):
    """An analyzer that keeps failing while vigil finishes: vigil gives up
    after three successors, still exits with the program's status, and
    says how many events went unanalysed instead of losing them silently."""
    count, ready = tmp_path / "starts", tmp_path / "ready"
    real = vigil_bin.parent / "vigil-analyzer"
    fake = tmp_path / "analyzer.sh"  # the real one first, then a crash loop
    fake.write_text("#!/bin/sh\n"
                    f"echo start >> '{count}'\n"
                    f"[ \"$(wc -l < '{count}')\" -eq 1 ] && exec '{real}' \"$@\"\n"
                    "exit 1\n")
    fake.chmod(0o755)
    program = f"touch '{ready}'; sleep 1; for i in 1 2 3 4 5; do cat /etc/hostname; done; exit 5"
    proc = vigil_start(vigil_bin, "--", "sh", "-c", program, env=vigil_env(VIGIL_ANALYZER=fake),
                       text=False)
    deadline = time.time() + 20
    while not ready.exists() and time.time() < deadline:
        time.sleep(0.02)
    victims = analyzer_pids(proc.pid)
    assert victims, "the real analyzer is not running"
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 5, err
    text = err.decode()
    assert text.count("giving up on it") == 1, text
    restarts = text.count("; restarting")
    # One start of the analyzer per "restarting", plus the first.
    assert len(count.read_text().split()) == restarts + 1
    lost = int(text.split("giving up on it: ")[1].split()[0])
    assert lost >= 5, f"the five opens after the crash were not counted: {text}"
