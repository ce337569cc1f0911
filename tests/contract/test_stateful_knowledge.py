"""The crawl-job queue and the chunks under random sequences of operations, checked
against a plain model after every step, on every store (see test_stateful_stores for how
the stores are run)."""

import struct
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ragsell.domain.ids import ChunkId, JobId, OwnerId, SiteId
from ragsell.domain.jobs import CrawlJob, CrawlProgress, JobState
from ragsell.domain.knowledge import Chunk, ChunkSource
from tests.contract.stores import MEMORY, new_id, store_params
from tests.contract.test_stateful_stores import RUN, StoreRunner, _machine

T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
SITES = (SiteId("site-aaaaaaaaaaaaaaaaaa"), SiteId("site-bbbbbbbbbbbbbbbbbb"))
OWNER = OwnerId("owner-aaaaaaaaaaaaaaaaa")
WORKERS = ("w1", "w2", "w3")
# Steps of the clock: often within the same second, sometimes past a lease.
STEPS = st.sampled_from((0, 1, 250, 999, 1000, 1001, 4000)).map(lambda n: timedelta(milliseconds=n))
DELAYS = st.sampled_from((0, 1, 500, 1500, 86_400_000)).map(lambda n: timedelta(milliseconds=n))
LEASES = st.sampled_from((1, 1000, 3000)).map(lambda n: timedelta(milliseconds=n))
FAR = T0 + timedelta(days=365)


class QueueModel:
    """What the port promises, as plainly as it can be said."""

    def __init__(self) -> None:
        self.jobs: dict[JobId, CrawlJob] = {}

    def enqueue(self, job: CrawlJob) -> CrawlJob:
        active = [j for j in self.jobs.values() if j.site_id == job.site_id and j.state.is_active]
        assert len(active) <= 1
        if active:
            found = active[0]
            if found.state is JobState.QUEUED and found.run_after > job.run_after:
                found = self.jobs[found.id] = msgspec.structs.replace(found, run_after=job.run_after)
            return found
        self.jobs[job.id] = job
        return job

    def claim(self, worker: str, now: datetime, lease: timedelta) -> CrawlJob | None:
        due = [j for j in self.jobs.values() if j.claimable(now)]
        if not due:
            return None
        first = min(due, key=lambda j: (j.run_after, j.id))
        claimed = self.jobs[first.id] = msgspec.structs.replace(
            first, state=JobState.RUNNING, worker=worker, lease_expires_at=now + lease, attempts=first.attempts + 1
        )
        return claimed

    def held(self, job_id: JobId, worker: str) -> CrawlJob | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.state is JobState.RUNNING and job.worker == worker else None

    def latest(self, site_id: SiteId, now: datetime) -> CrawlJob | None:
        mine = [j for j in self.jobs.values() if j.site_id == site_id and j.run_after <= now]
        return max(mine, key=lambda j: (j.created_at, j.id), default=None)


class JobQueueMachine(RuleBasedStateMachine):
    kind: str = MEMORY
    uri: str | None = None

    job_ids = Bundle("job_ids")

    def __init__(self) -> None:
        super().__init__()
        self.runner = StoreRunner(self.kind, self.uri)
        self.queue = self.runner.stores.jobs
        self.model = QueueModel()
        self.now = T0

    def teardown(self) -> None:
        self.runner.close()

    @rule(target=job_ids, site=st.sampled_from(SITES), delay=DELAYS, step=STEPS)
    def enqueue(self, site: SiteId, delay: timedelta, step: timedelta) -> JobId:
        self.now += step
        job = CrawlJob(
            id=JobId(new_id()),
            site_id=site,
            owner_id=OWNER,
            state=JobState.QUEUED,
            created_at=self.now,
            run_after=self.now + delay,
        )
        assert self.runner.run(self.queue.enqueue(job)) == self.model.enqueue(job)
        return job.id

    @rule(worker=st.sampled_from(WORKERS), lease=LEASES, step=STEPS)
    def claim(self, worker: str, lease: timedelta, step: timedelta) -> None:
        self.now += step
        expected = self.model.claim(worker, self.now, lease)
        assert self.runner.run(self.queue.claim(worker=worker, now=self.now, lease=lease)) == expected

    @rule(
        job_id=job_ids,
        worker=st.sampled_from(WORKERS),
        lease=LEASES,
        step=STEPS,
        done=st.integers(min_value=0, max_value=5),
    )
    def renew(self, job_id: JobId, worker: str, lease: timedelta, step: timedelta, done: int) -> None:
        self.now += step
        progress = CrawlProgress(found=5, done=done)
        held = self.model.held(job_id, worker)
        renewed = self.runner.run(self.queue.renew(job_id, worker=worker, now=self.now, lease=lease, progress=progress))
        assert renewed is (held is not None)
        if held is not None:
            self.model.jobs[job_id] = msgspec.structs.replace(
                held, lease_expires_at=self.now + lease, progress=progress
            )

    @rule(job_id=job_ids, worker=st.sampled_from(WORKERS), step=STEPS, error=st.sampled_from((None, "Timed out.")))
    def finish(self, job_id: JobId, worker: str, step: timedelta, error: str | None) -> None:
        self.now += step
        held = self.model.held(job_id, worker)
        finished = self.runner.run(self.queue.finish(job_id, worker=worker, now=self.now, error=error))
        assert finished is (held is not None)
        if held is not None:
            self.model.jobs[job_id] = msgspec.structs.replace(
                held,
                state=JobState.FAILED if error else JobState.DONE,
                worker=None,
                lease_expires_at=None,
                finished_at=self.now,
                error=error,
            )

    @rule(site=st.sampled_from(SITES))
    def erase_site(self, site: SiteId) -> None:
        self.runner.run(self.runner.stores.eraser.erase_site(site))
        self.model.jobs = {i: j for i, j in self.model.jobs.items() if j.site_id != site}

    @invariant()
    def the_latest_jobs_match_the_model(self) -> None:
        for site in SITES:
            for moment in (self.now, FAR):
                expected = self.model.latest(site, moment)
                assert self.runner.run(self.queue.latest(site, now=moment)) == expected


