"""GB 11643 ID numbers: property-based and edge cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from shezhi.volunteers.models import IdType
from shezhi.volunteers.selectors import mask_id_number
from shezhi.volunteers.validators import check_char, compose_mainland_id, upgrade_15, validate_id, validate_mainland_id

TODAY = dt.date(2026, 6, 1)
AREAS = st.sampled_from(["330482", "110101", "440305", "650102", "339001", "330481"])
BIRTHS = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
SEQUENCES = st.integers(min_value=0, max_value=999)


def valid_ids():
    return st.builds(compose_mainland_id, AREAS, BIRTHS, SEQUENCES)


@given(area=AREAS, born=BIRTHS, seq=SEQUENCES)
def test_valid_numbers_are_accepted_with_their_birth_date_and_gender(area, born, seq):
    number = compose_mainland_id(area, born, seq)
    normalized, birth, gender = validate_mainland_id(number, today=TODAY)
    assert normalized == number
    assert birth == born
    assert gender == ("male" if seq % 2 else "female")


@given(number=valid_ids(), position=st.integers(min_value=0, max_value=17), digit=st.sampled_from("0123456789X"))
@settings(suppress_health_check=[HealthCheck.filter_too_much])
def test_any_single_character_change_is_rejected(number, position, digit):
    """MOD 11-2 detects every single-character error: no change of one character gives
    another valid number."""
    assume(number[position] != digit)
    assume(position == 17 or digit != "X")  # X only stands in the last position
    changed = number[:position] + digit + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_mainland_id(changed, today=TODAY)


@given(number=valid_ids(), i=st.integers(min_value=0, max_value=16))
def test_swapping_two_adjacent_different_digits_is_rejected(number, i):
    assume(number[i] != number[i + 1] and number[i + 1] != "X")
    swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    with pytest.raises(ValidationError):
        validate_mainland_id(swapped, today=TODAY)


@given(number=valid_ids())
def test_lowercase_x_spaces_and_full_width_digits_are_normalized(number):
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    messy = " " + full_width[:6] + " " + full_width[6:].replace("X", "x") + "\u3000"
    assert validate_mainland_id(messy, today=TODAY)[0] == number


@given(number=valid_ids())
def test_mask_keeps_region_and_last_four_only(number):
    masked = mask_id_number(number, IdType.ID_CARD)
    assert masked == number[:6] + "*" * 8 + number[-4:]
    assert number[6:14] not in masked.replace("*", "")[6:]


def test_known_real_format_example():
    # The standard's own worked example: 11010519491231002X.
    assert check_char("11010519491231002") == "X"
    assert validate_mainland_id("11010519491231002x", today=TODAY) == ("11010519491231002X", dt.date(1949, 12, 31), "female")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("3304821990051700", "id_length"),
        ("33048219900517001A", "id_format"),
        ("330482199002300012", "id_birth_date"),  # 30 February
        ("330482189912310012", "id_birth_past"),
        ("990482199005170012", "id_area"),
        ("330482900517001", "id_legacy"),  # 15 digits: first generation
    ],
)
def test_refusals_say_why(value, code):
    if code not in ("required", "id_length", "id_format", "id_legacy"):
        value = value[:17] + check_char(value[:17])
    with pytest.raises(ValidationError) as exc:
        validate_mainland_id(value, today=TODAY)
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_future_birth_date_is_refused_and_today_is_accepted():
    assert validate_mainland_id(compose_mainland_id("330482", TODAY, 1), today=TODAY)[1] == TODAY
    with pytest.raises(ValidationError) as exc:
        validate_mainland_id(compose_mainland_id("330482", TODAY + dt.timedelta(days=1), 1), today=TODAY)
    assert exc.value.code == "id_birth_future"


def test_messages_never_repeat_the_number():
    number = compose_mainland_id("330482", dt.date(1990, 2, 1), 5)
    broken = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        validate_mainland_id(broken, today=TODAY)
    assert number[:14] not in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        validate_mainland_id("330482900517001", today=TODAY)
    assert "330482" not in " ".join(exc.value.messages)


def test_upgrade_15_gives_the_valid_18_digit_number():
    assert validate_mainland_id(upgrade_15("330482900517001"), today=TODAY)[1] == dt.date(1990, 5, 17)


@pytest.mark.parametrize(
    ("id_type", "value", "ok"),
    [
        (IdType.HK_MACAO, "H12345678", True),
        (IdType.HK_MACAO, "m1234567890", True),
        (IdType.HK_MACAO, "X12345678", False),
        (IdType.TAIWAN, "12345678", True),
        (IdType.TAIWAN, "1234567", False),
        (IdType.PASSPORT, "E12345678", True),
        (IdType.PASSPORT, "E1", False),
        (IdType.FOREIGN_PR, "USA330482199001", True),
        (IdType.FOREIGN_PR, "ABC12", False),
        ("nonsense", "12345678", False),
    ],
)
def test_other_document_types(id_type, value, ok):
    if ok:
        assert validate_id(id_type, value, today=TODAY)[0] == value.upper()
    else:
        with pytest.raises(ValidationError):
            validate_id(id_type, value, today=TODAY)


@given(born=BIRTHS, seq=SEQUENCES, prefix=st.sampled_from(["810000", "820000", "830000"]))
def test_residence_permits_use_the_same_check(born, seq, prefix):
    number = compose_mainland_id(prefix, born, seq)
    assert validate_id(IdType.HMT_RESIDENCE, number, today=TODAY)[1] == born
    with pytest.raises(ValidationError):
        validate_id(IdType.HMT_RESIDENCE, compose_mainland_id("330482", born, seq), today=TODAY)
    with pytest.raises(ValidationError):  # and a residence permit is not a mainland ID card
        validate_id(IdType.ID_CARD, number, today=TODAY)


@given(born=BIRTHS, seq=SEQUENCES)
def test_new_permanent_residence_cards_carry_birth_date(born, seq):
    number = compose_mainland_id("911840", born, seq)
    assert validate_id(IdType.FOREIGN_PR, number, today=TODAY)[1] == born


def test_mask_of_short_documents():
    assert mask_id_number("H12345678", IdType.HK_MACAO) == "H1*****78"
    assert mask_id_number("123456", IdType.PASSPORT) == "******"
    assert mask_id_number("", IdType.PASSPORT) == ""
