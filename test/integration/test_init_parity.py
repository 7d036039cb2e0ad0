"""tini parity: vigil, as the container's init, must behave exactly like tini.

Every scenario runs twice, under `tini` and under `vigil`, with the same
expected facts. The tini run proves the scenario (and its expectations) are
right; the vigil run proves vigil matches it.

Not PID 1, tini runs as `tini -s --` (child subreaper); vigil as
`vigil --` (it must make itself a subreaper). PID 1 scenarios use
`unshare -fp --mount-proc SUPERVISOR -- PROGRAM`.

Environment: VIGIL_BIN (see conftest.py), TINI_BIN (default: tini on PATH),
VIGIL_ARGS (extra options given to vigil before `--`, shell-split).
"""
import json
import os
import pty
import resource
import select
import shlex
import shutil
import signal
import subprocess
import sys
import termios
import fcntl
import time
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent / "init_helpers"
PY = [sys.executable, "-I", "-S"]
TINI = os.environ.get("TINI_BIN") or shutil.which("tini") or "/usr/bin/tini"
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"
VIGIL_ARGS = shlex.split(os.environ.get("VIGIL_ARGS", ""))
SI_USER = 0
S = signal.Signals


def helper(name, *args):
    path = str(HELPERS / name)
    if name.endswith(".sh"):
        return ["/bin/sh", path, *map(str, args)]
    return [*PY, path, *map(str, args)]


def signame(sig):
    try:
        return S(sig).name
    except ValueError:
        return "SIGRTMIN+%d" % (sig - signal.SIGRTMIN)


# --- /proc ------------------------------------------------------------------

def proc_stat(pid):
    """(comm, state, ppid, pgrp, sid) of pid, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    rest = data[data.rindex(")") + 2:].split()
    comm = data[data.index("(") + 1:data.rindex(")")]
    return comm, rest[0], int(rest[1]), int(rest[2]), int(rest[3])


def proc_state(pid):
    st = proc_stat(pid)
    return st[1] if st else None


def tracer_pid(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def session_procs(sid):
    """[(pid, stat)] of every process whose session id is sid."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[4] == sid:
                found.append((int(name), st))
    return found


def ps_session(sid):
    lines = ["  PID  PPID  PGRP S TRACER COMM"]
    for pid, (comm, state, ppid, pgrp, _) in sorted(session_procs(sid)):
        lines.append("%5d %5d %5d %s %6s %s" % (pid, ppid, pgrp, state,
                                                 tracer_pid(pid), comm))
    return "\n".join(lines)


# --- running a supervisor -----------------------------------------------------

