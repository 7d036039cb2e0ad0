"""A fake ECS container credentials endpoint (the ECS agent at
169.254.170.2, or an EKS Pod Identity-style FULL_URI endpoint).

Checks: GET only, the exact credentials path, `Accept: application/json`,
and the Authorization header: equal to the configured token when one is
set, absent otherwise. Answers like the ECS agent: the credentials
document, or {"code": ..., "message": ...} errors.

Knobs: `lifetime_s` of issued credentials, `script` (status codes to answer
before normal handling, e.g. [503] for CredentialsUninitialized), `token`
(may be changed by the test to simulate rotation).
"""
import threading

from aws_common import ACCOUNT, Fake, StrictHandler

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/vigil-task"
ERRORS = {
    400: ("InvalidIdInRequest", "CredentialsV2Request: Credentials not found"),
    401: ("AccessDenied", "Authorization token is missing or invalid"),
    500: ("InternalServerError", "Internal server error"),
    503: ("CredentialsUninitialized", "CredentialsV2Request: Credentials uninitialized for ID"),
}


class CredsHandler(StrictHandler):
    def do_request(self, rec):
        f = self.server.fake
        status, body = f.handle(self, rec)
        rec["status"] = status
        self.reply(status, body)


class FakeContainerCreds(Fake):
    def __init__(self, store, path="/v2/credentials/6f1e0d7a-9e39-4c4e-8a3d-vigil", token=None,
                 lifetime_s=3600, host="127.0.0.1", port=0):
        super().__init__(CredsHandler, host, port)
        self.store = store
        self.cred_path = path
        self.token = token
        self.lifetime_s = lifetime_s
        self.script = []
        self.issued = []
        self.lock = threading.Lock()

    def _err(self, status):
        code, msg = ERRORS[status]
        return status, {"code": code, "message": msg}

    def handle(self, h, rec):
        if rec["method"] != "GET":
            self.httpd.violate(f"{rec['method']} {rec['path']}")
            return 405, {"code": "InvalidRequest", "message": "method not allowed"}
        if "application/json" not in (h.header(rec, "Accept") or ""):
            self.httpd.violate(f"Accept {h.header(rec, 'Accept')!r}")
        auth = h.header(rec, "Authorization")
        if self.token is None and auth is not None:
            self.httpd.violate("Authorization sent but no token is configured")
        if self.token is not None and auth != self.token:
            return self._err(401)
        if rec["path"] != self.cred_path:
            return self._err(400)
        with self.lock:
            step = self.script.pop(0) if self.script else None
        if step:
            return self._err(step)
        cred = self.store.issue(self.lifetime_s)
        with self.lock:
            self.issued.append(cred)
        return 200, self.store.document(cred, ROLE_ARN)
