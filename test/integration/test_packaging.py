"""Packaging (docs/install.md): `cmake --install` into a temporary prefix,
the /opt/vigil bundle (`bundle` target) moved elsewhere, the tarball and
the .deb (`package` target), the CA bundle the tree carries, the example
configuration, and two builds giving the same bytes.

The bundle and the archives are made from the build under test (the
directory of VIGIL_BIN): the module runs its `package` target once, which
writes BUILD/bundle/ and BUILD/package/ there and builds nothing else.
Every run of vigil here sets no VIGIL_* variable: what is found, is found
by the tree itself.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path.insert(0, str(FAKES))
from receiver_harness import Receiver  # noqa: E402
from vigil_runner import vigil_env, vigil_run  # noqa: E402

SHADOW_RULE = "Vigil read of sensitive file"

# What the bundle holds, and only that (besides the rules and LICENSES/ files).
BUNDLE_FILES = {
    "bin/vigil",
    "libexec/vigil/vigil-analyzer",
    "share/vigil/ca-certificates.crt",
    "share/vigil/rules/vigil_rules.yaml",
    "etc/vigil.yaml.example",
    "LICENSES/README",
    "LICENSES/openssl.copyright",
    "LICENSES/musl.copyright",
}


def env(**settings):
    return vigil_env(drop=("VIGIL_",), **settings)


def run(*argv, timeout=600, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout,
                          **kw)


def alerts_of(stdout):
    return [json.loads(l) for l in stdout.splitlines() if l.startswith("{") and '"rule"' in l]


def assert_shadow_alert(vigil, cwd, **kw):
    """vigil -- cat /etc/shadow alerts on stdout with the tree's own rules."""
    r = vigil_run(vigil, "--", "cat", "/etc/shadow", env=env(), cwd=cwd, **kw)
    assert r.returncode == 0, r.stderr
    assert " 0 error(s)" in r.stderr, r.stderr
    fired = {a["rule"]: a for a in alerts_of(r.stdout)}
    assert SHADOW_RULE in fired, (sorted(fired), r.stderr)
    assert fired[SHADOW_RULE]["output_fields"]["fd.name"] == "/etc/shadow"


@pytest.fixture(scope="module")
def build_dir(vigil_bin):
    d = vigil_bin.parent
    if not (d / "CMakeCache.txt").is_file():
        pytest.fail(f"{d} is not a CMake build directory (VIGIL_BIN must be one's vigil)",
                    pytrace=False)
    return d


@pytest.fixture(scope="module")
def packaged(build_dir):
    """BUILD/bundle/opt/vigil and BUILD/package/{tarball,deb}, made now."""
    r = run("cmake", "--build", build_dir, "--target", "package")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    tarballs = list((build_dir / "package").glob("vigil-*.tar.gz"))
    debs = list((build_dir / "package").glob("vigil_*.deb"))
    assert len(tarballs) == 1 and len(debs) == 1, list((build_dir / "package").iterdir())
    return {"bundle": build_dir / "bundle" / "opt" / "vigil", "tarball": tarballs[0], "deb": debs[0]}


@pytest.fixture(scope="module")
def epoch(repo_root):
    r = run("sh", repo_root / "packaging" / "source-date-epoch.sh", repo_root)
    assert r.returncode == 0, r.stderr
    return int(r.stdout)


def dynamic(binary):
    return "(NEEDED)" in run("readelf", "-d", binary).stdout


# ------------------------------------------------------------ cmake --install

