"""The one way the integration tests start vigil.

    vigil_run(vigil_bin, *args, ...)    vigil ARGS to completion -> CompletedProcess
    vigil_start(vigil_bin, *args, ...)  vigil ARGS in the background -> Popen
    vigil_env(drop=(), **settings)      an environment for either
    analyzer_pids(vigil_pid)            the analyzer processes of a running vigil
    wait_for_analyzer(vigil_pid, ...)   one of them (a successor: not_pid=)

Shapes the suites need, as options rather than copies:
  - output in pipes (the default) or, with out_dir=, in files out_dir/NAME.stdout
    and NAME.stderr: a leftover child of the traced program can hold a pipe
    open and hang the test, never a file. With files vigil also runs in its
    own session, so a timeout kills the whole group.
  - env: the complete environment (default: the test's own). vigil_env()
    builds one: the test's environment less what a test must not inherit
    (the host's AWS_* settings, a VIGIL_* setting under test), plus settings.
  - wrapper: a command vigil runs under (unshare for a PID namespace, capsh).
  - a timeout fails the test, naming the command and the tail of its stderr.

Harnesses that are not "run vigil with these arguments" stay separate:
test_init_parity's `sup` runs tini and vigil alike as a session leader with
a tty or as PID 1; receiver_harness.Feed runs ship-feed, not vigil;
test_container runs vigil inside podman; aws_netns_run.py runs it inside a
network namespace next to the fakes.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


def vigil_env(drop=(), **settings):
    """The test's environment without the variables `drop` names (a tuple of
    name prefixes, or a predicate on the name), plus settings (a value of None
    removes the variable)."""
    if callable(drop):
        dropped = drop
    else:
        prefixes = tuple(drop)
        dropped = (lambda k: k.startswith(prefixes)) if prefixes else (lambda k: False)
    env = {k: v for k, v in os.environ.items() if not dropped(k)}
    for k, v in settings.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def _tail(data):
    if isinstance(data, bytes):
        data = data.decode(errors="replace")
    return (data or "")[-3000:]


def run_program(argv, *, env=None, timeout=60, cwd=None, stdin=subprocess.DEVNULL, text=True,
                out_dir=None, name="run"):
    """Run argv to completion (vigil_run's engine; also for a program run
    natively, to compare with what it does under vigil)."""
    argv = [str(a) for a in argv]
    if out_dir is None:
        try:
            return subprocess.run(argv, env=env, cwd=cwd, stdin=stdin, capture_output=True,
                                  text=text, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"timed out after {timeout}s: {argv}\nstderr:\n{_tail(e.stderr)}")
    out_path, err_path = out_dir / f"{name}.stdout", out_dir / f"{name}.stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=out, stderr=err,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"timed out after {timeout}s: {argv}\nstderr:\n{_tail(err_path.read_bytes())}")
    stdout, stderr = out_path.read_bytes(), err_path.read_bytes()
    if text:
        stdout, stderr = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    return subprocess.CompletedProcess(argv, rc, stdout, stderr)


def vigil_run(vigil_bin, *args, env=None, timeout=60, cwd=None, stdin=subprocess.DEVNULL,
              text=True, out_dir=None, name="vigil", wrapper=()):
    """Run vigil ARGS to completion; returns a subprocess.CompletedProcess
    (args, returncode, stdout, stderr: str, or bytes with text=False)."""
    return run_program([*wrapper, vigil_bin, *args], env=env, timeout=timeout, cwd=cwd,
                       stdin=stdin, text=text, out_dir=out_dir, name=name)


def vigil_start(vigil_bin, *args, env=None, cwd=None, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, wrapper=()):
    """Start vigil ARGS in the background; returns the subprocess.Popen. The
    test waits for it (communicate/wait) or kills it."""
    return subprocess.Popen([str(a) for a in (*wrapper, vigil_bin, *args)], env=env, cwd=cwd, stdin=stdin,
                            stdout=stdout, stderr=stderr, text=text)


def analyzer_pids(vigil_pid):
    """The vigil-analyzer processes whose parent is vigil_pid (one not yet
    reaped included)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == vigil_pid and comm == "vigil-analyzer":
            pids.append(int(d.name))
    return pids


def wait_for_analyzer(vigil_pid, not_pid=None, timeout=20):
    """An analyzer of vigil_pid other than not_pid (its successor), polled
    every 50 ms; fails the test after `timeout` seconds."""
    for _ in range(int(timeout * 20)):
        pids = [p for p in analyzer_pids(vigil_pid) if p != not_pid]
        if pids:
            return pids[0]
        time.sleep(0.05)
    pytest.fail(f"no {'new ' if not_pid else ''}analyzer under vigil {vigil_pid} within {timeout} s")
