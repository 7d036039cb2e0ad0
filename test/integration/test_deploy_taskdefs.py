"""The ECS task definitions of docs/deploy-ecs.md (packaging/ecs/): each is
a valid RegisterTaskDefinition input for botocore's ECS model, follows the
ECS rules botocore does not check, deploys vigil the way the doc says, and
is the same JSON as the doc shows (the doc's JSON blocks and the files
cannot drift apart)."""
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ECS = REPO / "packaging" / "ecs"
DOC = REPO / "docs" / "deploy-ecs.md"
TASKDEFS = sorted(ECS.glob("taskdef-*.json"))
VIGIL = "/opt/vigil/bin/vigil"


def load(path):
    return json.loads(path.read_text())


def env_of(container):
    return {e["name"]: e["value"] for e in container.get("environment", [])}


def drain_timeout_ms(entry):
    """--drain-timeout of a vigil command line (vigil's default: 10000)."""
    for i, arg in enumerate(entry):
        if arg == "--":
            break
        if arg == "--drain-timeout":
            return int(entry[i + 1])
    return 10000


def doc_json_blocks():
    return [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC.read_text(), re.S)]


def test_there_are_task_definitions():
    names = {p.name for p in TASKDEFS}
    assert {"taskdef-dockerfile.json", "taskdef-volumesfrom.json", "taskdef-firelens.json"} <= names


@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.name)
def test_botocore_accepts_it(path):
    import botocore.session
    from botocore.validate import validate_parameters
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    validate_parameters(load(path), shape)  # raises ParamValidationError


@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.name)
def test_ecs_rules_for_fargate(path):
    td = load(path)
    assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
    assert td.get("cpu") and td.get("memory"), "Fargate needs task-level cpu and memory"
    containers = {c["name"]: c for c in td["containerDefinitions"]}
    volumes = {v["name"] for v in td.get("volumes", [])}
    assert not any("host" in v for v in td.get("volumes", [])), "Fargate bind mounts have no host path"
    for c in containers.values():
        for m in c.get("mountPoints", []):
            assert m["sourceVolume"] in volumes, (c["name"], m)
        for dep in c.get("dependsOn", []):
            assert dep["containerName"] in containers, dep
            assert dep["condition"] in ("START", "COMPLETE", "SUCCESS", "HEALTHY"), dep
            if dep["condition"] in ("COMPLETE", "SUCCESS"):
                assert containers[dep["containerName"]]["essential"] is False, \
                    f"{dep}: COMPLETE/SUCCESS may only name a non-essential container"
        lp = c.get("linuxParameters", {})
        assert "tmpfs" not in lp and "devices" not in lp, "not supported on Fargate"
        assert set(lp.get("capabilities", {}).get("add", [])) <= {"SYS_PTRACE"}, \
            "SYS_PTRACE is the only capability Fargate can add"
        if c.get("logConfiguration", {}).get("logDriver") == "awsfirelens":
            routers = [x for x in containers.values() if "firelensConfiguration" in x]
            assert len(routers) == 1, "awsfirelens needs exactly one FireLens container"
    assert any(c.get("essential", True) for c in containers.values())


def vigil_containers(td):
    """The containers whose command starts with vigil (the entrypoint of
    the taskdef-dockerfile image is in its Dockerfile: marked by the image
    name's -vigil suffix)."""
    out = []
    for c in td["containerDefinitions"]:
        entry = c.get("entryPoint", [])
        if entry[:1] == [VIGIL] or c["image"].endswith("-vigil"):
            out.append(c)
    return out


