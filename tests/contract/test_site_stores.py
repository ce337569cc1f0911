"""SiteRepository and SnippetRepository."""

from datetime import timedelta

import msgspec
import pytest

from ragsell.application.ports.repositories import DuplicateKey
from ragsell.domain.ids import SnippetId
from ragsell.domain.sites import Branding
from tests.contract.stores import Stores, owner, real_now, site, snippet


async def test_a_site_reads_back_with_all_its_settings(stores: Stores) -> None:
    ada = owner()
    shop = site(ada.id)
    await stores.sites.add(shop)

    assert await stores.sites.get(ada.id, shop.id) == shop
    assert await stores.sites.by_widget_key(shop.widget_key) == shop


async def test_sites_of_one_owner_are_invisible_to_another(stores: Stores) -> None:
    ada, bob = owner(), owner()
    shop = site(ada.id)
    await stores.sites.add(shop)

    assert await stores.sites.get(bob.id, shop.id) is None
    assert await stores.sites.list_for_owner(bob.id) == []
    assert await stores.sites.replace(msgspec.structs.replace(shop, owner_id=bob.id, name="Taken")) is False
    assert await stores.sites.remove(bob.id, shop.id) is False
    assert await stores.sites.get(ada.id, shop.id) == shop


async def test_an_owners_sites_are_listed_oldest_first(stores: Stores) -> None:
    ada = owner()
    start = real_now()
    newest, oldest, middle = (site(ada.id, created_at=start + timedelta(milliseconds=n)) for n in (900, 0, 450))
    for each in (newest, oldest, middle):
        await stores.sites.add(each)
    await stores.sites.add(site(owner().id, created_at=start))

    assert await stores.sites.list_for_owner(ada.id) == [oldest, middle, newest]


async def test_widget_keys_are_unique(stores: Stores) -> None:
    ada = owner()
    shop, blog = site(ada.id), site(ada.id)
    await stores.sites.add(shop)
    await stores.sites.add(blog)

    with pytest.raises(DuplicateKey):
        await stores.sites.add(site(owner().id, widget_key=shop.widget_key))
    with pytest.raises(DuplicateKey):
        await stores.sites.replace(msgspec.structs.replace(blog, widget_key=shop.widget_key))
    assert await stores.sites.get(ada.id, blog.id) == blog


async def test_replacing_a_site_stores_its_new_settings(stores: Stores) -> None:
    ada = owner()
    shop = site(ada.id)
    await stores.sites.add(shop)
    renamed = msgspec.structs.replace(
        shop,
        name="Tea Shop",
        branding=Branding(assistant_name="Tess", colour="#111111"),
        retention_days=None,
        country=None,
        voice_enabled=False,
    )

    assert await stores.sites.replace(renamed) is True
    assert await stores.sites.get(ada.id, shop.id) == renamed
    assert await stores.sites.by_widget_key(shop.widget_key) == renamed


async def test_a_removed_site_is_gone_and_a_missing_one_reports_false(stores: Stores) -> None:
    ada = owner()
    shop = site(ada.id)
    await stores.sites.add(shop)

    assert await stores.sites.remove(ada.id, shop.id) is True
    assert await stores.sites.remove(ada.id, shop.id) is False
    assert await stores.sites.get(ada.id, shop.id) is None
    assert await stores.sites.by_widget_key(shop.widget_key) is None
    assert await stores.sites.replace(shop) is False


async def test_snippets_are_listed_oldest_first_per_site(stores: Stores) -> None:
    start = real_now()
    shop, blog = site(owner().id), site(owner().id)
    late = snippet(shop.id, created_at=start + timedelta(milliseconds=300))
    early = snippet(shop.id, created_at=start, question="Do you ship to Norway?")
    for each in (late, early, snippet(blog.id, created_at=start)):
        await stores.snippets.add(each)

    assert await stores.snippets.list_for_site(shop.id) == [early, late]


async def test_a_snippet_of_another_site_cannot_be_removed(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    note = snippet(shop.id)
    await stores.snippets.add(note)

    assert await stores.snippets.remove(blog.id, note.id) is False
    assert await stores.snippets.remove(shop.id, SnippetId("missing-snippet-id-000")) is False
    assert await stores.snippets.list_for_site(shop.id) == [note]
    assert await stores.snippets.remove(shop.id, note.id) is True
    assert await stores.snippets.list_for_site(shop.id) == []


async def test_snippet_ids_are_unique(stores: Stores) -> None:
    note = snippet(site(owner().id).id)
    await stores.snippets.add(note)

    with pytest.raises(DuplicateKey):
        await stores.snippets.add(note)
