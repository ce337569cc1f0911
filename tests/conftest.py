"""Fixtures shared by every test package."""

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
from ragsell.adapters.mongo.embedded import EmbeddedMongo


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An nx-27017 server for the whole test session, over real TCP on a free port,
    started the way ``ragsell serve`` starts it. Give each test its own database."""
    data_dir: Path = tmp_path_factory.mktemp("embedded-store")
    with EmbeddedMongo(data_dir) as server:
        yield server.uri


@functools.cache
def shared_embedder() -> OnnxMiniLMEmbedder:
    """The real offline embedder, loaded once for the whole test session."""
    return OnnxMiniLMEmbedder(threads=1)
