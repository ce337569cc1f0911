import re
from datetime import UTC
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConfigurationError, InvalidName, PyMongoError

from ragsell.adapters.mongo.errors import StoreUnavailable

__all__ = ["StoreUnavailable", "connect", "redact"]

_USER_INFO = re.compile(r"//([^/@]*)@")


def redact(uri: str, text: str | None = None) -> str:
    """``text`` (the URI itself by default) without the URI's user name and password,
    fit for messages and logs."""
    text = uri if text is None else text
    found = _USER_INFO.search(uri)
    if found is None or not found.group(1):
        return text
    return text.replace(found.group(1), "***")


async def connect(
    uri: str, database: str, *, timeout_seconds: float = 5.0
) -> tuple[AsyncMongoClient[dict[str, Any]], AsyncDatabase[dict[str, Any]]]:
    """A client whose datetimes come back timezone-aware in UTC, and the database, once a
    ping went through; StoreUnavailable (with the URI's credentials left out) otherwise."""
    timeout_ms = max(1, int(timeout_seconds * 1000))
    try:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            uri,
            tz_aware=True,
            tzinfo=UTC,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            appname="ragsell",
        )
    except ConfigurationError as error:
        raise StoreUnavailable(f"The MongoDB URI {redact(uri)} is not valid: {redact(uri, str(error))}") from None
    try:
        db = client[database]
    except InvalidName:
        await client.close()
        raise StoreUnavailable(f"{database!r} cannot be a MongoDB database name.") from None
    try:
        await client.admin.command("ping")
    except PyMongoError as error:
        await client.close()
        raise StoreUnavailable(
            f"Cannot reach MongoDB at {redact(uri)} within {timeout_seconds:g} s "
            f"({type(error).__name__}). Check that it is running and that the URI is right."
        ) from error
    except BaseException:
        await client.close()
        raise
    return client, db
