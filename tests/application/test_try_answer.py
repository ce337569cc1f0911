"""The owner's "try it" box: the answer a visitor would get and the passages behind it,
for the site's owner only, stored and metered nowhere."""

import pytest

from ragsell.application.conversations.replies import not_covered
from ragsell.application.errors import NotFound, RateLimited
from ragsell.application.knowledge.try_answer import TryAnswer, TryAnswerCommand
from ragsell.application.throttling import ANSWER_TRIES_PER_OWNER
from ragsell.domain.usage import Meter
from tests.application.conftest import Harness
from tests.application.test_answer_use_cases import HOURS, knowledgeable_site


def try_answer(harness: Harness) -> TryAnswer:
    return TryAnswer(harness.sites, harness.throttle, harness.retriever, harness.model, harness.clock)


async def test_the_owner_sees_the_answer_and_the_passages_it_used(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)

    tried = await try_answer(harness)(
        TryAnswerCommand(owner_id=owner.id, site_id=site.id, question="When do you open on weekdays?")
    )

    assert tried.answered is True
    assert tried.text == HOURS
    assert tried.passages[0].text == HOURS
    assert tried.passages[0].score >= tried.threshold
    assert [p.score for p in tried.passages] == sorted((p.score for p in tried.passages), reverse=True)


async def test_a_question_the_knowledge_base_does_not_cover_shows_the_near_misses(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)

    tried = await try_answer(harness)(
        TryAnswerCommand(owner_id=owner.id, site_id=site.id, question="Do you sell giraffes?")
    )

    assert (tried.answered, tried.text, tried.citations) == (False, not_covered("en"), ())
    assert tried.passages and all(p.score < tried.threshold for p in tried.passages)


async def test_tries_are_neither_stored_nor_counted_against_the_plan(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)

    await try_answer(harness)(TryAnswerCommand(owner_id=owner.id, site_id=site.id, question="When do you open?"))

    assert await harness.list_conversations(owner.id, site.id) == []
    assert await harness.used(owner, Meter.MESSAGES) == 0
    assert await harness.used(owner, Meter.CONVERSATIONS) == 0


async def test_tries_are_bounded_by_the_owners_own_rate_limit(harness: Harness) -> None:
    owner, site = await knowledgeable_site(harness)
    ask = try_answer(harness)
    for _ in range(ANSWER_TRIES_PER_OWNER.limit):
        await ask(TryAnswerCommand(owner_id=owner.id, site_id=site.id, question="When do you open?"))

    with pytest.raises(RateLimited):
        await ask(TryAnswerCommand(owner_id=owner.id, site_id=site.id, question="When do you open?"))


async def test_another_owners_site_cannot_be_tried(harness: Harness) -> None:
    _owner, site = await knowledgeable_site(harness)
    stranger = await harness.owner("eve@example.com")

    with pytest.raises(NotFound):
        await try_answer(harness)(TryAnswerCommand(owner_id=stranger.id, site_id=site.id, question="When?"))
