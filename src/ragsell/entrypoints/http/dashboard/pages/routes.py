from dishka.integrations.litestar import DishkaRouter

from ragsell.entrypoints.http.dashboard.pages.accounts import ACCOUNT_PAGES
from ragsell.entrypoints.http.dashboard.pages.assets import asset_routes
from ragsell.entrypoints.http.dashboard.pages.common import PAGE_EXCEPTION_HANDLERS
from ragsell.entrypoints.http.dashboard.pages.conversations import CONVERSATION_PAGES
from ragsell.entrypoints.http.dashboard.pages.insights import INSIGHT_PAGES
from ragsell.entrypoints.http.dashboard.pages.knowledge import KNOWLEDGE_PAGES
from ragsell.entrypoints.http.dashboard.pages.notifications import NOTIFICATION_PAGES
from ragsell.entrypoints.http.dashboard.pages.privacy import PRIVACY_PAGES
from ragsell.entrypoints.http.dashboard.pages.sites import SITE_PAGES
from ragsell.entrypoints.http.dashboard.security import same_origin_guard


def page_router() -> DishkaRouter:
    """The dashboard's pages and their assets; errors are answered as pages."""
    return DishkaRouter(
        path="/",
        route_handlers=[
            *ACCOUNT_PAGES,
            *SITE_PAGES,
            *KNOWLEDGE_PAGES,
            *CONVERSATION_PAGES,
            *INSIGHT_PAGES,
            *PRIVACY_PAGES,
            *NOTIFICATION_PAGES,
            *asset_routes(),
        ],
        guards=[same_origin_guard],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        include_in_schema=False,
    )