@pytest.mark.parametrize("path", TASKDEFS, ids=lambda p: p.name)
def test_vigil_is_deployed_as_the_doc_says(path):
    td = load(path)
    containers = {c["name"]: c for c in td["containerDefinitions"]}
    apps = vigil_containers(td)
    assert len(apps) == 1, "one application container runs under vigil"
    app = apps[0]
    assert app["linuxParameters"]["capabilities"]["add"] == ["SYS_PTRACE"]
    env = env_of(app)
    if "VIGIL_API_KEY_SSM" in env:
        assert td.get("taskRoleArn"), "vigil reads SSM with the task role"
    # readonlyRootFilesystem: the spool and the FIM baseline on a writable volume
    if app.get("readonlyRootFilesystem"):
        writable = [m["containerPath"] for m in app.get("mountPoints", []) if not m.get("readOnly")]
        for key in ("VIGIL_SPOOL_DIR", "VIGIL_FIM_DB"):
            assert key in env, f"{key} is not set: with a read-only root it must name a volume"
            assert any(env[key].startswith(w.rstrip("/") + "/") for w in writable), (key, writable)
    entry = app.get("entryPoint")
    if entry:   # the volumesFrom way: the entrypoint prefixed, the image's CMD as command
        assert entry[0] == VIGIL and "--" in entry and entry.index("--") < len(entry) - 1, entry
        assert app.get("command"), "the image's CMD must be repeated: an entryPoint override drops it"
        sources = app.get("volumesFrom", [])
        assert sources and all(s["readOnly"] is True for s in sources), sources
        for s in sources:
            side = containers[s["sourceContainer"]]
            assert side["essential"] is False, "the vigil sidecar exits at once: essential false"
            assert "entryPoint" not in side and "command" not in side, "its default: vigil version"
            deps = {d["containerName"]: d["condition"] for d in app.get("dependsOn", [])}
            assert deps.get(side["name"]) in ("COMPLETE", "SUCCESS"), deps
    # stopTimeout covers the drain (plus a margin for the application's own stop)
    stop_s = app.get("stopTimeout", 30)
    drain_ms = drain_timeout_ms(entry or [VIGIL, "--"])
    assert stop_s * 1000 >= drain_ms + 10000, (stop_s, drain_ms)
    assert stop_s <= 120, "Fargate's maximum stopTimeout is 120 s"


def test_the_doc_shows_exactly_these_files():
    blocks = doc_json_blocks()
    shown = [b for b in blocks if "containerDefinitions" in b]
    files = {p.name: load(p) for p in TASKDEFS}
    for b in shown:
        assert b in files.values(), f"a task definition in {DOC.name} is not in packaging/ecs/: " \
                                    f"{json.dumps(b)[:200]}"
    for name, td in files.items():
        assert td in shown, f"packaging/ecs/{name} is not shown in {DOC.name}"
    policy = load(ECS / "task-role-policy.json")
    assert policy in blocks, f"packaging/ecs/task-role-policy.json is not shown in {DOC.name}"


def test_the_policy_allows_what_vigil_calls():
    policy = load(ECS / "task-role-policy.json")
    actions = {s["Action"] for s in policy["Statement"]}
    assert actions == {"ssm:GetParameter", "kms:Decrypt"}, actions
    ssm = next(s for s in policy["Statement"] if s["Action"] == "ssm:GetParameter")
    assert ssm["Resource"].startswith("arn:aws:ssm:") and ":parameter/" in ssm["Resource"]
    assert "parameter//" not in ssm["Resource"]
    # the parameter the task definitions name is the one the policy allows
    for path in TASKDEFS:
        for c in load(path)["containerDefinitions"]:
            name = env_of(c).get("VIGIL_API_KEY_SSM")
            if name:
                assert ssm["Resource"].endswith(":parameter" + name), (path.name, name)


def test_the_validation_bites():
    """A misspelt key and a wrong type are refused (so the checks above mean something)."""
    import botocore.session
    from botocore.exceptions import ParamValidationError
    from botocore.validate import validate_parameters
    shape = botocore.session.get_session().get_service_model("ecs") \
        .operation_model("RegisterTaskDefinition").input_shape
    td = load(ECS / "taskdef-volumesfrom.json")
    td["containerDefinitions"][1]["volumesFrom"][0]["readonly"] = True
    with pytest.raises(ParamValidationError):
        validate_parameters(td, shape)
    td = load(ECS / "taskdef-volumesfrom.json")
    td["containerDefinitions"][1]["stopTimeout"] = "40"
    with pytest.raises(ParamValidationError):
        validate_parameters(td, shape)


def test_the_doc_shows_the_fluent_bit_configuration():
    conf = (ECS / "fluent-bit" / "vigil-alerts.conf").read_text()
    body = "\n".join(l for l in conf.splitlines() if not l.startswith("#")).strip()
    assert body in DOC.read_text(), "docs/deploy-ecs.md and packaging/ecs/fluent-bit/vigil-alerts.conf differ"
