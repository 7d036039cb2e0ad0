"""Proof in real containers that both ways of deploying vigil work in any
image (issue 12, section 3), under podman as on Fargate.

Images, built once per module (unique tags, removed at the end):
  * the agent image: packaging/Containerfile over the bundle under test
    (deploy_support.make_bundle: $VIGIL_BUNDLE, the build's bundle target,
    or a stand-in that carries its own loader and libraries);
  * four base images, `podman import`ed from rootfs trees made here:
    busybox (scratch-like, static busybox, no libc), distroless (glibc
    loader and libc, no shell, no /etc/passwd), debian (slim-like, copied
    from this Debian 12 host: bash, dash, coreutils, glibc) and musl (the
    application linked with musl-gcc, musl's loader, no glibc, no shell);
  * for each base, the Dockerfile recipe: `COPY --from=<agent image>
    /opt/vigil /opt/vigil` and ENTRYPOINT ["/opt/vigil/bin/vigil", "--",
    "/app/deploy_app"].

The application (test/progs/deploy_app.c) reads /etc/shadow, spawns
/bin/sh where the image has one (else runs a copy of itself from /tmp: a
dropped binary), and writes /srv/data/app.conf, which FIM watches
(VIGIL_FIM_PATHS). vigil is configured only through the environment, as a
task definition would: alerts to stdout and to the fake SaaS receiver over
HTTPS (the test CA mounted read-only), the API key from the fake SSM
(SigV4 checked) with task-role credentials from the fake container
credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI: the fixed
169.254.170.2 of Fargate is not ours to bind), task metadata from the fake
metadata endpoint. The fakes listen on the host's loopback; containers use
`--network host` to reach them.

Every container runs with DESIGN.md's podman flags plus `--cap-drop ALL
--cap-add SYS_PTRACE --read-only --tmpfs /tmp` (and a tmpfs at /srv/data),
under a seccomp profile that gives ptrace and process_vm_readv only to
holders of CAP_SYS_PTRACE (deploy_support.ptrace_gated_profile: podman's
default lets anyone trace its children, where "without SYS_PTRACE" would
prove nothing).

The matrix actually run (18 application containers, plus the sidecar;
about 70 s here on 2 busy cores, images included):
  * core proof, all 4 images x both ways (copied into the image; mounted
    with `--volumes-from` the agent container, run to its end as the ECS
    sidecar is, with the entrypoint overridden as the task definition
    does): the three alerts reach the receiver with the SSM key and the
    task, the exit code is the app's, vigil is PID 1;
  * non-root (`--user 1000:1000`): all 4 images, the volumes-from way
    (the sidecar's files must be usable by any user: the way with more to
    get wrong);
  * `--init` (catatonit as PID 1, vigil below it as a subreaper, as ECS
    initProcessEnabled): busybox copied, distroless volumes-from;
  * `podman stop`: busybox copied and musl volumes-from (SIGTERM reaches
    the app, the queue drains: the batch age is 60 s, so the alerts can
    only leave in the drain; the exit code is the app's);
  * without SYS_PTRACE: distroless volumes-from, three times: the app
    runs and vigil says why; the coverage alert says why
    (availability); the app does not start, exit 77 (security);
  * the coverage alert of every run above (no container of its own).
The coverage and start-policy tests skip while `vigil --help` does not
offer --start-policy (a build from before that work).

Skips only when podman itself cannot run a plain container here; anything
failing with vigil in the picture is a failure.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import deploy_support as ds

FAKES = Path(__file__).resolve().parents[1] / "fakes"
sys.path.insert(0, str(FAKES))
from aws_common import CredentialStore  # noqa: E402
from aws_ecs_creds import FakeContainerCreds  # noqa: E402
from aws_ecs_metadata import FakeTaskMetadata  # noqa: E402
from aws_harness import KEY, PARAM  # noqa: E402
from aws_ssm import FakeSSM  # noqa: E402
from receiver_harness import Receiver  # noqa: E402

CA_IN_CONTAINER = "/run/vigil-test/ca.pem"
ENTRY = ["/opt/vigil/bin/vigil", "--", ds.APP]
WAYS = ("copied", "volumes")
CREDS_TOKEN = "vigil-test-container-token"
SANITIZER_OPTIONS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")

SENSITIVE = "Vigil read of sensitive file"
SHELL = "Vigil shell spawned by application"
DROPPED = ("Vigil execution from dev shm or tmp", "Vigil dropped binary executed")
FIM = "Vigil FIM watched file changed"


# -- images -------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="module")
def bases(workdir, progs_dir):
    """{name: (image, has_shell)}; skips when podman cannot run a container."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed")
    apps = ds.build_apps(progs_dir, workdir)
    made = {}
    try:
        for name, builder in ds.BASES.items():
            root = workdir / f"rootfs-{name}"
            root.mkdir()
            has_shell = builder(root, apps)
            image = ds.tag(f"base-{name}")
            r = ds.import_rootfs(root, image, [f'ENTRYPOINT ["{ds.APP}"]'])
            if r.returncode != 0:
                pytest.skip(f"podman import fails here: {r.stderr.strip()}")
            made[name] = (image, has_shell)
            shutil.rmtree(root)
        probe = ds.podman("run", "--rm", *ds.ULIMITS, "--entrypoint", "/bin/true",
                          made["busybox"][0])
        if probe.returncode != 0:
            pytest.skip(f"podman cannot run containers here: `{' '.join(ds.PODMAN)} run ... "
                        f"/bin/true` exited {probe.returncode}: {probe.stderr.strip()}")
        yield made
    finally:
        ds.remove_images(*(image for image, _ in made.values()))


