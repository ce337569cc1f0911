"""A visitor's access request: everything stored about them, as data to hand over."""

from datetime import datetime

import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.privacy.requests import VisitorQuery, owner_scope, scope_id
from ragsell.application.privacy.visitor_records import SiteVisitorData, VisitorRecords
from ragsell.domain.ids import OwnerId
from ragsell.domain.privacy import PrivacyAction, SubjectKind, VisitorSubject
from ragsell.domain.sites import Site


class VisitorExport(msgspec.Struct, frozen=True, kw_only=True):
    subject: SubjectKind
    exported_at: datetime
    # Only the sites where something was found.
    sites: tuple[SiteVisitorData, ...]

    def counts(self) -> dict[str, int]:
        return {
            "sites": len(self.sites),
            "conversations": sum(len(site.conversations) for site in self.sites),
            "messages": sum(len(t.messages) for site in self.sites for t in site.conversations),
            "leads": sum(len(site.leads) for site in self.sites),
            "page_views": sum(len(site.page_views) for site in self.sites),
        }


async def _export(records: VisitorRecords, scope: list[Site], subject: VisitorSubject, clock: Clock) -> VisitorExport:
    found = []
    for site in scope:
        data = await records.collect(site, await records.visitors(site, subject))
        if not data.is_empty:
            found.append(data)
    return VisitorExport(subject=subject.kind, exported_at=clock.now(), sites=tuple(found))


class ExportVisitorData:
    """An owner's export for one of their sites, or all of them."""

    def __init__(self, sites: SiteRepository, records: VisitorRecords, audit: PrivacyAudit, clock: Clock) -> None:
        self._sites = sites
        self._records = records
        self._audit = audit
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, query: VisitorQuery, *, site_id: str | None = None) -> VisitorExport:
        subject = query.subject()
        scope = await owner_scope(self._sites, owner_id, site_id)
        export = await _export(self._records, scope, subject, self._clock)
        await self._audit.record(
            owner_id=owner_id,
            action=PrivacyAction.EXPORT,
            subject=subject.kind,
            site_id=scope_id(site_id, scope),
            counts=export.counts(),
        )
        return export


class OperatorExportVisitorData:
    """The operator's export across every site of the installation (command line only).
    A dry run says what would be exported and records nothing."""

    def __init__(self, sites: SiteRepository, records: VisitorRecords, audit: PrivacyAudit, clock: Clock) -> None:
        self._sites = sites
        self._records = records
        self._audit = audit
        self._clock = clock

    async def __call__(self, query: VisitorQuery, *, dry_run: bool = False) -> VisitorExport:
        subject = query.subject()
        export = await _export(self._records, await self._sites.list_for_operator(), subject, self._clock)
        if not dry_run:
            await self._audit.record(
                owner_id=None, action=PrivacyAction.EXPORT, subject=subject.kind, site_id=None, counts=export.counts()
            )
        return export