def _reset_signals():
    """Give the launched supervisor a clean signal state (no inherited
    SIG_IGN from e.g. nohup, nothing blocked), so expectations are exact."""
    for sig in signal.valid_signals():
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Run:
    """One supervisor process (a session leader) and its diagnostics."""

    def __init__(self, sup, popen, out, err):
        self.sup, self.popen, self.out_path, self.err_path = sup, popen, out, err
        self.pid = popen.pid

    def out(self):
        return self.out_path.read_bytes() if self.out_path else b""

    def err(self):
        return self.err_path.read_bytes() if self.err_path else b""

    def diag(self):
        rc = self.popen.poll()
        return ("%s (pid %d) %s\nprocesses of its session:\n%s\nstderr:\n%s" % (
            self.sup.kind, self.pid,
            "is running" if rc is None else "exited with %d" % rc,
            ps_session(self.pid),
            self.err()[-2000:].decode(errors="replace")))

    def wait(self, timeout=20):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail("%s did not exit within %ss\n%s"
                        % (self.sup.kind, timeout, self.diag()), pytrace=False)

    def wait_for(self, pred, what, timeout=10, running=True):
        """Poll pred() until true; fail on timeout, or at once if the
        supervisor exits while it must still be running."""
        deadline = time.monotonic() + timeout
        while True:
            value = pred()
            if value:
                return value
            if running and self.popen.poll() is not None:
                pytest.fail("%s exited early while waiting for %s\n%s"
                            % (self.sup.kind, what, self.diag()), pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail("timed out after %ss waiting for %s\n%s"
                            % (timeout, what, self.diag()), pytrace=False)
            time.sleep(0.02)

    def wait_pidfile(self, path, what="the program to start"):
        def read():
            try:
                return int(Path(path).read_text())
            except (FileNotFoundError, ValueError):
                return None
        return self.wait_for(read, what)


class Supervisor:
    def __init__(self, kind, path, tmp_path):
        self.kind, self.path, self.tmp = kind, str(path), tmp_path
        self.runs = []

    def argv(self, prog, group=False, pid1=False):
        cmd = [self.path]
        if self.kind == "tini" and not pid1:
            cmd.append("-s")
        if self.kind == "vigil":
            cmd += VIGIL_ARGS
        if group:
            cmd.append("-g")
        cmd.append("--")
        if pid1:
            cmd = [UNSHARE, "-fp", "--mount-proc"] + cmd
        return cmd + [str(a) for a in prog]

    def start(self, prog, group=False, pid1=False, stdin=subprocess.DEVNULL,
              stdout=None, stderr=None, preexec=None, **kw):
        """Start the supervisor in a new session; stdout/stderr go to files
        unless given (files never block, and orphans holding them cannot
        hang the test)."""
        n = len(self.runs)
        out = err = None
        if stdout is None:
            out = self.tmp / ("sup%d.out" % n)
            stdout = open(out, "wb")
        if stderr is None:
            err = self.tmp / ("sup%d.err" % n)
            stderr = open(err, "wb")

        def pre():
            _reset_signals()
            if preexec:
                preexec()
        try:
            popen = subprocess.Popen(self.argv(prog, group, pid1), stdin=stdin,
                                     stdout=stdout, stderr=stderr,
                                     start_new_session=True, preexec_fn=pre,
                                     **kw)
        finally:
            for f, path in ((stdout, out), (stderr, err)):
                if path:
                    f.close()
        run = Run(self, popen, out, err)
        self.runs.append(run)
        return run

    def cleanup(self):
        for run in self.runs:
            for _ in range(5):
                procs = [p for p, st in session_procs(run.pid) if st[1] != "Z"]
                if not procs:
                    break
                for pid in procs:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)
            try:
                run.popen.wait(5)
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture(params=["tini", "vigil"])
def sup(request, tmp_path):
    if request.param == "tini":
        if not (os.path.isfile(TINI) and os.access(TINI, os.X_OK)):
            pytest.fail("tini not found (%s): apt-get install tini, or set "
                        "TINI_BIN" % TINI, pytrace=False)
        path = TINI
    else:
        path = request.getfixturevalue("vigil_bin")
    s = Supervisor(request.param, path, tmp_path)
    yield s
    s.cleanup()


def read_log(path):
    """sigrec.py log: [(name, si_pid, si_code)]"""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        name, pid, code = line.split()
        out.append((name, int(pid), int(code)))
    return out


def strip_alerts(data):
    """vigil's default alert sink is stdout (JSON lines): drop those lines,
    keep every byte the program wrote."""
    kept = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"{"):
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict) and "rule" in obj and "priority" in obj:
                continue
        kept.append(line)
    return b"".join(kept)


# --- exit status ----------------------------------------------------------------

def _mode_0644(tmp):
    p = tmp / "not-executable"
    p.write_text("#!/bin/sh\nexit 0\n")
    p.chmod(0o644)
    return [p]


def _no_shebang(tmp):
    p = tmp / "no-shebang"
    p.write_text("exit 5\n")
    p.chmod(0o755)
    return [p]


def _sh(code):
    return lambda tmp: ["/bin/sh", "-c", code]


EXIT_CASES = [
    pytest.param(_sh("exit 0"), 0, id="exit-0"),
    pytest.param(_sh("exit 1"), 1, id="exit-1"),
    pytest.param(_sh("exit 3"), 3, id="exit-3"),
    pytest.param(_sh("exit 255"), 255, id="exit-255"),
    pytest.param(lambda tmp: ["true"], 0, id="found-on-PATH"),
    pytest.param(lambda tmp: ["/nonexistent/program"], 127, id="not-found-path"),
    pytest.param(lambda tmp: ["vigil-parity-no-such-program"], 127,
                 id="not-found-on-PATH"),
    pytest.param(_mode_0644, 126, id="not-executable"),
    pytest.param(lambda tmp: [tmp], 126, id="directory"),
    pytest.param(_no_shebang, 5, id="script-without-shebang-runs-with-sh"),
    pytest.param(_sh("kill -KILL $$"), 128 + 9, id="SIGKILL"),
    pytest.param(_sh("kill -TERM $$"), 128 + 15, id="SIGTERM-default"),
    pytest.param(_sh("kill -HUP $$"), 128 + 1, id="SIGHUP-default"),
    pytest.param(_sh("kill -SEGV $$"), 128 + 11, id="SIGSEGV-sent"),
    pytest.param(lambda tmp: helper("fault.py", "segv"), 128 + 11,
                 id="SIGSEGV-real-fault"),
    pytest.param(lambda tmp: helper("fault.py", "abort"), 128 + 6, id="abort"),
]