@pytest.fixture(scope="module")
def bundle(workdir, vigil_bin):
    """The bundle root (holding opt/vigil) under test."""
    root = workdir / "bundle"
    opt, origin = ds.make_bundle(vigil_bin, root)
    print(f"bundle under test: {origin}")
    return root


@pytest.fixture(scope="module")
def agent_image(bundle, bases):
    image = ds.tag("agent")
    ds.podman("build", "--isolation", "chroot", "--pull=never", "--layers=false", "-q",
              "-f", ds.REPO / "packaging" / "Containerfile", "-t", image, bundle,
              timeout=300, check=True)
    try:
        yield image
    finally:
        ds.remove_images(image)


@pytest.fixture(scope="module")
def copied(workdir, bases, agent_image):
    """{base: image} with the Dockerfile recipe applied (COPY --from the agent image)."""
    ctx = workdir / "recipe"
    ctx.mkdir()
    made = {}
    try:
        for name, (base, _) in bases.items():
            made[name] = ds.build_image(ctx, (
                f"FROM {base}\n"
                f"COPY --from={agent_image} /opt/vigil /opt/vigil\n"
                f"ENTRYPOINT {json.dumps(ENTRY)}\n"), ds.tag(f"copied-{name}"))
        yield made
    finally:
        ds.remove_images(*made.values())


@pytest.fixture(scope="module")
def sidecar(agent_image):
    """The agent container, run to its end like the ECS sidecar (essential:
    false): `vigil version` exits 0 at once; its /opt/vigil volume stays."""
    name = f"vigil-test-agent-{ds.SESSION}"
    r = ds.podman("run", "--name", name, *ds.ULIMITS, agent_image, timeout=60)
    try:
        assert r.returncode == 0, f"the agent image's command failed: {r.stderr}"
        assert r.stdout.startswith("vigil "), r.stdout
        yield name
    finally:
        ds.podman("rm", "-f", "-v", name)


# -- the fakes ------------------------------------------------------------------

