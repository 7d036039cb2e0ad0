"""The start-up policy and the coverage alert (docs/usage.md, "Start-up
policy"; docs/alert-format.md, "The vigil coverage alert").

Every start sends exactly one "vigil coverage" alert through the sinks: is
the program monitored, by which sensor, under which init, which vigil, and
on ECS which task. Tracing is made impossible for real by
test/progs/deny_trace, which runs vigil under a seccomp filter answering
EPERM to ptrace(2), to seccomp filters, or to notification listeners (as a
container without SYS_PTRACE, or with a strict seccomp profile, does).
Under --start-policy availability the program then runs and the alert says
why it is unwatched; under security it never runs (it would create a
file) and vigil exits 77.

The tests that depend on the sensor run under both (ptrace, notify).
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vigil_runner import vigil_env, vigil_run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_ecs_metadata import FakeTaskMetadata  # noqa: E402

EXIT_UNMONITORED = 77
SENSORS = ["ptrace", "notify"]


def coverage_alerts(text):
    out = []
    for line in text.splitlines():
        if line.startswith("{") and '"rule"' in line:
            a = json.loads(line)
            if a["rule"] == "vigil coverage":
                out.append(a)
    return out


def the_alert(p):
    alerts = coverage_alerts(p.stdout)
    assert len(alerts) == 1, f"expected one coverage alert:\n{p.stdout}\n{p.stderr}"
    a = alerts[0]
    assert a["source"] == "vigil" and a["tags"] == ["vigil", "coverage"]
    assert a["uuid"] and a["hostname"]
    return a["output_fields"], a


def env_for(sensor, **settings):
    """Without ECS or a start policy from the test's own environment."""
    return vigil_env(drop=("VIGIL_", "ECS_", "AWS_"), VIGIL_SENSOR=sensor, **settings)


def deny(progs_dir, mode):
    return (str(progs_dir / "deny_trace"), mode)


def version(vigil_bin):
    return subprocess.run([str(vigil_bin), "version"], capture_output=True, text=True,
                          check=True).stdout.split()[1]


@pytest.mark.parametrize("sensor", SENSORS)
def test_monitored_start_emits_exactly_one_coverage_alert(vigil_bin, tmp_path, sensor):
    events, alerts_file = tmp_path / "ev.ndjson", tmp_path / "alerts"
    p = vigil_run(vigil_bin, "--events-out", events, "-o", "stdout", "-o", f"file:{alerts_file}",
                  "--", "sh", "-c", "exit 3", env=env_for(sensor))
    assert p.returncode == 3, p.stderr
    f, a = the_alert(p)
    assert a["priority"] == "Informational"
    assert f["vigil.monitored"] is True and f["vigil.started"] is True
    assert f["vigil.reason"] is None
    assert f["vigil.sensor"].startswith(sensor), f
    assert f["vigil.sensor_choice"] == f"--sensor {sensor}"
    assert f["vigil.start_policy"] == "availability"
    assert f["vigil.version"] == version(vigil_bin)
    assert f["vigil.task_metadata"] == "none" and not any(k.startswith("ecs.") for k in f)
    # the same alert reached the file sink
    assert [x["uuid"] for x in coverage_alerts(alerts_file.read_text())] == [a["uuid"]]
    # and the event is in the stream, once
    cov = [json.loads(l) for l in events.read_text().splitlines() if '"vigil_coverage"' in l]
    assert len(cov) == 1 and cov[0]["evt.source"] == "vigil"
    assert cov[0]["evt.arg.monitored"] == "true" and cov[0]["evt.arg.sensor"] == f["vigil.sensor"]


def test_auto_says_what_it_chose_and_why(vigil_bin):
    p = vigil_run(vigil_bin, "-v", "--", "true", env=vigil_env(drop=("VIGIL_", "ECS_")))
    f, _ = the_alert(p)
    choice = f["vigil.sensor_choice"]
    assert choice.startswith("auto: ") and "(" in choice, choice
    assert f"sensor auto: {choice[len('auto: '):]}" in p.stderr


