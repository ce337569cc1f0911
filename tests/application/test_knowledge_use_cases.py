"""Owners teach the assistant with snippets and Q&A pairs; answers use them at once."""

from datetime import timedelta

import pytest

from ragsell.application.errors import NotFound
from ragsell.application.knowledge.add_snippet import AddSnippetCommand
from ragsell.domain.errors import InvalidValue
from ragsell.domain.knowledge import SnippetKind
from tests.application.conftest import Harness, answer_text, done


async def test_snippets_are_tidied_stored_and_listed_oldest_first(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    text = await harness.teach(site, "  Opening \n hours ", "\n We open at nine. \n")
    harness.clock.advance(timedelta(seconds=1))
    qa = await harness.teach(site, "Payment", "Yes, and all major cards.", question="  Do you   take PayPal? ")
    assert (text.kind, text.title, text.text, text.question) == (
        SnippetKind.TEXT,
        "Opening hours",
        "We open at nine.",
        None,
    )
    assert (qa.kind, qa.question) == (SnippetKind.QA, "Do you take PayPal?")
    assert await harness.list_snippets(owner.id, site.id) == [text, qa]


async def test_a_text_snippet_ignores_a_question_given_with_it(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    snippet = await harness.add_snippet(
        AddSnippetCommand(owner_id=owner.id, site_id=site.id, kind=SnippetKind.TEXT, title="T", text="x", question="?")
    )
    assert snippet.question is None


@pytest.mark.parametrize(
    ("kind", "title", "text", "question"),
    [
        (SnippetKind.TEXT, "   ", "text", None),
        (SnippetKind.TEXT, "x" * 201, "text", None),
        (SnippetKind.TEXT, "Title", "   ", None),
        (SnippetKind.TEXT, "Title", "x" * 20_001, None),
        (SnippetKind.QA, "Title", "Answer", None),
        (SnippetKind.QA, "Title", "Answer", "   "),
        (SnippetKind.QA, "Title", "Answer", "x" * 501),
    ],
)
async def test_malformed_snippets_are_refused(
    harness: Harness, kind: SnippetKind, title: str, text: str, question: str | None
) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(InvalidValue):
        await harness.add_snippet(
            AddSnippetCommand(owner_id=owner.id, site_id=site.id, kind=kind, title=title, text=text, question=question)
        )
    assert await harness.list_snippets(owner.id, site.id) == []


async def test_a_qa_pair_answers_its_question_and_a_deleted_snippet_no_longer_does(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    snippet = await harness.teach(
        site, "Payment", "Yes, we accept it and all major cards.", question="Do you take PayPal?"
    )
    conversation = await harness.start(site)
    events = await harness.ask(site, conversation, "paypal?")
    assert done(events).answered is True
    assert answer_text(events) == "Yes, we accept it and all major cards."

    await harness.delete_snippet(owner.id, site.id, snippet.id)
    assert done(await harness.ask(site, conversation, "paypal?")).answered is False
    with pytest.raises(NotFound):
        await harness.delete_snippet(owner.id, site.id, snippet.id)