class Fakes:
    """The fake SSM, container credentials and task metadata endpoints, on
    the host's loopback, and vigil's environment to use them."""

    def __init__(self):
        self.store = CredentialStore()
        self.creds = FakeContainerCreds(self.store, token=CREDS_TOKEN)
        self.ssm = FakeSSM(self.store, "us-east-1", {PARAM: KEY})
        self.meta = FakeTaskMetadata("fargate")

    def __enter__(self):
        for f in (self.creds, self.ssm, self.meta):
            f.start()
        return self

    def __exit__(self, *exc):
        for f in (self.creds, self.ssm, self.meta):
            f.stop()

    def env(self, receiver_url):
        return {
            "VIGIL_OUTPUTS": f"stdout,{receiver_url}",
            "VIGIL_HTTP_CA_FILE": CA_IN_CONTAINER,
            "VIGIL_HTTP_BATCH_MAX_AGE_MS": "200",
            "VIGIL_FIM_PATHS": ds.WATCH,
            "VIGIL_API_KEY_SSM": PARAM,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_SSM": self.ssm.url,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.creds.url + self.creds.cred_path,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": CREDS_TOKEN,
            "AWS_EC2_METADATA_DISABLED": "true",
            "ECS_CONTAINER_METADATA_URI_V4": self.meta.uri,
        }

    def check(self):
        assert self.ssm.violations == [], self.ssm.violations
        assert self.creds.violations == [], self.creds.violations
        assert self.meta.violations == [], self.meta.violations


@pytest.fixture(scope="module")
def fakes():
    with Fakes() as f:
        yield f
        f.check()


@pytest.fixture
def receiver(tmp_path, pki):
    r = Receiver(tmp_path, key=KEY, args=["--tls", str(pki / "server.pem"),
                                          str(pki / "server.key")]).start()
    r.https_url = f"https://127.0.0.1:{r.port}/"
    yield r
    r.stop()


# -- running the application ---------------------------------------------------

class Setup:
    """Everything a test needs to start the application one way or the other."""

    def __init__(self, bases, copied, sidecar, fakes, pki, seccomp):
        self.bases, self.copied, self.sidecar, self.fakes, self.pki = bases, copied, sidecar, fakes, pki
        self.seccomp = seccomp

    def argv(self, way, base, receiver, *, name, caps=("SYS_PTRACE",), user=None, init=False,
             env=None, entry=ENTRY, app_args=()):
        """The podman run command line for the application on base, deployed way."""
        flags = [f for f in ds.FARGATE if f not in ("--cap-add", "SYS_PTRACE")]
        for c in caps:
            flags += ["--cap-add", c]
        args = ["run", "--rm", "--name", name, *ds.ULIMITS, *flags,
                "--security-opt", f"seccomp={self.seccomp}",
                "--tmpfs", ds.WATCH,
                "-v", f"{self.pki / 'ca.pem'}:{CA_IN_CONTAINER}:ro"]
        if user:
            args += ["--user", user]
        if init:
            args += ["--init"]
        settings = self.fakes.env(receiver.https_url)
        # a sanitizer build of vigil runs with the test run's options
        settings.update({k: os.environ[k] for k in SANITIZER_OPTIONS if k in os.environ})
        settings.update(env or {})
        for k, v in settings.items():
            args += ["-e", f"{k}={v}"]
        if way == "copied":
            assert entry == ENTRY, "the copied way runs the image's own ENTRYPOINT"
            args += [self.copied[base]]
        else:
            args += ["--volumes-from", f"{self.sidecar}:ro", "--entrypoint", json.dumps(entry),
                     self.bases[base][0]]
        return ds.PODMAN + args + list(app_args)

    def run(self, way, base, receiver, timeout=120, app_args=(), **kw):
        """Run the application to its end. It lingers 1.5 s after its last
        step: vigil picks the task metadata up once a second, and batches
        sent before that go without it (the test checks the last batch)."""
        name = f"vigil-test-{ds.SESSION}-{uuid.uuid4().hex[:6]}"
        app_args = ["--linger", "1500", *app_args]
        try:
            r = subprocess.run(self.argv(way, base, receiver, name=name, app_args=app_args, **kw),
                               capture_output=True, text=True, timeout=timeout)
        finally:
            ds.podman("rm", "-f", name)
        return Outcome(r.returncode, r.stdout, r.stderr)


