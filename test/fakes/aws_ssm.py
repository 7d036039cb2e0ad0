"""A fake SSM Parameter Store (GetParameter only) that checks every request
like the service does: SigV4 signature recomputed with botocore from the
known credentials, credential scope (region, service "ssm", date), the
session token, X-Amz-Target, Content-Type and the JSON body. Answers are
shaped like real ones (awsJson1_1): {"Parameter": {...}} or
{"__type": "<Code>", "message": "..."}.

Test knobs: `params` (name -> value), `script` (a list of outcomes consumed
one per request before normal handling: "throttle", "500", "503",
"access_denied", "kms_denied", "expired"), and the CredentialStore whose
credentials are accepted (revoke one with store.revoked.add(akid)).
"""
import datetime
import json
import threading
import time

from aws_common import ACCOUNT, Fake, StrictHandler, botocore_sign, parse_authorization, request_id

TARGET = "AmazonSSM.GetParameter"
CONTENT_TYPE = "application/x-amz-json-1.1"
REQUIRED_SIGNED = {"host", "x-amz-date", "x-amz-target", "content-type"}


def _error(code, message=None, status=400):
    body = {"__type": code}
    if message is not None:
        body["message" if code != "InternalServerError" else "Message"] = message
    return status, body


SCRIPTED = {
    "throttle": lambda name, arn: _error("ThrottlingException", "Rate exceeded"),
    "500": lambda name, arn: _error("InternalServerError", "An internal error occurred.", 500),
    "503": lambda name, arn: _error("ServiceUnavailable", "Service is unavailable.", 503),
    "access_denied": lambda name, arn: _error(
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/vigil-task/abc is not authorized to perform: "
        f"ssm:GetParameter on resource: {arn} because no identity-based policy allows the "
        f"ssm:GetParameter action"),
    "kms_denied": lambda name, arn: _error(
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/vigil-task/abc is not authorized to perform: "
        f"kms:Decrypt on resource: arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab "
        f"because no identity-based policy allows the kms:Decrypt action"),
    "expired": lambda name, arn: _error("ExpiredTokenException",
                                        "The security token included in the request is expired"),
}


class SSMHandler(StrictHandler):
    def do_request(self, rec):
        fake = self.server.fake
        status, body = fake.handle(self, rec)
        rec["status"] = status
        rec["answer"] = body
        self.reply(status, body, CONTENT_TYPE, [("x-amzn-RequestId", request_id())])


