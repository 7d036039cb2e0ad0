"""Alert delivery through the real binary (issue 6): vigil supervising a
program that trips rules, alerts shipped to the strict fake receiver, the
API key from env or from the fake SSM (SigV4 checked with botocore), the
spool surviving an outage across restarts, configuration errors before the
program starts, and secrets kept from the program."""
import gzip
import json
import os
import sys
from pathlib import Path

import pytest

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path.insert(0, str(FAKES))
from receiver_harness import Receiver, free_port, wait_for  # noqa: E402
from aws_common import CredentialStore  # noqa: E402
from aws_harness import KEY, PARAM, STATIC_AKID, STATIC_SECRET  # noqa: E402
from aws_ssm import FakeSSM  # noqa: E402
from vigil_runner import analyzer_pids, vigil_env, vigil_run, vigil_start  # noqa: E402

# Alerts from the bundled rules: /etc/shadow read, a dropped binary run from /tmp.
KEEP = ("VIGIL_RULES_DIR", "VIGIL_ANALYZER")  # where the build is, not settings under test


def base_env(drop=("VIGIL_",), **settings):
    """The test's environment without the host's settings under test (drop), plus settings."""
    return vigil_env(drop=lambda k: k.startswith(drop) and k not in KEEP, **settings)


TRIP = ("cat /etc/shadow > /dev/null; sh -c true; d=$(mktemp -d); cp /bin/true $d/dropped; "
        "$d/dropped; rm -r $d")


def run_script(vigil_bin, tmp_path, outputs, env_extra, script=TRIP, config=None):
    """vigil -o OUTPUTS... [--config CONFIG] -- sh -c SCRIPT, to completion."""
    env = base_env(("VIGIL_", "AWS_"), VIGIL_SPOOL_DIR=tmp_path / "spool", **env_extra)
    args = []
    for o in outputs:
        args += ["-o", o]
    if config:
        args += ["--config", config]
    return vigil_run(vigil_bin, *args, "--", "sh", "-c", script, timeout=120, env=env)


@pytest.fixture
def env_key_receiver(tmp_path):
    """A fake SaaS receiver over http accepting the key k-env (VIGIL_API_KEY)."""
    r = Receiver(tmp_path, key="k-env").start()
    yield r
    r.stop()


def test_alerts_reach_the_endpoint_with_the_env_key(vigil_bin, tmp_path, env_key_receiver):
    r = run_script(vigil_bin, tmp_path, ["stdout", env_key_receiver.url()], {"VIGIL_API_KEY": "k-env"})
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    rules = [a["rule"] for a in lines if a["rule"] != "vigil health"]
    assert len(rules) >= 2, r.stdout
    st = env_key_receiver.state()
    assert st["errors"] == [], st["errors"]          # schema, gzip, headers all checked
    assert st["batches"] >= 1 and st["auth_seen"] == ["k-env"], st
    assert st["alerts"] - st["health"] == len(rules), (st, rules)
    assert st["health"] >= 1                          # the closing counters
    assert "k-env" not in r.stderr and "k-env" not in r.stdout


def test_key_from_ssm_signed_with_sigv4(vigil_bin, tmp_path):
    store = CredentialStore()
    store.add_static(STATIC_AKID, STATIC_SECRET)
    rx = Receiver(tmp_path, key=KEY).start()
    try:
        with FakeSSM(store, "us-east-1", {PARAM: KEY}) as ssm:
            env = dict(AWS_ACCESS_KEY_ID=STATIC_AKID, AWS_SECRET_ACCESS_KEY=STATIC_SECRET,
                       AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM)
            r = run_script(vigil_bin, tmp_path, [rx.url()], env)
            assert r.returncode == 0, r.stderr
            assert ssm.violations == [], ssm.violations
            assert len(ssm.requests) >= 1 and ssm.requests[0]["status"] == 200
        st = rx.state()
        assert st["errors"] == [] and st["auth_seen"] == [KEY], st
        assert st["alerts"] - st["health"] >= 2, st
        assert KEY not in r.stderr and STATIC_SECRET not in r.stderr
    finally:
        rx.stop()


