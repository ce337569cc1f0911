"""Sites an owner connects, how their widget looks, and how they are crawled."""

import re
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

import msgspec
import phonenumbers

from ragsell.domain.accounts import check_name
from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey, is_widget_key
from ragsell.domain.notifications import Webhook
from ragsell.domain.urls import normalize_origin, normalize_url, origin_of
from ragsell.domain.voice import VoiceChoice

# Languages the widget's own strings come in.
UI_LANGUAGES = ("en", "es", "fr", "de", "pt", "it", "nl")
MAX_ORIGINS = 20
MAX_PATTERNS = 50
MAX_PATTERN_LENGTH = 200
MAX_SUGGESTIONS = 4
MAX_SUGGESTION_LENGTH = 120
MAX_GREETING_LENGTH = 300
MAX_RETENTION_DAYS = 3650
_COLOUR = re.compile(r"#[0-9a-f]{6}")


class WidgetPosition(StrEnum):
    BOTTOM_RIGHT = "bottom-right"
    BOTTOM_LEFT = "bottom-left"


class Tone(StrEnum):
    FRIENDLY = "friendly"
    PROFESSIONAL = "professional"
    CONCISE = "concise"


class CrawlSchedule(StrEnum):
    MANUAL = "manual"
    DAILY = "daily"
    WEEKLY = "weekly"


def _short_text(value: str, limit: int, field: str) -> str:
    cleaned = " ".join(value.split())
    if len(cleaned) > limit or not cleaned.isprintable():
        raise InvalidValue(f"Use at most {limit} printable characters.", field=field)
    return cleaned


def _optional_url(raw: str | None, field: str) -> str | None:
    """An http(s) address an owner typed, normalized; None when left empty."""
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_url(raw)
    except InvalidUrl as error:
        raise InvalidUrl(error.message, field=field) from None


class Branding(msgspec.Struct, frozen=True, kw_only=True):
    assistant_name: str = "Assistant"
    colour: str = "#2563eb"
    greeting: str = "Hi! Ask me anything about this site."
    position: WidgetPosition = WidgetPosition.BOTTOM_RIGHT
    language: str = "en"
    tone: Tone = Tone.FRIENDLY
    suggested_questions: tuple[str, ...] = ()
    # The chat opens by itself when a page loads (until the visitor closes it).
    auto_open: bool = False
    # The assistant's picture: an image on the site itself (see Site).
    avatar_url: str | None = None
    # Where the widget's privacy link points; None: ragsell's own privacy page.
    privacy_policy_url: str | None = None

    def __post_init__(self) -> None:
        check_name(self.assistant_name)
        if _COLOUR.fullmatch(self.colour) is None:
            raise InvalidValue("Colours are written #rrggbb in lower case.", field="colour")
        _short_text(self.greeting, MAX_GREETING_LENGTH, "greeting")
        if self.language not in UI_LANGUAGES:
            raise InvalidValue(f"Choose one of the languages {', '.join(UI_LANGUAGES)}.", field="language")
        if len(self.suggested_questions) > MAX_SUGGESTIONS or any(
            not question or question != _short_text(question, MAX_SUGGESTION_LENGTH, "suggestedQuestions")
            for question in self.suggested_questions
        ):
            raise InvalidValue(
                f"Offer at most {MAX_SUGGESTIONS} suggested questions of up to {MAX_SUGGESTION_LENGTH} characters.",
                field="suggestedQuestions",
            )
        for url, field in ((self.avatar_url, "avatarUrl"), (self.privacy_policy_url, "privacyPolicyUrl")):
            if url is not None and _optional_url(url, field) != url:
                raise InvalidValue("Addresses are stored normalized.", field=field)


def make_branding(
    *,
    assistant_name: str,
    colour: str,
    greeting: str,
    position: str,
    language: str,
    tone: str,
    suggested_questions: list[str],
    auto_open: bool = False,
    avatar_url: str | None = None,
    privacy_policy_url: str | None = None,
) -> Branding:
    """Branding from what an owner typed: whitespace tidied, colour lower-cased, addresses
    normalized (an empty address is none)."""
    try:
        return Branding(
            assistant_name=check_name(assistant_name),
            colour=colour.strip().lower(),
            greeting=_short_text(greeting, MAX_GREETING_LENGTH, "greeting"),
            position=WidgetPosition(position),
            language=language.strip().lower(),
            tone=Tone(tone),
            suggested_questions=tuple(
                _short_text(question, MAX_SUGGESTION_LENGTH, "suggestedQuestions")
                for question in suggested_questions
                if question.strip()
            ),
            auto_open=auto_open,
            avatar_url=_optional_url(avatar_url, "avatarUrl"),
            privacy_policy_url=_optional_url(privacy_policy_url, "privacyPolicyUrl"),
        )
    except ValueError as error:
        if isinstance(error, InvalidValue):
            raise
        raise InvalidValue(str(error)) from None