# How each sensor fails when tracing is denied, and what the reason names.
FAILURES = [
    ("ptrace", "ptrace", ["PTRACE_SEIZE", "EPERM", "SYS_PTRACE"]),
    ("notify", "ptrace", ["PTRACE_SEIZE", "EPERM", "SYS_PTRACE"]),
    ("ptrace", "seccomp", ["seccomp filter failed", "EPERM"]),
    ("notify", "listener", ["SECCOMP_FILTER_FLAG_NEW_LISTENER", "EPERM", "--sensor ptrace"]),
]


@pytest.mark.parametrize("sensor,mode,words", FAILURES)
def test_unmonitorable_start_runs_under_availability(vigil_bin, progs_dir, tmp_path, sensor,
                                                     mode, words):
    marker = tmp_path / "ran"
    p = vigil_run(vigil_bin, "--", "touch", marker, env=env_for(sensor),
                  wrapper=deny(progs_dir, mode))
    assert p.returncode == 0, p.stderr
    assert marker.exists(), "availability: the program must run"
    f, a = the_alert(p)
    assert a["priority"] == "Critical"
    assert f["vigil.monitored"] is False and f["vigil.started"] is True
    for w in words:
        assert w in f["vigil.reason"], f["vigil.reason"]
    assert "runs UNMONITORED" in p.stderr and words[0] in p.stderr
    # Still attached without a filter (ptrace, seccomp refused), the sensor
    # sees the exec without its entry: no race to report for that.
    alerts = [line for line in p.stdout.splitlines() if line.startswith("{")]
    assert len(alerts) == 1, f"only the coverage alert expected:\n{p.stdout}"


@pytest.mark.parametrize("how", ["flag", "env"])
@pytest.mark.parametrize("sensor,mode,words", FAILURES)
def test_unmonitorable_start_is_refused_under_security(vigil_bin, progs_dir, tmp_path, sensor,
                                                       mode, words, how):
    marker = tmp_path / "ran"
    args = ["--start-policy", "security"] if how == "flag" else []
    env = env_for(sensor, **({"VIGIL_START_POLICY": "security"} if how == "env" else {}))
    p = vigil_run(vigil_bin, *args, "--", "touch", marker, env=env, wrapper=deny(progs_dir, mode))
    assert p.returncode == EXIT_UNMONITORED, p.stderr
    assert not marker.exists(), "security: the program must not have run"
    refusals = [l for l in p.stderr.splitlines() if "not starting touch" in l]
    assert len(refusals) == 1 and words[0] in refusals[0] and "exit 77" in refusals[0], p.stderr
    f, a = the_alert(p)
    assert a["priority"] == "Error"
    assert f["vigil.monitored"] is False and f["vigil.started"] is False
    assert f["vigil.start_policy"] == "security"
    assert words[0] in f["vigil.reason"]


@pytest.mark.parametrize("sensor", SENSORS)
def test_security_runs_a_monitorable_program_as_usual(vigil_bin, tmp_path, sensor):
    marker = tmp_path / "ran"
    p = vigil_run(vigil_bin, "--start-policy", "security", "--", "sh", "-c", f"touch {marker}; exit 5",
                  env=env_for(sensor))
    assert p.returncode == 5 and marker.exists(), p.stderr
    f, _ = the_alert(p)
    assert f["vigil.monitored"] is True and f["vigil.start_policy"] == "security"


def test_security_without_an_analyzer_does_not_start(vigil_bin, tmp_path):
    marker = tmp_path / "ran"
    p = vigil_run(vigil_bin, "--start-policy", "security", "--", "touch", marker,
                  env=env_for("ptrace", VIGIL_ANALYZER=tmp_path / "missing"))
    assert p.returncode == EXIT_UNMONITORED and not marker.exists(), p.stderr
    assert "vigil-analyzer could not be started" in p.stderr
    # availability: it runs (nothing can deliver the alert: stderr says it)
    p = vigil_run(vigil_bin, "--", "touch", marker,
                  env=env_for("ptrace", VIGIL_ANALYZER=tmp_path / "missing"))
    assert p.returncode == 0 and marker.exists()
    assert "runs UNMONITORED: vigil-analyzer could not be started" in p.stderr


