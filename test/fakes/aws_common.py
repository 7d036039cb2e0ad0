"""Shared pieces of vigil's local AWS fakes: a credential registry, a strict
recording HTTP server, and SigV4 verification with botocore.

The fakes run as threads of the pytest process (or of aws_netns_run.py),
listen on loopback (or a link-local address inside a network namespace),
and record every request plus every way a request broke the protocol
(`violations`). Tests assert that `violations` is empty.

Python 3 stdlib and botocore only.
"""
import datetime
import json
import secrets
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCOUNT = "123456789012"


def iso8601(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CredentialStore:
    """Credentials the fakes hand out, so the SSM fake can check what signs."""

    def __init__(self):
        self._lock = threading.Lock()
        self._by_id = {}
        self._n = 0
        self.revoked = set()

    def issue(self, lifetime_s=3600, token=True, prefix="ASIA"):
        with self._lock:
            self._n += 1
            akid = f"{prefix}FAKE{self._n:04d}{secrets.token_hex(4).upper()}"
            cred = {
                "AccessKeyId": akid,
                "SecretAccessKey": secrets.token_urlsafe(30),
                "Token": ("FQoGZXIvYXdzE" + secrets.token_urlsafe(300)) if token else None,
                "exp": time.time() + lifetime_s if lifetime_s else None,
            }
            self._by_id[akid] = cred
            return dict(cred)

    def add_static(self, akid, secret, token=None):
        with self._lock:
            self._by_id[akid] = {"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token, "exp": None}

    def lookup(self, akid):
        with self._lock:
            c = self._by_id.get(akid)
            return dict(c) if c else None

    def document(self, cred, role_arn=None):
        """The JSON body ECS and IMDS return for a credential."""
        doc = {
            "AccessKeyId": cred["AccessKeyId"],
            "SecretAccessKey": cred["SecretAccessKey"],
            "Token": cred["Token"],
            "Expiration": iso8601(cred["exp"]),
        }
        if role_arn:
            doc["RoleArn"] = role_arn
        return doc


def botocore_sign(method, url, headers, body, akid, secret, token, region, service, amz_date):
    """Canonical request, string to sign and Authorization as botocore computes
    them for exactly these headers (the ones the client said it signed)."""
    req = AWSRequest(method=method, url=url, data=body, headers=headers)
    req.context["timestamp"] = amz_date
    auth = SigV4Auth(Credentials(akid, secret, token), service, region)
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    sig = auth.signature(sts, req)
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    signed = auth.signed_headers(auth.headers_to_sign(req))
    authz = f"AWS4-HMAC-SHA256 Credential={akid}/{scope}, SignedHeaders={signed}, Signature={sig}"
    return creq, sts, authz


def parse_authorization(value):
    """{'akid','date','region','service','terminator','signed_headers','signature'} or None."""
    if not value or not value.startswith("AWS4-HMAC-SHA256 "):
        return None
    parts = {}
    for item in value[len("AWS4-HMAC-SHA256 "):].split(", "):
        k, _, v = item.partition("=")
        parts[k] = v
    try:
        akid, date, region, service, term = parts["Credential"].split("/")
        return {"akid": akid, "date": date, "region": region, "service": service, "terminator": term,
                "signed_headers": parts["SignedHeaders"].split(";"), "signature": parts["Signature"]}
    except (KeyError, ValueError):
        return None


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler):
        super().__init__(addr, handler)
        self.requests = []
        self.violations = []
        self.lock = threading.Lock()

    def violate(self, msg):
        with self.lock:
            self.violations.append(msg)


class StrictHandler(BaseHTTPRequestHandler):
    """Reads the request fully (Content-Length only: no chunked bodies from
    vigil), records it, and dispatches to do_request()."""
    protocol_version = "HTTP/1.1"
    server_version = "AmazonFake"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def _read(self):
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            self.server.violate(f"{self.command} {self.path}: chunked body")
            return b""
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _handle(self):
        body = self._read()
        rec = {"method": self.command, "path": self.path, "headers": list(self.headers.items()),
               "body": body, "time": time.time()}
        with self.server.lock:
            self.server.requests.append(rec)
        self.do_request(rec)

    do_GET = do_PUT = do_POST = do_DELETE = _handle

    def header(self, rec, name):
        vals = [v for k, v in rec["headers"] if k.lower() == name.lower()]
        if len(vals) > 1:
            self.server.violate(f"{rec['path']}: header {name} sent {len(vals)} times")
        return vals[0] if vals else None

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_request(self, rec):
        raise NotImplementedError


class Fake:
    """Start/stop a RecordingServer with a handler class in a thread."""

    def __init__(self, handler, host="127.0.0.1", port=0, tls=None):
        """tls: (certificate file, key file) to serve https on `localhost`."""
        self.httpd = RecordingServer((host, port), handler)
        self.httpd.fake = self
        self.host = host
        self.port = self.httpd.server_address[1]
        self.tls = tls
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        if self.tls:
            return f"https://localhost:{self.port}"
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def violations(self):
        return self.httpd.violations

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def request_id():
    return str(uuid.uuid4())
