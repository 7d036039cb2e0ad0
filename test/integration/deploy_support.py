"""What the container deployment suites (test_deploy*.py) share: podman
with this machine's flags, the /opt/vigil bundle under test, the agent
image, and the base images (rootfs tarballs made in temporary directories,
`podman import`ed: no registry is reachable).

    podman(*args)                   podman with DESIGN.md's runtime flags
    make_bundle(vigil_bin, dest)    dest/opt/vigil, the bundle under test
    build_image(ctx, text, tag)     podman build --isolation chroot
    import_rootfs(root, tag, ...)   podman import of a directory
    BASES                           the four base images: name -> builder

The bundle: $VIGIL_BUNDLE when set (a bundle root holding opt/vigil, or the
opt/vigil directory itself); else `cmake --build B --target bundle` when the
build directory B of $VIGIL_BIN has that target; else a stand-in made from
B's vigil and vigil-analyzer with the rules of the build. Whichever it is,
an executable in it that still needs shared libraries is made to carry
them: its loader and libraries are copied to opt/vigil/lib and the
executable is pointed at them (patchelf --set-interpreter, DT_RPATH), so the
tree runs in an image with no libc, as the static bundle does.
"""
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PODMAN = ["podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"]
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
# As on Fargate: SYS_PTRACE is the one capability added; read-only root
# with a writable /tmp (the task definition's readonlyRootFilesystem and a
# volume); the fakes of the AWS services listen on the host's loopback.
# Plus --security-opt seccomp=<ptrace_gated_profile()>.
FARGATE = ["--cap-drop", "ALL", "--cap-add", "SYS_PTRACE", "--read-only", "--tmpfs", "/tmp",
           "--network", "host"]
PODMAN_SECCOMP = Path("/usr/share/containers/seccomp.json")
PTRACE_GATED = ["kcmp", "pidfd_getfd", "process_vm_readv", "process_vm_writev", "ptrace"]
SESSION = "t" + uuid.uuid4().hex[:10]
APP = "/app/deploy_app"
WATCH = "/srv/data"


def podman(*args, timeout=120, check=False, **kw):
    r = subprocess.run(PODMAN + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        pytest.fail(f"podman {' '.join(map(str, args[:3]))} ... exited {r.returncode}:\n"
                    f"{r.stdout[-2000:]}\n{r.stderr[-3000:]}", pytrace=False)
    return r


def tag(name):
    """A local image name unique to this test session."""
    return f"localhost/vigil-test-{name}:{SESSION}"


def run(*argv, **kw):
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True, **kw)


def ptrace_gated_profile(dest):
    """podman's default seccomp profile, except that the tracing syscalls
    (PTRACE_GATED) need CAP_SYS_PTRACE, as in Docker's and containerd's
    default profiles on kernels before 4.8: the platforms where a tracer
    needs SYS_PTRACE. podman's own profile lets anyone ptrace, under which
    "without SYS_PTRACE" would prove nothing. Returns the profile's path."""
    if not PODMAN_SECCOMP.is_file():
        pytest.fail(f"{PODMAN_SECCOMP} is missing (containers-common, with podman)", pytrace=False)
    profile = json.loads(PODMAN_SECCOMP.read_text())
    for rule in profile["syscalls"]:
        rule["names"] = [n for n in rule["names"] if n not in PTRACE_GATED]
    profile["syscalls"] = [r for r in profile["syscalls"] if r["names"]]
    profile["syscalls"] += [
        {"names": PTRACE_GATED, "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_PTRACE"]}},
        {"names": PTRACE_GATED, "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
         "excludes": {"caps": ["CAP_SYS_PTRACE"]}}]
    path = Path(dest) / "seccomp-ptrace-gated.json"
    path.write_text(json.dumps(profile))
    return path


# -- the bundle -------------------------------------------------------------