@pytest.fixture(scope="module")
def prefix(build_dir, tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    r = run("cmake", "--install", build_dir, "--prefix", p)
    assert r.returncode == 0, r.stdout + r.stderr
    return p


def test_install_is_an_fhs_layout(prefix, repo_root):
    for f in ("bin/vigil", "libexec/vigil/vigil-analyzer"):
        assert os.access(prefix / f, os.X_OK), f
    rules = sorted(p.name for p in (prefix / "share/vigil/rules").glob("*.yaml"))
    assert rules == sorted(p.name for p in (repo_root / "rules").glob("*.yaml"))
    assert (prefix / "share/vigil/rules/fim/container.yaml").is_file()
    assert (prefix / "share/vigil/ca-certificates.crt").read_bytes() == \
        Path("/etc/ssl/certs/ca-certificates.crt").read_bytes()
    assert (prefix / "share/doc/vigil/README.md").is_file()
    assert (prefix / "share/doc/vigil/docs/install.md").is_file()
    assert (prefix / "share/doc/vigil/LICENSES/README").is_file()
    assert (prefix / "etc/vigil/vigil.yaml.example").is_file()
    # the bundle-only component stays out of an FHS install
    assert not (prefix / "etc/vigil.yaml.example").exists()
    assert not (prefix / "LICENSES").exists()
    assert not (prefix / "bin/vigil-analyzer").exists()  # not a command


def test_installed_vigil_alerts_with_the_bundled_rules(prefix, tmp_path):
    assert_shadow_alert(prefix / "bin/vigil", tmp_path)


def test_example_configuration_is_accepted(prefix, tmp_path):
    """vigil validates its configuration before the program starts (exit 2
    on a mistake, naming file:line:col): the example passes, and the same
    file with one key misspelt does not, so the check is real."""
    example = prefix / "etc/vigil/vigil.yaml.example"
    ran = tmp_path / "ran"
    r = vigil_run(prefix / "bin/vigil", "--config", example, "--", "touch", ran, env=env(),
                  cwd=tmp_path)
    assert r.returncode == 0 and ran.exists(), r.stderr
    text = example.read_text()
    assert "\n  batch_max_alerts: 1000\n" in text
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("\n  batch_max_alerts: 1000\n", "\n  batch_max_alert: 1000\n"))
    ran.unlink()
    r = vigil_run(prefix / "bin/vigil", "--config", bad, "--", "touch", ran, env=env(), cwd=tmp_path)
    assert r.returncode == 2 and "batch_max_alert" in r.stderr, r.stderr
    assert not ran.exists()


# ------------------------------------------------------------------- bundle

def test_bundle_layout_and_stripped(packaged):
    b = packaged["bundle"]
    have = {str(p.relative_to(b)) for p in b.rglob("*") if not p.is_dir()}
    assert BUNDLE_FILES <= have, sorted(BUNDLE_FILES - have)
    assert not {f for f in have if f.startswith(("share/doc", "etc/vigil/", "bin/vigil-analyzer"))}
    for f in ("bin/vigil", "libexec/vigil/vigil-analyzer"):
        sections = run("readelf", "-S", "-W", b / f).stdout
        assert ".symtab" not in sections and ".debug_" not in sections, f"{f} is not stripped"


def test_moved_bundle_finds_its_analyzer_rules_and_ca(packaged, tmp_path):
    """Copied whole to another directory: the analyzer, the rules and the CA
    bundle are found from there (vigil -v names the CA the sinks use)."""
    moved = tmp_path / "elsewhere" / "vigil"
    shutil.copytree(packaged["bundle"], moved, symlinks=True)
    assert_shadow_alert(moved / "bin/vigil", tmp_path)
    r = vigil_run(moved / "bin/vigil", "rules", "list", env=env(), cwd=tmp_path)
    assert r.returncode == 0 and SHADOW_RULE in r.stdout, r.stderr


HIDE_SYSTEM_CA = ('for d in /etc/ssl /etc/pki; do [ ! -d "$d" ] || mount -t tmpfs vigil-test "$d" '
                  '|| exit 97; done; exec "$@"')


def without_system_ca():
    """A wrapper running vigil in a mount namespace of its own where /etc/ssl
    and /etc/pki are empty: an image with no CA bundle of its own."""
    if not shutil.which("unshare"):
        pytest.fail("unshare (util-linux) is needed", pytrace=False)
    user = [] if os.geteuid() == 0 else ["-r"]
    return ["unshare", *user, "-m", "--propagation", "private", "sh", "-c", HIDE_SYSTEM_CA, "sh"]


