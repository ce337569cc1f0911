"""The extractive answerer's quality on the Python documentation's FAQ (issue 5).

    apt-get install -y python3-doc
    .venv/bin/python -m bench.extractive_quality

Each FAQ question goes through what ``PostVisitorMessage`` does (see
``application.conversations.answering``): ``NumpyRetriever`` (dense, PASSAGE_LIMIT
passages) over the documentation's chunks, indexed with sentence vectors as
``ChunkIndexer`` does under ``IndexingOptions(sentence_vectors=True)``
(bench.indexed_corpus), passages below RELEVANCE_THRESHOLD dropped, the question declined
when none is left, otherwise ``ExtractiveAnswerer`` composes the reply. The answer's first
sentence is traced to the passage it was taken from (the answer lists each passage's
sentences together, passages in retrieval order), and counted right when that passage is
on the question's page, and in the question's section when it is the chunk that holds
the question's section (bench.docs_corpus.answers).

Twice: on the corpus as published (each answer sits under its question as heading, so the
heading alone matches) and with the question headings taken out of the answer chunks
(bench.retrieval.without_question_headings; only the answer's own words can match; their
sentence vectors are then made by the answerer, as for chunks indexed without them).
Last, the same for a range of thresholds, beside how many of bench.retrieval's off-topic
questions each declines.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec
import numpy as np

from bench.docs_corpus import PageChunk, Question, answers, faq_questions, load_chunks
from bench.indexed_corpus import DEFAULT_CACHE, indexed_chunks
from bench.retrieval import OFF_TOPIC, SITE, StaticChunks, describe, embedding_text, without_question_headings
from ragsell.adapters.local.extractive_answerer import ExtractiveAnswerer
from ragsell.adapters.local.numpy_retriever import NumpyRetriever
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
from ragsell.application.conversations.answering import PASSAGE_LIMIT, RELEVANCE_THRESHOLD
from ragsell.application.ports.ai import ChatRequest
from ragsell.domain.conversations import ModelUsage
from ragsell.domain.knowledge import Chunk, Passage
from ragsell.domain.sentences import split_sentences

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)


@dataclass(frozen=True)
class Outcome:
    question: Question
    top_score: float
    declined: bool
    # Where the answer's first sentence comes from (False when declined).
    first_page: bool = False
    first_section: bool = False
    # Retrieval alone, for comparison: the best passage, and any passage kept.
    top_page: bool = False
    top_section: bool = False
    kept_page: bool = False
    # 1 when the first sentence comes from the best passage, 2 from the second ...
    first_rank: int = 0
    sentences: int = 0
    characters: int = 0


class Judge:
    """Finds the published chunk behind a passage of the searched corpus."""

    def __init__(self, searched: list[PageChunk], judged: list[PageChunk]) -> None:
        self._position = {(c.url, " > ".join(c.draft.heading_path), c.draft.text): i for i, c in enumerate(searched)}
        self._judged = judged

    def chunk(self, passage: Passage) -> PageChunk:
        assert passage.citation is not None
        return self._judged[self._position[(passage.citation.url, passage.citation.heading, passage.text)]]

    def page(self, question: Question, passage: Passage) -> bool:
        return passage.citation is not None and passage.citation.url == question.url

    def section(self, question: Question, passage: Passage) -> bool:
        return answers(question, self.chunk(passage))


async def answer_text(answerer: ExtractiveAnswerer, question: str, passages: tuple[Passage, ...]) -> str:
    request = ChatRequest(system="", history=(), passages=passages, question=question)
    return "".join([piece async for piece in answerer.stream(request) if not isinstance(piece, ModelUsage)])


def first_passage(text: str, passages: Sequence[Passage]) -> int:
    """The passage the answer's first sentence was taken from: the first one (in retrieval
    order, as the answer lists them) with the longest sentence that starts the answer
    (a sentence is followed by another or by the link to its page)."""
    paragraph = text.split("\n\n", 1)[0]
    matches = [
        (len(sentence), -index)
        for index, passage in enumerate(passages)
        for sentence in split_sentences(passage.text)
        if paragraph.startswith(sentence + " ")
    ]
    if not matches:
        raise AssertionError(f"the answer's first sentence is in no passage: {text[:200]!r}")
    return -max(matches)[1]


class Evaluation:
    def __init__(self, retriever: NumpyRetriever, answerer: ExtractiveAnswerer, judge: Judge) -> None:
        self._retriever = retriever
        self._answerer = answerer
        self._judge = judge
        self._answers: dict[tuple[str, int], str] = {}
        self._found: dict[str, list[Passage]] = {}

    async def found(self, question: str) -> list[Passage]:
        if question not in self._found:
            self._found[question] = await self._retriever.search(SITE, question, limit=PASSAGE_LIMIT)
        return self._found[question]

    async def outcome(self, question: Question, threshold: float) -> Outcome:
        found = await self.found(question.text)
        kept = tuple(passage for passage in found if passage.score >= threshold)
        top = found[0].score if found else 0.0
        if not kept:
            return Outcome(question=question, top_score=top, declined=True)
        # The passages kept are a prefix of those found: their number names the answer.
        key = (question.text, len(kept))
        if key not in self._answers:
            self._answers[key] = await answer_text(self._answerer, question.text, kept)
        text = self._answers[key]
        rank = first_passage(text, kept)
        first = kept[rank]
        judge = self._judge
        return Outcome(
            question=question,
            top_score=top,
            declined=False,
            first_page=judge.page(question, first),
            first_section=judge.section(question, first),
            top_page=judge.page(question, kept[0]),
            top_section=judge.section(question, kept[0]),
            kept_page=any(judge.page(question, passage) for passage in kept),
            first_rank=rank + 1,
            sentences=sum(len(split_sentences(paragraph)) for paragraph in text.split("\n\n")),
            characters=len(text),
        )


def share(count: int, total: int) -> str:
    return f"{count / total:.1%} ({count})" if total else "-"


def print_outcomes(title: str, outcomes: list[Outcome]) -> None:
    total = len(outcomes)
    answered = [o for o in outcomes if not o.declined]
    right_first = [o for o in answered if o.first_page]
    print(f"\n{title} (threshold {RELEVANCE_THRESHOLD}, {total} questions)\n")
    print("| measure | of all questions | of those answered |\n| --- | --- | --- |")
    print(f"| answered (a passage >= threshold) | {share(len(answered), total)} | - |")
    print(f"| declined | {share(total - len(answered), total)} | - |")
    for label, attribute in (
        ("first sentence from the right page", "first_page"),
        ("first sentence from the right section", "first_section"),
        ("best passage on the right page (retrieval alone)", "top_page"),
        ("best passage is the right section (retrieval alone)", "top_section"),
        ("right page among the passages kept", "kept_page"),
    ):
        count = sum(getattr(o, attribute) for o in answered)
        print(f"| {label} | {share(count, total)} | {share(count, len(answered))} |")
    if answered:
        ranks = ", ".join(
            f"{rank}: {share(sum(o.first_rank == rank for o in answered), len(answered))}"
            for rank in range(1, PASSAGE_LIMIT + 1)
        )
        print(f"\nthe first sentence comes from passage (by rank) {ranks}")
        sections = [o for o in answered if o.top_section]
        from_top = sum(o.first_rank == 1 for o in sections)
        print(
            f"when the best passage is the right section ({len(sections)}), the first sentence comes from it "
            f"{share(from_top, len(sections))} of the time"
        )
        sentences = np.median([o.sentences for o in answered])
        characters = np.median([o.characters for o in answered])
        print(f"answers: median {sentences:.0f} sentences, {characters:.0f} characters")
        wrong = [o.top_score for o in answered if not o.first_page]
        print(f"top-1 score, answered questions: {describe([o.top_score for o in answered])}")
        print(f"top-1 score, first sentence from the right page ({len(right_first)}): ", end="")
        print(describe([o.top_score for o in right_first]) if right_first else "-")
        print(f"top-1 score, first sentence from another page ({len(wrong)}): {describe(wrong) if wrong else '-'}")


async def sweep(evaluation: Evaluation, questions: list[Question], off_topic: list[float]) -> None:
    print(
        "\n| threshold | FAQ answered | first sentence right page (of all) | right section (of all) "
        "| right page (of answered) | off-topic declined |\n| --- | --- | --- | --- | --- | --- |"
    )
    for threshold in THRESHOLDS:
        outcomes = [await evaluation.outcome(question, threshold) for question in questions]
        answered = [o for o in outcomes if not o.declined]
        page = sum(o.first_page for o in answered)
        section = sum(o.first_section for o in answered)
        declined = sum(score < threshold for score in off_topic)
        print(
            f"| {threshold:.2f} | {share(len(answered), len(outcomes))} | {share(page, len(outcomes))} "
            f"| {share(section, len(outcomes))} | {share(page, len(answered))} | {share(declined, len(off_topic))} |"
        )


async def run(cache: Path) -> None:
    started = time.perf_counter()
    chunks, questions = load_chunks(), faq_questions()
    embedder = OnnxMiniLMEmbedder()
    try:
        indexed = await indexed_chunks(embedder, chunks, cache)
        print(f"{len(indexed)} chunks with sentence vectors, {len(questions)} FAQ questions")
        answerer = ExtractiveAnswerer(embedder)
        published = NumpyRetriever(StaticChunks(indexed), embedder)
        evaluation = Evaluation(published, answerer, Judge(chunks, chunks))
        outcomes = [await evaluation.outcome(question, RELEVANCE_THRESHOLD) for question in questions]
        print_outcomes("As published", outcomes)
        off_topic = [(await published.search(SITE, query, limit=1))[0].score for query in OFF_TOPIC]
        print(f"top-1 score, off-topic questions: {describe(off_topic)}")
        await sweep(evaluation, questions, off_topic)

        hidden, changed = without_question_headings(chunks, questions)
        vectors = await embedder.embed([embedding_text(hidden[index]) for index in sorted(changed)])
        replaced = dict(zip(sorted(changed), vectors, strict=True))
        hidden_chunks: list[Chunk] = [
            msgspec.structs.replace(
                chunk,
                heading_path=hidden[index].draft.heading_path,
                text=hidden[index].draft.text,
                vector=replaced[index],
                sentence_vectors=b"",  # the answerer embeds these sentences itself
            )
            if index in replaced
            else chunk
            for index, chunk in enumerate(indexed)
        ]
        hidden_retriever = NumpyRetriever(StaticChunks(hidden_chunks), embedder)
        hidden_evaluation = Evaluation(hidden_retriever, answerer, Judge(hidden, chunks))
        hidden_outcomes = [await hidden_evaluation.outcome(question, RELEVANCE_THRESHOLD) for question in questions]
        print_outcomes(f"Question headings taken out of the {len(changed)} answer chunks", hidden_outcomes)
        hidden_off_topic = [(await hidden_retriever.search(SITE, query, limit=1))[0].score for query in OFF_TOPIC]
        await sweep(hidden_evaluation, questions, hidden_off_topic)
    finally:
        embedder.close()
    print(f"\n{time.perf_counter() - started:.0f} s in all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vector cache (bench.indexed_corpus)")
    asyncio.run(run(parser.parse_args().cache))


if __name__ == "__main__":
    main()
