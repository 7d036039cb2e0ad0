"""Evasions of the bundled rules (issue 9, self-protection): attacker programs
under the real tracer with the bundled rules.

Each program in test/progs tries to do something a rule exists for while
going around what the rule used to look at: the new mount API instead of
mount(2), a TCP Fast Open send instead of connect, a shell given a socket by
fcntl/dup or by inheritance instead of dup2, open_by_handle_at instead of a
path, a parent named vigil, padding in argv. The outcome must be an alert
(or a refusal), never silence. Programs exit 77 when the kernel refuses what
the attack needs (namespaces, handles): those tests skip, saying why.

Run:  /usr/bin/python3 -m pytest test/integration/test_evasion.py
"""
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from vigil_runner import vigil_run

REPO = Path(__file__).resolve().parents[2]
DEFAULT_RULES = REPO / "rules" / "vigil_rules.yaml"
PREFIX = b"VIGILTEST "
TIMEOUT = 60


class Outcome:
    def __init__(self, proc, events_path):
        self.rc = proc.returncode
        self.stderr = proc.stderr.decode(errors="replace")
        self.alerts, self.reports = [], []
        for line in proc.stdout.splitlines():
            if line.startswith(PREFIX):
                self.reports.append(json.loads(line[len(PREFIX):]))
            elif line.startswith(b"{") and b'"rule"' in line:
                self.alerts.append(json.loads(line))
        self.events = [json.loads(l) for l in events_path.read_bytes().splitlines() if l]

    def fired(self, rule, **fields):
        """Alerts of `rule` whose output_fields have the given values."""
        return [a for a in self.alerts if a["rule"] == rule and
                all(a["output_fields"].get(k.replace("__", ".")) == v for k, v in fields.items())]

    def report(self):
        assert self.reports, f"the program reported nothing (rc {self.rc})\n{self.stderr[-2000:]}"
        return self.reports[0]

    def describe(self):
        return (f"rc {self.rc}\nalerts: {[(a['rule'], a['output']) for a in self.alerts]}\n"
                f"stderr: {self.stderr[-2000:]}")


def attack(vigil_bin, argv, tmp_path, stdin=subprocess.DEVNULL, ok_rc=(0,)):
    """Run argv under vigil with the bundled rules; skip if the program says 77."""
    events = tmp_path / "events.ndjson"
    proc = vigil_run(vigil_bin, "--rules", DEFAULT_RULES, "--rule-matching", "all", "--events-out", events,
                     "--", *argv, stdin=stdin, timeout=TIMEOUT, cwd=tmp_path, text=False)
    out = Outcome(proc, events)
    if out.rc == 77:
        pytest.skip(f"the kernel refused what the attack needs: {out.stderr.strip()[-300:]}")
    assert out.rc in ok_rc, out.describe()
    return out


def events_of(out, type, **fields):
    return [e for e in out.events if e.get("evt.type") == type and
            all(e.get(k.replace("__", ".")) == v for k, v in fields.items())]


