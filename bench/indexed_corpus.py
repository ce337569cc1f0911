"""The Python documentation indexed as ``ChunkIndexer`` indexes a site for the extractive
answerer (``IndexingOptions(sentence_vectors=True)``): each chunk's vector
(bench.retrieval's cached one) plus one vector per sentence of its text, as
``split_sentences`` cuts it. Shared by bench.extractive_quality and bench.first_byte.

    .venv/bin/python -m bench.indexed_corpus      # fill both vector caches ahead of time

Sentence vectors are cached beside the chunk vectors (--cache, .ragsell/bench-retrieval),
keyed by the model and every chunk's sentences; the first run embeds about 72,000
sentences (several minutes on two idle cores).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import time
from pathlib import Path

import msgspec
import numpy as np

from bench.docs_corpus import PageChunk, load_chunks
from bench.retrieval import SITE, as_chunks, corpus_vectors, save
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Chunk
from ragsell.domain.sentences import split_sentences

DEFAULT_CACHE = Path(".ragsell/bench-retrieval")
# Sentences per embed call: large calls keep both cores busy; the embedder sorts them by length.
_CALL = 2_048


async def sentence_vectors(embedder: OnnxMiniLMEmbedder, chunks: list[PageChunk], cache: Path) -> list[bytes]:
    """Each chunk's sentence vectors, row after row, as ``Chunk.sentence_vectors`` holds them."""
    sentences = [split_sentences(chunk.draft.text) for chunk in chunks]
    flat = [sentence for each in sentences for sentence in each]
    key = hashlib.sha256("\1".join([embedder.model, *("\0".join(each) for each in sentences)]).encode())
    path = cache / f"sentences-{key.hexdigest()[:16]}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = np.zeros((len(flat), embedder.dimensions), dtype="<f4")
        for start in range(0, len(flat), _CALL):
            embedded = await embedder.embed(flat[start : start + _CALL])
            matrix[start : start + len(embedded)] = np.frombuffer(b"".join(embedded), dtype="<f4").reshape(
                -1, embedder.dimensions
            )
        save(path, matrix)
    result: list[bytes] = []
    offset = 0
    for each in sentences:
        result.append(matrix[offset : offset + len(each)].tobytes())
        offset += len(each)
    return result


async def indexed_chunks(
    embedder: OnnxMiniLMEmbedder, chunks: list[PageChunk], cache: Path, *, site_id: SiteId = SITE
) -> list[Chunk]:
    """The corpus as ``Chunk``s of ``site_id`` with chunk and sentence vectors (both cached)."""
    sentences = await sentence_vectors(embedder, chunks, cache)
    vectors = await corpus_vectors(embedder, chunks, cache)
    return [
        msgspec.structs.replace(chunk, site_id=site_id, sentence_vectors=rows)
        for chunk, rows in zip(as_chunks(chunks, vectors, embedder.model), sentences, strict=True)
    ]


async def _fill(cache: Path) -> None:
    chunks = load_chunks()
    embedder = OnnxMiniLMEmbedder()
    try:
        started = time.perf_counter()
        indexed = await indexed_chunks(embedder, chunks, cache)
        sentences = sum(len(chunk.sentence_vectors) for chunk in indexed) // (4 * embedder.dimensions)
        print(f"{len(indexed)} chunks, {sentences} sentences: vectors ready in {time.perf_counter() - started:.1f} s")
    finally:
        embedder.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="vector cache")
    asyncio.run(_fill(parser.parse_args().cache))


if __name__ == "__main__":
    main()
