"""Integration tests for vigil's one-shot FIM commands.

    vigil fim baseline --db DB --path P [--path P2 ...] [--exclude GLOB ...]
    vigil fim check    --db DB --path P [...] [--json]      exit 0 / 1 / 2
    vigil fim accept   --db DB --path P [...] --reason TEXT [FILE ...]

Everything runs on real files under tmp_path with the real binary
(`vigil_bin` fixture, i.e. $VIGIL_BIN) and, for the side-by-side test, the
real Debian AIDE (/usr/bin/aide) with a standalone config written into
tmp_path.  Run as root (chown test).  Whole file: well under a minute.

    VIGIL_BIN=build-fim/vigil /usr/bin/python3 -m pytest test/integration/test_fim_oneshot.py
"""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from vigil_runner import vigil_run, vigil_start

AIDE = shutil.which("aide") or "/usr/bin/aide"
ATTRS = {"type", "mode", "uid", "gid", "size", "mtime", "ctime", "inode",
         "nlink", "target", "xattrs", "sha256"}
OTHER_UID = 12345


# --------------------------------------------------------------- helpers

def vigil_fim(bin_, *args, timeout=60):
    """vigil fim ARGS, to completion."""
    return vigil_run(bin_, "fim", *args, timeout=timeout)


def describe(r):
    return (f"argv={r.args}\nexit={r.returncode}\n--- stdout\n{r.stdout}"
            f"\n--- stderr\n{r.stderr}")


def baseline(bin_, db, *paths, extra=()):
    args = ["baseline", "--db", db]
    for p in paths:
        args += ["--path", p]
    r = vigil_fim(bin_, *args, *extra)
    assert r.returncode == 0, describe(r)
    assert Path(db).is_file(), f"baseline exited 0 but wrote no {db}"
    return r


def check(bin_, db, *paths, json_out=False):
    args = ["check", "--db", db]
    for p in paths:
        args += ["--path", p]
    if json_out:
        args.append("--json")
    return vigil_fim(bin_, *args)


def check_json(bin_, db, *paths):
    r = check(bin_, db, *paths, json_out=True)
    assert r.returncode in (0, 1), describe(r)
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        pytest.fail(f"check --json printed invalid JSON ({e})\n{describe(r)}")
    return r, doc


def rel(root, p):
    """Reported path relative to the watched root (absolute or relative)."""
    p = str(p)
    if os.path.isabs(p):
        return os.path.relpath(p, root)
    return os.path.normpath(p)


def validate_json(doc, rc):
    """Schema of `check --json`, independent of which change was made."""
    assert isinstance(doc, dict) and "changes" in doc and "summary" in doc, doc
    counts = {"added": 0, "removed": 0, "changed": 0}
    for c in doc["changes"]:
        assert c["action"] in counts, c
        counts[c["action"]] += 1
        assert isinstance(c["path"], str) and c["path"], c
        assert isinstance(c["attributes"], list), c
        assert set(c["attributes"]) <= ATTRS, f"unknown attribute in {c}"
        assert c["approved"] is False, c
        if c["action"] == "added":
            assert c["before"] is None and isinstance(c["after"], dict), c
        elif c["action"] == "removed":
            assert c["after"] is None and isinstance(c["before"], dict), c
        else:
            assert c["attributes"], f"changed entry without attributes: {c}"
            assert isinstance(c["before"], dict) and isinstance(c["after"], dict), c
            for a in c["attributes"]:
                if a in c["before"] and a in c["after"]:
                    assert c["before"][a] != c["after"][a], \
                        f"attribute {a} reported changed but before == after: {c}"
    for k, n in counts.items():
        assert doc["summary"].get(k) == n, f"summary {doc['summary']} != {counts}"
    assert rc == (1 if doc["changes"] else 0), f"exit {rc} with changes {doc['changes']}"


def parse_human(root, out):
    """`added P` / `removed P` / `changed P: a,b` -> {relpath: (action, attrs)}."""
    lines = [l for l in out.splitlines() if l.strip()]
    res, order = {}, []
    for l in lines:
        action, _, rest = l.partition(" ")
        assert action in ("added", "removed", "changed"), f"bad line {l!r}"
        attrs = frozenset()
        if action == "changed":
            path, sep, a = rest.rpartition(": ")
            assert sep, f"changed line without ': attrs': {l!r}"
            attrs = frozenset(a.split(","))
            assert attrs <= ATTRS, f"unknown attribute in {l!r}"
        else:
            path = rest
        order.append(path)
        res[rel(root, path)] = (action, attrs)
    assert order == sorted(order), f"human output not sorted by path:\n{out}"
    return res


