"""A fake EC2 instance metadata service, IMDSv2 only (as on instances with
HttpTokens=required): PUT /latest/api/token with a TTL header (1..21600)
gives a token; every GET must carry it, or gets 401. Serves the instance
profile role name and its credentials ({"Code": "Success", ...}).

Knobs: `role` (None = no instance profile: 404), `lifetime_s`.
"""
import datetime
import secrets
import threading
import time

from aws_common import Fake, StrictHandler

CREDS = "/latest/meta-data/iam/security-credentials/"


class IMDSHandler(StrictHandler):
    def do_request(self, rec):
        status, body, ctype = self.server.fake.handle(self, rec)
        rec["status"] = status
        self.reply(status, body, ctype)


class FakeIMDS(Fake):
    def __init__(self, store, role="vigil-instance-role", lifetime_s=6 * 3600, host="127.0.0.1", port=0):
        super().__init__(IMDSHandler, host, port)
        self.store = store
        self.role = role
        self.lifetime_s = lifetime_s
        self.tokens = {}
        self.issued = []
        self.lock = threading.Lock()

    def _put_token(self, h, rec):
        ttl = h.header(rec, "X-aws-ec2-metadata-token-ttl-seconds")
        if rec["path"] != "/latest/api/token":
            return 404, "Not Found", "text/plain"
        if h.header(rec, "X-Forwarded-For") is not None:
            return 403, "Forbidden", "text/plain"
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            self.httpd.violate(f"token PUT with TTL header {ttl!r}")
            return 400, "Bad Request", "text/plain"
        token = "AQAEA" + secrets.token_urlsafe(40)
        with self.lock:
            self.tokens[token] = time.time() + int(ttl)
        return 200, token, "text/plain"

    def _valid(self, h, rec):
        tok = h.header(rec, "X-aws-ec2-metadata-token")
        with self.lock:
            exp = self.tokens.get(tok)
        return exp is not None and time.time() < exp

    def handle(self, h, rec):
        if rec["method"] == "PUT":
            return self._put_token(h, rec)
        if rec["method"] != "GET":
            self.httpd.violate(f"{rec['method']} {rec['path']}")
            return 405, "Method Not Allowed", "text/plain"
        if not self._valid(h, rec):
            self.httpd.violate(f"GET {rec['path']} without a valid token")
            return 401, "Unauthorized", "text/plain"
        if self.role is None or not rec["path"].startswith(CREDS):
            return 404, "Not Found", "text/plain"
        if rec["path"] == CREDS:
            return 200, self.role, "text/plain"
        if rec["path"] != CREDS + self.role:
            return 404, "Not Found", "text/plain"
        cred = self.store.issue(self.lifetime_s)
        with self.lock:
            self.issued.append(cred)
        doc = {"Code": "Success",
               "LastUpdated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "Type": "AWS-HMAC"}
        doc.update(self.store.document(cred))
        return 200, doc, "text/plain"
