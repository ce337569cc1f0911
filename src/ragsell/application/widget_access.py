"""How a widget request finds its site: by public key, from an allowed origin only."""

import msgspec

from ragsell.application.errors import NotFound, OriginNotAllowed
from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import WidgetKey, is_widget_key
from ragsell.domain.sites import Site


class OwnOrigin(msgspec.Struct, frozen=True):
    """ragsell's own public origin (scheme://host[:port]). Its demo page runs there, so
    every site's widget is admitted from it besides the site's allowed origins."""

    origin: str


async def site_for_widget(sites: SiteRepository, own: OwnOrigin, widget_key: str, origin: str | None) -> Site:
    """``origin`` is the browser's Origin header; None for non-browser clients, which
    CORS does not concern."""
    site = await sites.by_widget_key(WidgetKey(widget_key)) if is_widget_key(widget_key) else None
    if site is None:
        raise NotFound("No site has that widget key.")
    if origin is not None and origin != own.origin and not site.admits_origin(origin):
        raise OriginNotAllowed("This site's widget is not enabled on this origin.")
    return site
