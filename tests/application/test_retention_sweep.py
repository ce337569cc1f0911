"""The retention sweep and account deletion, built by hand on the in-memory harness with a
clock the tests move: each retention promise as the sweep keeps it."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from ragsell.adapters.memory.privacy import InMemoryPrivacyRequestLog
from ragsell.adapters.memory.schedules import InMemoryTaskSchedule
from ragsell.application.accounts.reauthentication import Reauthentication
from ragsell.application.errors import InvalidCredentials, NotAuthenticated, NotFound
from ragsell.application.privacy.account_purge import AccountCloser, AccountPurger
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.application.privacy.delete_account import DeleteAccount, DeleteAccountCommand
from ragsell.application.retention.closed_accounts import ClosedAccounts
from ragsell.application.retention.conversation_retention import ConversationRetention
from ragsell.application.retention.expired_records import ExpiredRecords
from ragsell.application.retention.sweep import RetentionSweep
from ragsell.application.sites.update_site import UpdateSiteCommand
from ragsell.domain.accounts import Owner
from ragsell.domain.ids import JobId
from ragsell.domain.jobs import new_crawl
from ragsell.domain.password_resets import new_reset
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter
from tests.application.conftest import PASSWORD, Harness, new_visitor

DAY = timedelta(days=1)


@dataclass
class Privacy:
    sweep: RetentionSweep
    delete_account: DeleteAccount
    requests: InMemoryPrivacyRequestLog


def privacy(harness: Harness, schedule: InMemoryTaskSchedule | None = None) -> Privacy:
    requests = InMemoryPrivacyRequestLog()
    purger = AccountPurger(
        harness.owners,
        harness.sites,
        harness.eraser,
        harness.ledger,
        harness.sessions,
        harness.password_resets,
        harness.limiter,
    )
    audit = PrivacyAudit(requests, harness.clock, harness.ids)
    sweep = RetentionSweep(
        ConversationRetention(harness.sites, harness.conversations),
        ExpiredRecords(
            harness.page_views, harness.sessions, harness.limiter, harness.jobs, requests, harness.retention
        ),
        ClosedAccounts(harness.owners, purger, harness.retention),
        schedule or InMemoryTaskSchedule(),
        harness.clock,
    )
    delete_account = DeleteAccount(
        Reauthentication(harness.hasher, harness.throttle, harness.clock),
        AccountCloser(harness.owners, harness.sessions, harness.password_resets, harness.sites),
        purger,
        audit,
        harness.clock,
        harness.retention,
    )
    return Privacy(sweep=sweep, delete_account=delete_account, requests=requests)


async def _site_with_window(harness: Harness, owner: Owner, days: int | None) -> Site:
    site = await harness.site(owner)
    return await harness.update_site(UpdateSiteCommand(owner_id=owner.id, site_id=site.id, retention_days=days))


async def test_a_sites_conversation_window_removes_only_conversations_past_it(harness: Harness) -> None:
    owner = await harness.owner()
    windowed = await _site_with_window(harness, owner, 7)
    unlimited = await _site_with_window(harness, await harness.owner("bob@example.com"), None)
    old, kept = await harness.start(windowed), await harness.start(unlimited)
    await harness.ask(windowed, old, "Hello?")
    harness.clock.advance(6 * DAY)
    recent = await harness.start(windowed)
    harness.clock.advance(2 * DAY)

    report = await privacy(harness).sweep.run()

    assert (report.removed["conversations"], report.removed["messages"]) == (1, 2)
    assert [c.id for c in await harness.list_conversations(owner.id, windowed.id)] == [recent.id]
    assert await harness.conversations.messages(windowed.id, old.id) == []
    assert [c.id for c in await harness.conversations.list_for_site(unlimited.id, before=None, limit=10)] == [kept.id]


async def test_raw_page_views_go_after_their_window_and_the_daily_counts_stay(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    day = harness.clock.now().date()
    await harness.view_page(site, new_visitor())
    await harness.view_page(site, new_visitor())
    harness.clock.advance(harness.retention.raw_page_views - timedelta(seconds=1))
    assert (await privacy(harness).sweep.run()).removed["page_views"] == 0

    harness.clock.advance(timedelta(seconds=1))
    report = await privacy(harness).sweep.run()

    assert report.removed["page_views"] == 2
    [count] = await harness.page_views.daily_counts(site.id, since=day, until=day)
    assert count.views == 2


async def test_expired_sessions_and_ended_rate_limit_windows_are_removed(harness: Harness) -> None:
    opened = await harness.sign_up()
    harness.clock.advance(harness.policy.idle + timedelta(seconds=1))

    report = await privacy(harness).sweep.run()

    assert report.removed["sessions"] == 1
    assert report.removed["rate_limit_windows"] == 1  # the sign-up's, an hour long
    assert await harness.sessions.get(opened.session.token_hash, now=opened.session.created_at) is None


async def test_old_finished_crawl_jobs_go_but_each_sites_latest_stays(harness: Harness) -> None:
    site = await harness.site(await harness.owner())
    finished = []
    for _ in range(2):
        now = harness.clock.now()
        job = await harness.jobs.enqueue(
            new_crawl(job_id=JobId(harness.ids.new_id()), site_id=site.id, owner_id=site.owner_id, now=now)
        )
        await harness.jobs.claim(worker="w", now=now, lease=timedelta(minutes=1))
        await harness.jobs.finish(job.id, worker="w", now=now, error=None)
        finished.append(job)
        harness.clock.advance(DAY)
    harness.clock.advance(harness.retention.finished_crawl_jobs)

    assert (await privacy(harness).sweep.run()).removed["crawl_jobs"] == 1

    latest = await harness.jobs.latest(site.id, now=harness.clock.now())
    assert latest is not None and latest.id == finished[1].id


async def test_a_dry_run_counts_what_would_go_and_removes_nothing(harness: Harness) -> None:
    owner = await harness.owner()
    site = await _site_with_window(harness, owner, 1)
    await harness.start(site)
    await harness.view_page(site, new_visitor())
    harness.clock.advance(harness.retention.raw_page_views + DAY)
    sweep = privacy(harness).sweep

    dry = await sweep.run(dry_run=True)
    real = await sweep.run()

    assert dry.dry_run and (dry.removed["conversations"], dry.removed["page_views"]) == (1, 1)
    assert (real.removed["conversations"], real.removed["page_views"]) == (1, 1)
    assert (await sweep.run(dry_run=True)).removed["conversations"] == 0


async def test_the_sweep_runs_once_an_hour_however_many_workers_ask(harness: Harness) -> None:
    schedule = InMemoryTaskSchedule()
    first, second = privacy(harness, schedule).sweep, privacy(harness, schedule).sweep

    assert await first.run_if_due() is not None
    assert await second.run_if_due() is None
    harness.clock.advance(timedelta(minutes=59))
    assert await first.run_if_due() is None
    harness.clock.advance(timedelta(minutes=1))
    assert await second.run_if_due() is not None


async def test_deleting_an_account_asks_for_the_password_and_changes_nothing_when_wrong(harness: Harness) -> None:
    opened = await harness.sign_up()
    subject = privacy(harness)

    with pytest.raises(InvalidCredentials):
        await subject.delete_account(DeleteAccountCommand(owner=opened.owner, password="not the password"))

    assert not (await harness.stored_owner(opened.owner.id)).is_closed
    assert (await harness.current_owner(opened.token)).owner.id == opened.owner.id
    assert await subject.requests.list_for_owner(opened.owner.id, limit=10) == []


async def test_a_closed_account_stays_closed_then_is_purged_after_the_grace_period(harness: Harness) -> None:
    opened = await harness.sign_up()
    owner = opened.owner
    site = await harness.site(owner)
    await harness.teach(site, "Hours", "We open at nine.")
    conversation = await harness.start(site)
    await harness.ask(site, conversation, "When do you open?")
    other = await harness.enter(owner.email)
    reset = new_reset(token_hash="0" * 64, owner_id=owner.id, now=harness.clock.now())
    await harness.password_resets.add(reset)
    subject = privacy(harness)

    closed = await subject.delete_account(DeleteAccountCommand(owner=owner, password=PASSWORD))

    assert closed.ended_sessions == 2
    assert await harness.password_resets.get(reset.token_hash, now=reset.created_at) is None
    assert closed.purge_after == closed.closed_at + harness.retention.closed_account_grace
    for token in (opened.token, other.token):
        with pytest.raises(NotAuthenticated):
            await harness.current_owner(token)
    with pytest.raises(InvalidCredentials):
        await harness.enter(owner.email)
    with pytest.raises(NotFound):
        await harness.start(site)
    # Closed is closed: the same password cannot close (or reopen) it again.
    with pytest.raises(NotFound):
        await subject.delete_account(DeleteAccountCommand(owner=owner, password=PASSWORD))

    harness.clock.advance(harness.retention.closed_account_grace - timedelta(seconds=1))
    assert (await subject.sweep.run()).removed["closed_accounts"] == 0
    assert await harness.conversations.get(site.id, conversation.id) is not None

    harness.clock.advance(timedelta(seconds=1))
    assert (await subject.sweep.run()).removed["closed_accounts"] == 1

    assert await harness.owners.get(owner.id) is None
    assert await harness.sites.list_for_owner(owner.id) == []
    assert await harness.conversations.get(site.id, conversation.id) is None
    assert await harness.snippets.list_for_site(site.id) == []
    assert await harness.chunks.for_site(site.id) == []
    assert await harness.ledger.history(owner.id) == []
    again = await harness.sign_up(owner.email)
    assert again.owner.id != owner.id
    assert await harness.used(again.owner, Meter.SITES) == 0


async def test_an_account_deleted_at_once_is_purged_at_once(harness: Harness) -> None:
    opened = await harness.sign_up()
    site = await harness.site(opened.owner)
    subject = privacy(harness)

    closed = await subject.delete_account(DeleteAccountCommand(owner=opened.owner, password=PASSWORD, immediately=True))

    assert closed.purge_after is None
    assert await harness.owners.get(opened.owner.id) is None
    assert await harness.sites.get_for_operator(site.id) is None
    [record] = await subject.requests.list_for_owner(opened.owner.id, limit=10)
    assert record.counts["sites"] == 1
    assert record.counts["sessions"] == 1
