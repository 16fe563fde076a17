"""Tracking numbers and query codes: format, forgiving input, never a crash."""

import random

from hypothesis import given
from hypothesis import strategies as st

from shezhi.complaints import tokens
from shezhi.complaints.services import PHONE


@given(seed=st.integers(), year=st.integers(min_value=2000, max_value=2099), noise=st.sampled_from(["", " ", "-", "—", "  "]))
def test_a_number_survives_how_people_type_it(seed, year, noise):
    rng = random.Random(seed)
    number, code = tokens.new_number(year, rng), tokens.new_code(rng)
    assert tokens.normalize_number(number) == number and tokens.normalize_code(code) == code
    typed = number.lower().replace("-", noise)
    assert tokens.normalize_number(f" {typed} ") == number
    assert tokens.normalize_code(code.lower().replace("-", noise)) == code


@given(st.text(max_size=60))
def test_anything_typed_is_a_number_or_none(text):
    for value in (tokens.normalize_number(text), tokens.normalize_code(text)):
        assert value is None or (value.isascii() and value == value.upper())


def test_the_alphabet_leaves_out_confusable_characters():
    assert not set("01IO") & set(tokens.ALPHABET) and len(set(tokens.ALPHABET)) == 32
    assert tokens.normalize_code("0000-0000") is None and tokens.normalize_number("TS2026-OOOO-1111") is None
    numbers = {tokens.new_number(2026) for _ in range(200)}
    assert len(numbers) == 200  # 40 random bits each


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_mobile_numbers_are_accepted(phone):
    assert PHONE.match(phone)


@given(st.text(alphabet="0123456789-", max_size=20))
def test_the_phone_rule_never_crashes(text):
    PHONE.match(text)
