"""The erasure promise as a property, on every store: after a visitor is erased (found by
visitor id, email or phone), no record anywhere mentions their visitor id, email or
phone, an export finds nothing, other visitors keep everything, and usage totals stay.

On Mongo every document of every collection is read raw; in memory every value the
stores hold is walked."""

import asyncio
import secrets
import uuid
from collections.abc import Coroutine, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import msgspec
import pytest
from bson import json_util
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.system.ids import SecretsIdGenerator
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.privacy.erase_visitor_data import EraseVisitorData
from ragsell.application.privacy.export_visitor_data import ExportVisitorData
from ragsell.application.privacy.requests import VisitorQuery
from ragsell.application.privacy.visitor_records import VisitorRecords
from ragsell.application.throttling import (
    CONVERSATIONS_PER_VISITOR,
    FEEDBACK_PER_VISITOR,
    LEADS_PER_VISITOR,
    MESSAGES_PER_VISITOR,
    PAGE_VIEWS_PER_VISITOR,
)
from ragsell.domain.accounts import Owner
from ragsell.domain.conversations import Feedback, Role
from ragsell.domain.ids import VisitorId
from ragsell.domain.leads import LeadKind
from ragsell.domain.usage import Meter
from tests.contract.stores import (
    MEMORY,
    Stores,
    conversation,
    fresh_database,
    lead,
    memory_stores,
    message,
    mongo_stores,
    owner,
    page_view,
    real_now,
    site,
    store_params,
    store_uri,
)

T = TypeVar("T")
RUN = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = (
    CONVERSATIONS_PER_VISITOR,
    MESSAGES_PER_VISITOR,
    PAGE_VIEWS_PER_VISITOR,
    LEADS_PER_VISITOR,
    FEEDBACK_PER_VISITOR,
)


class VisitorPlan(msgspec.Struct, frozen=True):
    site: int
    page_views: int
    conversations: int
    leads: int
    # Typing one's own address into the chat: it goes with the conversation.
    mentions_email: bool
    rates: bool


visitor_plans = st.builds(
    VisitorPlan,
    site=st.integers(0, 1),
    page_views=st.integers(0, 3),
    conversations=st.integers(0, 2),
    leads=st.integers(0, 2),
    mentions_email=st.booleans(),
    rates=st.booleans(),
)


class Workload(msgspec.Struct, frozen=True):
    visitors: list[VisitorPlan]
    # The second visitor gave the subject's address too (another browser, same person).
    shares_email: bool
    by: str


workloads = st.builds(
    Workload,
    visitors=st.lists(visitor_plans, min_size=2, max_size=4),
    shares_email=st.booleans(),
    by=st.sampled_from(["visitor_id", "email", "phone"]),
)


