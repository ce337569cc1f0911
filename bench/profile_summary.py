"""Summarise a py-spy ``--format raw`` profile (collapsed stacks) of a server under load.

    .venv/bin/python -m bench.profile_summary PROFILE.txt [--top 25]

Idle samples (a thread pool worker waiting for work, the event loop waiting in epoll)
are left out; the rest is shown three ways: by the package of the innermost frame (where
the CPU goes), by request phase (which part of handling a request it serves), and the
frames with the most inclusive time.
"""

import argparse
import collections
import re
from pathlib import Path

IDLE_LEAVES = (
    "_worker (concurrent/futures/thread.py:81)",  # a pool thread waiting for work
    "EpollSelector.select (selectors.py:468)",  # the event loop waiting for sockets
    "_serialize.<locals>.wrapper (nx_27017/handler.py:161)",  # nx-27017: waiting for its one-at-a-time lock
)

# A stack with one of these markers (checked in this order) belongs to that phase.
PHASES = (
    ("site lookup by widget key", ("SiteRepository.by_widget_key",)),
    ("rate limit", ("RateLimiter.hit",)),
    ("page-view insert", ("PageViewRepository.add",)),
    ("CORS allowed-origins lookup", ("site_origins_lookup",)),
    ("logging (ragsell's per-request log line)", ("(logging/",)),
    ("nx-27017: one command in its worker thread", ("_WorkItem.run",)),
)
# Otherwise the package of the innermost frame that is not one of these decides.
GLUE = {
    "asyncio",
    "selectors",
    "contextlib",
    "typing",
    "abc",
    "<frozen abc>",
    "functools",
    "inspect",
    "threading",
    "concurrent",
    "socket",
    "weakref",
    "_weakrefset",
    "enum",
    "copy",
    "dataclasses",
    "types",
    "re",
    "encodings",
}
# Frames that only start the process and its event loop: what runs under them alone is
# the event loop's own work.
ROOT_FRAMES = ("(ragsell/entrypoints/cli.py", "(nx_27017/daemon.py", "(nx_27017/nx_27017.py", "<module> (")
PACKAGE_PHASES = {
    "uvicorn": "uvicorn + h11 (HTTP)",
    "h11": "uvicorn + h11 (HTTP)",
    "litestar": "Litestar (routing, parsing, validation, responses)",
    "msgspec": "Litestar (routing, parsing, validation, responses)",
    "dishka": "dishka (request container, injection)",
    "ragsell": "ragsell code, other",
    "pymongo": "pymongo, other (replies, pool, monitoring)",
    "bson": "BSON encoding and decoding",
    "nx_27017": "nx-27017: wire protocol and dispatch (event loop thread)",
    "neosqlite": "neosqlite / SQLite",
}

_FRAME_PATH = re.compile(r"\(([^():]+)(?::\d+)?\)$")


def read_stacks(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def package(frame: str) -> str:
    found = _FRAME_PATH.search(frame)
    if found is None:
        return frame
    path = found.group(1)
    head = path.split("/", 1)[0]
    return head.removesuffix(".py") if "/" in path else path.removesuffix(".py")


def phase(frames: list[str]) -> str:
    text = ";".join(frames)
    for name, markers in PHASES:
        if any(marker in text for marker in markers):
            return name
    for frame in reversed(frames):
        if frame.startswith(ROOT_FRAMES) or any(root in frame for root in ROOT_FRAMES[:3]):
            break
        name = package(frame)
        if name.startswith("<dishka_") or name.startswith("<get_"):
            return PACKAGE_PHASES["dishka"]
        if name not in GLUE:
            return PACKAGE_PHASES.get(name, name)
    return "event loop, sockets (asyncio)"


def summarise(path: Path, top: int = 25) -> str:
    stacks = read_stacks(path)
    total = sum(n for _, n in stacks)
    busy = [(frames, n) for frames, n in stacks if frames[-1] not in IDLE_LEAVES]
    active = sum(n for _, n in busy) or 1
    by_package: collections.Counter[str] = collections.Counter()
    by_phase: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, n in busy:
        by_package[package(frames[-1])] += n
        by_phase[phase(frames)] += n
        for frame in {re.sub(r":\d+\)$", ")", f) for f in frames}:
            inclusive[frame] += n
    lines = [f"{path.name}: {total} samples, {active} not idle ({active / max(1, total):.0%})", ""]
    lines.append("By package of the innermost frame (self time):")
    lines += [f"  {n / active:6.1%}  {name}" for name, n in by_package.most_common(top)]
    lines += ["", "By request phase (inclusive):"]
    lines += [f"  {n / active:6.1%}  {name}" for name, n in by_phase.most_common()]
    lines += ["", "Frames with the most inclusive time:"]
    lines += [f"  {n / active:6.1%}  {name}" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.profile_summary", description=__doc__.splitlines()[0])
    parser.add_argument("profiles", type=Path, nargs="+")
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args(argv)
    for profile in arguments.profiles:
        print(summarise(profile, arguments.top))
        print()


if __name__ == "__main__":
    main()
