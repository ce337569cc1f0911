"""A visitor's erasure request: everything stored about them goes (see visitor_records)."""

import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.privacy.requests import VisitorQuery, owner_scope, scope_id
from ragsell.application.privacy.visitor_records import ErasedCounts, VisitorRecords
from ragsell.domain.ids import OwnerId
from ragsell.domain.privacy import PrivacyAction, SubjectKind, VisitorSubject
from ragsell.domain.sites import Site


class VisitorErasure(msgspec.Struct, frozen=True, kw_only=True):
    subject: SubjectKind
    # Sites where the visitor was found.
    sites: int
    erased: ErasedCounts
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        return {"sites": self.sites, **self.erased.as_dict()}


async def _erase(records: VisitorRecords, scope: list[Site], subject: VisitorSubject, dry_run: bool) -> VisitorErasure:
    total, sites = ErasedCounts(), 0
    for site in scope:
        erased = await records.erase(site, await records.visitors(site, subject), dry_run=dry_run)
        if erased != ErasedCounts():
            sites += 1
            total += erased
    return VisitorErasure(subject=subject.kind, sites=sites, erased=total, dry_run=dry_run)


class EraseVisitorData:
    """An owner's erasure on one of their sites, or all of them."""

    def __init__(self, sites: SiteRepository, records: VisitorRecords, audit: PrivacyAudit) -> None:
        self._sites = sites
        self._records = records
        self._audit = audit

    async def __call__(self, owner_id: OwnerId, query: VisitorQuery, *, site_id: str | None = None) -> VisitorErasure:
        subject = query.subject()
        scope = await owner_scope(self._sites, owner_id, site_id)
        erasure = await _erase(self._records, scope, subject, dry_run=False)
        await self._audit.record(
            owner_id=owner_id,
            action=PrivacyAction.ERASE,
            subject=subject.kind,
            site_id=scope_id(site_id, scope),
            counts=erasure.counts(),
        )
        return erasure


class OperatorEraseVisitorData:
    """The operator's erasure across every site of the installation (command line only).
    A dry run counts what would go and records nothing."""

    def __init__(self, sites: SiteRepository, records: VisitorRecords, audit: PrivacyAudit) -> None:
        self._sites = sites
        self._records = records
        self._audit = audit

    async def __call__(self, query: VisitorQuery, *, dry_run: bool = False) -> VisitorErasure:
        subject = query.subject()
        erasure = await _erase(self._records, await self._sites.list_for_operator(), subject, dry_run=dry_run)
        if not dry_run:
            await self._audit.record(
                owner_id=None, action=PrivacyAction.ERASE, subject=subject.kind, site_id=None, counts=erasure.counts()
            )
        return erasure
