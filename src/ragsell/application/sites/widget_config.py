import msgspec

from ragsell.application.ports.repositories import SiteRepository
from ragsell.application.usage.quota import Quota
from ragsell.application.voice.features import VoiceFeatures
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.ids import WidgetKey
from ragsell.domain.sites import Branding, Site
from ragsell.domain.usage import Meter


class WidgetConfig(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: WidgetKey
    site_name: str
    # Relative links in answers point into the site.
    site_url: str
    branding: Branding
    # Visitors may record questions; and call the assistant live.
    voice_enabled: bool
    voice_calls: bool


class GetWidgetConfig:
    def __init__(self, sites: SiteRepository, own: OwnOrigin, features: VoiceFeatures, quota: Quota) -> None:
        self._sites = sites
        self._own = own
        self._features = features
        self._quota = quota

    async def __call__(self, widget_key: str, origin: str | None) -> WidgetConfig:
        site = await site_for_widget(self._sites, self._own, widget_key, origin)
        voice = await self._voice_offered(site)
        return WidgetConfig(
            widget_key=site.widget_key,
            site_name=site.name,
            site_url=site.url,
            branding=site.branding,
            voice_enabled=voice,
            voice_calls=voice and self._features.calls,
        )

    async def _voice_offered(self, site: Site) -> bool:
        # The plan is read only for sites offering voice: the config is the widget's hot path.
        return self._features.offered(site) and await self._quota.limit(site.owner_id, Meter.VOICE_SECONDS) > 0
