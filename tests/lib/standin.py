"""Loopback stand-ins for AWS endpoints that the suites script themselves (an
SNS that records what it was sent, a DynamoDB that echoes secrets in its
errors), and the environment that keeps a run away from the developer's own
AWS settings."""
import http.server
import os
import threading
import urllib.parse


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with reply()."""

    # TCP_NODELAY: reply() writes headers and body separately. Under HTTP/1.0 (the
    # default) closing the connection pushes the body out; a subclass speaking
    # HTTP/1.1 would otherwise wait ~40 ms per answer for the client's delayed ACK.
    disable_nagle_algorithm = True

    def reply(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class LoopbackStandIn:
    """Serves `handler` (a QuietHandler subclass) on a free loopback port in a
    thread for the duration of a `with` block; `endpoint` is its URL."""

    def __init__(self, handler):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


PUBLISH_OK = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>'
    "<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>"
    "<ResponseMetadata><RequestId>d74b8436</RequestId></ResponseMetadata></PublishResponse>")


class SnsStandIn(LoopbackStandIn):
    """Answers every POST with a PublishResponse; keeps (headers, form) of each
    in `requests`."""

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.requests.append((dict(self.headers), urllib.parse.parse_qs(body)))
                self.reply(200, "text/xml", PUBLISH_OK)

        super().__init__(Handler)


def env_without_aws(**overrides):
    """The process environment without any AWS_* variable, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(overrides)
    return env