def _check_pattern(pattern: str) -> str:
    if not pattern or len(pattern) > MAX_PATTERN_LENGTH or not pattern.isprintable() or " " in pattern:
        raise InvalidValue(
            f"URL patterns are 1 to {MAX_PATTERN_LENGTH} characters without spaces, like /blog/*.", field="patterns"
        )
    return pattern


class CrawlSettings(msgspec.Struct, frozen=True, kw_only=True):
    include_patterns: tuple[str, ...] = ()
    exclude_patterns: tuple[str, ...] = ()
    schedule: CrawlSchedule = CrawlSchedule.WEEKLY
    # Treat www.example.com and example.com as one site.
    www_is_same_site: bool = True

    def __post_init__(self) -> None:
        for patterns in (self.include_patterns, self.exclude_patterns):
            if len(patterns) > MAX_PATTERNS:
                raise InvalidValue(f"Use at most {MAX_PATTERNS} patterns.", field="patterns")
            for pattern in patterns:
                _check_pattern(pattern)


def normalize_origins(raw: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    origins = tuple(dict.fromkeys(normalize_origin(origin) for origin in raw))
    if len(origins) > MAX_ORIGINS:
        raise InvalidValue(f"Allow at most {MAX_ORIGINS} origins.", field="allowedOrigins")
    return origins


def default_origins(site_url: str) -> tuple[str, ...]:
    """The site's own origin, and its www twin: where an owner pastes the snippet."""
    origin = origin_of(site_url)
    scheme, host = origin.split("://", 1)
    twin = host.removeprefix("www.") if host.startswith("www.") else f"www.{host}"
    # No twin for a single-label host, an IP address, or www.<tld> (whose twin would be a bare TLD).
    is_ip = host.replace(".", "").replace(":", "").isdigit()
    if is_ip or not all("." in name.split(":", 1)[0] for name in (host, twin)):
        return (origin,)
    return (origin, f"{scheme}://{twin}")


def check_retention_days(days: int | None) -> int | None:
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise InvalidValue(
            f"Keep conversations 1 to {MAX_RETENTION_DAYS} days, or leave it empty.", field="retentionDays"
        )
    return days


def check_country(country: str | None) -> str | None:
    if country is not None and country not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValue("Use a two-letter country code such as US or DE.", field="country")
    return country


class Site(msgspec.Struct, frozen=True, kw_only=True):
    id: SiteId
    owner_id: OwnerId
    widget_key: WidgetKey
    name: str
    url: str
    branding: Branding
    allowed_origins: tuple[str, ...]
    crawl: CrawlSettings
    # None: conversations are kept while the account is active.
    retention_days: int | None
    voice_enabled: bool
    created_at: datetime
    # ISO 3166 country in which visitors' phone numbers without a + are read.
    country: str | None = None
    # Where lead notifications are also POSTed, signed; None: by email only.
    webhook: Webhook | None = None
    # The voice the assistant speaks with when visitors talk to it.
    voice: VoiceChoice = VoiceChoice()

    def __post_init__(self) -> None:
        check_name(self.name)
        if normalize_url(self.url) != self.url:
            raise InvalidValue("Site URLs are stored normalized.", field="url")
        if not is_widget_key(self.widget_key):
            raise InvalidValue("Not a widget key.", field="widgetKey")
        if normalize_origins(self.allowed_origins) != self.allowed_origins:
            raise InvalidValue("Allowed origins are stored normalized.", field="allowedOrigins")
        check_retention_days(self.retention_days)
        check_country(self.country)
        avatar = self.branding.avatar_url
        if avatar is not None and not _on_site(avatar, self.url, www_is_same_site=self.crawl.www_is_same_site):
            raise InvalidValue(
                "Use a picture on your own site for the avatar: the widget loads nothing from other sites.",
                field="avatarUrl",
            )

    def admits_origin(self, origin: str) -> bool:
        return origin in self.allowed_origins


def _on_site(url: str, site_url: str, *, www_is_same_site: bool) -> bool:
    host, site_host = urlsplit(url).netloc, urlsplit(site_url).netloc
    if www_is_same_site:
        return host.removeprefix("www.") == site_host.removeprefix("www.")
    return host == site_host


def changed_site(site: Site, **changes: object) -> Site:
    """A copy of ``site`` with ``changes``, its rules checked again (msgspec's
    ``structs.replace`` would skip them)."""
    fields = {name: getattr(site, name) for name in site.__struct_fields__}
    return Site(**{**fields, **changes})  # type: ignore[arg-type]
