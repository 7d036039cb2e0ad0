"""Tracer integration tests: real programs under `vigil --events-out`.

strace style: each program in test/progs performs known syscalls and reports
what it did (its pid, child pids, thread ids, fds, paths) as
"VIGILTEST {json}" lines on stdout.  The test runs it as

    vigil --events-out $tmp/ev.ndjson -- PROGRAM ARGS...

and compares the NDJSON events with the report, field by field, using the
names of docs/events.md.  Where the outcome of a syscall matters, the
program is also run natively and the results must be identical.

Fixtures `vigil_bin` and `progs_dir` come from conftest.py (VIGIL_BIN,
VIGIL_TEST_PROGS).  Run:  /usr/bin/python3 -m pytest test/integration/test_tracer.py
"""
import errno
import json
import os
import re
from pathlib import Path

import pytest

from vigil_runner import run_program, vigil_env, vigil_run

RUN_TIMEOUT = 30  # seconds for one traced run; a hang is a failure
PREFIX = b"VIGILTEST "
ARCHES = {"x86_64", "i386", "x32", "aarch64"}
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


# --------------------------------------------------------------------------
# Running programs and reading what they and vigil produced
# --------------------------------------------------------------------------

class Run:
    """Outcome of one run: exit code, reports, events, raw NDJSON bytes."""

    def __init__(self, argv, rc, stdout, stderr, raw_events):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.raw = raw_events
        self.reports = [json.loads(line[len(PREFIX):])
                        for line in stdout.splitlines() if line.startswith(PREFIX)]
        self.events = parse_ndjson(raw_events) if raw_events is not None else None

    def report(self, **match):
        """The first report whose keys equal `match` (fails if none)."""
        for r in self.reports:
            if all(r.get(k) == v for k, v in match.items()):
                return r
        pytest.fail(f"no report matching {match} in {self.reports}\n{self.describe()}")

    def first(self):
        """The first report (the program's header line); fails if there is none."""
        if not self.reports:
            pytest.fail(f"the program reported nothing\n{self.describe()}")
        return self.reports[0]

    def describe(self):
        err = self.stderr.decode(errors="replace")[-3000:]
        return f"command: {self.argv}\nexit code: {self.rc}\nstderr (tail):\n{err}"