# --------------------------------------------------------------- the tree

FILES = {
    "etc/app.conf": b"listen=0.0.0.0:8080\nworkers=4\n" * 8,
    "etc/mode_file": b"secret-ish\n",
    "etc/owned": b"owned by root\n",
    "etc/victim": b"VICTIM-CONTENT-0123456789\n",
    "etc/link_target": b"hard link me\n",
    "bin/toolA": b"#!/bin/sh\necho A\n",
    "bin/toolB": b"#!/bin/sh\necho B\n",
    "data/doomed": b"delete me\n",
    "data/stamp": b"touch me\n",
    "data/xattr_file": b"xattr me\n",
    "sentinel": b"never touched\n",
    "deep/a/b/c/file": b"deep and untouched\n",
}
UNTOUCHED = {"sentinel", "deep", "deep/a", "deep/a/b", "deep/a/b/c",
             "deep/a/b/c/file", "bin/toolA", "bin/toolB"}


def make_tree(root):
    root = Path(root)
    for relp, data in FILES.items():
        p = root / relp
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.chmod(p, 0o644)
    os.chmod(root / "bin/toolA", 0o755)
    os.chmod(root / "bin/toolB", 0o755)
    os.symlink("toolA", root / "bin/link")
    # Make all timestamps old so that second-granularity tools (AIDE) see
    # a later touch as a change and nothing is racing the baseline clock.
    old = time.time_ns() - 3600 * 10**9
    for dirpath, dirs, files in os.walk(root):
        for n in files + dirs:
            os.utime(os.path.join(dirpath, n), ns=(old, old),
                     follow_symlinks=False)
    os.utime(root, ns=(old, old))
    return root


def xattr_supported(path):
    try:
        os.setxattr(path, "user.vigil.probe", b"1")
        os.removexattr(path, "user.vigil.probe")
        return True, ""
    except OSError as e:
        return False, f"user.* xattrs unsupported on {path}: {e}"


# Each change: fn(root) mutates the tree; `expect` maps relpath ->
# (action, required attributes, forbidden attributes).
def ch_content(root):
    p = root / "etc/app.conf"
    st = os.stat(p)
    data = p.read_bytes()
    new = data.replace(b"workers=4", b"workers=9")
    assert len(new) == len(data) and new != data
    with open(p, "r+b") as f:
        f.write(new)
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    st2 = os.stat(p)
    assert (st2.st_size, st2.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def ch_chmod(root):
    os.chmod(root / "etc/mode_file", 0o600)


def ch_chown(root):
    os.chown(root / "etc/owned", OTHER_UID, -1)


def ch_rename_over(root):
    # Same content, same size, same mode: only the inode (and ctime/mtime)
    # betray the replacement.  Staged outside the tree, same filesystem.
    staging = root.parent / "staging-area"
    staging.mkdir(exist_ok=True)
    src = staging / "victim.new"
    src.write_bytes(FILES["etc/victim"])
    os.chmod(src, 0o644)
    os.replace(src, root / "etc/victim")


def ch_hardlink(root):
    os.link(root / "etc/link_target", root / "etc/hardlink")


def ch_symlink(root):
    os.remove(root / "bin/link")
    os.symlink("toolB", root / "bin/link")   # same length as "toolA"


def ch_delete(root):
    os.remove(root / "data/doomed")


def ch_create(root):
    (root / "data/new_file").write_bytes(b"fresh\n")


def ch_touch(root):
    p = root / "data/stamp"
    st = os.stat(p)
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))


def ch_newtree(root):
    (root / "newtree/x/y/z").mkdir(parents=True)
    (root / "newtree/x/y/z/f").write_bytes(b"f\n")
    (root / "newtree/x/g").write_bytes(b"g\n")


def ch_xattr(root):
    os.setxattr(root / "data/xattr_file", "user.vigil.test", b"tampered")


