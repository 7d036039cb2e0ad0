"""vigil as a container's ENTRYPOINT, under podman, as on Fargate.

A minimal image is built once per module from Debian's static busybox
(`podman import` of a rootfs tarball: no registry is reachable), then an
image FROM it carries vigil, vigil-analyzer and the shared libraries they
need at their host paths, with

    ENTRYPOINT ["/opt/vigil/bin/vigil", "--no-rules", "--events-out", "/out/events.ndjson", "--"]

Containers run with the flags of PODMAN and RUN_FLAGS below (runc, cgroupfs,
ulimits, `--cap-drop ALL --cap-add SYS_PTRACE`). Checked: vigil is PID 1,
the program's exit code and `podman stop` (SIGTERM) outcomes propagate,
and the events name the right processes.

Skips only when podman itself cannot run a plain container here (reason
given); anything that fails with vigil in the picture is a failure.
Image tags are unique per session and removed at the end.
"""
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
RUN_FLAGS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
             "--cap-drop", "ALL", "--cap-add", "SYS_PTRACE"]
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static
TAG = "t" + uuid.uuid4().hex[:12]
BASE_IMAGE = f"localhost/vigil-test-busybox:{TAG}"
VIGIL_IMAGE = f"localhost/vigil-test:{TAG}"


def podman(*args, timeout=60, **kw):
    return subprocess.run(PODMAN + list(args), capture_output=True, text=True,
                          timeout=timeout, **kw)


def _shared_libs(binary):
    """Absolute paths ldd lists for binary (libraries and the loader)."""
    r = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    if r.returncode != 0:  # "not a dynamic executable": a static build
        return []
    return re.findall(r"(/\S+) \(0x[0-9a-f]+\)", r.stdout)


def _busybox_rootfs(root):
    r = subprocess.run(["ldd", str(BUSYBOX)], capture_output=True, text=True)
    if not BUSYBOX.is_file() or r.returncode == 0:
        pytest.fail(f"{BUSYBOX} is missing or not static: install busybox-static",
                    pytrace=False)
    (root / "bin").mkdir(parents=True)
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    applets = subprocess.run([str(BUSYBOX), "--list"], capture_output=True,
                             text=True, check=True).stdout.split()
    for applet in applets:
        if applet != "busybox":
            os.symlink("busybox", root / "bin" / applet)
    for d in ("etc", "proc", "sys", "dev", "tmp", "out"):
        (root / d).mkdir()
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "etc" / "group").write_text("root:x:0:\n")


