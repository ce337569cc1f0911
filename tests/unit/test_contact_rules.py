"""Email addresses and phone numbers as people type them."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ragsell.domain.contact import MAX_EMAIL_LENGTH, normalize_email, normalize_phone
from ragsell.domain.errors import InvalidEmail, InvalidPhone

# --- email ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada@example.com\n", "ada@example.com"),
        ("ADA.LOVELACE+shop@mail.example.co.uk", "ada.lovelace+shop@mail.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("x@sub-domain.example.museum", "x@sub-domain.example.museum"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


local_parts = st.text(alphabet="abcXYZ0189._%+-'", min_size=1, max_size=20)
domains = st.lists(
    st.from_regex(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True), min_size=1, max_size=3
)
top_levels = st.from_regex(r"[a-zA-Z]{2,8}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(local_parts, domains, top_levels, st.sampled_from(["", " ", "\t", "\n "]))
def test_email_normalization_is_idempotent_and_lower_case(local: str, names: list[str], tld: str, pad: str) -> None:
    email = normalize_email(f"{pad}{local}@{'.'.join(names)}.{tld}{pad}")
    assert email == email.lower() == email.strip()
    assert normalize_email(email) == email
    assert normalize_email(email.upper()) == email


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "ada",
        "ada@",
        "@example.com",
        "ada@example",
        "ada@@example.com",
        "ada@exa@mple.com",
        "ada lovelace@example.com",
        "ada@exa mple.com",
        "<ada@example.com>",
        "Ada <ada@example.com>",
        "ada@example.com, bob@example.com",
        "ada@example.com\nBcc: bob@example.com",
        "ada@example..com",
        "ada@-example.com",
        "ada@example.c",
        "ada@example.123",
        "ada@exa_mple.com",
        '"ada"@example.com',
        "ada\x00@example.com",
        "ada\x7f@example.com",
        "ada\u200b@example.com",
        "ada\u202e@example.com",
        "a" * 65 + "@example.com",
        "ada@" + "a" * 250 + ".com",
    ],
)
def test_email_normalization_rejects_junk(raw: str) -> None:
    with pytest.raises(InvalidEmail) as caught:
        normalize_email(raw)
    assert caught.value.field == "email"
    # One fixed message: what was typed is never echoed back.
    assert caught.value.message == "Enter an email address like name@example.com."


def test_emails_are_capped_at_254_characters() -> None:
    local = "a" * 60
    fitting = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 50}.com"
    assert len(fitting) <= MAX_EMAIL_LENGTH
    assert normalize_email(fitting) == fitting
    with pytest.raises(InvalidEmail):
        normalize_email(f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 63}.com")


# --- phone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415 555 2671", None, "+14155552671"),
        ("+1 (415) 555-2671", None, "+14155552671"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("+49 30 901820", "US", "+4930901820"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "us", "+14155552671"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("  +33 1 42 68 53 00 ", None, "+33142685300"),
    ],
)
def test_phone_numbers_become_e164(raw: str, region: str | None, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


REGIONS = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "BR", "IN", "JP", "AU", "MX", "PL", "SE"]


@pytest.mark.parametrize("region", REGIONS)
def test_a_national_number_read_in_its_region_equals_its_international_form(region: str) -> None:
    example = phonenumbers.example_number(region)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalize_phone(national, region) == e164
    assert normalize_phone(international) == e164
    assert normalize_phone(e164, "US") == e164
    assert normalize_phone(normalize_phone(international)) == e164


def test_a_number_without_country_code_needs_a_region() -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone("(415) 555-2671")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12",
        "call me",
        "+1 415 CALL NOW",
        "+1 415 555 2671 ext. 5",
        "+1 415 555 2671; DROP TABLE",
        "+999 123 456 789",
        "+1 000 000 0000",
        "+44 1",
        "+" + "1" * 40,
    ],
)
def test_phone_normalization_rejects_junk_and_numbers_that_cannot_exist(raw: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(raw, "US")
    assert caught.value.field == "phone"


def test_an_unknown_region_does_not_crash_phone_normalization() -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone("030 901820", "ZZ")
