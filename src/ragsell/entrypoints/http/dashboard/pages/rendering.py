"""How every dashboard page is answered: Jinja with autoescaping, the security headers,
redirects after a form, and the words for notices."""

from collections.abc import Mapping
from datetime import datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import MediaType, Response
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.template import TemplateConfig

from ragsell.entrypoints.http.dashboard.pages.assets import asset_url
from ragsell.entrypoints.http.dashboard.pages.markdown import render_answer

# No inline script or style anywhere: scripts and styles come from ragsell's own /assets.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Dashboard addresses name sites and conversations: they are never sent to other sites.
    # ("no-referrer" would also make Chromium send "Origin: null" on the pages' own forms.)
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

# Notices shown after a form went through, named in the redirect so no text travels in URLs.
NOTICES = {
    "signed-up": "Welcome! Your account is ready. Connect your first site below.",
    "logged-out": "You are logged out.",
    "password-changed": "Your password is changed. Your other sessions were ended.",
    "password-reset": "Your password is changed and every session was ended. Log in with the new password.",
    "account-deleted": "Your account is closed, its sites are switched off and you are logged out everywhere.",
    "session-ended": "The session is ended: that device is logged out.",
    "site-added": "Your site is connected. Crawl it to build its knowledge base.",
    "site-deleted": "The site and all its data are deleted.",
    "settings-saved": "Settings saved.",
    "crawl-started": "The crawl has started.",
    "page-removed": "The page is removed, and later crawls leave it out.",
    "snippet-added": "Added to the knowledge base.",
    "snippet-deleted": "Removed from the knowledge base.",
    "lead-updated": "Lead status saved.",
    "webhook-saved": "Webhook saved: new leads are sent to it too.",
    "webhook-removed": "Webhook removed: new leads are no longer sent to it.",
}


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%d %b %Y, %H:%M UTC")


def query_string(**values: object) -> str:
    return urlencode({key: value for key, value in values.items() if value is not None})


def _environment() -> Environment:
    directory = files("ragsell.entrypoints.http.dashboard") / "templates"
    environment = Environment(
        loader=FileSystemLoader(str(directory)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(asset=asset_url, query=query_string)
    environment.filters.update(when=_when, answer=render_answer, urlpart=lambda value: quote(str(value), safe=""))
    return environment


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(_environment()))


def page(name: str, context: Mapping[str, Any], *, status: int = 200) -> Template:
    return Template(
        template_name=name, context=dict(context), status_code=status, headers=PAGE_HEADERS, media_type=MediaType.HTML
    )


def redirect(path: str, *, notice: str | None = None) -> Response[Any]:
    """303 to ``path`` (always a path of ragsell's own), with a notice to show there."""
    if not is_own_path(path):
        path = "/"
    if notice is not None:
        path, hash_mark, fragment = path.partition("#")
        path += ("&" if "?" in path else "?") + query_string(notice=notice) + hash_mark + fragment
    return Redirect(path=path, status_code=303, headers=PAGE_HEADERS)


def is_own_path(path: str) -> bool:
    """A path on ragsell itself (not ``//host`` or ``/\\host``, which browsers read as other sites)."""
    return path.startswith("/") and not path.startswith(("//", "/\\")) and path.isprintable()


def notice_text(key: str | None) -> str | None:
    return NOTICES.get(key or "")
