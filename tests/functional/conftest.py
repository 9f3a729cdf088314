"""Fixtures for the microblog black-box tests.

Two modes:
- Managed (default): the suite starts `hypha-microblog` itself, from
  `$HYPHA_BUILD_DIR/apps/microblog/hypha-microblog` (HYPHA_BUILD_DIR defaults
  to <repo>/build; HYPHA_MICROBLOG_BIN overrides the whole path), on a free
  127.0.0.1 port with a fresh data directory, logging to a file.
- External: with HYPHA_MICROBLOG_URL=http://host:port the suite starts
  nothing and runs against that URL; tests that must stop, kill or restart the
  process, or read its log, skip.
- Cluster: with HYPHA_CLUSTER=1 the suite starts a private RabbitMQ (one per
  session, scripts/rabbitmq-test-broker.sh) and the microblog as one
  `hypha run` process per service, two each for posts and timeline
  (`$HYPHA_BUILD_DIR/apps/hypha/hypha`, HYPHA_BIN overrides), as `make cluster`
  does; see cluster.py. Private servers (`server_factory`) are whole clusters
  of their own on a fresh vhost of the same broker, so restart, kill -9 and
  log tests run too: "the server" is every process of the cluster.

Fixtures:
- `server` (session): the shared server, `.url`, `.managed`.
- `server_factory` (function): `server_factory()` starts a private server
  (fresh data dir unless `data_dir=` is given) and returns a ManagedServer
  with `.stop()`, `.kill()`, `.start()` (restart on the same data dir, new
  port), `.log_text()`. Everything it started is stopped at teardown.
- `isolated_server`: a private server when managed, the external one otherwise
  (for tests whose effects, e.g. rate limits, should not leak into others).
- `api`: an anonymous Api client on the shared server.
- `new_user`: `new_user(prefix="u", with_token=True)` registers (and logs in)
  a fresh user on the shared server and returns a microblog_api.User.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from cluster import Broker, ClusterServer, hypha_path, started_broker
from microblog_api import Api, create_user

REPO_ROOT = Path(__file__).resolve().parents[2]
EXTERNAL_URL = (os.environ.get("HYPHA_MICROBLOG_URL") or "").strip() or None
CLUSTER = (os.environ.get("HYPHA_CLUSTER") or "").strip() not in ("", "0")
STARTUP_TIMEOUT = float(os.environ.get("HYPHA_STARTUP_TIMEOUT", "30"))
STOP_TIMEOUT = 10.0
NEEDS_PROCESS = "needs to start, stop or read the log of its own server process; not possible with HYPHA_MICROBLOG_URL"


def binary_path() -> Path:
    explicit = os.environ.get("HYPHA_MICROBLOG_BIN")
    if explicit:
        return Path(explicit)
    build_dir = Path(os.environ.get("HYPHA_BUILD_DIR") or REPO_ROOT / "build")
    return build_dir / "apps" / "microblog" / "hypha-microblog"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


class ExternalServer:
    managed = False

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def log_text(self) -> str:
        return ""


class ManagedServer:
    """One hypha-microblog process (restartable on the same data directory)."""

    managed = True

    def __init__(self, binary: Path, data_dir: Path, log_path: Path):
        self.binary = Path(binary)
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.proc = None
        self.port = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def start(self) -> "ManagedServer":
        if not self.binary.is_file():
            pytest.fail(f"microblog binary not found at {self.binary}: build it (make build), "
                        "or set HYPHA_BUILD_DIR / HYPHA_MICROBLOG_BIN, or HYPHA_MICROBLOG_URL", pytrace=False)
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # A port found free can be taken before the server binds it: retry a
        # few times with a new port if the process dies during startup.
        for attempt in range(3):
            self.port = free_port()
            self.starts += 1
            with open(self.log_path, "ab") as log:
                log.write(f"\n=== functional tests: start {self.starts} on port {self.port} ===\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    [str(self.binary), "--host", "127.0.0.1", "--port", str(self.port),
                     "--data-dir", str(self.data_dir)],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            if self._wait_healthy():
                return self
            if self.proc.poll() is None:
                self.kill()
                pytest.fail(f"server did not answer GET /health with 200 within {STARTUP_TIMEOUT}s; "
                            f"log tail:\n{tail(self.log_text())}", pytrace=False)
        pytest.fail(f"server exited during startup (exit status {self.proc.returncode}); "
                    f"log tail:\n{tail(self.log_text())}", pytrace=False)

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.02)
        return False

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT):
        """Sends sig to the pid, waits, SIGKILLs after timeout.

        Returns (exit status, whether it had to be killed).
        """
        if self.proc is None:
            return None, False
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
                return self.proc.returncode, True
        return self.proc.returncode, False

    def kill(self):
        """kill -9, no chance to clean up."""
        return self.stop(signal.SIGKILL)

    def log_bytes(self) -> bytes:
        try:
            return self.log_path.read_bytes()
        except FileNotFoundError:
            return b""

    def log_text(self) -> str:
        return self.log_bytes().decode("utf-8", errors="replace")


def pytest_configure(config):
    if CLUSTER and EXTERNAL_URL:
        raise pytest.UsageError("HYPHA_CLUSTER=1 starts its own cluster: unset HYPHA_MICROBLOG_URL")
    if CLUSTER:
        # SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so the session's
        # teardown stops the services and the broker by pid.
        def interrupt(signum, frame):
            raise KeyboardInterrupt(f"signal {signum}")
        signal.signal(signal.SIGTERM, interrupt)


def pytest_report_header(config):
    if CLUSTER:
        return f"microblog: cluster mode ({hypha_path()} per service, private RabbitMQ)"
    if EXTERNAL_URL:
        return f"microblog: external server {EXTERNAL_URL}"
    return f"microblog: {binary_path()}"


@pytest.fixture(scope="session")
def broker():
    """The session's private RabbitMQ (cluster mode only)."""
    assert CLUSTER
    with started_broker() as brk:
        yield brk


