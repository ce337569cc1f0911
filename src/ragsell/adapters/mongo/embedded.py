"""The embedded store: a local nx-27017 server (MongoDB wire protocol over SQLite files)
that ``ragsell serve`` starts when no MongoDB URI is configured.

Layout of the data directory::

    DATA/ragsell.lock      held (flock) by the ragsell process that runs the server
    DATA/mongo/            one SQLite file per database, nx.log, nx.pid
"""

import contextlib
import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from ragsell.adapters.mongo.errors import DataDirectoryInUse, EmbeddedStoreFailed

LOCK_FILE = "ragsell.lock"
MONGO_DIR = "mongo"
_PORT_ATTEMPTS = 3
_LOG_TAIL_LINES = 5


def nx_executable() -> Path:
    """The nx-27017 script installed beside the running Python (same venv)."""
    return Path(sys.executable).parent / "nx-27017"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _parent_death_signal() -> Callable[[], None] | None:
    """Linux: a function for the child (run between fork and exec) that has the kernel
    stop the server when the process that started it dies without stopping it (kill -9),
    so no orphan keeps serving the data directory. libc is looked up here, in the parent:
    the child must not import or take locks another thread may have held at fork time."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def in_child() -> None:  # pragma: no cover - runs in the child
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return in_child


class EmbeddedMongo:
    """Runs nx-27017 on 127.0.0.1 on a free port over ``DATA/mongo`` for as long as it is
    started (use it as a context manager).

    Only one ragsell may run the store of a data directory: an exclusive lock on
    ``DATA/ragsell.lock`` is taken first and held until ``stop``; a second one gets
    DataDirectoryInUse. The server runs as a child process in its own session (a Ctrl-C
    in the terminal reaches ragsell, which then stops the server in order) and, on Linux,
    dies with the thread that started it if ragsell is killed.
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
        stop_timeout: float = 10.0,
        executable: Path | None = None,
    ) -> None:
        # Absolute, so the server's arguments name the directory whatever the working directory.
        self.data_dir = Path(data_dir).absolute()
        self.mongo_dir = self.data_dir / MONGO_DIR
        self._host = host
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._executable = executable or nx_executable()
        self._lock: IO[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None

    @property
    def uri(self) -> str:
        if self._port is None:
            raise RuntimeError("The embedded store is not started.")
        return f"mongodb://{self._host}:{self._port}/?directConnection=true"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (tests kill it to check durability)."""
        return None if self._process is None else self._process.pid

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> str:
        """Start the server and wait until it answers a ping; returns its URI."""
        if self._process is not None:
            raise RuntimeError("The embedded store is already started.")
        if not self._executable.exists():
            raise EmbeddedStoreFailed(
                f"The embedded database server is not installed ({self._executable} is missing). "
                "Reinstall ragsell with its dependencies, or set RAGSELL_MONGODB_URI to use a MongoDB server."
            )
        self.mongo_dir.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            self._clear_stale_pid_file()
            for attempt in range(_PORT_ATTEMPTS):
                self._port = _free_port(self._host)
                self._process = self._spawn()
                if self._wait_until_ready(last_attempt=attempt == _PORT_ATTEMPTS - 1):
                    return self.uri
        except BaseException:
            self.stop()
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after the stop timeout) and let go of the
        data directory. Safe to call when it is stopped or has died."""
        process, self._process, self._port = self._process, None, None
        try:
            if process is not None:
                self._end(process)
        finally:
            self._release_lock()

    def _take_lock(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / LOCK_FILE
        lock = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip()
            lock.close()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise DataDirectoryInUse(
                f"Another ragsell{who} is already using the data directory {self.data_dir}. "
                "Stop it first, or give this one a different data directory."
            ) from None
        except BaseException:
            lock.close()
            raise
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        self._lock = lock

    def _release_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            with contextlib.suppress(OSError):
                lock.seek(0)
                lock.truncate()
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
            lock.close()

    def _clear_stale_pid_file(self) -> None:
        """We hold the lock, so any pid file is left from a server that was not stopped in
        order. nx-27017 refuses to start while its pid file names a live process (any
        process: pids get reused), so it goes, unless that process still serves this very
        directory, which must be ended by hand."""
        pid_file = self.mongo_dir / "nx.pid"
        try:
            pid = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            return
        if self._serves_this_directory(pid):
            raise DataDirectoryInUse(
                f"An embedded database server (process {pid}) left by an earlier ragsell still runs on "
                f"{self.mongo_dir}. Stop it (kill {pid}) and start ragsell again."
            )
        pid_file.unlink(missing_ok=True)

    def _serves_this_directory(self, pid: int) -> bool:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        arguments = [part.decode(errors="replace") for part in command]
        return any("nx-27017" in part or "nx_27017" in part for part in arguments) and str(self.mongo_dir) in arguments

    def _spawn(self) -> subprocess.Popen[bytes]:
        assert self._port is not None
        # The arguments are ours (the venv's nx-27017, paths under the data directory); no shell.
        return subprocess.Popen(  # noqa: S603
            [
                str(self._executable),
                "--host",
                self._host,
                "-p",
                str(self._port),
                "--data-dir",
                str(self.mongo_dir),
                "--log-file",
                str(self.mongo_dir / "nx.log"),
                "--pid-file",
                str(self.mongo_dir / "nx.pid"),
            ],
            stdin=subprocess.DEVNULL,
            # It logs to nx.log as well as to stderr; stderr would only fill a pipe.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_parent_death_signal(),
        )

    def _wait_until_ready(self, *, last_attempt: bool) -> bool:
        """True once a ping succeeds; False when the server exited at once and another port
        may be tried; EmbeddedStoreFailed otherwise."""
        assert self._process is not None
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                code = self._process.returncode
                self._process = None
                if not last_attempt:
                    return False
                raise EmbeddedStoreFailed(
                    f"The embedded database server stopped at start (exit code {code}). {self._log_tail()}"
                )
            if self._ping():
                return True
            time.sleep(0.05)
        raise EmbeddedStoreFailed(
            f"The embedded database server did not answer within {self._startup_timeout:g} s. {self._log_tail()}"
        )

    def _ping(self) -> bool:
        assert self._port is not None
        try:  # refused at once while nothing listens: cheaper than a driver timeout
            socket.create_connection((self._host, self._port), timeout=0.5).close()
        except OSError:
            return False
        client: MongoClient[dict[str, object]] = MongoClient(
            self.uri, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            client.admin.command("ping")
            return True
        except PyMongoError:
            return False
        finally:
            client.close()

    def _end(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=self._stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _log_tail(self) -> str:
        try:
            lines = (self.mongo_dir / "nx.log").read_text(errors="replace").splitlines()[-_LOG_TAIL_LINES:]
        except OSError:
            return f"See {self.mongo_dir / 'nx.log'}."
        return (
            "Last lines of its log:\n" + "\n".join(lines) if lines else f"Its log {self.mongo_dir / 'nx.log'} is empty."
        )