@pytest.mark.parametrize("prog,expected", EXIT_CASES)
def test_exit_status(sup, tmp_path, prog, expected):
    """Exit status is the program's, 128+N if it died of signal N, 127 if
    it cannot be found, 126 if it cannot be executed (execvp semantics)."""
    run = sup.start(prog(tmp_path))
    rc = run.wait(20)
    assert rc == expected, run.diag()


# --- stdio ------------------------------------------------------------------------

def test_stdio_pass_through(sup, tmp_path):
    data = b"".join(b"line %05d %s\n" % (i, b"x" * 60) for i in range(5000))
    run = sup.start(["/bin/sh", "-c", "cat; echo to-stderr >&2; exit 2"],
                    stdin=subprocess.PIPE)
    try:
        run.popen.communicate(data, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("stdin -> cat -> stdout did not finish\n" + run.diag())
    assert run.popen.returncode == 2, run.diag()
    out = strip_alerts(run.out())
    assert len(out) == len(data) and out == data, \
        "stdout differs from what the program wrote"
    assert b"to-stderr\n" in run.err()


def test_terminal_foreground(sup, tmp_path):
    """On a terminal (docker run -it) the program is the foreground process
    group: it can read the terminal without being stopped by SIGTTIN."""
    master, slave = pty.openpty()

    def take_tty():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    try:
        run = sup.start(helper("tty.py"), stdin=slave, stdout=slave,
                        stderr=slave, preexec=take_tty)
    finally:
        os.close(slave)
    buf = b""

    def read_until(marker, timeout=15):
        nonlocal buf
        deadline = time.monotonic() + timeout
        while marker not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail("no %r from the program on the terminal; got %r\n%s"
                            % (marker, buf, run.diag()), pytrace=False)
            if select.select([master], [], [], min(left, 0.2))[0]:
                try:
                    buf += os.read(master, 4096)
                except OSError:       # EIO: every slave end closed
                    pytest.fail("terminal closed; got %r\n%s" % (buf, run.diag()),
                                pytrace=False)
    try:
        read_until(b"FACTS ")
        read_until(b"}")
        line = buf[buf.index(b"FACTS ") + 6:]
        facts = json.loads(line[:line.index(b"}") + 1])
        assert facts["pgrp"] == facts["pid"], "program leads its own group"
        assert facts["fg"] == facts["pgrp"], \
            "program is not the terminal's foreground process group"
        os.write(master, b"hello\n")
        read_until(b"GOT hello")
        assert run.wait(15) == 0, run.diag()
    finally:
        os.close(master)


# --- what the program is given -------------------------------------------------------

def test_program_argv_env_cwd_fds(sup, tmp_path):
    """argv, environment, cwd, session and inherited fds reach the program
    unchanged; nothing of the supervisor's own leaks into it."""
    wd = tmp_path / "wd"
    wd.mkdir()
    extra = os.open(tmp_path / "extra-fd", os.O_RDWR | os.O_CREAT, 0o644)
    args = ["plain", "with space", "", "--", "-g", "--config", "*", "a=b"]
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PARITY": "a b=c",
           "EMPTY": ""}
    res = tmp_path / "facts.json"
    try:
        run = sup.start(helper("facts.py", res, *args), cwd=wd, env=env,
                        pass_fds=[extra])
        assert run.wait(20) == 0, run.diag()
    finally:
        os.close(extra)
    f = json.loads(res.read_text())
    assert f["argv"] == args
    assert f["env"] == env
    assert f["cwd"] == str(wd)
    assert f["ppid"] == run.pid, "the supervisor is the program's parent"
    assert f["pgrp"] == f["pid"], "the program leads its own process group"
    assert f["sid"] == run.pid, "the program stays in the supervisor's session"
    assert sorted(f["fds"], key=int) == ["0", "1", "2", str(extra)], \
        "open fds of the program: %r" % f["fds"]
    assert f["fds"]["0"] == "/dev/null"
    assert f["fds"]["1"] == str(run.out_path)
    assert f["fds"]["2"] == str(run.err_path)
    assert f["fds"][str(extra)] == str(tmp_path / "extra-fd")


