"""LeadRepository."""

import msgspec
import pytest

from ragsell.application.ports.repositories import DuplicateKey, ListCursor
from ragsell.domain.ids import LeadId
from ragsell.domain.leads import Lead, LeadKind, LeadStatus
from tests.contract.stores import Stores, conversation, lead, ms, new_id, owner, real_now, site


async def test_a_lead_reads_back_with_all_its_details(stores: Stores) -> None:
    shop = site(owner().id)
    called = lead(shop.id, conversation_id=conversation(shop.id).id)
    written = msgspec.structs.replace(lead(shop.id), kind=LeadKind.MESSAGE, phone=None, page_url=None)
    await stores.leads.add(called)
    await stores.leads.add(written)

    assert await stores.leads.get(shop.id, called.id) == called
    assert await stores.leads.get(shop.id, written.id) == written


async def test_a_lead_of_another_site_is_invisible(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    found = lead(shop.id)
    await stores.leads.add(found)

    assert await stores.leads.get(blog.id, found.id) is None
    assert await stores.leads.list_for_site(blog.id, before=None, limit=10) == []
    assert await stores.leads.set_status(blog.id, found.id, LeadStatus.CLOSED) is False
    assert await stores.leads.get(shop.id, found.id) == found


async def test_lead_ids_are_unique(stores: Stores) -> None:
    found = lead(site(owner().id).id)
    await stores.leads.add(found)

    with pytest.raises(DuplicateKey):
        await stores.leads.add(found)


async def test_a_lead_status_change_is_kept(stores: Stores) -> None:
    shop = site(owner().id)
    found = lead(shop.id)
    await stores.leads.add(found)

    assert await stores.leads.set_status(shop.id, found.id, LeadStatus.CONTACTED) is True
    assert await stores.leads.get(shop.id, found.id) == msgspec.structs.replace(found, status=LeadStatus.CONTACTED)
    assert await stores.leads.set_status(shop.id, LeadId(new_id()), LeadStatus.CLOSED) is False


async def test_leads_are_listed_newest_first_and_paged_with_before_and_limit(stores: Stores) -> None:
    start = real_now()
    shop = site(owner().id)
    leads = [lead(shop.id, created_at=start + ms(123 * n)) for n in range(7)]
    leads.append(lead(shop.id, created_at=leads[2].created_at))
    for each in leads:
        await stores.leads.add(each)
    await stores.leads.add(lead(site(owner().id).id, created_at=start))

    def expected(before: ListCursor | None, limit: int) -> list[Lead]:
        kept = [each for each in leads if before is None or before.admits(each.created_at, each.id)]
        return sorted(kept, key=lambda each: (each.created_at, each.id), reverse=True)[:limit]

    def after(page: list[Lead]) -> ListCursor:
        return ListCursor(at=page[-1].created_at, id=page[-1].id)

    first_page = await stores.leads.list_for_site(shop.id, before=None, limit=3)
    second_page = await stores.leads.list_for_site(shop.id, before=after(first_page), limit=3)
    rest = await stores.leads.list_for_site(shop.id, before=after(second_page), limit=3)

    assert first_page == expected(None, 3)
    assert second_page == expected(after(first_page), 3)
    assert sorted(each.id for each in first_page + second_page + rest) == sorted(each.id for each in leads)
    assert await stores.leads.list_for_site(shop.id, before=ListCursor(at=start + ms(1)), limit=3) == [leads[0]]
    assert await stores.leads.list_for_site(shop.id, before=ListCursor(at=start), limit=3) == []
    assert await stores.leads.list_for_site(shop.id, before=None, limit=0) == []
