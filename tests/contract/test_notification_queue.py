"""NotificationQueue: lead notifications claimed under a lease, retried, and listed."""

from datetime import datetime, timedelta

import pytest

from ragsell.application.ports.repositories import DuplicateKey, ListCursor
from ragsell.domain.ids import LeadId, NotificationId, OwnerId, SiteId
from ragsell.domain.notifications import (
    DeliveryState,
    LeadNotification,
    NotificationChannel,
    new_notification,
    retry_delay,
)
from tests.contract.stores import Stores, ms, new_id, real_now

LEASE = timedelta(seconds=60)


def notification(
    site_id: SiteId | None = None,
    *,
    now: datetime | None = None,
    channel: NotificationChannel = NotificationChannel.EMAIL,
) -> LeadNotification:
    return new_notification(
        notification_id=NotificationId(new_id()),
        owner_id=OwnerId(new_id()),
        site_id=site_id or SiteId(new_id()),
        lead_id=LeadId(new_id()),
        channel=channel,
        now=now or real_now(),
    )


async def test_due_notifications_are_claimed_oldest_first_once_each(stores: Stores) -> None:
    start = real_now()
    first, second = notification(now=start - ms(500)), notification(now=start - ms(200))
    later = notification(now=start + ms(300))
    for each in (second, later, first):
        await stores.notifications.add(each)

    one = await stores.notifications.claim(worker="w1", now=start, lease=LEASE)
    two = await stores.notifications.claim(worker="w2", now=start, lease=LEASE)

    assert one == first.claimed(worker="w1", now=start, lease=LEASE)
    assert two == second.claimed(worker="w2", now=start, lease=LEASE)
    assert one is not None and one.attempts == 1 and one.state is DeliveryState.SENDING
    assert await stores.notifications.claim(worker="w3", now=start, lease=LEASE) is None


async def test_an_expired_lease_lets_another_worker_take_over(stores: Stores) -> None:
    start = real_now()
    await stores.notifications.add(notification(now=start))
    held = await stores.notifications.claim(worker="w1", now=start, lease=LEASE)
    assert held is not None

    assert await stores.notifications.claim(worker="w2", now=start + LEASE - ms(1), lease=LEASE) is None
    taken = await stores.notifications.claim(worker="w2", now=start + LEASE, lease=LEASE)

    assert taken is not None and taken.worker == "w2" and taken.attempts == 2
    assert await stores.notifications.settle(held.delivered(start + LEASE), worker="w1") is False
    assert await stores.notifications.settle(taken.delivered(start + LEASE + ms(5)), worker="w2") is True


async def test_a_delivered_notification_is_kept_in_the_log_and_not_claimed_again(stores: Stores) -> None:
    start = real_now()
    queued = notification(now=start)
    await stores.notifications.add(queued)
    held = await stores.notifications.claim(worker="w1", now=start, lease=LEASE)
    assert held is not None
    delivered = held.delivered(start + ms(40))

    assert await stores.notifications.settle(delivered, worker="w1") is True
    assert await stores.notifications.list_for_site(queued.site_id, before=None, limit=10) == [delivered]
    assert await stores.notifications.claim(worker="w1", now=start + timedelta(days=1), lease=LEASE) is None
    assert await stores.notifications.settle(delivered, worker="w1") is False


async def test_a_failed_try_waits_for_its_backoff(stores: Stores) -> None:
    start = real_now()
    queued = notification(now=start, channel=NotificationChannel.WEBHOOK)
    await stores.notifications.add(queued)
    held = await stores.notifications.claim(worker="w1", now=start, lease=LEASE)
    assert held is not None
    retry = held.failed(start, "The webhook answered 500.", permanent=False)
    assert await stores.notifications.settle(retry, worker="w1") is True

    due = start + retry_delay(1)
    assert await stores.notifications.claim(worker="w1", now=due - ms(1), lease=LEASE) is None
    again = await stores.notifications.claim(worker="w1", now=due, lease=LEASE)

    assert again is not None and again.attempts == 2 and again.last_error == "The webhook answered 500."


async def test_the_log_is_per_site_newest_first_and_paged(stores: Stores) -> None:
    start = real_now()
    shop = SiteId(new_id())
    made = [notification(shop, now=start + ms(100 * n)) for n in range(5)]
    made.append(notification(shop, now=made[2].created_at))
    for each in made:
        await stores.notifications.add(each)
    await stores.notifications.add(notification(now=start))

    newest_first = sorted(made, key=lambda n: (n.created_at, n.id), reverse=True)
    first_page = await stores.notifications.list_for_site(shop, before=None, limit=3)
    cursor = ListCursor(at=first_page[-1].created_at, id=first_page[-1].id)
    rest = await stores.notifications.list_for_site(shop, before=cursor, limit=10)

    assert first_page == newest_first[:3]
    assert rest == newest_first[3:]
    assert await stores.notifications.list_for_site(SiteId(new_id()), before=None, limit=10) == []
    assert await stores.notifications.list_for_site(shop, before=None, limit=0) == []


async def test_notification_ids_are_unique(stores: Stores) -> None:
    made = notification()
    await stores.notifications.add(made)

    with pytest.raises(DuplicateKey):
        await stores.notifications.add(made)


async def test_erasing_a_site_removes_its_notifications_only(stores: Stores) -> None:
    shop, blog = SiteId(new_id()), SiteId(new_id())
    kept = notification(blog)
    await stores.notifications.add(notification(shop))
    await stores.notifications.add(kept)

    await stores.eraser.erase_site(shop)

    assert await stores.notifications.list_for_site(shop, before=None, limit=10) == []
    assert await stores.notifications.list_for_site(blog, before=None, limit=10) == [kept]
    claimed = await stores.notifications.claim(worker="w", now=real_now(), lease=LEASE)
    assert claimed is not None and claimed.id == kept.id
