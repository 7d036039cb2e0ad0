#!/usr/bin/env python3
"""A fake of the SaaS alert endpoint (and of Falcosidekick), on loopback.

It checks what vigil sends the way the real endpoint must: gzip body,
schema (test/fakes/alert-batch.schema.json), Bearer key, optional HMAC
signature, Idempotency-Key (a repeated key is acknowledged and not counted
again). Tests script failures through POST /_control and read what arrived
through GET /_state.

    receiver.py [--port N] [--port-file F] [--tls CERT KEY [--h2]] [--key K]
                [--hmac-key K] [--state-file F] [--fast]

--h2 offers HTTP/2 by ALPN (receiver_h2.py); clients that do not take it
get HTTP/1.1 as before.

Paths: POST / (batches), POST /falco (Falcosidekick: one alert, plain JSON),
POST /_control (JSON: mode settings below), GET /_state.

Modes (POST /_control, fields merged into the current settings):
  {"status": 500, "times": 3}      answer 500 to the next 3 batches (times -1: always)
  {"status": 429, "retry_after": "2", "times": 1}
  {"max_body": 2000}               413 for bodies over 2000 bytes
  {"delay": 3.0, "times": 1}       process, then wait 3 s before answering
  {"reset": true, "times": 2}      read half the body, then reset the connection
  {"down": true}                   reset every connection at once (until {"down": false})
  {"key": "new"}                   the Bearer key that is accepted from now on
  {"reset_all": true}              back to answering 200 to everything
--state-file keeps the idempotency keys and alert counts across restarts
(for kill -9 / outage tests where the receiver itself goes away).
"""
import argparse
import gzip
import hashlib
import hmac
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("alert-batch.schema.json")
MAX_BODY = 64 << 20  # never trust a Content-Length further than this


# -- a small JSON Schema subset (jsonschema is not installed here) --------

def _type_ok(value, want):
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool}
    if want == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if want == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if want == "null":
        return value is None
    return isinstance(value, kinds[want])


