import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.widget_access import site_for_widget
from ragsell.domain.ids import WidgetKey
from ragsell.domain.sites import Branding


class WidgetConfig(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: WidgetKey
    site_name: str
    branding: Branding
    voice_enabled: bool


class GetWidgetConfig:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def __call__(self, widget_key: str, origin: str | None) -> WidgetConfig:
        site = await site_for_widget(self._sites, widget_key, origin)
        return WidgetConfig(
            widget_key=site.widget_key, site_name=site.name, branding=site.branding, voice_enabled=site.voice_enabled
        )
