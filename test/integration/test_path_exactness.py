"""Path fields name the object the kernel uses (docs/events.md, "Path fields").

An attacker read /etc/shadow through paths that a lexical join of cwd and
path names otherwise; "read sensitive file" rules never fired. Each trick of
test/progs/path_tricks opens /etc/shadow for reading once; vigil runs it with
one rule (`fd.name = /etc/shadow` on the open family) and --events-out, and
the open the program made must be recorded with fd.name /etc/shadow and
raise the alert. test/progs/path_plain does ordinary relative work (new
files, rename, unlink of a symlink, creation through a dangling symlink) and
every name must be the object the kernel used.

Run:  /usr/bin/python3 -m pytest test/integration/test_path_exactness.py
"""
import json
import os

import pytest

from vigil_runner import vigil_run

PREFIX = b"VIGILTEST "
TIMEOUT = 60
OPENS = ("open", "openat", "openat2")
RULE = """- rule: shadow read
  desc: a read of the shadow file, by any name
  condition: evt.type in (open, openat, openat2) and fd.name = /etc/shadow
  output: shadow read (name=%evt.arg.name file=%fd.name)
  priority: WARNING
"""

TRICKS = [
    "proc_self_root",        # /proc/self/root/etc/shadow
    "proc_self_cwd",         # /proc/self/cwd/shadow, cwd /etc
    "proc_self_fd_dir",      # /proc/self/fd/N/shadow, N an fd of /etc
    "thread_self_fd_dir",    # /proc/thread-self/fd/N/shadow
    "dev_fd_dir",            # /dev/fd/N/shadow (/dev/fd -> /proc/self/fd)
    "opath_reopen",          # an O_PATH fd of /etc/shadow reopened by /proc/self/fd/N
    "symlinked_dir",         # SCRATCH/x -> /etc, SCRATCH/x/shadow
    "relative_symlink",      # SCRATCH/rel -> ../../(...)/etc/shadow
    "dot_symlink",           # SCRATCH/dot -> ./e/shadow, SCRATCH/e -> /etc
    "symlink_dotdot",        # SCRATCH/vrun -> /usr, SCRATCH/vrun/../etc/shadow
    "var_run",               # /var/run/../etc/shadow (/var/run -> /run)
    "chroot_etc",            # chroot("/etc"), open("/shadow")
    "openat2_in_root_abs",   # openat2(fd of /etc, "/shadow", RESOLVE_IN_ROOT)
    "openat2_in_root_rel",   # openat2(fd of /etc, "shadow", RESOLVE_IN_ROOT)
    "unshare_fs_thread",     # a thread with its own cwd (/etc), "shadow"
    "unshare_files_thread",  # a thread with its own fd table: its fd N is /etc
    "clone_fs_child_chdir",  # a CLONE_FS child moved the parent's cwd to /etc
    "clone_fs_child_chroot", # a CLONE_FS child chroot("/etc"): the parent's "/shadow"
    "zombie_leader",         # the leader exited; a thread chdir /etc, "shadow"
    "deep_cwd",              # cwd of ~4000 bytes + "../"x200 + "etc/shadow"
]


def reports(stdout):
    return [json.loads(l[len(PREFIX):]) for l in stdout.splitlines() if l.startswith(PREFIX)]


def run_traced(vigil_bin, argv, tmp_path, *opts):
    events = tmp_path / "events.ndjson"
    proc = vigil_run(vigil_bin, *opts, "--events-out", events, "--", *argv, timeout=TIMEOUT,
                     text=False, out_dir=tmp_path, name="vigil")
    evs = [json.loads(l) for l in events.read_bytes().splitlines() if l]
    return proc, reports(proc.stdout), evs


@pytest.mark.parametrize("trick", TRICKS)
def test_shadow_read_by_another_name_is_recorded_as_shadow(vigil_bin, progs_dir, tmp_path, trick):
    if os.geteuid() != 0:
        pytest.skip("the tricks read /etc/shadow and chroot: root only")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULE)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc, reps, evs = run_traced(vigil_bin, [progs_dir / "path_tricks", trick, scratch], tmp_path,
                                 "--rules", rules)
    err = proc.stderr.decode(errors="replace")[-2000:]
    if proc.returncode == 77:
        pytest.skip(f"{trick} cannot be done here")
    assert proc.returncode == 0 and reps, f"rc {proc.returncode}\n{err}"
    r = reps[0]
    assert r["same"] == 1, f"the trick did not reach /etc/shadow: {r}"
    opens = [e for e in evs if e.get("evt.type") in OPENS and e.get("thread.tid") == r["tid"]
             and e.get("evt.arg.name") == r["path"]]
    assert opens, f"no open event named {r['path']!r} by thread {r['tid']}\n{err}"
    assert [e.get("fd.name") for e in opens] == ["/etc/shadow"] * len(opens), opens
    alerts = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith(b"{")]
    fired = [a for a in alerts if a.get("rule") == "shadow read" and
             a["output_fields"].get("evt.arg.name") == r["path"]]
    assert fired, f"the rule did not fire for {r['path']!r}: {alerts}"


# op of path_plain -> (evt.type, the field, its expected value below SCRATCH)
PLAIN = {
    "create": ("openat", "fd.name", "new.txt"),
    "mkdir_slash": ("mkdirat", "fd.name", "sub"),
    "open_dotdot": ("openat", "fd.name", "new.txt"),
    "rename": ("renameat2", "evt.arg.oldpath", "new.txt"),
    "symlink": ("symlinkat", "fd.name", "sub/lnk"),
    "open_link": ("openat", "fd.name", "sub/renamed.txt"),
    "unlink_link": ("unlinkat", "fd.name", "sub/lnk"),  # the link, not its target
    "create_through": ("openat", "fd.name", "created.txt"),  # O_CREAT follows a dangling link
    "create_excl": ("openat", "fd.name", "excl"),  # O_EXCL does not: EEXIST on the link
    "create_at": ("openat", "fd.name", "sub/fresh.txt"),
    "chmod_at": ("fchmodat", "fd.name", "sub/fresh.txt"),
    "unlink_at": ("unlinkat", "fd.name", "sub/fresh.txt"),
    "rmdir": ("unlinkat", "fd.name", "sub"),
    "create_in_linked_dir": ("openat", "fd.name", "real/n.txt"),
}


@pytest.fixture(scope="module")
def plain_run(vigil_bin, progs_dir, tmp_path_factory):
    """path_plain's ops paired with their events: every op is one syscall of
    the types below, in order, after the loader's opens (before "new.txt")."""
    tmp = tmp_path_factory.mktemp("plain")
    scratch = tmp / "scratch"
    scratch.mkdir()
    proc, reps, evs = run_traced(vigil_bin, [progs_dir / "path_plain", scratch], tmp, "--no-rules")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    types = {"openat", "mkdirat", "renameat2", "symlinkat", "unlinkat", "fchmodat"}
    seq = [e for e in evs if e.get("evt.type") in types]
    first = next(i for i, e in enumerate(seq) if e.get("evt.arg.name") == "new.txt")
    ops = [r["op"] for r in reps]
    assert len(seq) - first == len(ops), (ops, seq[first:])
    return os.path.realpath(scratch), dict(zip(ops, seq[first:]))


@pytest.mark.parametrize("op", sorted(PLAIN))
def test_ordinary_relative_paths_keep_their_names(plain_run, op):
    scratch, by_op = plain_run
    etype, field, rel = PLAIN[op]
    ev = by_op[op]
    assert ev.get("evt.type") == etype, ev
    assert ev.get(field) == f"{scratch}/{rel}", ev