@pytest.mark.parametrize("kind", store_params())
def test_the_job_queue_behaves_like_the_model_under_random_operations(
    kind: str, request: pytest.FixtureRequest
) -> None:
    run_state_machine_as_test(_machine(JobQueueMachine, kind, request), settings=RUN)


KEYS = (
    (ChunkSource.PAGE, "https://shop.example.com/a"),
    (ChunkSource.PAGE, "https://shop.example.com/b"),
    (ChunkSource.SNIPPET, "https://shop.example.com/a"),
)


class ChunkMachine(RuleBasedStateMachine):
    """Chunks replaced and erased at random: what a site has, and whether its version moved."""

    kind: str = MEMORY
    uri: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self.runner = StoreRunner(self.kind, self.uri)
        self.chunks = self.runner.stores.chunks
        self.model: dict[tuple[SiteId, ChunkSource, str], list[Chunk]] = {}
        self.versions = {site: [self.runner.run(self.chunks.version(site))] for site in SITES}

    def teardown(self) -> None:
        self.runner.close()

    def _expect_version(self, site: SiteId, *, changed: bool) -> None:
        now = self.runner.run(self.chunks.version(site))
        if changed:
            assert now not in self.versions[site]
            self.versions[site].append(now)
        else:
            assert now == self.versions[site][-1]

    @rule(site=st.sampled_from(SITES), key=st.sampled_from(KEYS), count=st.integers(min_value=0, max_value=3))
    def replace(self, site: SiteId, key: tuple[ChunkSource, str], count: int) -> None:
        source, source_key = key
        given = [
            Chunk(
                id=ChunkId(new_id()),
                site_id=site,
                source=source,
                source_key=source_key,
                title="Title",
                heading_path=("Part",),
                text=f"Text {n}",
                position=count - n,
                embedding_model="test-model",
                vector=struct.pack("<2f", n, count),
            )
            for n in range(count)
        ]
        self.runner.run(self.chunks.replace_source(site, source, source_key, given))
        had = self.model.pop((site, source, source_key), [])
        if given:
            self.model[(site, source, source_key)] = sorted(given, key=lambda c: c.position)
        self._expect_version(site, changed=bool(had or given))

    @rule(site=st.sampled_from(SITES))
    def erase_site(self, site: SiteId) -> None:
        had = any(key[0] == site for key in self.model)
        self.runner.run(self.runner.stores.eraser.erase_site(site))
        self.model = {key: chunks for key, chunks in self.model.items() if key[0] != site}
        self._expect_version(site, changed=had)

    @invariant()
    def each_site_has_the_models_chunks(self) -> None:
        for site in SITES:
            expected = [c for key in sorted(k for k in self.model if k[0] == site) for c in self.model[key]]
            assert self.runner.run(self.chunks.for_site(site)) == expected
            self._expect_version(site, changed=False)


@pytest.mark.parametrize("kind", store_params())
def test_chunks_behave_like_the_model_under_random_operations(kind: str, request: pytest.FixtureRequest) -> None:
    run_state_machine_as_test(_machine(ChunkMachine, kind, request), settings=RUN)