def test_outage_spools_and_the_next_start_delivers(vigil_bin, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {"VIGIL_API_KEY": "k1", "VIGIL_HTTP_RETRY_INITIAL_MS": "50", "VIGIL_HTTP_RETRY_MAX_MS": "200"}
    r = run_script(vigil_bin, tmp_path, [url], env)
    assert r.returncode == 0, r.stderr
    assert "left in the spool" in r.stderr, r.stderr
    rx = Receiver(tmp_path, port=port, key="k1").start()
    try:
        r = run_script(vigil_bin, tmp_path, [url], env, script="true")
        assert r.returncode == 0, r.stderr
        st = rx.state()
        assert st["errors"] == [], st
        assert st["alerts"] - st["health"] >= 2, st   # the first run's, from the spool
    finally:
        rx.stop()


def test_bad_delivery_setting_stops_before_the_program(vigil_bin, tmp_path):
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("outputs: [stdout]\nhttp:\n  batch_max_alerts: lots\n")
    marker = tmp_path / "started"
    r = run_script(vigil_bin, tmp_path, [], {}, script=f"touch {marker}", config=cfg)
    assert r.returncode != 0
    assert f"{cfg}:3:21" in r.stderr and "batch_max_alerts" in r.stderr, r.stderr
    assert not marker.exists()


def test_program_does_not_see_vigil_settings(vigil_bin, tmp_path):
    out = tmp_path / "env"
    r = run_script(vigil_bin, tmp_path, [], {"VIGIL_API_KEY": "s3cr3t"}, script=f"env > {out}")
    assert r.returncode == 0, r.stderr
    assert "VIGIL_" not in out.read_text()


def test_unreadable_ca_file_is_an_error_before_the_program(vigil_bin, tmp_path):
    marker = tmp_path / "started"
    r = vigil_run(vigil_bin, "--ca-file", tmp_path / "missing.pem", "-o", "https://collector.example/",
                  "--", "touch", marker, env=base_env())
    assert r.returncode != 0 and not marker.exists()
    assert "http.ca_file" in r.stderr and "missing.pem" in r.stderr, r.stderr
    assert r.stderr.count("restarting") == 0, r.stderr


VIGILS_OWN = ("vigil health", "Vigil events dropped or lost", "vigil coverage")


def truth_alerts(path):
    return [json.loads(l) for l in Path(path).read_text().splitlines() if l.startswith("{")]


def truth_uuids(path):
    """The application's alerts (not vigil's reports on itself, nor the open
    backstop's: an open of a watched file by another process of the test
    host, or one whose event died with a killed analyzer, is correctly
    alerted but is not the application's)."""
    return {a["uuid"] for a in truth_alerts(path) if a["rule"] not in VIGILS_OWN
            and a["output_fields"].get("vigil.tamper") != "unseen_open"}


def restart_reported(path):
    return any(a["rule"] == "Vigil events dropped or lost" and
               a["output_fields"]["vigil.analyzer_restarts_new"] >= 1 for a in truth_alerts(path))


def test_key_rotated_in_ssm_is_refetched_after_401(vigil_bin, tmp_path):
    import time
    store = CredentialStore()
    store.add_static(STATIC_AKID, STATIC_SECRET)
    rx = Receiver(tmp_path, key="k-new").start()
    truth = tmp_path / "truth.ndjson"
    try:
        with FakeSSM(store, "us-east-1", {PARAM: "k-old"}) as ssm:
            env = base_env(("VIGIL_", "AWS_"),
                           AWS_ACCESS_KEY_ID=STATIC_AKID, AWS_SECRET_ACCESS_KEY=STATIC_SECRET,
                           AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM,
                           VIGIL_API_KEY_MIN_REFETCH="0", VIGIL_HTTP_BATCH_MAX_AGE_MS="200",
                           VIGIL_HTTP_RETRY_INITIAL_MS="50", VIGIL_HTTP_RETRY_MAX_MS="300",
                           VIGIL_SPOOL_DIR=tmp_path / "spool")
            script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do cat /etc/shadow > /dev/null; sleep 0.25; done"
            p = vigil_start(vigil_bin, "-o", rx.url(), "-o", f"file:{truth}", "--", "sh", "-c", script,
                            env=env)
            wait_for(lambda: rx.state()["statuses"].get("401"), 20, "a 401 with the old key")
            ssm.params[PARAM] = "k-new"                    # rotation
            _, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            assert ssm.violations == []
        st = rx.state()
        assert st["auth_seen"][:1] == ["k-old"] and "k-new" in st["auth_seen"], st["auth_seen"]
        want = truth_uuids(truth)
        assert len(want) == 12 and want <= set(st["uuids"]), (len(want), len(st["uuids"]))
        assert "k-old" not in err and "k-new" not in err
    finally:
        rx.stop()


def test_task_metadata_describes_the_task_in_each_batch(vigil_bin, tmp_path, env_key_receiver):
    from aws_ecs_metadata import FakeTaskMetadata
    with FakeTaskMetadata("fargate") as meta:
        r = run_script(vigil_bin, tmp_path, [env_key_receiver.url()],
                      {"VIGIL_API_KEY": "k-env", "ECS_CONTAINER_METADATA_URI_V4": meta.uri},
                      script="sleep 1.5; cat /etc/shadow > /dev/null")
        assert r.returncode == 0, r.stderr
        assert meta.violations == []
    task = env_key_receiver.state()["last_task"]
    assert task.get("cluster") and task.get("task_arn", "").startswith("arn:aws:ecs:"), task
    assert task.get("family") and task.get("availability_zone"), task


def test_kill9_of_the_analyzer_during_an_outage_loses_nothing_spooled(vigil_bin, tmp_path):
    import signal
    import time
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    truth = tmp_path / "truth.ndjson"
    env = base_env(VIGIL_API_KEY="k1", VIGIL_HTTP_BATCH_MAX_AGE_MS="100", VIGIL_HTTP_RETRY_INITIAL_MS="50",
                   VIGIL_HTTP_RETRY_MAX_MS="200", VIGIL_SPOOL_DIR=tmp_path / "spool")
    # two bursts of 10 alerts, 4 s apart; the analyzer is killed between them
    burst = "for i in 1 2 3 4 5 6 7 8 9 10; do cat /etc/shadow > /dev/null; done"
    script = f"{burst}; sleep 4; {burst}; sleep 2"
    p = vigil_start(vigil_bin, "-o", url, "-o", f"file:{truth}", "--", "sh", "-c", script, env=env)
    wait_for(lambda: truth.exists() and len(truth_uuids(truth)) == 10, 20, "first burst")
    spool = tmp_path / "spool"
    wait_for(lambda: spool.exists() and any(spool.rglob("*")), 20, "the first burst spooled")
    time.sleep(0.5)
    killed = analyzer_pids(p.pid)
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(2)
    rx = Receiver(tmp_path, port=port, key="k1").start()   # the endpoint comes back
    try:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "analyzer killed by signal 9" in err
        want = truth_uuids(truth)
        got = set(rx.state()["uuids"])
        assert len(want) == 20, len(want)
        assert want <= got, f"lost: {len(want - got)}\n{err}"
        assert restart_reported(truth), "the analyzer's restart raised no alert"
        assert rx.state()["errors"] == []
    finally:
        rx.stop()


def test_alerts_in_a_killed_analyzers_memory_are_counted(vigil_bin, tmp_path):
    """Alerts still in memory when the analyzer is killed cannot be sent; its
    successor counts them (dropped_crash), so generated = received + counted."""
    import signal
    import time
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    truth = tmp_path / "truth.ndjson"
    # a long batch age and no endpoint yet: the alerts wait in memory
    env = base_env(VIGIL_API_KEY="k1", VIGIL_HTTP_BATCH_MAX_AGE_MS="60000",
                   VIGIL_SPOOL_DIR=tmp_path / "spool")
    burst = "for i in 1 2 3 4 5 6 7; do cat /etc/shadow > /dev/null; done"
    p = vigil_start(vigil_bin, "-o", url, "-o", f"file:{truth}", "--", "sh", "-c", f"{burst}; sleep 3",
                    env=env)
    wait_for(lambda: truth.exists() and len(truth_uuids(truth)) == 7, 20, "the burst")
    time.sleep(0.5)  # the progress record is refreshed every 100 ms
    for pid in analyzer_pids(p.pid):
        os.kill(pid, signal.SIGKILL)
    rx = Receiver(tmp_path, port=port, key="k1").start()
    try:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        st = rx.state()
        counted = st["last_counters"].get("dropped_crash", 0)
        received = len(set(st["uuids"]) & truth_uuids(truth))
        # the start's coverage alert waited in the same memory
        coverage = [a for a in truth_alerts(truth) if a["rule"] == "vigil coverage"]
        assert len(coverage) == 1 and coverage[0]["uuid"] not in set(st["uuids"])
        assert counted == 7 + 1 and received == 0, (counted, received, err)
        assert restart_reported(truth), "the analyzer's restart raised no alert"
        assert "8 alerts were in the memory" in err
    finally:
        rx.stop()
