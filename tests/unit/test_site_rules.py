"""Sites: where their widget may run, how it looks, how they are crawled."""

from datetime import UTC, datetime

import msgspec
import pytest

from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey
from ragsell.domain.sites import (
    MAX_ORIGINS,
    MAX_PATTERN_LENGTH,
    MAX_PATTERNS,
    MAX_RETENTION_DAYS,
    Branding,
    CrawlSchedule,
    CrawlSettings,
    Site,
    Tone,
    WidgetPosition,
    check_country,
    check_retention_days,
    default_origins,
    make_branding,
    normalize_origins,
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def site(**changes: object) -> Site:
    fields: dict[str, object] = {
        "id": SiteId("s" * 22),
        "owner_id": OwnerId("o" * 22),
        "widget_key": WidgetKey("pk_" + "k" * 22),
        "name": "Example",
        "url": "https://example.com/",
        "branding": Branding(),
        "allowed_origins": ("https://example.com", "https://www.example.com"),
        "crawl": CrawlSettings(),
        "retention_days": None,
        "voice_enabled": False,
        "created_at": NOW,
    }
    fields.update(changes)
    return Site(**fields)  # type: ignore[arg-type]


def branding(**changes: object) -> Branding:
    fields: dict[str, object] = {
        "assistant_name": "Ada",
        "colour": "#2563EB",
        "greeting": "Hello!",
        "position": "bottom-left",
        "language": "en",
        "tone": "concise",
        "suggested_questions": [],
    }
    fields.update(changes)
    return make_branding(**fields)  # type: ignore[arg-type]


# --- default origins --------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/", ("https://example.com", "https://www.example.com")),
        ("https://www.example.com/shop", ("https://www.example.com", "https://example.com")),
        ("https://Example.com:8443/", ("https://example.com:8443", "https://www.example.com:8443")),
        ("http://shop.example.co.uk/", ("http://shop.example.co.uk", "http://www.shop.example.co.uk")),
        ("http://localhost:8000/", ("http://localhost:8000",)),
        ("http://127.0.0.1:8000/", ("http://127.0.0.1:8000",)),
        ("https://10.0.0.1/", ("https://10.0.0.1",)),
        # The twin of www.<tld> would be the bare top-level domain.
        ("https://www.com/", ("https://www.com",)),
    ],
)
def test_default_origins_are_the_sites_origin_and_its_www_twin(url: str, expected: tuple[str, ...]) -> None:
    assert default_origins(url) == expected


def test_default_origins_are_stored_normalized() -> None:
    origins = default_origins("https://www.bücher.de/")
    assert normalize_origins(origins) == origins
    assert origins == ("https://www.xn--bcher-kva.de", "https://xn--bcher-kva.de")


# --- allowed origins --------------------------------------------------------------


def test_allowed_origins_are_normalized_and_deduplicated_in_order() -> None:
    assert normalize_origins(["https://B.example.com/", "https://a.example.com", "https://b.example.com:443"]) == (
        "https://b.example.com",
        "https://a.example.com",
    )


def test_allowed_origins_are_capped() -> None:
    many = [f"https://s{index}.example.com" for index in range(MAX_ORIGINS + 1)]
    assert len(normalize_origins(many[:MAX_ORIGINS])) == MAX_ORIGINS
    with pytest.raises(InvalidValue):
        normalize_origins(many)


def test_an_allowed_origin_with_a_path_is_refused() -> None:
    with pytest.raises(InvalidUrl):
        normalize_origins(["https://example.com/shop"])


def test_a_site_admits_only_its_allowed_origins_exactly() -> None:
    shop = site()
    assert shop.admits_origin("https://www.example.com")
    assert not shop.admits_origin("http://example.com")
    assert not shop.admits_origin("https://example.com.evil.test")
    assert not shop.admits_origin("https://evil.test")
    assert not site(allowed_origins=()).admits_origin("https://example.com")


# --- branding ---------------------------------------------------------------------


