"""One owner can neither see nor change another owner's sites, knowledge, conversations or leads:
another tenant's data looks exactly like data that does not exist."""

from dataclasses import dataclass

import pytest

from ragsell.application.errors import NotFound
from ragsell.application.knowledge.add_snippet import AddSnippetCommand
from ragsell.application.sites.update_site import UpdateSiteCommand
from ragsell.domain.accounts import Owner
from ragsell.domain.conversations import Conversation
from ragsell.domain.knowledge import Snippet, SnippetKind
from ragsell.domain.leads import Lead, LeadStatus
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter
from tests.application.conftest import Harness, new_visitor


@dataclass
class Tenant:
    owner: Owner
    site: Site
    snippet: Snippet
    conversation: Conversation
    lead: Lead


async def tenant(harness: Harness, email: str, url: str) -> Tenant:
    owner = await harness.owner(email)
    site = await harness.site(owner, url)
    snippet = await harness.teach(site, "Hours", "We open at nine.")
    visitor = new_visitor()
    await harness.view_page(site, visitor, url=url)
    conversation = await harness.start(site, visitor)
    await harness.ask(site, conversation, "When do you open?")
    lead = await harness.leave_lead(site, visitor, conversation_id=conversation.id)
    return Tenant(owner=owner, site=site, snippet=snippet, conversation=conversation, lead=lead)


@pytest.fixture
async def ada(harness: Harness) -> Tenant:
    return await tenant(harness, "ada@example.com", "https://ada.example/")


@pytest.fixture
async def bob(harness: Harness) -> Tenant:
    return await tenant(harness, "bob@example.com", "https://bob.example/")


async def snapshot(harness: Harness, victim: Tenant) -> tuple[object, ...]:
    site = victim.site
    return (
        await harness.get_site(victim.owner.id, site.id),
        await harness.list_snippets(victim.owner.id, site.id),
        await harness.list_conversations(victim.owner.id, site.id),
        await harness.get_transcript(victim.owner.id, site.id, victim.conversation.id),
        await harness.list_leads(victim.owner.id, site.id),
        await harness.used(victim.owner, Meter.SITES),
    )


async def test_owner_cannot_read_another_owners_site(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    with pytest.raises(NotFound) as foreign:
        await harness.get_site(bob.owner.id, ada.site.id)
    with pytest.raises(NotFound) as missing:
        await harness.get_site(bob.owner.id, harness.ids.new_id())
    assert foreign.value.message == missing.value.message
    assert [site.id for site in await harness.list_sites(bob.owner.id)] == [bob.site.id]


async def test_owner_cannot_change_or_delete_another_owners_site(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    before = await snapshot(harness, ada)
    with pytest.raises(NotFound):
        await harness.update_site(
            UpdateSiteCommand(
                owner_id=bob.owner.id, site_id=ada.site.id, name="Hijacked", allowed_origins=("https://evil.example",)
            )
        )
    with pytest.raises(NotFound):
        await harness.delete_site(bob.owner.id, ada.site.id)
    assert await snapshot(harness, ada) == before
    assert await harness.used(bob.owner, Meter.SITES) == 1


async def test_owner_cannot_read_or_change_another_owners_knowledge(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    before = await snapshot(harness, ada)
    with pytest.raises(NotFound):
        await harness.list_snippets(bob.owner.id, ada.site.id)
    with pytest.raises(NotFound):
        await harness.add_snippet(
            AddSnippetCommand(
                owner_id=bob.owner.id, site_id=ada.site.id, kind=SnippetKind.TEXT, title="Spam", text="Buy now"
            )
        )
    with pytest.raises(NotFound):
        await harness.delete_snippet(bob.owner.id, ada.site.id, ada.snippet.id)
    # Through their own site, with the other tenant's snippet id.
    with pytest.raises(NotFound):
        await harness.delete_snippet(bob.owner.id, bob.site.id, ada.snippet.id)
    assert await snapshot(harness, ada) == before


async def test_owner_cannot_read_another_owners_conversations(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    with pytest.raises(NotFound):
        await harness.list_conversations(bob.owner.id, ada.site.id)
    with pytest.raises(NotFound):
        await harness.get_transcript(bob.owner.id, ada.site.id, ada.conversation.id)
    with pytest.raises(NotFound):
        await harness.get_transcript(bob.owner.id, bob.site.id, ada.conversation.id)
    with pytest.raises(NotFound):
        await harness.count_active_visitors(bob.owner.id, ada.site.id)
    assert [c.id for c in await harness.list_conversations(bob.owner.id, bob.site.id)] == [bob.conversation.id]


async def test_owner_cannot_read_another_owners_leads(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    with pytest.raises(NotFound):
        await harness.list_leads(bob.owner.id, ada.site.id)
    assert [lead.id for lead in await harness.list_leads(bob.owner.id, bob.site.id)] == [bob.lead.id]


async def test_owner_cannot_change_another_owners_leads(harness: Harness, ada: Tenant, bob: Tenant) -> None:
    before = await snapshot(harness, ada)
    with pytest.raises(NotFound):
        await harness.set_lead_status(bob.owner.id, ada.site.id, ada.lead.id, LeadStatus.CLOSED)
    with pytest.raises(NotFound):
        await harness.set_lead_status(bob.owner.id, bob.site.id, ada.lead.id, LeadStatus.CLOSED)
    assert await snapshot(harness, ada) == before
    assert (await harness.list_leads(ada.owner.id, ada.site.id))[0].status is LeadStatus.NEW


async def test_owners_manage_their_own_leads_and_knowledge(harness: Harness, ada: Tenant) -> None:
    await harness.set_lead_status(ada.owner.id, ada.site.id, ada.lead.id, LeadStatus.CONTACTED)
    assert (await harness.list_leads(ada.owner.id, ada.site.id))[0].status is LeadStatus.CONTACTED
    await harness.delete_snippet(ada.owner.id, ada.site.id, ada.snippet.id)
    assert await harness.list_snippets(ada.owner.id, ada.site.id) == []
    with pytest.raises(NotFound):
        await harness.delete_snippet(ada.owner.id, ada.site.id, ada.snippet.id)
