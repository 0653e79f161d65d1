"""A loopback HTTPS reverse proxy (stdlib only) and the test PKI behind it.

`TestPki(dir)` makes, with the openssl command, a CA and a server certificate
for 127.0.0.1 / localhost signed by it. `TlsProxy(upstream, pki)` listens on
https://127.0.0.1:<port> with that certificate and forwards every request to
the plain-HTTP `upstream` (dynalite, s3rver), relaying the answer. A client
reaches the upstream through it only if it trusts the test CA."""
import http.client
import http.server
import os
import ssl
import subprocess
import threading
import urllib.parse


class TestPki:
    def __init__(self, directory):
        self.dir = directory
        self.ca_key = os.path.join(directory, "ca.key")
        self.ca_cert = os.path.join(directory, "ca.crt")
        self.key = os.path.join(directory, "server.key")
        self.cert = os.path.join(directory, "server.crt")
        run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.ca_key,
            "-out", self.ca_cert, "-days", "2", "-subj", "/CN=csv2ddb test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        csr = os.path.join(directory, "server.csr")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", csr,
            "-subj", "/CN=127.0.0.1")
        ext = os.path.join(directory, "server.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                    "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
        run("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
            "-CAcreateserial", "-out", self.cert, "-days", "2", "-extfile", ext)


class TlsProxy:
    def __init__(self, upstream, pki):
        up = urllib.parse.urlsplit(upstream)
        host, port = up.hostname, up.port
        self.requests = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: headers and body are two writes; with Nagle's algorithm the
            # body waits for the client's delayed ACK (~40 ms per request on loopback)
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def forward(self):
                proxy.requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(host, port, timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "keep-alive")}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                self.send_response(r.status, r.reason)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "keep-alive", "transfer-encoding",
                                         "content-length"):
                        self.send_header(k, v)
                length = r.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki.cert, pki.key)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return "https://127.0.0.1:%d" % self.server.server_address[1]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
