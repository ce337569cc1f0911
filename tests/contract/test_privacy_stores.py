"""What privacy requests and retention sweeps need of the stores: finding a visitor's
records, removing them, and removing what has expired."""

import asyncio
from datetime import timedelta

import msgspec

from ragsell.domain.conversations import Role
from ragsell.domain.ids import OwnerId, VisitorId
from ragsell.domain.jobs import JobState
from ragsell.domain.leads import LeadKind
from ragsell.domain.privacy import PrivacyAction, PrivacyRequest, Requester, SubjectKind
from ragsell.domain.usage import LIFETIME_START, Meter
from tests.contract.stores import (
    Stores,
    conversation,
    crawl_job,
    lead,
    message,
    ms,
    new_id,
    new_uuid,
    owner,
    page_view,
    real_now,
    session,
    site,
)

_DAY = timedelta(days=1)


# --- owners ---------------------------------------------------------------------------


async def test_a_closed_account_keeps_its_first_closing_time(stores: Stores) -> None:
    ada = owner()
    await stores.owners.add(ada)
    closed_at = real_now()

    assert await stores.owners.close(ada.id, closed_at)
    assert not await stores.owners.close(ada.id, closed_at + _DAY)
    assert not await stores.owners.close(OwnerId(new_id()), closed_at)

    stored = await stores.owners.get(ada.id)
    assert stored is not None and stored.closed_at == closed_at
    assert stored.password_hash == ada.password_hash and stored.plan == ada.plan


async def test_closed_accounts_are_listed_by_closing_time_up_to_the_cutoff(stores: Stores) -> None:
    now = real_now()
    open_one, early, late, later = owner(), owner(), owner(), owner()
    for each in (open_one, early, late, later):
        await stores.owners.add(each)
    await stores.owners.close(early.id, now - ms(500))
    await stores.owners.close(late.id, now)
    await stores.owners.close(later.id, now + ms(1))

    found = await stores.owners.closed_before(now, limit=10)
    assert [each.id for each in found] == [early.id, late.id]
    assert [each.id for each in await stores.owners.closed_before(now, limit=1)] == [early.id]


async def test_a_removed_owners_email_can_sign_up_again(stores: Stores) -> None:
    ada = owner(email="ada@example.com")
    await stores.owners.add(ada)

    assert await stores.owners.remove(ada.id)
    assert not await stores.owners.remove(ada.id)
    assert await stores.owners.get(ada.id) is None
    assert await stores.owners.by_email("ada@example.com") is None
    await stores.owners.add(owner(email="ada@example.com"))


async def test_expired_sessions_are_purged_and_live_ones_kept(stores: Stores) -> None:
    # Both expire in the future by the store's clock (whose TTL index would remove them
    # first otherwise); the sweep is told a later time.
    now = real_now()
    ada = owner()
    old, fresh = session(ada.id, now=now), session(ada.id, now=now + timedelta(hours=3))
    await stores.sessions.add(old)
    await stores.sessions.add(fresh)
    later = old.expires_at

    assert await stores.sessions.purge_expired(later, dry_run=True) == 1
    assert await stores.sessions.get(old.token_hash, now=now) is not None
    assert await stores.sessions.purge_expired(later) == 1
    assert await stores.sessions.get(old.token_hash, now=now) is None
    assert await stores.sessions.get(fresh.token_hash, now=fresh.created_at) is not None
    assert await stores.sessions.purge_expired(later) == 0


# --- sites ----------------------------------------------------------------------------


async def test_a_suspended_site_is_not_found_by_its_widget_key_but_stays_its_owners(stores: Stores) -> None:
    now = real_now()
    ada, bob = owner(), owner()
    shop, blog, other = site(ada.id, created_at=now - ms(1)), site(ada.id, created_at=now), site(bob.id)
    for each in (shop, blog, other):
        await stores.sites.add(each)

    assert await stores.sites.suspend_for_owner(ada.id) == 2

    assert await stores.sites.by_widget_key(shop.widget_key) is None
    assert await stores.sites.by_widget_key(blog.widget_key) is None
    assert await stores.sites.by_widget_key(other.widget_key) == other
    assert await stores.sites.get(ada.id, shop.id) == shop
    assert await stores.sites.list_for_owner(ada.id) == [shop, blog]


async def test_the_operator_lists_every_owners_sites_oldest_first(stores: Stores) -> None:
    now = real_now()
    later = site(owner().id, created_at=now)
    earlier = site(owner().id, created_at=now - ms(5))
    await stores.sites.add(later)
    await stores.sites.add(earlier)

    assert await stores.sites.list_for_operator() == [earlier, later]


# --- conversations ----------------------------------------------------------------------


