"""HTTP/2 for the fake receiver (receiver.py --tls CERT KEY --h2).

The TLS socket offers h2 by ALPN; a connection that negotiated it is served
here with the h2 library (Debian python3-h2): each stream's headers and
body are handed to receiver.py's own Handler logic, through a request
object that looks like what BaseHTTPRequestHandler gives it, so HTTP/1.1
and HTTP/2 requests are checked by the same code. The state records h2
connections and streams, so a test can see that vigil used HTTP/2 and
multiplexed batches over few connections.
"""
import io

import h2.config
import h2.connection
import h2.events


class _Headers:
    """Case-insensitive .get(), as http.server's message object."""

    def __init__(self, pairs):
        self._d = {k.lower(): v for k, v in pairs}

    def get(self, name, default=None):
        return self._d.get(name.lower(), default)


def _stream_handler(handler_cls, server, headers, body):
    """A Handler that answers into a list instead of a socket."""
    h = handler_cls.__new__(handler_cls)
    h.server = server
    h.headers = _Headers(headers)
    h.path = h.headers.get(":path", "/")
    h.command = h.headers.get(":method", "GET")
    h.answer = None
    h.body = body
    h.rfile = io.BytesIO(body)

    def send(status, payload, extra):
        h.answer = (status, payload, extra)

    def reset():
        h.answer = "reset"

    h._send = send  # Handler._reply still counts the status
    h._read_body = lambda: h.body
    h._reset = reset
    return h


def serve(sock, server, handler_cls):
    """Serve one TLS connection that negotiated h2, until it closes."""
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False,
                                                                header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    with server.st.lock:
        server.st.h2_connections += 1
    streams = {}
    while True:
        data = sock.recv(65536)
        if not data:
            return
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                streams[ev.stream_id] = (ev.headers, bytearray())
            elif isinstance(ev, h2.events.DataReceived):
                streams[ev.stream_id][1].extend(ev.data)
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                headers, body = streams.pop(ev.stream_id)
                if _answer(conn, ev.stream_id, handler_cls, server, headers, bytes(body)):
                    sock.close()
                    return
            elif isinstance(ev, h2.events.ConnectionTerminated):
                sock.sendall(conn.data_to_send())
                return
        sock.sendall(conn.data_to_send())


def _answer(conn, stream_id, handler_cls, server, headers, body):
    """Run the request through Handler; True when the connection must drop."""
    with server.st.lock:
        server.st.h2_streams += 1
    h = _stream_handler(handler_cls, server, headers, body)
    if h.command == "POST":
        h.do_POST()
    else:
        h.do_GET()
    if h.answer == "reset" or h.answer is None:
        return True
    status, payload, extra = h.answer
    out = [(":status", str(status)), ("content-length", str(len(payload)))]
    out += [(k.lower(), str(v)) for k, v in extra.items()]
    conn.send_headers(stream_id, out, end_stream=not payload)
    if payload:
        conn.send_data(stream_id, payload, end_stream=True)
    return False
