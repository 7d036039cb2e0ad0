"""Run AWS fakes on their real link-local addresses inside a private network
namespace, then a command against them. Started by the tests as

    unshare -n python3 aws_netns_run.py SPEC.json OUT.json

SPEC: {"addrs": ["169.254.170.2", ...],            added to lo
       "ecs_creds": {"host", "port", "path", "token"} or absent,
       "imds": {"host", "port", "role"} or absent,
       "ssm": {"region", "params": {name: value}},
       "cmd": [...], "env": {...}}   "{ssm_url}" in env values is replaced.
OUT: rc, stdout, stderr, and each fake's requests (bodies as text) and violations.
"""
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from aws_common import CredentialStore  # noqa: E402
from aws_ecs_creds import FakeContainerCreds  # noqa: E402
from aws_imds import FakeIMDS  # noqa: E402
from aws_ssm import FakeSSM  # noqa: E402


def setup_lo(addrs):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for a in addrs:
        subprocess.run(["ip", "addr", "add", f"{a}/32", "dev", "lo"], check=True)


def dump(fake):
    reqs = []
    for r in fake.requests:
        reqs.append({"method": r["method"], "path": r["path"], "headers": r["headers"],
                     "body": r["body"].decode(errors="replace"), "status": r.get("status")})
    return {"requests": reqs, "violations": fake.violations}


def main(spec_path, out_path):
    spec = json.loads(Path(spec_path).read_text())
    setup_lo(spec.get("addrs", []))
    store = CredentialStore()
    fakes = {"ssm": FakeSSM(store, spec["ssm"]["region"], spec["ssm"]["params"]).start()}
    if "ecs_creds" in spec:
        e = spec["ecs_creds"]
        fakes["ecs_creds"] = FakeContainerCreds(store, e["path"], e.get("token"), host=e["host"], port=e["port"]).start()
    if "imds" in spec:
        i = spec["imds"]
        fakes["imds"] = FakeIMDS(store, i.get("role", "vigil-instance-role"), host=i["host"], port=i["port"]).start()
    env = {k: v.replace("{ssm_url}", fakes["ssm"].url) for k, v in spec["env"].items()}
    p = subprocess.run(spec["cmd"], env=env, capture_output=True, text=True, timeout=60)
    out = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr,
           "secrets": [s for c in store._by_id.values() for s in (c["SecretAccessKey"], c["Token"]) if s]}
    out.update({name: dump(f) for name, f in fakes.items()})
    for f in fakes.values():
        f.stop()
    Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