CHANGES = {
    "content_same_size_mtime": (ch_content, {
        "etc/app.conf": ("changed", {"sha256", "ctime"},
                         {"size", "mtime", "inode", "mode", "type"})}),
    "chmod": (ch_chmod, {
        "etc/mode_file": ("changed", {"mode"},
                          {"sha256", "size", "inode", "uid", "gid", "type"})}),
    "chown": (ch_chown, {
        "etc/owned": ("changed", {"uid"}, {"gid", "mode", "sha256", "inode"})}),
    "rename_over": (ch_rename_over, {
        "etc/victim": ("changed", {"inode"}, {"sha256", "size", "type"})}),
    "hardlink": (ch_hardlink, {
        "etc/link_target": ("changed", {"nlink"}, {"sha256", "inode", "size"}),
        "etc/hardlink": ("added", set(), set())}),
    "symlink_retarget": (ch_symlink, {
        "bin/link": ("changed", {"target"}, {"type"})}),
    "delete": (ch_delete, {"data/doomed": ("removed", set(), set())}),
    "create": (ch_create, {"data/new_file": ("added", set(), set())}),
    "touch": (ch_touch, {
        "data/stamp": ("changed", {"mtime"}, {"sha256", "size", "inode"})}),
    "new_nested_tree": (ch_newtree, {
        p: ("added", set(), set()) for p in
        ("newtree", "newtree/x", "newtree/x/y", "newtree/x/y/z",
         "newtree/x/y/z/f", "newtree/x/g")}),
    "xattr": (ch_xattr, {
        "data/xattr_file": ("changed", {"xattrs"}, {"sha256", "mode", "size"})}),
}


@pytest.fixture
def tree(tmp_path):
    return make_tree(Path(os.path.realpath(tmp_path)) / "tree")


# ------------------------------------------------- 1. every change type

@pytest.mark.parametrize("name", list(CHANGES))
def test_change_detected(vigil_bin, tree, name):
    fn, expect = CHANGES[name]
    if name == "xattr":
        ok, why = xattr_supported(tree / "data/xattr_file")
        if not ok:
            pytest.skip(why)
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    r0 = check(vigil_bin, db, tree)
    assert r0.returncode == 0 and not r0.stdout.strip(), \
        "check right after baseline must be clean\n" + describe(r0)

    fn(tree)

    r, doc = check_json(vigil_bin, db, tree)
    validate_json(doc, r.returncode)
    got = {rel(tree, c["path"]): c for c in doc["changes"]}
    for p, (action, need, forbid) in expect.items():
        assert p in got, f"{name}: {p} not reported\n{json.dumps(doc, indent=1)}"
        c = got[p]
        assert c["action"] == action, f"{name}: {p}: {c}"
        attrs = set(c["attributes"])
        assert need <= attrs, f"{name}: {p}: missing {need - attrs}: {c}"
        assert not (forbid & attrs), f"{name}: {p}: spurious {forbid & attrs}: {c}"
    for p in UNTOUCHED:
        assert p not in got, f"{name}: untouched {p} reported: {got[p]}"

    # Human output says the same thing, sorted by path.
    h = check(vigil_bin, db, tree)
    assert h.returncode == 1, describe(h)
    human = parse_human(tree, h.stdout)
    js = {p: (c["action"], frozenset(c["attributes"]) if c["action"] == "changed"
              else frozenset()) for p, c in got.items()}
    assert human == js, f"human and JSON disagree\n{describe(h)}\n{json.dumps(doc)}"


def test_multiple_paths(vigil_bin, tmp_path):
    base = Path(os.path.realpath(tmp_path))
    a = make_tree(base / "a")
    b = make_tree(base / "b")
    db = base / "fim.db"
    baseline(vigil_bin, db, a, b)
    assert check(vigil_bin, db, a, b).returncode == 0
    ch_chmod(a)
    ch_delete(b)
    r, doc = check_json(vigil_bin, db, a, b)
    validate_json(doc, r.returncode)
    paths = {os.path.realpath(c["path"]) if os.path.isabs(c["path"]) else c["path"]
             for c in doc["changes"]}
    assert str(a / "etc/mode_file") in paths, doc
    assert str(b / "data/doomed") in paths, doc


# ------------------------------------------------- 2. side by side with AIDE

def aide_conf(work, root):
    work = Path(work)
    # Selection lines are regular expressions: keep the root free of
    # metacharacters and anchor it so that siblings such as "tree-x" are
    # not selected too.
    assert not set(str(root)) & set(".^$*+?()[]{}|\\"), root
    conf = work / "aide.conf"
    conf.write_text(f"""\
# standalone AIDE config written by test_fim_oneshot.py
database_in=file:{work}/aide.db
database_out=file:{work}/aide.db.new
database_new=file:{work}/aide.db.new
gzip_dbout=false
num_workers=1
report_level=list_entries
report_format=json
report_url=stdout
VigilEquiv = ftype+p+i+n+u+g+s+m+c+l+sha256+xattrs
{root}$ VigilEquiv
{root}/ VigilEquiv
""")
    return conf


