"""Random sequences of operations, checked against a plain model after every step, on
every store. Hypothesis state machines are synchronous, so each machine runs the store's
coroutines on an event loop of its own (and, for Mongo, a client made on that loop)."""

import asyncio
import uuid
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from pymongo.asynchronous.database import AsyncDatabase

from ragsell.application.ports.repositories import DuplicateKey, ListCursor
from ragsell.domain.conversations import Conversation, Message, Role
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, OwnerId, SiteId, VisitorId
from ragsell.domain.usage import Meter
from tests.contract.stores import (
    MEMORY,
    fresh_database,
    memory_stores,
    mongo_stores,
    new_id,
    store_params,
    store_uri,
)

T = TypeVar("T")

RUN = settings(max_examples=15, stateful_step_count=20, deadline=None)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# Within a few seconds of each other, so that many times share a second.
OFFSETS = st.integers(min_value=0, max_value=3000).map(lambda n: T0 + timedelta(milliseconds=n))
SITES = (SiteId("site-aaaaaaaaaaaaaaaaaa"), SiteId("site-bbbbbbbbbbbbbbbbbb"))
CLIENT_IDS = tuple(ClientMessageId(str(uuid.UUID(int=n, version=4))) for n in range(1, 4))


class StoreRunner:
    """The stores of one kind on an event loop owned by this object."""

    def __init__(self, kind: str, uri: str | None) -> None:
        self.loop = asyncio.new_event_loop()
        self._database: AbstractAsyncContextManager[AsyncDatabase[dict[str, Any]]] | None = None
        if kind == MEMORY:
            self.stores = memory_stores()
        else:
            assert uri is not None
            self._database = fresh_database(uri)
            self.stores = mongo_stores(kind, self.run(self._database.__aenter__()))

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def close(self) -> None:
        try:
            if self._database is not None:
                self.run(self._database.__aexit__(None, None, None))
        finally:
            self.loop.close()


class ConversationMachine(RuleBasedStateMachine):
    kind: str = MEMORY
    uri: str | None = None

    conversations = Bundle("conversations")

    def __init__(self) -> None:
        super().__init__()
        self.runner = StoreRunner(self.kind, self.uri)
        self.store = self.runner.stores.conversations
        self.model: dict[ConversationId, Conversation] = {}
        self.messages: dict[ConversationId, list[Message]] = {}

    def teardown(self) -> None:
        self.runner.close()

    @rule(target=conversations, site=st.sampled_from(SITES), at=OFFSETS)
    def start_conversation(self, site: SiteId, at: datetime) -> Conversation:
        chat = Conversation(
            id=ConversationId(new_id()),
            site_id=site,
            visitor_id=VisitorId(str(uuid.uuid4())),
            started_at=at,
            last_message_at=at,
        )
        self.runner.run(self.store.add(chat))
        self.model[chat.id] = chat
        self.messages[chat.id] = []
        return chat

    @rule(
        chat=conversations,
        role=st.sampled_from(Role),
        client_id=st.sampled_from(CLIENT_IDS),
        at=OFFSETS,
        elsewhere=st.booleans(),
    )
    def post_message(
        self, chat: Conversation, role: Role, client_id: ClientMessageId, at: datetime, elsewhere: bool
    ) -> None:
        site = SITES[1 - SITES.index(chat.site_id)] if elsewhere else chat.site_id
        posted = Message(
            id=MessageId(new_id()),
            conversation_id=chat.id,
            site_id=site,
            role=role,
            text="Hello there",
            client_message_id=client_id,
            created_at=at,
            answered=True if role is Role.ASSISTANT else None,
        )
        if elsewhere or chat.id not in self.model:
            with pytest.raises(LookupError):
                self.runner.run(self.store.add_message(posted))
            return
        if any(m.client_message_id == client_id and m.role is role for m in self.messages[chat.id]):
            with pytest.raises(DuplicateKey):
                self.runner.run(self.store.add_message(posted))
            return
        self.runner.run(self.store.add_message(posted))
        self.messages[chat.id].append(posted)
        known = self.model[chat.id]
        self.model[chat.id] = Conversation(
            id=known.id,
            site_id=known.site_id,
            visitor_id=known.visitor_id,
            started_at=known.started_at,
            last_message_at=max(known.last_message_at, at),
        )

    @rule(site=st.sampled_from(SITES))
    def erase_site(self, site: SiteId) -> None:
        self.runner.run(self.runner.stores.eraser.erase_site(site))
        for chat_id in [c.id for c in self.model.values() if c.site_id == site]:
            del self.model[chat_id]
            del self.messages[chat_id]

    @rule(chat=conversations, site=st.sampled_from(SITES))
    def read_one(self, chat: Conversation, site: SiteId) -> None:
        known = self.model.get(chat.id)
        expected = known if known is not None and known.site_id == site else None
        assert self.runner.run(self.store.get(site, chat.id)) == expected

    @rule(chat=conversations, role=st.sampled_from(Role), client_id=st.sampled_from(CLIENT_IDS))
    def find_by_client_id(self, chat: Conversation, role: Role, client_id: ClientMessageId) -> None:
        expected = next(
            (m for m in self.messages.get(chat.id, []) if m.client_message_id == client_id and m.role is role), None
        )
        assert self.runner.run(self.store.message_by_client_id(chat.site_id, chat.id, client_id, role)) == expected

    @rule(chat=conversations)
    def read_transcript(self, chat: Conversation) -> None:
        expected = sorted(
            self.messages.get(chat.id, []), key=lambda m: (m.created_at, m.role is not Role.VISITOR, m.id)
        )
        assert self.runner.run(self.store.messages(chat.site_id, chat.id)) == expected

    @rule(site=st.sampled_from(SITES), before=st.none() | OFFSETS, limit=st.integers(min_value=1, max_value=4))
    def list_page(self, site: SiteId, before: datetime | None, limit: int) -> None:
        self._check_page(site, None if before is None else ListCursor(at=before), limit)

    @rule(chat=conversations, shift=st.sampled_from((-1, 0, 1, 999)), limit=st.integers(min_value=1, max_value=4))
    def list_next_page(self, chat: Conversation, shift: int, limit: int) -> None:
        """Paging as the dashboard does it: before the last time of a listed conversation."""
        known = self.model.get(chat.id, chat)
        cursor = ListCursor(at=known.last_message_at + timedelta(milliseconds=shift), id=chat.id)
        self._check_page(chat.site_id, cursor, limit)

    def _check_page(self, site: SiteId, before: ListCursor | None, limit: int) -> None:
        kept = [
            c
            for c in self.model.values()
            if c.site_id == site and (before is None or before.admits(c.last_message_at, c.id))
        ]
        expected = sorted(kept, key=lambda c: (c.last_message_at, c.id), reverse=True)[:limit]
        assert self.runner.run(self.store.list_for_site(site, before=before, limit=limit)) == expected


