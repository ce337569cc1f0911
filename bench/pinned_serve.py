"""``ragsell serve`` for a benchmark: a fresh data directory, pinned to one core at a
niceness, with only the settings the benchmark gives (none inherited from the shell)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

# Settings a shell may hold that would change what the server talks to.
_INHERITED_PREFIXES = ("RAGSELL_", "OPENAI_", "DEEPGRAM_", "CARTESIA_", "LIVEKIT_")


def pinned(core: int, nice: int) -> list[str]:
    """The prefix that runs a command on one core (its threads and children too) at a
    niceness (below 0 needs root; nice warns and runs it at 0 otherwise)."""
    return ["taskset", "-c", str(core), "nice", "-n", str(nice)]


def raise_priority(pid: int, nice: int) -> None:
    """With autogroup scheduling (Linux' default for desktop-like setups, and here), a
    niceness only ranks threads within one session's group; each group (session) is
    weighed by the group's own niceness. Set that too, for root only, as best effort."""
    if nice >= 0 or os.geteuid() != 0:
        return
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def child_pids(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


@contextlib.contextmanager
def pinned_serve(
    data_dir: Path,
    port: int,
    *,
    settings: dict[str, str],
    plans: dict,
    core: int,
    nice: int,
    trace: Path | None = None,
    log_name: str = "ragsell",
) -> Iterator[subprocess.Popen]:
    """The server, ready (``/health/ready``), with ``settings`` as its environment's
    RAGSELL_* and provider variables, ``plans`` as its plans file and no worker inside;
    stopped with SIGTERM afterwards. ``trace``: run under bench.traced_serve."""
    plans_file = data_dir.parent / "plans.json"
    plans_file.write_text(json.dumps(plans))
    environment = {key: value for key, value in os.environ.items() if not key.startswith(_INHERITED_PREFIXES)}
    environment.update(RAGSELL_WORKER_IN_PROCESS="false", RAGSELL_PLANS_FILE=str(plans_file), **settings)
    log = (data_dir.parent / f"{log_name}.log").open("wb")
    ragsell = [str(Path(sys.executable).parent / "ragsell")]
    if trace is not None:
        ragsell = [sys.executable, "-m", "bench.traced_serve", str(trace)]
    command = [*pinned(core, nice), *ragsell, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    server = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"ragsell serve stopped at start; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"ragsell serve did not get ready in 60 s; see {log.name}")
            time.sleep(0.2)
        for pid in [server.pid, *child_pids(server.pid)]:
            raise_priority(pid, nice)
        yield server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # ragsell stops its embedded store itself
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
        log.close()
