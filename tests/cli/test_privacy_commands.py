"""The operator's commands: ``ragsell privacy export|erase`` across every owner's sites and
``ragsell retention run``, on MongoDB (nx-27017); and the retention sweep a worker runs."""

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any, TypeVar

import msgspec
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.mongo.client import connect
from ragsell.adapters.mongo.names import PRIVACY_REQUESTS
from ragsell.application.ports.repositories import SessionRepository
from ragsell.domain.ids import VisitorId
from ragsell.domain.leads import LeadKind
from ragsell.entrypoints.cli import main
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.settings import load_settings
from ragsell.entrypoints.worker import run_worker, stop_worker
from tests.contract.stores import Stores, conversation, lead, message, mongo_stores, owner, real_now, session, site
from tests.http.conftest import HarnessOverrides

T = TypeVar("T")
EMAIL = "vera@example.org"


@pytest.fixture
def database(mongo_uri: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own, which the commands reach through the settings' variables."""
    name = f"cli_{uuid.uuid4().hex}"
    for variable in [name for name in os.environ if name.startswith("RAGSELL_")]:
        monkeypatch.delenv(variable)
    monkeypatch.setenv("RAGSELL_MONGODB_URI", mongo_uri)
    monkeypatch.setenv("RAGSELL_MONGODB_DATABASE", name)
    yield name
    on_store(mongo_uri, name, lambda db: db.client.drop_database(name))


def on_store(uri: str, name: str, use: Callable[[AsyncDatabase[dict[str, Any]]], Awaitable[T]]) -> T:
    async def run() -> T:
        client, db = await connect(uri, name)
        try:
            return await use(db)
        finally:
            await client.close()

    return asyncio.run(run())


async def _two_owners_one_visitor(db: AsyncDatabase[dict[str, Any]]) -> None:
    """The same person left leads on two owners' sites (a visitor id on each)."""
    stores: Stores = mongo_stores("nx", db)
    now = real_now()
    for _ in range(2):
        who = owner()
        where = site(who.id)
        await stores.owners.add(who)
        await stores.sites.add(where)
        chat = conversation(where.id, at=now)
        await stores.conversations.add(chat)
        await stores.conversations.add_message(message(chat, text=f"Mail me at {EMAIL}"))
        given = msgspec.structs.replace(lead(where.id, conversation_id=chat.id), visitor_id=VisitorId(chat.visitor_id))
        await stores.leads.add(given)
    await stores.leads.add(msgspec.structs.replace(lead(where.id), email="other@example.org", kind=LeadKind.MESSAGE))


def _run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _counts(output: str) -> dict[str, int]:
    return {line.split()[0]: int(line.split()[1]) for line in output.splitlines()[1:]}


def test_the_operator_erases_a_visitor_across_every_owners_sites(
    database: str, mongo_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    on_store(mongo_uri, database, _two_owners_one_visitor)

    code, out, _ = _run(capsys, "privacy", "erase", "--email", "Vera@Example.org", "--dry-run")
    assert code == 0
    assert out.startswith("Would erase (dry run):")
    assert _counts(out) | {"rate_limit_windows": 0} == {
        "sites": 2,
        "conversations": 2,
        "messages": 2,
        "leads": 2,
        "page_views": 0,
        "rate_limit_windows": 0,
    }

    code, out, _ = _run(capsys, "privacy", "export", "--email", EMAIL)
    assert code == 0
    export = json.loads(out)
    assert [len(found["leads"]) for found in export["sites"]] == [1, 1]

    code, out, _ = _run(capsys, "privacy", "erase", "--email", EMAIL)
    assert (code, out.splitlines()[0], _counts(out)["leads"]) == (0, "Erased:", 2)

    code, out, _ = _run(capsys, "privacy", "export", "--email", EMAIL)
    assert json.loads(out)["sites"] == []
    records = on_store(mongo_uri, database, lambda db: db[PRIVACY_REQUESTS].find({}).sort("requested_at", 1).to_list())
    assert [(r["requester"], r["owner_id"], r["action"], r["subject"]) for r in records] == [
        ("operator", None, "export", "email"),
        ("operator", None, "erase", "email"),
        ("operator", None, "export", "email"),
    ]
    assert EMAIL not in str(records)
    assert "other@example.org" in str(on_store(mongo_uri, database, lambda db: db["leads"].find({}).to_list()))


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (("--email", "not an address"), 1),
        (("--phone", "030 123456"), 1),
        (("--visitor-id", "someone"), 1),
        (("--email", EMAIL, "--phone", "+4930123456"), 2),
        ((), 2),
    ],
)
def test_an_operator_request_must_name_one_valid_visitor(
    database: str, capsys: pytest.CaptureFixture[str], arguments: tuple[str, ...], code: int
) -> None:
    if code == 2:
        with pytest.raises(SystemExit) as exited:
            main(["privacy", "erase", *arguments])
        assert exited.value.code == 2
        return
    exit_code, out, err = _run(capsys, "privacy", "erase", *arguments)
    assert (exit_code, out) == (code, "")
    assert err.startswith("ragsell: ")


def test_retention_run_says_what_it_would_remove_then_removes_it(
    database: str, mongo_uri: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def old_conversation(db: AsyncDatabase[dict[str, Any]]) -> None:
        stores = mongo_stores("nx", db)
        where = msgspec.structs.replace(site(owner().id), retention_days=1)
        await stores.sites.add(where)
        chat = conversation(where.id, at=real_now() - timedelta(days=3))
        await stores.conversations.add(chat)
        await stores.conversations.add_message(message(chat))

    on_store(mongo_uri, database, old_conversation)

    code, out, _ = _run(capsys, "retention", "run", "--dry-run")
    assert (code, out.splitlines()[0], _counts(out)["conversations"]) == (0, "Would remove (dry run):", 1)
    assert set(_counts(out)) == {
        "conversations",
        "page_views",
        "sessions",
        "rate_limit_windows",
        "crawl_jobs",
        "privacy_requests",
        "closed_accounts",
    }
    code, out, _ = _run(capsys, "retention", "run")
    assert (out.splitlines()[0], _counts(out)["conversations"], _counts(out)["messages"]) == ("Removed:", 1, 1)
    code, out, _ = _run(capsys, "retention", "run", "--dry-run")
    assert _counts(out)["conversations"] == 0


async def test_a_worker_runs_the_retention_sweep() -> None:
    clock = ManualClock(real_now())
    settings = load_settings({}, store="memory")
    container = make_container(settings, store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)])
    sessions = await container.get(SessionRepository)
    expired = session(owner().id, now=clock.now())
    await sessions.add(expired)
    clock.advance(timedelta(days=8))
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(container, stop, name="test-worker"))
    try:
        for _ in range(200):
            if await sessions.purge_expired(clock.now(), dry_run=True) == 0:
                break
            await asyncio.sleep(0.01)
        assert await sessions.purge_expired(clock.now(), dry_run=True) == 0
    finally:
        stop.set()
        await stop_worker(worker)
        await container.close()
