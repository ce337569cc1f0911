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
    )


def citation_views(citations: tuple[Citation, ...]) -> list[CitationView]:
    return [CitationView(url=c.url, title=c.title, heading=c.heading) for c in citations]