def test_branding_from_the_form_is_tidied() -> None:
    made = branding(
        assistant_name="  Ada   Lovelace ",
        colour=" #AABBCC ",
        greeting="  Hi\n there ",
        language=" DE ",
        suggested_questions=["  What   do you sell? ", "   ", "Where are you?"],
    )
    assert made == Branding(
        assistant_name="Ada Lovelace",
        colour="#aabbcc",
        greeting="Hi there",
        position=WidgetPosition.BOTTOM_LEFT,
        language="de",
        tone=Tone.CONCISE,
        suggested_questions=("What do you sell?", "Where are you?"),
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"colour": "blue"},
        {"colour": "#abc"},
        {"colour": "#gggggg"},
        {"position": "top-left"},
        {"tone": "sarcastic"},
        {"language": "xx"},
        {"assistant_name": "   "},
        {"assistant_name": "x" * 101},
        {"greeting": "x" * 301},
        {"greeting": "hi\x00"},
        {"suggested_questions": ["q1", "q2", "q3", "q4", "q5"]},
        {"suggested_questions": ["x" * 121]},
    ],
)
def test_branding_rejects_what_the_widget_cannot_show(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidValue):
        branding(**changes)


def test_branding_built_directly_must_already_be_tidy() -> None:
    with pytest.raises(InvalidValue):
        Branding(colour="#AABBCC")
    with pytest.raises(InvalidValue):
        Branding(suggested_questions=("  padded  ",))
    with pytest.raises(InvalidValue):
        Branding(suggested_questions=("",))
    with pytest.raises(InvalidValue):
        Branding(language="klingon")


def test_branding_decoded_from_json_is_validated_with_the_domain_error() -> None:
    with pytest.raises(InvalidValue):
        msgspec.json.decode(b'{"colour": "red"}', type=Branding)
    assert msgspec.json.decode(b'{"colour": "#ff0000"}', type=Branding).colour == "#ff0000"


# --- crawl settings ---------------------------------------------------------------


def test_crawl_settings_default_to_weekly_with_www_as_the_same_site() -> None:
    settings = CrawlSettings()
    assert settings.schedule is CrawlSchedule.WEEKLY
    assert settings.www_is_same_site
    assert CrawlSettings(include_patterns=("/blog/*",), exclude_patterns=("/admin/*", "*.pdf")).include_patterns


@pytest.mark.parametrize(
    "patterns",
    [
        ("",),
        ("/blog/ *",),
        ("/blog\n",),
        ("x" * (MAX_PATTERN_LENGTH + 1),),
        tuple(f"/p{index}" for index in range(MAX_PATTERNS + 1)),
    ],
)
def test_crawl_patterns_are_short_printable_and_few(patterns: tuple[str, ...]) -> None:
    with pytest.raises(InvalidValue):
        CrawlSettings(include_patterns=patterns)
    with pytest.raises(InvalidValue):
        CrawlSettings(exclude_patterns=patterns)


# --- sites ------------------------------------------------------------------------


def test_a_valid_site_is_accepted() -> None:
    assert site(retention_days=30, country="DE").country == "DE"


@pytest.mark.parametrize(
    "changes",
    [
        {"url": "https://Example.com"},
        {"url": "https://example.com/#x"},
        {"widget_key": "k" * 25},
        {"widget_key": "pk_short"},
        {"allowed_origins": ("https://Example.com",)},
        {"allowed_origins": ("https://example.com", "https://example.com")},
        {"retention_days": 0},
        {"retention_days": MAX_RETENTION_DAYS + 1},
        {"country": "XX"},
        {"country": "de"},
        {"name": ""},
    ],
)
def test_a_site_keeps_its_invariants(changes: dict[str, object]) -> None:
    with pytest.raises((InvalidValue, InvalidUrl)):
        site(**changes)


def test_retention_days_are_optional_and_bounded() -> None:
    assert check_retention_days(None) is None
    assert check_retention_days(1) == 1
    assert check_retention_days(MAX_RETENTION_DAYS) == MAX_RETENTION_DAYS
    with pytest.raises(InvalidValue):
        check_retention_days(-5)


def test_country_is_an_iso_code_known_to_the_phone_rules() -> None:
    assert check_country(None) is None
    assert check_country("US") == "US"
    with pytest.raises(InvalidValue):
        check_country("USA")