def _ignore_term_block_usr2():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2])


@pytest.mark.parametrize("launcher,ign,blk", [
    pytest.param(None, 0, 0, id="clean"),
    pytest.param(_ignore_term_block_usr2, 1 << (signal.SIGTERM - 1),
                 1 << (signal.SIGUSR2 - 1), id="ignored-TERM-blocked-USR2"),
])
def test_program_inherits_launcher_signal_state(sup, launcher, ign, blk):
    """The program gets the signal mask and ignored set its launcher gave
    the supervisor (SIG_IGN survives exec), not the supervisor's own."""
    run = sup.start(["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"],
                    preexec=launcher)
    assert run.wait(20) == 0, run.diag()
    got = dict(line.split(":\t") for line in run.out().decode().splitlines()
               if line.startswith("Sig"))
    assert (int(got["SigIgn"], 16), int(got["SigBlk"], 16)) == (ign, blk), \
        "program's SigIgn/SigBlk: %r" % got


# --- signal forwarding ------------------------------------------------------------

FORWARDED = [S.SIGTERM, S.SIGINT, S.SIGHUP, S.SIGQUIT, S.SIGUSR1, S.SIGUSR2,
             S.SIGWINCH, S.SIGCONT, S.SIGALRM, S.SIGPIPE, signal.SIGRTMIN + 1,
             S.SIGUSR1, S.SIGTERM]


def _send_and_confirm(run, sig, logs, n):
    os.kill(run.pid, sig)
    for log in logs:
        run.wait_for(lambda: len(read_log(log)) >= n,
                     "%s #%d forwarded into %s" % (signame(sig), n, log.name))


def test_signals_forwarded_in_order(sup, tmp_path):
    log, ready = tmp_path / "prog.log", tmp_path / "prog.ready"
    run = sup.start(helper("sigrec.py", log, ready,
                           "--exit-after", len(FORWARDED)))
    run.wait_pidfile(ready)
    for n, sig in enumerate(FORWARDED, 1):
        _send_and_confirm(run, sig, [log], n)
    assert run.wait(20) == 0, run.diag()
    got = read_log(log)
    assert [g[0] for g in got] == [signame(s) for s in FORWARDED]
    assert {g[1] for g in got} == {run.pid}, "sender must be the supervisor"
    assert {g[2] for g in got} == {SI_USER}, "forwarded with kill(2)"


@pytest.mark.parametrize("group", [False, True], ids=["no-g", "g"])
def test_process_group_forwarding(sup, tmp_path, group):
    """With -g the program's whole process group gets forwarded signals
    (a child of the program too); without it only the program does."""
    plog, pready = tmp_path / "prog.log", tmp_path / "prog.ready"
    clog, cready = tmp_path / "child.log", tmp_path / "child.ready"
    run = sup.start(helper("sigrec.py", plog, pready, "--exit-after", 3,
                           "--child", clog, cready), group=group)
    run.wait_pidfile(pready)
    child = run.wait_pidfile(cready, "the program's child to start")
    for n, sig in enumerate([S.SIGUSR1, S.SIGWINCH], 1):
        _send_and_confirm(run, sig, [plog, clog] if group else [plog], n)
    if not group:
        time.sleep(0.5)
    got = read_log(clog)
    if group:
        assert [g[:2] for g in got] == [("SIGUSR1", run.pid),
                                        ("SIGWINCH", run.pid)]
    else:
        assert got == [], "without -g the program's child got %r" % got
    os.kill(child, signal.SIGKILL)
    os.kill(run.pid, signal.SIGUSR2)
    assert run.wait(20) == 0, run.diag()
    assert [g[0] for g in read_log(plog)] == ["SIGUSR1", "SIGWINCH", "SIGUSR2"]


