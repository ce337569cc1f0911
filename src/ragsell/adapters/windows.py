"""Fixed rate-limit windows, shared by every RateLimiter adapter so they all agree
where a window starts and how long a refused caller should wait."""

import math
import re
from datetime import datetime, timedelta


def window_start(now: datetime, window: timedelta) -> datetime:
    """Fixed windows aligned on the epoch, so every process agrees where one starts."""
    seconds = window.total_seconds()
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, tz=now.tzinfo)


def retry_after(now: datetime, start: datetime, window: timedelta) -> int:
    return max(1, math.ceil((start + window - now).total_seconds()))


def names_subjects(key: str, subjects: tuple[str, ...]) -> bool:
    """Whether each of ``subjects`` is a whole part of a window's key: keys are a rule name
    and subjects joined by ``:`` (and ``|``), such as ``msg-visitor:<site id>:<visitor id>``."""
    return bool(subjects) and all(
        re.search(rf"(?:^|[:|]){re.escape(subject)}(?:$|[:|])", key) is not None for subject in subjects
    )
