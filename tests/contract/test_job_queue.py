"""JobQueue."""

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec

from ragsell.domain.ids import JobId
from ragsell.domain.jobs import CrawlJob, CrawlProgress, JobState
from tests.contract.stores import Stores, crawl_job, ms, new_id, owner, site

T0 = datetime(2026, 6, 1, 12, 0, 0, 250_000, tzinfo=UTC)
LEASE = timedelta(seconds=60)
# After every due time in these tests.
LATER = T0 + timedelta(days=400)


def sites(n: int) -> list[str]:
    return [site(owner().id).id for _ in range(n)]


async def test_a_site_has_one_active_job_at_a_time(stores: Stores) -> None:
    shop, blog = sites(2)
    first = crawl_job(shop, created_at=T0)

    assert await stores.jobs.enqueue(first) == first
    assert await stores.jobs.enqueue(crawl_job(shop, created_at=T0 + ms(10))) == first
    other = crawl_job(blog, created_at=T0 + ms(20))
    assert await stores.jobs.enqueue(other) == other

    claimed = await stores.jobs.claim(worker="w1", now=T0 + ms(30), lease=LEASE)
    assert claimed is not None
    assert claimed.id == first.id
    # Running is active too.
    assert await stores.jobs.enqueue(crawl_job(shop, created_at=T0 + ms(40))) == claimed
    assert await stores.jobs.latest(shop, now=LATER) == claimed

    assert await stores.jobs.finish(first.id, worker="w1", now=T0 + ms(50), error=None)
    again = crawl_job(shop, created_at=T0 + ms(60))
    assert await stores.jobs.enqueue(again) == again
    assert await stores.jobs.latest(shop, now=LATER) == again


async def test_concurrent_enqueues_for_a_site_leave_exactly_one_active_job(stores: Stores) -> None:
    (shop,) = sites(1)
    jobs = [crawl_job(shop, created_at=T0 + ms(n), run_after=T0) for n in range(20)]

    results = await asyncio.gather(*(stores.jobs.enqueue(job) for job in jobs))

    winner = results[0]
    assert winner in jobs
    assert all(result == winner for result in results)
    assert await stores.jobs.latest(shop, now=LATER) == winner
    claimed = await stores.jobs.claim(worker="w1", now=T0 + timedelta(seconds=1), lease=LEASE)
    assert claimed is not None and claimed.id == winner.id
    assert await stores.jobs.claim(worker="w2", now=T0 + timedelta(seconds=1), lease=LEASE) is None

    # Once it is done, the next burst again yields one job.
    assert await stores.jobs.finish(winner.id, worker="w1", now=T0 + timedelta(seconds=2), error=None)
    later = [crawl_job(shop, created_at=T0 + timedelta(seconds=3) + ms(n), run_after=T0) for n in range(20)]
    results = await asyncio.gather(*(stores.jobs.enqueue(job) for job in later))
    assert len({result.id for result in results}) == 1
    assert results[0] in later


async def test_the_oldest_due_job_is_claimed_first(stores: Stores) -> None:
    a, b, c, d = sites(4)
    late = crawl_job(a, created_at=T0, run_after=T0 + ms(900))
    early = crawl_job(b, created_at=T0 + ms(5), run_after=T0 + ms(100))
    middle = crawl_job(c, created_at=T0 + ms(1), run_after=T0 + ms(400))
    not_yet = crawl_job(d, created_at=T0, run_after=T0 + ms(1400))
    for job in (late, early, middle, not_yet):
        await stores.jobs.enqueue(job)

    now = T0 + ms(900)
    order = [await stores.jobs.claim(worker=f"w{n}", now=now, lease=LEASE) for n in range(4)]

    assert [job.id if job else None for job in order] == [early.id, middle.id, late.id, None]
    # Due to the millisecond, not just to the second.
    assert await stores.jobs.claim(worker="w9", now=T0 + ms(1399), lease=LEASE) is None
    due = await stores.jobs.claim(worker="w9", now=T0 + ms(1400), lease=LEASE)
    assert due is not None and due.id == not_yet.id


async def test_jobs_due_at_the_same_moment_are_claimed_in_id_order(stores: Stores) -> None:
    jobs = [crawl_job(s, created_at=T0, run_after=T0) for s in sites(5)]
    for job in jobs:
        await stores.jobs.enqueue(job)

    claimed = [await stores.jobs.claim(worker="w", now=T0, lease=LEASE) for _ in jobs]

    assert [job.id for job in claimed if job] == sorted(job.id for job in jobs)


async def test_a_claim_makes_the_job_running_for_the_worker_under_a_lease(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)

    claimed = await stores.jobs.claim(worker="worker-1", now=T0 + ms(500), lease=LEASE)

    expected = msgspec.structs.replace(
        job, state=JobState.RUNNING, worker="worker-1", lease_expires_at=T0 + ms(500) + LEASE, attempts=1
    )
    assert claimed == expected
    assert await stores.jobs.latest(shop, now=LATER) == expected
    assert await stores.jobs.claim(worker="worker-2", now=T0 + ms(500), lease=LEASE) is None


