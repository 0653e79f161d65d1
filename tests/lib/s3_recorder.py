"""A loopback reverse proxy in front of an S3 server that records every
request (method, path) and can hold the answer of one chosen request: the
request reaches the server (the object is stored) and the proxy then waits,
with the client still waiting for the answer, until released. A test kills the
client meanwhile, so the kill lands at a known point, without timing.

    with S3Recorder(s3.endpoint) as rec:
        rec.hold_when = lambda method, path: method == "PUT" and "/data/" in path
        ... start csv2ddb against rec.endpoint ...
        rec.held.wait()     # that request is stored upstream, unanswered
        proc.kill()
        rec.release()
        rec.requests        # [("PUT", "/bucket/key"), ...]
"""
import http.client
import http.server
import threading
import urllib.parse

from standin import LoopbackStandIn


class S3Recorder(LoopbackStandIn):
    def __init__(self, upstream):
        rec = self
        self.upstream = urllib.parse.urlsplit(upstream)
        self.requests = []
        self.hold_when = None
        self.held = threading.Event()
        self._release = threading.Event()
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: headers and body are two writes; with Nagle's algorithm the
            # body waits for the client's delayed ACK (~40 ms per request on loopback)
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def relay(self):
                n = int(self.headers.get("Content-Length", 0) or 0)
                body = self.rfile.read(n) if n else None
                path = urllib.parse.urlsplit(self.path).path
                with rec.lock:
                    rec.requests.append((self.command, urllib.parse.unquote(path)))
                    hold = (rec.hold_when is not None and not rec.held.is_set()
                            and rec.hold_when(self.command, urllib.parse.unquote(path)))
                conn = http.client.HTTPConnection(rec.upstream.hostname, rec.upstream.port,
                                                  timeout=60)
                headers = {k: v for k, v in self.headers.items()}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if hold:
                    rec.held.set()
                    rec._release.wait(120)
                    self.close_connection = True
                    return
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                length = resp.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay

        super().__init__(Handler)

    def release(self):
        self._release.set()

    def puts(self, fragment):
        with self.lock:
            return [p for m, p in self.requests if m == "PUT" and fragment in p]
