"""Privacy requests: whose data is asked about, and the record kept of each request.

A request names its subject (a visitor id, an email address or a phone number); the
record kept of it says which kind of subject it was, never the value, so the record
of an erasure does not keep what was erased.
"""

from datetime import datetime
from enum import StrEnum

import msgspec

from ragsell.domain import ids
from ragsell.domain.contact import normalize_email, normalize_phone
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import OwnerId, SiteId


class SubjectKind(StrEnum):
    VISITOR_ID = "visitor_id"
    EMAIL = "email"
    PHONE = "phone"
    # Requests about a lead (correction) or the owner's own account carry no value.
    LEAD = "lead"
    ACCOUNT = "account"


class PrivacyAction(StrEnum):
    EXPORT = "export"
    ERASE = "erase"
    CORRECT = "correct"
    DELETE_ACCOUNT = "delete_account"


class Requester(StrEnum):
    OWNER = "owner"
    # The person running the installation, through the command line.
    OPERATOR = "operator"


class VisitorSubject(msgspec.Struct, frozen=True, kw_only=True):
    """Who a visitor request is about, in the form the store keeps it (a lower-case
    UUID, a lower-cased address, an E.164 number)."""

    kind: SubjectKind
    value: str


def visitor_subject(
    *, visitor: str | None = None, email: str | None = None, phone: str | None = None
) -> VisitorSubject:
    """Exactly one of the three, checked and normalized. Phone numbers are asked for
    with their country code: a request may span sites of several countries."""
    if [visitor, email, phone].count(None) != 2:
        raise InvalidValue("Name the visitor by exactly one of visitor id, email or phone.", field="subject")
    if visitor is not None:
        return VisitorSubject(kind=SubjectKind.VISITOR_ID, value=ids.visitor_id(visitor.strip().lower()))
    if email is not None:
        return VisitorSubject(kind=SubjectKind.EMAIL, value=normalize_email(email))
    return VisitorSubject(kind=SubjectKind.PHONE, value=normalize_phone(phone or ""))


class PrivacyRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What is recorded of a request that was carried out: who asked, what, about which
    kind of subject, in which scope, when, and how many records it concerned."""

    id: str
    requester: Requester
    # The owner who asked; None when the operator did.
    owner_id: OwnerId | None
    action: PrivacyAction
    subject: SubjectKind
    # One site, or None: all the owner's sites (or, for the operator, every site).
    site_id: SiteId | None
    requested_at: datetime
    # Records found (export) or removed (erase, account purge) by kind.
    counts: dict[str, int]

    def __post_init__(self) -> None:
        if (self.requester is Requester.OWNER) != (self.owner_id is not None):
            raise InvalidValue("An owner's request names the owner; the operator's names none.")
        if any(count < 0 for count in self.counts.values()):
            raise InvalidValue("Counts are never negative.")
