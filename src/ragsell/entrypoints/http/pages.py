"""Pages ragsell serves to people rather than programs: the privacy policy, and a demo
page on which an owner tries a site's widget before installing it."""

import html
from importlib.resources import files
from string import Template

from dishka.integrations.litestar import FromDishka
from litestar import Response, get
from litestar.params import FromPath

from ragsell.application.sites.widget_config import GetWidgetConfig
from ragsell.entrypoints.settings import Settings

PRIVACY_LAST_UPDATED = "27 November 2026"
_TEMPLATES = files(__package__) / "templates"
_HTML = "text/html"
_PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
# The demo page runs the widget from ragsell's own origin, and nothing else.
_DEMO_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; "
    "img-src 'self' https: http:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_PRIVACY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _render(name: str, **values: object) -> str:
    template = Template(_TEMPLATES.joinpath(name).read_text(encoding="utf-8"))
    return template.substitute({key: html.escape(str(value)) for key, value in values.items()})


def install_snippet(settings: Settings, widget_key: str) -> str:
    return f'<script async src="{settings.base_url}/widget.js" data-site="{widget_key}"></script>'


@get("/demo/{widget_key:str}", include_in_schema=False)
async def demo_page(
    widget_key: FromPath[str], get_config: FromDishka[GetWidgetConfig], settings: FromDishka[Settings]
) -> Response[str]:
    config = await get_config(widget_key, None)
    page = _render(
        "demo.html",
        site_name=config.site_name,
        site_url=config.site_url,
        widget_key=config.widget_key,
        snippet=install_snippet(settings, config.widget_key),
    )
    headers = {**_PAGE_HEADERS, "Content-Security-Policy": _DEMO_POLICY, "Cache-Control": "no-cache"}
    return Response(page, media_type=_HTML, headers=headers)


@get("/privacy", include_in_schema=False)
async def privacy_page(settings: FromDishka[Settings]) -> Response[str]:
    page = _render(
        "privacy.html",
        last_updated=PRIVACY_LAST_UPDATED,
        public_url=settings.base_url,
        page_view_days=settings.page_view_retention_days,
        grace_days=settings.closed_account_grace_days,
    )
    headers = {**_PAGE_HEADERS, "Content-Security-Policy": _PRIVACY_POLICY, "Cache-Control": "public, max-age=3600"}
    return Response(page, media_type=_HTML, headers=headers)
