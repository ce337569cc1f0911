"""Sites: adding within the plan, changing, deleting with everything under them, the widget's config."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from ragsell.application.errors import NotFound, OriginNotAllowed, QuotaExceeded
from ragsell.application.sites.add_site import AddSiteCommand
from ragsell.application.sites.update_site import UpdateSiteCommand
from ragsell.application.voice.features import VoiceFeatures
from ragsell.domain.conversations import ACTIVE_WINDOW
from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import is_issued_id, is_widget_key
from ragsell.domain.sites import Branding, CrawlSchedule, CrawlSettings, Tone
from ragsell.domain.usage import Meter
from tests.application.conftest import Harness, new_visitor

# --- adding -----------------------------------------------------------------------


async def test_adding_a_site_normalizes_its_url_and_allows_its_own_origins(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.add_site(
        AddSiteCommand(owner=owner, name="  My   Shop ", url="HTTPS://WWW.Shop.Example/?utm_source=x#top")
    )
    assert site.url == "https://www.shop.example/"
    assert site.name == "My Shop"
    assert site.allowed_origins == ("https://www.shop.example", "https://shop.example")
    assert site.branding.assistant_name == "My Shop assistant"
    assert is_issued_id(site.id)
    assert is_widget_key(site.widget_key)
    assert site.retention_days is None
    assert not site.voice_enabled
    assert await harness.get_site(owner.id, site.id) == site


async def test_adding_a_site_refuses_a_bad_url_and_takes_no_place_in_the_plan(harness: Harness) -> None:
    owner = await harness.owner()
    with pytest.raises(InvalidUrl):
        await harness.add_site(AddSiteCommand(owner=owner, name="Shop", url="ftp://shop.example/"))
    with pytest.raises(InvalidValue):
        await harness.add_site(AddSiteCommand(owner=owner, name="", url="https://shop.example/"))
    assert await harness.used(owner, Meter.SITES) == 0
    await harness.site(owner)


async def test_the_plans_site_limit_is_enforced_and_deleting_frees_the_place(harness: Harness) -> None:
    owner = await harness.owner()
    first = await harness.site(owner, "https://one.example/")
    with pytest.raises(QuotaExceeded) as caught:
        await harness.site(owner, "https://two.example/")
    assert caught.value.meter == "sites"
    assert caught.value.limit == 1
    assert [site.id for site in await harness.list_sites(owner.id)] == [first.id]

    await harness.delete_site(owner.id, first.id)
    assert await harness.used(owner, Meter.SITES) == 0
    second = await harness.site(owner, "https://two.example/")
    assert [site.id for site in await harness.list_sites(owner.id)] == [second.id]


async def test_site_limits_count_per_owner(harness: Harness) -> None:
    ada = await harness.owner("ada@example.com")
    bob = await harness.owner("bob@example.com")
    await harness.site(ada)
    await harness.site(bob)
    with pytest.raises(QuotaExceeded):
        await harness.site(ada, "https://more.example/")


async def test_sites_are_listed_oldest_first_and_only_the_owners(harness: Harness) -> None:
    ada = await harness.owner("ada@example.com")
    bob = await harness.owner("bob@example.com")
    await harness.change_plan("ada@example.com", "starter")
    ada = await harness.stored_owner(ada.id)
    names = []
    for index in range(3):
        names.append((await harness.site(ada, f"https://s{index}.example/", name=f"Site {index}")).name)
        harness.clock.advance(timedelta(seconds=1))
    await harness.site(bob, "https://bob.example/")
    assert [site.name for site in await harness.list_sites(ada.id)] == names
    assert [site.url for site in await harness.list_sites(bob.id)] == ["https://bob.example/"]


# --- updating ---------------------------------------------------------------------


async def test_updating_a_site_changes_only_the_given_fields(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    branding = Branding(assistant_name="Crumb", colour="#112233", tone=Tone.CONCISE)
    crawl = CrawlSettings(include_patterns=("/docs/*",), schedule=CrawlSchedule.DAILY)
    updated = await harness.update_site(
        UpdateSiteCommand(
            owner_id=owner.id,
            site_id=site.id,
            branding=branding,
            allowed_origins=("HTTPS://Shop.Example:443/", "https://shop.example"),
            crawl=crawl,
            retention_days=30,
            voice_enabled=True,
            country="US",
        )
    )
    assert updated.name == site.name
    assert updated.url == site.url
    assert updated.widget_key == site.widget_key
    assert updated.created_at == site.created_at
    assert updated.branding == branding
    assert updated.allowed_origins == ("https://shop.example",)
    assert updated.crawl == crawl
    assert (updated.retention_days, updated.voice_enabled, updated.country) == (30, True, "US")
    assert await harness.get_site(owner.id, site.id) == updated

    renamed = await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, name=" Bakery "))
    assert renamed.name == "Bakery"
    assert renamed.branding == branding
    cleared = await harness.update_site(
        UpdateSiteCommand(owner_id=owner.id, site_id=site.id, retention_days=None, country=None)
    )
    assert (cleared.retention_days, cleared.country) == (None, None)


@pytest.mark.parametrize(
    "changes",
    [
        {"allowed_origins": ("https://shop.example/path",)},
        {"allowed_origins": ("not an origin",)},
        {"retention_days": 0},
        {"country": "Narnia"},
        {"name": "   "},
    ],
)
async def test_an_invalid_update_changes_nothing(harness: Harness, changes: dict[str, object]) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises((InvalidValue, InvalidUrl)):
        await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, **changes))  # type: ignore[arg-type]
    assert await harness.get_site(owner.id, site.id) == site


# --- deleting ---------------------------------------------------------------------


async def test_deleting_a_site_erases_everything_stored_under_it_and_nothing_else(harness: Harness) -> None:
    owner = await harness.owner()
    await harness.change_plan(owner.email, "starter")
    owner = await harness.stored_owner(owner.id)
    doomed = await harness.site(owner, "https://doomed.example/")
    kept = await harness.site(owner, "https://kept.example/")
    for site in (doomed, kept):
        await harness.teach(site, "Hours", "We open at nine.")
        visitor = new_visitor()
        await harness.view_page(site, visitor, url=site.url)
        conversation = await harness.start(site, visitor)
        await harness.ask(site, conversation, "When do you open?")
        await harness.leave_lead(site, visitor, conversation_id=conversation.id)

    await harness.delete_site(owner.id, doomed.id)

    with pytest.raises(NotFound):
        await harness.get_site(owner.id, doomed.id)
    assert await harness.sites.by_widget_key(doomed.widget_key) is None
    assert await harness.snippets.list_for_site(doomed.id) == []
    assert await harness.conversations.list_for_site(doomed.id, before=None, limit=10) == []
    assert await harness.leads.list_for_site(doomed.id, before=None, limit=10) == []
    now = harness.clock.now()
    assert await harness.page_views.count_visitors(doomed.id, since=now - ACTIVE_WINDOW, until=now) == 0

    assert len(await harness.snippets.list_for_site(kept.id)) == 1
    assert len(await harness.conversations.list_for_site(kept.id, before=None, limit=10)) == 1
    assert len(await harness.leads.list_for_site(kept.id, before=None, limit=10)) == 1
    assert await harness.count_active_visitors(owner.id, kept.id) == 1
    assert await harness.used(owner, Meter.SITES) == 1


async def test_deleting_a_missing_site_is_not_found_and_frees_nothing(harness: Harness) -> None:
    owner = await harness.owner()
    await harness.site(owner)
    with pytest.raises(NotFound):
        await harness.delete_site(owner.id, harness.ids.new_id())
    assert await harness.used(owner, Meter.SITES) == 1


# --- the widget's configuration ---------------------------------------------------


async def test_the_widget_gets_its_config_by_key_from_an_allowed_origin(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner, "https://www.shop.example/")
    for origin in ("https://www.shop.example", "https://shop.example", None):
        config = await harness.widget_config(site.widget_key, origin)
        assert config.widget_key == site.widget_key
        assert config.site_name == site.name
        assert config.branding == site.branding
        assert config.voice_enabled is False


@pytest.mark.parametrize(
    ("turns", "calls", "enabled", "plan", "offered"),
    [
        (True, True, True, "starter", (True, True)),
        (True, False, True, "starter", (True, False)),
        (True, True, False, "starter", (False, False)),
        (True, True, True, "free", (False, False)),
        (False, False, True, "starter", (False, False)),
    ],
    ids=["all-on", "no-livekit", "owner-off", "plan-without-voice", "no-keys"],
)
async def test_the_widget_offers_voice_only_when_the_service_the_site_and_the_plan_all_allow_it(
    make_harness: Callable[..., Harness], turns: bool, calls: bool, enabled: bool, plan: str, offered: tuple
) -> None:
    harness = make_harness(voice=VoiceFeatures(turns=turns, calls=calls))
    owner = await harness.owner()
    await harness.change_plan(owner.email, plan)
    site = await harness.site(owner)
    await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, voice_enabled=enabled))

    config = await harness.widget_config(site.widget_key, None)

    assert (config.voice_enabled, config.voice_calls) == offered


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://www.shop.example",
        "https://www.shop.example:8443",
        "https://shop.example.evil",
        "",
    ],
)
async def test_the_widget_config_is_refused_to_other_origins(harness: Harness, origin: str) -> None:
    site = await harness.site(await harness.owner(), "https://www.shop.example/")
    with pytest.raises(OriginNotAllowed):
        await harness.widget_config(site.widget_key, origin)


async def test_a_site_without_allowed_origins_admits_no_browser_origin(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, allowed_origins=()))
    for origin in site.allowed_origins:
        with pytest.raises(OriginNotAllowed):
            await harness.widget_config(site.widget_key, origin)
    # Non-browser clients send no Origin; CORS does not concern them.
    assert (await harness.widget_config(site.widget_key, None)).site_name == site.name


@pytest.mark.parametrize("key", ["", "pk_", "pk_" + "x" * 22, "not-a-key", "pk_" + "x" * 200])
async def test_an_unknown_or_malformed_widget_key_is_not_found(harness: Harness, key: str) -> None:
    await harness.site(await harness.owner())
    with pytest.raises(NotFound):
        await harness.widget_config(key, None)
