"""ECS task metadata v4: task details reported by `vigil aws check`, the
region taken from it when nothing else gives one, and its absence or
failure never costing the key."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
from aws_common import CredentialStore  # noqa: E402
from aws_ecs_metadata import FakeTaskMetadata  # noqa: E402
from aws_harness import KEY, PARAM, STATIC_AKID, STATIC_SECRET, clean_env, run_check  # noqa: E402
from aws_ssm import FakeSSM  # noqa: E402


@pytest.fixture
def meta():
    with FakeTaskMetadata("fargate") as m:
        yield m
    assert m.violations == []


def test_task_details(vigil_bin, meta):
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY=KEY, ECS_CONTAINER_METADATA_URI_V4=meta.uri))
    assert p.returncode == 0, p.stderr
    assert ("task:          arn:aws:ecs:us-west-2:111122223333:task/default/e9028f8d5d8e4f258373e7b93ce9a3c3 "
            "(cluster arn:aws:ecs:us-west-2:111122223333:cluster/default, family curltest:3, container curl, "
            "image 111122223333.dkr.ecr.us-west-2.amazonaws.com/curltest:latest, zone us-west-2a)") in p.stdout
    assert sorted(r["path"] for r in meta.requests) == [meta.base_path, meta.base_path + "/task"]
    assert all(r["method"] == "GET" for r in meta.requests)


def test_ec2_task(vigil_bin):
    with FakeTaskMetadata("ec2") as m:
        p = run_check(vigil_bin, clean_env(VIGIL_API_KEY=KEY, ECS_CONTAINER_METADATA_URI_V4=m.uri))
    assert p.returncode == 0, p.stderr
    assert "(cluster default, " in p.stdout


def test_region_from_task_metadata(vigil_bin, meta):
    store = CredentialStore()
    store.add_static(STATIC_AKID, STATIC_SECRET)
    with FakeSSM(store, "us-west-2", {PARAM: KEY}) as ssm:
        p = run_check(vigil_bin, clean_env(AWS_ACCESS_KEY_ID=STATIC_AKID, AWS_SECRET_ACCESS_KEY=STATIC_SECRET,
                                           AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM,
                                           ECS_CONTAINER_METADATA_URI_V4=meta.uri))
        assert ssm.violations == []
    assert p.returncode == 0, p.stderr
    assert "region:        us-west-2 (from ECS task metadata)" in p.stdout
    # fetched once per process, then cached
    assert len([r for r in meta.requests if r["path"].endswith("/task")]) == 1


def test_metadata_down_is_not_fatal(vigil_bin):
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY=KEY, ECS_CONTAINER_METADATA_URI_V4="http://127.0.0.1:9/v4/x"))
    assert p.returncode == 0, p.stderr
    assert "task:          metadata unavailable" in p.stdout


def test_not_on_ecs(vigil_bin):
    p = run_check(vigil_bin, clean_env(VIGIL_API_KEY=KEY))
    assert p.returncode == 0
    assert "task:" not in p.stdout
