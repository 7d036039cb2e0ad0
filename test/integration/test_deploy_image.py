"""The agent image (issue 12, section 2): packaging/build-image.sh builds
packaging/Containerfile per architecture, joins the images in a manifest
list and pushes it to a real registry v2 (Debian's docker-registry, on
127.0.0.1 with its storage in a temporary directory); skopeo and podman
then look at what arrived, as ECS would pull it:

  * a Docker manifest list (or an OCI index with --format oci) with one
    linux/amd64 and one linux/arm64 entry;
  * labels org.opencontainers.image.* with the version `vigil version`
    prints, the revision and the SOURCE_DATE_EPOCH time given;
  * one layer holding /opt/vigil and nothing else; VOLUME /opt/vigil;
  * `podman run IMAGE` (pulled from the registry) prints the version and
    exits 0 at once: an ECS sidecar with essential:false that ends at once;
  * built twice from the same bundle and SOURCE_DATE_EPOCH: the same digests.

No arm64 bundle is built here unless $VIGIL_BUNDLE_ARM64 names one: the
arm64 entry then carries a copy of the amd64 bundle, which checks the list,
its platforms and labels, not arm64 binaries (see docs/install.md for what
runs on arm64).
"""
import json
import os
import shutil
import socket
import subprocess
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

import deploy_support as ds

EPOCH = "1764000000"  # 2025-11-24T16:00:00Z
CREATED = "2025-11-24T16:00:00Z"
REVISION = "0123456789abcdef0123456789abcdef01234567"
LIST_TYPES = {"docker": "application/vnd.docker.distribution.manifest.list.v2+json",
              "oci": "application/vnd.oci.image.index.v1+json"}
