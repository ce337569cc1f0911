"""Domain Structs to MongoDB documents and back.

- A Struct's identifying field is stored as ``_id`` (``id`` unless told otherwise).
- Enums are stored as their values, tuples as arrays, nested Structs as subdocuments.
- Datetimes are stored as BSON dates: UTC, to the millisecond (BSON's precision; pymongo
  drops the microseconds). The client is created with ``tz_aware=True, tzinfo=UTC`` so
  they come back timezone-aware.
- float32 vectors are stored as BSON Binary of the vector subtype (9, dtype FLOAT32),
  the form Atlas Vector Search indexes.
"""

import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec
from bson.binary import Binary

# Binary subtype 9 (vector), then its two header bytes: dtype FLOAT32 (0x27) and padding 0.
VECTOR_SUBTYPE = 9
_FLOAT32_HEADER = b"\x27\x00"

Document = dict[str, Any]
S = TypeVar("S", bound=msgspec.Struct)


def encode(value: msgspec.Struct, *, id_field: str | None = "id") -> Document:
    document: Document = msgspec.to_builtins(value, builtin_types=(datetime,))
    for moment in _datetimes(document):
        if moment.tzinfo is None:
            raise ValueError("Datetimes must carry a time zone before they are stored.")
    if id_field is not None:
        document["_id"] = document.pop(id_field)
    return document


def decode(document: Mapping[str, Any], type_: type[S], *, id_field: str | None = "id") -> S:
    fields = dict(document)
    identifier = fields.pop("_id", None)
    if id_field is not None:
        fields[id_field] = identifier
    return msgspec.convert(fields, type_)


def _datetimes(value: Any) -> list[datetime]:
    if isinstance(value, datetime):
        return [value]
    if isinstance(value, dict):
        return [moment for item in value.values() for moment in _datetimes(item)]
    if isinstance(value, list):
        return [moment for item in value for moment in _datetimes(item)]
    return []


def utc_key(moment: datetime) -> str:
    """A datetime as a fixed-width UTC string, for use inside string keys."""
    if moment.tzinfo is None:
        raise ValueError("Datetimes must carry a time zone.")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def vector_to_binary(vector: Sequence[float]) -> Binary:
    """float32 values as BSON Binary subtype 9 (dtype FLOAT32, little-endian)."""
    return float32_bytes_to_binary(struct.pack(f"<{len(vector)}f", *vector))


def binary_to_vector(data: bytes) -> list[float]:
    """The float32 values of a vector stored by ``vector_to_binary``."""
    raw = binary_to_float32_bytes(data)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


def float32_bytes_to_binary(raw: bytes) -> Binary:
    """Little-endian float32 data (as a Chunk holds it) as BSON Binary subtype 9."""
    if len(raw) % 4:
        raise ValueError("float32 data is a multiple of 4 bytes.")
    return Binary(_FLOAT32_HEADER + raw, VECTOR_SUBTYPE)


def binary_to_float32_bytes(data: bytes) -> bytes:
    """The little-endian float32 data of a stored vector.

    nx-27017 hands Binary subtype 9 back as plain bytes (subtype 0); the header is
    recognised either way: float32 data is a multiple of 4 bytes, the header adds 2.
    """
    raw = bytes(data)
    if len(raw) % 4 == 2 and raw.startswith(_FLOAT32_HEADER):
        return raw[len(_FLOAT32_HEADER) :]
    if (isinstance(data, Binary) and data.subtype == VECTOR_SUBTYPE) or len(raw) % 4:
        raise ValueError("Not a float32 vector.")
    return raw
