"""``ragsell serve`` as a user runs it: a real process on 127.0.0.1 with the embedded store."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

RAGSELL = Path(sys.executable).parent / "ragsell"
START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(call, timeout=10) as response:  # noqa: S310 - http://127.0.0.1 only
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        # A file, not a pipe: a pipe nobody reads would stall the server once full.
        self.output = (data_dir.parent / f"serve-{self.port}.log").open("w+")
        self.process = subprocess.Popen(
            [RAGSELL, "serve", "--port", str(self.port), "--data-dir", str(data_dir)],
            env={**_clean_env(), **(env or {})},
            stdout=self.output,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def log(self) -> str:
        self.output.seek(0)
        return self.output.read()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ragsell exited: {self.log()}")
            try:
                if request(self.port, "GET", "/health/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("ragsell did not become ready")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.output.close()


def _clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("RAGSELL_")}


def nx_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "mongo" / "nx.pid"
    return int(pid_file.read_text()) if pid_file.exists() else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split()[2] != "Z"


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"


SIGN_UP = {"name": "Ann", "email": "ann@example.com", "password": "correct horse battery", "confirmsMinimumAge": True}
LOG_IN = {"email": "ann@example.com", "password": "correct horse battery"}


def test_serve_keeps_data_across_restarts_and_stops_its_store(data_dir: Path) -> None:
    server = Server(data_dir)
    server.wait_ready()
    assert request(server.port, "POST", "/api/accounts", SIGN_UP)[0] == 201
    store_pid = nx_pid(data_dir)
    assert store_pid is not None and alive(store_pid)
    assert server.stop() == 0
    assert not alive(store_pid)

    again = Server(data_dir)
    again.wait_ready()
    status, body = request(again.port, "POST", "/api/session", LOG_IN)
    assert (status, body["owner"]["email"]) == (200, "ann@example.com")
    assert again.stop(signal.SIGINT) == 0


def test_second_serve_on_the_same_data_directory_is_refused(data_dir: Path) -> None:
    first = Server(data_dir)
    first.wait_ready()
    try:
        second = Server(data_dir)
        assert second.process.wait(timeout=30) == 2
        output = second.log()
        second.output.close()
        assert "already using the data directory" in output
        assert "Traceback" not in output
    finally:
        first.stop()


def test_data_survives_kill_9_of_both_processes(data_dir: Path) -> None:
    server = Server(data_dir)
    server.wait_ready()
    assert request(server.port, "POST", "/api/accounts", SIGN_UP)[0] == 201
    store_pid = nx_pid(data_dir)
    os.kill(store_pid, signal.SIGKILL)
    server.stop(signal.SIGKILL)

    again = Server(data_dir)
    again.wait_ready()
    assert request(again.port, "POST", "/api/session", LOG_IN)[0] == 200
    again.stop()


def test_unreachable_mongodb_gives_a_clear_message_and_non_zero_exit(data_dir: Path) -> None:
    result = subprocess.run(
        [RAGSELL, "serve", "--port", str(free_port()), "--data-dir", str(data_dir)],
        env={**_clean_env(), "RAGSELL_MONGODB_URI": f"mongodb://user:hunter2@127.0.0.1:{free_port()}/"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Cannot reach MongoDB" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RAGSELL_PORT", "eighty"),
        ("RAGSELL_STORE", "redis"),
        ("RAGSELL_NO_SUCH_SETTING", "1"),
        ("RAGSELL_PUBLIC_URL", "ftp://x"),
    ],
)
def test_bad_setting_stops_start_up_naming_the_variable(data_dir: Path, variable: str, value: str) -> None:
    result = subprocess.run(
        [RAGSELL, "serve", "--data-dir", str(data_dir)],
        env={**_clean_env(), variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_admin_set_plan_changes_an_owners_plan_beside_a_running_server(data_dir: Path) -> None:
    server = Server(data_dir)
    server.wait_ready()
    try:
        request(server.port, "POST", "/api/accounts", SIGN_UP)
        changed = subprocess.run(
            [RAGSELL, "admin", "set-plan", "ANN@example.com", "pro", "--data-dir", str(data_dir)],
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert changed.returncode == 0, changed.stderr
        unknown = subprocess.run(
            [RAGSELL, "admin", "set-plan", "ann@example.com", "platinum", "--data-dir", str(data_dir)],
            env=_clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert unknown.returncode == 1
        assert "no plan called 'platinum'" in unknown.stderr
        status, body = request(server.port, "POST", "/api/session", LOG_IN)
        assert (status, body["owner"]["plan"]) == (200, "pro")
    finally:
        server.stop()
