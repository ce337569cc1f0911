"""What an owner or the operator sends to name a visitor, and the sites a request covers."""

import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.privacy import VisitorSubject, visitor_subject
from ragsell.domain.sites import Site


class VisitorQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of the three names the visitor."""

    visitor_id: str | None = None
    email: str | None = None
    phone: str | None = None

    def subject(self) -> VisitorSubject:
        return visitor_subject(visitor=self.visitor_id, email=self.email, phone=self.phone)


async def owner_scope(sites: SiteRepository, owner_id: OwnerId, site_id: str | None) -> list[Site]:
    """One of the owner's sites, or all of them: never another owner's."""
    if site_id is None:
        return await sites.list_for_owner(owner_id)
    return [await owned_site(sites, owner_id, site_id)]


def scope_id(site_id: str | None, scope: list[Site]) -> SiteId | None:
    return scope[0].id if site_id is not None else None
