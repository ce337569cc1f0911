"""Analytics of a site, and usage against the plan."""

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Request, get
from litestar.params import FromPath, QueryParameter

from ragsell.application.analytics.site_analytics import SiteAnalytics
from ragsell.application.sites.get_site import GetSite
from ragsell.application.usage.usage_summary import UsageSummary
from ragsell.domain.analytics import DEFAULT_DAYS, MAX_DAYS
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


# The periods offered, in days; any other number of days up to MAX_DAYS works by address too.
PERIODS = (7, 30, 90)
REVIEW_LIMIT = 20


@get("/sites/{site_id:str}/analytics", dependencies=AUTH, include_in_schema=False)
async def analytics_page(
    request: Request,
    auth: Auth,
    site_id: FromPath[str],
    get_site: FromDishka[GetSite],
    analytics: FromDishka[SiteAnalytics],
    days: Annotated[int, QueryParameter(ge=1, le=MAX_DAYS)] = DEFAULT_DAYS,
) -> Any:
    site = await get_site(auth.owner.id, site_id)
    report = await analytics(auth.owner.id, site.id, days=days)
    values = context(
        request,
        auth,
        section="analytics",
        site=site,
        report=report,
        days=days,
        periods=PERIODS,
        review_limit=REVIEW_LIMIT,
        window_minutes=int(ACTIVE_WINDOW.total_seconds() // 60),
    )
    return page("analytics.html", values)


@get("/usage", dependencies=AUTH, include_in_schema=False)
async def usage_page(request: Request, auth: Auth, summary: FromDishka[UsageSummary]) -> Any:
    report = await summary(auth.owner)
    values = context(request, auth, section="usage", report=report, meter_names=METER_NAMES)
    return page("usage.html", values)


INSIGHT_PAGES = [analytics_page, usage_page]
