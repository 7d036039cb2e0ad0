"""Both sensors see the same things exactly (docs/architecture.md, "Sensors").

Every case runs under `--sensor ptrace` and `--sensor notify`. The notify
sensor does not stop every task: threads run unattached and a process is
met at its first notification, so these are the edges where it could
differ: a child no fork event announces, a process that made itself
undumpable, an exec from a thread vigil never met. Plus the choice itself:
the option, the variable, and the vigil.sensor field of health events.
"""
import json
import os

import pytest

from vigil_runner import vigil_env, vigil_run

SENSORS = ("ptrace", "notify")


def run_edges(vigil_bin, progs_dir, tmp_path, sensor, mode):
    ev_path = tmp_path / "events.ndjson"
    p = vigil_run(vigil_bin, "--sensor", sensor, "--no-rules", "--events-out", ev_path, "--",
                  progs_dir / "sensor_edges", mode, tmp_path, timeout=60,
                  env=vigil_env(drop=("VIGIL_",)))
    assert p.returncode == 0, p.stderr
    reports = [json.loads(line.split(" ", 1)[1]) for line in p.stdout.splitlines()
               if line.startswith("VIGILTEST ")]
    events = [json.loads(line) for line in ev_path.read_text().splitlines()]
    return reports, events


def find(events, **want):
    return [e for e in events if all(e.get(k.replace("__", ".")) == v for k, v in want.items())]


@pytest.mark.parametrize("sensor", SENSORS)
def test_child_without_fork_event_is_seen(vigil_bin, progs_dir, tmp_path, sensor):
    """clone() with no exit signal: no fork event, no auto-attach. Its open
    and its exec must appear with its own pid and its real parent."""
    reports, events = run_edges(vigil_bin, progs_dir, tmp_path, sensor, "clone_nosig")
    r = reports[0]
    marker = str(tmp_path / "marker-nosig")
    opens = find(events, evt__type="openat", fd__name=marker)
    assert opens and opens[0]["proc.pid"] == r["child"], opens or events
    assert opens[0]["proc.ppid"] == r["pid"], opens[0]
    execs = find(events, evt__type="execve", proc__pid=r["child"])
    assert execs and execs[-1]["proc.exepath"] == os.path.realpath("/bin/true"), execs or events
    assert execs[-1]["proc.ppid"] == r["pid"], execs[-1]


@pytest.mark.parametrize("sensor", SENSORS)
def test_undumpable_process_is_still_read(vigil_bin, progs_dir, tmp_path, sensor):
    """PR_SET_DUMPABLE 0 takes ptrace access from unprivileged readers; the
    path of its open must still be read (vigil keeps CAP_SYS_PTRACE)."""
    reports, events = run_edges(vigil_bin, progs_dir, tmp_path, sensor, "undumpable")
    marker = str(tmp_path / "marker-undumpable")
    assert find(events, evt__type="openat", fd__name=marker, proc__pid=reports[0]["pid"]), events


@pytest.mark.parametrize("sensor", SENSORS)
def test_exec_from_a_thread_never_met(vigil_bin, progs_dir, tmp_path, sensor):
    """The exec'ing thread made no traced call before: the exec is reported
    with the image that runs, under the process's pid."""
    reports, events = run_edges(vigil_bin, progs_dir, tmp_path, sensor, "thread_exec")
    pid = reports[0]["pid"]
    execs = [e for e in find(events, evt__type="execve", proc__pid=pid)
             if e.get("proc.args") == "thread-exec"]
    assert execs, find(events, evt__type="execve")
    assert execs[0]["proc.exepath"] == os.path.realpath("/bin/true"), execs[0]
    assert execs[0]["evt.res"] == 0, execs[0]