@pytest.fixture(scope="module")
def setup(bases, copied, sidecar, fakes, pki, workdir):
    return Setup(bases, copied, sidecar, fakes, pki, ds.ptrace_gated_profile(workdir))


class Outcome:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.alerts = [json.loads(l) for l in stdout.splitlines() if l.startswith("{")]
        self.app = dict(l.split("=", 1) for l in stdout.splitlines()
                        if "=" in l and not l.startswith(("{", "facts")))
        facts = [l for l in stdout.splitlines() if l.startswith("facts ")]
        self.facts = dict(kv.split("=", 1) for kv in facts[0].split()[1:]) if facts else {}

    def __repr__(self):
        return f"exit {self.code}\n--- stdout\n{self.stdout[-4000:]}\n--- stderr\n{self.stderr[-4000:]}"

    def rules(self):
        return {a["rule"] for a in self.alerts}

    def app_alerts(self):
        """The application's alerts (not vigil's reports on itself)."""
        return [a for a in self.alerts if a.get("source") != "vigil"]


def expect_app_alerts(out, has_shell):
    """The three detections on stdout; returns them."""
    alerts = out.app_alerts()
    by_rule = {}
    for a in alerts:
        by_rule.setdefault(a["rule"], []).append(a)
    assert SENSITIVE in by_rule, f"no {SENSITIVE!r} alert\n{out}"
    assert by_rule[SENSITIVE][0]["output_fields"]["fd.name"] == "/etc/shadow", by_rule[SENSITIVE]
    if has_shell:
        assert SHELL in by_rule, f"no {SHELL!r} alert\n{out}"
    else:
        assert any(r in by_rule for r in DROPPED), f"no alert for the dropped binary\n{out}"
    fim = [a for a in by_rule.get(FIM, []) if a["output_fields"].get("fim.path") == f"{ds.WATCH}/app.conf"]
    assert fim, f"no {FIM!r} alert for {ds.WATCH}/app.conf\n{out}"
    return alerts


def expect_delivered(receiver, out, alerts, fakes):
    """Each alert reached the receiver, sent with the SSM key, in batches
    that describe the task from the metadata endpoint."""
    st = receiver.state()
    assert st["errors"] == [], st["errors"]
    assert st["auth_seen"] == [KEY], f"{st['auth_seen']}\n{out}"
    want = {a["uuid"] for a in alerts}
    got = set(st["uuids"])
    assert want <= got, f"{len(want - got)} of {len(want)} alerts did not reach the receiver\n{out}"
    task = st["last_task"]
    assert task.get("cluster") and task.get("task_arn", "").startswith("arn:aws:ecs:"), \
        f"the batches do not describe the task: {task}\n{out}"
    assert len(fakes.ssm.accepted) >= 1 and len(fakes.creds.issued) >= 1
    fakes.check()


# -- the coverage alert (issue 12 section 2; docs/alert-format.md) ---------------

def _start_policy_offered():
    """Whether the vigil under test has --start-policy (the coverage work)."""
    vigil = Path(os.environ.get("VIGIL_BIN") or ds.REPO / "build" / "vigil")
    if not os.access(vigil, os.X_OK):
        return False
    r = subprocess.run([str(vigil), "--help"], capture_output=True, text=True, timeout=30)
    return "--start-policy" in r.stdout + r.stderr


needs_coverage = pytest.mark.skipif(
    not _start_policy_offered(),
    reason="vigil --help does not offer --start-policy yet (issue 12 section 2: the start "
           "policy and the vigil coverage alert)")

# Outcomes of the runs to completion, for test_coverage_alert_of_every_run:
# (test id) -> (Outcome, the receiver's uuids, the init it ran under).
RUNS = {}


