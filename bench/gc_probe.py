"""``ragsell`` with its garbage-collector pauses recorded, for ``bench.http_load --gc``.

    BENCH_GC_OUT=gc.json python -m bench.gc_probe serve ...

Runs ragsell's own command line unchanged. At exit, writes every collection's generation
and duration (ms, wall clock) to BENCH_GC_OUT. On SIGUSR1 (sent once the app and its
store are up) it runs a full collection and ``gc.freeze()``: what exists then (modules,
the app, the DI graph, clients) moves to the permanent generation, which later full
collections no longer walk.
"""

import atexit
import gc
import json
import os
import signal
import sys
import time
from types import FrameType

_pauses: list[tuple[int, float]] = []
_started = [0.0]


def _record(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        _pauses.append((info["generation"], (time.perf_counter() - _started[0]) * 1000))


def _write() -> None:
    path = os.environ.get("BENCH_GC_OUT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"pauses": _pauses, "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}, out)


def _freeze(signum: int, frame: FrameType | None) -> None:
    gc.collect()
    gc.freeze()


def main() -> int:
    gc.callbacks.append(_record)
    atexit.register(_write)
    signal.signal(signal.SIGUSR1, _freeze)
    from ragsell.entrypoints.cli import main as ragsell_main

    return ragsell_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