async def test_racing_workers_never_claim_the_same_job(stores: Stores) -> None:
    jobs = [crawl_job(s, created_at=T0 + ms(n), run_after=T0 + ms(n)) for n, s in enumerate(sites(8))]
    for job in jobs:
        await stores.jobs.enqueue(job)

    claims = await asyncio.gather(
        *(stores.jobs.claim(worker=f"worker-{n}", now=T0 + ms(500), lease=LEASE) for n in range(24))
    )

    taken = [claim for claim in claims if claim is not None]
    assert sorted(claim.id for claim in taken) == sorted(job.id for job in jobs)
    for claim in taken:
        stored = await stores.jobs.latest(claim.site_id, now=LATER)
        assert stored == claim
        assert stored.attempts == 1


async def test_racing_workers_never_take_over_the_same_expired_job(stores: Stores) -> None:
    (shop,) = sites(1)
    await stores.jobs.enqueue(crawl_job(shop, created_at=T0))
    first = await stores.jobs.claim(worker="first", now=T0, lease=LEASE)
    assert first is not None

    claims = await asyncio.gather(
        *(stores.jobs.claim(worker=f"worker-{n}", now=T0 + LEASE, lease=LEASE) for n in range(12))
    )

    taken = [claim for claim in claims if claim is not None]
    assert len(taken) == 1
    assert taken[0].attempts == 2
    assert await stores.jobs.latest(shop, now=LATER) == taken[0]


async def test_a_job_whose_lease_ran_out_is_claimed_again_and_the_old_worker_has_lost_it(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)
    await stores.jobs.claim(worker="slow", now=T0, lease=LEASE)

    assert await stores.jobs.claim(worker="quick", now=T0 + LEASE - ms(1), lease=LEASE) is None
    taken = await stores.jobs.claim(worker="quick", now=T0 + LEASE, lease=LEASE)

    assert taken is not None
    assert taken.id == job.id
    assert taken.worker == "quick"
    assert taken.attempts == 2
    assert taken.lease_expires_at == T0 + 2 * LEASE
    progress = CrawlProgress(found=10, done=4, failed=1)
    assert not await stores.jobs.renew(job.id, worker="slow", now=T0 + LEASE, lease=LEASE, progress=progress)
    assert not await stores.jobs.finish(job.id, worker="slow", now=T0 + LEASE, error=None)
    assert await stores.jobs.latest(shop, now=LATER) == taken


async def test_renewing_extends_the_lease_and_records_progress(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)
    await stores.jobs.claim(worker="w1", now=T0, lease=LEASE)
    progress = CrawlProgress(found=20, done=7, failed=2)

    assert await stores.jobs.renew(job.id, worker="w1", now=T0 + ms(50_000), lease=LEASE, progress=progress)

    stored = await stores.jobs.latest(shop, now=LATER)
    assert stored is not None
    assert stored.progress == progress
    assert stored.lease_expires_at == T0 + ms(50_000) + LEASE
    assert stored.attempts == 1
    assert await stores.jobs.claim(worker="w2", now=T0 + ms(109_999), lease=LEASE) is None
    taken = await stores.jobs.claim(worker="w2", now=T0 + ms(110_000), lease=LEASE)
    assert taken is not None and taken.progress == progress


async def test_only_the_holder_finishes_a_job_and_only_once(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)
    await stores.jobs.claim(worker="w1", now=T0, lease=LEASE)

    assert not await stores.jobs.finish(job.id, worker="w2", now=T0 + ms(10), error=None)
    assert await stores.jobs.finish(job.id, worker="w1", now=T0 + ms(20), error=None)
    assert not await stores.jobs.finish(job.id, worker="w1", now=T0 + ms(30), error=None)
    assert not await stores.jobs.renew(job.id, worker="w1", now=T0 + ms(40), lease=LEASE, progress=CrawlProgress())

    done = await stores.jobs.latest(shop, now=LATER)
    assert done == msgspec.structs.replace(job, state=JobState.DONE, attempts=1, finished_at=T0 + ms(20))
    # A finished job is not claimed again, however late.
    assert await stores.jobs.claim(worker="w3", now=T0 + timedelta(days=30), lease=LEASE) is None


async def test_a_failed_job_keeps_its_error(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)
    await stores.jobs.claim(worker="w1", now=T0, lease=LEASE)

    assert await stores.jobs.finish(job.id, worker="w1", now=T0 + ms(5), error="The site did not answer.")

    failed = await stores.jobs.latest(shop, now=LATER)
    assert failed is not None
    assert failed.state is JobState.FAILED
    assert failed.error == "The site did not answer."
    assert failed.worker is None and failed.lease_expires_at is None
    assert failed.finished_at == T0 + ms(5)


