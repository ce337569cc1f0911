"""The ``ragsell`` command."""

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from dishka import Scope

from ragsell.adapters.mongo.errors import StoreUnavailable
from ragsell.application.errors import NotFound
from ragsell.application.knowledge.request_crawl import OperatorRequestCrawl
from ragsell.application.ports.repositories import JobQueue
from ragsell.application.usage.change_plan import ChangePlan
from ragsell.domain.errors import DomainError
from ragsell.domain.jobs import CrawlJob, CrawlProgress, JobState
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.http.app import create_app
from ragsell.entrypoints.logging import configure_logging
from ragsell.entrypoints.operator_commands import COMMANDS as OPERATOR_COMMANDS
from ragsell.entrypoints.operator_commands import add_commands, run_command
from ragsell.entrypoints.settings import Settings, SettingsError, Store, load_settings
from ragsell.entrypoints.store import check_store, mongo_uri, store_provider
from ragsell.entrypoints.voice_agent import answer_calls, require_voice_calls
from ragsell.entrypoints.worker import run_worker, stop_worker


@contextlib.contextmanager
def _uri(settings: Settings, *, share: bool) -> Iterator[str | None]:
    if settings.store is Store.MEMORY:
        yield None
        return
    with mongo_uri(settings, share=share) as uri:
        yield uri


async def _serve(settings: Settings, uri: str | None) -> None:
    await check_store(settings, uri)
    container = make_container(settings, store=store_provider(settings, uri))
    app = create_app(settings, container)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    print(f"ragsell is serving on {settings.base_url} (store: {_store_name(settings, uri)})", file=sys.stderr)
    server = uvicorn.Server(config)
    await server.serve()
    if not server.started:
        raise StoreUnavailable("ragsell could not start; the log above says why.")


def _store_name(settings: Settings, uri: str | None) -> str:
    if uri is None:
        return "in memory, nothing is kept"
    return "MongoDB" if settings.mongodb_uri else f"embedded, in {settings.data_dir.resolve()}"


