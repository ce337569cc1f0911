"""Email addresses and phone numbers, as owners and visitors type them."""

import re

import phonenumbers

from ragsell.domain.errors import InvalidEmail, InvalidPhone

MAX_EMAIL_LENGTH = 254
_EMAIL = re.compile(r"[^@\s\x00-\x1f\"<>(),;:\\\[\]]{1,64}@([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_PHONE_CHARACTERS = re.compile(r"[0-9+()\-.\s/]{4,32}")


def normalize_email(raw: str) -> str:
    """Trim and lower-case an address; reject what cannot be delivered to.

    Addresses are compared lower-cased everywhere (sign-up, log-in, privacy
    requests), so the stored form is the lower-cased one.
    """
    email = raw.strip().lower()
    # isprintable: no DEL, zero-width or bidi-override characters hiding in the local part.
    if len(email) > MAX_EMAIL_LENGTH or not email.isprintable() or _EMAIL.fullmatch(email) is None:
        raise InvalidEmail("Enter an email address like name@example.com.", field="email")
    return email


def normalize_phone(raw: str, default_region: str | None = None) -> str:
    """Return the number in E.164 form (+14155550123).

    A number without a leading + is read in ``default_region`` (ISO 3166 code),
    the site's country; without one, only international numbers are accepted.
    """
    text = raw.strip()
    if _PHONE_CHARACTERS.fullmatch(text) is None:
        raise InvalidPhone("Enter a phone number with its country code, like +1 415 555 0123.", field="phone")
    try:
        number = phonenumbers.parse(text, default_region.upper() if default_region else None)
    except phonenumbers.NumberParseException:
        raise InvalidPhone("Enter a phone number with its country code, like +1 415 555 0123.", field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("That phone number does not exist; check its digits and country code.", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