async def test_an_unknown_or_queued_job_cannot_be_renewed_or_finished(stores: Stores) -> None:
    (shop,) = sites(1)
    job = crawl_job(shop, created_at=T0)
    await stores.jobs.enqueue(job)
    unknown = JobId(new_id())

    assert not await stores.jobs.renew(unknown, worker="w1", now=T0, lease=LEASE, progress=CrawlProgress())
    assert not await stores.jobs.finish(unknown, worker="w1", now=T0, error=None)
    assert not await stores.jobs.renew(job.id, worker="w1", now=T0, lease=LEASE, progress=CrawlProgress())
    assert not await stores.jobs.finish(job.id, worker="w1", now=T0, error=None)
    assert await stores.jobs.latest(shop, now=LATER) == job


async def test_latest_is_the_sites_most_recently_created_job(stores: Stores) -> None:
    shop, blog = sites(2)
    assert await stores.jobs.latest(shop, now=LATER) is None

    history: list[CrawlJob] = []
    for n in range(3):
        job = crawl_job(shop, created_at=T0 + ms(300 * n))
        await stores.jobs.enqueue(job)
        await stores.jobs.claim(worker="w", now=T0 + ms(300 * n + 1), lease=LEASE)
        await stores.jobs.finish(job.id, worker="w", now=T0 + ms(300 * n + 2), error=None)
        history.append(job)
    scheduled = crawl_job(shop, created_at=T0 + ms(1000), run_after=T0 + timedelta(days=1))
    await stores.jobs.enqueue(scheduled)

    assert await stores.jobs.latest(shop, now=LATER) == scheduled
    assert await stores.jobs.latest(blog, now=LATER) is None
    # A crawl waiting for its day is not the latest crawl until then (to the millisecond).
    finished = await stores.jobs.latest(shop, now=T0 + timedelta(days=1) - ms(1))
    assert finished is not None
    assert finished.id == history[-1].id and finished.state is JobState.DONE
    assert await stores.jobs.latest(shop, now=T0 + timedelta(days=1)) == scheduled
    assert await stores.jobs.latest(shop, now=T0 - ms(1)) is None


async def test_crawl_now_brings_a_scheduled_crawl_forward(stores: Stores) -> None:
    (shop,) = sites(1)
    scheduled = crawl_job(shop, created_at=T0, run_after=T0 + timedelta(days=7))
    await stores.jobs.enqueue(scheduled)

    now = await stores.jobs.enqueue(crawl_job(shop, created_at=T0 + ms(10), run_after=T0 + ms(10)))

    assert now == msgspec.structs.replace(scheduled, run_after=T0 + ms(10))
    assert await stores.jobs.latest(shop, now=T0 + ms(10)) == now
    # Not pushed back by a later request.
    assert await stores.jobs.enqueue(crawl_job(shop, created_at=T0 + ms(20), run_after=T0 + timedelta(days=1))) == now
    claimed = await stores.jobs.claim(worker="w1", now=T0 + ms(10), lease=LEASE)
    assert claimed is not None and claimed.id == scheduled.id


async def test_a_running_crawl_is_not_moved_by_a_request(stores: Stores) -> None:
    (shop,) = sites(1)
    await stores.jobs.enqueue(crawl_job(shop, created_at=T0, run_after=T0 + ms(500)))
    running = await stores.jobs.claim(worker="w1", now=T0 + ms(600), lease=LEASE)

    assert await stores.jobs.enqueue(crawl_job(shop, created_at=T0 + ms(700), run_after=T0)) == running


async def test_concurrent_requests_bring_a_scheduled_crawl_forward_to_the_earliest(stores: Stores) -> None:
    (shop,) = sites(1)
    scheduled = crawl_job(shop, created_at=T0, run_after=T0 + timedelta(days=7))
    await stores.jobs.enqueue(scheduled)
    requests = [crawl_job(shop, created_at=T0 + ms(n), run_after=T0 + ms(900 - 37 * n)) for n in range(20)]

    results = await asyncio.gather(*(stores.jobs.enqueue(job) for job in requests))

    assert {result.id for result in results} == {scheduled.id}
    earliest = min(job.run_after for job in requests)
    assert await stores.jobs.latest(shop, now=LATER) == msgspec.structs.replace(scheduled, run_after=earliest)


async def test_claims_mix_queued_and_expired_jobs_by_due_time(stores: Stores) -> None:
    a, b, c = sites(3)
    stalled = crawl_job(a, created_at=T0, run_after=T0 + ms(200))
    await stores.jobs.enqueue(stalled)
    assert await stores.jobs.claim(worker="gone", now=T0 + ms(200), lease=ms(1000)) is not None
    older = crawl_job(b, created_at=T0, run_after=T0 + ms(100))
    newer = crawl_job(c, created_at=T0, run_after=T0 + ms(300))
    await stores.jobs.enqueue(newer)
    await stores.jobs.enqueue(older)

    now = T0 + ms(1200)
    order = [await stores.jobs.claim(worker=f"w{n}", now=now, lease=LEASE) for n in range(4)]

    assert [job.id if job else None for job in order] == [older.id, stalled.id, newer.id, None]
    assert order[1] is not None and order[1].attempts == 2
