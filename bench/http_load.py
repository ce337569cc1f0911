"""HTTP load benchmark of the widget API, one server core against one load core.

    .venv/bin/python -m bench.http_load [--duration 10] [--warmup 3] [--connections 16]

What it does:

- starts each server pinned to one core (``taskset -c SERVER_CORE``) on a free
  127.0.0.1 port: a bare Litestar app (``bench.bare_app``, the ceiling), then
  ``ragsell serve`` on the embedded store (nx-27017, a child process of ragsell that
  inherits its pinning, so both share the one core) and on ``RAGSELL_STORE=memory``,
  each with a fresh temporary data directory;
- signs up an owner and connects a site through the dashboard API, and reads the site's
  widget key and allowed origin;
- drives ``wrk`` pinned to the other core (``taskset -c CLIENT_CORE``): a warm-up run,
  then a measured run with fixed duration and connections, for ``GET .../config`` and
  ``POST .../page-views`` (a fresh random visitor id per request, see wrk_widget.lua);
- prints a table (requests/s, p50 and p99 from wrk's ``--latency`` report, non-2xx
  responses, ratio to the bare endpoint), the server CPU time per request split by
  process, and the page views actually stored per second on the embedded store against
  the goal of 1,000/s with p99 under 20 ms;
- stops every process it started, with bounded waits, whatever happens.

The machine may be shared: before each measured run it waits (bounded) for the cores to
be quiet, measures how much of each core other work took during the run ("foreign
load"), retries a disturbed run, and reports the foreign load of the run it keeps.
``--commit REV`` runs ragsell from that commit's ``src`` (exported with git archive), so
that edits in progress in the working tree are not what gets measured.

With ``--profile DIR`` it then records py-spy profiles of ragsell and nx-27017 during one
extra page-view run on each store (not part of the table: sampling slows them), and
summarises them with ``bench.profile_summary``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import io
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.pinned_serve import pinned, raise_priority
from bench.profile_summary import summarise

BENCH_DIR = Path(__file__).resolve().parent
LUA_SCRIPT = BENCH_DIR / "wrk_widget.lua"
HOST = "127.0.0.1"
SITE_URL = "https://acme.example"
GOAL_PAGE_VIEWS_PER_SECOND = 1000
GOAL_P99_MS = 20.0
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

INSTALL_WRK = "wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk"
INSTALL_TASKSET = "taskset is not installed. On Debian or Ubuntu: sudo apt-get install -y util-linux"


class BenchError(Exception):
    pass


# Processes


@dataclass
class Server:
    """A server process started by the bench, pinned to one core."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    data_dir: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(
    name: str, command: list[str], *, core: int, nice: int, env: dict[str, str], log_path: Path, port: int
) -> Server:
    log = log_path.open("wb")
    try:
        process = subprocess.Popen(
            [*pinned(core, nice), *command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        log.close()
    raise_priority(process.pid, nice)
    return Server(name=name, process=process, port=port, log_path=log_path)


def wait_ready(server: Server, path: str, *, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited with code {server.process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(server.base_url + path, timeout=2) as answer:  # noqa: S310
            if answer.status == 200:
                return
        time.sleep(0.1)
    raise BenchError(f"{server.name} did not answer {path} within {timeout:g} s:\n{server.log_tail()}")


def stop_process(process: subprocess.Popen[bytes], *, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, then SIGKILL after ``timeout``; waits at most about twice that."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_pid(pid: int, *, timeout: float = STOP_TIMEOUT) -> None:
    """For a process we started indirectly (nx-27017, started by ragsell): only used if
    it outlives its parent, which should not happen."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command name: state is field 3, utime field 14, stime field 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def core_busy_ticks(core: int) -> tuple[int, int]:
    """(busy, total) jiffies of one core since boot."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + values[4]  # idle + iowait
            return sum(values) - idle, sum(values)
    raise BenchError(f"No cpu{core} in /proc/stat.")


def affinity(pid: int) -> str:
    cores = sorted(os.sched_getaffinity(pid))
    return ",".join(str(c) for c in cores)


# The dashboard API


class Dashboard:
    """Sign-up and site creation through the dashboard API, with the session cookie and
    the CSRF token, as a browser would."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self._csrf = ""

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if self._csrf:
            headers["x-csrf-token"] = self._csrf
        data = None if body is None else json.dumps(body).encode()
        # Always http://127.0.0.1:PORT, our own server.
        request = urllib.request.Request(self._base_url + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with self._opener.open(request, timeout=30) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise BenchError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from None

    def sign_up(self) -> None:
        session = self._call(
            "POST",
            "/api/accounts",
            {
                "name": "Bench Owner",
                "email": "bench@example.com",
                "password": "correct horse battery staple",
                "confirmsMinimumAge": True,
            },
        )
        self._csrf = session["csrfToken"]

    def add_site(self) -> tuple[str, str]:
        """The new site's widget key and the allowed origin to send."""
        site = self._call("POST", "/api/sites", {"name": "Acme", "url": SITE_URL})
        origins: list[str] = site["allowedOrigins"]
        if not origins:
            raise BenchError(f"The new site has no allowed origin: {site}")
        origin = SITE_URL if SITE_URL in origins else origins[0]
        return site["widgetKey"], origin


# wrk


@dataclass
class WrkResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= int(status) < 300)


_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_RESULT = re.compile(r"^BENCH_RESULT (\{.*\})$", re.MULTILINE)


def parse_wrk(output: str) -> WrkResult:
    percentiles = {float(p): float(v) * _TIME_UNITS_MS[unit] for p, v, unit in _PERCENTILE.findall(output)}
    requests = _REQUESTS.search(output)
    rate = _RATE.search(output)
    result = _RESULT.search(output)
    if requests is None or rate is None or result is None or 50.0 not in percentiles or 99.0 not in percentiles:
        raise BenchError(f"Could not read wrk's report:\n{output}")
    extra = json.loads(result.group(1))
    return WrkResult(
        requests=int(requests.group(1)),
        seconds=float(requests.group(2)) * _TIME_UNITS_MS[requests.group(3)] / 1000,
        requests_per_second=float(rate.group(1)),
        p50_ms=percentiles[50.0],
        p99_ms=percentiles[99.0],
        statuses=extra["statuses"],
        socket_errors={k: v for k, v in extra["errors"].items() if k != "status"},
    )


@dataclass
class LoadSettings:
    duration: int
    warmup: int
    connections: int
    threads: int
    server_core: int
    client_core: int
    attempts: int = 3
    max_foreign: float = 0.10
    max_foreign_load_core: float = 1.0
    quiet_wait: float = 30.0
    nice: int = 0


def run_wrk(settings: LoadSettings, url: str, mode: str, origin: str | None, *, seconds: int) -> WrkResult:
    command = [
        *pinned(settings.client_core, settings.nice),
        "wrk",
        f"-t{settings.threads}",
        f"-c{settings.connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        mode,
        origin or "",
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    except subprocess.TimeoutExpired:
        raise BenchError(f"wrk did not finish: {' '.join(command)}") from None
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# Measurements


@dataclass
class Row:
    endpoint: str
    store: str
    kind: str  # "GET" or "POST": what the bare ratio compares with
    result: WrkResult
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)
    server_core_busy: float = 0.0
    client_core_busy: float = 0.0
    wrk_cpu: float = 0.0  # share of the load core used by wrk (and this script)
    # Share of each core's time used by processes other than ours (other work on the
    # machine, and kernel work not charged to a process) during the measured run.
    foreign_server_core: float = 0.0
    foreign_client_core: float = 0.0
    attempts: int = 1
    stored: int | None = None  # page views stored during the measured run (embedded store)
    ratio: float | None = None

    def disturbed(self, settings: LoadSettings) -> bool:
        return (
            self.foreign_server_core > settings.max_foreign or self.foreign_client_core > settings.max_foreign_load_core
        )

    @property
    def disturbance(self) -> float:
        return self.foreign_server_core + self.foreign_client_core / 4


@dataclass
class Snapshot:
    pid_cpu: dict[str, float]
    server_core: tuple[int, int]
    client_core: tuple[int, int]
    children_cpu: float
    own_cpu: float

    @classmethod
    def take(cls, settings: LoadSettings, pids: dict[str, int]) -> Snapshot:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            pid_cpu={name: cpu_seconds(pid) for name, pid in pids.items()},
            server_core=core_busy_ticks(settings.server_core),
            client_core=core_busy_ticks(settings.client_core),
            children_cpu=children.ru_utime + children.ru_stime,
            own_cpu=own.ru_utime + own.ru_stime,
        )


def _share(busy: tuple[int, int], before: tuple[int, int]) -> tuple[float, float]:
    """(busy seconds, elapsed seconds) of one core between two readings."""
    return (busy[0] - before[0]) / CLOCK_TICKS, max(1, busy[1] - before[1]) / CLOCK_TICKS


def _busy_share(after: tuple[int, int], before: tuple[int, int]) -> float:
    busy, elapsed = _share(after, before)
    return busy / elapsed


def wait_quiet(settings: LoadSettings) -> float:
    """Wait (at most ``settings.quiet_wait`` seconds) until other work (this machine may
    be shared) leaves the cores as quiet as an undisturbed run needs. Returns the busiest
    core's share in the last second looked at."""
    deadline = time.monotonic() + settings.quiet_wait
    while True:
        before = (core_busy_ticks(settings.server_core), core_busy_ticks(settings.client_core))
        time.sleep(1.0)
        after = (core_busy_ticks(settings.server_core), core_busy_ticks(settings.client_core))
        server = _busy_share(after[0], before[0])
        client = _busy_share(after[1], before[1])
        quiet = server <= settings.max_foreign and (
            settings.max_foreign_load_core >= 1 or client <= settings.max_foreign_load_core
        )
        if quiet or time.monotonic() >= deadline:
            if not quiet:
                print(
                    f"    other work still keeps the server core {server:.0%} and the load core {client:.0%} busy; "
                    "going on",
                    file=sys.stderr,
                )
            return max(server, client)


def measure(
    settings: LoadSettings,
    *,
    endpoint: str,
    store: str,
    kind: str,
    url: str,
    mode: str,
    origin: str | None,
    pids: dict[str, int],
    count: Callable[[], int] | None = None,
) -> Row:
    """A warm-up, then up to ``settings.attempts`` measured runs until one is undisturbed
    (foreign load at most ``max_foreign`` on the server core, and, if asked, at most
    ``max_foreign_load_core`` on the load core); else the run with the least foreign load
    on the server core is kept."""
    print(f"  {endpoint} [{store}]: warm-up {settings.warmup} s, then {settings.duration} s", file=sys.stderr)
    if settings.warmup > 0:
        run_wrk(settings, url, mode, origin, seconds=settings.warmup)
    best: Row | None = None
    for attempt in range(1, settings.attempts + 1):
        wait_quiet(settings)
        stored_before = count() if count else None
        before = Snapshot.take(settings, pids)
        result = run_wrk(settings, url, mode, origin, seconds=settings.duration)
        after = Snapshot.take(settings, pids)
        stored = count() - stored_before if count and stored_before is not None else None
        ours = {name: after.pid_cpu[name] - before.pid_cpu[name] for name in pids}
        server_busy, server_elapsed = _share(after.server_core, before.server_core)
        client_busy, client_elapsed = _share(after.client_core, before.client_core)
        # wrk is the only child that ends during the run; this process also runs there.
        client_ours = (after.children_cpu - before.children_cpu) + (after.own_cpu - before.own_cpu)
        row = Row(
            endpoint,
            store,
            kind,
            result,
            cpu_ms_per_request={name: cpu * 1000 / max(1, result.requests) for name, cpu in ours.items()},
            server_core_busy=server_busy / server_elapsed,
            client_core_busy=client_busy / client_elapsed,
            wrk_cpu=client_ours / client_elapsed,
            foreign_server_core=max(0.0, server_busy - sum(ours.values())) / server_elapsed,
            foreign_client_core=max(0.0, client_busy - client_ours) / client_elapsed,
            attempts=attempt,
            stored=stored,
        )
        print(
            f"    attempt {attempt}: {result.requests_per_second:,.0f} req/s, p99 {result.p99_ms:.2f} ms, "
            f"busy: server core {row.server_core_busy:.0%}, load core {row.client_core_busy:.0%} (wrk "
            f"{row.wrk_cpu:.0%}); "
            f"foreign load: server core {row.foreign_server_core:.0%}, load core {row.foreign_client_core:.0%}",
            file=sys.stderr,
        )
        if best is None or row.disturbance < best.disturbance:
            best = row
        if not row.disturbed(settings):
            break
    assert best is not None
    best.attempts = attempt
    return best


@dataclass
class Ingestion:
    stored: int
    seconds: float
    accepted: int
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.stored / self.seconds if self.seconds else 0.0

    @property
    def goal_met(self) -> bool:
        return self.per_second >= GOAL_PAGE_VIEWS_PER_SECOND and self.p99_ms < GOAL_P99_MS


def count_page_views(uri: str) -> int:
    from pymongo import MongoClient  # a ragsell dependency, in the venv

    client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        return int(client["ragsell"]["page_views"].count_documents({}))
    finally:
        client.close()


def git(*arguments: str) -> str:
    done = subprocess.run(
        ["git", *arguments], cwd=BENCH_DIR.parent, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout.strip()


@contextlib.contextmanager
def ragsell_source(commit: str | None) -> Iterator[tuple[Path | None, str]]:
    """The source ragsell runs from: the installed working tree (``None``), or, given a
    commit, that commit's ``src`` exported to a temporary directory (put first on
    PYTHONPATH), so that edits in progress in the working tree are not measured.
    Also yields a description for the report."""
    if commit is None:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "src")
        yield None, f"working tree at {head}" + (" with uncommitted changes in src" if dirty else "")
        return
    resolved = git("rev-parse", "--verify", f"{commit}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="ragsell-bench-src-") as temporary:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", resolved, "src"],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if archive.returncode != 0:
            raise BenchError(f"git archive {resolved}: {archive.stderr.decode(errors='replace')}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(temporary, filter="data")
        yield Path(temporary) / "src", f"commit {resolved[:12]}"


@contextlib.contextmanager
def ragsell_server(
    store: str,
    *,
    core: int,
    nice: int,
    log_level: str | None,
    source: Path | None,
    gc_mode: str = "plain",
    gc_pauses: list[tuple[int, float]] | None = None,
) -> Iterator[Server]:
    """``ragsell serve`` on a fresh data directory; stopped (and the data removed) after.

    With ``gc_mode`` other than "plain", ragsell runs under ``bench.gc_probe``, and the
    collections it recorded are added to ``gc_pauses`` once it has stopped."""
    executable = Path(sys.executable).parent / "ragsell"
    if not executable.exists():
        raise BenchError(f"{executable} is missing; run scripts/bootstrap test first.")
    command = [str(executable), "serve"]
    if gc_mode != "plain":
        command = [sys.executable, "-m", "bench.gc_probe", "serve"]
    with tempfile.TemporaryDirectory(prefix=f"ragsell-bench-{store}-") as temporary:
        data_dir = Path(temporary) / "data"
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAGSELL_")}
        env.update(
            RAGSELL_HOST=HOST,
            RAGSELL_PORT=str(port),
            RAGSELL_DATA_DIR=str(data_dir),
            RAGSELL_STORE="memory" if store == "memory" else "mongo",
        )
        if log_level:
            env["RAGSELL_LOG_LEVEL"] = log_level
        gc_out = Path(temporary) / "gc.json"
        if gc_mode != "plain":
            env["BENCH_GC_OUT"] = str(gc_out)
        paths = [str(source) if source is not None else None, str(BENCH_DIR.parent), env.get("PYTHONPATH")]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
        server = start_server(
            f"ragsell ({store})",
            command,
            core=core,
            nice=nice,
            env=env,
            log_path=Path(temporary) / "ragsell.log",
            port=port,
        )
        server.data_dir = data_dir
        nx_pid: int | None = None
        try:
            wait_ready(server, "/health/ready")
            if store == "embedded":
                # nx-27017 runs in a session of its own: give it the same priority.
                nx_pid = int((data_dir / "mongo" / "nx.pid").read_text().strip())
                raise_priority(nx_pid, nice)
            yield server
        finally:
            stop_process(server.process)
            if nx_pid is not None and pid_alive(nx_pid):
                print(f"nx-27017 ({nx_pid}) outlived ragsell; stopping it", file=sys.stderr)
                stop_pid(nx_pid)
            if gc_pauses is not None and gc_out.exists():
                gc_pauses.extend((int(g), float(ms)) for g, ms in json.loads(gc_out.read_text())["pauses"])


@contextlib.contextmanager
def bare_server(*, core: int, nice: int) -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="ragsell-bench-bare-") as temporary:
        port = free_port()
        server = start_server(
            "bare Litestar app",
            [sys.executable, "-m", "bench.bare_app", "--host", HOST, "--port", str(port)],
            core=core,
            nice=nice,
            env={**os.environ, "PYTHONPATH": str(BENCH_DIR.parent)},
            log_path=Path(temporary) / "bare.log",
            port=port,
        )
        try:
            wait_ready(server, "/bare")
            yield server
        finally:
            stop_process(server.process)


def bench_bare(settings: LoadSettings) -> list[Row]:
    print("bare Litestar app", file=sys.stderr)
    with bare_server(core=settings.server_core, nice=settings.nice) as server:
        pids = {"server": server.process.pid}
        url = server.base_url + "/bare"
        return [
            measure(settings, endpoint="GET /bare", store="-", kind="GET", url=url, mode="get", origin=None, pids=pids),
            measure(
                settings, endpoint="POST /bare", store="-", kind="POST", url=url, mode="post", origin=None, pids=pids
            ),
        ]


@dataclass
class StoreRun:
    rows: list[Row]
    ingestion: Ingestion | None
    affinities: dict[str, str]
    gc_pauses: list[tuple[int, float]] = field(default_factory=list)

    def gc_summary(self) -> str:
        """Collections over the server's whole life (start-up, sign-up, warm-ups, runs)."""
        lines = []
        for generation in sorted({g for g, _ in self.gc_pauses}):
            pauses = sorted(ms for g, ms in self.gc_pauses if g == generation)
            lines.append(
                f"gen{generation}: {len(pauses)} collections, median {pauses[len(pauses) // 2]:.2f} ms, "
                f"max {pauses[-1]:.1f} ms, total {sum(pauses):,.0f} ms"
            )
        return "; ".join(lines)


def bench_ragsell(
    settings: LoadSettings,
    store: str,
    *,
    log_level: str | None,
    profile_dir: Path | None,
    source: Path | None,
    gc_mode: str = "plain",
) -> StoreRun:
    print(f"ragsell serve, store {store}" + ("" if gc_mode == "plain" else f", gc {gc_mode}"), file=sys.stderr)
    gc_pauses: list[tuple[int, float]] = []
    with ragsell_server(
        store,
        core=settings.server_core,
        nice=settings.nice,
        log_level=log_level,
        source=source,
        gc_mode=gc_mode,
        gc_pauses=gc_pauses,
    ) as server:
        dashboard = Dashboard(server.base_url)
        dashboard.sign_up()
        widget_key, origin = dashboard.add_site()
        if gc_mode == "freeze":
            # Everything made at start-up goes to the permanent generation (bench.gc_probe).
            server.process.send_signal(signal.SIGUSR1)
            time.sleep(1)
        pids = {"ragsell": server.process.pid}
        uri: str | None = None
        if store == "embedded":
            assert server.data_dir is not None
            pids["nx-27017"] = int((server.data_dir / "mongo" / "nx.pid").read_text().strip())
            uri = (server.data_dir / "mongo" / "serving.uri").read_text().strip()
        affinities = {name: affinity(pid) for name, pid in pids.items()}
        base = f"{server.base_url}/widget/v1/sites/{widget_key}"
        config = measure(
            settings,
            endpoint="GET config",
            store=store,
            kind="GET",
            url=base + "/config",
            mode="get",
            origin=origin,
            pids=pids,
        )
        page_views = measure(
            settings,
            endpoint="POST page-view",
            store=store,
            kind="POST",
            url=base + "/page-views",
            mode="post",
            origin=origin,
            pids=pids,
            count=(lambda: count_page_views(uri)) if uri else None,
        )
        ingestion = None
        if page_views.stored is not None:
            ingestion = Ingestion(
                stored=page_views.stored,
                seconds=page_views.result.seconds,
                accepted=page_views.result.statuses.get("204", 0),
                p99_ms=page_views.result.p99_ms,
            )
        if profile_dir is not None:
            profile(settings, pids, base + "/page-views", origin, profile_dir / store)
    # gc_pauses is filled in once the server has stopped.
    return StoreRun([config, page_views], ingestion, affinities, gc_pauses)


# Profiles


def py_spy_executable() -> str | None:
    found = shutil.which("py-spy")
    if found:
        return found
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else None


def profile(settings: LoadSettings, pids: dict[str, int], url: str, origin: str | None, directory: Path) -> None:
    """py-spy record of every server process during one page-view run (on the load core),
    as raw collapsed stacks (NAME.txt), flame graphs (NAME.svg) and a summary."""
    spy = py_spy_executable()
    if spy is None:
        print("py-spy not found (pip install py-spy); no profile", file=sys.stderr)
        return
    directory.mkdir(parents=True, exist_ok=True)
    seconds = settings.duration
    print(f"  profiling {', '.join(pids)} for {seconds} s into {directory}", file=sys.stderr)
    recorders: list[subprocess.Popen[bytes]] = []
    try:
        for name, pid in pids.items():
            for fmt, suffix in (("raw", "txt"), ("flamegraph", "svg")):
                recorders.append(
                    subprocess.Popen(
                        [
                            "taskset",
                            "-c",
                            str(settings.client_core),
                            spy,
                            "record",
                            "--pid",
                            str(pid),
                            "--duration",
                            str(seconds),
                            # py-spy pauses the process for each sample (whole stacks;
                            # --nonblocking tears asyncio stacks apart): a low rate.
                            "--rate",
                            "100",
                            "--format",
                            fmt,
                            "--output",
                            str(directory / f"{name}.{suffix}"),
                        ],
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
        time.sleep(1)  # let py-spy attach before load starts
        result = run_wrk(settings, url, "post", origin, seconds=seconds)
        print(f"  under profiling: {result.requests_per_second:.0f} req/s, p99 {result.p99_ms:.1f} ms", file=sys.stderr)
        for recorder in recorders:
            with contextlib.suppress(subprocess.TimeoutExpired):
                recorder.wait(timeout=seconds + 30)
    finally:
        for recorder in recorders:
            stop_process(recorder, timeout=5)
    summaries = [summarise(raw) for raw in sorted(directory.glob("*.txt")) if raw.name != "summary.txt"]
    (directory / "summary.txt").write_text("\n\n".join(summaries) + "\n")
    print(f"  profile summary: {directory / 'summary.txt'}", file=sys.stderr)


# Report


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False, timeout=10)
    wrk_lines = (wrk_version.stdout or wrk_version.stderr).splitlines()
    versions = []
    for name in ("litestar", "uvicorn", "h11", "httptools", "uvloop", "msgspec", "dishka", "pymongo", "nx-27017"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"no {name}")
    return {
        "packages": ", ".join(versions),
        "cores": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "wrk": wrk_lines[0].strip() if wrk_lines else "wrk",
    }


def table(rows: list[Row]) -> str:
    lines = [
        "| endpoint | store | requests/s | p50 ms | p99 ms | non-2xx | vs bare "
        "| server CPU ms/request | server core busy / foreign | load core: wrk / foreign |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        r = row.result
        ratio = "1.00" if row.store == "-" else (f"{row.ratio:.2f}" if row.ratio is not None else "")
        non_2xx = str(r.non_2xx)
        if r.non_2xx:
            failed = (f"{status}: {n}" for status, n in sorted(r.statuses.items()) if not status.startswith("2"))
            non_2xx += " (" + ", ".join(failed) + ")"
        errors = sum(r.socket_errors.values())
        if errors:
            non_2xx += f"; socket errors {r.socket_errors}"
        cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in row.cpu_ms_per_request.items())
        lines.append(
            f"| {row.endpoint} | {row.store} | {r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} "
            f"| {non_2xx} | {ratio} | {cpu} | {row.server_core_busy:.0%} / {row.foreign_server_core:.0%} "
            f"| {row.wrk_cpu:.0%} / {row.foreign_client_core:.0%} |"
        )
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.http_load", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per endpoint (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load before each measurement (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads, all on the load core (default 1)")
    parser.add_argument("--server-core", type=int, default=0, help="the core servers are pinned to (default 0)")
    parser.add_argument("--client-core", type=int, default=1, help="the core wrk is pinned to (default 1)")
    parser.add_argument("--stores", default="embedded,memory", help="comma-separated: embedded, memory (default both)")
    parser.add_argument(
        "--attempts", type=int, default=3, help="measured runs at most, until one is undisturbed (default 3)"
    )
    parser.add_argument(
        "--max-foreign",
        type=float,
        default=0.10,
        help="share of the server core other work may use in an undisturbed run (default 0.10)",
    )
    parser.add_argument(
        "--max-foreign-load-core",
        type=float,
        default=1.0,
        help="share of the load core other work may use in an undisturbed run (default 1: not checked; wrk "
        "needs part of a core only, and runs at the raised priority)",
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=30, help="seconds to wait for a quiet machine before a run (default 30)"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=-20,
        help="niceness of the servers and wrk (default -20, so that other work on a shared machine yields to "
        "them; needs root, else they run at 0)",
    )
    parser.add_argument(
        "--gc",
        choices=("plain", "record", "freeze"),
        default="plain",
        help="plain: run the ragsell executable (default); record: run it under bench.gc_probe and report "
        "garbage-collector pauses; freeze: also gc.freeze() once the app is up",
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Litestar ceiling")
    parser.add_argument(
        "--commit", help="run ragsell from this commit's src (exported with git archive) instead of the working tree"
    )
    parser.add_argument("--log-level", help="RAGSELL_LOG_LEVEL for ragsell (default: ragsell's own, INFO)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--profile", type=Path, help="record py-spy profiles of the embedded run into this directory")
    arguments = parser.parse_args(argv)
    stores = [s.strip() for s in arguments.stores.split(",") if s.strip()]
    unknown = set(stores) - {"embedded", "memory"}
    if unknown:
        parser.error(f"unknown store(s): {', '.join(sorted(unknown))}")
    arguments.stores = stores
    return arguments


def check_tools(settings: LoadSettings) -> None:
    if shutil.which("wrk") is None:
        raise BenchError(INSTALL_WRK)
    if shutil.which("taskset") is None:
        raise BenchError(INSTALL_TASKSET)
    available = os.sched_getaffinity(0)
    for core in (settings.server_core, settings.client_core):
        if core not in available:
            raise BenchError(f"Core {core} is not available here (cores: {sorted(available)}).")
    if settings.server_core == settings.client_core:
        raise BenchError("The server and the load generator need different cores.")


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    settings = LoadSettings(
        duration=arguments.duration,
        warmup=arguments.warmup,
        connections=arguments.connections,
        threads=arguments.threads,
        server_core=arguments.server_core,
        client_core=arguments.client_core,
        attempts=max(1, arguments.attempts),
        max_foreign=arguments.max_foreign,
        max_foreign_load_core=arguments.max_foreign_load_core,
        quiet_wait=arguments.quiet_wait,
        nice=arguments.nice,
    )
    try:
        check_tools(settings)
        # This script's own work (sign-up, counting) stays off the server core; wrk runs
        # in its session, hence at its priority.
        os.sched_setaffinity(0, {settings.client_core})
        raise_priority(os.getpid(), settings.nice)
        rows: list[Row] = []
        runs: dict[str, StoreRun] = {}
        with ragsell_source(arguments.commit) as (source, measured):
            if not arguments.no_bare:
                rows.extend(bench_bare(settings))
            for store in arguments.stores:
                run = bench_ragsell(
                    settings,
                    store,
                    log_level=arguments.log_level,
                    profile_dir=arguments.profile,
                    source=source,
                    gc_mode=arguments.gc,
                )
                runs[store] = run
                rows.extend(run.rows)
    except BenchError as error:
        print(f"bench.http_load: {error}", file=sys.stderr)
        return 2
    bare = {row.kind: row.result.requests_per_second for row in rows if row.store == "-"}
    for row in rows:
        if row.store != "-" and row.kind in bare:
            row.ratio = row.result.requests_per_second / bare[row.kind]

    info = machine()
    print()
    print(
        f"{info['cores']} cores, {info['cpu']}, Python {info['python']}, {info['wrk']}; servers on core "
        f"{settings.server_core}, wrk on core {settings.client_core} ({settings.threads} thread, "
        f"{settings.connections} connections, {settings.warmup} s warm-up, {settings.duration} s measured), "
        f"both at nice {settings.nice if os.geteuid() == 0 or settings.nice >= 0 else 0}"
    )
    print(f"ragsell: {measured}; {info['packages']}")
    for store, run in runs.items():
        pinned = ", ".join(f"{name} on core(s) {cores}" for name, cores in run.affinities.items())
        print(f"{store}: {pinned}")
    print()
    print(table(rows))
    for store, run in runs.items():
        if run.gc_pauses:
            print()
            print(f"Garbage collection in ragsell ({store}, --gc {arguments.gc}): {run.gc_summary()}")
    for store, run in runs.items():
        if run.ingestion is None:
            continue
        ingestion = run.ingestion
        verdict = "met" if ingestion.goal_met else "NOT met"
        print()
        print(
            f"Page-view ingestion ({store}): {ingestion.stored:,} page views stored in {ingestion.seconds:.2f} s = "
            f"{ingestion.per_second:,.0f}/s ({ingestion.accepted:,} answered 204), p99 {ingestion.p99_ms:.2f} ms. "
            f"Goal {GOAL_PAGE_VIEWS_PER_SECOND:,}/s with p99 < {GOAL_P99_MS:g} ms: {verdict}."
        )
    if arguments.json:
        document = {
            "machine": info,
            "ragsell": measured,
            "settings": asdict(settings),
            "rows": [
                {
                    "endpoint": row.endpoint,
                    "store": row.store,
                    **asdict(row.result),
                    "non_2xx": row.result.non_2xx,
                    "ratio_to_bare": row.ratio,
                    "cpu_ms_per_request": row.cpu_ms_per_request,
                    "server_core_busy": row.server_core_busy,
                    "client_core_busy": row.client_core_busy,
                    "wrk_cpu": row.wrk_cpu,
                    "foreign_server_core": row.foreign_server_core,
                    "foreign_client_core": row.foreign_client_core,
                    "attempts": row.attempts,
                    "stored": row.stored,
                }
                for row in rows
            ],
            "ingestion": {
                store: {**asdict(run.ingestion), "per_second": run.ingestion.per_second}
                for store, run in runs.items()
                if run.ingestion is not None
            },
            "affinities": {store: run.affinities for store, run in runs.items()},
            "gc": {store: run.gc_summary() for store, run in runs.items() if run.gc_pauses},
        }
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
