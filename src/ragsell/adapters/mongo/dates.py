"""Date bounds in queries.

nx-27017 compares dates in query filters to the whole second (it wraps both sides in
SQLite's ``datetime()``, which drops the fraction), while MongoDB compares them to the
millisecond. So every date bound in a filter is widened by a second, which finds a
superset on both engines, and the exact comparison is made again in Python on what comes
back. Sorting on dates is exact on both.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from pymongo.asynchronous.cursor import AsyncCursor

SLACK = timedelta(seconds=1)

T = TypeVar("T")


def after(moment: datetime) -> dict[str, datetime]:
    """A filter matching every date after ``moment`` (and some just before it)."""
    return {"$gt": moment - SLACK}


def before(moment: datetime) -> dict[str, datetime]:
    """A filter matching every date before ``moment`` (and some just after it)."""
    return {"$lt": moment + SLACK}


def at_or_before(moment: datetime) -> dict[str, datetime]:
    """A filter matching every date up to ``moment`` (and some just after it)."""
    return {"$lte": moment + SLACK}


def between(since: datetime, until: datetime) -> dict[str, datetime]:
    """A filter matching every date in (since, until] (and some just outside)."""
    return {"$gt": since - SLACK, "$lte": until + SLACK}


async def first_kept(
    cursor: AsyncCursor[dict[str, Any]], *, decode: Callable[[dict[str, Any]], T], keep: Callable[[T], bool], limit: int
) -> list[T]:
    """The first ``limit`` decoded documents of a sorted cursor that pass the exact check."""
    found: list[T] = []
    try:
        async for document in cursor:
            item = decode(document)
            if keep(item):
                found.append(item)
                if len(found) >= limit:
                    break
    finally:
        await cursor.close()
    return found