def _is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def shared_libs(binary):
    """Absolute paths ldd lists for binary (libraries and loader); [] if static."""
    r = subprocess.run(["ldd", str(binary)], capture_output=True, text=True)
    if r.returncode != 0:  # "not a dynamic executable"
        return []
    return re.findall(r"(/\S+) \(0x[0-9a-f]+\)", r.stdout)


def _carry_libraries(opt):
    """Give each dynamic executable of opt (the opt/vigil tree) its loader and
    libraries under opt/lib, with PT_INTERP and DT_RPATH pointing there;
    returns how many files opt/lib holds (0: every executable is static)."""
    exes = [p for d in ("bin", "libexec") if (opt / d).is_dir()
            for p in sorted((opt / d).rglob("*")) if p.is_file() and os.access(p, os.X_OK)
            and _is_elf(p)]
    dynamic = {p: shared_libs(p) for p in exes}
    dynamic = {p: libs for p, libs in dynamic.items() if libs}
    if not dynamic:
        return 0
    if shutil.which("patchelf") is None:
        pytest.fail("the bundle under test has dynamic executables: patchelf is needed "
                    "to make them carry their libraries (packaging/setup-debian.sh)", pytrace=False)
    lib = opt / "lib"
    lib.mkdir(exist_ok=True)
    for p, libs in dynamic.items():
        loader = None
        for so in libs:
            dest = lib / Path(so).name
            if not dest.exists():
                shutil.copy(os.path.realpath(so), dest)
            if "/ld-linux" in so:
                loader = dest
        assert loader, f"{p}: no dynamic loader among {libs}"
        target = Path("/opt/vigil") / loader.relative_to(opt)
        run("patchelf", "--set-interpreter", target, "--force-rpath", "--set-rpath",
            "/opt/vigil/lib", p)
    return len(list(lib.iterdir()))


def _stand_in(build, opt):
    """opt/vigil from a build directory without a bundle target."""
    (opt / "bin").mkdir(parents=True)
    for name in ("vigil", "vigil-analyzer"):
        src = build / name
        if not src.is_file():
            pytest.fail(f"{src} is missing: vigil-analyzer must sit beside vigil", pytrace=False)
        shutil.copy2(src, opt / "bin" / name)
    rules = build / "share" / "vigil" / "rules"
    shutil.copytree(rules if rules.is_dir() else REPO / "rules", opt / "share" / "vigil" / "rules")
    ca = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca.is_file():
        shutil.copy(ca, opt / "share" / "vigil" / "ca-certificates.crt")


def _has_bundle_target(build):
    for f, pattern in (("Makefile", r"^bundle:"), ("build.ninja", r"^build bundle:")):
        p = build / f
        if p.is_file() and re.search(pattern, p.read_text(errors="replace"), re.M):
            return True
    return False