class Runner:
    """The stores of one kind on an event loop of its own (hypothesis runs synchronously)."""

    def __init__(self, kind: str, uri: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        self.database = None
        if kind == MEMORY:
            self.stores = memory_stores()
        else:
            self._fresh = fresh_database(str(uri))
            self.database = self.run(self._fresh.__aenter__())
            self.stores = mongo_stores(kind, self.database)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        try:
            if self.database is not None:
                self.run(self._fresh.__aexit__(None, None, None))
        finally:
            self.loop.close()


class Visitor(msgspec.Struct):
    id: str
    email: str
    phone: str
    site: int


def _phone(n: int) -> str:
    """A valid Berlin number, one for each ``n`` below 10**7."""
    return f"+4930{10_000_000 + n}"


async def _load(stores: Stores, workload: Workload, now: datetime) -> tuple[Owner, list[Visitor]]:
    """One owner's two sites with the planned visitors; every example's values are new
    (the store keeps what earlier examples left)."""
    ada = owner()
    await stores.owners.add(ada)
    sites = [site(ada.id, created_at=now), site(ada.id, created_at=now)]
    for each in sites:
        await stores.sites.add(each)
    visitors = []
    run = secrets.randbelow(10**6)
    for n, plan in enumerate(workload.visitors):
        shared = n == 0 or (n == 1 and workload.shares_email)
        email = f"subject-{run}@example.org" if shared else f"v{n}-{run}@example.org"
        visitor = Visitor(id=str(uuid.uuid4()), email=email, phone=_phone(run * 10 + n), site=plan.site)
        visitors.append(visitor)
        where = sites[plan.site]
        for _ in range(plan.page_views):
            await stores.page_views.add(page_view(where.id, visitor=visitor.id, at=now), expires_at=now + timedelta(1))
        for _ in range(plan.conversations):
            chat = msgspec.structs.replace(conversation(where.id, at=now), visitor_id=VisitorId(visitor.id))
            await stores.conversations.add(chat)
            text = f"Write to me at {visitor.email}" if plan.mentions_email else "Do you ship to Norway?"
            asked = message(chat, text=text)
            reply = message(chat, role=Role.ASSISTANT, client_message_id=asked.client_message_id)
            await stores.conversations.add_message(asked)
            await stores.conversations.add_message(reply)
            if plan.rates:
                await stores.conversations.set_feedback(where.id, chat.id, reply.id, Feedback.DOWN)
            for meter in (Meter.CONVERSATIONS, Meter.MESSAGES):
                await stores.usage.reserve(
                    owner_id=ada.id, site_id=where.id, meter=meter, period_start=now, amount=1, limit=1000
                )
        for _ in range(plan.leads):
            left = msgspec.structs.replace(
                lead(where.id, created_at=now),
                visitor_id=VisitorId(visitor.id),
                email=visitor.email,
                phone=visitor.phone,
                kind=LeadKind.MESSAGE,
            )
            await stores.leads.add(left)
        for rule in RULES:
            await stores.rate_limiter.hit(f"{rule.name}:{where.id}:{visitor.id}", limit=99, window=rule.window, now=now)
    return ada, visitors


def _erased(workload: Workload, visitors: list[Visitor]) -> list[Visitor]:
    """Who the request names: the subject, and by email whoever gave the same address in
    a lead or typed it into a chat."""
    subject = visitors[0]
    if workload.by == "visitor_id":
        return [subject]
    if workload.by == "phone":
        return [v for v in visitors if v.phone == subject.phone and workload.visitors[visitors.index(v)].leads]
    plans = [workload.visitors[visitors.index(v)] for v in visitors]
    return [
        v
        for v, plan in zip(visitors, plans, strict=True)
        if v.email == subject.email and (plan.leads or (plan.mentions_email and plan.conversations))
    ]


def _query(workload: Workload, subject: Visitor) -> VisitorQuery:
    value = {"visitor_id": subject.id, "email": subject.email, "phone": subject.phone}[workload.by]
    return VisitorQuery(**{workload.by: value})


def _strings(value: Any, seen: set[int]) -> Iterator[str]:
    """Every string held in ``value``: containers, Structs and objects walked, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes | int | float | datetime | type(None)) or id(value) in seen:
        return
    else:
        seen.add(id(value))
        if isinstance(value, dict):
            for key, item in value.items():
                yield from _strings(key, seen)
                yield from _strings(item, seen)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                yield from _strings(item, seen)
        elif isinstance(value, msgspec.Struct):
            for field in value.__struct_fields__:
                yield from _strings(getattr(value, field), seen)
        elif hasattr(value, "__dict__"):
            yield from _strings(vars(value), seen)


async def _everything(runner: Runner) -> str:
    if runner.database is None:
        return "\n".join(_strings(runner.stores, set()))
    dumps = []
    for name in await runner.database.list_collection_names():
        dumps += [json_util.dumps(document) async for document in runner.database[name].find({})]
    return "\n".join(dumps)


@pytest.mark.parametrize("kind", store_params())
def test_after_erasure_no_record_mentions_the_visitor(kind: str, request: pytest.FixtureRequest) -> None:
    runner = Runner(kind, None if kind == MEMORY else store_uri(kind, request))
    stores = runner.stores
    clock = ManualClock(real_now())
    audit = PrivacyAudit(stores.privacy_requests, clock, SecretsIdGenerator())
    records = VisitorRecords(stores.conversations, stores.leads, stores.page_views, stores.rate_limiter, clock)
    erase = EraseVisitorData(stores.sites, records, audit)
    export = ExportVisitorData(stores.sites, records, audit, clock)

    @given(workload=workloads)
    @RUN
    def check(workload: Workload) -> None:
        now = clock.now()
        ada, visitors = runner.run(_load(stores, workload, now))
        usage = runner.run(stores.usage.history(ada.id))
        erased = _erased(workload, visitors)
        kept = [v for v in visitors if v not in erased]
        before = runner.run(_everything(runner))

        runner.run(erase(ada.id, _query(workload, visitors[0])))

        after = runner.run(_everything(runner))
        still_given = {value for other in kept for value in (other.id, other.email, other.phone)}
        for gone in erased:
            assert gone.id in before
            for value in {gone.id, gone.email, gone.phone} - still_given:
                assert value not in after, (gone, value)
        for other in kept:
            assert (other.id in before) == (other.id in after)
            assert (other.phone in before) == (other.phone in after)
        for subject in ({"visitor_id": v.id} for v in erased):
            assert runner.run(export(ada.id, VisitorQuery(**subject))).sites == ()
        assert runner.run(stores.usage.history(ada.id)) == usage

    try:
        check()
    finally:
        runner.close()
