"""Fixtures of the kombu interop suite: a private RabbitMQ and the greeter
example served over it by `hypha run`, both on 127.0.0.1 and stopped by pid.

kombu 5.2.4 and py-amqp 5.1.1 (Debian's python3-kombu) are the versions that
Nameko 2.14's messages in ../shared/docs/nameko-wire.md were captured with:
what they write is what Nameko writes, and what they cannot read, Nameko
cannot either.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BROKER_SCRIPT = REPO_ROOT / "scripts" / "rabbitmq-test-broker.sh"


def hypha_path() -> Path:
    build_dir = Path(os.environ.get("HYPHA_BUILD_DIR") or REPO_ROOT / "build")
    return build_dir / "apps" / "hypha" / "hypha"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def broker_uri():
    # Not under pytest's tmp_path: that is mode 0700, and the broker runs as
    # the rabbitmq user when the tests run as root.
    directory = Path(tempfile.mkdtemp(prefix="hypha-interop-broker."))
    directory.chmod(0o755)
    started = subprocess.run(["bash", str(BROKER_SCRIPT), "start", str(directory)], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=240)
    try:
        if started.returncode != 0:
            pytest.fail(f"the private RabbitMQ did not start:\n{started.stderr[-2000:]}", pytrace=False)
        yield started.stdout.strip()
    finally:
        stopped = subprocess.run(["bash", str(BROKER_SCRIPT), "stop", str(directory)], stdin=subprocess.DEVNULL,
                                 capture_output=True, timeout=120)
        if stopped.returncode == 0:
            shutil.rmtree(directory, ignore_errors=True)  # kept if the broker could not be stopped


class Service:
    """One `hypha run` process, its log in a file."""

    def __init__(self, args, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen([str(hypha_path()), "run", *args], stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def greeter(broker_uri, tmp_path_factory):
    """The greeter example (examples/greeter.hpp) served over the broker."""
    log_path = tmp_path_factory.mktemp("greeter") / "greeter.log"
    service = Service(["greeter", "--set", f"AMQP_URI={broker_uri}",
                       "--set", f"WEB_SERVER_ADDRESS=127.0.0.1:{free_port()}"], log_path)
    try:
        if not service.wait_for_log("running greeter"):
            pytest.fail(f"hypha run greeter did not start:\n{service.log()[-3000:]}", pytrace=False)
        yield service
    finally:
        service.stop()


def run_hypha(*args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([str(hypha_path()), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)