@pytest.mark.parametrize("rules", [[], ["--no-rules"], ["--syscalls", "openat"]])
def test_start_policy_from_the_configuration_file(vigil_bin, progs_dir, tmp_path, rules):
    """The file's start_policy (read by the analyzer, handed to the
    supervisor before the start) applies with or without rules; the
    variable and the flag override it."""
    marker, conf = tmp_path / "ran", tmp_path / "vigil.yaml"
    conf.write_text("start_policy: security\n")
    p = vigil_run(vigil_bin, *rules, "--config", conf, "--", "touch", marker,
                  env=env_for("ptrace"), wrapper=deny(progs_dir, "ptrace"))
    assert p.returncode == EXIT_UNMONITORED and not marker.exists(), p.stderr
    p = vigil_run(vigil_bin, *rules, "--", "touch", marker,
                  env=env_for("ptrace", VIGIL_CONFIG=conf, VIGIL_START_POLICY="availability"),
                  wrapper=deny(progs_dir, "ptrace"))
    assert p.returncode == 0 and marker.exists(), p.stderr
    marker.unlink()
    conf.write_text("start_policy: availability\n")
    p = vigil_run(vigil_bin, *rules, "--config", conf, "--start-policy", "security", "--", "touch",
                  marker, env=env_for("ptrace"), wrapper=deny(progs_dir, "ptrace"))
    assert p.returncode == EXIT_UNMONITORED and not marker.exists(), p.stderr
    conf.write_text("start_policy: strict\n")
    p = vigil_run(vigil_bin, *rules, "--config", conf, "--", "touch", marker, env=env_for("ptrace"))
    assert p.returncode == 2 and not marker.exists()
    assert "start_policy: expected availability or security" in p.stderr


def test_bad_policy_and_no_trace_under_security_are_usage_errors(vigil_bin, tmp_path):
    marker = tmp_path / "ran"
    for args, env in ((["--start-policy", "maybe"], {}), ([], {"VIGIL_START_POLICY": "strict"}),
                      (["--start-policy", "security", "--no-trace"], {})):
        p = vigil_run(vigil_bin, *args, "--", "touch", marker, env=env_for("ptrace", **env))
        assert p.returncode == 2 and not marker.exists(), (args, env, p.stderr)


def test_no_trace_is_a_warning(vigil_bin):
    p = vigil_run(vigil_bin, "--no-trace", "--", "true", env=env_for("ptrace"))
    f, a = the_alert(p)
    assert a["priority"] == "Warning" and f["vigil.monitored"] is False
    assert f["vigil.sensor"] == "none" and f["vigil.reason"] == "--no-trace was given"


@pytest.mark.parametrize("variant", ["fargate", "ec2"])
def test_ecs_task_metadata_fields(vigil_bin, variant):
    with FakeTaskMetadata(variant) as meta:
        p = vigil_run(vigil_bin, "--", "true",
                      env=env_for("ptrace", ECS_CONTAINER_METADATA_URI_V4=meta.uri))
    assert meta.violations == []
    assert p.returncode == 0, p.stderr
    f, _ = the_alert(p)
    assert f["vigil.task_metadata"] == "ok" and f["vigil.task_metadata_error"] is None
    t, c = meta.task, meta.container
    assert f["ecs.task_arn"] == t["TaskARN"]
    assert f["ecs.task_definition"] == f"{t['Family']}:{t['Revision']}"
    assert f["ecs.task_family"] == t["Family"] and f["ecs.task_revision"] == t["Revision"]
    assert f["ecs.container_name"] == c["Name"]
    assert f["ecs.image"] == c["Image"]
    assert f["ecs.image_digest"] == c["ImageID"] and c["ImageID"].startswith("sha256:")


