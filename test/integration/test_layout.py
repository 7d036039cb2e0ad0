"""Where vigil finds its analyzer and bundled rules, with the real binaries
moved out of the build directory: vigil-analyzer beside vigil (a build
directory, and the first tests' bin/ tree) or in ../libexec/vigil/ (the
installed layout: cmake --install and the /opt/vigil bundle), rules in
share/vigil/rules/ above either, a clear error when there are no rules to
be found, and $VIGIL_RULES_DIR over all of them.

Nothing is built here: the tests copy the built vigil and vigil-analyzer
into a temporary tree and the rules of the source tree beside them. The
lookup order is agent/analyzer/rules_paths.h's (vigil/sharedir.h).
"""
import json
import shutil

import pytest

from vigil_runner import vigil_env, vigil_run

# A rule of the test's own, added to the bundle: its alert proves that the
# rules came from the moved bundle and nowhere else.
MARKER_RULE = """\
- rule: Layout test marker opened
  desc: the test's own rule, only in the bundle under test
  condition: evt.type in (open, openat, openat2) and fd.name endswith /layout-marker
  output: layout marker opened (file=%fd.name)
  priority: WARNING
"""


def alerts_of(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.startswith("{") and '"rule"' in l]


def env():
    """No VIGIL_* setting of the test run (VIGIL_RULES_DIR, VIGIL_ANALYZER
    would point back at the build) unless a test sets one."""
    return vigil_env(drop=("VIGIL_",))


def bundle(root, vigil_bin, rules=None):
    """root/opt/vigil/bin/{vigil,vigil-analyzer}, and rules/ (a directory to
    copy) as root/opt/vigil/share/vigil/rules; returns the bundle's vigil."""
    opt = root / "opt" / "vigil"
    bindir = opt / "bin"
    bindir.mkdir(parents=True)
    for name in ("vigil", "vigil-analyzer"):
        src = vigil_bin.parent / name
        if not src.is_file():
            pytest.fail(f"{src} is missing: vigil-analyzer must sit beside vigil", pytrace=False)
        shutil.copy2(src, bindir / name)
    if rules is not None:
        shutil.copytree(rules, opt / "share" / "vigil" / "rules")
    return bindir / "vigil"


@pytest.fixture
def opt_vigil(tmp_path, vigil_bin, repo_root):
    """The bundle with the source tree's rules plus MARKER_RULE."""
    vigil = bundle(tmp_path, vigil_bin, rules=repo_root / "rules")
    (vigil.parent.parent / "share" / "vigil" / "rules" / "zz_layout_test.yaml").write_text(MARKER_RULE)
    return vigil


