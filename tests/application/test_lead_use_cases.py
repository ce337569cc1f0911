"""Capturing a lead from the widget, and the owner's list of them."""

from datetime import timedelta

import pytest

from ragsell.application.errors import NotFound, OriginNotAllowed, RateLimited
from ragsell.application.leads.capture_lead import CaptureLeadCommand
from ragsell.application.ports.repositories import ListCursor
from ragsell.application.sites.update_site import UpdateSiteCommand
from ragsell.application.throttling import LEADS_PER_VISITOR
from ragsell.domain.errors import InvalidEmail, InvalidPhone, InvalidUrl, InvalidValue, NoContactGiven
from ragsell.domain.leads import LeadKind, LeadStatus
from tests.application.conftest import Harness, new_visitor


async def test_a_lead_is_stored_normalized_with_its_conversation(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, country="US"))
    visitor = new_visitor()
    conversation = await harness.start(site, visitor)

    lead = await harness.leave_lead(
        site,
        visitor,
        conversation_id=conversation.id,
        name="  Grace   Hopper ",
        email=" Grace@Navy.MIL ",
        phone="(415) 555-2671",
        message="  Call me after five.  ",
        kind=LeadKind.CALLBACK,
        page_url="https://example.com/pricing?ref=ad&email=grace@navy.mil#plans",
    )

    assert (lead.name, lead.email, lead.phone, lead.message) == (
        "Grace Hopper",
        "grace@navy.mil",
        "+14155552671",
        "Call me after five.",
    )
    assert lead.page_url == "https://example.com/pricing"
    assert (lead.site_id, lead.visitor_id, lead.conversation_id) == (site.id, visitor, conversation.id)
    assert lead.status is LeadStatus.NEW
    assert lead.created_at == harness.clock.now()
    assert await harness.list_leads(owner.id, site.id) == [lead]


async def test_a_lead_needs_no_conversation(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    lead = await harness.leave_lead(site, email=None, phone="+44 20 7946 0958")
    assert lead.conversation_id is None
    assert lead.phone == "+442079460958"


async def test_a_lead_with_an_invalid_email_is_refused_and_nothing_is_stored(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(InvalidEmail):
        await harness.leave_lead(site, email="grace@", phone="+14155552671")
    assert await harness.list_leads(owner.id, site.id) == []


async def test_a_lead_without_any_contact_is_refused(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(NoContactGiven):
        await harness.leave_lead(site, email="  ", phone="")
    with pytest.raises(NoContactGiven):
        await harness.leave_lead(site, email=None, phone=None)
    assert await harness.list_leads(owner.id, site.id) == []


async def test_a_callback_lead_without_a_phone_is_refused(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(NoContactGiven):
        await harness.leave_lead(site, email="grace@example.org", phone=None, kind=LeadKind.CALLBACK)
    assert await harness.list_leads(owner.id, site.id) == []


async def test_a_national_phone_number_needs_the_sites_country(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(InvalidPhone):
        await harness.leave_lead(site, email=None, phone="(415) 555-2671")
    await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, country="US"))
    assert (await harness.leave_lead(site, email=None, phone="(415) 555-2671")).phone == "+14155552671"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "   "}, InvalidValue),
        ({"message": "x" * 2001}, InvalidValue),
        ({"page_url": "javascript:alert(1)"}, InvalidUrl),
    ],
)
async def test_other_malformed_leads_are_refused(
    harness: Harness, fields: dict[str, object], error: type[Exception]
) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(error):
        await harness.leave_lead(site, **fields)
    assert await harness.list_leads(owner.id, site.id) == []


async def test_a_lead_cannot_name_another_visitors_or_another_sites_conversation(harness: Harness) -> None:
    ada = await harness.owner("ada@example.com")
    bob = await harness.owner("bob@example.com")
    ada_site = await harness.site(ada, "https://ada.example/")
    bob_site = await harness.site(bob, "https://bob.example/")
    visitor = new_visitor()
    adas_conversation = await harness.start(ada_site, visitor)
    with pytest.raises(NotFound):
        await harness.leave_lead(ada_site, new_visitor(), conversation_id=adas_conversation.id)
    with pytest.raises(NotFound):
        await harness.leave_lead(bob_site, visitor, conversation_id=adas_conversation.id)
    assert await harness.list_leads(ada.id, ada_site.id) == []
    assert await harness.list_leads(bob.id, bob_site.id) == []


async def test_leads_are_refused_from_an_origin_the_site_does_not_allow(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(OriginNotAllowed):
        await harness.capture_lead(
            CaptureLeadCommand(
                widget_key=site.widget_key,
                origin="https://evil.example",
                visitor_id=new_visitor(),
                conversation_id=None,
                name="Mallory",
                email="mallory@evil.example",
                phone=None,
                message="",
                kind=LeadKind.MESSAGE,
                page_url=None,
            )
        )
    assert await harness.list_leads(owner.id, site.id) == []


async def test_leads_are_throttled_per_visitor(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = new_visitor()
    for _ in range(LEADS_PER_VISITOR.limit):
        await harness.leave_lead(site, visitor)
    with pytest.raises(RateLimited):
        await harness.leave_lead(site, visitor)
    assert len(await harness.list_leads(owner.id, site.id)) == LEADS_PER_VISITOR.limit


async def test_leads_are_listed_newest_first_in_pages(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    made = []
    for index in range(4):
        made.append(await harness.leave_lead(site, email=f"lead{index}@example.org"))
        harness.clock.advance(timedelta(minutes=1))
    newest_first = list(reversed(made))
    assert await harness.list_leads(owner.id, site.id) == newest_first
    assert await harness.list_leads(owner.id, site.id, limit=2) == newest_first[:2]
    cursor = ListCursor(at=newest_first[1].created_at, id=newest_first[1].id)
    assert await harness.list_leads(owner.id, site.id, before=cursor) == newest_first[2:]
    # Page sizes are clamped to something sensible.
    assert await harness.list_leads(owner.id, site.id, limit=0) == newest_first[:1]


async def test_owners_move_leads_through_their_statuses(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    lead = await harness.leave_lead(site)
    for status in (LeadStatus.CONTACTED, LeadStatus.CLOSED, LeadStatus.NEW):
        await harness.set_lead_status(owner.id, site.id, lead.id, status)
        assert (await harness.list_leads(owner.id, site.id))[0].status is status
    with pytest.raises(NotFound):
        await harness.set_lead_status(owner.id, site.id, harness.ids.new_id(), LeadStatus.CLOSED)
