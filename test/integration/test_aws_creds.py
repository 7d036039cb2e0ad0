"""The credentials chain end to end: ECS container credentials on the real
169.254.170.2 (inside a private network namespace), FULL_URI with an
authorization token (inline or from a file), IMDSv2, and credentials that
expire being replaced."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_common import CredentialStore  # noqa: E402
from aws_ecs_creds import FakeContainerCreds  # noqa: E402
from aws_harness import (KEY, PARAM, assert_no_secrets, clean_env, cred_secrets, fingerprint, run_check,  # noqa: E402
                         strict_ssm)
from aws_imds import FakeIMDS  # noqa: E402

FAKES = Path(__file__).resolve().parents[1] / "fakes"
REL = "/v2/credentials/6f1e0d7a-9e39-4c4e-8a3d-vigil"


@pytest.fixture
def issued_keys():
    """An empty credential store: it knows only the credentials the fake
    providers (ECS, IMDS) issue during the test."""
    return CredentialStore()


@pytest.fixture
def ssm_issued_keys(issued_keys):
    """The fake SSM in us-east-1 holding PARAM = KEY, accepting only issued
    credentials; any request that breaks the protocol fails the test."""
    yield from strict_ssm(issued_keys)


def ssm_env(ssm, **extra):
    return clean_env(AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM,
                     VIGIL_AWS_RETRY_BASE_MS=50, **extra)


def run_in_netns(tmp_path, spec):
    """Fakes on their link-local addresses in a fresh network namespace."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        pytest.fail("unshare and ip (util-linux, iproute2) are needed for link-local tests")
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    p = subprocess.run(["unshare", "-n", sys.executable, str(FAKES / "aws_netns_run.py"),
                        str(tmp_path / "spec.json"), str(tmp_path / "out.json")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads((tmp_path / "out.json").read_text())


def test_ecs_relative_uri_on_169_254_170_2(vigil_bin, tmp_path):
    out = run_in_netns(tmp_path, {
        "addrs": ["169.254.170.2"],
        "ecs_creds": {"host": "169.254.170.2", "port": 80, "path": REL},
        "ssm": {"region": "us-east-1", "params": {PARAM: KEY}},
        "cmd": [str(vigil_bin), "aws", "check"],
        "env": clean_env(AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM="{ssm_url}", VIGIL_API_KEY_SSM=PARAM,
                         AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=REL),
    })
    assert_no_secrets(out["stdout"] + out["stderr"], [KEY, *out["secrets"]])
    assert out["rc"] == 0, out["stderr"]
    assert f"credentials:   ecs (http://169.254.170.2{REL})" in out["stdout"]
    assert out["ecs_creds"]["violations"] == [] and out["ssm"]["violations"] == []
    [creds_req] = out["ecs_creds"]["requests"]
    assert creds_req["method"] == "GET" and creds_req["path"] == REL
    assert [r["status"] for r in out["ssm"]["requests"]] == [200]


def test_full_uri_with_token_file(vigil_bin, issued_keys, ssm_issued_keys, tmp_path):
    token_file = tmp_path / "eks-pod-identity-token"
    token_file.write_text("eyJhbGciOiJSUzI1NiJ9.pod-identity-token.sig\n")
    with FakeContainerCreds(issued_keys, "/v1/credentials", token="eyJhbGciOiJSUzI1NiJ9.pod-identity-token.sig") as c:
        env = ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/v1/credentials",
                      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file),
                      AWS_CONTAINER_AUTHORIZATION_TOKEN="the-file-wins-over-this")
        p = run_check(vigil_bin, env, secrets=["pod-identity-token", "the-file-wins"])
        assert_no_secrets(p.stdout + p.stderr, cred_secrets(c.issued))
        assert c.violations == []
    assert p.returncode == 0, p.stderr
    assert "credentials:   ecs" in p.stdout
    assert [r["status"] for r in c.requests] == [200]
    # the SSM call was signed with the credentials the endpoint issued, token included
    auth = ssm_issued_keys.requests[0]["auth"]
    assert auth["akid"] == c.issued[0]["AccessKeyId"]
    assert "x-amz-security-token" in auth["signed_headers"]


