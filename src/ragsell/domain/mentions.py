"""Whether a text mentions an email address or a phone number, as a visitor would type it.

Privacy requests name a visitor by a normalized address or E.164 number
(``domain/contact.py``); a visitor who typed it into the chat is found by their messages.

- An address matches in any case, as a whole: not preceded by a letter, digit or another
  character of an address's local part (``!#$%&'*+/=?^_`{|}~.-``), and not followed by
  more domain (a letter, digit, ``-``, or ``.`` then a letter or digit). ``ann@example.com``
  is found in "Mail ANN@Example.com." but not in "joann@example.com" or
  "ann@example.com.au".
- A number matches when its digits are typed in order with at most three separators
  (spaces, ``.``, ``-``, ``(``, ``)``, ``/``) between two of them, as the national
  significant number optionally preceded by the country code (after ``+``, ``00`` or
  alone, then optionally the national trunk prefix, as in "+49 (0)30 ...") or by the
  trunk prefix alone ("030 ..."), and the digits are not part of a longer number (no
  digit or ``+`` directly before, no digit directly after). A number typed without its
  country code (or after another one and a space) matches whatever country was meant.

``Mention.pattern`` is a looser regular expression (no look-arounds, any non-digit
between digits) that every mentioning text matches, for a store to select candidates
with; ``Mention.found_in`` is the rule itself.
"""

import re
from enum import StrEnum
from functools import lru_cache

import msgspec
import phonenumbers

from ragsell.domain.contact import normalize_email, normalize_phone
from ragsell.domain.errors import InvalidValue

# Separators a number may be typed with between two of its digits, and how many in a row.
_SEPARATOR = r"[\s.()/\-]"
MAX_SEPARATORS = 3
_LOCAL_PART_SYMBOLS = re.escape("!#$%&'*+/=?^_`{|}~.-")


class MentionKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


class Mention(msgspec.Struct, frozen=True, kw_only=True):
    """A normalized email address or E.164 phone number looked for in texts."""

    kind: MentionKind
    value: str

    def __post_init__(self) -> None:
        normal = normalize_email(self.value) if self.kind is MentionKind.EMAIL else normalize_phone(self.value)
        if normal != self.value:
            raise InvalidValue("A mention is of a normalized address or E.164 number.")

    def found_in(self, text: str) -> bool:
        return _rule(self.kind, self.value).search(text) is not None

    def pattern(self) -> str:
        """A regular expression (to be used case-insensitively) that every text this
        mention is found in matches; some texts it is not found in match it too."""
        if self.kind is MentionKind.EMAIL:
            return re.escape(self.value)
        number = phonenumbers.parse(self.value)
        return f"[^0-9]{{0,{MAX_SEPARATORS}}}".join(phonenumbers.national_significant_number(number))


def email_mention(raw: str) -> Mention:
    return Mention(kind=MentionKind.EMAIL, value=normalize_email(raw))


def phone_mention(raw: str) -> Mention:
    """``raw`` with its country code (or already E.164)."""
    return Mention(kind=MentionKind.PHONE, value=normalize_phone(raw))


def mentions_email(text: str, email: str) -> bool:
    """Whether ``text`` holds the (normalized) address ``email``, in any case."""
    return Mention(kind=MentionKind.EMAIL, value=email).found_in(text)


def mentions_phone(text: str, phone: str) -> bool:
    """Whether ``text`` holds the E.164 number ``phone``, typed in any usual way."""
    return Mention(kind=MentionKind.PHONE, value=phone).found_in(text)


@lru_cache(maxsize=64)
def _rule(kind: MentionKind, value: str) -> re.Pattern[str]:
    if kind is MentionKind.EMAIL:
        return re.compile(
            rf"(?<![\w{_LOCAL_PART_SYMBOLS}]){re.escape(value)}(?-i:(?![a-zA-Z0-9-]|\.[a-zA-Z0-9]))", re.IGNORECASE
        )
    number = phonenumbers.parse(value)
    national = phonenumbers.national_significant_number(number)
    country = str(number.country_code)
    region = phonenumbers.region_code_for_number(number)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region) if region else None
    trunk = (metadata.national_prefix if metadata else None) or ""
    prefixes = {f"+{country}{trunk}", f"00{country}{trunk}", f"{country}{trunk}", trunk} - {""}
    prefixes |= {f"+{country}", f"00{country}", country}
    # Longest first, so a prefix is never cut short where a longer one was typed.
    alternatives = "|".join(_typed(prefix) for prefix in sorted(prefixes, key=len, reverse=True))
    gap = f"{_SEPARATOR}{{0,{MAX_SEPARATORS}}}"
    return re.compile(rf"(?<![0-9+])(?:(?:{alternatives}){gap})?{_typed(national)}(?![0-9])")


def _typed(digits: str) -> str:
    """``digits`` (and a leading +) with up to MAX_SEPARATORS separators between any two."""
    gap = f"{_SEPARATOR}{{0,{MAX_SEPARATORS}}}"
    return gap.join(re.escape(character) for character in digits)