def validate(value, schema, path="$"):
    """Errors (strings) of `value` against the subset of JSON Schema we use."""
    errs = []
    if "type" in schema and not _type_ok(value, schema["type"]):
        return [f"{path}: not {schema['type']}"]
    if "const" in schema and value != schema["const"]:
        errs.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errs.append(f"{path}: too short")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and "minimum" in schema and value < schema["minimum"]:
        errs.append(f"{path}: below {schema['minimum']}")
    if isinstance(value, dict):
        for k in schema.get("required", []):
            if k not in value:
                errs.append(f"{path}: missing {k}")
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                errs += validate(v, props[k], f"{path}.{k}")
            elif isinstance(schema.get("additionalProperties"), dict):
                errs += validate(v, schema["additionalProperties"], f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{path}: unexpected {k}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            errs.append(f"{path}: fewer than {schema['minItems']} items")
        if "items" in schema:
            for i, v in enumerate(value):
                errs += validate(v, schema["items"], f"{path}[{i}]")
    return errs


# -- state ----------------------------------------------------------------

class State:
    def __init__(self, key, hmac_key, state_file, fast):
        self.lock = threading.Lock()
        self.key = key
        self.hmac_key = hmac_key.encode() if hmac_key else None
        self.fast = fast
        self.state_file = state_file
        self.schema = json.loads(SCHEMA_PATH.read_text())
        self.mode = {}
        self.keys = set()          # idempotency keys accepted
        self.alerts = 0            # alerts in accepted (unique) batches
        self.seqs = []             # output_fields["vigil.seq"] of those alerts
        self.health = 0            # `vigil health` alerts among them
        self.batches = 0
        self.duplicates = 0
        self.requests = 0
        self.bytes_in = 0          # compressed bytes of accepted batches
        self.raw_bytes = 0         # the same, decompressed
        self.statuses = {}
        self.errors = []           # validation failures: a test fails on any
        self.sidekick = []         # alerts posted to /falco
        self.auth_seen = []        # Bearer keys presented (for rotation tests)
        self.max_batch_alerts = 0
        self.max_body_seen = 0
        self.times = []            # (time, status) of each batch request
        self.last_counters = {}
        self.last_task = {}        # the "task" object of the last batch
        self.uuids = set()         # alerts (not health) by uuid: real vigil alerts have no seq
        self.h2_connections = 0    # connections that negotiated HTTP/2
        self.h2_streams = 0        # requests served over them
        if state_file and Path(state_file).exists():
            for line in Path(state_file).read_text().splitlines():
                rec = json.loads(line)
                self._accept(rec["key"], rec["seqs"], rec["health"], 0, 0, persist=False)

    def _accept(self, key, seqs, health, nbytes, raw, persist=True):
        self.keys.add(key)
        self.batches += 1
        self.seqs += seqs
        self.alerts += len(seqs) + health
        self.health += health
        self.bytes_in += nbytes
        self.raw_bytes += raw
        if persist and self.state_file:
            with open(self.state_file, "a") as f:
                f.write(json.dumps({"key": key, "seqs": seqs, "health": health}) + "\n")
                f.flush()
                os.fsync(f.fileno())

    def take_mode(self, name):
        """The setting `name` if active, consuming one of its `times`."""
        with self.lock:
            m = self.mode.get(name)
            if m is None:
                return None
            times = m.get("times", -1)
            if times == 0:
                del self.mode[name]
                return None
            if times > 0:
                m["times"] = times - 1
            return m

    def snapshot(self):
        with self.lock:
            return {
                "alerts": self.alerts, "batches": self.batches, "health": self.health,
                "duplicates": self.duplicates, "requests": self.requests,
                "unique_seqs": len(set(self.seqs)), "seq_dups": len(self.seqs) - len(set(self.seqs)),
                "seqs": sorted(set(self.seqs)) if len(self.seqs) < 200000 else [],
                "bytes_in": self.bytes_in, "raw_bytes": self.raw_bytes,
                "statuses": dict(self.statuses), "errors": list(self.errors[:20]),
                "sidekick": len(self.sidekick), "sidekick_seqs": sorted(self.sidekick),
                "auth_seen": list(dict.fromkeys(self.auth_seen)),
                "max_batch_alerts": self.max_batch_alerts, "max_body_seen": self.max_body_seen,
                "times": list(self.times[-2000:]), "last_counters": self.last_counters,
                "last_task": self.last_task, "uuids": sorted(u for u in self.uuids if u),
                "h2_connections": self.h2_connections, "h2_streams": self.h2_streams,
            }


# -- HTTP -----------------------------------------------------------------

def _seq_of(alert):
    f = alert.get("output_fields") or {}
    return f.get("vigil.seq")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: vigil reuses connections
    server_version = "fake-receiver"

    def log_message(self, fmt, *args):  # quiet: tests read /_state
        pass

    def _send(self, status, body, headers):
        """Put the answer on the wire (HTTP/1.1; receiver_h2 replaces this)."""
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _reply(self, status, body=b"", headers=None):
        self._send(status, body, headers or {})
        st = self.server.st
        with st.lock:
            st.statuses[str(status)] = st.statuses.get(str(status), 0) + 1

    def _reset(self):
        """Close with RST (SO_LINGER 0): a connection reset, mid-request."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        if self.path == "/_state":
            self._reply(200, json.dumps(self.server.st.snapshot()).encode(),
                        {"Content-Type": "application/json"})
        else:
            self._reply(404)

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            raise ValueError("bad Content-Length")
        return self.rfile.read(n)

    def do_POST(self):
        st = self.server.st
        if self.path == "/_control":
            cmd = json.loads(self._read_body() or b"{}")
            with st.lock:
                if cmd.pop("reset_all", False):
                    st.mode = {}
                if "key" in cmd:
                    st.key = cmd.pop("key")
                for name in ("status", "max_body", "delay", "reset", "down"):
                    if name in cmd:
                        val = cmd[name]
                        if val is False or val is None:
                            st.mode.pop(name, None)
                        else:
                            st.mode[name] = {"value": val, "times": cmd.get("times", -1),
                                             "retry_after": cmd.get("retry_after")}
            self._reply(200, b"{}")
            return
        with st.lock:
            st.requests += 1
        if st.take_mode("down"):
            self._reset()
            return
        if st.take_mode("reset"):
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(max(0, min(n, MAX_BODY) // 2))
            self._reset()
            return
        body = self._read_body()
        if self.path == "/falco":
            self._sidekick(body)
        else:
            self._batch(body)

    def _sidekick(self, body):
        st = self.server.st
        try:
            alert = json.loads(body)
            errs = validate(alert, st.schema["properties"]["alerts"]["items"], "$alert")
        except ValueError as e:
            errs = [f"sidekick: {e}"]
        with st.lock:
            if errs:
                st.errors += errs
            else:
                st.sidekick.append(_seq_of(alert))
        self._reply(400 if errs else 200)

    def _check_headers(self, body):
        """An error message, or None when headers and signature are right."""
        st = self.server.st
        if self.headers.get("Content-Encoding") != "gzip":
            return "Content-Encoding is not gzip"
        if not (self.headers.get("Content-Type") or "").startswith("application/json"):
            return "Content-Type is not application/json"
        if not re.fullmatch(r"[0-9a-f-]{36}", self.headers.get("Idempotency-Key") or ""):
            return "no Idempotency-Key"
        if st.hmac_key:
            want = "sha256=" + hmac.new(st.hmac_key, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, self.headers.get("X-Vigil-Signature") or ""):
                return "bad X-Vigil-Signature"
        return None

    def _batch(self, body):
        st = self.server.st
        auth = self.headers.get("Authorization") or ""
        with st.lock:
            st.auth_seen.append(auth[7:] if auth.startswith("Bearer ") else auth)
            st.times.append((time.time(), len(body)))
            st.max_body_seen = max(st.max_body_seen, len(body))
        if st.key is not None and auth != f"Bearer {st.key}":
            self._reply(401, b'{"error":"bad key"}')
            return
        m = st.take_mode("max_body")
        if m and len(body) > m["value"]:
            self._reply(413, b'{"error":"too large"}')
            return
        m = st.take_mode("status")
        if m:
            hdr = {"Retry-After": str(m["retry_after"])} if m.get("retry_after") else {}
            self._reply(m["value"], b'{"error":"scripted"}', hdr)
            return
        err = self._check_headers(body)
        doc = None
        if not err:
            try:
                raw = gzip.decompress(body)
                doc = self._count_fast(raw) if st.fast else json.loads(raw)
            except (OSError, ValueError, EOFError) as e:
                err = f"body: {e}"
        if not err and not st.fast:
            errs = validate(doc, st.schema)
            if doc.get("batch", {}).get("count") != len(doc.get("alerts", [])):
                errs.append("batch.count differs from the alerts")
            err = "; ".join(errs[:5]) if errs else None
        if err:
            with st.lock:
                st.errors.append(err)
            self._reply(400, json.dumps({"error": err}).encode())
            return
        self._record(body, raw, doc)
        m = st.take_mode("delay")
        if m:  # processed, then slow: the client may time out and retry
            time.sleep(m["value"])
        self._reply(200, b'{"ok":true}')

    @staticmethod
    def _count_fast(raw):
        m = re.search(rb'"batch":\{"id":"[^"]*","count":(\d+)', raw)
        return {"fast_count": int(m.group(1)) if m else 0}

    def _record(self, body, raw, doc):
        st = self.server.st
        key = self.headers.get("Idempotency-Key")
        with st.lock:
            if key in st.keys:
                st.duplicates += 1
                return
            if st.fast:
                st.keys.add(key)
                st.batches += 1
                st.alerts += doc["fast_count"]
                st.bytes_in += len(body)
                st.raw_bytes += len(raw)
                return
            alerts = doc["alerts"]
            health = sum(1 for a in alerts if a.get("rule") == "vigil health")
            seqs = [_seq_of(a) for a in alerts if a.get("rule") != "vigil health"]
            st.max_batch_alerts = max(st.max_batch_alerts, len(alerts))
            st.last_counters = doc["agent"]["counters"]
            st.last_task = doc.get("task", {})
            st.uuids.update(a.get("uuid") for a in alerts if a.get("rule") != "vigil health")
            st._accept(key, seqs, health, len(body), len(raw))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # scripted resets and client timeouts end connections rudely

    def finish_request(self, request, client_address):
        alpn = getattr(request, "selected_alpn_protocol", lambda: None)()
        if alpn == "h2":
            import receiver_h2
            receiver_h2.serve(request, self, Handler)
        else:
            super().finish_request(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--h2", action="store_true", help="offer HTTP/2 (ALPN; needs --tls)")
    ap.add_argument("--key", help="the Bearer key to accept (default: any)")
    ap.add_argument("--hmac-key")
    ap.add_argument("--state-file")
    ap.add_argument("--fast", action="store_true", help="count alerts only (benchmark)")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.st = State(a.key, a.hmac_key, a.state_file, a.fast)
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        if a.h2:
            ctx.set_alpn_protocols(["h2", "http/1.1"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        Path(tmp).write_text(str(port))
        os.rename(tmp, a.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