def test_ecs_metadata_unreachable_is_flagged(vigil_bin):
    p = vigil_run(vigil_bin, "--", "true",
                  env=env_for("ptrace", ECS_CONTAINER_METADATA_URI_V4="http://127.0.0.1:9/v4/x"))
    assert p.returncode == 0, p.stderr
    f, _ = the_alert(p)
    assert f["vigil.task_metadata"] == "unavailable"
    assert "127.0.0.1:9" in f["vigil.task_metadata_error"]
    assert not any(k.startswith("ecs.") for k in f)


def test_a_silent_metadata_endpoint_delays_neither_the_program_nor_the_alert(vigil_bin, tmp_path):
    """An endpoint that accepts and never answers: the program starts at
    once, and the alert goes out flagged within the 2 s wait."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    marker = tmp_path / "started"
    try:
        t0 = time.time()
        p = vigil_run(vigil_bin, "--", "sh", "-c", f"touch {marker}; sleep 3",
                      env=env_for("ptrace", ECS_CONTAINER_METADATA_URI_V4=
                                  f"http://127.0.0.1:{hole.getsockname()[1]}/v4/x"))
    finally:
        hole.close()
    assert p.returncode == 0, p.stderr
    started = marker.stat().st_mtime
    assert started - t0 < 1.0, "the program waited for the metadata endpoint"
    f, a = the_alert(p)
    assert f["vigil.task_metadata"] == "unavailable", f
    assert not any(k.startswith("ecs.") for k in f)
    # made while the program still ran (it sleeps 3 s), not at its end
    made = datetime.strptime(a["time"][:26], "%Y-%m-%dT%H:%M:%S.%f").replace(
        tzinfo=timezone.utc).timestamp()
    assert made - started < 2.5, (a["time"], started)


def test_pid1_init_mode(vigil_bin):
    p = vigil_run(vigil_bin, "--", "true", env=env_for("ptrace"),
                  wrapper=("unshare", "--pid", "--fork", "--mount-proc"))
    assert p.returncode == 0, p.stderr
    f, _ = the_alert(p)
    assert f["vigil.init"] == "pid1" and f["vigil.pid"] == 1 and f["vigil.pid1"] is None


@pytest.mark.parametrize("init", ["tini", "none"])
def test_under_another_init_vigil_is_a_subreaper(vigil_bin, init):
    """As with ECS initProcessEnabled (tini is PID 1, vigil below it), or
    simply started by something else."""
    if init == "tini":
        tini = shutil.which("tini")
        assert tini, "tini (Debian package tini) is needed"
        wrapper = ("unshare", "--pid", "--fork", "--mount-proc", tini, "--")
    else:
        wrapper = ()
    p = vigil_run(vigil_bin, "--", "true", env=env_for("ptrace"), wrapper=wrapper)
    assert p.returncode == 0, p.stderr
    f, _ = the_alert(p)
    assert f["vigil.init"] == "subreaper" and f["vigil.pid"] != 1
    if init == "tini":
        assert f["vigil.pid1"] == "tini" and f["vigil.pid"] == 2
    else:
        assert f["vigil.pid1"] == Path("/proc/1/comm").read_text().strip()


def test_rules_never_see_the_coverage_event_live_or_in_replay(vigil_bin, tmp_path):
    """The alert is vigil's own: a rule on the event would alert it twice."""
    rules, events = tmp_path / "r.yaml", tmp_path / "ev.ndjson"
    rules.write_text("- rule: cov\n  desc: d\n  priority: NOTICE\n"
                     "  condition: evt.type = vigil_coverage\n  output: seen %evt.type\n")
    p = vigil_run(vigil_bin, "--rules", rules, "--events-out", events, "--", "true",
                  env=env_for("ptrace"))
    assert p.returncode == 0, p.stderr
    rule_alerts = [l for l in p.stdout.splitlines() if '"rule":"cov"' in l]
    assert rule_alerts == [] and len(coverage_alerts(p.stdout)) == 1
    assert '"vigil_coverage"' in events.read_text()
    r = subprocess.run([str(vigil_bin), "replay", "--rules", str(rules), str(events)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert '"rule":"cov"' not in r.stdout and "0 alerts" in r.stderr, r.stderr