def make_bundle(vigil_bin, dest):
    """dest/opt/vigil: the bundle the deployment tests run (see the module
    docstring for where it comes from); returns (dest/opt/vigil, origin)."""
    opt = Path(dest) / "opt" / "vigil"
    given = os.environ.get("VIGIL_BUNDLE")
    build = Path(vigil_bin).parent
    if given:
        src = Path(given)
        src = src / "opt" / "vigil" if (src / "opt" / "vigil").is_dir() else src
        if not (src / "bin" / "vigil").is_file():
            pytest.fail(f"VIGIL_BUNDLE={given}: no bin/vigil there", pytrace=False)
        shutil.copytree(src, opt, symlinks=True)
        origin = f"VIGIL_BUNDLE={given}"
    elif _has_bundle_target(build):
        r = subprocess.run(["cmake", "--build", str(build), "--target", "bundle"],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            pytest.fail(f"cmake --build {build} --target bundle failed:\n{r.stdout[-3000:]}\n"
                        f"{r.stderr[-3000:]}", pytrace=False)
        shutil.copytree(build / "bundle" / "opt" / "vigil", opt, symlinks=True)
        origin = f"{build}/bundle"
    else:
        _stand_in(build, opt)
        origin = f"stand-in from {build}"
    carried = _carry_libraries(opt)
    if carried:
        origin += f", dynamic: its loader and {carried - 1} libraries carried in opt/vigil/lib"
    return opt, origin


# -- images -----------------------------------------------------------------

def build_image(ctx, containerfile, name, build_args=(), extra=()):
    """podman build of ctx with the Containerfile text; returns the image name."""
    ctx = Path(ctx)
    cf = ctx / f"Containerfile.{uuid.uuid4().hex[:6]}"
    cf.write_text(containerfile)
    args = ["build", "--isolation", "chroot", "--pull=never", "--layers=false", "-q",
            "-f", cf, "-t", name, *extra]
    for a in build_args:
        args += ["--build-arg", a]
    podman(*args, ctx, timeout=300, check=True)
    return name


def import_rootfs(root, name, changes=()):
    """podman import of the directory root as image name."""
    tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."],
                           stdout=subprocess.PIPE)
    args = ["import"]
    for c in changes:
        args += ["--change", c]
    r = subprocess.run(PODMAN + args + ["-", name], stdin=tar.stdout, capture_output=True,
                       text=True, timeout=120)
    tar.stdout.close()
    tar.wait()
    return r


