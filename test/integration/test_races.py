"""Races on syscall arguments, and an exact process tree.

A tracer reads a syscall's arguments from the program's memory at the entry
stop; the kernel reads them again a moment later. A second thread (or
process) that changes the memory in between makes vigil look at one thing
while the kernel does another. Each attacker in test/progs flips an argument
in a tight loop and knows, from the kernel's side, what really happened (an
fstat of the fd it got, what the exec'd program did, whether its child was
traced): the verdict is deterministic even though the race is not. Every
real hit must be recorded under its true name, or raise a tamper alert;
for clone3 it must not happen at all.

Run:  /usr/bin/python3 -m pytest test/integration/test_races.py
"""
import json
import os
from pathlib import Path

import pytest

from test_tracer import evs, prog, show, traced

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "rules" / "vigil_rules.yaml"
SHELL = os.path.realpath("/bin/sh")


def with_rules(path):
    return ("--rules", path, "--rule-matching", "all")


def alerts(run):
    return [json.loads(line) for line in run.stdout.splitlines()
            if line.startswith(b"{") and b'"rule"' in line]


# --------------------------------------------------------------------------
# clone3: CLONE_UNTRACED flipped in memory after vigil read it
# --------------------------------------------------------------------------

def test_clone3_untraced_race_never_runs_a_child_unseen(vigil_bin, progs_dir, tmp_path):
    """clone3's flags live in memory, out of the filter's reach: the filter
    answers clone3 with ENOSYS (libc falls back to clone, whose flags it
    checks in registers), so the flip has nothing to win."""
    run = traced(vigil_bin, [prog(progs_dir, "race_clone3"), tmp_path, 3000], tmp_path,
                 timeout=120)
    assert run.rc == 0, run.describe()
    r = run.first()
    ran = [tuple(int(x) for x in line.split()) for line in (tmp_path / "ran").read_text().splitlines()]
    assert len(ran) == r["ran"]
    opened = {(e["proc.pid"], e.get("fd.name")) for e in evs(run.events, type="openat")}
    unseen = [(i, pid, res) for i, pid, res in ran if (pid, f"{tmp_path}/c-{i}") not in opened]
    assert not unseen, (f"{len(unseen)} of {len(ran)} clone3 children ran unseen "
                        f"(index, pid, open result): {unseen[:10]}")
    assert r["enosys"] == r["tries"], f"clone3 is answered with ENOSYS: {r}"
    # glibc tries clone3 first and falls back to clone on ENOSYS.
    assert (r["pthread"], r["fork"], r["spawn"]) == (0, 7, 0), r


# --------------------------------------------------------------------------
# open: the path flipped between /etc/hostname and /etc/shadow
# --------------------------------------------------------------------------

SHADOW_RULE = """\
- rule: shadow opened
  desc: "an open of /etc/shadow that succeeded (its result is read, so the open prefilter is on)"
  condition: evt.type in (open, openat) and fd.name = /etc/shadow and fd.num >= 0
  output: shadow opened (fd=%fd.num name=%fd.name)
  priority: WARNING
"""


def attempts(run, tid):
    """The opener's open events after its "race-open-start" sentinel: one per attempt."""
    opens = evs(run.events, type="openat", tid=tid)
    starts = [i for i, e in enumerate(opens) if e.get("evt.arg.name") == "race-open-start"]
    assert starts, f"no sentinel open of thread {tid}:\n{show(opens)}"
    return opens[starts[-1] + 1:]


@pytest.mark.parametrize("mode,rules", [
    ("thread", "bundled"), ("thread", "prefilter"), ("mainthread", "prefilter"),
    ("vmproc", "bundled"), ("vmproc", "prefilter"), ("vmwrite", "prefilter"),
])
def test_open_race_names_the_file_the_kernel_opened(vigil_bin, progs_dir, tmp_path, mode, rules):
    """Every open that really reached /etc/shadow (the attacker fstat()s the
    fd) is recorded as /etc/shadow, or alerted as a path race, whoever flips
    the path: a thread, a process sharing the memory, process_vm_writev."""
    path = BUNDLED
    if rules == "prefilter":
        path = tmp_path / "shadow.yaml"
        path.write_text(SHADOW_RULE)
    run = traced(vigil_bin, [prog(progs_dir, "race_open"), mode, 2000], tmp_path,
                 opts=with_rules(path), timeout=120)
    if run.rc == 77:
        pytest.skip(run.stderr.decode(errors="replace").strip()[-300:])
    assert run.rc == 0, run.describe()
    r = run.first()
    classes = r["classes"]
    opens = attempts(run, r["tid"])
    assert len(opens) == len(classes), (
        f"{len(classes)} attempts, {len(opens)} openat events of thread {r['tid']}")
    missed = [i for i, c in enumerate(classes) if c == "S" and
              opens[i].get("fd.name") != "/etc/shadow" and not opens[i].get("vigil.tamper")]
    real = classes.count("S")
    assert not missed, (f"{len(missed)} of {real} real /etc/shadow opens recorded under another "
                        f"name without an alert:\n{show([opens[i] for i in missed])}")
    raced = [e for e in opens if e.get("vigil.tamper") == "path_race"]
    assert all(e["fd.name"] in ("/etc/shadow", "/etc/hostname") for e in raced), show(raced)
    fired = alerts(run)
    shadow_alerts = [a for a in fired if a["output_fields"].get("fd.name") == "/etc/shadow"]
    assert len(shadow_alerts) >= real, f"{real} real shadow opens, {len(shadow_alerts)} alerts"
    tamper_alerts = [a for a in fired if a["rule"] == "Vigil tamper attempt"]
    if rules == "bundled":
        assert len(tamper_alerts) == len(raced)
        assert all(a["priority"] == "Critical" for a in tamper_alerts)
    print(f"{mode}: {real} real shadow opens of {len(classes)}; {len(raced)} races seen and alerted")


