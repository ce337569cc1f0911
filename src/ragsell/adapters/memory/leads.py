from datetime import datetime

import msgspec

from ragsell.application.ports.repositories import DuplicateKey, LeadRepository, ListCursor
from ragsell.domain.ids import LeadId, SiteId, VisitorId
from ragsell.domain.leads import Lead, LeadStatus


class InMemoryLeadRepository(LeadRepository):
    def __init__(self) -> None:
        self._leads: dict[LeadId, Lead] = {}

    async def add(self, lead: Lead) -> None:
        if lead.id in self._leads:
            raise DuplicateKey("id")
        self._leads[lead.id] = lead

    async def get(self, site_id: SiteId, lead_id: LeadId) -> Lead | None:
        lead = self._leads.get(lead_id)
        return lead if lead is not None and lead.site_id == site_id else None

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Lead]:
        found = [
            lead
            for lead in self._leads.values()
            if lead.site_id == site_id and (before is None or before.admits(lead.created_at, lead.id))
        ]
        found.sort(key=lambda lead: (lead.created_at, lead.id), reverse=True)
        return found[: max(limit, 0)]

    async def set_status(self, site_id: SiteId, lead_id: LeadId, status: LeadStatus) -> bool:
        lead = await self.get(site_id, lead_id)
        if lead is None:
            return False
        self._leads[lead_id] = msgspec.structs.replace(lead, status=status)
        return True

    async def created_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Lead]:
        found = [lead for lead in self._leads.values() if lead.site_id == site_id and since <= lead.created_at <= until]
        found.sort(key=lambda lead: (lead.created_at, lead.id), reverse=True)
        return found[: max(limit, 0)]

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Lead]:
        found = [lead for lead in self._leads.values() if lead.site_id == site_id and lead.visitor_id == visitor_id]
        return sorted(found, key=lambda lead: (lead.created_at, lead.id))

    async def with_contact(self, site_id: SiteId, *, email: str | None = None, phone: str | None = None) -> list[Lead]:
        found = [
            lead
            for lead in self._leads.values()
            if lead.site_id == site_id
            and ((email is not None and lead.email == email) or (phone is not None and lead.phone == phone))
        ]
        return sorted(found, key=lambda lead: (lead.created_at, lead.id))

    async def replace(self, lead: Lead) -> bool:
        if await self.get(lead.site_id, lead.id) is None:
            return False
        self._leads[lead.id] = lead
        return True

    async def remove(self, site_id: SiteId, lead_id: LeadId) -> bool:
        if await self.get(site_id, lead_id) is None:
            return False
        del self._leads[lead_id]
        return True

    async def erase_site(self, site_id: SiteId) -> None:
        for lead_id in [lead.id for lead in self._leads.values() if lead.site_id == site_id]:
            del self._leads[lead_id]
