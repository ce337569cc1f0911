"""Retrieval benchmark (issue 4) on the Python documentation, a real website on disk.

    apt-get install -y python3-doc
    .venv/bin/python -m bench.retrieval                      # embedding speed, retrieval quality
    taskset -c 0 .venv/bin/python -m bench.retrieval --latency   # query latency on one core

The first form chunks every page (bench.docs_corpus), embeds the chunks one page per
call as a crawl does, with the offline embedder on all cores, and reports chunks
embedded a second (on a fixed sample of pages, however warm the vector cache is). It
then asks the FAQ questions through ``NumpyRetriever`` in each mode and reports Recall@1,
Recall@5 and MRR@10, twice: with the corpus as it is (each answer's section is headed by
its question) and with the question headings taken out of the answer chunks (so only
the answer's words can match). Last, the top-1 scores of the FAQ questions and of
questions the documentation cannot answer, for the "not in the knowledge base" threshold.

The second form times ``NumpyRetriever.search`` (query embedding included, limit 5) at
10,000 chunks (real ones) and 100,000 (the real ones plus random unit vectors carrying
copies of real texts), with onnxruntime on one thread; run it under ``taskset -c 0``.
Vectors are cached in --cache (.ragsell/bench-retrieval), keyed by the chunk texts, so re-runs skip the long embedding.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.docs_corpus import PageChunk, Question, answers, faq_questions, load_chunks
from ragsell.adapters.local.numpy_retriever import NumpyRetriever, SearchMode
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder, available_cores
from ragsell.application.ports.repositories import ChunkRepository
from ragsell.domain.chunking import ChunkDraft, text_for_embedding
from ragsell.domain.ids import ChunkId, SiteId
from ragsell.domain.knowledge import Chunk, ChunkSource

SITE = SiteId("site-python-docs")
THROUGHPUT_SAMPLE = 1_000
# Questions a shop's visitors ask that the Python documentation cannot answer.
OFF_TOPIC = (
    "What are your opening hours?",
    "Do you ship to Canada?",
    "How much does the premium plan cost?",
    "Can I get a refund if I cancel?",
    "Where is your office?",
    "Do you offer gift cards?",
    "What is your phone number?",
    "How long does delivery take?",
    "Are your products vegan?",
    "Can I book a table for tonight?",
    "Do you have a student discount?",
    "Is parking available near the store?",
    "What sizes do the shoes come in?",
    "Who is the CEO of the company?",
    "How do I reset my router?",
    "Is the hotel pet friendly?",
    "When does the summer sale start?",
    "Can I pay with PayPal?",
    "Do you repair broken phone screens?",
    "What is the weather like in Lisbon?",
)


class StaticChunks(ChunkRepository):
    """One site's chunks, fixed: the ChunkRepository port for a benchmark."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks = chunks

    async def replace_source(self, site_id: SiteId, source: ChunkSource, source_key: str, chunks: list[Chunk]) -> None:
        raise NotImplementedError

    async def for_site(self, site_id: SiteId) -> list[Chunk]:
        return self._chunks if site_id == SITE else []

    async def version(self, site_id: SiteId) -> int:
        return 1


def embedding_text(chunk: PageChunk) -> str:
    return text_for_embedding(chunk.title, chunk.draft.heading_path, chunk.draft.text)


def by_page(chunks: Sequence[PageChunk]) -> list[list[int]]:
    pages: dict[str, list[int]] = {}
    for index, chunk in enumerate(chunks):
        pages.setdefault(chunk.url, []).append(index)
    return list(pages.values())


async def embed_by_page(embedder: OnnxMiniLMEmbedder, texts: list[str], pages: list[list[int]]) -> np.ndarray:
    vectors = np.zeros((len(texts), embedder.dimensions), dtype="<f4")
    for page in pages:
        for index, vector in zip(page, await embedder.embed([texts[i] for i in page]), strict=True):
            vectors[index] = np.frombuffer(vector, dtype="<f4")
    return vectors


async def measure_throughput(embedder: OnnxMiniLMEmbedder, chunks: list[PageChunk]) -> tuple[int, float, float]:
    pages = by_page(chunks)
    random.Random(0).shuffle(pages)
    sample: list[list[int]] = []
    while sum(map(len, sample)) < THROUGHPUT_SAMPLE:
        sample.append(pages[len(sample)])
    texts = [embedding_text(chunk) for chunk in chunks]
    started, cpu_started = time.perf_counter(), time.process_time()
    await embed_by_page(embedder, texts, sample)
    return sum(map(len, sample)), time.perf_counter() - started, time.process_time() - cpu_started


