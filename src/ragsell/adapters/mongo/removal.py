"""Removing what a query finds, by ``_id``.

nx-27017 scans the whole collection for a write whose filter is anything but ``_id``
(and for an empty ``$in``), so removals find their documents through an index first,
check them exactly in Python (date bounds in filters are widened, see dates.py), then
delete them by ``_id`` in batches.
"""

from collections.abc import Callable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from ragsell.adapters.mongo.codecs import Document

BATCH = 1_000


async def remove_found(
    collection: AsyncCollection[Document],
    query: Document,
    *,
    select: Callable[[Document], bool] = lambda _: True,
    fields: tuple[str, ...] = (),
    dry_run: bool = False,
) -> int:
    """Remove the documents ``query`` finds that pass ``select`` (which sees ``fields``);
    returns how many were (or, with ``dry_run``, would be) removed."""
    projection = {"_id": 1, **dict.fromkeys(fields, 1)}
    ids = [document["_id"] async for document in collection.find(query, projection) if select(document)]
    return len(ids) if dry_run else await remove_ids(collection, ids)


async def remove_ids(collection: AsyncCollection[Document], ids: list[Any]) -> int:
    removed = 0
    for start in range(0, len(ids), BATCH):
        removed += (await collection.delete_many({"_id": {"$in": ids[start : start + BATCH]}})).deleted_count
    return removed
