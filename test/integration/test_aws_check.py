"""`vigil aws check` against a strict fake SSM: environment credentials,
region from the ARN, the errors people meet (AccessDenied, KMS, parameter
not found), throttling and 5xx retried, and secrets never printed."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_harness import (KEY, PARAM, STATIC_AKID, clean_env, fingerprint, run_check,  # noqa: E402
                         ssm_env)
from aws_ssm import FakeSSM  # noqa: E402



def test_env_credentials(vigil_bin, ssm_static_keys):
    p = run_check(vigil_bin, ssm_env(ssm_static_keys))
    assert p.returncode == 0, p.stderr
    assert "region:        us-east-1" in p.stdout
    assert "credentials:   env" in p.stdout
    assert "access key id " + "*" * (len(STATIC_AKID) - 4) + STATIC_AKID[-4:] in p.stdout
    assert STATIC_AKID not in p.stdout
    assert f"key:           fetched, {len(KEY)} bytes, sha256 {fingerprint(KEY)}..." in p.stdout
    assert len(ssm_static_keys.requests) == 1
    r = ssm_static_keys.requests[0]
    assert r["status"] == 200
    assert r["auth"]["signed_headers"] == ["content-type", "host", "x-amz-date", "x-amz-target"]


def test_session_token_is_signed(vigil_bin, static_keys, ssm_static_keys):
    cred = static_keys.issue(3600)
    p = run_check(vigil_bin, ssm_env(ssm_static_keys, AWS_ACCESS_KEY_ID=cred["AccessKeyId"],
                                     AWS_SECRET_ACCESS_KEY=cred["SecretAccessKey"],
                                     AWS_SESSION_TOKEN=cred["Token"]),
                  secrets=[cred["SecretAccessKey"], cred["Token"]])
    assert p.returncode == 0, p.stderr
    assert "x-amz-security-token" in ssm_static_keys.requests[0]["auth"]["signed_headers"]


def test_region_from_arn(vigil_bin, static_keys):
    arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/vigil/api-key"
    with FakeSSM(static_keys, "eu-west-1", {PARAM: KEY}) as f:
        p = run_check(vigil_bin, ssm_env(f, VIGIL_API_KEY_SSM=arn, AWS_REGION="us-east-1"))
        assert f.violations == []
    assert p.returncode == 0, p.stderr
    assert "region:        eu-west-1 (from parameter ARN)" in p.stdout
    assert f.requests[0]["auth"]["region"] == "eu-west-1"
    assert f.requests[0]["name"] == arn  # the full ARN goes to SSM, as for shared parameters


def test_no_region(vigil_bin, ssm_static_keys):
    env = ssm_env(ssm_static_keys)
    del env["AWS_REGION"]
    p = run_check(vigil_bin, env)
    assert p.returncode == 1
    assert "no AWS region" in p.stderr and "AWS_REGION" in p.stderr
    assert ssm_static_keys.requests == []


def test_access_denied_names_action_and_parameter(vigil_bin, ssm_static_keys):
    ssm_static_keys.script = ["access_denied"]
    p = run_check(vigil_bin, ssm_env(ssm_static_keys))
    assert p.returncode == 1
    assert "key:           NOT fetched" in p.stdout
    assert "ssm:GetParameter" in p.stderr and PARAM in p.stderr
    assert len(ssm_static_keys.requests) == 1  # permission errors are not retried


def test_kms_denied_names_kms_decrypt(vigil_bin, ssm_static_keys):
    ssm_static_keys.script = ["kms_denied"]
    p = run_check(vigil_bin, ssm_env(ssm_static_keys))
    assert p.returncode == 1
    assert "kms:Decrypt" in p.stderr and PARAM in p.stderr


def test_parameter_not_found(vigil_bin, ssm_static_keys):
    p = run_check(vigil_bin, ssm_env(ssm_static_keys, VIGIL_API_KEY_SSM="/prod/vigil/missing"))
    assert p.returncode == 1
    assert "/prod/vigil/missing" in p.stderr and "not found" in p.stderr
    assert len(ssm_static_keys.requests) == 1


def test_throttling_retried_then_success(vigil_bin, ssm_static_keys):
    ssm_static_keys.script = ["throttle", "500", "throttle"]
    p = run_check(vigil_bin, ssm_env(ssm_static_keys))
    assert p.returncode == 0, p.stderr
    assert "ssm attempts:  4" in p.stdout
    assert [r["status"] for r in ssm_static_keys.requests] == [400, 500, 400, 200]
    # every retry is signed afresh
    assert len({dict(r["headers"])["Authorization"] for r in ssm_static_keys.requests}) >= 1


def test_server_errors_give_up_after_max_attempts(vigil_bin, ssm_static_keys):
    ssm_static_keys.script = ["503"] * 10
    p = run_check(vigil_bin, ssm_env(ssm_static_keys, VIGIL_AWS_MAX_ATTEMPTS=3))
    assert p.returncode == 1
    assert len(ssm_static_keys.requests) == 3
    assert "503" in p.stderr


def test_wrong_secret_is_rejected(vigil_bin, ssm_static_keys):
    """The fake really verifies: a wrong secret gives AWS's signature error."""
    p = run_check(vigil_bin, ssm_env(ssm_static_keys, AWS_SECRET_ACCESS_KEY="not-the-secret"), secrets=["not-the-secret"])
    ssm_static_keys.httpd.violations.clear()  # the mismatch is expected here
    assert p.returncode == 1
    assert "InvalidSignatureException" in p.stderr


