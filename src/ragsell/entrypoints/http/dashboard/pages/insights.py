"""Analytics of a site, usage against the plan, and a site's privacy requests."""

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get
from litestar.params import FromPath

from ragsell.application.sites.get_site import GetSite
from ragsell.application.usage.usage_summary import UsageSummary
from ragsell.domain.conversations import ACTIVE_WINDOW
from ragsell.entrypoints.http.dashboard.pages.accounts import AUTH
from ragsell.entrypoints.http.dashboard.pages.common import context
from ragsell.entrypoints.http.dashboard.pages.rendering import page
from ragsell.entrypoints.http.dashboard.security import Auth

METER_NAMES = {
    "sites": "Sites",
    "pages": "Pages in knowledge bases",
    "conversations": "Conversations",
    "messages": "Messages",
    "voice_seconds": "Voice seconds",
}


@get("/sites/{site_id:str}/analytics", dependencies=AUTH, include_in_schema=False)
async def analytics_page(request: Request, auth: Auth, site_id: FromPath[str], get_site: FromDishka[GetSite]) -> Any:
    site = await get_site(auth.owner.id, site_id)
    window_minutes = int(ACTIVE_WINDOW.total_seconds() // 60)
    values = context(request, auth, section="analytics", site=site, window_minutes=window_minutes)
    return page("analytics.html", values)


@get("/usage", dependencies=AUTH, include_in_schema=False)
async def usage_page(request: Request, auth: Auth, summary: FromDishka[UsageSummary]) -> Any:
    report = await summary(auth.owner)
    values = context(request, auth, section="usage", report=report, meter_names=METER_NAMES)
    return page("usage.html", values)


@get("/sites/{site_id:str}/privacy", dependencies=AUTH, include_in_schema=False)
async def privacy_page(request: Request, auth: Auth, site_id: FromPath[str], get_site: FromDishka[GetSite]) -> Any:
    site = await get_site(auth.owner.id, site_id)
    return page("site_privacy.html", context(request, auth, section="privacy", site=site))


INSIGHT_PAGES = [analytics_page, usage_page, privacy_page]
