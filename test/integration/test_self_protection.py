"""Self-protection: a hostile application cannot blind vigil, freeze it, or steal its key.

The attacker is test/progs/attack_self, root like the application in a
container, run under the real vigil. Every attack must end "refused" (the
syscall fails with EPERM and never runs) or "alerted" (an event with
vigil.tamper, a CRITICAL alert with the bundled rules); "unseen" fails.
"""
import errno
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from vigil_runner import vigil_env, vigil_start, wait_for_analyzer
from test_tracer import evs, parse_ndjson, prog, show, traced, untraced

EPERM = errno.EPERM


def reports(run):
    return [json.loads(line[len(b"VIGILTEST "):]) for line in run.stdout.splitlines()
            if line.startswith(b"VIGILTEST ")]


def tampers(run, kind=None):
    return [e for e in run.events if e.get("vigil.tamper") and
            (kind is None or e["vigil.tamper"] == kind)]


def attacker_pid(run):
    execs = [e for e in evs(run.events, type="execve") if str(e.get("proc.exepath", "")).endswith("attack_self")]
    assert execs, "no exec of the attacker in the event stream\n" + show(run.events)
    return execs[0]["proc.pid"]


def in_pid_namespace(vigil_bin, args, tmp, name):
    """vigil as PID 1 of a private PID namespace (as in a container)."""
    if not shutil.which("unshare"):
        pytest.skip("unshare (util-linux) is not installed")
    return traced(vigil_bin, args, tmp, name, wrapper=("unshare", "--pid", "--fork", "--mount-proc"))


def test_memory_environment_and_descriptors_of_vigil_are_refused(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "memory"], tmp_path)
    assert run.rc == 0, run.describe()
    head, *targets = reports(run)
    assert head["analyzer"] > 0, "the attacker did not find the analyzer"
    assert [t["target"] for t in targets] == [head["supervisor"], head["analyzer"]]
    for t in targets:
        for what in ("mem", "environ", "fd0", "task_mem", "vm_readv", "vm_writev", "ptrace",
                     "pidfd_open", "kcmp"):
            assert t[what] == EPERM, f"{what} of vigil process {t['target']}: errno {t[what]}, not EPERM"
    pid = attacker_pid(run)
    kinds = {}
    for e in tampers(run):
        assert e["proc.pid"] == pid, show([e])
        kinds[e["vigil.tamper"]] = kinds.get(e["vigil.tamper"], 0) + 1
    assert kinds == {"proc_vigil": 8, "vm_read_vigil": 2, "vm_write_vigil": 2, "ptrace_vigil": 2,
                     "pidfd_vigil": 2, "kcmp_vigil": 2}, kinds


def test_signals_at_vigil_are_refused(vigil_bin, progs_dir, tmp_path):
    """vigil not PID 1 (under another init): every signal syscall at it or its group."""
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "signals"], tmp_path)
    assert run.rc == 0, run.describe()
    r = reports(run)[0]
    assert r["thread"] > 0, "no thread of vigil's to aim tkill at"
    for what in ("kill", "tkill", "tgkill", "sigqueue", "tgsigqueue", "kill_group", "kill_sup"):
        assert r[what] == EPERM, f"{what}: errno {r[what]}, not EPERM"
    assert len(tampers(run, "signal_vigil")) == 7, show(tampers(run))


def test_kill_all_reaches_the_program_only(vigil_bin, progs_dir, tmp_path):
    """kill(-1, SIGSTOP) in the PID namespace: the kernel would stop the analyzer."""
    run = in_pid_namespace(vigil_bin, [prog(progs_dir, "attack_self"), "signals", "all"],
                           tmp_path, "killall")
    assert run.rc == 0, run.describe()
    first, last = reports(run)
    for what in ("kill", "tkill", "tgkill", "sigqueue", "tgsigqueue", "kill_sup"):
        assert first[what] == EPERM, f"{what}: errno {first[what]}, not EPERM"
    assert last["kill_all"] == 0, "kill(-1) must succeed for the program"
    assert last["child_state"] in ("T", "t"), f"the program's own child was not stopped: {last}"
    assert last["analyzer_state"] not in ("T", "t"), f"kill(-1) stopped the analyzer: {last}"
    assert last["supervisor_state"] not in ("T", "t"), last