@pytest.mark.parametrize("sensor", SENSORS)
def test_blocking_open_in_a_threaded_process(vigil_bin, progs_dir, tmp_path, sensor):
    """Opens of a multi-threaded process are taken to their exit (race.h).
    An open of a FIFO sleeps until a writer comes: it must sleep (not be
    interrupted over and over while it waits), succeed, and be reported
    with its result and the kernel's name of the file."""
    reports, events = run_edges(vigil_bin, progs_dir, tmp_path, sensor, "fifo_threads")
    r = reports[0]
    assert r["fd"] >= 0 and r["read"] == 2, r
    # A waiting open costs no CPU; a second of being cut short and rerun
    # costs a third of one here.
    assert r["open_cpu_ms"] < 100, r
    fifo = str(tmp_path / "fifo")
    opens = find(events, evt__type="openat", fd__name=fifo, proc__pid=r["pid"])
    assert len(opens) == 2, opens or find(events, evt__type="openat")
    assert all(e.get("evt.res", -1) >= 0 and e.get("fd.num", -1) >= 0 for e in opens), opens


@pytest.mark.parametrize("sensor", SENSORS)
def test_health_events_name_the_sensor(vigil_bin, tmp_path, sensor):
    ev_path = tmp_path / "events.ndjson"
    p = vigil_run(vigil_bin, "-v", "--sensor", sensor, "--no-rules", "--events-out", ev_path, "--",
                  "true", env=vigil_env(drop=("VIGIL_",)))
    assert p.returncode == 0, p.stderr
    health = [json.loads(line) for line in ev_path.read_text().splitlines()
              if '"vigil_health"' in line]
    assert health, ev_path.read_text()
    named = health[-1]["vigil.sensor"]
    assert named.split("-")[0] == sensor, health[-1]
    assert f"sensor: {named}" in p.stderr


def sync_switches(vigil_bin, tmp_path, *argv):
    p = vigil_run(vigil_bin, "-v", "-v", "--sensor", "notify", "--no-rules", "--", *argv,
                  env=vigil_env(drop=("VIGIL_",)), timeout=120)
    assert p.returncode == 0, p.stderr
    if "sensor: notify-sync" not in p.stderr:
        pytest.skip("no synchronous wake-up on this kernel")
    return [line.split("synchronous wake-up ", 1)[1] for line in p.stderr.splitlines()
            if "synchronous wake-up o" in line]


def test_sync_wakeup_follows_the_callers(vigil_bin, tmp_path):
    """The same-CPU hand-off stays on while one process makes the calls
    (a file loop) and goes off when many do (a spawn loop), where it costs
    parallelism (sync.c; docs/performance.md)."""
    f = tmp_path / "f"
    one = sync_switches(vigil_bin, tmp_path, "sh", "-c",
                        f"i=0; while [ $i -lt 300 ]; do : > {f}; i=$((i+1)); done")
    assert not [s for s in one if s.startswith("off")], one
    many = sync_switches(vigil_bin, tmp_path, "sh", "-c",
                         "i=0; while [ $i -lt 100 ]; do cat /dev/null; i=$((i+1)); done")
    assert many and many[0].startswith("off: calls from several processes"), many


def test_sync_wakeup_can_be_switched_off(vigil_bin, tmp_path):
    """VIGIL_NOTIFY_SYNC=0 (for measurements) keeps notification, without
    the same-CPU hand-off."""
    p = vigil_run(vigil_bin, "-v", "--sensor", "notify", "--no-rules", "--", "true",
                  env=vigil_env(drop=("VIGIL_",), VIGIL_NOTIFY_SYNC="0"))
    assert p.returncode == 0, p.stderr
    assert "sensor: notify\n" in p.stderr, p.stderr


@pytest.mark.parametrize("how", ["option", "variable"])
def test_unknown_sensor_is_a_usage_error(vigil_bin, tmp_path, how):
    marker = tmp_path / "ran"
    args = ("--sensor", "kprobe") if how == "option" else ()
    env = vigil_env(drop=("VIGIL_",), **({"VIGIL_SENSOR": "kprobe"} if how == "variable" else {}))
    p = vigil_run(vigil_bin, *args, "--", "touch", marker, env=env)
    assert p.returncode == 2, p.stderr
    assert "auto, ptrace or notify, not 'kprobe'" in p.stderr
    assert not marker.exists()
