from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import DuplicateKeyError

from ragsell.application.ports.repositories import DuplicateKey


class StoreUnavailable(Exception):
    """The database cannot be reached or started. The message is meant for the person
    running ragsell: it says what failed and what to do, and never holds a password."""


class EmbeddedStoreFailed(StoreUnavailable):
    """The embedded nx-27017 server is missing, did not start, or did not answer."""


class DataDirectoryInUse(StoreUnavailable):
    """Another ragsell process already runs the embedded database of this data directory."""


@contextmanager
def duplicate_key(what: str) -> Iterator[None]:
    """Turn pymongo's DuplicateKeyError into the port's DuplicateKey."""
    try:
        yield
    except DuplicateKeyError as error:
        raise DuplicateKey(what) from error
