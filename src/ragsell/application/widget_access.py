"""How a widget request finds its site: by public key, from an allowed origin only."""

from ragsell.application.errors import NotFound, OriginNotAllowed
from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import WidgetKey, is_widget_key
from ragsell.domain.sites import Site


async def site_for_widget(sites: SiteRepository, widget_key: str, origin: str | None) -> Site:
    """``origin`` is the browser's Origin header; None for non-browser clients, which
    CORS does not concern."""
    site = await sites.by_widget_key(WidgetKey(widget_key)) if is_widget_key(widget_key) else None
    if site is None:
        raise NotFound("No site has that widget key.")
    if origin is not None and not site.admits_origin(origin):
        raise OriginNotAllowed("This site's widget is not enabled on this origin.")
    return site
