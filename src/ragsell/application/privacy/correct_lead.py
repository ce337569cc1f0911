"""A correction request: the owner fixes the contact details a visitor left."""

from typing import TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import LeadRepository, SiteRepository
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import LeadId, OwnerId
from ragsell.domain.leads import Lead, contact_details
from ragsell.domain.privacy import PrivacyAction, SubjectKind

T = TypeVar("T")


class CorrectLeadCommand(msgspec.Struct, frozen=True, kw_only=True):
    """Fields left UNSET stay as they are; an email or phone set to None is removed (one
    of the two must remain)."""

    owner_id: OwnerId
    site_id: str
    lead_id: str
    name: str | UnsetType = UNSET
    email: str | UnsetType | None = UNSET
    phone: str | UnsetType | None = UNSET
    message: str | UnsetType = UNSET

    @property
    def changes_nothing(self) -> bool:
        return all(value is UNSET for value in (self.name, self.email, self.phone, self.message))


def _pick(new: T | UnsetType, old: T) -> T:
    return old if isinstance(new, UnsetType) else new


class CorrectLead:
    def __init__(self, sites: SiteRepository, leads: LeadRepository, audit: PrivacyAudit) -> None:
        self._sites = sites
        self._leads = leads
        self._audit = audit

    async def __call__(self, command: CorrectLeadCommand) -> Lead:
        site = await owned_site(self._sites, command.owner_id, command.site_id)
        lead = await self._leads.get(site.id, LeadId(command.lead_id))
        if lead is None:
            raise NotFound("There is no such lead.")
        details = contact_details(
            name=_pick(command.name, lead.name),
            email=_pick(command.email, lead.email),
            phone=_pick(command.phone, lead.phone),
            message=_pick(command.message, lead.message),
            phone_region=site.country,
        )
        fields = {name: getattr(lead, name) for name in lead.__struct_fields__}
        corrected = Lead(**{**fields, **msgspec.structs.asdict(details)})
        if not await self._leads.replace(corrected):
            raise NotFound("There is no such lead.")
        await self._audit.record(
            owner_id=command.owner_id,
            action=PrivacyAction.CORRECT,
            subject=SubjectKind.LEAD,
            site_id=site.id,
            counts={"leads": 1},
        )
        return corrected