def save(path: Path, vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)


async def corpus_vectors(embedder: OnnxMiniLMEmbedder, chunks: list[PageChunk], cache: Path) -> np.ndarray:
    texts = [embedding_text(chunk) for chunk in chunks]
    key = hashlib.sha256("\0".join([embedder.model, *texts]).encode()).hexdigest()[:16]
    path = cache / f"vectors-{key}.npy"
    if path.exists():
        return np.load(path)
    vectors = await embed_by_page(embedder, texts, by_page(chunks))
    save(path, vectors)
    return vectors


def as_chunks(chunks: list[PageChunk], vectors: np.ndarray, model: str) -> list[Chunk]:
    return [
        Chunk(
            id=ChunkId(f"chunk-{index}"),
            site_id=SITE,
            source=ChunkSource.PAGE,
            source_key=chunk.url,
            title=chunk.title,
            heading_path=chunk.draft.heading_path,
            text=chunk.draft.text,
            position=index,
            embedding_model=model,
            vector=vectors[index].tobytes(),
        )
        for index, chunk in enumerate(chunks)
    ]


def without_question_headings(chunks: list[PageChunk], questions: list[Question]) -> tuple[list[PageChunk], set[int]]:
    """The corpus with each question's heading taken out of the chunks that answer it."""
    changed: set[int] = set()
    result = list(chunks)
    for question in questions:
        for index, chunk in enumerate(result):
            if not answers(question, chunk):
                continue
            path = chunk.draft.heading_path
            draft = ChunkDraft(
                heading_path=path[:-1] if path == question.heading_path else path,
                text=chunk.draft.text.replace(question.text, " ").strip(),
            )
            result[index] = PageChunk(url=chunk.url, title=chunk.title, draft=draft)
            changed.add(index)
    return result, changed


async def quality(
    retriever: NumpyRetriever, searched: list[PageChunk], judged: list[PageChunk], questions: list[Question]
) -> dict[str, float]:
    """Recall and MRR of the FAQ questions over ``searched``; whether a chunk answers a
    question is judged on the same chunk in ``judged`` (the corpus as published)."""
    position = {(c.url, " > ".join(c.draft.heading_path), c.draft.text): i for i, c in enumerate(searched)}
    hits1 = hits5 = 0
    reciprocal = 0.0
    for question in questions:
        passages = await retriever.search(SITE, question.text, limit=10)
        ranks = [
            rank
            for rank, passage in enumerate(passages, start=1)
            if passage.citation
            and answers(question, judged[position[(passage.citation.url, passage.citation.heading, passage.text)]])
        ]
        first = ranks[0] if ranks else None
        hits1 += first == 1
        hits5 += first is not None and first <= 5
        reciprocal += 1 / first if first else 0.0
    count = len(questions)
    return {"R@1": hits1 / count, "R@5": hits5 / count, "MRR@10": reciprocal / count}


async def top_scores(retriever: NumpyRetriever, queries: Sequence[str]) -> list[float]:
    return [(await retriever.search(SITE, query, limit=1))[0].score for query in queries]


def print_quality_table(title: str, rows: dict[SearchMode, dict[str, float]]) -> None:
    print(f"\n{title}\n\n| ranking | Recall@1 | Recall@5 | MRR@10 |\n| --- | --- | --- | --- |")
    for mode, result in rows.items():
        print(f"| {mode.value} | {result['R@1']:.3f} | {result['R@5']:.3f} | {result['MRR@10']:.3f} |")