def _exec_sleep(pidfile):
    return ["/bin/sh", "-c", 'echo $$ > "$0"; exec sleep 30', pidfile]


@pytest.mark.parametrize("sig", [S.SIGTERM, S.SIGINT, S.SIGHUP, S.SIGQUIT,
                                 S.SIGUSR1], ids=lambda s: s.name)
def test_signal_to_supervisor_ends_program(sup, tmp_path, sig):
    """A forwarded signal whose default action kills the program: the
    supervisor exits 128+N."""
    run = sup.start(_exec_sleep(tmp_path / "pid"))
    pid = run.wait_pidfile(tmp_path / "pid")
    run.wait_for(lambda: (proc_stat(pid) or ("",))[0] == "sleep", "exec sleep")
    os.kill(run.pid, sig)
    assert run.wait(20) == 128 + sig, run.diag()


@pytest.mark.parametrize("how", ["program-ignores", "launcher-ignored"])
def test_sigterm_ignored_program_survives(sup, tmp_path, how):
    """SIGTERM is only forwarded: a program that ignores it keeps running,
    and the supervisor keeps running with it."""
    pidfile = tmp_path / "pid"
    if how == "program-ignores":
        run = sup.start(helper("ignore_term.py", pidfile))
        pid = run.wait_pidfile(pidfile)
        finish, expected = signal.SIGUSR1, 0
    else:
        run = sup.start(_exec_sleep(pidfile), preexec=lambda: signal.signal(
            signal.SIGTERM, signal.SIG_IGN))
        pid = run.wait_pidfile(pidfile)
        run.wait_for(lambda: (proc_stat(pid) or ("",))[0] == "sleep",
                     "exec sleep")
        finish, expected = signal.SIGINT, 128 + signal.SIGINT
    os.kill(run.pid, signal.SIGTERM)
    time.sleep(1.5)
    assert run.popen.poll() is None, "supervisor exited on SIGTERM\n" + run.diag()
    assert proc_state(pid) not in (None, "Z"), \
        "program did not survive SIGTERM\n" + run.diag()
    os.kill(run.pid, finish)
    assert run.wait(20) == expected, run.diag()


# --- job control ------------------------------------------------------------------

JOB_CONTROL = [
    pytest.param("prog", S.SIGSTOP, "prog", id="STOP-program,CONT-program"),
    pytest.param("prog", S.SIGTSTP, "prog", id="TSTP-program,CONT-program"),
    pytest.param("sup", S.SIGTSTP, "sup", id="TSTP-supervisor,CONT-supervisor"),
    pytest.param("prog", S.SIGSTOP, "sup", id="STOP-program,CONT-supervisor"),
]


@pytest.mark.parametrize("stop_to,stop_sig,cont_to", JOB_CONTROL)
def test_job_control(sup, tmp_path, stop_to, stop_sig, cont_to):
    """The program stops (State T; `t` is accepted only while it is traced,
    which is how the kernel shows a ptrace'd group-stop) and makes no
    progress; SIGCONT resumes it; the supervisor itself never stops; the
    exit code afterwards is the program's. Two cycles."""
    pidfile, hb = tmp_path / "pid", tmp_path / "heartbeat"
    run = sup.start(helper("spin.py", pidfile, hb))
    pid = run.wait_pidfile(pidfile)
    target = {"prog": pid, "sup": run.pid}

    def beat():
        try:
            return int(hb.read_bytes() or b"0")
        except (FileNotFoundError, ValueError):
            return 0

    for cycle in (1, 2):
        before = beat()
        run.wait_for(lambda: beat() > before, "program running (cycle %d)" % cycle)
        os.kill(target[stop_to], stop_sig)
        state = run.wait_for(lambda: proc_state(pid) in ("T", "t") and
                             proc_state(pid), "program stopped by %s (cycle %d)"
                             % (stop_sig.name, cycle))
        if state == "t":
            assert tracer_pid(pid), "State t but not traced\n" + run.diag()
        frozen = beat()
        time.sleep(0.3)
        assert beat() == frozen, "program made progress while stopped"
        assert proc_state(pid) in ("T", "t"), "program resumed by itself\n" \
            + run.diag()
        assert run.popen.poll() is None and proc_state(run.pid) not in \
            ("T", "t"), "supervisor must keep running\n" + run.diag()
        os.kill(target[cont_to], signal.SIGCONT)
        run.wait_for(lambda: proc_state(pid) not in ("T", "t"),
                     "program resumed by SIGCONT (cycle %d)" % cycle)
        run.wait_for(lambda: beat() > frozen, "program progressing after "
                     "SIGCONT (cycle %d)" % cycle)
    os.kill(pid, signal.SIGUSR1)
    assert run.wait(20) == 7, run.diag()