def remember(request, out, receiver, init):
    RUNS[request.node.name] = (out, set(receiver.state()["uuids"]), init)


def coverage_alerts(out):
    return [a for a in out.alerts if a["rule"] == "vigil coverage"]


# -- the core proof: 4 images x 2 ways --------------------------------------------

@pytest.mark.parametrize("base", list(ds.BASES))
@pytest.mark.parametrize("way", WAYS)
def test_alerts_reach_the_saas_from_every_image(request, setup, receiver, way, base):
    out = setup.run(way, base, receiver, app_args=["--exit", "3"])
    assert out.code == 3, f"the container's exit code is not the application's\n{out}"
    assert out.app.get("shadow") == "ok" and out.app.get("watched") == "ok", out
    assert out.facts.get("ppid") == "1", f"the application's parent is not vigil as PID 1\n{out}"
    alerts = expect_app_alerts(out, setup.bases[base][1])
    expect_delivered(receiver, out, alerts, setup.fakes)
    remember(request, out, receiver, "pid1")


# -- variants ----------------------------------------------------------------------

@pytest.mark.parametrize("base", list(ds.BASES))
def test_non_root_user(request, setup, receiver, base):
    """--user 1000:1000 with the sidecar's volume: the read of /etc/shadow
    is refused by the kernel, and the attempt still alerts."""
    out = setup.run("volumes", base, receiver, user="1000:1000")
    assert out.code == 0, out
    assert out.facts.get("uid") == "1000", out
    assert out.app.get("shadow") == os.strerror(13), out   # EACCES: the file is 0640 root
    alerts = expect_app_alerts(out, setup.bases[base][1])
    expect_delivered(receiver, out, alerts, setup.fakes)
    remember(request, out, receiver, "pid1")


@pytest.mark.parametrize("way,base", [("copied", "busybox"), ("volumes", "distroless")])
def test_under_an_init(request, setup, receiver, way, base):
    """--init (catatonit as PID 1, ECS initProcessEnabled): vigil runs below
    it as a subreaper, and nothing else changes."""
    out = setup.run(way, base, receiver, init=True, app_args=["--exit", "4"])
    assert out.code == 4, out
    assert out.facts.get("pid1") in ("catatonit", "podman-init", "tini"), out
    assert out.facts.get("ppid") != "1", f"vigil is not between the init and the app\n{out}"
    alerts = expect_app_alerts(out, setup.bases[base][1])
    expect_delivered(receiver, out, alerts, setup.fakes)
    remember(request, out, receiver, "subreaper")


@needs_coverage
def test_coverage_alert_of_every_run(setup):
    """Each run above sent exactly one `vigil coverage` alert, delivered:
    monitored, vigil PID 1 or a subreaper below the init, and the task
    from the metadata endpoint."""
    assert RUNS, "no finished run to look at: this test reads the runs of the tests above"
    for name, (out, delivered, init) in RUNS.items():
        cov = coverage_alerts(out)
        assert len(cov) == 1, f"{name}: {len(cov)} coverage alerts\n{out}"
        f = cov[0]["output_fields"]
        assert f["vigil.monitored"] is True and f["vigil.started"] is True, (name, f)
        assert f["vigil.init"] == init, (name, f)
        assert f["vigil.task_metadata"] == "ok" and f["ecs.cluster"] and f["ecs.task_arn"], (name, f)
        assert cov[0]["uuid"] in delivered, f"{name}: the coverage alert did not reach the receiver"