OWNERS = (OwnerId("owner-aaaaaaaaaaaaaaaaa"), OwnerId("owner-bbbbbbbbbbbbbbbbb"))
PERIODS = (datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
METERS = (Meter.MESSAGES, Meter.CONVERSATIONS)
_Counter = tuple[OwnerId, Meter, datetime]


class UsageLedgerMachine(RuleBasedStateMachine):
    kind: str = MEMORY
    uri: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.runner = StoreRunner(self.kind, self.uri)
        self.ledger = self.runner.stores.usage
        self.used: dict[_Counter, int] = {}

    def teardown(self) -> None:
        self.runner.close()

    @rule(
        owner=st.sampled_from(OWNERS),
        site=st.sampled_from((None, *SITES)),
        meter=st.sampled_from(METERS),
        period=st.sampled_from(PERIODS),
        amount=st.integers(min_value=0, max_value=6),
        limit=st.integers(min_value=0, max_value=12),
    )
    def reserve(
        self, owner: OwnerId, site: SiteId | None, meter: Meter, period: datetime, amount: int, limit: int
    ) -> None:
        key = (owner, meter, period)
        fits = amount > 0 and self.used.get(key, 0) + amount <= limit
        reserved = self.runner.run(
            self.ledger.reserve(
                owner_id=owner, site_id=site, meter=meter, period_start=period, amount=amount, limit=limit
            )
        )
        assert reserved is fits
        if fits:
            self.used[key] = self.used.get(key, 0) + amount

    @rule(
        owner=st.sampled_from(OWNERS),
        site=st.sampled_from((None, *SITES)),
        meter=st.sampled_from(METERS),
        period=st.sampled_from(PERIODS),
        amount=st.integers(min_value=1, max_value=6),
    )
    def release(self, owner: OwnerId, site: SiteId | None, meter: Meter, period: datetime, amount: int) -> None:
        self.runner.run(
            self.ledger.release(owner_id=owner, site_id=site, meter=meter, period_start=period, amount=amount)
        )
        key = (owner, meter, period)
        self.used[key] = max(0, self.used.get(key, 0) - amount)

    @invariant()
    def counters_match_the_model(self) -> None:
        for owner in OWNERS:
            for period in PERIODS:
                expected = {meter: self.used.get((owner, meter, period), 0) for meter in METERS}
                assert self.runner.run(self.ledger.used(owner, {meter: period for meter in METERS})) == expected


def _machine(
    machine: type[RuleBasedStateMachine], kind: str, request: pytest.FixtureRequest
) -> type[RuleBasedStateMachine]:
    uri = None if kind == MEMORY else store_uri(kind, request)
    return type(f"{machine.__name__}On{kind.title()}", (machine,), {"kind": kind, "uri": uri})


@pytest.mark.parametrize("kind", store_params())
def test_conversations_behave_like_the_model_under_random_operations(kind: str, request: pytest.FixtureRequest) -> None:
    run_state_machine_as_test(_machine(ConversationMachine, kind, request), settings=RUN)


@pytest.mark.parametrize("kind", store_params())
def test_the_usage_ledger_behaves_like_the_model_under_random_operations(
    kind: str, request: pytest.FixtureRequest
) -> None:
    run_state_machine_as_test(_machine(UsageLedgerMachine, kind, request), settings=RUN)