async def test_a_visitors_conversations_are_found_on_their_site_only(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    first = conversation(shop.id, at=now - ms(10))
    visitor = first.visitor_id
    second = msgspec.structs.replace(conversation(shop.id, at=now), visitor_id=visitor)
    elsewhere = msgspec.structs.replace(conversation(blog.id, at=now), visitor_id=visitor)
    stranger = conversation(shop.id, at=now)
    for each in (second, first, elsewhere, stranger):
        await stores.conversations.add(each)

    assert await stores.conversations.list_for_visitor(shop.id, visitor) == [first, second]
    assert await stores.conversations.list_for_visitor(blog.id, visitor) == [elsewhere]
    assert await stores.conversations.list_for_visitor(shop.id, VisitorId(new_uuid())) == []


async def test_conversations_inactive_before_a_cutoff_come_least_recent_first(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    oldest = conversation(shop.id, at=now - timedelta(days=3))
    just_before = conversation(shop.id, at=now - ms(1))
    at_cutoff = conversation(shop.id, at=now)
    elsewhere = conversation(blog.id, at=now - timedelta(days=3))
    for each in (just_before, at_cutoff, oldest, elsewhere):
        await stores.conversations.add(each)

    assert await stores.conversations.inactive_before(shop.id, now, limit=10) == [oldest, just_before]
    assert await stores.conversations.inactive_before(shop.id, now, limit=1) == [oldest]


async def test_removing_a_conversation_takes_its_messages_and_ratings_only(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    gone, kept = conversation(shop.id, at=now), conversation(shop.id, at=now)
    for each in (gone, kept):
        await stores.conversations.add(each)
        asked = message(each)
        await stores.conversations.add_message(asked)
        reply = message(each, role=Role.ASSISTANT, client_message_id=asked.client_message_id)
        await stores.conversations.add_message(reply)

    assert await stores.conversations.remove(shop.id, gone.id) == 2
    assert await stores.conversations.remove(shop.id, gone.id) == 0

    assert await stores.conversations.get(shop.id, gone.id) is None
    assert await stores.conversations.messages(shop.id, gone.id) == []
    assert len(await stores.conversations.messages(shop.id, kept.id)) == 2


async def test_another_sites_conversation_cannot_be_removed(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    chat = conversation(shop.id)
    await stores.conversations.add(chat)

    assert await stores.conversations.remove(blog.id, chat.id) == 0
    assert await stores.conversations.get(shop.id, chat.id) == chat


# --- page views -------------------------------------------------------------------------


async def test_page_views_are_counted_per_site_and_utc_day(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    yesterday = now - _DAY
    for view in (page_view(shop.id, at=now), page_view(shop.id, at=now), page_view(shop.id, at=yesterday)):
        await stores.page_views.add(view, expires_at=now + _DAY)
    await stores.page_views.add(page_view(blog.id, at=now), expires_at=now + _DAY)

    counts = await stores.page_views.daily_counts(shop.id, since=yesterday.date(), until=now.date())
    assert [(count.day, count.views) for count in counts] == [(yesterday.date(), 1), (now.date(), 2)]
    assert await stores.page_views.daily_counts(shop.id, since=now.date(), until=now.date()) == counts[1:]


async def test_removing_a_visitors_page_views_keeps_the_daily_counts_and_others(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    visitor = new_uuid()
    for view in (
        page_view(shop.id, visitor=visitor, at=now),
        page_view(shop.id, visitor=visitor, at=now - ms(5)),
        page_view(blog.id, visitor=visitor, at=now),
        page_view(shop.id, at=now),
    ):
        await stores.page_views.add(view, expires_at=now + _DAY)

    assert await stores.page_views.remove_for_visitor(shop.id, VisitorId(visitor)) == 2

    window = {"since": now - timedelta(minutes=5), "until": now}
    assert await stores.page_views.for_visitor(shop.id, VisitorId(visitor), now=now, limit=10) == []
    assert await stores.page_views.count_visitors(shop.id, **window) == 1
    assert await stores.page_views.count_visitors(blog.id, **window) == 1
    days = await stores.page_views.daily_counts(shop.id, since=now.date(), until=now.date())
    assert [day.views for day in days] == [3]


async def test_expired_page_views_are_purged(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    expiry = now + timedelta(hours=1)
    await stores.page_views.add(page_view(shop.id, at=now), expires_at=expiry)
    await stores.page_views.add(page_view(shop.id, at=now), expires_at=expiry + ms(1))

    assert await stores.page_views.purge_expired(expiry, dry_run=True) == 1
    assert await stores.page_views.purge_expired(expiry) == 1
    assert await stores.page_views.purge_expired(expiry) == 0
    assert await stores.page_views.count_visitors(shop.id, since=now - timedelta(minutes=1), until=now) == 1


async def test_erasing_a_site_removes_its_daily_counts(stores: Stores) -> None:
    now = real_now()
    shop = site(owner().id)
    await stores.page_views.add(page_view(shop.id, at=now), expires_at=now + _DAY)

    await stores.eraser.erase_site(shop.id)

    assert await stores.page_views.daily_counts(shop.id, since=now.date(), until=now.date()) == []


# --- leads ------------------------------------------------------------------------------


async def test_leads_are_found_by_visitor_email_or_phone_within_their_site(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    first = lead(shop.id, created_at=now - ms(3))
    again = msgspec.structs.replace(
        lead(shop.id, created_at=now), visitor_id=first.visitor_id, phone=None, kind=LeadKind.MESSAGE
    )
    by_phone_only = msgspec.structs.replace(lead(shop.id, created_at=now), email="other@example.org")
    elsewhere = msgspec.structs.replace(lead(blog.id, created_at=now), visitor_id=first.visitor_id)
    for each in (again, first, by_phone_only, elsewhere):
        await stores.leads.add(each)

    assert await stores.leads.list_for_visitor(shop.id, first.visitor_id) == [first, again]
    assert await stores.leads.with_contact(shop.id, email="vera@example.org") == [first, again]
    assert await stores.leads.with_contact(shop.id, phone="+4930123456") == [first, by_phone_only]
    assert await stores.leads.with_contact(blog.id, email="nobody@example.org") == []


async def test_a_corrected_lead_replaces_the_stored_one_on_its_own_site_only(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    stored = lead(shop.id)
    await stores.leads.add(stored)
    corrected = msgspec.structs.replace(stored, name="Vera Correct", email="vera.c@example.org")

    assert await stores.leads.replace(corrected)
    assert await stores.leads.get(shop.id, stored.id) == corrected
    assert not await stores.leads.replace(msgspec.structs.replace(corrected, site_id=blog.id, name="Mallory"))
    assert await stores.leads.get(shop.id, stored.id) == corrected
    assert await stores.leads.get(blog.id, stored.id) is None


async def test_removing_a_lead_needs_its_site(stores: Stores) -> None:
    shop, blog = site(owner().id), site(owner().id)
    stored = lead(shop.id)
    await stores.leads.add(stored)

    assert not await stores.leads.remove(blog.id, stored.id)
    assert await stores.leads.remove(shop.id, stored.id)
    assert await stores.leads.get(shop.id, stored.id) is None


# --- crawl jobs, usage, rate limits -------------------------------------------------------


async def test_old_finished_crawl_jobs_are_purged_but_each_sites_latest_is_kept(stores: Stores) -> None:
    now = real_now()
    shop, blog = site(owner().id), site(owner().id)
    lease = timedelta(minutes=1)
    finished = {}
    for name, each, at in (("shop-old", shop, now - ms(30)), ("shop-new", shop, now - ms(20)), ("blog", blog, now)):
        await stores.jobs.enqueue(crawl_job(each.id, created_at=at))
        claimed = await stores.jobs.claim(worker="w", now=now, lease=lease)
        assert claimed is not None
        await stores.jobs.finish(claimed.id, worker="w", now=at, error=None)
        finished[name] = claimed.id
    later = now + timedelta(days=40)

    assert await stores.jobs.purge_finished(later, now=later, dry_run=True) == 1
    assert await stores.jobs.purge_finished(later, now=later) == 1

    shop_latest = await stores.jobs.latest(shop.id, now=later)
    blog_latest = await stores.jobs.latest(blog.id, now=later)
    assert shop_latest is not None and shop_latest.id == finished["shop-new"]
    assert blog_latest is not None and blog_latest.id == finished["blog"]
    assert blog_latest.state is JobState.DONE
    assert await stores.jobs.purge_finished(now - _DAY, now=later) == 0


async def test_an_owners_usage_history_is_listed_and_removed_with_the_account(stores: Stores) -> None:
    now = real_now()
    ada, bob = owner(), owner()
    period = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for who in (ada, bob):
        await stores.usage.reserve(
            owner_id=who.id, site_id=None, meter=Meter.MESSAGES, period_start=period, amount=3, limit=10
        )
    await stores.usage.reserve(
        owner_id=ada.id, site_id=None, meter=Meter.SITES, period_start=LIFETIME_START, amount=1, limit=1
    )

    history = await stores.usage.history(ada.id)
    assert [(count.meter, count.period_start, count.used) for count in history] == [
        (Meter.SITES, LIFETIME_START, 1),
        (Meter.MESSAGES, period, 3),
    ]
    assert await stores.usage.remove_owner(ada.id) == 2
    assert await stores.usage.history(ada.id) == []
    assert await stores.usage.used(ada.id, {Meter.MESSAGES: period}) == {Meter.MESSAGES: 0}
    assert await stores.usage.used(bob.id, {Meter.MESSAGES: period}) == {Meter.MESSAGES: 3}


async def test_rate_limit_windows_are_forgotten_by_whole_key_parts(stores: Stores) -> None:
    now = real_now()
    window = timedelta(minutes=1)
    shop, blog, visitor = new_id(), new_id(), new_uuid()
    for key in (
        f"msg-visitor:{shop}:{visitor}",
        f"view-visitor:{shop}:{visitor}",
        f"msg-visitor:{blog}:{visitor}",
        f"msg-visitor:{shop}:{new_uuid()}",
        "login-account:ann@example.com",
        "login-account-ip:ann@example.com|203.0.113.7",
        "login-account:joann@example.com",
    ):
        await stores.rate_limiter.hit(key, limit=5, window=window, now=now)

    assert await stores.rate_limiter.forget(shop, visitor, dry_run=True) == 2
    assert await stores.rate_limiter.forget(shop, visitor) == 2
    assert await stores.rate_limiter.forget(shop, visitor) == 0
    assert await stores.rate_limiter.forget("ann@example.com") == 2
    # The windows left count on from where they were.
    decision = await stores.rate_limiter.hit(f"msg-visitor:{blog}:{visitor}", limit=1, window=window, now=now)
    assert not decision.allowed


async def test_ended_rate_limit_windows_are_purged(stores: Stores) -> None:
    # Ten minutes into the next hour: two minutes later the minute's window has ended and
    # the hour's has not, whatever the time the test runs at (and no TTL monitor has
    # reached either yet).
    now = (real_now() + timedelta(hours=1)).replace(minute=10, second=0, microsecond=0)
    await stores.rate_limiter.hit("msg-site:a", limit=5, window=timedelta(minutes=1), now=now)
    await stores.rate_limiter.hit("signup-ip:b", limit=5, window=timedelta(hours=1), now=now)
    later = now + timedelta(minutes=2)

    assert await stores.rate_limiter.purge_expired(later, dry_run=True) == 1
    assert await stores.rate_limiter.purge_expired(later) == 1
    assert await stores.rate_limiter.purge_expired(later) == 0


# --- privacy requests and schedules -------------------------------------------------------


def _request(owner_id: OwnerId | None, *, at_ms: int = 0) -> PrivacyRequest:
    return PrivacyRequest(
        id=new_id(),
        requester=Requester.OPERATOR if owner_id is None else Requester.OWNER,
        owner_id=owner_id,
        action=PrivacyAction.ERASE,
        subject=SubjectKind.EMAIL,
        site_id=None,
        requested_at=real_now() + ms(at_ms),
        counts={"leads": 1, "messages": 4},
    )


async def test_owners_see_their_own_privacy_requests_newest_first(stores: Stores) -> None:
    ada, bob = owner(), owner()
    first, second = _request(ada.id), _request(ada.id, at_ms=5)
    for each in (first, second, _request(bob.id), _request(None)):
        await stores.privacy_requests.add(each)

    assert await stores.privacy_requests.list_for_owner(ada.id, limit=10) == [second, first]
    assert await stores.privacy_requests.list_for_owner(ada.id, limit=1) == [second]


async def test_old_privacy_request_records_are_purged(stores: Stores) -> None:
    ada = owner()
    old, new = _request(ada.id), _request(ada.id, at_ms=2)
    await stores.privacy_requests.add(old)
    await stores.privacy_requests.add(new)
    cutoff = new.requested_at

    assert await stores.privacy_requests.purge_before(cutoff, dry_run=True) == 1
    assert await stores.privacy_requests.purge_before(cutoff) == 1
    assert await stores.privacy_requests.list_for_owner(ada.id, limit=10) == [new]


async def test_a_periodic_task_is_claimed_once_per_interval(stores: Stores) -> None:
    now = real_now()
    hour = timedelta(hours=1)

    assert await stores.schedule.claim("sweep", now=now, every=hour)
    assert not await stores.schedule.claim("sweep", now=now + timedelta(minutes=59), every=hour)
    assert await stores.schedule.claim("other", now=now, every=hour)
    assert await stores.schedule.claim("sweep", now=now + hour, every=hour)
    assert not await stores.schedule.claim("sweep", now=now + hour, every=hour)


async def test_of_concurrent_claims_exactly_one_wins(stores: Stores) -> None:
    now = real_now()
    hour = timedelta(hours=1)
    first = await asyncio.gather(*(stores.schedule.claim("sweep", now=now, every=hour) for _ in range(8)))
    later = now + hour
    second = await asyncio.gather(*(stores.schedule.claim("sweep", now=later, every=hour) for _ in range(8)))

    assert first.count(True) == 1
    assert second.count(True) == 1
