from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET

from ragsell.application.conversations.count_active_visitors import CountActiveVisitors
from ragsell.application.sites.add_site import AddSite, AddSiteCommand
from ragsell.application.sites.delete_site import DeleteSite
from ragsell.application.sites.get_site import GetSite
from ragsell.application.sites.list_sites import ListSites
from ragsell.application.sites.update_site import UpdateSite, UpdateSiteCommand
from ragsell.application.usage.usage_summary import UsageSummary
from ragsell.domain.conversations import ACTIVE_WINDOW
from ragsell.domain.ids import OwnerId
from ragsell.domain.sites import CrawlSchedule, CrawlSettings, make_branding
from ragsell.domain.voice import VoiceChoice
from ragsell.entrypoints.http.dashboard.schemas import (
    ActiveVisitorsView,
    AddSiteBody,
    SiteView,
    UpdateSiteBody,
    UsageView,
    usage_view,
)
from ragsell.entrypoints.http.dashboard.security import Auth, authenticated
from ragsell.entrypoints.http.wire import view_of


def _update_command(owner_id: OwnerId, site_id: str, data: UpdateSiteBody) -> UpdateSiteCommand:
    branding = data.branding
    crawl = data.crawl
    return UpdateSiteCommand(
        owner_id=owner_id,
        site_id=site_id,
        name=data.name,
        branding=UNSET
        if branding is UNSET
        else make_branding(
            assistant_name=branding.assistant_name,
            colour=branding.colour,
            greeting=branding.greeting,
            position=branding.position,
            language=branding.language,
            tone=branding.tone,
            suggested_questions=branding.suggested_questions,
            auto_open=branding.auto_open,
            avatar_url=branding.avatar_url,
            privacy_policy_url=branding.privacy_policy_url,
        ),
        allowed_origins=UNSET if data.allowed_origins is UNSET else tuple(data.allowed_origins),
        crawl=UNSET
        if crawl is UNSET
        else CrawlSettings(
            include_patterns=tuple(crawl.include_patterns),
            exclude_patterns=tuple(crawl.exclude_patterns),
            schedule=CrawlSchedule(crawl.schedule),
            www_is_same_site=crawl.www_is_same_site,
        ),
        retention_days=data.retention_days,
        voice_enabled=data.voice_enabled,
        voice=UNSET if data.voice is UNSET else VoiceChoice(voice_id=data.voice.voice_id, model=data.voice.model),
        country=data.country.upper() if isinstance(data.country, str) else data.country,
    )


class SiteController(Controller):
    path = "/api/sites"
    tags = ["sites"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="List your sites")
    async def list_sites(self, auth: Auth, list_sites: FromDishka[ListSites]) -> list[SiteView]:
        return [view_of(site, SiteView) for site in await list_sites(auth.owner.id)]

    @post("/", status_code=HTTP_201_CREATED, summary="Connect a site")
    async def add_site(self, auth: Auth, data: JSONBody[AddSiteBody], add_site: FromDishka[AddSite]) -> SiteView:
        return view_of(await add_site(AddSiteCommand(owner=auth.owner, name=data.name, url=data.url)), SiteView)

    @get("/{site_id:str}", summary="One site")
    async def get_site(self, auth: Auth, site_id: FromPath[str], get_site: FromDishka[GetSite]) -> SiteView:
        return view_of(await get_site(auth.owner.id, site_id), SiteView)

    @patch("/{site_id:str}", summary="Change a site's settings")
    async def update_site(
        self, auth: Auth, site_id: FromPath[str], data: JSONBody[UpdateSiteBody], update_site: FromDishka[UpdateSite]
    ) -> SiteView:
        return view_of(await update_site(_update_command(auth.owner.id, site_id, data)), SiteView)

    @delete("/{site_id:str}", status_code=HTTP_204_NO_CONTENT, summary="Delete a site and all its data")
    async def delete_site(self, auth: Auth, site_id: FromPath[str], delete_site: FromDishka[DeleteSite]) -> None:
        await delete_site(auth.owner.id, site_id)

    @get("/{site_id:str}/active-visitors", summary="Visitors active now")
    async def active_visitors(
        self, auth: Auth, site_id: FromPath[str], count: FromDishka[CountActiveVisitors]
    ) -> ActiveVisitorsView:
        active = await count(auth.owner.id, site_id)
        return ActiveVisitorsView(active_now=active, window_seconds=int(ACTIVE_WINDOW.total_seconds()))


class UsageController(Controller):
    path = "/api/usage"
    tags = ["usage"]
    dependencies = {"auth": Provide(authenticated)}

    @get("/", summary="This period's usage against the plan's limits")
    async def usage(self, auth: Auth, summary: FromDishka[UsageSummary]) -> UsageView:
        return usage_view(await summary(auth.owner))