@pytest.fixture
def ca_tree(packaged, tmp_path, pki):
    """The bundle with the test CA as its share/vigil/ca-certificates.crt."""
    tree = tmp_path / "opt-vigil"
    shutil.copytree(packaged["bundle"], tree, symlinks=True)
    shutil.copy(pki / "ca.pem", tree / "share/vigil/ca-certificates.crt")
    return tree


@pytest.fixture
def ca_bundle_tree(ca_tree, tmp_path, pki):
    """That tree, and a receiver whose certificate only the test CA signed."""
    rx = Receiver(tmp_path, key="k-ca", args=["--tls", str(pki / "server.pem"),
                                               str(pki / "server.key")]).start()
    yield ca_tree, rx
    rx.stop()


def ship(tree, rx, tmp_path, wrapper=()):
    e = env(VIGIL_API_KEY="k-ca", VIGIL_SPOOL_DIR=tmp_path / "spool", VIGIL_DRAIN_TIMEOUT_MS=3000,
            VIGIL_HTTP_RETRY_INITIAL_MS=100, VIGIL_HTTP_RETRY_MAX_MS=200)
    return vigil_run(tree / "bin/vigil", "-o", rx.url(), "--", "cat", "/etc/shadow", env=e,
                     cwd=tmp_path, wrapper=wrapper, timeout=120)


def test_bundled_ca_is_used_when_the_image_has_none(ca_bundle_tree, tmp_path):
    tree, rx = ca_bundle_tree
    r = ship(tree, rx, tmp_path, wrapper=without_system_ca())
    assert r.returncode != 97, "could not hide /etc/ssl in a mount namespace"
    assert r.returncode == 0, r.stderr
    st = rx.state()
    assert st["errors"] == [] and st["batches"] >= 1, (st, r.stderr)
    assert st["alerts"] - st["health"] >= 1, st


def test_system_ca_comes_before_the_bundled_one(ca_bundle_tree, tmp_path):
    """With the system bundle present it is the one used: it does not know the
    test CA, so the same delivery fails verification and nothing is sent."""
    tree, rx = ca_bundle_tree
    r = ship(tree, rx, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "TLS certificate verification failed" in r.stderr, r.stderr
    assert rx.state()["batches"] == 0


def test_aws_calls_use_the_bundled_ca_when_the_image_has_none(ca_tree, static_keys, pki):
    """SSM over https (AWS calls have their own HTTP client): the bundle's CA
    when the image has none; the system's first when it has one."""
    from aws_harness import KEY, PARAM, ssm_env  # test/fakes
    from aws_ssm import FakeSSM
    with FakeSSM(static_keys, "us-east-1", {PARAM: KEY},
                 tls=(pki / "server.pem", pki / "server.key")) as ssm:
        e = ssm_env(ssm)
        e = {k: v for k, v in e.items() if not k.startswith("VIGIL_") or k.startswith(
            ("VIGIL_API_KEY_SSM", "VIGIL_AWS_"))}
        r = vigil_run(ca_tree / "bin/vigil", "aws", "check", env=e, wrapper=without_system_ca())
        assert r.returncode == 0, r.stdout + r.stderr
        assert f"key:           fetched, {len(KEY)} bytes" in r.stdout
        assert len(ssm.accepted) == 1
        r = vigil_run(ca_tree / "bin/vigil", "aws", "check", env=e)
        assert r.returncode != 0 and "certificate" in (r.stdout + r.stderr).lower(), r.stdout
        assert len(ssm.accepted) == 1  # nothing more reached it
        assert ssm.violations == []


# ------------------------------------------------------------ tarball, .deb

def test_tarball_is_sorted_root_owned_at_the_source_date(packaged, epoch):
    with tarfile.open(packaged["tarball"]) as t:
        members = t.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names, key=lambda n: n.split("/")), "not in name order"
    assert all(n == "opt" or n.startswith("opt/vigil") for n in names), names
    assert {"opt/vigil/bin/vigil", "opt/vigil/libexec/vigil/vigil-analyzer",
            "opt/vigil/share/vigil/ca-certificates.crt"} <= set(names)
    for m in members:
        assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", ""), m.name
        assert m.mtime == epoch, (m.name, m.mtime, epoch)
    # gzip -n: no name, no time in the gzip header
    head = packaged["tarball"].read_bytes()[:10]
    assert head[3] & 0x08 == 0 and head[4:8] == b"\0\0\0\0"
    assert re.fullmatch(r"vigil-\d+\.\d+\.\d+-(x86_64|aarch64)\.tar\.gz", packaged["tarball"].name)


