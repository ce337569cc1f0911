"""Base classes for wire schemas (camelCase JSON, unknown fields refused), and the
views both APIs share."""

import msgspec

from ragsell.domain.conversations import Citation
from ragsell.domain.sites import Branding


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A request body."""


class View(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A response body."""


class BrandingView(View):
    assistant_name: str
    colour: str
    greeting: str
    position: str
    language: str
    tone: str
    suggested_questions: list[str]
    auto_open: bool
    avatar_url: str | None
    privacy_policy_url: str | None


class CitationView(View):
    url: str
    title: str
    heading: str


def branding_view(branding: Branding) -> BrandingView:
    return BrandingView(
        assistant_name=branding.assistant_name,
        colour=branding.colour,
        greeting=branding.greeting,
        position=branding.position.value,
        language=branding.language,
        tone=branding.tone.value,
        suggested_questions=list(branding.suggested_questions),
        auto_open=branding.auto_open,
        avatar_url=branding.avatar_url,
        privacy_policy_url=branding.privacy_policy_url,
    )


def citation_views(citations: tuple[Citation, ...]) -> list[CitationView]:
    return [CitationView(url=c.url, title=c.title, heading=c.heading) for c in citations]