# --------------------------------------------------------------------------
# exec: the path flipped between /bin/sh and /bin/true
# --------------------------------------------------------------------------

def test_exec_race_names_the_image_that_ran(vigil_bin, progs_dir, tmp_path):
    """Every child that really ran the shell (it wrote its pid) is recorded
    with the shell's proc.name and proc.exepath, or alerted as an exec race."""
    run = traced(vigil_bin, [prog(progs_dir, "race_exec"), tmp_path, 300], tmp_path,
                 opts=with_rules(BUNDLED), timeout=120)
    assert run.rc == 0, run.describe()
    r = run.first()
    ran_file = tmp_path / "ran"
    shells = [int(p) for p in ran_file.read_text().split()] if ran_file.exists() else []
    assert set(shells) <= set(r["children"]), "a shell ran in a child that did not exit 0"
    wrong = []
    for pid in shells:
        execs = evs(run.events, type="execve", pid=pid, **{"evt.res": 0})
        ok = [e for e in execs if e.get("vigil.tamper") == "exec_race" or
              (e.get("proc.name") == "sh" and e.get("proc.exepath") == SHELL)]
        if len(execs) != 1 or not ok:
            wrong.append((pid, execs))
    assert not wrong, (f"{len(wrong)} of {len(shells)} shells recorded as something else:\n" +
                       "\n".join(f"pid {p}:\n{show(e)}" for p, e in wrong[:5]))
    raced = [e for e in evs(run.events, type="execve") if e.get("vigil.tamper") == "exec_race"]
    for e in raced:  # the event names what really ran
        assert e["evt.arg.filename"] == e["proc.exepath"], show([e])
    # No child that ran true is taken for a shell or flagged as a race.
    for pid in set(r["children"]) - set(shells):
        execs = evs(run.events, type="execve", pid=pid, **{"evt.res": 0})
        assert len(execs) == 1 and execs[0]["proc.name"] == "true", show(execs)
        if execs[0].get("vigil.tamper"):
            assert execs[0]["evt.arg.filename"] == execs[0]["proc.exepath"], show(execs)
    tamper_alerts = [a for a in alerts(run) if a["rule"] == "Vigil tamper attempt"]
    assert len(tamper_alerts) == len(raced)
    print(f"{len(shells)} shells of {len(r['children'])} execs; {len(raced)} races alerted")


def test_exec_through_a_symlink_is_no_race(vigil_bin, progs_dir, tmp_path):
    """/bin/sh -> dash, a script run by its interpreter: the path names the
    image that ran (or its script), nothing to alert."""
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    link = tmp_path / "shell-link"
    link.symlink_to("/bin/sh")
    run = traced(vigil_bin, ["/bin/sh", "-c", f"{script}; {link} -c true; exec /bin/true"],
                 tmp_path, opts=with_rules(BUNDLED))
    assert run.rc == 0, run.describe()
    execs = evs(run.events, type="execve", **{"evt.res": 0})
    assert len(execs) == 4, show(execs)
    assert not [e for e in run.events if e.get("vigil.tamper")], show(execs)
    by_name = {e["proc.name"]: e for e in execs}
    assert by_name["script.sh"]["proc.exepath"] == SHELL, show(execs)
    assert by_name["shell-link"]["proc.exepath"] == SHELL, show(execs)
    assert by_name["true"]["evt.arg.filename"] == "/bin/true", show(execs)


# --------------------------------------------------------------------------
# A double fork whose middle process dies: the tree stays exact
# --------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["exit", "kill", "segv"])
def test_double_fork_keeps_the_creators(vigil_bin, progs_dir, tmp_path, how):
    """A forks B; B forks C and dies at once (exit, SIGKILL, SIGSEGV); C,
    reparented, execs a shell: the alert names B and A as its parent and
    grandparent, never vigil (the reaper). The ptrace sensor passes; the
    test guards the seccomp user-notification sensor, which must too."""
    lineage = prog(progs_dir, "lineage")
    a, b = tmp_path / "lin_a", tmp_path / "lin_b"
    a.symlink_to(lineage)
    b.symlink_to(lineage)
    run = traced(vigil_bin, [a, "a", how, b], tmp_path, opts=with_rules(BUNDLED))
    assert run.rc == 0, run.describe()
    r = run.first()
    assert r["b_status"] == {"exit": 0, "kill": 137, "segv": 139}[how], r
    assert r["c"] > 0, r
    shell = evs(run.events, type="execve", pid=r["c"], **{"evt.res": 0})
    assert len(shell) == 1, show(evs(run.events, pid=r["c"]))
    e = shell[0]
    assert (e["proc.name"], e["proc.pname"]) == ("sh", "lin_b"), show(shell)
    assert e["proc.aname"][:3] == ["sh", "lin_b", "lin_a"], show(shell)
    assert e["proc.apid"][:3] == [r["c"], r["b"], r["a"]], show(shell)
    fired = [x for x in alerts(run) if x["rule"] == "Vigil shell spawned by application"]
    assert len(fired) == 1, alerts(run)
    assert fired[0]["output_fields"]["proc.pname"] == "lin_b", fired
    assert fired[0]["output_fields"]["proc.aname[2]"] == "lin_a", fired