def deb_field(info, name):
    m = re.search(rf"^ {name}: (.*)$", info, re.M)
    return m.group(1) if m else None


def test_deb_metadata_and_contents(packaged):
    deb = packaged["deb"]
    info = run("dpkg-deb", "-I", deb).stdout
    arch = run("dpkg", "--print-architecture").stdout.strip()
    assert deb_field(info, "Package") == "vigil"
    assert deb_field(info, "Architecture") == arch
    assert deb.name == f"vigil_{deb_field(info, 'Version')}_{arch}.deb"
    depends = deb_field(info, "Depends")
    if dynamic(packaged["bundle"] / "bin/vigil"):
        assert depends and "libc6" in depends and "libcurl4" in depends, info
    else:
        assert depends is None, info  # static: nothing to depend on
    listing = run("dpkg-deb", "-c", deb).stdout.splitlines()
    paths = {l.split()[-1] for l in listing}
    assert {"./opt/vigil/bin/vigil", "./opt/vigil/libexec/vigil/vigil-analyzer",
            "./opt/vigil/share/vigil/rules/vigil_rules.yaml", "./opt/vigil/etc/vigil.yaml.example",
            "./opt/vigil/share/vigil/ca-certificates.crt"} <= paths, paths
    assert all(l.split()[1] == "root/root" for l in listing), listing[:3]
    assert all(p.startswith(("./opt/vigil/", "./opt/")) or p == "./" for p in paths), paths


def test_deb_extracted_runs(packaged, tmp_path):
    root = tmp_path / "root"
    r = run("dpkg", "-x", packaged["deb"], root)
    assert r.returncode == 0, r.stderr
    assert_shadow_alert(root / "opt/vigil/bin/vigil", tmp_path)


# ------------------------------------------------------------ reproducible

def test_two_builds_give_the_same_bytes(repo_root):
    """Two builds from two copies of the source in two fresh temporary
    directories: the bundles, tarballs and .debs are identical."""
    r = run("bash", repo_root / "packaging/check-reproducible.sh", timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "the two builds are identical" in r.stdout


def test_the_reproducibility_check_sees_a_difference(packaged, build_dir, tmp_path, repo_root):
    """check-reproducible.sh's comparison names a file whose bytes differ,
    one whose mode differs and one that only one side has."""
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        shutil.copytree(build_dir / "bundle", d / "bundle", symlinks=True)
        shutil.copytree(build_dir / "package", d / "package", symlinks=True)
    check = repo_root / "packaging/check-reproducible.sh"
    same = run("bash", check, "--compare", a, b)
    assert same.returncode == 0, same.stdout + same.stderr
    rules = "bundle/opt/vigil/share/vigil/rules/vigil_rules.yaml"
    with open(b / rules, "ab") as f:
        f.write(b"\n")
    os.chmod(b / "bundle/opt/vigil/etc/vigil.yaml.example", 0o600)
    (b / "package/extra").write_text("x")
    r = run("bash", check, "--compare", a, b)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"differs: {rules}" in r.stdout
    assert "mode differs: bundle/opt/vigil/etc/vigil.yaml.example" in r.stdout
    assert "only in the second build: package/extra" in r.stdout
