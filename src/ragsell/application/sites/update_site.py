from typing import TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.accounts import check_name
from ragsell.domain.ids import OwnerId
from ragsell.domain.sites import (
    Branding,
    CrawlSettings,
    Site,
    changed_site,
    check_country,
    check_retention_days,
    normalize_origins,
)
from ragsell.domain.voice import VoiceChoice


class UpdateSiteCommand(msgspec.Struct, frozen=True, kw_only=True):
    """Fields left UNSET stay as they are."""

    owner_id: OwnerId
    site_id: str
    name: str | UnsetType = UNSET
    branding: Branding | UnsetType = UNSET
    allowed_origins: tuple[str, ...] | UnsetType = UNSET
    crawl: CrawlSettings | UnsetType = UNSET
    retention_days: int | UnsetType | None = UNSET
    voice_enabled: bool | UnsetType = UNSET
    voice: VoiceChoice | UnsetType = UNSET
    country: str | UnsetType | None = UNSET


T = TypeVar("T")


def _pick(new: T | UnsetType, old: T) -> T:
    return old if isinstance(new, UnsetType) else new


class UpdateSite:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def __call__(self, command: UpdateSiteCommand) -> Site:
        site = await owned_site(self._sites, command.owner_id, command.site_id)
        updated = changed_site(
            site,
            name=check_name(_pick(command.name, site.name)),
            branding=_pick(command.branding, site.branding),
            allowed_origins=normalize_origins(_pick(command.allowed_origins, site.allowed_origins)),
            crawl=_pick(command.crawl, site.crawl),
            retention_days=check_retention_days(_pick(command.retention_days, site.retention_days)),
            voice_enabled=_pick(command.voice_enabled, site.voice_enabled),
            voice=_pick(command.voice, site.voice),
            country=check_country(_pick(command.country, site.country)),
        )
        if not await self._sites.replace(updated):
            raise NotFound("There is no such site.")
        return updated
