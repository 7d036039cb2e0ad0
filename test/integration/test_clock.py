"""Deadlines follow the monotonic clock: a step of the wall clock moves none of them.

test/progs/libclockstep.so (LD_PRELOAD) steps CLOCK_REALTIME inside the
processes of one run only, as an NTP step or a resumed VM would: a time
namespace (unshare --time) can offset CLOCK_MONOTONIC but never
CLOCK_REALTIME, and stepping the machine's clock would disturb everything
else on it. Each test fails against a supervisor that times the deadline
in question on the wall clock.
"""
import os
import signal
import time

import pytest

from vigil_runner import vigil_env, vigil_start, wait_for_analyzer


@pytest.fixture
def shim(progs_dir):
    lib = progs_dir / "libclockstep.so"
    if not lib.exists():
        pytest.fail(f"{lib} is not built (cmake --build build)", pytrace=False)
    return lib


def stepped_env(shim, **settings):
    """The environment of a run whose wall clock the shim steps. An ASan
    build insists on its runtime coming first among the loaded libraries;
    the shim comes before it here, on purpose, so that check is switched
    off (a build without ASan ignores ASAN_OPTIONS)."""
    asan = os.environ.get("ASAN_OPTIONS", "")
    return vigil_env(LD_PRELOAD=shim, **settings,
                     ASAN_OPTIONS=(asan + ":" if asan else "") + "verify_asan_link_order=0")


def wait_for(cond, timeout, what):
    for _ in range(int(timeout * 20)):
        if cond():
            return
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {timeout} s")


def test_batch_flush_wakeup_ignores_wall_clock_steps(vigil_bin, shim, tmp_path):
    """The supervisor's wall clock steps back an hour every 10 ms. After the
    exec of `true` the program only sleeps: nothing but the supervisor's own
    flush timer can send the exec event, which must come while it sleeps."""
    ev_path = tmp_path / "ev.ndjson"
    env = stepped_env(shim, CLOCKSTEP_SECONDS="-3600", CLOCKSTEP_EVERY_MS="10",
                    CLOCKSTEP_ONLY="vigil")
    proc = vigil_start(vigil_bin, "--no-rules", "--syscalls", "execve", "--events-out", ev_path,
                       "--", "/bin/sh", "-c", "/bin/true; exec sleep 60", env=env)
    try:
        wait_for(lambda: ev_path.exists() and b'"/bin/true"' in ev_path.read_bytes(), 20,
                 "the exec of /bin/true flushed while the program sleeps")
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_wall_clock_step_does_not_cut_the_drain_short(vigil_bin, shim, tmp_path):
    """The program exits while an alert cannot be delivered (endpoint down):
    the analyzer may use the drain time to retry and spool. An hour's jump
    forward of the wall clock during that must not end the drain at once."""
    marker, done = tmp_path / "stepped", tmp_path / "done"
    env = stepped_env(shim, CLOCKSTEP_MARKER=marker, CLOCKSTEP_SECONDS="3600",
                    VIGIL_API_KEY="k", VIGIL_SPOOL_DIR=tmp_path / "spool",
                    VIGIL_HTTP_RETRY_INITIAL_MS="50", VIGIL_HTTP_RETRY_MAX_MS="200")
    proc = vigil_start(vigil_bin, "--drain-timeout", "4000", "-o", "http://127.0.0.1:9/",
                       "--", "sh", "-c", f"cat /etc/shadow > /dev/null; touch {done}", env=env)
    wait_for(done.exists, 30, "the program's end")
    time.sleep(0.3)          # the program has exited: the drain deadline is set
    marker.touch()           # now the wall clock is an hour ahead
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "did not finish" not in err, f"a wall-clock step ended the drain early:\n{err}"


def test_wall_clock_step_back_does_not_delay_a_restart(vigil_bin, shim, tmp_path):
    """After a few crashes the next restart of the analyzer is due seconds
    later (backoff 0.1 s doubling). The wall clock stepping back an hour
    while it waits must not postpone it by an hour."""
    marker = tmp_path / "stepped"
    env = stepped_env(shim, CLOCKSTEP_MARKER=marker, CLOCKSTEP_SECONDS="-3600")
    proc = vigil_start(vigil_bin, "--", "sh", "-c", "sleep 40", env=env)
    try:
        current = wait_for_analyzer(proc.pid)
        for _ in range(5):  # backoffs 0.1, 0.2, 0.4, 0.8, 1.6 s: the next is 3.2 s
            os.kill(current, signal.SIGKILL)
            current = wait_for_analyzer(proc.pid, current)
        os.kill(current, signal.SIGKILL)
        time.sleep(0.3)   # reaped: its restart is scheduled 3.2 s from the kill
        marker.touch()    # and the wall clock steps back an hour
        wait_for_analyzer(proc.pid, current, timeout=15)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
