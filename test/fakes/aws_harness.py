"""Helpers for vigil's AWS integration tests: a clean environment, running
`vigil aws check` and checking that no secret ever reaches its output."""
import hashlib
import os

PARAM = "/prod/vigil/api-key"
KEY = "vk_live_7Hq2Lw9XbT4mZr8Pn3Ys6Dc1Fg5Jk0Ae"
STATIC_AKID = "AKIAVIGILTESTKEY4242"
STATIC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYVIGILSECRET"


def clean_env(**extra):
    """The test's environment without any AWS or vigil setting of the host;
    IMDS off unless a test turns it on (it would probe 169.254.169.254)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "VIGIL_API", "VIGIL_AWS", "ECS_")) and "proxy" not in k.lower()}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update({k: str(v) for k, v in extra.items() if v is not None})
    return env


def static_store():
    """A credential store that knows the static test key pair."""
    from aws_common import CredentialStore
    s = CredentialStore()
    s.add_static(STATIC_AKID, STATIC_SECRET)
    return s


def strict_ssm(store):
    """The fake SSM in us-east-1 holding PARAM = KEY, accepting the credentials
    of store; any request that breaks the protocol (SigV4 included) fails the
    test. A generator for a pytest fixture to yield from."""
    from aws_ssm import FakeSSM
    with FakeSSM(store, "us-east-1", {PARAM: KEY}) as f:
        yield f
    assert f.violations == []


def ssm_env(ssm, **extra):
    """vigil's environment for SSM GetParameter of PARAM with the static keys."""
    base = dict(AWS_ACCESS_KEY_ID=STATIC_AKID, AWS_SECRET_ACCESS_KEY=STATIC_SECRET,
                AWS_REGION="us-east-1", AWS_ENDPOINT_URL_SSM=ssm.url, VIGIL_API_KEY_SSM=PARAM,
                VIGIL_AWS_RETRY_BASE_MS=50)
    base.update(extra)
    return clean_env(**base)


def fingerprint(key):
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def assert_no_secrets(text, secrets):
    for s in secrets:
        if s:
            assert s not in text, "a secret appeared in vigil's output"


def run_check(vigil_bin, env, secrets=(), args=("check",), timeout=60):
    """Run `vigil aws ARGS`; asserts the key and credentials stay out of stdout/stderr."""
    from vigil_runner import vigil_run  # test/integration, on the path under pytest
    p = vigil_run(vigil_bin, "aws", *args, env=env, timeout=timeout)
    assert_no_secrets(p.stdout + p.stderr, [KEY, STATIC_SECRET, *secrets])
    return p


def cred_secrets(creds):
    """The secret parts of issued credentials (for assert_no_secrets)."""
    out = []
    for c in creds:
        out += [c["SecretAccessKey"], c["Token"]]
    return out