@pytest.mark.parametrize("way,base", [("copied", "busybox"), ("volumes", "musl")])
def test_podman_stop_reaches_the_app_and_drains(setup, receiver, way, base):
    """`podman stop` sends SIGTERM to vigil (PID 1), which forwards it; the
    app exits 5; alerts held back by a 60 s batch age leave in the drain."""
    name = f"vigil-test-{ds.SESSION}-{uuid.uuid4().hex[:6]}"
    argv = setup.argv(way, base, receiver, name=name, env={"VIGIL_HTTP_BATCH_MAX_AGE_MS": "60000"},
                      app_args=["--serve", "--exit", "5"])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while True:
            line = proc.stdout.readline()
            assert line, f"the container ended before the app was ready: {lines}\n{proc.stderr.read()}"
            lines.append(line)
            if line.strip() == "ready":
                break
            assert time.monotonic() < deadline, "the app never became ready"
        time.sleep(1.0)  # the FIM change is examined 50 ms after the write
        assert receiver.state()["uuids"] == [], "alerts left before the drain (batch age 60 s)"
        start = time.monotonic()
        stop = ds.podman("stop", "-t", "20", name, timeout=60)
        rest, err = proc.communicate(timeout=60)
        took = time.monotonic() - start
        assert stop.returncode == 0, stop.stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        ds.podman("rm", "-f", name)
    out = Outcome(proc.returncode, "".join(lines) + rest, err)
    assert "got-term" in out.stdout, out
    # 5 is the app's own exit on SIGTERM: podman's SIGKILL after -t 20 would give 137.
    assert out.code == 5, f"exit code after podman stop is not the app's ({took:.1f} s)\n{out}"
    alerts = expect_app_alerts(out, setup.bases[base][1])
    expect_delivered(receiver, out, alerts, setup.fakes)


# -- without SYS_PTRACE -----------------------------------------------------------

def test_without_sys_ptrace_the_app_still_runs(setup, receiver):
    """No capability at all (a task definition without SYS_PTRACE): vigil
    cannot trace, says so, and runs the application anyway (availability,
    the default); the container's exit code is still the application's."""
    out = setup.run("volumes", "distroless", receiver, caps=(), app_args=["--exit", "6"])
    assert out.code == 6, out
    assert out.app.get("shadow") == "ok" and out.app.get("watched") == "ok", out
    said = out.stderr.lower()
    assert "sys_ptrace" in said and ("untraced" in said or "unmonitored" in said), out


def policy_entry(policy):
    return [ENTRY[0], "--start-policy", policy, *ENTRY[1:]]


@needs_coverage
def test_without_sys_ptrace_the_coverage_alert_says_why(setup, receiver):
    """availability: the app runs unmonitored, and the coverage alert
    (Critical) says so and why; it reaches the receiver."""
    out = setup.run("volumes", "distroless", receiver, caps=(),
                    entry=policy_entry("availability"), app_args=["--exit", "6"])
    assert out.code == 6, out
    assert out.app.get("watched") == "ok", out
    cov = coverage_alerts(out)
    assert len(cov) == 1, f"want one vigil coverage alert\n{out}"
    f = cov[0]["output_fields"]
    assert cov[0]["priority"] == "Critical", cov[0]
    assert f["vigil.monitored"] is False and f["vigil.started"] is True, f
    assert "SYS_PTRACE" in (f["vigil.reason"] or ""), f"the coverage alert does not say why: {f}"
    assert cov[0]["uuid"] in receiver.state()["uuids"], "the coverage alert did not reach the receiver"


@needs_coverage
def test_without_sys_ptrace_security_policy_refuses_to_start(setup, receiver):
    """security: the app never starts; vigil exits 77 and the coverage
    alert (Error, started: false) still reaches the receiver."""
    out = setup.run("volumes", "distroless", receiver, caps=(),
                    entry=policy_entry("security"), app_args=["--exit", "6"])
    assert out.code == 77, out
    assert "facts" not in out.stdout, f"the application started unmonitored\n{out}"
    cov = coverage_alerts(out)
    assert len(cov) == 1, f"want one vigil coverage alert\n{out}"
    assert cov[0]["priority"] == "Error" and cov[0]["output_fields"]["vigil.started"] is False, cov[0]
    assert cov[0]["uuid"] in receiver.state()["uuids"], "the coverage alert did not reach the receiver"