class FakeSSM(Fake):
    def __init__(self, store, region="us-east-1", params=None, host="127.0.0.1", port=0, tls=None):
        super().__init__(SSMHandler, host, port, tls)
        self.store = store
        self.region = region
        self.params = dict(params or {})
        self.script = []
        self.lock = threading.Lock()
        self.accepted = []  # (akid, name) of requests that passed every check

    # -- checks, in the order the service applies them --------------------
    def _auth(self, h, rec):
        """None when the signature is right, else an (status, body) error."""
        authz = h.header(rec, "Authorization")
        date = h.header(rec, "X-Amz-Date")
        a = parse_authorization(authz)
        if not a or not date:
            return _error("IncompleteSignature", "Authorization header or X-Amz-Date missing or malformed")
        rec["auth"] = a
        problems = []
        if a["region"] != self.region:
            problems.append(f"credential scope region {a['region']} != {self.region}")
        if a["service"] != "ssm" or a["terminator"] != "aws4_request":
            problems.append(f"credential scope service/terminator {a['service']}/{a['terminator']}")
        if a["date"] != date[:8]:
            problems.append("credential scope date does not match X-Amz-Date")
        missing = REQUIRED_SIGNED - set(a["signed_headers"])
        if missing:
            problems.append(f"unsigned required headers {sorted(missing)}")
        if a["signed_headers"] != sorted(a["signed_headers"]):
            problems.append("SignedHeaders not sorted")
        stamp = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        if abs(stamp.timestamp() - time.time()) > 300:
            return _error("InvalidSignatureException", "Signature expired: date stamp too far from now")
        if problems:
            for p in problems:
                self.httpd.violate(p)
            return _error("InvalidSignatureException", "; ".join(problems))
        cred = self.store.lookup(a["akid"])
        if not cred:
            return _error("UnrecognizedClientException", "The security token included in the request is invalid.")
        token = h.header(rec, "X-Amz-Security-Token")
        if (cred["Token"] or None) != (token or None):
            return _error("UnrecognizedClientException", "The security token included in the request is invalid.")
        if token and "x-amz-security-token" not in a["signed_headers"]:
            self.httpd.violate("X-Amz-Security-Token sent but not signed")
        if a["akid"] in self.store.revoked or (cred["exp"] and time.time() >= cred["exp"]):
            rec["expired_creds"] = True
            return _error("ExpiredTokenException", "The security token included in the request is expired")
        signed = [(k, v) for k, v in rec["headers"] if k.lower() in a["signed_headers"]]
        if len({k.lower() for k, _ in signed}) != len(a["signed_headers"]):
            return _error("IncompleteSignature", "a signed header is missing from the request")
        creq, sts, expected = botocore_sign("POST", f"http://{h.header(rec, 'Host')}/", dict(signed), rec["body"],
                                            a["akid"], cred["SecretAccessKey"], token, self.region, "ssm", date)
        rec["botocore_authorization"] = expected
        rec["botocore_canonical_request"] = creq
        if expected != authz:
            self.httpd.violate(f"signature mismatch: got {authz!r}, botocore {expected!r}")
            return _error("InvalidSignatureException",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your AWS Secret Access Key and signing method. "
                          "Consult the service documentation for details.")
        return None

    def _body(self, h, rec):
        """(name, None) or (None, error)."""
        if h.header(rec, "X-Amz-Target") != TARGET:
            self.httpd.violate(f"X-Amz-Target {h.header(rec, 'X-Amz-Target')!r}")
            return None, _error("UnknownOperationException", None)
        if h.header(rec, "Content-Type") != CONTENT_TYPE:
            self.httpd.violate(f"Content-Type {h.header(rec, 'Content-Type')!r}")
            return None, _error("SerializationException", None)
        try:
            body = json.loads(rec["body"])
        except ValueError:
            self.httpd.violate("body is not JSON")
            return None, _error("SerializationException", None)
        if set(body) != {"Name", "WithDecryption"} or body["WithDecryption"] is not True \
                or not isinstance(body["Name"], str) or not 1 <= len(body["Name"]) <= 2048:
            self.httpd.violate(f"unexpected body {body!r}")
            return None, _error("ValidationException", "1 validation error detected")
        return body["Name"], None

    def arn_of(self, name):
        if name.startswith("arn:"):
            return name
        return f"arn:aws:ssm:{self.region}:{ACCOUNT}:parameter{name if name.startswith('/') else '/' + name}"

    def _lookup(self, name):
        if name.startswith("arn:"):
            parts = name.split(":", 5)
            if len(parts) != 6 or parts[3] != self.region or not parts[5].startswith("parameter"):
                return None
            short = parts[5][len("parameter"):]
            return self.params.get(short) or self.params.get(short.lstrip("/"))
        return self.params.get(name)

    def handle(self, h, rec):
        if rec["method"] != "POST" or rec["path"] != "/":
            self.httpd.violate(f"{rec['method']} {rec['path']}")
            return _error("UnknownOperationException", None, 404)
        err = self._auth(h, rec)
        if err:
            return err
        name, err = self._body(h, rec)
        if err:
            return err
        rec["name"] = name
        with self.lock:
            step = self.script.pop(0) if self.script else None
        if step:
            return SCRIPTED[step](name, self.arn_of(name))
        value = self._lookup(name)
        if value is None:
            return _error("ParameterNotFound", None)
        with self.lock:
            self.accepted.append((rec["auth"]["akid"], name))
        return 200, {"Parameter": {
            "ARN": self.arn_of(name), "DataType": "text", "LastModifiedDate": 1582657288.8,
            "Name": name.split(":parameter", 1)[-1] if name.startswith("arn:") else name,
            "Type": "SecureString", "Value": value, "Version": 3}}
