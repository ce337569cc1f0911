"""Privacy requests by email or phone find a visitor who typed it into the chat without
ever leaving a lead."""

from datetime import timedelta

import pytest

from ragsell.adapters.memory.privacy import InMemoryPrivacyRequestLog
from ragsell.application.privacy import visitor_records
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.privacy.erase_visitor_data import EraseVisitorData
from ragsell.application.privacy.export_visitor_data import ExportVisitorData
from ragsell.application.privacy.requests import VisitorQuery
from ragsell.application.privacy.visitor_records import VisitorRecords
from ragsell.domain.conversations import Role
from ragsell.domain.ids import VisitorId
from ragsell.domain.sites import Site
from tests.application.conftest import Harness, new_visitor


class Privacy:
    def __init__(self, harness: Harness) -> None:
        audit = PrivacyAudit(InMemoryPrivacyRequestLog(), harness.clock, harness.ids)
        records = VisitorRecords(
            harness.conversations, harness.leads, harness.page_views, harness.limiter, harness.clock
        )
        self.export = ExportVisitorData(harness.sites, records, audit, harness.clock)
        self.erase = EraseVisitorData(harness.sites, records, audit)


async def _typed(harness: Harness, site: Site, text: str) -> VisitorId:
    """A new visitor who says ``text`` in the chat and leaves no lead; their id."""
    chat = await harness.start(site, new_visitor())
    await harness.ask(site, chat, text)
    return chat.visitor_id


async def test_a_visitor_who_typed_their_address_is_exported_by_it(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = await _typed(harness, site, "Please reply to Bob.Stone@Example.com")
    await _typed(harness, site, "Do you ship to Norway?")

    export = await Privacy(harness).export(owner.id, VisitorQuery(email="bob.stone@example.com"))

    [found] = export.sites
    assert found.visitor_ids == (visitor,)
    [transcript] = found.conversations
    assert [message.role for message in transcript.messages] == [Role.VISITOR, Role.ASSISTANT]
    assert found.leads == ()


async def test_a_visitor_who_typed_their_number_is_erased_by_it_and_others_stay(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = await _typed(harness, site, "call me on (415) 555-0123 after six")
    bystander = await _typed(harness, site, "my number is 415 555 0199")

    erased = await Privacy(harness).erase(owner.id, VisitorQuery(phone="+1 415 555 0123"))

    assert (erased.sites, erased.erased.conversations, erased.erased.messages) == (1, 1, 2)
    assert await harness.conversations.list_for_visitor(site.id, visitor) == []
    assert len(await harness.conversations.list_for_visitor(site.id, bystander)) == 1


async def test_leads_and_mentions_together_name_every_visitor_once(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with_lead = await _typed(harness, site, "ann@example.com here")
    await harness.leave_lead(site, with_lead, email="ann@example.com")
    only_lead = new_visitor()
    await harness.leave_lead(site, only_lead, email="ann@example.com")
    only_typed = await _typed(harness, site, "I'm ANN@EXAMPLE.COM")

    export = await Privacy(harness).export(owner.id, VisitorQuery(email="ann@example.com"))

    [found] = export.sites
    assert sorted(found.visitor_ids) == sorted([with_lead, only_lead, only_typed])


async def test_past_the_limit_an_erasure_asked_again_finds_the_rest(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(visitor_records, "MAX_MENTIONING_VISITORS", 2)
    owner = await harness.owner()
    site = await harness.site(owner)
    typed = []
    for _ in range(3):
        typed.append(await _typed(harness, site, "ann@example.com"))
        harness.clock.advance(timedelta(seconds=5))
    privacy = Privacy(harness)

    first = await privacy.erase(owner.id, VisitorQuery(email="ann@example.com"))
    left = [v for v in typed if await harness.conversations.list_for_visitor(site.id, v)]
    second = await privacy.erase(owner.id, VisitorQuery(email="ann@example.com"))

    assert (first.erased.conversations, second.erased.conversations) == (2, 1)
    assert left == typed[:1]  # the ones who mentioned it last went first
    assert (await privacy.export(owner.id, VisitorQuery(email="ann@example.com"))).sites == ()
