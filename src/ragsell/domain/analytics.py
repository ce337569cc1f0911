"""What a site's conversations add up to over its last days: counts per day (UTC), and
visitors' questions compared in one normal form."""

import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from ragsell.domain.errors import InvalidValue

DEFAULT_DAYS = 30
MAX_DAYS = 90


def check_days(days: int) -> int:
    if not 1 <= days <= MAX_DAYS:
        raise InvalidValue(f"Choose 1 to {MAX_DAYS} days.", field="days")
    return days


def window_days(now: datetime, days: int) -> list[date]:
    """The last ``days`` calendar days (UTC), today last."""
    today = now.astimezone(UTC).date()
    return [today - timedelta(days=back) for back in range(check_days(days) - 1, -1, -1)]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def per_day(moments: Iterable[datetime], days: list[date]) -> list[int]:
    """How many of ``moments`` fall on each of ``days`` (UTC); others are not counted."""
    index = {day: position for position, day in enumerate(days)}
    counts = [0] * len(days)
    for moment in moments:
        position = index.get(moment.astimezone(UTC).date())
        if position is not None:
            counts[position] += 1
    return counts


def question_key(text: str) -> str:
    """A question in the form questions are compared in: case folded, punctuation and
    symbols dropped, spaces collapsed ("Do you ship to Norway?" == "do you ship to norway")."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in folded)
    return " ".join(kept.split())
