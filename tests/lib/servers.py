"""Loopback API servers for csv2ddb's tests: dynalite (DynamoDB) and s3rver (S3).

Both are pinned in tests/servers/package.json and installed by deps/npm.sh.
Use them as context managers; the server is always stopped, even when the test
fails or the interpreter exits early:

    with servers.Dynalite() as ddb:   # ddb.endpoint == "http://127.0.0.1:PORT"
        boto3.client("dynamodb", endpoint_url=ddb.endpoint, **servers.DUMMY_CREDENTIALS)
    with servers.S3rver() as s3:      # path-style; credentials in servers.S3RVER_CREDENTIALS
        ...

Each server runs in its own process group on a free loopback port; stop() kills
the whole group (SIGTERM, then SIGKILL after a grace period). Stdlib only.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = os.environ.get(
    "CSV2DDB_SOURCE_DIR",
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SERVERS_DIR = os.path.join(SOURCE_DIR, "tests", "servers")
NODE_MODULES = os.path.join(SERVERS_DIR, "node_modules")
REGION = "us-east-1"

# dynalite accepts any well-formed credentials and does not verify signatures.
DUMMY_CREDENTIALS = {
    "region_name": REGION,
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}
# s3rver verifies SigV4 signatures against its one built-in key pair.
S3RVER_CREDENTIALS = {
    "region_name": REGION,
    "aws_access_key_id": "S3RVER",
    "aws_secret_access_key": "S3RVER",
}

_live = set()  # servers started and not yet stopped, for the atexit hook


def free_port():
    """Returns a TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_installed():
    """Runs deps/npm.sh (a no-op when node_modules is current)."""
    subprocess.run(["bash", os.path.join(SOURCE_DIR, "deps", "npm.sh")], check=True)


class _Server:
    """One server process on 127.0.0.1:port. Not thread-safe; start and stop from one thread."""

    name = "server"
    start_timeout_s = 30.0

    def __init__(self):
        self.port = None
        self.proc = None
        self._log = None

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    def _argv(self):
        raise NotImplementedError

    def start(self):
        ensure_installed()
        last_error = None
        for _ in range(3):  # the free port can be taken between probe and bind: retry
            self.port = free_port()
            self._log = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                self._argv(), cwd=SERVERS_DIR, stdin=subprocess.DEVNULL,
                stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
            _live.add(self)
            try:
                self._wait_ready()
                return self
            except RuntimeError as e:
                last_error = e
                self._kill()
        self.stop()
        raise last_error

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s before listening:\n%s"
                                   % (self.name, self.proc.returncode, self.output()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not listen on port %d within %.0f s:\n%s"
                           % (self.name, self.port, self.start_timeout_s, self.output()))

    def output(self):
        """What the server printed so far (for failure messages)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self, grace_s=5.0):
        """Kills the server's process group and frees its files; safe to call twice."""
        _live.discard(self)
        self._kill(grace_s)

    def _kill(self, grace_s=5.0):
        if self.proc is not None:
            for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, grace_s)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class Dynalite(_Server):
    """dynalite, in memory, tables ACTIVE at once (no CREATING/DELETING/UPDATING delay)."""

    name = "dynalite"

    def _argv(self):
        return ["node", os.path.join(NODE_MODULES, "dynalite", "cli.js"),
                "--host", "127.0.0.1", "--port", str(self.port),
                "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]


class S3rver(_Server):
    """s3rver storing objects in a temporary directory removed at stop(); path-style only."""

    name = "s3rver"

    def __init__(self):
        super().__init__()
        self.directory = None

    def _argv(self):
        return ["node", os.path.join(NODE_MODULES, "s3rver", "bin", "s3rver.js"),
                "--directory", self.directory, "--port", str(self.port),
                "--address", "127.0.0.1", "--silent"]

    def start(self):
        self.directory = tempfile.mkdtemp(prefix="csv2ddb-s3rver-")
        return super().start()

    def stop(self, grace_s=5.0):
        super().stop(grace_s)
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def _stop_all():
    for server in list(_live):
        server.stop(grace_s=1.0)


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
# SIGTERM (e.g. from a ctest timeout) would otherwise skip atexit and leak servers.
if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
    signal.signal(signal.SIGTERM, _on_signal)