@pytest.fixture(scope="module")
def base_image(tmp_path_factory):
    """The static-busybox base image; skips if podman cannot run containers."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    root = tmp_path_factory.mktemp("busybox-rootfs")
    _busybox_rootfs(root)
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    imp = podman("import", "-", BASE_IMAGE, stdin=tar.stdout, timeout=120)
    tar.stdout.close()
    tar.wait()
    if imp.returncode != 0:
        pytest.skip(f"podman import fails here: {imp.stderr.strip()}")
    try:
        probe = podman("run", "--rm", *RUN_FLAGS, BASE_IMAGE, "/bin/true")
        if probe.returncode != 0:
            pytest.skip("podman cannot run containers here: "
                        f"`{' '.join(PODMAN)} run ... /bin/true` exited "
                        f"{probe.returncode}: {probe.stderr.strip()}")
        yield BASE_IMAGE
    finally:
        podman("rmi", "-f", BASE_IMAGE)


@pytest.fixture(scope="module")
def vigil_image(base_image, vigil_bin, tmp_path_factory):
    analyzer = vigil_bin.parent / "vigil-analyzer"
    if not os.access(analyzer, os.X_OK):
        pytest.fail(f"{analyzer} is missing: vigil-analyzer must sit beside vigil",
                    pytrace=False)
    ctx = tmp_path_factory.mktemp("vigil-image")
    bindir = ctx / "rootfs" / "opt" / "vigil" / "bin"
    bindir.mkdir(parents=True)
    shutil.copy2(vigil_bin, bindir / "vigil")
    shutil.copy2(analyzer, bindir / "vigil-analyzer")
    # Until the /opt/vigil bundle carries its own lib/, put each library
    # (and the dynamic loader) at the absolute path the binaries expect.
    for lib in sorted(set(_shared_libs(vigil_bin) + _shared_libs(analyzer))):
        dest = ctx / "rootfs" / lib.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(os.path.realpath(lib), dest)
    (ctx / "Containerfile").write_text(
        f"FROM {base_image}\n"
        "COPY rootfs/ /\n"
        'ENTRYPOINT ["/opt/vigil/bin/vigil", "--no-rules", "--events-out", "/out/events.ndjson", "--"]\n')
    build = podman("build", "--isolation", "chroot", "--pull=never", "--layers=false",
                   "-t", VIGIL_IMAGE, "-f", str(ctx / "Containerfile"), str(ctx),
                   timeout=300)
    assert build.returncode == 0, f"podman build failed:\n{build.stdout}\n{build.stderr}"
    try:
        yield VIGIL_IMAGE
    finally:
        podman("rmi", "-f", VIGIL_IMAGE)


def run_args(image, out_dir, name=None):
    args = ["run", "--rm", *RUN_FLAGS, "-v", f"{out_dir}:/out"]
    if name:
        args += ["--name", name]
    return args + [image]


def read_events(out_dir):
    path = Path(out_dir) / "events.ndjson"
    assert path.is_file(), "vigil wrote no /out/events.ndjson"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_exit_code_pid1_and_events(vigil_image, tmp_path):
    script = ('while read k v; do [ "$k" = PPid: ] && echo "ppid=$v"; done < /proc/self/status; '
              'echo "pid=$$"; cat /etc/passwd; ls /; exit 7')
    r = podman(*run_args(vigil_image, tmp_path), "sh", "-c", script)
    assert r.returncode == 7, f"exit code not propagated: {r.returncode}\n{r.stderr}"
    assert "ppid=1\n" in r.stdout, f"program's parent is not PID 1:\n{r.stdout}"
    assert "root:x:0:0:" in r.stdout and "opt\n" in r.stdout, r.stdout
    sh_pid = int(re.search(r"^pid=(\d+)$", r.stdout, re.M).group(1))

    events = read_events(tmp_path)
    syscall_events = [e for e in events if e.get("evt.source") == "syscall"]
    assert syscall_events, events
    # docs/events.md: proc.* are common to every syscall event; the only
    # other events are vigil's own health reports and its coverage event
    # (one, saying it is PID 1 here and watches the program).
    missing = [e for e in syscall_events if not isinstance(e.get("proc.pid"), int)
               or e["proc.pid"] <= 0]
    assert not missing, f"events without proc.pid: {missing}"
    others = {e.get("evt.type") for e in events if e.get("evt.source") != "syscall"}
    assert others <= {"vigil_health", "vigil_coverage"}, others
    cov = [e for e in events if e.get("evt.type") == "vigil_coverage"]
    assert len(cov) == 1 and cov[0]["evt.arg.init"] == "pid1", cov
    assert cov[0]["evt.arg.monitored"] == "true", cov

    execs = [e for e in syscall_events if e["evt.type"] == "execve"
             and e.get("proc.pid") == sh_pid and e.get("proc.name") == "sh"]
    assert execs, "no execve event for sh"
    assert execs[0]["evt.arg.filename"] == "/bin/sh"
    assert execs[0]["proc.ppid"] == 1 and execs[0]["proc.pname"] == "vigil", execs[0]

    # busybox sh runs the cat applet by exec'ing /proc/self/exe with
    # argv[0] "cat", so comm (proc.name) is "exe"; argv[0] (proc.exe) is cat.
    opens = [e for e in syscall_events if e["evt.type"] == "openat"
             and e.get("fd.name") == "/etc/passwd"]
    by_cat = [e for e in opens if e.get("proc.exe") == "cat"]
    assert by_cat, f"no openat of /etc/passwd by cat; openat of it: {opens}"
    ev = by_cat[0]
    assert ev["proc.pname"] == "sh" and ev["proc.ppid"] == sh_pid, ev
    assert ev["proc.args"] == "/etc/passwd", ev
    assert ev.get("evt.is_open_read") is True, ev


def _stop_container(vigil_image, out_dir, script):
    """Run script, `podman stop` it once ready; return (exit code, seconds, output)."""
    name = f"vigil-test-{TAG}-{uuid.uuid4().hex[:6]}"
    proc = subprocess.Popen(PODMAN + run_args(vigil_image, out_dir, name) + ["sh", "-c", script],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = Path(out_dir) / "ready"
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, f"container ended early: {proc.communicate()}"
            assert time.monotonic() < deadline, "program never became ready"
            time.sleep(0.05)
        start = time.monotonic()
        stop = podman("stop", "-t", "10", name)
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - start
        assert stop.returncode == 0, stop.stderr
        return proc.returncode, took, out + err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        podman("rm", "-f", name)


def test_stop_trapped_term_exits_0(vigil_image, tmp_path):
    code, took, out = _stop_container(
        vigil_image, tmp_path,
        "trap 'echo got-term; exit 0' TERM; echo > /out/ready; sleep 1000 & wait")
    assert code == 0, f"exit {code} after podman stop ({took:.1f} s):\n{out}"
    assert "got-term" in out
    assert took < 8, f"SIGTERM not forwarded promptly: stop took {took:.1f} s"


def test_stop_untrapped_term_exits_143(vigil_image, tmp_path):
    code, took, out = _stop_container(
        vigil_image, tmp_path, "echo > /out/ready; sleep 1000 & wait")
    assert code == 143, f"exit {code} after podman stop ({took:.1f} s), want 128+SIGTERM:\n{out}"
    assert took < 8, f"SIGTERM not forwarded promptly: stop took {took:.1f} s"
