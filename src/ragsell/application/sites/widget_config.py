import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.ids import WidgetKey
from ragsell.domain.sites import Branding


class WidgetConfig(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: WidgetKey
    site_name: str
    # Relative links in answers point into the site.
    site_url: str
    branding: Branding
    voice_enabled: bool


class GetWidgetConfig:
    def __init__(self, sites: SiteRepository, own: OwnOrigin) -> None:
        self._sites = sites
        self._own = own

    async def __call__(self, widget_key: str, origin: str | None) -> WidgetConfig:
        site = await site_for_widget(self._sites, self._own, widget_key, origin)
        return WidgetConfig(
            widget_key=site.widget_key,
            site_name=site.name,
            site_url=site.url,
            branding=site.branding,
            voice_enabled=site.voice_enabled,
        )
