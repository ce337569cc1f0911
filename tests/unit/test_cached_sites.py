"""Sites by widget key are remembered for a moment, and forgotten at once when changed here."""

from datetime import UTC, datetime

import msgspec

from ragsell.adapters.cache.sites import CachedSiteRepository
from ragsell.adapters.memory.sites import InMemorySiteRepository
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey
from ragsell.domain.sites import Branding, CrawlSettings, Site

OWNER = OwnerId("o" * 22)


def a_site() -> Site:
    return Site(
        id=SiteId("s" * 22),
        owner_id=OWNER,
        widget_key=WidgetKey("pk_" + "k" * 22),
        name="Shop",
        url="https://shop.example/",
        branding=Branding(),
        allowed_origins=("https://shop.example",),
        crawl=CrawlSettings(),
        retention_days=None,
        voice_enabled=False,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def test_a_site_changed_in_another_process_is_seen_after_the_moment_passes() -> None:
    store = InMemorySiteRepository()
    site = a_site()
    await store.add(site)
    cached = CachedSiteRepository(store, ttl_seconds=60)
    assert await cached.by_widget_key(site.widget_key) == site

    elsewhere = msgspec.structs.replace(site, allowed_origins=())
    await store.replace(elsewhere)  # another process, behind the cache's back
    assert await cached.by_widget_key(site.widget_key) == site
    assert await CachedSiteRepository(store, ttl_seconds=0).by_widget_key(site.widget_key) == elsewhere


async def test_changes_made_through_the_cache_are_seen_at_once() -> None:
    store = InMemorySiteRepository()
    site = a_site()
    cached = CachedSiteRepository(store, ttl_seconds=60)
    assert await cached.by_widget_key(site.widget_key) is None
    await cached.add(site)
    assert await cached.by_widget_key(site.widget_key) == site
    changed = msgspec.structs.replace(site, allowed_origins=())
    await cached.replace(changed)
    assert await cached.by_widget_key(site.widget_key) == changed
    await cached.remove(OWNER, site.id)
    assert await cached.by_widget_key(site.widget_key) is None