def aide_init(conf):
    r = subprocess.run([AIDE, f"--config={conf}", "--init"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, describe(r)
    d = Path(conf).parent
    os.replace(d / "aide.db.new", d / "aide.db")


def aide_check(conf, root):
    r = subprocess.run([AIDE, f"--config={conf}", "--check"],
                       capture_output=True, text=True, timeout=120)
    assert 0 <= r.returncode < 8, "AIDE error\n" + describe(r)
    doc = json.loads(r.stdout)
    sets = {k: {rel(root, p) for p in doc.get(k, {})} - {"."}
            for k in ("added", "removed", "changed")}
    # AIDE's exit code is a bit mask: 1 added, 2 removed, 4 changed.
    doc_bits = ((1 if doc.get("added") else 0) | (2 if doc.get("removed") else 0)
                | (4 if doc.get("changed") else 0))
    assert r.returncode == doc_bits, "AIDE exit code vs report\n" + describe(r)
    return sets


def apply_all(root):
    applied = []
    for name, (fn, _) in CHANGES.items():
        if name == "xattr" and not xattr_supported(root / "data/xattr_file")[0]:
            continue
        fn(root)
        applied.append(name)
    return applied


def test_aide_harness(tmp_path):
    """The AIDE half alone: proves the reference is meaningful."""
    base = Path(os.path.realpath(tmp_path))
    root = make_tree(base / "tree")
    (base / "aide").mkdir()
    conf = aide_conf(base / "aide", root)
    aide_init(conf)
    assert aide_check(conf, root) == {"added": set(), "removed": set(),
                                      "changed": set()}
    apply_all(root)
    sets = aide_check(conf, root)
    assert {"etc/hardlink", "data/new_file", "newtree/x/y/z/f"} <= sets["added"], sets
    assert sets["removed"] == {"data/doomed"}, sets
    assert {"etc/app.conf", "etc/mode_file", "etc/owned", "etc/victim",
            "etc/link_target", "bin/link", "data/stamp"} <= sets["changed"], sets


def test_vigil_superset_of_aide(vigil_bin, tmp_path):
    base = Path(os.path.realpath(tmp_path))
    root = make_tree(base / "tree")
    (base / "aide").mkdir()
    conf = aide_conf(base / "aide", root)
    db = base / "fim.db"
    aide_init(conf)
    baseline(vigil_bin, db, root)

    applied = apply_all(root)

    aide = aide_check(conf, root)
    r, doc = check_json(vigil_bin, db, root)
    validate_json(doc, r.returncode)
    vig = {"added": set(), "removed": set(), "changed": set()}
    for c in doc["changes"]:
        vig[c["action"]].add(rel(root, c["path"]))
    vig_all = set().union(*vig.values())
    aide_all = set().union(*aide.values())
    report = (f"changes applied: {applied}\n"
              + "".join(f"AIDE  {k:8}: {sorted(v)}\n" for k, v in aide.items())
              + "".join(f"vigil {k:8}: {sorted(v)}\n" for k, v in vig.items())
              + f"missed by vigil: {sorted(aide_all - vig_all)}\n")
    print(report)
    assert aide_all, "AIDE saw nothing; the comparison is meaningless\n" + report
    assert aide_all <= vig_all, report
    for k in aide:
        assert aide[k] <= vig[k], f"category {k} differs\n" + report


# ------------------------------------------------- 3. accept

def test_accept_all(vigil_bin, tree):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    ch_content(tree)
    ch_chmod(tree)
    ch_create(tree)
    assert check(vigil_bin, db, tree).returncode == 1
    reason = "OPS-4711 planned config rollout"
    r = vigil_fim(vigil_bin, "accept", "--db", db, "--path", tree, "--reason", reason)
    assert r.returncode == 0, describe(r)
    h = check(vigil_bin, db, tree)
    assert h.returncode == 0 and not h.stdout.strip(), describe(h)
    r, doc = check_json(vigil_bin, db, tree)
    validate_json(doc, r.returncode)
    assert doc["changes"] == [], doc
    appr = doc.get("approvals")
    assert isinstance(appr, list) and appr, f"no approvals in {doc}"
    assert reason in json.dumps(appr), f"reason missing from approvals: {appr}"
    # Accepting does not blind the file: a later change is seen again.
    (tree / "etc/app.conf").write_bytes(b"changed again\n")
    r2 = check(vigil_bin, db, tree)
    assert r2.returncode == 1 and "etc/app.conf" in r2.stdout, describe(r2)


def test_accept_selected_files(vigil_bin, tree):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    ch_chmod(tree)   # etc/mode_file -> accepted
    ch_touch(tree)   # data/stamp    -> still reported
    reason = "CHG-99 tighten perms"
    target = tree / "etc/mode_file"
    r = vigil_fim(vigil_bin, "accept", "--db", db, "--path", tree, "--reason",
              reason, target)
    assert r.returncode == 0, describe(r)
    r, doc = check_json(vigil_bin, db, tree)
    validate_json(doc, r.returncode)
    got = {rel(tree, c["path"]) for c in doc["changes"]}
    assert "etc/mode_file" not in got, doc
    assert "data/stamp" in got, doc
    assert r.returncode == 1
    appr = json.dumps(doc.get("approvals"))
    assert reason in appr and "mode_file" in appr, f"approvals: {appr}"


def test_accept_requires_reason(vigil_bin, tree):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    ch_chmod(tree)
    before = db.read_bytes()
    r = vigil_fim(vigil_bin, "accept", "--db", db, "--path", tree)
    assert r.returncode == 2, describe(r)
    assert r.stderr.strip(), "no error message\n" + describe(r)
    assert db.read_bytes() == before, "accept without --reason modified the DB"
    r2 = check(vigil_bin, db, tree)
    assert r2.returncode == 1 and "etc/mode_file" in r2.stdout, describe(r2)


# ------------------------------------------------- 4. crash safety

@pytest.fixture(scope="module")
def big_tree(tmp_path_factory):
    root = Path(os.path.realpath(tmp_path_factory.mktemp("bigtree")))
    blob = os.urandom(4096)
    for d in range(100):
        dp = root / f"d{d:03}"
        dp.mkdir()
        for f in range(200):                       # 20,000 small files
            (dp / f"f{f:03}").write_bytes(blob[(d + f) % 2048:][:1024])
    for i in range(4):                             # 4 x 24 MiB to hash
        (root / f"big{i}").write_bytes(os.urandom(24 << 20))
    return root


def test_kill9_during_baseline_keeps_db_usable(vigil_bin, big_tree, tmp_path):
    db = tmp_path / "fim.db"
    t0 = time.monotonic()
    baseline(vigil_bin, db, big_tree)
    full = time.monotonic() - t0
    assert check(vigil_bin, db, big_tree).returncode == 0
    old = db.read_bytes()

    # Early, middle and dense near the end, where a writer that truncates
    # the DB in place would be caught mid-write.
    moments = sorted({0.05, 0.2} | {round(full * f, 3) for f in
                                    (0.1, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99)})
    moments = [m for m in moments if 0.005 <= m < full * 0.95]
    killed_mid = 0
    log = []
    for m in moments:
        p = vigil_start(vigil_bin, "fim", "baseline", "--db", db, "--path", big_tree)
        time.sleep(m)
        running = p.poll() is None
        if running:
            p.send_signal(signal.SIGKILL)
            killed_mid += 1
        p.wait(timeout=60)
        log.append(f"kill at {m:.3f}s running={running} rc={p.returncode}")
        r = check(vigil_bin, db, big_tree)
        assert r.returncode == 0, (
            f"DB unusable after kill -9 at {m:.3f}s (full baseline {full:.3f}s);"
            f" old DB intact: {db.read_bytes() == old}\n" + "\n".join(log)
            + "\n" + describe(r))
    print(f"full baseline {full:.3f}s\n" + "\n".join(log))
    assert killed_mid >= 2, (f"baseline took only {full:.3f}s, could not kill it"
                             f" mid-run:\n" + "\n".join(log))
    # Leftover temp files from the killed runs must not block a new baseline.
    baseline(vigil_bin, db, big_tree)
    assert check(vigil_bin, db, big_tree).returncode == 0


def test_db_written_via_temp_fsync_rename(vigil_bin, tree, tmp_path):
    """White-box complement of the kill test (whose kill moments may miss a
    short final write): under strace, the DB path itself is never opened for
    writing; a temp file is fsync'ed and then renamed onto it."""
    strace = shutil.which("strace")
    if not strace:
        pytest.fail("strace not installed (needed for this test)")
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)                 # replace an existing DB
    log = tmp_path / "strace.log"
    r = vigil_run(vigil_bin, "fim", "baseline", "--db", db, "--path", tree,
                  wrapper=(strace, "-f", "-y", "-o", log, "-e",
                           "trace=open,openat,openat2,creat,rename,renameat,"
                           "renameat2,fsync,fdatasync,linkat"))
    assert r.returncode == 0, describe(r)
    lines = log.read_text().splitlines()
    dbq = f'"{db}"'
    direct = [l for l in lines if ("open" in l.split("(")[0] or "creat(" in l)
              and dbq in l and any(f in l for f in ("O_WRONLY", "O_RDWR", "O_TRUNC", "creat("))]
    assert not direct, "DB opened for writing in place:\n" + "\n".join(direct)
    renames = [i for i, l in enumerate(lines)
               if "rename" in l.split("(")[0] and l.rstrip().endswith("= 0")
               and dbq in l.split(",", 1)[1]]
    assert renames, "no rename() onto the DB:\n" + "\n".join(lines[-30:])
    before = lines[:renames[-1]]
    src = lines[renames[-1]]
    syncs = [l for l in before if ("fsync(" in l or "fdatasync(" in l)
             and str(db.parent) in l]
    assert syncs, ("no fsync of the temp file before the rename:\n"
                   + "\n".join(lines[-30:]) + f"\nrename: {src}")


@pytest.mark.parametrize("where", ["middle", "last", "first_quarter"])
def test_flipped_byte_is_corruption(vigil_bin, tree, where):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    data = bytearray(db.read_bytes())
    i = {"middle": len(data) // 2, "last": len(data) - 1,
         "first_quarter": len(data) // 4}[where]
    data[i] ^= 0x01
    db.write_bytes(bytes(data))
    r = check(vigil_bin, db, tree)
    assert r.returncode == 2, f"flipped byte {i}/{len(data)}\n" + describe(r)
    assert "corrupt" in (r.stdout + r.stderr).lower(), describe(r)


@pytest.mark.parametrize("how", ["truncated_half", "empty"])
def test_torn_db_is_error(vigil_bin, tree, how):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2] if how == "truncated_half" else b"")
    r = check(vigil_bin, db, tree)
    assert r.returncode == 2, describe(r)
    msg = (r.stdout + r.stderr).lower()
    assert "corrupt" in msg or "truncat" in msg or "empty" in msg, describe(r)


