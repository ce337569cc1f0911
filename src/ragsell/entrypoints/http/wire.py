"""Base classes for wire schemas (camelCase JSON, unknown fields refused), the views both
APIs share, and ``view_of``, which fills a view from the object it shows."""

from typing import TypeVar

import msgspec


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A request body."""


class View(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """A response body."""


V = TypeVar("V", bound=View)


def view_of(obj: object, view_type: type[V]) -> V:
    """``obj`` shown as ``view_type``: each of the view's fields is read from the attribute of
    the same (Python) name, nested objects become the nested views, tuples lists. Enum members
    are kept and encode to their values. Only the view's own fields are read: what the object
    has and the view does not name (a password hash, a signing secret) never reaches the view.
    A view field with a default keeps it when the object has no such attribute."""
    return msgspec.convert(obj, view_type, from_attributes=True)


class BrandingView(View):
    assistant_name: str
    colour: str
    greeting: str
    position: str
    language: str
    tone: str
    suggested_questions: list[str]
    auto_open: bool
    avatar_url: str | None
    privacy_policy_url: str | None


class CitationView(View):
    url: str
    title: str
    heading: str