class _Stop(Exception):
    """SIGTERM or SIGINT: stop in order (web server, then the embedded store)."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def serve(settings: Settings) -> None:
    configure_logging(settings.log_level)
    # Uvicorn shuts down gracefully on these, then raises them again with the handler
    # it found; ours turns that into an exception, so the embedded store is stopped too.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    with contextlib.suppress(_Stop), _uri(settings, share=True) as uri:
        asyncio.run(_serve(settings, uri))


def _run_use_case(settings: Settings, use: Callable[[Any], Awaitable[str]], kind: type) -> str:
    async def run(uri: str | None) -> str:
        await check_store(settings, uri)
        container = make_container(settings, store=store_provider(settings, uri))
        try:
            async with container(scope=Scope.REQUEST) as request:
                return await use(await request.get(kind))
        finally:
            await container.close()

    with _uri(settings, share=False) as uri:
        return asyncio.run(run(uri))


async def _work(settings: Settings, uri: str | None) -> None:
    await check_store(settings, uri)
    container = make_container(settings, store=store_provider(settings, uri))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await run_worker(container, stop)
    finally:
        await container.close()


def work(settings: Settings) -> None:
    configure_logging(settings.log_level)
    with _uri(settings, share=False) as uri:
        asyncio.run(_work(settings, uri))


def voice_agent(settings: Settings) -> int:
    require_voice_calls(settings)
    configure_logging(settings.log_level)
    with _uri(settings, share=False) as uri:
        return answer_calls(settings, uri)


def _bar(progress: CrawlProgress, width: int = 30) -> str:
    filled = width * progress.percent // 100
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {progress.percent:3d}%  "
        f"found {progress.found}, indexed or unchanged {progress.done}, failed {progress.failed}"
    )


async def _crawl(settings: Settings, uri: str | None, site_id: str) -> CrawlJob:
    await check_store(settings, uri)
    container = make_container(settings, store=store_provider(settings, uri))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(container, stop))
    try:
        async with container(scope=Scope.REQUEST) as request:
            job = await (await request.get(OperatorRequestCrawl))(site_id)
        jobs = await container.get(JobQueue)
        while True:
            current = await jobs.latest(job.site_id, now=job.run_after)
            if current is None or current.id != job.id:
                raise NotFound("The crawl was removed (was the site deleted?).")
            print(f"\r{_bar(current.progress)}", end="", file=sys.stderr, flush=True)
            if not current.state.is_active:
                print(file=sys.stderr)
                return current
            await asyncio.sleep(0.5)
    finally:
        stop.set()
        await stop_worker(worker)
        await container.close()


def crawl(settings: Settings, site_id: str) -> int:
    configure_logging("WARNING")
    with _uri(settings, share=False) as uri:
        job = asyncio.run(_crawl(settings, uri, site_id))
    if job.state is JobState.FAILED:
        print(f"ragsell: the crawl failed: {job.error}", file=sys.stderr)
        return 1
    print(f"Crawled: {job.progress.done} pages indexed or unchanged, {job.progress.failed} failed.")
    return 0


def set_plan(settings: Settings, email: str, plan: str) -> None:
    owner_id = _run_use_case(settings, lambda change: change(email, plan), ChangePlan)
    print(f"Account {owner_id} is now on the {plan} plan.")


def list_plans(settings: Settings) -> None:
    catalogue = settings.plan_catalogue()
    print(f"{'plan':<12}{'sites':>7}{'pages':>9}{'conversations':>15}{'messages':>10}{'voice s':>9}")
    for plan in catalogue.plans:
        default = "  (default)" if plan.name == catalogue.default else ""
        print(
            f"{plan.name:<12}{plan.sites:>7}{plan.pages:>9}{plan.conversations:>15}"
            f"{plan.messages:>10}{plan.voice_seconds:>9}{default}"
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ragsell", description="Turn a website into a sales and support assistant.")
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data-dir", type=Path, help="Where data is kept (RAGSELL_DATA_DIR; default .ragsell).")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser("serve", parents=[data], help="Run the web service (and its embedded store).")
    serve_command.add_argument("--host", help="Address to listen on (RAGSELL_HOST; default 127.0.0.1).")
    serve_command.add_argument("--port", type=int, help="Port to listen on (RAGSELL_PORT; default 8000).")
    commands.add_parser("worker", parents=[data], help="Run crawl jobs (any number of workers may run).")
    commands.add_parser("voice-agent", parents=[data], help="Answer live voice calls in LiveKit rooms.")
    crawl_command = commands.add_parser("crawl", parents=[data], help="Crawl a site now, showing progress.")
    crawl_command.add_argument("site_id")
    admin = commands.add_parser("admin", help="Operator commands.").add_subparsers(dest="admin", required=True)
    plan = admin.add_parser("set-plan", parents=[data], help="Move an account to another plan.")
    plan.add_argument("email")
    plan.add_argument("plan")
    admin.add_parser("plans", parents=[data], help="List the plans and their limits.")
    add_commands(commands, data)
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    overrides = {
        name: value for name in ("host", "port", "data_dir") if (value := getattr(arguments, name, None)) is not None
    }
    try:
        settings = load_settings(**overrides)
        if arguments.command == "serve":
            serve(settings)
        elif arguments.command == "worker":
            work(settings)
        elif arguments.command == "voice-agent":
            return voice_agent(settings)
        elif arguments.command == "crawl":
            return crawl(settings, arguments.site_id)
        elif arguments.command in OPERATOR_COMMANDS:
            run_command(arguments, lambda use, kind: _run_use_case(settings, use, kind))
        elif arguments.admin == "set-plan":
            set_plan(settings, arguments.email, arguments.plan)
        else:
            list_plans(settings)
    except (SettingsError, StoreUnavailable) as error:
        print(f"ragsell: {error}", file=sys.stderr)
        return 2
    except DomainError as error:
        print(f"ragsell: {error.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