# ------------------------------------------------- 5. exit codes

def test_exit_codes(vigil_bin, tree):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    r = check(vigil_bin, db, tree)
    assert r.returncode == 0 and not r.stdout.strip(), describe(r)
    r, doc = check_json(vigil_bin, db, tree)
    validate_json(doc, r.returncode)
    assert doc["changes"] == [] and doc["summary"] == {
        "added": 0, "removed": 0, "changed": 0}, doc
    ch_create(tree)
    assert check(vigil_bin, db, tree).returncode == 1
    assert check(vigil_bin, db, tree, json_out=True).returncode == 1


@pytest.mark.parametrize("argv", [
    ["check", "--db", "{missing}", "--path", "{tree}"],
    ["check", "--db", "{missing}", "--path", "{tree}", "--json"],
    ["check", "--path", "{tree}"],                        # no --db
    ["check", "--db", "{db}", "--path", "{tree}", "--bogus-flag"],
    ["baseline", "--db", "{db2}", "--path", "{tree}/does-not-exist"],
    ["baseline", "--path", "{tree}"],                     # no --db
    ["baseline", "--db", "{db2}"],                        # no --path
    ["frobnicate", "--db", "{db}"],                       # unknown subcommand
    ["accept", "--db", "{missing}", "--path", "{tree}", "--reason", "x"],
])
def test_errors_exit_2(vigil_bin, tree, argv):
    db = tree.parent / "fim.db"
    baseline(vigil_bin, db, tree)
    fmt = {"missing": tree.parent / "no-such.db", "tree": tree, "db": db,
           "db2": tree.parent / "other.db"}
    args = [a.format(**fmt) for a in argv]
    r = vigil_fim(vigil_bin, *args)
    assert r.returncode == 2, describe(r)
    assert r.stderr.strip(), "exit 2 without a message on stderr\n" + describe(r)