def new_cluster(broker: Broker, base: Path, vhost_uri=None) -> ClusterServer:
    return ClusterServer(hypha_path(), vhost_uri or broker.uri, base, STARTUP_TIMEOUT, STOP_TIMEOUT, free_port)


@pytest.fixture(scope="session")
def server(request, tmp_path_factory):
    if CLUSTER:
        srv = new_cluster(request.getfixturevalue("broker"), tmp_path_factory.mktemp("cluster"))
        try:
            srv.start()
            yield srv
        finally:
            dead = srv.dead()
            status, killed = srv.stop()
        if dead:
            pytest.fail(f"cluster processes died during the session: {dead}\n{srv.log_tails()}", pytrace=False)
        if killed:
            pytest.fail(f"cluster processes ignored SIGTERM for {STOP_TIMEOUT}s: {srv.killed_on_stop}\n"
                        f"{srv.log_tails()}", pytrace=False)
        return
    if EXTERNAL_URL:
        srv = ExternalServer(EXTERNAL_URL)
        try:
            requests.get(srv.url + "/health", timeout=5)
        except requests.RequestException as exc:
            pytest.fail(f"HYPHA_MICROBLOG_URL={EXTERNAL_URL} does not answer: {exc}", pytrace=False)
        yield srv
        return
    base = tmp_path_factory.mktemp("microblog")
    srv = ManagedServer(binary_path(), base / "data", base / "server.log")
    srv.start()
    yield srv
    died = not srv.is_running()
    status, killed = srv.stop()
    if died:
        pytest.fail(f"the shared server died during the session (exit status {status}); "
                    f"log tail:\n{tail(srv.log_text())}", pytrace=False)
    if killed:
        pytest.fail(f"the shared server ignored SIGTERM for {STOP_TIMEOUT}s; log tail:\n{tail(srv.log_text())}",
                    pytrace=False)


@pytest.fixture
def server_factory(request, tmp_path):
    if EXTERNAL_URL:
        pytest.skip(NEEDS_PROCESS)
    servers = []
    request.node.hypha_servers = servers
    brk = request.getfixturevalue("broker") if CLUSTER else None

    def make(data_dir=None) -> ManagedServer:
        n = len(servers)
        if CLUSTER:
            assert data_dir is None, "a private cluster always starts on a fresh data dir"
            srv = new_cluster(brk, tmp_path / f"cluster{n}", brk.new_vhost())
        else:
            srv = ManagedServer(binary_path(), Path(data_dir or tmp_path / f"data{n}"), tmp_path / f"server{n}.log")
        servers.append(srv)
        return srv.start()

    try:
        yield make
    finally:
        for srv in servers:
            srv.stop()


@pytest.fixture
def isolated_server(request, server):
    if not server.managed:
        return server
    return request.getfixturevalue("server_factory")()


@pytest.fixture
def api(server):
    client = Api(server.url)
    yield client
    client.close()


@pytest.fixture
def new_user(server):
    def make(prefix: str = "u", with_token: bool = True, password=None):
        return create_user(Api(server.url), prefix, password=password, with_token=with_token)
    return make


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach the tail of every involved server's log."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    servers = list(getattr(item, "hypha_servers", []))
    shared = getattr(item, "funcargs", {}).get("server")
    if shared is not None and shared.managed:
        servers.insert(0, shared)
    for srv in servers:
        text = srv.log_tails() if isinstance(srv, ClusterServer) else tail(srv.log_text(), 40)
        report.sections.append((f"server log tail ({srv.log_path})", text))
