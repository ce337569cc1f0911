"""The embedded store that ``ragsell serve`` runs: nx-27017 over the data directory."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from ragsell.adapters.mongo.embedded import EmbeddedMongo, nx_executable
from ragsell.adapters.mongo.errors import DataDirectoryInUse, EmbeddedStoreFailed


def _client(uri: str) -> MongoClient[dict[str, Any]]:
    return MongoClient(uri, serverSelectionTimeoutMS=5000)


def _write(uri: str, value: str) -> None:
    with _client(uri) as client:
        client["ragsell"]["notes"].insert_one({"_id": value, "text": f"kept {value}"})


def _read(uri: str) -> list[str]:
    with _client(uri) as client:
        return sorted(document["_id"] for document in client["ragsell"]["notes"].find())


def test_data_survives_a_stop_and_start_on_the_same_data_directory(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path) as first:
        _write(first.uri, "before-restart")
        first_pid = first.pid

    assert first_pid is not None and not _alive(first_pid)
    with EmbeddedMongo(tmp_path) as second:
        assert _read(second.uri) == ["before-restart"]
    assert (tmp_path / "mongo" / "ragsell.db").exists()


def test_a_second_store_on_the_same_data_directory_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path) as running:
        with pytest.raises(
            DataDirectoryInUse, match=r"Another ragsell \(process \d+\) is already using the data directory"
        ):
            EmbeddedMongo(tmp_path).start()
        _write(running.uri, "still-served")

    with EmbeddedMongo(tmp_path) as after:  # the lock went with the first one
        assert _read(after.uri) == ["still-served"]


def test_an_acknowledged_write_survives_kill_9_of_the_server(tmp_path: Path) -> None:
    store = EmbeddedMongo(tmp_path)
    store.start()
    try:
        _write(store.uri, "acknowledged")
        assert store.pid is not None
        os.kill(store.pid, signal.SIGKILL)
    finally:
        store.stop()

    assert (tmp_path / "mongo" / "nx.pid").exists()  # left behind by the killed server
    with EmbeddedMongo(tmp_path) as restarted:
        assert _read(restarted.uri) == ["acknowledged"]


def test_a_stale_pid_file_naming_another_live_process_does_not_block_the_start(tmp_path: Path) -> None:
    (tmp_path / "mongo").mkdir()
    (tmp_path / "mongo" / "nx.pid").write_text(f"{os.getpid()}\n")

    with EmbeddedMongo(tmp_path) as store:
        _write(store.uri, "started")


def test_a_server_left_running_on_the_data_directory_is_reported_not_doubled(tmp_path: Path) -> None:
    mongo_dir = tmp_path / "mongo"
    mongo_dir.mkdir()
    leftover = subprocess.Popen(
        [str(nx_executable()), "-p", "0", "--data-dir", str(mongo_dir), "--log-file", str(mongo_dir / "nx.log"),
         "--pid-file", str(mongo_dir / "nx.pid")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(lambda: (mongo_dir / "nx.pid").exists())
        with pytest.raises(DataDirectoryInUse, match=rf"process {leftover.pid}\) left by an earlier ragsell"):
            EmbeddedMongo(tmp_path).start()
    finally:
        leftover.terminate()
        leftover.wait(timeout=10)
    with EmbeddedMongo(tmp_path) as store:  # and once it is gone, the start goes ahead
        _write(store.uri, "alone")


def test_the_server_goes_when_the_ragsell_that_started_it_is_killed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from ragsell.adapters.mongo.embedded import EmbeddedMongo\n"
        "store = EmbeddedMongo(sys.argv[1]); store.start()\n"
        "print(store.pid, flush=True); time.sleep(60)\n"
    )
    ragsell = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert ragsell.stdout is not None
        server_pid = int(ragsell.stdout.readline())
    finally:
        ragsell.kill()
        ragsell.wait(timeout=10)

    _wait_for(lambda: not _alive(server_pid))
    with EmbeddedMongo(tmp_path) as store:  # no orphan, no lock left behind
        _write(store.uri, "after-crash")


def test_a_missing_server_program_is_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedStoreFailed, match="is not installed"):
        EmbeddedMongo(tmp_path, executable=tmp_path / "no-such-nx-27017").start()


def test_a_server_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    broken = tmp_path / "broken-nx"
    broken.write_text("#!/bin/sh\necho 'cannot open the database' >&2\nexit 3\n")
    broken.chmod(0o755)

    with pytest.raises(EmbeddedStoreFailed, match=r"stopped at start \(exit code 3\)"):
        EmbeddedMongo(tmp_path / "data", executable=broken).start()
    with pytest.raises(EmbeddedStoreFailed):  # the failed start let go of the lock
        EmbeddedMongo(tmp_path / "data", executable=broken).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition: Any, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)