def test_own_seccomp_filters_that_could_hide_are_refused(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "seccomp"], tmp_path)
    assert run.rc == 0, run.describe()
    hostile, plain = reports(run)
    for what, err in hostile.items():
        assert err == EPERM, f"filter {what}: errno {err}, not EPERM"
    # Plain filters (ERRNO, ALLOW) work: the ERRNO one answers mkdirat.
    assert plain["plain"] == 0 and plain["plain_prctl"] == 0, plain
    assert plain["mkdir_with_filter"] == errno.EROFS, plain
    pid = attacker_pid(run)
    assert len(tampers(run, "seccomp_filter")) == 5, show(tampers(run))
    opens = [e for e in evs(run.events, pid=pid) if e.get("fd.name") == "/etc/shadow"
             and e.get("evt.type") == "openat"]
    assert opens, "the open of /etc/shadow after the filters went unseen\n" + show(run.events)


def test_race_on_the_filter_never_hides_a_syscall(vigil_bin, progs_dir, tmp_path):
    """A thread flips the filter's return to a relabelling TRACE while it is
    installed: whatever the kernel got, every probe open is seen as itself."""
    probes = tmp_path / "probes"
    probes.mkdir()
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "seccomp-race", probes, 3000],
                 tmp_path)
    assert run.rc == 0, run.describe()
    r = reports(run)[0]
    assert r["installed"] + r["refused"] == r["tries"]
    pid = attacker_pid(run)
    seen = {e.get("fd.name") for e in evs(run.events, type="openat", pid=pid)}
    missing = [k for k in range(1, r["installed"] + 1) if f"{probes}/probe-{k}" not in seen]
    assert not missing, f"probe opens unseen or misnamed: {missing[:10]}"
    assert r["refused"] > 0, "no attempt was refused: the flipper never showed TRACE"
    # Where the swap won, vigil saw a stop it did not ask for, and said so.
    foreign = tampers(run, "foreign_trace")
    assert len(foreign) <= 1, "foreign trace stops are reported once per process"
    print(f"installed {r['installed']}, refused {r['refused']}, foreign trace seen: {bool(foreign)}")


def cap_report(run):
    caps = {}
    for r in reports(run):
        if "cap" in r:
            caps[r["cap"]] = r["ptrace"]
        elif "userfaultfd" in r:
            caps["userfaultfd"] = r["userfaultfd"]
    return caps


def test_program_starts_without_cap_sys_ptrace(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "caps"], tmp_path)
    assert run.rc == 0, run.describe()
    caps = cap_report(run)
    for s in ("Eff", "Prm", "Inh", "Amb", "Bnd"):
        assert caps[s] is False, f"CAP_SYS_PTRACE still in the program's {s} set: {caps}"
    unpriv = Path("/proc/sys/vm/unprivileged_userfaultfd")
    if unpriv.exists() and unpriv.read_text().strip() == "0":
        assert caps["userfaultfd"] == EPERM, "userfaultfd must need CAP_SYS_PTRACE here"


def test_keep_cap_sys_ptrace_keeps_it(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "caps"], tmp_path, "keep",
                 opts=("--no-rules", "--keep-cap", "SYS_PTRACE"))
    assert run.rc == 0
    caps = cap_report(run)
    assert caps["Eff"] is True and caps["Prm"] is True, caps
    bad = untraced(vigil_bin, ["--keep-cap", "NET_ADMIN", "--", "true"], tmp_path, "badcap")
    assert bad.rc == 2 and b"only SYS_PTRACE" in bad.stderr


def test_io_uring_is_refused_by_default(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "io_uring"], tmp_path)
    assert run.rc == 0, run.describe()
    assert reports(run)[0]["io_uring"] == EPERM
    assert len(tampers(run, "io_uring")) == 1, show(run.events)


def test_io_uring_allowed_on_request_with_a_warning(vigil_bin, progs_dir, tmp_path):
    run = traced(vigil_bin, [prog(progs_dir, "attack_self"), "io_uring"], tmp_path, "uring",
                 opts=("--no-rules", "--allow-io-uring"))
    events = parse_ndjson(run.raw)
    assert reports(run)[0]["io_uring"] == 0
    assert b"io_uring rings are not seen" in run.stderr
    assert not [e for e in events if e.get("vigil.tamper")], "allowed io_uring is no tamper"
    assert [e for e in events if e.get("evt.type") == "io_uring_setup"], "io_uring_setup unseen"