MANIFEST_TYPES = {"docker": "application/vnd.docker.distribution.manifest.v2+json",
                  "oci": "application/vnd.oci.image.manifest.v1+json"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """A registry v2 on 127.0.0.1:<free port>; yields its host:port."""
    binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    if not os.access(binary, os.X_OK):
        pytest.fail("docker-registry is not installed (packaging/setup-debian.sh)", pytrace=False)
    for tool in ("podman", "skopeo"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (packaging/setup-debian.sh)", pytrace=False)
    d = tmp_path_factory.mktemp("registry")
    ds.require_podman(d)
    port = free_port()
    (d / "config.yml").write_text(
        "version: 0.1\n"
        "log: {level: error}\n"
        f"storage: {{filesystem: {{rootdirectory: {d / 'storage'}}}}}\n"
        f"http: {{addr: 127.0.0.1:{port}}}\n")
    log = open(d / "registry.log", "w")
    proc = subprocess.Popen([binary, "serve", str(d / "config.yml")], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, f"docker-registry exited: {(d / 'registry.log').read_text()}"
                assert time.monotonic() < deadline, "docker-registry did not answer /v2/"
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def bundles(tmp_path_factory, vigil_bin):
    """{arch: bundle root} for amd64 and arm64."""
    d = tmp_path_factory.mktemp("image-bundles")
    _, origin = ds.make_bundle(vigil_bin, d / "amd64")
    print(f"bundle under test: {origin}")
    arm64 = os.environ.get("VIGIL_BUNDLE_ARM64")
    if not arm64:
        shutil.copytree(d / "amd64", d / "arm64", symlinks=True)
        arm64 = d / "arm64"
    return {"amd64": d / "amd64", "arm64": Path(arm64)}


def build_and_push(bundles, dest, fmt="docker"):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, VIGIL_REVISION=REVISION,
               VIGIL_SOURCE_URL="https://example.org/vigil.git",
               VIGIL_PODMAN=" ".join(ds.PODMAN))
    args = [str(ds.REPO / "packaging" / "build-image.sh"), "--tls-verify=false", "--format", fmt]
    for arch, root in bundles.items():
        args += ["--bundle", f"{arch}={root}"]
    r = subprocess.run(args + [dest], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, f"build-image.sh failed:\n{r.stdout}\n{r.stderr}"
    return r


def skopeo(*args, json_out=True):
    r = subprocess.run(["skopeo", *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"skopeo {' '.join(args)}: {r.stderr}"
    return json.loads(r.stdout) if json_out else r.stdout


@pytest.fixture(scope="module")
def pushed(registry, bundles):
    """The list pushed twice (tags a and b) in Docker format, and once as OCI."""
    repo = f"{registry}/vigil-test-{ds.SESSION}"
    build_and_push(bundles, f"{repo}:a")
    build_and_push(bundles, f"{repo}:b")
    build_and_push(bundles, f"{repo}:oci", fmt="oci")
    return repo


@pytest.mark.parametrize("fmt,tag", [("docker", "a"), ("oci", "oci")])
def test_manifest_list_has_both_platforms(pushed, fmt, tag):
    raw = skopeo("inspect", "--tls-verify=false", "--raw", f"docker://{pushed}:{tag}")
    assert raw["mediaType"] == LIST_TYPES[fmt], raw
    platforms = sorted((m["platform"]["os"], m["platform"]["architecture"]) for m in raw["manifests"])
    assert platforms == [("linux", "amd64"), ("linux", "arm64")], raw
    assert {m["mediaType"] for m in raw["manifests"]} == {MANIFEST_TYPES[fmt]}, raw


@pytest.mark.parametrize("arch", ["amd64", "arm64"])
def test_labels_command_and_volume(pushed, vigil_bin, arch):
    cfg = skopeo("inspect", "--tls-verify=false", "--override-os", "linux", "--override-arch", arch,
                 "--config", f"docker://{pushed}:a")
    assert cfg["architecture"] == arch and cfg["os"] == "linux", cfg
    labels = cfg["config"]["Labels"]
    version = subprocess.run([str(vigil_bin), "version"], capture_output=True, text=True).stdout.split()[1]
    want = {"title": "vigil", "version": version, "revision": REVISION, "created": CREATED,
            "source": "https://example.org/vigil.git"}
    for k, v in want.items():
        assert labels.get(f"org.opencontainers.image.{k}") == v, (k, labels)
    assert labels.get("org.opencontainers.image.description"), labels
    assert cfg["config"]["Cmd"] == ["/opt/vigil/bin/vigil", "version"], cfg["config"]
    assert not cfg["config"].get("Entrypoint"), cfg["config"]
    assert list(cfg["config"]["Volumes"]) == ["/opt/vigil"], cfg["config"]
    assert cfg["created"] == CREATED, cfg["created"]


def test_the_image_holds_only_opt_vigil(pushed, bundles, tmp_path):
    out = tmp_path / "image"
    skopeo("copy", "--src-tls-verify=false", "--override-arch", "amd64",
           f"docker://{pushed}:a", f"dir:{out}", json_out=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["layers"]) == 1, manifest
    blob = out / manifest["layers"][0]["digest"].split(":", 1)[1]
    with tarfile.open(blob) as t:
        names = [m.name.lstrip("./") for m in t.getmembers()]
    outside = [n for n in names if n and n not in ("opt", "opt/vigil") and not n.startswith("opt/vigil/")]
    assert not outside, f"the image holds more than /opt/vigil: {outside[:20]}"
    bundled = {str(p.relative_to(bundles["amd64"])) for p in bundles["amd64"].rglob("*")}
    assert bundled <= set(names), f"missing from the image: {sorted(bundled - set(names))[:20]}"


def test_run_prints_the_version_and_exits_0_at_once(pushed, vigil_bin):
    image = f"{pushed}:a"
    try:
        pull = ds.podman("pull", "-q", "--tls-verify=false", "--arch", "amd64", image, timeout=120)
        assert pull.returncode == 0, pull.stderr
        # A sidecar that did not end at once would hit the timeout: a failure.
        r = ds.podman("run", "--rm", *ds.ULIMITS, "--cap-drop", "ALL", "--read-only",
                      "--network", "none", image, timeout=60)
        assert r.returncode == 0, r.stderr
        want = subprocess.run([str(vigil_bin), "version"], capture_output=True, text=True).stdout
        assert r.stdout == want, (r.stdout, want)
    finally:
        ds.podman("rmi", "-f", image)


def test_same_bundle_and_epoch_give_the_same_digests(pushed):
    a = skopeo("inspect", "--tls-verify=false", "--raw", f"docker://{pushed}:a")
    b = skopeo("inspect", "--tls-verify=false", "--raw", f"docker://{pushed}:b")
    assert a == b, "two builds of the same bundle differ"


def test_the_arm64_entry_carries_aarch64_binaries(pushed, vigil_bin, tmp_path):
    """With a real arm64 bundle (run-all.sh cross-builds one), the arm64
    image's vigil is an aarch64 ELF that prints the version under qemu-user."""
    if not os.environ.get("VIGIL_BUNDLE_ARM64"):
        pytest.skip("VIGIL_BUNDLE_ARM64 is not set: the arm64 entry carries the amd64 bundle")
    out = tmp_path / "image"
    skopeo("copy", "--src-tls-verify=false", "--override-arch", "arm64",
           f"docker://{pushed}:a", f"dir:{out}", json_out=False)
    manifest = json.loads((out / "manifest.json").read_text())
    blob = out / manifest["layers"][0]["digest"].split(":", 1)[1]
    exe = tmp_path / "vigil"
    with tarfile.open(blob) as t:
        member = next(m for m in t.getmembers() if m.name.lstrip("./") == "opt/vigil/bin/vigil")
        exe.write_bytes(t.extractfile(member).read())
    head = exe.read_bytes()[:20]
    assert head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 183, \
        "not an aarch64 ELF (e_machine 183)"
    qemu = shutil.which("qemu-aarch64-static")
    if qemu:
        exe.chmod(0o755)
        r = subprocess.run([qemu, str(exe), "version"], capture_output=True, text=True, timeout=60)
        want = subprocess.run([str(vigil_bin), "version"], capture_output=True, text=True).stdout
        assert r.returncode == 0 and r.stdout == want, (r.stdout, r.stderr)
