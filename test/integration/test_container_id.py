"""container.id from /proc/self/mountinfo: the container's own binds only.

Runtimes bind /etc/hostname, /etc/hosts and /etc/resolv.conf from the
container's own directory (podman: .../overlay-containers/<id>/userdata/
hostname), so those lines name this container. Any other line may name
another one: on a host, or with the host's mounts visible, the overlay
directories of every running container are there, and an earlier reading
took the first 64-hex run of any line. Each test runs vigil in a mount
namespace of its own (unshare -m) with a decoy mount first and the
container's bind after it, and reads container.id off the coverage alert.
"""
import json
import shutil
import subprocess

import pytest

from vigil_runner import vigil_env, vigil_run

DECOY = "d" * 64
OWN = "0123456789ab" + "c" * 52


def coverage_fields(stdout):
    for line in stdout.splitlines():
        if line.startswith("{") and '"vigil coverage"' in line:
            return json.loads(line)["output_fields"]
    raise AssertionError(f"no coverage alert:\n{stdout}")


def cgroup_names_a_container():
    with open("/proc/self/cgroup") as f:
        return any(len(run) >= 64 for line in f for run in
                   "".join(c if c in "0123456789abcdef" else " " for c in line).split())


@pytest.fixture
def mount_ns():
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -m is not available here")
    if cgroup_names_a_container():
        pytest.skip("this test's own cgroup path names a container: it would decide")


def run_in_ns(vigil_bin, tmp_path, own_bind):
    decoy = tmp_path / "overlay-containers" / DECOY / "userdata"
    decoy.mkdir(parents=True)
    (tmp_path / "mnt").mkdir()
    script = f"mount --bind {decoy} {tmp_path / 'mnt'}\n"
    if own_bind:
        own = tmp_path / "overlay-containers" / OWN / "userdata"
        own.mkdir(parents=True)
        (own / "hostname").write_text("box\n")
        script += f"mount --bind {own / 'hostname'} /etc/hostname\n"
    script += 'exec "$@"\n'
    env = vigil_env(drop=("VIGIL_", "ECS_", "AWS_"))
    return vigil_run(vigil_bin, "--no-rules", "--", "true", env=env,
                     wrapper=("unshare", "-m", "--propagation", "private",
                              "sh", "-c", script, "sh"))


def test_the_container_bind_names_the_container(vigil_bin, tmp_path, mount_ns):
    p = run_in_ns(vigil_bin, tmp_path, own_bind=True)
    assert p.returncode == 0, p.stderr
    assert coverage_fields(p.stdout)["container.id"] == OWN[:12]


def test_another_container_mount_is_not_this_container(vigil_bin, tmp_path, mount_ns):
    p = run_in_ns(vigil_bin, tmp_path, own_bind=False)
    assert p.returncode == 0, p.stderr
    assert coverage_fields(p.stdout)["container.id"] != DECOY[:12]
