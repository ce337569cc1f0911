"""Opening the store the settings ask for: the in-memory harness, the embedded
nx-27017 server under the data directory, or MongoDB at RAGSELL_MONGODB_URI."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from dishka import Provider

from ragsell.adapters.mongo.client import connect
from ragsell.adapters.mongo.embedded import MONGO_DIR, EmbeddedMongo
from ragsell.adapters.mongo.errors import DataDirectoryInUse
from ragsell.entrypoints.di import MemoryStoreProvider, MongoStoreProvider
from ragsell.entrypoints.settings import Settings, Store

# Where a running ragsell leaves its embedded server's address, so that admin
# commands run beside it reach the same data.
SERVING_URI_FILE = "serving.uri"


def _serving_uri_file(data_dir: Path) -> Path:
    return data_dir / MONGO_DIR / SERVING_URI_FILE


@contextlib.contextmanager
def mongo_uri(settings: Settings, *, share: bool) -> Iterator[str]:
    """The configured URI, or the embedded server's, started for as long as this lasts.

    With ``share``, this process is the one serving the data directory (``serve``):
    it records the address for others. Without it (admin commands), a data
    directory already served by a running ragsell is reached through that address.
    """
    if settings.mongodb_uri:
        yield settings.mongodb_uri
        return
    uri_file = _serving_uri_file(settings.data_dir)
    try:
        embedded = EmbeddedMongo(settings.data_dir)
        uri = embedded.start()
    except DataDirectoryInUse:
        if share or not uri_file.exists():
            raise
        yield uri_file.read_text().strip()
        return
    try:
        if share:
            uri_file.write_text(uri)
            os.chmod(uri_file, 0o600)
        yield uri
    finally:
        if share:
            uri_file.unlink(missing_ok=True)
        embedded.stop()


def store_provider(settings: Settings, uri: str | None) -> Provider:
    """The repositories' provider: in memory, or MongoDB at ``uri``."""
    if settings.store is Store.MEMORY or uri is None:
        return MemoryStoreProvider()
    return MongoStoreProvider(uri, settings.mongodb_database)


async def check_store(settings: Settings, uri: str | None) -> None:
    """Fail early, with a clear StoreUnavailable, when MongoDB cannot be reached."""
    if settings.store is Store.MONGO and uri is not None:
        client, _ = await connect(uri, settings.mongodb_database)
        await client.close()
