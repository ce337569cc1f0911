"""Leads: a visitor who asked to be contacted, and how to reach them."""

from datetime import datetime
from enum import StrEnum

import msgspec

from ragsell.domain.accounts import check_name
from ragsell.domain.contact import normalize_email, normalize_phone
from ragsell.domain.errors import InvalidValue, NoContactGiven
from ragsell.domain.ids import ConversationId, LeadId, SiteId, VisitorId

MAX_LEAD_MESSAGE_LENGTH = 2000


class LeadKind(StrEnum):
    CALLBACK = "callback"
    MESSAGE = "message"


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    CLOSED = "closed"


class Lead(msgspec.Struct, frozen=True, kw_only=True):
    id: LeadId
    site_id: SiteId
    visitor_id: VisitorId
    conversation_id: ConversationId | None
    name: str
    email: str | None
    phone: str | None
    message: str
    kind: LeadKind
    status: LeadStatus
    page_url: str | None
    created_at: datetime

    def __post_init__(self) -> None:
        if self.email is None and self.phone is None:
            raise NoContactGiven("Leave an email address or a phone number so we can reach you.", field="email")
        if self.kind is LeadKind.CALLBACK and self.phone is None:
            raise NoContactGiven("Leave a phone number so we can call you back.", field="phone")
        if self.email is not None and normalize_email(self.email) != self.email:
            raise InvalidValue("Lead emails are stored normalized.", field="email")
        if len(self.message) > MAX_LEAD_MESSAGE_LENGTH:
            raise InvalidValue(f"Messages are at most {MAX_LEAD_MESSAGE_LENGTH} characters.", field="message")
        check_name(self.name)


class ContactDetails(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    email: str | None
    phone: str | None
    message: str


def contact_details(
    *, name: str, email: str | None, phone: str | None, message: str, phone_region: str | None
) -> ContactDetails:
    """What a visitor typed into the lead form, normalized; blanks count as not given."""
    email = normalize_email(email) if email and email.strip() else None
    phone = normalize_phone(phone, phone_region) if phone and phone.strip() else None
    text = message.strip()
    if len(text) > MAX_LEAD_MESSAGE_LENGTH:
        raise InvalidValue(f"Messages are at most {MAX_LEAD_MESSAGE_LENGTH} characters.", field="message")
    if email is None and phone is None:
        raise NoContactGiven("Leave an email address or a phone number so we can reach you.", field="email")
    return ContactDetails(name=check_name(name), email=email, phone=phone, message=text)