async def run_quality(cache: Path) -> None:
    started = time.perf_counter()
    chunks, questions = load_chunks(), faq_questions()
    print(f"{len(chunks)} chunks from {len(by_page(chunks))} pages, {len(questions)} FAQ questions")
    print(f"extracted and chunked in {time.perf_counter() - started:.1f} s")
    embedder = OnnxMiniLMEmbedder()
    load = os.getloadavg()[0]
    count, seconds, cpu_seconds = await measure_throughput(embedder, chunks)
    print(
        f"embedded {count} chunks (one call a page) in {seconds:.1f} s: {count / seconds:.1f} chunks/s on "
        f"{available_cores()} cores, {count / cpu_seconds:.1f} chunks per CPU-second; load average before: {load:.2f}"
    )

    vectors = await corpus_vectors(embedder, chunks, cache)
    stored = StaticChunks(as_chunks(chunks, vectors, embedder.model))
    retrievers = {mode: NumpyRetriever(stored, embedder, mode=mode) for mode in SearchMode}
    published = {mode: await quality(retriever, chunks, chunks, questions) for mode, retriever in retrievers.items()}
    print_quality_table("As published:", published)

    hidden, changed = without_question_headings(chunks, questions)
    hidden_vectors = vectors.copy()
    hidden_vectors[sorted(changed)] = await embed_by_page(
        embedder, [embedding_text(hidden[i]) for i in sorted(changed)], [list(range(len(changed)))]
    )
    hidden_store = StaticChunks(as_chunks(hidden, hidden_vectors, embedder.model))
    hidden_retrievers = {mode: NumpyRetriever(hidden_store, embedder, mode=mode) for mode in SearchMode}
    print_quality_table(
        f"Question headings removed from the {len(changed)} answer chunks:",
        {mode: await quality(retriever, hidden, chunks, questions) for mode, retriever in hidden_retrievers.items()},
    )

    answerable = await top_scores(retrievers[SearchMode.DENSE], [question.text for question in questions])
    off_topic = await top_scores(retrievers[SearchMode.DENSE], OFF_TOPIC)
    keep95 = float(np.percentile(answerable, 5))
    print(f"\ntop-1 score, FAQ questions: {describe(answerable)}")
    print(f"top-1 score, off-topic questions: {describe(off_topic)}")
    rejected = sum(score < keep95 for score in off_topic) / len(off_topic)
    print(f"a threshold of {keep95:.3f} keeps 95% of FAQ questions and rejects {rejected:.0%} of off-topic ones")
    embedder.close()


def describe(values: Sequence[float]) -> str:
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return f"p5 {p5:.3f}, median {p50:.3f}, p95 {p95:.3f}, min {min(values):.3f}, max {max(values):.3f}"


def padded_corpus(chunks: list[Chunk], size: int, dimensions: int) -> list[Chunk]:
    """``size`` chunks: the real ones, then random unit vectors carrying copies of real texts."""
    rng = np.random.default_rng(0)
    extra = rng.normal(size=(max(0, size - len(chunks)), dimensions)).astype("<f4")
    extra /= np.linalg.norm(extra, axis=1, keepdims=True)
    padding = [
        Chunk(
            id=ChunkId(f"synthetic-{index}"),
            site_id=SITE,
            source=ChunkSource.PAGE,
            source_key=f"https://example.com/synthetic/{index}",
            title="Synthetic",
            heading_path=(),
            text=chunks[index % len(chunks)].text,
            position=index,
            embedding_model=chunks[0].embedding_model,
            vector=vector.tobytes(),
        )
        for index, vector in enumerate(extra)
    ]
    return (chunks + padding)[:size]


async def run_latency(cache: Path) -> None:
    chunks, questions = load_chunks(), faq_questions()
    embedder = OnnxMiniLMEmbedder(threads=1)
    real = as_chunks(chunks, await corpus_vectors(embedder, chunks, cache), embedder.model)
    queries = [question.text for question in questions]
    started = time.perf_counter()
    await embedder.embed(queries)
    print(f"query embedding alone: {(time.perf_counter() - started) / len(queries) * 1000:.2f} ms a query (mean)")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("\n| chunks | ranking | index build | p50 | p95 | CPU a query |\n| --- | --- | --- | --- | --- | --- |")
    for size in (10_000, 100_000):
        corpus = padded_corpus(real, size, embedder.dimensions)
        for mode in (SearchMode.DENSE, SearchMode.HYBRID):
            retriever = NumpyRetriever(StaticChunks(corpus), embedder, mode=mode, cache_bytes=2**34)
            started = time.perf_counter()
            await retriever.search(SITE, queries[0], limit=5)
            build = time.perf_counter() - started
            for query in queries[:20]:
                await retriever.search(SITE, query, limit=5)
            timings = []
            cpu_started = time.process_time()
            for query in queries * 2:
                started = time.perf_counter()
                await retriever.search(SITE, query, limit=5)
                timings.append((time.perf_counter() - started) * 1000)
            cpu = (time.process_time() - cpu_started) * 1000 / len(timings)
            p50, p95 = np.percentile(timings, [50, 95])
            print(f"| {size:,} | {mode.value} | {build:.1f} s | {p50:.1f} ms | {p95:.1f} ms | {cpu:.1f} ms |")
    embedder.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", action="store_true", help="time queries at 10k and 100k chunks")
    parser.add_argument("--cache", type=Path, default=Path(".ragsell/bench-retrieval"), help="vector cache")
    options = parser.parse_args()
    asyncio.run(run_latency(options.cache) if options.latency else run_quality(options.cache))


if __name__ == "__main__":
    main()