def test_relocated_bundle_runs_true(opt_vigil, tmp_path, repo_root):
    r = vigil_run(opt_vigil, "--", "/bin/true", env=env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    files = len(list((repo_root / "rules").glob("*.yaml"))) + 1  # the bundled ones and the marker's
    assert f"loaded from {files} file(s)" in r.stderr and " 0 error(s)" in r.stderr, r.stderr


def test_relocated_bundle_alerts_with_bundled_rules(opt_vigil, tmp_path):
    marker = tmp_path / "layout-marker"
    marker.write_text("x\n")
    r = vigil_run(opt_vigil, "--", "sh", "-c", f"cat /etc/shadow > /dev/null; cat {marker} > /dev/null",
                  env=env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    fired = {a["rule"]: a for a in alerts_of(r.stdout)}
    assert "Vigil read of sensitive file" in fired, (sorted(fired), r.stderr)
    assert fired["Vigil read of sensitive file"]["output_fields"]["fd.name"] == "/etc/shadow"
    assert "Layout test marker opened" in fired, (sorted(fired), r.stderr)


def test_relocated_bundle_finds_fim_profiles(opt_vigil, tmp_path):
    """A FIM profile is a file beside the bundled rules (fim/NAME.yaml)."""
    e = env()
    e.update(VIGIL_FIM_PROFILE="container", VIGIL_FIM_DB=str(tmp_path / "fim.db"))
    r = vigil_run(opt_vigil, "--", "/bin/true", env=e, cwd=tmp_path)
    assert r.returncode == 0, r.stderr


def test_no_rules_found_is_a_clear_error(tmp_path, vigil_bin):
    vigil = bundle(tmp_path, vigil_bin)  # no share/vigil/rules
    ran = tmp_path / "ran"
    r = vigil_run(vigil, "--", "touch", ran, env=env(), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    opt = tmp_path / "opt" / "vigil"
    assert (f"no bundled rules (*.yaml) found in {opt}/share/vigil/rules or "
            f"{opt}/bin/share/vigil/rules (set VIGIL_RULES_DIR or pass --rules FILE)") in r.stderr, r.stderr
    assert not ran.exists()  # the program never starts without its rules
    # --no-rules and --rules need no bundle
    assert vigil_run(vigil, "--no-rules", "--", "/bin/true", env=env()).returncode == 0
    own = tmp_path / "own.yaml"
    own.write_text(MARKER_RULE)
    r = vigil_run(vigil, "--rules", own, "--", "/bin/true", env=env())
    assert r.returncode == 0, r.stderr


def test_rules_dir_variable_wins_over_the_bundle(opt_vigil, tmp_path):
    own = tmp_path / "own-rules"
    own.mkdir()
    (own / "marker.yaml").write_text(MARKER_RULE)
    marker = tmp_path / "layout-marker"
    marker.write_text("x\n")
    e = env()
    e["VIGIL_RULES_DIR"] = str(own)
    r = vigil_run(opt_vigil, "--", "sh", "-c", f"cat /etc/shadow > /dev/null; cat {marker} > /dev/null",
                  env=e, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    fired = {a["rule"] for a in alerts_of(r.stdout)}
    assert "Layout test marker opened" in fired, (fired, r.stderr)
    assert "Vigil read of sensitive file" not in fired, fired  # the bundle was not read

    e["VIGIL_RULES_DIR"] = str(tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    r = vigil_run(opt_vigil, "--", "/bin/true", env=e, cwd=tmp_path)
    assert r.returncode == 2
    assert f"found in {tmp_path}/empty (from VIGIL_RULES_DIR)" in r.stderr, r.stderr


def installed(root, vigil_bin, rules):
    """The installed layout (cmake --install, and the bundle since it is one):
    root/bin/vigil, root/libexec/vigil/vigil-analyzer, rules/ copied as
    root/share/vigil/rules; returns the tree's vigil."""
    (root / "bin").mkdir(parents=True)
    (root / "libexec" / "vigil").mkdir(parents=True)
    shutil.copy2(vigil_bin.parent / "vigil", root / "bin" / "vigil")
    shutil.copy2(vigil_bin.parent / "vigil-analyzer", root / "libexec" / "vigil" / "vigil-analyzer")
    if rules is not None:
        shutil.copytree(rules, root / "share" / "vigil" / "rules")
    return root / "bin" / "vigil"


def test_analyzer_in_libexec_finds_the_rules(tmp_path, vigil_bin, repo_root):
    """bin/vigil starts ../libexec/vigil/vigil-analyzer, which finds
    ../../share/vigil/rules: the alerts of the bundled rules and the marker's."""
    vigil = installed(tmp_path / "prefix", vigil_bin, repo_root / "rules")
    (tmp_path / "prefix" / "share" / "vigil" / "rules" / "zz_layout_test.yaml").write_text(MARKER_RULE)
    marker = tmp_path / "layout-marker"
    marker.write_text("x\n")
    r = vigil_run(vigil, "--", "sh", "-c", f"cat /etc/shadow > /dev/null; cat {marker} > /dev/null",
                  env=env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    fired = {a["rule"] for a in alerts_of(r.stdout)}
    assert {"Vigil read of sensitive file", "Layout test marker opened"} <= fired, (fired, r.stderr)
    # the analyzer's commands too (vigil rules ... execs it)
    r = vigil_run(vigil, "rules", "list", env=env(), cwd=tmp_path)
    assert r.returncode == 0 and "Layout test marker opened" in r.stdout, r.stderr


def test_analyzer_beside_vigil_wins_over_libexec(tmp_path, vigil_bin, repo_root):
    """A vigil-analyzer beside vigil (a build directory) is the one started,
    even when a libexec/vigil/ one exists: here the libexec one is a stub
    that would fail every start."""
    vigil = installed(tmp_path / "prefix", vigil_bin, repo_root / "rules")
    stub = tmp_path / "prefix" / "libexec" / "vigil" / "vigil-analyzer"
    stub.write_text("#!/bin/sh\nexit 3\n")
    shutil.copy2(vigil_bin.parent / "vigil-analyzer", vigil.parent / "vigil-analyzer")
    r = vigil_run(vigil, "--", "cat", "/etc/shadow", env=env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Vigil read of sensitive file" in {a["rule"] for a in alerts_of(r.stdout)}, r.stderr


def test_no_analyzer_anywhere_names_both_places(tmp_path, vigil_bin):
    vigil = installed(tmp_path / "prefix", vigil_bin, None)
    (tmp_path / "prefix" / "libexec" / "vigil" / "vigil-analyzer").unlink()
    r = vigil_run(vigil, "rules", "list", env=env(), cwd=tmp_path)
    assert r.returncode == 2
    assert "vigil-analyzer not found beside vigil or in ../libexec/vigil/" in r.stderr, r.stderr


def test_no_rules_from_libexec_names_where_it_looked(tmp_path, vigil_bin):
    vigil = installed(tmp_path / "prefix", vigil_bin, None)
    ran = tmp_path / "ran"
    r = vigil_run(vigil, "--", "touch", ran, env=env(), cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    p = tmp_path / "prefix"
    assert (f"found in {p}/share/vigil/rules, {p}/libexec/share/vigil/rules or "
            f"{p}/libexec/vigil/share/vigil/rules (set VIGIL_RULES_DIR") in r.stderr, r.stderr
    assert not ran.exists()