def test_new_mount_api_bind_over_innocent_name_alerts(vigil_bin, progs_dir, tmp_path):
    """open_tree(OPEN_TREE_CLONE) of /etc/shadow + move_mount over a harmless file."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = attack(vigil_bin, [progs_dir / "newmount", scratch], tmp_path)
    r = out.report()
    assert r["move_mount"] == 0 and r["same"] == 1, r  # the bind really happened
    target = r["target"]
    assert out.fired("Vigil mount attempt", evt__type="open_tree", evt__arg__dev="/etc/shadow"), \
        out.describe()
    assert out.fired("Vigil mount attempt", evt__type="move_mount", evt__arg__dir=target), \
        out.describe()
    assert events_of(out, "move_mount", proc__pid=r["pid"], fd__name=target)


def test_open_by_handle_is_named_and_alerts(vigil_bin, progs_dir, tmp_path):
    """name_to_handle_at + open_by_handle_at of /etc/shadow: no path ever passed to an open."""
    out = attack(vigil_bin, [progs_dir / "byhandle", "/etc/shadow"], tmp_path)
    r = out.report()
    assert r["fd"] >= 0 and r["read"] > 0, r
    ev = events_of(out, "open_by_handle_at", proc__pid=r["pid"])
    assert len(ev) == 1, out.events
    assert ev[0]["fd.name"] == "/etc/shadow" and ev[0]["fd.num"] == r["fd"], ev
    assert ev[0]["evt.is_open_read"] is True, ev
    assert out.fired("Vigil read of sensitive file", fd__name="/etc/shadow"), out.describe()


@pytest.mark.parametrize("how", ["sendto", "sendmsg", "sendmmsg"])
def test_fast_open_send_is_an_outbound_connection(vigil_bin, progs_dir, tmp_path, how):
    """A TCP Fast Open send to port 22 connects without connect(2)."""
    out = attack(vigil_bin, [progs_dir / "fastopen", how, 22], tmp_path)
    r = out.report()
    assert r["accepted"] == 1 and r["sent"] > 0, r
    ev = events_of(out, how, proc__pid=r["pid"])
    assert len(ev) == 1, [e for e in out.events if e.get("proc.pid") == r["pid"]]
    assert (ev[0]["fd.num"], ev[0]["fd.dip"], ev[0]["fd.dport"]) == (r["fd"], "127.0.0.1", 22), ev
    assert "MSG_FASTOPEN" in ev[0]["evt.arg.flags"], ev
    assert out.fired("Vigil outbound ssh from non-ssh program", evt__type=how), out.describe()


def _connected_pair():
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    cli = socket.create_connection(lst.getsockname())
    srv, _ = lst.accept()
    lst.close()
    return cli, srv


@pytest.mark.parametrize("how", ["dup2", "fcntl", "dup", "inherit"])
def test_reverse_shell_caught_at_exec(vigil_bin, progs_dir, tmp_path, how):
    """A shell started with a TCP socket on stdin/stdout, however it got there."""
    cli = srv = None
    stdin = subprocess.DEVNULL
    if how == "inherit":  # the socket is fd 0 from the start: nothing to see but the exec
        cli, srv = _connected_pair()
        stdin = cli.fileno()
    try:
        out = attack(vigil_bin, [progs_dir / "revshell", how], tmp_path, stdin=stdin)
    finally:
        for s in (cli, srv):
            if s:
                s.close()
    r = out.report()
    assert r["status"] == 0, r
    shells = events_of(out, "execve", proc__pid=r["child"], proc__name="sh")
    assert len(shells) == 1, out.events
    assert shells[0]["proc.stdin.type"] == "ipv4", shells[0]
    assert shells[0]["proc.stdin.name"].startswith("127.0.0.1:"), shells[0]
    alerts = out.fired("Vigil standard streams redirected to network", evt__type="execve")
    assert alerts, out.describe()
    # The control: the program's own exec had /dev/null as stdin.
    if how != "inherit":
        own = events_of(out, "execve", proc__pid=r["pid"], evt__res=0)
        assert own and own[-1]["proc.stdin.type"] == "file", own


def test_parent_named_vigil_does_not_suppress(vigil_bin, progs_dir, tmp_path):
    """A process exec'd as `vigil` (symlink) spawning a shell is still reported."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    out = attack(vigil_bin, [progs_dir / "spoofname", scratch], tmp_path)
    r = out.report()
    assert out.fired("Vigil shell spawned by application", proc__pname="vigil"), out.describe()
    # Who really is vigil's child is known by pid: the program itself, not its shell.
    own = events_of(out, "execve", proc__pid=r["pid"], proc__name="vigil")
    assert own and own[-1].get("vigil.is_entrypoint") is True, own
    sh = events_of(out, "execve", proc__pid=r["child"])
    assert sh and "vigil.is_entrypoint" not in sh[-1], sh


@pytest.mark.parametrize("pad,rule", [
    (9000, "Vigil search with truncated arguments"),
    (100, "Vigil search for credentials"),
])
def test_padded_credential_search_alerts(vigil_bin, progs_dir, tmp_path, pad, rule):
    """grep for a private key behind 9 KB of padding arguments is still reported."""
    grep = shutil.which("grep")
    assert grep, "grep is needed"
    out = attack(vigil_bin, [progs_dir / "longargv", "pad", pad, grep, "-rs", "PRIVATE KEY",
                             "/nonexistent"], tmp_path, ok_rc=(2,))  # grep: no such files
    pid = out.report()["pid"]
    ev = events_of(out, "execve", proc__pid=pid, proc__name="grep")
    assert len(ev) == 1, out.events
    truncated = pad > 8000
    assert ev[0].get("vigil.args_truncated", False) is truncated, ev[0]
    assert out.fired(rule), out.describe()
    other = {"Vigil search with truncated arguments", "Vigil search for credentials"} - {rule}
    assert not out.fired(other.pop()), out.describe()


def test_rules_naming_sends_trace_only_fast_open(vigil_bin, progs_dir, tmp_path):
    """A rule on sendto must not make vigil trap every send (a data-path call):
    plain sends stay untraced, fast-open sends are seen."""
    rules = tmp_path / "sends.yaml"
    rules.write_text("- rule: any sendto\n  desc: d\n  condition: evt.type = sendto\n"
                     "  output: sendto (flags=%evt.arg.flags)\n  priority: NOTICE\n")
    events = tmp_path / "events.ndjson"
    plain = ("import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
             "s.sendto(b'x', ('127.0.0.1', 9)); s.sendto(b'y', ('127.0.0.1', 9))")
    proc = vigil_run(vigil_bin, "--rules", rules, "--events-out", events, "--", "sh", "-c",
                     f'python3 -c "{plain}" && {progs_dir}/fastopen sendto 2222',
                     timeout=TIMEOUT, cwd=tmp_path, text=False)
    out = Outcome(proc, events)
    if out.rc == 77:
        pytest.skip(f"the kernel refused a network namespace: {out.stderr.strip()[-300:]}")
    assert out.rc == 0, out.describe()
    sends = events_of(out, "sendto")
    assert len(sends) == 1 and "MSG_FASTOPEN" in sends[0]["evt.arg.flags"], sends
    assert len(out.fired("any sendto")) == 1, out.describe()
