"""vigil's SigV4 and GetParameter request against botocore, the reference:
the fake verifies with botocore's signer, botocore's own client is accepted
by the same fake, vigil's request has the shape botocore's serializer
produces, and a replayed request that was tampered with is rejected."""
import http.client
import json
import sys
from pathlib import Path

import botocore.session
import pytest
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_harness import KEY, PARAM, STATIC_AKID, STATIC_SECRET, clean_env, run_check  # noqa: E402
from aws_ssm import FakeSSM  # noqa: E402


@pytest.fixture
def ssm_eu_central_1(static_keys):
    """The fake SSM in eu-central-1 accepting the static test keys; its
    violations are not checked at teardown (a test sends a tampered request)."""
    with FakeSSM(static_keys, "eu-central-1", {PARAM: KEY}) as f:
        yield f


def headers_of(rec):
    return {k.lower(): v for k, v in rec["headers"]}


def vigil_request(vigil_bin, ssm, **extra):
    settings = dict(AWS_ACCESS_KEY_ID=STATIC_AKID, AWS_SECRET_ACCESS_KEY=STATIC_SECRET, AWS_REGION="eu-central-1",
                    AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM)
    settings.update(extra)
    env = clean_env(**settings)
    p = run_check(vigil_bin, env)
    assert p.returncode == 0, p.stderr
    return ssm.requests[-1]


def botocore_request(ssm, token=None):
    client = botocore.session.get_session().create_client(
        "ssm", region_name="eu-central-1", endpoint_url=ssm.url, aws_access_key_id=STATIC_AKID,
        aws_secret_access_key=STATIC_SECRET, aws_session_token=token,
        config=Config(proxies={}, retries={"max_attempts": 1}))
    answer = client.get_parameter(Name=PARAM, WithDecryption=True)
    assert answer["Parameter"]["Value"] == KEY
    return ssm.requests[-1]


def test_vigil_signature_equals_botocore(vigil_bin, ssm_eu_central_1):
    rec = vigil_request(vigil_bin, ssm_eu_central_1)
    assert ssm_eu_central_1.violations == []
    assert headers_of(rec)["authorization"] == rec["botocore_authorization"]
    creq = rec["botocore_canonical_request"].split("\n")
    assert creq[0] == "POST" and creq[1] == "/" and creq[2] == ""


def test_same_request_as_botocore_client(vigil_bin, ssm_eu_central_1):
    mine = vigil_request(vigil_bin, ssm_eu_central_1)
    theirs = botocore_request(ssm_eu_central_1)
    assert ssm_eu_central_1.violations == []  # the fake accepts botocore's real client too
    assert theirs["status"] == mine["status"] == 200
    hm, hb = headers_of(mine), headers_of(theirs)
    for h in ("x-amz-target", "content-type"):
        assert hm[h] == hb[h]
    assert json.loads(mine["body"]) == json.loads(theirs["body"])
    assert set(mine["auth"]["signed_headers"]) <= set(theirs["auth"]["signed_headers"])
    assert mine["auth"]["region"] == theirs["auth"]["region"] == "eu-central-1"
    assert mine["auth"]["service"] == theirs["auth"]["service"] == "ssm"


def test_session_token_like_botocore(vigil_bin, static_keys, ssm_eu_central_1):
    cred = static_keys.issue(3600)
    mine = vigil_request(vigil_bin, ssm_eu_central_1, AWS_ACCESS_KEY_ID=cred["AccessKeyId"],
                         AWS_SECRET_ACCESS_KEY=cred["SecretAccessKey"], AWS_SESSION_TOKEN=cred["Token"])
    client = botocore.session.get_session().create_client(
        "ssm", region_name="eu-central-1", endpoint_url=ssm_eu_central_1.url, aws_access_key_id=cred["AccessKeyId"],
        aws_secret_access_key=cred["SecretAccessKey"], aws_session_token=cred["Token"],
        config=Config(proxies={}, retries={"max_attempts": 1}))
    client.get_parameter(Name=PARAM, WithDecryption=True)
    theirs = ssm_eu_central_1.requests[-1]
    assert ssm_eu_central_1.violations == []
    assert "x-amz-security-token" in mine["auth"]["signed_headers"]
    assert "x-amz-security-token" in theirs["auth"]["signed_headers"]
    assert headers_of(mine)["x-amz-security-token"] == headers_of(theirs)["x-amz-security-token"]


def replay(ssm, rec, body):
    host, port = ssm.host, ssm.port
    conn = http.client.HTTPConnection(host, port, timeout=5)
    hdrs = {k: v for k, v in rec["headers"] if k.lower() != "content-length"}
    conn.request("POST", "/", body=body, headers=hdrs)
    r = conn.getresponse()
    return r.status, json.loads(r.read())


def test_tampered_replay_rejected(vigil_bin, ssm_eu_central_1):
    rec = vigil_request(vigil_bin, ssm_eu_central_1)
    status, answer = replay(ssm_eu_central_1, rec, rec["body"])
    assert status == 200 and answer["Parameter"]["Value"] == KEY  # the untouched request verifies
    status, answer = replay(ssm_eu_central_1, rec, rec["body"].replace(b"true", b"false"))
    assert status == 400 and answer["__type"] == "InvalidSignatureException"
    ssm_eu_central_1.httpd.violations.clear()  # expected: that was the point