def parse_ndjson(raw):
    """Parse NDJSON strictly: UTF-8, one JSON object per line."""
    events = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, line in enumerate(lines, 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as e:
            pytest.fail(f"events line {i} is not UTF-8 ({e}): {line[:300]!r}")
        try:
            ev = json.loads(text)
        except ValueError as e:
            pytest.fail(f"events line {i} is not JSON ({e}): {text[:300]!r}")
        if not isinstance(ev, dict):
            pytest.fail(f"events line {i} is not a JSON object: {text[:300]!r}")
        events.append(ev)
    return events


def _env(env):
    """The test's environment with env on top; never the SECRET_TOKEN of the host."""
    return vigil_env(**{"SECRET_TOKEN": None, **(env or {})})


def as_run(p, events_out=None):
    """A Run of a finished process; events_out: the events file vigil wrote."""
    raw = None
    if events_out is not None:
        assert events_out.exists(), (
            f"vigil wrote no events file {events_out}\nstderr:\n"
            f"{p.stderr.decode(errors='replace')[-3000:]}")
        raw = events_out.read_bytes()
    return Run(p.args, p.returncode, p.stdout, p.stderr, raw)


def traced(vigil_bin, argv, tmp, name="traced", env=None, timeout=RUN_TIMEOUT, opts=("--no-rules",),
           wrapper=()):
    """Run argv under `vigil OPTS --events-out`; returns a Run with .events.
    stdout/stderr go to files (no pipe a leftover child could hold)."""
    ev_path = tmp / f"{name}.ndjson"
    p = vigil_run(vigil_bin, *opts, "--events-out", ev_path, "--", *argv, env=_env(env),
                  timeout=timeout, text=False, out_dir=tmp, name=name, wrapper=wrapper)
    return as_run(p, ev_path)


def untraced(vigil_bin, args, tmp, name, env=None, timeout=RUN_TIMEOUT):
    """Run `vigil ARGS` (no events file; stdout/stderr in files as traced()); returns a Run."""
    return as_run(vigil_run(vigil_bin, *args, env=_env(env), timeout=timeout, text=False,
                            out_dir=tmp, name=name))


def native(argv, tmp, name="native", env=None):
    """Run argv without vigil (to learn what the kernel does natively)."""
    return as_run(run_program(argv, env=_env(env), timeout=RUN_TIMEOUT, text=False,
                              out_dir=tmp, name=name))


# --------------------------------------------------------------------------
# Selecting and comparing events
# --------------------------------------------------------------------------

def evs(events, type=None, pid=None, tid=None, **fields):
    """Events with the given evt.type / proc.pid / thread.tid / exact fields."""
    out = []
    for ev in events:
        if type is not None and ev.get("evt.type") != type:
            continue
        if pid is not None and ev.get("proc.pid") != pid:
            continue
        if tid is not None and ev.get("thread.tid") != tid:
            continue
        if any(ev.get(k) != v for k, v in fields.items()):
            continue
        out.append(ev)
    return out


def brief(ev):
    """One event as a short string for failure messages."""
    keep = {k: v for k, v in ev.items()
            if k.startswith(("evt.type", "evt.res", "evt.arg", "evt.arch", "fd.",
                             "proc.pid", "thread.tid", "proc.name", "proc.args",
                             "proc.ppid", "vigil."))}
    s = json.dumps(keep, sort_keys=True)
    return s if len(s) < 600 else s[:600] + "..."


def show(events, limit=40):
    if not events:
        return "  (none)"
    lines = [f"  {brief(e)}" for e in events[:limit]]
    if len(events) > limit:
        lines.append(f"  ... {len(events) - limit} more")
    return "\n".join(lines)


def as_int(v):
    """Integer value of an int or decimal string field, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
        return int(v)
    return None


def int_is(n):
    """Matcher: field is the integer n (JSON int or decimal string)."""
    def m(v):
        return as_int(v) == n
    m.desc = f"== {n}"
    return m


def mode_is(mode):
    """Matcher: a file mode given as int or octal string ("0750", "750", "0o750")."""
    def m(v):
        if isinstance(v, int) and not isinstance(v, bool):
            return v == mode
        if isinstance(v, str):
            s = v.strip().lower().removeprefix("0o")
            return bool(re.fullmatch(r"[0-7]+", s)) and int(s, 8) == mode
        return False
    m.desc = f"mode {oct(mode)}"
    return m


def one_of(*values):
    def m(v):
        return v in values or (as_int(v) is not None and as_int(v) in values)
    m.desc = f"one of {values}"
    return m


def flags_are(*names):
    """Matcher: a `A|B|C` flags string naming exactly these flags (as passed)."""
    def m(v):
        return isinstance(v, str) and set(v.split("|")) == set(names)
    m.desc = f"exactly {'|'.join(names)}"
    return m


def endswith(suffix):
    def m(v):
        return isinstance(v, str) and v.endswith(suffix)
    m.desc = f"endswith {suffix!r}"
    return m


def is_true(v):
    return v is True


is_true.desc = "true"


def is_false(v):
    return v is False


is_false.desc = "false"


def mismatches(ev, expect):
    """List of 'field: wanted X, got Y' for fields of ev that do not match."""
    bad = []
    for key, want in expect.items():
        got = ev.get(key, "<absent>")
        ok = want(got) if callable(want) else got == want
        if not ok:
            desc = getattr(want, "desc", repr(want))
            bad.append(f"{key}: wanted {desc}, got {got!r}")
    return bad


def match_one(events, type, pid, expect, what):
    """The event of `type` from `pid` matching every field of `expect`.

    Fails naming the closest candidate and its wrong fields when none match.
    """
    cands = evs(events, type=type, pid=pid)
    best, best_bad = None, None
    for ev in cands:
        bad = mismatches(ev, expect)
        if not bad:
            return ev
        if best_bad is None or len(bad) < len(best_bad):
            best, best_bad = ev, bad
    if not cands:
        pytest.fail(f"{what}: no `{type}` event with proc.pid={pid}; events of "
                    f"that pid:\n{show(evs(events, pid=pid))}")
    pytest.fail(f"{what}: no `{type}` event from pid {pid} has all expected fields.\n"
                f"closest: {brief(best)}\nwrong: " + "; ".join(best_bad) +
                f"\nall `{type}` events of pid {pid}:\n{show(cands)}")


def prog(progs_dir, name):
    path = progs_dir / name
    assert path.is_file(), f"test program {path} not built"
    return path


# --------------------------------------------------------------------------
# Stream-level contract
# --------------------------------------------------------------------------

def test_stream_contract(vigil_bin, progs_dir, tmp_path):
    """Every line is a JSON object with the common fields of docs/events.md."""
    run = traced(vigil_bin, [prog(progs_dir, "chain"), "s1", "fork",
                             prog(progs_dir, "chain"), prog(progs_dir, "chain")], tmp_path)
    assert run.rc == 0, run.describe()
    events = run.events
    assert events, "no events at all"
    problems = []
    last = None
    for i, ev in enumerate(events, 1):
        num = ev.get("evt.num")
        if as_int(num) is None or isinstance(num, str):
            problems.append(f"line {i}: evt.num {num!r} is not an int")
        elif last is not None and num <= last:
            problems.append(f"line {i}: evt.num {num} not greater than previous {last}")
        else:
            last = num
        if not isinstance(ev.get("evt.type"), str):
            problems.append(f"line {i}: evt.type missing")
        if not isinstance(ev.get("evt.rawtime"), int):
            problems.append(f"line {i}: evt.rawtime {ev.get('evt.rawtime')!r} not an int")
        if not TIME_RE.match(str(ev.get("evt.time", ""))):
            problems.append(f"line {i}: evt.time {ev.get('evt.time')!r} is not RFC 3339 UTC ns")
        if ev.get("evt.source") not in ("syscall", "vigil"):
            problems.append(f"line {i}: evt.source {ev.get('evt.source')!r}")
        if ev.get("evt.source") != "syscall":
            continue
        for k in ("proc.pid", "thread.tid", "proc.ppid"):
            if not isinstance(ev.get(k), int):
                problems.append(f"line {i}: {k} {ev.get(k)!r} not an int")
        if ev.get("evt.arch") not in ARCHES:
            problems.append(f"line {i}: evt.arch {ev.get('evt.arch')!r}")
        d = ev.get("evt.dir")
        if d not in ("<", ">"):
            problems.append(f"line {i}: evt.dir {d!r}")
        elif (d == "<") != isinstance(ev.get("evt.res"), int):
            problems.append(f"line {i}: evt.dir {d} but evt.res {ev.get('evt.res')!r}")
        cwd = ev.get("proc.cwd")
        if cwd is not None and not str(cwd).endswith("/"):
            problems.append(f"line {i}: proc.cwd {cwd!r} does not end with /")
        an, ap = ev.get("proc.aname"), ev.get("proc.apid")
        if ev.get("evt.type") != "procexit":
            if not isinstance(an, list) or not isinstance(ap, list) or not an or not ap:
                problems.append(f"line {i}: proc.aname/proc.apid not non-empty arrays: {an!r} {ap!r}")
            else:
                if ap[0] != ev.get("proc.pid"):
                    problems.append(f"line {i}: proc.apid[0] {ap[0]} != proc.pid {ev.get('proc.pid')}")
                if an[0] != ev.get("proc.name"):
                    problems.append(f"line {i}: proc.aname[0] {an[0]!r} != proc.name {ev.get('proc.name')!r}")
                if len(an) > 9 or len(ap) > 9:
                    problems.append(f"line {i}: more than 8 ancestors")
    assert not problems, "\n".join(problems[:30])


def test_health_event_at_exit(vigil_bin, progs_dir, tmp_path):
    """docs/events.md: a vigil_health event is emitted once at exit."""
    run = traced(vigil_bin, [prog(progs_dir, "threads"), tmp_path, 2], tmp_path)
    assert run.rc == 0, run.describe()
    health = evs(run.events, type="vigil_health")
    assert health, "no vigil_health event in the stream"
    last = health[-1]
    assert last.get("evt.source") == "vigil", brief(last)
    for k in ("vigil.events_dropped", "vigil.events_lost", "vigil.analyzer_restarts",
              "vigil.read_errors"):
        assert isinstance(last.get(k), int), f"{k} missing from {last}"


# --------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------

def test_threads_openat_per_thread(vigil_bin, progs_dir, tmp_path):
    n = 8
    run = traced(vigil_bin, [prog(progs_dir, "threads"), tmp_path, n], tmp_path)
    assert run.rc == 0, run.describe()
    pid = run.report(n=n)["pid"]
    per_thread = [r for r in run.reports if "tid" in r]
    assert len(per_thread) == n, run.reports
    tids = {r["tid"] for r in per_thread}
    assert len(tids) == n and pid not in tids, f"threads not distinct: {per_thread}"
    seen_tids = set()
    for r in per_thread:
        ev = match_one(run.events, "openat", pid, {
            "fd.name": r["path"],
            "thread.tid": r["tid"],
        }, f"thread {r['tid']} opening {r['path']}")
        seen_tids.add(ev["thread.tid"])
        if "fd.num" in ev:
            assert ev["fd.num"] == r["fd"], brief(ev)
    assert seen_tids == tids


# --------------------------------------------------------------------------
# clone3 and CLONE_UNTRACED
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["clone3", "clone3_untraced"])
def test_clone3_is_answered_enosys(vigil_bin, progs_dir, tmp_path, mode):
    """clone3 takes its flags from memory, which a second thread can change
    after vigil read them (test_races.py): the filter answers every clone3
    ENOSYS, as container runtimes' default profiles do; libc falls back to
    clone. Nothing is created, nothing to report."""
    run = traced(vigil_bin, [prog(progs_dir, "clone_raw"), mode, tmp_path], tmp_path)
    assert run.rc == 0, run.describe()
    parent = run.report(role="parent")
    assert parent["res"] == -errno.ENOSYS, f"{mode} under vigil: {parent}"
    assert not [r for r in run.reports if r.get("role") == "child"], run.reports
    assert not (tmp_path / f"marker-{mode}").exists()
    assert not [e for e in run.events if e.get("vigil.tamper")], "ENOSYS is no tamper attempt"


def test_clone_untraced_never_unseen(vigil_bin, progs_dir, tmp_path):
    """CLONE_UNTRACED (a register the filter checks) fails with EPERM, or
    gives a traced child; a tamper event either way."""
    mode = "clone_untraced"
    run = traced(vigil_bin, [prog(progs_dir, "clone_raw"), mode, tmp_path], tmp_path)
    assert run.rc == 0, run.describe()
    parent = run.report(role="parent")
    pid, res = parent["pid"], parent["res"]
    marker = tmp_path / f"marker-{mode}"
    if res < 0:
        assert res == -errno.EPERM, f"{mode} failed with {res}, wanted -EPERM or a traced child"
        assert not marker.exists(), "call reported failure but a child created the marker"
    else:
        c = run.report(role="child")
        assert c["pid"] == res
        assert c["tracer"] > 0, f"{mode}: child {res} runs UNTRACED (TracerPid 0)"
        assert marker.exists()
        match_one(run.events, "openat", res, {"fd.name": str(marker)},
                  f"{mode} child opening its marker")
    tamper = [e for e in run.events if e.get("vigil.tamper") == "clone_untraced"]
    assert tamper, (f"{mode} (result {res}): no event with vigil.tamper=clone_untraced; "
                    f"events of pid {pid}:\n{show(evs(run.events, pid=pid))}")
    assert any(e.get("proc.pid") == pid for e in tamper), show(tamper)


# --------------------------------------------------------------------------
# fork/vfork + exec chains: proc.ppid, proc.pname, proc.aname, proc.apid
# --------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["fork", "vfork"])
def test_exec_chain_ancestry(vigil_bin, progs_dir, tmp_path, mode):
    chain = prog(progs_dir, "chain")
    p1, p2, p3 = (tmp_path / n for n in ("ch_one", "ch_two", "ch_three"))
    for p in (p1, p2, p3):
        p.symlink_to(chain)
    run = traced(vigil_bin, [p1, "s1", mode, p2, p3], tmp_path)
    assert run.rc == 0, run.describe()
    pid1 = run.report(stage=1)["pid"]
    pid2 = run.report(stage=2)["pid"]
    pid3 = run.report(stage=3)["pid"]
    exepath = os.path.realpath(chain)
    args2 = f"s2 {mode} {p2} {p3}"
    args3 = f"s3 {mode} hello world"
    match_one(run.events, "execve", pid2, {
        "evt.res": 0, "proc.ppid": pid1, "proc.name": "ch_two", "proc.exe": str(p2),
        "proc.exepath": exepath, "proc.args": args2, "proc.cmdline": f"ch_two {args2}",
        "proc.pname": "ch_one",
        "proc.aname": lambda v: isinstance(v, list) and v[:2] == ["ch_two", "ch_one"],
        "proc.apid": lambda v: isinstance(v, list) and v[:2] == [pid2, pid1],
    }, "stage 2 execve")
    match_one(run.events, "execve", pid3, {
        "evt.res": 0, "proc.ppid": pid2, "proc.name": "ch_three", "proc.exe": str(p3),
        "proc.exepath": exepath, "proc.args": args3, "proc.pname": "ch_two",
        "proc.pcmdline": f"ch_two {args2}",
        "proc.aname": lambda v: isinstance(v, list) and v[:3] == ["ch_three", "ch_two", "ch_one"],
        "proc.apid": lambda v: isinstance(v, list) and v[:3] == [pid3, pid2, pid1],
    }, "stage 3 execve")
    # The process-creating call is an event with the child pid in evt.res.
    created = [e for e in evs(run.events, pid=pid1)
               if e.get("evt.type") in ("clone", "clone3", "fork", "vfork")]
    if mode == "vfork":
        created = [e for e in created if e["evt.type"] == "vfork"]
    assert any(e.get("evt.res") == pid2 for e in created), (
        f"no {mode} event from {pid1} with evt.res={pid2}:\n{show(created)}")


# --------------------------------------------------------------------------
# exec from a non-leader thread
# --------------------------------------------------------------------------

def _check_exec_keeps_tgid(run, marker, exe):
    start = run.report(stage="start")
    pid = start["pid"]
    after = run.report(stage="after")
    assert after["pid"] == pid and after["tid"] == pid, f"kernel facts: {start} {after}"
    execs = [e for e in evs(run.events, type="execve")
             if e.get("proc.args") == f"after {marker}"]
    assert execs, ("no execve event for the thread's exec; execve events:\n"
                   + show(evs(run.events, type="execve")))
    ev = execs[0]
    assert ev.get("proc.pid") == pid, f"execve event proc.pid {ev.get('proc.pid')} != tgid {pid}"
    assert ev.get("thread.tid") == pid, (
        f"after exec the thread is the leader (tid {pid}), event says {ev.get('thread.tid')}")
    assert ev.get("evt.res") == 0 and ev.get("proc.exepath") == exe, brief(ev)
    match_one(run.events, "openat", pid, {"fd.name": str(marker), "thread.tid": pid},
              "the exec'd image opening the marker")
    return pid


def test_exec_from_non_leader_thread(vigil_bin, progs_dir, tmp_path):
    exe = prog(progs_dir, "exec_thread")
    marker = tmp_path / "after-marker"
    run = traced(vigil_bin, [exe, "simple", marker], tmp_path)
    assert run.rc == 0, run.describe()
    pid = _check_exec_keeps_tgid(run, marker, os.path.realpath(exe))
    exec_tid = run.report(stage="exec")["tid"]
    assert exec_tid != pid
    # Nothing after the exec may be attributed to the vanished thread id.
    exec_num = next(e["evt.num"] for e in evs(run.events, type="execve", pid=pid)
                    if e.get("proc.args") == f"after {marker}")
    stale = [e for e in run.events if e.get("evt.num", 0) > exec_num
             and exec_tid in (e.get("proc.pid"), e.get("thread.tid"))]
    assert not stale, f"events after the exec still use old tid {exec_tid}:\n{show(stale)}"


def test_exec_while_threads_exit(vigil_bin, progs_dir, tmp_path):
    """Leader calls pthread_exit, workers exit while another thread execs."""
    exe = prog(progs_dir, "exec_thread")
    for i, workers in enumerate((2, 4, 8, 16, 32, 64)):
        d = tmp_path / f"r{i}"
        d.mkdir()
        marker = d / "after-marker"
        run = traced(vigil_bin, [exe, "race", marker, workers], d, timeout=20)
        assert run.rc == 0, f"workers={workers}\n" + run.describe()
        pid = _check_exec_keeps_tgid(run, marker, os.path.realpath(exe))
        wrong = [e for e in evs(run.events, type="openat")
                 if e.get("fd.name") == "/dev/null" and e.get("proc.pid") != pid]
        assert not wrong, f"worker opens attributed to another pid:\n{show(wrong)}"


# --------------------------------------------------------------------------
# Fileless and fd-based exec
# --------------------------------------------------------------------------

def test_memfd_exec(vigil_bin, progs_dir, tmp_path):
    name = "vigil-memfd-test"
    run = traced(vigil_bin, [prog(progs_dir, "memfd_exec"), name], tmp_path)
    assert run.rc == 0, run.describe()
    pid = run.report(name=name)["pid"]
    match_one(run.events, "memfd_create", pid, {"evt.arg.name": name}, "memfd_create")
    match_one(run.events, "execveat", pid, {
        "evt.res": 0, "proc.is_exe_from_memfd": is_true, "proc.exe": "memfd-true",
    }, "execveat of the memfd")


@pytest.mark.parametrize("mode", ["opath", "dirfd"])
def test_fexec(vigil_bin, progs_dir, tmp_path, mode):
    run = traced(vigil_bin, [prog(progs_dir, "fexec"), mode], tmp_path)
    assert run.rc == 0, run.describe()
    r = run.first()
    expect = {
        "evt.res": 0, "proc.exepath": r["exe"], "proc.exe": "fexec-true",
        "proc.is_exe_from_memfd": lambda v: v in (False, "<absent>"),
    }
    if mode == "dirfd":
        expect["evt.arg.filename"] = "true"
    match_one(run.events, "execveat", r["pid"], expect, f"execveat ({mode})")


# --------------------------------------------------------------------------
# Long and odd argv
# --------------------------------------------------------------------------

@pytest.mark.parametrize("kind,count", [("many", 20000), ("big", 130000)])
def test_long_argv_truncated(vigil_bin, progs_dir, tmp_path, kind, count):
    run = traced(vigil_bin, [prog(progs_dir, "longargv"), kind, count], tmp_path)
    assert run.rc == 0, run.describe()
    r = run.first()
    if kind == "many":
        full = " ".join(f"arg{i:05d}" for i in range(count))
    else:
        full = "x" * count
    assert r["args_len"] == len(full)
    ev = match_one(run.events, "execve", r["pid"], {
        "evt.res": 0, "proc.exepath": os.path.realpath("/bin/true"),
    }, "exec with long argv")
    args = ev.get("proc.args")
    assert isinstance(args, str) and args, f"proc.args missing: {brief(ev)}"
    assert len(args) < len(full), f"proc.args not truncated ({len(args)} chars)"
    assert ev.get("vigil.args_truncated") is True, f"truncation not marked: {brief(ev)}"
    n = min(len(args), 100)
    assert args[:n] == full[:n], f"proc.args is not a prefix of argv: {args[:200]!r}"
    longest = max(len(line) for line in run.raw.split(b"\n"))
    assert longest < 256 * 1024, f"an event line is {longest} bytes"


def test_exec_e2big_still_an_event(vigil_bin, progs_dir, tmp_path, sensor):
    """A 200 KB single argument fails natively with E2BIG; same under vigil, with an event
    (under ptrace; under notify a failed exec is no event, and never a successful one)."""
    argv = [prog(progs_dir, "longargv"), "big", 200000]
    nat = native(argv, tmp_path)
    assert nat.report(exec_res=-errno.E2BIG)
    run = traced(vigil_bin, argv, tmp_path)
    assert run.rc == 0, run.describe()
    pid = run.first()["pid"]
    assert run.report(exec_res=-errno.E2BIG)
    if sensor == "notify":
        assert not evs(run.events, type="execve", pid=pid)[1:], run.events
        return
    match_one(run.events, "execve", pid, {
        "evt.res": -errno.E2BIG,
        "proc.exepath": os.path.realpath(prog(progs_dir, "longargv")),
    }, "failed execve (E2BIG)")


def test_weird_argv_is_valid_json(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "longargv"), "weird"], tmp_path)
    assert run.rc == 0, run.describe()  # parse_ndjson already demanded UTF-8 JSON
    pid = run.first()["pid"]
    ev = match_one(run.events, "execve", pid, {
        "evt.res": 0, "proc.exepath": os.path.realpath("/bin/true"),
    }, "exec with odd argv")
    args = ev.get("proc.args")
    assert isinstance(args, str), brief(ev)
    want = 'quote"back\\slash new\nline\ttab\x01\x1f bad-utf8-'
    assert args.startswith(want), f"proc.args {args!r} does not start with {want!r}"
    assert "ok-\u00e9t\u00e9" in args, f"valid UTF-8 argument mangled: {args!r}"
    assert "vigil.args_truncated" not in ev, "a short argv marked as truncated"


# --------------------------------------------------------------------------
# Bad pointers
# --------------------------------------------------------------------------

# case -> fields that must be absent, fields that must equal (filled in below)
BADPTR_ABSENT = {
    "open_addr1": ("evt.arg.name", "fd.name"),
    "open_kernel_addr": ("evt.arg.name", "fd.name"),
    "open_protnone": ("evt.arg.name", "fd.name"),
    "open_unterminated": ("evt.arg.name", "fd.name"),
    # 4096 bytes without a NUL: the kernel refuses it (ENAMETOOLONG); a
    # truncated prefix is not the path and must not be reported as one.
    "open_fullpage": ("evt.arg.name", "fd.name"),
    "execve_path_addr1": ("evt.arg.filename",),
    "execve_path_unterminated": ("evt.arg.filename",),
    "execve_argv_protnone": (),
    "execve_argv_elem_addr1": (),
    "execve_envp_addr1": (),
    "connect_addr1": ("fd.dip", "fd.dport"),
    "connect_protnone": ("fd.dip", "fd.dport"),
    "connect_straddle": ("fd.dip", "fd.dport"),
    "rename_old_addr1": ("evt.arg.oldpath",),
    "rename_new_protnone": ("evt.arg.newpath",),
    "rename_new_unterminated": ("evt.arg.newpath",),
}


def test_bad_pointers(vigil_bin, progs_dir, tmp_path, sensor):
    """Every call with a bad pointer fails as natively and is still an event,
    without the unreadable field. A failed exec is not one under the notify
    sensor: its errno shows only at an exit stop, which a notification does
    not have (docs/events.md, "Sensors")."""
    exe = prog(progs_dir, "badptr")
    nd, td = tmp_path / "native", tmp_path / "traced"
    nd.mkdir()
    td.mkdir()
    nat = native([exe, nd], nd)
    assert nat.rc == 0, nat.describe()
    run = traced(vigil_bin, [exe, td], td)
    assert run.rc == 0, run.describe()
    cases_nat = [(r["case"], r["type"], r["res"]) for r in nat.reports if "case" in r]
    cases = [(r["case"], r["type"], r["res"]) for r in run.reports if "case" in r]
    assert {c for c, _, _ in cases_nat} == set(BADPTR_ABSENT)
    assert cases == cases_nat, "syscall results under vigil differ from native"
    assert (td / "done").exists()
    pid = run.first()["pid"]
    tid = run.first()["tid"]
    mine = evs(run.events, pid=pid, tid=tid)

    def sentinel_num(name):
        path = f"/nonexistent-vigil-case/{name}"
        for e in mine:
            if e.get("evt.type") == "openat" and path in (e.get("evt.arg.name"), e.get("fd.name")):
                return e["evt.num"]
        pytest.fail(f"sentinel openat {path} not seen; openat events:\n"
                    f"{show(evs(mine, type='openat'))}")

    names = [c for c, _, _ in cases] + ["end"]
    nums = {n: sentinel_num(n) for n in names}
    failures = []
    for i, (case, typ, res) in enumerate(cases):
        lo, hi = nums[case], nums[names[i + 1]]
        found = [e for e in mine if lo < e["evt.num"] < hi and e.get("evt.type") == typ]
        if typ == "execve" and sensor == "notify":
            if found:
                failures.append(f"{case}: a failed exec reported under notify: {brief(found[0])}")
            continue
        if not found:
            failures.append(f"{case}: no `{typ}` event between its sentinel and the next")
            continue
        ev = found[0]
        if "evt.res" in ev and ev["evt.res"] != res:
            failures.append(f"{case}: evt.res {ev['evt.res']} != native {res}")
        for k in BADPTR_ABSENT[case]:
            if k in ev:
                v = repr(ev[k])
                failures.append(f"{case}: unreadable {k} present: "
                                f"{v[:80] + '...' if len(v) > 80 else v} ({len(ev[k])} chars)")
        if case == "rename_old_addr1" and ev.get("evt.arg.newpath") != str(td / "newname"):
            failures.append(f"{case}: readable newpath wrong: {brief(ev)}")
        if case.startswith("rename_new") and ev.get("evt.arg.oldpath") != str(td / "exists"):
            failures.append(f"{case}: readable oldpath wrong: {brief(ev)}")
        if typ == "execve" and ev.get("proc.exepath") != os.path.realpath(exe):
            failures.append(f"{case}: failed exec must carry the caller's proc.*: {brief(ev)}")
    match_one(run.events, "openat", pid, {"fd.name": str(td / "done")},
              "tracing continues after bad pointers")
    health = evs(run.events, type="vigil_health")
    if not health or not as_int(health[-1].get("vigil.read_errors")):
        failures.append("vigil.read_errors of the last vigil_health event is not > 0: "
                        + (brief(health[-1]) if health else "no vigil_health event"))
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------
# Foreign-arch syscalls from a 64-bit process
# --------------------------------------------------------------------------

@pytest.mark.parametrize("arch,probe,syscall", [
    ("i386", "probe", "open"),
    ("x32", "x32probe", "openat"),
])
def test_foreign_arch_traced_or_refused(vigil_bin, progs_dir, tmp_path, arch, probe, syscall):
    exe = prog(progs_dir, "foreign_arch")
    p = native([exe, probe], tmp_path, name="probe")
    if p.rc == 77:
        pytest.skip(f"kernel cannot run {arch} syscalls natively: "
                    f"{p.stderr.decode(errors='replace').strip()}")
    assert p.rc == 0, p.describe()
    marker = tmp_path / f"{arch}-marker"
    run = traced(vigil_bin, [exe, arch, marker], tmp_path)
    pid = run.first()["pid"]
    opens = [e for e in evs(run.events, pid=pid)
             if e.get("evt.arch") == arch and e.get("evt.type") == syscall
             and str(marker) in (e.get("fd.name"), e.get("evt.arg.name"))]
    tamper = [e for e in evs(run.events, pid=pid) if e.get("vigil.tamper") == "foreign_arch"]
    after = [r for r in run.reports if "open_res" in r]
    if marker.exists():
        assert opens, (f"{arch} {syscall} created {marker} but there is no event with "
                       f"evt.arch={arch}, evt.type={syscall}: an UNTRACED syscall.\n"
                       f"events of pid {pid}:\n{show(evs(run.events, pid=pid))}")
    if after:  # the process survived: the call must have been traced
        assert run.rc == 0, run.describe()
        assert after[0]["open_res"] >= 0, f"{arch} open failed under vigil: {after[0]}"
        assert after[0]["getpid_res"] == pid, after[0]
        assert opens, f"no {arch} {syscall} event:\n{show(evs(run.events, pid=pid))}"
        if "evt.res" in opens[0]:
            assert opens[0]["evt.res"] == after[0]["open_res"], brief(opens[0])
        want_flags = {"i386": "O_WRONLY|O_CREAT", "x32": "O_WRONLY|O_CREAT"}[arch]
        assert set(str(opens[0].get("evt.arg.flags")).split("|")) == set(want_flags.split("|")), (
            f"{arch} open flags as passed are {want_flags}: {brief(opens[0])}")
        if arch == "i386":  # the socket calls' multiplexer, unpacked
            assert after[0]["socket_res"] >= 0, after[0]
            socks = [e for e in evs(run.events, pid=pid, type="socket") if e.get("evt.arch") == "i386"]
            assert socks and socks[0].get("evt.res") == after[0]["socket_res"], \
                f"no i386 socket event for socketcall:\n{show(evs(run.events, pid=pid))}"
        # vigil's own filter asked for every one of these stops
        assert not [e for e in run.events if e.get("vigil.tamper") == "foreign_trace"], \
            show([e for e in run.events if e.get("vigil.tamper")])
    else:  # refused: killed, with a tamper event, and nothing opened
        assert tamper, (f"process stopped after the {arch} call (rc {run.rc}) with no "
                        f"foreign_arch tamper event\n{run.describe()}")
        assert run.rc != 0
        assert not marker.exists()


# --------------------------------------------------------------------------
# File, credential, fd, socket, ptrace and mount syscalls
# --------------------------------------------------------------------------

_FILEOPS = {}


@pytest.fixture
def fileops_run(vigil_bin, progs_dir, tmp_path_factory):
    """Run test/progs/fileops once (natively and traced) and share the result."""
    key = (str(vigil_bin), str(progs_dir))
    if key not in _FILEOPS:
        base = tmp_path_factory.mktemp("fileops")
        d = Path(os.path.realpath(base))
        nd, td = d / "n", d / "t"
        nd.mkdir()
        td.mkdir()
        nat = native([prog(progs_dir, "fileops"), nd], d, name="native")
        run = traced(vigil_bin, [prog(progs_dir, "fileops"), td], d)
        _FILEOPS[key] = (nat, run, td)
    return _FILEOPS[key]


def _fileops_expect(op, r, head, d):
    """Expected fields for fileops operation `op` (report r, first report head)."""
    D = str(d)
    uid, gid = head["uid"], head["gid"]
    return {
        "openat_w": {"fd.name": f"{D}/file", "evt.arg.name": "file",
                     "evt.arg.flags": flags_are("O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC"),
                     "evt.arg.mode": mode_is(0o640),
                     "evt.is_open_write": is_true, "evt.is_open_read": is_false},
        "openat_r": {"fd.name": f"{D}/file", "evt.arg.name": f"{D}/file",
                     "evt.arg.flags": flags_are("O_RDONLY", "O_CLOEXEC"),
                     "evt.is_open_read": is_true, "evt.is_open_write": is_false},
        "mkdir": {"evt.arg.path": f"{D}/sub", "evt.arg.mode": mode_is(0o750)},
        "rmdir": {"evt.arg.path": f"{D}/sub", "fd.name": f"{D}/sub"},
        "link": {"evt.arg.oldpath": f"{D}/file", "evt.arg.newpath": f"{D}/hard"},
        "symlink": {"evt.arg.target": "target-text", "evt.arg.linkpath": f"{D}/sym"},
        "rename": {"evt.arg.oldpath": f"{D}/file", "evt.arg.newpath": f"{D}/renamed"},
        "renameat2": {"evt.arg.oldpath": f"{D}/renamed", "evt.arg.newpath": f"{D}/renamed2"},
        "unlink": {"evt.arg.path": f"{D}/hard", "fd.name": f"{D}/hard"},
        "unlinkat": {"evt.arg.name": one_of("sym", f"{D}/sym"), "fd.name": f"{D}/sym"},
        "chmod": {"evt.arg.filename": f"{D}/renamed2", "evt.arg.mode": mode_is(0o600)},
        "fchmodat": {"evt.arg.filename": endswith("renamed2"), "evt.arg.mode": mode_is(0o640)},
        "chown": {"evt.arg.path": f"{D}/renamed2", "evt.arg.uid": int_is(uid),
                  "evt.arg.gid": int_is(gid)},
        "fchownat": {"evt.arg.path": endswith("renamed2"), "evt.arg.uid": int_is(uid),
                     "evt.arg.gid": int_is(gid)},
        "setuid": {"evt.arg.uid": int_is(uid)},
        "dup": {"evt.arg.fd": int_is(r.get("fd"))},
        "dup2": {"evt.arg.oldfd": int_is(r.get("fd")), "evt.arg.newfd": int_is(100)},
        "dup3": {"evt.arg.oldfd": int_is(r.get("fd")), "evt.arg.newfd": int_is(101)},
        "socket_inet": {"evt.arg.domain": one_of("AF_INET", "PF_INET", 2),
                        "evt.arg.type": one_of("SOCK_STREAM", 1),
                        "evt.arg.proto": one_of(0, "IPPROTO_IP"),
                        "fd.num": r["res"]},
        "bind_inet": {"fd.num": r.get("fd"), "fd.type": "ipv4", "fd.typechar": "4",
                      "fd.sockfamily": lambda v: v != "<absent>",
                      "fd.sip": "127.0.0.1", "fd.sport": r.get("port"),
                      "fd.name": lambda v, p=r.get("port"): isinstance(v, str)
                      and f"127.0.0.1:{p}" in v},
        "listen_inet": {"fd.num": r.get("fd")},
        "connect_inet": {"fd.num": r.get("fd"), "fd.type": "ipv4", "fd.typechar": "4",
                         "fd.sockfamily": lambda v: v != "<absent>",
                         "fd.dip": "127.0.0.1", "fd.dport": r.get("port"),
                         "fd.name": endswith(f"127.0.0.1:{r.get('port')}")},
        # Falco: fd.num of an accept event is the new connection's fd.
        "accept_inet": {"fd.num": r["res"], "evt.res": r["res"]},
        "bind_unix": {"fd.num": r.get("fd"), "fd.type": "unix", "fd.typechar": "u",
                      "fd.name": r.get("path")},
        "connect_unix": {"fd.num": r.get("fd"), "fd.type": "unix", "fd.typechar": "u",
                         "fd.name": r.get("path")},
        "ptrace": {"evt.arg.request": "PTRACE_ATTACH", "evt.arg.pid": int_is(r.get("pid"))},
        "mount": {"evt.arg.dev": "none", "evt.arg.dir": f"{D}/mnt",
                  "evt.arg.type": "vigil-bogus-fs"},
    }[op]


FILEOPS = ["openat_w", "openat_r", "mkdir", "rmdir", "link", "symlink", "rename",
           "renameat2", "unlink", "unlinkat", "chmod", "fchmodat", "chown", "fchownat",
           "setuid", "dup", "dup2", "dup3", "socket_inet", "bind_inet", "listen_inet",
           "connect_inet", "accept_inet", "bind_unix", "connect_unix", "ptrace", "mount"]


def test_fileops_results_match_native(fileops_run):
    nat, run, _ = fileops_run
    assert nat.rc == 0, nat.describe()
    assert run.rc == 0, run.describe()
    got = {r["op"]: r["res"] for r in run.reports if "op" in r}
    want = {r["op"]: r["res"] for r in nat.reports if "op" in r}
    assert set(want) == set(FILEOPS)
    # fds and the ptrace result legitimately differ; compare success/failure.
    diff = {op: (want[op], got.get(op)) for op in want
            if op != "ptrace" and (got.get(op) is None or (want[op] < 0) != (got[op] < 0)
                                   or (want[op] < 0 and want[op] != got[op]))}
    assert not diff, f"op: (native, traced) results differ: {diff}"


@pytest.mark.parametrize("op", FILEOPS)
def test_fileops_event(fileops_run, op):
    _, run, d = fileops_run
    assert run.rc == 0, run.describe()
    head = run.first()
    r = run.report(op=op)
    expect = _fileops_expect(op, r, head, d)
    expect["thread.tid"] = head["tid"]
    ev = match_one(run.events, r["type"], head["pid"], expect, f"fileops {op}")
    if "evt.res" in ev:
        assert ev["evt.res"] == r["res"], f"evt.res {ev['evt.res']} != actual {r['res']}"
        if op.startswith("openat"):  # "fd.num = result when known"
            assert ev.get("fd.num") == r["res"], f"openat result known but fd.num wrong: {brief(ev)}"
    if op == "ptrace":
        assert r["res"] < 0, ("PTRACE_ATTACH on a traced child succeeded under vigil "
                              "(nested ptrace must be impossible)")
    if op == "mount":
        assert r["res"] in (-errno.EPERM, -errno.ENODEV), r


# --------------------------------------------------------------------------
# Environment secrecy
# --------------------------------------------------------------------------

def test_environment_never_recorded(vigil_bin, progs_dir, tmp_path):
    secret = "xyz123"
    run = traced(vigil_bin, [prog(progs_dir, "envsecret"), tmp_path], tmp_path,
                 env={"SECRET_TOKEN": secret})
    assert run.rc == 0, run.describe()
    head = run.first()
    assert head["has_secret"] is True
    pid = head["pid"]
    # The stream must cover the execs that carried the environment ...
    match_one(run.events, "execve", pid, {"evt.res": 0,
              "proc.exepath": os.path.realpath("/bin/sh")}, "exec of /bin/sh with env")
    kids = [e for e in evs(run.events, type="execve") if e.get("proc.ppid") == pid
            and e.get("proc.exepath") == os.path.realpath("/bin/true")]
    assert kids, "no execve event for the forked child's exec of /bin/true"
    # ... and hold the secret nowhere.
    assert secret.encode() not in run.raw, "SECRET_TOKEN value appears in the event stream"