# --- zombies, subreaper, PID 1 -------------------------------------------------------

def test_orphans_reaped_by_subreaper(sup, tmp_path):
    """Not PID 1: the supervisor is a child subreaper, adopts the program's
    orphaned grandchildren and reaps them, and keeps running until the
    program itself exits."""
    res = tmp_path / "orphans.json"
    run = sup.start(helper("orphans.py", res, 3, 3))
    assert run.wait(30) == 3, run.diag()
    f = json.loads(res.read_text())
    assert f["ppid"] == run.pid
    assert f["adopted_by"] == [run.pid] * 3, "orphans not adopted by the " \
        "supervisor (PR_SET_CHILD_SUBREAPER): %r" % f
    assert f["not_reaped"] == {}, "orphans left unreaped: %r" % f


def test_pid1_in_pid_namespace(sup, tmp_path):
    """As PID 1 of a PID namespace: the program's parent is PID 1 (the
    supervisor), orphans are adopted by PID 1 and reaped, and the exit code
    propagates."""
    res = tmp_path / "orphans.json"
    run = sup.start(helper("orphans.py", res, 3, 5), pid1=True)
    assert run.wait(30) == 5, run.diag()
    f = json.loads(res.read_text())
    assert f["ppid"] == 1, f
    assert f["pid1_exe"] == os.path.basename(os.path.realpath(sup.path)), f
    assert f["adopted_by"] == [1, 1, 1], f
    assert f["not_reaped"] == {}, "orphans left unreaped: %r" % f


def _ns_init(run):
    """Host pid of the PID namespace's init (the child of unshare)."""
    def find():
        kids = [p for p, st in session_procs(run.pid) if st[2] == run.pid]
        return kids[0] if len(kids) == 1 else None
    return run.wait_for(find, "the namespace's PID 1")


def test_pid1_forwards_signals(sup, tmp_path):
    """Signals sent from outside to a namespace's PID 1 reach the program
    (the kernel drops them unless PID 1 blocks or handles them)."""
    log, ready = tmp_path / "prog.log", tmp_path / "prog.ready"
    seq = [S.SIGTERM, S.SIGINT, S.SIGHUP, S.SIGUSR1]
    run = sup.start(helper("sigrec.py", log, ready, "--exit-after", len(seq)),
                    pid1=True)
    init = _ns_init(run)
    run.wait_pidfile(ready)
    for n, sig in enumerate(seq, 1):
        os.kill(init, sig)
        run.wait_for(lambda: len(read_log(log)) >= n,
                     "%s forwarded by PID 1" % sig.name)
    assert run.wait(20) == 0, run.diag()
    assert read_log(log) == [(s.name, 1, SI_USER) for s in seq]


def test_pid1_sigterm_ends_program(sup, tmp_path):
    run = sup.start(_exec_sleep(tmp_path / "pid"), pid1=True)
    init = _ns_init(run)
    run.wait_pidfile(tmp_path / "pid")
    run.wait_for(lambda: any(st[0] == "sleep" and st[2] == init
                             for _, st in session_procs(run.pid)), "exec sleep")
    os.kill(init, signal.SIGTERM)
    assert run.wait(20) == 128 + signal.SIGTERM, run.diag()


@pytest.mark.parametrize("pid1", [False, True], ids=["subreaper", "pid1"])
def test_exit_while_background_children_remain(sup, tmp_path, pid1):
    """The program exits leaving a background child alive: the supervisor
    exits promptly with the program's status (it does not wait for it)."""
    pidfile = tmp_path / "bg.pid"
    run = sup.start(helper("bg_exit.sh", pidfile, 4), pid1=pid1)
    assert run.wait(10) == 4, run.diag()
    assert pidfile.read_text().strip().isdigit(), "background child started"
