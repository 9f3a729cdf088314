"""The microblog as a cluster of processes over a private RabbitMQ (HYPHA_CLUSTER=1).

What `make cluster` (scripts/rabbitmq-cluster.sh) runs, driven from pytest:

- `Broker`: one private RabbitMQ per test session, started and stopped with
  scripts/rabbitmq-test-broker.sh (random free ports, AMQP, Erlang
  distribution and its own epmd all on 127.0.0.1, data under the session's
  temporary directory, stopped by pid). `new_vhost()` hands out fresh vhosts
  (created in batches, one rabbitmqctl call each) so that private clusters do
  not share queues with the session's cluster or with each other.
- `ClusterServer`: one `hypha run` process per service (identity, social,
  search, gateway once; posts and timeline twice) sharing one DATA_DIR, each
  logging to its own file. It has the interface of conftest.ManagedServer
  (`url`, `start()`, `stop(sig)`, `kill()`, `is_running()`, `log_bytes()`,
  `data_dir`), where "the server" is the whole cluster: `stop()` signals the
  gateway first (it finishes its HTTP requests while the services still
  answer), then every other service; `kill()` SIGKILLs every process at once;
  `start()` brings all of them back on the same data dir and vhost, with the
  gateway on a new free port. `stop_service(name)` and `start_service(name)`
  stop and start every instance of one service while the rest keep running. Ready means: every process has logged
  "running <service>" (its consumers are up) and GET /health (which calls every
  service) answers 200, polled with a deadline.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
BROKER_SCRIPT = REPO_ROOT / "scripts" / "rabbitmq-test-broker.sh"
BROKER_TIMEOUT = 180.0  # the script waits up to 60 s for each of its own steps

# (service, --set overrides) per process, as in scripts/rabbitmq-cluster.sh;
# the gateway comes last (it is started once the others run).
SERVICES = [
    ("identity", ()),
    ("social", ()),
    ("search", ()),
    ("posts", ("POSTS_INSTANCE_ID=1",)),
    ("posts", ("POSTS_INSTANCE_ID=2",)),
    ("timeline", ()),
    ("timeline", ()),
]
GATEWAY = "gateway"


def hypha_path() -> Path:
    explicit = os.environ.get("HYPHA_BIN")
    if explicit:
        return Path(explicit)
    build_dir = Path(os.environ.get("HYPHA_BUILD_DIR") or REPO_ROOT / "build")
    return build_dir / "apps" / "hypha" / "hypha"


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


class Broker:
    """A private RabbitMQ on 127.0.0.1 (scripts/rabbitmq-test-broker.sh)."""

    VHOST_BATCH = 8

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.uri = None
        self._vhosts = []
        self._batches = 0

    def _script(self, *args, timeout=BROKER_TIMEOUT) -> str:
        try:
            done = subprocess.run(["bash", str(BROKER_SCRIPT), *args], stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"rabbitmq-test-broker.sh {' '.join(args)} took over {timeout}s", pytrace=False)
        if done.returncode != 0:
            pytest.fail(f"rabbitmq-test-broker.sh {' '.join(args)} failed (status {done.returncode}):\n"
                        f"{done.stderr}", pytrace=False)
        return done.stdout.strip()

    def start(self) -> "Broker":
        self.uri = self._script("start", str(self.dir))
        assert self.uri.startswith("amqp://") and self.uri.endswith("/"), self.uri
        return self

    def stop(self):
        # Stops the node, then its epmd, by the pids in their pid files.
        self._script("stop", str(self.dir))

    def new_vhost(self) -> str:
        """The URI of a vhost nobody used yet (guest has full permissions)."""
        if not self._vhosts:
            prefix = f"functional{self._batches}-"
            self._script("add-vhosts", str(self.dir), prefix, str(self.VHOST_BATCH))
            self._vhosts = [f"{prefix}{i}" for i in range(self.VHOST_BATCH)]
            self._batches += 1
        return self.uri + self._vhosts.pop(0)


@contextlib.contextmanager
def started_broker():
    """A private RabbitMQ in a fresh directory, stopped (by pid) and removed at exit.

    The directory is not under pytest's tmp_path: those are mode 0700 and the
    broker runs as the rabbitmq user when the tests run as root.
    """
    brk = Broker(Path(tempfile.mkdtemp(prefix="hypha-functional-broker.")))
    brk.dir.chmod(0o755)
    try:
        yield brk.start()
    finally:
        brk.stop()
    shutil.rmtree(brk.dir, ignore_errors=True)  # kept if it could not be stopped


class _Process:
    def __init__(self, index: int, service: str, overrides, log_path: Path):
        self.index = index
        self.service = service
        self.overrides = tuple(overrides)
        self.log_path = log_path
        self.proc = None
        self.log_offset = 0  # where this start's output begins in log_path

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def describe(self) -> str:
        pid = self.proc.pid if self.proc is not None else "-"
        return f"{self.service} #{self.index} (pid {pid}, log {self.log_path})"


class ClusterServer:
    """The microblog as one process per service over a RabbitMQ vhost."""

    managed = True

    def __init__(self, hypha: Path, amqp_uri: str, base_dir: Path, startup_timeout: float, stop_timeout: float,
                 free_port):
        self.hypha = Path(hypha)
        self.amqp_uri = amqp_uri
        self.base_dir = Path(base_dir)
        self.data_dir = self.base_dir / "data"
        self.log_dir = self.base_dir / "log"
        self.log_path = self.log_dir  # for report titles
        self.config_path = self.base_dir / "cluster.yaml"
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.free_port = free_port
        self.port = None
        self.starts = 0
        self.processes = [_Process(i, name, sets, self.log_dir / f"{i}-{name}.log")
                          for i, (name, sets) in enumerate(SERVICES)]
        self.gateway = _Process(len(SERVICES), GATEWAY, (), self.log_dir / f"{len(SERVICES)}-{GATEWAY}.log")

    @property
    def all_processes(self):
        return [*self.processes, self.gateway]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pids(self):
        return [p.proc.pid for p in self.all_processes if p.proc is not None]

    # ---- starting ---------------------------------------------------------

    def _spawn(self, p: _Process, extra=()):
        with open(p.log_path, "ab") as log:
            log.write(f"\n=== functional tests: start {self.starts} of {p.service} #{p.index} ===\n".encode())
            log.flush()
            p.log_offset = log.tell()
            args = [str(self.hypha), "run", "--config", str(self.config_path)]
            for item in (*p.overrides, *extra):
                args += ["--set", item]
            # Own session: a Ctrl-C on the terminal reaches pytest only, whose
            # teardown stops the services in order.
            p.proc = subprocess.Popen([*args, p.service], stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)

    def _has_run(self, p: _Process) -> bool:
        try:
            with open(p.log_path, "rb") as log:
                log.seek(p.log_offset)
                return f" running {p.service}\n".encode() in log.read()
        except FileNotFoundError:
            return False

    def _wait_ready(self, deadline: float):
        """None when ready, else the process that exited (or "timeout")."""
        pending = list(self.all_processes)
        while time.monotonic() < deadline:
            for p in self.all_processes:
                if not p.alive():
                    return p
            pending = [p for p in pending if not self._has_run(p)]
            if not pending:
                try:
                    if requests.get(self.url + "/health", timeout=2).status_code == 200:
                        return None
                except requests.RequestException:
                    pass
            time.sleep(0.02)
        return "timeout"

    def start(self) -> "ClusterServer":
        if not self.hypha.is_file():
            pytest.fail(f"hypha binary not found at {self.hypha}: build it (make build), "
                        "or set HYPHA_BUILD_DIR / HYPHA_BIN", pytrace=False)
        assert not any(p.alive() for p in self.all_processes), "cluster already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(f"AMQP_URI: {self.amqp_uri}\nDATA_DIR: {self.data_dir}\nLOG_LEVEL: info\n")
        self.starts += 1
        for p in self.processes:
            self._spawn(p)
        # A port found free can be taken before the gateway binds it: retry
        # with a new port if the gateway (only) dies during startup.
        deadline = time.monotonic() + self.startup_timeout
        for _ in range(3):
            self.port = self.free_port()
            self._spawn(self.gateway, (f"WEB_SERVER_ADDRESS=127.0.0.1:{self.port}",))
            failed = self._wait_ready(deadline)
            if failed is None:
                return self
            if failed is not self.gateway:
                break
        self.kill()
        if failed == "timeout":
            waiting = [p.describe() for p in self.all_processes if not self._has_run(p)]
            why = (f"not every process logged 'running <service>' within {self.startup_timeout}s: {waiting}"
                   if waiting else f"GET /health did not answer 200 within {self.startup_timeout}s")
        else:
            why = f"{failed.describe()} exited during startup (status {failed.proc.returncode})"
        pytest.fail(f"the cluster did not come up: {why}\n{self.log_tails(30)}", pytrace=False)

    # ---- stopping ---------------------------------------------------------

    def is_running(self) -> bool:
        return all(p.alive() for p in self.all_processes)

    def dead(self):
        return [p.describe() + f" status {p.proc.returncode}" for p in self.all_processes
                if p.proc is not None and p.proc.poll() is not None]

    def _stop_group(self, group, sig, timeout):
        """Signals every process in group, waits for all; SIGKILL after timeout."""
        for p in group:
            if p.alive():
                try:
                    os.kill(p.proc.pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        killed = []
        for p in group:
            if p.proc is None:
                continue
            try:
                p.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(p.proc.pid, signal.SIGKILL)
                p.proc.wait()
                killed.append(p)
        return killed

    def stop(self, sig: int = signal.SIGTERM, timeout: float = None):
        """Gateway first, then every service; each group gets `timeout`.

        Returns (first non-zero exit status, or 0; whether any process had to
        be SIGKILLed), like ManagedServer.stop.
        """
        if all(p.proc is None for p in self.all_processes):
            return None, False
        timeout = self.stop_timeout if timeout is None else timeout
        killed = self._stop_group([self.gateway], sig, timeout)
        killed += self._stop_group(self.processes, sig, timeout)
        self.killed_on_stop = [p.describe() for p in killed]
        statuses = [p.proc.returncode for p in self.all_processes if p.proc is not None]
        status = next((s for s in statuses if s != 0), 0)
        return status, bool(killed)

    def kill(self):
        """kill -9 on every process at once, no chance to clean up."""
        for p in self.all_processes:
            if p.alive():
                try:
                    os.kill(p.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return self.stop(signal.SIGKILL)

    # ---- one service at a time ----------------------------------------------

    def _instances(self, service: str):
        found = [p for p in self.processes if p.service == service]
        assert found, f"no service {service!r} in this cluster"
        return found

    def stop_service(self, service: str, sig: int = signal.SIGTERM):
        """Stops every instance of one service (the others keep running)."""
        killed = self._stop_group(self._instances(service), sig, self.stop_timeout)
        assert not killed, f"{service} ignored signal {sig} for {self.stop_timeout}s"

    def start_service(self, service: str):
        """Starts every instance of one service again; returns once each has
        logged "running <service>" (its consumers are up)."""
        group = self._instances(service)
        assert not any(p.alive() for p in group), f"{service} is still running"
        for p in group:
            self._spawn(p)
        deadline = time.monotonic() + self.startup_timeout
        while not all(self._has_run(p) for p in group):
            dead = [p.describe() for p in group if not p.alive()]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"{service} did not start again: {dead or 'timeout'}\n{self.log_tails(30)}",
                            pytrace=False)
            time.sleep(0.02)

    # ---- logs -------------------------------------------------------------

    def log_bytes(self) -> bytes:
        out = b""
        for p in self.all_processes:
            try:
                out += p.log_path.read_bytes()
            except FileNotFoundError:
                pass
        return out

    def log_text(self) -> str:
        return self.log_bytes().decode("utf-8", errors="replace")

    def log_tails(self, lines: int = 15) -> str:
        parts = []
        for p in self.all_processes:
            try:
                text = p.log_path.read_bytes().decode("utf-8", errors="replace")
            except FileNotFoundError:
                text = "(no log)"
            parts.append(f"--- {p.describe()}\n{_tail(text, lines)}")
        return "\n".join(parts)