def require_podman(tmp):
    """Skip unless podman can run a plain container here (a static busybox
    image, imported and removed)."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    root = Path(tmp) / "probe-rootfs"
    (root / "bin").mkdir(parents=True)
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    os.symlink("busybox", root / "bin" / "true")
    image = tag("probe")
    r = import_rootfs(root, image)
    if r.returncode != 0:
        pytest.skip(f"podman import fails here: {r.stderr.strip()}")
    try:
        probe = podman("run", "--rm", *ULIMITS, image, "/bin/true")
        if probe.returncode != 0:
            pytest.skip(f"podman cannot run containers here: `{' '.join(PODMAN)} run ... "
                        f"/bin/true` exited {probe.returncode}: {probe.stderr.strip()}")
    finally:
        remove_images(image)


def remove_images(*names):
    if names:
        podman("rmi", "-f", *names)


# -- base images: rootfs builders --------------------------------------------
#
# Each writes a root filesystem into `root` with the application at APP,
# /etc/shadow (0640, the secret the application reads) and the mount point
# WATCH; returns whether the image has /bin/sh.

def _common(root, app):
    (root / "app").mkdir(parents=True, exist_ok=True)
    shutil.copy(app, root / APP.lstrip("/"))
    os.chmod(root / APP.lstrip("/"), 0o755)
    for d in ("etc", "proc", "sys", "dev", "tmp", WATCH.lstrip("/")):
        (root / d).mkdir(parents=True, exist_ok=True)
    # podman gives a --tmpfs the mode of the directory it covers
    # (tmpcopyup), as ECS does a volume: the application may be any user.
    os.chmod(root / "tmp", 0o1777)
    os.chmod(root / WATCH.lstrip("/"), 0o1777)
    shadow = root / "etc" / "shadow"
    shadow.write_text("root:*:19000:0:99999:7:::\napp:!:19000:0:99999:7:::\n")
    os.chmod(shadow, 0o640)


def _copy_with_libs(root, binaries):
    """Copy host binaries and the libraries they need to the same paths in root."""
    for b in binaries:
        for p in [b, *shared_libs(b)]:
            dest = root / p.lstrip("/")
            if dest.exists():
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.realpath(p), dest)


def busybox_root(root, apps):
    """scratch-like: Debian's static busybox and its applets, nothing else
    (no libc, no /etc/passwd); the application is linked statically (musl)."""
    busybox = Path("/bin/busybox")
    if not busybox.is_file() or shared_libs(busybox):
        pytest.fail(f"{busybox} is missing or not static: install busybox-static", pytrace=False)
    _common(root, apps["static"])
    (root / "bin").mkdir()
    shutil.copy(busybox, root / "bin" / "busybox")
    for applet in run(busybox, "--list").stdout.split():
        if applet != "busybox":
            os.symlink("busybox", root / "bin" / applet)
    return True


def distroless_root(root, apps):
    """distroless-like: the glibc loader and libc the application needs, its
    own binary, the CA file; no shell, no /etc/passwd, no package manager."""
    _common(root, apps["glibc"])
    for so in shared_libs(apps["glibc"]):
        dest = root / so.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(os.path.realpath(so), dest)
    ca = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca.is_file():
        (root / "etc" / "ssl" / "certs").mkdir(parents=True)
        shutil.copy(ca, root / "etc" / "ssl" / "certs" / ca.name)
    return False


DEBIAN_PROGRAMS = ["/bin/bash", "/bin/dash", "/usr/bin/env", "/usr/bin/id", "/usr/bin/cat",
                   "/usr/bin/ls", "/usr/bin/cp", "/usr/bin/mkdir", "/usr/bin/rm", "/usr/bin/sleep",
                   "/usr/bin/touch", "/usr/bin/chmod", "/usr/bin/head", "/usr/bin/grep",
                   "/usr/bin/sed", "/usr/bin/true", "/usr/bin/false"]


def debian_root(root, apps):
    """Debian slim-like, made from this host's Debian 12 rather than
    debootstrap (which needs a mirror and a minute): the merged-/usr
    layout, bash, dash as /bin/sh, a few coreutils with glibc and their
    libraries, /etc/passwd and /etc/group with root and nobody, and
    /etc/os-release; the application is linked against the same glibc."""
    for d in ("bin", "sbin", "lib", "lib64"):
        (root / "usr" / d).mkdir(parents=True, exist_ok=True)
        os.symlink(f"usr/{d}", root / d)
    _common(root, apps["glibc"])
    programs = [p for p in DEBIAN_PROGRAMS if Path(p).exists()]
    _copy_with_libs(root, programs + [str(apps["glibc"])])
    os.symlink("dash", root / "usr" / "bin" / "sh")
    (root / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    (root / "etc" / "group").write_text("root:x:0:\nshadow:x:42:\nnogroup:x:65534:\n")
    if Path("/etc/os-release").exists():
        shutil.copy(os.path.realpath("/etc/os-release"), root / "etc" / "os-release")
    (root / "root").mkdir(mode=0o700)
    return True


def musl_root(root, apps):
    """musl (alpine-like without its busybox): musl's loader, the application
    linked against it; no glibc anywhere, no shell."""
    _common(root, apps["musl"])
    loader = Path("/lib/ld-musl-x86_64.so.1")
    (root / "lib").mkdir(exist_ok=True)
    shutil.copy(os.path.realpath(loader), root / "lib" / loader.name)
    return False


BASES = {"busybox": busybox_root, "distroless": distroless_root,
         "debian": debian_root, "musl": musl_root}


def build_apps(progs_dir, dest):
    """The application three ways: glibc (the build's test program), musl
    static (for busybox) and musl dynamic; returns {kind: path}."""
    src = REPO / "test" / "progs" / "deploy_app.c"
    glibc = Path(progs_dir) / "deploy_app"
    if not glibc.is_file():
        pytest.fail(f"{glibc} is not built (cmake --build build)", pytrace=False)
    if shutil.which("musl-gcc") is None:
        pytest.fail("musl-gcc is needed for the musl images (musl-tools; "
                    "packaging/setup-debian.sh)", pytrace=False)
    flags = ["-std=c17", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror"]
    out = {"glibc": glibc, "static": Path(dest) / "deploy_app.static",
           "musl": Path(dest) / "deploy_app.musl"}
    run("musl-gcc", *flags, "-static", "-o", out["static"], src)
    run("musl-gcc", *flags, "-o", out["musl"], src)
    return out