def test_full_uri_inline_token_and_wrong_token(vigil_bin, issued_keys, ssm_issued_keys):
    with FakeContainerCreds(issued_keys, "/creds", token="inline-token-123") as c:
        ok = run_check(vigil_bin, ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds",
                                          AWS_CONTAINER_AUTHORIZATION_TOKEN="inline-token-123"),
                       secrets=["inline-token-123"])
        bad = run_check(vigil_bin, ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds",
                                           AWS_CONTAINER_AUTHORIZATION_TOKEN="wrong-token"),
                        secrets=["wrong-token"])
    assert ok.returncode == 0, ok.stderr
    assert bad.returncode == 1
    assert "HTTP 401" in bad.stderr and "authorization token" in bad.stderr
    assert len([r for r in c.requests if r["status"] == 401]) == 1  # a 4xx is not retried


def test_full_uri_plain_http_to_remote_host_refused(vigil_bin, ssm_issued_keys):
    p = run_check(vigil_bin, ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://198.51.100.7/creds"))
    assert p.returncode == 1
    assert "plain http is only allowed" in p.stderr


def test_ecs_credentials_uninitialized_is_retried(vigil_bin, issued_keys, ssm_issued_keys):
    with FakeContainerCreds(issued_keys, "/creds") as c:
        c.script = [503]
        p = run_check(vigil_bin, ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds"))
    assert p.returncode == 0, p.stderr
    assert [r["status"] for r in c.requests] == [503, 200]


def test_imdsv2(vigil_bin, issued_keys, ssm_issued_keys):
    with FakeIMDS(issued_keys) as imds:
        env = ssm_env(ssm_issued_keys, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        p = run_check(vigil_bin, env)
        assert_no_secrets(p.stdout + p.stderr, cred_secrets(imds.issued))
        assert imds.violations == []
    assert p.returncode == 0, p.stderr
    assert "credentials:   imds (role vigil-instance-role" in p.stdout
    steps = [(r["method"], r["path"]) for r in imds.requests]
    assert steps == [("PUT", "/latest/api/token"),
                     ("GET", "/latest/meta-data/iam/security-credentials/"),
                     ("GET", "/latest/meta-data/iam/security-credentials/vigil-instance-role")]
    assert ssm_issued_keys.requests[0]["auth"]["akid"] == imds.issued[0]["AccessKeyId"]


def test_imds_without_instance_profile(vigil_bin, issued_keys, ssm_issued_keys):
    with FakeIMDS(issued_keys, role=None) as imds:
        env = ssm_env(ssm_issued_keys, AWS_EC2_METADATA_SERVICE_ENDPOINT=imds.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        p = run_check(vigil_bin, env)
    assert p.returncode == 1
    assert "no instance profile" in p.stderr


def test_imds_on_169_254_169_254(vigil_bin, tmp_path):
    env = clean_env(AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM="{ssm_url}", VIGIL_API_KEY_SSM=PARAM)
    del env["AWS_EC2_METADATA_DISABLED"]
    out = run_in_netns(tmp_path, {
        "addrs": ["169.254.169.254"],
        "imds": {"host": "169.254.169.254", "port": 80},
        "ssm": {"region": "us-east-1", "params": {PARAM: KEY}},
        "cmd": [str(vigil_bin), "aws", "check"], "env": env,
    })
    assert out["rc"] == 0, out["stderr"]
    assert "credentials:   imds (role vigil-instance-role at http://169.254.169.254)" in out["stdout"]
    assert out["imds"]["violations"] == [] and out["ssm"]["violations"] == []


def test_expired_credentials_are_replaced(vigil_bin, issued_keys, ssm_issued_keys):
    """SSM says the first credentials expired (revoked early): vigil fetches
    new ones and retries at once."""
    with FakeContainerCreds(issued_keys, "/creds") as c:
        first = issued_keys.issue(3600)
        issued_keys.revoked.add(first["AccessKeyId"])
        c.issued.append(first)
        orig = issued_keys.issue
        calls = []

        def issue_first_then_fresh(lifetime_s=3600, token=True, prefix="ASIA"):
            calls.append(1)
            return first if len(calls) == 1 else orig(lifetime_s, token, prefix)
        issued_keys.issue = issue_first_then_fresh
        p = run_check(vigil_bin, ssm_env(ssm_issued_keys, AWS_CONTAINER_CREDENTIALS_FULL_URI=c.url + "/creds"))
        assert_no_secrets(p.stdout + p.stderr, cred_secrets(c.issued))
    assert p.returncode == 0, p.stderr
    assert len(c.requests) == 2
    assert [r["status"] for r in ssm_issued_keys.requests] == [400, 200]
    assert ssm_issued_keys.requests[0]["answer"]["__type"] == "ExpiredTokenException"
    assert ssm_issued_keys.requests[1]["auth"]["akid"] != first["AccessKeyId"]
    assert f"sha256 {fingerprint(KEY)}" in p.stdout
