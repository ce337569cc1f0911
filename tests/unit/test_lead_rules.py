"""Leads: a visitor who asked to be contacted must be reachable."""

from datetime import UTC, datetime

import pytest

from ragsell.domain.errors import InvalidEmail, InvalidPhone, InvalidValue, NoContactGiven
from ragsell.domain.ids import LeadId, SiteId, VisitorId
from ragsell.domain.leads import MAX_LEAD_MESSAGE_LENGTH, ContactDetails, Lead, LeadKind, LeadStatus, contact_details

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def lead(**changes: object) -> Lead:
    fields: dict[str, object] = {
        "id": LeadId("l" * 22),
        "site_id": SiteId("s" * 22),
        "visitor_id": VisitorId("0b6f6c0e-4a5b-4c3d-9e8f-0123456789ab"),
        "conversation_id": None,
        "name": "Ada",
        "email": "ada@example.com",
        "phone": None,
        "message": "Call me",
        "kind": LeadKind.MESSAGE,
        "status": LeadStatus.NEW,
        "page_url": None,
        "created_at": NOW,
    }
    fields.update(changes)
    return Lead(**fields)  # type: ignore[arg-type]


def test_a_lead_with_an_email_or_a_phone_is_reachable() -> None:
    assert lead().email == "ada@example.com"
    assert lead(email=None, phone="+14155552671").phone == "+14155552671"


def test_a_lead_needs_at_least_one_way_to_reach_the_visitor() -> None:
    with pytest.raises(NoContactGiven):
        lead(email=None, phone=None)


def test_a_callback_lead_needs_a_phone_number() -> None:
    with pytest.raises(NoContactGiven) as caught:
        lead(kind=LeadKind.CALLBACK, email="ada@example.com", phone=None)
    assert caught.value.field == "phone"
    assert lead(kind=LeadKind.CALLBACK, phone="+14155552671").kind is LeadKind.CALLBACK


def test_a_lead_stores_its_email_normalized_and_its_message_bounded() -> None:
    with pytest.raises(InvalidValue):
        lead(email="Ada@Example.com")
    with pytest.raises(InvalidValue):
        lead(message="x" * (MAX_LEAD_MESSAGE_LENGTH + 1))
    with pytest.raises(InvalidValue):
        lead(name=" ")


def test_contact_details_are_normalized() -> None:
    details = contact_details(
        name="  Ada   Lovelace ",
        email=" Ada@Example.COM ",
        phone="(415) 555-2671",
        message="  Please call after 5pm.  ",
        phone_region="US",
    )
    assert details == ContactDetails(
        name="Ada Lovelace", email="ada@example.com", phone="+14155552671", message="Please call after 5pm."
    )


def test_blank_contact_fields_count_as_not_given() -> None:
    details = contact_details(name="Ada", email="  ", phone="+44 20 7946 0958", message="", phone_region=None)
    assert details.email is None
    assert details.phone == "+442079460958"
    with pytest.raises(NoContactGiven):
        contact_details(name="Ada", email=" ", phone="", message="hi", phone_region="US")
    with pytest.raises(NoContactGiven):
        contact_details(name="Ada", email=None, phone=None, message="hi", phone_region="US")


def test_contact_details_reject_a_bad_email_or_phone_even_when_the_other_is_good() -> None:
    with pytest.raises(InvalidEmail):
        contact_details(name="Ada", email="ada@", phone="+14155552671", message="", phone_region=None)
    with pytest.raises(InvalidPhone):
        contact_details(name="Ada", email="ada@example.com", phone="555", message="", phone_region="US")


def test_a_phone_without_country_code_needs_the_sites_country() -> None:
    with pytest.raises(InvalidPhone):
        contact_details(name="Ada", email=None, phone="(415) 555-2671", message="", phone_region=None)


def test_contact_details_bound_the_message() -> None:
    with pytest.raises(InvalidValue):
        contact_details(name="Ada", email="ada@example.com", phone=None, message="x" * 2001, phone_region=None)