def test_tamper_attempts_raise_critical_alerts(vigil_bin, progs_dir, tmp_path):
    run = untraced(vigil_bin, ["--", prog(progs_dir, "attack_self"), "memory"], tmp_path, "alerts")
    assert run.rc == 0
    alerts = [json.loads(line) for line in run.stdout.splitlines() if line.startswith(b"{")]
    # unseen_open: the open backstop's, for the host's own processes opening
    # /etc/shadow & co. meanwhile (vigil runs on a host here); not the attacker's.
    tamper = [a for a in alerts if a["rule"] == "Vigil tamper attempt"
              and a["output_fields"]["vigil.tamper"] != "unseen_open"]
    assert {a["output_fields"]["vigil.tamper"] for a in tamper} == {
        "proc_vigil", "vm_read_vigil", "vm_write_vigil", "ptrace_vigil", "pidfd_vigil", "kcmp_vigil"}
    assert all(a["priority"] == "Critical" for a in tamper)


def test_api_key_is_in_no_environment(vigil_bin, tmp_path):
    secret = "k-9f2c-never-in-environ"
    proc = vigil_start(vigil_bin, "--", "sh", "-c", "env; sleep 2", env=vigil_env(VIGIL_API_KEY=secret),
                       stdout=subprocess.PIPE, text=False)
    try:
        analyzer = wait_for_analyzer(proc.pid)
        sup_env = Path(f"/proc/{proc.pid}/environ").read_bytes()
        ana_env = Path(f"/proc/{analyzer}/environ").read_bytes()
    finally:
        out, err = proc.communicate(timeout=30)
    assert secret.encode() not in sup_env, "the key is still in the supervisor's /proc/PID/environ"
    assert secret.encode() not in ana_env, "the key is in the analyzer's environment"
    assert secret.encode() not in out, "the program inherited the key"


def test_frozen_analyzer_is_restarted_and_alerting_goes_on(vigil_bin, progs_dir, tmp_path):
    """SIGSTOP from outside (the program cannot send it): within the heartbeat
    timeout vigil kills and restarts it, counts it, and later attacks still alert."""
    proc = vigil_start(vigil_bin, "--", prog(progs_dir, "attack_self"), "sleep-read", "6",
                       stdout=subprocess.PIPE, text=False)
    try:
        first = wait_for_analyzer(proc.pid)
        time.sleep(0.5)
        os.kill(first, signal.SIGSTOP)
        second = wait_for_analyzer(proc.pid, not_pid=first, timeout=15)
        assert second != first
    finally:
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode(errors="replace")
    assert b"has not answered" in err, err.decode(errors="replace")
    alerts = [json.loads(line) for line in out.splitlines() if line.startswith(b"{")]
    rules = [a["rule"] for a in alerts]
    assert "Vigil read of sensitive file" in rules, rules
    losses = [a for a in alerts if a["rule"] == "Vigil events dropped or lost"]
    assert losses and sum(a["output_fields"]["vigil.analyzer_restarts_new"] for a in losses) >= 1, losses


def test_a_real_libseccomp_sandbox_keeps_working(vigil_bin, tmp_path):
    """man-db sandboxes its formatters with a 455-instruction libseccomp
    filter (ALLOW list, default KILL/ERRNO), and probes the kernel first with
    NULL programs expecting EFAULT: all of it must behave as without vigil."""
    if not shutil.which("man"):
        pytest.skip("man-db is not installed")
    page = tmp_path / "vigiltest.1"
    page.write_text(".TH VIGILTEST 1\n.SH NAME\nvigiltest \\- sandboxed formatting works\n")
    env = {"MANPAGER": "cat", "MAN_KEEP_FORMATTING": ""}
    run = traced(vigil_bin, ["man", "-l", page], tmp_path, "man", env=env)
    assert run.rc == 0, run.describe()
    assert b"sandboxed formatting works" in run.stdout
    assert not tampers(type("R", (), {"events": parse_ndjson(run.raw)})()), \
        "man-db's plain filter was taken for a hostile one"