def test_unreachable_endpoint(vigil_bin, ssm_static_keys):
    p = run_check(vigil_bin, ssm_env(ssm_static_keys, AWS_ENDPOINT_URL_SSM="http://127.0.0.1:9", VIGIL_AWS_MAX_ATTEMPTS=2))
    assert p.returncode == 1
    assert "127.0.0.1:9" in p.stderr


def test_partial_env_credentials(vigil_bin, ssm_static_keys):
    env = ssm_env(ssm_static_keys)
    del env["AWS_SECRET_ACCESS_KEY"]
    p = run_check(vigil_bin, env)
    assert p.returncode == 1
    assert "AWS_SECRET_ACCESS_KEY" in p.stderr


def test_key_from_env_and_file(vigil_bin, tmp_path):
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY=KEY))
    assert p.returncode == 0 and "key source:    env" in p.stdout
    f = tmp_path / "key"
    f.write_text(KEY + "\n")
    f.chmod(0o600)
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY_FILE=str(f)))
    assert p.returncode == 0, p.stderr
    assert f"{len(KEY)} bytes, sha256 {fingerprint(KEY)}" in p.stdout  # the newline is not part of the key
    f.chmod(0o644)
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY_FILE=str(f)))
    assert "readable by group or others" in p.stdout


def test_nothing_configured(vigil_bin):
    p = run_check(vigil_bin, clean_env())
    assert p.returncode == 1
    assert "VIGIL_API_KEY_SSM" in p.stderr


def test_no_credentials_anywhere(vigil_bin, ssm_static_keys):
    env = ssm_env(ssm_static_keys)
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    p = run_check(vigil_bin, env)
    assert p.returncode == 1
    assert "no AWS credentials found" in p.stderr


@pytest.fixture
def tls_ssm(static_keys, pki):
    """The fake SSM over https, with a certificate from the test CA."""
    with FakeSSM(static_keys, "us-east-1", {PARAM: KEY}, tls=(pki / "server.pem", pki / "server.key")) as f:
        yield f
    assert f.violations == []


def test_ssm_over_tls_is_verified_against_the_ca_file(vigil_bin, tls_ssm, pki):
    p = run_check(vigil_bin, ssm_env(tls_ssm, VIGIL_CA_FILE=str(pki / "ca.pem")))
    assert p.returncode == 0, p.stderr
    assert f"key:           fetched, {len(KEY)} bytes" in p.stdout
    assert len(tls_ssm.accepted) == 1


@pytest.mark.parametrize("ca", ["other-ca.pem", None])
def test_ssm_over_tls_refuses_a_certificate_it_cannot_verify(vigil_bin, tls_ssm, pki, ca):
    """An unrelated CA, or the system bundle (which does not know the test
    CA): the request, which carries a signature, is never sent."""
    extra = {"VIGIL_CA_FILE": str(pki / ca)} if ca else {}
    p = run_check(vigil_bin, ssm_env(tls_ssm, **extra))
    assert p.returncode != 0
    assert tls_ssm.requests == []
    assert "certificate" in (p.stdout + p.stderr).lower(), p.stdout + p.stderr
